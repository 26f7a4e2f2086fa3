//! The language server, spoken to over its stdio as an editor would: `stowlint server` is
//! spawned and driven with JSON-RPC frames.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A hang guard, far above any expected wait (a reply comes in milliseconds).
const TIMEOUT: Duration = Duration::from_secs(300);

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    /// Notifications seen while waiting for something else.
    seen: Vec<Value>,
    next_id: i64,
}

fn read_frame(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    fn start(root: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stowlint"))
            .arg("server")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn stowlint server");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(v) = read_frame(&mut r) {
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            rx,
            seen: Vec::new(),
            next_id: 1,
        };
        let root_uri = uri(root);
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": [{"uri": root_uri, "name": "ws"}],
                "capabilities": {}
            }),
        );
        assert_eq!(result["result"]["serverInfo"]["name"], "stowlint");
        assert_eq!(
            result["result"]["capabilities"]["textDocumentSync"]["change"],
            1
        );
        client.notify("initialized", json!({}));
        client
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.raw(frame.as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The whole response (with `result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == json!(id) && m.get("method").is_none())
    }

    fn recv(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        self.rx
            .recv_timeout(left)
            .unwrap_or_else(|e| panic!("no message from the server ({e}); seen: {:#?}", self.seen))
    }

    fn wait(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let m = self.recv(deadline);
            if want(&m) {
                return m;
            }
            self.seen.push(m);
        }
    }

    /// The next diagnostics published for `uri` that satisfy `want`.
    fn diagnostics(&mut self, uri: &str, want: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let seen = std::mem::take(&mut self.seen);
        let mut found = None;
        for m in seen {
            if found.is_none() && is_publish(&m, uri) && want(diags(&m)) {
                found = Some(diags(&m).to_vec());
            } else {
                self.seen.push(m);
            }
        }
        if let Some(found) = found {
            return found;
        }
        let m = self.wait(|m| is_publish(m, uri) && want(diags(m)));
        diags(&m).to_vec()
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"text": text}]}),
        );
    }

    fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "exit after shutdown: {status}");
                return;
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_publish(m: &Value, uri: &str) -> bool {
    m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
}

fn diags(m: &Value) -> &[Value] {
    m["params"]["diagnostics"]
        .as_array()
        .map_or(&[], Vec::as_slice)
}

fn codes(d: &[Value]) -> Vec<String> {
    d.iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn has(d: &[Value], code: &str) -> bool {
    codes(d).iter().any(|c| c == code)
}

fn uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_str().expect("utf-8 path").bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Apply a `WorkspaceEdit`'s edits for `uri` to `text` (positions in UTF-16 columns).
fn apply(text: &str, edit: &Value, uri: &str) -> String {
    let mut edits: Vec<(usize, usize, String)> = edit["changes"][uri]
        .as_array()
        .expect("edits for the document")
        .iter()
        .map(|e| {
            let at = |p: &Value| offset(text, p["line"].as_u64(), p["character"].as_u64());
            (
                at(&e["range"]["start"]),
                at(&e["range"]["end"]),
                e["newText"].as_str().expect("newText").to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, &new);
    }
    out
}

fn offset(text: &str, line: Option<u64>, character: Option<u64>) -> usize {
    let (line, character) = (
        line.expect("line") as usize,
        character.expect("col") as usize,
    );
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

const SOCKET: &str = "services:\n  ci:\n    image: docker:27\n    volumes:\n      - {type: bind, target: \"/home/žluťoučký/😀\", source: /var/run/docker.sock}\n";

#[test]
fn diagnostics_with_utf16_ranges_clear_on_change() {
    let dir = tempdir();
    let path = dir.path().join("compose.yaml");
    let doc = uri(&path);
    let mut c = Client::start(dir.path());
    c.open(&doc, "yaml", SOCKET);
    let d = c.diagnostics(&doc, |d| has(d, "SL102"));
    let sl102 = d.iter().find(|d| d["code"] == "SL102").expect("SL102");

    let line = SOCKET.lines().nth(4).expect("line 5");
    let at = line.find("/var/run/docker.sock").expect("source");
    let utf16 = line[..at].encode_utf16().count();
    assert_ne!(
        utf16,
        line[..at].chars().count(),
        "the test needs astral characters"
    );
    assert_eq!(
        sl102["range"]["start"],
        json!({"line": 4, "character": utf16})
    );
    assert_eq!(
        sl102["range"]["end"],
        json!({"line": 4, "character": utf16 + "/var/run/docker.sock".len()})
    );
    assert_eq!(sl102["severity"], 1);
    assert_eq!(sl102["source"], "stowlint");
    assert_eq!(
        sl102["codeDescription"]["href"],
        stowlint::output::docs::rule_url("SL102")
    );
    let related = sl102["relatedInformation"].as_array().expect("related");
    assert_eq!(related[0]["location"]["uri"], doc.as_str());
    assert!(
        related[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("visible in the container"))
    );

    // Two quick changes: only the latest text counts.
    c.change(
        &doc,
        2,
        "services:\n  ci:\n    image: docker:27\n    volumes: [\"/srv\"]\n",
    );
    c.change(&doc, 3, "services:\n  ci:\n    image: docker:27\n");
    let d = c.diagnostics(&doc, |d| !has(d, "SL102"));
    assert!(d.is_empty(), "{d:#?}");
    c.shutdown();
}

/// Ask for code actions at the first finding of `code`; the action whose title starts with
/// `title`, applied to `text`.
fn act(c: &mut Client, doc: &str, text: &str, diags: &[Value], code: &str, title: &str) -> String {
    let d = diags
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {diags:#?}"));
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": d["range"],
               "context": {"diagnostics": [d]}}),
    );
    let actions = r["result"].as_array().expect("actions");
    let action = actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with(title)))
        .unwrap_or_else(|| panic!("`{title}` in {actions:#?}"));
    assert_eq!(action["kind"], "quickfix");
    apply(text, &action["edit"], doc)
}

#[test]
fn code_actions_edit_the_text_and_the_finding_goes() {
    let dir = tempdir();
    // SL103 (whose quick fix this is) is opt-in.
    std::fs::write(
        dir.path().join("stowlint.toml"),
        "extend-select = [\"SL103\"]\n",
    )
    .expect("config");
    let doc = uri(&dir.path().join("compose.yaml"));
    let mut c = Client::start(dir.path());
    let text = "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - \"./site:/usr/share/nginx/html\"\n      - /var/run/docker.sock:/var/run/docker.sock  # mounted for traefik\n";
    c.open(&doc, "yaml", text);
    let d = c.diagnostics(&doc, |d| has(d, "SL103") && has(d, "SL102"));

    // `:ro` inside the quotes.
    let fixed = act(&mut c, &doc, text, &d, "SL103", "Mount read-only");
    assert!(
        fixed.contains("\"./site:/usr/share/nginx/html:ro\""),
        "{fixed}"
    );
    c.change(&doc, 2, &fixed);
    let d = c.diagnostics(&doc, |d| !has(d, "SL103"));
    assert!(has(&d, "SL102"));

    // The line has a comment already: the suppression goes on the line above.
    let ignored = act(
        &mut c,
        &doc,
        &fixed,
        &d,
        "SL102",
        "Ignore SL102 on this line",
    );
    assert!(
        ignored.contains("      # stowlint: ignore SL102 -- reason\n      - /var/run"),
        "{ignored}"
    );
    c.change(&doc, 3, &ignored);
    let d = c.diagnostics(&doc, |d| !has(d, "SL102"));
    assert!(!has(&d, "SL002"), "{d:#?}");

    // A whole-file suppression.
    c.change(&doc, 4, &fixed);
    let d = c.diagnostics(&doc, |d| has(d, "SL102"));
    let whole = act(
        &mut c,
        &doc,
        &fixed,
        &d,
        "SL102",
        "Ignore SL102 in this file",
    );
    assert!(
        whole.starts_with("# stowlint: ignore-file SL102 -- reason\n"),
        "{whole}"
    );
    c.change(&doc, 5, &whole);
    let d = c.diagnostics(&doc, |d| !has(d, "SL102"));
    assert!(!has(&d, "SL002"), "{d:#?}");
    c.shutdown();
}

#[test]
fn kubernetes_host_path_gets_read_only_in_its_volume_mount() {
    let dir = tempdir();
    // SL103 (whose quick fix this is) is opt-in.
    std::fs::write(
        dir.path().join("stowlint.toml"),
        "extend-select = [\"SL103\"]\n",
    )
    .expect("config");
    let doc = uri(&dir.path().join("app.yaml"));
    let mut c = Client::start(dir.path());
    let text = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  selector:\n    matchLabels: {app: agent}\n  template:\n    metadata:\n      labels: {app: agent}\n    spec:\n      containers:\n        - name: agent\n          image: example/agent:1.0\n          volumeMounts:\n            - name: data\n              mountPath: /data\n      volumes:\n        - name: data\n          hostPath:\n            path: /srv/agent\n";
    c.open(&doc, "yaml", text);
    let d = c.diagnostics(&doc, |d| has(d, "SL103"));
    let sl103 = d.iter().find(|d| d["code"] == "SL103").expect("SL103");
    // The finding points at the hostPath; the fix edits the volumeMount.
    assert_eq!(sl103["range"]["start"]["line"], 20);
    let fixed = act(&mut c, &doc, text, &d, "SL103", "Mount read-only");
    assert!(
        fixed.contains("              mountPath: /data\n              readOnly: true\n"),
        "{fixed}"
    );
    c.change(&doc, 2, &fixed);
    let d = c.diagnostics(&doc, |d| !has(d, "SL103"));
    assert!(!has(&d, "SL001"), "{d:#?}");
    c.shutdown();
}

#[test]
fn dockerfile_suppression_goes_on_the_line_above() {
    let dir = tempdir();
    let doc = uri(&dir.path().join("Dockerfile"));
    let mut c = Client::start(dir.path());
    let text = "FROM alpine:3.20\nVOLUME /data\n    RUN mkdir -p /data/cache\n";
    c.open(&doc, "dockerfile", text);
    let d = c.diagnostics(&doc, |d| has(d, "SL204"));
    let ignored = act(&mut c, &doc, text, &d, "SL204", "Ignore SL204 on this line");
    assert_eq!(
        ignored,
        "FROM alpine:3.20\nVOLUME /data\n    # stowlint: ignore SL204 -- reason\n    RUN mkdir -p /data/cache\n"
    );
    c.change(&doc, 2, &ignored);
    let d = c.diagnostics(&doc, |d| !has(d, "SL204"));
    assert!(d.is_empty(), "{d:#?}");
    c.shutdown();
}

#[test]
fn hover_shows_rule_docs() {
    let dir = tempdir();
    let doc = uri(&dir.path().join("compose.yaml"));
    let mut c = Client::start(dir.path());
    let text = "services:\n  ci:\n    image: docker:27\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n      - ./a:/a:ro  # stowlint: ignore host-path-autocreate -- fine\n";
    c.open(&doc, "yaml", text);
    c.diagnostics(&doc, |d| has(d, "SL102"));
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 4, "character": 12}}),
    );
    let value = r["result"]["contents"]["value"].as_str().expect("markdown");
    assert_eq!(r["result"]["contents"]["kind"], "markdown");
    assert!(
        value.contains("**SL102** `container-runtime-socket`"),
        "{value}"
    );
    assert!(value.contains("## Why is this bad?"), "{value}");

    let col = text
        .lines()
        .nth(5)
        .and_then(|l| l.find("autocreate"))
        .expect("col");
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 5, "character": col}}),
    );
    let value = r["result"]["contents"]["value"].as_str().expect("markdown");
    assert!(
        value.contains("**SL105** `host-path-autocreate`"),
        "{value}"
    );

    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": 0, "character": 2}}),
    );
    assert_eq!(r["result"], Value::Null);
    c.shutdown();
}

#[test]
fn bad_input_does_not_kill_the_server() {
    let dir = tempdir();
    let doc = uri(&dir.path().join("compose.yaml"));
    let mut c = Client::start(dir.path());

    c.raw(b"Content-Length: abc\r\n\r\n{\"jsonrpc\":\"2.0\"}");
    c.raw(b"Content-Length: 9\r\n\r\n{not json");
    let e = c.wait(|m| m["error"]["code"] == -32700);
    assert_eq!(e["id"], Value::Null);
    c.send(&json!({"jsonrpc": "2.0", "id": 99, "bogus": true}));
    let e = c.wait(|m| m["id"] == 99);
    assert_eq!(e["error"]["code"], -32600);
    let r = c.request("workspace/frobnicate", json!({}));
    assert_eq!(r["error"]["code"], -32601);
    c.notify("$/unknownNotification", json!({"x": 1}));
    c.notify("textDocument/didOpen", json!({"textDocument": 5}));
    let r = c.request("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(r["error"]["code"], -32602);

    // A document that cannot be parsed: SL001 with a position.
    c.open(&doc, "yaml", "services:\n  a: [1\n  b: {\n");
    let d = c.diagnostics(&doc, |d| has(d, "SL001"));
    assert!(d[0]["range"]["start"]["line"].as_u64().is_some());

    // Not a file: linted without neighbours, by language id.
    c.open("untitled:Untitled-1", "dockercompose", SOCKET);
    c.diagnostics("untitled:Untitled-1", |d| has(d, "SL102"));

    // Outside any workspace folder.
    let other = tempdir();
    let outside = uri(&other.path().join("docker-compose.yml"));
    c.open(&outside, "yaml", SOCKET);
    c.diagnostics(&outside, |d| has(d, "SL102"));

    // Closing clears.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": outside}}),
    );
    let d = c.diagnostics(&outside, |_| true);
    assert!(d.is_empty());
    c.shutdown();
}

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      containers:\n        - name: api\n          image: example/api:1.0\n          volumeMounts:\n            - {name: data, mountPath: /data}\n      volumes:\n        - name: data\n          persistentVolumeClaim: {claimName: api-data}\n";

fn claim(mode: &str) -> String {
    format!(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: api-data\nspec:\n  accessModes: [{mode}]\n  resources:\n    requests: {{storage: 1Gi}}\n"
    )
}

#[test]
fn claims_of_the_workspace_count_and_changes_refresh_other_documents() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.path().join("storage")).expect("mkdir");
    let pvc_path = dir.path().join("storage/pvc.yaml");
    std::fs::write(&pvc_path, claim("ReadWriteOnce")).expect("write");
    std::fs::create_dir_all(dir.path().join("apps")).expect("mkdir");
    let deploy = uri(&dir.path().join("apps/deploy.yaml"));
    let mut c = Client::start(dir.path());
    c.open(&deploy, "yaml", DEPLOYMENT);
    let d = c.diagnostics(&deploy, |d| has(d, "SL404"));
    let sl404 = d.iter().find(|d| d["code"] == "SL404").expect("SL404");
    let related = sl404["relatedInformation"].as_array().expect("related");
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"] == uri(&pvc_path).as_str()),
        "{related:#?}"
    );

    // The claim, opened and edited (not saved): the deployment is linted again.
    let pvc = uri(&pvc_path);
    c.open(&pvc, "yaml", &claim("ReadWriteOnce"));
    c.change(&pvc, 2, &claim("ReadWriteMany"));
    let d = c.diagnostics(&deploy, |d| !has(d, "SL404"));
    assert!(!has(&d, "SL405"), "{d:#?}");
    c.shutdown();
}

/// The editor resolves the nearest `stowlint.toml` as `stowlint check` does.
#[test]
fn the_nearest_configuration_applies_in_the_editor() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("stowlint.toml"),
        "ignore = [\"SL102\"]\n\n[severity]\nSL101 = \"info\"\n",
    )
    .unwrap();
    let path = dir.path().join("compose.yaml");
    let doc = uri(&path);
    let mut c = Client::start(dir.path());
    let text = "services:\n  ci:\n    image: docker:27\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n      - /etc:/host-etc\n";
    c.open(&doc, "yaml", text);
    let d = c.diagnostics(&doc, |d| has(d, "SL101"));
    assert!(!has(&d, "SL102"), "{d:#?}");
    let sl101 = d.iter().find(|d| d["code"] == "SL101").expect("SL101");
    assert_eq!(sl101["severity"], 3, "info: {sl101:#?}");
    c.shutdown();
}

/// A compose file whose services `extends` a base file: the editor reads the base (its open
/// text, else the file on disk) and reports what `stowlint check` reports.
#[test]
fn an_extending_compose_file_reads_its_base_in_the_editor() {
    let fixture = crate::common::root().join("fixtures/cross/compose-extends");
    let read = |name: &str| std::fs::read_to_string(fixture.join(name)).expect("fixture");
    let dir = tempdir();
    std::fs::write(dir.path().join("base.yml"), read("base.yml")).expect("write");
    let compose = uri(&dir.path().join("compose.yaml"));
    let mut c = Client::start(dir.path());
    c.open(&compose, "yaml", &read("compose.yaml"));
    // As `check` reports it: the service that adds no storage, at its `extends` key; no
    // unused `uploads` (the base's web service mounts it) and nothing about the base's socket.
    let d = c.diagnostics(&compose, |d| !d.is_empty());
    assert_eq!(codes(&d), ["SL202"], "{d:#?}");
    assert_eq!(d[0]["range"]["start"]["line"], 8);
    let related = d[0]["relatedInformation"].as_array().expect("related");
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"] == uri(&dir.path().join("base.yml")).as_str()),
        "{related:#?}"
    );
    c.shutdown();
}

#[test]
fn a_base_compose_file_reads_the_files_beside_it_that_extend_it_in_the_editor() {
    let fixture = crate::common::root().join("fixtures/cross/compose-extends");
    let read = |name: &str| std::fs::read_to_string(fixture.join(name)).expect("fixture");
    let dir = tempdir();
    std::fs::write(dir.path().join("compose.yaml"), read("compose.yaml")).expect("write");
    let base = uri(&dir.path().join("base.yml"));
    let mut c = Client::start(dir.path());
    c.open(&base, "yaml", &read("base.yml"));
    // As `check base.yml` reports it: compose.yaml declares `uploads` and gives `db` its
    // storage, so only the socket is left.
    let d = c.diagnostics(&base, |d| !d.is_empty());
    assert_eq!(codes(&d), ["SL102"], "{d:#?}");
    c.shutdown();
}

/// The editor reads the kustomization beside a document as a walk does: a resource whose
/// listed patch is not there gets info for what the patch may add, and a patch (a partial
/// object) gets no findings.
#[test]
fn the_kustomization_beside_a_document_applies_in_the_editor() {
    let fixture = crate::common::root().join("fixtures/cross/kustomize-missing-patch");
    let read = |name: &str| std::fs::read_to_string(fixture.join(name)).expect("fixture");
    let dir = tempdir();
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        format!("{}  - path: patch.yaml\n", read("kustomization.yaml")),
    )
    .expect("write");
    let patch_text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          volumeMounts:\n            - {name: data, mountPath: /data}\n";
    std::fs::write(dir.path().join("patch.yaml"), patch_text).expect("write");
    let mut c = Client::start(dir.path());
    let patch = uri(&dir.path().join("patch.yaml"));
    c.open(&patch, "yaml", patch_text);
    let d = c.diagnostics(&patch, |_| true);
    assert!(d.is_empty(), "{d:#?}");
    let wiki = uri(&dir.path().join("wiki.yaml"));
    c.open(&wiki, "yaml", &read("wiki.yaml"));
    let d = c.diagnostics(&wiki, |d| has(d, "SL501"));
    let sl501 = d.iter().find(|d| d["code"] == "SL501").expect("SL501");
    assert_eq!(sl501["severity"], 3, "info: {sl501:#?}");
    c.shutdown();
}

//! `cargo bench --bench lsp`: how long after a change the editor sees diagnostics.
//!
//! Spawns `stowlint server`, opens a ~2,000-line Kubernetes manifest in a workspace that also
//! holds claims (so the cross-file lookup runs), then sends changes one at a time and times
//! each from the `didChange` write to the `publishDiagnostics` for that version. The time
//! includes the server's debounce. Prints the median and the worst; the target is 50 ms.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn frame(msg: &Value) -> Vec<u8> {
    let body = msg.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn read(r: &mut impl BufRead) -> Option<Value> {
    let mut length = 0;
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
            length = v.parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// About 2,000 lines: Deployments with claims, host paths and emptyDirs.
fn manifest(edit: usize) -> String {
    let mut s = format!("# edit {edit}\n");
    let mut i = 0;
    while s.lines().count() < 2000 {
        s.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\n  namespace: shop\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {{app: app{i}}}\n  template:\n    metadata:\n      labels: {{app: app{i}}}\n    spec:\n      containers:\n        - name: app\n          image: postgres:17\n          volumeMounts:\n            - name: data\n              mountPath: /var/lib/postgresql/data\n            - name: host\n              mountPath: /host\n            - name: scratch\n              mountPath: /scratch\n      volumes:\n        - name: data\n          persistentVolumeClaim:\n            claimName: data-{i}\n        - name: host\n          hostPath:\n            path: /srv/app{i}\n        - name: scratch\n          emptyDir: {{}}\n"
        ));
        i += 1;
    }
    s
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let claims: String = (0..60)
        .map(|i| format!("---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data-{i}\n  namespace: shop\nspec:\n  accessModes: [ReadWriteOnce]\n"))
        .collect();
    std::fs::create_dir_all(dir.path().join("storage")).expect("mkdir");
    std::fs::write(dir.path().join("storage/claims.yaml"), claims).expect("write");
    let path = dir.path().join("apps.yaml");
    let uri = format!("file://{}", path.display());
    let root = format!("file://{}", dir.path().display());

    let mut child = Command::new(env!("CARGO_BIN_EXE_stowlint"))
        .arg("server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn stowlint server");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut send = |msg: Value| {
        stdin.write_all(&frame(&msg)).expect("write");
        stdin.flush().expect("flush");
    };
    send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"processId": null, "rootUri": root, "capabilities": {},
                           "workspaceFolders": [{"uri": root, "name": "bench"}]}}));
    while read(&mut stdout).is_some_and(|m| m["id"] != 1) {}
    send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));

    let text = manifest(0);
    let lines = text.lines().count();
    send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 0, "text": text}}}));
    let mut findings = 0;
    while let Some(m) = read(&mut stdout) {
        if m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 0 {
            findings = m["params"]["diagnostics"].as_array().map_or(0, Vec::len);
            break;
        }
    }

    let mut times: Vec<Duration> = Vec::new();
    for version in 1..=40 {
        let text = manifest(version);
        let start = Instant::now();
        send(json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
                    "params": {"textDocument": {"uri": uri, "version": version},
                               "contentChanges": [{"text": text}]}}));
        loop {
            let m = read(&mut stdout).expect("server alive");
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version
            {
                break;
            }
        }
        times.push(start.elapsed());
        // Like a typist pausing: each change is linted on its own.
        std::thread::sleep(Duration::from_millis(30));
    }
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    send(json!({"jsonrpc": "2.0", "method": "exit"}));
    let _ = child.wait();

    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "lsp: change -> diagnostics, {lines}-line manifest ({findings} findings), {} changes: \
         median {:.1} ms, worst {:.1} ms (includes the {} ms debounce; target 50 ms)",
        times.len(),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        stowlint::lsp::DEBOUNCE.as_millis(),
    );
}

//! The real binary, run in temporary folders. Until the parsers land, SL001 (YAML syntax
//! errors, duplicate keys, unreadable files) is the rule that fires, so these tests build on it.

use crate::common::{code, stderr, stdout, tree};

use std::fs;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

const CLEAN_COMPOSE: &str = "services:\n  web:\n    image: nginx:1.27\n";
/// A flow sequence never closed: the error is at the end of input, line 4 column 1.
const BROKEN_COMPOSE: &str = "services:\n  web:\n    image: [nginx\n";
const DUPLICATE_KEY: &str = "\
services:
  db:
    image: postgres:17
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata: {}
";

fn stowlint(dir: &Path, args: &[&str]) -> Output {
    stowlint_stdin(dir, args, None)
}

fn stowlint_stdin(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    crate::common::run(dir, args, stdin)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Files of the JSON report, in order.
fn files(report: &Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
        .iter()
        .map(|d| d["file"].as_str().expect("file is a string").to_string())
        .collect()
}

#[test]
fn clean_folder_exits_0() {
    let dir = tree(&[("compose.yaml", CLEAN_COMPOSE), ("README.md", "# hi\n")]);
    let out = stowlint(dir.path(), &["check"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "All checked: no findings in 1 file.\n");
    // stdout is a pipe here: the summary is repeated on stderr, where the user looks.
    assert_eq!(stderr(&out), "All checked: no findings in 1 file.\n");
}

#[test]
fn yaml_syntax_error_exits_1_with_sl001_at_the_error() {
    let dir = tree(&[("compose.yaml", BROKEN_COMPOSE)]);
    let out = stowlint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let report = json(&out);
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "SL001");
    assert_eq!(d["file"], "compose.yaml");
    // At the bracket left open.
    assert_eq!(d["span"]["start"]["line"], 3);
    assert_eq!(d["span"]["start"]["column"], 12);
    assert_eq!(d["span"]["offset"], BROKEN_COMPOSE.find('[').unwrap());
}

#[test]
fn json_report_shape() {
    let dir = tree(&[("compose.yaml", DUPLICATE_KEY), ("ok.yaml", CLEAN_COMPOSE)]);
    let out = stowlint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let report = json(&out);
    assert_eq!(report["version"], 1);
    assert_eq!(
        report["summary"],
        serde_json::json!({"files": 2, "errors": 1, "warnings": 0, "infos": 0})
    );
    let diagnostics = report["diagnostics"].as_array().expect("an array");
    assert_eq!(diagnostics.len(), 1);
    let d = &diagnostics[0];
    assert_eq!(d["code"], "SL001");
    assert_eq!(d["name"], "parse-error");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["url"], stowlint::output::docs::rule_url("SL001"));
    assert!(
        d["message"]
            .as_str()
            .expect("a message")
            .contains("duplicate key `image`")
    );
    assert!(d["help"].is_string());
    assert_eq!(d["file"], "compose.yaml");
    // The second `image` key, line 4, columns 5..10.
    let offset = DUPLICATE_KEY
        .find("image: postgres:16")
        .expect("in the fixture");
    assert_eq!(
        d["span"],
        serde_json::json!({
            "start": {"line": 4, "column": 5},
            "end": {"line": 4, "column": 10},
            "offset": offset,
            "length": 5
        })
    );
    assert_eq!(d["related"], serde_json::json!([]));
}

#[test]
fn concise_format_is_one_line_per_finding() {
    let dir = tree(&[("compose.yaml", DUPLICATE_KEY)]);
    let out = stowlint(dir.path(), &["check", "--format", "concise"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out),
        "compose.yaml:4:5: SL001 error: duplicate key `image` (first defined on line 3)\n"
    );
}

#[test]
fn human_format_snapshot() {
    let dir = tree(&[
        ("compose.yaml", DUPLICATE_KEY),
        (
            "k8s/broken.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: [x\n",
        ),
        (
            "k8s/ok.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
        ),
    ]);
    let out = stowlint(dir.path(), &["check"]);
    assert_eq!(code(&out), 1);
    insta::assert_snapshot!("human_duplicate_key", stdout(&out));
}

#[test]
fn no_color_flag_and_no_color_env_give_plain_text() {
    let dir = tree(&[("compose.yaml", DUPLICATE_KEY)]);
    let out = stowlint(dir.path(), &["check", "--no-color"]);
    assert!(!stdout(&out).contains('\x1b'));
}

#[test]
fn missing_path_exits_2_and_the_rest_is_still_linted() {
    let dir = tree(&[("compose.yaml", DUPLICATE_KEY)]);
    let out = stowlint(
        dir.path(),
        &["check", "--format", "concise", "nope", "compose.yaml"],
    );
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "stowlint: error: nope: No such file or directory\n"
    );
    assert!(stdout(&out).starts_with("compose.yaml:4:5: SL001"));
}

#[test]
fn gitignored_files_are_skipped_unless_named() {
    let dir = tree(&[
        (".gitignore", "generated/\nlocal.compose.yaml\n"),
        ("generated/compose.yaml", DUPLICATE_KEY),
        ("local.compose.yaml", DUPLICATE_KEY),
        (".ignore", "scratch.yaml\n"),
        ("scratch.yaml", "apiVersion: v1\nkind: Pod\nmetadata: [x\n"),
        ("compose.yaml", CLEAN_COMPOSE),
    ]);
    let out = stowlint(dir.path(), &["check"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));

    let out = stowlint(
        dir.path(),
        &["check", "--format", "json", ".", "local.compose.yaml"],
    );
    assert_eq!(code(&out), 1);
    assert_eq!(files(&json(&out)), ["local.compose.yaml"]);
}

#[test]
fn templates_and_ci_files_are_skipped_unless_named() {
    // A Go template that is no YAML until rendered, a cookiecutter folder, CI files.
    let template = "{{- range .Namespaces }}\n---\napiVersion: v1\nkind: Namespace\n\
                    metadata:\n  name: {{ . }}\n{{- end }}\n";
    let dir = tree(&[
        ("e2e/namespaces.yaml", template),
        ("{{ cookiecutter.slug }}/docker-compose.yml", BROKEN_COMPOSE),
        (".travis.yml", "language: [go\n"),
        ("ci/.drone.yml", "kind: [pipeline\n"),
        (
            "roles/db/templates/Dockerfile",
            "FROM {{ base_image }}\n{% if tls %}\nCOPY tls /etc/tls\n{% endif %}\n",
        ),
        // An `envsubst` template: `${LABELS}` becomes instructions when rendered.
        (
            "bundle/bundle.Dockerfile",
            "FROM scratch\n${LABELS}\nCOPY manifests /manifests/\n",
        ),
        // A format string a Go test fills in with `fmt.Sprintf`: `%s` starts no YAML value.
        (
            "test/e2e/testdata/pod-template.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  containers:\n    \
             - {name: app, image: example/app:1}\n",
        ),
        // An `envsubst` template: a script puts a certificate where `$CA_CERT` stands.
        (
            "test/bats/provider-class.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: provider\ndata:\n  \
             ca: |\n$CA_CERT\n  url: https://vault\n",
        ),
        // A placeholder in capitals the reader fills in: `{REGISTRY}` starts a flow mapping.
        (
            "examples/spark-pi.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: spark-pi\nspec:\n  containers:\n    \
             - name: spark\n      image: {IMAGE_REGISTRY}/apache/spark:3.5.3\n",
        ),
        // A lower-case placeholder glued to text (`{username}/serve`): no flow mapping is.
        (
            "docs/samples/serve.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: serve\nspec:\n  containers:\n    \
             - name: serve\n      image: {username}/serve:latest\n",
        ),
        // A Groovy template: each branch of `<% ... %>` writes `image` once.
        (
            "template/docker-compose.yml",
            "services:\n  db:\n    <% if (db == 'mysql') print '''image: mysql:8.4\n    \
             volumes: [m:/var/lib/mysql]'''\n    else print '''image: postgres:16\n    \
             volumes: [p:/var/lib/postgresql/data]''' %>\n    image: x\n",
        ),
        // A documentation excerpt: an indented `...` stands for the fields it leaves out.
        (
            "docs/snippets/connect.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: connect\nspec:\n  \
             template:\n    spec:\n      containers:\n        - name: api\n          \
             image: example/api:1\n        ...\n        - name: sync\n          \
             image: example/sync:1\n",
        ),
        // A test runner's assertion: a partial object (a container without its name, a
        // JMESPath check where the list of volumes belongs), never applied.
        (
            "tests/e2e/extension/00-assert-collector.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: collector\nspec:\n  \
             template:\n    spec:\n      containers:\n        - ports: [{containerPort: 4317}]\n      \
             volumes:\n        (length([?name == 'cfg']) > `0`): true\n",
        ),
        // A ytt template: `#@` annotations compute the values YAML reads as nulls.
        (
            "k8s/ytt/app.yaml",
            "#@ load(\"@ytt:data\", \"data\")\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  \
             name: web\nspec:\n  containers:\n    - name: #@ data.values.name\n      \
             image: #@ data.values.image\n",
        ),
        // A `{{ NAME }}` placeholder YAML happens to read (a mapping used as a key).
        (
            "staging/pod-template.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: demo\nspec:\n  containers:\n    \
             - name: {{ POD_NAME }}\n      image: nginx:1.27\n",
        ),
        // An `@NAME@` placeholder a test fills in: YAML stops at the `@`.
        (
            "tests/data/cluster.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: @name@\ndata:\n  a: b\n",
        ),
        // A fragment a build script appends to the Dockerfile: no `FROM` of its own.
        (
            "preview/Dockerfile.append",
            "# appended by the preview build\nCOPY preview.js /app/preview.js\n",
        ),
        ("compose.yaml", CLEAN_COMPOSE),
    ]);
    let out = stowlint(dir.path(), &["check"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));

    // Named on the command line, a template that cannot be read is still reported.
    for named in [
        "examples/spark-pi.yaml",
        "docs/samples/serve.yaml",
        "tests/e2e/extension/00-assert-collector.yaml",
        "preview/Dockerfile.append",
        "k8s/ytt/app.yaml",
        "staging/pod-template.yaml",
    ] {
        let out = stowlint(dir.path(), &["check", "--format", "json", named]);
        assert_eq!(code(&out), 1, "{named}: {}", stdout(&out));
    }
    let out = stowlint(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "test/e2e/testdata/pod-template.yaml",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let out = stowlint(
        dir.path(),
        &["check", "--format", "json", "e2e/namespaces.yaml"],
    );
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert_eq!(files(&json(&out)), ["e2e/namespaces.yaml"]);
    let out = stowlint(
        dir.path(),
        &["check", "--format", "json", "roles/db/templates/Dockerfile"],
    );
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let out = stowlint(
        dir.path(),
        &["check", "--format", "json", "bundle/bundle.Dockerfile"],
    );
    assert_eq!(code(&out), 1, "{}", stdout(&out));
}

#[test]
fn a_template_yaml_reads_is_linted_as_written() {
    // ytt computes the name YAML reads as null: no SL001 for it, but the Redis with nothing
    // over its data is still reported.
    let dir = tree(&[(
        "ytt/app.yaml",
        "#@ load(\"@ytt:data\", \"data\")\n---\napiVersion: apps/v1\nkind: Deployment\n\
         metadata:\n  name: cache\nspec:\n  selector:\n    matchLabels: {app: cache}\n  \
         template:\n    metadata:\n      labels: {app: cache}\n    spec:\n      containers:\n\
         \x20       - name: #@ data.values.name\n          image: redis:7.4\n",
    )]);
    let out = stowlint(dir.path(), &["check", "--format", "concise"]);
    let text = stdout(&out);
    assert!(text.contains("SL201"), "{text}");
    assert!(!text.contains("SL001"), "{text}");
}

#[test]
fn a_bake_file_means_buildkit() {
    // `RUN` after `VOLUME` loses its changes with the classic builder only; a project that
    // builds with `docker buildx bake` builds with BuildKit.
    let dockerfile = "FROM debian:bookworm-slim\nVOLUME /var/lib/app\n\
                      RUN mkdir -p /var/lib/app/cache\n";
    let dir = tree(&[
        (
            "docker-bake.hcl",
            "target \"default\" {\n  dockerfile = \"debian/Dockerfile\"\n}\n",
        ),
        ("debian/Dockerfile", dockerfile),
        ("other/Dockerfile", dockerfile),
    ]);
    let out = stowlint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let dir = tree(&[("debian/Dockerfile", dockerfile)]);
    let out = stowlint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
}

#[test]
fn git_info_exclude_is_honoured() {
    let dir = tree(&[
        (".git/info/exclude", "mine.compose.yaml\n"),
        ("mine.compose.yaml", DUPLICATE_KEY),
    ]);
    let out = stowlint(dir.path(), &["check"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn exclude_globs() {
    let dir = tree(&[
        ("fixtures/bad/compose.yaml", DUPLICATE_KEY),
        ("old.bak.yaml", "apiVersion: v1\nkind: Pod\nmetadata: [x\n"),
        ("deploy/compose.yaml", DUPLICATE_KEY),
    ]);
    let out = stowlint(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--exclude",
            "fixtures/**",
            "--exclude",
            "*.bak.yaml",
        ],
    );
    assert_eq!(files(&json(&out)), ["deploy/compose.yaml"]);

    // Named on the command line: linted even though excluded.
    let out = stowlint(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--exclude",
            "*.bak.yaml",
            "old.bak.yaml",
        ],
    );
    assert_eq!(files(&json(&out)), ["old.bak.yaml"]);

    let out = stowlint(dir.path(), &["check", "--exclude", "[oops"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("invalid --exclude glob"));
}

#[test]
fn vendored_and_tool_folders_are_skipped_hidden_folders_are_not() {
    let dir = tree(&[
        ("node_modules/pkg/compose.yaml", DUPLICATE_KEY),
        ("target/compose.yaml", DUPLICATE_KEY),
        ("vendor/compose.yaml", DUPLICATE_KEY),
        (".git/compose.yaml", DUPLICATE_KEY),
        (".devcontainer/compose.yaml", DUPLICATE_KEY),
    ]);
    let out = stowlint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(files(&json(&out)), [".devcontainer/compose.yaml"]);
}

#[test]
fn output_is_sorted_and_files_named_twice_are_linted_once() {
    let dir = tree(&[
        ("b/compose.yaml", DUPLICATE_KEY),
        ("a/compose.yaml", DUPLICATE_KEY),
        ("a-b/compose.yaml", DUPLICATE_KEY),
    ]);
    let out = stowlint(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "b",
            ".",
            "./a/compose.yaml",
            "a/compose.yaml",
        ],
    );
    let report = json(&out);
    assert_eq!(
        files(&report),
        ["a/compose.yaml", "a-b/compose.yaml", "b/compose.yaml"]
    );
    assert_eq!(report["summary"]["files"], 3);
}

#[test]
fn absolute_paths_under_the_working_folder_are_shown_relative() {
    let dir = tree(&[("sub/compose.yaml", DUPLICATE_KEY)]);
    let abs = dir.path().join("sub");
    let abs = abs.to_str().expect("a UTF-8 temp path");
    let out = stowlint(dir.path(), &["check", "--format", "concise", abs]);
    assert!(
        stdout(&out).starts_with("sub/compose.yaml:4:5:"),
        "{}",
        stdout(&out)
    );
}

#[cfg(unix)]
#[test]
fn symlinks_neither_loop_nor_escape_the_tree() {
    use std::os::unix::fs::symlink;

    let outside = tree(&[("compose.yaml", DUPLICATE_KEY)]);
    let dir = tree(&[("app/compose.yaml", CLEAN_COMPOSE)]);
    symlink(dir.path(), dir.path().join("app/loop")).expect("a link");
    symlink(outside.path(), dir.path().join("escape")).expect("a link");
    symlink(
        outside.path().join("compose.yaml"),
        dir.path().join("escape.compose.yaml"),
    )
    .expect("a link");
    let out = stowlint(dir.path(), &["check"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&out), "All checked: no findings in 1 file.\n");
    assert_eq!(stderr(&out), "All checked: no findings in 1 file.\n");
}

#[cfg(unix)]
#[test]
fn links_inside_the_tree_are_followed_once() {
    use std::os::unix::fs::symlink;

    let dir = tree(&[("real/compose.yaml", DUPLICATE_KEY)]);
    symlink(dir.path().join("real"), dir.path().join("alias")).expect("a link");
    let out = stowlint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(files(&json(&out)), ["real/compose.yaml"]);
}

#[cfg(unix)]
#[test]
fn dangling_links_warn_but_do_not_fail() {
    use std::os::unix::fs::symlink;

    let dir = tree(&[("compose.yaml", CLEAN_COMPOSE)]);
    symlink(dir.path().join("gone"), dir.path().join("dangling.yaml")).expect("a link");
    let out = stowlint(dir.path(), &["check"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "stowlint: warning: dangling.yaml: broken symbolic link\n\
         All checked: no findings in 1 file.\n"
    );
}

#[test]
fn invalid_utf8_is_sl001() {
    let dir = tree(&[]);
    fs::write(
        dir.path().join("compose.yaml"),
        b"services:\n  web:\n    image: ngi\xffnx\n",
    )
    .expect("a file");
    let out = stowlint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let d = &json(&out)["diagnostics"][0];
    assert_eq!(d["code"], "SL001");
    assert_eq!(d["file"], "compose.yaml");
    assert!(d["message"].as_str().expect("a message").contains("UTF-8"));
    assert_eq!(d["span"]["start"]["line"], 3);
    assert_eq!(d["span"]["start"]["column"], 15);
}

#[test]
fn huge_files_are_sl001_without_being_read() {
    let dir = tree(&[]);
    let file = fs::File::create(dir.path().join("compose.yaml")).expect("a file");
    // Sparse: costs no disk.
    file.set_len(17 * 1024 * 1024).expect("a size");
    let out = stowlint(dir.path(), &["check", "--format", "concise"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out),
        "compose.yaml:1:1: SL001 error: file too large (17825792 bytes > 10 MB); not read (raise \
         `max-file-size` to lint it)\n"
    );
}

#[test]
fn stdin_is_read_as_yaml_or_as_named() {
    let dir = tree(&[]);
    // A key written twice in a manifest: kubectl applies it with the last value, and so it
    // is read (SL001 as info).
    let manifest = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\nspec:\n  \
        containers:\n    - name: db\n      image: postgres:17\n";
    let out = stowlint_stdin(
        dir.path(),
        &["check", "--format", "concise", "-"],
        Some(manifest),
    );
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "<stdin>:5:3: SL001 info: duplicate key `name` (first defined on line 4)"
    );
    assert!(
        lines[1].starts_with("<stdin>:9:14: SL201 error: Pod/b container db keeps"),
        "{}",
        stdout(&out)
    );

    let out = stowlint_stdin(
        dir.path(),
        &[
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "compose.yaml",
            "-",
        ],
        Some(BROKEN_COMPOSE.as_bytes()),
    );
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).starts_with("compose.yaml:3:12: SL001"));

    // App config that is neither compose nor Kubernetes: nothing to lint, and it says so.
    let out = stowlint_stdin(dir.path(), &["check", "-"], Some(b"log_level: debug\n"));
    assert_eq!(code(&out), 0);
    assert!(
        stdout(&out).starts_with("Nothing linted"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("<stdin>: not linted"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn rules_lists_the_catalog() {
    let dir = tree(&[]);
    let out = stowlint(dir.path(), &["rules"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    let first = text.lines().next().expect("a line");
    let words: Vec<&str> = first.split_whitespace().take(3).collect();
    assert_eq!(words, ["SL001", "parse-error", "error"], "{first}");
    assert!(first.contains("dockerfile, compose, kubernetes"));

    let out = stowlint(dir.path(), &["rules", "--format", "json"]);
    let catalog = json(&out);
    assert_eq!(catalog["version"], stowlint::output::json::VERSION);
    let rules = catalog["rules"].as_array().expect("an array");
    let codes: Vec<&str> = rules.iter().filter_map(|r| r["code"].as_str()).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    assert_eq!(codes, sorted);
    assert_eq!(rules[0]["name"], "parse-error");
    assert_eq!(rules[0]["severity"], "error");
    assert!(rules[0]["summary"].is_string());
    assert_eq!(
        rules[0]["url"],
        stowlint::output::docs::rule_url("SL001"),
        "every rule links to its page"
    );
}

#[test]
fn explain_shows_the_docs() {
    let dir = tree(&[]);
    let out = stowlint(dir.path(), &["explain", "SL001"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(text.starts_with(
        "SL001 (parse-error) — error\nFormats: dockerfile, compose, kubernetes, quadlet, \
             devcontainer, github-actions\n"
    ));
    assert!(text.contains("## Why is this bad?"));

    let by_name = stowlint(dir.path(), &["explain", "parse-error"]);
    assert_eq!(stdout(&by_name), text);
}

#[test]
fn explain_unknown_rule_exits_2() {
    let dir = tree(&[]);
    let out = stowlint(dir.path(), &["explain", "SL999"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("unknown rule `SL999`"));
    assert!(stderr(&out).contains("stowlint rules"));
}

#[test]
fn usage_errors_exit_2_help_and_version_exit_0() {
    let dir = tree(&[]);
    assert_eq!(
        code(&stowlint(dir.path(), &["check", "--format", "xml"])),
        2
    );
    assert_eq!(code(&stowlint(dir.path(), &["frobnicate"])), 2);
    let help = stowlint(dir.path(), &["--help"]);
    assert_eq!(code(&help), 0);
    assert!(stdout(&help).contains("explain"));
    let version = stowlint(dir.path(), &["--version"]);
    assert_eq!(code(&version), 0);
    assert_eq!(
        stdout(&version),
        format!("stowlint {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// The benchmark's floors (`bench/run.sh`): `--parse-only` builds the model, `--parse-only=
/// syntax` only reads events and instructions; both walk the same files, skip the same
/// others, report nothing and pass.
#[test]
fn parse_only_floors_read_the_same_files() {
    let dir = tree(&[
        ("compose.yaml", "services:\n  db:\n    image: postgres:17\n"),
        (
            "k8s/pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
        ),
        ("app/Dockerfile", "FROM debian:12\nVOLUME /data\n"),
        ("notes.txt", "not ours\n"),
    ]);
    for flag in ["--parse-only", "--parse-only=model", "--parse-only=syntax"] {
        let (code, out, err) = crate::common::run_text(dir.path(), &["check", flag, "."]);
        assert_eq!((code, out.as_str()), (0, ""), "{flag}: {err}");
        assert_eq!(err, "parsed 3 files\n", "{flag}");
    }
}

#[test]
fn host_formats_are_found_in_a_walk_and_look_alikes_are_not() {
    // Quadlet units, a dev container and a workflow with a job container are linted; a Perl
    // `.pod`, a binary `.volume`, a unit template and a workflow without containers are not.
    let dir = tree(&[
        (
            "quadlets/proxy.container",
            "[Container]\nImage=docker.io/library/traefik:v3\nVolume=%t/podman/podman.sock:/var/run/docker.sock\n",
        ),
        ("quadlets/data.volume", "[Volume]\nVolumeName=data\n"),
        (
            "quadlets/tmpl.container",
            "[Container]\n{{#if gpu}}\nAddDevice=/dev/dri\n{{/if}}\nImage=x\n",
        ),
        ("lib/Notes.pod", "=head1 NAME\n\nNotes - documentation\n"),
        (
            ".devcontainer/devcontainer.json",
            "{\n  // docker outside of docker\n  \"image\": \"mcr.microsoft.com/devcontainers/base\",\n  \"mounts\": [\"source=/var/run/docker.sock,target=/var/run/docker-host.sock,type=bind\"],\n}\n",
        ),
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    container:\n      image: docker:27\n      volumes: [\"/var/run/docker.sock:/var/run/docker.sock\"]\n",
        ),
        (
            ".github/workflows/lint.yml",
            "on: push\njobs:\n  l:\n    runs-on: ubuntu-latest\n    steps: [{run: make lint}]\n",
        ),
    ]);
    fs::write(
        dir.path().join("quadlets/disk.volume"),
        [0xff_u8, 0xfe, 0x00, 0x80],
    )
    .expect("binary");
    let out = stowlint(dir.path(), &["check", "--format", "json", "."]);
    let report = json(&out);
    assert_eq!(report["summary"]["files"], 4, "{report}");
    let mut found: Vec<(String, String, String)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_string(),
                d["code"].as_str().unwrap_or_default().to_string(),
                d["severity"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    found.sort();
    let expected = [
        (".devcontainer/devcontainer.json", "SL102", "info"),
        (".github/workflows/ci.yml", "SL102", "info"),
        ("quadlets/proxy.container", "SL102", "error"),
    ]
    .map(|(f, c, s)| (f.to_string(), c.to_string(), s.to_string()));
    assert_eq!(found, expected);

    // Named on the command line, a look-alike says why it is not linted.
    let out = stowlint(dir.path(), &["check", "lib/Notes.pod"]);
    assert!(
        stderr(&out).contains("no `[Pod]` section: not a Podman Quadlet unit"),
        "{}",
        stderr(&out)
    );
}

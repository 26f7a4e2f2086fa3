//! Issue 12 §2 and §3 through the real binary: never green on nothing (Dockerfiles and named
//! files on standard input, files and folders that hold nothing to lint, missing paths), and
//! the workflows people already have (pre-commit's `--force-exclude`, kustomize patches and
//! `--render`, JUnit against the exit code, baselines across folders and tag bumps, `extend`,
//! the default rule set).

use std::fs;
use std::path::Path;

use crate::common::{code, run, run_text, stderr, stdout, tree};

const DOCKERFILE: &str = "# a comment\n\nFROM postgres:16\nVOLUME [/var/lib/postgresql/data]\n";
const SOCKET: &str = "services:\n  ci:\n    image: docker:27\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n";
const POD_JSON: &str = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
 "spec": {"containers": [{"name": "c", "image": "busybox",
   "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]}}
"#;

#[test]
fn a_dockerfile_on_standard_input_is_told_by_its_content() {
    let dir = tree(&[]);
    let out = run(
        dir.path(),
        &["check", "--format", "concise", "-"],
        Some(DOCKERFILE.as_bytes()),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("<stdin>:4:8: SL206"),
        "{}",
        stdout(&out)
    );
    // YAML stays YAML.
    let out = run(
        dir.path(),
        &["check", "--format", "concise", "-"],
        Some(SOCKET.as_bytes()),
    );
    assert!(
        stdout(&out).contains("<stdin>:5:9: SL102"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn stdin_filename_without_a_dash_reads_standard_input() {
    // The folder holds a finding that must not show: standard input is linted, not `.`.
    let dir = tree(&[("other/compose.yaml", SOCKET)]);
    let out = run(
        dir.path(),
        &[
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "compose.yaml",
        ],
        Some(SOCKET.as_bytes()),
    );
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out)
            .lines()
            .map(|l| l.split(':').next().unwrap_or(""))
            .collect::<Vec<_>>(),
        ["compose.yaml"]
    );
}

#[test]
fn named_files_that_are_not_linted_say_why() {
    let dir = tree(&[
        ("pod.json", POD_JSON),
        ("package.json", "{\"name\": \"x\"}\n"),
        ("app.yaml", "log_level: debug\n"),
        (".gitlab-ci.yml", "job:\n  script: [make]\n"),
        ("chart/Chart.yaml", "name: c\n"),
        ("chart/templates/deploy.yaml", "kind: {{ .Values.kind }}\n"),
        ("notes.txt", "hello\n"),
    ]);
    // A JSON manifest is linted like YAML, positions exact.
    let (code_, out, _) = run_text(dir.path(), &["check", "--format", "concise", "pod.json"]);
    assert_eq!(code_, 1);
    assert!(out.starts_with("pod.json:3:30: SL501"), "{out}");
    let (code_, out, err) = run_text(
        dir.path(),
        &[
            "check",
            "package.json",
            "app.yaml",
            ".gitlab-ci.yml",
            "chart/templates/deploy.yaml",
            "notes.txt",
        ],
    );
    assert_eq!(code_, 0);
    assert!(!out.contains("All checked"), "{out}");
    assert!(out.starts_with("Nothing linted"), "{out}");
    for (file, why) in [
        ("package.json", "JSON without `apiVersion` and `kind`"),
        ("app.yaml", "neither a compose file"),
        (".gitlab-ci.yml", "a CI configuration"),
        ("chart/templates/deploy.yaml", "helm template"),
        ("notes.txt", "the name says neither"),
    ] {
        assert!(
            err.contains(&format!("warning: {file}: not linted: ")) && err.contains(why),
            "{file}: {err}"
        );
    }
}

#[test]
fn empty_folders_and_helm_charts_warn_that_nothing_was_linted() {
    let dir = tree(&[
        ("empty/README.md", "nothing here\n"),
        ("chart/Chart.yaml", "name: c\n"),
        ("chart/templates/deploy.yaml", "kind: {{ .Values.kind }}\n"),
    ]);
    let (code_, out, err) = run_text(dir.path(), &["check", "empty", "chart"]);
    assert_eq!(code_, 0);
    assert!(out.starts_with("Nothing linted"), "{out}");
    assert!(err.contains("warning: empty: nothing was linted"), "{err}");
    assert!(
        err.contains("warning: chart: nothing was linted: a Helm chart")
            && err.contains("`helm template chart | stowlint check -`"),
        "{err}"
    );
}

#[test]
fn a_missing_path_never_reads_all_checked() {
    let dir = tree(&[("compose.yaml", "services:\n  a:\n    image: nginx\n")]);
    let (code_, out, err) = run_text(dir.path(), &["check", "compose.yaml", "does-not-exist"]);
    assert_eq!(code_, 2);
    assert!(
        err.contains("does-not-exist: No such file or directory"),
        "{err}"
    );
    assert!(
        !out.contains("All checked") && !err.contains("All checked"),
        "{out}{err}"
    );
    assert!(
        out.starts_with("Run failed: 1 path could not be read") && out.contains("in 1 file linted"),
        "{out}"
    );
}

#[test]
fn force_exclude_applies_the_configuration_to_named_files() {
    let dir = tree(&[
        ("stowlint.toml", "exclude = [\"fixtures/**\"]\n"),
        ("fixtures/compose.yaml", SOCKET),
        ("compose.yaml", SOCKET),
    ]);
    let named = ["fixtures/compose.yaml", "compose.yaml"];
    let args = |extra: &[&'static str]| {
        let mut a = vec!["check", "--format", "concise"];
        a.extend_from_slice(extra);
        a.extend_from_slice(&named);
        a
    };
    let (_, out, _) = run_text(dir.path(), &args(&[]));
    assert!(
        out.contains("fixtures/compose.yaml"),
        "named files are linted: {out}"
    );
    let (code_, out, _) = run_text(dir.path(), &args(&["--force-exclude"]));
    assert_eq!(code_, 1);
    assert!(!out.contains("fixtures/"), "{out}");
    assert!(out.starts_with("compose.yaml:"), "{out}");
    // `--exclude` too, and the configuration key.
    let (_, out, _) = run_text(
        dir.path(),
        &args(&["--force-exclude", "--exclude", "compose.yaml"]),
    );
    assert!(!out.contains("SL102"), "{out}");
    fs::write(
        dir.path().join("stowlint.toml"),
        "exclude = [\"fixtures/**\"]\nforce-exclude = true\n",
    )
    .expect("write");
    let (_, out, _) = run_text(dir.path(), &args(&[]));
    assert!(!out.contains("fixtures/"), "{out}");
    // The hooks use it.
    let hooks =
        fs::read_to_string(crate::common::root().join(".pre-commit-hooks.yaml")).expect("hooks");
    assert_eq!(
        hooks
            .matches("entry: stowlint check --force-exclude")
            .count(),
        2
    );
}

const BASE_DEPLOY: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: app
          image: nginx:1.27
      volumes:
        - name: cache
          emptyDir: {}
";
const PATCH: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: app
          volumeMounts:
            - name: cache
              mountPath: /cache
";

fn kustomize_tree() -> tempfile::TempDir {
    tree(&[
        (
            "deploy/kustomization.yaml",
            "resources:\n  - deploy.yaml\npatches:\n  - path: patch.yaml\n",
        ),
        ("deploy/deploy.yaml", BASE_DEPLOY),
        ("deploy/patch.yaml", PATCH),
        (
            "legacy/kustomization.yml",
            "resources: [app.yaml]\npatchesStrategicMerge:\n  - patch.yaml\npatchesJson6902:\n  - target: {kind: Deployment, name: api}\n    path: ops.yaml\n",
        ),
        ("legacy/app.yaml", BASE_DEPLOY),
        ("legacy/patch.yaml", PATCH),
        // A patch one folder below the kustomization that lists it.
        (
            "nested/kustomization.yaml",
            "resources: [app.yaml]\npatches:\n  - path: patches/more.yaml\n",
        ),
        ("nested/app.yaml", BASE_DEPLOY),
        ("nested/patches/more.yaml", PATCH),
        (
            "legacy/ops.yaml",
            "- op: add\n  path: /spec/replicas\n  value: 2\n",
        ),
    ])
}

#[test]
fn kustomize_patches_are_not_linted_as_whole_objects() {
    let dir = kustomize_tree();
    let (_, out, err) = run_text(dir.path(), &["check", "--format", "concise", "."]);
    assert!(!out.contains("patch.yaml"), "{out}");
    assert!(!out.contains("more.yaml"), "{out}");
    assert!(!out.contains("SL501"), "{out}");
    // Walked from below the kustomization: its folder is outside the walk, and still read.
    let (_, out, _) = run_text(
        dir.path(),
        &["check", "--format", "concise", "nested/patches"],
    );
    assert!(!out.contains("SL501"), "{out}");
    // Named, a patch says why it is not linted.
    let (code_, out, err2) = run_text(
        dir.path(),
        &[
            "check",
            "--format",
            "concise",
            "deploy/patch.yaml",
            "legacy/ops.yaml",
        ],
    );
    assert_eq!(code_, 0, "{out}{err}");
    assert!(!out.contains("SL501"), "{out}");
    assert!(
        err2.contains(
            "deploy/patch.yaml: not linted: a kustomize patch named by `deploy/kustomization.yaml`"
        ),
        "{err2}"
    );
    assert!(
        err2.contains("legacy/ops.yaml: not linted: a kustomize patch"),
        "{err2}"
    );
}

fn kubectl() -> bool {
    let found = std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("STOWLINT_REQUIRE_CLIENTS").is_none(),
            "`kubectl` is not installed and STOWLINT_REQUIRE_CLIENTS is set"
        );
        eprintln!("skipped: `kubectl` is not installed (set STOWLINT_REQUIRE_CLIENTS=1 to fail)");
    }
    found
}

#[test]
fn render_lints_what_kubectl_kustomize_makes() {
    if !kubectl() {
        return;
    }
    let dir = kustomize_tree();
    let (_, out, err) = run_text(
        dir.path(),
        &[
            "check", "--render", "--select", "ALL", "--format", "concise", "deploy",
        ],
    );
    // The patch mounts the base's volume: rendered, the emptyDir is used (no SL502) and has no
    // size limit (SL303), reported against the rendered stream and the object's name.
    assert!(
        out.contains("deploy/kustomization.yaml (rendered):") && out.contains("SL303"),
        "{out}{err}"
    );
    assert!(out.contains("Deployment/api"), "{out}");
    assert!(
        !out.contains("SL502") && !out.contains("deploy/deploy.yaml"),
        "{out}"
    );
    // The configuration key does the same.
    fs::write(
        dir.path().join("stowlint.toml"),
        "render = true\nselect = [\"ALL\"]\n",
    )
    .expect("write");
    let (_, out2, _) = run_text(dir.path(), &["check", "--format", "concise", "deploy"]);
    assert_eq!(out, out2);
    // Never on files outside the linted tree: an overlay of a base outside `deploy/`.
    let dir = tree(&[
        ("base/kustomization.yaml", "resources: [deploy.yaml]\n"),
        ("base/deploy.yaml", BASE_DEPLOY),
        ("overlay/kustomization.yaml", "resources: [../base]\n"),
    ]);
    let (_, _, err) = run_text(dir.path(), &["check", "--render", "overlay"]);
    assert!(
        err.contains("overlay: not rendered (`../base` named in overlay/kustomization.yaml lies outside the linted tree)"),
        "{err}"
    );
    let (_, out, err) = run_text(
        dir.path(),
        &["check", "--render", "--format", "concise", "."],
    );
    assert!(
        out.contains("overlay/kustomization.yaml (rendered)"),
        "{out}{err}"
    );
}

#[test]
fn junit_failures_agree_with_the_exit_code() {
    let dir = tree(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ./site:/srv\n",
    )]);
    // Infos only: a green run shows no failed test.
    let (code_, out, _) = run_text(
        dir.path(),
        &["check", "--select", "ALL", "--format", "junit"],
    );
    assert_eq!(code_, 0);
    assert!(out.contains("tests=\"1\" failures=\"0\""), "{out}");
    assert!(!out.contains("<failure"), "{out}");
    assert!(
        out.contains("<system-out>") && out.contains("SL103"),
        "{out}"
    );
    // With `fail-on = info` they fail, and the report says so.
    let (code_, out, _) = run_text(
        dir.path(),
        &[
            "check",
            "--select",
            "ALL",
            "--fail-on",
            "info",
            "--format",
            "junit",
        ],
    );
    assert_eq!(code_, 1);
    let failures = out.matches("<failure ").count();
    assert!(failures > 0);
    assert!(out.contains(&format!("failures=\"{failures}\"")), "{out}");
}

#[test]
fn baselines_match_from_any_folder_and_across_tag_bumps() {
    let compose = |tag: &str| {
        format!(
            "services:\n  db:\n    image: postgres:{tag}\n  ci:\n    image: docker:27\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n"
        )
    };
    let dir = tree(&[("app/compose.yaml", &compose("16.3"))]);
    let d = dir.path();
    let (code_, _, err) = run_text(d, &["check", "--write-baseline", ".stowlint-baseline.json"]);
    assert_eq!(code_, 0, "{err}");
    let text = fs::read_to_string(d.join(".stowlint-baseline.json")).expect("baseline");
    assert!(
        text.contains("\"version\": 2") && text.contains("\"app/compose.yaml\""),
        "{text}"
    );
    // Renovate bumps the tag: nothing new.
    fs::write(d.join("app/compose.yaml"), compose("16.4")).expect("write");
    let (code_, out, err) = run_text(d, &["check", "--baseline", ".stowlint-baseline.json"]);
    assert_eq!(code_, 0, "{out}{err}");
    assert!(err.contains("2 findings hidden by the baseline"), "{err}");
    // From a subfolder, the baseline's folder decides the paths.
    let (code_, out, err) = run_text(
        &d.join("app"),
        &["check", "--baseline", "../.stowlint-baseline.json", "."],
    );
    assert_eq!(code_, 0, "{out}{err}");
    // A fixed finding leaves a stale entry, and the run says how to re-record.
    fs::write(
        d.join("app/compose.yaml"),
        "services:\n  db:\n    image: postgres:16.4\n",
    )
    .expect("write");
    let (_, _, err) = run_text(d, &["check", "--baseline", ".stowlint-baseline.json"]);
    assert!(
        err.contains("1 entry of the baseline no longer found") && err.contains("--write-baseline"),
        "{err}"
    );
}

#[test]
fn version_1_baselines_are_still_read() {
    let dir = tree(&[("compose.yaml", SOCKET)]);
    let d = dir.path();
    // A version-1 baseline recorded the same finding with the working-folder path.
    let (_, out, _) = run_text(d, &["check", "--format", "json"]);
    assert!(out.contains("SL102"));
    run_text(d, &["check", "--write-baseline", "b.json"]);
    let v2 = fs::read_to_string(d.join("b.json")).expect("baseline");
    let fingerprint = v1_fingerprint(d);
    let v1 = v2
        .replace("\"version\": 2", "\"version\": 1")
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("\"fingerprint\"") {
                format!("      \"fingerprint\": \"{fingerprint}\",")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(d.join("b1.json"), v1).expect("write");
    let (code_, out, err) = run_text(d, &["check", "--baseline", "b1.json"]);
    assert_eq!(code_, 0, "{out}{err}");
    assert!(err.contains("the baseline is version 1"), "{err}");
}

/// The SARIF `stowlint/v1` fingerprint is the version-1 baseline fingerprint.
fn v1_fingerprint(dir: &Path) -> String {
    let (_, out, _) = run_text(dir, &["check", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&out).expect("SARIF");
    sarif["runs"][0]["results"][0]["partialFingerprints"]["stowlint/v1"]
        .as_str()
        .expect("a fingerprint")
        .to_string()
}

#[test]
fn extend_inherits_and_overrides_key_by_key() {
    let bind = "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ./site:/srv\n      - /var/run/docker.sock:/var/run/docker.sock\n";
    let dir = tree(&[
        (
            "stowlint.toml",
            "extend-select = [\"SL103\", \"SL105\"]\nfail-on = \"error\"\nexclude = [\"skip/**\"]\n",
        ),
        ("skip/compose.yaml", bind),
        (
            "svc/stowlint.toml",
            "extend = \"../stowlint.toml\"\nignore = [\"SL105\"]\n",
        ),
        ("svc/compose.yaml", bind),
        ("svc/skip/compose.yaml", bind),
        ("plain/stowlint.toml", "ignore = [\"SL105\"]\n"),
        ("plain/compose.yaml", bind),
    ]);
    let (_, out, err) = run_text(dir.path(), &["check", "--format", "concise", "."]);
    let codes = |file: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.starts_with(file))
            .map(|l| {
                l.split(": ")
                    .nth(1)
                    .unwrap_or("")
                    .split(' ')
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    };
    // Extending: the base's extend-select, then this file's ignore.
    assert_eq!(codes("svc/compose.yaml"), ["SL103", "SL102"], "{out}{err}");
    // Without `extend`, a nested file replaces the root one: defaults again.
    assert_eq!(codes("plain/compose.yaml"), ["SL102"], "{out}");
    // The base's globs stay relative to the base's folder.
    assert!(
        !out.lines().any(|l| l.starts_with("skip/")),
        "the base's exclude applies in its folder: {out}"
    );
    assert!(out.contains("svc/skip/compose.yaml"), "{out}");
    let cycle = tree(&[
        ("stowlint.toml", "extend = \"a/stowlint.toml\"\n"),
        (
            "a/stowlint.toml",
            "select = [\"ALL\"]\nextend = \"../stowlint.toml\"\n",
        ),
        ("a/compose.yaml", bind),
    ]);
    let (code_, _, err) = run_text(cycle.path(), &["check", "."]);
    assert_eq!(code_, 2);
    assert!(err.contains("`extend` makes a cycle"), "{err}");
    assert!(
        err.contains("a/stowlint.toml:2:10:") || err.contains("stowlint.toml:1:10:"),
        "{err}"
    );
}

#[test]
fn hygiene_rules_are_opt_in() {
    let dir = tree(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ./site:/srv\n",
    )]);
    let (code_, out, _) = run_text(dir.path(), &["check", "--format", "concise"]);
    assert_eq!((code_, out.as_str()), (0, ""));
    let (_, out, _) = run_text(
        dir.path(),
        &["check", "--format", "concise", "--select", "ALL"],
    );
    assert!(out.contains("SL103") && out.contains("SL105"), "{out}");
    let (_, out, _) = run_text(
        dir.path(),
        &["check", "--format", "concise", "--extend-select", "SL105"],
    );
    assert!(!out.contains("SL103") && out.contains("SL105"), "{out}");
    let (_, rules, _) = run_text(dir.path(), &["rules"]);
    let line = rules
        .lines()
        .find(|l| l.starts_with("SL103"))
        .expect("SL103");
    assert!(line.contains("opt-in"), "{line}");
    let line = rules
        .lines()
        .find(|l| l.starts_with("SL102"))
        .expect("SL102");
    assert!(line.contains(" on "), "{line}");
    let (_, json, _) = run_text(dir.path(), &["rules", "--format", "json"]);
    assert!(json.contains("\"default\": false") && json.contains("\"default\": true"));
}

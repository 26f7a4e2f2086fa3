//! Configuration files and the options that go with them, through the real binary.

use crate::common::{code, stderr, stdout, tree};

use std::fs;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

/// SL102 (error) on the socket, which beats SL101, SL103 and SL105 on that mount; SL103 and
/// SL105 (info) on `./data`.
const SOCKET: &str = "\
services:
  ci:
    image: jenkins/inbound-agent
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
      - ./data:/data
";

/// SL103 and SL105 (info) only.
const BIND: &str = "\
services:
  web:
    image: nginx:1.27
    volumes:
      - ./site:/usr/share/nginx/html
";

fn stowlint(dir: &Path, args: &[&str]) -> Output {
    crate::common::run(dir, args, None)
}

/// `(file, code, severity)` of each finding, from `--format json`.
fn findings(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String, String)>) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = stowlint(dir, &all);
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON on stdout ({e}): {}{}", stdout(&out), stderr(&out)));
    let rows = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().expect("a string").to_string();
            (s("file"), s("code"), s("severity"))
        })
        .collect();
    (code(&out), rows)
}

fn codes(rows: &[(String, String, String)]) -> Vec<&str> {
    rows.iter().map(|(_, c, _)| c.as_str()).collect()
}

#[test]
fn without_configuration() {
    let dir = tree(&[("compose.yaml", SOCKET)]);
    let (code, rows) = findings(dir.path(), &[]);
    assert_eq!(code, 1);
    // SL103 and SL105 are opt-in.
    assert_eq!(codes(&rows), ["SL102"]);
    let (_, rows) = findings(dir.path(), &["--select", "ALL"]);
    assert_eq!(codes(&rows), ["SL102", "SL103", "SL105"]);
}

#[test]
fn ignoring_a_rule_ignores_that_rule_only() {
    // The socket is SL102's: with SL102 ignored it stays claimed, and neither SL101 (its folder
    // is a system location) nor SL103 (a writable bind) reports it instead.
    let dir = tree(&[
        ("compose.yaml", SOCKET),
        (
            "stowlint.toml",
            "select = [\"ALL\"]\nignore = [\"container-runtime-socket\", \"SL105\"]\n",
        ),
    ]);
    let (_, rows) = findings(dir.path(), &[]);
    assert_eq!(codes(&rows), ["SL103"], "only `./data`");
    let dir = tree(&[("compose.yaml", SOCKET)]);
    let (_, rows) = findings(dir.path(), &["--select", "ALL", "--ignore", "SL102,SL105"]);
    assert_eq!(codes(&rows), ["SL103"], "only `./data`");
    let (_, rows) = findings(
        dir.path(),
        &["--select", "ALL", "--ignore", "SL102,SL101,SL105"],
    );
    assert_eq!(codes(&rows), ["SL103"], "the losers' losers stay quiet too");
    let dir = tree(&[
        ("compose.yaml", SOCKET),
        (
            "stowlint.toml",
            "select = [\"ALL\"]\n[per-path-ignores]\n\"compose.yaml\" = [\"SL102\", \"SL105\"]\n",
        ),
    ]);
    let (_, rows) = findings(dir.path(), &[]);
    assert_eq!(codes(&rows), ["SL103"], "only `./data`");
}

#[test]
fn select_by_family() {
    let dir = tree(&[
        ("compose.yaml", SOCKET),
        (
            "stowlint.toml",
            "select = [\"SL10\"]\nignore = [\"SL103\"]\n",
        ),
    ]);
    let (_, rows) = findings(dir.path(), &[]);
    assert_eq!(codes(&rows), ["SL102", "SL105"]);
    let dir = tree(&[
        ("compose.yaml", SOCKET),
        ("stowlint.toml", "select = [\"SL5\"]\n"),
    ]);
    let (code, rows) = findings(dir.path(), &[]);
    assert_eq!((code, rows.len()), (0, 0));
}

#[test]
fn severity_overrides_and_fail_on() {
    let dir = tree(&[
        ("compose.yaml", BIND),
        (
            "stowlint.toml",
            "select = [\"ALL\"]\n[severity]\nSL105 = \"warning\"\n",
        ),
    ]);
    let (code, rows) = findings(dir.path(), &[]);
    assert_eq!(code, 1, "a warning fails by default");
    assert_eq!(
        rows.iter()
            .map(|(_, c, s)| format!("{c} {s}"))
            .collect::<Vec<_>>(),
        ["SL103 info", "SL105 warning"]
    );

    fs::write(
        dir.path().join("stowlint.toml"),
        "select = [\"ALL\"]\nfail-on = \"error\"\n[severity]\nSL105 = \"warning\"\n",
    )
    .expect("write");
    assert_eq!(findings(dir.path(), &[]).0, 0);
    fs::write(
        dir.path().join("stowlint.toml"),
        "select = [\"ALL\"]\nfail-on = \"info\"\n",
    )
    .expect("write");
    assert_eq!(findings(dir.path(), &[]).0, 1);
    fs::write(dir.path().join("stowlint.toml"), "fail-on = \"never\"\n").expect("write");
    let dir2 = tree(&[
        ("compose.yaml", SOCKET),
        ("stowlint.toml", "fail-on = \"never\"\n"),
    ]);
    assert_eq!(findings(dir2.path(), &[]).0, 0);
}

#[test]
fn command_line_wins_over_the_file() {
    let dir = tree(&[
        ("compose.yaml", SOCKET),
        (
            "stowlint.toml",
            "select = [\"SL102\"]\nfail-on = \"never\"\n[severity]\nSL103 = \"error\"\n",
        ),
    ]);
    let (code, rows) = findings(dir.path(), &[]);
    assert_eq!((code, codes(&rows)), (0, vec!["SL102"]));
    // --select replaces the file's selection; --fail-on replaces its threshold.
    let (code, rows) = findings(dir.path(), &["--select", "SL103", "--fail-on", "error"]);
    assert_eq!(code, 1, "SL103 is an error by the file's [severity]");
    // SL102 still claims the socket: SL103 reports `./data` only.
    assert_eq!(codes(&rows), ["SL103"]);
    let (_, rows) = findings(dir.path(), &["--extend-select", "SL105"]);
    assert_eq!(codes(&rows), ["SL102", "SL105"]);
    let (_, rows) = findings(dir.path(), &["--ignore", "SL102"]);
    assert!(rows.is_empty());
    // --exit-zero: findings never fail, errors still do.
    let (code, _) = findings(dir.path(), &["--fail-on", "info", "--exit-zero"]);
    assert_eq!(code, 0);
    let out = stowlint(dir.path(), &["check", "--exit-zero", "missing.yaml"]);
    assert_eq!(code_of(&out), 2);
}

fn code_of(out: &Output) -> i32 {
    code(out)
}

#[test]
fn unknown_rules_on_the_command_line_are_usage_errors() {
    let dir = tree(&[("compose.yaml", BIND)]);
    let out = stowlint(dir.path(), &["check", "--ignore", "SL103,SL999"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("--ignore: `SL999` names no rule"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn per_path_ignores() {
    let dir = tree(&[
        ("legacy/compose.yaml", BIND),
        ("new/compose.yaml", BIND),
        (
            "stowlint.toml",
            "select = [\"ALL\"]\n[per-path-ignores]\n\"legacy/**\" = [\"SL103\"]\n\"*.yaml\" = [\"SL105\"]\n",
        ),
    ]);
    let (_, rows) = findings(dir.path(), &[]);
    assert_eq!(
        rows.iter()
            .map(|(f, c, _)| format!("{f} {c}"))
            .collect::<Vec<_>>(),
        ["new/compose.yaml SL103"]
    );
}

#[test]
fn the_nearest_configuration_wins_per_file() {
    let dir = tree(&[
        (
            "stowlint.toml",
            "select = [\"ALL\"]\nignore = [\"SL105\"]\n",
        ),
        ("a/compose.yaml", BIND),
        ("b/compose.yaml", BIND),
        (
            "b/.stowlint.toml",
            "select = [\"ALL\"]\nignore = [\"SL103\"]\n",
        ),
        ("b/c/compose.yaml", BIND),
    ]);
    let (_, rows) = findings(dir.path(), &[]);
    assert_eq!(
        rows.iter()
            .map(|(f, c, _)| format!("{f} {c}"))
            .collect::<Vec<_>>(),
        [
            "a/compose.yaml SL103",
            "b/c/compose.yaml SL105",
            "b/compose.yaml SL105"
        ]
    );
    // The same from inside `b`, and for a file named on the command line.
    let (_, rows) = findings(&dir.path().join("b"), &["compose.yaml"]);
    assert_eq!(codes(&rows), ["SL105"]);
    // --isolated: no file at all.
    let (_, rows) = findings(dir.path(), &["--isolated", "--select", "ALL", "b"]);
    assert_eq!(codes(&rows), ["SL103", "SL105", "SL103", "SL105"]);
    // --config: one file for everything.
    let (_, rows) = findings(dir.path(), &["--config", "b/.stowlint.toml"]);
    assert_eq!(codes(&rows), ["SL105", "SL105", "SL105"]);
}

#[test]
fn two_configuration_files_in_one_folder_are_an_error() {
    let dir = tree(&[
        ("compose.yaml", BIND),
        ("stowlint.toml", ""),
        (".stowlint.toml", ""),
    ]);
    let out = stowlint(dir.path(), &["check"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("keep one"), "{}", stderr(&out));
}

#[test]
fn unknown_key_is_an_error_with_its_line_and_column() {
    let dir = tree(&[
        ("compose.yaml", BIND),
        (
            "deploy/stowlint.toml",
            "fail-on = \"warning\"\n\n  ignor = [\"SL103\"]\n",
        ),
        ("deploy/compose.yaml", BIND),
    ]);
    let out = stowlint(dir.path(), &["check"]);
    assert_eq!(code(&out), 2);
    assert!(
        stdout(&out).is_empty(),
        "nothing is reported: {}",
        stdout(&out)
    );
    assert!(
        stderr(&out).starts_with(
            "stowlint: error: deploy/stowlint.toml:3:3: unknown field `ignor`, expected one of"
        ),
        "{}",
        stderr(&out)
    );
    let out = stowlint(dir.path(), &["check", "--config", "nope.toml"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("nope.toml: cannot read configuration"));
}

#[test]
fn exclude_and_include() {
    let dir = tree(&[
        (
            "stowlint.toml",
            "exclude = [\"fixtures\"]\ninclude = [\"deploy/*.yml.tpl\"]\n",
        ),
        ("fixtures/compose.yaml", BIND),
        ("deploy/web.yml.tpl", BIND),
        ("other/web.yml.tpl", BIND),
        ("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n"),
    ]);
    let (_, rows) = findings(dir.path(), &["--select", "SL103"]);
    assert_eq!(
        rows.iter().map(|(f, ..)| f.as_str()).collect::<Vec<_>>(),
        ["deploy/web.yml.tpl"]
    );
    // A file named on the command line is linted even when excluded.
    let (_, rows) = findings(dir.path(), &["--select", "SL103", "fixtures/compose.yaml"]);
    assert_eq!(rows.len(), 1);
    // --exclude replaces the file's `exclude`.
    let (_, rows) = findings(dir.path(), &["--select", "SL103", "--exclude", "deploy"]);
    assert_eq!(
        rows.iter().map(|(f, ..)| f.as_str()).collect::<Vec<_>>(),
        ["fixtures/compose.yaml"]
    );
}

#[test]
fn compose_mode_from_the_file_and_the_command_line() {
    let stack = "\
services:
  web:
    image: nginx:1.27
    volumes:
      - /srv/www:/usr/share/nginx/html:ro
";
    let dir = tree(&[("compose.yaml", stack)]);
    let (_, rows) = findings(dir.path(), &["--select", "SL406"]);
    assert!(rows.is_empty());
    fs::write(
        dir.path().join("stowlint.toml"),
        "[compose]\nmode = \"swarm\"\n",
    )
    .expect("write");
    let (_, rows) = findings(dir.path(), &["--select", "SL406"]);
    assert_eq!(codes(&rows), ["SL406"]);
    let (_, rows) = findings(
        dir.path(),
        &["--select", "SL406", "--compose-mode", "standalone"],
    );
    assert!(rows.is_empty());
}

#[test]
fn stateful_images_extend_the_catalog() {
    let compose = "services:\n  ledger:\n    image: registry.acme.io/acme/ledger:3\n";
    let dir = tree(&[("compose.yaml", compose)]);
    let (code, rows) = findings(dir.path(), &[]);
    assert_eq!((code, rows.len()), (0, 0));
    fs::write(
        dir.path().join("stowlint.toml"),
        "[[stateful-images]]\nimages = [\"acme/ledger\"]\ndata = [\"/var/lib/ledger\"]\n\
         volumes = []\ncategory = \"database\"\n",
    )
    .expect("write");
    let (code, rows) = findings(dir.path(), &[]);
    assert_eq!((code, codes(&rows)), (1, vec!["SL201"]));
}

#[test]
fn catalog_extensions_below_the_working_folder_are_ignored_with_a_warning() {
    let compose = "services:\n  ledger:\n    image: acme/ledger:3\n";
    let dir = tree(&[
        ("svc/compose.yaml", compose),
        (
            "svc/stowlint.toml",
            "[[stateful-images]]\nimages = [\"acme/ledger\"]\ndata = [\"/d\"]\nvolumes = []\n\
             category = \"app\"\n",
        ),
    ]);
    let out = stowlint(dir.path(), &["check", "--format", "concise"]);
    assert_eq!(code(&out), 0);
    assert!(
        stderr(&out).contains(
            "svc/stowlint.toml: `[[stateful-images]]`, `[host-paths]` and `[kubernetes]`"
        ),
        "{}",
        stderr(&out)
    );
    let (_, rows) = findings(&dir.path().join("svc"), &[]);
    assert_eq!(codes(&rows), ["SL201"]);
}

#[test]
fn host_paths_allowed_and_sensitive() {
    let compose = "\
services:
  app:
    image: nginx:1.27
    volumes:
      - /srv/shared/www:/www
      - /opt/secrets:/secrets:ro
";
    let dir = tree(&[("compose.yaml", compose)]);
    let (_, rows) = findings(dir.path(), &["--select", "ALL", "--ignore", "SL105"]);
    assert_eq!(codes(&rows), ["SL103"]);
    fs::write(
        dir.path().join("stowlint.toml"),
        "[host-paths]\nallowed = [\"/srv/shared\"]\nsensitive = [\"/opt/secrets\"]\n",
    )
    .expect("write");
    let (_, rows) = findings(dir.path(), &["--select", "ALL", "--ignore", "SL105"]);
    assert_eq!(
        rows.iter()
            .map(|(_, c, s)| format!("{c} {s}"))
            .collect::<Vec<_>>(),
        ["SL101 warning"]
    );
}

#[test]
fn suppressions_of_disabled_rules_are_not_unused() {
    let compose = "\
services:
  web:
    image: nginx:1.27
    volumes:
      - ./site:/srv # stowlint: ignore SL103, SL105
      - ./logs:/logs:ro # stowlint: ignore SL303
";
    let dir = tree(&[("compose.yaml", compose)]);
    let (_, rows) = findings(dir.path(), &[]);
    // SL303 is not about compose: the suppression silences nothing. SL103 and SL105 are
    // opt-in: not checked, so their suppression is not unused either.
    assert_eq!(codes(&rows), ["SL002"]);
    fs::write(
        dir.path().join("stowlint.toml"),
        "ignore = [\"SL3\", \"SL105\"]\n",
    )
    .expect("write");
    let (_, rows) = findings(dir.path(), &[]);
    assert!(rows.is_empty(), "{rows:?}");
}

#[test]
fn statistics_and_the_summary_on_stderr() {
    let dir = tree(&[("compose.yaml", SOCKET), ("b/compose.yaml", BIND)]);
    let out = stowlint(dir.path(), &["check", "--select", "ALL", "--statistics"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out),
        "2  SL103  writable-bind-mount\n\
         2  SL105  host-path-autocreate\n\
         1  SL102  container-runtime-socket\n\
         Found 1 error, 0 warnings, 4 infos in 2 files.\n"
    );
    assert_eq!(
        stderr(&out),
        "Found 1 error, 0 warnings, 4 infos in 2 files.\n"
    );
    let out = stowlint(
        dir.path(),
        &[
            "check",
            "--select",
            "ALL",
            "--statistics",
            "--format",
            "json",
        ],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["version"], stowlint::output::json::VERSION);
    assert_eq!(
        doc["statistics"][0],
        serde_json::json!({"code": "SL103", "name": "writable-bind-mount", "count": 2,
            "url": stowlint::output::docs::rule_url("SL103")})
    );
    assert_eq!(
        doc["summary"],
        serde_json::json!({"files": 2, "errors": 1, "warnings": 0, "infos": 4})
    );
    assert!(stderr(&out).is_empty());
    // The human report is unchanged on stdout.
    let out = stowlint(dir.path(), &["check", "--select", "ALL"]);
    assert!(stdout(&out).ends_with("Found 1 error, 0 warnings, 4 infos in 2 files.\n"));
    assert!(stdout(&out).contains("error[SL102]"));
}

#[test]
fn init_writes_a_file_that_changes_nothing() {
    let dir = tree(&[("compose.yaml", SOCKET), ("b/compose.yaml", BIND)]);
    let before = stowlint(dir.path(), &["check", "--format", "json"]);
    let out = stowlint(dir.path(), &["init"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = fs::read_to_string(dir.path().join("stowlint.toml")).expect("written");
    for key in [
        "select",
        "extend-select",
        "ignore",
        "fail-on",
        "exclude",
        "include",
        "[severity]",
        "[per-path-ignores]",
        "[compose]",
        "[host-paths]",
        "[[stateful-images]]",
    ] {
        assert!(text.contains(key), "{key} missing");
    }
    for family in ["SL0", "SL1", "SL2", "SL3", "SL4", "SL5"] {
        assert!(
            text.contains(&format!("#   {family}  ")),
            "{family} missing"
        );
    }
    assert!(text.contains("#     SL102 container-runtime-socket (error, on)"));
    assert!(text.contains("#     SL103 writable-bind-mount (info, opt-in)"));
    let after = stowlint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&after), code(&before));
    assert_eq!(stdout(&after), stdout(&before));
    assert!(stderr(&after).is_empty(), "{}", stderr(&after));

    let again = stowlint(dir.path(), &["init"]);
    assert_eq!(code(&again), 2);
    assert!(stderr(&again).contains("already exists"));
    let forced = stowlint(dir.path(), &["init", "--force"]);
    assert_eq!(code(&forced), 0);
}

/// A k3s homelab's database: its claim names no class, and the cluster's default is not in
/// the repository.
const HOMELAB_DB: &str = "\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: postgres
          image: postgres:17
          volumeMounts:
            - {name: data, mountPath: /var/lib/postgresql/data}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 5Gi}}
    - metadata: {name: scratch}
      spec:
        storageClassName: standard
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 5Gi}}
";

#[test]
fn the_cluster_default_class_comes_from_the_configuration() {
    let dir = tree(&[("db.yaml", HOMELAB_DB)]);
    let (_, rows) = findings(dir.path(), &[]);
    assert!(!codes(&rows).contains(&"SL408"), "{rows:?}");

    fs::write(
        dir.path().join("stowlint.toml"),
        "[kubernetes]\ndefault-storage-class = \"local-path\"\n",
    )
    .expect("write config");
    let out = stowlint(dir.path(), &["check", "--format", "concise"]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "db.yaml:19:24: SL408 info: StatefulSet/db container postgres keeps postgres data"
        ) && text
            .contains("of the configured default class `local-path` (`rancher.io/local-path`)"),
        "{text}{}",
        stderr(&out)
    );
    assert_eq!(code(&out), 0, "info never fails the run");
}

#[test]
fn the_configuration_names_the_provisioner_of_a_class_the_run_lacks() {
    // minikube's `standard`: by name alone it could be GKE's persistent disk.
    let mut db = HOMELAB_DB.replace("mountPath: /var/lib/postgresql/data}", "mountPath: /x}");
    db = db.replace(
        "{name: data, mountPath: /x}",
        "{name: scratch, mountPath: /var/lib/postgresql/data}",
    );
    let dir = tree(&[
        ("db.yaml", db.as_str()),
        (
            "stowlint.toml",
            "[kubernetes]\nstorage-classes = { standard = \"k8s.io/minikube-hostpath\" }\n",
        ),
    ]);
    let out = stowlint(dir.path(), &["check", "--format", "concise"]);
    assert!(
        stdout(&out).contains("of class `standard` (`k8s.io/minikube-hostpath`)"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    // A provisioner of the configuration's own joins the catalog.
    fs::write(
        dir.path().join("stowlint.toml"),
        "[kubernetes]\nstorage-classes = { standard = \"acme.io/disk\" }\n\
         node-local-provisioners = [\"acme.io/disk\"]\n",
    )
    .expect("write config");
    let out = stowlint(dir.path(), &["check", "--format", "concise"]);
    assert!(
        stdout(&out).contains("of class `standard` (`acme.io/disk`)"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn bad_kubernetes_settings_are_errors_with_a_position() {
    for (text, line, column, says) in [
        (
            "[kubernetes]\ndefault-storage-class = \"Local_Path\"\n",
            2,
            25,
            "`Local_Path` is not a StorageClass name",
        ),
        (
            "[kubernetes]\nstorage-classes = { fast = \"not a provisioner\" }\n",
            2,
            28,
            "`not a provisioner` is not a provisioner name",
        ),
        (
            "[kubernetes]\nnode-local-provisioners = [\"ok.io/a\", \"/bad\"]\n",
            2,
            39,
            "`/bad` is not a provisioner name",
        ),
        (
            "[kubernetes]\ndefault-class = \"local-path\"\n",
            2,
            1,
            "unknown field `default-class`",
        ),
    ] {
        let dir = tree(&[("db.yaml", HOMELAB_DB), ("stowlint.toml", text)]);
        let out = stowlint(dir.path(), &["check", "."]);
        assert_eq!(code(&out), 2, "{text}: {}", stderr(&out));
        let expected = format!("stowlint.toml:{line}:{column}: ");
        assert!(
            stderr(&out).contains(&expected) && stderr(&out).contains(says),
            "{text}: wanted `{expected}` and `{says}` in: {}",
            stderr(&out)
        );
    }
}

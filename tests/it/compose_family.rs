//! Compose files that build on one another: a service that `extends` another (in its file or
//! in another) is checked as compose runs it, with findings at the file and line where each
//! mount is written; files joined by `extends` or `include:` see each other's volumes. Each
//! case under `fixtures/cross/compose-*` marks every finding with `# expect: <CODE>`.

use stowlint::pipeline::Linted;

/// The cases, each linted as one folder.
const CASES: &[&str] = &[
    "compose-extends",
    "compose-extends-local",
    "compose-extends-library",
    "compose-extends-test",
    "compose-extends-cycle",
    "compose-include",
    "compose-merged-fragment",
    "compose-platform-templates",
    "compose-platform-templates-project",
];

use crate::common::{check_in, found, marked};

fn check(paths: &[&str]) -> Linted {
    check_in(&crate::common::root(), paths)
}

#[test]
fn every_finding_is_marked_where_it_is_written() {
    for case in CASES {
        let folder = format!("fixtures/cross/{case}");
        let linted = check(&[&folder]);
        let (diagnostics, project) = linted.materialize();
        let rendered = crate::common::render(&project, &diagnostics);
        assert_eq!(
            found(&linted),
            marked(&crate::common::root().join(&folder)),
            "{case}:\n{rendered}"
        );
        insta::assert_snapshot!(format!("compose_family_{case}"), rendered);
    }
}

#[test]
fn an_extending_file_named_alone_reads_its_base() {
    let alone = check(&["fixtures/cross/compose-extends/compose.yaml"]);
    let together = check(&["fixtures/cross/compose-extends"]);
    let in_extending = |l: &Linted| {
        found(l)
            .into_iter()
            .filter(|(f, _, _)| f.ends_with("compose.yaml"))
            .collect::<Vec<_>>()
    };
    assert_eq!(in_extending(&alone), in_extending(&together));
    // The finding on what the service inherits names the base service, in the base file.
    let d = &alone.diagnostics()[0];
    assert_eq!(d.code, "SL202");
    assert!(
        d.related
            .iter()
            .any(|r| r.file.ends_with("base.yml") && r.message.contains("service `db`")),
        "{d:?}"
    );
}

#[test]
fn a_base_file_named_alone_reads_the_files_beside_it_that_extend_it() {
    // A pre-commit hook passes only the changed file: its volume `uploads` is declared by
    // compose.yaml, which extends it, and its `db` gets its storage there.
    let alone = check(&["fixtures/cross/compose-extends/base.yml"]);
    let together = check(&["fixtures/cross/compose-extends"]);
    let in_base = |l: &Linted| {
        found(l)
            .into_iter()
            .filter(|(f, _, _)| f.ends_with("base.yml"))
            .collect::<Vec<_>>()
    };
    assert_eq!(found(&alone), in_base(&together));
    assert_eq!(
        found(&alone)
            .into_iter()
            .map(|(_, line, code)| (line, code))
            .collect::<Vec<_>>(),
        [(11, "SL102".to_string())]
    );
}

#[test]
fn a_base_file_nothing_beside_it_extends_is_linted_as_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        crate::common::root().join("fixtures/cross/compose-extends/base.yml"),
        dir.path().join("base.yml"),
    )
    .expect("copy");
    // A sibling that is not a compose file, and one that extends another file.
    std::fs::write(dir.path().join("notes.yml"), "title: not compose\n").expect("write");
    std::fs::write(
        dir.path().join("other.yaml"),
        "services:\n  x:\n    extends:\n      file: elsewhere.yml\n      service: x\n",
    )
    .expect("write");
    let linted = check_in(dir.path(), &["base.yml"]);
    let codes: Vec<(usize, String)> = found(&linted)
        .into_iter()
        .map(|(_, line, code)| (line, code))
        .collect();
    assert_eq!(
        codes,
        [
            (4, "SL202".to_string()),
            (10, "SL501".to_string()),
            (11, "SL102".to_string())
        ]
    );
}

#[test]
fn an_including_file_named_alone_reads_what_it_includes() {
    let linted = check(&["fixtures/cross/compose-include/compose.yaml"]);
    assert_eq!(
        found(&linted),
        [(
            "fixtures/cross/compose-include/compose.yaml".to_string(),
            10,
            "SL501".to_string()
        )]
    );
    let related = &linted.diagnostics()[0].related.clone();
    assert!(
        related
            .iter()
            .any(|r| r.file.ends_with("storage/compose.yaml") && r.message.contains("reports")),
        "{related:?}"
    );
}

const APP: &str = "services:\n  app:\n    image: nginx\n    volumes:\n      - objects:/srv\n";

#[test]
fn an_include_the_run_cannot_read_keeps_undefined_volumes_quiet() {
    for include in [
        "oci://registry.example/stack:1",
        "missing/compose.yaml",
        "${STACK}/compose.yaml",
    ] {
        let dir =
            crate::common::tree(&[("compose.yaml", &format!("include:\n  - {include}\n{APP}"))]);
        let linted = check_in(dir.path(), &["compose.yaml"]);
        assert_eq!(found(&linted), [], "{include}");
        assert_eq!(linted.project.files.len(), 1);
    }
    // Long syntax, with a list of paths that all exist: the volume is known to be undefined.
    let dir = crate::common::tree(&[
        (
            "compose.yaml",
            &format!(
                "include:\n  - path: [a/compose.yaml, b.yml]\n    project_directory: a\n{APP}"
            ),
        ),
        ("a/compose.yaml", "services: {}\n"),
        ("b.yml", "volumes:\n  object:\n"),
    ]);
    let linted = check_in(dir.path(), &["compose.yaml"]);
    assert_eq!(
        found(&linted),
        [("compose.yaml".to_string(), 8, "SL501".to_string())]
    );
}

const MSSQL: &str = "services:\n  db:\n    image: mcr.microsoft.com/mssql/server:2022-latest\n";
const EXTENDING: &str = "services:\n  db:\n    extends:\n      file: base.yml\n      service: db\n";

#[test]
fn a_base_linked_out_of_the_repository_is_not_read() {
    // In the repository: the base is followed, and the extending service has no storage.
    let dir = crate::common::tree(&[
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
        ("repo/compose.yaml", EXTENDING),
        ("repo/base.yml", MSSQL),
    ]);
    let linted = check_in(&dir.path().join("repo"), &["compose.yaml"]);
    assert_eq!(
        found(&linted),
        [("compose.yaml".to_string(), 3, "SL201".to_string())]
    );
    // The same base reached through a link that leaves the repository: not read.
    let dir = crate::common::tree(&[
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
        ("repo/compose.yaml", EXTENDING),
        ("outside/base.yml", MSSQL),
    ]);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            dir.path().join("outside/base.yml"),
            dir.path().join("repo/base.yml"),
        )
        .expect("link");
        let linted = check_in(&dir.path().join("repo"), &["compose.yaml"]);
        assert_eq!(found(&linted), []);
    }
}

#[test]
fn a_long_extends_chain_is_followed_to_its_bound() {
    // `s0` extends `s1` ... extends `s20`, which has the image: past the bound, the service is
    // linted as written (no image known, no finding), and nothing hangs.
    let mut text = String::from("services:\n");
    for i in 0..20 {
        text.push_str(&format!("  s{i}:\n    extends: s{}\n", i + 1));
    }
    text.push_str("  s20:\n    image: mcr.microsoft.com/mssql/server:2022-latest\n");
    let dir = crate::common::tree(&[("compose.yaml", &text)]);
    let linted = check_in(dir.path(), &["compose.yaml"]);
    let lines: Vec<usize> = found(&linted).into_iter().map(|(_, l, _)| l).collect();
    // s20 itself, and the services within MAX_DEPTH of it (each at its `extends` key).
    let depth = stowlint::model::MAX_DEPTH;
    assert_eq!(lines.len(), depth + 1, "{lines:?}");
    assert_eq!(lines.last(), Some(&43));
}

/// A folder of a platform's templates is read as one project, but a template that declares
/// no volume itself is not run by `docker compose` as it stands (the platform declares the
/// volumes it finds): its undefined volumes are info, even beside a template that declares
/// its own. A `compose.yaml` in the same state keeps the error.
#[test]
fn a_template_that_declares_no_volume_is_info_beside_one_that_does() {
    let dir = crate::common::tree(&[
        (
            "templates/wiki.yaml",
            "services:\n  wiki:\n    image: ghost:5\n    volumes:\n      - wiki-content:/var/lib/ghost/content\n",
        ),
        (
            "templates/bookstack.yaml",
            "services:\n  books:\n    image: lscr.io/linuxserver/bookstack:24\n    volumes:\n      - books-config:/config\n",
        ),
        (
            "templates/chat.yaml",
            "services:\n  chat:\n    image: mattermost/mattermost-team-edition:10\n    volumes:\n      - chat-data:/mattermost/data\nvolumes:\n  chat-data:\n",
        ),
        (
            "app/compose.yaml",
            "services:\n  wiki:\n    image: ghost:5\n    volumes:\n      - wiki-content:/var/lib/ghost/content\n",
        ),
    ]);
    let linted = check_in(dir.path(), &["templates", "app"]);
    let undefined: Vec<(String, stowlint::engine::Severity)> = linted
        .diagnostics()
        .iter()
        .filter(|d| d.code == "SL501")
        .map(|d| (d.file.to_string_lossy().replace('\\', "/"), d.severity))
        .collect();
    assert_eq!(
        undefined,
        [
            (
                "app/compose.yaml".to_string(),
                stowlint::engine::Severity::Error
            ),
            (
                "templates/bookstack.yaml".to_string(),
                stowlint::engine::Severity::Info
            ),
            (
                "templates/wiki.yaml".to_string(),
                stowlint::engine::Severity::Info
            ),
        ]
    );
}

//! Data-loss rules across files: a compose service built from a Dockerfile whose `FROM` chain
//! reaches a stateful image.

use std::path::PathBuf;

use stowlint::engine::Diagnostic;

fn lint(case: &str, files: &[&str]) -> (String, Vec<Diagnostic>) {
    let root = crate::common::root().join("fixtures/cross").join(case);
    let paths: Vec<PathBuf> = files.iter().map(|f| root.join(f)).collect();
    let (project, diagnostics) = crate::common::lint(&paths);
    (crate::common::render(&project, &diagnostics), diagnostics)
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&str> {
    diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn mssql_built_without_a_volume_loses_its_data() {
    let (rendered, diagnostics) = lint("mssql-build", &["compose.yaml", "db/Dockerfile"]);
    let sl201: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.code == "SL201").collect();
    assert_eq!(sl201.len(), 1, "{rendered}");
    let d = sl201[0];
    assert!(d.file.ends_with("compose.yaml"));
    // The `build:` context, with the Dockerfile's FROM as the other half of the story.
    assert_eq!(
        (d.location.start.line, d.location.start.column),
        (4, 16),
        "{rendered}"
    );
    assert!(d.message.contains("mssql/server") && d.message.contains("/var/opt/mssql"));
    assert!(
        d.related
            .iter()
            .any(|r| r.file.ends_with("db/Dockerfile") && r.location.start.line == 2),
        "{rendered}"
    );
    // The Dockerfile's own VOLUME covers only a sub-folder: no SL202.
    assert!(!codes(&diagnostics).contains(&"SL202"), "{rendered}");
    insta::assert_snapshot!(rendered);
}

#[test]
fn a_build_whose_dockerfile_is_not_in_the_run_is_not_reported() {
    let (rendered, diagnostics) = lint("mssql-build", &["compose.yaml"]);
    assert!(!codes(&diagnostics).contains(&"SL201"), "{rendered}");
}

#[test]
fn a_dockerfile_volume_over_the_data_is_an_anonymous_volume() {
    let (rendered, diagnostics) = lint("volume-build", &["compose.yaml", "mysql/Dockerfile"]);
    let sl202: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.code == "SL202").collect();
    assert_eq!(sl202.len(), 1, "{rendered}");
    assert!(sl202[0].file.ends_with("compose.yaml"));
    assert!(
        sl202[0]
            .related
            .iter()
            .any(|r| r.file.ends_with("mysql/Dockerfile") && r.location.start.line == 3),
        "{rendered}"
    );
    assert!(!codes(&diagnostics).contains(&"SL201"), "{rendered}");
    insta::assert_snapshot!(rendered);
}

//! Every rule on its fixtures: `fixtures/<CODE>/bad.*` must fire on exactly the lines marked
//! `# expect: <CODE>`; `ok.*` must not fire the rule at all. The snapshot shows every finding
//! of every rule on the file, as a reviewer reads it.

mod common;

use std::path::Path;

fn check_fixture(path: &Path) -> String {
    let code = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .expect("fixture folder named by code")
        .to_string();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let (project, diagnostics) = common::lint(&[path.to_path_buf()]);
    let fired: Vec<(usize, String)> = diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| (d.span.start.line, d.code.to_string()))
        .collect();
    let rendered = common::render(&project, &diagnostics);
    if name.starts_with("ok") {
        assert!(
            fired.is_empty(),
            "{code} fired on good fixture {}:\n{rendered}",
            path.display()
        );
    } else {
        let mut expected: Vec<(usize, String)> = common::expectations(&text)
            .into_iter()
            .filter(|(_, c)| *c == code)
            .collect();
        assert!(
            !expected.is_empty(),
            "bad fixture {} marks no line with `# expect: {code}`",
            path.display()
        );
        let mut fired = fired;
        fired.sort();
        fired.dedup();
        expected.sort();
        assert_eq!(
            fired,
            expected,
            "{code} on {}: fired (left) vs marked (right)\n{rendered}",
            path.display()
        );
    }
    rendered
}

#[test]
fn fixtures() {
    insta::glob!("../fixtures", "SL*/*", |path| {
        let rendered = check_fixture(path);
        insta::assert_snapshot!(rendered);
    });
}

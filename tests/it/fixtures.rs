//! Every rule on its fixtures: `fixtures/<CODE>/bad.*` must fire on exactly the lines marked
//! `# expect: <CODE>`; `ok.*` must not fire the rule at all. The snapshot shows every finding
//! of every rule on the file, as a reviewer reads it.

use std::path::Path;

/// Lints one fixture; returns the rendering and, when the rule misbehaves, why.
fn check_fixture(path: &Path) -> (String, Option<String>) {
    let code = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .expect("fixture folder named by code")
        .to_string();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let (project, diagnostics) = crate::common::lint(&[path.to_path_buf()]);
    let fired: Vec<(usize, String)> = diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| (d.span.start.line, d.code.to_string()))
        .collect();
    let rendered = crate::common::render(&project, &diagnostics);
    let mut failure = None;
    if name.starts_with("ok") {
        if !fired.is_empty() {
            failure = Some(format!(
                "{code} fired on good fixture {}:\n{rendered}",
                path.display()
            ));
        }
    } else {
        let mut expected: Vec<(usize, String)> = crate::common::expectations(&text)
            .into_iter()
            .filter(|(_, c)| *c == code)
            .collect();
        let mut fired = fired;
        fired.sort();
        fired.dedup();
        expected.sort();
        if expected.is_empty() {
            failure = Some(format!(
                "bad fixture {} marks no line with `# expect: {code}`",
                path.display()
            ));
        } else if fired != expected {
            failure = Some(format!(
                "{code} on {}: fired {fired:?}, marked {expected:?}\n{rendered}",
                path.display()
            ));
        }
    }
    (rendered, failure)
}

#[test]
fn fixtures() {
    let failures = std::cell::RefCell::new(Vec::new());
    insta::glob!("../../fixtures", "SL*/*", |path| {
        let (rendered, failure) = check_fixture(path);
        failures.borrow_mut().extend(failure);
        insta::assert_snapshot!(rendered);
    });
    let failures = failures.into_inner();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

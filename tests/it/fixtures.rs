//! Every rule on its fixtures: `fixtures/<CODE>/bad.*` must fire on exactly the lines marked
//! `# expect: <CODE>` (`// expect:` in JSON with comments; `# expect-next:` on the line above
//! where comments take whole lines); `ok.*` must not fire the rule at all. A fixture whose
//! kind is told by its folders (a GitHub workflow) lies in a folder named `bad-*` or `ok-*`
//! (`fixtures/SL102/bad-ci/.github/workflows/ci.yml`). The snapshot shows every finding of
//! every rule on the file, as a reviewer reads it.

use std::path::Path;

/// Lints one fixture; returns the rendering and, when the rule misbehaves, why.
fn check_fixture(path: &Path) -> (String, Option<String>) {
    // The folder named by the code, and the name right under it (a file, or the folder
    // that holds a fixture whose path tells its kind).
    let parts: Vec<&str> = path
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    let at = parts
        .iter()
        .rposition(|p| p.starts_with("SL") && p.len() == 5)
        .expect("fixture folder named by code");
    let code = parts[at].to_string();
    let name = parts.get(at + 1).copied().unwrap_or("");
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
    insta::glob!("../../fixtures", "SL*/**/*", |path| {
        if !path.is_file() {
            return;
        }
        let (rendered, failure) = check_fixture(path);
        failures.borrow_mut().extend(failure);
        insta::assert_snapshot!(rendered);
    });
    let failures = failures.into_inner();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

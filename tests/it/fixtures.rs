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
        .filter(|d| d.code == code.as_str())
        .map(|d| (d.location.start.line, d.code.to_string()))
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

/// clippy's `lint_message_convention`: what a finding says reads as one clause — it starts in
/// lower case (a proper name such as `Dockerfile`, `YAML` or a Kubernetes kind may start it),
/// ends without a period, and holds no line break or doubled space. Checked on every finding
/// of every fixture: messages, help lines and labels.
#[test]
fn messages_follow_one_convention() {
    fn problem(text: &str) -> Option<&'static str> {
        let first_word: String = text.chars().take_while(|c| c.is_alphanumeric()).collect();
        // `Deployment/web`: an object named by its kind.
        let object = text[first_word.len()..].starts_with('/');
        let proper_name = object
            || first_word.chars().skip(1).any(char::is_uppercase)
            || [
                "Dockerfile",
                "Docker",
                "Compose",
                "Kubernetes",
                "Helm",
                "Knative",
                "Podman",
                "Quadlet",
                "Strimzi",
                "Prometheus",
                "Alertmanager",
                "Redis",
                "Elasticsearch",
            ]
            .contains(&first_word.as_str());
        if text.chars().next().is_some_and(char::is_uppercase) && !proper_name {
            return Some("starts with a capital");
        }
        if text.ends_with('.') && !text.ends_with("...") {
            return Some("ends with a period");
        }
        if text.contains('\n') {
            return Some("holds a line break");
        }
        if text.contains("  ") {
            return Some("holds a doubled space");
        }
        if text.trim() != text || text.is_empty() {
            return Some("is empty or padded");
        }
        None
    }
    let root = crate::common::root().join("fixtures");
    let paths: Vec<std::path::PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("SL"))
        .flat_map(|e| files_under(&e.path()))
        .collect();
    let mut failures = std::collections::BTreeSet::new();
    let mut seen = 0;
    for path in &paths {
        let (_, diagnostics) = crate::common::lint(std::slice::from_ref(path));
        for d in &diagnostics {
            seen += 1;
            let texts = std::iter::once(("message", d.message.as_str()))
                .chain(d.help.as_deref().map(|h| ("help", h)))
                .chain(d.related.iter().map(|r| ("label", r.message.as_str())));
            for (what, text) in texts {
                if let Some(why) = problem(text) {
                    failures.insert(format!("{} {what} {why}: {text:?}", d.code));
                }
            }
        }
    }
    assert!(seen > 300, "only {seen} findings on the fixtures");
    assert!(
        failures.is_empty(),
        "{}",
        failures.into_iter().collect::<Vec<_>>().join("\n")
    );
}

/// Precedence (SL102 over SL101, SL402 over SL401, ...) compares the mounts findings are
/// about: a finding of a rule in the precedence table without its mount would escape it. The
/// engine marks findings reported from `check_mount`; this checks that those reported from
/// elsewhere are marked too.
#[test]
fn findings_of_ranked_rules_name_their_mount() {
    let ranked: std::collections::HashSet<stowlint::engine::Code> = stowlint::engine::precedence()
        .into_iter()
        .flat_map(|(winner, losers)| std::iter::once(winner).chain(losers.iter().copied()))
        .collect();
    let root = crate::common::root().join("fixtures");
    let mut checked = 0;
    let mut missing = Vec::new();
    for code in &ranked {
        for path in files_under(&root.join(code.as_str())) {
            let (_, diagnostics) = crate::common::lint(std::slice::from_ref(&path));
            for d in diagnostics.iter().filter(|d| ranked.contains(&d.code)) {
                checked += 1;
                if d.subject_range().is_none() {
                    missing.push(format!("{} in {}: {}", d.code, path.display(), d.message));
                }
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} ranked findings on the fixtures"
    );
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The files under `dir` and its subfolders (a workflow fixture sits in `.github/workflows/`),
/// sorted.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

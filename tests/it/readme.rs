//! The README's install, CI and pre-commit snippets are ones that can work as written.

fn readme() -> String {
    std::fs::read_to_string(crate::common::root().join("README.md")).expect("README.md")
}

#[test]
fn every_cargo_install_is_locked() {
    for line in readme().lines().filter(|l| l.contains("cargo install")) {
        assert!(line.contains("--locked"), "not --locked: {line}");
    }
}

/// GitHub Actions expands `${{ }}` into the script before the shell sees it (script
/// injection): variables reach `run:` through `env:`.
#[test]
fn actions_run_steps_take_variables_from_env() {
    for line in readme().lines() {
        let step = line.trim_start().trim_start_matches("- ");
        if step.starts_with("run:") || step.starts_with("script:") {
            assert!(!step.contains("${{"), "an expression inside run: {line}");
        }
    }
}

/// `rev:` names something the repository has: a branch or a full commit SHA (it has no tags
/// yet).
#[test]
fn pre_commit_revs_exist() {
    let text = readme();
    let revs: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("rev: "))
        .map(|r| r.split_whitespace().next().unwrap_or(""))
        .collect();
    assert!(!revs.is_empty());
    for rev in revs {
        assert!(
            rev == "main" || (rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit())),
            "rev `{rev}` does not exist"
        );
    }
    assert!(
        text.contains("pre-commit autoupdate --freeze"),
        "say how to pin a SHA"
    );
}

/// One project address: the repository of Cargo.toml.
#[test]
fn project_addresses_are_the_repository() {
    let text = readme();
    assert!(!text.contains("example.org"), "a placeholder address");
    let repository = env!("CARGO_PKG_REPOSITORY");
    for (at, _) in text.match_indices("github.com/stowlint") {
        let rest = &text[at..];
        assert!(
            format!("https://{rest}").starts_with(repository),
            "{}",
            &rest[..rest.len().min(60)]
        );
    }
}

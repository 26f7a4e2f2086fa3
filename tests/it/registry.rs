//! Meta-tests that police the registry (ruff's habit): codes unique, sorted and well formed,
//! names kebab-case, every rule documented, every rule has fixtures and every fixture folder a
//! rule, and the README's rules table matches the code.

use std::collections::BTreeSet;

use stowlint::rules::RULES;

#[test]
fn codes_are_sorted_unique_and_well_formed() {
    let codes: Vec<&str> = RULES.iter().map(|r| r.meta().code).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        codes, sorted,
        "rules/mod.rs must list rules sorted by code, once each"
    );
    for code in codes {
        assert!(
            code.len() == 5
                && code.starts_with("SL")
                && code[2..].bytes().all(|b| b.is_ascii_digit()),
            "bad code {code}"
        );
    }
}

#[test]
fn names_are_unique_kebab_case() {
    let mut seen = BTreeSet::new();
    for rule in RULES {
        let name = rule.meta().name;
        assert!(seen.insert(name), "duplicate name {name}");
        assert!(
            !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                && !name.starts_with('-')
                && !name.ends_with('-')
                && !name.starts_with("no-"),
            "name {name} must be kebab-case and name the risky pattern, not the fix"
        );
    }
}

#[test]
fn every_rule_is_documented() {
    for rule in RULES {
        let m = rule.meta();
        let docs = m.docs();
        for section in ["## What it does", "## Why is this bad?", "## Example"] {
            assert!(docs.contains(section), "{} lacks `{section}`", m.code);
        }
        assert!(docs.contains("Use instead"), "{} shows no fix", m.code);
        assert!(!m.summary().is_empty(), "{} has no summary", m.code);
        assert!(!m.formats.is_empty(), "{} applies to no format", m.code);
    }
}

#[test]
fn every_rule_has_fixtures_and_every_fixture_folder_a_rule() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let folders: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("fixtures folder")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.starts_with("SL"))
        .collect();
    let codes: BTreeSet<String> = RULES.iter().map(|r| r.meta().code.to_string()).collect();
    assert_eq!(folders, codes, "fixture folders (left) vs rules (right)");
    for code in &codes {
        let files: Vec<String> = std::fs::read_dir(dir.join(code))
            .expect("fixture folder")
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        assert!(
            files.iter().any(|f| f.starts_with("bad")),
            "{code} has no bad fixture"
        );
        assert!(
            files.iter().any(|f| f.starts_with("ok")),
            "{code} has no ok fixture"
        );
    }
}

/// The README's table between the markers is generated from the code; run with
/// `STOWLINT_BLESS=1` to rewrite it.
#[test]
fn readme_rules_table_is_current() {
    const START: &str = "<!-- rules-table:start -->\n";
    const END: &str = "<!-- rules-table:end -->";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let (head, rest) = readme
        .split_once(START)
        .expect("README has the rules-table start marker");
    let (current, tail) = rest
        .split_once(END)
        .expect("README has the rules-table end marker");
    let table = stowlint::rules::markdown_table();
    if current != table {
        if std::env::var_os("STOWLINT_BLESS").is_some() {
            std::fs::write(&path, format!("{head}{START}{table}{END}{tail}"))
                .expect("write README");
        } else {
            panic!(
                "README rules table is stale: run `STOWLINT_BLESS=1 cargo test --test it registry`"
            );
        }
    }
}

/// `docs/rules/<CODE>.md` and `docs/rules/README.md` are generated from the rules' doc
/// comments and metadata (the pages JSON, SARIF and the language server link to); run with
/// `STOWLINT_BLESS=1` to rewrite them. A page without a rule is stale too.
#[test]
fn rule_pages_are_current() {
    use stowlint::output::docs;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let mut expected: Vec<(String, String)> = RULES
        .iter()
        .map(|r| (format!("{}.md", r.meta().code), docs::rule_page(r.meta())))
        .collect();
    expected.push(("README.md".into(), docs::index_page(RULES)));
    let bless = std::env::var_os("STOWLINT_BLESS").is_some();
    let present: BTreeSet<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let wanted: BTreeSet<String> = expected.iter().map(|(name, _)| name.clone()).collect();
    let mut stale = Vec::new();
    for extra in present.difference(&wanted) {
        if bless {
            std::fs::remove_file(dir.join(extra)).expect("remove a stale page");
        } else {
            stale.push(extra.clone());
        }
    }
    for (name, page) in &expected {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(page.as_str()) {
            continue;
        }
        if bless {
            std::fs::create_dir_all(&dir).expect("docs/rules");
            std::fs::write(&path, page).expect("write a page");
        } else {
            stale.push(name.clone());
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is stale ({stale:?}): run `STOWLINT_BLESS=1 cargo test --test it registry`"
    );
}

/// Every rule page the links point at exists under the documentation base.
#[test]
fn links_point_at_the_rule_pages() {
    use stowlint::output::docs;
    for rule in RULES {
        let code = rule.meta().code;
        let url = docs::rule_url(code);
        let page = url.strip_prefix(docs::DOCS_BASE).expect("under the base");
        assert_eq!(page, format!("{code}.md"));
    }
    assert!(docs::DOCS_BASE.ends_with("/docs/rules/"));
}

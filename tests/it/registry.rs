//! Meta-tests that police the registry (ruff's habit): codes unique, sorted and well formed,
//! names kebab-case, every rule documented, every rule has fixtures and every fixture folder a
//! rule, and the README's rules table matches the code.

use std::collections::BTreeSet;

use stowlint::engine::Code;
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

/// `Code` is generated with `RULES` from one list: one variant per rule, in registry order,
/// reading as the rule's metadata says.
#[test]
fn codes_follow_the_registry() {
    assert_eq!(Code::ALL.len(), RULES.len());
    for (i, rule) in RULES.iter().enumerate() {
        let (code, m) = (Code::ALL[i], rule.meta());
        assert_eq!((code, code.index()), (m.id, i));
        assert_eq!((code.as_str(), code.name()), (m.code, m.name));
        assert_eq!(m.code.parse::<Code>(), Ok(code));
        assert_eq!(m.name.parse::<Code>(), Ok(code));
    }
    // Variants order as their codes do: sorting findings by code sorts them by rule.
    assert!(
        Code::ALL
            .windows(2)
            .all(|w| w[0] < w[1] && w[0].as_str() < w[1].as_str())
    );
}

/// The rule precedence from the rules' `beats`, as RULES.md "Conventions" states it.
#[test]
fn precedence_is_as_documented() {
    let table: Vec<(&str, Vec<&str>)> = stowlint::engine::precedence()
        .into_iter()
        .map(|(winner, losers)| (winner.as_str(), losers.iter().map(|l| l.as_str()).collect()))
        .collect();
    assert_eq!(
        table,
        [
            ("SL101", vec!["SL103", "SL105"]),
            ("SL102", vec!["SL101", "SL103", "SL105"]),
            ("SL203", vec!["SL303"]),
            ("SL301", vec!["SL302"]),
            ("SL402", vec!["SL401", "SL406", "SL407"]),
            ("SL404", vec!["SL405"]),
        ]
    );
}

/// No rule wins over itself, directly or through others: a cycle would drop every finding of
/// its rules on a mount they share.
#[test]
fn precedence_has_no_cycles() {
    let beats = |i: usize| -> Vec<usize> {
        Code::ALL[i]
            .meta()
            .beats
            .iter()
            .map(|c| c.index())
            .collect()
    };
    if let Some(cycle) = find_cycle(Code::COUNT, beats) {
        let names: Vec<&str> = cycle.iter().map(|&i| Code::ALL[i].as_str()).collect();
        panic!("precedence cycle: {}", names.join(" beats "));
    }
    // The check finds cycles: one through three nodes, one of a node to itself.
    let graph = [vec![1], vec![2], vec![0, 3], vec![]];
    assert_eq!(find_cycle(4, |i| graph[i].clone()), Some(vec![0, 1, 2, 0]));
    assert_eq!(find_cycle(2, |i| vec![i]), Some(vec![0, 0]));
    assert_eq!(
        find_cycle(4, |i| graph[i].iter().copied().filter(|&j| j > i).collect()),
        None
    );
}

/// A cycle of the graph of `n` nodes with edges `next`, as the path that closes it.
fn find_cycle(n: usize, next: impl Fn(usize) -> Vec<usize>) -> Option<Vec<usize>> {
    // 0: unseen, 1: on the current path, 2: done.
    fn visit(
        i: usize,
        next: &dyn Fn(usize) -> Vec<usize>,
        state: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        state[i] = 1;
        path.push(i);
        for j in next(i) {
            if state[j] == 1 {
                let from = path.iter().position(|&p| p == j).unwrap_or(0);
                let mut cycle = path[from..].to_vec();
                cycle.push(j);
                return Some(cycle);
            }
            if state[j] == 0
                && let Some(cycle) = visit(j, next, state, path)
            {
                return Some(cycle);
            }
        }
        path.pop();
        state[i] = 2;
        None
    }
    let mut state = vec![0; n];
    (0..n).find_map(|i| {
        if state[i] == 0 {
            visit(i, &next, &mut state, &mut Vec::new())
        } else {
            None
        }
    })
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

//! The layering, where the compiler cannot see it. The crates of the workspace are the layers
//! (README, "Crates"), and the compiler refuses a circle, but not an arrow that points up
//! without closing one (the parsers depending on the linter, say), nor one through
//! dev-dependencies (cargo allows circles there), nor a `#[path]` or `include_str!` that
//! compiles or embeds another crate's files. This test reads the manifests and the sources.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use crate::common::root;

/// Each crate: its folder, the folder its sources may reach, and the stowlint crates it may
/// depend on (any table: normal, dev, build, per target). Top to bottom.
const LAYERS: &[(&str, &str, &str, &[&str])] = &[
    (
        "stowlint",
        ".",
        "src",
        &[
            "stowlint_model",
            "stowlint_parse",
            "stowlint_rules",
            "stowlint_output",
        ],
    ),
    (
        "stowlint_output",
        "crates/stowlint_output",
        "crates/stowlint_output",
        &["stowlint_model", "stowlint_rules"],
    ),
    // Rules see the model, never the formats: no parser below the linter.
    ("stowlint_rules", "rules", "rules", &["stowlint_model"]),
    (
        "stowlint_parse",
        "crates/stowlint_parse",
        "crates/stowlint_parse",
        &["stowlint_model"],
    ),
    (
        "stowlint_model",
        "crates/stowlint_model",
        "crates/stowlint_model",
        &[],
    ),
];

fn manifest(dir: &str) -> toml::Table {
    let path = root().join(dir).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The package names of every dependency in every table of `package`: `[dependencies]`,
/// `[dev-dependencies]`, `[build-dependencies]` and their `[target.*]` forms, renames resolved
/// (`foo = { package = "bar" }`, here or in `[workspace.dependencies]`).
fn dependencies(package: &toml::Table, workspace: &toml::Table) -> BTreeSet<String> {
    let kinds = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut tables: Vec<&toml::Table> = kinds
        .iter()
        .filter_map(|k| package.get(*k).and_then(toml::Value::as_table))
        .collect();
    for target in package
        .get("target")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|t| t.values())
    {
        tables.extend(
            kinds
                .iter()
                .filter_map(|k| target.get(*k).and_then(toml::Value::as_table)),
        );
    }
    let inherited = workspace
        .get("dependencies")
        .and_then(toml::Value::as_table);
    let renamed = |key: &str, spec: &toml::Value| -> String {
        let own = spec.get("package").and_then(toml::Value::as_str);
        let from_workspace = spec
            .get("workspace")
            .and_then(toml::Value::as_bool)
            .filter(|&w| w)
            .and_then(|_| inherited?.get(key)?.get("package")?.as_str());
        own.or(from_workspace).unwrap_or(key).to_string()
    };
    tables
        .into_iter()
        .flat_map(|t| t.iter().map(|(key, spec)| renamed(key, spec)))
        .collect()
}

#[test]
fn every_crate_depends_only_on_the_layers_below_it() {
    let root_manifest = manifest(".");
    let workspace = root_manifest["workspace"]
        .as_table()
        .expect("[workspace] in Cargo.toml");
    let members: BTreeSet<&str> = workspace["members"]
        .as_array()
        .expect("workspace members")
        .iter()
        .filter_map(toml::Value::as_str)
        .collect();
    let known: BTreeSet<&str> = LAYERS.iter().map(|(_, dir, _, _)| *dir).collect();
    assert_eq!(
        members, known,
        "a new crate needs its place in LAYERS (and in the README's \"Crates\")"
    );
    let names: BTreeSet<&str> = LAYERS.iter().map(|(name, ..)| *name).collect();
    let mut upward = BTreeMap::new();
    for (name, dir, _, allowed) in LAYERS {
        let m = manifest(dir);
        let package = m["package"].as_table().expect("[package]");
        assert_eq!(package["name"].as_str(), Some(*name), "{dir}/Cargo.toml");
        // Lints are declared once, for every crate.
        assert_eq!(
            m.get("lints").and_then(|l| l.get("workspace")),
            Some(&toml::Value::Boolean(true)),
            "{dir}/Cargo.toml must inherit the workspace's lints"
        );
        let ours: BTreeSet<String> = dependencies(&m, workspace)
            .into_iter()
            .filter(|d| d.starts_with("stowlint"))
            .collect();
        for d in &ours {
            assert!(names.contains(d.as_str()), "{name} depends on unknown {d}");
        }
        let bad: Vec<&String> = ours
            .iter()
            .filter(|d| !allowed.contains(&d.as_str()))
            .collect();
        if !bad.is_empty() {
            upward.insert(*name, bad.into_iter().cloned().collect::<Vec<_>>());
        }
    }
    assert!(
        upward.is_empty(),
        "dependencies that point up or sideways (README, \"Crates\"): {upward:?}"
    );
}

/// The table itself keeps to its order: a crate may only depend on crates listed below it,
/// so editing `LAYERS` cannot let an arrow point up either.
#[test]
fn the_layers_table_only_points_down() {
    for (i, (name, _, _, allowed)) in LAYERS.iter().enumerate() {
        let below: Vec<&str> = LAYERS[i + 1..].iter().map(|(n, ..)| *n).collect();
        for a in *allowed {
            assert!(
                below.contains(a),
                "{name} may not depend on {a}: not below it"
            );
        }
    }
}

/// `a/./b/../c` -> `a/c`, without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The string literal after `marker` (`#[path = "x"]`, `include_str!("x")`), if any.
fn literal_after<'a>(text: &'a str, marker: &str) -> Vec<&'a str> {
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &text[at + marker.len()..];
            let start = rest.find('"')? + 1;
            let end = start + rest[start..].find('"')?;
            Some(&rest[start..end])
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
        let path = entry.expect("folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A module pulled in with `#[path]` from another crate's folder compiles that layer's code
/// into this one without a dependency the manifests show (as `src/lib.rs` once did with
/// `#[path = "../rules/mod.rs"]`); an embedded file from outside is not packaged with it.
#[test]
fn sources_reach_no_file_outside_their_crate() {
    let root = normalize(&root());
    let mut outside = Vec::new();
    let mut seen = 0;
    for (name, _, sources, _) in LAYERS {
        let home = normalize(&root.join(sources));
        let mut files = Vec::new();
        rust_files(&home, &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).expect("source readable");
            let dir = file.parent().expect("file in a folder");
            for marker in ["#[path", "include_str!(", "include_bytes!(", "include!("] {
                for target in literal_after(&text, marker) {
                    seen += 1;
                    let reached = normalize(&dir.join(target));
                    if !reached.starts_with(&home) {
                        outside.push(format!(
                            "{name}: {} reaches {}",
                            file.strip_prefix(&root).unwrap_or(&file).display(),
                            reached.strip_prefix(&root).unwrap_or(&reached).display()
                        ));
                    }
                }
            }
        }
    }
    // The catalog's data and the linter's registry module are found: the scan sees them.
    assert!(seen >= 5, "only {seen} paths found: the scan is broken");
    assert!(outside.is_empty(), "{outside:#?}");
}

//! One address for the project's documentation: `output::docs::DOCS_BASE`. Every `http`
//! address in the code is either built from it or on an allow-list of outside references
//! (the SARIF schema, Docker, Kubernetes and operator docs the rules cite, test data).

use std::path::{Path, PathBuf};

/// Hosts the code may name: references in rule docs, the SARIF schema, and test inputs.
const ALLOWED: &[&str] = &[
    "https://docs.docker.com/",
    "https://kubernetes.io/",
    // Operators' and Kubernetes add-ons' docs that SL207 and the Kubernetes reader cite (the
    // operators catalog cites more, in TOML).
    "https://prometheus-operator.dev/",
    "https://strimzi.io/",
    "https://www.elastic.co/",
    "https://knative.dev/",
    "https://keda.sh/",
    "https://github.com/moby/",
    "https://github.com/Tecnativa/",
    "https://raw.githubusercontent.com/oasis-tcs/",
    "https://github.com/x/",
    "https://github.com/a/",
    "https://example.com/",
    "http://example.com/",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("a folder")
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_only_project_address_is_the_docs_base() {
    let root = crate::common::root();
    let mut files = Vec::new();
    for dir in ["src", "rules"] {
        rust_files(&root.join(dir), &mut files);
    }
    let base_line = format!(
        "pub const DOCS_BASE: &str = \"{}\";",
        stowlint::output::docs::DOCS_BASE
    );
    let mut stray = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("UTF-8 source");
        for (i, line) in text.lines().enumerate() {
            if line.trim() == base_line {
                continue;
            }
            for (at, _) in line.match_indices("http") {
                let rest = &line[at..];
                let Some(after) = rest
                    .strip_prefix("http://")
                    .or_else(|| rest.strip_prefix("https://"))
                else {
                    continue;
                };
                // An address has a host name with a dot: `https://` alone or the
                // `http://minio{1...4}` of a command line is not one.
                let host: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
                    .collect();
                if !host.contains('.') || !after[host.len()..].starts_with(['/', '"', '>', ')']) {
                    continue;
                }
                if !ALLOWED.iter().any(|a| rest.starts_with(a)) {
                    stray.push(format!(
                        "{}:{}: {}",
                        file.strip_prefix(&root).unwrap_or(&file).display(),
                        i + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        stray.is_empty(),
        "addresses outside the allow-list (link through output::docs instead):\n{}",
        stray.join("\n")
    );
}

/// Cargo.toml's `repository`, `homepage` and `documentation` name the same project as the
/// docs base.
#[test]
fn package_metadata_matches_the_docs_base() {
    let repository = env!("CARGO_PKG_REPOSITORY");
    assert!(!repository.is_empty(), "Cargo.toml has a repository");
    assert!(stowlint::output::docs::DOCS_BASE.starts_with(&format!("{repository}/blob/main/")));
    assert_eq!(env!("CARGO_PKG_HOMEPAGE"), repository);
    let manifest =
        std::fs::read_to_string(crate::common::root().join("Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains(&format!(
        "documentation = \"{}\"",
        stowlint::output::docs::index_url()
    )));
}

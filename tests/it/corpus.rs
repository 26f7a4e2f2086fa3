//! The realistic corpus: every project under `fixtures/corpus/` linted as one run, so facts
//! that cross files (a compose `build:` and its Dockerfile, a claim and the HPA of the
//! Deployment that mounts it) resolve. One snapshot of all findings: every one of them must be
//! a finding the maintainers of those files would agree with.

use std::path::{Path, PathBuf};

/// Every file under `dir`, depth first, in name order (std only: the order must not depend on
/// the file system).
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus folder readable")
        .map(|e| e.expect("corpus entry readable").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn corpus() {
    let mut files = Vec::new();
    files_under(&crate::common::root().join("fixtures/corpus"), &mut files);
    assert!(files.len() >= 12, "the corpus holds a dozen projects");
    let (project, diagnostics) = crate::common::lint(&files);
    insta::assert_snapshot!(crate::common::render(&project, &diagnostics));
}

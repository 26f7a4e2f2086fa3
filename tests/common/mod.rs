//! Shared test helpers: lint files through the whole pipeline, render findings as the
//! snapshot shows them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use stowlint::engine::{self, Diagnostic};
use stowlint::model::{FileModel, Project, SourceFile};
use stowlint::parse::{self, ParseOptions};

/// The crate root, where fixture paths are relative to.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Path as shown: relative to the crate root, `/` separators.
pub fn shown(path: &Path) -> PathBuf {
    path.strip_prefix(root()).unwrap_or(path).to_path_buf()
}

/// Lint these files as one run.
pub fn lint(paths: &[PathBuf]) -> (Project, Vec<Diagnostic>) {
    let opts = ParseOptions::default();
    let files: Vec<FileModel> = paths
        .iter()
        .filter_map(|p| {
            let bytes = std::fs::read(p).expect("fixture readable");
            let shown = shown(p);
            match String::from_utf8(bytes) {
                Ok(text) => parse::parse_file(SourceFile::new(shown, text), &opts, true),
                Err(e) => Some(parse::unreadable(
                    shown,
                    Some(e.as_bytes()),
                    "invalid UTF-8".into(),
                )),
            }
        })
        .collect();
    let project = Project::new(files);
    let diagnostics = engine::run(&project, stowlint::rules::RULES);
    (project, diagnostics)
}

/// Findings exactly as a user reads them: the human report, without colors.
pub fn render(project: &Project, diagnostics: &[Diagnostic]) -> String {
    let report = stowlint::output::Report::new(diagnostics, project);
    stowlint::output::human::render(&report, stowlint::output::human::Options { color: false })
}

/// `# expect: SL101, SL103` markers at the end of a line: (line, code). In Dockerfiles, where
/// comments take whole lines, `# expect-next: SL204` marks the next line.
pub fn expectations(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some((_, rest)) = line.split_once("# expect-next:") {
            for code in rest.split(',') {
                let code = code.trim();
                if !code.is_empty() {
                    out.push((i + 2, code.to_string()));
                }
            }
        } else if let Some((_, rest)) = line.split_once("# expect:") {
            for code in rest.split(',') {
                let code = code.trim();
                if !code.is_empty() {
                    out.push((i + 1, code.to_string()));
                }
            }
        }
    }
    out
}

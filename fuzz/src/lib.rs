//! What every fuzz target checks after a run: no panic (libFuzzer sees those), and every
//! reported span inside its file, on character boundaries, with line and column agreeing with
//! the file's line index.

use stowlint::engine::{self, Diagnostic};
use stowlint::model::{FileModel, Project, SourceFile, Span};
use stowlint::parse::{self, ParseOptions};

/// Parse `text` as `name` (each compose mode), lint it, check every span.
pub fn lint_as(name: &str, text: &str) {
    for mode in [
        parse::ComposeMode::Auto,
        parse::ComposeMode::Standalone,
        parse::ComposeMode::Swarm,
    ] {
        let opts = ParseOptions {
            compose_mode: mode,
            ..ParseOptions::default()
        };
        let Some(model) = parse::parse_file(SourceFile::new(name, text.to_string()), &opts, true)
        else {
            return;
        };
        lint(vec![model]);
    }
}

/// Lint `files` as one project and check every span of every finding.
pub fn lint(files: Vec<FileModel>) -> Vec<Diagnostic> {
    let project = Project::new(files);
    let diagnostics = engine::run(&project, stowlint::rules::RULES);
    for d in &diagnostics {
        check_span(&project, &d.file, d.span, d.code);
        for r in &d.related {
            check_span(&project, &r.file, r.span, d.code);
        }
    }
    diagnostics
}

fn check_span(project: &Project, file: &std::path::Path, span: Span, code: &str) {
    let source = &project
        .files
        .iter()
        .find(|f| f.source.path == file)
        .unwrap_or_else(|| panic!("{code} reported in {}, not in the run", file.display()))
        .source;
    if let Err(e) = source.check_span(span) {
        panic!("{code}: {e} in {:?}", source.text);
    }
}

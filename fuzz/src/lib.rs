//! What every fuzz target checks after a run: no panic (libFuzzer sees those), and every
//! reported span inside its file, on character boundaries, with line and column agreeing with
//! the file's line index.

use stowlint::engine::{self, Diagnostic};
use stowlint::model::{FileModel, Project, SourceFile};
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
    if let Err(e) = engine::check_spans(&project, &diagnostics) {
        panic!("{e}");
    }
    diagnostics
}

/// Names a multi-file input's parts take, in order: two manifests, two compose files of one
/// folder, and the Dockerfiles they may build.
pub const PROJECT_NAMES: &[&str] = &[
    "k8s/app.yaml",
    "k8s/claims.yaml",
    "compose.yaml",
    "compose.override.yaml",
    "Dockerfile",
    "api/Dockerfile",
];

/// The line that separates the files of a multi-file input.
pub const SEPARATOR: &str = "\n%%%%\n";

/// Differential check: the streaming run (files linted alone, models dropped, files whose
/// cross-file answers change linted again) reports exactly what one project reports.
pub fn streaming_matches_batch(text: &str) {
    let files: Vec<(&str, String)> = PROJECT_NAMES
        .iter()
        .copied()
        .zip(text.split(SEPARATOR).map(str::to_string))
        .collect();
    let opts = ParseOptions::default();
    let parse_one = |name: &str, text: &str| {
        parse::parse_file(SourceFile::new(name, text.to_string()), &opts, true)
    };
    let expected = lint(
        files
            .iter()
            .filter_map(|(name, text)| parse_one(name, text))
            .collect(),
    );
    let inputs: Vec<stowlint::pipeline::Input> = files
        .iter()
        .map(|(name, text)| {
            stowlint::pipeline::Input::new(std::path::PathBuf::from(name), false, move || {
                parse_one(name, text)
            })
        })
        .collect();
    let options = stowlint::pipeline::Options::every_rule("/nonexistent");
    let found = stowlint::pipeline::lint(&inputs, &options).diagnostics;
    let show = |d: &[Diagnostic]| d.iter().map(|d| format!("{d:?}")).collect::<Vec<_>>();
    assert_eq!(
        show(&found),
        show(&expected),
        "streaming and batch runs differ"
    );
}

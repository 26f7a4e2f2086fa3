//! One finding per line, `path:line:col: SL102 error: message`: for grep, editors and CI logs.

use std::fmt::Write as _;

use super::{Report, escape_controls, path_shown};

#[must_use]
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(report.diagnostics.len() * 120);
    // Findings come grouped by file: each file's name is written out once.
    let mut file: Option<(&crate::engine::FilePath, String)> = None;
    for d in report.diagnostics {
        if file.as_ref().is_none_or(|(f, _)| *f != &d.file) {
            file = Some((&d.file, path_shown(&d.file)));
        }
        let path = file.as_ref().map_or("", |(_, s)| s.as_str());
        // A message spanning lines would break the one-finding-per-line contract; control
        // characters must not reach a terminal.
        let message = escape_controls(&d.message);
        let _ = writeln!(
            out,
            "{path}:{}:{}: {} {}: {message}",
            d.location.start.line, d.location.start.column, d.code, d.severity,
        );
    }
    out
}

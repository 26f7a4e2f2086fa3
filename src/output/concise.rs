//! One finding per line, `path:line:col: SL102 error: message`: for grep, editors and CI logs.

use std::fmt::Write as _;

use super::{Report, path_str};

#[must_use]
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for d in report.diagnostics {
        // A message spanning lines would break the one-finding-per-line contract.
        let message = d.message.replace(['\r', '\n'], " ");
        let _ = writeln!(
            out,
            "{}:{}:{}: {} {}: {}",
            path_str(&d.file),
            d.span.start.line,
            d.span.start.column,
            d.code,
            d.severity,
            message
        );
    }
    out
}

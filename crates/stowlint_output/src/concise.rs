//! One finding per line, `path:line:col: SL102 error: message`: for grep, editors and CI logs.

use std::fmt::Write as _;

use super::{Report, escape_controls, path_shown};

#[must_use]
pub fn render(report: &Report) -> String {
    super::to_string(|w| write(report, w))
}

/// [`render`], written to `w` a file at a time.
pub fn write(report: &Report, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = String::new();
    for file in report.files() {
        out.clear();
        // Each file's name is written out once.
        let path = path_shown(file.path);
        for d in file.diagnostics.iter() {
            // A message spanning lines would break the one-finding-per-line contract; control
            // characters must not reach a terminal.
            let message = escape_controls(&d.message);
            let _ = writeln!(
                out,
                "{path}:{}:{}: {} {}: {message}",
                d.location.start.line, d.location.start.column, d.code, d.severity,
            );
        }
        w.write_all(out.as_bytes())?;
    }
    Ok(())
}

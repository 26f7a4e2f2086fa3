//! Checkstyle XML, which many CI tools read (reviewdog `-f=checkstyle`, Jenkins warnings-ng,
//! SonarQube): one `<file>` per linted file, one `<error>` per finding with
//! `source="stowlint.SL102"`. A file without findings is an empty `<file>`.

use std::fmt::Write as _;

use super::junit::escape;
use super::{Report, escape_controls, path_str};
use crate::engine::Severity;

#[must_use]
pub fn render(report: &Report) -> String {
    super::to_string(|w| write(report, w))
}

/// [`render`], written to `w` a file at a time.
pub fn write(report: &Report, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    w.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n")?;
    let mut out = String::new();
    for file in report.files() {
        out.clear();
        // Control characters are shown as escapes (`\n`) as in the line formats, then the
        // text is escaped for XML.
        let name = escape(&escape_controls(&path_str(file.path)));
        if file.diagnostics.is_empty() {
            let _ = writeln!(out, "  <file name=\"{name}\"/>");
            w.write_all(out.as_bytes())?;
            continue;
        }
        let _ = writeln!(out, "  <file name=\"{name}\">");
        for d in file.diagnostics.iter() {
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            let _ = writeln!(
                out,
                "    <error line=\"{}\" column=\"{}\" severity=\"{severity}\" message=\"{}\" \
                 source=\"stowlint.{}\"/>",
                d.location.start.line.max(1),
                d.location.start.column.max(1),
                escape(&escape_controls(&d.message)),
                d.code,
            );
        }
        out.push_str("  </file>\n");
        w.write_all(out.as_bytes())?;
    }
    w.write_all(b"</checkstyle>\n")
}

//! Checkstyle XML, which many CI tools read (reviewdog `-f=checkstyle`, Jenkins warnings-ng,
//! SonarQube): one `<file>` per linted file, one `<error>` per finding with
//! `source="stowlint.SL102"`. A file without findings is an empty `<file>`.

use std::fmt::Write as _;

use super::junit::escape;
use super::{Report, escape_controls, path_str};
use crate::engine::Severity;

#[must_use]
pub fn render(report: &Report) -> String {
    let files = report.by_file();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<checkstyle version=\"4.3\">\n");
    for (path, findings) in files {
        // Control characters are shown as escapes (`\n`) as in the line formats, then the
        // text is escaped for XML.
        let name = escape(&escape_controls(&path_str(path)));
        if findings.is_empty() {
            let _ = writeln!(out, "  <file name=\"{name}\"/>");
            continue;
        }
        let _ = writeln!(out, "  <file name=\"{name}\">");
        for d in findings {
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
    }
    out.push_str("</checkstyle>\n");
    out
}

//! GitHub Actions workflow commands: one `::error`, `::warning` or `::notice` line per finding,
//! shown as an annotation on the pull request's diff.

use std::fmt::Write as _;

use super::{Report, escape_controls, path_shown};
use crate::engine::Severity;

#[must_use]
pub fn render(report: &Report) -> String {
    super::to_string(|w| write(report, w))
}

/// [`render`], written to `w` a file at a time.
pub fn write(report: &Report, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = String::new();
    for file in report.files() {
        out.clear();
        let path = property(&path_shown(file.path));
        for d in file.diagnostics.iter() {
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let _ = writeln!(
                out,
                "::{command} file={path},line={},col={},endLine={},endColumn={},title={}::{}",
                d.location.start.line.max(1),
                d.location.start.column.max(1),
                d.location.end.line.max(1),
                d.location.end.column.max(1),
                property(&format!("{} {}", d.code, d.name())),
                data(&escape_controls(&d.message)),
            );
        }
        w.write_all(out.as_bytes())?;
    }
    Ok(())
}

/// The message after `::`: `%`, CR and LF are escaped, so one command stays on one line.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A `key=value` property: also `:` and `,`, which would end the value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("50% of a\r\nb: c, d"), "50%25 of a%0D%0Ab: c, d");
        assert_eq!(property("C:/a,b%\n"), "C%3A/a%2Cb%25%0A");
    }
}

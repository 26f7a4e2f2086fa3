//! JUnit XML for CI test reports (GitLab `artifacts:reports:junit`, Jenkins, Azure): one
//! `testsuite` named `stowlint`, one `testcase` per linted file, one `failure` per finding
//! that fails the run (at or above `fail-on`). Findings below the threshold are listed in the
//! test case's `<system-out>`: the report agrees with the exit code, so a green run shows no
//! failed test.

use std::fmt::Write as _;

use super::{Report, path_str};
use std::path::Path;

use crate::engine::{Diagnostic, Severity};

/// [`render_with`] at the default threshold: warnings and errors fail.
#[must_use]
pub fn render(report: &Report) -> String {
    let fails = |_: &Path, severity: Severity| severity >= Severity::Warning;
    render_with(report, &fails)
}

/// The report; `fails` says which findings fail the run, by file and severity (the file's
/// `fail-on`).
#[must_use]
pub fn render_with(report: &Report, fails: &dyn Fn(&Path, Severity) -> bool) -> String {
    super::to_string(|w| write(report, fails, w))
}

/// [`render_with`], written to `w` a file at a time.
pub fn write(
    report: &Report,
    fails: &dyn Fn(&Path, Severity) -> bool,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // Every linted file is a test case, also one a diagnostic does not name.
    let tests = report.tallies().len();
    let failures = report.count(fails);

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"stowlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"stowlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
    );
    w.write_all(out.as_bytes())?;
    for file in report.files() {
        out.clear();
        let path = escape(&path_str(file.path));
        if file.diagnostics.is_empty() {
            let _ = writeln!(out, "    <testcase name=\"{path}\" classname=\"{path}\"/>");
            w.write_all(out.as_bytes())?;
            continue;
        }
        let _ = writeln!(out, "    <testcase name=\"{path}\" classname=\"{path}\">");
        let (failing, passing): (Vec<&Diagnostic>, Vec<&Diagnostic>) = file
            .diagnostics
            .iter()
            .partition(|d| fails(&d.file, d.severity));
        for d in failing {
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&d.message),
                d.code,
                escape_text(&body(&path, d))
            );
        }
        if !passing.is_empty() {
            let text: Vec<String> = passing.iter().map(|d| body(&path, d)).collect();
            let _ = writeln!(
                out,
                "      <system-out>{}</system-out>",
                escape_text(&text.join("\n"))
            );
        }
        out.push_str("    </testcase>\n");
        w.write_all(out.as_bytes())?;
    }
    w.write_all(b"  </testsuite>\n</testsuites>\n")
}

/// One finding as text: position, rule, severity, message, help and related locations.
fn body(path: &str, d: &Diagnostic) -> String {
    let mut body = format!(
        "{path}:{}:{}: {} {} {}: {}",
        d.location.start.line,
        d.location.start.column,
        d.code,
        d.name(),
        d.severity,
        d.message
    );
    if let Some(help) = &d.help {
        let _ = write!(body, "\nhelp: {help}");
    }
    for r in &d.related {
        let _ = write!(
            body,
            "\nnote: {}:{}:{}: {}",
            path_str(&r.file),
            r.location.start.line,
            r.location.start.column,
            r.message
        );
    }
    body
}

/// Escapes element text: like [`escape`], but line breaks and tabs stay as they are.
fn escape_text(s: &str) -> String {
    escape(s).replace("&#10;", "\n").replace("&#9;", "\t")
}

/// Escapes attribute values (and text). Line breaks become character references so
/// attribute normalization keeps them; characters XML 1.0 forbids become U+FFFD.
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\n\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;&#10;\u{FFFD}"
        );
        assert_eq!(escape_text("a\n\tb\r"), "a\n\tb&#13;");
    }
}

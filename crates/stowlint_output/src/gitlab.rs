//! GitLab Code Quality: a JSON array of issues (`artifacts:reports:codequality`), shown in the
//! merge request widget and diff.
//!
//! Severity mapping (GitLab knows `info`, `minor`, `major`, `critical`, `blocker`): `error` →
//! `major`, `warning` → `minor`, `info` → `info`. `critical` and `blocker` are left to security
//! scanners' exploitable findings; a misconfiguration we report is serious but not that.

use serde::Serialize;

use super::{Report, path_str};
use crate::engine::{self, Severity};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

#[must_use]
pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

#[must_use]
pub fn render(report: &Report) -> String {
    super::to_string(|w| write(report, w))
}

/// The issues, each turned into JSON as it is written, a file at a time.
struct Issues<'r, 'a>(&'r Report<'a>);

impl Serialize for Issues<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = serializer.serialize_seq(None)?;
        for file in self.0.files() {
            let text = file.source.as_deref().map(|s| s.text.as_str());
            let fingerprints = engine::file_fingerprints(file.path, text, &file.diagnostics);
            for (d, fingerprint) in file.diagnostics.iter().zip(fingerprints) {
                let begin = d.location.start.line.max(1);
                // Lines are inclusive: a span that ends at the start of a line ends on the one
                // before.
                let end = if d.location.end.column <= 1 && d.location.end.line > begin {
                    d.location.end.line - 1
                } else {
                    d.location.end.line
                };
                seq.serialize_element(&Issue {
                    // The widget shows the description only: it names the rule.
                    description: format!("{}: {}", d.code, d.message),
                    check_name: d.code.as_str(),
                    fingerprint,
                    severity: severity(d.severity),
                    location: Location {
                        path: path_str(&d.file),
                        lines: Lines {
                            begin,
                            end: end.max(begin),
                        },
                    },
                })?;
            }
        }
        seq.end()
    }
}

/// [`render`], each issue written as it is made.
///
/// # Errors
/// Writing to `w` failed.
pub fn write(report: &Report, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    super::write_json(&Issues(report), w)
}

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
    let fingerprints = engine::fingerprints(report.project, report.diagnostics);
    let issues: Vec<Issue> = report
        .diagnostics
        .iter()
        .zip(fingerprints)
        .map(|(d, fingerprint)| {
            let begin = d.location.start.line.max(1);
            // Lines are inclusive: a span that ends at the start of a line ends on the one
            // before.
            let end = if d.location.end.column <= 1 && d.location.end.line > begin {
                d.location.end.line - 1
            } else {
                d.location.end.line
            };
            Issue {
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
            }
        })
        .collect();
    // Serializing plain structs of strings and numbers cannot fail.
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_default();
    out.push('\n');
    out
}

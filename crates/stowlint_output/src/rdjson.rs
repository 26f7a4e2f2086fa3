//! reviewdog's Diagnostic Format (rdjson, `reviewdog -f=rdjson`): one JSON object with the
//! tool as `source` and a `diagnostics` array. reviewdog counts columns in UTF-8 bytes from 1;
//! they are computed from the source's line index when the text was kept, else our character
//! columns stand in (equal on ASCII lines).

use serde::Serialize;

use super::{Report, docs, escape_controls, path_str};
use crate::engine::Severity;
use crate::model::{Location as Located, Pos, SourceFile};

#[derive(Serialize)]
struct Doc<'a> {
    source: Source,
    diagnostics: Vec<Diagnostic<'a>>,
}

#[derive(Serialize)]
struct Source {
    name: &'static str,
    url: String,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    message: String,
    location: Location,
    severity: &'static str,
    code: Code<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Related>,
}

#[derive(Serialize)]
struct Code<'a> {
    value: &'a str,
    url: String,
}

#[derive(Serialize)]
struct Related {
    message: String,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    range: Range,
}

#[derive(Serialize)]
struct Range {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

fn source() -> Source {
    Source {
        name: "stowlint",
        url: docs::index_url(),
    }
}

/// 1-based UTF-8 byte column of `pos`, from the line index when the text is at hand.
fn position(file: Option<&SourceFile>, pos: Pos) -> Position {
    let column = file
        .filter(|f| pos.line >= 1 && pos.line <= f.index.line_count())
        .map(|f| f.index.line_start(pos.line))
        .filter(|&start| start <= pos.offset)
        .map_or(pos.column, |start| pos.offset - start + 1);
    Position {
        line: pos.line.max(1),
        column: column.max(1),
    }
}

fn location(report: &Report, path: &std::path::Path, span: Located) -> Location {
    let file = report.source(path).filter(|f| !f.text.is_empty());
    Location {
        path: path_str(path),
        range: Range {
            start: position(file, span.start),
            end: position(file, span.end),
        },
    }
}

#[must_use]
pub fn render(report: &Report) -> String {
    let doc = Doc {
        source: source(),
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| {
                // reviewdog posts the text as is: control characters and bidirectional
                // marks are shown as escapes, as in the line formats; the help is a line of
                // its own.
                let mut message = escape_controls(&d.message).into_owned();
                if let Some(help) = &d.help {
                    message.push_str("\nhelp: ");
                    message.push_str(&escape_controls(help));
                }
                Diagnostic {
                    message,
                    location: location(report, &d.file, d.location),
                    severity: match d.severity {
                        Severity::Error => "ERROR",
                        Severity::Warning => "WARNING",
                        Severity::Info => "INFO",
                    },
                    code: Code {
                        value: d.code.as_str(),
                        url: docs::rule_url(d.code.as_str()),
                    },
                    related_locations: d
                        .related
                        .iter()
                        .map(|r| Related {
                            message: escape_controls(&r.message).into_owned(),
                            location: location(report, &r.file, r.location),
                        })
                        .collect(),
                }
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

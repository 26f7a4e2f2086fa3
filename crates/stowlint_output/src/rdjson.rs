//! reviewdog's Diagnostic Format (rdjson, `reviewdog -f=rdjson`): one JSON object with the
//! tool as `source` and a `diagnostics` array. reviewdog counts columns in UTF-8 bytes from 1;
//! they are computed from the source's line index when the text was kept, else our character
//! columns stand in (equal on ASCII lines).

use serde::Serialize;

use super::{Report, docs, escape_controls, path_str};
use crate::engine::Severity;
use crate::model::{Location as Located, Pos, SourceFile};

#[derive(Serialize)]
struct Doc<'r, 'a> {
    source: Source,
    diagnostics: Diagnostics<'r, 'a>,
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

/// Where `span` of `path` is: columns from the text of `own` (the file being rendered) when
/// it is that file, else from the report's copy of the other file's text.
fn location<'a>(
    report: &Report<'a>,
    own: &super::FileReport,
    others: &mut Others<'a>,
    path: &std::path::Path,
    span: Located,
) -> Location {
    let file = if path == own.path {
        own.text()
    } else {
        others
            .entry(path.to_path_buf())
            .or_insert_with(|| report.source(path))
            .as_deref()
            .filter(|f| !f.text.is_empty())
    };
    Location {
        path: path_str(path),
        range: Range {
            start: position(file, span.start),
            end: position(file, span.end),
        },
    }
}

/// The texts of other files that one file's findings point into, read once per file.
type Others<'a> =
    std::collections::HashMap<std::path::PathBuf, Option<std::borrow::Cow<'a, SourceFile>>>;

/// The findings, each turned into JSON as it is written, a file at a time.
struct Diagnostics<'r, 'a>(&'r Report<'a>);

impl Serialize for Diagnostics<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let report = self.0;
        let mut seq = serializer.serialize_seq(None)?;
        for file in report.files() {
            let mut others = Others::new();
            for d in file.diagnostics.iter() {
                // reviewdog posts the text as is: control characters and bidirectional
                // marks are shown as escapes, as in the line formats; the help is a line of
                // its own.
                let mut message = escape_controls(&d.message).into_owned();
                if let Some(help) = &d.help {
                    message.push_str("\nhelp: ");
                    message.push_str(&escape_controls(help));
                }
                seq.serialize_element(&Diagnostic {
                    message,
                    location: location(report, &file, &mut others, &d.file, d.location),
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
                            location: location(report, &file, &mut others, &r.file, r.location),
                        })
                        .collect(),
                })?;
            }
        }
        seq.end()
    }
}

#[must_use]
pub fn render(report: &Report) -> String {
    super::to_string(|w| write(report, w))
}

/// [`render`], each finding written as it is made.
///
/// # Errors
/// Writing to `w` failed.
pub fn write(report: &Report, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let doc = Doc {
        source: source(),
        diagnostics: Diagnostics(report),
    };
    super::write_json(&doc, w)
}

//! The versioned JSON contract (`version: 1`) of `check --format json`. Fields are only ever
//! added; changing one means a new version. `rules --format json` and `check --statistics
//! --format json` share the version ([`VERSION`]).

use serde::Serialize;

use super::{Report, Summary, docs, path_str};
use crate::engine::Severity;
use crate::model::{Location, Pos};

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<D: Serialize> {
    version: u32,
    /// The findings, serialized as they are written.
    diagnostics: D,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    /// The rule's documentation page.
    url: String,
    file: String,
    span: JsonSpan,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: String,
    span: JsonSpan,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonSpan {
    start: JsonPos,
    end: JsonPos,
    /// Byte offset of the start.
    offset: usize,
    /// Length in bytes.
    length: usize,
}

#[derive(Serialize)]
struct JsonPos {
    line: usize,
    column: usize,
}

impl From<Pos> for JsonPos {
    fn from(p: Pos) -> Self {
        Self {
            line: p.line,
            column: p.column,
        }
    }
}

impl From<Location> for JsonSpan {
    fn from(s: Location) -> Self {
        Self {
            start: s.start.into(),
            end: s.end.into(),
            offset: s.start.offset,
            length: s.end.offset.saturating_sub(s.start.offset),
        }
    }
}

/// The report as one JSON document.
#[must_use]
pub fn render(report: &Report) -> String {
    super::to_string(|w| write(report, w))
}

/// The findings, each turned into JSON as it is written, a file at a time.
struct Diagnostics<'r, 'a>(&'r Report<'a>);

impl Serialize for Diagnostics<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = serializer.serialize_seq(None)?;
        for file in self.0.files() {
            for d in file.diagnostics.iter() {
                seq.serialize_element(&JsonDiagnostic {
                    code: d.code.as_str(),
                    name: d.name(),
                    severity: d.severity,
                    message: &d.message,
                    help: d.help.as_deref(),
                    url: docs::rule_url(d.code.as_str()),
                    file: path_str(&d.file),
                    span: d.location.into(),
                    related: d
                        .related
                        .iter()
                        .map(|r| JsonRelated {
                            file: path_str(&r.file),
                            span: r.location.into(),
                            message: &r.message,
                        })
                        .collect(),
                })?;
            }
        }
        seq.end()
    }
}

/// Write the report as one JSON document, each finding turned into JSON as it is written.
///
/// # Errors
/// Writing to `out` failed.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let doc = JsonReport {
        version: VERSION,
        diagnostics: Diagnostics(report),
        summary: report.summary(),
    };
    super::write_json(&doc, out)
}

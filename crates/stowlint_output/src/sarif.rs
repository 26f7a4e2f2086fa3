//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers. Hand-written structs (a
//! SARIF crate costs ~20 s of build for ~40 lines); `tests/it/sarif.rs` validates real output
//! against the OASIS schema.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

use super::{Report, docs, path_str};
use crate::engine::{self, Rule, RuleMeta, Severity};
use crate::model::Location as Located;

pub const SCHEMA: &str = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";

/// The base every relative artifact URI is resolved against: the folder stowlint ran in.
pub const SRCROOT: &str = "%SRCROOT%";

/// The key of our fingerprints in `partialFingerprints`; the version changes if the
/// fingerprint's recipe ever does.
pub const FINGERPRINT_KEY: &str = "stowlint/v1";

/// What SARIF needs beyond the findings.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// The folder relative paths are relative to (the current folder); `None` leaves
    /// `%SRCROOT%` for the viewer to resolve (GitHub resolves it to the checkout).
    pub srcroot: Option<&'a Path>,
    /// False when a path given on the command line could not be read.
    pub execution_successful: bool,
    /// Every rule the run knows, for `tool.driver.rules`.
    pub rules: &'a [&'a dyn Rule],
}

#[derive(Serialize)]
struct Log<R: Serialize> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<R>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<R: Serialize> {
    tool: Tool,
    invocations: [Invocation; 1],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    /// Our columns count characters, not UTF-16 code units.
    column_kind: &'static str,
    /// The results, serialized as they are written.
    results: R,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<String>,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Message<'a>,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties<'a>>,
}

/// SARIF has no per-result help; the property bag carries ours.
#[derive(Serialize)]
struct ResultProperties<'a> {
    help: &'a str,
}

#[derive(Serialize)]
struct Message<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

/// `info` is SARIF's `note`.
#[must_use]
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The report as one SARIF log.
#[must_use]
pub fn render(report: &Report, opts: &Options) -> String {
    super::to_string(|w| write(report, opts, w))
}

/// The results, each turned into JSON as it is written, a file at a time.
struct Results<'r, 'a> {
    report: &'r Report<'a>,
    /// Rule codes by their index in the log's `rules`.
    index: HashMap<&'static str, usize>,
}

impl Serialize for Results<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = serializer.serialize_seq(None)?;
        for file in self.report.files() {
            let text = file.source.as_deref().map(|s| s.text.as_str());
            let fingerprints = engine::file_fingerprints(file.path, text, &file.diagnostics);
            for (d, fingerprint) in file.diagnostics.iter().zip(fingerprints) {
                seq.serialize_element(&SarifResult {
                    rule_id: d.code.as_str(),
                    // Every diagnostic comes from a registered rule; 0 keeps the output valid
                    // if not.
                    rule_index: self.index.get(d.code.as_str()).copied().unwrap_or(0),
                    level: level(d.severity),
                    message: Message { text: &d.message },
                    locations: [Location {
                        id: None,
                        physical_location: physical(&d.file, d.location),
                        message: None,
                    }],
                    related_locations: d
                        .related
                        .iter()
                        .enumerate()
                        .map(|(i, r)| Location {
                            id: Some(i + 1),
                            physical_location: physical(&r.file, r.location),
                            message: Some(Message { text: &r.message }),
                        })
                        .collect(),
                    partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
                    properties: d.help.as_deref().map(|help| ResultProperties { help }),
                })?;
            }
        }
        seq.end()
    }
}

/// Write the report as one SARIF log, each result turned into JSON as it is written.
///
/// # Errors
/// Writing to `out` failed.
pub fn write(report: &Report, opts: &Options, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let metas: Vec<&'static RuleMeta> = opts.rules.iter().map(|r| r.meta()).collect();
    let index: HashMap<&'static str, usize> =
        metas.iter().enumerate().map(|(i, m)| (m.code, i)).collect();
    let results = Results { report, index };
    let mut original_uri_base_ids = BTreeMap::new();
    if let Some(root) = opts.srcroot {
        let mut uri = file_uri(root);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        original_uri_base_ids.insert(
            SRCROOT,
            ArtifactLocation {
                uri,
                uri_base_id: None,
            },
        );
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "stowlint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: Some(docs::index_url()),
                    rules: metas.iter().map(|m| descriptor(m)).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: opts.execution_successful,
            }],
            original_uri_base_ids,
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    super::write_json(&log, out)
}

fn descriptor(m: &'static RuleMeta) -> ReportingDescriptor {
    let docs = m.docs();
    let what = section(&docs, "What it does");
    let why = section(&docs, "Why is this bad?");
    let full = match (what.is_empty(), why.is_empty()) {
        (false, false) => format!("{what}\n\n{why}"),
        (false, true) => what,
        _ => m.summary(),
    };
    let family = match m.family() {
        "SL0" => "linter",
        "SL1" => "bind-mounts",
        "SL2" => "ephemeral",
        "SL3" => "memory",
        "SL4" => "orchestrator",
        "SL5" => "wiring",
        _ => "other",
    };
    ReportingDescriptor {
        id: m.code,
        name: m.name,
        short_description: Text { text: m.summary() },
        full_description: Text { text: full },
        help: Help {
            text: docs.clone(),
            markdown: docs,
        },
        help_uri: Some(docs::rule_url(m.code)),
        default_configuration: Configuration {
            level: level(m.severity),
        },
        properties: RuleProperties {
            tags: vec![family, "storage"],
        },
    }
}

/// The text under `## heading`, up to the next heading, lines joined into paragraphs.
fn section(docs: &str, heading: &str) -> String {
    let Some((_, rest)) = docs.split_once(&format!("## {heading}")) else {
        return String::new();
    };
    let body = rest.split("\n## ").next().unwrap_or("");
    body.split("\n\n")
        .map(|para| {
            para.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn physical(path: &Path, span: Located) -> PhysicalLocation {
    // SARIF lines and columns start at 1; a default span (no position) becomes 1:1.
    let start_line = span.start.line.max(1);
    let start_column = span.start.column.max(1);
    let end_line = span.end.line.max(start_line);
    let end_column = if end_line == start_line {
        span.end.column.max(start_column)
    } else {
        span.end.column.max(1)
    };
    PhysicalLocation {
        artifact_location: artifact(path),
        region: Region {
            start_line,
            start_column,
            end_line,
            end_column,
        },
    }
}

/// A relative path is resolved against `%SRCROOT%`; one outside the current folder is
/// absolute and becomes a `file:` URI.
fn artifact(path: &Path) -> ArtifactLocation {
    if path.is_absolute() || path_str(path).starts_with('/') {
        ArtifactLocation {
            uri: file_uri(path),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: encode(&path_str(path)),
            uri_base_id: Some(SRCROOT),
        }
    }
}

/// `file:///abs/path`, also for Windows paths (`C:/x` → `file:///C:/x`).
fn file_uri(path: &Path) -> String {
    let p = path_str(path);
    if p.starts_with('/') {
        format!("file://{}", encode(&p))
    } else {
        format!("file:///{}", encode(&p))
    }
}

/// Percent-encodes everything but unreserved characters, `/` and a drive letter's `:`.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, b) in path.bytes().enumerate() {
        let drive_colon = b == b':' && i == 1 && path.as_bytes()[0].is_ascii_alphabetic();
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) || drive_colon {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            encode("deploy/my app/compose.yaml"),
            "deploy/my%20app/compose.yaml"
        );
        assert_eq!(encode("<stdin>"), "%3Cstdin%3E");
        assert_eq!(encode("C:/x y"), "C:/x%20y");
        assert_eq!(encode("ü"), "%C3%BC");
        assert_eq!(file_uri(Path::new("/work/a b")), "file:///work/a%20b");
    }

    #[test]
    fn relative_paths_use_srcroot() {
        let a = artifact(Path::new("examples/webapp/compose.yaml"));
        assert_eq!(a.uri, "examples/webapp/compose.yaml");
        assert_eq!(a.uri_base_id, Some(SRCROOT));
        let b = artifact(Path::new("/srv/compose.yaml"));
        assert_eq!(b.uri, "file:///srv/compose.yaml");
        assert_eq!(b.uri_base_id, None);
    }

    #[test]
    fn sections_are_read_from_the_docs() {
        let docs = "## What it does\nFlags a\nthing.\n\n## Why is this bad?\nIt\nhurts.\n\nTwice.\n## Example\nx";
        assert_eq!(section(docs, "What it does"), "Flags a thing.");
        assert_eq!(section(docs, "Why is this bad?"), "It hurts.\n\nTwice.");
        assert_eq!(section(docs, "Options"), "");
    }
}

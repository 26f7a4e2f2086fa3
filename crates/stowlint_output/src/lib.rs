//! Renderers: one diagnostic type, many formats. Each renderer is a small file that turns a
//! [`Report`] into text; none of them parses anything.

use std::io::Write as _;

// The layers below under the names the modules use (`crate::engine::Diagnostic`).
use stowlint_model as model;
use stowlint_model::par;
use stowlint_rules::engine;

pub mod catalog;
pub mod checkstyle;
pub mod concise;
pub mod docs;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod rdjson;
pub mod sarif;
pub mod statistics;

use std::borrow::Cow;
use std::path::Path;

use crate::engine::{Diagnostic, Severity};

/// The text a writing renderer writes (tests and callers that want a string).
pub(crate) fn to_string(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail, and renderers write only UTF-8.
    let _ = write(&mut out);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Pretty JSON of `value`, ended by a line break, written through a buffer.
pub(crate) fn write_json(
    value: &impl serde::Serialize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}
use crate::model::{Project, SourceFile};
pub use store::{Entry, Kept, Store};

pub mod store;

/// What a run found: the renderers' only input. Renderers read it a file at a time
/// ([`Report::files`]): a run's findings may be far more than memory should hold at once.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    files: Files<'a>,
    /// Paths named on the command line that could not be read (the run fails): the summary
    /// must not say all is well.
    pub failed_paths: usize,
}

#[derive(Clone, Copy, Debug)]
enum Files<'a> {
    /// Findings in memory, with a project holding the files' texts (tests, the editor).
    Slice {
        diagnostics: &'a [Diagnostic],
        project: &'a Project,
    },
    /// A run's records (see [`store`]), one entry per linted file in report order.
    Store {
        store: &'a Store,
        entries: &'a [Entry],
    },
}

/// One linted file of a report, with its findings in report order.
#[derive(Debug)]
pub struct FileReport<'a> {
    /// The file as reports name it.
    pub path: &'a Path,
    /// Its text, when it was kept (a file with findings, for renderers that quote it).
    pub source: Option<Cow<'a, SourceFile>>,
    pub diagnostics: Cow<'a, [Diagnostic]>,
}

impl FileReport<'_> {
    /// The file's text when kept and not empty.
    #[must_use]
    pub fn text(&self) -> Option<&SourceFile> {
        self.source.as_deref().filter(|s| !s.text.is_empty())
    }
}

impl<'a> Report<'a> {
    /// The report of findings in memory; `project` holds the linted files and their texts.
    #[must_use]
    pub fn new(diagnostics: &'a [Diagnostic], project: &'a Project) -> Self {
        Self {
            files: Files::Slice {
                diagnostics,
                project,
            },
            failed_paths: 0,
        }
    }

    /// The report of a run's records: `entries` in report order.
    #[must_use]
    pub fn stored(store: &'a Store, entries: &'a [Entry]) -> Self {
        Self {
            files: Files::Store { store, entries },
            failed_paths: 0,
        }
    }

    /// The report of a run in which `n` paths could not be read.
    #[must_use]
    pub fn with_failed_paths(mut self, n: usize) -> Self {
        self.failed_paths = n;
        self
    }

    /// Every linted file (context files aside), in report order, with its findings: a file
    /// without findings has an empty list (JUnit and checkstyle list it as passed). Stored
    /// findings are read back one file at a time.
    pub fn files(&self) -> Box<dyn Iterator<Item = FileReport<'a>> + 'a> {
        match self.files {
            Files::Slice {
                diagnostics,
                project,
            } => Box::new(slice_files(diagnostics, project).into_iter()),
            Files::Store { store, entries } => Box::new(entries.iter().map(move |e| {
                let (source, diagnostics) = store.read(e);
                FileReport {
                    path: e.path.as_path(),
                    source: source.map(Cow::Owned),
                    diagnostics: Cow::Owned(diagnostics),
                }
            })),
        }
    }

    /// Each linted file with how many findings of each severity it has (info, warning,
    /// error), without reading the findings back.
    #[must_use]
    pub fn tallies(&self) -> Vec<(&'a Path, [u32; 3])> {
        match self.files {
            Files::Slice {
                diagnostics,
                project,
            } => slice_files(diagnostics, project)
                .into_iter()
                .map(|f| {
                    let mut counts = [0u32; 3];
                    for d in f.diagnostics.iter() {
                        counts[d.severity as usize] += 1;
                    }
                    (f.path, counts)
                })
                .collect(),
            Files::Store { entries, .. } => entries
                .iter()
                .map(|e| (e.path.as_path(), e.counts()))
                .collect(),
        }
    }

    /// Whether a finding of some file with some severity satisfies `f` (say, fails the run).
    #[must_use]
    pub fn any(&self, f: impl Fn(&Path, Severity) -> bool) -> bool {
        self.tallies().into_iter().any(|(path, counts)| {
            [Severity::Info, Severity::Warning, Severity::Error]
                .into_iter()
                .any(|s| counts[s as usize] > 0 && f(path, s))
        })
    }

    /// How many findings satisfy `f` (by their file and severity).
    #[must_use]
    pub fn count(&self, f: impl Fn(&Path, Severity) -> bool) -> usize {
        self.tallies()
            .into_iter()
            .map(|(path, counts)| {
                [Severity::Info, Severity::Warning, Severity::Error]
                    .into_iter()
                    .filter(|&s| f(path, s))
                    .map(|s| counts[s as usize] as usize)
                    .sum::<usize>()
            })
            .sum()
    }

    /// Whether the report lost findings on the way (a record that could not be read back from
    /// the temporary file): the run must fail.
    #[must_use]
    pub fn incomplete(&self) -> bool {
        match self.files {
            Files::Slice { .. } => false,
            Files::Store { store, .. } => store.lost(),
        }
    }

    #[must_use]
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            failed_paths: self.failed_paths,
            ..Summary::default()
        };
        for (_, [infos, warnings, errors]) in self.tallies() {
            summary.infos += infos as usize;
            summary.warnings += warnings as usize;
            summary.errors += errors as usize;
        }
        summary.files = match self.files {
            // Findings of files outside the project (hand-made in tests) are not files read.
            Files::Slice { project, .. } => project.files.iter().filter(|f| !f.context).count(),
            Files::Store { entries, .. } => entries.len(),
        };
        summary
    }

    /// The text of another file than the one being rendered (a related location's), when
    /// kept.
    #[must_use]
    pub fn source(&self, path: &Path) -> Option<Cow<'a, SourceFile>> {
        match self.files {
            Files::Slice { project, .. } => project
                .files
                .iter()
                .map(|f| &f.source)
                .find(|s| s.path == path)
                .map(Cow::Borrowed),
            Files::Store { store, entries } => {
                // Entries are in path order (a run sorts its files so).
                let entry = match entries.binary_search_by(|e| e.path.as_path().cmp(path)) {
                    Ok(i) => &entries[i],
                    Err(_) => entries.iter().find(|e| e.path.as_path() == path)?,
                };
                store.read(entry).0.map(Cow::Owned)
            }
        }
    }
}

/// The files of findings in memory, in path order: the project's linted files and any other
/// file a finding names; each file's findings in their order in `diagnostics` (borrowed when
/// they are next to each other, as a run gives them).
fn slice_files<'a>(diagnostics: &'a [Diagnostic], project: &'a Project) -> Vec<FileReport<'a>> {
    let mut files: std::collections::BTreeMap<&'a Path, (Option<&'a SourceFile>, Vec<usize>)> =
        project
            .files
            .iter()
            .filter(|f| !f.context)
            .map(|f| (f.source.path.as_path(), (Some(&f.source), Vec::new())))
            .collect();
    for (i, d) in diagnostics.iter().enumerate() {
        files.entry(d.file.as_path()).or_default().1.push(i);
    }
    files
        .into_iter()
        .map(|(path, (source, found))| {
            let next_to_each_other = found.windows(2).all(|w| w[1] == w[0] + 1);
            let diagnostics = match (found.first(), found.last()) {
                (Some(&first), Some(&last)) if next_to_each_other => {
                    Cow::Borrowed(&diagnostics[first..=last])
                }
                _ => Cow::Owned(found.iter().map(|&i| diagnostics[i].clone()).collect()),
            };
            let source = source.or_else(|| {
                project
                    .files
                    .iter()
                    .map(|f| &f.source)
                    .find(|s| s.path == path)
            });
            FileReport {
                path,
                source: source.map(Cow::Borrowed),
                diagnostics,
            }
        })
        .collect()
}

/// Counts for the closing line and the JSON `summary`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Files linted: read and recognised as Dockerfile, Compose or Kubernetes, or unreadable.
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Paths that could not be read: the run failed whatever was found.
    #[serde(skip)]
    pub failed_paths: usize,
}

/// `text` safe to print where a terminal or a CI runner reads it: control characters (line
/// breaks, CR, ESC, BEL, the C1 range) and bidirectional overrides become visible escapes
/// (`\n`, `\u{1b}`). A compose service named `"db\n::add-mask::x"` must not put a line
/// starting with `::` on a GitHub runner's standard output, nor an escape sequence reach a
/// terminal. Structured formats (JSON, SARIF, XML) escape by their own rules instead.
#[must_use]
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe_char(c) => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Control characters, and the invisible marks that reorder text on screen ("trojan source").
#[must_use]
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// [`path_str`] for text that people and CI runners read ([`escape_controls`]): a file named
/// `"a\n::error::x.yaml"` must not forge a line of its own.
#[must_use]
pub fn path_shown(path: &Path) -> String {
    escape_controls(&path_str(path)).into_owned()
}

/// A path as reports show it: `/` separators on every platform.
#[must_use]
pub fn path_str(path: &Path) -> String {
    let s = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

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

use std::path::Path;

use crate::engine::{Diagnostic, Severity};

/// A JSON array serialized from an iterator as it is written: a report's findings are turned
/// into their JSON shape one at a time, never all at once (JSON and SARIF documents are
/// written straight to their file or standard output).
pub(crate) struct Lazy<I>(std::cell::RefCell<Option<I>>);

impl<I> Lazy<I> {
    pub(crate) fn new(items: I) -> Self {
        Self(std::cell::RefCell::new(Some(items)))
    }
}

impl<I> serde::Serialize for Lazy<I>
where
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Serialized once: a second time would write an empty array.
        let items = self.0.borrow_mut().take();
        serializer.collect_seq(items.into_iter().flatten())
    }
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

/// What a run found: the renderers' only input.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    pub diagnostics: &'a [Diagnostic],
    pub project: &'a Project,
    /// Paths named on the command line that could not be read (the run fails): the summary
    /// must not say all is well.
    pub failed_paths: usize,
}

impl<'a> Report<'a> {
    #[must_use]
    pub fn new(diagnostics: &'a [Diagnostic], project: &'a Project) -> Self {
        Self {
            diagnostics,
            project,
            failed_paths: 0,
        }
    }

    /// The report of a run in which `n` paths could not be read.
    #[must_use]
    pub fn with_failed_paths(mut self, n: usize) -> Self {
        self.failed_paths = n;
        self
    }

    /// Every linted file (context files aside), in path order, with its findings: a file
    /// without findings has an empty list (JUnit and checkstyle list it as passed).
    #[must_use]
    pub fn by_file(&self) -> std::collections::BTreeMap<&'a Path, Vec<&'a Diagnostic>> {
        let mut files: std::collections::BTreeMap<&'a Path, Vec<&'a Diagnostic>> = self
            .project
            .files
            .iter()
            .filter(|f| !f.context)
            .map(|f| (f.source.path.as_path(), Vec::new()))
            .collect();
        for d in self.diagnostics {
            files.entry(d.file.as_path()).or_default().push(d);
        }
        files
    }

    #[must_use]
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            files: self.project.files.iter().filter(|f| !f.context).count(),
            failed_paths: self.failed_paths,
            ..Summary::default()
        };
        for d in self.diagnostics {
            match d.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
            }
        }
        summary
    }

    /// The source a diagnostic or related location points into.
    #[must_use]
    pub fn source(&self, path: &Path) -> Option<&'a SourceFile> {
        self.project
            .files
            .iter()
            .map(|f| &f.source)
            .find(|s| s.path == path)
    }
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

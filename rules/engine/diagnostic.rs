//! The one diagnostic type every renderer reads.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::{Location, Span};

/// A file as diagnostics name it: shared by all the findings of one file (a run may keep
/// hundreds of thousands of them), compared and ordered as a path.
#[derive(Clone, Eq)]
pub struct FilePath(Arc<Path>);

impl std::hash::Hash for FilePath {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Equal paths hash alike however they are shared.
        self.0.hash(state);
    }
}

impl PartialEq for FilePath {
    fn eq(&self, other: &Self) -> bool {
        // Findings of one file share one path: no component walk.
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl PartialOrd for FilePath {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FilePath {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if Arc::ptr_eq(&self.0, &other.0) {
            return std::cmp::Ordering::Equal;
        }
        self.0.cmp(&other.0)
    }
}

impl FilePath {
    #[must_use]
    pub fn as_path(&self) -> &Path {
        &self.0
    }

    #[must_use]
    pub fn to_path_buf(&self) -> PathBuf {
        self.0.to_path_buf()
    }
}

impl std::fmt::Debug for FilePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::ops::Deref for FilePath {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for FilePath {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl From<PathBuf> for FilePath {
    fn from(path: PathBuf) -> Self {
        Self(Arc::from(path))
    }
}

impl From<&Path> for FilePath {
    fn from(path: &Path) -> Self {
        Self(Arc::from(path))
    }
}

impl From<&str> for FilePath {
    fn from(path: &str) -> Self {
        Self(Arc::from(Path::new(path)))
    }
}

impl From<&PathBuf> for FilePath {
    fn from(path: &PathBuf) -> Self {
        Self(Arc::from(path.as_path()))
    }
}

impl PartialEq<Path> for FilePath {
    fn eq(&self, other: &Path) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<PathBuf> for FilePath {
    fn eq(&self, other: &PathBuf) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<FilePath> for PathBuf {
    fn eq(&self, other: &FilePath) -> bool {
        **self == *other.0
    }
}

/// Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// One level lower (`cache` images, read-only binds); `info` stays `info`.
    #[must_use]
    pub fn lower(self) -> Severity {
        match self {
            Severity::Error => Severity::Warning,
            Severity::Warning | Severity::Info => Severity::Info,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Another location that tells the rest of the story (a declaration, a claim's access modes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub file: FilePath,
    pub span: Span,
    /// Where `span` is in lines and columns: filled in by the engine, which has the file.
    pub location: Location,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule that reports it.
    pub code: crate::engine::Code,
    pub severity: Severity,
    pub message: String,
    pub help: Option<Cow<'static, str>>,
    pub file: FilePath,
    pub span: Span,
    /// Where `span` is in lines and columns: filled in by the engine when the finding is made,
    /// while the file's text is at hand (a streaming run keeps the findings, not the text).
    pub location: Location,
    pub related: Vec<Related>,
    /// The mount the finding is about (its entry's byte range), for precedence within a rule
    /// family: offsets are enough within one file, and a run keeps every finding. Public like
    /// the other fields (the language server's fixes and the renderers' tests read or build
    /// it); [`Diagnostic::subject`] sets it from a span.
    pub subject: Option<(usize, usize)>,
}

impl Diagnostic {
    /// The rule's name (`container-runtime-socket`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.code.name()
    }

    pub fn help(&mut self, help: impl Into<Cow<'static, str>>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// A related location in the same file.
    pub fn label(&mut self, span: Span, message: impl Into<String>) -> &mut Self {
        let file = self.file.clone();
        self.related(file, span, message)
    }

    /// A related location in any file.
    pub fn related(
        &mut self,
        file: impl Into<FilePath>,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Self {
        self.related.push(Related {
            file: file.into(),
            span,
            location: Location::default(),
            message: message.into(),
        });
        self
    }

    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }

    /// The byte range of the mount the finding is about, when it is about one.
    #[must_use]
    pub fn subject_range(&self) -> Option<(usize, usize)> {
        self.subject
    }

    /// Marks the mount the finding is about (its entry span). Findings reported from
    /// `check_mount` are about its mount without it.
    pub fn subject(&mut self, span: Span) -> &mut Self {
        self.subject = Some((span.start(), span.end()));
        self
    }
}

//! The one diagnostic type every renderer reads.

use std::path::PathBuf;

use crate::model::Span;

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
    pub file: PathBuf,
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub file: PathBuf,
    pub span: Span,
    pub related: Vec<Related>,
    /// The mount (entry span) the finding is about, for precedence within a rule family.
    pub(crate) subject: Option<Span>,
}

impl Diagnostic {
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
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
        file: impl Into<PathBuf>,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Self {
        self.related.push(Related {
            file: file.into(),
            span,
            message: message.into(),
        });
        self
    }

    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }

    /// Marks the mount the finding is about (its entry span).
    pub fn subject(&mut self, span: Span) -> &mut Self {
        self.subject = Some(span);
        self
    }
}

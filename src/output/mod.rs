//! Renderers: one diagnostic type, many formats. Each renderer is a small file that turns a
//! [`Report`] into text; none of them parses anything.

pub mod catalog;
pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod statistics;

use std::path::Path;

use crate::engine::{Diagnostic, Severity};
use crate::model::{Project, SourceFile};

/// What a run found: the renderers' only input.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    pub diagnostics: &'a [Diagnostic],
    pub project: &'a Project,
}

impl<'a> Report<'a> {
    #[must_use]
    pub fn new(diagnostics: &'a [Diagnostic], project: &'a Project) -> Self {
        Self {
            diagnostics,
            project,
        }
    }

    #[must_use]
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            files: self.project.files.iter().filter(|f| !f.context).count(),
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

//! Parsers: text in, model and spans out. They know nothing of rules or output formats, and
//! read no disk: side files come through an injected [`SideFiles`] reader.

// The model under the name the modules use (`crate::model::Span`), as when they were one crate.
use stowlint_model as model;

pub mod compose;
pub mod detect;
pub mod devcontainer;
pub mod dockerfile;
pub mod interpolate;
pub mod jsonc;
pub mod kubernetes;
pub mod mount_spec;
pub mod quadlet;
pub mod unit;
pub mod workflow;
pub mod yaml;

/// Shell words live with the model (the catalog reads command lines with them); kept here too.
pub use crate::model::words;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::{
    Autoscaler, Claim, Dockerfile, FileModel, Format, ObjectSuppression, ParseError,
    PersistentVolume, SourceFile, StorageClass, VolumeDecl, Workload,
};

/// How compose files are read: `auto` decides swarm per service from swarm-only keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ComposeMode {
    #[default]
    Auto,
    Standalone,
    Swarm,
}

/// Larger files are reported as SL001 rather than read: no real manifest is this big, and
/// reading one would stall the run. `max-file-size` in `stowlint.toml` and `--max-file-size`
/// change it.
pub const MAX_FILE_SIZE: u64 = 10_000_000;

#[derive(Clone)]
pub struct ParseOptions {
    pub compose_mode: ComposeMode,
    /// Larger files are not read (SL001); `max-file-size` in the configuration.
    pub max_file_size: u64,
    /// The files beside a parsed one that parsers may see (a compose file's `.env`, a Helm
    /// chart's `Chart.yaml`). The default sees none: the command line and the language server
    /// give the disk, confined to the repository.
    pub side_files: Arc<dyn SideFiles>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            compose_mode: ComposeMode::default(),
            max_file_size: MAX_FILE_SIZE,
            side_files: Arc::new(NoSideFiles),
        }
    }
}

impl std::fmt::Debug for ParseOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseOptions")
            .field("compose_mode", &self.compose_mode)
            .field("max_file_size", &self.max_file_size)
            .finish_non_exhaustive()
    }
}

/// Files that a parsed file depends on without naming them: the `.env` beside a compose file
/// (its variables), the `Chart.yaml` above a `templates/` folder (which makes its YAML Helm
/// templates). Parsers never touch the disk: whoever runs them decides what they may see —
/// the command line reads the disk, confined to the repository; tests give a map.
pub trait SideFiles: Send + Sync {
    /// The text of the side file at `path`; `None` when it is missing or may not be read.
    fn read(&self, path: &Path) -> Option<String>;
    /// Whether a side file exists at `path`.
    fn exists(&self, path: &Path) -> bool;
}

/// No side files: a parsed file is read on its own.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSideFiles;

impl SideFiles for NoSideFiles {
    fn read(&self, _: &Path) -> Option<String> {
        None
    }

    fn exists(&self, _: &Path) -> bool {
        false
    }
}

/// Side files from a map of paths to texts (tests, an editor's unsaved buffers).
#[derive(Clone, Debug, Default)]
pub struct SideFileMap(pub HashMap<PathBuf, String>);

impl SideFiles for SideFileMap {
    fn read(&self, path: &Path) -> Option<String> {
        self.0.get(path).cloned()
    }

    fn exists(&self, path: &Path) -> bool {
        self.0.contains_key(path)
    }
}

/// What a parser found in one file.
#[derive(Debug, Default)]
pub struct Parsed {
    pub errors: Vec<ParseError>,
    /// See [`FileModel::read_past`].
    pub read_past: Vec<ParseError>,
    pub workloads: Vec<Workload>,
    pub volumes: Vec<VolumeDecl>,
    pub include: Option<crate::model::Span>,
    pub includes: Vec<crate::model::Include>,
    pub claims: Vec<Claim>,
    pub persistent_volumes: Vec<PersistentVolume>,
    pub storage_classes: Vec<StorageClass>,
    pub autoscalers: Vec<Autoscaler>,
    pub operator_stores: Vec<crate::model::operators::OperatorStore>,
    pub dockerfile: Option<Dockerfile>,
    pub object_suppressions: Vec<ObjectSuppression>,
}

impl Parsed {
    fn into_model(self, source: SourceFile, format: Format) -> FileModel {
        let mut m = FileModel::new(source, Some(format));
        m.errors = self.errors;
        m.read_past = self.read_past;
        m.workloads = self.workloads;
        m.volumes = self.volumes;
        m.include = self.include;
        m.includes = self.includes;
        m.claims = self.claims;
        m.persistent_volumes = self.persistent_volumes;
        m.storage_classes = self.storage_classes;
        m.autoscalers = self.autoscalers;
        m.operator_stores = self.operator_stores;
        m.dockerfile = self.dockerfile;
        m.object_suppressions = self.object_suppressions;
        m.shrink();
        m
    }
}

/// Parse one file. `None` when it is none of ours (other YAML, Helm templates): skipped
/// silently. `explicit` files were named on the command line: a YAML file that cannot be read
/// is then reported even when its kind cannot be told.
#[must_use]
pub fn parse_file(source: SourceFile, opts: &ParseOptions, explicit: bool) -> Option<FileModel> {
    match detect::by_name(&source.path) {
        detect::NameClass::Dockerfile => {
            let mut parsed = dockerfile::parse(&source);
            // A Jinja or Go template of a Dockerfile (an Ansible role's `templates/Dockerfile`),
            // or an `envsubst` one whose unknown instruction is a placeholder (`${LABELS}`), is
            // not a Dockerfile until rendered: skipped like a YAML template, unless named.
            // So is a fragment that a build script appends to another Dockerfile
            // (`Dockerfile.append`, `Dockerfile.part`): no `FROM` at all, and named so.
            let template = detect::has_template_markers(&source.text)
                || parsed.errors.iter().any(|e| {
                    e.message.contains("unknown instruction")
                        && detect::is_placeholder(e.span.text(&source.text))
                })
                || (detect::is_dockerfile_fragment(&source.path)
                    && parsed
                        .errors
                        .iter()
                        .any(|e| e.message.contains("expected at least one FROM instruction")));
            if !parsed.errors.is_empty() && !explicit && template {
                return None;
            }
            let bake_file = detect::bake_file(&source.path, &*opts.side_files);
            // A Dockerfile with no instruction to build (empty, comments only, or bare keywords
            // with no arguments: an exercise to fill in, a placeholder) is refused by `docker
            // build`, but nobody builds it as it stands: one info, not errors.
            if source.text.lines().all(|l| {
                let t = l.trim();
                t.is_empty() || t.starts_with('#') || t.chars().all(|c| c.is_ascii_alphabetic())
            }) {
                parsed.read_past = std::mem::take(&mut parsed.errors)
                    .into_iter()
                    .take(1)
                    .map(|mut e| {
                        e.message = "Dockerfile has no instruction to build (empty, comments \
                                     only, or bare keywords to fill in): `docker build` refuses it"
                            .to_string();
                        e
                    })
                    .collect();
            }
            let mut m = parsed.into_model(source, Format::Dockerfile);
            if let Some(df) = m.dockerfile.as_mut() {
                df.bake_file = bake_file;
            }
            Some(m)
        }
        detect::NameClass::Skip => None,
        detect::NameClass::Quadlet => {
            // Only a unit with the section of its kind: another file with the extension (a
            // Perl `.pod`) is none of ours.
            let section = quadlet::section_for(&source.path)?;
            if !unit::has_section(&source.text, section) {
                return None;
            }
            let parsed = quadlet::parse(&source);
            // A unit template (`{{#if ...}}` lines of a dotfile manager) is not a unit until
            // rendered: skipped like a YAML template, unless named.
            if !parsed.errors.is_empty() && !explicit && detect::has_template_markers(&source.text)
            {
                return None;
            }
            Some(parsed.into_model(source, Format::Quadlet))
        }
        detect::NameClass::Devcontainer => {
            let parsed = devcontainer::parse(&source);
            Some(parsed.into_model(source, Format::Devcontainer))
        }
        detect::NameClass::Workflow => {
            // A workflow that cannot be read, or runs no container, stays skipped as every
            // CI file is: the workflow's syntax is GitHub's business.
            let stream = yaml::parse(&source);
            let root = stream.documents.first()?.root.clone()?;
            if stream.fatal || !workflow::has_containers(&root) {
                return None;
            }
            let parsed = workflow::parse(&source, &root);
            Some(parsed.into_model(source, Format::GithubActions))
        }
        detect::NameClass::Compose | detect::NameClass::Yaml
            if detect::is_helm_template(&source.path, &*opts.side_files)
                || (!explicit && detect::is_test_assertion(&source.path)) =>
        {
            None
        }
        class @ (detect::NameClass::Compose | detect::NameClass::Yaml) => {
            let stream = yaml::parse(&source);
            let format = match class {
                // Named like a compose file but holding a list (an Ansible role's
                // `tasks/compose.yml`): no compose file, unless the user named it.
                detect::NameClass::Compose
                    if !explicit
                        && stream
                            .documents
                            .first()
                            .and_then(|d| d.root.as_ref())
                            .is_some_and(|root| root.as_seq().is_some()) =>
                {
                    return None;
                }
                detect::NameClass::Compose => Some(Format::Compose),
                _ => detect::by_content(&stream, &source),
            };
            // YAML that cannot be read and holds template markers is a template to render
            // first (Go, Jinja, mustache), like a Helm template: skipped, unless named. So is
            // one that cannot be read where a `printf` verb stands (`name: %s`): a format
            // string a program fills in (an e2e test's embedded `pod-template.yaml`), and one
            // that cannot be read on a line that is a lone `$PLACEHOLDER` (an `envsubst`
            // template whose script puts a block there).
            let printf = || {
                stream.errors.iter().any(|e| {
                    detect::is_printf_verb_at(&source.text, e.span.start())
                        || detect::is_placeholder_line_at(&source.text, e.span.start())
                        || detect::is_brace_placeholder_line_at(&source.text, e.span.start())
                        || detect::is_elision_line_at(&source.text, e.span.start())
                })
            };
            if stream.fatal && !explicit && (detect::has_template_markers(&source.text) || printf())
            {
                return None;
            }
            let format = match format {
                Some(f) => f,
                // YAML that could not be read, so its kind cannot be told: report it only if it
                // looks like ours, or the user named it. Other YAML is none of our business,
                // duplicate keys and all.
                None if stream.fatal && (explicit || detect::looks_like_ours(&source.text)) => {
                    let mut m = FileModel::new(source, None);
                    m.errors = stream.errors;
                    m.errors.extend(stream.duplicate_keys);
                    m.errors.extend(stream.unknown_aliases);
                    m.errors.sort_by_key(|e| e.span.start());
                    return Some(m);
                }
                None => return None,
            };
            let mut parsed = match format {
                Format::Compose => match stream.documents.first().and_then(|d| d.root.as_ref()) {
                    Some(root) => compose::parse(&source, root, opts),
                    None => Parsed::default(),
                },
                Format::Kubernetes => kubernetes::parse(&source, &stream.documents),
                Format::Dockerfile
                | Format::Quadlet
                | Format::Devcontainer
                | Format::GithubActions => Parsed::default(),
            };
            // Templates that happen to parse: ytt's `#@` annotations (values YAML reads as
            // nulls), and `{{ NAME }}` placeholders YAML reads as a mapping used as a key. What
            // they hold is linted as written; the shapes their placeholders break (a container
            // without its name) are not reported, unless the file is named.
            // Asked only of a file with shape errors: most files have none, and the text scan
            // and the tree walk are then not done.
            let parsing_template = !explicit
                && !parsed.errors.is_empty()
                && (detect::is_ytt_template(&source.text) || detect::has_mapping_key(&stream));
            let mut errors = stream.errors;
            // `docker compose` (go-yaml v3) refuses a key written twice; `kubectl apply`
            // (go-yaml v2) keeps the last value, as the tree does, though kustomize refuses it;
            // so does podman-compose (PyYAML), which runs a file named `podman-compose.yml`.
            if format == Format::Kubernetes
                || (format == Format::Compose && detect::is_podman_compose_name(&source.path))
            {
                parsed.read_past = stream.duplicate_keys;
            } else if !explicit
                && !stream.duplicate_keys.is_empty()
                && detect::has_template_markers(&source.text)
            {
                // A template's branches each write the key once (`<% if (db == 'mysql') print
                // '''image: mysql''' else print '''image: postgres''' %>`): the rendered file
                // has one. Skipped in a walk like a template YAML cannot read; named, reported.
                return None;
            } else {
                errors.extend(stream.duplicate_keys);
                errors.sort_by_key(|e| e.span.start());
            }
            // Aliases to anchors the file does not define: `docker compose` and `kubectl` refuse
            // the file as it stands, but in a walk such a file is most often a fragment that a
            // deploy script joins to the file defining them (`cat anchors.yml compose.yml`):
            // one info for the file, which is linted with those values unknown. Named, each is
            // an error.
            // (Compose only: its `x-` fields are where such anchors live; a manifest's is a
            // mistake.)
            if explicit || format != Format::Compose {
                errors.extend(stream.unknown_aliases);
                errors.sort_by_key(|e| e.span.start());
            } else if let Some(info) = fragment_aliases(&stream.unknown_aliases, &source.text) {
                parsed.read_past.push(info);
                parsed.read_past.sort_by_key(|e| e.span.start());
            }
            if !parsing_template {
                errors.append(&mut parsed.errors);
            }
            parsed.errors = errors;
            Some(parsed.into_model(source, format))
        }
    }
}

/// One finding for a walked compose file's aliases to anchors it does not define (a fragment
/// joined to its anchors file before use): how many, and the first three names, at the first.
fn fragment_aliases(aliases: &[ParseError], text: &str) -> Option<ParseError> {
    let first = aliases.first()?;
    let mut names: Vec<&str> = Vec::new();
    for alias in aliases {
        let name = alias.span.text(text);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut shown = names
        .iter()
        .take(3)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 3 {
        shown.push_str(&format!(" and {} more", names.len() - 3));
    }
    let plural = if aliases.len() == 1 { "" } else { "es" };
    Some(ParseError {
        message: format!(
            "{} alias{plural} to anchors the file does not define ({shown}): refused as it \
             stands, read as a fragment joined to the file that defines them before use (their \
             values unknown); name the file to have each reported as an error",
            aliases.len()
        ),
        span: first.span,
    })
}

/// The bare floor of the benchmark (`check --parse-only=syntax`): the work no reader of these
/// formats can skip — the YAML parser's event stream, or the Dockerfile's instruction syntax —
/// and nothing stowlint adds (no spanned tree, no model, no line index). Returns the number of
/// events or instructions read; `None` for a file that is none of ours by name.
#[must_use]
pub fn syntax_only(path: &std::path::Path, text: &str) -> Option<usize> {
    match detect::by_name(path) {
        detect::NameClass::Dockerfile => Some(dockerfile::syntax_only(text)),
        detect::NameClass::Skip => None,
        detect::NameClass::Compose | detect::NameClass::Yaml | detect::NameClass::Workflow => {
            Some(yaml::events_only(text))
        }
        detect::NameClass::Devcontainer => Some(yaml::events_only(&jsonc::blank_comments(text).0)),
        // Unit files have no reader lighter than ours: its sections and entries.
        detect::NameClass::Quadlet => Some(
            unit::parse(&SourceFile::new(path, text.to_string()))
                .sections
                .len(),
        ),
    }
}

/// A file that could not be read (I/O error, invalid UTF-8): SL001 at the start, or at the
/// first invalid byte.
#[must_use]
pub fn unreadable(path: std::path::PathBuf, bytes: Option<&[u8]>, message: String) -> FileModel {
    let (text, offset) = match bytes {
        Some(b) => match std::str::from_utf8(b) {
            Ok(_) => (String::new(), 0),
            Err(e) => {
                let valid = e.valid_up_to();
                (String::from_utf8_lossy(b).into_owned(), valid)
            }
        },
        None => (String::new(), 0),
    };
    let source = SourceFile::new(path, text);
    let span = source.span(offset..offset);
    let mut m = FileModel::new(source, None);
    m.errors.push(ParseError { message, span });
    m
}

/// For unit tests: the file a test parsed last, so that its helpers can tell a span's line
/// and column (spans hold byte offsets only).
#[cfg(test)]
pub(crate) mod last_file {
    use crate::model::{Location, SourceFile, Span};
    use std::cell::RefCell;

    thread_local! {
        static LAST: RefCell<SourceFile> = RefCell::new(SourceFile::new("", String::new()));
    }

    /// Remember `file` for [`location`] (in this test's thread).
    pub(crate) fn set(file: &SourceFile) {
        LAST.with(|last| *last.borrow_mut() = file.clone());
    }

    /// Where `span` is in the file remembered last.
    pub(crate) fn location(span: Span) -> Location {
        LAST.with(|last| last.borrow().location(span))
    }

    /// `(line, column)` of where `span` starts in the file remembered last.
    pub(crate) fn start(span: Span) -> (usize, usize) {
        let at = location(span).start;
        (at.line, at.column)
    }
}

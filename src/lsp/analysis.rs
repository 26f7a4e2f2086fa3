//! Linting one open document: the CLI's parsers, engine and detection, with the document's
//! text from the editor and the files it depends on (Dockerfiles a compose `build:` names,
//! claims and autoscalers of the workspace) from other open documents or from disk.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::config::{FileSelection, Overrides, Resolver};
use crate::discover::{self, Candidate};
use crate::engine::{self, Diagnostic, Rule, RunOptions};
use crate::model::{FileModel, Project, SourceFile, lexical};
use crate::parse::{self, ParseOptions};

/// What to lint a file with.
pub struct Settings {
    pub parse: ParseOptions,
    pub run: RunOptions,
    pub rules: &'static [&'static dyn Rule],
    /// Which rules the file reports and at which severity (its nearest `stowlint.toml`);
    /// `None`: every rule at its default.
    pub selection: Option<FileSelection>,
    /// The catalog extended by that configuration, if it extends it.
    pub catalog: Option<std::sync::Arc<crate::rules::catalog::Catalog>>,
}

/// The one place where configuration plugs in: given a file, the options and rules to lint it
/// with, from the `stowlint.toml` nearest to it — as `stowlint check` resolves it, so editor
/// and CI agree. An invalid configuration falls back to the defaults (the CLI reports it).
#[must_use]
pub fn settings_for(path: &Path, root: Option<&Path>) -> Settings {
    let cwd = root
        .or_else(|| path.parent())
        .filter(|p| p.is_absolute())
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    let Ok(resolver) = Resolver::new(&cwd, None, false, Overrides::default()) else {
        return Settings {
            parse: crate::discover::parse_options(),
            run: RunOptions::default(),
            rules: crate::rules::RULES,
            selection: None,
            catalog: None,
        };
    };
    let file = resolver.for_file(path);
    Settings {
        parse: file.parse_options(),
        run: RunOptions::default(),
        rules: crate::rules::RULES,
        selection: Some(resolver.selection([path])),
        catalog: file.catalog(),
    }
}

/// The result of linting one document: the project it was linted in (the document first, then
/// context files) and its findings.
#[derive(Debug)]
pub struct Analysis {
    pub project: Project,
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// The document's own model (`None` when the text is none of ours: other YAML).
    #[must_use]
    pub fn file(&self) -> Option<&FileModel> {
        self.project.files.iter().find(|f| !f.context)
    }

    /// A file of the project by path (for related locations in context files).
    #[must_use]
    pub fn source(&self, path: &Path) -> Option<&SourceFile> {
        self.project
            .files
            .iter()
            .find(|f| f.source.path == path)
            .map(|f| &f.source)
    }
}

/// Where open documents' text overrides the disk.
pub trait Overlay {
    /// The text of an open document at this (absolute) path.
    fn open_text(&self, path: &Path) -> Option<&str>;
    /// Open documents that may declare claim facts, with their paths.
    fn open_fact_documents(&self) -> Vec<(&Path, &str)>;
}

/// Lint `text` as the file at `path` (absolute, or a made-up name for unsaved documents).
/// `root` is the workspace folder holding the file, if any; `on_disk` says whether the path is
/// a real place whose neighbours can be read.
pub fn analyze(
    path: &Path,
    text: &str,
    on_disk: bool,
    root: Option<&Path>,
    overlay: &dyn Overlay,
    facts: &mut WorkspaceFacts,
) -> Analysis {
    let settings = settings_for(path, root);
    let limit = settings.parse.max_file_size;
    // The editor gets the CLI's size limit: a 40 MB document must not take the server's
    // memory (parsing takes many times a file's size). It says so at 1:1, as `check` does.
    let model = if text.len() as u64 > limit
        && crate::discover::classify(path) != parse::detect::NameClass::Skip
    {
        Some(discover::too_large(
            path.to_path_buf(),
            Some(text.len() as u64),
            limit,
        ))
    } else {
        // Not `explicit`: editors send every YAML file, and a broken one that does not look
        // like a compose file or a manifest (a CI workflow) is none of ours.
        parse::parse_file(
            SourceFile::new(path, text.to_string()),
            &settings.parse,
            false,
        )
    };
    let Some(model) = model else {
        return Analysis {
            project: Project::new(Vec::new()),
            diagnostics: Vec::new(),
        };
    };
    let mut files = vec![model];
    if on_disk {
        add_build_context(&mut files, &settings.parse, overlay);
        add_compose_context(&mut files, &settings.parse, overlay);
        if discover::wants_claim_facts(&files[0]) {
            add_claim_context(&mut files, path, root, &settings.parse, overlay, facts);
        }
    }
    let mut project = Project::new(files);
    if let Some(catalog) = settings.catalog.clone() {
        project = project.with_catalog(catalog);
    }
    let selection: &dyn engine::Selection = match &settings.selection {
        Some(s) => s,
        None => &engine::AllRules,
    };
    let diagnostics = engine::run_with(&project, settings.rules, selection, settings.run)
        .into_iter()
        .filter(|d| d.file == *path)
        .collect();
    Analysis {
        project,
        diagnostics,
    }
}

/// Dockerfiles named by compose `build:`: the open document's text, else the file on disk.
fn add_build_context(files: &mut Vec<FileModel>, opts: &ParseOptions, overlay: &dyn Overlay) {
    let wanted: std::collections::BTreeSet<PathBuf> = files[0]
        .workloads
        .iter()
        .filter_map(|w| w.build.as_ref())
        .map(|b| lexical(&b.dockerfile_path))
        .filter(|p| *p != files[0].source.path)
        .collect();
    for path in wanted {
        let model = match overlay.open_text(&path) {
            Some(text) => parse::parse_file(SourceFile::new(&path, text.to_string()), opts, true),
            None if path.is_file() => discover::load(
                &Candidate {
                    path: path.clone(),
                    display: path.clone(),
                    explicit: true,
                    included: false,
                },
                opts,
            ),
            None => None,
        };
        if let Some(mut model) = model {
            model.context = true;
            files.push(model);
        }
    }
}

/// Compose files the document extends services of or includes, and theirs in turn: the open
/// document's text, else the file on disk when it lies in its repository.
fn add_compose_context(files: &mut Vec<FileModel>, opts: &ParseOptions, overlay: &dyn Overlay) {
    let mut have: HashSet<PathBuf> = HashSet::from([lexical(&files[0].source.path)]);
    let mut frontier = vec![0];
    for _ in 0..crate::model::MAX_DEPTH {
        let wanted: std::collections::BTreeSet<PathBuf> = frontier
            .iter()
            .flat_map(|&i| crate::model::compose_refs(&files[i]))
            .filter(|p| !have.contains(p))
            .collect();
        if wanted.is_empty() {
            break;
        }
        have.extend(wanted.iter().cloned());
        let start = files.len();
        for path in wanted {
            let model = match overlay.open_text(&path) {
                // Read as compose whatever its name says, as `check` reads it.
                Some(text) => parse::parse_file(
                    SourceFile::new(path.with_file_name("compose.yaml"), text.to_string()),
                    opts,
                    false,
                )
                .map(|mut m| {
                    m.source.path.clone_from(&path);
                    m
                }),
                None => discover::compose_context(path.clone(), opts, Path::new("/")),
            };
            if let Some(mut model) =
                model.filter(|m| m.format == Some(crate::model::Format::Compose))
            {
                model.context = true;
                files.push(model);
            }
        }
        frontier = (start..files.len()).collect();
    }
}

/// Claims and autoscalers: of the workspace folder holding the file (or, outside any, of its
/// folder and parents up to the git root), and of every open document.
fn add_claim_context(
    files: &mut Vec<FileModel>,
    path: &Path,
    root: Option<&Path>,
    opts: &ParseOptions,
    overlay: &dyn Overlay,
    facts: &mut WorkspaceFacts,
) {
    let mut seen: HashSet<PathBuf> = HashSet::from([path.to_path_buf()]);
    let mut texts: Vec<(PathBuf, String)> = Vec::new();
    for (p, text) in overlay.open_fact_documents() {
        if seen.insert(p.to_path_buf()) {
            texts.push((p.to_path_buf(), text.to_string()));
        }
    }
    let candidates = match root {
        Some(root) => facts.fact_files(root),
        None => path
            .parent()
            .map(|dir| {
                discover::folders_up_to_git_root(dir)
                    .iter()
                    .flat_map(|d| yaml_files_in(d))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let mut from_disk = Vec::new();
    for p in candidates {
        if !seen.insert(p.clone()) {
            continue;
        }
        if let Some(model) = facts.context_model(&p, opts) {
            from_disk.push(model);
        }
    }
    // Open documents first, as the editor has them; then the workspace's files from disk.
    for (p, text) in texts {
        if let Some(model) = parse::parse_file(SourceFile::new(p, text), opts, false)
            .and_then(discover::claim_context)
        {
            files.push(model);
        }
    }
    files.append(&mut from_disk);
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

fn yaml_files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| is_yaml(p))
        .collect();
    out.sort();
    out
}

/// How long a workspace listing is trusted before it is walked again (files created outside
/// the editor show up after this long; saves refresh it at once).
const LISTING_TTL: Duration = Duration::from_secs(10);
/// Larger YAML files are not read for facts.
const MAX_FACT_FILE: u64 = 4 * 1024 * 1024;

/// The YAML files of workspace folders that may declare claim facts, cached: a walk at most
/// every [`LISTING_TTL`] (or after a save), and file texts re-read only when their size or
/// modification time changes.
#[derive(Debug, Default)]
pub struct WorkspaceFacts {
    listings: HashMap<PathBuf, (Instant, Vec<PathBuf>)>,
    /// path → (modified, length, text when it may hold claim facts).
    texts: HashMap<PathBuf, (Option<SystemTime>, u64, Option<String>)>,
    /// path → (modified, length, its claim context model when it has claims or autoscalers):
    /// a keystroke in one document parses no file of the workspace again.
    models: HashMap<PathBuf, (Option<SystemTime>, u64, Option<FileModel>)>,
}

impl WorkspaceFacts {
    /// Forget listings (after a save or a file event): the next lint walks again.
    pub fn invalidate(&mut self) {
        self.listings.clear();
    }

    /// YAML files under `root` that may declare claim facts.
    pub fn fact_files(&mut self, root: &Path) -> Vec<PathBuf> {
        let fresh = self
            .listings
            .get(root)
            .is_some_and(|(at, _)| at.elapsed() < LISTING_TTL);
        if !fresh {
            let all = walk_yaml(root);
            let relevant = all.into_iter().filter(|p| self.text(p).is_some()).collect();
            self.listings
                .insert(root.to_path_buf(), (Instant::now(), relevant));
        }
        self.listings
            .get(root)
            .map(|(_, files)| files.clone())
            .unwrap_or_default()
    }

    /// The claim context model of the file on disk (its claims and autoscalers), parsed once
    /// per version of the file (size and modification time).
    pub fn context_model(&mut self, path: &Path, opts: &ParseOptions) -> Option<FileModel> {
        let meta = std::fs::metadata(path).ok()?;
        let modified = meta.modified().ok();
        if let Some((m, len, model)) = self.models.get(path)
            && *m == modified
            && modified.is_some()
            && *len == meta.len()
        {
            return model.as_ref().map(discover::claim_context_copy);
        }
        let model = self.text(path).and_then(|text| {
            parse::parse_file(SourceFile::new(path, text), opts, false)
                .and_then(discover::claim_context)
        });
        let copy = model.as_ref().map(discover::claim_context_copy);
        self.models
            .insert(path.to_path_buf(), (modified, meta.len(), model));
        copy
    }

    /// The file's text when it may declare claim facts.
    pub fn text(&mut self, path: &Path) -> Option<String> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() || meta.len() > MAX_FACT_FILE {
            return None;
        }
        let modified = meta.modified().ok();
        if let Some((m, len, text)) = self.texts.get(path)
            && *m == modified
            && modified.is_some()
            && *len == meta.len()
        {
            return text.clone();
        }
        let text = std::fs::read_to_string(path)
            .ok()
            .filter(|t| discover::may_hold_claim_facts(t));
        self.texts
            .insert(path.to_path_buf(), (modified, meta.len(), text.clone()));
        text
    }
}

/// YAML files under `root`, honouring ignore files and skipping the folders `check` skips.
fn walk_yaml(root: &Path) -> Vec<PathBuf> {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| {
            !(e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| discover::ALWAYS_SKIPPED.contains(&n)))
        });
    let mut out: Vec<PathBuf> = builder
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|p| is_yaml(p))
        .take(20_000)
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workspace file's claims are parsed once per version of the file: the cached model
    /// is handed out again, and a changed file is parsed again.
    #[test]
    fn context_models_are_parsed_once_per_version_of_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pvc.yaml");
        let claim = |name: &str| {
            format!(
                "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: {name}}}\n\
                 spec: {{accessModes: [ReadWriteOnce]}}\n"
            )
        };
        std::fs::write(&path, claim("data")).expect("write");
        let mut facts = WorkspaceFacts::default();
        let opts = ParseOptions::default();
        let first = facts.context_model(&path, &opts).expect("claims");
        assert_eq!(first.claims[0].name.value, "data");
        assert!(first.context && first.workloads.is_empty());
        let again = facts.context_model(&path, &opts).expect("claims");
        assert_eq!(again.claims[0].name.value, "data");
        assert_eq!(again.source.text, first.source.text);
        std::fs::write(&path, claim("uploads-files")).expect("rewrite");
        let changed = facts.context_model(&path, &opts).expect("claims");
        assert_eq!(changed.claims[0].name.value, "uploads-files");
        std::fs::write(&path, "kind: ConfigMap\n").expect("rewrite");
        assert!(facts.context_model(&path, &opts).is_none());
    }
}

//! Linting one open document: the CLI's parsers, engine and detection, with the document's
//! text from the editor and the files it depends on (Dockerfiles a compose `build:` names,
//! claims and autoscalers of the workspace) from other open documents or from disk.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::config::{FileSelection, Overrides, Resolver};
use crate::discover;
use crate::engine::{self, Diagnostic, Rule, RunOptions};
use crate::model::{FileModel, Project, SourceFile, lexical};
use crate::parse::{self, ParseOptions};
use crate::workspace::{self, Disk, Fs, Wants};
use std::sync::Mutex;

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
pub trait Overlay: Sync {
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
    // What the kustomizations beside it say of it, as in a walk: a patch is a partial
    // object, not linted alone; a resource whose patches are missing is unknown there.
    let kustomize = if on_disk {
        discover::kustomize_context(path, path)
    } else {
        discover::KustomizeContext::default()
    };
    let Some(mut model) = model.filter(|_| kustomize.patch_of.is_none()) else {
        return Analysis {
            project: Project::new(Vec::new()),
            diagnostics: Vec::new(),
        };
    };
    model.kustomize = kustomize.facts;
    let mut files = vec![model];
    if on_disk {
        // What the document depends on, found as `stowlint check` finds it for a file named
        // alone, with open documents' text over the disk's.
        let wants = Wants::of(&files[0], true);
        if !wants.is_empty() {
            let fs = EditorFs {
                overlay,
                root,
                facts: Mutex::new(facts),
            };
            let have = HashSet::from([lexical(path)]);
            let mut found = workspace::read_context(&fs, &wants, &have, &settings.parse);
            files.append(&mut found);
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

/// The disk as the editor has it: an open document's text over the file's, claim files from
/// the workspace folder's listing (cached) and from open documents, claim models parsed once
/// per version of a file.
struct EditorFs<'a> {
    overlay: &'a dyn Overlay,
    root: Option<&'a Path>,
    facts: Mutex<&'a mut WorkspaceFacts>,
}

impl EditorFs<'_> {
    fn disk() -> Disk {
        Disk::new("/")
    }
}

impl Fs for EditorFs<'_> {
    fn read(&self, path: &Path, limit: u64) -> std::io::Result<discover::Contents> {
        match self.overlay.open_text(path) {
            Some(text) if text.len() as u64 > limit => Ok(discover::Contents::TooLarge {
                size: Some(text.len() as u64),
            }),
            Some(text) => Ok(discover::Contents::Bytes(text.as_bytes().to_vec())),
            None => Self::disk().read(path, limit),
        }
    }

    fn is_context_file(&self, path: &Path) -> bool {
        self.overlay.open_text(path).is_some() || Self::disk().is_context_file(path)
    }

    fn yaml_files(&self, dir: &Path) -> Vec<PathBuf> {
        Self::disk().yaml_files(dir)
    }

    fn folders_up_to_root(&self, dir: &Path) -> Vec<PathBuf> {
        discover::folders_up_to_git_root(dir)
    }

    /// Of the workspace folder holding the file (or, outside any, of its folder and parents up
    /// to the git root), and every open document that may declare claim facts.
    fn claim_files(&self, path: &Path) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self
            .overlay
            .open_fact_documents()
            .into_iter()
            .map(|(p, _)| p.to_path_buf())
            .collect();
        match self.root {
            Some(root) => out.extend(
                self.facts
                    .lock()
                    .map_or_else(|_| Vec::new(), |mut facts| facts.fact_files(root)),
            ),
            None => out.extend(
                path.parent()
                    .map(|dir| {
                        self.folders_up_to_root(dir)
                            .iter()
                            .flat_map(|d| self.yaml_files(d))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default(),
            ),
        }
        out
    }

    /// An open document's as the editor has it; a file's on disk parsed once per version.
    fn claim_model(&self, path: &Path, opts: &ParseOptions) -> Option<FileModel> {
        if let Some(text) = self.overlay.open_text(path) {
            return parse::parse_file(SourceFile::new(path, text.to_string()), opts, false)
                .and_then(discover::claim_context);
        }
        self.facts
            .lock()
            .ok()
            .and_then(|mut facts| facts.context_model(path, opts))
    }
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
        .filter(|p| workspace::is_yaml(p))
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

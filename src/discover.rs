//! File discovery and loading: command-line paths in, parsed file models out.
//!
//! Folders are walked with the `ignore` crate so `.gitignore`, `.ignore` and
//! `.git/info/exclude` are honoured even outside a git repository; hidden folders are walked
//! (`.devcontainer/` holds compose files). Files named on the command line are always linted.

use std::fs;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::model::{FileModel, SourceFile};
use crate::parse::{self, ParseOptions, detect};

pub mod kustomize;

pub use crate::parse::MAX_FILE_SIZE;

/// Folders that never hold configuration worth linting, whatever the ignore files say.
pub const ALWAYS_SKIPPED: &[&str] = &[".git", "node_modules", "target", "vendor"];

/// A file to lint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Where to read it.
    pub path: PathBuf,
    /// How reports show it: relative to the working folder when under it, else as given.
    pub display: PathBuf,
    /// Named on the command line.
    pub explicit: bool,
    /// Matched by a configuration's `include`: read as YAML (classified by content) even when
    /// its name says nothing.
    pub included: bool,
    /// A kustomization may list it as a patch (see [`kustomize_patch_of`]): false only when a
    /// walk saw its folder and its parent and neither holds a kustomization, so that a walk
    /// does not look for one beside every file.
    pub kustomize_check: bool,
}

/// What a configuration says about files during a walk. Paths are as walked (relative to the
/// working folder, or absolute).
pub trait WalkFilter: Send + Sync {
    /// Skip this file or folder in a walk.
    fn excluded(&self, path: &Path) -> bool;
    /// Lint this file even when its name does not say what it holds.
    fn included(&self, path: &Path) -> bool;
}

/// No configuration.
struct NoFilter;

impl WalkFilter for NoFilter {
    fn excluded(&self, _path: &Path) -> bool {
        false
    }
    fn included(&self, _path: &Path) -> bool {
        false
    }
}

/// A path that could not be walked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError {
    pub path: PathBuf,
    pub message: String,
    /// A missing or unreadable path fails the run (exit 2); a dangling symlink inside a
    /// walked folder or a bad line in an ignore file only warns.
    pub fatal: bool,
}

#[derive(Debug, Default)]
pub struct Discovered {
    /// Sorted by display path, each file once.
    pub files: Vec<Candidate>,
    pub errors: Vec<PathError>,
}

/// Compile `--exclude` globs.
///
/// # Errors
/// The first glob that does not parse.
pub fn excludes(globs: &[String]) -> Result<GlobSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        // `fixtures/` means the folder; globset would match only the literal text.
        let glob = glob.strip_suffix('/').unwrap_or(glob);
        builder.add(Glob::new(glob)?);
    }
    builder.build()
}

/// Find the files to lint under `paths`; `cwd` decides how paths are shown.
#[must_use]
pub fn discover(paths: &[PathBuf], excludes: &GlobSet, cwd: &Path) -> Discovered {
    let filter: Arc<dyn WalkFilter> = Arc::new(NoFilter);
    discover_filtered(paths, excludes, cwd, &filter)
}

/// [`discover`], with a configuration's `exclude` and `include` (`filter`).
#[must_use]
pub fn discover_filtered(
    paths: &[PathBuf],
    excludes: &GlobSet,
    cwd: &Path,
    filter: &Arc<dyn WalkFilter>,
) -> Discovered {
    let mut out = Discovered::default();
    for path in paths {
        match fs::metadata(path) {
            Err(e) => out.errors.push(PathError {
                path: path.clone(),
                message: io_message(&e),
                fatal: true,
            }),
            Ok(meta) if meta.is_dir() => walk(path, excludes, cwd, filter, &mut out),
            // A FIFO would block the run until someone writes to it, a device (`/dev/zero`)
            // never ends: neither is a configuration file. Standard input is read with `-`.
            Ok(meta) if !meta.is_file() => out.errors.push(PathError {
                path: display_path(path, cwd),
                message: format!(
                    "not a regular file ({}); pipe its contents to `stowlint check -` instead",
                    file_kind(&meta.file_type())
                ),
                fatal: true,
            }),
            Ok(_) => out.files.push(Candidate {
                path: path.clone(),
                display: display_path(path, cwd),
                explicit: true,
                included: filter.included(path),
                kustomize_check: true,
            }),
        }
    }
    dedup(&mut out.files, cwd);
    out
}

fn walk(
    root: &Path,
    excludes: &GlobSet,
    cwd: &Path,
    filter: &Arc<dyn WalkFilter>,
    out: &mut Discovered,
) {
    let canonical_root = match fs::canonicalize(root) {
        Ok(p) => p,
        Err(e) => {
            out.errors.push(PathError {
                path: root.to_path_buf(),
                message: io_message(&e),
                fatal: true,
            });
            return;
        }
    };
    let filter_root = root.to_path_buf();
    let filter_excludes = excludes.clone();
    let filter_cwd = cwd.to_path_buf();
    let config = Arc::clone(filter);
    let warnings: Arc<Mutex<Vec<PathError>>> = Arc::default();
    let filter_warnings = Arc::clone(&warnings);
    // The walker reads each folder's ignore files itself: one that is a FIFO would block the
    // run, one that is a device would never end. Such a root is walked without ignore files.
    let read_ignore_files = match blocking_ignore_file(root) {
        None => true,
        Some(bad) => {
            out.errors.push(PathError {
                path: display_path(&bad, cwd),
                message: "not a regular file; ignore files are not read in this walk".into(),
                fatal: false,
            });
            false
        }
    };
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(false)
        .follow_links(true)
        .require_git(false)
        .git_ignore(read_ignore_files)
        .git_exclude(read_ignore_files)
        .ignore(read_ignore_files)
        .parents(read_ignore_files)
        .filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| ALWAYS_SKIPPED.contains(&n))
            {
                return false;
            }
            if is_excluded(entry.path(), &filter_root, &filter_cwd, &filter_excludes)
                || config.excluded(entry.path())
            {
                return false;
            }
            if is_dir
                && read_ignore_files
                && let Some(bad) = blocking_ignore_file(entry.path())
            {
                filter_warnings
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(PathError {
                        path: display_path(&bad, &filter_cwd),
                        message: "not a regular file; its folder is not walked".into(),
                        fatal: false,
                    });
                return false;
            }
            // A link may lead out of the walked tree (`/`, a home folder): never follow it
            // there. Dangling links fail to canonicalize and are dropped here too.
            if entry.path_is_symlink() {
                return fs::canonicalize(entry.path())
                    .is_ok_and(|target| target.starts_with(&canonical_root));
            }
            true
        });
    // Folders are read on all cores (`readdir`, a configuration lookup and ignore files per
    // folder); what is found is sorted afterwards, so the order of the walk never shows.
    let found: Mutex<(Vec<Candidate>, Vec<PathError>)> = Mutex::default();
    // Folders holding a kustomization, as walked.
    let kustomized: Mutex<std::collections::HashSet<PathBuf>> = Mutex::default();
    builder
        .threads(crate::par::workers(usize::MAX))
        .build_parallel()
        .run(|| {
            let found = &found;
            let kustomized = &kustomized;
            Box::new(move |result| {
                let (file, error) = match result {
                    Ok(entry) => {
                        if entry.file_type().is_some_and(|t| t.is_file())
                            && entry
                                .file_name()
                                .to_str()
                                .is_some_and(|n| KUSTOMIZATION_NAMES.contains(&n))
                            && let Some(dir) = entry.path().parent()
                        {
                            kustomized
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner)
                                .insert(dir.to_path_buf());
                        }
                        let error = entry.error().map(|err| walk_error(err, entry.path(), cwd));
                        (candidate(entry, cwd, filter.as_ref()), error)
                    }
                    // `ignore` already refuses to descend into a loop; nothing to report.
                    Err(err) if is_loop(&err) => (None, None),
                    Err(err) => (None, Some(walk_error(&err, root, cwd))),
                };
                if file.is_some() || error.is_some() {
                    let mut found = found
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    found.0.extend(file);
                    found.1.extend(error);
                }
                ignore::WalkState::Continue
            })
        });
    let (mut files, mut errors) = found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    errors.append(
        &mut warnings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    errors.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    errors.dedup();
    // A kustomization lists patches of its own folder and below: only a file whose folder or
    // parent holds one (or whose parent the walk did not see) is checked on disk.
    let kustomized = kustomized
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for file in &mut files {
        let dir = file.path.parent();
        let parent = dir.and_then(Path::parent);
        file.kustomize_check = dir.is_some_and(|d| kustomized.contains(d))
            || parent.is_none_or(|p| !p.starts_with(root) || kustomized.contains(p));
    }
    out.files.append(&mut files);
    out.errors.append(&mut errors);
}

/// The walked `entry` as a file to lint: a regular file whose name says it is ours, or that
/// the configuration includes.
fn candidate(entry: ignore::DirEntry, cwd: &Path, filter: &dyn WalkFilter) -> Option<Candidate> {
    if !entry.file_type().is_some_and(|t| t.is_file()) {
        return None;
    }
    let display = display_path(entry.path(), cwd);
    let included = filter.included(entry.path());
    // JSON manifests are linted when named (or piped); a walk leaves `.json` files alone:
    // most are no manifests (`package.json`), and a baseline or report is one.
    let class = classify(&display);
    if (class == detect::NameClass::Skip
        || (detect::is_json_name(&display) && class != detect::NameClass::Devcontainer))
        && !included
    {
        return None;
    }
    Some(Candidate {
        path: entry.into_path(),
        display,
        explicit: false,
        included,
        kustomize_check: true,
    })
}

/// An ignore file of `dir` that the walker would read but that is no regular file.
fn blocking_ignore_file(dir: &Path) -> Option<PathBuf> {
    [".gitignore", ".ignore", ".git/info/exclude"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| fs::metadata(p).is_ok_and(|m| !m.is_file()))
}

fn is_excluded(path: &Path, root: &Path, cwd: &Path, excludes: &GlobSet) -> bool {
    if excludes.is_empty() {
        return false;
    }
    let relative = path.strip_prefix(root).unwrap_or(path);
    excludes.is_match(relative)
        || excludes.is_match(display_path(path, cwd))
        || path
            .file_name()
            .is_some_and(|name| excludes.is_match(Path::new(name)))
}

fn is_loop(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        ignore::Error::Partial(errs) => errs.iter().all(is_loop),
        _ => false,
    }
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

fn walk_error(err: &ignore::Error, fallback: &Path, cwd: &Path) -> PathError {
    let raw = error_path(err).unwrap_or(fallback);
    let path = display_path(raw, cwd);
    // A link whose target vanished, or that leads to itself, is a broken link, not a broken
    // run: links are never followed out of the tree or into loops.
    let broken_link = || {
        fs::symlink_metadata(raw).is_ok_and(|m| m.file_type().is_symlink())
            && fs::metadata(raw).is_err()
    };
    match err.io_error() {
        Some(io) if io.kind() == io::ErrorKind::NotFound || broken_link() => PathError {
            path,
            message: "broken symbolic link".into(),
            fatal: false,
        },
        Some(io) => PathError {
            path,
            message: io_message(io),
            fatal: !err.is_partial(),
        },
        None => PathError {
            path,
            message: strip_path_prefix(&err.to_string()),
            fatal: false,
        },
    }
}

/// `ignore` prefixes some messages with the path, which the caller prints anyway.
fn strip_path_prefix(message: &str) -> String {
    message
        .rsplit_once(": ")
        .map_or(message, |(_, rest)| rest)
        .to_string()
}

/// An I/O error as users read it: `No such file or directory`, without `(os error 2)`.
#[must_use]
pub fn io_message(err: &io::Error) -> String {
    let text = err.to_string();
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    }
}

/// A path relative to `cwd` when it lies under it, else as given; `./` components dropped.
#[must_use]
pub fn display_path(path: &Path, cwd: &Path) -> PathBuf {
    let absolute = normalize(&cwd.join(path));
    if let Ok(rest) = absolute.strip_prefix(normalize(cwd))
        && !rest.as_os_str().is_empty()
    {
        return rest.to_path_buf();
    }
    let given: PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    if given.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        given
    }
}

/// Fold `.` and `..` lexically (the model's one normalizer).
fn normalize(path: &Path) -> PathBuf {
    crate::model::lexical(path)
}

/// Sort by display path and keep each file once. Of two names for one file, an explicit one
/// wins, then the one that is no link (the file's real place), then the first in order.
fn dedup(files: &mut Vec<Candidate>, cwd: &Path) {
    // One `realpath` (a system call per path component) per file: on all cores.
    let keys = crate::par::map(files, |_, c| match fs::canonicalize(&c.path) {
        Ok(real) => {
            let is_real = normalize(&cwd.join(&c.path)) == real;
            (real, is_real)
        }
        Err(_) => (c.display.clone(), true),
    });
    let mut keyed: Vec<(PathBuf, bool, Candidate)> = keys
        .into_iter()
        .zip(files.drain(..))
        .map(|((real, is_real), c)| (real, is_real, c))
        .collect();
    keyed.sort_by(|(ka, ra, a), (kb, rb, b)| {
        ka.cmp(kb)
            .then(b.explicit.cmp(&a.explicit))
            .then(rb.cmp(ra))
            .then(a.display.cmp(&b.display))
    });
    keyed.dedup_by(|(kb, ..), (ka, ..)| ka == kb);
    files.extend(keyed.into_iter().map(|(.., c)| c));
    files.sort_by(|a, b| a.display.cmp(&b.display));
}

/// Read and parse each candidate, in parallel, keeping the candidates' order. Files that are
/// none of ours (other YAML) yield nothing.
#[must_use]
pub fn load_all(files: &[Candidate], opts: &ParseOptions) -> Vec<FileModel> {
    crate::par::map(files, |_, c| load(c, opts))
        .into_iter()
        .flatten()
        .collect()
}

/// The size of a candidate on disk, before reading it (0 when it cannot be read: reading it
/// will say why).
#[must_use]
pub fn size_of(candidate: &Candidate) -> u64 {
    fs::metadata(&candidate.path).map_or(0, |m| m.len())
}

/// Read and parse one file.
#[must_use]
pub fn load(candidate: &Candidate, opts: &ParseOptions) -> Option<FileModel> {
    let display = candidate.display.clone();
    let kustomize = if candidate.kustomize_check {
        kustomize_context(&candidate.path, &candidate.display)
    } else {
        KustomizeContext::default()
    };
    if kustomize.patch_of.is_some() {
        // A partial object: linted alone it would give false findings (a volumeMount whose
        // volume the base defines). `--render` lints what kustomize makes of it.
        return None;
    }
    let limit = opts.max_file_size;
    let bytes = match read_limited(&candidate.path, limit) {
        Ok(Contents::Bytes(bytes)) => bytes,
        // A large file with a Quadlet extension found in a walk is some other file (`.pod`
        // documentation, a disk image named `.volume`): not ours to report.
        Ok(Contents::TooLarge { .. }) if ambiguous_name(candidate) => return None,
        Ok(Contents::TooLarge { size }) => return Some(too_large(display, size, limit)),
        Ok(Contents::NotRegular(kind)) => {
            let message = format!("not a regular file ({kind}); not read");
            return Some(parse::unreadable(display, None, message));
        }
        Err(e) => {
            let message = format!("cannot read file: {}", io_message(&e));
            return Some(parse::unreadable(display, None, message));
        }
    };
    // An included file whose name says nothing is read as YAML and classified by content.
    let classify_as =
        if candidate.included && classify(&candidate.display) == detect::NameClass::Skip {
            let mut name = candidate.display.clone().into_os_string();
            name.push(".yaml");
            PathBuf::from(name)
        } else {
            candidate.display.clone()
        };
    let mut model = parse_bytes(display, &classify_as, bytes, opts, candidate.explicit)?;
    model.kustomize = kustomize.facts;
    Some(model)
}

/// A walked file whose extension alone does not make it ours: a Quadlet extension, which
/// only its content confirms.
fn ambiguous_name(candidate: &Candidate) -> bool {
    !candidate.explicit && classify(&candidate.display) == detect::NameClass::Quadlet
}

/// Whether `text` may declare cross-file facts about claims: a PersistentVolumeClaim, the
/// PersistentVolume or StorageClass behind one, or a HorizontalPodAutoscaler or KEDA
/// ScaledObject that scales a workload mounting one, or a workload mounting one. A cheap
/// filter before parsing.
#[must_use]
pub fn may_hold_claim_facts(text: &str) -> bool {
    // `PersistentVolume` also finds `PersistentVolumeClaim`.
    text.contains("PersistentVolume")
        || text.contains("StorageClass")
        || text.contains("HorizontalPodAutoscaler")
        || text.contains("ScaledObject")
        || text.contains("claimName")
}

/// Whether facts from claims and autoscalers elsewhere could change findings in `file`: a
/// Kubernetes workload of it mounts a PersistentVolumeClaim.
#[must_use]
pub fn wants_claim_facts(file: &FileModel) -> bool {
    !file.context
        && file.format == Some(crate::model::Format::Kubernetes)
        && file.workloads.iter().any(|w| {
            w.mounts()
                .any(|(_, m)| m.kind == crate::model::MountKind::Claim)
        })
}

/// A parsed file reduced to its claims, autoscalers, PersistentVolumes, StorageClasses and
/// the workloads that mount a claim (which other workloads of the claim ask about), read only
/// for cross-file facts: its own findings are not reported, and its workloads are not checked.
#[must_use]
pub fn claim_context(mut model: FileModel) -> Option<FileModel> {
    model.workloads.retain(mounts_a_claim);
    if model.claims.is_empty()
        && model.autoscalers.is_empty()
        && model.persistent_volumes.is_empty()
        && model.storage_classes.is_empty()
        && model.workloads.is_empty()
    {
        return None;
    }
    model.context = true;
    model.volumes.clear();
    model.operator_stores.clear();
    model.dockerfile = None;
    model.object_suppressions.clear();
    model.errors.clear();
    Some(model)
}

fn mounts_a_claim(w: &crate::model::Workload) -> bool {
    w.kube_kind().is_some()
        && w.mounts()
            .any(|(_, m)| m.kind == crate::model::MountKind::Claim)
}

/// A copy of a model [`claim_context`] made: its source, claims, autoscalers, PersistentVolumes,
/// StorageClasses and workloads that mount a claim (what it keeps), so that a cache can hand out the model a file parsed to
/// without parsing it again.
#[must_use]
pub fn claim_context_copy(model: &FileModel) -> FileModel {
    let mut copy = FileModel::new(model.source.clone(), model.format);
    copy.claims.clone_from(&model.claims);
    copy.autoscalers.clone_from(&model.autoscalers);
    copy.persistent_volumes
        .clone_from(&model.persistent_volumes);
    copy.storage_classes.clone_from(&model.storage_classes);
    copy.workloads = model
        .workloads
        .iter()
        .filter(|w| mounts_a_claim(w))
        .cloned()
        .collect();
    copy.context = true;
    copy
}

/// `dir` and its parents up to the nearest folder holding `.git`; only `dir` when none does.
/// Never more than 32 levels.
#[must_use]
pub fn folders_up_to_git_root(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut current = Some(dir);
    while let Some(d) = current {
        if out.len() >= 32 {
            break;
        }
        out.push(d.to_path_buf());
        if d.join(".git").exists() {
            return out;
        }
        current = d.parent();
    }
    out.truncate(1);
    out
}

/// The names a kustomization file goes by.
pub const KUSTOMIZATION_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file in `dir`, if any.
#[must_use]
pub fn kustomization_in(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// The file names (as written, relative to its folder) a kustomization's `key` lists: plain
/// strings, or mappings with a `path:` (`patches:`).
fn kustomization_list(text: &str, keys: &[&str]) -> Vec<String> {
    let stream = parse::yaml::parse(&SourceFile::new("kustomization.yaml", text.to_string()));
    let mut out = Vec::new();
    for root in stream.documents.iter().filter_map(|d| d.root.as_deref()) {
        for key in keys {
            let Some(items) = root.get(key).and_then(parse::yaml::Node::as_seq) else {
                continue;
            };
            for item in items {
                let path = item
                    .as_text()
                    .or_else(|| item.get("path").and_then(parse::yaml::Node::as_text));
                out.extend(path.map(str::to_string));
            }
        }
    }
    out
}

/// The kustomization (in the file's folder or the one above) that names `path` as a patch
/// (`patches:`, `patchesStrategicMerge:`, `patchesJson6902:`): a partial object, not linted
/// alone.
#[must_use]
pub fn kustomize_patch_of(path: &Path) -> Option<PathBuf> {
    kustomize_context(path, path).patch_of
}

/// What the kustomizations in a file's folder and the one above say of it.
#[derive(Debug, Default)]
pub struct KustomizeContext {
    /// The kustomization that lists the file as a patch.
    pub patch_of: Option<PathBuf>,
    /// What the nearest kustomization that lists it as a resource or a generator's input
    /// says of it.
    pub facts: Option<crate::model::KustomizeFacts>,
}

/// A kustomization's lists, as written.
#[derive(Debug, Default)]
struct KustomizationDoc {
    /// `resources:` and `bases:`.
    resources: Vec<String>,
    /// Patch files, with their targets (`patches:`, `patchesStrategicMerge:`,
    /// `patchesJson6902:`).
    patches: Vec<crate::model::MissingPatch>,
    /// `configMapGenerator` / `secretGenerator` `files:` (without the `key=` of `key=path`).
    generator_files: Vec<String>,
}

fn read_kustomization(text: &str) -> KustomizationDoc {
    use parse::yaml::Node;
    let stream = parse::yaml::parse(&SourceFile::new("kustomization.yaml", text.to_string()));
    let mut doc = KustomizationDoc::default();
    let texts = |node: Option<&Node>| -> Vec<String> {
        node.and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i.as_text().map(str::to_string))
            .collect()
    };
    for root in stream.documents.iter().filter_map(|d| d.root.as_deref()) {
        doc.resources.extend(texts(root.get("resources")));
        doc.resources.extend(texts(root.get("bases")));
        for key in ["patches", "patchesStrategicMerge", "patchesJson6902"] {
            let items = root.get(key).and_then(Node::as_seq).unwrap_or_default();
            for item in items {
                // An inline patch (a YAML string) is no file.
                let path = item
                    .as_text()
                    .filter(|t| !t.contains('\n'))
                    .or_else(|| item.get("path").and_then(Node::as_text));
                let Some(path) = path else { continue };
                let target = item.get("target");
                let field = |name: &str| {
                    target
                        .and_then(|t| t.get(name))
                        .and_then(Node::as_text)
                        .map(str::to_string)
                };
                doc.patches.push(crate::model::MissingPatch {
                    path: path.to_string(),
                    kind: field("kind"),
                    name: field("name"),
                });
            }
        }
        for key in ["configMapGenerator", "secretGenerator"] {
            let generators = root.get(key).and_then(Node::as_seq).unwrap_or_default();
            for g in generators {
                doc.generator_files.extend(
                    texts(g.get("files"))
                        .into_iter()
                        .map(|f| f.split_once('=').map_or(f.clone(), |(_, p)| p.to_string())),
                );
            }
        }
    }
    doc
}

/// Reads the kustomizations in the folder of `path` and the one above: the one that lists
/// it as a patch, else the nearest that lists it as a resource (with the patches it lists
/// that are not there) or as a generator's input. `display` is the path as reports show it.
#[must_use]
pub fn kustomize_context(path: &Path, display: &Path) -> KustomizeContext {
    let mut out = KustomizeContext::default();
    let Some(name) = path.file_name() else {
        return out;
    };
    let name = name.to_string_lossy().to_ascii_lowercase();
    if !(name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json")) {
        return out;
    }
    let Ok(cwd) = std::env::current_dir() else {
        return out;
    };
    let absolute = normalize(&cwd.join(path));
    let mut dir = absolute.parent();
    let mut shown_dir = display.parent();
    for _ in 0..2 {
        let Some(d) = dir else { break };
        if let Some(k) = kustomization_in(d)
            && let Ok(text) = read_side_file(&k)
        {
            let doc = read_kustomization(&text);
            let is_this = |p: &str| !p.contains("://") && normalize(&d.join(p)) == absolute;
            if doc.patches.iter().any(|p| is_this(&p.path)) {
                out.patch_of = Some(k);
                out.facts = None;
                return out;
            }
            let resource = doc.resources.iter().any(|r| is_this(r));
            let generator_input = doc.generator_files.iter().any(|f| is_this(f));
            if out.facts.is_none() && (resource || generator_input) {
                let missing_patches = if resource {
                    doc.patches
                        .into_iter()
                        .filter(|p| !p.path.contains("://") && !d.join(&p.path).exists())
                        .collect()
                } else {
                    Vec::new()
                };
                if generator_input || !missing_patches.is_empty() {
                    let kustomization = match (shown_dir, k.file_name()) {
                        (Some(s), Some(n)) => s.join(n),
                        _ => k.clone(),
                    };
                    out.facts = Some(crate::model::KustomizeFacts {
                        kustomization,
                        missing_patches,
                        generator_input,
                    });
                }
            }
        }
        dir = d.parent();
        shown_dir = shown_dir.and_then(Path::parent);
    }
    out
}

/// The local paths a kustomization reads (`resources`, `bases`, `components`, patches,
/// generators' files are not followed): for confining `--render` to the linted tree. Remote
/// references (`https://`, `github.com/...`) come back as they are written.
#[must_use]
pub fn kustomization_inputs(text: &str) -> Vec<String> {
    kustomization_list(
        text,
        &[
            "resources",
            "bases",
            "components",
            "patches",
            "patchesStrategicMerge",
            "patchesJson6902",
            "crds",
            "configurations",
            "transformers",
            "generators",
        ],
    )
}

/// Why a file named on the command line gave nothing to lint: for the note on stderr.
#[must_use]
pub fn why_not_linted(path: &Path, shown: &Path) -> String {
    if let Some(k) = kustomize_patch_of(path) {
        let dir = k
            .parent()
            .map(|d| display_path(d, &std::env::current_dir().unwrap_or_default()));
        let dir = dir.map_or_else(String::new, |d| crate::output::path_str(&d));
        return format!(
            "a kustomize patch named by `{}`: a partial object, not linted alone (lint the \
             rendered objects with `stowlint check --render {dir}`)",
            crate::output::path_str(&display_path(
                &k,
                &std::env::current_dir().unwrap_or_default()
            ))
        );
    }
    match classify(shown) {
        detect::NameClass::Skip if detect::is_helm_template(shown, &Disk) => {
            "a Helm chart template is not YAML until rendered: lint it with `helm template \
             <chart> | stowlint check -`"
                .to_string()
        }
        detect::NameClass::Skip if detect::is_ci_path(shown) => {
            "a CI configuration, not a container configuration".to_string()
        }
        detect::NameClass::Quadlet => {
            let section = crate::parse::quadlet::section_for(shown).unwrap_or("Container");
            format!("no `[{section}]` section: not a Podman Quadlet unit")
        }
        detect::NameClass::Workflow => {
            "a CI workflow without job or service containers (or that cannot be read as YAML)"
                .to_string()
        }
        detect::NameClass::Skip => "the name says neither Dockerfile, compose file, YAML nor JSON \
             (rename it, pipe it to `stowlint check - --stdin-filename NAME`, or list it in \
             `include` in stowlint.toml)"
            .to_string(),
        _ if detect::is_json_name(shown) => {
            "JSON without `apiVersion` and `kind`: not a Kubernetes manifest".to_string()
        }
        _ => "YAML that is neither a compose file (top-level `services:`) nor a Kubernetes \
              manifest (`apiVersion` and `kind`)"
            .to_string(),
    }
}

/// Parse the YAML stream a tool rendered (`kubectl kustomize`), shown as `display`.
#[must_use]
pub fn parse_rendered(text: String, display: PathBuf, opts: &ParseOptions) -> Option<FileModel> {
    parse_bytes(
        display,
        Path::new("rendered.yaml"),
        text.into_bytes(),
        opts,
        true,
    )
}

/// Whether `--exclude` globs match a file named on the command line (`--force-exclude`): its
/// path as shown or its name.
#[must_use]
pub fn excluded_by_globs(path: &Path, cwd: &Path, excludes: &GlobSet) -> bool {
    is_excluded(path, Path::new(""), cwd, excludes)
        || display_path(path, cwd)
            .ancestors()
            .any(|a| !a.as_os_str().is_empty() && excludes.is_match(a))
}

/// Why standard input could not be linted.
#[derive(Clone, Debug)]
pub enum StdinProblem {
    /// The error, as messages show it.
    Io(String),
    TooLarge,
}

/// Read standard input, up to `limit` bytes.
pub fn read_stdin(stdin: &mut dyn Read, limit: u64) -> Result<Vec<u8>, StdinProblem> {
    let mut bytes = Vec::new();
    stdin
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| StdinProblem::Io(io_message(&e)))?;
    if bytes.len() as u64 > limit {
        return Err(StdinProblem::TooLarge);
    }
    Ok(bytes)
}

fn stdin_display(name: Option<&Path>) -> PathBuf {
    name.map_or_else(|| PathBuf::from("<stdin>"), Path::to_path_buf)
}

/// The SL001 file for standard input that could not be read.
#[must_use]
pub fn stdin_problem(problem: StdinProblem, name: Option<&Path>, limit: u64) -> FileModel {
    let display = stdin_display(name);
    match problem {
        StdinProblem::Io(e) => {
            let message = format!("cannot read standard input: {e}");
            parse::unreadable(display, None, message)
        }
        StdinProblem::TooLarge => too_large(display, None, limit),
    }
}

/// Parse what standard input held. `name` (`--stdin-filename`) decides how the text is
/// classified and shown; without it, the text is shown as `<stdin>` and classified by content
/// as YAML.
#[must_use]
pub fn parse_stdin(bytes: Vec<u8>, name: Option<&Path>, opts: &ParseOptions) -> Option<FileModel> {
    let display = stdin_display(name);
    // Classification goes by name: a name that says nothing (or none) reads as YAML, so
    // `helm template ... | stowlint check -` works.
    let classify_as = match name {
        Some(n) if classify(n) != detect::NameClass::Skip => n.to_path_buf(),
        // What `hadolint -` users type: a Dockerfile is told by its first instruction.
        None if std::str::from_utf8(&bytes).is_ok_and(detect::looks_like_dockerfile) => {
            PathBuf::from("Dockerfile")
        }
        _ => PathBuf::from("<stdin>.yaml"),
    };
    // A named document is what the kustomizations beside that name say of it, as in a walk:
    // a patch is not linted alone, and a resource whose patches are missing is unknown.
    let kustomize = name.map(|n| kustomize_context(n, n)).unwrap_or_default();
    if kustomize.patch_of.is_some() {
        return None;
    }
    let mut model = parse_bytes(display, &classify_as, bytes, opts, true)?;
    model.kustomize = kustomize.facts;
    Some(model)
}

/// Parse the bytes of the file shown as `display`, classified by the name `classify_as`
/// (`explicit`: named on the command line). `None` when it is none of ours.
pub(crate) fn parse_bytes(
    display: PathBuf,
    classify_as: &Path,
    bytes: Vec<u8>,
    opts: &ParseOptions,
    explicit: bool,
) -> Option<FileModel> {
    // A Quadlet extension on a file that is not text (a disk image named `.volume`) in a walk:
    // some other file, not ours to report.
    let unit_name = !explicit && classify(classify_as) == detect::NameClass::Quadlet;
    if unit_name && (wide_encoding(&bytes).is_some() || std::str::from_utf8(&bytes).is_err()) {
        return None;
    }
    if let Some(encoding) = wide_encoding(&bytes) {
        // Not decoded: offsets are the file's bytes (SARIF, the language server), Docker's
        // Dockerfile frontend reads only UTF-8, and the fix takes one save.
        let message = format!("{encoding} is not supported; save the file as UTF-8");
        return Some(parse::unreadable(display, None, message));
    }
    match String::from_utf8(bytes) {
        // JSON is YAML, but most JSON files are no manifests (`package.json`): read only
        // those that name an `apiVersion` and a `kind`.
        Ok(text)
            if detect::is_json_name(classify_as)
                && classify(classify_as) != detect::NameClass::Devcontainer
                && !detect::may_be_json_manifest(&text) =>
        {
            None
        }
        Ok(text) => {
            let mut model = parse::parse_file(SourceFile::new(classify_as, text), opts, explicit)?;
            if model.source.path != display {
                model.source.path = display;
            }
            Some(model)
        }
        // Not UTF-8 in a walk: reported only if the file, read with the bad bytes replaced, is
        // one of ours (a compose or Kubernetes file, a Dockerfile); other YAML (a Prometheus
        // rule file with GBK-encoded annotations) is none of our business.
        Err(e)
            if !explicit
                && parse::parse_file(
                    SourceFile::new(
                        classify_as,
                        String::from_utf8_lossy(e.as_bytes()).into_owned(),
                    ),
                    opts,
                    false,
                )
                .is_none() =>
        {
            None
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let message = format!("file is not valid UTF-8 (invalid byte at offset {at})");
            Some(parse::unreadable(display, Some(e.as_bytes()), message))
        }
    }
}

/// The encoding a byte order mark names, when it is UTF-16 or UTF-32 (Windows PowerShell 5
/// writes UTF-16 with `>`).
fn wide_encoding(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0, 0, 0xFE, 0xFF, ..] | [0xFF, 0xFE, 0, 0, ..] => Some("UTF-32"),
        [0xFE, 0xFF, ..] | [0xFF, 0xFE, ..] => Some("UTF-16"),
        _ => None,
    }
}

/// SL001 at 1:1 for a file over the limit; `size` when it is known (a device or a pipe only
/// says it is over).
#[must_use]
pub fn too_large(display: PathBuf, size: Option<u64>, limit: u64) -> FileModel {
    let size = size.map_or_else(|| "more".to_string(), |n| format!("{n} bytes"));
    let message = format!(
        "file too large ({size} > {}); not read (raise `max-file-size` to lint it)",
        format_size(limit)
    );
    parse::unreadable(display, None, message)
}

/// A size as people write limits: `10 MB`, `512 KiB`, `3 bytes`.
#[must_use]
pub fn format_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 6] = [
        (1 << 30, "GiB"),
        (1_000_000_000, "GB"),
        (1 << 20, "MiB"),
        (1_000_000, "MB"),
        (1 << 10, "KiB"),
        (1_000, "kB"),
    ];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    if bytes == 1 {
        "1 byte".into()
    } else {
        format!("{bytes} bytes")
    }
}

/// Read `text` as a size: bytes (`1048576`), or a number with a unit (`10MB`, `20 MiB`,
/// `512kB`, `1.5 GB`). Units of 1000 (`kB`, `MB`, `GB`, also `k`, `M`, `G`) and of 1024
/// (`KiB`, `MiB`, `GiB`), any case.
///
/// # Errors
/// Text that is no size, or zero.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" | "byte" | "bytes" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return Err(size_error(text)),
    };
    let value: f64 = number.parse().map_err(|_| size_error(text))?;
    // Whole bytes; a size past u64 saturates (f64 to u64 casts do).
    let bytes = (value * multiplier as f64).round() as u64;
    if bytes == 0 {
        return Err(format!("`{text}`: the size limit must be more than zero"));
    }
    check_size_limit(text, bytes)
}

/// A size limit spans can point into: under 4 GiB ([`MAX_FILE_SIZE`](crate::model::MAX_FILE_SIZE)
/// bytes at most), as positions are 32-bit byte offsets.
///
/// # Errors
/// The limit is larger, with what `text` (as written) should be.
pub fn check_size_limit(text: &str, bytes: u64) -> Result<u64, String> {
    if bytes > crate::model::MAX_FILE_SIZE {
        return Err(format!(
            "`{text}`: the size limit must be less than 4 GiB ({} bytes at most)",
            crate::model::MAX_FILE_SIZE
        ));
    }
    Ok(bytes)
}

fn size_error(text: &str) -> String {
    format!("`{text}` is not a size (bytes, or a number with kB, MB, GB, KiB, MiB or GiB)")
}

/// What reading a file gave.
#[derive(Debug)]
pub enum Contents {
    Bytes(Vec<u8>),
    /// Over the limit; its size when the file system told it.
    TooLarge {
        size: Option<u64>,
    },
    /// A FIFO, a device, a socket or a folder: what kind.
    NotRegular(&'static str),
}

/// The bytes of the regular file at `path` (links followed), at most `limit` of them. A FIFO
/// would block until written to and a device (`/dev/zero`) may never end, so neither is
/// opened. The limit is checked while reading too: the size on disk can lie (a growing log).
///
/// # Errors
/// The file cannot be opened or read.
pub fn read_limited(path: &Path, limit: u64) -> io::Result<Contents> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Ok(Contents::NotRegular(file_kind(&meta.file_type())));
    }
    let file = fs::File::open(path)?;
    // What was opened, should the path have changed since.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(Contents::NotRegular(file_kind(&meta.file_type())));
    }
    if meta.len() > limit {
        return Ok(Contents::TooLarge {
            size: Some(meta.len()),
        });
    }
    // Exactly the file's size (+1 to see it grew): the text is kept for the whole run, and a
    // doubling buffer would keep up to twice that.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(Contents::TooLarge { size: None });
    }
    Ok(Contents::Bytes(bytes))
}

/// Whether `dir` is the root of a repository (holds `.git`, a folder or a worktree's file).
#[must_use]
pub fn is_repository_root(dir: &Path) -> bool {
    fs::symlink_metadata(dir.join(".git")).is_ok()
}

/// The folder a side file read on behalf of `anchor` (a folder, as written) must really lie
/// in: the repository holding `anchor` (its nearest ancestor with `.git`, found without
/// following links, then resolved); outside a repository, the working folder when `anchor` is
/// in it, else `anchor` itself.
#[must_use]
pub fn confinement_root(anchor: &Path) -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let absolute = crate::model::lexical(&cwd.join(anchor));
    if let Some(repository) = absolute.ancestors().find(|d| is_repository_root(d)) {
        return fs::canonicalize(repository).ok();
    }
    let real = fs::canonicalize(&absolute).ok()?;
    let cwd = fs::canonicalize(cwd).ok()?;
    Some(if real.starts_with(&cwd) { cwd } else { real })
}

/// [`read_side_file`], for a file that a linted file refers to (a compose file's `.env`): read
/// only when its real path lies inside [`confinement_root`] of `anchor`. A `.env` linked to
/// `/proc/self/environ` or `~/.aws/credentials` must never reach a finding's message (or a
/// pull-request annotation).
///
/// # Errors
/// As [`read_side_file`], and when the file lies outside the repository.
pub fn read_confined_side_file(path: &Path, anchor: &Path) -> io::Result<String> {
    let outside = || {
        io::Error::new(
            io::ErrorKind::PermissionDenied,
            "outside the repository (followed a link); not read",
        )
    };
    // Most side files asked for do not exist (a compose file without `.env`): one `stat` says
    // so before the repository root is looked for.
    fs::symlink_metadata(path)?;
    let root = confinement_root(anchor).ok_or_else(outside)?;
    let real = fs::canonicalize(path)?;
    if !real.starts_with(&root) {
        return Err(outside());
    }
    read_side_file(&real)
}

/// The disk as the parsers' [`SideFiles`](parse::SideFiles): a side file is read with
/// [`read_confined_side_file`], anchored at its own folder (so a compose file's `.env` that
/// links out of the repository is not read); a `Chart.yaml` exists when it is a file.
#[derive(Clone, Copy, Debug, Default)]
pub struct Disk;

impl parse::SideFiles for Disk {
    fn read(&self, path: &Path) -> Option<String> {
        let anchor = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        read_confined_side_file(path, anchor).ok()
    }

    fn exists(&self, path: &Path) -> bool {
        path.is_file()
    }
}

/// Default parse options over the [`Disk`]: what the command line uses before a
/// configuration changes them.
#[must_use]
pub fn parse_options() -> ParseOptions {
    ParseOptions {
        side_files: Arc::new(Disk),
        ..ParseOptions::default()
    }
}

/// [`detect::classify`] over the [`Disk`]: by name, and Helm chart templates skipped.
#[must_use]
pub fn classify(path: &Path) -> detect::NameClass {
    detect::classify(path, &Disk)
}

/// The text of a small side file (`.env`, a configuration) at `path`, refusing what
/// [`read_limited`] refuses, over [`MAX_FILE_SIZE`] or not UTF-8.
///
/// # Errors
/// The file is missing, unreadable, not a regular file, too large or not UTF-8.
pub fn read_side_file(path: &Path) -> io::Result<String> {
    match read_limited(path, MAX_FILE_SIZE)? {
        Contents::Bytes(bytes) => String::from_utf8(bytes)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not valid UTF-8")),
        Contents::TooLarge { .. } => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("file too large (over {})", format_size(MAX_FILE_SIZE)),
        )),
        Contents::NotRegular(kind) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a regular file ({kind})"),
        )),
    }
}

/// What a file that is not a regular file is, as users call it.
fn file_kind(t: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() { "a folder" } else { "not a file" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_relative_to_the_working_folder() {
        let cwd = Path::new("/work/repo");
        for (given, shown) in [
            ("./compose.yaml", "compose.yaml"),
            ("sub/./k8s.yaml", "sub/k8s.yaml"),
            ("/work/repo/sub/a.yaml", "sub/a.yaml"),
            ("../repo/a.yaml", "a.yaml"),
            ("/elsewhere/a.yaml", "/elsewhere/a.yaml"),
            ("../other/a.yaml", "../other/a.yaml"),
        ] {
            assert_eq!(
                display_path(Path::new(given), cwd),
                Path::new(shown),
                "{given}"
            );
        }
    }

    #[test]
    fn sizes_read_and_print_as_people_write_them() {
        for (text, bytes) in [
            ("1048576", 1_048_576),
            ("10MB", 10_000_000),
            ("20 mb", 20_000_000),
            ("512KiB", 524_288),
            ("1.5 GB", 1_500_000_000),
            ("2M", 2_000_000),
            ("64 bytes", 64),
        ] {
            assert_eq!(parse_size(text), Ok(bytes), "{text}");
        }
        assert_eq!(parse_size("4294967295"), Ok(u64::from(u32::MAX)));
        for bad in [
            "",
            "MB",
            "ten",
            "10 XB",
            "0",
            "0MB",
            "-1",
            "1e9",
            "4GiB",
            "4294967296",
        ] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
        assert_eq!(format_size(10_000_000), "10 MB");
        assert_eq!(format_size(16 << 20), "16 MiB");
        assert_eq!(format_size(1500), "1500 bytes");
        assert_eq!(format_size(1), "1 byte");
    }

    #[test]
    fn io_messages_drop_the_os_error_number() {
        let e = io::Error::from_raw_os_error(2);
        assert_eq!(io_message(&e), "No such file or directory");
    }

    #[test]
    fn exclude_globs_match_folders_and_names() {
        let set = excludes(&["fixtures/**".into(), "*.bak.yaml".into(), "old/".into()])
            .unwrap_or_else(|e| panic!("{e}"));
        let root = Path::new("/r");
        let cwd = Path::new("/r");
        assert!(is_excluded(
            Path::new("/r/fixtures/a.yaml"),
            root,
            cwd,
            &set
        ));
        assert!(is_excluded(Path::new("/r/x/y.bak.yaml"), root, cwd, &set));
        assert!(is_excluded(Path::new("/r/old"), root, cwd, &set));
        assert!(!is_excluded(Path::new("/r/compose.yaml"), root, cwd, &set));
    }
}

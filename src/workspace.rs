//! The files a run sees, and the one way the files it was not given are found.
//!
//! A linted file may depend on files the run was not given: the Dockerfile a compose `build:`
//! names, the compose files it extends or includes, the compose files beside it that extend
//! or include it, and the claims, autoscalers, PersistentVolumes and StorageClasses of the
//! manifests around it (a pre-commit hook passes only the changed file; an editor lints one
//! document). [`Wants`] says which a file depends on, from its model; [`read_context`] reads
//! them, through an [`Fs`]: the disk for the command line ([`Disk`]), the editor's open
//! documents over the disk for the language server, a map for tests and fuzzers
//! ([`Memory`]). The command line, the language server and the tests find context this one
//! way; the fact index ([`crate::model::index`]) answers from what was found.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io;
use std::path::{Path, PathBuf};

use crate::discover::{self, Contents};
use crate::model::{FileModel, Format, MAX_DEPTH, lexical};
use crate::parse::ParseOptions;

/// How many files of a folder are looked at for compose files that extend or include a file
/// named alone.
pub const MAX_SIBLINGS: usize = 64;

/// Where a run reads files. Paths are as diagnostics name them (relative to the run's
/// working folder, or absolute).
pub trait Fs: Sync {
    /// The bytes of the file at `path`, at most `limit` of them.
    ///
    /// # Errors
    /// The file cannot be read.
    fn read(&self, path: &Path, limit: u64) -> io::Result<Contents>;

    /// Whether a regular file is at `path` that context may be read from: one that really
    /// lies in its repository (a link that leaves it is not followed).
    fn is_context_file(&self, path: &Path) -> bool;

    /// The `.yml`/`.yaml` files of the folder `dir`, sorted.
    fn yaml_files(&self, dir: &Path) -> Vec<PathBuf>;

    /// The files that may declare claims, autoscalers, PersistentVolumes or StorageClasses for
    /// the manifest at `path`: on disk, the YAML files of its folder and of its parents up to
    /// the repository root.
    fn claim_files(&self, path: &Path) -> Vec<PathBuf> {
        let Some(dir) = path.parent() else {
            return Vec::new();
        };
        self.folders_up_to_root(dir)
            .iter()
            .flat_map(|d| self.yaml_files(d))
            .collect()
    }

    /// `dir` and its parents up to the repository root (only `dir` outside a repository).
    fn folders_up_to_root(&self, dir: &Path) -> Vec<PathBuf>;

    /// The claim context model of the file at `path` (see [`discover::claim_context`]):
    /// `None` when it declares no claim facts.
    fn claim_model(&self, path: &Path, opts: &ParseOptions) -> Option<FileModel> {
        let Ok(Contents::Bytes(bytes)) = self.read(path, opts.max_file_size) else {
            return None;
        };
        let text = String::from_utf8(bytes).ok()?;
        if !discover::may_hold_claim_facts(&text) {
            return None;
        }
        crate::parse::parse_file(crate::model::SourceFile::new(path, text), opts, false)
            .and_then(discover::claim_context)
    }
}

/// The disk, with display paths relative to `cwd`.
#[derive(Clone, Debug)]
pub struct Disk {
    pub cwd: PathBuf,
}

impl Disk {
    #[must_use]
    pub fn new(cwd: impl Into<PathBuf>) -> Self {
        Self { cwd: cwd.into() }
    }

    fn display(&self, absolute: &Path) -> PathBuf {
        discover::display_path(absolute, &self.cwd)
    }
}

impl Fs for Disk {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Contents> {
        discover::read_limited(&self.cwd.join(path), limit)
    }

    fn is_context_file(&self, path: &Path) -> bool {
        let path = self.cwd.join(path);
        if !path.is_file() {
            return false;
        }
        let Some(root) = path.parent().and_then(discover::confinement_root) else {
            return false;
        };
        std::fs::canonicalize(&path).is_ok_and(|real| real.starts_with(&root))
    }

    fn yaml_files(&self, dir: &Path) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(self.cwd.join(dir)) else {
            return Vec::new();
        };
        let mut out: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| dir.join(e.file_name()))
            .filter(|p| is_yaml(p))
            .collect();
        out.sort();
        out
    }

    fn folders_up_to_root(&self, dir: &Path) -> Vec<PathBuf> {
        let absolute = lexical(&self.cwd.join(dir));
        discover::folders_up_to_git_root(&absolute)
            .iter()
            .map(|d| self.display(d))
            .collect()
    }
}

/// Files in memory, by display path: for tests and fuzzers. A folder holding `.git` (a
/// file of that name) is a repository root.
#[derive(Clone, Debug, Default)]
pub struct Memory {
    pub files: BTreeMap<PathBuf, String>,
}

impl Memory {
    #[must_use]
    pub fn new<P: Into<PathBuf>, T: Into<String>>(files: impl IntoIterator<Item = (P, T)>) -> Self {
        Self {
            files: files
                .into_iter()
                .map(|(p, t)| (lexical(&p.into()), t.into()))
                .collect(),
        }
    }
}

impl Fs for Memory {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Contents> {
        let text = self
            .files
            .get(&lexical(path))
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        Ok(if text.len() as u64 > limit {
            Contents::TooLarge {
                size: Some(text.len() as u64),
            }
        } else {
            Contents::Bytes(text.as_bytes().to_vec())
        })
    }

    fn is_context_file(&self, path: &Path) -> bool {
        self.files.contains_key(&lexical(path))
    }

    fn yaml_files(&self, dir: &Path) -> Vec<PathBuf> {
        let dir = lexical(dir);
        self.files
            .keys()
            .filter(|p| p.parent() == Some(dir.as_path()) && is_yaml(p))
            .cloned()
            .collect()
    }

    fn folders_up_to_root(&self, dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for d in lexical(dir).ancestors() {
            out.push(d.to_path_buf());
            if self.files.contains_key(&d.join(".git")) {
                return out;
            }
        }
        out.truncate(1);
        out
    }
}

/// Whether the file is named `.yml` or `.yaml` (any case).
#[must_use]
pub fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// The files a linted file depends on that the run may not have been given, lexically
/// normalized display paths.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wants {
    /// Dockerfiles its compose `build:` sections name.
    pub dockerfiles: BTreeSet<PathBuf>,
    /// Compose files it extends services of or includes.
    pub compose: BTreeSet<PathBuf>,
    /// Compose files whose folder is searched for the compose files that extend or include
    /// them: a compose file named alone may be the base its siblings build on.
    pub referred: BTreeSet<PathBuf>,
    /// Manifests whose workloads mount claims, whose surroundings are read for claim facts.
    pub claims_near: BTreeSet<PathBuf>,
}

impl Wants {
    /// What `file` depends on. `named`: the run was given the file alone (on the command
    /// line, or open in an editor), not found by a walk that saw its neighbours — only then
    /// are its siblings and surroundings read.
    #[must_use]
    pub fn of(file: &FileModel, named: bool) -> Self {
        let mut wants = Self::default();
        if file.context {
            return wants;
        }
        let path = lexical(&file.source.path);
        wants.dockerfiles = file
            .workloads
            .iter()
            .filter_map(|w| w.build.as_ref())
            .map(|b| lexical(&b.dockerfile_path))
            .filter(|p| *p != path)
            .collect();
        if file.format == Some(Format::Compose) {
            wants.compose = crate::model::compose_refs(file).into_iter().collect();
            if named {
                wants.referred.insert(path.clone());
            }
        }
        if named && discover::wants_claim_facts(file) {
            wants.claims_near.insert(path);
        }
        wants
    }

    /// Whether it depends on nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.dockerfiles.is_empty()
            && self.compose.is_empty()
            && self.referred.is_empty()
            && self.claims_near.is_empty()
    }

    pub fn extend(&mut self, other: Self) {
        self.dockerfiles.extend(other.dockerfiles);
        self.compose.extend(other.compose);
        self.referred.extend(other.referred);
        self.claims_near.extend(other.claims_near);
    }
}

/// Read what `wants` asks for and `have` (lexically normalized display paths of the files the
/// run has) does not hold, as context models (`context` set: their own findings are not
/// reported): the Dockerfiles, then the compose files (siblings that extend or include a
/// named file, and what compose files extend or include, [`MAX_DEPTH`] levels at most), then
/// the claim files. Files are read in parallel; the result is in that order, each group in
/// path order.
#[must_use]
pub fn read_context(
    fs: &dyn Fs,
    wants: &Wants,
    have: &HashSet<PathBuf>,
    opts: &ParseOptions,
) -> Vec<FileModel> {
    let mut have = have.clone();
    let dockerfiles: Vec<PathBuf> = wants
        .dockerfiles
        .iter()
        .filter(|p| !have.contains(*p))
        .cloned()
        .collect();
    // Mostly paths that do not exist (a build context without a Dockerfile in the run).
    let mut found: Vec<FileModel> =
        crate::par::map(&dockerfiles, |_, p| build_context(fs, p, opts))
            .into_iter()
            .flatten()
            .collect();
    have.extend(found.iter().map(|f| lexical(&f.source.path)));

    // Siblings that extend or include a named compose file.
    let mut siblings: BTreeSet<PathBuf> = BTreeSet::new();
    for named in &wants.referred {
        let folder = named.parent().unwrap_or(Path::new(""));
        let mut names: Vec<PathBuf> = fs
            .yaml_files(folder)
            .into_iter()
            .map(|p| lexical(&p))
            .filter(|p| !have.contains(p))
            .collect();
        names.truncate(MAX_SIBLINGS);
        siblings.extend(names);
    }
    let siblings: Vec<PathBuf> = siblings.into_iter().collect();
    let referrers: Vec<FileModel> = crate::par::map(&siblings, |_, p| compose_context(fs, p, opts))
        .into_iter()
        .flatten()
        .filter(|m| {
            crate::model::compose_refs(m)
                .iter()
                .any(|r| wants.referred.contains(r))
        })
        .collect();
    have.extend(referrers.iter().map(|f| lexical(&f.source.path)));
    let mut compose: Vec<FileModel> = Vec::new();
    let mut wanted: BTreeSet<PathBuf> = wants
        .compose
        .iter()
        .cloned()
        .chain(referrers.iter().flat_map(crate::model::compose_refs))
        .collect();
    compose.extend(referrers);
    for _ in 0..MAX_DEPTH {
        wanted.retain(|p| !have.contains(p));
        if wanted.is_empty() {
            break;
        }
        have.extend(wanted.iter().cloned());
        let round: Vec<PathBuf> = std::mem::take(&mut wanted).into_iter().collect();
        let models: Vec<FileModel> = crate::par::map(&round, |_, p| compose_context(fs, p, opts))
            .into_iter()
            .flatten()
            .collect();
        wanted.extend(models.iter().flat_map(crate::model::compose_refs));
        compose.extend(models);
    }
    compose.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    found.append(&mut compose);

    // Claims, autoscalers, PersistentVolumes and StorageClasses around named manifests.
    let mut claim_files: BTreeSet<PathBuf> = BTreeSet::new();
    for path in &wants.claims_near {
        claim_files.extend(
            fs.claim_files(path)
                .into_iter()
                .map(|p| lexical(&p))
                .filter(|p| !have.contains(p)),
        );
    }
    let claim_files: Vec<PathBuf> = claim_files.into_iter().collect();
    found.extend(
        crate::par::map(&claim_files, |_, p| fs.claim_model(p, opts))
            .into_iter()
            .flatten(),
    );
    found
}

/// The Dockerfile a compose `build:` names, read as context. `None` when there is no such
/// file (or it lies outside its repository).
fn build_context(fs: &dyn Fs, path: &Path, opts: &ParseOptions) -> Option<FileModel> {
    if !fs.is_context_file(path) {
        return None;
    }
    let Ok(Contents::Bytes(bytes)) = fs.read(path, opts.max_file_size) else {
        return None;
    };
    let mut model = discover::parse_bytes(path.to_path_buf(), path, bytes, opts, false)?;
    model.context = true;
    Some(model)
}

/// The compose file at `path` that another compose file extends services of or includes (or
/// that may extend or include a named one), read as context whatever its name says (a base
/// may be a fragment such as `common-services.yml`). `None` when it is no compose file.
fn compose_context(fs: &dyn Fs, path: &Path, opts: &ParseOptions) -> Option<FileModel> {
    if !fs.is_context_file(path) {
        return None;
    }
    let Ok(Contents::Bytes(bytes)) = fs.read(path, opts.max_file_size) else {
        return None;
    };
    // Classified as compose by a compose name in the same folder (relative paths and the
    // `.env` file resolve there).
    let classify_as = path.with_file_name("compose.yaml");
    let mut model = discover::parse_bytes(path.to_path_buf(), &classify_as, bytes, opts, false)?;
    if model.format != Some(Format::Compose) {
        return None;
    }
    model.context = true;
    Some(model)
}

/// Add to `files` the context they want (see [`Wants::of`]): the files in `named` were given
/// alone, the others were found by a walk. The whole-project way of a run (tests, `--render`
/// and the fuzzers), the same reading as the streaming run's.
pub fn add_context(
    files: &mut Vec<FileModel>,
    named: &HashSet<PathBuf>,
    fs: &dyn Fs,
    opts: &ParseOptions,
) {
    let mut wants = Wants::default();
    for f in files.iter() {
        wants.extend(Wants::of(f, named.contains(&f.source.path)));
    }
    let have: HashSet<PathBuf> = files.iter().map(|f| lexical(&f.source.path)).collect();
    let mut found = read_context(fs, &wants, &have, opts);
    files.append(&mut found);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> ParseOptions {
        ParseOptions::default()
    }

    #[test]
    fn a_named_base_reads_the_siblings_that_extend_it_and_nothing_else() {
        let fs = Memory::new([
            ("app/base.yml", "services:\n  db:\n    image: postgres:17\n"),
            (
                "app/compose.yaml",
                "services:\n  db:\n    extends: {file: base.yml, service: db}\n",
            ),
            ("app/notes.yml", "title: not compose\n"),
            (
                "app/other.yaml",
                "services:\n  x:\n    extends: {file: elsewhere.yml, service: x}\n",
            ),
        ]);
        let base = crate::parse::parse_file(
            crate::model::SourceFile::new(
                "app/base.yml",
                fs.files[Path::new("app/base.yml")].clone(),
            ),
            &opts(),
            true,
        )
        .expect("compose");
        let wants = Wants::of(&base, true);
        assert_eq!(
            wants.referred,
            BTreeSet::from([PathBuf::from("app/base.yml")])
        );
        let have = HashSet::from([PathBuf::from("app/base.yml")]);
        let found = read_context(&fs, &wants, &have, &opts());
        let paths: Vec<&Path> = found.iter().map(|f| f.source.path.as_path()).collect();
        assert_eq!(paths, [Path::new("app/compose.yaml")]);
        assert!(found[0].context);
        // Found by a walk, its neighbours are the run's: nothing is read.
        assert!(Wants::of(&base, false).is_empty());
    }

    #[test]
    fn claims_are_read_up_to_the_repository_root_only() {
        let claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\n";
        let fs = Memory::new([
            ("repo/.git", ""),
            ("repo/pvc.yaml", claim),
            ("repo/apps/web/pvc.yaml", claim),
            ("repo/apps/other/pvc.yaml", claim),
            ("outside.yaml", claim),
        ]);
        let files = fs.claim_files(Path::new("repo/apps/web/deploy.yaml"));
        assert_eq!(
            files,
            [
                PathBuf::from("repo/apps/web/pvc.yaml"),
                PathBuf::from("repo/pvc.yaml")
            ]
        );
        assert!(
            fs.claim_model(Path::new("repo/pvc.yaml"), &opts())
                .is_some()
        );
        assert!(fs.claim_model(Path::new("repo/.git"), &opts()).is_none());
    }
}

//! The cross-file index: what one file can ask about the others, and the answers.
//!
//! Rules see other files only through six lookups on [`Project`](super::Project): the
//! Dockerfile a compose `build:` names, a PersistentVolumeClaim by name, the autoscalers of a
//! workload, the compose files of a folder, the compose file at a path (a base of `extends`,
//! an `include`d file), and the compose files that extend or include one. Each lookup is a [`Query`]; the index answers
//! it from small per-file [`FileFacts`] (names and namespaces, never trees). A project answers
//! from its own files; a streaming run answers the same queries from the facts of every file
//! it read, and the two must agree (one implementation serves both), which is how a run that
//! linted a file alone can tell whether another file would have changed its findings.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{FileModel, Format, lexical, same_namespace};

/// A cross-file question a rule asked while checking one file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Query {
    /// The Dockerfile at this path (lexically normalized).
    Dockerfile(PathBuf),
    /// The claim `name` seen from `namespace`.
    Claim {
        name: String,
        namespace: Option<String>,
    },
    /// The autoscalers whose `scaleTargetRef` is this kind and name, seen from `namespace`.
    Autoscalers {
        kind: Option<String>,
        name: String,
        namespace: Option<String>,
    },
    /// The compose files of a folder.
    ComposeDir(PathBuf),
    /// The compose file at this path (lexically normalized).
    ComposeFile(PathBuf),
    /// The compose files that extend a service of, or include, the file at this path.
    ComposeReferrers(PathBuf),
}

/// Which files (and which item of each) answer a query: a path, and the position of the
/// claim or autoscaler in its file (0 for whole files). Equal answers mean equal findings.
pub type Answer = Vec<(PathBuf, usize)>;

/// What a file contributes to cross-file lookups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// As diagnostics name the file.
    pub path: PathBuf,
    pub compose: bool,
    pub dockerfile: bool,
    /// Claims in file order: name and namespace.
    pub claims: Vec<(String, Option<String>)>,
    /// Autoscalers in file order: target kind, target name, namespace.
    pub autoscalers: Vec<(Option<String>, Option<String>, Option<String>)>,
    /// Compose: the other files it extends services of or includes, each once, lexically
    /// normalized.
    pub compose_refs: Vec<PathBuf>,
}

impl FileFacts {
    #[must_use]
    pub fn of(file: &FileModel) -> Self {
        Self {
            path: file.source.path.clone(),
            compose: file.format == Some(Format::Compose),
            dockerfile: file.dockerfile.is_some(),
            claims: file
                .claims
                .iter()
                .map(|c| (c.name.value.clone(), c.namespace.clone()))
                .collect(),
            autoscalers: file
                .autoscalers
                .iter()
                .map(|a| {
                    (
                        a.target_kind.clone(),
                        a.target_name.as_ref().map(|n| n.value.clone()),
                        a.namespace.clone(),
                    )
                })
                .collect(),
            compose_refs: compose_refs(file),
        }
    }
}

/// The files a compose file extends services of or includes, each once, in file order.
#[must_use]
pub fn compose_refs(file: &FileModel) -> Vec<PathBuf> {
    let mut refs: Vec<PathBuf> = Vec::new();
    let own = lexical(&file.source.path);
    let extended = file
        .workloads
        .iter()
        .filter_map(|w| w.extends.as_ref()?.file.clone());
    let included = file.includes.iter().flat_map(|i| i.paths.iter().cloned());
    for path in extended.chain(included) {
        if path != own && !refs.contains(&path) {
            refs.push(path);
        }
    }
    refs
}

/// Lookups over the facts of a set of files, in the order given (a run sorts files by path).
#[derive(Debug, Default)]
pub struct FactIndex {
    files: Vec<FileFacts>,
    dockerfiles: HashMap<PathBuf, usize>,
    /// Claims by name: (file, claim).
    claims: HashMap<String, Vec<(usize, usize)>>,
    /// Autoscalers by target name: (file, autoscaler).
    autoscalers: HashMap<String, Vec<(usize, usize)>>,
    compose_by_dir: HashMap<PathBuf, Vec<usize>>,
    /// Compose files by lexical path.
    compose_files: HashMap<PathBuf, usize>,
    /// Compose files by the files they extend or include.
    referrers: HashMap<PathBuf, Vec<usize>>,
}

impl FactIndex {
    #[must_use]
    pub fn new(files: Vec<FileFacts>) -> Self {
        let mut index = FactIndex::default();
        for (i, f) in files.iter().enumerate() {
            if f.dockerfile {
                index.dockerfiles.insert(lexical(&f.path), i);
            }
            if f.compose {
                let dir = f.path.parent().unwrap_or(Path::new(""));
                index
                    .compose_by_dir
                    .entry(dir.to_path_buf())
                    .or_default()
                    .push(i);
                index.compose_files.entry(lexical(&f.path)).or_insert(i);
                for target in &f.compose_refs {
                    index.referrers.entry(target.clone()).or_default().push(i);
                }
            }
            for (j, (name, _)) in f.claims.iter().enumerate() {
                index.claims.entry(name.clone()).or_default().push((i, j));
            }
            for (j, (_, target, _)) in f.autoscalers.iter().enumerate() {
                if let Some(target) = target {
                    index
                        .autoscalers
                        .entry(target.clone())
                        .or_default()
                        .push((i, j));
                }
            }
        }
        index.files = files;
        index
    }

    #[must_use]
    pub fn files(&self) -> &[FileFacts] {
        &self.files
    }

    /// The file holding the Dockerfile at `path` (compared after lexical normalization).
    #[must_use]
    pub fn dockerfile(&self, path: &Path) -> Option<usize> {
        self.dockerfiles.get(&lexical(path)).copied()
    }

    /// The claim `name` seen from `namespace`: an exact namespace match wins over an object
    /// without namespace; otherwise the first that matches.
    #[must_use]
    pub fn claim(&self, name: &str, namespace: Option<&str>) -> Option<(usize, usize)> {
        let mut found = None;
        for &(i, j) in self.claims.get(name)? {
            let theirs = self.files[i].claims[j].1.as_deref();
            if !same_namespace(theirs, namespace) {
                continue;
            }
            if theirs == namespace {
                return Some((i, j));
            }
            found = found.or(Some((i, j)));
        }
        found
    }

    /// The autoscalers of the workload `kind`/`name` in `namespace`. A workload that is not a
    /// Kubernetes object (no kind) has none.
    pub fn autoscalers<'a>(
        &'a self,
        kind: Option<&'a str>,
        name: &str,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.autoscalers
            .get(name)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .copied()
            .filter(move |&(i, j)| {
                let (target_kind, _, theirs) = &self.files[i].autoscalers[j];
                kind.is_some()
                    && target_kind.as_deref() == kind
                    && same_namespace(theirs.as_deref(), namespace)
            })
    }

    /// The compose files in `dir`.
    #[must_use]
    pub fn compose_in(&self, dir: &Path) -> &[usize] {
        self.compose_by_dir.get(dir).map_or(&[][..], Vec::as_slice)
    }

    /// The compose file at `path` (compared after lexical normalization).
    #[must_use]
    pub fn compose_file(&self, path: &Path) -> Option<usize> {
        self.compose_files.get(&lexical(path)).copied()
    }

    /// The compose files that extend services of, or include, the file at `path`.
    #[must_use]
    pub fn compose_referrers(&self, path: &Path) -> &[usize] {
        self.referrers
            .get(&lexical(path))
            .map_or(&[][..], Vec::as_slice)
    }

    /// The files and items that answer `query`: (file, item) positions.
    fn hits<'a>(&'a self, query: &'a Query) -> Box<dyn Iterator<Item = (usize, usize)> + 'a> {
        match query {
            Query::Dockerfile(p) => Box::new(self.dockerfile(p).map(|i| (i, 0)).into_iter()),
            Query::Claim { name, namespace } => {
                Box::new(self.claim(name, namespace.as_deref()).into_iter())
            }
            Query::Autoscalers {
                kind,
                name,
                namespace,
            } => Box::new(self.autoscalers(kind.as_deref(), name, namespace.as_deref())),
            Query::ComposeDir(dir) => Box::new(self.compose_in(dir).iter().map(|&i| (i, 0))),
            Query::ComposeFile(path) => {
                Box::new(self.compose_file(path).map(|i| (i, 0)).into_iter())
            }
            Query::ComposeReferrers(path) => {
                Box::new(self.compose_referrers(path).iter().map(|&i| (i, 0)))
            }
        }
    }

    /// The answer to `query`, as paths and item positions.
    #[must_use]
    pub fn answer(&self, query: &Query) -> Answer {
        self.hits(query)
            .map(|(i, j)| (self.files[i].path.clone(), j))
            .collect()
    }

    /// Whether `answer` is what this index answers to `query` (without building the answer).
    #[must_use]
    pub fn agrees(&self, query: &Query, answer: &Answer) -> bool {
        let mut hits = self.hits(query);
        let mut expected = answer.iter();
        loop {
            match (hits.next(), expected.next()) {
                (None, None) => return true,
                (Some((i, j)), Some((path, k))) if j == *k && self.files[i].path == *path => {}
                _ => return false,
            }
        }
    }
}

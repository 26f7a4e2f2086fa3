//! The cross-file index: what one file can ask about the others, and the answers.
//!
//! Rules see other files only through these lookups on [`Project`](super::Project): the
//! Dockerfile a compose `build:` names, a PersistentVolumeClaim by name, the autoscalers of a
//! workload, the compose files of a folder, the compose file at a path (a base of `extends`,
//! an `include`d file), the compose files that extend or include one, a StorageClass by name,
//! the default StorageClasses, and the PersistentVolume a claim binds. Each lookup is a
//! [`Query`]; the index answers
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
    /// The claim `name` seen from `namespace`, by a file in the folder `near`.
    Claim {
        name: String,
        namespace: Option<String>,
        near: PathBuf,
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
    /// The StorageClasses of this name (cluster-wide: no namespace).
    StorageClass(String),
    /// The StorageClasses annotated as the cluster's default.
    DefaultStorageClasses,
    /// The PersistentVolumes of a class (`""`: of none), which claims of the class may bind.
    ClassVolumes(String),
    /// The PersistentVolumes labelled `key: value`, which a claim selecting that label may
    /// bind.
    LabelledVolumes { key: String, value: String },
    /// The workloads that mount the claim `name` which a workload in `namespace`, in the
    /// folder `near`, mounts: those whose own lookup of `name` finds the same claim.
    ClaimUsers {
        name: String,
        namespace: Option<String>,
        near: PathBuf,
    },
    /// The PersistentVolume a claim binds: the one named `volume` (the claim's `volumeName`),
    /// else those whose `claimRef` names the claim `claim` in `namespace`.
    BoundVolume {
        volume: Option<String>,
        claim: String,
        namespace: Option<String>,
    },
}

/// Which files (and which item of each) answer a query: a path, and the position of the
/// claim or autoscaler in its file (0 for whole files). Equal answers mean equal findings.
pub type Answer = Vec<(PathBuf, usize)>;

/// A claim as a PersistentVolume's `claimRef` names it: name and namespace.
pub type ClaimKey = (String, Option<String>);

/// What a PersistentVolume contributes to cross-file lookups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VolumeFacts {
    pub name: String,
    /// The claim its `claimRef` reserves it for.
    pub claim_ref: Option<ClaimKey>,
    /// Its `storageClassName`; empty when it has none.
    pub class: String,
    /// Its `metadata.labels`.
    pub labels: Vec<(String, String)>,
}

/// What a file contributes to cross-file lookups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// As diagnostics name the file.
    pub path: PathBuf,
    pub compose: bool,
    pub dockerfile: bool,
    /// Claims in file order: name and namespace.
    pub claims: Vec<(String, Option<String>)>,
    /// Claims mounted by the file's workloads (claim templates aside), each once per
    /// workload, in file order: claim name, the workload's namespace, the workload's position.
    pub claim_users: Vec<(String, Option<String>, usize)>,
    /// Autoscalers in file order: target kind, target name, namespace.
    pub autoscalers: Vec<(Option<String>, Option<String>, Option<String>)>,
    /// Compose: the other files it extends services of or includes, each once, lexically
    /// normalized.
    pub compose_refs: Vec<PathBuf>,
    /// StorageClasses in file order: name, and whether annotated as the default.
    pub storage_classes: Vec<(String, bool)>,
    /// PersistentVolumes in file order.
    pub volumes: Vec<VolumeFacts>,
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
            claim_users: claim_users(file),
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
            storage_classes: file
                .storage_classes
                .iter()
                .map(|c| (c.name.value.clone(), c.default.is_some()))
                .collect(),
            volumes: file
                .persistent_volumes
                .iter()
                .map(|v| VolumeFacts {
                    name: v.name.value.clone(),
                    claim_ref: v
                        .claim_ref
                        .as_ref()
                        .map(|r| (r.name.value.clone(), r.namespace.clone())),
                    class: v
                        .storage_class
                        .as_ref()
                        .map(|c| c.value.clone())
                        .unwrap_or_default(),
                    labels: v.labels.clone(),
                })
                .collect(),
        }
    }
}

/// The claims the workloads of `file` mount (not those of their own claim templates), each
/// once per workload: claim name, the workload's namespace, the workload's position.
#[must_use]
pub fn claim_users(file: &FileModel) -> Vec<(String, Option<String>, usize)> {
    let mut users = Vec::new();
    for (k, w) in file.workloads.iter().enumerate() {
        let first = users.len();
        for (_, m) in w.mounts() {
            let super::MountSource::Claim(name) = &m.source else {
                continue;
            };
            if m.kind != super::MountKind::Claim
                || w.claim_templates.iter().any(|t| &t.name.value == name)
                || users[first..].iter().any(|(n, _, _)| n == name)
            {
                continue;
            }
            users.push((name.clone(), w.namespace.clone(), k));
        }
    }
    users
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

/// The claims of one name: by namespace as written (`None`: without one), and all of them.
#[derive(Debug, Default)]
struct ClaimsNamed {
    by_namespace: HashMap<Option<String>, Near>,
    any: Near,
}

/// Items (file, item) by where their files are, for the nearest to a folder in a lookup
/// that costs the depth of the folder, not the number of items.
#[derive(Debug, Default)]
struct Near {
    /// The first item (file order) of each folder.
    in_folder: HashMap<PathBuf, (usize, usize)>,
    /// For each folder and each of its ancestors (the run's top included): the first item
    /// under it, and how many there are.
    under: HashMap<PathBuf, ((usize, usize), usize)>,
}

impl Near {
    /// Items are inserted in file order: the first one kept for each folder is the first.
    fn insert(&mut self, folder: &Path, item: (usize, usize)) {
        self.in_folder.entry(folder.to_path_buf()).or_insert(item);
        for ancestor in folder.ancestors() {
            self.under
                .entry(ancestor.to_path_buf())
                .and_modify(|(_, n)| *n += 1)
                .or_insert((item, 1));
        }
    }

    /// The item in `dir`, else the one under the deepest ancestor of `dir` holding any. When
    /// `unique`, several there (none nearer than the others) is no answer: which one the
    /// workload means cannot be told.
    fn nearest(&self, dir: &Path, unique: bool) -> Option<(usize, usize)> {
        if let Some(&item) = self.in_folder.get(dir) {
            return Some(item);
        }
        let &(first, count) = dir.ancestors().find_map(|a| self.under.get(a))?;
        (!unique || count == 1).then_some(first)
    }
}

/// Lookups over the facts of a set of files, in the order given (a run sorts files by path).
#[derive(Debug, Default)]
pub struct FactIndex {
    files: Vec<FileFacts>,
    dockerfiles: HashMap<PathBuf, usize>,
    /// Claims by name: (file, claim).
    claims: HashMap<String, ClaimsNamed>,
    /// Workloads mounting a claim, by claim name: (file, position in its `claim_users`).
    claim_users: HashMap<String, Vec<(usize, usize)>>,
    /// Autoscalers by target name: (file, autoscaler).
    autoscalers: HashMap<String, Vec<(usize, usize)>>,
    compose_by_dir: HashMap<PathBuf, Vec<usize>>,
    /// Compose files by lexical path.
    compose_files: HashMap<PathBuf, usize>,
    /// Compose files by the files they extend or include.
    referrers: HashMap<PathBuf, Vec<usize>>,
    /// StorageClasses by name: (file, class).
    storage_classes: HashMap<String, Vec<(usize, usize)>>,
    /// Default StorageClasses: (file, class).
    default_classes: Vec<(usize, usize)>,
    /// PersistentVolumes by name: (file, volume).
    volumes: HashMap<String, Vec<(usize, usize)>>,
    /// PersistentVolumes by the claim name of their `claimRef`: (file, volume).
    reserved: HashMap<String, Vec<(usize, usize)>>,
    /// PersistentVolumes by `storageClassName` (empty for none): (file, volume).
    volumes_by_class: HashMap<String, Vec<(usize, usize)>>,
    /// PersistentVolumes by each of their labels: (file, volume).
    volumes_by_label: HashMap<(String, String), Vec<(usize, usize)>>,
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
            let folder = f.path.parent().unwrap_or(Path::new(""));
            for (j, (name, namespace)) in f.claims.iter().enumerate() {
                let named = index.claims.entry(name.clone()).or_default();
                named
                    .by_namespace
                    .entry(namespace.clone())
                    .or_default()
                    .insert(folder, (i, j));
                named.any.insert(folder, (i, j));
            }
            for (j, (name, _, _)) in f.claim_users.iter().enumerate() {
                index
                    .claim_users
                    .entry(name.clone())
                    .or_default()
                    .push((i, j));
            }
            for (j, (name, default)) in f.storage_classes.iter().enumerate() {
                index
                    .storage_classes
                    .entry(name.clone())
                    .or_default()
                    .push((i, j));
                if *default {
                    index.default_classes.push((i, j));
                }
            }
            for (j, v) in f.volumes.iter().enumerate() {
                index
                    .volumes
                    .entry(v.name.clone())
                    .or_default()
                    .push((i, j));
                if let Some((claim, _)) = &v.claim_ref {
                    index
                        .reserved
                        .entry(claim.clone())
                        .or_default()
                        .push((i, j));
                }
                index
                    .volumes_by_class
                    .entry(v.class.clone())
                    .or_default()
                    .push((i, j));
                for label in &v.labels {
                    index
                        .volumes_by_label
                        .entry(label.clone())
                        .or_default()
                        .push((i, j));
                }
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

    /// The claim `name` seen from `namespace` by a file in the folder `near`. Both namespaces
    /// written pin it: the nearest claim of that namespace wins, wherever it is. Otherwise
    /// (the workload's or the claim's namespace left to whoever applies it) the claim nearest
    /// the workload — in its folder, else under its deepest ancestor folder holding one — and
    /// only when it is the only one that near: two applications of a monorepo, each with a
    /// claim `data`, do not answer for a third. A claim without namespace first.
    #[must_use]
    pub fn claim(
        &self,
        name: &str,
        namespace: Option<&str>,
        near: &Path,
    ) -> Option<(usize, usize)> {
        let named = self.claims.get(name)?;
        let group = |ns: Option<&str>| named.by_namespace.get(&ns.map(str::to_string));
        match namespace {
            Some(ns) => group(Some(ns))
                .and_then(|g| g.nearest(near, false))
                .or_else(|| group(None).and_then(|g| g.nearest(near, true))),
            None => group(None)
                .and_then(|g| g.nearest(near, true))
                .or_else(|| named.any.nearest(near, true)),
        }
    }

    /// The workloads (file, position in its `claim_users`) that mount the claim `name` which a
    /// workload in `namespace`, in the folder `near`, finds: those whose own lookup finds the
    /// same claim. None when that lookup finds no claim.
    pub fn claim_users<'a>(
        &'a self,
        name: &'a str,
        namespace: Option<&str>,
        near: &Path,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        let claim = self.claim(name, namespace, near);
        self.claim_users
            .get(name)
            .filter(|_| claim.is_some())
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .copied()
            .filter(move |&(i, j)| {
                let f = &self.files[i];
                let folder = f.path.parent().unwrap_or(Path::new(""));
                self.claim(name, f.claim_users[j].1.as_deref(), folder) == claim
            })
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

    /// The StorageClasses named `name`, in file order (a repository may hold several: a
    /// test's and production's).
    #[must_use]
    pub fn storage_classes(&self, name: &str) -> &[(usize, usize)] {
        self.storage_classes
            .get(name)
            .map_or(&[][..], Vec::as_slice)
    }

    /// The StorageClasses annotated as the default, in file order.
    #[must_use]
    pub fn default_storage_classes(&self) -> &[(usize, usize)] {
        &self.default_classes
    }

    /// The PersistentVolume a claim binds: the one named `volume` when the claim names it
    /// (the first in file order), else the first whose `claimRef` names `claim` in
    /// `namespace` (an exact namespace match wins over a `claimRef` without one).
    #[must_use]
    pub fn bound_volume(
        &self,
        volume: Option<&str>,
        claim: &str,
        namespace: Option<&str>,
    ) -> Option<(usize, usize)> {
        if let Some(volume) = volume {
            return self.volumes.get(volume)?.first().copied();
        }
        let mut found = None;
        for &(i, j) in self.reserved.get(claim)? {
            let theirs = self.files[i].volumes[j]
                .claim_ref
                .as_ref()
                .and_then(|(_, ns)| ns.as_deref());
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

    /// The PersistentVolumes of a class (`""` for those of none), in file order.
    #[must_use]
    pub fn class_volumes(&self, class: &str) -> &[(usize, usize)] {
        self.volumes_by_class
            .get(class)
            .map_or(&[][..], Vec::as_slice)
    }

    /// The PersistentVolumes labelled `key: value`, in file order.
    #[must_use]
    pub fn labelled_volumes(&self, key: &str, value: &str) -> &[(usize, usize)] {
        self.volumes_by_label
            .get(&(key.to_string(), value.to_string()))
            .map_or(&[][..], Vec::as_slice)
    }

    /// The files and items that answer `query`: (file, item) positions.
    fn hits<'a>(&'a self, query: &'a Query) -> Box<dyn Iterator<Item = (usize, usize)> + 'a> {
        match query {
            Query::Dockerfile(p) => Box::new(self.dockerfile(p).map(|i| (i, 0)).into_iter()),
            Query::Claim {
                name,
                namespace,
                near,
            } => Box::new(self.claim(name, namespace.as_deref(), near).into_iter()),
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
            Query::ClaimUsers {
                name,
                namespace,
                near,
            } => Box::new(self.claim_users(name, namespace.as_deref(), near)),
            Query::StorageClass(name) => Box::new(self.storage_classes(name).iter().copied()),
            Query::ClassVolumes(class) => Box::new(self.class_volumes(class).iter().copied()),
            Query::LabelledVolumes { key, value } => {
                Box::new(self.labelled_volumes(key, value).iter().copied())
            }
            Query::DefaultStorageClasses => {
                Box::new(self.default_storage_classes().iter().copied())
            }
            Query::BoundVolume {
                volume,
                claim,
                namespace,
            } => Box::new(
                self.bound_volume(volume.as_deref(), claim, namespace.as_deref())
                    .into_iter(),
            ),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(path: &str, claims: &[(&str, Option<&str>)]) -> FileFacts {
        FileFacts {
            path: PathBuf::from(path),
            claims: claims
                .iter()
                .map(|(n, ns)| ((*n).to_string(), ns.map(str::to_string)))
                .collect(),
            ..FileFacts::default()
        }
    }

    fn found(index: &FactIndex, name: &str, ns: Option<&str>, from: &str) -> Option<String> {
        index
            .claim(name, ns, Path::new(from))
            .map(|(i, j)| format!("{}#{j}", index.files()[i].path.display()))
    }

    fn users(path: &str, users: &[(&str, Option<&str>)]) -> FileFacts {
        FileFacts {
            path: PathBuf::from(path),
            claim_users: users
                .iter()
                .enumerate()
                .map(|(k, (n, ns))| ((*n).to_string(), ns.map(str::to_string), k))
                .collect(),
            ..FileFacts::default()
        }
    }

    #[test]
    fn claim_users_are_those_that_find_the_same_claim() {
        let index = FactIndex::new(vec![
            claims("apps/a/pvc.yaml", &[("data", None)]),
            users("apps/a/one.yaml", &[("data", None), ("logs", None)]),
            users("apps/a/two.yaml", &[("data", Some("a"))]),
            claims("apps/b/pvc.yaml", &[("data", None)]),
            users("apps/b/three.yaml", &[("data", None)]),
            // No claim `data` near it: finds none, so it uses no claim of the run.
            users("other/four.yaml", &[("data", None)]),
        ]);
        let found = |ns: Option<&str>, near: &str| -> Vec<String> {
            index
                .claim_users("data", ns, Path::new(near))
                .map(|(i, j)| format!("{}#{j}", index.files()[i].path.display()))
                .collect()
        };
        assert_eq!(
            found(None, "apps/a"),
            ["apps/a/one.yaml#0", "apps/a/two.yaml#0"]
        );
        assert_eq!(found(None, "apps/b"), ["apps/b/three.yaml#0"]);
        assert!(found(None, "other").is_empty());
        let query = Query::ClaimUsers {
            name: "data".into(),
            namespace: None,
            near: PathBuf::from("apps/b"),
        };
        assert_eq!(
            index.answer(&query),
            [(PathBuf::from("apps/b/three.yaml"), 0)]
        );
        assert!(index.agrees(&query, &index.answer(&query)));
    }

    #[test]
    fn a_namespace_on_both_sides_pins_the_claim_wherever_it_is() {
        let index = FactIndex::new(vec![
            claims("apps/a/pvc.yaml", &[("data", Some("a"))]),
            claims("apps/b/pvc.yaml", &[("data", Some("b")), ("data", None)]),
            claims("other/pvc.yaml", &[("data", Some("c"))]),
        ]);
        assert_eq!(
            found(&index, "data", Some("c"), "apps/a").as_deref(),
            Some("other/pvc.yaml#0")
        );
        assert_eq!(
            found(&index, "data", Some("a"), "apps/b").as_deref(),
            Some("apps/a/pvc.yaml#0")
        );
        // No claim in `d`: the only one without namespace.
        assert_eq!(
            found(&index, "data", Some("d"), "apps/b").as_deref(),
            Some("apps/b/pvc.yaml#1")
        );
        assert_eq!(
            found(&index, "data", Some("d"), "other").as_deref(),
            Some("apps/b/pvc.yaml#1")
        );
    }

    #[test]
    fn without_a_namespace_the_nearest_claim_counts_when_it_is_the_only_one_that_near() {
        let index = FactIndex::new(vec![
            claims("apps/a/pvc.yaml", &[("data", None)]),
            claims("apps/b/deep/pvc.yaml", &[("data", None)]),
            claims("apps/b/ns.yaml", &[("data", Some("prod"))]),
            claims("storage/pvc.yaml", &[("cache", None)]),
        ]);
        // Its own folder first, then under the deepest shared folder.
        assert_eq!(
            found(&index, "data", None, "apps/a").as_deref(),
            Some("apps/a/pvc.yaml#0")
        );
        assert_eq!(
            found(&index, "data", None, "apps/b").as_deref(),
            Some("apps/b/deep/pvc.yaml#0")
        );
        // Two claims `data` as near as each other: which one is meant cannot be told.
        assert_eq!(found(&index, "data", None, "apps/c"), None);
        assert_eq!(found(&index, "data", None, "web"), None);
        // The only claim of its name, in another folder (`storage/` and `apps/`).
        assert_eq!(
            found(&index, "cache", None, "apps/a").as_deref(),
            Some("storage/pvc.yaml#0")
        );
        assert_eq!(
            found(&index, "cache", Some("x"), "apps/a").as_deref(),
            Some("storage/pvc.yaml#0")
        );
        // With no claim without namespace, one with a namespace near it.
        let index = FactIndex::new(vec![claims("k8s/pvc.yaml", &[("data", Some("prod"))])]);
        assert_eq!(
            found(&index, "data", None, "k8s/app").as_deref(),
            Some("k8s/pvc.yaml#0")
        );
        // Absolute paths (the editor's) resolve as relative ones do.
        let index = FactIndex::new(vec![
            claims("/w/apps/a/pvc.yaml", &[("data", None)]),
            claims("/w/apps/b/pvc.yaml", &[("data", None)]),
            claims("/w/storage/pvc.yaml", &[("cache", None)]),
        ]);
        assert_eq!(found(&index, "data", None, "/w/apps/c"), None);
        assert_eq!(
            found(&index, "data", None, "/w/apps/b").as_deref(),
            Some("/w/apps/b/pvc.yaml#0")
        );
        assert_eq!(
            found(&index, "cache", None, "/w/apps/b").as_deref(),
            Some("/w/storage/pvc.yaml#0")
        );
    }
}

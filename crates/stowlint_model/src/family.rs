//! Compose files that build on one another: `extends` (a service starts from another
//! service's configuration, in the same file or another) and top-level `include:` (other
//! compose files loaded as projects of their own and merged into this one).
//!
//! Two views, both answered through the project's cross-file lookups (so a streaming run
//! knows when another file changes a file's findings):
//! - the **family** of a compose file: the files whose volume declarations and mounts count
//!   for its wiring (siblings of its folder, the files it includes or extends services of,
//!   and the files that include it or extend its services);
//! - the **effective service** of a service with `extends`: its own settings over its base's,
//!   merged as compose merges them (mounts by target path, the local one winning; `image`,
//!   `build` and the command replaced; `environment` by name; `volumes_from` not inherited).
//!   Inherited settings take spans in the extending file: the `extends` key for what the
//!   service runs, the base service's name (`service:` value) for mounts written in another
//!   file, which keep their own findings there.

use std::path::{Path, PathBuf};

use super::{FileModel, Format, Mount, Project, Span, Spanned, Workload, WorkloadKind, lexical};

/// How deep `extends` chains and `include` trees are followed; cycles stop earlier.
pub const MAX_DEPTH: usize = 8;

/// At most this many files make one compose family.
const MAX_FAMILY: usize = 64;

/// A service with `extends`, as compose runs it.
#[derive(Debug)]
pub struct EffectiveService {
    /// The service with its base's settings merged in (its own win).
    pub workload: Workload,
    /// The file of the base service, as diagnostics name it.
    pub base_file: PathBuf,
    /// The base service's name as written in its file.
    pub base_name: Spanned<String>,
    /// The base service is in another file: its mounts' spans are this file's `service:`
    /// value (see [`EffectiveService::inherited_mount_span`]).
    pub cross_file: bool,
}

impl EffectiveService {
    /// Where findings about what the service inherits point: its `extends` key.
    #[must_use]
    pub fn extends_span(&self) -> Option<Span> {
        self.workload.extends.as_ref().map(|e| e.key)
    }

    /// The span mounts inherited from another file carry (the `extends` entry's service
    /// name); `None` when the base is in the same file (its mounts keep their own spans).
    #[must_use]
    pub fn inherited_mount_span(&self) -> Option<Span> {
        if !self.cross_file {
            return None;
        }
        self.workload.extends.as_ref().map(|e| e.service.span)
    }
}

impl Project {
    /// The compose file at `path` (a base of `extends`, an included file), when the project
    /// has it.
    #[must_use]
    pub fn compose_file(&self, path: &Path) -> Option<&FileModel> {
        let key = lexical(path);
        let found = self.index().compose_file(&key).map(|i| &self.files[i]);
        self.record(|| super::Query::ComposeFile(key));
        found
    }

    /// The compose files of the project that extend services of, or include, the file at
    /// `path`.
    pub fn compose_referrers(&self, path: &Path) -> impl Iterator<Item = &FileModel> {
        let key = lexical(path);
        let hits = self.index().compose_referrers(&key);
        self.record(|| super::Query::ComposeReferrers(key));
        hits.iter().map(|&i| &self.files[i])
    }

    /// The other compose files whose volume declarations and mounts count for `file`'s
    /// wiring: its folder's compose files (override files, `-f a.yaml -f b.yaml`), the files
    /// it includes or extends services of, and the files that include it or extend its
    /// services — each followed on in the same direction, [`MAX_DEPTH`] levels at most.
    #[must_use]
    pub fn compose_family<'a>(&'a self, file: &'a FileModel) -> Vec<&'a FileModel> {
        let dir = file.source.path.parent().unwrap_or(Path::new(""));
        let mut family: Vec<&FileModel> = self
            .compose_files_in(dir)
            .filter(|f| !std::ptr::eq(*f, file))
            .collect();
        let push = |f: &'a FileModel, family: &mut Vec<&'a FileModel>| {
            let new = !std::ptr::eq(f, file) && !family.iter().any(|g| std::ptr::eq(*g, f));
            if new {
                family.push(f);
            }
            new
        };
        // Files it includes or extends, and theirs.
        let mut frontier = vec![file];
        for _ in 0..MAX_DEPTH {
            let mut next = Vec::new();
            for f in frontier {
                for path in super::index::compose_refs(f) {
                    if let Some(g) = self.compose_file(&path)
                        && push(g, &mut family)
                    {
                        next.push(g);
                    }
                }
            }
            if next.is_empty() || family.len() >= MAX_FAMILY {
                break;
            }
            frontier = next;
        }
        // Files that include it or extend its services, and theirs.
        let mut frontier = vec![file];
        for _ in 0..MAX_DEPTH {
            let mut next = Vec::new();
            for f in frontier {
                for g in self.compose_referrers(&f.source.path) {
                    if push(g, &mut family) {
                        next.push(g);
                    }
                }
            }
            if next.is_empty() || family.len() >= MAX_FAMILY {
                break;
            }
            frontier = next;
        }
        family
    }

    /// Whether every `include:` entry of `file` names local compose files the project has
    /// (so that what they declare is known).
    #[must_use]
    pub fn includes_known(&self, file: &FileModel) -> bool {
        file.includes
            .iter()
            .all(|i| !i.unknown && i.paths.iter().all(|p| self.compose_file(p).is_some()))
    }

    /// The effective service of `w` (a service of `file`) when it `extends` a service the
    /// project has; `None` otherwise (no `extends`, a missing file or service, a cycle).
    #[must_use]
    pub fn effective_service(&self, file: &FileModel, w: &Workload) -> Option<EffectiveService> {
        let mut seen = Vec::new();
        self.resolve(file, w, 0, &mut seen)
    }

    /// Services of other compose files that extend `w` (a service of `file`).
    pub fn extenders<'a>(
        &'a self,
        file: &'a FileModel,
        w: &'a Workload,
    ) -> impl Iterator<Item = &'a Workload> + 'a {
        let own = lexical(&file.source.path);
        self.compose_referrers(&file.source.path)
            .flat_map(|f| f.workloads.iter())
            .filter(move |e| {
                e.extends.as_ref().is_some_and(|x| {
                    x.service.value == w.name && x.file.as_ref().is_some_and(|p| *p == own)
                })
            })
    }

    fn resolve(
        &self,
        file: &FileModel,
        w: &Workload,
        depth: usize,
        seen: &mut Vec<(PathBuf, String)>,
    ) -> Option<EffectiveService> {
        let ext = w.extends.as_ref()?;
        if depth >= MAX_DEPTH || w.kind != WorkloadKind::ComposeService {
            return None;
        }
        let own = lexical(&file.source.path);
        let (base_file, cross_file) = match &ext.file {
            Some(p) if *p != own => (self.compose_file(p)?, true),
            _ => (file, false),
        };
        if base_file.format != Some(Format::Compose) {
            return None;
        }
        let base = base_file
            .workloads
            .iter()
            .find(|b| b.kind == WorkloadKind::ComposeService && b.name == ext.service.value)?;
        let key = (lexical(&base_file.source.path), base.name.clone());
        if seen.contains(&key) || (base_file.source.path == file.source.path && base.name == w.name)
        {
            return None;
        }
        seen.push(key);
        let base_effective = self.resolve(base_file, base, depth + 1, seen);
        let base_workload = base_effective.as_ref().map_or(base, |e| &e.workload);
        Some(EffectiveService {
            workload: merge(file, w, base_workload, cross_file),
            base_file: base_file.source.path.clone(),
            base_name: Spanned::new(base.name.clone(), base.span),
            cross_file,
        })
    }
}

/// `w` over `base`, as compose merges an extending service over its base.
fn merge(file: &FileModel, w: &Workload, base: &Workload, cross_file: bool) -> Workload {
    let mut out = w.clone();
    let Some(ext) = w.extends.as_ref() else {
        return out;
    };
    let at = ext.key;
    let mount_at = cross_file.then_some(ext.service.span);
    let (Some(c), Some(b)) = (out.containers.first_mut(), base.containers.first()) else {
        return out;
    };
    if c.image.is_none() {
        c.image = b.image.as_ref().map(|i| Spanned::new(i.value.clone(), at));
    }
    for e in &b.env {
        if !c.env.iter().any(|own| own.name == e.name) {
            let mut e = e.clone();
            e.span = at;
            c.env.insert(0, e);
        }
    }
    if !c.command.is_set() {
        c.command = b.command.clone();
    }
    c.read_only_root |= b.read_only_root;
    c.privileged |= b.privileged;
    if c.memory_limit.is_none() && b.memory_limit.is_some() {
        c.memory_limit = Some(at);
    }
    let owner = c.owner.clone();
    for m in &b.mounts {
        if c.mounts.iter().any(|own| own.target == m.target) {
            continue;
        }
        let mut m = m.clone();
        m.inherited = true;
        m.owner.clone_from(&owner);
        if let Some(span) = mount_at {
            relocate(&mut m, span, file);
        }
        c.mounts.push(m);
    }
    if out.build.is_none()
        && let Some(build) = &base.build
    {
        let mut build = build.clone();
        build.context.span = at;
        if let Some(d) = &mut build.dockerfile {
            d.span = at;
        }
        if let Some(t) = &mut build.target {
            t.span = at;
        }
        out.build = Some(build);
    }
    if out.replicas.is_none() {
        out.replicas = base.replicas.as_ref().map(|r| Spanned::new(r.value, at));
    }
    out.global = out.global.or(base.global.map(|_| at));
    out.pinned = out.pinned.or(base.pinned.map(|_| at));
    out.pinned_by_label = out.pinned_by_label.or(base.pinned_by_label.map(|_| at));
    out.placement_unknown = out.placement_unknown.or(base.placement_unknown.map(|_| at));
    out
}

/// A mount written in another file, seen from `file`: every span at `at`, its volume
/// declared (or not) by `file`, as compose resolves it in the extending project.
fn relocate(m: &mut Mount, at: Span, file: &FileModel) {
    m.span = at;
    m.target_span = at;
    m.source_span = m.source_span.map(|_| at);
    for s in [&mut m.size, &mut m.propagation, &mut m.host_path_type]
        .into_iter()
        .flatten()
    {
        s.span = at;
    }
    for o in &mut m.unknown_options {
        o.span = at;
    }
    m.creates_host_path = m.creates_host_path.map(|_| at);
    m.disguised_bind = m.disguised_bind.map(|_| at);
    let name = m
        .volume
        .as_ref()
        .map(|v| v.value.clone())
        .or(match &m.source {
            super::MountSource::Volume(n) if m.kind == super::MountKind::Volume => Some(n.clone()),
            _ => None,
        });
    m.volume = name.and_then(|name| {
        file.volumes
            .iter()
            .find(|d| d.key.value == name)
            .map(|d| Spanned::new(name, d.key.span))
    });
}

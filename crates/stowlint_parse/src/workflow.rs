//! GitHub Actions workflows -> model: the containers a job runs in (`jobs.<id>.container`)
//! and beside (`jobs.<id>.services.<id>`), with their `image`, `volumes` (the `-v` syntax)
//! and the storage flags of `options` (`-v`, `--mount`, `--tmpfs`, `--read-only`,
//! `--privileged`). A workflow without job or service containers holds nothing to lint.
//!
//! Expressions (`${{ matrix.db }}`) stay unknown.

use std::ops::Range;
use std::path::Path;

use super::Parsed;
use super::mount_spec::{self, Dialect, RunFlag, Source};
use crate::model::{
    Command, Container, ContainerRole, HostPath, ParseError, Platform, SourceFile, Span, Spanned,
    Workload, WorkloadKind,
};
use crate::yaml::Node;

/// Whether a workflow's root declares a job container or a service container.
#[must_use]
pub fn has_containers(root: &Node) -> bool {
    root.get("jobs").is_some_and(|jobs| {
        jobs.entries().iter().any(|(_, job)| {
            job.get("container").is_some_and(|c| !c.is_null())
                || job.get("services").is_some_and(Node::is_map)
        })
    })
}

/// Read a workflow whose first document is `root`.
#[must_use]
pub fn parse(source: &SourceFile, root: &Node) -> Parsed {
    let mut parsed = Parsed::default();
    let dir = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let Some(jobs) = root.get("jobs") else {
        return parsed;
    };
    for (key, job) in jobs.entries() {
        let Some(id) = key.as_str() else { continue };
        if let Some(c) = job.get("container").filter(|c| !c.is_null()) {
            let owner = format!("job {id} container");
            parsed
                .workloads
                .push(workload(source, &dir, key, c, owner, &mut parsed.errors));
        }
        for (skey, svc) in job.get("services").map(Node::entries).unwrap_or_default() {
            let Some(name) = skey.as_str() else { continue };
            if svc.is_null() {
                continue;
            }
            let owner = format!("job {id} service {name}");
            parsed
                .workloads
                .push(workload(source, &dir, skey, svc, owner, &mut parsed.errors));
        }
    }
    parsed
}

fn workload(
    source: &SourceFile,
    dir: &Path,
    key: &Node,
    node: &Node,
    owner: String,
    errors: &mut Vec<ParseError>,
) -> Workload {
    // `container: node:20` is the image alone.
    let image_node = if node.is_map() {
        node.get("image")
    } else {
        Some(node)
    };
    let image = image_node
        .and_then(|n| Some(Spanned::new(n.as_text()?.to_string(), n.span)))
        .filter(|i| !i.value.is_empty());
    let mut mounts = Vec::new();
    let mut read_only = false;
    let mut privileged = false;
    for item in node
        .get("volumes")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let Some(text) = item.as_text() else { continue };
        let d = InNode {
            source,
            dir,
            node: item,
            base: item.value_offset(&source.text),
        };
        match mount_spec::volume_flag(text, &d, &owner) {
            Ok(m) => mounts.push(m),
            Err(message) => errors.push(ParseError {
                message,
                span: item.span,
            }),
        }
    }
    if let Some(options) = node.get("options")
        && let Some(text) = options.as_text()
        && let Some(words) = mount_spec::words_with_ranges(text)
    {
        let base = options.value_offset(&source.text);
        for (i, flag) in mount_spec::run_flags(&words) {
            let (value, written) = (&words[i].0, &words[i].1);
            let plain = text.get(written.clone()) == Some(value.as_str());
            let Some((make, r)) = flag.reader() else {
                match flag {
                    RunFlag::ReadOnly => read_only = true,
                    _ => privileged = true,
                }
                continue;
            };
            let d = InNode {
                source,
                dir,
                node: options,
                base: base.filter(|_| plain).map(|b| b + written.start + r.start),
            };
            match make(&value[r], &d, &owner) {
                Ok(m) => mounts.push(m),
                Err(message) => errors.push(ParseError {
                    message,
                    span: options.span,
                }),
            }
        }
    }
    let container = Container {
        name: key.as_str().unwrap_or("").to_string(),
        role: ContainerRole::Main,
        owner: owner.clone(),
        image,
        env: Vec::new(),
        mounts,
        volume_devices: Vec::new(),
        command: Command::default(),
        read_only_root: read_only,
        privileged,
        capabilities: Vec::new(),
        devices: Vec::new(),
        memory_limit: None,
        working_dir: None,
        env_from: false,
        span: key.span,
    };
    Workload {
        kind: WorkloadKind::CiJob,
        platform: Platform::CiJob,
        name: key.as_str().unwrap_or("").to_string(),
        namespace: None,
        owner,
        span: key.span,
        containers: vec![container],
        pod_volumes: Vec::new(),
        replicas: None,
        global: None,
        pinned: None,
        pinned_by_label: None,
        placement_unknown: None,
        runs_to_completion: false,
        static_pod: None,
        strategy: None,
        no_surge: None,
        volumes_from: Vec::new(),
        build: None,
        claim_templates: Vec::new(),
        swarm_reason: None,
        claim_retention: crate::model::ClaimRetention::default(),
        extends: None,
    }
}

struct InNode<'a> {
    source: &'a SourceFile,
    dir: &'a Path,
    node: &'a Node,
    base: Option<usize>,
}

impl Dialect for InNode<'_> {
    fn span(&self, range: Range<usize>) -> Span {
        match self.base {
            Some(b) => self.source.span(b + range.start..b + range.end),
            None => self.node.span,
        }
    }

    fn source(&self, written: &str) -> Source {
        if written.contains("${{") {
            Source::Unknown
        } else if mount_spec::is_file_path(written) {
            Source::Host(crate::model::paths::host_path(written, self.dir))
        } else {
            Source::Volume(written.to_string())
        }
    }

    fn host(&self, written: &str) -> Option<HostPath> {
        (!written.contains("${{")).then(|| crate::model::paths::host_path(written, self.dir))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MountKind;

    fn read(text: &str) -> (SourceFile, Option<Parsed>) {
        let file = SourceFile::new(".github/workflows/ci.yml", text.to_string());
        let stream = crate::yaml::parse(&file);
        let root = stream.documents[0].root.clone().unwrap();
        let parsed = has_containers(&root).then(|| parse(&file, &root));
        (file, parsed)
    }

    #[test]
    fn job_and_service_containers() {
        let (f, p) = read(
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    container:\n      image: node:20\n      volumes:\n        - /var/run/docker.sock:/var/run/docker.sock\n        - my_cache:/cache\n      options: --cpus 1 -v /etc:/host/etc --tmpfs /tmp\n    services:\n      db:\n        image: postgres:16\n        options: >-\n          --health-cmd pg_isready\n    steps: [{run: x}]\n",
        );
        let p = p.unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.workloads.len(), 2);
        let c = &p.workloads[0].containers[0];
        assert_eq!(c.owner, "job test container");
        let m = &c.mounts;
        assert_eq!(m[0].kind, MountKind::Bind);
        assert_eq!(
            m[0].source_span.unwrap().text(&f.text),
            "/var/run/docker.sock"
        );
        assert_eq!(m[1].kind, MountKind::Volume);
        assert_eq!(m[2].source_span.unwrap().text(&f.text), "/etc");
        assert_eq!(m[3].kind, MountKind::Tmpfs);
        let s = &p.workloads[1].containers[0];
        assert_eq!(s.owner, "job test service db");
        assert_eq!(s.image.as_ref().unwrap().value, "postgres:16");
    }

    #[test]
    fn workflows_without_containers_hold_nothing() {
        let (_, p) = read("on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps: []\n");
        assert!(p.is_none());
        let (_, p) = read("on: push\njobs:\n  b:\n    container: alpine:3\n");
        let p = p.unwrap();
        assert_eq!(
            p.workloads[0].containers[0].image.as_ref().unwrap().value,
            "alpine:3"
        );
    }
}

//! Dev containers (`devcontainer.json`, JSON with comments) -> model.
//!
//! One container on a developer's machine: `image`, `mounts` (`--mount` strings or
//! `{type, source, target}` objects), `workspaceMount` (a `--mount` string), the storage flags
//! of `runArgs` (`-v`, `--volume`, `--mount`, `--tmpfs`, `--read-only`, `--privileged`) and
//! `privileged`. The compose file a dev container names (`dockerComposeFile`) is linted as
//! compose when the run holds it.
//!
//! `${localEnv:HOME}` and `${localEnv:USERPROFILE}` (also both in a row, the cross-platform
//! idiom, and the older `${env:HOME}`) are the developer's home folder (`~`); every other variable
//! (`${localWorkspaceFolder}`, `${devcontainerId}`) stays unknown, so the workspace bind never
//! gives a finding.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::Parsed;
use super::mount_spec::{self, Dialect, RunFlag, Source};
use crate::model::{
    Command, Container, ContainerRole, HostPath, Mount, MountKind, MountSource, MountSyntax,
    ParseError, Platform, SourceFile, Span, Workload, WorkloadKind,
};
use crate::yaml::Node;

/// Read a dev container configuration.
#[must_use]
pub fn parse(source: &SourceFile) -> Parsed {
    let stream = super::jsonc::parse(source);
    // The dev container tools (jsonc-parser) keep the last value of a key written twice.
    let mut parsed = Parsed {
        errors: stream.errors,
        read_past: stream.duplicate_keys,
        ..Parsed::default()
    };
    let Some(root) = stream.documents.first().and_then(|d| d.root.as_deref()) else {
        return parsed;
    };
    if !root.is_map() {
        parsed.errors.push(ParseError {
            message: "devcontainer.json is not an object".to_string(),
            span: root.span,
        });
        return parsed;
    }
    let cx = Cx {
        source,
        dir: source.path.parent().unwrap_or(Path::new("")).to_path_buf(),
        owner: match root.get("name").and_then(Node::as_text) {
            Some(name) => format!("dev container {name}"),
            None => "dev container".to_string(),
        },
    };
    let mut errors = Vec::new();
    let mut mounts = Vec::new();
    let mut read_only = false;
    let mut privileged = root.get("privileged").and_then(Node::as_bool) == Some(true);
    if let Some(items) = root.get("mounts").and_then(Node::as_seq) {
        for item in items {
            cx.mount_item(item, &mut mounts, &mut errors);
        }
    }
    // `"workspaceMount": ""` turns the default workspace mount off (the project mounts it
    // itself in `runArgs`): no mount, nothing wrong.
    if let Some(ws) = root
        .get("workspaceMount")
        .filter(|n| n.as_text().is_some_and(|t| !t.trim().is_empty()))
    {
        cx.mount_item(ws, &mut mounts, &mut errors);
    }
    if let Some(args) = root.get("runArgs").and_then(Node::as_seq) {
        // Each item is one word of `docker run`'s command line.
        let words: Vec<(String, Range<usize>)> = args
            .iter()
            .enumerate()
            .map(|(i, a)| (a.as_text().unwrap_or("").to_string(), i..i + 1))
            .collect();
        for (i, flag) in mount_spec::run_flags(&words) {
            let node = &args[i];
            let text = &words[i].0;
            let Some((make, r)) = flag.reader() else {
                match flag {
                    RunFlag::ReadOnly => read_only = true,
                    _ => privileged = true,
                }
                continue;
            };
            let d = InNode {
                cx: &cx,
                node,
                base: node.value_offset(&source.text).map(|b| b + r.start),
            };
            match make(&text[r.clone()], &d, &cx.owner) {
                Ok(m) => mounts.push(m),
                Err(message) => errors.push(ParseError {
                    message,
                    span: node.span,
                }),
            }
        }
    }
    let image = root
        .get("image")
        .and_then(|n| Some(crate::model::Spanned::new(n.as_text()?.to_string(), n.span)));
    if mounts.is_empty() && image.is_none() {
        parsed.errors.append(&mut errors);
        return parsed;
    }
    let span = root
        .get_entry("name")
        .or_else(|| root.get_entry("image"))
        .map_or_else(|| source.span(0..0), |(k, _)| k.span);
    let container = Container {
        name: "devcontainer".to_string(),
        role: ContainerRole::Main,
        owner: cx.owner.clone(),
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
        span,
    };
    parsed.workloads.push(Workload {
        kind: WorkloadKind::DevContainer,
        platform: Platform::DevContainer,
        name: "devcontainer".to_string(),
        namespace: None,
        owner: cx.owner.clone(),
        span,
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
    });
    parsed.errors.append(&mut errors);
    parsed
}

struct Cx<'a> {
    source: &'a SourceFile,
    dir: PathBuf,
    owner: String,
}

impl Cx<'_> {
    /// A `mounts` item: a `--mount` string, or an object `{type, source, target}`.
    fn mount_item(&self, item: &Node, mounts: &mut Vec<Mount>, errors: &mut Vec<ParseError>) {
        if let Some(text) = item.as_text() {
            let d = InNode {
                cx: self,
                node: item,
                base: item.value_offset(&self.source.text),
            };
            match mount_spec::mount_flag(text, &d, &self.owner) {
                Ok(m) => mounts.push(m),
                Err(message) => errors.push(ParseError {
                    message,
                    span: item.span,
                }),
            }
            return;
        }
        if !item.is_map() {
            return;
        }
        let Some(target) = item.get("target") else {
            errors.push(ParseError {
                message: format!("{}: mount without `target`", self.owner),
                span: item.span,
            });
            return;
        };
        let mut m = Mount::new(
            MountKind::Anonymous,
            MountSyntax::MountFlag,
            target.as_text().unwrap_or(""),
            target.span,
            self.owner.clone(),
        );
        m.span = item.span;
        let source = item.get("source").filter(|s| s.as_text().is_some());
        m.source_span = source.map(|s| s.span);
        let written = source.and_then(Node::as_text).unwrap_or("");
        let d = InNode {
            cx: self,
            node: item,
            base: None,
        };
        match item.get("type").and_then(Node::as_text).unwrap_or("volume") {
            "bind" => match d.host(written) {
                Some(h) if !written.is_empty() => {
                    m.kind = MountKind::Bind;
                    m.source = MountSource::Host(h);
                }
                _ => m.kind = MountKind::Unresolved,
            },
            "volume" if !written.is_empty() => match d.source(written) {
                Source::Unknown => m.kind = MountKind::Unresolved,
                _ => {
                    m.kind = MountKind::Volume;
                    m.source = MountSource::Volume(written.to_string());
                }
            },
            "volume" => m.source_span = None,
            other => {
                errors.push(ParseError {
                    message: format!("{}: unknown mount type `{other}`", self.owner),
                    span: item.get("type").map_or(item.span, |t| t.span),
                });
                return;
            }
        }
        mounts.push(m);
    }
}

/// Spans and sources of a mount string written as one JSON string.
struct InNode<'a> {
    cx: &'a Cx<'a>,
    node: &'a Node,
    /// Where the mount string starts in the file, when written as is.
    base: Option<usize>,
}

/// The home-folder variables a dev container's `source` starts with, longest first.
/// (`${env:...}` is the older spelling of `${localEnv:...}`.)
const HOME_VARIABLES: &[&str] = &[
    "${localEnv:HOME}${localEnv:USERPROFILE}",
    "${localEnv:USERPROFILE}${localEnv:HOME}",
    "${localEnv:HOME}",
    "${localEnv:USERPROFILE}",
    "${env:HOME}${env:USERPROFILE}",
    "${env:USERPROFILE}${env:HOME}",
    "${env:HOME}",
    "${env:USERPROFILE}",
];

impl Dialect for InNode<'_> {
    fn span(&self, range: Range<usize>) -> Span {
        match self.base {
            Some(b) => self.cx.source.span(b + range.start..b + range.end),
            None => self.node.span,
        }
    }

    fn source(&self, written: &str) -> Source {
        if mount_spec::is_file_path(written) || written.starts_with("${") {
            self.host(written).map_or(Source::Unknown, Source::Host)
        } else if crate::model::is_unknown(written) {
            Source::Unknown
        } else {
            Source::Volume(written.to_string())
        }
    }

    fn host(&self, written: &str) -> Option<HostPath> {
        let home = HOME_VARIABLES.iter().find_map(|v| {
            written
                .strip_prefix(v)
                .filter(|rest| rest.is_empty() || rest.starts_with(['/', '\\']))
        });
        let path = match home {
            Some(rest) => format!("~{}", rest.replace('\\', "/")),
            None => written.to_string(),
        };
        Some(crate::model::paths::host_path(&path, &self.cx.dir))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (SourceFile, Parsed) {
        let file = SourceFile::new(".devcontainer/devcontainer.json", text.to_string());
        let parsed = parse(&file);
        (file, parsed)
    }

    #[test]
    fn mounts_in_every_form() {
        let (f, p) = read(
            r#"{
  // Docker outside of Docker
  "name": "Go",
  "image": "mcr.microsoft.com/devcontainers/go:1",
  "mounts": [
    "source=/var/run/docker.sock,target=/var/run/docker-host.sock,type=bind",
    {"source": "${localEnv:HOME}${localEnv:USERPROFILE}/.aws", "target": "/home/vscode/.aws", "type": "bind"},
    "source=go-cache,target=/go/pkg,type=volume",
  ],
  "workspaceMount": "source=${localWorkspaceFolder},target=/workspace,type=bind,consistency=cached",
  "runArgs": ["--privileged", "-v", "/etc:/host-etc:ro", "--tmpfs=/scratch"],
}"#,
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let w = &p.workloads[0];
        assert_eq!(w.owner, "dev container Go");
        let c = &w.containers[0];
        assert!(c.privileged);
        let m = &c.mounts;
        assert_eq!(m[0].kind, MountKind::Bind);
        assert_eq!(
            m[0].source_span.unwrap().text(&f.text),
            "/var/run/docker.sock"
        );
        assert_eq!(m[1].host_path().unwrap().path, "~/.aws");
        assert_eq!(m[2].kind, MountKind::Volume);
        assert!(m[3].host_path().unwrap().path.contains('$'));
        assert_eq!(m[4].syntax, MountSyntax::VolumeFlag);
        assert_eq!(m[4].source_span.unwrap().text(&f.text), "/etc");
        assert!(m[4].read_only);
        assert_eq!(m[5].kind, MountKind::Tmpfs);
        assert_eq!(m[5].target_span.text(&f.text), "/scratch");
    }

    #[test]
    fn nothing_to_lint_and_errors() {
        let (_, p) = read(r#"{"dockerComposeFile": "compose.yaml", "service": "app"}"#);
        assert!(p.workloads.is_empty() && p.errors.is_empty());
        let (f, p) = read("{\n  \"mounts\": [\"type=bind,target=/x\"]\n}");
        assert_eq!(f.pos(p.errors[0].span.start()).line, 2);
        assert!(p.errors[0].span.text(&f.text).contains("type=bind"));
        let (_, p) = read("{\n  \"image\": \"x\",\n");
        assert!(!p.errors.is_empty());
    }
}

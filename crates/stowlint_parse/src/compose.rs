//! Compose files (and swarm stacks) -> model.
//!
//! Read from the spanned YAML tree rather than a typed compose crate: every value keeps its
//! span, merge keys resolve, and a file the runtime would reject still yields what can be read
//! plus an SL001 error for the part that cannot. Strings are interpolated with the `.env` file
//! beside the compose file only (see [`super::interpolate`]), so results never depend on the
//! shell that runs the linter.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::interpolate::{Interpolated, Vars, interpolate};
use super::mount_spec::{is_file_path, split_spec};
use super::{ComposeMode, ParseOptions, Parsed};
use crate::model::paths;
use crate::model::{
    Build, Command, Container, ContainerRole, EnvVar, Extends, Include, Mount, MountKind,
    MountSource, MountSyntax, ParseError, Platform, SourceFile, Span, Spanned, VolumeDecl,
    Workload, WorkloadKind,
};
use crate::yaml::Node;

/// `deploy` keys that plain `docker compose` ignores: their presence means a swarm stack.
/// (`replicas`, `resources` and `restart_policy` are honoured by `docker compose`, so they
/// prove nothing; nor do `update_config` and `rollback_config`, which compose ignores but
/// which are copied around with the rest of a `deploy` section.) `deploy.labels` label the
/// swarm service (Traefik's swarm provider reads its routes there); `docker compose` makes no
/// service to put them on.
const SWARM_KEYS: &[&str] = &["placement", "endpoint_mode", "labels"];

/// Service keys `docker stack deploy` ignores (it prints "Ignoring unsupported options" or
/// "Ignoring deprecated options"), which a file written for swarm has no reason to set. `build`,
/// `restart` and `depends_on` are ignored too but are routinely left in stack files, so they
/// prove nothing.
const SWARM_IGNORED: &[&str] = &[
    "container_name",
    "security_opt",
    "privileged",
    "devices",
    "network_mode",
    "links",
    "external_links",
    "userns_mode",
    "cgroup_parent",
];

/// `deploy.mode` values only swarm knows.
const SWARM_MODES: &[&str] = &["global", "replicated-job", "global-job"];

const PROPAGATIONS: &[&str] = &[
    "shared", "rshared", "slave", "rslave", "private", "rprivate",
];

/// Short-syntax options besides `ro`, `rw` and [`PROPAGATIONS`] that Docker knows: SELinux
/// labels, volume copy, macOS consistency. Compose silently ignores anything else.
const KNOWN_OPTIONS: &[&str] = &[
    "z",
    "Z",
    "nocopy",
    "volume-nocopy",
    "consistent",
    "cached",
    "delegated",
];

/// Read a compose file whose first document is `root`.
///
/// `${VAR}` references are resolved from the `.env` file beside `source.path` only, never from
/// the process environment, so the same files always give the same findings; a variable that
/// stays unknown is kept as written.
#[must_use]
pub fn parse(source: &SourceFile, root: &Node, opts: &ParseOptions) -> Parsed {
    let dir = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let vars = Vars::load(
        if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &dir
        },
        &*opts.side_files,
    );
    let mut cx = Cx {
        source,
        dir,
        vars,
        mode: opts.compose_mode,
        decls: Vec::new(),
        decl_index: HashMap::new(),
        errors: Vec::new(),
        caprover: root.get("captainVersion").is_some(),
    };
    let mut parsed = Parsed::default();
    if !root.is_map() {
        if !root.is_null() {
            cx.error("compose file is not a mapping", root.span);
        }
        parsed.errors = cx.errors;
        return parsed;
    }
    // A CapRover one-click app (`captainVersion:`) is read by CapRover, which takes only its
    // `services:` (each run as a swarm service) and ignores a top-level `volumes:`, list or
    // not: its volumes are CapRover's persistent directories.
    if !cx.caprover {
        cx.decls = cx.volume_decls(root.get_entry("volumes"));
    }
    for (i, d) in cx.decls.iter().enumerate() {
        cx.decl_index.entry(d.key.value.clone()).or_insert(i);
    }
    if let Some((key, services)) = root.get_entry("services") {
        parsed.workloads = cx.services(key, services);
        // A file that sets keys `docker stack deploy` ignores (`container_name`,
        // `security_opt`, ...) is written for `docker compose`, whatever its name says (a
        // Portainer "stack" for one Docker host).
        let (mut features, mut ignored) = (false, false);
        for (_, svc) in services.entries() {
            features |= compose_features(svc);
            ignored |= SWARM_IGNORED
                .iter()
                .any(|key| svc.get(key).is_some_and(|v| !v.is_null()));
        }
        let compose_only = features || ignored;
        cx.swarm_per_file(&mut parsed.workloads, compose_only, features);
    }
    if let Some((key, include)) = root.get_entry("include") {
        parsed.include = Some(key.span);
        parsed.includes = cx.includes(include);
    }
    parsed.volumes = cx.decls;
    parsed.errors = cx.errors;
    parsed
}

struct Cx<'a> {
    source: &'a SourceFile,
    /// A CapRover one-click app template (a top-level `captainVersion`), not a file for
    /// `docker compose`.
    caprover: bool,
    /// The compose file's folder, as shown to users (relative paths stay relative).
    dir: PathBuf,
    vars: Vars,
    mode: ComposeMode,
    decls: Vec<VolumeDecl>,
    /// Each declared name's first declaration in `decls`: services look volumes up by name.
    decl_index: HashMap<String, usize>,
    errors: Vec<ParseError>,
}

/// What one service says, before it becomes a [`Workload`].
struct Service<'n> {
    name: String,
    owner: String,
    key: &'n Node,
    node: &'n Node,
}

impl Cx<'_> {
    fn error(&mut self, message: impl Into<String>, span: Span) {
        self.errors.push(ParseError {
            message: message.into(),
            span,
        });
    }

    fn interp(&self, node: &Node) -> Option<Interpolated> {
        node.as_text().map(|t| interpolate(t, &self.vars))
    }

    /// A scalar's interpolated text with the scalar's span.
    fn string(&self, node: Option<&Node>) -> Option<Spanned<String>> {
        let node = node?;
        self.interp(node).map(|i| Spanned::new(i.value, node.span))
    }

    /// A boolean, also when written as an interpolated string (`read_only: ${RO:-true}`).
    fn boolean(&self, node: Option<&Node>) -> Option<bool> {
        let node = node?;
        node.as_bool().or_else(
            || match self.interp(node)?.value.to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
        )
    }

    /// Where the scalar's text starts in the file, when the text between its delimiters is
    /// exactly its value (no escapes, no folding): only then can offsets inside the value be
    /// mapped back to the file.
    fn scalar_base(&self, node: &Node) -> Option<usize> {
        node.value_offset(&self.source.text)
    }

    /// The span of a byte range of the scalar's value, or the whole scalar when unmappable.
    fn sub_span(&self, node: &Node, range: Option<Range<usize>>) -> Span {
        match (self.scalar_base(node), range) {
            (Some(base), Some(r)) => self.source.span(base + r.start..base + r.end),
            _ => node.span,
        }
    }

    fn decl(&self, name: &str) -> Option<&VolumeDecl> {
        self.decl_index.get(name).map(|&i| &self.decls[i])
    }

    // ---- top-level volumes -------------------------------------------------------------

    fn volume_decls(&mut self, entry: Option<(&Node, &Node)>) -> Vec<VolumeDecl> {
        let Some((key, volumes)) = entry else {
            return Vec::new();
        };
        if volumes.is_null() {
            return Vec::new();
        }
        if !volumes.is_map() {
            self.error("top-level `volumes` is not a mapping", key.span);
            return Vec::new();
        }
        volumes
            .entries()
            .into_iter()
            .filter_map(|(k, v)| self.volume_decl(k, v))
            .collect()
    }

    fn volume_decl(&mut self, key: &Node, value: &Node) -> Option<VolumeDecl> {
        let name = key.as_str()?.to_string();
        let mut decl = VolumeDecl {
            key: Spanned::new(name.clone(), key.span),
            name: None,
            driver: None,
            driver_opts: Vec::new(),
            external: false,
            span: key.span,
        };
        if value.is_null() {
            return Some(decl);
        }
        decl.span = key.span.cover(value.span);
        if !value.is_map() {
            self.error(format!("volume `{name}` is not a mapping"), value.span);
            return Some(decl);
        }
        decl.name = self.string(value.get("name"));
        decl.driver = self.string(value.get("driver"));
        decl.driver_opts = value
            .get("driver_opts")
            .map(Node::entries)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), self.string(Some(v))?)))
            .collect();
        if let Some(external) = value.get("external") {
            // Legacy `external: {name: x}` means external, named x.
            decl.external = external.is_map() || self.boolean(Some(external)) == Some(true);
            if decl.name.is_none() {
                decl.name = self.string(external.get("name"));
            }
        }
        Some(decl)
    }

    // ---- services ----------------------------------------------------------------------

    fn services(&mut self, key: &Node, services: &Node) -> Vec<Workload> {
        if services.is_null() {
            return Vec::new();
        }
        if !services.is_map() {
            self.error("`services` is not a mapping", key.span.cover(services.span));
            return Vec::new();
        }
        // Services another one waits for to finish (`depends_on: {certs: {condition:
        // service_completed_successfully}}`): one-shot tasks, not servers.
        let tasks: Vec<&str> = services
            .entries()
            .into_iter()
            .filter_map(|(_, v)| v.get("depends_on"))
            .flat_map(|d| d.entries())
            .filter(|(_, cond)| {
                cond.get("condition").and_then(Node::as_str)
                    == Some("service_completed_successfully")
            })
            .filter_map(|(k, _)| k.as_str())
            .collect();
        services
            .entries()
            .into_iter()
            .filter_map(|(k, v)| {
                let name = k.as_str()?.to_string();
                let task = tasks.contains(&name.as_str());
                // `app: !reset` (compose's override tag) removes a service that another file
                // defines: in this file there is nothing to read.
                if v.is_null() && self.tagged(v, "!reset") {
                    return None;
                }
                if !v.is_map() {
                    let span = if v.is_null() { k.span } else { v.span };
                    self.error(format!("service `{name}` is not a mapping"), span);
                    return None;
                }
                let owner = format!("service {name}");
                let mut w = self.service(&Service {
                    name,
                    owner,
                    key: k,
                    node: v,
                });
                w.runs_to_completion = task;
                Some(w)
            })
            .collect()
    }

    /// Whether the empty (null) `node` is written as the YAML tag `tag` alone (`app: !reset`):
    /// the parser puts an empty node right after its tag.
    fn tagged(&self, node: &Node, tag: &str) -> bool {
        self.source
            .text
            .get(..node.span.start())
            .is_some_and(|before| {
                before
                    .trim_end_matches([' ', '\t'])
                    .strip_suffix(tag)
                    .is_some_and(|rest| {
                        rest.ends_with(|c: char| c.is_whitespace() || c == ':' || c == '-')
                    })
            })
    }

    fn service(&mut self, svc: &Service) -> Workload {
        let mut mounts = self.volumes(svc);
        mounts.extend(self.tmpfs(svc));
        mounts.extend(self.files(svc));
        let container = Container {
            name: svc.name.clone(),
            role: ContainerRole::Main,
            owner: svc.owner.clone(),
            image: self.string(svc.node.get("image")),
            env: self.environment(svc.node.get("environment")),
            mounts,
            volume_devices: Vec::new(),
            command: Command {
                entrypoint: self.command_words(svc.node.get("entrypoint")),
                args: self.command_words(svc.node.get("command")),
            },
            read_only_root: self.boolean(svc.node.get("read_only")) == Some(true),
            privileged: self.boolean(svc.node.get("privileged")) == Some(true),
            capabilities: svc
                .node
                .get("cap_add")
                .and_then(|v| v.as_seq())
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|i| self.string(Some(i)))
                        .map(|c| crate::model::capability_name(&c.value))
                        .collect()
                })
                .unwrap_or_default(),
            // `- /dev/fuse`, `- /dev/fuse:/dev/fuse:rwm`, or the long syntax's `source`.
            devices: svc
                .node
                .get("devices")
                .and_then(|v| v.as_seq())
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|i| {
                            self.string(Some(i))
                                .map(|d| d.value.split(':').next().unwrap_or("").to_string())
                                .or_else(|| self.string(i.get("source")).map(|d| d.value))
                        })
                        .filter(|d| !d.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            memory_limit: svc
                .node
                .get("mem_limit")
                .or_else(|| svc.node.path(&["deploy", "resources", "limits", "memory"]))
                .filter(|v| !v.is_null())
                .map(|v| v.span),
            working_dir: self
                .string(svc.node.get("working_dir"))
                .filter(|w| w.value.starts_with('/') && !crate::model::is_unknown(&w.value))
                .map(|w| Spanned::new(crate::model::paths::normalize(&w.value), w.span)),
            env_from: svc.node.get("env_file").is_some_and(|v| !v.is_null()),
            span: svc.key.span,
        };
        let deploy = svc.node.get("deploy").filter(|d| d.is_map());
        let swarm_reason = deploy.and_then(swarm_key);
        let platform = match (self.mode, &swarm_reason) {
            (ComposeMode::Swarm, _) | (ComposeMode::Auto, Some(_)) => Platform::Swarm,
            _ => Platform::Compose,
        };
        Workload {
            kind: WorkloadKind::ComposeService,
            platform,
            name: svc.name.clone(),
            namespace: None,
            owner: svc.owner.clone(),
            span: svc.key.span,
            containers: vec![container],
            pod_volumes: Vec::new(),
            replicas: deploy.and_then(|d| self.replicas(d)),
            global: deploy.and_then(global_mode),
            pinned: deploy.and_then(pinning),
            pinned_by_label: deploy.and_then(label_pinning),
            // Own keys win over merged ones: a written `placement` is known, unless a
            // constraint is a variable (`${PLACEMENT_CONSTRAINT}`, maybe `node.hostname==`).
            placement_unknown: match deploy {
                Some(d) if d.get("placement").is_some() => constraint(d, |c| c.starts_with('$')),
                Some(d) => d.merges_unknown_alias(),
                None => svc.node.merges_unknown_alias(),
            },
            runs_to_completion: false,
            static_pod: None,
            strategy: None,
            no_surge: None,
            volumes_from: self.volumes_from(svc.node.get("volumes_from")),
            build: self.build(svc.node.get("build")),
            claim_templates: Vec::new(),
            claim_retention: crate::model::ClaimRetention::default(),
            swarm_reason: swarm_reason.filter(|_| platform == Platform::Swarm),
            extends: svc
                .node
                .get_entry("extends")
                .and_then(|(key, value)| self.extends(key, value)),
        }
    }

    /// `extends: svc`, or `extends: {service: svc, file: base.yml}`. `None` when it names no
    /// service (compose rejects it).
    fn extends(&self, key: &Node, value: &Node) -> Option<Extends> {
        let (service, file) = if value.is_map() {
            (
                self.string(value.get("service"))?,
                self.string(value.get("file")),
            )
        } else {
            (self.string(Some(value))?, None)
        };
        if service.value.is_empty() || crate::model::is_unknown(&service.value) {
            return None;
        }
        let file = match file {
            Some(f) if crate::model::is_unknown(&f.value) || f.value.is_empty() => return None,
            Some(f) => Some(crate::model::lexical(&self.dir.join(&f.value))),
            None => None,
        };
        Some(Extends {
            key: key.span,
            service,
            file,
        })
    }

    /// The entries of top-level `include:`: paths, or mappings whose `path:` is one path or
    /// a list (`project_directory` and `env_file` are not followed).
    fn includes(&self, node: &Node) -> Vec<Include> {
        let Some(items) = node.as_seq() else {
            return Vec::new();
        };
        items
            .iter()
            .map(|item| {
                let written: Vec<&Node> = match item.get("path") {
                    Some(path) => match path.as_seq() {
                        Some(paths) => paths.iter().map(|p| &**p).collect(),
                        None => vec![path],
                    },
                    None if item.is_map() => Vec::new(),
                    None => vec![&**item],
                };
                let mut entry = Include {
                    span: item.span,
                    paths: Vec::new(),
                    unknown: written.is_empty(),
                };
                for path in written {
                    match self.interp(path) {
                        Some(p)
                            if p.known
                                && !p.value.is_empty()
                                && !is_remote_context(&p.value)
                                && !p.value.starts_with("oci:") =>
                        {
                            entry
                                .paths
                                .push(crate::model::lexical(&self.dir.join(&p.value)));
                        }
                        _ => entry.unknown = true,
                    }
                }
                entry
            })
            .collect()
    }

    /// Swarm is decided per file, not per service: one swarm-only key, or a stack file's name
    /// (`stack` a word of it: `docker-stack.yml`), makes every service of the file a swarm service
    /// (a stack's database with only `replicas` is deployed to swarm like its neighbours). A
    /// service without a key of its own names the file's first one as its reason. A file that
    /// sets keys swarm ignores ([`SWARM_IGNORED`]: `container_name`, `security_opt`, ...) is
    /// not a stack by its name alone (`compose_only`). One that uses features only Compose has
    /// (`features`: `profiles`, a `depends_on` condition) is written for `docker compose`: not
    /// a stack by a `deploy.mode: global` or an `endpoint_mode` copied into it either; only
    /// placement constraints (which place tasks on swarm nodes) still make it one. (Ignored
    /// keys alone are weaker: stack files keep a `links:` of their compose past.)
    fn swarm_per_file(&self, workloads: &mut [Workload], compose_only: bool, features: bool) {
        if self.mode != ComposeMode::Auto {
            return;
        }
        if features
            && !workloads.iter().any(|w| {
                w.swarm_reason
                    .as_ref()
                    .is_some_and(|r| r.value == "placement")
            })
        {
            for w in workloads {
                w.platform = Platform::Compose;
                w.swarm_reason = None;
            }
            return;
        }
        let first = workloads.iter().find_map(|w| w.swarm_reason.clone());
        if first.is_none() && (compose_only || !is_stack_file(&self.source.path)) {
            return;
        }
        for w in workloads {
            w.platform = Platform::Swarm;
            if w.swarm_reason.is_none() {
                w.swarm_reason.clone_from(&first);
            }
        }
    }

    /// `command:` or `entrypoint:` in words: a list, or a string split as a shell does.
    /// `None` when absent or null (the image's own); an unbalanced quote gives no words.
    fn command_words(&self, node: Option<&Node>) -> Option<Vec<String>> {
        let node = node.filter(|n| !n.is_null())?;
        match node.as_seq() {
            Some(items) => Some(
                items
                    .iter()
                    .map(|item| self.interp(item).map(|i| i.value).unwrap_or_default())
                    .collect(),
            ),
            None => Some(crate::words::split(&self.interp(node)?.value).unwrap_or_default()),
        }
    }

    fn environment(&self, node: Option<&Node>) -> Vec<EnvVar> {
        let Some(node) = node else {
            return Vec::new();
        };
        if let Some(items) = node.as_seq() {
            return items
                .iter()
                .filter_map(|item| {
                    let text = self.interp(item)?.value;
                    let (name, value) = match text.split_once('=') {
                        Some((n, v)) => (n.to_string(), Some(v.to_string())),
                        None => (text, None),
                    };
                    Some(EnvVar {
                        name,
                        value,
                        span: item.span,
                    })
                })
                .collect();
        }
        node.entries()
            .into_iter()
            .filter_map(|(k, v)| {
                let span = if v.is_null() {
                    k.span
                } else {
                    k.span.cover(v.span)
                };
                Some(EnvVar {
                    name: k.as_str()?.to_string(),
                    value: self.interp(v).map(|i| i.value),
                    span,
                })
            })
            .collect()
    }

    fn volumes_from(&self, node: Option<&Node>) -> Vec<Spanned<String>> {
        node.and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|item| self.string(Some(item)))
            .collect()
    }

    fn replicas(&self, deploy: &Node) -> Option<Spanned<u64>> {
        let node = deploy.get("replicas")?;
        let value = self.interp(node)?.value.trim().parse().ok()?;
        Some(Spanned::new(value, node.span))
    }

    /// `build:` as a context string or a mapping. `None` when no Dockerfile on disk backs it
    /// (`dockerfile_inline`, a remote context): there is nothing to resolve across files.
    fn build(&self, node: Option<&Node>) -> Option<Build> {
        let node = node?;
        let (context, dockerfile, target) = if node.is_map() {
            if node.get("dockerfile_inline").is_some() {
                return None;
            }
            let context = self
                .string(node.get("context"))
                .unwrap_or_else(|| Spanned::new(".".to_string(), node.span));
            (
                context,
                self.string(node.get("dockerfile")),
                self.string(node.get("target")),
            )
        } else {
            (self.string(Some(node))?, None, None)
        };
        if is_remote_context(&context.value) {
            return None;
        }
        let file = dockerfile
            .as_ref()
            .map_or("Dockerfile", |d| d.value.as_str());
        let dockerfile_path = crate::model::lexical(&self.dir.join(&context.value).join(file));
        Some(Build {
            context,
            dockerfile,
            dockerfile_path,
            target,
        })
    }

    // ---- mounts ------------------------------------------------------------------------

    fn volumes(&mut self, svc: &Service) -> Vec<Mount> {
        let Some((key, node)) = svc.node.get_entry("volumes") else {
            return Vec::new();
        };
        if node.is_null() {
            return Vec::new();
        }
        let Some(items) = node.as_seq() else {
            self.error(
                format!("{}: `volumes` is not a list", svc.owner),
                key.span.cover(node.span),
            );
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| {
                if item.is_map() {
                    self.long_mount(svc, item)
                } else if item.as_str().is_some() && !item.is_null() {
                    self.short_mount(svc, item)
                } else {
                    self.error(
                        format!(
                            "{}: volume entry is neither a string nor a mapping",
                            svc.owner
                        ),
                        item.span,
                    );
                    None
                }
            })
            .collect()
    }

    fn short_mount(&mut self, svc: &Service, node: &Node) -> Option<Mount> {
        let written = node.as_str().unwrap_or("");
        let spec = interpolate(written, &self.vars);
        let parts = match split_spec(&spec.value) {
            Ok(parts) => parts,
            Err(problem) => {
                self.error(format!("{}: {problem}", svc.owner), node.span);
                return None;
            }
        };
        // Sections of the text as written, for spans; usable when they line up one to one.
        let raw = split_spec(written).ok().filter(|r| r.len() == parts.len());
        let raw_range = |i: usize| raw.as_ref().and_then(|r| r.get(i).cloned());
        // CapRover trims each section (`'$$cap_appname-data: /var/opt/gitlab'`).
        let caprover = self.caprover;
        let section = |i: usize| {
            parts
                .get(i)
                .and_then(|r| spec.value.get(r.clone()))
                .map(|s| if caprover { s.trim() } else { s })
        };

        let (source_idx, target_idx) = if parts.len() == 1 {
            (None, 0)
        } else {
            (Some(0), 1)
        };
        let target = section(target_idx).unwrap_or("");
        let target_span = self.sub_span(node, raw_range(target_idx));
        let mut mount = blank_mount(svc, MountSyntax::ComposeShort, target, target_span);
        mount.span = node.span;
        if let Some(i) = source_idx {
            let src = section(i).unwrap_or("");
            let span = self.sub_span(node, raw_range(i));
            // A template's placeholder (`{{ appdata_path }}/app`) is as unknown as `${DIR}`.
            let template = crate::model::has_template_placeholder(src);
            let unknown = (!spec.known || template) && crate::model::is_unknown(src);
            self.short_source(&mut mount, src, span, unknown);
        }
        if let Some(mode) = section(2) {
            let base = raw_range(2).filter(|r| written.get(r.clone()) == Some(mode));
            self.short_options(&mut mount, node, mode, base);
        }
        Some(mount)
    }

    /// Classify a short-syntax source as Compose does: a path is a bind, anything else a
    /// named volume. An unresolved source with no path character could be either.
    fn short_source(&self, mount: &mut Mount, src: &str, span: Span, unknown: bool) {
        mount.source_span = Some(span);
        // Unknown, it is a path only when a separator is written outside every `${...}`:
        // `${DIR}/keys` is, `${A:-${B:-/etc}}` is not (A may name a volume).
        if is_file_path(src) || (unknown && outside_references(src).contains(['/', '\\'])) {
            mount.kind = MountKind::Bind;
            mount.source = MountSource::Host(paths::host_path(src, &self.dir));
            mount.creates_host_path = Some(span);
        } else if unknown {
            mount.kind = MountKind::Unresolved;
        } else {
            self.named_volume(mount, src);
        }
    }

    /// `ro,z,...`; `base` is where the mode section starts in the written scalar, when the
    /// section reads the same there.
    fn short_options(
        &self,
        mount: &mut Mount,
        node: &Node,
        mode: &str,
        base: Option<Range<usize>>,
    ) {
        let mut offset = 0;
        for opt in mode.split(',') {
            let range = base
                .as_ref()
                .map(|b| b.start + offset..b.start + offset + opt.len());
            offset += opt.len() + 1;
            match opt {
                "ro" => mount.read_only = true,
                "rw" => mount.read_only = false,
                _ => {
                    if PROPAGATIONS.contains(&opt) {
                        let span = self.sub_span(node, range);
                        mount.propagation = Some(Spanned::new(opt.to_string(), span));
                    } else if !KNOWN_OPTIONS.contains(&opt)
                        && !opt.is_empty()
                        && !crate::model::is_unknown(opt)
                    {
                        let span = self.sub_span(node, range);
                        mount
                            .unknown_options
                            .push(Spanned::new(opt.to_string(), span));
                    }
                    mount.options.push(opt.to_string());
                }
            }
        }
    }

    /// A named volume, or a bind in disguise when its declaration binds a host folder.
    fn named_volume(&self, mount: &mut Mount, name: &str) {
        mount.kind = MountKind::Volume;
        mount.source = MountSource::Volume(name.to_string());
        let Some(decl) = self.decl(name) else {
            return;
        };
        mount.volume = Some(Spanned::new(name.to_string(), decl.key.span));
        if let Some(device) = decl.bind_device() {
            mount.kind = MountKind::Bind;
            mount.source = MountSource::Host(paths::host_path(&device.value, &self.dir));
            mount.disguised_bind = Some(device.span);
        } else if decl.tmpfs_type().is_some() {
            // Memory in disguise: the data lives as long as a container has it mounted.
            mount.kind = MountKind::Tmpfs;
            mount.size = decl.tmpfs_size();
        }
    }

    fn long_mount(&mut self, svc: &Service, node: &Node) -> Option<Mount> {
        let Some(target) = self.string(node.get("target")) else {
            self.error(
                format!("{}: volume mount without `target`", svc.owner),
                node.span,
            );
            return None;
        };
        let source = node.get("source").and_then(|s| {
            let i = self.interp(s)?;
            Some((i, s.span))
        });
        let kind = match self.string(node.get("type")) {
            Some(t) => t.value,
            None => {
                self.error(
                    format!("{}: volume mount without `type`", svc.owner),
                    node.span,
                );
                // Still read it as Compose's short syntax would, so other rules see it.
                let is_path = source.as_ref().is_some_and(|(s, _)| is_file_path(&s.value));
                if is_path { "bind" } else { "volume" }.to_string()
            }
        };
        let mut mount = blank_mount(svc, MountSyntax::ComposeLong, &target.value, target.span);
        mount.span = node.span;
        mount.source_span = source.as_ref().map(|(_, span)| *span);
        mount.read_only = self.boolean(node.get("read_only")) == Some(true);
        if let Some(c) = self.string(node.get("consistency")) {
            mount.options.push(c.value);
        }
        let src = source.map(|(s, _)| s);
        match kind.as_str() {
            "bind" => self.long_bind(svc, node, &mut mount, src),
            "volume" => self.long_volume(node, &mut mount, src),
            "tmpfs" => self.long_tmpfs(node, &mut mount),
            "npipe" => {
                mount.kind = MountKind::Npipe;
                if let Some(s) = src {
                    mount.source = MountSource::Host(paths::host_path(&s.value, &self.dir));
                }
            }
            "image" => {
                mount.kind = MountKind::Image;
                mount.source = src.map_or(MountSource::None, |s| MountSource::Volume(s.value));
                mount.sub_path = self.text_at(node, &["image", "subpath"]);
            }
            "cluster" => {
                mount.kind = MountKind::Other("cluster".to_string());
                mount.source = src.map_or(MountSource::None, |s| MountSource::Volume(s.value));
            }
            // `type: ${SOCKET_TYPE}` with no value here: set when compose runs (`bind` on
            // Linux, `npipe` on Windows), so the mount's kind is not known, not wrong. Read as
            // a bind of an unknown source: what its target says (a runtime socket) still
            // counts, and nothing is said of the source.
            other if crate::model::is_unknown(other) => {
                mount.kind = MountKind::Bind;
                let source = src.map_or_else(|| other.to_string(), |s| s.value);
                mount.source = MountSource::Host(paths::host_path(&source, &self.dir));
            }
            other => {
                let span = node.get("type").map_or(node.span, |t| t.span);
                self.error(
                    format!("{}: unknown volume type `{other}`", svc.owner),
                    span,
                );
                return None;
            }
        }
        Some(mount)
    }

    fn text_at(&self, node: &Node, keys: &[&str]) -> Option<String> {
        self.string(node.path(keys)).map(|s| s.value)
    }

    fn long_bind(
        &mut self,
        svc: &Service,
        node: &Node,
        mount: &mut Mount,
        src: Option<Interpolated>,
    ) {
        mount.kind = MountKind::Bind;
        match src {
            Some(s) => mount.source = MountSource::Host(paths::host_path(&s.value, &self.dir)),
            None => self.error(
                format!("{}: bind mount without `source`", svc.owner),
                node.span,
            ),
        }
        let Some(bind) = node.get("bind") else {
            return;
        };
        mount.propagation = self.string(bind.get("propagation"));
        if let Some(create) = bind.get("create_host_path")
            && self.boolean(Some(create)) == Some(true)
        {
            mount.creates_host_path = Some(create.span);
        }
        if let Some(selinux) = self.string(bind.get("selinux")) {
            mount.options.push(selinux.value);
        }
        if let Some(recursive) = self.string(bind.get("recursive")) {
            mount.options.push(format!("recursive={}", recursive.value));
        }
    }

    fn long_volume(&self, node: &Node, mount: &mut Mount, src: Option<Interpolated>) {
        match src.filter(|s| !s.value.is_empty()) {
            Some(s) => self.named_volume(mount, &s.value),
            None => {
                mount.kind = MountKind::Anonymous;
                mount.source_span = None;
            }
        }
        if self.boolean(node.path(&["volume", "nocopy"])) == Some(true) {
            mount.options.push("nocopy".to_string());
        }
        mount.sub_path = self.text_at(node, &["volume", "subpath"]);
    }

    fn long_tmpfs(&self, node: &Node, mount: &mut Mount) {
        mount.kind = MountKind::Tmpfs;
        mount.source = MountSource::None;
        mount.source_span = None;
        mount.size = self.string(node.path(&["tmpfs", "size"]));
        if let Some(mode) = self.string(node.path(&["tmpfs", "mode"])) {
            mount.options.push(format!("mode={}", mode.value));
        }
    }

    /// The service's `configs:` and `secrets:`: files swarm (and compose) mount read-only,
    /// short (`- name`) or long (`- {source: name, target: /path}`). A config goes to
    /// `/<name>` unless a target says where; a secret to `/run/secrets/<name>`, a relative
    /// target under `/run/secrets` too.
    fn files(&mut self, svc: &Service) -> Vec<Mount> {
        let mut out = Vec::new();
        for (key, kind) in [
            ("configs", MountKind::ConfigMap),
            ("secrets", MountKind::Secret),
        ] {
            let Some(items) = svc.node.get(key).and_then(Node::as_seq) else {
                continue;
            };
            for item in items {
                let (name, target) = if item.is_map() {
                    (item.get("source"), item.get("target"))
                } else {
                    (Some(&**item), None)
                };
                let written = target.or(name).and_then(Node::as_text);
                let Some(written) = written else { continue };
                let path = interpolate(written, &self.vars).value;
                let path = match (key, target.is_some()) {
                    (_, true) if path.starts_with('/') => path,
                    ("secrets", _) => format!("/run/secrets/{path}"),
                    _ => format!("/{path}"),
                };
                let target_span = target.map_or(item.span, |t| t.span);
                let mut mount = Mount::new(
                    kind.clone(),
                    MountSyntax::ComposeFile,
                    &path,
                    target_span,
                    svc.owner.clone(),
                );
                mount.read_only = true;
                mount.span = item.span;
                out.push(mount);
            }
        }
        out
    }

    /// The service `tmpfs:` key: one path or a list, each `PATH[:OPTIONS]`.
    fn tmpfs(&mut self, svc: &Service) -> Vec<Mount> {
        let Some(node) = svc.node.get("tmpfs") else {
            return Vec::new();
        };
        let items: Vec<&Node> = match node.as_seq() {
            Some(items) => items.iter().map(|i| &**i).collect(),
            None => vec![node],
        };
        items
            .into_iter()
            .filter_map(|item| self.tmpfs_entry(svc, item))
            .collect()
    }

    fn tmpfs_entry(&mut self, svc: &Service, node: &Node) -> Option<Mount> {
        let written = node.as_text()?;
        let spec = interpolate(written, &self.vars);
        let text = spec.value;
        let (path, opts) = text.split_once(':').unwrap_or((&text, ""));
        let unknown = !spec.known && crate::model::is_unknown(path);
        if !path.starts_with('/') && !unknown {
            self.error(
                format!(
                    "{}: tmpfs target `{path}` is not an absolute path",
                    svc.owner
                ),
                node.span,
            );
            return None;
        }
        let same = written.split_once(':').map_or(written, |(p, _)| p) == path;
        let target_span = self.sub_span(node, same.then_some(0..path.len()));
        let mut mount = blank_mount(svc, MountSyntax::ComposeTmpfs, path, target_span);
        mount.kind = MountKind::Tmpfs;
        mount.span = node.span;
        for opt in opts.split(',').filter(|o| !o.is_empty()) {
            match opt.strip_prefix("size=") {
                Some(size) => mount.size = Some(Spanned::new(size.to_string(), node.span)),
                None => mount.options.push(opt.to_string()),
            }
        }
        Some(mount)
    }
}

/// `text` without its `${...}` references (nested ones included) and `$NAME`s: what is
/// written around the unknown parts.
fn outside_references(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'$', Some(b'$')) => {
                if depth == 0 {
                    out.push('$');
                }
                i += 2;
                continue;
            }
            (b'$', Some(b'{')) => {
                depth += 1;
                i += 2;
                continue;
            }
            (b'}', _) if depth > 0 => depth -= 1,
            (b'$', Some(c)) if depth == 0 && (c.is_ascii_alphabetic() || *c == b'_') => {
                i += 1;
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    i += 1;
                }
                continue;
            }
            _ if depth == 0 => {
                let end = text[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&text[i..i + end]);
                i += end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// A mount of `svc` with only its target known; callers fill in the rest.
fn blank_mount(svc: &Service, syntax: MountSyntax, target: &str, target_span: Span) -> Mount {
    Mount::new(
        MountKind::Anonymous,
        syntax,
        target,
        target_span,
        svc.owner.clone(),
    )
}

fn is_remote_context(context: &str) -> bool {
    context.contains("://") || context.starts_with("git@") || context.starts_with("github.com/")
}

/// A stack file by its name: `stack` or `swarm` as a word of it (`docker-stack.yml`,
/// `stack.prod.yaml`, `monitoring_stack.yml`, `docker-swarm.yml`), not inside another word
/// (`fullstack.yml`, `stackstorm.yml`, `swarmprom.yml`).
fn is_stack_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    let stem = name
        .strip_suffix(".yml")
        .or_else(|| name.strip_suffix(".yaml"));
    stem.is_some_and(|s| {
        s.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word == "stack" || word == "swarm")
    })
}

/// Whether a service sets `profiles` or waits on a `depends_on` condition
/// (`condition: service_healthy`): Compose features `docker stack deploy` does not have.
fn compose_features(svc: &Node) -> bool {
    svc.get("profiles").is_some_and(|v| !v.is_null())
        || svc.get("depends_on").is_some_and(|d| {
            d.entries()
                .into_iter()
                .any(|(_, v)| v.get("condition").is_some())
        })
}

/// The first swarm-only `deploy` key, as written.
fn swarm_key(deploy: &Node) -> Option<Spanned<String>> {
    deploy.entries().into_iter().find_map(|(k, v)| {
        let key = k.as_str()?;
        let swarm = SWARM_KEYS.contains(&key)
            || (key == "mode" && v.as_str().is_some_and(|m| SWARM_MODES.contains(&m)));
        swarm.then(|| Spanned::new(key.to_string(), k.span))
    })
}

/// `deploy.mode: global` (or `global-job`): one task on every node.
fn global_mode(deploy: &Node) -> Option<Span> {
    let mode = deploy.get("mode")?;
    matches!(mode.as_str(), Some("global" | "global-job")).then_some(mode.span)
}

/// A placement constraint `node.hostname == x` or `node.id == x` pins the service to a node.
fn pinning(deploy: &Node) -> Option<Span> {
    constraint(deploy, |c| {
        ["node.hostname==", "node.id=="]
            .iter()
            .any(|p| c.starts_with(p))
    })
}

/// A placement constraint `node.labels.<label> == <value>`: the service runs only on the
/// nodes that carry the label, the usual way to pin a data service (maybe to one node).
fn label_pinning(deploy: &Node) -> Option<Span> {
    constraint(deploy, |c| {
        c.starts_with("node.labels.") && c.contains("==")
    })
}

/// The first placement constraint that `matches`, written without spaces.
fn constraint(deploy: &Node, matches: impl Fn(&str) -> bool) -> Option<Span> {
    let constraints = deploy.path(&["placement", "constraints"])?;
    let items: Vec<&Node> = match constraints.as_seq() {
        Some(items) => items.iter().map(|i| &**i).collect(),
        None => vec![constraints],
    };
    items.into_iter().find_map(|c| {
        let squeezed: String = c.as_text()?.split_whitespace().collect();
        matches(&squeezed).then_some(c.span)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn parse_at(path: &Path, text: &str, mode: ComposeMode) -> (SourceFile, Parsed) {
        let opts = ParseOptions {
            compose_mode: mode,
            ..ParseOptions::default()
        };
        parse_with(path, text, &opts)
    }

    fn parse_with(path: &Path, text: &str, opts: &ParseOptions) -> (SourceFile, Parsed) {
        let file = SourceFile::new(path, text.to_string());
        let stream = yaml::parse(&file);
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let root = stream.documents[0].root.clone().expect("a document");
        let parsed = parse(&file, &root, opts);
        (file, parsed)
    }

    fn read(text: &str) -> (SourceFile, Parsed) {
        let (file, parsed) = parse_at(Path::new("proj/compose.yaml"), text, ComposeMode::Auto);
        crate::last_file::set(&file);
        (file, parsed)
    }

    /// Parse and expect no error.
    fn ok(text: &str) -> (SourceFile, Parsed) {
        let (file, parsed) = read(text);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        (file, parsed)
    }

    fn mounts(p: &Parsed, service: usize) -> &[Mount] {
        &p.workloads[service].containers[0].mounts
    }

    /// (line, column) of the start and end of a span.
    fn at(span: Span) -> ((usize, usize), (usize, usize)) {
        let at = crate::last_file::location(span);
        (
            (at.start.line, at.start.column),
            (at.end.line, at.end.column),
        )
    }

    fn host(m: &Mount) -> &str {
        m.host_path().map_or("", |h| h.path.as_str())
    }

    fn service_with(volumes: &str) -> String {
        format!("services:\n  app:\n    image: nginx\n    volumes:\n{volumes}")
    }

    #[test]
    fn workload_and_container_basics() {
        let (f, p) = ok("services:\n  db:\n    image: postgres:16\n");
        let w = &p.workloads[0];
        assert_eq!(w.kind, WorkloadKind::ComposeService);
        assert_eq!(w.platform, Platform::Compose);
        assert_eq!((w.name.as_str(), w.owner.as_str()), ("db", "service db"));
        assert_eq!(w.span.text(&f.text), "db");
        let c = &w.containers[0];
        assert_eq!(c.role, ContainerRole::Main);
        assert_eq!((c.name.as_str(), c.owner.as_str()), ("db", "service db"));
        let image = c.image.as_ref().expect("image");
        assert_eq!(image.value, "postgres:16");
        assert_eq!(at(image.span), ((3, 12), (3, 23)));
        assert_eq!(c.span, w.span);
    }

    #[test]
    fn short_bind_absolute() {
        let (f, p) = ok(&service_with("      - /srv/www:/usr/share/nginx/html/\n"));
        let m = &mounts(&p, 0)[0];
        assert_eq!(m.kind, MountKind::Bind);
        assert_eq!(m.syntax, MountSyntax::ComposeShort);
        assert_eq!(host(m), "/srv/www");
        assert_eq!(m.target, "/usr/share/nginx/html");
        assert!(!m.read_only);
        let src = m.source_span.expect("source span");
        assert_eq!(at(src), ((5, 9), (5, 17)));
        assert_eq!(src.text(&f.text), "/srv/www");
        assert_eq!(at(m.target_span), ((5, 18), (5, 40)));
        assert_eq!(m.span.text(&f.text), "/srv/www:/usr/share/nginx/html/");
        assert_eq!(m.creates_host_path, Some(src));
        assert_eq!(m.owner, "service app");
    }

    #[test]
    fn short_bind_relative_and_home() {
        let (f, p) = ok(&service_with(
            "      - ./data:/data\n      - ../x:/x\n      - .:/app\n      - ~/.ssh:/root/.ssh:ro\n      - ~:/h\n",
        ));
        let m = mounts(&p, 0);
        assert!(m.iter().all(|m| m.kind == MountKind::Bind));
        let hosts: Vec<_> = m.iter().map(host).collect();
        assert_eq!(hosts, ["./data", "../x", ".", "~/.ssh", "~"]);
        assert_eq!(
            m[0].host_path().map(|h| h.resolved.clone()),
            Some(PathBuf::from("proj/data"))
        );
        assert_eq!(at(m[0].source_span.expect("span")), ((5, 9), (5, 15)));
        assert_eq!(at(m[0].target_span), ((5, 16), (5, 21)));
        assert!(m[3].read_only);
        assert!(m[3].options.is_empty());
        assert_eq!(m[3].target_span.text(&f.text), "/root/.ssh");
        assert_eq!(m[3].source_span.map(at), Some(((8, 9), (8, 15))));
    }

    #[test]
    fn short_named_volume_declared_or_not() {
        let text = "services:\n  db:\n    volumes:\n      - db-data:/var/lib/mysql\n      - other:/x\nvolumes:\n  db-data:\n";
        let (f, p) = ok(text);
        let m = mounts(&p, 0);
        assert_eq!(m[0].kind, MountKind::Volume);
        assert_eq!(m[0].source, MountSource::Volume("db-data".into()));
        assert_eq!(at(m[0].source_span.expect("span")), ((4, 9), (4, 16)));
        assert_eq!(m[0].creates_host_path, None);
        let vol = m[0].volume.as_ref().expect("declared");
        assert_eq!(vol.value, "db-data");
        assert_eq!(at(vol.span), ((7, 3), (7, 10)));
        assert_eq!(m[1].kind, MountKind::Volume);
        assert!(m[1].volume.is_none());
        assert_eq!(p.volumes.len(), 1);
        assert_eq!(p.volumes[0].key.value, "db-data");
        assert!(!p.volumes[0].external);
        assert_eq!(p.volumes[0].span.text(&f.text), "db-data");
    }

    #[test]
    fn short_anonymous() {
        let (_, p) = ok(&service_with("      - /var/lib/mysql/\n"));
        let m = &mounts(&p, 0)[0];
        assert_eq!(m.kind, MountKind::Anonymous);
        assert_eq!(m.source, MountSource::None);
        assert_eq!(m.source_span, None);
        assert_eq!(m.target, "/var/lib/mysql");
        assert_eq!(at(m.target_span), ((5, 9), (5, 24)));
        assert_eq!(m.creates_host_path, None);
    }

    #[test]
    fn short_modes() {
        let (f, p) = ok(&service_with(
            "      - /a:/a:ro\n      - /b:/b:ro,z\n      - /c:/c:cached\n      - vol:/d:nocopy\n      - /e:/e:rw,rshared\n",
        ));
        let m = mounts(&p, 0);
        assert!(m[0].read_only && m[0].options.is_empty());
        assert!(m[1].read_only);
        assert_eq!(m[1].options, ["z"]);
        assert!(!m[2].read_only);
        assert_eq!(m[2].options, ["cached"]);
        assert_eq!(m[3].options, ["nocopy"]);
        assert_eq!(m[4].options, ["rshared"]);
        let prop = m[4].propagation.as_ref().expect("propagation");
        assert_eq!(prop.value, "rshared");
        assert_eq!(prop.span.text(&f.text), "rshared");
        assert_eq!(at(prop.span), ((9, 18), (9, 25)));
        assert!(m.iter().all(|m| m.unknown_options.is_empty()));
    }

    #[test]
    fn unknown_short_options() {
        let (f, p) = ok(&service_with(
            "      - /a:/a:roz\n      - /b:/b:Z,rwz\n      - /c:/c:${MODE}\n",
        ));
        let m = mounts(&p, 0);
        assert!(
            !m[0].read_only,
            "docker ignores `roz`: the mount is writable"
        );
        let unknown = |i: usize| -> Vec<&str> {
            m[i].unknown_options
                .iter()
                .map(|o| o.span.text(&f.text))
                .collect()
        };
        assert_eq!(unknown(0), ["roz"]);
        assert_eq!(unknown(1), ["rwz"]);
        assert!(unknown(2).is_empty(), "unknown values say nothing");
    }

    #[test]
    fn short_windows_sources() {
        let (f, p) = ok(&service_with(
            "      - C:\\data:/data\n      - C:/data:/data:ro\n      - \\\\.\\pipe\\docker_engine:\\\\.\\pipe\\docker_engine\n",
        ));
        let m = mounts(&p, 0);
        assert_eq!(m[0].kind, MountKind::Bind);
        assert_eq!(host(&m[0]), "C:\\data");
        assert_eq!(m[0].target, "/data");
        assert_eq!(at(m[0].source_span.expect("span")), ((5, 9), (5, 16)));
        assert_eq!(at(m[0].target_span), ((5, 17), (5, 22)));
        assert_eq!(host(&m[1]), "C:/data");
        assert!(m[1].read_only);
        assert_eq!(m[2].kind, MountKind::Bind);
        assert_eq!(host(&m[2]), "\\\\.\\pipe\\docker_engine");
        assert_eq!(m[2].target, "\\\\.\\pipe\\docker_engine");
        assert_eq!(
            m[2].source_span.map(|s| s.text(&f.text)),
            Some("\\\\.\\pipe\\docker_engine")
        );
    }

    #[test]
    fn short_quoted_sub_spans() {
        let (f, p) = ok(&service_with(
            "      - \"/var/run/docker.sock:/var/run/docker.sock\"\n      - '/x:/y:ro'\n      - \"C:\\\\d:/d\"\n",
        ));
        let m = mounts(&p, 0);
        let src = m[0].source_span.expect("span");
        assert_eq!(at(src), ((5, 10), (5, 30)));
        assert_eq!(src.text(&f.text), "/var/run/docker.sock");
        assert_eq!(at(m[0].target_span), ((5, 31), (5, 51)));
        assert_eq!(
            m[0].span.text(&f.text),
            "\"/var/run/docker.sock:/var/run/docker.sock\""
        );
        assert_eq!(at(m[1].source_span.expect("span")), ((6, 10), (6, 12)));
        assert_eq!(at(m[1].target_span), ((6, 13), (6, 15)));
        // An escape shifts offsets: the whole scalar is the narrowest honest span.
        assert_eq!(host(&m[2]), "C:\\d");
        assert_eq!(m[2].source_span, Some(m[2].span));
        assert_eq!(m[2].target_span, m[2].span);
    }

    #[test]
    fn short_flow_sequence() {
        let (f, p) = ok("services:\n  ci:\n    volumes: [\"/var/run/docker.sock:/s\", /tmp:/t]\n");
        let m = mounts(&p, 0);
        assert_eq!(
            m[0].source_span.map(|s| s.text(&f.text)),
            Some("/var/run/docker.sock")
        );
        assert_eq!(m[1].source_span.map(at), Some(((3, 42), (3, 46))));
    }

    #[test]
    fn long_bind() {
        let text = service_with(concat!(
            "      - type: bind\n",
            "        source: ./conf/\n",
            "        target: /etc/app\n",
            "        read_only: true\n",
            "        bind:\n",
            "          propagation: rshared\n",
            "          create_host_path: true\n",
            "          selinux: z\n",
            "      - type: bind\n",
            "        source: /srv\n",
            "        target: /srv\n",
        ));
        let (f, p) = ok(&text);
        let m = mounts(&p, 0);
        assert_eq!(m[0].kind, MountKind::Bind);
        assert_eq!(m[0].syntax, MountSyntax::ComposeLong);
        assert_eq!(host(&m[0]), "./conf");
        assert_eq!(m[0].target, "/etc/app");
        assert!(m[0].read_only);
        assert_eq!(at(m[0].source_span.expect("span")), ((6, 17), (6, 24)));
        assert_eq!(at(m[0].target_span), ((7, 17), (7, 25)));
        let prop = m[0].propagation.as_ref().expect("propagation");
        assert_eq!(
            (prop.value.as_str(), at(prop.span)),
            ("rshared", ((10, 24), (10, 31)))
        );
        assert_eq!(m[0].creates_host_path.map(at), Some(((11, 29), (11, 33))));
        assert_eq!(m[0].options, ["z"]);
        assert!(m[0].span.text(&f.text).starts_with("type: bind"));
        assert_eq!(at(m[0].span).0.0, 5);
        assert_eq!(at(m[0].span).1.0, 12);
        // Long syntax creates nothing unless asked to.
        assert_eq!(m[1].creates_host_path, None);
    }

    #[test]
    fn long_volume_and_anonymous() {
        let text = concat!(
            "services:\n",
            "  db:\n",
            "    volumes:\n",
            "      - type: volume\n",
            "        source: pg\n",
            "        target: /var/lib/postgresql/data\n",
            "        volume:\n",
            "          nocopy: true\n",
            "          subpath: sub\n",
            "      - type: volume\n",
            "        target: /cache\n",
            "volumes:\n",
            "  pg: {}\n",
        );
        let (_, p) = ok(text);
        let m = mounts(&p, 0);
        assert_eq!(m[0].kind, MountKind::Volume);
        assert_eq!(m[0].source, MountSource::Volume("pg".into()));
        assert_eq!(m[0].options, ["nocopy"]);
        assert_eq!(m[0].sub_path.as_deref(), Some("sub"));
        assert_eq!(m[0].source_span.map(at), Some(((5, 17), (5, 19))));
        assert_eq!(
            m[0].volume.as_ref().map(|v| at(v.span)),
            Some(((13, 3), (13, 5)))
        );
        assert_eq!(m[1].kind, MountKind::Anonymous);
        assert_eq!(m[1].source, MountSource::None);
        assert_eq!(m[1].source_span, None);
    }

    #[test]
    fn long_tmpfs_npipe_image_cluster() {
        let text = service_with(concat!(
            "      - type: tmpfs\n",
            "        target: /run/cache\n",
            "        tmpfs:\n",
            "          size: 100m\n",
            "          mode: 1777\n",
            "      - type: tmpfs\n",
            "        target: /t2\n",
            "        tmpfs: {size: 1048576}\n",
            "      - type: npipe\n",
            "        source: \\\\.\\pipe\\docker_engine\n",
            "        target: \\\\.\\pipe\\docker_engine\n",
            "      - type: image\n",
            "        source: alpine:3\n",
            "        target: /opt/tools\n",
            "        image: {subpath: bin}\n",
            "      - type: cluster\n",
            "        source: shared\n",
            "        target: /c\n",
        ));
        let (_, p) = ok(&text);
        let m = mounts(&p, 0);
        assert_eq!(m[0].kind, MountKind::Tmpfs);
        let size = m[0].size.as_ref().expect("size");
        assert_eq!(
            (size.value.as_str(), at(size.span)),
            ("100m", ((8, 17), (8, 21)))
        );
        assert_eq!(m[0].options, ["mode=1777"]);
        assert_eq!(m[0].source_span, None);
        assert_eq!(
            m[1].size.as_ref().map(|s| s.value.as_str()),
            Some("1048576")
        );
        assert_eq!(m[2].kind, MountKind::Npipe);
        assert_eq!(host(&m[2]), "\\\\.\\pipe\\docker_engine");
        assert_eq!(m[3].kind, MountKind::Image);
        assert_eq!(m[3].source, MountSource::Volume("alpine:3".into()));
        assert_eq!(m[3].sub_path.as_deref(), Some("bin"));
        assert_eq!(m[4].kind, MountKind::Other("cluster".into()));
        assert_eq!(m[4].source, MountSource::Volume("shared".into()));
    }

    #[test]
    fn configs_and_secrets_are_read_only_file_mounts() {
        let text = concat!(
            "services:\n",
            "  a:\n",
            "    configs:\n",
            "      - app_conf\n",
            "      - {source: init, target: /init.sh}\n",
            "      - {source: rel, target: etc/rel.conf}\n",
            "    secrets:\n",
            "      - db_password\n",
            "      - {source: token, target: api_token}\n",
            "      - {source: key, target: /etc/ssl/key.pem}\n",
        );
        let (_, p) = ok(text);
        let a = mounts(&p, 0);
        let seen: Vec<(&str, &MountKind)> =
            a.iter().map(|m| (m.target.as_str(), &m.kind)).collect();
        assert_eq!(
            seen,
            [
                ("/app_conf", &MountKind::ConfigMap),
                ("/init.sh", &MountKind::ConfigMap),
                ("/etc/rel.conf", &MountKind::ConfigMap),
                ("/run/secrets/db_password", &MountKind::Secret),
                ("/run/secrets/api_token", &MountKind::Secret),
                ("/etc/ssl/key.pem", &MountKind::Secret),
            ]
        );
        assert!(
            a.iter()
                .all(|m| m.read_only && m.syntax == MountSyntax::ComposeFile)
        );
    }

    #[test]
    fn tmpfs_key_string_and_list() {
        let text = concat!(
            "services:\n",
            "  a:\n",
            "    tmpfs: /run\n",
            "  b:\n",
            "    tmpfs:\n",
            "      - /tmp:size=64m,mode=1777\n",
            "      - /var/cache/\n",
        );
        let (f, p) = ok(text);
        let a = mounts(&p, 0);
        assert_eq!(a[0].kind, MountKind::Tmpfs);
        assert_eq!(a[0].syntax, MountSyntax::ComposeTmpfs);
        assert_eq!(a[0].target, "/run");
        assert_eq!(at(a[0].target_span), ((3, 12), (3, 16)));
        assert_eq!(a[0].size, None);
        let b = mounts(&p, 1);
        assert_eq!(b[0].target, "/tmp");
        assert_eq!(at(b[0].target_span), ((6, 9), (6, 13)));
        let size = b[0].size.as_ref().expect("size");
        assert_eq!(size.value, "64m");
        assert_eq!(size.span.text(&f.text), "/tmp:size=64m,mode=1777");
        assert_eq!(b[0].options, ["mode=1777"]);
        assert_eq!(b[1].target, "/var/cache");
    }

    #[test]
    fn disguised_bind() {
        let text = concat!(
            "services:\n",
            "  db:\n",
            "    volumes:\n",
            "      - pgdata:/var/lib/postgresql/data\n",
            "volumes:\n",
            "  pgdata:\n",
            "    driver: local\n",
            "    driver_opts:\n",
            "      type: none\n",
            "      o: bind\n",
            "      device: /srv/pg\n",
        );
        let (f, p) = ok(text);
        let m = &mounts(&p, 0)[0];
        assert_eq!(m.kind, MountKind::Bind);
        assert_eq!(host(m), "/srv/pg");
        assert_eq!(m.disguised_bind.map(at), Some(((11, 15), (11, 22))));
        let vol = m.volume.as_ref().expect("volume");
        assert_eq!(
            (vol.value.as_str(), at(vol.span)),
            ("pgdata", ((6, 3), (6, 9)))
        );
        assert_eq!(m.source_span.map(|s| s.text(&f.text)), Some("pgdata"));
        assert_eq!(m.creates_host_path, None);
        let d = &p.volumes[0];
        assert_eq!(d.driver.as_ref().map(|d| d.value.as_str()), Some("local"));
        assert_eq!(d.driver_opts.len(), 3);
        assert_eq!(at(d.span).0.0, 6);
        assert_eq!(at(d.span).1.0, 11);
    }

    #[test]
    fn volume_declarations() {
        let text = concat!(
            "volumes:\n",
            "  a:\n",
            "    external: true\n",
            "  b:\n",
            "    external:\n",
            "      name: legacy\n",
            "  c:\n",
            "    name: real-c\n",
            "    driver: rexray\n",
            "    driver_opts:\n",
            "      size: 20\n",
        );
        let (_, p) = ok(text);
        let v = &p.volumes;
        assert!(v[0].external && v[1].external && !v[2].external);
        assert_eq!(v[1].name.as_ref().map(|n| n.value.as_str()), Some("legacy"));
        assert_eq!(v[2].name.as_ref().map(|n| n.value.as_str()), Some("real-c"));
        assert_eq!(
            v[2].driver_opt("size").map(|s| s.value.as_str()),
            Some("20")
        );
        assert_eq!(
            v[2].driver_opt("size").map(|s| at(s.span)),
            Some(((11, 13), (11, 15)))
        );
    }

    #[test]
    fn volumes_from_and_environment() {
        let text = concat!(
            "services:\n",
            "  a:\n",
            "    volumes_from: [data, 'b:ro', container:old]\n",
            "    environment:\n",
            "      PGDATA: /pg\n",
            "      EMPTY:\n",
            "      NUM: 5\n",
            "  b:\n",
            "    environment:\n",
            "      - PGDATA=/x=y\n",
            "      - PASSTHROUGH\n",
        );
        let (f, p) = ok(text);
        let from: Vec<_> = p.workloads[0]
            .volumes_from
            .iter()
            .map(|v| v.value.as_str())
            .collect();
        assert_eq!(from, ["data", "b:ro", "container:old"]);
        assert_eq!(at(p.workloads[0].volumes_from[1].span), ((3, 26), (3, 32)));
        let env = &p.workloads[0].containers[0].env;
        assert_eq!(
            (env[0].name.as_str(), env[0].value.as_deref()),
            ("PGDATA", Some("/pg"))
        );
        assert_eq!(env[0].span.text(&f.text), "PGDATA: /pg");
        assert_eq!(
            (env[1].name.as_str(), env[1].value.as_deref()),
            ("EMPTY", None)
        );
        assert_eq!(env[2].value.as_deref(), Some("5"));
        let env = &p.workloads[1].containers[0].env;
        assert_eq!(
            (env[0].name.as_str(), env[0].value.as_deref()),
            ("PGDATA", Some("/x=y"))
        );
        assert_eq!(at(env[0].span), ((10, 9), (10, 20)));
        assert_eq!(
            (env[1].name.as_str(), env[1].value.as_deref()),
            ("PASSTHROUGH", None)
        );
    }

    #[test]
    fn build_forms() {
        let text = concat!(
            "services:\n",
            "  a:\n",
            "    build: ./app\n",
            "  b:\n",
            "    build:\n",
            "      context: svc/b\n",
            "      dockerfile: docker/Dockerfile.prod\n",
            "  c:\n",
            "    build:\n",
            "      dockerfile_inline: FROM alpine\n",
            "  d:\n",
            "    build:\n",
            "      context: ../d\n",
            "      dockerfile: /abs/Dockerfile\n",
            "  e:\n",
            "    build: {}\n",
            "  f:\n",
            "    build: https://github.com/x/y.git\n",
        );
        let (_, p) = ok(text);
        let b = |i: usize| p.workloads[i].build.as_ref();
        let a = b(0).expect("build a");
        assert_eq!(a.context.value, "./app");
        assert_eq!(at(a.context.span), ((3, 12), (3, 17)));
        assert_eq!(a.dockerfile_path, PathBuf::from("proj/app/Dockerfile"));
        let bb = b(1).expect("build b");
        assert_eq!(
            bb.dockerfile.as_ref().map(|d| d.value.as_str()),
            Some("docker/Dockerfile.prod")
        );
        assert_eq!(
            bb.dockerfile_path,
            PathBuf::from("proj/svc/b/docker/Dockerfile.prod")
        );
        assert!(b(2).is_none());
        assert_eq!(
            b(3).map(|d| d.dockerfile_path.clone()),
            Some(PathBuf::from("/abs/Dockerfile"))
        );
        assert_eq!(
            b(4).map(|d| d.dockerfile_path.clone()),
            Some(PathBuf::from("proj/Dockerfile"))
        );
        assert!(b(5).is_none());
    }

    const DEPLOYS: &str = concat!(
        "services:\n",
        "  plain:\n",
        "    deploy:\n",
        "      replicas: 3\n",
        "      resources: {limits: {memory: 1g}}\n",
        "  everywhere:\n",
        "    deploy:\n",
        "      mode: global\n",
        "  pinned:\n",
        "    deploy:\n",
        "      replicas: \"2\"\n",
        "      placement:\n",
        "        constraints:\n",
        "          - node.role == manager\n",
        "          - node.hostname==db-1\n",
        "  byid:\n",
        "    deploy:\n",
        "      placement:\n",
        "        constraints: [\"node.id  ==  abc\", \"node.hostname != x\"]\n",
        "  job:\n",
        "    deploy:\n",
        "      restart_policy: {condition: none}\n",
        "      mode: replicated-job\n",
    );

    #[test]
    fn deploy_facts() {
        let (_, p) = ok(DEPLOYS);
        let w = &p.workloads;
        let replicas = w[0].replicas.as_ref().expect("replicas");
        assert_eq!((replicas.value, at(replicas.span)), (3, ((4, 17), (4, 18))));
        assert_eq!(w[0].global, None);
        assert_eq!(w[1].global.map(at), Some(((8, 13), (8, 19))));
        assert_eq!(w[2].replicas.as_ref().map(|r| r.value), Some(2));
        assert_eq!(w[2].pinned.map(at), Some(((15, 13), (15, 32))));
        assert_eq!(w[3].pinned.map(at), Some(((19, 23), (19, 41))));
        assert_eq!(w[4].global, None);
        assert_eq!(w[4].pinned, None);
    }

    #[test]
    fn swarm_detection_auto() {
        let (_, p) = ok(DEPLOYS);
        let platforms: Vec<_> = p.workloads.iter().map(|w| w.platform).collect();
        use Platform::Swarm;
        // Swarm is decided per file: `plain` (only `replicas`) is deployed with the others.
        assert_eq!(platforms, [Swarm, Swarm, Swarm, Swarm, Swarm]);
        let reason = |i: usize| {
            p.workloads[i]
                .swarm_reason
                .as_ref()
                .map(|r| (r.value.as_str(), at(r.span)))
        };
        assert_eq!(reason(0), Some(("mode", ((8, 7), (8, 11)))));
        assert_eq!(reason(1), Some(("mode", ((8, 7), (8, 11)))));
        assert_eq!(reason(2), Some(("placement", ((12, 7), (12, 16)))));
        // `restart_policy` is honoured by `docker compose`: `mode: replicated-job` decides.
        assert_eq!(reason(4), Some(("mode", ((23, 7), (23, 11)))));
    }

    #[test]
    fn swarm_by_stack_file_name() {
        let text = "services:\n  db:\n    image: postgres:17\n    deploy: {replicas: 1}\n";
        for (name, platform) in [
            ("docker-stack.yml", Platform::Swarm),
            ("prod-stack.yaml", Platform::Swarm),
            ("stack.yml", Platform::Swarm),
            ("monitoring_stack.prod.yml", Platform::Swarm),
            ("docker-swarm.yml", Platform::Swarm),
            ("swarmprom.yml", Platform::Compose),
            ("docker-compose.yml", Platform::Compose),
            ("fullstack.yml", Platform::Compose),
            ("docker-compose.stackstorm.yml", Platform::Compose),
        ] {
            let (_, p) = parse_at(Path::new(name), text, ComposeMode::Auto);
            assert_eq!(p.workloads[0].platform, platform, "{name}");
            assert!(p.workloads[0].swarm_reason.is_none());
        }
        let (_, p) = parse_at(Path::new("a-stack.yml"), text, ComposeMode::Standalone);
        assert_eq!(p.workloads[0].platform, Platform::Compose);
        // Swarm ignores `container_name`: a file that sets one is for `docker compose`.
        let named = "services:\n  db:\n    image: postgres:17\n    container_name: db\n";
        let (_, p) = parse_at(Path::new("docker-stack.yml"), named, ComposeMode::Auto);
        assert_eq!(p.workloads[0].platform, Platform::Compose);
        // Nor does it apply `security_opt`: a Portainer "stack" for one host.
        let confined =
            "services:\n  db:\n    image: mariadb:11\n    security_opt: [seccomp:unconfined]\n";
        let (_, p) = parse_at(Path::new("stack.yml"), confined, ComposeMode::Auto);
        assert_eq!(p.workloads[0].platform, Platform::Compose);
        // A `deploy.mode: global` or an `endpoint_mode` copied into a file written for
        // Compose (profiles, a `depends_on` condition) does not.
        for compose in [
            "services:\n  exporter:\n    image: prom/node-exporter\n    deploy: {mode: global}\n  prom:\n    image: prom/prometheus\n    profiles: [metrics]\n",
            "services:\n  api:\n    image: app\n    deploy: {replicas: 3, endpoint_mode: dnsrr}\n    depends_on: {db: {condition: service_healthy}}\n  db:\n    image: postgres:18\n",
        ] {
            let (_, p) = parse_at(Path::new("compose.yaml"), compose, ComposeMode::Auto);
            assert!(
                p.workloads
                    .iter()
                    .all(|w| w.platform == Platform::Compose && w.swarm_reason.is_none()),
                "{compose}"
            );
        }
        // Keys swarm ignores do not outweigh a swarm key: a stack keeps `links:` from its
        // compose past.
        let linked = "services:\n  exporter:\n    image: prom/node-exporter\n    deploy: {mode: global}\n  prom:\n    image: prom/prometheus\n    links: [exporter]\n";
        let (_, p) = parse_at(Path::new("docker-compose.yml"), linked, ComposeMode::Auto);
        assert!(p.workloads.iter().all(|w| w.platform == Platform::Swarm));
        // Placement constraints still decide, whatever else the file sets.
        let placed = "services:\n  db:\n    image: mariadb:11\n    security_opt: [seccomp:unconfined]\n    deploy: {placement: {constraints: [node.role == worker]}}\n";
        let (_, p) = parse_at(Path::new("stack.yml"), placed, ComposeMode::Auto);
        assert_eq!(p.workloads[0].platform, Platform::Swarm);
        let plain = "services:\n  a:\n    deploy: {replicas: 2}\n  b:\n    image: x\n";
        let (_, p) = ok(plain);
        assert!(p.workloads.iter().all(|w| w.platform == Platform::Compose));
    }

    #[test]
    fn swarm_detection_forced() {
        let path = Path::new("proj/compose.yaml");
        let (_, swarm) = parse_at(path, DEPLOYS, ComposeMode::Swarm);
        assert!(
            swarm
                .workloads
                .iter()
                .all(|w| w.platform == Platform::Swarm)
        );
        assert!(swarm.workloads[0].swarm_reason.is_none());
        assert_eq!(
            swarm.workloads[2]
                .swarm_reason
                .as_ref()
                .map(|r| r.value.as_str()),
            Some("placement")
        );
        let (_, standalone) = parse_at(path, DEPLOYS, ComposeMode::Standalone);
        assert!(
            standalone
                .workloads
                .iter()
                .all(|w| w.platform == Platform::Compose)
        );
        assert!(
            standalone
                .workloads
                .iter()
                .all(|w| w.swarm_reason.is_none())
        );
        // Facts do not depend on the mode.
        assert!(standalone.workloads[2].pinned.is_some());
    }

    #[test]
    fn interpolation_from_dotenv() {
        let dotenv = "DATA=/srv/data\nexport TAG=16\nRO=ro\n";
        let files = crate::SideFileMap(HashMap::from([(
            PathBuf::from("proj/.env"),
            dotenv.to_string(),
        )]));
        let opts = ParseOptions {
            side_files: std::sync::Arc::new(files),
            ..ParseOptions::default()
        };
        let text = concat!(
            "services:\n",
            "  db:\n",
            "    image: postgres:${TAG}\n",
            "    volumes:\n",
            "      - ${DATA}/pg:/var/lib/postgresql/data:${RO}\n",
            "      - ${CONF:-./conf}:/etc/app\n",
            "      - ${SECRET_DIR}/keys:/keys\n",
            "      - ${VOL}:/v\n",
            "      - $$HOME:/home\n",
            "    environment:\n",
            "      PRICE: $$5\n",
        );
        let (f, p) = parse_with(Path::new("proj/compose.yaml"), text, &opts);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let c = &p.workloads[0].containers[0];
        let image = c.image.as_ref().expect("image");
        assert_eq!(image.value, "postgres:16");
        assert_eq!(image.span.text(&f.text), "postgres:${TAG}");
        let m = &c.mounts;
        assert_eq!(host(&m[0]), "/srv/data/pg");
        assert!(m[0].read_only);
        // Spans cover the text as written.
        assert_eq!(
            m[0].source_span.map(|s| s.text(&f.text)),
            Some("${DATA}/pg")
        );
        assert_eq!(m[0].target_span.text(&f.text), "/var/lib/postgresql/data");
        assert_eq!(host(&m[1]), "./conf");
        assert_eq!(
            m[1].source_span.map(|s| s.text(&f.text)),
            Some("${CONF:-./conf}")
        );
        // Unknown: kept verbatim, still a bind because it is a path.
        assert_eq!(m[2].kind, MountKind::Bind);
        assert_eq!(host(&m[2]), "${SECRET_DIR}/keys");
        // Unknown and could be a volume or a path: neither is claimed.
        assert_eq!(m[3].kind, MountKind::Unresolved);
        assert_eq!(m[3].source, MountSource::None);
        assert_eq!(m[3].source_span.map(|s| s.text(&f.text)), Some("${VOL}"));
        // `$$` is a literal `$`: a name, so a named volume.
        assert_eq!(m[4].source, MountSource::Volume("$HOME".into()));
        assert_eq!(c.env[0].value.as_deref(), Some("$5"));
    }

    #[test]
    fn process_environment_is_ignored() {
        // HOME is set in any test run; compose files must not see it.
        let (_, p) = ok(&service_with("      - ${HOME}/.ssh:/root/.ssh\n"));
        assert_eq!(host(&mounts(&p, 0)[0]), "${HOME}/.ssh");
    }

    #[test]
    fn merge_keys_keep_the_anchor_span() {
        let text = concat!(
            "x-common: &common\n",
            "  image: app:1\n",
            "  volumes:\n",
            "    - ./shared:/shared\n",
            "services:\n",
            "  a:\n",
            "    <<: *common\n",
            "  b:\n",
            "    <<: *common\n",
            "    image: app:2\n",
        );
        let (f, p) = ok(text);
        for w in &p.workloads {
            let m = &w.containers[0].mounts[0];
            assert_eq!(host(m), "./shared");
            assert_eq!(m.source_span.map(at), Some(((4, 7), (4, 15))));
            assert_eq!(m.owner, w.owner);
        }
        let images: Vec<_> = p
            .workloads
            .iter()
            .filter_map(|w| w.containers[0].image.as_ref())
            .map(|i| i.span.text(&f.text))
            .collect();
        assert_eq!(images, ["app:1", "app:2"]);
    }

    fn errors(text: &str) -> Vec<(String, (usize, usize))> {
        let (_, p) = read(text);
        p.errors
            .into_iter()
            .map(|e| (e.message, at(e.span).0))
            .collect()
    }

    #[test]
    fn structural_errors() {
        assert_eq!(
            errors("services: [a, b]\n"),
            [("`services` is not a mapping".to_string(), (1, 1))]
        );
        assert_eq!(
            errors("services:\n  web: nginx\n  db:\n"),
            [
                ("service `web` is not a mapping".to_string(), (2, 8)),
                ("service `db` is not a mapping".to_string(), (3, 3)),
            ]
        );
        // `!reset` removes a service another file defines (an override file): valid.
        assert_eq!(
            errors("services:\n  web: !reset\n  db: !reset  # gone\n  app:\n    image: busybox\n"),
            []
        );
        assert_eq!(
            errors("services:\n  web: !resetx\n"),
            [("service `web` is not a mapping".to_string(), (2, 3))]
        );
        assert_eq!(
            errors("services:\n  web:\n    volumes: /data\n"),
            [("service web: `volumes` is not a list".to_string(), (3, 5))]
        );
        assert_eq!(
            errors("services:\n  web:\n    volumes:\n      - [a]\n      - ''\n      -\n"),
            [
                (
                    "service web: volume entry is neither a string nor a mapping".to_string(),
                    (4, 9)
                ),
                ("service web: empty volume entry".to_string(), (5, 9)),
                (
                    "service web: volume entry is neither a string nor a mapping".to_string(),
                    (6, 8)
                ),
            ]
        );
        assert_eq!(
            errors("services:\n  web:\n    volumes:\n      - /a:/b:ro:z\n      - /a::/b\n"),
            [
                (
                    "service web: too many colons in volume entry".to_string(),
                    (4, 9)
                ),
                (
                    "service web: empty section between colons in volume entry".to_string(),
                    (5, 9)
                ),
            ]
        );
    }

    #[test]
    fn long_syntax_errors() {
        let text = service_with(concat!(
            "      - type: bind\n",
            "        source: /x\n",
            "      - type: weird\n",
            "        target: /w\n",
            "      - source: ./s\n",
            "        target: /s\n",
            "      - type: bind\n",
            "        target: /nos\n",
        ));
        let (_, p) = read(&text);
        let got: Vec<_> = p
            .errors
            .iter()
            .map(|e| (e.message.as_str(), at(e.span).0))
            .collect();
        assert_eq!(
            got,
            [
                ("service app: volume mount without `target`", (5, 9)),
                ("service app: unknown volume type `weird`", (7, 15)),
                ("service app: volume mount without `type`", (9, 9)),
                ("service app: bind mount without `source`", (11, 9)),
            ]
        );
        // A mount without `type` is still read as the short syntax would read it.
        let m = mounts(&p, 0);
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].kind.clone(), host(&m[0])), (MountKind::Bind, "./s"));
    }

    #[test]
    fn tmpfs_errors() {
        assert_eq!(
            errors("services:\n  web:\n    tmpfs: [run, /ok, '${UNKNOWN}']\n"),
            [(
                "service web: tmpfs target `run` is not an absolute path".to_string(),
                (3, 13)
            )]
        );
    }

    #[test]
    fn top_level_errors() {
        assert_eq!(
            errors("- a\n"),
            [("compose file is not a mapping".to_string(), (1, 1))]
        );
        assert_eq!(
            errors("volumes: [a]\n"),
            [("top-level `volumes` is not a mapping".to_string(), (1, 1))]
        );
        assert_eq!(
            errors("volumes:\n  a: 3\n"),
            [("volume `a` is not a mapping".to_string(), (2, 6))]
        );
    }

    #[test]
    fn odd_input_never_panics() {
        let inputs = [
            "services:\n  a:\n    volumes: [':', 'a:', ':b', '$', '${', 'C:', 'é:/é', '\\\\', '~']\n",
            "services:\n  a:\n    volumes: [{type: 3, target: {}}, {target: []}]\n    tmpfs: {a: b}\n",
            "services:\n  a:\n    deploy: [1]\n    build: [x]\n    environment: 3\n    volumes_from: x\n",
            "services:\n  a:\n    deploy: {replicas: many, placement: {constraints: 3}, mode: [x]}\n",
            "services:\n  ? [complex]\n  : {}\n",
            "services: ~\nvolumes:\n  ? [k]\n  : {}\n",
            "x\n",
        ];
        for text in inputs {
            let _ = read(text);
        }
    }
}

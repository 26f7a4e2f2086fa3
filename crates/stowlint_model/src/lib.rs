//! The common model: what Dockerfiles, Compose files and Kubernetes manifests say about
//! storage, with the span of everything. The model knows nothing of rules or output formats.
//!
//! Project → files → workloads (compose service, pod template owner, Dockerfile stage) →
//! containers → mounts.

/// The catalog: which paths are sensitive, which images keep data where, which storage is
/// node-local — data the rules consult, kept with the model they describe (the model does not
/// know the rules; the rules reach the catalog through [`Project::catalog`]).
pub mod catalog;
mod family;
mod index;
pub mod operators;
/// The work-sharing pool (std only): at the bottom, so the engine, the renderers and discovery
/// can all use it.
pub mod par;
pub mod paths;
pub(crate) mod source;
pub mod words;

use std::path::PathBuf;

pub use family::{EffectiveService, MAX_DEPTH};
pub use index::{Answer, ClaimKey, FactIndex, FileFacts, Query, VolumeFacts, compose_refs};
pub use source::{
    LineIndex, Location, MAX_FILE_SIZE, Pos, SourceFile, Span, Spanned, line_breaks,
    lines_inclusive,
};

/// The kind of input a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Dockerfile,
    Compose,
    Kubernetes,
    /// Podman Quadlet units: `.container`, `.volume`, `.pod`, `.kube`, `.build`.
    Quadlet,
    /// `devcontainer.json` (JSON with comments).
    Devcontainer,
    /// GitHub Actions workflows with job or service containers.
    #[serde(rename = "github-actions")]
    GithubActions,
}

impl Format {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Dockerfile => "dockerfile",
            Format::Compose => "compose",
            Format::Kubernetes => "kubernetes",
            Format::Quadlet => "quadlet",
            Format::Devcontainer => "devcontainer",
            Format::GithubActions => "github-actions",
        }
    }
}

/// A problem reading a file: reported as SL001.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
}

/// Ends the message of a syntax error that `docker compose` and `kubectl` read without
/// complaint (the few YAML shapes libyaml reads and our parser does not): SL001 must not claim
/// that the runtime rejects the file too.
pub const RUNTIME_READS_IT: &str = "docker compose and kubectl read this, stowlint cannot yet";

/// Dockerfiles read once and shared by many projects (a streaming run's), by lexical path.
pub type SharedDockerfiles = std::collections::HashMap<PathBuf, std::sync::Arc<FileModel>>;

/// Everything a run was given.
#[derive(Debug, Default)]
pub struct Project {
    pub files: Vec<FileModel>,
    /// The cross-file index of `files`, built on first use.
    index: std::sync::OnceLock<FactIndex>,
    /// `files` by path, built on first use by [`Project::source`].
    by_path: std::sync::OnceLock<std::collections::HashMap<PathBuf, usize>>,
    /// Dockerfiles outside `files`, consulted after them.
    shared_dockerfiles: Option<std::sync::Arc<SharedDockerfiles>>,
    /// The cross-file queries asked, when recording.
    queries: Option<std::sync::Mutex<Vec<Query>>>,
    /// The run's catalog of stateful images and sensitive host paths, when a configuration
    /// extends the built-in one. Catalog data are facts about images and hosts the whole run
    /// shares (cross-file rules read them too), so they live with the project.
    catalog: Option<std::sync::Arc<catalog::Catalog>>,
}

/// One input file and what it declares.
#[derive(Debug)]
pub struct FileModel {
    pub source: SourceFile,
    /// `None` when the file could not be read or classified well enough to parse.
    pub format: Option<Format>,
    pub errors: Vec<ParseError>,
    /// Problems the file's own tool reads past: a key written twice in a Kubernetes manifest
    /// (`kubectl apply` keeps the last value, kustomize refuses the file) or a dev container
    /// configuration. The model holds the last value; SL001 reports them as info.
    pub read_past: Vec<ParseError>,
    pub workloads: Vec<Workload>,
    /// Compose top-level `volumes:`.
    pub volumes: Vec<VolumeDecl>,
    /// Compose top-level `include:` (its key): other files merged into this project, which may
    /// declare volumes this file mounts.
    pub include: Option<Span>,
    /// The entries of `include:`, in file order.
    pub includes: Vec<Include>,
    pub claims: Vec<Claim>,
    pub persistent_volumes: Vec<PersistentVolume>,
    pub storage_classes: Vec<StorageClass>,
    pub autoscalers: Vec<Autoscaler>,
    /// Operators' custom resources whose data does not survive their pods.
    pub operator_stores: Vec<operators::OperatorStore>,
    pub dockerfile: Option<Dockerfile>,
    /// Kubernetes objects annotated `stowlint.io/ignore`.
    pub object_suppressions: Vec<ObjectSuppression>,
    /// Read only so that cross-file facts resolve (a Dockerfile a compose `build:` names that
    /// the run was not given): its own findings are not reported.
    pub context: bool,
    /// What the kustomization beside the file says of it, when one lists it (read from disk
    /// by the walk, never by parsers).
    pub kustomize: Option<KustomizeFacts>,
}

/// What a kustomization (in a file's folder or the one above) says of a file it lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KustomizeFacts {
    /// The kustomization file, as reports show paths.
    pub kustomization: PathBuf,
    /// Patches it applies to the file's objects that are not there (generated and not
    /// committed, or ignored by git): what kustomize renders from the file is unknown.
    pub missing_patches: Vec<MissingPatch>,
    /// The file is the input of a `configMapGenerator` or `secretGenerator` (`files:`): data
    /// a program reads (a pod template a provisioner fills in), not objects kustomize applies.
    pub generator_input: bool,
}

/// A patch a kustomization lists that is not there.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MissingPatch {
    /// As the kustomization writes it.
    pub path: String,
    /// `target.kind` and `target.name` when written (kustomize reads them as regular
    /// expressions; its other selectors only narrow the target further); without a target
    /// the patch names its object itself, which is unknown.
    pub kind: Option<String>,
    pub name: Option<String>,
}

impl MissingPatch {
    /// Whether the patch may change the object `kind`/`name`.
    #[must_use]
    pub fn may_patch(&self, kind: &str, name: &str) -> bool {
        let matches = |pattern: &Option<String>, value: &str| match pattern {
            None => true,
            Some(p) if p.contains(|c: char| "^$.*+?()[]{}|\\".contains(c)) => true,
            Some(p) => p == value,
        };
        matches(&self.kind, kind) && matches(&self.name, name)
    }
}

impl FileModel {
    /// The first patch the file's kustomization lists but that is not there which may change
    /// the object `kind`/`name`: findings that something is missing from it (a volume, a
    /// storage spec, a mount, a strategy) then depend on what kustomize renders.
    #[must_use]
    pub fn missing_patch_for(&self, kind: &str, name: &str) -> Option<&MissingPatch> {
        // A patch that targets the object says more than one that may patch anything.
        let patches = &self.kustomize.as_ref()?.missing_patches;
        patches
            .iter()
            .filter(|p| p.kind.is_some() || p.name.is_some())
            .chain(
                patches
                    .iter()
                    .filter(|p| p.kind.is_none() && p.name.is_none()),
            )
            .find(|p| p.may_patch(kind, name))
    }
}

impl FileModel {
    /// The top-level declaration a mount's `volume` names. Compose mounts carry the
    /// declaration's key span, and declarations are in file order: a binary search finds it,
    /// so rules asking once per mount stay linear in the file's size. Else the first
    /// declaration of the name.
    #[must_use]
    pub fn volume_decl(&self, volume: &Spanned<String>) -> Option<&VolumeDecl> {
        let at = volume.span.start();
        let i = self.volumes.partition_point(|d| d.key.span.start() < at);
        match self.volumes.get(i) {
            Some(d) if d.key.span == volume.span && d.key.value == volume.value => Some(d),
            _ => self.volumes.iter().find(|d| d.key.value == volume.value),
        }
    }

    /// Give back the spare capacity parsers' vectors grew into: a run keeps every file's model
    /// until it ends, and the slack of growing vectors is a third of it.
    pub fn shrink(&mut self) {
        self.errors.shrink_to_fit();
        self.volumes.shrink_to_fit();
        self.claims.shrink_to_fit();
        self.persistent_volumes.shrink_to_fit();
        self.storage_classes.shrink_to_fit();
        self.autoscalers.shrink_to_fit();
        self.workloads.shrink_to_fit();
        for w in &mut self.workloads {
            w.containers.shrink_to_fit();
            w.pod_volumes.shrink_to_fit();
            w.volumes_from.shrink_to_fit();
            w.claim_templates.shrink_to_fit();
            for c in &mut w.containers {
                c.mounts.shrink_to_fit();
                c.env.shrink_to_fit();
                for m in &mut c.mounts {
                    m.options.shrink_to_fit();
                }
            }
        }
        self.source.index.shrink();
    }

    #[must_use]
    pub fn new(source: SourceFile, format: Option<Format>) -> Self {
        Self {
            source,
            format,
            errors: Vec::new(),
            read_past: Vec::new(),
            workloads: Vec::new(),
            volumes: Vec::new(),
            include: None,
            includes: Vec::new(),
            claims: Vec::new(),
            persistent_volumes: Vec::new(),
            storage_classes: Vec::new(),
            autoscalers: Vec::new(),
            operator_stores: Vec::new(),
            dockerfile: None,
            object_suppressions: Vec::new(),
            context: false,
            kustomize: None,
        }
    }
}

/// A Kubernetes object's `stowlint.io/ignore: "SL401,SL403"` annotation: findings inside the
/// object for those rules are suppressed.
#[derive(Clone, Debug)]
pub struct ObjectSuppression {
    /// The annotation's value as written.
    pub codes: Spanned<String>,
    /// The whole object.
    pub scope: Span,
}

/// Where a workload runs, which decides whether host-local storage follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// A Dockerfile: an image, not yet a running workload.
    Image,
    /// Docker Compose on one host.
    Compose,
    /// A compose service deployed to Docker Swarm.
    Swarm,
    Kubernetes,
    /// A Podman Quadlet unit: one host, run by systemd with `podman run --rm`.
    Quadlet,
    /// A dev container on a developer's machine.
    DevContainer,
    /// A CI job's container or service container: thrown away with the job.
    CiJob,
}

impl Platform {
    /// Whether the scheduler may move the workload to another node.
    #[must_use]
    pub fn is_orchestrated(self) -> bool {
        matches!(self, Platform::Swarm | Platform::Kubernetes)
    }

    /// A long-running service on one host, whose data is meant to last: plain compose and
    /// Quadlet (not a Dockerfile, a dev container or a CI job).
    #[must_use]
    pub fn is_single_host_service(self) -> bool {
        matches!(self, Platform::Compose | Platform::Quadlet)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkloadKind {
    ComposeService,
    /// The Kubernetes kind that owns the pod template (`Deployment`, `Pod`, `Rollout`, ...).
    Kubernetes(KubeKind),
    DockerfileStage,
    /// A Quadlet `.container` or `.pod` unit.
    QuadletUnit(QuadletUnit),
    /// A `devcontainer.json`.
    DevContainer,
    /// A GitHub Actions job container or service container.
    CiJob,
}

/// A Kubernetes kind that owns a pod template: the built-in workload kinds by name; any other
/// (an Argo `Rollout`, an OpenShift `DeploymentConfig`, a Knative `Service`) as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KubeKind {
    Pod,
    PodTemplate,
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    ReplicationController,
    Job,
    CronJob,
    Other(String),
}

impl KubeKind {
    const BUILT_IN: [(&'static str, KubeKind); 9] = [
        ("Pod", KubeKind::Pod),
        ("PodTemplate", KubeKind::PodTemplate),
        ("Deployment", KubeKind::Deployment),
        ("StatefulSet", KubeKind::StatefulSet),
        ("DaemonSet", KubeKind::DaemonSet),
        ("ReplicaSet", KubeKind::ReplicaSet),
        ("ReplicationController", KubeKind::ReplicationController),
        ("Job", KubeKind::Job),
        ("CronJob", KubeKind::CronJob),
    ];

    /// The kind named `name` (as `kind:` writes it).
    #[must_use]
    pub fn from_name(name: &str) -> Self {
        Self::BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .map_or_else(|| KubeKind::Other(name.to_string()), |(_, k)| k.clone())
    }

    /// The kind's name, as `kind:` writes it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            KubeKind::Other(name) => name,
            built_in => Self::BUILT_IN
                .iter()
                .find(|(_, k)| k == built_in)
                .map_or("", |(n, _)| n),
        }
    }
}

/// The kind of a Podman Quadlet unit that runs containers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuadletUnit {
    /// A `.container` unit.
    Container,
    /// A `.pod` unit (its `Volume=`s join every container of the pod).
    Pod,
}

/// A compose service, a Kubernetes pod template owner, or a Dockerfile stage.
#[derive(Clone, Debug)]
pub struct Workload {
    pub kind: WorkloadKind,
    pub platform: Platform,
    pub name: String,
    /// Kubernetes namespace when written.
    pub namespace: Option<String>,
    /// How messages name it: `service db`, `Deployment/api`, `stage builder`.
    pub owner: String,
    /// The name as written (service key, `metadata.name` value, `FROM` instruction).
    pub span: Span,
    pub containers: Vec<Container>,
    /// Kubernetes pod `volumes:`.
    pub pod_volumes: Vec<PodVolume>,
    /// `replicas` (Kubernetes `spec.replicas`, compose `deploy.replicas`).
    pub replicas: Option<Spanned<u64>>,
    /// Compose `deploy.mode: global`.
    pub global: Option<Span>,
    /// Node pinning: `nodeName`, a required `kubernetes.io/hostname` selector or affinity,
    /// swarm `node.hostname ==` / `node.id ==` constraints.
    pub pinned: Option<Span>,
    /// A swarm `node.labels.<label> == <value>` constraint: pinned to the labelled nodes,
    /// maybe one.
    pub pinned_by_label: Option<Span>,
    /// A compose service whose placement a merge of an anchor the file does not define may set
    /// (`deploy: {<<: *place}` in a fragment joined to the file defining it): maybe pinned.
    pub placement_unknown: Option<Span>,
    /// A bare Kubernetes Pod with `restartPolicy: Never` or `OnFailure`, or a compose service
    /// another one waits for with `condition: service_completed_successfully`: it runs a task
    /// to completion, as a Job does, and is never restarted as a server is.
    pub runs_to_completion: bool,
    /// A bare Pod in `kube-system` on the host network (its `hostNetwork: true`): the shape
    /// of a static pod manifest, run by the kubelet of the node that holds it, never moved.
    pub static_pod: Option<Span>,
    /// Kubernetes `spec.strategy.type` (Deployment) or `updateStrategy.type`.
    pub strategy: Option<Spanned<String>>,
    /// Deployment `strategy.rollingUpdate.maxSurge: 0` (or `0%`): the rollout stops an old pod
    /// before it starts a replacement, so a volume the old pod holds is free again.
    pub no_surge: Option<Span>,
    /// Compose `volumes_from`; Quadlet `Pod=` (the pod's `Volume=`s join the container):
    /// mounts that come from elsewhere, so what covers a data path is not known here.
    pub volumes_from: Vec<Spanned<String>>,
    /// Compose `build`.
    pub build: Option<Build>,
    /// StatefulSet `volumeClaimTemplates`.
    pub claim_templates: Vec<Claim>,
    /// StatefulSet `persistentVolumeClaimRetentionPolicy`: what happens to the claims of its
    /// `volumeClaimTemplates` when it is deleted or scaled down.
    pub claim_retention: ClaimRetention,
    /// Why the compose service counts as swarm (the swarm-only key), when it does.
    pub swarm_reason: Option<Spanned<String>>,
    /// Compose `extends`: the service this one is built on.
    pub extends: Option<Extends>,
}

/// Compose `extends: svc`, `extends: {service: svc}` or `extends: {file: base.yml, service:
/// svc}`: the service starts from `svc`'s configuration and overrides it.
#[derive(Clone, Debug)]
pub struct Extends {
    /// The `extends` key.
    pub key: Span,
    /// The base service's name (after interpolation), and where it is written.
    pub service: Spanned<String>,
    /// The base file, resolved against the extending file's folder and lexically normalized;
    /// `None` for a service of the same file.
    pub file: Option<PathBuf>,
}

/// One entry of a compose file's top-level `include:`: other compose files loaded as projects
/// of their own and merged into this one.
#[derive(Clone, Debug)]
pub struct Include {
    /// The entry as written (a path, or the long form's mapping).
    pub span: Span,
    /// The files (`path:` may list several), resolved against the including file's folder and
    /// lexically normalized.
    pub paths: Vec<PathBuf>,
    /// A path that is not known (an unresolved `${VAR}`) or not a local file (`oci://`,
    /// `git@...`, `https://...`): what the entry brings cannot be known.
    pub unknown: bool,
}

impl Workload {
    #[must_use]
    pub fn kube_kind(&self) -> Option<&KubeKind> {
        match &self.kind {
            WorkloadKind::Kubernetes(k) => Some(k),
            _ => None,
        }
    }

    #[must_use]
    pub fn is_daemonset(&self) -> bool {
        self.kube_kind() == Some(&KubeKind::DaemonSet)
    }

    /// A node agent: a DaemonSet, or a swarm service with `deploy.mode: global` (swarm's
    /// DaemonSet), which reads its node's files on purpose.
    #[must_use]
    pub fn is_node_agent(&self) -> bool {
        self.is_daemonset() || (self.platform == Platform::Swarm && self.global.is_some())
    }

    /// All mounts of all containers, with their container.
    pub fn mounts(&self) -> impl Iterator<Item = (&Container, &Mount)> {
        self.containers
            .iter()
            .flat_map(|c| c.mounts.iter().map(move |m| (c, m)))
    }
}

/// Compose `build:`.
#[derive(Debug, Clone)]
pub struct Build {
    pub context: Spanned<String>,
    pub dockerfile: Option<Spanned<String>>,
    /// The Dockerfile's path, resolved against the compose file's folder.
    pub dockerfile_path: PathBuf,
    /// `build.target`: the stage to build (the last one when absent).
    pub target: Option<Spanned<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerRole {
    Main,
    Init,
    Ephemeral,
}

#[derive(Clone, Debug)]
pub struct Container {
    pub name: String,
    pub role: ContainerRole,
    /// How messages name it: `service db`, `Deployment/api container app`.
    pub owner: String,
    /// The image reference after interpolation; the span of the `image:` value.
    pub image: Option<Spanned<String>>,
    pub env: Vec<EnvVar>,
    pub mounts: Vec<Mount>,
    /// Kubernetes `volumeDevices` names: pod volumes used as raw block devices, not mounted.
    pub volume_devices: Vec<Spanned<String>>,
    /// What the container runs when its file says so (compose `entrypoint`/`command`,
    /// Kubernetes `command`/`args`); the image's own when empty.
    pub command: Command,
    /// Compose `read_only: true`, Kubernetes `securityContext.readOnlyRootFilesystem: true`:
    /// nothing can be written to the container's layer.
    pub read_only_root: bool,
    /// Compose `privileged: true`, Kubernetes `securityContext.privileged: true`: every device
    /// of the host, and its kernel interfaces writable.
    pub privileged: bool,
    /// Capabilities added to the container's (Kubernetes `securityContext.capabilities.add`,
    /// compose `cap_add`), upper case without the `CAP_` prefix.
    pub capabilities: Vec<String>,
    /// Host devices passed to the container (compose `devices:`), as their host paths
    /// (`/dev/fuse`).
    pub devices: Vec<String>,
    /// The container's memory limit, where written (Kubernetes `resources.limits.memory`,
    /// compose `mem_limit` or `deploy.resources.limits.memory`): it bounds its tmpfs too.
    pub memory_limit: Option<Span>,
    /// The folder its process starts in when its file sets one (compose `working_dir`,
    /// Kubernetes `workingDir`), normalized; `None` when unset or unknown.
    pub working_dir: Option<Spanned<String>>,
    /// Variables come from elsewhere too, with values the file does not hold (Kubernetes
    /// `envFrom`, compose `env_file`): a variable not in [`Container::env`] may still be set.
    pub env_from: bool,
    pub span: Span,
}

/// A container's command line as its file overrides it, in words (a compose string split as
/// a shell does). `None` leaves the image's own.
#[derive(Clone, Debug, Default)]
pub struct Command {
    /// Compose `entrypoint`, Kubernetes `command`: replaces the image's `ENTRYPOINT` (and its
    /// `CMD`).
    pub entrypoint: Option<Vec<String>>,
    /// Compose `command`, Kubernetes `args`: replaces the image's `CMD`.
    pub args: Option<Vec<String>>,
}

impl Container {
    /// Whether it was granted the capability `name` (`SYS_ADMIN`), or every one (`ALL`).
    #[must_use]
    pub fn has_capability(&self, name: &str) -> bool {
        self.capabilities.iter().any(|c| c == name || c == "ALL")
    }
}

/// A capability as written (`cap_sys_admin`, `CAP_SYS_ADMIN`, `SYS_ADMIN`), upper case without
/// the `CAP_` prefix.
#[must_use]
pub fn capability_name(written: &str) -> String {
    let upper = written.trim().to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map_or(upper.clone(), str::to_string)
}

impl Command {
    /// Whether the file overrides anything.
    #[must_use]
    pub fn is_set(&self) -> bool {
        self.entrypoint.is_some() || self.args.is_some()
    }
}

#[derive(Debug, Clone)]
pub struct EnvVar {
    pub name: String,
    /// `None` when the value comes from elsewhere (`valueFrom`, no value in compose).
    pub value: Option<String>,
    pub span: Span,
}

/// What backs a mount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MountKind {
    /// A host folder or file (compose bind, or a local-driver volume with `o: bind`).
    Bind,
    /// Kubernetes `hostPath`.
    HostPath,
    /// A named volume (compose).
    Volume,
    /// A volume with no name: compose `- /data`, Dockerfile `VOLUME`.
    Anonymous,
    /// Memory: compose `tmpfs`.
    Tmpfs,
    /// Kubernetes `emptyDir`; `memory` for `medium: Memory`.
    EmptyDir {
        memory: bool,
    },
    /// Kubernetes generic `ephemeral` volume.
    Ephemeral,
    /// Kubernetes `persistentVolumeClaim`.
    Claim,
    ConfigMap,
    Secret,
    Projected,
    DownwardApi,
    Nfs,
    Csi,
    /// Compose `type: image` or Kubernetes `image` volume.
    Image,
    /// Compose `type: npipe`.
    Npipe,
    /// Compose `type: cluster`, or any other Kubernetes volume source (named here).
    Other(String),
    /// A Kubernetes `volumeMount` whose `name` matches no pod volume; the source is
    /// `MountSource::Volume(name)`.
    Undefined,
    /// A source that stays unknown (`${VAR}` with no value): it could be a host path or a
    /// named volume, so neither is assumed.
    Unresolved,
}

/// Whether a value, as the parsers leave it, is unknown. Interpolation (compose `${VAR}`,
/// `.env`, Dockerfile `ARG`/`ENV`) replaces what it can resolve and keeps a reference it
/// cannot as written, so a `$` left in a value (`${VAR}`, `$VAR`, Kubernetes `$(VAR)`) marks it
/// unknown. So does a template's placeholder that YAML happens to read (`{{ appdata_path }}`
/// in a compose file an Ansible or Go template renders): the value is what the template puts
/// there. This is the one test for it: an unknown value never produces a finding.
#[must_use]
pub fn is_unknown(value: &str) -> bool {
    value.contains('$') || has_template_placeholder(value)
}

/// Whether a value holds a template's placeholder (`{{ appdata_path }}`), which the template
/// replaces when it renders the file.
#[must_use]
pub fn has_template_placeholder(value: &str) -> bool {
    value
        .find("{{")
        .is_some_and(|i| value[i + 2..].contains("}}"))
}

/// A host path as written (after interpolation), and resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPath {
    /// Interpolated and lexically normalized (`//`, `/./`, `..` and trailing `/` folded), but
    /// with `~` and relative paths kept as written so findings never depend on where the
    /// repository is checked out.
    pub path: String,
    /// Relative paths joined to the compose file's folder, `~` expanded with `$HOME`.
    pub resolved: PathBuf,
}

impl HostPath {
    /// Absolute (`/x`, `C:\x`, `\\.\pipe\x`) or home-relative (`~`, `~/x`).
    #[must_use]
    pub fn is_rooted(&self) -> bool {
        let p = self.path.as_str();
        p.starts_with('/')
            || p.starts_with('\\')
            || p == "~"
            || p.starts_with("~/")
            || p.as_bytes().get(1) == Some(&b':')
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MountSource {
    None,
    Host(HostPath),
    /// A named volume (compose) or the name behind a Kubernetes volume (configMap name, ...).
    Volume(String),
    /// A PersistentVolumeClaim name.
    Claim(String),
}

/// How the mount is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MountSyntax {
    /// Compose `- src:dst:opts`.
    ComposeShort,
    /// Compose `- type: ...` mapping.
    ComposeLong,
    /// Compose service `tmpfs:` key.
    ComposeTmpfs,
    /// Kubernetes `volumeMounts` entry.
    VolumeMount,
    /// Dockerfile `VOLUME`.
    DockerfileVolume,
    /// The `-v` syntax `SRC:DST[:OPTS]` of `docker run` and `podman run`: Quadlet `Volume=`,
    /// `-v` in a dev container's `runArgs` or a CI job's `options`, a CI job's `volumes:`.
    VolumeFlag,
    /// The `--mount type=...,source=...,target=...` syntax: Quadlet `Mount=`, a dev
    /// container's `mounts` and `workspaceMount`, `--mount` in `runArgs` or `options`.
    MountFlag,
    /// `--tmpfs PATH[:OPTS]`: Quadlet `Tmpfs=`, `--tmpfs` in `runArgs` or `options`.
    TmpfsFlag,
    /// A compose service's `configs:` or `secrets:` entry: a read-only file of the project's.
    ComposeFile,
}

/// One mount in one container.
#[derive(Clone, Debug)]
pub struct Mount {
    pub kind: MountKind,
    pub syntax: MountSyntax,
    pub source: MountSource,
    /// The path inside the container (normalized: no trailing `/`).
    pub target: String,
    pub read_only: bool,
    /// tmpfs `size`, emptyDir `sizeLimit`.
    pub size: Option<Spanned<String>>,
    /// Short-syntax options and other flags as written (`z`, `cached`, `nocopy`, ...).
    pub options: Vec<String>,
    /// Short-syntax options Docker does not know (`roz`), which it ignores: also in `options`.
    pub unknown_options: Vec<Spanned<String>>,
    /// `bind.propagation` or `mountPropagation`.
    pub propagation: Option<Spanned<String>>,
    /// The bind creates a missing host folder; the span shows what decides it
    /// (`hostPath.type`, `create_host_path`, or the short-syntax source).
    pub creates_host_path: Option<Span>,
    /// Kubernetes `hostPath.type`.
    pub host_path_type: Option<Spanned<String>>,
    pub sub_path: Option<String>,
    /// The volume the mount goes through: a compose named volume or a Kubernetes pod volume;
    /// the span is where that volume is declared.
    pub volume: Option<Spanned<String>>,
    /// A compose named volume with `driver_opts` `o: bind`: the span of its `device`.
    pub disguised_bind: Option<Span>,
    /// Owner of the container: `service db`, `Deployment/api container app`.
    pub owner: String,
    /// The source as written (host path, volume name, claim name); `None` when there is none.
    pub source_span: Option<Span>,
    pub target_span: Span,
    /// The whole entry.
    pub span: Span,
    /// Inherited through compose `extends` from the base service (an effective view's mount):
    /// rules consider it, but its own findings are reported where it is written.
    pub inherited: bool,
}

impl Mount {
    /// A mount with only what every syntax knows: kind, target and owner. The target is
    /// normalized (no trailing `/`); the entry span starts as the target's. Parsers fill in
    /// the rest.
    #[must_use]
    pub fn new(
        kind: MountKind,
        syntax: MountSyntax,
        target: &str,
        target_span: Span,
        owner: impl Into<String>,
    ) -> Self {
        Mount {
            kind,
            syntax,
            source: MountSource::None,
            target: crate::paths::normalize(target),
            read_only: false,
            size: None,
            options: Vec::new(),
            unknown_options: Vec::new(),
            propagation: None,
            creates_host_path: None,
            host_path_type: None,
            sub_path: None,
            volume: None,
            disguised_bind: None,
            owner: owner.into(),
            source_span: None,
            target_span,
            span: target_span,
            inherited: false,
        }
    }

    #[must_use]
    pub fn host_path(&self) -> Option<&HostPath> {
        match &self.source {
            MountSource::Host(h) => Some(h),
            _ => None,
        }
    }

    /// A bind mount or `hostPath`: the host's filesystem, seen from the container.
    #[must_use]
    pub fn is_host_bind(&self) -> bool {
        matches!(self.kind, MountKind::Bind | MountKind::HostPath)
    }

    /// The narrowest span that shows where the data comes from.
    #[must_use]
    pub fn source_or_entry_span(&self) -> Span {
        self.source_span.unwrap_or(self.span)
    }
}

/// A Kubernetes pod volume.
#[derive(Clone, Debug)]
pub struct PodVolume {
    pub name: Spanned<String>,
    /// The volume source key (`hostPath`, `emptyDir`, `persistentVolumeClaim`, ...).
    pub source_type: Spanned<String>,
    pub span: Span,
}

/// Compose top-level volume.
#[derive(Clone, Debug)]
pub struct VolumeDecl {
    /// The key under `volumes:`.
    pub key: Spanned<String>,
    /// `name:` (the real volume name).
    pub name: Option<Spanned<String>>,
    pub driver: Option<Spanned<String>>,
    pub driver_opts: Vec<(String, Spanned<String>)>,
    pub external: bool,
    pub span: Span,
}

impl VolumeDecl {
    #[must_use]
    pub fn driver_opt(&self, key: &str) -> Option<&Spanned<String>> {
        self.driver_opts
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// `driver: local` (or none) with `type: tmpfs`: memory in disguise. The span is the
    /// `type` value.
    #[must_use]
    pub fn tmpfs_type(&self) -> Option<&Spanned<String>> {
        let local = self.driver.as_ref().is_none_or(|d| d.value == "local");
        self.driver_opt("type")
            .filter(|t| local && t.value == "tmpfs")
    }

    /// The `size=` of a tmpfs volume's `o` options, with the span of `o`.
    #[must_use]
    pub fn tmpfs_size(&self) -> Option<Spanned<String>> {
        let o = self.driver_opt("o")?;
        o.value
            .split(',')
            .find_map(|p| p.trim().strip_prefix("size="))
            .map(|size| Spanned::new(size.to_string(), o.span))
    }

    /// `driver: local` (or none) with `o: bind` and a `device`: a bind mount in disguise.
    #[must_use]
    pub fn bind_device(&self) -> Option<&Spanned<String>> {
        let local = self.driver.as_ref().is_none_or(|d| d.value == "local");
        let bind = self.driver_opt("o").is_some_and(|o| {
            o.value
                .split(',')
                .any(|p| p.trim() == "bind" || p.trim() == "rbind")
        });
        if local && bind {
            self.driver_opt("device")
        } else {
            None
        }
    }
}

/// A StatefulSet's `persistentVolumeClaimRetentionPolicy` as written; absent fields are the
/// API server's default, `Retain`.
#[derive(Clone, Debug, Default)]
pub struct ClaimRetention {
    /// `whenDeleted`: the claims when the StatefulSet is deleted.
    pub when_deleted: Option<Spanned<String>>,
    /// `whenScaled`: the claims of the replicas a scale-down removes.
    pub when_scaled: Option<Spanned<String>>,
}

/// A PersistentVolumeClaim, or a StatefulSet `volumeClaimTemplates` entry.
#[derive(Clone, Debug)]
pub struct Claim {
    pub name: Spanned<String>,
    pub namespace: Option<String>,
    pub access_modes: Vec<Spanned<String>>,
    /// The `accessModes` value as a whole.
    pub access_modes_span: Option<Span>,
    /// `spec.storageClassName`, else the older `volume.beta.kubernetes.io/storage-class`
    /// annotation. Empty when written empty (`""`): no class, so no default class either
    /// (the claim binds a volume created by hand).
    pub storage_class: Option<Spanned<String>>,
    /// `spec.volumeName`: the PersistentVolume the claim binds, named in advance.
    pub volume_name: Option<Spanned<String>>,
    /// `spec.selector`: the labels of the PersistentVolumes the claim may bind. A claim with a
    /// selector is never provisioned dynamically: it binds a volume made beforehand.
    pub selector: Option<LabelSelector>,
    pub span: Span,
}

/// A label selector (`matchLabels` and `matchExpressions`), as a claim's `spec.selector`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub match_labels: Vec<(String, String)>,
    pub match_expressions: Vec<LabelExpression>,
}

/// One `matchExpressions` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelExpression {
    pub key: String,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist` (anything else matches nothing known).
    pub operator: String,
    pub values: Vec<String>,
}

impl LabelSelector {
    /// Whether an object with `labels` is selected; `None` when an operator is unknown.
    #[must_use]
    pub fn matches(&self, labels: &[(String, String)]) -> Option<bool> {
        let value = |key: &str| labels.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        let mut all = self.match_labels.iter().all(|(k, v)| value(k) == Some(v));
        for e in &self.match_expressions {
            let found = value(&e.key);
            all &= match e.operator.as_str() {
                "In" => found.is_some_and(|v| e.values.contains(v)),
                "NotIn" => found.is_none_or(|v| !e.values.contains(v)),
                "Exists" => found.is_some(),
                "DoesNotExist" => found.is_none(),
                _ => return None,
            };
        }
        Some(all)
    }
}

#[derive(Clone, Debug)]
pub struct PersistentVolume {
    pub name: Spanned<String>,
    /// The volume source key (`local`, `hostPath`, `nfs`, `csi`, ...).
    pub source_type: Option<Spanned<String>>,
    /// `local.path` or `hostPath.path`.
    pub path: Option<Spanned<String>>,
    pub node_affinity: Option<Span>,
    pub access_modes: Vec<Spanned<String>>,
    pub storage_class: Option<Spanned<String>>,
    /// `spec.persistentVolumeReclaimPolicy` as written (`Retain` for a volume created by hand
    /// when absent).
    pub reclaim_policy: Option<Spanned<String>>,
    /// `spec.claimRef`: the claim the volume is reserved for.
    pub claim_ref: Option<ClaimRef>,
    /// `metadata.labels`, which claims' selectors match.
    pub labels: Vec<(String, String)>,
    pub span: Span,
}

/// A PersistentVolume's `claimRef`.
#[derive(Clone, Debug)]
pub struct ClaimRef {
    pub name: Spanned<String>,
    pub namespace: Option<String>,
}

#[derive(Clone, Debug)]
pub struct StorageClass {
    pub name: Spanned<String>,
    pub provisioner: Option<Spanned<String>>,
    /// `reclaimPolicy` as written (`Delete` when absent).
    pub reclaim_policy: Option<Spanned<String>>,
    /// The `storageclass.kubernetes.io/is-default-class: "true"` annotation's value (or the
    /// beta annotation's): the class of claims that name none.
    pub default: Option<Span>,
    pub span: Span,
}

/// What scales a workload beyond its `replicas`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoscalerKind {
    HorizontalPodAutoscaler,
    /// A KEDA `ScaledObject` (it drives an HPA of its own).
    ScaledObject,
    /// Knative's autoscaler, bounded by the revision's `max-scale` annotation.
    Knative,
}

/// An autoscaler of a workload: a HorizontalPodAutoscaler, a KEDA ScaledObject, or Knative's
/// own (then `name` and the target are the Knative object itself).
#[derive(Clone, Debug)]
pub struct Autoscaler {
    pub kind: AutoscalerKind,
    pub name: Spanned<String>,
    pub namespace: Option<String>,
    /// `scaleTargetRef.kind` and `.name`.
    pub target_kind: Option<String>,
    pub target_name: Option<Spanned<String>>,
    /// The most pods it may run; the span shows where that is decided.
    pub max_replicas: Option<Spanned<u64>>,
    /// `max_replicas` is the kind's default, not written (KEDA's 100).
    pub default_max: bool,
    pub span: Span,
}

impl Autoscaler {
    /// How messages name it: `HPA web`, `ScaledObject web`, `Knative's autoscaler`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self.kind {
            AutoscalerKind::HorizontalPodAutoscaler => format!("HPA {}", self.name.value),
            AutoscalerKind::ScaledObject => format!("ScaledObject {}", self.name.value),
            AutoscalerKind::Knative => "Knative's autoscaler".to_string(),
        }
    }
}

/// What a Dockerfile says, stage by stage.
#[derive(Debug, Default)]
pub struct Dockerfile {
    /// `# syntax=` directive.
    pub syntax: Option<Spanned<String>>,
    /// `# escape=` directive.
    pub escape: Option<Spanned<char>>,
    /// `ARG`s before the first `FROM`, with defaults.
    pub global_args: Vec<(String, Option<Spanned<String>>)>,
    pub stages: Vec<Stage>,
    /// A `docker buildx bake` file (`docker-bake.hcl`, `docker-bake.json`) in the
    /// Dockerfile's folder or one above it: the project builds its images with buildx, i.e.
    /// with BuildKit. Told by the side files, never read from disk by the parser.
    pub bake_file: Option<std::path::PathBuf>,
}

#[derive(Debug)]
pub struct Stage {
    pub index: usize,
    /// `AS name`.
    pub name: Option<Spanned<String>>,
    /// The base image after `ARG` substitution; the span of the image argument.
    pub base: Spanned<String>,
    /// The stage this one builds on (`FROM builder`).
    pub base_stage: Option<usize>,
    /// The whole `FROM` instruction.
    pub from_span: Span,
    pub instructions: Vec<Instruction>,
    pub volumes: Vec<VolumeInstruction>,
    /// `ENV` values known at the end of the stage (inherited from the base stage).
    pub env: Vec<(String, Spanned<String>)>,
}

/// One Dockerfile instruction.
#[derive(Debug)]
pub struct Instruction {
    /// Upper case: `RUN`, `COPY`, ...
    pub keyword: String,
    pub span: Span,
    /// Flags such as `--mount=type=cache,target=/x`.
    pub flags: Vec<Flag>,
    /// The arguments as written (after the flags), continuations included.
    pub args: Spanned<String>,
    /// `RUN`: the command the shell runs: shell form with line continuations and their comment
    /// lines removed, exec form joined with spaces (not substituted: no shell runs it), heredoc
    /// bodies appended; known `ARG`/`ENV` values substituted outside single quotes. The text
    /// as written is in `args`.
    pub command: Option<String>,
    pub heredocs: Vec<Spanned<String>>,
    /// The working directory in effect for this instruction (after its own `WORKDIR`), after
    /// substitution, relative `WORKDIR`s joined; `None` while it is the base image's (unknown).
    pub workdir: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
    pub span: Span,
}

/// A `VOLUME` instruction.
#[derive(Debug)]
pub struct VolumeInstruction {
    pub span: Span,
    /// The arguments as written.
    pub raw: Spanned<String>,
    /// Written as a JSON array.
    pub json: bool,
    /// Looks like an array (`[...]`) but is not valid JSON: Docker reads it as plain words.
    pub malformed: bool,
    /// The paths, after substitution.
    pub paths: Vec<Spanned<String>>,
}

/// Kubernetes namespaces match when equal; an object without one is applied to whatever
/// namespace the user targets, so it matches any.
#[must_use]
pub fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// Cross-file lookups: every file of a run is one project.
impl Project {
    #[must_use]
    pub fn new(files: Vec<FileModel>) -> Self {
        Self {
            files,
            ..Self::default()
        }
    }

    /// Use `catalog` (the built-in one extended by a configuration) for this run.
    #[must_use]
    pub fn with_catalog(mut self, catalog: std::sync::Arc<catalog::Catalog>) -> Self {
        self.catalog = Some(catalog);
        self
    }

    /// Answer Dockerfile lookups the project's own files do not answer from `dockerfiles`.
    #[must_use]
    pub fn with_shared_dockerfiles(
        mut self,
        dockerfiles: std::sync::Arc<SharedDockerfiles>,
    ) -> Self {
        self.shared_dockerfiles = Some(dockerfiles);
        self
    }

    /// Record every cross-file query from now on (see [`Project::take_queries`]).
    #[must_use]
    pub fn recording(mut self) -> Self {
        self.queries = Some(std::sync::Mutex::new(Vec::new()));
        self
    }

    /// The queries recorded so far, each once, in the order first asked.
    pub fn take_queries(&self) -> Vec<Query> {
        let Some(queries) = &self.queries else {
            return Vec::new();
        };
        let mut queries = std::mem::take(
            &mut *queries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        let mut seen = std::collections::HashSet::new();
        queries.retain(|q| seen.insert(q.clone()));
        queries
    }

    fn record(&self, query: impl FnOnce() -> Query) {
        if let Some(queries) = &self.queries {
            queries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(query());
        }
    }

    /// The run's catalog: the built-in one unless a configuration extends it.
    #[must_use]
    pub fn catalog(&self) -> &catalog::Catalog {
        match &self.catalog {
            Some(catalog) => catalog,
            None => catalog::Catalog::get(),
        }
    }

    /// The cross-file index of the project's own files.
    #[must_use]
    pub fn index(&self) -> &FactIndex {
        self.index
            .get_or_init(|| FactIndex::new(self.files.iter().map(FileFacts::of).collect()))
    }

    /// What this project answers to `query`: the same answer its lookups give.
    #[must_use]
    pub fn answer(&self, query: &Query) -> Answer {
        match query {
            Query::Dockerfile(path) => self
                .dockerfile_file(path)
                .map(|f| (f.source.path.clone(), 0))
                .into_iter()
                .collect(),
            _ => self.index().answer(query),
        }
    }

    /// The compose files of the run in `dir` (a compose file's folder).
    pub fn compose_files_in(&self, dir: &std::path::Path) -> impl Iterator<Item = &FileModel> {
        self.record(|| Query::ComposeDir(dir.to_path_buf()));
        self.index().compose_in(dir).iter().map(|&i| &self.files[i])
    }

    /// The PersistentVolumeClaim `name` in `namespace`, seen by a workload of the file `from`
    /// (see [`FactIndex::claim`]: an exact namespace match anywhere, else a claim near it).
    #[must_use]
    pub fn claim(
        &self,
        name: &str,
        namespace: Option<&str>,
        from: &std::path::Path,
    ) -> Option<(&FileModel, &Claim)> {
        let near = from.parent().unwrap_or(std::path::Path::new(""));
        self.record(|| Query::Claim {
            name: name.to_string(),
            namespace: namespace.map(str::to_string),
            near: near.to_path_buf(),
        });
        let (i, j) = self.index().claim(name, namespace, near)?;
        Some((&self.files[i], &self.files[i].claims[j]))
    }

    /// The workloads, in any file, that mount the claim `name` a workload in `namespace` of the
    /// file `from` mounts (itself included): those whose own lookup finds the same claim.
    pub fn claim_users(
        &self,
        name: &str,
        namespace: Option<&str>,
        from: &std::path::Path,
    ) -> impl Iterator<Item = (&FileModel, &Workload)> + '_ {
        let near = from.parent().unwrap_or(std::path::Path::new(""));
        self.record(|| Query::ClaimUsers {
            name: name.to_string(),
            namespace: namespace.map(str::to_string),
            near: near.to_path_buf(),
        });
        // Collected: the index's iterator borrows `name`, which the caller's result outlives.
        let index = self.index();
        let hits: Vec<(usize, usize)> = index
            .claim_users(name, namespace, near)
            .map(|(i, j)| (i, index.files()[i].claim_users[j].2))
            .collect();
        hits.into_iter()
            .map(move |(i, k)| (&self.files[i], &self.files[i].workloads[k]))
    }

    /// The StorageClasses named `name`, from any file, in path order.
    pub fn storage_classes(
        &self,
        name: &str,
    ) -> impl Iterator<Item = (&FileModel, &StorageClass)> + '_ {
        self.record(|| Query::StorageClass(name.to_string()));
        self.index()
            .storage_classes(name)
            .iter()
            .map(move |&(i, j)| (&self.files[i], &self.files[i].storage_classes[j]))
    }

    /// The StorageClasses annotated as the cluster's default, from any file.
    pub fn default_storage_classes(
        &self,
    ) -> impl Iterator<Item = (&FileModel, &StorageClass)> + '_ {
        self.record(|| Query::DefaultStorageClasses);
        self.index()
            .default_storage_classes()
            .iter()
            .map(move |&(i, j)| (&self.files[i], &self.files[i].storage_classes[j]))
    }

    /// The PersistentVolume `claim` binds, from any file: the one its `volumeName` names, else
    /// one whose `claimRef` names it.
    #[must_use]
    pub fn bound_volume(&self, claim: &Claim) -> Option<(&FileModel, &PersistentVolume)> {
        let volume = claim.volume_name.as_ref().map(|v| v.value.clone());
        self.record(|| Query::BoundVolume {
            volume: volume.clone(),
            claim: claim.name.value.clone(),
            namespace: claim.namespace.clone(),
        });
        let (i, j) = self.index().bound_volume(
            volume.as_deref(),
            &claim.name.value,
            claim.namespace.as_deref(),
        )?;
        Some((&self.files[i], &self.files[i].persistent_volumes[j]))
    }

    /// The PersistentVolumes of the class `class` (`""`: of none), from any file, in path
    /// order: those a claim of the class may bind.
    pub fn class_volumes(
        &self,
        class: &str,
    ) -> impl Iterator<Item = (&FileModel, &PersistentVolume)> + '_ {
        self.record(|| Query::ClassVolumes(class.to_string()));
        self.index()
            .class_volumes(class)
            .iter()
            .map(move |&(i, j)| (&self.files[i], &self.files[i].persistent_volumes[j]))
    }

    /// The PersistentVolumes labelled `key: value`, from any file, in path order: those a
    /// claim whose selector asks for that label may bind.
    pub fn labelled_volumes(
        &self,
        key: &str,
        value: &str,
    ) -> impl Iterator<Item = (&FileModel, &PersistentVolume)> + '_ {
        self.record(|| Query::LabelledVolumes {
            key: key.to_string(),
            value: value.to_string(),
        });
        self.index()
            .labelled_volumes(key, value)
            .iter()
            .map(move |&(i, j)| (&self.files[i], &self.files[i].persistent_volumes[j]))
    }

    /// HorizontalPodAutoscalers whose `scaleTargetRef` names this workload.
    pub fn autoscalers_of<'a>(
        &'a self,
        workload: &'a Workload,
    ) -> impl Iterator<Item = (&'a FileModel, &'a Autoscaler)> + 'a {
        self.record(|| Query::Autoscalers {
            kind: workload.kube_kind().map(|k| k.as_str().to_string()),
            name: workload.name.clone(),
            namespace: workload.namespace.clone(),
        });
        self.index()
            .autoscalers(
                workload.kube_kind().map(KubeKind::as_str),
                &workload.name,
                workload.namespace.as_deref(),
            )
            .map(move |(i, j)| (&self.files[i], &self.files[i].autoscalers[j]))
    }

    /// The source of the file diagnostics name `path`: one of the project's files, else a
    /// shared Dockerfile (related locations point into the Dockerfiles compose files build).
    /// Not a cross-file lookup: nothing is recorded.
    #[must_use]
    pub fn source(&self, path: &std::path::Path) -> Option<&SourceFile> {
        let own = if self.files.len() <= 8 {
            self.files.iter().position(|f| f.source.path == path)
        } else {
            self.by_path
                .get_or_init(|| {
                    let mut by_path = std::collections::HashMap::new();
                    for (i, f) in self.files.iter().enumerate() {
                        by_path.entry(f.source.path.clone()).or_insert(i);
                    }
                    by_path
                })
                .get(path)
                .copied()
        };
        own.map(|i| &self.files[i].source).or_else(|| {
            let shared = self.shared_dockerfiles.as_ref()?;
            shared
                .get(&lexical(path))
                .map(|f| &f.source)
                .filter(|s| s.path == path)
        })
    }

    /// The Dockerfile at `path` (compared after lexical normalization), when the run has it.
    #[must_use]
    pub fn dockerfile(&self, path: &std::path::Path) -> Option<(&FileModel, &Dockerfile)> {
        let key = lexical(path);
        let file = self.dockerfile_file(&key);
        self.record(|| Query::Dockerfile(key));
        let file = file?;
        Some((file, file.dockerfile.as_ref()?))
    }

    /// The file holding the Dockerfile at `key` (lexically normalized): the project's own,
    /// else a shared one.
    fn dockerfile_file(&self, key: &std::path::Path) -> Option<&FileModel> {
        match self.index().dockerfile(key) {
            Some(i) => Some(&self.files[i]),
            None => self
                .shared_dockerfiles
                .as_ref()?
                .get(key)
                .map(AsRef::as_ref),
        }
    }
}

/// `a/./b/../c` → `a/c`, without touching the filesystem; leading `..` are kept.
#[must_use]
pub fn lexical(path: &std::path::Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{KubeKind, LabelExpression, LabelSelector};

    #[test]
    fn label_selectors_match_as_the_api_server_reads_them() {
        let labels = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect()
        };
        let expr = |key: &str, operator: &str, values: &[&str]| LabelExpression {
            key: key.into(),
            operator: operator.into(),
            values: values.iter().map(|v| (*v).to_string()).collect(),
        };
        let selector = LabelSelector {
            match_labels: labels(&[("app", "wiki")]),
            match_expressions: vec![
                expr("tier", "In", &["dev", "prod"]),
                expr("retired", "DoesNotExist", &[]),
                expr("zone", "NotIn", &["b"]),
            ],
        };
        let volume = labels(&[("app", "wiki"), ("tier", "dev"), ("zone", "a")]);
        assert_eq!(selector.matches(&volume), Some(true));
        assert_eq!(selector.matches(&labels(&[("app", "wiki")])), Some(false));
        let retired = labels(&[("app", "wiki"), ("tier", "dev"), ("retired", "yes")]);
        assert_eq!(selector.matches(&retired), Some(false));
        let unknown = LabelSelector {
            match_expressions: vec![expr("tier", "Gt", &["1"])],
            ..LabelSelector::default()
        };
        assert_eq!(unknown.matches(&volume), None);
    }

    #[test]
    fn kube_kinds_round_trip_by_name() {
        for name in [
            "Pod",
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "CronJob",
            "Rollout",
        ] {
            assert_eq!(KubeKind::from_name(name).as_str(), name);
        }
        assert_eq!(KubeKind::from_name("DaemonSet"), KubeKind::DaemonSet);
        assert_eq!(
            KubeKind::from_name("daemonset"),
            KubeKind::Other("daemonset".into()),
            "kinds are case-sensitive, as the API server reads them"
        );
    }
}

//! Kubernetes manifests -> model.
//!
//! Why no k8s-openapi: it carries no spans, rejects a whole object over one mistyped field and
//! knows no custom kinds. We walk the spanned tree instead, with a table of where each kind
//! keeps its pod spec. Wrong types anywhere are tolerated: what cannot be read is skipped, and
//! only what the API server would reject outright is reported (SL001).

use std::collections::HashMap;
use std::rc::Rc;

use super::Parsed;
use crate::model::paths;
use crate::model::{
    Autoscaler, AutoscalerKind, Claim, ClaimRef, ClaimRetention, Command, Container, ContainerRole,
    EnvVar, HostPath, KubeKind, LabelExpression, LabelSelector, Mount, MountKind, MountSource,
    MountSyntax, ObjectSuppression, ParseError, PersistentVolume, Platform, PodVolume, SourceFile,
    Span, Spanned, StorageClass, Workload, WorkloadKind,
};
use crate::yaml::{Document, Node};

mod operators;

const TEMPLATE: &[&str] = &["spec", "template", "spec"];
const JOB_TEMPLATE: &[&str] = &["spec", "jobTemplate", "spec", "template", "spec"];

/// Where the built-in workload kinds keep their pod spec.
const POD_SPEC_PATHS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("PodTemplate", &["template", "spec"]),
    ("Deployment", TEMPLATE),
    ("StatefulSet", TEMPLATE),
    ("DaemonSet", TEMPLATE),
    ("ReplicaSet", TEMPLATE),
    ("ReplicationController", TEMPLATE),
    ("Job", TEMPLATE),
    ("CronJob", JOB_TEMPLATE),
];

/// Workloads of other API groups whose pod spec sits elsewhere, by group and kind: they are
/// workloads even before their pod spec is read, and Knative's own autoscaler scales them.
const GROUP_POD_SPEC_PATHS: &[(&str, &str, &[&str])] = &[
    ("apps.openshift.io", "DeploymentConfig", TEMPLATE),
    ("serving.knative.dev", "Service", TEMPLATE),
    ("serving.knative.dev", "Configuration", TEMPLATE),
    ("serving.knative.dev", "Revision", &["spec"]),
];

/// Knative's per-revision bounds of its autoscaler (`max-scale` `0` is unbounded), current
/// and legacy names (https://knative.dev/docs/serving/autoscaling/scale-bounds/).
const KNATIVE_MAX_SCALE: &[&str] = &[
    "autoscaling.knative.dev/max-scale",
    "autoscaling.knative.dev/maxScale",
];
const KNATIVE_MIN_SCALE: &[&str] = &[
    "autoscaling.knative.dev/min-scale",
    "autoscaling.knative.dev/minScale",
];

/// KEDA's `maxReplicaCount` when a ScaledObject leaves it out
/// (https://keda.sh/docs/latest/reference/scaledobject-spec/).
const KEDA_DEFAULT_MAX_REPLICAS: u64 = 100;

/// Where other kinds (Argo Rollout, OpenShift DeploymentConfig, Knative Service, ...) keep a
/// pod spec; they count as workloads only when it holds `containers`, so that unrelated
/// custom resources with a `spec.template` are left alone.
const CUSTOM_POD_SPEC_PATHS: &[&[&str]] = &[TEMPLATE, JOB_TEMPLATE];

const CONTAINER_LISTS: &[(&str, ContainerRole)] = &[
    ("initContainers", ContainerRole::Init),
    ("containers", ContainerRole::Main),
    ("ephemeralContainers", ContainerRole::Ephemeral),
];

/// PersistentVolume spec fields that are not the volume source: whatever else is there is it,
/// which keeps sources we do not list by name (`iscsi`, `cephfs`, ...) visible.
const PV_SPEC_FIELDS: &[&str] = &[
    "accessModes",
    "capacity",
    "claimRef",
    "mountOptions",
    "nodeAffinity",
    "persistentVolumeReclaimPolicy",
    "storageClassName",
    "volumeAttributesClassName",
    "volumeMode",
];

const HOSTNAME_LABEL: &str = "kubernetes.io/hostname";

/// `List`s may nest; a hostile file must not make us recurse without bound.
const MAX_LIST_DEPTH: usize = 8;

/// Read every Kubernetes object of a multi-document file. Paths on the node are kept as
/// written: the manifest's own folder (`_source`) means nothing to the node.
#[must_use]
pub fn parse(_source: &SourceFile, docs: &[Document]) -> Parsed {
    let mut cx = Reader {
        out: Parsed::default(),
    };
    for root in docs.iter().filter_map(|d| d.root.as_deref()) {
        cx.object(root, None, 0);
    }
    cx.out
}

/// Who an object is, as messages name it.
struct Meta {
    kind: String,
    /// `metadata.name`; empty, with the span of the `kind` value, when missing.
    name: Spanned<String>,
    namespace: Option<String>,
    /// `Deployment/api`, or the bare kind when the object has no name.
    owner: String,
    /// Knative names a container without a name itself (`user-container`).
    unnamed_container: Option<&'static str>,
}

impl Meta {
    fn read(node: &Node, kind: &str, kind_span: Span) -> Self {
        let metadata = node.get("metadata");
        let name = metadata
            .and_then(|m| text(m.get("name")))
            .unwrap_or_else(|| Spanned::new(String::new(), kind_span));
        let namespace = metadata
            .and_then(|m| m.get("namespace"))
            .and_then(Node::as_text)
            .map(str::to_string);
        let owner = if name.value.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}/{}", name.value)
        };
        Self {
            kind: kind.to_string(),
            name,
            namespace,
            owner,
            unnamed_container: (api_group(node) == Some("serving.knative.dev"))
                .then_some("user-container"),
        }
    }
}

/// A pod volume as the mounts see it.
struct VolumeRef<'n> {
    name: Spanned<String>,
    /// The source key and value; `None` when only `name` is written, which the API server
    /// defaults to an `emptyDir`.
    source: Option<(&'n Node, &'n Node)>,
}

/// A pod's volumes and claim templates by name, built once per pod: each mount looks its
/// volume up without scanning them all (a pod of many volumes and mounts stays linear).
struct PodVolumes<'a, 'n> {
    volumes: HashMap<&'a str, &'a VolumeRef<'n>>,
    templates: HashMap<&'a str, &'a Claim>,
}

impl<'a, 'n> PodVolumes<'a, 'n> {
    fn new(volumes: &'a [VolumeRef<'n>], templates: &'a [Claim]) -> Self {
        // The first of a name wins, as a scan would find it.
        let mut by_name = HashMap::new();
        for v in volumes {
            by_name.entry(v.name.value.as_str()).or_insert(v);
        }
        let mut claims = HashMap::new();
        for t in templates {
            claims.entry(t.name.value.as_str()).or_insert(t);
        }
        Self {
            volumes: by_name,
            templates: claims,
        }
    }
}

/// The container a mount belongs to, for messages.
struct ContainerRef<'a> {
    /// `Deployment/api`.
    workload: &'a str,
    /// The container's name, or its position when it has none.
    label: &'a str,
    /// `Deployment/api container app`.
    owner: &'a str,
}

struct Reader {
    out: Parsed,
}

impl Reader {
    fn error(&mut self, span: Span, message: String) {
        self.out.errors.push(ParseError { message, span });
    }

    /// A list-valued field: `None` when absent or null, an error when not a list.
    fn list<'n>(
        &mut self,
        parent: &'n Node,
        key: &str,
        what: impl FnOnce() -> String,
    ) -> Option<&'n [Rc<Node>]> {
        let value = parent.get(key)?;
        if value.is_null() {
            return None;
        }
        let items = value.as_seq();
        if items.is_none() {
            self.error(value.span, format!("{} is not a list", what()));
        }
        items
    }

    /// One object. `item_kind` is set for the items of a list: they may leave out
    /// `apiVersion`, and items of a typed list (`DeploymentList`) also `kind`.
    fn object(&mut self, node: &Node, item_kind: Option<&str>, depth: usize) {
        let in_list = item_kind.is_some();
        if !in_list && node.get("apiVersion").and_then(Node::as_text).is_none() {
            return;
        }
        let (kind, kind_span) = match node.get("kind").and_then(|k| Some((k.as_text()?, k.span))) {
            Some(found) => found,
            None => match item_kind.filter(|k| !k.is_empty()) {
                Some(k) => (k, node.span),
                None => return,
            },
        };
        let meta = Meta::read(node, kind, kind_span);
        if let Some(codes) = text(node.path(&["metadata", "annotations", "stowlint.io/ignore"])) {
            self.out.object_suppressions.push(ObjectSuppression {
                codes,
                scope: node.span,
            });
        }
        if kind == "List" || (kind.ends_with("List") && node.get("items").is_some()) {
            if depth >= MAX_LIST_DEPTH {
                return;
            }
            let Some(items) = self.list(node, "items", || format!("{}: items", meta.owner)) else {
                return;
            };
            let item_kind = kind.strip_suffix("List").unwrap_or("");
            for item in items {
                self.object(item, Some(item_kind), depth + 1);
            }
            return;
        }
        match kind {
            "PersistentVolumeClaim" => {
                let claim = claim(node, &meta);
                self.out.claims.push(claim);
            }
            "PersistentVolume" => self.persistent_volume(node, meta),
            "StorageClass" => self.out.storage_classes.push(storage_class(node, meta)),
            "HorizontalPodAutoscaler" => self.autoscaler(node, meta),
            "ScaledObject" if api_group(node) == Some("keda.sh") => {
                self.scaled_object(node, meta);
            }
            _ => {
                if let Some(resource) = operators::resource(node, kind) {
                    let stores = operators::stores(node, &meta.owner, kind_span, resource);
                    self.out.operator_stores.extend(stores);
                } else if let Some(path) = group_pod_spec_path(node, kind) {
                    let pod = node.path(path).filter(|p| p.is_map());
                    self.workload(node, &meta, pod);
                    self.knative_autoscaler(node, &meta);
                } else if let Some((_, path)) = POD_SPEC_PATHS.iter().find(|(k, _)| *k == kind) {
                    // A built-in workload is one even when its pod spec cannot be read.
                    let pod = node.path(path).filter(|p| p.is_map());
                    self.workload(node, &meta, pod);
                } else if let Some(pod) = custom_pod_spec(node) {
                    self.workload(node, &meta, Some(pod));
                }
            }
        }
    }

    fn workload(&mut self, node: &Node, meta: &Meta, pod: Option<&Node>) {
        let spec = node.get("spec");
        let owns_replicas = !matches!(meta.kind.as_str(), "Pod" | "PodTemplate");
        let replicas = match spec {
            Some(spec) if owns_replicas => self.replicas(spec, &meta.owner),
            _ => None,
        }
        .or_else(|| knative_min_scale(node, meta));
        let strategy = spec.and_then(|s| {
            text(s.path(&["strategy", "type"]))
                .or_else(|| text(s.path(&["updateStrategy", "type"])))
        });
        // OpenShift's DeploymentConfig names its rolling parameters `rollingParams`.
        let no_surge = spec
            .and_then(|s| {
                s.path(&["strategy", "rollingUpdate", "maxSurge"])
                    .or_else(|| s.path(&["strategy", "rollingParams", "maxSurge"]))
            })
            .filter(|n| n.as_text().is_some_and(|v| matches!(v.trim(), "0" | "0%")))
            .map(|n| n.span);
        // Read for any kind: OpenKruise and other StatefulSet look-alikes use the same field.
        let claim_templates: Vec<Claim> = spec
            .and_then(|s| s.get("volumeClaimTemplates"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter(|t| {
                t.path(&["metadata", "name"])
                    .and_then(Node::as_text)
                    .is_some()
            })
            .map(|t| claim(t, meta))
            .collect();
        let retention = spec.and_then(|s| s.get("persistentVolumeClaimRetentionPolicy"));
        let claim_retention = ClaimRetention {
            when_deleted: retention.and_then(|r| text(r.get("whenDeleted"))),
            when_scaled: retention.and_then(|r| text(r.get("whenScaled"))),
        };
        let mut workload = Workload {
            kind: WorkloadKind::Kubernetes(KubeKind::from_name(&meta.kind)),
            platform: Platform::Kubernetes,
            name: meta.name.value.clone(),
            namespace: meta.namespace.clone(),
            owner: meta.owner.clone(),
            span: meta.name.span,
            containers: Vec::new(),
            pod_volumes: Vec::new(),
            replicas,
            global: None,
            pinned: pod.and_then(pinning),
            strategy,
            no_surge,
            volumes_from: Vec::new(),
            build: None,
            claim_templates,
            claim_retention,
            swarm_reason: None,
            extends: None,
            pinned_by_label: pod.and_then(label_pinning),
            placement_unknown: None,
            runs_to_completion: meta.kind == "Pod"
                && pod
                    .and_then(|p| p.get("restartPolicy"))
                    .and_then(Node::as_text)
                    .is_some_and(|r| matches!(r, "Never" | "OnFailure")),
            static_pod: pod.and_then(|p| static_pod(meta, p)),
        };
        if let Some(pod) = pod {
            let (pod_volumes, refs) = self.pod_volumes(pod, &meta.owner);
            workload.pod_volumes = pod_volumes;
            workload.containers = self.containers(pod, meta, &refs, &workload.claim_templates);
        }
        self.out.workloads.push(workload);
    }

    fn replicas(&mut self, spec: &Node, owner: &str) -> Option<Spanned<u64>> {
        let value = spec.get("replicas").filter(|v| !v.is_null())?;
        if let Some(n) = value.as_u64() {
            return Some(Spanned::new(n, value.span));
        }
        // A template's placeholder (`${REPLICAS:-1}`, `{{replicas}}`, which YAML reads as a
        // flow mapping) is an unknown value, not an error: the file is rendered before use.
        if is_placeholder(value) {
            return None;
        }
        let negative = value
            .as_str()
            .is_some_and(|s| s.trim().parse::<i64>().is_ok());
        let problem = if negative {
            "must not be negative"
        } else {
            "is not an integer"
        };
        self.error(value.span, format!("{owner}: replicas {problem}"));
        None
    }

    fn pod_volumes<'n>(
        &mut self,
        pod: &'n Node,
        owner: &str,
    ) -> (Vec<PodVolume>, Vec<VolumeRef<'n>>) {
        let mut volumes = Vec::new();
        let mut refs = Vec::new();
        let Some(items) = self.list(pod, "volumes", || format!("{owner}: volumes")) else {
            return (volumes, refs);
        };
        for item in items {
            if !item.is_map() {
                self.error(item.span, format!("{owner}: a volume is not a mapping"));
                continue;
            }
            let Some(name) = text(item.get("name")) else {
                self.error(item.span, format!("{owner}: a volume has no name"));
                continue;
            };
            let source = item
                .entries()
                .into_iter()
                .find(|(k, _)| k.as_str() != Some("name"));
            let source_type = match source {
                Some((k, _)) => Spanned::new(k.as_str().unwrap_or_default().to_string(), k.span),
                None => Spanned::new("emptyDir".to_string(), item.span),
            };
            volumes.push(PodVolume {
                name: name.clone(),
                source_type,
                span: item.span,
            });
            refs.push(VolumeRef { name, source });
        }
        (volumes, refs)
    }

    fn containers(
        &mut self,
        pod: &Node,
        meta: &Meta,
        volumes: &[VolumeRef<'_>],
        templates: &[Claim],
    ) -> Vec<Container> {
        let owner = meta.owner.as_str();
        let pod_volumes = PodVolumes::new(volumes, templates);
        let mut out = Vec::new();
        for &(key, role) in CONTAINER_LISTS {
            let Some(items) = self.list(pod, key, || format!("{owner}: {key}")) else {
                continue;
            };
            for (i, item) in items.iter().enumerate() {
                if !item.is_map() {
                    self.error(
                        item.span,
                        format!("{owner}: an entry of {key} is not a mapping"),
                    );
                    continue;
                }
                let name = text(item.get("name"));
                let default_name = meta.unnamed_container.filter(|_| key == "containers");
                if name.is_none() && default_name.is_none() {
                    self.error(item.span, format!("{owner}: an entry of {key} has no name"));
                }
                let label = match (&name, default_name) {
                    (Some(n), _) => n.value.clone(),
                    (None, Some(default)) => default.to_string(),
                    (None, None) => format!("#{} of {key}", i + 1),
                };
                let container_owner = format!("{owner} container {label}");
                let at = ContainerRef {
                    workload: owner,
                    label: &label,
                    owner: &container_owner,
                };
                let mounts = self.mounts(item, &at, &pod_volumes);
                out.push(Container {
                    span: name.as_ref().map_or(item.span, |n| n.span),
                    name: name.map(|n| n.value).unwrap_or_default(),
                    role,
                    owner: container_owner,
                    image: text(item.get("image")),
                    env: env(item),
                    mounts,
                    volume_devices: volume_devices(item),
                    command: Command {
                        entrypoint: words(item.get("command")),
                        args: words(item.get("args")),
                    },
                    read_only_root: item
                        .path(&["securityContext", "readOnlyRootFilesystem"])
                        .and_then(Node::as_bool)
                        == Some(true),
                    privileged: item
                        .path(&["securityContext", "privileged"])
                        .and_then(Node::as_bool)
                        == Some(true),
                    capabilities: item
                        .path(&["securityContext", "capabilities", "add"])
                        .and_then(Node::as_seq)
                        .map(|items| {
                            items
                                .iter()
                                .filter_map(|i| text(Some(i)))
                                .map(|c| crate::model::capability_name(&c.value))
                                .collect()
                        })
                        .unwrap_or_default(),
                    // Kubernetes passes devices by `hostPath` volumes or device plugins.
                    devices: Vec::new(),
                    memory_limit: item
                        .path(&["resources", "limits", "memory"])
                        .filter(|v| !v.is_null())
                        .map(|v| v.span),
                    working_dir: text(item.get("workingDir"))
                        .filter(|w| w.value.starts_with('/') && !crate::model::is_unknown(&w.value))
                        .map(|w| Spanned::new(crate::model::paths::normalize(&w.value), w.span)),
                    env_from: item
                        .get("envFrom")
                        .and_then(Node::as_seq)
                        .is_some_and(|s| !s.is_empty()),
                });
            }
        }
        out
    }

    fn mounts(
        &mut self,
        container: &Node,
        at: &ContainerRef<'_>,
        pod: &PodVolumes<'_, '_>,
    ) -> Vec<Mount> {
        let what = || format!("{}: volumeMounts of container {}", at.workload, at.label);
        let Some(items) = self.list(container, "volumeMounts", what) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let problem = if !item.is_map() {
                Some("is not a mapping")
            } else if text(item.get("name")).is_none() {
                Some("has no name")
            } else if text(item.get("mountPath")).is_none() {
                Some("has no mountPath")
            } else {
                None
            };
            if let Some(problem) = problem {
                let message = format!(
                    "{}: a volumeMount of container {} {problem}",
                    at.workload, at.label
                );
                self.error(item.span, message);
                continue;
            }
            if let Some(mount) = self.mount(item, at.owner, pod) {
                out.push(mount);
            }
        }
        out
    }

    fn mount(&self, item: &Node, owner: &str, pod: &PodVolumes<'_, '_>) -> Option<Mount> {
        let name = text(item.get("name"))?;
        let path = text(item.get("mountPath"))?;
        let mut mount = Mount {
            read_only: item.get("readOnly").and_then(Node::as_bool) == Some(true),
            propagation: text(item.get("mountPropagation")),
            sub_path: item
                .get("subPath")
                .or_else(|| item.get("subPathExpr"))
                .and_then(Node::as_text)
                .map(str::to_string),
            source_span: Some(name.span),
            span: item.span,
            ..Mount::new(
                MountKind::Undefined,
                MountSyntax::VolumeMount,
                &path.value,
                path.span,
                owner,
            )
        };
        // The StatefulSet controller replaces a pod volume of the same name with the claim.
        if let Some(template) = pod.templates.get(name.value.as_str()) {
            mount.kind = MountKind::Claim;
            mount.source = MountSource::Claim(template.name.value.clone());
            mount.source_span = Some(template.name.span);
            mount.volume = Some(template.name.clone());
        } else if let Some(volume) = pod.volumes.get(name.value.as_str()) {
            mount.volume = Some(volume.name.clone());
            self.apply_source(&mut mount, volume);
            join_sub_path(&mut mount, item);
        } else {
            mount.source = MountSource::Volume(name.value);
        }
        Some(mount)
    }

    /// What the pod volume behind a mount decides: kind, source, and the spans that show it.
    fn apply_source(&self, mount: &mut Mount, volume: &VolumeRef<'_>) {
        let Some((key, value)) = volume.source else {
            mount.kind = MountKind::EmptyDir { memory: false };
            mount.source_span = Some(volume.name.span);
            return;
        };
        mount.source_span = Some(key.span);
        // `persistentVolumeClaim`, `nfs`, `csi` and most other sources have a `readOnly` that
        // forces the mount read-only whatever the volumeMount says.
        if value.get("readOnly").and_then(Node::as_bool) == Some(true) {
            mount.read_only = true;
        }
        let named = |mount: &mut Mount, field: &str| {
            if let Some(n) = text(value.get(field)) {
                mount.source_span = Some(n.span);
                mount.source = MountSource::Volume(n.value);
            }
        };
        let source_type = key.as_str().unwrap_or_default();
        match source_type {
            "hostPath" => {
                mount.kind = MountKind::HostPath;
                if let Some(path) = text(value.get("path")) {
                    mount.source = MountSource::Host(node_path(&path.value));
                    mount.source_span = Some(path.span);
                }
                let path_type = text(value.get("type"));
                if let Some(t) = &path_type
                    && matches!(t.value.as_str(), "DirectoryOrCreate" | "FileOrCreate")
                {
                    mount.creates_host_path = Some(t.span);
                }
                mount.host_path_type = path_type;
            }
            "emptyDir" => {
                let medium = value.get("medium").and_then(Node::as_text);
                mount.kind = MountKind::EmptyDir {
                    memory: medium == Some("Memory"),
                };
                mount.size = text(value.get("sizeLimit"));
            }
            "persistentVolumeClaim" => {
                mount.kind = MountKind::Claim;
                if let Some(claim) = text(value.get("claimName")) {
                    mount.source_span = Some(claim.span);
                    mount.source = MountSource::Claim(claim.value);
                }
            }
            "ephemeral" => mount.kind = MountKind::Ephemeral,
            // Kubernetes mounts these read-only whatever the volumeMount says.
            "configMap" => {
                mount.kind = MountKind::ConfigMap;
                mount.read_only = true;
                named(mount, "name");
            }
            "secret" => {
                mount.kind = MountKind::Secret;
                mount.read_only = true;
                named(mount, "secretName");
            }
            "projected" => {
                mount.kind = MountKind::Projected;
                mount.read_only = true;
            }
            "downwardAPI" => {
                mount.kind = MountKind::DownwardApi;
                mount.read_only = true;
            }
            "image" => {
                mount.kind = MountKind::Image;
                mount.read_only = true;
                named(mount, "reference");
            }
            "nfs" => {
                mount.kind = MountKind::Nfs;
                let server = value.get("server").and_then(Node::as_text);
                let path = value.get("path").and_then(Node::as_text);
                if let (Some(server), Some(path)) = (server, path) {
                    mount.source = MountSource::Volume(format!("{server}:{path}"));
                }
            }
            "csi" => {
                mount.kind = MountKind::Csi;
                named(mount, "driver");
            }
            other => mount.kind = MountKind::Other(other.to_string()),
        }
    }

    fn persistent_volume(&mut self, node: &Node, meta: Meta) {
        let spec = node.get("spec");
        let entries = spec.map(Node::entries).unwrap_or_default();
        let source = entries.iter().find(|(k, _)| {
            k.as_str()
                .is_some_and(|k| k != "<<" && !PV_SPEC_FIELDS.contains(&k))
        });
        let path = spec.and_then(|s| {
            text(s.path(&["local", "path"])).or_else(|| text(s.path(&["hostPath", "path"])))
        });
        // An affinity without `required` constrains nothing; the API server rejects it for
        // local volumes.
        let node_affinity = spec
            .and_then(|s| s.get_entry("nodeAffinity"))
            .filter(|(_, v)| v.get("required").is_some_and(|r| !r.is_null()))
            .map(|(k, v)| k.span.cover(v.span));
        let (access_modes, _) = access_modes(spec);
        self.out.persistent_volumes.push(PersistentVolume {
            source_type: source
                .and_then(|(k, _)| Some(Spanned::new(k.as_str()?.to_string(), k.span))),
            path,
            node_affinity,
            access_modes,
            storage_class: spec.and_then(|s| text(s.get("storageClassName"))),
            reclaim_policy: spec.and_then(|s| text(s.get("persistentVolumeReclaimPolicy"))),
            claim_ref: spec.and_then(|s| s.get("claimRef")).and_then(|r| {
                Some(ClaimRef {
                    name: text(r.get("name"))?,
                    namespace: r
                        .get("namespace")
                        .and_then(Node::as_text)
                        .map(str::to_string),
                })
            }),
            labels: string_map(node.path(&["metadata", "labels"])),
            span: meta.name.span,
            name: meta.name,
        });
    }

    fn autoscaler(&mut self, node: &Node, meta: Meta) {
        let spec = node.get("spec");
        let target = spec.and_then(|s| s.get("scaleTargetRef"));
        self.out.autoscalers.push(Autoscaler {
            kind: AutoscalerKind::HorizontalPodAutoscaler,
            span: meta.name.span,
            name: meta.name,
            namespace: meta.namespace,
            target_kind: target
                .and_then(|t| t.get("kind"))
                .and_then(Node::as_text)
                .map(str::to_string),
            target_name: target.and_then(|t| text(t.get("name"))),
            max_replicas: spec
                .and_then(|s| s.get("maxReplicas"))
                .and_then(|m| Some(Spanned::new(m.as_u64()?, m.span))),
            default_max: false,
        });
    }

    /// A KEDA ScaledObject: an autoscaler of its `scaleTargetRef` (a Deployment unless it
    /// says otherwise) up to `maxReplicaCount`, 100 when left out.
    fn scaled_object(&mut self, node: &Node, meta: Meta) {
        let spec = node.get("spec");
        let target = spec.and_then(|s| s.get_entry("scaleTargetRef"));
        let written = spec
            .and_then(|s| s.get("maxReplicaCount"))
            .filter(|m| !m.is_null());
        let (max_replicas, default_max) = match written {
            Some(m) => (m.as_u64().map(|n| Spanned::new(n, m.span)), false),
            // Where the default applies: the target, or the object's name.
            None => (
                Some(Spanned::new(
                    KEDA_DEFAULT_MAX_REPLICAS,
                    target.map_or(meta.name.span, |(k, _)| k.span),
                )),
                true,
            ),
        };
        let target = target.map(|(_, t)| t);
        self.out.autoscalers.push(Autoscaler {
            kind: AutoscalerKind::ScaledObject,
            span: meta.name.span,
            name: meta.name,
            namespace: meta.namespace,
            target_kind: Some(
                target
                    .and_then(|t| t.get("kind"))
                    .and_then(Node::as_text)
                    .unwrap_or("Deployment")
                    .to_string(),
            ),
            target_name: target.and_then(|t| text(t.get("name"))),
            max_replicas,
            default_max,
        });
    }

    /// Knative scales a Service, Configuration or Revision itself: an autoscaler of the
    /// object up to its `max-scale` annotation. Without one (or with `0`, unbounded) the
    /// bound is the cluster's `config-autoscaler`, which a manifest does not show: none.
    fn knative_autoscaler(&mut self, node: &Node, meta: &Meta) {
        if api_group(node) != Some("serving.knative.dev") {
            return;
        }
        let Some((value, n)) = knative_annotation(node, &meta.kind, KNATIVE_MAX_SCALE) else {
            return;
        };
        if n == 0 {
            return;
        }
        self.out.autoscalers.push(Autoscaler {
            kind: AutoscalerKind::Knative,
            span: value.span,
            name: meta.name.clone(),
            namespace: meta.namespace.clone(),
            target_kind: Some(meta.kind.clone()),
            target_name: Some(meta.name.clone()),
            max_replicas: Some(Spanned::new(n, value.span)),
            default_max: false,
        });
    }
}

/// A node's path as written in a `hostPath`, normalized but never made relative to the
/// manifest's folder: the node knows nothing of where the manifest lies.
fn node_path(written: &str) -> HostPath {
    let path = paths::normalize(written);
    HostPath {
        resolved: path.clone().into(),
        path,
    }
}

/// A `subPath` (or a `subPathExpr` without `$(VAR)`) moves a `hostPath` mount to the folder
/// below it: `/var` + `lib/app` exposes `/var/lib/app` only, `/tmp` + `docker.sock` is the
/// runtime socket. An expression with variables leaves the path as the volume's.
fn join_sub_path(mount: &mut Mount, item: &Node) {
    let sub = item
        .get("subPath")
        .and_then(Node::as_text)
        .or_else(|| {
            item.get("subPathExpr")
                .and_then(Node::as_text)
                .filter(|e| !crate::model::is_unknown(e))
        })
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let (Some(sub), MountSource::Host(host)) = (sub, &mut mount.source) else {
        return;
    };
    if mount.kind != MountKind::HostPath || !host.path.starts_with('/') {
        return;
    }
    *host = node_path(&format!("{}/{sub}", host.path));
}

/// The API group of an object's `apiVersion` (`keda.sh` in `keda.sh/v1alpha1`); `None` for
/// the core group (`v1`).
fn api_group(node: &Node) -> Option<&str> {
    let api = node.get("apiVersion")?.as_text()?;
    Some(api.split_once('/')?.0.trim())
}

/// Where a workload of another API group (Knative, OpenShift) keeps its pod spec.
fn group_pod_spec_path(node: &Node, kind: &str) -> Option<&'static [&'static str]> {
    let group = api_group(node)?;
    GROUP_POD_SPEC_PATHS
        .iter()
        .find(|(g, k, _)| *g == group && *k == kind)
        .map(|(_, _, path)| *path)
}

/// Knative keeps at least `min-scale` pods of a revision running: its replicas, when more
/// than none.
fn knative_min_scale(node: &Node, meta: &Meta) -> Option<Spanned<u64>> {
    if api_group(node) != Some("serving.knative.dev") {
        return None;
    }
    let (value, n) = knative_annotation(node, &meta.kind, KNATIVE_MIN_SCALE)?;
    (n > 0).then(|| Spanned::new(n, value.span))
}

/// A Knative autoscaling annotation of the revision template (`spec.template.metadata` for a
/// Service or Configuration, the object's own `metadata` for a Revision), as a count.
fn knative_annotation<'n>(node: &'n Node, kind: &str, names: &[&str]) -> Option<(&'n Node, u64)> {
    let metadata = if kind == "Revision" {
        node.get("metadata")
    } else {
        node.path(&["spec", "template", "metadata"])
    }?;
    let annotations = metadata.get("annotations")?;
    names.iter().find_map(|name| {
        let value = annotations.get(name)?;
        Some((value, value.as_u64()?))
    })
}

/// The pod spec of a kind we do not know, when it has one that holds `containers`.
fn custom_pod_spec(node: &Node) -> Option<&Node> {
    CUSTOM_POD_SPEC_PATHS
        .iter()
        .filter_map(|path| node.path(path))
        .find(|spec| spec.get("containers").is_some())
}

/// A PersistentVolumeClaim or a `volumeClaimTemplates` entry (which takes the namespace of its
/// StatefulSet, given in `owner`).
fn claim(node: &Node, owner: &Meta) -> Claim {
    let name = text(node.path(&["metadata", "name"]))
        .unwrap_or_else(|| Spanned::new(String::new(), owner.name.span));
    let spec = node.get("spec");
    let (access_modes, access_modes_span) = access_modes(spec);
    // The annotation came before the field and is still honoured; the field wins.
    let storage_class = spec
        .and_then(|s| text(s.get("storageClassName")))
        .or_else(|| {
            text(node.path(&[
                "metadata",
                "annotations",
                "volume.beta.kubernetes.io/storage-class",
            ]))
        });
    Claim {
        span: name.span,
        name,
        namespace: owner.namespace.clone(),
        access_modes,
        access_modes_span,
        storage_class,
        volume_name: spec
            .and_then(|s| text(s.get("volumeName")))
            .filter(|v| !v.value.is_empty()),
        selector: spec
            .and_then(|s| s.get("selector"))
            .filter(|s| !s.is_null())
            .map(label_selector),
    }
}

/// A mapping of strings (`labels`, `matchLabels`); entries whose key or value is not text are
/// left out.
fn string_map(node: Option<&Node>) -> Vec<(String, String)> {
    node.map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.as_text()?.to_string(), v.as_text()?.to_string())))
        .collect()
}

/// A label selector's `matchLabels` and `matchExpressions`.
fn label_selector(node: &Node) -> LabelSelector {
    let match_expressions = node
        .get("matchExpressions")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|e| LabelExpression {
            key: e
                .get("key")
                .and_then(Node::as_text)
                .unwrap_or_default()
                .to_string(),
            operator: e
                .get("operator")
                .and_then(Node::as_text)
                .unwrap_or_default()
                .to_string(),
            values: e
                .get("values")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.as_text().map(str::to_string))
                .collect(),
        })
        .collect();
    LabelSelector {
        match_labels: string_map(node.get("matchLabels")),
        match_expressions,
    }
}

/// The annotations that make a StorageClass the default (the beta one is still honoured).
const DEFAULT_CLASS_ANNOTATIONS: &[&str] = &[
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
];

fn storage_class(node: &Node, meta: Meta) -> StorageClass {
    let annotations = node.path(&["metadata", "annotations"]);
    // The API server compares the value with "true" exactly.
    let default = DEFAULT_CLASS_ANNOTATIONS
        .iter()
        .filter_map(|a| annotations?.get(a))
        .find(|v| v.as_str() == Some("true"))
        .map(|v| v.span);
    StorageClass {
        span: meta.name.span,
        provisioner: text(node.get("provisioner")),
        reclaim_policy: text(node.get("reclaimPolicy")),
        default,
        name: meta.name,
    }
}

fn access_modes(spec: Option<&Node>) -> (Vec<Spanned<String>>, Option<Span>) {
    let Some(node) = spec.and_then(|s| s.get("accessModes")) else {
        return (Vec::new(), None);
    };
    let modes = node
        .as_seq()
        .unwrap_or_default()
        .iter()
        .filter_map(|m| text(Some(m)))
        .collect();
    (modes, Some(node.span))
}

fn env(container: &Node) -> Vec<EnvVar> {
    let items = container
        .get("env")
        .and_then(Node::as_seq)
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|item| {
            let name = item.get("name")?.as_text()?.to_string();
            // An unset `value` is the empty string; only `valueFrom` leaves it unknown.
            let value = match item.get("value") {
                Some(v) if v.is_null() => Some(String::new()),
                Some(v) => v.as_str().map(str::to_string),
                None if item.get("valueFrom").is_some() => None,
                None => Some(String::new()),
            };
            Some(EnvVar {
                name,
                value,
                span: item.span,
            })
        })
        .collect()
}

/// The span that pins the pod to one node: `nodeName`, a `kubernetes.io/hostname`
/// `nodeSelector` entry, or a required node affinity whose every term allows one and the same
/// node (terms are alternatives: two terms naming two nodes pin nothing).
fn pinning(pod: &Node) -> Option<Span> {
    if let Some((k, v)) = pod.get_entry("nodeName")
        && v.as_text().is_some()
    {
        return Some(k.span.cover(v.span));
    }
    if let Some((k, v)) = pod
        .get("nodeSelector")
        .and_then(|s| s.get_entry(HOSTNAME_LABEL))
        && v.as_text().is_some()
    {
        return Some(k.span.cover(v.span));
    }
    let terms_node = pod.path(&[
        "affinity",
        "nodeAffinity",
        "requiredDuringSchedulingIgnoredDuringExecution",
        "nodeSelectorTerms",
    ])?;
    let terms = terms_node.as_seq()?;
    let mut pinned: Option<(&str, Span)> = None;
    for term in terms {
        let (node_name, span) = term_pin(term)?;
        match pinned {
            Some((first, _)) if first != node_name => return None,
            Some(_) => {}
            None => pinned = Some((node_name, span)),
        }
    }
    let (_, span) = pinned?;
    Some(if terms.len() == 1 {
        span
    } else {
        terms_node.span
    })
}

/// Whether a node label names a group of nodes by what they are — set by Kubernetes, a cloud
/// or a node-feature tool (`kubernetes.io/os`, `topology.kubernetes.io/zone`,
/// `cloud.google.com/gke-nodepool`) — rather than by an administrator, whose own labels
/// (`node: main`, `example.com/storage: fast`) may name a single node. The control plane's
/// role (`node-role.kubernetes.io/control-plane`, `.../master`) is no such group: one node in
/// kind, k3s and most small clusters, three in others (maybe one).
fn is_group_label(key: &str) -> bool {
    if matches!(
        key,
        "node-role.kubernetes.io/control-plane" | "node-role.kubernetes.io/master"
    ) {
        return false;
    }
    let Some((prefix, _)) = key.split_once('/') else {
        return false;
    };
    const DOMAINS: &[&str] = &[
        "kubernetes.io",
        "k8s.io",
        "cloud.google.com",
        "amazonaws.com",
        "azure.com",
        "karpenter.sh",
        "openshift.io",
        "nvidia.com",
        "amd.com",
        "intel.com",
        "digitalocean.com",
        "hetzner.cloud",
        "k3s.io",
        "cattle.io",
    ];
    DOMAINS
        .iter()
        .any(|d| prefix == *d || prefix.ends_with(&format!(".{d}")))
}

/// The span that pins the pod to the nodes with an administrator's label (maybe one node): a
/// `nodeSelector` entry of such a label, or a required node affinity whose every term asks
/// for one value of such a label. `None` when [`pinning`] pins it to one node by name.
fn label_pinning(pod: &Node) -> Option<Span> {
    if pinning(pod).is_some() {
        return None;
    }
    if let Some((k, v)) = pod
        .get("nodeSelector")
        .map(Node::entries)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, v)| {
            k.as_text()
                .is_some_and(|k| k != HOSTNAME_LABEL && !is_group_label(k))
                && v.as_text().is_some()
        })
    {
        return Some(k.span.cover(v.span));
    }
    let terms_node = pod.path(&[
        "affinity",
        "nodeAffinity",
        "requiredDuringSchedulingIgnoredDuringExecution",
        "nodeSelectorTerms",
    ])?;
    let terms = terms_node.as_seq()?;
    let mut spans = Vec::new();
    for term in terms {
        let exprs = term
            .get("matchExpressions")
            .and_then(Node::as_seq)
            .unwrap_or_default();
        let one = exprs.iter().find(|e| {
            let key = e.get("key").and_then(Node::as_text);
            let op = e.get("operator").and_then(Node::as_text);
            let values = e.get("values").and_then(Node::as_seq).unwrap_or_default();
            key.is_some_and(|k| k != HOSTNAME_LABEL && !is_group_label(k))
                && op == Some("In")
                && values.len() == 1
        })?;
        spans.push(one.span);
    }
    match spans.as_slice() {
        [] => None,
        [one] => Some(*one),
        _ => Some(terms_node.span),
    }
}

/// The `hostNetwork: true` of a bare Pod in `kube-system`: the shape of a static pod
/// manifest (kubeadm's control plane, kube-vip), which the kubelet of the node whose manifest
/// folder holds it runs there.
fn static_pod(meta: &Meta, pod: &Node) -> Option<Span> {
    if meta.kind != "Pod" || meta.namespace.as_deref() != Some("kube-system") {
        return None;
    }
    let (k, v) = pod.get_entry("hostNetwork")?;
    (v.as_text() == Some("true")).then(|| k.span.cover(v.span))
}

/// The one node a node selector term allows, and the expression that says so.
fn term_pin(term: &Node) -> Option<(&str, Span)> {
    for (list, field) in [
        ("matchExpressions", HOSTNAME_LABEL),
        ("matchFields", "metadata.name"),
    ] {
        let exprs = term.get(list).and_then(Node::as_seq).unwrap_or_default();
        for expr in exprs {
            let key = expr.get("key").and_then(Node::as_text);
            let op = expr.get("operator").and_then(Node::as_text);
            let values = expr
                .get("values")
                .and_then(Node::as_seq)
                .unwrap_or_default();
            if key == Some(field)
                && op == Some("In")
                && values.len() == 1
                && let Some(value) = values[0].as_text()
            {
                return Some((value, expr.span));
            }
        }
    }
    None
}

/// A non-null scalar with its span.
/// The pod volumes a container uses as raw block devices (`volumeDevices[].name`).
fn volume_devices(container: &Node) -> Vec<Spanned<String>> {
    container
        .get("volumeDevices")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| text(d.get("name")))
        .collect()
}

/// A container's `command` or `args` list; `None` when absent or not a list.
fn words(node: Option<&Node>) -> Option<Vec<String>> {
    let items = node?.as_seq()?;
    Some(
        items
            .iter()
            .map(|i| i.as_str().unwrap_or_default().to_string())
            .collect(),
    )
}

fn text(node: Option<&Node>) -> Option<Spanned<String>> {
    let node = node?;
    node.as_text()
        .map(|s| Spanned::new(s.to_string(), node.span))
}

/// A template placeholder where a value belongs: `${VAR}`, `{{ x }}` in a string, or the
/// flow mapping `{{x}}` (a mapping whose only key is a mapping).
fn is_placeholder(value: &Node) -> bool {
    if let Some(s) = value.as_str() {
        return s.contains("${") || s.contains("{{") || s.trim_start().starts_with('$');
    }
    let entries = value.entries();
    entries.len() == 1 && entries[0].0.is_map()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn run(text: &str) -> (SourceFile, Parsed) {
        let file = SourceFile::new("deploy/app.yaml", text.to_string());
        crate::last_file::set(&file);
        let stream = yaml::parse(&file);
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let parsed = parse(&file, &stream.documents);
        (file, parsed)
    }

    /// Line and column where a span starts.
    fn at(span: Span) -> (usize, usize) {
        crate::last_file::start(span)
    }

    fn only_workload(p: &Parsed) -> &Workload {
        assert_eq!(p.workloads.len(), 1, "{:?}", p.workloads);
        &p.workloads[0]
    }

    fn kinds(p: &Parsed) -> Vec<(String, String)> {
        p.workloads
            .iter()
            .map(|w| {
                (
                    w.kube_kind().map_or("?", KubeKind::as_str).to_string(),
                    w.owner.clone(),
                )
            })
            .collect()
    }

    const TWO_DOCS: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: b
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 3
  strategy:
    type: Recreate
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.27
          env:
            - name: MODE
              value: prod
            - name: TOKEN
              valueFrom:
                secretKeyRef: {name: s, key: k}
          volumeMounts:
            - name: host-etc
              mountPath: /host/etc/
              readOnly: true
      volumes:
        - name: host-etc
          hostPath:
            path: /etc
            type: Directory
";

    #[test]
    fn sub_path_joins_the_host_path() {
        let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      image: busybox
      volumeMounts:
        - {name: var, mountPath: /a, subPath: lib/app}
        - {name: tmp, mountPath: /var/run/docker.sock, subPath: docker.sock}
        - {name: var, mountPath: /b, subPathExpr: log/known}
        - {name: var, mountPath: /c, subPathExpr: $(POD_NAME)}
        - {name: rel, mountPath: /d}
        - {name: cm, mountPath: /e, subPath: x}
  volumes:
    - {name: var, hostPath: {path: /var/}}
    - {name: tmp, hostPath: {path: /tmp}}
    - {name: rel, hostPath: {path: data/app}}
    - {name: cm, configMap: {name: cm}}
";
        let (_, p) = run(text);
        let paths: Vec<Option<&str>> = only_workload(&p).containers[0]
            .mounts
            .iter()
            .map(|m| m.host_path().map(|h| h.path.as_str()))
            .collect();
        assert_eq!(
            paths,
            [
                Some("/var/lib/app"),
                Some("/tmp/docker.sock"),
                Some("/var/log/known"),
                Some("/var"),
                // A node's path is never made relative to the manifest: no `./` invented.
                Some("data/app"),
                None,
            ]
        );
    }

    #[test]
    fn host_path_in_the_second_document() {
        let (file, p) = run(TWO_DOCS);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let w = only_workload(&p);
        assert_eq!(w.kind, WorkloadKind::Kubernetes(KubeKind::Deployment));
        assert_eq!(w.platform, Platform::Kubernetes);
        assert_eq!(w.name, "api");
        assert_eq!(w.namespace.as_deref(), Some("shop"));
        assert_eq!(w.owner, "Deployment/api");
        assert_eq!(at(w.span), (11, 9));
        let replicas = w.replicas.as_ref().unwrap();
        assert_eq!((replicas.value, at(replicas.span)), (3, (14, 13)));
        let strategy = w.strategy.as_ref().unwrap();
        assert_eq!(
            (strategy.value.as_str(), at(strategy.span)),
            ("Recreate", (16, 11))
        );
        assert!(w.pinned.is_none());

        let c = &w.containers[0];
        assert_eq!((c.name.as_str(), c.role), ("app", ContainerRole::Main));
        assert_eq!(c.owner, "Deployment/api container app");
        assert_eq!(at(c.span), (20, 17));
        let image = c.image.as_ref().unwrap();
        assert_eq!(
            (image.value.as_str(), at(image.span)),
            ("nginx:1.27", (21, 18))
        );
        assert_eq!(c.env.len(), 2);
        assert_eq!(
            (c.env[0].name.as_str(), c.env[0].value.as_deref()),
            ("MODE", Some("prod"))
        );
        assert_eq!(at(c.env[0].span), (23, 15));
        assert_eq!(
            (c.env[1].name.as_str(), c.env[1].value.as_deref()),
            ("TOKEN", None)
        );

        let m = &c.mounts[0];
        assert_eq!(m.kind, MountKind::HostPath);
        assert_eq!(m.syntax, MountSyntax::VolumeMount);
        assert_eq!(m.owner, "Deployment/api container app");
        assert_eq!(m.target, "/host/etc");
        assert_eq!(at(m.target_span), (30, 26));
        assert_eq!(m.target_span.text(&file.text), "/host/etc/");
        assert_eq!(at(m.span), (29, 15));
        assert!(m.span.text(&file.text).ends_with("readOnly: true"));
        assert!(m.read_only);
        let host = m.host_path().unwrap();
        assert_eq!(host.path, "/etc");
        assert_eq!(host.resolved, std::path::PathBuf::from("/etc"));
        // SL101 points here: the `path: /etc` value.
        let source = m.source_span.unwrap();
        assert_eq!((at(source), source.text(&file.text)), ((35, 19), "/etc"));
        let t = m.host_path_type.as_ref().unwrap();
        assert_eq!((t.value.as_str(), at(t.span)), ("Directory", (36, 19)));
        assert!(m.creates_host_path.is_none());
        let volume = m.volume.as_ref().unwrap();
        assert_eq!(
            (volume.value.as_str(), at(volume.span)),
            ("host-etc", (33, 17))
        );

        let pv = &w.pod_volumes[0];
        assert_eq!(pv.name.value, "host-etc");
        assert_eq!(
            (pv.source_type.value.as_str(), at(pv.source_type.span)),
            ("hostPath", (34, 11))
        );
        assert_eq!(at(pv.span), (33, 11));
    }

    /// A minimal object of `kind` with its pod spec at `spec.template.spec`.
    fn template(kind: &str, name: &str) -> String {
        format!(
            "apiVersion: x/v1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: busybox\n"
        )
    }

    #[test]
    fn every_workload_kind() {
        let mut text = String::from(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n",
        );
        for kind in [
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "ReplicaSet",
            "ReplicationController",
            "Job",
            "Rollout",
            "DeploymentConfig",
            "Service",
        ] {
            text.push_str("---\n");
            text.push_str(&template(kind, &kind.to_ascii_lowercase()));
        }
        text.push_str(
            "---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: '@daily'
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: dump
              image: postgres:16
---
apiVersion: v1
kind: PodTemplate
metadata:
  name: tpl
template:
  spec:
    containers:
      - name: c
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: not-a-workload
spec:
  template:
    spec:
      color: blue
---
apiVersion: v1
kind: Service
metadata:
  name: plain-service
spec:
  ports: [{port: 80}]
",
        );
        let (_, p) = run(&text);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let owners: Vec<_> = kinds(&p).into_iter().map(|(_, o)| o).collect();
        assert_eq!(
            owners,
            [
                "Pod/p",
                "Deployment/deployment",
                "StatefulSet/statefulset",
                "DaemonSet/daemonset",
                "ReplicaSet/replicaset",
                "ReplicationController/replicationcontroller",
                "Job/job",
                "Rollout/rollout",
                "DeploymentConfig/deploymentconfig",
                "Service/service",
                "CronJob/backup",
                "PodTemplate/tpl",
            ]
        );
        for w in &p.workloads {
            assert_eq!(w.containers.len(), 1, "{}", w.owner);
        }
        let cron = &p.workloads[10];
        assert_eq!(cron.containers[0].owner, "CronJob/backup container dump");
        assert_eq!(
            at(cron.containers[0].image.as_ref().unwrap().span),
            (120, 22)
        );
    }

    #[test]
    fn lists_and_typed_lists() {
        let text = "\
apiVersion: v1
kind: List
items:
  - apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    metadata:
      name: web
    spec:
      replicas: 2
      template:
        spec:
          containers:
            - name: app
  - apiVersion: v1
    kind: PersistentVolumeClaim
    metadata:
      name: data
  - 42
  - kind: List
    items:
      - apiVersion: v1
        kind: Pod
        metadata:
          name: nested
        spec:
          containers: [{name: c}]
---
apiVersion: apps/v1
kind: DeploymentList
items:
  - metadata:
      name: from-typed-list
    spec:
      template:
        spec:
          containers: [{name: c}]
";
        let (_, p) = run(text);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(
            kinds(&p),
            [
                ("Rollout".into(), "Rollout/web".into()),
                ("Pod".into(), "Pod/nested".into()),
                ("Deployment".into(), "Deployment/from-typed-list".into()),
            ]
        );
        assert_eq!(at(p.workloads[0].span), (7, 13));
        assert_eq!(p.workloads[0].replicas.as_ref().unwrap().value, 2);
        assert_eq!(p.claims.len(), 1);
        assert_eq!(p.claims[0].name.value, "data");
    }

    #[test]
    fn objects_without_api_version_or_kind_are_ignored() {
        let (_, p) = run("# just a comment\n---\n---\nkind: Pod\nspec: {}\n---\napiVersion: v1\n");
        assert!(p.workloads.is_empty() && p.errors.is_empty());
    }

    #[test]
    fn init_and_ephemeral_containers() {
        let text = "\
apiVersion: v1
kind: Pod
spec:
  initContainers:
    - name: migrate
      image: app:1
  containers:
    - name: app
      image: app:1
  ephemeralContainers:
    - name: debugger
      image: busybox
";
        let (_, p) = run(text);
        let w = only_workload(&p);
        // No name: the workload is named by its kind, at the `kind` value.
        assert_eq!(
            (w.name.as_str(), w.owner.as_str(), at(w.span)),
            ("", "Pod", (2, 7))
        );
        let roles: Vec<_> = w
            .containers
            .iter()
            .map(|c| (c.name.as_str(), c.role, c.owner.as_str()))
            .collect();
        assert_eq!(
            roles,
            [
                ("migrate", ContainerRole::Init, "Pod container migrate"),
                ("app", ContainerRole::Main, "Pod container app"),
                (
                    "debugger",
                    ContainerRole::Ephemeral,
                    "Pod container debugger"
                ),
            ]
        );
    }

    const VOLUME_TYPES: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: all
spec:
  containers:
    - name: c
      volumeMounts:
        - {name: scratch, mountPath: /scratch}
        - {name: ram, mountPath: /ram}
        - {name: data, mountPath: /data}
        - {name: eph, mountPath: /eph}
        - {name: cfg, mountPath: /cfg}
        - {name: creds, mountPath: /creds}
        - {name: proj, mountPath: /proj}
        - {name: meta, mountPath: /meta}
        - {name: share, mountPath: /share}
        - {name: blob, mountPath: /blob}
        - {name: models, mountPath: /models}
        - {name: legacy, mountPath: /legacy}
        - {name: bare, mountPath: /bare}
        - name: sock
          mountPath: /var/run/docker.sock
          mountPropagation: Bidirectional
          subPath: x
  volumes:
    - name: scratch
      emptyDir: {}
    - name: ram
      emptyDir:
        medium: Memory
        sizeLimit: 64Mi
    - name: data
      persistentVolumeClaim:
        claimName: pg-data
        readOnly: true
    - name: eph
      ephemeral:
        volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce]}}
    - name: cfg
      configMap: {name: app-config}
    - name: creds
      secret: {secretName: app-secret}
    - name: proj
      projected: {sources: []}
    - name: meta
      downwardAPI: {items: []}
    - name: share
      nfs: {server: nas.local, path: /exports/share}
    - name: blob
      csi: {driver: blob.csi.azure.com}
    - name: models
      image: {reference: 'registry/models:1'}
    - name: legacy
      gitRepo: {repository: 'https://example.com/r.git'}
    - name: bare
    - name: sock
      hostPath: {path: /var/run/docker.sock, type: FileOrCreate}
";

    #[test]
    fn every_volume_type() {
        let (file, p) = run(VOLUME_TYPES);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let w = only_workload(&p);
        let mounts = &w.containers[0].mounts;
        let summary: Vec<String> = mounts
            .iter()
            .map(|m| {
                let source = match &m.source {
                    MountSource::None => "-".to_string(),
                    MountSource::Host(h) => format!("host:{}", h.path),
                    MountSource::Volume(v) => format!("volume:{v}"),
                    MountSource::Claim(c) => format!("claim:{c}"),
                };
                let access = if m.read_only { "ro" } else { "rw" };
                let at = m.source_span.map_or("", |s| s.text(&file.text));
                format!("{} {:?} {source} {access} @{at}", m.target, m.kind)
            })
            .collect();
        assert_eq!(
            summary,
            [
                "/scratch EmptyDir { memory: false } - rw @emptyDir",
                "/ram EmptyDir { memory: true } - rw @emptyDir",
                "/data Claim claim:pg-data ro @pg-data",
                "/eph Ephemeral - rw @ephemeral",
                "/cfg ConfigMap volume:app-config ro @app-config",
                "/creds Secret volume:app-secret ro @app-secret",
                "/proj Projected - ro @projected",
                "/meta DownwardApi - ro @downwardAPI",
                "/share Nfs volume:nas.local:/exports/share rw @nfs",
                "/blob Csi volume:blob.csi.azure.com rw @blob.csi.azure.com",
                "/models Image volume:registry/models:1 ro @'registry/models:1'",
                "/legacy Other(\"gitRepo\") - rw @gitRepo",
                // Only a name: the API server defaults the volume to an emptyDir.
                "/bare EmptyDir { memory: false } - rw @bare",
                // `subPath: x` joins the host path.
                "/var/run/docker.sock HostPath host:/var/run/docker.sock/x rw @/var/run/docker.sock",
            ]
        );
        assert_eq!(
            mounts[13].source,
            MountSource::Host(node_path("/var/run/docker.sock/x"))
        );
        assert!(mounts[0].size.is_none());
        let size = mounts[1].size.as_ref().unwrap();
        assert_eq!((size.value.as_str(), at(size.span)), ("64Mi", (32, 20)));
        assert_eq!(at(mounts[0].source_span.unwrap()), (28, 7));
        assert_eq!(at(mounts[2].source_span.unwrap()), (35, 20));

        let sock = &mounts[13];
        let propagation = sock.propagation.as_ref().unwrap();
        assert_eq!(
            (propagation.value.as_str(), at(propagation.span)),
            ("Bidirectional", (24, 29))
        );
        assert_eq!(sock.sub_path.as_deref(), Some("x"));
        let created = sock.creates_host_path.unwrap();
        assert_eq!(
            (at(created), created.text(&file.text)),
            ((58, 52), "FileOrCreate")
        );
        assert_eq!(sock.host_path_type.as_ref().unwrap().value, "FileOrCreate");

        let types: Vec<_> = w
            .pod_volumes
            .iter()
            .map(|v| v.source_type.value.as_str())
            .collect();
        assert_eq!(
            types,
            [
                "emptyDir",
                "emptyDir",
                "persistentVolumeClaim",
                "ephemeral",
                "configMap",
                "secret",
                "projected",
                "downwardAPI",
                "nfs",
                "csi",
                "image",
                "gitRepo",
                "emptyDir",
                "hostPath"
            ]
        );
    }

    #[test]
    fn directory_or_create_and_yaml11_read_only() {
        let text = "\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  updateStrategy: {type: OnDelete}
  template:
    spec:
      containers:
        - name: a
          volumeMounts:
            - name: logs
              mountPath: /logs
              readOnly: yes
            - name: logs
              mountPath: /logs2
              readOnly: 'yes'
      volumes:
        - name: logs
          hostPath:
            path: /var/log/../log/
            type: DirectoryOrCreate
";
        let (file, p) = run(text);
        let w = only_workload(&p);
        assert!(w.is_daemonset());
        assert_eq!(w.strategy.as_ref().unwrap().value, "OnDelete");
        assert!(w.replicas.is_none());
        let m = &w.containers[0].mounts;
        assert!(m[0].read_only);
        // Quoted, `yes` is a string: the API server would refuse it, and we do not guess.
        assert!(!m[1].read_only);
        assert_eq!(m[0].host_path().unwrap().path, "/var/log");
        let created = m[0].creates_host_path.unwrap();
        assert_eq!(
            (at(created), created.text(&file.text)),
            ((21, 19), "DirectoryOrCreate")
        );
    }

    #[test]
    fn mount_of_an_undefined_volume() {
        let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      volumeMounts:
        - name: missing
          mountPath: /data
  volumes:
    - name: other
      emptyDir: {}
";
        let (_, p) = run(text);
        let m = &only_workload(&p).containers[0].mounts[0];
        assert_eq!(m.kind, MountKind::Undefined);
        assert_eq!(m.source, MountSource::Volume("missing".to_string()));
        assert!(m.volume.is_none());
        assert_eq!(at(m.source_span.unwrap()), (8, 17));
        assert_eq!(at(m.target_span), (9, 22));
    }

    fn pinned_by(pod_spec_lines: &str) -> Option<(usize, usize)> {
        let text = format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers: [{{name: c}}]\n{pod_spec_lines}"
        );
        let (_, p) = run(&text);
        only_workload(&p).pinned.map(at)
    }

    /// A pod spec's required node affinity with the terms `exprs` (YAML lines).
    fn affinity(exprs: &str) -> String {
        format!(
            "  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n{exprs}"
        )
    }

    #[test]
    fn pinning_variants() {
        assert_eq!(pinned_by("  nodeName: node-1\n"), Some((6, 3)));
        assert_eq!(
            pinned_by("  nodeSelector:\n    disktype: ssd\n    kubernetes.io/hostname: node-1\n"),
            Some((8, 5))
        );
        assert_eq!(pinned_by("  nodeSelector:\n    disktype: ssd\n"), None);
        let one = affinity(
            "          - matchExpressions:\n              - {key: zone, operator: In, values: [a]}\n              - key: kubernetes.io/hostname\n                operator: In\n                values: [node-1]\n",
        );
        assert_eq!(pinned_by(&one), Some((12, 17)));
        let fields = affinity(
            "          - matchFields:\n              - {key: metadata.name, operator: In, values: [node-1]}\n",
        );
        assert_eq!(pinned_by(&fields), Some((11, 17)));
        let two_values = affinity(
            "          - matchExpressions:\n              - {key: kubernetes.io/hostname, operator: In, values: [node-1, node-2]}\n",
        );
        assert_eq!(pinned_by(&two_values), None);
        let not_in = affinity(
            "          - matchExpressions:\n              - {key: kubernetes.io/hostname, operator: NotIn, values: [node-1]}\n",
        );
        assert_eq!(pinned_by(&not_in), None);
        // Terms are alternatives: each must allow the same single node.
        let same = affinity(
            "          - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [n1]}]\n          - matchFields: [{key: metadata.name, operator: In, values: [n1]}]\n",
        );
        assert_eq!(pinned_by(&same), Some((10, 11)));
        let different = affinity(
            "          - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [n1]}]\n          - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [n2]}]\n",
        );
        assert_eq!(pinned_by(&different), None);
        let open = affinity(
            "          - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [n1]}]\n          - matchExpressions: [{key: zone, operator: In, values: [a]}]\n",
        );
        assert_eq!(pinned_by(&open), None);
    }

    #[test]
    fn pinning_by_an_administrators_label() {
        let by_label = |pod_spec_lines: &str| {
            let text = format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers: [{{name: c}}]\n{pod_spec_lines}"
            );
            let (_, p) = run(&text);
            only_workload(&p).pinned_by_label.map(at)
        };
        assert_eq!(
            by_label("  nodeSelector:\n    kubernetes.io/os: linux\n    node: main\n"),
            Some((8, 5))
        );
        assert_eq!(
            by_label("  nodeSelector:\n    example.com/disk: ssd\n"),
            Some((7, 5))
        );
        // Kubernetes' and clouds' labels name groups; a hostname pins to one node instead.
        assert_eq!(
            by_label(
                "  nodeSelector:\n    kubernetes.io/os: linux\n    node-role.kubernetes.io/worker: ''\n    cloud.google.com/gke-nodepool: pool-1\n"
            ),
            None
        );
        assert_eq!(
            by_label("  nodeSelector:\n    node: main\n    kubernetes.io/hostname: n1\n"),
            None
        );
        // The control plane: one node in kind and k3s, maybe more.
        assert_eq!(
            by_label("  nodeSelector:\n    node-role.kubernetes.io/control-plane: ''\n"),
            Some((7, 5))
        );
        let one = affinity(
            "          - matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [a]}, {key: storage, operator: In, values: [big]}]\n",
        );
        assert_eq!(by_label(&one), Some((10, 95)));
        // Every term must ask for such a label: one open term lets the pod go anywhere.
        let open = affinity(
            "          - matchExpressions: [{key: storage, operator: In, values: [big]}]\n          - matchExpressions: [{key: kubernetes.io/os, operator: In, values: [linux]}]\n",
        );
        assert_eq!(by_label(&open), None);
    }

    #[test]
    fn stateful_set_claim_templates() {
        let text = "\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: pg
  namespace: db
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: postgres
          image: postgres:16
          volumeMounts:
            - name: data
              mountPath: /var/lib/postgresql/data
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        storageClassName: fast
";
        let (_, p) = run(text);
        let w = only_workload(&p);
        let t = &w.claim_templates[0];
        assert_eq!(
            (t.name.value.as_str(), at(t.name.span), at(t.span)),
            ("data", (18, 15), (18, 15))
        );
        assert_eq!(t.namespace.as_deref(), Some("db"));
        assert_eq!(t.access_modes.len(), 1);
        assert_eq!(
            (t.access_modes[0].value.as_str(), at(t.access_modes[0].span)),
            ("ReadWriteOnce", (20, 23))
        );
        assert_eq!(at(t.access_modes_span.unwrap()), (20, 22));
        assert_eq!(t.storage_class.as_ref().unwrap().value, "fast");
        let m = &w.containers[0].mounts[0];
        assert_eq!(m.kind, MountKind::Claim);
        assert_eq!(m.source, MountSource::Claim("data".into()));
        assert_eq!(m.volume.as_ref().map(|v| at(v.span)), Some((18, 15)));
    }

    #[test]
    fn storage_objects() {
        let text = "\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: pg-data
  namespace: db
spec:
  accessModes:
    - ReadWriteOnce
    - ReadWriteOncePod
  storageClassName: standard
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: local-pv
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  local:
    path: /mnt/disks/ssd1
  nodeAffinity:
    required:
      nodeSelectorTerms: []
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: host-pv
spec:
  storageClassName: manual
  hostPath: {path: /data}
  nodeAffinity: {}
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: remote
spec:
  iscsi: {targetPortal: 10.0.0.1}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: ebs.csi.aws.com
---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: api
  namespace: shop
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 1
  maxReplicas: 10
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    name: web
  maxReplicas: 4
  metrics: []
";
        let (_, p) = run(text);
        assert!(p.errors.is_empty() && p.workloads.is_empty());

        let c = &p.claims[0];
        assert_eq!((c.name.value.as_str(), at(c.span)), ("pg-data", (4, 9)));
        assert_eq!(c.namespace.as_deref(), Some("db"));
        let modes: Vec<_> = c
            .access_modes
            .iter()
            .map(|m| (m.value.as_str(), at(m.span)))
            .collect();
        assert_eq!(
            modes,
            [("ReadWriteOnce", (8, 7)), ("ReadWriteOncePod", (9, 7))]
        );
        assert_eq!(at(c.access_modes_span.unwrap()), (8, 5));
        assert_eq!(at(c.storage_class.as_ref().unwrap().span), (10, 21));

        let [local, host, remote] = &p.persistent_volumes[..] else {
            panic!("{:?}", p.persistent_volumes)
        };
        assert_eq!(
            (local.name.value.as_str(), at(local.span)),
            ("local-pv", (15, 9))
        );
        let source = local.source_type.as_ref().unwrap();
        assert_eq!((source.value.as_str(), at(source.span)), ("local", (19, 3)));
        let path = local.path.as_ref().unwrap();
        assert_eq!(
            (path.value.as_str(), at(path.span)),
            ("/mnt/disks/ssd1", (20, 11))
        );
        assert_eq!(local.node_affinity.map(at), Some((21, 3)));
        assert_eq!(local.access_modes[0].value, "ReadWriteOnce");
        assert!(local.storage_class.is_none());

        assert_eq!(host.source_type.as_ref().unwrap().value, "hostPath");
        assert_eq!(host.path.as_ref().unwrap().value, "/data");
        // `{}` requires nothing: no affinity.
        assert!(host.node_affinity.is_none());
        assert_eq!(host.storage_class.as_ref().unwrap().value, "manual");
        assert_eq!(remote.source_type.as_ref().unwrap().value, "iscsi");
        assert!(remote.path.is_none());

        let sc = &p.storage_classes[0];
        assert_eq!((sc.name.value.as_str(), at(sc.span)), ("fast", (44, 9)));
        let prov = sc.provisioner.as_ref().unwrap();
        assert_eq!(
            (prov.value.as_str(), at(prov.span)),
            ("ebs.csi.aws.com", (45, 14))
        );

        let [v1, v2] = &p.autoscalers[..] else {
            panic!("{:?}", p.autoscalers)
        };
        assert_eq!((v1.name.value.as_str(), at(v1.span)), ("api", (50, 9)));
        assert_eq!(v1.namespace.as_deref(), Some("shop"));
        assert_eq!(v1.target_kind.as_deref(), Some("Deployment"));
        let target = v1.target_name.as_ref().unwrap();
        assert_eq!((target.value.as_str(), at(target.span)), ("api", (53, 65)));
        let max = v1.max_replicas.as_ref().unwrap();
        assert_eq!((max.value, at(max.span)), (10, (55, 16)));
        assert_eq!(v2.target_kind.as_deref(), Some("Rollout"));
        assert_eq!(v2.target_name.as_ref().unwrap().value, "web");
        assert_eq!(at(v2.target_name.as_ref().unwrap().span), (65, 11));
        assert_eq!(v2.max_replicas.as_ref().unwrap().value, 4);
        assert!(v2.namespace.is_none());
    }

    #[test]
    fn reclaim_retention_and_default_class() {
        let text = "\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-path
  annotations:
    storageclass.kubernetes.io/is-default-class: \"true\"
provisioner: rancher.io/local-path
reclaimPolicy: Retain
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: slow
  annotations:
    storageclass.kubernetes.io/is-default-class: \"false\"
provisioner: nfs.csi.k8s.io
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv1
spec:
  persistentVolumeReclaimPolicy: Recycle
  claimRef: {name: data, namespace: db}
  nfs: {server: nas, path: /x}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  namespace: db
  annotations:
    volume.beta.kubernetes.io/storage-class: old-style
spec:
  volumeName: pv1
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: none
spec:
  storageClassName: \"\"
  volumeName: \"\"
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Delete
    whenScaled: Retain
  template:
    spec:
      containers: [{name: db, image: postgres:17}]
";
        let (_, p) = run(text);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let [local, slow] = &p.storage_classes[..] else {
            panic!("{:?}", p.storage_classes)
        };
        assert_eq!(local.default.map(at), Some((6, 50)));
        let reclaim = local.reclaim_policy.as_ref().unwrap();
        assert_eq!(
            (reclaim.value.as_str(), at(reclaim.span)),
            ("Retain", (8, 16))
        );
        assert!(slow.default.is_none() && slow.reclaim_policy.is_none());

        let pv = &p.persistent_volumes[0];
        let policy = pv.reclaim_policy.as_ref().unwrap();
        assert_eq!(
            (policy.value.as_str(), at(policy.span)),
            ("Recycle", (23, 34))
        );
        let claim_ref = pv.claim_ref.as_ref().unwrap();
        assert_eq!(
            (
                claim_ref.name.value.as_str(),
                claim_ref.namespace.as_deref()
            ),
            ("data", Some("db"))
        );

        let [data, none] = &p.claims[..] else {
            panic!("{:?}", p.claims)
        };
        // The beta annotation stands in for `storageClassName`.
        assert_eq!(data.storage_class.as_ref().unwrap().value, "old-style");
        assert_eq!(
            data.volume_name
                .as_ref()
                .map(|v| (v.value.as_str(), at(v.span))),
            Some(("pv1", (35, 15)))
        );
        // Written empty: no class at all (not the default); an empty volume name is none.
        assert_eq!(none.storage_class.as_ref().unwrap().value, "");
        assert!(none.volume_name.is_none());

        let retention = &only_workload(&p).claim_retention;
        let deleted = retention.when_deleted.as_ref().unwrap();
        assert_eq!(
            (deleted.value.as_str(), at(deleted.span)),
            ("Delete", (51, 18))
        );
        assert_eq!(retention.when_scaled.as_ref().unwrap().value, "Retain");
    }

    fn errors(text: &str) -> Vec<(String, (usize, usize))> {
        let (_, p) = run(text);
        p.errors
            .into_iter()
            .map(|e| (e.message, at(e.span)))
            .collect()
    }

    #[test]
    fn structural_errors() {
        let head = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n";
        let case = |body: &str| errors(&format!("{head}{body}"));
        assert_eq!(
            case("  replicas: three\n"),
            [(
                "Deployment/api: replicas is not an integer".to_string(),
                (5, 13)
            )]
        );
        // A template's placeholder is an unknown value, not an error.
        assert!(case("  replicas: ${REPLICAS:-1}\n").is_empty());
        assert!(case("  replicas: {{replicas}}\n").is_empty());
        assert!(case("  replicas: \"{{ .Values.replicas }}\"\n").is_empty());
        assert_eq!(
            case("  replicas: -1\n"),
            [(
                "Deployment/api: replicas must not be negative".to_string(),
                (5, 13)
            )]
        );
        assert_eq!(
            case("  template:\n    spec:\n      containers: {name: app}\n"),
            [(
                "Deployment/api: containers is not a list".to_string(),
                (7, 19)
            )]
        );
        assert_eq!(
            case("  template:\n    spec:\n      containers: [{name: a}]\n      volumes: none\n"),
            [("Deployment/api: volumes is not a list".to_string(), (8, 16))]
        );
        let pod = |containers: &str| {
            case(&format!(
                "  template:\n    spec:\n      containers:\n{containers}"
            ))
        };
        assert_eq!(
            pod("        - name: app\n          volumeMounts:\n            name: data\n"),
            [(
                "Deployment/api: volumeMounts of container app is not a list".to_string(),
                (10, 13)
            )]
        );
        assert_eq!(
            pod("        - name: app\n          volumeMounts:\n            - name: data\n"),
            [(
                "Deployment/api: a volumeMount of container app has no mountPath".to_string(),
                (10, 15)
            )]
        );
        assert_eq!(
            pod("        - name: app\n          volumeMounts:\n            - mountPath: /data\n"),
            [(
                "Deployment/api: a volumeMount of container app has no name".to_string(),
                (10, 15)
            )]
        );
        assert_eq!(
            pod("        - image: nginx\n          volumeMounts: [oops]\n"),
            [
                (
                    "Deployment/api: an entry of containers has no name".to_string(),
                    (8, 11)
                ),
                (
                    "Deployment/api: a volumeMount of container #1 of containers is not a mapping"
                        .to_string(),
                    (9, 26)
                ),
            ]
        );
        assert_eq!(
            pod("        - just-a-string\n"),
            [(
                "Deployment/api: an entry of containers is not a mapping".to_string(),
                (8, 11)
            )]
        );
        assert_eq!(
            case(
                "  template:\n    spec:\n      containers: [{name: a}]\n      volumes:\n        - hostPath: {path: /x}\n"
            ),
            [("Deployment/api: a volume has no name".to_string(), (9, 11))]
        );
        // Quoted replicas are common in templated manifests; null means unset.
        assert!(case("  replicas: \"2\"\n").is_empty());
        assert!(case("  replicas:\n").is_empty());
    }

    #[test]
    fn a_container_without_name_still_has_its_mounts() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - volumeMounts: [{name: h, mountPath: /h}]\n  volumes: [{name: h, hostPath: {path: /}}]\n";
        let (_, p) = run(text);
        assert_eq!(p.errors.len(), 1);
        let c = &only_workload(&p).containers[0];
        assert_eq!(c.owner, "Pod/p container #1 of containers");
        assert_eq!(at(c.span), (6, 7));
        assert_eq!(c.mounts[0].host_path().unwrap().path, "/");
    }

    #[test]
    fn merge_keys_and_anchors_are_followed() {
        let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - &base
      name: a
      volumeMounts: [{name: h, mountPath: /h}]
    - <<: *base
      name: b
  volumes: [{name: h, hostPath: {path: /etc}}]
";
        let (_, p) = run(text);
        let w = only_workload(&p);
        assert_eq!(w.containers.len(), 2);
        assert_eq!(w.containers[1].owner, "Pod/p container b");
        assert_eq!(w.containers[1].mounts[0].host_path().unwrap().path, "/etc");
        assert_eq!(at(w.containers[1].mounts[0].span), (8, 22));
    }

    const REALISTIC: &str = "\
# A realistic bundle: every shape the parser reads.
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: pg, namespace: db}
    spec:
      replicas: 1
      updateStrategy: {type: RollingUpdate}
      template:
        spec:
          nodeSelector: {kubernetes.io/hostname: n1}
          initContainers:
            - name: init
              image: busybox
              volumeMounts: [{name: data, mountPath: /data, readOnly: yes}]
          containers:
            - name: postgres
              image: postgres:16
              env:
                - {name: PGDATA, value: /var/lib/postgresql/data/pgdata}
              volumeMounts:
                - name: data
                  mountPath: /var/lib/postgresql/data
                - name: run
                  mountPath: /var/run/postgresql
                  mountPropagation: HostToContainer
          volumes:
            - name: run
              emptyDir: {medium: Memory, sizeLimit: 16Mi}
      volumeClaimTemplates:
        - metadata: {name: data}
          spec: {accessModes: [ReadWriteOnce], storageClassName: ssd}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: dump}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                  - matchExpressions:
                      - {key: kubernetes.io/hostname, operator: In, values: [n1]}
          containers:
            - name: dump
              volumeMounts:
                - {name: host, mountPath: /backup}
          volumes:
            - name: host
              hostPath: {path: /srv/backup, type: DirectoryOrCreate}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec:
  local: {path: /mnt/ssd}
  nodeAffinity: {required: {nodeSelectorTerms: []}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api}
spec:
  scaleTargetRef: {kind: Deployment, name: api}
  maxReplicas: 5
";

    #[test]
    fn realistic_bundle() {
        let (_, p) = run(REALISTIC);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.workloads.len(), 2);
        let pg = &p.workloads[0];
        assert_eq!(pg.pinned.map(at), Some((13, 26)));
        assert_eq!(pg.containers.len(), 2);
        assert!(pg.containers[0].mounts[0].read_only);
        assert_eq!(pg.containers[1].mounts[0].kind, MountKind::Claim);
        assert_eq!(
            pg.containers[1].mounts[1].kind,
            MountKind::EmptyDir { memory: true }
        );
        let dump = &p.workloads[1];
        assert_eq!(dump.pinned.map(at), Some((49, 25)));
        assert!(dump.containers[0].mounts[0].creates_host_path.is_some());
        assert_eq!(p.persistent_volumes.len(), 1);
        assert_eq!(p.autoscalers.len(), 1);
    }

    /// Every prefix of a realistic file, and the file with its scalars turned into lists and
    /// mappings, must parse without panicking.
    #[test]
    fn never_panics_on_truncated_or_mistyped_input() {
        let texts = [REALISTIC, VOLUME_TYPES, TWO_DOCS];
        for text in texts {
            let mut cut = 0;
            while cut <= text.len() {
                let file = SourceFile::new("x.yaml", text[..cut].to_string());
                let stream = yaml::parse(&file);
                let _ = parse(&file, &stream.documents);
                cut += 1;
            }
            for replacement in ["[]", "{}", "[1, {a: b}]", "~", "-7"] {
                let mangled: String = text
                    .lines()
                    .map(|line| match line.split_once(": ") {
                        Some((key, _))
                            if !key.trim_start().starts_with("apiVersion")
                                && !key.ends_with("kind") =>
                        {
                            format!("{key}: {replacement}\n")
                        }
                        _ => format!("{line}\n"),
                    })
                    .collect();
                let file = SourceFile::new("x.yaml", mangled);
                let stream = yaml::parse(&file);
                let _ = parse(&file, &stream.documents);
            }
        }
    }
}

//! Facts SL408–SL410 share: which claims keep a stateful container's data, the StorageClass
//! each resolves to (written on the claim, or the cluster's default), the PersistentVolume it
//! binds, and whether that storage lives on one node. Everything outside the workload's own
//! file comes through the project's cross-file lookups; what they cannot tell stays unknown,
//! and unknown facts give no finding.

use std::path::Path;

use crate::engine::Diagnostic;
use crate::model::{
    Claim, Container, ContainerRole, FileModel, Mount, MountKind, MountSource, PersistentVolume,
    Platform, Project, StorageClass, Workload, same_namespace,
};
use crate::rules::catalog::ClassEntry;
use crate::rules::ephemeral::{Reported, in_test_file, stateful_containers};
use crate::rules::facts::{ImageFacts, coverage};

/// A claim that keeps a stateful container's data.
pub(crate) struct DataClaim<'a> {
    pub container: &'a Container,
    pub facts: ImageFacts,
    pub data_path: String,
    /// The `volumeMount` over the data path.
    pub mount: &'a Mount,
    pub claim: &'a Claim,
    /// The file that declares the claim (the workload's own for a template).
    pub claim_file: &'a FileModel,
    /// A `volumeClaimTemplates` entry of the workload, not a PersistentVolumeClaim object.
    pub template: bool,
}

/// The claims that keep the data of the workload's stateful containers: one per claim, on the
/// container that runs the server. Templates resolve in the workload; other claims through
/// the project (a claim the run does not hold is unknown: left out). Node agents (DaemonSets)
/// are left out.
pub(crate) fn data_claims<'a>(
    project: &'a Project,
    file: &'a FileModel,
    w: &'a Workload,
) -> Vec<DataClaim<'a>> {
    if w.platform != Platform::Kubernetes || w.is_daemonset() {
        return Vec::new();
    }
    let mut reported = Reported::default();
    let mut out = Vec::new();
    for (container, facts) in stateful_containers(project, w) {
        if container.role != ContainerRole::Main {
            continue;
        }
        for cover in coverage(&facts, container) {
            let Some(mount) = cover.mount else { continue };
            let (MountKind::Claim, MountSource::Claim(name)) = (&mount.kind, &mount.source) else {
                continue;
            };
            let (claim, claim_file, template) =
                match w.claim_templates.iter().find(|t| &t.name.value == name) {
                    Some(t) => (t, file, true),
                    None => match project.claim(name, w.namespace.as_deref(), &file.source.path) {
                        Some((f, c)) => (c, f, false),
                        None => continue,
                    },
                };
            if !reported.first(mount) {
                continue;
            }
            out.push(DataClaim {
                container,
                facts: facts.clone(),
                data_path: cover.data_path,
                mount,
                claim,
                claim_file,
                template,
            });
        }
    }
    out
}

impl DataClaim<'_> {
    /// How messages name the claim: `claim template `data`` or `claim `pg-data``.
    pub(crate) fn describe(&self) -> String {
        if self.template {
            format!("claim template `{}`", self.claim.name.value)
        } else {
            format!("claim `{}`", self.claim.name.value)
        }
    }

    /// Where a finding about the claim points in the workload's file: a template's
    /// `storageClassName` (else its name), or the mount's `claimName`.
    pub(crate) fn span(&self) -> crate::model::Span {
        if self.template {
            self.claim
                .storage_class
                .as_ref()
                .map_or(self.claim.name.span, |c| c.span)
        } else {
            self.mount.source_or_entry_span()
        }
    }

    /// Points at the claim's class (or the claim) when another file declares it.
    pub(crate) fn relate(&self, d: &mut Diagnostic) {
        if self.template {
            return;
        }
        let (span, message) = match &self.claim.storage_class {
            Some(class) if class.value.is_empty() => (
                class.span,
                format!(
                    "claim `{}` asks for no class: a volume made by hand",
                    self.claim.name.value
                ),
            ),
            Some(class) => (
                class.span,
                format!(
                    "claim `{}` asks for class `{}`",
                    self.claim.name.value, class.value
                ),
            ),
            None => (
                self.claim.name.span,
                format!(
                    "claim `{}` names no class: the cluster's default",
                    self.claim.name.value
                ),
            ),
        };
        d.related(self.claim_file.source.path.clone(), span, message);
    }
}

/// Where a claim's class comes from when the claim names none.
#[derive(Clone, Copy, Debug)]
pub(crate) enum DefaultFrom<'a> {
    /// A StorageClass of the run annotated as the default.
    Annotated(&'a FileModel, &'a StorageClass),
    /// The configuration's `[kubernetes] default-storage-class`.
    Configured,
}

/// What the run, the configuration or the catalog know of a class.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ClassFacts<'a> {
    /// A StorageClass object of the run.
    Object(&'a FileModel, &'a StorageClass),
    /// The configuration's `[kubernetes] storage-classes`: its provisioner.
    Configured(&'a str),
    /// Nothing but its name, which the catalog knows.
    Named(&'a ClassEntry),
}

/// The class a claim resolves to.
#[derive(Clone, Debug)]
pub(crate) struct ResolvedClass<'a> {
    pub name: String,
    /// `None` when the claim names the class itself.
    pub default: Option<DefaultFrom<'a>>,
    /// `None` when nothing is known of the class beyond its name.
    pub facts: Option<ClassFacts<'a>>,
}

impl ResolvedClass<'_> {
    /// The class's provisioner, when known.
    pub(crate) fn provisioner(&self) -> Option<&str> {
        match self.facts? {
            ClassFacts::Object(_, sc) => sc.provisioner.as_ref().map(|p| p.value.as_str()),
            ClassFacts::Configured(p) => Some(p),
            ClassFacts::Named(entry) => Some(&entry.provisioner),
        }
    }

    /// `class `local-path``, or `the default class `local-path``.
    pub(crate) fn describe(&self) -> String {
        match self.default {
            Some(DefaultFrom::Configured) => {
                format!("the configured default class `{}`", self.name)
            }
            Some(DefaultFrom::Annotated(..)) => format!("the default class `{}`", self.name),
            None => format!("class `{}`", self.name),
        }
    }

    /// Points at the annotation that makes the class the default, when it is.
    pub(crate) fn relate_default(&self, d: &mut Diagnostic) {
        if let Some(DefaultFrom::Annotated(file, sc)) = self.default
            && let Some(at) = sc.default
        {
            d.related(
                file.source.path.clone(),
                at,
                format!("StorageClass/{} is the default class", sc.name.value),
            );
        }
    }

    /// Points at what tells: the default annotation, the StorageClass's provisioner.
    pub(crate) fn relate(&self, d: &mut Diagnostic, what: &str) {
        self.relate_default(d);
        if let Some(ClassFacts::Object(file, sc)) = self.facts {
            let at = sc.provisioner.as_ref().map_or(sc.name.span, |p| p.span);
            d.related(file.source.path.clone(), at, what.to_string());
        }
    }
}

/// Whether an object of `file` describes the cluster that a workload of `consumer` runs on:
/// a StorageClass or PersistentVolume of a test fixture (a `test`, `e2e`, ... folder) stands
/// for the test's cluster only, not for the production manifests beside it.
fn visible(consumer: &Path, file: &FileModel) -> bool {
    !in_test_file(&file.source.path) || in_test_file(consumer)
}

/// The class of `claim`: the one it names, else the cluster's default — a StorageClass of the
/// run annotated as the default (when the run's defaults agree on one name), else the
/// configuration's `default-storage-class`. `None` when the claim opts out of classes
/// (`storageClassName: ""`) or no default is known.
pub(crate) fn resolve_class<'a>(
    project: &'a Project,
    claim: &Claim,
    consumer: &Path,
) -> Option<ResolvedClass<'a>> {
    let (name, default) = match &claim.storage_class {
        Some(class) if class.value.is_empty() => return None,
        Some(class) => (class.value.clone(), None),
        None => {
            let defaults: Vec<(&FileModel, &StorageClass)> = project
                .default_storage_classes()
                .filter(|(f, _)| visible(consumer, f))
                .collect();
            match defaults.first() {
                // Several defaults: the API server takes the newest, which a run cannot know.
                Some(&(file, sc)) => {
                    if defaults.iter().any(|(_, o)| o.name.value != sc.name.value) {
                        return None;
                    }
                    (
                        sc.name.value.clone(),
                        Some(DefaultFrom::Annotated(file, sc)),
                    )
                }
                None => (
                    project.catalog().cluster.default_class.clone()?,
                    Some(DefaultFrom::Configured),
                ),
            }
        }
    };
    let facts = class_facts(project, &name, consumer);
    Some(ResolvedClass {
        name,
        default,
        facts,
    })
}

/// What is known of the class `name`: a StorageClass of the run (several of one name must
/// agree on provisioner and reclaim policy, else nothing is known), else the configuration's
/// word, else the catalog's class names.
fn class_facts<'a>(project: &'a Project, name: &str, consumer: &Path) -> Option<ClassFacts<'a>> {
    let objects: Vec<(&FileModel, &StorageClass)> = project
        .storage_classes(name)
        .filter(|(f, _)| visible(consumer, f))
        .collect();
    if let Some(&(file, sc)) = objects.first() {
        let value = |v: &Option<crate::model::Spanned<String>>| v.as_ref().map(|v| v.value.clone());
        let agree = objects.iter().all(|(_, o)| {
            value(&o.provisioner) == value(&sc.provisioner)
                && value(&o.reclaim_policy) == value(&sc.reclaim_policy)
        });
        return agree.then_some(ClassFacts::Object(file, sc));
    }
    let catalog = project.catalog();
    if let Some(provisioner) = catalog.configured_class(name) {
        return Some(ClassFacts::Configured(provisioner));
    }
    catalog.node_local_class(name).map(ClassFacts::Named)
}

/// The PersistentVolumes of the run a claim binds, or may bind.
pub(crate) struct ClaimVolumes<'a> {
    pub volumes: Vec<(&'a FileModel, &'a PersistentVolume)>,
    /// The claim names the volume (`volumeName`) or the volume the claim (`claimRef`); else
    /// these are the volumes of the claim's class it may bind.
    pub exact: bool,
}

impl ClaimVolumes<'_> {
    /// `bound to PersistentVolume `x``, `served by PersistentVolume `x` (and 2 more)`.
    pub(crate) fn describe(&self) -> String {
        let Some((_, first)) = self.volumes.first() else {
            return String::new();
        };
        let more = match self.volumes.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        if self.exact {
            format!("bound to PersistentVolume `{}`", first.name.value)
        } else {
            format!("served by PersistentVolume `{}`{more}", first.name.value)
        }
    }
}

/// The PersistentVolumes of the run the claim binds: the one its `volumeName` names, or one
/// whose `claimRef` reserves it for the claim; else, for a claim with a label selector, the
/// volumes whose labels it selects (of its class when it names one), and for a claim that
/// names its class (`""` included), the volumes of that class — in both cases those that no
/// other claim reserves and that offer its access modes: the binder picks one of them before
/// it provisions anything. Empty when the run does not tell.
pub(crate) fn claim_volumes<'a>(
    project: &'a Project,
    claim: &Claim,
    consumer: &Path,
) -> ClaimVolumes<'a> {
    let none = ClaimVolumes {
        volumes: Vec::new(),
        exact: false,
    };
    if let Some(found) = project.bound_volume(claim) {
        if !visible(consumer, found.0) {
            return none;
        }
        return ClaimVolumes {
            volumes: vec![found],
            exact: true,
        };
    }
    // A named volume the run does not hold is unknown.
    if claim.volume_name.is_some() {
        return none;
    }
    let fits = |f: &FileModel, pv: &PersistentVolume| {
        if !visible(consumer, f) {
            return false;
        }
        // Reserved for another claim (this claim's would have been found above).
        let free = pv.claim_ref.as_ref().is_none_or(|r| {
            r.name.value == claim.name.value
                && same_namespace(r.namespace.as_deref(), claim.namespace.as_deref())
        });
        let modes = pv.access_modes.is_empty()
            || claim
                .access_modes
                .iter()
                .all(|m| pv.access_modes.iter().any(|p| p.value == m.value));
        free && modes
    };
    // A claim with a selector binds only a volume made beforehand whose labels match (and of
    // its class, when it names one): nothing is provisioned for it. One of its `matchLabels`
    // finds the candidates; the whole selector decides.
    if let Some(selector) = &claim.selector {
        let Some((key, value)) = selector.match_labels.first() else {
            return none;
        };
        let class = claim.storage_class.as_ref().map(|c| c.value.as_str());
        let volumes = project
            .labelled_volumes(key, value)
            .filter(|(f, pv)| {
                let same_class = class.is_none_or(|c| {
                    pv.storage_class.as_ref().map_or("", |p| p.value.as_str()) == c
                });
                same_class && selector.matches(&pv.labels) == Some(true) && fits(f, pv)
            })
            .collect();
        return ClaimVolumes {
            volumes,
            exact: false,
        };
    }
    // The class of a claim that names none is the cluster's default: unknown here.
    let Some(class) = &claim.storage_class else {
        return none;
    };
    let volumes = project
        .class_volumes(&class.value)
        .filter(|(f, pv)| fits(f, pv))
        .collect();
    ClaimVolumes {
        volumes,
        exact: false,
    }
}

/// Whether a PersistentVolume is a folder or disk of one node.
fn is_local_volume(pv: &PersistentVolume) -> bool {
    pv.source_type
        .as_ref()
        .is_some_and(|s| matches!(s.value.as_str(), "local" | "hostPath"))
}

/// Why a claim's volume lives on one node.
pub(crate) enum NodeLocalBy<'a> {
    /// The PersistentVolumes it binds (or may bind) are `local` or `hostPath` volumes.
    Volume(ClaimVolumes<'a>),
    /// Its class's provisioner keeps volumes on one node.
    Class(ResolvedClass<'a>),
}

/// Whether the claim's volume lives on one node, and why; `None` when it does not or when
/// that is unknown. The PersistentVolumes of the run the claim binds or may bind (see
/// [`claim_volumes`]) decide when there are any: all `local` or `hostPath`; else the class:
/// its provisioner (from the run or the configuration) when the catalog lists it — a
/// provisioner that creates nothing (`kubernetes.io/no-provisioner`) only by a node-local
/// class name — else a class name the catalog lists.
pub(crate) fn node_local<'a>(
    project: &'a Project,
    claim: &Claim,
    consumer: &Path,
) -> Option<NodeLocalBy<'a>> {
    let volumes = claim_volumes(project, claim, consumer);
    if !volumes.volumes.is_empty() {
        let local = volumes.volumes.iter().all(|(_, pv)| is_local_volume(pv));
        return local.then_some(NodeLocalBy::Volume(volumes));
    }
    let class = resolve_class(project, claim, consumer)?;
    let catalog = project.catalog();
    let by_name = || catalog.node_local_class(&class.name).is_some();
    let local = match class.facts? {
        ClassFacts::Named(_) => true,
        ClassFacts::Object(..) | ClassFacts::Configured(_) => {
            let provisioner = class.provisioner()?;
            match catalog.node_local_provisioner(provisioner) {
                Some(p) if p.is_static => by_name(),
                Some(_) => true,
                None => false,
            }
        }
    };
    local.then_some(NodeLocalBy::Class(class))
}

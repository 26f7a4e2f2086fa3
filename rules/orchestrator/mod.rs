//! SL4xx: host-local storage under an orchestrator (Kubernetes, Docker Swarm), where the
//! scheduler may move a workload to a node that does not have its files, or where the
//! orchestrator deletes a workload's data when told to.

pub mod claim_retention_deletes_data;
pub mod data_on_host_local_volume;
pub mod data_on_node_local_storage;
pub mod host_path_in_workload;
pub mod local_pv_without_node_affinity;
pub mod reclaim_policy_deletes_data;
pub mod rwo_claim_rolling_update;
pub mod rwo_claim_shared_by_replicas;
pub(crate) mod storage;
pub mod swarm_bind_mount;
pub mod swarm_local_volume;

use crate::engine::Diagnostic;
use crate::model::{
    Claim, FileModel, Mount, MountKind, MountSource, Platform, Project, VolumeDecl, Workload,
};
use crate::rules::facts::{ImageFacts, coverage, image_facts};

/// `driver_opts` `type`s of the local driver that mount a network filesystem: every node
/// mounts the same remote share, so the volume follows the task.
const REMOTE_TYPES: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb",
    "smb3",
    "smbfs",
    "glusterfs",
    "ceph",
    "cephfs",
    "sshfs",
    "fuse.sshfs",
];

/// Words that name a network filesystem in a host path (`/mnt/gfs`, `/mnt/nfs/app`,
/// `/srv/cephfs-data`): a share the administrator mounts at the same path on every node.
/// (The filesystem types of [`REMOTE_TYPES`] count too.)
const SHARE_WORDS: &[&str] = &["gfs", "gluster", "efs", "moosefs", "seaweedfs", "nas"];

/// The word of an absolute host path that names a network filesystem mounted there
/// ([`REMOTE_TYPES`], [`SHARE_WORDS`]), as a folder's name or a word of it.
fn network_share_word(path: &str) -> Option<&'static str> {
    if !path.starts_with('/') {
        return None;
    }
    path.split('/').find_map(|folder| {
        let folder = folder.to_ascii_lowercase();
        folder.split(['-', '_', '.']).find_map(|word| {
            REMOTE_TYPES
                .iter()
                .chain(SHARE_WORDS)
                .copied()
                .find(|s| *s == word)
        })
    })
}

/// The NAS whose own storage root holds an absolute host path (`/share/...` on QNAP,
/// `/volume1/...` on Synology, `/mnt/user/...` on Unraid): a swarm running there runs on the
/// NAS (most often its only node), or on nodes that mount the NAS's shares at that path.
fn nas_root(path: &str) -> Option<&'static str> {
    let mut folders = path.strip_prefix('/')?.split('/');
    let (first, second) = (folders.next()?, folders.next());
    match first {
        "share" if second.is_some_and(|s| !s.is_empty()) => Some("QNAP"),
        _ if first
            .strip_prefix("volume")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            && second.is_some_and(|s| !s.is_empty()) =>
        {
            Some("Synology")
        }
        "mnt" if second == Some("user") && folders.next().is_some_and(|s| !s.is_empty()) => {
            Some("Unraid")
        }
        _ => None,
    }
}

/// Why a swarm bind's host folder is likely the same on every node that runs the task: the
/// path names a network share, or lies on a NAS's own storage.
fn shared_storage(path: &str) -> Option<String> {
    if let Some(word) = network_share_word(path) {
        return Some(format!(
            "the path names a network share (`{word}`): make sure it is mounted at this path \
             on every node that may run the task"
        ));
    }
    nas_root(path).map(|nas| {
        format!(
            "the path is on a {nas} NAS's own storage: a swarm there runs on the NAS, or on \
             nodes that mount its shares at this path; make sure every node that may run the \
             task does"
        )
    })
}

/// Makes a host-local finding about a folder that holds only logs info
/// ([`crate::rules::facts::log_folder`]), saying why (`moved`: what happens on another node).
fn logs_only(d: &mut Diagnostic, moved: &str) {
    d.severity(crate::engine::Severity::Info).help(format!(
        "only logs are kept there: {moved}; ship logs to a collector if they matter"
    ));
}

/// Whether the claim admits a single pod (`ReadWriteOncePod`), wherever it runs.
fn pod_exclusive(claim: &Claim) -> bool {
    claim
        .access_modes
        .iter()
        .any(|a| a.value == "ReadWriteOncePod")
}

/// The top-level compose declaration of the named volume a mount goes through.
fn volume_decl<'a>(file: &'a FileModel, m: &Mount) -> Option<&'a VolumeDecl> {
    file.volume_decl(m.volume.as_ref()?)
}

/// A declared, non-external volume of the `local` driver (or none) that mounts no network
/// filesystem: it lives on the node the task runs on. External and undeclared volumes are
/// unknown: `None`.
fn node_local_volume<'a>(file: &'a FileModel, m: &Mount) -> Option<&'a VolumeDecl> {
    if m.kind != MountKind::Volume {
        return None;
    }
    let decl = volume_decl(file, m)?;
    if decl.external {
        return None;
    }
    let local = decl.driver.as_ref().is_none_or(|d| d.value == "local");
    let remote = decl
        .driver_opt("type")
        .is_some_and(|t| REMOTE_TYPES.contains(&t.value.to_ascii_lowercase().as_str()));
    (local && !remote).then_some(decl)
}

/// ` through volume `x` (a bind mount in disguise)` for local-driver volumes with `o: bind`;
/// the label on the volume's `device` says how.
fn disguise(m: &Mount) -> String {
    match (&m.disguised_bind, &m.volume) {
        (Some(_), Some(v)) => format!(" through volume `{}` (a bind mount in disguise)", v.value),
        _ => String::new(),
    }
}

/// Labels the disguised volume's `device`.
fn label_device(d: &mut Diagnostic, m: &Mount) {
    if let Some(device) = m.disguised_bind {
        d.label(device, "`o: bind`: the volume's `device` is this host path");
    }
}

/// Labels why a compose service counts as a swarm service, when a key says so (with
/// `--compose-mode swarm` no key needs to).
fn label_swarm(d: &mut Diagnostic, w: &Workload) {
    if let Some(reason) = &w.swarm_reason {
        d.label(
            reason.span,
            format!("deployed to swarm (`deploy.{}`)", reason.value),
        );
    }
}

/// A swarm service pinned by a node label (`node.labels.db == true`) runs on the labelled
/// nodes, often one: at most info. Labels the constraint and lowers the finding. So does a
/// placement merged from an anchor the file does not define: it may pin the service.
fn pinned_by_label(d: &mut Diagnostic, w: &Workload) {
    if w.platform != Platform::Swarm {
        return;
    }
    if let Some(label) = w.pinned_by_label {
        d.severity(crate::engine::Severity::Info)
            .label(label, "pinned to the nodes with this label (maybe one)");
    } else if let Some(merge) = w.placement_unknown {
        d.severity(crate::engine::Severity::Info).label(
            merge,
            "set by a variable or merged from an anchor the file does not define: it may pin \
             the service",
        );
    }
}

/// A stateful image's data path kept on one node's storage: what SL402 reports.
pub(crate) struct HostLocalData<'a> {
    pub mount: &'a Mount,
    pub facts: ImageFacts,
    pub data_path: String,
    /// The local-driver volume declaration, for a swarm named volume.
    pub decl: Option<&'a VolumeDecl>,
}

/// Every data path of the workload's stateful containers whose deepest covering mount is
/// host-local: `hostPath` in a non-DaemonSet Kubernetes workload, a bind or local-driver
/// volume in a swarm service not pinned to one node.
pub(crate) fn host_local_data<'a>(
    project: &Project,
    file: &'a FileModel,
    w: &'a Workload,
) -> Vec<HostLocalData<'a>> {
    // A DaemonSet's pod, and a global swarm service's task (swarm's DaemonSet), never leaves
    // its node: what it keeps on the node stays with it.
    let kubernetes = w.platform == Platform::Kubernetes && !w.is_daemonset();
    let swarm = w.platform == Platform::Swarm && w.pinned.is_none() && w.global.is_none();
    if !kubernetes && !swarm {
        return Vec::new();
    }
    let mut out = Vec::new();
    for container in &w.containers {
        let Some(facts) = image_facts(project, w, container) else {
            continue;
        };
        for cover in coverage(&facts, container) {
            let Some(mount) = cover.mount else { continue };
            let decl = match (&mount.kind, kubernetes) {
                (MountKind::HostPath, true) => None,
                (MountKind::Bind, false) => volume_decl(file, mount),
                (MountKind::Volume, false) => match node_local_volume(file, mount) {
                    Some(decl) => Some(decl),
                    None => continue,
                },
                _ => continue,
            };
            out.push(HostLocalData {
                mount,
                facts: facts.clone(),
                data_path: cover.data_path,
                decl,
            });
        }
    }
    out
}

/// The claim a mount uses, when it is declared in the run with only `ReadWriteOnce` /
/// `ReadWriteOncePod` access: one node (or one pod) at a time. Claim templates and claims the
/// run does not hold are unknown: `None`. `from` is the workload's file (a claim without
/// namespace is looked up near it).
fn rwo_claim<'a>(
    project: &'a Project,
    from: &std::path::Path,
    w: &Workload,
    m: &Mount,
) -> Option<(&'a FileModel, &'a Claim)> {
    if m.kind != MountKind::Claim {
        return None;
    }
    let MountSource::Claim(name) = &m.source else {
        return None;
    };
    if w.claim_templates.iter().any(|t| &t.name.value == name) {
        return None;
    }
    let (file, claim) = project.claim(name, w.namespace.as_deref(), from)?;
    let single_node = !claim.access_modes.is_empty()
        && claim
            .access_modes
            .iter()
            .all(|a| matches!(a.value.as_str(), "ReadWriteOnce" | "ReadWriteOncePod"));
    single_node.then_some((file, claim))
}

/// Why every pod of `w` that mounts the `ReadWriteOnce` claim runs on one node, where the
/// volume may be attached to several pods at once: the pod is pinned to one node, or the claim's
/// volume is node-local (its pods are scheduled to the volume's node). `None` for a
/// `ReadWriteOncePod` claim, which one pod only may use wherever it runs.
fn on_one_node(
    project: &Project,
    w: &Workload,
    claim: &Claim,
    consumer: &std::path::Path,
) -> Option<&'static str> {
    if pod_exclusive(claim) {
        return None;
    }
    if w.pinned.is_some() {
        return Some(
            "the pods are pinned to one node, where a ReadWriteOnce volume may be attached to \
             several pods",
        );
    }
    storage::node_local(project, claim, consumer).map(|_| {
        "the claim's volume is node-local: its pods run on the volume's node, where a \
         ReadWriteOnce volume may be attached to several pods"
    })
}

/// Another workload that mounts the `ReadWriteOnce` claim which `w` (in the file
/// `consumer`) mounts, all the time: the pods of both hold its volume at once, which the author's cluster
/// allows only when they run on one node (or its class does not enforce the access mode).
/// Only a workload that keeps its pods running counts (a Job or a bare Pod may run before or
/// after, not beside); one of the same kind and name (a kustomize patch, a variant of the same
/// object) is not another one.
fn other_claim_user<'a>(
    project: &'a Project,
    w: &Workload,
    claim: &Claim,
    consumer: &std::path::Path,
) -> Option<(&'a FileModel, &'a Workload)> {
    use crate::model::KubeKind;
    if pod_exclusive(claim) {
        return None;
    }
    let long_running = |k: &KubeKind| match k {
        KubeKind::Deployment
        | KubeKind::StatefulSet
        | KubeKind::DaemonSet
        | KubeKind::ReplicaSet
        | KubeKind::ReplicationController => true,
        KubeKind::Other(k) => k == "DeploymentConfig" || k == "Rollout",
        _ => false,
    };
    project
        .claim_users(&claim.name.value, w.namespace.as_deref(), consumer)
        .find(|(_, other)| {
            other.kube_kind().is_some_and(long_running)
                && !(other.kind == w.kind && other.name == w.name)
        })
}

/// Points at the claim's access modes (in whatever file declares it).
fn relate_claim(d: &mut Diagnostic, file: &FileModel, claim: &Claim) {
    let modes: Vec<&str> = claim
        .access_modes
        .iter()
        .map(|a| a.value.as_str())
        .collect();
    d.related(
        file.source.path.clone(),
        claim.access_modes_span.unwrap_or(claim.span),
        format!(
            "claim `{}` allows only {}",
            claim.name.value,
            modes.join(", ")
        ),
    );
}

/// How messages name the claim's access: `ReadWriteOncePod` when that is all it allows.
fn single_node_mode(claim: &Claim) -> &'static str {
    if claim
        .access_modes
        .iter()
        .all(|a| a.value == "ReadWriteOncePod")
    {
        "ReadWriteOncePod"
    } else {
        "ReadWriteOnce"
    }
}

use super::{disguise, host_local_data, label_device, label_swarm, pinned_by_label};
use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::{MountKind, Platform, Workload};
use crate::rules::ephemeral::data_severity;

declare_rule! {
    /// ## What it does
    /// Flags a stateful image (a database, queue, search engine, object store, ...; see the
    /// stateful image catalog) whose data path is kept on one node's storage under an
    /// orchestrator: a `hostPath` in a Kubernetes workload other than a DaemonSet, or a bind
    /// mount or `local`-driver volume in a swarm service not pinned to one node. Cache images
    /// (Redis, Valkey) are reported one level lower; a swarm service pinned by a node label
    /// (`node.labels.db == true`, which may be on one node only) as info. A service in
    /// `mode: global` is swarm's DaemonSet: each node's task stays on its node with that node's
    /// data (a cluster member, a node agent's state), so it is left to SL407. In a project's
    /// test fixtures (files under `test/`, `e2e/`, `e2e-tests/`, ...; see SL201) the finding is
    /// info: a test cluster's data is throwaway. So is a service or workload of more than one
    /// replica of an image whose servers form a quorum cluster (consul, etcd, ZooKeeper,
    /// CockroachDB: `quorum = true` in the catalog): a member that starts empty on another
    /// node rejoins and copies the data from the others while a quorum holds. So is a swarm
    /// bind of a folder on shared storage (a path naming a network share, `/mnt/nas/pg`, or on
    /// a NAS's own storage, `/share/...`, `/volume1/...`, `/mnt/user/...`; see SL406), and a
    /// swarm service whose placement is a variable or merged from an anchor the file does not
    /// define (it may pin the service).
    ///
    /// ## Why is this bad?
    /// The scheduler moves pods and tasks between nodes: on a drain, a failure, an update.
    /// The database then starts on a node whose folder or local volume is empty, initializes a
    /// new, empty database, and the application carries on without its data, while the real
    /// data sits on the old node. Kubernetes keeps data in PersistentVolumeClaims; swarm
    /// services keep it in a volume driver that follows the task, or are pinned to the node
    /// that holds it.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:17
    ///     volumes:
    ///       - /srv/pgdata:/var/lib/postgresql/data
    ///     deploy:
    ///       placement:
    ///         constraints: [node.role == worker]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:17
    ///     volumes:
    ///       - /srv/pgdata:/var/lib/postgresql/data
    ///     deploy:
    ///       placement:
    ///         constraints: [node.hostname == db-1]
    /// ```
    pub struct DataOnHostLocalVolume;
    meta { code: "SL402", name: "data-on-host-local-volume", severity: Error,
           formats: [Compose, Kubernetes],
           beats: [HostPathInWorkload, SwarmBindMount, SwarmLocalVolume] }
}

impl Rule for DataOnHostLocalVolume {
    fn check_workload(&self, w: &Workload, cx: &mut Ctx) {
        for found in host_local_data(cx.project(), cx.file(), w) {
            let m = found.mount;
            let repo = &found.facts.stateful.repository;
            let data = &found.data_path;
            let (message, help) = if w.platform == Platform::Kubernetes {
                let path = m.host_path().map_or("?", |h| h.path.as_str());
                let risk = if w.pinned.is_some() {
                    "pinned to one node, it cannot move when that node fails"
                } else {
                    "a rescheduled pod starts empty on another node"
                };
                (
                    format!(
                        "{} keeps {repo} data on host path `{path}` (hostPath over `{data}`): \
                         {risk}",
                        m.owner
                    ),
                    format!(
                        "mount a PersistentVolumeClaim at `{}` (for a database: a StatefulSet \
                         with `volumeClaimTemplates`)",
                        m.target
                    ),
                )
            } else if m.kind == MountKind::Volume {
                let name = m.volume.as_ref().map_or("?", |v| v.value.as_str());
                (
                    format!(
                        "{} keeps {repo} data in local volume `{name}` (over `{data}`) under \
                         swarm: a task on another node starts with an empty copy",
                        m.owner
                    ),
                    "pin the service to the node that holds the volume \
                     (`placement.constraints: [node.hostname == <node>]`), or back the volume \
                     with storage every node reaches (`driver_opts: {type: nfs, ...}` or a \
                     volume plugin)"
                        .to_string(),
                )
            } else {
                let path = m.host_path().map_or("?", |h| h.path.as_str());
                let how = match disguise(m) {
                    d if d.is_empty() => format!(" (bind mount over `{data}`)"),
                    d => d,
                };
                (
                    format!(
                        "{} keeps {repo} data in host folder `{path}`{how} under swarm: a task on \
                         another node starts empty",
                        m.owner
                    ),
                    "pin the service to the node that holds the folder \
                     (`placement.constraints: [node.hostname == <node>]`), or use a volume \
                     whose driver every node reaches"
                        .to_string(),
                )
            };
            // Members of a quorum cluster copy the data from each other: a replica that starts
            // empty on another node rejoins and copies it back while a quorum holds.
            let replicas = w
                .replicas
                .as_ref()
                .filter(|r| found.facts.stateful.quorum && r.value > 1);
            // A swarm bind of a folder on shared storage (a network share, a NAS's own
            // storage) is the same folder on every node that may run the task (SL406 says
            // so too).
            let shared = (w.platform == Platform::Swarm && m.kind == MountKind::Bind)
                .then(|| m.host_path().and_then(|h| super::shared_storage(&h.path)))
                .flatten();
            let severity = if replicas.is_some() || shared.is_some() {
                Severity::Info
            } else {
                data_severity(&found.facts, cx.project(), cx.file(), Severity::Error)
            };
            let d = cx
                .report(m.source_or_entry_span(), message)
                .subject(m.span)
                .severity(severity)
                .help(help);
            if let Some(why) = shared {
                d.help(why);
            }
            if let Some(r) = replicas {
                d.label(
                    r.span,
                    format!(
                        "{} replicas of a {repo} cluster: a member that starts empty copies the \
                         data from the others while a quorum of them runs",
                        r.value
                    ),
                );
            }
            match &found.facts.from {
                Some((file, from)) => {
                    d.label(found.facts.span, "built from a stateful image")
                        .related(
                            file.clone(),
                            *from,
                            format!("`{}` keeps its data at `{data}`", found.facts.reference),
                        );
                }
                None => {
                    d.label(found.facts.span, "stateful image");
                }
            }
            if m.source_span != Some(m.target_span) {
                d.label(m.target_span, format!("mounted at `{}`", m.target));
            }
            label_device(d, m);
            if let Some(decl) = found.decl.filter(|_| m.kind == MountKind::Volume) {
                let at = decl.driver.as_ref().map_or(decl.key.span, |d| d.span);
                d.label(at, "a local-driver volume: one copy per node");
            }
            if let Some(pinned) = w.pinned {
                d.label(pinned, "the pod is pinned to one node here");
            }
            label_swarm(d, w);
            pinned_by_label(d, w);
        }
    }
}

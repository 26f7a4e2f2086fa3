use super::{
    Reported, data_severity, durable_storage_help, pod_private_cache, stateful_containers,
};
use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::{Container, ContainerRole, Mount, MountKind, Platform, Workload, is_unknown};
use crate::rules::catalog::is_at_or_under;
use crate::rules::facts::{ImageFacts, coverage};

declare_rule! {
    /// ## What it does
    /// Flags a stateful image whose data path is covered by an `emptyDir` on disk or by a
    /// generic `ephemeral` volume, in any Kubernetes workload but a DaemonSet.
    /// (`emptyDir.medium: Memory` is SL301.) The data path is the one the container's command
    /// line chooses when it moves it (`--dbpath`, `minio server DIR`); a container that runs a
    /// tool of the image (`redis-cli`, `psql`) or a server with persistence switched off
    /// (`redis-server --save "" --appendonly no`) keeps no data. One finding per volume, on
    /// the container that runs the server.
    ///
    /// Init containers are not checked: they finish before the server starts, and what they
    /// write to a volume is prepared for the containers that run. The finding is info when the
    /// container keeps writable persistent storage (a claim, NFS, CSI) in a layout of its own:
    /// mounted below the data path (the application's data folders on claims, its code on the
    /// `emptyDir`), or, for a container that runs its own script on an `emptyDir` an init
    /// container of the pod fills (code copied out of the image), mounted elsewhere.
    ///
    /// In a project's test fixtures (files under `test/`, `e2e/`, `ci/`, a CI job's resources
    /// under `.github/`, ...; see SL201) the finding is info: a test cluster's database is
    /// thrown away with it on purpose.
    ///
    /// ## Why is this bad?
    /// Both live exactly as long as the pod: a rollout, an eviction, a node drain or a
    /// deleted pod deletes the data. An `emptyDir` survives only container restarts; an
    /// `ephemeral` volume's claim is deleted with its pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: db}
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: db
    ///           image: postgres:17
    ///           volumeMounts:
    ///             - name: data
    ///               mountPath: /var/lib/postgresql/data
    ///       volumes:
    ///         - name: data
    ///           emptyDir: {}
    /// ```
    ///
    /// Use instead: a StatefulSet with a `volumeClaimTemplates` entry named `data`, or a
    /// `persistentVolumeClaim` volume.
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata: {name: db}
    /// spec:
    ///   serviceName: db
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: db
    ///           image: postgres:17
    ///           volumeMounts:
    ///             - name: data
    ///               mountPath: /var/lib/postgresql/data
    ///   volumeClaimTemplates:
    ///     - metadata: {name: data}
    ///       spec:
    ///         accessModes: [ReadWriteOnce]
    ///         resources: {requests: {storage: 10Gi}}
    /// ```
    pub struct DataOnEmptydir;
    meta { code: "SL203", name: "data-on-emptydir", severity: Error,
           formats: [Kubernetes],
           beats: [UnboundedEmptydir] }
}

impl Rule for DataOnEmptydir {
    fn check_workload(&self, w: &Workload, cx: &mut Ctx) {
        if w.platform != Platform::Kubernetes || w.is_daemonset() {
            return;
        }
        let mut reported = Reported::default();
        for (c, facts) in stateful_containers(cx.project(), w) {
            // An init container runs to completion before the server starts: what it writes
            // to the volume is prepared for the others, not kept by a server.
            if c.role != ContainerRole::Main {
                continue;
            }
            for cov in coverage(&facts, c) {
                let Some(m) = cov.mount else { continue };
                let what = match m.kind {
                    MountKind::EmptyDir { memory: false } => "an `emptyDir`",
                    MountKind::Ephemeral => "a generic `ephemeral` volume",
                    _ => continue,
                };
                if !reported.first(m) {
                    continue;
                }
                let volume = m.volume.as_ref().map_or("", |v| v.value.as_str());
                let severity = if pod_private_cache(cx.project(), w, c, &facts) {
                    Severity::Info
                } else {
                    data_severity(&facts, cx.project(), cx.file(), Severity::Error)
                };
                let d = cx
                    .report(
                        m.target_span,
                        format!(
                            "{} keeps {} data in `{}` on {what} deleted with the pod",
                            c.owner, facts.stateful.repository, cov.data_path
                        ),
                    )
                    .subject(m.span)
                    .severity(severity)
                    .help(durable_storage_help(w, c, &m.target));
                if let Some(span) = m.source_span {
                    d.label(
                        span,
                        format!("volume `{volume}` lives only as long as the pod"),
                    );
                }
                if let Some(kept) = custom_layout(w, c, &facts, &cov.data_path, m) {
                    d.severity(Severity::Info).label(
                        kept.target_span,
                        format!(
                            "persistent storage at `{}`: in this layout the data is presumably \
                             kept there",
                            kept.target
                        ),
                    );
                }
            }
        }
    }
}

/// Writable persistent storage (a claim, NFS, CSI) where the container keeps its data instead
/// of the `emptyDir` `m` over its data path, by a layout of its own: mounted below the data
/// path (the application's data folders on claims, its code on the `emptyDir`); or, for a
/// container that runs a script of its own (not the image's server) on an `emptyDir` an
/// init container of the pod prepares (the code copied out of the image), mounted anywhere.
fn custom_layout<'a>(
    w: &Workload,
    c: &'a Container,
    facts: &ImageFacts,
    data_path: &str,
    m: &Mount,
) -> Option<&'a Mount> {
    let persistent = |p: &&Mount| {
        matches!(p.kind, MountKind::Claim | MountKind::Nfs | MountKind::Csi)
            && !p.read_only
            && !is_unknown(&p.target)
    };
    if let Some(below) = c
        .mounts
        .iter()
        .filter(persistent)
        .find(|p| p.target != data_path && is_at_or_under(&p.target, data_path))
    {
        return Some(below);
    }
    let own_script = c.command.is_set() && !facts.named_server;
    let prepared = m.volume.as_ref().is_some_and(|v| {
        w.containers.iter().any(|o| {
            o.role == ContainerRole::Init
                && o.mounts
                    .iter()
                    .any(|om| om.volume.as_ref().is_some_and(|ov| ov.value == v.value))
        })
    });
    if !own_script || !prepared {
        return None;
    }
    c.mounts
        .iter()
        .filter(persistent)
        .find(|p| !is_at_or_under(data_path, &p.target) && !is_at_or_under(&p.target, data_path))
}

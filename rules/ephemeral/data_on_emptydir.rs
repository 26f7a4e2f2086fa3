use super::{Reported, durable_storage_help, stateful_containers};
use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::{MountKind, Platform, Workload};
use crate::rules::facts::coverage;

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
                let d = cx
                    .report(
                        m.target_span,
                        format!(
                            "{} keeps {} data in `{}` on {what} deleted with the pod",
                            c.owner, facts.stateful.repository, cov.data_path
                        ),
                    )
                    .subject(m.span)
                    .severity(facts.severity(Severity::Error))
                    .help(durable_storage_help(w, c, &m.target));
                if let Some(span) = m.source_span {
                    d.label(
                        span,
                        format!("volume `{volume}` lives only as long as the pod"),
                    );
                }
            }
        }
    }
}

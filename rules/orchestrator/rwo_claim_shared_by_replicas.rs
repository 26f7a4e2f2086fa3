use super::{on_one_node, relate_claim, rwo_claim, single_node_mode};
use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{AutoscalerKind, Container, KubeKind, Mount, Workload};

/// Kinds of other API groups whose replicas share one pod template, and so its claims: an
/// Argo Rollout, an OpenShift DeploymentConfig, Knative's `Service`, `Configuration` and
/// `Revision` (the reader makes no workload of the core `Service`).
const REPLICATED_OTHER_KINDS: &[&str] = &[
    "Rollout",
    "DeploymentConfig",
    "Service",
    "Configuration",
    "Revision",
];

fn replicated(kind: &KubeKind) -> bool {
    match kind {
        KubeKind::Deployment | KubeKind::ReplicaSet | KubeKind::ReplicationController => true,
        KubeKind::Other(name) => REPLICATED_OTHER_KINDS.contains(&name.as_str()),
        _ => false,
    }
}

declare_rule! {
    /// ## What it does
    /// Flags a Deployment, ReplicaSet, ReplicationController, Argo Rollout, OpenShift
    /// DeploymentConfig or Knative Service (Configuration, Revision) that runs more than one
    /// replica and mounts a PersistentVolumeClaim whose access modes are only `ReadWriteOnce`
    /// or `ReadWriteOncePod`. More than one replica: `replicas` > 1 (Knative: the
    /// `autoscaling.knative.dev/min-scale` annotation), a HorizontalPodAutoscaler with
    /// `maxReplicas` > 1, a KEDA ScaledObject with `maxReplicaCount` > 1 (100 when left out),
    /// or a Knative `autoscaling.knative.dev/max-scale` > 1. The claim and the autoscalers are
    /// looked up across all files of the run; a claim the run does not hold is not reported.
    ///
    /// ## Why is this bad?
    /// Every replica mounts the same claim. `ReadWriteOnce` attaches the volume to one node:
    /// replicas scheduled elsewhere hang in `ContainerCreating` with a multi-attach error, and
    /// the ones that do start on the same node write the same files concurrently.
    /// `ReadWriteOncePod` admits a single pod. Scaling up, or the autoscaler doing it, breaks
    /// the workload. A StatefulSet gives each replica its own claim through
    /// `volumeClaimTemplates`.
    ///
    /// When every replica runs on one node — the pod is pinned (`nodeName`, a
    /// `kubernetes.io/hostname` selector or affinity) or the claim's volume is node-local (a
    /// `local`/`hostPath` PersistentVolume, a node-local storage class) — a `ReadWriteOnce`
    /// volume attaches to all of them: the finding is info, for the concurrent writes only.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: uploads}
    /// spec:
    ///   replicas: 3
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: app
    ///           image: example/uploads:1.4
    ///           volumeMounts: [{name: files, mountPath: /srv/files}]
    ///       volumes:
    ///         - name: files
    ///           persistentVolumeClaim: {claimName: uploads-files}
    /// ---
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata: {name: uploads-files}
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    ///   resources: {requests: {storage: 5Gi}}
    /// ```
    ///
    /// Use instead: a claim with `accessModes: [ReadWriteMany]` (a storage class that supports
    /// it, such as NFS or CephFS) when the replicas share the files, or a StatefulSet with
    /// `volumeClaimTemplates` when each replica keeps its own.
    pub struct RwoClaimSharedByReplicas;
    meta { code: "SL404", name: "rwo-claim-shared-by-replicas", severity: Error,
           formats: [Kubernetes],
           beats: [RwoClaimRollingUpdate] }
}

impl Rule for RwoClaimSharedByReplicas {
    fn check_mount(&self, m: &Mount, _c: &Container, w: &Workload, cx: &mut Ctx) {
        if !w.kube_kind().is_some_and(replicated) {
            return;
        }
        let project = cx.project();
        let Some((file, claim)) = rwo_claim(project, &cx.file().source.path, w, m) else {
            return;
        };
        let replicas = w.replicas.as_ref().filter(|r| r.value > 1);
        let autoscaler = project
            .autoscalers_of(w)
            .filter_map(|(i, a)| Some((i, a, a.max_replicas.as_ref()?)))
            .find(|(_, _, max)| max.value > 1);
        let scale = match (replicas, &autoscaler) {
            (Some(r), _) => format!("{} replicas", r.value),
            (None, Some((_, a, max))) => {
                format!("up to {} replicas ({})", max.value, a.describe())
            }
            (None, None) => return,
        };
        let Some(at) = m.source_span else { return };
        let one_node = on_one_node(project, w, claim, &cx.file().source.path);
        let d = cx
            .report(
                at,
                format!(
                    "{} runs {scale} that all mount {} claim `{}`",
                    w.owner,
                    single_node_mode(claim),
                    claim.name.value
                ),
            )
            .subject(m.span)
            .help(
                "use a claim with `accessModes: [ReadWriteMany]` if the replicas share the \
                 files, or a StatefulSet with `volumeClaimTemplates` so each replica gets its \
                 own claim",
            );
        relate_claim(d, file, claim);
        // On one node the replicas can all attach a ReadWriteOnce volume: what is left is
        // several pods writing one folder, which the application may or may not coordinate.
        if let Some(why) = one_node {
            d.severity(crate::engine::Severity::Info).help(format!(
                "{why}; make sure the application coordinates writes from several pods, or give \
                 each replica its own claim (a StatefulSet with `volumeClaimTemplates`)"
            ));
        }
        match (replicas, autoscaler) {
            (Some(r), _) => {
                d.label(r.span, format!("{} replicas, one claim", r.value));
            }
            (None, Some((i, a, max))) => {
                let what = match a.kind {
                    AutoscalerKind::HorizontalPodAutoscaler => {
                        format!("HorizontalPodAutoscaler/{} scales up to here", a.name.value)
                    }
                    AutoscalerKind::ScaledObject if a.default_max => format!(
                        "ScaledObject/{} scales up to {} (`maxReplicaCount` left out)",
                        a.name.value, max.value
                    ),
                    AutoscalerKind::ScaledObject => {
                        format!("ScaledObject/{} scales up to here", a.name.value)
                    }
                    AutoscalerKind::Knative => "Knative scales up to here".to_string(),
                };
                d.related(i.source.path.clone(), max.span, what);
            }
            (None, None) => {}
        }
    }
}

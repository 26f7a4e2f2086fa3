use super::{on_one_node, other_claim_user, relate_claim, rwo_claim, single_node_mode};
use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{Container, KubeKind, Mount, Workload};

declare_rule! {
    /// ## What it does
    /// Flags a Deployment that mounts a PersistentVolumeClaim whose access modes are only
    /// `ReadWriteOnce` or `ReadWriteOncePod` with the default or an explicit `RollingUpdate`
    /// strategy (and an OpenShift DeploymentConfig with its default `Rolling` strategy). The claim is looked up across all files of the run.
    ///
    /// A Kubernetes object that the kustomization beside it (in its folder or the one above)
    /// patches with a file that is not there (generated per cluster, or ignored by git) is
    /// reported as info: what kustomize renders from it is unknown, and the patch may add
    /// what is missing here.
    ///
    /// ## Why is this bad?
    /// A rolling update starts the new pod before it stops the old one. The old pod still
    /// holds the volume: the new one cannot attach it (a multi-attach error on another node,
    /// always with `ReadWriteOncePod`), stays in `ContainerCreating`, and the rollout hangs
    /// until its deadline. `Recreate` stops the old pod first; a StatefulSet replaces its pods
    /// one by one and is made for workloads that own a volume. A rolling update with
    /// `maxSurge: 0` also stops an old pod before it starts its replacement, so it is not
    /// flagged; nor is a `ReadWriteOnce` claim whose pods all run on one node (the pod is
    /// pinned with `nodeName` or a `kubernetes.io/hostname` selector, or the claim's volume is
    /// node-local): there the volume may be attached to the old and the new pod at once. A
    /// claim's volume is node-local when the PersistentVolumes it may bind are `local` or
    /// `hostPath` volumes: the one it names, the one reserved for it, those its label
    /// `selector` matches (a claim with a selector is never provisioned dynamically), or those
    /// of its class; else when its class keeps volumes on one node. A Deployment pinned by an
    /// administrator's own node label (`nodeSelector: {node: main}`) runs on one node or on
    /// several, which the files do not tell: info. So is a Deployment whose `ReadWriteOnce`
    /// claim another long-running workload (a Deployment, StatefulSet, DaemonSet, ReplicaSet or
    /// ReplicationController of another name; not a Job) mounts too: both hold the volume at
    /// once, which works only where the pods share a node (or the class does not enforce the
    /// access mode), and there the new pod attaches it as well.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: grafana}
    /// spec:
    ///   replicas: 1
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: grafana
    ///           image: grafana/grafana:11.3.0
    ///           volumeMounts: [{name: data, mountPath: /var/lib/grafana}]
    ///       volumes:
    ///         - name: data
    ///           persistentVolumeClaim: {claimName: grafana-data}
    /// ---
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata: {name: grafana-data}
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    ///   resources: {requests: {storage: 1Gi}}
    /// ```
    ///
    /// Use instead: the same Deployment with the `Recreate` strategy.
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: grafana}
    /// spec:
    ///   replicas: 1
    ///   strategy: {type: Recreate}
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: grafana
    ///           image: grafana/grafana:11.3.0
    ///           volumeMounts: [{name: data, mountPath: /var/lib/grafana}]
    ///       volumes:
    ///         - name: data
    ///           persistentVolumeClaim: {claimName: grafana-data}
    /// ---
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata: {name: grafana-data}
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    ///   resources: {requests: {storage: 1Gi}}
    /// ```
    pub struct RwoClaimRollingUpdate;
    meta { code: "SL405", name: "rwo-claim-rolling-update", severity: Warning,
           formats: [Kubernetes] }
}

impl Rule for RwoClaimRollingUpdate {
    fn check_mount(&self, m: &Mount, _c: &Container, w: &Workload, cx: &mut Ctx) {
        // OpenShift's DeploymentConfig rolls the same way (`Rolling`, its default).
        let rolling = match w.kube_kind() {
            Some(KubeKind::Deployment) => "RollingUpdate",
            Some(KubeKind::Other(k)) if k == "DeploymentConfig" => "Rolling",
            _ => return,
        };
        if w.strategy.as_ref().is_some_and(|s| s.value != rolling) {
            return;
        }
        if w.no_surge.is_some() {
            return;
        }
        let project = cx.project();
        let Some((file, claim)) = rwo_claim(project, &cx.file().source.path, w, m) else {
            return;
        };
        // On one node a ReadWriteOnce volume is attached to the old and the new pod at once.
        if on_one_node(project, w, claim, &cx.file().source.path).is_some() {
            return;
        }
        let Some(at) = m.source_span else { return };
        let how = if w.strategy.is_some() {
            format!("a {rolling} strategy")
        } else {
            format!("the default {rolling} strategy")
        };
        let this_file = cx.file();
        let d = cx
            .report(
                at,
                format!(
                    "{} mounts {} claim `{}` with {how}: the new pod cannot attach it \
                     while the old one runs",
                    w.owner,
                    single_node_mode(claim),
                    claim.name.value
                ),
            )
            .subject(m.span)
            .help("set `spec.strategy.type: Recreate`, or run the workload as a StatefulSet");
        // Pinned by an administrator's node label: one node (no hang) or several, which the
        // files do not tell.
        if let Some(label) = w.pinned_by_label {
            d.severity(crate::engine::Severity::Info)
                .label(label, "pinned to the nodes with this label (maybe one)");
        }
        // Another workload holds the same volume all the time: where that works (one node,
        // or a class that does not enforce the access mode), the new pod attaches it too.
        if let Some((other_file, other)) =
            other_claim_user(project, w, claim, &this_file.source.path)
        {
            d.severity(crate::engine::Severity::Info).related(
                other_file.source.path.clone(),
                other.span,
                format!(
                    "{} mounts the same claim at the same time: where that works, the pods \
                     run on one node and the new pod attaches the volume too",
                    other.owner
                ),
            );
        }
        crate::rules::facts::workload_after_missing_patch(d, this_file, w);
        relate_claim(d, file, claim);
        match &w.strategy {
            Some(s) => d.label(s.span, "rolling update"),
            None => d.label(w.span, format!("no `spec.strategy`: {rolling} by default")),
        };
    }
}

use super::storage::{ClassFacts, claim_volumes, data_claims, resolve_class};
use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::Workload;
use crate::rules::ephemeral::data_severity;

declare_rule! {
    /// ## What it does
    /// Flags a claim that keeps a stateful image's data path (see the stateful image catalog)
    /// on a volume that is deleted or wiped once the claim is deleted:
    /// - a PersistentVolume of the run that the claim binds (by `volumeName` or the volume's
    ///   `claimRef`; else every volume of the claim's class it may bind) with
    ///   `persistentVolumeReclaimPolicy: Delete` or `Recycle` — a `warning`: a volume created
    ///   by hand is kept (`Retain`) unless it says otherwise, so someone chose this for the
    ///   database's volume;
    /// - a StorageClass of the run whose `reclaimPolicy` is `Delete`, written or left to the
    ///   default, that provisions the claim's volume (the class the claim names, or the
    ///   run's default class) — `info`.
    ///
    /// Classes the run does not declare are not reported: their reclaim policy is unknown.
    /// Cache images (Redis, Valkey) and test fixtures are reported one level lower (info at
    /// least).
    ///
    /// ## Why is this bad?
    /// The reclaim policy decides what happens to the volume once its claim is deleted —
    /// which takes one command: a `kubectl delete` of a folder of manifests that holds the
    /// claim, a Helm uninstall, a GitOps prune, a deleted namespace. With `Delete` the
    /// provisioner deletes the volume and the disk behind it; with `Recycle` (deprecated) the
    /// volume is wiped (`rm -rf` of its contents) for the next claim. With `Retain` the volume
    /// and its data stay, `Released`, until an administrator deletes them or binds them again.
    ///
    /// Why `info` for classes: almost every dynamic class deletes by default, and for most
    /// volumes that is what a team wants — released volumes otherwise pile up and cost. For
    /// the class a database's data is provisioned from, a database operator prefers `Retain`
    /// (a second class such as `fast-retain` is the usual way); the finding says where that
    /// choice is made, and never fails a build.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: PersistentVolume
    /// metadata: {name: pg-data}
    /// spec:
    ///   capacity: {storage: 50Gi}
    ///   accessModes: [ReadWriteOnce]
    ///   persistentVolumeReclaimPolicy: Delete
    ///   claimRef: {name: pg-data, namespace: db}
    ///   csi: {driver: ebs.csi.aws.com, volumeHandle: vol-0abc}
    /// ---
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata: {name: pg-data, namespace: db}
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    ///   storageClassName: ""
    ///   volumeName: pg-data
    ///   resources: {requests: {storage: 50Gi}}
    /// ---
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata: {name: pg, namespace: db}
    /// spec:
    ///   serviceName: pg
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: pg
    ///           image: postgres:17
    ///           volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
    ///       volumes:
    ///         - name: data
    ///           persistentVolumeClaim: {claimName: pg-data}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: PersistentVolume
    /// metadata: {name: pg-data}
    /// spec:
    ///   capacity: {storage: 50Gi}
    ///   accessModes: [ReadWriteOnce]
    ///   persistentVolumeReclaimPolicy: Retain
    ///   claimRef: {name: pg-data, namespace: db}
    ///   csi: {driver: ebs.csi.aws.com, volumeHandle: vol-0abc}
    /// ---
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata: {name: pg-data, namespace: db}
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    ///   storageClassName: ""
    ///   volumeName: pg-data
    ///   resources: {requests: {storage: 50Gi}}
    /// ---
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata: {name: pg, namespace: db}
    /// spec:
    ///   serviceName: pg
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: pg
    ///           image: postgres:17
    ///           volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
    ///       volumes:
    ///         - name: data
    ///           persistentVolumeClaim: {claimName: pg-data}
    /// ```
    pub struct ReclaimPolicyDeletesData;
    meta { code: "SL410", name: "reclaim-policy-deletes-data", severity: Warning,
           formats: [Kubernetes] }
}

impl Rule for ReclaimPolicyDeletesData {
    fn check_workload(&self, w: &Workload, cx: &mut Ctx) {
        let project = cx.project();
        let file = cx.file();
        for found in data_claims(project, cx.file(), w) {
            let repo = &found.facts.stateful.repository;
            // The volumes the claim binds (or may bind) decide; a class's policy applies only
            // to the volumes it provisions.
            let volumes = claim_volumes(project, found.claim, &file.source.path);
            if let Some(&(file, pv)) = volumes.volumes.first() {
                let deleting = |pv: &crate::model::PersistentVolume| {
                    pv.reclaim_policy
                        .as_ref()
                        .filter(|p| matches!(p.value.as_str(), "Delete" | "Recycle"))
                        .cloned()
                };
                if !volumes.volumes.iter().all(|(_, pv)| deleting(pv).is_some()) {
                    continue;
                }
                let Some(policy) = deleting(pv) else { continue };
                let what = if policy.value == "Recycle" {
                    "wipes it (`rm -rf` of its contents)"
                } else {
                    "deletes it"
                };
                let d = cx
                    .report(
                        found.span(),
                        format!(
                            "{} keeps {repo} data (`{}`) on {} {}, whose reclaim policy `{}` \
                             {what} once the claim is deleted",
                            found.container.owner,
                            found.data_path,
                            found.describe(),
                            volumes.describe(),
                            policy.value,
                        ),
                    )
                    .subject(found.mount.span)
                    .severity(data_severity(
                        &found.facts,
                        project,
                        file,
                        Severity::Warning,
                    ))
                    .help(
                        "set `persistentVolumeReclaimPolicy: Retain` on the volume: it then \
                         outlives its claim until an administrator deletes it",
                    );
                found.relate(d);
                d.related(
                    file.source.path.clone(),
                    policy.span,
                    format!(
                        "PersistentVolume/{} is {} once released",
                        pv.name.value,
                        if policy.value == "Recycle" {
                            "wiped"
                        } else {
                            "deleted"
                        }
                    ),
                );
                continue;
            }
            let Some(class) = resolve_class(project, found.claim, &file.source.path) else {
                continue;
            };
            let Some(ClassFacts::Object(file, sc)) = class.facts else {
                continue;
            };
            // A class that provisions nothing binds volumes made by hand, which keep their own
            // policy.
            let provisioner = class.provisioner();
            if provisioner.is_none_or(|p| {
                project
                    .catalog()
                    .node_local_provisioner(p)
                    .is_some_and(|n| n.is_static)
            }) {
                continue;
            }
            let (written, at) = match &sc.reclaim_policy {
                Some(p) if p.value == "Delete" => (true, p.span),
                Some(_) => continue,
                None => (false, sc.name.span),
            };
            let d = cx
                .report(
                    found.span(),
                    format!(
                        "{} keeps {repo} data (`{}`) on {} of {}, whose reclaim policy \
                         `Delete`{} deletes the volume once the claim is deleted",
                        found.container.owner,
                        found.data_path,
                        found.describe(),
                        class.describe(),
                        if written { "" } else { " (the default)" }
                    ),
                )
                .subject(found.mount.span)
                .severity(data_severity(&found.facts, project, file, Severity::Info))
                .help(
                    "provision database volumes from a class with `reclaimPolicy: Retain` (a \
                     second class, such as `<class>-retain`): a deleted claim then leaves its \
                     volume and data in place",
                );
            found.relate(d);
            class.relate_default(d);
            d.related(
                file.source.path.clone(),
                at,
                if written {
                    format!("StorageClass/{} deletes released volumes", sc.name.value)
                } else {
                    format!(
                        "StorageClass/{} has no `reclaimPolicy`: `Delete`",
                        sc.name.value
                    )
                },
            );
        }
    }
}

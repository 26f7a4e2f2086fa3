use super::storage::{NodeLocalBy, data_claims, node_local};
use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::Workload;

declare_rule! {
    /// ## What it does
    /// Flags a PersistentVolumeClaim (or a `volumeClaimTemplates` entry) that keeps a stateful
    /// image's data path (see the stateful image catalog) on storage that lives on one node:
    /// its class's provisioner keeps each volume on a node's own disk (`rancher.io/local-path`,
    /// `openebs.io/local`, `topolvm.io`, the hostPath provisioners of minikube, MicroK8s and
    /// Docker Desktop, ...; see `crates/stowlint_model/src/catalog/node-local-storage.toml`), or
    /// the PersistentVolumes of the run it binds are `local` or `hostPath` volumes — the one
    /// its `volumeName` names or whose `claimRef` reserves it, else every volume of its class it
    /// may bind (a hostPath volume of class `manual` made by hand for the claim). The volumes
    /// decide over the class. The class is the one the claim names, else the cluster's
    /// default: a StorageClass of the run annotated
    /// `storageclass.kubernetes.io/is-default-class: "true"`, else the configuration's
    /// `[kubernetes] default-storage-class`. It is known from a StorageClass of the run, the
    /// configuration's `[kubernetes] storage-classes`, or a name distributions ship it under
    /// (`local-path`, `openebs-hostpath`, `local-storage`, `microk8s-hostpath`, `hostpath`,
    /// ...; never `standard`, which is also GKE's network disk). Claims and classes are looked
    /// up across all files of the run; what the run does not tell is not reported.
    ///
    /// ## Why is this bad?
    /// The volume is a folder, disk or logical volume of the node the pod first ran on, and
    /// the only copy of the data. Unlike a `hostPath` (SL402), the volume carries a node
    /// affinity, so the pod never starts empty elsewhere: when the node is drained it waits
    /// for it, and when the node is lost, its disk and the database with it are lost. A backup
    /// taken off the node, or a database that replicates itself across nodes, is what keeps
    /// the data then.
    ///
    /// The severity is `info`: these classes are the default storage of k3s, Rancher Desktop,
    /// kind, minikube and Docker Desktop, where a cluster often is one node and the database a
    /// test or a homelab that a backup covers; and clustered databases (Cassandra,
    /// Elasticsearch, CockroachDB, Kafka) run on local disks on purpose, for speed, because
    /// they keep copies on other nodes. A database operator reads it as a fact to act on in a
    /// multi-node production cluster, not as an error. Raise it where that is what runs:
    /// `[severity] SL408 = "warning"`.
    ///
    /// ## Example
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
    ///           volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
    ///   volumeClaimTemplates:
    ///     - metadata: {name: data}
    ///       spec:
    ///         storageClassName: local-path
    ///         accessModes: [ReadWriteOnce]
    ///         resources: {requests: {storage: 20Gi}}
    /// ```
    ///
    /// Use instead: a class whose volumes outlive a node (a cloud disk, Longhorn, Ceph RBD,
    /// NFS), or keep the local class and replicate the database across nodes or back it up
    /// off the node.
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
    ///           volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
    ///   volumeClaimTemplates:
    ///     - metadata: {name: data}
    ///       spec:
    ///         storageClassName: longhorn
    ///         accessModes: [ReadWriteOnce]
    ///         resources: {requests: {storage: 20Gi}}
    /// ```
    ///
    /// ## Options
    /// `[kubernetes] default-storage-class` names the class of claims without
    /// `storageClassName` when the run holds no default StorageClass;
    /// `[kubernetes] storage-classes` names the provisioner of classes the run does not
    /// declare (`{ standard = "k8s.io/minikube-hostpath" }`);
    /// `[kubernetes] node-local-provisioners` adds provisioners to the catalog.
    pub struct DataOnNodeLocalStorage;
    meta { code: "SL408", name: "data-on-node-local-storage", severity: Info,
           formats: [Kubernetes] }
}

impl Rule for DataOnNodeLocalStorage {
    fn check_workload(&self, w: &Workload, cx: &mut Ctx) {
        let project = cx.project();
        for found in data_claims(project, cx.file(), w) {
            let Some(by) = node_local(project, found.claim, &cx.file().source.path) else {
                continue;
            };
            let repo = &found.facts.stateful.repository;
            let (storage, why) = match &by {
                NodeLocalBy::Volume(volumes) => {
                    let source = volumes
                        .volumes
                        .first()
                        .and_then(|(_, pv)| pv.source_type.as_ref())
                        .map_or("?", |s| s.value.as_str());
                    (
                        format!("{} (`{source}`)", volumes.describe()),
                        "a folder or disk of one node".to_string(),
                    )
                }
                NodeLocalBy::Class(class) => (
                    format!(
                        "of {} (`{}`)",
                        class.describe(),
                        class.provisioner().unwrap_or("?")
                    ),
                    "volumes on one node's disk".to_string(),
                ),
            };
            let d = cx
                .report(
                    found.span(),
                    format!(
                        "{} keeps {repo} data (`{}`) on {} {storage}: the only copy lives on one \
                         node",
                        found.container.owner,
                        found.data_path,
                        found.describe()
                    ),
                )
                .subject(found.mount.span)
                .severity(found.facts.severity(Severity::Info))
                .help(
                    "back the data up off the node or replicate the database across nodes, or \
                     use a class whose volumes outlive a node (network or replicated storage); \
                     on a one-node cluster this is expected",
                );
            found.relate(d);
            match by {
                NodeLocalBy::Volume(volumes) => {
                    for (file, pv) in &volumes.volumes {
                        let at = pv
                            .path
                            .as_ref()
                            .map(|p| p.span)
                            .or(pv.source_type.as_ref().map(|s| s.span))
                            .unwrap_or(pv.span);
                        d.related(file.source.path.clone(), at, why.clone());
                    }
                }
                NodeLocalBy::Class(class) => class.relate(d, &why),
            }
            d.label(
                found.mount.target_span,
                format!("mounted at `{}`", found.mount.target),
            );
        }
    }
}

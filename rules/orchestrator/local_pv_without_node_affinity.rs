use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::FileModel;

declare_rule! {
    /// ## What it does
    /// Flags a PersistentVolume with a `local` or `hostPath` source and no
    /// `spec.nodeAffinity` (with `required` node selector terms).
    ///
    /// A Kubernetes object that the kustomization beside it (in its folder or the one above)
    /// patches with a file that is not there (generated per cluster, or ignored by git) is
    /// reported as info: what kustomize renders from it is unknown, and the patch may add
    /// what is missing here. So is a PersistentVolume in a project's test fixtures (files
    /// under `test/`, `tests/`, `e2e/`, ...; see SL201): a test cluster's node folders are
    /// throwaway.
    ///
    /// ## Why is this bad?
    /// A `local` or `hostPath` volume is a folder or disk of one node. Without a node
    /// affinity the scheduler does not know which node that is: a pod bound to the volume can
    /// start on any node and read or write that node's folder instead, an empty one, while the
    /// data stays behind. The API server rejects a `local` volume without one; a `hostPath`
    /// volume is accepted and silently follows the pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: PersistentVolume
    /// metadata: {name: pg-data}
    /// spec:
    ///   capacity: {storage: 100Gi}
    ///   accessModes: [ReadWriteOnce]
    ///   local: {path: /mnt/disks/ssd1}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   capacity: {storage: 100Gi}
    ///   accessModes: [ReadWriteOnce]
    ///   local: {path: /mnt/disks/ssd1}
    ///   nodeAffinity:
    ///     required:
    ///       nodeSelectorTerms:
    ///         - matchExpressions:
    ///             - {key: kubernetes.io/hostname, operator: In, values: [node-1]}
    /// ```
    pub struct LocalPvWithoutNodeAffinity;
    meta { code: "SL403", name: "local-pv-without-node-affinity", severity: Error,
           formats: [Kubernetes] }
}

impl Rule for LocalPvWithoutNodeAffinity {
    fn check_file(&self, file: &FileModel, cx: &mut Ctx) {
        for pv in &file.persistent_volumes {
            let Some(source) = &pv.source_type else {
                continue;
            };
            if !matches!(source.value.as_str(), "local" | "hostPath") || pv.node_affinity.is_some()
            {
                continue;
            }
            let what = pv
                .path
                .as_ref()
                .map_or(String::new(), |p| format!(" (`{}`)", p.value));
            let d = cx
                .report(
                    source.span,
                    format!(
                        "PersistentVolume/{} has a `{}` source{what} but no `spec.nodeAffinity`: \
                         pods may use it on a node without the data",
                        pv.name.value, source.value
                    ),
                )
                .help(
                    "add `spec.nodeAffinity.required.nodeSelectorTerms` selecting the node that \
                     holds the folder (`kubernetes.io/hostname In [<node>]`)",
                );
            if let Some(path) = &pv.path {
                d.label(path.span, "a folder of one node");
            }
            // A test cluster's node folders are throwaway (as for SL401): worth knowing only.
            if crate::rules::ephemeral::test_file(file) {
                d.severity(crate::engine::Severity::Info);
            }
            crate::rules::facts::unknown_after_missing_patch(
                d,
                file,
                "PersistentVolume",
                &pv.name.value,
                pv.name.span,
            );
        }
    }
}

use super::unbounded;
use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{Container, Mount, MountKind, Workload};

declare_rule! {
    /// ## What it does
    /// Flags a Kubernetes `emptyDir` on disk without `sizeLimit`. Generic `ephemeral`
    /// volumes are not flagged: their claim has a size.
    ///
    /// ## Why is this bad?
    /// An `emptyDir` is written to the node's disk. Without a limit one pod can fill it: the
    /// kubelet then reports disk pressure and evicts pods from the node, often others than
    /// the one that filled it. With `sizeLimit` only the offending pod is evicted.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: render}
    /// spec:
    ///   containers:
    ///     - name: render
    ///       image: example/renderer:2
    ///       volumeMounts: [{name: scratch, mountPath: /scratch}]
    ///   volumes:
    ///     - name: scratch
    ///       emptyDir: {}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: render}
    /// spec:
    ///   containers:
    ///     - name: render
    ///       image: example/renderer:2
    ///       volumeMounts: [{name: scratch, mountPath: /scratch}]
    ///   volumes:
    ///     - name: scratch
    ///       emptyDir:
    ///         sizeLimit: 1Gi
    /// ```
    pub struct UnboundedEmptydir;
    meta { code: "SL303", name: "unbounded-emptydir", severity: Info,
           formats: [Kubernetes] }
}

impl Rule for UnboundedEmptydir {
    fn check_mount(&self, m: &Mount, _c: &Container, w: &Workload, cx: &mut Ctx) {
        if m.kind != (MountKind::EmptyDir { memory: false }) || !unbounded(m) {
            return;
        }
        let volume = m.volume.as_ref().map_or("", |v| v.value.as_str());
        // Reported once at the pod volume, whichever containers mount it.
        cx.report(
            m.source_or_entry_span(),
            format!(
                "{} has `emptyDir` volume `{volume}` without a `sizeLimit`",
                w.owner
            ),
        )
        .subject(m.span)
        .help("set `sizeLimit` on the `emptyDir` (for example `sizeLimit: 1Gi`)");
    }
}

use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{Container, Mount, MountSyntax, Workload};

declare_rule! {
    /// ## What it does
    /// Flags mounts that propagate mounts made in the container back to the host:
    /// `mountPropagation: Bidirectional` in Kubernetes, `bind.propagation: shared` or
    /// `rshared` in Compose.
    ///
    /// ## Why is this bad?
    /// Mounts created inside the container appear on the host and in every other container
    /// sharing the path; a misbehaving container can hide host folders or leak mounts that
    /// outlive it. Only storage drivers (CSI node plugins) need this.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: DaemonSet
    /// metadata: {name: csi-node}
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: plugin
    ///           image: example/csi-plugin:1.0
    ///           volumeMounts:
    ///             - name: pods
    ///               mountPath: /var/lib/kubelet/pods
    ///               mountPropagation: Bidirectional
    ///       volumes:
    ///         - name: pods
    ///           hostPath: {path: /var/lib/kubelet/pods}
    /// ```
    ///
    /// Use instead: `HostToContainer` (Kubernetes) or `rslave` (Compose), which let host mounts
    /// reach the container but not the other way round.
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: DaemonSet
    /// metadata: {name: csi-node}
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: plugin
    ///           image: example/csi-plugin:1.0
    ///           volumeMounts:
    ///             - name: pods
    ///               mountPath: /var/lib/kubelet/pods
    ///               mountPropagation: HostToContainer
    ///       volumes:
    ///         - name: pods
    ///           hostPath: {path: /var/lib/kubelet/pods}
    /// ```
    pub struct SharedMountPropagation;
    meta { code: "SL106", name: "shared-mount-propagation", severity: Warning,
           formats: [Compose, Kubernetes, Quadlet] }
}

impl Rule for SharedMountPropagation {
    fn check_mount(&self, m: &Mount, _c: &Container, w: &Workload, cx: &mut Ctx) {
        let Some(propagation) = &m.propagation else {
            return;
        };
        let value = propagation.value.as_str();
        let (shared, fix) = match m.syntax {
            MountSyntax::VolumeMount => (value == "Bidirectional", "`HostToContainer`"),
            _ => (matches!(value, "shared" | "rshared"), "`rslave`"),
        };
        if !shared {
            return;
        }
        // A CSI node plugin must publish the volumes it mounts under the kubelet's pods
        // folder back to the host: that is how the kubelet sees them (Kubernetes requires
        // `Bidirectional` there). In a node agent, that is the design, not a risk to fix.
        let csi_node_plugin = w.is_node_agent()
            && m.host_path()
                .is_some_and(|h| h.resolved.starts_with("/var/lib/kubelet"));
        let d = cx
            .report(
                propagation.span,
                format!(
                    "{} propagates mounts made at `{}` back to the host (`{value}`)",
                    m.owner, m.target
                ),
            )
            .subject(m.span);
        if csi_node_plugin {
            d.severity(crate::engine::Severity::Info);
        }
        d
        .help(format!(
            "use {fix} unless the container is a storage driver that must publish mounts to the host"
        ));
    }
}

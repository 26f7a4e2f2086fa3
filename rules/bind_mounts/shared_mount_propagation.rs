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
    /// outlive it. Only node plugins need this: a CSI node plugin publishes the pod volumes it
    /// mounts under the kubelet's folder (Kubernetes requires `Bidirectional` there), a network
    /// plugin mounts the BPF filesystem for its node. In a node agent (a DaemonSet, a global
    /// swarm service) or a storage driver (a workload with a privileged container that mounts
    /// the kubelet's folder, such as a CSI controller), the finding is info: that is the design.
    /// So is it in a FUSE mounter (rclone mount, mergerfs: a container given `/dev/fuse`, and
    /// `SYS_ADMIN` or the privilege), whose mount exists to be seen on the host.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: backup}
    /// spec:
    ///   template:
    ///     spec:
    ///       nodeName: storage-1
    ///       containers:
    ///         - name: backup
    ///           image: example/backup:1.0
    ///           securityContext: {privileged: true}
    ///           volumeMounts:
    ///             - name: exports
    ///               mountPath: /mnt/exports
    ///               mountPropagation: Bidirectional
    ///       volumes:
    ///         - name: exports
    ///           hostPath: {path: /srv/exports}
    /// ```
    ///
    /// Use instead: `HostToContainer` (Kubernetes) or `rslave` (Compose), which let host mounts
    /// reach the container but not the other way round.
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: backup}
    /// spec:
    ///   template:
    ///     spec:
    ///       nodeName: storage-1
    ///       containers:
    ///         - name: backup
    ///           image: example/backup:1.0
    ///           volumeMounts:
    ///             - name: exports
    ///               mountPath: /mnt/exports
    ///               mountPropagation: HostToContainer
    ///       volumes:
    ///         - name: exports
    ///           hostPath: {path: /srv/exports}
    /// ```
    pub struct SharedMountPropagation;
    meta { code: "SL106", name: "shared-mount-propagation", severity: Warning,
           formats: [Compose, Kubernetes, Quadlet] }
}

impl Rule for SharedMountPropagation {
    fn check_mount(&self, m: &Mount, c: &Container, w: &Workload, cx: &mut Ctx) {
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
        // A node plugin publishes mounts to the host by design: a CSI node plugin the pod
        // volumes it mounts under the kubelet's folder (Kubernetes requires `Bidirectional`
        // there), a network plugin the BPF or cgroup filesystem it mounts for the node. In a
        // node agent or a storage driver that is the design, not a risk to fix.
        // So does a FUSE mounter (rclone mount, mergerfs: the FUSE device and CAP_SYS_ADMIN,
        // or privileged), whose mount exists to be seen on the host.
        // (Privileged alone tells nothing: Kubernetes allows `Bidirectional` only there.)
        let fuse = (c.privileged || c.capabilities.iter().any(|cap| cap == "SYS_ADMIN"))
            && (c.devices.iter().any(|d| d == "/dev/fuse")
                || c.mounts
                    .iter()
                    .any(|o| o.host_path().is_some_and(|h| h.path == "/dev/fuse")));
        let node_plugin = w.is_node_agent() || super::is_storage_driver(w, cx.catalog()) || fuse;
        let d = cx
            .report(
                propagation.span,
                format!(
                    "{} propagates mounts made at `{}` back to the host (`{value}`)",
                    m.owner, m.target
                ),
            )
            .subject(m.span);
        if node_plugin {
            d.severity(crate::engine::Severity::Info);
        }
        d
        .help(format!(
            "use {fix} unless the container is a storage driver that must publish mounts to the host"
        ));
    }
}

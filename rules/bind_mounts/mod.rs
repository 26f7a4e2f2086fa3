//! SL1xx: the host exposed through bind mounts.

pub mod container_runtime_socket;
pub mod data_on_bind_mount;
pub mod host_path_autocreate;
pub mod sensitive_host_path;
pub mod shared_mount_propagation;
pub mod writable_bind_mount;

use crate::engine::Diagnostic;
use crate::model::{Mount, MountKind, MountSyntax};

/// ` through volume `x` (a bind mount in disguise)` for local-driver volumes with `o: bind`.
fn disguise(m: &Mount) -> String {
    match (&m.disguised_bind, &m.volume) {
        (Some(_), Some(v)) => format!(
            " through volume `{}`, a bind mount in disguise (local driver with `o: bind`)",
            v.value
        ),
        _ => String::new(),
    }
}

/// Labels shared by the SL1xx findings: where the path appears in the container, and the
/// disguised volume's `device`.
fn label_mount(d: &mut Diagnostic, m: &Mount) {
    if m.source_span != Some(m.target_span) {
        let joined = match (&m.sub_path, &m.kind) {
            (Some(sub), MountKind::HostPath) if !crate::model::is_unknown(sub) => {
                format!(" (`subPath: {sub}` of the hostPath)")
            }
            _ => String::new(),
        };
        d.label(
            m.target_span,
            format!("visible in the container at `{}`{joined}", m.target),
        );
    }
    if let Some(device) = m.disguised_bind {
        d.label(device, "the volume's `device` is this host path");
    }
}

/// A kubelet-integrated node plugin, most often a storage (CSI) driver: a node agent or a
/// workload with a privileged container that mounts the kubelet's folder from the host, or
/// runs beside a CSI sidecar (`csi-provisioner`: a CSI controller). It publishes mounts to
/// the host and writes the node's storage configuration by design.
pub(crate) fn is_storage_driver(
    w: &crate::model::Workload,
    catalog: &crate::rules::catalog::Catalog,
) -> bool {
    let privileged = w.containers.iter().any(|c| c.privileged);
    (w.is_node_agent() || privileged)
        && w.mounts().any(|(_, m)| {
            m.is_host_bind()
                && m.host_path()
                    .is_some_and(|h| catalog.is_kubelet_path(&h.path))
        })
        || privileged
            && w.containers.iter().any(|c| {
                c.image
                    .as_ref()
                    .is_some_and(|i| catalog.is_csi_sidecar(&i.value))
            })
        // A privileged node agent that writes the host's volume manager or initiator
        // configuration (`/etc/lvm`, `/etc/iscsi`): a storage node agent (LINSTOR's
        // satellite), whether or not the kubelet's folder is among its mounts.
        || privileged
            && w.is_node_agent()
            && w.mounts().any(|(_, m)| {
                m.is_host_bind()
                    && !m.read_only
                    && m.host_path().is_some_and(|h| {
                        !catalog.is_kubelet_path(&h.path)
                            && catalog.is_storage_driver_writable(&h.path)
                    })
            })
}

/// Dev containers (a `devcontainer.json`, or a compose file in a `.devcontainer/` folder) and
/// CI jobs: the host is the developer's own machine or a runner. Their host findings are info,
/// with a help line of their own (see SL101 and SL102's docs).
fn throwaway_host(w: &crate::model::Workload, file: &std::path::Path) -> Option<&'static str> {
    let dev_compose = w.platform == crate::model::Platform::Compose
        && crate::rules::facts::in_dev_container(file);
    match w.platform {
        _ if dev_compose => Some(
            "a dev container runs the project's code and tools on the developer's machine; \
             keep the mount only if the container needs it, and suppress this finding with \
             the reason",
        ),
        crate::model::Platform::DevContainer => Some(
            "a dev container runs the project's code and tools on the developer's machine; \
             keep the mount only if the container needs it, and suppress this finding with \
             the reason",
        ),
        crate::model::Platform::CiJob => Some(
            "on a GitHub-hosted runner the job is already root on a throwaway VM; on a \
             self-hosted runner this hands the job the runner's host: avoid it there",
        ),
        _ => None,
    }
}

/// How to make a mount read-only in the syntax it is written in.
fn read_only_hint(m: &Mount) -> &'static str {
    match m.syntax {
        MountSyntax::VolumeMount => "`readOnly: true`",
        MountSyntax::ComposeLong => "`read_only: true`",
        MountSyntax::MountFlag => "`readonly` in the mount's options",
        _ => "`:ro`",
    }
}

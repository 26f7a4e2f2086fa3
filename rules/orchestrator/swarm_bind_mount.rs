use super::{disguise, label_device, label_swarm, pinned_by_label};
use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{Container, Mount, MountKind, Platform, Workload};

declare_rule! {
    /// ## What it does
    /// Flags bind mounts (including a `local`-driver volume with `o: bind`, a bind mount in
    /// disguise) in a compose service deployed to Docker Swarm that is not pinned to one node
    /// by a `node.hostname ==` or `node.id ==` placement constraint. A service counts as
    /// swarm when its `deploy` uses a swarm-only key (`placement`, `mode: global`,
    /// `endpoint_mode`) or when `--compose-mode swarm` / `compose.mode = "swarm"` says so;
    /// `restart_policy` (honoured by `docker compose`), `update_config` and `rollback_config`
    /// (ignored by it, and copied around) prove nothing. A service pinned by a node label
    /// (`node.labels.db == true`, the usual way to pin a data service) is reported as info:
    /// the label may be on one node.
    ///
    /// Swarm is decided per file: one
    /// such key, or a stack file's name (`stack` a word of it: `docker-stack.yml`,
    /// `stack.prod.yml`) in a file that sets no service key swarm ignores (`container_name`,
    /// `security_opt`, `privileged`, `devices`, `network_mode`, `links`, ...: a Portainer
    /// "stack" for one host), makes every service of the file a swarm service.
    ///
    /// Paths every node provides by definition (`/`, `/proc`, `/sys`, `/dev`, `/run`, the
    /// runtime, `/var/lib/docker`, time zone files, `/var/log`, `/etc/hostname`, `/etc/hosts`,
    /// `/etc/os-release`, `/etc/machine-id`, `/lib/modules`, `/boot`) are not host-local data
    /// and are left to SL101 and SL102: node agents deployed with `mode: global` bind them on
    /// purpose.
    ///
    /// ## Why is this bad?
    /// Swarm schedules tasks on any node and moves them on failures and updates. A bind mount
    /// names a folder of whichever node runs the task: files written there stay behind when
    /// the task moves, and files the task expects (configuration, certificates) are missing or
    /// different on the other nodes; if the folder does not exist the task fails to start.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     volumes:
    ///       - /srv/site:/usr/share/nginx/html
    ///     deploy:
    ///       replicas: 2
    ///       placement:
    ///         constraints: [node.role == worker]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///     deploy:
    ///       placement:
    ///         constraints: [node.hostname == web-1]
    /// ```
    /// or ship the files in the image, as swarm `configs`, or in a volume every node reaches.
    pub struct SwarmBindMount;
    meta { code: "SL406", name: "swarm-bind-mount", severity: Warning,
           formats: [Compose] }
}

impl Rule for SwarmBindMount {
    fn check_mount(&self, m: &Mount, _c: &Container, w: &Workload, cx: &mut Ctx) {
        if w.platform != Platform::Swarm || w.pinned.is_some() || m.kind != MountKind::Bind {
            return;
        }
        let Some(host) = m.host_path() else { return };
        if cx.catalog().is_node_provided(&host.path) {
            return;
        }
        let d = cx
            .report(
                m.source_or_entry_span(),
                format!(
                    "{} bind-mounts host path `{}`{} in a swarm service not pinned to one node",
                    m.owner,
                    host.path,
                    disguise(m)
                ),
            )
            .subject(m.span)
            .help(
                "pin the service with `placement.constraints: [node.hostname == <node>]`, or \
                 ship the files as swarm `configs` or in a volume every node reaches",
            );
        if m.source_span != Some(m.target_span) {
            d.label(m.target_span, format!("mounted at `{}`", m.target));
        }
        label_device(d, m);
        label_swarm(d, w);
        pinned_by_label(d, w);
    }
}

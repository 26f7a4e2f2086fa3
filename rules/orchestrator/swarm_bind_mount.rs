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
    /// `endpoint_mode`, `labels`: the swarm service's labels) or when `--compose-mode swarm` / `compose.mode = "swarm"` says so;
    /// `restart_policy` (honoured by `docker compose`), `update_config` and `rollback_config`
    /// (ignored by it, and copied around) prove nothing. A service pinned by a node label
    /// (`node.labels.db == true`, the usual way to pin a data service) is reported as info:
    /// the label may be on one node.
    ///
    /// Swarm is decided per file: one
    /// such key, or a stack file's name (`stack` or `swarm` a word of it: `docker-stack.yml`,
    /// `stack.prod.yml`, `docker-swarm.yml`) in a file that sets no service key swarm ignores (`container_name`,
    /// `security_opt`, `privileged`, `devices`, `network_mode`, `links`, ...: a Portainer
    /// "stack" for one host), makes every service of the file a swarm service.
    ///
    /// Paths every node provides by definition (`/`, `/proc`, `/sys`, `/dev`, `/run`, the
    /// runtime, `/var/lib/docker`, time zone files, `/var/log`, `/etc/hostname`, `/etc/hosts`,
    /// `/etc/os-release`, `/etc/machine-id`, `/lib/modules`, `/boot`) are not host-local data
    /// and are left to SL101 and SL102: node agents deployed with `mode: global` bind them on
    /// purpose. So is a source not known here mounted at a runtime socket's path
    /// (`${DOCKER_SOCKET_PATH}:/var/run/docker.sock`: the node's runtime socket) or at a path not
    /// known either (nothing is known of it).
    ///
    /// A bind of a host path whose name says it is a network share mounted on every node
    /// (`/mnt/gfs/traefik`, `/mnt/nfs/app`: a folder named, or with a word, `nfs`, `gfs`,
    /// `glusterfs`, `cephfs`, `efs`, `nas`, ...) is info, and so is one on a NAS's own storage
    /// (QNAP `/share/...`, Synology `/volume1/...`, Unraid `/mnt/user/...`: a swarm there runs
    /// on the NAS, or on nodes that mount its shares at that path). So is a bind of a scratch
    /// folder (`/tmp`, `/var/tmp`, `/dev/shm`) in a `mode: global` service, whose task never
    /// leaves its node; other binds of a global service (a proxy's certificates, an agent's
    /// configuration) stay warnings: every node must hold the same files. A service whose
    /// placement constraint is a variable (`${PLACEMENT}`) or is merged from an anchor the file
    /// does not define may be pinned: info. A bind that holds only logs (mounted at or under `/var/log`, or at a `log`/`logs`
    /// folder) is info: a task on another node starts a new log. So is any bind in a
    /// project's test fixtures (files under `test/`, `e2e/`, ...; see SL201), whose swarm is
    /// a throwaway one.
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
        // A source not known here (`${DOCKER_SOCKET_PATH}`) mounted at a runtime socket's
        // path is that node's runtime socket (SL102's business), which every node provides;
        // mounted at a path not known either, nothing is known of it.
        if cx.catalog().is_node_provided(&host.path)
            || (crate::model::is_unknown(&host.path)
                && (cx.catalog().is_runtime_socket(&m.target)
                    || crate::model::is_unknown(&m.target)))
        {
            return;
        }
        let test_fixture = crate::rules::ephemeral::test_file(cx.file());
        let own_node_folder = w
            .global
            .filter(|_| crate::rules::facts::scratch_path(&host.path));
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
        if test_fixture {
            d.severity(crate::engine::Severity::Info);
        } else if let Some(global) = own_node_folder {
            // Swarm's DaemonSet: each node's task keeps its scratch files on its node and never
            // moves. Files every task needs the same (a proxy's certificates, even read-only;
            // a node agent's configuration) stay a warning.
            d.severity(crate::engine::Severity::Info)
                .label(global, "one task per node, which stays on its node")
                .help(
                    "make sure the folder exists on every node (a missing one fails that \
                     node's task)",
                );
        } else if let Some(why) = super::shared_storage(&host.path) {
            d.severity(crate::engine::Severity::Info).help(why);
        } else if crate::rules::facts::log_folder(&m.target) {
            super::logs_only(d, "a task on another node starts a new log");
        }
        if m.source_span != Some(m.target_span) {
            d.label(m.target_span, format!("mounted at `{}`", m.target));
        }
        label_device(d, m);
        label_swarm(d, w);
        pinned_by_label(d, w);
    }
}

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
    /// `glusterfs`, `cephfs`, `efs`, `nas`, ...) is info. A bind that holds only logs (mounted at or under `/var/log`, or at a `log`/`logs`
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
        } else if let Some(word) = super::network_share_word(&host.path) {
            d.severity(crate::engine::Severity::Info).help(format!(
                "the path names a network share (`{word}`): make sure it is mounted at this \
                 path on every node that may run the task"
            ));
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

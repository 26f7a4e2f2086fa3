use super::{label_swarm, node_local_volume, pinned_by_label};
use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::{Container, Mount, Platform, Workload};
use crate::rules::catalog::is_at_or_under;
use crate::rules::facts::image_facts;

declare_rule! {
    /// ## What it does
    /// Flags a compose service deployed to Docker Swarm that mounts a named volume of the
    /// `local` driver (or no driver) without a network filesystem `driver_opts` `type` (`nfs`,
    /// `nfs4`, `cifs`, `smb`, ...), when the service runs `replicas` > 1, `mode: global`, or
    /// is not pinned to one node. Volumes declared `external` or not declared in the file are
    /// not reported: their driver is unknown. A service pinned by a node label
    /// (`node.labels.db == true`) is reported as info: the label may be on one node. So is a
    /// service in `mode: global` (swarm's DaemonSet, whose task never leaves its node) that is
    /// a node agent (a monitoring or log agent of the catalog: a log shipper's registry) or
    /// keeps a stateful image's data on the volume (a cluster member's shards): a copy per
    /// node is what they need. Other global services, whose tasks should share the data (a
    /// proxy's certificates, an application's uploads), stay warnings. A volume that holds only
    /// logs (mounted at or under `/var/log`, or at a `log`/`logs` folder) is info: a task that
    /// starts on another node starts a new log. So is a local volume in a project's test
    /// fixtures (files under `test/`, `e2e/`, ...; see SL201), whose swarm is a throwaway one.
    ///
    /// ## Why is this bad?
    /// A local volume exists on one node only. Swarm creates it afresh, empty, on every node
    /// that runs a task: replicas on different nodes each see their own copy, a global
    /// service has one per node, and a task moved to another node starts with an empty one
    /// while the data stays on the old node.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/uploads:1.4
    ///     volumes:
    ///       - uploads:/srv/uploads
    ///     deploy:
    ///       replicas: 3
    ///       placement:
    ///         constraints: [node.role == worker]
    /// volumes:
    ///   uploads:
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// volumes:
    ///   uploads:
    ///     driver_opts:
    ///       type: nfs
    ///       o: addr=nfs.internal,rw,nfsvers=4
    ///       device: ":/exports/uploads"
    /// ```
    pub struct SwarmLocalVolume;
    meta { code: "SL407", name: "swarm-local-volume", severity: Warning,
           formats: [Compose] }
}

impl Rule for SwarmLocalVolume {
    fn check_mount(&self, m: &Mount, _c: &Container, w: &Workload, cx: &mut Ctx) {
        if w.platform != Platform::Swarm {
            return;
        }
        let Some(decl) = node_local_volume(cx.file(), m) else {
            return;
        };
        let replicas = w.replicas.as_ref().filter(|r| r.value > 1);
        let (why, why_span) = match (w.global, replicas, w.pinned) {
            (Some(global), _, _) => (
                "in global mode: every node gets its own copy".to_string(),
                Some((global, "one task on every node")),
            ),
            (None, Some(r), _) => (
                format!(
                    "with {} replicas: each node that runs a task gets its own copy",
                    r.value
                ),
                Some((r.span, "more than one task")),
            ),
            (None, None, None) => (
                "and is not pinned to one node: a task moved to another node gets an empty copy"
                    .to_string(),
                None,
            ),
            (None, None, Some(_)) => return,
        };
        let Some(name) = &m.volume else { return };
        let per_node_state = w.global.is_some()
            && w.containers.iter().any(|c| {
                c.image
                    .as_ref()
                    .is_some_and(|i| cx.catalog().is_node_agent_image(&i.value))
                    || image_facts(cx.project(), w, c).is_some_and(|f| {
                        f.data_paths().iter().any(|p| is_at_or_under(p, &m.target))
                    })
            });
        let test_fixture = crate::rules::ephemeral::test_file(cx.file());
        let d = cx
            .report(
                m.source_or_entry_span(),
                format!("{} mounts local volume `{}` {why}", m.owner, name.value),
            )
            .subject(m.span)
            .help(
                "back the volume with storage every node reaches (`driver_opts: {type: nfs, ...}` \
                 or a volume plugin), or run one replica pinned with \
                 `placement.constraints: [node.hostname == <node>]`",
            );
        if test_fixture {
            d.severity(Severity::Info);
        } else if crate::rules::facts::log_folder(&m.target) {
            super::logs_only(d, "a task on another node starts a new log");
        } else if per_node_state {
            d.severity(Severity::Info).help(
                "a copy per node suits a node agent's state or a cluster member's data; if the \
                 tasks should share it, back the volume with storage every node reaches",
            );
        }
        let at = decl.driver.as_ref().map_or(decl.key.span, |d| d.span);
        d.label(at, "declared with the local driver: one copy per node");
        if let Some((span, text)) = why_span {
            d.label(span, text);
        }
        label_swarm(d, w);
        pinned_by_label(d, w);
    }
}

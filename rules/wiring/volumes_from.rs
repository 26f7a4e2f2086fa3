use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::{Platform, Workload};

declare_rule! {
    /// ## What it does
    /// Flags compose `volumes_from`, which mounts every volume of another service or
    /// container (the "data volume container" pattern). It is `info` in plain compose and a
    /// `warning` for a service deployed to swarm, which does not support it.
    ///
    /// ## Why is this bad?
    /// The mounts are implicit: reading the service does not tell which volumes it gets, at
    /// which paths, or that it may write to another service's data. Adding a volume to the
    /// source service silently exposes it to this one, and the data's lifetime hangs on a
    /// container that exists only to hold it. `docker stack deploy` ignores `volumes_from`,
    /// so under swarm the service starts without the data at all.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/cms:2
    ///     volumes: [uploads:/srv/uploads]
    ///   backup:
    ///     image: restic/restic:0.17.3
    ///     volumes_from: [app]
    /// volumes:
    ///   uploads:
    /// ```
    ///
    /// Use instead: mount the named volumes the service needs, read-only where it only reads.
    /// ```yaml
    /// services:
    ///   app:
    ///     image: example/cms:2
    ///     volumes: [uploads:/srv/uploads]
    ///   backup:
    ///     image: restic/restic:0.17.3
    ///     volumes: ["uploads:/data/uploads:ro"]
    /// volumes:
    ///   uploads:
    /// ```
    ///
    /// ## References
    /// - <https://docs.docker.com/reference/compose-file/services/#volumes_from>
    /// - <https://docs.docker.com/engine/swarm/stack-deploy/>
    pub struct VolumesFrom;
    meta { code: "SL504", name: "volumes-from", severity: Info,
           formats: [Compose] }
}

impl Rule for VolumesFrom {
    fn check_workload(&self, w: &Workload, cx: &mut Ctx) {
        let swarm = w.platform == Platform::Swarm;
        for entry in &w.volumes_from {
            let source = describe(&entry.value);
            let unsupported = if swarm {
                ", which swarm does not support"
            } else {
                ""
            };
            let d = cx
                .report(
                    entry.span,
                    format!(
                        "{} mounts every volume of {source} through `volumes_from`{unsupported}",
                        w.owner
                    ),
                )
                .help(
                    "mount the named volumes the service needs under `volumes:`, each at an \
                     explicit path, with `:ro` where it only reads",
                );
            if swarm {
                d.severity(Severity::Warning);
                if let Some(reason) = &w.swarm_reason {
                    d.label(
                        reason.span,
                        format!("`deploy.{}` makes this a swarm service", reason.value),
                    );
                }
            }
        }
    }
}

/// `app`, `app:ro`, `container:legacy-data:rw` → ``service `app` ``, ``container `legacy-data` ``.
fn describe(entry: &str) -> String {
    let (kind, rest) = match entry.strip_prefix("container:") {
        Some(rest) => ("container", rest),
        None => ("service", entry),
    };
    let name = match rest.rsplit_once(':') {
        Some((name, "ro" | "rw")) => name,
        _ => rest,
    };
    format!("{kind} `{name}`")
}

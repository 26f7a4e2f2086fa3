use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{Mount, MountSyntax, Workload};

declare_rule! {
    /// ## What it does
    /// Flags a mount whose target path another mount of the same container already uses:
    /// compose `volumes` (short and long syntax) and `tmpfs` together, Kubernetes
    /// `volumeMounts` (also when they mount different `subPath`s), a Quadlet unit's `Volume=`,
    /// `Mount=` and `Tmpfs=`, a dev container's `mounts`, `workspaceMount` and `runArgs`, or a
    /// CI job container's `volumes` and `options`. A compose file's anonymous volume and
    /// tmpfs at one path are info: Docker mounts the tmpfs and leaves the volume unmounted there.
    ///
    /// ## Why is this bad?
    /// One of the two mounts is lost. Docker Compose v2 keeps only the last `volumes` entry for
    /// a target and drops the earlier one without a word (compose-go's `EnforceUnicity`), so
    /// the data goes wherever the last entry says; a `tmpfs` at a bind's or a named volume's
    /// target, Compose v1 and `docker run` fail with "Duplicate mount point"; the API server refuses the pod
    /// ("must be unique"). Where a tool merges the list first (overrides, Kustomize patches,
    /// Helm values), one mount silently hides the other.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: mysql:8.4
    ///     volumes:
    ///       - mysql-data:/var/lib/mysql
    ///       - ./backup:/var/lib/mysql
    /// volumes:
    ///   mysql-data:
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: mysql:8.4
    ///     volumes:
    ///       - mysql-data:/var/lib/mysql
    ///       - ./backup:/backup
    /// volumes:
    ///   mysql-data:
    /// ```
    pub struct DuplicateMountTarget;
    meta { code: "SL505", name: "duplicate-mount-target", severity: Error,
           formats: [Compose, Kubernetes, Quadlet, Devcontainer, GithubActions] }
}

impl Rule for DuplicateMountTarget {
    fn check_workload(&self, w: &Workload, cx: &mut Ctx) {
        for container in &w.containers {
            // By target: a service with 20,000 mounts stays linear.
            let mut seen: std::collections::HashMap<&str, &Mount> =
                std::collections::HashMap::new();
            for m in &container.mounts {
                // Image `VOLUME`s are merged by the Dockerfile parser; `${VAR}` is unknown.
                if m.syntax == MountSyntax::DockerfileVolume || crate::model::is_unknown(&m.target)
                {
                    continue;
                }
                if let Some(first) = seen.get(m.target.as_str()) {
                    // An anonymous volume and a tmpfs at one path: the engine mounts the tmpfs
                    // and leaves the volume unmounted (a documented workaround for `/dev/shm`).
                    if tmpfs_over_anonymous(first, m) {
                        cx.report(
                            m.target_span,
                            format!(
                                "{} has an anonymous volume and a tmpfs at `{}`: the tmpfs is \
                                 mounted, the volume is not",
                                m.owner, m.target
                            ),
                        )
                        .severity(crate::engine::Severity::Info)
                        .label(first.target_span, "first mounted here")
                        .help("remove the anonymous volume: the tmpfs alone is mounted");
                        continue;
                    }
                    let sub_paths = m.sub_path.is_some() || first.sub_path.is_some();
                    let help = if m.syntax == MountSyntax::VolumeMount && sub_paths {
                        "mount each `subPath` at its own `mountPath`: two mounts at one path are \
                         rejected even when their subPaths differ"
                    } else if compose_volume(m) && compose_volume(first) {
                        "Compose keeps only the last of these entries and drops the other \
                         silently: remove one, or give it its own target path"
                    } else {
                        "remove one of the mounts, or give it its own target path"
                    };
                    cx.report(
                        m.target_span,
                        format!("{} has two mounts at `{}`", m.owner, m.target),
                    )
                    .label(first.target_span, "first mounted here")
                    .help(help);
                } else {
                    seen.insert(&m.target, m);
                }
            }
        }
    }
}

/// A compose file's anonymous volume and tmpfs, in either order (Podman refuses the pair, so
/// Quadlet units and `run` flags are not asked): Docker mounts the tmpfs over the path and
/// skips the volume there (the daemon's `setupMounts`), which Oracle's RAC images use on
/// purpose for `/dev/shm`. Named volumes and binds with a tmpfs are refused ("Duplicate mount
/// point").
fn tmpfs_over_anonymous(a: &Mount, b: &Mount) -> bool {
    use crate::model::MountKind;
    let pair = |x: &Mount, y: &Mount| x.kind == MountKind::Anonymous && y.kind == MountKind::Tmpfs;
    let compose = |m: &Mount| compose_volume(m) || m.syntax == MountSyntax::ComposeTmpfs;
    compose(a) && compose(b) && (pair(a, b) || pair(b, a))
}

/// A compose `volumes` entry (short or long syntax): Compose keeps the last one per target.
fn compose_volume(m: &Mount) -> bool {
    matches!(
        m.syntax,
        MountSyntax::ComposeShort | MountSyntax::ComposeLong
    )
}

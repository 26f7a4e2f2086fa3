use super::unbounded;
use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{Container, Mount, MountKind, MountSyntax, Workload};

declare_rule! {
    /// ## What it does
    /// Flags a tmpfs without a size: a compose `tmpfs:` entry without `size=`, a long-syntax
    /// `type: tmpfs` volume without `tmpfs.size`, a Kubernetes `emptyDir` with
    /// `medium: Memory` and no `sizeLimit`, or a Podman Quadlet `Tmpfs=` without `size=` (or
    /// `Mount=type=tmpfs` without `tmpfs-size=`).
    ///
    /// ## Why is this bad?
    /// A tmpfs takes RAM as it fills. Without a size, a runaway log, upload or cache can
    /// use up to half the host's memory: the container, or its neighbours, get killed for
    /// running out of memory instead of the write failing.
    ///
    /// Hygiene, not a likely problem, so the rule reports info: most tmpfs mounts (`/tmp`,
    /// `/run`, a socket folder, `/dev/shm`) hold little. The pages of a tmpfs count against the
    /// memory limit of the container that writes them, so a container memory limit bounds it
    /// too: nothing is reported when the container has one (compose `mem_limit` or
    /// `deploy.resources.limits.memory`; for a memory-backed `emptyDir`, a
    /// `resources.limits.memory` on every container that mounts it).
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     tmpfs:
    ///       - /var/cache/nginx
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     tmpfs:
    ///       - /var/cache/nginx:size=64m
    /// ```
    pub struct UnboundedTmpfs;
    meta { code: "SL302", name: "unbounded-tmpfs", severity: Info,
           formats: [Compose, Kubernetes, Quadlet] }
}

impl Rule for UnboundedTmpfs {
    fn check_mount(&self, m: &Mount, c: &Container, w: &Workload, cx: &mut Ctx) {
        if !unbounded(m) || bounded_by_memory_limit(m, c, w) {
            return;
        }
        let (span, message, help) = match (&m.kind, m.syntax) {
            (MountKind::Tmpfs, MountSyntax::ComposeTmpfs) => {
                let options: Vec<&str> = m
                    .options
                    .iter()
                    .map(String::as_str)
                    .chain(std::iter::once("size=64m"))
                    .collect();
                (
                    m.span,
                    format!(
                        "{} mounts a tmpfs without a size at `{}`",
                        m.owner, m.target
                    ),
                    format!("give it a size: `- {}:{}`", m.target, options.join(",")),
                )
            }
            // A named volume with `driver_opts: {type: tmpfs}`: the size goes in its options.
            (MountKind::Tmpfs, MountSyntax::ComposeShort | MountSyntax::ComposeLong)
                if m.volume.is_some() =>
            {
                let name = m.volume.as_ref().map_or("", |v| v.value.as_str());
                (
                    m.source_or_entry_span(),
                    format!(
                        "{} mounts tmpfs-backed volume `{name}` without a size at `{}`",
                        m.owner, m.target
                    ),
                    format!("give volume `{name}` a size in its `driver_opts`: `o: size=64m`"),
                )
            }
            (MountKind::Tmpfs, MountSyntax::TmpfsFlag) => {
                let options: Vec<&str> = m
                    .options
                    .iter()
                    .map(String::as_str)
                    .chain(std::iter::once("size=64m"))
                    .collect();
                (
                    m.span,
                    format!(
                        "{} mounts a tmpfs without a size at `{}`",
                        m.owner, m.target
                    ),
                    format!("give it a size: `Tmpfs={}:{}`", m.target, options.join(",")),
                )
            }
            (MountKind::Tmpfs, MountSyntax::MountFlag) => (
                m.target_span,
                format!(
                    "{} mounts a tmpfs without a size at `{}`",
                    m.owner, m.target
                ),
                "give it a size: add `tmpfs-size=64m` to the mount".to_string(),
            ),
            (MountKind::Tmpfs, _) => (
                m.target_span,
                format!(
                    "{} mounts a tmpfs without a size at `{}`",
                    m.owner, m.target
                ),
                "give it a size: `tmpfs: {size: 64m}` in the volume entry".to_string(),
            ),
            // Reported once at the pod volume, whichever containers mount it.
            (MountKind::EmptyDir { memory: true }, _) => (
                m.source_or_entry_span(),
                format!(
                    "{} has memory-backed `emptyDir` volume `{}` without a `sizeLimit`",
                    w.owner,
                    m.volume.as_ref().map_or("", |v| v.value.as_str())
                ),
                "set `sizeLimit` on the `emptyDir` (for example `sizeLimit: 64Mi`) and a memory \
                 limit on the container"
                    .to_string(),
            ),
            _ => return,
        };
        cx.report(span, message).subject(m.span).help(help);
    }
}

/// Whether the memory limits of the containers that write the tmpfs bound it: the pages of a
/// tmpfs are charged to the writer's memory cgroup. A pod's memory-backed `emptyDir` is
/// bounded when every container that mounts it has a limit.
fn bounded_by_memory_limit(m: &Mount, c: &Container, w: &Workload) -> bool {
    match (&m.kind, &m.volume) {
        (MountKind::EmptyDir { memory: true }, Some(volume)) => w
            .containers
            .iter()
            .filter(|other| {
                other
                    .mounts
                    .iter()
                    .any(|o| o.volume.as_ref().map(|v| &v.value) == Some(&volume.value))
            })
            .all(|other| other.memory_limit.is_some()),
        _ => c.memory_limit.is_some(),
    }
}

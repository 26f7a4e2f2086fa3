use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{Container, Mount, MountKind, MountSyntax, Platform, Workload};
use crate::rules::catalog::is_at_or_under;
use crate::rules::facts::{coverage, image_facts};

declare_rule! {
    /// ## What it does
    /// Flags compose volume entries with only a container path (`- /app/uploads`): an
    /// anonymous volume. Entries over a stateful image's data path are SL202.
    ///
    /// ## Why is this bad?
    /// An anonymous volume gets a random name, is deleted by `docker compose down -v`,
    /// replaced by an empty one with `up -V`, and left behind unnamed when the container is
    /// removed outside Compose. Whatever the service writes there is hard to find, back up
    /// or share.
    ///
    /// An anonymous volume that masks a folder inside a bind mount (`- .:/app` with
    /// `- /app/node_modules`) is an idiom, not a risk: it keeps the image's folder visible
    /// under the bound source tree, and is not reported.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: ghcr.io/example/web:1.4
    ///     volumes:
    ///       - /app/uploads
    /// ```
    ///
    /// Use instead: a named volume (or a tmpfs for scratch data).
    /// ```yaml
    /// services:
    ///   web:
    ///     image: ghcr.io/example/web:1.4
    ///     volumes:
    ///       - uploads:/app/uploads
    /// volumes:
    ///   uploads:
    /// ```
    pub struct AnonymousVolume;
    meta { code: "SL205", name: "anonymous-volume", severity: Info,
           formats: [Compose] }
}

impl Rule for AnonymousVolume {
    fn check_workload(&self, w: &Workload, cx: &mut Ctx) {
        if !matches!(w.platform, Platform::Compose | Platform::Swarm) {
            return;
        }
        for c in &w.containers {
            // The entries that keep a data path are SL202's.
            let facts = image_facts(cx.project(), w, c);
            let data_keepers: Vec<_> = facts
                .as_ref()
                .map(|f| coverage(f, c))
                .unwrap_or_default()
                .into_iter()
                .filter_map(|cov| cov.mount.map(|m| m.span))
                .collect();
            for m in &c.mounts {
                if m.kind != MountKind::Anonymous
                    || m.syntax != MountSyntax::ComposeShort
                    || data_keepers.contains(&m.span)
                    || masks_bind(c, m)
                {
                    continue;
                }
                let name = m
                    .target
                    .rsplit('/')
                    .find(|s| !s.is_empty())
                    .unwrap_or("data")
                    .replace(['_', '.'], "-");
                cx.report(
                    m.span,
                    format!("{} mounts an anonymous volume at `{}`", m.owner, m.target),
                )
                .subject(m.span)
                .help(format!(
                    "name it: `- {name}:{}` and declare it under top-level `volumes:`, or use \
                     `tmpfs:` for scratch data",
                    m.target
                ));
            }
        }
    }
}

/// The idiom `- .:/app` plus `- /app/node_modules`: the anonymous volume keeps the image's
/// folder from being hidden by the bind mount of the source tree above it. Not a risk.
fn masks_bind(c: &Container, m: &Mount) -> bool {
    c.mounts.iter().any(|b| {
        b.kind == MountKind::Bind && b.target != m.target && is_at_or_under(&m.target, &b.target)
    })
}

use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{Container, Mount, Platform, Workload};
use crate::rules::catalog::is_at_or_under;
use crate::rules::facts::volume_name_for_path;

declare_rule! {
    /// ## What it does
    /// Flags a stateful image (a database, queue, search engine, object store, ...; see the
    /// stateful image catalog) whose data path is covered by a bind mount, in plain Compose
    /// and in Podman Quadlet units (single-host services both).
    ///
    /// ## Why is this bad?
    /// The data is tied to one host folder: it does not move with the service, is owned by
    /// the container's user id on the host, and is easy to delete or change by hand while
    /// the database runs. A named volume is managed by the runtime, can use a remote driver,
    /// and is what the image's documentation recommends. Under an orchestrator the problem is
    /// worse and reported by SL402.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:17
    ///     volumes:
    ///       - ./pgdata:/var/lib/postgresql/data
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:17
    ///     volumes:
    ///       - db-data:/var/lib/postgresql/data
    /// volumes:
    ///   db-data:
    /// ```
    pub struct DataOnBindMount;
    meta { code: "SL104", name: "data-on-bind-mount", severity: Info,
           formats: [Compose, Quadlet] }
}

impl Rule for DataOnBindMount {
    fn check_mount(&self, m: &Mount, c: &Container, w: &Workload, cx: &mut Ctx) {
        if !w.platform.is_single_host_service() || !m.is_host_bind() {
            return;
        }
        let Some(image) = &c.image else { return };
        let Some(stateful) = cx.catalog().stateful_image(&image.value) else {
            return;
        };
        let Some(host) = m.host_path() else { return };
        let Some(data) = stateful
            .data_paths(&c.env)
            .into_iter()
            .find(|d| is_at_or_under(d, &m.target))
        else {
            return;
        };
        let volume = volume_name_for_path(c, &m.target);
        cx.report(
            m.source_or_entry_span(),
            format!(
                "{} keeps {} data in host folder `{}` (bind mount over `{data}`)",
                m.owner, stateful.repository, host.path
            ),
        )
        .subject(m.span)
        .label(image.span, "stateful image")
        .help(if w.platform == Platform::Quadlet {
            crate::rules::ephemeral::quadlet_volume_help(&volume, &m.target)
        } else {
            format!(
                "mount a named volume instead: `- {volume}:{}` and declare `{volume}:` under \
                 top-level `volumes:`",
                m.target
            )
        });
    }
}

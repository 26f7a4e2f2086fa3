use super::{disguise, label_mount, read_only_hint};
use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{Container, Mount, Workload};

declare_rule! {
    /// ## What it does
    /// Flags bind mounts and `hostPath` volumes that are not read-only (and are not already
    /// reported as sensitive or a runtime socket).
    ///
    /// ## Why is this bad?
    /// A writable bind lets the container change files on the host, with the container's
    /// user id: files owned by root appear in a developer's checkout, a compromised process
    /// can plant files the host later runs. When the container only reads the files, say so.
    /// When it writes data, a named volume (or a claim) keeps that data with the runtime
    /// instead of in one host folder.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx
    ///     volumes:
    ///       - ./site:/usr/share/nginx/html
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx
    ///     volumes:
    ///       - ./site:/usr/share/nginx/html:ro
    /// ```
    pub struct WritableBindMount;
    meta { code: "SL103", name: "writable-bind-mount", severity: Info,
           formats: [Compose, Kubernetes, Quadlet], default: false }
}

impl Rule for WritableBindMount {
    fn check_mount(&self, m: &Mount, _c: &Container, _w: &Workload, cx: &mut Ctx) {
        if !m.is_host_bind() || m.read_only {
            return;
        }
        let Some(host) = m.host_path() else { return };
        if cx.catalog().is_allowed_host_path(&host.path) {
            return;
        }
        let d = cx
            .report(
                m.source_or_entry_span(),
                format!(
                    "{} mounts host path `{}` writable{}",
                    m.owner,
                    host.path,
                    disguise(m)
                ),
            )
            .subject(m.span)
            .help(format!(
                "add {} if the container only reads it; keep data it writes in a named volume",
                read_only_hint(m)
            ));
        label_mount(d, m);
    }
}

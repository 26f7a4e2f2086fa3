use super::disguise;
use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{Container, Mount, MountSyntax, Workload};

declare_rule! {
    /// ## What it does
    /// Flags binds that silently create a missing host folder: compose short syntax
    /// (`./data:/data`, `/srv/app:/app`), long syntax with `bind.create_host_path: true`, and
    /// `hostPath.type: DirectoryOrCreate` or `FileOrCreate`.
    ///
    /// ## Why is this bad?
    /// A typo in the path, a missing checkout or a different node then yields an empty folder
    /// owned by root instead of an error: a database starts on an empty data folder, a web
    /// server serves nothing, a config file becomes a directory.
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
    /// Use instead: long syntax that fails when the folder is missing (or a named volume).
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:17
    ///     volumes:
    ///       - type: bind
    ///         source: ./pgdata
    ///         target: /var/lib/postgresql/data
    ///         bind:
    ///           create_host_path: false
    /// ```
    pub struct HostPathAutocreate;
    meta { code: "SL105", name: "host-path-autocreate", severity: Info,
           formats: [Compose, Kubernetes], default: false }
}

impl Rule for HostPathAutocreate {
    fn check_mount(&self, m: &Mount, _c: &Container, _w: &Workload, cx: &mut Ctx) {
        let Some(span) = m.creates_host_path else {
            return;
        };
        if !m.is_host_bind() {
            return;
        }
        let Some(host) = m.host_path() else { return };
        let help = match m.syntax {
            MountSyntax::VolumeMount => {
                "use `type: Directory` (or `File`) so a missing path fails the pod instead of \
                 creating an empty one"
            }
            _ => {
                "use long syntax with `bind: {create_host_path: false}` so a missing folder is an \
                 error, or a named volume"
            }
        };
        cx.report(
            span,
            format!(
                "{} creates host path `{}` empty if it does not exist{}",
                m.owner,
                host.path,
                disguise(m)
            ),
        )
        .subject(m.span)
        .help(help);
    }
}

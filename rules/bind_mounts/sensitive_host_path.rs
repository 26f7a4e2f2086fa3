use super::{disguise, label_mount, read_only_hint};
use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::{Container, Mount, Workload};
use crate::rules::catalog::Sensitivity;

declare_rule! {
    /// ## What it does
    /// Flags bind mounts and `hostPath` volumes whose source is the host's root, `/home`, a
    /// system location (`/etc`, `/proc`, `/var/lib/docker`, `/var/run`, ...), a folder that
    /// holds one (`/var`), or a credential folder (`~/.ssh`, `~/.aws`, `~/.kube`, ...).
    ///
    /// ## Why is this bad?
    /// The container sees, and unless read-only can change, the host's configuration, its
    /// kernel interfaces, other containers' data or someone's keys. One compromised process
    /// becomes a compromised host. Read-only lowers the severity to a warning: secrets can
    /// still be read.
    ///
    /// Read-only `/etc/localtime`, `/etc/timezone` and `/usr/share/zoneinfo`, and read-only
    /// `/var/log` in a DaemonSet (log collectors), are allowed; so is read-only
    /// `/var/lib/docker/containers` in a DaemonSet, where log collectors read container logs.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   backup:
    ///     image: restic/restic
    ///     volumes:
    ///       - /etc:/host-etc
    /// ```
    ///
    /// Use instead: mount only the files the service needs, read-only.
    /// ```yaml
    /// services:
    ///   backup:
    ///     image: restic/restic
    ///     volumes:
    ///       - /etc/backup.conf:/etc/backup.conf:ro
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/storage/volumes/#hostpath>
    /// - <https://docs.docker.com/engine/storage/bind-mounts/>
    pub struct SensitiveHostPath;
    meta { code: "SL101", name: "sensitive-host-path", severity: Error,
           formats: [Compose, Kubernetes] }
}

impl Rule for SensitiveHostPath {
    fn check_mount(&self, m: &Mount, _c: &Container, w: &Workload, cx: &mut Ctx) {
        if !m.is_host_bind() {
            return;
        }
        let Some(host) = m.host_path() else { return };
        let catalog = cx.catalog();
        let path = host.path.as_str();
        if catalog.is_allowed(path, m.read_only, w.is_daemonset())
            || catalog.is_allowed_host_path(path)
        {
            return;
        }
        let Some(sensitivity) = catalog.sensitivity(path) else {
            return;
        };
        let what = match &sensitivity {
            Sensitivity::Root(p) => format!("the host folder `{p}`"),
            Sensitivity::System(p) | Sensitivity::Credentials(p) if p == path => {
                sensitivity.describe()
            }
            Sensitivity::System(_) | Sensitivity::Credentials(_) => {
                format!("`{path}`, inside {}", sensitivity.describe())
            }
            Sensitivity::AncestorOf(_) => format!("`{path}`, {}", sensitivity.describe()),
        };
        let access = if m.read_only { "read-only" } else { "writable" };
        let help = if m.read_only {
            "mount only the specific file the service needs, or give it the data another way \
             (a config map, a secret, an environment variable)"
                .to_string()
        } else {
            format!(
                "mount only the specific file or folder the service needs, read-only ({})",
                read_only_hint(m)
            )
        };
        let d = cx
            .report(
                m.source_or_entry_span(),
                format!("{} mounts {what} {access}{}", m.owner, disguise(m)),
            )
            .subject(m.span)
            .help(help);
        if m.read_only {
            d.severity(Severity::Warning);
        }
        label_mount(d, m);
    }
}

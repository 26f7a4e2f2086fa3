use super::{disguise, label_mount, read_only_hint};
use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::paths::normalize;
use crate::model::{Container, FileModel, Mount, PersistentVolume, Spanned, Workload};
use crate::rules::catalog::{Catalog, Sensitivity};

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
    /// `/root` is a home folder like `/home`: the folder itself and its credential folders are
    /// reported, app folders under it are not. A single service's socket file under `/run` or
    /// `/var/run` (`mysqld.sock`, `.s.PGSQL.5432`) is not the system location. A
    /// PersistentVolume whose `hostPath` is sensitive is reported too, wherever it is bound.
    ///
    /// A subfolder of `/run` or `/var/run` is one agent's own folder (`/var/run/calico`,
    /// `/run/flannel`, a user's `/run/user/1000`), not the system location, unless it holds the
    /// runtime's state or sockets (`/var/run/docker`, `/run/containerd`), mounted secrets
    /// (`/var/run/secrets`), systemd, D-Bus or network namespaces (`/var/run/netns`). The
    /// syslog socket `/dev/log` is not sensitive either, nor is journald's socket folder
    /// `/run/systemd/journal` (the sockets `/dev/log` links to), nor are device nodes passed through
    /// for one purpose (`/dev/dri`, `/dev/net/tun`, `/dev/fuse`, `/dev/snd`, `/dev/bus/usb`),
    /// the kernel's null, zero and random devices, and POSIX shared memory (`/dev/shm`, a
    /// world-writable tmpfs used as RAM scratch space). Writable, these are reported by
    /// `writable-bind-mount` (SL103).
    ///
    /// Read-only time zone files (`/etc/localtime`, `/etc/timezone`, `/usr/share/zoneinfo`),
    /// kernel modules (`/lib/modules`), the public CA bundle (`/etc/ssl/certs`,
    /// `/etc/pki/tls/certs`, `/etc/ca-certificates`, `/usr/share/ca-certificates`), the
    /// distribution's description (`/etc/os-release`), the kernel's world-readable counters
    /// (`/proc/cpuinfo`, `/proc/meminfo`, `/proc/diskstats`, `/proc/loadavg`, `/proc/stat`),
    /// the user and group names, the resolver configuration, FUSE's `/etc/fuse.conf`, and
    /// a single CA certificate (`/etc/docker/certs.d/<registry>/ca.crt`, `etcd-ca.crt`: a trust
    /// anchor, public by design; a client certificate goes with its key and stays reported) are
    /// allowed, and so is read-only `/var/log` in a node agent (a DaemonSet or a swarm service
    /// with `mode: global`, e.g. a log collector). Other paths every node provides (`/`,
    /// `/proc`, `/sys`, `/dev`, `/run`, `/var/lib/docker`, `/boot`, `/etc/hostname`, ...),
    /// read-only in a node agent, are reported as info: monitoring agents read them on
    /// purpose. A container running a known monitoring or log agent image (node-exporter,
    /// cadvisor, telegraf, promtail, sysdig, fluentd, ...; catalog data) counts as a node
    /// agent however it is deployed, as a plain compose service or a ReplicationController. Read-only `/var/lib/docker/containers` stays a warning: beside the logs it
    /// holds every container's `config.v2.json`, environment and secrets included (containerd
    /// nodes keep pod logs in `/var/log/pods`); so do the runtime's state, secrets, systemd and
    /// D-Bus folders under `/run` and `/var/run`.
    ///
    /// A node agent writes some node folders by design: the CNI configuration and plugins a
    /// network plugin installs (`/etc/cni/net.d`, `/opt/cni/bin`), the kubelet's FlexVolume
    /// folder an installer fills, the network namespaces a network plugin creates
    /// (`/var/run/netns`), node-feature-discovery's feature files, and `/var/log` for a log
    /// shipper (fluentd, fluent-bit, promtail, filebeat, vector keep their read positions
    /// beside the logs). Writable (or read-only) in a DaemonSet or a global swarm service,
    /// these are info: needed, and worth knowing. So are the host's root and kernel interfaces
    /// (`/`, `/dev`, `/sys`, `/proc`) written by a privileged node agent (a kernel-probe agent,
    /// a node-setup DaemonSet): `privileged: true` already gives it every device and writable
    /// kernel interfaces, so the mount adds nothing to what it can reach; a node agent granted
    /// CAP_SYS_ADMIN may mount proc and sysfs itself, so the same goes for its `/proc` and
    /// `/sys`. Any other privileged container writing `/dev`, `/sys` or `/proc` (a home
    /// automation app with `privileged: true` and `/dev:/dev` for its USB dongles) gets info
    /// too, its help pointing at the privilege, which is the exposure; one writing another
    /// system location (`/etc`, `/var`, `/lib/modules`: a node installer, a debug pod) gets a
    /// warning, since it could reach the host without the mount but the mount is still worth
    /// narrowing. One file every node provides written to (`/etc/hostname`, `/etc/machine-id`)
    /// is a warning too: `:ro` would do, but no system folder is exposed. The node's time zone
    /// written to (`/etc/localtime`, `/etc/timezone`) is info: nothing of the host is at stake.
    ///
    /// A storage driver (a node agent, or a workload with a privileged container, that mounts
    /// the kubelet's folder `/var/lib/kubelet`: a CSI node plugin or controller; or a
    /// privileged node agent that writes the node's LVM or initiator configuration) writes the
    /// kubelet's folder and the node's iSCSI, NVMe, multipath and LVM configuration by design
    /// (`/etc/iscsi`, `/etc/nvme`, `/etc/multipath`, `/etc/lvm`, `/run/udev`): info there too,
    /// read-only or not, and so are the kernel interfaces its privileged containers write. It
    /// reads the host's SELinux configuration (`/etc/selinux`) to mount volumes with the
    /// labels the host enforces: info read-only, reported writable.
    ///
    /// A folder under `/etc` named after the container — its first or second folder there is
    /// a word of the container's image, container or service name (`/etc/harbor/core` for
    /// `goharbor/harbor-core`, `/etc/quadlets/nextcloud` for `nextcloud`) — is the app's own
    /// configuration, placed there by its deployment: info, unless that first folder is one
    /// of the host's own (`/etc/ssh`, `/etc/systemd`, `/etc/docker`, `/etc/kubernetes`, ...;
    /// catalog data). The host's files stay out of reach; the finding remains to say where.
    /// The same holds for a folder under `/var/log` (`/var/log/pterodactyl` for
    /// `pterodactyl/wings`, `/var/log/docker-examples`): one program's logs, not the journal's,
    /// the pods' or the audit log's.
    ///
    /// In a Podman Quadlet unit, `%h` is the user's home folder (`%h/.ssh` is a credential
    /// folder); other specifiers (`%t`, `%S`) stand for folders the host decides and are not
    /// reported. `/var/lib/containers` is Podman's and CRI-O's container storage.
    ///
    /// In a dev container (a `devcontainer.json`, or a compose file under `.devcontainer/`) and
    /// in a CI job's container or service container (GitHub Actions `jobs.<id>.container` and
    /// `services`), the finding is info: a dev container runs on the developer's own machine the
    /// code and tools the developer runs anyway, and on a GitHub-hosted runner the job is
    /// already root on a throwaway VM. It still says what is exposed: on a self-hosted runner
    /// or a shared workstation it is the host. Raise it with `[severity]` where that matters.
    /// A finding in a project's test fixtures (files under `test/`, `e2e/`, `testdata/`, a
    /// Kubernetes project's `hack/`, ...; see SL201) is one level lower: they run on a test
    /// machine or a throwaway test cluster (a kind node), and golden files are never applied.
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
    ///       - ./backup.conf:/etc/backup.conf:ro
    /// ```
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/storage/volumes/#hostpath>
    /// - <https://docs.docker.com/engine/storage/bind-mounts/>
    pub struct SensitiveHostPath;
    meta { code: "SL101", name: "sensitive-host-path", severity: Error,
           formats: [Compose, Kubernetes, Quadlet, Devcontainer, GithubActions],
           beats: [WritableBindMount, HostPathAutocreate] }
}

impl Rule for SensitiveHostPath {
    fn check_mount(&self, m: &Mount, c: &Container, w: &Workload, cx: &mut Ctx) {
        if !m.is_host_bind() {
            return;
        }
        let Some(host) = m.host_path() else { return };
        let path = host.path.as_str();
        // A monitoring or log agent image reads its node on purpose however it is deployed
        // (node-exporter as a plain compose service, sysdig in a ReplicationController).
        let node_agent = w.is_node_agent()
            || c.image
                .as_ref()
                .is_some_and(|i| cx.catalog().is_node_agent_image(&i.value));
        let Some(found) = finding(cx.catalog(), path, m.read_only, node_agent) else {
            return;
        };
        // A node agent reads what every node provides (`/proc`, `/sys`, `/`, the runtime's
        // folder) on purpose: worth knowing, not a likely problem. Docker's container state
        // stays a warning (it holds every container's secrets), and so do the runtime's state,
        // mounted secrets, systemd and D-Bus under `/run`.
        let catalog = cx.catalog();
        let agent = node_agent
            && catalog.is_node_provided(path)
            && catalog.container_state(path).is_none()
            && !catalog
                .sensitive
                .run_system
                .iter()
                .any(|r| crate::rules::catalog::is_at_or_under(path, r));
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
        let storage_driver = super::is_storage_driver(w, catalog);
        let throwaway = super::throwaway_host(w, &cx.file().source.path);
        let test_fixture = crate::rules::ephemeral::in_test_file(&cx.file().source.path);
        // The app's own configuration placed under `/etc` by its deployment (`/etc/harbor`
        // for Harbor's units), or its own log folder (`/var/log/pterodactyl` for wings): no
        // file of the host's system is exposed.
        let app_etc = catalog
            .sensitivity(path)
            .is_some_and(|s| matches!(s, Sensitivity::System(p) if p == "/etc" || p == "/var/log"))
            && catalog.is_app_folder(path, &own_names(c, w));
        let d = cx
            .report(
                m.source_or_entry_span(),
                format!(
                    "{} mounts {} {}{}{}{}",
                    m.owner,
                    found.what,
                    access(m.read_only),
                    disguise(m),
                    found.note,
                    if app_etc && path.starts_with("/var/log/") {
                        " (one program's log folder, no system file)"
                    } else if app_etc {
                        " (named after the container: its own folder, no system file)"
                    } else {
                        ""
                    }
                ),
            )
            .subject(m.span)
            .help(found.help.unwrap_or(help));
        let image = c.image.as_ref().map(|i| i.value.as_str());
        if m.read_only {
            // What a node agent (or a storage driver) may write by design, it may read.
            let agent_folder = (node_agent && catalog.is_node_agent_writable(path, image))
                || (storage_driver
                    && (catalog.is_storage_driver_writable(path)
                        || catalog.is_storage_driver_read(path)));
            d.severity(if agent || agent_folder {
                Severity::Info
            } else {
                Severity::Warning
            });
        } else if agent && privileged_view(c, path, catalog) {
            // `privileged: true` already hands over every device and writable kernel
            // interfaces (CAP_SYS_ADMIN the kernel's, by mounting proc and sysfs itself): the
            // mount adds nothing to that.
            d.severity(Severity::Info);
        } else if privileged_view(c, path, catalog) {
            // The same for any container: the privilege is the exposure, and what to change.
            d.severity(Severity::Info).help(
                "the container is privileged (or may mount the kernel's interfaces itself): it \
                 reaches this without the mount, so the privilege is the exposure; pass only \
                 the devices it needs (`devices:` in compose, a device plugin in Kubernetes) \
                 and drop `privileged`",
            );
        } else if node_agent && catalog.is_node_agent_writable(path, image) {
            // A log shipper's own positions beside the logs it reads, however it is deployed
            // (promtail as a plain compose service).
            d.severity(Severity::Info);
        } else if catalog.is_time_zone_file(path) {
            // The node's time zone: `:ro` would do, and nothing of the host is at stake.
            d.severity(Severity::Info);
        } else if catalog.is_node_file(path) {
            // One file the node provides (its name, its id): `:ro` would do, but no system
            // folder is exposed.
            d.severity(Severity::Warning);
        } else if storage_driver
            && (catalog.is_storage_driver_writable(path)
                || (c.privileged && catalog.is_privileged_view(path)))
        {
            // A storage driver mounts pod volumes under the kubelet's folder and logs in to
            // iSCSI/NVMe targets with the node's initiator configuration: by design.
            d.severity(Severity::Info);
        } else if c.privileged {
            // A privileged container reaches the host without the mount (it may mount the
            // host's disks itself): the mount is worth narrowing, the privilege is the exposure.
            // A storage driver's installer too (an init container that copies a helper into
            // the node's `/usr`).
            d.severity(Severity::Warning).help(
                "the container is privileged: it can reach the host's files without this mount, \
                 so drop `privileged` if it can go; else mount only the folder it writes",
            );
        }
        if app_etc {
            d.severity(Severity::Info);
        }
        if let Some(help) = throwaway {
            d.severity(Severity::Info).help(help);
        } else if test_fixture {
            // A test fixture runs on a test machine or a throwaway test cluster.
            let lower = d.severity.lower();
            d.severity(lower);
        }
        label_mount(d, m);
    }

    /// A PersistentVolume's `hostPath` exposes the node wherever a claim binds it.
    fn check_file(&self, file: &FileModel, cx: &mut Ctx) {
        for pv in &file.persistent_volumes {
            let Some(path) = pv_host_path(pv) else {
                continue;
            };
            let Some(found) = finding(cx.catalog(), &path.value, false, false) else {
                continue;
            };
            cx.report(
                path.span,
                format!(
                    "PersistentVolume/{} exposes {} to every pod whose claim binds it{}",
                    pv.name.value, found.what, found.note
                ),
            )
            .subject(path.span)
            .help(found.help.unwrap_or_else(|| {
                "give the PersistentVolume a folder of its own (or use a storage class), not a \
                 system location of the node"
                    .to_string()
            }));
        }
    }
}

/// The normalized `hostPath.path` of a PersistentVolume, with the span of the value.
pub(crate) fn pv_host_path(pv: &PersistentVolume) -> Option<Spanned<String>> {
    if pv.source_type.as_ref()?.value != "hostPath" {
        return None;
    }
    let path = pv.path.as_ref()?;
    Some(Spanned::new(normalize(&path.value), path.span))
}

/// The words that name a container: of its image's repository (registry stripped), its own
/// name and its workload's (`goharbor/harbor-core` → `goharbor`, `harbor`, `core`), lower
/// case, of three characters or more.
fn own_names(c: &Container, w: &Workload) -> Vec<String> {
    let image = c
        .image
        .as_ref()
        .map(|i| crate::rules::catalog::ImageRef::parse(&i.value).repository);
    let mut names: Vec<String> = Vec::new();
    for text in [
        image.as_deref(),
        Some(c.name.as_str()),
        Some(w.name.as_str()),
    ]
    .into_iter()
    .flatten()
    {
        for word in text.split(|ch: char| !ch.is_ascii_alphanumeric()) {
            let word = word.to_ascii_lowercase();
            if word.len() >= 3 && !names.contains(&word) {
                names.push(word);
            }
        }
    }
    names
}

/// Whether the container reaches `path` without the mount: a privileged container every
/// device and kernel interface, one granted CAP_SYS_ADMIN the kernel's (`/proc`, `/sys`),
/// which it may mount itself.
fn privileged_view(c: &Container, path: &str, catalog: &Catalog) -> bool {
    if !catalog.is_privileged_view(path) {
        return false;
    }
    c.privileged
        || (c.has_capability("SYS_ADMIN")
            && ["/proc", "/sys"]
                .iter()
                .any(|k| crate::rules::catalog::is_at_or_under(path, k)))
}

fn access(read_only: bool) -> &'static str {
    if read_only { "read-only" } else { "writable" }
}

/// What SL101 says about a host path: what it is, a note on why, and a help of its own.
struct Found {
    what: String,
    note: &'static str,
    help: Option<String>,
}

fn finding(catalog: &Catalog, path: &str, read_only: bool, node_agent: bool) -> Option<Found> {
    if catalog.is_allowed(path, read_only, node_agent) || catalog.is_allowed_host_path(path) {
        return None;
    }
    let state = catalog.container_state(path);
    let sensitivity = catalog.sensitivity(path)?;
    let what = match &sensitivity {
        Sensitivity::Root(p) => format!("the host folder `{p}`"),
        Sensitivity::System(p) | Sensitivity::Credentials(p) if p == path => sensitivity.describe(),
        Sensitivity::System(_) | Sensitivity::Credentials(_) => {
            format!("`{path}`, inside {}", sensitivity.describe())
        }
        Sensitivity::AncestorOf(_) | Sensitivity::HoldsCredentials(_) => {
            format!("`{path}`, {}", sensitivity.describe())
        }
    };
    let (note, help) = match state {
        Some(_) => (
            " (every container's `config.v2.json` there holds its environment, secrets included)",
            Some(
                "containerd nodes keep pod logs in `/var/log/pods`: mount that instead; where the \
                 collector must read Docker's logs here, suppress this finding with the reason"
                    .to_string(),
            ),
        ),
        None => ("", None),
    };
    Some(Found { what, note, help })
}

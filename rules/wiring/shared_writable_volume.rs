use std::path::PathBuf;

use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{FileModel, Mount, MountKind, MountSyntax, Workload};
use crate::rules::catalog::{ImageRef, is_at_or_under};

declare_rule! {
    /// ## What it does
    /// Flags a compose service that mounts a named volume or a host path read-write when an
    /// earlier service of the file already does: one finding per extra writer, at its mount.
    ///
    /// Services that mount it read-only are fine, and so are services that run the same image
    /// (or build the same Dockerfile): one application split into processes (app, cron,
    /// worker) that coordinates its own writes, as Nextcloud's app and cron containers do.
    /// Runtime sockets (see SL102) and kernel or
    /// runtime filesystems (`/proc`, `/sys`, `/dev`, `/run`, `/var/run`) are not data and are
    /// left out; long-syntax mounts of different `volume.subpath`s do not share files.
    ///
    /// ## Why is this bad?
    /// Two processes writing the same files without coordinating corrupt them: two database
    /// servers on one data folder, two workers rotating the same log, an app and its "backup"
    /// sidecar racing on one SQLite file. Most of the time only one service needs to write
    /// and the others only read, which `:ro` makes explicit and enforces.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     image: nextcloud:29
    ///     volumes: [nextcloud:/var/www/html]
    ///   web:
    ///     image: nginx:1.27
    ///     volumes: [nextcloud:/var/www/html]
    /// volumes:
    ///   nextcloud:
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   app:
    ///     image: nextcloud:29
    ///     volumes: [nextcloud:/var/www/html]
    ///   web:
    ///     image: nginx:1.27
    ///     volumes: ["nextcloud:/var/www/html:ro"]
    /// volumes:
    ///   nextcloud:
    /// ```
    pub struct SharedWritableVolume;
    meta { code: "SL503", name: "shared-writable-volume", severity: Warning,
           formats: [Compose] }
}

/// Kernel and runtime filesystems: shared by design, not data.
const NOT_DATA: &[&str] = &["/proc", "/sys", "/dev", "/run", "/var/run"];

/// What two mounts must share to write the same files.
#[derive(PartialEq, Eq)]
enum Store<'a> {
    /// A named volume by its real name (`name:` when the declaration sets one).
    Volume(&'a str),
    /// A host folder, resolved.
    Host(&'a PathBuf),
}

struct Writer<'a> {
    service: &'a str,
    /// The application: the image repository, or the Dockerfile a build uses.
    app: Option<String>,
    store: Store<'a>,
    /// How messages name it: ``volume `x` `` or ``host path `./x` ``.
    what: String,
    mount: &'a Mount,
}

impl Rule for SharedWritableVolume {
    fn check_file(&self, file: &FileModel, cx: &mut Ctx) {
        let writers: Vec<Writer> = file
            .workloads
            .iter()
            .flat_map(|w| w.mounts().map(move |(_, m)| (w, m)))
            .filter_map(|(w, m)| writer(file, w, m, cx))
            .collect();
        for (i, extra) in writers.iter().enumerate() {
            let earlier = &writers[..i];
            // One finding per service and store, even when it mounts it twice.
            if earlier
                .iter()
                .any(|e| e.service == extra.service && e.store == extra.store)
            {
                continue;
            }
            let shares = |e: &&Writer| {
                e.service != extra.service
                    && e.store == extra.store
                    && overlap(e.mount.sub_path.as_deref(), extra.mount.sub_path.as_deref())
            };
            // Another process of an application that already writes here.
            if extra.app.is_some() && earlier.iter().filter(shares).any(|e| e.app == extra.app) {
                continue;
            }
            let Some(first) = earlier.iter().find(|e| {
                e.service != extra.service
                    && e.store == extra.store
                    && overlap(e.mount.sub_path.as_deref(), extra.mount.sub_path.as_deref())
            }) else {
                continue;
            };
            let m = extra.mount;
            cx.report(
                m.source_or_entry_span(),
                format!(
                    "{} mounts {} read-write, as {} does",
                    m.owner, extra.what, first.mount.owner
                ),
            )
            .label(
                first.mount.source_or_entry_span(),
                format!("{} writes to it here", first.mount.owner),
            )
            .help(format!(
                "add {} in every service that only reads it; if both must write, give each its \
                 own volume or make sure the application coordinates its writes",
                read_only_hint(m)
            ));
        }
    }
}

/// A read-write mount of shared storage: a declared named volume or a host path.
fn writer<'a>(file: &'a FileModel, w: &'a Workload, m: &'a Mount, cx: &Ctx) -> Option<Writer<'a>> {
    if m.read_only {
        return None;
    }
    let (store, what) = match m.kind {
        MountKind::Bind => {
            let host = m.host_path()?;
            if cx.catalog().is_runtime_socket(&host.path)
                || NOT_DATA.iter().any(|p| is_at_or_under(&host.path, p))
            {
                return None;
            }
            let what = match &m.volume {
                Some(v) => format!("volume `{}` (a bind of `{}`)", v.value, host.path),
                None => format!("host path `{}`", host.path),
            };
            (Store::Host(&host.resolved), what)
        }
        MountKind::Volume => {
            // Undeclared volumes are SL501's: compose refuses to start.
            let key = &m.volume.as_ref()?.value;
            let decl = file.volumes.iter().find(|d| d.key.value == *key)?;
            let real = decl.name.as_ref().map_or(key, |n| &n.value);
            let what = if real == key {
                format!("volume `{key}`")
            } else {
                format!("volume `{key}` (named `{real}`)")
            };
            (Store::Volume(real), what)
        }
        _ => return None,
    };
    let app = match (
        &w.build,
        w.containers.first().and_then(|c| c.image.as_ref()),
    ) {
        (Some(build), _) => Some(build.dockerfile_path.display().to_string()),
        (None, Some(image)) => Some(ImageRef::parse(&image.value).repository),
        (None, None) => None,
    };
    Some(Writer {
        service: &w.name,
        app,
        store,
        what,
        mount: m,
    })
}

/// Two `volume.subpath`s (none: the whole volume) that reach the same files.
fn overlap(a: Option<&str>, b: Option<&str>) -> bool {
    let norm = |s: &str| format!("/{}", s.trim_matches('/'));
    match (a, b) {
        (Some(a), Some(b)) => {
            let (a, b) = (norm(a), norm(b));
            is_at_or_under(&a, &b) || is_at_or_under(&b, &a)
        }
        _ => true,
    }
}

fn read_only_hint(m: &Mount) -> &'static str {
    match m.syntax {
        MountSyntax::ComposeLong => "`read_only: true`",
        _ => "`:ro`",
    }
}

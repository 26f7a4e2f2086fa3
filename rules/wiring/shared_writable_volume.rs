use std::path::PathBuf;

use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::{Container, FileModel, Mount, MountKind, MountSyntax, VolumeDecl, Workload};
use crate::rules::catalog::{Category, ImageRef, is_at_or_under};
use crate::rules::facts::image_facts;

declare_rule! {
    /// ## What it does
    /// Flags a named volume or host path that compose services of different applications
    /// mount read-write: one finding per volume, at the second application's mount, listing
    /// every writer.
    ///
    /// It warns when two services that run a server of the stateful image catalog (a
    /// database, queue, search engine, object store or cache, not one of its tools) write the
    /// same data path (each through a mount that covers its server's data path: a config file
    /// mounted inside it is not where the server keeps data): two servers on one data folder
    /// corrupt it. Two servers of the same
    /// image count too, except `app` images (Nextcloud, WordPress), whose processes share
    /// their folder by design. Every other shared writable volume is `info`: real stacks
    /// share on purpose (a socket folder, config rendered by one service for another,
    /// producer and consumer folders).
    ///
    /// Services that mount it read-only are fine, and so are services that run the same image
    /// (or build the same Dockerfile) outside a data path: one application split into
    /// processes (app, cron, worker) that coordinates its own writes, as Nextcloud's app and
    /// cron containers do. Runtime sockets (see SL102), kernel or runtime filesystems and
    /// socket folders (`/proc`, `/sys`, `/dev`, `/run`, `/var/run`, on either side) are not
    /// data and are left out; long-syntax mounts of different `volume.subpath`s do not share
    /// files.
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
    ///   db:
    ///     image: postgres:17
    ///     volumes: [pgdata:/var/lib/postgresql/data]
    ///   db-copy:
    ///     image: postgres:17
    ///     volumes: [pgdata:/var/lib/postgresql/data]
    /// volumes:
    ///   pgdata:
    /// ```
    ///
    /// Use instead: one server per data folder (a replica gets a volume of its own).
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:17
    ///     volumes: [pgdata:/var/lib/postgresql/data]
    ///   db-replica:
    ///     image: postgres:17
    ///     volumes: [replica-data:/var/lib/postgresql/data]
    /// volumes:
    ///   pgdata:
    ///   replica-data:
    /// ```
    pub struct SharedWritableVolume;
    meta { code: "SL503", name: "shared-writable-volume", severity: Warning,
           formats: [Compose] }
}

/// Kernel and runtime filesystems: shared by design, not data.
const NOT_DATA: &[&str] = &["/proc", "/sys", "/dev", "/run", "/var/run"];

/// What two mounts must share to write the same files.
#[derive(PartialEq, Eq, Hash)]
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
    /// The server whose data path the mount holds (the image repository), and whether its
    /// image is an `app` (whose processes share their folder by design).
    server: Option<(String, bool)>,
}

impl Rule for SharedWritableVolume {
    fn check_file(&self, file: &FileModel, cx: &mut Ctx) {
        // Declarations by name, built once: each mount looks its volume up (the first of a
        // name, as a scan would find it), so many services with their own volumes stay linear.
        let mut decls: std::collections::HashMap<&str, &VolumeDecl> =
            std::collections::HashMap::new();
        for d in &file.volumes {
            decls.entry(d.key.value.as_str()).or_insert(d);
        }
        let writers: Vec<Writer> = file
            .workloads
            .iter()
            .flat_map(|w| w.mounts().map(move |(c, m)| (w, c, m)))
            .filter_map(|(w, c, m)| writer(&decls, w, c, m, cx))
            .collect();
        // Writers by store, in order: only mounts of one store are compared (a file with
        // 20,000 mounts stays linear when they are of different stores).
        let mut by_store: std::collections::HashMap<&Store, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, w) in writers.iter().enumerate() {
            by_store.entry(&w.store).or_default().push(i);
        }
        let mut done = vec![false; writers.len()];
        for (i, first) in writers.iter().enumerate() {
            if done[i] {
                continue;
            }
            // The writers of this store whose files overlap the first's, one mount per service.
            let mut group: Vec<&Writer> = vec![first];
            let mut services: std::collections::HashSet<&str> =
                std::collections::HashSet::from([first.service]);
            for &j in by_store.get(&first.store).into_iter().flatten() {
                let other = &writers[j];
                if j > i
                    && overlap(
                        first.mount.sub_path.as_deref(),
                        other.mount.sub_path.as_deref(),
                    )
                {
                    done[j] = true;
                    if services.insert(other.service) {
                        group.push(other);
                    }
                }
            }
            report(&group, cx);
        }
    }
}

/// One finding for the writers of one store: a warning when two servers write their data
/// there, info when two applications do.
fn report(group: &[&Writer], cx: &mut Ctx) {
    let servers: Vec<&&Writer> = group.iter().filter(|w| w.server.is_some()).collect();
    let two_servers = servers.iter().enumerate().any(|(i, a)| {
        servers[..i].iter().any(|b| {
            a.app != b.app || a.app.is_none() || !a.server.as_ref().is_some_and(|(_, app)| *app)
        })
    });
    // The writer the finding points at: the second server, else the first writer of
    // another application.
    let at = if two_servers {
        servers.get(1).map(|w| **w)
    } else {
        group
            .iter()
            .skip(1)
            .find(|w| w.app.is_none() || w.app != group[0].app)
            .copied()
    };
    let Some(at) = at else { return };
    let m = at.mount;
    let names: Vec<String> = group.iter().map(|w| w.mount.owner.clone()).collect();
    let message = if two_servers {
        let both: Vec<String> = servers
            .iter()
            .map(|w| {
                let repo = w.server.as_ref().map_or("", |(r, _)| r.as_str());
                format!("{} ({repo})", w.mount.owner)
            })
            .collect();
        format!(
            "{} holds the data of more than one server: {}",
            at.what,
            listing(&both)
        )
    } else {
        format!("{} is mounted read-write by {}", at.what, listing(&names))
    };
    let d = cx.report(m.source_or_entry_span(), message);
    if !two_servers {
        d.severity(Severity::Info);
    }
    for w in group.iter().filter(|w| !std::ptr::eq(**w, at)) {
        d.label(
            w.mount.source_or_entry_span(),
            format!("{} writes to it here", w.mount.owner),
        );
    }
    d.help(if two_servers {
        "give each server a volume of its own: two servers on one data folder corrupt it"
            .to_string()
    } else {
        format!(
            "add {} in every service that only reads it; if several must write, make sure \
             the application coordinates its writes",
            read_only_hint(m)
        )
    });
}

/// A read-write mount of shared storage: a declared named volume or a host path.
fn writer<'a>(
    decls: &std::collections::HashMap<&str, &'a VolumeDecl>,
    w: &'a Workload,
    c: &'a Container,
    m: &'a Mount,
    cx: &Ctx,
) -> Option<Writer<'a>> {
    if m.read_only || NOT_DATA.iter().any(|p| is_at_or_under(&m.target, p)) {
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
            let decl = *decls.get(key.as_str())?;
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
    // A server writes the store when the mount covers its data path: a file or folder mounted
    // inside the data path (a config file, an init script folder) is not where it keeps data.
    let server = image_facts(cx.project(), w, c).and_then(|facts| {
        facts
            .data_paths()
            .iter()
            .any(|d| is_at_or_under(d, &m.target))
            .then(|| {
                (
                    facts.stateful.repository.clone(),
                    facts.stateful.category == Category::App,
                )
            })
    });
    Some(Writer {
        service: &w.name,
        app,
        store,
        what,
        mount: m,
        server,
    })
}

/// `a`, `a and b`, `a, b and c`.
fn listing(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => items.join(""),
    }
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

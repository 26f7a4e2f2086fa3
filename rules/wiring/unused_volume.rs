use std::collections::HashSet;

use super::{unresolved_source, volume_name};
use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{FileModel, Workload};

declare_rule! {
    /// ## What it does
    /// Flags a top-level compose volume that no service of the file mounts, and a Kubernetes
    /// pod volume that no container of the pod mounts (or uses as a block device).
    ///
    /// ## Why is this bad?
    /// An unused declaration is usually the trace of a mistake: a service that was meant to
    /// keep its data there mounts something else (a misspelled volume, a bind mount, nothing
    /// at all), so the data ends up where nobody looks for it. Otherwise it is clutter that
    /// makes readers believe data is kept where it is not.
    ///
    /// Compose files of the run in the same folder are read as one project (override files,
    /// `-f a.yaml -f b.yaml`), and so are the files a file includes or extends services of,
    /// and the files that include it or extend its services: a mount in one of them counts. A file whose mounts include an
    /// unresolved source (`${VOLUME}`), or which declares volumes but no services, is not
    /// checked. StatefulSet `volumeClaimTemplates` are not pod volumes.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:17
    ///     volumes:
    ///       - ./pgdata:/var/lib/postgresql/data
    /// volumes:
    ///   db-data:
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
    pub struct UnusedVolume;
    meta { code: "SL502", name: "unused-volume", severity: Info,
           formats: [Compose, Kubernetes] }
}

impl Rule for UnusedVolume {
    fn check_file(&self, file: &FileModel, cx: &mut Ctx) {
        if file.volumes.is_empty() || file.workloads.is_empty() || !file.errors.is_empty() {
            return;
        }
        let mounts = || file.workloads.iter().flat_map(Workload::mounts);
        if mounts().any(|(_, m)| unresolved_source(m)) {
            return;
        }
        // The names mounted anywhere in the project, collected once: a file of many services
        // each mounting its own volume stays linear.
        let siblings: Vec<&FileModel> = cx.project().compose_family(file);
        let used: HashSet<&str> = mounts()
            .chain(
                siblings
                    .iter()
                    .flat_map(|f| f.workloads.iter().flat_map(Workload::mounts)),
            )
            .filter_map(|(_, m)| volume_name(m))
            .collect();
        for decl in &file.volumes {
            let name = decl.key.value.as_str();
            if used.contains(name) {
                continue;
            }
            cx.report(
                decl.key.span,
                format!("volume `{name}` is declared but no service mounts it"),
            )
            .help(format!(
                "mount it where the data belongs (`- {name}:/path/in/container`), or remove the \
                 declaration"
            ));
        }
    }

    fn check_workload(&self, w: &Workload, cx: &mut Ctx) {
        if !cx.file().errors.is_empty() {
            return;
        }
        if w.pod_volumes.is_empty() {
            return;
        }
        // Mounted and device names collected once: many volumes and mounts stay linear.
        let used: HashSet<&str> = w
            .mounts()
            .filter_map(|(_, m)| m.volume.as_ref().map(|v| v.value.as_str()))
            .chain(
                w.containers
                    .iter()
                    .flat_map(|c| c.volume_devices.iter().map(|d| d.value.as_str())),
            )
            .collect();
        for volume in &w.pod_volumes {
            let name = volume.name.value.as_str();
            if used.contains(name) {
                continue;
            }
            cx.report(
                volume.name.span,
                format!(
                    "{} declares pod volume `{name}`, which no container mounts",
                    w.owner
                ),
            )
            .help(format!(
                "mount it with a `volumeMounts` entry `name: {name}` in the container that needs \
                 it, or remove the volume"
            ));
        }
    }
}

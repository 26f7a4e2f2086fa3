use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::{MountKind, MountSyntax, Platform, Workload};
use crate::rules::ephemeral::{
    Reported, data_severity, durable_storage_help, pod_private_cache, stateful_containers,
};
use crate::rules::facts::coverage;

declare_rule! {
    /// ## What it does
    /// Flags a stateful image whose data path is covered by memory: a compose `tmpfs:` entry,
    /// a long-syntax `type: tmpfs` volume, a named volume whose `local` driver has
    /// `driver_opts: {type: tmpfs}` (memory in disguise), a Kubernetes `emptyDir` with
    /// `medium: Memory`, or a Podman Quadlet `Tmpfs=` (`Mount=type=tmpfs`). Dev containers and
    /// CI jobs are not checked: a CI database on a tmpfs is a common speed-up for test data. The data path is the one the container's command line chooses when it
    /// moves it (`--dir`, `--storage.tsdb.path`); tools of the image and servers with
    /// persistence switched off (`redis-server --save "" --appendonly no`) keep no data. One
    /// finding per volume, on the container that runs the server. In a project's test
    /// fixtures (files under `test/`, `tests/`, `ci/`, or named like
    /// `docker-compose.test.yml`) the finding is info: a test database on tmpfs is thrown
    /// away on purpose.
    ///
    /// ## Why is this bad?
    /// A tmpfs lives in RAM: every stop, restart or reschedule of the container erases the
    /// data, and the data counts against the container's memory limit, so a growing database
    /// gets the container killed for running out of memory.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: mysql:8.4
    ///     tmpfs:
    ///       - /var/lib/mysql
    /// ```
    ///
    /// Use instead: a named volume (keep tmpfs for test databases you mean to throw away, and
    /// suppress the finding there with a reason).
    /// ```yaml
    /// services:
    ///   db:
    ///     image: mysql:8.4
    ///     volumes:
    ///       - db-data:/var/lib/mysql
    /// volumes:
    ///   db-data:
    /// ```
    pub struct DataOnTmpfs;
    meta { code: "SL301", name: "data-on-tmpfs", severity: Error,
           formats: [Compose, Kubernetes, Quadlet],
           beats: [UnboundedTmpfs] }
}

impl Rule for DataOnTmpfs {
    fn check_workload(&self, w: &Workload, cx: &mut Ctx) {
        if w.platform == Platform::Image {
            return;
        }
        let mut reported = Reported::default();
        let file = cx.file();
        let project = cx.project();
        for (c, facts) in stateful_containers(cx.project(), w) {
            for cov in coverage(&facts, c) {
                let Some(m) = cov.mount else { continue };
                let what = match m.kind {
                    MountKind::Tmpfs => "a tmpfs: erased when the container stops",
                    MountKind::EmptyDir { memory: true } => {
                        "a memory-backed `emptyDir`: erased with the pod"
                    }
                    _ => continue,
                };
                if !reported.first(m) {
                    continue;
                }
                let d = cx
                    .report(
                        m.target_span,
                        format!(
                            "{} keeps {} data in `{}` on {what}",
                            c.owner, facts.stateful.repository, cov.data_path
                        ),
                    )
                    .subject(m.span)
                    .severity(if pod_private_cache(project, w, c, &facts) {
                        Severity::Info
                    } else {
                        data_severity(&facts, project, file, Severity::Error)
                    })
                    .help(match (&m.kind, &m.volume) {
                        (MountKind::Tmpfs, Some(v)) if m.syntax != MountSyntax::ComposeTmpfs => {
                            format!(
                                "drop `type: tmpfs` from the `driver_opts` of volume `{}`, so the \
                                 local driver keeps the data on disk",
                                v.value
                            )
                        }
                        _ => durable_storage_help(w, c, &m.target),
                    });
                if let (Some(span), Some(volume)) = (m.source_span, &m.volume) {
                    d.label(span, format!("volume `{}` is in memory", volume.value));
                }
            }
        }
    }
}

use super::{
    data_severity, durable_storage_help, has_unknown_target, kept_where_extended, mount_point,
    near_misses, pod_private_cache, quoted_list, stateful_containers,
};
use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::{ContainerRole, Platform, Workload};
use crate::rules::facts::coverage;

declare_rule! {
    /// ## What it does
    /// Flags a stateful image (a database, queue, search engine, object store, ...; see the
    /// stateful image catalog) that runs with nothing mounted over its data path. In Compose
    /// it fires only when the image declares no `VOLUME` for the path either (that case is
    /// SL202); in Kubernetes it fires whatever the image declares, because Kubernetes ignores
    /// image `VOLUME`s.
    ///
    /// Init containers, ephemeral containers, Jobs and CronJobs are not checked: they run a
    /// database image for its client tools (`pg_isready`, `pg_dump`), not to keep data. Nor is
    /// a container whose command runs such a tool (`psql`, `redis-cli`, `mongosh`,
    /// `redis-server --sentinel`, a `sh -c` script that runs a tool and not the server), a
    /// server with persistence switched off (`redis-server --save "" --appendonly no`), or a
    /// container that cannot write its layer (compose `read_only: true`, Kubernetes
    /// `securityContext.readOnlyRootFilesystem: true`) — unless, in Kubernetes, the image
    /// declares a `VOLUME` over the data path and the container runs the server (the image's
    /// own command, or a command line that names it): the runtime (containerd, CRI-O) gives
    /// that path a writable folder of the container's own, which is deleted with the pod.
    ///
    /// The data path is the one the command line chooses when it moves it (`minio server
    /// /storage`, `--dbpath`, `-D`, `--dir`, `--datadir`, `--storage.tsdb.path`; the patterns
    /// are catalog data), else a moving variable's (`PGDATA`), else the catalog's; a value
    /// that is not known (`$DATA`) means no finding. One finding per image in a pod, on the
    /// container that runs the server. A container that only idles (`sleep infinity`, `tail -f
    /// /dev/null`) is a client pod for `kubectl exec`, not the server.
    ///
    /// A server whose data folder is relative to where it starts (etcd's `<name>.etcd`) keeps
    /// it in the container's working folder when the file sets one (`working_dir`,
    /// `workingDir`). When a variable that moves the data may come from somewhere the file does
    /// not show (Kubernetes `envFrom`, compose `env_file`) and the container keeps a
    /// persistent mount elsewhere (`MINIO_DATA_DIR=/data` in a ConfigMap, a claim at `/data`),
    /// where the data goes is not known: no finding. With nothing persistent mounted at all,
    /// the finding stays whatever the variable says.
    ///
    /// In a project's test fixtures (files under `test/`, `tests/`, `e2e/`, `integration/`,
    /// `ci/`, a CI job's resources under `.github/`, a folder with a `test`, `e2e` or
    /// `benchmark` word such as `e2e-tests/`, named like `docker-compose.test.yml`, or opening
    /// with a comment that says so: `# This configuration is used for systemtests`) and in a
    /// dev container's compose file (under
    /// `.devcontainer/`: development data) the finding is info: a throwaway
    /// database is what a test wants, and an error there would fail CI for nothing. So is a
    /// compose file that only lists images for `docker compose pull` (a `pull` or `images`
    /// word in its name, and services with an image and nothing else): nothing runs from it.
    /// And so is a compose file of the servers a test suite runs against: a test-only tool
    /// beside them (toxiproxy, WireMock, MockServer, DynamoDB Local, Azurite), or nothing but
    /// data servers (nothing built) of which one lets anyone log in without a password
    /// (`MYSQL_ALLOW_EMPTY_PASSWORD`, `POSTGRES_HOST_AUTH_METHOD=trust`, ...).
    /// A container that runs a script of the project's, mounted into it (`entrypoint:
    /// create-topics` over `./scripts/create-topics.sh`, a ConfigMap's `/scripts/start.sh`),
    /// may or may not start the server: info too, the mount labelled. So is a compose file of
    /// test databases for a library (four database or search engines or more, or three with
    /// one at two versions: `mysql-5` beside `mysql-9`; most of them on no volume, and at least
    /// half of the file's services): an application keeps its data in one or two, on volumes,
    /// beside services of its own.
    ///
    /// A Podman Quadlet `.container` unit is checked like a compose service; one that joins a
    /// pod (`Pod=`) is not, since the pod's `Volume=`s join the container and what covers its
    /// data is not known in its file. Dev containers and CI jobs are not checked: their data is
    /// thrown away on purpose (a CI service database is test data).
    ///
    /// A Kubernetes object that the kustomization beside it (in its folder or the one above)
    /// patches with a file that is not there (generated per cluster, or ignored by git) is
    /// reported as info: what kustomize renders from it is unknown, and the patch may add
    /// what is missing here.
    ///
    /// A bare Pod with `restartPolicy: Never` or `OnFailure` runs a task to completion, as a
    /// Job does: it is not checked unless its command names the image's server (a pod that
    /// borrows an image for its user or tools and runs a script is not the server).
    ///
    /// ## Why is this bad?
    /// The data lands on the container's writable (overlay) layer and dies with the
    /// container: `docker compose up` after an image update, a `docker rm`, a rescheduled pod
    /// or a node drain recreates the container from the image, empty.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: mcr.microsoft.com/mssql/server:2022-latest
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: mcr.microsoft.com/mssql/server:2022-latest
    ///     volumes:
    ///       - db-data:/var/opt/mssql
    /// volumes:
    ///   db-data:
    /// ```
    pub struct DataOnContainerLayer;
    meta { code: "SL201", name: "data-on-container-layer", severity: Error,
           formats: [Compose, Kubernetes, Quadlet] }
}

impl Rule for DataOnContainerLayer {
    fn check_workload(&self, w: &Workload, cx: &mut Ctx) {
        if matches!(
            w.kube_kind(),
            Some(crate::model::KubeKind::Job | crate::model::KubeKind::CronJob)
        ) || !w.volumes_from.is_empty()
        {
            return;
        }
        let kubernetes = w.platform == Platform::Kubernetes;
        // One finding per image in a pod, on the container that runs the server.
        let mut reported: Vec<String> = Vec::new();
        for (c, facts) in stateful_containers(cx.project(), w) {
            // A bare Pod never restarted runs a task to completion, as a Job does: unless
            // its command names the server, it is not the server.
            if c.role != ContainerRole::Main
                || (w.runs_to_completion && !facts.named_server)
                || has_unknown_target(c)
                || reported.contains(&facts.stateful.repository)
            {
                continue;
            }
            let lost: Vec<String> = coverage(&facts, c)
                .into_iter()
                .filter(|cov| cov.mount.is_none())
                .map(|cov| cov.data_path)
                .filter(|p| kubernetes || facts.image_volume(p).is_none())
                // A read-only root keeps nothing on the layer; but in Kubernetes the runtime
                // still gives an image `VOLUME` a writable folder of the container's own
                // (containerd, CRI-O), deleted with it. Only when the server is known to
                // run: the image's own command, or a command line that names it (a `sh -c`
                // script of a read-only helper container may only link files there).
                .filter(|p| {
                    !c.read_only_root
                        || (kubernetes
                            && facts.image_volume(p).is_some()
                            && (facts.named_server
                                || (c.command.entrypoint.is_none() && c.command.args.is_none())))
                })
                .filter(|p| !kept_where_extended(cx.project(), cx.file(), w, p))
                .collect();
            let Some(first) = lost.first() else { continue };
            reported.push(facts.stateful.repository.clone());
            let ignored = kubernetes && lost.iter().any(|p| facts.image_volume(p).is_some());
            let misses: Vec<_> = lost
                .iter()
                .flat_map(|p| near_misses(&facts, c, p).into_iter().map(move |m| (p, m)))
                .collect();
            let target = mount_point(&facts, first);
            let severity = if pod_private_cache(cx.project(), w, c, &facts) {
                Severity::Info
            } else {
                data_severity(&facts, cx.project(), cx.file(), Severity::Error)
            };
            let this_file = cx.file();
            let merged = super::kept_in_merged_fragment(cx.project(), this_file, w, first);
            let d = cx
                .report(
                    facts.span,
                    if c.read_only_root {
                        format!(
                            "{} keeps {} data in {}, the image's `VOLUME`: its root filesystem \
                             is read-only, but the runtime gives that `VOLUME` a writable folder \
                             of the container, deleted with the pod",
                            c.owner,
                            facts.stateful.repository,
                            quoted_list(&lost),
                        )
                    } else {
                        format!(
                            "{} keeps {} data in {} on the container's writable layer{}",
                            c.owner,
                            facts.stateful.repository,
                            quoted_list(&lost),
                            if ignored {
                                " (Kubernetes ignores the image's `VOLUME`)"
                            } else {
                                ""
                            }
                        )
                    },
                )
                .severity(severity)
                .help(durable_storage_help(w, c, &target));
            super::label_merged(d, merged);
            crate::rules::facts::workload_after_missing_patch(d, this_file, w);
            crate::rules::facts::label_own_program(d, &facts);
            if let Some((file, span)) = &facts.from {
                d.related(
                    file.clone(),
                    *span,
                    format!("built from `{}`", facts.reference),
                );
            }
            for (path, m) in misses {
                d.label(
                    m.target_span,
                    format!("mounted here, but `{}` does not cover `{path}`", m.target),
                );
            }
        }
    }
}

use super::{
    data_severity, extended_elsewhere, has_unknown_target, kept_where_extended, near_misses,
    quoted_list, stateful_containers,
};
use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::{Mount, MountKind, MountSource, MountSyntax, Platform, Workload};
use crate::rules::catalog::ImageRef;
use crate::rules::facts::{coverage, volume_name_for};

declare_rule! {
    /// ## What it does
    /// Flags a stateful image whose data path, in Compose, is kept only by an anonymous
    /// volume: the `VOLUME` the image declares, or a volume entry with no source
    /// (`- /var/lib/mysql`).
    ///
    /// It also catches a named volume mounted at a path that no longer holds the data:
    /// `postgres` 18 and later keep it in `/var/lib/postgresql/18/docker` under
    /// `VOLUME /var/lib/postgresql`, so a volume at the old `/var/lib/postgresql/data` stays
    /// empty while the data goes to an anonymous volume.
    ///
    /// The data path is the one the command line chooses when it moves it (`mongod --dbpath
    /// /srv/mongo`: the image's `VOLUME /data/db` then holds nothing); a container that runs
    /// a tool of the image or a server with persistence switched off keeps no data.
    ///
    /// In a project's test fixtures (files under `test/`, `tests/`, `e2e/`, `integration/`,
    /// `ci/`, a folder with a `test` or `e2e` word such as `e2e-tests/`, or named like
    /// `docker-compose.test.yml`) and in a dev container's compose file (under
    /// `.devcontainer/`: development data) the finding is info: a throwaway
    /// database is what a test wants; so is a compose file that only lists images for
    /// `docker compose pull`, a container that runs a script of the project's mounted into
    /// it, and a compose file of test databases of many engines and versions (see SL201). A
    /// volume meant for the data that misses it (the
    /// postgres 18 case) stays a warning there.
    ///
    /// A service that services of other compose files `extends` (`db-base` in a library
    /// `base.yaml`) is a template: each extending service is checked as compose runs it,
    /// where its finding says the same, so the template's own finding is info. So is a service
    /// named as a base (`couchdb-base`) beside such templates that no file extends yet, and
    /// any service of a library file whose name `docker compose` does not pick by itself
    /// (`base.yaml`, not `compose.yaml`): the whole file is templates.
    ///
    /// In a Podman Quadlet `.container` unit it is an error: Quadlet runs the container with
    /// `podman run --rm` and removes it with `podman rm -v` when the service stops, which
    /// deletes its anonymous volumes, so every restart, reboot or image update starts the
    /// database empty.
    ///
    /// ## Why is this bad?
    /// An anonymous volume has a random name and belongs to one container. `docker compose
    /// down -v`, `up -V` (`--renew-anon-volumes`) and `docker rm -v` delete it; a container
    /// removed outside Compose leaves it behind unnamed, and the next container starts with a
    /// new, empty one. It cannot be shared or found for a backup by name.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: mysql:8.4
    ///     volumes:
    ///       - /var/lib/mysql
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: mysql:8.4
    ///     volumes:
    ///       - db-data:/var/lib/mysql
    /// volumes:
    ///   db-data:
    /// ```
    pub struct DataInAnonymousVolume;
    meta { code: "SL202", name: "data-in-anonymous-volume", severity: Warning,
           formats: [Compose, Quadlet] }
}

impl Rule for DataInAnonymousVolume {
    fn check_workload(&self, w: &Workload, cx: &mut Ctx) {
        if !matches!(
            w.platform,
            Platform::Compose | Platform::Swarm | Platform::Quadlet
        ) || !w.volumes_from.is_empty()
        {
            return;
        }
        // Quadlet removes the container with its anonymous volumes whenever the service stops.
        let quadlet = w.platform == Platform::Quadlet;
        let (base, deleted) = if quadlet {
            (
                Severity::Error,
                " (Quadlet runs it with `--rm`: the volume is deleted whenever the service stops)",
            )
        } else {
            (Severity::Warning, "")
        };
        for (c, facts) in stateful_containers(cx.project(), w) {
            if has_unknown_target(c) {
                continue;
            }
            let template = extended_elsewhere(cx.project(), cx.file(), w);
            let severity = if template {
                Severity::Info
            } else {
                data_severity(&facts, cx.project(), cx.file(), base)
            };
            let name = volume_name_for(c);
            let cover = coverage(&facts, c);
            // Entries with no source over the data.
            let (project, file) = (cx.project(), cx.file());
            let extended = |path: &str| kept_where_extended(project, file, w, path);
            for cov in &cover {
                let Some(m) = cov.mount.filter(|m| m.kind == MountKind::Anonymous) else {
                    continue;
                };
                if extended(&cov.data_path) {
                    continue;
                }
                let span = if matches!(
                    m.syntax,
                    MountSyntax::ComposeShort | MountSyntax::VolumeFlag
                ) {
                    m.span
                } else {
                    m.target_span
                };
                let d = cx.report(
                    span,
                    format!(
                        "{} keeps {} data in an anonymous volume at `{}`{deleted}",
                        c.owner, facts.stateful.repository, m.target
                    ),
                );
                crate::rules::facts::label_own_program(d, &facts);
                d.subject(m.span).severity(severity).help(if quadlet {
                    super::quadlet_volume_help(&name, &m.target)
                } else {
                    format!(
                        "give the volume a name: `- {name}:{}` and declare it under top-level \
                         `volumes:`",
                        m.target
                    )
                });
            }
            // Nothing mounted: the image's own VOLUME keeps it.
            let in_image: Vec<(String, String, Option<_>)> = cover
                .iter()
                .filter(|cov| cov.mount.is_none() && !extended(&cov.data_path))
                .filter_map(|cov| {
                    let v = facts.image_volume(&cov.data_path)?;
                    Some((cov.data_path.clone(), v.path.clone(), v.declared.clone()))
                })
                .collect();
            let Some((first_data, first_volume, _)) = in_image.first() else {
                continue;
            };
            let data: Vec<String> = in_image.iter().map(|(d, _, _)| d.clone()).collect();
            let mut volumes: Vec<String> = in_image.iter().map(|(_, v, _)| v.clone()).collect();
            volumes.dedup();
            let misses: Vec<(&String, &Mount)> = in_image
                .iter()
                .flat_map(|(d, _, _)| near_misses(&facts, c, d).into_iter().map(move |m| (d, m)))
                .collect();
            let location = if volumes.len() == 1 && volumes[0] == *first_data {
                " in".to_string()
            } else {
                format!(" in {}, inside", quoted_list(&data))
            };
            let merged = super::kept_in_merged_fragment(cx.project(), cx.file(), w, first_data);
            let d = cx
                .report(
                    facts.span,
                    format!(
                        "{} keeps {} data{location} the image's anonymous volume {}{deleted}",
                        c.owner,
                        facts.stateful.repository,
                        quoted_list(&volumes)
                    ),
                )
                // A mount meant for the data that misses it is a mistake, test fixture or not.
                .severity(if misses.is_empty() || template {
                    severity
                } else {
                    facts.severity(base)
                });
            crate::rules::facts::label_own_program(d, &facts);
            super::label_merged(d, merged);
            let mut declared_here = false;
            for (_, path, declared) in &in_image {
                if let Some((file, span)) = declared {
                    declared_here = true;
                    d.related(
                        file.clone(),
                        *span,
                        format!("`VOLUME {path}`: an anonymous volume for every container"),
                    );
                }
            }
            if !declared_here && let Some((file, span)) = &facts.from {
                d.related(
                    file.clone(),
                    *span,
                    format!("`{}` declares `VOLUME {first_volume}`", facts.reference),
                );
            }
            let product = match ImageRef::parse(&facts.reference).major() {
                Some(major) => format!("{} {major}", facts.stateful.repository),
                None => facts.stateful.repository.clone(),
            };
            for (path, m) in &misses {
                d.label(
                    m.target_span,
                    format!(
                        "{} at `{}` does not cover the data: {} keeps it in `{path}`",
                        describe(m),
                        m.target,
                        product
                    ),
                );
            }
            // Reuse the volume the user meant for the data, if any.
            let volume = misses.iter().find_map(|(_, m)| match (&m.kind, &m.source) {
                (MountKind::Volume, MountSource::Volume(v)) => Some(v.clone()),
                _ => None,
            });
            d.help(match volume {
                Some(v) if quadlet => {
                    format!(
                        "mount the volume at `{first_volume}` instead: `Volume={v}:{first_volume}`"
                    )
                }
                None if quadlet => super::quadlet_volume_help(&name, first_volume),
                Some(v) => {
                    format!("mount the volume at `{first_volume}` instead: `- {v}:{first_volume}`")
                }
                None => format!(
                    "mount a named volume: `- {name}:{first_volume}` and declare it under \
                     top-level `volumes:`"
                ),
            });
        }
    }
}

fn describe(m: &Mount) -> String {
    match (&m.kind, &m.source) {
        (MountKind::Volume, MountSource::Volume(v)) => format!("volume `{v}`"),
        (MountKind::Bind, _) => "the bind mount".to_string(),
        (MountKind::Tmpfs, _) => "the tmpfs".to_string(),
        _ => "the mount".to_string(),
    }
}

//! Facts the data-loss rules share: which image a container really runs (following compose
//! `build:` into the Dockerfile and through its `FROM` chain), where that image keeps its data,
//! which `VOLUME`s the image declares, what the container's command line makes of it (the
//! server or one of its tools, the data moved or switched off), and what covers each data
//! path. Unknown facts give `None`: a rule never reports what it cannot know.

use std::path::PathBuf;

use crate::engine::Severity;
use crate::model::{Container, EnvVar, Mount, MountKind, Project, Span, Workload};
use crate::rules::catalog::{Category, DataLocation, Invocation, StatefulImage, is_at_or_under};

/// A `VOLUME` the image declares.
#[derive(Clone, Debug)]
pub struct ImageVolume {
    pub path: String,
    /// Where a Dockerfile of the run declares it; `None` for the official image's own
    /// `VOLUME` (from the catalog).
    pub declared: Option<(PathBuf, Span)>,
}

/// What a container runs, when it keeps business data.
#[derive(Clone, Debug)]
pub struct ImageFacts {
    /// The catalog entry of the (base) image.
    pub stateful: std::sync::Arc<StatefulImage>,
    /// The image reference that matched the catalog (the `FROM` of a built image).
    pub reference: String,
    /// Where findings about the image point in the container's file: the `image:` value, or
    /// the `build:` value for a built image.
    pub span: Span,
    /// For built images: the Dockerfile `FROM` that names the stateful base.
    pub from: Option<(PathBuf, Span)>,
    /// `VOLUME`s of the image: the official image's and the Dockerfile chain's.
    pub volumes: Vec<ImageVolume>,
    /// Environment as the container sees it: the Dockerfile's `ENV`, then the container's own.
    pub env: Vec<EnvVar>,
    /// Where the server keeps its data by its command line.
    pub location: DataLocation,
    /// The command line names the server program (not merely presumed to run it).
    pub named_server: bool,
    /// The program the container runs, when it is a script of the project's mounted into the
    /// container (`entrypoint: create-topics` over `./scripts/create-topics.sh`, a ConfigMap's
    /// `/scripts/start.sh`) and the command line names no server: whether it starts the
    /// server is not known, so data findings are info.
    /// With the span of the mount that provides it.
    pub own_program: Option<(String, Span)>,
    /// The container mounts the server's provisioned configuration (Grafana's data sources and
    /// dashboards from files: [`StatefulImage::provisioning`]): its data folder adds what the
    /// UI changed, worth one level less.
    pub provisioned: bool,
}

impl ImageFacts {
    /// Where the container keeps its data: the command line's path (`--dbpath /x`), else a
    /// moving variable's (`PGDATA`), else the catalog's. None when it is not known or
    /// persistence is off (`redis-server --save ""`).
    #[must_use]
    pub fn data_paths(&self) -> Vec<String> {
        match &self.location {
            DataLocation::Default => self.stateful.data_paths(&self.env),
            DataLocation::Moved(paths) => paths.clone(),
            DataLocation::Unknown | DataLocation::Nothing => Vec::new(),
        }
    }

    /// Whether the container's own configuration (a variable, its command line) moved the data
    /// into a scratch folder (`/tmp`, `/var/tmp`, `/dev/shm`; Kafka quickstarts'
    /// `KAFKA_LOG_DIRS=/tmp/kraft-combined-logs`): kept there on purpose, as throwaway. An
    /// image whose own default is such a folder made no such choice.
    #[must_use]
    pub fn in_scratch_folder(&self) -> bool {
        let paths = self.data_paths();
        !paths.is_empty()
            && paths.iter().all(|p| scratch_path(p))
            && self.stateful.data.iter().any(|p| !scratch_path(p))
    }

    /// A severity lowered one level for `cache` images (they can be rebuilt) and for a
    /// container that mounts its provisioned configuration ([`ImageFacts::provisioned`]).
    #[must_use]
    pub fn severity(&self, base: Severity) -> Severity {
        if self.stateful.category == Category::Cache || self.provisioned {
            base.lower()
        } else {
            base
        }
    }

    /// The image `VOLUME` covering `path`, if any (the deepest).
    #[must_use]
    pub fn image_volume(&self, path: &str) -> Option<&ImageVolume> {
        self.volumes
            .iter()
            .filter(|v| is_at_or_under(path, &v.path))
            .max_by_key(|v| v.path.len())
    }
}

/// The image facts of a container, when it runs the server of a stateful image (not one of
/// its tools: `psql`, `redis-cli`, `redis-server --sentinel`).
#[must_use]
pub fn image_facts(
    project: &Project,
    workload: &Workload,
    container: &Container,
) -> Option<ImageFacts> {
    let mut facts = image_of(project, workload, container)?;
    // The image's own `CMD` runs when the container sets no command; a built image may set
    // its own, which the catalog does not know.
    let patterns = &facts.stateful.command_line;
    let invocation = if container.command.is_set() || facts.from.is_some() {
        patterns.invocation(&container.command)
    } else {
        patterns.image_default()
    };
    match invocation {
        Invocation::Tool => None,
        Invocation::Server { named, data } => {
            facts.location = match data {
                DataLocation::Default => default_location(&facts, container),
                moved => moved,
            };
            facts.named_server = named;
            facts.provisioned = facts.stateful.provisioning.iter().any(|p| {
                container.mounts.iter().any(|m| {
                    !crate::model::is_unknown(&m.target)
                        && (is_at_or_under(&m.target, p) || is_at_or_under(p, &m.target))
                })
            });
            if !named {
                facts.own_program = mounted_program(container);
            }
            Some(facts)
        }
    }
}

/// Where a server that its command line does not move keeps its data, by what else the
/// container says: its working folder for a server whose data folder is relative to it
/// (etcd), and nothing known when a variable that moves it may come from `envFrom` or an
/// `env_file` while the container keeps a persistent mount elsewhere (`MINIO_DATA_DIR=/data`
/// in a ConfigMap, the claim at `/data`): the data is then presumably there.
fn default_location(facts: &ImageFacts, container: &Container) -> DataLocation {
    // Kept in another service (a registry on S3): nothing on the container's own disk.
    if facts.stateful.stores_remotely(&facts.env) {
        return DataLocation::Nothing;
    }
    let moving = &facts.stateful.env;
    let set = facts.env.iter().any(|e| moving.contains(&e.name));
    if set {
        return DataLocation::Default;
    }
    if facts.stateful.workdir
        && let Some(dir) = &container.working_dir
    {
        return DataLocation::Moved(vec![dir.value.clone()]);
    }
    // Persistence off in the image's own configuration (mosquitto): with no configuration
    // of the container's mounted, it keeps nothing.
    let config = &facts.stateful.config;
    if !config.is_empty()
        && !container.mounts.iter().any(|m| {
            !crate::model::is_unknown(&m.target)
                && (m.target.ends_with(".conf")
                    || config
                        .iter()
                        .any(|c| is_at_or_under(&m.target, c) || is_at_or_under(c, &m.target)))
        })
    {
        return DataLocation::Nothing;
    }
    // An older release's data folder, mounted: the server keeps using it.
    let legacy: Vec<String> = facts
        .stateful
        .legacy
        .iter()
        .filter(|l| {
            container
                .mounts
                .iter()
                .any(|m| !crate::model::is_unknown(&m.target) && is_at_or_under(l, &m.target))
        })
        .cloned()
        .collect();
    if !legacy.is_empty() {
        return DataLocation::Moved(legacy);
    }
    if container.env_from && !moving.is_empty() {
        let defaults = facts.stateful.data_paths(&facts.env);
        let covered = defaults.iter().any(|d| {
            container
                .mounts
                .iter()
                .any(|m| !crate::model::is_unknown(&m.target) && is_at_or_under(d, &m.target))
        });
        if covered {
            return DataLocation::Default;
        }
        // A mount at, above or below the image's own data folders or `VOLUME`s is meant for
        // the data (and may miss it: postgres 18 moved it below a version folder): not
        // elsewhere.
        let related: Vec<String> = defaults
            .into_iter()
            .chain(facts.volumes.iter().map(|v| v.path.clone()))
            .collect();
        // Storage of its own (a claim, a named volume), written to: not a config folder.
        let persistent_elsewhere = container.mounts.iter().any(|m| {
            matches!(
                m.kind,
                MountKind::Claim | MountKind::Volume | MountKind::Nfs | MountKind::Csi
            ) && !m.read_only
                && !crate::model::is_unknown(&m.target)
                && !related
                    .iter()
                    .any(|p| is_at_or_under(p, &m.target) || is_at_or_under(&m.target, p))
        });
        if persistent_elsewhere {
            return DataLocation::Unknown;
        }
    }
    DataLocation::Default
}

fn image_of(project: &Project, workload: &Workload, container: &Container) -> Option<ImageFacts> {
    let catalog = project.catalog();
    if let Some(build) = &workload.build {
        let (file, dockerfile) = project.dockerfile(&build.dockerfile_path)?;
        let mut stage = match &build.target {
            Some(target) => dockerfile.stages.iter().find(|s| {
                s.name
                    .as_ref()
                    .is_some_and(|n| n.value.eq_ignore_ascii_case(&target.value))
            })?,
            None => dockerfile.stages.last()?,
        };
        let final_stage = stage;
        // The image carries the VOLUMEs and ENV of every stage it is built on.
        let mut chain = vec![stage];
        while let Some(base) = stage.base_stage {
            stage = dockerfile.stages.get(base)?;
            if chain.len() > dockerfile.stages.len() {
                return None;
            }
            chain.push(stage);
        }
        let stateful = catalog.stateful_image(&stage.base.value)?;
        let mut volumes = official_volumes(&stateful);
        for m in chain.iter().flat_map(|s| stage_volumes(s)) {
            volumes.push(ImageVolume {
                path: m.0,
                declared: Some((file.source.path.clone(), m.1)),
            });
        }
        let mut env: Vec<EnvVar> = final_stage
            .env
            .iter()
            .map(|(name, value)| EnvVar {
                name: name.clone(),
                value: Some(value.value.clone()),
                span: value.span,
            })
            .collect();
        env.extend(container.env.iter().cloned());
        return Some(ImageFacts {
            reference: stage.base.value.clone(),
            span: build.context.span,
            from: Some((file.source.path.clone(), stage.base.span)),
            volumes,
            env,
            stateful,
            location: DataLocation::Default,
            named_server: false,
            own_program: None,
            provisioned: false,
        });
    }
    let image = container.image.as_ref()?;
    let stateful = catalog.stateful_image(&image.value)?;
    Some(ImageFacts {
        reference: image.value.clone(),
        span: image.span,
        from: None,
        volumes: official_volumes(&stateful),
        env: container.env.clone(),
        stateful,
        location: DataLocation::Default,
        named_server: false,
        own_program: None,
        provisioned: false,
    })
}

/// The program `container` runs when its file mounts it (a host file or folder, a ConfigMap's
/// or Secret's files): the first word of its command line past `exec`, `tini --`, `env` and
/// variable assignments, or the script a shell runs (`sh /scripts/start.sh`). A bare name is
/// looked up in the usual `PATH` folders, a relative one in the working folder.
fn mounted_program(container: &Container) -> Option<(String, Span)> {
    use crate::rules::catalog::{SHELLS, WRAPPERS};
    const PATH: &[&str] = &[
        "/usr/local/sbin",
        "/usr/local/bin",
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
    ];
    let command = &container.command;
    let words: Vec<&String> = match (&command.entrypoint, &command.args) {
        (Some(e), args) => e.iter().chain(args.iter().flatten()).collect(),
        (None, Some(args)) => args.iter().collect(),
        (None, None) => return None,
    };
    let basename = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
    let mut words = words.into_iter().skip_while(|w| {
        WRAPPERS.contains(&basename(w).as_str())
            || w.split_once('=')
                .is_some_and(|(n, _)| !n.is_empty() && !n.contains('/'))
    });
    let mut program = words.next()?;
    if SHELLS.contains(&basename(program).as_str()) {
        // `sh -c '...'` is read for what it runs; `sh script.sh` runs the script.
        program = words.next().filter(|w| !w.starts_with('-'))?;
    }
    if crate::model::is_unknown(program) || program.is_empty() {
        return None;
    }
    let candidates: Vec<String> = if program.starts_with('/') {
        vec![program.clone()]
    } else if program.contains('/') {
        let dir = container.working_dir.as_ref()?;
        vec![format!(
            "{}/{}",
            dir.value.trim_end_matches('/'),
            program.trim_start_matches("./")
        )]
    } else {
        PATH.iter().map(|d| format!("{d}/{program}")).collect()
    };
    let provides_files = |m: &crate::model::Mount| {
        matches!(
            m.kind,
            MountKind::Bind
                | MountKind::HostPath
                | MountKind::ConfigMap
                | MountKind::Secret
                | MountKind::Projected
        ) && !crate::model::is_unknown(&m.target)
    };
    let found = container
        .mounts
        .iter()
        .filter(|m| provides_files(m))
        .find(|m| {
            candidates.iter().any(|c| {
                // A bare name is the mounted file itself; a path may lie in a mounted folder.
                if program.contains('/') {
                    is_at_or_under(c, &m.target)
                } else {
                    *c == m.target
                }
            })
        });
    found.map(|m| (program.clone(), m.target_span))
}

fn official_volumes(stateful: &StatefulImage) -> Vec<ImageVolume> {
    stateful
        .volumes
        .iter()
        .map(|p| ImageVolume {
            path: p.clone(),
            declared: None,
        })
        .collect()
}

/// The `VOLUME` paths a stage declares itself.
fn stage_volumes(stage: &crate::model::Stage) -> Vec<(String, Span)> {
    stage
        .volumes
        .iter()
        .flat_map(|v| v.paths.iter())
        .filter(|p| !p.value.is_empty() && !crate::model::is_unknown(&p.value))
        .map(|p| (crate::model::paths::normalize(&p.value), p.span))
        .collect()
}

/// What covers one data path of a container.
#[derive(Clone, Debug)]
pub struct Coverage<'a> {
    pub data_path: String,
    /// The deepest mount whose target equals the data path or is an ancestor of it.
    pub mount: Option<&'a Mount>,
}

/// For each data path, the mount that keeps it.
#[must_use]
pub fn coverage<'a>(facts: &ImageFacts, container: &'a Container) -> Vec<Coverage<'a>> {
    facts
        .data_paths()
        .into_iter()
        .map(|data_path| {
            let mount = container
                .mounts
                .iter()
                .filter(|m| {
                    !crate::model::is_unknown(&m.target) && is_at_or_under(&data_path, &m.target)
                })
                .max_by_key(|m| m.target.len());
            Coverage { data_path, mount }
        })
        .collect()
}

/// A compose service's suggested named volume for a container: `db` → `db-data`.
#[must_use]
pub fn volume_name_for(container: &Container) -> String {
    let base: String = container
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{}-data", base.trim_matches('-'))
}

/// A named volume to suggest for one target, so that two data paths of one service get two
/// names: `/var/opt/gitlab` → `gitlab-data`, `/etc/gitlab` → `gitlab-config`,
/// `/var/log/gitlab` → `gitlab-logs`.
#[must_use]
pub fn volume_name_for_path(container: &Container, target: &str) -> String {
    let data = volume_name_for(container);
    let base = data.strip_suffix("-data").unwrap_or(&data);
    let suffix = if target.starts_with("/etc/") || target == "/etc" {
        "config"
    } else if target.split('/').any(|c| c == "log" || c == "logs") {
        "logs"
    } else {
        "data"
    };
    format!("{base}-{suffix}")
}

/// Whether `path` lies in a `.devcontainer/` folder: a dev container's compose file, whose
/// services run on a developer's machine with development data.
#[must_use]
pub fn in_dev_container(path: &std::path::Path) -> bool {
    path.components()
        .any(|c| c.as_os_str().eq_ignore_ascii_case(".devcontainer"))
}

/// Labels a data finding on a container that runs a script of the project's
/// ([`ImageFacts::own_program`]) with the mount that provides the script.
pub fn label_own_program(d: &mut crate::engine::Diagnostic, facts: &ImageFacts) {
    if let Some((program, span)) = &facts.own_program {
        d.label(
            *span,
            format!(
                "it runs `{program}`, mounted here: whether that starts the server is not known"
            ),
        );
    }
}

/// [`unknown_after_missing_patch`] for the Kubernetes object of workload `w` (nothing for a
/// compose service or a Dockerfile).
pub fn workload_after_missing_patch(
    d: &mut crate::engine::Diagnostic,
    file: &crate::model::FileModel,
    w: &Workload,
) {
    if let Some(kind) = w.kube_kind() {
        unknown_after_missing_patch(d, file, kind.as_str(), &w.name, w.span);
    }
}

/// Lowers to info a finding that something is missing from the Kubernetes object
/// `kind`/`name` (a volume, a storage spec, a mount, a strategy, a node affinity) when the
/// file's kustomization patches that object with a file that is not there (generated, or
/// ignored by git): what kustomize renders is unknown. Labels `at` (the object's name) with
/// the patch.
pub fn unknown_after_missing_patch(
    d: &mut crate::engine::Diagnostic,
    file: &crate::model::FileModel,
    kind: &str,
    name: &str,
    at: Span,
) {
    let Some(patch) = file.missing_patch_for(kind, name) else {
        return;
    };
    let kustomization = file
        .kustomize
        .as_ref()
        .map_or_else(String::new, |k| k.kustomization.display().to_string());
    d.severity(Severity::Info).label(
        at,
        format!(
            "`{kustomization}` patches this with `{}`, which is not there: what it renders is \
             unknown",
            patch.path
        ),
    );
}

/// Whether a container folder holds only logs: `/var/log` or under it, or a folder named `log`
/// or `logs` (`/home/rocketmq/logs`, `/opt/app/log`). Logs left behind on another node cost
/// nothing a restart needs, so host-local findings about them are info.
#[must_use]
pub(crate) fn log_folder(target: &str) -> bool {
    is_at_or_under(target, "/var/log")
        || target
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .is_some_and(|last| last == "log" || last == "logs")
}

/// Whether a path (in a container or on a node) is scratch space (`/tmp`, `/var/tmp`,
/// `/dev/shm` or under them): what is written there is throwaway by choice, and a node may
/// clear it at boot.
#[must_use]
pub(crate) fn scratch_path(path: &str) -> bool {
    ["/tmp", "/var/tmp", "/dev/shm"]
        .iter()
        .any(|s| is_at_or_under(path, s))
}

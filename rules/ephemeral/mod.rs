//! SL2xx: business data on ephemeral storage (the container layer, anonymous volumes,
//! `emptyDir`), and `VOLUME` pitfalls in Dockerfiles.

pub mod anonymous_volume;
pub mod data_in_anonymous_volume;
pub mod data_on_container_layer;
pub mod data_on_emptydir;
pub mod malformed_volume_array;
pub mod operator_ephemeral_storage;
pub mod volume_changed_after_declaration;

use crate::engine::Severity;
use crate::model::{
    Container, FileModel, Mount, MountKind, Platform, Project, Workload, WorkloadKind,
};
use crate::rules::catalog::is_at_or_under;
use crate::rules::facts::{ImageFacts, image_facts, volume_name_for};

/// The containers of a deployed workload (not a Dockerfile stage) that run the server of a
/// stateful image, with their facts; those whose command names the server program first, so
/// that a rule reporting one finding per volume names the container that runs the server.
pub(crate) fn stateful_containers<'a>(
    project: &Project,
    w: &'a Workload,
) -> Vec<(&'a Container, ImageFacts)> {
    if w.platform == Platform::Image {
        return Vec::new();
    }
    let mut found: Vec<(&Container, ImageFacts)> = w
        .containers
        .iter()
        .filter_map(|c| Some((c, image_facts(project, w, c)?)))
        .collect();
    found.sort_by_key(|(_, facts)| !facts.named_server);
    found
}

/// Whether a service of another compose file that `extends` `w` (of `file`) mounts storage
/// over `data_path` itself: `w` is then a template whose data is kept where it is extended
/// (`extends: {file: base.yml, service: db}` with the data volume beside it), and the
/// extending service is checked as compose runs it.
pub(crate) fn kept_where_extended(
    project: &Project,
    file: &FileModel,
    w: &Workload,
    data_path: &str,
) -> bool {
    w.kind == WorkloadKind::ComposeService
        && project.extenders(file, w).any(|e| {
            e.mounts().any(|(_, m)| {
                !crate::model::is_unknown(&m.target) && is_at_or_under(data_path, &m.target)
            })
        })
}

/// A mount over `data_path` that another compose file of the folder adds to `w` when both are
/// merged (`docker compose -f compose.yml -f compose.traefik.yml`; both named for compose: an
/// app store's folder of one-file apps is no family): a service of the same name
/// there that names no image and builds none (a fragment that only adds to `w`) and mounts a
/// named volume or a host folder over the data. `w`'s own finding is then info: run alone, the
/// file loses the data; merged as its project runs it, it does not. Returns the fragment's
/// file and mount.
pub(crate) fn kept_in_merged_fragment<'a>(
    project: &'a Project,
    file: &'a FileModel,
    w: &Workload,
    data_path: &str,
) -> Option<(&'a FileModel, &'a crate::model::Mount)> {
    use crate::rules::wiring::undefined_volume::is_compose_name;
    if w.kind != WorkloadKind::ComposeService || !is_compose_name(&file.source.path) {
        return None;
    }
    crate::rules::wiring::compose_siblings(project, file)
        .filter(|f| is_compose_name(&f.source.path))
        .find_map(|f| {
            let fragment = f.workloads.iter().find(|o| {
                o.kind == WorkloadKind::ComposeService
                    && o.name == w.name
                    && o.build.is_none()
                    && o.extends.is_none()
                    && o.containers.iter().all(|c| c.image.is_none())
            })?;
            let (_, m) = fragment.mounts().find(|(_, m)| {
                matches!(m.kind, MountKind::Volume | MountKind::Bind)
                    && !crate::model::is_unknown(&m.target)
                    && is_at_or_under(data_path, &m.target)
            })?;
            Some((f, m))
        })
}

/// Points a data finding at the fragment's mount that keeps the data when the files are merged
/// ([`kept_in_merged_fragment`]), and makes it info.
pub(crate) fn label_merged(
    d: &mut crate::engine::Diagnostic,
    merged: Option<(&FileModel, &crate::model::Mount)>,
) {
    if let Some((file, m)) = merged {
        d.severity(crate::engine::Severity::Info).related(
            file.source.path.clone(),
            m.target_span,
            format!(
                "merged with this file (`-f`), the service mounts storage at `{}`",
                m.target
            ),
        );
    }
}

/// Whether services of other compose files `extend` `w` (of `file`): `w` is then a template
/// of a library of bases (`base.yaml` with `db-base`), and each extending service is checked
/// as compose runs it, where its finding says the same. The template's own data finding is
/// info: the file is not run by itself. So is a service named as a base (`mysql-base`,
/// `couchdb_base`) beside them, that no file extends yet, and any service of such a library
/// whose name `docker compose` does not pick by itself (`base.yaml`, not `compose.yaml`): the
/// whole file is templates.
pub(crate) fn extended_elsewhere(project: &Project, file: &FileModel, w: &Workload) -> bool {
    if w.kind != WorkloadKind::ComposeService {
        return false;
    }
    let extended = |o: &Workload| project.extenders(file, o).next().is_some();
    let library = || {
        file.workloads
            .iter()
            .any(|o| o.kind == WorkloadKind::ComposeService && o.name != w.name && extended(o))
    };
    extended(w)
        || (w
            .name
            .to_ascii_lowercase()
            .split(['-', '_', '.'])
            .any(|word| word == "base")
            && library())
        || (!crate::rules::wiring::undefined_volume::is_compose_name(&file.source.path)
            && library())
}

/// Whether `file` is a test fixture of its project: by its path ([`in_test_file`]), or by the
/// first line of the comment it opens with, when that says what the file is for and it is
/// tests (`# This configuration is used for systemtests`, `# Postgres database for testing
/// the OAuth flow`), not development too (`# For test and development only` describes a
/// developer's environment, whose data a developer keeps).
pub(crate) fn test_file(file: &FileModel) -> bool {
    const TESTS: &[&str] = &["test", "tests", "testing", "systemtests", "e2e"];
    if in_test_file(&file.source.path) {
        return true;
    }
    let text = file.source.text.trim_start();
    if !(text.starts_with('#') || text.starts_with("//")) {
        return false;
    }
    let Some(first) = text
        .lines()
        .map(|l| l.trim().trim_start_matches(['#', '/']).trim())
        .find(|l| !l.is_empty() && *l != "---")
    else {
        return false;
    };
    let first = first.to_ascii_lowercase();
    let words: Vec<&str> = first
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // "for test(s|ing)", "for systemtests", "for e2e", and one word between: "for system
    // tests", "for integration tests".
    let for_tests = words.windows(2).enumerate().any(|(i, pair)| {
        pair[0] == "for"
            && (TESTS.contains(&pair[1])
                || (!TESTS.contains(&pair[1])
                    && words
                        .get(i + 2)
                        .is_some_and(|w| matches!(*w, "test" | "tests"))))
    });
    for_tests && !words.iter().any(|w| w.starts_with("develop"))
}

/// Whether `path` is a test fixture of its project: a file under a `test`, `tests`, `testing`,
/// `e2e`, `integration`, `testdata`, `suites` (test suites), `ci`, `.ci` or `.github` folder (a
/// CI job's resources beside its workflows, `.github/resources/`), a folder named after a CI
/// service (`github_actions`, `.circleci`, `.buildkite`), a Kubernetes project's `hack`
/// folder (its developers' and CI's scripts and manifests: kind clusters, debug pods), a
/// folder named
/// after an end-to-end test framework (`playwright`, `cypress`), or a folder
/// with a `test`, `e2e` or `benchmark` word (`e2e-tests`, `integration_tests`,
/// `packages/benchmarks`), or whose name has a `test` or `integration`
/// word (`docker-compose.test.yml`, `test-db.yaml`, `compose.integration.yml`); or a dev container's compose file (under
/// `.devcontainer/`), whose database holds development data. Their databases are throwaway by
/// design: data findings there are info. The path is the one reports show (relative to the working folder).
pub(crate) fn in_test_file(path: &std::path::Path) -> bool {
    if crate::rules::facts::in_dev_container(path) {
        return true;
    }
    const FOLDERS: &[&str] = &[
        "test",
        "tests",
        "testing",
        "e2e",
        "integration",
        "testdata",
        "suites",
        "ci",
        ".ci",
        ".github",
        "github_actions",
        "github-actions",
        "gha",
        ".circleci",
        ".buildkite",
        "hack",
        "playwright",
        "cypress",
    ];
    const WORDS: &[&str] = &["test", "tests", "testing", "e2e", "ci", "integration"];
    let Some((components, name)) = folders_and_name(path) else {
        return false;
    };
    // Benchmarks too (`packages/benchmarks/`, `load-tests`): their data is throwaway.
    const FOLDER_WORDS: &[&str] = &[
        "test",
        "tests",
        "testing",
        "e2e",
        "bench",
        "benchmark",
        "benchmarks",
    ];
    components.iter().any(|c| {
        FOLDERS.contains(&c.as_str())
            || c.split(['.', '-', '_'])
                .any(|word| FOLDER_WORDS.contains(&word))
    }) || name
        .split(['.', '-', '_'])
        .any(|word| WORDS.contains(&word))
}

/// Whether `file` is a compose file that only lists images, for `docker compose pull` to
/// fetch ahead of a workshop or an offline install: its name has a `pull` or `images` word
/// (`docker-compose-pull-images.yml`, `images.yml`) and each of its services names an image
/// and nothing else it would run with (no storage, command, variables or build). Nothing is
/// run from it, so its data findings are info.
pub(crate) fn image_list_file(file: &FileModel) -> bool {
    const WORDS: &[&str] = &["pull", "prepull", "images"];
    let named = file
        .source
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|stem| stem.split(['.', '-', '_']).any(|w| WORDS.contains(&w)));
    named
        && file.format == Some(crate::model::Format::Compose)
        && file.volumes.is_empty()
        && !file.workloads.is_empty()
        && file.workloads.iter().all(|w| {
            w.kind == WorkloadKind::ComposeService
                && w.build.is_none()
                && w.volumes_from.is_empty()
                && w.extends.is_none()
                && w.containers.iter().all(|c| {
                    c.image.is_some()
                        && c.mounts.is_empty()
                        && c.env.is_empty()
                        && !c.env_from
                        && c.command.entrypoint.is_none()
                        && c.command.args.is_none()
                })
        })
}

/// Whether `file` is a compose file of database servers for a test suite (an ORM's or a
/// driver's, a server's persistence backends): four database or search engines or more
/// (postgres, mysql, mssql, mongo, elasticsearch ...), or three with one of them at two
/// versions (`mysql-5` beside `mysql-9`), most of them keeping nothing on a volume, and
/// making at least half of the file's services. An application keeps its
/// data in one or two, on volumes, beside its own services; a matrix of engines and versions
/// started empty is what a library is tested on.
pub(crate) fn database_matrix(project: &Project, file: &FileModel) -> bool {
    use crate::rules::catalog::Category;
    if file.format != Some(crate::model::Format::Compose) {
        return false;
    }
    let mut versions: Vec<(&str, Option<u64>)> = Vec::new();
    let mut kept = 0;
    let servers: Vec<ImageFacts> = file
        .workloads
        .iter()
        .flat_map(|w| stateful_containers(project, w))
        .filter(|(_, facts)| {
            matches!(
                facts.stateful.category,
                Category::Database | Category::Search
            )
        })
        .map(|(c, facts)| {
            let on_volume = crate::rules::facts::coverage(&facts, c).iter().all(|cov| {
                cov.mount
                    .is_some_and(|m| matches!(m.kind, MountKind::Volume | MountKind::Bind))
            });
            kept += usize::from(on_volume);
            facts
        })
        .collect();
    // A test matrix is mostly databases (an admin UI, a tool beside them); an application's
    // file runs more services of its own than databases.
    let services = file
        .workloads
        .iter()
        .filter(|w| w.kind == WorkloadKind::ComposeService)
        .count();
    if kept * 2 > servers.len() || servers.len() * 2 < services {
        return false;
    }
    for facts in &servers {
        let version = (
            facts.stateful.repository.as_str(),
            crate::rules::catalog::ImageRef::parse(&facts.reference).major(),
        );
        if !versions.contains(&version) {
            versions.push(version);
        }
    }
    let mut engines: Vec<&str> = versions.iter().map(|(engine, _)| *engine).collect();
    engines.sort_unstable();
    engines.dedup();
    engines.len() >= 4 || (engines.len() >= 3 && versions.len() > engines.len())
}

/// Whether `file` is a compose file of servers a test suite runs against (a driver's or a
/// framework's test backends, kept outside any test folder): a test-only tool beside them
/// (toxiproxy, WireMock, MockServer, DynamoDB Local, Azurite: fault injection and cloud
/// emulators nothing runs in production), or nothing but data servers (no service of the
/// project's own: nothing built, no image outside the catalog) of which one lets anyone log in
/// without a password (`MYSQL_ALLOW_EMPTY_PASSWORD`, `POSTGRES_HOST_AUTH_METHOD=trust`, ...).
/// Both lists are catalog data (`[test_backends]` in `stateful-images.toml`).
pub(crate) fn test_backend(project: &Project, file: &FileModel) -> bool {
    if file.format != Some(crate::model::Format::Compose) {
        return false;
    }
    let backends = &project.catalog().test_backends;
    let services: Vec<&Workload> = file
        .workloads
        .iter()
        .filter(|w| w.kind == WorkloadKind::ComposeService)
        .collect();
    let containers = || services.iter().flat_map(|w| &w.containers);
    if containers().any(|c| {
        c.image.as_ref().is_some_and(|i| {
            backends.is_tool(&crate::rules::catalog::ImageRef::parse(&i.value).repository)
        })
    }) {
        return true;
    }
    !services.is_empty()
        && services
            .iter()
            .all(|w| w.build.is_none() && !stateful_containers(project, w).is_empty())
        && containers().any(|c| {
            c.env.iter().any(|e| {
                e.value
                    .as_deref()
                    .is_some_and(|v| backends.opens_login(&e.name, v))
            })
        })
}

/// The severity of a data finding: lowered one level for caches; info in a test fixture, in
/// a list of images to pull ([`image_list_file`]), in a developer's rig of locally built
/// images ([`local_build_rig`]), in a matrix of test databases ([`database_matrix`]) or for a
/// container that runs a script of the project's mounted into it
/// ([`ImageFacts::own_program`]) or whose configuration moved the data into `/tmp`
/// ([`ImageFacts::in_scratch_folder`]); at most a warning in a development file ([`dev_file`]).
pub(crate) fn data_severity(
    facts: &ImageFacts,
    project: &Project,
    file: &FileModel,
    base: Severity,
) -> Severity {
    // Cheapest first: the last two look at every service of the file.
    if facts.own_program.is_some()
        || facts.in_scratch_folder()
        || test_file(file)
        || image_list_file(file)
        || local_build_rig(file)
        || test_backend(project, file)
        || database_matrix(project, file)
    {
        Severity::Info
    } else if dev_file(&file.source.path) {
        facts.severity(base).min(Severity::Warning)
    } else {
        facts.severity(base)
    }
}

/// Whether `path` is a development file: under a `dev`, `devel`, `develop` or `development`
/// folder, or with such a word in its name (`docker-compose.dev.yml`, `compose-develop.yaml`).
/// A contributor's stack whose databases hold what the developer tries out: data lost there
/// costs a `make install-schema`, not a user's records, so a data finding is a warning at most.
pub(crate) fn dev_file(path: &std::path::Path) -> bool {
    const WORDS: &[&str] = &["dev", "devel", "develop", "development"];
    let Some((folders, name)) = folders_and_name(path) else {
        return false;
    };
    folders.iter().any(|c| WORDS.contains(&c.as_str()))
        || name
            .split(['.', '-', '_'])
            .any(|word| WORDS.contains(&word))
}

/// A path's folders and file name, lower case; `None` for an empty path.
fn folders_and_name(path: &std::path::Path) -> Option<(Vec<String>, String)> {
    let mut components: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    let name = components.pop()?;
    Some((components, name))
}

/// Whether `file` is a compose file that runs an image the developer built on this machine
/// (tag `local`: `chrislusf/seaweedfs:local`, which a `make` target builds and starts the file
/// with): a rig for trying out the project's own build, whose data is the developer's.
pub(crate) fn local_build_rig(file: &FileModel) -> bool {
    file.format == Some(crate::model::Format::Compose)
        && file.workloads.iter().any(|w| {
            w.containers.iter().any(|c| {
                c.image.as_ref().is_some_and(|i| {
                    crate::rules::catalog::ImageRef::parse(&i.value)
                        .tag
                        .as_deref()
                        == Some("local")
                })
            })
        })
}

/// Whether `c` runs a cache (Redis, Valkey, Memcached: `category = "cache"`) as a sidecar of a
/// Kubernetes pod whose other main containers run no stateful image: the pod's own scratch
/// memory (a rate limiter's counters, a per-pod session store), which lives and dies with its
/// one client. Its data findings are info.
pub(crate) fn pod_private_cache(
    project: &Project,
    w: &Workload,
    c: &Container,
    facts: &ImageFacts,
) -> bool {
    w.platform == Platform::Kubernetes
        && facts.stateful.category == crate::rules::catalog::Category::Cache
        && {
            let others: Vec<&Container> = w
                .containers
                .iter()
                .filter(|o| o.role == crate::model::ContainerRole::Main && !std::ptr::eq(*o, c))
                .collect();
            !others.is_empty() && others.iter().all(|o| image_facts(project, w, o).is_none())
        }
}

/// Remembers which pod volumes a rule reported: one finding per volume, however many
/// containers of the pod mount it.
#[derive(Default)]
pub(crate) struct Reported(Vec<String>);

impl Reported {
    /// Whether `m`'s volume is new (and remembers it); a mount of no named volume always is.
    pub(crate) fn first(&mut self, m: &Mount) -> bool {
        let Some(volume) = &m.volume else { return true };
        if self.0.contains(&volume.value) {
            return false;
        }
        self.0.push(volume.value.clone());
        true
    }
}

/// Where to mount storage that keeps `data_path`: the image `VOLUME` enclosing it when there
/// is one (postgres ≥ 18: `/var/lib/postgresql`, which holds `18/docker`), else the data path.
pub(crate) fn mount_point(facts: &ImageFacts, data_path: &str) -> String {
    facts
        .volumes
        .iter()
        .filter(|v| is_at_or_under(data_path, &v.path))
        .min_by_key(|v| v.path.len())
        .map_or_else(|| data_path.to_string(), |v| v.path.clone())
}

/// Mounts that look meant for the data but do not cover it: under the data path, or under the
/// image `VOLUME` that encloses it (postgres ≥ 18 with a volume at the old
/// `/var/lib/postgresql/data`).
pub(crate) fn near_misses<'a>(
    facts: &ImageFacts,
    container: &'a Container,
    data_path: &str,
) -> Vec<&'a Mount> {
    let enclosing = mount_point(facts, data_path);
    container
        .mounts
        .iter()
        .filter(|m| !is_at_or_under(data_path, &m.target))
        .filter(|m| {
            is_at_or_under(&m.target, data_path)
                || (enclosing != data_path && is_at_or_under(&m.target, &enclosing))
        })
        .collect()
}

/// The fix for data with no durable storage, in the workload's own terms.
pub(crate) fn durable_storage_help(w: &Workload, c: &Container, path: &str) -> String {
    if w.platform == Platform::Kubernetes {
        format!(
            "mount a PersistentVolumeClaim at `{path}`: a `volumeClaimTemplates` entry of a \
             StatefulSet, or a `persistentVolumeClaim` volume"
        )
    } else if w.platform == Platform::Quadlet {
        quadlet_volume_help(&volume_name_for(c), path)
    } else {
        let volume = volume_name_for(c);
        format!(
            "mount a named volume: `- {volume}:{path}` and declare it under top-level `volumes:`"
        )
    }
}

/// The fix in a Quadlet unit's terms: a named volume, or a `.volume` unit.
pub(crate) fn quadlet_volume_help(volume: &str, path: &str) -> String {
    format!(
        "mount a named volume: `Volume={volume}:{path}`, or a `{volume}.volume` unit as \
         `Volume={volume}.volume:{path}`"
    )
}

/// `` `a` `` or `` `a` and `b` ``.
pub(crate) fn quoted_list(paths: &[String]) -> String {
    let quoted: Vec<String> = paths.iter().map(|p| format!("`{p}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// A mount target that is not known (an unresolved variable, or no path at all): coverage is
/// then unknown.
pub(crate) fn has_unknown_target(c: &Container) -> bool {
    c.mounts
        .iter()
        .any(|m| crate::model::is_unknown(&m.target) || !is_container_path(&m.target))
}

/// Whether a mount's target is a path in a container: absolute, or a Windows container's
/// (`C:\data`). Anything else (`toBeReplaced` in an operator's embedded template that fills
/// the path in) says nothing of where the mount is.
fn is_container_path(target: &str) -> bool {
    let bytes = target.as_bytes();
    target.starts_with('/')
        || target.starts_with('\\')
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}

#[cfg(test)]
mod tests {
    use super::{dev_file, in_test_file};
    use std::path::Path;

    #[test]
    fn development_files_by_folder_or_name() {
        for path in [
            "docker/dev/mysql.yml",
            "docker-compose.dev.yml",
            "compose-develop.yaml",
            "development/compose.yaml",
            "deploy/docker-compose_devel.yml",
        ] {
            assert!(dev_file(Path::new(path)), "{path}");
        }
        for path in [
            "docker-compose.yml",
            "devices/compose.yaml",
            "devops/compose.yaml",
            "docker-compose.devices.yml",
        ] {
            assert!(!dev_file(Path::new(path)), "{path}");
        }
    }

    #[test]
    fn test_fixtures_by_folder_or_name() {
        for path in [
            "docker/test/develop.yml",
            "integration/resources/compose/etcd.yml",
            "docker-compose.test.yml",
            "tests/e2e/compose.yaml",
            "ci/db.yml",
            ".ci/compose.yaml",
            "suites/replication/compose.yaml",
            "test-db.yaml",
            ".devcontainer/docker-compose.yml",
            "e2e-tests/storage/compare/statefulset.yml",
            "integration_tests/db.yaml",
            "playwright/docker-compose.yml",
            "web/cypress/compose.yaml",
            "docker/github_actions/docker-compose.yml",
            ".circleci/compose.yaml",
            "ui/docker-compose.integration.yml",
            "hack/kind.yaml",
        ] {
            assert!(in_test_file(Path::new(path)), "{path}");
        }
        for path in [
            "docker-compose.latest.yml",
            "contest/compose.yaml",
            "latest-release/compose.yaml",
            "docker-compose.yml",
            "deploy/prod.yml",
            "integrations/compose.yaml",
        ] {
            assert!(!in_test_file(Path::new(path)), "{path}");
        }
    }
}

use super::{compose_siblings, did_you_mean, unresolved_source};
use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::{Container, Mount, MountKind, MountSource, Workload};

declare_rule! {
    /// ## What it does
    /// Flags a compose service that mounts a named volume the top-level `volumes:` does not
    /// declare, and a Kubernetes `volumeMount` whose `name` matches no volume of its pod.
    ///
    /// A Kubernetes object that the kustomization beside it (in its folder or the one above)
    /// patches with a file that is not there (generated per cluster, or ignored by git) is
    /// reported as info: what kustomize renders from it is unknown, and the patch may add
    /// what is missing here.
    ///
    /// ## Why is this bad?
    /// The runtime rejects the configuration: `docker compose up` stops with "service refers
    /// to undefined volume", and the API server refuses the pod ("volumeMounts[0].name: Not
    /// found"). Most often the name is misspelled, or `./data` (a host folder) was meant and
    /// `data` (a volume) written.
    ///
    /// Compose files of the run in the same folder are read as one project (override files,
    /// `-f a.yaml -f b.yaml`), and so are the files a file includes (top-level `include:`)
    /// or extends services of, and the files that include it or extend its services: a
    /// volume declared in one of them counts. A file whose `include:` names a file the run
    /// cannot read (remote, missing, `${VAR}`) is not checked, nor a source left unresolved
    /// (`${VOLUME}`), nor a mount a service inherits through `extends` (the base file
    /// reports it).
    /// An override file (`docker-compose.override*.yml`, `compose.override*.yaml`,
    /// `docker-compose.<env>.yml`) with no base file (`compose.yaml`, `docker-compose.yml`)
    /// beside it is merged with a base in another folder (`-f ../../docker-compose.yml -f
    /// docker-compose.override.web.yml`) that may declare the volume: its finding is info,
    /// which keeps a typo visible without failing CI on a volume the base declares.
    /// A YAML file not named like a compose or stack file (`coolify/templates/ghost.yaml`)
    /// that declares no volume itself (no top-level `volumes:`), mounting named ones that no
    /// file read with it declares, is refused by every `docker compose up`, so it is
    /// not run as it stands: a platform's template (Coolify declares the volumes it finds
    /// when it deploys one) or a fragment merged elsewhere. Its findings are info too, and so
    /// are those of a file of the same kind that declares some volumes, in a folder where three
    /// other such files declare none (a template of the same platform); in a `compose.yaml` the
    /// forgotten `volumes:` section stays an error. A source written as a placeholder of the
    /// documentation (`</path/to/appdata/config>:/config`) is a warning that says so.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:17
    ///     volumes:
    ///       - db-data:/var/lib/postgresql/data
    /// volumes:
    ///   db_data:
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
    ///
    /// ## References
    /// - <https://docs.docker.com/reference/compose-file/volumes/>
    /// - <https://kubernetes.io/docs/concepts/storage/volumes/>
    pub struct UndefinedVolume;
    meta { code: "SL501", name: "undefined-volume", severity: Error,
           formats: [Compose, Kubernetes] }
}

impl Rule for UndefinedVolume {
    fn check_mount(&self, m: &Mount, _c: &Container, w: &Workload, cx: &mut Ctx) {
        match m.kind {
            MountKind::Volume => compose(m, cx),
            MountKind::Undefined => kubernetes(m, w, cx),
            _ => {}
        }
    }
}

fn compose(m: &Mount, cx: &mut Ctx) {
    let MountSource::Volume(name) = &m.source else {
        return;
    };
    let file = cx.file();
    // Declared, or unknown (`${VAR}`).
    if m.volume.is_some() || unresolved_source(m) {
        return;
    }
    // A top-level `volumes:` that failed to parse is reported as SL001 already.
    if !file.errors.is_empty() {
        return;
    }
    let project = cx.project();
    // Possibly declared by an included file this run cannot see.
    if !project.includes_known(file) {
        return;
    }
    let family = project.compose_family(file);
    if family
        .iter()
        .any(|f| f.volumes.iter().any(|d| d.key.value == *name))
    {
        return;
    }
    // An override file with no base beside it is merged with a base in another folder
    // (`-f ../../docker-compose.yml -f docker-compose.override.web.yml`), which may declare
    // the volume: not known, so info.
    let detached = is_override_name(&file.source.path)
        && !compose_siblings(project, file).any(|f| is_base_name(&f.source.path));
    // No volume declared anywhere, in a file `docker compose` does not pick by its name: it
    // refuses every run of this file, so something else (a platform that declares the
    // volumes it finds, a merge) deploys it.
    // (Files beside it are read with it and may declare other volumes: a folder of a
    // platform's templates is no project.)
    let declares_none = !is_compose_name(&file.source.path) && file.volumes.is_empty();
    // A file of such a folder of templates that declares some volumes and leaves the rest to
    // the platform is one of them too: three other files beside it, not named for compose,
    // mount named volumes and declare none.
    let template_folder = !declares_none
        && !is_compose_name(&file.source.path)
        && compose_siblings(project, file)
            .filter(|f| {
                !is_compose_name(&f.source.path)
                    && f.volumes.is_empty()
                    && f.workloads.iter().any(|w| {
                        w.containers.iter().any(|c| {
                            c.mounts
                                .iter()
                                .any(|m| matches!(m.source, MountSource::Volume(_)))
                        })
                    })
            })
            .nth(2)
            .is_some();
    let help = if declares_none || template_folder {
        format!(
            "declare it in a top-level `volumes:` section: `volumes: {{{name}: {{}}}}` (unless \
             the tool that deploys this file declares its volumes)"
        )
    } else if file.volumes.is_empty() {
        format!("declare it in a top-level `volumes:` section: `volumes: {{{name}: {{}}}}`")
    } else {
        format!("add `{name}:` under the top-level `volumes:`, or fix the name")
    };
    let near = did_you_mean(name, file.volumes.iter().map(|d| &d.key));
    // `</path/to/appdata/config>:/config`: a placeholder of the documentation left to fill
    // in, which `docker compose` refuses loudly; not a volume someone forgot to declare.
    let placeholder = name.starts_with('<') && name.ends_with('>');
    let d = if placeholder {
        cx.report(
            m.source_or_entry_span(),
            format!(
                "{} mounts `{name}`, a placeholder to replace with a host path or a volume name",
                m.owner
            ),
        )
        .severity(Severity::Warning)
        .help("replace the placeholder: `docker compose` refuses the file as it stands")
    } else {
        cx.report(
            m.source_or_entry_span(),
            format!(
                "{} mounts volume `{name}`, which the top-level `volumes:` does not declare",
                m.owner
            ),
        )
        .help(help)
    };
    if detached || declares_none || template_folder {
        d.severity(Severity::Info);
    }
    if let Some(near) = near {
        d.label(
            near.span,
            format!("did you mean `{}`, declared here?", near.value),
        );
    } else if let Some((f, near)) = family
        .iter()
        .find_map(|f| did_you_mean(name, f.volumes.iter().map(|d| &d.key)).map(|near| (f, near)))
    {
        d.related(
            f.source.path.clone(),
            near.span,
            format!("did you mean `{}`, declared here?", near.value),
        );
    }
}

const BASE_NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// `compose.yaml`, `docker-compose.yml`: a project's base file.
fn is_base_name(path: &std::path::Path) -> bool {
    BASE_NAMES.contains(&file_name(path).as_str())
}

/// `compose.yaml`, `docker-compose.prod.yml`, `docker-stack.yml`: a file named for `docker
/// compose` or `docker stack deploy` (RULES.md "Inputs"); "stack" as a word of the name, as
/// the parser reads stack files (`bookstack.yaml` is not one).
pub(crate) fn is_compose_name(path: &std::path::Path) -> bool {
    let name = file_name(path);
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return false;
    };
    stem == "compose"
        || stem.starts_with("compose.")
        || stem.starts_with("docker-compose")
        || stem
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word == "stack")
}

/// `docker-compose.override.yml`, `compose.override.web.yaml`, `docker-compose.prod.yml`: a
/// file written to be merged over a base.
fn is_override_name(path: &std::path::Path) -> bool {
    let name = file_name(path);
    ["docker-compose.", "compose."].iter().any(|prefix| {
        name.strip_prefix(prefix).is_some_and(|rest| {
            [".yml", ".yaml"].iter().any(|ext| {
                rest.strip_suffix(ext)
                    .is_some_and(|middle| !middle.is_empty())
            })
        })
    })
}

fn kubernetes(m: &Mount, w: &Workload, cx: &mut Ctx) {
    let MountSource::Volume(name) = &m.source else {
        return;
    };
    let templates = if w.kube_kind() == Some(&crate::model::KubeKind::StatefulSet) {
        format!(", or a `volumeClaimTemplates` entry named `{name}`")
    } else {
        String::new()
    };
    let near = did_you_mean(
        name,
        w.pod_volumes
            .iter()
            .map(|v| &v.name)
            .chain(w.claim_templates.iter().map(|c| &c.name)),
    );
    let this_file = cx.file();
    let d = cx
        .report(
            m.source_or_entry_span(),
            format!(
                "{} mounts volume `{name}`, which no volume of the pod declares",
                m.owner
            ),
        )
        .help(format!(
            "add a pod volume named `{name}` under `volumes:` of the pod spec{templates}, or fix \
             the name"
        ));
    if let Some(near) = near {
        d.label(
            near.span,
            format!("did you mean `{}`, declared here?", near.value),
        );
    }
    crate::rules::facts::workload_after_missing_patch(d, this_file, w);
}

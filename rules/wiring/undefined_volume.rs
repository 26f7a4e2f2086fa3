use super::{compose_siblings, did_you_mean, unresolved_source};
use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{Container, Mount, MountKind, MountSource, Workload};

declare_rule! {
    /// ## What it does
    /// Flags a compose service that mounts a named volume the top-level `volumes:` does not
    /// declare, and a Kubernetes `volumeMount` whose `name` matches no volume of its pod.
    ///
    /// ## Why is this bad?
    /// The runtime rejects the configuration: `docker compose up` stops with "service refers
    /// to undefined volume", and the API server refuses the pod ("volumeMounts[0].name: Not
    /// found"). Most often the name is misspelled, or `./data` (a host folder) was meant and
    /// `data` (a volume) written.
    ///
    /// Compose files of the run in the same folder are read as one project (override files,
    /// `-f a.yaml -f b.yaml`): a volume declared in one of them counts. A file with a
    /// top-level `include:` is not checked, nor a source left unresolved (`${VOLUME}`).
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
    // Declared, unknown (`${VAR}`), or possibly declared where this file cannot see it.
    if m.volume.is_some() || unresolved_source(m) || file.include.is_some() {
        return;
    }
    // A top-level `volumes:` that failed to parse is reported as SL001 already.
    if !file.errors.is_empty() {
        return;
    }
    let project = cx.project();
    if compose_siblings(project, file).any(|f| f.volumes.iter().any(|d| d.key.value == *name)) {
        return;
    }
    let help = if file.volumes.is_empty() {
        format!("declare it in a top-level `volumes:` section: `volumes: {{{name}: {{}}}}`")
    } else {
        format!("add `{name}:` under the top-level `volumes:`, or fix the name")
    };
    let near = did_you_mean(name, file.volumes.iter().map(|d| &d.key));
    let d = cx
        .report(
            m.source_or_entry_span(),
            format!(
                "{} mounts volume `{name}`, which the top-level `volumes:` does not declare",
                m.owner
            ),
        )
        .help(help);
    if let Some(near) = near {
        d.label(
            near.span,
            format!("did you mean `{}`, declared here?", near.value),
        );
    }
}

fn kubernetes(m: &Mount, w: &Workload, cx: &mut Ctx) {
    let MountSource::Volume(name) = &m.source else {
        return;
    };
    let templates = if w.kube_kind() == Some("StatefulSet") {
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
}

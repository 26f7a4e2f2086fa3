//! Podman Quadlet units (`.container`, `.pod`, `.volume`, `.kube`, `.build`) -> model.
//!
//! A `.container` unit is one container on one host, run by systemd as `podman run --rm`:
//! `Image=`, `Volume=` (podman's `-v`), `Mount=` (`--mount`), `Tmpfs=`, `ReadOnly=`,
//! `Environment=`, `Exec=`, `Entrypoint=`, `Memory=`, `Pod=`, and the storage flags of
//! `PodmanArgs=`. A `.pod` unit's `Volume=`s join every container of the pod: the pod is a
//! workload of its own (for the host paths it binds), and a container with `Pod=` takes
//! volumes from elsewhere, so what covers its data is not known here. `.volume`, `.kube` and
//! `.build` units are read for their syntax only.
//!
//! Sources as Quadlet reads them: `/x` and `./x` (relative to the unit file) are host paths,
//! anything else a named volume (`x.volume` names the volume of a `.volume` unit). systemd
//! specifiers stay unknown, except that `%h` is the user's home folder (`~`, so `%h/.ssh` is
//! a credential folder) and `%T`/`%V` are `/tmp` and `/var/tmp`; a path under another
//! directory specifier (`%t/podman/podman.sock`, `%S/app`) is a host path whose folder is not
//! known: only its file name can tell (a runtime socket).

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::Parsed;
use super::mount_spec::{self, Dialect, RunFlag, Source};
use super::unit::{self, Entry, Unit};
use crate::model::{
    Command, Container, ContainerRole, EnvVar, HostPath, Mount, ParseError, Platform, QuadletUnit,
    SourceFile, Span, Spanned, VolumeDecl, Workload, WorkloadKind,
};

/// The Quadlet unit kinds stowlint reads, by file extension, with their section.
pub const UNIT_KINDS: &[(&str, &str)] = &[
    ("container", "Container"),
    ("pod", "Pod"),
    ("volume", "Volume"),
    ("kube", "Kube"),
    ("build", "Build"),
];

/// The section a Quadlet file named `path` must hold (`[Container]` for `x.container`), when
/// its extension is one of [`UNIT_KINDS`].
#[must_use]
pub fn section_for(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    UNIT_KINDS
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, section)| *section)
}

/// Read a Quadlet unit.
#[must_use]
pub fn parse(source: &SourceFile) -> Parsed {
    let unit = unit::parse(source);
    let mut parsed = Parsed::default();
    let Some(section) = section_for(&source.path) else {
        parsed.errors = unit.errors;
        return parsed;
    };
    let name = source
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cx = Cx {
        source,
        dir: source.path.parent().unwrap_or(Path::new("")).to_path_buf(),
        owner: format!("unit {name}"),
    };
    let mut errors = Vec::new();
    match section {
        "Container" | "Pod" => {
            if let Some(w) = cx.workload(&unit, section, &mut errors) {
                parsed.workloads.push(w);
            }
        }
        "Volume" => parsed.volumes.extend(cx.volume_decl(&unit, &name)),
        _ => {}
    }
    parsed.errors = unit.errors;
    parsed.errors.append(&mut errors);
    parsed
}

struct Cx<'a> {
    source: &'a SourceFile,
    dir: PathBuf,
    owner: String,
}

/// Spans and sources of one entry's value.
struct InEntry<'a> {
    cx: &'a Cx<'a>,
    entry: &'a Entry,
    /// Where the mount string starts in the entry's value.
    base: Option<usize>,
}

impl Dialect for InEntry<'_> {
    fn span(&self, range: Range<usize>) -> Span {
        match self.base {
            Some(b) => self
                .entry
                .sub_span(self.cx.source, b + range.start..b + range.end),
            None => self.entry.span,
        }
    }

    fn source(&self, written: &str) -> Source {
        if written.starts_with(['/', '.', '%']) {
            match self.host(written) {
                Some(h) => Source::Host(h),
                None if written.starts_with('%') => Source::Volume(written.to_string()),
                None => Source::Unknown,
            }
        } else {
            Source::Volume(written.to_string())
        }
    }

    fn host(&self, written: &str) -> Option<HostPath> {
        let Some(rest) = written.strip_prefix('%') else {
            return Some(crate::model::paths::host_path(written, &self.cx.dir));
        };
        let mut chars = rest.chars();
        let spec = chars.next()?;
        let after = chars.as_str();
        if !(after.is_empty() || after.starts_with('/')) {
            // `%N-data`, `%i`: a name built from specifiers.
            return None;
        }
        let known = match spec {
            'h' => Some("~"),
            'T' => Some("/tmp"),
            'V' => Some("/var/tmp"),
            _ => None,
        };
        if let Some(root) = known {
            return Some(crate::model::paths::host_path(
                &format!("{root}{after}"),
                &self.cx.dir,
            ));
        }
        if !matches!(spec, 't' | 'S' | 'C' | 'L' | 'E' | 'Y' | 'g' | 'G') {
            return None;
        }
        // A folder the host decides: kept as written, never resolved.
        let path = crate::model::paths::normalize(written);
        Some(HostPath {
            resolved: PathBuf::from(&path),
            path,
        })
    }
}

impl Cx<'_> {
    fn workload(
        &self,
        unit: &Unit,
        section: &str,
        errors: &mut Vec<ParseError>,
    ) -> Option<Workload> {
        let s = unit.section(section)?;
        let container_unit = section == "Container";
        let mut mounts = Vec::new();
        let mut privileged = false;
        let mut read_only = s.last("ReadOnly").is_some_and(|e| is_true(&e.value));
        for e in s.all("Volume") {
            self.push(
                mount_spec::volume_flag(&e.value, &self.dialect(e, 0), &self.owner),
                &mut mounts,
                errors,
                e.span,
            );
        }
        if container_unit {
            for e in s.all("Mount") {
                self.push(
                    mount_spec::mount_flag(&e.value, &self.dialect(e, 0), &self.owner),
                    &mut mounts,
                    errors,
                    e.span,
                );
            }
            for e in s.all("Tmpfs") {
                self.push(
                    mount_spec::tmpfs_flag(&e.value, &self.dialect(e, 0), &self.owner),
                    &mut mounts,
                    errors,
                    e.span,
                );
            }
        }
        for e in s.all("PodmanArgs") {
            let Some(words) = mount_spec::words_with_ranges(&e.value) else {
                continue;
            };
            for (i, flag) in mount_spec::run_flags(&words) {
                let (value, written) = (&words[i].0, &words[i].1);
                // Offsets map into the value only when the word is written as is.
                let plain = e.value.get(written.clone()) == Some(value.as_str());
                let at = |r: &Range<usize>| (plain.then_some(written.start), &value[r.clone()]);
                let Some((make, r)) = flag.reader() else {
                    match flag {
                        RunFlag::ReadOnly => read_only = true,
                        _ => privileged = true,
                    }
                    continue;
                };
                let (base, text) = at(&r);
                let d = InEntry {
                    base: base.map(|b| b + r.start),
                    ..self.dialect(e, 0)
                };
                self.push(make(text, &d, &self.owner), &mut mounts, errors, e.span);
            }
        }
        let image = s
            .last("Image")
            .filter(|e| {
                container_unit
                    && !e.value.is_empty()
                    && !e.value.ends_with(".image")
                    && !e.value.ends_with(".build")
            })
            .map(|e| Spanned::new(e.value.clone(), e.span));
        let name = self
            .source
            .path
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let container = Container {
            name: name.clone(),
            role: ContainerRole::Main,
            owner: self.owner.clone(),
            image,
            env: if container_unit {
                environment(s)
            } else {
                Vec::new()
            },
            mounts,
            volume_devices: Vec::new(),
            command: if container_unit {
                command(s)
            } else {
                Command::default()
            },
            read_only_root: read_only,
            privileged,
            capabilities: s
                .all("AddCapability")
                .iter()
                .flat_map(|e| e.value.split_whitespace())
                .map(crate::model::capability_name)
                .collect(),
            // `AddDevice=/dev/fuse` or `AddDevice=/dev/fuse:/dev/fuse:rwm`: the host path.
            devices: s
                .all("AddDevice")
                .iter()
                .filter_map(|e| e.value.trim().trim_start_matches('-').split(':').next())
                .map(str::to_string)
                .collect(),
            memory_limit: s.last("Memory").map(|e| e.span),
            working_dir: s
                .last("WorkingDir")
                .filter(|e| container_unit && e.value.starts_with('/'))
                .map(|e| Spanned::new(crate::model::paths::normalize(&e.value), e.span)),
            env_from: container_unit && !s.all("EnvironmentFile").is_empty(),
            span: s.name.span,
        };
        let pod = s
            .last("Pod")
            .filter(|e| container_unit && !e.value.is_empty())
            .map(|e| Spanned::new(e.value.clone(), e.span));
        Some(Workload {
            kind: WorkloadKind::QuadletUnit(if container_unit {
                QuadletUnit::Container
            } else {
                QuadletUnit::Pod
            }),
            platform: Platform::Quadlet,
            name,
            namespace: None,
            owner: self.owner.clone(),
            span: s.name.span,
            containers: vec![container],
            pod_volumes: Vec::new(),
            replicas: None,
            global: None,
            pinned: None,
            pinned_by_label: None,
            placement_unknown: None,
            runs_to_completion: false,
            static_pod: None,
            strategy: None,
            no_surge: None,
            volumes_from: pod.into_iter().collect(),
            build: None,
            claim_templates: Vec::new(),
            swarm_reason: None,
            claim_retention: crate::model::ClaimRetention::default(),
            extends: None,
        })
    }

    fn dialect<'a>(&'a self, entry: &'a Entry, base: usize) -> InEntry<'a> {
        InEntry {
            cx: self,
            entry,
            base: Some(base),
        }
    }

    fn push(
        &self,
        result: Result<Mount, String>,
        mounts: &mut Vec<Mount>,
        errors: &mut Vec<ParseError>,
        span: Span,
    ) {
        match result {
            Ok(m) => mounts.push(m),
            Err(message) => errors.push(ParseError { message, span }),
        }
    }

    /// A `.volume` unit: the named volume it creates (`systemd-NAME`, or `VolumeName=`), with
    /// its driver and options as a compose `driver_opts` would hold them.
    fn volume_decl(&self, unit: &Unit, file_name: &str) -> Option<VolumeDecl> {
        let s = unit.section("Volume")?;
        let opt = |key: &str, as_key: &str| {
            s.last(key)
                .map(|e| (as_key.to_string(), Spanned::new(e.value.clone(), e.span)))
        };
        Some(VolumeDecl {
            key: Spanned::new(file_name.to_string(), s.name.span),
            name: s
                .last("VolumeName")
                .map(|e| Spanned::new(e.value.clone(), e.span)),
            driver: s
                .last("Driver")
                .map(|e| Spanned::new(e.value.clone(), e.span)),
            driver_opts: [
                opt("Device", "device"),
                opt("Options", "o"),
                opt("Type", "type"),
            ]
            .into_iter()
            .flatten()
            .collect(),
            external: false,
            span: s.name.span,
        })
    }
}

/// systemd booleans: `true`, `yes`, `on`, `1`.
fn is_true(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "true" | "yes" | "on" | "1"
    )
}

/// `Environment=A=b "C=d e"`: systemd's space-separated assignments.
fn environment(s: &unit::Section) -> Vec<EnvVar> {
    s.all("Environment")
        .into_iter()
        .flat_map(|e| {
            crate::words::split(&e.value)
                .unwrap_or_default()
                .into_iter()
                .map(move |word| {
                    let (name, value) = match word.split_once('=') {
                        Some((n, v)) => (n.to_string(), Some(v.to_string())),
                        None => (word, None),
                    };
                    EnvVar {
                        name,
                        value,
                        span: e.span,
                    }
                })
        })
        .collect()
}

/// `Exec=` (the arguments after the image) and `Entrypoint=` (one word, or a JSON array).
fn command(s: &unit::Section) -> Command {
    let entrypoint = s.last("Entrypoint").map(|e| {
        let v = e.value.trim();
        if v.starts_with('[') {
            serde_json::from_str::<Vec<String>>(v).unwrap_or_default()
        } else if v.is_empty() {
            Vec::new()
        } else {
            vec![v.to_string()]
        }
    });
    let args = s
        .last("Exec")
        .map(|e| crate::words::split(&e.value).unwrap_or_default());
    Command { entrypoint, args }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MountKind, MountSource, MountSyntax};

    fn read(name: &str, text: &str) -> (SourceFile, Parsed) {
        let file = SourceFile::new(format!("units/{name}"), text.to_string());
        let parsed = parse(&file);
        (file, parsed)
    }

    fn host(m: &Mount) -> &str {
        m.host_path().map_or("", |h| h.path.as_str())
    }

    #[test]
    fn container_unit() {
        let (f, p) = read(
            "db.container",
            "[Unit]\nDescription=db\n\n[Container]\nImage=docker.io/library/postgres:16\nVolume=pgdata.volume:/var/lib/postgresql/data:Z\nVolume=%h/.ssh:/root/.ssh:ro\nVolume=./conf:/etc/conf\nMount=type=bind,source=%t/podman/podman.sock,destination=/run/podman/podman.sock\nTmpfs=/run:size=16m\nReadOnly=true\nEnvironment=PGDATA=/var/lib/postgresql/data/pg \"A=b c\"\nExec=postgres -c fsync=off\nPodmanArgs=--volume /etc:/host-etc --cpus 2\n",
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let w = &p.workloads[0];
        assert_eq!(w.platform, Platform::Quadlet);
        assert_eq!(w.owner, "unit db.container");
        let c = &w.containers[0];
        assert_eq!(
            c.image.as_ref().unwrap().value,
            "docker.io/library/postgres:16"
        );
        assert!(c.read_only_root);
        assert_eq!(c.env[0].name, "PGDATA");
        assert_eq!(c.env[1].value.as_deref(), Some("b c"));
        assert_eq!(c.command.args.as_ref().unwrap()[0], "postgres");
        let m = &c.mounts;
        assert_eq!(m[0].kind, MountKind::Volume);
        assert_eq!(m[0].source, MountSource::Volume("pgdata.volume".into()));
        assert_eq!(m[0].options, ["Z"]);
        assert_eq!(m[0].syntax, MountSyntax::VolumeFlag);
        assert_eq!(host(&m[1]), "~/.ssh");
        assert!(m[1].read_only);
        assert_eq!(m[1].source_span.unwrap().text(&f.text), "%h/.ssh");
        assert_eq!(host(&m[2]), "./conf");
        assert_eq!(
            m[2].host_path().unwrap().resolved,
            PathBuf::from("units/conf")
        );
        assert_eq!(m[3].syntax, MountSyntax::MountFlag);
        assert_eq!(host(&m[3]), "%t/podman/podman.sock");
        assert_eq!(m[3].target_span.text(&f.text), "/run/podman/podman.sock");
        assert_eq!(m[4].kind, MountKind::Tmpfs);
        assert_eq!(m[4].size.as_ref().unwrap().value, "16m");
        assert_eq!(host(&m[5]), "/etc");
        assert_eq!(m[5].source_span.unwrap().text(&f.text), "/etc");
        assert_eq!(m[5].target_span.text(&f.text), "/host-etc");
    }

    #[test]
    fn pods_and_other_units() {
        let (_, p) = read(
            "web.pod",
            "[Pod]\nVolume=/var/run/docker.sock:/var/run/docker.sock\n",
        );
        let w = &p.workloads[0];
        assert_eq!(w.kind, WorkloadKind::QuadletUnit(QuadletUnit::Pod));
        assert!(w.containers[0].image.is_none());
        assert_eq!(host(&w.containers[0].mounts[0]), "/var/run/docker.sock");
        let (_, p) = read(
            "app.container",
            "[Container]\nImage=app.build\nPod=web.pod\n",
        );
        let w = &p.workloads[0];
        assert!(w.containers[0].image.is_none());
        assert_eq!(w.volumes_from[0].value, "web.pod");
        let (_, p) = read("data.volume", "[Volume]\nDevice=/srv/data\nOptions=bind\n");
        assert!(p.workloads.is_empty());
        assert_eq!(p.volumes[0].bind_device().unwrap().value, "/srv/data");
        let (_, p) = read("k.kube", "[Kube]\nYaml=app.yaml\n");
        assert!(p.workloads.is_empty() && p.errors.is_empty());
    }

    #[test]
    fn specifiers_stay_unknown() {
        let (_, p) = read(
            "a.container",
            "[Container]\nImage=x\nVolume=%N-data:/data\nVolume=%S/app:/app\nVolume=%T/x:/x\n",
        );
        let m = &p.workloads[0].containers[0].mounts;
        assert_eq!(m[0].kind, MountKind::Volume);
        assert_eq!(host(&m[1]), "%S/app");
        assert_eq!(host(&m[2]), "/tmp/x");
    }

    #[test]
    fn bad_entries_are_errors_with_positions() {
        let (f, p) = read(
            "a.container",
            "[Container]\nImage=x\nVolume=ab:/c:ro:x\nMount=type=bind,target=/x\nTmpfs=relative\n",
        );
        let at: Vec<&str> = p.errors.iter().map(|e| e.span.text(&f.text)).collect();
        assert_eq!(at, ["ab:/c:ro:x", "type=bind,target=/x", "relative"]);
    }
}

use super::sensitive_host_path::pv_host_path;
use super::{disguise, label_mount};
use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::{Container, FileModel, Mount, MountKind, Workload};

declare_rule! {
    /// ## What it does
    /// Flags mounts of a container runtime socket or its folder: `docker.sock`,
    /// `containerd.sock`, `crio.sock`, `podman.sock`, `dockershim.sock`, `/run/containerd`,
    /// the folders that hold `docker.sock` (`/var/run`, `/run`), and the Windows pipe
    /// `\\.\pipe\docker_engine`.
    ///
    /// Also flags a mount whose source is unknown (`${SOCK}`) but whose target is a runtime
    /// socket, and a PersistentVolume whose `hostPath` is one. In a Podman Quadlet unit the
    /// socket's name tells it even under a specifier: `%t/podman/podman.sock` is the rootless
    /// Podman socket.
    ///
    /// In a dev container (a `devcontainer.json`, or a compose file under `.devcontainer/`) and
    /// in a CI job's container or service container (GitHub Actions `jobs.<id>.container` and
    /// `services`), the finding is info: a dev container runs on the developer's own machine the
    /// code and tools the developer runs anyway, and on a GitHub-hosted runner the job is
    /// already root on a throwaway VM. It still says what is exposed: on a self-hosted runner
    /// or a shared workstation it is the host. The docker-outside-of-docker pattern of dev
    /// containers (`source=/var/run/docker.sock,target=/var/run/docker-host.sock`) is this
    /// case. Raise it with `[severity]` where that matters.
    ///
    /// A socket proxy (`tecnativa/docker-socket-proxy`, `linuxserver/socket-proxy`, ...; see
    /// the catalog) is the pattern this rule recommends: its socket is reported as `info`, to
    /// restrict the API it exposes.
    ///
    /// ## Why is this bad?
    /// The socket is the runtime's API: whoever can talk to it can start a privileged
    /// container that mounts the host's root and so owns the host. Read-only does not help:
    /// a socket is written to by connecting, not by changing the file.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   ci:
    ///     image: jenkins/jenkins
    ///     volumes:
    ///       - /var/run/docker.sock:/var/run/docker.sock
    /// ```
    ///
    /// Use instead: a socket proxy that allows only the API calls the job needs, on a network
    /// of its own; only the proxy mounts the socket.
    /// ```yaml
    /// services:
    ///   docker-proxy:
    ///     image: tecnativa/docker-socket-proxy
    ///     environment: { CONTAINERS: 1, IMAGES: 1, POST: 0 }
    ///     volumes:
    ///       - /var/run/docker.sock:/var/run/docker.sock:ro
    ///     networks: [docker-api]
    ///   ci:
    ///     image: jenkins/jenkins
    ///     environment: { DOCKER_HOST: "tcp://docker-proxy:2375" }
    ///     volumes:
    ///       - jenkins-home:/var/jenkins_home
    ///     networks: [default, docker-api]
    /// networks:
    ///   docker-api:
    ///     internal: true
    /// volumes:
    ///   jenkins-home:
    /// ```
    ///
    /// ## References
    /// - <https://docs.docker.com/engine/security/#docker-daemon-attack-surface>
    /// - <https://github.com/Tecnativa/docker-socket-proxy>
    pub struct ContainerRuntimeSocket;
    meta { code: "SL102", name: "container-runtime-socket", severity: Error,
           formats: [Compose, Kubernetes, Quadlet, Devcontainer, GithubActions],
           beats: [SensitiveHostPath, WritableBindMount, HostPathAutocreate] }
}

const HELP: &str = "use a socket proxy that allows only the API calls the job needs \
                    (e.g. tecnativa/docker-socket-proxy), or a rootless builder";

impl Rule for ContainerRuntimeSocket {
    fn check_mount(&self, m: &Mount, c: &Container, w: &Workload, cx: &mut Ctx) {
        let catalog = cx.catalog();
        let known = m
            .host_path()
            .filter(|h| {
                (m.is_host_bind() || m.kind == MountKind::Npipe)
                    && catalog.is_runtime_socket(&h.path)
            })
            .map(|h| describe(&h.path));
        let what = match known {
            Some(what) => what,
            // The source is unknown (`${SOCK}`): the target says what it is.
            None if source_unknown(m) && catalog.is_runtime_socket_target(&m.target) => {
                let written = m
                    .source_span
                    .map_or("", |s| s.text(&cx.file().source.text))
                    .trim_matches(['"', '\'']);
                format!(
                    "`{written}`, unknown here, at the runtime socket path `{}`",
                    m.target
                )
            }
            None => return,
        };
        let proxy = c
            .image
            .as_ref()
            .is_some_and(|i| catalog.is_socket_proxy(&i.value));
        let ro = if m.read_only && !proxy {
            " (read-only does not help: the socket is an API)"
        } else {
            ""
        };
        if proxy {
            let d = cx
                .report(
                    m.source_or_entry_span(),
                    format!(
                        "{} mounts {what}{}: this is the proxy; restrict its API",
                        m.owner,
                        disguise(m)
                    ),
                )
                .subject(m.span)
                .severity(Severity::Info)
                .help(
                    "allow only the API sections the clients need (`POST: 0` unless they \
                     must write), and reach the proxy only on an internal network",
                );
            if let Some(image) = &c.image {
                d.label(image.span, "a socket proxy");
            }
            label_mount(d, m);
            return;
        }
        let throwaway = super::throwaway_host(w, &cx.file().source.path);
        let d = cx
            .report(
                m.source_or_entry_span(),
                format!("{} mounts {what}{}{ro}", m.owner, disguise(m)),
            )
            .subject(m.span)
            .help(HELP);
        if let Some(help) = throwaway {
            d.severity(Severity::Info).help(help);
        }
        label_mount(d, m);
    }

    /// A PersistentVolume's `hostPath` on a runtime socket exposes it wherever it is bound.
    fn check_file(&self, file: &FileModel, cx: &mut Ctx) {
        for pv in &file.persistent_volumes {
            let Some(path) = pv_host_path(pv) else {
                continue;
            };
            if !cx.catalog().is_runtime_socket(&path.value) {
                continue;
            }
            cx.report(
                path.span,
                format!(
                    "PersistentVolume/{} exposes {} to every pod whose claim binds it",
                    pv.name.value,
                    describe(&path.value)
                ),
            )
            .subject(path.span)
            .help(HELP);
        }
    }
}

/// The socket itself, or the folder that holds it.
fn describe(path: &str) -> String {
    if path.ends_with(".sock") || path.to_ascii_lowercase().contains("pipe") {
        format!("the container runtime socket `{path}`")
    } else {
        format!("`{path}`, which holds a container runtime socket")
    }
}

/// The source is a variable nobody set: compose cannot tell a bind from a named volume.
fn source_unknown(m: &Mount) -> bool {
    m.kind == MountKind::Unresolved
        || (m.is_host_bind()
            && m.host_path()
                .is_some_and(|h| crate::model::is_unknown(&h.path)))
}

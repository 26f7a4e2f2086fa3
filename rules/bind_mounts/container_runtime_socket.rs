use super::{disguise, label_mount};
use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::{Container, Mount, MountKind, Workload};

declare_rule! {
    /// ## What it does
    /// Flags mounts of a container runtime socket or its folder: `docker.sock`,
    /// `containerd.sock`, `crio.sock`, `podman.sock`, `dockershim.sock`, `/run/containerd`,
    /// the folders that hold `docker.sock` (`/var/run`, `/run`), and the Windows pipe
    /// `\\.\pipe\docker_engine`.
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
    /// Use instead: a socket proxy that allows only the API calls the job needs.
    /// ```yaml
    /// services:
    ///   docker-proxy:
    ///     image: tecnativa/docker-socket-proxy
    ///     environment: { CONTAINERS: 1, POST: 0 }
    ///   ci:
    ///     image: jenkins/jenkins
    ///     environment: { DOCKER_HOST: "tcp://docker-proxy:2375" }
    /// ```
    ///
    /// ## References
    /// - <https://docs.docker.com/engine/security/#docker-daemon-attack-surface>
    pub struct ContainerRuntimeSocket;
    meta { code: "SL102", name: "container-runtime-socket", severity: Error,
           formats: [Compose, Kubernetes] }
}

impl Rule for ContainerRuntimeSocket {
    fn check_mount(&self, m: &Mount, _c: &Container, _w: &Workload, cx: &mut Ctx) {
        if !(m.is_host_bind() || m.kind == MountKind::Npipe) {
            return;
        }
        let Some(host) = m.host_path() else { return };
        if !cx.catalog().is_runtime_socket(&host.path) {
            return;
        }
        let ro = if m.read_only {
            " (read-only does not help: the socket is an API)"
        } else {
            ""
        };
        let what =
            if host.path.ends_with(".sock") || host.path.to_ascii_lowercase().contains("pipe") {
                format!("the container runtime socket `{}`", host.path)
            } else {
                format!("`{}`, which holds a container runtime socket", host.path)
            };
        let d = cx
            .report(
                m.source_or_entry_span(),
                format!("{} mounts {what}{}{ro}", m.owner, disguise(m)),
            )
            .subject(m.span)
            .help(
                "use a socket proxy that allows only the API calls the job needs \
                 (e.g. tecnativa/docker-socket-proxy), or a rootless builder",
            );
        label_mount(d, m);
    }
}

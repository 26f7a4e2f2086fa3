//! Catalog data: which host paths are sensitive, which images keep data, which storage keeps
//! a volume on one node. Data, not code (kube-linter's lesson): the TOML files beside this one
//! are embedded at build time.

mod command_line;

use std::sync::OnceLock;

use serde::Deserialize;

pub use command_line::{DataLocation, Invocation, Patterns, SHELLS, WRAPPERS};

const SENSITIVE_PATHS: &str = include_str!("sensitive-paths.toml");
const STATEFUL_IMAGES: &str = include_str!("stateful-images.toml");
const NODE_LOCAL_STORAGE: &str = include_str!("node-local-storage.toml");

/// `node-local-storage.toml`: provisioners that keep a volume on one node, and the class
/// names distributions ship them under.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeLocalStorage {
    #[serde(rename = "provisioner")]
    pub provisioners: Vec<ProvisionerEntry>,
    #[serde(rename = "class")]
    pub classes: Vec<ClassEntry>,
}

/// A provisioner whose volumes live on one node.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisionerEntry {
    pub name: String,
    /// It provisions nothing (`kubernetes.io/no-provisioner`): its class binds volumes made by
    /// hand, which may be anything; only the volume (or a class name) tells.
    #[serde(default, rename = "static")]
    pub is_static: bool,
    /// Where this is documented.
    pub evidence: String,
}

/// A StorageClass name that means node-local storage by itself.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassEntry {
    pub name: String,
    pub provisioner: String,
    pub evidence: String,
}

/// What a configuration says about the cluster the manifests are applied to (its
/// `[kubernetes]` table): facts the run's files do not hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterStorage {
    /// The class of claims that name none, when the run holds no default StorageClass.
    pub default_class: Option<String>,
    /// The cluster's classes the run does not declare: name and provisioner.
    pub classes: Vec<(String, String)>,
    /// Provisioners that keep volumes on one node, beyond the catalog's.
    pub node_local_provisioners: Vec<String>,
}

impl ClusterStorage {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.default_class.is_none()
            && self.classes.is_empty()
            && self.node_local_provisioners.is_empty()
    }
}

/// What an image keeps, by category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Database,
    Queue,
    Search,
    ObjectStore,
    App,
    /// Findings one severity lower: a cache can be rebuilt.
    Cache,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageFile {
    /// Registry prefixes whose images are a project's own builds, not the official images of
    /// the same name (see `stateful-images.toml`).
    #[serde(default)]
    other_builds: Vec<String>,
    #[serde(default)]
    test_backends: TestBackends,
    image: Vec<ImageEntry>,
}

/// What tells a compose file of a test suite's backends (see `stateful-images.toml`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestBackends {
    /// Last parts of image repositories of test-only tools (`toxiproxy`, `azurite`).
    pub tools: Vec<String>,
    /// Variables that let anyone log in to a server: `NAME` (set to yes, true or 1) or
    /// `NAME=value`.
    pub open_login: Vec<String>,
}

impl TestBackends {
    /// Whether an image (its repository, registry stripped) is a test-only tool.
    #[must_use]
    pub fn is_tool(&self, repository: &str) -> bool {
        let last = repository.rsplit('/').next().unwrap_or(repository);
        self.tools.iter().any(|t| t == last)
    }

    /// Whether a variable set to `value` lets anyone log in.
    #[must_use]
    pub fn opens_login(&self, name: &str, value: &str) -> bool {
        let value = value.trim().to_ascii_lowercase();
        self.open_login
            .iter()
            .any(|entry| match entry.split_once('=') {
                Some((n, v)) => n == name && value == v,
                None => entry == name && matches!(value.as_str(), "yes" | "true" | "1"),
            })
    }
}

/// One entry of `stateful-images.toml` (and of a config's `[[stateful-images]]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageEntry {
    pub images: Vec<String>,
    #[serde(default)]
    pub tags: Option<String>,
    #[serde(default)]
    pub latest: bool,
    /// Read the major version after this marker in the tag (`pg` for `2.17.2-pg17`), for
    /// images that name their base's version after their own.
    #[serde(default)]
    pub tag_marker: Option<String>,
    /// Match only tags that hold this word between dashes or dots (`rootless` for
    /// `1.22-rootless`): a variant of the image built with another layout.
    #[serde(default)]
    pub tag_variant: Option<String>,
    pub data: Vec<String>,
    pub volumes: Vec<String>,
    pub category: Category,
    #[serde(default)]
    pub env: Vec<String>,
    /// Programs that run the data server (`postgres`, `docker-entrypoint.sh`).
    #[serde(default)]
    pub servers: Vec<String>,
    /// Programs of the image that are not the server (`psql`, `redis-server --sentinel`).
    #[serde(default)]
    pub tools: Vec<String>,
    /// Command-line arguments that move the data path (`--dbpath`, `server <path>`).
    #[serde(default)]
    pub args: Vec<String>,
    /// Arguments that, all together, switch persistence off (`--save ''`, `--appendonly no`).
    #[serde(default)]
    pub volatile: Vec<String>,
    /// The image's own `CMD`, read like a command line when a container sets none
    /// (`["server", "-dev"]`).
    #[serde(default)]
    pub cmd: Vec<String>,
    /// Registry prefixes of the file's `other_builds` that this entry still covers
    /// (`registry.k8s.io/` for etcd, which the Kubernetes project ships unchanged).
    #[serde(default, alias = "other-builds")]
    pub other_builds: Vec<String>,
    /// The server keeps its data in a folder it names relative to where it starts (etcd's
    /// `<name>.etcd`): a container's working folder moves it.
    #[serde(default)]
    pub workdir: bool,
    /// Its servers form a cluster that copies the data to every member and elects a leader by
    /// quorum (consul, etcd, ZooKeeper, CockroachDB): a member that starts empty on another
    /// node rejoins and copies the data back from the others while a quorum holds.
    #[serde(default)]
    pub quorum: bool,
    /// Folders an older release kept the data in, which the server still uses when a mount
    /// is there (immich v2 keeps uploads in `/usr/src/app/upload` when that folder is
    /// mounted, else in `/data`).
    #[serde(default)]
    pub legacy: Vec<String>,
    /// Where the server reads its configuration, when persistence is off in the image's own
    /// (mosquitto: `persistence` defaults to false): it keeps data only with a configuration
    /// of the container's, mounted at or under one of these folders (or as a `*.conf` file).
    #[serde(default)]
    pub config: Vec<String>,
    /// Variables with which the server keeps its data in another service, not on its own
    /// disk: `NAME=value` holds when the container sets `NAME` to `value`, `NAME!=value` when
    /// it sets `NAME` to anything else (the registry's `REGISTRY_STORAGE!=filesystem`: S3,
    /// GCS, Azure).
    #[serde(default)]
    pub remote: Vec<String>,
    /// Folders the server reads provisioned configuration from (Grafana's
    /// `/etc/grafana/provisioning`: data sources and dashboards as files). A container that
    /// mounts one keeps what matters in the project's files: what its data folder adds (users,
    /// edits made in the UI) is worth one severity level less.
    #[serde(default)]
    pub provisioning: Vec<String>,
}

/// An image reference taken apart: `registry/library/postgres:17@sha256:..` → `postgres`, `17`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host, `library/` and `docker/library/` stripped, lower case.
    pub repository: String,
    pub tag: Option<String>,
}

impl ImageRef {
    #[must_use]
    pub fn parse(reference: &str) -> ImageRef {
        let reference = reference.trim();
        let without_digest = reference.split('@').next().unwrap_or(reference);
        let (name, tag) = match without_digest.rsplit_once(':') {
            Some((name, tag)) if !tag.contains('/') => (name, Some(tag.to_string())),
            _ => (without_digest, None),
        };
        let mut parts: Vec<&str> = name.split('/').collect();
        if parts.len() > 1 {
            let first = parts[0];
            if first.contains('.') || first.contains(':') || first == "localhost" {
                parts.remove(0);
            }
        }
        let mut repository = parts.join("/").to_ascii_lowercase();
        for prefix in ["docker/library/", "library/"] {
            if let Some(rest) = repository.strip_prefix(prefix) {
                repository = rest.to_string();
            }
        }
        ImageRef { repository, tag }
    }

    /// The leading number of the tag: `17-alpine` → 17; `None` for `latest`, `alpine` or none.
    #[must_use]
    pub fn major(&self) -> Option<u64> {
        let tag = self.tag.as_deref()?;
        let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }

    /// The number right after `marker` in the tag: `pg` in `2.17.2-pg17` → 17, in `pg16` → 16.
    #[must_use]
    pub fn major_after(&self, marker: &str) -> Option<u64> {
        let tag = self.tag.as_deref()?;
        tag.match_indices(marker).find_map(|(i, _)| {
            let digits: String = tag[i + marker.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
    }

    /// The tag is unknown (an unresolved variable).
    #[must_use]
    pub fn tag_unknown(&self) -> bool {
        self.tag.as_deref().is_some_and(crate::is_unknown)
    }
}

/// A stateful image found in the catalog.
#[derive(Clone, Debug)]
pub struct StatefulImage {
    pub repository: String,
    /// Data paths with `{name}` filled in.
    pub data: Vec<String>,
    pub volumes: Vec<String>,
    pub category: Category,
    pub env: Vec<String>,
    /// How to read a container's command line.
    pub command_line: Patterns,
    /// Its data folder is relative to the working folder (see [`ImageEntry::workdir`]).
    pub workdir: bool,
    /// Members copy the data from each other (see [`ImageEntry::quorum`]).
    pub quorum: bool,
    /// Older data folders used when mounted (see [`ImageEntry::legacy`]).
    pub legacy: Vec<String>,
    /// Persistence only with a mounted configuration (see [`ImageEntry::config`]).
    pub config: Vec<String>,
    /// Variables that put the data in another service (see [`ImageEntry::remote`]).
    pub remote: Vec<String>,
    /// Provisioned configuration folders (see [`ImageEntry::provisioning`]).
    pub provisioning: Vec<String>,
}

impl StatefulImage {
    /// The data paths for a container: the value of a moving variable (`PGDATA`) when the
    /// container sets it, none (not known) when it sets one to a value that is not a known
    /// absolute path, else the catalog's.
    #[must_use]
    pub fn data_paths(&self, env: &[crate::EnvVar]) -> Vec<String> {
        for var in &self.env {
            match env
                .iter()
                .rev()
                .find(|e| &e.name == var)
                .and_then(|e| e.value.as_deref())
                .filter(|v| !v.is_empty())
            {
                Some(value) if value.starts_with('/') && !crate::is_unknown(value) => {
                    return vec![crate::paths::normalize(value)];
                }
                // Set to what is not known here (`$$cap_PGDATA`, a template's `{{ .dir }}`,
                // a relative path): where the data goes is not known.
                Some(_) => return Vec::new(),
                None => {}
            }
        }
        self.data.clone()
    }

    /// Whether `env` keeps the data in another service ([`ImageEntry::remote`]).
    #[must_use]
    pub fn stores_remotely(&self, env: &[crate::EnvVar]) -> bool {
        self.remote.iter().any(|condition| {
            let (name, wanted, equal) = match condition.split_once("!=") {
                Some((name, value)) => (name, value, false),
                None => match condition.split_once('=') {
                    Some((name, value)) => (name, value, true),
                    None => return false,
                },
            };
            env.iter()
                .rev()
                .find(|e| e.name == name)
                .and_then(|e| e.value.as_deref())
                .filter(|v| !crate::is_unknown(v))
                .is_some_and(|v| v.eq_ignore_ascii_case(wanted) == equal)
        })
    }
}

fn glob_match(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((prefix, suffix)) => {
            text.len() >= prefix.len() + suffix.len()
                && text.starts_with(prefix)
                && text.ends_with(suffix)
        }
    }
}

fn tag_matches(condition: &str, major: u64) -> bool {
    let condition = condition.trim();
    let (op, number) = if let Some(n) = condition.strip_prefix(">=") {
        (">=", n)
    } else if let Some(n) = condition.strip_prefix("<=") {
        ("<=", n)
    } else {
        ("==", condition)
    };
    let Ok(n) = number.trim().parse::<u64>() else {
        return false;
    };
    match op {
        ">=" => major >= n,
        "<=" => major <= n,
        _ => major == n,
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivePaths {
    pub exact: Vec<String>,
    pub system: Vec<String>,
    pub credentials: Vec<String>,
    pub windows: Vec<String>,
    pub read_only_allowed: Vec<String>,
    pub daemonset_read_only_allowed: Vec<String>,
    pub runtime_socket_names: Vec<String>,
    pub runtime_socket_folders: Vec<String>,
    pub runtime_socket_parents: Vec<String>,
    pub runtime_pipes: Vec<String>,
    pub node_provided: Vec<String>,
    /// Single files every node provides (its name, its id): written to, worth a `:ro`.
    #[serde(default)]
    pub node_files: Vec<String>,
    /// Of those, the ones that only name the node's time zone: written to, info.
    #[serde(default)]
    pub time_zone_files: Vec<String>,
    #[serde(default)]
    pub container_state: Vec<String>,
    #[serde(default)]
    pub service_socket_names: Vec<String>,
    /// File names allowed read-only anywhere: CA certificates (`ca.crt`), public by design.
    #[serde(default)]
    pub read_only_allowed_names: Vec<String>,
    #[serde(default)]
    pub socket_proxy_images: Vec<String>,
    #[serde(default)]
    pub node_agent_images: Vec<String>,
    #[serde(default)]
    pub node_agent_writable: Vec<String>,
    #[serde(default)]
    pub privileged_view: Vec<String>,
    #[serde(default)]
    pub log_collector_images: Vec<String>,
    /// The kubelet's folder: mounted by a privileged workload or node agent, it marks a
    /// kubelet-integrated node plugin (a storage driver).
    #[serde(default)]
    pub kubelet_folder: String,
    #[serde(default)]
    pub storage_driver_writable: Vec<String>,
    /// Node configuration a storage driver reads by design (`/etc/selinux`): info read-only.
    #[serde(default)]
    pub storage_driver_reads: Vec<String>,
    /// Images of the Kubernetes CSI sidecars, by the last part of their name.
    #[serde(default)]
    pub csi_sidecars: Vec<String>,
    /// Under a system location but not sensitive (`/dev/log`, `/run/user`).
    #[serde(default)]
    pub not_sensitive: Vec<String>,
    /// Subfolders of `/run` and `/var/run` that stay system locations; any other subfolder is
    /// one agent's own folder.
    #[serde(default)]
    pub run_system: Vec<String>,
    /// Folders under `/etc` that hold the host's own configuration: never an app's own folder.
    #[serde(default)]
    pub etc_system: Vec<String>,
}

/// A node-local provisioner, as the catalog or a configuration knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeLocal<'a> {
    /// See [`ProvisionerEntry::is_static`].
    pub is_static: bool,
    pub evidence: Option<&'a str>,
}

/// Why a host path is sensitive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sensitivity {
    /// `/`, `/home`, `~`, a Windows drive root.
    Root(String),
    /// The path is this system location or under it.
    System(String),
    /// The path is an ancestor of this system location.
    AncestorOf(String),
    /// A credential folder, or a path inside one.
    Credentials(String),
    /// The path is an ancestor of this credential folder (`/home/bob` holds `/home/bob/.ssh`).
    HoldsCredentials(String),
}

impl Sensitivity {
    /// For messages: "the system folder `/etc`".
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Sensitivity::Root(p) => format!("the host folder `{p}`"),
            Sensitivity::System(p) => format!("the system location `{p}`"),
            Sensitivity::AncestorOf(p) => format!("a folder holding the system location `{p}`"),
            Sensitivity::Credentials(p) => format!("the credential folder `{p}`"),
            Sensitivity::HoldsCredentials(p) => {
                format!("a folder holding the credential folder `{p}`")
            }
        }
    }
}

#[derive(Debug)]
pub struct Catalog {
    pub sensitive: SensitivePaths,
    pub images: Vec<ImageEntry>,
    /// Registry prefixes (`registry.k8s.io/`) whose single-name images are a project's own
    /// builds (`registry.k8s.io/redis` is an Alpine image with redis installed), not the
    /// official images of that name: not looked up, unless an entry names them.
    pub other_builds: Vec<String>,
    /// What tells a compose file of a test suite's backends.
    pub test_backends: TestBackends,
    /// Host paths (and what lies under them) that SL101 and SL103 never report: a config's
    /// `[host-paths] allowed`. Empty in the built-in catalog.
    pub allowed_host_paths: Vec<String>,
    /// Node-local provisioners and class names.
    pub storage: NodeLocalStorage,
    /// The cluster as a configuration describes it. Empty in the built-in catalog.
    pub cluster: ClusterStorage,
    /// Lookups by image reference: several rules ask about every container.
    lookups:
        std::sync::RwLock<std::collections::HashMap<String, Option<std::sync::Arc<StatefulImage>>>>,
}

impl Catalog {
    /// The built-in catalog, parsed once.
    ///
    /// # Panics
    /// Only if the embedded TOML is invalid, which `tests` catch before release.
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            let file = toml::from_str::<ImageFile>(STATEFUL_IMAGES)
                .expect("embedded stateful-images.toml");
            Catalog {
                sensitive: toml::from_str(SENSITIVE_PATHS).expect("embedded sensitive-paths.toml"),
                images: file.image,
                other_builds: file.other_builds,
                test_backends: file.test_backends,
                allowed_host_paths: Vec::new(),
                storage: toml::from_str(NODE_LOCAL_STORAGE)
                    .expect("embedded node-local-storage.toml"),
                cluster: ClusterStorage::default(),
                lookups: std::sync::RwLock::default(),
            }
        })
    }

    /// The built-in catalog extended by a configuration: `images` are tried before the
    /// built-in entries, `sensitive` paths are reported as system locations, `allowed` host
    /// paths are never reported by SL101 or SL103, `cluster` describes the cluster's storage.
    /// Paths are normalized here.
    #[must_use]
    pub fn extended(
        images: Vec<ImageEntry>,
        sensitive: &[String],
        allowed: &[String],
        cluster: ClusterStorage,
    ) -> Catalog {
        let builtin = Catalog::get();
        let normalize = |p: &String| crate::paths::normalize(p);
        let mut all_images: Vec<ImageEntry> = images
            .into_iter()
            .map(|mut e| {
                e.images = e.images.iter().map(|i| i.to_ascii_lowercase()).collect();
                e.data = e.data.iter().map(normalize).collect();
                e.volumes = e.volumes.iter().map(normalize).collect();
                e
            })
            .collect();
        all_images.extend(builtin.images.iter().cloned());
        let mut sensitive_paths = builtin.sensitive.clone();
        sensitive_paths
            .system
            .extend(sensitive.iter().map(normalize));
        Catalog {
            sensitive: sensitive_paths,
            images: all_images,
            other_builds: builtin.other_builds.clone(),
            test_backends: builtin.test_backends.clone(),
            allowed_host_paths: allowed.iter().map(normalize).collect(),
            storage: builtin.storage.clone(),
            cluster,
            lookups: std::sync::RwLock::default(),
        }
    }

    /// The catalog entry of a provisioner that keeps volumes on one node, or a configured
    /// one (`None` for its evidence then).
    #[must_use]
    pub fn node_local_provisioner(&self, provisioner: &str) -> Option<NodeLocal<'_>> {
        if let Some(entry) = self
            .storage
            .provisioners
            .iter()
            .find(|p| p.name == provisioner)
        {
            return Some(NodeLocal {
                is_static: entry.is_static,
                evidence: Some(&entry.evidence),
            });
        }
        self.cluster
            .node_local_provisioners
            .iter()
            .any(|p| p == provisioner)
            .then_some(NodeLocal {
                is_static: false,
                evidence: None,
            })
    }

    /// A class name that means node-local storage by itself (`local-path`).
    #[must_use]
    pub fn node_local_class(&self, name: &str) -> Option<&ClassEntry> {
        self.storage.classes.iter().find(|c| c.name == name)
    }

    /// The provisioner a configuration names for a class of the cluster.
    #[must_use]
    pub fn configured_class(&self, name: &str) -> Option<&str> {
        self.cluster
            .classes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.as_str())
    }

    /// Whether a configuration allows `path` (normalized): SL101 and SL103 stay silent.
    #[must_use]
    pub fn is_allowed_host_path(&self, path: &str) -> bool {
        self.allowed_host_paths
            .iter()
            .any(|a| is_at_or_under(path, a))
    }

    /// The catalog entry for an image reference, if it keeps business data.
    #[must_use]
    pub fn stateful_image(&self, reference: &str) -> Option<std::sync::Arc<StatefulImage>> {
        // Asked by several rules for every container, from every worker: shared answers.
        if let Some(found) = self
            .lookups
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(reference)
        {
            return found.clone();
        }
        let found = self.lookup(reference).map(std::sync::Arc::new);
        self.lookups
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(reference.to_string(), found.clone());
        found
    }

    fn lookup(&self, reference: &str) -> Option<StatefulImage> {
        let image = ImageRef::parse(reference);
        if crate::is_unknown(&image.repository) {
            return None;
        }
        let lowered = reference.trim().to_ascii_lowercase();
        let other_build = !image.repository.contains('/')
            && self
                .other_builds
                .iter()
                .any(|p| lowered.starts_with(p.as_str()));
        let entry = self.images.iter().find(|e| {
            if !e.images.iter().any(|p| glob_match(p, &image.repository)) {
                return false;
            }
            // `registry.k8s.io/redis` is not `redis`; an entry may still name the build.
            if other_build
                && !e
                    .other_builds
                    .iter()
                    .any(|b| lowered.starts_with(b.as_str()))
            {
                return false;
            }
            if let Some(variant) = &e.tag_variant {
                let has = image.tag.as_deref().is_some_and(|t| {
                    t.to_ascii_lowercase()
                        .split(['-', '.', '_'])
                        .any(|w| w == variant)
                });
                if !has {
                    return false;
                }
            }
            let major = match &e.tag_marker {
                Some(marker) => image.major_after(marker),
                None => image.major(),
            };
            match (&e.tags, major) {
                (None, _) => true,
                (Some(cond), Some(m)) => tag_matches(cond, m),
                (Some(_), None) => e.latest && !image.tag_unknown(),
            }
        })?;
        let name = image
            .repository
            .rsplit('/')
            .next()
            .unwrap_or(&image.repository);
        Some(StatefulImage {
            repository: image.repository.clone(),
            data: entry
                .data
                .iter()
                .map(|d| d.replace("{name}", name))
                .collect(),
            volumes: entry.volumes.clone(),
            category: entry.category,
            env: entry.env.clone(),
            command_line: Patterns {
                servers: entry.servers.clone(),
                tools: entry.tools.clone(),
                args: entry.args.clone(),
                volatile: entry.volatile.clone(),
                cmd: entry.cmd.clone(),
            },
            workdir: entry.workdir,
            quorum: entry.quorum,
            legacy: entry.legacy.clone(),
            config: entry.config.clone(),
            remote: entry.remote.clone(),
            provisioning: entry.provisioning.clone(),
        })
    }

    /// Whether `path` (normalized, see [`crate::paths::normalize`]) is a container
    /// runtime socket or its folder.
    #[must_use]
    pub fn is_runtime_socket(&self, path: &str) -> bool {
        let s = &self.sensitive;
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        s.runtime_socket_names.iter().any(|n| n == name)
            || s.runtime_socket_folders
                .iter()
                .any(|f| is_at_or_under(path, f))
            || s.runtime_socket_parents.iter().any(|f| f == path)
            || s.runtime_pipes.iter().any(|p| {
                path.eq_ignore_ascii_case(p)
                    || path.to_ascii_lowercase().ends_with("pipe/docker_engine")
                    || path.to_ascii_lowercase().ends_with("pipe\\docker_engine")
            })
    }

    /// Whether every node provides `path` by definition (the root, kernel interfaces, the
    /// runtime, time zone files, node identity, node logs): binding it is not binding
    /// host-local data. `/` in the list matches only itself.
    #[must_use]
    pub fn is_node_provided(&self, path: &str) -> bool {
        self.sensitive.node_provided.iter().any(|p| {
            if p == "/" {
                path == "/"
            } else {
                is_at_or_under(path, p)
            }
        })
    }

    /// Whether `path` is a single file every node provides (`/etc/hostname`): written to, it
    /// is worth a `:ro`, but no system folder is exposed.
    #[must_use]
    pub fn is_node_file(&self, path: &str) -> bool {
        self.sensitive.node_files.iter().any(|f| f == path)
    }

    /// Whether `path` is a node file that only names its time zone (`/etc/localtime`): no
    /// secret, no way into the host; written to, info.
    #[must_use]
    pub fn is_time_zone_file(&self, path: &str) -> bool {
        self.sensitive.time_zone_files.iter().any(|f| f == path)
    }

    /// Whether `path` is a single service's socket file under `/run` or `/var/run`
    /// (`/var/run/mysqld/mysqld.sock`): not the system location, and not a runtime socket.
    #[must_use]
    pub fn is_service_socket(&self, path: &str) -> bool {
        let s = &self.sensitive;
        let name = path.rsplit('/').next().unwrap_or(path);
        s.runtime_socket_parents
            .iter()
            .any(|p| path.len() > p.len() && is_at_or_under(path, p))
            && s.service_socket_names.iter().any(|n| glob_match(n, name))
            && !self.is_runtime_socket(path)
    }

    /// Whether `path` lies in a subfolder of `/run` or `/var/run` that is no system location
    /// (`/var/run/calico`, `/run/flannel`): one agent's own folder, not the runtime's state,
    /// secrets, systemd or D-Bus.
    #[must_use]
    pub fn is_agent_run_folder(&self, path: &str) -> bool {
        let s = &self.sensitive;
        s.runtime_socket_parents
            .iter()
            .any(|p| path.len() > p.len() && is_at_or_under(path, p))
            && !s.run_system.iter().any(|r| is_at_or_under(path, r))
            && !self.is_runtime_socket(path)
    }

    /// Whether `path` is an app's own folder under `/etc`: its first or second folder below
    /// `/etc` is one of `names` (words of the container's image, container and service
    /// names), and the first is none of the host's configuration folders (`etc_system`).
    /// `/etc/harbor/core` for `goharbor/harbor-core`; `/etc/quadlets/nextcloud/www.conf` for
    /// `nextcloud`. Never `/etc` itself. Under `/var/log` any folder is one program's
    /// (`/var/log/pterodactyl` for `pterodactyl/wings`, `/var/log/docker-examples`), never the
    /// journal's, the pods' or the audit log's.
    #[must_use]
    pub fn is_app_folder(&self, path: &str, names: &[String]) -> bool {
        const LOG_SYSTEM: &[&str] = &["journal", "pods", "containers", "audit", "private"];
        let (rest, system) = if let Some(rest) = path.strip_prefix("/etc/") {
            (rest, false)
        } else if let Some(rest) = path.strip_prefix("/var/log/") {
            (rest, true)
        } else {
            return false;
        };
        let mut parts = rest.split('/');
        let Some(first) = parts.next().filter(|p| !p.is_empty()) else {
            return false;
        };
        if (!system && self.is_host_config(path)) || (system && LOG_SYSTEM.contains(&first)) {
            return false;
        }
        // A folder under `/var/log` holds one program's logs, whoever's name it bears
        // (`/var/log/docker-examples`): not the system's (the journal, the pods', audit).
        if system {
            return true;
        }
        let named = |part: &str| names.iter().any(|n| n == part);
        named(first) || parts.next().is_some_and(named)
    }

    /// Whether `path` (normalized) is or lies in one of the host's own configuration folders
    /// under `/etc` (`etc_system`: `/etc/kubernetes`, `/etc/systemd`, `/etc/cni/net.d`): the
    /// node's settings, which every node has, not a pod's data.
    #[must_use]
    pub fn is_host_config(&self, path: &str) -> bool {
        path.strip_prefix("/etc/")
            .and_then(|rest| rest.split('/').next())
            .is_some_and(|first| self.sensitive.etc_system.iter().any(|e| e == first))
    }

    /// The runtime state folder that holds every container's configuration (environment and
    /// secrets included) that `path` is or lies in.
    #[must_use]
    pub fn container_state(&self, path: &str) -> Option<&str> {
        self.sensitive
            .container_state
            .iter()
            .find(|c| is_at_or_under(path, c))
            .map(String::as_str)
    }

    /// Whether the target of a mount with an unknown source is where a runtime socket is
    /// reached (`/var/run/docker.sock`, `/run/containerd`), so the source surely is one.
    #[must_use]
    pub fn is_runtime_socket_target(&self, target: &str) -> bool {
        self.is_runtime_socket(target)
            && !self
                .sensitive
                .runtime_socket_parents
                .iter()
                .any(|p| p == target)
    }

    /// Whether `image` (a reference) is a socket proxy: the pattern SL102 recommends.
    #[must_use]
    pub fn is_socket_proxy(&self, image: &str) -> bool {
        let image = ImageRef::parse(image);
        self.sensitive
            .socket_proxy_images
            .iter()
            .any(|p| glob_match(p, &image.repository))
    }

    /// Whether `image` is a monitoring or log agent that reads its node on purpose
    /// (node-exporter, cadvisor, telegraf, promtail, ...), however it is deployed.
    #[must_use]
    pub fn is_node_agent_image(&self, image: &str) -> bool {
        let image = ImageRef::parse(image);
        self.sensitive
            .node_agent_images
            .iter()
            .any(|p| glob_match(p, &image.repository))
    }

    /// Whether `path` is one a privileged container reaches anyway: the host's root (through
    /// its disks) and kernel interfaces.
    #[must_use]
    pub fn is_privileged_view(&self, path: &str) -> bool {
        path == "/"
            || self
                .sensitive
                .privileged_view
                .iter()
                .any(|p| is_at_or_under(path, p))
    }

    /// Whether `path` is the kubelet's folder or under it.
    #[must_use]
    pub fn is_kubelet_path(&self, path: &str) -> bool {
        let k = &self.sensitive.kubelet_folder;
        !k.is_empty() && is_at_or_under(path, k)
    }

    /// Whether `image` is one of the Kubernetes CSI sidecars (`csi-provisioner`).
    #[must_use]
    pub fn is_csi_sidecar(&self, image: &str) -> bool {
        let repository = ImageRef::parse(image).repository;
        let name = repository.rsplit('/').next().unwrap_or(&repository);
        self.sensitive.csi_sidecars.iter().any(|s| s == name)
    }

    /// Whether a storage driver writes `path` by design (the kubelet's folder, iSCSI, NVMe,
    /// multipath and LVM configuration).
    #[must_use]
    pub fn is_storage_driver_writable(&self, path: &str) -> bool {
        self.sensitive
            .storage_driver_writable
            .iter()
            .any(|w| is_at_or_under(path, w))
    }

    /// Whether a storage driver reads `path` by design: the host's SELinux configuration, to
    /// mount volumes with the labels it enforces (read-only only).
    #[must_use]
    pub fn is_storage_driver_read(&self, path: &str) -> bool {
        self.sensitive
            .storage_driver_reads
            .iter()
            .any(|w| is_at_or_under(path, w))
    }

    /// Whether a node agent running `image` writes `path` by design: a node plugin folder
    /// (`/etc/cni/net.d`), or `/var/log` for a log shipper (its read positions).
    #[must_use]
    pub fn is_node_agent_writable(&self, path: &str, image: Option<&str>) -> bool {
        let s = &self.sensitive;
        if s.node_agent_writable
            .iter()
            .any(|w| is_at_or_under(path, w))
        {
            return true;
        }
        let Some(image) = image else { return false };
        let image = ImageRef::parse(image);
        path == "/var/log"
            && s.log_collector_images
                .iter()
                .any(|p| glob_match(p, &image.repository))
    }

    /// Whether `path` is allowed as an exception (read-only time zone files, read-only
    /// `/var/log` in a DaemonSet).
    #[must_use]
    pub fn is_allowed(&self, path: &str, read_only: bool, daemonset: bool) -> bool {
        let s = &self.sensitive;
        let name = path.rsplit('/').next().unwrap_or(path);
        read_only
            && (s.read_only_allowed.iter().any(|a| is_at_or_under(path, a))
                || s.read_only_allowed_names
                    .iter()
                    .any(|n| glob_match(n, name))
                || (daemonset
                    && s.daemonset_read_only_allowed
                        .iter()
                        .any(|a| is_at_or_under(path, a))))
    }

    /// Why `path` is sensitive, if it is. Exceptions are not applied here: see
    /// [`Catalog::is_allowed`].
    #[must_use]
    pub fn sensitivity(&self, path: &str) -> Option<Sensitivity> {
        let s = &self.sensitive;
        if let Some(w) = self.windows_sensitivity(path) {
            return Some(w);
        }
        if s.exact.iter().any(|e| e == path) {
            return Some(Sensitivity::Root(path.to_string()));
        }
        if s.not_sensitive.iter().any(|n| is_at_or_under(path, n)) {
            return None;
        }
        // A single service's socket under `/run`, or an agent's own folder there
        // (`/var/run/calico`), is not the system location `/run`.
        let socket = self.is_service_socket(path) || self.is_agent_run_folder(path);
        if let Some(sys) = s.system.iter().find(|sys| {
            is_at_or_under(path, sys) && !(socket && s.runtime_socket_parents.contains(sys))
        }) {
            return Some(Sensitivity::System(sys.clone()));
        }
        for home in homes_of(path) {
            // `home/cred` can hold `path` or lie under it only if one starts with the other:
            // most paths are neither, and need no folder names built.
            if !(path.starts_with(home.as_str()) || home.starts_with(path) || path == "/") {
                continue;
            }
            for cred in &s.credentials {
                let folder = format!("{home}/{cred}");
                if is_at_or_under(path, &folder) {
                    return Some(Sensitivity::Credentials(folder));
                }
                if is_at_or_under(&folder, path) {
                    return Some(Sensitivity::HoldsCredentials(folder));
                }
            }
        }
        if path.starts_with('/')
            && path != "/"
            && let Some(sys) = s.system.iter().find(|sys| is_at_or_under(sys, path))
        {
            return Some(Sensitivity::AncestorOf(sys.clone()));
        }
        None
    }

    fn windows_sensitivity(&self, path: &str) -> Option<Sensitivity> {
        let b = path.as_bytes();
        if b.len() < 2 || b[1] != b':' || !b[0].is_ascii_alphabetic() {
            return None;
        }
        let rest = path[2..].trim_start_matches(['\\', '/']);
        if rest.is_empty() {
            return Some(Sensitivity::Root(path.to_string()));
        }
        let first = rest.split(['\\', '/']).next().unwrap_or(rest);
        self.sensitive
            .windows
            .iter()
            .find(|w| w.eq_ignore_ascii_case(first))
            .map(|w| Sensitivity::System(format!("{}:\\{w}", &path[..1])))
    }
}

/// `path` equals `base` or lies under it (component-wise).
#[must_use]
pub fn is_at_or_under(path: &str, base: &str) -> bool {
    if base == "/" {
        return path.starts_with('/');
    }
    path == base
        || (path.len() > base.len()
            && path.starts_with(base)
            && path.as_bytes()[base.len()] == b'/')
}

/// The home folders a path may lie in: `~`, `/root`, `/home/<user>`.
fn homes_of(path: &str) -> Vec<String> {
    let mut homes = vec!["~".to_string(), "/root".to_string()];
    if let Some(rest) = path.strip_prefix("/home/") {
        let user = rest.split('/').next().unwrap_or(rest);
        if !user.is_empty() {
            homes.push(format!("/home/{user}"));
        }
    }
    homes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_paths() {
        let c = Catalog::get();
        let sys = |p: &str| c.sensitivity(p);
        assert_eq!(sys("/"), Some(Sensitivity::Root("/".into())));
        assert_eq!(sys("/etc/nginx"), Some(Sensitivity::System("/etc".into())));
        assert_eq!(
            sys("/var"),
            Some(Sensitivity::AncestorOf("/var/lib/docker".into()))
        );
        assert_eq!(
            sys("/home/alice"),
            Some(Sensitivity::HoldsCredentials("/home/alice/.ssh".into()))
        );
        assert_eq!(
            sys("~/.aws/credentials"),
            Some(Sensitivity::Credentials("~/.aws".into()))
        );
        assert_eq!(
            sys("/root/.kube"),
            Some(Sensitivity::Credentials("/root/.kube".into()))
        );
        assert_eq!(sys("/root"), Some(Sensitivity::Root("/root".into())));
        assert_eq!(sys("/root/n8n/.n8n"), None);
        assert_eq!(sys("/var/run/mysqld/mysqld.sock"), None);
        assert_eq!(sys("/var/run/postgresql/.s.PGSQL.5432"), None);
        let extended = Catalog::extended(
            Vec::new(),
            &["/run/mysqld".to_string()],
            &[],
            ClusterStorage::default(),
        );
        assert_eq!(
            extended.sensitivity("/run/mysqld/mysqld.sock"),
            Some(Sensitivity::System("/run/mysqld".into()))
        );
        // A subfolder of `/run` is one agent's own folder, unless it holds the runtime's
        // state, secrets, systemd or D-Bus.
        assert_eq!(sys("/run/mysqld"), None);
        assert_eq!(sys("/var/run/calico"), None);
        assert_eq!(sys("/run/user/1000/pulse/native"), None);
        assert_eq!(sys("/dev/log"), None);
        assert_eq!(
            sys("/var/run/secrets/kubernetes.io"),
            Some(Sensitivity::System("/var/run".into()))
        );
        assert_eq!(
            sys("/var/run/docker"),
            Some(Sensitivity::System("/var/run".into()))
        );
        assert_eq!(sys("/run/netns"), Some(Sensitivity::System("/run".into())));
        assert_eq!(
            sys("/var/run"),
            Some(Sensitivity::System("/var/run".into()))
        );
        assert!(c.is_node_provided("/"));
        assert!(c.is_node_provided("/lib/modules/6.8.0"));
        assert!(c.is_node_provided("/etc/os-release"));
        assert!(!c.is_node_provided("/srv/app"));
        assert!(!c.is_node_provided("/etc"));
        assert_eq!(
            c.container_state("/var/lib/docker/containers"),
            Some("/var/lib/docker/containers")
        );
        assert!(c.is_runtime_socket_target("/var/run/docker.sock"));
        assert!(!c.is_runtime_socket_target("/var/run"));
        assert!(c.is_socket_proxy("lscr.io/linuxserver/socket-proxy:latest"));
        assert!(c.is_socket_proxy("tecnativa/docker-socket-proxy:0.3"));
        assert!(!c.is_socket_proxy("traefik:3"));
        assert!(c.is_node_agent_image("prom/node-exporter:v1.8.0"));
        assert!(c.is_node_agent_image("gcr.io/cadvisor/cadvisor:v0.49.1"));
        assert!(c.is_node_agent_image("sysdig/agent"));
        assert!(!c.is_node_agent_image("nginx:1.27"));
        assert!(c.is_node_agent_writable("/etc/cni/net.d", None));
        assert!(c.is_node_agent_writable(
            "/var/log",
            Some("quay.io/fluentd_elasticsearch/fluentd:v2.5.2")
        ));
        assert!(!c.is_node_agent_writable("/var/log", Some("newrelic/infrastructure")));
        assert!(!c.is_node_agent_writable("/etc", None));
        assert_eq!(sys("C:\\"), Some(Sensitivity::Root("C:\\".into())));
        assert_eq!(
            sys("c:\\windows\\system32"),
            Some(Sensitivity::System("c:\\Windows".into()))
        );
        assert_eq!(sys("/srv/data"), None);
        assert_eq!(sys("/home/alice/project/data"), None);
        assert_eq!(sys("/etcetera"), None);
        assert_eq!(sys("data"), None);
        assert!(c.is_runtime_socket("/var/run/docker.sock"));
        assert!(c.is_runtime_socket("/run/containerd"));
        assert!(c.is_runtime_socket("\\\\.\\pipe\\docker_engine"));
        assert!(c.is_runtime_socket("/var/run"));
        assert!(!c.is_runtime_socket("/run/postgresql"));
        assert!(c.is_allowed("/etc/localtime", true, false));
        assert!(!c.is_allowed("/etc/localtime", false, false));
        assert!(c.is_allowed("/var/log/pods", true, true));
        assert!(!c.is_allowed("/var/lib/docker/containers", true, true));
        assert!(!c.is_allowed("/var/log", true, false));
        assert!(c.is_allowed("/etc/docker/certs.d/registry:5000/ca.crt", true, false));
        assert!(!c.is_allowed("/etc/docker/certs.d/registry:5000/ca.crt", false, false));
        assert!(!c.is_allowed("/etc/docker/certs.d/registry:5000/client.key", true, false));
        assert!(!c.is_allowed("/etc/docker/certs.d", true, false));
        assert!(c.is_allowed("/etc/kubernetes/pki/etcd/ca.crt", true, false));
        assert!(!c.is_allowed(
            "/etc/kubernetes/pki/etcd/healthcheck-client.crt",
            true,
            false
        ));
        assert!(!c.is_allowed("/etc/kubernetes/pki/etcd/ca-key.pem", true, false));
    }

    #[test]
    fn image_references() {
        let r = ImageRef::parse("registry.example.com:5000/library/postgres:17-alpine@sha256:abc");
        assert_eq!(r.repository, "postgres");
        assert_eq!(r.major(), Some(17));
        assert_eq!(
            ImageRef::parse("mcr.microsoft.com/mssql/server:2022-latest").repository,
            "mssql/server"
        );
        assert_eq!(ImageRef::parse("localhost/app").repository, "app");
        assert_eq!(ImageRef::parse("bitnami/redis").tag, None);
    }

    #[test]
    fn stateful_images_are_tag_aware() {
        let c = Catalog::get();
        assert_eq!(
            c.stateful_image("postgres:16").unwrap().data,
            ["/var/lib/postgresql/data"]
        );
        assert_eq!(
            c.stateful_image("postgres:18").unwrap().data,
            ["/var/lib/postgresql/18/docker"]
        );
        assert_eq!(
            c.stateful_image("postgres").unwrap().volumes,
            ["/var/lib/postgresql"]
        );
        assert_eq!(
            c.stateful_image("postgres:${TAG}").unwrap().data,
            ["/var/lib/postgresql/data"]
        );
        assert_eq!(
            c.stateful_image("docker.io/bitnami/mariadb:11")
                .unwrap()
                .data,
            ["/bitnami/mariadb"]
        );
        assert_eq!(
            c.stateful_image("redis:7").unwrap().category,
            Category::Cache
        );
        // Majors built before the vendors dropped `VOLUME` from their images.
        for (old, new) in [
            ("elasticsearch:5.6.16", "elasticsearch:6.8.23"),
            ("grafana/grafana:4.6.3", "grafana/grafana:5.4.3"),
        ] {
            assert!(!c.stateful_image(old).unwrap().volumes.is_empty(), "{old}");
            assert!(c.stateful_image(new).unwrap().volumes.is_empty(), "{new}");
        }
        assert!(
            c.stateful_image("docker.elastic.co/elasticsearch/elasticsearch:5.6.16")
                .unwrap()
                .volumes
                .is_empty()
        );
        assert!(c.stateful_image("nginx:1.27").is_none());
        assert!(c.stateful_image("${IMAGE}").is_none());
        assert!(c.stateful_image("registry.k8s.io/redis:v1").is_none());
        assert!(c.stateful_image("registry.k8s.io/redis:e2e").is_some());
        assert!(c.stateful_image("registry.k8s.io/etcd:3.5.15-0").is_some());
    }

    /// Every family RULES.md names resolves, by the references people really write.
    #[test]
    fn every_family_resolves() {
        use Category::{App, Cache, Database, ObjectStore, Queue, Search};
        // (reference, repository, data paths, first image VOLUME or "", category)
        let cases: &[(&str, &str, &[&str], &str, Category)] = &[
            (
                "postgres:16",
                "postgres",
                &["/var/lib/postgresql/data"],
                "/var/lib/postgresql/data",
                Database,
            ),
            (
                "postgres:18-alpine",
                "postgres",
                &["/var/lib/postgresql/18/docker"],
                "/var/lib/postgresql",
                Database,
            ),
            (
                "postgres:latest",
                "postgres",
                &["/var/lib/postgresql/18/docker"],
                "/var/lib/postgresql",
                Database,
            ),
            (
                "postgis/postgis:16-3.4",
                "postgis/postgis",
                &["/var/lib/postgresql/data"],
                "/var/lib/postgresql/data",
                Database,
            ),
            (
                "postgis/postgis:18-3.6",
                "postgis/postgis",
                &["/var/lib/postgresql/18/docker"],
                "/var/lib/postgresql",
                Database,
            ),
            (
                "pgvector/pgvector:pg16",
                "pgvector/pgvector",
                &["/var/lib/postgresql/data"],
                "/var/lib/postgresql/data",
                Database,
            ),
            (
                "pgvector/pgvector:0.8.1-pg18",
                "pgvector/pgvector",
                &["/var/lib/postgresql/18/docker"],
                "/var/lib/postgresql",
                Database,
            ),
            (
                "timescale/timescaledb:latest-pg17",
                "timescale/timescaledb",
                &["/var/lib/postgresql/data"],
                "/var/lib/postgresql/data",
                Database,
            ),
            (
                "timescale/timescaledb-ha:pg17",
                "timescale/timescaledb-ha",
                &["/home/postgres/pgdata/data"],
                "",
                Database,
            ),
            (
                "mysql:8.4",
                "mysql",
                &["/var/lib/mysql"],
                "/var/lib/mysql",
                Database,
            ),
            (
                "mariadb:11",
                "mariadb",
                &["/var/lib/mysql"],
                "/var/lib/mysql",
                Database,
            ),
            (
                "percona/percona-server:8.0",
                "percona/percona-server",
                &["/var/lib/mysql"],
                "/var/lib/mysql",
                Database,
            ),
            ("mongo:7", "mongo", &["/data/db"], "/data/db", Database),
            ("redis:7-alpine", "redis", &["/data"], "/data", Cache),
            (
                "valkey/valkey:8",
                "valkey/valkey",
                &["/data"],
                "/data",
                Cache,
            ),
            (
                "docker.elastic.co/elasticsearch/elasticsearch:8.14.1",
                "elasticsearch/elasticsearch",
                &["/usr/share/elasticsearch/data"],
                "",
                Search,
            ),
            (
                "opensearchproject/opensearch:2",
                "opensearchproject/opensearch",
                &["/usr/share/opensearch/data"],
                "",
                Search,
            ),
            (
                "rabbitmq:3-management",
                "rabbitmq",
                &["/var/lib/rabbitmq"],
                "/var/lib/rabbitmq",
                Queue,
            ),
            (
                "cassandra:5",
                "cassandra",
                &["/var/lib/cassandra/data", "/var/lib/cassandra/commitlog"],
                "/var/lib/cassandra",
                Database,
            ),
            (
                "couchdb:3",
                "couchdb",
                &["/opt/couchdb/data"],
                "/opt/couchdb/data",
                Database,
            ),
            (
                "couchbase/server:7.6.1",
                "couchbase/server",
                &["/opt/couchbase/var"],
                "/opt/couchbase/var",
                Database,
            ),
            (
                "influxdb:1.8",
                "influxdb",
                &["/var/lib/influxdb"],
                "/var/lib/influxdb",
                Database,
            ),
            (
                "influxdb:2.7",
                "influxdb",
                &["/var/lib/influxdb2"],
                "/var/lib/influxdb2",
                Database,
            ),
            (
                "influxdb",
                "influxdb",
                &["/var/lib/influxdb2"],
                "/var/lib/influxdb2",
                Database,
            ),
            (
                "influxdb:3-core",
                "influxdb",
                &["/var/lib/influxdb3"],
                "",
                Database,
            ),
            ("neo4j:5", "neo4j", &["/data"], "/data", Database),
            (
                "clickhouse/clickhouse-server:24.3",
                "clickhouse/clickhouse-server",
                &["/var/lib/clickhouse"],
                "/var/lib/clickhouse",
                Database,
            ),
            (
                "mcr.microsoft.com/mssql/server:2022-latest",
                "mssql/server",
                &["/var/opt/mssql/data"],
                "",
                Database,
            ),
            (
                "quay.io/minio/minio:RELEASE.2024-06-13T22-53-53Z",
                "minio/minio",
                &["/data"],
                "/data",
                ObjectStore,
            ),
            (
                "minio/minio",
                "minio/minio",
                &["/data"],
                "/data",
                ObjectStore,
            ),
            (
                "gcr.io/etcd-development/etcd:v3.5.14",
                "etcd-development/etcd",
                &["/var/lib/etcd"],
                "",
                Database,
            ),
            (
                "hashicorp/consul:1.19",
                "hashicorp/consul",
                &["/consul/data"],
                "/consul/data",
                Database,
            ),
            (
                "hashicorp/vault:1.17",
                "hashicorp/vault",
                &["/vault/file"],
                "/vault/logs",
                Database,
            ),
            (
                "zookeeper:3.9",
                "zookeeper",
                &["/data", "/datalog"],
                "/data",
                Database,
            ),
            (
                "apache/kafka:3.7.0",
                "apache/kafka",
                &["/tmp/kraft-combined-logs"],
                "/etc/kafka/secrets",
                Queue,
            ),
            (
                "docker.io/bitnami/kafka:3.7",
                "bitnami/kafka",
                &["/bitnami/kafka"],
                "",
                Queue,
            ),
            (
                "confluentinc/cp-kafka:7.6.1",
                "confluentinc/cp-kafka",
                &["/var/lib/kafka/data"],
                "/var/lib/kafka/data",
                Queue,
            ),
            (
                "confluentinc/cp-zookeeper:7.6.1",
                "confluentinc/cp-zookeeper",
                &["/var/lib/zookeeper/data", "/var/lib/zookeeper/log"],
                "/var/lib/zookeeper/data",
                Database,
            ),
            ("solr:9", "solr", &["/var/solr"], "/var/solr", Search),
            (
                "sonatype/nexus3:3.70.1",
                "sonatype/nexus3",
                &["/nexus-data"],
                "/nexus-data",
                App,
            ),
            ("gitea/gitea:1.22", "gitea/gitea", &["/data"], "/data", App),
            (
                "gitlab/gitlab-ce:17.1.1-ce.0",
                "gitlab/gitlab-ce",
                &["/var/opt/gitlab", "/etc/gitlab"],
                "/etc/gitlab",
                App,
            ),
            (
                "gitlab/gitlab-ee:latest",
                "gitlab/gitlab-ee",
                &["/var/opt/gitlab", "/etc/gitlab"],
                "/etc/gitlab",
                App,
            ),
            (
                "jenkins/jenkins:lts-jdk17",
                "jenkins/jenkins",
                &["/var/jenkins_home"],
                "/var/jenkins_home",
                App,
            ),
            (
                "nextcloud:29-apache",
                "nextcloud",
                &["/var/www/html"],
                "/var/www/html",
                App,
            ),
            (
                "wordpress:6.5-php8.2-apache",
                "wordpress",
                &["/var/www/html"],
                "/var/www/html",
                App,
            ),
            (
                "ghost:5-alpine",
                "ghost",
                &["/var/lib/ghost/content"],
                "/var/lib/ghost/content",
                App,
            ),
            (
                "registry:2",
                "registry",
                &["/var/lib/registry"],
                "/var/lib/registry",
                ObjectStore,
            ),
            (
                "prom/prometheus:v2.53.0",
                "prom/prometheus",
                &["/prometheus"],
                "/prometheus",
                Database,
            ),
            (
                "grafana/grafana-oss:11.1.0",
                "grafana/grafana-oss",
                &["/var/lib/grafana"],
                "",
                App,
            ),
            (
                "arangodb:3.12",
                "arangodb",
                &["/var/lib/arangodb3"],
                "/var/lib/arangodb3",
                Database,
            ),
            (
                "cockroachdb/cockroach:v24.1.0",
                "cockroachdb/cockroach",
                &["/cockroach/cockroach-data"],
                "",
                Database,
            ),
            (
                "qdrant/qdrant:v1.10.0",
                "qdrant/qdrant",
                &["/qdrant/storage"],
                "",
                Database,
            ),
            (
                "cr.weaviate.io/semitechnologies/weaviate:1.25.4",
                "semitechnologies/weaviate",
                &["/var/lib/weaviate"],
                "",
                Database,
            ),
            (
                "ghcr.io/bitnami/postgresql:16",
                "bitnami/postgresql",
                &["/bitnami/postgresql"],
                "",
                Database,
            ),
            (
                "bitnami/redis:7.2",
                "bitnami/redis",
                &["/bitnami/redis/data"],
                "",
                Cache,
            ),
            (
                "bitnami/valkey:8.0",
                "bitnami/valkey",
                &["/bitnami/valkey/data"],
                "",
                Cache,
            ),
            (
                "bitnami/mysql:8.4",
                "bitnami/mysql",
                &["/bitnami/mysql/data"],
                "",
                Database,
            ),
            (
                "bitnamilegacy/mongodb:7.0",
                "bitnamilegacy/mongodb",
                &["/bitnami/mongodb"],
                "",
                Database,
            ),
            (
                "bitnami/elasticsearch:8",
                "bitnami/elasticsearch",
                &["/bitnami/elasticsearch/data"],
                "",
                Search,
            ),
            (
                "bitnami/rabbitmq:3.13",
                "bitnami/rabbitmq",
                &["/bitnami/rabbitmq/mnesia"],
                "",
                Queue,
            ),
            (
                "bitnami/minio:2024",
                "bitnami/minio",
                &["/bitnami/minio/data"],
                "",
                ObjectStore,
            ),
            (
                "bitnami/grafana:11",
                "bitnami/grafana",
                &["/opt/bitnami/grafana/data"],
                "",
                App,
            ),
            (
                "bitnami/wordpress:6",
                "bitnami/wordpress",
                &["/bitnami/wordpress"],
                "",
                App,
            ),
        ];
        let c = Catalog::get();
        for (reference, repository, data, volume, category) in cases {
            let s = c
                .stateful_image(reference)
                .unwrap_or_else(|| panic!("{reference} is not in the catalog"));
            assert_eq!(&s.repository, repository, "{reference}");
            assert_eq!(&s.data, data, "{reference}");
            assert_eq!(
                s.volumes.first().map_or("", String::as_str),
                *volume,
                "{reference}"
            );
            assert_eq!(s.category, *category, "{reference}");
        }
        for stateless in [
            "nginx:1.27",
            "bitnamilegacy/nginx:1.25",
            "prom/node-exporter:v1.8.1",
            "influxdb:${INFLUX_TAG}",
        ] {
            assert!(c.stateful_image(stateless).is_none(), "{stateless}");
        }
    }

    #[test]
    fn tag_marker_reads_the_base_version() {
        let r = ImageRef::parse("timescale/timescaledb:2.17.2-pg17");
        assert_eq!(r.major(), Some(2));
        assert_eq!(r.major_after("pg"), Some(17));
        assert_eq!(
            ImageRef::parse("pgvector/pgvector:pg16").major_after("pg"),
            Some(16)
        );
        assert_eq!(
            ImageRef::parse("pgvector/pgvector:latest").major_after("pg"),
            None
        );
    }
}

//! Catalog data: which host paths are sensitive, which images keep data. Data, not code
//! (kube-linter's lesson): the TOML files beside this one are embedded at build time.

use std::sync::OnceLock;

use serde::Deserialize;

const SENSITIVE_PATHS: &str = include_str!("sensitive-paths.toml");
const STATEFUL_IMAGES: &str = include_str!("stateful-images.toml");

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
    image: Vec<ImageEntry>,
}

/// One entry of `stateful-images.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageEntry {
    pub images: Vec<String>,
    #[serde(default)]
    pub tags: Option<String>,
    #[serde(default)]
    pub latest: bool,
    pub data: Vec<String>,
    pub volumes: Vec<String>,
    pub category: Category,
    #[serde(default)]
    pub env: Vec<String>,
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

    /// The tag is unknown (an unresolved variable).
    #[must_use]
    pub fn tag_unknown(&self) -> bool {
        self.tag.as_deref().is_some_and(|t| t.contains('$'))
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
}

impl StatefulImage {
    /// The data paths for a container: the value of a moving variable (`PGDATA`) when the
    /// container sets it, else the catalog's.
    #[must_use]
    pub fn data_paths(&self, env: &[crate::model::EnvVar]) -> Vec<String> {
        for var in &self.env {
            if let Some(value) = env
                .iter()
                .rev()
                .find(|e| &e.name == var)
                .and_then(|e| e.value.as_deref())
                .filter(|v| v.starts_with('/') && !v.contains('$'))
            {
                return vec![crate::parse::paths::normalize(value)];
            }
        }
        self.data.clone()
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

#[derive(Debug, Deserialize)]
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
    pub runtime_pipes: Vec<String>,
    pub node_provided: Vec<String>,
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
    /// A credential folder, or an ancestor of one.
    Credentials(String),
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
        }
    }
}

#[derive(Debug)]
pub struct Catalog {
    pub sensitive: SensitivePaths,
    pub images: Vec<ImageEntry>,
}

impl Catalog {
    /// The built-in catalog, parsed once.
    ///
    /// # Panics
    /// Only if the embedded TOML is invalid, which `tests` catch before release.
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| Catalog {
            sensitive: toml::from_str(SENSITIVE_PATHS).expect("embedded sensitive-paths.toml"),
            images: toml::from_str::<ImageFile>(STATEFUL_IMAGES)
                .expect("embedded stateful-images.toml")
                .image,
        })
    }

    /// The catalog entry for an image reference, if it keeps business data.
    #[must_use]
    pub fn stateful_image(&self, reference: &str) -> Option<StatefulImage> {
        let image = ImageRef::parse(reference);
        if image.repository.contains('$') {
            return None;
        }
        let major = image.major();
        let entry = self.images.iter().find(|e| {
            if !e.images.iter().any(|p| glob_match(p, &image.repository)) {
                return false;
            }
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
        })
    }

    /// Whether `path` (normalized, see [`crate::parse::paths::normalize`]) is a container
    /// runtime socket or its folder.
    #[must_use]
    pub fn is_runtime_socket(&self, path: &str) -> bool {
        let s = &self.sensitive;
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        s.runtime_socket_names.iter().any(|n| n == name)
            || s.runtime_socket_folders
                .iter()
                .any(|f| is_at_or_under(path, f))
            || s.runtime_pipes.iter().any(|p| {
                path.eq_ignore_ascii_case(p)
                    || path.to_ascii_lowercase().ends_with("pipe/docker_engine")
                    || path.to_ascii_lowercase().ends_with("pipe\\docker_engine")
            })
    }

    /// Whether every node provides `path` by definition (the root, kernel interfaces, the
    /// runtime, time zone files, node logs): binding it is not binding host-local data.
    #[must_use]
    pub fn is_node_provided(&self, path: &str) -> bool {
        path == "/"
            || self
                .sensitive
                .node_provided
                .iter()
                .any(|p| is_at_or_under(path, p))
    }

    /// Whether `path` is allowed as an exception (read-only time zone files, read-only
    /// `/var/log` in a DaemonSet).
    #[must_use]
    pub fn is_allowed(&self, path: &str, read_only: bool, daemonset: bool) -> bool {
        let s = &self.sensitive;
        read_only
            && (s.read_only_allowed.iter().any(|a| is_at_or_under(path, a))
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
        if let Some(sys) = s.system.iter().find(|sys| is_at_or_under(path, sys)) {
            return Some(Sensitivity::System(sys.clone()));
        }
        for home in homes_of(path) {
            for cred in &s.credentials {
                let folder = format!("{home}/{cred}");
                if is_at_or_under(path, &folder) || is_at_or_under(&folder, path) {
                    return Some(Sensitivity::Credentials(folder));
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
            Some(Sensitivity::Credentials("/home/alice/.ssh".into()))
        );
        assert_eq!(
            sys("~/.aws/credentials"),
            Some(Sensitivity::Credentials("~/.aws".into()))
        );
        assert_eq!(
            sys("/root/.kube"),
            Some(Sensitivity::System("/root".into()))
        );
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
        assert!(!c.is_runtime_socket("/var/run"));
        assert!(c.is_allowed("/etc/localtime", true, false));
        assert!(!c.is_allowed("/etc/localtime", false, false));
        assert!(c.is_allowed("/var/log/pods", true, true));
        assert!(!c.is_allowed("/var/log", true, false));
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
        assert!(c.stateful_image("nginx:1.27").is_none());
        assert!(c.stateful_image("${IMAGE}").is_none());
    }
}

//! Host paths: interpolated text -> [`HostPath`]. Lexical only (no disk): the model normalizes
//! mount targets with it, and every parser resolves sources with it.

use std::path::{Path, PathBuf};

use crate::HostPath;

/// Fold `//`, `/./`, `..` and a trailing `/` lexically; keep `~` and relative paths relative.
/// Backslashes of Windows paths are kept as written.
#[must_use]
pub fn normalize(path: &str) -> String {
    if path.starts_with('\\') || path.as_bytes().get(1) == Some(&b':') {
        // Windows: `C:\Windows\`, `\\.\pipe\docker_engine`.
        let trimmed = path.trim_end_matches(['\\', '/']);
        return if trimmed.len() < 3 && path.len() >= 3 {
            path[..3].to_string()
        } else {
            trimmed.to_string()
        };
    }
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(parts.last(), Some(p) if *p != ".." && *p != "~") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// A host path as written (already interpolated), resolved against `base` (the folder of the
/// file that names it) and `$HOME`.
#[must_use]
pub fn host_path(written: &str, base: &Path) -> HostPath {
    let mut path = normalize(written);
    let relative = !(path.starts_with('/')
        || path.starts_with('\\')
        || path.starts_with("..")
        || path.starts_with('$')
        || path.starts_with("{{")
        || path == "~"
        || path.starts_with("~/")
        || path.as_bytes().get(1) == Some(&b':'));
    if relative && path != "." {
        // Keep relative paths recognisable as paths in messages: `./data`, not `data`.
        path = format!("./{path}");
    }
    let resolved = if path == "~" || path.starts_with("~/") {
        let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
        home.join(path.trim_start_matches('~').trim_start_matches('/'))
    } else if path.starts_with('/')
        || path.starts_with('\\')
        || path.as_bytes().get(1) == Some(&b':')
    {
        PathBuf::from(&path)
    } else {
        base.join(path.strip_prefix("./").unwrap_or(&path))
    };
    HostPath { path, resolved }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(normalize("/etc/"), "/etc");
        assert_eq!(
            normalize("//var/./run/../run/docker.sock"),
            "/var/run/docker.sock"
        );
        assert_eq!(normalize("/../etc"), "/etc");
        assert_eq!(normalize("/"), "/");
        assert_eq!(normalize("./data/"), "data");
        assert_eq!(host_path("./data/", Path::new("/p")).path, "./data");
        // A template's placeholder is not made a relative path.
        assert_eq!(
            host_path("{{ appdata }}/app", Path::new("/p")).path,
            "{{ appdata }}/app"
        );
        assert_eq!(
            host_path("data", Path::new("/p")).resolved,
            Path::new("/p/data")
        );
        assert_eq!(normalize("../x"), "../x");
        assert_eq!(normalize("~/.ssh/"), "~/.ssh");
        assert_eq!(normalize("C:\\Windows\\"), "C:\\Windows");
        assert_eq!(normalize("C:\\"), "C:\\");
    }
}

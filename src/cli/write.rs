//! Writing reports and baselines without ever losing a user's file.
//!
//! - An output is refused when it is (same device and inode, or same real path) a file the run
//!   reads: a linted file, a configuration, the baseline. `--output-file compose.yaml` must not
//!   replace the compose file with its own report, through a link or `./x/../` either.
//! - An existing file that is not a report or baseline of ours is replaced only with `--force`
//!   (as `stowlint init` does).
//! - Writes go to a temporary file in the same folder, flushed and synced, then renamed over
//!   the target: a full disk leaves the old file whole, never a truncated one.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What identifies a file: its device and inode where the system says, else its real path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum FileId {
    Inode(u64, u64),
    Path(PathBuf),
}

fn file_id(path: &Path) -> Option<FileId> {
    let meta = fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let _ = &meta;
        Some(FileId::Inode(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        fs::canonicalize(path).ok().map(FileId::Path)
    }
}

/// The files a run reads, which none of its outputs may be.
#[derive(Debug, Default)]
pub(super) struct Inputs {
    ids: Vec<(FileId, PathBuf)>,
}

impl Inputs {
    /// `path` as read, `shown` as messages name it.
    pub(super) fn add(&mut self, path: &Path, shown: &Path) {
        if let Some(id) = file_id(path) {
            self.ids.push((id, shown.to_path_buf()));
        }
        if let Ok(real) = fs::canonicalize(path) {
            self.ids.push((FileId::Path(real), shown.to_path_buf()));
        }
    }

    /// The input `path` is, if any.
    fn find(&self, path: &Path) -> Option<&Path> {
        let id = file_id(path);
        let real = fs::canonicalize(path).ok().map(FileId::Path);
        self.ids
            .iter()
            .find(|(known, _)| Some(known) == id.as_ref() || Some(known) == real.as_ref())
            .map(|(_, p)| p.as_path())
    }
}

/// What an output file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Report,
    Baseline,
}

/// Whether `path` may be written: not an input of the run, and, when it exists, a report or
/// baseline of ours (or `force`). The error says why and what to do.
pub(super) fn check_target(
    path: &Path,
    shown: &str,
    kind: Kind,
    inputs: &Inputs,
    force: bool,
) -> Result<(), String> {
    if let Some(input) = inputs.find(path) {
        let what = if crate::output::path_str(input) == shown {
            String::new()
        } else {
            format!(" (it is `{}`)", crate::output::path_str(input))
        };
        return Err(format!(
            "`{shown}` is read by this run{what}; refusing to write over it"
        ));
    }
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot write `{shown}`: {e}")),
    };
    let target = fs::metadata(path).ok();
    if target.as_ref().is_some_and(fs::Metadata::is_dir) {
        return Err(format!("cannot write `{shown}`: it is a folder"));
    }
    if target.as_ref().is_some_and(|m| !m.is_file()) || (meta.is_symlink() && target.is_none()) {
        return Err(format!(
            "cannot write `{shown}`: not a regular file (a link that leads nowhere, a FIFO, \
             a device)"
        ));
    }
    if force {
        return Ok(());
    }
    let ours = crate::discover::read_side_file(path).is_ok_and(|text| match kind {
        Kind::Report => is_report(&text),
        Kind::Baseline => crate::baseline::is_baseline(&text),
    });
    if ours {
        Ok(())
    } else {
        let what = match kind {
            Kind::Report => "a stowlint report",
            Kind::Baseline => "a stowlint baseline",
        };
        Err(format!(
            "`{shown}` exists and is not {what}; not replaced (use --force to replace it)"
        ))
    }
}

/// Whether `text` is what one of our renderers wrote (any format: a run may switch formats).
fn is_report(text: &str) -> bool {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return true;
    }
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(trimmed) {
        // json: `{"version", "diagnostics"}`; sarif: the tool is stowlint; gitlab: an array of
        // issues with our check names.
        return value.get("diagnostics").is_some() && value.get("version").is_some()
            || value["runs"][0]["tool"]["driver"]["name"] == "stowlint"
            || value["source"]["name"] == "stowlint"
            || value.as_array().is_some_and(|issues| {
                issues.iter().all(|i| {
                    i["check_name"]
                        .as_str()
                        .is_some_and(|c| c.starts_with("SL"))
                })
            });
    }
    if trimmed.starts_with("<?xml") {
        // JUnit names us; checkstyle names us in each error's source (an empty one holds
        // nothing to lose).
        return trimmed.contains("<testsuites name=\"stowlint\"")
            || trimmed.contains("<checkstyle")
                && (trimmed.contains("source=\"stowlint.") || !trimmed.contains("<error"));
    }
    let first = trimmed.lines().next().unwrap_or_default();
    // github, human, concise, or a human report's summary alone.
    first.starts_with("::")
        || ["error[SL", "warning[SL", "info[SL"]
            .iter()
            .any(|p| first.starts_with(p))
        || first.split(": SL").nth(1).is_some_and(|rest| {
            rest.get(..3)
                .is_some_and(|c| c.bytes().all(|b| b.is_ascii_digit()))
        })
        || ["All checked", "Found ", "Nothing linted", "Run failed"]
            .iter()
            .any(|p| first.starts_with(p))
}

/// Write what `fill` produces to `path` atomically: a temporary file beside it, flushed and
/// synced, renamed over `path`. An existing file keeps its permissions; on any error `path`
/// is untouched and the temporary file removed.
pub(super) fn atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let permissions = fs::metadata(path).ok().map(|m| m.permissions());
    let mut temp = tempfile::Builder::new()
        .prefix(".stowlint-")
        .suffix(".tmp")
        .tempfile_in(folder)?;
    {
        let mut out = io::BufWriter::new(temp.as_file_mut());
        fill(&mut out)?;
        out.flush()?;
    }
    temp.as_file().sync_all()?;
    match permissions {
        Some(p) => fs::set_permissions(temp.path(), p)?,
        None => set_default_permissions(temp.path())?,
    }
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A new report is readable by all, as a plain `create` would leave it with the usual umask
/// (temporary files start private).
fn set_default_permissions(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(path, fs::Permissions::from_mode(0o644))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_of_every_format_are_recognised() {
        for text in [
            "",
            "{\n  \"version\": 1,\n  \"diagnostics\": []\n}\n",
            "{\"runs\": [{\"tool\": {\"driver\": {\"name\": \"stowlint\"}}}]}",
            "[]",
            "[{\"check_name\": \"SL101\"}]",
            "<?xml version=\"1.0\"?>\n<testsuites name=\"stowlint\" tests=\"1\">",
            "::error file=a,line=1::x\n",
            "error[SL102]: service ci mounts\n",
            "a/compose.yaml:4:16: SL101 error: service a mounts\n",
            "All checked: no findings in 3 files.\n",
            "Nothing linted: no Dockerfile, compose file or Kubernetes manifest was found.\n",
            "<?xml version=\"1.0\"?>\n<checkstyle version=\"4.3\">\n</checkstyle>\n",
            "<?xml version=\"1.0\"?>\n<checkstyle version=\"4.3\">\n<file name=\"a\"><error \
             source=\"stowlint.SL101\"/></file></checkstyle>\n",
            "{\"source\": {\"name\": \"stowlint\"}, \"diagnostics\": []}",
        ] {
            assert!(is_report(text), "{text:?}");
        }
        for text in [
            "services:\n  db:\n    image: postgres\n",
            "FROM alpine\n",
            "{\"name\": \"app\"}",
            "[{\"a\": 1}]",
            "<?xml version=\"1.0\"?>\n<project/>",
            "<?xml version=\"1.0\"?>\n<checkstyle><file><error source=\"eslint\"/></file></checkstyle>",
            "apiVersion: v1\nkind: Pod\n",
        ] {
            assert!(!is_report(text), "{text:?}");
        }
    }

    #[test]
    fn atomic_write_keeps_the_old_file_when_filling_fails() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("r.json");
        fs::write(&path, "old").expect("write");
        let failed = atomically(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(fs::read_to_string(&path).expect("read"), "old");
        assert_eq!(
            fs::read_dir(dir.path()).expect("list").count(),
            1,
            "no temp left"
        );
        atomically(&path, |w| w.write_all(b"new")).expect("written");
        assert_eq!(fs::read_to_string(&path).expect("read"), "new");
    }

    #[test]
    fn an_input_is_found_through_links_and_dot_dots() {
        let dir = tempfile::tempdir().expect("dir");
        let compose = dir.path().join("compose.yaml");
        fs::write(&compose, "services: {}\n").expect("write");
        fs::create_dir(dir.path().join("x")).expect("dir");
        let mut inputs = Inputs::default();
        inputs.add(&compose, &compose);
        assert!(inputs.find(&dir.path().join("x/../compose.yaml")).is_some());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&compose, dir.path().join("link.yaml")).expect("link");
            fs::hard_link(&compose, dir.path().join("hard.yaml")).expect("hard link");
            assert!(inputs.find(&dir.path().join("link.yaml")).is_some());
            assert!(inputs.find(&dir.path().join("hard.yaml")).is_some());
        }
        assert!(inputs.find(&dir.path().join("other.json")).is_none());
    }
}

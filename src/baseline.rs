//! Baselines: adopt stowlint in a repository that already has findings. `--write-baseline`
//! records today's findings by fingerprint; `--baseline` reports only the others.
//!
//! A fingerprint (version 2) holds the rule, the file relative to the baseline's folder, and
//! the message and the text of the offending line with image tags and digests left out — not
//! its position. So moving lines, running from another folder, or a Renovate bump of
//! `postgres:16.3` to `16.4` does not resurface old findings. Version-1 baselines (paths
//! relative to the working folder, tags kept) are still read.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::fingerprint::fnv1a;
use crate::engine::{Diagnostic, file_fingerprints};
use crate::model::lexical;
use crate::output::{Report, path_str};

const VERSION: u32 = 2;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Baseline {
    version: u32,
    findings: Vec<Entry>,
}

/// One recorded finding; all but `fingerprint` are there for people reading the file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    fingerprint: String,
    code: String,
    /// Relative to the baseline's folder (version 1: to the working folder).
    file: String,
    message: String,
}

/// Largest baseline read: a baseline is a few hundred bytes per finding, and `--baseline
/// /dev/zero` must not read forever.
const MAX_BASELINE_SIZE: u64 = 64 * 1024 * 1024;

/// Whether `text` is a baseline of ours (any version): only those are replaced without
/// `--force`.
#[must_use]
pub fn is_baseline(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .is_ok_and(|v| v.get("version").is_some() && v["findings"].is_array())
}

/// A file as a baseline in `base` (absolute) names it: relative to `base` when under it.
fn relative_to(file: &Path, base: &Path, cwd: &Path) -> String {
    let absolute = lexical(&cwd.join(file));
    path_str(absolute.strip_prefix(base).unwrap_or(&absolute))
}

/// The folder a baseline at `path` lives in (absolute).
fn folder_of(path: &Path, cwd: &Path) -> PathBuf {
    let absolute = lexical(&cwd.join(path));
    absolute
        .parent()
        .map_or(absolute.clone(), Path::to_path_buf)
}

/// `text` with image tags and digests left out: `postgres:16.3@sha256:ab…` reads `postgres`.
/// Only words that look like image references lose their tag: a bind `./a:/b:ro` keeps all.
#[must_use]
pub fn without_image_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(&strip_tag(word));
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ',' | '[' | ']' | '(' | ')' | '=') {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn strip_tag(word: &str) -> String {
    let word = match word.find("@sha256:") {
        Some(i) => &word[..i],
        None => word,
    };
    let Some((name, tag)) = word.rsplit_once(':') else {
        return word.to_string();
    };
    let tag_ok = !tag.is_empty()
        && tag.len() <= 128
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && tag
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    // A registry port (`registry:5000/app`) is the only other colon an image may hold.
    let name_ok = !name.is_empty()
        && !name.starts_with(['/', '.', '~', '$', '-'])
        && name.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-' | '/' | ':')
        })
        && name.split(':').count() <= 2
        && name
            .split_once(':')
            .is_none_or(|(_, rest)| rest.contains('/'));
    if tag_ok && name_ok {
        name.to_string()
    } else {
        word.to_string()
    }
}

/// Version-2 fingerprints: one per diagnostic, in order; identical findings in one file are
/// told apart by their order.
/// Version 2 fingerprints of one file's findings (`text` being the file's): paths relative to
/// the baseline's folder, image tags left out.
fn fingerprints_v2(
    file: &Path,
    text: Option<&str>,
    diagnostics: &[Diagnostic],
    base: &Path,
    cwd: &Path,
) -> Vec<String> {
    crate::engine::fingerprint::fingerprints_by(
        |path| text.filter(|_| path == file),
        diagnostics,
        |d, line| {
            let path = relative_to(&d.file, base, cwd);
            fnv1a(&[
                "v2",
                d.code.as_str(),
                &path,
                &without_image_tags(&d.message),
                without_image_tags(line.trim()).as_str(),
            ])
        },
    )
}

/// The findings as a baseline's text for a baseline written at `path`, and how many it
/// records.
///
/// # Errors
/// When the findings cannot be serialized (never in practice).
pub fn render(report: &Report, path: &Path, cwd: &Path) -> Result<(String, usize), String> {
    let base = folder_of(path, cwd);
    let mut findings: Vec<Entry> = Vec::new();
    for file in report.files() {
        let text = file.source.as_deref().map(|s| s.text.as_str());
        let fps = fingerprints_v2(file.path, text, &file.diagnostics, &base, cwd);
        findings.extend(
            file.diagnostics
                .iter()
                .zip(fps)
                .map(|(d, fingerprint)| Entry {
                    fingerprint,
                    code: d.code.to_string(),
                    file: relative_to(&d.file, &base, cwd),
                    message: d.message.clone(),
                }),
        );
    }
    findings.sort_by(|a, b| {
        (&a.file, &a.code, &a.fingerprint).cmp(&(&b.file, &b.code, &b.fingerprint))
    });
    let count = findings.len();
    let baseline = Baseline {
        version: VERSION,
        findings,
    };
    let mut text = serde_json::to_string_pretty(&baseline).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok((text, count))
}

/// What applying a baseline did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings the baseline hid.
    pub hidden: usize,
    /// Recorded findings no longer found (fixed, or changed past recognition).
    pub stale: usize,
    /// The baseline's format version.
    pub version: u32,
}

/// Say on `stderr` what the baseline hid and what it holds in vain.
pub fn tell(applied: &Applied, path: &Path, stderr: &mut dyn Write) {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if applied.hidden > 0 {
        let _ = writeln!(
            stderr,
            "stowlint: {} hidden by the baseline {}",
            plural(applied.hidden, "finding", "findings"),
            path_str(path)
        );
    }
    if applied.stale > 0 {
        let _ = writeln!(
            stderr,
            "stowlint: {} of the baseline no longer found (fixed?); re-record it with \
             `stowlint check --write-baseline {}`",
            plural(applied.stale, "entry", "entries"),
            path_str(path)
        );
    }
    if applied.version < VERSION {
        let _ = writeln!(
            stderr,
            "stowlint: the baseline is version {}; re-record it with `--write-baseline` to match \
             from any folder and across image tag bumps",
            applied.version
        );
    }
}

/// A baseline read for a run: drops the findings it records, a file at a time.
#[derive(Debug)]
pub struct Filter {
    version: u32,
    /// The recorded fingerprints, each with whether this run found it.
    known: std::collections::HashMap<String, bool>,
    /// The baseline's folder (version 2 paths are relative to it).
    base: PathBuf,
    cwd: PathBuf,
    hidden: usize,
}

impl Filter {
    /// Read the baseline at `path`. `cwd` (absolute) is where the run's paths start.
    ///
    /// # Errors
    /// When the file cannot be read or is not a baseline.
    pub fn load(path: &Path, cwd: &Path) -> Result<Self, String> {
        // A regular file of bounded size only: a FIFO would block the run, `/dev/zero` fill memory.
        let text = match crate::discover::read_limited(&cwd.join(path), MAX_BASELINE_SIZE) {
            Ok(crate::discover::Contents::Bytes(bytes)) => String::from_utf8(bytes)
                .map_err(|_| format!("{}: not a stowlint baseline (not UTF-8)", path.display()))?,
            Ok(crate::discover::Contents::TooLarge { .. }) => {
                return Err(format!(
                    "{}: not a stowlint baseline (larger than 64 MB)",
                    path.display()
                ));
            }
            Ok(crate::discover::Contents::NotRegular(kind)) => {
                return Err(format!(
                    "{}: not a regular file ({kind}); a baseline is a file written by \
                 --write-baseline",
                    path.display()
                ));
            }
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let baseline: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a stowlint baseline: {e}", path.display()))?;
        match baseline.version {
            1 | VERSION => {}
            other => {
                return Err(format!(
                    "{}: baseline version {other} is not supported (expected 1 or {VERSION})",
                    path.display()
                ));
            }
        }
        Ok(Self {
            version: baseline.version,
            known: baseline
                .findings
                .into_iter()
                .map(|f| (f.fingerprint, false))
                .collect(),
            base: folder_of(path, cwd),
            cwd: cwd.to_path_buf(),
            hidden: 0,
        })
    }

    /// Drop from `diagnostics` (the findings of `file`, whose text is `text` when kept) those
    /// the baseline records.
    pub fn retain(&mut self, file: &Path, text: Option<&str>, diagnostics: &mut Vec<Diagnostic>) {
        let fps = if self.version == 1 {
            file_fingerprints(file, text, diagnostics)
        } else {
            fingerprints_v2(file, text, diagnostics, &self.base, &self.cwd)
        };
        let before = diagnostics.len();
        let mut keep = fps.iter().map(|fp| match self.known.get_mut(fp.as_str()) {
            Some(found) => {
                *found = true;
                false
            }
            None => true,
        });
        diagnostics.retain(|_| keep.next().unwrap_or(true));
        self.hidden += before - diagnostics.len();
    }

    /// What the baseline did to the run.
    #[must_use]
    pub fn applied(&self) -> Applied {
        Applied {
            hidden: self.hidden,
            stale: self.known.values().filter(|&&found| !found).count(),
            version: self.version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags_and_digests_are_left_out() {
        for (text, want) in [
            ("image: postgres:16.3", "image: postgres"),
            ("image: \"postgres:16.4-alpine\"", "image: \"postgres\""),
            (
                "image: ghcr.io/acme/db:1.2@sha256:abcdef",
                "image: ghcr.io/acme/db",
            ),
            ("image: registry:5000/app:v1", "image: registry:5000/app"),
            ("image: registry:5000/app", "image: registry:5000/app"),
            ("- ./data:/var/lib/data:ro", "- ./data:/var/lib/data:ro"),
            (
                "- /var/run/docker.sock:/var/run/docker.sock",
                "- /var/run/docker.sock:/var/run/docker.sock",
            ),
            ("volumes:", "volumes:"),
            (
                "service db (`postgres:16.3`) keeps",
                "service db (`postgres`) keeps",
            ),
        ] {
            assert_eq!(without_image_tags(text), want, "{text}");
        }
    }
}

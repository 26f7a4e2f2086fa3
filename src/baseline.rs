//! Baselines: adopt stowlint in a repository that already has findings. `--write-baseline`
//! records today's findings by fingerprint; `--baseline` reports only the others. Fingerprints
//! hold the rule, the file, the message and the text of the offending line, not its position,
//! so moving lines does not resurface old findings.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::{Diagnostic, fingerprints};
use crate::model::Project;
use crate::output::path_str;

const VERSION: u32 = 1;

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

/// The findings as a baseline's text, and how many it records.
///
/// # Errors
/// When the findings cannot be serialized (never in practice).
pub fn render(project: &Project, diagnostics: &[Diagnostic]) -> Result<(String, usize), String> {
    let fps = fingerprints(project, diagnostics);
    let mut findings: Vec<Entry> = diagnostics
        .iter()
        .zip(fps)
        .map(|(d, fingerprint)| Entry {
            fingerprint,
            code: d.code.to_string(),
            file: path_str(&d.file),
            message: d.message.clone(),
        })
        .collect();
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

/// Drop the findings a baseline records; returns how many were dropped.
///
/// # Errors
/// When the file cannot be read or is not a baseline.
pub fn apply(
    path: &Path,
    project: &Project,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<usize, String> {
    // A regular file of bounded size only: a FIFO would block the run, `/dev/zero` fill memory.
    let text = match crate::discover::read_limited(path, MAX_BASELINE_SIZE) {
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
    if baseline.version != VERSION {
        return Err(format!(
            "{}: baseline version {} is not supported (expected {VERSION})",
            path.display(),
            baseline.version
        ));
    }
    let known: HashSet<&str> = baseline
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let fps = fingerprints(project, diagnostics);
    let before = diagnostics.len();
    let mut keep = fps.iter().map(|fp| !known.contains(fp.as_str()));
    diagnostics.retain(|_| keep.next().unwrap_or(true));
    Ok(before - diagnostics.len())
}

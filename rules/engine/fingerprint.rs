//! Fingerprints that identify a finding across runs: the rule, the file, the message and the
//! text of the offending line, not its position, so inserting lines above a finding does not
//! make it new (baselines, SARIF `partialFingerprints`, GitLab Code Quality).

use std::collections::HashMap;

use crate::engine::Diagnostic;
use crate::model::Project;

/// FNV-1a, 64 bits: stable across platforms and releases (unlike `std`'s hasher).
pub fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// One fingerprint per diagnostic, in order: 16 hex digits. Identical findings in one file
/// (same rule, message and line text) are told apart by their order.
#[must_use]
pub fn fingerprints(project: &Project, diagnostics: &[Diagnostic]) -> Vec<String> {
    fingerprints_with(project, diagnostics, v1)
}

/// [`fingerprints`] of the findings of `file`, `text` being its text (a report read a file at
/// a time): the same as over the whole project, as a fingerprint hashes its file's path.
#[must_use]
pub fn file_fingerprints(
    file: &std::path::Path,
    text: Option<&str>,
    diagnostics: &[Diagnostic],
) -> Vec<String> {
    fingerprints_by(|path| text.filter(|_| path == file), diagnostics, v1)
}

fn v1(d: &Diagnostic, line: &str) -> u64 {
    let path = d.file.to_string_lossy().replace('\\', "/");
    fnv1a(&[d.code.as_str(), &path, &d.message, line.trim()])
}

/// One fingerprint per diagnostic, in order: `hash` of the finding and the text of the line it
/// starts on; identical findings in one file are told apart by their order (the second gets
/// the hash of the first and its number).
pub fn fingerprints_with(
    project: &Project,
    diagnostics: &[Diagnostic],
    hash: impl Fn(&Diagnostic, &str) -> u64,
) -> Vec<String> {
    let texts: HashMap<&std::path::Path, &str> = project
        .files
        .iter()
        .map(|f| (f.source.path.as_path(), f.source.text.as_str()))
        .collect();
    fingerprints_by(|path| texts.get(path).copied(), diagnostics, hash)
}

/// [`fingerprints_with`], the texts of files given by `text_of`.
pub fn fingerprints_by<'t>(
    text_of: impl Fn(&std::path::Path) -> Option<&'t str>,
    diagnostics: &[Diagnostic],
    hash: impl Fn(&Diagnostic, &str) -> u64,
) -> Vec<String> {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let line = text_of(d.file.as_path())
                .and_then(|text| line_text(text, d.span.start()))
                .unwrap_or("");
            let base = hash(d, line);
            let n = seen.entry(base).or_insert(0);
            *n += 1;
            let hash = if *n == 1 {
                base
            } else {
                fnv1a(&[&format!("{base:016x}"), &n.to_string()])
            };
            format!("{hash:016x}")
        })
        .collect()
}

/// The whole line holding `offset`.
fn line_text(text: &str, offset: usize) -> Option<&str> {
    let offset = offset.min(text.len());
    let start = text.get(..offset)?.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let end = text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i);
    text.get(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FileModel, SourceFile};

    fn diag(file: &FileModel, offset: usize) -> Diagnostic {
        Diagnostic {
            code: crate::engine::Code::ContainerRuntimeSocket,
            severity: crate::engine::Severity::Error,
            message: "service ci mounts the runtime socket".into(),
            help: None,
            file: file.source.path.clone().into(),
            span: file.source.span(offset..offset + 4),
            location: file.source.location(file.source.span(offset..offset + 4)),
            related: Vec::new(),
            subject: None,
        }
    }

    #[test]
    fn lines_inserted_above_do_not_change_the_fingerprint() {
        let before = "services:\n  ci:\n    volumes: [/var/run/docker.sock:/x]\n";
        let after = "# a comment\nservices:\n\n  ci:\n    volumes: [/var/run/docker.sock:/x]\n";
        let f1 = FileModel::new(SourceFile::new("c.yaml", before.into()), None);
        let f2 = FileModel::new(SourceFile::new("c.yaml", after.into()), None);
        let d1 = diag(&f1, before.find("/var").unwrap());
        let d2 = diag(&f2, after.find("/var").unwrap());
        let p1 = Project::new(vec![f1]);
        let p2 = Project::new(vec![f2]);
        assert_eq!(fingerprints(&p1, &[d1]), fingerprints(&p2, &[d2]));
    }

    #[test]
    fn identical_findings_get_distinct_fingerprints() {
        let text = "a: [/var/run/docker.sock:/x]\nb: [/var/run/docker.sock:/x]\n";
        let f = FileModel::new(SourceFile::new("c.yaml", text.into()), None);
        let ds = [diag(&f, 4), diag(&f, 33)];
        let p = Project::new(vec![f]);
        let fps = fingerprints(&p, &ds);
        assert_ne!(fps[0], fps[1]);
        assert_eq!(fps[0].len(), 16);
    }
}

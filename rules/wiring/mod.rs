//! SL5xx: volume wiring and sharing — undefined, unused, shared and duplicated volumes, and
//! mount options that do not do what they say.

pub mod duplicate_mount_target;
pub mod shared_writable_volume;
pub mod undefined_volume;
pub mod unknown_mount_option;
pub mod unused_volume;
pub mod volumes_from;

use crate::model::{FileModel, Mount, MountKind, MountSource, Project, Spanned};

/// Other compose files of the run in the same folder: `compose.override.yaml` and the
/// `-f compose.yaml -f compose.prod.yaml` family are merged into one project, so a volume one
/// of them mounts may be declared by another.
pub(crate) fn compose_siblings<'a>(
    project: &'a Project,
    file: &'a FileModel,
) -> impl Iterator<Item = &'a FileModel> + 'a {
    let dir = file
        .source
        .path
        .parent()
        .unwrap_or(std::path::Path::new(""));
    project
        .compose_files_in(dir)
        .filter(move |f| !std::ptr::eq(*f, file))
}

/// The named volume a compose mount refers to (declared or not), when it names one.
fn volume_name(m: &Mount) -> Option<&str> {
    if let Some(v) = &m.volume {
        return Some(&v.value);
    }
    match (&m.kind, &m.source) {
        (MountKind::Volume, MountSource::Volume(name)) => Some(name),
        _ => None,
    }
}

/// A compose mount whose source stays unknown (`${VAR}` without a value): it could name any
/// volume.
fn unresolved_source(m: &Mount) -> bool {
    match (&m.kind, &m.source) {
        (MountKind::Unresolved, _) => true,
        (MountKind::Volume, MountSource::Volume(name)) => crate::model::is_unknown(name),
        _ => false,
    }
}

/// The candidate a misspelled `name` most likely meant: same name up to case and `-`/`_`, or
/// at most two edits away (names of four characters or more).
fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a Spanned<String>>,
) -> Option<&'a Spanned<String>> {
    let fold = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    let wanted = fold(name);
    candidates
        .into_iter()
        .filter(|c| c.value != name)
        .map(|c| {
            let folded = fold(&c.value);
            let distance = if folded == wanted {
                0
            } else {
                edit_distance(&folded, &wanted)
            };
            (distance, c)
        })
        .filter(|(d, c)| *d == 0 || (*d <= 2 && name.len() >= 4 && c.value.len() >= 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Span;

    fn named(names: &[&str]) -> Vec<Spanned<String>> {
        names
            .iter()
            .map(|n| Spanned::new((*n).to_string(), Span::new(0, 0)))
            .collect()
    }

    #[test]
    fn suggests_near_misses_only() {
        let decls = named(&["db_data", "uploads", "cache"]);
        let pick = |n: &str| did_you_mean(n, &decls).map(|c| c.value.clone());
        assert_eq!(pick("db-data").as_deref(), Some("db_data"));
        assert_eq!(pick("upload").as_deref(), Some("uploads"));
        assert_eq!(pick("pgdata"), None);
        assert_eq!(pick("cch"), None, "too short to guess");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}

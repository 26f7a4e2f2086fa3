//! Suppressions that say why (hadolint, biome) and report themselves when unused (ruff's
//! RUF100, our SL002):
//!
//! - `# stowlint: ignore SL101,SL103 -- reason` at the end of the offending line, or alone on
//!   the line above it;
//! - `# stowlint: ignore-file SL201 -- reason` anywhere in a file;
//! - the Kubernetes annotation `stowlint.io/ignore: "SL401,SL403"` on an object.
//!
//! Rules are named by code or by name. A suppression that silences nothing, or names an
//! unknown rule, is SL002.

use std::collections::HashMap;

use crate::engine::{Code, Diagnostic, RuleMeta};
use crate::model::{FileModel, Span};

const MARKER: &str = "stowlint:";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// Findings starting on this 1-based line.
    Line(usize),
    /// Findings anywhere in the file.
    File,
    /// Findings inside this span (a Kubernetes object).
    Within(Span),
}

/// One rule named by one suppression.
#[derive(Debug)]
struct Entry {
    /// As written.
    name: String,
    span: Span,
    /// The code it resolves to; `None` for an unknown rule.
    code: Option<Code>,
    scope: Scope,
    used: bool,
    /// Written with `-- reason` (annotations count as having one).
    reasoned: bool,
}

/// Drop the findings suppressed in `file`; return SL002 findings for suppressions that
/// silenced nothing (when `unused` is the SL002 metadata, i.e. SL002 is selected). A
/// suppression of a rule that is not `enabled` in the file cannot be judged: it is never
/// reported.
pub fn apply(
    file: &FileModel,
    diagnostics: &mut Vec<Diagnostic>,
    unused: Option<&'static RuleMeta>,
    enabled: &dyn Fn(Code) -> bool,
    require_reason: bool,
) -> Vec<Diagnostic> {
    let mut entries = comment_entries(file);
    for s in &file.object_suppressions {
        entries.extend(names(
            &s.codes.value,
            s.codes.span,
            file,
            Scope::Within(s.scope),
            true,
        ));
    }
    if entries.is_empty() {
        return Vec::new();
    }
    // Indexed once, so each finding looks up only the suppressions that can hold it: a file
    // with 40,000 suppression comments and as many findings stays linear.
    let mut by_line: HashMap<(Code, usize), Vec<usize>> = HashMap::new();
    let mut by_file: HashMap<Code, Vec<usize>> = HashMap::new();
    let mut within: HashMap<Code, Vec<(usize, usize, usize)>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let Some(code) = e.code else { continue };
        match e.scope {
            Scope::Line(line) => by_line.entry((code, line)).or_default().push(i),
            Scope::File => by_file.entry(code).or_default().push(i),
            Scope::Within(scope) => {
                within
                    .entry(code)
                    .or_default()
                    .push((scope.start(), scope.end(), i));
            }
        }
    }
    for objects in within.values_mut() {
        objects.sort_unstable();
    }
    let mut hits: Vec<usize> = Vec::new();
    diagnostics.retain(|d| {
        if d.file != file.source.path {
            return true;
        }
        hits.clear();
        if let Some(found) = by_line.get(&(d.code, file.source.pos(d.span.start()).line)) {
            hits.extend(found);
        }
        if let Some(found) = by_file.get(&d.code) {
            hits.extend(found);
        }
        if let Some(objects) = within.get(&d.code) {
            // Objects (documents, `List` items) do not overlap: only those starting at the
            // last start at or before the finding's can hold it.
            let (start, end) = (d.span.start(), d.span.end());
            let after = objects.partition_point(|&(s, _, _)| s <= start);
            if let Some(&(last, _, _)) = after.checked_sub(1).map(|i| &objects[i]) {
                hits.extend(
                    objects[..after]
                        .iter()
                        .rev()
                        .take_while(|&&(s, _, _)| s == last)
                        .filter(|&&(_, e, _)| end <= e)
                        .map(|&(_, _, i)| i),
                );
            }
        }
        for &i in &hits {
            entries[i].used = true;
        }
        hits.is_empty()
    });
    let Some(meta) = unused else {
        return Vec::new();
    };
    let mut out: Vec<Diagnostic> = entries
        .iter()
        .filter(|e| {
            e.code != Some(meta.id)
                && e.code.is_none_or(enabled)
                && (!e.used || (require_reason && !e.reasoned))
        })
        .map(|e| {
            let message = match e.code {
                None if e.name.is_empty() => "suppression names no rule".to_string(),
                None => format!("suppression names unknown rule `{}`", e.name),
                Some(code) if e.used => format!("suppression of {code} gives no reason"),
                Some(code) => format!("suppression of {code} silences nothing here"),
            };
            let help = match e.code {
                None => "name the rules it silences, by code or name (`stowlint rules` lists them)",
                Some(_) if e.used => "say why after `--`: `# stowlint: ignore SL102 -- reason`",
                Some(_) => "remove it: the finding it was written for is gone",
            };
            Diagnostic {
                code: meta.id,
                severity: meta.severity,
                message,
                help: Some(help.into()),
                file: file.source.path.as_path().into(),
                span: e.span,
                location: crate::model::Location::default(),
                related: Vec::new(),
                subject: None,
            }
        })
        .collect();
    // SL002 itself can be silenced like any rule; such a suppression never reports itself.
    // Looked up through the index built above, so many SL002 findings stay linear.
    out.retain(|d| {
        let line = by_line.contains_key(&(meta.id, file.source.pos(d.span.start()).line));
        let whole = by_file.contains_key(&meta.id);
        let object = within.get(&meta.id).is_some_and(|objects| {
            let (start, end) = (d.span.start(), d.span.end());
            let after = objects.partition_point(|&(s, _, _)| s <= start);
            objects[..after]
                .iter()
                .rev()
                .take_while(|&&(s, _, _)| Some(s) == after.checked_sub(1).map(|i| objects[i].0))
                .any(|&(_, e, _)| end <= e)
        });
        !(line || whole || object)
    });
    out
}

/// Suppression comments in the file's text.
fn comment_entries(file: &FileModel) -> Vec<Entry> {
    let text = &file.source.text;
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut offset = 0;
    let marker = comment_marker(file);
    let lines: Vec<&str> = crate::model::lines_inclusive(text).collect();
    // For each line, the first line at or after it that is not blank or a comment (0-based;
    // `lines.len()` when none): found in one pass from the end, so a run of comment lines
    // does not scan ahead once per comment.
    let mut next_code = vec![lines.len(); lines.len() + 1];
    for i in (0..lines.len()).rev() {
        let t = lines[i].trim_start();
        next_code[i] = if !t.is_empty() && !t.starts_with(marker) {
            i
        } else {
            next_code[i + 1]
        };
    }
    for (i, line) in lines.iter().enumerate() {
        let start = offset;
        offset += line.len();
        let Some(hash) = comment_start(line, marker) else {
            continue;
        };
        let comment = &line[hash + marker.len()..];
        let Some(rest) = comment.trim_start().strip_prefix(MARKER) else {
            continue;
        };
        let rest_at = start
            + hash
            + marker.len()
            + (comment.len() - comment.trim_start().len())
            + MARKER.len();
        let trimmed = rest.trim_start();
        let at = rest_at + (rest.len() - trimmed.len());
        let (file_wide, list, list_at) = if let Some(r) = trimmed.strip_prefix("ignore-file") {
            (true, r, at + "ignore-file".len())
        } else if let Some(r) = trimmed.strip_prefix("ignore") {
            (false, r, at + "ignore".len())
        } else {
            continue;
        };
        let scope = if file_wide {
            Scope::File
        } else if line[..hash].trim().is_empty() {
            // Alone on its line: it speaks of the next line that is not a comment.
            let next = next_code[i + 1];
            Scope::Line(if next == lines.len() { i + 2 } else { next + 1 })
        } else {
            Scope::Line(i + 1)
        };
        let (list, reason) = list.split_once("--").unwrap_or((list, ""));
        let reasoned = !reason.trim().is_empty();
        let list = list.trim_end_matches(['\n', '\r']);
        let span = file.source.span(list_at..list_at + list.len());
        let named = names(list, span, file, scope, reasoned);
        if named.is_empty() {
            out.push(Entry {
                name: String::new(),
                span: file
                    .source
                    .span(start + hash..start + line.trim_end().len()),
                code: None,
                scope,
                used: false,
                reasoned,
            });
        }
        out.extend(named);
    }
    out
}

/// What starts a comment in the file: `//` in JSON with comments (`devcontainer.json`), `#`
/// everywhere else.
#[must_use]
pub(crate) fn comment_marker(file: &FileModel) -> &'static str {
    if file.format == Some(crate::model::Format::Devcontainer) {
        "//"
    } else {
        "#"
    }
}

/// Where a comment starts in a line: at the start, or after whitespace (a `#` inside a value
/// such as `image: app#1` is not a comment).
fn comment_start(line: &str, marker: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    line.match_indices(marker)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || bytes[i - 1].is_ascii_whitespace())
}

/// The rules a list names (`SL101, sensitive-host-path SL103`), each with its own span. `span`
/// is the list's span when it is written in the file as is (comments), or the annotation
/// value's span.
fn names(list: &str, span: Span, file: &FileModel, scope: Scope, reasoned: bool) -> Vec<Entry> {
    // Offsets inside the list map back to the file when it is written as is, or quoted
    // without escapes (an annotation value).
    let written = span.text(&file.source.text);
    let base = if written == list {
        Some(span.start())
    } else if written.len() == list.len() + 2 && written.get(1..=list.len()) == Some(list) {
        Some(span.start() + 1)
    } else {
        None
    };
    let mut out = Vec::new();
    let mut pos = 0;
    for token in list.split(|c: char| c == ',' || c.is_whitespace()) {
        let at = pos;
        pos += token.len() + 1;
        if token.is_empty() {
            continue;
        }
        let token_span = base.map_or(span, |b| file.source.span(b + at..b + at + token.len()));
        let code = Code::find(token);
        out.push(Entry {
            name: token.to_string(),
            span: token_span,
            code,
            scope,
            used: false,
            reasoned,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_start_after_whitespace_only() {
        assert_eq!(comment_start("a: b  # c", "#"), Some(6));
        assert_eq!(comment_start("# c", "#"), Some(0));
        assert_eq!(comment_start("image: app#1", "#"), None);
    }

    #[test]
    fn a_comment_alone_speaks_of_the_next_line_that_is_not_a_comment() {
        let text = "a:\n  # stowlint: ignore SL103 -- why\n  # another comment\n\n  b: 1\n";
        let file = FileModel::new(crate::model::SourceFile::new("x.yaml", text.into()), None);
        let entries = comment_entries(&file);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].scope, Scope::Line(5));
        assert_eq!(entries[0].code, Some(Code::WritableBindMount));
        assert_eq!(entries[0].span.text(text), "SL103");
    }
}

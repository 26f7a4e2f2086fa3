//! Code actions (suppressions and quick fixes) and hover, computed from a document's analysis.
//! Edits are byte ranges of the document's text; the server turns them into protocol edits.

use std::ops::Range;

use crate::engine::{Code, Diagnostic};
use crate::model::{FileModel, Format, Mount, MountSyntax, SourceFile};

/// One replacement in the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// A code action before conversion.
#[derive(Clone, Debug)]
pub struct Action {
    pub title: String,
    pub edits: Vec<Edit>,
    /// A fix of the problem, not a suppression: the editor may apply it on its own.
    pub preferred: bool,
}

/// Rules whose findings a read-only mount resolves.
const READ_ONLY_FIXES: &[Code] = &[Code::SensitiveHostPath, Code::WritableBindMount];

/// The actions for one finding: a quick fix where one is obvious, then the two suppressions.
#[must_use]
pub fn actions(file: &FileModel, d: &Diagnostic) -> Vec<Action> {
    let mut out = Vec::new();
    if READ_ONLY_FIXES.contains(&d.code)
        && let Some(fix) = read_only_fix(file, d)
    {
        out.push(fix);
    }
    if d.code == Code::ParseError {
        return out;
    }
    let source = &file.source;
    let style = Comments::of(file.format);
    out.push(Action {
        title: format!("Ignore {} on this line", d.code),
        edits: vec![ignore_line(
            source,
            d.location.start.line,
            d.code.as_str(),
            style,
        )],
        preferred: false,
    });
    out.push(Action {
        title: format!("Ignore {} in this file", d.code),
        edits: vec![ignore_file(source, d.code.as_str(), style)],
        preferred: false,
    });
    out
}

/// How suppression comments are written in a format.
#[derive(Clone, Copy, Debug)]
struct Comments {
    /// What starts a comment: `#`, or `//` in JSON with comments.
    marker: &'static str,
    /// Comments take whole lines (Dockerfiles, systemd units, where a `#` after a value is
    /// part of the value).
    whole_line: bool,
    /// Parser directives must stay first (Dockerfiles).
    directives: bool,
}

impl Comments {
    fn of(format: Option<Format>) -> Self {
        match format {
            Some(Format::Dockerfile) => Self {
                marker: "#",
                whole_line: true,
                directives: true,
            },
            Some(Format::Quadlet) => Self {
                marker: "#",
                whole_line: true,
                directives: false,
            },
            Some(Format::Devcontainer) => Self {
                marker: "//",
                whole_line: false,
                directives: false,
            },
            _ => Self {
                marker: "#",
                whole_line: false,
                directives: false,
            },
        }
    }
}

/// Bounds of 1-based `line` (without its line break).
fn line_bounds(source: &SourceFile, line: usize) -> Range<usize> {
    let start = source.index.line_start(line);
    let rest = &source.text[start..];
    let len = rest.find('\n').unwrap_or(rest.len());
    let len = if rest[..len].ends_with('\r') {
        len - 1
    } else {
        len
    };
    start..start + len
}

fn line_break(source: &SourceFile) -> &'static str {
    if source.text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// Where a `#` comment starts in a line (at the start or after whitespace), as the
/// suppression reader decides.
fn comment_start(line: &str, marker: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    line.match_indices(marker)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || bytes[i - 1].is_ascii_whitespace())
}

/// In a line holding `# stowlint: <keyword> LIST [-- reason]`, the byte offset right after the
/// list, where another rule can be added.
fn list_end(line: &str, keyword: &str, marker: &str) -> Option<usize> {
    let hash = comment_start(line, marker)?;
    let after = &line[hash + marker.len()..];
    let rest = after.trim_start().strip_prefix("stowlint:")?;
    let rest = rest.trim_start();
    let list = rest.strip_prefix(keyword)?;
    if !list.starts_with(char::is_whitespace) {
        return None;
    }
    let list_at = line.len() - list.len();
    let list = list.split_once("--").map_or(list, |(l, _)| l);
    Some(list_at + list.trim_end().len())
}

/// `# stowlint: ignore CODE -- reason` for 1-based `line`: added to a suppression already
/// there, else at the end of the line (YAML, when it has no comment yet), else alone on the
/// line above with the line's indentation (Dockerfiles, where comments take whole lines).
fn ignore_line(source: &SourceFile, line: usize, code: &str, style: Comments) -> Edit {
    let bounds = line_bounds(source, line);
    let text = &source.text[bounds.clone()];
    let m = style.marker;
    let comment = format!("{m} stowlint: ignore {code} -- reason");
    if !style.whole_line {
        if let Some(end) = list_end(text, "ignore", m) {
            let at = bounds.start + end;
            return Edit {
                range: at..at,
                text: format!(", {code}"),
            };
        }
        if comment_start(text, m).is_none() {
            return Edit {
                range: bounds.end..bounds.end,
                text: format!("  {comment}"),
            };
        }
    }
    if line > 1 {
        let above = line_bounds(source, line - 1);
        let above_text = &source.text[above.clone()];
        if above_text.trim_start().starts_with(m)
            && let Some(end) = list_end(above_text, "ignore", m)
        {
            let at = above.start + end;
            return Edit {
                range: at..at,
                text: format!(", {code}"),
            };
        }
    }
    let indent: String = text
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    Edit {
        range: bounds.start..bounds.start,
        text: format!("{indent}{comment}{}", line_break(source)),
    }
}

/// `# stowlint: ignore-file CODE -- reason`: added to such a comment already there, else at
/// the top of the file (after a Dockerfile's parser directives, which must come first).
fn ignore_file(source: &SourceFile, code: &str, style: Comments) -> Edit {
    let mut offset = 0;
    let m = style.marker;
    for line in source.text.split_inclusive('\n') {
        if let Some(end) = list_end(line.trim_end_matches(['\n', '\r']), "ignore-file", m)
            && line.trim_start().starts_with(m)
        {
            let at = offset + end;
            return Edit {
                range: at..at,
                text: format!(", {code}"),
            };
        }
        offset += line.len();
    }
    let mut at = 0;
    if style.directives {
        for line in source.text.split_inclusive('\n') {
            if !is_parser_directive(line) {
                break;
            }
            at += line.len();
        }
    }
    Edit {
        range: at..at,
        text: format!(
            "{m} stowlint: ignore-file {code} -- reason{}",
            line_break(source)
        ),
    }
}

/// `# syntax=...`, `# escape=...`, `# check=...`: a Dockerfile parser directive.
fn is_parser_directive(line: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix('#') else {
        return false;
    };
    let Some((key, _)) = rest.split_once('=') else {
        return false;
    };
    let key = key.trim();
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphabetic())
}

/// The mount a finding is about, by its entry's byte range.
fn subject_mount<'a>(file: &'a FileModel, d: &Diagnostic) -> Option<&'a Mount> {
    let subject = d.subject?;
    file.workloads
        .iter()
        .flat_map(|w| w.mounts())
        .map(|(_, m)| m)
        .find(|m| (m.span.start(), m.span.end()) == subject)
}

/// Make the finding's mount read-only, in the syntax it is written in.
fn read_only_fix(file: &FileModel, d: &Diagnostic) -> Option<Action> {
    let m = subject_mount(file, d)?;
    if m.read_only || !m.is_host_bind() {
        return None;
    }
    let source = &file.source;
    let (edit, what) = match m.syntax {
        MountSyntax::ComposeShort => (short_read_only(source, m)?, "`:ro`"),
        MountSyntax::VolumeMount => (
            mapping_key_true(source, m.span, "readOnly")?,
            "`readOnly: true`",
        ),
        MountSyntax::ComposeLong => (
            mapping_key_true(source, m.span, "read_only")?,
            "`read_only: true`",
        ),
        _ => return None,
    };
    Some(Action {
        title: format!("Mount read-only ({what})"),
        edits: vec![edit],
        preferred: true,
    })
}

/// `src:dst` → `src:dst:ro`, `src:dst:z` → `src:dst:z,ro`, `src:dst:rw` → `src:dst:ro`; inside
/// the quotes of a quoted scalar.
fn short_read_only(source: &SourceFile, m: &Mount) -> Option<Edit> {
    let written = m.span.text(&source.text);
    // The target's span is the whole entry when it could not be lined up with the text
    // (interpolation changed its length): no edit can be placed safely then.
    if m.target_span == m.span || m.target_span.end() > m.span.end() {
        return None;
    }
    let quoted = written.len() >= 2
        && (written.starts_with('"') && written.ends_with('"')
            || written.starts_with('\'') && written.ends_with('\''));
    let inner_end = m.span.end() - usize::from(quoted);
    let after_target = m.target_span.end();
    let mode = source.text.get(after_target..inner_end)?;
    if mode.is_empty() {
        return Some(Edit {
            range: after_target..after_target,
            text: ":ro".into(),
        });
    }
    let options = mode.strip_prefix(':')?;
    let mut at = after_target + 1;
    for opt in options.split(',') {
        if opt == "rw" {
            return Some(Edit {
                range: at..at + 2,
                text: "ro".into(),
            });
        }
        at += opt.len() + 1;
    }
    Some(Edit {
        range: inner_end..inner_end,
        text: ",ro".into(),
    })
}

/// Set `key: true` in the mapping at `span`: replace the value of the key when written, add
/// it before the `}` of a flow mapping, or on a line of its own after the block mapping's
/// last line, at the indentation of its keys.
fn mapping_key_true(source: &SourceFile, span: crate::model::Span, key: &str) -> Option<Edit> {
    let text = span.text(&source.text);
    let start = span.start();
    if text.starts_with('{') {
        if let Some(edit) = replace_value(text, start, key, true) {
            return Some(edit);
        }
        let close = text.rfind('}')?;
        let before = text[..close].trim_end();
        let at = start + before.len();
        let sep = if before.ends_with('{') { "" } else { ", " };
        return Some(Edit {
            range: at..at,
            text: format!("{sep}{key}: true"),
        });
    }
    if let Some(edit) = replace_value(text, start, key, false) {
        return Some(edit);
    }
    // Block mapping: its span starts at its first key, whose column is the keys' indentation.
    let at = source.location(span);
    let key_line_start = source.index.line_start(at.start.line);
    let indent_text = source.text.get(key_line_start..start)?;
    let indent: String = indent_text
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let last = line_bounds(source, at.end.line);
    // A span ending at the start of a line ends on the line before.
    let last = if span.end() == last.start && at.end.line > at.start.line {
        line_bounds(source, at.end.line - 1)
    } else {
        last
    };
    Some(Edit {
        range: last.end..last.end,
        text: format!("{}{indent}{key}: true", line_break(source)),
    })
}

/// Replace the value of `key:` written in the mapping text with `true`.
fn replace_value(text: &str, base: usize, key: &str, flow: bool) -> Option<Edit> {
    let needle = format!("{key}:");
    let mut from = 0;
    while let Some(i) = text[from..].find(&needle) {
        let at = from + i;
        from = at + needle.len();
        // A key, not the end of another word (`xreadOnly:`).
        let prev = text[..at].chars().next_back();
        if prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-') {
            continue;
        }
        let rest = &text[from..];
        let value_start = from + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
        let value_len = text[value_start..]
            .find(|c: char| c == '\n' || c == '\r' || c == '#' || (flow && (c == ',' || c == '}')))
            .unwrap_or(text.len() - value_start);
        let value = text[value_start..value_start + value_len].trim_end();
        return Some(Edit {
            range: base + value_start..base + value_start + value.len(),
            text: "true".into(),
        });
    }
    None
}

/// The word (letters, digits, `-`) at a byte offset.
fn word_at(text: &str, offset: usize) -> Option<&str> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let offset = offset.min(text.len());
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = offset
        + text[offset..]
            .find(|c: char| !is_word(c))
            .unwrap_or(text.len() - offset);
    (start < end).then(|| &text[start..end])
}

/// Markdown docs for the rules at `offset`: the findings whose range holds it, or the rule a
/// suppression comment (or `stowlint.io/ignore` annotation) names there.
#[must_use]
pub fn hover(
    source: &SourceFile,
    diagnostics: &[Diagnostic],
    offset: usize,
) -> Option<(String, Range<usize>)> {
    let mut codes: Vec<Code> = Vec::new();
    let mut range: Option<Range<usize>> = None;
    for d in diagnostics {
        if d.span.start() <= offset && offset <= d.span.end() && !codes.contains(&d.code) {
            codes.push(d.code);
            range.get_or_insert(d.span.start()..d.span.end());
        }
    }
    if codes.is_empty() {
        let line = source.pos(offset).line;
        let bounds = line_bounds(source, line);
        let line_text = &source.text[bounds.clone()];
        if line_text.contains("stowlint") {
            let word = word_at(line_text, offset.saturating_sub(bounds.start))?;
            codes.push(Code::find(word)?);
            let start = bounds.start + line_text.find(word).unwrap_or(0);
            range = Some(start..start + word.len());
        }
    }
    let docs: Vec<String> = codes
        .iter()
        .map(|c| {
            let m = c.meta();
            format!(
                "**{}** `{}` ({})\n\n{}\n\n[{}]({})",
                m.code,
                m.name,
                m.severity,
                m.docs(),
                m.code,
                crate::output::docs::rule_url(m.code)
            )
        })
        .collect();
    if docs.is_empty() {
        return None;
    }
    Some((docs.join("\n\n---\n\n"), range.unwrap_or(offset..offset)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edit: &Edit) -> String {
        let mut out = text.to_string();
        out.replace_range(edit.range.clone(), &edit.text);
        out
    }

    #[test]
    fn suppression_lists_grow() {
        assert_eq!(
            list_end("  # stowlint: ignore SL101 -- why", "ignore", "#"),
            Some(26)
        );
        assert_eq!(
            list_end("x: 1  # stowlint: ignore SL101", "ignore", "#"),
            Some(30)
        );
        assert_eq!(
            list_end("# stowlint: ignore-file SL101", "ignore", "#"),
            None
        );
        assert_eq!(
            list_end("# stowlint: ignore-file SL1 -- x", "ignore-file", "#"),
            Some(27)
        );
    }

    #[test]
    fn ignore_line_placement() {
        let source = SourceFile::new("c.yaml", "a:\n  - /x:/y  # note\n  - /z:/w\n".into());
        let e = ignore_line(&source, 3, "SL103", Comments::of(None));
        assert_eq!(
            apply(&source.text, &e),
            "a:\n  - /x:/y  # note\n  - /z:/w  # stowlint: ignore SL103 -- reason\n"
        );
        let e = ignore_line(&source, 2, "SL103", Comments::of(None));
        assert_eq!(
            apply(&source.text, &e),
            "a:\n  # stowlint: ignore SL103 -- reason\n  - /x:/y  # note\n  - /z:/w\n"
        );
        let df = SourceFile::new(
            "Dockerfile",
            "# syntax=docker/dockerfile:1\nFROM a\n".into(),
        );
        assert_eq!(
            apply(
                &df.text,
                &ignore_file(&df, "SL204", Comments::of(Some(Format::Dockerfile)))
            ),
            "# syntax=docker/dockerfile:1\n# stowlint: ignore-file SL204 -- reason\nFROM a\n"
        );
        // A Quadlet unit: a `#` after a value is part of the value, so the comment goes above.
        let unit = SourceFile::new("a.container", "[Container]\nVolume=/etc:/etc\n".into());
        let style = Comments::of(Some(Format::Quadlet));
        assert_eq!(
            apply(&unit.text, &ignore_line(&unit, 2, "SL101", style)),
            "[Container]\n# stowlint: ignore SL101 -- reason\nVolume=/etc:/etc\n"
        );
        let json = SourceFile::new("devcontainer.json", "{\n  \"mounts\": []\n}\n".into());
        let style = Comments::of(Some(Format::Devcontainer));
        assert_eq!(
            apply(&json.text, &ignore_line(&json, 2, "SL102", style)),
            "{\n  \"mounts\": []  // stowlint: ignore SL102 -- reason\n}\n"
        );
    }

    #[test]
    fn mapping_edits() {
        let text = "- name: a\n  mountPath: /a\n- {name: b, mountPath: /b}\n";
        let source = SourceFile::new("k.yaml", text.into());
        let block = source.span(2..text.find("\n-").unwrap_or(0));
        let e = mapping_key_true(&source, block, "readOnly").unwrap_or_else(|| panic!("edit"));
        assert_eq!(
            apply(text, &e),
            "- name: a\n  mountPath: /a\n  readOnly: true\n- {name: b, mountPath: /b}\n"
        );
        let open = text.find('{').unwrap_or(0);
        let flow = source.span(open..text.rfind('}').unwrap_or(0) + 1);
        let e = mapping_key_true(&source, flow, "readOnly").unwrap_or_else(|| panic!("edit"));
        assert!(apply(text, &e).ends_with("{name: b, mountPath: /b, readOnly: true}\n"));
        let written = "{name: b, readOnly: false}";
        let source = SourceFile::new("k.yaml", written.into());
        let e = mapping_key_true(&source, source.span(0..written.len()), "readOnly")
            .unwrap_or_else(|| panic!("edit"));
        assert_eq!(apply(written, &e), "{name: b, readOnly: true}");
    }
}

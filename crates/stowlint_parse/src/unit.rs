//! systemd unit files (`[Section]`, `Key=Value`), as Podman's Quadlet generator reads them,
//! with the span of every key and value.
//!
//! Lines are trimmed; `#` and `;` start comment lines (only at the start: systemd has no
//! trailing comments); a line ending in `\` continues on the next one, comment lines in
//! between skipped, the pieces joined as Quadlet joins them (without the backslash, each
//! piece trimmed). Keys repeat; an empty value clears the values before it (systemd's list
//! semantics). A value wholly in double quotes is read without them. `%` specifiers are left
//! as written: what they stand for is the host's business.

use std::ops::Range;

use crate::model::{ParseError, SourceFile, Span, Spanned};

/// A unit file, section by section.
#[derive(Debug, Default)]
pub struct Unit {
    pub sections: Vec<Section>,
    pub errors: Vec<ParseError>,
}

#[derive(Debug)]
pub struct Section {
    /// The name between the brackets.
    pub name: Spanned<String>,
    pub entries: Vec<Entry>,
}

/// One `Key=Value` line (with its continuation lines).
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: Spanned<String>,
    /// The value, continuation lines joined, surrounding quotes removed.
    pub value: String,
    /// Where the value is written (all its lines); empty after `=` when the value is.
    pub span: Span,
    /// Pieces of `value` written as is: (start in `value`, start in the file, length).
    pieces: Vec<(usize, usize, usize)>,
}

impl Entry {
    /// The file span of a byte range of the value: exact when the range lies in one written
    /// piece, else the whole value's span.
    #[must_use]
    pub fn sub_span(&self, source: &SourceFile, range: Range<usize>) -> Span {
        for &(at, file, len) in &self.pieces {
            if range.start >= at && range.end <= at + len {
                return source.span(file + range.start - at..file + range.end - at);
            }
        }
        self.span
    }
}

impl Unit {
    /// The section named `name`, when the file has one (the first).
    #[must_use]
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name.value == name)
    }
}

impl Section {
    /// The last value of `key` (systemd: the last assignment wins).
    #[must_use]
    pub fn last(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key.value == key)
    }

    /// Every value of a list `key`, an empty assignment clearing those before it.
    #[must_use]
    pub fn all(&self, key: &str) -> Vec<&Entry> {
        let mut out = Vec::new();
        for e in self.entries.iter().filter(|e| e.key.value == key) {
            if e.value.is_empty() {
                out.clear();
            } else {
                out.push(e);
            }
        }
        out
    }
}

/// Whether `text` holds the section header `[name]` on a line of its own: a unit file of
/// that kind, not some other file with the same extension.
#[must_use]
pub fn has_section(text: &str, name: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l.strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .is_some_and(|n| n == name)
    })
}

/// Read a unit file.
#[must_use]
pub fn parse(source: &SourceFile) -> Unit {
    let text = source.text.as_str();
    let mut unit = Unit::default();
    // (start, end) of every line without its line break.
    let mut lines = Vec::new();
    let mut start = 0;
    for end in crate::model::line_breaks(text).chain(std::iter::once(text.len())) {
        if end < start {
            continue;
        }
        let line = &text[start..end];
        let trimmed_len = line.trim_end_matches(['\n', '\r']).len();
        lines.push((start, start + trimmed_len));
        start = end;
    }
    let mut i = 0;
    while i < lines.len() {
        let (s, e) = lines[i];
        i += 1;
        let raw = &text[s..e];
        let lead = raw.len() - raw.trim_start().len();
        let line = raw.trim();
        let at = s + lead;
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') {
            match line.find(']') {
                Some(close) if line[close + 1..].trim().is_empty() => {
                    let name = &line[1..close];
                    unit.sections.push(Section {
                        name: Spanned::new(name.to_string(), source.span(at + 1..at + close)),
                        entries: Vec::new(),
                    });
                }
                _ => unit.errors.push(ParseError {
                    message: "section header is not closed by `]` at the end of the line"
                        .to_string(),
                    span: source.span(at..at + line.len()),
                }),
            }
            continue;
        }
        let Some(eq) = line.find('=').filter(|&eq| eq > 0) else {
            unit.errors.push(ParseError {
                message: format!(
                    "line `{}` is neither `Key=Value`, a `[Section]` header nor a comment",
                    shorten(line)
                ),
                span: source.span(at..at + line.len()),
            });
            continue;
        };
        let key = line[..eq].trim_end();
        let key = Spanned::new(key.to_string(), source.span(at..at + key.len()));
        // The value, with continuation lines.
        let first = &line[eq + 1..];
        let first_at = at + eq + 1 + (first.len() - first.trim_start().len());
        let mut pieces: Vec<(usize, usize)> = Vec::new(); // (file start, len)
        let mut piece = (first_at, first.trim_start().len());
        let mut end_at = first_at + piece.1;
        loop {
            let piece_text = &text[piece.0..piece.0 + piece.1];
            let Some(body) = piece_text.strip_suffix('\\') else {
                pieces.push(piece);
                break;
            };
            pieces.push((piece.0, body.len()));
            // The next line that is no comment continues the value.
            let mut next = None;
            while i < lines.len() {
                let (ns, ne) = lines[i];
                i += 1;
                let nraw = &text[ns..ne];
                let nline = nraw.trim();
                if nline.starts_with('#') || nline.starts_with(';') {
                    continue;
                }
                next = Some((ns + (nraw.len() - nraw.trim_start().len()), nline.len()));
                break;
            }
            let Some(n) = next else { break };
            piece = n;
            end_at = n.0 + n.1;
        }
        let mut value = String::new();
        let mut mapped = Vec::new();
        for (file, len) in pieces {
            mapped.push((value.len(), file, len));
            value.push_str(&text[file..file + len]);
        }
        let mut span = source.span(first_at..end_at.max(first_at));
        if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
            value = value[1..value.len() - 1].to_string();
            for p in &mut mapped {
                if p.0 == 0 {
                    p.1 += 1;
                    p.2 = p.2.saturating_sub(1);
                } else {
                    p.0 -= 1;
                }
            }
            if let Some(last) = mapped.last_mut() {
                last.2 = value.len().saturating_sub(last.0).min(last.2);
            }
            if mapped.len() == 1 {
                span = source.span(first_at + 1..first_at + 1 + value.len());
            }
        }
        let entry = Entry {
            key,
            value,
            span,
            pieces: mapped,
        };
        match unit.sections.last_mut() {
            Some(section) => section.entries.push(entry),
            None => unit.errors.push(ParseError {
                message: format!("`{}=` comes before any `[Section]` header", entry.key.value),
                span: entry.key.span,
            }),
        }
    }
    unit
}

/// At most 40 characters of a line, for messages.
fn shorten(line: &str) -> String {
    match line.char_indices().nth(40) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (SourceFile, Unit) {
        let file = SourceFile::new("a.container", text.to_string());
        let unit = parse(&file);
        (file, unit)
    }

    #[test]
    fn sections_keys_and_values() {
        let (f, u) = read(
            "# comment\n[Unit]\nDescription=db\n\n[Container]\nImage = postgres:16\n; other\nVolume=/a:/b\nVolume=/c:/d:ro\n",
        );
        assert!(u.errors.is_empty(), "{:?}", u.errors);
        let c = u.section("Container").unwrap();
        assert_eq!(c.name.span.text(&f.text), "Container");
        let image = c.last("Image").unwrap();
        assert_eq!(image.value, "postgres:16");
        assert_eq!(image.span.text(&f.text), "postgres:16");
        assert_eq!(image.key.span.text(&f.text), "Image");
        let vols: Vec<&str> = c.all("Volume").iter().map(|e| e.value.as_str()).collect();
        assert_eq!(vols, ["/a:/b", "/c:/d:ro"]);
        let v = c.all("Volume")[1];
        assert_eq!(v.sub_span(&f, 3..5).text(&f.text), "/d");
    }

    #[test]
    fn empty_assignment_clears_a_list() {
        let (_, u) = read("[Container]\nVolume=/a:/b\nVolume=\nVolume=/c:/d\n");
        let c = u.section("Container").unwrap();
        let vols: Vec<&str> = c.all("Volume").iter().map(|e| e.value.as_str()).collect();
        assert_eq!(vols, ["/c:/d"]);
    }

    #[test]
    fn continuation_lines() {
        let (f, u) = read(
            "[Container]\nMount=type=bind,\\\n# skipped\n  source=/etc,\\\n  target=/host\nImage=x\n",
        );
        assert!(u.errors.is_empty(), "{:?}", u.errors);
        let c = u.section("Container").unwrap();
        let m = c.last("Mount").unwrap();
        assert_eq!(m.value, "type=bind,source=/etc,target=/host");
        let at = m.value.find("/etc").unwrap();
        assert_eq!(m.sub_span(&f, at..at + 4).text(&f.text), "/etc");
        assert_eq!(f.location(m.span).start.line, 2);
        assert_eq!(f.location(m.span).end.line, 5);
        assert_eq!(c.last("Image").unwrap().value, "x");
    }

    #[test]
    fn quotes_and_crlf() {
        let (f, u) = read("[Container]\r\nVolume=\"/a:/b\"\r\n");
        let v = u.section("Container").unwrap().last("Volume").unwrap();
        assert_eq!(v.value, "/a:/b");
        assert_eq!(v.span.text(&f.text), "/a:/b");
        assert_eq!(v.sub_span(&f, 0..2).text(&f.text), "/a");
    }

    #[test]
    fn errors_have_positions() {
        let (f, u) = read("Image=x\n[Container\nnot a pair\n[Container]\n");
        let lines: Vec<usize> = u
            .errors
            .iter()
            .map(|e| f.pos(e.span.start()).line)
            .collect();
        assert_eq!(lines, [1, 2, 3]);
        assert!(has_section("[Unit]\n [Container] \n", "Container"));
        assert!(!has_section("=head1 NAME\n", "Pod"));
    }
}

//! Between stowlint's positions (byte offsets, 1-based lines, columns in characters) and the
//! protocol's (0-based lines, columns in UTF-16 code units), and between paths and URIs.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};

use crate::model::{Pos, SourceFile, Span};

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A position in UTF-16 columns.
#[must_use]
pub fn position(source: &SourceFile, pos: Pos) -> Position {
    let start = source.index.line_start(pos.line);
    let end = pos.offset.clamp(start, source.text.len());
    let character = source
        .text
        .get(start..end)
        .map_or(0, |s| s.encode_utf16().count());
    Position::new(to_u32(pos.line.saturating_sub(1)), to_u32(character))
}

#[must_use]
pub fn range(source: &SourceFile, span: Span) -> Range {
    Range::new(
        position(source, source.pos(span.start())),
        position(source, source.pos(span.end())),
    )
}

/// The byte offset of a protocol position; past the end of its line it is the line's end
/// (before the line break), past the last line the end of the text.
#[must_use]
pub fn offset(source: &SourceFile, pos: Position) -> usize {
    let line = pos.line as usize + 1;
    if line > source.index.line_count() {
        return source.text.len();
    }
    let start = source.index.line_start(line);
    let end = if line < source.index.line_count() {
        source.index.line_start(line + 1)
    } else {
        source.text.len()
    };
    let mut units = 0usize;
    for (i, ch) in source.text[start..end].char_indices() {
        if units >= pos.character as usize || ch == '\n' || ch == '\r' {
            return start + i;
        }
        units += ch.len_utf16();
    }
    end
}

/// `text` after the client's changes, in order: a whole text replaces everything; a range
/// (0-based lines, UTF-16 columns, as the protocol says; `\n`, `\r\n` and `\r` end lines)
/// is replaced in place. The ranged edits go through a rope: each costs the logarithm of the
/// text's size, so one `didChange` with 20,000 edits does not rebuild a line index (and
/// move the whole text) 20,000 times.
#[must_use]
pub fn apply_changes(text: &str, changes: &[lsp_types::TextDocumentContentChangeEvent]) -> String {
    // The common case, full sync: the last whole text is the result, nothing to edit.
    let last_full = changes.iter().rposition(|c| c.range.is_none());
    let (mut rope, ranged) = match last_full {
        Some(i) if i + 1 == changes.len() => return changes[i].text.clone(),
        Some(i) => (ropey::Rope::from_str(&changes[i].text), &changes[i + 1..]),
        None => (ropey::Rope::from_str(text), changes),
    };
    for change in ranged {
        let Some(range) = change.range else { continue };
        let start = rope_offset(&rope, range.start);
        let end = rope_offset(&rope, range.end).max(start);
        rope.remove(start..end);
        rope.insert(start, &change.text);
    }
    rope.to_string()
}

/// The char index of a protocol position in `rope`; past the end of its line it is the line's
/// end (before the line break), past the last line the end of the text.
fn rope_offset(rope: &ropey::Rope, pos: Position) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let start = rope.line_to_char(line);
    let next = if line + 1 < rope.len_lines() {
        rope.line_to_char(line + 1)
    } else {
        rope.len_chars()
    };
    // The line's end before its break (`\r\n`, `\n` or `\r`).
    let mut end = next;
    while end > start && matches!(rope.char(end - 1), '\n' | '\r') {
        end -= 1;
    }
    let start_units = rope.char_to_utf16_cu(start);
    let end_units = rope.char_to_utf16_cu(end);
    let wanted = (start_units + pos.character as usize).min(end_units);
    // A column inside a surrogate pair lands on the character that holds it.
    rope.utf16_cu_to_char(wanted)
}

/// The path a `file:` URI names; `None` for other schemes.
#[must_use]
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text
        .get(..7)
        .filter(|s| s.eq_ignore_ascii_case("file://"))
        .map(|_| &text[7..])?;
    // `file:///x` (empty host) or `file://localhost/x`.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(i) if rest[..i].eq_ignore_ascii_case("localhost") => &rest[i..],
        _ => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = percent_decode(path)?;
    let decoded = String::from_utf8(bytes).ok()?;
    // `file:///C:/x` on Windows.
    #[cfg(windows)]
    let decoded = decoded
        .strip_prefix('/')
        .filter(|d| d.as_bytes().get(1) == Some(&b':'))
        .map_or(decoded.clone(), str::to_string);
    Some(PathBuf::from(decoded))
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The `file:` URI of an absolute path.
#[must_use]
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let text = path.to_str()?.replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> lsp_types::TextDocumentContentChangeEvent {
        lsp_types::TextDocumentContentChangeEvent {
            range: range
                .map(|((a, b), (c, d))| Range::new(Position::new(a, b), Position::new(c, d))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn ranged_changes_apply_in_order_in_utf16_columns() {
        let text = "a: é😀x\r\nb: 2\n";
        // 😀 is two UTF-16 units: `x` is at column 6, after it.
        let out = apply_changes(text, &[edit(Some(((0, 6), (0, 7))), "y")]);
        assert_eq!(out, "a: é😀y\r\nb: 2\n");
        // Past the end of a line: its end, before the break; past the last line: the end.
        let out = apply_changes(
            text,
            &[
                edit(Some(((0, 99), (0, 99))), "!"),
                edit(Some(((9, 0), (9, 0))), "z"),
            ],
        );
        assert_eq!(out, "a: é😀x!\r\nb: 2\nz");
        // A whole text, then ranges over it.
        let out = apply_changes(
            text,
            &[edit(None, "new\n"), edit(Some(((0, 0), (0, 1))), "N")],
        );
        assert_eq!(out, "New\n");
        // Many edits stay cheap and exact.
        let many: Vec<_> = (0..20_000)
            .map(|_| edit(Some(((0, 0), (0, 0))), "x"))
            .collect();
        assert_eq!(apply_changes("", &many).len(), 20_000);
    }

    #[test]
    fn utf16_columns() {
        // 'é' is 2 bytes and 1 UTF-16 unit; '😀' is 4 bytes and 2 units.
        let source = SourceFile::new("x.yaml", "a: é😀 /x\nb\n".into());
        let at = source.text.find("/x").unwrap_or(0);
        let p = position(&source, source.pos(at));
        // `a: é😀 `: 1 + 1 + 1 + 1 + 2 + 1 units.
        assert_eq!(p, Position::new(0, 7));
        assert_eq!(offset(&source, p), at);
        assert_eq!(
            offset(&source, Position::new(0, 99)),
            source.text.find('\n').unwrap_or(0)
        );
        assert_eq!(offset(&source, Position::new(9, 0)), source.text.len());
    }

    #[test]
    fn uris_round_trip() {
        let path = Path::new("/tmp/a dir/ç#1.yaml");
        let uri = path_to_uri(path).unwrap_or_else(|| panic!("uri"));
        assert_eq!(uri.as_str(), "file:///tmp/a%20dir/%C3%A7%231.yaml");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(path));
        let other = Uri::from_str("untitled:Untitled-1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(uri_to_path(&other), None);
    }
}

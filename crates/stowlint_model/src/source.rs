//! Source text, positions and spans.
//!
//! Parsers, trees and models hold [`Span`]s: two `u32` byte offsets into the file's text (eight
//! bytes; files are refused from 4 GiB on, see [`MAX_FILE_SIZE`]). Lines and columns (1-based,
//! columns counted in characters) are worked out only where a finding is reported: the file's
//! [`LineIndex`] turns an offset into a [`Pos`], a span into a [`Location`].

use std::fmt;
use std::path::{Path, PathBuf};

/// The largest file a span can point into: offsets are `u32`. `max-file-size` may not be set
/// this high.
pub const MAX_FILE_SIZE: u64 = u32::MAX as u64;

/// A position in a source file, worked out from a byte offset by the file's [`LineIndex`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// Byte offset from the start of the file.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// A half-open byte range `[start, end)` of a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    start: u32,
    end: u32,
}

/// An offset as a span holds it. Files of 4 GiB or more are refused before they are read
/// ([`MAX_FILE_SIZE`]), so this never saturates on a file of ours.
fn to_u32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

impl Span {
    /// The span `[start, end)`; an `end` before `start` is taken as `start`.
    #[must_use]
    pub fn new(start: usize, end: usize) -> Self {
        Self {
            start: to_u32(start),
            end: to_u32(end.max(start)),
        }
    }

    /// Byte offset of the first byte.
    #[must_use]
    pub fn start(self) -> usize {
        self.start as usize
    }

    /// Byte offset just past the last byte.
    #[must_use]
    pub fn end(self) -> usize {
        self.end as usize
    }

    #[must_use]
    pub fn range(self) -> std::ops::Range<usize> {
        self.start()..self.end()
    }

    /// Length in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.end().saturating_sub(self.start())
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The text this span covers.
    #[must_use]
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.range()).unwrap_or("")
    }
}

/// Where a span is in lines and columns: its two ends as [`Pos`]itions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub start: Pos,
    pub end: Pos,
}

impl Location {
    /// The byte range it covers.
    #[must_use]
    pub fn span(&self) -> Span {
        Span::new(self.start.offset, self.end.offset)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.start.line, self.start.column)
    }
}

/// A value with the span where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

impl Spanned<String> {
    /// The span of a byte range of the value, for a value that is the text of its span (as
    /// written, no escapes decoded). Out-of-range or mid-character bounds give the whole span.
    #[must_use]
    pub fn sub_span(&self, range: std::ops::Range<usize>) -> Span {
        let text = &self.value;
        if range.start > range.end
            || range.end > text.len()
            || !text.is_char_boundary(range.start)
            || !text.is_char_boundary(range.end)
        {
            return self.span;
        }
        let base = self.span.start();
        Span::new(base + range.start, base + range.end)
    }
}

/// Where each line after the first starts: after `\n`, `\r\n`, or a `\r` alone (YAML, the
/// language server and editors all take a lone CR as a line break).
pub fn line_breaks(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().filter_map(move |(i, &b)| {
        let ends = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        ends.then_some(i + 1)
    })
}

/// The lines of `text` with their line breaks, split as [`line_breaks`] says.
pub fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> + '_ {
    let mut start = 0;
    line_breaks(text)
        .chain((!text.is_empty()).then_some(text.len()))
        .filter_map(move |end| {
            let line = text.get(start..end).filter(|l| !l.is_empty());
            start = end;
            line
        })
}

/// Byte offset -> line/column, by binary search over line starts.
#[derive(Debug, Default)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    ascii: bool,
    /// The text starts with a UTF-8 byte order mark: editors do not show it, so it takes no
    /// column (offsets still count its three bytes).
    bom: bool,
    /// The line (0-based) of the last lookup: parsers ask in nearly increasing order, so the
    /// next offset is mostly on that line or the next, and needs no search.
    hint: std::sync::atomic::AtomicUsize,
}

impl Clone for LineIndex {
    fn clone(&self) -> Self {
        Self {
            line_starts: self.line_starts.clone(),
            ascii: self.ascii,
            bom: self.bom,
            hint: std::sync::atomic::AtomicUsize::new(0),
        }
    }
}

impl LineIndex {
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(line_breaks(text).map(to_u32));
        Self {
            line_starts,
            ascii: text.is_ascii(),
            bom: text.starts_with('\u{feff}'),
            hint: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Give back spare capacity (the index lives as long as its file).
    pub fn shrink(&mut self) {
        self.line_starts.shrink_to_fit();
    }

    /// Number of lines (a trailing newline starts an empty last line).
    #[must_use]
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 1-based `line` starts.
    #[must_use]
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or_else(|| *self.line_starts.last().unwrap_or(&0)) as usize
    }

    /// The position of a byte offset. Offsets past the end or inside a character are clamped.
    #[must_use]
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.line_starts[line - 1] as usize;
        let column = if self.ascii {
            offset - start + 1
        } else if self.bom && start == 0 && offset > 0 {
            text[start..offset].chars().count()
        } else {
            text[start..offset].chars().count() + 1
        };
        Pos {
            offset,
            line,
            column,
        }
    }

    /// The 1-based line of `offset`.
    fn line_of(&self, offset: usize) -> usize {
        use std::sync::atomic::Ordering::Relaxed;
        let starts = &self.line_starts;
        let offset = to_u32(offset);
        // Line `i` (0-based) holds `offset` when it starts at or before it and the next
        // line starts after it.
        let holds = |i: usize| {
            starts.get(i).is_some_and(|&s| s <= offset)
                && starts.get(i + 1).is_none_or(|&next| offset < next)
        };
        let hint = self.hint.load(Relaxed);
        let line = if holds(hint) {
            hint
        } else if holds(hint + 1) {
            hint + 1
        } else {
            starts.partition_point(|&s| s <= offset).saturating_sub(1)
        };
        self.hint.store(line, Relaxed);
        line + 1
    }

    /// The span of a byte range, its ends clamped to the text and back to a character's start.
    #[must_use]
    pub fn span(&self, text: &str, range: std::ops::Range<usize>) -> Span {
        let clamp = |offset: usize| {
            let mut offset = offset.min(text.len());
            while !text.is_char_boundary(offset) {
                offset -= 1;
            }
            offset
        };
        Span::new(clamp(range.start), clamp(range.end.max(range.start)))
    }

    /// Where `span` is in lines and columns.
    #[must_use]
    pub fn location(&self, text: &str, span: Span) -> Location {
        Location {
            start: self.pos(text, span.start()),
            end: self.pos(text, span.end()),
        }
    }
}

/// One file given to a run: its path as shown to users, its text and a line index.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as shown in reports (relative to the working folder when under it).
    pub path: PathBuf,
    pub text: String,
    pub index: LineIndex,
}

impl SourceFile {
    #[must_use]
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        let index = LineIndex::new(&text);
        Self {
            path: path.into(),
            text,
            index,
        }
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    #[must_use]
    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        self.index.span(&self.text, range)
    }

    #[must_use]
    pub fn pos(&self, offset: usize) -> Pos {
        self.index.pos(&self.text, offset)
    }

    /// Where `span` is in lines and columns.
    #[must_use]
    pub fn location(&self, span: Span) -> Location {
        self.index.location(&self.text, span)
    }

    /// Whether `span` is one of this file's: inside the text, start before end, both ends on
    /// character boundaries. For tests,
    /// fuzzers and property checks; `Err` says what is wrong.
    ///
    /// # Errors
    /// The first thing wrong with the span.
    pub fn check_span(&self, span: Span) -> Result<(), String> {
        let len = self.text.len();
        if span.start() > span.end() || span.end() > len {
            return Err(format!("span {span:?} outside a file of {len} bytes"));
        }
        for offset in [span.start(), span.end()] {
            if !self.text.is_char_boundary(offset) {
                return Err(format!("offset {offset} inside a character"));
            }
        }
        Ok(())
    }

    /// An empty span at the start of the file.
    #[must_use]
    pub fn start_span(&self) -> Span {
        self.span(0..0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_in_any_order_agree_with_a_search() {
        let text = "a: 1\n\nbb: [x, y]\n  - é\nlast";
        let index = LineIndex::new(text);
        let searched = |offset: usize| {
            let line = text[..offset].matches('\n').count() + 1;
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            (line, text[start..offset].chars().count() + 1)
        };
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|&o| text.is_char_boundary(o))
            .collect();
        // Forwards (as parsers ask), backwards, and jumping about: the remembered line is
        // only a shortcut.
        let mut order = boundaries.clone();
        order.extend(boundaries.iter().rev());
        order.extend(
            boundaries
                .iter()
                .step_by(3)
                .chain(boundaries.iter().step_by(2).rev()),
        );
        for offset in order {
            let pos = index.pos(text, offset);
            assert_eq!((pos.line, pos.column), searched(offset), "offset {offset}");
        }
    }

    #[test]
    fn spans_are_checked_against_their_file() {
        let file = SourceFile::new("x.yaml", "a: é\nb: 1\n".to_string());
        assert!(file.check_span(file.span(3..5)).is_ok());
        assert!(
            file.check_span(file.span(0..20)).is_ok(),
            "clamped by span()"
        );
        assert_eq!(
            file.span(3..4),
            Span::new(3, 3),
            "clamped to a character's start"
        );
        assert!(
            file.check_span(Span::new(3, 4))
                .unwrap_err()
                .contains("inside a character")
        );
        assert!(
            file.check_span(Span::new(0, 99))
                .unwrap_err()
                .contains("outside")
        );
    }

    #[test]
    fn a_span_is_eight_bytes_and_locates_through_the_line_index() {
        assert_eq!(std::mem::size_of::<Span>(), 8);
        let file = SourceFile::new("x.yaml", "a: é\r\nb: 1\rc: 2\n".to_string());
        let at = file.location(Span::new(file.text.find('c').unwrap(), file.text.len()));
        assert_eq!((at.start.line, at.start.column), (3, 1));
        assert_eq!((at.end.line, at.end.column), (4, 1));
        assert_eq!(at.span(), Span::new(12, 17));
        let e = file.pos(4);
        assert_eq!((e.line, e.column), (1, 4), "after the two-byte é");
    }

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\nçd\n";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.pos(text, 0),
            Pos {
                offset: 0,
                line: 1,
                column: 1
            }
        );
        assert_eq!(
            idx.pos(text, 3),
            Pos {
                offset: 3,
                line: 2,
                column: 1
            }
        );
        // 'ç' is two bytes: 'd' is at byte 5, column 2.
        assert_eq!(
            idx.pos(text, 5),
            Pos {
                offset: 5,
                line: 2,
                column: 2
            }
        );
        // Inside a character clamps back to its start.
        assert_eq!(idx.pos(text, 4).offset, 3);
        assert_eq!(idx.pos(text, 100).line, 3);
    }

    #[test]
    fn a_byte_order_mark_takes_no_column() {
        let text = "\u{feff}ab\ncd\n";
        let idx = LineIndex::new(text);
        let at = |offset| {
            let p = idx.pos(text, offset);
            (p.line, p.column)
        };
        assert_eq!(at(0), (1, 1));
        assert_eq!(at(3), (1, 1));
        assert_eq!(at(4), (1, 2));
        assert_eq!(at(6), (2, 1));
        assert_eq!(at(7), (2, 2));
    }

    #[test]
    fn sub_span_agrees_with_the_line_index() {
        let text = "RUN a \\\n\tç mkdir /x\n";
        let idx = LineIndex::new(text);
        let args = Spanned::new(text[4..].to_owned(), idx.span(text, 4..text.len()));
        let at = text.find("mkdir").unwrap();
        assert_eq!(
            args.sub_span(at - 4..at - 4 + 5),
            idx.span(text, at..at + 5)
        );
        let inside = text.find('ç').unwrap() - 4;
        assert_eq!(args.sub_span(inside + 1..inside + 2), args.span);
        assert_eq!(args.sub_span(0..2), idx.span(text, 4..6));
        // Out of range: the whole span.
        assert_eq!(args.sub_span(0..999), args.span);
    }
}

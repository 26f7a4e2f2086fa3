//! What a run keeps of its findings until they are rendered, in memory that does not grow with
//! their number.
//!
//! Each linted file's findings (and its text, when a renderer quotes it) are encoded into a
//! compact record right after the file is linted: integers as variable-length numbers, text
//! as bytes, the rules' static helps as an index into a table. Records stay in memory up to a
//! budget ([`MEMORY_BUDGET`], 32 MB); past it they go to an unnamed temporary file (removed by the
//! system when the run ends, readable by no one else). Renderers read the records back one
//! file at a time through [`Report::files`](crate::Report::files), so a run of two million
//! findings holds a window of them, not all.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use crate::engine::{Code, Diagnostic, FilePath, Related, Severity};
use crate::model::{Location, Pos, SourceFile, Span};

/// Bytes of records kept in memory before records go to the temporary file: about 100,000
/// findings with the texts of their files, more than most runs have (a finding is about 150
/// bytes encoded, against about 940 as a `Diagnostic` with its strings).
pub const MEMORY_BUDGET: u64 = 32 << 20;

/// The records of a run while it lints (shared by the workers), then the renderers' source.
pub struct Store {
    budget: u64,
    in_memory: AtomicU64,
    /// Created on first need.
    spill: Mutex<Option<Spill>>,
    /// A record could not be read back from the temporary file: the report is incomplete.
    lost: AtomicBool,
    helps: RwLock<Helps>,
}

struct Spill {
    file: std::fs::File,
    end: u64,
}

/// The rules' static helps, each kept once: a record names one by its number.
#[derive(Default)]
struct Helps {
    by_address: HashMap<(usize, usize), u32>,
    texts: Vec<&'static str>,
}

/// Where one record is.
#[derive(Debug)]
pub enum Kept {
    Memory(Box<[u8]>),
    Spilled { offset: u64, len: u64 },
}

/// One linted file of the report: what renderers iterate.
#[derive(Debug)]
pub struct Entry {
    /// The file as reports name it.
    pub path: FilePath,
    kept: Kept,
    /// Findings by severity: info, warning, error.
    counts: [u32; 3],
}

impl Entry {
    /// A linted file and its record (from [`Store::keep`]).
    #[must_use]
    pub fn new(path: FilePath, kept: Kept, diagnostics: &[Diagnostic]) -> Self {
        let mut counts = [0u32; 3];
        for d in diagnostics {
            counts[d.severity as usize] += 1;
        }
        Self { path, kept, counts }
    }

    /// How many findings of each severity it has: info, warning, error.
    #[must_use]
    pub fn counts(&self) -> [u32; 3] {
        self.counts
    }

    /// Its worst severity, `None` without findings.
    #[must_use]
    pub fn worst(&self) -> Option<Severity> {
        [Severity::Error, Severity::Warning, Severity::Info]
            .into_iter()
            .find(|&s| self.counts[s as usize] > 0)
    }
}

impl Default for Store {
    fn default() -> Self {
        Self::new(MEMORY_BUDGET)
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("in_memory", &self.in_memory.load(Ordering::Relaxed))
            .field("spilled", &self.spilled_bytes())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// A store keeping up to `budget` bytes of records in memory.
    #[must_use]
    pub fn new(budget: u64) -> Self {
        Self {
            budget,
            in_memory: AtomicU64::new(0),
            spill: Mutex::new(None),
            lost: AtomicBool::new(false),
            helps: RwLock::new(Helps::default()),
        }
    }

    /// Encode one file's findings (all of `file`, in report order) and its text when given.
    pub fn keep(&self, file: &Path, text: Option<&str>, diagnostics: &[Diagnostic]) -> Kept {
        let mut out = Vec::with_capacity(64 + diagnostics.len() * 160);
        self.encode(&mut out, file, text, diagnostics);
        let len = out.len() as u64;
        let before = self.in_memory.fetch_add(len, Ordering::Relaxed);
        if before + len <= self.budget {
            return Kept::Memory(out.into_boxed_slice());
        }
        self.in_memory.fetch_sub(len, Ordering::Relaxed);
        match self.spill_out(&out) {
            Some(offset) => Kept::Spilled { offset, len },
            // No temporary file (a full or read-only temporary folder): memory it is; a
            // report is never lost to save memory.
            None => {
                self.in_memory.fetch_add(len, Ordering::Relaxed);
                Kept::Memory(out.into_boxed_slice())
            }
        }
    }

    fn spill_out(&self, bytes: &[u8]) -> Option<u64> {
        let mut spill = self
            .spill
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if spill.is_none() {
            *spill = Some(Spill {
                file: tempfile::tempfile().ok()?,
                end: 0,
            });
        }
        let s = spill.as_mut()?;
        let offset = s.end;
        s.file.seek(SeekFrom::Start(offset)).ok()?;
        if s.file.write_all(bytes).is_err() {
            // A partial write past `end` is overwritten by the next record.
            return None;
        }
        s.end += bytes.len() as u64;
        Some(offset)
    }

    /// Give back the memory of a record replaced by another (a file linted again).
    pub fn release(&self, entry: Entry) {
        if let Kept::Memory(bytes) = entry.kept {
            self.in_memory
                .fetch_sub(bytes.len() as u64, Ordering::Relaxed);
        }
    }

    /// Bytes of records in the temporary file.
    #[must_use]
    pub fn spilled_bytes(&self) -> u64 {
        self.spill
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map_or(0, |s| s.end)
    }

    /// Whether a record could not be read back: the report rendered is incomplete and the run
    /// must fail.
    #[must_use]
    pub fn lost(&self) -> bool {
        self.lost.load(Ordering::Relaxed)
    }

    /// The file's text (when kept) and findings, as they were given to [`Store::keep`].
    #[must_use]
    pub fn read(&self, entry: &Entry) -> (Option<SourceFile>, Vec<Diagnostic>) {
        let bytes: Cow<'_, [u8]> = match &entry.kept {
            Kept::Memory(b) => Cow::Borrowed(b),
            Kept::Spilled { offset, len } => match self.read_spilled(*offset, *len) {
                Some(b) => Cow::Owned(b),
                None => {
                    self.lost.store(true, Ordering::Relaxed);
                    return (None, Vec::new());
                }
            },
        };
        let helps = self
            .helps
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut r = Reader {
            bytes: &bytes,
            at: 0,
        };
        match decode(&mut r, &entry.path, &helps.texts) {
            Some(found) => found,
            None => {
                self.lost.store(true, Ordering::Relaxed);
                (None, Vec::new())
            }
        }
    }

    fn read_spilled(&self, offset: u64, len: u64) -> Option<Vec<u8>> {
        let mut spill = self
            .spill
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let s = spill.as_mut()?;
        s.file.seek(SeekFrom::Start(offset)).ok()?;
        let mut bytes = vec![0; usize::try_from(len).ok()?];
        s.file.read_exact(&mut bytes).ok()?;
        Some(bytes)
    }

    fn help_index(&self, help: &'static str) -> u32 {
        let key = (help.as_ptr() as usize, help.len());
        if let Some(&i) = self
            .helps
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .by_address
            .get(&key)
        {
            return i;
        }
        let mut helps = self
            .helps
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let next = u32::try_from(helps.texts.len()).unwrap_or(u32::MAX);
        let i = *helps.by_address.entry(key).or_insert(next);
        if i == next {
            helps.texts.push(help);
        }
        i
    }

    fn encode(
        &self,
        out: &mut Vec<u8>,
        file: &Path,
        text: Option<&str>,
        diagnostics: &[Diagnostic],
    ) {
        match text {
            Some(text) => {
                out.push(1);
                put_str(out, text);
            }
            None => out.push(0),
        }
        put_usize(out, diagnostics.len());
        for d in diagnostics {
            put_usize(out, d.code.index());
            out.push(d.severity as u8);
            put_str(out, &d.message);
            match &d.help {
                None => out.push(0),
                Some(Cow::Borrowed(help)) => {
                    out.push(1);
                    put_u64(out, u64::from(self.help_index(help)));
                }
                Some(Cow::Owned(help)) => {
                    out.push(2);
                    put_str(out, help);
                }
            }
            put_file(out, file, &d.file);
            put_span(out, d.span);
            put_location(out, &d.location);
            match d.subject {
                None => out.push(0),
                Some((start, end)) => {
                    out.push(1);
                    put_usize(out, start);
                    put_usize(out, end);
                }
            }
            put_usize(out, d.related.len());
            for r in &d.related {
                put_file(out, file, &r.file);
                put_span(out, r.span);
                put_location(out, &r.location);
                put_str(out, &r.message);
            }
        }
    }
}

fn put_u64(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn put_usize(out: &mut Vec<u8>, n: usize) {
    put_u64(out, n as u64);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_usize(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// The record's own file is written as a mark; another file by its path.
fn put_file(out: &mut Vec<u8>, own: &Path, file: &FilePath) {
    if file.as_path() == own {
        out.push(0);
    } else {
        out.push(1);
        put_str(out, &file.as_path().to_string_lossy());
    }
}

fn put_span(out: &mut Vec<u8>, span: Span) {
    put_usize(out, span.start());
    put_usize(out, span.end());
}

fn put_location(out: &mut Vec<u8>, location: &Location) {
    for pos in [location.start, location.end] {
        put_usize(out, pos.offset);
        put_usize(out, pos.line);
        put_usize(out, pos.column);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn u64(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(n);
            }
        }
        None
    }

    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }

    fn str(&mut self) -> Option<String> {
        let len = self.usize()?;
        let end = self.at.checked_add(len)?;
        let s = std::str::from_utf8(self.bytes.get(self.at..end)?).ok()?;
        self.at = end;
        Some(s.to_owned())
    }

    fn file(&mut self, own: &FilePath) -> Option<FilePath> {
        match self.byte()? {
            0 => Some(own.clone()),
            _ => Some(FilePath::from(self.str()?.as_str())),
        }
    }

    fn span(&mut self) -> Option<Span> {
        Some(Span::new(self.usize()?, self.usize()?))
    }

    fn pos(&mut self) -> Option<Pos> {
        Some(Pos {
            offset: self.usize()?,
            line: self.usize()?,
            column: self.usize()?,
        })
    }

    fn location(&mut self) -> Option<Location> {
        Some(Location {
            start: self.pos()?,
            end: self.pos()?,
        })
    }
}

fn decode(
    r: &mut Reader<'_>,
    own: &FilePath,
    helps: &[&'static str],
) -> Option<(Option<SourceFile>, Vec<Diagnostic>)> {
    let source = match r.byte()? {
        0 => None,
        _ => Some(SourceFile::new(own.as_path(), r.str()?)),
    };
    let n = r.usize()?;
    let mut diagnostics = Vec::with_capacity(n.min(r.bytes.len()));
    for _ in 0..n {
        let code = *Code::ALL.get(r.usize()?)?;
        let severity = match r.byte()? {
            0 => Severity::Info,
            1 => Severity::Warning,
            _ => Severity::Error,
        };
        let message = r.str()?;
        let help = match r.byte()? {
            0 => None,
            1 => Some(Cow::Borrowed(*helps.get(r.usize()?)?)),
            _ => Some(Cow::Owned(r.str()?)),
        };
        let file = r.file(own)?;
        let span = r.span()?;
        let location = r.location()?;
        let subject = match r.byte()? {
            0 => None,
            _ => Some((r.usize()?, r.usize()?)),
        };
        let related_count = r.usize()?;
        let mut related = Vec::with_capacity(related_count.min(r.bytes.len()));
        for _ in 0..related_count {
            related.push(Related {
                file: r.file(own)?,
                span: r.span()?,
                location: r.location()?,
                message: r.str()?,
            });
        }
        diagnostics.push(Diagnostic {
            code,
            severity,
            message,
            help,
            file,
            span,
            location,
            related,
            subject,
        });
    }
    Some((source, diagnostics))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(help: Option<Cow<'static, str>>, other: &str) -> Diagnostic {
        let mut d = Diagnostic {
            code: Code::ALL[Code::COUNT - 1],
            severity: Severity::Warning,
            message: "naïve \u{202e} message\nwith a line break".into(),
            help,
            file: FilePath::from("a/compose.yaml"),
            span: Span::new(3, 300_000),
            location: Location {
                start: Pos {
                    offset: 3,
                    line: 1,
                    column: 4,
                },
                end: Pos {
                    offset: 300_000,
                    line: 70_000,
                    column: 129,
                },
            },
            related: Vec::new(),
            subject: Some((0, usize::from(u16::MAX) * 4)),
        };
        d.label(Span::new(1, 2), "here");
        d.related(other, Span::new(5, 9), "and there");
        d
    }

    #[test]
    fn a_record_reads_back_as_it_was_kept_in_memory_and_spilled() {
        for budget in [MEMORY_BUDGET, 0] {
            let store = Store::new(budget);
            let file = Path::new("a/compose.yaml");
            let found = vec![
                finding(Some(Cow::Borrowed("a static help")), "b/Dockerfile"),
                finding(Some(Cow::Owned("an owned help".into())), "a/compose.yaml"),
                finding(None, "c.yaml"),
                finding(Some(Cow::Borrowed("a static help")), "d.yaml"),
            ];
            let kept = store.keep(file, Some("text\r\nof the file"), &found);
            assert_eq!(matches!(kept, Kept::Spilled { .. }), budget == 0);
            let entry = Entry::new(FilePath::from(file), kept, &found);
            assert_eq!(entry.counts(), [0, 4, 0]);
            assert_eq!(entry.worst(), Some(Severity::Warning));
            let (source, back) = store.read(&entry);
            assert_eq!(back, found);
            assert!(
                matches!(back[0].help, Some(Cow::Borrowed(_))),
                "helps stay shared"
            );
            assert_eq!(
                source.map(|s| s.text),
                Some("text\r\nof the file".to_string())
            );
            // A file without findings or text.
            let empty = Entry::new(
                FilePath::from("e.yaml"),
                store.keep(Path::new("e.yaml"), None, &[]),
                &[],
            );
            let (source, back) = store.read(&empty);
            assert!(source.is_none() && back.is_empty());
            assert!(!store.lost());
        }
    }

    #[test]
    fn a_replaced_record_gives_its_memory_back() {
        let store = Store::new(MEMORY_BUDGET);
        let file = Path::new("a/compose.yaml");
        let found = vec![finding(None, "x")];
        let entry = Entry::new(FilePath::from(file), store.keep(file, None, &found), &found);
        assert!(store.in_memory.load(Ordering::Relaxed) > 0);
        store.release(entry);
        assert_eq!(store.in_memory.load(Ordering::Relaxed), 0);
    }
}

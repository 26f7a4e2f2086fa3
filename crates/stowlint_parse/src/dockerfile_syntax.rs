//! Dockerfile syntax as BuildKit's parser reads it (`frontend/dockerfile/parser` and the
//! argument checks of `frontend/dockerfile/instructions`), with a byte span for every part.
//!
//! The reading follows BuildKit step by step: parser directives on the leading comment lines
//! (`# escape=`, `# syntax=`, `# check=`); a logical line is a first line left-trimmed, then
//! each continuation line as written, with the escape token (and the blanks after it) ending a
//! line removed, unless it follows another escape token; comment lines and empty lines inside
//! a continuation are skipped; the command is the first word, `--flags` follow, then the
//! arguments (a JSON array of strings, or text); heredocs (`RUN`, `COPY`, `ADD`, also after
//! `ONBUILD`, never in JSON form) are found by BuildKit's shell lexer and read from the lines
//! after the instruction. Each logical line keeps, for every byte, its offset in the file, so
//! spans survive continuations.
//!
//! Deliberate differences: BuildKit stops at the first error, this reader reports it and goes
//! on with the next instruction; flag names are not checked (each syntax release adds some);
//! lines over 64 KiB are read (BuildKit's scanner refuses them).

use std::borrow::Cow;
use std::ops::Range;

/// A parsed file: directives, instructions, and the errors found, each with its span.
#[derive(Debug, Default)]
pub(super) struct File {
    pub syntax: Option<(String, Range<usize>)>,
    pub escape_directive: Option<(char, Range<usize>)>,
    /// The escape token in effect: `\` or `` ` ``.
    pub escape: u8,
    pub instructions: Vec<Instr>,
    pub errors: Vec<(Range<usize>, String)>,
    /// A directive was invalid (`# escape=x`): BuildKit reads nothing further.
    pub fatal: bool,
}

/// One instruction. Ranges are byte offsets into the file.
#[derive(Debug, Clone)]
pub(super) struct Instr {
    /// Upper case (`RUN`), as BuildKit dispatches it.
    pub name: Cow<'static, str>,
    pub keyword: Range<usize>,
    /// From the keyword to the end of its last line (a heredoc's closing line included),
    /// trailing blanks excluded.
    pub span: Range<usize>,
    pub flags: Vec<RawFlag>,
    /// The arguments after the flags, in the file: from their first byte to the end of the
    /// logical line's last byte (before any heredoc body).
    pub args: Range<usize>,
    /// The arguments as BuildKit reads them: continuations removed, trimmed.
    pub text: String,
    /// Where each byte of `text` is in the file, and where its end is.
    pub map: ByteMap,
    /// The arguments as a JSON array of strings, when they are one (`None`: text form).
    pub json: Option<Vec<Word>>,
    pub heredocs: Vec<Heredoc>,
    /// `ONBUILD`'s instruction.
    pub sub: Option<Box<Instr>>,
    /// BuildKit rejects it (reported in [`File::errors`]); the build would never run it.
    pub rejected: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Word {
    pub value: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub(super) struct RawFlag {
    pub name: String,
    pub value: Option<String>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub(super) struct Heredoc {
    /// The delimiter was not quoted: the body is expanded.
    pub expand: bool,
    /// From the line after the instruction to the start of the closing line.
    pub body: Range<usize>,
    /// The body, lines ending in `\n` (`\r` dropped), leading tabs stripped for `<<-`.
    pub value: String,
}

/// Offsets in a logical line (continuations removed) back to the file: one entry per physical
/// line's run of bytes, not one per byte (a byte's offset took eight times the file in memory).
#[derive(Debug, Clone, Default)]
pub(super) struct ByteMap {
    /// Each run's first byte: its offset in the logical line and in the file, in line order.
    runs: Vec<(usize, usize)>,
    /// The logical line's length in bytes.
    len: usize,
    /// The file offset the end of the line maps to.
    end: usize,
}

impl ByteMap {
    /// Append the file's bytes `file` to the line.
    fn push_run(&mut self, file: Range<usize>) {
        if !file.is_empty() {
            self.runs.push((self.len, file.start));
            self.len += file.len();
        }
    }

    /// The file offset of byte `i` of the line; for `i` at the line's end, the end's; `None`
    /// past it.
    pub fn get(&self, i: usize) -> Option<usize> {
        if i == self.len {
            return Some(self.end);
        }
        if i > self.len {
            return None;
        }
        let run = self.runs.partition_point(|&(t, _)| t <= i).checked_sub(1)?;
        let (text, file) = self.runs[run];
        Some(file + (i - text))
    }

    /// The map of the line's bytes `r`, its end mapped to `end`.
    fn slice(&self, r: Range<usize>, end: usize) -> ByteMap {
        let mut out = ByteMap {
            end,
            ..ByteMap::default()
        };
        for (k, &(text, file)) in self.runs.iter().enumerate() {
            let run_end = self.runs.get(k + 1).map_or(self.len, |&(t, _)| t);
            let (from, to) = (text.max(r.start), run_end.min(r.end));
            if from < to {
                out.push_run(file + (from - text)..file + (to - text));
            }
        }
        out
    }
}

impl Instr {
    /// A byte range of `text` back to the file.
    pub fn orig(&self, r: Range<usize>) -> Range<usize> {
        let start = self.map.get(r.start).unwrap_or(self.args.start);
        let end = if r.end > r.start {
            self.map.get(r.end - 1).map_or(start, |e| e + 1)
        } else {
            start
        };
        start..end.max(start)
    }

    /// Whitespace-separated words of the arguments, as BuildKit splits `FROM`, `EXPOSE` and
    /// text-form `VOLUME`/`COPY`/`ADD` (quotes are not special here).
    pub fn plain_words(&self) -> Vec<Word> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, b) in self.text.bytes().enumerate() {
            if is_blank(b) {
                if let Some(s) = start.take() {
                    out.push(self.word(s..i));
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            out.push(self.word(s..self.text.len()));
        }
        out
    }

    fn word(&self, r: Range<usize>) -> Word {
        Word {
            value: self.text[r.clone()].to_owned(),
            span: self.orig(r),
        }
    }
}

/// BuildKit's `[\t\v\f\r ]`, the separator of commands and plain words.
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x0b' | b'\x0c' | b'\r')
}

const UTF8_BOM: &str = "\u{feff}";

/// Read `text` (a whole Dockerfile).
pub(super) fn parse(text: &str) -> File {
    let start = if text.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    let mut p = Reader {
        text,
        pos: start,
        escape: b'\\',
        file: File {
            escape: b'\\',
            ..File::default()
        },
        unknown_seen: false,
    };
    p.directives();
    if !p.file.fatal {
        p.instructions();
    }
    p.file.escape = p.escape;
    p.file
}

struct Reader<'t> {
    text: &'t str,
    /// Start of the next line to read.
    pos: usize,
    escape: u8,
    file: File,
    /// An unknown instruction was reported.
    unknown_seen: bool,
}

/// A physical line: its start, the end of its content (`\r`/`\n` excluded), and where the next
/// line starts.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    next: usize,
}

impl Reader<'_> {
    fn line_at(&self, at: usize) -> Option<Line> {
        if at >= self.text.len() {
            return None;
        }
        let bytes = self.text.as_bytes();
        let nl = bytes[at..].iter().position(|&b| b == b'\n');
        let next = nl.map_or(bytes.len(), |n| at + n + 1);
        let mut end = next;
        while end > at && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        Some(Line {
            start: at,
            end,
            next,
        })
    }

    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.file.errors.push((span, message.into()));
    }

    /// Parser directives: `#` lines at the top of the file, until the first line that is not
    /// one (a comment that is not `key=value` with a known key ends them too).
    fn directives(&mut self) {
        let mut at = self.pos;
        let mut seen: Vec<String> = Vec::new();
        while let Some(line) = self.line_at(at) {
            let content = &self.text[line.start..line.end];
            let lead = content.len() - content.trim_start().len();
            let Some(body) = content[lead..].strip_prefix('#') else {
                return;
            };
            let body_start = line.start + lead + 1;
            let body_lead = body.len() - body.trim_start().len();
            let Some((key, value)) = directive(&body[body_lead..]) else {
                return;
            };
            let key_l = key.to_ascii_lowercase();
            if !matches!(key_l.as_str(), "syntax" | "escape" | "check") {
                return;
            }
            let vstart = body_start
                + body_lead
                + (value.as_ptr() as usize - body[body_lead..].as_ptr() as usize);
            let vspan = vstart..vstart + value.len();
            if seen.contains(&key_l) {
                self.error(
                    vspan,
                    format!("only one {key_l} parser directive can be used"),
                );
                self.file.fatal = true;
                return;
            }
            seen.push(key_l.clone());
            match key_l.as_str() {
                "escape" => match value {
                    "\\" | "`" => {
                        self.escape = value.as_bytes()[0];
                        self.file.escape_directive = Some((char::from(self.escape), vspan));
                    }
                    _ => {
                        self.error(
                            vspan,
                            format!("invalid escape token '{value}' (it must be ` or \\)"),
                        );
                        self.file.fatal = true;
                        return;
                    }
                },
                "syntax" => self.file.syntax = Some((value.to_owned(), vspan)),
                _ => {}
            }
            at = line.next;
        }
    }

    /// BuildKit's line continuation: the escape token, then only spaces and tabs, at the end of
    /// a line, not itself escaped. Returns where the kept content ends.
    fn continuation(&self, start: usize, end: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut e = end;
        while e > start && matches!(bytes[e - 1], b' ' | b'\t') {
            e -= 1;
        }
        if e == start || bytes[e - 1] != self.escape {
            return None;
        }
        let esc = e - 1;
        if esc > start && bytes[esc - 1] == self.escape {
            return None;
        }
        Some(esc)
    }

    fn instructions(&mut self) {
        while let Some(line) = self.line_at(self.pos) {
            self.pos = line.next;
            let content = &self.text[line.start..line.end];
            let lead = content.len() - content.trim_start().len();
            let first = line.start + lead;
            if content[lead..].starts_with('#') {
                continue;
            }
            let mut buf = Vec::with_capacity(line.end - first);
            let mut map = ByteMap::default();
            let mut last_end = line.end;
            let mut cont = self.push_content(first, line.end, &mut buf, &mut map);
            if !cont && buf.is_empty() {
                continue;
            }
            while cont {
                let Some(next) = self.line_at(self.pos) else {
                    break;
                };
                self.pos = next.next;
                let c = &self.text[next.start..next.end];
                let t = c.trim_start();
                if t.starts_with('#') || t.is_empty() {
                    continue;
                }
                last_end = next.end;
                cont = self.push_content(next.start, next.end, &mut buf, &mut map);
            }
            map.end = last_end;
            // Lines are cut only before ASCII bytes (blanks, the escape token, line ends), so
            // the logical line is valid UTF-8.
            let Ok(logical) = String::from_utf8(buf) else {
                continue;
            };
            let end = trim_end(self.text, first, last_end);
            let Some(mut instr) = split_instruction(logical, map, self.escape, end, true) else {
                continue;
            };
            // BuildKit looks for heredocs in the whole line; the command and its `--flags`
            // never open one, so the arguments are enough.
            if can_contain_heredoc(&instr) && instr.text.contains("<<") {
                let text = std::mem::take(&mut instr.text);
                self.heredocs(&text, &mut instr);
                instr.text = text;
            }
            if let Some((span, message)) = check(&instr) {
                // One unknown instruction is a typo; more are usually a file that is not a
                // Dockerfile (a template): only the first is reported.
                let unknown = !KNOWN.contains(&&*instr.name);
                if !(unknown && self.unknown_seen) {
                    self.error(span, message);
                }
                self.unknown_seen |= unknown;
                instr.rejected = true;
            }
            self.file.instructions.push(instr);
        }
    }

    /// Append a physical line's content to a logical line; `true` when it continues.
    fn push_content(&self, start: usize, end: usize, buf: &mut Vec<u8>, map: &mut ByteMap) -> bool {
        let (keep, cont) = match self.continuation(start, end) {
            Some(e) => (e, true),
            None => (end, false),
        };
        buf.extend_from_slice(&self.text.as_bytes()[start..keep]);
        map.push_run(start..keep);
        cont
    }

    /// Read the heredoc bodies an instruction opens from the lines after it.
    fn heredocs(&mut self, line: &str, instr: &mut Instr) {
        for (name, expand, chomp) in heredocs_in_line(line) {
            let body_start = self.pos;
            let mut value = String::new();
            let mut closed = None;
            while let Some(l) = self.line_at(self.pos) {
                self.pos = l.next;
                let raw = &self.text[l.start..l.end];
                let content = if chomp {
                    raw.trim_start_matches('\t')
                } else {
                    raw
                };
                if content == name {
                    closed = Some(l);
                    break;
                }
                value.push_str(content);
                value.push('\n');
            }
            let eof = self.text.len();
            let (body_end, end) = match closed {
                Some(l) => (l.start, trim_end(self.text, l.start, l.end)),
                None => {
                    self.error(
                        eof..eof,
                        format!("unterminated heredoc: expected a line `{name}`, but reached the end of the file"),
                    );
                    (eof, eof)
                }
            };
            instr.span.end = instr.span.end.max(end);
            let doc = Heredoc {
                expand,
                body: body_start.min(body_end)..body_end,
                value,
            };
            match &mut instr.sub {
                Some(sub) => {
                    sub.span.end = instr.span.end;
                    sub.heredocs.push(doc);
                }
                None => instr.heredocs.push(doc),
            }
            if closed.is_none() {
                return;
            }
        }
    }
}

/// The end of `start..end` with trailing blanks removed.
fn trim_end(text: &str, start: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    let mut e = end.min(bytes.len());
    while e > start && matches!(bytes[e - 1], b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c') {
        e -= 1;
    }
    e
}

/// `key = value` of a directive line (after `#`), BuildKit's
/// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`.
fn directive(s: &str) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    if !bytes.first()?.is_ascii_alphabetic() {
        return None;
    }
    let key_len = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let rest = s[key_len..].trim_start_matches(is_re_space);
    let value = rest.strip_prefix('=')?.trim_start_matches(is_re_space);
    let value = value.trim_end_matches(is_re_space);
    if value.is_empty() {
        return None;
    }
    Some((&s[..key_len], value))
}

/// RE2's `\s`.
fn is_re_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r')
}

const KNOWN: [&str; 18] = [
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Split a logical line into command, flags and arguments (BuildKit's `splitCommand` and
/// `extractBuilderFlags`), and read a JSON array when there is one. `None` for a blank line.
/// The line and its map become the instruction's `text` and `map` (no copy).
fn split_instruction(
    mut line: String,
    map: ByteMap,
    escape: u8,
    end: usize,
    top: bool,
) -> Option<Instr> {
    let lead = line.len() - line.trim_start().len();
    let trimmed_end = line.trim_end().len().max(lead);
    if lead == trimmed_end {
        return None;
    }
    let kw_len = line[lead..trimmed_end]
        .bytes()
        .position(is_blank)
        .unwrap_or(trimmed_end - lead);
    let kw = lead..lead + kw_len;
    let mut rest = kw.end;
    while rest < trimmed_end && is_blank(line.as_bytes()[rest]) {
        rest += 1;
    }
    let (flags, args_at) = extract_flags(&line, rest, trimmed_end, escape);
    let args_start = args_at.min(trimmed_end);
    let args_start = args_start + line[args_start..trimmed_end].len()
        - line[args_start..trimmed_end].trim_start().len();
    let at = |i: usize| map.get(i).unwrap_or(end);
    let keyword = at(kw.start)..at(kw.end - 1) + 1;
    let text_end = if trimmed_end > args_start {
        at(trimmed_end - 1) + 1
    } else {
        at(args_start).min(end)
    };
    let flags: Vec<RawFlag> = flags
        .into_iter()
        .map(|(name, value, r)| RawFlag {
            name,
            value,
            span: at(r.start)..at(r.end - 1) + 1,
        })
        .collect();
    let written = &line[kw];
    let name = KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(written))
        .map_or_else(
            || Cow::Owned(written.to_ascii_uppercase()),
            |k| Cow::Borrowed(*k),
        );
    line.truncate(trimmed_end);
    line.drain(..args_start);
    let map = map.slice(args_start..trimmed_end, text_end);
    let args_begin = map.get(0).unwrap_or(text_end);
    let mut instr = Instr {
        name,
        keyword: keyword.clone(),
        span: keyword.start..end.max(keyword.end),
        flags,
        args: args_begin.min(text_end)..text_end,
        text: line,
        map,
        json: None,
        heredocs: Vec::new(),
        sub: None,
        rejected: false,
    };
    // One level: `ONBUILD ONBUILD` is an error anyway, and a deeper chain would recurse once
    // per word.
    if top && instr.name == "ONBUILD" && !instr.text.is_empty() {
        instr.sub = split_instruction(instr.text.clone(), instr.map.clone(), escape, end, false)
            .map(Box::new);
    }
    if takes_json(&instr.name) && instr.text.starts_with('[') {
        instr.json = json_strings(&instr.text).map(|ws| {
            ws.into_iter()
                .map(|(value, r)| Word {
                    value,
                    span: instr.orig(r),
                })
                .collect()
        });
    }
    Some(instr)
}

fn takes_json(name: &str) -> bool {
    matches!(
        name,
        "ADD" | "COPY" | "VOLUME" | "CMD" | "ENTRYPOINT" | "RUN" | "SHELL"
    )
}

/// `--name[=value]` words before the arguments: (name, value, range in `line`), and where the
/// arguments start. Quotes are removed from flag words and the escape token escapes.
#[allow(clippy::type_complexity)]
fn extract_flags(
    line: &str,
    from: usize,
    end: usize,
    escape: u8,
) -> (Vec<(String, Option<String>, Range<usize>)>, usize) {
    let bytes = line.as_bytes();
    let mut flags = Vec::new();
    let mut pos = from;
    loop {
        while pos < end && is_space_byte(bytes[pos]) {
            pos += 1;
        }
        if pos >= end || !line[pos..end].starts_with("--") {
            return (flags, pos);
        }
        let start = pos;
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut iter = line[pos..end].char_indices().peekable();
        let mut word_end = end;
        while let Some((i, c)) = iter.next() {
            match quote {
                None if c.is_whitespace() => {
                    word_end = pos + i;
                    break;
                }
                None if c == '\'' || c == '"' => quote = Some(c),
                Some(q) if c == q => quote = None,
                _ if u32::from(c) == u32::from(escape) => {
                    if let Some((_, n)) = iter.next() {
                        word.push(n);
                    }
                }
                _ => word.push(c),
            }
        }
        if word == "--" {
            return (flags, word_end);
        }
        let body = &word[2..];
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (body.to_owned(), None),
        };
        let mut r_end = word_end;
        while r_end > start && is_space_byte(bytes[r_end - 1]) {
            r_end -= 1;
        }
        flags.push((name, value, start..r_end.max(start + 1)));
        pos = word_end;
    }
}

fn is_space_byte(b: u8) -> bool {
    b.is_ascii_whitespace() || b == b'\x0b'
}

/// Go's `json.Unmarshal` into `[]string`: the strings and their ranges (inside the quotes).
/// `None` when the text is not a JSON array of strings.
fn json_strings(s: &str) -> Option<Vec<(String, Range<usize>)>> {
    let b = s.as_bytes();
    let ws = |i: &mut usize| {
        while *i < b.len() && matches!(b[*i], b' ' | b'\t' | b'\n' | b'\r') {
            *i += 1;
        }
    };
    let mut i = 0;
    ws(&mut i);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    ws(&mut i);
    let mut out = Vec::new();
    if b.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let (value, end) = json_string(s, i + 1)?;
            out.push((value, i + 1..end));
            i = end + 1;
            ws(&mut i);
            match b.get(i) {
                Some(b',') => {
                    i += 1;
                    ws(&mut i);
                }
                Some(b']') => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    ws(&mut i);
    (i == b.len()).then_some(out)
}

/// A JSON string's value from just after its opening quote; the offset of its closing quote.
fn json_string(s: &str, from: usize) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut iter = s.get(from..)?.char_indices();
    while let Some((i, c)) = iter.next() {
        match c {
            '"' => return Some((out, from + i)),
            '\\' => {
                let (_, e) = iter.next()?;
                match e {
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    '/' => out.push('/'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => {
                        let hex = |it: &mut std::str::CharIndices<'_>| {
                            let mut v = 0u32;
                            for _ in 0..4 {
                                v = v * 16 + it.next()?.1.to_digit(16)?;
                            }
                            Some(v)
                        };
                        let hi = hex(&mut iter)?;
                        if (0xD800..0xDC00).contains(&hi) {
                            // A surrogate pair, or (as Go does) U+FFFD for a lone half.
                            let save = iter.clone();
                            let lo = match (iter.next(), iter.next()) {
                                (Some((_, '\\')), Some((_, 'u'))) => hex(&mut iter),
                                _ => None,
                            };
                            match lo.filter(|l| (0xDC00..0xE000).contains(l)) {
                                Some(lo) => out.push(
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                        .unwrap_or('\u{fffd}'),
                                ),
                                None => {
                                    iter = save;
                                    out.push('\u{fffd}');
                                }
                            }
                        } else {
                            out.push(char::from_u32(hi).unwrap_or('\u{fffd}'));
                        }
                    }
                    _ => return None,
                }
            }
            c if u32::from(c) < 0x20 => return None,
            c => out.push(c),
        }
    }
    None
}

/// Whether JSON text that is not an array of strings is still a JSON array (BuildKit then
/// fails: "arrays must be comprised of strings only").
fn is_json_array(s: &str) -> bool {
    matches!(
        serde_json::from_str::<serde_json::Value>(s),
        Ok(serde_json::Value::Array(_))
    )
}

fn can_contain_heredoc(instr: &Instr) -> bool {
    let i = match (&instr.name[..], &instr.sub) {
        ("ONBUILD", Some(sub)) => sub,
        _ => instr,
    };
    matches!(&*i.name, "RUN" | "COPY" | "ADD") && i.json.is_none()
}

/// The heredocs a line opens, as BuildKit finds them: the line's words by its shell lexer
/// (quotes and escapes kept), each matched against `^(\d*)<<(-?)\s*([^<]*)$`, the delimiter
/// being the unquoted rest. (name, expand, chomp).
pub(super) fn heredocs_in_line(line: &str) -> Vec<(String, bool, bool)> {
    let Some(words) = shell_words(line, true) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for w in words {
        let digits = w.bytes().take_while(u8::is_ascii_digit).count();
        let Some(rest) = w[digits..].strip_prefix("<<") else {
            continue;
        };
        let (chomp, rest) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let rest = rest.trim_start_matches(is_re_space);
        if rest.is_empty() || rest.contains('<') {
            continue;
        }
        let (Some(plain), Some(raw)) = (shell_words(rest, false), shell_words(rest, true)) else {
            continue;
        };
        if plain.len() != 1 || raw.len() != 1 {
            continue;
        }
        let quotes = |s: &str| s.matches(['\'', '"']).count();
        let expand = quotes(&plain[0]) == quotes(&raw[0]);
        out.push((plain[0].clone(), expand, chomp));
    }
    out
}

/// BuildKit's shell lexer splitting words (escape `\`, unset variables kept as written). With
/// `raw`, quotes and escapes stay in the words. `None` on an unterminated quote.
fn shell_words(s: &str, raw: bool) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut buf = String::new();
    let mut in_word = false;
    let mut it = s.chars().peekable();
    let add_char = |c: char, buf: &mut String, words: &mut Vec<String>, in_word: &mut bool| {
        if c.is_whitespace() {
            if *in_word && !buf.is_empty() {
                words.push(std::mem::take(buf));
                *in_word = false;
            }
        } else {
            buf.push(c);
            *in_word = true;
        }
    };
    while let Some(&c) = it.peek() {
        match c {
            '\'' => {
                it.next();
                if raw {
                    buf.push('\'');
                }
                loop {
                    match it.next()? {
                        '\'' => break,
                        ch => buf.push(ch),
                    }
                }
                if raw {
                    buf.push('\'');
                }
                in_word = true;
            }
            '"' => {
                it.next();
                if raw {
                    buf.push('"');
                }
                loop {
                    match it.next()? {
                        '"' => break,
                        '\\' => {
                            if raw {
                                buf.push('\\');
                            }
                            match it.peek() {
                                None => {}
                                Some('"' | '$' | '\\') => buf.push(it.next()?),
                                Some(_) => buf.push('\\'),
                            }
                        }
                        ch => buf.push(ch),
                    }
                }
                if raw {
                    buf.push('"');
                }
                in_word = true;
            }
            '<' => {
                it.next();
                buf.push('<');
                if it.peek() == Some(&'<') {
                    it.next();
                    buf.push('<');
                    while let Some(&w) = it.peek().filter(|w| matches!(w, ' ' | '\t' | '\r' | '\n'))
                    {
                        buf.push(w);
                        it.next();
                    }
                }
                in_word = true;
            }
            '\\' => {
                it.next();
                if raw {
                    buf.push('\\');
                }
                let Some(n) = it.next() else { break };
                buf.push(n);
                in_word = true;
            }
            c => {
                it.next();
                add_char(c, &mut buf, &mut words, &mut in_word);
            }
        }
    }
    if !buf.is_empty() {
        words.push(buf);
    }
    Some(words)
}

/// BuildKit's `parseWords`: words separated by whitespace, quotes and escapes kept; an escape
/// token at the very end is dropped. Ranges into `s`.
pub(super) fn quoted_words(s: &str, escape: u8) -> Vec<Range<usize>> {
    let escape = char::from(escape);
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if quote.is_none() && c.is_whitespace() {
            if let Some(st) = start.take() {
                words.push(st..i);
            }
            continue;
        }
        start.get_or_insert(i);
        if c == escape && quote != Some('\'') {
            iter.next();
            continue;
        }
        match quote {
            None if c == '"' || c == '\'' => quote = Some(c),
            Some(q) if c == q => quote = None,
            _ => {}
        }
    }
    if let Some(st) = start {
        words.push(st..s.len());
    }
    words
}

/// BuildKit's argument checks (`instructions/parse.go`) that do not depend on the build: the
/// first problem, with its span.
fn check(i: &Instr) -> Option<(Range<usize>, String)> {
    let name = &*i.name;
    let kw = i.keyword.clone();
    let all = i.args.clone();
    let all = if all.is_empty() { kw.clone() } else { all };
    if !KNOWN.contains(&name) {
        let written = &i.name;
        return Some((kw, format!("unknown instruction '{written}'")));
    }
    if takes_json(name) && i.json.is_none() && i.text.starts_with('[') && is_json_array(&i.text) {
        return Some((
            all,
            format!(
                "{name}: when using JSON array syntax, arrays must be comprised of strings only"
            ),
        ));
    }
    match name {
        "ENV" | "LABEL" => return check_name_values(i),
        "ARG" => {
            if i.text.is_empty() {
                return Some((kw, "ARG requires at least one argument".into()));
            }
            for w in quoted_words(&i.text, b'\\') {
                if i.text[w.clone()].starts_with('=') {
                    return Some((i.orig(w), "ARG names can not be blank".into()));
                }
            }
        }
        "FROM" => {
            let ws = i.plain_words();
            match ws.len() {
                1 => {}
                3 if ws[1].value.eq_ignore_ascii_case("as") => {
                    let n = ws[2].value.to_ascii_lowercase();
                    let valid = n.starts_with(|c: char| c.is_ascii_lowercase())
                        && n.bytes().all(|b| {
                            b.is_ascii_lowercase()
                                || b.is_ascii_digit()
                                || matches!(b, b'-' | b'_' | b'.')
                        });
                    if !valid {
                        return Some((
                            ws[2].span.clone(),
                            format!(
                                "invalid name for build stage: '{}', name can't start with a number or contain symbols",
                                ws[2].value
                            ),
                        ));
                    }
                }
                _ => {
                    return Some((all, "FROM requires either one or three arguments".into()));
                }
            }
        }
        "MAINTAINER" | "WORKDIR" | "USER" | "STOPSIGNAL" if i.text.is_empty() => {
            return Some((kw, format!("{name} requires exactly one argument")));
        }
        "EXPOSE" | "VOLUME" | "ONBUILD" | "HEALTHCHECK" | "SHELL" => {
            let empty = match &i.json {
                Some(ws) => ws.is_empty(),
                None => i.text.is_empty(),
            };
            if empty {
                return Some((kw, format!("{name} requires at least one argument")));
            }
            if let (Some(ws), "VOLUME") = (&i.json, name)
                && let Some(w) = ws.iter().find(|w| w.value.trim().is_empty())
            {
                return Some((
                    w.span.clone(),
                    "VOLUME specified can not be an empty string".into(),
                ));
            }
            if name == "SHELL" && i.json.is_none() {
                return Some((
                    all,
                    "SHELL requires the arguments to be in JSON form".into(),
                ));
            }
            if name == "ONBUILD" {
                return check_onbuild(i);
            }
            if name == "HEALTHCHECK" {
                return check_healthcheck(i);
            }
        }
        "ADD" | "COPY" => {
            let n = match &i.json {
                Some(ws) => ws.len(),
                None => i.plain_words().len(),
            };
            if n < 2 {
                return Some((
                    all,
                    format!("{name} requires at least two arguments: a source and a destination"),
                ));
            }
        }
        _ => {}
    }
    None
}

/// `ENV`/`LABEL`: `name=value ...`, or the legacy `name value`.
fn check_name_values(i: &Instr) -> Option<(Range<usize>, String)> {
    let name = &*i.name;
    let words = quoted_words(&i.text, b'\\');
    let Some(first) = words.first() else {
        return Some((
            i.keyword.clone(),
            format!("{name} requires at least one argument"),
        ));
    };
    if !i.text[first.clone()].contains('=') {
        if !i.text.bytes().any(is_blank) {
            return Some((
                i.orig(first.clone()),
                format!(
                    "{name} must have two arguments (`{name} name value` or `{name} name=value`)"
                ),
            ));
        }
        return None;
    }
    for w in &words {
        let t = &i.text[w.clone()];
        if !t.contains('=') {
            return Some((
                i.orig(w.clone()),
                format!("{name}: can't find = in \"{t}\"; it must be of the form name=value"),
            ));
        }
        if t.starts_with('=') {
            return Some((i.orig(w.clone()), format!("{name} names can not be blank")));
        }
    }
    None
}

fn check_onbuild(i: &Instr) -> Option<(Range<usize>, String)> {
    let sub = i.sub.as_ref()?;
    match &*sub.name {
        "ONBUILD" => Some((
            sub.keyword.clone(),
            "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".into(),
        )),
        "MAINTAINER" | "FROM" => Some((
            sub.keyword.clone(),
            format!("{} isn't allowed as an ONBUILD trigger", sub.name),
        )),
        // BuildKit checks the trigger only when a build uses this image as its base.
        _ => None,
    }
}

fn check_healthcheck(i: &Instr) -> Option<(Range<usize>, String)> {
    let typ_len = i.text.find(char::is_whitespace).unwrap_or(i.text.len());
    let typ = i.text[..typ_len].to_ascii_uppercase();
    let rest = i.text[typ_len..].trim_start();
    let typ_span = i.orig(0..typ_len);
    match typ.as_str() {
        "NONE" if !rest.is_empty() => {
            Some((typ_span, "HEALTHCHECK NONE takes no arguments".into()))
        }
        "NONE" => None,
        "CMD" => {
            let empty = if rest.starts_with('[') {
                json_strings(rest).is_some_and(|w| w.is_empty())
            } else {
                rest.is_empty()
            };
            if rest.starts_with('[') && json_strings(rest).is_none() && is_json_array(rest) {
                return Some((
                    typ_span,
                    "HEALTHCHECK: when using JSON array syntax, arrays must be comprised of strings only".into(),
                ));
            }
            empty.then(|| (typ_span, "missing command after HEALTHCHECK CMD".into()))
        }
        _ => Some((
            typ_span,
            format!(
                "unknown type \"{}\" in HEALTHCHECK (try CMD)",
                &i.text[..typ_len]
            ),
        )),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    #[test]
    fn a_byte_map_of_runs_agrees_with_one_offset_per_byte() {
        // Three physical lines' runs: 10..14, 20..20 (empty), 30..33; the end at 40.
        let mut map = ByteMap::default();
        let mut bytes: Vec<usize> = Vec::new();
        for run in [10..14, 20..20, 30..33] {
            bytes.extend(run.clone());
            map.push_run(run);
        }
        map.end = 40;
        bytes.push(40);
        for (i, &offset) in bytes.iter().enumerate() {
            assert_eq!(map.get(i), Some(offset), "byte {i}");
        }
        assert_eq!(map.get(bytes.len()), None);
        for (from, to) in [(0, 7), (2, 5), (4, 4), (5, 7), (0, 0)] {
            let sliced = map.slice(from..to, 99);
            for i in 0..to - from {
                assert_eq!(
                    sliced.get(i),
                    Some(bytes[from + i]),
                    "{from}..{to} byte {i}"
                );
            }
            assert_eq!(sliced.get(to - from), Some(99));
        }
    }

    /// Where `bench/dockerfile-corpus.sh` put the corpus (outside git), if it did.
    pub(crate) fn corpus(sub: &str) -> Option<std::path::PathBuf> {
        let root = std::env::var_os("STOWLINT_DOCKERFILE_CORPUS").map_or_else(
            // The workspace's `target/`, two folders above this crate's.
            || {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../target/corpus/dockerfile")
            },
            std::path::PathBuf::from,
        );
        let dir = root.join(sub);
        if dir.is_dir() {
            Some(dir)
        } else {
            eprintln!(
                "skipped: no corpus at {} (run `bash bench/dockerfile-corpus.sh`)",
                dir.display()
            );
            None
        }
    }

    /// Go's `strconv.Quote`.
    fn go_quote(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\u{7}' => out.push_str("\\a"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\u{b}' => out.push_str("\\v"),
                c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                    out.push_str(&format!("\\x{:02x}", u32::from(c)));
                }
                c if c.is_whitespace() && c != ' ' => {
                    out.push_str(&format!("\\u{:04x}", u32::from(c)));
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    /// The arguments BuildKit's parser gives an instruction (its node's `Next` chain).
    fn node_args(i: &Instr, escape: u8) -> Vec<String> {
        let text = i.text.as_str();
        let json = || {
            i.json
                .as_ref()
                .map(|w| w.iter().map(|w| w.value.clone()).collect())
        };
        let plain = || i.plain_words().into_iter().map(|w| w.value).collect();
        match &*i.name {
            "ADD" | "COPY" | "VOLUME" => json().unwrap_or_else(plain),
            "EXPOSE" | "FROM" => plain(),
            "ARG" => quoted_words(text, escape)
                .into_iter()
                .map(|r| text[r].to_owned())
                .collect(),
            "CMD" | "ENTRYPOINT" | "RUN" | "SHELL" if text.is_empty() => Vec::new(),
            "CMD" | "ENTRYPOINT" | "RUN" | "SHELL" => {
                json().unwrap_or_else(|| vec![text.to_owned()])
            }
            "ENV" | "LABEL" => {
                let words = quoted_words(text, escape);
                match words.first() {
                    None => Vec::new(),
                    Some(f) if !text[f.clone()].contains('=') => {
                        let cut = text.bytes().position(is_blank).unwrap_or(text.len());
                        let value = text[cut..].trim_start_matches(|c: char| is_blank(c as u8));
                        vec![text[..cut].to_owned(), value.to_owned(), String::new()]
                    }
                    Some(_) => words
                        .into_iter()
                        .flat_map(|r| {
                            let (k, v) = text[r].split_once('=').unwrap_or(("", ""));
                            [k.to_owned(), v.to_owned(), "=".to_owned()]
                        })
                        .collect(),
                }
            }
            "HEALTHCHECK" if text.is_empty() => Vec::new(),
            "HEALTHCHECK" => {
                let cut = text.find(char::is_whitespace).unwrap_or(text.len());
                let rest = text[cut..].trim_start();
                let mut out = vec![text[..cut].to_owned()];
                match json_strings(rest) {
                    Some(ws) if rest.starts_with('[') => out.extend(ws.into_iter().map(|w| w.0)),
                    _ if rest.is_empty() => {}
                    _ => out.push(rest.to_owned()),
                }
                out
            }
            _ if text.is_empty() => Vec::new(),
            _ => vec![text.to_owned()],
        }
    }

    /// One line of BuildKit's `Node.Dump()`, without the parentheses.
    fn dump(i: &Instr, escape: u8) -> String {
        let mut s = i.name.to_ascii_lowercase();
        if !i.flags.is_empty() {
            let flags: Vec<String> = i
                .flags
                .iter()
                .map(|f| {
                    go_quote(&match &f.value {
                        Some(v) => format!("--{}={v}", f.name),
                        None => format!("--{}", f.name),
                    })
                })
                .collect();
            s.push_str(&format!(" [{}]", flags.join(" ")));
        }
        if let Some(sub) = &i.sub {
            s.push_str(&format!(" ({})", dump(sub, escape)));
        } else {
            for a in node_args(i, escape) {
                s.push(' ');
                s.push_str(&go_quote(&a));
            }
        }
        s
    }

    fn dump_file(text: &str) -> (String, Vec<String>) {
        let f = parse(text);
        let lines: Vec<String> = f
            .instructions
            .iter()
            .map(|i| format!("({})\n", dump(i, f.escape)))
            .collect();
        let errors = f.errors.iter().map(|e| e.1.clone()).collect();
        (lines.concat(), errors)
    }

    /// BuildKit's parser test files: our reading of each `Dockerfile` must print as its
    /// `result`, and every negative case must fail. Read from the corpus outside git.
    #[test]
    fn agrees_with_buildkit_parser_testfiles() {
        let Some(dir) = corpus("buildkit") else {
            return;
        };
        let mut cases: Vec<_> = std::fs::read_dir(dir.join("testfiles"))
            .expect("testfiles")
            .map(|e| e.expect("entry").path())
            .collect();
        cases.sort();
        let mut failures = Vec::new();
        for case in &cases {
            let text = std::fs::read_to_string(case.join("Dockerfile")).expect("Dockerfile");
            let want = std::fs::read_to_string(case.join("result")).expect("result");
            let (got, errors) = dump_file(&text);
            // BuildKit's parser reads these; its instruction checks (ours too) then reject
            // them: `HEALTHCHECK` alone, `HEALTHCHECK CMD` alone, `HEALTHCHECK CONNECT ...`.
            let rejected_later = case.ends_with("health") && errors.len() == 3;
            if got != want || !(errors.is_empty() || rejected_later) {
                let diff: Vec<String> = got
                    .lines()
                    .zip(want.lines())
                    .filter(|(g, w)| g != w)
                    .take(3)
                    .map(|(g, w)| format!("    ours:     {g}\n    buildkit: {w}"))
                    .collect();
                failures.push(format!(
                    "{}: {} vs {} lines, errors {errors:?}\n{}",
                    case.display(),
                    got.lines().count(),
                    want.lines().count(),
                    diff.join("\n")
                ));
            }
        }
        let mut negatives: Vec<_> = std::fs::read_dir(dir.join("testfiles-negative"))
            .expect("testfiles-negative")
            .map(|e| e.expect("entry").path())
            .collect();
        negatives.sort();
        for case in &negatives {
            let text = std::fs::read_to_string(case.join("Dockerfile")).expect("Dockerfile");
            let parsed =
                crate::dockerfile::parse(&crate::model::SourceFile::new("Dockerfile", text));
            if parsed.errors.is_empty() {
                failures.push(format!("{}: accepted, BuildKit rejects it", case.display()));
            }
        }
        eprintln!(
            "BuildKit parser testfiles: {} of {} agree; negative cases: {}; differences:\n{}",
            cases.len() + negatives.len() - failures.len(),
            cases.len() + negatives.len(),
            negatives.len(),
            failures.join("\n")
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

//! A spanned YAML tree built from granit-parser's event stream.
//!
//! Why granit-parser: it reads what libyaml reads, and so what `docker compose` (go-yaml) and
//! `kubectl` read, where saphyr-parser, of which it is the maintained fork, refused flow
//! collections closed at their key's indentation; `tests/it/yaml_differential.rs` holds it to
//! libyaml. Its spans are byte offsets.
//!
//! Why our own tree: serde_yaml gives values no positions, and we need for every node its byte
//! span, YAML 1.1-style lookups where Kubernetes and Compose expect them (`yes` as a boolean),
//! `<<` merge keys (YAML 1.1; the parser is YAML 1.2), duplicate-key detection and a bound on alias
//! expansion. Aliases share the anchored node (`Rc`), so a merged or aliased value keeps the
//! span where it is written and nothing is copied; the expansion bound protects whoever walks
//! the tree from a "billion laughs" document.

use std::collections::HashMap;
use std::rc::Rc;

use granit_parser::{
    ErrorKind, Event, Marker, Parser, ScalarStyle, Span as RawSpan, StructureStyle,
};

use crate::model::{ParseError, RUNTIME_READS_IT, SourceFile, Span};

/// Deeper collections are refused: no real manifest comes near (a CRD's schema nests a few
/// dozen levels), and whoever walks or drops the tree recurses once per level. The parser stops
/// flow collections at this depth (its scanner runs ahead of its events, so it sees them first);
/// we stop block ones (`- - - - ...`) here, with the same message.
pub const MAX_DEPTH: usize = 255;

/// Past this many expanded nodes, and 20 times the written nodes, a document is refused.
const EXPANSION_FLOOR: u64 = 100_000;
const EXPANSION_FACTOR: u64 = 20;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    Block,
    /// Not written: the null that stands for an alias to an anchor the file does not define
    /// (a fragment concatenated with the file that defines it before use).
    UnknownAlias,
}

/// A node's content: 24 bytes. Short scalars are interned per stream (a manifest repeats
/// `name`, `image`, `mountPath` thousands of times); children are exact-size slices.
#[derive(Debug)]
pub enum Value {
    Scalar(Rc<str>, Style),
    Seq(Box<[Rc<Node>]>),
    Map(Box<[(Rc<Node>, Rc<Node>)]>),
}

/// A YAML node and the span where it is written: 40 bytes (56 with its `Rc` counts), where a
/// manifest has about one node per eight bytes.
#[derive(Debug)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// Nodes this one stands for once aliases are expanded (saturating).
    weight: u32,
}

/// Dropped without recursion: aliases share nodes, so a chain of anchors each holding an alias
/// to the one before (`a2: &a2 {<<: *a1}`) is as deep as the file is long, and a recursive
/// drop of 100,000 links overflowed the stack (the whole run aborted). Children whose last
/// owner is being dropped are moved to a work list instead.
impl Drop for Node {
    fn drop(&mut self) {
        let mut stack: Vec<Rc<Node>> = Vec::new();
        take_children(&mut self.value, &mut stack);
        while let Some(child) = stack.pop() {
            if let Ok(mut node) = Rc::try_unwrap(child) {
                take_children(&mut node.value, &mut stack);
            }
        }
    }
}

fn take_children(value: &mut Value, stack: &mut Vec<Rc<Node>>) {
    match value {
        Value::Seq(items) => stack.extend(std::mem::take(items)),
        Value::Map(entries) => {
            for (k, v) in std::mem::take(entries) {
                stack.push(k);
                stack.push(v);
            }
        }
        Value::Scalar(..) => {}
    }
}

impl Node {
    /// The scalar's text, in any style.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// A non-null scalar's text.
    #[must_use]
    pub fn as_text(&self) -> Option<&str> {
        if self.is_null() { None } else { self.as_str() }
    }

    #[must_use]
    pub fn style(&self) -> Option<Style> {
        match &self.value {
            Value::Scalar(_, st) => Some(*st),
            _ => None,
        }
    }

    /// Where the scalar's text starts in the file (`text` is the file's), when the text
    /// between its delimiters is exactly its value (no escapes, no folding): only then do
    /// offsets inside the value map back to the file.
    #[must_use]
    pub fn value_offset(&self, text: &str) -> Option<usize> {
        let value = self.as_str()?;
        let written = self.span.text(text);
        let start = self.span.start();
        match self.style()? {
            Style::Plain if written == value => Some(start),
            Style::Quoted if written.get(1..written.len().saturating_sub(1)) == Some(value) => {
                Some(start + 1)
            }
            _ => None,
        }
    }

    /// `~`, `null` or nothing at all, written plain.
    #[must_use]
    pub fn is_null(&self) -> bool {
        match &self.value {
            Value::Scalar(s, Style::Plain) => matches!(&**s, "" | "~" | "null" | "Null" | "NULL"),
            Value::Scalar(_, Style::UnknownAlias) => true,
            _ => false,
        }
    }

    /// Where a mapping merges an alias to an anchor the file does not define (`<<: *deploy`,
    /// `<<: [*place, *deploy]`): it may hold any key the file does not show.
    #[must_use]
    pub fn merges_unknown_alias(&self) -> Option<Span> {
        let Value::Map(entries) = &self.value else {
            return None;
        };
        let unknown = |n: &Node| matches!(n.value, Value::Scalar(_, Style::UnknownAlias));
        entries
            .iter()
            .filter(|(k, _)| is_merge_key(k))
            .find_map(|(_, v)| match &v.value {
                Value::Seq(items) => items.iter().find(|i| unknown(i)).map(|i| i.span),
                _ => unknown(v).then_some(v.span),
            })
    }

    /// A boolean as Kubernetes and Compose read it (YAML 1.1: `yes`, `on`, `true`, ...).
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        let Value::Scalar(s, style) = &self.value else {
            return None;
        };
        let lower = s.to_ascii_lowercase();
        match (lower.as_str(), style) {
            ("true", _) | ("yes" | "on" | "y", Style::Plain) => Some(true),
            ("false", _) | ("no" | "off" | "n", Style::Plain) => Some(false),
            _ => None,
        }
    }

    /// A non-negative integer, also when quoted (`replicas: "3"` is common in templates).
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        self.as_str()?.trim().parse().ok()
    }

    #[must_use]
    pub fn as_seq(&self) -> Option<&[Rc<Node>]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    #[must_use]
    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// The value of `key`, looking through `<<` merge keys; own keys win over merged ones and
    /// earlier merge sources over later ones.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|(_, v)| v)
    }

    /// The key node and value node of `key`, looking through `<<` merge keys.
    #[must_use]
    pub fn get_entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.get_entry_depth(key, 0)
    }

    fn get_entry_depth(&self, key: &str, depth: usize) -> Option<(&Node, &Node)> {
        let Value::Map(entries) = &self.value else {
            return None;
        };
        if let Some((k, v)) = entries.iter().find(|(k, _)| k.as_str() == Some(key)) {
            return Some((k, v));
        }
        if depth > 32 {
            return None;
        }
        for source in merge_sources(entries) {
            if let Some(found) = source.get_entry_depth(key, depth + 1) {
                return Some(found);
            }
        }
        None
    }

    /// A path of keys: `node.path(&["spec", "template", "spec"])`.
    #[must_use]
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// All entries of a mapping with merge keys resolved: own entries in order, then merged
    /// entries whose key is not already present. Empty for non-mappings.
    #[must_use]
    pub fn entries(&self) -> Vec<(&Node, &Node)> {
        let mut out = Vec::new();
        let Value::Map(entries) = &self.value else {
            return out;
        };
        out.extend(
            entries
                .iter()
                .filter(|(k, _)| !is_merge_key(k))
                .map(|(k, v)| (&**k, &**v)),
        );
        if merge_sources(entries).next().is_none() {
            return out;
        }
        // Merged entries count only where the key is new: a set of the keys so far keeps a
        // mapping of many keys with a merge linear.
        let mut seen: std::collections::HashSet<&str> =
            out.iter().filter_map(|(k, _)| k.as_str()).collect();
        for source in merge_sources(entries) {
            source.collect_merged(&mut out, &mut seen, 1);
        }
        out
    }

    /// The entries a merge brings in (`depth` levels down), those whose key is not yet in
    /// `seen`.
    fn collect_merged<'a>(
        &'a self,
        out: &mut Vec<(&'a Node, &'a Node)>,
        seen: &mut std::collections::HashSet<&'a str>,
        depth: usize,
    ) {
        let Value::Map(entries) = &self.value else {
            return;
        };
        for (k, v) in entries {
            if is_merge_key(k) {
                continue;
            }
            match k.as_str() {
                Some(key) if !seen.insert(key) => {}
                _ => out.push((k, v)),
            }
        }
        if depth > 32 {
            return;
        }
        for source in merge_sources(entries) {
            source.collect_merged(out, seen, depth + 1);
        }
    }
}

fn is_merge_key(k: &Node) -> bool {
    matches!(&k.value, Value::Scalar(s, Style::Plain) if &**s == "<<")
}

/// The mappings a `<<` key merges in, in priority order.
fn merge_sources(entries: &[(Rc<Node>, Rc<Node>)]) -> impl Iterator<Item = &Node> {
    entries
        .iter()
        .filter(|(k, _)| is_merge_key(k))
        .flat_map(|(_, v)| match &v.value {
            Value::Map(_) => vec![&**v],
            Value::Seq(items) => items.iter().map(|i| &**i).filter(|i| i.is_map()).collect(),
            Value::Scalar(..) => vec![],
        })
}

/// One document of a stream.
#[derive(Debug)]
pub struct Document {
    /// `None` for an empty document.
    pub root: Option<Rc<Node>>,
    /// From the document's first token to its last.
    pub span: Span,
}

/// The documents read before any syntax error, and every error found.
#[derive(Debug, Default)]
pub struct Stream {
    pub documents: Vec<Document>,
    pub errors: Vec<ParseError>,
    /// Keys written twice in one mapping, at the second one. YAML forbids them, but readers
    /// differ: `docker compose` (go-yaml v3) refuses the file, `kubectl` (go-yaml v2) and
    /// libyaml keep the last value. The tree keeps the last value too; whether a duplicate is
    /// an error is the format's business (see `parse::parse_file`).
    pub duplicate_keys: Vec<ParseError>,
    /// Aliases to an anchor not defined before them, each read as a null. Every reader refuses
    /// them, but a file using anchors it does not define is most often a fragment joined to
    /// the file that defines them before use; whether they are errors is the caller's business
    /// (see `parse::parse_file`).
    pub unknown_aliases: Vec<ParseError>,
    /// A syntax error or an alias bomb: part of the stream could not be read.
    pub fatal: bool,
}

enum Frame {
    Seq {
        start: usize,
        flow: bool,
        anchor: usize,
        items: Vec<Rc<Node>>,
    },
    Map {
        start: usize,
        flow: bool,
        anchor: usize,
        entries: Vec<(Rc<Node>, Rc<Node>)>,
        key: Option<Rc<Node>>,
    },
}

/// A marker's byte offset. The parser gives byte offsets for text read from a `&str`; the
/// character index is the fallback should one ever lack it.
fn byte_offset(text: &str, marker: &Marker) -> usize {
    marker.byte_offset().unwrap_or_else(|| {
        text.char_indices()
            .nth(marker.index())
            .map_or(text.len(), |(b, _)| b)
    })
}

/// Scalars up to this many bytes are interned.
const INTERNED: usize = 32;

struct Builder<'a> {
    file: &'a SourceFile,
    /// The short scalars read so far (see [`Builder::intern`]).
    strings: std::collections::HashSet<Rc<str>>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Rc<Node>>,
    doc_root: Option<Rc<Node>>,
    doc_start: usize,
    doc_end: usize,
    written: u64,
    /// The first alias to a node past the expansion floor: where a bomb is reported.
    bomb_site: Option<Span>,
    fatal: bool,
    errors: Vec<ParseError>,
    duplicates: Vec<ParseError>,
    unknown_aliases: Vec<ParseError>,
}

impl Builder<'_> {
    /// A scalar's text: short ones shared with their earlier copies.
    fn intern(&mut self, text: &str) -> Rc<str> {
        if text.len() > INTERNED {
            return Rc::from(text);
        }
        if let Some(known) = self.strings.get(text) {
            return Rc::clone(known);
        }
        let new: Rc<str> = Rc::from(text);
        self.strings.insert(Rc::clone(&new));
        new
    }

    fn span(&self, start: usize, end: usize) -> Span {
        self.file.span(start..end.max(start))
    }

    fn raw(&self, raw: &RawSpan) -> (usize, usize) {
        (
            byte_offset(&self.file.text, &raw.start),
            byte_offset(&self.file.text, &raw.end),
        )
    }

    /// Attach a finished node to its parent, or make it the document root.
    fn push(&mut self, node: Rc<Node>, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, Rc::clone(&node));
        }
        self.doc_end = self.doc_end.max(node.span.end());
        match self.stack.last_mut() {
            None => self.doc_root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }

    /// Inside a flow collection (`[...]`, `{...}`) as far as the events have gone.
    fn in_flow(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Seq { flow: true, .. } | Frame::Map { flow: true, .. })
        )
    }

    /// An alias to an anchor not defined before it: recorded, and a null in its place.
    fn unknown_alias(&mut self, start: usize, end: usize) {
        let span = self.span(start, end);
        self.unknown_aliases.push(ParseError {
            message: format!(
                "alias `{}` to an anchor the file does not define (before it)",
                span.text(&self.file.text)
            ),
            span,
        });
        let node = Rc::new(Node {
            value: Value::Scalar(Rc::from(""), Style::UnknownAlias),
            span,
            weight: 1,
        });
        self.push(node, 0);
    }

    /// Records every key written twice and keeps only its last entry, as `kubectl` and libyaml
    /// read it (`<<` merge keys may repeat: each merges).
    fn check_duplicates(&mut self, entries: &mut Vec<(Rc<Node>, Rc<Node>)>) {
        let before = self.duplicates.len();
        self.find_duplicates(entries);
        if self.duplicates.len() == before {
            return;
        }
        let mut seen: std::collections::HashSet<Rc<str>> = std::collections::HashSet::new();
        let mut keep = vec![true; entries.len()];
        for (i, (k, _)) in entries.iter().enumerate().rev() {
            if let Value::Scalar(key, _) = &k.value
                && !is_merge_key(k)
                && !seen.insert(Rc::clone(key))
            {
                keep[i] = false;
            }
        }
        let mut keep = keep.into_iter();
        entries.retain(|_| keep.next().unwrap_or(true));
    }

    fn find_duplicates(&mut self, entries: &[(Rc<Node>, Rc<Node>)]) {
        // Most mappings are small: a linear scan beats hashing and allocating a table.
        if entries.len() <= 16 {
            for (i, (k, _)) in entries.iter().enumerate() {
                let Some(key) = k.as_str() else { continue };
                if let Some((first, _)) = entries[..i].iter().find(|(e, _)| e.as_str() == Some(key))
                {
                    self.duplicate(key, first, k);
                }
            }
            return;
        }
        let mut seen: HashMap<&str, &Node> = HashMap::with_capacity(entries.len());
        for (k, _) in entries {
            let Some(key) = k.as_str() else { continue };
            if let Some(first) = seen.get(key) {
                self.duplicate(key, first, k);
            } else {
                seen.insert(key, k);
            }
        }
    }

    fn duplicate(&mut self, key: &str, first: &Node, again: &Node) {
        self.duplicates.push(ParseError {
            message: format!(
                "duplicate key `{key}` (first defined on line {})",
                self.file.pos(first.span.start()).line
            ),
            span: again.span,
        });
    }

    fn end_collection(&mut self, end_event: (usize, usize)) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let (start, flow, anchor, value) = match frame {
            Frame::Seq {
                start,
                flow,
                anchor,
                items,
            } => (start, flow, anchor, Value::Seq(items.into_boxed_slice())),
            Frame::Map {
                start,
                flow,
                anchor,
                mut entries,
                ..
            } => {
                self.check_duplicates(&mut entries);
                (start, flow, anchor, Value::Map(entries.into_boxed_slice()))
            }
        };
        // No list of the children: one is built per collection, and this is the hot path.
        let (weight, last_end) = match &value {
            Value::Seq(items) => (
                items
                    .iter()
                    .fold(1u32, |acc, c| acc.saturating_add(c.weight)),
                items.last().map(|c| c.span.end()),
            ),
            Value::Map(entries) => (
                entries.iter().fold(1u32, |acc, (k, v)| {
                    acc.saturating_add(k.weight).saturating_add(v.weight)
                }),
                entries.last().map(|(_, v)| v.span.end()),
            ),
            Value::Scalar(..) => (1, None),
        };
        // Block collections end where their last child ends; the end event sits on the next
        // token, past trailing blank lines and comments.
        let end = if flow {
            // Just past the closing bracket: the parser's end event may run on over blanks and
            // comments.
            (end_event.0 + 1).min(end_event.1.max(end_event.0 + 1))
        } else {
            last_end.unwrap_or(start)
        };
        let node = Rc::new(Node {
            value,
            span: self.span(start, end),
            weight,
        });
        self.push(node, anchor);
    }
}

/// The offset just past the quote that closes the quoted scalar starting at `start`.
fn closing_quote(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(start)?;
    let mut i = start + 1;
    while i < bytes.len() {
        match (quote, bytes[i]) {
            (b'"', b'\\') => i += 2,
            (b'"', b'"') => return Some(i + 1),
            (b'\'', b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            (b'\'', b'\'') => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Where a node's content starts when it follows its tag or anchor on the same line
/// (`!!str /etc:/x`, `&base /data`): the parser starts the node's span at the tag, and rules that
/// point into a value (the host part of `/etc:/x`) need the value's own start. A node whose
/// content starts on a later line keeps its tag in its span.
fn past_properties(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut at = start;
    while matches!(bytes.get(at), Some(b'!' | b'&')) {
        let mut next = at;
        while bytes.get(next).is_some_and(|b| !b.is_ascii_whitespace()) {
            next += 1;
        }
        while matches!(bytes.get(next), Some(b' ' | b'\t')) {
            next += 1;
        }
        match bytes.get(next) {
            None | Some(b'\r' | b'\n' | b'#') => return start,
            Some(_) => at = next,
        }
    }
    at
}

/// For the syntax errors our parser reports where libyaml reads on (found by the differential
/// test, `tests/it/yaml_differential.rs`), the edit that makes the file readable to both.
fn runtime_reads(kind: &ErrorKind, text: &str, at: usize, in_flow: bool) -> Option<&'static str> {
    let before = text.as_bytes().get(..at).and_then(|b| b.last().copied());
    match kind {
        // `[a, b]# c`, `[a,#c`: libyaml starts a comment at `#` after any token.
        ErrorKind::CommentNotSeparated
            if matches!(
                before,
                Some(b',' | b'[' | b']' | b'{' | b'}' | b'"' | b'\'')
            ) =>
        {
            Some("put a space before `#`")
        }
        // A tab starting a line inside `[...]` or `{...}`: whitespace to libyaml.
        ErrorKind::TabInBlockIndentation
        | ErrorKind::TabInIndentation
        | ErrorKind::TabNotAllowed
            if in_flow =>
        {
            Some("indent with spaces")
        }
        // A byte order mark starting a line: libyaml skips it (files joined with `cat`).
        ErrorKind::BomInsideDocument if bom_patch(text, at).is_some() => {
            Some("remove the byte order mark")
        }
        _ => None,
    }
}

/// Where a block sequence starts: its first `-`. The parser starts an indentless sequence
/// (`key:` then `- [...]` at the key's column) at its first item's content instead.
fn first_dash(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    if bytes.get(start) == Some(&b'-') {
        return start;
    }
    let mut at = start;
    while at > 0 && matches!(bytes[at - 1], b' ' | b'\t') {
        at -= 1;
    }
    if at > 0 && bytes[at - 1] == b'-' {
        at - 1
    } else {
        start
    }
}

fn too_deep() -> String {
    format!("nesting deeper than {MAX_DEPTH} levels; not read")
}

/// The parser's event stream alone, with the options [`parse`] uses (see
/// [`super::syntax_only`]): the number of events up to the end or the first error.
#[must_use]
pub fn events_only(text: &str) -> usize {
    Parser::new_from_str_with_options(text, parser_options())
        .take_while(Result::is_ok)
        .count()
}

fn parser_options() -> granit_parser::Options {
    // Unknown anchors are our error (not fatal, the rest of the file is still read), and depth
    // is bounded by our own check in the builder, one message for flow and block collections
    // alike.
    granit_parser::options! {
        emit_unresolved_aliases: true,
        flow_nesting_limit: MAX_DEPTH,
        block_nesting_limit: MAX_DEPTH + 1,
        // As libyaml, and so `docker compose` and `kubectl`, read `a: |\n  text` at the end.
        block_scalar_eof_without_line_feed: true,
    }
}

/// Read every document of a YAML stream.
#[must_use]
pub fn parse(file: &SourceFile) -> Stream {
    // What libyaml reads and the parser refuses is read again with the refused bytes turned
    // into what libyaml takes them for (see [`libyaml_reads`]): a handful of sites per file
    // at most in real files, and a bounded number of re-reads whatever the input.
    let mut text = std::borrow::Cow::Borrowed(file.text.as_str());
    let mut rereads = 0;
    loop {
        match parse_as(file, &text, rereads < MAX_REREADS) {
            Ok(stream) => return stream,
            Err(patch) => {
                text.to_mut()
                    .replace_range(patch.range.clone(), &patch.with);
                rereads += 1;
            }
        }
    }
}

/// At most this many sites of a file are turned into what libyaml reads (one re-read each);
/// past them, the next is reported as SL001.
pub const MAX_REREADS: usize = 16;

/// Bytes of the text the parser reads replaced by as many others, so that every byte offset
/// stays that of the file.
struct Patch {
    range: std::ops::Range<usize>,
    with: String,
}

/// Where the parser refuses what libyaml reads (and so `docker compose` and `kubectl`), the
/// same number of bytes meaning what libyaml takes them for:
/// - a comment right after a token (`[a, b]# c`, `[a,#c`, `"x"# c`): libyaml starts a comment
///   at `#` after any token; the comment, up to the line's end, becomes spaces;
/// - tabs starting a line inside `[...]` or `{...}`: whitespace to libyaml, where indentation
///   means nothing; they become spaces;
/// - a byte order mark starting a line after a document start, a comment or a blank line
///   (files joined with `cat`): libyaml skips it as one column of blank. The line break
///   before it and the mark (4 or 5 bytes) become two blanks, the line break and one blank:
///   the next token keeps its offset and its column 1.
fn libyaml_reads(kind: &ErrorKind, text: &str, at: usize, in_flow: bool) -> Option<Patch> {
    let bytes = text.as_bytes();
    let line_start = bytes[..at.min(bytes.len())]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1);
    match kind {
        ErrorKind::CommentNotSeparated if bytes.get(at) == Some(&b'#') => {
            runtime_reads(kind, text, at, in_flow)?;
            let end = bytes[at..]
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .map_or(bytes.len(), |i| at + i);
            Some(Patch {
                range: at..end,
                with: " ".repeat(end - at),
            })
        }
        ErrorKind::TabInBlockIndentation
        | ErrorKind::TabInIndentation
        | ErrorKind::TabNotAllowed
            if in_flow =>
        {
            // The blanks that start the line up to the refused token.
            let lead = &bytes[line_start..at.min(bytes.len())];
            if !lead.contains(&b'\t') || !lead.iter().all(|&b| b == b' ' || b == b'\t') {
                return None;
            }
            Some(Patch {
                range: line_start..at,
                with: " ".repeat(at - line_start),
            })
        }
        ErrorKind::BomInsideDocument if at == line_start => bom_patch(text, at),
        _ => None,
    }
}

/// A byte order mark at `at`, starting a line after a document start, a comment or a blank
/// line: the line break before it and the mark become two blanks, the line break and one blank
/// (see [`libyaml_reads`]). After another line (a block scalar's, which would keep the blanks)
/// there is no patch.
fn bom_patch(text: &str, at: usize) -> Option<Patch> {
    let bytes = text.as_bytes();
    if at == 0 || !text[at..].starts_with('\u{feff}') {
        return None;
    }
    let break_start = if at >= 2 && &bytes[at - 2..at] == b"\r\n" {
        at - 2
    } else {
        at - 1
    };
    let line_break = &text[break_start..at];
    let before = &text[..break_start];
    let previous = &before[before.rfind(['\n', '\r']).map_or(0, |i| i + 1)..];
    let previous = previous.trim_start_matches([' ', '\t']);
    let harmless = previous.is_empty()
        || previous.starts_with('#')
        || previous.strip_prefix("---").is_some_and(|rest| {
            rest.trim_start_matches([' ', '\t'])
                .chars()
                .next()
                .is_none_or(|c| c == '#')
        });
    harmless.then(|| Patch {
        range: break_start..at + '\u{feff}'.len_utf8(),
        with: format!("  {line_break} "),
    })
}

/// One reading of `text` (the file's, or a patched copy with the same offsets): the stream,
/// or, when `patch` allows and the parser refused something libyaml reads, what to patch.
fn parse_as(file: &SourceFile, text: &str, patch: bool) -> Result<Stream, Patch> {
    let mut b = Builder {
        file,
        strings: std::collections::HashSet::new(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        doc_root: None,
        doc_start: 0,
        doc_end: 0,
        written: 0,
        bomb_site: None,
        fatal: false,
        errors: Vec::new(),
        duplicates: Vec::new(),
        unknown_aliases: Vec::new(),
    };
    let mut documents = Vec::new();
    for item in Parser::new_from_str_with_options(text, parser_options()) {
        let (event, raw) = match item {
            Ok(pair) => pair,
            Err(e) => {
                let at = byte_offset(&file.text, e.marker());
                if let Some(fix) = libyaml_reads(e.kind(), text, at, b.in_flow()).filter(|_| patch)
                {
                    return Err(fix);
                }
                let span = b.span(at, at);
                let message = if matches!(e.kind(), ErrorKind::RecursionLimitExceeded) {
                    too_deep()
                } else if let Some(fix) = runtime_reads(e.kind(), &file.text, at, b.in_flow()) {
                    format!("YAML syntax error: {}; {RUNTIME_READS_IT}: {fix}", e.info())
                } else {
                    format!("YAML syntax error: {}", e.info())
                };
                b.errors.push(ParseError { message, span });
                b.fatal = true;
                break;
            }
        };
        let (start, end) = b.raw(&raw);
        let start = match event {
            Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..) => {
                past_properties(&file.text, start).min(end.max(start))
            }
            _ => start,
        };
        if matches!(event, Event::SequenceStart(..) | Event::MappingStart(..))
            && b.stack.len() >= MAX_DEPTH
        {
            let span = b.span(start, start);
            b.errors.push(ParseError {
                message: too_deep(),
                span,
            });
            b.fatal = true;
            break;
        }
        match event {
            Event::DocumentStart(..) => {
                b.anchors.clear();
                b.doc_root = None;
                b.doc_start = start;
                b.doc_end = start;
                b.written = 0;
                b.bomb_site = None;
            }
            Event::DocumentEnd => {
                let root = b.doc_root.take();
                let weight = root.as_ref().map_or(0, |r| u64::from(r.weight));
                if weight > EXPANSION_FLOOR && weight > b.written.saturating_mul(EXPANSION_FACTOR) {
                    b.fatal = true;
                    // At the first alias to a huge node: where the bomb goes off.
                    let span = b.bomb_site.unwrap_or_else(|| {
                        let at = root.as_ref().map_or(start, |r| r.span.start());
                        b.span(at, at)
                    });
                    b.errors.push(ParseError {
                        message: format!(
                            "alias expansion limit exceeded: {} written nodes expand to {weight}",
                            b.written
                        ),
                        span,
                    });
                    documents.push(Document {
                        root: None,
                        span: b.span(b.doc_start, b.doc_end),
                    });
                } else {
                    documents.push(Document {
                        root,
                        span: b.span(b.doc_start, b.doc_end),
                    });
                }
            }
            Event::Scalar(text, style, anchor, _tag) => {
                b.written += 1;
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
                    _ => Style::Block,
                };
                // the parser may end a quoted scalar at the next token, past blanks and comments.
                let end = if style == Style::Quoted {
                    closing_quote(&file.text, start).unwrap_or(end)
                } else {
                    end
                };
                // The parser reads an empty value as `~`; it is written as nothing.
                let text = if style == Style::Plain
                    && text == "~"
                    && file.text.as_bytes().get(start) != Some(&b'~')
                {
                    b.intern("")
                } else {
                    b.intern(&text)
                };
                let node = Rc::new(Node {
                    value: Value::Scalar(text, style),
                    span: b.span(start, end),
                    weight: 1,
                });
                b.push(node, anchor);
            }
            Event::Alias(id) => {
                b.written += 1;
                if let Some(node) = b.anchors.get(&id).cloned() {
                    if u64::from(node.weight) > EXPANSION_FLOOR && b.bomb_site.is_none() {
                        b.bomb_site = Some(b.span(start, end));
                    }
                    b.push(node, 0);
                } else {
                    b.unknown_alias(start, end);
                }
            }
            Event::SequenceStart(style, anchor, _) => {
                b.written += 1;
                let flow = style == StructureStyle::Flow;
                let start = if flow {
                    start
                } else {
                    first_dash(&file.text, start)
                };
                b.stack.push(Frame::Seq {
                    start,
                    flow,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(style, anchor, _) => {
                b.written += 1;
                let flow = style == StructureStyle::Flow;
                b.stack.push(Frame::Map {
                    start,
                    flow,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => b.end_collection((start, end)),
            Event::UnresolvedAlias(_) => {
                b.written += 1;
                b.unknown_alias(start, end);
            }
            // Stream markers, and events only options we leave off emit (anchor names).
            _ => {}
        }
    }
    Ok(Stream {
        documents,
        errors: b.errors,
        duplicate_keys: b.duplicates,
        unknown_aliases: b.unknown_aliases,
        fatal: b.fatal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (SourceFile, Stream) {
        let file = SourceFile::new("t.yaml", text.to_string());
        crate::last_file::set(&file);
        let stream = parse(&file);
        (file, stream)
    }

    #[test]
    fn spans_are_exact_in_every_document() {
        let (file, s) = read("a: 1\n---\nkind: Pod\nspec:\n  path: /etc\n");
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert_eq!(s.documents.len(), 2);
        let root = s.documents[1].root.as_ref().unwrap();
        let path = root.path(&["spec", "path"]).unwrap();
        assert_eq!(path.as_str(), Some("/etc"));
        assert_eq!(crate::last_file::start(path.span), (5, 9));
        assert_eq!(path.span.text(&file.text), "/etc");
        let spec = root.get("spec").unwrap();
        assert_eq!(spec.span.text(&file.text), "path: /etc");
    }

    #[test]
    fn quoted_and_flow_spans_include_delimiters() {
        let (file, s) =
            read("v: [\"/a:/b\", 'x']   # c\nw: 'it''s'   # c\nz:\n  - \"a\\\"b\"  # c\n");
        let root = s.documents[0].root.as_ref().unwrap();
        let v = root.get("v").unwrap();
        assert_eq!(v.span.text(&file.text), "[\"/a:/b\", 'x']");
        let first = &v.as_seq().unwrap()[0];
        assert_eq!(first.span.text(&file.text), "\"/a:/b\"");
        assert_eq!(root.get("w").unwrap().span.text(&file.text), "'it''s'");
        let z = &root.get("z").unwrap().as_seq().unwrap()[0];
        assert_eq!(z.span.text(&file.text), "\"a\\\"b\"");
    }

    #[test]
    fn merge_keys_resolve_and_keep_the_written_span() {
        let text = "x: &base\n  image: postgres\n  ports: [1]\ny:\n  <<: *base\n  ports: [2]\n";
        let (_, s) = read(text);
        let y = s.documents[0].root.as_ref().unwrap().get("y").unwrap();
        let image = y.get("image").unwrap();
        assert_eq!(image.as_str(), Some("postgres"));
        assert_eq!(crate::last_file::start(image.span).0, 2);
        assert_eq!(crate::last_file::start(y.get("ports").unwrap().span).0, 6);
        let keys: Vec<_> = y
            .entries()
            .iter()
            .map(|(k, _)| k.as_str().unwrap())
            .collect();
        assert_eq!(keys, ["ports", "image"]);
    }

    #[test]
    fn aliases_to_unknown_anchors_are_listed_apart_and_read_as_nulls() {
        let (_, s) = read("a:\n  <<: [*place, *deploy]\n  b: *nope\nc:\n  <<: *logging\n");
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let messages: Vec<&str> = s
            .unknown_aliases
            .iter()
            .map(|e| e.message.as_str())
            .collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(
            messages[0].starts_with("alias `*place` to an anchor"),
            "{messages:?}"
        );
        let root = s.documents[0].root.as_ref().unwrap();
        let a = root.get("a").unwrap();
        assert!(a.get("b").unwrap().is_null());
        let merged = a
            .merges_unknown_alias()
            .expect("a merges an unknown anchor");
        assert_eq!(crate::last_file::start(merged).0, 2);
        assert!(root.get("c").unwrap().merges_unknown_alias().is_some());
        let known = read("x: &x {k: 1}\ny:\n  <<: *x\n").1;
        let y = known.documents[0].root.as_ref().unwrap().get("y").unwrap();
        assert_eq!(y.merges_unknown_alias(), None);
        assert!(known.unknown_aliases.is_empty());
    }

    #[test]
    fn duplicate_keys_are_reported_at_the_second_key_which_wins() {
        let (_, s) = read("a: 1\nb: 2\na: 3\n");
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert_eq!(s.duplicate_keys.len(), 1);
        assert_eq!(crate::last_file::start(s.duplicate_keys[0].span).0, 3);
        assert!(s.duplicate_keys[0].message.contains("duplicate key `a`"));
        let root = s.documents[0].root.as_ref().unwrap();
        assert_eq!(root.get("a").and_then(Node::as_str), Some("3"));
        let keys: Vec<&str> = root
            .entries()
            .iter()
            .filter_map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["b", "a"]);
        // Repeated merge keys are reported too, and each still merges.
        let (_, s) = read("<<: {c: 4}\n<<: {d: 5}\n");
        assert_eq!(s.duplicate_keys.len(), 1);
        let root = s.documents[0].root.as_ref().unwrap();
        assert_eq!(root.get("c").and_then(Node::as_str), Some("4"));
        assert_eq!(root.get("d").and_then(Node::as_str), Some("5"));
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
        let mut prev = "a";
        for n in names {
            text.push_str(&format!("{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
            prev = n;
        }
        let (_, s) = read(&text);
        assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
        assert!(s.errors[0].message.contains("alias expansion limit"));
        assert!(s.documents[0].root.is_none());
    }

    #[test]
    fn deep_nesting_is_refused_where_it_gets_too_deep() {
        for text in [
            format!("a:\n  {}x\n", "- ".repeat(100_000)),
            format!("a: {}\n", "[".repeat(100_000)),
            format!("{}1{}\n", "{a: ".repeat(1000), "}".repeat(1000)),
        ] {
            let (_, s) = read(&text);
            assert!(s.fatal);
            assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
            assert_eq!(
                s.errors[0].message,
                "nesting deeper than 255 levels; not read"
            );
            let (line, column) = if text.starts_with("a:\n") {
                (2, 3 + 2 * 254)
            } else if text.starts_with("a: [") {
                (1, 4 + 255)
            } else {
                (1, 1 + 4 * 255)
            };
            let at = crate::last_file::start(s.errors[0].span);
            assert_eq!(at, (line, column), "{}", &text[..20]);
        }
        // As deep as allowed: read.
        let (_, s) = read(&format!(
            "{}1{}\n",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        ));
        assert!(s.errors.is_empty(), "{:?}", s.errors);
    }

    #[test]
    fn custom_tags_are_read_as_their_values() {
        let (_, s) = read(
            "image: !Ref DbImage\nvolumes: !override\n  - /data:/data\nenv: !reset {}\nb: !!binary aGVsbG8=\ng: !GetAtt x.y\nn: !!int 3\n",
        );
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let r = s.documents[0].root.as_ref().unwrap();
        assert_eq!(r.get("image").unwrap().as_str(), Some("DbImage"));
        let volumes = r.get("volumes").unwrap().as_seq().unwrap();
        assert_eq!(volumes[0].as_str(), Some("/data:/data"));
        assert!(r.get("env").unwrap().is_map());
        assert_eq!(r.get("b").unwrap().as_str(), Some("aGVsbG8="));
        assert_eq!(r.get("g").unwrap().as_str(), Some("x.y"));
        assert_eq!(r.get("n").unwrap().as_u64(), Some(3));
    }

    #[test]
    fn tags_and_anchors_stay_out_of_the_value_span() {
        let (file, s) = read(
            "a: !!str /etc:/x\nb: &x \"/q\"   # c\nc: !Ref &y [1]\nd: !override\n  - 1\ne: !reset\nf: 1\n",
        );
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let r = s.documents[0].root.as_ref().unwrap();
        let text = |k: &str| r.get(k).unwrap().span.text(&file.text);
        assert_eq!(text("a"), "/etc:/x");
        assert_eq!(text("b"), "\"/q\"");
        assert_eq!(text("c"), "[1]");
        assert!(text("d").ends_with("- 1"), "{}", text("d"));
        assert!(r.get("e").unwrap().is_null());
        assert_eq!(text("f"), "1");
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let (_, s) = read("a: 1\nb: [unclosed\nc: 2\n");
        assert_eq!(s.errors.len(), 1);
        assert!(s.errors[0].message.starts_with("YAML syntax error"));
        assert!(crate::last_file::start(s.errors[0].span).0 >= 2);
    }

    #[test]
    fn yaml11_booleans() {
        let (_, s) = read("a: yes\nb: 'yes'\nc: False\n");
        let r = s.documents[0].root.as_ref().unwrap();
        assert_eq!(r.get("a").unwrap().as_bool(), Some(true));
        assert_eq!(r.get("b").unwrap().as_bool(), None);
        assert_eq!(r.get("c").unwrap().as_bool(), Some(false));
    }

    #[test]
    fn flow_collections_closed_at_the_key_indentation_are_read() {
        // The compose file: `]` under `command`, as docker compose and kubectl read it.
        let text = "services:\n  web:\n    image: nginx\n    command: [\n      \"a\",\n      \"b\"\n    ]\n    ports: {\n  a: 1\n}\n";
        let (file, s) = read(text);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let web = s.documents[0]
            .root
            .as_ref()
            .unwrap()
            .path(&["services", "web"]);
        let command = web.unwrap().get("command").unwrap();
        let items: Vec<_> = command
            .as_seq()
            .unwrap()
            .iter()
            .map(|i| i.as_str())
            .collect();
        assert_eq!(items, [Some("a"), Some("b")]);
        assert_eq!(
            command.span.text(&file.text),
            "[\n      \"a\",\n      \"b\"\n    ]"
        );
        assert_eq!(
            web.unwrap().get("ports").unwrap().span.text(&file.text),
            "{\n  a: 1\n}"
        );
    }

    #[test]
    fn an_indentless_sequence_starts_at_its_first_dash() {
        let (file, s) = read("a:\n- [\n1\n]\n- 2\n");
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let a = s.documents[0].root.as_ref().unwrap().get("a").unwrap();
        assert_eq!(a.span.text(&file.text), "- [\n1\n]\n- 2");
    }

    #[test]
    fn a_block_scalar_ending_the_file_has_no_added_line_break() {
        let (_, s) = read("a: |\n  one\n  two");
        let r = s.documents[0].root.as_ref().unwrap();
        assert_eq!(r.get("a").unwrap().as_str(), Some("one\ntwo"));
    }

    #[test]
    fn what_libyaml_reads_is_read_with_its_values() {
        for (text, docs) in [
            ("a: [x, y]# c\n", vec![vec![("a", "[x, y]")]]),
            ("a: [x,# c\n  y]\n", vec![vec![("a", "[x,# c\n  y]")]]),
            ("a: \"q\"# c\n", vec![vec![("a", "\"q\"")]]),
            ("a: [\n\tx\n]\n", vec![vec![("a", "[\n\tx\n]")]]),
            (
                "a: 1\n---\n\u{feff}b: 2\n",
                vec![vec![("a", "1")], vec![("b", "2")]],
            ),
            (
                "a: 1\n---\r\n\u{feff}b: 2\r\n",
                vec![vec![("a", "1")], vec![("b", "2")]],
            ),
        ] {
            let (file, s) = read(text);
            assert!(s.errors.is_empty() && !s.fatal, "{text:?}: {:?}", s.errors);
            assert_eq!(s.documents.len(), docs.len(), "{text:?}");
            for (doc, keys) in s.documents.iter().zip(docs) {
                let root = doc.root.as_ref().expect("a root");
                for (key, written) in keys {
                    let value = root.get(key).unwrap_or_else(|| panic!("{key} in {text:?}"));
                    // Spans are the file's: the patched bytes never show.
                    assert_eq!(value.span.text(&file.text), written, "{text:?}");
                }
            }
        }
        // The values are libyaml's: the comment is no part of the sequence, the tab no part
        // of the scalar.
        let (_, s) = read("a: [x,# c\n\ty]\n");
        let a = s.documents[0].root.as_ref().unwrap().get("a").unwrap();
        let items: Vec<_> = a.as_seq().unwrap().iter().map(|n| n.as_str()).collect();
        assert_eq!(items, [Some("x"), Some("y")]);
    }

    #[test]
    fn what_libyaml_refuses_stays_an_error() {
        // A tab indenting a block mapping; a mark after a block scalar's line (libyaml ends
        // the scalar there and then fails too); the mark's column breaking the mapping.
        for text in [
            "a:\n\tb: 1\n",
            "k: |\n  text\n\u{feff}j: 1\n",
            "---\n\u{feff}a: 1\nb: 2\n",
        ] {
            let (_, s) = read(text);
            assert!(s.fatal, "{text:?}");
            assert!(
                s.errors
                    .iter()
                    .all(|e| !e.message.contains(RUNTIME_READS_IT)),
                "{text:?}: {:?}",
                s.errors
            );
        }
    }

    #[test]
    fn past_the_reread_bound_the_error_says_the_runtime_reads_it() {
        // One site more than are re-read.
        let text: String = (0..=MAX_REREADS)
            .map(|k| format!("a{k}: [x]# c\n"))
            .collect();
        let (_, s) = read(&text);
        assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
        assert!(
            s.errors[0].message.contains(RUNTIME_READS_IT),
            "{:?}",
            s.errors
        );
        // Reported at the first site not re-read.
        assert_eq!(crate::last_file::start(s.errors[0].span).0, MAX_REREADS + 1);
    }

    #[test]
    fn nodes_are_small_and_short_scalars_shared() {
        assert!(
            std::mem::size_of::<Node>() <= 40,
            "{}",
            std::mem::size_of::<Node>()
        );
        let (_, s) = read("- name: a\n- name: b\n");
        let items = s.documents[0].root.as_ref().unwrap().as_seq().unwrap();
        let key = |i: usize| match &items[i].as_ref().entries()[0].0.value {
            Value::Scalar(text, _) => Rc::clone(text),
            _ => unreachable!("a scalar key"),
        };
        assert!(Rc::ptr_eq(&key(0), &key(1)), "one `name` for both keys");
    }

    #[test]
    fn non_ascii_offsets_are_bytes() {
        let (file, s) = read("é: ü\nk: /etc\n");
        let r = s.documents[0].root.as_ref().unwrap();
        let k = r.get("k").unwrap();
        assert_eq!(k.span.text(&file.text), "/etc");
        assert_eq!(crate::last_file::start(k.span).1, 4);
    }
}

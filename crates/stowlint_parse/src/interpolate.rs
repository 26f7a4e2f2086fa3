//! Variable interpolation: Compose (`$VAR`, `${VAR:-default}`, ...), `.env` files, and the
//! semantics of `${NAME<op>word}` that Dockerfile `ARG`/`ENV` expansion shares ([`Op`],
//! [`Lookup`], [`apply`]; the Dockerfile reader scans its own text, with BuildKit's escape
//! character and quotes). One bound on every expanded value: [`MAX_VALUE_LEN`].
//!
//! Values come only from the `.env` file beside the compose file, never from the process
//! environment: a lint result must not depend on the shell that runs it (CI and a laptop must
//! agree). A variable that is unset and has no default makes the result *unknown*; its text is
//! kept verbatim (`${DATA_DIR}/db`) so that rules see it is not a real path, and an unknown fact
//! never produces a finding.

use std::collections::HashMap;
use std::path::Path;

use crate::SideFiles;

/// Variables known to interpolation.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    map: HashMap<String, String>,
}

impl Vars {
    /// Read `dir/.env` through `files`; a missing file, or one `files` may not read, gives no
    /// variables. (The disk's reader refuses one that is no regular file — a FIFO would block
    /// the run —, is too large, or really lies outside the repository holding `dir`: a link to
    /// `/proc/self/environ` would put the run's secrets into messages.)
    #[must_use]
    pub fn load(dir: &Path, files: &dyn SideFiles) -> Self {
        files
            .read(&dir.join(".env"))
            .map(|text| Self::from_dotenv(&text))
            .unwrap_or_default()
    }

    /// Parse `.env` text: `KEY=VALUE` lines, an optional `export ` prefix, `#` comments,
    /// single quotes (literal), double quotes (escapes, may span lines) and, outside single
    /// quotes, `${VAR}` references to variables defined earlier in the file.
    #[must_use]
    pub fn from_dotenv(text: &str) -> Self {
        let mut vars = Self::default();
        let mut rest = text;
        while !rest.is_empty() {
            rest = vars.read_line(rest);
        }
        vars
    }

    /// A variable set to a value (possibly empty).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.map.insert(name.into(), value.into());
    }

    /// Read one assignment from the start of `text`; return what follows it.
    fn read_line<'a>(&mut self, text: &'a str) -> &'a str {
        let (line, after) = split_line(text);
        let trimmed = line.trim_start();
        let trimmed = trimmed.strip_prefix("export ").unwrap_or(trimmed);
        if trimmed.starts_with('#') {
            return after;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            return after;
        };
        let key = key.trim();
        if !is_name(key) {
            return after;
        }
        let value = value.trim_start();
        // The value may continue past this line when a quote is open.
        let offset = value.as_ptr() as usize - text.as_ptr() as usize;
        let from_value = text.get(offset..).unwrap_or("");
        let (parsed, rest) = match value.chars().next() {
            Some('\'') => {
                let (value, rest) = read_quoted(from_value, '\'');
                (Interpolated { value, known: true }, rest)
            }
            Some('"') => {
                let (raw, rest) = read_quoted(from_value, '"');
                (interpolate(&raw, self), rest)
            }
            _ => (self.unquoted(value), after),
        };
        // A value that refers to unknown variables or grew too long is unknown itself: left
        // unset, so whatever refers to it is unknown too (its text is no value to use).
        if parsed.known {
            self.map.insert(key.to_string(), parsed.value);
        } else {
            self.map.remove(key);
        }
        rest
    }

    fn unquoted(&self, value: &str) -> Interpolated {
        // ` #` starts a comment; `#` inside a word does not (`pass#word`).
        let value = value
            .find(" #")
            .or_else(|| value.find("\t#"))
            .map_or(value, |i| &value[..i]);
        interpolate(value.trim(), self)
    }
}

fn split_line(text: &str) -> (&str, &str) {
    match text.find('\n') {
        Some(i) => (text[..i].trim_end_matches('\r'), &text[i + 1..]),
        None => (text.trim_end_matches('\r'), ""),
    }
}

/// A quoted `.env` value starting at `text` (on its opening quote): the value and the text
/// after the rest of its closing line. Double quotes process `\n`, `\t`, `\"` and `\\`.
fn read_quoted(text: &str, quote: char) -> (String, &str) {
    let mut out = String::new();
    let mut chars = text.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if c == quote {
            let (_, after) = split_line(&text[i..]);
            return (out, after);
        }
        if c == '\\' && quote == '"' {
            match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, e)) => out.push(e),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    // Never closed: take the rest of the first line, as written.
    let (line, after) = split_line(text);
    (line.get(1..).unwrap_or("").to_string(), after)
}

/// An interpolated string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpolated {
    /// The result; unknown parts kept as written.
    pub value: String,
    /// `false` when some variable was unset with no default (or the syntax was invalid).
    pub known: bool,
}

/// The longest value interpolation makes. `V2=${V1}${V1}`, `V3=${V2}${V2}`, ... doubles at
/// each line: 39 lines of a 1 KB `.env` would need terabytes. A longer result is unknown (and
/// an unknown value never produces a finding); no real path or setting comes near.
pub const MAX_VALUE_LEN: usize = 64 * 1024;

/// How deep defaults may nest (`${A:-${B:-${C}}}` is 3). Deeper references are unknown: each
/// level recurses, and a hostile file nesting thousands overflowed the stack.
const MAX_NESTING: usize = 16;

/// Interpolate `text` as Compose does, with `vars` only.
#[must_use]
pub fn interpolate(text: &str, vars: &Vars) -> Interpolated {
    interpolate_nested(text, vars, 0)
}

fn interpolate_nested(text: &str, vars: &Vars, depth: usize) -> Interpolated {
    let mut out = String::with_capacity(text.len());
    let mut known = true;
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let (piece, consumed) = expand_at(&rest[i..], vars, depth);
        match piece {
            Some(value) => out.push_str(&value),
            None => {
                known = false;
                out.push_str(&rest[i..i + consumed]);
            }
        }
        if out.len() > MAX_VALUE_LEN {
            return too_long(text);
        }
        rest = &rest[i + consumed..];
    }
    out.push_str(rest);
    if out.len() > MAX_VALUE_LEN {
        return too_long(text);
    }
    Interpolated { value: out, known }
}

/// A result over [`MAX_VALUE_LEN`]: unknown, kept as written.
fn too_long(text: &str) -> Interpolated {
    Interpolated {
        value: text.to_string(),
        known: false,
    }
}

/// Expand the reference at the start of `text` (which starts with `$`): its value (`None` when
/// unknown) and how many bytes it covers.
fn expand_at(text: &str, vars: &Vars, depth: usize) -> (Option<String>, usize) {
    let after = &text[1..];
    if after.starts_with('$') {
        return (Some("$".to_string()), 2);
    }
    if let Some(body) = after.strip_prefix('{') {
        return match closing_brace(body) {
            Some(end) => (expand_braced(&body[..end], vars, depth), end + 3),
            // Unclosed `${`: Compose rejects it; keep the rest as written.
            None => (None, text.len()),
        };
    }
    let len = name_len(after);
    if len == 0 {
        // A lone `$` (`$1`, trailing `$`): Compose rejects it; keep it literally.
        return (Some("$".to_string()), 1);
    }
    (vars.get(&after[..len]).map(str::to_string), len + 1)
}

/// The index in `body` (text after `${`) of the `}` that closes it, nested `${` counted.
fn closing_brace(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut depth = 1usize;
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'$', Some(b'$')) => i += 1,
            (b'$', Some(b'{')) => {
                depth += 1;
                i += 1;
            }
            (b'}', _) => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `NAME`, `NAME:-default`, `NAME-default`, `NAME:+alt`, `NAME+alt`, `NAME:?err`, `NAME?err`.
fn expand_braced(body: &str, vars: &Vars, depth: usize) -> Option<String> {
    let len = name_len(body);
    if len == 0 {
        return None;
    }
    let (op, word) = operator(&body[len..])?;
    // Compose reads only the `.env` file: a name it does not set is unset, and its default
    // applies.
    let value = vars.get(&body[..len]).map_or(Lookup::Unset, Lookup::Set);
    apply(op, value, || {
        if depth >= MAX_NESTING {
            return None;
        }
        let r = interpolate_nested(word, vars, depth + 1);
        r.known.then_some(r.value)
    })
}

/// What a variable is where a reference to it is expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// Set, possibly to the empty string.
    Set(&'a str),
    /// Certainly unset: a default applies.
    Unset,
    /// Not known here (a Dockerfile `ARG` a build may set, the base image's environment).
    Unknown,
}

/// The operator of `${NAME<op>word}`, as Compose and BuildKit both read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `${NAME}`.
    Plain,
    /// `${NAME:-word}`: the word when unset or empty.
    DefaultIfEmpty,
    /// `${NAME-word}`: the word when unset.
    Default,
    /// `${NAME:+word}`: the word when set and not empty, else empty.
    AltIfNonEmpty,
    /// `${NAME+word}`: the word when set, else empty.
    Alt,
    /// `${NAME:?err}`: an error when unset or empty.
    ErrorIfEmpty,
    /// `${NAME?err}`: an error when unset.
    Error,
}

/// The operator and word of the text after a name in `${...}`; `None` for an operator neither
/// reader knows (`${A/x/y}`, `${A#x}`), whose value is then unknown.
#[must_use]
pub fn operator(text: &str) -> Option<(Op, &str)> {
    if text.is_empty() {
        return Some((Op::Plain, ""));
    }
    [
        (":-", Op::DefaultIfEmpty),
        (":+", Op::AltIfNonEmpty),
        (":?", Op::ErrorIfEmpty),
        ("-", Op::Default),
        ("+", Op::Alt),
        ("?", Op::Error),
    ]
    .into_iter()
    .find_map(|(prefix, op)| text.strip_prefix(prefix).map(|word| (op, word)))
}

/// The value of `${NAME<op>word}` when the variable is `value`; `word` expands the word, only
/// when it is used (`None`: unknown). `None` when the value is unknown: an unknown variable,
/// an error operator that fires, or an unknown word.
pub fn apply(op: Op, value: Lookup<'_>, word: impl FnOnce() -> Option<String>) -> Option<String> {
    let set = match value {
        Lookup::Unknown => return None,
        Lookup::Set(v) => Some(v),
        Lookup::Unset => None,
    };
    let non_empty = set.filter(|v| !v.is_empty());
    match op {
        Op::Plain | Op::Error => set.map(str::to_string),
        Op::ErrorIfEmpty => non_empty.map(str::to_string),
        Op::DefaultIfEmpty => non_empty.map_or_else(word, |v| Some(v.to_string())),
        Op::Default => set.map_or_else(word, |v| Some(v.to_string())),
        Op::AltIfNonEmpty => non_empty.map_or_else(|| Some(String::new()), |_| word()),
        Op::Alt => set.map_or_else(|| Some(String::new()), |_| word()),
    }
}

/// Length of the variable name at the start of `text` (`[A-Za-z_][A-Za-z0-9_]*`).
#[must_use]
pub fn name_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => bytes
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count(),
        _ => 0,
    }
}

fn is_name(text: &str) -> bool {
    !text.is_empty() && name_len(text) == text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_mean_the_same_for_every_reader() {
        let d = || Some("d".to_string());
        let cases: [(&str, Lookup, Option<&str>); 16] = [
            ("", Lookup::Set("v"), Some("v")),
            ("", Lookup::Unset, None),
            (":-x", Lookup::Set(""), Some("d")),
            (":-x", Lookup::Set("v"), Some("v")),
            ("-x", Lookup::Set(""), Some("")),
            ("-x", Lookup::Unset, Some("d")),
            (":+x", Lookup::Set("v"), Some("d")),
            (":+x", Lookup::Set(""), Some("")),
            ("+x", Lookup::Set(""), Some("d")),
            ("+x", Lookup::Unset, Some("")),
            (":?e", Lookup::Set(""), None),
            (":?e", Lookup::Set("v"), Some("v")),
            ("?e", Lookup::Set(""), Some("")),
            ("?e", Lookup::Unset, None),
            (":-x", Lookup::Unknown, None),
            ("+x", Lookup::Unknown, None),
        ];
        for (text, value, want) in cases {
            let (op, _) = operator(text).unwrap();
            assert_eq!(apply(op, value, d).as_deref(), want, "{text} {value:?}");
        }
        assert_eq!(operator(":-a:-b"), Some((Op::DefaultIfEmpty, "a:-b")));
        assert!(
            operator("/x/y").is_none(),
            "pattern substitution is not read"
        );
    }

    fn vars() -> Vars {
        let mut v = Vars::default();
        v.set("DATA", "/srv/data");
        v.set("EMPTY", "");
        v
    }

    fn run(text: &str) -> (String, bool) {
        let r = interpolate(text, &vars());
        (r.value, r.known)
    }

    #[test]
    fn plain_and_braced_references() {
        assert_eq!(run("$DATA/db"), ("/srv/data/db".into(), true));
        assert_eq!(run("${DATA}:/data"), ("/srv/data:/data".into(), true));
        assert_eq!(run("no refs"), ("no refs".into(), true));
    }

    #[test]
    fn defaults_and_alternatives() {
        assert_eq!(run("${NOPE:-./d}"), ("./d".into(), true));
        assert_eq!(run("${EMPTY:-x}"), ("x".into(), true));
        assert_eq!(run("${EMPTY-x}"), (String::new(), true));
        assert_eq!(run("${NOPE-x}"), ("x".into(), true));
        assert_eq!(run("${DATA:+alt}"), ("alt".into(), true));
        assert_eq!(run("${EMPTY:+alt}"), (String::new(), true));
        assert_eq!(run("${EMPTY+alt}"), ("alt".into(), true));
        assert_eq!(run("${NOPE+alt}"), (String::new(), true));
        assert_eq!(run("${DATA:?need it}"), ("/srv/data".into(), true));
        assert_eq!(run("${DATA?need it}"), ("/srv/data".into(), true));
    }

    #[test]
    fn nested_defaults() {
        assert_eq!(run("${A:-${B:-x}}/y"), ("x/y".into(), true));
        assert_eq!(run("${A:-${DATA}}"), ("/srv/data".into(), true));
        assert_eq!(run("${A:-${B}}:/d"), ("${A:-${B}}:/d".into(), false));
    }

    #[test]
    fn unknown_kept_verbatim() {
        assert_eq!(run("${NOPE}/x"), ("${NOPE}/x".into(), false));
        assert_eq!(run("$NOPE/x"), ("$NOPE/x".into(), false));
        assert_eq!(run("${NOPE:?set it}"), ("${NOPE:?set it}".into(), false));
        assert_eq!(run("${EMPTY:?set it}"), ("${EMPTY:?set it}".into(), false));
        assert_eq!(run("${unclosed"), ("${unclosed".into(), false));
        assert_eq!(run("${1bad}"), ("${1bad}".into(), false));
    }

    #[test]
    fn deep_nesting_is_unknown_not_a_stack_overflow() {
        // Found while probing the `interpolate` fuzz target: 20 000 nested defaults
        // overflowed the stack.
        let deep = format!("{}x{}:/d", "${A:-".repeat(20_000), "}".repeat(20_000));
        assert_eq!(run(&deep), (deep.clone(), false));
        let ok = format!(
            "{}x{}",
            "${A:-".repeat(MAX_NESTING),
            "}".repeat(MAX_NESTING)
        );
        assert_eq!(run(&ok), ("x".into(), true));
    }

    #[test]
    fn dollar_escapes() {
        assert_eq!(run("$$HOME"), ("$HOME".into(), true));
        assert_eq!(run("cost $5 $"), ("cost $5 $".into(), true));
        assert_eq!(run("${NOPE:-$$x}"), ("$x".into(), true));
    }

    #[test]
    fn dotenv_file_syntax() {
        let v = Vars::from_dotenv(
            "# comment\n\
             A=1\n\
             export B = two # trailing\n\
             C='single ${A} #x'\n\
             D=\"dq \\\"q\\\" ${A}\"\n\
             E=\"multi\nline\"\n\
             F=${A}/f\n\
             G=pass#word\r\n\
             not a line\n\
             H=\n",
        );
        assert_eq!(v.get("A"), Some("1"));
        assert_eq!(v.get("B"), Some("two"));
        assert_eq!(v.get("C"), Some("single ${A} #x"));
        assert_eq!(v.get("D"), Some("dq \"q\" 1"));
        assert_eq!(v.get("E"), Some("multi\nline"));
        assert_eq!(v.get("F"), Some("1/f"));
        assert_eq!(v.get("G"), Some("pass#word"));
        assert_eq!(v.get("H"), Some(""));
    }
}

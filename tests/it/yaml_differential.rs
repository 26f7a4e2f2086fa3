//! Our YAML layer against libyaml, which `docker compose` (go-yaml is a port of it) and
//! `kubectl` agree with: what libyaml accepts we must accept, with the same values.
//!
//! The inputs: every YAML file under `fixtures/` and `examples/`, every YAML-looking string
//! literal in the Rust sources (the unit and integration tests' inputs), and a generated set of
//! shapes (flow collections closed at each indentation, comments inside them, multi-line
//! scalars, anchors, merge keys, block scalar indicators, document markers, tabs, empty values,
//! keys with colons ...), each also with CRLF line ends and without its final newline. One run of
//! `tests/yaml/libyaml.py` (PyYAML's `CSafeLoader`) judges them all.
//!
//! The values are compared as written (every scalar a string, so YAML 1.1 typing cannot blur
//! them), once with `<<` as a plain key and once with merge keys resolved. Where libyaml
//! rejects a text we may reject it too; where we accept what libyaml rejects, the test only
//! counts it. A key written twice is read as libyaml's constructor and kubectl (go-yaml v2) read
//! it, the last value kept; the stream reports it apart (`Stream::duplicate_keys`) because
//! Compose (go-yaml v3) refuses it, which is SL001 for a compose file only.
//!
//! Skipped with a notice when `python3` with PyYAML's libyaml binding is missing, failed then
//! when `STOWLINT_REQUIRE_CLIENTS` is set (CI installs PyYAML into its venv and names that
//! Python in `STOWLINT_PYTHON`).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Map, Value as Json, json};
use stowlint::model::{RUNTIME_READS_IT, SourceFile};
use stowlint::parse::yaml::{self, Node, Value};

use crate::common::root;

/// The Python with PyYAML: `STOWLINT_PYTHON` (CI points it at its venv), else `python3`.
fn python() -> String {
    std::env::var("STOWLINT_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

fn have_pyyaml() -> bool {
    Command::new(python())
        .args(["-c", "import yaml; yaml.CSafeLoader"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// libyaml's verdict on each text, in one run of the reference script.
fn libyaml(texts: &[String]) -> Vec<Json> {
    let script = root().join("tests/yaml/libyaml.py");
    let mut child = Command::new(python())
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn python3");
    let input = serde_json::to_vec(texts).expect("json");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("python3 output");
    writer.join().expect("writer").expect("write to python3");
    assert!(
        out.status.success(),
        "tests/yaml/libyaml.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts: Vec<Json> = serde_json::from_slice(&out.stdout).expect("verdicts are JSON");
    assert_eq!(verdicts.len(), texts.len());
    verdicts
}

// ---------------------------------------------------------------------------------------------
// Our side, rendered as the reference renders libyaml's

fn tree(node: &Node) -> Json {
    match &node.value {
        Value::Scalar(s, _) => Json::String(s.to_string()),
        Value::Seq(items) => Json::Array(items.iter().map(|i| tree(i)).collect()),
        Value::Map(entries) => json!({
            "map": entries.iter().map(|(k, v)| json!([tree(k), tree(v)])).collect::<Vec<_>>()
        }),
    }
}

/// libyaml's rendering with a key written twice kept once, at its last entry, as our tree
/// (and `kubectl`, and PyYAML's constructor) keeps it; `<<` merge keys each stay.
fn last_wins(json: &Json) -> Json {
    match json {
        Json::Array(items) => Json::Array(items.iter().map(last_wins).collect()),
        Json::Object(o) if o.len() == 1 && o.get("map").is_some_and(Json::is_array) => {
            let entries = o
                .get("map")
                .and_then(Json::as_array)
                .map_or(&[][..], Vec::as_slice);
            let kept: Vec<Json> = entries
                .iter()
                .enumerate()
                .filter(|&(i, e)| {
                    e[0] == "<<" || !entries[i + 1..].iter().any(|later| later[0] == e[0])
                })
                .map(|(_, e)| json!([last_wins(&e[0]), last_wins(&e[1])]))
                .collect();
            json!({ "map": kept })
        }
        other => other.clone(),
    }
}

/// Merge keys resolved through `Node::entries`, the lookup the parsers use; `None` when a key
/// is not a scalar.
fn merged(node: &Node) -> Option<Json> {
    match &node.value {
        Value::Scalar(s, _) => Some(Json::String(s.to_string())),
        Value::Seq(items) => items
            .iter()
            .map(|i| merged(i))
            .collect::<Option<Vec<_>>>()
            .map(Json::Array),
        Value::Map(_) => {
            let mut out = Map::new();
            for (k, v) in node.entries() {
                let key = k.as_str()?.to_string();
                if !out.contains_key(&key) {
                    out.insert(key, merged(v)?);
                }
            }
            Some(json!({ "merged": out }))
        }
    }
}

/// Where a node's span does not cover what it is written as: a plain one-line scalar's span is
/// its text, a quoted one's runs from quote to quote, a flow collection's from bracket to
/// bracket. (Aliased nodes keep their anchor's span, which these checks hold too.)
fn span_faults(node: &Node, text: &str, out: &mut Vec<String>, depth: usize) {
    if depth > 300 {
        return;
    }
    let written = node.span.text(text);
    let fault = match &node.value {
        Value::Scalar(s, yaml::Style::Plain)
            if !s.is_empty() && !s.contains('\n') && !written.contains(['\n', '\r']) =>
        {
            written != &**s
        }
        Value::Scalar(_, yaml::Style::Quoted) => {
            let quote = written.chars().next();
            !matches!(quote, Some('"' | '\''))
                || written.len() < 2
                || !written.ends_with(quote.unwrap_or(' '))
        }
        Value::Seq(_) if written.starts_with('[') => !written.ends_with(']'),
        // A block mapping whose first key is a flow mapping starts with `{` too.
        Value::Map(entries) if written.starts_with('{') => {
            let flow_key = entries
                .first()
                .is_some_and(|(k, _)| k.span.start() == node.span.start());
            !flow_key && !written.ends_with('}')
        }
        _ => false,
    };
    if fault {
        out.push(format!("{:?} spans {written:?}", tree(node)));
    }
    match &node.value {
        Value::Scalar(..) => {}
        Value::Seq(items) => items
            .iter()
            .for_each(|i| span_faults(i, text, out, depth + 1)),
        Value::Map(entries) => entries.iter().for_each(|(k, v)| {
            span_faults(k, text, out, depth + 1);
            span_faults(v, text, out, depth + 1);
        }),
    }
}

struct Ours {
    /// Spans that do not cover what their node is written as.
    span_faults: Vec<String>,
    /// Read without a syntax error (duplicate keys aside).
    ok: bool,
    errors: Vec<String>,
    duplicates: bool,
    /// Every error says that docker compose and kubectl read the text (`RUNTIME_READS_IT`):
    /// a difference we know, say, and have not fixed.
    admitted: bool,
    /// Refused by a limit of ours that go-yaml shares: an alias-expansion bomb.
    deliberate: bool,
    docs: Json,
    merged: Option<Json>,
}

fn ours(text: &str) -> Ours {
    let file = SourceFile::new("t.yaml", text.to_string());
    let stream = yaml::parse(&file);
    let errors: Vec<String> = stream
        .errors
        .iter()
        .map(|e| {
            let at = file.pos(e.span.start());
            format!("{}:{}: {}", at.line, at.column, e.message)
        })
        .collect();
    let ok = !stream.fatal && stream.errors.is_empty();
    let duplicates = !stream.duplicate_keys.is_empty();
    let admitted = !stream.errors.is_empty()
        && stream
            .errors
            .iter()
            .all(|e| e.message.contains(RUNTIME_READS_IT));
    let deliberate = !stream.errors.is_empty()
        && stream
            .errors
            .iter()
            .all(|e| e.message.starts_with("alias expansion limit"));
    let roots: Vec<Option<&Node>> = stream.documents.iter().map(|d| d.root.as_deref()).collect();
    let mut faults = Vec::new();
    if stream
        .documents
        .iter()
        .map(|d| d.root.as_ref().map_or(0, |_| 1))
        .sum::<usize>()
        > 0
    {
        for root in roots.iter().flatten() {
            span_faults(root, text, &mut faults, 0);
        }
    }
    let empty = || Json::String(String::new());
    let docs = Json::Array(roots.iter().map(|r| r.map_or_else(empty, tree)).collect());
    let merged = roots
        .iter()
        .map(|r| r.map_or_else(|| Some(empty()), merged))
        .collect::<Option<Vec<_>>>()
        .map(Json::Array);
    Ours {
        span_faults: faults,
        ok,
        errors,
        duplicates,
        admitted,
        deliberate,
        docs,
        merged,
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every `.yaml`/`.yml` file under `fixtures/` and `examples/`.
fn yaml_files() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    files_under(&root().join("fixtures"), &mut paths);
    files_under(&root().join("examples"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((crate::common::shown(&p).display().to_string(), text))
        })
        .collect()
}

/// The string literals of a Rust source (plain and raw), unescaped; good enough for test
/// inputs, which is all it is used for.
fn string_literals(src: &str) -> Vec<String> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' => {
                // A char literal ('"', '\'', '\u{..}') or a lifetime.
                if b.get(i + 1) == Some(&b'\\') {
                    if let Some(end) = src[i + 2..].find('\'') {
                        i += end + 3;
                        continue;
                    }
                } else if b.get(i + 2) == Some(&b'\'') {
                    i += 3;
                    continue;
                }
                i += 1;
            }
            b'r' if matches!(b.get(i + 1), Some(b'"' | b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                let open = i + 1 + hashes;
                if b.get(open) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                match src[open + 1..].find(&close) {
                    Some(end) => {
                        out.push(src[open + 1..open + 1 + end].to_string());
                        i = open + 1 + end + close.len();
                    }
                    None => break,
                }
            }
            b'"' => {
                let mut s = String::new();
                let mut j = i + 1;
                let mut chars = src[j..].char_indices();
                loop {
                    let Some((at, c)) = chars.next() else {
                        return out;
                    };
                    match c {
                        '"' => {
                            j += at + 1;
                            break;
                        }
                        '\\' => match chars.next().map(|(_, e)| e) {
                            Some('n') => s.push('\n'),
                            Some('t') => s.push('\t'),
                            Some('r') => s.push('\r'),
                            Some('0') => s.push('\0'),
                            Some('u') => {
                                let hex: String = chars
                                    .by_ref()
                                    .map(|(_, c)| c)
                                    .skip(1)
                                    .take_while(|&c| c != '}')
                                    .collect();
                                if let Some(c) =
                                    u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                                {
                                    s.push(c);
                                }
                            }
                            Some('x') => {
                                let hex: String = chars.by_ref().take(2).map(|(_, c)| c).collect();
                                if let Ok(v) = u8::from_str_radix(&hex, 16) {
                                    s.push(char::from(v));
                                }
                            }
                            Some('\n') => {
                                // A continuation: the line break and the next line's
                                // leading whitespace are not part of the string.
                                let mut peek = chars.clone();
                                while let Some((_, c)) = peek.next() {
                                    if !c.is_whitespace() {
                                        break;
                                    }
                                    chars = peek.clone();
                                }
                            }
                            Some(other) => s.push(other),
                            None => return out,
                        },
                        c => s.push(c),
                    }
                }
                out.push(s);
                i = j;
            }
            _ => i += 1,
        }
    }
    out
}

/// YAML-looking string literals from the Rust sources: several lines and a key or an item.
fn source_literals() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    for dir in ["src", "rules", "tests", "benches", "fuzz"] {
        files_under(&root().join(dir), &mut paths);
    }
    paths.sort();
    let mut out = Vec::new();
    // This file's own literals are templates; the shapes they make come from `shapes()`.
    for path in paths.iter().filter(|p| {
        p.extension().is_some_and(|e| e == "rs") && !p.ends_with("tests/it/yaml_differential.rs")
    }) {
        let Ok(src) = std::fs::read_to_string(path) else {
            continue;
        };
        for lit in string_literals(&src) {
            let lines = lit.lines().count();
            if lines >= 2
                && lit.len() < 20_000
                && (lit.contains(": ") || lit.contains(":\n") || lit.contains("- "))
                && !lit.contains("{}")
            {
                out.push((crate::common::shown(path).display().to_string(), lit));
            }
        }
    }
    out
}

/// The generated shapes: deterministic, each a small document exercising one construct.
#[allow(clippy::too_many_lines)]
fn shapes() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let sp = |n: usize| " ".repeat(n);

    // Flow collections opened after a key or an item, their entries and their closing bracket
    // at every indentation from 0 to past the key's, for keys at three depths.
    for depth in 0..3 {
        let key_indent = depth * 2;
        let mut prefix = String::new();
        for d in 0..depth {
            let _ = writeln!(prefix, "{}k{d}:", sp(d * 2));
        }
        for (open, close, items) in [
            ("[", "]", ["\"a\",", "\"b\""]),
            ("{", "}", ["a: 1,", "b: 2"]),
            ("[", "]", ["a,", "b,"]),
            ("{", "}", ["\"a\": 1,", "\"b\": [1, 2],"]),
        ] {
            for item_indent in [0, key_indent, key_indent + 2, key_indent + 6] {
                for close_indent in 0..=key_indent + 4 {
                    for after in ["", "next: 1\n"] {
                        let sibling = if after.is_empty() {
                            String::new()
                        } else {
                            format!("{}{after}", sp(key_indent))
                        };
                        out.push(format!(
                            "{prefix}{}key: {open}\n{}{}\n{}{}\n{}{close}\n{sibling}",
                            sp(key_indent),
                            sp(item_indent),
                            items[0],
                            sp(item_indent),
                            items[1],
                            sp(close_indent)
                        ));
                        // As a sequence item, and in a mapping that is a sequence item.
                        out.push(format!(
                            "{prefix}{}- {open}\n{}{}\n{}{}\n{}{close}\n",
                            sp(key_indent),
                            sp(item_indent),
                            items[0],
                            sp(item_indent),
                            items[1],
                            sp(close_indent)
                        ));
                        out.push(format!(
                            "{prefix}{}- key: {open}\n{}{}\n{}{}\n{}{close}\n{}  {after}",
                            sp(key_indent),
                            sp(item_indent),
                            items[0],
                            sp(item_indent),
                            items[1],
                            sp(close_indent),
                            if after.is_empty() {
                                String::new()
                            } else {
                                sp(key_indent)
                            }
                        ));
                    }
                }
            }
        }
    }
    // The case, and nested flow collections closed on lines of their own.
    out.push(
        "services:\n  web:\n    image: nginx\n    command: [\n      \"a\",\n      \"b\"\n    ]\n"
            .into(),
    );
    for close in 0..6 {
        let c = sp(close);
        out.push(format!(
            "a: [\n  [1,\n{c}2\n{c}],\n  {{x: 1,\n{c}y: 2\n{c}}}\n{c}]\nb: 1\n"
        ));
        out.push(format!(
            "a: {{\n  x: [1,\n{c}2\n{c}],\n  y: {{z: [\n{c}]\n{c}}}\n{c}}}\nb: 1\n"
        ));
        out.push(format!("- [\n{c}]\n- {{\n{c}}}\n- [[\n{c}]]\n"));
        out.push(format!("a:\n  b: [\n{c}]\n  c: {{\n{c}}}\n"));
        out.push(format!("a: [ x,\n{c}y ]\nb: {{ x: 1,\n{c}y: 2 }}\n"));
        out.push(format!("a: [\n{c}x,\n{c}y,\n{c}]\n"));
        out.push(format!("[\n{c}1,\n{c}2\n{c}]\n"));
        out.push(format!("{{\n{c}a: 1\n{c}}}\n"));
        out.push(format!("a: [\n{c}- x\n]\n"));
        out.push(format!("a:\n  - [\n{c}1\n{c}]\n  - 2\n"));
        out.push(format!("a:\n- [\n{c}1\n{c}]\n- 2\n"));
    }
    // Comments inside flow collections.
    out.extend(
        [
            "a: [x, # c\n  y]\n",
            "a: [ # c\n  x, y ]\n",
            "a: {x: 1, # c\n  y: 2}\n",
            "a: { # c\n  x: 1 }\n",
            "a: [\n  x, # c\n  # whole line\n  y # c\n]\n",
            "a: [x,#not a comment\n  y]\n",
            "a: [x #c\n, y]\n",
            "a: {x: 1 # c\n, y: 2}\n",
            "a: [\n# at column 0\n  x\n]\n",
            "a: [x, y] # c\n",
            "a: [x, y]# c\n",
        ]
        .map(String::from),
    );
    // Multi-line plain and quoted scalars.
    out.extend(
        [
            "a: one\n  two\n  three\nb: 1\n",
            "a: one\n\n  two\n\n\n  three\n",
            "a: one\n  two # c\nb: x\n",
            "- one\n  two\n- three\n",
            "one\ntwo\n",
            "a:\n  one\n  two\n",
            "a: one\n two\n",
            "a: x:y\n  z\n",
            "a: \"one\n  two\n\n  three\"\n",
            "a: \"one\\\n  two\"\n",
            "a: \"one \\\n  two\"\n",
            "a: 'one\n  two\n\n  it''s'\n",
            "a: 'one\n two'\n",
            "a: \"x\n\"\n",
            "- \"one\n  two\"\n- 'a\n\n  b'\n",
            "a: \"\\t\\u00e9\\x41\\\"\\/\\ \"\n",
            "a: 'multi\n   \n  spaces'\n",
            "a: plain  with   spaces  \n",
            "a: -1\nb: - x\n",
            "a: x # c\n  # d\n",
            "a:\n  x\n  # c\n  y\n",
            "k: [a\n  b, c\n  d]\n",
            "k: {a\n  b: c\n  d}\n",
            "k: [\"a\n  b\", 'c\n  d']\n",
        ]
        .map(String::from),
    );
    // Anchors, aliases and merge keys.
    out.extend(
        [
            "a: &x 1\nb: *x\n",
            "a: &x [1, 2]\nb: *x\nc: [*x, *x]\n",
            "base: &b\n  x: 1\n  y: 2\nd:\n  <<: *b\n  y: 3\n",
            "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n",
            "a: &a {x: 1}\nc:\n  z: 3\n  <<: *a\n",
            "a: &a {x: 1}\nb: &b\n  <<: *a\n  y: 2\nc:\n  <<: *b\n  z: 3\n",
            "a: &a\n  x: 1\nb: {<<: *a, y: 2}\n",
            "c:\n  <<: {x: 1, y: 2}\n  x: 3\n",
            "c:\n  <<: [{x: 1}, {x: 2, y: 2}]\n",
            "a: &a {x: 1}\nc:\n  '<<': *a\n",
            "a: &a x\nb:\n  *a : 1\n",
            "a: &a x\n*a : 1\n",
            "- &a x\n- *a\n- &a y\n- *a\n",
            "&a a: &b b\n*b : *a\n",
            "a: &anchor-with.chars 1\nb: *anchor-with.chars\n",
            "a: &a\nb: *a\n",
            "a: *x\n",
            "x-common: &common\n  image: nginx\n  volumes:\n    - data:/data\nservices:\n  web:\n    <<: *common\n    ports: [\"80\"]\n",
            "a: &x\n  - 1\n  - 2\nb: *x\n",
            "a: !!str &x 1\nb: &y !!str 2\nc: [*x, *y]\n",
        ]
        .map(String::from),
    );
    // Block scalars with every indicator, trailing blank lines and more-indented lines.
    for header in [
        "|", "|-", "|+", ">", ">-", ">+", "|2", "|2-", "|-2", ">2", ">+1", "|1+",
    ] {
        for body in [
            "  one\n  two\n",
            "  one\n\n  two\n\n\n",
            "  one\n    more\n  two\n",
            "   lead\n  two\n",
            "  one\n  two",
            "\n\n  after blanks\n",
            "",
        ] {
            out.push(format!("a: {header}\n{body}b: 1\n"));
            out.push(format!("a: {header}\n{body}"));
            out.push(format!("- {header}\n{body}"));
            out.push(format!("a: {header} # comment\n{body}"));
        }
        out.push(format!("--- {header}\n  doc\n"));
        out.push(format!("{header}\n text\n"));
    }
    // Documents.
    out.extend(
        [
            "",
            "\n",
            "# only a comment\n",
            "---\n",
            "---\n...\n",
            "---\na: 1\n...\n---\nb: 2\n",
            "a: 1\n---\nb: 2\n",
            "a: 1\n...\n",
            "--- a\n",
            "--- [1]\n--- {a: 1}\n",
            "---\n---\n---\n",
            "%YAML 1.1\n---\na: 1\n",
            "%YAML 1.2\n---\na: 1\n",
            "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
            "a: 1\n--- \nb: 2\n",
            "a: 1\n---  # c\nb: 2\n",
            "--- # c\na: 1\n",
            "...\n",
            "a: 1\n...\n...\n",
            "---\n# c\n...\n",
            "--- |\n  x\n--- >\n  y\n",
            "a: ---\n",
            "a: ...\n",
            "- ---\n",
            "---a: 1\n",
            "...a: 1\n",
            "\u{feff}a: 1\n",
            "\u{feff}---\na: 1\n",
            "a: 1\n---\n\u{feff}b: 2\n",
        ]
        .map(String::from),
    );
    // Tabs.
    out.extend(
        [
            "a:\tb\n",
            "a: \tb\n",
            "a:\t\tb\n",
            "a: b\t\n",
            "a: b\t# c\n",
            "a: [x,\ty]\n",
            "a: {\tx: 1}\n",
            "\ta: 1\n",
            "a:\n\tb: 1\n",
            "a:\n  b:\t1\n",
            "- \tx\n",
            "-\tx\n",
            "a: \"x\ty\"\n",
            "a: 'x\ty'\n",
            "a: x\ty\n",
            "a: |\n  x\ty\n",
            "a: |\n\tx\n",
            "a: [\n\tx\n]\n",
            "a:\t\n  b: 1\n",
            "a: 1\t\nb: 2\n",
            "? a\t\n: b\n",
            "a: one\n  \ttwo\n",
            "a: \"one\n\ttwo\"\n",
            "a: |\n  x\n\t\n  y\n",
            "a:\n  - x\n\t\n  - y\n",
            "# c\t\na: 1\n",
            "a: &x\tq\n",
            "a: !!str\tq\n",
        ]
        .map(String::from),
    );
    // Empty values, explicit keys, keys with colons.
    out.extend(
        [
            "a:\nb:\n",
            "a:\n  b:\n  c:\n",
            "- \n-\n- x\n",
            "a: {x: , y}\n",
            "a: {x, y: }\n",
            "a: [x: 1, y]\n",
            "a: [: 1]\n",
            "a: {: 1}\n",
            "? a\n: b\n",
            "? a\n",
            ": b\n",
            "? [a, b]\n: c\n",
            "? |\n  k\n: v\n",
            "a:b: c\n",
            "a:b:c\n",
            "\"a:b\": c\n",
            "'a: b': c\n",
            "http://x.y:80/z: v\n",
            "a::b: c\n",
            "a :b\n",
            "- a:b\n",
            "- a: b\n",
            "[a:b]\n",
            "{a:b}\n",
            "{\"a\":b}\n",
            "[\"a\":b]\n",
            "{a: b:c}\n",
            "a: b: c\n",
            "a:\n- 1\n- 2\nb: 3\n",
            "- - - x\n",
            "- a: 1\n  b: 2\n- c\n",
            "-\n  a: 1\n",
            "a: -\n",
            "a: - \n",
            "- -1\n",
            "a: ?x\n",
            "a: :x\n",
            "a: x:\n",
            "a: 'x':\n",
            "a: ~\nb: null\nc: \n",
            "key with spaces: v\n",
            "a: 1 # c\n#d\nb: 2\n",
            "a: !custom x\nb: !!map {c: 1}\nc: !!seq [1]\n",
            "a: !<tag:x> y\n",
            "a: ! x\n",
            "'a': 1\n\"b\": 2\n",
            "a: {b: {c: [d, {e: f}]}}\n",
            "{a: 1}: b\n",
            "[a]: b\n",
        ]
        .map(String::from),
    );
    // Compose- and Kubernetes-like documents.
    out.extend(
        [
            "services:\n  db:\n    image: postgres:17\n    volumes: [\n      \"db:/var/lib/postgresql/data\",\n    ]\nvolumes:\n  db: {}\n",
            "services:\n  app:\n    environment: {\n      A: 1,\n      B: \"2\"\n    }\n    command: [\"sh\", \"-c\",\n      \"echo hi\"\n    ]\n",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    args: [\n      \"--x\"\n    ]\n    volumeMounts: [{name: d, mountPath: /d}]\n  volumes:\n  - name: d\n    emptyDir: {}\n",
            "spec:\n  template:\n    spec:\n      containers:\n        - name: c\n          command:\n            [\n              \"a\",\n            ]\n",
        ]
        .map(String::from),
    );
    let mut all = Vec::with_capacity(out.len() * 3);
    for text in out {
        if text.ends_with('\n') {
            all.push(text.trim_end_matches('\n').to_string());
        }
        if text.contains('\n') {
            all.push(text.replace('\n', "\r\n"));
        }
        all.push(text);
    }
    let mut seen = BTreeSet::new();
    all.retain(|t| seen.insert(t.clone()));
    all
}

// ---------------------------------------------------------------------------------------------

#[test]
fn what_libyaml_accepts_we_read_alike() {
    if !have_pyyaml() {
        assert!(
            std::env::var_os("STOWLINT_REQUIRE_CLIENTS").is_none(),
            "python3 with PyYAML (`python3-yaml`) is missing and STOWLINT_REQUIRE_CLIENTS is set"
        );
        eprintln!("SKIPPED what_libyaml_accepts_we_read_alike: python3-yaml is not installed");
        return;
    }
    let mut inputs: Vec<(String, String)> = yaml_files();
    let files = inputs.len();
    inputs.extend(source_literals());
    let literals = inputs.len() - files;
    inputs.extend(shapes().into_iter().map(|t| ("generated".to_string(), t)));
    let generated = inputs.len() - files - literals;
    let texts: Vec<String> = inputs.iter().map(|(_, t)| t.clone()).collect();
    let verdicts = libyaml(&texts);

    let mut differences = Vec::new();
    let mut lenient = Vec::new();
    let mut known = Vec::new();
    let (mut both_accept, mut both_reject, mut deliberate) = (0, 0, 0);
    for ((origin, text), verdict) in inputs.iter().zip(&verdicts) {
        let ours = ours(text);
        let accepted = verdict["ok"].as_bool() == Some(true);
        if !ours.span_faults.is_empty() {
            differences.push(format!(
                "spans off ({origin}): {text:?}\n  {}",
                ours.span_faults.join("\n  ")
            ));
        }
        match (accepted, ours.ok) {
            (true, false) if ours.deliberate => deliberate += 1,
            // Past the re-read bound only (a file with more sites than real files have): any
            // here is a shape libyaml reads that we do not.
            (true, false) if ours.admitted => known.push(format!(
                "libyaml accepts, we reject and say so ({origin}): {text:?}\n  ours: {:?}",
                ours.errors
            )),
            (true, false) => differences.push(format!(
                "libyaml accepts, we reject ({origin}): {text:?}\n  ours: {:?}",
                ours.errors
            )),
            (false, true) if !ours.duplicates => lenient.push(format!(
                "we accept what libyaml rejects ({origin}): {text:?}\n  libyaml: {}",
                verdict["error"]
            )),
            (false, _) => both_reject += 1,
            (true, true) => {
                both_accept += 1;
                if verdict["docs"].is_null() {
                    // Aliases expanding past what the reference renders: read alike is all.
                } else if ours.docs != last_wins(&verdict["docs"]) {
                    differences.push(format!(
                        "different values ({origin}): {text:?}\n  libyaml: {}\n  ours:    {}",
                        verdict["docs"], ours.docs
                    ));
                } else if !ours.duplicates
                    && !verdict["merged"].is_null()
                    && ours.merged.as_ref() != Some(&verdict["merged"])
                {
                    differences.push(format!(
                        "different merged values ({origin}): {text:?}\n  libyaml: {}\n  ours:    {:?}",
                        verdict["merged"], ours.merged
                    ));
                }
            }
        }
    }
    eprintln!(
        "{} inputs ({files} files, {literals} source literals, {generated} generated): \
         {both_accept} read alike, {both_reject} rejected by both, {deliberate} alias bombs \
         refused, {} rejected by us with a message that says libyaml reads them, {} read by us only",
        inputs.len(),
        known.len(),
        lenient.len()
    );
    for k in &known {
        eprintln!("notice: {k}");
    }
    for l in &lenient {
        eprintln!("notice: {l}");
    }
    assert!(
        differences.is_empty(),
        "{} differences from libyaml:\n{}",
        differences.len(),
        differences.join("\n")
    );
    assert!(
        known.is_empty(),
        "{} files libyaml reads and we do not (SL001 on what `docker compose` runs):\n{}",
        known.len(),
        known.join("\n")
    );
}

/// SL001 on a shape the runtime reads says so, and does not claim the runtime rejects it.
#[test]
fn sl001_does_not_claim_the_runtime_rejects_what_it_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let read_by_runtime = dir.path().join("compose.yaml");
    // A comment right after a token is read as libyaml reads it, up to a bound of sites per
    // file: one site more is reported, saying the runtime reads it.
    let sites: String = (0..=stowlint::parse::yaml::MAX_REREADS)
        .map(|k| format!("      LABEL_{k}: [a, b]# c\n"))
        .collect();
    std::fs::write(
        &read_by_runtime,
        format!("services:\n  web:\n    image: nginx\n    labels:\n{sites}"),
    )
    .expect("write");
    let refused_by_runtime = dir.path().join("other.compose.yaml");
    std::fs::write(&refused_by_runtime, "services:\n  web: [nginx\n").expect("write");
    let (_, diagnostics) = crate::common::lint(&[read_by_runtime, refused_by_runtime]);
    let sl001: Vec<_> = diagnostics.iter().filter(|d| d.code == "SL001").collect();
    assert_eq!(sl001.len(), 2, "{diagnostics:?}");
    for d in sl001 {
        let help = d.help.as_deref().unwrap_or_default();
        let reads = d.message.contains(RUNTIME_READS_IT);
        let name = d.file.as_path().file_name().and_then(|n| n.to_str());
        assert_eq!(reads, name == Some("compose.yaml"), "{d:?}");
        assert_eq!(help.contains("the runtime rejects it too"), !reads, "{d:?}");
    }
}

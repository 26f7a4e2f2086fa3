//! JSON with comments (`devcontainer.json`, VS Code's JSONC): `//` and `/* */` comments and
//! trailing commas.
//!
//! Read through the spanned YAML tree, as `.json` manifests already are (JSON is YAML, and a
//! YAML flow collection takes a trailing comma): comments are blanked first, byte for byte
//! (line breaks kept), so every span the tree gives is the span in the file as written. One
//! reader, one notion of a span, no JSON-specific tree to keep in step.

use crate::model::{ParseError, SourceFile};
use crate::yaml::{self, Stream};

/// `text` with its comments replaced by spaces (line breaks kept), outside strings; and the
/// position of a block comment left open, if any.
#[must_use]
pub fn blank_comments(text: &str) -> (String, Option<usize>) {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    let mut open = None;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    if bytes.get(i) == Some(&b'\n') {
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    out[i] = b' ';
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let start = i;
                out[i] = b' ';
                out[i + 1] = b' ';
                i += 2;
                loop {
                    match bytes.get(i) {
                        None => {
                            open = Some(start);
                            break;
                        }
                        Some(b'*') if bytes.get(i + 1) == Some(&b'/') => {
                            out[i] = b' ';
                            out[i + 1] = b' ';
                            i += 2;
                            break;
                        }
                        Some(b'\n' | b'\r') => i += 1,
                        Some(_) => {
                            out[i] = b' ';
                            i += 1;
                        }
                    }
                }
            }
            _ => i += 1,
        }
    }
    // Only ASCII bytes and whole multi-byte characters (all their bytes) were replaced.
    (String::from_utf8(out).unwrap_or_default(), open)
}

/// Read a JSONC file into the spanned tree; errors point into the file as written.
#[must_use]
pub fn parse(source: &SourceFile) -> Stream {
    let (blanked, open) = blank_comments(&source.text);
    let shadow = SourceFile::new(source.path.clone(), blanked);
    let mut stream = yaml::parse(&shadow);
    // JSON has no aliases: a `*name` YAML reads as one is a syntax error of the file.
    let aliases = std::mem::take(&mut stream.unknown_aliases);
    stream.errors.extend(aliases);
    for e in &mut stream.errors {
        e.message = e.message.replace("YAML syntax error", "JSON syntax error");
        e.span = source.span(e.span.start()..e.span.end());
    }
    for e in &mut stream.duplicate_keys {
        e.span = source.span(e.span.start()..e.span.end());
    }
    if let Some(at) = open {
        stream.errors.push(ParseError {
            message: "comment `/*` is not closed".to_string(),
            span: source.span(at..at + 2),
        });
        stream.fatal = true;
    }
    stream
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_blanked_byte_for_byte() {
        let text = "{\n  // a comment, é\n  \"a\": \"http://x\", /* b\n c */ \"d\": 1,\n}\n";
        let (blanked, open) = blank_comments(text);
        assert_eq!(blanked.len(), text.len());
        assert!(open.is_none());
        assert!(blanked.contains("\"http://x\""));
        assert!(!blanked.contains("comment"));
        assert_eq!(blanked.lines().count(), text.lines().count());
        let file = SourceFile::new("devcontainer.json", text.to_string());
        let stream = parse(&file);
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let root = stream.documents[0].root.as_ref().unwrap();
        let d = root.get("d").unwrap();
        assert_eq!(d.span.text(&file.text), "1");
        assert_eq!(root.get("a").unwrap().as_str(), Some("http://x"));
    }

    #[test]
    fn errors_point_into_the_file() {
        let file = SourceFile::new("devcontainer.json", "{\n  \"a\": [1,\n}\n".to_string());
        let stream = parse(&file);
        assert!(stream.fatal);
        assert!(stream.errors[0].message.starts_with("JSON syntax error"));
        let file = SourceFile::new("devcontainer.json", "{ /* open\n".to_string());
        let stream = parse(&file);
        assert!(
            stream
                .errors
                .iter()
                .any(|e| e.message.contains("not closed"))
        );
    }
}

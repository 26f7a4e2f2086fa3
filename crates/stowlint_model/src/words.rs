//! Command lines in words, as a POSIX shell splits them: compose's string `command:`, the
//! script of `sh -c`, and a Dockerfile `RUN` script in simple commands. Quotes and
//! backslashes are honoured; expansions are kept as written.

use std::ops::Range;

/// The words of `text`; `None` when a quote is left open.
#[must_use]
pub fn split(text: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    // A word is started by any character, also by a pair of quotes with nothing inside (`""`).
    let mut started = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                started = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                started = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$' | '`') => word.push(c),
                            '\n' => {}
                            c => {
                                word.push('\\');
                                word.push(c);
                            }
                        },
                        c => word.push(c),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(c) => {
                    started = true;
                    word.push(c);
                }
            },
            c if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                started = true;
                word.push(c);
            }
        }
    }
    if started {
        words.push(word);
    }
    Some(words)
}

/// A token of a simple command.
/// A token of a simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Word(String),
    /// A redirection operator: `>`, `>>`, `<`, `<<`, `>&`, ...
    Redirect(String),
}

/// The simple commands of a shell script (a Dockerfile `RUN`), as words and redirections: quotes
/// and backslashes as [`split`] reads them, comments, `;`, `&`, `|`, `&&`, `||`, newlines,
/// parentheses, backquotes, `$(` and redirections end or separate commands. Expansions are
/// kept as written.
pub fn simple_commands(script: &str) -> Vec<Vec<Token>> {
    simple_commands_at(script)
        .into_iter()
        .map(|(tokens, _)| tokens)
        .collect()
}

/// [`simple_commands`], each with the byte range of the script it is written in.
pub fn simple_commands_at(script: &str) -> Vec<(Vec<Token>, Range<usize>)> {
    /// The command being read: its tokens and where they start and end.
    #[derive(Default)]
    struct Cmd {
        tokens: Vec<Token>,
        range: Option<Range<usize>>,
    }
    impl Cmd {
        /// The command reaches `end` (exclusive), from `start` if it is its first character.
        fn touch(&mut self, start: usize, end: usize) {
            let r = self.range.get_or_insert(start..end);
            r.end = r.end.max(end);
        }
    }
    let mut out: Vec<(Vec<Token>, Range<usize>)> = Vec::new();
    let mut cmd = Cmd::default();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.char_indices().peekable();
    let finish_word = |word: &mut String, in_word: &mut bool, cmd: &mut Cmd| {
        if *in_word {
            cmd.tokens.push(Token::Word(std::mem::take(word)));
            *in_word = false;
        }
    };
    let finish_cmd = |cmd: &mut Cmd, out: &mut Vec<(Vec<Token>, Range<usize>)>| {
        let done = std::mem::take(cmd);
        out.push((done.tokens, done.range.unwrap_or(0..0)));
    };
    let end_of = |i: usize, c: char| i + c.len_utf8();
    while let Some((i, ch)) = chars.next() {
        match ch {
            '\'' => {
                in_word = true;
                cmd.touch(i, end_of(i, ch));
                for (j, c) in chars.by_ref() {
                    cmd.touch(i, end_of(j, c));
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                cmd.touch(i, end_of(i, ch));
                while let Some((j, c)) = chars.next() {
                    cmd.touch(i, end_of(j, c));
                    match c {
                        '"' => break,
                        // Inside double quotes a backslash escapes only `"`, `\`, `$`,
                        // backquote and a newline (POSIX); before anything else it stays.
                        '\\' => {
                            if let Some((k, n)) = chars.next() {
                                cmd.touch(i, end_of(k, n));
                                match n {
                                    '"' | '\\' | '$' | '`' => word.push(n),
                                    '\n' => {}
                                    _ => {
                                        word.push('\\');
                                        word.push(n);
                                    }
                                }
                            }
                        }
                        _ => word.push(c),
                    }
                }
            }
            '\\' => match chars.next() {
                // A line continuation, also before a CRLF line end.
                None | Some((_, '\n')) => {}
                Some((_, '\r')) if chars.peek().is_some_and(|&(_, c)| c == '\n') => {
                    chars.next();
                }
                Some((j, n)) => {
                    in_word = true;
                    cmd.touch(i, end_of(j, n));
                    word.push(n);
                }
            },
            '#' if !in_word => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                finish_word(&mut word, &mut in_word, &mut cmd);
                finish_cmd(&mut cmd, &mut out);
            }
            ' ' | '\t' | '\r' => finish_word(&mut word, &mut in_word, &mut cmd),
            '\n' | ';' | '|' | '(' | ')' | '`' => {
                finish_word(&mut word, &mut in_word, &mut cmd);
                finish_cmd(&mut cmd, &mut out);
            }
            '&' if chars.peek().map(|&(_, c)| c) == Some('>') => {
                finish_word(&mut word, &mut in_word, &mut cmd);
                let (j, c) = chars.next().unwrap_or((i, ch));
                let mut end = end_of(j, c);
                let mut op = String::from("&>");
                if let Some(&(k, '>')) = chars.peek() {
                    chars.next();
                    end = k + 1;
                    op.push('>');
                }
                cmd.touch(i, end);
                cmd.tokens.push(Token::Redirect(op));
            }
            '&' => {
                finish_word(&mut word, &mut in_word, &mut cmd);
                finish_cmd(&mut cmd, &mut out);
            }
            '>' | '<' => {
                // `2>` and `1>>`: the digits name a file descriptor, not a word.
                if in_word && word.chars().all(|c| c.is_ascii_digit()) {
                    word.clear();
                    in_word = false;
                }
                finish_word(&mut word, &mut in_word, &mut cmd);
                let mut op = String::from(ch);
                let mut end = end_of(i, ch);
                while let Some(&(j, n)) = chars.peek() {
                    if matches!(n, '>' | '<' | '&' | '|') {
                        op.push(n);
                        end = end_of(j, n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                cmd.touch(i, end);
                cmd.tokens.push(Token::Redirect(op));
            }
            '$' if chars.peek().map(|&(_, c)| c) == Some('(') => {
                // Command substitution: its words are not this command's operands.
                finish_word(&mut word, &mut in_word, &mut cmd);
                chars.next();
                finish_cmd(&mut cmd, &mut out);
            }
            _ => {
                in_word = true;
                cmd.touch(i, end_of(i, ch));
                word.push(ch);
            }
        }
    }
    finish_word(&mut word, &mut in_word, &mut cmd);
    finish_cmd(&mut cmd, &mut out);
    out.retain(|(c, _)| !c.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::{Token, simple_commands, simple_commands_at, split};

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            split(r#"redis-server --save "" --appendonly no"#).unwrap(),
            ["redis-server", "--save", "", "--appendonly", "no"]
        );
        assert_eq!(
            split("sh -c 'exec minio server /data'").unwrap(),
            ["sh", "-c", "exec minio server /data"]
        );
        assert_eq!(split(r"a\ b  c").unwrap(), ["a b", "c"]);
        assert_eq!(split(r#""x\"y""#).unwrap(), [r#"x"y"#]);
        assert_eq!(split("  ").unwrap(), Vec::<String>::new());
        assert!(split("echo 'open").is_none());
    }

    #[test]
    fn simple_commands_know_where_they_are_written() {
        let script =
            "set -eux; \\\n  mkdir -p \"$D/x\" && echo 'a b' >> /d/log 2>&1 | tee -a /d/t\n";
        let at: Vec<&str> = simple_commands_at(script)
            .into_iter()
            .map(|(_, r)| &script[r])
            .collect();
        assert_eq!(
            at,
            [
                "set -eux",
                "mkdir -p \"$D/x\"",
                "echo 'a b' >> /d/log 2>&1",
                "tee -a /d/t"
            ]
        );
    }

    #[test]
    fn double_quotes_keep_a_backslash_before_other_characters() {
        let words = |s: &str| -> Vec<String> {
            simple_commands(s)
                .into_iter()
                .flatten()
                .filter_map(|t| match t {
                    Token::Word(w) => Some(w),
                    Token::Redirect(_) => None,
                })
                .collect()
        };
        assert_eq!(
            words(r#"echo "a\b" "c\"d" 'e\f'"#),
            ["echo", r"a\b", r#"c"d"#, r"e\f"]
        );
        assert_eq!(words(r#"echo "a\b""#), split(r#"echo "a\b""#).unwrap());
    }
}

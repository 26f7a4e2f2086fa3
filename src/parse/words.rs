//! Command lines in words, as a POSIX shell splits them: compose's string `command:` and the
//! script of `sh -c`. Quotes and backslashes are honoured; expansions are kept as written.

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

#[cfg(test)]
mod tests {
    use super::split;

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
}

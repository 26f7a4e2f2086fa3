//! What a container's command line says about a stateful image's data, read with the
//! catalog entry's patterns (`servers`, `tools`, `args`, `volatile`; the syntax is described
//! in `stateful-images.toml`).

use crate::Command;
use crate::words;

/// The catalog entry's command-line patterns.
#[derive(Clone, Debug, Default)]
pub struct Patterns {
    pub servers: Vec<String>,
    pub tools: Vec<String>,
    pub args: Vec<String>,
    pub volatile: Vec<String>,
    /// The image's own `CMD`, for a container that overrides neither it nor the entrypoint.
    pub cmd: Vec<String>,
}

/// What a container runs, as far as its command line tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invocation {
    /// One of the image's tools (a client, a backup, a sentinel): not the data server.
    Tool,
    /// The server, or presumably so when the command names neither a server nor a tool.
    Server { named: bool, data: DataLocation },
}

/// Where the server keeps its data, as far as its command line tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataLocation {
    /// Where the catalog (or a moving variable) says.
    Default,
    /// Moved by the command line to these paths (normalized).
    Moved(Vec<String>),
    /// Moved, to a path not known (`$DATA`, a relative path): no finding.
    Unknown,
    /// Persistence switched off: the server keeps nothing.
    Nothing,
}

/// Shells whose `-c` script is read for the program it runs.
pub const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh"];
/// Words that run the next one: skipped to find the program.
pub const WRAPPERS: &[&str] = &["exec", "tini", "dumb-init", "--", "nohup", "env"];

impl Patterns {
    /// What `command` runs.
    #[must_use]
    pub fn invocation(&self, command: &Command) -> Invocation {
        let words: Vec<String> = match (&command.entrypoint, &command.args) {
            (Some(e), args) => e.iter().chain(args.iter().flatten()).cloned().collect(),
            (None, Some(args)) => args.clone(),
            (None, None) => {
                return Invocation::Server {
                    named: false,
                    data: DataLocation::Default,
                };
            }
        };
        self.read(&words, 0)
    }

    /// What the image runs by its own `CMD` (`vault`: `server -dev`), for a container of the
    /// image itself (not one built on it) that overrides no command.
    #[must_use]
    pub fn image_default(&self) -> Invocation {
        if self.cmd.is_empty() {
            return Invocation::Server {
                named: false,
                data: DataLocation::Default,
            };
        }
        self.read(&self.cmd, 0)
    }

    fn read(&self, words: &[String], depth: usize) -> Invocation {
        let words = skip_wrappers(words, &self.servers);
        if let Some(script) = shell_script(words)
            && depth < 3
        {
            return self.read_script(script, depth);
        }
        // Global flags written as one word before a subcommand (`weed -v=0 s3`): the
        // subcommand is the program the patterns name.
        // Only such flags (`--datadir=/srv/mysql` for the image's entrypoint): no program is
        // named (the flag's path is no program: `mysql` is not `--datadir=/srv/mysql`).
        // A flag and its number as two words (`weed -v 9 s3`) are global flags too.
        let at = (0..words.len()).find(|&i| {
            let glued = words[i].starts_with('-') && words[i].contains('=');
            let value_of_flag = i > 0 && is_flag_before_number(words, i - 1);
            !(glued || value_of_flag || is_flag_before_number(words, i))
        });
        let program = at.and_then(|i| words.get(i)).map_or("", |w| basename(w));
        let rest = &words[at.unwrap_or(0).min(words.len())..];
        // A file or text utility run for itself (`chown -R mysql:mysql /var/lib/mysql` in a
        // one-shot helper of the image) prepares files and exits: a task, not the server.
        if is_idle(words)
            || self.tools.iter().any(|t| matches_program(t, program, rest))
            || (UTILITIES.contains(&program) && !self.servers.iter().any(|s| s == program))
        {
            return Invocation::Tool;
        }
        let named = self
            .servers
            .iter()
            .any(|s| matches_program(s, program, rest));
        Invocation::Server {
            named,
            data: self.data(words),
        }
    }

    /// A `sh -c` script: the segment that runs the server, else a tool if one runs, else the
    /// presumed server (a script of its own, unknown).
    fn read_script(&self, script: &str, depth: usize) -> Invocation {
        let mut tool = false;
        // Whether every command of the script is a file or text utility (`wget`, `tar`,
        // `mkdir`): a setup task that prepares files and exits, never the server.
        let mut utilities_only = true;
        let mut commands = 0;
        let segments = segments(script);
        for (at, segment) in segments.iter().enumerate() {
            let Some(words) = words::split(segment) else {
                continue;
            };
            // `arch=$(uname -m | …`: the command substitution runs `uname`.
            let substituted = words
                .first()
                .filter(|w| is_assignment(w))
                .and_then(|w| w.split_once('=')?.1.strip_prefix("$("))
                .map(|inner| basename(inner).to_string());
            let words: Vec<String> = words.into_iter().skip_while(|w| is_assignment(w)).collect();
            if substituted.is_some_and(|p| UTILITIES.contains(&p.as_str())) {
                commands += 1;
                continue;
            }
            // A word that only closes a compound command (`fi`, `done`) or a bare keyword
            // (`then` on its own line) runs nothing.
            if words.is_empty()
                || (words.len() == 1
                    && (SCRIPT_ENDS.contains(&words[0].as_str())
                        || matches!(words[0].as_str(), "then" | "else" | "do" | "{" | "}")))
            {
                continue;
            }
            // `sleep 5; ./start.sh` waits, then starts something: only a script that ends
            // idling (`while true; do sleep 60; done`) keeps the container up doing nothing.
            if is_idle(&words) {
                let ends = segments[at + 1..]
                    .iter()
                    .all(|s| SCRIPT_ENDS.contains(&s.as_str()));
                tool |= ends;
                continue;
            }
            commands += 1;
            let program = skip_wrappers(&words, &self.servers)
                .first()
                .map_or("", |w| basename(w));
            if UTILITIES.contains(&program) {
                continue;
            }
            // `exec` replaces the shell: what it runs (not a tool) is the container's main
            // process, whatever the tools run before it (`kafka-configs.sh ...; exec
            // /entrypoint.sh /run.sh`).
            let exec = words.first().is_some_and(|w| w == "exec");
            match self.read(&words, depth + 1) {
                found @ Invocation::Server { named: true, .. } => return found,
                found @ Invocation::Server { .. } if exec => return found,
                Invocation::Tool => tool = true,
                Invocation::Server { .. } => utilities_only = false,
            }
        }
        if tool || (utilities_only && commands > 0) {
            Invocation::Tool
        } else {
            Invocation::Server {
                named: false,
                data: DataLocation::Default,
            }
        }
    }

    /// Where the data goes by the `args` patterns, unless `volatile` switches persistence off.
    fn data(&self, words: &[String]) -> DataLocation {
        if !self.volatile.is_empty() && self.volatile.iter().all(|v| holds(v, words)) {
            return DataLocation::Nothing;
        }
        let mut paths = Vec::new();
        for pattern in &self.args {
            for value in values(pattern, words) {
                match value.and_then(|v| data_path(&v)) {
                    Some(paths_of_value) => paths.extend(paths_of_value),
                    None => return DataLocation::Unknown,
                }
            }
        }
        if paths.is_empty() {
            return DataLocation::Default;
        }
        let mut unique = Vec::new();
        for p in paths {
            if !unique.contains(&p) {
                unique.push(p);
            }
        }
        DataLocation::Moved(unique)
    }
}

/// Shell built-ins and file or text utilities: a script made only of these prepares files
/// (downloads, unpacks, copies) and exits; it runs no server.
const UTILITIES: &[&str] = &[
    "echo", "printf", "cd", "set", "export", "mkdir", "cp", "mv", "rm", "ln", "chmod", "chown",
    "chgrp", "touch", "cat", "ls", "wget", "curl", "tar", "gzip", "gunzip", "unzip", "sed", "awk",
    "grep", "tr", "uname", "find", "test", "[", "tee", "install", "cut", "head", "tail",
];

/// Words that only close a script's compound commands.
const SCRIPT_ENDS: &[&str] = &["done", "fi", "esac", "true", "wait"];

/// A command that keeps the container up doing nothing (`sleep infinity`, `tail -f
/// /dev/null`), or a bare shell (`/bin/sh`, `bash -l`: no script, no command): a client
/// container that is entered to run the image's tools, not the server.
fn is_idle(words: &[String]) -> bool {
    match words.first().map(|w| basename(w)) {
        Some("sleep" | "pause") => true,
        Some("tail") => words.iter().any(|w| w == "/dev/null"),
        Some(shell) if SHELLS.contains(&shell) => words[1..]
            .iter()
            .all(|w| matches!(w.as_str(), "-i" | "-l" | "-il" | "-li" | "--login")),
        _ => false,
    }
}

/// Whether `words[i]` is a flag whose value is the number after it (`-v 9`).
fn is_flag_before_number(words: &[String], i: usize) -> bool {
    words[i].starts_with('-')
        && !words[i].contains('=')
        && words.get(i + 1).is_some_and(|n| n.parse::<f64>().is_ok())
}

/// `/usr/local/bin/redis-server` → `redis-server`.
fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Drops `exec`, `tini --`, `VAR=x` and entrypoint scripts of the image
/// (`docker-entrypoint.sh`) that run the words after them.
fn skip_wrappers<'a>(mut words: &'a [String], servers: &[String]) -> &'a [String] {
    while let Some((first, rest)) = words.split_first() {
        let name = basename(first);
        let wrapper = WRAPPERS.contains(&name)
            || is_assignment(first)
            || (name.ends_with(".sh") && servers.iter().any(|s| s == name) && !rest.is_empty());
        if !wrapper {
            break;
        }
        words = rest;
    }
    words
}

/// The script of `sh -c 'script'` (also `-ec`, `-xc`, `-lc`).
fn shell_script(words: &[String]) -> Option<&str> {
    let (first, rest) = words.split_first()?;
    if !SHELLS.contains(&basename(first)) {
        return None;
    }
    let at = rest
        .iter()
        .position(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('c'))?;
    rest.get(at + 1).map(String::as_str)
}

/// The simple commands of a script: split at `;`, `&&`, `||`, `|`, `&` and newlines outside
/// quotes.
fn segments(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                current.push(c);
            }
            (None, '\\') => {
                current.push(c);
                if let Some(n) = chars.next() {
                    current.push(n);
                }
            }
            (None, ';' | '\n' | '&' | '|') => {
                out.push(std::mem::take(&mut current));
            }
            (None, c) => current.push(c),
        }
    }
    out.push(current);
    out.into_iter()
        .map(|s| {
            // Keywords of compound commands lead into the command they introduce.
            let trimmed = s.trim();
            for keyword in ["then ", "do ", "else ", "if ", "while ", "until ", "! "] {
                if let Some(rest) = trimmed.strip_prefix(keyword) {
                    return rest.trim().to_string();
                }
            }
            trimmed.to_string()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// A `servers` or `tools` entry, `program [word ...]`: the program by name, with every word
/// among its arguments (`redis-server --sentinel`), and none of the words written `!word`
/// (`agent !-server`: a consul agent that is no server), alone or with a glued value
/// (`-server=true`).
fn matches_program(entry: &str, program: &str, words: &[String]) -> bool {
    let mut parts = entry.split_whitespace();
    let args = || words.iter().skip(1);
    parts.next() == Some(program)
        && parts.all(|part| match part.strip_prefix('!') {
            Some(absent) => !args()
                .any(|w| w == absent || w.strip_prefix(absent).is_some_and(|r| r.starts_with('='))),
            None => args().any(|w| w == part),
        })
}

/// A flag's values in `words`, one per occurrence: `--name V`, `--name=V` (also `-name`),
/// `-x V`, `-xV`. `None` for an occurrence whose value is missing.
fn flag_values(flag: &str, words: &[String]) -> Vec<Option<String>> {
    let long = flag.len() > 2;
    let mut names = vec![flag.to_string()];
    if let Some(single) = flag.strip_prefix("--") {
        names.push(format!("-{single}"));
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if names.iter().any(|n| n == w) {
            out.push(words.get(i + 1).cloned());
            i += 2;
            continue;
        }
        let glued = names.iter().find_map(|n| {
            if long {
                w.strip_prefix(n.as_str())?.strip_prefix('=')
            } else {
                w.strip_prefix(n.as_str()).filter(|v| !v.is_empty())
            }
        });
        if let Some(value) = glued {
            out.push(Some(value.to_string()));
        }
        i += 1;
    }
    out
}

/// The values one `args` pattern finds: a flag's last value, or the positional words after
/// a literal.
fn values(pattern: &str, words: &[String]) -> Vec<Option<String>> {
    let parts: Vec<&str> = pattern.split_whitespace().collect();
    match parts.as_slice() {
        [literal @ .., "<path>"] => positional(literal, words),
        [flag] => flag_values(flag, words).pop().into_iter().collect(),
        [flag, key] => flag_values(flag, words)
            .into_iter()
            .filter_map(|v| Some(v?.strip_prefix(key)?.to_string()))
            .next_back()
            .map(Some)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The words after `literal` that are not flags or a flag's value (a flag without `=` takes
/// the next word, unless that is another flag, or the last word and a path).
fn positional(literal: &[&str], words: &[String]) -> Vec<Option<String>> {
    let Some(start) = words
        .windows(literal.len())
        .position(|w| w.iter().zip(literal).all(|(a, b)| a == b))
    else {
        return Vec::new();
    };
    let rest = &words[start + literal.len()..];
    let mut out = Vec::new();
    let mut i = 0;
    while i < rest.len() {
        let w = &rest[i];
        if w.starts_with('-') {
            let takes_value = match rest.get(i + 1) {
                None => false,
                Some(next) if next.starts_with('-') || w.contains('=') => false,
                // `--quiet /data`: a last word that looks like a path is the positional.
                Some(next) => i + 2 < rest.len() || !next.starts_with(['/', '$']),
            };
            i += if takes_value { 2 } else { 1 };
            continue;
        }
        out.push(Some(w.clone()));
        i += 1;
    }
    out
}

/// Whether a `volatile` condition holds: `--flag value` (`''` for empty) is the flag's last
/// value; a lone `--flag` is present.
fn holds(condition: &str, words: &[String]) -> bool {
    let parts: Vec<&str> = condition.split_whitespace().collect();
    match parts.as_slice() {
        [flag] => words
            .iter()
            .any(|w| w == flag || w.strip_prefix(flag).is_some_and(|r| r.starts_with('='))),
        [flag, value] => {
            let wanted = match *value {
                "''" | "\"\"" => "",
                v => v,
            };
            flag_values(flag, words).last() == Some(&Some(wanted.to_string()))
        }
        _ => false,
    }
}

/// The data paths one value names: an absolute path; minio's `{1...4}` expanded; the path of
/// a URL (`http://minio{1...4}/data`). `None` when not known (a variable, a relative path).
fn data_path(value: &str) -> Option<Vec<String>> {
    let path = match value.split_once("://") {
        Some((_, rest)) => &rest[rest.find('/')?..],
        None => value,
    };
    if !path.starts_with('/') || crate::is_unknown(path) {
        return None;
    }
    let expanded = expand(path)?;
    Some(
        expanded
            .iter()
            .map(|p| crate::paths::normalize(p))
            .collect(),
    )
}

/// `/data{1...4}` → `/data1` … `/data4` (at most 64 paths).
fn expand(path: &str) -> Option<Vec<String>> {
    let Some(open) = path.find('{') else {
        return Some(vec![path.to_string()]);
    };
    let close = open + path[open..].find('}')?;
    let (low, high) = path[open + 1..close].split_once("...")?;
    let (low, high): (u64, u64) = (low.parse().ok()?, high.parse().ok()?);
    if high < low || high - low >= 64 {
        return None;
    }
    let mut out = Vec::new();
    for n in low..=high {
        for rest in expand(&path[close + 1..])? {
            out.push(format!("{}{n}{rest}", &path[..open]));
        }
        if out.len() > 64 {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(servers: &[&str], tools: &[&str], args: &[&str], volatile: &[&str]) -> Patterns {
        let own = |l: &[&str]| l.iter().map(|s| (*s).to_string()).collect();
        Patterns {
            servers: own(servers),
            tools: own(tools),
            args: own(args),
            volatile: own(volatile),
            cmd: Vec::new(),
        }
    }

    fn run(p: &Patterns, entrypoint: Option<&str>, args: Option<&str>) -> Invocation {
        let split = |s: &str| words::split(s).unwrap();
        p.invocation(&Command {
            entrypoint: entrypoint.map(split),
            args: args.map(split),
        })
    }

    fn moved(paths: &[&str], named: bool) -> Invocation {
        Invocation::Server {
            named,
            data: DataLocation::Moved(paths.iter().map(|p| (*p).to_string()).collect()),
        }
    }

    #[test]
    fn minio_positional_paths() {
        let p = patterns(&["minio"], &["mc"], &["server <path>"], &[]);
        assert_eq!(
            run(&p, None, Some("server /storage")),
            moved(&["/storage"], false)
        );
        assert_eq!(
            run(
                &p,
                None,
                Some("minio server --address :9000 /data{1...2} --console-address :9001")
            ),
            moved(&["/data1", "/data2"], true)
        );
        assert_eq!(
            run(&p, None, Some("server http://minio{1...2}/export")),
            moved(&["/export"], false)
        );
        assert_eq!(
            run(
                &p,
                Some("sh -c"),
                Some("'mkdir -p /x/b && exec minio server /x'")
            ),
            moved(&["/x"], true)
        );
        assert_eq!(
            run(&p, Some("sh -c 'mc mb local/b'"), None),
            Invocation::Tool
        );
        // A tool run first, then `exec` of the image's own start script: the server.
        let kafka = patterns(&["kafka-server-start.sh"], &["kafka-configs.sh"], &[], &[]);
        assert_eq!(
            run(
                &kafka,
                Some("bash -c"),
                Some("'kafka-configs.sh --alter --entity-type users; exec /entrypoint.sh /run.sh'")
            ),
            Invocation::Server {
                named: false,
                data: DataLocation::Default
            }
        );
        // Flags alone, for the image's entrypoint: the path in a flag names no program.
        let mysql = patterns(&["mysqld"], &["mysql"], &["--datadir"], &[]);
        assert_eq!(
            run(&mysql, None, Some("--datadir=/srv/mysql")),
            moved(&["/srv/mysql"], false)
        );
        // A file utility run for itself: a one-shot helper of the image.
        assert_eq!(
            run(&p, None, Some("chown -R 1000:1000 /data")),
            Invocation::Tool
        );
        assert_eq!(
            run(&p, None, Some("server $DATA")),
            Invocation::Server {
                named: false,
                data: DataLocation::Unknown
            }
        );
    }

    #[test]
    fn flags_in_every_form() {
        let p = patterns(
            &["postgres", "docker-entrypoint.sh"],
            &["psql"],
            &["-D", "-c data_directory=", "--data_directory"],
            &[],
        );
        assert_eq!(run(&p, None, Some("postgres -D /x")), moved(&["/x"], true));
        assert_eq!(run(&p, None, Some("postgres -D/x")), moved(&["/x"], true));
        assert_eq!(
            run(
                &p,
                None,
                Some("postgres -c shared_buffers=1GB -c data_directory=/y")
            ),
            moved(&["/y"], true)
        );
        assert_eq!(
            run(
                &p,
                Some("docker-entrypoint.sh"),
                Some("postgres -c max_connections=200")
            ),
            Invocation::Server {
                named: true,
                data: DataLocation::Default
            }
        );
        assert_eq!(run(&p, None, Some("psql -h db")), Invocation::Tool);
        let prom = patterns(&["prometheus"], &[], &["--storage.tsdb.path"], &[]);
        for form in [
            "--storage.tsdb.path=/d",
            "--storage.tsdb.path /d",
            "-storage.tsdb.path=/d",
        ] {
            assert_eq!(
                run(&prom, None, Some(form)),
                moved(&["/d"], false),
                "{form}"
            );
        }
    }

    #[test]
    fn redis_without_persistence_and_its_sentinel() {
        let p = patterns(
            &["redis-server"],
            &["redis-cli", "redis-sentinel", "redis-server --sentinel"],
            &["--dir"],
            &["--save ''", "--appendonly no"],
        );
        let nothing = Invocation::Server {
            named: true,
            data: DataLocation::Nothing,
        };
        assert_eq!(
            run(&p, None, Some(r#"redis-server --save "" --appendonly no"#)),
            nothing
        );
        assert_eq!(
            run(&p, None, Some("redis-server --save '' --appendonly yes")),
            Invocation::Server {
                named: true,
                data: DataLocation::Default
            }
        );
        assert_eq!(
            run(&p, None, Some("redis-server /etc/redis.conf --dir /cache")),
            moved(&["/cache"], true)
        );
        assert_eq!(
            run(&p, None, Some("redis-server /etc/sentinel.conf --sentinel")),
            Invocation::Tool
        );
        assert_eq!(
            run(
                &p,
                Some("/bin/sh -ec"),
                Some("'until redis-cli ping; do sleep 1; done'")
            ),
            Invocation::Tool
        );
        assert_eq!(
            run(&p, Some("sh -c './start.sh'"), None),
            Invocation::Server {
                named: false,
                data: DataLocation::Default
            }
        );
    }

    #[test]
    fn a_tool_pattern_may_ask_for_a_word_to_be_absent() {
        let p = patterns(
            &[],
            &["agent !-server !-config-dir"],
            &["--data-dir"],
            &["-dev"],
        );
        let server = |data| Invocation::Server { named: false, data };
        assert_eq!(
            run(&p, None, Some("agent -retry-join=10.0.0.1")),
            Invocation::Tool
        );
        assert_eq!(
            run(&p, None, Some("agent -server -bootstrap-expect=3")),
            server(DataLocation::Default)
        );
        assert_eq!(
            run(&p, None, Some("agent -server=true")),
            server(DataLocation::Default)
        );
        assert_eq!(
            run(&p, None, Some("agent -config-dir=/consul/config")),
            server(DataLocation::Default)
        );
    }

    #[test]
    fn an_idle_container_runs_no_server() {
        let p = patterns(&["mysqld"], &["mysql"], &[], &[]);
        for command in [
            "sleep 360000",
            "sleep infinity",
            "tail -f /dev/null",
            "'while true; do sleep 3600; done'",
        ] {
            let (entrypoint, args) = if command.starts_with('\'') {
                (Some("sh -c"), Some(command))
            } else {
                (None, Some(command))
            };
            assert_eq!(run(&p, entrypoint, args), Invocation::Tool, "{command}");
        }
        assert_eq!(
            run(&p, Some("sh -c"), Some("'sleep 5; exec mysqld'")),
            Invocation::Server {
                named: true,
                data: DataLocation::Default
            }
        );
        assert_eq!(
            run(&p, Some("sh -c"), Some("'sleep 5; ./start.sh'")),
            Invocation::Server {
                named: false,
                data: DataLocation::Default
            }
        );
    }

    #[test]
    fn a_copy_script_with_compound_commands_is_a_task() {
        let p = patterns(&["ghost"], &[], &[], &[]);
        let script = "sh -c \"\n  if [ -d /var/lib/ghost/x ]; then\n    rm -rf /data/x/*;\n    \
                      cp -rf /var/lib/ghost/x/* /data/x/;\n  else\n    echo 'none';\n  fi\n\"";
        let words = crate::words::split(script).unwrap();
        assert_eq!(
            p.invocation(&Command {
                entrypoint: None,
                args: Some(words)
            }),
            Invocation::Tool
        );
        // A script that starts the server inside a compound command is the server.
        let words = crate::words::split("sh -c 'if [ -n \"$X\" ]; then exec ghost; fi'").unwrap();
        assert!(matches!(
            p.invocation(&Command {
                entrypoint: None,
                args: Some(words)
            }),
            Invocation::Server { named: true, .. }
        ));
    }

    #[test]
    fn a_bare_shell_runs_no_server() {
        let p = patterns(&["etcd"], &["etcdctl"], &[], &[]);
        assert_eq!(run(&p, Some("/bin/sh"), None), Invocation::Tool);
        assert_eq!(run(&p, Some("bash"), Some("-l")), Invocation::Tool);
        // A shell told to run a script starts something.
        assert_eq!(
            run(&p, Some("/bin/sh"), Some("/start.sh")),
            Invocation::Server {
                named: false,
                data: DataLocation::Default
            }
        );
    }

    #[test]
    fn the_image_command_runs_when_none_is_set() {
        let mut p = patterns(&[], &["agent"], &[], &["-dev"]);
        assert_eq!(
            p.image_default(),
            Invocation::Server {
                named: false,
                data: DataLocation::Default
            }
        );
        p.cmd = vec!["server".into(), "-dev".into()];
        assert_eq!(
            p.image_default(),
            Invocation::Server {
                named: false,
                data: DataLocation::Nothing
            }
        );
        assert_eq!(
            run(&p, None, Some("agent -config=/vault/config")),
            Invocation::Tool
        );
    }

    #[test]
    fn expands_ranges() {
        assert_eq!(expand("/d{1...3}").unwrap(), ["/d1", "/d2", "/d3"]);
        assert!(expand("/d{1...999}").is_none());
        assert_eq!(data_path("./rel"), None);
    }
}

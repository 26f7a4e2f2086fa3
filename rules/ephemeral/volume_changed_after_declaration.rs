use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::paths::normalize;
use crate::model::words::{Token, simple_commands, simple_commands_at};
use crate::model::{Dockerfile, FileModel, Instruction, Span, Stage};

declare_rule! {
    /// ## What it does
    /// Flags a Dockerfile `RUN` that changes files under a path the same stage declared a
    /// `VOLUME` for earlier: `mkdir`, `touch`, `chown`, `chmod`, `cp`, `mv`, `rm`, `ln`,
    /// `install`, `tee`, `>`/`>>` redirections, `sed -i`, `tar -x`, `unzip`, `git clone`,
    /// `curl -o`, `wget`, `dd of=`. Relative paths are resolved against `WORKDIR` and `cd`.
    ///
    /// Dockerfiles built with BuildKit are not flagged: BuildKit keeps such changes. A
    /// Dockerfile counts as one when it names a frontend (`# syntax=`) or uses BuildKit-only
    /// features (`RUN --mount`, heredocs, `COPY --link`, `COPY --chmod`), or when a
    /// `docker buildx bake` file (`docker-bake.hcl`, `docker-bake.json`) lies in its folder or
    /// one above: the project builds with buildx.
    ///
    /// ## Why is this bad?
    /// After `VOLUME /p`, the classic builder (`DOCKER_BUILDKIT=0`, older Docker and Buildah
    /// releases, some CI builders) runs each `RUN` with an anonymous volume at `/p` and throws
    /// that volume away: the files, owners and permissions the step sets never reach the
    /// image. The same Dockerfile then gives different images on different builders, and the
    /// container starts without the files, often as a permission error at runtime.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// VOLUME /var/lib/app
    /// RUN mkdir -p /var/lib/app/cache && chown -R app:app /var/lib/app
    /// ```
    ///
    /// Use instead: prepare the folder first, declare the volume last.
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN mkdir -p /var/lib/app/cache && chown -R app:app /var/lib/app
    /// VOLUME /var/lib/app
    /// ```
    ///
    /// ## References
    /// - <https://docs.docker.com/reference/dockerfile/#notes-about-specifying-volumes>
    /// - <https://github.com/moby/buildkit/issues/880>
    pub struct VolumeChangedAfterDeclaration;
    meta { code: "SL204", name: "volume-changed-after-declaration", severity: Warning,
           formats: [Dockerfile] }
}

impl Rule for VolumeChangedAfterDeclaration {
    fn check_file(&self, file: &FileModel, cx: &mut Ctx) {
        let Some(dockerfile) = &file.dockerfile else {
            return;
        };
        if requires_buildkit(dockerfile) || dockerfile.bake_file.is_some() {
            return;
        }
        for stage in &dockerfile.stages {
            check_stage(stage, cx);
        }
    }
}

/// `path` (absolute, normalized) and the folders above it, deepest first, `/` last.
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut next = Some(path);
    std::iter::from_fn(move || {
        let current = next?;
        next = match current.rfind('/') {
            _ if current == "/" => None,
            Some(0) => Some("/"),
            Some(i) => Some(&current[..i]),
            None => None,
        };
        Some(current)
    })
}

fn check_stage(stage: &Stage, cx: &mut Ctx) {
    let owner = stage
        .name
        .as_ref()
        .map_or_else(|| stage.index.to_string(), |n| n.value.clone());
    // Declared volume paths (normalized) to where the last declaration of each is, and the
    // stage's volumes by the offset of their instruction: looked up, not scanned, so a stage
    // of thousands of `VOLUME` and `RUN` lines stays linear.
    let mut declared: std::collections::HashMap<String, Span> = std::collections::HashMap::new();
    let mut volumes_at: std::collections::HashMap<usize, Vec<&crate::model::VolumeInstruction>> =
        std::collections::HashMap::new();
    for v in stage.volumes.iter().filter(|v| !v.malformed) {
        volumes_at.entry(v.span.start()).or_default().push(v);
    }
    for instr in &stage.instructions {
        if instr.keyword == "VOLUME" {
            let paths = volumes_at
                .get(&instr.span.start())
                .into_iter()
                .flatten()
                .filter(|v| v.span == instr.span)
                .flat_map(|v| v.paths.iter())
                .filter(|p| p.value.starts_with('/') && !crate::model::is_unknown(&p.value));
            declared.extend(paths.map(|p| (normalize(&p.value), p.span)));
            continue;
        }
        if instr.keyword != "RUN" || declared.is_empty() {
            continue;
        }
        let Some(command) = &instr.command else {
            continue;
        };
        let found = writes(command, instr.workdir.as_deref())
            .into_iter()
            .find_map(|w| {
                // The deepest declared folder at or above the written path.
                let (volume, span) = ancestors(&w.path).find_map(|a| declared.get_key_value(a))?;
                // Creating the volume's own folder changes nothing: it exists already.
                (!(w.creates && w.path == *volume)).then(|| (w, volume.clone(), *span))
            });
        let Some((write, volume, span)) = found else {
            continue;
        };
        let at = command_span(instr, command, write.command).unwrap_or(instr.span);
        cx.report(
            at,
            format!(
                "stage {owner} changes `{}` with {} after declaring `VOLUME {volume}`: the \
                 classic builder discards the change",
                write.path, write.how
            ),
        )
        .label(span, "declared a volume here")
        .help(format!(
            "do this before `VOLUME {volume}`: move the `VOLUME` instruction to the end of the \
             stage"
        ));
    }
}

/// Where the `index`-th simple command of a `RUN`'s shell script is written: the narrowest
/// span that shows the change in a long `RUN` of many lines. `None` when the script as written
/// does not split into the same commands as the one the shell runs (exec form, variables
/// holding separators); the caller then points at the whole instruction.
fn command_span(instr: &Instruction, script: &str, index: usize) -> Option<Span> {
    // The shell never sees comment lines inside a continued `RUN`: blank them, newline
    // included, so the commands around them stay one and the offsets stay the same.
    let mut written = String::with_capacity(instr.args.value.len());
    let mut continued = false;
    for line in instr.args.value.split_inclusive('\n') {
        if continued && line.trim_start().starts_with('#') {
            written.extend(line.chars().map(|c| if c == '\t' { c } else { ' ' }));
            continue;
        }
        written.push_str(line);
        continued = line.trim_end_matches(['\n', '\r']).ends_with('\\');
    }
    let commands = simple_commands_at(&written);
    if commands.len() != simple_commands(script).len() {
        return None;
    }
    let (_, range) = commands.into_iter().nth(index)?;
    Some(instr.args.sub_span(range))
}

/// BuildKit keeps what a `RUN` writes under a `VOLUME`; only the classic builder discards it.
/// A Dockerfile that names a frontend (`# syntax=`) or uses BuildKit-only features (`RUN
/// --mount`, heredocs, `COPY --link`) is built with BuildKit.
fn requires_buildkit(dockerfile: &Dockerfile) -> bool {
    const BUILDKIT_FLAGS: &[&str] = &[
        "mount",
        "network",
        "security",
        "link",
        "parents",
        "exclude",
        "checksum",
        "keep-git-dir",
        "chmod",
    ];
    dockerfile.syntax.is_some()
        || dockerfile
            .stages
            .iter()
            .flat_map(|s| &s.instructions)
            .any(|i| {
                !i.heredocs.is_empty()
                    || i.flags
                        .iter()
                        .any(|f| BUILDKIT_FLAGS.contains(&f.name.as_str()))
            })
}

/// A path a command changes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Write {
    path: String,
    /// How, for the message: "`mkdir`", "a `>` redirection".
    how: String,
    /// Creates the path itself (`mkdir`): harmless when it is the volume.
    creates: bool,
    /// Which simple command of the script (see [`simple_commands`]) changes it.
    command: usize,
}

/// Words before a command that are not the command: assignments, keywords, wrappers.
fn strip_prefix(words: &[String]) -> &[String] {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let assignment = w.split_once('=').is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_')
        });
        if assignment
            || matches!(
                w.as_str(),
                "then"
                    | "do"
                    | "else"
                    | "elif"
                    | "if"
                    | "while"
                    | "until"
                    | "!"
                    | "{"
                    | "}"
                    | "time"
                    | "exec"
                    | "command"
                    | "nohup"
                    | "env"
            )
        {
            i += 1;
        } else if w == "sudo" || w == "gosu" || w == "su-exec" {
            i += 1;
            if w != "sudo" {
                i += 1; // the user
            }
            while let Some(opt) = words.get(i).filter(|o| o.starts_with('-')) {
                i += if matches!(opt.as_str(), "-u" | "-g") {
                    2
                } else {
                    1
                };
            }
        } else {
            break;
        }
    }
    &words[i.min(words.len())..]
}

/// Options and operands of a command; `with_arg` lists options that take the next word.
struct Args<'a> {
    options: Vec<(&'a str, Option<&'a str>)>,
    operands: Vec<&'a str>,
}

fn parse_args<'a>(words: &'a [String], with_arg: &[&str]) -> Args<'a> {
    let mut options = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    let mut only_operands = false;
    while let Some(w) = words.get(i) {
        i += 1;
        if only_operands || !w.starts_with('-') || w == "-" {
            operands.push(w.as_str());
        } else if w == "--" {
            only_operands = true;
        } else if let Some((name, value)) = w.split_once('=').filter(|_| w.starts_with("--")) {
            options.push((name, Some(value)));
        } else if with_arg.contains(&w.as_str()) {
            options.push((w.as_str(), words.get(i).map(String::as_str)));
            i += 1;
        } else {
            options.push((w.as_str(), None));
        }
    }
    Args { options, operands }
}

impl Args<'_> {
    fn has(&self, names: &[&str]) -> bool {
        self.options.iter().any(|(n, _)| names.contains(n))
    }

    fn value(&self, names: &[&str]) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| names.contains(n))
            .and_then(|(_, v)| *v)
    }

    /// A short-option cluster such as `-xzf` holds `letter`.
    fn cluster_has(&self, letter: char) -> bool {
        self.options
            .iter()
            .any(|(n, _)| !n.starts_with("--") && n[1..].contains(letter))
    }
}

/// A path as the command sees it, made absolute; `None` when unknown.
fn resolve(path: &str, cwd: Option<&str>) -> Option<String> {
    // Keep what precedes a variable or a glob only when it ends a folder (`/p/$X` → `/p`).
    let cut = path
        .find(['$', '*', '?', '[', '{', '~'])
        .map_or(path, |i| &path[..i]);
    if cut.len() != path.len() && !cut.ends_with('/') {
        return None;
    }
    if cut.is_empty() {
        return None;
    }
    if cut.starts_with('/') {
        Some(normalize(cut))
    } else {
        cwd.map(|dir| normalize(&format!("{dir}/{cut}")))
    }
}

/// What each simple command of a `RUN` changes, `cwd` followed through `cd`.
fn writes(command: &str, workdir: Option<&str>) -> Vec<Write> {
    // Heredoc bodies (appended after newlines) need BuildKit: such files are not checked.
    let commands = simple_commands(command);
    let mut cwd = workdir.map(str::to_string);
    let mut out = Vec::new();
    for (index, tokens) in commands.into_iter().enumerate() {
        let mut words: Vec<String> = Vec::new();
        let mut iter = tokens.into_iter();
        while let Some(t) = iter.next() {
            match t {
                Token::Word(w) => words.push(w),
                Token::Redirect(op) => {
                    let target = iter.next();
                    let writes_file = op.contains('>') && !op.ends_with('&');
                    if let (true, Some(Token::Word(path))) = (writes_file, target)
                        && !path.starts_with("/dev/")
                        && let Some(path) = resolve(&path, cwd.as_deref())
                    {
                        out.push(Write {
                            path,
                            how: format!("a `{op}` redirection"),
                            creates: false,
                            command: index,
                        });
                    }
                }
            }
        }
        let words = strip_prefix(&words);
        let Some((name, args)) = words.split_first() else {
            continue;
        };
        let name = name.rsplit('/').next().unwrap_or(name);
        if name == "cd" {
            cwd = match args.first() {
                Some(dir) if !dir.contains(['$', '*', '?', '[', '{', '~']) && dir != "-" => {
                    resolve(dir, cwd.as_deref())
                }
                _ => None,
            };
            continue;
        }
        let (paths, creates) = command_writes(name, args, cwd.as_deref());
        out.extend(paths.into_iter().filter_map(|p| {
            Some(Write {
                path: resolve(&p, cwd.as_deref())?,
                how: if name == "git" {
                    "`git clone`".to_string()
                } else {
                    format!("`{name}`")
                },
                creates,
                command: index,
            })
        }));
    }
    out
}

/// The paths a command changes (as written), and whether it only creates them.
fn command_writes(name: &str, args: &[String], cwd: Option<&str>) -> (Vec<String>, bool) {
    let own = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
    let last_or_target = |a: &Args, target: &[&str]| -> Vec<String> {
        match a.value(target) {
            Some(dir) => vec![dir.to_string()],
            None if a.operands.len() >= 2 => own(&a.operands[a.operands.len() - 1..]),
            None => Vec::new(),
        }
    };
    let here = || cwd.map(str::to_string).into_iter().collect::<Vec<_>>();
    match name {
        "mkdir" => (own(&parse_args(args, &["-m"]).operands), true),
        "touch" => (own(&parse_args(args, &["-d", "-t", "-r"]).operands), false),
        "rm" | "rmdir" | "unlink" | "tee" => (own(&parse_args(args, &[]).operands), false),
        "truncate" => (own(&parse_args(args, &["-s", "-r"]).operands), false),
        "chown" | "chgrp" => {
            let a = parse_args(args, &[]);
            let skip = usize::from(!a.options.iter().any(|(n, _)| n.starts_with("--reference")));
            (own(a.operands.get(skip..).unwrap_or_default()), false)
        }
        "chmod" => {
            // A mode such as `-w` looks like an option: read it as the mode.
            let mode_like = |w: &str| {
                w.len() > 1
                    && w[1..]
                        .chars()
                        .all(|c| "rwxXstugoa=+-,".contains(c) || c.is_ascii_digit())
            };
            let mut operands: Vec<&str> = Vec::new();
            let mut mode_seen = args.iter().any(|w| w.starts_with("--reference"));
            for w in args {
                if w.starts_with('-') && (mode_seen || !mode_like(w)) {
                    continue;
                }
                if mode_seen {
                    operands.push(w);
                } else {
                    mode_seen = true;
                }
            }
            (own(&operands), false)
        }
        "ln" => {
            let a = parse_args(args, &["-t", "-S"]);
            (last_or_target(&a, &["-t", "--target-directory"]), false)
        }
        "cp" => {
            let a = parse_args(args, &["-t", "-S"]);
            (last_or_target(&a, &["-t", "--target-directory"]), false)
        }
        "mv" => {
            let a = parse_args(args, &["-t", "-S"]);
            if a.operands.len() >= 2 || a.has(&["-t", "--target-directory"]) {
                let mut paths = own(&a.operands);
                paths.extend(a.value(&["-t", "--target-directory"]).map(str::to_string));
                (paths, false)
            } else {
                (Vec::new(), false)
            }
        }
        "install" => {
            let a = parse_args(args, &["-m", "-o", "-g", "-t", "-S"]);
            if a.has(&["-d", "--directory"]) || a.cluster_has('d') {
                (own(&a.operands), true)
            } else {
                (last_or_target(&a, &["-t", "--target-directory"]), false)
            }
        }
        "sed" => {
            let a = parse_args(args, &["-e", "-f", "--expression", "--file", "-l"]);
            let in_place = a.options.iter().any(|(n, _)| {
                n.starts_with("-i")
                    || n.starts_with("--in-place")
                    || (n.starts_with('-') && !n.starts_with("--") && n.contains('i'))
            });
            if !in_place {
                return (Vec::new(), false);
            }
            let skip = usize::from(!a.has(&["-e", "-f", "--expression", "--file"]));
            (own(a.operands.get(skip..).unwrap_or_default()), false)
        }
        "tar" => {
            let a = parse_args(args, &["-C", "-f", "--directory", "--file"]);
            let old_style = args
                .first()
                .is_some_and(|w| !w.starts_with('-') && w.contains('x'));
            let extract = old_style
                || a.has(&["--extract", "--get"])
                || a.options
                    .iter()
                    .any(|(n, _)| !n.starts_with("--") && n.contains('x'));
            if !extract {
                return (Vec::new(), false);
            }
            match a.value(&["-C", "--directory"]) {
                Some(dir) => (vec![dir.to_string()], false),
                None => (here(), false),
            }
        }
        "unzip" => {
            let a = parse_args(args, &["-d", "-x"]);
            match a.value(&["-d"]) {
                Some(dir) => (vec![dir.to_string()], false),
                None => (here(), false),
            }
        }
        "git" => {
            if args.first().map(String::as_str) != Some("clone") {
                return (Vec::new(), false);
            }
            let a = parse_args(
                &args[1..],
                &[
                    "-b",
                    "--branch",
                    "--depth",
                    "-o",
                    "--origin",
                    "-c",
                    "--config",
                    "-j",
                    "--jobs",
                    "--reference",
                    "--filter",
                    "-u",
                    "--upload-pack",
                    "--separate-git-dir",
                    "--template",
                ],
            );
            match a.operands.as_slice() {
                [_, dir, ..] => (vec![(*dir).to_string()], false),
                [url] => {
                    let base = url
                        .trim_end_matches('/')
                        .rsplit(['/', ':'])
                        .next()
                        .unwrap_or("");
                    let base = base.strip_suffix(".git").unwrap_or(base);
                    match (cwd, base.is_empty()) {
                        (Some(dir), false) => (vec![format!("{dir}/{base}")], false),
                        _ => (Vec::new(), false),
                    }
                }
                [] => (Vec::new(), false),
            }
        }
        "curl" => {
            let a = parse_args(
                args,
                &[
                    "-o",
                    "--output",
                    "--output-dir",
                    "-H",
                    "-d",
                    "-u",
                    "-X",
                    "-A",
                    "-e",
                    "-x",
                    "--data",
                    "--header",
                    "--user",
                    "--request",
                    "-w",
                    "--retry",
                    "-m",
                    "--max-time",
                    "--connect-timeout",
                    "-T",
                    "-F",
                    "--form",
                    "--cacert",
                    "--cert",
                    "--key",
                    "-b",
                    "-c",
                    "--proto",
                    "--tlsv1.2",
                ],
            );
            match (a.value(&["-o", "--output"]), a.value(&["--output-dir"])) {
                (Some(file), _) if file != "-" => (vec![file.to_string()], false),
                (None, Some(dir)) => (vec![dir.to_string()], false),
                _ => (Vec::new(), false),
            }
        }
        "wget" => {
            let a = parse_args(
                args,
                &[
                    "-O",
                    "-P",
                    "--output-document",
                    "--directory-prefix",
                    "-o",
                    "-a",
                    "--header",
                    "-U",
                    "-t",
                    "-T",
                    "--user",
                    "--password",
                ],
            );
            match (
                a.value(&["-O", "--output-document"]),
                a.value(&["-P", "--directory-prefix"]),
            ) {
                (Some(file), _) if file != "-" => (vec![file.to_string()], false),
                (None, Some(dir)) => (vec![dir.to_string()], false),
                (None, None) if !a.operands.is_empty() => (here(), false),
                _ => (Vec::new(), false),
            }
        }
        "dd" => (
            args.iter()
                .filter_map(|a| a.strip_prefix("of="))
                .map(str::to_string)
                .collect(),
            false,
        ),
        _ => (Vec::new(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::writes;

    fn paths(command: &str, workdir: Option<&str>) -> Vec<String> {
        writes(command, workdir)
            .into_iter()
            .map(|w| w.path)
            .collect()
    }

    #[test]
    fn finds_what_commands_change() {
        assert_eq!(
            paths("mkdir -p /data/a && chown -R app:app /data", None),
            ["/data/a", "/data"]
        );
        assert_eq!(paths("echo hi > /data/x 2>/dev/null", None), ["/data/x"]);
        assert_eq!(paths("echo 'a > /data/x'", None), Vec::<String>::new());
        assert_eq!(paths("cp a.conf b.conf /etc/app/", None), ["/etc/app"]);
        assert_eq!(paths("touch seed.db", Some("/data")), ["/data/seed.db"]);
        assert_eq!(paths("touch seed.db", None), Vec::<String>::new());
        assert_eq!(paths("cd /data && touch x", None), ["/data/x"]);
        assert_eq!(
            paths("cd $DIR && touch x", Some("/data")),
            Vec::<String>::new()
        );
        assert_eq!(paths("chmod 0750 /data", None), ["/data"]);
        assert_eq!(paths("chmod -w /data/f", None), ["/data/f"]);
        assert_eq!(paths("sed -i 's/a/b/' /data/conf", None), ["/data/conf"]);
        assert_eq!(paths("sed 's/a/b/' /data/conf", None), Vec::<String>::new());
        assert_eq!(paths("tar -xzf /tmp/x.tgz -C /data", None), ["/data"]);
        assert_eq!(
            paths("tar -czf /tmp/x.tgz /data", None),
            Vec::<String>::new()
        );
        assert_eq!(
            paths("unzip -q /tmp/x.zip -d /data/www", None),
            ["/data/www"]
        );
        assert_eq!(
            paths(
                "git clone --depth 1 https://github.com/a/b.git /data/b",
                None
            ),
            ["/data/b"]
        );
        assert_eq!(
            paths("git clone https://github.com/a/b.git", Some("/src")),
            ["/src/b"]
        );
        assert_eq!(
            paths("ln -s /data/x /usr/local/bin/x", None),
            ["/usr/local/bin/x"]
        );
        assert_eq!(paths("rm -rf /data/*", None), ["/data"]);
        assert_eq!(paths("ls /data | tee /tmp/list", None), ["/tmp/list"]);
        assert_eq!(paths("apt-get install -y curl", None), Vec::<String>::new());
        assert_eq!(paths("mkdir /data/x", None), ["/data/x"]);
        assert_eq!(
            paths("echo $(cat /data/x) >> /var/log/y", None),
            ["/var/log/y"]
        );
    }
}

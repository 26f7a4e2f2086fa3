//! Dockerfiles -> model: parser directives, stages, instructions, `VOLUME`s and `ARG`/`ENV`
//! substitution, each with its span.
//!
//! Reading the syntax is [`syntax`]'s job (BuildKit's parser, step by step, with spans); this
//! module adds what the build does with it: stages and their links, variable substitution,
//! working directories, and the rule that only `ARG` may come before the first `FROM`.

use std::collections::HashMap;
use std::ops::Range;

#[path = "dockerfile_syntax.rs"]
mod syntax;

use super::Parsed;
use super::interpolate::{self, Lookup};
use crate::model::paths;
use crate::model::{
    Container, ContainerRole, Dockerfile, EnvVar, Flag, Instruction, Mount, MountKind, MountSyntax,
    ParseError, Platform, SourceFile, Span, Spanned, Stage, VolumeInstruction, Workload,
    WorkloadKind,
};
use syntax::Instr;

const SYNTAX_ERROR: &str = "Dockerfile syntax error: ";

/// Parse a Dockerfile. Never panics; problems become [`ParseError`]s with exact positions.
#[must_use]
pub fn parse(source: &SourceFile) -> Parsed {
    let mut file = syntax::parse(&source.text);
    let mut cx = Cx {
        source,
        escape: file.escape,
        errors: Vec::new(),
        stage_names: HashMap::new(),
    };
    for (span, message) in &file.errors {
        cx.error(span.clone(), message);
    }
    let mut out = Parsed::default();
    if !file.fatal {
        let dockerfile = cx.build(&mut file);
        out.workloads = workloads(&dockerfile);
        out.dockerfile = Some(dockerfile);
    }
    cx.errors.sort_by_key(|e| e.span.start());
    out.errors = cx.errors;
    out
}

/// The instruction syntax alone (see [`super::syntax_only`]): the number of instructions.
#[must_use]
pub fn syntax_only(text: &str) -> usize {
    syntax::parse(text).instructions.len()
}

struct Cx<'s> {
    source: &'s SourceFile,
    escape: u8,
    errors: Vec<ParseError>,
    /// Stage names (lower case) to their index, the first of each name: a file of many
    /// stages must not compare each `FROM` with every stage before it.
    stage_names: HashMap<String, usize>,
}

impl Cx<'_> {
    fn span(&self, range: Range<usize>) -> Span {
        self.source.span(range)
    }

    fn slice(&self, range: Range<usize>) -> &str {
        self.source.text.get(range).unwrap_or("")
    }

    fn error(&mut self, range: Range<usize>, message: &str) {
        let span = self.span(range);
        self.errors.push(ParseError {
            message: format!("{SYNTAX_ERROR}{message}"),
            span,
        });
    }

    fn build(&mut self, file: &mut syntax::File) -> Dockerfile {
        let mut df = Dockerfile {
            syntax: file
                .syntax
                .as_ref()
                .map(|(v, r)| Spanned::new(v.clone(), self.span(r.clone()))),
            escape: file
                .escape_directive
                .as_ref()
                .map(|(c, r)| Spanned::new(*c, self.span(r.clone()))),
            ..Dockerfile::default()
        };
        let mut globals = Scope::default();
        let mut finished = Vec::new();
        let mut current: Option<StageBuilder> = None;
        let mut before_from = Vec::new();
        // The build never runs a rejected instruction; a `FROM` still opens a stage, so that
        // what follows it is read in the right place.
        // Each instruction's syntax is dropped once it is read into the model: the two are not
        // held whole at once.
        let kept = std::mem::take(&mut file.instructions)
            .into_iter()
            .filter(|i| !i.rejected || i.name == "FROM");
        for instr in kept {
            let instr = &instr;
            match &*instr.name {
                "FROM" => {
                    if let Some(done) = current.take() {
                        df.stages.push(done.finish(&mut finished));
                    }
                    current = Some(self.start_stage(&df, &finished, &globals, instr));
                }
                "ARG" if current.is_none() => {
                    for (name, value) in self.arg_values(instr, &globals, None) {
                        globals.set_arg(&name, value.as_ref().map(|v| (v.0.value.clone(), v.1)));
                        df.global_args.push((name, value.map(|v| v.0)));
                    }
                }
                _ => match current.as_mut() {
                    Some(stage) => {
                        let i = self.instruction(instr, stage, &globals);
                        stage.stage.instructions.push(i);
                    }
                    None => before_from.push(instr.clone()),
                },
            }
        }
        if let Some(done) = current.take() {
            df.stages.push(done.finish(&mut finished));
        }
        if df.stages.is_empty() {
            // A file with no `FROM` at all (a template, a fragment): one error at its first
            // instruction, not one per instruction.
            let at = before_from.first().map_or(0..0, |i| i.keyword.clone());
            self.error(at, "expected at least one FROM instruction");
        } else {
            for instr in before_from {
                self.error(
                    instr.keyword.clone(),
                    &format!(
                        "expected FROM, found {} (only ARG may come before the first FROM)",
                        instr.name
                    ),
                );
            }
        }
        df
    }

    fn start_stage(
        &mut self,
        df: &Dockerfile,
        finished: &[(Scope, Option<String>)],
        globals: &Scope,
        from: &Instr,
    ) -> StageBuilder {
        let index = df.stages.len();
        let words = from.plain_words();
        let (image_value, image_span) = words.first().map_or_else(
            || (String::new(), from.keyword.end..from.keyword.end),
            |w| (w.value.clone(), w.span.clone()),
        );
        let image = expand(&image_value, Mode::From, self.escape, globals);
        let base = Spanned::new(image.text, self.span(image_span));
        let as_name =
            (words.len() == 3 && words[1].value.eq_ignore_ascii_case("as")).then(|| &words[2]);
        let name = as_name.map(|n| Spanned::new(n.value.clone(), self.span(n.span.clone())));
        let base_stage = self
            .stage_names
            .get(&base.value.to_ascii_lowercase())
            .copied();
        if let Some(n) = as_name {
            match self.stage_names.entry(n.value.to_ascii_lowercase()) {
                std::collections::hash_map::Entry::Occupied(_) => self.error(
                    n.span.clone(),
                    &format!("duplicate stage name '{}'", n.value),
                ),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(index);
                }
            }
        }
        let parent = base_stage.and_then(|i| df.stages.get(i));
        let from_span = self.span(from.span.clone());
        let mut sb = StageBuilder {
            stage: Stage {
                index,
                name,
                base,
                base_stage,
                from_span,
                instructions: Vec::new(),
                volumes: Vec::new(),
                env: Vec::new(),
            },
            scope: Scope::default(),
            workdir: None,
            env_slots: HashMap::new(),
        };
        if let (Some(p), Some((scope, workdir))) =
            (parent, base_stage.and_then(|i| finished.get(i)))
        {
            // The base stage's ENV and WORKDIR are part of its image; its ARGs are not.
            sb.stage.env.clone_from(&p.env);
            sb.scope.env.clone_from(&scope.env);
            sb.workdir.clone_from(workdir);
        }
        sb
    }

    fn instruction(
        &mut self,
        instr: &Instr,
        sb: &mut StageBuilder,
        globals: &Scope,
    ) -> Instruction {
        let end = instr.span.end;
        let args_start = instr.args.start.min(end);
        let args = Spanned::new(
            self.slice(args_start..end).to_owned(),
            self.span(args_start..end),
        );
        let mut out = Instruction {
            keyword: instr.name.to_string(),
            span: self.span(instr.span.clone()),
            flags: instr
                .flags
                .iter()
                .map(|f| Flag {
                    name: f.name.clone(),
                    value: f.value.clone(),
                    span: self.span(f.span.clone()),
                })
                .collect(),
            args,
            command: None,
            heredocs: Vec::new(),
            workdir: None,
        };
        match &*instr.name {
            "ARG" => {
                for (name, value) in self.arg_values(instr, &sb.scope, Some(globals)) {
                    sb.scope
                        .set_arg(&name, value.map(|(v, known)| (v.value, known)));
                }
            }
            "ENV" => {
                for (name, value, known) in self.env_values(instr, &sb.scope) {
                    sb.set_env(name, value, known);
                }
            }
            "WORKDIR" => {
                let dir = expand(&instr.text, Mode::Word, self.escape, &sb.scope);
                sb.workdir = if dir.text.starts_with('/') {
                    Some(paths::normalize(&dir.text))
                } else {
                    sb.workdir
                        .as_ref()
                        .map(|cwd| paths::normalize(&format!("{cwd}/{}", dir.text)))
                };
            }
            "VOLUME" => {
                let vol = self.volume(instr, &out, &sb.scope);
                sb.stage.volumes.push(vol);
            }
            "RUN" => {
                let mut command = match &instr.json {
                    // No shell runs the exec form, so nothing expands in it.
                    Some(words) => words
                        .iter()
                        .map(|w| w.value.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    None => expand(&instr.text, Mode::Shell, self.escape, &sb.scope).text,
                };
                for h in &instr.heredocs {
                    command.push('\n');
                    if h.expand {
                        command
                            .push_str(&expand(&h.value, Mode::Shell, self.escape, &sb.scope).text);
                    } else {
                        command.push_str(&h.value);
                    }
                }
                out.command = Some(command);
            }
            _ => {}
        }
        let docs = instr
            .heredocs
            .iter()
            .chain(instr.sub.iter().flat_map(|s| s.heredocs.iter()));
        for h in docs {
            out.heredocs
                .push(Spanned::new(h.value.clone(), self.span(h.body.clone())));
        }
        out.workdir.clone_from(&sb.workdir);
        out
    }

    fn volume(&self, v: &Instr, instr: &Instruction, scope: &Scope) -> VolumeInstruction {
        let raw = instr.args.clone();
        let (json, words) = match &v.json {
            Some(words) => (true, words.clone()),
            None => (false, v.plain_words()),
        };
        // Docker reads a broken array as plain words: the volume is literally `['/data']`.
        let malformed = !json && raw.value.starts_with('[');
        let paths = words
            .into_iter()
            .map(|w| {
                let value = if malformed {
                    w.value
                } else {
                    expand(&w.value, Mode::Word, self.escape, scope).text
                };
                Spanned::new(value, self.span(w.span))
            })
            .collect();
        VolumeInstruction {
            span: instr.span,
            raw,
            json,
            malformed,
            paths,
        }
    }

    /// `ARG a=1 b`: each name with its value after substitution (`None` when it has none). In a
    /// stage, a name without a default takes the global ARG's value.
    fn arg_values(
        &self,
        arg: &Instr,
        scope: &Scope,
        globals: Option<&Scope>,
    ) -> Vec<(String, Option<ArgValue>)> {
        let text = &arg.text;
        let mut out = Vec::new();
        for word in syntax::quoted_words(text, self.escape) {
            let w = &text[word.clone()];
            match w.split_once('=') {
                Some((name, value)) => {
                    let vstart = word.start + name.len() + 1;
                    // Before the first FROM, values expand as FROM's do.
                    let mode = if globals.is_none() {
                        Mode::From
                    } else {
                        Mode::Word
                    };
                    let e = expand(value, mode, self.escape, scope);
                    let span = self.span(arg.orig(vstart..word.end));
                    out.push((name.to_owned(), Some((Spanned::new(e.text, span), e.known))));
                }
                None => {
                    let inherited = globals.and_then(|g| g.get(w)).map(|v| {
                        (
                            Spanned::new(v.to_owned(), self.span(arg.orig(word.clone()))),
                            true,
                        )
                    });
                    out.push((w.to_owned(), inherited));
                }
            }
        }
        out
    }

    /// `ENV a=1 b="x y"` or legacy `ENV a x y`: each name with its value, substituted against
    /// the scope before the instruction (Docker expands all pairs of one `ENV` at once).
    fn env_values(&self, env: &Instr, scope: &Scope) -> Vec<(String, Spanned<String>, bool)> {
        let text = &env.text;
        let words = syntax::quoted_words(text, self.escape);
        let mut pairs = Vec::new();
        match words.first() {
            Some(first) if !text[first.clone()].contains('=') => {
                if let Some(last) = words.last().filter(|_| words.len() > 1) {
                    let value = words[1].start..last.end;
                    pairs.push((text[first.clone()].to_owned(), value));
                }
            }
            _ => {
                for word in &words {
                    if let Some((name, _)) = text[word.clone()].split_once('=') {
                        pairs.push((name.to_owned(), word.start + name.len() + 1..word.end));
                    }
                }
            }
        }
        pairs
            .into_iter()
            .map(|(name, range)| {
                let e = expand(&text[range.clone()], Mode::Word, self.escape, scope);
                let span = self.span(env.orig(range));
                (name, Spanned::new(e.text, span), e.known)
            })
            .collect()
    }
}

/// An `ARG` value after substitution, and whether it is fully known.
type ArgValue = (Spanned<String>, bool);

/// A stage being read: the model so far, and the variables and working directory in effect.
struct StageBuilder {
    stage: Stage,
    scope: Scope,
    workdir: Option<String>,
    /// Where each name sits in `stage.env`: thousands of `ENV` lines stay linear.
    env_slots: HashMap<String, usize>,
}

impl StageBuilder {
    fn set_env(&mut self, name: String, value: Spanned<String>, known: bool) {
        self.scope
            .env
            .insert(name.clone(), known.then(|| value.value.clone()));
        if self.env_slots.len() != self.stage.env.len() {
            // Inherited from the base stage: indexed once.
            self.env_slots = (self.stage.env.iter().enumerate())
                .map(|(i, (k, _))| (k.clone(), i))
                .collect();
        }
        match self.env_slots.get(&name) {
            Some(&i) => self.stage.env[i].1 = value,
            None => {
                self.env_slots.insert(name.clone(), self.stage.env.len());
                self.stage.env.push((name, value));
            }
        }
    }

    fn finish(self, finished: &mut Vec<(Scope, Option<String>)>) -> Stage {
        let env = Scope {
            env: self.scope.env,
            args: HashMap::new(),
        };
        finished.push((env, self.workdir));
        self.stage
    }
}

/// Variables in effect. `None` values are declared but unknown (an `ARG` without a default
/// that a build argument may set, or a value built from unknown parts). Names never declared
/// are unknown too: the base image's environment is not known here.
#[derive(Clone, Debug, Default)]
struct Scope {
    env: HashMap<String, Option<String>>,
    args: HashMap<String, Option<String>>,
}

impl Scope {
    /// `ENV` wins over an `ARG` of the same name, as in Docker.
    fn get(&self, name: &str) -> Option<&str> {
        match self.env.get(name) {
            Some(v) => v.as_deref(),
            None => self.args.get(name).and_then(Option::as_deref),
        }
    }

    fn set_arg(&mut self, name: &str, value: Option<(String, bool)>) {
        let value = value.and_then(|(v, known)| known.then_some(v));
        self.args.insert(name.to_owned(), value);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Docker's own word processing (`FROM`, `ENV`, `ARG`, `VOLUME`, `WORKDIR`): quotes and
    /// escapes are removed.
    Word,
    /// A `RUN` command: only known variables are replaced; quotes and escapes stay for the
    /// shell, and nothing inside single quotes expands.
    Shell,
    /// A `FROM` argument: [`Mode::Word`], and a global `ARG` without a value (or an undeclared
    /// name) is unset in a build without `--build-arg`, so `${NAME:-default}` is the default.
    From,
}

/// Arguments BuildKit sets itself for every build: never unset.
const BUILTIN_ARGS: [&str; 8] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

struct Expanded {
    text: String,
    /// No unknown variable was met.
    known: bool,
}

fn expand(input: &str, mode: Mode, escape: u8, scope: &Scope) -> Expanded {
    let mut known = true;
    let text = expand_into(input, mode, char::from(escape), scope, &mut known);
    Expanded { text, known }
}

fn expand_into(input: &str, mode: Mode, escape: char, scope: &Scope, known: &mut bool) -> String {
    let escape = if mode == Mode::Shell { '\\' } else { escape };
    let mut out = String::with_capacity(input.len());
    let mut in_double = false;
    let mut i = 0;
    while let Some(c) = input.get(i..).and_then(|r| r.chars().next()) {
        let next = input.get(i + c.len_utf8()..).and_then(|r| r.chars().next());
        match c {
            c if c == escape => {
                let Some(n) = next else {
                    // A trailing escape escapes nothing: Docker drops it.
                    if mode == Mode::Shell {
                        out.push(c);
                    }
                    break;
                };
                let keep_escape =
                    mode == Mode::Shell || (in_double && !matches!(n, '"' | '$') && n != escape);
                if keep_escape {
                    out.push(c);
                }
                out.push(n);
                i += c.len_utf8() + n.len_utf8();
                continue;
            }
            '\'' if !in_double => {
                let body = i + 1;
                let close = input.get(body..).and_then(|r| r.find('\''));
                let end = close.map_or(input.len(), |e| body + e);
                if mode == Mode::Shell || close.is_none() {
                    out.push_str(input.get(i..(end + 1).min(input.len())).unwrap_or(""));
                } else {
                    out.push_str(input.get(body..end).unwrap_or(""));
                }
                i = end + 1;
                continue;
            }
            '"' => {
                in_double = !in_double;
                if mode == Mode::Shell {
                    out.push(c);
                }
            }
            '$' => {
                let (text, len) = dollar(input, i, mode, escape, scope, known);
                out.push_str(&text);
                // `ENV A=${A}${A}` sixty times doubles sixty times: a value past the bound
                // is unknown (kept as written), and an unknown value produces no finding.
                if out.len() > interpolate::MAX_VALUE_LEN {
                    *known = false;
                    return input.to_owned();
                }
                i += len;
                continue;
            }
            c => out.push(c),
        }
        i += c.len_utf8();
    }
    out
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Expand the `$...` at `at`: the replacement and how many bytes it consumed. Unknown
/// variables stay as written so rules can tell the value is unknown.
fn dollar(
    input: &str,
    at: usize,
    mode: Mode,
    escape: char,
    scope: &Scope,
    known: &mut bool,
) -> (String, usize) {
    let bytes = input.as_bytes();
    let verbatim = |end: usize| input.get(at..end).unwrap_or("").to_owned();
    if bytes.get(at + 1) != Some(&b'{') {
        let len = bytes
            .get(at + 1..)
            .map_or(0, |r| r.iter().take_while(|&&b| is_name_byte(b)).count());
        if len == 0 {
            return ("$".to_owned(), 1);
        }
        let name = input.get(at + 1..at + 1 + len).unwrap_or("");
        return match scope.get(name) {
            Some(v) => (v.to_owned(), 1 + len),
            None => {
                *known = false;
                (verbatim(at + 1 + len), 1 + len)
            }
        };
    }
    let name_start = at + 2;
    let name_len = bytes
        .get(name_start..)
        .map_or(0, |r| r.iter().take_while(|&&b| is_name_byte(b)).count());
    let name = input.get(name_start..name_start + name_len).unwrap_or("");
    let after = name_start + name_len;
    let Some(close) = matching_brace(input, after, escape) else {
        // Unterminated `${`: nothing to expand.
        *known = false;
        return (verbatim(input.len()), input.len() - at);
    };
    let consumed = close + 1 - at;
    let op_text = input.get(after..close).unwrap_or("");
    let operator = if name.is_empty() {
        None
    } else {
        interpolate::operator(op_text)
    };
    let Some((op, word)) = operator else {
        *known = false;
        return (verbatim(close + 1), consumed);
    };
    // A name no `ARG`/`ENV` of the file gives a value is unknown (the base image's
    // environment, a build argument), except in `FROM`: a global `ARG` without a value is
    // unset in a build without `--build-arg`, so its default applies.
    let value = match scope.get(name) {
        Some(v) => Lookup::Set(v),
        None if mode == Mode::From && !BUILTIN_ARGS.contains(&name) => Lookup::Unset,
        None => Lookup::Unknown,
    };
    let mut word_known = true;
    let expanded = interpolate::apply(op, value, || {
        Some(expand_into(word, mode, escape, scope, &mut word_known))
    });
    let text = match expanded {
        Some(text) if word_known => text,
        _ => {
            *known = false;
            verbatim(close + 1)
        }
    };
    (text, consumed)
}

/// The `}` closing a `${` whose contents start at `from`, skipping nested `${...}`.
fn matching_brace(input: &str, from: usize, escape: char) -> Option<usize> {
    let mut depth = 0usize;
    let mut iter = input.get(from..)?.char_indices();
    while let Some((i, c)) = iter.next() {
        match c {
            c if c == escape => {
                iter.next();
            }
            '$' if input.get(from + i + 1..)?.starts_with('{') => {
                depth += 1;
                iter.next();
            }
            '}' if depth == 0 => return Some(from + i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// One workload per stage. A stage built `FROM` another inherits its volumes, which are part
/// of that image; a path declared again is kept once, where this stage declares it.
fn workloads(df: &Dockerfile) -> Vec<Workload> {
    let mut out: Vec<Workload> = Vec::with_capacity(df.stages.len());
    for stage in &df.stages {
        let name = stage
            .name
            .as_ref()
            .map_or_else(|| stage.index.to_string(), |n| n.value.clone());
        let owner = format!("stage {name}");
        let mut mounts: Vec<Mount> = Vec::new();
        // By target, so thousands of `VOLUME` paths stay linear.
        let mut targets: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut push = |m: Mount, mounts: &mut Vec<Mount>| {
            if targets.insert(m.target.clone()) {
                mounts.push(m);
            }
        };
        for vol in &stage.volumes {
            for path in &vol.paths {
                if path.value.is_empty() {
                    continue;
                }
                push(
                    Mount {
                        span: vol.span,
                        ..Mount::new(
                            MountKind::Anonymous,
                            MountSyntax::DockerfileVolume,
                            &path.value,
                            path.span,
                            owner.clone(),
                        )
                    },
                    &mut mounts,
                );
            }
        }
        let inherited = stage
            .base_stage
            .and_then(|i| out.get(i))
            .and_then(|w| w.containers.first())
            .map(|c| c.mounts.clone())
            .unwrap_or_default();
        let own = std::mem::take(&mut mounts);
        let own_targets: std::collections::HashSet<&str> =
            own.iter().map(|o| o.target.as_str()).collect();
        let mut inherited_targets: std::collections::HashSet<String> =
            std::collections::HashSet::new();
        for mut m in inherited {
            m.owner.clone_from(&owner);
            if !own_targets.contains(m.target.as_str())
                && inherited_targets.insert(m.target.clone())
            {
                mounts.push(m);
            }
        }
        mounts.extend(own);
        let container = Container {
            name: name.clone(),
            role: ContainerRole::Main,
            owner: owner.clone(),
            image: Some(stage.base.clone()),
            env: stage
                .env
                .iter()
                .map(|(k, v)| EnvVar {
                    name: k.clone(),
                    value: Some(v.value.clone()),
                    span: v.span,
                })
                .collect(),
            mounts,
            volume_devices: Vec::new(),
            command: crate::model::Command::default(),
            read_only_root: false,
            privileged: false,
            capabilities: Vec::new(),
            devices: Vec::new(),
            memory_limit: None,
            working_dir: None,
            env_from: false,
            span: stage.from_span,
        };
        out.push(Workload {
            kind: WorkloadKind::DockerfileStage,
            platform: Platform::Image,
            name,
            namespace: None,
            owner,
            span: stage.from_span,
            containers: vec![container],
            pod_volumes: Vec::new(),
            replicas: None,
            global: None,
            pinned: None,
            strategy: None,
            no_surge: None,
            volumes_from: Vec::new(),
            build: None,
            claim_templates: Vec::new(),
            claim_retention: crate::model::ClaimRetention::default(),
            swarm_reason: None,
            extends: None,
            pinned_by_label: None,
            placement_unknown: None,
            runs_to_completion: false,
            static_pod: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Parsed {
        let file = SourceFile::new("Dockerfile", text.to_owned());
        crate::last_file::set(&file);
        parse(&file)
    }

    fn df(p: &Parsed) -> &Dockerfile {
        p.dockerfile.as_ref().expect("a Dockerfile model")
    }

    /// `line:column` of a span's start and end.
    fn at(span: Span) -> String {
        let at = crate::last_file::location(span);
        format!(
            "{}:{}-{}:{}",
            at.start.line, at.start.column, at.end.line, at.end.column
        )
    }

    fn clean(text: &str) -> Parsed {
        let p = run(text);
        assert!(p.errors.is_empty(), "unexpected errors: {:?}", p.errors);
        p
    }

    #[test]
    fn parser_directives_and_backtick_escape() {
        let p = clean(
            "# syntax=docker/dockerfile:1\n# escape=`\nFROM mcr.microsoft.com/windows\n\
             RUN mkdir C:\\data `\n    && echo ok\nVOLUME C:\\data\n",
        );
        let d = df(&p);
        let syntax = d.syntax.as_ref().expect("syntax");
        assert_eq!(syntax.value, "docker/dockerfile:1");
        assert_eq!(at(syntax.span), "1:10-1:29");
        let escape = d.escape.as_ref().expect("escape");
        assert_eq!(escape.value, '`');
        assert_eq!(at(escape.span), "2:10-2:11");
        let run = &d.stages[0].instructions[0];
        assert_eq!(run.keyword, "RUN");
        assert_eq!(at(run.span), "4:1-5:15");
        // The backtick continuation is gone; backslashes are plain characters.
        assert_eq!(
            run.command.as_deref(),
            Some("mkdir C:\\data     && echo ok")
        );
        assert_eq!(run.args.value, "mkdir C:\\data `\n    && echo ok");
        assert_eq!(d.stages[0].volumes[0].paths[0].value, "C:\\data");
    }

    #[test]
    fn heredocs_at_start_inside_a_command_and_in_copy() {
        let text = "FROM debian\n\
                    RUN <<EOF\nmkdir -p /data\nchown app /data\nEOF\n\
                    RUN cat <<'CONF' > /etc/app.conf\nroot=$HOME\nCONF\n\
                    COPY <<EOF /srv/index.html\n<h1>hi</h1>\nEOF\n\
                    ENV X=1\n";
        let p = clean(text);
        let s = &df(&p).stages[0];
        let kinds: Vec<_> = s.instructions.iter().map(|i| i.keyword.as_str()).collect();
        assert_eq!(kinds, ["RUN", "RUN", "COPY", "ENV"]);

        let first = &s.instructions[0];
        assert_eq!(at(first.span), "2:1-5:4");
        assert_eq!(first.heredocs[0].value, "mkdir -p /data\nchown app /data\n");
        assert_eq!(at(first.heredocs[0].span), "3:1-5:1");
        assert_eq!(
            first.command.as_deref(),
            Some("<<EOF\nmkdir -p /data\nchown app /data\n")
        );

        // parse-dockerfile only knows heredocs that open the command; this one is ours.
        let second = &s.instructions[1];
        assert_eq!(at(second.span), "6:1-8:5");
        assert_eq!(second.heredocs[0].value, "root=$HOME\n");
        assert_eq!(at(second.heredocs[0].span), "7:1-8:1");
        assert_eq!(
            second.command.as_deref(),
            Some("cat <<'CONF' > /etc/app.conf\nroot=$HOME\n")
        );

        let copy = &s.instructions[2];
        assert_eq!(copy.heredocs[0].value, "<h1>hi</h1>\n");
        assert_eq!(at(copy.span), "9:1-11:4");
        assert_eq!(s.env[0].0, "X");
    }

    #[test]
    fn two_heredocs_on_one_run() {
        let p = clean("FROM a\nRUN <<A <<B\none\nA\ntwo\nB\nVOLUME /v\n");
        let s = &df(&p).stages[0];
        let run = &s.instructions[0];
        let bodies: Vec<_> = run.heredocs.iter().map(|h| h.value.as_str()).collect();
        assert_eq!(bodies, ["one\n", "two\n"]);
        assert_eq!(at(run.span), "2:1-6:2");
        assert_eq!(s.volumes[0].paths[0].value, "/v");
    }

    #[test]
    fn unterminated_heredoc_is_an_error_at_eof() {
        let p = run("FROM a\nRUN <<EOF\necho\n");
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert_eq!(
            p.errors[0].message,
            "Dockerfile syntax error: unterminated heredoc: expected a line `EOF`, but reached \
             the end of the file"
        );
        assert_eq!(at(p.errors[0].span), "4:1-4:1");
        let p = run("FROM a\nRUN cat <<EOF > /x\necho\n");
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert_eq!(at(p.errors[0].span), "4:1-4:1");
        assert_eq!(df(&p).stages[0].instructions.len(), 1);
    }

    #[test]
    fn run_mount_flags() {
        let p = clean(
            "FROM python:3.12\n\
             RUN --mount=type=cache,target=/root/.cache --network=none \\\n    pip install -r req.txt\n",
        );
        let run = &df(&p).stages[0].instructions[0];
        assert_eq!(run.flags.len(), 2);
        assert_eq!(run.flags[0].name, "mount");
        assert_eq!(
            run.flags[0].value.as_deref(),
            Some("type=cache,target=/root/.cache")
        );
        assert_eq!(at(run.flags[0].span), "2:5-2:43");
        assert_eq!(run.flags[1].name, "network");
        assert_eq!(at(run.args.span), "3:5-3:27");
        assert_eq!(run.args.value, "pip install -r req.txt");
        assert_eq!(run.command.as_deref(), Some("pip install -r req.txt"));
    }

    #[test]
    fn stages_link_by_name_and_inherit_env_and_volumes() {
        let text = "FROM --platform=$BUILDPLATFORM golang:1.22 AS Builder\n\
                    ENV CGO_ENABLED=0\n\
                    VOLUME /cache\n\
                    FROM builder AS test\n\
                    ENV GOFLAGS=-mod=vendor\n\
                    VOLUME /data /cache/\n\
                    FROM alpine\n";
        let p = clean(text);
        let d = df(&p);
        assert_eq!(d.stages.len(), 3);
        let b = &d.stages[0];
        assert_eq!(b.base.value, "golang:1.22");
        assert_eq!(at(b.base.span), "1:32-1:43");
        assert_eq!(at(b.from_span), "1:1-1:54");
        assert_eq!(b.name.as_ref().map(|n| n.value.as_str()), Some("Builder"));
        let t = &d.stages[1];
        assert_eq!(t.base_stage, Some(0));
        let env: Vec<_> = t
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(env, [("CGO_ENABLED", "0"), ("GOFLAGS", "-mod=vendor")]);
        assert_eq!(at(t.env[0].1.span), "2:17-2:18");
        assert_eq!(d.stages[2].base_stage, None);

        let w = &p.workloads;
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].owner, "stage Builder");
        assert_eq!(w[2].owner, "stage 2");
        assert_eq!(w[2].name, "2");
        assert_eq!(w[1].kind, WorkloadKind::DockerfileStage);
        assert_eq!(w[1].platform, Platform::Image);
        let c = &w[1].containers[0];
        assert_eq!(c.owner, "stage test");
        assert_eq!(c.image.as_ref().map(|i| i.value.as_str()), Some("builder"));
        assert_eq!(c.env.len(), 2);
        // `/cache/` redeclares the inherited `/cache`: kept once, where this stage writes it.
        let m: Vec<_> = c
            .mounts
            .iter()
            .map(|m| (m.target.as_str(), at(m.target_span), m.owner.as_str()))
            .collect();
        assert_eq!(
            m,
            [
                ("/data", "6:8-6:13".to_owned(), "stage test"),
                ("/cache", "6:14-6:21".to_owned(), "stage test"),
            ]
        );
        assert!(w[2].containers[0].mounts.is_empty());
    }

    #[test]
    fn inherited_volume_keeps_its_own_span() {
        let p = clean("FROM postgres:16 AS db\nVOLUME /backup\nFROM db\nRUN true\n");
        let c = &p.workloads[1].containers[0];
        assert_eq!(c.mounts.len(), 1);
        let m = &c.mounts[0];
        assert_eq!(m.target, "/backup");
        assert_eq!(at(m.target_span), "2:8-2:15");
        assert_eq!(at(m.span), "2:1-2:15");
        assert_eq!(m.owner, "stage 1");
        assert_eq!(m.kind, MountKind::Anonymous);
        assert_eq!(m.syntax, MountSyntax::DockerfileVolume);
        assert_eq!(m.source, crate::model::MountSource::None);
        assert!(m.source_span.is_none());
    }

    #[test]
    fn global_args_in_from() {
        let p = clean(
            "ARG PG=17\nARG REG\nFROM ${REG}postgres:${PG}-alpine AS db\nFROM postgres:${PG:-15}\n",
        );
        let d = df(&p);
        assert_eq!(d.global_args.len(), 2);
        assert_eq!(d.global_args[0].0, "PG");
        let pg = d.global_args[0].1.as_ref().expect("default");
        assert_eq!(pg.value, "17");
        assert_eq!(at(pg.span), "1:8-1:10");
        assert!(d.global_args[1].1.is_none());
        // REG has no default: a build argument may set it, so it stays as written.
        assert_eq!(d.stages[0].base.value, "${REG}postgres:17-alpine");
        assert_eq!(d.stages[1].base.value, "postgres:17");
    }

    #[test]
    fn arg_and_env_substitution() {
        let text = "ARG VERSION=2\n\
                    FROM app:1\n\
                    ARG VERSION\n\
                    ARG DATA=/srv/data\n\
                    ARG EMPTY=\n\
                    ARG UNSET\n\
                    ENV HOME_DIR=$DATA/home LEGACY_UNUSED=x\n\
                    ENV MSG \"hello world\" again\n\
                    ENV A=${VERSION} B=${EMPTY:-dflt} C=${EMPTY-dflt} D=${DATA:+alt} E=${EMPTY:+alt} F=${DATA+alt}\n\
                    ENV G=${UNSET:-x} H=${NOPE} I=\\$DATA J='$DATA' K=\"$DATA x\"\n\
                    WORKDIR $DATA\n\
                    WORKDIR sub\n\
                    VOLUME ${DATA}/db \"$HOME_DIR\"\n\
                    RUN echo $A '$DATA' \\$DATA ${NOPE:-z} $1 $(id -u)\n";
        let p = clean(text);
        let s = &df(&p).stages[0];
        let env: HashMap<_, _> = s
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(env["HOME_DIR"], "/srv/data/home");
        assert_eq!(env["MSG"], "hello world again");
        assert_eq!(env["A"], "2");
        assert_eq!(env["B"], "dflt");
        assert_eq!(env["C"], "");
        assert_eq!(env["D"], "alt");
        assert_eq!(env["E"], "");
        assert_eq!(env["F"], "alt");
        assert_eq!(env["G"], "${UNSET:-x}");
        assert_eq!(env["H"], "${NOPE}");
        assert_eq!(env["I"], "$DATA");
        assert_eq!(env["J"], "$DATA");
        assert_eq!(env["K"], "/srv/data x");
        let k = &s.env.iter().find(|(k, _)| k == "K").expect("K").1;
        assert_eq!(k.span.text(text), "\"$DATA x\"");
        let msg = &s.env.iter().find(|(k, _)| k == "MSG").expect("MSG").1;
        assert_eq!(at(msg.span), "8:9-8:28");

        let paths: Vec<_> = s.volumes[0]
            .paths
            .iter()
            .map(|p| p.value.as_str())
            .collect();
        assert_eq!(paths, ["/srv/data/db", "/srv/data/home"]);
        let wd: Vec<_> = s
            .instructions
            .iter()
            .map(|i| i.workdir.as_deref())
            .collect();
        assert_eq!(wd[7], None);
        assert_eq!(wd[8], Some("/srv/data"));
        assert_eq!(wd[9], Some("/srv/data/sub"));
        assert_eq!(wd[11], Some("/srv/data/sub"));
        assert_eq!(
            s.instructions[11].command.as_deref(),
            Some("echo 2 '$DATA' \\$DATA ${NOPE:-z} $1 $(id -u)")
        );
    }

    #[test]
    fn env_in_one_instruction_sees_the_previous_values() {
        let p =
            clean("FROM a\nENV X=1\nENV X=2 Y=$X\nENV PATH=/opt/bin:$PATH\nRUN echo $X$Y $PATH\n");
        let s = &df(&p).stages[0];
        let y = &s.env.iter().find(|(k, _)| k == "Y").expect("Y").1;
        assert_eq!(y.value, "1");
        assert_eq!(s.env.iter().filter(|(k, _)| k == "X").count(), 1);
        // PATH builds on the base image's, which is unknown: it is not substituted further.
        assert_eq!(s.instructions[3].command.as_deref(), Some("echo 21 $PATH"));
    }

    #[test]
    fn volume_forms_and_spans() {
        let text = "FROM a\n\
                    VOLUME [\"/data\", \"/logs/\"]\n\
                    VOLUME /plain  /two\n\
                    VOLUME ['/data']\n\
                    VOLUME [/x, /y]\n\
                    VOLUME [\"/z\"]\n";
        let p = clean(text);
        let v = &df(&p).stages[0].volumes;
        assert_eq!(v.len(), 5);

        assert!(v[0].json && !v[0].malformed);
        assert_eq!(v[0].raw.value, "[\"/data\", \"/logs/\"]");
        assert_eq!(at(v[0].raw.span), "2:8-2:27");
        assert_eq!(at(v[0].span), "2:1-2:27");
        let p0: Vec<_> = v[0]
            .paths
            .iter()
            .map(|p| (p.value.as_str(), at(p.span)))
            .collect();
        assert_eq!(
            p0,
            [
                ("/data", "2:10-2:15".to_owned()),
                ("/logs/", "2:19-2:25".to_owned())
            ]
        );

        assert!(!v[1].json && !v[1].malformed);
        let p1: Vec<_> = v[1]
            .paths
            .iter()
            .map(|p| (p.value.as_str(), at(p.span)))
            .collect();
        assert_eq!(
            p1,
            [
                ("/plain", "3:8-3:14".to_owned()),
                ("/two", "3:16-3:20".to_owned())
            ]
        );

        assert!(!v[2].json && v[2].malformed);
        assert_eq!(v[2].paths[0].value, "['/data']");
        assert_eq!(at(v[2].paths[0].span), "4:8-4:17");

        assert!(v[3].malformed);
        let p3: Vec<_> = v[3].paths.iter().map(|p| p.value.as_str()).collect();
        assert_eq!(p3, ["[/x,", "/y]"]);

        assert!(v[4].json && !v[4].malformed && v[4].paths.len() == 1);

        let targets: Vec<_> = p.workloads[0].containers[0]
            .mounts
            .iter()
            .map(|m| m.target.as_str())
            .collect();
        assert_eq!(
            targets,
            [
                "/data",
                "/logs",
                "/plain",
                "/two",
                "['/data']",
                "[/x,",
                "/y]",
                "/z"
            ]
        );
    }

    #[test]
    fn onbuild_volume_is_not_a_volume() {
        let p = clean("FROM a\nONBUILD VOLUME /x\nONBUILD RUN mkdir /y\n");
        let s = &df(&p).stages[0];
        assert!(s.volumes.is_empty());
        assert_eq!(s.instructions[0].keyword, "ONBUILD");
        assert_eq!(s.instructions[0].args.value, "VOLUME /x");
        assert_eq!(at(s.instructions[0].span), "2:1-2:18");
        assert!(s.instructions[1].command.is_none());
        assert!(p.workloads[0].containers[0].mounts.is_empty());
    }

    #[test]
    fn crlf_file() {
        let text = "FROM postgres:16\r\nENV PGDATA=/var/lib/pg \\\r\n    X=1\r\nVOLUME [\"/var/lib/pg\"]\r\nRUN echo hi  \r\n";
        let p = clean(text);
        let s = &df(&p).stages[0];
        assert_eq!(at(s.from_span), "1:1-1:17");
        assert_eq!(s.env[0].1.value, "/var/lib/pg");
        assert_eq!(at(s.env[0].1.span), "2:12-2:23");
        assert_eq!(s.env[1].1.value, "1");
        assert_eq!(at(s.env[1].1.span), "3:7-3:8");
        assert_eq!(at(s.volumes[0].paths[0].span), "4:10-4:21");
        assert_eq!(at(s.volumes[0].span), "4:1-4:23");
        assert_eq!(at(s.instructions[2].span), "5:1-5:12");
        assert_eq!(s.instructions[2].command.as_deref(), Some("echo hi"));
    }

    #[test]
    fn bom_is_skipped_and_offsets_still_match() {
        let p = clean("\u{feff}FROM a\nVOLUME /d\n");
        let s = &df(&p).stages[0];
        assert_eq!(s.base.span.start(), 8);
        // The mark takes no column: editors do not show it.
        assert_eq!(at(s.from_span), "1:1-1:7");
        assert_eq!(at(s.volumes[0].paths[0].span), "2:8-2:10");
    }

    #[test]
    fn syntax_error_position() {
        let p = run("FROM a\nRUN ok\n  BOGUS thing\nVOLUME /x\n");
        assert_eq!(p.errors.len(), 1);
        let e = &p.errors[0];
        assert_eq!(
            e.message,
            "Dockerfile syntax error: unknown instruction 'BOGUS'"
        );
        assert_eq!(at(e.span), "3:3-3:8");
        // The rejected instruction is skipped; everything around it is read.
        let kinds: Vec<_> = df(&p).stages[0]
            .instructions
            .iter()
            .map(|i| i.keyword.as_str())
            .collect();
        assert_eq!(kinds, ["RUN", "VOLUME"]);

        // Columns count characters, offsets bytes.
        let p = run("FROM é AS x y\n");
        assert_eq!(p.errors.len(), 1);
        assert_eq!(
            p.errors[0].message,
            "Dockerfile syntax error: FROM requires either one or three arguments"
        );
        assert_eq!(at(p.errors[0].span), "1:6-1:14");
        assert_eq!(p.errors[0].span.end(), 14);
    }

    #[test]
    fn invalid_escape_directive() {
        let p = run("# escape=x\nFROM a\n");
        assert_eq!(p.errors.len(), 1);
        assert_eq!(
            p.errors[0].message,
            "Dockerfile syntax error: invalid escape token 'x' (it must be ` or \\)"
        );
        assert_eq!(at(p.errors[0].span), "1:10-1:11");
        assert!(p.dockerfile.is_none());
    }

    #[test]
    fn duplicate_stage_name() {
        let p = run("FROM a AS x\nFROM b AS X\nFROM x\n");
        assert_eq!(p.errors.len(), 1);
        assert_eq!(at(p.errors[0].span), "2:11-2:12");
        assert_eq!(df(&p).stages[2].base_stage, Some(0));
    }

    #[test]
    fn a_file_without_from_gets_one_error_at_its_first_instruction() {
        let file = SourceFile::new(
            "Dockerfile.template",
            "# template\nADD . /app\nRUN make\n".to_string(),
        );
        let p = parse(&file);
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert!(p.errors[0].message.contains("at least one FROM"));
        assert_eq!(file.pos(p.errors[0].span.start()).line, 2);
    }

    #[test]
    fn instruction_before_from_is_reported_and_skipped() {
        let p = run("ARG A=1\nRUN echo \\\n  hi\nENV X=1\nFROM img:$A\nVOLUME /v\n");
        let msgs: Vec<_> = p
            .errors
            .iter()
            .map(|e| (e.message.as_str(), at(e.span)))
            .collect();
        assert_eq!(
            msgs,
            [
                (
                    "Dockerfile syntax error: expected FROM, found RUN (only ARG may come before \
                     the first FROM)",
                    "2:1-2:4".to_owned()
                ),
                (
                    "Dockerfile syntax error: expected FROM, found ENV (only ARG may come before \
                     the first FROM)",
                    "4:1-4:4".to_owned()
                ),
            ]
        );
        let d = df(&p);
        assert_eq!(d.stages.len(), 1);
        assert_eq!(d.stages[0].base.value, "img:1");
        assert_eq!(d.stages[0].volumes.len(), 1);
    }

    #[test]
    fn empty_and_comment_only_files() {
        for text in [
            "",
            "\n\n",
            "# just a comment\n",
            "# syntax=docker/dockerfile:1\n",
        ] {
            let p = run(text);
            assert_eq!(p.errors.len(), 1, "{text:?}");
            assert_eq!(
                p.errors[0].message,
                "Dockerfile syntax error: expected at least one FROM instruction"
            );
            assert_eq!(at(p.errors[0].span), "1:1-1:1");
            assert!(p.workloads.is_empty());
        }
    }

    /// Real Dockerfiles (docker-library images, from the corpus outside git): none is an
    /// SL001. Their jq templates (`Dockerfile*.template`) are not Dockerfiles; they are only
    /// read, to show they do not panic.
    #[test]
    fn real_dockerfiles_parse_clean() {
        let Some(dir) = syntax::tests::corpus("real") else {
            return;
        };
        let mut files = Vec::new();
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("corpus folder") {
                let path = e.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        let (mut checked, mut templates, mut stages, mut failures) = (0, 0, 0, Vec::new());
        for path in &files {
            let text = std::fs::read_to_string(path).expect("UTF-8 Dockerfile");
            let template = text.starts_with("{{");
            let p = parse(&SourceFile::new(path.clone(), text));
            if template || path.to_string_lossy().ends_with(".template") {
                templates += 1;
                continue;
            }
            checked += 1;
            stages += p.dockerfile.as_ref().map_or(0, |d| d.stages.len());
            if !p.errors.is_empty() {
                failures.push(format!("{}: {:?}", path.display(), p.errors));
            }
        }
        eprintln!(
            "real Dockerfiles: {checked} read, {stages} stages, {} with SL001; {templates} \
             templates read",
            failures.len()
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn from_resolves_global_arg_defaults() {
        let p = clean(
            "ARG BASE=elasticsearch:8.15\nARG VARIANT\nARG PG=postgres:${V:-16}\nFROM $BASE AS a\n\
             FROM image:${VAR:-default} AS b\nFROM img:${VARIANT:-slim}\n\
             FROM img${VARIANT:+-$VARIANT}\nFROM img:${UNDECLARED}\n\
             FROM --platform=$BUILDPLATFORM img:${TARGETARCH:-amd64}\nFROM ${BASE%:*}\nFROM $PG\n",
        );
        let bases: Vec<_> = df(&p)
            .stages
            .iter()
            .map(|s| s.base.value.as_str())
            .collect();
        assert_eq!(
            bases,
            [
                "elasticsearch:8.15",
                "image:default",
                "img:slim",
                "img",
                // Unknown values stay as written: no rule reports what it cannot know.
                "img:${UNDECLARED}",
                "img:${TARGETARCH:-amd64}",
                "${BASE%:*}",
                "postgres:16",
            ]
        );
        assert_eq!(at(df(&p).stages[0].base.span), "4:6-4:11");
        // In a stage, an undeclared name may be the base image's ENV: it stays unknown.
        let p = clean("FROM a\nENV X=${NOPE:-d}\n");
        assert_eq!(df(&p).stages[0].env[0].1.value, "${NOPE:-d}");
    }

    #[test]
    fn empty_exec_form_clears_entrypoint_and_cmd() {
        let p = clean("FROM nginx\nENTRYPOINT []\nCMD []\nSHELL [\"/bin/ash\", \"-c\"]\n");
        let s = &df(&p).stages[0];
        let kinds: Vec<_> = s
            .instructions
            .iter()
            .map(|i| (i.keyword.as_str(), i.args.value.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("ENTRYPOINT", "[]"),
                ("CMD", "[]"),
                ("SHELL", "[\"/bin/ash\", \"-c\"]")
            ]
        );
        assert_eq!(at(s.instructions[0].args.span), "2:12-2:14");
    }

    #[test]
    fn heredoc_delimiters_as_buildkit_reads_them() {
        let text = "FROM a\nRUN <<  EOF  sh -x\necho 1\nEOF\nRUN <<eo'f'\n$X\neof\n\
                    RUN <<'one two'\nx\none two\nCOPY <<X <<Y /d\nY\nX\nX\nY\n\
                    RUN [\"<<EOF\"]\nONBUILD RUN <<EOF\nhi\nEOF\nRUN <<-T\n\t\tx\n\tT\n";
        let p = clean(text);
        let s = &df(&p).stages[0];
        let docs: Vec<Vec<&str>> = s
            .instructions
            .iter()
            .map(|i| i.heredocs.iter().map(|h| h.value.as_str()).collect())
            .collect();
        assert_eq!(
            docs,
            [
                vec!["echo 1\n"],
                vec!["$X\n"],
                vec!["x\n"],
                vec!["Y\n", "X\n"],
                vec![],
                vec!["hi\n"],
                vec!["x\n"],
            ]
        );
        // A quoted delimiter keeps `$X` for the shell; the others are expanded.
        assert_eq!(s.instructions[1].command.as_deref(), Some("<<eo'f'\n$X\n"));
        assert_eq!(
            s.instructions[0].command.as_deref(),
            Some("<<  EOF  sh -x\necho 1\n")
        );
        assert_eq!(at(s.instructions[3].span), "11:1-15:2");
        assert_eq!(at(s.instructions[3].heredocs[1].span), "14:1-15:1");
        // BuildKit takes `EOF>/x` as the delimiter (its lexer splits words on blanks only).
        let p = run("FROM a\nRUN cat <<EOF>/x\nEOF\n");
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert!(p.errors[0].message.contains("expected a line `EOF>/x`"));
    }

    #[test]
    fn continuation_lines_as_buildkit_reads_them() {
        let text = "FROM a\nRUN one \\\n# comment \\\n\n   \n  two \\\n  # indented\n  three\n\
                    RUN echo C:\\\\\nRUN last \\";
        let p = clean(text);
        let s = &df(&p).stages[0];
        assert_eq!(
            s.instructions[0].command.as_deref(),
            Some("one   two   three")
        );
        assert_eq!(at(s.instructions[0].span), "2:1-8:8");
        // An escaped escape does not continue the line.
        assert_eq!(s.instructions[1].command.as_deref(), Some("echo C:\\\\"));
        // A continuation at the end of the file ends the instruction.
        assert_eq!(s.instructions[2].command.as_deref(), Some("last"));
        assert_eq!(at(s.instructions[2].span), "10:1-10:11");
    }

    #[test]
    fn directives_only_at_the_top() {
        // A comment before it makes `# escape=` a comment.
        let p = clean("# hello\n# escape=`\nFROM a\nRUN x \\\n  y\n");
        assert!(df(&p).escape.is_none());
        assert_eq!(
            df(&p).stages[0].instructions[0].command.as_deref(),
            Some("x   y")
        );
        let p = run("# escape=`\n# escape=\\\nFROM a\n");
        assert_eq!(
            p.errors[0].message,
            "Dockerfile syntax error: only one escape parser directive can be used"
        );
        let p = clean("\u{feff}#   ESCAPE = `  \nFROM a\nRUN x `\n  y\n");
        assert_eq!(df(&p).escape.as_ref().map(|e| e.value), Some('`'));
        assert_eq!(
            df(&p).stages[0].instructions[0].command.as_deref(),
            Some("x   y")
        );
    }

    #[test]
    fn rejected_instructions_are_reported_and_skipped() {
        let p = run(
            "FROM a AS 1st\nCMD [\"a\", 1]\nENV X\nENV A=1 B\nARG =x\nONBUILD FROM b\n\
             HEALTHCHECK CMD\nHEALTHCHECK NONE x\nWORKDIR\nVOLUME [\"\"]\nONBUILD BOGUS ok\n",
        );
        let errors: Vec<_> = p
            .errors
            .iter()
            .map(|e| {
                (
                    crate::last_file::start(e.span).0,
                    e.message.trim_start_matches(SYNTAX_ERROR),
                )
            })
            .collect();
        assert_eq!(
            errors,
            [
                (
                    1,
                    "invalid name for build stage: '1st', name can't start with a number or \
                     contain symbols"
                ),
                (
                    2,
                    "CMD: when using JSON array syntax, arrays must be comprised of strings only"
                ),
                (
                    3,
                    "ENV must have two arguments (`ENV name value` or `ENV name=value`)"
                ),
                (
                    4,
                    "ENV: can't find = in \"B\"; it must be of the form name=value"
                ),
                (5, "ARG names can not be blank"),
                (6, "FROM isn't allowed as an ONBUILD trigger"),
                (7, "missing command after HEALTHCHECK CMD"),
                (8, "HEALTHCHECK NONE takes no arguments"),
                (9, "WORKDIR requires exactly one argument"),
                (10, "VOLUME specified can not be an empty string"),
            ]
        );
        // The stage is still read; its one accepted instruction is the trigger BuildKit only
        // checks when a build uses this image.
        let s = &df(&p).stages[0];
        assert_eq!(s.instructions.len(), 1);
        assert_eq!(s.instructions[0].args.value, "BOGUS ok");
    }

    #[test]
    fn only_the_first_unknown_instruction_is_reported() {
        // A jq template is not a Dockerfile: one error, not one per template line.
        let p = run("{{ def x: 1 }}\nFROM {{ .from }}\n{{ if x then }}\nRUN a\n{{ end }}\n");
        let errors: Vec<_> = p.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            errors,
            [
                "Dockerfile syntax error: unknown instruction '{{'",
                "Dockerfile syntax error: FROM requires either one or three arguments"
            ]
        );
    }

    #[test]
    fn junk_never_panics() {
        for text in [
            "\0\u{1}\u{7f}ÿ",
            "FROM",
            "FROM a\nRUN <<",
            "FROM a\nRUN <<-'",
            "FROM a\nVOLUME [\"\\u12",
            "FROM a\nENV ${",
            "FROM a\nENV A=${B:-${C",
            "FROM a\nRUN echo ${A:-${B}}}}\n",
            "\\\n\\\n",
            "FROM a\nARG =\nENV ==\n",
            "FROM a AS\n",
            "FROM a\nRUN cat <<A <<B\n",
            "ONBUILD ONBUILD x",
            &format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(100_000)),
            &format!("FROM a\nRUN {}\n", "<<A ".repeat(10_000)),
            &format!("FROM a\nRUN x {}\n", "\\\n".repeat(10_000)),
        ] {
            let _ = run(text);
        }
    }

    #[test]
    fn every_prefix_of_a_realistic_file() {
        let text = "# syntax=docker/dockerfile:1.7\r\n\
                    ARG PG_MAJOR=17\n\
                    FROM --platform=$BUILDPLATFORM golang:1.22 AS builder\n\
                    WORKDIR /src\n\
                    RUN --mount=type=cache,target=/root/.cache/go-build \\\n    \
                    go build -o /out/app ./cmd/app\n\
                    RUN <<EOF\nset -e\nmkdir -p /out/data\nEOF\n\
                    RUN cat <<'CONF' > /out/app.conf\nlisten=:8080 # é\nCONF\n\
                    FROM postgres:${PG_MAJOR} AS db\n\
                    ENV PGDATA=/var/lib/postgresql/data/pgdata \\\n    LANG=\"en_US.utf8\"\n\
                    VOLUME [\"/var/lib/postgresql/data\"]\n\
                    VOLUME ['/bad']\n\
                    COPY --from=builder --chown=postgres /out/app /usr/local/bin/app\n\
                    COPY <<EOF /docker-entrypoint-initdb.d/init.sql\nCREATE TABLE t();\nEOF\n\
                    ONBUILD VOLUME /onbuild\n\
                    FROM db\n\
                    HEALTHCHECK --interval=5s CMD pg_isready\n\
                    SHELL [\"/bin/bash\", \"-c\"]\n\
                    CMD [\"postgres\"]\n";
        let full = clean(text);
        assert_eq!(df(&full).stages.len(), 3);
        for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let _ = run(&text[..end]);
        }
    }
}

//! Dockerfiles -> model: parser directives, stages, instructions, `VOLUME`s and `ARG`/`ENV`
//! substitution, each with its span.
//!
//! Tokenizing is parse-dockerfile's job; this module adds what it leaves to its users: variable
//! substitution, stage links, the byte offsets of `ENV`/`ARG` values, heredocs that do not open
//! a `RUN` (`RUN cat <<EOF > /x`), and recovery from instructions before the first `FROM`.

use std::collections::HashMap;
use std::ops::Range;

use parse_dockerfile as pd;

use super::{Parsed, paths};
use crate::model::{
    Container, ContainerRole, Dockerfile, EnvVar, Flag, Instruction, Mount, MountKind, MountSyntax,
    ParseError, Platform, SourceFile, Span, Spanned, Stage, VolumeInstruction, Workload,
    WorkloadKind,
};

const UTF8_BOM: &str = "\u{feff}";
/// Each recovery re-parses the file; a bound keeps adversarial input linear-ish.
const MAX_RECOVERIES: usize = 64;

/// Parse a Dockerfile. Never panics; problems become [`ParseError`]s with exact positions.
#[must_use]
pub fn parse(source: &SourceFile) -> Parsed {
    let base = if source.text.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    let text = source.text.get(base..).unwrap_or("");
    let mut cx = Cx {
        source,
        base,
        text,
        escape: b'\\',
        errors: Vec::new(),
    };
    let mut out = Parsed::default();
    let Some(directives) = cx.directives() else {
        out.errors = cx.errors;
        return out;
    };
    let recovered = cx.recover();
    let dockerfile = cx.build(directives, &recovered);
    out.workloads = workloads(&dockerfile);
    out.dockerfile = Some(dockerfile);
    out.errors = without_from_noise(cx.errors);
    out
}

/// A file with no `FROM` at all (a template, a fragment) gets one error at its first
/// instruction, not one per instruction plus one for the missing `FROM`.
fn without_from_noise(errors: Vec<ParseError>) -> Vec<ParseError> {
    let Some(no_from) = errors
        .iter()
        .position(|e| e.message.contains("expected at least one FROM"))
    else {
        return errors;
    };
    let before_from = |e: &ParseError| e.message.contains("only ARG may come before");
    let first = errors.iter().find(|e| before_from(e)).map(|e| e.span);
    let mut errors = errors;
    if let Some(span) = first {
        errors[no_from].span = span;
    }
    errors.retain(|e| !before_from(e));
    errors
}

struct Cx<'s> {
    source: &'s SourceFile,
    /// Length of a UTF-8 BOM that parse-dockerfile strips: its offsets start after it.
    base: usize,
    /// The text parse-dockerfile sees (BOM stripped), unmasked.
    text: &'s str,
    escape: u8,
    errors: Vec<ParseError>,
}

/// A heredoc parse-dockerfile did not read: found and masked by [`Cx::recover`].
#[derive(Clone, Debug)]
struct ExtraHeredoc {
    body: Range<usize>,
    value: String,
    expand: bool,
    /// End of the closing delimiter line.
    end: usize,
}

/// The text as parse-dockerfile should read it, and what was taken out of it.
struct Recovered {
    /// Same length as the text: masked regions are blanked with spaces, newlines kept, so every
    /// offset still points into the original.
    work: String,
    /// Keyed by the start of the instruction that opens them.
    heredocs: HashMap<usize, Vec<ExtraHeredoc>>,
}

enum Recovery {
    Heredocs { key: usize, docs: Vec<ExtraHeredoc> },
    BeforeFrom { start: usize, end: usize },
}

impl Cx<'_> {
    fn span(&self, range: Range<usize>) -> Span {
        self.source
            .span(range.start + self.base..range.end + self.base)
    }

    fn slice(&self, range: Range<usize>) -> &str {
        self.text.get(range).unwrap_or("")
    }

    /// An error at `offset`, spanning the word there so renderers underline what is wrong.
    fn error_at(&mut self, offset: usize, message: String) {
        let end = self.text.get(offset..).map_or(offset, |rest| {
            offset + rest.find(char::is_whitespace).unwrap_or(rest.len())
        });
        let span = self.span(offset..end);
        self.errors.push(ParseError { message, span });
    }

    /// parse-dockerfile's position (1-based line, 1-based column in bytes, both counted after a
    /// BOM) as an offset into the text it saw. `None` when it gives no position.
    fn error_offset(&self, e: &pd::Error) -> Option<usize> {
        if e.line() == 0 {
            return None;
        }
        let line_start = self.source.index.line_start(e.line());
        let first_line_bom = if e.line() == 1 { self.base } else { 0 };
        Some(
            (line_start + first_line_bom + e.column().saturating_sub(1))
                .saturating_sub(self.base)
                .min(self.text.len()),
        )
    }

    fn report(&mut self, e: &pd::Error) {
        let message = format!("Dockerfile syntax error: {e:#}");
        match self.error_offset(e) {
            Some(offset) => self.error_at(offset, message),
            // No FROM at all: nothing to underline.
            None => self.errors.push(ParseError {
                message,
                span: self.span(0..0),
            }),
        }
    }

    /// Parser directives, read by parse-dockerfile from the leading `#` lines alone so that a
    /// later syntax error does not lose them. `None` when they are invalid (`# escape=x`).
    fn directives(&mut self) -> Option<Directives> {
        let mut end = 0;
        for line in self.text.split_inclusive('\n') {
            if !line.starts_with('#') {
                break;
            }
            end += line.len();
        }
        let mut probe = self.slice(0..end).to_owned();
        if !probe.is_empty() && !probe.ends_with('\n') {
            probe.push('\n');
        }
        probe.push_str("FROM scratch\n");
        match pd::parse(&probe) {
            Ok(df) => {
                let d = df.parser_directives;
                let syntax = d.syntax.map(|s| {
                    Spanned::new(s.value.value.to_owned(), self.span(s.value.span.clone()))
                });
                let escape = d
                    .escape
                    .map(|e| Spanned::new(e.value.value, self.span(e.value.span.clone())));
                if let Some(e) = &escape {
                    self.escape = u8::try_from(e.value).unwrap_or(b'\\');
                }
                Some(Directives { syntax, escape })
            }
            Err(e) => {
                self.report(&e);
                None
            }
        }
    }

    /// Re-parse until parse-dockerfile reads the whole file or fails for a reason we cannot
    /// work around, blanking what it cannot read: heredoc bodies it does not know about, and
    /// instructions before the first `FROM` (reported, as Docker rejects them).
    fn recover(&mut self) -> Recovered {
        let mut rec = Recovered {
            work: self.text.to_owned(),
            heredocs: HashMap::new(),
        };
        for _ in 0..MAX_RECOVERIES {
            let (mask, next) = match self.find_recovery(&rec) {
                None => break,
                Some(Recovery::Heredocs { key, docs }) => {
                    let start = docs.first().map_or(0, |d| d.body.start);
                    let end = docs.last().map_or(0, |d| d.end);
                    (start..end, Some((key, docs)))
                }
                Some(Recovery::BeforeFrom { start, end }) => {
                    let keyword: String = self
                        .slice(start..end)
                        .chars()
                        .take_while(char::is_ascii_alphabetic)
                        .collect::<String>()
                        .to_ascii_uppercase();
                    self.error_at(
                        start,
                        format!(
                            "Dockerfile syntax error: expected FROM, found {keyword} (only ARG \
                             may come before the first FROM)"
                        ),
                    );
                    (start..end, None)
                }
            };
            if mask.is_empty() {
                break;
            }
            rec.work = blank(&rec.work, mask);
            if let Some((key, docs)) = next {
                rec.heredocs.insert(key, docs);
            }
        }
        rec
    }

    fn find_recovery(&mut self, rec: &Recovered) -> Option<Recovery> {
        let work = rec.work.as_str();
        let iter = pd::parse_iter(work).ok()?;
        for item in iter {
            match item {
                Ok(instr @ pd::Instruction::Run(_)) => {
                    let pd::Instruction::Run(run) = &instr else {
                        continue;
                    };
                    let key = run.run.span.start;
                    if rec.heredocs.contains_key(&key) {
                        continue;
                    }
                    let pd::Command::Shell(shell) = &run.arguments else {
                        continue;
                    };
                    let first = self.run_first_line(run, shell);
                    let markers = heredoc_markers(&first.0);
                    if markers.len() <= run.here_docs.len() {
                        continue;
                    }
                    let end = instruction_end(work, &instr);
                    let mut pos = next_line_start(work, end);
                    let mut docs = Vec::new();
                    for m in markers.iter().skip(run.here_docs.len()) {
                        let doc = self.read_heredoc(pos, m);
                        pos = next_line_start(work, doc.end);
                        docs.push(doc);
                    }
                    return Some(Recovery::Heredocs { key, docs });
                }
                Ok(_) => {}
                Err(e) => {
                    if format!("{e:#}") != "expected FROM" {
                        return None;
                    }
                    let start = self.error_offset(&e)?;
                    let end = self.probe_end(work, start);
                    return Some(Recovery::BeforeFrom { start, end });
                }
            }
        }
        None
    }

    /// Where the instruction at `start` ends, parsing it after a dummy `FROM` (parse-dockerfile
    /// drops an instruction it rejects for coming before `FROM`). Falls back to its first line.
    fn probe_end(&self, work: &str, start: usize) -> usize {
        let fallback = line_end(work, start);
        let Some(rest) = work.get(start..) else {
            return fallback;
        };
        let prefix = format!("# escape={}\nFROM scratch\n", char::from(self.escape));
        let probe = format!("{prefix}{rest}");
        let Ok(mut iter) = pd::parse_iter(&probe) else {
            return fallback;
        };
        match (iter.next(), iter.next()) {
            (Some(Ok(_)), Some(Ok(instr))) => {
                (instruction_end(&probe, &instr).saturating_sub(prefix.len()) + start)
                    .max(fallback)
                    .min(work.len())
            }
            _ => fallback,
        }
    }

    /// Read a heredoc body starting at `pos` (the line after its instruction).
    fn read_heredoc(&mut self, pos: usize, m: &Marker) -> ExtraHeredoc {
        let text = self.text;
        let mut line = pos;
        let mut value = String::new();
        while line < text.len() {
            let end = line_end(text, line);
            let raw = self.slice(line..end);
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let content = if m.strip_tabs {
                raw.trim_start_matches('\t')
            } else {
                raw
            };
            if content == m.delim {
                return ExtraHeredoc {
                    body: pos..line,
                    value,
                    expand: m.expand,
                    end,
                };
            }
            value.push_str(content);
            value.push('\n');
            line = next_line_start(text, end);
        }
        let eof = text.len();
        self.error_at(
            eof,
            format!(
                "Dockerfile syntax error: expected end of here-document ({}), but reached eof",
                m.delim
            ),
        );
        ExtraHeredoc {
            body: pos.min(eof)..eof,
            value,
            expand: m.expand,
            end: eof,
        }
    }

    /// A `RUN`'s shell text up to the end of its first logical line (before any heredoc body),
    /// continuations removed, with its byte range.
    fn run_first_line(
        &self,
        run: &pd::RunInstruction<'_>,
        shell: &pd::Spanned<&str>,
    ) -> (String, Range<usize>) {
        let after = run
            .options
            .last()
            .map_or(run.run.span.end, |f| f.span().end);
        let start = skip_blanks(self.text, after, self.escape).min(shell.span.end.max(after));
        let range = start..shell.span.end.max(start);
        (logical(self.text, range.clone(), self.escape).0, range)
    }

    fn build(&mut self, directives: Directives, rec: &Recovered) -> Dockerfile {
        let mut df = Dockerfile {
            syntax: directives.syntax,
            escape: directives.escape,
            ..Dockerfile::default()
        };
        let mut instructions = Vec::new();
        if let Ok(iter) = pd::parse_iter(&rec.work) {
            for item in iter {
                match item {
                    Ok(i) => instructions.push(i),
                    Err(e) => {
                        self.report(&e);
                        break;
                    }
                }
            }
        }
        let mut globals = Scope::default();
        let mut finished = Vec::new();
        let mut current: Option<StageBuilder> = None;
        for instr in &instructions {
            match instr {
                pd::Instruction::From(from) => {
                    if let Some(done) = current.take() {
                        df.stages.push(done.finish(&mut finished));
                    }
                    current = Some(self.start_stage(&df, &finished, &globals, from));
                }
                pd::Instruction::Arg(arg) if current.is_none() => {
                    for (name, value) in self.arg_values(arg, &globals, None) {
                        globals.set_arg(&name, value.as_ref().map(|v| (v.0.value.clone(), v.1)));
                        df.global_args.push((name, value.map(|v| v.0)));
                    }
                }
                other => {
                    if let Some(stage) = current.as_mut() {
                        let i = self.instruction(other, stage, &globals, rec);
                        stage.stage.instructions.push(i);
                    }
                }
            }
        }
        if let Some(done) = current.take() {
            df.stages.push(done.finish(&mut finished));
        }
        df
    }

    fn start_stage(
        &mut self,
        df: &Dockerfile,
        finished: &[(Scope, Option<String>)],
        globals: &Scope,
        from: &pd::FromInstruction<'_>,
    ) -> StageBuilder {
        let index = df.stages.len();
        let image = expand(&from.image.value, Mode::Word, self.escape, globals);
        let base = Spanned::new(image.text, self.span(from.image.span.clone()));
        let name = from
            .as_
            .as_ref()
            .map(|(_, n)| Spanned::new(n.value.to_string(), self.span(n.span.clone())));
        if let Some((_, n)) = &from.as_
            && df.stages.iter().any(|s| {
                s.name
                    .as_ref()
                    .is_some_and(|p| p.value.eq_ignore_ascii_case(&n.value))
            })
        {
            self.error_at(
                n.span.start,
                format!(
                    "Dockerfile syntax error: duplicate stage name '{}'",
                    n.value
                ),
            );
        }
        let base_stage = df.stages.iter().position(|s| {
            s.name
                .as_ref()
                .is_some_and(|n| n.value.eq_ignore_ascii_case(&base.value))
        });
        let parent = base_stage.and_then(|i| df.stages.get(i));
        let from_span =
            self.span(from.from.span.start..line_end_trimmed(self.text, from_max_end(from)));
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
        instr: &pd::Instruction<'_>,
        sb: &mut StageBuilder,
        globals: &Scope,
        rec: &Recovered,
    ) -> Instruction {
        let start = keyword_span(instr).start;
        let extra = rec.heredocs.get(&start).map_or(&[][..], Vec::as_slice);
        let end = extra
            .last()
            .map_or(0, |d| d.end)
            .max(instruction_end(self.text, instr));
        let flags_end = flags(instr)
            .last()
            .map_or(keyword_span(instr).end, |f| f.span().end);
        let args_start = skip_blanks(self.text, flags_end, self.escape).min(end);
        let args = Spanned::new(
            self.slice(args_start..end).to_owned(),
            self.span(args_start..end),
        );
        let mut out = Instruction {
            keyword: keyword_name(instr).to_owned(),
            span: self.span(start..end),
            flags: flags(instr)
                .iter()
                .map(|f| Flag {
                    name: f.name.value.to_string(),
                    value: f.value.as_ref().map(|v| v.value.to_string()),
                    span: self.span(f.span()),
                })
                .collect(),
            args,
            command: None,
            heredocs: Vec::new(),
            workdir: None,
        };
        match instr {
            pd::Instruction::Arg(arg) => {
                for (name, value) in self.arg_values(arg, &sb.scope, Some(globals)) {
                    sb.scope
                        .set_arg(&name, value.map(|(v, known)| (v.value, known)));
                }
            }
            pd::Instruction::Env(env) => {
                for (name, value, known) in self.env_values(env, &sb.scope) {
                    sb.set_env(name, value, known);
                }
            }
            pd::Instruction::Workdir(w) => {
                let dir = expand(&w.arguments.value, Mode::Word, self.escape, &sb.scope);
                sb.workdir = if dir.text.starts_with('/') {
                    Some(paths::normalize(&dir.text))
                } else {
                    sb.workdir
                        .as_ref()
                        .map(|cwd| paths::normalize(&format!("{cwd}/{}", dir.text)))
                };
            }
            pd::Instruction::Volume(v) => {
                let vol = self.volume(v, &out, &sb.scope);
                sb.stage.volumes.push(vol);
            }
            pd::Instruction::Run(run) => {
                let mut command = match &run.arguments {
                    // No shell runs the exec form, so nothing expands in it.
                    pd::Command::Exec(words) => words
                        .value
                        .iter()
                        .map(|w| w.value.as_ref())
                        .collect::<Vec<_>>()
                        .join(" "),
                    pd::Command::Shell(shell) => {
                        let (first, _) = self.run_first_line(run, shell);
                        expand(&first, Mode::Shell, self.escape, &sb.scope).text
                    }
                    _ => String::new(),
                };
                let docs = run
                    .here_docs
                    .iter()
                    .map(|h| (h.span.clone(), h.value.to_string(), h.expand))
                    .chain(
                        extra
                            .iter()
                            .map(|d| (d.body.clone(), d.value.clone(), d.expand)),
                    );
                for (span, body, expand_it) in docs {
                    command.push('\n');
                    if expand_it {
                        command.push_str(&expand(&body, Mode::Shell, self.escape, &sb.scope).text);
                    } else {
                        command.push_str(&body);
                    }
                    out.heredocs.push(Spanned::new(body, self.span(span)));
                }
                out.command = Some(command);
            }
            pd::Instruction::Add(pd::AddInstruction { src, .. })
            | pd::Instruction::Copy(pd::CopyInstruction { src, .. }) => {
                for s in src {
                    if let pd::Source::HereDoc(h) = s {
                        out.heredocs
                            .push(Spanned::new(h.value.to_string(), self.span(h.span.clone())));
                    }
                }
            }
            _ => {}
        }
        out.workdir.clone_from(&sb.workdir);
        out
    }

    fn volume(
        &self,
        v: &pd::VolumeInstruction<'_>,
        instr: &Instruction,
        scope: &Scope,
    ) -> VolumeInstruction {
        let raw = instr.args.clone();
        let (json, words): (bool, &[pd::UnescapedString<'_>]) = match &v.arguments {
            pd::JsonOrStringArray::Json(arr) => (true, &arr.value),
            pd::JsonOrStringArray::String(words) => (false, words),
        };
        // Docker reads a broken array as plain words: the volume is literally `['/data']`.
        let malformed = !json && raw.value.starts_with('[');
        let paths = words
            .iter()
            .map(|w| {
                let value = if malformed {
                    w.value.to_string()
                } else {
                    expand(&w.value, Mode::Word, self.escape, scope).text
                };
                Spanned::new(value, self.span(w.span.clone()))
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
        arg: &pd::ArgInstruction<'_>,
        scope: &Scope,
        globals: Option<&Scope>,
    ) -> Vec<(String, Option<ArgValue>)> {
        let (text, map) = logical(self.text, arg.arguments.span.clone(), self.escape);
        let mut out = Vec::new();
        for word in split_words(&text, self.escape) {
            let w = &text[word.clone()];
            match w.split_once('=') {
                Some((name, value)) => {
                    let vstart = word.start + name.len() + 1;
                    let e = expand(value, Mode::Word, self.escape, scope);
                    let span = self.span(orig_range(&map, vstart..word.end));
                    out.push((name.to_owned(), Some((Spanned::new(e.text, span), e.known))));
                }
                None => {
                    let inherited = globals.and_then(|g| g.get(w)).map(|v| {
                        (
                            Spanned::new(v.to_owned(), self.span(orig_range(&map, word.clone()))),
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
    fn env_values(
        &self,
        env: &pd::EnvInstruction<'_>,
        scope: &Scope,
    ) -> Vec<(String, Spanned<String>, bool)> {
        let (text, map) = logical(self.text, env.arguments.span.clone(), self.escape);
        let words = split_words(&text, self.escape);
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
                let span = self.span(orig_range(&map, range));
                (name, Spanned::new(e.text, span), e.known)
            })
            .collect()
    }
}

/// An `ARG` value after substitution, and whether it is fully known.
type ArgValue = (Spanned<String>, bool);

struct Directives {
    syntax: Option<Spanned<String>>,
    escape: Option<Spanned<char>>,
}

/// A stage being read: the model so far, and the variables and working directory in effect.
struct StageBuilder {
    stage: Stage,
    scope: Scope,
    workdir: Option<String>,
}

impl StageBuilder {
    fn set_env(&mut self, name: String, value: Spanned<String>, known: bool) {
        self.scope
            .env
            .insert(name.clone(), known.then(|| value.value.clone()));
        match self.stage.env.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.stage.env.push((name, value)),
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
}

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
    let (op, word) = ["", ":-", ":+", ":?", "-", "+", "?"]
        .iter()
        .rev()
        .find_map(|op| op_text.strip_prefix(op).map(|w| (*op, w)))
        .filter(|(op, w)| !op.is_empty() || w.is_empty())
        .unwrap_or(("unsupported", ""));
    let value = if name.is_empty() || op == "unsupported" {
        None
    } else {
        scope.get(name)
    };
    let Some(value) = value else {
        *known = false;
        return (verbatim(close + 1), consumed);
    };
    let text = match op {
        ":-" if value.is_empty() => expand_into(word, mode, escape, scope, known),
        ":+" if !value.is_empty() => expand_into(word, mode, escape, scope, known),
        "+" => expand_into(word, mode, escape, scope, known),
        ":+" => String::new(),
        ":?" if value.is_empty() => {
            *known = false;
            verbatim(close + 1)
        }
        _ => value.to_owned(),
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

/// The text of `range` as Docker reads it, line continuations removed, and for each of its
/// bytes the offset in `text` (plus one past the end), so spans survive the removal.
fn logical(text: &str, range: Range<usize>, escape: u8) -> (String, Vec<usize>) {
    let bytes = text.as_bytes();
    let end = range.end.min(bytes.len());
    let mut out = Vec::with_capacity(end.saturating_sub(range.start));
    let mut map = Vec::with_capacity(out.capacity() + 1);
    let mut i = range.start;
    while i < end {
        if bytes[i] == escape
            && let Some(next) = continuation_end(bytes, i, end)
        {
            i = next;
            continue;
        }
        out.push(bytes[i]);
        map.push(i);
        i += 1;
    }
    map.push(end);
    // Only ASCII continuation bytes were taken out, so the text is still valid UTF-8.
    let s = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    (s, map)
}

/// If the escape at `at` starts a line continuation, where the continued text resumes:
/// after the newline, and after empty and comment lines, which Docker skips there.
fn continuation_end(bytes: &[u8], at: usize, end: usize) -> Option<usize> {
    let is_ws = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c');
    let mut j = at + 1;
    while j < end && is_ws(bytes[j]) {
        j += 1;
    }
    if j >= end || bytes[j] != b'\n' {
        return None;
    }
    j += 1;
    loop {
        let mut k = j;
        while k < end && is_ws(bytes[k]) {
            k += 1;
        }
        match bytes.get(k) {
            Some(b'\n') if k < end => j = k + 1,
            Some(b'#') if k < end => {
                let nl = bytes[k..end].iter().position(|&b| b == b'\n');
                j = nl.map_or(end, |n| k + n + 1);
            }
            _ => return Some(j),
        }
    }
}

/// A byte range of [`logical`] text back to the original text.
fn orig_range(map: &[usize], r: Range<usize>) -> Range<usize> {
    let start = map.get(r.start).copied().unwrap_or(0);
    let end = if r.end > r.start {
        map.get(r.end - 1).map_or(start, |&e| e + 1)
    } else {
        start
    };
    start..end.max(start)
}

/// Whitespace-separated words, quotes and escapes kept inside their word.
fn split_words(s: &str, escape: u8) -> Vec<Range<usize>> {
    let escape = char::from(escape);
    let mut words = Vec::new();
    let mut start = None;
    let mut quote = None;
    let mut iter = s.char_indices();
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

/// A heredoc opened on a `RUN` line: `<<EOF`, `<<-EOF`, `<<'EOF'`, `2<<"END"`.
struct Marker {
    delim: String,
    strip_tabs: bool,
    expand: bool,
}

/// Heredocs opened by a shell line, as BuildKit finds them: words of the form `[n]<<[-]delim`.
fn heredoc_markers(line: &str) -> Vec<Marker> {
    let mut out = Vec::new();
    for word in split_words(line, b'\\') {
        let w = line[word].trim_start_matches(|c: char| c.is_ascii_digit());
        let Some(rest) = w.strip_prefix("<<") else {
            continue;
        };
        if rest.starts_with('<') {
            continue; // `<<<` is a here-string.
        }
        let (strip_tabs, rest) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let mut delim = String::new();
        let mut quoted = false;
        for c in rest.chars() {
            match c {
                '\'' | '"' | '\\' => quoted = true,
                '<' | '>' | '|' | '&' | ';' | '(' | ')' => break,
                c => delim.push(c),
            }
        }
        if !delim.is_empty() {
            out.push(Marker {
                delim,
                strip_tabs,
                expand: !quoted,
            });
        }
    }
    out
}

/// `text` with `range` blanked: every byte but newlines becomes a space.
fn blank(text: &str, range: Range<usize>) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let end = range.end.min(bytes.len());
    for b in bytes.get_mut(range.start.min(end)..end).unwrap_or(&mut []) {
        if *b != b'\n' {
            *b = b' ';
        }
    }
    // Masks start and end at line boundaries or ASCII bytes, so whole characters are replaced.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

/// End of the line holding `at` (the offset of its `\n`, or the end of the text).
fn line_end(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text.as_bytes()[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |n| at + n)
}

fn next_line_start(text: &str, at: usize) -> usize {
    (line_end(text, at) + 1).min(text.len())
}

/// The end of the line holding `at`, trailing whitespace excluded (but never before `at`).
fn line_end_trimmed(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    let mut end = line_end(text, at);
    let bytes = text.as_bytes();
    while end > at && matches!(bytes[end - 1], b' ' | b'\t' | b'\r') {
        end -= 1;
    }
    end
}

/// Skip spaces and line continuations from `at`: where an instruction's arguments begin.
fn skip_blanks(text: &str, at: usize, escape: u8) -> usize {
    let bytes = text.as_bytes();
    let mut i = at.min(bytes.len());
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' => i += 1,
            b if b == escape => match continuation_end(bytes, i, bytes.len()) {
                Some(next) => i = next,
                None => break,
            },
            _ => break,
        }
    }
    i
}

/// Where an instruction ends: parse-dockerfile gives the spans of its parts, not of the whole;
/// the last part ends on the instruction's last line (a heredoc body ends where its closing
/// delimiter line starts).
fn instruction_end(text: &str, instr: &pd::Instruction<'_>) -> usize {
    line_end_trimmed(text, max_end(instr))
}

fn command_end(c: &pd::Command<'_>) -> usize {
    match c {
        pd::Command::Exec(e) => e.span.end,
        pd::Command::Shell(s) => s.span.end,
        _ => 0,
    }
}

fn from_max_end(from: &pd::FromInstruction<'_>) -> usize {
    from.as_
        .as_ref()
        .map_or(from.image.span.end, |(_, n)| n.span.end)
        .max(from.image.span.end)
}

fn last_end(spans: &[pd::UnescapedString<'_>]) -> usize {
    spans.iter().map(|s| s.span.end).max().unwrap_or(0)
}

fn max_end(instr: &pd::Instruction<'_>) -> usize {
    let parts = match instr {
        pd::Instruction::Add(pd::AddInstruction { src, dest, .. })
        | pd::Instruction::Copy(pd::CopyInstruction { src, dest, .. }) => src
            .iter()
            .map(|s| match s {
                pd::Source::Path(p) => p.span.end,
                pd::Source::HereDoc(h) => h.span.end,
                _ => 0,
            })
            .max()
            .unwrap_or(0)
            .max(dest.span.end),
        pd::Instruction::Arg(i) => i.arguments.span.end,
        pd::Instruction::Cmd(i) => command_end(&i.arguments),
        pd::Instruction::Entrypoint(i) => command_end(&i.arguments),
        pd::Instruction::Env(i) => i.arguments.span.end,
        pd::Instruction::Expose(i) => last_end(&i.arguments),
        pd::Instruction::From(i) => from_max_end(i),
        pd::Instruction::Healthcheck(i) => match &i.arguments {
            pd::HealthcheckArguments::Cmd { arguments, .. } => command_end(arguments),
            pd::HealthcheckArguments::None { none, .. } => none.span.end,
            _ => 0,
        },
        pd::Instruction::Label(i) => i.arguments.span.end,
        pd::Instruction::Maintainer(i) => i.name.span.end,
        pd::Instruction::Onbuild(i) => max_end(&i.instruction),
        pd::Instruction::Run(i) => i
            .here_docs
            .iter()
            .map(|h| h.span.end)
            .max()
            .unwrap_or(0)
            .max(command_end(&i.arguments)),
        pd::Instruction::Shell(i) => last_end(&i.arguments),
        pd::Instruction::Stopsignal(i) => i.arguments.span.end,
        pd::Instruction::User(i) => i.arguments.span.end,
        pd::Instruction::Volume(i) => match &i.arguments {
            pd::JsonOrStringArray::Json(a) => a.span.end,
            pd::JsonOrStringArray::String(words) => last_end(words),
        },
        pd::Instruction::Workdir(i) => i.arguments.span.end,
        _ => 0,
    };
    parts.max(keyword_span(instr).end)
}

fn keyword_span(instr: &pd::Instruction<'_>) -> Range<usize> {
    let k = match instr {
        pd::Instruction::Add(i) => &i.add,
        pd::Instruction::Arg(i) => &i.arg,
        pd::Instruction::Cmd(i) => &i.cmd,
        pd::Instruction::Copy(i) => &i.copy,
        pd::Instruction::Entrypoint(i) => &i.entrypoint,
        pd::Instruction::Env(i) => &i.env,
        pd::Instruction::Expose(i) => &i.expose,
        pd::Instruction::From(i) => &i.from,
        pd::Instruction::Healthcheck(i) => &i.healthcheck,
        pd::Instruction::Label(i) => &i.label,
        pd::Instruction::Maintainer(i) => &i.maintainer,
        pd::Instruction::Onbuild(i) => &i.onbuild,
        pd::Instruction::Run(i) => &i.run,
        pd::Instruction::Shell(i) => &i.shell,
        pd::Instruction::Stopsignal(i) => &i.stopsignal,
        pd::Instruction::User(i) => &i.user,
        pd::Instruction::Volume(i) => &i.volume,
        pd::Instruction::Workdir(i) => &i.workdir,
        _ => return 0..0,
    };
    k.span.clone()
}

fn keyword_name(instr: &pd::Instruction<'_>) -> &'static str {
    match instr {
        pd::Instruction::Add(_) => "ADD",
        pd::Instruction::Arg(_) => "ARG",
        pd::Instruction::Cmd(_) => "CMD",
        pd::Instruction::Copy(_) => "COPY",
        pd::Instruction::Entrypoint(_) => "ENTRYPOINT",
        pd::Instruction::Env(_) => "ENV",
        pd::Instruction::Expose(_) => "EXPOSE",
        pd::Instruction::From(_) => "FROM",
        pd::Instruction::Healthcheck(_) => "HEALTHCHECK",
        pd::Instruction::Label(_) => "LABEL",
        pd::Instruction::Maintainer(_) => "MAINTAINER",
        pd::Instruction::Onbuild(_) => "ONBUILD",
        pd::Instruction::Run(_) => "RUN",
        pd::Instruction::Shell(_) => "SHELL",
        pd::Instruction::Stopsignal(_) => "STOPSIGNAL",
        pd::Instruction::User(_) => "USER",
        pd::Instruction::Volume(_) => "VOLUME",
        pd::Instruction::Workdir(_) => "WORKDIR",
        _ => "UNKNOWN",
    }
}

fn flags<'i, 'a>(instr: &'i pd::Instruction<'a>) -> &'i [pd::Flag<'a>] {
    match instr {
        pd::Instruction::Add(i) => &i.options,
        pd::Instruction::Copy(i) => &i.options,
        pd::Instruction::From(i) => &i.options,
        pd::Instruction::Healthcheck(i) => &i.options,
        pd::Instruction::Run(i) => &i.options,
        _ => &[],
    }
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
        let push = |m: Mount, mounts: &mut Vec<Mount>| {
            if !mounts.iter().any(|x| x.target == m.target) {
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
        for mut m in inherited {
            m.owner.clone_from(&owner);
            push(m, &mut mounts);
        }
        mounts.retain(|m| !own.iter().any(|o| o.target == m.target));
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
            memory_limit: None,
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
            volumes_from: Vec::new(),
            build: None,
            claim_templates: Vec::new(),
            swarm_reason: None,
            pinned_by_label: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Parsed {
        parse(&SourceFile::new("Dockerfile", text.to_owned()))
    }

    fn df(p: &Parsed) -> &Dockerfile {
        p.dockerfile.as_ref().expect("a Dockerfile model")
    }

    /// `line:column` of a span's start and end.
    fn at(span: Span) -> String {
        format!(
            "{}:{}-{}:{}",
            span.start.line, span.start.column, span.end.line, span.end.column
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
        assert!(p.errors[0].message.contains("here-document (EOF)"));
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
                    VOLUME []\n";
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

        assert!(v[4].json && !v[4].malformed && v[4].paths.is_empty());

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
                "/y]"
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
        assert_eq!(s.base.span.start.offset, 8);
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
        // Everything before the error is still read.
        assert_eq!(df(&p).stages[0].instructions.len(), 1);

        // Columns count characters even when parse-dockerfile counts bytes.
        let p = run("FROM é AS x y\n");
        assert_eq!(p.errors.len(), 1);
        assert_eq!(at(p.errors[0].span), "1:13-1:14");
        assert_eq!(p.errors[0].span.start.offset, 13);
    }

    #[test]
    fn invalid_escape_directive() {
        let p = run("# escape=x\nFROM a\n");
        assert_eq!(p.errors.len(), 1);
        assert_eq!(
            p.errors[0].message,
            "Dockerfile syntax error: invalid escape 'x'"
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
        let p = parse(&SourceFile::new(
            "Dockerfile.template",
            "# template\nADD . /app\nRUN make\n".to_string(),
        ));
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert!(p.errors[0].message.contains("at least one FROM"));
        assert_eq!(p.errors[0].span.start.line, 2);
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

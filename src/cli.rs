//! The command line: `check`, `rules`, `explain`.
//!
//! Exit codes: 0 no finding at or above the `fail-on` threshold (default: warning), 1 some
//! finding at or above it, 2 usage and configuration errors and missing or unreadable paths.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::config::{self, FailOn, Overrides, Resolver};
use crate::engine;
use crate::output::{self, Report, catalog, human, statistics};
use crate::parse::ComposeMode;
use crate::rules;
use crate::{baseline, discover, pipeline};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

mod outputs;
mod write;

const ABOUT: &str = "A static analyzer for container storage: Dockerfiles, Docker Compose files \
                     and Kubernetes manifests.";

const LONG_ABOUT: &str = "A static analyzer for container storage: Dockerfiles, Docker Compose \
files and Kubernetes manifests.

Containers are expendable, data is not. stowlint flags bind mounts that expose the host, business \
data left on the container layer, anonymous volumes, tmpfs or emptyDir, host-local storage under \
an orchestrator, and broken volume wiring.";

const AFTER_HELP: &str = "Examples:
  stowlint check                      lint the current folder
  stowlint check deploy/ compose.yaml lint a folder and a file
  helm template ./chart | stowlint check -
  stowlint rules                      list every rule
  stowlint explain SL102              what a rule checks and why
  stowlint server                     the language server, for editors

Exit status: 0 no finding at warning or above, 1 findings at warning or above (see
--fail-on), 2 usage or configuration errors, missing or unreadable paths.";

/// `--compose-mode`: the command line's names of [`ComposeMode`] (the parsers know nothing of
/// clap).
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ComposeModeArg {
    Auto,
    Standalone,
    Swarm,
}

impl From<ComposeModeArg> for ComposeMode {
    fn from(m: ComposeModeArg) -> Self {
        match m {
            ComposeModeArg::Auto => ComposeMode::Auto,
            ComposeModeArg::Standalone => ComposeMode::Standalone,
            ComposeModeArg::Swarm => ComposeMode::Swarm,
        }
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "stowlint",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    propagate_version = true,
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint files and folders (the default folder is `.`)
    Check(Box<CheckArgs>),
    /// List every rule: code, name, default severity, formats and summary
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Show what a rule checks, why, and how to fix it
    Explain {
        /// A rule code (`SL102`) or name (`container-runtime-socket`)
        #[arg(value_name = "CODE|NAME")]
        rule: String,
    },
    /// Write a commented `stowlint.toml` with every key at its default in the current folder
    Init {
        /// Overwrite an existing `stowlint.toml`
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script (e.g. `stowlint completions bash > ~/.local/share/bash-completion/completions/stowlint`)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) generated from this help (e.g. `stowlint man > stowlint.1`)
    Man,
    /// Run the language server (LSP over standard input and output) for editors
    Server {
        /// Accepted for editors that pass it; standard input and output is the only transport
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Debug, Args)]
#[command(after_help = CHECK_AFTER_HELP)]
struct CheckArgs {
    /// Files or folders to lint; `-` reads standard input
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format; repeatable, each to standard output or to the `--output-file` right
    /// after it (see below) [default: human]
    #[arg(long, value_enum)]
    format: Vec<OutputFormat>,
    /// Write the output of the `--format` right before this option to PATH instead of standard
    /// output; repeatable
    #[arg(long, value_name = "PATH")]
    output_file: Vec<PathBuf>,
    /// Skip files and folders matching GLOB (relative to the walked folder, or a file name),
    /// e.g. `fixtures/**` or `*.bak.yaml`; repeatable
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// How compose files are read: `auto` (the default) decides swarm per service from
    /// swarm-only keys; wins over the configuration's `[compose] mode`
    #[arg(long, value_enum)]
    compose_mode: Option<ComposeModeArg>,
    /// Use this configuration file for every file, instead of the nearest `stowlint.toml` or
    /// `.stowlint.toml`
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore configuration files: defaults and command-line options only
    #[arg(long)]
    isolated: bool,
    /// Rules to check, replacing the configuration's `select`: codes (`SL102`), prefixes
    /// (`SL4`), names or `ALL`; comma-separated or repeated
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Rules to check in addition to the selected ones
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Rules not to check
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    ignore: Vec<String>,
    /// The lowest severity that fails the run (exit 1); default: the configuration's, else
    /// `warning`
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<FailOn>,
    /// Exit 0 even when findings fail the run (usage, configuration and I/O errors still
    /// exit 2)
    #[arg(long)]
    exit_zero: bool,
    /// Print how many findings each rule reported (most first) instead of the findings
    #[arg(long)]
    statistics: bool,
    /// Never use colors; the same as `--color never`
    #[arg(long)]
    no_color: bool,
    /// When to use colors: `auto` (the default) colors a terminal unless `NO_COLOR` is set, and
    /// anything when `FORCE_COLOR` or `CLICOLOR_FORCE` is
    #[arg(long, value_enum, value_name = "WHEN")]
    color: Option<ColorWhen>,
    /// Print the findings only: no summary line and no warnings (errors are still printed)
    #[arg(long, short)]
    quiet: bool,
    /// The file name standard input stands for (`Dockerfile`, `compose.yaml`): decides how it
    /// is read and how it is shown; standard input is read when no path is given
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
    /// Apply `exclude` (the configuration's and `--exclude`) to files named on the command
    /// line too: pre-commit names every changed file (also: `force-exclude = true`)
    #[arg(long)]
    force_exclude: bool,
    /// Lint folders with a kustomization as `kubectl kustomize` (or `kustomize build`)
    /// renders them (also: `render = true`)
    #[arg(long)]
    render: bool,
    /// Record today's findings in FILE (by fingerprint) and exit 0: adopt stowlint in a
    /// repository that already has findings
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
    /// Report only findings not recorded in FILE (written by `--write-baseline`)
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Replace an existing `--output-file` or `--write-baseline` file that is not a stowlint
    /// report or baseline (files the run reads are never replaced)
    #[arg(long)]
    force: bool,
    /// Ignore suppression comments and `stowlint.io/ignore` annotations (audits)
    #[arg(long)]
    no_inline_ignores: bool,
    /// A suppression comment without `-- reason` is reported (SL002)
    #[arg(long)]
    require_reason: bool,
    /// Benchmarks: discover, read and parse, then stop (the floors `bench/run.sh` compares a
    /// full run with): `model` builds the spanned tree and the model, `syntax` only runs the
    /// YAML parser's event stream and the Dockerfile syntax (the bare floor)
    #[arg(long, hide = true, value_enum, num_args = 0..=1, require_equals = true, default_missing_value = "model")]
    parse_only: Option<ParseDepth>,
    /// Larger files are reported (SL001) rather than read: bytes, or a number with a unit
    /// (`20MB`, `512KiB`); wins over the configuration's `max-file-size` [default: 10MB]
    #[arg(long, value_name = "SIZE", value_parser = discover::parse_size)]
    max_file_size: Option<u64>,
}

/// How deep `--parse-only` goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ParseDepth {
    Model,
    Syntax,
}

const CHECK_AFTER_HELP: &str = concat!(
    "Folders are walked honouring .gitignore, .ignore and .git/info/exclude; .git, \
     node_modules, target and vendor are always skipped. Files named on the command line are \
     always linted.\n\n",
    "Each file is checked with the nearest stowlint.toml or .stowlint.toml above it \
     (`stowlint init` writes one); options given here win over it.\n\n",
    "Output: `--format` may be given several times. Each `--output-file` goes with the \
     `--format` right before it; a format without one is written to standard output, and at \
     most one may be. A single `--format` and `--output-file` pair in any order. Example:\n  \
     stowlint check --format human --format sarif --output-file stowlint.sarif ."
);

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// Rustc-style report with source snippets
    Human,
    /// One line per finding: `path:line:col: CODE severity: message`
    Concise,
    /// The versioned JSON contract
    Json,
    /// SARIF 2.1.0 (GitHub code scanning, IDE viewers)
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request
    Github,
    /// GitLab Code Quality report
    Gitlab,
    /// JUnit XML: one test case per file, a failure per finding
    Junit,
    /// Checkstyle XML (reviewdog, Jenkins warnings-ng, SonarQube)
    Checkstyle,
    /// reviewdog's Diagnostic Format (`reviewdog -f=rdjson`)
    Rdjson,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum RulesFormat {
    Text,
    Json,
}

/// The process's streams and what is known about the terminal.
pub struct Io<'a> {
    pub stdin: &'a mut dyn Read,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Colors are welcome unless `--no-color` or `--color never`: stdout is a terminal and
    /// `NO_COLOR` is unset, or `FORCE_COLOR` / `CLICOLOR_FORCE` is set ([`color_from_env`]).
    pub color: bool,
    /// stdout is a terminal: the human report's closing summary line is read there, so it is
    /// not repeated on stderr.
    pub stdout_is_terminal: bool,
    /// Where relative paths are shown from.
    pub cwd: PathBuf,
}

/// Set by the binary's entry point: `check` ends the process, so what it built need not be
/// freed (in-process callers, such as tests, free everything).
static EXITING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The binary's entry point.
#[must_use]
pub fn main() -> ExitCode {
    EXITING.store(true, std::sync::atomic::Ordering::Relaxed);
    // Not locked for the whole run: the language server reads stdin and logs to stderr from
    // threads of its own.
    let mut stdin = io::stdin();
    let mut stdout = io::stdout();
    let mut stderr = io::stderr();
    let stdout_is_terminal = stdout.is_terminal();
    let color = color_from_env(stdout_is_terminal, |name| std::env::var_os(name));
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let code = run(
        std::env::args_os(),
        Io {
            stdin: &mut stdin,
            stdout: &mut stdout,
            stderr: &mut stderr,
            color,
            stdout_is_terminal,
            cwd,
        },
    );
    ExitCode::from(code)
}

/// `--color auto`: `NO_COLOR` (set and not empty) turns colors off; otherwise `FORCE_COLOR` or
/// `CLICOLOR_FORCE` (set, not empty and not `0`) turns them on; otherwise a terminal has them.
fn color_from_env(is_terminal: bool, var: impl Fn(&str) -> Option<OsString>) -> bool {
    let set = |name: &str| var(name).is_some_and(|v| !v.is_empty());
    if set("NO_COLOR") {
        return false;
    }
    let forced = ["FORCE_COLOR", "CLICOLOR_FORCE"]
        .iter()
        .any(|name| var(name).is_some_and(|v| !v.is_empty() && v != "0"));
    forced || is_terminal
}

/// Parse `args` (program name first) and run; returns the exit code.
pub fn run<I, T>(args: I, mut io: Io<'_>) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    // The matches, not just the parsed struct: `--output-file` pairs by position.
    let parsed = Cli::command()
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let text = if io.color {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let stream = if e.use_stderr() { io.stderr } else { io.stdout };
            let _ = stream.write_all(text.as_bytes());
            // clap: 0 for --help and --version, 2 for usage errors.
            return u8::try_from(e.exit_code()).unwrap_or(EXIT_ERROR);
        }
    };
    match cli.command {
        Command::Check(args) => check(&args, matches.subcommand_matches("check"), &mut io),
        Command::Server { stdio: _ } => crate::lsp::serve_stdio(),
        Command::Rules { format } => {
            let text = match format {
                RulesFormat::Text => catalog::render_text(rules::RULES),
                RulesFormat::Json => catalog::render_json(rules::RULES),
            };
            let _ = io.stdout.write_all(text.as_bytes());
            EXIT_OK
        }
        Command::Explain { rule } => match rules::find(&rule) {
            Some(r) => {
                let _ = io.stdout.write_all(catalog::explain(r.meta()).as_bytes());
                EXIT_OK
            }
            None => {
                let _ = writeln!(
                    io.stderr,
                    "stowlint: error: unknown rule `{rule}`; run `stowlint rules` to see all rules"
                );
                EXIT_ERROR
            }
        },
        Command::Init { force } => init(force, &mut io),
        Command::Completions { shell } => {
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "stowlint", &mut text);
            print(&text, &mut io)
        }
        Command::Man => {
            let mut text = Vec::new();
            // Rendering into memory cannot fail.
            let _ = clap_mangen::Man::new(Cli::command()).render(&mut text);
            print(&text, &mut io)
        }
    }
}

/// Generated text to standard output (`completions`, `man`); a closed pipe is fine.
fn print(text: &[u8], io: &mut Io<'_>) -> u8 {
    let written = io.stdout.write_all(text).and_then(|()| io.stdout.flush());
    if outputs::stdout_written(written, io.stderr) {
        EXIT_OK
    } else {
        EXIT_ERROR
    }
}

/// `stowlint init`: a commented `stowlint.toml` that changes nothing until edited.
fn init(force: bool, io: &mut Io<'_>) -> u8 {
    let path = io.cwd.join(config::FILE_NAMES[0]);
    let hidden = io.cwd.join(config::FILE_NAMES[1]);
    if hidden.exists() {
        let _ = writeln!(
            io.stderr,
            "stowlint: error: this folder already has `{}`; edit it instead",
            config::FILE_NAMES[1]
        );
        return EXIT_ERROR;
    }
    if std::fs::symlink_metadata(&path).is_ok() && !force {
        let _ = writeln!(
            io.stderr,
            "stowlint: error: `{}` already exists; use --force to overwrite it",
            config::FILE_NAMES[0]
        );
        return EXIT_ERROR;
    }
    // Never through a link: `create_new` refuses any existing name, a dangling link too (it
    // would create the link's target wherever it points); `--force` replaces the name itself.
    let written = if force {
        write::atomically(&path, |w| w.write_all(config::template().as_bytes()))
    } else {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| f.write_all(config::template().as_bytes()))
    };
    match written {
        Ok(()) => {
            let _ = writeln!(io.stdout, "wrote {}", config::FILE_NAMES[0]);
            EXIT_OK
        }
        Err(e) => {
            let _ = writeln!(
                io.stderr,
                "stowlint: error: cannot write `{}`: {}",
                config::FILE_NAMES[0],
                discover::io_message(&e)
            );
            EXIT_ERROR
        }
    }
}

fn check(args: &CheckArgs, matches: Option<&ArgMatches>, io: &mut Io<'_>) -> u8 {
    let targets = match matches.map_or_else(|| outputs::pair(&[], &[]), outputs::from_matches) {
        Ok(targets) => targets,
        Err(e) => {
            let _ = writeln!(io.stderr, "stowlint: error: {e}");
            return EXIT_ERROR;
        }
    };
    let overrides = Overrides {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on,
        compose_mode: args.compose_mode.map(ComposeMode::from),
        exclude_given: !args.exclude.is_empty(),
        max_file_size: args.max_file_size,
        force_exclude: args.force_exclude,
        render: args.render,
    };
    if let Err(message) = overrides.validate() {
        let _ = writeln!(io.stderr, "stowlint: error: {message}");
        return EXIT_ERROR;
    }
    let cwd = if io.cwd.is_absolute() {
        io.cwd.clone()
    } else {
        std::env::current_dir().unwrap_or_default().join(&io.cwd)
    };
    let resolver = match Resolver::new(&cwd, args.config.as_deref(), args.isolated, overrides) {
        Ok(r) => Arc::new(r),
        Err(e) => {
            let _ = writeln!(io.stderr, "stowlint: error: {e}");
            return EXIT_ERROR;
        }
    };
    let excludes = match discover::excludes(&args.exclude) {
        Ok(set) => set,
        Err(e) => {
            let _ = writeln!(io.stderr, "stowlint: error: invalid --exclude glob: {e}");
            return EXIT_ERROR;
        }
    };
    // Like ruff: `--stdin-filename` without paths reads standard input, not the folder.
    let paths_defaulted = matches
        .and_then(|m| m.value_source("paths"))
        .is_none_or(|source| source == ValueSource::DefaultValue);
    let stdin_requested = args.paths.iter().any(|p| p.as_os_str() == "-")
        || (args.stdin_filename.is_some() && paths_defaulted);
    let paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .filter(|_| !(args.stdin_filename.is_some() && paths_defaulted))
        .cloned()
        .collect();

    let filter: Arc<dyn discover::WalkFilter> = resolver.clone();
    let mut found = discover::discover_filtered(&paths, &excludes, &io.cwd, &filter);
    // `--force-exclude`: pre-commit names every file; the configuration's `exclude` decides.
    found.files.retain(|c| {
        !c.explicit
            || !resolver.for_file(&c.path).force_exclude
            || !(filter.excluded(&c.path)
                || discover::excluded_by_globs(&c.path, &io.cwd, &excludes))
    });
    let rendered = render_kustomizations(&mut found, &paths, &resolver, &cwd, io.stderr);
    let stdin_name = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("<stdin>"));
    let stdin_settings = stdin_requested.then(|| resolver.for_file(&stdin_name));
    let root = resolver.root();
    // A broken configuration stops the run before anything is reported.
    let errors = resolver.errors();
    if !errors.is_empty() {
        for e in errors {
            let _ = writeln!(io.stderr, "stowlint: error: {e}");
        }
        return EXIT_ERROR;
    }
    for ignored in resolver
        .ignored_catalog_extensions()
        .into_iter()
        .filter(|_| !args.quiet)
    {
        let _ = writeln!(
            io.stderr,
            "stowlint: warning: {}: `[[stateful-images]]`, `[host-paths]` and `[kubernetes]` are \
             read only from --config or the configuration nearest the working folder; ignored \
             here",
            output::path_str(&ignored)
        );
    }

    let mut failed = false;
    for e in &found.errors {
        let level = if e.fatal { "error" } else { "warning" };
        failed |= e.fatal;
        if args.quiet && !e.fatal {
            continue;
        }
        let _ = writeln!(
            io.stderr,
            "stowlint: {level}: {}: {}",
            output::path_shown(&e.path),
            e.message
        );
    }

    for c in found
        .files
        .iter()
        .filter(|c| !args.quiet && c.display.to_str().is_none())
    {
        let _ = writeln!(
            io.stderr,
            "stowlint: warning: {}: the file name is not valid UTF-8; linted, and shown with \
             U+FFFD for the bytes that are not",
            output::path_shown(&c.display)
        );
    }
    let opts_for = |c: &discover::Candidate| resolver.for_file(&c.path).parse_options();
    if let Some(depth) = args.parse_only {
        // The floors of the benchmark: walk, read and parse every file, no rules.
        let parsed = crate::par::map(&found.files, |_, c| match depth {
            ParseDepth::Model => discover::load(c, &opts_for(c)).is_some(),
            ParseDepth::Syntax => {
                let limit = opts_for(c).max_file_size;
                match discover::read_limited(&c.path, limit) {
                    Ok(discover::Contents::Bytes(bytes)) => std::str::from_utf8(&bytes)
                        .ok()
                        .and_then(|text| crate::parse::syntax_only(&c.display, text))
                        .is_some(),
                    _ => false,
                }
            }
        });
        let parsed = parsed.into_iter().filter(|&p| p).count();
        let _ = writeln!(io.stderr, "parsed {parsed} files");
        return if failed { EXIT_ERROR } else { EXIT_OK };
    }
    let stdin_bytes;
    let mut inputs: Vec<pipeline::Input> = found
        .files
        .iter()
        .map(|c| {
            pipeline::Input::new(c.display.clone(), c.explicit, move || {
                discover::load(c, &opts_for(c))
            })
            .with_size(discover::size_of(c))
        })
        .collect();
    for (display, text) in &rendered {
        let opts = resolver.for_file(display).parse_options();
        inputs.push(
            pipeline::Input::new(display.clone(), false, move || match text {
                Ok(text) => discover::parse_rendered(text.clone(), display.clone(), &opts),
                Err(message) => Some(crate::parse::unreadable(
                    display.clone(),
                    None,
                    message.clone(),
                )),
            })
            .must_be_linted()
            .with_size(text.as_ref().map_or(0, |t| t.len() as u64)),
        );
    }
    if let Some(settings) = &stdin_settings {
        let opts = settings.parse_options();
        let name = args.stdin_filename.as_deref();
        stdin_bytes = discover::read_stdin(io.stdin, opts.max_file_size);
        let bytes = &stdin_bytes;
        inputs.push(
            pipeline::Input::new(stdin_name.clone(), false, move || match bytes {
                Ok(bytes) => discover::parse_stdin(bytes.clone(), name, &opts),
                Err(problem) => Some(discover::stdin_problem(
                    problem.clone(),
                    name,
                    opts.max_file_size,
                )),
            })
            .must_be_linted()
            .with_size(bytes.as_ref().map_or(0, |b| b.len() as u64)),
        );
    }
    let context = pipeline::Context {
        parse: root.parse_options(),
        cwd: io.cwd.clone(),
    };
    let selection = resolver.selection(inputs.iter().map(|i| i.display.as_path()));
    // Nothing the run reads may be written over, and no file of the user's replaced unasked:
    // decided before the work, so a refused output costs nothing.
    if let Err(e) = check_outputs(args, &targets, &found.files, &resolver, &io.cwd) {
        let _ = writeln!(io.stderr, "stowlint: error: {e}");
        return EXIT_ERROR;
    }
    let linted = pipeline::lint(
        &inputs,
        &pipeline::Options {
            rules: rules::RULES,
            selection: &selection,
            run: engine::RunOptions {
                inline_ignores: !args.no_inline_ignores,
                require_reason: args.require_reason,
            },
            catalog: root.catalog(),
            context,
            keep_text: args.baseline.is_some()
                || args.write_baseline.is_some()
                || targets.iter().any(|t| {
                    matches!(
                        t.format,
                        OutputFormat::Human
                            | OutputFormat::Sarif
                            | OutputFormat::Gitlab
                            | OutputFormat::Rdjson
                    )
                }),
            relint_budget: pipeline::BYTE_BUDGET,
            findings_budget: output::store::MEMORY_BUDGET,
        },
    );
    drop(inputs);
    let project = &linted.project;
    // Never green on nothing: say what was not linted, and why.
    for path in &linted.not_linted {
        let why = if stdin_requested && *path == stdin_name {
            if let Some(name) = &args.stdin_filename
                && discover::kustomize_patch_of(name).is_some()
            {
                discover::why_not_linted(name, name)
            } else if args.stdin_filename.is_some() {
                "standard input holds neither a Dockerfile, a compose file nor a Kubernetes \
                 manifest"
                    .to_string()
            } else {
                "standard input holds neither a Dockerfile, a compose file nor a Kubernetes \
                 manifest (name it with `--stdin-filename`)"
                    .to_string()
            }
        } else {
            discover::why_not_linted(path, path)
        };
        let _ = writeln!(
            io.stderr,
            "stowlint: warning: {}: not linted: {why}",
            output::path_shown(path)
        );
    }
    warn_empty_folders(&paths, project, &io.cwd, io.stderr);
    if let Some(path) = &args.write_baseline {
        let written = baseline::render(&linted.report(), path, &cwd)
            .and_then(|found| {
                if linted.report().incomplete() {
                    Err("findings could not be read back from the temporary file".to_string())
                } else {
                    Ok(found)
                }
            })
            .and_then(|(text, n)| {
                write::atomically(&io.cwd.join(path), |w| w.write_all(text.as_bytes()))
                    .map(|()| n)
                    .map_err(|e| format!("{}: {e}", output::path_str(path)))
            });
        return match written {
            Ok(n) => {
                if !args.quiet {
                    let _ = writeln!(
                        io.stderr,
                        "stowlint: recorded {n} finding{} in {}",
                        if n == 1 { "" } else { "s" },
                        output::path_str(path)
                    );
                }
                if failed { EXIT_ERROR } else { EXIT_OK }
            }
            Err(e) => {
                let _ = writeln!(io.stderr, "stowlint: error: cannot write baseline: {e}");
                EXIT_ERROR
            }
        };
    }
    // A baseline drops what it records a file at a time, into the records the report reads.
    let mut filtered: Option<(output::Store, Vec<output::Entry>)> = None;
    if let Some(path) = &args.baseline {
        let mut filter = match baseline::Filter::load(path, &cwd) {
            Ok(filter) => filter,
            Err(e) => {
                let _ = writeln!(io.stderr, "stowlint: error: {e}");
                return EXIT_ERROR;
            }
        };
        let store = output::Store::new(output::store::MEMORY_BUDGET);
        let mut entries = Vec::with_capacity(linted.entries.len());
        for file in linted.report().files() {
            let text = file.source.as_deref().map(|s| s.text.as_str());
            let mut diagnostics = file.diagnostics.into_owned();
            filter.retain(file.path, text, &mut diagnostics);
            let text = text.filter(|_| !diagnostics.is_empty());
            let kept = store.keep(file.path, text, &diagnostics);
            entries.push(output::Entry::new(file.path.into(), kept, &diagnostics));
        }
        baseline::tell(&filter.applied(), path, io.stderr);
        filtered = Some((store, entries));
    }

    let failed_paths = found.errors.iter().filter(|e| e.fatal).count();
    let report = match &filtered {
        Some((store, entries)) => Report::stored(store, entries),
        None => linted.report(),
    }
    .with_failed_paths(failed_paths);
    let fails =
        |file: &std::path::Path, severity: engine::Severity| selection.fails(file, severity);
    let color = match args.color {
        Some(ColorWhen::Always) => true,
        Some(ColorWhen::Never) => false,
        Some(ColorWhen::Auto) | None => io.color,
    } && !args.no_color;
    let cx = outputs::Context {
        color,
        cwd: &io.cwd,
        paths_ok: !failed,
        fails: &fails,
        quiet: args.quiet,
    };
    let stdout_format = targets.iter().find(|t| t.file.is_none()).map(|t| t.format);
    if args.statistics {
        // Files get their reports; standard output gets the counts per rule.
        let files: Vec<outputs::Target> = targets
            .iter()
            .filter(|t| t.file.is_some())
            .cloned()
            .collect();
        if !outputs::write_all(&files, &report, &cx, io.stdout, io.stderr) {
            return EXIT_ERROR;
        }
        let text = match stdout_format {
            Some(OutputFormat::Json) => statistics::render_json(&report),
            Some(OutputFormat::Human) if !args.quiet => format!(
                "{}{}\n",
                statistics::render_text(&report),
                human::summary_line(&report.summary(), human::Options { color: cx.color })
            ),
            Some(_) => statistics::render_text(&report),
            None => String::new(),
        };
        let written = io
            .stdout
            .write_all(text.as_bytes())
            .and_then(|()| io.stdout.flush());
        if !outputs::stdout_written(written, io.stderr) {
            return EXIT_ERROR;
        }
    } else if !outputs::write_all(&targets, &report, &cx, io.stdout, io.stderr) {
        return EXIT_ERROR;
    }
    let human_unseen = targets
        .iter()
        .any(|t| t.format == OutputFormat::Human && (t.file.is_some() || !io.stdout_is_terminal));
    if !args.statistics
        && !args.quiet
        && io.stdout_is_terminal
        && stdout_format == Some(OutputFormat::Concise)
    {
        // As ruff: on a terminal the concise lines end with the count; a pipe gets the lines
        // only.
        let line = human::summary_line(&report.summary(), human::Options { color: cx.color });
        let _ = writeln!(io.stdout, "{line}");
    }
    if human_unseen && !args.quiet {
        // The report went to a pipe or a file: say how it went where the user looks.
        let line = human::summary_line(&report.summary(), human::Options { color: false });
        let _ = writeln!(io.stderr, "{line}");
    }

    if report.incomplete() || linted.report().incomplete() {
        // Never green on a report with holes.
        let _ = writeln!(
            io.stderr,
            "stowlint: error: findings could not be read back from the temporary file; the \
             report is incomplete"
        );
        return EXIT_ERROR;
    }
    let code = exit_code(failed, &report, &fails, args.exit_zero);
    if EXITING.load(std::sync::atomic::Ordering::Relaxed) {
        // The process ends next: the system takes the memory back at once, where freeing
        // every finding one by one takes a few percent of a large run.
        std::mem::forget((filtered, linted, selection));
    }
    code
}

/// `--render` (or `render = true`): folders with a kustomization are replaced by what
/// `kubectl kustomize` renders, shown as `<folder>/kustomization.yaml (rendered)`. The
/// kustomization and the files it names leave the run; a folder that cannot be rendered
/// safely (remote or out-of-tree inputs) is linted file by file, with a warning. Returns each
/// rendered stream (or why rendering failed, an SL001) by the name it is shown with.
fn render_kustomizations(
    found: &mut discover::Discovered,
    paths: &[PathBuf],
    resolver: &Resolver,
    cwd: &std::path::Path,
    stderr: &mut dyn Write,
) -> Vec<(PathBuf, Result<String, String>)> {
    let mut dirs: Vec<PathBuf> = found
        .files
        .iter()
        .filter(|c| {
            c.path
                .file_name()
                .is_some_and(|n| discover::KUSTOMIZATION_NAMES.iter().any(|k| n == *k))
        })
        .filter(|c| resolver.for_file(&c.path).render)
        .filter_map(|c| c.path.parent().map(std::path::Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    if dirs.is_empty() {
        return Vec::new();
    }
    let Some(renderer) = discover::kustomize::Renderer::find() else {
        let _ = writeln!(
            stderr,
            "stowlint: warning: --render: neither `kubectl` nor `kustomize` is on PATH; \
             kustomizations are linted file by file"
        );
        return Vec::new();
    };
    // The linted tree: the folders named on the command line (the working folder by default).
    let roots: Vec<PathBuf> = paths
        .iter()
        .filter_map(|p| std::fs::canonicalize(cwd.join(p)).ok())
        .map(|p| {
            if p.is_dir() {
                p
            } else {
                p.parent().map(std::path::Path::to_path_buf).unwrap_or(p)
            }
        })
        .collect();
    let mut out = Vec::new();
    for dir in dirs {
        let shown = discover::display_path(&dir, cwd);
        let Some(root) = std::fs::canonicalize(cwd.join(&dir))
            .ok()
            .and_then(|real| roots.iter().find(|r| real.starts_with(r)).cloned())
        else {
            continue;
        };
        let k = match discover::kustomize::inspect(&dir, &root, cwd) {
            Ok(k) => k,
            Err(why) => {
                let _ = writeln!(
                    stderr,
                    "stowlint: warning: {}: not rendered ({why}); its files are linted one by one",
                    output::path_shown(&shown)
                );
                continue;
            }
        };
        let kfile = crate::model::lexical(&cwd.join(&k.file));
        found.files.retain(|c| {
            let abs = crate::model::lexical(&cwd.join(&c.path));
            abs != kfile && !k.files.contains(&abs)
        });
        let mut display = discover::display_path(&k.file, cwd).into_os_string();
        display.push(" (rendered)");
        out.push((PathBuf::from(display), renderer.render(&dir)));
    }
    out
}

/// A folder named on the command line in which nothing was linted: a warning, and for a Helm
/// chart, how to lint it.
fn warn_empty_folders(
    paths: &[PathBuf],
    project: &crate::model::Project,
    cwd: &std::path::Path,
    stderr: &mut dyn Write,
) {
    for dir in paths.iter().filter(|p| p.is_dir() || cwd.join(p).is_dir()) {
        let shown = discover::display_path(dir, cwd);
        let under =
            |f: &std::path::Path| shown == std::path::Path::new(".") || f.starts_with(&shown);
        if project
            .files
            .iter()
            .any(|f| !f.context && under(&f.source.path))
        {
            continue;
        }
        let chart = cwd.join(dir).join("Chart.yaml").is_file();
        let why = if chart {
            format!(
                "a Helm chart: its templates are not YAML until rendered; lint them with \
                 `helm template {} | stowlint check -`",
                output::path_str(&shown)
            )
        } else {
            "no Dockerfile, compose file or Kubernetes manifest found".to_string()
        };
        let _ = writeln!(
            stderr,
            "stowlint: warning: {}: nothing was linted: {why}",
            output::path_shown(&shown)
        );
    }
}

/// Refuses outputs (`--output-file`, `--write-baseline`) that are files the run reads (linted
/// files, configurations, the baseline) or existing files that are not ours (without
/// `--force`).
fn check_outputs(
    args: &CheckArgs,
    targets: &[outputs::Target],
    files: &[discover::Candidate],
    resolver: &Resolver,
    cwd: &std::path::Path,
) -> Result<(), String> {
    let outputs: Vec<(&PathBuf, write::Kind)> = targets
        .iter()
        .filter_map(|t| t.file.as_ref().map(|f| (f, write::Kind::Report)))
        .chain(
            args.write_baseline
                .iter()
                .map(|f| (f, write::Kind::Baseline)),
        )
        .collect();
    if outputs.is_empty() {
        return Ok(());
    }
    let mut inputs = write::Inputs::default();
    for c in files {
        inputs.add(&cwd.join(&c.path), &c.display);
    }
    for config in resolver.loaded_files() {
        inputs.add(&config, &discover::display_path(&config, cwd));
    }
    for read in args.config.iter().chain(&args.baseline) {
        inputs.add(&cwd.join(read), read);
    }
    for (path, kind) in outputs {
        let shown = output::path_str(path);
        write::check_target(&cwd.join(path), &shown, kind, &inputs, args.force)?;
    }
    Ok(())
}

/// A broken path fails the run whatever was found; otherwise a finding the file's `fail-on`
/// counts (default: warning and above) does, unless `--exit-zero`.
fn exit_code(
    path_failed: bool,
    report: &Report,
    fails: &dyn Fn(&std::path::Path, engine::Severity) -> bool,
    exit_zero: bool,
) -> u8 {
    if path_failed {
        EXIT_ERROR
    } else if !exit_zero && report.any(fails) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Severity;
    use crate::model::Span;

    fn fails_by_default(_: &std::path::Path, severity: Severity) -> bool {
        FailOn::default().fails(severity)
    }

    fn finding(severity: Severity) -> engine::Diagnostic {
        engine::Diagnostic {
            code: engine::Code::WritableBindMount,
            severity,
            message: "m".into(),
            help: None,
            file: "compose.yaml".into(),
            span: Span::default(),
            location: crate::model::Location::default(),
            related: Vec::new(),
            subject: None,
        }
    }

    #[test]
    fn exit_codes() {
        let project = crate::model::Project::default();
        let exit =
            |failed,
             d: &[engine::Diagnostic],
             fails: &dyn Fn(&std::path::Path, Severity) -> bool,
             zero| { exit_code(failed, &Report::new(d, &project), fails, zero) };
        let code = |failed, d: &[engine::Diagnostic]| exit(failed, d, &fails_by_default, false);
        assert_eq!(code(false, &[]), EXIT_OK);
        assert_eq!(code(false, &[finding(Severity::Info)]), EXIT_OK);
        assert_eq!(code(false, &[finding(Severity::Warning)]), EXIT_FINDINGS);
        assert_eq!(code(false, &[finding(Severity::Error)]), EXIT_FINDINGS);
        assert_eq!(code(true, &[finding(Severity::Info)]), EXIT_ERROR);
        let never = |_: &std::path::Path, _: Severity| false;
        assert_eq!(
            exit(false, &[finding(Severity::Error)], &never, false),
            EXIT_OK
        );
        let zero = exit(false, &[finding(Severity::Error)], &fails_by_default, true);
        assert_eq!(zero, EXIT_OK);
        assert_eq!(exit(true, &[], &fails_by_default, true), EXIT_ERROR);
    }

    #[test]
    fn run_in_process() {
        let mut stdin: &[u8] = b"a: [1\nb: 2\n";
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let code = run(
            [
                "stowlint",
                "check",
                "--format",
                "concise",
                "--stdin-filename",
                "x.yaml",
                "-",
            ],
            Io {
                stdin: &mut stdin,
                stdout: &mut stdout,
                stderr: &mut stderr,
                color: false,
                stdout_is_terminal: false,
                cwd: PathBuf::from("/nonexistent"),
            },
        );
        // Neither compose nor Kubernetes, but named: the broken YAML is reported.
        assert_eq!(code, EXIT_FINDINGS);
        assert_eq!(
            String::from_utf8_lossy(&stdout),
            "x.yaml:2:2: SL001 error: YAML syntax error: illegal placement of ':' indicator\n"
        );
        assert!(stderr.is_empty());
    }
}

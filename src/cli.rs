//! The command line: `check`, `rules`, `explain`.
//!
//! Exit codes: 0 no finding at warning or above, 1 some finding at warning or above (info
//! never fails a run), 2 usage errors and missing or unreadable paths.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::engine::{self, Severity};
use crate::model::Project;
use crate::output::{self, Report, catalog, human};
use crate::parse::{ComposeMode, ParseOptions};
use crate::rules;
use crate::{baseline, discover};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

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

Exit status: 0 no finding at warning or above, 1 findings at warning or above,
2 usage errors or missing/unreadable paths.";

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
    Check(CheckArgs),
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
    /// Run the language server (LSP over standard input and output) for editors
    Server {
        /// Accepted for editors that pass it; standard input and output is the only transport
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Debug, Args)]
#[command(
    after_help = "Folders are walked honouring .gitignore, .ignore and .git/info/exclude; \
                        .git, node_modules, target and vendor are always skipped. Files named \
                        on the command line are always linted."
)]
struct CheckArgs {
    /// Files or folders to lint; `-` reads standard input
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// Skip files and folders matching GLOB (relative to the walked folder, or a file name),
    /// e.g. `fixtures/**` or `*.bak.yaml`; repeatable
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// How compose files are read: `auto` decides swarm per service from swarm-only keys
    #[arg(long, value_enum, default_value_t = ComposeMode::Auto)]
    compose_mode: ComposeMode,
    /// Never use colors (also: the `NO_COLOR` environment variable)
    #[arg(long)]
    no_color: bool,
    /// The file name standard input stands for (`Dockerfile`, `compose.yaml`): decides how it
    /// is read and how it is shown
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
    /// Record today's findings in FILE (by fingerprint) and exit 0: adopt stowlint in a
    /// repository that already has findings
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
    /// Report only findings not recorded in FILE (written by `--write-baseline`)
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Ignore suppression comments and `stowlint.io/ignore` annotations (audits)
    #[arg(long)]
    no_inline_ignores: bool,
    /// A suppression comment without `-- reason` is reported (SL002)
    #[arg(long)]
    require_reason: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// Rustc-style report with source snippets
    Human,
    /// One line per finding: `path:line:col: CODE severity: message`
    Concise,
    /// The versioned JSON contract
    Json,
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
    /// stdout is a terminal and `NO_COLOR` is unset: colors are welcome unless `--no-color`.
    pub color: bool,
    /// Where relative paths are shown from.
    pub cwd: PathBuf,
}

/// The binary's entry point.
#[must_use]
pub fn main() -> ExitCode {
    // Not locked for the whole run: the language server reads stdin and logs to stderr from
    // threads of its own.
    let mut stdin = io::stdin();
    let mut stdout = io::stdout();
    let mut stderr = io::stderr();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let code = run(
        std::env::args_os(),
        Io {
            stdin: &mut stdin,
            stdout: &mut stdout,
            stderr: &mut stderr,
            color,
            cwd,
        },
    );
    ExitCode::from(code)
}

/// Parse `args` (program name first) and run; returns the exit code.
pub fn run<I, T>(args: I, mut io: Io<'_>) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
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
        Command::Check(args) => check(&args, &mut io),
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
    }
}

fn check(args: &CheckArgs, io: &mut Io<'_>) -> u8 {
    let excludes = match discover::excludes(&args.exclude) {
        Ok(set) => set,
        Err(e) => {
            let _ = writeln!(io.stderr, "stowlint: error: invalid --exclude glob: {e}");
            return EXIT_ERROR;
        }
    };
    let opts = ParseOptions {
        compose_mode: args.compose_mode,
    };
    let stdin_requested = args.paths.iter().any(|p| p.as_os_str() == "-");
    let paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();

    let found = discover::discover(&paths, &excludes, &io.cwd);
    let mut failed = false;
    for e in &found.errors {
        let level = if e.fatal { "error" } else { "warning" };
        failed |= e.fatal;
        let _ = writeln!(
            io.stderr,
            "stowlint: {level}: {}: {}",
            output::path_str(&e.path),
            e.message
        );
    }

    let mut files = discover::load_all(&found.files, &opts);
    if stdin_requested
        && let Some(model) = discover::load_stdin(io.stdin, args.stdin_filename.as_deref(), &opts)
    {
        files.push(model);
    }
    discover::add_build_context(&mut files, &opts, &io.cwd);
    let explicit: std::collections::HashSet<PathBuf> = found
        .files
        .iter()
        .filter(|c| c.explicit)
        .map(|c| c.display.clone())
        .collect();
    discover::add_claim_context(&mut files, &explicit, &opts, &io.cwd);
    files.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    let project = Project::new(files);
    let mut diagnostics = engine::run_with(
        &project,
        rules::RULES,
        engine::RunOptions {
            inline_ignores: !args.no_inline_ignores,
            require_reason: args.require_reason,
        },
    );
    if let Some(path) = &args.write_baseline {
        return match baseline::write(path, &project, &diagnostics) {
            Ok(n) => {
                let _ = writeln!(
                    io.stderr,
                    "stowlint: recorded {n} finding{} in {}",
                    if n == 1 { "" } else { "s" },
                    output::path_str(path)
                );
                if failed { EXIT_ERROR } else { EXIT_OK }
            }
            Err(e) => {
                let _ = writeln!(io.stderr, "stowlint: error: cannot write baseline: {e}");
                EXIT_ERROR
            }
        };
    }
    if let Some(path) = &args.baseline
        && let Err(e) = baseline::apply(path, &project, &mut diagnostics)
    {
        let _ = writeln!(io.stderr, "stowlint: error: {e}");
        return EXIT_ERROR;
    }

    let report = Report::new(&diagnostics, &project);
    let text = match args.format {
        OutputFormat::Human => human::render(
            &report,
            human::Options {
                color: io.color && !args.no_color,
            },
        ),
        OutputFormat::Concise => output::concise::render(&report),
        OutputFormat::Json => output::json::render(&report),
    };
    let _ = io.stdout.write_all(text.as_bytes());
    let _ = io.stdout.flush();

    exit_code(failed, &diagnostics)
}

/// A broken path fails the run whatever was found; info never does.
fn exit_code(path_failed: bool, diagnostics: &[engine::Diagnostic]) -> u8 {
    if path_failed {
        EXIT_ERROR
    } else if diagnostics.iter().any(|d| d.severity >= Severity::Warning) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Span;

    fn finding(severity: Severity) -> engine::Diagnostic {
        engine::Diagnostic {
            code: "SL103",
            name: "writable-bind-mount",
            severity,
            message: "m".into(),
            help: None,
            file: "compose.yaml".into(),
            span: Span::default(),
            related: Vec::new(),
            subject: None,
        }
    }

    #[test]
    fn exit_codes() {
        assert_eq!(exit_code(false, &[]), EXIT_OK);
        assert_eq!(exit_code(false, &[finding(Severity::Info)]), EXIT_OK);
        assert_eq!(
            exit_code(false, &[finding(Severity::Warning)]),
            EXIT_FINDINGS
        );
        assert_eq!(exit_code(false, &[finding(Severity::Error)]), EXIT_FINDINGS);
        assert_eq!(exit_code(true, &[finding(Severity::Info)]), EXIT_ERROR);
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

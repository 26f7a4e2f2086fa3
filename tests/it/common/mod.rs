//! Shared test helpers: lint files through the whole pipeline, render findings as the
//! snapshot shows them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use stowlint::engine::{self, Diagnostic};
use stowlint::model::{FileModel, Project, SourceFile};
use stowlint::parse;

/// The crate root, where fixture paths are relative to.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Path as shown: relative to the crate root, `/` separators.
pub fn shown(path: &Path) -> PathBuf {
    path.strip_prefix(root()).unwrap_or(path).to_path_buf()
}

/// Lint these files as one run.
pub fn lint(paths: &[PathBuf]) -> (Project, Vec<Diagnostic>) {
    let opts = stowlint::discover::parse_options();
    let files: Vec<FileModel> = paths
        .iter()
        .filter_map(|p| {
            let bytes = std::fs::read(p).expect("fixture readable");
            let shown = shown(p);
            match String::from_utf8(bytes) {
                Ok(text) => parse::parse_file(SourceFile::new(shown, text), &opts, true),
                Err(e) => Some(parse::unreadable(
                    shown,
                    Some(e.as_bytes()),
                    "invalid UTF-8".into(),
                )),
            }
        })
        .collect();
    let project = Project::new(files);
    let diagnostics = engine::run(&project, stowlint::rules::RULES);
    (project, diagnostics)
}

/// Findings exactly as a user reads them: the human report, without colors.
pub fn render(project: &Project, diagnostics: &[Diagnostic]) -> String {
    let report = stowlint::output::Report::new(diagnostics, project);
    stowlint::output::human::render(&report, stowlint::output::human::Options { color: false })
}

/// `# expect: SL101, SL103` markers at the end of a line (`// expect:` in JSON with comments):
/// (line, code). In Dockerfiles and Quadlet units, where comments take whole lines,
/// `# expect-next: SL204` marks the next line.
pub fn expectations(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some((_, rest)) = line.split_once("# expect-next:") {
            for code in rest.split(',') {
                let code = code.trim();
                if !code.is_empty() {
                    out.push((i + 2, code.to_string()));
                }
            }
        } else if let Some((_, rest)) = line
            .split_once("# expect:")
            .or_else(|| line.split_once("// expect:"))
        {
            for code in rest.split(',') {
                let code = code.trim();
                if !code.is_empty() {
                    out.push((i + 1, code.to_string()));
                }
            }
        }
    }
    out
}

/// Run the built `stowlint` in `dir`, colors off, with `stdin` (none: closed).
pub fn run(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> std::process::Output {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_stowlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(bytes).expect("stdin takes the input");
    }
    child.wait_with_output().expect("the binary finishes")
}

/// [`run`] without input: exit code, stdout and stderr.
pub fn run_text(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = run(dir, args, None);
    (code(&out), stdout(&out), stderr(&out))
}

pub fn code(out: &std::process::Output) -> i32 {
    out.status.code().expect("exited normally")
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A temporary folder holding `files` (relative path, text).
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, text).expect("a file");
    }
    dir
}

/// An empty folder under the target's temporary folder, named for a test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("scratch-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// `stowlint check` over `paths` (relative to `cwd`), as the command line runs it: the
/// streaming run, context files read from disk.
pub fn check_in(cwd: &Path, paths: &[&str]) -> stowlint::pipeline::Linted {
    let paths: Vec<PathBuf> = paths.iter().map(|p| cwd.join(p)).collect();
    let found = stowlint::discover::discover(
        &paths,
        &stowlint::discover::excludes(&[]).expect("no globs"),
        cwd,
    );
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let opts = stowlint::discover::parse_options();
    let inputs: Vec<stowlint::pipeline::Input> = found
        .files
        .iter()
        .map(|c| {
            let opts = opts.clone();
            stowlint::pipeline::Input::new(c.display.clone(), c.explicit, move || {
                stowlint::discover::load(c, &opts)
            })
        })
        .collect();
    stowlint::pipeline::lint(&inputs, &stowlint::pipeline::Options::every_rule(cwd))
}

/// (file name, line, code) of every finding.
pub fn found(linted: &stowlint::pipeline::Linted) -> Vec<(String, usize, String)> {
    let mut out: Vec<(String, usize, String)> = linted
        .diagnostics()
        .iter()
        .map(|d| {
            (
                d.file.to_string_lossy().replace('\\', "/"),
                d.location.start.line,
                d.code.to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The `# expect:` markers of every YAML file under `dir` (shown relative to the crate root).
pub fn marked(dir: &Path) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("fixture folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("fixture");
            let shown = crate::common::shown(&path)
                .to_string_lossy()
                .replace('\\', "/");
            for (line, code) in crate::common::expectations(&text) {
                out.push((shown.clone(), line, code));
            }
        }
    }
    out.sort();
    out
}

//! pre-commit, for real: a throwaway repository with a bad compose file and a
//! `.pre-commit-config.yaml` pointing at a commit of this tree. Skipped, with a notice, when
//! pre-commit is not installed (`.ci/run` installs it into `.ci/venv`).
//!
//! The `stowlint-system` hook runs the binary built for the tests (put on PATH). The
//! `language: rust` hook builds the crate with `cargo install` (minutes on 2 cores): it runs
//! only with `STOWLINT_TEST_RUST_HOOK=1`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pre_commit() -> Option<PathBuf> {
    let venv = root().join(".ci/venv/bin/pre-commit");
    if venv.is_file() {
        return Some(venv);
    }
    Command::new("pre-commit")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| PathBuf::from("pre-commit"))
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=stowlint tests",
            "-c",
            "user.email=tests@example.invalid",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A repository holding a commit of this tree as it is now (tracked and untracked files,
/// ignored ones left out): what `repo:` + `rev:` point at. Returns the commit.
fn snapshot_of_this_tree(dest: &Path) -> String {
    let files = git(&root(), &["ls-files", "-co", "--exclude-standard", "-z"]);
    for rel in files.split('\0').filter(|f| !f.is_empty()) {
        let from = root().join(rel);
        if !from.is_file() {
            continue; // deleted but still tracked
        }
        let to = dest.join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&from, &to).expect("copy");
    }
    git(dest, &["init", "-q"]);
    git(dest, &["add", "-A"]);
    git(
        dest,
        &["commit", "-q", "-m", "snapshot for the pre-commit test"],
    );
    git(dest, &["rev-parse", "HEAD"])
}

const BAD: &str = "services:\n  ci:\n    image: gitlab/gitlab-runner:v17.5.0\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n";
const GOOD: &str = "services:\n  ci:\n    image: gitlab/gitlab-runner:v17.5.0\n    volumes:\n      - runner-config:/etc/gitlab-runner\nvolumes:\n  runner-config:\n";

fn run_hook(pre_commit: &Path, project: &Path, home: &Path, path_dirs: &[PathBuf]) -> Output {
    let mut path = path_dirs.to_vec();
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let mut cmd = Command::new(pre_commit);
    // `cargo test` holds the lock of its target folder while tests run: the `language: rust`
    // hook's `cargo install` must build elsewhere. `.ci/run` points it at the folder where
    // maturin built the release binary, so only stowlint itself is compiled again.
    cmd.env_remove("CARGO_TARGET_DIR");
    if let Some(dir) = std::env::var_os("STOWLINT_HOOK_TARGET_DIR") {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    cmd.args(["run", "--all-files", "--color", "never"])
        .current_dir(project)
        .env("PATH", std::env::join_paths(path).expect("PATH"))
        .env("PRE_COMMIT_HOME", home)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .output()
        .expect("run pre-commit")
}

fn check_hook(hook: &str, path_dirs: &[PathBuf]) {
    let Some(pre_commit) = pre_commit() else {
        assert!(
            std::env::var_os("STOWLINT_REQUIRE_CLIENTS").is_none(),
            "pre-commit is not installed and STOWLINT_REQUIRE_CLIENTS is set"
        );
        eprintln!("SKIPPED pre-commit hook `{hook}`: pre-commit is not installed");
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let hooks = tmp.path().join("hooks");
    let project = tmp.path().join("project");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    std::fs::create_dir_all(project.join("deploy")).expect("mkdir");
    let rev = snapshot_of_this_tree(&hooks);

    git(&project, &["init", "-q"]);
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: {hook}\n",
            hooks.display()
        ),
    )
    .expect("write config");
    std::fs::write(project.join("deploy/compose.yaml"), BAD).expect("write");
    std::fs::write(project.join("README.md"), "not linted\n").expect("write");
    // Excluded by the configuration: the hook names it, `--force-exclude` keeps it out.
    std::fs::create_dir_all(project.join("fixtures")).expect("mkdir");
    std::fs::write(project.join("fixtures/compose.yaml"), BAD).expect("write");
    std::fs::write(
        project.join("stowlint.toml"),
        "exclude = [\"fixtures/**\"]\n",
    )
    .expect("write");
    git(&project, &["add", "-A"]);

    let out = run_hook(&pre_commit, &project, &home, path_dirs);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the bad file must fail the hook:\n{text}"
    );
    assert!(text.contains("SL102"), "{text}");
    assert!(text.contains("deploy/compose.yaml"), "{text}");
    assert!(!text.contains("fixtures/compose.yaml"), "{text}");

    std::fs::write(project.join("deploy/compose.yaml"), GOOD).expect("write");
    git(&project, &["add", "-A"]);
    let out = run_hook(&pre_commit, &project, &home, path_dirs);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the fixed file must pass:\n{text}");
    assert!(text.contains("Passed"), "{text}");
}

#[test]
fn system_hook_fails_on_sl102_and_passes_once_fixed() {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_stowlint"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    check_hook("stowlint-system", &[bin_dir]);
}

#[test]
fn rust_hook_builds_and_runs() {
    if std::env::var_os("STOWLINT_TEST_RUST_HOOK").is_none() {
        eprintln!(
            "SKIPPED the `language: rust` hook (cargo install takes minutes): set \
             STOWLINT_TEST_RUST_HOOK=1 to run it"
        );
        return;
    }
    check_hook("stowlint", &[]);
}

/// The Python wheel (`STOWLINT_TEST_WHEEL`, built by `.ci/run` with maturin) under the real
/// pre-commit, `language: python`, with no Rust toolchain on PATH: what `pip install stowlint`
/// gives pre-commit users. The hook is the `stowlint-python` entry of `.pre-commit-hooks.yaml`,
/// as a local hook whose dependency is the wheel (a hook repository would build the wheel from
/// source; from PyPI it comes built).
#[test]
fn python_hook_runs_the_wheel_without_rust() {
    let Some(wheel) = std::env::var_os("STOWLINT_TEST_WHEEL").map(PathBuf::from) else {
        eprintln!("SKIPPED the `language: python` hook: set STOWLINT_TEST_WHEEL to a built wheel");
        return;
    };
    let Some(pre_commit) = pre_commit() else {
        panic!("STOWLINT_TEST_WHEEL is set but pre-commit is not installed");
    };
    // pre-commit installs it from the hook's own folder: the path must be absolute.
    let wheel = std::fs::canonicalize(&wheel).expect("the wheel exists");
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).expect("hooks");
    let entry = hooks
        .split("\n- id: ")
        .find(|h| h.starts_with("stowlint-python\n"))
        .expect("a stowlint-python hook");
    assert!(entry.contains("language: python"), "{entry}");
    assert!(entry.contains("entry: stowlint check"), "{entry}");
    let files = entry
        .lines()
        .find_map(|l| l.trim().strip_prefix("files: "))
        .expect("files");

    let tmp = tempfile::tempdir().expect("tempdir");
    let project = tmp.path().join("project");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(project.join("deploy")).expect("mkdir");
    git(&project, &["init", "-q"]);
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: local\n    hooks:\n      - id: stowlint-python\n        \
             name: stowlint\n        entry: stowlint check\n        language: python\n        \
             files: '{files}'\n        require_serial: true\n        \
             additional_dependencies: ['{}']\n",
            wheel.display()
        ),
    )
    .expect("write config");
    std::fs::write(project.join("deploy/compose.yaml"), BAD).expect("write");
    git(&project, &["add", "-A"]);

    // No cargo, no rustc: pre-commit's own folder (its Python), the system folders and git.
    let mut path = Vec::new();
    path.extend(
        pre_commit
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf),
    );
    path.extend(["/usr/local/bin", "/usr/bin", "/bin"].map(PathBuf::from));
    let path = std::env::join_paths(path).expect("PATH");
    let run = |project: &Path| {
        Command::new(&pre_commit)
            .args(["run", "--all-files", "--color", "never"])
            .current_dir(project)
            .env("PATH", &path)
            .env_remove("CARGO_HOME")
            .env_remove("RUSTUP_HOME")
            .env("PRE_COMMIT_HOME", &home)
            .output()
            .expect("run pre-commit")
    };
    let text = |out: &Output| {
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
    };
    let out = run(&project);
    assert!(!out.status.success(), "the bad file fails:\n{}", text(&out));
    assert!(text(&out).contains("SL102"), "{}", text(&out));
    std::fs::write(project.join("deploy/compose.yaml"), GOOD).expect("write");
    git(&project, &["add", "-A"]);
    let out = run(&project);
    assert!(
        out.status.success(),
        "the fixed file passes:\n{}",
        text(&out)
    );
}

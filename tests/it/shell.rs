//! The command line around `check`: shell completions and the man page generated from the
//! clap definition, `--quiet`, `--color` with `NO_COLOR` / `FORCE_COLOR` / `CLICOLOR_FORCE`,
//! and the concise format's summary line on a terminal. Through the real binary, and in
//! process where a terminal is needed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common::{code, run_text, stderr, stdout, tree};

const SOCKET: &str = "services:\n  ci:\n    image: jenkins/jenkins:lts\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n      - jenkins:/var/jenkins_home\nvolumes:\n  jenkins:\n";

#[test]
fn completions_for_every_shell() {
    let dir = tree(&[]);
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (status, out, err) = run_text(dir.path(), &["completions", shell]);
        assert_eq!(status, 0, "{shell}: {err}");
        assert!(err.is_empty(), "{shell}: {err}");
        assert!(out.contains("stowlint"), "{shell}");
        for word in ["check", "explain", "--format"] {
            assert!(out.contains(word), "{shell} completes `{word}`");
        }
        if ["bash", "zsh", "fish"].contains(&shell) {
            assert!(
                out.contains("checkstyle") && out.contains("rdjson"),
                "{shell}"
            );
        }
    }
    let (status, _, err) = run_text(dir.path(), &["completions", "tcsh"]);
    assert_eq!(status, 2, "an unknown shell is a usage error");
    assert!(err.contains("tcsh"), "{err}");
}

#[test]
fn man_page_from_the_help() {
    let dir = tree(&[]);
    let (status, out, err) = run_text(dir.path(), &["man"]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains(".TH stowlint 1"), "{out}");
    assert!(out.contains(".SH NAME"), "{out}");
    for sub in ["check", "rules", "explain", "completions", "server"] {
        assert!(out.contains(sub), "the page lists `{sub}`");
    }
}

/// A finding, and a walk that warns (a broken link): `--quiet` keeps the finding only.
#[test]
fn quiet_prints_findings_only() {
    let dir = tree(&[("compose.yaml", SOCKET)]);
    std::os::unix::fs::symlink("missing.yaml", dir.path().join("broken.yaml")).expect("link");
    let (status, out, err) = run_text(dir.path(), &["check"]);
    assert_eq!(status, 1);
    assert!(out.contains("Found "), "{out}");
    assert!(err.contains("warning"), "the broken link warns: {err}");

    let (status, out, err) = run_text(dir.path(), &["check", "--quiet"]);
    assert_eq!(status, 1);
    assert!(out.contains("error[SL102]"), "{out}");
    assert!(!out.contains("Found "), "{out}");
    assert!(err.is_empty(), "{err}");

    let (status, out, err) = run_text(dir.path(), &["check", "-q", "--format", "concise"]);
    assert_eq!(status, 1);
    assert!(out.lines().all(|l| l.starts_with("compose.yaml:")), "{out}");
    assert!(err.is_empty(), "{err}");

    let (status, out, err) = run_text(dir.path(), &["check", "-q", "--statistics"]);
    assert_eq!(status, 1);
    assert!(!out.contains("Found ") && out.contains("SL102"), "{out}");
    assert!(err.is_empty(), "{err}");

    // Errors are still said.
    let (status, _, err) = run_text(dir.path(), &["check", "-q", "nowhere.yaml"]);
    assert_eq!(status, 2);
    assert!(
        err.contains("error") && err.contains("nowhere.yaml"),
        "{err}"
    );
}

/// The binary with exactly these color variables (the helpers set `NO_COLOR`).
fn with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stowlint"));
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the binary runs")
}

fn colored(out: &Output) -> bool {
    stdout(out).contains('\u{1b}')
}

#[test]
fn color_choice_and_environment() {
    let dir = tree(&[("compose.yaml", SOCKET)]);
    let d = dir.path();
    // stdout is a pipe: no colors unless asked.
    assert!(!colored(&with_env(d, &["check"], &[])));
    assert!(colored(&with_env(d, &["check", "--color", "always"], &[])));
    assert!(colored(&with_env(
        d,
        &["check", "--color=always"],
        &[("NO_COLOR", "1")]
    )));
    assert!(!colored(&with_env(
        d,
        &["check", "--color", "never"],
        &[("FORCE_COLOR", "1")]
    )));
    assert!(!colored(&with_env(
        d,
        &["check", "--no-color"],
        &[("FORCE_COLOR", "1")]
    )));
    assert!(!colored(&with_env(
        d,
        &["check", "--no-color", "--color", "always"],
        &[]
    )));
    assert!(colored(&with_env(d, &["check"], &[("FORCE_COLOR", "1")])));
    assert!(colored(&with_env(
        d,
        &["check", "--color", "auto"],
        &[("CLICOLOR_FORCE", "1")]
    )));
    assert!(!colored(&with_env(d, &["check"], &[("FORCE_COLOR", "0")])));
    assert!(!colored(&with_env(
        d,
        &["check"],
        &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")]
    )));
    // An empty NO_COLOR is unset.
    assert!(colored(&with_env(
        d,
        &["check"],
        &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")]
    )));
    // Machine formats never carry colors.
    let json = with_env(d, &["check", "--format", "json", "--color", "always"], &[]);
    assert!(!colored(&json));
    assert_eq!(code(&json), 1, "{}", stderr(&json));
    let bad = with_env(d, &["check", "--color", "sometimes"], &[]);
    assert_eq!(code(&bad), 2);
}

/// In process, where stdout can claim to be a terminal.
fn in_process(dir: &Path, args: &[&str], terminal: bool) -> (u8, String, String) {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let mut stdin: &[u8] = b"";
    let mut argv = vec!["stowlint"];
    argv.extend_from_slice(args);
    let code = stowlint::cli::run(
        argv,
        stowlint::cli::Io {
            stdin: &mut stdin,
            stdout: &mut stdout,
            stderr: &mut stderr,
            color: false,
            stdout_is_terminal: terminal,
            cwd: PathBuf::from(dir),
        },
    );
    (
        code,
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

#[test]
fn concise_ends_with_the_summary_on_a_terminal_only() {
    let dir = tree(&[("compose.yaml", SOCKET)]);
    let path = dir.path().join("compose.yaml");
    let path = path.to_str().expect("a UTF-8 path");
    let (status, out, err) = in_process(dir.path(), &["check", "--format", "concise", path], true);
    assert_eq!(status, 1, "{err}");
    let last = out.lines().last().expect("lines");
    assert!(last.starts_with("Found 1 error"), "{out}");
    assert!(err.is_empty(), "{err}");

    let (_, piped, _) = in_process(dir.path(), &["check", "--format", "concise", path], false);
    assert!(
        piped.lines().all(|l| l.contains("compose.yaml:")),
        "{piped}"
    );
    assert_eq!(out.lines().count(), piped.lines().count() + 1);

    let (_, quiet, _) = in_process(
        dir.path(),
        &["check", "--format", "concise", "-q", path],
        true,
    );
    assert_eq!(quiet, piped);
}

/// The new formats through the real binary: exit code, shape, and rdjson's byte columns
/// (the CLI keeps the text for them).
#[test]
fn checkstyle_and_rdjson_from_the_binary() {
    let multibyte =
        "services:\n  \"ü\": {image: nginx:1.27, volumes: [\"/var/run/docker.sock:/s\"]}\n";
    let dir = tree(&[("compose.yaml", SOCKET), ("b/compose.yaml", multibyte)]);
    let (status, xml, err) = run_text(dir.path(), &["check", "--format", "checkstyle"]);
    assert_eq!(status, 1, "{err}");
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle"),
        "{xml}"
    );
    assert!(xml.contains("<file name=\"compose.yaml\">"), "{xml}");
    assert!(xml.contains("source=\"stowlint.SL102\""), "{xml}");

    let (status, json, err) = run_text(dir.path(), &["check", "--format", "rdjson"]);
    assert_eq!(status, 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let found = doc["diagnostics"].as_array().expect("diagnostics");
    let sl102 = found
        .iter()
        .find(|d| d["location"]["path"] == "b/compose.yaml" && d["code"]["value"] == "SL102")
        .expect("SL102 in b/compose.yaml");
    // `ü` takes two bytes and one character: the byte column is one more than the JSON
    // format's character column.
    let (_, ours, _) = run_text(dir.path(), &["check", "--format", "json"]);
    let ours: serde_json::Value = serde_json::from_str(&ours).expect("JSON");
    let ours = ours["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["file"] == "b/compose.yaml" && d["code"] == "SL102")
        .expect("SL102 in the JSON report")
        .clone();
    assert_eq!(sl102["location"]["range"]["start"]["line"], 2);
    let column = ours["span"]["start"]["column"].as_u64().expect("a column");
    assert_eq!(
        sl102["location"]["range"]["start"]["column"].as_u64(),
        Some(column + 1),
        "{sl102}"
    );
    assert_eq!(sl102["severity"], "ERROR");
}

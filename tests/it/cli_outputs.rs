//! The real binary with several `--format`s and `--output-file`s: which text goes where, and
//! the usage errors.

use crate::common::{code, stderr, stdout};

use std::fs;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

const SOCKET: &str = "\
services:
  ci:
    image: jenkins/jenkins:lts
    volumes:
      - jenkins:/var/jenkins_home
      - /var/run/docker.sock:/var/run/docker.sock
volumes:
  jenkins: {}
";

fn stowlint(dir: &Path, args: &[&str]) -> Output {
    crate::common::run(dir, args, None)
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    fs::write(dir.path().join("compose.yaml"), SOCKET).expect("a file");
    dir
}

#[test]
fn human_to_stdout_and_sarif_to_a_file() {
    let dir = project();
    let out = stowlint(
        dir.path(),
        &[
            "check",
            "--format",
            "human",
            "--format",
            "sarif",
            "--output-file",
            "stowlint.sarif",
            ".",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // Only the closing summary, repeated because stdout is not a terminal here.
    assert!(stderr(&out).starts_with("Found "), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    let human = stdout(&out);
    assert!(human.contains("SL102"), "{human}");
    assert!(
        !human.contains("\"version\""),
        "only the human report on stdout"
    );
    let sarif: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("stowlint.sarif")).unwrap())
            .expect("the file is SARIF JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "SL102");
}

#[test]
fn every_format_to_its_own_file_and_nothing_to_stdout() {
    let dir = project();
    let out = stowlint(
        dir.path(),
        &[
            "check",
            "--format",
            "gitlab",
            "--output-file",
            "gl-code-quality.json",
            "--format",
            "junit",
            "--output-file",
            "reports/junit.xml",
            "--format",
            "github",
            "--output-file",
            "annotations.txt",
        ],
    );
    // `reports/` does not exist: the file cannot be written, which is an error (2), after
    // the other files were written.
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("cannot write `reports/junit.xml`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    let gitlab: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("gl-code-quality.json")).unwrap())
            .unwrap();
    assert_eq!(gitlab[0]["check_name"], "SL102");
    let github = fs::read_to_string(dir.path().join("annotations.txt")).unwrap();
    assert!(
        github.starts_with("::error file=compose.yaml,line=6,"),
        "{github}"
    );

    fs::create_dir(dir.path().join("reports")).unwrap();
    let out = stowlint(
        dir.path(),
        &[
            "check",
            "--format",
            "junit",
            "--output-file",
            "reports/junit.xml",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let junit = fs::read_to_string(dir.path().join("reports/junit.xml")).unwrap();
    assert!(junit.contains("<testcase name=\"compose.yaml\""), "{junit}");
}

#[test]
fn a_single_format_and_file_pair_in_any_order() {
    let dir = project();
    let out = stowlint(
        dir.path(),
        &["check", "--output-file", "report.json", "--format", "json"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let report: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["version"], 1);

    // No --format: the human report goes to the file, without colors.
    let out = stowlint(dir.path(), &["check", "--output-file", "report.txt"]);
    assert_eq!(code(&out), 1);
    let text = fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(text.contains("SL102") && !text.contains('\u{1b}'), "{text}");
}

#[test]
fn usage_errors_exit_2_before_linting() {
    let dir = project();
    for (args, says) in [
        (
            &["check", "--format", "human", "--format", "json"][..],
            "would write to standard output",
        ),
        (
            &[
                "check",
                "--output-file",
                "a",
                "--format",
                "human",
                "--format",
                "json",
            ][..],
            "comes before any `--format`",
        ),
        (
            &[
                "check",
                "--format",
                "json",
                "--output-file",
                "a",
                "--output-file",
                "b",
                "--format",
                "human",
            ][..],
            "two output files",
        ),
        (
            &[
                "check",
                "--format",
                "json",
                "--output-file",
                "a",
                "--format",
                "sarif",
                "--output-file",
                "a",
            ][..],
            "two formats would write to `a`",
        ),
    ] {
        let out = stowlint(dir.path(), args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{args:?}");
    }
    assert!(
        !dir.path().join("a").exists(),
        "nothing written on a usage error"
    );
    let out = stowlint(dir.path(), &["check", "--format", "xml"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn help_documents_the_pairing_rule() {
    let dir = project();
    let out = stowlint(dir.path(), &["check", "--help"]);
    assert_eq!(code(&out), 0);
    let help = stdout(&out);
    for needle in [
        "sarif",
        "github",
        "gitlab",
        "junit",
        "--output-file",
        "right before it",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
}

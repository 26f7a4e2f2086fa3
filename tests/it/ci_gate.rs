//! The CI gate through the real binary: baselines and suppression options.

use crate::common::{run_text as stowlint, scratch};

const COMPOSE: &str = "\
services:
  proxy:
    image: traefik:v3.1
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
";

#[test]
fn a_baseline_hides_todays_findings_after_lines_move_but_not_new_ones() {
    let dir = scratch("baseline");
    std::fs::write(dir.join("compose.yaml"), COMPOSE).unwrap();
    let (code, _, stderr) = stowlint(&dir, &["check", "--write-baseline", "baseline.json", "."]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("recorded 1 finding"), "{stderr}");
    let written = std::fs::read_to_string(dir.join("baseline.json")).unwrap();
    assert!(written.contains("\"code\": \"SL102\""), "{written}");

    // Lines inserted above: the old finding stays hidden.
    let moved = format!("# Reverse proxy for the team's services.\n\n{COMPOSE}");
    std::fs::write(dir.join("compose.yaml"), &moved).unwrap();
    let (code, stdout, _) = stowlint(
        &dir,
        &[
            "check",
            "--format",
            "concise",
            "--baseline",
            "baseline.json",
            ".",
        ],
    );
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("SL102"), "{stdout}");

    // A new finding fails the run.
    let grown = format!(
        "{moved}  watchtower:\n    image: containrrr/watchtower:1.7.1\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n"
    );
    std::fs::write(dir.join("compose.yaml"), grown).unwrap();
    let (code, stdout, _) = stowlint(
        &dir,
        &[
            "check",
            "--format",
            "concise",
            "--baseline",
            "baseline.json",
            ".",
        ],
    );
    assert_eq!(code, 1, "{stdout}");
    let socket_lines: Vec<&str> = stdout.lines().filter(|l| l.contains("SL102")).collect();
    assert_eq!(socket_lines.len(), 1, "{stdout}");
    assert!(socket_lines[0].contains("watchtower"), "{stdout}");
}

#[test]
fn a_broken_baseline_is_a_usage_error() {
    let dir = scratch("broken-baseline");
    std::fs::write(dir.join("compose.yaml"), COMPOSE).unwrap();
    std::fs::write(dir.join("baseline.json"), "{\"findings\": 3}").unwrap();
    let (code, _, stderr) = stowlint(&dir, &["check", "--baseline", "baseline.json", "."]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a stowlint baseline"), "{stderr}");
}

#[test]
fn suppressions_need_reasons_when_asked_and_can_be_turned_off() {
    let dir = scratch("reasons");
    let suppressed = COMPOSE.replace(":ro\n", ":ro  # stowlint: ignore SL102\n");
    std::fs::write(dir.join("compose.yaml"), &suppressed).unwrap();
    let (code, stdout, _) = stowlint(&dir, &["check", "--format", "concise", "."]);
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("SL102"), "{stdout}");

    let (_, stdout, _) = stowlint(
        &dir,
        &["check", "--format", "concise", "--require-reason", "."],
    );
    assert!(
        stdout.contains("SL002 info: suppression of SL102 gives no reason"),
        "{stdout}"
    );

    let reasoned = COMPOSE.replace(
        ":ro\n",
        ":ro  # stowlint: ignore SL102 -- traefik reads container labels\n",
    );
    std::fs::write(dir.join("compose.yaml"), reasoned).unwrap();
    let (_, stdout, _) = stowlint(
        &dir,
        &["check", "--format", "concise", "--require-reason", "."],
    );
    assert!(!stdout.contains("SL002"), "{stdout}");

    let (code, stdout, _) = stowlint(
        &dir,
        &["check", "--format", "concise", "--no-inline-ignores", "."],
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("SL102"), "{stdout}");
}

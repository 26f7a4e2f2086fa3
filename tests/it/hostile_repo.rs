//! A hostile repository (a pull request from a stranger): the run never writes over a file of
//! the user's, never reads a secret from outside the repository into a message, never prints
//! a control character a terminal or a CI runner would act on, and never lets configuration
//! from above the repository silence the gate. Each case failed on the main of 2026-12-03.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::{run_text as stowlint, tree};

const BAD: &str = "services:\n  db:\n    image: alpine:3.20\n    volumes: [\"/etc:/host-etc\"]\n";

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).expect("readable")
}

#[test]
fn an_output_file_is_never_a_file_the_run_reads() {
    let dir = tree(&[
        ("compose.yaml", BAD),
        ("stowlint.toml", "fail-on = \"error\"\n"),
        ("x/keep", ""),
    ]);
    let d = dir.path();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("compose.yaml", d.join("link.yaml")).expect("link");
        fs::hard_link(d.join("compose.yaml"), d.join("hard.txt")).expect("hard link");
    }
    for target in [
        "compose.yaml",
        "./x/../compose.yaml",
        "link.yaml",
        "hard.txt",
        "stowlint.toml",
    ] {
        let (code, _, err) = stowlint(
            d,
            &[
                "check",
                "--format",
                "json",
                "--output-file",
                target,
                "compose.yaml",
            ],
        );
        assert_eq!(code, 2, "{target}: {err}");
        assert!(err.contains("is read by this run"), "{target}: {err}");
        // --force does not make it right either.
        let (code, _, _) = stowlint(
            d,
            &[
                "check",
                "--force",
                "--write-baseline",
                target,
                "compose.yaml",
            ],
        );
        assert_eq!(code, 2, "{target}");
    }
    assert_eq!(read(d, "compose.yaml"), BAD);
    assert_eq!(read(d, "stowlint.toml"), "fail-on = \"error\"\n");
    // The baseline read is not the report written either.
    let (code, _, err) = stowlint(d, &["check", "--write-baseline", "b.json"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = stowlint(
        d,
        &[
            "check",
            "--baseline",
            "b.json",
            "--format",
            "json",
            "--output-file",
            "b.json",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(read(d, "b.json").contains("\"findings\""));
}

#[test]
fn a_file_that_is_not_ours_is_replaced_only_with_force() {
    let dir = tree(&[("compose.yaml", BAD), ("notes.md", "# my notes\n")]);
    let d = dir.path();
    for args in [
        &["check", "--write-baseline", "notes.md"][..],
        &["check", "--format", "sarif", "--output-file", "notes.md"][..],
    ] {
        let (code, _, err) = stowlint(d, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("not replaced (use --force"), "{err}");
        assert_eq!(read(d, "notes.md"), "# my notes\n");
    }
    // Our own reports and baselines are replaced run after run, in any format.
    for format in [
        "json",
        "sarif",
        "concise",
        "human",
        "github",
        "gitlab",
        "junit",
        "checkstyle",
        "rdjson",
    ] {
        let (code, _, err) = stowlint(
            d,
            &["check", "--format", format, "--output-file", "report.out"],
        );
        assert_eq!(code, 1, "{format}: {err}");
    }
    assert_eq!(stowlint(d, &["check", "--write-baseline", "b.json"]).0, 0);
    assert_eq!(stowlint(d, &["check", "--write-baseline", "b.json"]).0, 0);
    let (code, _, _) = stowlint(d, &["check", "--force", "--write-baseline", "notes.md"]);
    assert_eq!(code, 0);
    assert!(read(d, "notes.md").contains("\"findings\""));
}

#[test]
fn a_failed_write_to_standard_output_exits_2_with_a_message() {
    let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full here");
        return;
    };
    let dir = tree(&[("compose.yaml", BAD)]);
    for extra in [&[][..], &["--exit-zero"][..], &["--statistics"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_stowlint"))
            .args(["check", "--format", "json"])
            .args(extra)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(full.try_clone().expect("clone"))
            .stderr(Stdio::piped())
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        assert!(
            err.contains("cannot write the report to standard output"),
            "{err}"
        );
    }
}

#[test]
fn side_files_outside_the_repository_are_not_read() {
    let secret = tree(&[("credentials.env", "TOKEN=hunter2-secret\n")]);
    let dir = tree(&[
        (
            "app/compose.yaml",
            "services:\n  app:\n    image: alpine\n    volumes: [\"${TOKEN}:/x\"]\n",
        ),
        (
            "inside/compose.yaml",
            "services:\n  app:\n    image: alpine\n    volumes: [\"${DATA}:/x\"]\n",
        ),
        ("shared.env", "DATA=/etc\n"),
    ]);
    let d = dir.path();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(secret.path().join("credentials.env"), d.join("app/.env"))
            .expect("link");
        std::os::unix::fs::symlink("../shared.env", d.join("inside/.env")).expect("link");
    }
    for format in ["concise", "github", "json", "sarif", "human"] {
        let (_, out, err) = stowlint(d, &["check", "--format", format, "."]);
        assert!(
            !out.contains("hunter2") && !err.contains("hunter2"),
            "{format}: {out}{err}"
        );
        // A link that stays inside is followed.
        assert!(out.contains("/etc"), "{format}: {out}");
    }
}

#[test]
fn control_characters_never_reach_the_output() {
    let dir = tree(&[(
        "compose.yaml",
        "services:\n  \"db\\n::add-mask::x\\n::set-output name=p::1\\e[31m\\a\":\n    image: \
         alpine\n    volumes: [\"/etc:/host-etc\"]\n",
    )]);
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt as _;
        let name = std::ffi::OsStr::from_bytes(b"evil\n::error::forged\x1b[2J.compose.yaml");
        fs::write(dir.path().join(name), BAD).expect("odd name");
    }
    for format in ["human", "concise", "github"] {
        let (code, out, err) = stowlint(dir.path(), &["check", "--format", format, "."]);
        assert_eq!(code, 1, "{err}");
        for line in out.lines().chain(err.lines()) {
            let forged = line.starts_with("::")
                && !line.starts_with("::error file=")
                && !line.starts_with("::warning file=")
                && !line.starts_with("::notice file=");
            assert!(!forged, "{format}: a forged line: {line:?}");
            assert!(
                !line.contains(['\u{1b}', '\u{7}', '\r']),
                "{format}: {line:?}"
            );
        }
        if format != "human" {
            // One line per finding: the newline in the name and in the service forge none.
            assert_eq!(out.lines().count(), 2, "{format}: {out}");
        }
        assert!(out.contains("db\\n::add-mask::x"), "{format}: {out}");
    }
}

#[test]
fn configuration_above_the_repository_does_not_apply() {
    let dir = tree(&[
        ("stowlint.toml", "ignore = [\"ALL\"]\n"),
        ("work/repo/.git/HEAD", "ref: refs/heads/main\n"),
        ("work/repo/compose.yaml", BAD),
    ]);
    let repo = dir.path().join("work/repo");
    let (code, out, err) = stowlint(&repo, &["check", "--format", "concise", "."]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("SL101"), "{out}");
    // Outside a repository the nearest configuration above still applies.
    let (code, _, _) = stowlint(&dir.path().join("work"), &["check", "repo/compose.yaml"]);
    assert_eq!(code, 1);
    let plain = tree(&[
        ("stowlint.toml", "ignore = [\"ALL\"]\n"),
        ("sub/compose.yaml", BAD),
    ]);
    let (code, out, _) = stowlint(&plain.path().join("sub"), &["check", "--format", "concise"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn exponential_interpolation_is_bounded_and_unknown() {
    let mut dotenv = String::from("V0=ab\n");
    for i in 1..40 {
        dotenv.push_str(&format!("V{i}=${{V{}}}${{V{}}}\n", i - 1, i - 1));
    }
    let dir = tree(&[
        (".env", &dotenv),
        (
            "compose.yaml",
            "services:\n  a:\n    image: alpine\n    volumes: [\"${V39}:/x\", \"/etc:/y\"]\n",
        ),
    ]);
    let (code, out, err) = stowlint(dir.path(), &["check", "--format", "concise", "."]);
    assert_eq!(code, 1, "{err}");
    // The unknown value gives nothing; the real finding is still there.
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("`/etc`"), "{out}");
}

#[test]
fn a_value_nested_deeper_than_interpolation_goes_is_unknown() {
    let mut source = String::from("/etc");
    for i in (0..=17).rev() {
        source = format!("${{A{i}:-{source}}}");
    }
    let compose = format!(
        "services:\n  a:\n    image: alpine\n    volumes: [\"{source}:/e\"]\n  b:\n    image: \
         alpine\n    volumes: [\"${{B:-${{C:-/etc}}}}:/f\"]\n"
    );
    let dir = tree(&[("compose.yaml", &compose)]);
    let (code, out, err) = stowlint(dir.path(), &["check", "--format", "concise", "."]);
    assert_eq!(code, 1, "{err}");
    assert!(!out.contains("${A0"), "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("compose.yaml:7:"), "{out}");
}

#[test]
fn file_names_that_are_not_utf8_are_linted_and_named() {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt as _;
        let dir = tree(&[]);
        let name = std::ffi::OsStr::from_bytes(b"compose\xff.yaml");
        fs::write(dir.path().join(name), BAD).expect("odd name");
        let (code, out, err) = stowlint(dir.path(), &["check", "--format", "concise", "."]);
        assert_eq!(code, 1, "{out}{err}");
        assert!(out.starts_with("compose\u{fffd}.yaml:4:16: SL101"), "{out}");
        assert!(err.contains("not valid UTF-8"), "{err}");
    }
}

#[test]
fn a_baseline_must_be_a_regular_file() {
    let dir = tree(&[("compose.yaml", BAD)]);
    let (code, _, err) = stowlint(dir.path(), &["check", "--baseline", "/dev/zero"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    #[cfg(unix)]
    {
        let fifo = dir.path().join("fifo");
        let made = Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let (code, _, err) = stowlint(dir.path(), &["check", "--baseline", "fifo"]);
            assert_eq!(code, 2, "{err}");
        }
    }
}

#[test]
fn init_never_writes_through_a_dangling_link() {
    let dir = tree(&[]);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("elsewhere.toml", dir.path().join("stowlint.toml"))
            .expect("link");
        let (code, _, err) = stowlint(dir.path(), &["init"]);
        assert_eq!(code, 2, "{err}");
        assert!(!dir.path().join("elsewhere.toml").exists());
        // --force replaces the link itself, not its target.
        let (code, _, err) = stowlint(dir.path(), &["init", "--force"]);
        assert_eq!(code, 0, "{err}");
        assert!(!dir.path().join("elsewhere.toml").exists());
        let meta = fs::symlink_metadata(dir.path().join("stowlint.toml")).expect("written");
        assert!(meta.is_file());
    }
}

#[test]
fn a_configuration_with_thousands_of_globs_is_refused_at_a_position() {
    let globs: Vec<String> = (0..20_000)
        .map(|i| format!("\"{{a,b,c}}/**/x{i}*[a-z]?/**\""))
        .collect();
    let config = format!("exclude = [{}]\n", globs.join(", "));
    let dir = tree(&[("stowlint.toml", &config), ("compose.yaml", BAD)]);
    let (code, _, err) = stowlint(dir.path(), &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("too many globs"), "{err}");
    // At the first glob past the limit, not at 1:1.
    assert!(err.contains("stowlint.toml:1:"), "{err}");
    assert!(!err.contains("stowlint.toml:1:1:"), "{err}");
    let long = format!("exclude = [\"{}\"]\n", "a".repeat(5000));
    let dir = tree(&[("stowlint.toml", &long), ("compose.yaml", BAD)]);
    let (code, _, err) = stowlint(dir.path(), &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("stowlint.toml:1:12: "), "{err}");
}

#[test]
fn a_long_chain_of_anchors_through_aliases_does_not_overflow_the_stack() {
    // Each anchor merges the one before: as deep as the file is long (dropping the tree
    // recursively overflowed the stack and aborted the whole run).
    let mut text = String::from("x-base:\n  a0: &a0 {k: x}\n");
    for i in 1..100_000 {
        text.push_str(&format!("  a{i}: &a{i} {{<<: *a{}, k{i}: v}}\n", i - 1));
    }
    text.push_str("services:\n  s:\n    <<: *a99999\n    image: alpine\n");
    let dir = tree(&[("chain.compose.yaml", &text), ("bad.compose.yaml", BAD)]);
    let (code, out, err) = stowlint(
        dir.path(),
        &[
            "check",
            "--format",
            "concise",
            "--max-file-size",
            "100MB",
            ".",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("chain.compose.yaml:"), "{out}");
    assert!(out.contains("SL001"), "{out}");
    // The other file of the run is still linted.
    assert!(out.contains("bad.compose.yaml:4:16: SL101"), "{out}");
}

#[test]
fn exponential_dockerfile_env_is_bounded() {
    let mut dockerfile = String::from("FROM postgres:16\nENV A=x\n");
    dockerfile.push_str(&"ENV A=${A}${A}\n".repeat(60));
    dockerfile.push_str("VOLUME $A\nRUN mkdir -p /var/lib/postgresql/data/x\n");
    let dir = tree(&[("Dockerfile", &dockerfile), ("bad.compose.yaml", BAD)]);
    let (code, out, err) = stowlint(dir.path(), &["check", "--format", "concise", "."]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("bad.compose.yaml:4:16: SL101"), "{out}");
    assert!(!out.contains("Dockerfile:"), "{out}");
}

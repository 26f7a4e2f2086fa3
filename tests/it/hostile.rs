//! Hostile inputs, end to end: each ends quickly with a clear SL001 with a position (or a
//! path error and exit 2, or nothing where nothing is right), never a panic, a hang or
//! exhausted memory, and never stops the other files of the run from being linted. Each test
//! lints a scratch folder that also holds one ordinary bad compose file and checks that its
//! finding is still reported. A hang guard far above any expected time kills a run that never
//! ends; no test depends on how fast the machine is. Linear cost is checked by the CPU time of
//! two sizes run one after the other in the same test, with a wide margin.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::scratch;

/// The ordinary bad compose file every run holds, and the finding it must still get.
const BAD: &str = "services:\n  db:\n    image: alpine:3.20\n    volumes: [\"/etc:/host-etc\"]\n";
const BAD_FINDING: &str = "bad.compose.yaml:4:16: SL101 error:";

/// A hang guard, not a speed check: every run here takes well under a second in a debug build
/// on a quiet machine, so ten minutes is hundreds of times above it even on a loaded CI runner.
const HANG_GUARD: Duration = Duration::from_secs(600);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    /// CPU time (user + system, all threads) the child used, read from `/proc` before it is
    /// reaped; `None` where `/proc` does not tell. Unlike wall-clock time it hardly moves when
    /// other work shares the machine.
    cpu: Option<Duration>,
}

/// The CPU time of the exited but not yet reaped child `pid` (a zombie), from
/// `/proc/<pid>/stat`: `None` while it still runs or where there is no `/proc`.
fn zombie_cpu_time(pid: u32) -> Option<Option<Duration>> {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Some(None);
    };
    // The command name is in parentheses and may hold spaces: fields start after the last `)`.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    if fields.first() != Some(&"Z") {
        return None;
    }
    // Fields 14 and 15 of the file (utime, stime), counted from the state (field 3).
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    let (Some(user), Some(system)) = (ticks(11), ticks(12)) else {
        return Some(None);
    };
    // USER_HZ is 100 on every Linux architecture that exports it to user space.
    Some(Some(Duration::from_millis((user + system) * 10)))
}

/// Run the binary in `dir` with `args`, killed (and the test failed) past `hang_guard`: a run
/// that never ends, not a slow one.
fn run_within(dir: &Path, args: &[&str], hang_guard: Duration) -> Run {
    let give_up = Instant::now() + hang_guard;
    let mut child = Command::new(env!("CARGO_BIN_EXE_stowlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Drain both pipes on threads: a full pipe must not look like a hang.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    // Wait for the child to exit without reaping it, so its CPU time can still be read.
    let cpu = loop {
        if let Some(cpu) = zombie_cpu_time(child.id()) {
            break cpu;
        }
        if Instant::now() >= give_up {
            let _ = child.kill();
            let _ = child.wait();
            panic!("stowlint {args:?} did not finish within {hang_guard:?} (a hang; killed)");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let status = child.wait().expect("the child can be waited for");
    let stdout = out.join().expect("stdout drained");
    let stderr = err.join().expect("stderr drained");
    let Some(code) = status.code() else {
        panic!("stowlint {args:?} was killed by a signal ({status}); stderr:\n{stderr}")
    };
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflowed its stack"),
        "{stderr}"
    );
    Run {
        code,
        stdout,
        stderr,
        cpu,
    }
}

/// `check --format concise` over `args` in `dir`.
fn check(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["check", "--isolated", "--format", "concise"];
    all.extend_from_slice(args);
    run_within(dir, &all, HANG_GUARD)
}

/// A scratch folder holding the ordinary bad compose file.
fn folder(name: &str) -> PathBuf {
    let dir = scratch(&format!("hostile-{name}"));
    std::fs::write(dir.join("bad.compose.yaml"), BAD).expect("write");
    dir
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folders");
    }
    std::fs::write(path, bytes).expect("write");
}

/// The line of `run` about `file` starts with `prefix` (the output shown when not).
fn expect_line(run: &Run, file: &str, prefix: &str) {
    assert!(line_for(run, file).starts_with(prefix), "{}", run.stdout);
}

/// The one line of `out` about `file`, which must exist.
fn line_for<'a>(run: &'a Run, file: &str) -> &'a str {
    run.stdout
        .lines()
        .find(|l| l.starts_with(&format!("{file}:")))
        .unwrap_or_else(|| panic!("no finding for {file}:\n{}{}", run.stdout, run.stderr))
}

fn assert_bad_reported(run: &Run) {
    assert!(
        run.stdout.contains(BAD_FINDING),
        "the ordinary file's finding is missing:\n{}{}",
        run.stdout,
        run.stderr
    );
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo {}", path.display());
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

// 1. Billion laughs.
#[test]
fn alias_bomb_is_refused_where_it_goes_off() {
    let dir = folder("bomb");
    let mut text = String::from("services:\n  db:\n    image: alpine\n");
    text.push_str(
        "x-a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for n in 'b'..='j' {
        let refs = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("x-{n}: &{n} [{refs}]\n"));
        prev = n;
    }
    write(&dir, "compose.yaml", &text);
    let run = check(&dir, &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let line = line_for(&run, "compose.yaml");
    assert!(
        line.contains("SL001 error: alias expansion limit exceeded"),
        "{line}"
    );
    // At the first alias to a node past the floor: `*g` in `x-h: &h [*g, ...]`.
    assert!(line.starts_with("compose.yaml:10:10:"), "{line}");
    assert_bad_reported(&run);
}

// 2. 100,000 nested brackets, flow and block.
#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    let dir = folder("deep");
    // Named as compose files: broken YAML whose kind cannot be told is skipped in a walk.
    write(&dir, "compose.flow.yaml", "[".repeat(100_000));
    write(
        &dir,
        "compose.block.yaml",
        format!(
            "services:\n  a:\n    image:\n      {}x\n",
            "- ".repeat(100_000)
        ),
    );
    write(
        &dir,
        "compose.map.yaml",
        format!("x: {}1{}\n", "{a: ".repeat(100_000), "}".repeat(100_000)),
    );
    let run = check(&dir, &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let message = "SL001 error: nesting deeper than 255 levels; not read";
    assert_eq!(
        line_for(&run, "compose.flow.yaml"),
        format!("compose.flow.yaml:1:256: {message}")
    );
    // `services`, `a`, then block sequences from column 7: the 256th collection.
    assert_eq!(
        line_for(&run, "compose.block.yaml"),
        format!("compose.block.yaml:4:{}: {message}", 7 + 2 * 252)
    );
    assert!(
        line_for(&run, "compose.map.yaml").ends_with(message),
        "{}",
        run.stdout
    );
    assert_bad_reported(&run);
}

// 3. Encodings.
#[test]
fn invalid_utf8_nul_bytes_and_utf16_are_reported_with_a_position() {
    let dir = folder("encodings");
    write(
        &dir,
        "latin1.compose.yaml",
        b"services:\n  db:\n    image: caf\xe9\n".as_slice(),
    );
    write(
        &dir,
        "nul.compose.yaml",
        b"services:\n  db:\n    image: a\x00b\n".as_slice(),
    );
    let utf16 = |big: bool| {
        let mut bytes = if big {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in BAD.encode_utf16() {
            bytes.extend(if big {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        bytes
    };
    write(&dir, "utf16le.compose.yaml", utf16(false));
    write(&dir, "utf16be.compose.yaml", utf16(true));
    write(
        &dir,
        "Dockerfile",
        b"FROM alpine\nVOLUME /d\xffata\n".as_slice(),
    );
    // Other YAML in another encoding (a Prometheus rule file with GBK annotations) is none of
    // ours in a walk; a manifest in it is ours, and named, any YAML file is reported.
    write(
        &dir,
        "rules.yml",
        b"groups:\n- name: app\n  rules:\n  - alert: cpu\n    annotations:\n      summary: \"\xb8\xdf\"\n".as_slice(),
    );
    write(
        &dir,
        "pod.yml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: caf\xe9\n".as_slice(),
    );
    let named = check(&dir, &["rules.yml"]);
    assert_eq!(named.code, 1, "{}", named.stderr);
    assert!(named.stdout.contains("rules.yml:6:"), "{}", named.stdout);
    let run = check(&dir, &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stdout.contains("rules.yml"), "{}", run.stdout);
    assert_eq!(
        line_for(&run, "pod.yml"),
        "pod.yml:4:12: SL001 error: file is not valid UTF-8 (invalid byte at offset 46)"
    );
    assert_eq!(
        line_for(&run, "latin1.compose.yaml"),
        "latin1.compose.yaml:3:15: SL001 error: file is not valid UTF-8 (invalid byte at offset 30)"
    );
    assert_eq!(
        line_for(&run, "nul.compose.yaml"),
        "nul.compose.yaml:3:13: SL001 error: YAML syntax error: unexpected character: `\\u{0}'"
    );
    assert_eq!(
        line_for(&run, "Dockerfile"),
        "Dockerfile:2:10: SL001 error: file is not valid UTF-8 (invalid byte at offset 21)"
    );
    for name in ["utf16le.compose.yaml", "utf16be.compose.yaml"] {
        assert_eq!(
            line_for(&run, name),
            format!("{name}:1:1: SL001 error: UTF-16 is not supported; save the file as UTF-8")
        );
    }
    assert_bad_reported(&run);
}

// 3b. A fragment that a deploy script joins to the file defining its anchors
// (`cat anchors.yml compose.yml | docker stack deploy -c - app`).
#[test]
fn aliases_to_anchors_defined_elsewhere_are_one_info_in_a_walk_and_errors_when_named() {
    let dir = scratch("hostile-anchors");
    write(
        &dir,
        "_shared/anchors.yml",
        "x-place: &place\n  placement:\n    constraints: [node.labels.db == true]\n",
    );
    write(
        &dir,
        "stacks/db/compose.yml",
        "services:\n  db:\n    image: postgres:16\n    volumes: [pg:/var/lib/postgresql/data]\n    \
         deploy:\n      <<: *place\n      labels: [backup=true]\n    logging:\n      <<: \
         *logging\n  web:\n    image: nginx:1.27\n    logging:\n      <<: *logging\nvolumes:\n  \
         pg:\n",
    );
    let walked = check(&dir, &["."]);
    let lines: Vec<&str> = walked
        .stdout
        .lines()
        .filter(|l| l.contains("SL001"))
        .collect();
    assert_eq!(
        lines,
        [
            "stacks/db/compose.yml:6:11: SL001 info: 3 aliases to anchors the file does not define \
          (`*place`, `*logging`): refused as it stands, read as a fragment joined to the file that \
          defines them before use (their values unknown); name the file to have each reported as \
          an error"
        ],
        "{}",
        walked.stdout
    );
    // Its placement may come from the anchor: the local volume is info, not a swarm error.
    assert_eq!(
        line_for(&walked, "stacks/db/compose.yml:4"),
        "stacks/db/compose.yml:4:15: SL402 info: service db keeps postgres data in local volume \
         `pg` (over `/var/lib/postgresql/data`) under swarm: a task on another node starts with an \
         empty copy"
    );
    let named = check(&dir, &["stacks/db/compose.yml"]);
    assert_eq!(named.code, 1, "{}", named.stderr);
    let errors = named
        .stdout
        .lines()
        .filter(|l| l.contains("SL001 error: alias `*"))
        .count();
    assert_eq!(errors, 3, "{}", named.stdout);
}

#[test]
fn a_utf8_byte_order_mark_lints_normally_with_exact_positions() {
    let dir = folder("bom");
    // The finding on line 1: the mark must take no column, but its three bytes count in
    // offsets.
    write(
        &dir,
        "one.compose.yaml",
        "\u{feff}services: {db: {image: alpine, volumes: [\"/etc:/x\"]}}\n",
    );
    write(&dir, "two.compose.yaml", format!("\u{feff}{BAD}"));
    write(&dir, "Dockerfile", "\u{feff}COPPY a /b\nFROM alpine\n");
    let run = check(&dir, &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    expect_line(&run, "one.compose.yaml", "one.compose.yaml:1:43: SL101");
    expect_line(&run, "two.compose.yaml", "two.compose.yaml:4:16: SL101");
    expect_line(&run, "Dockerfile", "Dockerfile:1:1: SL001");
    let json = run_within(
        &dir,
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            "one.compose.yaml",
        ],
        HANG_GUARD,
    );
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let span = &report["diagnostics"][0]["span"];
    assert_eq!(span["offset"], 45, "{span}");
    assert_eq!(span["start"]["column"], 43, "{span}");
    assert_bad_reported(&run);
}

// 4. Long lines.
#[test]
fn a_20_mb_line_is_too_large_and_a_9_mb_scalar_is_read_in_linear_time() {
    let dir = folder("long-lines");
    let huge = format!(
        "services: {{a: {{image: \"{}\"}}}}\n",
        "x".repeat(20_000_000)
    );
    write(&dir, "huge.compose.yaml", &huge);
    write(
        &dir,
        "nine.compose.yaml",
        format!(
            "services:\n  a:\n    image: \"{}\"\n    volumes: [\"/etc:/x\"]\n",
            "x".repeat(9_000_000)
        ),
    );
    let run = check(&dir, &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        line_for(&run, "huge.compose.yaml"),
        format!(
            "huge.compose.yaml:1:1: SL001 error: file too large ({} bytes > 10 MB); not read \
             (raise `max-file-size` to lint it)",
            huge.len()
        )
    );
    // Read, and the mount after the long scalar found at its place.
    assert_eq!(
        line_for(&run, "nine.compose.yaml"),
        "nine.compose.yaml:4:16: SL101 error: service a mounts the system location `/etc` writable"
    );
    assert_bad_reported(&run);
    // With the limit raised, the 20 MB line is read too.
    let raised = check(&dir, &["--max-file-size", "25MB", "huge.compose.yaml"]);
    assert_eq!(raised.code, 0, "{}{}", raised.stdout, raised.stderr);
    eprintln!(
        "long lines (CPU time): 9 MB scalar + walk {:?}; 20 MB line alone {:?}",
        run.cpu, raised.cpu
    );
}

// 5. 100,000 documents.
#[test]
fn a_hundred_thousand_documents_take_linear_time() {
    let dir = folder("documents");
    let docs = |n: usize| {
        (0..n)
            .map(|i| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n"))
            .collect::<String>()
            + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: alpine}]\n  volumes: [{name: h, hostPath: {path: /etc}}]\n"
    };
    write(&dir, "small.yaml", docs(10_000));
    write(&dir, "many.yaml", docs(100_000));
    let small = check(&dir, &["small.yaml"]);
    let many = check(&dir, &["many.yaml", "bad.compose.yaml"]);
    assert_eq!(many.code, 1, "{}", many.stderr);
    // The Pod after 100,000 ConfigMaps is read.
    let line = line_for(&many, "many.yaml");
    assert!(line.starts_with("many.yaml:400007:"), "{line}");
    assert_bad_reported(&many);
    eprintln!(
        "documents (CPU time): 10,000 in {:?}, 100,000 in {:?}",
        small.cpu, many.cpu
    );
    // Linear: ten times the documents, about ten times the CPU time; quadratic would be 100.
    // CPU time, not wall-clock time, so other work on the machine does not count; the margin
    // (30, plus a second for start-up and the 10 ms tick) absorbs what load still changes.
    if let (Some(small), Some(many)) = (small.cpu, many.cpu) {
        assert!(
            many < small * 30 + Duration::from_secs(1),
            "10,000 documents took {small:?} of CPU, 100,000 took {many:?}"
        );
    }
}

// 6. Custom tags.
#[test]
fn custom_tags_parse_and_their_values_are_read() {
    let dir = folder("tags");
    write(
        &dir,
        "tagged.compose.yaml",
        "services:\n  app:\n    image: !Ref AppImage\n    environment: !reset {}\n    labels:\n      blob: !!binary aGVsbG8=\n      arn: !GetAtt bucket.Arn\n    volumes: !override\n      - /etc:/host-etc\n      - !!str /root:/r\n",
    );
    write(
        &dir,
        "tagged.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: !Sub \"p-${Env}\"}\nspec:\n  containers: [{name: c, image: !Ref Image, volumeMounts: [{name: h, mountPath: /s}]}]\n  volumes:\n    - name: h\n      hostPath: {path: !!str /var/run/docker.sock}\n",
    );
    let run = check(&dir, &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stdout.contains("SL001"), "{}", run.stdout);
    // The value's own position, past its tag.
    for at in [
        "tagged.compose.yaml:9:9: SL101",
        "tagged.compose.yaml:10:15: SL101",
    ] {
        assert!(run.stdout.contains(at), "{at}:\n{}", run.stdout);
    }
    assert!(
        run.stdout
            .contains("tagged.yaml:8:30: SL102 error: Pod/p-${Env}"),
        "{}",
        run.stdout
    );
    assert_bad_reported(&run);
}

// 7. FIFOs.
#[test]
fn a_fifo_is_skipped_in_a_walk_and_refused_when_named() {
    let dir = folder("fifo");
    std::fs::create_dir_all(dir.join("sub")).expect("folder");
    mkfifo(&dir.join("sub/compose.yaml"));
    // Side files the run reads are no better as FIFOs.
    mkfifo(&dir.join(".env"));
    std::fs::create_dir_all(dir.join("ignored")).expect("folder");
    mkfifo(&dir.join("ignored/.gitignore"));
    write(&dir, "ignored/compose.yaml", BAD);

    let walked = check(&dir, &["."]);
    assert_eq!(walked.code, 1, "{}", walked.stderr);
    assert!(
        !walked.stdout.contains("sub/compose.yaml"),
        "{}",
        walked.stdout
    );
    assert!(
        walked.stderr.contains(
            "stowlint: warning: ignored/.gitignore: not a regular file; its folder is not walked"
        ),
        "{}",
        walked.stderr
    );
    assert_bad_reported(&walked);

    let named = check(&dir, &["sub/compose.yaml", "bad.compose.yaml"]);
    assert_eq!(named.code, 2, "{}", named.stderr);
    assert!(
        named.stderr.contains(
            "stowlint: error: sub/compose.yaml: not a regular file (a FIFO); pipe its contents \
             to `stowlint check -` instead"
        ),
        "{}",
        named.stderr
    );
    assert_bad_reported(&named);

    // A FIFO given as the configuration is an error, not a hang.
    let config = run_within(
        &dir,
        &["check", "--config", "sub/compose.yaml", "bad.compose.yaml"],
        HANG_GUARD,
    );
    assert_eq!(config.code, 2, "{}", config.stderr);
    assert!(
        config.stderr.contains("not a regular file (a FIFO)"),
        "{}",
        config.stderr
    );
}

// 8. Links to a device and out of the tree.
#[cfg(unix)]
#[test]
fn links_to_dev_zero_and_out_of_the_tree() {
    let dir = folder("links");
    let outside = scratch("hostile-links-outside");
    write(&outside, "Dockerfile", "FROM alpine\nVOLUME [/a, /b]\n");
    symlink("/dev/zero", &dir.join("Dockerfile"));
    std::fs::create_dir_all(dir.join("app")).expect("folder");
    symlink(
        &outside.join("Dockerfile").to_string_lossy(),
        &dir.join("app/Dockerfile"),
    );

    // A walk follows neither: both lead out of the tree.
    let walked = check(&dir, &["."]);
    assert_eq!(walked.code, 1, "{}", walked.stderr);
    assert!(!walked.stdout.contains("Dockerfile"), "{}", walked.stdout);
    assert_bad_reported(&walked);

    // Named: /dev/zero is no regular file (exit 2, never read); a link out of the tree is
    // followed, as `cat` would, and shown under the name given.
    let named = check(&dir, &["Dockerfile", "app/Dockerfile", "bad.compose.yaml"]);
    assert_eq!(named.code, 2, "{}", named.stderr);
    assert!(
        named
            .stderr
            .contains("stowlint: error: Dockerfile: not a regular file (a character device)"),
        "{}",
        named.stderr
    );
    expect_line(&named, "app/Dockerfile", "app/Dockerfile:2:8: SL206");
    assert_bad_reported(&named);
}

// 9. Link loops.
#[cfg(unix)]
#[test]
fn link_loops_end() {
    let dir = folder("loops");
    std::fs::create_dir_all(dir.join("a/b")).expect("folders");
    symlink("../..", &dir.join("a/b/up"));
    symlink(".", &dir.join("a/here"));
    symlink("self.compose.yaml", &dir.join("self.compose.yaml"));
    let walked = check(&dir, &["."]);
    assert_eq!(walked.code, 1, "{}", walked.stderr);
    assert_eq!(walked.stdout.matches("bad.compose.yaml").count(), 1);
    assert_bad_reported(&walked);
    let named = check(&dir, &["self.compose.yaml", "bad.compose.yaml"]);
    assert_eq!(named.code, 2, "{}", named.stderr);
    assert!(
        named
            .stderr
            .contains("self.compose.yaml: Too many levels of symbolic links"),
        "{}",
        named.stderr
    );
    assert_bad_reported(&named);
}

// 10. Unreadable files.
#[cfg(unix)]
#[test]
fn unreadable_files_are_sl001_at_the_start() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = folder("unreadable");
    write(&dir, "locked.compose.yaml", BAD);
    let locked = dir.join("locked.compose.yaml");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&locked).is_ok() {
        eprintln!(
            "notice: permissions do not apply to this user (root): the chmod 000 part is \
             skipped; /proc/self/mem stands in for an unreadable file"
        );
    } else {
        let run = check(&dir, &["."]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(
            line_for(&run, "locked.compose.yaml"),
            "locked.compose.yaml:1:1: SL001 error: cannot read file: Permission denied"
        );
        assert_bad_reported(&run);
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    // A file no one can read, root included: it opens, but reading it fails.
    #[cfg(target_os = "linux")]
    {
        let run = check(&dir, &["/proc/self/mem", "bad.compose.yaml"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(
            line_for(&run, "/proc/self/mem"),
            "/proc/self/mem:1:1: SL001 error: cannot read file: Input/output error"
        );
        assert_bad_reported(&run);
    }
}

#[test]
fn the_size_limit_is_10_mb_and_configurable() {
    let dir = folder("size");
    let big = format!(
        "services:\n  a:\n    image: \"{}\"\n",
        "x".repeat(10_500_000)
    );
    write(&dir, "big.compose.yaml", &big);
    let message = format!(
        "big.compose.yaml:1:1: SL001 error: file too large ({} bytes > 10 MB); not read (raise \
         `max-file-size` to lint it)",
        big.len()
    );
    let run = check(&dir, &["."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(line_for(&run, "big.compose.yaml"), message);
    assert_bad_reported(&run);

    // The command line: bytes or units; a smaller limit catches the small file too.
    let raised = check(&dir, &["--max-file-size", "11MB", "."]);
    assert!(
        !raised.stdout.contains("big.compose.yaml"),
        "{}",
        raised.stdout
    );
    assert_bad_reported(&raised);
    let lowered = check(&dir, &["--max-file-size", "64", "bad.compose.yaml"]);
    assert_eq!(
        line_for(&lowered, "bad.compose.yaml"),
        format!(
            "bad.compose.yaml:1:1: SL001 error: file too large ({} bytes > 64 bytes); not read \
             (raise `max-file-size` to lint it)",
            BAD.len()
        )
    );
    let wrong = check(&dir, &["--max-file-size", "ten", "."]);
    assert_eq!(wrong.code, 2);
    assert!(
        wrong.stderr.contains("`ten` is not a size"),
        "{}",
        wrong.stderr
    );

    // The configuration, and the command line over it; standard input obeys it too.
    write(&dir, "stowlint.toml", "max-file-size = \"11 MiB\"\n");
    let config = run_within(&dir, &["check", "--format", "concise", "."], HANG_GUARD);
    assert!(
        !config.stdout.contains("big.compose.yaml"),
        "{}",
        config.stdout
    );
    assert_bad_reported(&config);
    let cli_wins = run_within(
        &dir,
        &[
            "check",
            "--format",
            "concise",
            "--max-file-size",
            "1MB",
            ".",
        ],
        HANG_GUARD,
    );
    assert!(cli_wins.stdout.contains("big.compose.yaml:1:1: SL001"));
    let stdin = crate::common::run(
        &dir,
        &["check", "--format", "concise", "--max-file-size", "10", "-"],
        Some(BAD.as_bytes()),
    );
    assert_eq!(
        crate::common::stdout(&stdin),
        "<stdin>:1:1: SL001 error: file too large (more > 10 bytes); not read (raise \
         `max-file-size` to lint it)\n"
    );
    write(&dir, "stowlint.toml", "max-file-size = 0\n");
    let zero = run_within(&dir, &["check", "."], HANG_GUARD);
    assert_eq!(zero.code, 2);
    assert!(
        zero.stderr
            .contains("stowlint.toml:1:17: `0`: the size limit must be more than zero"),
        "{}",
        zero.stderr
    );
    // Spans hold 32-bit offsets: a limit of 4 GiB or more is refused, in the configuration
    // (which the language server reads too) and on the command line.
    for (setting, shown) in [("\"4GiB\"", "`4GiB`"), ("5000000000", "`5000000000`")] {
        write(
            &dir,
            "stowlint.toml",
            format!("max-file-size = {setting}\n"),
        );
        let huge = run_within(&dir, &["check", "."], HANG_GUARD);
        assert_eq!(huge.code, 2);
        assert!(
            huge.stderr.contains(&format!(
                "stowlint.toml:1:17: {shown}: the size limit must be less than 4 GiB"
            )),
            "{}",
            huge.stderr
        );
    }
    std::fs::remove_file(dir.join("stowlint.toml")).expect("removed");
    let cli = run_within(
        &dir,
        &["check", "--max-file-size", "4.5GB", "."],
        HANG_GUARD,
    );
    assert_eq!(cli.code, 2);
    assert!(
        cli.stderr
            .contains("`4.5GB`: the size limit must be less than 4 GiB (4294967295 bytes at most)"),
        "{}",
        cli.stderr
    );
}

// 11. CRLF line endings.
#[test]
fn crlf_line_endings_keep_exact_positions() {
    let dir = folder("crlf");
    let crlf = |text: &str| text.replace('\n', "\r\n");
    write(&dir, "win.compose.yaml", crlf(BAD));
    let dockerfile = "FROM debian:bookworm-slim\nVOLUME /var/lib/app\nRUN mkdir -p /var/lib/app/cache \\\n    && touch /var/lib/app/state\n";
    write(&dir, "lf.Dockerfile", dockerfile);
    write(&dir, "win.Dockerfile", crlf(dockerfile));
    let run = run_within(
        &dir,
        &["check", "--isolated", "--format", "json", "."],
        HANG_GUARD,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let spans: Vec<(String, String, [u64; 6])> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_string(),
                d["code"].as_str().unwrap_or_default().to_string(),
                span_numbers(d),
            )
        })
        .collect();
    let find = |file: &str| {
        spans
            .iter()
            .filter(|(f, ..)| f == file)
            .map(|(_, c, s)| (c.as_str(), *s))
            .collect::<Vec<_>>()
    };
    // `/etc` on line 4, column 16: 3 CRs before it.
    let at = BAD.find("/etc").expect("in BAD");
    assert_eq!(
        find("win.compose.yaml"),
        [("SL101", [4, 16, 4, 20, at as u64 + 3, 4])]
    );
    // The `mkdir` command ends before the continuation, with or without the CR.
    let mkdir = dockerfile.find("mkdir").expect("mkdir") as u64;
    assert_eq!(
        find("lf.Dockerfile")[0],
        ("SL204", [3, 5, 3, 32, mkdir, 27])
    );
    assert_eq!(
        find("win.Dockerfile")[0],
        ("SL204", [3, 5, 3, 32, mkdir + 2, 27])
    );
    assert_eq!(find("win.Dockerfile").len(), find("lf.Dockerfile").len());
}

/// Every fixture, converted to CRLF, gets the same findings at the same lines and columns,
/// and offsets that count the CRs.
#[test]
fn every_fixture_reads_the_same_with_crlf() {
    let lf = scratch("hostile-fixtures-lf");
    let cr = scratch("hostile-fixtures-crlf");
    let fixtures = crate::common::root().join("fixtures");
    for rule in std::fs::read_dir(&fixtures).expect("fixtures") {
        let rule = rule.expect("entry").path();
        let Some(name) = rule.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !name.starts_with("SL") || !rule.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&rule).expect("rule folder") {
            let file = file.expect("entry").path();
            let Some(base) = file.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if base.ends_with(".toml") || !file.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("fixture");
            let flat = format!("{name}_{base}");
            write(&lf, &flat, &text);
            write(&cr, &flat, text.replace('\n', "\r\n"));
        }
    }
    let spans = |dir: &Path| {
        let run = run_within(
            dir,
            &["check", "--isolated", "--format", "json", "."],
            HANG_GUARD,
        );
        let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        let mut out: Vec<(String, String, String, [u64; 6])> = report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| {
                (
                    d["file"].as_str().unwrap_or_default().to_string(),
                    d["code"].as_str().unwrap_or_default().to_string(),
                    d["message"].as_str().unwrap_or_default().to_string(),
                    span_numbers(d),
                )
            })
            .collect();
        out.sort();
        out
    };
    let (lf_spans, cr_spans) = (spans(&lf), spans(&cr));
    assert!(lf_spans.len() > 100, "{}", lf_spans.len());
    assert_eq!(lf_spans.len(), cr_spans.len());
    for (a, b) in lf_spans.iter().zip(&cr_spans) {
        let [line, column, end_line, end_column, offset, length] = a.3;
        let crs_before = line - 1;
        let expected = [
            line,
            column,
            end_line,
            end_column,
            offset + crs_before,
            length + (end_line - line),
        ];
        assert_eq!(
            (&b.0, &b.1, &b.2, b.3),
            (&a.0, &a.1, &a.2, expected),
            "LF {a:?}"
        );
    }
}

// 12. stowlint never writes to what it lints.
#[test]
fn linting_never_writes_to_the_linted_files() {
    let dir = folder("read-only");
    write(&dir, "Dockerfile", "FROM alpine\nVOLUME [/a, /b]\n");
    write(
        &dir,
        "k8s/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: alpine}]\n  volumes: [{name: h, hostPath: {path: /etc}}]\n",
    );
    write(&dir, "broken.compose.yaml", "services: [\n");
    write(&dir, "stowlint.toml", "ignore = [\"SL103\"]\n");
    write(&dir, ".env", "TAG=1\n");
    write(&dir, ".gitignore", "ignored/\n");
    write(&dir, "ignored/compose.yaml", BAD);
    let snapshot = |dir: &Path| {
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("folder") {
                let path = e.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let meta = std::fs::metadata(&path).expect("metadata");
                    let bytes = std::fs::read(&path).expect("bytes");
                    files.push((path, bytes, meta.modified().expect("mtime")));
                }
            }
        }
        files.sort();
        files
    };
    let before = snapshot(&dir);
    // mtimes have a granularity: a write in the same tick would keep it.
    std::thread::sleep(Duration::from_millis(20));
    for format in [
        "human", "concise", "json", "sarif", "github", "gitlab", "junit",
    ] {
        let run = run_within(&dir, &["check", "--format", format], HANG_GUARD);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        let run = run_within(
            &dir,
            &["check", "--format", format, "--statistics", "."],
            HANG_GUARD,
        );
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
    }
    let named = check(
        &dir,
        &["Dockerfile", "k8s/pod.yaml", "ignored/compose.yaml"],
    );
    assert_eq!(named.code, 1, "{}", named.stderr);
    assert_eq!(snapshot(&dir), before, "a linted file changed");
}

/// A JSON diagnostic's span as numbers: start line and column, end line and column, offset,
/// length.
fn span_numbers(d: &serde_json::Value) -> [u64; 6] {
    let s = &d["span"];
    let n = |v: &serde_json::Value| v.as_u64().expect("a number");
    [
        n(&s["start"]["line"]),
        n(&s["start"]["column"]),
        n(&s["end"]["line"]),
        n(&s["end"]["column"]),
        n(&s["offset"]),
        n(&s["length"]),
    ]
}

/// A construct a file can repeat: what it is, the file name, a count a debug build reads in a
/// few tenths of a second, and the file with that many copies.
type Construct = (&'static str, &'static str, usize, fn(usize) -> String);

/// The constructs a hostile compose or Kubernetes file can repeat.
fn repeated_constructs() -> Vec<Construct> {
    vec![
        (
            "services each mounting their own volume",
            "c.compose.yaml",
            3_000,
            |n| {
                "services:\n".to_string()
                    + &(0..n)
                        .map(|i| {
                            format!("  s{i}:\n    image: alpine\n    volumes: [\"v{i}:/d\"]\n")
                        })
                        .collect::<String>()
                    + "volumes:\n"
                    + &(0..n).map(|i| format!("  v{i}:\n")).collect::<String>()
            },
        ),
        (
            "swarm services each mounting their own volume",
            "stack.yml",
            3_000,
            |n| {
                "services:\n".to_string()
                + &(0..n)
                    .map(|i| {
                        format!(
                            "  s{i}:\n    image: alpine\n    deploy: {{replicas: 2}}\n    volumes: [\"v{i}:/d\"]\n"
                        )
                    })
                    .collect::<String>()
                + "volumes:\n"
                + &(0..n).map(|i| format!("  v{i}:\n")).collect::<String>()
            },
        ),
        ("merge keys", "c.compose.yaml", 10_000, |n| {
            "x-base: &base {image: alpine}\nservices:\n".to_string()
                + &(0..n)
                    .map(|i| format!("  s{i}:\n    <<: *base\n"))
                    .collect::<String>()
        }),
        ("suppression comments", "c.compose.yaml", 8_000, |n| {
            "services:\n".to_string()
                + &(0..n)
                    .map(|i| {
                        format!("  # stowlint: ignore SL101 -- r\n  s{i}:\n    image: alpine\n")
                    })
                    .collect::<String>()
        }),
        (
            "stacked suppression comments",
            "c.compose.yaml",
            20_000,
            |n| {
                "services:\n  a:\n    image: alpine\n    volumes:\n".to_string()
                    + &"      # stowlint: ignore SL101 -- r\n".repeat(n)
                    + "      - /etc:/host-etc\n"
            },
        ),
        ("environment keys", "c.compose.yaml", 25_000, |n| {
            "services:\n  a:\n    image: alpine\n    environment:\n".to_string()
                + &(0..n)
                    .map(|i| format!("      K{i}: v{i}\n"))
                    .collect::<String>()
        }),
        ("volumes of one service", "c.compose.yaml", 8_000, |n| {
            "services:\n  a:\n    image: alpine\n    volumes:\n".to_string()
                + &(0..n)
                    .map(|i| format!("      - ./d{i}:/d{i}\n"))
                    .collect::<String>()
        }),
        ("pod volumes and their mounts", "pod.yaml", 5_000, |n| {
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: alpine\n    volumeMounts:\n".to_string()
                + &(0..n)
                    .map(|i| format!("    - {{name: v{i}, mountPath: /d{i}}}\n"))
                    .collect::<String>()
                + "  volumes:\n"
                + &(0..n)
                    .map(|i| format!("  - {{name: v{i}, emptyDir: {{}}}}\n"))
                    .collect::<String>()
        }),
        ("Dockerfile stages", "Dockerfile", 10_000, |n| {
            (0..n)
                .map(|i| format!("FROM alpine AS s{i}\n"))
                .collect::<String>()
        }),
        ("Dockerfile ENV lines", "Dockerfile", 10_000, |n| {
            "FROM alpine\n".to_string()
                + &(0..n)
                    .map(|i| format!("ENV A{i}=x{i}\n"))
                    .collect::<String>()
        }),
        (
            "Dockerfile VOLUME and RUN lines",
            "Dockerfile",
            5_000,
            |n| {
                "FROM postgres:16\n".to_string()
                    + &(0..n)
                        .map(|i| format!("VOLUME /v{i}\nRUN touch /w{i}\n"))
                        .collect::<String>()
            },
        ),
    ]
}

/// Every per-file pass is linear (or n log n) in the file's size: four times a construct
/// costs about four times the CPU time, where quadratic work would cost sixteen. CPU time of
/// the child, not wall-clock time, with a margin (9, plus 0.3 s for start-up and the 10 ms
/// tick) that load on the machine does not reach.
#[test]
fn repeated_constructs_take_linear_time() {
    let dir = folder("linear");
    let mut slow = Vec::new();
    for (what, name, n, make) in repeated_constructs() {
        let cpu = |k: usize| {
            write(&dir, name, make(k));
            let run = check(&dir, &["--max-file-size", "1GB", name]);
            assert!(run.code == 0 || run.code == 1, "{what}: {}", run.stderr);
            run.cpu
        };
        let (Some(small), Some(large)) = (cpu(n), cpu(4 * n)) else {
            return;
        };
        eprintln!("{what}: {n} in {small:?} of CPU, {} in {large:?}", 4 * n);
        if large >= small * 9 + Duration::from_millis(300) {
            slow.push(format!(
                "{what}: {n} took {small:?}, {} took {large:?}",
                4 * n
            ));
        }
    }
    assert!(slow.is_empty(), "not linear:\n{}", slow.join("\n"));
}

/// A lone CR ends a line, as YAML and editors read it: the finding is on its own line, not
/// on line 1.
#[test]
fn lone_cr_line_endings_keep_exact_positions() {
    let dir = folder("lone-cr");
    write(&dir, "mac.compose.yaml", BAD.replace('\n', "\r"));
    write(&dir, "mixed.compose.yaml", BAD.replacen('\n', "\r", 2));
    let run = check(&dir, &["mac.compose.yaml", "mixed.compose.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    expect_line(
        &run,
        "mac.compose.yaml",
        "mac.compose.yaml:4:16: SL101 error:",
    );
    expect_line(
        &run,
        "mixed.compose.yaml",
        "mixed.compose.yaml:4:16: SL101 error:",
    );
    // A suppression comment alone on its line speaks of the next line there too.
    let suppressed = "services:\r  db:\r    image: alpine:3.20\r    volumes:\r      # stowlint: ignore SL101 -- test\r      - /etc:/host-etc\r";
    write(&dir, "quiet.compose.yaml", suppressed);
    let run = check(&dir, &["quiet.compose.yaml"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

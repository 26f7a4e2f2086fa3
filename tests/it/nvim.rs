//! A real editor: headless Neovim drives `stowlint server` through `tests/nvim/diagnostics.lua`.
//! Skipped, with a notice, when `nvim` is not installed (`.ci/run` installs it).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn have_nvim() -> bool {
    Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn neovim_shows_and_clears_sl102() {
    if !have_nvim() {
        assert!(
            std::env::var_os("STOWLINT_REQUIRE_CLIENTS").is_none(),
            "`nvim` is not installed and STOWLINT_REQUIRE_CLIENTS is set"
        );
        eprintln!("SKIPPED neovim_shows_and_clears_sl102: `nvim` is not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("compose.yaml");
    std::fs::write(
        &file,
        "services:\n  ci:\n    image: gitlab/gitlab-runner:v17.5.0\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n",
    )
    .expect("write");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/nvim/diagnostics.lua");
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-u", "NONE", "-i", "NONE", "-n"])
        .arg("-c")
        .arg(format!("luafile {script}"))
        .env("STOWLINT_BIN", env!("CARGO_BIN_EXE_stowlint"))
        .env("STOWLINT_FILE", &file)
        .env("STOWLINT_LINE", "4")
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nvim");
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("nvim did not finish within 300 s (a hang)");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        status.success(),
        "nvim failed ({status}):\n{stderr}\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(stderr.contains("ok: SL102"), "{stderr}");
}

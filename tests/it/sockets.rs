//! SL102's advice through the real binary: the example `stowlint explain SL102` recommends
//! lints as the proxy it is (info, "restrict its API"), and the bad example stays an error.

use crate::common::{run_text, tree};

use serde_json::Value;

/// The YAML blocks of `stowlint explain SL102`: the bad example, then the fix.
fn explained_examples() -> Vec<String> {
    let dir = tree(&[]);
    let (code, text, err) = run_text(dir.path(), &["explain", "SL102"]);
    assert_eq!(code, 0, "{err}");
    text.split("```yaml\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap_or_default().to_string())
        .collect()
}

/// `(code, severity, message)` of each finding on `compose.yaml`.
fn check(compose: &str) -> Vec<(String, String, String)> {
    let dir = tree(&[("compose.yaml", compose)]);
    let (_, out, err) = run_text(dir.path(), &["check", "--format", "json", "compose.yaml"]);
    let report: Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("JSON ({e}): {out}{err}"));
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
            (s("code"), s("severity"), s("message"))
        })
        .collect()
}

#[test]
fn explain_sl102_recommends_a_proxy_that_works() {
    let examples = explained_examples();
    assert_eq!(examples.len(), 2, "{examples:#?}");
    let bad = check(&examples[0]);
    assert!(
        bad.iter().any(|(c, s, _)| c == "SL102" && s == "error"),
        "{bad:#?}"
    );
    let fix = &examples[1];
    // The proxy mounts the socket and the client reaches it: the example would run.
    assert!(
        fix.contains("/var/run/docker.sock:/var/run/docker.sock"),
        "{fix}"
    );
    assert!(
        fix.contains("DOCKER_HOST: \"tcp://docker-proxy:2375\""),
        "{fix}"
    );
    let found = check(fix);
    let socket: Vec<_> = found.iter().filter(|(c, _, _)| c == "SL102").collect();
    assert_eq!(socket.len(), 1, "{found:#?}");
    let (_, severity, message) = socket[0];
    assert_eq!(severity, "info");
    assert!(
        message.contains("this is the proxy; restrict its API"),
        "{message}"
    );
    assert!(
        found.iter().all(|(_, s, _)| s == "info"),
        "the recommended fix raises nothing above info: {found:#?}"
    );
}

#[test]
fn socket_proxies_by_their_images() {
    for image in [
        "tecnativa/docker-socket-proxy:latest",
        "lscr.io/linuxserver/socket-proxy:1.26.2",
        "11notes/socket-proxy:2",
        "ghcr.io/tecnativa/docker-socket-proxy",
    ] {
        let compose = format!(
            "services:\n  proxy:\n    image: {image}\n    volumes:\n      \
             - /var/run/docker.sock:/var/run/docker.sock:ro\n"
        );
        let found = check(&compose);
        assert_eq!(
            found
                .iter()
                .map(|(c, s, _)| format!("{c} {s}"))
                .collect::<Vec<_>>(),
            ["SL102 info"],
            "{image}: {found:#?}"
        );
    }
    // Anything else that mounts the socket is still the error it was.
    let found = check(
        "services:\n  ui:\n    image: portainer/portainer-ce:2.21\n    volumes:\n      \
         - /var/run/docker.sock:/var/run/docker.sock\n",
    );
    assert!(
        found.iter().any(|(c, s, _)| c == "SL102" && s == "error"),
        "{found:#?}"
    );
}

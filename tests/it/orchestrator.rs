//! SL4xx across files (a claim, an autoscaler or a Dockerfile in another file of the run), and
//! swarm detection forced from the command line.

use std::path::{Path, PathBuf};
use std::process::Command;

use stowlint::engine::Diagnostic;

fn cross(case: &str, files: &[&str]) -> Vec<Diagnostic> {
    let root = crate::common::root().join("fixtures/cross").join(case);
    let paths: Vec<PathBuf> = files.iter().map(|f| root.join(f)).collect();
    crate::common::lint(&paths).1
}

fn with_code<'a>(diagnostics: &'a [Diagnostic], code: &str) -> Vec<&'a Diagnostic> {
    diagnostics.iter().filter(|d| d.code == code).collect()
}

#[test]
fn rwo_claim_in_another_file_shared_by_replicas() {
    let diagnostics = cross("rwo-claim", &["deployment.yaml", "claim.yaml"]);
    let found = with_code(&diagnostics, "SL404");
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    let d = found[0];
    assert!(d.file.ends_with("rwo-claim/deployment.yaml"));
    assert_eq!(d.location.start.line, 23, "the claimName line");
    assert_eq!(
        d.message,
        "Deployment/uploads runs 3 replicas that all mount ReadWriteOnce claim `uploads-files`"
    );
    let claim = d
        .related
        .iter()
        .find(|r| r.file.ends_with("rwo-claim/claim.yaml"))
        .expect("related claim location");
    assert_eq!(claim.location.start.line, 7, "the claim's accessModes");
    let replicas = d
        .related
        .iter()
        .find(|r| r.file.ends_with("rwo-claim/deployment.yaml"))
        .expect("related replicas");
    assert_eq!(replicas.location.start.line, 7, "`replicas: 3`");
    // SL404 wins over SL405 on the same mount (default RollingUpdate strategy).
    assert!(
        with_code(&diagnostics, "SL405").is_empty(),
        "{diagnostics:#?}"
    );
}

#[test]
fn a_claim_another_workload_mounts_makes_the_rollout_info() {
    // Two Deployments hold one ReadWriteOnce claim at once: where that works their pods share
    // a node, and a rolling update's new pod attaches the volume too.
    let diagnostics = cross(
        "rwo-claim-users",
        &["authority.yaml", "claim.yaml", "peer.yaml"],
    );
    let found = with_code(&diagnostics, "SL405");
    assert_eq!(found.len(), 2, "{diagnostics:#?}");
    for d in &found {
        assert_eq!(d.severity, stowlint::engine::Severity::Info, "{d:#?}");
        let other = if d.file.ends_with("peer.yaml") {
            "authority.yaml"
        } else {
            "peer.yaml"
        };
        let related = d
            .related
            .iter()
            .find(|r| r.file.ends_with(other))
            .expect("the other workload");
        assert!(
            related
                .message
                .contains("mounts the same claim at the same time")
        );
        assert_eq!(related.location.start.line, 5, "the other workload's name");
    }
    // Without the other workload in the run, the rollout is the warning it always was.
    let alone = cross("rwo-claim-users", &["claim.yaml", "peer.yaml"]);
    let found = with_code(&alone, "SL405");
    assert_eq!(found.len(), 1, "{alone:#?}");
    assert_eq!(found[0].severity, stowlint::engine::Severity::Warning);
}

#[test]
fn without_the_claim_nothing_is_known() {
    let diagnostics = cross("rwo-claim", &["deployment.yaml"]);
    assert!(with_code(&diagnostics, "SL404").is_empty());
    assert!(with_code(&diagnostics, "SL405").is_empty());
}

#[test]
fn an_autoscaler_in_a_third_file_scales_past_one() {
    let diagnostics = cross(
        "rwo-claim-hpa",
        &["deployment.yaml", "claim.yaml", "hpa.yaml"],
    );
    let found = with_code(&diagnostics, "SL404");
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    let d = found[0];
    assert_eq!(d.location.start.line, 24, "the claimName line");
    assert!(
        d.message.contains("up to 8 replicas (HPA renderer)"),
        "{}",
        d.message
    );
    let hpa = d
        .related
        .iter()
        .find(|r| r.file.ends_with("rwo-claim-hpa/hpa.yaml"))
        .expect("related HPA location");
    assert_eq!(hpa.location.start.line, 12, "maxReplicas");
    // The block-style `accessModes` value starts at its first item.
    assert!(
        d.related
            .iter()
            .any(|r| r.file.ends_with("rwo-claim-hpa/claim.yaml") && r.location.start.line == 8),
        "{:#?}",
        d.related
    );
    // Recreate: no rolling-update finding either.
    assert!(with_code(&diagnostics, "SL405").is_empty());

    // Without the autoscaler the Deployment runs its default single replica.
    let diagnostics = cross("rwo-claim-hpa", &["deployment.yaml", "claim.yaml"]);
    assert!(
        with_code(&diagnostics, "SL404").is_empty(),
        "{diagnostics:#?}"
    );
}

#[test]
fn a_read_write_many_claim_is_shareable() {
    let diagnostics = cross("rwx-claim", &["deployment.yaml", "claim.yaml"]);
    assert!(
        with_code(&diagnostics, "SL404").is_empty(),
        "{diagnostics:#?}"
    );
    assert!(
        with_code(&diagnostics, "SL405").is_empty(),
        "{diagnostics:#?}"
    );
}

#[test]
fn a_swarm_service_built_from_a_database_image() {
    let diagnostics = cross("swarm-build", &["stack.yml", "db/Dockerfile"]);
    let found = with_code(&diagnostics, "SL402");
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    let d = found[0];
    assert_eq!(d.location.start.line, 6);
    assert!(d.message.contains("mssql/server data"), "{}", d.message);
    assert!(
        d.related
            .iter()
            .any(|r| r.file.ends_with("swarm-build/db/Dockerfile") && r.location.start.line == 2),
        "{:#?}",
        d.related
    );
    // SL402 wins over SL406 for the same bind mount.
    assert!(
        with_code(&diagnostics, "SL406").is_empty(),
        "{diagnostics:#?}"
    );

    // Without the Dockerfile the image is unknown: only the bind itself is reported.
    let diagnostics = cross("swarm-build", &["stack.yml"]);
    assert!(with_code(&diagnostics, "SL402").is_empty());
    assert_eq!(with_code(&diagnostics, "SL406").len(), 1);
}

const PLAIN_COMPOSE: &str = "\
services:
  web:
    image: nginx:1.27
    volumes:
      - /srv/site:/usr/share/nginx/html:ro
";

fn check(dir: &Path, mode: &str) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_stowlint"))
        .args(["check", "--format", "json", "--compose-mode", mode, "."])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run stowlint");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("JSON output ({e}): {stdout}"));
    json["diagnostics"].as_array().expect("diagnostics").clone()
}

#[test]
fn compose_mode_decides_swarm_from_the_command_line() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("orchestrator-compose-mode");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    std::fs::write(dir.join("compose.yaml"), PLAIN_COMPOSE).expect("write compose file");

    let swarm = check(&dir, "swarm");
    let sl406: Vec<_> = swarm.iter().filter(|d| d["code"] == "SL406").collect();
    assert_eq!(sl406.len(), 1, "{swarm:#?}");
    assert_eq!(sl406[0]["span"]["start"]["line"], 5);

    for mode in ["standalone", "auto"] {
        let diags = check(&dir, mode);
        assert!(
            !diags.iter().any(|d| d["code"] == "SL406"),
            "{mode}: {diags:#?}"
        );
    }
}

#[test]
fn a_node_local_class_and_its_claim_in_other_files() {
    let diagnostics = cross(
        "node-local-class",
        &["deployment.yaml", "claim.yaml", "classes.yaml"],
    );
    let found = with_code(&diagnostics, "SL408");
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    let d = found[0];
    assert!(d.file.ends_with("node-local-class/deployment.yaml"));
    assert_eq!(d.location.start.line, 25, "the claimName line");
    assert!(
        d.message
            .contains("on claim `search-data` of class `nvme` (`topolvm.io`)"),
        "{}",
        d.message
    );
    let line_in = |file: &str| {
        d.related
            .iter()
            .find(|r| r.file.ends_with(file))
            .map(|r| r.location.start.line)
    };
    assert_eq!(
        line_in("claim.yaml"),
        Some(7),
        "the claim's storageClassName"
    );
    assert_eq!(line_in("classes.yaml"), Some(5), "the class's provisioner");
    // The class deletes released volumes by default: info.
    let reclaim = with_code(&diagnostics, "SL410");
    assert_eq!(reclaim.len(), 1, "{diagnostics:#?}");
    assert_eq!(reclaim[0].severity, stowlint::engine::Severity::Info);
}

#[test]
fn without_the_class_an_unknown_class_name_says_nothing() {
    let diagnostics = cross("node-local-class", &["deployment.yaml", "claim.yaml"]);
    assert!(
        with_code(&diagnostics, "SL408").is_empty(),
        "{diagnostics:#?}"
    );
    assert!(
        with_code(&diagnostics, "SL410").is_empty(),
        "{diagnostics:#?}"
    );
}

#[test]
fn the_default_class_of_the_run_serves_claims_that_name_none() {
    let diagnostics = cross("default-class", &["statefulset.yaml", "classes.yaml"]);
    let found = with_code(&diagnostics, "SL408");
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    let d = found[0];
    assert_eq!(d.location.start.line, 23, "the claim template's name");
    assert!(
        d.message.contains("the default class `openebs-hostpath`"),
        "{}",
        d.message
    );
    let annotation = d
        .related
        .iter()
        .find(|r| r.message.contains("is the default class"))
        .expect("the default annotation");
    assert!(annotation.file.ends_with("default-class/classes.yaml"));
    assert_eq!(annotation.location.start.line, 6);
    // Written `reclaimPolicy: Delete` on the default class: SL410 info points at it.
    let reclaim = with_code(&diagnostics, "SL410");
    assert_eq!(reclaim.len(), 1, "{diagnostics:#?}");
    assert!(
        reclaim[0]
            .related
            .iter()
            .any(|r| r.file.ends_with("classes.yaml") && r.location.start.line == 9),
        "{:#?}",
        reclaim[0].related
    );
    // Alone, the StatefulSet's class is unknown.
    let alone = cross("default-class", &["statefulset.yaml"]);
    assert!(with_code(&alone, "SL408").is_empty(), "{alone:#?}");
}

#[test]
fn a_volume_deleted_with_its_claim_in_another_file() {
    let diagnostics = cross(
        "reclaimed-volume",
        &["deployment.yaml", "claim.yaml", "volume.yaml"],
    );
    let found = with_code(&diagnostics, "SL410");
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    let d = found[0];
    assert_eq!(d.severity, stowlint::engine::Severity::Warning);
    assert_eq!(d.location.start.line, 25, "the claimName line");
    let policy = d
        .related
        .iter()
        .find(|r| r.file.ends_with("reclaimed-volume/volume.yaml"))
        .expect("the volume's reclaim policy");
    assert_eq!(policy.location.start.line, 9);
    // Without the volume, a claim of no class tells nothing.
    let alone = cross("reclaimed-volume", &["deployment.yaml", "claim.yaml"]);
    assert!(with_code(&alone, "SL410").is_empty(), "{alone:#?}");
}

#[test]
fn a_test_fixtures_storage_class_does_not_describe_production() {
    let diagnostics = cross(
        "fixture-class",
        &[
            "deploy/db.yaml",
            "tests/integration/db.yaml",
            "tests/integration/storage-class.yaml",
        ],
    );
    let in_deploy = |code: &str| {
        with_code(&diagnostics, code)
            .iter()
            .filter(|d| d.file.ends_with("fixture-class/deploy/db.yaml"))
            .count()
    };
    assert_eq!(in_deploy("SL408"), 0, "{diagnostics:#?}");
    assert_eq!(in_deploy("SL410"), 0, "{diagnostics:#?}");
    // The test's own StatefulSet runs on the test's class.
    let in_tests: Vec<_> = with_code(&diagnostics, "SL408")
        .into_iter()
        .filter(|d| d.file.ends_with("tests/integration/db.yaml"))
        .collect();
    assert_eq!(in_tests.len(), 1, "{diagnostics:#?}");
}

#[test]
fn a_claims_selector_finds_its_volume_in_another_file() {
    let together = cross("selector-volume", &["app.yaml", "volumes.yaml"]);
    assert!(
        with_code(&together, "SL405").is_empty(),
        "a node's folder needs no attaching: {together:#?}"
    );
    assert_eq!(with_code(&together, "SL408").len(), 1, "{together:#?}");
    let alone = cross("selector-volume", &["app.yaml"]);
    let rolling = with_code(&alone, "SL405");
    assert_eq!(rolling.len(), 1, "{alone:#?}");
    assert_eq!(rolling[0].severity, stowlint::engine::Severity::Warning);
}

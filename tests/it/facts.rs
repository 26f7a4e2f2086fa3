//! Cross-file facts: a compose build resolved to its Dockerfile's stateful base, a claim
//! declared in another file.

use stowlint::rules::facts::{coverage, image_facts};

#[test]
fn compose_build_follows_the_from_chain_to_the_catalog() {
    let root = crate::common::root().join("fixtures/cross/mssql-build");
    let (project, _) =
        crate::common::lint(&[root.join("compose.yaml"), root.join("db/Dockerfile")]);
    let compose = &project.files[0];
    let service = &compose.workloads[0];
    let facts = image_facts(&project, service, &service.containers[0]).expect("stateful build");
    assert_eq!(facts.stateful.repository, "mssql/server");
    assert_eq!(
        facts.reference,
        "mcr.microsoft.com/mssql/server:2022-latest"
    );
    let (from_file, from_span) = facts.from.clone().expect("FROM location");
    assert!(from_file.ends_with("db/Dockerfile"));
    let dockerfile = project
        .source(&from_file)
        .expect("the Dockerfile is in the run");
    assert_eq!(dockerfile.pos(from_span.start()).line, 2);
    assert_eq!(facts.data_paths(), ["/var/opt/mssql/data"]);
    // The Dockerfile's own VOLUME is an image volume, but it does not cover the data path.
    assert!(
        facts
            .volumes
            .iter()
            .any(|v| v.path == "/var/opt/mssql/backup" && v.declared.is_some())
    );
    assert!(facts.image_volume("/var/opt/mssql/data").is_none());
    let cover = coverage(&facts, &service.containers[0]);
    assert_eq!(cover.len(), 1);
    assert!(cover[0].mount.is_none());
}

#[test]
fn a_build_whose_dockerfile_is_not_in_the_run_is_unknown() {
    let root = crate::common::root().join("fixtures/cross/mssql-build");
    let (project, _) = crate::common::lint(&[root.join("compose.yaml")]);
    let service = &project.files[0].workloads[0];
    assert!(image_facts(&project, service, &service.containers[0]).is_none());
}

#[test]
fn claims_resolve_across_files_by_name_and_namespace() {
    let root = crate::common::root().join("fixtures/cross/rwo-claim");
    let (project, _) =
        crate::common::lint(&[root.join("deployment.yaml"), root.join("claim.yaml")]);
    let from = &project.files[0].source.path;
    let (file, claim) = project
        .claim("uploads-files", Some("web"), from)
        .expect("claim");
    assert!(file.source.path.ends_with("claim.yaml"));
    assert_eq!(claim.access_modes[0].value, "ReadWriteOnce");
    assert!(
        project
            .claim("uploads-files", Some("other"), from)
            .is_none()
    );
    assert!(project.claim("missing", Some("web"), from).is_none());
}

/// The command line as the parsers read it (compose strings and lists, Kubernetes
/// `command`/`args`) decides where the data is, whether it is kept, and who runs the server.
#[test]
fn command_lines_move_switch_off_or_drop_the_data() {
    let root = crate::common::root();
    let (project, _) = crate::common::lint(&[
        root.join("fixtures/SL201/ok-command.compose.yaml"),
        root.join("fixtures/SL201/ok-command.k8s.yaml"),
    ]);
    let paths = |file: usize, workload: &str, container: usize| {
        let w = project.files[file]
            .workloads
            .iter()
            .find(|w| w.name == workload)
            .expect(workload);
        image_facts(&project, w, &w.containers[container]).map(|f| f.data_paths())
    };
    let some = |p: &[&str]| Some(p.iter().map(|s| (*s).to_string()).collect::<Vec<_>>());
    assert_eq!(paths(0, "storage", 0), some(&["/export1", "/export2"]));
    assert_eq!(paths(0, "mongo", 0), some(&["/srv/mongo"]));
    assert_eq!(paths(0, "prometheus", 0), some(&["/tsdb"]));
    assert_eq!(paths(0, "cache", 0), some(&[]), "persistence switched off");
    assert_eq!(paths(0, "unknown-dir", 0), some(&[]), "an unresolved --dir");
    assert_eq!(paths(0, "buckets", 0), None, "mc is a tool");
    assert_eq!(paths(0, "backup", 0), None, "mysqldump is a tool");
    assert!(
        project.files[0]
            .workloads
            .iter()
            .any(|w| w.name == "cache" && w.containers[0].read_only_root)
    );
    assert_eq!(paths(1, "minio", 0), some(&["/storage"]));
    for (i, expected) in [None, None, some(&[]), None].into_iter().enumerate() {
        assert_eq!(paths(1, "redis-tools", i), expected, "container #{i}");
    }
    assert!(
        project.files[1]
            .workloads
            .iter()
            .any(|w| w.name == "readonly-search" && w.containers[0].read_only_root)
    );
}

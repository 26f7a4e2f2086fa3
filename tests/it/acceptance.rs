//! The foundation's acceptance scenario, end to end through the real binary.

use crate::common::{run_text as stowlint, scratch};

use std::path::Path;
use std::process::Command;

const SOCKET_COMPOSE: &str = "\
services:
  ci:
    image: docker:27-cli
    command: [\"docker\", \"ps\"]
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
";

const TWO_DOCUMENTS: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: app
          image: example/api:1.0
          volumeMounts:
            - name: host-etc
              mountPath: /host/etc
      volumes:
        - name: host-etc
          hostPath: {path: /etc}
";

const BROKEN_COMPOSE: &str = "\
services:
  web:
    image: nginx:1.27
    ports: [\"80:80\"
  db:
    image: postgres:17
";

const DOCKERFILE: &str = "\
FROM alpine:3.20
RUN apk add --no-cache curl
CMD [\"curl\", \"--version\"]
";

#[test]
fn reports_exact_lines_across_formats_and_exits_1() {
    let dir = scratch("mixed");
    std::fs::write(dir.join("compose.yaml"), SOCKET_COMPOSE).unwrap();
    std::fs::write(dir.join("deploy.yaml"), TWO_DOCUMENTS).unwrap();
    std::fs::write(dir.join("Dockerfile"), DOCKERFILE).unwrap();
    std::fs::create_dir_all(dir.join("broken")).unwrap();
    std::fs::write(dir.join("broken/docker-compose.yml"), BROKEN_COMPOSE).unwrap();

    let (code, stdout, stderr) = stowlint(&dir, &["check", "--format", "json", "."]);
    assert_eq!(code, 1, "stdout:\n{stdout}\nstderr:\n{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON output");
    assert_eq!(json["version"], 1);
    let diags = json["diagnostics"].as_array().expect("diagnostics");
    let find = |code: &str, file: &str| {
        diags
            .iter()
            .find(|d| d["code"] == code && d["file"] == file)
            .unwrap_or_else(|| panic!("no {code} in {file}: {stdout}"))
    };

    let socket = find("SL102", "compose.yaml");
    assert_eq!(socket["span"]["start"]["line"], 6);
    assert_eq!(socket["span"]["start"]["column"], 9);
    assert_eq!(
        socket["span"]["end"]["column"], 29,
        "the span covers the source path"
    );

    let etc = find("SL101", "deploy.yaml");
    assert_eq!(etc["span"]["start"]["line"], 28, "the `path: /etc` line");
    let offset = etc["span"]["offset"].as_u64().unwrap() as usize;
    let length = etc["span"]["length"].as_u64().unwrap() as usize;
    assert_eq!(&TWO_DOCUMENTS[offset..offset + length], "/etc");

    let syntax = find("SL001", "broken/docker-compose.yml");
    assert_eq!(syntax["span"]["start"]["line"], 5, "{syntax}");

    // The socket is not also reported as a sensitive path (/var/run): SL102 wins.
    assert!(
        !diags
            .iter()
            .any(|d| d["code"] == "SL101" && d["file"] == "compose.yaml"),
        "{stdout}"
    );
    assert_eq!(json["summary"]["files"], 4);
}

#[test]
fn a_clean_folder_exits_0() {
    let dir = scratch("clean");
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  db:\n    image: postgres:17\n    volumes:\n      - db-data:/var/lib/postgresql/data\nvolumes:\n  db-data:\n",
    )
    .unwrap();
    std::fs::write(dir.join("Dockerfile"), DOCKERFILE).unwrap();
    let (code, stdout, stderr) = stowlint(&dir, &["check", "."]);
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
}

#[test]
fn a_missing_path_exits_2() {
    let dir = scratch("missing");
    let (code, _, stderr) = stowlint(&dir, &["check", "does-not-exist"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("does-not-exist"), "{stderr}");
}

/// A pre-commit hook passes only the changed compose file: the Dockerfile its `build:` names
/// is read for facts, but its own findings are not reported and it is not counted.
#[test]
fn a_build_dockerfile_not_named_is_context_only() {
    let dir = scratch("context");
    std::fs::create_dir_all(dir.join("db")).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  db:\n    build: ./db\n",
    )
    .unwrap();
    std::fs::write(dir.join("db/Dockerfile"), "FROM postgres:17\nCOPPY x /x\n").unwrap();
    let (code, stdout, stderr) = stowlint(&dir, &["check", "--format", "json", "compose.yaml"]);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON output");
    assert!(
        !json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["file"] == "db/Dockerfile"),
        "{stdout}\n{stderr}"
    );
    assert_eq!(json["summary"]["files"], 1);
    // The facts resolved through the context Dockerfile: postgres keeps its data in the
    // official image's anonymous volume.
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "SL202" && d["file"] == "compose.yaml"),
        "{stdout}"
    );
    assert_eq!(code, 1, "{stderr}");
}

/// A pre-commit hook passes only the changed manifest: the claim it mounts and the autoscaler
/// that scales it, in YAML files of its folder or the folders above it (up to the repository
/// root), are read for facts; their own findings are not reported.
#[test]
fn claims_and_autoscalers_above_a_named_manifest_are_context_only() {
    let dir = scratch("claim-context");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join("k8s/apps/api")).unwrap();
    std::fs::create_dir_all(dir.join("k8s/elsewhere")).unwrap();
    std::fs::write(
        dir.join("k8s/storage.yaml"),
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: api-data\nspec:\n  accessModes: [ReadWriteOnce]\n---\napiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: local-pv\nspec:\n  local: {path: /mnt/disk}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("hpa.yml"),
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}\n  maxReplicas: 5\n",
    )
    .unwrap();
    // Not above the manifest: not read.
    std::fs::write(
        dir.join("k8s/elsewhere/hpa.yaml"),
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef: {kind: Deployment, name: web}\n  maxReplicas: 5\n",
    )
    .unwrap();
    let deployment = |name: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 1\n  strategy: {{type: Recreate}}\n  template:\n    spec:\n      containers:\n        - name: app\n          image: example/app:1\n          volumeMounts: [{{name: data, mountPath: /data}}]\n      volumes:\n        - name: data\n          persistentVolumeClaim: {{claimName: api-data}}\n"
        )
    };
    std::fs::write(dir.join("k8s/apps/api/api.yaml"), deployment("api")).unwrap();
    std::fs::write(dir.join("k8s/apps/api/web.yaml"), deployment("web")).unwrap();

    let (code, stdout, stderr) = stowlint(
        &dir,
        &[
            "check",
            "--format",
            "json",
            "k8s/apps/api/api.yaml",
            "k8s/apps/api/web.yaml",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON output");
    let found: Vec<(String, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("k8s/apps/api/api.yaml".to_string(), "SL404".to_string())],
        "{stdout}\n{stderr}"
    );
    let related = &json["diagnostics"][0]["related"];
    assert!(
        related.to_string().contains("k8s/storage.yaml"),
        "{related}"
    );
    assert_eq!(json["summary"]["files"], 2);
    assert_eq!(code, 1, "{stderr}");
}

/// Output is identical across runs, whatever order the parallel loader finishes in.
#[test]
fn output_is_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let runs: Vec<String> = (0..3)
        .map(|_| stowlint(root, &["check", "--format", "json", "fixtures"]).1)
        .collect();
    assert!(runs[0].len() > 1000, "{}", runs[0]);
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[1], runs[2]);
}

/// Helm templates are not YAML until rendered: skipped in a walk; the rendered output is
/// linted from standard input.
#[test]
fn helm_templates_are_skipped_and_rendered_output_is_read_from_stdin() {
    let dir = scratch("helm");
    std::fs::create_dir_all(dir.join("chart/templates")).unwrap();
    std::fs::write(
        dir.join("chart/Chart.yaml"),
        "apiVersion: v2\nname: app\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("chart/templates/deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\nspec: {}\n{{- end }}\n",
    )
    .unwrap();
    let (code, stdout, stderr) = stowlint(&dir, &["check", "--format", "concise", "."]);
    assert_eq!(code, 0, "{stdout}{stderr}");

    let rendered = TWO_DOCUMENTS;
    let mut child = Command::new(env!("CARGO_BIN_EXE_stowlint"))
        .args(["check", "--format", "concise", "-"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run stowlint");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(rendered.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("<stdin>:28:"), "{stdout}");
}

/// A file named like a compose file that holds a list (an Ansible role's `tasks/compose.yml`)
/// is no compose file: skipped in a walk, and an error only when named.
#[test]
fn a_list_named_like_a_compose_file_is_not_one_in_a_walk() {
    let dir = scratch("ansible-compose");
    std::fs::create_dir_all(dir.join("roles/app/tasks")).unwrap();
    std::fs::write(
        dir.join("roles/app/tasks/compose.yml"),
        "---\n- name: Start the stack\n  community.docker.docker_compose_v2:\n    project_src: /opt/app\n",
    )
    .unwrap();
    let (code, stdout, stderr) = stowlint(&dir, &["check", "--format", "concise", "."]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains("SL001"), "{stdout}");
    let (code, stdout, _) = stowlint(
        &dir,
        &[
            "check",
            "--format",
            "concise",
            "roles/app/tasks/compose.yml",
        ],
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("SL001 error: compose file is not a mapping"),
        "{stdout}"
    );
}

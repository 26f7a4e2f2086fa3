//! `cargo bench`: parse + lint throughput on generated inputs (no timing in tests).
//!
//! Prints MB/s and µs per file for compose files, multi-document Kubernetes manifests and
//! Dockerfiles, and the cost of one large file. Compare runs on one machine only.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use stowlint::engine;
use stowlint::model::{Project, SourceFile};
use stowlint::parse::{self, ParseOptions};

fn compose(i: usize) -> String {
    let mut s = String::from("x-common: &common\n  restart: unless-stopped\nservices:\n");
    for j in 0..8 {
        let _ = write!(
            s,
            "  svc{j}:\n    <<: *common\n    image: postgres:17\n    environment:\n      PGDATA: /var/lib/postgresql/data\n    volumes:\n      - ./data{i}-{j}:/var/lib/postgresql/data\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n      - type: bind\n        source: /srv/{i}/{j}\n        target: /srv\n        bind:\n          propagation: rshared\n    tmpfs:\n      - /tmp:size=64m\n"
        );
    }
    s.push_str("volumes:\n  data:\n");
    s
}

fn manifest(i: usize) -> String {
    let mut s = String::new();
    for j in 0..6 {
        let _ = write!(
            s,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}-{j}\n  namespace: ns{i}\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {{app: a}}\n  template:\n    metadata:\n      labels: {{app: a}}\n    spec:\n      containers:\n        - name: app\n          image: example/app:{j}\n          volumeMounts:\n            - {{name: etc, mountPath: /host/etc, readOnly: true}}\n            - {{name: data, mountPath: /data}}\n      volumes:\n        - name: etc\n          hostPath: {{path: /etc, type: Directory}}\n        - name: data\n          persistentVolumeClaim: {{claimName: data-{j}}}\n"
        );
    }
    s
}

fn dockerfile(i: usize) -> String {
    format!(
        "# syntax=docker/dockerfile:1\nARG BASE=alpine:3.20\nFROM ${{BASE}} AS build{i}\nRUN --mount=type=cache,target=/root/.cache <<EOF\nset -e\napk add curl\nEOF\nFROM build{i}\nENV DATA=/data\nVOLUME [\"/data\", \"/logs\"]\nRUN mkdir -p $DATA && chown 1000 $DATA\nCMD [\"sh\"]\n"
    )
}

fn bench(name: &str, files: Vec<(String, String)>) {
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let opts = ParseOptions::default();
    let mut best = Duration::MAX;
    let mut findings = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let parsed = files
            .iter()
            .filter_map(|(p, t)| parse::parse_file(SourceFile::new(p, t.clone()), &opts, true))
            .collect();
        let project = Project::new(parsed);
        let diagnostics = engine::run(&project, stowlint::rules::RULES);
        findings = black_box(diagnostics.len());
        best = best.min(start.elapsed());
    }
    #[allow(clippy::cast_precision_loss)]
    let mbps = bytes as f64 / 1e6 / best.as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let per_file = best.as_secs_f64() * 1e6 / files.len() as f64;
    println!(
        "{name:<28} {:>5} files {:>8.1} KB  best {:>8.2} ms  {mbps:>7.1} MB/s  {per_file:>8.1} µs/file  {findings} findings",
        files.len(),
        bytes as f64 / 1e3,
        best.as_secs_f64() * 1e3,
    );
}

fn main() {
    bench(
        "compose (8 services)",
        (0..300)
            .map(|i| (format!("c{i}/compose.yaml"), compose(i)))
            .collect(),
    );
    bench(
        "kubernetes (6 documents)",
        (0..300)
            .map(|i| (format!("k{i}/deploy.yaml"), manifest(i)))
            .collect(),
    );
    bench(
        "dockerfile (2 stages)",
        (0..300)
            .map(|i| (format!("d{i}/Dockerfile"), dockerfile(i)))
            .collect(),
    );
    let big: String = (0..400).map(manifest).collect();
    bench("one large manifest", vec![("big.yaml".into(), big)]);
}

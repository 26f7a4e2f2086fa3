//! `cargo bench --bench pipeline`: parse and lint throughput on generated inputs (divan).
//!
//! Measures, on batches of 100 compose files, multi-document Kubernetes manifests and
//! Dockerfiles: each parser alone, the YAML layer alone, the rule engine alone (parsed outside
//! the timing), and the streaming pipeline over a mix of the three; then parse + lint of one
//! large manifest. Divan prints time per batch with bytes and files per second. Compare runs
//! on one machine only; `cargo bench --bench pipeline -- engine` runs only matching benches.

use std::fmt::Write as _;
use std::path::PathBuf;

use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use stowlint::engine;
use stowlint::model::{FileModel, Project, SourceFile};
use stowlint::parse;
use stowlint::pipeline;

/// Files per batch.
const BATCH: usize = 100;

fn main() {
    divan::main();
}

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

/// The three input formats; benches taking `args = KINDS` run once per format.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Compose,
    Kubernetes,
    Dockerfile,
}

const KINDS: [Kind; 3] = [Kind::Compose, Kind::Kubernetes, Kind::Dockerfile];

/// A batch of `BATCH` generated files of one format: (path, text).
fn files(kind: Kind) -> Vec<(PathBuf, String)> {
    (0..BATCH)
        .map(|i| match kind {
            Kind::Compose => (format!("c{i}/compose.yaml").into(), compose(i)),
            Kind::Kubernetes => (format!("k{i}/deploy.yaml").into(), manifest(i)),
            Kind::Dockerfile => (format!("d{i}/Dockerfile").into(), dockerfile(i)),
        })
        .collect()
}

fn one_large() -> Vec<(PathBuf, String)> {
    vec![("big.yaml".into(), (0..400).map(manifest).collect())]
}

/// Bytes and files of `files`, for throughput.
fn counted<'a, 'b>(bencher: Bencher<'a, 'b>, files: &[(PathBuf, String)]) -> Bencher<'a, 'b> {
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    bencher
        .counter(BytesCount::new(bytes))
        .counter(ItemsCount::new(files.len()))
}

fn parse_all(files: Vec<(PathBuf, String)>) -> Vec<FileModel> {
    let opts = stowlint::discover::parse_options();
    files
        .into_iter()
        .filter_map(|(p, t)| parse::parse_file(SourceFile::new(p, t), &opts, true))
        .collect()
}

/// `parse_file` alone: path detection, YAML or Dockerfile parsing, the format's model. The
/// texts are copied before the timing.
#[divan::bench(args = KINDS, sample_count = 30)]
fn parse_file(bencher: Bencher, kind: Kind) {
    let files = files(kind);
    counted(bencher, &files)
        .with_inputs(|| files.clone())
        .bench_values(parse_all);
}

/// The YAML layer alone (`parse::yaml::parse`), on the YAML formats.
#[divan::bench(args = [Kind::Compose, Kind::Kubernetes], sample_count = 30)]
fn yaml(bencher: Bencher, kind: Kind) {
    let files = files(kind);
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|(p, t)| SourceFile::new(p, t.clone()))
        .collect();
    counted(bencher, &files).bench(|| {
        sources
            .iter()
            .map(parse::yaml::parse)
            .map(|s| s.documents.len())
            .sum::<usize>()
    });
}

/// `engine::run` with every rule over a project of one batch, parsed before the timing.
#[divan::bench(args = KINDS, sample_count = 30)]
fn engine(bencher: Bencher, kind: Kind) {
    let files = files(kind);
    counted(bencher, &files)
        .with_inputs(|| Project::new(parse_all(files.clone())))
        .bench_refs(|project| engine::run(project, stowlint::rules::RULES));
}

/// `pipeline::lint`, the streaming run, over one batch of each format held in memory: each
/// input copies and parses its text when loaded, inside the timing. The inputs are not named
/// on the command line (`explicit` false), so no claim files are looked for on disk.
#[divan::bench(sample_count = 20)]
fn streaming(bencher: Bencher) {
    let files: Vec<(PathBuf, String)> = KINDS.into_iter().flat_map(files).collect();
    let opts = stowlint::discover::parse_options();
    let inputs: Vec<pipeline::Input<'_>> = files
        .iter()
        .map(|(p, t)| {
            let opts = &opts;
            pipeline::Input::new(p.clone(), false, move || {
                parse::parse_file(SourceFile::new(p, t.clone()), opts, true)
            })
        })
        .collect();
    let options = pipeline::Options {
        keep_text: false,
        ..pipeline::Options::every_rule("/nonexistent")
    };
    counted(bencher, &files).bench(|| pipeline::lint(&inputs, &options));
}

/// Parse + lint of one large manifest (400 × 6 documents).
#[divan::bench(sample_count = 20)]
fn one_large_manifest(bencher: Bencher) {
    let files = one_large();
    counted(bencher, &files)
        .with_inputs(|| files.clone())
        .bench_values(|files| engine::run(&Project::new(parse_all(files)), stowlint::rules::RULES));
}

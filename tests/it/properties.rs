//! Properties that hold for any input: no panic, spans inside their file on character
//! boundaries with line and column as the line index says, and findings that depend neither
//! on the run nor on the order files come in. Raw bytes find little in a YAML parser, so most
//! inputs are built from the pieces real configurations are made of. The fuzz targets in
//! `fuzz/` check the same invariants for longer.

use proptest::prelude::*;
use proptest::test_runner::Config;
use stowlint::engine::{self, Diagnostic};
use stowlint::model::{FileModel, Project, SourceFile};
use stowlint::parse::{self, ComposeMode, ParseOptions};

fn config(cases: u32) -> Config {
    Config {
        cases,
        // Failures become literal regression tests, not files beside this one.
        failure_persistence: None,
        // The same cases on every run: `cargo test` must not pass or fail by luck. The fuzz
        // targets explore new inputs; these guard the shapes they cover.
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5701_11e7),
        ..Config::default()
    }
}

fn parse(name: &str, text: &str, mode: ComposeMode) -> Option<FileModel> {
    let opts = ParseOptions {
        compose_mode: mode,
        ..ParseOptions::default()
    };
    parse::parse_file(SourceFile::new(name, text.to_string()), &opts, true)
}

/// Lint the files as one run and check every span of every finding.
fn lint_checked(files: Vec<FileModel>) -> (Project, Vec<Diagnostic>) {
    let project = Project::new(files);
    let diagnostics = engine::run(&project, stowlint::rules::RULES);
    if let Err(e) = engine::check_spans(&project, &diagnostics) {
        panic!("{e}");
    }
    (project, diagnostics)
}

/// One file linted alone, in every compose mode.
fn lint_alone(name: &str, text: &str) {
    for mode in [
        ComposeMode::Auto,
        ComposeMode::Standalone,
        ComposeMode::Swarm,
    ] {
        if let Some(model) = parse(name, text, mode) {
            lint_checked(vec![model]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generators

/// A YAML scalar as written: plain, single-quoted or double-quoted (backslashes escaped).
fn scalar(value: String) -> impl Strategy<Value = String> {
    prop_oneof![
        Just(value.clone()),
        Just(format!("'{}'", value.replace('\'', "''"))),
        Just(format!(
            "\"{}\"",
            value.replace('\\', "\\\\").replace('"', "\\\"")
        )),
    ]
}

fn host_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "/",
        "~",
        "~/",
        "./x",
        "../data",
        "${A:-b}",
        "${DATA_DIR}",
        "${A:-/srv}/",
        "$$HOME",
        "$A",
        "C:\\x",
        "C:/data",
        "\\\\server\\share",
        "/var/run/docker.sock",
        "/run/containerd/containerd.sock",
        "/etc",
        "/var/lib/docker",
        "/proc",
        "/dev",
        "db-data",
        "data",
        "é",
        "日本",
        "x y",
        "",
    ])
}

fn target_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "/data",
        "/var/lib/postgresql/data",
        "/var/lib/mysql",
        "/tmp",
        "/var/run/docker.sock",
        "${T:-/x}",
        "C:\\data",
        "/é",
        "",
    ])
}

fn option_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "", "", ":ro", ":rw", ":z", ":Z", ":ro,z", ":cached", ":nocopy", ":", ":rshared",
    ])
}

/// A short-syntax volume string built from host, target and option pieces.
fn volume_string() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(host_piece(), 0..3),
        prop::option::of(target_piece()),
        option_piece(),
    )
        .prop_map(|(host, target, opts)| {
            let host = host.concat();
            match target {
                Some(t) if !host.is_empty() => format!("{host}:{t}{opts}"),
                Some(t) => format!("{t}{opts}"),
                None => format!("{host}{opts}"),
            }
        })
}

fn long_volume() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["bind", "volume", "tmpfs", "npipe", "image", "weird"]),
        prop::option::of(volume_string()),
        target_piece(),
        prop::option::of(prop::sample::select(vec!["true", "false", "yes", "1"])),
        prop::option::of(prop::sample::select(vec!["64m", "1g", "0", "-1", "x"])),
    )
        .prop_map(|(kind, source, target, ro, size)| {
            let mut s = format!("      - type: {kind}\n        target: '{target}'\n");
            if let Some(src) = source {
                s.push_str(&format!("        source: '{}'\n", src.replace('\'', "''")));
            }
            if let Some(ro) = ro {
                s.push_str(&format!("        read_only: {ro}\n"));
            }
            if let Some(size) = size {
                s.push_str(&format!("        tmpfs:\n          size: {size}\n"));
            }
            s
        })
}

fn service() -> impl Strategy<Value = String> {
    let short = volume_string()
        .prop_flat_map(scalar)
        .prop_map(|v| format!("      - {v}\n"));
    (
        prop::sample::select(vec![
            "postgres:16",
            "redis:7",
            "nginx",
            "mysql",
            "example/app:1",
            "${IMAGE:-minio/minio}",
        ]),
        prop::collection::vec(prop_oneof![3 => short, 1 => long_volume()], 0..4),
        prop::option::of(prop::sample::select(vec![
            "    deploy:\n      replicas: 3\n",
            "    deploy:\n      mode: global\n",
            "    tmpfs: /run\n",
            "    tmpfs: [/tmp:size=64m]\n",
            "    build: ./api\n",
            "    volumes_from: [db]\n",
            "    read_only: true\n",
        ])),
    )
        .prop_map(|(image, volumes, extra)| {
            let mut s = format!("    image: {image}\n");
            if !volumes.is_empty() {
                s.push_str("    volumes:\n");
                s.extend(volumes);
            }
            s.push_str(extra.unwrap_or(""));
            s
        })
}

fn compose_file() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(service(), 1..4),
        prop::collection::vec(
            prop::sample::select(vec![
                "  db-data:\n",
                "  data: {}\n",
                "  shared:\n    external: true\n",
                "  nfs:\n    driver: local\n    driver_opts: {type: nfs, o: 'addr=1.2.3.4', device: ':/x'}\n",
                "  hostdir:\n    driver_opts: {type: none, o: bind, device: /srv/x}\n",
            ]),
            0..3,
        ),
    )
        .prop_map(|(services, volumes)| {
            let mut s = String::from("services:\n");
            // Distinct names: a duplicate key is one SL001 and hides the rest.
            for (name, body) in ["db", "api", "é", "cache"].iter().zip(services) {
                s.push_str(&format!("  {name}:\n{body}"));
            }
            if !volumes.is_empty() {
                s.push_str("volumes:\n");
                s.extend(volumes.into_iter().map(str::to_string));
            }
            s
        })
}

fn pod_volume() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just("        - name: v\n          persistentVolumeClaim:\n            claimName: data\n".to_string()),
        2 => volume_string().prop_map(|p| format!(
            "        - name: v\n          hostPath:\n            path: '{}'\n",
            p.replace('\'', "''")
        )),
        2 => prop::sample::select(vec![
            "        - name: v\n          emptyDir: {}\n",
            "        - name: v\n          emptyDir:\n            medium: Memory\n            sizeLimit: 1Gi\n",
            "        - name: v\n          persistentVolumeClaim:\n            claimName: data\n",
            "        - name: w\n          persistentVolumeClaim:\n            claimName: other\n",
            "        - name: v\n          hostPath:\n            path: /var/run/docker.sock\n            type: Socket\n",
        ])
        .prop_map(str::to_string),
    ]
}

fn manifest() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]),
        0u8..4,
        prop::collection::vec(pod_volume(), 0..3),
        prop::sample::select(vec!["/data", "/var/lib/mysql", "/é", "C:\\x", ""]),
        any::<bool>(),
    )
        .prop_map(|(kind, replicas, volumes, path, ro)| {
            let mut s = format!(
                "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: app\n  namespace: web\n\
                 spec:\n  replicas: {replicas}\n  template:\n    spec:\n      containers:\n\
                 \x20       - name: app\n          image: postgres:16\n          volumeMounts:\n\
                 \x20           - name: v\n              mountPath: '{path}'\n              readOnly: {ro}\n"
            );
            if !volumes.is_empty() {
                s.push_str("      volumes:\n");
                s.extend(volumes);
            }
            s
        })
}

fn claim() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["data", "data", "other"]),
        prop::sample::select(vec!["ReadWriteOnce", "ReadWriteMany", "ReadWriteOncePod"]),
    )
        .prop_map(|(name, mode)| {
            format!(
                "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}\n  namespace: web\n\
                 spec:\n  accessModes: [{mode}]\n  resources:\n    requests:\n      storage: 1Gi\n"
            )
        })
}

fn dockerfile() -> impl Strategy<Value = String> {
    let from = prop::sample::select(vec![
        "FROM postgres:16\n",
        "FROM mysql:8 AS db\n",
        "ARG BASE=alpine\nFROM ${BASE}\n",
        "FROM example/app\n",
    ]);
    let lines = prop::collection::vec(
        prop_oneof![
            volume_string().prop_map(|v| format!("VOLUME {v}\n")),
            target_piece().prop_map(|t| format!("VOLUME [\"{}\"]\n", t.replace('\\', "\\\\"))),
            prop::sample::select(vec![
                "FROM postgres:16 AS db\n",
                "FROM scratch\n",
                "ARG BASE=alpine\nFROM ${BASE}\n",
                "RUN --mount=type=cache,target=/root/.cache pip install x\n",
                "RUN mkdir -p /data \\\n && chown 1000 /data\n",
                "RUN <<EOF\necho é > /data/x\nEOF\n",
                "WORKDIR /var/lib/é\n",
                "# stowlint: ignore SL204 -- seeded by the entrypoint\n",
                "USER 1000\n",
                "ENV PGDATA=/var/lib/postgresql/data\n",
                "\\\n",
                "COPY --from=db /x /y\n",
            ])
            .prop_map(str::to_string),
        ],
        0..8,
    );
    (from, lines).prop_map(|(from, lines)| format!("{from}{}", lines.concat()))
}

/// Noise: a structured file with a few bytes changed, so that parsers meet nearly valid input.
fn mutated(base: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (
        base,
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                prop::sample::select(vec![
                    "", "\t", "\n", " ", ":", "- ", "{", "[", "'", "\"", "é", "\r", "\u{feff}",
                    "&a ", "*a", "<<: *a", "!!str ", "#", "---\n", "${",
                ]),
            ),
            0..3,
        ),
    )
        .prop_map(|(mut text, edits)| {
            for (at, piece) in edits {
                let mut i = at.index(text.len() + 1);
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                text.insert_str(i, piece);
            }
            text
        })
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = String::from_utf8_lossy(&bytes);
        for name in HOSTILE_NAMES {
            lint_alone(name, &text);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[ -~\t\né:\\[\\]{}\\-#&*!|>'\"%@`]{0,200}") {
        for name in HOSTILE_NAMES {
            lint_alone(name, &text);
        }
    }
}

/// Every kind of file, by name (a unit and a workflow are read only with their section or
/// job containers: the generators below give them those).
const HOSTILE_NAMES: &[&str] = &[
    "compose.yaml",
    "x.yaml",
    "Dockerfile",
    "a.container",
    "devcontainer.json",
    ".github/workflows/ci.yml",
];

/// A Quadlet `.container` unit built from the pieces its mount keys take.
fn quadlet_unit() -> impl Strategy<Value = String> {
    let line = prop::sample::select(vec![
        "Image=docker.io/library/postgres:16\n",
        "Volume=/etc:/host-etc:ro\n",
        "Volume=%h/.ssh:/root/.ssh\n",
        "Volume=%t/podman/podman.sock:/var/run/docker.sock\n",
        "Volume=pg.volume:/var/lib/postgresql/data:Z\n",
        "Volume=/var/lib/mysql\n",
        "Volume=\n",
        "Mount=type=bind,source=/srv,destination=/srv,readonly\n",
        "Mount=type=tmpfs,\\\n  destination=/run\n",
        "Tmpfs=/tmp:size=64m\n",
        "PodmanArgs=--volume /a:/b -v \"/c d:/e\" --mount=type=volume,dst=/f\n",
        "Environment=PGDATA=/pgdata \"A=b c\"\n",
        "Exec=postgres -D /pgdata\n",
        "ReadOnly=true\n",
        "Pod=db.pod\n",
        "# comment\n",
        "[Service]\n",
        "\"quoted=value\"\n",
    ]);
    prop::collection::vec(line, 0..10).prop_map(|lines| format!("[Container]\n{}", lines.concat()))
}

/// A `devcontainer.json` with comments, trailing commas and every mount form.
fn devcontainer() -> impl Strategy<Value = String> {
    let item = prop::sample::select(vec![
        "\"source=/var/run/docker.sock,target=/var/run/docker-host.sock,type=bind\",",
        "\"source=${localEnv:HOME}/.ssh,target=/home/u/.ssh,type=bind,readonly\"",
        "{\"source\": \"/etc\", \"target\": \"/host\", \"type\": \"bind\"},",
        "// a comment\n",
        "/* a block\n comment */",
        "\"type=tmpfs,target=/t\",",
    ]);
    let args = prop::sample::select(vec![
        "\"-v\", \"/a:/b\"",
        "\"--mount=type=bind,src=/etc,dst=/e\"",
        "\"--tmpfs\", \"/x\",",
        "\"--privileged\"",
    ]);
    (
        prop::collection::vec(item, 0..5),
        prop::collection::vec(args, 0..3),
    )
        .prop_map(|(items, args)| {
            format!(
                "{{\n  \"image\": \"postgres\",\n  \"mounts\": [{}],\n  \"runArgs\": [{}]\n}}\n",
                items.join("\n"),
                args.join(", ")
            )
        })
}

/// A workflow with a job container and a service container.
fn workflow() -> impl Strategy<Value = String> {
    let volume = prop::sample::select(vec![
        "- /var/run/docker.sock:/var/run/docker.sock",
        "- my_cache:/cache",
        "- ${{ github.workspace }}:/w",
        "- /etc:/e:ro",
    ]);
    let options = prop::sample::select(vec![
        "--tmpfs /var/lib/postgresql/data",
        "-v /a:/b --mount type=bind,src=/c,dst=/d",
        "--health-cmd \"pg_isready\"",
        "-v '/x y:/z'",
    ]);
    (prop::collection::vec(volume, 0..4), options).prop_map(|(volumes, options)| {
        format!(
            "on: push\njobs:\n  t:\n    container:\n      image: node:22\n      volumes:\n        {}\n    services:\n      db:\n        image: postgres:16\n        options: {options}\n",
            volumes.join("\n        ")
        )
    })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn quadlet_spans_are_exact(text in mutated(quadlet_unit())) {
        lint_alone("units/a.container", &text);
    }

    #[test]
    fn devcontainer_spans_are_exact(text in mutated(devcontainer())) {
        lint_alone(".devcontainer/devcontainer.json", &text);
    }

    #[test]
    fn workflow_spans_are_exact(text in mutated(workflow())) {
        lint_alone(".github/workflows/ci.yml", &text);
    }
}

proptest! {
    #![proptest_config(config(384))]

    #[test]
    fn compose_spans_are_exact(text in mutated(compose_file())) {
        lint_alone("compose.yaml", &text);
    }

    #[test]
    fn manifest_spans_are_exact(text in mutated(manifest())) {
        lint_alone("x.yaml", &text);
    }

    #[test]
    fn dockerfile_spans_are_exact(text in mutated(dockerfile())) {
        lint_alone("Dockerfile", &text);
    }

    #[test]
    fn interpolation_keeps_text_without_references(
        text in "[^$]{0,40}",
        env in "([A-Z]{1,3}=[a-z/é'\"$]{0,6}\n){0,4}",
    ) {
        let vars = parse::interpolate::Vars::from_dotenv(&env);
        let out = parse::interpolate::interpolate(&text, &vars);
        prop_assert_eq!(out.value, text);
        prop_assert!(out.known);
    }
}

/// A workload that mounts claim `data`, possibly scaled by an autoscaler in the same file.
fn claim_user() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["Deployment", "StatefulSet"]),
        1u8..4,
        any::<bool>(),
    )
        .prop_map(|(kind, replicas, hpa)| {
            let mut s = format!(
                "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: web\n  namespace: web\n\
                 spec:\n  replicas: {replicas}\n  template:\n    spec:\n      containers:\n\
                 \x20       - name: app\n          image: nginx\n          volumeMounts:\n\
                 \x20           - {{name: files, mountPath: /srv}}\n      volumes:\n\
                 \x20       - name: files\n          persistentVolumeClaim: {{claimName: data}}\n"
            );
            if hpa {
                s.push_str(&format!(
                    "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n\
                     metadata: {{name: web, namespace: web}}\nspec:\n  scaleTargetRef:\n\
                     \x20   {{apiVersion: apps/v1, kind: {kind}, name: web}}\n  maxReplicas: 5\n"
                ));
            }
            s
        })
}

/// A small project: a claim in one file, workloads that use it in others, two compose files
/// of one folder and a Dockerfile one of them may build.
fn project() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    (
        claim(),
        manifest(),
        claim_user(),
        compose_file(),
        compose_file(),
        dockerfile(),
    )
        .prop_map(|(c, m, user, compose, sibling, docker)| {
            vec![
                ("k8s/claim.yaml", c),
                ("k8s/deploy.yaml", m),
                ("k8s/web.yaml", user),
                ("compose.yaml", compose),
                ("compose.override.yaml", sibling),
                ("api/Dockerfile", docker),
            ]
        })
}

fn sorted_json(files: &[(&'static str, String)]) -> Vec<String> {
    let models = files
        .iter()
        .filter_map(|(name, text)| parse(name, text, ComposeMode::Auto))
        .collect();
    let (project, diagnostics) = lint_checked(models);
    let report = stowlint::output::Report::new(&diagnostics, &project);
    let json: serde_json::Value =
        serde_json::from_str(&stowlint::output::json::render(&report)).expect("valid JSON");
    let mut out: Vec<String> = json["diagnostics"]
        .as_array()
        .expect("a diagnostics array")
        .iter()
        .map(ToString::to_string)
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn findings_do_not_depend_on_file_order(
        (files, shuffled) in project().prop_flat_map(|files| {
            let shuffled = Just(files.clone()).prop_shuffle();
            (Just(files), shuffled)
        })
    ) {
        let first = sorted_json(&files);
        prop_assert_eq!(&first, &sorted_json(&files), "two runs differ");
        prop_assert_eq!(&first, &sorted_json(&shuffled), "file order changes findings");
    }
}

/// The streaming run over the same files, read from memory (it may read a file twice).
fn streamed(files: &[(&'static str, String)]) -> Vec<Diagnostic> {
    let inputs: Vec<stowlint::pipeline::Input> = files
        .iter()
        .map(|(name, text)| {
            stowlint::pipeline::Input::new(std::path::PathBuf::from(name), false, move || {
                parse(name, text, ComposeMode::Auto)
            })
        })
        .collect();
    let options = stowlint::pipeline::Options::every_rule("/nonexistent");
    stowlint::pipeline::lint(&inputs, &options).diagnostics()
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn streaming_run_matches_one_project(files in project()) {
        let models = files
            .iter()
            .filter_map(|(name, text)| parse(name, text, ComposeMode::Auto))
            .collect();
        let (_, expected) = lint_checked(models);
        let expected: Vec<String> = expected.iter().map(|d| format!("{d:?}")).collect();
        let found: Vec<String> = streamed(&files).iter().map(|d| format!("{d:?}")).collect();
        prop_assert_eq!(found, expected);
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// The line index (findings, the CLI) and the language server's rope (edits) split lines
    /// alike: `\n`, `\r\n` and a lone `\r` each end one.
    #[test]
    fn line_index_agrees_with_the_editor_rope(text in "[a\r\né ]{0,60}") {
        let index = stowlint::model::LineIndex::new(&text);
        let rope = ropey::Rope::from_str(&text);
        prop_assert_eq!(index.line_count(), rope.len_lines());
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            let pos = index.pos(&text, offset);
            let ch = rope.byte_to_char(offset);
            let line = rope.char_to_line(ch);
            prop_assert_eq!(
                (pos.line, pos.column),
                (line + 1, ch - rope.line_to_char(line) + 1),
                "offset {} of {:?}", offset, text
            );
        }
    }
}

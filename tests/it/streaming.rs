//! The streaming run (each file linted as it is parsed, models dropped, files whose
//! cross-file answers change linted again) reports exactly what one project holding every
//! file reports.

use std::path::{Path, PathBuf};

use stowlint::discover::{self, Candidate};
use stowlint::engine::{self, AllRules, Diagnostic, RunOptions};
use stowlint::model::{FileModel, Project};
use stowlint::parse::ParseOptions;
use stowlint::pipeline::{self, Input};

/// The reference: the run's files and their context in one project, linted at once.
fn batch(candidates: &[Candidate], cwd: &Path) -> Vec<Diagnostic> {
    let opts = discover::parse_options();
    let mut files = discover::load_all(candidates, &opts);
    let explicit = candidates
        .iter()
        .filter(|c| c.explicit)
        .map(|c| c.display.clone())
        .collect();
    stowlint::workspace::add_context(
        &mut files,
        &explicit,
        &stowlint::workspace::Disk::new(cwd),
        &opts,
    );
    files.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    let project = Project::new(files);
    engine::run_with(
        &project,
        stowlint::rules::RULES,
        &AllRules,
        RunOptions::default(),
    )
}

/// The run's inputs: each candidate read from disk when the run asks.
fn inputs(candidates: &[Candidate]) -> Vec<Input<'_>> {
    let opts = discover::parse_options();
    candidates
        .iter()
        .map(|c| {
            let opts = opts.clone();
            Input::new(c.display.clone(), c.explicit, move || {
                discover::load(c, &opts)
            })
        })
        .collect()
}

fn streaming(candidates: &[Candidate], cwd: &Path) -> pipeline::Linted {
    pipeline::lint(&inputs(candidates), &pipeline::Options::every_rule(cwd))
}

fn lines(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(|d| format!("{d:?}")).collect()
}

/// Both ways over `paths` (relative to the crate root, as the command line names them);
/// returns how many files the streaming run linted again.
fn same(paths: &[&str]) -> usize {
    let cwd = crate::common::root();
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let found = discover::discover(&paths, &discover::excludes(&[]).expect("no globs"), &cwd);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert!(!found.files.is_empty());
    let expected = batch(&found.files, &cwd);
    let linted = streaming(&found.files, &cwd);
    let (diagnostics, project) = linted.materialize();
    assert_eq!(lines(&diagnostics), lines(&expected));
    // The renderers' files: every linted file once, text kept for files with findings.
    for d in &diagnostics {
        let file = project
            .files
            .iter()
            .find(|f| f.source.path == d.file)
            .unwrap_or_else(|| panic!("{} is not in the report's project", d.file.display()));
        if d.code != "SL001" {
            assert!(file.source.check_span(d.span).is_ok(), "{d:?}");
        }
    }
    linted.relinted
}

#[test]
fn every_fixture_at_once() {
    // Claims, autoscalers and compose siblings in other files: some files are linted again.
    assert!(same(&["fixtures"]) > 0);
}

#[test]
fn each_cross_file_case_alone() {
    for case in std::fs::read_dir(crate::common::root().join("fixtures/cross")).expect("fixtures") {
        let case = case.expect("entry").path();
        let shown = crate::common::shown(&case);
        same(&[shown.to_str().expect("utf-8 path")]);
    }
}

#[test]
fn files_named_alone_read_their_context() {
    // A manifest whose claim, class or volume is in a neighbour (claim context), a compose
    // file whose Dockerfile the run was not given (build context).
    for case in [
        "fixtures/cross/rwo-claim",
        "fixtures/cross/rwo-claim-users",
        "fixtures/cross/mssql-build",
        "fixtures/cross/compose-extends",
        "fixtures/cross/compose-extends-cycle",
        "fixtures/cross/compose-include",
        "fixtures/cross/node-local-class",
        "fixtures/cross/default-class",
        "fixtures/cross/reclaimed-volume",
        "fixtures/cross/selector-volume",
    ] {
        let dir = crate::common::root().join(case);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("fixture")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .collect();
        files.sort();
        for file in files {
            let shown = crate::common::shown(&file);
            same(&[shown.to_str().expect("utf-8 path")]);
        }
    }
}

#[test]
fn the_corpus() {
    same(&["fixtures/corpus"]);
}

/// Inputs held in memory: the streaming run may read a file twice.
fn in_memory(files: &[(&'static str, String)]) -> Vec<Input<'static>> {
    files
        .iter()
        .map(|(name, text)| {
            let (name, text) = (*name, text.clone());
            Input::new(PathBuf::from(name), false, move || {
                stowlint::parse::parse_file(
                    stowlint::model::SourceFile::new(name, text.clone()),
                    &ParseOptions::default(),
                    true,
                )
            })
        })
        .collect()
}

#[test]
fn a_claim_in_another_file_changes_findings_and_is_found() {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: web}\n\
        spec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n\
        \x20       - name: app\n          image: nginx\n          volumeMounts:\n\
        \x20           - {name: files, mountPath: /srv}\n      volumes:\n\
        \x20       - name: files\n          persistentVolumeClaim: {claimName: data}\n";
    let claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: web}\n\
        spec:\n  accessModes: [ReadWriteOnce]\n";
    let files = vec![
        ("a/deploy.yaml", deployment.to_string()),
        ("b/claim.yaml", claim.to_string()),
    ];
    let inputs = in_memory(&files);
    let linted = pipeline::lint(&inputs, &pipeline::Options::every_rule("/nonexistent"));
    assert_eq!(linted.relinted, 1, "the deployment is linted again");
    let models: Vec<FileModel> = inputs
        .iter()
        .enumerate()
        .filter_map(|(i, _)| {
            let (name, text) = &files[i];
            stowlint::parse::parse_file(
                stowlint::model::SourceFile::new(*name, text.clone()),
                &ParseOptions::default(),
                true,
            )
        })
        .collect();
    let expected = engine::run(&Project::new(models), stowlint::rules::RULES);
    assert!(expected.iter().any(|d| d.code == "SL404"), "{expected:?}");
    assert_eq!(lines(&linted.diagnostics()), lines(&expected));
}

/// Many files made stale by one claim (each deployment's claim is in another file): re-linted
/// in batches that fit the budget, each with the claim's file, and with the findings of one
/// project of every file. (The deployments recreate their pods: a rolling one would ask which
/// other workloads mount the claim, which all of them answer.)
#[test]
fn stale_files_are_relinted_in_batches_within_the_budget() {
    let deployment = |i: usize| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web{i}, namespace: web}}\n\
             spec:\n  replicas: 3\n  strategy: {{type: Recreate}}\n  template:\n    spec:\n      containers:\n\
             \x20       - name: app\n          image: nginx\n          volumeMounts:\n\
             \x20           - {{name: files, mountPath: /srv}}\n      volumes:\n\
             \x20       - name: files\n          persistentVolumeClaim: {{claimName: data}}\n"
        )
    };
    let claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: web}\n\
        spec:\n  accessModes: [ReadWriteOnce]\n";
    let mut files: Vec<(String, String)> = (0..12)
        .map(|i| (format!("apps/d{i:02}.yaml"), deployment(i)))
        .collect();
    files.push(("claims/claim.yaml".into(), claim.into()));
    let size = |text: &str| u64::try_from(text.len()).unwrap();
    let inputs: Vec<Input> = files
        .iter()
        .map(|(name, text)| {
            let (name, text) = (name.clone(), text.clone());
            let bytes = size(&text);
            Input::new(PathBuf::from(&name), false, move || {
                stowlint::parse::parse_file(
                    stowlint::model::SourceFile::new(&name, text.clone()),
                    &ParseOptions::default(),
                    true,
                )
            })
            .with_size(bytes)
        })
        .collect();
    let whole = pipeline::lint(&inputs, &pipeline::Options::every_rule("/nonexistent"));
    assert_eq!(whole.relinted, 12, "every deployment is linted again");
    assert!(
        whole
            .diagnostics()
            .iter()
            .filter(|d| d.code == "SL404")
            .count()
            == 12
    );
    let one = size(&files[0].1);
    // A budget of three deployments: batches of three, each loaded with the claim's file.
    let options = pipeline::Options {
        relint_budget: 3 * one,
        ..pipeline::Options::every_rule("/nonexistent")
    };
    let batched = pipeline::lint(&inputs, &options);
    assert_eq!(lines(&batched.diagnostics()), lines(&whole.diagnostics()));
    assert_eq!(batched.relint_peak_bytes, 3 * one + size(claim));
    assert!(
        whole.relint_peak_bytes >= 12 * one,
        "all at once by default here"
    );
}

/// Every format, rendered from `report`.
fn every_format(report: &stowlint::output::Report) -> Vec<(&'static str, String)> {
    use stowlint::output::{
        checkstyle, concise, github, gitlab, human, json, junit, rdjson, sarif, statistics,
    };
    let sarif_options = sarif::Options {
        srcroot: None,
        execution_successful: true,
        rules: stowlint::rules::RULES,
    };
    vec![
        ("human", human::render(report, human::Options::default())),
        ("concise", concise::render(report)),
        ("json", json::render(report)),
        ("sarif", sarif::render(report, &sarif_options)),
        ("github", github::render(report)),
        ("gitlab", gitlab::render(report)),
        ("junit", junit::render(report)),
        ("checkstyle", checkstyle::render(report)),
        ("rdjson", rdjson::render(report)),
        ("statistics", statistics::render_json(report)),
    ]
}

/// Findings past the memory budget go to a temporary file and are read back a file at a
/// time: every format renders the same bytes as from findings in memory.
#[test]
fn findings_past_the_memory_budget_render_the_same() {
    let cwd = crate::common::root();
    let paths = [PathBuf::from("fixtures"), PathBuf::from("examples")];
    let found = discover::discover(&paths, &discover::excludes(&[]).expect("no globs"), &cwd);
    let inputs = inputs(&found.files);
    let in_memory = pipeline::lint(&inputs, &pipeline::Options::every_rule(&cwd));
    let spilled = pipeline::lint(
        &inputs,
        &pipeline::Options {
            findings_budget: 0,
            ..pipeline::Options::every_rule(&cwd)
        },
    );
    assert_eq!(in_memory.findings.spilled_bytes(), 0);
    assert!(spilled.findings.spilled_bytes() > 0, "every record spilled");
    let (diagnostics, project) = in_memory.materialize();
    assert!(diagnostics.len() > 500, "{}", diagnostics.len());
    let from_memory = every_format(&in_memory.report());
    let from_file = every_format(&spilled.report());
    let from_slice = every_format(&stowlint::output::Report::new(&diagnostics, &project));
    for ((format, a), ((_, b), (_, c))) in from_memory.iter().zip(from_file.iter().zip(&from_slice))
    {
        assert!(a == b, "{format}: the spilled report differs");
        assert!(
            a == c,
            "{format}: the report in memory differs from the stored one"
        );
        assert!(a.len() > 100, "{format}: {a}");
    }
    assert!(!spilled.report().incomplete());
}

//! Files a kustomization lists, linted as the command line walks them: a patch the
//! kustomization lists but that is not there (generated per cluster, ignored by git) makes
//! findings about what is missing from the objects it may patch info; a pod template that a
//! generator puts into a ConfigMap is data for the program that creates the pod. Each case
//! under `fixtures/cross/kustomize-*` marks every finding with `# expect: <CODE>`.

use stowlint::pipeline::Linted;

const CASES: &[&str] = &[
    "kustomize-missing-patch",
    "kustomize-targeted-patch",
    "kustomize-generator-template",
];

fn check(folder: &str) -> Linted {
    crate::common::check_in(&crate::common::root(), &[folder])
}

#[test]
fn every_finding_is_marked_and_missing_patches_lower_what_they_may_change() {
    for case in CASES {
        let folder = format!("fixtures/cross/{case}");
        let linted = check(&folder);
        let (diagnostics, project) = linted.materialize();
        let rendered = crate::common::render(&project, &diagnostics);
        assert_eq!(
            crate::common::found(&linted),
            crate::common::marked(&crate::common::root().join(&folder)),
            "{case}:\n{rendered}"
        );
        insta::assert_snapshot!(format!("kustomize_{case}"), rendered);
    }
}

/// Piped with its name (`--stdin-filename`, as editors and pre-commit hooks do), a file is
/// what the kustomizations beside that name say of it, as in a walk: the resource whose
/// patches are missing gets info, and a patch is not linted alone, with the reason.
#[test]
fn a_piped_file_is_read_with_the_kustomization_beside_its_name() {
    let root = crate::common::root();
    let folder = root.join("fixtures/cross/kustomize-missing-patch");
    let text = std::fs::read(folder.join("wiki.yaml")).expect("fixture");
    let args = [
        "check",
        "--isolated",
        "--format",
        "concise",
        "--stdin-filename",
        "wiki.yaml",
        "-",
    ];
    let out = crate::common::run(&folder, &args, Some(&text));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("SL501 info"), "{stdout}");

    let dir = crate::common::tree(&[
        (
            "deploy/kustomization.yaml",
            "resources: [app.yaml]\npatches:\n  - path: patch.yaml\n",
        ),
        (
            "deploy/app.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
        ),
    ]);
    let patch = b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          volumeMounts:\n            - {name: data, mountPath: /data}\n";
    let mut args = args;
    args[5] = "deploy/patch.yaml";
    let out = crate::common::run(dir.path(), &args, Some(patch));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains("SL501"), "{stdout}");
    assert!(
        stderr.contains(
            "deploy/patch.yaml: not linted: a kustomize patch named by `deploy/kustomization.yaml`"
        ),
        "{stderr}"
    );
}

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

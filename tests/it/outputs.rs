//! Snapshots of the CI formats (GitHub annotations, GitLab Code Quality, JUnit) over a small
//! fixed set of files: a finding with related locations, a Dockerfile, a parse error, a clean
//! file, and one in-memory file whose path and service names need escaping.

use stowlint::engine::{self, Diagnostic};
use stowlint::model::{FileModel, Project, SourceFile};
use stowlint::output::{Report, github, gitlab, junit};
use stowlint::parse::{self, ParseOptions};

const FIXTURES: &[&str] = &[
    "fixtures/SL001/bad.compose.yaml",
    "fixtures/SL102/bad.compose.yaml",
    "fixtures/SL102/ok.compose.yaml",
    "fixtures/SL204/bad.Dockerfile",
    "fixtures/SL404/bad.k8s.yaml",
];

/// A path with `,` and `:` (GitHub properties), and names with `<`, `&`, `"` and `%`.
const ODD_PATH: &str = "odd, dir:1/compose.yaml";
const ODD_COMPOSE: &str = "\
services:
  \"a<b>&c\":
    image: jenkins/jenkins
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
  \"50%\":
    image: nginx:1.27
    volumes:
      - /srv/site:/usr/share/nginx/html
";

fn lint() -> (Project, Vec<Diagnostic>) {
    let opts = ParseOptions::default();
    let mut files: Vec<FileModel> = FIXTURES
        .iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(crate::common::root().join(p)).expect("fixture");
            parse::parse_file(SourceFile::new(*p, text), &opts, true)
        })
        .collect();
    files.extend(parse::parse_file(
        SourceFile::new(ODD_PATH, ODD_COMPOSE.to_string()),
        &opts,
        true,
    ));
    files.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    let project = Project::new(files);
    let diagnostics = engine::run(&project, stowlint::rules::RULES);
    (project, diagnostics)
}

#[test]
fn github() {
    let (project, diagnostics) = lint();
    let text = github::render(&Report::new(&diagnostics, &project));
    assert_eq!(text.lines().count(), diagnostics.len());
    assert!(text.contains("file=odd%2C dir%3A1/compose.yaml,"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn gitlab() {
    let (project, diagnostics) = lint();
    let text = gitlab::render(&Report::new(&diagnostics, &project));
    let issues: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let issues = issues.as_array().expect("an array");
    assert_eq!(issues.len(), diagnostics.len());
    let fingerprints: std::collections::HashSet<_> =
        issues.iter().map(|i| i["fingerprint"].clone()).collect();
    assert_eq!(fingerprints.len(), issues.len(), "fingerprints are unique");
    insta::assert_snapshot!(text);
}

#[test]
fn junit() {
    let (project, diagnostics) = lint();
    let text = junit::render(&Report::new(&diagnostics, &project));
    assert_eq!(text.matches("<testcase ").count(), project.files.len());
    // Only findings at or above `fail-on` (default: warning) are failures; infos are listed
    // in the test case's output.
    let failing = diagnostics
        .iter()
        .filter(|d| d.severity >= stowlint::engine::Severity::Warning)
        .count();
    assert_eq!(text.matches("<failure ").count(), failing);
    assert!(text.contains(&format!("failures=\"{failing}\"")), "{text}");
    assert!(text.contains("service a&lt;b&gt;&amp;c mounts"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn junit_is_well_formed_xml() {
    // A tiny well-formedness check without an XML crate: every element opened is closed, in
    // order, and no raw `<` or `&` is left in text or attributes.
    let (project, diagnostics) = lint();
    let text = junit::render(&Report::new(&diagnostics, &project));
    let body = text
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    let mut stack: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        let between = &rest[..open];
        assert!(!between.contains('>'), "raw `>` in text: {between}");
        for (i, _) in between.match_indices('&') {
            let entity = &between[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#13;"]
                    .iter()
                    .any(|e| entity.starts_with(e)),
                "raw `&` in text: {between}"
            );
        }
        let close = rest[open..].find('>').expect("tag closed") + open;
        let tag = &rest[open + 1..close];
        assert!(!tag.contains('<'), "raw `<` in a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().expect("a name");
            stack.push(name.to_string());
        }
        rest = &rest[close + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(rest.trim(), "");
}

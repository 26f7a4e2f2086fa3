//! Snapshots of the CI formats (GitHub annotations, GitLab Code Quality, JUnit, Checkstyle,
//! reviewdog's rdjson) over a small
//! fixed set of files: a finding with related locations, a Dockerfile, a parse error, a clean
//! file, and one in-memory file whose path and service names need escaping.

use stowlint::engine::{self, Diagnostic};
use stowlint::model::{FileModel, Project, SourceFile};
use stowlint::output::{Report, checkstyle, docs, github, gitlab, junit, rdjson};
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
    let opts = stowlint::discover::parse_options();
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
    let (project, diagnostics) = lint();
    assert_well_formed(&junit::render(&Report::new(&diagnostics, &project)));
}

/// A tiny well-formedness check without an XML crate: every element opened is closed, in
/// order, and no raw `<` or `&` is left in text or attributes.
fn assert_well_formed(text: &str) {
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

#[test]
fn checkstyle() {
    let (project, diagnostics) = lint();
    let text = checkstyle::render(&Report::new(&diagnostics, &project));
    assert_eq!(text.matches("<file ").count(), project.files.len());
    assert_eq!(text.matches("<error ").count(), diagnostics.len());
    assert!(text.contains("source=\"stowlint.SL102\""), "{text}");
    assert!(text.contains("service a&lt;b&gt;&amp;c mounts"), "{text}");
    assert_well_formed(&text);
    insta::assert_snapshot!(text);
}

#[test]
fn rdjson() {
    let (project, diagnostics) = lint();
    let text = rdjson::render(&Report::new(&diagnostics, &project));
    let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(doc["source"]["name"], "stowlint");
    assert_eq!(doc["source"]["url"], docs::index_url());
    let found = doc["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(found.len(), diagnostics.len());
    for (d, ours) in found.iter().zip(&diagnostics) {
        assert_eq!(d["code"]["value"], ours.code.as_str());
        assert_eq!(d["code"]["url"], docs::rule_url(ours.code.as_str()));
        assert!(
            ["ERROR", "WARNING", "INFO"].contains(&d["severity"].as_str().expect("a severity"))
        );
        assert!(d["location"]["range"]["start"]["line"].as_u64() >= Some(1));
    }
    insta::assert_snapshot!(text);
}

/// A service name with an escape sequence, a line break and a bidirectional override: shown
/// as escapes, never passed through, in both formats.
#[test]
fn control_characters_are_escaped() {
    let text = "services:\n  \"db\\e[31m\\n::error::x\\u202e\":\n    image: nginx:1.27\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n";
    let file = parse::parse_file(
        SourceFile::new("compose.yaml", text.to_string()),
        &ParseOptions::default(),
        true,
    )
    .expect("a compose file");
    let project = Project::new(vec![file]);
    let diagnostics = engine::run(&project, stowlint::rules::RULES);
    assert!(!diagnostics.is_empty());
    let report = Report::new(&diagnostics, &project);
    let xml = checkstyle::render(&report);
    assert!(xml.contains("db\\u{1b}[31m\\n::error::x\\u{202e}"), "{xml}");
    assert!(
        !xml.contains('\u{1b}') && !xml.contains('\u{202e}'),
        "{xml}"
    );
    assert_well_formed(&xml);
    let json = rdjson::render(&report);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let message = doc["diagnostics"][0]["message"]
        .as_str()
        .expect("a message");
    assert!(
        message.contains("db\\u{1b}[31m\\n::error::x\\u{202e}"),
        "{message}"
    );
    let first_line = message.lines().next().expect("a line");
    assert!(!first_line.contains("::error::x\n"), "{message}");
    assert!(
        !message.contains('\u{1b}') && !message.contains('\u{202e}'),
        "{message}"
    );
}

/// reviewdog counts columns in UTF-8 bytes: a finding after a multi-byte character is
/// further right than its character column.
#[test]
fn rdjson_columns_are_bytes() {
    let text = "services:\n  db:\n    image: nginx:1.27\n    volumes: [\"/var/run/docker.sock:/x\"]  # é\n  \"ü\": {image: nginx:1.27, volumes: [\"/var/run/docker.sock:/y\"]}\n";
    let file = parse::parse_file(
        SourceFile::new("compose.yaml", text.to_string()),
        &ParseOptions::default(),
        true,
    )
    .expect("a compose file");
    let project = Project::new(vec![file]);
    let diagnostics = engine::run(&project, stowlint::rules::RULES);
    let json = rdjson::render(&Report::new(&diagnostics, &project));
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let on_line_5: Vec<_> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .zip(&diagnostics)
        .filter(|(_, d)| d.location.start.line == 5 && d.code == "SL102")
        .collect();
    assert!(!on_line_5.is_empty(), "{json}");
    for (d, ours) in on_line_5 {
        let column = d["location"]["range"]["start"]["column"]
            .as_u64()
            .expect("a column");
        // `ü` is two bytes and one character.
        assert_eq!(
            column,
            u64::try_from(ours.location.start.column).expect("small") + 1
        );
    }
}

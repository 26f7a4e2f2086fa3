//! SARIF output validated against the OASIS SARIF 2.1.0 schema (`tests/schemas/`), for real
//! runs of the binary: the shipped examples, every fixture, standard input and a missing path.

use std::path::Path;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `language` pattern as published: its stray `]` is a literal under JavaScript's regex
/// rules (ECMA-262 Annex B), which a strict `regex` format check of the meta-schema rejects.
const LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/schemas/sarif-schema-2.1.0.json"))
        .expect("the SARIF schema is in the repository");
    let mut schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    // The file stays as OASIS publishes it; in memory, the stray `]` is escaped, which keeps
    // its meaning (a literal `]`). stowlint never writes `language` anyway.
    for owner in ["run", "toolComponent"] {
        let pattern = &mut schema["definitions"][owner]["properties"]["language"]["pattern"];
        assert_eq!(
            pattern, LANGUAGE_PATTERN,
            "the schema changed: revisit this workaround"
        );
        *pattern = Value::from(LANGUAGE_PATTERN.replace("}]?", "}\\]?"));
    }
    assert!(
        !serde_json::to_string(&schema)
            .unwrap()
            .contains(LANGUAGE_PATTERN),
        "the pattern appears elsewhere too"
    );
    jsonschema::draft7::options()
        // `uri`, `uri-reference` and `date-time` values are checked too.
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

/// Fails with every schema violation, each with its JSON pointer.
fn assert_valid(validator: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF violates the schema:\n{}",
        errors.join("\n")
    );
}

/// `stowlint check --format sarif ARGS` in the crate root: (exit code, log).
fn sarif(args: &[&str], stdin: Option<&str>) -> (i32, Value) {
    let mut all = vec!["check", "--format", "sarif"];
    all.extend_from_slice(args);
    let out = crate::common::run(root(), &all, stdin.map(str::as_bytes));
    let log = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    (crate::common::code(&out), log)
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().expect("results")
}

#[test]
fn examples_validate_against_the_schema() {
    let (code, log) = sarif(&["examples"], None);
    assert_eq!(code, 1);
    assert_valid(&validator(), &log);

    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "stowlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), stowlint::rules::RULES.len());
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let srcroot = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("%SRCROOT% is set");
    assert!(
        srcroot.starts_with("file:///") && srcroot.ends_with('/'),
        "{srcroot}"
    );

    let results = results(&log);
    assert!(!results.is_empty());
    let mut fingerprints = std::collections::HashSet::new();
    for r in results {
        // ruleIndex points at the rule the result names.
        let index = usize::try_from(r["ruleIndex"].as_u64().expect("ruleIndex")).unwrap();
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("examples/"), "{uri}");
        assert!(fingerprints.insert(r["partialFingerprints"]["stowlint/v1"].clone()));
    }
    // The socket finding, as written in examples/webapp/compose.yaml line 10.
    let socket = results
        .iter()
        .find(|r| {
            r["ruleId"] == "SL102"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    == "examples/webapp/compose.yaml"
        })
        .expect("SL102 in the webapp");
    assert_eq!(socket["level"], "error");
    let region = &socket["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 10);
    assert_eq!(region["startColumn"], 9);
    assert_eq!(socket["relatedLocations"][0]["id"], 1);
    assert!(socket["relatedLocations"][0]["message"]["text"].is_string());
    // info is SARIF's note.
    assert!(results.iter().any(|r| r["level"] == "note"));
}

#[test]
fn every_fixture_validates_against_the_schema() {
    // Parse errors with empty spans, Dockerfiles, multi-document manifests, cross-file facts.
    let (_, log) = sarif(&["fixtures"], None);
    assert_valid(&validator(), &log);
    assert!(results(&log).len() > 100);
}

#[test]
fn stdin_and_a_missing_path_validate_against_the_schema() {
    let compose = "services:\n  ci:\n    image: jenkins/jenkins\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n";
    let (code, log) = sarif(&["-", "does-not-exist"], Some(compose));
    assert_eq!(code, 2);
    assert_valid(&validator(), &log);
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    let uri = &results(&log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "%3Cstdin%3E");
}

#[test]
fn the_validator_rejects_invalid_sarif() {
    // The test above is only worth something if the validator says no.
    let (_, mut log) = sarif(&["examples"], None);
    log["runs"][0]["results"][0]["level"] = Value::from("info");
    assert!(!validator().is_valid(&log));
    let (_, mut log) = sarif(&["examples"], None);
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!validator().is_valid(&log));
}

//! Every rule's documentation examples run (biome's `expect_diagnostic`): the code under
//! `## Example` fires the rule, the code under `Use instead` has no error or warning of any
//! rule (an info may stay: SL102's socket proxy still mounts the socket, on purpose). A doc
//! that shows a fix which does not lint clean misleads the reader who copies it.

use stowlint::engine::{self, Severity};
use stowlint::model::{FileModel, Project, SourceFile};
use stowlint::parse::{self, ParseOptions};

/// One fenced block of a rule's docs: its language and text.
#[derive(Debug)]
struct Block {
    lang: String,
    text: String,
}

/// The fenced blocks of `docs` before `Use instead` (the example) and after it (the fix),
/// within the `## Example` section.
fn example_blocks(docs: &str) -> (Vec<Block>, Vec<Block>) {
    let mut bad = Vec::new();
    let mut good = Vec::new();
    let mut in_example = false;
    let mut after_fix = false;
    let mut open: Option<Block> = None;
    for line in docs.lines() {
        if let Some(block) = &mut open {
            if line.trim_start().starts_with("```") {
                let block = open.take().expect("open block");
                if after_fix {
                    good.push(block);
                } else {
                    bad.push(block);
                }
            } else {
                block.text.push_str(line);
                block.text.push('\n');
            }
            continue;
        }
        if line.starts_with("## ") {
            in_example = line.trim() == "## Example";
            continue;
        }
        if !in_example {
            continue;
        }
        if line.starts_with("Use instead") {
            after_fix = true;
        }
        if let Some(lang) = line.trim_start().strip_prefix("```") {
            open = Some(Block {
                lang: lang.trim().to_string(),
                text: String::new(),
            });
        }
    }
    (bad, good)
}

/// The file name a block is read as: the name decides the format, as on disk.
fn file_name(block: &Block, k: usize) -> String {
    match block.lang.as_str() {
        "dockerfile" | "Dockerfile" => format!("example{k}/Dockerfile"),
        _ if block.text.contains("apiVersion:") => format!("example{k}/manifest.yaml"),
        _ => format!("example{k}/compose.yaml"),
    }
}

/// Lint the blocks as one run (a cross-file example spans blocks). `Err` names a block that is
/// none of ours (a fragment such as a bare `volumeMounts:` list lints to nothing, and would
/// pass unseen).
fn lint(blocks: &[Block]) -> Result<(Project, Vec<engine::Diagnostic>), String> {
    let opts = ParseOptions::default();
    let files: Vec<Option<FileModel>> = blocks
        .iter()
        .enumerate()
        .map(|(k, b)| {
            // A compose example's Dockerfile is the build context `.` of the compose file.
            let k = if b.lang.eq_ignore_ascii_case("dockerfile") {
                0
            } else {
                k.min(
                    blocks
                        .iter()
                        .position(|b| !b.lang.eq_ignore_ascii_case("dockerfile"))
                        .unwrap_or(k),
                )
            };
            parse::parse_file(
                SourceFile::new(file_name(b, k), b.text.clone()),
                &opts,
                true,
            )
        })
        .collect();
    if let Some(k) = files
        .iter()
        .position(|f| f.as_ref().is_none_or(|f| f.format.is_none()))
    {
        return Err(format!(
            "a block is not a whole file stowlint reads:\n{}",
            blocks[k].text
        ));
    }
    let project = Project::new(files.into_iter().flatten().collect());
    let diagnostics = engine::run(&project, stowlint::rules::RULES);
    Ok((project, diagnostics))
}

#[test]
fn every_rule_documents_an_example_that_fires_it_and_a_fix_that_lints_clean() {
    let mut failures = Vec::new();
    for rule in stowlint::rules::RULES {
        let meta = rule.meta();
        let (bad, good) = example_blocks(&meta.docs());
        if bad.is_empty() {
            failures.push(format!("{}: no example under `## Example`", meta.code));
            continue;
        }
        let (project, found) = match lint(&bad) {
            Ok(linted) => linted,
            Err(why) => {
                failures.push(format!("{}: the example: {why}", meta.code));
                continue;
            }
        };
        if !found.iter().any(|d| d.code == meta.code) {
            failures.push(format!(
                "{}: the example does not fire it; it gives:\n{}",
                meta.code,
                crate::common::render(&project, &found)
            ));
        }
        if good.is_empty() {
            continue;
        }
        let (project, found) = match lint(&good) {
            Ok(linted) => linted,
            Err(why) => {
                failures.push(format!("{}: the fix: {why}", meta.code));
                continue;
            }
        };
        let wrong: Vec<_> = found
            .iter()
            .filter(|d| d.severity >= Severity::Warning)
            .cloned()
            .collect();
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: the fix (`Use instead`) does not lint clean:\n{}",
                meta.code,
                crate::common::render(&project, &wrong)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

//! The rule catalog for `stowlint rules` and `stowlint explain`, read from rule metadata only.

use std::fmt::Write as _;

use serde::Serialize;

use crate::engine::{Rule, RuleMeta, Severity};

fn sorted(rules: &[&dyn Rule]) -> Vec<&'static RuleMeta> {
    let mut metas: Vec<_> = rules.iter().map(|r| r.meta()).collect();
    metas.sort_by_key(|m| m.code);
    metas
}

fn formats(meta: &RuleMeta) -> String {
    meta.formats
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One rule a line: code, name, default severity, on by default or opt-in, formats, summary;
/// columns aligned.
#[must_use]
pub fn render_text(rules: &[&dyn Rule]) -> String {
    let metas = sorted(rules);
    let name_w = metas.iter().map(|m| m.name.len()).max().unwrap_or(0);
    let fmt_w = metas.iter().map(|m| formats(m).len()).max().unwrap_or(0);
    let mut out = String::new();
    for m in metas {
        let _ = writeln!(
            out,
            "{}  {:name_w$}  {:7}  {:6}  {:fmt_w$}  {}",
            m.code,
            m.name,
            m.severity.as_str(),
            if m.default { "on" } else { "opt-in" },
            formats(m),
            m.summary()
        );
    }
    out
}

#[derive(Serialize)]
struct JsonRule<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    /// Checked without `select`/`extend-select` naming it.
    default: bool,
    formats: Vec<&'a str>,
    summary: String,
    docs: String,
    /// The rule's documentation page.
    url: String,
}

/// `rules --format json`: `{"version": 1, "rules": [...]}`, the version of the JSON contract.
#[derive(Serialize)]
struct JsonCatalog<'a> {
    version: u32,
    rules: Vec<JsonRule<'a>>,
}

#[must_use]
pub fn render_json(rules: &[&dyn Rule]) -> String {
    let list: Vec<JsonRule> = sorted(rules)
        .into_iter()
        .map(|m| JsonRule {
            code: m.code,
            name: m.name,
            severity: m.severity,
            default: m.default,
            formats: m.formats.iter().map(|f| f.as_str()).collect(),
            summary: m.summary(),
            docs: m.docs(),
            url: super::docs::rule_url(m.code),
        })
        .collect();
    let catalog = JsonCatalog {
        version: super::json::VERSION,
        rules: list,
    };
    let mut out = serde_json::to_string_pretty(&catalog).unwrap_or_default();
    out.push('\n');
    out
}

/// `SL102 (container-runtime-socket) — error`, the formats, then the docs.
#[must_use]
pub fn explain(meta: &RuleMeta) -> String {
    format!(
        "{} ({}) — {}\nFormats: {}\nDefault: {}\n\n{}\n",
        meta.code,
        meta.name,
        meta.severity,
        formats(meta),
        if meta.default {
            "on"
        } else {
            "off (opt in with `extend-select` or `--select ALL`)"
        },
        meta.docs()
    )
}

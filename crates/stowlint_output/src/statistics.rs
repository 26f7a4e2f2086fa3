//! `--statistics`: how many findings each rule reported, most first.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Report, Summary};

/// One row: a rule and its count.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    pub code: &'static str,
    pub name: &'static str,
    pub count: usize,
}

/// Rows sorted by count (most first), then code.
#[must_use]
pub fn rows(report: &Report) -> Vec<Row> {
    let mut counts: BTreeMap<(&'static str, &'static str), usize> = BTreeMap::new();
    for file in report.files() {
        for d in file.diagnostics.iter() {
            *counts.entry((d.code.as_str(), d.name())).or_default() += 1;
        }
    }
    let mut rows: Vec<Row> = counts
        .into_iter()
        .map(|((code, name), count)| Row { code, name, count })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    rows
}

/// `  12  SL103  writable-bind-mount`, counts right-aligned.
#[must_use]
pub fn render_text(report: &Report) -> String {
    let rows = rows(report);
    let width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    let mut out = String::new();
    for r in rows {
        let _ = writeln!(out, "{:>width$}  {}  {}", r.count, r.code, r.name);
    }
    out
}

/// `--statistics --format json`, in the JSON contract's version:
/// `{"version": 1, "statistics": [{"code": "SL103", "name": "writable-bind-mount", "count": 12,
/// "url": "…"}, ...], "summary": {...}}`.
#[must_use]
pub fn render_json(report: &Report) -> String {
    #[derive(serde::Serialize)]
    struct JsonRow {
        #[serde(flatten)]
        row: Row,
        url: String,
    }
    #[derive(serde::Serialize)]
    struct JsonStatistics {
        version: u32,
        statistics: Vec<JsonRow>,
        summary: Summary,
    }
    let doc = JsonStatistics {
        version: super::json::VERSION,
        statistics: rows(report)
            .into_iter()
            .map(|row| JsonRow {
                url: super::docs::rule_url(row.code),
                row,
            })
            .collect(),
        summary: report.summary(),
    };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

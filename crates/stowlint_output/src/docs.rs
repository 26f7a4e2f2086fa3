//! Where the rules' documentation lives, and the pages there (`docs/rules/`), generated from
//! the rules' doc comments. The one address of the project's documentation in the code: JSON
//! (`url`), SARIF (`helpUri`, `informationUri`), rdjson and the language server
//! (`codeDescription.href`) all link through here.

use std::fmt::Write as _;

use crate::engine::{Rule, RuleMeta};

/// The folder of the rule pages; a rule's page is `<DOCS_BASE><CODE>.md`.
pub const DOCS_BASE: &str = "https://github.com/stowlint/stowlint/blob/main/docs/rules/";

/// A rule's page: `…/docs/rules/SL102.md`.
#[must_use]
pub fn rule_url(code: &str) -> String {
    format!("{DOCS_BASE}{code}.md")
}

/// The index of every rule (`docs/rules/README.md`).
#[must_use]
pub fn index_url() -> String {
    format!("{DOCS_BASE}README.md")
}

/// `docs/rules/<CODE>.md`: the title, the metadata, then the doc comment as written.
#[must_use]
pub fn rule_page(meta: &RuleMeta) -> String {
    let formats: Vec<&str> = meta.formats.iter().map(|f| f.as_str()).collect();
    format!(
        "<!-- Generated from the rule's doc comment by `STOWLINT_BLESS=1 cargo test --test it \
         registry`; do not edit. -->\n\
         # {code} `{name}`\n\n\
         Default severity: **{severity}** · Formats: {formats} · \
         [All rules](README.md)\n\n\
         {docs}\n\n\
         Show this page offline with `stowlint explain {code}`.\n",
        code = meta.code,
        name = meta.name,
        severity = meta.severity,
        formats = formats.join(", "),
        docs = meta.docs(),
    )
}

/// `docs/rules/README.md`: one line per rule, linking to its page.
#[must_use]
pub fn index_page(rules: &[&dyn Rule]) -> String {
    let mut out = String::from(
        "<!-- Generated from the rules' metadata by `STOWLINT_BLESS=1 cargo test --test it \
         registry`; do not edit. -->\n\
         # stowlint rules\n\n\
         Every rule with its default severity and the inputs it reads. `stowlint rules` prints \
         this list and `stowlint explain <CODE>` a rule's page.\n\n\
         | code | name | severity | formats | what it flags |\n|---|---|---|---|---|\n",
    );
    let mut metas: Vec<&RuleMeta> = rules.iter().map(|r| r.meta()).collect();
    metas.sort_by_key(|m| m.code);
    for m in metas {
        let formats: Vec<&str> = m.formats.iter().map(|f| f.as_str()).collect();
        let _ = writeln!(
            out,
            "| [{code}]({code}.md) | `{}` | {} | {} | {} |",
            m.name,
            m.severity,
            formats.join(", "),
            m.summary().replace('|', "\\|"),
            code = m.code,
        );
    }
    out
}

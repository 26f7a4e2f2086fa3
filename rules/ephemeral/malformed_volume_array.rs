use super::quoted_list;
use crate::declare_rule;
use crate::engine::{Ctx, Rule};
use crate::model::FileModel;

declare_rule! {
    /// ## What it does
    /// Flags a Dockerfile `VOLUME` written like a JSON array that is not valid JSON: single
    /// quotes, bare words, a missing comma.
    ///
    /// ## Why is this bad?
    /// Docker falls back to the plain form and splits the text on spaces: `VOLUME ['/data']`
    /// declares a volume at the path `['/data']`, not at `/data`. The data folder stays on the
    /// container layer and a stray folder appears instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// VOLUME ['/var/lib/app']
    /// ```
    ///
    /// Use instead: double quotes, as JSON requires.
    /// ```dockerfile
    /// FROM debian:12
    /// VOLUME ["/var/lib/app"]
    /// ```
    pub struct MalformedVolumeArray;
    meta { code: "SL206", name: "malformed-volume-array", severity: Error,
           formats: [Dockerfile] }
}

impl Rule for MalformedVolumeArray {
    fn check_file(&self, file: &FileModel, cx: &mut Ctx) {
        let Some(dockerfile) = &file.dockerfile else {
            return;
        };
        for stage in &dockerfile.stages {
            let owner = stage
                .name
                .as_ref()
                .map_or_else(|| stage.index.to_string(), |n| n.value.clone());
            for v in stage.volumes.iter().filter(|v| v.malformed) {
                let paths: Vec<String> = v
                    .paths
                    .iter()
                    .map(|p| {
                        p.value
                            .trim_matches(|c| matches!(c, '[' | ']' | ',' | '\'' | '"' | ' '))
                            .to_string()
                    })
                    .filter(|p| !p.is_empty())
                    .collect();
                let json: Vec<String> = paths.iter().map(|p| format!("\"{p}\"")).collect();
                let literal: Vec<String> = v.paths.iter().map(|p| p.value.clone()).collect();
                cx.report(
                    v.raw.span,
                    format!(
                        "stage {owner} declares `VOLUME {}`, not a JSON array: Docker takes the \
                         literal {} {}",
                        v.raw.value.trim(),
                        if literal.len() == 1 { "path" } else { "paths" },
                        quoted_list(&literal)
                    ),
                )
                .help(format!(
                    "write the array with double quotes: `VOLUME [{}]`",
                    json.join(", ")
                ));
            }
        }
    }
}

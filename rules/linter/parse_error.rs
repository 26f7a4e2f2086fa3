use crate::declare_rule;
use crate::engine::{Ctx, Rule, Severity};
use crate::model::{FileModel, Format, RUNTIME_READS_IT};

declare_rule! {
    /// ## What it does
    /// Reports a file that cannot be read or parsed: YAML syntax errors, duplicate keys,
    /// Dockerfile syntax errors, an alias-expansion bomb, invalid UTF-8, unreadable files.
    ///
    /// A key written twice in a Kubernetes manifest or a dev container configuration is
    /// reported as info: `kubectl apply` and the dev container tools read it, keeping the last
    /// value (and so does stowlint), but the first value is silently lost, and kustomize (so
    /// `kubectl apply -k` and Flux) refuses such a manifest. So is one in a compose file named
    /// for podman-compose (`podman-compose.yml`), which reads it the same way (`docker compose`
    /// refuses it). So is a Dockerfile with no
    /// instruction to build (empty, comments only, or bare keywords with no arguments): an
    /// exercise to fill in or a placeholder, which `docker build` refuses but nobody builds as
    /// it stands.
    ///
    /// A compose file that uses anchors it does not define (`<<: *logging`) is refused by
    /// `docker compose` as it stands, but in a walk it is most often a fragment that a deploy
    /// script joins to the file defining them (`cat anchors.yml compose.yml`): one info for the
    /// file, which is linted with those values unknown (a placement merged from one may pin
    /// the service). Named, each such alias is an error; in a Kubernetes manifest too.
    ///
    /// Files that are templates, not configuration until rendered, are skipped in a walk and
    /// reported only when named: Helm templates, files with Go/Jinja markers that YAML cannot
    /// read, `printf` verbs and `$PLACEHOLDER`, `{PLACEHOLDER}` or `@PLACEHOLDER@` lines where
    /// YAML stops, documentation excerpts whose indented `...` lines stand for the fields they
    /// leave out, test runners' assertion files (`00-assert.yaml`), and Dockerfile fragments
    /// named like one (`Dockerfile.append`). Templates that YAML reads (ytt's `#@` annotations, `{{ NAME }}`
    /// values read as a mapping used as a key) are linted as written, without the shape errors
    /// their placeholders cause (a container without its name).
    ///
    /// ## Why is this bad?
    /// A file stowlint cannot read is a file nobody checked, and usually one the runtime
    /// rejects too (`docker compose` refuses duplicate keys). Other files are still linted.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:17
    ///     image: postgres:16   # duplicate key
    /// ```
    ///
    /// Use instead: one value per key, and YAML that `docker compose config` or
    /// `kubectl apply --dry-run=client` accepts.
    pub struct ParseError;
    meta { code: "SL001", name: "parse-error", severity: Error,
           formats: [Dockerfile, Compose, Kubernetes, Quadlet, Devcontainer, GithubActions] }
}

impl Rule for ParseError {
    fn check_file(&self, file: &FileModel, cx: &mut Ctx) {
        for error in &file.errors {
            // Never claim the runtime rejects what it reads (a few YAML shapes libyaml accepts).
            let help = if error.message.contains(RUNTIME_READS_IT) {
                "stowlint may have skipped the rest of the file"
            } else {
                "fix the file: the runtime rejects it too, and stowlint may have skipped the rest of it"
            };
            cx.report(error.span, error.message.clone()).help(help);
        }
        for read_past in &file.read_past {
            let help = if file.format == Some(Format::Dockerfile) {
                "an exercise or a placeholder is not built as it stands; write its instructions \
                 or delete it"
            } else if file.format == Some(Format::Devcontainer) {
                "the dev container tools keep the last value and drop the first: keep one"
            } else if file.format == Some(Format::Compose) {
                "podman-compose keeps the last value and drops the first, and `docker compose` \
                 refuses the file: keep one"
            } else {
                "`kubectl apply` keeps the last value and drops the first, and kustomize refuses \
                 the file: keep one"
            };
            cx.report(read_past.span, read_past.message.clone())
                .severity(Severity::Info)
                .help(help);
        }
    }
}

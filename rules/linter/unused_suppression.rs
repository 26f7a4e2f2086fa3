use crate::declare_rule;
use crate::engine::Rule;

declare_rule! {
    /// ## What it does
    /// Reports a suppression that silences nothing, or that names a rule stowlint does not
    /// know: a `# stowlint: ignore ...` comment, an `ignore-file` comment, or a Kubernetes
    /// `stowlint.io/ignore` annotation.
    ///
    /// Suppressions are written at the end of the offending line or alone on the line above
    /// it (`# stowlint: ignore SL101,SL103 -- reason`), anywhere in a file for the whole file
    /// (`# stowlint: ignore-file SL201 -- reason`), or as an annotation on a Kubernetes object
    /// (`stowlint.io/ignore: "SL401,SL403"`). Rules are named by code or name.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides the next real finding on that line, and a misspelled one
    /// silences nothing while looking as if it did.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     volumes:
    ///       - ./site:/usr/share/nginx/html:ro  # stowlint: ignore SL103 -- read-only now
    /// ```
    ///
    /// Use instead: remove the suppression once the finding is gone.
    pub struct UnusedSuppression;
    meta { code: "SL002", name: "unused-suppression", severity: Info,
           formats: [Dockerfile, Compose, Kubernetes, Quadlet, Devcontainer, GithubActions] }
}

/// Reported by the engine once every other rule has run (`rules/engine/suppress.rs`).
impl Rule for UnusedSuppression {}

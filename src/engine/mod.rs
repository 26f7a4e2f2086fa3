//! The rule engine: runs the registry over a project, applies precedence within rule
//! families, and returns diagnostics in a stable order.

mod diagnostic;
mod fingerprint;
mod rule;
mod suppress;

pub use diagnostic::{Diagnostic, Related, Severity};
pub use fingerprint::fingerprints;
pub use rule::{DeclaredRule, Rule, RuleMeta};

use std::collections::HashSet;

use crate::model::{FileModel, Project, Span};

/// Where two rules of one family match one mount, the first wins over the others
/// (RULES.md "Conventions").
const PRECEDENCE: &[(&str, &[&str])] = &[
    ("SL102", &["SL101", "SL103", "SL105"]),
    ("SL101", &["SL103", "SL105"]),
    ("SL402", &["SL401", "SL406", "SL407"]),
    ("SL404", &["SL405"]),
    ("SL301", &["SL302"]),
    ("SL203", &["SL303"]),
];

/// Which rules report in which file, and at what severity: the configuration's answer, per
/// file (`select`/`ignore`, per-path ignores, `[severity]`). Files are named as diagnostics
/// name them.
pub trait Selection: Sync {
    /// Whether `code` reports findings in `file`.
    fn enabled(&self, file: &std::path::Path, code: &str) -> bool;
    /// The severity `code` reports at in `file`, when configured.
    fn severity(&self, file: &std::path::Path, code: &str) -> Option<Severity>;
}

/// Every rule everywhere, at its own severity.
#[derive(Clone, Copy, Debug, Default)]
pub struct AllRules;

impl Selection for AllRules {
    fn enabled(&self, _file: &std::path::Path, _code: &str) -> bool {
        true
    }
    fn severity(&self, _file: &std::path::Path, _code: &str) -> Option<Severity> {
        None
    }
}

/// What a rule sees besides the model: where to report, and the catalogs.
pub struct Ctx<'a> {
    project: &'a Project,
    file: usize,
    rule: &'static RuleMeta,
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    /// The file being checked (for project-wide rules: the first file).
    #[must_use]
    pub fn file(&self) -> &'a FileModel {
        &self.project.files[self.file]
    }

    #[must_use]
    pub fn project(&self) -> &'a Project {
        self.project
    }

    /// The run's catalog (built-in, or extended by the configuration).
    #[must_use]
    pub fn catalog(&self) -> &'a crate::rules::catalog::Catalog {
        self.project.catalog()
    }

    /// Report a finding in the current file at the rule's default severity.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        let file = self.file;
        self.report_in(file, span, message)
    }

    /// Report a finding in another file of the project (project-wide rules).
    pub fn report_in(
        &mut self,
        file: usize,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.out.push(Diagnostic {
            code: self.rule.code,
            name: self.rule.name,
            severity: self.rule.severity,
            message: message.into(),
            help: None,
            file: self.project.files[file].source.path.clone(),
            span,
            related: Vec::new(),
            subject: None,
        });
        let last = self.out.len() - 1;
        &mut self.out[last]
    }
}

/// How a run treats suppressions.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    /// Honour suppression comments and annotations (`--no-inline-ignores` turns them off for
    /// audits).
    pub inline_ignores: bool,
    /// A suppression comment without `-- reason` is SL002 (`--require-reason`).
    pub require_reason: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            inline_ignores: true,
            require_reason: false,
        }
    }
}

/// Run `rules` over `project`; output sorted by file, line, column, code, message.
#[must_use]
pub fn run(project: &Project, rules: &[&dyn Rule]) -> Vec<Diagnostic> {
    run_with(project, rules, &AllRules, RunOptions::default())
}

/// Run `rules` over `project`, reporting in each file only what `selection` enables there.
///
/// Disabled findings are dropped before precedence, so a disabled winner (SL102) does not hide
/// its loser (SL101) on the same mount; a suppression naming a rule disabled in its file is
/// never reported unused (SL002); severity overrides apply last, to suppression findings too.
#[must_use]
pub fn run_with(
    project: &Project,
    rules: &[&dyn Rule],
    selection: &dyn Selection,
    options: RunOptions,
) -> Vec<Diagnostic> {
    let mut out = check_files(project, rules, selection);
    for rule in rules {
        if !project.files.is_empty() {
            let mut cx = Ctx {
                project,
                file: 0,
                rule: rule.meta(),
                out: &mut out,
            };
            rule.check_project(project, &mut cx);
        }
    }
    // Project-wide rules report into any file.
    out.retain(|d| selection.enabled(&d.file, d.code));
    apply_precedence(&mut out);
    let context: HashSet<&std::path::Path> = project
        .files
        .iter()
        .filter(|f| f.context)
        .map(|f| f.source.path.as_path())
        .collect();
    if !context.is_empty() {
        out.retain(|d| !context.contains(d.file.as_path()));
    }
    let metas: Vec<&'static RuleMeta> = rules.iter().map(|r| r.meta()).collect();
    let unused = metas.iter().copied().find(|m| m.code == UNUSED_SUPPRESSION);
    if options.inline_ignores {
        let mut extra = Vec::new();
        for file in project.files.iter().filter(|f| !f.context) {
            let path = file.source.path.as_path();
            let enabled = |code: &str| selection.enabled(path, code);
            let unused = unused.filter(|m| enabled(m.code));
            extra.extend(suppress::apply(
                file,
                &mut out,
                &metas,
                unused,
                &enabled,
                options.require_reason,
            ));
        }
        out.append(&mut extra);
    }
    for d in &mut out {
        if let Some(severity) = selection.severity(&d.file, d.code) {
            d.severity = severity;
        }
    }
    sort_and_dedup(&mut out);
    out
}

/// The per-file hooks of every rule, over the files in parallel: each worker takes the next
/// few files and keeps its own findings. Their order does not matter: the run sorts them.
fn check_files(
    project: &Project,
    rules: &[&dyn Rule],
    selection: &dyn Selection,
) -> Vec<Diagnostic> {
    const CHUNK: usize = 32;
    let files = project.files.len();
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(files.div_ceil(CHUNK))
        .clamp(1, 8);
    let check = |range: std::ops::Range<usize>, out: &mut Vec<Diagnostic>| {
        for index in range {
            let file = &project.files[index];
            for rule in rules {
                let meta = rule.meta();
                if file.format.is_some_and(|f| !meta.formats.contains(&f))
                    || !selection.enabled(&file.source.path, meta.code)
                {
                    continue;
                }
                let mut cx = Ctx {
                    project,
                    file: index,
                    rule: meta,
                    out,
                };
                rule.check_file(file, &mut cx);
                for workload in &file.workloads {
                    rule.check_workload(workload, &mut cx);
                    for (container, mount) in workload.mounts() {
                        rule.check_mount(mount, container, workload, &mut cx);
                    }
                }
            }
        }
    };
    if workers == 1 {
        let mut out = Vec::new();
        check(0..files, &mut out);
        return out;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let start = next.fetch_add(CHUNK, std::sync::atomic::Ordering::Relaxed);
                        if start >= files {
                            break;
                        }
                        check(start..(start + CHUNK).min(files), &mut out);
                    }
                    out
                })
            })
            .collect();
        let mut out = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(mut part) => out.append(&mut part),
                // A bug, not input: surface it as the serial engine would.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

/// The rule that reports suppressions which silence nothing.
const UNUSED_SUPPRESSION: &str = "SL002";

fn apply_precedence(out: &mut Vec<Diagnostic>) {
    let present: HashSet<(&std::path::Path, Span, &str)> = out
        .iter()
        .filter_map(|d| Some((d.file.as_path(), d.subject?, d.code)))
        .collect();
    let beaten: Vec<bool> = out
        .iter()
        .map(|d| {
            let Some(subject) = d.subject else {
                return false;
            };
            PRECEDENCE.iter().any(|(winner, losers)| {
                losers.contains(&d.code) && present.contains(&(d.file.as_path(), subject, *winner))
            })
        })
        .collect();
    let mut beaten = beaten.into_iter();
    out.retain(|_| !beaten.next().unwrap_or(false));
}

/// Stable order, and one finding per rule and span: a pod volume mounted by two containers
/// is reported once, at its declaration.
pub fn sort_and_dedup(out: &mut Vec<Diagnostic>) {
    out.sort_by(|a, b| {
        (
            &a.file,
            a.span.start.offset,
            a.code,
            &a.message,
            a.span.end.offset,
        )
            .cmp(&(
                &b.file,
                b.span.start.offset,
                b.code,
                &b.message,
                b.span.end.offset,
            ))
    });
    out.dedup_by(|b, a| a.file == b.file && a.code == b.code && a.span == b.span);
}

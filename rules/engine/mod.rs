//! The rule engine: runs the registry over a project, applies precedence within rule
//! families, and returns diagnostics in a stable order.

mod code;
mod diagnostic;
pub mod fingerprint;
mod rule;
pub(crate) mod suppress;

pub use code::{Code, RuleSet, UnknownRule};
pub use diagnostic::{Diagnostic, FilePath, Related, Severity};
pub use fingerprint::{file_fingerprints, fingerprints};
pub use rule::{DeclaredRule, Rule, RuleMeta};

use std::collections::HashSet;

use crate::model::{FileModel, Location, Project, Span};

/// The precedence table, read from the rules' metadata (`beats`, RULES.md "Conventions"):
/// each winner, in registry order, with the rules it beats on the same mount.
#[must_use]
pub fn precedence() -> Vec<(Code, &'static [Code])> {
    Code::ALL
        .iter()
        .map(|&c| (c, c.meta().beats))
        .filter(|(_, beats)| !beats.is_empty())
        .collect()
}

/// The rules that beat `code` on one mount: the precedence table read the other way, built
/// once (the engine asks for every finding about a mount).
fn winners_over(code: Code) -> RuleSet {
    static TABLE: std::sync::OnceLock<Vec<RuleSet>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![RuleSet::default(); Code::COUNT];
        for &winner in Code::ALL {
            for &loser in winner.meta().beats {
                table[loser.index()].insert(winner);
            }
        }
        table
    })[code.index()]
}

/// Which rules report in which file, and at what severity: the configuration's answer, per
/// file (`select`/`ignore`, per-path ignores, `[severity]`). Files are named as diagnostics
/// name them.
pub trait Selection: Sync {
    /// Whether `code` reports findings in `file`.
    fn enabled(&self, file: &std::path::Path, code: Code) -> bool;
    /// The severity `code` reports at in `file`, when configured.
    fn severity(&self, file: &std::path::Path, code: Code) -> Option<Severity>;
    /// The selection of one file, looked up once: the engine asks for every rule and every
    /// finding of the file.
    fn in_file<'a>(&'a self, file: &'a std::path::Path) -> Box<dyn SelectionInFile + 'a> {
        Box::new((self, file))
    }
}

/// [`Selection`] for one file.
pub trait SelectionInFile {
    fn enabled(&self, code: Code) -> bool;
    fn severity(&self, code: Code) -> Option<Severity>;
}

impl<S: Selection + ?Sized> SelectionInFile for (&S, &std::path::Path) {
    fn enabled(&self, code: Code) -> bool {
        self.0.enabled(self.1, code)
    }
    fn severity(&self, code: Code) -> Option<Severity> {
        self.0.severity(self.1, code)
    }
}

/// Every rule everywhere, at its own severity.
#[derive(Clone, Copy, Debug, Default)]
pub struct AllRules;

impl Selection for AllRules {
    fn enabled(&self, _file: &std::path::Path, _code: Code) -> bool {
        true
    }
    fn severity(&self, _file: &std::path::Path, _code: Code) -> Option<Severity> {
        None
    }
}

/// What a rule sees besides the model: where to report, and the catalogs.
pub struct Ctx<'a> {
    project: &'a Project,
    file: usize,
    /// The file's path, shared by its findings.
    path: FilePath,
    rule: &'static RuleMeta,
    /// The mount `check_mount` is looking at: the subject of what it reports, for precedence
    /// (a rule cannot forget it).
    mount: Option<(usize, usize)>,
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    /// The file being checked.
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
        self.out.push(Diagnostic {
            code: self.rule.id,
            severity: self.rule.severity,
            message: message.into(),
            help: None,
            file: self.path.clone(),
            span,
            location: Location::default(),
            related: Vec::new(),
            subject: self.mount,
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
/// Precedence is decided over all rules before selection: a mount claimed by a more specific
/// rule (SL102) stays claimed when that rule is disabled, so ignoring a rule ignores that rule
/// only and never wakes its loser (SL101) on the same mount; a suppression naming a rule
/// disabled in its file is never reported unused (SL002); severity overrides apply last, to
/// suppression findings too.
#[must_use]
pub fn run_with(
    project: &Project,
    rules: &[&dyn Rule],
    selection: &dyn Selection,
    options: RunOptions,
) -> Vec<Diagnostic> {
    let all: Vec<usize> = (0..project.files.len()).collect();
    let mut out = lint_files(project, &all, rules, selection, options);
    sort_and_dedup(&mut out);
    out
}

/// [`lint_file`] for each of `files` (indices into the project), on all cores. The findings
/// come in no particular order: [`sort_and_dedup`] orders them.
#[must_use]
pub fn lint_files(
    project: &Project,
    files: &[usize],
    rules: &[&dyn Rule],
    selection: &dyn Selection,
    options: RunOptions,
) -> Vec<Diagnostic> {
    crate::par::map(files, |_, &index| {
        lint_file(project, index, rules, selection, options)
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Everything a run reports in one file of `project`: every rule's per-file hooks, then
/// selection, precedence and suppressions, then severity overrides. Rules report only in the
/// file they check (other files appear in related information), so a file's findings depend
/// on other files only through the project's cross-file lookups.
#[must_use]
pub fn lint_file(
    project: &Project,
    index: usize,
    rules: &[&dyn Rule],
    selection: &dyn Selection,
    options: RunOptions,
) -> Vec<Diagnostic> {
    let file = &project.files[index];
    if file.context {
        return Vec::new();
    }
    let path = file.source.path.as_path();
    let here = selection.in_file(path);
    let enabled = |code: Code| here.enabled(code);
    let shared = FilePath::from(path);
    let mut out = Vec::new();
    // Services with `extends` are checked as compose runs them: their base's settings merged.
    let effective: Vec<Option<crate::model::EffectiveService>> =
        if file.workloads.iter().any(|w| w.extends.is_some()) {
            file.workloads
                .iter()
                .map(|w| project.effective_service(file, w))
                .collect()
        } else {
            Vec::new()
        };
    for rule in rules {
        let meta = rule.meta();
        if file.format.is_some_and(|f| !meta.formats.contains(&f))
            || !(enabled(meta.id) || claims_for(meta, &enabled))
        {
            continue;
        }
        let mut cx = Ctx {
            project,
            file: index,
            path: shared.clone(),
            rule: meta,
            mount: None,
            out: &mut out,
        };
        rule.check_file(file, &mut cx);
        for (k, workload) in file.workloads.iter().enumerate() {
            let merged = effective.get(k).and_then(Option::as_ref);
            let workload = merged.map_or(workload, |e| &e.workload);
            let before = cx.out.len();
            rule.check_workload(workload, &mut cx);
            // An inherited mount's own findings are reported where it is written.
            for (container, mount) in workload.mounts().filter(|(_, m)| !m.inherited) {
                cx.mount = Some((mount.span.start(), mount.span.end()));
                rule.check_mount(mount, container, workload, &mut cx);
                cx.mount = None;
            }
            if let Some(merged) = merged {
                place_inherited(merged, cx.out, before);
            }
        }
    }
    apply_precedence(&mut out);
    out.retain(|d| enabled(d.code));
    if options.inline_ignores {
        // Only when the run holds SL002 (the registry's, or a test's subset) and selects it.
        let unused = rules
            .iter()
            .map(|r| r.meta())
            .find(|m| m.id == Code::UnusedSuppression)
            .filter(|m| enabled(m.id));
        let mut extra = suppress::apply(file, &mut out, unused, &enabled, options.require_reason);
        out.append(&mut extra);
    }
    for d in &mut out {
        if let Some(severity) = here.severity(d.code) {
            d.severity = severity;
        }
    }
    locate_from(project, Some(&file.source), &mut out);
    out
}

/// Fill in where each finding and related location is in lines and columns, from the files'
/// texts in `project` (a streaming run keeps findings, not texts). A location in a file the
/// project cannot name keeps the default (line 0): [`check_spans`] reports it.
pub fn locate(project: &Project, out: &mut [Diagnostic]) {
    locate_from(project, None, out);
}

/// [`locate`], looking in `here` first (the file being linted).
fn locate_from<'a>(
    project: &'a Project,
    here: Option<&'a crate::model::SourceFile>,
    out: &mut [Diagnostic],
) {
    let mut last = here;
    let mut find = |path: &std::path::Path| {
        if let Some(s) = last.filter(|s| s.path == path) {
            return Some(s);
        }
        last = project.source(path).or(last);
        last.filter(|s| s.path == path)
    };
    for d in out {
        if let Some(source) = find(&d.file) {
            d.location = source.location(d.span);
        }
        for r in &mut d.related {
            if let Some(source) = find(&r.file) {
                r.location = source.location(r.span);
            }
        }
    }
}

/// The findings of an extending service's checks (from `before` on): those about a mount
/// written in another file are dropped (that file's lint reports them where they are
/// written); those at the `extends` key (what the service inherits) name the base service.
fn place_inherited(
    merged: &crate::model::EffectiveService,
    out: &mut Vec<Diagnostic>,
    before: usize,
) {
    let mut produced = out.split_off(before);
    if let Some(mount_span) = merged.inherited_mount_span() {
        produced.retain(|d| d.span != mount_span);
    }
    if let Some(key) = merged.extends_span() {
        for d in produced.iter_mut().filter(|d| d.span == key) {
            d.related(
                FilePath::from(merged.base_file.as_path()),
                merged.base_name.span,
                format!("inherited from service `{}`", merged.base_name.value),
            );
        }
    }
    out.append(&mut produced);
}

/// Every span of every finding and of its related locations lies in a file of `project`, on
/// character boundaries, with its location agreeing with the file's line index (the
/// invariant fuzzers and property tests check).
///
/// # Errors
/// The first span that breaks it, with the rule and the file's text.
pub fn check_spans(project: &Project, diagnostics: &[Diagnostic]) -> Result<(), String> {
    let check = |file: &std::path::Path, span: Span, location: Location, code: Code| {
        let source = &project
            .files
            .iter()
            .find(|f| f.source.path == file)
            .ok_or_else(|| format!("{code} reported in {}, not in the run", file.display()))?
            .source;
        source
            .check_span(span)
            .map_err(|e| format!("{code}: {e} in {:?}", source.text))?;
        if location != source.location(span) {
            return Err(format!(
                "{code}: {location:?} disagrees with the line index ({:?}) in {:?}",
                source.location(span),
                source.text
            ));
        }
        Ok(())
    };
    for d in diagnostics {
        check(&d.file, d.span, d.location, d.code)?;
        for r in &d.related {
            check(&r.file, r.span, r.location, d.code)?;
        }
    }
    Ok(())
}

/// Whether a disabled rule must still run in a file: it wins over an enabled rule there, and
/// the mounts it claims stay claimed.
fn claims_for(rule: &RuleMeta, enabled: &dyn Fn(Code) -> bool) -> bool {
    rule.beats.iter().any(|&l| enabled(l))
}

fn apply_precedence(out: &mut Vec<Diagnostic>) {
    // One file's findings: (subject, code) identifies a rule's finding on a mount.
    if out.iter().all(|d| d.subject.is_none()) {
        return;
    }
    let present: HashSet<((usize, usize), Code)> = out
        .iter()
        .filter_map(|d| Some((d.subject?, d.code)))
        .collect();
    let beaten: Vec<bool> = out
        .iter()
        .map(|d| {
            let Some(subject) = d.subject else {
                return false;
            };
            winners_over(d.code)
                .iter()
                .any(|winner| present.contains(&(subject, winner)))
        })
        .collect();
    let mut beaten = beaten.into_iter();
    out.retain(|_| !beaten.next().unwrap_or(false));
}

/// Stable order, and one finding per rule and span: a pod volume mounted by two containers
/// is reported once, at its declaration, by the most severe of its findings (a log shipper's
/// info does not hide a web server's error on the same volume).
pub fn sort_and_dedup(out: &mut Vec<Diagnostic>) {
    out.sort_by(|a, b| {
        (&a.file, a.span.start(), a.code, &a.message, a.span.end()).cmp(&(
            &b.file,
            b.span.start(),
            b.code,
            &b.message,
            b.span.end(),
        ))
    });
    out.dedup_by(|b, a| {
        let same = a.file == b.file && a.code == b.code && a.span == b.span;
        if same && b.severity > a.severity {
            std::mem::swap(a, b);
        }
        same
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceFile;

    #[test]
    fn spans_are_checked_in_their_files_and_related_locations_too() {
        let text = "services:\n  ci:\n    image: é\n";
        let file = SourceFile::new("c.yaml", text.into());
        let good = file.span(0..8);
        let outside = Span::new(0, 999);
        let finding = |span: Span| Diagnostic {
            code: Code::ContainerRuntimeSocket,
            severity: Severity::Error,
            message: "m".into(),
            help: None,
            file: "c.yaml".into(),
            span,
            location: file.location(span),
            related: Vec::new(),
            subject: None,
        };
        let project = Project::new(vec![FileModel::new(file.clone(), None)]);
        assert_eq!(check_spans(&project, &[finding(good)]), Ok(()));
        let err = check_spans(&project, &[finding(outside)]).unwrap_err();
        assert!(err.starts_with("SL102"), "{err}");
        let mut unlocated = finding(good);
        unlocated.location = Location::default();
        let err = check_spans(&project, &[unlocated]).unwrap_err();
        assert!(err.contains("line index"), "{err}");
        let mut elsewhere = finding(good);
        elsewhere.related(FilePath::from("other.yaml"), good, "here");
        let err = check_spans(&project, &[elsewhere]).unwrap_err();
        assert!(err.contains("other.yaml, not in the run"), "{err}");
    }
}

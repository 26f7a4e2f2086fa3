//! The streaming run: read, parse and lint every file on all cores, keeping of each file only
//! its findings, its cross-file facts and (when it has findings and a report quotes it) its
//! text — never its model past its own lint. Memory grows with the findings, not with the
//! repository's trees.
//!
//! A file's findings depend on other files only through the project's cross-file lookups
//! ([`Query`]). So each file is linted alone as soon as it is parsed, recording the queries
//! its rules ask and the answers it got; Dockerfiles go first, so the Dockerfile a compose
//! `build:` names is known by then. When every file is read, the facts of all of them answer
//! the recorded queries again: a file whose answers differ (a claim, an autoscaler or a
//! compose sibling in another file) is read again and linted in a project holding the files
//! that answer it. The findings are exactly those of a project holding every file at once
//! (tested against [`engine::run_with`](crate::engine::run_with)).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::{self, Diagnostic, FilePath, Rule, RunOptions, Selection};
use crate::model::{
    Answer, FactIndex, FileFacts, FileModel, Project, Query, SharedDockerfiles, lexical,
};
use crate::output::{Entry, Report, Store};
use crate::parse::detect;
use crate::rules::catalog::Catalog;
use crate::workspace::Wants;

/// One file to lint: how reports name it, and how to read and parse it (a streaming run may
/// read a file twice).
pub struct Input<'a> {
    /// As diagnostics name it.
    pub display: PathBuf,
    /// Named on the command line: its claims may come from files the run was not given.
    pub explicit: bool,
    /// Named on the command line or standard input: when it holds nothing to lint, the run
    /// lists it in [`Linted::not_linted`].
    pub must_lint: bool,
    load: Box<dyn Fn() -> Option<FileModel> + Sync + 'a>,
    /// Its size in bytes, when known before reading: what it takes of the [`BYTE_BUDGET`].
    size: u64,
}

impl std::fmt::Debug for Input<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input")
            .field("display", &self.display)
            .field("explicit", &self.explicit)
            .finish_non_exhaustive()
    }
}

impl<'a> Input<'a> {
    /// `load` reads and parses the file; `None` when it is none of ours.
    pub fn new(
        display: PathBuf,
        explicit: bool,
        load: impl Fn() -> Option<FileModel> + Sync + 'a,
    ) -> Self {
        Self {
            display,
            explicit,
            must_lint: explicit,
            load: Box::new(load),
            size: 0,
        }
    }

    /// Its size in bytes before it is read (see [`BYTE_BUDGET`]).
    #[must_use]
    pub fn with_size(mut self, bytes: u64) -> Self {
        self.size = bytes;
        self
    }

    /// Standard input: not named, yet a run on it alone must not pass on nothing.
    #[must_use]
    pub fn must_be_linted(mut self) -> Self {
        self.must_lint = true;
        self
    }

    fn load(&self) -> Option<FileModel> {
        (self.load)()
    }

    /// Dockerfiles are named so: they are linted first, so that compose files find them.
    fn early(&self) -> bool {
        detect::by_name(&self.display) == detect::NameClass::Dockerfile
    }
}

/// Where build and claim context files are read from.
#[derive(Clone, Debug)]
pub struct Context {
    pub parse: crate::parse::ParseOptions,
    /// Relative display paths start here.
    pub cwd: PathBuf,
}

/// What a run checks with.
pub struct Options<'a> {
    pub rules: &'a [&'a dyn Rule],
    pub selection: &'a dyn Selection,
    pub run: RunOptions,
    pub catalog: Option<Arc<Catalog>>,
    pub context: Context,
    /// Keep the text of files with findings, for renderers that quote it (snippets, line
    /// fingerprints).
    pub keep_text: bool,
    /// Bytes of stale files re-linted together (see [`relint`]): [`BYTE_BUDGET`] by default.
    pub relint_budget: u64,
    /// Bytes of encoded findings kept in memory before the rest go to a temporary file:
    /// [`crate::output::store::MEMORY_BUDGET`] by default.
    pub findings_budget: u64,
}

impl Options<'static> {
    /// Every rule at its own severity, inline suppressions honoured, the built-in catalog,
    /// default parse options, context files looked for under `cwd`, text kept.
    #[must_use]
    pub fn every_rule(cwd: impl Into<PathBuf>) -> Self {
        Self {
            rules: crate::rules::RULES,
            selection: &engine::AllRules,
            run: RunOptions::default(),
            catalog: None,
            context: Context {
                parse: crate::discover::parse_options(),
                cwd: cwd.into(),
            },
            keep_text: true,
            relint_budget: BYTE_BUDGET,
            findings_budget: crate::output::store::MEMORY_BUDGET,
        }
    }
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("rules", &self.rules.len())
            .field("run", &self.run)
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

/// A run's result: the findings of each linted file in report order, encoded in a store (see
/// [`crate::output::store`]: memory does not grow with their number), with each file's text
/// when it has findings and [`Options::keep_text`] asks for it; and a project of the linted
/// files — each file's path and format, no texts, no models.
#[derive(Debug)]
pub struct Linted {
    pub project: Project,
    pub findings: Store,
    /// One entry per linted file, in report order.
    pub entries: Vec<Entry>,
    /// Files linted a second time because another file answered their queries differently.
    pub relinted: usize,
    /// The most bytes (file sizes) one re-lint loaded at once: the stale files of one batch
    /// and the files that answer them.
    pub relint_peak_bytes: u64,
    /// Inputs named on the command line (or standard input) that held nothing to lint: as
    /// diagnostics would name them. The run says so rather than pass on nothing.
    pub not_linted: Vec<PathBuf>,
}

impl Linted {
    /// The report of the run's findings.
    #[must_use]
    pub fn report(&self) -> Report<'_> {
        Report::stored(&self.findings, &self.entries)
    }

    /// Every finding in report order, read back into memory.
    #[must_use]
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.entries
            .iter()
            .flat_map(|e| self.findings.read(e).1)
            .collect()
    }

    /// Every finding in report order, read back into memory, with a project holding the texts
    /// that were kept (baselines; tests).
    #[must_use]
    pub fn materialize(&self) -> (Vec<Diagnostic>, Project) {
        let mut diagnostics = Vec::new();
        let mut files = Vec::with_capacity(self.entries.len());
        for (entry, file) in self.entries.iter().zip(&self.project.files) {
            let (source, found) = self.findings.read(entry);
            diagnostics.extend(found);
            let source = source.unwrap_or_else(|| {
                crate::model::SourceFile::new(entry.path.to_path_buf(), String::new())
            });
            files.push(FileModel::new(source, file.format));
        }
        (diagnostics, Project::new(files))
    }
}

/// What is kept of one linted file.
struct Outcome {
    input: usize,
    /// Its findings (and its text when kept), encoded.
    entry: Entry,
    facts: FileFacts,
    /// The cross-file queries its rules asked, with the answers they got.
    queries: Vec<(Query, Answer)>,
    /// The files it depends on that the run may not have been given.
    wants: Wants,
    /// What the report's project keeps of the file: its path, no text.
    source: crate::model::SourceFile,
    format: Option<crate::model::Format>,
}

/// Read, parse and lint `inputs`.
#[must_use]
pub fn lint(inputs: &[Input<'_>], options: &Options<'_>) -> Linted {
    let (early, late): (Vec<usize>, Vec<usize>) =
        (0..inputs.len()).partition(|&i| inputs[i].early());
    let store = Store::new(options.findings_budget);
    let none = Arc::new(SharedDockerfiles::new());
    let first = crate::par::map(&early, |_, &i| {
        lint_alone(inputs, i, &none, options, &store)
    });
    let mut shared = SharedDockerfiles::new();
    let mut outcomes = Vec::with_capacity(inputs.len());
    for (outcome, model) in first.into_iter().flatten() {
        if let Some(model) = model.filter(|m| m.dockerfile.is_some()) {
            shared.insert(lexical(&model.source.path), model);
        }
        outcomes.push(outcome);
    }
    let shared = Arc::new(shared);
    let second = crate::par::map(&late, |_, &i| {
        lint_alone(inputs, i, &shared, options, &store).map(|(outcome, _)| outcome)
    });
    outcomes.extend(second.into_iter().flatten());
    let mut not_linted: Vec<PathBuf> = {
        let linted: HashSet<usize> = outcomes.iter().map(|o| o.input).collect();
        inputs
            .iter()
            .enumerate()
            .filter(|(i, input)| input.must_lint && !linted.contains(i))
            .map(|(_, input)| input.display.clone())
            .collect()
    };
    not_linted.sort();
    drop(none);
    let mut shared = Arc::try_unwrap(shared).unwrap_or_else(|arc| (*arc).clone());

    let (mut context_facts, mut claim_context) = read_context(&outcomes, &mut shared, options);

    // The facts move to the index; outcomes keep their paths.
    let mut all_facts: Vec<FileFacts> = outcomes
        .iter_mut()
        .map(|o| {
            let path = o.facts.path.clone();
            std::mem::replace(
                &mut o.facts,
                FileFacts {
                    path,
                    ..FileFacts::default()
                },
            )
        })
        .collect();
    all_facts.append(&mut context_facts);
    all_facts.sort_by(|a, b| a.path.cmp(&b.path));
    let global = FactIndex::new(all_facts);

    let stale: Vec<usize> = crate::par::map(&outcomes, |_, o| {
        o.queries.iter().any(|(q, a)| !global.agrees(q, a))
    })
    .into_iter()
    .enumerate()
    .filter_map(|(k, stale)| stale.then_some(k))
    .collect();
    // Stale files are re-linted in batches whose sizes fit the budget (a file larger than it
    // alone), each with the files that answer it: memory stays bounded however many files a
    // shared claim name makes stale.
    let mut relint_peak_bytes = 0;
    let shared = Arc::new(shared);
    let mut batch: Vec<usize> = Vec::new();
    let mut batch_bytes = 0u64;
    for (n, &k) in stale.iter().enumerate() {
        let size = inputs[outcomes[k].input].size;
        batch.push(k);
        batch_bytes += size;
        let next = stale
            .get(n + 1)
            .map_or(u64::MAX, |&j| inputs[outcomes[j].input].size);
        if batch_bytes.saturating_add(next) > options.relint_budget {
            let run = Run {
                inputs,
                global: &global,
                shared: &shared,
                options,
                store: &store,
            };
            let loaded = relint(&run, &mut outcomes, &batch, &mut claim_context);
            relint_peak_bytes = relint_peak_bytes.max(loaded);
            batch.clear();
            batch_bytes = 0;
        }
    }
    drop(shared);
    drop((global, claim_context));

    // Each file's findings are sorted: files in path order give the report order.
    outcomes.sort_by(|a, b| a.facts.path.cmp(&b.facts.path));
    let mut entries = Vec::with_capacity(outcomes.len());
    let mut files = Vec::with_capacity(outcomes.len());
    for o in outcomes {
        entries.push(o.entry);
        files.push(FileModel::new(o.source, o.format));
    }
    Linted {
        project: Project::new(files),
        findings: store,
        entries,
        relinted: stale.len(),
        relint_peak_bytes,
        not_linted,
    }
}

/// Files the run was not given, read for their facts (see [`crate::workspace`]): the
/// Dockerfiles compose files build (added to `shared`), the compose files they extend or
/// include or that extend or include them, and the claims around manifests named on the
/// command line. Returns the facts of all and the models of the non-Dockerfiles (a re-lint
/// links them into its project).
fn read_context(
    outcomes: &[Outcome],
    shared: &mut SharedDockerfiles,
    options: &Options<'_>,
) -> (Vec<FileFacts>, Vec<FileModel>) {
    let mut wants = Wants::default();
    for o in outcomes {
        wants.extend(o.wants.clone());
    }
    if wants.is_empty() {
        return (Vec::new(), Vec::new());
    }
    // Any file of the run is not read again as context.
    let have: HashSet<PathBuf> = outcomes
        .iter()
        .map(|o| lexical(&o.facts.path))
        .chain(shared.keys().cloned())
        .collect();
    let fs = crate::workspace::Disk::new(&options.context.cwd);
    let found = crate::workspace::read_context(&fs, &wants, &have, &options.context.parse);
    let mut facts = Vec::with_capacity(found.len());
    let mut models = Vec::new();
    for model in found {
        facts.push(FileFacts::of(&model));
        if model.dockerfile.is_some() {
            shared.insert(lexical(&model.source.path), Arc::new(model));
        } else {
            models.push(model);
        }
    }
    (facts, models)
}

/// At most this many bytes of input are read, parsed and linted at once, whatever the number
/// of workers: a parse takes about a hundred times its input in memory, so without a budget
/// eight workers on eight 10 MB manifests would hold eight parses at once. A file larger than
/// the budget is linted alone.
pub const BYTE_BUDGET: u64 = 16 << 20;

/// Bytes of input in flight, shared by the workers: [`Budget::take`] waits until its share
/// fits (or nothing else is in flight), and the [`Permit`] gives it back when dropped.
pub struct Budget {
    limit: u64,
    in_flight: std::sync::Mutex<u64>,
    freed: std::sync::Condvar,
}

/// A share of a [`Budget`], given back when dropped.
pub struct Permit<'a> {
    budget: &'a Budget,
    bytes: u64,
}

impl Budget {
    #[must_use]
    pub const fn new(limit: u64) -> Self {
        Self {
            limit,
            in_flight: std::sync::Mutex::new(0),
            freed: std::sync::Condvar::new(),
        }
    }

    /// Take `bytes` (at most the whole budget), waiting while other files hold too much of it.
    pub fn take(&self, bytes: u64) -> Permit<'_> {
        let bytes = bytes.min(self.limit);
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while *in_flight > 0 && *in_flight + bytes > self.limit {
            in_flight = self
                .freed
                .wait(in_flight)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *in_flight += bytes;
        Permit {
            budget: self,
            bytes,
        }
    }

    /// The bytes held now (for tests).
    #[must_use]
    pub fn in_flight(&self) -> u64 {
        *self
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut in_flight = self
            .budget
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *in_flight -= self.bytes;
        drop(in_flight);
        self.budget.freed.notify_all();
    }
}

/// The budget of every run in the process (the language server and tests run several).
static BUDGET: Budget = Budget::new(BYTE_BUDGET);

/// Read, parse and lint input `i` in a project of its own (and the Dockerfiles read so far).
/// The model comes back too, for Dockerfiles other files build.
fn lint_alone(
    inputs: &[Input<'_>],
    i: usize,
    shared: &Arc<SharedDockerfiles>,
    options: &Options<'_>,
    store: &Store,
) -> Option<(Outcome, Option<Arc<FileModel>>)> {
    let input = &inputs[i];
    // Held until the file's model is slimmed: its tree, model and project are freed by then.
    let _permit = BUDGET.take(input.size);
    let model = input.load()?;
    let mut project = project_of(vec![model], options).with_shared_dockerfiles(Arc::clone(shared));
    let mut diagnostics =
        engine::lint_file(&project, 0, options.rules, options.selection, options.run);
    // In report order already (one file's findings), then encoded for the report.
    engine::sort_and_dedup(&mut diagnostics);
    let queries = project
        .take_queries()
        .into_iter()
        .map(|q| {
            let a = project.answer(&q);
            (q, a)
        })
        .collect();
    let model = project.files.pop()?;
    let wants = Wants::of(&model, input.explicit);
    let facts = FileFacts::of(&model);
    let text = (options.keep_text && !diagnostics.is_empty()).then_some(model.source.text.as_str());
    let kept = store.keep(&model.source.path, text, &diagnostics);
    let entry = Entry::new(FilePath::from(&model.source.path), kept, &diagnostics);
    drop(diagnostics);
    let format = model.format;
    let (source, model) = slim(model, input.early());
    Some((
        Outcome {
            input: i,
            entry,
            facts,
            queries,
            wants,
            source,
            format,
        },
        model,
    ))
}

/// What the report's project keeps of a file: its path. The model itself comes back, for
/// lookups, when `keep` says so.
fn slim(model: FileModel, keep: bool) -> (crate::model::SourceFile, Option<Arc<FileModel>>) {
    let bare = crate::model::SourceFile::new(model.source.path.clone(), String::new());
    (bare, keep.then(|| Arc::new(for_lookups(model))))
}

/// A Dockerfile kept for the compose files that build it: what image facts read (stages,
/// their bases, `ENV` and `VOLUME`s) and its text (findings in compose files point into it,
/// and are located in lines and columns where they are made), without its instructions,
/// workloads or errors.
fn for_lookups(mut model: FileModel) -> FileModel {
    model.workloads = Vec::new();
    model.errors = Vec::new();
    model.object_suppressions = Vec::new();
    if let Some(dockerfile) = &mut model.dockerfile {
        for stage in &mut dockerfile.stages {
            stage.instructions = Vec::new();
        }
    }
    model
}

fn project_of(files: Vec<FileModel>, options: &Options<'_>) -> Project {
    let mut project = Project::new(files).recording();
    if let Some(catalog) = &options.catalog {
        project = project.with_catalog(Arc::clone(catalog));
    }
    project
}

/// How many times a re-lint may widen its project before it takes every file.
const WIDENINGS: usize = 3;

/// What every re-lint of a run reads: the inputs, the facts of all files, the Dockerfiles
/// kept for compose builds, the options, and where findings are kept.
struct Run<'r, 'i> {
    inputs: &'r [Input<'i>],
    global: &'r FactIndex,
    shared: &'r Arc<SharedDockerfiles>,
    options: &'r Options<'r>,
    store: &'r Store,
}

/// Lint again the outcomes at `stale`, in a project of their files and the files that answer
/// their queries, until every answer agrees with `global`.
fn relint(
    run: &Run<'_, '_>,
    outcomes: &mut [Outcome],
    stale: &[usize],
    claim_context: &mut Vec<FileModel>,
) -> u64 {
    let Run {
        inputs,
        global,
        shared,
        options,
        store,
    } = *run;
    let mut peak = 0;
    let by_path: HashMap<&Path, usize> = inputs
        .iter()
        .enumerate()
        .map(|(i, input)| (input.display.as_path(), i))
        .collect();
    let targets: HashSet<usize> = stale.iter().map(|&k| outcomes[k].input).collect();
    let mut wanted: HashSet<usize> = targets.clone();
    let mut asked: Vec<Query> = stale
        .iter()
        .flat_map(|&k| outcomes[k].queries.iter().map(|(q, _)| q.clone()))
        .collect();
    for round in 0..=WIDENINGS {
        if round == WIDENINGS {
            wanted.extend(0..inputs.len());
        }
        for q in &asked {
            for (path, _) in global.answer(q) {
                if let Some(&i) = by_path.get(path.as_path()) {
                    wanted.insert(i);
                }
            }
        }
        let mut load: Vec<usize> = wanted.iter().copied().collect();
        load.sort_unstable();
        peak = load.iter().map(|&i| inputs[i].size).sum::<u64>().max(peak);
        let mut files: Vec<FileModel> = crate::par::map(&load, |_, &i| inputs[i].load())
            .into_iter()
            .flatten()
            .collect();
        files.append(claim_context);
        files.sort_by(|a, b| a.source.path.cmp(&b.source.path));
        let project = project_of(files, options).with_shared_dockerfiles(Arc::clone(shared));
        let lint: Vec<usize> = project
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                by_path
                    .get(f.source.path.as_path())
                    .is_some_and(|i| targets.contains(i))
                    && !f.context
            })
            .map(|(k, _)| k)
            .collect();
        let found = engine::lint_files(
            &project,
            &lint,
            options.rules,
            options.selection,
            options.run,
        );
        asked = project.take_queries();
        let agreed = asked.iter().all(|q| project.answer(q) == global.answer(q));
        let mut project = project;
        claim_context.extend(project.files.extract_if(.., |f| f.context));
        if !agreed && round < WIDENINGS {
            continue;
        }
        let mut by_file: HashMap<PathBuf, Vec<Diagnostic>> = HashMap::new();
        for d in found {
            by_file.entry(d.file.to_path_buf()).or_default().push(d);
        }
        let texts: HashMap<PathBuf, crate::model::SourceFile> = project
            .files
            .into_iter()
            .map(|f| (f.source.path.clone(), f.source))
            .collect();
        for &k in stale {
            let o = &mut outcomes[k];
            let mut diagnostics = by_file.remove(&o.facts.path).unwrap_or_default();
            engine::sort_and_dedup(&mut diagnostics);
            let text = texts
                .get(&o.facts.path)
                .filter(|_| options.keep_text && !diagnostics.is_empty())
                .map(|source| source.text.as_str());
            let kept = store.keep(&o.source.path, text, &diagnostics);
            let path = o.entry.path.clone();
            let old = std::mem::replace(&mut o.entry, Entry::new(path, kept, &diagnostics));
            store.release(old);
        }
        return peak;
    }
    peak
}

#[cfg(test)]
mod tests {
    use super::Budget;

    #[test]
    fn a_budget_admits_what_fits_and_a_large_file_alone() {
        let budget = Budget::new(10);
        let a = budget.take(6);
        assert_eq!(budget.in_flight(), 6);
        std::thread::scope(|scope| {
            // 6 more does not fit beside `a`: it waits until `a` is given back.
            let waiter = scope.spawn(|| {
                let _b = budget.take(6);
                budget.in_flight()
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert_eq!(budget.in_flight(), 6, "the second share waits");
            drop(a);
            assert_eq!(waiter.join().expect("no panic"), 6);
        });
        assert_eq!(budget.in_flight(), 0);
        // Larger than the whole budget: taken alone, as the whole budget.
        let big = budget.take(1000);
        assert_eq!(budget.in_flight(), 10);
        drop(big);
        assert_eq!(budget.in_flight(), 0);
    }
}

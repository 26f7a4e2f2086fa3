//! Configuration: `stowlint.toml` or `.stowlint.toml`, found for each linted file by walking
//! up from its folder (the nearest wins), or one file for everything with `--config`;
//! `--isolated` ignores configuration files. Command-line options win over the file, the file
//! over the defaults.
//!
//! Rule selection is ruff's: each layer (the file, then the command line) applies `select`
//! (which replaces the set so far), then `extend-select` (adds), then `ignore` (removes). Rules
//! are named by code (`SL102`), prefix (`SL4`, `SL10`, `SL` or `ALL` for every rule) or name
//! (`container-runtime-socket`).
//!
//! Most settings apply per file (the file's nearest configuration): selection, `[severity]`,
//! `[per-path-ignores]`, `fail-on`, `exclude`/`include` and `[compose] mode`. The catalog
//! extensions (`[[stateful-images]]`, `[host-paths]`, `[kubernetes]`) are facts the whole run
//! shares
//! (cross-file rules read them), so they come from one configuration: `--config`, or the one
//! nearest the working folder. Other configurations that set them get a warning.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::engine::{self, Code, RuleSet, Selection, Severity};
use crate::model::SourceFile;
use crate::parse::ComposeMode;
use crate::rules::{self, catalog::Catalog, catalog::ClusterStorage, catalog::ImageEntry};

/// The names a configuration file may have, in the order they are looked for in a folder.
pub const FILE_NAMES: [&str; 2] = ["stowlint.toml", ".stowlint.toml"];

/// The lowest severity that fails a run (exit 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Error,
    #[default]
    Warning,
    Info,
    /// Findings never fail the run; usage, configuration and I/O errors still exit 2.
    Never,
}

impl FailOn {
    /// Whether a finding at `severity` fails the run.
    #[must_use]
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Info => true,
            FailOn::Never => false,
        }
    }
}

/// A configuration problem, with where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// As shown: relative to the working folder when under it.
    pub path: PathBuf,
    /// 1-based; `None` when the problem has no position (an unreadable file).
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = crate::output::path_str(&self.path);
        match self.position {
            Some((line, column)) => write!(f, "{path}:{line}:{column}: {}", self.message),
            None => write!(f, "{path}: {}", self.message),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    /// Another configuration file (relative to this one's folder) whose settings are the base:
    /// this file's keys win key by key, `extend-select` and `ignore` apply after the base's.
    extend: Option<Spanned<String>>,
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    extend_select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, SeverityName>,
    fail_on: Option<FailOn>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    per_path_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    #[serde(default)]
    compose: RawCompose,
    #[serde(default)]
    stateful_images: Vec<Spanned<ImageEntry>>,
    #[serde(default)]
    host_paths: RawHostPaths,
    #[serde(default)]
    kubernetes: RawKubernetes,
    max_file_size: Option<Spanned<RawSize>>,
    /// Files named on the command line are excluded too (pre-commit passes every file).
    force_exclude: Option<bool>,
    /// Lint what `kubectl kustomize` renders for folders with a kustomization.
    render: Option<bool>,
}

/// `max-file-size`: bytes, or a string with a unit (`"20MB"`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawSize {
    Bytes(i64),
    Text(String),
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum SeverityName {
    Error,
    Warning,
    Info,
}

impl From<SeverityName> for Severity {
    fn from(s: SeverityName) -> Severity {
        match s {
            SeverityName::Error => Severity::Error,
            SeverityName::Warning => Severity::Warning,
            SeverityName::Info => Severity::Info,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompose {
    mode: Option<ComposeModeName>,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ComposeModeName {
    Auto,
    Standalone,
    Swarm,
}

impl From<ComposeModeName> for ComposeMode {
    fn from(m: ComposeModeName) -> ComposeMode {
        match m {
            ComposeModeName::Auto => ComposeMode::Auto,
            ComposeModeName::Standalone => ComposeMode::Standalone,
            ComposeModeName::Swarm => ComposeMode::Swarm,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHostPaths {
    #[serde(default)]
    sensitive: Vec<Spanned<String>>,
    #[serde(default)]
    allowed: Vec<Spanned<String>>,
}

/// `[kubernetes]`: the cluster the manifests are applied to, where the run does not say.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawKubernetes {
    /// The class of claims that name none (the cluster's default StorageClass).
    default_storage_class: Option<Spanned<String>>,
    /// The cluster's classes the run does not declare: name = provisioner.
    #[serde(default)]
    storage_classes: BTreeMap<Spanned<String>, Spanned<String>>,
    /// Provisioners that keep volumes on one node, beyond the catalog's.
    #[serde(default)]
    node_local_provisioners: Vec<Spanned<String>>,
}

/// Why `name` is no StorageClass name (a DNS subdomain: at most 253 lower-case letters,
/// digits, `-` and `.`, starting and ending with a letter or digit).
fn bad_class_name(name: &str) -> Option<String> {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let ok = !name.is_empty()
        && name.len() <= 253
        && name.chars().all(|c| alnum(c) || c == '-' || c == '.')
        && name.starts_with(alnum)
        && name.ends_with(alnum);
    (!ok).then(|| {
        format!(
            "`{name}` is not a StorageClass name (lower-case letters, digits, `-` and `.`, \
             starting and ending with a letter or digit, at most 253 characters)"
        )
    })
}

/// Why `name` is no provisioner name (a qualified name as the API server checks it: an
/// optional DNS-subdomain prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.`,
/// starting and ending with a letter or digit).
fn bad_provisioner(name: &str) -> Option<String> {
    let lowered = name.to_ascii_lowercase();
    let (prefix, base) = match lowered.split_once('/') {
        Some((prefix, base)) => (Some(prefix), base),
        None => (None, lowered.as_str()),
    };
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let base_ok = !base.is_empty()
        && base.len() <= 63
        && base
            .chars()
            .all(|c| alnum(c) || matches!(c, '-' | '_' | '.'))
        && base.starts_with(alnum)
        && base.ends_with(alnum);
    let prefix_ok = prefix.is_none_or(|p| bad_class_name(p).is_none());
    (!(base_ok && prefix_ok)).then(|| {
        format!(
            "`{name}` is not a provisioner name (such as `rancher.io/local-path`: an optional \
             domain and `/`, then letters, digits, `-`, `_` and `.`)"
        )
    })
}

/// The rule codes a selector names: a code or name, a code prefix (`SL4`, `SL10`, `SL`), or
/// `ALL`. `None` when it names no rule.
#[must_use]
pub fn resolve_selector(selector: &str) -> Option<Vec<Code>> {
    let all = Code::ALL.iter().copied();
    if selector.eq_ignore_ascii_case("ALL") {
        return Some(all.collect());
    }
    if let Some(code) = Code::find(selector) {
        return Some(vec![code]);
    }
    let upper = selector.to_ascii_uppercase();
    let digits = upper.strip_prefix("SL")?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let codes: Vec<Code> = all.filter(|c| c.as_str().starts_with(&upper)).collect();
    (!codes.is_empty()).then_some(codes)
}

/// Options given on the command line: they win over every configuration file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<FailOn>,
    pub compose_mode: Option<ComposeMode>,
    /// `--exclude` was given: it replaces the files' `exclude`.
    pub exclude_given: bool,
    /// `--max-file-size`, in bytes.
    pub max_file_size: Option<u64>,
    /// `--force-exclude`.
    pub force_exclude: bool,
    /// `--render`.
    pub render: bool,
}

impl Overrides {
    /// Check that every rule the command line names exists.
    ///
    /// # Errors
    /// The option and the selector that names no rule.
    pub fn validate(&self) -> Result<(), String> {
        let lists = [
            ("--select", self.select.as_deref().unwrap_or_default()),
            ("--extend-select", self.extend_select.as_slice()),
            ("--ignore", self.ignore.as_slice()),
        ];
        for (option, list) in lists {
            if let Some(bad) = list.iter().find(|s| resolve_selector(s).is_none()) {
                return Err(format!(
                    "{option}: `{bad}` names no rule (a code such as SL102, a prefix such as SL4, \
                     a name, or ALL; `stowlint rules` lists them)"
                ));
            }
        }
        Ok(())
    }
}

/// A pattern set matched against paths relative to a configuration's folder, and against
/// file names. `legacy` and `legacy/` also match everything under `legacy`.
#[derive(Clone, Debug)]
struct Patterns(GlobSet, PathBuf);

/// Globs in one list (`exclude`, `include`): real configurations have a few dozen; 20,000
/// complex globs took gigabytes to compile.
const MAX_GLOBS: usize = 1000;
/// Characters in one glob.
const MAX_GLOB_LEN: usize = 1024;

impl Patterns {
    /// Whether `path` (absolute) matches, relative to the folder of the configuration that
    /// wrote the patterns (an extended file keeps its own folder).
    fn is_match(&self, path: &Path) -> bool {
        let relative = path.strip_prefix(&self.1).unwrap_or(path);
        !self.0.is_empty()
            && (self.0.is_match(relative)
                || relative
                    .file_name()
                    .is_some_and(|name| self.0.is_match(Path::new(name))))
    }
}

/// The settings of one configuration file with the command line applied: what files it
/// governs get.
#[derive(Debug)]
pub struct Settings {
    /// The configuration file, `None` for the defaults.
    pub file: Option<PathBuf>,
    enabled: RuleSet,
    severity: HashMap<Code, Severity>,
    per_path_ignores: Vec<(Patterns, RuleSet)>,
    /// `None` when `--exclude` replaces it.
    exclude: Option<Patterns>,
    include: Patterns,
    pub fail_on: FailOn,
    pub compose_mode: ComposeMode,
    /// Larger files are reported (SL001) rather than read.
    pub max_file_size: u64,
    /// Files named on the command line are excluded like walked ones.
    pub force_exclude: bool,
    /// Folders with a kustomization are linted as `kubectl kustomize` renders them.
    pub render: bool,
    stateful_images: Vec<ImageEntry>,
    sensitive: Vec<String>,
    allowed: Vec<String>,
    cluster: ClusterStorage,
}

impl Settings {
    /// How files with these settings are parsed.
    #[must_use]
    pub fn parse_options(&self) -> crate::parse::ParseOptions {
        crate::parse::ParseOptions {
            compose_mode: self.compose_mode,
            max_file_size: self.max_file_size,
            side_files: std::sync::Arc::new(crate::discover::Disk),
        }
    }

    /// No file: the defaults and the command line.
    #[must_use]
    pub fn defaults(dir: &Path, overrides: &Overrides) -> Settings {
        // Cannot fail: an empty file names nothing (the command line is checked before).
        Settings::build(
            None,
            dir,
            "",
            RawConfig::default(),
            overrides,
            Path::new(""),
            None,
        )
        .unwrap_or_else(|_| unreachable!("defaults are valid"))
    }

    /// Whether `code` reports in `path` (absolute).
    #[must_use]
    pub fn enabled_in(&self, path: &Path, code: Code) -> bool {
        if !self.enabled.contains(code) {
            return false;
        }
        !self
            .per_path_ignores
            .iter()
            .any(|(patterns, codes)| codes.contains(code) && patterns.is_match(path))
    }

    /// The rules enabled in `path` (absolute): [`Settings::enabled_in`] for every rule, with
    /// each per-path pattern matched once.
    fn enabled_set(&self, path: &Path) -> RuleSet {
        let ignored: Vec<&RuleSet> = self
            .per_path_ignores
            .iter()
            .filter(|(patterns, _)| patterns.is_match(path))
            .map(|(_, codes)| codes)
            .collect();
        self.enabled
            .iter()
            .filter(|&code| !ignored.iter().any(|codes| codes.contains(code)))
            .collect()
    }

    /// A configured severity for `code`.
    #[must_use]
    pub fn severity_of(&self, code: Code) -> Option<Severity> {
        self.severity.get(&code).copied()
    }

    /// A walk skips `path` (absolute, a file or a folder).
    #[must_use]
    pub fn excludes(&self, path: &Path) -> bool {
        self.exclude.as_ref().is_some_and(|p| p.is_match(path))
    }

    /// `path` (absolute) is linted even when its name does not say what it holds.
    #[must_use]
    pub fn includes(&self, path: &Path) -> bool {
        self.include.is_match(path)
    }

    /// Whether this configuration extends the catalog.
    #[must_use]
    pub fn extends_catalog(&self) -> bool {
        !self.stateful_images.is_empty()
            || !self.sensitive.is_empty()
            || !self.allowed.is_empty()
            || !self.cluster.is_empty()
    }

    /// The catalog for a run governed by these settings: the built-in one, extended.
    #[must_use]
    pub fn catalog(&self) -> Option<Arc<Catalog>> {
        self.extends_catalog().then(|| {
            Arc::new(Catalog::extended(
                self.stateful_images.clone(),
                &self.sensitive,
                &self.allowed,
                self.cluster.clone(),
            ))
        })
    }

    fn build(
        file: Option<&Path>,
        dir: &Path,
        text: &str,
        raw: RawConfig,
        overrides: &Overrides,
        shown: &Path,
        base: Option<&Settings>,
    ) -> Result<Settings, ConfigError> {
        let source = SourceFile::new(shown, text.to_string());
        let error = |span: std::ops::Range<usize>, message: String| {
            let pos = source.pos(span.start);
            ConfigError {
                path: shown.to_path_buf(),
                position: Some((pos.line, pos.column)),
                message,
            }
        };
        let codes = |list: &[Spanned<String>]| -> Result<Vec<Code>, ConfigError> {
            let mut out = Vec::new();
            for s in list {
                match resolve_selector(s.get_ref()) {
                    Some(codes) => out.extend(codes),
                    None => return Err(error(s.span(), unknown_rule(s.get_ref()))),
                }
            }
            Ok(out)
        };

        // Selection: the file's layer, then the command line's.
        // Without `select`, the extended file's rules, else those on by default (hygiene rules
        // are opted into).
        let mut enabled: RuleSet = match base {
            Some(base) => base.enabled,
            None => Code::ALL
                .iter()
                .copied()
                .filter(|c| c.meta().default)
                .collect(),
        };
        if let Some(select) = &raw.select {
            enabled = codes(select)?.into_iter().collect();
        }
        enabled.extend(codes(&raw.extend_select)?);
        for code in codes(&raw.ignore)? {
            enabled.remove(code);
        }
        let cli = |list: &[String]| -> Vec<Code> {
            list.iter()
                .filter_map(|s| resolve_selector(s))
                .flatten()
                .collect()
        };
        if let Some(select) = &overrides.select {
            enabled = cli(select).into_iter().collect();
        }
        enabled.extend(cli(&overrides.extend_select));
        for code in cli(&overrides.ignore) {
            enabled.remove(code);
        }

        // Severities: the more specific selector wins (a code over its family).
        let mut by_specificity = Vec::new();
        for (selector, level) in &raw.severity {
            let codes = resolve_selector(selector.get_ref())
                .ok_or_else(|| error(selector.span(), unknown_rule(selector.get_ref())))?;
            by_specificity.push((codes, selector.get_ref().len(), Severity::from(*level)));
        }
        by_specificity.sort_by_key(|(codes, len, _)| (std::cmp::Reverse(codes.len()), *len));
        let mut severity = base.map(|b| b.severity.clone()).unwrap_or_default();
        for (codes, _, level) in by_specificity {
            for code in codes {
                severity.insert(code, level);
            }
        }

        let patterns = |list: &[&Spanned<String>]| -> Result<Patterns, ConfigError> {
            if let Some(past) = list.get(MAX_GLOBS) {
                return Err(error(
                    past.span(),
                    format!("too many globs in one list (over {MAX_GLOBS}); merge them"),
                ));
            }
            let mut builder = GlobSetBuilder::new();
            for glob in list {
                if glob.get_ref().len() > MAX_GLOB_LEN {
                    return Err(error(
                        glob.span(),
                        format!("glob longer than {MAX_GLOB_LEN} characters"),
                    ));
                }
                let text = glob.get_ref().trim_end_matches('/');
                let text = text.strip_prefix("./").unwrap_or(text);
                let compiled = Glob::new(text)
                    .map_err(|e| error(glob.span(), format!("invalid glob: {}", e.kind())))?;
                builder.add(compiled);
                if let Ok(under) = Glob::new(&format!("{text}/**")) {
                    builder.add(under);
                }
            }
            // What fails here is the set as a whole (its automaton grew too large): shown at
            // the list's first glob.
            let at = list.first().map_or(0..0, |g| g.span());
            builder
                .build()
                .map(|set| Patterns(set, dir.to_path_buf()))
                .map_err(|e| error(at, format!("invalid globs: {e}")))
        };
        if let Some((past, _)) = raw.per_path_ignores.iter().nth(MAX_GLOBS) {
            return Err(error(
                past.span(),
                format!("too many `[per-path-ignores]` globs (over {MAX_GLOBS}); merge them"),
            ));
        }
        let mut per_path_ignores = base.map(|b| b.per_path_ignores.clone()).unwrap_or_default();
        for (glob, list) in &raw.per_path_ignores {
            per_path_ignores.push((patterns(&[glob])?, codes(list)?.into_iter().collect()));
        }
        // Lists of globs: this file's when it has one, else the extended file's.
        let exclude = if overrides.exclude_given {
            None
        } else if raw.exclude.is_empty()
            && let Some(inherited) = base.and_then(|b| b.exclude.clone())
        {
            Some(inherited)
        } else {
            Some(patterns(&raw.exclude.iter().collect::<Vec<_>>())?)
        };
        let include = match base {
            Some(b) if raw.include.is_empty() => b.include.clone(),
            _ => patterns(&raw.include.iter().collect::<Vec<_>>())?,
        };

        let mut stateful_images = Vec::new();
        for entry in &raw.stateful_images {
            let e = entry.get_ref();
            let problem = if e.images.iter().all(|i| i.trim().is_empty()) {
                Some("a stateful image needs at least one pattern in `images`".to_string())
            } else if e.data.is_empty() {
                Some("a stateful image needs at least one path in `data`".to_string())
            } else {
                e.data
                    .iter()
                    .chain(&e.volumes)
                    .find(|p| !p.starts_with('/'))
                    .map(|p| format!("`{p}` is not an absolute container path"))
            };
            if let Some(message) = problem {
                return Err(error(entry.span(), message));
            }
            stateful_images.push(e.clone());
        }
        let host_paths = |list: &[Spanned<String>]| -> Result<Vec<String>, ConfigError> {
            list.iter()
                .map(|p| {
                    let v = p.get_ref();
                    let b = v.as_bytes();
                    let windows = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
                    if v.starts_with('/') || v.starts_with('~') || windows {
                        Ok(v.clone())
                    } else {
                        Err(error(
                            p.span(),
                            format!("`{v}` is not an absolute host path (or `~/...`)"),
                        ))
                    }
                })
                .collect()
        };
        let max_file_size = match &raw.max_file_size {
            None => base.map_or(crate::discover::MAX_FILE_SIZE, |b| b.max_file_size),
            Some(size) => {
                let parsed = match size.get_ref() {
                    RawSize::Bytes(n) if *n > 0 => u64::try_from(*n)
                        .map_err(|e| e.to_string())
                        .and_then(|b| crate::discover::check_size_limit(&n.to_string(), b)),
                    RawSize::Bytes(n) => {
                        Err(format!("`{n}`: the size limit must be more than zero"))
                    }
                    RawSize::Text(text) => crate::discover::parse_size(text),
                };
                parsed.map_err(|message| error(size.span(), message))?
            }
        };
        let mut cluster = ClusterStorage::default();
        if let Some(class) = &raw.kubernetes.default_storage_class {
            if let Some(message) = bad_class_name(class.get_ref()) {
                return Err(error(class.span(), message));
            }
            cluster.default_class = Some(class.get_ref().clone());
        }
        for (class, provisioner) in &raw.kubernetes.storage_classes {
            if let Some(message) = bad_class_name(class.get_ref()) {
                return Err(error(class.span(), message));
            }
            if let Some(message) = bad_provisioner(provisioner.get_ref()) {
                return Err(error(provisioner.span(), message));
            }
            cluster
                .classes
                .push((class.get_ref().clone(), provisioner.get_ref().clone()));
        }
        for provisioner in &raw.kubernetes.node_local_provisioners {
            if let Some(message) = bad_provisioner(provisioner.get_ref()) {
                return Err(error(provisioner.span(), message));
            }
            cluster
                .node_local_provisioners
                .push(provisioner.get_ref().clone());
        }
        let mut sensitive = host_paths(&raw.host_paths.sensitive)?;
        let mut allowed = host_paths(&raw.host_paths.allowed)?;
        if let Some(b) = base {
            // Catalog extensions add up: this file's are tried first.
            stateful_images.extend(b.stateful_images.iter().cloned());
            sensitive.extend(b.sensitive.iter().cloned());
            allowed.extend(b.allowed.iter().cloned());
            // This file's default class wins; its classes are looked up first.
            cluster.default_class = cluster.default_class.or(b.cluster.default_class.clone());
            cluster.classes.extend(b.cluster.classes.iter().cloned());
            cluster
                .node_local_provisioners
                .extend(b.cluster.node_local_provisioners.iter().cloned());
        }

        Ok(Settings {
            file: file.map(Path::to_path_buf),
            enabled,
            severity,
            per_path_ignores,
            exclude,
            include,
            fail_on: overrides
                .fail_on
                .or(raw.fail_on)
                .or(base.map(|b| b.fail_on))
                .unwrap_or_default(),
            compose_mode: overrides
                .compose_mode
                .or(raw.compose.mode.map(ComposeMode::from))
                .or(base.map(|b| b.compose_mode))
                .unwrap_or_default(),
            max_file_size: overrides.max_file_size.unwrap_or(max_file_size),
            force_exclude: overrides.force_exclude
                || raw
                    .force_exclude
                    .or(base.map(|b| b.force_exclude))
                    .unwrap_or(false),
            render: overrides.render || raw.render.or(base.map(|b| b.render)).unwrap_or(false),
            stateful_images,
            sensitive,
            allowed,
            cluster,
        })
    }
}

fn unknown_rule(selector: &str) -> String {
    format!(
        "`{selector}` names no rule (a code such as SL102, a prefix such as SL4, a name, or ALL; \
         `stowlint rules` lists them)"
    )
}

/// Parse one configuration file's text. `shown` is how errors name the file.
///
/// # Errors
/// Syntax errors, unknown keys, wrong types, unknown rules and invalid globs, with their
/// line and column.
pub fn parse(
    text: &str,
    file: &Path,
    shown: &Path,
    overrides: &Overrides,
) -> Result<Settings, ConfigError> {
    let dir = file.parent().unwrap_or(Path::new(""));
    let raw = parse_raw(text, shown)?;
    Settings::build(Some(file), dir, text, raw, overrides, shown, None)
}

fn parse_raw(text: &str, shown: &Path) -> Result<RawConfig, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let position = e.span().map(|span| {
            let pos = SourceFile::new(shown, text.to_string()).pos(span.start);
            (pos.line, pos.column)
        });
        ConfigError {
            path: shown.to_path_buf(),
            position,
            message: e.message().trim_end().to_string(),
        }
    })
}

/// Where settings come from.
#[derive(Debug)]
enum Mode {
    /// `--isolated`: no file.
    Isolated,
    /// `--config PATH`: one file for everything.
    Fixed(Arc<Settings>),
    /// The nearest file above each linted file.
    Nearest,
}

/// Finds the settings of each file, loading each configuration file once and remembering
/// each folder's answer. Shared by the walk's filter (threads), hence the locks.
#[derive(Debug)]
pub struct Resolver {
    cwd: PathBuf,
    mode: Mode,
    overrides: Overrides,
    defaults: Arc<Settings>,
    /// By the folder's bytes (folders come normalized): asked for every file and folder of a
    /// walk, from every worker, and almost always found.
    by_dir: std::sync::RwLock<HashMap<std::ffi::OsString, Arc<Settings>>>,
    by_file: Mutex<HashMap<PathBuf, Arc<Settings>>>,
    errors: Mutex<Vec<ConfigError>>,
}

impl Resolver {
    /// `config` is `--config`; `isolated` is `--isolated`. `cwd` must be absolute.
    ///
    /// # Errors
    /// The `--config` file cannot be read or is invalid.
    pub fn new(
        cwd: &Path,
        config: Option<&Path>,
        isolated: bool,
        overrides: Overrides,
    ) -> Result<Resolver, ConfigError> {
        let cwd = normalize(cwd);
        let defaults = Arc::new(Settings::defaults(&cwd, &overrides));
        let mut resolver = Resolver {
            cwd,
            mode: Mode::Nearest,
            overrides,
            defaults,
            by_dir: std::sync::RwLock::default(),
            by_file: Mutex::default(),
            errors: Mutex::default(),
        };
        resolver.mode = if isolated {
            Mode::Isolated
        } else if let Some(path) = config {
            Mode::Fixed(resolver.load(&resolver.absolute(path))?)
        } else {
            Mode::Nearest
        };
        Ok(resolver)
    }

    /// The absolute, lexically normalized form of `path` (relative to the working folder).
    #[must_use]
    pub fn absolute(&self, path: &Path) -> PathBuf {
        normalize(&self.cwd.join(path))
    }

    /// The settings of a file (a path as walked or shown, or absolute).
    #[must_use]
    pub fn for_file(&self, path: &Path) -> Arc<Settings> {
        let absolute = self.absolute(path);
        self.for_dir(absolute.parent().unwrap_or(&absolute))
    }

    /// The settings of files in `dir` (absolute).
    #[must_use]
    pub fn for_dir(&self, dir: &Path) -> Arc<Settings> {
        match &self.mode {
            Mode::Isolated => return Arc::clone(&self.defaults),
            Mode::Fixed(settings) => return Arc::clone(settings),
            Mode::Nearest => {}
        }
        if let Some(found) = self
            .by_dir
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(dir.as_os_str())
        {
            return Arc::clone(found);
        }
        let here: Vec<PathBuf> = FILE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .filter(|p| p.is_file())
            .collect();
        let settings = match here.as_slice() {
            // The repository's root is as far up as configuration is looked for: a
            // `stowlint.toml` above a checkout (in a CI runner's work folder, say) is not the
            // project's and must not silence its gate.
            [] if crate::discover::is_repository_root(dir) => Arc::clone(&self.defaults),
            [] => match dir.parent() {
                Some(parent) => self.for_dir(parent),
                None => Arc::clone(&self.defaults),
            },
            [one] => self.load(one).unwrap_or_else(|e| {
                self.record(e);
                Arc::clone(&self.defaults)
            }),
            [first, ..] => {
                self.record(ConfigError {
                    path: self.shown(dir),
                    position: None,
                    message: format!(
                        "both `{}` and `{}` are here; keep one",
                        FILE_NAMES[0], FILE_NAMES[1]
                    ),
                });
                self.load(first)
                    .unwrap_or_else(|_| Arc::clone(&self.defaults))
            }
        };
        self.by_dir
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(dir.as_os_str().to_os_string(), Arc::clone(&settings));
        settings
    }

    /// The settings that decide run-wide facts (the catalog): `--config`, or those nearest the
    /// working folder.
    #[must_use]
    pub fn root(&self) -> Arc<Settings> {
        self.for_dir(&self.cwd.clone())
    }

    /// Every configuration file loaded so far (absolute): the run must never write over them.
    #[must_use]
    pub fn loaded_files(&self) -> Vec<PathBuf> {
        lock(&self.by_file).keys().cloned().collect()
    }

    /// Configuration errors met so far (each once).
    #[must_use]
    pub fn errors(&self) -> Vec<ConfigError> {
        let mut errors = lock(&self.errors).clone();
        errors.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
        errors.dedup();
        errors
    }

    /// Configuration files that extend the catalog but are not the run's root: their
    /// extensions are not used.
    #[must_use]
    pub fn ignored_catalog_extensions(&self) -> Vec<PathBuf> {
        let root = self.root();
        let mut out: Vec<PathBuf> = lock(&self.by_file)
            .values()
            .filter(|s| s.extends_catalog() && s.file != root.file)
            .filter_map(|s| s.file.as_deref().map(|f| self.shown(f)))
            .collect();
        out.sort();
        out
    }

    /// The engine's per-file view for files named as diagnostics name them (relative to the
    /// working folder, or absolute).
    #[must_use]
    pub fn selection<'p>(&self, files: impl IntoIterator<Item = &'p Path>) -> FileSelection {
        let files: Vec<&Path> = files.into_iter().collect();
        let by_file = crate::par::map(&files, |_, shown| {
            let absolute = self.absolute(shown);
            let settings = self.for_dir(absolute.parent().unwrap_or(&absolute));
            let enabled = settings.enabled_set(&absolute);
            (
                shown.as_os_str().to_os_string(),
                FileRules { enabled, settings },
            )
        })
        .into_iter()
        .collect();
        FileSelection {
            by_file,
            defaults: Arc::clone(&self.defaults),
        }
    }

    fn load(&self, path: &Path) -> Result<Arc<Settings>, ConfigError> {
        self.load_extending(path, &mut Vec::new())
    }

    /// Load `path`, and the files it extends; `chain` holds the files that extend it (a
    /// cycle is an error at the `extend` that closes it).
    fn load_extending(
        &self,
        path: &Path,
        chain: &mut Vec<PathBuf>,
    ) -> Result<Arc<Settings>, ConfigError> {
        if let Some(found) = lock(&self.by_file).get(path) {
            return Ok(Arc::clone(found));
        }
        let shown = self.shown(path);
        // Not `fs::read_to_string`: a FIFO named `--config` would block the run.
        let text = crate::discover::read_side_file(path).map_err(|e| ConfigError {
            path: shown.clone(),
            position: None,
            message: format!(
                "cannot read configuration: {}",
                crate::discover::io_message(&e)
            ),
        })?;
        let raw = parse_raw(&text, &shown)?;
        let dir = path.parent().unwrap_or(Path::new(""));
        let base = match &raw.extend {
            None => None,
            Some(extend) => {
                let pos = SourceFile::new(&shown, text.clone()).pos(extend.span().start);
                let at = Some((pos.line, pos.column));
                let target = normalize(&dir.join(extend.get_ref()));
                chain.push(path.to_path_buf());
                if chain.contains(&target) {
                    let cycle: Vec<String> = chain
                        .iter()
                        .chain(std::iter::once(&target))
                        .map(|p| crate::output::path_str(&self.shown(p)))
                        .collect();
                    return Err(ConfigError {
                        path: shown,
                        position: at,
                        message: format!("`extend` makes a cycle: {}", cycle.join(" -> ")),
                    });
                }
                let base = self.load_extending(&target, chain).map_err(|e| {
                    if e.path == self.shown(&target) && e.position.is_none() {
                        // The extended file is missing or unreadable: say where it is named.
                        ConfigError {
                            path: shown.clone(),
                            position: at,
                            message: format!("`extend`: {}: {}", output_path(&e.path), e.message),
                        }
                    } else {
                        e
                    }
                })?;
                chain.pop();
                Some(base)
            }
        };
        let settings = Arc::new(Settings::build(
            Some(path),
            dir,
            &text,
            raw,
            &self.overrides,
            &shown,
            base.as_deref(),
        )?);
        lock(&self.by_file).insert(path.to_path_buf(), Arc::clone(&settings));
        Ok(settings)
    }

    fn record(&self, error: ConfigError) {
        lock(&self.errors).push(error);
    }

    fn shown(&self, path: &Path) -> PathBuf {
        crate::discover::display_path(path, &self.cwd)
    }
}

impl crate::discover::WalkFilter for Resolver {
    fn excluded(&self, path: &Path) -> bool {
        let absolute = self.absolute(path);
        let Some(parent) = absolute.parent() else {
            return false;
        };
        self.for_dir(parent).excludes(&absolute)
    }

    fn included(&self, path: &Path) -> bool {
        let absolute = self.absolute(path);
        self.for_file(path).includes(&absolute)
    }
}

/// One file's rules: what it reports, its severities and its `fail-on`.
#[derive(Debug)]
struct FileRules {
    enabled: RuleSet,
    settings: Arc<Settings>,
}

impl engine::SelectionInFile for &FileRules {
    fn enabled(&self, code: Code) -> bool {
        self.enabled.contains(code)
    }
    fn severity(&self, code: Code) -> Option<Severity> {
        self.settings.severity_of(code)
    }
}

/// Files the selection was not built for (none in a run): the defaults.
impl engine::SelectionInFile for &Settings {
    fn enabled(&self, code: Code) -> bool {
        self.enabled.contains(code)
    }
    fn severity(&self, code: Code) -> Option<Severity> {
        self.severity_of(code)
    }
}

/// The per-file selection a run uses: built once from the files of the run.
#[derive(Debug)]
pub struct FileSelection {
    /// By the path's bytes: hashing a `Path` walks its components, and the engine asks once
    /// per rule and file.
    by_file: HashMap<std::ffi::OsString, FileRules>,
    defaults: Arc<Settings>,
}

impl FileSelection {
    /// Whether a finding at `severity` in `file` fails the run (the file's `fail-on`).
    #[must_use]
    pub fn fails(&self, file: &Path, severity: Severity) -> bool {
        self.settings(file).fail_on.fails(severity)
    }

    fn settings(&self, file: &Path) -> &Settings {
        self.by_file
            .get(file.as_os_str())
            .map_or(&self.defaults, |f| &f.settings)
    }
}

impl Selection for FileSelection {
    fn enabled(&self, file: &Path, code: Code) -> bool {
        match self.by_file.get(file.as_os_str()) {
            Some(rules) => rules.enabled.contains(code),
            None => self.defaults.enabled.contains(code),
        }
    }

    fn severity(&self, file: &Path, code: Code) -> Option<Severity> {
        self.settings(file).severity_of(code)
    }

    fn in_file<'a>(&'a self, file: &'a Path) -> Box<dyn engine::SelectionInFile + 'a> {
        match self.by_file.get(file.as_os_str()) {
            Some(rules) => Box::new(rules),
            None => Box::new(&*self.defaults),
        }
    }
}

fn output_path(path: &Path) -> String {
    crate::output::path_str(path)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Fold `.` and `..` lexically (the model's one normalizer).
fn normalize(path: &Path) -> PathBuf {
    crate::model::lexical(path)
}

/// Rule families, for `stowlint init` (a test checks every rule's family is here).
pub const FAMILIES: &[(&str, &str)] = &[
    (
        "SL0",
        "the linter itself: parse errors, unused suppressions",
    ),
    ("SL1", "the host exposed through bind mounts"),
    ("SL2", "business data on ephemeral storage"),
    ("SL3", "memory-backed storage"),
    ("SL4", "host-local storage under an orchestrator"),
    ("SL5", "volume wiring and sharing"),
];

/// The commented `stowlint.toml` that `stowlint init` writes: every key at its default, every
/// rule family, nothing changed.
#[must_use]
pub fn template() -> String {
    let mut out = String::from(
        "# stowlint configuration. stowlint reads the `stowlint.toml` or `.stowlint.toml` nearest\n\
         # to each linted file (or the one given with --config; --isolated ignores them). Options\n\
         # given on the command line win over this file. Globs are relative to this folder.\n\
         # Every key below is set to its default: this file changes nothing until edited.\n\
         \n\
         # Another configuration to start from (ruff's model): its settings are the base, and\n\
         # keys set here win key by key; `extend-select` and `ignore` apply after the base's.\n\
         # extend = \"../stowlint.toml\"\n\
         \n\
         # Rules are named by code (\"SL102\"), prefix (\"SL4\", \"SL10\"), name\n\
         # (\"container-runtime-socket\") or \"ALL\". `select` replaces the set of rules,\n\
         # `extend-select` adds to it, `ignore` removes from it, in that order. \"ALL\" keeps\n\
         # rules added by later versions. Without `select`, the rules marked \"on\" are\n\
         # checked; \"opt-in\" rules (hygiene that fires on most projects) need `extend-select`\n\
         # or \"ALL\". The families and their rules (default severity):\n",
    );
    for (family, title) in FAMILIES {
        out.push_str(&format!("#   {family}  {title}\n"));
        for rule in rules::RULES {
            let m = rule.meta();
            if m.family() == *family {
                let default = if m.default { "on" } else { "opt-in" };
                out.push_str(&format!(
                    "#     {} {} ({}, {default})\n",
                    m.code, m.name, m.severity
                ));
            }
        }
    }
    out.push_str(
        "# select = [\"ALL\"]\n\
         extend-select = []\n\
         ignore = []\n\
         \n\
         # The lowest severity that fails a run (exit 1): \"error\", \"warning\", \"info\" or\n\
         # \"never\" (exit 0 whatever is found; usage and I/O errors still exit 2).\n\
         fail-on = \"warning\"\n\
         \n\
         # Files and folders a walk skips (files named on the command line are still linted,\n\
         # unless `force-exclude` is true: pre-commit names every changed file).\n\
         exclude = []\n\
         force-exclude = false\n\
         # Files to lint even when their names do not say what they hold (read as YAML and\n\
         # classified by content), e.g. [\"deploy/**/*.yml.tpl\"].\n\
         include = []\n\
         \n\
         # Larger files are reported (SL001) rather than read: bytes, or a number with a unit\n\
         # (\"kB\", \"MB\", \"GB\", \"KiB\", \"MiB\", \"GiB\").\n\
         max-file-size = \"10MB\"\n\
         \n\
         # Lint folders with a kustomization as `kubectl kustomize` renders them (`--render`).\n\
         render = false\n\
         \n\
         # Per-rule severities: \"error\", \"warning\" or \"info\".\n\
         [severity]\n\
         # SL105 = \"warning\"\n\
         # writable-bind-mount = \"warning\"\n\
         \n\
         # Rules ignored in some files: glob = [rules].\n\
         [per-path-ignores]\n\
         # \"legacy/**\" = [\"SL103\", \"SL105\"]\n\
         \n\
         [compose]\n\
         # \"auto\" decides swarm per service from swarm-only `deploy` keys; \"standalone\" or\n\
         # \"swarm\" decide for every service.\n\
         mode = \"auto\"\n\
         \n\
         # Host paths beyond the built-in catalog. Read from --config or the configuration\n\
         # nearest the working folder only (they are facts the whole run shares).\n\
         [host-paths]\n\
         # Reported by SL101 as system locations.\n\
         sensitive = []\n\
         # Never reported by SL101 or SL103 (the paths and what lies under them).\n\
         allowed = []\n\
         \n\
         # The cluster the manifests are applied to, where the run's files do not say (SL408,\n\
         # SL410). Read like [host-paths].\n\
         [kubernetes]\n\
         # The class of claims that name none, when the run holds no StorageClass annotated\n\
         # `storageclass.kubernetes.io/is-default-class: \"true\"` (k3s: \"local-path\").\n\
         # default-storage-class = \"local-path\"\n\
         # The cluster's classes the run does not declare: name = provisioner. They win over\n\
         # what a class name suggests (minikube: { standard = \"k8s.io/minikube-hostpath\" }).\n\
         storage-classes = {}\n\
         # Provisioners that keep each volume on one node, beyond\n\
         # crates/stowlint_model/src/catalog/node-local-storage.toml.\n\
         node-local-provisioners = []\n\
         \n\
         # Images that keep business data, tried before the built-in catalog (same fields as\n\
         # crates/stowlint_model/src/catalog/stateful-images.toml). Read like [host-paths].\n\
         # [[stateful-images]]\n\
         # images = [\"acme/ledger\"]    # repositories, registry and tag stripped; `*` allowed\n\
         # data = [\"/var/lib/ledger\"]  # where the image keeps its data\n\
         # volumes = []                 # the VOLUMEs the image declares (may be empty)\n\
         # category = \"database\"       # database | queue | search | object-store | app | cache\n\
         # env = [\"LEDGER_DATA\"]       # variables that move the data path (optional)\n\
         # tags = \">=2\"                 # a condition on the tag's major version (optional)\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str) -> Result<Settings, ConfigError> {
        parse(
            text,
            Path::new("/repo/stowlint.toml"),
            Path::new("stowlint.toml"),
            &Overrides::default(),
        )
    }

    /// The rule with this code.
    fn c(code: &str) -> Code {
        Code::from_code(code).unwrap_or_else(|| panic!("no rule {code}"))
    }

    fn ok(text: &str) -> Settings {
        settings(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn err(text: &str) -> String {
        match settings(text) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn selectors_name_codes_prefixes_names_and_all() {
        assert_eq!(resolve_selector("SL102"), Some(vec![c("SL102")]));
        assert_eq!(resolve_selector("sl102"), Some(vec![c("SL102")]));
        assert_eq!(
            resolve_selector("container-runtime-socket"),
            Some(vec![c("SL102")])
        );
        assert_eq!(resolve_selector("SL10").map(|c| c.len()), Some(6));
        assert_eq!(resolve_selector("SL4").map(|c| c.len()), Some(10));
        assert_eq!(
            resolve_selector("ALL").map(|c| c.len()),
            Some(rules::RULES.len())
        );
        assert_eq!(resolve_selector("SL9"), None);
        assert_eq!(resolve_selector("SLX"), None);
        assert_eq!(resolve_selector("no-such-rule"), None);
    }

    #[test]
    fn select_then_extend_select_then_ignore() {
        let s = ok(
            "select = [\"SL1\"]\nextend-select = [\"SL201\"]\nignore = [\"SL103\", \"host-path-autocreate\"]\n",
        );
        let on: Vec<Code> = s.enabled.iter().collect();
        assert_eq!(on, ["SL101", "SL102", "SL104", "SL106", "SL201"]);
    }

    #[test]
    fn the_command_line_wins() {
        let overrides = Overrides {
            select: Some(vec!["SL5".into()]),
            ignore: vec!["SL502".into()],
            fail_on: Some(FailOn::Never),
            compose_mode: Some(ComposeMode::Standalone),
            ..Overrides::default()
        };
        let s = parse(
            "select = [\"SL1\"]\nfail-on = \"info\"\n[compose]\nmode = \"swarm\"\n",
            Path::new("/r/stowlint.toml"),
            Path::new("stowlint.toml"),
            &overrides,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(s.enabled.contains(c("SL501")) && !s.enabled.contains(c("SL502")));
        assert!(!s.enabled.contains(c("SL101")));
        assert_eq!(s.fail_on, FailOn::Never);
        assert_eq!(s.compose_mode, ComposeMode::Standalone);
    }

    #[test]
    fn the_file_applies_when_the_command_line_is_silent() {
        let s = ok("fail-on = \"error\"\n[compose]\nmode = \"swarm\"\n");
        assert_eq!(s.fail_on, FailOn::Error);
        assert_eq!(s.compose_mode, ComposeMode::Swarm);
        let d = Settings::defaults(Path::new("/r"), &Overrides::default());
        assert_eq!(d.fail_on, FailOn::Warning);
        assert_eq!(d.compose_mode, ComposeMode::Auto);
        // Every rule but the opt-in ones (SL103, SL105).
        assert_eq!(d.enabled.len(), rules::RULES.len() - 2);
        assert!(!d.enabled.contains(c("SL103")) && !d.enabled.contains(c("SL105")));
        assert!(d.enabled.contains(c("SL101")));
    }

    #[test]
    fn severities_the_more_specific_wins() {
        let s =
            ok("[severity]\nSL105 = \"error\"\nSL1 = \"warning\"\nunused-volume = \"warning\"\n");
        assert_eq!(s.severity_of(c("SL105")), Some(Severity::Error));
        assert_eq!(s.severity_of(c("SL103")), Some(Severity::Warning));
        assert_eq!(s.severity_of(c("SL502")), Some(Severity::Warning));
        assert_eq!(s.severity_of(c("SL201")), None);
    }

    #[test]
    fn per_path_ignores_and_globs_are_relative_to_the_config_folder() {
        let s = ok(
            "select = [\"ALL\"]\nexclude = [\"fixtures/\", \"*.bak.yaml\"]\n\
             include = [\"deploy/*.yml.tpl\"]\n[per-path-ignores]\n\"legacy/**\" = [\"SL103\"]\n\"old\" = [\"SL1\"]\n",
        );
        assert!(!s.enabled_in(Path::new("/repo/legacy/a/compose.yaml"), c("SL103")));
        assert!(s.enabled_in(Path::new("/repo/legacy/a/compose.yaml"), c("SL101")));
        assert!(!s.enabled_in(Path::new("/repo/old/compose.yaml"), c("SL101")));
        assert!(s.enabled_in(Path::new("/repo/new/compose.yaml"), c("SL103")));
        assert!(s.excludes(Path::new("/repo/fixtures")));
        assert!(s.excludes(Path::new("/repo/fixtures/x/compose.yaml")));
        assert!(s.excludes(Path::new("/repo/a/b.bak.yaml")));
        assert!(!s.excludes(Path::new("/repo/compose.yaml")));
        assert!(s.includes(Path::new("/repo/deploy/app.yml.tpl")));
        assert!(!s.includes(Path::new("/repo/other/app.yml.tpl")));
    }

    #[test]
    fn errors_name_the_file_line_and_column() {
        assert_eq!(
            err("fail-on = \"warning\"\n\nselectt = [\"SL1\"]\n"),
            "stowlint.toml:3:1: unknown field `selectt`, expected one of `extend`, `select`, \
             `extend-select`, `ignore`, `severity`, `fail-on`, `exclude`, `include`, \
             `per-path-ignores`, `compose`, `stateful-images`, `host-paths`, `kubernetes`, \
             `max-file-size`, `force-exclude`, `render`"
        );
        assert_eq!(
            err("ignore = [\"SL103\", \"SL999\"]\n"),
            "stowlint.toml:1:20: `SL999` names no rule (a code such as SL102, a prefix such as \
             SL4, a name, or ALL; `stowlint rules` lists them)"
        );
        assert!(
            err("[severity]\nno-such-rule = \"info\"\n")
                .starts_with("stowlint.toml:2:1: `no-such-rule`")
        );
        assert!(
            err("[severity]\nSL105 = \"warn\"\n")
                .starts_with("stowlint.toml:2:9: unknown variant `warn`")
        );
        let e = err("fail-on = 1\n");
        assert!(e.starts_with("stowlint.toml:1:11: "), "{e}");
        assert!(
            err("[compose]\nmode = \"k8s\"\n")
                .starts_with("stowlint.toml:2:8: unknown variant `k8s`")
        );
        assert!(err("exclude = [\"a/[b\"]\n").starts_with("stowlint.toml:1:12: invalid glob"));
        assert!(
            err("[per-path-ignores]\n\"x/**\" = [\"SL7\"]\n")
                .starts_with("stowlint.toml:2:11: `SL7`")
        );
        assert!(
            err("[host-paths]\nallowed = [\"srv\"]\n")
                .starts_with("stowlint.toml:2:12: `srv` is not")
        );
        assert!(
            err("[[stateful-images]]\nimages = [\"acme/db\"]\ndata = [\"/d\"]\ncategory = \"database\"\n")
                .contains("missing field `volumes`")
        );
        assert!(
            err("[[stateful-images]]\nimages = [\"acme/db\"]\ndata = [\"/d\"]\nvolumes = []\ncategory = \"database\"\ncolor = 1\n")
                .starts_with("stowlint.toml:6:1: unknown field `color`")
        );
        assert!(err("select = [\n").starts_with("stowlint.toml:1:11: unclosed array"));
    }

    #[test]
    fn stateful_images_extend_the_catalog_first() {
        let s = ok(
            "[[stateful-images]]\nimages = [\"Acme/Ledger\", \"postgres\"]\n\
                    data = [\"/var/lib/ledger/\"]\nvolumes = []\ncategory = \"database\"\n\
                    [host-paths]\nsensitive = [\"/srv/secrets\"]\nallowed = [\"/srv/shared\"]\n",
        );
        let catalog = s.catalog().unwrap_or_else(|| panic!("extended"));
        let ledger = catalog
            .stateful_image("registry.acme.io/acme/ledger:3")
            .unwrap_or_else(|| panic!("custom image found"));
        assert_eq!(ledger.data, ["/var/lib/ledger"]);
        assert_eq!(
            catalog
                .stateful_image("postgres:16")
                .map(|p| p.data.clone()),
            Some(vec!["/var/lib/ledger".to_string()])
        );
        assert!(catalog.stateful_image("mysql:8").is_some());
        assert!(catalog.sensitivity("/srv/secrets/x").is_some());
        assert!(catalog.is_allowed_host_path("/srv/shared/a"));
        assert!(!catalog.is_allowed_host_path("/srv/sharedx"));
        assert!(ok("").catalog().is_none());
    }

    #[test]
    fn the_template_parses_and_changes_nothing() {
        let s = ok(&template());
        let d = Settings::defaults(Path::new("/repo"), &Overrides::default());
        assert_eq!(s.enabled, d.enabled);
        assert!(s.severity.is_empty() && s.per_path_ignores.is_empty());
        assert_eq!(s.fail_on, d.fail_on);
        assert_eq!(s.compose_mode, d.compose_mode);
        assert!(!s.extends_catalog());
        assert!(!s.excludes(Path::new("/repo/a/compose.yaml")));
        assert!(!s.includes(Path::new("/repo/a/x.txt")));
    }

    #[test]
    fn every_family_is_listed() {
        for rule in rules::RULES {
            let family = rule.meta().family();
            assert!(
                FAMILIES.iter().any(|(f, _)| *f == family),
                "{family} is missing from FAMILIES"
            );
        }
    }

    #[test]
    fn fail_on_thresholds() {
        assert!(FailOn::Warning.fails(Severity::Warning));
        assert!(!FailOn::Warning.fails(Severity::Info));
        assert!(!FailOn::Error.fails(Severity::Warning));
        assert!(FailOn::Info.fails(Severity::Info));
        assert!(!FailOn::Never.fails(Severity::Error));
    }
}

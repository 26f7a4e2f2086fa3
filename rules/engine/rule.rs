//! The rule trait and its metadata.

use crate::engine::{Code, Ctx, Severity};
use crate::model::{Container, FileModel, Format, Mount, Workload};

/// What every rule declares: written once with [`declare_rule!`](crate::declare_rule), read by
/// `explain`, `rules`, the README table and every renderer.
#[derive(Debug)]
pub struct RuleMeta {
    /// The rule's identity: the registry's variant named after its struct.
    pub id: Code,
    /// As written in `declare_rule!`: what [`Code::as_str`] returns.
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// The inputs the rule reads.
    pub formats: &'static [Format],
    /// Checked unless the configuration says otherwise. Hygiene rules that fire on most
    /// projects (clippy's pedantic group) are off by default and opted into with
    /// `extend-select` or `--select ALL`.
    pub default: bool,
    /// The rules this one wins over where both match one mount (RULES.md "Conventions"): their
    /// findings on that mount are dropped when it reports there.
    pub beats: &'static [Code],
    /// The doc comment, as written (`## What it does`, `## Why is this bad?`, `## Example`).
    pub raw_docs: &'static str,
}

impl RuleMeta {
    /// The docs, one leading space of each doc-comment line removed.
    #[must_use]
    pub fn docs(&self) -> String {
        self.raw_docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }

    /// The first sentence under `## What it does`.
    #[must_use]
    pub fn summary(&self) -> String {
        let docs = self.docs();
        let body = docs
            .split_once("## What it does")
            .map_or(docs.as_str(), |(_, rest)| rest);
        let para: Vec<&str> = body
            .lines()
            .map(str::trim)
            .skip_while(|l| l.is_empty())
            .take_while(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        para.join(" ")
    }

    #[must_use]
    pub fn family(&self) -> &'static str {
        self.code.get(..3).unwrap_or(self.code)
    }
}

/// Implemented by [`declare_rule!`](crate::declare_rule).
pub trait DeclaredRule {
    fn meta(&self) -> &'static RuleMeta;
}

/// A rule: hooks with default no-op bodies, called by the engine in this order for each
/// file: `check_file`, then for each workload `check_workload` and each mount `check_mount`.
/// A rule reports only in the file it checks; it sees other files only through the project's
/// cross-file lookups (`Ctx::project`), which is what lets a run lint files as it reads them.
pub trait Rule: DeclaredRule + Sync + Send {
    fn check_file(&self, _file: &FileModel, _cx: &mut Ctx) {}
    fn check_workload(&self, _workload: &Workload, _cx: &mut Ctx) {}
    fn check_mount(
        &self,
        _mount: &Mount,
        _container: &Container,
        _workload: &Workload,
        _cx: &mut Ctx,
    ) {
    }
}

/// Declares a rule: its doc comment, metadata and struct. The docs are captured into the
/// metadata, so a rule cannot ship without them. `beats` names (by struct) the rules this one
/// wins over on one mount. The rule's [`Code`] is the registry's variant of its struct's name:
/// a rule missing from the registry does not compile.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub struct $name:ident;
        meta { code: $code:literal, name: $rname:literal, severity: $sev:ident,
               formats: [$($fmt:ident),* $(,)?] $(, default: $default:literal)?
               $(, beats: [$($beat:ident),* $(,)?])? $(,)? }
    ) => {
        $(#[doc = $doc])+
        #[derive(Debug, Default, Clone, Copy)]
        pub struct $name;

        impl $crate::engine::DeclaredRule for $name {
            fn meta(&self) -> &'static $crate::engine::RuleMeta {
                static META: $crate::engine::RuleMeta = $crate::engine::RuleMeta {
                    id: $crate::engine::Code::$name,
                    code: $code,
                    name: $rname,
                    severity: $crate::engine::Severity::$sev,
                    formats: &[$($crate::model::Format::$fmt),*],
                    default: $crate::declare_rule!(@default $($default)?),
                    beats: &[$($($crate::engine::Code::$beat),*)?],
                    raw_docs: concat!($($doc, "\n"),+),
                };
                &META
            }
        }
    };
    (@default) => { true };
    (@default $default:literal) => { $default };
}

/// Declares the registry: every rule by its path (`group::module::Struct`), sorted by code.
/// Generates `RULES` (the rules, in that order) and [`Code`], one variant per rule named
/// after its struct, in the same order: the one list cannot drift from the other.
#[macro_export]
macro_rules! declare_registry {
    ($($group:ident :: $module:ident :: $rule:ident),+ $(,)?) => {
        /// Every rule, sorted by code.
        pub static RULES: &[&dyn $crate::engine::Rule] = &[$(&$group::$module::$rule),+];

        /// A rule's identity, one variant per rule of [`RULES`], in its order (sorted by code,
        /// so variants order as their codes do). Its methods are in `engine::code`.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($rule),+
        }

        impl Code {
            /// Every rule, in registry order: `Code::ALL[c.index()] == c`.
            pub const ALL: &'static [Code] = &[$(Code::$rule),+];
            /// How many rules there are.
            pub const COUNT: usize = Code::ALL.len();
        }
    };
}

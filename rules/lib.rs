//! The linter: the rule engine (`engine/`) and the rules (`mod.rs`, the registry, and one file
//! per rule in the category folders). Rules see the model, never the formats: this crate
//! depends on the model alone, not on the parsers, the outputs or the disk.

/// The model, under the name the rules and the engine use (`crate::model::Mount`); public for
/// `declare_rule!`, whose expansion names `$crate::model::Format`.
pub use stowlint_model as model;
use stowlint_model::par;

pub mod engine;
#[path = "mod.rs"]
pub mod rules;

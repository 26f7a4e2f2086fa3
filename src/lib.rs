//! stowlint: a fast static analyzer for container storage configuration.
//!
//! Containers are expendable; data is not. stowlint reads Dockerfiles, Docker Compose files
//! (incl. swarm stacks) and Kubernetes manifests into one spanned model and flags risky bind
//! mounts, business data on ephemeral storage, host-local storage under orchestrators and
//! broken volume wiring.

pub mod baseline;
pub mod cli;
pub mod config;
pub mod discover;
pub mod lsp;
pub mod pipeline;
pub mod workspace;

// The layers below, each a crate of the workspace (README, "Crates"), under the paths they
// had when they were modules of this one.
pub use stowlint_model::{self as model, par};
pub use stowlint_output as output;
pub use stowlint_parse as parse;
pub use stowlint_rules::{declare_registry, declare_rule, engine, rules};

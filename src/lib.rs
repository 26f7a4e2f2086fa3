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
pub mod engine;
pub mod lsp;
pub mod model;
pub mod output;
pub mod par;
pub mod parse;
pub mod pipeline;
#[path = "../rules/mod.rs"]
pub mod rules;
pub mod workspace;

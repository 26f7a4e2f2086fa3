//! The integration tests: one crate (one link after a change), a module per area. Each module
//! says what it covers; `common` holds the helpers they share.

mod common;

mod acceptance;
mod catalog;
mod ci_gate;
mod cli;
mod cli_outputs;
mod compose_family;
mod config;
mod corpus;
mod dataloss;
mod doc_examples;
mod facts;
mod fixtures;
mod hostile;
mod hostile_repo;
mod kustomize;
mod layers;
mod lsp;
mod nvim;
mod orchestrator;
mod outputs;
mod precommit;
mod properties;
mod readme;
mod registry;
mod sarif;
mod shell;
mod sockets;
mod streaming;
mod urls;
mod wiring;
mod workflows;
mod yaml_differential;

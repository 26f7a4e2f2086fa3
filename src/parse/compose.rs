//! Compose files (and swarm stacks) -> model. (Being written.)

use super::{ParseOptions, Parsed};
use crate::model::SourceFile;
use crate::parse::yaml::Node;

#[must_use]
pub fn parse(_source: &SourceFile, _root: &Node, _opts: &ParseOptions) -> Parsed {
    Parsed::default()
}

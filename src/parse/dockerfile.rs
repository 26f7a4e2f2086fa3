//! Dockerfiles -> model. (Being written.)

use super::Parsed;
use crate::model::SourceFile;

#[must_use]
pub fn parse(_source: &SourceFile) -> Parsed {
    Parsed::default()
}

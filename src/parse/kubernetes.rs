//! Kubernetes manifests -> model. (Being written.)

use super::Parsed;
use crate::model::SourceFile;
use crate::parse::yaml::Document;

#[must_use]
pub fn parse(_source: &SourceFile, _docs: &[Document]) -> Parsed {
    Parsed::default()
}

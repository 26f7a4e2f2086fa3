//! SL0xx: the linter itself.

pub mod parse_error;
pub mod unused_suppression;

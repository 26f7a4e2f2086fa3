//! SL3xx: memory-backed storage (tmpfs, `emptyDir.medium: Memory`) and unbounded scratch
//! space.

pub mod data_on_tmpfs;
pub mod unbounded_emptydir;
pub mod unbounded_tmpfs;

use crate::model::Mount;

/// A size that bounds nothing: absent, or `0` (the kernel's "no limit" for tmpfs).
fn unbounded(m: &Mount) -> bool {
    m.size.as_ref().is_none_or(|s| {
        let v = s.value.trim();
        v.is_empty() || v.trim_end_matches(|c: char| c.is_ascii_alphabetic()) == "0"
    })
}

//! Renderers: one diagnostic type, many formats. (Being written.)

//! SL1xx: the host exposed through bind mounts.

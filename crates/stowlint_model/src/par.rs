//! A small work-sharing pool: each worker takes the next item until none is left. Items
//! vary in cost (a 2-line Dockerfile, a 2,000-line manifest), so taking one at a time keeps
//! the cores busy to the end; results come back in the items' order.

use std::sync::atomic::{AtomicUsize, Ordering};

/// At most this many workers: parsing is bound by memory bandwidth beyond it.
const MAX_WORKERS: usize = 8;

/// How many workers to use for `items` items.
#[must_use]
pub fn workers(items: usize) -> usize {
    if items <= 1 {
        return 1;
    }
    // Asking costs a few system calls (cgroup quotas): once per process.
    // `STOWLINT_WORKERS` sets the count (measurements of many workers on a small machine).
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(|| {
        std::env::var("STOWLINT_WORKERS")
            .ok()
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map_or(1, std::num::NonZero::get)
                    .min(MAX_WORKERS)
            })
    });
    cores.min(items).max(1)
}

/// `f(index, item)` for every item, on all cores; the results in the items' order. A panic
/// in `f` is a bug, not input: it is resumed on the calling thread.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let workers = workers(items.len());
    if workers == 1 {
        return items.iter().enumerate().map(|(i, t)| f(i, t)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut local = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        local.push((i, f(i, item)));
                    }
                    local
                })
            })
            .collect();
        let mut all = Vec::with_capacity(items.len());
        for handle in handles {
            match handle.join() {
                Ok(mut part) => all.append(&mut part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_visits_each_item_once() {
        let items: Vec<usize> = (0..1000).collect();
        let out = map(&items, |i, &x| {
            assert_eq!(i, x);
            x * 2
        });
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert!(map(&[] as &[u8], |_, _| 0).is_empty());
    }
}

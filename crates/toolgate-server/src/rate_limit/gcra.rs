//! Keyed GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp):
//! per key, per window, the "theoretical arrival time" of the next request. A key whose
//! times have all passed is exactly as good as an absent one, so forgetting it loses
//! nothing; that is how memory stays bounded.
//!
//! The keys live in shards, each behind its own short-held mutex: no lock is shared by
//! every request.

use std::{
    collections::HashMap,
    hash::BuildHasher,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// The most windows a quota has (second, minute, hour, day).
pub(super) const MAX_WINDOWS: usize = 4;
const SHARDS: usize = 16;

/// One window's parameters, in nanoseconds.
#[derive(Clone, Copy, Debug)]
struct Cell {
    /// Time between requests at the sustained rate: period / limit.
    emission: u64,
    /// How far ahead of the sustained rate a key may run: period − emission (a burst of
    /// `limit` requests).
    tolerance: u64,
}

type Times = [u64; MAX_WINDOWS];

/// One shard of the keys.
type Shard = Mutex<HashMap<Box<str>, Times>>;

/// A refused request: which window refused it, and when it would be accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Refusal {
    pub(super) window: usize,
    pub(super) wait: Duration,
}

/// GCRA state for many keys under one quota.
#[derive(Debug)]
pub(super) struct KeyedGcra {
    cells: Vec<Cell>,
    shards: Box<[Shard]>,
    hasher: std::collections::hash_map::RandomState,
    per_shard: usize,
    epoch: Instant,
}

impl KeyedGcra {
    /// `windows` as (limit, period) pairs (at most [`MAX_WINDOWS`], limits above zero);
    /// about `max_keys` keys are remembered at most.
    pub(super) fn new(windows: &[(u64, Duration)], max_keys: usize) -> Self {
        let cells = windows
            .iter()
            .take(MAX_WINDOWS)
            .map(|&(limit, period)| {
                let period = u64::try_from(period.as_nanos()).unwrap_or(u64::MAX);
                let emission = period / limit.max(1);
                Cell {
                    emission,
                    tolerance: period.saturating_sub(emission),
                }
            })
            .collect();
        Self {
            cells,
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: std::collections::hash_map::RandomState::new(),
            per_shard: max_keys.div_ceil(SHARDS).max(1),
            epoch: Instant::now(),
        }
    }

    /// Counts a request of `key` now, or says when it would be accepted.
    pub(super) fn check(&self, key: &str) -> Result<(), Refusal> {
        let now = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.check_at(key, now)
    }

    /// [`check`](Self::check) at `now` nanoseconds after the epoch.
    pub(super) fn check_at(&self, key: &str, now: u64) -> Result<(), Refusal> {
        let index = usize::try_from(self.hasher.hash_one(key) % SHARDS as u64).unwrap_or(0);
        let mut shard = self.shards[index]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let times = shard.get(key).copied().unwrap_or_default();
        let mut next = Times::default();
        let mut refusal: Option<Refusal> = None;
        for (window, cell) in self.cells.iter().enumerate() {
            let arrival = times[window].max(now);
            let conforming_from = arrival.saturating_sub(cell.tolerance);
            if conforming_from > now {
                let wait = Duration::from_nanos(conforming_from - now);
                if refusal.is_none_or(|r| r.wait < wait) {
                    refusal = Some(Refusal { window, wait });
                }
            }
            next[window] = arrival.saturating_add(cell.emission);
        }
        if let Some(refusal) = refusal {
            return Err(refusal);
        }
        if let Some(entry) = shard.get_mut(key) {
            *entry = next;
        } else {
            if shard.len() >= self.per_shard {
                forget(&mut shard, now, self.per_shard);
            }
            shard.insert(key.into(), next);
        }
        Ok(())
    }

    /// How many keys are remembered.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).len())
            .sum()
    }
}

/// Makes room in a full shard: drops every key whose times have passed (no information is
/// lost), and when all are still running, the one closest to that.
fn forget(shard: &mut HashMap<Box<str>, Times>, now: u64, room: usize) {
    let latest = |times: &Times| times.iter().copied().max().unwrap_or(0);
    shard.retain(|_, times| latest(times) > now);
    if shard.len() >= room {
        // Still crowded: every key is active. Forget the one that would be free first.
        if let Some(key) = shard
            .iter()
            .min_by_key(|(_, times)| latest(times))
            .map(|(key, _)| key.clone())
        {
            shard.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests;

//! A small bounded cache whose entries expire, keyed by a hash of the token (the token
//! itself is never stored).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};

/// The SHA-256 of a token: cache keys never hold the token.
pub(crate) type TokenHash = [u8; 32];

pub(crate) fn hash_token(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// Entries expire at their own deadline; when full, expired entries go first, then the
/// entry closest to expiry.
#[derive(Debug)]
pub(crate) struct ExpiringCache<V> {
    entries: Mutex<HashMap<TokenHash, (Instant, V)>>,
    capacity: usize,
}

impl<V: Clone> ExpiringCache<V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    pub(crate) fn get(&self, key: &TokenHash) -> Option<V> {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match entries.get(key) {
            Some((deadline, value)) if *deadline > Instant::now() => Some(value.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    pub(crate) fn insert(&self, key: TokenHash, value: V, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, (deadline, _)| *deadline > now);
            if entries.len() >= self.capacity
                && let Some(soonest) = entries.iter().min_by_key(|(_, (d, _))| *d).map(|(k, _)| *k)
            {
                entries.remove(&soonest);
            }
        }
        entries.insert(key, (now + ttl, value));
    }
}

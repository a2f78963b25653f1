//! Binding MCP sessions to the caller that opened them: a session id is not a credential,
//! so another caller presenting it is refused.

use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use crate::cache::{TokenHash, hash_token};

/// Sessions remembered at most this long after their last use.
const SESSION_TTL: Duration = Duration::from_secs(24 * 3600);
/// Most sessions remembered.
const CAPACITY: usize = 100_000;

/// Which caller opened each MCP session of an endpoint (by a hash of the session id). A
/// clone shares the table: a resource server rebuilt for the same endpoint (a configuration
/// reload) takes the old one's with [`ResourceServer::with_session_bindings`], so sessions
/// opened before the reload stay bound to their openers.
///
/// [`ResourceServer::with_session_bindings`]: crate::ResourceServer::with_session_bindings
#[derive(Clone, Default)]
pub struct SessionBindings {
    owners: Arc<Mutex<HashMap<TokenHash, (String, Instant)>>>,
}

impl fmt::Debug for SessionBindings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sessions = self
            .owners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len();
        f.debug_struct("SessionBindings")
            .field("sessions", &sessions)
            .finish()
    }
}

impl SessionBindings {
    /// Who opened `session`, if known; refreshes its last use.
    pub(crate) fn owner(&self, session: &str) -> Option<String> {
        let mut owners = self
            .owners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = owners.get_mut(&hash_token(session))?;
        if entry.1.elapsed() > SESSION_TTL {
            return None;
        }
        entry.1 = Instant::now();
        Some(entry.0.clone())
    }

    pub(crate) fn record(&self, session: &str, owner: String) {
        let mut owners = self
            .owners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if owners.len() >= CAPACITY {
            owners.retain(|_, (_, used)| used.elapsed() <= SESSION_TTL);
            if owners.len() >= CAPACITY
                && let Some(oldest) = owners
                    .iter()
                    .min_by_key(|(_, (_, used))| *used)
                    .map(|(k, _)| *k)
            {
                owners.remove(&oldest);
            }
        }
        owners.insert(hash_token(session), (owner, Instant::now()));
    }

    pub(crate) fn forget(&self, session: &str) {
        self.owners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&hash_token(session));
    }
}

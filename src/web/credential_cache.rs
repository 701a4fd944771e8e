//! The short-lived cache of machine-token lookups (`auth.credential_cache_ms`), so intake does
//! not pay a database round trip per alarm. Sessions are never cached.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::access::Caller;

/// Short-lived cache of machine-token lookups (never of sessions).
#[derive(Default)]
pub struct AuthCache {
    entries: Mutex<HashMap<String, (Caller, Instant)>>,
}

impl AuthCache {
    pub(super) fn get(&self, hash: &str, ttl: Duration) -> Option<Caller> {
        let entries = self.entries.lock().ok()?;
        let (caller, at) = entries.get(hash)?;
        (at.elapsed() < ttl).then(|| caller.clone())
    }

    pub(super) fn put(&self, hash: String, caller: Caller, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.retain(|_, (_, at)| at.elapsed() < ttl);
            }
            entries.insert(hash, (caller, Instant::now()));
        }
    }
}

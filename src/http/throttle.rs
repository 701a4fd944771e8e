//! The login throttle: password guessing against one username slows down, without locking a
//! dispatcher out for long during an emergency.
//!
//! The first `limits.login_free_failures` wrong passwords for a username in a row cost nothing
//! more than the hash itself. After that, each further failure blocks that username for twice
//! as long as the one before (1 s, 2 s, 4 s …), up to `limits.login_max_delay_s`; while blocked,
//! a login is answered 429 with `Retry-After` before any password is checked. A right password
//! clears the count. A username unseen for 15 minutes is forgotten.
//!
//! Kept in this instance's memory, like the intake buckets: with several instances a guesser
//! gets each instance's allowance. The map holds at most [`MAX_NAMES`] usernames; past that,
//! new names are not tracked until old ones expire (each guess still costs a full hash).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::LimitsConfig;

/// Usernames tracked at once.
pub const MAX_NAMES: usize = 10_000;
/// A username without failures for this long is forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);

#[derive(Clone, Copy, Debug)]
struct Entry {
    failures: u32,
    last: Instant,
    blocked_until: Option<Instant>,
}

pub struct LoginThrottle {
    names: Mutex<HashMap<String, Entry>>,
    free_failures: u32,
    max_delay: Duration,
}

impl LoginThrottle {
    pub fn new(limits: &LimitsConfig) -> Self {
        Self {
            names: Mutex::new(HashMap::new()),
            free_failures: limits.login_free_failures,
            max_delay: Duration::from_secs(limits.login_max_delay_s),
        }
    }

    fn key(username: &str) -> String {
        username.trim().to_lowercase()
    }

    /// `Err(seconds to wait)` while the username is blocked.
    pub fn check(&self, username: &str, now: Instant) -> Result<(), u64> {
        let names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        match names
            .get(&Self::key(username))
            .and_then(|e| e.blocked_until)
        {
            Some(until) if until > now => Err((until - now).as_secs_f64().ceil().max(1.0) as u64),
            _ => Ok(()),
        }
    }

    /// A wrong password (or an unknown user) for `username`.
    pub fn failed(&self, username: &str, now: Instant) {
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        let key = Self::key(username);
        if !names.contains_key(&key) && names.len() >= MAX_NAMES {
            names.retain(|_, e| now.duration_since(e.last) < FORGET_AFTER);
            if names.len() >= MAX_NAMES {
                return;
            }
        }
        let entry = names.entry(key).or_insert(Entry {
            failures: 0,
            last: now,
            blocked_until: None,
        });
        if now.duration_since(entry.last) >= FORGET_AFTER {
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.last = now;
        if entry.failures > self.free_failures {
            let doublings = (entry.failures - self.free_failures - 1).min(20);
            let delay = Duration::from_secs(1u64 << doublings).min(self.max_delay);
            entry.blocked_until = Some(now + delay);
        }
    }

    /// A right password: the count starts again.
    pub fn succeeded(&self, username: &str) {
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        names.remove(&Self::key(username));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> LoginThrottle {
        let mut limits = crate::config::Config::default_for_tests().limits;
        limits.login_free_failures = 3;
        limits.login_max_delay_s = 8;
        LoginThrottle::new(&limits)
    }

    #[test]
    fn free_failures_cost_nothing_then_the_wait_doubles_up_to_the_cap() {
        let t = throttle();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(t.check("Dispecer1", t0), Ok(()));
            t.failed("Dispecer1", t0);
        }
        assert_eq!(t.check("dispecer1", t0), Ok(()));
        let mut waits = Vec::new();
        let mut now = t0;
        for _ in 0..6 {
            t.failed("dispecer1", now);
            let wait = t.check("dispecer1", now).unwrap_err();
            waits.push(wait);
            now += Duration::from_secs(wait);
            assert_eq!(t.check("dispecer1", now), Ok(()));
        }
        assert_eq!(waits, vec![1, 2, 4, 8, 8, 8]);
        // Other usernames are not affected.
        t.failed("dispecer2", t0);
        assert_eq!(t.check("dispecer2", t0), Ok(()));
    }

    #[test]
    fn a_right_password_or_a_quiet_quarter_hour_starts_the_count_again() {
        let t = throttle();
        let t0 = Instant::now();
        for _ in 0..4 {
            t.failed("sofer1", t0);
        }
        assert!(t.check("sofer1", t0).is_err());
        t.succeeded("sofer1");
        assert_eq!(t.check("sofer1", t0), Ok(()));
        for _ in 0..3 {
            t.failed("sofer1", t0);
        }
        let later = t0 + FORGET_AFTER;
        t.failed("sofer1", later);
        assert_eq!(t.check("sofer1", later), Ok(()));
    }
}

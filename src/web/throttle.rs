//! The login throttle and the password-check cap: password guessing against one username slows
//! down, without locking a dispatcher out for long during an emergency, and logins cannot take
//! more memory or CPU than a few password checks at a time.
//!
//! The first `limits.login_free_failures` wrong passwords for a username in a row cost nothing
//! more than the check itself. After that, each further failure blocks that username for twice
//! as long as the one before (1 s, 2 s, 4 s …), up to `limits.login_max_delay_s`; while blocked,
//! a login is answered 429 with `Retry-After` before any password is checked. A right password
//! clears the count. A username not tried for 15 minutes starts again from nothing.
//!
//! - **Counted before it is checked.** A login first reserves its attempt: it is counted as a
//!   failure, and the block it may trigger is set, before its password is checked; a right
//!   password then clears the count, a check that never ran gives the attempt back. So a burst
//!   of guesses sent at once gets no more checks than the same guesses sent one after another
//!   (`login_free_failures + 1`, then one per block).
//! - **Shared by every instance.** The counts live in the database (`login_throttle`, keyed by
//!   the SHA-256 of the username as typed, never the name), read and rewritten under a lock
//!   ([`Accounts::update_login_attempts`]), so a guesser gets one allowance in all.
//! - **Capped per instance.** At most `limits.login_hash_concurrency` passwords are checked at
//!   once (argon2id, ~19 MiB and tens of milliseconds each); a login waits up to
//!   `limits.login_hash_wait_ms` for its turn, then is answered 503 with `Retry-After` without a
//!   check. [`LoginThrottle::hashes`] and `dispecer_password_hashes_total` count the checks.
//!
//! A login therefore goes: a read of the count (blocked: 429, nothing written), a check slot
//! (none in time: 503, nothing written), the reservation (blocked meanwhile: 429), the check.
//! Writes to the database are bounded by the checks, not by the requests: a flood of logins
//! cannot crowd the event log's writer.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;

use crate::config::LimitsConfig;
use crate::store::accounts::{Accounts, LoginAttempts};
use crate::store::StoreError;

/// A username without attempts for this long starts again from nothing.
const FORGET_AFTER_S: i64 = 15 * 60;
/// Counts older than the forgetting time (or the longest block) are deleted every this many
/// reservations.
const CLEAN_EVERY: u64 = 64;

/// A password-check slot ([`LoginThrottle::slot`]).
pub struct HashSlot {
    _permit: tokio::sync::OwnedSemaphorePermit,
}

pub struct LoginThrottle {
    free_failures: u32,
    max_delay: Duration,
    hashing: Arc<Semaphore>,
    hash_wait: std::time::Duration,
    hashes: AtomicU64,
    reservations: AtomicU64,
}

impl LoginThrottle {
    pub fn new(limits: &LimitsConfig) -> Self {
        Self {
            free_failures: limits.login_free_failures,
            max_delay: Duration::seconds(limits.login_max_delay_s.min(86_400) as i64),
            hashing: Arc::new(Semaphore::new(limits.login_hash_concurrency.max(1))),
            hash_wait: std::time::Duration::from_millis(limits.login_hash_wait_ms),
            hashes: AtomicU64::new(0),
            reservations: AtomicU64::new(0),
        }
    }

    /// The row key of a username: the SHA-256 of it as typed, trimmed and in lower case.
    fn key(username: &str) -> String {
        hex::encode(Sha256::digest(username.trim().to_lowercase().as_bytes()))
    }

    /// The seconds to wait, while the name is blocked.
    fn wait(count: Option<LoginAttempts>, now: DateTime<Utc>) -> Option<u64> {
        let until = count?.blocked_until.filter(|u| *u > now)?;
        let wait_ms = (until - now).num_milliseconds().max(0) as u64;
        Some(wait_ms.div_ceil(1000).max(1))
    }

    /// One more attempt at `now`: the new count, and `Err(seconds to wait)` when the name is
    /// blocked (the count is then unchanged).
    fn count_attempt(
        &self,
        before: Option<LoginAttempts>,
        now: DateTime<Utc>,
    ) -> (Option<LoginAttempts>, Result<(), u64>) {
        if let Some(wait) = Self::wait(before, now) {
            return (before, Err(wait));
        }
        let recent = before.filter(|a| now - a.last < Duration::seconds(FORGET_AFTER_S));
        let failures = recent.map_or(0, |a| a.failures).saturating_add(1);
        let blocked_until = (failures > self.free_failures).then(|| {
            let doublings = (failures - self.free_failures - 1).min(20);
            now + Duration::seconds(1i64 << doublings).min(self.max_delay)
        });
        let after = LoginAttempts {
            failures,
            last: now,
            blocked_until,
        };
        (Some(after), Ok(()))
    }

    /// Gives back an attempt whose password was never checked. A block stays only while the
    /// attempts still counted call for it.
    fn uncount(&self, before: Option<LoginAttempts>) -> Option<LoginAttempts> {
        let mut a = before?;
        a.failures = a.failures.saturating_sub(1);
        if a.failures <= self.free_failures {
            a.blocked_until = None;
        }
        (a.failures > 0 || a.blocked_until.is_some()).then_some(a)
    }

    /// `Some(seconds to wait)` while `username` is blocked: a read only, so that hammering a
    /// blocked name costs neither a write nor a password-check slot.
    pub async fn blocked<S: Accounts + ?Sized>(
        &self,
        store: &S,
        username: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError> {
        Ok(Self::wait(
            store.login_attempts(&Self::key(username)).await?,
            now,
        ))
    }

    /// Counts a login attempt for `username` before its password is checked: `Ok(Err(seconds))`
    /// when the name is blocked, and then nothing may be checked.
    pub async fn reserve<S: Accounts + ?Sized>(
        &self,
        store: &S,
        username: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<(), u64>, StoreError> {
        if self.reservations.fetch_add(1, Ordering::Relaxed) % CLEAN_EVERY == CLEAN_EVERY - 1 {
            let keep = Duration::seconds(FORGET_AFTER_S).max(self.max_delay);
            if let Err(e) = store.forget_login_attempts(now - keep).await {
                tracing::warn!(error = %e, "could not forget old login counts");
            }
        }
        let mut verdict = Ok(());
        store
            .update_login_attempts(&Self::key(username), &mut |before| {
                let (after, v) = self.count_attempt(before, now);
                verdict = v;
                after
            })
            .await?;
        Ok(verdict)
    }

    /// Gives back a reserved attempt whose password was not checked.
    pub async fn release<S: Accounts + ?Sized>(
        &self,
        store: &S,
        username: &str,
    ) -> Result<(), StoreError> {
        store
            .update_login_attempts(&Self::key(username), &mut |before| self.uncount(before))
            .await
    }

    /// A right password: the count starts again.
    pub async fn succeeded<S: Accounts + ?Sized>(
        &self,
        store: &S,
        username: &str,
    ) -> Result<(), StoreError> {
        store
            .update_login_attempts(&Self::key(username), &mut |_| None)
            .await
    }

    /// One of the `login_hash_concurrency` password-check slots, waiting at most
    /// `login_hash_wait_ms` for it; `None` when none frees up in time.
    pub async fn slot(&self) -> Option<HashSlot> {
        let permit = tokio::time::timeout(self.hash_wait, self.hashing.clone().acquire_owned())
            .await
            .ok()?
            .ok()?;
        Some(HashSlot { _permit: permit })
    }

    /// Runs one password check (`check`, on a blocking thread) in `slot`, which is held until
    /// the check ends, even if the login that asked for it is dropped meanwhile.
    pub async fn check_password(
        &self,
        slot: HashSlot,
        check: impl FnOnce() -> bool + Send + 'static,
    ) -> bool {
        self.hashes.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("dispecer_password_hashes_total").increment(1);
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            check()
        })
        .await
        .unwrap_or(false)
    }

    /// Password checks this instance has run (for tests; also `dispecer_password_hashes_total`).
    pub fn hashes(&self) -> u64 {
        self.hashes.load(Ordering::Relaxed)
    }

    /// The password-check slots (a test holds them all to see logins refused without a check).
    pub fn hash_slots(&self) -> Arc<Semaphore> {
        self.hashing.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> LoginThrottle {
        let mut limits = crate::config::Config::default_for_tests().limits;
        limits.login_free_failures = 3;
        limits.login_max_delay_s = 8;
        limits.login_hash_concurrency = 2;
        limits.login_hash_wait_ms = 0;
        LoginThrottle::new(&limits)
    }

    /// Reserves an attempt against `count` (the stored row), as the store would.
    fn reserve(
        t: &LoginThrottle,
        count: &mut Option<LoginAttempts>,
        now: DateTime<Utc>,
    ) -> Result<(), u64> {
        let (after, verdict) = t.count_attempt(*count, now);
        *count = after;
        verdict
    }

    #[test]
    fn free_failures_cost_nothing_then_the_wait_doubles_up_to_the_cap() {
        let t = throttle();
        let t0 = Utc::now();
        let mut count = None;
        // Three free attempts, and the fourth is checked too: it sets the first block.
        for _ in 0..4 {
            assert_eq!(reserve(&t, &mut count, t0), Ok(()));
        }
        let mut waits = Vec::new();
        let mut now = t0;
        for _ in 0..6 {
            let wait = reserve(&t, &mut count, now).unwrap_err();
            waits.push(wait);
            now += Duration::seconds(wait as i64);
            assert_eq!(reserve(&t, &mut count, now), Ok(()));
        }
        assert_eq!(waits, vec![1, 2, 4, 8, 8, 8]);
    }

    #[test]
    fn attempts_reserved_at_the_same_instant_get_only_the_free_ones_and_one_more() {
        let t = throttle();
        let now = Utc::now();
        let mut count = None;
        let allowed = (0..50)
            .filter(|_| reserve(&t, &mut count, now).is_ok())
            .count();
        assert_eq!(allowed, 4);
        // A blocked attempt is not counted: the block does not grow while it lasts.
        assert_eq!(count.unwrap().failures, 4);
        assert_eq!(
            count.unwrap().blocked_until,
            Some(now + Duration::seconds(1))
        );
    }

    #[test]
    fn the_names_are_counted_apart_by_a_hash_of_the_name_in_lower_case() {
        assert_eq!(
            LoginThrottle::key(" Dispecer1 "),
            LoginThrottle::key("dispecer1")
        );
        assert_ne!(
            LoginThrottle::key("dispecer1"),
            LoginThrottle::key("dispecer2")
        );
        assert!(!LoginThrottle::key("dispecer1").contains("dispecer"));
        assert_eq!(LoginThrottle::key("x").len(), 64);
    }

    #[test]
    fn a_quiet_quarter_hour_starts_the_count_again() {
        let t = throttle();
        let t0 = Utc::now();
        let mut count = None;
        for _ in 0..4 {
            assert_eq!(reserve(&t, &mut count, t0), Ok(()));
        }
        assert!(reserve(&t, &mut count, t0).is_err());
        let later = t0 + Duration::seconds(FORGET_AFTER_S);
        assert_eq!(reserve(&t, &mut count, later), Ok(()));
        assert_eq!(count.unwrap().failures, 1);
        assert_eq!(count.unwrap().blocked_until, None);
    }

    #[test]
    fn an_attempt_given_back_lifts_the_block_it_set_and_the_last_one_deletes_the_count() {
        let t = throttle();
        let now = Utc::now();
        let mut count = None;
        for _ in 0..4 {
            assert_eq!(reserve(&t, &mut count, now), Ok(()));
        }
        assert!(count.unwrap().blocked_until.is_some());
        count = t.uncount(count);
        assert_eq!(count.unwrap().failures, 3);
        assert_eq!(count.unwrap().blocked_until, None);
        assert_eq!(reserve(&t, &mut count, now), Ok(()));
        for _ in 0..4 {
            count = t.uncount(count);
        }
        assert_eq!(count, None);
        assert_eq!(t.uncount(None), None);
    }

    #[tokio::test]
    async fn no_slot_is_given_while_every_slot_is_taken_and_each_check_gives_its_slot_back() {
        let t = throttle();
        let slots = t.hash_slots();
        let held = slots.clone().acquire_many_owned(2).await.unwrap();
        assert!(t.slot().await.is_none());
        drop(held);
        let slot = t.slot().await.unwrap();
        assert!(t.check_password(slot, || true).await);
        let slot = t.slot().await.unwrap();
        assert!(!t.check_password(slot, || false).await);
        assert_eq!(t.hashes(), 2);
        assert_eq!(slots.available_permits(), 2);
    }
}

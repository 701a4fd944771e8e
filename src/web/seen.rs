//! When each console session was last seen, for the supervisor's "who is logged in where": a
//! session's `last_seen_at` is written at most once a minute per instance (and at once when its
//! page changes), so a busy console does not write to the database on every request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often one session's last-seen time is written at most.
pub const EVERY: Duration = Duration::from_secs(60);

/// The last write of each session's last-seen time on this instance.
#[derive(Default)]
pub struct SessionSeen {
    written: Mutex<HashMap<String, (Instant, Option<String>)>>,
}

impl SessionSeen {
    /// Whether the session `hash` should be written now (and notes that it is): never written
    /// here, written over [`EVERY`] ago, or a `page` other than the one last written.
    pub fn due(&self, hash: &str, page: Option<&str>) -> bool {
        let Ok(mut written) = self.written.lock() else {
            return false;
        };
        let now = Instant::now();
        let due = match written.get(hash) {
            None => true,
            Some((at, last_page)) => {
                now.duration_since(*at) >= EVERY
                    || page.is_some_and(|p| last_page.as_deref() != Some(p))
            }
        };
        if due {
            if written.len() > 10_000 {
                written.retain(|_, (at, _)| now.duration_since(*at) < EVERY);
            }
            let page = page
                .map(str::to_owned)
                .or_else(|| written.get(hash).and_then(|(_, p)| p.clone()));
            written.insert(hash.to_owned(), (now, page));
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_written_once_a_minute_unless_its_page_changes() {
        let seen = SessionSeen::default();
        assert!(seen.due("a", None));
        assert!(!seen.due("a", None));
        assert!(seen.due("a", Some("supervisor")));
        assert!(!seen.due("a", Some("supervisor")));
        assert!(!seen.due("a", None));
        assert!(seen.due("b", None));
    }
}

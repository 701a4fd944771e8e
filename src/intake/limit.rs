//! The intake rate limit: one token bucket per credential, so an alarm receiver gone mad cannot
//! starve the others (each sender spends only its own tokens).
//!
//! Over the limit a request is refused with 429 and `Retry-After` — unless the item it would
//! create is P1 by the queue rules (a life-threatening alarm, a call with someone in immediate
//! danger). Those are always accepted, and the item is flagged `rate_limited` so the dispatcher
//! sees that its sender is misbehaving. Nothing is refused before it is parsed and classified,
//! which costs far less than committing it.
//!
//! The buckets live in this instance's memory: with several instances behind a balancer a
//! sender's effective limit is the configured one times the number of instances it reaches.
//! There is one bucket per authenticated credential name, so the map is bounded by the number
//! of accounts and tokens.

use chrono::Utc;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

use crate::config::LimitsConfig;
use crate::domain::{Details, Level};
use crate::error::Error;
use crate::queue::Rules;

/// Token buckets per credential, and the rules that say what is P1.
pub struct IntakeLimiter {
    buckets: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
    rules: Rules,
}

/// What the limiter says about one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Within the sender's limit.
    Within,
    /// Over the limit, accepted because the item is P1: flag it.
    OverLimitButP1,
}

impl Admission {
    /// Whether the created item must carry the `rate_limited` flag.
    pub(crate) fn flagged(self) -> bool {
        self == Admission::OverLimitButP1
    }
}

impl IntakeLimiter {
    pub(crate) fn new(limits: &LimitsConfig, rules: Rules) -> Self {
        let rate = NonZeroU32::new(limits.intake_per_minute).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(limits.intake_burst).unwrap_or(NonZeroU32::MIN);
        Self {
            buckets: RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst)),
            clock: DefaultClock::default(),
            rules,
        }
    }

    /// Spends one of `credential`'s tokens for an item with these details; refuses with 429
    /// when none is left and the item is not P1.
    pub(crate) fn admit(&self, credential: &str, details: &Details) -> Result<Admission, Error> {
        let refused = match self.buckets.check_key(&credential.to_owned()) {
            Ok(()) => return Ok(Admission::Within),
            Err(not_until) => not_until,
        };
        if self.rules.classify(details, Utc::now()).level == Level::P1 {
            metrics::counter!("dispecer_intake_rate_limited_total", "outcome" => "accepted_p1")
                .increment(1);
            return Ok(Admission::OverLimitButP1);
        }
        metrics::counter!("dispecer_intake_rate_limited_total", "outcome" => "refused")
            .increment(1);
        let wait = refused.wait_time_from(self.clock.now());
        // Whole seconds, rounded up, and never 0: "retry now" would only spend the next token.
        let retry_after_s = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Err(Error::RateLimited {
            retry_after_s: retry_after_s.max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::AlarmType;

    fn limiter(burst: u32) -> IntakeLimiter {
        let config = Config::default_for_tests();
        let limits = LimitsConfig {
            intake_per_minute: 1,
            intake_burst: burst,
            ..config.limits.clone()
        };
        IntakeLimiter::new(
            &limits,
            crate::queue::Rules::from_config(&config.queue).expect("default rules"),
        )
    }

    fn alert(alarm_type: AlarmType) -> Details {
        Details::Alert {
            device_id: "TA-1".into(),
            alarm_type,
            device_time: Utc::now(),
            receiver_alarm_id: "1".into(),
            receiver: "r".into(),
        }
    }

    #[test]
    fn a_spent_bucket_refuses_routine_items_with_a_retry_time() {
        // Arrange
        let limits = limiter(2);
        let low = alert(AlarmType::LowBattery);

        // Act
        let answers: Vec<_> = (0..3).map(|_| limits.admit("r1", &low)).collect();

        // Assert
        assert_eq!(answers[0].as_ref().ok(), Some(&Admission::Within));
        assert_eq!(answers[1].as_ref().ok(), Some(&Admission::Within));
        match &answers[2] {
            Err(Error::RateLimited { retry_after_s }) => assert!((1..=60).contains(retry_after_s)),
            other => panic!("expected 429, got {other:?}"),
        }
    }

    #[test]
    fn a_spent_bucket_still_accepts_p1_items_and_flags_them() {
        let limits = limiter(1);
        let fall = alert(AlarmType::Fall);
        assert_eq!(limits.admit("r1", &fall).ok(), Some(Admission::Within));
        for _ in 0..10 {
            let answer = limits.admit("r1", &fall).expect("P1 is never refused");
            assert!(answer.flagged());
        }
    }

    #[test]
    fn one_senders_flood_does_not_spend_anothers_tokens() {
        let limits = limiter(3);
        let low = alert(AlarmType::LowBattery);
        for _ in 0..20 {
            let _ = limits.admit("mad", &low);
        }
        assert!(limits.admit("mad", &low).is_err());
        assert_eq!(limits.admit("calm", &low).ok(), Some(Admission::Within));
    }
}

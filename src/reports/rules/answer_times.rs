//! Answer times. Every item carries its timestamps: received (which is also when it is queued:
//! an item is queued in the same commit that accepts it), first shown on a console,
//! acknowledged, dispatched (first assignment) and closed. This report gives, per channel, the
//! percentiles of the time from receipt to each step, and the share answered (acknowledged)
//! within the standards dispatch centres are held to:
//!
//! - telecare (TeleAsistență alarms, technical items excluded): 97.5 % within 60 s, 99 % within
//!   180 s;
//! - emergency line (calls): 90 % within 15 s, 95 % within 20 s.
//!
//! An item not yet answered counts against the standard once it is older than the limit, and is
//! left out until then.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::domain::{AlarmType, CallChannel, Details, Item};

/// One standard: `percent` of items answered within `within_s`.
#[derive(Clone, Copy, Debug, Serialize, utoipa::ToSchema)]
pub struct Standard {
    pub within_s: i64,
    pub percent: f64,
}

pub(crate) const TELECARE: &[Standard] = &[
    Standard {
        within_s: 60,
        percent: 97.5,
    },
    Standard {
        within_s: 180,
        percent: 99.0,
    },
];
pub(crate) const EMERGENCY_LINE: &[Standard] = &[
    Standard {
        within_s: 15,
        percent: 90.0,
    },
    Standard {
        within_s: 20,
        percent: 95.0,
    },
];

/// The channel an item counts in, if any.
pub(crate) fn channel(item: &Item) -> Option<&'static str> {
    match &item.details {
        Details::Alert { alarm_type, .. } => match alarm_type {
            AlarmType::LowBattery
            | AlarmType::PowerFailure
            | AlarmType::MissedCheckin
            | AlarmType::Test => Some("technical"),
            _ => Some("telecare"),
        },
        // The answering standards are for a ringing telephone; an SMS, an e-mail, someone at
        // the desk or a card from an institution is measured apart, without them.
        Details::Call { channel, .. } => match channel {
            CallChannel::Phone | CallChannel::OtherLine => Some("emergency_line"),
            CallChannel::Sms
            | CallChannel::Email
            | CallChannel::WalkIn
            | CallChannel::Institution => Some("written_and_desk"),
        },
        Details::Callback { .. } => Some("callback"),
        Details::Booking { .. } | Details::Incident { .. } => None,
    }
}

fn standards(channel: &str) -> &'static [Standard] {
    match channel {
        "telecare" => TELECARE,
        "emergency_line" => EMERGENCY_LINE,
        _ => &[],
    }
}

/// Percentiles of one step, in seconds.
#[derive(Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Percentiles {
    pub count: usize,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    pub max: Option<f64>,
}

/// Nearest-rank percentile of sorted values.
fn rank(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let n = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[n.clamp(1, sorted.len()) - 1])
}

pub(crate) fn percentiles(mut v: Vec<f64>) -> Percentiles {
    v.sort_by(|a, b| a.total_cmp(b));
    Percentiles {
        count: v.len(),
        p50: rank(&v, 50.0),
        p90: rank(&v, 90.0),
        p95: rank(&v, 95.0),
        p99: rank(&v, 99.0),
        max: v.last().copied(),
    }
}

/// How one standard was met.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Compliance {
    #[serde(flatten)]
    pub standard: Standard,
    /// Items that count (answered, or unanswered and older than the limit).
    pub counted: usize,
    pub within: usize,
    pub achieved_percent: Option<f64>,
    pub met: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChannelReport {
    pub channel: &'static str,
    pub items: usize,
    /// Seconds from receipt to each step.
    pub steps: Vec<(&'static str, Percentiles)>,
    pub standards: Vec<Compliance>,
    /// Items answered within each 5-second bucket (0-5 s, 5-10 s, …, the last is "later"),
    /// for the console's chart.
    pub histogram: Vec<usize>,
}

/// Width of a histogram bucket, seconds.
pub(crate) const BUCKET_S: f64 = 5.0;
const BUCKETS: usize = 37;

fn secs(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> Option<f64> {
    to.map(|t| (t - from).num_milliseconds() as f64 / 1000.0)
}

/// The report over `items` received at or after `since` (pure).
pub(crate) fn report<'a>(
    items: impl Iterator<Item = &'a Item>,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<ChannelReport> {
    let mut out = Vec::new();
    let items: Vec<&Item> = items.filter(|i| i.times.received >= since).collect();
    for ch in [
        "telecare",
        "emergency_line",
        "written_and_desk",
        "callback",
        "technical",
    ] {
        let of: Vec<&&Item> = items.iter().filter(|i| channel(i) == Some(ch)).collect();
        let step = |f: fn(&Item) -> Option<DateTime<Utc>>| {
            percentiles(
                of.iter()
                    .filter_map(|i| secs(i.times.received, f(i)))
                    .collect(),
            )
        };
        let steps = vec![
            ("queued", step(|i| Some(i.times.received))),
            ("first_shown", step(|i| i.times.first_pushed)),
            ("acknowledged", step(|i| i.times.acknowledged)),
            ("dispatched", step(|i| i.times.assigned)),
            ("closed", step(|i| i.times.closed)),
        ];
        let standards = standards(ch)
            .iter()
            .map(|s| {
                let mut counted = 0;
                let mut within = 0;
                for i in &of {
                    match secs(i.times.received, i.times.acknowledged) {
                        Some(t) => {
                            counted += 1;
                            if t <= s.within_s as f64 {
                                within += 1;
                            }
                        }
                        None if now - i.times.received > Duration::seconds(s.within_s) => {
                            counted += 1
                        }
                        None => {}
                    }
                }
                let achieved = (counted > 0).then(|| within as f64 * 100.0 / counted as f64);
                Compliance {
                    standard: *s,
                    counted,
                    within,
                    achieved_percent: achieved,
                    met: achieved.map(|a| a >= s.percent),
                }
            })
            .collect();
        let mut histogram = vec![0; BUCKETS];
        for i in &of {
            if let Some(t) = secs(i.times.received, i.times.acknowledged) {
                let b = ((t.max(0.0) / BUCKET_S) as usize).min(BUCKETS - 1);
                histogram[b] += 1;
            }
        }
        out.push(ChannelReport {
            channel: ch,
            items: of.len(),
            steps,
            standards,
            histogram,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::domain::{ItemId, ItemKind, Level, Priority, Status, Timestamps};
    use crate::reports::rules::answer_times::*;

    fn call_answered_after(received: DateTime<Utc>, secs: Option<i64>) -> Item {
        Item {
            id: ItemId::new(),
            kind: ItemKind::Call,
            category: "other".into(),
            status: Status::New,
            priority: Priority {
                level: Level::P1,
                rule: "r".into(),
                reason: "r".into(),
                respond_within_s: 15,
                facts: vec![],
            },
            deadline: received,
            breached: false,
            times: Timestamps {
                received,
                acknowledged: secs.map(|s| received + Duration::seconds(s)),
                ..Timestamps::default()
            },
            details: Details::Call {
                caller_number: "+40700000000".into(),
                category: crate::domain::CallCategory::Other,
                immediate_danger: false,
                location: None,
                notes: String::new(),
                channel: Default::default(),
                reporter: Default::default(),
            },
            assigned_to: vec![],
            handler: None,
            outcome: None,
            notes: vec![],
            version: 1,
            redacted: false,
            rate_limited: false,
            dv_case: None,
            subject: None,
            repeats: 0,
            repeats_unseen: 0,
            arrival: None,
        }
    }

    #[test]
    fn nearest_rank_percentiles() {
        let p = percentiles((1..=100).map(f64::from).collect());
        assert_eq!(
            (p.p50, p.p90, p.p99, p.max),
            (Some(50.0), Some(90.0), Some(99.0), Some(100.0))
        );
        assert_eq!(percentiles(vec![]).p50, None);
    }

    #[test]
    fn the_emergency_line_standard_counts_late_and_overdue_calls_against_it() {
        let now = Utc::now();
        let t0 = now - Duration::minutes(10);
        // 8 answered in 10 s, 1 in 18 s, 1 never (overdue), 1 just arrived (not counted yet).
        let mut items: Vec<Item> = (0..8).map(|_| call_answered_after(t0, Some(10))).collect();
        items.push(call_answered_after(t0, Some(18)));
        items.push(call_answered_after(t0, None));
        items.push(call_answered_after(now, None));
        let r = report(items.iter(), now - Duration::hours(1), now);
        let line = r.iter().find(|c| c.channel == "emergency_line").unwrap();
        assert_eq!(line.items, 11);
        let within15 = &line.standards[0];
        assert_eq!((within15.counted, within15.within), (10, 8));
        assert_eq!(within15.met, Some(false));
        let within20 = &line.standards[1];
        assert_eq!((within20.counted, within20.within), (10, 9));
        assert_eq!(line.histogram[2] + line.histogram[3], 9);
    }

    #[test]
    fn sms_and_desk_cards_are_measured_apart_from_the_telephone_standard() {
        let now = Utc::now();
        let t0 = now - Duration::minutes(10);
        let mut sms = call_answered_after(t0, Some(90));
        if let Details::Call { channel, .. } = &mut sms.details {
            *channel = CallChannel::Sms;
        }
        let items = [call_answered_after(t0, Some(5)), sms];
        let r = report(items.iter(), now - Duration::hours(1), now);
        let line = r.iter().find(|c| c.channel == "emergency_line").unwrap();
        assert_eq!((line.items, line.standards[0].within), (1, 1));
        let written = r.iter().find(|c| c.channel == "written_and_desk").unwrap();
        assert_eq!(written.items, 1);
        assert!(written.standards.is_empty());
    }
}

//! Retention (pure): which items are past their schedule, and what an item's events become
//! when it is purged.
//!
//! The event log is the source of truth and the live state is its fold, so an item's events are
//! never deleted (the sequence would have gaps, and the fold asserts it has none): they are
//! rewritten in place with the personal data taken out, exactly as a redacted copy
//! (`access::redact`, `CaseRecord::redacted`). The fold of the rewritten events gives the same
//! item with the same times, category, status and outcome, so the live state rebuilt at start-up
//! and the activity reports count the same; only who and where, notes and case-file texts are
//! gone.

use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, HashSet};

use crate::access::redact;
use crate::config::RetentionConfig;
use crate::domain::{Item, ItemId, Status};
use crate::events::Event;

/// The instant before which a record finished `days` ago is past its schedule.
pub(crate) fn cutoff(now: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    now - Duration::days(i64::from(days))
}

/// An item due for purging, and when the period it waited for started (its close, or the
/// case's last close).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DueItem {
    pub id: ItemId,
    pub closed: DateTime<Utc>,
    pub dv: bool,
}

/// Per domestic-violence case: whether every item seen is closed, the latest close, its items.
type Case<'a> = (bool, Option<DateTime<Utc>>, Vec<&'a Item>);

/// Items past their schedule at `now`, skipping `done` (already purged). Never an open item:
/// a closed item waits `closed_items_days` after it closed; an item of a domestic-violence case
/// waits `dv_case_days` after the **last** item of the case closed, and none of the case is
/// purged while any of its items is open (the case's safe-contact numbers protect them).
pub(crate) fn due_items<'a>(
    items: impl Iterator<Item = &'a Item>,
    now: DateTime<Utc>,
    cfg: &RetentionConfig,
    done: &HashSet<ItemId>,
) -> Vec<DueItem> {
    let plain_cut = cutoff(now, cfg.closed_items_days);
    let dv_cut = cutoff(now, cfg.dv_case_days);
    let mut due = Vec::new();
    // Per case: (every item closed so far, latest close, its items).
    let mut cases: HashMap<ItemId, Case<'_>> = HashMap::new();
    for i in items {
        match i.dv_case {
            Some(case) => {
                let e = cases.entry(case).or_insert((true, None, Vec::new()));
                match (i.status, i.times.closed) {
                    (Status::Closed, Some(c)) => {
                        e.1 = Some(e.1.map_or(c, |l: DateTime<Utc>| l.max(c)))
                    }
                    _ => e.0 = false,
                }
                e.2.push(i);
            }
            None => {
                if let (Status::Closed, Some(c)) = (i.status, i.times.closed) {
                    if c < plain_cut && !done.contains(&i.id) {
                        due.push(DueItem {
                            id: i.id,
                            closed: c,
                            dv: false,
                        });
                    }
                }
            }
        }
    }
    for (all_closed, last, list) in cases.into_values() {
        let Some(last) = last.filter(|l| all_closed && *l < dv_cut) else {
            continue;
        };
        for i in list.into_iter().filter(|i| !done.contains(&i.id)) {
            due.push(DueItem {
                id: i.id,
                closed: last,
                dv: true,
            });
        }
    }
    due.sort_by_key(|d| (d.closed, d.id));
    due
}

/// The event with the personal data taken out, or `None` when it carries none. An item keeps
/// its kind, category, times, status, outcome and case mark; a note keeps its author and time;
/// a case-file record keeps only its kind (and the codes a redacted copy keeps).
pub(crate) fn anonymise(event: &Event) -> Option<Event> {
    match event {
        Event::ItemCreated { item } => {
            let copy = redact(item);
            (copy != **item).then(|| Event::ItemCreated {
                item: Box::new(copy),
            })
        }
        Event::NoteAdded { item_id, note } => {
            let mut note = note.clone();
            note.text = crate::access::WITHHELD.into();
            Some(Event::NoteAdded {
                item_id: *item_id,
                note,
            })
        }
        Event::CaseRecorded { item_id, record } => {
            let r = record.redacted();
            let changed = r != *record;
            changed.then_some(Event::CaseRecorded {
                item_id: *item_id,
                record: r,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CallCategory, Details, ItemKind, Level, Priority, Timestamps};

    fn cfg() -> RetentionConfig {
        RetentionConfig {
            enabled: true,
            daily_hour: 3,
            closed_items_days: 10,
            dv_case_days: 100,
            audit_log_days: 100,
            transport_trips_days: 10,
            gps_positions_days: 10,
            call_records_days: 10,
            sms_days: 10,
        }
    }

    fn item(closed_days_ago: Option<i64>, now: DateTime<Utc>) -> Item {
        let received = now - Duration::days(400);
        Item {
            id: ItemId::new(),
            kind: ItemKind::Call,
            category: "other".into(),
            status: if closed_days_ago.is_some() {
                Status::Closed
            } else {
                Status::New
            },
            priority: Priority {
                level: Level::P2,
                rule: "r".into(),
                reason: "r".into(),
                respond_within_s: 60,
                facts: vec![],
            },
            deadline: received,
            breached: false,
            times: Timestamps {
                received,
                closed: closed_days_ago.map(|d| now - Duration::days(d)),
                ..Timestamps::default()
            },
            details: Details::Call {
                caller_number: "+40700000001".into(),
                category: CallCategory::Other,
                immediate_danger: false,
                location: None,
                notes: "secret".into(),
                channel: Default::default(),
                reporter: Default::default(),
            },
            assigned_to: vec![],
            handler: None,
            outcome: closed_days_ago.map(|_| "help_given".into()),
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
    fn only_closed_items_past_their_period_are_due() {
        let now = Utc::now();
        let old = item(Some(11), now);
        let recent = item(Some(9), now);
        let open = item(None, now);
        let due = due_items(
            [&old, &recent, &open].into_iter(),
            now,
            &cfg(),
            &HashSet::new(),
        );
        assert_eq!(due.iter().map(|d| d.id).collect::<Vec<_>>(), vec![old.id]);
        let done = HashSet::from([old.id]);
        assert!(due_items([&old].into_iter(), now, &cfg(), &done).is_empty());
    }

    #[test]
    fn a_dv_case_waits_its_longer_period_and_for_every_item_of_the_case() {
        let now = Utc::now();
        let mut case = item(Some(150), now);
        case.dv_case = Some(case.id);
        let mut callback = item(Some(50), now);
        callback.dv_case = Some(case.id);
        // The callback closed 50 days ago: the case waits 100 days from then.
        assert!(due_items([&case, &callback].into_iter(), now, &cfg(), &HashSet::new()).is_empty());
        callback.times.closed = Some(now - Duration::days(101));
        let due = due_items([&case, &callback].into_iter(), now, &cfg(), &HashSet::new());
        assert_eq!(due.len(), 2);
        assert!(due.iter().all(|d| d.dv));
        // An open item of the case keeps all of it.
        let mut open = item(None, now);
        open.dv_case = Some(case.id);
        assert!(due_items(
            [&case, &callback, &open].into_iter(),
            now,
            &cfg(),
            &HashSet::new()
        )
        .is_empty());
    }

    #[test]
    fn anonymising_keeps_what_is_counted_and_drops_who() {
        let now = Utc::now();
        let i = item(Some(11), now);
        let Some(Event::ItemCreated { item: a }) = anonymise(&Event::ItemCreated {
            item: Box::new(i.clone()),
        }) else {
            panic!("an item with a number is anonymised");
        };
        assert_eq!(
            (a.id, &a.category, a.times.clone(), a.status),
            (i.id, &i.category, i.times.clone(), i.status)
        );
        let Details::Call {
            caller_number,
            notes,
            ..
        } = &a.details
        else {
            panic!()
        };
        assert_ne!(caller_number, "+40700000001");
        assert!(notes.is_empty());
        // Anonymising twice changes nothing more.
        assert_eq!(anonymise(&Event::ItemCreated { item: a }), None);
    }
}

//! The roster's use cases: saving a shift against the others, who is on duty, the phones an
//! incoming call rings, writing and acknowledging a handover note. Between the pure core
//! (`rules`, `summary`) and the HTTP face.

use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

use super::rules::{self, Line};
use super::summary::{self, HandoverSummary};
use crate::access::Caller;
use crate::config::ShiftsConfig;
use crate::core::CoreHandle;
use crate::error::{Error, Result};
use crate::store::roster::{HandoverRecord, ShiftRecord};
use crate::store::{AuditRecord, EmergencyStore, RosterStore, Store};

/// The handles the use cases take (lent from the application state by the HTTP face).
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub roster: &'a dyn RosterStore,
    /// The accounts (who may be on a shift).
    pub store: &'a dyn Store,
    pub core: &'a CoreHandle,
    pub emergency: &'a dyn EmergencyStore,
    pub config: &'a ShiftsConfig,
}

/// Roles a shift's members have.
pub(crate) const ROSTERED_ROLES: &[&str] = &["dispatcher", "supervisor"];

/// How far around a moment the roster is read to answer "on duty" and "next": a shift lasts at
/// most a day, so every shift on duty at `at` starts within the day before it.
const LOOK_BACK_MS: i64 = rules::MAX_SHIFT_MS;

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// The audit record of a change by `caller`.
pub(crate) fn audit_of(caller: &Caller, action: String) -> AuditRecord {
    AuditRecord {
        at: Utc::now(),
        actor: caller.name.clone(),
        role: caller.role.as_str().into(),
        action,
        item_id: None,
        outcome: "allowed".into(),
    }
}

/// Checks a shift's shape and its members' accounts, then saves it unless someone on it is
/// already on another shift at that time (422 naming the field either way).
pub(crate) async fn save_shift(
    state: Ctx<'_>,
    caller: &Caller,
    shift: &ShiftRecord,
    action: &str,
) -> Result<()> {
    rules::check_shape(shift).map_err(|r| Error::validation(r.field, r.message))?;
    let staff = state.store.users_with_roles(ROSTERED_ROLES).await?;
    if let Some(unknown) = shift
        .members
        .iter()
        .find(|m| !staff.iter().any(|u| &u.username == *m))
    {
        return Err(Error::validation(
            "members",
            format!("{unknown} is not an enabled dispatcher or supervisor account"),
        ));
    }
    let audit = audit_of(caller, format!("{action}:{}", shift.id));
    state
        .roster
        .save_shift(shift, &audit, &mut |others| {
            rules::check_overlaps(shift, others)
        })
        .await?
        .map_err(|r| Error::validation(r.field, r.message))
}

/// Who is on duty at a moment, and the next shift.
pub(crate) struct Duty {
    pub on_duty: Vec<ShiftRecord>,
    /// Usernames in ringing order.
    pub people: Vec<String>,
    pub next: Option<ShiftRecord>,
}

pub(crate) async fn duty_at(roster: &dyn RosterStore, at: DateTime<Utc>) -> Result<Duty> {
    let at_ms = ms(at);
    let around = roster
        .shifts_between(at_ms - LOOK_BACK_MS, at_ms + 1)
        .await?;
    let on_duty: Vec<ShiftRecord> = rules::on_duty(&around, at_ms)
        .into_iter()
        .cloned()
        .collect();
    let people = rules::ring_order(&on_duty.iter().collect::<Vec<_>>());
    let next = roster.next_shift_from(at_ms + 1).await?;
    Ok(Duty {
        on_duty,
        people,
        next,
    })
}

/// The phones an incoming call received at `at` rings, in order (empty: nobody on duty has
/// one, and the configured desk applies).
pub(crate) async fn lines_at(roster: &dyn RosterStore, at: DateTime<Utc>) -> Result<Vec<Line>> {
    let duty = duty_at(roster, at).await?;
    if duty.people.is_empty() {
        return Ok(Vec::new());
    }
    let contacts = roster.contacts().await?;
    Ok(rules::lines(&duty.people, &contacts))
}

/// The state of the queue now, for a handover note.
pub(crate) async fn summary_now(
    core: &CoreHandle,
    emergency: &dyn EmergencyStore,
    within_h: u32,
) -> Result<HandoverSummary> {
    let now = Utc::now();
    let until = now + Duration::hours(i64::from(within_h));
    let follow_ups: Vec<_> = emergency
        .due_follow_ups(until)
        .await?
        .into_iter()
        .map(|f| (f.item_id, f.due))
        .collect();
    Ok(core.read(|s| summary::summarise(s.items(), s.resources(), &follow_ups, now, until)))
}

/// Writes the outgoing lead's note for `shift_id`, with the summary of now, for the next shift.
pub(crate) async fn write_handover(
    state: Ctx<'_>,
    caller: &Caller,
    shift_id: Uuid,
    note: String,
) -> Result<HandoverRecord> {
    let shift = state
        .roster
        .shift(shift_id)
        .await?
        .ok_or_else(|| Error::validation("shift_id", "no such shift"))?;
    if shift.lead != caller.name {
        return Err(Error::forbidden_because(
            "not_shift_lead",
            "only the shift's lead writes its handover note",
        ));
    }
    let now = Utc::now();
    let grace = i64::from(state.config.handover_grace_h) * 3600 * 1000;
    if ms(now) < shift.starts_ms || ms(now) > shift.ends_ms + grace {
        return Err(Error::validation(
            "shift_id",
            "a handover note is written during the shift or shortly after it ends",
        ));
    }
    // The incoming shift: the first one starting after this one started (an overlapping
    // relief shift counts), other than itself.
    let next = state
        .roster
        .next_shift_from(shift.starts_ms + 1)
        .await?
        .ok_or_else(|| {
            Error::validation("shift_id", "there is no next shift to hand over to yet")
        })?;
    let summary = summary_now(
        state.core,
        state.emergency,
        state.config.follow_ups_within_h,
    )
    .await?;
    let record = HandoverRecord {
        id: Uuid::now_v7(),
        shift_id,
        next_shift_id: next.id,
        written_by: caller.name.clone(),
        written_ms: ms(now),
        note,
        summary: serde_json::to_string(&summary).map_err(anyhow::Error::from)?,
        acks: Vec::new(),
    };
    let audit = audit_of(caller, format!("handover_written:{}", record.id));
    if !state.roster.put_handover(&record, &audit).await? {
        return Err(Error::conflict_because(
            "handover_exists",
            "this shift's handover note is already written",
        ));
    }
    Ok(record)
}

/// The notes for the caller that they have not acknowledged: those handed to a shift they are
/// on that has not ended.
pub(crate) async fn pending_for(state: Ctx<'_>, caller: &Caller) -> Result<Vec<HandoverRecord>> {
    let now = ms(Utc::now());
    // Shifts still to end that the caller is on: on duty now, or starting within a day.
    let shifts = state
        .roster
        .shifts_between(now, now + rules::MAX_SHIFT_MS)
        .await?;
    let mine: Vec<Uuid> = shifts
        .iter()
        .filter(|s| s.members.contains(&caller.name))
        .map(|s| s.id)
        .collect();
    Ok(state
        .roster
        .handovers_for(&mine)
        .await?
        .into_iter()
        .filter(|n| !n.acks.iter().any(|(who, _)| who == &caller.name))
        .collect())
}

/// Records the caller's acknowledgement of a note handed to a shift they are on.
pub(crate) async fn acknowledge(
    state: Ctx<'_>,
    caller: &Caller,
    id: Uuid,
) -> Result<HandoverRecord> {
    let note = state
        .roster
        .handover(id)
        .await?
        .ok_or_else(|| Error::NotFound("handover note".into()))?;
    let next = state.roster.shift(note.next_shift_id).await?;
    if !next.is_some_and(|s| s.members.contains(&caller.name)) {
        return Err(Error::forbidden_because(
            "not_incoming_shift",
            "only the incoming shift acknowledges a handover note",
        ));
    }
    let audit = audit_of(caller, format!("handover_acknowledged:{id}"));
    state
        .roster
        .acknowledge_handover(id, &caller.name, ms(Utc::now()), &audit)
        .await?;
    state
        .roster
        .handover(id)
        .await?
        .ok_or_else(|| Error::NotFound("handover note".into()))
}

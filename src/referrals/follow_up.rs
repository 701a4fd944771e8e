//! 'Keep in contact': follow-ups scheduled on a case put a callback item in the queue when they
//! fall due — never for a number marked safe-contact, which is checked when scheduling and again
//! when the callback would be raised.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use tracing::{info, warn};
use uuid::Uuid;

use super::referral::{acting_on, CASE_WORKERS};
use super::safe_contact::is_contact_blocked;
use crate::access::Caller;
use crate::access::Visibility;
use crate::core::state::StateView;
use crate::core::{Command, Outcome};
use crate::domain::parse;
use crate::domain::ItemId;
use crate::domain::{CaseRecord, Details};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::emergency::FollowUpRecord;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, ErrorBody, Refusals};
use crate::web::view::{audit, lookup};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpDto {
    /// When to call (RFC 3339); or `in_s` seconds from now.
    #[serde(default)]
    pub due: Option<DateTime<Utc>>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 31622400)]
    pub in_s: Option<i64>,
    /// The number to call; the case's own number when absent.
    #[serde(default)]
    #[schema(pattern = "^\\+?[0-9]{3,15}$")]
    pub phone: Option<String>,
    #[serde(default)]
    pub reason: String,
}

/// `POST /api/v1/items/{id}/follow-ups`: 201 with the follow-up; 409 for a safe-contact number.
#[utoipa::path(
    post,
    path = "/api/v1/items/{id}/follow-ups",
    tag = "referrals",
    operation_id = "schedule_follow_up",
    description = "Schedules a keep-in-contact callback (`due`, or `in_s` seconds from now, within a year) to the case's number or `phone`; refused (409) for a number marked 'do not call back / no SMS'. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full (the dispatcher handling it, EMIU, supervisors).",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = FollowUpDto,
    responses(
        (status = 201, description = "Scheduled", body = FollowUpRecord),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The number is marked safe-contact, or the item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn schedule(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<FollowUpDto>,
) -> Result<(StatusCode, Json<Value>)> {
    let item_id = acting_on(&state, &caller, &id)?;
    let now = Utc::now();
    let due = match (dto.due, dto.in_s) {
        (Some(d), None) => d,
        (None, Some(s)) if (0..=366 * 86_400).contains(&s) => now + Duration::seconds(s),
        (None, Some(_)) => return Err(Error::validation("in_s", "must be 0 to a year")),
        _ => return Err(Error::validation("due", "give either due or in_s")),
    };
    if due > now + Duration::days(366) {
        return Err(Error::validation("due", "must be within a year"));
    }
    let phone = match dto.phone {
        Some(p) => parse::phone("phone", &p)?,
        None => state
            .core
            .read(|s| match s.item(&item_id).map(|i| &i.details) {
                Some(Details::Call { caller_number, .. }) => Some(caller_number.clone()),
                Some(Details::Callback { phone, .. }) => Some(phone.clone()),
                _ => None,
            })
            .filter(|n| n != "withheld")
            .ok_or_else(|| Error::validation("phone", "the case has no number; give one"))?,
    };
    let reason = parse::text("reason", &dto.reason, 300)?;
    if is_contact_blocked(state.emergency.as_ref(), &phone).await? {
        return Err(Error::Conflict(
            "this number is marked 'do not call back / no SMS'; no follow-up call may be scheduled"
                .into(),
        ));
    }
    let record = FollowUpRecord {
        id: Uuid::now_v7(),
        item_id,
        phone,
        reason,
        due,
        created_by: caller.name.clone(),
        state: "scheduled".into(),
        callback_item: None,
    };
    state.emergency.put_follow_up(&record).await?;
    state
        .core
        .execute(
            &caller.name,
            Command::Record {
                item_id,
                record: CaseRecord::FollowUpScheduled {
                    follow_up_id: record.id,
                    due,
                    phone: record.phone.clone(),
                },
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!(record))))
}

/// `GET /api/v1/items/{id}/follow-ups`.
#[utoipa::path(
    get,
    path = "/api/v1/items/{id}/follow-ups",
    tag = "referrals",
    operation_id = "list_follow_ups",
    description = "A case's follow-ups (audited; 403 unless the caller sees the case in full). Roles: dispatcher, supervisor, admin, EMIU.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    responses(
        (status = 200, body = crate::web::schemas::emergency::FollowUpList),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<ItemId>,
) -> Result<Json<Value>> {
    caller.require(CASE_WORKERS)?;
    let (_, visibility) = lookup(&state, &caller, id)?;
    audit(
        state.store.as_ref(),
        &caller,
        "view_follow_ups",
        id,
        visibility,
    )
    .await?;
    if visibility != Visibility::Full {
        return Err(Error::Forbidden(
            "this case is not visible to your role".into(),
        ));
    }
    let follow_ups = state.emergency.follow_ups_for(id).await?;
    Ok(Json(json!({ "item_id": id, "follow_ups": follow_ups })))
}

/// Raises the callbacks of every follow-up due now. Idempotent across instances: the callback's
/// key is the follow-up's id.
pub async fn raise_due(state: &AppState) -> anyhow::Result<usize> {
    let due = state.emergency.due_follow_ups(Utc::now()).await?;
    let mut raised = 0;
    for f in due {
        if is_contact_blocked(state.emergency.as_ref(), &f.phone).await? {
            // Only the round (or instance) that moves it out of 'scheduled' writes the note.
            if !state
                .emergency
                .set_follow_up_state(f.id, "blocked", None)
                .await?
            {
                continue;
            }
            let _ = state
                .core
                .execute(
                    "system",
                    Command::AddNote {
                        item_id: f.item_id,
                        text: "Apel de urmărire anulat: numărul este marcat „nu sunați înapoi / fără SMS”."
                            .into(),
                    },
                )
                .await;
            continue;
        }
        let out = state
            .core
            .execute(
                "system",
                Command::Create {
                    details: Details::Callback {
                        phone: f.phone.clone(),
                        reason: "follow_up".into(),
                        related: Some(f.item_id),
                    },
                    key: Some(format!("follow-up:{}", f.id)),
                    rate_limited: false,
                },
            )
            .await?;
        if let Outcome::Item { item, .. } = out {
            state
                .emergency
                .set_follow_up_state(f.id, "raised", Some(item.id))
                .await?;
            raised += 1;
        }
    }
    Ok(raised)
}

/// Starts the task that raises due follow-ups until shutdown.
pub fn spawn_follow_ups(state: AppState) {
    let every = std::time::Duration::from_millis(state.config.referrals.follow_up_interval_ms);
    let shutdown = state.shutdown.child_token();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => match raise_due(&state).await {
                    Ok(0) => {}
                    Ok(n) => info!(raised = n, "follow-up callbacks raised"),
                    Err(e) => warn!(error = %e, "follow-ups could not be raised; will retry"),
                },
            }
        }
    });
}

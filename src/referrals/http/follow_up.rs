//! Scheduling and listing a case's follow-ups; the task that raises them, started with the
//! service's state.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::{acting_on, audited_read};
use crate::access::{Caller, Visibility};
use crate::core::state::StateView;
use crate::domain::parse;
use crate::domain::ItemId;
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::referrals::follow_up::{self, Handles};
use crate::referrals::rules::{case_number, follow_up_due, not_visible, CASE_WORKERS};
use crate::state::AppState;
use crate::store::emergency::FollowUpRecord;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::emergency::FollowUpList;

impl<'a> From<&'a AppState> for Handles<'a> {
    fn from(state: &'a AppState) -> Self {
        Handles {
            emergency: state.emergency.as_ref(),
            core: &state.core,
        }
    }
}

/// Starts the task that raises due follow-ups until shutdown.
pub(crate) fn spawn_follow_ups(state: AppState) {
    let every = std::time::Duration::from_millis(state.config.referrals.follow_up_interval_ms);
    follow_up::spawn(
        state.emergency.clone(),
        state.core.clone(),
        every,
        state.shutdown.child_token(),
    );
}

/// Starts the task that escalates referrals not acknowledged in time, until shutdown.
pub(crate) fn spawn_escalations(state: AppState) {
    let every = std::time::Duration::from_millis(state.config.referrals.ack_check_interval_ms);
    crate::referrals::escalation::spawn(
        state.emergency.clone(),
        state.core.clone(),
        every,
        state.shutdown.child_token(),
    );
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FollowUpDto {
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
pub(crate) async fn schedule(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<FollowUpDto>,
) -> Result<(StatusCode, Json<FollowUpRecord>)> {
    let item_id = acting_on(&state, &caller, &id)?;
    let due = follow_up_due(dto.due, dto.in_s, Utc::now())?;
    let phone = match dto.phone {
        Some(p) => parse::phone("phone", &p)?,
        None => state
            .core
            .read(|s| {
                s.item(&item_id)
                    .and_then(|i| case_number(&i.details))
                    .map(str::to_owned)
            })
            .filter(|n| n != "withheld")
            .ok_or_else(|| Error::validation("phone", "the case has no number; give one"))?,
    };
    let reason = parse::text("reason", &dto.reason, 300)?;
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
    follow_up::schedule(Handles::from(&state), &record).await?;
    Ok((StatusCode::CREATED, Json(record)))
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
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<ItemId>,
) -> Result<Json<FollowUpList>> {
    caller.require(CASE_WORKERS)?;
    let (_, visibility) = audited_read(&state, &caller, id, "view_follow_ups").await?;
    if visibility != Visibility::Full {
        return Err(not_visible());
    }
    let follow_ups = state.emergency.follow_ups_for(id).await?;
    Ok(Json(FollowUpList {
        item_id: id,
        follow_ups,
    }))
}

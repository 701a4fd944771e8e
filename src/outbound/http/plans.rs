//! Where outbound calls come from: a beneficiary's wellbeing-call schedule (dispatch and
//! supervisors), a call list another service asked for, a supervisor's campaign over the
//! registry (preview the count, start it once, follow its progress).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{at, audit_read, handles};
use crate::access::{Caller, Role, DISPATCH};
use crate::domain::parse;
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::outbound::rules::{self, Filter};
use crate::outbound::service::{self, Callee, Skipped};
use crate::state::AppState;
use crate::store::outbound::{CampaignRow, ListRow, ScheduleRow};
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};

/// Who may start campaigns.
const SUPERVISORS: &[Role] = &[Role::Supervisor, Role::Admin];

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

// ---- schedules ------------------------------------------------------------------------------

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScheduleDto {
    /// The beneficiary's device in the TeleAsistență registry.
    #[schema(example = "TA-DEMO-001")]
    device_id: String,
    /// Days of the week (`mon`..`sun`); or give `every_days`.
    #[serde(default)]
    #[schema(example = json!(["mon", "thu"]))]
    weekdays: Vec<String>,
    /// Every N days (1-90) instead of weekdays.
    #[serde(default)]
    every_days: Option<u32>,
    /// Local time (`outbound.zone`, Timișoara) `HH:MM`.
    #[schema(example = "10:00")]
    at: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    reason: String,
}

/// A wellbeing-call schedule.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ScheduleOut {
    pub id: String,
    pub device_id: String,
    pub weekdays: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub every_days: Option<i32>,
    pub at: String,
    pub reason: String,
    /// The next occurrence (a queue item is raised then).
    pub next_due: DateTime<Utc>,
    pub active: bool,
    pub created_by: String,
}

fn schedule_out(s: ScheduleRow) -> ScheduleOut {
    ScheduleOut {
        id: s.id,
        device_id: s.device_id,
        weekdays: s
            .weekdays
            .split(',')
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect(),
        every_days: s.every_days,
        at: s.at_time,
        reason: s.reason,
        next_due: at(s.next_due_ms),
        active: s.active,
        created_by: s.created_by,
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SchedulesOut {
    pub schedules: Vec<ScheduleOut>,
}

/// `GET /api/v1/outbound/schedules`.
#[utoipa::path(
    get,
    path = "/api/v1/outbound/schedules",
    tag = "outbound",
    description = "Every wellbeing-call schedule. Roles: dispatcher, supervisor, admin.",
    responses((status = 200, description = "The schedules", body = SchedulesOut), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn schedules(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<SchedulesOut>> {
    caller.require(DISPATCH)?;
    let rows = state.emergency.schedules().await?;
    Ok(Json(SchedulesOut {
        schedules: rows.into_iter().map(schedule_out).collect(),
    }))
}

/// `POST /api/v1/outbound/schedules`.
#[utoipa::path(
    post,
    path = "/api/v1/outbound/schedules",
    tag = "outbound",
    description = "Schedules wellbeing calls to a TeleAsistență beneficiary: on `weekdays` at `at` (Timișoara time), or every `every_days` days at `at`. When one falls due, a background task raises one queue item (a callback, reason `wellbeing`), once across instances. 409 `contact_blocked` for a safe-contact number. Roles: dispatcher, supervisor, admin.",
    request_body = ScheduleDto,
    responses(
        (status = 201, description = "The schedule", body = ScheduleOut),
        (status = 409, description = "`contact_blocked`", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn create_schedule(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<ScheduleDto>,
) -> Result<(StatusCode, Json<ScheduleOut>)> {
    caller.require(DISPATCH)?;
    let device_id = parse::text("device_id", dto.device_id.trim(), 100)?;
    if device_id.is_empty() {
        return Err(Error::validation("device_id", "required"));
    }
    let (weekdays, every_days) = match (dto.weekdays.is_empty(), dto.every_days) {
        (false, None) => {
            let days = rules::parse_weekdays(&dto.weekdays.join(","))
                .map_err(|m| Error::validation("weekdays", m))?;
            (rules::weekdays_text(&days), None)
        }
        (true, Some(n)) if (1..=90).contains(&n) => (String::new(), Some(n as i32)),
        (true, Some(_)) => return Err(Error::validation("every_days", "must be 1-90")),
        (true, None) => {
            return Err(Error::validation(
                "weekdays",
                "give the weekdays or every_days",
            ))
        }
        (false, Some(_)) => {
            return Err(Error::validation(
                "every_days",
                "give either weekdays or every_days",
            ))
        }
    };
    rules::parse_time(&dto.at).map_err(|m| Error::validation("at", m))?;
    let reason = parse::text("reason", dto.reason.trim(), 200)?;
    let row = ScheduleRow {
        id: new_id(),
        device_id,
        weekdays,
        every_days,
        at_time: dto.at.trim().to_owned(),
        reason: if reason.is_empty() {
            "Apel de bunăstare".into()
        } else {
            reason
        },
        next_due_ms: 0,
        active: true,
        created_by: caller.name.clone(),
        created_ms: Utc::now().timestamp_millis(),
    };
    let stored = service::create_schedule(handles(&state), row).await?;
    Ok((StatusCode::CREATED, Json(schedule_out(stored))))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StopDto {}

/// `POST /api/v1/outbound/schedules/{id}/stop`.
#[utoipa::path(
    post,
    path = "/api/v1/outbound/schedules/{id}/stop",
    tag = "outbound",
    description = "Stops a schedule: no further calls are raised. Roles: dispatcher, supervisor, admin.",
    params(("id" = String, Path, description = "The schedule id")),
    request_body = StopDto,
    responses(
        (status = 200, description = "The schedule", body = ScheduleOut),
        (status = 404, description = "No such schedule", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn stop_schedule(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(_): AppJson<StopDto>,
) -> Result<Json<ScheduleOut>> {
    caller.require(DISPATCH)?;
    parse::text("id", &id, 100)?;
    state.emergency.stop_schedule(&id).await?;
    let s = state
        .emergency
        .schedule(&id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("schedule {id}")))?;
    Ok(Json(schedule_out(s)))
}

// ---- call lists -----------------------------------------------------------------------------

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntryDto {
    /// A registered beneficiary; or give `phone` and `name`.
    #[serde(default)]
    device_id: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    name: Option<String>,
    /// When to call this one (default: the list's `due_at`).
    #[serde(default)]
    due_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListDto {
    /// The service asking (e.g. `Serviciul Persoane Vârstnice`).
    #[schema(max_length = 100)]
    service: String,
    #[schema(max_length = 200)]
    reason: String,
    /// When the calls are due (at most 30 days ahead).
    due_at: DateTime<Utc>,
    /// 1 to `outbound.max_batch` entries.
    entries: Vec<EntryDto>,
}

/// What a batch became: calls made, and entries skipped with why.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct BatchOut {
    pub id: String,
    pub calls: usize,
    /// Entries never to be dialled, with the reason (`contact_blocked`, `unknown_device`,
    /// `no_number`).
    pub skipped: Vec<Skipped>,
}

/// `POST /api/v1/outbound/lists`.
#[utoipa::path(
    post,
    path = "/api/v1/outbound/lists",
    tag = "outbound",
    description = "A call list another service asks for: beneficiaries (`device_id`) or numbers with names, a reason and a due time; each becomes an outbound call raised as a queue item (callback, reason `call_list`) when due. A safe-contact number, an unknown device or a number that is not one is skipped and listed with its reason (never dialled). Roles: dispatcher, supervisor, admin.",
    request_body = ListDto,
    responses(
        (status = 201, description = "The calls made and the entries skipped", body = BatchOut),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn create_list(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<ListDto>,
) -> Result<(StatusCode, Json<BatchOut>)> {
    caller.require(DISPATCH)?;
    let service_name = parse::text("service", dto.service.trim(), 100)?;
    if service_name.is_empty() {
        return Err(Error::validation("service", "required"));
    }
    let reason = parse::text("reason", dto.reason.trim(), 200)?;
    if reason.is_empty() {
        return Err(Error::validation("reason", "required"));
    }
    let now = Utc::now();
    let in_range = |t: DateTime<Utc>| t > now - Duration::days(1) && t < now + Duration::days(30);
    if !in_range(dto.due_at) {
        return Err(Error::validation(
            "due_at",
            "must be within the next 30 days",
        ));
    }
    if dto.entries.is_empty() || dto.entries.len() > state.config.outbound.max_batch {
        return Err(Error::validation(
            "entries",
            format!("1 to {} entries", state.config.outbound.max_batch),
        ));
    }
    let mut entries = Vec::with_capacity(dto.entries.len());
    for (i, e) in dto.entries.into_iter().enumerate() {
        let due = e.due_at.unwrap_or(dto.due_at);
        if !in_range(due) {
            return Err(Error::validation(
                format!("entries[{i}].due_at"),
                "must be within the next 30 days",
            ));
        }
        let callee = match (e.device_id, e.phone) {
            (Some(d), None) if !d.trim().is_empty() && d.len() <= 100 => {
                Callee::Device(d.trim().to_owned())
            }
            (None, Some(p)) => {
                let phone = parse::phone(&format!("entries[{i}].phone"), &p)?;
                let name = parse::text(
                    &format!("entries[{i}].name"),
                    e.name.as_deref().unwrap_or("").trim(),
                    200,
                )?;
                if name.is_empty() {
                    return Err(Error::validation(
                        format!("entries[{i}].name"),
                        "required with phone",
                    ));
                }
                Callee::Number { phone, name }
            }
            _ => {
                return Err(Error::validation(
                    format!("entries[{i}]"),
                    "give device_id, or phone and name",
                ))
            }
        };
        entries.push((callee, due.timestamp_millis()));
    }
    let list = ListRow {
        id: new_id(),
        requested_by: caller.name.clone(),
        service: service_name,
        reason,
        created_ms: now.timestamp_millis(),
    };
    let id = list.id.clone();
    let (calls, skipped) = service::create_list(handles(&state), list, entries).await?;
    Ok((StatusCode::CREATED, Json(BatchOut { id, calls, skipped })))
}

/// A call list and its progress.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ListOut {
    pub id: String,
    pub service: String,
    pub reason: String,
    pub requested_by: String,
    pub created_at: DateTime<Utc>,
    pub progress: Progress,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ListsOut {
    pub lists: Vec<ListOut>,
}

/// `GET /api/v1/outbound/lists`.
#[utoipa::path(
    get,
    path = "/api/v1/outbound/lists",
    tag = "outbound",
    description = "The latest call lists with their progress. Roles: dispatcher, supervisor, admin.",
    responses((status = 200, description = "The lists", body = ListsOut), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn lists(State(state): State<AppState>, caller: Caller) -> Result<Json<ListsOut>> {
    caller.require(DISPATCH)?;
    let mut out = Vec::new();
    for l in state.emergency.lists().await? {
        let progress = progress(&state, &l.id).await?;
        out.push(ListOut {
            id: l.id,
            service: l.service,
            reason: l.reason,
            requested_by: l.requested_by,
            created_at: at(l.created_ms),
            progress,
        });
    }
    Ok(Json(ListsOut { lists: out }))
}

// ---- campaigns ------------------------------------------------------------------------------

/// How far a campaign or list has got.
#[derive(Serialize, utoipa::ToSchema, Default)]
pub(crate) struct Progress {
    /// Beneficiaries selected (calls and skipped).
    pub total: i64,
    /// Still to call: planned or in the queue (retries included).
    pub pending: i64,
    /// Reached (`answered_ok`, `needs_follow_up`).
    pub done: i64,
    /// Not reached in the end: wrong number, refused, escalated after no answer.
    pub failed: i64,
    /// Never dialled (`contact_blocked`...).
    pub skipped: i64,
    /// Final outcomes and skip reasons, by code.
    pub by_outcome: BTreeMap<String, i64>,
}

async fn progress(state: &AppState, source_id: &str) -> Result<Progress> {
    let tally = state.emergency.tally(source_id).await?;
    let mut p = Progress::default();
    for (state_name, why, n) in tally.rows {
        match state_name.as_str() {
            "planned" | "raised" => p.pending += n,
            "retried" => continue, // a later try stands for it
            "skipped" => p.skipped += n,
            "done" if why == "answered_ok" || why == "needs_follow_up" => p.done += n,
            _ => p.failed += n,
        }
        p.total += n;
        if !why.is_empty() {
            *p.by_outcome.entry(why).or_default() += n;
        }
    }
    Ok(p)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FilterDto {
    /// Age reached this year, at least (0-120).
    #[serde(default)]
    min_age: Option<u32>,
    /// Only beneficiaries living alone (`true`) or not (`false`).
    #[serde(default)]
    lives_alone: Option<bool>,
}

impl FilterDto {
    fn parse(self) -> Result<Filter> {
        if self.min_age.is_some_and(|a| a > 120) {
            return Err(Error::validation("filter.min_age", "must be 0-120"));
        }
        Ok(Filter {
            min_age: self.min_age,
            lives_alone: self.lives_alone,
        })
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PreviewDto {
    filter: FilterDto,
}

/// How many a filter selects.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PreviewOut {
    pub selected: usize,
    /// Of those, safe-contact numbers: they will be skipped, never dialled.
    pub contact_blocked: usize,
}

/// `POST /api/v1/outbound/campaigns/preview`.
#[utoipa::path(
    post,
    path = "/api/v1/outbound/campaigns/preview",
    tag = "outbound",
    description = "Counts the beneficiaries a campaign filter selects (birth year, living alone) and how many of them are safe-contact numbers. Roles: supervisor, admin.",
    request_body = PreviewDto,
    responses((status = 200, description = "The counts", body = PreviewOut), BodyRefusals, Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<PreviewDto>,
) -> Result<Json<PreviewOut>> {
    caller.require(SUPERVISORS)?;
    let filter = dto.filter.parse()?;
    let (selected, contact_blocked) = service::preview(handles(&state), &filter).await?;
    Ok(Json(PreviewOut {
        selected,
        contact_blocked,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CampaignDto {
    #[schema(max_length = 100, example = "Caniculă iulie")]
    name: String,
    #[schema(max_length = 200)]
    reason: String,
    filter: FilterDto,
    /// The calls' due times are spread from here to `window_end` (at most 7 days long).
    window_start: DateTime<Utc>,
    window_end: DateTime<Utc>,
}

/// A campaign and its progress.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CampaignOut {
    pub id: String,
    pub name: String,
    pub reason: String,
    pub min_age: Option<u32>,
    pub lives_alone: Option<bool>,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    /// `draft` or `started`.
    pub state: String,
    pub created_by: String,
    pub started_at: Option<DateTime<Utc>>,
    pub progress: Progress,
}

async fn campaign_out(state: &AppState, c: CampaignRow) -> Result<CampaignOut> {
    let filter: Filter = serde_json::from_str(&c.filter).unwrap_or_default();
    let progress = progress(state, &c.id).await?;
    Ok(CampaignOut {
        id: c.id,
        name: c.name,
        reason: c.reason,
        min_age: filter.min_age,
        lives_alone: filter.lives_alone,
        window_start: at(c.window_start_ms),
        window_end: at(c.window_end_ms),
        state: c.state,
        created_by: c.created_by,
        started_at: c.started_ms.map(at),
        progress,
    })
}

/// `POST /api/v1/outbound/campaigns`.
#[utoipa::path(
    post,
    path = "/api/v1/outbound/campaigns",
    tag = "outbound",
    description = "Defines a campaign (a draft): a filter over the TeleAsistență registry and a window its calls are spread over. Start it with `.../start`. Roles: supervisor, admin.",
    request_body = CampaignDto,
    responses((status = 201, description = "The campaign", body = CampaignOut), BodyRefusals, Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn create_campaign(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<CampaignDto>,
) -> Result<(StatusCode, Json<CampaignOut>)> {
    caller.require(SUPERVISORS)?;
    let name = parse::text("name", dto.name.trim(), 100)?;
    if name.is_empty() {
        return Err(Error::validation("name", "required"));
    }
    let reason = parse::text("reason", dto.reason.trim(), 200)?;
    if reason.is_empty() {
        return Err(Error::validation("reason", "required"));
    }
    let filter = dto.filter.parse()?;
    let now = Utc::now();
    if dto.window_end <= dto.window_start {
        return Err(Error::validation(
            "window_end",
            "must be after window_start",
        ));
    }
    if dto.window_end - dto.window_start > Duration::days(7) {
        return Err(Error::validation(
            "window_end",
            "at most 7 days after window_start",
        ));
    }
    if dto.window_end <= now || dto.window_start > now + Duration::days(30) {
        return Err(Error::validation(
            "window_start",
            "the window must end in the future and start within 30 days",
        ));
    }
    let row = CampaignRow {
        id: new_id(),
        name,
        reason,
        filter: serde_json::to_string(&filter).map_err(|e| Error::Internal(e.into()))?,
        window_start_ms: dto.window_start.timestamp_millis(),
        window_end_ms: dto.window_end.timestamp_millis(),
        state: "draft".into(),
        created_by: caller.name.clone(),
        created_ms: now.timestamp_millis(),
        started_ms: None,
    };
    state.emergency.put_campaign(&row).await?;
    Ok((StatusCode::CREATED, Json(campaign_out(&state, row).await?)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CampaignsOut {
    pub campaigns: Vec<CampaignOut>,
}

/// `GET /api/v1/outbound/campaigns`.
#[utoipa::path(
    get,
    path = "/api/v1/outbound/campaigns",
    tag = "outbound",
    description = "Every campaign with its progress. Roles: dispatcher, supervisor, admin.",
    responses((status = 200, description = "The campaigns", body = CampaignsOut), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn campaigns(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<CampaignsOut>> {
    caller.require(DISPATCH)?;
    let mut out = Vec::new();
    for c in state.emergency.campaigns().await? {
        out.push(campaign_out(&state, c).await?);
    }
    Ok(Json(CampaignsOut { campaigns: out }))
}

/// `GET /api/v1/outbound/campaigns/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/outbound/campaigns/{id}",
    tag = "outbound",
    description = "One campaign and its progress (done / pending / failed, by outcome). Roles: dispatcher, supervisor, admin.",
    params(("id" = String, Path, description = "The campaign id")),
    responses(
        (status = 200, description = "The campaign", body = CampaignOut),
        (status = 404, description = "No such campaign", body = ErrorBody),
        (status = 422, description = "`id` is not a campaign id (control characters)", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn campaign(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<CampaignOut>> {
    caller.require(DISPATCH)?;
    parse::text("id", &id, 100)?;
    let c = state
        .emergency
        .campaign(&id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("campaign {id}")))?;
    Ok(Json(campaign_out(&state, c).await?))
}

/// `POST /api/v1/outbound/campaigns/{id}/start`.
#[utoipa::path(
    post,
    path = "/api/v1/outbound/campaigns/{id}/start",
    tag = "outbound",
    description = "Starts a draft campaign once: one outbound call per selected beneficiary, due times spread over the window (each raised as a queue item, callback reason `campaign`, when due); safe-contact numbers are skipped with the reason `contact_blocked`, never dialled. 409 `already_started`. Roles: supervisor, admin.",
    params(("id" = String, Path, description = "The campaign id")),
    request_body = StopDto,
    responses(
        (status = 200, description = "The calls made and the beneficiaries skipped", body = BatchOut),
        (status = 404, description = "No such campaign", body = ErrorBody),
        (status = 409, description = "`already_started`", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn start_campaign(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(_): AppJson<StopDto>,
) -> Result<Json<BatchOut>> {
    caller.require(SUPERVISORS)?;
    parse::text("id", &id, 100)?;
    let c = state
        .emergency
        .campaign(&id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("campaign {id}")))?;
    let (calls, skipped) = service::start_campaign(handles(&state), &c).await?;
    audit_read(&state, &caller, &format!("start_campaign:{id}")).await?;
    Ok(Json(BatchOut { id, calls, skipped }))
}

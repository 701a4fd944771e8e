//! The EMIU procedure on a case: the police's request and the clock to arrival, the team on
//! scene, the evicted aggressor's accommodation, protection orders and legal steps, hazards at
//! the address, the children present, and the team closing its case. Each is an entry of the
//! case file (a `case_recorded` event, redacted like the others), under the same access decision
//! as every other act on a case (`acting_on`: the dispatcher handling it, EMIU, supervisors).

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;

use crate::access::Caller;
use crate::domain::{parse, CaseRecord};
use crate::emiu::procedure::{self, Order};
use crate::emiu::rules;
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::events::Event;
use crate::referrals::case_file;
use crate::referrals::http::acting_on;
use crate::state::AppState;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::emiu::HazardAnswer;
use crate::web::view::{answer, lookup, ActionJson};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PoliceRequestDto {
    /// When the police gave notice (RFC 3339; default now). At most 24 hours back, never ahead.
    #[serde(default)]
    pub notified_at: Option<DateTime<Utc>>,
    /// The provisional protection order's number, when the police gave it.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub opp_number: String,
    /// The police ask for the evicted aggressor to be accommodated.
    #[serde(default)]
    pub accommodation_requested: bool,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

/// `POST /api/v1/emiu/cases/{id}/police-request`: starts the clock to arrival.
#[utoipa::path(
    post,
    path = "/api/v1/emiu/cases/{id}/police-request",
    tag = "emiu",
    operation_id = "post_emiu_police_request",
    description = "Records the police's request for the team (a provisional protection order evicted the aggressor) and starts the clock to arrival: the team is due on scene `emiu.police_request_arrival_minutes` after the notice (`item.arrival.due`). Until the team records `on-scene`, a missed deadline is an `arrival_breached` event pushed to dispatch and supervisors. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = PoliceRequestDto,
    responses(
        (status = 200, description = "The item with its arrival clock", body = crate::domain::Item),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn police_request(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<PoliceRequestDto>,
) -> Result<ActionJson> {
    let item_id = acting_on(&state, &caller, &id)?;
    let now = Utc::now();
    let notified_at = dto.notified_at.unwrap_or(now);
    if notified_at > now + Duration::minutes(1) || notified_at < now - Duration::hours(24) {
        return Err(Error::validation(
            "notified_at",
            "must be within the last 24 hours, not ahead",
        ));
    }
    let opp_number = parse::text("opp_number", &dto.opp_number, 64)?;
    let note = parse::text("note", &dto.note, 2000)?;
    let record = CaseRecord::PoliceRequest {
        notified_at,
        arrive_by: notified_at + state.config.emiu.arrival_window(),
        opp_number,
        accommodation_requested: dto.accommodation_requested,
        note,
    };
    let out = case_file::record(&state.core, &caller.name, item_id, record).await?;
    answer(&state, &caller, "emiu_police_request", out).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OnSceneDto {}

/// `POST /api/v1/emiu/cases/{id}/on-scene`: the team is there; the arrival clock stops.
#[utoipa::path(
    post,
    path = "/api/v1/emiu/cases/{id}/on-scene",
    tag = "emiu",
    operation_id = "post_emiu_on_scene",
    description = "Records that the team is on scene now: the clock to arrival stops (`item.arrival.arrived`). 409 `already_on_scene` the second time. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = OnSceneDto,
    responses(
        (status = 200, description = "The item after arrival", body = crate::domain::Item),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "Already on scene, or the item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn on_scene(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(_): AppJson<OnSceneDto>,
) -> Result<ActionJson> {
    let item_id = acting_on(&state, &caller, &id)?;
    let record = CaseRecord::OnScene { at: Utc::now() };
    let out = case_file::record(&state.core, &caller.name, item_id, record).await?;
    answer(&state, &caller, "emiu_on_scene", out).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccommodationDto {
    /// Where the aggressor was accommodated.
    #[schema(min_length = 1, max_length = 300)]
    pub place: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

/// `POST /api/v1/emiu/cases/{id}/aggressor-accommodation`: where the evicted aggressor went.
#[utoipa::path(
    post,
    path = "/api/v1/emiu/cases/{id}/aggressor-accommodation",
    tag = "emiu",
    operation_id = "post_emiu_aggressor_accommodation",
    description = "Records where the evicted aggressor was accommodated, when the police's request asked for it (409 `accommodation_not_requested` otherwise). Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = AccommodationDto,
    responses(
        (status = 200, description = "The item after the record", body = crate::domain::Item),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "Not asked by the police, or the item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn accommodation(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<AccommodationDto>,
) -> Result<ActionJson> {
    let item_id = acting_on(&state, &caller, &id)?;
    let place = parse::text("place", &dto.place, 300)?;
    if place.is_empty() {
        return Err(Error::validation("place", "must not be empty"));
    }
    let note = parse::text("note", &dto.note, 2000)?;
    let asked = state.store.item_events(item_id).await?.iter().any(|e| {
        matches!(
            &e.event,
            Event::CaseRecorded {
                record: CaseRecord::PoliceRequest {
                    accommodation_requested: true,
                    ..
                },
                ..
            }
        )
    });
    if !asked {
        return Err(Error::conflict_because(
            "accommodation_not_requested",
            "the police did not ask for the aggressor's accommodation on this case",
        ));
    }
    let record = CaseRecord::AggressorAccommodated { place, note };
    let out = case_file::record(&state.core, &caller.name, item_id, record).await?;
    answer(&state, &caller, "emiu_accommodation", out).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrderDto {
    #[schema(schema_with = crate::web::schemas::emiu::orders)]
    pub order: String,
    #[schema(min_length = 1, max_length = 64)]
    pub number: String,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    /// The people the order protects (names; at most 10).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub people_covered: Vec<String>,
    /// How many of them are minors.
    #[serde(default)]
    #[schema(maximum = 20)]
    pub minors: u32,
}

/// `POST /api/v1/emiu/cases/{id}/protection-orders`: an OPP or OP, with its expiry reminder.
#[utoipa::path(
    post,
    path = "/api/v1/emiu/cases/{id}/protection-orders",
    tag = "emiu",
    operation_id = "post_emiu_protection_order",
    description = "Records a protection order (`opp`: provisional, by the police; `op`: by the court) with its number, dates, the people it covers and how many are minors. `emiu.order_reminder_days` before it expires a reminder item (an incident related to the case, as protected as the case) is put in the queue. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = OrderDto,
    responses(
        (status = 200, description = "The item after the record", body = crate::domain::Item),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn protection_order(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<OrderDto>,
) -> Result<ActionJson> {
    let item_id = acting_on(&state, &caller, &id)?;
    rules::one_of("order", &dto.order, rules::ORDERS)?;
    let number = parse::text("number", &dto.number, 64)?;
    if number.is_empty() {
        return Err(Error::validation("number", "must not be empty"));
    }
    if dto.people_covered.len() > 10 {
        return Err(Error::validation("people_covered", "at most 10 people"));
    }
    let mut people = Vec::with_capacity(dto.people_covered.len());
    for p in &dto.people_covered {
        let p = parse::text("people_covered", p, 200)?;
        if p.is_empty() {
            return Err(Error::validation(
                "people_covered",
                "a name must not be empty",
            ));
        }
        people.push(p);
    }
    if dto.minors > 20 || dto.minors as usize > people.len().max(20) {
        return Err(Error::validation("minors", "must be 0-20"));
    }
    let order = Order {
        order: dto.order,
        number,
        issued_on: dto.issued_on,
        expires_on: dto.expires_on,
        people_covered: people,
        minors: dto.minors,
    };
    let out = procedure::record_order(
        state.emergency.as_ref(),
        &state.core,
        &caller.name,
        item_id,
        order,
        state.config.emiu.order_reminder_days,
    )
    .await?;
    answer(&state, &caller, "emiu_protection_order", out).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LegalStepDto {
    #[schema(schema_with = crate::web::schemas::emiu::legal_steps)]
    pub step: String,
    pub date: NaiveDate,
    /// The file or registration number.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub reference: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

/// `POST /api/v1/emiu/cases/{id}/legal-steps`.
#[utoipa::path(
    post,
    path = "/api/v1/emiu/cases/{id}/legal-steps",
    tag = "emiu",
    operation_id = "post_emiu_legal_step",
    description = "Records a legal step: `criminal_complaint`, `forensic_certificate` (certificat medico-legal), `prosecutor_notice`, `court_notice`, with its date and reference. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = LegalStepDto,
    responses(
        (status = 200, description = "The item after the record", body = crate::domain::Item),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn legal_step(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<LegalStepDto>,
) -> Result<ActionJson> {
    let item_id = acting_on(&state, &caller, &id)?;
    rules::one_of("step", &dto.step, rules::LEGAL_STEPS)?;
    let record = CaseRecord::LegalStep {
        step: dto.step,
        date: dto.date,
        reference: parse::text("reference", &dto.reference, 100)?,
        note: parse::text("note", &dto.note, 2000)?,
    };
    let out = case_file::record(&state.core, &caller.name, item_id, record).await?;
    answer(&state, &caller, "emiu_legal_step", out).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HazardDto {
    #[schema(schema_with = crate::web::schemas::emiu::hazards)]
    pub hazard: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

/// `POST /api/v1/emiu/cases/{id}/hazards`: a hazard at the case's address.
#[utoipa::path(
    post,
    path = "/api/v1/emiu/cases/{id}/hazards",
    tag = "emiu",
    operation_id = "post_emiu_hazard",
    description = "Notes a hazard at the case's address (`dog`, `weapons`, `aggressive_relative`, `drugs`, `infection`, `other`). It is kept by address and position, and shown on the case page of any case at that address (or within 40 m), to any team sent there later. 422 `hazard` when the case has no address or position. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = HazardDto,
    responses(
        (status = 200, body = crate::web::schemas::emiu::HazardAnswer),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn hazard(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<HazardDto>,
) -> Result<Json<HazardAnswer>> {
    let item_id = acting_on(&state, &caller, &id)?;
    rules::one_of("hazard", &dto.hazard, rules::HAZARDS)?;
    let note = parse::text("note", &dto.note, 500)?;
    let (item, _) = lookup(&state, &caller, item_id)?;
    if item.status == crate::domain::Status::Closed {
        return Err(Error::conflict_because(
            "closed",
            format!("item {item_id} is closed"),
        ));
    }
    let hazard = procedure::note_hazard(
        state.emergency.as_ref(),
        &state.core,
        &caller.name,
        &item,
        dto.hazard,
        note,
    )
    .await?;
    Ok(Json(HazardAnswer { item_id, hazard }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChildrenDto {
    #[schema(maximum = 30)]
    pub count: u32,
}

/// `POST /api/v1/emiu/cases/{id}/children`: how many children are present.
#[utoipa::path(
    post,
    path = "/api/v1/emiu/cases/{id}/children",
    tag = "emiu",
    operation_id = "post_emiu_children",
    description = "Records how many children are present (0-30). A shelter placement then takes adults + children places unless it says otherwise. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = ChildrenDto,
    responses(
        (status = 200, description = "The item after the record", body = crate::domain::Item),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn children(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<ChildrenDto>,
) -> Result<ActionJson> {
    let item_id = acting_on(&state, &caller, &id)?;
    if dto.count > 30 {
        return Err(Error::validation("count", "must be 0-30"));
    }
    let record = CaseRecord::ChildrenPresent { count: dto.count };
    let out = case_file::record(&state.core, &caller.name, item_id, record).await?;
    answer(&state, &caller, "emiu_children", out).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CloseDto {
    #[schema(schema_with = crate::web::schemas::emiu::outcomes)]
    pub outcome: String,
    /// The intervention report, recorded before the case is closed.
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub report: String,
}

/// `POST /api/v1/emiu/cases/{id}/close`: the team closes its own case.
#[utoipa::path(
    post,
    path = "/api/v1/emiu/cases/{id}/close",
    tag = "emiu",
    operation_id = "post_emiu_close",
    description = "The EMIU team closes its case with one of its outcomes (`victim_placed`, `safety_plan`, `referred_services`, `police_took_over`, `medical_care`, `victim_declined`, `not_found`, `other`), the report first when given; the team is released. Only a domestic-violence case. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = CloseDto,
    responses(
        (status = 200, description = "The closed item", body = crate::domain::Item),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is closed already, or not yet acknowledged", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn close(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<CloseDto>,
) -> Result<ActionJson> {
    let item_id = acting_on(&state, &caller, &id)?;
    let report = parse::text("report", &dto.report, 20_000)?;
    let (item, _) = lookup(&state, &caller, item_id)?;
    if item.dv_case.is_none() {
        return Err(Error::validation(
            "outcome",
            "the EMIU team closes only a domestic-violence case",
        ));
    }
    if item.status == crate::domain::Status::Closed {
        return Err(Error::conflict_because(
            "closed",
            format!("item {item_id} is closed"),
        ));
    }
    let out =
        procedure::close_case(&state.core, &caller.name, item_id, dto.outcome, report).await?;
    answer(&state, &caller, "emiu_close", out).await
}

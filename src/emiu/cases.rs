//! A case as the EMIU team works it: what happened, where, how to get there, and what the team
//! records — the risk assessment, the measures taken and the intervention report. Everything
//! recorded is an entry of the item's case file (a `case_recorded` event).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::risk;
use crate::access::Caller;
use crate::access::{self, Visibility};
use crate::core::state::StateView;
use crate::core::Command;
use crate::domain::parse;
use crate::domain::ItemId;
use crate::domain::{CaseRecord, Details, Item, ResourceId, ResourceKind};
use crate::error::{Error, Result};
use crate::events::Event;
use crate::referrals::referral::{acting_on, CASE_WORKERS};
use crate::state::AppState;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, ErrorBody, Refusals};
use crate::web::view::{audit, lookup, STAFF};
use routing::network::{ProfileId, ATTRIBUTION};
use routing::travel::LonLat;

/// `GET /api/v1/emiu/roster`: the teams, their status, position and current case.
#[utoipa::path(
    get,
    path = "/api/v1/emiu/roster",
    tag = "emiu",
    operation_id = "get_emiu_roster",
    description = "The EMIU teams: status, position and current case. Roles: dispatcher, supervisor, admin, EMIU; an EMIU member sees the position and current case of their own team only.",
    responses(
        (status = 200, body = crate::web::schemas::emergency::Roster),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn roster(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>> {
    caller.require(CASE_WORKERS)?;
    let teams: Vec<Value> = state.core.read(|s| {
        s.resources()
            .filter(|r| r.kind == ResourceKind::EmiuTeam)
            .filter_map(|r| access::resource_view(&caller, r))
            .map(|r| json!(r))
            .collect()
    });
    Ok(Json(json!({ "teams": teams })))
}

/// `GET /api/v1/emiu/risk-form`: the items, their weights and the level bands.
#[utoipa::path(
    get,
    path = "/api/v1/emiu/risk-form",
    tag = "emiu",
    operation_id = "get_emiu_risk_form",
    description = "The risk-assessment form: its questions, their weights and the level bands. Roles: dispatcher, supervisor, admin, EMIU.",
    responses(
        (status = 200, body = crate::web::schemas::emergency::RiskForm),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn risk_form(caller: Caller) -> Result<Json<Value>> {
    caller.require(CASE_WORKERS)?;
    Ok(Json(json!({
        "items": risk::ITEMS,
        "medium_from": risk::MEDIUM_FROM,
        "high_from": risk::HIGH_FROM,
    })))
}

/// Where the team goes: the call's location, or the home of the alarm's beneficiary.
async fn destination(state: &AppState, item: &Item) -> Result<Option<LonLat>> {
    Ok(match &item.details {
        Details::Call { location, .. } => location.as_ref().and_then(|l| l.position),
        Details::Alert { device_id, .. } => state
            .emergency
            .device(device_id)
            .await?
            .and_then(|d| d.lon.zip(d.lat))
            .map(|(lon, lat)| LonLat::new(lon, lat)),
        _ => None,
    })
}

/// The team the route starts from: the caller's own, else the first EMIU team on the case.
fn team_position(state: &AppState, caller: &Caller, item: &Item) -> Option<(String, LonLat)> {
    state.core.read(|s| {
        let own = caller.resource.as_ref().map(|r| ResourceId(r.clone()));
        own.iter()
            .chain(item.assigned_to.iter())
            .filter_map(|id| s.resource(id))
            .find(|r| r.kind == ResourceKind::EmiuTeam)
            .and_then(|r| r.position.map(|p| (r.id.0.clone(), p)))
    })
}

/// `GET /api/v1/emiu/cases/{id}`: the case, its file, the route from the team, and shelters.
/// Refused (403, and audited as refused) to anyone who may not see the victim's details.
#[utoipa::path(
    get,
    path = "/api/v1/emiu/cases/{id}",
    tag = "emiu",
    operation_id = "get_emiu_case",
    description = "A case: the item, its case file (redacted unless the caller sees it in full), the route from the EMIU team and the shelters' free places. The read is audited, refused ones too. Roles: dispatcher, supervisor, admin, driver, EMIU; 403 for anyone who may not see the case.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    responses(
        (status = 200, body = crate::web::schemas::emergency::EmiuCase),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn view(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<ItemId>,
) -> Result<Json<Value>> {
    caller.require(STAFF)?;
    let (item, visibility) = lookup(&state, &caller, id)?;
    audit(
        state.store.as_ref(),
        &caller,
        "view_emiu_case",
        id,
        visibility,
    )
    .await?;
    if visibility == Visibility::Hidden {
        return Err(Error::Forbidden(
            "this case is not visible to your role".into(),
        ));
    }
    let shown = access::view(&caller, &item)
        .map(|c| c.into_owned())
        .ok_or_else(|| Error::Forbidden("this case is not visible to your role".into()))?;
    let file: Vec<Value> = state
        .store
        .item_events(id)
        .await?
        .into_iter()
        .filter_map(|e| match e.event {
            Event::CaseRecorded { record, .. } => {
                let record = if visibility == Visibility::Full {
                    record
                } else {
                    record.redacted()
                };
                Some(json!({ "seq": e.seq, "at": e.at, "actor": e.actor, "record": record }))
            }
            _ => None,
        })
        .collect();
    let mut route = Value::Null;
    if visibility == Visibility::Full {
        let to = destination(&state, &item).await?;
        let from = team_position(&state, &caller, &item);
        route = match (from, to, state.network.get().cloned()) {
            (Some((team, from)), Some(to), Some(net)) => {
                let now = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Bucharest);
                let second = chrono::Timelike::num_seconds_from_midnight(&now);
                match net.route(ProfileId::EmiuCar, from, to, second) {
                    Some(r) => json!({
                        "from_team": team,
                        "from": from,
                        "to": to,
                        "duration_s": r.duration_s,
                        "distance_m": r.distance_m,
                        "geometry": r.geometry,
                        "streets": r.streets,
                        "attribution": ATTRIBUTION,
                    }),
                    None => json!({ "unavailable": "no route between the team and the address" }),
                }
            }
            (_, None, _) => json!({ "unavailable": "the case has no position" }),
            (None, _, _) => json!({ "unavailable": "no EMIU team position" }),
            (_, _, None) => json!({ "unavailable": "the road network is still loading" }),
        };
    }
    let shelters = state.emergency.shelters().await?;
    Ok(Json(json!({
        "item": shown,
        "case_file": file,
        "route": route,
        "shelters": shelters,
    })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskDto {
    /// Ids of the items answered yes (see `GET /api/v1/emiu/risk-form`).
    #[schema(schema_with = crate::web::schemas::emergency::risk_answers)]
    pub yes: Vec<String>,
}

/// `POST /api/v1/emiu/cases/{id}/risk {yes: [...]}`: scores the form and records it.
#[utoipa::path(
    post,
    path = "/api/v1/emiu/cases/{id}/risk",
    tag = "emiu",
    operation_id = "post_emiu_risk",
    description = "Scores the risk form (`yes`: the ids of the questions answered yes) and records the assessment in the case file. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full (the dispatcher handling it, EMIU, supervisors).",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = RiskDto,
    responses(
        (status = 200, body = crate::web::schemas::emergency::RiskAnswer),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn risk(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<RiskDto>,
) -> Result<Json<Value>> {
    let item_id = acting_on(&state, &caller, &id)?;
    if dto.yes.len() > risk::ITEMS.len() * 2 {
        return Err(Error::validation("yes", "too many answers"));
    }
    let (yes, score, level) = risk::assess(&dto.yes).map_err(|m| Error::validation("yes", m))?;
    let record = CaseRecord::RiskAssessed {
        yes,
        score,
        level: level.into(),
    };
    state
        .core
        .execute(
            &caller.name,
            Command::Record {
                item_id,
                record: record.clone(),
            },
        )
        .await?;
    Ok(Json(json!({ "item_id": item_id, "assessment": record })))
}

/// The measures a team records.
pub const MEASURES: &[&str] = &[
    "hospital_transport",
    "called_112",
    "police_notified",
    "shelter_placement",
];

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureDto {
    #[schema(schema_with = crate::web::schemas::emergency::measures)]
    pub measure: String,
    /// Required for, and only for, `shelter_placement`.
    #[serde(default)]
    pub shelter_id: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/emiu/cases/{id}/measures {measure, shelter_id?, note?}`. A shelter placement
/// takes one of the shelter's free places (409 when it has none).
#[utoipa::path(
    post,
    path = "/api/v1/emiu/cases/{id}/measures",
    tag = "emiu",
    operation_id = "post_emiu_measure",
    description = "Records a measure (`hospital_transport`, `called_112`, `police_notified`, `shelter_placement`). A placement takes one of the shelter's free places, given back if the record fails. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full (the dispatcher handling it, EMIU, supervisors).",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = MeasureDto,
    responses(
        (status = 200, body = crate::web::schemas::emergency::MeasureAnswer),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The shelter has no free place, or the item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn measure(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<MeasureDto>,
) -> Result<Json<Value>> {
    let item_id = acting_on(&state, &caller, &id)?;
    if !MEASURES.contains(&dto.measure.as_str()) {
        return Err(Error::validation(
            "measure",
            format!("unknown measure; expected one of: {}", MEASURES.join(", ")),
        ));
    }
    let note = parse::text("note", &dto.note, 2000)?;
    let mut shelter = None;
    if dto.measure == "shelter_placement" {
        let sid = dto
            .shelter_id
            .as_deref()
            .ok_or_else(|| Error::validation("shelter_id", "a placement needs a shelter"))?;
        let sid = parse::identifier("shelter_id", sid, 64)?;
        let known = state.emergency.shelters().await?;
        if !known.iter().any(|s| s.id == sid) {
            return Err(Error::validation("shelter_id", "unknown shelter"));
        }
        let taken = state
            .emergency
            .take_shelter_place(&sid)
            .await?
            .ok_or_else(|| Error::Conflict(format!("shelter {sid} has no free place")))?;
        shelter = Some(taken);
    } else if dto.shelter_id.is_some() {
        return Err(Error::validation(
            "shelter_id",
            "only a shelter placement names a shelter",
        ));
    }
    let record = CaseRecord::Measure {
        measure: dto.measure,
        shelter_id: shelter.as_ref().map(|s| s.id.clone()),
        note,
    };
    let done = state
        .core
        .execute(&caller.name, Command::Record { item_id, record })
        .await;
    if let Err(e) = done {
        // The placement was not recorded: give the place back.
        if let Some(s) = &shelter {
            state.emergency.release_shelter_place(&s.id).await?;
        }
        return Err(e.into());
    }
    Ok(Json(json!({ "item_id": item_id, "shelter": shelter })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportDto {
    #[schema(min_length = 1, max_length = 20000)]
    pub text: String,
}

/// `POST /api/v1/emiu/cases/{id}/report {text}`: the intervention report.
#[utoipa::path(
    post,
    path = "/api/v1/emiu/cases/{id}/report",
    tag = "emiu",
    operation_id = "post_emiu_report",
    description = "Records the intervention report. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full (the dispatcher handling it, EMIU, supervisors).",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = ReportDto,
    responses(
        (status = 200, description = "The item after the report", body = crate::domain::Item),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<ReportDto>,
) -> Result<crate::web::view::ActionJson> {
    let item_id = acting_on(&state, &caller, &id)?;
    let text = parse::text("text", &dto.text, 20_000)?;
    if text.is_empty() {
        return Err(Error::validation("text", "must not be empty"));
    }
    let out = state
        .core
        .execute(
            &caller.name,
            Command::Record {
                item_id,
                record: CaseRecord::Report { text },
            },
        )
        .await?;
    crate::web::view::answer(&state, &caller, "emiu_report", out).await
}

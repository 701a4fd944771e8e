//! Admissions and discharges: `/api/v1/beds/facilities/{id}/admissions`,
//! `/api/v1/beds/admissions/{id}/discharge`, `/api/v1/beds/overstays`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;

use super::{audit, cold_on};
use crate::access::Caller;
use crate::beds::registry::{self, Admission};
use crate::beds::rules::{self, READERS};
use crate::error::{Error, ErrorBody, Result};
use crate::state::AppState;
use crate::store::beds::FacilityRecord;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::beds::{AdmissionAnswer, AdmissionList, AdmissionOut};
use crate::web::schemas::common::{BodyRefusals, Refusals};

/// An admission as sent.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AdmitDto {
    /// Initials or a pseudonym (never a full name or a personal number).
    #[schema(min_length = 1, max_length = 24)]
    pub person: String,
    /// The queue item it is about, if any.
    #[serde(default)]
    pub item_id: Option<String>,
    /// Adults admitted (default 1; 0 for children alone).
    #[serde(default = "one")]
    #[schema(minimum = 0, maximum = 20)]
    pub adults: i64,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 30)]
    pub children: i64,
}

fn one() -> i64 {
    1
}

/// The facility, if the caller may admit to it or discharge from it (404 unknown, 403 a DV
/// shelter for someone who may not know where it is).
async fn admitting_to(state: &AppState, caller: &Caller, id: &str) -> Result<FacilityRecord> {
    caller.require(READERS)?;
    let f = state
        .emergency
        .facility(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no facility {id}")))?;
    if !rules::may_admit(caller.role, &f.kind) {
        return Err(Error::Forbidden(
            "only EMIU or a supervisor place people in a DV shelter".into(),
        ));
    }
    Ok(f)
}

/// `POST /api/v1/beds/facilities/{id}/admissions`.
#[utoipa::path(
    post,
    path = "/api/v1/beds/facilities/{id}/admissions",
    tag = "beds",
    operation_id = "admit_to_bed_facility",
    description = "Admits a person (initials or pseudonym; optional item link) with the children with them: adults against adult places (the cold-weather extra of a night shelter included while the mode is on), children against child places, counted in the admitting transaction, so the last place is never given twice (409 `no_free_place`). Expected leave = now + the stay limit. Audited. Roles: dispatcher, supervisor, admin, EMIU; a DV shelter: EMIU and supervisors only.",
    params(("id" = String, Path, description = "The facility's id")),
    request_body = AdmitDto,
    responses(
        (status = 201, body = AdmissionAnswer),
        (status = 404, description = "No such facility", body = ErrorBody),
        (status = 409, description = "Fewer free places than asked for", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn admit(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<AdmitDto>,
) -> Result<(StatusCode, Json<AdmissionAnswer>)> {
    let f = admitting_to(&state, &caller, &id).await?;
    let person = rules::person(&dto.person)?;
    let adults = rules::count("adults", dto.adults, 0, 20)?;
    let children = rules::count("children", dto.children, 0, 30)?;
    if adults + children == 0 {
        return Err(Error::validation(
            "adults",
            "at least one person is admitted",
        ));
    }
    let item_id = dto
        .item_id
        .as_deref()
        .map(|raw| {
            crate::web::view::item_id(raw)
                .map_err(|_| Error::validation("item_id", "must be an item id (UUID)"))
        })
        .transpose()?;
    if let Some(item) = item_id {
        if state
            .core
            .read(|s| crate::core::state::StateView::item(s, &item).is_none())
        {
            return Err(Error::validation("item_id", "unknown item"));
        }
    }
    audit(&state, &caller, "beds_admit", item_id).await?;
    let cold = cold_on(&state).await?;
    let (a, _) = registry::admit(
        state.emergency.as_ref(),
        cold,
        &caller.name,
        Admission {
            facility_id: f.id.clone(),
            person,
            item_id,
            adults,
            children,
            held: false,
        },
    )
    .await?;
    let facility = super::registry::facility_out(&state, &caller, &f.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(AdmissionAnswer {
            admission: AdmissionOut::shown(&a, &f.kind, caller.role, Utc::now()),
            facility,
        }),
    ))
}

/// `POST /api/v1/beds/admissions/{id}/discharge`.
#[utoipa::path(
    post,
    path = "/api/v1/beds/admissions/{id}/discharge",
    tag = "beds",
    operation_id = "discharge_from_bed_facility",
    description = "Discharges an admission: its places are free at once. A second discharge answers the first one unchanged (200). Audited. Roles: dispatcher, supervisor, admin, EMIU; a DV shelter: EMIU and supervisors only.",
    params(("id" = uuid::Uuid, Path, description = "The admission's id")),
    responses(
        (status = 200, body = AdmissionAnswer),
        (status = 404, description = "No such admission", body = ErrorBody),
        (status = 422, description = "`id` is not an admission id (UUID)", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn discharge(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<AdmissionAnswer>> {
    let (id, existing, f) = admission_of(&state, &caller, &id).await?;
    audit(&state, &caller, "beds_discharge", existing.item_id).await?;
    let a = registry::discharge(state.emergency.as_ref(), &caller.name, id).await?;
    let facility = super::registry::facility_out(&state, &caller, &f.id).await?;
    Ok(Json(AdmissionAnswer {
        admission: AdmissionOut::shown(&a, &f.kind, caller.role, Utc::now()),
        facility,
    }))
}

/// The admission a discharge or an arrival names, and its facility, once the caller may admit
/// there (422 for an id that is not a UUID, 404 for an unknown one).
async fn admission_of(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(
    uuid::Uuid,
    crate::store::beds::AdmissionRecord,
    FacilityRecord,
)> {
    caller.require(READERS)?;
    let id = uuid::Uuid::parse_str(id)
        .map_err(|_| Error::validation("id", "must be an admission id (UUID)"))?;
    let existing = state
        .emergency
        .admission(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no admission {id}")))?;
    let f = admitting_to(state, caller, &existing.facility_id).await?;
    Ok((id, existing, f))
}

/// `POST /api/v1/beds/admissions/{id}/arrived`.
#[utoipa::path(
    post,
    path = "/api/v1/beds/admissions/{id}/arrived",
    tag = "beds",
    operation_id = "record_bed_arrival",
    description = "Records that the person of a bed held for an outreach item is in (the street team brought them): the admission goes from `held` to `admitted`. Recording it again answers the admission unchanged (200); a bed already given back is a 409 `released`. Audited. Roles: dispatcher, supervisor, admin, EMIU; a DV shelter: EMIU and supervisors only.",
    params(("id" = uuid::Uuid, Path, description = "The admission's id")),
    responses(
        (status = 200, body = AdmissionAnswer),
        (status = 404, description = "No such admission", body = ErrorBody),
        (status = 409, description = "The bed was given back before the person arrived", body = ErrorBody),
        (status = 422, description = "`id` is not an admission id (UUID)", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn arrived(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<AdmissionAnswer>> {
    let (id, existing, f) = admission_of(&state, &caller, &id).await?;
    audit(&state, &caller, "beds_arrived", existing.item_id).await?;
    let a = registry::arrive(state.emergency.as_ref(), &caller.name, id).await?;
    let facility = super::registry::facility_out(&state, &caller, &f.id).await?;
    Ok(Json(AdmissionAnswer {
        admission: AdmissionOut::shown(&a, &f.kind, caller.role, Utc::now()),
        facility,
    }))
}

/// `GET /api/v1/beds/facilities/{id}/admissions`.
#[utoipa::path(
    get,
    path = "/api/v1/beds/facilities/{id}/admissions",
    tag = "beds",
    operation_id = "list_bed_admissions",
    description = "A facility's open admissions, oldest first, with `overstay` for those past their expected leave. In a DV shelter the person and item are `***`/absent unless the caller is EMIU or a supervisor (then the read is audited). Roles: dispatcher, supervisor, admin, EMIU.",
    params(("id" = String, Path, description = "The facility's id")),
    responses(
        (status = 200, body = AdmissionList),
        (status = 404, description = "No such facility", body = ErrorBody),
        (status = 422, description = "`id` contains control characters", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<AdmissionList>> {
    caller.require(READERS)?;
    let f = state
        .emergency
        .facility(&id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no facility {id}")))?;
    if f.kind == "dv_shelter" && rules::may_see_address(caller.role, &f.kind) {
        audit(&state, &caller, "view_dv_shelter_admissions", None).await?;
    }
    let now = Utc::now();
    let admissions = state.emergency.open_admissions(Some(&id)).await?;
    Ok(Json(AdmissionList {
        admissions: admissions
            .iter()
            .map(|a| AdmissionOut::shown(a, &f.kind, caller.role, now))
            .collect(),
    }))
}

/// `GET /api/v1/beds/overstays`.
#[utoipa::path(
    get,
    path = "/api/v1/beds/overstays",
    tag = "beds",
    operation_id = "list_bed_overstays",
    description = "Open admissions past their expected leave (admission + the facility's stay limit), longest overdue first; DV shelters' people withheld as in a facility's list. Roles: dispatcher, supervisor, admin, EMIU.",
    responses((status = 200, body = AdmissionList), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn overstays(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<AdmissionList>> {
    caller.require(READERS)?;
    let now = Utc::now();
    let kinds: std::collections::HashMap<String, String> = state
        .emergency
        .facilities()
        .await?
        .into_iter()
        .map(|(f, _)| (f.id, f.kind))
        .collect();
    let over = state.emergency.overstays(now).await?;
    let kind = |a: &crate::store::beds::AdmissionRecord| {
        kinds.get(&a.facility_id).cloned().unwrap_or_default()
    };
    if over
        .iter()
        .any(|a| kind(a) == "dv_shelter" && rules::may_see_address(caller.role, "dv_shelter"))
    {
        audit(&state, &caller, "view_dv_shelter_admissions", None).await?;
    }
    Ok(Json(AdmissionList {
        admissions: over
            .iter()
            .map(|a| AdmissionOut::shown(a, &kind(a), caller.role, now))
            .collect(),
    }))
}

//! Providers and facilities: `/api/v1/beds/providers`, `/api/v1/beds/facilities`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;

use super::{audit, cold_on};
use crate::access::Caller;
use crate::beds::rules::{self, KEEPERS, READERS};
use crate::domain::parse;
use crate::error::{Error, ErrorBody, Result};
use crate::state::AppState;
use crate::store::beds::{FacilityRecord, Occupancy, ProviderRecord};
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::beds::{FacilityList, FacilityOut, ProviderList};
use crate::web::schemas::common::{BodyRefusals, Refusals};

/// A provider as sent (`id` only on creation; the path names it on an edit).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProviderDto {
    #[serde(default)]
    #[schema(max_length = 40)]
    pub id: Option<String>,
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    /// `das` or `ngo`.
    pub kind: String,
    #[serde(default)]
    pub phone: String,
}

/// A facility as sent (`id` only on creation; the path names it on an edit).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FacilityDto {
    #[serde(default)]
    #[schema(max_length = 40)]
    pub id: Option<String>,
    pub provider_id: String,
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    /// `shelter`, `night_shelter`, `crisis`, `dv_shelter`.
    pub kind: String,
    #[schema(minimum = 0, maximum = 2000)]
    pub adult_places: i64,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 2000)]
    pub child_places: i64,
    /// Night shelters only: extra adult places in the cold-weather mode.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 2000)]
    pub cold_extra_places: i64,
    #[schema(minimum = 1, maximum = 3650)]
    pub stay_limit_days: i64,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub address: String,
    #[serde(default)]
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub lon: Option<f64>,
    #[serde(default)]
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub phone: String,
}

fn optional_phone(value: &str) -> Result<String> {
    if value.trim().is_empty() {
        Ok(String::new())
    } else {
        parse::phone("phone", value)
    }
}

fn provider_from(id: String, dto: ProviderDto) -> Result<ProviderRecord> {
    let name = parse::text("name", &dto.name, 120)?;
    if name.is_empty() {
        return Err(Error::validation("name", "is required"));
    }
    let now = Utc::now();
    Ok(ProviderRecord {
        id,
        name,
        kind: rules::one_of("kind", &dto.kind, rules::PROVIDER_KINDS)?,
        phone: optional_phone(&dto.phone)?,
        created_at: now,
        updated_at: now,
    })
}

async fn facility_from(state: &AppState, id: String, dto: FacilityDto) -> Result<FacilityRecord> {
    let name = parse::text("name", &dto.name, 120)?;
    if name.is_empty() {
        return Err(Error::validation("name", "is required"));
    }
    let kind = rules::one_of("kind", &dto.kind, rules::FACILITY_KINDS)?;
    let extra = rules::count("cold_extra_places", dto.cold_extra_places, 0, 2000)?;
    if extra > 0 && kind != "night_shelter" {
        return Err(Error::validation(
            "cold_extra_places",
            "only a night shelter opens extra places in cold weather",
        ));
    }
    let (lon, lat) = match (dto.lon, dto.lat) {
        (Some(lon), Some(lat)) => {
            if !(-180.0..=180.0).contains(&lon) {
                return Err(Error::validation("lon", "must be -180 to 180"));
            }
            if !(-90.0..=90.0).contains(&lat) {
                return Err(Error::validation("lat", "must be -90 to 90"));
            }
            (Some(lon), Some(lat))
        }
        (None, None) => (None, None),
        (Some(_), None) => return Err(Error::validation("lat", "is required with lon")),
        (None, Some(_)) => return Err(Error::validation("lon", "is required with lat")),
    };
    let provider_id = parse::identifier("provider_id", &dto.provider_id, 40)?;
    if !state
        .emergency
        .providers()
        .await?
        .iter()
        .any(|p| p.id == provider_id)
    {
        return Err(Error::validation("provider_id", "unknown provider"));
    }
    let now = Utc::now();
    Ok(FacilityRecord {
        id,
        provider_id,
        name,
        kind,
        adult_places: rules::count("adult_places", dto.adult_places, 0, 2000)?,
        child_places: rules::count("child_places", dto.child_places, 0, 2000)?,
        cold_extra_places: extra,
        stay_limit_days: rules::count("stay_limit_days", dto.stay_limit_days, 1, 3650)?,
        address: parse::text("address", &dto.address, 300)?,
        lon,
        lat,
        phone: optional_phone(&dto.phone)?,
        version: 0,
        created_at: now,
        updated_at: now,
    })
}

/// One facility as the caller may see it, with its places now.
pub(crate) async fn facility_out(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<FacilityOut> {
    let cold = cold_on(state).await?;
    let (f, taken) = state
        .emergency
        .facilities()
        .await?
        .into_iter()
        .find(|(f, _)| f.id == id)
        .ok_or_else(|| Error::NotFound(format!("no facility {id}")))?;
    if f.kind == "dv_shelter" && rules::may_see_address(caller.role, &f.kind) {
        audit(state, caller, "view_dv_shelter", None).await?;
    }
    Ok(FacilityOut::shown(&f, taken, cold, caller.role))
}

/// `GET /api/v1/beds/providers`.
#[utoipa::path(
    get,
    path = "/api/v1/beds/providers",
    tag = "beds",
    operation_id = "list_bed_providers",
    description = "The providers (DAS, NGOs) of the bed registry. Roles: dispatcher, supervisor, admin, EMIU.",
    responses((status = 200, body = ProviderList), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn providers(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ProviderList>> {
    caller.require(READERS)?;
    Ok(Json(ProviderList {
        providers: state.emergency.providers().await?,
    }))
}

/// `POST /api/v1/beds/providers`.
#[utoipa::path(
    post,
    path = "/api/v1/beds/providers",
    tag = "beds",
    operation_id = "create_bed_provider",
    description = "Registers a provider (`id`, `name`, `kind` das/ngo, `phone`). 409 when the id is taken. Audited. Roles: supervisor, admin.",
    request_body = ProviderDto,
    responses(
        (status = 201, body = ProviderRecord),
        (status = 409, description = "The id is taken", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn create_provider(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<ProviderDto>,
) -> Result<(StatusCode, Json<ProviderRecord>)> {
    caller.require(KEEPERS)?;
    let id = parse::identifier("id", dto.id.as_deref().unwrap_or(""), 40)?;
    let p = provider_from(id, dto)?;
    audit(&state, &caller, "beds_provider_created", None).await?;
    if !state.emergency.insert_provider(&p).await? {
        return Err(Error::Conflict(format!("provider {} exists", p.id)));
    }
    Ok((StatusCode::CREATED, Json(p)))
}

/// `PUT /api/v1/beds/providers/{id}`.
#[utoipa::path(
    put,
    path = "/api/v1/beds/providers/{id}",
    tag = "beds",
    operation_id = "update_bed_provider",
    description = "Edits a provider's name, kind and phone. Audited. Roles: supervisor, admin.",
    params(("id" = String, Path, description = "The provider's id")),
    request_body = ProviderDto,
    responses(
        (status = 200, body = ProviderRecord),
        (status = 404, description = "No such provider", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn update_provider(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<ProviderDto>,
) -> Result<Json<ProviderRecord>> {
    caller.require(KEEPERS)?;
    if dto.id.as_deref().is_some_and(|i| i != id) {
        return Err(Error::validation("id", "differs from the path"));
    }
    let p = provider_from(id, dto)?;
    audit(&state, &caller, "beds_provider_updated", None).await?;
    if !state.emergency.update_provider(&p).await? {
        return Err(Error::NotFound(format!("no provider {}", p.id)));
    }
    let stored = state
        .emergency
        .providers()
        .await?
        .into_iter()
        .find(|x| x.id == p.id)
        .unwrap_or(p);
    Ok(Json(stored))
}

/// `GET /api/v1/beds/facilities`.
#[utoipa::path(
    get,
    path = "/api/v1/beds/facilities",
    tag = "beds",
    operation_id = "list_bed_facilities",
    description = "Every facility with its places and the free ones now (counted from the open admissions; night shelters' cold-weather extra included while the mode is on), and the cold-weather mode. A DV shelter's address and position are `***` unless the caller is EMIU or a supervisor (`address_withheld`); a list that shows them is audited. Roles: dispatcher, supervisor, admin, EMIU.",
    responses((status = 200, body = FacilityList), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn facilities(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<FacilityList>> {
    caller.require(READERS)?;
    let cold = crate::beds::http::cold::out(&state).await?;
    let all = state.emergency.facilities().await?;
    if all
        .iter()
        .any(|(f, _)| f.kind == "dv_shelter" && rules::may_see_address(caller.role, &f.kind))
    {
        audit(&state, &caller, "view_dv_shelters", None).await?;
    }
    Ok(Json(FacilityList {
        facilities: all
            .iter()
            .map(|(f, taken)| FacilityOut::shown(f, *taken, cold.on, caller.role))
            .collect(),
        cold_weather: cold,
    }))
}

/// `GET /api/v1/beds/facilities/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/beds/facilities/{id}",
    tag = "beds",
    operation_id = "get_bed_facility",
    description = "One facility and its free places now (a DV shelter's address as in the list). Roles: dispatcher, supervisor, admin, EMIU.",
    params(("id" = String, Path, description = "The facility's id")),
    responses(
        (status = 200, body = FacilityOut),
        (status = 404, description = "No such facility", body = ErrorBody),
        (status = 422, description = "`id` contains control characters", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn facility(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<FacilityOut>> {
    caller.require(READERS)?;
    Ok(Json(facility_out(&state, &caller, &id).await?))
}

/// `POST /api/v1/beds/facilities`.
#[utoipa::path(
    post,
    path = "/api/v1/beds/facilities",
    tag = "beds",
    operation_id = "create_bed_facility",
    description = "Registers a facility: provider, name, kind, adult and child places, cold-weather extra (night shelters only), stay limit in days, address, position, phone. 422 names the bad field; 409 when the id is taken. Audited. Roles: supervisor, admin (an admin's answer withholds a DV shelter's address like every read).",
    request_body = FacilityDto,
    responses(
        (status = 201, body = FacilityOut),
        (status = 409, description = "The id is taken", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn create_facility(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<FacilityDto>,
) -> Result<(StatusCode, Json<FacilityOut>)> {
    caller.require(KEEPERS)?;
    let id = parse::identifier("id", dto.id.as_deref().unwrap_or(""), 40)?;
    let f = facility_from(&state, id, dto).await?;
    audit(&state, &caller, "beds_facility_created", None).await?;
    if !state.emergency.insert_facility(&f).await? {
        return Err(Error::Conflict(format!("facility {} exists", f.id)));
    }
    let cold = cold_on(&state).await?;
    Ok((
        StatusCode::CREATED,
        Json(FacilityOut::shown(
            &f,
            Occupancy::default(),
            cold,
            caller.role,
        )),
    ))
}

/// `PUT /api/v1/beds/facilities/{id}`.
#[utoipa::path(
    put,
    path = "/api/v1/beds/facilities/{id}",
    tag = "beds",
    operation_id = "update_bed_facility",
    description = "Edits a facility (every field but the id). Places may be lowered below those taken: nobody is discharged, the facility takes nobody new until people leave. Audited. Roles: supervisor, admin.",
    params(("id" = String, Path, description = "The facility's id")),
    request_body = FacilityDto,
    responses(
        (status = 200, body = FacilityOut),
        (status = 404, description = "No such facility", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn update_facility(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<FacilityDto>,
) -> Result<Json<FacilityOut>> {
    caller.require(KEEPERS)?;
    if dto.id.as_deref().is_some_and(|i| i != id) {
        return Err(Error::validation("id", "differs from the path"));
    }
    let withheld = dto.address == crate::access::WITHHELD;
    let mut f = facility_from(&state, id, dto).await?;
    if withheld {
        // Sent back as it was shown (an admin never sees a DV shelter's address): kept.
        let old = state
            .emergency
            .facility(&f.id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no facility {}", f.id)))?;
        f.address = old.address;
        if f.lon.is_none() {
            (f.lon, f.lat) = (old.lon, old.lat);
        }
    }
    audit(&state, &caller, "beds_facility_updated", None).await?;
    if !state.emergency.update_facility(&f).await? {
        return Err(Error::NotFound(format!("no facility {}", f.id)));
    }
    Ok(Json(facility_out(&state, &caller, &f.id).await?))
}

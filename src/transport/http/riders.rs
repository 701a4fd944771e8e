//! Riders and vehicles over HTTP. Riders are personal data: every read is audited, and only
//! the dispatch roles may read or write them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;

use super::shared::audit;
use crate::access::{Caller, Role, DISPATCH};
use crate::domain::parse;
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::transport::eligibility::{Certificate, DisabilityDegree, DisabilityKind};
use crate::transport::model::{Mobility, PlaceKind, Rider, RiderPlace, Spot, Vehicle};
use crate::transport::rules::booking;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::transport::{RiderList, VehicleList};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/transport/riders", get(list).post(create))
        .route("/api/v1/transport/riders/{id}", get(one))
        .route("/api/v1/transport/vehicles", get(vehicles))
        .route("/api/v1/transport/vehicles/{id}", put(put_vehicle))
}

/// A place as clients send it: an address a driver can read and its position.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SpotDto {
    pub(crate) address: String,
    pub(crate) lon: f64,
    pub(crate) lat: f64,
}

impl SpotDto {
    pub(crate) fn parse(self, field: &str) -> Result<Spot> {
        booking::spot(field, &self.address, self.lon, self.lat)
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = RiderPlaceDto)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlaceDto {
    kind: String,
    address: String,
    lon: f64,
    lat: f64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RiderDto {
    id: String,
    name: String,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    carer_phone: Option<String>,
    mobility: String,
    #[serde(default)]
    door_assistance: bool,
    #[serde(default)]
    companion: bool,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    places: Vec<PlaceDto>,
    #[serde(default)]
    certificate: Option<CertificateDto>,
}

/// The disability certificate as clients send it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CertificateDto {
    /// `grav`, `accentuat`, `mediu` or `usor` (Law 448/2006).
    degree: String,
    /// `fizic`, `vizual`, `auditiv`, `surdocecitate`, `somatic`, `mintal`, `psihic`,
    /// `hiv_sida`, `asociat` or `boli_rare`.
    kind: String,
    number: String,
    issued_by: String,
    valid_from: NaiveDate,
    /// The last valid day; absent for a permanent certificate.
    #[serde(default)]
    valid_until: Option<NaiveDate>,
}

impl CertificateDto {
    fn parse(self) -> Result<Certificate> {
        let number = parse::text("certificate.number", &self.number, 40)?;
        if number.is_empty() {
            return Err(Error::validation("certificate.number", "is empty"));
        }
        let issued_by = parse::text("certificate.issued_by", &self.issued_by, 200)?;
        if issued_by.is_empty() {
            return Err(Error::validation("certificate.issued_by", "is empty"));
        }
        if self.valid_until.is_some_and(|u| u < self.valid_from) {
            return Err(Error::validation(
                "certificate.valid_until",
                "must not be before valid_from",
            ));
        }
        Ok(Certificate {
            degree: DisabilityDegree::parse(&self.degree).ok_or_else(|| {
                Error::validation("certificate.degree", "one of grav, accentuat, mediu, usor")
            })?,
            kind: DisabilityKind::parse(&self.kind).ok_or_else(|| {
                Error::validation(
                    "certificate.kind",
                    format!("one of {}", DisabilityKind::ALL),
                )
            })?,
            number,
            issued_by,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
        })
    }
}

impl RiderDto {
    fn parse(self) -> Result<Rider> {
        let name = parse::text("name", &self.name, 100)?;
        if name.is_empty() {
            return Err(Error::validation("name", "is empty"));
        }
        let mut places = Vec::new();
        for (i, p) in self.places.into_iter().enumerate() {
            let field = format!("places[{i}]");
            let kind = PlaceKind::parse(&p.kind).ok_or_else(|| {
                Error::validation(
                    format!("{field}.kind"),
                    "one of home, day_centre, hospital, dialysis, other",
                )
            })?;
            places.push(RiderPlace {
                kind,
                spot: SpotDto {
                    address: p.address,
                    lon: p.lon,
                    lat: p.lat,
                }
                .parse(&field)?,
            });
        }
        Ok(Rider {
            id: parse::identifier("id", &self.id, 32)?,
            name,
            phone: self.phone.map(|p| parse::phone("phone", &p)).transpose()?,
            carer_phone: self
                .carer_phone
                .map(|p| parse::phone("carer_phone", &p))
                .transpose()?,
            mobility: Mobility::parse(&self.mobility).ok_or_else(|| {
                Error::validation("mobility", "one of wheelchair, walker, seated")
            })?,
            door_assistance: self.door_assistance,
            companion: self.companion,
            notes: parse::text("notes", &self.notes, 500)?,
            places,
            certificate: self.certificate.map(CertificateDto::parse).transpose()?,
        })
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/riders",
    tag = "transport",
    operation_id = "put_rider",
    description = "Registers or replaces a rider (by `id`). Roles: dispatcher, supervisor, admin.",
    request_body = RiderDto,
    responses(
        (status = 201, description = "Stored", body = Rider),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<RiderDto>,
) -> Result<(StatusCode, Json<Rider>)> {
    caller.require(DISPATCH)?;
    let rider = dto.parse()?;
    state.transport.store.put_rider(&rider).await?;
    Ok((StatusCode::CREATED, Json(rider)))
}

#[utoipa::path(
    get,
    path = "/api/v1/transport/riders",
    tag = "transport",
    operation_id = "list_riders",
    description = "Every registered rider with their places and mobility (personal data: the read is audited). Roles: dispatcher, supervisor, admin.",
    responses(
        (status = 200, body = crate::web::schemas::transport::RiderList),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<RiderList>> {
    caller.require(DISPATCH)?;
    let riders = state.transport.store.riders().await?;
    audit(&state, &caller, "view_riders").await?;
    Ok(Json(RiderList { riders }))
}

#[utoipa::path(
    get,
    path = "/api/v1/transport/riders/{id}",
    tag = "transport",
    operation_id = "get_rider",
    description = "One rider (personal data: the read is audited). Roles: dispatcher, supervisor, admin.",
    params(("id" = String, Path, description = "The rider's registry id")),
    responses(
        (status = 200, body = Rider),
        (status = 404, description = "No such rider", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<Rider>> {
    caller.require(DISPATCH)?;
    let rider = state
        .transport
        .store
        .rider(&id)
        .await?
        .ok_or_else(|| Error::NotFound("rider".into()))?;
    audit(&state, &caller, "view_rider").await?;
    Ok(Json(rider))
}

#[utoipa::path(
    get,
    path = "/api/v1/transport/vehicles",
    tag = "transport",
    operation_id = "list_vehicles",
    description = "The fleet with depots and shifts. Roles: dispatcher, supervisor, admin.",
    responses(
        (status = 200, body = crate::web::schemas::transport::VehicleList),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn vehicles(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<VehicleList>> {
    caller.require(DISPATCH)?;
    let vehicles = state.transport.store.vehicles().await?;
    Ok(Json(VehicleList { vehicles }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct VehicleDto {
    seats: u32,
    #[serde(default)]
    wheelchair_places: u32,
    #[serde(default)]
    ramp: bool,
    depot_lon: f64,
    depot_lat: f64,
    #[serde(default)]
    driver: Option<String>,
    #[serde(default)]
    shift_start: Option<NaiveTime>,
    #[serde(default)]
    shift_end: Option<NaiveTime>,
}

#[utoipa::path(
    put,
    path = "/api/v1/transport/vehicles/{id}",
    tag = "transport",
    operation_id = "put_vehicle",
    description = "Registers or replaces a vehicle. Roles: supervisor, admin.",
    params(("id" = String, Path, description = "The vehicle (resource) id, 1-32 of letters, digits and `-_.:/`")),
    request_body = VehicleDto,
    responses(
        (status = 200, description = "Stored", body = Vehicle),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn put_vehicle(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<VehicleDto>,
) -> Result<Json<Vehicle>> {
    caller.require(&[Role::Supervisor, Role::Admin])?;
    let id = parse::identifier("id", &id, 32)?;
    if dto.seats + dto.wheelchair_places == 0 || dto.seats > 60 || dto.wheelchair_places > 10 {
        return Err(Error::validation(
            "seats",
            "1-60 seats and 0-10 wheelchair places",
        ));
    }
    let depot = SpotDto {
        address: "depot".into(),
        lon: dto.depot_lon,
        lat: dto.depot_lat,
    }
    .parse("depot")?;
    let t = &state.config.transport;
    let vehicle = Vehicle {
        id,
        seats: dto.seats,
        wheelchair_places: dto.wheelchair_places,
        ramp: dto.ramp,
        depot: depot.position,
        driver: dto
            .driver
            .map(|d| parse::identifier("driver", &d, 32))
            .transpose()?,
        shift_start: dto.shift_start.unwrap_or(t.default_shift_start),
        shift_end: dto.shift_end.unwrap_or(t.default_shift_end),
    };
    if vehicle.shift_end <= vehicle.shift_start {
        return Err(Error::validation("shift_end", "must be after shift_start"));
    }
    state.transport.store.put_vehicle(&vehicle).await?;
    Ok(Json(vehicle))
}

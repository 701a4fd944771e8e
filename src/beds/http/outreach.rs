//! Outreach items: `/api/v1/beds/outreach/{id}` (the nearest night shelters with a free bed)
//! and `/api/v1/beds/outreach/{id}/hold` (hold a bed and send the street team's vehicle).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;

use super::{audit, cold_on};
use crate::access::{self, Caller, Visibility, DISPATCH};
use crate::beds::outreach;
use crate::domain::{parse, Item, ResourceId};
use crate::error::{Error, ErrorBody, Result};
use crate::state::AppState;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::beds::{
    AdmissionOut, FacilityOut, HoldAnswer, OutreachOut, OutreachShelter,
};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::view::{item_id, lookup};

/// The outreach item, if the caller sees it in full (audited like every item read).
async fn outreach_item(state: &AppState, caller: &Caller, raw: &str) -> Result<Item> {
    caller.require(DISPATCH)?;
    let id = item_id(raw)?;
    let (item, visibility) = lookup(state, caller, id)?;
    crate::web::view::audit(
        state.store.as_ref(),
        caller,
        "view_outreach",
        id,
        visibility,
    )
    .await?;
    if visibility != Visibility::Full {
        return Err(Error::Forbidden(
            "this item is not shown to you in full".into(),
        ));
    }
    if !outreach::is_outreach(&item) {
        return Err(Error::validation("id", "is not an outreach item"));
    }
    Ok(item)
}

/// `GET /api/v1/beds/outreach/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/beds/outreach/{id}",
    tag = "beds",
    operation_id = "get_outreach",
    description = "An outreach item (a person sleeping rough, in the cold-weather mode): where the person is, the night shelters with a free bed nearest first (straight-line metres), and the beds held for it with their `state` (`held`, `admitted`, `released`). Audited. Roles: dispatcher, supervisor, admin.",
    params(("id" = uuid::Uuid, Path, description = "The outreach item's id")),
    responses(
        (status = 200, body = OutreachOut),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 422, description = "Not an outreach item", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn view(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<OutreachOut>> {
    let item = outreach_item(&state, &caller, &id).await?;
    let at = outreach::position(&state.core, &item);
    let cold = cold_on(&state).await?;
    let near = outreach::nearest(state.emergency.as_ref(), &state.config.beds, at).await?;
    let all = state.emergency.facilities().await?;
    let now = Utc::now();
    let held = state.emergency.admissions_for_item(item.id).await?;
    Ok(Json(OutreachOut {
        item_id: item.id,
        cold_weather: cold,
        lon: at.map(|p| p.lon),
        lat: at.map(|p| p.lat),
        shelters: near
            .iter()
            .map(|(f, _, d)| {
                let taken = all
                    .iter()
                    .find(|(x, _)| x.id == f.id)
                    .map(|(_, t)| *t)
                    .unwrap_or_default();
                OutreachShelter {
                    facility: FacilityOut::shown(f, taken, cold, caller.role),
                    distance_m: d.map(f64::round),
                }
            })
            .collect(),
        held: held
            .iter()
            .map(|a| AdmissionOut::shown(a, "night_shelter", caller.role, now))
            .collect(),
    }))
}

/// Which bed to hold and which vehicle takes the person there.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HoldDto {
    /// A night shelter with a free bed.
    pub facility_id: String,
    /// The street team's vehicle (a registered resource), assigned to the outreach item.
    #[serde(default)]
    pub vehicle_id: Option<String>,
}

/// `POST /api/v1/beds/outreach/{id}/hold`.
#[utoipa::path(
    post,
    path = "/api/v1/beds/outreach/{id}/hold",
    tag = "beds",
    operation_id = "hold_outreach_bed",
    description = "Holds a bed for the person of an outreach item: an admission to the night shelter linked to the item (counted like any other: 409 `no_free_place` when none is left), and, with `vehicle_id`, the street team's vehicle assigned to the item to take them there (a busy vehicle is a 409 and the bed is given back). A note on the item names the shelter. Audited. Roles: dispatcher, supervisor, admin.",
    params(("id" = uuid::Uuid, Path, description = "The outreach item's id")),
    request_body = HoldDto,
    responses(
        (status = 201, body = HoldAnswer),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "No free bed, or the vehicle is busy", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn hold(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<HoldDto>,
) -> Result<(StatusCode, Json<HoldAnswer>)> {
    let item = outreach_item(&state, &caller, &id).await?;
    let facility_id = parse::identifier("facility_id", &dto.facility_id, 40)?;
    let vehicle = dto
        .vehicle_id
        .as_deref()
        .map(|v| parse::identifier("vehicle_id", v, 64).map(ResourceId))
        .transpose()?;
    if let Some(v) = &vehicle {
        if state
            .core
            .read(|s| crate::core::state::StateView::resource(s, v).is_none())
        {
            return Err(Error::validation("vehicle_id", "unknown resource"));
        }
    }
    audit(&state, &caller, "beds_outreach_hold", Some(item.id)).await?;
    let (a, f, out) = outreach::hold(
        state.emergency.as_ref(),
        &state.core,
        &state.config.beds,
        &caller.name,
        &item,
        facility_id,
        vehicle,
    )
    .await?;
    let item = match out {
        crate::core::Outcome::Item { item, .. } => *item,
        _ => item,
    };
    let facility = super::registry::facility_out(&state, &caller, &f.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(HoldAnswer {
            admission: AdmissionOut::shown(&a, &f.kind, caller.role, Utc::now()),
            facility,
            item: access::view(&caller, &item)
                .map(|v| v.into_owned())
                .ok_or_else(|| Error::Forbidden("this item is not shown to you".into()))?,
        }),
    ))
}

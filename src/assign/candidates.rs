//! The assignment help: `GET /api/v1/items/{id}/candidates`, every resource judged for the item
//! and ranked by its ETA on the road network ([`super::rules`] does the judging and ranking;
//! this gathers the item's position, the day's transport plan and the pairs of van and driver).

use axum::extract::State;
use axum::Json;
use chrono::Timelike;
use serde::Serialize;

use super::rules::{self, ResourceCandidate, Situation};
use crate::access::{self, Caller, Visibility, DISPATCH};
use crate::domain::{Details, Item, ItemId, Resource};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::web::extract::PathParam;
use crate::web::schemas::common::Refusals;
use crate::web::view::{audit, lookup};
use routing::travel::LonLat;

/// The resources for one item, best first.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CandidatesAnswer {
    pub(crate) item_id: ItemId,
    /// Where the item is (absent when unknown, or when the caller sees the case redacted).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::domain::geo::LonLat>)]
    pub(crate) position: Option<LonLat>,
    /// Suitable and free resources by ETA, then the rest by ETA.
    pub(crate) candidates: Vec<ResourceCandidate>,
}

/// The position the device registry gives an alert's device.
async fn registry_position(state: &AppState, item: &Item) -> Result<Option<LonLat>> {
    let Details::Alert { device_id, .. } = &item.details else {
        return Ok(None);
    };
    Ok(state
        .emergency
        .device(device_id)
        .await?
        .and_then(|d| Some(LonLat::new(d.lon?, d.lat?))))
}

#[utoipa::path(
    get,
    path = "/api/v1/items/{id}/candidates",
    tag = "actions",
    description = "Every resource judged for the item (dispatch roles; the read is audited like \
        the item's): `suitable` (wheelchair places for a wheelchair booking, an EMIU team for a \
        domestic-violence case), `busy` (committed to an item, off duty, not available, or — \
        vans and their drivers — on a transport run now: a rider aboard, at a pick-up, or a stop \
        planned within 10 minutes), the `reasons` as codes (`busy_assigned`, `busy_transport`, \
        `off_duty`, `no_position`, `no_wheelchair`, `not_emiu`), the paired van or driver, and \
        the ETA by road departing now (profile `van` for vehicles, `emiu_car` for drivers and \
        EMIU teams). Ranked: suitable and free by ETA, then the rest. The item's position is \
        the call's location, the booking's pick-up, or the alert device's registered home. \
        While the road network is loading (or turned off) the answer is not refused: `eta_s` is \
        null and `distance_m` the straight line. A caller who sees the case only redacted gets \
        no position, ETA or distance.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    responses(
        (status = 200, body = CandidatesAnswer),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn candidates(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<ItemId>,
) -> Result<Json<CandidatesAnswer>> {
    caller.require(DISPATCH)?;
    let (item, visibility) = lookup(&state, &caller, id)?;
    audit(
        state.store.as_ref(),
        &caller,
        "view_candidates",
        id,
        visibility,
    )
    .await?;
    if access::view(&caller, &item).is_none() {
        return Err(Error::Forbidden(
            "this case is not visible to your role".into(),
        ));
    }
    let zone = state
        .config
        .queue
        .zone()
        .unwrap_or(chrono_tz::Europe::Bucharest);
    let now = chrono::Utc::now().with_timezone(&zone);
    let today = now.date_naive();
    let transport = &state.transport.store;
    let vehicles = transport.vehicles().await?;
    let plan = transport.plan(today).await?;
    let trips = match &plan {
        Some(_) => transport.trips_on(today).await?,
        None => Vec::new(),
    };
    let pairs = rules::pairs(&vehicles);
    let second_of_day = now.num_seconds_from_midnight();
    let on_run = rules::on_transport_run(plan.as_ref(), &trips, &pairs, f64::from(second_of_day));
    let at = match visibility {
        Visibility::Full => rules::item_position(&item, registry_position(&state, &item).await?),
        Visibility::Redacted | Visibility::Hidden => None,
    };
    let network = state.network.get().cloned();
    let resources: Vec<Resource> = state.core.read(|s| s.resources().cloned().collect());
    let need = rules::need(&item);
    // The matrices take milliseconds of CPU: off the async workers.
    let candidates = tokio::task::spawn_blocking(move || {
        let situation = Situation {
            network: network.as_deref(),
            at,
            need,
            on_transport_run: &on_run,
            pairs: &pairs,
            second_of_day,
        };
        rules::rank(&resources, &situation)
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("ranking failed: {e}")))?;
    Ok(Json(CandidatesAnswer {
        item_id: id,
        position: at,
        candidates,
    }))
}

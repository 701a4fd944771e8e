//! What the EMIU team reads: the roster, the risk form, and a case with its file, the route
//! from the team and the shelters.

use axum::extract::State;
use axum::Json;

use crate::access::{self, Caller, Visibility};
use crate::core::state::StateView;
use crate::domain::geo::LonLat as Position;
use crate::domain::{ItemId, ResourceKind};
use crate::emiu::{cases, procedure, risk};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::events::Event;
use crate::referrals::http::audited_read;
use crate::referrals::rules::{not_visible, CASE_WORKERS};
use crate::state::AppState;
use crate::web::extract::PathParam;
use crate::web::schemas::common::{Refusals, StreetLeg};
use crate::web::schemas::emergency::{
    CaseFileEntry, CaseRoute, EmiuCase, RiskForm, Roster, RouteUnavailable, TeamRoute,
};
use crate::web::view::STAFF;
use routing::network::ATTRIBUTION;
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
pub(crate) async fn roster(State(state): State<AppState>, caller: Caller) -> Result<Json<Roster>> {
    caller.require(CASE_WORKERS)?;
    let teams = state.core.read(|s| {
        s.resources()
            .filter(|r| r.kind == ResourceKind::EmiuTeam)
            .filter_map(|r| access::resource_view(&caller, r))
            .collect()
    });
    Ok(Json(Roster { teams }))
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
pub(crate) async fn risk_form(caller: Caller) -> Result<Json<RiskForm>> {
    caller.require(CASE_WORKERS)?;
    Ok(Json(RiskForm {
        items: risk::ITEMS.to_vec(),
        medium_from: risk::MEDIUM_FROM,
        high_from: risk::HIGH_FROM,
        red_flags: risk::RED_FLAGS.iter().map(|f| (*f).to_owned()).collect(),
    }))
}

fn position(p: LonLat) -> Position {
    Position {
        lon: p.lon,
        lat: p.lat,
    }
}

/// The route as the answer shows it.
fn case_route(route: Result<cases::TeamRoute, &'static str>) -> CaseRoute {
    match route {
        Ok(cases::TeamRoute {
            team,
            from,
            to,
            route,
        }) => CaseRoute::Route(TeamRoute {
            from_team: team,
            from: position(from),
            to: position(to),
            duration_s: route.duration_s,
            distance_m: route.distance_m,
            geometry: route.geometry.into_iter().map(position).collect(),
            streets: route
                .streets
                .into_iter()
                .map(|s| StreetLeg {
                    name: s.name,
                    metres: s.metres,
                })
                .collect(),
            attribution: ATTRIBUTION.into(),
        }),
        Err(why) => CaseRoute::Unavailable(RouteUnavailable {
            unavailable: why.into(),
        }),
    }
}

/// `GET /api/v1/emiu/cases/{id}`: the case, its file, the route from the team, and shelters.
/// Refused (403, and audited as refused) to anyone who may not see the victim's details.
#[utoipa::path(
    get,
    path = "/api/v1/emiu/cases/{id}",
    tag = "emiu",
    operation_id = "get_emiu_case",
    description = "A case: the item (with its clock to arrival on a police request), its case file (redacted unless the caller sees it in full), the latest risk assessment, the hazards noted at its address (on any case there; only in full), the children present, the route from the EMIU team and the shelters' free places. The read is audited, refused ones too. Roles: dispatcher, supervisor, admin, driver, EMIU; 403 for anyone who may not see the case.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    responses(
        (status = 200, body = crate::web::schemas::emergency::EmiuCase),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn view(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<ItemId>,
) -> Result<Json<EmiuCase>> {
    caller.require(STAFF)?;
    let (item, visibility) = audited_read(&state, &caller, id, "view_emiu_case").await?;
    if visibility == Visibility::Hidden {
        return Err(not_visible());
    }
    let shown = access::view(&caller, &item)
        .map(|c| c.into_owned())
        .ok_or_else(|| Error::Forbidden("this case is not visible to your role".into()))?;
    let history = state.store.item_events(id).await?;
    let full = visibility == Visibility::Full;
    let latest_risk = procedure::latest_risk(&history).map(|r| if full { r } else { r.redacted() });
    let children_present = full.then(|| procedure::children_present(&history));
    let case_file = history
        .into_iter()
        .filter_map(|e| match e.event {
            Event::CaseRecorded { record, .. } => Some(CaseFileEntry {
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                record: if visibility == Visibility::Full {
                    record
                } else {
                    record.redacted()
                },
            }),
            _ => None,
        })
        .collect();
    let mut route = None;
    let mut hazards = Vec::new();
    if full {
        // Whoever sees the case in full is who the team is, or who sends it: the hazards at the
        // address come with the case, from this case or any earlier one there.
        // A hazard noted on another case comes only to whoever may see that case in full
        // (EMIU, supervisors, its handler): a DV case's note never reaches a driver or another
        // dispatcher through a neighbouring case.
        hazards = procedure::hazards_for(state.emergency.as_ref(), &item)
            .await?
            .into_iter()
            .filter(|h| {
                h.item_id == item.id
                    || state.core.read(|s| {
                        s.item(&h.item_id).is_some_and(|source| {
                            access::visibility(&caller, source) == Visibility::Full
                        })
                    })
            })
            .collect();
        let to = cases::destination(state.emergency.as_ref(), &item).await?;
        let from = cases::team_position(&state.core, &caller, &item);
        let network = state.network.get().cloned();
        route = Some(case_route(cases::route(from, to, network.as_deref())));
    }
    let shelters = crate::beds::registry::dv_shelters(state.emergency.as_ref()).await?;
    Ok(Json(EmiuCase {
        item: shown,
        case_file,
        route,
        shelters,
        hazards,
        latest_risk,
        children_present,
    }))
}

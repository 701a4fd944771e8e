//! What the EMIU team records on a case: the risk assessment, measures and the intervention
//! report, each an entry of the case file.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::access::Caller;
use crate::domain::parse;
use crate::domain::CaseRecord;
use crate::emiu::{cases, risk, rules};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::referrals::case_file;
use crate::referrals::http::acting_on;
use crate::state::AppState;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::emergency::{MeasureAnswer, RiskAnswer};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RiskDto {
    /// Ids of the items answered yes (see `GET /api/v1/emiu/risk-form`).
    #[schema(schema_with = crate::web::schemas::emergency::risk_answers)]
    pub yes: Vec<String>,
    /// The team's professional judgement: the level that holds instead of the answers'. Never
    /// below `high` when a red-flag item is answered yes.
    #[serde(default)]
    #[schema(schema_with = crate::web::schemas::emiu::levels)]
    pub override_level: Option<String>,
    /// Why (required with `override_level`, at least 10 characters; audited in the file).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub override_reason: String,
    /// The new incident that prompted a re-assessment: required when the case already has an
    /// assessment.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub incident: String,
}

/// `POST /api/v1/emiu/cases/{id}/risk {yes: [...]}`: scores the form and records it.
#[utoipa::path(
    post,
    path = "/api/v1/emiu/cases/{id}/risk",
    tag = "emiu",
    operation_id = "post_emiu_risk",
    description = "Scores the risk form (`yes`: the ids of the questions answered yes) and records the assessment in the case file. A red-flag answer (threat to kill, weapon, strangulation, escalation, pregnancy) sets the level high whatever the score; `override_level` with its `override_reason` records the team's professional judgement (never below high with a red flag). A re-assessment after a new incident names it in `incident`; every assessment stays in the file. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full (the dispatcher handling it, EMIU, supervisors).",
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
pub(crate) async fn risk(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<RiskDto>,
) -> Result<Json<RiskAnswer>> {
    let item_id = acting_on(&state, &caller, &id)?;
    if dto.yes.len() > risk::ITEMS.len() * 2 {
        return Err(Error::validation("yes", "too many answers"));
    }
    let reason = parse::text("override_reason", &dto.override_reason, 2000)?;
    let incident = parse::text("incident", &dto.incident, 2000)?;
    let judged = risk::judge(&dto.yes, dto.override_level.as_deref(), &reason)
        .map_err(|(field, m)| Error::validation(field, m))?;
    let history = state.store.item_events(item_id).await?;
    if crate::emiu::procedure::latest_risk(&history).is_some() && incident.is_empty() {
        return Err(Error::validation(
            "incident",
            "a re-assessment names the new incident that prompted it",
        ));
    }
    let assessment = CaseRecord::RiskAssessed {
        yes: judged.yes,
        score: judged.score,
        level: judged.level,
        red_flags: judged.red_flags,
        score_level: judged.score_level.into(),
        override_level: judged.override_level,
        override_reason: judged.override_reason,
        incident,
    };
    case_file::record(&state.core, &caller.name, item_id, assessment.clone()).await?;
    Ok(Json(RiskAnswer {
        item_id,
        assessment,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MeasureDto {
    #[schema(schema_with = crate::web::schemas::emergency::measures)]
    pub measure: String,
    /// Required for, and only for, `shelter_placement`.
    #[serde(default)]
    pub shelter_id: Option<String>,
    #[serde(default)]
    pub note: String,
    /// A placement: the adults placed (default 1).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 20)]
    pub adults: Option<u32>,
    /// A placement: the children placed with them (default: the children present, as last
    /// recorded on the case). Places taken = adults + children.
    #[serde(default)]
    #[schema(maximum = 30)]
    pub children: Option<u32>,
}

/// `POST /api/v1/emiu/cases/{id}/measures {measure, shelter_id?, note?}`. A shelter placement
/// takes one of the shelter's free places (409 when it has none).
#[utoipa::path(
    post,
    path = "/api/v1/emiu/cases/{id}/measures",
    tag = "emiu",
    operation_id = "post_emiu_measure",
    description = "Records a measure (`hospital_transport`, `called_112`, `police_notified`, `shelter_placement`). A placement takes the shelter's places for the adults and the children with them at once (adults + children; children default to the count recorded on the case), given back if the record fails; 409 `shelter_full` when it has fewer free. Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full (the dispatcher handling it, EMIU, supervisors).",
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
pub(crate) async fn measure(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<MeasureDto>,
) -> Result<Json<MeasureAnswer>> {
    let item_id = acting_on(&state, &caller, &id)?;
    rules::measure(&dto.measure)?;
    let note = parse::text("note", &dto.note, 2000)?;
    let shelter = rules::placement(&dto.measure, dto.shelter_id.as_deref())?;
    if shelter.is_none() && (dto.adults.is_some() || dto.children.is_some()) {
        return Err(Error::validation(
            "children",
            "only a shelter placement counts people",
        ));
    }
    let placement = match shelter {
        Some(shelter) => {
            let children = match dto.children {
                Some(c) => c,
                None => crate::emiu::procedure::children_present(
                    &state.store.item_events(item_id).await?,
                ),
            };
            Some(cases::Placement {
                shelter,
                adults: dto.adults.unwrap_or(1),
                children,
            })
        }
        None => None,
    };
    let shelter = cases::record_measure(
        state.emergency.as_ref(),
        &state.core,
        &caller.name,
        item_id,
        dto.measure,
        placement,
        note,
    )
    .await?;
    Ok(Json(MeasureAnswer { item_id, shelter }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportDto {
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
pub(crate) async fn report(
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
    let record = CaseRecord::Report { text };
    let out = case_file::record(&state.core, &caller.name, item_id, record).await?;
    crate::web::view::answer(&state, &caller, "emiu_report", out).await
}

//! The follow-up workflow of an alarm: its steps for the console, and recording one.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::access::{Caller, DISPATCH};
use crate::domain::parse;
use crate::domain::CaseRecord;
use crate::error::ErrorBody;
use crate::error::Result;
use crate::referrals::case_file;
use crate::referrals::http::acting_on;
use crate::state::AppState;
use crate::teleasistenta::rules::steps::{self, OUTCOMES, STEPS};
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::emergency::Workflow;

/// `GET /api/v1/teleasistenta/workflow`: the steps and the outcome codes, for the console.
#[utoipa::path(
    get,
    path = "/api/v1/teleasistenta/workflow",
    tag = "teleasistenta",
    operation_id = "get_workflow",
    description = "The workflow's steps and the outcome codes an alarm is closed with. Roles: dispatcher, supervisor, admin.",
    responses(
        (status = 200, body = crate::web::schemas::emergency::Workflow),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn workflow(caller: Caller) -> Result<Json<Workflow>> {
    caller.require(DISPATCH)?;
    let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
    Ok(Json(Workflow {
        steps: owned(STEPS),
        outcomes: owned(OUTCOMES),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepDto {
    #[schema(schema_with = crate::web::schemas::emergency::steps)]
    pub step: String,
    /// For calls: whether the person answered.
    #[serde(default)]
    pub answered: Option<bool>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

/// `POST /api/v1/items/{id}/steps {step, answered?, note?}`.
#[utoipa::path(
    post,
    path = "/api/v1/items/{id}/steps",
    tag = "teleasistenta",
    operation_id = "post_step",
    description = "Records a step of the TeleAsistență workflow on an item (see `GET /api/v1/teleasistenta/workflow`). Roles: dispatcher, supervisor, admin, EMIU; acting on a case also needs to see it in full (the dispatcher handling it, EMIU, supervisors).",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = StepDto,
    responses(
        (status = 200, description = "The item after the step", body = crate::domain::Item),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is closed", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn post(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<StepDto>,
) -> Result<crate::web::view::ActionJson> {
    let item_id = acting_on(&state, &caller, &id)?;
    steps::step(&dto.step)?;
    let note = parse::text("note", &dto.note, 2000)?;
    let record = CaseRecord::Step {
        step: dto.step,
        answered: dto.answered,
        note,
    };
    let out = case_file::record(&state.core, &caller.name, item_id, record).await?;
    crate::web::view::answer(&state, &caller, "record_step", out).await
}

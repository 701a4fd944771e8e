//! The follow-up workflow of an alarm, step by step: call the beneficiary, call the carers in
//! their order, send a carer or the team, call 112 — each step in the case file — then close
//! with an outcome code (`POST /api/v1/items/{id}/close`).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

use crate::access::Caller;
use crate::core::Command;
use crate::domain::parse;
use crate::domain::CaseRecord;
use crate::error::{Error, Result};
use crate::referrals::referral::acting_on;
use crate::state::AppState;
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, ErrorBody, Refusals};

/// The steps, in the order the workflow suggests them.
pub const STEPS: &[&str] = &[
    "called_beneficiary",
    "called_carer",
    "carer_sent",
    "team_sent",
    "called_112",
];

/// Outcome codes an alarm is closed with (enforced by the core when an item is closed).
pub const OUTCOMES: &[&str] = crate::domain::outcomes::ALERT;

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
pub async fn workflow(caller: Caller) -> Result<Json<Value>> {
    caller.require(crate::access::DISPATCH)?;
    Ok(Json(
        serde_json::json!({ "steps": STEPS, "outcomes": OUTCOMES }),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepDto {
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
pub async fn post(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<StepDto>,
) -> Result<crate::web::view::ActionJson> {
    let item_id = acting_on(&state, &caller, &id)?;
    if !STEPS.contains(&dto.step.as_str()) {
        return Err(Error::validation(
            "step",
            format!("unknown step; expected one of: {}", STEPS.join(", ")),
        ));
    }
    let note = parse::text("note", &dto.note, 2000)?;
    let out = state
        .core
        .execute(
            &caller.name,
            Command::Record {
                item_id,
                record: CaseRecord::Step {
                    step: dto.step,
                    answered: dto.answered,
                    note,
                },
            },
        )
        .await?;
    crate::web::view::answer(&state, &caller, "record_step", out).await
}

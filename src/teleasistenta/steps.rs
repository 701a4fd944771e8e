//! The follow-up workflow of an alarm, step by step: call the beneficiary, call the carers in
//! their order, send a carer or the team, call 112 — each step in the case file — then close
//! with an outcome code (`POST /api/v1/items/{id}/close`).

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

use crate::core::Command;
use crate::domain::CaseRecord;
use crate::error::{Error, Result};
use crate::http::auth::Caller;
use crate::http::extract::AppJson;
use crate::intake::parse;
use crate::referrals::referral::{acting_on, outcome_json};
use crate::state::AppState;

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
pub async fn workflow(caller: Caller) -> Result<Json<Value>> {
    caller.require(crate::http::auth::DISPATCH)?;
    Ok(Json(
        serde_json::json!({ "steps": STEPS, "outcomes": OUTCOMES }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDto {
    pub step: String,
    /// For calls: whether the person answered.
    #[serde(default)]
    pub answered: Option<bool>,
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/items/{id}/steps {step, answered?, note?}`.
pub async fn post(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    AppJson(dto): AppJson<StepDto>,
) -> Result<Json<Value>> {
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
    Ok(Json(outcome_json(out)))
}

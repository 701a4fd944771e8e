//! The follow-up workflow of an alarm, step by step: call the beneficiary, call the carers in
//! their order, send a carer or the team, call 112 — each step in the case file — then close
//! with an outcome code (`POST /api/v1/items/{id}/close`).

use crate::error::{Error, Result};

/// The steps, in the order the workflow suggests them.
pub(crate) const STEPS: &[&str] = &[
    "called_beneficiary",
    "called_carer",
    "carer_sent",
    "team_sent",
    "called_112",
];

/// Outcome codes an alarm is closed with (enforced by the core when an item is closed).
pub(crate) const OUTCOMES: &[&str] = crate::domain::outcomes::ALERT;

/// `step` if it is one of [`STEPS`]; a 422 listing them otherwise.
pub(crate) fn step(step: &str) -> Result<()> {
    if STEPS.contains(&step) {
        Ok(())
    } else {
        Err(Error::validation(
            "step",
            format!("unknown step; expected one of: {}", STEPS.join(", ")),
        ))
    }
}

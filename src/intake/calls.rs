//! `POST /api/v1/calls`: call cards from the social-emergency line.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::{parse, respond};
use crate::core::Command;
use crate::domain::{CallCategory, Details};
use crate::error::{Error, Result};
use crate::http::auth::{Caller, Role};
use crate::http::extract::AppJson;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallDto {
    /// The caller's number; absent or null when withheld.
    #[serde(default)]
    pub caller_number: Option<String>,
    pub category: String,
    pub immediate_danger: bool,
    #[serde(default)]
    pub location: Option<parse::PlaceDto>,
    #[serde(default)]
    pub notes: Option<String>,
}

impl CallDto {
    fn parse(self) -> Result<Details> {
        let caller_number = match self.caller_number.as_deref() {
            None | Some("") => "withheld".to_owned(),
            Some(n) => parse::phone("caller_number", n)?,
        };
        let category =
            CallCategory::parse(&self.category).map_err(|m| Error::validation("category", m))?;
        let location = self.location.map(|l| l.parse("location")).transpose()?;
        let notes = parse::text("notes", self.notes.as_deref().unwrap_or(""), 4000)?;
        Ok(Details::Call {
            caller_number,
            category,
            immediate_danger: self.immediate_danger,
            location,
            notes,
        })
    }
}

pub async fn post(
    State(AppState { core, .. }): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    AppJson(dto): AppJson<CallDto>,
) -> Result<Response> {
    caller.require(&[
        Role::Dispatcher,
        Role::Supervisor,
        Role::Admin,
        Role::Telephony,
    ])?;
    let key = parse::idempotency_key(&headers, "call", &caller.name)?;
    let details = dto.parse()?;
    let outcome = core
        .execute(&caller.name, Command::Create { details, key })
        .await?;
    respond(outcome)
}

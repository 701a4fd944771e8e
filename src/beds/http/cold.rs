//! The cold-weather mode: `/api/v1/beds/cold-weather`, `/api/v1/beds/temperature`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;

use super::audit;
use crate::access::Caller;
use crate::beds::rules::{self, READERS, SWITCHERS, THERMOMETER};
use crate::domain::parse;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::beds::{ColdSwitch, TemperatureReading};
use crate::web::extract::AppJson;
use crate::web::schemas::beds::ColdWeatherOut;
use crate::web::schemas::common::{BodyRefusals, Refusals};

/// The mode now, as answered.
pub(crate) async fn out(state: &AppState) -> Result<ColdWeatherOut> {
    let rule = &state.config.beds.cold_weather;
    let s = crate::beds::cold::state(state.emergency.as_ref(), rule, Utc::now()).await?;
    Ok(ColdWeatherOut {
        on: s.on,
        source: s.source.as_str().into(),
        mode: s
            .switch
            .as_ref()
            .map(|w| w.mode.clone())
            .unwrap_or_else(|| "auto".into()),
        reason: s.switch.as_ref().map(|w| w.reason.clone()),
        set_by: s.switch.as_ref().map(|w| w.set_by.clone()),
        set_at: s.switch.as_ref().map(|w| w.set_at),
        celsius: s.reading.as_ref().map(|r| r.celsius),
        measured_at: s.reading.as_ref().map(|r| r.recorded_at),
        season_from: rule.from.clone(),
        season_to: rule.to.clone(),
        below_celsius: rule.below_celsius,
    })
}

/// `GET /api/v1/beds/cold-weather`.
#[utoipa::path(
    get,
    path = "/api/v1/beds/cold-weather",
    tag = "beds",
    operation_id = "get_cold_weather",
    description = "The cold-weather mode now and what decided it: a supervisor's switch (`on`/`off`), else the rule of `[beds.cold_weather]` (the season, or the latest posted temperature at or below the threshold). Roles: dispatcher, supervisor, admin, EMIU.",
    responses((status = 200, body = ColdWeatherOut), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn state(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ColdWeatherOut>> {
    caller.require(READERS)?;
    Ok(Json(out(&state).await?))
}

/// The supervisor's switch.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SwitchDto {
    /// `on`, `off`, or `auto` (the configured rule decides again).
    pub mode: String,
    /// Why (kept with the switch, its log and the audit).
    #[schema(min_length = 3, max_length = 500)]
    pub reason: String,
}

/// `PUT /api/v1/beds/cold-weather`.
#[utoipa::path(
    put,
    path = "/api/v1/beds/cold-weather",
    tag = "beds",
    operation_id = "switch_cold_weather",
    description = "Switches the cold-weather mode `on` or `off` (wins over the rule) or back to `auto`, with a reason. Stored with a log of every switch and audited. Roles: supervisor.",
    request_body = SwitchDto,
    responses((status = 200, body = ColdWeatherOut), BodyRefusals, Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn switch(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<SwitchDto>,
) -> Result<Json<ColdWeatherOut>> {
    caller.require(SWITCHERS)?;
    let mode = rules::one_of("mode", &dto.mode, &["on", "off", "auto"])?;
    let reason = parse::text("reason", &dto.reason, 500)?;
    if reason.chars().count() < 3 {
        return Err(Error::validation(
            "reason",
            "say why (at least 3 characters)",
        ));
    }
    audit(&state, &caller, &format!("cold_weather_{mode}"), None).await?;
    state
        .emergency
        .set_cold_switch(&ColdSwitch {
            mode,
            reason,
            set_by: caller.name.clone(),
            set_at: Utc::now(),
        })
        .await?;
    Ok(Json(out(&state).await?))
}

/// An outdoor temperature.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemperatureDto {
    /// Degrees Celsius, -60 to 50.
    #[schema(minimum = -60.0, maximum = 50.0)]
    pub celsius: f64,
}

/// `POST /api/v1/beds/temperature`.
#[utoipa::path(
    post,
    path = "/api/v1/beds/temperature",
    tag = "beds",
    operation_id = "post_temperature",
    description = "Posts the outdoor temperature (°C) read by staff (the service has no weather feed); the rule turns the cold-weather mode on while the latest reading, younger than `reading_valid_hours`, is at or below `below_celsius`. Audited. Roles: dispatcher, supervisor, admin.",
    request_body = TemperatureDto,
    responses((status = 201, body = ColdWeatherOut), BodyRefusals, Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn temperature(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<TemperatureDto>,
) -> Result<(StatusCode, Json<ColdWeatherOut>)> {
    caller.require(THERMOMETER)?;
    if !dto.celsius.is_finite() || !(-60.0..=50.0).contains(&dto.celsius) {
        return Err(Error::validation("celsius", "must be -60 to 50"));
    }
    audit(&state, &caller, "beds_temperature", None).await?;
    state
        .emergency
        .put_temperature(&TemperatureReading {
            celsius: dto.celsius,
            recorded_by: caller.name.clone(),
            recorded_at: Utc::now(),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(out(&state).await?)))
}

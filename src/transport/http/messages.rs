//! Messages between dispatch and a driver over HTTP: the day's list, sending, acknowledging.
//! The use cases are in [`crate::transport::service::tablet_messages`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;

use super::shared::{audit, ctx};
use crate::access::Caller;
use crate::error::{ErrorBody, Result};
use crate::state::AppState;
use crate::transport::model::DriverMessage;
use crate::transport::service::tablet_messages::{self, SendRequest};
use crate::web::extract::{AppJson, AppQuery, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::schemas::transport::DriverMessageList;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/transport/messages", get(list).post(send))
        .route("/api/v1/transport/messages/{id}/ack", post(acknowledge))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct MessagesQuery {
    /// The service day; today (local) when absent.
    date: Option<NaiveDate>,
    /// One vehicle's messages (dispatch); a driver may name only their own.
    vehicle: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/transport/messages",
    tag = "transport",
    operation_id = "list_transport_messages",
    description = "The messages between dispatch and drivers of a day, oldest first (the read is audited). A driver gets their own vehicle's only (`vehicle` may only name it: else 403 `not_own_vehicle`); dispatch gets every vehicle's, or `vehicle`'s. Roles: driver; dispatcher, supervisor, admin.",
    params(MessagesQuery),
    responses(
        (status = 200, body = DriverMessageList),
        (status = 422, description = "`vehicle` names no vehicle, or `date` is not a date; named in `error.field`", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(q): AppQuery<MessagesQuery>,
) -> Result<Json<DriverMessageList>> {
    let (date, messages) =
        tablet_messages::list(ctx(&state), &caller, q.date, q.vehicle.as_deref()).await?;
    audit(&state, &caller, "view_transport_messages").await?;
    Ok(Json(DriverMessageList { date, messages }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MessageDto {
    /// Chosen by the sender (a UUID): the same id again is the same message. Made by the
    /// service when absent.
    #[serde(default)]
    message_id: Option<String>,
    /// The vehicle whose driver it is for (dispatch: required; a driver: their own, may be
    /// omitted).
    #[serde(default)]
    vehicle_id: Option<String>,
    /// The trip it is about, kept in that trip's history; it must be on the vehicle.
    #[serde(default)]
    trip_id: Option<String>,
    /// Free text, 1-500 characters (or `canned`).
    #[serde(default)]
    text: Option<String>,
    /// A canned message's code: late_10, late_20, traffic, at_address, rider_not_ready, call_me.
    #[serde(default)]
    canned: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/messages",
    tag = "transport",
    operation_id = "send_transport_message",
    description = "Sends a message: dispatch to a vehicle's driver, or a driver (their own vehicle) to dispatch. Stored before the answer and pushed as a `transport_changed` event of reason `message` to dispatch and that vehicle's driver. A resend of a `message_id` answers 200 with the first message. Roles: driver; dispatcher, supervisor, admin.",
    request_body = MessageDto,
    responses(
        (status = 201, description = "Sent", body = DriverMessage),
        (status = 200, description = "A resend of a stored `message_id`: nothing changed", body = DriverMessage),
        (status = 409, description = "`message_id` was used by another sender (`message_id_taken`)", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn send(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<MessageDto>,
) -> Result<(StatusCode, Json<DriverMessage>)> {
    let req = SendRequest {
        message_id: dto.message_id,
        vehicle_id: dto.vehicle_id,
        trip_id: dto.trip_id,
        text: dto.text,
        canned: dto.canned,
    };
    let (message, new) = tablet_messages::send(ctx(&state), &caller, req).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(message)))
}

#[utoipa::path(
    post,
    path = "/api/v1/transport/messages/{id}/ack",
    tag = "transport",
    operation_id = "acknowledge_transport_message",
    description = "Acknowledges a message once, with its time: the driver a message from dispatch (their own vehicle's only: another's is 404), dispatch a driver's message (read). The first acknowledgement stays; a repeat answers it. Acknowledging one's own side's message is 409 `own_message`. Roles: driver; dispatcher, supervisor, admin.",
    params(("id" = String, Path, description = "The message id")),
    responses(
        (status = 200, body = DriverMessage),
        (status = 404, description = "No such message (or another vehicle's, for a driver)", body = ErrorBody),
        (status = 409, description = "The other side acknowledges this message (`own_message`)", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<DriverMessage>> {
    let message = tablet_messages::acknowledge(ctx(&state), &caller, &id).await?;
    Ok(Json(message))
}

//! Call-back through the telephony provider: `POST /api/v1/items/{id}/dial` asks for an
//! outbound call (the number resolved on the server, `telephony::calls`), and the TwiML the
//! provider fetches once the called person answers connects them to the dispatch desk.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::items::check_item;
use crate::access::Caller;
use crate::core::Command;
use crate::domain::{CaseRecord, ItemId};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::OutgoingCall;
use crate::telephony::calls::{resolve, DialTarget};
use crate::telephony::http::{xml, Signed};
use crate::telephony::twiml::{response, Verb};
use crate::web::extract::{AppJson, PathParam};
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::view::lookup;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DialDto {
    /// `caller` (a call's number, a callback's phone), `beneficiary` or `carer` (of the
    /// alert's TeleAsistență device).
    #[schema(example = "carer")]
    target: String,
    /// Which carer, 1-based in call order (with `target: carer`).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 20)]
    carer: Option<u32>,
}

/// The answer of a dial request: the call is in the outbox.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DialAnswer {
    pub call_id: String,
    /// Always `queued`: the worker places it.
    #[schema(example = "queued")]
    pub status: &'static str,
}

impl DialDto {
    fn target(&self) -> Result<DialTarget> {
        match (self.target.as_str(), self.carer) {
            ("caller", None) => Ok(DialTarget::Caller),
            ("beneficiary", None) => Ok(DialTarget::Beneficiary),
            ("carer", Some(n)) if (1..=20).contains(&n) => Ok(DialTarget::Carer(n as usize)),
            ("carer", _) => Err(Error::validation(
                "carer",
                "a carer number 1-20 is required",
            )),
            ("caller" | "beneficiary", Some(_)) => {
                Err(Error::validation("carer", "only with target carer"))
            }
            _ => Err(Error::validation(
                "target",
                "must be caller, beneficiary or carer",
            )),
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/items/{id}/dial",
    tag = "actions",
    description = "Asks for an outbound call about the item (dispatch roles, who may act on it): \
        the server resolves the number — `caller`: a call's caller number or a callback's phone; \
        `beneficiary` / `carer` N: from the TeleAsistență device registry of an alert — and \
        writes a durable outbox row that a background worker places through the provider's \
        Calls API; once answered, the call is connected to the dispatch desk. The item's \
        history gets a `case_recorded` step `dial_requested` whose note is the target \
        (`caller`, `beneficiary`, `carer:N`). Refusals start their message with a reason code: \
        409 `contact_blocked` (a safe-contact number), 422 `no_number` (withheld, unknown, no \
        such carer), 409 `closed`.",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    request_body = DialDto,
    responses(
        (status = 202, description = "The call is queued", body = DialAnswer),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "`contact_blocked: …` — the number is marked 'do not call back'; or the item is closed", body = ErrorBody),
        (status = 422, description = "`no_number: …` — nothing to call; or a bad field, named", body = ErrorBody),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn dial(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    AppJson(dto): AppJson<DialDto>,
) -> Result<(StatusCode, Json<DialAnswer>)> {
    let item_id: ItemId = check_item(&state, &caller, &id, false)?;
    let target = dto.target()?;
    let (item, _) = lookup(&state, &caller, item_id)?;
    if item.status == crate::domain::Status::Closed {
        return Err(Error::conflict_because(
            "closed",
            format!("item {item_id} is closed"),
        ));
    }
    let to = resolve(state.emergency.as_ref(), &item, target).await?;
    let call = OutgoingCall {
        id: uuid::Uuid::now_v7().to_string(),
        item_id,
        target: target.code(),
        to,
        requested_by: caller.name.clone(),
    };
    state.calls.enqueue(&call).await?;
    // The history shows who asked to call whom (never the number).
    let record = CaseRecord::Step {
        step: "dial_requested".into(),
        answered: None,
        note: call.target.clone(),
    };
    state
        .core
        .execute(&caller.name, Command::Record { item_id, record })
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(DialAnswer {
            call_id: call.id,
            status: "queued",
        }),
    ))
}

/// The TwiML of an answered outbound call: connect it to the dispatch desk.
#[utoipa::path(
    post,
    path = "/telephony/voice/outbound/{call_id}",
    tag = "telephony",
    description = "Fetched by the provider when an outbound call (`POST /api/v1/items/{id}/dial`) \
        is answered: TwiML that connects it to the dispatch desk (`telephony.dispatch_desk_number`, \
        else `telephony.dispatcher_phone`). Signed like every webhook (`X-Twilio-Signature`).",
    params(("call_id" = String, Path, description = "The call id the dial request answered")),
    responses(
        (status = 200, description = "TwiML for the provider", content_type = "text/xml", body = String),
        (status = 403, description = "Missing or invalid `X-Twilio-Signature`", body = ErrorBody),
        (status = 404, description = "No such call", body = ErrorBody),
        (status = 503, description = "Storage is down", body = ErrorBody),
    ),
    security(("twilio_signature" = []))
)]
pub(crate) async fn outbound_twiml(
    State(state): State<AppState>,
    PathParam(call_id): PathParam<String>,
    _signed: Signed,
) -> Result<Response> {
    state
        .calls
        .outbox()
        .call(&call_id)
        .await?
        .ok_or_else(|| Error::NotFound("call".into()))?;
    let config = &state.config.telephony;
    let done = format!(
        "{}/telephony/voice/outbound/{call_id}/done",
        config.public_url.trim_end_matches('/')
    );
    let desk = config.desk_number();
    let body = if desk.is_empty() {
        response(&[
            Verb::Say("Dispeceratul nu poate prelua apelul acum. Vă vom suna din nou."),
            Verb::Hangup,
        ])
    } else {
        response(&[
            Verb::Say(
                "Vă sună dispeceratul Direcției de Asistență Socială Timișoara. Vă facem legătura.",
            ),
            Verb::Dial {
                number: desk,
                timeout_s: config.dial_timeout_s,
                action: &done,
            },
        ])
    };
    Ok(xml(body))
}

/// The end of a connected outbound call: hang up.
#[utoipa::path(
    post,
    path = "/telephony/voice/outbound/{call_id}/done",
    tag = "telephony",
    description = "The `<Dial>` action of an outbound call: hangs up. Signed like every webhook.",
    params(("call_id" = String, Path, description = "The call id")),
    responses(
        (status = 200, description = "TwiML for the provider", content_type = "text/xml", body = String),
        (status = 403, description = "Missing or invalid `X-Twilio-Signature`", body = ErrorBody),
    ),
    security(("twilio_signature" = []))
)]
pub(crate) async fn outbound_done(_signed: Signed) -> Response {
    xml(response(&[Verb::Hangup]))
}

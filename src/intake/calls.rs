//! `POST /api/v1/calls`: call cards from the social-emergency line.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use crate::access::{Caller, Role};
use crate::core::Command;
use crate::domain::parse;
use crate::domain::{CallCategory, CallChannel, Details, Item, Place, Reporter};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::telephony::callers::{call_subject, known_caller};
use crate::web::extract::AppJson;
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::view::ShownItem;
use axum::Json;
use routing::network::CandidateKind;
use routing::network::RoadNetwork;
use routing::travel::LonLat;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CallDto {
    /// The caller's number; absent or null when withheld.
    #[serde(default)]
    #[schema(pattern = r"^\+?[0-9 ().-]{3,24}$")]
    pub caller_number: Option<String>,
    #[schema(value_type = CallCategory)]
    pub category: String,
    pub immediate_danger: bool,
    #[serde(default)]
    pub location: Option<parse::PlaceDto>,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
    /// How the card reached the line (default `phone`).
    #[serde(default)]
    #[schema(value_type = Option<CallChannel>)]
    pub channel: Option<String>,
    /// Who reports it (default `unknown`).
    #[serde(default)]
    #[schema(value_type = Option<Reporter>)]
    pub reporter: Option<String>,
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
        let channel = match self.channel.as_deref() {
            None => CallChannel::default(),
            Some(c) => CallChannel::parse(c).map_err(|m| Error::validation("channel", m))?,
        };
        let reporter = match self.reporter.as_deref() {
            None => Reporter::default(),
            Some(r) => Reporter::parse(r).map_err(|m| Error::validation("reporter", m))?,
        };
        Ok(Details::Call {
            caller_number,
            category,
            immediate_danger: self.immediate_danger,
            location,
            notes,
            channel,
            reporter,
        })
    }
}

/// The position of a typed address, when the road network's best candidate is a full match of
/// a street and house number, and the only one that good; otherwise none (a street alone, or
/// two equally good addresses, would put the case in the wrong place: the console offers the
/// candidates instead).
fn exact_address(net: &RoadNetwork, address: &str) -> Option<LonLat> {
    let found = net.geocode(address, 2);
    let best = found.first()?;
    let full = best.kind == CandidateKind::Address && best.score >= 1.5;
    let unique = found.get(1).is_none_or(|second| second.score < best.score);
    (full && unique).then_some(best.position)
}

/// Fills in the position of a place typed with an address only ([`exact_address`]); a place
/// with a position, or a network still loading, is left as it is.
fn locate(state: &AppState, details: &mut Details) {
    let Details::Call {
        location:
            Some(Place {
                address: Some(address),
                position: position @ None,
            }),
        ..
    } = details
    else {
        return;
    };
    if let Some(net) = state.network.get() {
        *position = exact_address(net, address);
    }
}

/// Accepts a call card.
#[utoipa::path(
    post,
    path = "/api/v1/calls",
    tag = "intake",
    operation_id = "post_call",
    description = "A call card of the social-emergency line (dispatch or telephony). With an \
        `Idempotency-Key` header a repeat answers 200 with the first item. `channel` (default \
        `phone`) and `reporter` (default `unknown`) say how the card came and who reports it. \
        A `location` with an `address` and no position is geocoded on the road network: it \
        gets the position of the best candidate when that is a full street-and-number match \
        (and the only one), else it stays without one. The item's `subject` is the known \
        beneficiary or carer of the number (TeleAsistență registry), at the typed place or \
        the beneficiary's home.",
    request_body = CallDto,
    params(("Idempotency-Key" = Option<String>, Header, description = "1-128 printable ASCII characters")),
    responses(
        (status = 201, description = "Stored and queued", body = Item, headers(("location" = String)), links(
            // The case work a call card leads to (schemathesis follows these).
            ("categorise_item" = (operation_id = "categorise_item", parameters(("id" = "$response.body#/id")))),
            ("post_step" = (operation_id = "post_step", parameters(("id" = "$response.body#/id")))),
            ("refer_item" = (operation_id = "refer_item", parameters(("id" = "$response.body#/id")))),
            ("list_referrals" = (operation_id = "list_referrals", parameters(("id" = "$response.body#/id")))),
            ("schedule_follow_up" = (operation_id = "schedule_follow_up", parameters(("id" = "$response.body#/id")))),
            ("list_follow_ups" = (operation_id = "list_follow_ups", parameters(("id" = "$response.body#/id")))),
            ("mark_safe_contact" = (operation_id = "mark_safe_contact", parameters(("id" = "$response.body#/id")))),
            ("get_emiu_case" = (operation_id = "get_emiu_case", parameters(("id" = "$response.body#/id")))),
            ("post_emiu_risk" = (operation_id = "post_emiu_risk", parameters(("id" = "$response.body#/id")))),
            ("post_emiu_measure" = (operation_id = "post_emiu_measure", parameters(("id" = "$response.body#/id")))),
            ("post_emiu_report" = (operation_id = "post_emiu_report", parameters(("id" = "$response.body#/id")))),
            // The shift's help on a card: who can go, calling back, handing it over.
            ("candidates" = (operation_id = "candidates", parameters(("id" = "$response.body#/id")))),
            ("dial" = (operation_id = "dial", parameters(("id" = "$response.body#/id")))),
            ("reassign" = (operation_id = "reassign", parameters(("id" = "$response.body#/id")))),
            ("unassign" = (operation_id = "unassign", parameters(("id" = "$response.body#/id"))))
        )),
        (status = 200, description = "A repeat of an Idempotency-Key: the first item", body = Item, headers(("location" = String))),
        (status = 429, description = "The credential's rate limit is spent (`limits.intake_*`); nothing was stored. P1 items are never refused: they are accepted and flagged `rate_limited`.", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait"))),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn post(
    State(state): State<AppState>,
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
    let key = crate::web::extract::idempotency_key(&headers, "call", &caller.name)?;
    let mut details = dto.parse()?;
    let rate_limited = state
        .intake_limiter
        .admit(&caller.name, &details)?
        .flagged();
    locate(&state, &mut details);
    let subject = match &details {
        Details::Call {
            caller_number,
            location,
            ..
        } => {
            let known = known_caller(state.emergency.as_ref(), caller_number).await?;
            let place = location.as_ref().or(known.home.as_ref());
            call_subject(known.subject, caller_number, place)
        }
        _ => None,
    };
    let outcome = state
        .core
        .execute(
            &caller.name,
            Command::Create {
                details,
                subject,
                key,
                rate_limited,
            },
        )
        .await?;
    // The answer shows the card as the caller may see it now: a call from a number of a
    // domestic-violence case is born protected, and the telephony credential reads nothing.
    // A dispatcher who has just carded a call is shown what they typed, in full; a repeat of
    // the key is shown as they may see the card now (others may have worked it since).
    let (item, created) = super::created_item(outcome)?;
    let id = item.id;
    let shown = if created && caller.role != Role::Telephony {
        if crate::access::is_sensitive(&item) {
            crate::web::view::audit(
                state.store.as_ref(),
                &caller,
                "card_call",
                id,
                crate::access::Visibility::Full,
            )
            .await?;
        }
        ShownItem::Item(item)
    } else {
        crate::web::view::shown(&state, &caller, "card_call", &item).await?
    };
    Ok(super::created_answer(created, id, Json(shown)))
}

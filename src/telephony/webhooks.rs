//! The webhook handlers. Each body is a form (`application/x-www-form-urlencoded`), verified
//! against its signature before anything is read from it.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use tracing::info;

use super::callers::{call_subject, known_caller};
use super::http::{xml, Signed};
use super::rules::{call_result, caller_number, CallResult};
use super::twiml::{response, Number, Verb};
use crate::config::Ring;
use crate::core::state::StateView;
use crate::core::{Command, Outcome};
use crate::domain::parse;
use crate::domain::{CallCategory, CallChannel, CaseRecord, Details, ItemId, Reporter, Status};
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::referrals::rules::case_number;
use crate::referrals::safe_contact;
use crate::shifts::rules::Line;
use crate::shifts::service::lines_at;
use crate::state::AppState;
use crate::transport::service::replies::Handled;

/// The actor recorded for what the provider's webhooks cause.
const ACTOR: &str = "telephony";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/telephony/voice", post(voice))
        .route("/telephony/voice/status", post(status))
        .route("/telephony/voice/next", post(next))
        .route("/telephony/voice/hold", post(hold))
        .route("/telephony/sms", post(sms))
}

/// A provider id (`CA…`, `SM…`).
fn sid(params: &Signed, name: &str) -> Result<String> {
    parse::identifier(name, params.required(name)?, 64)
}

fn created_item(outcome: Outcome) -> Result<(ItemId, bool)> {
    match outcome {
        Outcome::Item { item, created } => Ok((item.id, created)),
        _ => Err(Error::Internal(anyhow::anyhow!(
            "create answered without an item"
        ))),
    }
}

/// An incoming call: a call card at once, then connect the caller or hold them.
#[utoipa::path(
    post,
    path = "/telephony/voice",
    tag = "telephony",
    description = "The provider's incoming-call webhook: cards the call (P1 unclassified call, keyed by `CallSid`, so a retry cards nothing new) and answers TwiML that greets the caller and puts them through to a dispatcher. Authenticated by `X-Twilio-Signature` (HMAC-SHA1 of the public URL and the sorted form parameters, keyed with `telephony.auth_token`), checked before anything is read: a missing or bad signature is a 403 that changes nothing.",
    request_body(content = crate::web::schemas::telephony::VoiceForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "TwiML for the provider", content_type = "text/xml", body = String),
        (status = 400, description = "Not a form body (`application/x-www-form-urlencoded`), or a malformed one", body = ErrorBody),
        (status = 403, description = "Missing or invalid `X-Twilio-Signature`", body = ErrorBody),
        (status = 422, description = "`CallSid` is missing or not an identifier", body = ErrorBody),
        (status = 503, description = "Storage is down: nothing was done; the provider retries", body = ErrorBody),
    ),
    security(("twilio_signature" = []))
)]
pub(crate) async fn voice(State(state): State<AppState>, params: Signed) -> Result<Response> {
    let call_sid = sid(&params, "CallSid")?;
    let number = caller_number(params.get("From"));
    let known = known_caller(state.emergency.as_ref(), &number).await?;
    let notes = format!("Apel intrat pe linia de urgență. {}", known.line)
        .trim()
        .to_owned();
    let subject = call_subject(known.subject, &number, known.home.as_ref());
    let details = Details::Call {
        caller_number: number,
        category: CallCategory::Unclassified,
        immediate_danger: false,
        location: known.home,
        notes,
        channel: CallChannel::Phone,
        reporter: Reporter::Unknown,
    };
    let outcome = state
        .core
        .execute(
            ACTOR,
            Command::Create {
                details,
                subject,
                key: Some(format!("twilio-call:{call_sid}")),
                rate_limited: false,
            },
        )
        .await?;
    let (item_id, created) = created_item(outcome)?;
    state.emergency.put_call(&call_sid, item_id).await?;
    if created {
        info!(item.id = %item_id, "incoming call carded");
    }
    // The people on duty when the call came in (a retried webhook finds the same card, so the
    // same moment and the same phones); nobody on duty with a phone: the desk, as configured.
    let received = state
        .core
        .read(|s| s.item(&item_id).map(|i| i.times.received))
        .unwrap_or_else(chrono::Utc::now);
    let lines = lines_at(state.roster.as_ref(), received).await?;
    let t = &state.config.telephony;
    let shifts = &state.config.shifts;
    let first_action;
    let verbs = if !lines.is_empty() {
        match shifts.ring {
            Ring::Simultaneous => vec![
                Verb::Say(&t.greeting),
                Verb::DialNumbers {
                    numbers: lines.iter().map(dial_number).collect(),
                    timeout_s: t.dial_timeout_s,
                    action: "/telephony/voice/status",
                },
            ],
            Ring::Sequential => {
                first_action = next_action(1);
                vec![
                    Verb::Say(&t.greeting),
                    Verb::DialNumbers {
                        numbers: vec![dial_number(&lines[0])],
                        timeout_s: shifts.sequential_timeout_s,
                        action: &first_action,
                    },
                ]
            }
        }
    } else if t.dispatcher_phone.is_empty() {
        vec![
            Verb::Say(&t.greeting),
            Verb::Enqueue {
                queue: &t.queue_name,
                wait_url: "/telephony/voice/hold",
                action: "/telephony/voice/status",
            },
        ]
    } else {
        vec![
            Verb::Say(&t.greeting),
            Verb::Dial {
                number: &t.dispatcher_phone,
                timeout_s: t.dial_timeout_s,
                action: "/telephony/voice/status",
            },
        ]
    };
    Ok(xml(response(&verbs)))
}

fn dial_number(line: &Line) -> Number<'_> {
    Number {
        number: &line.phone,
        send_digits: line.send_digits.as_deref(),
    }
}

/// The `<Dial>` action of sequential ringing once `tried` phones were rung.
fn next_action(tried: usize) -> String {
    format!("/telephony/voice/next?tried={tried}")
}

/// How many phones sequential ringing has tried, from the action URL's `tried=N`.
fn tried(query: Option<&str>) -> Result<usize> {
    query
        .unwrap_or("")
        .split('&')
        .find_map(|p| p.strip_prefix("tried="))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| (1..=100).contains(n))
        .ok_or_else(|| Error::validation("tried", "must be 1-100 (the phones already rung)"))
}

/// Sequential ringing: the `<Dial>` action after each phone. No answer, busy or failed rings the
/// next person on duty; after the last, or when the call was answered or the caller hung up, it
/// is the call's outcome exactly as `/telephony/voice/status` records it.
#[utoipa::path(
    post,
    path = "/telephony/voice/next",
    tag = "telephony",
    description = "The `<Dial>` action of sequential ringing (`shifts.ring = \"sequential\"`), `?tried=N` after the N-th phone of the people on duty when the call came in. A `DialCallStatus` of `no-answer`, `busy` or `failed` with someone left answers TwiML dialling the next phone (`?tried=N+1`); otherwise — answered, the caller hung up, or everyone was tried — it does what `/telephony/voice/status` does (records answered, or the missed call's callback item or, for a withheld or safe-contact number, the note). Authenticated by `X-Twilio-Signature` (HMAC-SHA1 of the public URL with its query and the sorted form parameters, keyed with `telephony.auth_token`), checked before anything is read: a missing or bad signature is a 403 that changes nothing.",
    params(("tried" = usize, Query, description = "How many phones were rung so far (1-100)")),
    request_body(content = crate::web::schemas::telephony::StatusForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "TwiML for the provider", content_type = "text/xml", body = String),
        (status = 400, description = "Not a form body (`application/x-www-form-urlencoded`), or a malformed one", body = ErrorBody),
        (status = 403, description = "Missing or invalid `X-Twilio-Signature`", body = ErrorBody),
        (status = 409, description = "The call's item is closed and cannot take a note", body = ErrorBody),
        (status = 422, description = "`CallSid` is missing or not an identifier, or `tried` is not 1-100", body = ErrorBody),
        (status = 503, description = "Storage is down: nothing was done; the provider retries", body = ErrorBody),
    ),
    security(("twilio_signature" = []))
)]
pub(crate) async fn next(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    params: Signed,
) -> Result<Response> {
    let call_sid = sid(&params, "CallSid")?;
    let tried = tried(query.as_deref())?;
    if matches!(
        params.get("DialCallStatus"),
        Some("no-answer" | "busy" | "failed")
    ) {
        let item_id = state.emergency.call_item(&call_sid).await?;
        let received = item_id
            .and_then(|id| state.core.read(|s| s.item(&id).map(|i| i.times.received)))
            .unwrap_or_else(chrono::Utc::now);
        let lines = lines_at(state.roster.as_ref(), received).await?;
        if let Some(line) = lines.get(tried) {
            let action = next_action(tried + 1);
            return Ok(xml(response(&[Verb::DialNumbers {
                numbers: vec![dial_number(line)],
                timeout_s: state.config.shifts.sequential_timeout_s,
                action: &action,
            }])));
        }
    }
    settle(&state, &call_sid, &params).await
}

/// What a caller hears while held in the queue.
#[utoipa::path(
    post,
    path = "/telephony/voice/hold",
    tag = "telephony",
    description = "What a caller hears while queued (TwiML). Authenticated by `X-Twilio-Signature` (HMAC-SHA1 of the public URL and the sorted form parameters, keyed with `telephony.auth_token`), checked before anything is read: a missing or bad signature is a 403 that changes nothing.",
    request_body(content = crate::web::schemas::telephony::HoldForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "TwiML for the provider", content_type = "text/xml", body = String),
        (status = 400, description = "Not a form body (`application/x-www-form-urlencoded`), or a malformed one", body = ErrorBody),
        (status = 403, description = "Missing or invalid `X-Twilio-Signature`", body = ErrorBody),
        (status = 503, description = "Storage is down: nothing was done; the provider retries", body = ErrorBody),
    ),
    security(("twilio_signature" = []))
)]
pub(crate) async fn hold(State(state): State<AppState>, _params: Signed) -> Result<Response> {
    let t = &state.config.telephony;
    let mut verbs = vec![Verb::Say(&t.hold_message)];
    if !t.hold_music_url.is_empty() {
        verbs.push(Verb::Play(&t.hold_music_url));
    }
    Ok(xml(response(&verbs)))
}

/// The call's outcome: answered goes on the card; missed also puts a 'call back' item in the
/// queue, unless the number is withheld or marked safe-contact.
#[utoipa::path(
    post,
    path = "/telephony/voice/status",
    tag = "telephony",
    description = "The provider's call-status callback: records answered or missed on the call card. A missed call settles its card when nobody took it (closed with outcome `missed_call`) and raises a `missed_call` callback item (P2) for a number that may be called back, or a note on the card for a withheld or safe-contact number; a card a dispatcher already took stays open with a note, so one missed call never leaves two open items. Authenticated by `X-Twilio-Signature` (HMAC-SHA1 of the public URL and the sorted form parameters, keyed with `telephony.auth_token`), checked before anything is read: a missing or bad signature is a 403 that changes nothing.",
    request_body(content = crate::web::schemas::telephony::StatusForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "TwiML for the provider", content_type = "text/xml", body = String),
        (status = 400, description = "Not a form body (`application/x-www-form-urlencoded`), or a malformed one", body = ErrorBody),
        (status = 403, description = "Missing or invalid `X-Twilio-Signature`", body = ErrorBody),
        (status = 409, description = "The call's item is closed and cannot take a note", body = ErrorBody),
        (status = 422, description = "`CallSid` is missing or not an identifier", body = ErrorBody),
        (status = 503, description = "Storage is down: nothing was done; the provider retries", body = ErrorBody),
    ),
    security(("twilio_signature" = []))
)]
pub(crate) async fn status(State(state): State<AppState>, params: Signed) -> Result<Response> {
    let call_sid = sid(&params, "CallSid")?;
    settle(&state, &call_sid, &params).await
}

/// The call's outcome as the provider reports it: answered on the card; missed settles the
/// card and raises the callback (or the note for a number that may not be called back).
async fn settle(state: &AppState, call_sid: &str, params: &Signed) -> Result<Response> {
    let result = call_result(
        params.get("DialCallStatus"),
        params.get("QueueResult"),
        params.get("CallStatus"),
    );
    // A call the voice webhook never carded (it failed) still gets its callback when missed.
    let item_id = state.emergency.call_item(call_sid).await?;
    match result {
        CallResult::Other => Ok(xml(response(&[]))),
        CallResult::Answered => {
            if let Some(item_id) = item_id {
                record_status(state, item_id, "answered").await?;
            }
            Ok(xml(response(&[])))
        }
        CallResult::Missed => {
            let card = item_id.and_then(|id| {
                state.core.read(|s| {
                    s.item(&id).map(|i| {
                        let number = match &i.details {
                            Details::Call { caller_number, .. } => Some(caller_number.clone()),
                            _ => None,
                        };
                        (id, i.status, number)
                    })
                })
            });
            let number = card
                .as_ref()
                .and_then(|(_, _, n)| n.clone())
                .unwrap_or_else(|| caller_number(params.get("From")));
            if let Some(item_id) = item_id {
                record_status(state, item_id, "missed").await?;
            }
            // One open item per missed call: a card still ringing (nobody took it) is settled
            // (`missed_call`) and the callback, or the note, carries the follow-up; a card a
            // dispatcher has taken stays theirs, with a note, and no second item is raised.
            let taken = card.as_ref().and_then(|(id, status, _)| {
                matches!(
                    status,
                    Status::Acknowledged | Status::Assigned | Status::InProgress
                )
                .then_some(*id)
            });
            if let Some((id, Status::New, _)) = &card {
                state
                    .core
                    .execute(
                        ACTOR,
                        Command::Settle {
                            item_id: *id,
                            outcome: "missed_call",
                        },
                    )
                    .await?;
            }
            let blocked = number != "withheld"
                && safe_contact::is_contact_blocked(state.emergency.as_ref(), &number).await?;
            let promise_callback = number != "withheld" && !blocked;
            if let Some(item_id) = taken {
                let text = if promise_callback {
                    "Apel pierdut după preluarea fișei: apelantul trebuie sunat înapoi."
                } else if blocked {
                    "Apel pierdut după preluarea fișei. Numărul este marcat „nu sunați înapoi / fără SMS”."
                } else {
                    "Apel pierdut după preluarea fișei, de la un număr ascuns: nu poate fi sunat înapoi."
                };
                add_note(state, item_id, text).await?;
            } else if !promise_callback {
                if let Some(item_id) = item_id {
                    let text = if blocked {
                        "Apel pierdut. Numărul este marcat „nu sunați înapoi / fără SMS”: nu se programează apel înapoi."
                    } else {
                        "Apel pierdut de la un număr ascuns: nu poate fi sunat înapoi."
                    };
                    add_note(state, item_id, text).await?;
                }
            } else {
                state
                    .core
                    .execute(
                        ACTOR,
                        Command::Create {
                            details: Details::Callback {
                                phone: number,
                                reason: "missed_call".into(),
                                related: item_id,
                            },
                            subject: None,
                            key: Some(format!("missed-call:{call_sid}")),
                            rate_limited: false,
                        },
                    )
                    .await?;
            }
            // A safe-contact caller is told nothing about a callback: none will come.
            let sorry = if promise_callback {
                "Ne pare rău, niciun dispecer nu a putut prelua apelul. Vă vom suna înapoi cât mai curând."
            } else {
                "Ne pare rău, niciun dispecer nu a putut prelua apelul. Vă rugăm să sunați din nou."
            };
            Ok(xml(response(&[Verb::Say(sorry), Verb::Hangup])))
        }
    }
}

async fn add_note(state: &AppState, item_id: ItemId, text: &str) -> Result<()> {
    state
        .core
        .execute(
            ACTOR,
            Command::AddNote {
                item_id,
                text: text.into(),
            },
        )
        .await?;
    Ok(())
}

async fn record_status(state: &AppState, item_id: ItemId, status: &str) -> Result<()> {
    state
        .core
        .execute(
            ACTOR,
            Command::Record {
                item_id,
                record: CaseRecord::CallStatus {
                    status: status.into(),
                },
            },
        )
        .await?;
    Ok(())
}

/// An incoming SMS: a note on the open item of the same number, or a new card. Never an
/// automatic reply (the aggressor may hold the phone).
#[utoipa::path(
    post,
    path = "/telephony/sms",
    tag = "telephony",
    description = "The provider's incoming-SMS webhook. A reply from an adapted-transport rider's (or carer's) number to a confirmation or reminder of a trip today or tomorrow is acted on: `DA` confirms the next such trip, `NU` / `ANULEZ` cancel it (late-cancel policy applies), `UNDE` is answered with the vehicle's ETA, each answered by SMS naming the trip; any other text becomes the card below, naming the rider and the trip. A safe-contact number is never interpreted or answered. Otherwise: a note on the sender's open call or callback item, else a new unclassified call card of channel `sms` (its own queue rule, `call-sms`). Recorded once per `MessageSid`: a retried message adds no second note or card. Authenticated by `X-Twilio-Signature` (HMAC-SHA1 of the public URL and the sorted form parameters, keyed with `telephony.auth_token`), checked before anything is read: a missing or bad signature is a 403 that changes nothing.",
    request_body(content = crate::web::schemas::telephony::SmsForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "TwiML for the provider", content_type = "text/xml", body = String),
        (status = 400, description = "Not a form body (`application/x-www-form-urlencoded`), or a malformed one", body = ErrorBody),
        (status = 403, description = "Missing or invalid `X-Twilio-Signature`", body = ErrorBody),
        (status = 409, description = "The sender's item was closed meanwhile", body = ErrorBody),
        (status = 422, description = "`MessageSid` is missing, or `Body` is longer than 1600 characters", body = ErrorBody),
        (status = 503, description = "Storage is down: nothing was done; the provider retries", body = ErrorBody),
    ),
    security(("twilio_signature" = []))
)]
pub(crate) async fn sms(State(state): State<AppState>, params: Signed) -> Result<Response> {
    let message_sid = sid(&params, "MessageSid")?;
    let number = caller_number(params.get("From"));
    let body = parse::text("Body", params.get("Body").unwrap_or(""), 1600)?;
    // One key per message, whichever way it is recorded: the provider posts a message again
    // when our answer was slow or lost, and the second post must record nothing, whether it
    // finds the card the first one made (as an open item of the number) or the item since closed.
    let key = format!("twilio-sms:{message_sid}");
    // A rider's answer to a transport confirmation or reminder (DA / NU / ANULEZ / UNDE) is
    // acted on; an answer it cannot act on becomes the card's text. Never for a safe-contact
    // number: that one is only carded, as before.
    let mut body = body;
    if number != "withheld"
        && !safe_contact::is_contact_blocked(state.emergency.as_ref(), &number).await?
    {
        let ctx = crate::transport::http::shared::ctx(&state);
        match crate::transport::service::replies::handle(ctx, &message_sid, &number, &body).await? {
            Some(Handled { note: None }) => return Ok(xml(response(&[]))),
            Some(Handled { note: Some(text) }) => body = text,
            None => {}
        }
    }
    let open = if number == "withheld" {
        None
    } else {
        state.core.read(|s| {
            s.items()
                .filter(|i| i.status != Status::Closed)
                .filter(|i| case_number(&i.details) == Some(number.as_str()))
                .max_by_key(|i| i.times.received)
                .map(|i| i.id)
        })
    };
    match open {
        Some(item_id) => {
            state
                .core
                .execute(
                    ACTOR,
                    Command::AddNoteOnce {
                        item_id,
                        text: format!("SMS primit: {body}"),
                        key,
                    },
                )
                .await?;
        }
        None => {
            let known = known_caller(state.emergency.as_ref(), &number).await?;
            let notes = format!("SMS primit: {body} {}", known.line)
                .trim()
                .to_owned();
            let subject = call_subject(known.subject, &number, known.home.as_ref());
            state
                .core
                .execute(
                    ACTOR,
                    Command::Create {
                        details: Details::Call {
                            caller_number: number,
                            category: CallCategory::Unclassified,
                            immediate_danger: false,
                            location: known.home,
                            notes,
                            channel: CallChannel::Sms,
                            reporter: Reporter::Unknown,
                        },
                        subject,
                        key: Some(key),
                        rate_limited: false,
                    },
                )
                .await?;
        }
    }
    Ok(xml(response(&[])))
}

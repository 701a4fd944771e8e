//! The emergency line over telephony: Twilio-compatible webhooks.
//!
//! - [`signature`]: `X-Twilio-Signature` (HMAC-SHA1 of URL + sorted parameters).
//! - [`twiml`]: the XML answers.
//! - [`rules`]: how a call ended up, from the provider's statuses; the caller's number.
//! - [`callers`]: a number matched against the TeleAsistență beneficiaries and carers.
//! - [`http`]: the signed form every webhook is read through.
//! - [`calls`]: outbound calls a dispatcher asked for, their outbox worker and Calls API client.
//! - `webhooks`: `POST /telephony/voice`, `/telephony/voice/status` (also as the `<Dial>` and
//!   `<Enqueue>` action), `/telephony/voice/hold`, `/telephony/sms`.
//!
//! The provider authenticates by signing every request with the account's auth token; an
//! unsigned or badly signed request gets 403 and changes nothing. An incoming call becomes a
//! call card at once (matched to a known beneficiary or carer), and the caller is connected to
//! the on-duty dispatcher's phone or held in a queue with a Romanian message. A call nobody
//! answers becomes a P2 'call back' item — unless its number is marked safe-contact.

pub(crate) mod callers;
pub(crate) mod calls;
pub(crate) mod http;
pub(crate) mod rules;
pub(crate) mod signature;
pub(crate) mod twiml;
pub(crate) mod webhooks;

pub(crate) use webhooks::router;

//! One DC-09 message in, one answer out: the receiver's use case.
//!
//! The answer to a message that carries an event goes out only after what it caused is
//! committed (the item through the core, the check-in in the registry): an `ACK` means stored.
//! A retransmission (same account, sequence number and event, the same day) carries the same
//! idempotency key and answers `ACK` with nothing new stored; one that arrives on another day
//! is still one alarm while the first is open (the core counts it as a repeat). When storing
//! fails, no answer goes out, so the device retransmits or turns to its backup path.
//!
//! Answers, as this receiver applies DC-09:
//! - `NAK` (with the receiver's time): a frame with a bad CRC, a wrong length, broken fields,
//!   garbage between `LF` and `CR`, a body that does not decrypt with the account's key, or a
//!   timestamp outside the window (also a missing timestamp on an encrypted message).
//! - `DUH`: a valid frame the receiver will not handle: an ID token other than `SIA-DCS`,
//!   `ADM-CID`, `NULL`; plain text from an account configured for encryption (or the reverse);
//!   an encrypted message from an account nobody configured (it cannot be read; an item tells
//!   the supervisor that it came).
//! - `ACK` otherwise, including for an unknown account or event code: those become items for
//!   the supervisor, never dropped.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use tracing::warn;

use super::rules::events::{self, Action, CodeTable, Event};
use super::rules::frame::{self, Answer, Body, Frame, Key, Refusal};
use crate::core::{Command, CoreHandle, Outcome};
use crate::domain::{AlarmType, Details, ItemId, Status};
use crate::store::{EmergencyStore, ReceiverAccount, ReceiverStore};

/// The actor and `receiver` of everything the DC-09 receiver records.
pub(crate) const ACTOR: &str = "dc09";

/// The receiver's handles and settings.
#[derive(Clone)]
pub(crate) struct Receiver {
    pub accounts: Arc<dyn ReceiverStore>,
    pub emergency: Arc<dyn EmergencyStore>,
    pub core: CoreHandle,
    pub codes: Arc<CodeTable>,
    pub window_s: i64,
}

/// Why a message could not be stored (no answer is sent).
#[derive(Debug)]
pub(crate) struct NotStored(pub String);

impl Receiver {
    /// Answers one frame (`LF` … `CR`) that came over `transport` (`tcp`/`udp`); `None` when
    /// nothing must be answered (storing failed: the device retransmits).
    pub(crate) async fn handle(&self, raw: &[u8], transport: &'static str) -> Option<Vec<u8>> {
        let started = Instant::now();
        let now = Utc::now();
        let result = self.answer(raw, now).await;
        let out = match result {
            Ok(Reply::Ack(bytes, id)) => {
                metrics::counter!("dispecer_receiver_messages_total", "transport" => transport, "id" => id, "answer" => "ack").increment(1);
                Some(bytes)
            }
            Ok(Reply::Duh(bytes, reason)) => {
                metrics::counter!("dispecer_receiver_duh_total", "reason" => reason).increment(1);
                metrics::counter!("dispecer_receiver_messages_total", "transport" => transport, "id" => "other", "answer" => "duh").increment(1);
                Some(bytes)
            }
            Ok(Reply::Nak(reason)) => {
                metrics::counter!("dispecer_receiver_naks_total", "reason" => reason.as_str())
                    .increment(1);
                metrics::counter!("dispecer_receiver_messages_total", "transport" => transport, "id" => "other", "answer" => "nak").increment(1);
                Some(frame::nak(now))
            }
            Err(NotStored(e)) => {
                metrics::counter!("dispecer_receiver_not_stored_total").increment(1);
                warn!(error = %e, "DC-09 message not stored; left unanswered for retransmission");
                None
            }
        };
        metrics::histogram!("dispecer_receiver_answer_seconds", "transport" => transport)
            .record(started.elapsed().as_secs_f64());
        out
    }

    async fn answer(&self, raw: &[u8], now: DateTime<Utc>) -> Result<Reply, NotStored> {
        let f = match frame::parse(raw) {
            Ok(f) => f,
            Err(r) => return Ok(Reply::Nak(r)),
        };
        let account = self
            .accounts
            .receiver_account(&f.account.to_ascii_uppercase())
            .await
            .map_err(|e| NotStored(e.to_string()))?;
        let Some(account) = account else {
            return self.unknown_account(&f, now).await;
        };
        let key = match &account.key_hex {
            Some(hex) => Some(Key::from_hex(hex).map_err(|_| {
                NotStored(format!(
                    "account {}: its stored key is not a valid AES key",
                    f.account
                ))
            })?),
            None => None,
        };
        let plain = match (&key, f.encrypted) {
            (Some(k), true) => match frame::decrypt(k, &f.body) {
                Ok(p) => p,
                Err(r) => return Ok(Reply::Nak(r)),
            },
            (None, false) => f.body.clone(),
            (Some(_), false) => return Ok(duh(&f, now, "plain_for_encrypted_account")),
            (None, true) => return Ok(duh(&f, now, "encrypted_for_plain_account")),
        };
        let body = match frame::body(&plain) {
            Ok(b) => b,
            Err(r) => return Ok(Reply::Nak(r)),
        };
        match body.timestamp {
            Some(t) if !frame::in_window(t, now, self.window_s) => {
                return Ok(Reply::Nak(Refusal::Timestamp))
            }
            None if f.encrypted => return Ok(Reply::Nak(Refusal::MissingTimestamp)),
            _ => {}
        }
        let id: &'static str = match f.id.as_str() {
            "NULL" => "null",
            "ADM-CID" => "adm-cid",
            "SIA-DCS" => "sia-dcs",
            _ => return Ok(duh(&f, now, "unsupported_id")),
        };
        let checkin = if id == "null" {
            true
        } else {
            self.event(&f, &account, &body, now).await?
        };
        if checkin {
            if let Some(device) = &account.device_id {
                self.emergency
                    .record_checkin(device, now, None)
                    .await
                    .map_err(|e| NotStored(e.to_string()))?;
            }
            metrics::counter!("dispecer_receiver_checkins_total").increment(1);
        }
        self.accounts
            .receiver_heard(
                &f.account.to_ascii_uppercase(),
                now.timestamp_millis(),
                checkin,
            )
            .await
            .map_err(|e| NotStored(e.to_string()))?;
        Ok(Reply::Ack(
            frame::answer(Answer::Ack, &f, key.as_ref(), now, pad),
            id,
        ))
    }

    /// Records the event of a message from a known account; `true` when it is a check-in.
    async fn event(
        &self,
        f: &Frame,
        account: &ReceiverAccount,
        body: &Body,
        now: DateTime<Utc>,
    ) -> Result<bool, NotStored> {
        let device = account
            .device_id
            .clone()
            .unwrap_or_else(|| format!("dc09-{}", f.account));
        let device_time = body.timestamp.unwrap_or(now);
        let Some(event) = events::parse(&f.id, &body.data) else {
            // Unreadable data: an item all the same, as an unknown code.
            self.alarm(
                f,
                &device,
                AlarmType::Button,
                device_time,
                "unreadable",
                now,
                true,
            )
            .await?;
            return Ok(false);
        };
        match self.codes.action(&event) {
            Action::CheckIn => Ok(true),
            Action::Alarm(t) => {
                self.alarm(f, &device, t, device_time, &event.label(), now, false)
                    .await?;
                Ok(false)
            }
            Action::Unknown => {
                self.alarm(
                    f,
                    &device,
                    AlarmType::Button,
                    device_time,
                    &event.label(),
                    now,
                    true,
                )
                .await?;
                Ok(false)
            }
            Action::Restore(t) => {
                self.note_on_open(
                    f,
                    &device,
                    Some(t),
                    &event,
                    now,
                    "Revenire la normal semnalată de dispozitiv",
                )
                .await?;
                Ok(false)
            }
            Action::Cancel => {
                self.note_on_open(
                    f,
                    &device,
                    None,
                    &event,
                    now,
                    "Alarmă anulată de utilizator pe dispozitiv",
                )
                .await?;
                Ok(false)
            }
        }
    }

    /// An alarm item, keyed by account, sequence, event and day.
    #[allow(clippy::too_many_arguments)]
    async fn alarm(
        &self,
        f: &Frame,
        device: &str,
        alarm_type: AlarmType,
        device_time: DateTime<Utc>,
        label: &str,
        now: DateTime<Utc>,
        unknown_code: bool,
    ) -> Result<ItemId, NotStored> {
        let key = dedupe_key(f, label, now);
        let subject = crate::teleasistenta::subject::of_device(self.emergency.as_ref(), device)
            .await
            .map_err(|e| NotStored(e.to_string()))?;
        let mut alarm_id = format!("{}-{label}", f.seq);
        alarm_id.truncate(64);
        let out = self
            .core
            .execute(
                ACTOR,
                Command::Create {
                    details: Details::Alert {
                        device_id: device.to_owned(),
                        alarm_type,
                        device_time,
                        receiver_alarm_id: alarm_id,
                        receiver: ACTOR.into(),
                    },
                    subject,
                    key: Some(key.clone()),
                    rate_limited: false,
                },
            )
            .await
            .map_err(|e| NotStored(e.to_string()))?;
        let Outcome::Item { item, .. } = out else {
            return Err(NotStored("the core answered no item".into()));
        };
        metrics::counter!("dispecer_receiver_alarms_total", "known_code" => if unknown_code { "no" } else { "yes" }).increment(1);
        if unknown_code {
            self.note_once(
                item.id,
                format!(
                    "Cod de eveniment DC-09 necunoscut în tabel ({label}): verificați dispozitivul"
                ),
                format!("{key}|unknown"),
            )
            .await?;
        }
        Ok(item.id)
    }

    async fn note_once(&self, item_id: ItemId, text: String, key: String) -> Result<(), NotStored> {
        self.core
            .execute(ACTOR, Command::AddNoteOnce { item_id, text, key })
            .await
            .map(|_| ())
            .map_err(|e| NotStored(e.to_string()))
    }

    /// A restore or a cancel: a note on the device's open alarm (of `alarm_type`, or any).
    async fn note_on_open(
        &self,
        f: &Frame,
        device: &str,
        alarm_type: Option<AlarmType>,
        event: &Event,
        now: DateTime<Utc>,
        text: &str,
    ) -> Result<(), NotStored> {
        let open = self.core.read(|s| {
            s.items()
                .filter(|i| i.status != Status::Closed)
                .filter(|i| match &i.details {
                    Details::Alert {
                        device_id,
                        alarm_type: t,
                        ..
                    } => device_id == device && alarm_type.is_none_or(|want| want == *t),
                    _ => false,
                })
                .max_by_key(|i| i.times.received)
                .map(|i| i.id)
        });
        metrics::counter!("dispecer_receiver_restores_total", "on_open_item" => if open.is_some() { "yes" } else { "no" }).increment(1);
        if let Some(item_id) = open {
            let label = event.label();
            self.note_once(
                item_id,
                format!("{text} ({label}, zona/utilizator {})", event.zone()),
                dedupe_key(f, &label, now),
            )
            .await?;
        }
        Ok(())
    }

    /// A message from an account nobody configured: an item for the supervisor (one per
    /// account, sequence and day), then `ACK` for a plain one (its event is on the item) or
    /// `DUH` for an encrypted one (it cannot be read).
    async fn unknown_account(&self, f: &Frame, now: DateTime<Utc>) -> Result<Reply, NotStored> {
        let device = format!("dc09-{}", f.account);
        let (label, readable) = if f.encrypted {
            ("unknown-account-encrypted".to_owned(), None)
        } else {
            match frame::body(&f.body) {
                Ok(b) => (
                    events::parse(&f.id, &b.data)
                        .map_or_else(|| format!("unknown-account-{}", f.id), |e| e.label()),
                    Some(b),
                ),
                Err(r) => return Ok(Reply::Nak(r)),
            }
        };
        let alarm_type = readable
            .as_ref()
            .and_then(|b| events::parse(&f.id, &b.data))
            .and_then(|e| match self.codes.action(&e) {
                Action::Alarm(t) => Some(t),
                _ => None,
            })
            .unwrap_or(AlarmType::Button);
        let key = dedupe_key(f, &label, now);
        let out = self
            .core
            .execute(
                ACTOR,
                Command::Create {
                    details: Details::Alert {
                        device_id: device,
                        alarm_type,
                        device_time: readable.and_then(|b| b.timestamp).unwrap_or(now),
                        receiver_alarm_id: format!("{}-{label}", f.seq).chars().take(64).collect(),
                        receiver: ACTOR.into(),
                    },
                    subject: None,
                    key: Some(key.clone()),
                    rate_limited: false,
                },
            )
            .await
            .map_err(|e| NotStored(e.to_string()))?;
        if let Outcome::Item { item, .. } = out {
            self.note_once(
                item.id,
                format!(
                    "Cont DC-09 necunoscut ({}): adăugați-l cu `dispecer receiver account add` \
                     sau verificați dispozitivul",
                    f.account
                ),
                format!("{key}|unknown-account"),
            )
            .await?;
        }
        metrics::counter!("dispecer_receiver_unknown_accounts_total").increment(1);
        if f.encrypted {
            Ok(duh(f, now, "unknown_account_encrypted"))
        } else {
            Ok(Reply::Ack(
                frame::answer(Answer::Ack, f, None, now, pad),
                "unknown_account",
            ))
        }
    }
}

enum Reply {
    Ack(Vec<u8>, &'static str),
    Duh(Vec<u8>, &'static str),
    Nak(Refusal),
}

fn duh(f: &Frame, now: DateTime<Utc>, reason: &'static str) -> Reply {
    Reply::Duh(frame::answer(Answer::Duh, f, None, now, pad), reason)
}

/// Pad characters of an encrypted answer: printable, never `[`, `]`, `|`.
fn pad(_: usize) -> u8 {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    ALPHABET[rand::random_range(0..ALPHABET.len())]
}

/// The idempotency key of a message's event: account, sequence, event and the day of receipt
/// (sequences wrap at 9999; a device would need a message every 9 s to wrap within a day).
fn dedupe_key(f: &Frame, label: &str, now: DateTime<Utc>) -> String {
    format!(
        "dc09|{}|{}|{label}|{}",
        f.account,
        f.seq,
        now.format("%Y-%m-%d")
    )
}

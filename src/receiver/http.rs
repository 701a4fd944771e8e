//! `GET /api/v1/receiver/accounts`: the DC-09 accounts and how each stands, for the
//! supervisor's panel. No keys (only whether the account encrypts), no personal data.

use std::collections::HashMap;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::access::{Caller, Role};
use crate::error::Result;
use crate::state::AppState;
use crate::web::schemas::common::Refusals;

/// One account as the panel shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ReceiverAccountView {
    pub account: String,
    /// Messages are AES-encrypted (the key itself is never shown).
    pub encrypted: bool,
    pub device_id: Option<String>,
    pub last_seen: Option<DateTime<Utc>>,
    pub last_checkin: Option<DateTime<Utc>>,
    pub messages: i64,
    /// Seconds within which the account must be heard from: its own interval when set (which
    /// is then also the linked device's check-in period), else the linked device's period;
    /// absent when nothing supervises it.
    pub supervision_s: Option<i64>,
    /// Where `supervision_s` comes from: `account` (its own) or `device` (the registry's).
    #[schema(pattern = "^(account|device)$")]
    pub supervision_from: Option<String>,
    /// `never` (nothing heard yet), `ok`, or `silent` (past its period plus the grace).
    #[schema(pattern = "^(never|ok|silent)$")]
    pub state: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ReceiverAccountList {
    /// False when `[receiver] enabled` is off: nothing is listening.
    pub listening: bool,
    pub accounts: Vec<ReceiverAccountView>,
}

fn at(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.and_then(DateTime::from_timestamp_millis)
}

/// The accounts, with their state.
#[utoipa::path(
    get,
    path = "/api/v1/receiver/accounts",
    tag = "receiver",
    operation_id = "list_receiver_accounts",
    description = "The SIA DC-09 receiver's accounts: encrypted or plain (never the key), linked device, last message and check-in, messages counted, supervision interval (the account's own, else the linked device's check-in period) and state (`never`, `ok`, `silent` past that interval plus the grace; a silent account raises one `missed_checkin` item). Roles: supervisor, admin.",
    responses(
        (status = 200, body = ReceiverAccountList),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn accounts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ReceiverAccountList>> {
    caller.require(&[Role::Supervisor, Role::Admin])?;
    let periods: HashMap<String, i64> = state
        .emergency
        .devices()
        .await?
        .into_iter()
        .map(|d| (d.device_id, d.checkin_period_s))
        .collect();
    let grace = state.config.teleasistenta.checkin_grace_s;
    let now = Utc::now();
    let accounts = state
        .receiver_accounts
        .receiver_accounts()
        .await?
        .into_iter()
        .map(|a| {
            let device_period = a.device_id.as_ref().and_then(|d| periods.get(d)).copied();
            let (supervision_s, from) = match (a.supervision_s, device_period) {
                (Some(s), _) => (Some(s), Some("account")),
                (None, Some(p)) => (Some(p), Some("device")),
                (None, None) => (None, None),
            };
            let last_seen = at(a.last_seen_ms);
            let state = match (last_seen, supervision_s) {
                (None, _) => "never",
                (Some(t), Some(p)) if (now - t).num_seconds() > p + grace => "silent",
                _ => "ok",
            };
            ReceiverAccountView {
                account: a.account,
                encrypted: a.key_hex.is_some(),
                device_id: a.device_id,
                last_seen,
                last_checkin: at(a.last_checkin_ms),
                messages: a.messages,
                supervision_s,
                supervision_from: from.map(Into::into),
                state: state.into(),
            }
        })
        .collect();
    Ok(Json(ReceiverAccountList {
        listening: state.receiver_addr.is_some(),
        accounts,
    }))
}

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
    /// Seconds between check-ins expected of the linked device (its registry period).
    pub supervision_s: Option<i64>,
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
    description = "The SIA DC-09 receiver's accounts: encrypted or plain (never the key), linked device, last message and check-in, messages counted, and state (`never`, `ok`, `silent` past the linked device's check-in period plus the grace). Roles: supervisor, admin.",
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
            let supervision_s = a.device_id.as_ref().and_then(|d| periods.get(d)).copied();
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
                state: state.into(),
            }
        })
        .collect();
    Ok(Json(ReceiverAccountList {
        listening: state.receiver_addr.is_some(),
        accounts,
    }))
}

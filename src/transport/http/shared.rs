//! What the transport handlers share: the use cases' [`Ctx`] lent from the state, the audit of
//! personal-data reads, and the answer that goes out with its keys in alphabetical order.

use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde::Serialize;

use crate::access::Caller;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::AuditRecord;
use crate::transport::service::Ctx;

/// The handles the use cases take, from the state.
pub fn ctx(state: &AppState) -> Ctx<'_> {
    Ctx {
        transport: &state.transport,
        core: &state.core,
        config: &state.config,
        network: &state.network,
    }
}

/// Records a read of riders' personal data.
pub(crate) async fn audit(state: &AppState, caller: &Caller, action: &str) -> Result<()> {
    state
        .store
        .audit(&AuditRecord {
            at: Utc::now(),
            actor: caller.name.clone(),
            role: caller.role.as_str().into(),
            action: action.into(),
            item_id: None,
            outcome: "allowed".into(),
        })
        .await?;
    Ok(())
}

/// A typed answer sent as these handlers always sent it: through a `serde_json::Value`, whose
/// objects keep their keys in alphabetical order (not the struct's field order), so the bytes
/// stay what clients have seen.
pub(crate) struct Sorted<T>(pub T);

impl<T: Serialize> IntoResponse for Sorted<T> {
    fn into_response(self) -> Response {
        match serde_json::to_value(&self.0) {
            Ok(v) => Json(v).into_response(),
            Err(e) => Error::Internal(anyhow::anyhow!("answer: {e}")).into_response(),
        }
    }
}

//! `POST /api/v1/items/acknowledge`: acknowledging many items at once, such as a device's
//! alarms in a storm. Each id goes the way of `POST /api/v1/items/{id}/acknowledge`: the same
//! access decision, the same core command (the core batches them into one commit), the same
//! answer through the caller's view and the read audit; the result says, per id, whether it
//! was taken and, if not, why.

use axum::extract::State;
use axum::Json;
use futures_util::future::join_all;
use serde::{Deserialize, Serialize};

use crate::access::{Caller, DISPATCH};
use crate::core::Command;
use crate::domain::Status;
use crate::error::{Error, ErrorDetail, Result};
use crate::state::AppState;
use crate::web::extract::AppJson;
use crate::web::schemas::common::{BodyRefusals, Refusals};
use crate::web::view::{answer, ActionAnswer, ShownItem};

/// Most ids one request may acknowledge.
pub(crate) const MAX_IDS: usize = 500;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BulkAcknowledgeDto {
    /// The items to acknowledge (1-500).
    #[schema(value_type = Vec<uuid::Uuid>, min_items = 1, max_items = 500)]
    ids: Vec<String>,
}

/// What became of each id, in the order given.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct BulkAcknowledgeAnswer {
    results: Vec<BulkResult>,
}

/// One id's result: acknowledged (or its unseen repeats marked seen), with the item's status
/// after it; or refused, with the error the single acknowledge would have answered.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct BulkResult {
    /// The id as given.
    id: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorDetail>,
}

#[utoipa::path(
    post,
    path = "/api/v1/items/acknowledge",
    tag = "actions",
    operation_id = "acknowledge_items",
    description = "Takes several items at once (dispatch roles), e.g. a storm group. Each id is \
        acknowledged as by `POST /api/v1/items/{id}/acknowledge`: the same access check, the \
        same refusals (an item already taken is refused with reason `not_new`, unless new \
        repeats arrived on it, which are then marked seen), the same read audit. The answer \
        lists each id with `ok` and the item's `status`, or the `error` it met; a refusal of \
        one id does not stop the others. 1-500 ids, else a 422 naming `ids`.",
    request_body = BulkAcknowledgeDto,
    responses(
        (status = 200, description = "One result per id, in the order given", body = BulkAcknowledgeAnswer),
        BodyRefusals,
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(dto): AppJson<BulkAcknowledgeDto>,
) -> Result<Json<BulkAcknowledgeAnswer>> {
    caller.require(DISPATCH)?;
    if dto.ids.is_empty() || dto.ids.len() > MAX_IDS {
        return Err(Error::validation(
            "ids",
            format!("must list 1-{MAX_IDS} item ids"),
        ));
    }
    let results = join_all(dto.ids.into_iter().map(|raw| {
        let state = &state;
        let caller = &caller;
        async move {
            match one(state, caller, &raw).await {
                Ok(status) => BulkResult {
                    id: raw,
                    ok: true,
                    status,
                    error: None,
                },
                Err(e) => BulkResult {
                    id: raw,
                    ok: false,
                    status: None,
                    error: Some(e.detail()),
                },
            }
        }
    }))
    .await;
    Ok(Json(BulkAcknowledgeAnswer { results }))
}

/// One id, as the single acknowledge does it; the item's status after it, as the caller may
/// see it.
async fn one(state: &AppState, caller: &Caller, raw: &str) -> Result<Option<Status>> {
    let item_id = super::items::check_item(state, caller, raw, true)?;
    let out = state
        .core
        .execute(&caller.name, Command::Acknowledge { item_id })
        .await?;
    let Json(shown) = answer(state, caller, "acknowledge", out).await?;
    Ok(match shown {
        ActionAnswer::Item(ShownItem::Item(item)) => Some(item.status),
        ActionAnswer::Item(ShownItem::Hidden { status, .. }) => Some(status),
        _ => None,
    })
}

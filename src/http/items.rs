//! Reading the queue: the ordered open items with their explanations, one item, its history.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::domain::ItemId;
use crate::error::{Error, Result};
use crate::http::auth::{Caller, DISPATCH};
use crate::queue;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/queue", get(queue_view))
        .route("/api/v1/items/{id}", get(item))
        .route("/api/v1/items/{id}/events", get(item_events))
}

/// Parses an item id from the path.
pub fn item_id(raw: &str) -> Result<ItemId> {
    uuid::Uuid::parse_str(raw)
        .map(ItemId)
        .map_err(|_| Error::validation("id", "must be an item id (UUID)"))
}

/// The open items in queue order, each with its position and the reasons for it.
async fn queue_view(
    State(AppState { core, .. }): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>> {
    caller.require(DISPATCH)?;
    let body = core.read(|s| {
        let entries = queue::ordered(s.items());
        json!({ "seq": s.seq, "items": entries })
    });
    Ok(Json(body))
}

async fn item(
    State(AppState { core, .. }): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    caller.require(DISPATCH)?;
    let id = item_id(&id)?;
    let body = core.read(|s| {
        use crate::core::state::StateView;
        s.item(&id).map(|item| {
            let position = queue::ordered(s.items())
                .into_iter()
                .find(|e| e.item.id == id)
                .map(|e| json!({ "position": e.position, "explanation": e.explanation }));
            json!({ "item": item, "queue": position })
        })
    });
    body.map(Json)
        .ok_or_else(|| Error::NotFound(format!("item {id}")))
}

async fn item_events(
    State(AppState { core, store, .. }): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    caller.require(DISPATCH)?;
    let id = item_id(&id)?;
    let exists = core.read(|s| {
        use crate::core::state::StateView;
        s.item(&id).is_some()
    });
    if !exists {
        return Err(Error::NotFound(format!("item {id}")));
    }
    let events = store.item_events(id).await?;
    Ok(Json(json!({ "item_id": id, "events": events })))
}

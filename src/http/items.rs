//! Reading the queue: the ordered open items with their explanations, one item, its history,
//! and who looked at it. Every read goes through `crate::access`, and every read of a case is
//! written to the audit log before it is answered.

use axum::extract::State;
use axum::routing::get;
use axum::Router;

use crate::access::{self, Visibility};
use crate::access::{Caller, Role};
use crate::domain::ItemId;
use crate::error::ErrorBody;
use crate::error::{Error, Result};
use crate::queue;
use crate::state::AppState;
use crate::web::extract::PathParam;
use crate::web::schemas::common::{
    ItemAudit, ItemHistory, ItemView, QueueEntry, QueuePosition, QueueView, Refusals,
};
use crate::web::view::{audit, lookup, STAFF};
use axum::Json;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/queue", get(queue_view))
        .route("/api/v1/items/{id}", get(item))
        .route("/api/v1/items/{id}/events", get(item_events))
        .route("/api/v1/items/{id}/audit", get(item_audit))
}

/// The open items in queue order, each with its position and the reasons for it.
#[utoipa::path(
    get,
    path = "/api/v1/queue",
    tag = "queue",
    description = "The open items the caller may see, in queue order, each with its position \
        and the explanation of it (staff roles; drivers and EMIU see their own assignments).",
    responses((status = 200, body = QueueView), Refusals),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn queue_view(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<QueueView>> {
    caller.require(STAFF)?;
    let (body, read_in_full) = state.core.read(|s| {
        let mut read_in_full = Vec::new();
        let items = queue::ordered(s.items())
            .into_iter()
            .filter_map(|e| {
                let visibility = access::visibility(&caller, e.item);
                if visibility == Visibility::Full && access::is_sensitive(e.item) {
                    read_in_full.push(e.item.id);
                }
                access::view(&caller, e.item).map(|item| QueueEntry {
                    position: e.position,
                    explanation: e.explanation,
                    item: item.into_owned(),
                })
            })
            .collect();
        (QueueView { seq: s.seq, items }, read_in_full)
    });
    // A sensitive case listed in full is a read of it, like any other.
    for id in read_in_full {
        audit(
            state.store.as_ref(),
            &caller,
            "view_queue",
            id,
            Visibility::Full,
        )
        .await?;
    }
    Ok(Json(body))
}

/// One item with its place in the queue; the read is audited first.
#[utoipa::path(
    get,
    path = "/api/v1/items/{id}",
    tag = "queue",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    responses(
        (status = 200, description = "The item, redacted where the caller may only know the case exists", body = ItemView),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn item(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<ItemId>,
) -> Result<Json<ItemView>> {
    caller.require(STAFF)?;
    let (item, visibility) = lookup(&state, &caller, id)?;
    audit(state.store.as_ref(), &caller, "view_item", id, visibility).await?;
    let shown = access::view(&caller, &item)
        .ok_or_else(|| Error::Forbidden("this case is not visible to your role".into()))?;
    let position = state.core.read(|s| {
        queue::ordered(s.items())
            .into_iter()
            .find(|e| e.item.id == id)
            .map(|e| QueuePosition {
                position: e.position,
                explanation: e.explanation,
            })
    });
    Ok(Json(ItemView {
        item: shown.into_owned(),
        queue: position,
    }))
}

/// The item's history; the read is audited first.
#[utoipa::path(
    get,
    path = "/api/v1/items/{id}/events",
    tag = "queue",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    responses(
        (status = 200, body = ItemHistory),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn item_events(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<ItemId>,
) -> Result<Json<ItemHistory>> {
    caller.require(STAFF)?;
    let (_, visibility) = lookup(&state, &caller, id)?;
    audit(
        state.store.as_ref(),
        &caller,
        "view_history",
        id,
        visibility,
    )
    .await?;
    if visibility == Visibility::Hidden {
        return Err(Error::Forbidden(
            "this case is not visible to your role".into(),
        ));
    }
    let mut events = state.store.item_events(id).await?;
    if visibility == Visibility::Redacted {
        for e in &mut events {
            match &mut e.event {
                crate::events::Event::ItemCreated { item } => **item = access::redact(item),
                crate::events::Event::NoteAdded { note, .. } => note.text = "***".into(),
                crate::events::Event::CaseRecorded { record, .. } => *record = record.redacted(),
                _ => {}
            }
        }
    }
    Ok(Json(ItemHistory {
        item_id: id,
        events,
    }))
}

/// Who viewed the case: supervisors and admins only.
#[utoipa::path(
    get,
    path = "/api/v1/items/{id}/audit",
    tag = "queue",
    params(("id" = uuid::Uuid, Path, description = "The item id")),
    responses(
        (status = 200, body = ItemAudit),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 422, description = "`id` is not a UUID", body = ErrorBody),
        Refusals,
    ),
    security(("bearer" = []), ("session_cookie" = []))
)]
pub(crate) async fn item_audit(
    State(state): State<AppState>,
    caller: Caller,
    PathParam(id): PathParam<ItemId>,
) -> Result<Json<ItemAudit>> {
    caller.require(&[Role::Supervisor, Role::Admin])?;
    lookup(&state, &caller, id)?;
    let reads = state.store.audit_for_item(id).await?;
    Ok(Json(ItemAudit { item_id: id, reads }))
}

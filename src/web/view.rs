//! How items leave over HTTP: the one place an action's answer or a read is shaped by the
//! caller's view of the item and, for a sensitive item, recorded in the read audit.

use axum::Json;
use chrono::Utc;
use serde::Serialize;

use crate::access::{self, Caller, Role, Visibility};
use crate::core::state::StateView;
use crate::core::Outcome;
use crate::domain::{Item, ItemId, Resource, Status};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{AuditRecord, Store};

/// Roles that read the queue (each sees only what `access` lets them).
pub(crate) const STAFF: &[Role] = &[
    Role::Dispatcher,
    Role::Supervisor,
    Role::Admin,
    Role::Driver,
    Role::Emiu,
];

/// Parses an item id from the path.
pub(crate) fn item_id(raw: &str) -> Result<ItemId> {
    uuid::Uuid::parse_str(raw)
        .map(ItemId)
        .map_err(|_| Error::validation("id", "must be an item id (UUID)"))
}

/// Records a read; a read that cannot be recorded is not answered.
pub(crate) async fn audit(
    store: &dyn Store,
    caller: &Caller,
    action: &str,
    item: ItemId,
    visibility: Visibility,
) -> Result<()> {
    store
        .audit(&AuditRecord {
            at: Utc::now(),
            actor: caller.name.clone(),
            role: caller.role.as_str().into(),
            action: action.into(),
            item_id: Some(item),
            outcome: visibility.as_str().into(),
        })
        .await?;
    Ok(())
}

/// An item as one caller is shown it: in full or redacted ([`access::view`]), or, when they may
/// not see it at all, only that it exists and how it stands.
#[derive(Serialize)]
#[serde(untagged)]
pub enum ShownItem {
    Item(Box<Item>),
    Hidden { id: ItemId, status: Status },
}

/// The answer of a core command: the item as the caller may see it (`shown`), a resource, or
/// an empty object.
#[derive(Serialize)]
#[serde(untagged)]
pub enum ActionAnswer {
    Item(ShownItem),
    Resource(Box<Resource>),
    /// `{}`.
    Done {},
}

/// An item as it leaves in an answer to this caller: the one way an item goes out over HTTP
/// after an action (reads go through [`access::view`] the same way). A sensitive item shown in
/// any form is in the read audit under `action` before the answer goes; an item the caller may
/// not see at all is answered by its id and status only.
pub(crate) async fn shown(
    state: &AppState,
    caller: &Caller,
    action: &str,
    item: &Item,
) -> Result<ShownItem> {
    let visibility = access::visibility(caller, item);
    if access::is_sensitive(item) {
        audit(state.store.as_ref(), caller, action, item.id, visibility).await?;
    }
    Ok(match access::view(caller, item) {
        Some(view) => ShownItem::Item(Box::new(view.into_owned())),
        None => ShownItem::Hidden {
            id: item.id,
            status: item.status,
        },
    })
}

/// What an action's handler answers: [`ActionAnswer`] as JSON.
pub type ActionJson = Json<ActionAnswer>;

/// The answer of a core command, see [`ActionAnswer`].
pub(crate) async fn answer(
    state: &AppState,
    caller: &Caller,
    action: &str,
    out: Outcome,
) -> Result<ActionJson> {
    Ok(Json(match out {
        Outcome::Item { item, .. } => {
            ActionAnswer::Item(shown(state, caller, action, &item).await?)
        }
        Outcome::Resource(r) => ActionAnswer::Resource(r),
        Outcome::Done => ActionAnswer::Done {},
    }))
}

/// The item and how the caller may see it; 404 if unknown.
pub(crate) fn lookup(state: &AppState, caller: &Caller, id: ItemId) -> Result<(Item, Visibility)> {
    state
        .core
        .read(|s| s.item(&id).cloned())
        .map(|item| {
            let v = access::visibility(caller, &item);
            (item, v)
        })
        .ok_or_else(|| Error::NotFound(format!("item {id}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        AlarmType, Details, Level, Priority, ResourceId, ResourceKind, ResourceStatus, Timestamps,
    };
    use axum::response::IntoResponse;
    use serde_json::json;

    fn alert() -> Item {
        let details = Details::Alert {
            device_id: "TA-1".into(),
            alarm_type: AlarmType::Fall,
            device_time: Utc::now(),
            receiver_alarm_id: "7".into(),
            receiver: "r".into(),
        };
        Item {
            id: ItemId::new(),
            kind: details.kind(),
            category: details.category(),
            status: Status::New,
            priority: Priority {
                level: Level::P1,
                rule: "r".into(),
                reason: "r".into(),
                respond_within_s: 60,
                facts: vec![],
            },
            deadline: Utc::now(),
            breached: false,
            times: Timestamps::default(),
            details,
            assigned_to: vec![],
            handler: None,
            outcome: None,
            notes: vec![],
            version: 3,
            redacted: false,
            rate_limited: true,
            dv_case: None,
            subject: None,
            repeats: 0,
            repeats_unseen: 0,
            arrival: None,
        }
    }

    fn van() -> Resource {
        Resource {
            id: ResourceId("VAN-01".into()),
            kind: ResourceKind::Vehicle,
            name: "Van 1".into(),
            seats: 4,
            wheelchair_places: 1,
            status: ResourceStatus::Available,
            current_item: None,
            position: None,
            version: 0,
        }
    }

    async fn body(answer: impl IntoResponse) -> Vec<u8> {
        let body = answer.into_response().into_body();
        axum::body::to_bytes(body, usize::MAX)
            .await
            .expect("body")
            .to_vec()
    }

    #[tokio::test]
    async fn an_action_answer_sends_what_the_json_answer_sent() {
        // Arrange: each answer as `json!` built it before the answers were typed.
        let item = alert();
        let resource = van();
        let cases = [
            (
                ActionAnswer::Item(ShownItem::Item(Box::new(item.clone()))),
                json!(item),
            ),
            (
                ActionAnswer::Item(ShownItem::Hidden {
                    id: item.id,
                    status: item.status,
                }),
                json!({ "id": item.id, "status": item.status }),
            ),
            (
                ActionAnswer::Resource(Box::new(resource.clone())),
                json!(resource),
            ),
            (ActionAnswer::Done {}, json!({})),
        ];

        for (typed, old) in cases {
            // Act
            let sent = body(Json(typed)).await;

            // Assert: the same JSON (object keys in any order).
            let sent: serde_json::Value = serde_json::from_slice(&sent).unwrap();
            assert_eq!(sent, old);
        }
    }
}

//! The dispatchers' duty roster (`src/shifts/`): their phones, the shifts and who is on them,
//! and the handover notes between shifts. Both backends in `sql/roster.rs`.
//!
//! Every change is written with its audit record in one transaction: a change that could not
//! be audited is not made.

use async_trait::async_trait;
use uuid::Uuid;

use super::{AuditRecord, StoreError};
/// The roster's records are the pure core's vocabulary (`shifts::rules`), stored as they are.
pub use crate::shifts::rules::{ContactRecord, Refusal, ShiftRecord};

/// Given the other shifts overlapping the one being saved, whether it may be saved.
pub type ShiftCheck<'a> = dyn FnMut(&[ShiftRecord]) -> Result<(), Refusal> + Send + 'a;

/// A handover note as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct HandoverRecord {
    pub id: Uuid,
    /// The outgoing shift.
    pub shift_id: Uuid,
    /// The incoming shift, whose members see the note until each acknowledges it.
    pub next_shift_id: Uuid,
    pub written_by: String,
    pub written_ms: i64,
    /// The outgoing lead's text.
    pub note: String,
    /// The generated summary (JSON: counts and item references only).
    pub summary: String,
    /// Who acknowledged it and when (ms), oldest first.
    pub acks: Vec<(String, i64)>,
}

#[async_trait]
pub trait RosterStore: Send + Sync {
    /// Adds or replaces a dispatcher's phone, audited in the same transaction.
    async fn put_contact(&self, c: &ContactRecord, audit: &AuditRecord) -> Result<(), StoreError>;
    /// `false` when the user had no phone.
    async fn remove_contact(&self, username: &str, audit: &AuditRecord)
        -> Result<bool, StoreError>;
    async fn contacts(&self) -> Result<Vec<ContactRecord>, StoreError>;

    /// Saves a new or changed shift under a lock every instance respects: `check` is given the
    /// other shifts overlapping it and may refuse, and then nothing is written.
    async fn save_shift(
        &self,
        shift: &ShiftRecord,
        audit: &AuditRecord,
        check: &mut ShiftCheck<'_>,
    ) -> Result<Result<(), Refusal>, StoreError>;
    /// `false` when there was no such shift. A shift with a handover note is kept (409 upstream).
    async fn delete_shift(&self, id: Uuid, audit: &AuditRecord) -> Result<bool, StoreError>;
    async fn shift(&self, id: Uuid) -> Result<Option<ShiftRecord>, StoreError>;
    /// Shifts overlapping `[from_ms, to_ms)`, by start.
    async fn shifts_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<ShiftRecord>, StoreError>;
    /// The first shift starting at or after `at_ms`.
    async fn next_shift_from(&self, at_ms: i64) -> Result<Option<ShiftRecord>, StoreError>;

    /// Stores a note; `false` when the outgoing shift already has one.
    async fn put_handover(
        &self,
        h: &HandoverRecord,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError>;
    /// Whether a handover note was written for or to the shift.
    async fn shift_has_handover(&self, shift: Uuid) -> Result<bool, StoreError>;
    async fn handover(&self, id: Uuid) -> Result<Option<HandoverRecord>, StoreError>;
    /// Notes for these incoming shifts, newest first.
    async fn handovers_for(&self, next_shifts: &[Uuid]) -> Result<Vec<HandoverRecord>, StoreError>;
    /// The newest `limit` notes, newest first.
    async fn handovers(&self, limit: i64) -> Result<Vec<HandoverRecord>, StoreError>;
    /// Records `username`'s acknowledgement; `false` when they had already acknowledged it.
    async fn acknowledge_handover(
        &self,
        id: Uuid,
        username: &str,
        at_ms: i64,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError>;
}

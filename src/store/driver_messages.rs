//! The storage of messages between dispatch and drivers (both backends in
//! `sql/driver_messages.rs`): one row per message, its document beside the keys it is found by.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::StoreError;
use crate::transport::model::DriverMessage;

#[async_trait]
pub trait DriverMessageStore: Send + Sync {
    /// Stores a new message, committed before it returns. When its id is already stored (a
    /// resend), stores nothing and returns the first one.
    async fn put_message(
        &self,
        message: &DriverMessage,
    ) -> Result<Option<DriverMessage>, StoreError>;
    async fn message(&self, id: &str) -> Result<Option<DriverMessage>, StoreError>;
    /// Records the acknowledgement once: the first one stays. Returns the message as stored
    /// after it (`None`: no such message).
    async fn ack_message(
        &self,
        id: &str,
        at: DateTime<Utc>,
        by: &str,
    ) -> Result<Option<DriverMessage>, StoreError>;
    /// The messages of a day, of one vehicle or all, oldest first.
    async fn messages_on(
        &self,
        date: NaiveDate,
        vehicle: Option<&str>,
    ) -> Result<Vec<DriverMessage>, StoreError>;
}

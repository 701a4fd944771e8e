//! Why a storage call failed.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("event {seq} cannot be read: {message}")]
    Corrupt { seq: i64, message: String },
    #[error("decided events start at {got}, expected {expected}")]
    Sequence { expected: i64, got: i64 },
    /// A trip's status is no longer the one the caller read (another request changed it in
    /// between); nothing was written.
    #[error("trip {id} changed since it was read")]
    TripChanged { id: String },
}

impl From<StoreError> for crate::error::Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::TripChanged { id } => crate::error::Error::conflict_because(
                "trip_changed",
                format!("trip {id} changed while this was applied: reload it and try again"),
            ),
            e => crate::error::Error::Store(Box::new(e)),
        }
    }
}

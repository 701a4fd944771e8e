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
}

impl From<StoreError> for crate::error::Error {
    fn from(e: StoreError) -> Self {
        crate::error::Error::Store(Box::new(e))
    }
}

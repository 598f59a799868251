use thiserror::Error;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("row not found")]
    NotFound,
    /// A unique or foreign-key constraint refused the write; carries the constraint
    /// or column hint so the web layer can map it to a field message.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("unsupported database url: {0}")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("corrupt value in column {column}: {value}")]
    Corrupt { column: &'static str, value: String },
}

impl StoreError {
    /// The database could not be reached (pool exhausted or closed, connection lost):
    /// worth a 503 and a retry, not a 500.
    pub fn is_outage(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)))
    }

    /// Turns unique-violation errors into [`StoreError::Conflict`], keeping other errors.
    pub(crate) fn from_write(err: sqlx::Error) -> StoreError {
        if let sqlx::Error::Database(db) = &err
            && db.is_unique_violation()
        {
            let hint = db.constraint().map(str::to_owned).unwrap_or_else(|| db.message().to_owned());
            return StoreError::Conflict(hint);
        }
        StoreError::Db(err)
    }
}

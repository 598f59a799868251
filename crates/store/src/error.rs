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
    /// A backup or restore cannot run as asked (see `backup`).
    #[error("{0}")]
    Backup(String),
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
            return StoreError::Conflict(conflict_hint(&**db));
        }
        StoreError::Db(err)
    }

    /// Like [`StoreError::from_write`], and a foreign-key violation (e.g. a car id that
    /// is not this tenant's) becomes a [`StoreError::Conflict`] as well, naming `column`
    /// when given, else the constraint the database reports.
    pub(crate) fn from_reference(err: sqlx::Error, column: Option<&str>) -> StoreError {
        if let sqlx::Error::Database(db) = &err
            && db.is_foreign_key_violation()
        {
            return StoreError::Conflict(column.map(str::to_owned).unwrap_or_else(|| conflict_hint(&**db)));
        }
        StoreError::from_write(err)
    }
}

/// The constraint a write broke, or the database's message when it names none: the
/// web layer maps it to a field message.
fn conflict_hint(db: &dyn sqlx::error::DatabaseError) -> String {
    db.constraint().map(str::to_owned).unwrap_or_else(|| db.message().to_owned())
}

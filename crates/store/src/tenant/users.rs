use chrono::{DateTime, Utc};
use garasi_domain::{Email, Role, TenantId};
use sqlx::FromRow;
use uuid::Uuid;

use crate::db::Tx;
use crate::error::{StoreError, StoreResult};
use crate::time::now;

/// A showroom user (owner, admin or staff) of one tenant.
#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// Invited with a temporary password: the dashboard and the API ask for a new one first.
    pub must_change_password: bool,
    /// Removed (soft delete): the row stays so references keep a name.
    pub deleted_at: Option<DateTime<Utc>>,
}

impl User {
    /// Neither disabled nor removed: may sign in and counts as an active owner.
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none() && self.deleted_at.is_none()
    }

    /// The name people see: the name, else the e-mail.
    pub fn display_name(&self) -> &str {
        if self.name.trim().is_empty() { &self.email } else { &self.name }
    }
}

#[derive(FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    tenant_id: Uuid,
    email: String,
    name: String,
    role: String,
    password_hash: String,
    created_at: DateTime<Utc>,
    disabled_at: Option<DateTime<Utc>>,
    last_login_at: Option<DateTime<Utc>>,
    must_change_password: bool,
    deleted_at: Option<DateTime<Utc>>,
}

/// `SELECT <user columns> FROM users u <rest>`: one column list for every user query.
macro_rules! select_users {
    ($rest:literal) => {
        concat!(
            "SELECT u.id, u.tenant_id, u.email, u.name, u.role, u.password_hash, u.created_at, ",
            "u.disabled_at, u.last_login_at, u.must_change_password, u.deleted_at FROM users u ",
            $rest
        )
    };
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> StoreResult<User> {
        let role =
            r.role.parse::<Role>().map_err(|_| StoreError::Corrupt { column: "users.role", value: r.role.clone() })?;
        Ok(User {
            id: r.id,
            tenant_id: TenantId(r.tenant_id),
            email: r.email,
            name: r.name,
            role,
            password_hash: r.password_hash,
            created_at: r.created_at,
            disabled_at: r.disabled_at,
            last_login_at: r.last_login_at,
            must_change_password: r.must_change_password,
            deleted_at: r.deleted_at,
        })
    }
}

pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
}

pub struct Users<'a> {
    tx: &'a mut Tx,
    tenant: TenantId,
}

impl<'a> Users<'a> {
    pub(crate) fn new(tx: &'a mut Tx, tenant: TenantId) -> Self {
        Users { tx, tenant }
    }

    pub async fn create(&mut self, new: &NewUser) -> StoreResult<User> {
        let id = Uuid::now_v7();
        let at = now();
        let sql = "INSERT INTO users (tenant_id, id, email, password_hash, name, role, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $7)";
        tx_query!(
            self.tx,
            execute,
            sql,
            self.tenant.0,
            id,
            new.email.as_str(),
            &new.password_hash,
            &new.name,
            new.role.as_str(),
            at
        )
        .map_err(StoreError::from_write)?;
        self.get(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn get(&mut self, id: Uuid) -> StoreResult<Option<User>> {
        const SQL: &str = select_users!("WHERE u.tenant_id = $1 AND u.id = $2");
        let row: Option<UserRow> = tx_query!(self.tx, fetch_optional, SQL, self.tenant.0, id)?;
        row.map(User::try_from).transpose()
    }

    pub async fn find_by_email(&mut self, email: &Email) -> StoreResult<Option<User>> {
        const SQL: &str = select_users!("WHERE u.tenant_id = $1 AND u.email = $2 AND u.deleted_at IS NULL");
        let row: Option<UserRow> = tx_query!(self.tx, fetch_optional, SQL, self.tenant.0, email.as_str())?;
        row.map(User::try_from).transpose()
    }

    pub async fn list(&mut self) -> StoreResult<Vec<User>> {
        const SQL: &str = select_users!("WHERE u.tenant_id = $1 ORDER BY u.email");
        let rows: Vec<UserRow> = tx_query!(self.tx, fetch_all, SQL, self.tenant.0)?;
        rows.into_iter().map(User::try_from).collect()
    }

    pub async fn record_login(&mut self, id: Uuid) -> StoreResult<()> {
        const SQL: &str = "UPDATE users SET last_login_at = $3 WHERE tenant_id = $1 AND id = $2";
        tx_query!(self.tx, execute, SQL, self.tenant.0, id, now())?;
        Ok(())
    }

    pub async fn set_password_hash(&mut self, id: Uuid, hash: &str) -> StoreResult<()> {
        const SQL: &str = "UPDATE users SET password_hash = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2";
        let done = tx_query!(self.tx, execute, SQL, self.tenant.0, id, hash, now())?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Users not removed, owners first, then by e-mail: the "Pengguna" list.
    pub async fn list_current(&mut self) -> StoreResult<Vec<User>> {
        const SQL: &str = select_users!(
            "WHERE u.tenant_id = $1 AND u.deleted_at IS NULL ORDER BY CASE u.role WHEN 'owner' THEN 0 \
             WHEN 'admin' THEN 1 ELSE 2 END, u.email"
        );
        let rows: Vec<UserRow> = tx_query!(self.tx, fetch_all, SQL, self.tenant.0)?;
        rows.into_iter().map(User::try_from).collect()
    }

    /// Owners who may sign in (not disabled, not removed). Read inside the write
    /// transaction that would remove one, so two removals can't both pass the check.
    pub async fn count_active_owners(&mut self) -> StoreResult<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND role = 'owner' \
                           AND disabled_at IS NULL AND deleted_at IS NULL";
        Ok(tx_query!(self.tx, scalar_one, SQL, self.tenant.0)?)
    }

    pub async fn set_role(&mut self, id: Uuid, role: Role) -> StoreResult<()> {
        const SQL: &str = "UPDATE users SET role = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2";
        found(tx_query!(self.tx, execute, SQL, self.tenant.0, id, role.as_str(), now())?)
    }

    /// Disables (`Some(at)`) or enables (`None`) a user.
    pub async fn set_disabled(&mut self, id: Uuid, at: Option<DateTime<Utc>>) -> StoreResult<()> {
        const SQL: &str = "UPDATE users SET disabled_at = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2";
        found(tx_query!(self.tx, execute, SQL, self.tenant.0, id, at, now())?)
    }

    /// A new password hash, and whether it must be changed at the next sign-in.
    pub async fn set_password(&mut self, id: Uuid, hash: &str, must_change: bool) -> StoreResult<()> {
        const SQL: &str = "UPDATE users SET password_hash = $3, must_change_password = $4, updated_at = $5 \
                           WHERE tenant_id = $1 AND id = $2";
        found(tx_query!(self.tx, execute, SQL, self.tenant.0, id, hash, must_change, now())?)
    }

    /// Removes a user but keeps the row: the e-mail becomes `tombstone` (freeing the
    /// address for a new invitation) and the password hash unusable.
    pub async fn soft_delete(&mut self, id: Uuid, tombstone: &str) -> StoreResult<()> {
        const SQL: &str = "UPDATE users SET email = $3, password_hash = '!', deleted_at = $4, updated_at = $4 \
                           WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL";
        found(tx_query!(self.tx, execute, SQL, self.tenant.0, id, tombstone, now())?)
    }
}

/// `NotFound` when an update touched no row.
fn found(rows: u64) -> StoreResult<()> {
    if rows == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

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
}

/// `SELECT <user columns> FROM users u <rest>`: one column list for every user query.
macro_rules! select_users {
    ($rest:literal) => {
        concat!(
            "SELECT u.id, u.tenant_id, u.email, u.name, u.role, u.password_hash, u.created_at, ",
            "u.disabled_at, u.last_login_at FROM users u ",
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
        const SQL: &str = select_users!("WHERE u.tenant_id = $1 AND u.email = $2");
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
}

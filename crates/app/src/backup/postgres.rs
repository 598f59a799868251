//! PostgreSQL: `pg_dump` of Garasi's tables from an exported snapshot (in which the rows
//! are counted), and `pg_restore` into an empty database. Both need the PostgreSQL client
//! tools on the PATH, of the server's major version or newer, and a role that bypasses
//! row-level security (the owner with BYPASSRLS, or a superuser).

use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, bail};
use garasi_store::backup::{PgSnapshot, RowCounts};

/// The dump inside the archive.
pub const DUMP_PATH: &str = "database/garasi.pgdump";

/// Dumps every table of the current schema to `dest` (`--format=custom`) and returns
/// the row counts seen by the same snapshot.
///
/// Consistency: the counts and the dump come from one exported snapshot. The REPEATABLE
/// READ transaction that exports it counts every table, and `pg_dump --snapshot` reads
/// exactly that snapshot while the transaction stays open, so rows committed meanwhile
/// by the serving instances are in neither. The restore then checks that the restored
/// counts equal these, table by table.
pub async fn dump(owner_url: &str, dest: &Path) -> anyhow::Result<RowCounts> {
    let mut snapshot = PgSnapshot::open(owner_url).await?;
    let counts = snapshot.counts().await.context("counting rows in the snapshot")?;
    let (url, password) = split_password(owner_url);
    let mut cmd = std::process::Command::new("pg_dump");
    cmd.arg("--format=custom")
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg(format!("--snapshot={}", snapshot.id))
        .arg("--file")
        .arg(dest);
    // Only Garasi's tables (the names were checked to be plain identifiers).
    for table in counts.keys() {
        cmd.arg(format!("--table={table}"));
    }
    cmd.arg("--dbname").arg(&url);
    let out = run(cmd, password.as_deref(), "pg_dump").await;
    snapshot.close().await.ok();
    out?;
    Ok(counts)
}

/// Restores a dump into the database at `owner_url`: in one transaction, dropping the
/// dumped tables first if they exist (an empty migrated database, or `--force`).
pub async fn restore(owner_url: &str, dump: &Path) -> anyhow::Result<()> {
    let (url, password) = split_password(owner_url);
    let mut cmd = std::process::Command::new("pg_restore");
    cmd.arg("--no-owner")
        .arg("--no-privileges")
        .arg("--clean")
        .arg("--if-exists")
        .arg("--single-transaction")
        .arg("--exit-on-error")
        .arg("--dbname")
        .arg(&url)
        .arg(dump);
    run(cmd, password.as_deref(), "pg_restore").await
}

/// Runs a client tool with the password in its environment (never on the command line,
/// where `ps` would show it) and fails with its own error output.
async fn run(mut cmd: std::process::Command, password: Option<&str>, tool: &str) -> anyhow::Result<()> {
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    cmd.env("PGAPPNAME", "garasi-backup").stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    // On the blocking pool: the tools run for seconds to minutes.
    let out = tokio::task::spawn_blocking(move || cmd.output()).await.context("tool task failed")?;
    let out = out.with_context(|| {
        format!(
            "cannot run {tool}: the PostgreSQL client tools must be installed (Debian: apt install postgresql-client)"
        )
    })?;
    if !out.status.success() {
        bail!("{tool} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// Takes the password out of a `postgres://user:password@host/db` URL (percent-decoded).
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://") else { return (url.to_owned(), None) };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else { return (url.to_owned(), None) };
    let userinfo = &rest[..at];
    let Some((user, password)) = userinfo.split_once(':') else { return (url.to_owned(), None) };
    let stripped = format!("{}{}@{}", &url[..scheme_end + 3], user, &rest[at + 1..]);
    (stripped, Some(percent_decode(password)))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::split_password;

    #[test]
    fn the_password_leaves_the_url() {
        assert_eq!(
            split_password("postgres://owner:r%40hasia@db:5432/garasi?sslmode=require"),
            ("postgres://owner@db:5432/garasi?sslmode=require".to_owned(), Some("r@hasia".to_owned()))
        );
        assert_eq!(split_password("postgres://postgres@127.0.0.1/x"), ("postgres://postgres@127.0.0.1/x".into(), None));
        assert_eq!(split_password("postgres://h/x"), ("postgres://h/x".into(), None));
    }
}

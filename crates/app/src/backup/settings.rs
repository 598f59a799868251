//! Backup settings: the archive passphrase and the optional schedule
//! (`GARASI_BACKUP_EVERY`, `GARASI_BACKUP_KEEP`, `GARASI_BACKUP_DIR`).

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use serde::Deserialize;

use crate::settings::SettingError;

/// Also the `[backup]` table of the TOML file, whose keys drop the `backup_` prefix.
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupArgs {
    /// Passphrase that encrypts backup archives (age, scrypt); required by `backup`, `restore`
    /// and scheduled backups. Keep it apart from the backups.
    #[arg(long, env = "GARASI_BACKUP_PASSPHRASE", global = true, value_name = "PASSPHRASE", hide_env_values = true)]
    #[serde(rename = "passphrase")]
    pub backup_passphrase: Option<String>,
    /// Take a backup this often from `serve`, e.g. 24h or 6h (one instance at a time)
    /// [default: off].
    #[arg(long, env = "GARASI_BACKUP_EVERY", global = true, value_name = "DURATION")]
    #[serde(rename = "every")]
    pub backup_every: Option<String>,
    /// How many scheduled backups to keep in the backup directory [default: 7].
    #[arg(long, env = "GARASI_BACKUP_KEEP", global = true, value_name = "N")]
    #[serde(rename = "keep")]
    pub backup_keep: Option<usize>,
    /// Directory for scheduled backups [default: <data dir>/backups].
    #[arg(long, env = "GARASI_BACKUP_DIR", global = true, value_name = "DIR")]
    #[serde(rename = "dir")]
    pub backup_dir: Option<PathBuf>,
    /// scrypt cost of the passphrase (log2 N, 10 to 20); higher is slower to guess and to
    /// open [default: 18].
    #[arg(long, env = "GARASI_BACKUP_WORK_FACTOR", global = true, value_name = "LOG_N", hide = true)]
    #[serde(rename = "work_factor")]
    pub backup_work_factor: Option<u8>,
}

/// The shortest passphrase accepted: the archive holds session keys and customer data.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
/// 2^18 scrypt: about 256 MiB and well under a second on a server core to open.
pub const DEFAULT_WORK_FACTOR: u8 = 18;
/// The most work a restore accepts (2^20: about 1 GiB of memory), so a crafted file
/// cannot make `verify` or `restore` run for hours.
pub const MAX_WORK_FACTOR: u8 = 20;

#[derive(Clone)]
pub struct BackupSettings {
    pub passphrase: Option<String>,
    pub every: Option<Duration>,
    pub keep: usize,
    pub dir: PathBuf,
    pub work_factor: u8,
}

impl std::fmt::Debug for BackupSettings {
    // The passphrase never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackupSettings")
            .field("passphrase", &self.passphrase.as_ref().map(|_| "***"))
            .field("every", &self.every)
            .field("keep", &self.keep)
            .field("dir", &self.dir)
            .field("work_factor", &self.work_factor)
            .finish()
    }
}

fn bad(name: &'static str, reason: impl Into<String>) -> SettingError {
    SettingError { name, reason: reason.into() }
}

pub fn resolve(
    args: &BackupArgs,
    file: Option<&BackupArgs>,
    data_dir: &std::path::Path,
) -> Result<BackupSettings, SettingError> {
    let file = file.cloned().unwrap_or_default();
    let passphrase = args.backup_passphrase.clone().or(file.backup_passphrase).filter(|p| !p.is_empty());
    if let Some(p) = &passphrase
        && p.chars().count() < MIN_PASSPHRASE_CHARS
    {
        return Err(bad("GARASI_BACKUP_PASSPHRASE", format!("must be at least {MIN_PASSPHRASE_CHARS} characters")));
    }
    let every =
        match args.backup_every.clone().or(file.backup_every).filter(|s| !s.trim().is_empty()) {
            None => None,
            Some(raw) => Some(parse_duration(&raw).filter(|d| *d >= Duration::from_secs(60)).ok_or_else(|| {
                bad("GARASI_BACKUP_EVERY", format!("{raw:?} is not a duration of 1m or more like 24h"))
            })?),
        };
    if every.is_some() && passphrase.is_none() {
        return Err(bad("GARASI_BACKUP_PASSPHRASE", "is required with GARASI_BACKUP_EVERY"));
    }
    let keep = args.backup_keep.or(file.backup_keep).unwrap_or(7);
    if !(1..=1000).contains(&keep) {
        return Err(bad("GARASI_BACKUP_KEEP", "must be between 1 and 1000"));
    }
    let work_factor = args.backup_work_factor.or(file.backup_work_factor).unwrap_or(DEFAULT_WORK_FACTOR);
    if !(10..=20).contains(&work_factor) {
        return Err(bad("GARASI_BACKUP_WORK_FACTOR", "must be between 10 and 20"));
    }
    Ok(BackupSettings {
        passphrase,
        every,
        keep,
        dir: args.backup_dir.clone().or(file.backup_dir).unwrap_or_else(|| data_dir.join("backups")),
        work_factor,
    })
}

/// `90s`, `30m`, `6h`, `1d`; a bare number is seconds.
pub fn parse_duration(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let n: u64 = number.parse().ok()?;
    let scale = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(scale).map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_limits() {
        assert_eq!(parse_duration("24h"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("1d"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("sehari"), None);
        let dir = std::path::Path::new("/data");
        let off = resolve(&BackupArgs::default(), None, dir).unwrap();
        assert!(off.every.is_none() && off.passphrase.is_none());
        assert_eq!(off.dir, dir.join("backups"));
        let short = BackupArgs { backup_passphrase: Some("pendek".into()), ..Default::default() };
        assert_eq!(resolve(&short, None, dir).unwrap_err().name, "GARASI_BACKUP_PASSPHRASE");
        let no_pass = BackupArgs { backup_every: Some("24h".into()), ..Default::default() };
        assert_eq!(resolve(&no_pass, None, dir).unwrap_err().name, "GARASI_BACKUP_PASSPHRASE");
        let ok = BackupArgs { backup_passphrase: Some("rahasia-sekali-123".into()), ..no_pass };
        let s = resolve(&ok, None, dir).unwrap();
        assert_eq!(s.every, Some(Duration::from_secs(86_400)));
        assert!(!format!("{s:?}").contains("rahasia"));
    }
}

//! Owner-only permissions on what the data dir holds: the SQLite database and its WAL,
//! the WhatsApp device stores (session keys), `secret.key` and the demo's logins. The
//! process creates new files owner-only (`main` sets the umask); this fixes files made
//! before, or copied in by hand, and says so, at every start.

use std::path::{Path, PathBuf};

/// Files with secrets in them, by name or suffix.
fn is_secret(name: &str) -> bool {
    name == "secret.key"
        || name == "demo-logins.txt"
        || [".db", ".db-wal", ".db-shm", ".db-journal"].iter().any(|s| name.ends_with(s))
}

/// Makes `data_dir` 0700 and every secret file under it 0600. Returns one line per
/// change (what was too open), for the caller to log as a warning. Photos under `media/`
/// are skipped: the directory's own mode already keeps other users out.
#[cfg(unix)]
pub fn tighten(data_dir: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;

    let mut changed = Vec::new();
    let mut fix = |path: &Path, want: u32| {
        let Ok(meta) = std::fs::symlink_metadata(path) else { return };
        let mode = meta.permissions().mode() & 0o777;
        if meta.file_type().is_symlink() || mode & 0o077 == 0 {
            return;
        }
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(want)) {
            Ok(()) => changed.push(format!("{} was {mode:o}, now {want:o}", path.display())),
            Err(e) => changed.push(format!("{} is {mode:o} and could not be fixed: {e}", path.display())),
        }
    };
    if !data_dir.is_dir() {
        return changed;
    }
    fix(data_dir, 0o700);
    // Breadth-first and bounded: the WhatsApp stores sit a few levels down.
    let mut dirs: Vec<(PathBuf, usize)> = vec![(data_dir.to_path_buf(), 0)];
    while let Some((dir, depth)) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            let name = entry.file_name().to_string_lossy().into_owned();
            if kind.is_dir() && depth < 4 && !(depth == 0 && (name == "media" || name == "incoming")) {
                dirs.push((path, depth + 1));
            } else if kind.is_file() && is_secret(&name) {
                fix(&path, 0o600);
            }
        }
    }
    changed
}

#[cfg(not(unix))]
pub fn tighten(_data_dir: &Path) -> Vec<String> {
    Vec::new()
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn loose_secrets_are_made_owner_only_and_reported() {
        let dir = std::env::temp_dir().join(format!("garasi-modes-{}", uuid::Uuid::now_v7()));
        let wa = dir.join("whatsapp").join("0195f3b2-7c4e-7d0a-9f3e-123456789abc");
        std::fs::create_dir_all(&wa).unwrap();
        std::fs::create_dir_all(dir.join("media")).unwrap();
        let files = [
            dir.join("garasi.db"),
            dir.join("garasi.db-wal"),
            dir.join("secret.key"),
            dir.join("demo-logins.txt"),
            wa.join("device.db"),
        ];
        for f in files.iter().chain([&dir.join("media").join("foto.webp"), &dir.join("catatan.txt")]) {
            std::fs::write(f, b"x").unwrap();
            std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();

        let changed = tighten(&dir);
        assert_eq!(changed.len(), files.len() + 1, "{changed:#?}");
        assert_eq!(mode(&dir), 0o700);
        for f in &files {
            assert_eq!(mode(f), 0o600, "{}", f.display());
        }
        assert_eq!(mode(&dir.join("media").join("foto.webp")), 0o644, "photos are left alone");
        assert_eq!(mode(&dir.join("catatan.txt")), 0o644, "only known secrets are touched");
        assert!(tighten(&dir).is_empty(), "a second start has nothing to say");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

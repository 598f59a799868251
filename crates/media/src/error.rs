//! The error type of the media crate.
//!
//! `Display` is the message shown to users (Indonesian); internal details that must not reach users
//! (decoder messages, I/O errors) are kept in fields or in `source()` for logging.

use std::fmt;

/// Everything that can go wrong while receiving, processing, storing or serving a photo.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The upload (or a staged file) is larger than the configured byte limit.
    #[error("Ukuran file terlalu besar. Maksimal {} per foto.", HumanBytes(*max_bytes))]
    TooLarge { max_bytes: u64 },

    /// The upload is empty.
    #[error("File yang diunggah kosong.")]
    Empty,

    /// The magic bytes are not JPEG, PNG or WebP (SVG, GIF, HEIC, text, ...).
    #[error("Jenis file tidak didukung. Unggah foto berformat JPEG, PNG, atau WebP.")]
    UnsupportedFormat,

    /// The header declares dimensions (or a decoded size) above the limits. Refused before decoding.
    /// `width`/`height` are 0 when a decoder refused the header before reporting them.
    #[error(
        "Resolusi foto terlalu besar{}. Maksimal {} piksel per sisi dan {} megapiksel.",
        Dims(*width, *height),
        IdNumber(u64::from(*max_side)),
        IdNumber(*max_pixels / 1_000_000)
    )]
    DimensionsTooLarge { width: u32, height: u32, max_side: u32, max_pixels: u64 },

    /// The file has a valid signature but cannot be decoded (truncated, corrupt, unsupported variant).
    #[error("Foto rusak atau tidak dapat dibaca. Silakan coba foto lain.")]
    Corrupt { detail: String },

    /// A blob key or file name from a request is not one we could have produced.
    #[error("Alamat file tidak valid.")]
    InvalidKey,

    /// The requested blob does not exist.
    #[error("File tidak ditemukan.")]
    NotFound,

    /// Encoding, resizing or a worker task failed: a server-side problem.
    #[error("Gagal memproses foto. Silakan coba lagi.")]
    Processing { detail: String },

    /// Storage I/O failed: a server-side problem.
    #[error("Gagal menyimpan atau membaca file. Silakan coba lagi.")]
    Io(#[from] std::io::Error),
}

impl MediaError {
    /// The HTTP status code that fits this error (kept as a number so this crate needs no `http`).
    pub fn status_code(&self) -> u16 {
        match self {
            MediaError::TooLarge { .. } => 413,
            MediaError::UnsupportedFormat => 415,
            MediaError::Empty | MediaError::DimensionsTooLarge { .. } | MediaError::Corrupt { .. } => 422,
            MediaError::InvalidKey => 400,
            MediaError::NotFound => 404,
            MediaError::Processing { .. } | MediaError::Io(_) => 500,
        }
    }

    /// True when the user sent something we refuse (4xx), false for server-side failures.
    pub fn is_client_error(&self) -> bool {
        self.status_code() < 500
    }

    pub(crate) fn processing(detail: impl fmt::Display) -> Self {
        MediaError::Processing { detail: detail.to_string() }
    }

    pub(crate) fn corrupt(detail: impl fmt::Display) -> Self {
        MediaError::Corrupt { detail: detail.to_string() }
    }
}

/// Formats an integer with Indonesian thousands separators: `12000` → `12.000`.
struct IdNumber(u64);

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        let len = digits.len();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (len - i).is_multiple_of(3) {
                f.write_str(".")?;
            }
            write!(f, "{ch}")?;
        }
        Ok(())
    }
}

/// ` (W × H piksel)`, or nothing when the dimensions are unknown.
struct Dims(u32, u32);

impl fmt::Display for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 || self.1 == 0 {
            return Ok(());
        }
        write!(f, " ({} × {} piksel)", IdNumber(u64::from(self.0)), IdNumber(u64::from(self.1)))
    }
}

/// Formats a byte count the way users read it: `15 MB`, `1,5 MB`, `800 KB` (binary units, decimal comma).
struct HumanBytes(u64);

impl fmt::Display for HumanBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const KIB: u64 = 1024;
        const MIB: u64 = 1024 * 1024;
        let (unit, name) = if self.0 >= MIB {
            (MIB, "MB")
        } else if self.0 >= KIB {
            (KIB, "KB")
        } else {
            (1, "byte")
        };
        let whole = self.0 / unit;
        let tenths = (self.0 % unit) * 10 / unit;
        if tenths == 0 {
            write!(f, "{} {name}", IdNumber(whole))
        } else {
            write!(f, "{},{tenths} {name}", IdNumber(whole))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_indonesian_and_formatted() {
        let e = MediaError::TooLarge { max_bytes: 15 * 1024 * 1024 };
        assert_eq!(e.to_string(), "Ukuran file terlalu besar. Maksimal 15 MB per foto.");
        let e = MediaError::TooLarge { max_bytes: 1536 * 1024 };
        assert_eq!(e.to_string(), "Ukuran file terlalu besar. Maksimal 1,5 MB per foto.");
        let e = MediaError::DimensionsTooLarge { width: 60000, height: 60000, max_side: 12000, max_pixels: 50_000_000 };
        assert_eq!(
            e.to_string(),
            "Resolusi foto terlalu besar (60.000 × 60.000 piksel). Maksimal 12.000 piksel per sisi dan 50 megapiksel."
        );
        assert_eq!(e.status_code(), 422);
        let e = MediaError::DimensionsTooLarge { width: 0, height: 0, max_side: 12000, max_pixels: 50_000_000 };
        assert_eq!(e.to_string(), "Resolusi foto terlalu besar. Maksimal 12.000 piksel per sisi dan 50 megapiksel.");
        assert!(MediaError::processing("x").status_code() == 500);
        assert!(!MediaError::Io(std::io::Error::other("disk")).is_client_error());
    }

    #[test]
    fn id_number_grouping() {
        assert_eq!(IdNumber(0).to_string(), "0");
        assert_eq!(IdNumber(999).to_string(), "999");
        assert_eq!(IdNumber(1000).to_string(), "1.000");
        assert_eq!(IdNumber(1234567).to_string(), "1.234.567");
    }
}

//! The fixed set of output variants.

use std::fmt;

use crate::MediaError;

/// One stored rendition of a photo. The set is closed: storage keys are built only from these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    /// 320 px wide lossy WebP (lists, admin grids).
    Thumb,
    /// 640 px wide lossy WebP (cards on the public site).
    Card,
    /// 1280 px wide lossy WebP (detail page, lightbox).
    Large,
    /// Same size as `Large`, as JPEG (WhatsApp, old clients, Open Graph).
    LargeJpeg,
}

impl Variant {
    /// All variants, in generation order.
    pub const ALL: [Variant; 4] = [Variant::Thumb, Variant::Card, Variant::Large, Variant::LargeJpeg];

    /// Stable name: `thumb`, `card`, `large`, `large_jpeg`.
    pub const fn name(self) -> &'static str {
        match self {
            Variant::Thumb => "thumb",
            Variant::Card => "card",
            Variant::Large => "large",
            Variant::LargeJpeg => "large_jpeg",
        }
    }

    /// File extension without the dot.
    pub const fn extension(self) -> &'static str {
        match self {
            Variant::LargeJpeg => "jpg",
            _ => "webp",
        }
    }

    /// The stored file name, which is also the last URL segment: `thumb.webp`, ..., `large.jpg`.
    pub const fn file_name(self) -> &'static str {
        match self {
            Variant::Thumb => "thumb.webp",
            Variant::Card => "card.webp",
            Variant::Large => "large.webp",
            Variant::LargeJpeg => "large.jpg",
        }
    }

    /// `Content-Type` to serve it with.
    pub const fn content_type(self) -> &'static str {
        match self {
            Variant::LargeJpeg => "image/jpeg",
            _ => "image/webp",
        }
    }

    /// Bounding box `(max_width, max_height)`. Images are never upscaled; the height cap (twice the width)
    /// only matters for unusually tall images.
    pub const fn max_size(self) -> (u32, u32) {
        match self {
            Variant::Thumb => (320, 640),
            Variant::Card => (640, 1280),
            Variant::Large | Variant::LargeJpeg => (1280, 2560),
        }
    }

    /// Parses a variant name (`thumb`, `card`, `large`, `large_jpeg`), exact and case-sensitive.
    pub fn from_name(name: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.name() == name)
    }

    /// Parses a stored file name (`thumb.webp`, `card.webp`, `large.webp`, `large.jpg`) from a request.
    /// Only these four exact strings are accepted: no decoding, no case folding, no normalisation, so
    /// `../`, `%2e%2e`, absolute paths, NUL bytes or unknown variants are all [`MediaError::InvalidKey`].
    pub fn from_file_name(file_name: &str) -> Result<Variant, MediaError> {
        Variant::ALL.into_iter().find(|v| v.file_name() == file_name).ok_or(MediaError::InvalidKey)
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_file_names_and_content_types() {
        for v in Variant::ALL {
            assert_eq!(Variant::from_name(v.name()), Some(v));
            assert_eq!(Variant::from_file_name(v.file_name()).unwrap(), v);
            assert!(v.file_name().ends_with(v.extension()));
        }
        assert_eq!(Variant::LargeJpeg.content_type(), "image/jpeg");
        assert_eq!(Variant::Thumb.content_type(), "image/webp");
        assert_eq!(Variant::from_name("Thumb"), None);
        assert_eq!(Variant::from_name("original"), None);
    }
}

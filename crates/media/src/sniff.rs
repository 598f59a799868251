//! Magic-byte allowlist. Content-Type headers and file names are never trusted; decoding is the final check.

use crate::MediaError;

/// The accepted input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    Jpeg,
    Png,
    WebP,
}

impl SourceFormat {
    /// Lower-case name, e.g. for logs or a `source_format` column.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Jpeg => "jpeg",
            SourceFormat::Png => "png",
            SourceFormat::WebP => "webp",
        }
    }

    pub(crate) fn image_format(self) -> image::ImageFormat {
        match self {
            SourceFormat::Jpeg => image::ImageFormat::Jpeg,
            SourceFormat::Png => image::ImageFormat::Png,
            SourceFormat::WebP => image::ImageFormat::WebP,
        }
    }
}

const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];
const PNG_MAGIC: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Identifies JPEG (`FF D8 FF`), PNG (`89 50 4E 47 0D 0A 1A 0A`) and WebP (`RIFF....WEBP`) by their first bytes.
/// Everything else (SVG, GIF, HEIC, BMP, text renamed `.jpg`, ...) is [`MediaError::UnsupportedFormat`];
/// an empty input is [`MediaError::Empty`].
pub fn sniff(bytes: &[u8]) -> Result<SourceFormat, MediaError> {
    if bytes.is_empty() {
        Err(MediaError::Empty)
    } else if bytes.starts_with(JPEG_MAGIC) {
        Ok(SourceFormat::Jpeg)
    } else if bytes.starts_with(PNG_MAGIC) {
        Ok(SourceFormat::Png)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Ok(SourceFormat::WebP)
    } else {
        Err(MediaError::UnsupportedFormat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_three_signatures() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).unwrap(), SourceFormat::Jpeg);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap(), SourceFormat::Png);
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 ").unwrap(), SourceFormat::WebP);
    }

    #[test]
    fn rejects_everything_else() {
        let samples: &[&[u8]] = &[
            b"GIF89a\x01\0\x01\0",
            b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            b"<svg onload=alert(1)>",
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
            b"BM\x36\0\0\0",
            b"RIFF\x10\0\0\0WAVEfmt ",
            b"RIFF\x10\0\0\0WEB",
            b"\x89PNG\r\n",
            b"\xFF\xD8",
            b"hello, this is a text file renamed to .jpg",
            b"%PDF-1.7",
        ];
        for s in samples {
            assert!(matches!(sniff(s), Err(MediaError::UnsupportedFormat)), "{s:?}");
        }
        assert!(matches!(sniff(b""), Err(MediaError::Empty)));
    }
}

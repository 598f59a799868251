//! QR codes for pairing: SVG for the admin page, block characters for the terminal.
//! The payload is a short-lived secret: render it, never log or cache it.

use qrcode::QrCode;
use qrcode::render::{svg, unicode};

/// An SVG of the payload, at least 256 px square.
pub fn svg(payload: &str) -> Option<String> {
    let code = QrCode::new(payload.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color>()
            .min_dimensions(256, 256)
            .dark_color(svg::Color("#111111"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

/// The payload as half-block characters, for `garasi wa pair` in a terminal.
pub fn terminal(payload: &str) -> Option<String> {
    let code = QrCode::new(payload.as_bytes()).ok()?;
    Some(
        code.render::<unicode::Dense1x2>()
            .dark_color(unicode::Dense1x2::Light)
            .light_color(unicode::Dense1x2::Dark)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_svg_and_text() {
        let s = super::svg("2@abc,def,ghi,jkl").unwrap();
        assert!(s.starts_with("<?xml") || s.starts_with("<svg"));
        assert!(s.contains("<svg"));
        assert!(super::terminal("2@abc").unwrap().contains('█') || super::terminal("2@abc").unwrap().contains('▀'));
    }
}

//! Demo photos drawn locally (no downloads): a simple car in a showroom, with an optional caption in a
//! tiny built-in bitmap font. Demo data feeds these bytes through the real pipeline.

use image::RgbImage;
use image::codecs::jpeg::JpegEncoder;

/// Draws a car illustration (`color` body, windows, wheels, lights, shadow) on a showroom background with
/// `label` as a caption (A–Z, 0–9 and `-.,/+:()&'`; other characters are left blank), and returns it as a
/// JPEG. `width`/`height` are clamped to 64..=4096 and 48..=4096.
pub fn demo_car_image(label: &str, color: [u8; 3], width: u32, height: u32) -> Vec<u8> {
    let w = width.clamp(64, 4096);
    let h = height.clamp(48, 4096);
    let mut c = Canvas::new(w, h);
    let (wf, hf) = (w as f32, h as f32);

    // Showroom: wall gradient, floor gradient.
    let floor_y = hf * 0.64;
    c.vgradient(0.0, floor_y, [238, 241, 245], [212, 217, 225]);
    c.vgradient(floor_y, hf, [196, 199, 205], [158, 162, 170]);

    // The car fits a 4:3 box centred horizontally.
    let s = wf.min(hf * 4.0 / 3.0);
    let len = 0.80 * s;
    let x0 = (wf - len) / 2.0;
    let ground = hf * 0.86;
    let r = 0.085 * len; // wheel radius
    let wheel_y = ground - r;
    let belt = wheel_y - 1.45 * r; // top of the lower body
    let sill = wheel_y + 0.35 * r; // bottom of the lower body
    let roof = belt - 1.45 * r;
    let at = |f: f32| x0 + f * len;

    let body = color;
    let shade = scale(color, 0.78);
    let light = lighten(color, 0.22);

    // Soft shadow under the car.
    c.fill_ellipse(wf / 2.0, ground, 0.56 * len, 0.07 * s, [60, 62, 68], 0.45);

    // Greenhouse (cabin) and windows with a B-pillar.
    c.fill_trapezoid(roof, belt + 1.0, (at(0.31), at(0.66)), (at(0.15), at(0.84)), body);
    let inset = 0.16 * r;
    let (wt, wb) = (roof + inset, belt - 0.05 * r);
    let edge = |top: f32, bottom: f32, y: f32| top + (bottom - top) * (y - roof) / (belt - roof);
    let left = |y: f32| edge(at(0.31), at(0.15), y) + inset * 1.6;
    let right = |y: f32| edge(at(0.66), at(0.84), y) - inset * 1.6;
    c.fill_trapezoid(wt, wb, (left(wt), right(wt)), (left(wb), right(wb)), [150, 178, 200]);
    // A lighter reflection band along the windscreen-side edge of the rear window.
    c.fill_trapezoid(wt, wb, (left(wt), left(wt) + 0.06 * len), (left(wb), left(wb) + 0.06 * len), [178, 202, 220]);
    c.fill_round_rect(at(0.485), wt - 1.0, at(0.515), wb + 1.0, 0.0, body); // B-pillar

    // Lower body, shading, highlight, door line and handle.
    c.fill_round_rect(x0, belt, x0 + len, sill, 0.55 * r, body);
    c.fill_round_rect(x0 + 0.2 * r, wheel_y - 0.1 * r, x0 + len - 0.2 * r, sill, 0.3 * r, shade);
    c.fill_round_rect(at(0.05), belt + 0.18 * r, at(0.95), belt + 0.28 * r, 0.05 * r, light);
    c.fill_round_rect(at(0.497), belt + 0.05 * r, at(0.503), wheel_y - 0.1 * r, 0.0, shade);
    c.fill_round_rect(at(0.54), belt + 0.45 * r, at(0.58), belt + 0.58 * r, 0.06 * r, shade);
    c.fill_round_rect(at(0.41), belt + 0.45 * r, at(0.45), belt + 0.58 * r, 0.06 * r, shade);

    // Lights: headlight at the front (right), tail light at the back (left).
    c.fill_round_rect(at(0.935), belt + 0.3 * r, at(0.99), belt + 0.7 * r, 0.15 * r, [255, 246, 205]);
    c.fill_round_rect(at(0.01), belt + 0.3 * r, at(0.05), belt + 0.75 * r, 0.12 * r, [205, 35, 40]);

    // Wheel arches (clipped to the body) and wheels.
    for cx in [at(0.2), at(0.8)] {
        c.fill_circle(cx, wheel_y, 1.18 * r, [28, 28, 32], sill);
        c.fill_circle(cx, wheel_y, r, [24, 24, 27], hf);
        c.fill_circle(cx, wheel_y, 0.6 * r, [182, 186, 192], hf);
        c.fill_circle(cx, wheel_y, 0.45 * r, [140, 144, 150], hf);
        c.fill_circle(cx, wheel_y, 0.18 * r, [92, 94, 100], hf);
    }

    // Caption, centred near the top.
    let text: Vec<char> = label.chars().map(|ch| ch.to_ascii_uppercase()).collect();
    if !text.is_empty() {
        let max_scale = ((hf * 0.07) / 7.0).floor().max(1.0) as u32;
        let fit_chars = |k: u32| (w.saturating_sub(2 * k * 4) / (6 * k)) as usize;
        let mut k = max_scale;
        while k > 1 && fit_chars(k) < text.len() {
            k -= 1;
        }
        let shown = &text[..text.len().min(fit_chars(k))];
        let text_w = (shown.len() as u32 * 6).saturating_sub(1) * k;
        let tx = (w.saturating_sub(text_w) / 2) as i64;
        let ty = (hf * 0.06) as i64;
        c.text(tx, ty, shown, k, [38, 42, 52]);
    }

    let img = RgbImage::from_raw(w, h, c.px).expect("canvas has w*h*3 bytes");
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 88).encode_image(&img).expect("encoding to memory cannot fail");
    out
}

fn scale(c: [u8; 3], f: f32) -> [u8; 3] {
    c.map(|v| (f32::from(v) * f).round().clamp(0.0, 255.0) as u8)
}

fn lighten(c: [u8; 3], f: f32) -> [u8; 3] {
    c.map(|v| (f32::from(v) + (255.0 - f32::from(v)) * f).round() as u8)
}

/// An RGB8 canvas with anti-aliased shape fills (coverage from a signed distance at the pixel centre).
struct Canvas {
    w: u32,
    h: u32,
    px: Vec<u8>,
}

impl Canvas {
    fn new(w: u32, h: u32) -> Self {
        Canvas { w, h, px: vec![0; w as usize * h as usize * 3] }
    }

    fn blend(&mut self, x: i64, y: i64, color: [u8; 3], alpha: f32) {
        if alpha <= 0.0 || x < 0 || y < 0 || x >= i64::from(self.w) || y >= i64::from(self.h) {
            return;
        }
        let i = (y as usize * self.w as usize + x as usize) * 3;
        let a = alpha.min(1.0);
        for (dst, src) in self.px[i..i + 3].iter_mut().zip(color) {
            *dst = (f32::from(*dst) * (1.0 - a) + f32::from(src) * a).round() as u8;
        }
    }

    /// Pixel range covering `[lo, hi]` on an axis of length `n`.
    fn span(lo: f32, hi: f32, n: u32) -> std::ops::Range<i64> {
        let a = (lo.floor() as i64 - 1).max(0);
        let b = (hi.ceil() as i64 + 1).min(i64::from(n));
        a..b.max(a)
    }

    fn vgradient(&mut self, y0: f32, y1: f32, top: [u8; 3], bottom: [u8; 3]) {
        let w = i64::from(self.w);
        for y in (y0.round() as i64).max(0)..(y1.round() as i64).min(i64::from(self.h)) {
            let t = ((y as f32 - y0) / (y1 - y0).max(1.0)).clamp(0.0, 1.0);
            let c = [0, 1, 2].map(|i| (f32::from(top[i]) + (f32::from(bottom[i]) - f32::from(top[i])) * t) as u8);
            for x in 0..w {
                self.blend(x, y, c, 1.0);
            }
        }
    }

    fn fill_round_rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, radius: f32, color: [u8; 3]) {
        let rad = radius.min((x1 - x0) / 2.0).min((y1 - y0) / 2.0).max(0.0);
        for y in Self::span(y0, y1, self.h) {
            for x in Self::span(x0, x1, self.w) {
                let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                let dx = (x0 + rad - px).max(px - (x1 - rad)).max(0.0);
                let dy = (y0 + rad - py).max(py - (y1 - rad)).max(0.0);
                let inner = (x0 - px).max(px - x1).max(y0 - py).max(py - y1);
                let d = if dx > 0.0 && dy > 0.0 { (dx * dx + dy * dy).sqrt() - rad } else { inner };
                self.blend(x, y, color, (0.5 - d).clamp(0.0, 1.0));
            }
        }
    }

    /// Circle, drawn only above `clip_y` (used for wheel arches).
    fn fill_circle(&mut self, cx: f32, cy: f32, r: f32, color: [u8; 3], clip_y: f32) {
        for y in Self::span(cy - r, (cy + r).min(clip_y), self.h) {
            let py = y as f32 + 0.5;
            let vertical = (clip_y - py + 0.5).clamp(0.0, 1.0);
            for x in Self::span(cx - r, cx + r, self.w) {
                let px = x as f32 + 0.5;
                let d = ((px - cx).powi(2) + (py - cy).powi(2)).sqrt() - r;
                self.blend(x, y, color, (0.5 - d).clamp(0.0, 1.0) * vertical);
            }
        }
    }

    fn fill_ellipse(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, color: [u8; 3], alpha: f32) {
        for y in Self::span(cy - ry, cy + ry, self.h) {
            for x in Self::span(cx - rx, cx + rx, self.w) {
                let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                let k = (((px - cx) / rx).powi(2) + ((py - cy) / ry).powi(2)).sqrt();
                // Soft edge: fades out over the outer 40 % of the radius.
                let cover = ((1.0 - k) / 0.4).clamp(0.0, 1.0);
                self.blend(x, y, color, cover * alpha);
            }
        }
    }

    /// Trapezoid with horizontal top/bottom edges at `y0`/`y1` and `(left, right)` x at each.
    fn fill_trapezoid(&mut self, y0: f32, y1: f32, top: (f32, f32), bottom: (f32, f32), color: [u8; 3]) {
        let lo = top.0.min(bottom.0);
        let hi = top.1.max(bottom.1);
        for y in Self::span(y0, y1, self.h) {
            let py = y as f32 + 0.5;
            let vy = (py - y0 + 0.5).clamp(0.0, 1.0) * (y1 - py + 0.5).clamp(0.0, 1.0);
            if vy <= 0.0 {
                continue;
            }
            let t = ((py - y0) / (y1 - y0)).clamp(0.0, 1.0);
            let l = top.0 + (bottom.0 - top.0) * t;
            let r = top.1 + (bottom.1 - top.1) * t;
            for x in Self::span(lo, hi, self.w) {
                let px = x as f32 + 0.5;
                let vx = (px - l + 0.5).clamp(0.0, 1.0) * (r - px + 0.5).clamp(0.0, 1.0);
                self.blend(x, y, color, vx * vy);
            }
        }
    }

    fn text(&mut self, x: i64, y: i64, text: &[char], k: u32, color: [u8; 3]) {
        let k = i64::from(k);
        for (i, &ch) in text.iter().enumerate() {
            let Some(rows) = glyph(ch) else { continue };
            let gx = x + i as i64 * 6 * k;
            for (row, bits) in rows.iter().enumerate() {
                for col in 0..5 {
                    if bits & (0b10000 >> col) != 0 {
                        for dy in 0..k {
                            for dx in 0..k {
                                self.blend(gx + col * k + dx, y + row as i64 * k + dy, color, 1.0);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// 5×7 bitmap glyphs, one byte per row, bit 4 = leftmost column.
fn glyph(ch: char) -> Option<[u8; 7]> {
    Some(match ch {
        'A' => [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'B' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'D' => [0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'F' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        'M' => [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'P' => [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        'Q' => [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        'X' => [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x0A, 0x04, 0x04, 0x04, 0x04],
        'Z' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        '-' => [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
        '.' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        ',' => [0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08],
        '/' => [0x01, 0x02, 0x02, 0x04, 0x08, 0x08, 0x10],
        '+' => [0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00],
        ':' => [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00],
        '(' => [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
        ')' => [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        '&' => [0x0C, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0D],
        '\'' => [0x04, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_image_is_a_jpeg_of_the_requested_size() {
        let bytes = demo_car_image("Toyota Avanza 1.5 G", [180, 20, 30], 320, 240);
        assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF]);
        let img = image::load_from_memory(&bytes).unwrap().into_rgb8();
        assert_eq!(img.dimensions(), (320, 240));
        // The body colour appears in the middle of the lower body.
        let px = img.get_pixel(160, 178).0;
        assert!(px[0] > 120 && px[1] < 90 && px[2] < 90, "{px:?}");
    }

    #[test]
    fn every_glyph_fits_five_columns() {
        for ch in ('A'..='Z').chain('0'..='9').chain("-.,/+:()&'".chars()) {
            let rows = glyph(ch).unwrap();
            assert!(rows.iter().all(|r| *r < 0x20), "{ch}");
        }
    }
}

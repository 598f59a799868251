//! Charts as inline SVG, drawn on the server: no chart library, no script, no CDN,
//! and nothing for the CSP to block (presentation attributes only, no `style`).
//! Every chart is an `img` with a title and a summary for screen readers; the pages
//! also offer the numbers as a table.

use std::fmt::Write;

/// One value on a chart.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Point {
    pub label: String,
    pub value: i64,
}

impl Point {
    pub fn new(label: impl Into<String>, value: i64) -> Point {
        Point { label: label.into(), value }
    }
}

const INK: &str = "#334155";
const GRID: &str = "#e2e8f0";
const BRAND: &str = "#4338ca";
const BRAND_SOFT: &str = "#e0e7ff";

/// Text for SVG content and attributes.
use crate::html::escape as esc;

/// The smallest 1, 2 or 5 × 10ⁿ at or above `v` (at least 1), for the top of an axis.
pub fn nice_max(v: i64) -> i64 {
    if v <= 1 {
        return 1;
    }
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            if step.saturating_mul(m) >= v {
                return step * m;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// Compact numbers for axes: 1.200 → "1,2 rb", 3.000.000 → "3 jt".
pub fn compact(v: i64) -> String {
    fn trim(x: f64) -> String {
        let s = format!("{x:.1}");
        s.trim_end_matches('0').trim_end_matches('.').replace('.', ",")
    }
    match v.abs() {
        n if n >= 1_000_000 => format!("{} jt", trim(v as f64 / 1_000_000.0)),
        n if n >= 10_000 => format!("{} rb", trim(v as f64 / 1_000.0)),
        _ => crate::pages::site::format::thousands(v),
    }
}

fn open(out: &mut String, id: &str, title: &str, summary: &str, w: i64, h: i64) {
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" \
         preserveAspectRatio=\"xMidYMid meet\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        esc(title),
        esc(summary)
    );
}

fn summary(points: &[Point]) -> String {
    let total: i64 = points.iter().map(|p| p.value).sum();
    match points.iter().max_by_key(|p| p.value) {
        Some(top) if total > 0 => format!("Total {total}; tertinggi {} pada {}.", top.value, top.label),
        _ => "Belum ada data.".to_owned(),
    }
}

/// How many equal steps an axis up to `max` gets, so every tick is a whole number.
fn steps(max: i64) -> i64 {
    [4, 5, 2].into_iter().find(|n| max % n == 0 && max >= *n).unwrap_or(1)
}

/// Horizontal grid lines with their values, for charts with a y axis.
fn y_axis(out: &mut String, max: i64, left: i64, right: i64, top: i64, bottom: i64) {
    let n = steps(max);
    for i in 0..=n {
        let v = max * i / n;
        let y = bottom - (bottom - top) * i / n;
        let _ = write!(
            out,
            "<line x1=\"{left}\" y1=\"{y}\" x2=\"{right}\" y2=\"{y}\" stroke=\"{GRID}\" stroke-width=\"1\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"{INK}\" text-anchor=\"end\">{}</text>",
            left - 8,
            y + 4,
            esc(&compact(v))
        );
    }
}

/// Labels under every `every`-th slot.
fn x_labels(out: &mut String, points: &[Point], x_of: impl Fn(usize) -> f64, y: i64) {
    let every = points.len().div_ceil(8).max(1);
    for (i, p) in points.iter().enumerate() {
        if i % every == 0 || i + 1 == points.len() && points.len() <= 8 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{y}\" font-size=\"12\" fill=\"{INK}\" text-anchor=\"middle\">{}</text>",
                x_of(i),
                esc(&p.label)
            );
        }
    }
}

/// The frame the line and column charts share: one size, the plot area inside the axis
/// labels, and the y axis already drawn up to a round maximum.
struct Plot {
    out: String,
    max: i64,
    h: i64,
    left: i64,
    right: i64,
    top: i64,
    bottom: i64,
}

impl Plot {
    fn start(id: &str, title: &str, points: &[Point]) -> Plot {
        let (w, h, left, right, top, bottom) = (720i64, 260i64, 48i64, 704i64, 16i64, 222i64);
        let max = nice_max(points.iter().map(|p| p.value).max().unwrap_or(0));
        let mut out = String::new();
        open(&mut out, id, title, &summary(points), w, h);
        y_axis(&mut out, max, left, right, top, bottom);
        Plot { out, max, h, left, right, top, bottom }
    }
}

/// A line with a soft area under it (a value per day, say).
pub fn line(id: &str, title: &str, points: &[Point]) -> String {
    let Plot { mut out, max, h, left, right, top, bottom } = Plot::start(id, title, points);
    let n = points.len().max(2) as f64;
    let x_of = |i: usize| left as f64 + (right - left) as f64 * i as f64 / (n - 1.0);
    let y_of = |v: i64| bottom as f64 - (bottom - top) as f64 * v as f64 / max as f64;
    if !points.is_empty() {
        let mut path = String::new();
        for (i, p) in points.iter().enumerate() {
            let _ = write!(path, "{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, x_of(i), y_of(p.value));
        }
        let _ = write!(
            out,
            "<path d=\"{path} L{:.1},{bottom} L{:.1},{bottom} Z\" fill=\"{BRAND_SOFT}\" stroke=\"none\"/>\
             <path d=\"{path}\" fill=\"none\" stroke=\"{BRAND}\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/>",
            x_of(points.len() - 1),
            x_of(0)
        );
        let r = if points.len() > 40 { "2" } else { "3.5" };
        for (i, p) in points.iter().enumerate() {
            let _ = write!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{r}\" fill=\"#fff\" stroke=\"{BRAND}\" stroke-width=\"2\">\
                 <title>{}: {}</title></circle>",
                x_of(i),
                y_of(p.value),
                esc(&p.label),
                p.value
            );
        }
    }
    x_labels(&mut out, points, x_of, h - 12);
    out.push_str("</svg>");
    out
}

/// Vertical bars (a count per day, say).
pub fn columns(id: &str, title: &str, points: &[Point]) -> String {
    let Plot { mut out, max, h, left, right, top, bottom } = Plot::start(id, title, points);
    let n = points.len().max(1) as f64;
    let slot = (right - left) as f64 / n;
    let bar = (slot * 0.7).max(1.0);
    for (i, p) in points.iter().enumerate() {
        let bh = (bottom - top) as f64 * p.value as f64 / max as f64;
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{bh:.1}\" rx=\"2\" fill=\"{BRAND}\">\
             <title>{}: {}</title></rect>",
            left as f64 + slot * i as f64 + (slot - bar) / 2.0,
            bottom as f64 - bh,
            esc(&p.label),
            p.value
        );
    }
    x_labels(&mut out, points, |i| left as f64 + slot * (i as f64 + 0.5), h - 12);
    out.push_str("</svg>");
    out
}

/// Horizontal bars with their labels and values (a ranking).
pub fn bars(id: &str, title: &str, points: &[Point]) -> String {
    let row = 34i64;
    let (w, label_w, value_w) = (720i64, 290i64, 64i64);
    let h = (points.len() as i64 * row).max(row) + 8;
    let max = points.iter().map(|p| p.value).max().unwrap_or(0).max(1);
    let mut out = String::new();
    open(&mut out, id, title, &summary(points), w, h);
    let span = (w - label_w - value_w) as f64;
    for (i, p) in points.iter().enumerate() {
        let y = i as i64 * row + 4;
        let bw = (span * p.value as f64 / max as f64).max(if p.value > 0 { 3.0 } else { 0.0 });
        let label: String = if p.label.chars().count() > 36 {
            format!("{}…", p.label.chars().take(35).collect::<String>().trim_end())
        } else {
            p.label.clone()
        };
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"{INK}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label_w}\" y=\"{}\" width=\"{span:.1}\" height=\"20\" rx=\"4\" fill=\"#f1f5f9\"/>\
             <rect x=\"{label_w}\" y=\"{}\" width=\"{bw:.1}\" height=\"20\" rx=\"4\" fill=\"{BRAND}\"><title>{}: {}</title></rect>\
             <text x=\"{}\" y=\"{}\" font-size=\"14\" font-weight=\"600\" fill=\"{INK}\">{}</text>",
            label_w - 10,
            y + 15,
            esc(&label),
            y + 2,
            y + 2,
            esc(&p.label),
            p.value,
            w - value_w + 10,
            y + 17,
            esc(&crate::pages::site::format::thousands(p.value))
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_tops_are_round() {
        assert_eq!([0, 1, 3, 7, 10, 11, 40, 51, 230].map(nice_max), [1, 1, 5, 10, 10, 20, 50, 100, 500]);
        assert_eq!([1, 2, 5, 10, 20, 50].map(steps), [1, 2, 5, 5, 4, 5]);
        assert_eq!(compact(1_250_000), "1,2 jt");
        assert_eq!(compact(15_000), "15 rb");
        assert_eq!(compact(950), "950");
    }

    #[test]
    fn labels_are_escaped_and_charts_are_images() {
        let pts = vec![Point::new("<script>", 3), Point::new("B&B", 0)];
        for svg in [line("a", "Judul", &pts), columns("b", "Judul", &pts), bars("c", "Judul", &pts)] {
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
            assert!(svg.contains("role=\"img\"") && svg.contains("<title id="));
            assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;") && svg.contains("B&amp;B"));
            assert!(!svg.contains("style="), "no inline styles under the CSP");
        }
    }

    #[test]
    fn empty_data_still_draws() {
        assert!(line("x", "t", &[]).contains("Belum ada data."));
        assert!(bars("y", "t", &[]).ends_with("</svg>"));
    }
}

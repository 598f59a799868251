//! The showroom user guide (`/admin/bantuan`): every part is there, every picture is a
//! real embedded screenshot whose size matches the page's `width`/`height`, and the bot
//! commands it lists are the ones the bot itself answers `/help` with.

use garasi_bot::commands::REFERENCE;
use reqwest::header::{CONTENT_TYPE, COOKIE};

use crate::admin::{cookie, page};
use crate::bot::{SALES_E164, Showroom};
use crate::support::Fetch;

/// The text of the page as a reader sees it (the template escapes `/` and quotes).
fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `(src, width, height)` of every `<img>` on the page.
fn images(html: &str) -> Vec<(String, u32, u32)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[start..start + tag[start..].find('"')?].to_owned())
    };
    html.split("<img")
        .skip(1)
        .map(|rest| {
            let tag = &rest[..rest.find('>').expect("img tag ends")];
            let src = attr(tag, "src").expect("img has a src");
            let w = attr(tag, "width").and_then(|v| v.parse().ok()).expect("img has a width");
            let h = attr(tag, "height").and_then(|v| v.parse().ok()).expect("img has a height");
            (src, w, h)
        })
        .collect()
}

#[tokio::test]
async fn the_guide_covers_every_part_with_real_screenshots_and_the_bots_own_commands() {
    let shop = Showroom::open().await;
    let (app, host) = (&shop.app, shop.host());
    let (status, html) = page(app, &host, &shop.token, "/admin/bantuan").await;
    assert_eq!(status, 200, "{html}");
    let text = unescape(&html);
    for part in ["mulai", "whatsapp", "mobil", "sales", "prospek", "bot", "domain"] {
        assert!(text.contains(&format!("id=\"{part}\"")), "part #{part}");
        assert!(text.contains(&format!("href=\"#{part}\"")), "the contents link to #{part}");
    }
    assert!(text.contains("href=\"/admin/bantuan\"") && text.contains("Panduan"), "the menu has the guide");
    // The showroom's own addresses, not a made-up example only.
    assert!(text.contains(&format!("{}.", shop.slug)), "the showroom's own platform address");

    let pictures = images(&html);
    assert!(pictures.len() >= 12, "{} pictures", pictures.len());
    for (src, width, height) in &pictures {
        let src = unescape(src);
        assert!(src.starts_with("/assets/guide-") && src.ends_with(".png"), "{src}");
        let resp = app.get(&host, &src).fetch().await;
        assert_eq!(resp.status(), 200, "{src}");
        assert_eq!(resp.headers()[CONTENT_TYPE], "image/png");
        let bytes = resp.bytes().await.unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{src}");
        let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
        assert_eq!((be(16), be(20)), (*width, *height), "{src}: the page gives the picture's own size");
        // A screenshot of the dashboard, not a placeholder.
        assert!(*width >= 400 && bytes.len() > 8_000, "{src}: {width}px, {} bytes", bytes.len());
    }

    // Every documented command is in the guide, and the bot's own /help lists the same ones.
    for d in REFERENCE {
        assert!(text.contains(&format!("<code>{}</code>", d.example)), "{} in the guide", d.example);
    }
    let customer_help = shop.expect_reply("+6281299990077", "/help", &[]).await;
    let sales_help = shop.expect_reply(SALES_E164, "/help", &[]).await;
    for d in REFERENCE {
        let help = if d.for_sales { &sales_help } else { &customer_help };
        if d.example != "/help" {
            assert!(help.contains(&format!("*{}*: {}", d.example, d.what)), "{} in /help: {help}", d.example);
        }
    }

    // Like every dashboard page, it needs a session.
    let anonymous = app.get(&host, "/admin/bantuan").fetch().await;
    assert!(!anonymous.text().await.unwrap().contains("id=\"mulai\""));
    // And it is the showroom's own: another showroom's session doesn't open it here.
    let other = app.add_showroom("lain", "Showroom Lain").await;
    let resp = app.get(&host, "/admin/bantuan").header(COOKIE, cookie(&other)).fetch().await;
    assert!(!resp.text().await.unwrap().contains("id=\"mulai\""));
}

//! Photo uploads through the real pipeline, and how photos are served.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::cars::{avanza, create_car, update_car};
use crate::png_chunks::png_chunk;
use crate::support::{Fetch, TestApp, raw_request};

const GPS_MARKER: &[u8] = b"GPS 6.2088 S 106.8456 E Jl. Rahasia 7";

/// A JPEG with an EXIF block (orientation and a description holding a location
/// marker) inserted right after SOI, as phone cameras write them.
fn jpeg_with_exif() -> Vec<u8> {
    let jpeg = garasi_media::demo_car_image("AVANZA", [200, 200, 205], 800, 600);
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II\x2a\x00\x08\x00\x00\x00"); // little endian, IFD at 8
    tiff.extend_from_slice(&2u16.to_le_bytes());
    // Orientation = 1 (SHORT).
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    // ImageDescription (ASCII) pointing after the IFD.
    let text: Vec<u8> = [GPS_MARKER, b"\0"].concat();
    tiff.extend_from_slice(&0x010Eu16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&(text.len() as u32).to_le_bytes());
    tiff.extend_from_slice(&38u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    tiff.extend_from_slice(&text);
    let payload: Vec<u8> = [b"Exif\0\0".as_slice(), &tiff].concat();
    let len = (payload.len() + 2) as u16;
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A tiny PNG whose header claims 60000×60000 pixels: a pixel flood.
fn png_bomb() -> Vec<u8> {
    let mut ihdr = 60_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png_chunk(&mut png, b"IHDR", &ihdr);
    png
}

fn file_part(bytes: Vec<u8>, name: &str, mime: &str) -> Part {
    Part::bytes(bytes).file_name(name.to_owned()).mime_str(mime).unwrap()
}

async fn upload(app: &TestApp, token: &str, car_id: &str, parts: Vec<Part>) -> reqwest::Response {
    let mut form = Form::new();
    for p in parts {
        form = form.part("files", p);
    }
    app.post("sinar.localhost", &format!("/api/cars/{car_id}/photos")).bearer_auth(token).multipart(form).fetch().await
}

/// Every file under the data dir's media tree.
fn media_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() { walk(&p, out) } else { out.push(p) }
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.db.data_dir.join("media"), &mut out);
    walk(&app.db.data_dir.join("incoming"), &mut out);
    out
}

async fn setup() -> (TestApp, String, String) {
    let (app, token) = TestApp::with_showroom("sinar", "Sinar").await;
    let car = create_car(&app, "sinar.localhost", &token, &avanza()).await;
    let id = car["id"].as_str().unwrap().to_owned();
    (app, token, id)
}

#[tokio::test]
async fn a_camera_jpeg_is_resized_reencoded_and_stripped_of_metadata() {
    let (app, token, car_id) = setup().await;
    let exif = jpeg_with_exif();
    assert!(exif.windows(GPS_MARKER.len()).any(|w| w == GPS_MARKER));
    let resp = upload(
        &app,
        &token,
        &car_id,
        vec![
            file_part(exif, "IMG_2041.JPG", "image/jpeg"),
            file_part(
                garasi_media::demo_car_image("SAMPING", [30, 30, 30], 1000, 700),
                "../../etc/passwd.jpg",
                "image/jpeg",
            ),
        ],
    )
    .await;
    assert_eq!(resp.status(), 201);
    let car: Value = resp.json().await.unwrap();
    let photos = car["photos"].as_array().unwrap();
    assert_eq!(photos.len(), 2);
    assert_eq!(photos[0]["position"], 0);
    assert_eq!(photos[1]["position"], 1);
    let port = app.addr.port();
    for (variant, mime) in
        [("thumb", "image/webp"), ("card", "image/webp"), ("large", "image/webp"), ("large_jpeg", "image/jpeg")]
    {
        let url = photos[0]["urls"][variant].as_str().unwrap();
        assert!(url.starts_with(&format!("http://sinar.localhost:{port}/media/cars/{car_id}/")), "{url}");
        let path = url.split_once(&format!(":{port}")).unwrap().1;
        let resp = app.get("sinar.localhost", path).fetch().await;
        assert_eq!(resp.status(), 200, "{variant}");
        assert_eq!(resp.headers()["content-type"], mime);
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
        // Minutes, not a year: an unpublished car's photos must stop showing soon.
        assert_eq!(resp.headers()["cache-control"], "public, max-age=300, must-revalidate");
        let disposition = resp.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.starts_with("inline; filename=\"mobil-1-"), "{disposition}");
        let bytes = resp.bytes().await.unwrap();
        assert!(!bytes.windows(4).any(|w| w == b"Exif"), "{variant} still has EXIF");
        assert!(!bytes.windows(GPS_MARKER.len()).any(|w| w == GPS_MARKER), "{variant} leaks the location");
    }
    // The client's file name went nowhere: only ids name files, all inside the media tree.
    let files = media_files(&app);
    assert_eq!(files.len(), 8, "{files:?}");
    assert!(files.iter().all(|f| !f.to_string_lossy().contains("passwd")));
    assert!(!app.db.data_dir.join("etc").exists());
}

#[tokio::test]
async fn non_images_pixel_floods_and_oversize_files_are_refused_and_leave_nothing() {
    let (app, token, car_id) = setup().await;
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec();
    let cases: Vec<(&str, Vec<u8>, &str, u16)> = vec![
        ("teks.jpg", b"ini bukan foto, cuma teks biasa".to_vec(), "image/jpeg", 422),
        ("logo.svg", svg, "image/svg+xml", 422),
        ("bom.png", png_bomb(), "image/png", 422),
    ];
    for (name, bytes, mime, status) in cases {
        let resp = upload(&app, &token, &car_id, vec![file_part(bytes, name, mime)]).await;
        assert_eq!(resp.status().as_u16(), status, "{name}");
        let body: Value = resp.json().await.unwrap();
        let msg = body["error"]["fields"]["files"].as_str().unwrap_or_default().to_owned();
        assert!(!msg.is_empty(), "{name}: {body}");
    }
    // 16 MiB behind a JPEG signature: refused while streaming.
    let mut big = vec![0xFF, 0xD8, 0xFF, 0xE0];
    big.resize(16 * 1024 * 1024, 7);
    let resp = upload(&app, &token, &car_id, vec![file_part(big, "besar.jpg", "image/jpeg")]).await;
    assert_eq!(resp.status(), 413);
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("terlalu besar"));

    // One bad file spoils the batch: the good one is not kept either.
    let good = garasi_media::demo_car_image("OK", [1, 2, 3], 400, 300);
    let resp = upload(
        &app,
        &token,
        &car_id,
        vec![file_part(good, "a.jpg", "image/jpeg"), file_part(b"x".repeat(100), "b.jpg", "image/jpeg")],
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert!(media_files(&app).is_empty(), "{:?}", media_files(&app));
    let car: Value = app.get("sinar.localhost", &format!("/api/cars/{car_id}")).bearer_auth(&token).fetch_json().await;
    assert_eq!(car["photos"], json!([]));

    // No parts, or parts under another name.
    let resp = app
        .post("sinar.localhost", &format!("/api/cars/{car_id}/photos"))
        .bearer_auth(&token)
        .multipart(Form::new().text("other", "x"))
        .fetch()
        .await;
    assert_eq!(resp.status(), 422);
}

#[tokio::test]
async fn an_upload_cut_off_midway_leaves_no_half_file() {
    let (app, token, car_id) = setup().await;
    // Send the headers and half of a declared body, then hang up.
    let boundary = "garasiBoundary";
    let head = format!(
        "POST /api/cars/{car_id}/photos HTTP/1.1\r\nHost: sinar.localhost\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 2000000\r\n\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    );
    let mut partial = head.into_bytes();
    partial.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xE0]);
    partial.extend(std::iter::repeat_n(9u8, 500_000));
    {
        use tokio::io::AsyncWriteExt;
        let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        stream.write_all(&partial).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    } // dropped: connection closed mid-body
    let mut leftovers = media_files(&app);
    for _ in 0..50 {
        if leftovers.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        leftovers = media_files(&app);
    }
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A hard kill cannot run destructors: the start-up sweep removes what it left.
    let incoming = app.db.data_dir.join("incoming");
    std::fs::create_dir_all(&incoming).unwrap();
    let stale = incoming.join("0190b7a2-0000-7000-8000-000000000000.part");
    std::fs::write(&stale, b"half a photo").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options().write(true).open(&stale).unwrap().set_modified(old).unwrap();
    let (_, sibling) = app.spawn_sibling().await;
    assert!(!stale.exists(), "the sweep at start-up removes stale uploads");
    sibling.stop().await.unwrap();
}

#[tokio::test]
async fn photos_are_reordered_deleted_and_served_only_where_allowed() {
    let (app, token, car_id) = setup().await;
    let img = |l: &str| file_part(garasi_media::demo_car_image(l, [10, 90, 200], 640, 480), "x.jpg", "image/jpeg");
    let car: Value = upload(&app, &token, &car_id, vec![img("A"), img("B"), img("C")]).await.json().await.unwrap();
    let ids: Vec<String> =
        car["photos"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 3);

    let reorder = |order: &Value| {
        app.put("sinar.localhost", &format!("/api/cars/{car_id}/photos/order")).bearer_auth(&token).json(order)
    };
    let order = json!({ "order": [ids[2], ids[0], ids[1]] });
    let car = reorder(&order).fetch_expect(200).await;
    let now: Vec<&str> = car["photos"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(now, vec![ids[2].as_str(), ids[0].as_str(), ids[1].as_str()]);
    let bad = json!({ "order": [ids[0], ids[1]] });
    assert_eq!(reorder(&bad).fetch().await.status(), 422);

    let resp = app
        .delete("sinar.localhost", &format!("/api/cars/{car_id}/photos/{}", ids[0]))
        .bearer_auth(&token)
        .fetch()
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(media_files(&app).len(), 8);
    let photo_path = |photo: &str, file: &str| format!("/media/cars/{car_id}/{photo}/{file}");
    assert_eq!(app.get("sinar.localhost", &photo_path(&ids[0], "card.webp")).fetch().await.status(), 404);

    // A public car's photo is public; a draft's only for logged-in staff.
    let public = photo_path(&ids[1], "card.webp");
    let first = app.get("sinar.localhost", &public).fetch().await;
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    // A cache revalidating a public photo gets a 304 without the bytes…
    let again = app.get("sinar.localhost", &public).header("if-none-match", &etag).fetch().await;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["cache-control"], "public, max-age=300, must-revalidate");
    update_car(&app, "sinar.localhost", &token, &car_id, &json!({ "status": "draft" })).fetch().await;
    assert_eq!(app.get("sinar.localhost", &public).fetch().await.status(), 404);
    // …but once the car is unpublished the same revalidation is a 404, not a 304.
    let stale = app.get("sinar.localhost", &public).header("if-none-match", &etag).fetch().await;
    assert_eq!(stale.status(), 404);
    let staff = app.get("sinar.localhost", &public).bearer_auth(&token).fetch().await;
    assert_eq!(staff.status(), 200);
    assert_eq!(staff.headers()["cache-control"], "private, no-store");

    // Never through another showroom's host, and never outside the variant names.
    let berkah = app.add_showroom("berkah", "Berkah").await;
    update_car(&app, "sinar.localhost", &token, &car_id, &json!({ "status": "available" })).fetch().await;
    assert_eq!(app.get("berkah.localhost", &public).fetch().await.status(), 404);
    assert_eq!(app.get("berkah.localhost", &public).bearer_auth(&berkah).fetch().await.status(), 404);
    for file in ["..%2F..%2Fgarasi.db", "thumb.png", "THUMB.WEBP", "%2e%2e"] {
        assert_eq!(app.get("sinar.localhost", &photo_path(&ids[1], file)).fetch().await.status(), 404, "{file}");
    }
    let raw = format!(
        "GET /media/cars/{car_id}/{}/../../../garasi.db HTTP/1.1\r\nHost: sinar.localhost\r\nConnection: close\r\n\r\n",
        ids[1]
    );
    let resp = raw_request(app.addr, &raw).await;
    assert!(resp.starts_with("HTTP/1.1 404") || resp.starts_with("HTTP/1.1 400"), "{resp}");
    // Berkah cannot touch Sinar's photos through the API either.
    for (method, path) in [
        ("PUT", format!("/api/cars/{car_id}/photos/order")),
        ("DELETE", format!("/api/cars/{car_id}/photos/{}", ids[1])),
    ] {
        let req = if method == "PUT" {
            app.put("berkah.localhost", &path).json(&order)
        } else {
            app.delete("berkah.localhost", &path)
        };
        assert_eq!(req.bearer_auth(&berkah).fetch().await.status(), 404, "{method} {path}");
    }
    let resp = app
        .post("berkah.localhost", &format!("/api/cars/{car_id}/photos"))
        .bearer_auth(&berkah)
        .multipart(Form::new().part("files", img("X")))
        .fetch()
        .await;
    assert_eq!(resp.status(), 404);
}

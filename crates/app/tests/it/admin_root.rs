//! The root dashboard on the admin host: its own login, platform figures and health,
//! showrooms (create, view, edit, suspend, reactivate, delete) and the audit log.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};

use crate::admin::{FormBody, cookie, hx_post, location, logout_form, page};
use crate::bot::Showroom;
use crate::support::{Fetch, STRONG_PASSWORD, TestApp};

const ROOT_PAGES: &[&str] = &["/", "/tenants", "/tenants/new", "/connections", "/audit"];

/// Signs in through the root login form and returns the session secret.
pub async fn root_session(app: &TestApp) -> String {
    app.create_root("root@garasi.test", STRONG_PASSWORD).await;
    let resp = app
        .post(&app.admin_host(), "/login")
        .header("sec-fetch-site", "same-origin")
        .form_pairs(&[("email", "root@garasi.test"), ("password", STRONG_PASSWORD), ("next", "/tenants")])
        .fetch()
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/tenants?notice=login");
    let set = resp.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    set.trim_start_matches("garasi_session=").split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn root_pages_need_a_root_login_of_their_own() {
    let app = TestApp::spawn().await;
    let admin = app.admin_host();
    for path in ROOT_PAGES {
        let resp = app.get(&admin, path).fetch().await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&resp).starts_with("/login"), "{path}");
    }
    let html = app.get(&admin, "/login").fetch_text().await;
    assert!(html.contains("Masuk sebagai admin platform") && html.contains("action=\"&#x2f;login\""));

    // A showroom owner's session is not a root session, on either host.
    let root = app.root_token().await;
    app.create_tenant(&root, "sinar", "Sinar").await;
    let owner = app.owner_token("sinar").await;
    let resp = app.get(&admin, "/").header(COOKIE, cookie(&owner)).fetch().await;
    assert_eq!(location(&resp), "/login");
    let resp = app
        .post(&admin, "/login")
        .header("sec-fetch-site", "same-origin")
        .form_pairs(&[("email", "owner@sinar.test"), ("password", STRONG_PASSWORD)])
        .fetch()
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // Nor are the dashboards mixed up: no showroom dashboard on the admin host, no root pages on a showroom.
    assert_eq!(app.get(&admin, "/admin").fetch().await.status(), 404);
    let resp = app.get(&TestApp::tenant_host("sinar"), "/tenants").header(COOKIE, cookie(&root)).fetch().await;
    assert_eq!(resp.status(), 404);
    // And the root session does not open a showroom's dashboard.
    let resp = app.get(&TestApp::tenant_host("sinar"), "/admin").header(COOKIE, cookie(&root)).fetch().await;
    assert_eq!(location(&resp), "/admin/login");
}

#[tokio::test]
async fn the_root_manages_showrooms_from_the_dashboard() {
    let shop = Showroom::on(TestApp::spawn().await, "sinar").await;
    let app = &shop.app;
    let admin = app.admin_host();
    let token = root_session(app).await;

    for path in ROOT_PAGES {
        let (status, html) = page(app, &admin, &token, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains("Garasi Platform"), "{path}");
    }
    // Figures come from the showroom's own scope.
    let (_, dash) = page(app, &admin, &token, "/").await;
    assert!(dash.contains("Kesehatan sistem") && dash.contains("Database") && dash.contains("Normal"));
    assert!(dash.contains("Showroom sinar"));
    let (_, list) = page(app, &admin, &token, "/tenants").await;
    assert!(list.contains("Showroom sinar") && list.contains("sinar.localhost") && list.contains("Aktif"));

    // Create: the API's validation, shown next to each field.
    let resp = hx_post(
        app,
        &admin,
        &token,
        "/tenants",
        &[("name", "B"), ("slug", "Bad Slug"), ("owner_email", "bukan-email"), ("owner_password", "pendek")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Nama showroom minimal 2 karakter.") && html.contains("id=\"err-slug\""), "{html}");
    assert!(html.contains("id=\"err-owner_email\"") && html.contains("id=\"err-owner_password\""));
    let resp = hx_post(
        app,
        &admin,
        &token,
        "/tenants",
        &[("name", "Sinar Lagi"), ("slug", "sinar"), ("owner_email", "a@b.test"), ("owner_password", STRONG_PASSWORD)],
    )
    .await;
    assert!(resp.text().await.unwrap().contains("Slug ini sudah dipakai showroom lain."));
    let resp = hx_post(
        app,
        &admin,
        &token,
        "/tenants",
        &[
            ("name", "Berkah Mobil"),
            ("slug", "berkah"),
            ("owner_email", "owner@berkah.test"),
            ("owner_password", STRONG_PASSWORD),
            ("whatsapp_number", "0812-7777-8888"),
            ("domain", ""),
        ],
    )
    .await;
    let to = resp.headers()["hx-redirect"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/tenants/") && to.ends_with("?notice=tenant_created"), "{to}");
    let id = to.trim_start_matches("/tenants/").trim_end_matches("?notice=tenant_created").to_owned();
    let (_, detail) = page(app, &admin, &token, &to).await;
    assert!(detail.contains("Showroom baru berhasil dibuat.") && detail.contains("Berkah Mobil"));
    // The new owner can sign in to their own dashboard.
    assert_eq!(app.login("berkah.localhost", "owner@berkah.test", STRONG_PASSWORD).await.status(), 200);

    // Edit: a bad number is refused at its field, a good form is saved.
    for (number, status, shown) in [
        ("12", StatusCode::UNPROCESSABLE_ENTITY, "id=\"err-whatsapp_number\""),
        ("", StatusCode::OK, "Data Berkah Motor tersimpan."),
    ] {
        let form = [("name", "Berkah Motor"), ("whatsapp_number", number), ("domain", "")];
        let resp = hx_post(app, &admin, &token, &format!("/tenants/{id}"), &form).await;
        assert_eq!(resp.status(), status, "{number:?}");
        assert!(resp.text().await.unwrap().contains(shown), "{number:?}");
    }

    // Suspend: the showroom stops answering; reactivate: it answers again.
    let resp = hx_post(app, &admin, &token, &format!("/tenants/{id}/status"), &[("status", "suspended")]).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("Ditangguhkan"));
    assert_eq!(app.get("berkah.localhost", "/").fetch().await.status(), 404);
    let resp = hx_post(app, &admin, &token, &format!("/tenants/{id}/status"), &[("status", "deleted")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "delete has its own button");
    hx_post(app, &admin, &token, &format!("/tenants/{id}/status"), &[("status", "active")]).await;
    assert_eq!(app.get("berkah.localhost", "/").fetch().await.status(), 200);

    // Delete: gone from the list, 410 on its host.
    let resp = hx_post(app, &admin, &token, &format!("/tenants/{id}/delete"), &[]).await;
    assert_eq!(resp.headers()["hx-redirect"], "/tenants?notice=tenant_deleted");
    assert_eq!(app.get("berkah.localhost", "/").fetch().await.status(), 410);
    let (_, list) = page(app, &admin, &token, "/tenants").await;
    assert!(!list.contains("Berkah Motor"));
    let (_, list) = page(app, &admin, &token, "/tenants?deleted=1").await;
    assert!(list.contains("Berkah Motor") && list.contains("Dihapus"));

    // Everything is in the audit log, newest first, and can be narrowed to one showroom.
    let (_, log) = page(app, &admin, &token, "/audit").await;
    let delete_at = log.find("tenant.delete").unwrap();
    let create_at = log.find("tenant.create").unwrap();
    assert!(delete_at < create_at, "newest first");
    let (_, one) = page(app, &admin, &token, &format!("/audit?tenant={}", shop.tenant)).await;
    assert!(!one.contains("tenant.delete") && one.contains("sales.create"));
    // Unknown showroom ids are 404s.
    let (status, _) = page(app, &admin, &token, "/tenants/0195f3b2-7c4e-7d0a-9f3e-123456789abc").await;
    assert_eq!(status, 404);
    let (status, _) = page(app, &admin, &token, "/tenants/bukan-id").await;
    assert_eq!(status, 404);

    // Logout ends the root session.
    let out = logout_form(app, &admin, "/logout", &token).await;
    assert_eq!(location(&out), "/login");
    let resp = app.get(&admin, "/").header(COOKIE, cookie(&token)).fetch().await;
    assert_eq!(location(&resp), "/login");
}

//! Users per showroom (issue #14): invitations by link and by temporary password, roles,
//! disabling, removal, the last-owner and self lock-out rules, who may manage users,
//! isolation between showrooms, the own account (password, sessions), the audit trail
//! on the owner's and root's pages, and "prospek saya".

use garasi_domain::TenantId;
use garasi_store::tenant::NewLead;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE, USER_AGENT};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::admin::{FormBody, cookie, hx_post, location, page};
use crate::sales::{add_sales, phone, spawn_showrooms, staff_token};
use crate::support::{Fetch, STRONG_PASSWORD, TestApp};

const NEW_PASSWORD: &str = "Mobil-Bekas-Jaya-77";

fn host(slug: &str) -> String {
    TestApp::tenant_host(slug)
}

/// Invites `email` through the API as `token`, expecting 201.
async fn invite(app: &TestApp, slug: &str, token: &str, email: &str, role: &str, method: &str) -> Value {
    app.post(&host(slug), "/api/users")
        .bearer_auth(token)
        .json(&json!({ "email": email, "name": "Siti Rahma", "role": role, "method": method }))
        .fetch_expect(201)
        .await
}

/// The secret of an invitation URL (`…/admin/undangan/<token>`).
fn link_token(url: &str) -> String {
    url.rsplit_once("/admin/undangan/").expect("an invitation url").1.to_owned()
}

/// Submits the invitation page's form as a browser does.
async fn accept(app: &TestApp, slug: &str, token: &str, password: &str, confirm: &str) -> reqwest::Response {
    app.post(&host(slug), &format!("/admin/undangan/{token}"))
        .header("sec-fetch-site", "same-origin")
        .header(USER_AGENT, "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36")
        .form_pairs(&[("password", password), ("confirm_password", confirm)])
        .fetch()
        .await
}

/// The session secret a response set as its cookie.
fn session_from(resp: &reqwest::Response) -> String {
    let set = resp.headers().get(SET_COOKIE).expect("a session cookie").to_str().unwrap();
    set.strip_prefix("garasi_session=").unwrap().split(';').next().unwrap().to_owned()
}

async fn login_token(app: &TestApp, slug: &str, email: &str, password: &str) -> String {
    let resp = app.login(&host(slug), email, password).await;
    assert_eq!(resp.status(), 200, "login {email}");
    resp.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

async fn status_of(app: &TestApp, slug: &str, token: &str, path: &str) -> u16 {
    app.get(&host(slug), path).bearer_auth(token).fetch().await.status().as_u16()
}

async fn put_user(app: &TestApp, slug: &str, token: &str, id: &str, body: Value) -> reqwest::Response {
    app.put(&host(slug), &format!("/api/users/{id}")).bearer_auth(token).json(&body).fetch().await
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_invitation_link_sets_the_password_signs_in_and_works_once() {
    let (app, [(_, owner)]) = spawn_showrooms(["sinar"]).await;
    let invited = invite(&app, "sinar", &owner, "Siti@Contoh.id", "staff", "link").await;
    assert_eq!(invited["user"]["status"], "invited");
    assert_eq!(invited["user"]["email"], "siti@contoh.id");
    assert!(invited["handover"]["temporary_password"].is_null());
    let token = link_token(invited["handover"]["invite_url"].as_str().unwrap());

    // Nobody can sign in before the link is used.
    assert_eq!(app.login(&host("sinar"), "siti@contoh.id", NEW_PASSWORD).await.status(), 401);

    let resp = app.get(&host("sinar"), &format!("/admin/undangan/{token}")).fetch().await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["referrer-policy"], "no-referrer");
    assert!(resp.text().await.unwrap().contains("siti@contoh.id"));
    // A mismatch and a weak password are refused, and the link still works after them.
    assert_eq!(accept(&app, "sinar", &token, NEW_PASSWORD, "lain-lain-lain").await.status(), 422);
    let weak = accept(&app, "sinar", &token, "password123", "password123").await;
    assert_eq!(weak.status(), 422);
    assert!(weak.text().await.unwrap().contains("terlalu umum"));

    let resp = accept(&app, "sinar", &token, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/admin?notice=welcome");
    let session = session_from(&resp);
    let me: Value = app.get(&host("sinar"), "/api/auth/me").bearer_auth(&session).fetch_expect(200).await;
    assert_eq!(me["user"]["email"], "siti@contoh.id");
    assert_eq!(me["user"]["role"], "staff");
    let (status, body) = page(&app, &host("sinar"), &session, "/admin").await;
    assert_eq!(status, 200, "{body}");

    // Once only: a second use and an unknown link get the dead-link page.
    let again = accept(&app, "sinar", &token, "Kata-Sandi-Lain-99", "Kata-Sandi-Lain-99").await;
    assert_eq!(again.status(), 404);
    assert!(again.text().await.unwrap().contains("tidak berlaku"));
    assert_eq!(app.get(&host("sinar"), "/admin/undangan/palsu").fetch().await.status(), 404);

    // The chosen password signs in again; the list shows the user as active.
    login_token(&app, "sinar", "siti@contoh.id", NEW_PASSWORD).await;
    let list: Value = app.get(&host("sinar"), "/api/users").bearer_auth(&owner).fetch_expect(200).await;
    let siti = list["items"].as_array().unwrap().iter().find(|u| u["email"] == "siti@contoh.id").unwrap().clone();
    assert_eq!(siti["status"], "active");
    // A link is not re-issued for someone who already signed in.
    let resp = app.post(&host("sinar"), &format!("/api/users/{}/invite-link", id_of(&siti))).bearer_auth(&owner);
    resp.fetch_expect(409).await;
}

#[tokio::test]
async fn the_dashboard_invites_and_a_new_link_replaces_the_old_one() {
    let (app, [(_, owner)]) = spawn_showrooms(["sinar"]).await;
    let form = [("name", "Budi Admin"), ("email", "budi@contoh.id"), ("role", "admin"), ("method", "link")];
    let resp = hx_post(&app, &host("sinar"), &owner, "/admin/pengguna", &form).await;
    assert_eq!(resp.status(), 200);
    // The page escapes `/` in attribute values.
    let body = resp.text().await.unwrap().replace("&#x2f;", "/");
    let start = body.find("/admin/undangan/").expect("the link is shown once");
    let first: String =
        body[start + "/admin/undangan/".len()..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    assert_eq!(first.len(), 64);
    assert!(body.contains("Menunggu undangan diterima"));
    // The same e-mail again: a field message.
    let again = hx_post(&app, &host("sinar"), &owner, "/admin/pengguna", &form).await;
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("sudah dipakai"));

    let list: Value = app.get(&host("sinar"), "/api/users").bearer_auth(&owner).fetch_expect(200).await;
    let budi = list["items"].as_array().unwrap().iter().find(|u| u["email"] == "budi@contoh.id").unwrap().clone();
    let path = format!("/api/users/{}/invite-link", id_of(&budi));
    let fresh: Value = app.post(&host("sinar"), &path).bearer_auth(&owner).fetch_expect(200).await;
    let second = link_token(fresh["invite_url"].as_str().unwrap());
    assert_ne!(first, second);
    assert_eq!(app.get(&host("sinar"), &format!("/admin/undangan/{first}")).fetch().await.status(), 404);
    let resp = accept(&app, "sinar", &second, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(resp.status(), 303);
    let me: Value = app.get(&host("sinar"), "/api/auth/me").bearer_auth(session_from(&resp)).fetch_expect(200).await;
    assert_eq!(me["user"]["role"], "admin");
}

#[tokio::test]
async fn a_temporary_password_must_be_changed_before_anything_else() {
    let (app, [(_, owner)]) = spawn_showrooms(["sinar"]).await;
    let invited = invite(&app, "sinar", &owner, "dewi@contoh.id", "admin", "temporary_password").await;
    assert_eq!(invited["user"]["status"], "must_change");
    let temporary = invited["handover"]["temporary_password"].as_str().unwrap().to_owned();
    assert!(invited["handover"]["invite_url"].is_null());

    let token = login_token(&app, "sinar", "dewi@contoh.id", &temporary).await;
    let refused = app.get(&host("sinar"), "/api/cars").bearer_auth(&token).fetch_expect(403).await;
    assert_eq!(refused["error"]["code"], "password_change_required");
    assert_eq!(status_of(&app, "sinar", &token, "/api/auth/me").await, 200);
    // Every dashboard page leads to the password form.
    for path in ["/admin", "/admin/cars", "/admin/leads"] {
        let resp = app.get(&host("sinar"), path).header(COOKIE, cookie(&token)).fetch().await;
        assert_eq!((resp.status().as_u16(), location(&resp)), (303, "/admin/akun".to_owned()), "{path}");
    }
    let (status, body) = page(&app, &host("sinar"), &token, "/admin/akun").await;
    assert_eq!(status, 200);
    assert!(body.contains("kata sandi sementara"));

    let change = |current: &str, new: &str| {
        app.put(&host("sinar"), "/api/account/password")
            .bearer_auth(&token)
            .json(&json!({ "current_password": current, "new_password": new }))
    };
    let wrong = change("salah-sekali-123", NEW_PASSWORD).fetch_expect(422).await;
    assert!(wrong["error"]["fields"]["current_password"].is_string());
    let weak = change(&temporary, "1234567890").fetch_expect(422).await;
    assert!(weak["error"]["fields"]["new_password"].is_string());
    assert_eq!(change(&temporary, NEW_PASSWORD).fetch().await.status(), 204);
    assert_eq!(status_of(&app, "sinar", &token, "/api/cars").await, 200);
    let (status, _) = page(&app, &host("sinar"), &token, "/admin/cars").await;
    assert_eq!(status, 200);
    assert_eq!(app.login(&host("sinar"), "dewi@contoh.id", &temporary).await.status(), 401);
}

#[tokio::test]
async fn roles_change_disabling_ends_sessions_and_removal_frees_the_email() {
    let (app, [(_, owner)]) = spawn_showrooms(["sinar"]).await;
    let invited = invite(&app, "sinar", &owner, "eko@contoh.id", "admin", "temporary_password").await;
    let id = id_of(&invited["user"]);
    let temporary = invited["handover"]["temporary_password"].as_str().unwrap().to_owned();
    let eko = login_token(&app, "sinar", "eko@contoh.id", &temporary).await;
    let changed = app
        .put(&host("sinar"), "/api/account/password")
        .bearer_auth(&eko)
        .json(&json!({ "current_password": temporary, "new_password": NEW_PASSWORD }))
        .fetch()
        .await;
    assert_eq!(changed.status(), 204);

    let resp = put_user(&app, "sinar", &owner, &id, json!({ "role": "staff" })).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap()["role"], "staff");
    let bad = put_user(&app, "sinar", &owner, &id, json!({ "role": "raja" })).await;
    assert_eq!(bad.status(), 422);
    let me: Value = app.get(&host("sinar"), "/api/auth/me").bearer_auth(&eko).fetch_expect(200).await;
    assert_eq!(me["user"]["role"], "staff");

    // Disabling ends the session at once: 401 on the API, the login page on the dashboard.
    let resp = put_user(&app, "sinar", &owner, &id, json!({ "disabled": true })).await;
    assert_eq!(resp.json::<Value>().await.unwrap()["status"], "disabled");
    assert_eq!(status_of(&app, "sinar", &eko, "/api/auth/me").await, 401);
    let resp = app.get(&host("sinar"), "/admin/cars").header(COOKIE, cookie(&eko)).fetch().await;
    assert!(location(&resp).starts_with("/admin/login"), "{}", location(&resp));
    assert_eq!(app.login(&host("sinar"), "eko@contoh.id", NEW_PASSWORD).await.status(), 401);
    put_user(&app, "sinar", &owner, &id, json!({ "disabled": false })).await;
    let eko = login_token(&app, "sinar", "eko@contoh.id", NEW_PASSWORD).await;

    // Removal: sessions end, the e-mail can be invited again, the old password is dead.
    app.delete(&host("sinar"), &format!("/api/users/{id}")).bearer_auth(&owner).fetch().await;
    assert_eq!(status_of(&app, "sinar", &eko, "/api/auth/me").await, 401);
    assert_eq!(app.login(&host("sinar"), "eko@contoh.id", NEW_PASSWORD).await.status(), 401);
    let list: Value = app.get(&host("sinar"), "/api/users").bearer_auth(&owner).fetch_expect(200).await;
    assert!(list["items"].as_array().unwrap().iter().all(|u| u["id"] != id.as_str()));
    assert_eq!(put_user(&app, "sinar", &owner, &id, json!({ "role": "admin" })).await.status(), 404);
    let again = invite(&app, "sinar", &owner, "eko@contoh.id", "staff", "link").await;
    assert_ne!(id_of(&again["user"]), id);
}

#[tokio::test]
async fn the_last_owner_stays_and_nobody_locks_themselves_out() {
    let (app, [(_, owner)]) = spawn_showrooms(["sinar"]).await;
    let me: Value = app.get(&host("sinar"), "/api/auth/me").bearer_auth(&owner).fetch_expect(200).await;
    let owner_id = me["user"]["id"].as_str().unwrap().to_owned();
    for body in [json!({ "role": "admin" }), json!({ "disabled": true })] {
        let resp = put_user(&app, "sinar", &owner, &owner_id, body).await;
        let err: Value = resp.json().await.unwrap();
        assert_eq!(err["error"]["code"], "conflict", "{err}");
        assert!(err["error"]["message"].as_str().unwrap().contains("pemilik aktif"));
    }
    let resp = app.delete(&host("sinar"), &format!("/api/users/{owner_id}")).bearer_auth(&owner).fetch().await;
    assert_eq!(resp.status(), 409);

    // With a second owner, the rule that remains is: not yourself.
    let second = invite(&app, "sinar", &owner, "fajar@contoh.id", "admin", "temporary_password").await;
    let second_id = id_of(&second["user"]);
    assert_eq!(put_user(&app, "sinar", &owner, &second_id, json!({ "role": "owner" })).await.status(), 200);
    let resp = put_user(&app, "sinar", &owner, &owner_id, json!({ "disabled": true })).await;
    let err: Value = resp.json().await.unwrap();
    assert_eq!(err["error"]["code"], "forbidden", "{err}");
    let resp = app.delete(&host("sinar"), &format!("/api/users/{owner_id}")).bearer_auth(&owner).fetch().await;
    assert_eq!(resp.status(), 403);
    // Another owner may demote this one; then only one owner is left, and stays.
    assert_eq!(put_user(&app, "sinar", &owner, &second_id, json!({ "role": "staff" })).await.status(), 200);
    assert_eq!(put_user(&app, "sinar", &owner, &owner_id, json!({ "role": "staff" })).await.status(), 409);
}

#[tokio::test]
async fn only_owners_manage_users_and_other_showrooms_find_nothing() {
    let (app, [(sinar, owner), (_, other_owner)]) = spawn_showrooms(["sinar", "berkah"]).await;
    let admin = invite(&app, "sinar", &owner, "admin@contoh.id", "admin", "link").await;
    let admin_id = id_of(&admin["user"]);
    let staff = staff_token(&app, "sinar", sinar).await;
    let admin_token = {
        let token = link_token(admin["handover"]["invite_url"].as_str().unwrap());
        session_from(&accept(&app, "sinar", &token, NEW_PASSWORD, NEW_PASSWORD).await)
    };
    for token in [&staff, &admin_token] {
        let refused = app.get(&host("sinar"), "/api/users").bearer_auth(token).fetch_expect(403).await;
        assert_eq!(refused["error"]["code"], "forbidden");
        let body = json!({ "email": "x@contoh.id", "name": "X Y", "role": "staff", "method": "link" });
        app.post(&host("sinar"), "/api/users").bearer_auth(token).json(&body).fetch_expect(403).await;
        assert_eq!(put_user(&app, "sinar", token, &admin_id, json!({ "role": "staff" })).await.status(), 403);
        let resp = app.delete(&host("sinar"), &format!("/api/users/{admin_id}")).bearer_auth(token).fetch().await;
        assert_eq!(resp.status(), 403);
        for path in ["/admin/pengguna", "/admin/aktivitas"] {
            let (status, _) = page(&app, &host("sinar"), token, path).await;
            assert_eq!(status, 403, "{path}");
        }
        let resp = hx_post(&app, &host("sinar"), token, &format!("/admin/pengguna/{admin_id}/nonaktifkan"), &[]).await;
        assert_eq!(resp.status(), 403);
    }

    // Another showroom's owner: not in their list, 404 on every route.
    let list: Value = app.get(&host("berkah"), "/api/users").bearer_auth(&other_owner).fetch_expect(200).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(put_user(&app, "berkah", &other_owner, &admin_id, json!({ "disabled": true })).await.status(), 404);
    let paths = [format!("/api/users/{admin_id}/invite-link"), format!("/api/users/{admin_id}/temporary-password")];
    for path in &paths {
        assert_eq!(app.post(&host("berkah"), path).bearer_auth(&other_owner).fetch().await.status(), 404);
    }
    let resp = app.delete(&host("berkah"), &format!("/api/users/{admin_id}")).bearer_auth(&other_owner).fetch().await;
    assert_eq!(resp.status(), 404);
    let resp = hx_post(&app, &host("berkah"), &other_owner, &format!("/admin/pengguna/{admin_id}/hapus"), &[]).await;
    assert_eq!(resp.status(), 404);
    // The admin is untouched, and sinar's tokens mean nothing on berkah's host.
    assert_eq!(status_of(&app, "sinar", &admin_token, "/api/auth/me").await, 200);
    assert_eq!(status_of(&app, "berkah", &owner, "/api/users").await, 401);
}

#[tokio::test]
async fn sessions_are_listed_ended_and_a_password_change_ends_the_others() {
    let (app, [(_, first)]) = spawn_showrooms(["sinar"]).await;
    let email = "owner@sinar.test";
    let phone_ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 \
                    Mobile/15E148 Safari/604.1";
    let resp = app
        .post(&host("sinar"), "/api/auth/login")
        .header(USER_AGENT, phone_ua)
        .json(&json!({ "email": email, "password": STRONG_PASSWORD }))
        .fetch()
        .await;
    let phone: String = resp.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let laptop = login_token(&app, "sinar", email, STRONG_PASSWORD).await;

    let list: Value = app.get(&host("sinar"), "/api/account/sessions").bearer_auth(&laptop).fetch_expect(200).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(items.iter().all(|s| s["ip"] == "127.0.0.1"), "{list}");
    let phone_session = items.iter().find(|s| s["device"] == "Safari di iPhone").expect("the phone").clone();
    let (status, body) = page(&app, &host("sinar"), &laptop, "/admin/akun").await;
    assert_eq!(status, 200);
    assert!(body.contains("Safari di iPhone") && body.contains("Sesi ini"));

    // End one session: that one only.
    let path = format!("/api/account/sessions/{}", phone_session["id"].as_str().unwrap());
    assert_eq!(app.delete(&host("sinar"), &path).bearer_auth(&laptop).fetch().await.status(), 204);
    assert_eq!(status_of(&app, "sinar", &phone, "/api/auth/me").await, 401);
    assert_eq!(status_of(&app, "sinar", &first, "/api/auth/me").await, 200);
    // Someone else's session is not yours to end.
    let (other_session, other_token) = {
        let invited = invite(&app, "sinar", &laptop, "gita@contoh.id", "staff", "link").await;
        let token = link_token(invited["handover"]["invite_url"].as_str().unwrap());
        let session = session_from(&accept(&app, "sinar", &token, NEW_PASSWORD, NEW_PASSWORD).await);
        let list: Value =
            app.get(&host("sinar"), "/api/account/sessions").bearer_auth(&session).fetch_expect(200).await;
        (list["items"][0]["id"].as_str().unwrap().to_owned(), session)
    };
    let path = format!("/api/account/sessions/{other_session}");
    assert_eq!(app.delete(&host("sinar"), &path).bearer_auth(&laptop).fetch().await.status(), 404);
    assert_eq!(status_of(&app, "sinar", &other_token, "/api/auth/me").await, 200);

    // End all others.
    let ended: Value = app.delete(&host("sinar"), "/api/account/sessions").bearer_auth(&laptop).fetch_expect(200).await;
    assert_eq!(ended["ended"], 1);
    assert_eq!(status_of(&app, "sinar", &first, "/api/auth/me").await, 401);
    assert_eq!(status_of(&app, "sinar", &laptop, "/api/auth/me").await, 200);

    // A password change needs the current one and ends every other session.
    let again = login_token(&app, "sinar", email, STRONG_PASSWORD).await;
    let form =
        [("current_password", "salah-salah-salah"), ("new_password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)];
    let resp = hx_post(&app, &host("sinar"), &laptop, "/admin/akun/sandi", &form).await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("Kata sandi saat ini salah"));
    let form =
        [("current_password", STRONG_PASSWORD), ("new_password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)];
    let resp = hx_post(&app, &host("sinar"), &laptop, "/admin/akun/sandi", &form).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(status_of(&app, "sinar", &again, "/api/auth/me").await, 401);
    let resp = app.get(&host("sinar"), "/admin").header(COOKIE, cookie(&again)).fetch().await;
    assert_eq!(location(&resp), "/admin/login");
    assert_eq!(status_of(&app, "sinar", &laptop, "/api/auth/me").await, 200);
    assert_eq!(app.login(&host("sinar"), email, STRONG_PASSWORD).await.status(), 401);
    login_token(&app, "sinar", email, NEW_PASSWORD).await;
}

#[tokio::test]
async fn every_user_action_is_audited_for_the_owner_and_root() {
    let (app, [(sinar, owner)]) = spawn_showrooms(["sinar"]).await;
    let rina = add_sales(&app, "sinar", &owner, "Rina", "0812-1111-2222").await;
    let invited = invite(&app, "sinar", &owner, "hana@contoh.id", "staff", "link").await;
    let id = id_of(&invited["user"]);
    let token = link_token(invited["handover"]["invite_url"].as_str().unwrap());
    let hana = session_from(&accept(&app, "sinar", &token, NEW_PASSWORD, NEW_PASSWORD).await);
    put_user(&app, "sinar", &owner, &id, json!({ "role": "admin" })).await;
    put_user(&app, "sinar", &owner, &id, json!({ "sales_id": rina["id"] })).await;
    // Two more sessions: one to end alone, one to end with "all others".
    login_token(&app, "sinar", "hana@contoh.id", NEW_PASSWORD).await;
    login_token(&app, "sinar", "hana@contoh.id", NEW_PASSWORD).await;
    let list: Value = app.get(&host("sinar"), "/api/account/sessions").bearer_auth(&hana).fetch_expect(200).await;
    let hana2_id = list["items"].as_array().unwrap().iter().find(|s| s["current"] == false).unwrap()["id"].clone();
    let ended = app
        .delete(&host("sinar"), &format!("/api/account/sessions/{}", hana2_id.as_str().unwrap()))
        .bearer_auth(&hana)
        .fetch()
        .await;
    assert_eq!(ended.status(), 204);
    app.delete(&host("sinar"), "/api/account/sessions").bearer_auth(&hana).fetch_expect(200).await;
    let changed = app
        .put(&host("sinar"), "/api/account/password")
        .bearer_auth(&hana)
        .json(&json!({ "current_password": NEW_PASSWORD, "new_password": "Sandi-Baru-Hana-2026" }))
        .fetch()
        .await;
    assert_eq!(changed.status(), 204);
    put_user(&app, "sinar", &owner, &id, json!({ "disabled": true })).await;
    put_user(&app, "sinar", &owner, &id, json!({ "disabled": false })).await;
    app.post(&host("sinar"), &format!("/api/users/{id}/temporary-password"))
        .bearer_auth(&owner)
        .fetch_expect(200)
        .await;
    let resp = app.delete(&host("sinar"), &format!("/api/users/{id}")).bearer_auth(&owner).fetch().await;
    assert_eq!(resp.status(), 204);

    let records = app.runtime_db().platform().audit_log(Some(sinar), 200, 0).await.unwrap();
    let actions: Vec<&str> = records.iter().map(|r| r.action.as_str()).collect();
    for action in [
        "user.invite",
        "user.link_created",
        "user.invite_accepted",
        "user.role_change",
        "user.sales_link",
        "account.session_end",
        "account.sessions_end_others",
        "account.password_change",
        "user.disable",
        "user.enable",
        "user.temp_password",
        "user.delete",
    ] {
        assert!(actions.contains(&action), "{action} missing from {actions:?}");
    }
    let accepted = records.iter().find(|r| r.action == "user.invite_accepted").unwrap();
    assert_eq!(accepted.actor_id.map(|a| a.to_string()), Some(id.clone()));
    assert_eq!(accepted.ip.as_deref(), Some("127.0.0.1"));

    // The owner's page names the actors (the removed user keeps a name) and the actions.
    let (status, body) = page(&app, &host("sinar"), &owner, "/admin/aktivitas").await;
    assert_eq!(status, 200);
    for text in ["Pengguna diundang", "Undangan diterima", "Kata sandi diganti", "Pengguna dihapus", "Siti Rahma"] {
        assert!(body.contains(text), "{text}");
    }
    // Root's platform log shows the same entries.
    let root = app.root_token().await;
    let resp = app.get(&app.admin_host(), "/audit").header(COOKIE, cookie(&root)).fetch().await;
    let body = resp.text().await.unwrap();
    for text in ["Pengguna diundang", "user.invite_accepted", "Sesi lain diakhiri", "Pengguna dihapus"] {
        assert!(body.contains(text), "{text}");
    }
}

#[tokio::test]
async fn my_leads_shows_only_the_linked_salespersons_leads() {
    let (app, [(sinar, owner)]) = spawn_showrooms(["sinar"]).await;
    let rina: Uuid =
        add_sales(&app, "sinar", &owner, "Rina", "0812-1111-2222").await["id"].as_str().unwrap().parse().unwrap();
    let budi: Uuid =
        add_sales(&app, "sinar", &owner, "Budi", "0812-3333-4444").await["id"].as_str().unwrap().parse().unwrap();
    seed(&app, sinar, "Pembeli Rina Satu", "0857-0000-0001", Some(rina)).await;
    seed(&app, sinar, "Pembeli Rina Dua", "0857-0000-0002", Some(rina)).await;
    seed(&app, sinar, "Pembeli Budi", "0857-0000-0003", Some(budi)).await;
    seed(&app, sinar, "Pembeli Tanpa Sales", "0857-0000-0004", None).await;

    let invited = invite(&app, "sinar", &owner, "rina@contoh.id", "staff", "link").await;
    let id = id_of(&invited["user"]);
    let token = link_token(invited["handover"]["invite_url"].as_str().unwrap());
    let staff = session_from(&accept(&app, "sinar", &token, NEW_PASSWORD, NEW_PASSWORD).await);
    let (status, body) = page(&app, &host("sinar"), &staff, "/admin/prospek-saya").await;
    assert_eq!(status, 200);
    assert!(body.contains("belum terhubung"));
    assert!(!body.contains("Pembeli Rina Satu"));

    // Linked through the dashboard form.
    let resp = hx_post(
        &app,
        &host("sinar"),
        &owner,
        &format!("/admin/pengguna/{id}/sales"),
        &[("sales_id", &rina.to_string())],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let (_, body) = page(&app, &host("sinar"), &staff, "/admin/prospek-saya").await;
    for name in ["Pembeli Rina Satu", "Pembeli Rina Dua"] {
        assert!(body.contains(name), "{name}");
    }
    assert!(!body.contains("Pembeli Budi") && !body.contains("Pembeli Tanpa Sales"));
    let list: Value = app.get(&host("sinar"), "/api/users").bearer_auth(&owner).fetch_expect(200).await;
    let row = list["items"].as_array().unwrap().iter().find(|u| u["id"] == id.as_str()).unwrap().clone();
    assert_eq!(row["sales_id"], rina.to_string());

    // One salesperson belongs to one user; unknown salespeople are refused.
    let other = invite(&app, "sinar", &owner, "lain@contoh.id", "staff", "link").await;
    let resp = put_user(&app, "sinar", &owner, &id_of(&other["user"]), json!({ "sales_id": rina })).await;
    assert_eq!(resp.status(), 422);
    let resp = put_user(&app, "sinar", &owner, &id, json!({ "sales_id": Uuid::now_v7() })).await;
    assert_eq!(resp.status(), 422);
    // Unlinking with null.
    let resp = put_user(&app, "sinar", &owner, &id, json!({ "sales_id": null })).await;
    assert!(resp.json::<Value>().await.unwrap()["sales_id"].is_null());
    let (_, body) = page(&app, &host("sinar"), &staff, "/admin/prospek-saya").await;
    assert!(!body.contains("Pembeli Rina Satu"));
}

async fn seed(app: &TestApp, tenant: TenantId, name: &str, raw_phone: &str, sales: Option<Uuid>) {
    let mut tx = app.runtime_db().tenant(tenant).begin_write().await.unwrap();
    let new = NewLead { name: name.into(), assigned_sales_id: sales, ..NewLead::new(phone(raw_phone)) };
    tx.leads().create(&new, "bot").await.unwrap();
    tx.commit().await.unwrap();
}

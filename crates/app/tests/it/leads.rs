//! Leads: the showroom API (`/api/leads`) and the `leads()` repository the bot uses.

use chrono::{DateTime, TimeZone, Utc};
use garasi_domain::{Rupiah, TenantId};
use garasi_store::tenant::{LeadFilter, LeadStatus, NewLead, PaymentMethod, StatusChange};
use garasi_store::{Db, StoreError};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::sales::{add_sales, phone, seed_sales, spawn_showrooms, staff_token};
use crate::support::{Fetch, TestApp, exec_sql, store_with_tenants};

/// A car row written straight into the table (the cars API is not needed here).
async fn insert_car(db: &Db, tenant: TenantId, stock_no: i64) -> Uuid {
    let id = Uuid::now_v7();
    const SQL: &str = "INSERT INTO cars (tenant_id, id, stock_no, slug, brand, model, year, price, transmission, \
                       fuel, body_type, created_at, updated_at) \
                       VALUES ($1, $2, $3, $4, 'Toyota', 'Avanza', 2020, 150000000, 'MT', 'bensin', 'MPV', $5, $5)";
    exec_sql!(db, SQL, tenant.0, id, stock_no, format!("toyota-avanza-{stock_no}"), garasi_store::now());
    id
}

async fn insert_conversation(db: &Db, tenant: TenantId, contact: &str) -> Uuid {
    let id = Uuid::now_v7();
    const SQL: &str = "INSERT INTO conversations (tenant_id, id, channel, contact_phone, contact_role, created_at, \
                       updated_at) VALUES ($1, $2, 'simulator', $3, 'customer', $4, $4)";
    exec_sql!(db, SQL, tenant.0, id, contact, garasi_store::now());
    id
}

/// Moves a lead's creation time (the API cannot, and the filters need old leads).
async fn backdate(db: &Db, lead: Uuid, at: DateTime<Utc>) {
    const SQL: &str = "UPDATE leads SET created_at = $2 WHERE id = $1";
    exec_sql!(db, SQL, lead, at);
}

async fn seed_lead(db: &Db, tenant: TenantId, new: NewLead) -> Uuid {
    let mut tx = db.tenant(tenant).begin().await.unwrap();
    let lead = tx.leads().create(&new, "bot").await.unwrap();
    tx.commit().await.unwrap();
    lead.id
}

fn lead(raw_phone: &str, name: &str) -> NewLead {
    NewLead { name: name.into(), ..NewLead::new(phone(raw_phone)) }
}

/// Showroom "sinar" made through the API (its id and owner token), a connection as the
/// database owner, and salesperson `name` (0812-3456-7890) added through the API.
struct Sinar {
    app: TestApp,
    t: TenantId,
    owner: String,
    db: Db,
    sales: Uuid,
}

async fn sinar_with_sales(name: &str) -> Sinar {
    let (app, [(t, owner)]) = spawn_showrooms(["sinar"]).await;
    let db = app.db.owner_db().await;
    let sales = add_sales(&app, "sinar", &owner, name, "0812-3456-7890").await["id"].as_str().unwrap().parse().unwrap();
    Sinar { app, t, owner, db, sales }
}

async fn get_json(app: &TestApp, slug: &str, token: &str, path: &str) -> (u16, Value) {
    let resp = app.get(&TestApp::tenant_host(slug), path).bearer_auth(token).fetch().await;
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn put_status(app: &TestApp, slug: &str, token: &str, id: &str, body: Value) -> (u16, Value) {
    let resp = app
        .put(&TestApp::tenant_host(slug), &format!("/api/leads/{id}/status"))
        .bearer_auth(token)
        .json(&body)
        .fetch()
        .await;
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

fn ids(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn lead_detail_shows_every_field_and_its_history() {
    let Sinar { app, t, owner, db, sales: rina_id } = sinar_with_sales("Rina").await;
    let car = insert_car(&db, t, 42).await;
    let conv = insert_conversation(&db, t, "+6285700001111").await;
    let id = seed_lead(
        &db,
        t,
        NewLead {
            name: "Budi Santoso".into(),
            car_id: Some(car),
            conversation_id: Some(conv),
            assigned_sales_id: Some(rina_id),
            budget: Some(Rupiah::new(150_000_000).unwrap()),
            payment_method: Some(PaymentMethod::Credit),
            notes: "Minta DP 20%".into(),
            source: "simulator".into(),
            ..NewLead::new(phone("0857-0000-1111"))
        },
    )
    .await;
    let plain = seed_lead(&db, t, NewLead::new(phone("0857-0000-2222"))).await;

    let (status, l) = get_json(&app, "sinar", &owner, &format!("/api/leads/{id}")).await;
    assert_eq!(status, 200, "{l}");
    assert_eq!(l["id"], id.to_string());
    assert_eq!(l["phone"], "+6285700001111");
    assert_eq!(l["name"], "Budi Santoso");
    assert_eq!(l["status"], "new");
    assert_eq!(l["car_id"], car.to_string());
    assert_eq!(l["stock_no"], 42);
    assert_eq!(l["conversation_id"], conv.to_string());
    assert_eq!(l["assigned_sales_id"], rina_id.to_string());
    assert_eq!(l["assigned_sales_name"], "Rina");
    assert_eq!(l["budget"], 150_000_000);
    assert_eq!(l["payment_method"], "credit");
    assert_eq!(l["notes"], "Minta DP 20%");
    assert_eq!(l["source"], "simulator");
    assert!(l["created_at"].is_string() && l["updated_at"].is_string());
    let events = l["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["kind"], "created");
    assert_eq!(events[0]["to_status"], "new");
    assert_eq!(events[0]["actor"], "bot");

    let (_, p) = get_json(&app, "sinar", &owner, &format!("/api/leads/{plain}")).await;
    for field in ["car_id", "stock_no", "conversation_id", "assigned_sales_id", "budget", "payment_method"] {
        assert!(p[field].is_null(), "{field} is null without a value: {p}");
    }
    assert_eq!(p["name"], "");
    assert_eq!(p["source"], "whatsapp");

    // Status changes are written to the history with from/to, note and actor.
    let (status, changed) = put_status(
        &app,
        "sinar",
        &owner,
        &id.to_string(),
        json!({ "status": "contacted", "note": " Sudah ditelepon " }),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["status"], "contacted");
    let events = changed["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["kind"], "status");
    assert_eq!(events[1]["from_status"], "new");
    assert_eq!(events[1]["to_status"], "contacted");
    assert_eq!(events[1]["note"], "Sudah ditelepon");
    assert_eq!(events[1]["actor"], "owner@sinar.test");

    // Staff may change statuses too; any status may follow any other.
    let staff = staff_token(&app, "sinar", t).await;
    for to in ["lost", "qualified", "converted", "new"] {
        let (status, body) = put_status(&app, "sinar", &staff, &id.to_string(), json!({ "status": to })).await;
        assert_eq!(status, 200, "{to}: {body}");
        assert_eq!(body["status"], to);
    }
    let (_, l) = get_json(&app, "sinar", &staff, &format!("/api/leads/{id}")).await;
    let events = l["events"].as_array().unwrap();
    assert_eq!(events.len(), 6);
    assert_eq!(events[5]["from_status"], "converted");
    assert_eq!(events[5]["actor"], "Staf Satu");

    // Not a change, not a status, too long a note.
    let (status, err) = put_status(&app, "sinar", &owner, &id.to_string(), json!({ "status": "new" })).await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["fields"]["status"], "Status prospek sudah \"Baru\".");
    let (status, err) = put_status(&app, "sinar", &owner, &id.to_string(), json!({ "status": "menang" })).await;
    assert_eq!(status, 422);
    assert_eq!(
        err["error"]["fields"]["status"],
        "Status harus salah satu dari: new, contacted, qualified, converted, lost."
    );
    let (status, err) =
        put_status(&app, "sinar", &owner, &id.to_string(), json!({ "status": "lost", "note": "x".repeat(2001) })).await;
    assert_eq!(status, 422);
    assert!(err["error"]["fields"]["note"].is_string());
    let (_, l) = get_json(&app, "sinar", &owner, &format!("/api/leads/{id}")).await;
    assert_eq!(l["events"].as_array().unwrap().len(), 6, "refused changes leave no trace");

    // Notes.
    let note = app
        .post(&TestApp::tenant_host("sinar"), &format!("/api/leads/{id}/notes"))
        .bearer_auth(&staff)
        .json(&json!({ "note": "Minta foto interior" }))
        .fetch_expect(201)
        .await;
    assert_eq!(note["kind"], "note");
    assert_eq!(note["note"], "Minta foto interior");
    let resp = app
        .post(&TestApp::tenant_host("sinar"), &format!("/api/leads/{id}/notes"))
        .bearer_auth(&staff)
        .json(&json!({ "note": "  " }))
        .fetch()
        .await;
    assert_eq!(resp.status(), 422);
    let (_, l) = get_json(&app, "sinar", &owner, &format!("/api/leads/{id}")).await;
    assert_eq!(l["events"].as_array().unwrap().last().unwrap()["kind"], "note");
}

#[tokio::test]
async fn leads_list_filters_by_status_salesperson_and_jakarta_day() {
    let Sinar { app, t, owner, db, sales: rina } = sinar_with_sales("Rina").await;

    // 2026-01-31 23:59:59 and 2026-02-01 00:00:00 in Jakarta (UTC+7).
    let jan31_late = Utc.with_ymd_and_hms(2026, 1, 31, 16, 59, 59).unwrap();
    let feb1_early = Utc.with_ymd_and_hms(2026, 1, 31, 17, 0, 0).unwrap();
    let feb2 = Utc.with_ymd_and_hms(2026, 2, 2, 3, 0, 0).unwrap();
    let a = seed_lead(&db, t, lead("0857-0000-0001", "A")).await;
    let b = seed_lead(&db, t, NewLead { assigned_sales_id: Some(rina), ..lead("0857-0000-0002", "B") }).await;
    let c = seed_lead(&db, t, NewLead { assigned_sales_id: Some(rina), ..lead("0857-0000-0003", "C") }).await;
    backdate(&db, a, jan31_late).await;
    backdate(&db, b, feb1_early).await;
    backdate(&db, c, feb2).await;
    let mut tx = db.tenant(t).begin().await.unwrap();
    tx.leads().set_status(c, LeadStatus::Qualified, "test", "").await.unwrap();
    tx.commit().await.unwrap();

    let list = |q: &'static str| {
        let app = &app;
        let owner = &owner;
        async move {
            let (status, body) = get_json(app, "sinar", owner, &format!("/api/leads{q}")).await;
            assert_eq!(status, 200, "{q}: {body}");
            body
        }
    };
    let s = |id: Uuid| id.to_string();
    let all = list("").await;
    assert_eq!(all["total"], 3);
    assert_eq!(ids(&all), [s(c), s(b), s(a)], "newest first");
    assert_eq!(ids(&list("?status=qualified").await), [s(c)]);
    assert_eq!(ids(&list("?status=new").await), [s(b), s(a)]);
    let by_sales = format!("?sales_id={rina}");
    let (_, body) = get_json(&app, "sinar", &owner, &format!("/api/leads{by_sales}")).await;
    assert_eq!(ids(&body), [s(c), s(b)]);
    assert_eq!(ids(&list("?from=2026-02-01&to=2026-02-01").await), [s(b)], "Jakarta's 1 February");
    assert_eq!(ids(&list("?to=2026-01-31").await), [s(a)]);
    assert_eq!(ids(&list("?from=2026-02-01").await), [s(c), s(b)]);
    assert_eq!(ids(&list("?from=2026-02-02&status=qualified").await), [s(c)]);
    assert_eq!(list("?from=2026-02-03").await["total"], 0);
    assert_eq!(ids(&list("?status=&sales_id=&from=&to=").await).len(), 3, "empty values do not filter");

    // Pagination.
    let p1 = list("?per_page=2").await;
    assert_eq!((ids(&p1), p1["total"].clone(), p1["per_page"].clone()), (vec![s(c), s(b)], json!(3), json!(2)));
    let p2 = list("?per_page=2&page=2").await;
    assert_eq!((ids(&p2), p2["page"].clone()), (vec![s(a)], json!(2)));
    assert!(ids(&list("?per_page=2&page=3").await).is_empty());
    assert_eq!(list("?per_page=1000").await["per_page"], 100, "capped");

    // Bad filter values: one message per field.
    let (status, err) = get_json(
        &app,
        "sinar",
        &owner,
        "/api/leads?status=menang&sales_id=rina&from=2026-13-01&to=31-01-2026&page=satu&per_page=x",
    )
    .await;
    assert_eq!(status, 422);
    let fields = err["error"]["fields"].as_object().unwrap();
    let mut keys: Vec<&String> = fields.keys().collect();
    keys.sort();
    assert_eq!(keys, ["from", "page", "per_page", "sales_id", "status", "to"]);
    assert_eq!(fields["from"], "Tanggal harus berformat YYYY-MM-DD, contoh: 2026-01-31.");
    assert_eq!(fields["sales_id"], "ID sales tidak valid.");
    let (status, err) = get_json(&app, "sinar", &owner, "/api/leads?from=2026-02-02&to=2026-02-01").await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["fields"]["to"], "Tanggal akhir tidak boleh sebelum tanggal awal.");
    let (status, _) = get_json(&app, "sinar", &owner, "/api/leads?from=2026-2-1").await;
    assert_eq!(status, 422, "strict YYYY-MM-DD");
}

/// Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF records).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "records end with CRLF");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => {
                assert!(c != '\n', "bare LF outside quotes");
                field.push(c);
            }
        }
    }
    assert!(field.is_empty() && row.is_empty(), "file ends with CRLF");
    rows
}

#[tokio::test]
async fn csv_export_quotes_fields_and_defuses_formulas() {
    let Sinar { app, t, owner, db, sales: rina } = sinar_with_sales("Rina, S.E.").await;
    let car = insert_car(&db, t, 7).await;
    let first = seed_lead(
        &db,
        t,
        NewLead {
            car_id: Some(car),
            assigned_sales_id: Some(rina),
            budget: Some(Rupiah::new(200_000_000).unwrap()),
            payment_method: Some(PaymentMethod::Cash),
            notes: "baris satu\nbaris \"dua\"".into(),
            ..lead("0857-0000-0001", "=HYPERLINK(\"http://jahat.example\",\"klik\")")
        },
    )
    .await;
    backdate(&db, first, Utc.with_ymd_and_hms(2026, 1, 31, 17, 30, 0).unwrap()).await;
    let second = seed_lead(&db, t, NewLead { notes: "-2+3".into(), ..lead("0857-0000-0002", "@Budi") }).await;

    let day_before = Utc::now().with_timezone(&garasi_store::tenant::jakarta()).format("%Y-%m-%d").to_string();
    let resp = app.get("sinar.localhost", "/api/leads/export.csv").bearer_auth(&owner).fetch().await;
    let day_after = Utc::now().with_timezone(&garasi_store::tenant::jakarta()).format("%Y-%m-%d").to_string();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = resp.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(
        [day_before, day_after].iter().any(|d| disposition == format!("attachment; filename=\"leads-sinar-{d}.csv\"")),
        "{disposition}"
    );
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body = resp.text().await.unwrap();
    let body = body.strip_prefix('\u{feff}').expect("UTF-8 byte-order mark for Excel");
    let rows = parse_csv(body);
    assert_eq!(
        rows[0],
        [
            "ID",
            "Tanggal (WIB)",
            "Nama",
            "Telepon",
            "Status",
            "No. Stok",
            "Sales",
            "Anggaran (Rp)",
            "Pembayaran",
            "Sumber",
            "Catatan",
            "Diperbarui (WIB)"
        ]
    );
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.len() == 12));
    // Newest first.
    let (r2, r1) = (&rows[1], &rows[2]);
    assert_eq!(r2[0], second.to_string());
    assert_eq!(r2[2], "'@Budi");
    assert_eq!(r2[3], "'+6285700000002", "a leading + would be read as a formula");
    assert_eq!(r2[4], "Baru");
    assert_eq!((r2[5].as_str(), r2[6].as_str(), r2[7].as_str(), r2[8].as_str()), ("", "", "", ""));
    assert_eq!(r2[10], "'-2+3");
    assert_eq!(r1[0], first.to_string());
    assert_eq!(r1[1], "2026-02-01 00:30", "Jakarta time");
    assert_eq!(r1[2], "'=HYPERLINK(\"http://jahat.example\",\"klik\")");
    assert_eq!(r1[5], "7");
    assert_eq!(r1[6], "Rina, S.E.");
    assert_eq!(r1[7], "200000000");
    assert_eq!(r1[8], "Tunai");
    assert_eq!(r1[9], "whatsapp");
    assert_eq!(r1[10], "baris satu\nbaris \"dua\"");
    // The raw text really is quoted (not merely parseable).
    assert!(body.contains(",\"'=HYPERLINK(\"\"http://jahat.example\"\",\"\"klik\"\")\","), "{body}");
    assert!(body.contains(",\"Rina, S.E.\","));

    // The export takes the list's filters.
    let resp = app.get("sinar.localhost", "/api/leads/export.csv?to=2026-02-01").bearer_auth(&owner).fetch().await;
    let body = resp.text().await.unwrap();
    let rows = parse_csv(body.trim_start_matches('\u{feff}'));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][0], first.to_string());
    let resp = app.get("sinar.localhost", "/api/leads/export.csv?status=nope").bearer_auth(&owner).fetch().await;
    assert_eq!(resp.status(), 422);

    // Staff may not export; the route is not taken for a lead id either way.
    let staff = staff_token(&app, "sinar", t).await;
    let resp = app.get("sinar.localhost", "/api/leads/export.csv").bearer_auth(&staff).fetch().await;
    assert_eq!(resp.status(), 403);
    assert_eq!(app.get("sinar.localhost", "/api/leads/export.csv").fetch().await.status(), 401);
}

#[tokio::test]
async fn another_showrooms_leads_are_not_found_on_any_route() {
    let (app, [(ta, a), (tb, b)]) = spawn_showrooms(["sinar", "berkah"]).await;
    let db = app.db.owner_db().await;
    let their_sales: Uuid =
        add_sales(&app, "berkah", &b, "Dewi", "0812-9999-0000").await["id"].as_str().unwrap().parse().unwrap();
    let theirs = seed_lead(
        &db,
        tb,
        NewLead { assigned_sales_id: Some(their_sales), ..lead("0857-1234-5678", "Pembeli Berkah") },
    )
    .await;
    seed_lead(&db, ta, lead("0857-0000-0001", "Pembeli Sinar")).await;
    let host = TestApp::tenant_host("sinar");
    let missing = Uuid::now_v7().to_string();

    for id in [theirs.to_string(), "bukan-uuid".to_owned(), missing] {
        let (status, not_found) = get_json(&app, "sinar", &a, &format!("/api/leads/{id}")).await;
        assert_eq!((status, not_found["error"]["code"].as_str()), (404, Some("not_found")), "GET {id}");
        let (status, _) = put_status(&app, "sinar", &a, &id, json!({ "status": "lost", "note": "curi" })).await;
        assert_eq!(status, 404, "PUT status {id}");
        let resp = app
            .post(&host, &format!("/api/leads/{id}/notes"))
            .bearer_auth(&a)
            .json(&json!({ "note": "curi" }))
            .fetch()
            .await;
        assert_eq!(resp.status(), 404, "POST note {id}");
    }
    let (_, list) = get_json(&app, "sinar", &a, &format!("/api/leads?sales_id={their_sales}")).await;
    assert_eq!(list["total"], 0, "filtering by B's salesperson finds nothing on A");
    let (_, list) = get_json(&app, "sinar", &a, "/api/leads").await;
    assert_eq!(list["total"], 1);
    let csv = app.get(&host, "/api/leads/export.csv").bearer_auth(&a).fetch_text().await;
    assert!(!csv.contains(&theirs.to_string()) && !csv.contains("Berkah"), "{csv}");

    // A's token on B's host is nobody.
    let (status, _) = get_json(&app, "berkah", &a, &format!("/api/leads/{theirs}")).await;
    assert_eq!(status, 401);

    let (_, l) = get_json(&app, "berkah", &b, &format!("/api/leads/{theirs}")).await;
    assert_eq!(l["status"], "new", "B's lead untouched");
    assert_eq!(l["events"].as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------------------------
// Repository level
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn lead_creation_writes_its_event_in_the_same_transaction() {
    let (_test_db, db, [t]) = store_with_tenants(["sinar"]).await;
    // Rolled back: neither the lead nor its event stays.
    let mut tx = db.tenant(t).begin().await.unwrap();
    let rolled = tx.leads().create(&lead("0857-0000-0001", "X"), "bot").await.unwrap();
    assert_eq!(tx.leads().events(rolled.id).await.unwrap().len(), 1);
    drop(tx);
    // A car of no one (or of another tenant) is refused by the composite foreign key.
    // (A fresh transaction that writes first: on SQLite it waits for the dropped one's lock.)
    let mut tx = db.tenant(t).begin().await.unwrap();
    let bad = tx.leads().create(&NewLead { car_id: Some(Uuid::now_v7()), ..lead("0857-0000-0002", "Y") }, "bot").await;
    assert!(matches!(bad, Err(StoreError::Conflict(_))), "{bad:?}");
    drop(tx);
    let mut tx = db.tenant(t).begin().await.unwrap();
    assert!(tx.leads().get(rolled.id).await.unwrap().is_none());
    assert!(tx.leads().events(rolled.id).await.unwrap().is_empty());
    assert_eq!(tx.leads().count(&LeadFilter::default()).await.unwrap(), 0);
}

#[tokio::test]
async fn leads_repository_never_reads_or_touches_another_tenants_rows() {
    let (_test_db, db, [a, b]) = store_with_tenants(["alpha", "beta"]).await;
    let a_sales = seed_sales(&db, a, "Rina A", "0812-0000-0001").await;
    let b_sales = seed_sales(&db, b, "Dewi B", "0812-0000-0002").await;
    let b_car = insert_car(&db, b, 1).await;
    let a_car = insert_car(&db, a, 1).await;
    let b_conv = insert_conversation(&db, b, "+6285700000009").await;
    let a_lead = seed_lead(
        &db,
        a,
        NewLead { car_id: Some(a_car), assigned_sales_id: Some(a_sales), ..lead("0857-0000-0001", "A") },
    )
    .await;
    let b_lead = seed_lead(
        &db,
        b,
        NewLead {
            car_id: Some(b_car),
            conversation_id: Some(b_conv),
            assigned_sales_id: Some(b_sales),
            ..lead("0857-0000-0002", "B")
        },
    )
    .await;

    let mut tx = db.tenant(a).begin().await.unwrap();
    let all = LeadFilter::default();
    let list = tx.leads().list(&all, 100, 0).await.unwrap();
    assert_eq!(list.iter().map(|l| l.id).collect::<Vec<_>>(), [a_lead]);
    assert_eq!(list[0].stock_no, Some(1));
    assert_eq!(list[0].assigned_sales_name.as_deref(), Some("Rina A"));
    assert_eq!(tx.leads().count(&all).await.unwrap(), 1);
    let by_b_sales = LeadFilter { assigned_sales_id: Some(b_sales), ..LeadFilter::default() };
    assert_eq!(tx.leads().count(&by_b_sales).await.unwrap(), 0);
    assert!(tx.leads().list(&by_b_sales, 100, 0).await.unwrap().is_empty());
    assert!(tx.leads().get(b_lead).await.unwrap().is_none());
    assert!(tx.leads().events(b_lead).await.unwrap().is_empty());
    assert!(tx.leads().latest_for_conversation(b_conv).await.unwrap().is_none());
    assert!(matches!(tx.leads().set_status(b_lead, LeadStatus::Lost, "a", "").await, Err(StoreError::NotFound)));
    assert!(matches!(tx.leads().add_note(b_lead, "a", "curi").await, Err(StoreError::NotFound)));
    assert!(matches!(tx.leads().assign(b_lead, None, "a", "").await, Err(StoreError::NotFound)));
    tx.commit().await.unwrap();
    // B's car, conversation and salesperson cannot be attached to A's leads.
    for bad in [
        NewLead { car_id: Some(b_car), ..lead("0857-0000-0003", "X") },
        NewLead { conversation_id: Some(b_conv), ..lead("0857-0000-0003", "X") },
        NewLead { assigned_sales_id: Some(b_sales), ..lead("0857-0000-0003", "X") },
    ] {
        let mut tx = db.tenant(a).begin().await.unwrap();
        let r = tx.leads().create(&bad, "a").await;
        assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
    }
    let mut tx = db.tenant(a).begin().await.unwrap();
    let r = tx.leads().assign(a_lead, Some(b_sales), "a", "").await;
    assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
    drop(tx);

    let mut tx = db.tenant(b).begin().await.unwrap();
    let l = tx.leads().get(b_lead).await.unwrap().unwrap();
    assert_eq!(l.status, LeadStatus::New);
    assert_eq!(l.assigned_sales_id, Some(b_sales));
    assert_eq!(tx.leads().events(b_lead).await.unwrap().len(), 1);
    assert_eq!(tx.leads().latest_for_conversation(b_conv).await.unwrap().unwrap().id, b_lead);
    assert_eq!(tx.leads().count(&LeadFilter::default()).await.unwrap(), 1);
}

#[tokio::test]
async fn status_changes_assignments_and_notes_are_recorded() {
    let (_test_db, db, [t]) = store_with_tenants(["sinar"]).await;
    let s = seed_sales(&db, t, "Rina", "0812-0000-0001").await;
    let id = seed_lead(&db, t, lead("0857-0000-0001", "A")).await;
    let mut tx = db.tenant(t).begin().await.unwrap();
    let changed = tx.leads().set_status(id, LeadStatus::Contacted, "Rina", "ditelepon").await.unwrap();
    assert!(matches!(&changed, StatusChange::Changed(l) if l.status == LeadStatus::Contacted));
    let same = tx.leads().set_status(id, LeadStatus::Contacted, "Rina", "").await.unwrap();
    assert!(matches!(same, StatusChange::Unchanged(_)));
    let assigned = tx.leads().assign(id, Some(s), "bot", "hand-off").await.unwrap();
    assert_eq!(assigned.assigned_sales_name.as_deref(), Some("Rina"));
    tx.leads().add_note(id, "Rina", "minta kredit").await.unwrap();
    let events = tx.leads().events(id).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["created", "status", "assigned", "note"]);
    assert_eq!(events[1].from_status.as_deref(), Some("new"));
    assert_eq!(events[1].to_status.as_deref(), Some("contacted"));
    assert_eq!((events[1].actor.as_str(), events[1].note.as_str()), ("Rina", "ditelepon"));
    assert!(matches!(
        tx.leads().set_status(Uuid::now_v7(), LeadStatus::Lost, "x", "").await,
        Err(StoreError::NotFound)
    ));
    tx.commit().await.unwrap();
}

/// Rows of another tenant that share an id (the composite keys allow it) must not be
/// touched either: this catches a missing `tenant_id` filter even where a tenant-scoped
/// read in front of the write would otherwise hide it.
#[tokio::test]
async fn twin_ids_in_another_tenant_are_left_alone() {
    let (_test_db, db, [a, b]) = store_with_tenants(["alpha", "beta"]).await;
    let s1 = seed_sales(&db, a, "Satu", "0812-0000-0001").await;
    let s2 = seed_sales(&db, a, "Dua", "0812-0000-0002").await;
    let a_lead = seed_lead(&db, a, NewLead { assigned_sales_id: Some(s2), ..lead("0857-0000-0001", "A") }).await;

    // B gets a salesperson and a lead with the very same ids as A's.
    const TWIN_SALES: &str = "INSERT INTO sales_staff (tenant_id, id, name, phone, active, created_at, updated_at) \
                              VALUES ($1, $2, 'Kembar', '+6281299999999', $3, $4, $4)";
    exec_sql!(&db, TWIN_SALES, b.0, s1, true, garasi_store::now());
    const TWIN_LEAD: &str = "INSERT INTO leads (tenant_id, id, phone, name, status, created_at, updated_at) \
                             VALUES ($1, $2, '+6285799999999', 'Kembar', 'new', $3, $3)";
    exec_sql!(&db, TWIN_LEAD, b.0, a_lead, garasi_store::now());
    // B's twin salesperson just got a lead; that says nothing about A's Satu.
    seed_lead(&db, b, NewLead { assigned_sales_id: Some(s1), ..lead("0857-0000-0002", "B") }).await;

    let mut tx = db.tenant(a).begin().await.unwrap();
    let names: Vec<String> = tx.sales().routable().await.unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["Satu", "Dua"], "A's rotation holds A's own salespeople");
    assert!(matches!(
        tx.leads().set_status(a_lead, LeadStatus::Lost, "a", "").await.unwrap(),
        StatusChange::Changed(_)
    ));
    tx.leads().assign(a_lead, Some(s1), "a", "").await.unwrap();
    tx.leads().add_note(a_lead, "a", "catatan").await.unwrap();
    assert_eq!(tx.leads().events(a_lead).await.unwrap().len(), 4);
    assert!(tx.sales().delete(s1).await.unwrap());
    tx.commit().await.unwrap();

    let mut tx = db.tenant(b).begin().await.unwrap();
    let twin = tx.leads().get(a_lead).await.unwrap().unwrap();
    assert_eq!((twin.status, twin.assigned_sales_id, twin.name.as_str()), (LeadStatus::New, None, "Kembar"));
    assert!(tx.leads().events(a_lead).await.unwrap().is_empty());
    let twin = tx.sales().get(s1).await.unwrap().unwrap();
    assert!(twin.active && twin.deleted_at.is_none() && twin.name == "Kembar");
    tx.commit().await.unwrap();
}

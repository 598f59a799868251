//! Car changes are audited in the same transaction as the change, whoever makes them:
//! a salesperson over chat (through the real bot engine) or a user over the API. A
//! refused change writes nothing; a failing audit insert undoes the change.

use garasi_domain::car::Car;
use garasi_store::platform::AuditRecord;
use serde_json::{Value, json};

use crate::bot::{SALES_PHONE, Showroom, text};

impl Showroom {
    async fn stored_car(&self, stock_no: i64) -> Option<Car> {
        let mut tx = self.app.runtime_db().tenant(self.tenant).begin().await.unwrap();
        let car = tx.cars().by_stock_no(stock_no).await.unwrap();
        tx.commit().await.unwrap();
        car
    }

    /// This showroom's audit entries for `action`, newest first.
    async fn audits(&self, action: &str) -> Vec<AuditRecord> {
        let all = self.app.runtime_db().platform().audit_log(Some(self.tenant), 500, 0).await.unwrap();
        all.into_iter().filter(|a| a.action == action).collect()
    }
}

#[tokio::test]
async fn a_salespersons_price_and_status_changes_over_chat_are_audited() {
    let s = Showroom::open().await;
    let sales_id = {
        let mut tx = s.app.runtime_db().tenant(s.tenant).begin().await.unwrap();
        let staff = tx.sales().list(10, 0).await.unwrap();
        tx.commit().await.unwrap();
        staff[0].id
    };

    let t = text(&s.say(SALES_PHONE, "/harga 2 410jt").await);
    assert!(t.contains("menjadi *Rp 410.000.000*"), "{t}");
    let price = s.audits("car.price").await;
    assert_eq!(price.len(), 1, "{price:?}");
    assert_eq!(price[0].actor_kind, "sales");
    assert_eq!(price[0].actor_id, Some(sales_id));
    assert_eq!(price[0].target_id.as_deref(), Some(s.car_id(2)));
    assert_eq!(price[0].details.0["from"], json!(420_000_000));
    assert_eq!(price[0].details.0["to"], json!(410_000_000));

    let t = text(&s.say(SALES_PHONE, "/booking 2").await);
    assert!(t.contains("ditandai *Booking*"), "{t}");
    let status = s.audits("car.status").await;
    assert_eq!(status.len(), 1, "{status:?}");
    assert_eq!(status[0].actor_kind, "sales");
    assert_eq!(status[0].details.0["to"], "booked");

    // The same status again changes nothing and audits nothing.
    let t = text(&s.say(SALES_PHONE, "/booking 2").await);
    assert!(t.contains("memang sudah berstatus"), "{t}");
    assert_eq!(s.audits("car.status").await.len(), 1);
}

#[tokio::test]
async fn a_price_the_api_refuses_is_refused_over_chat_too() {
    let s = Showroom::open().await;
    let before = s.stored_car(1).await.unwrap();

    // No. 1 has a floor price of 188 juta: 150 juta is below it.
    let resp = s
        .app
        .put(&s.host(), &format!("/api/cars/{}", s.car_id(1)))
        .bearer_auth(&s.token)
        .json(&json!({ "price": 150_000_000 }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    let rule = body["error"]["fields"]["floor_price"].as_str().unwrap().to_owned();

    let t = text(&s.say(SALES_PHONE, "/harga 1 150jt").await);
    assert!(t.contains(&rule), "the API's rule ({rule}) in: {t}");
    assert!(!t.contains('✅'), "{t}");

    // A price of zero is refused as well.
    let t = text(&s.say(SALES_PHONE, "/harga 1 0").await);
    assert!(!t.contains('✅'), "{t}");

    let after = s.stored_car(1).await.unwrap();
    assert_eq!(after.fields, before.fields, "the car is unchanged");
    assert!(s.audits("car.price").await.is_empty());
    assert!(s.audits("car.update").await.is_empty());
}

#[tokio::test]
async fn deleting_a_car_over_the_api_is_audited() {
    let s = Showroom::open().await;
    let resp =
        s.app.delete(&s.host(), &format!("/api/cars/{}", s.car_id(3))).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(resp.status(), 204);
    let deleted = s.audits("car.delete").await;
    assert_eq!(deleted.len(), 1, "{deleted:?}");
    assert_eq!(deleted[0].actor_kind, "user");
    assert_eq!(deleted[0].target_kind.as_deref(), Some("car"));
    assert_eq!(deleted[0].target_id.as_deref(), Some(s.car_id(3)));
    assert_eq!(deleted[0].details.0["stock_no"], 3);
    assert!(s.stored_car(3).await.is_none());
}

#[tokio::test]
async fn a_failing_audit_insert_undoes_the_change() {
    let s = Showroom::open().await;
    s.app.db.fail_audit_inserts(true).await;

    let resp =
        s.app.delete(&s.host(), &format!("/api/cars/{}", s.car_id(3))).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(resp.status(), 500);
    assert!(s.stored_car(3).await.is_some(), "the car is still there");

    // Over chat: whatever the reply, the price stays.
    let _ = s.simulate(json!({ "from": SALES_PHONE, "text": "/harga 2 410jt", "name": "Rina" })).await;
    assert_eq!(s.stored_car(2).await.unwrap().fields.price, 420_000_000, "the price is unchanged");

    assert!(s.audits("car.delete").await.is_empty());
    assert!(s.audits("car.price").await.is_empty());
}

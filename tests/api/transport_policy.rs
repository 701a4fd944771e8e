//! Eligibility and the no-show / late-cancel policy (issue 16, point 2), and the riders' SMS
//! replies (point 4): certificates checked at booking, the expiring list and its reminder, the
//! flag after the limit, suspend and waive (audited), and DA / NU / ANULEZ / UNDE / a note,
//! exactly once per MessageSid, never for a safe-contact number.

use chrono::{Duration, NaiveDate};
use dispecer::access::Role;
use serde_json::{json, Value};

use crate::emergency::{queue_items, webhook, AUTH_TOKEN};
use crate::fake_twilio::FakeTwilio;
use crate::helpers::{spawn_with, test_config, TestApp};
use crate::transport::{driver_post, driver_token, post, rider, seed_fleet, tomorrow};

pub(crate) fn today() -> NaiveDate {
    tomorrow() - Duration::days(1)
}

pub(crate) fn certificate(until: Option<NaiveDate>) -> Value {
    json!({
        "degree": "grav", "kind": "fizic", "number": "1234/2025",
        "issued_by": "Comisia de evaluare a persoanelor adulte cu handicap Timiș",
        "valid_from": today() - Duration::days(400), "valid_until": until
    })
}

pub(crate) async fn register(app: &TestApp, id: &str, n: f64, until: Option<NaiveDate>) {
    let mut body = rider(id, "seated", n);
    body["certificate"] = certificate(until);
    let r = post(app, "/api/v1/transport/riders", body).await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
}

pub(crate) fn trip(rider: &str, date: NaiveDate, time: &str) -> Value {
    json!({"rider": rider, "date": date, "pickup": {"place": "home"},
           "dropoff": {"place": "dialysis"}, "timing": "pickup_at", "time": time})
}

pub(crate) async fn book(app: &TestApp, role: Role, body: Value) -> reqwest::Response {
    app.post_as(role, "/api/v1/transport/bookings", &body).await
}

pub(crate) async fn booked_id(r: reqwest::Response) -> String {
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    v["trips"][0]["id"].as_str().unwrap().to_owned()
}

async fn reason(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap();
    (
        status,
        v["error"]["reason"].as_str().unwrap_or("").to_owned(),
    )
}

pub(crate) async fn history(app: &TestApp, id: &str) -> Value {
    let r = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/riders/{id}/history"),
        )
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_trip_after_the_certificate_expires_is_refused_and_a_supervisor_may_override() {
    // Arrange
    let (mut config, dir) = test_config().await;
    config.transport.policy.require_certificate = true;
    let app = spawn_with(config, dir).await;
    seed_fleet(&app).await;
    register(&app, "R-1", 1.0, Some(tomorrow())).await;
    assert_eq!(
        post(
            &app,
            "/api/v1/transport/riders",
            rider("R-2", "seated", 2.0)
        )
        .await
        .status(),
        201
    );
    let later = tomorrow() + Duration::days(1);

    // Act / Assert: valid on its last day, refused the day after; no certificate is refused.
    booked_id(book(&app, Role::Dispatcher, trip("R-1", tomorrow(), "09:00:00")).await).await;
    let refused = book(&app, Role::Dispatcher, trip("R-1", later, "09:00:00")).await;
    assert_eq!(reason(refused).await, (409, "certificate_expired".into()));
    let refused = book(&app, Role::Dispatcher, trip("R-2", tomorrow(), "09:00:00")).await;
    assert_eq!(reason(refused).await, (409, "no_certificate".into()));
    // A recurring booking that runs past the expiry is refused as a whole.
    let mut series = trip("R-1", tomorrow(), "15:00:00");
    series["repeat"] =
        json!({"weekdays": ["mon","tue","wed","thu","fri","sat","sun"], "until": later});
    let refused = book(&app, Role::Dispatcher, series).await;
    assert_eq!(reason(refused).await, (409, "certificate_expired".into()));

    // The override: refused for a dispatcher, accepted for a supervisor and recorded.
    let mut over = trip("R-1", later, "09:00:00");
    over["policy_override"] = json!(true);
    let r = book(&app, Role::Dispatcher, over.clone()).await;
    assert_eq!(reason(r).await, (403, "override_not_allowed".into()));
    booked_id(book(&app, Role::Supervisor, over).await).await;
    let h = history(&app, "R-1").await;
    let overrides: Vec<&Value> = h["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "override")
        .collect();
    assert_eq!(overrides.len(), 1);
    assert_eq!(overrides[0]["reason"], "certificate_expired");
    assert_eq!(overrides[0]["by"], "test-supervisor");
}

#[tokio::test]
async fn the_expiring_list_and_one_reminder_sms_sixty_days_before_expiry() {
    // Arrange
    let fake = FakeTwilio::start().await;
    let (mut config, dir) = test_config().await;
    fake.configure(&mut config);
    let app = spawn_with(config, dir).await;
    register(&app, "R-60", 1.0, Some(today() + Duration::days(60))).await;
    register(&app, "R-61", 2.0, Some(today() + Duration::days(61))).await;
    register(&app, "R-P", 3.0, None).await;

    // Act: queued twice.
    let mut queued = Vec::new();
    for _ in 0..2 {
        let r = post(&app, "/api/v1/transport/certificates/reminders", json!({})).await;
        assert_eq!(r.status(), 200);
        queued.push(r.json::<Value>().await.unwrap()["queued"].clone());
    }

    // Assert: one message, to the rider 60 days from expiry, with the date; none to the others.
    assert_eq!(queued[1], 0);
    let sent = fake.wait_for(1).await;
    let key = format!("cert-expiry:R-60:{}", today() + Duration::days(60));
    let ours: Vec<_> = sent
        .iter()
        .filter(|m| m.key.starts_with("cert-expiry:"))
        .collect();
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(ours[0].key, key);
    assert_eq!(ours[0].to, "+40700001001");
    let until = (today() + Duration::days(60))
        .format("%d.%m.%Y")
        .to_string();
    assert!(ours[0].body.contains(&until), "{}", ours[0].body);
    assert_eq!(fake.duplicates(), 0);

    let list: Value = app
        .get_as(Role::Dispatcher, "/api/v1/transport/certificates/expiring")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rider_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["R-60"]);
    assert_eq!(list["certificates"][0]["days_left"], 60);
    let wider: Value = app
        .get_as(
            Role::Dispatcher,
            "/api/v1/transport/certificates/expiring?days=90",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(wider["certificates"].as_array().unwrap().len(), 2);
    let bad = app
        .get_as(
            Role::Dispatcher,
            "/api/v1/transport/certificates/expiring?days=0",
        )
        .await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn late_cancels_and_a_no_show_flag_the_rider_and_the_supervisor_suspends_then_waives() {
    // Arrange: every cancellation of tomorrow's trips is late (within 3 days of the pick-up).
    let (mut config, dir) = test_config().await;
    config.transport.policy.late_cancel_minutes = 3 * 24 * 60;
    let app = spawn_with(config, dir).await;
    seed_fleet(&app).await;
    register(&app, "R-1", 1.0, None).await;
    let day = tomorrow();

    // Act: two late cancels (one repeated: counted once) and a no-show from the tablet.
    for time in ["07:30:00", "10:00:00"] {
        let id = booked_id(book(&app, Role::Dispatcher, trip("R-1", day, time)).await).await;
        for _ in 0..2 {
            let r = post(
                &app,
                &format!("/api/v1/transport/bookings/{id}/cancel"),
                json!({}),
            )
            .await;
            assert!(
                r.status().is_success() || r.status() == 409,
                "{}",
                r.status()
            );
        }
    }
    assert_eq!(history(&app, "R-1").await["status"]["counted"], 2);
    let flagged: Value = app
        .get_as(Role::Supervisor, "/api/v1/transport/policy/flagged")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(flagged["riders"].as_array().unwrap().len(), 0);

    let id = booked_id(book(&app, Role::Dispatcher, trip("R-1", day, "13:00:00")).await).await;
    let r = post(
        &app,
        &format!("/api/v1/transport/plans/{day}"),
        json!({"seconds": 0.5}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = post(
        &app,
        &format!("/api/v1/transport/plans/{day}/move"),
        json!({"trip_id": id, "vehicle_id": "VAN-01"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let token = driver_token(&app, "sofer1", "SOFER-01").await;
    for _ in 0..2 {
        let r = driver_post(
            &app,
            &token,
            "/api/v1/transport/actions",
            json!({"action_id": "ns-policy", "kind": "no_show", "trip_id": id}),
        )
        .await;
        assert!(r.status().is_success());
    }

    // Assert: flagged, with one queue item for the supervisor.
    let h = history(&app, "R-1").await;
    assert_eq!(h["status"]["counted"], 3);
    assert_eq!(h["status"]["flagged"], true);
    let flagged: Value = app
        .get_as(Role::Supervisor, "/api/v1/transport/policy/flagged")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(flagged["riders"][0]["rider_id"], "R-1");
    let items: Vec<Value> = queue_items(&app)
        .await
        .into_iter()
        .filter(|i| i["details"]["reported_by"] == "transport-policy")
        .collect();
    assert_eq!(items.len(), 1, "{items:?}");
    let flag_item = items[0]["id"].as_str().unwrap().to_owned();

    // A dispatcher may not decide; the supervisor suspends: bookings are refused until then.
    let until = day + Duration::days(2);
    let body = json!({"until": until, "reason": "trei neprezentări în octombrie"});
    let path = "/api/v1/transport/riders/R-1/suspend";
    assert_eq!(
        app.post_as(Role::Dispatcher, path, &body).await.status(),
        403
    );
    let r = app.post_as(Role::Supervisor, path, &body).await;
    assert_eq!(r.status(), 200);
    let status: Value = r.json().await.unwrap();
    assert_eq!(status["suspended_until"], json!(until));
    assert_eq!(status["flagged"], false);
    let refused = book(&app, Role::Dispatcher, trip("R-1", day, "16:00:00")).await;
    assert_eq!(reason(refused).await, (409, "rider_suspended".into()));
    let bad = app
        .post_as(
            Role::Supervisor,
            path,
            &json!({"until": until, "reason": " "}),
        )
        .await;
    assert_eq!(bad.status(), 422);

    // The waive lifts it; both decisions are in the history and in the flag item's audit.
    let r = app
        .post_as(
            Role::Supervisor,
            "/api/v1/transport/riders/R-1/waive",
            &json!({"reason": "certificat medical prezentat"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    booked_id(book(&app, Role::Dispatcher, trip("R-1", day, "16:00:00")).await).await;
    let h = history(&app, "R-1").await;
    let kinds: Vec<&str> = h["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "late_cancel",
            "late_cancel",
            "no_show",
            "flagged",
            "suspended",
            "waived"
        ]
    );
    let decided: Vec<&Value> = h["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "suspended" || e["kind"] == "waived")
        .collect();
    assert!(decided.iter().all(|e| e["by"] == "test-supervisor"));
    let audit: Value = app
        .get_as(
            Role::Supervisor,
            &format!("/api/v1/items/{flag_item}/audit"),
        )
        .await
        .json()
        .await
        .unwrap();
    let text = audit.to_string();
    assert!(text.contains("transport_rider_suspended:R-1"), "{text}");
    assert!(text.contains("transport_rider_waived:R-1"), "{text}");
    let flagged: Value = app
        .get_as(Role::Supervisor, "/api/v1/transport/policy/flagged")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(flagged["riders"].as_array().unwrap().len(), 0);
}

/// A server with signed webhooks and the fake SMS provider; R-1 (phone +40700001001) has two
/// trips tomorrow, planned and confirmed by SMS.
pub(crate) async fn replies_app() -> (TestApp, FakeTwilio, Vec<String>) {
    let fake = FakeTwilio::start().await;
    let (mut config, dir) = test_config().await;
    config.telephony.auth_token = AUTH_TOKEN.to_owned().into();
    fake.configure(&mut config);
    let app = spawn_with(config, dir).await;
    seed_fleet(&app).await;
    register(&app, "R-1", 1.0, None).await;
    let day = tomorrow();
    let mut ids = Vec::new();
    for time in ["09:00:00", "14:00:00"] {
        ids.push(booked_id(book(&app, Role::Dispatcher, trip("R-1", day, time)).await).await);
    }
    let r = post(
        &app,
        &format!("/api/v1/transport/plans/{day}"),
        json!({"seconds": 0.5}),
    )
    .await;
    assert_eq!(r.status(), 200);
    fake.wait_for(2).await;
    (app, fake, ids)
}

pub(crate) async fn sms_from(app: &TestApp, sid: &str, from: &str, body: &str) {
    let params = [("MessageSid", sid), ("From", from), ("Body", body)];
    let r = webhook(app, "/telephony/sms", &params).await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
}

pub(crate) async fn trip_status(app: &TestApp, id: &str) -> String {
    let v: Value = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/bookings/{id}"),
        )
        .await
        .json()
        .await
        .unwrap();
    v["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn sms_replies_confirm_cancel_and_answer_where_once_per_message() {
    // Arrange
    let (app, fake, ids) = replies_app().await;
    let phone = "+40700001001";

    // Act / Assert: DA confirms the next messaged trip (09:00), and says which.
    sms_from(&app, "SM-da", phone, "Da").await;
    let all = fake.wait_for(3).await;
    let answer = all.iter().find(|m| m.key == "sms-reply:SM-da").unwrap();
    assert_eq!(answer.to, phone);
    assert!(answer.body.contains("confirmata"), "{}", answer.body);
    let h = history(&app, "R-1").await;
    assert_eq!(h["events"][0]["kind"], "sms_reply");
    assert_eq!(h["events"][0]["reason"], "confirm");
    assert_eq!(h["events"][0]["trip_id"], json!(ids[0]));

    // UNDE, for tomorrow's trip: the planned time.
    sms_from(&app, "SM-unde", phone, "unde e microbuzul?").await;
    let all = fake.wait_for(4).await;
    let answer = all.iter().find(|m| m.key == "sms-reply:SM-unde").unwrap();
    assert!(answer.body.contains("programata"), "{}", answer.body);

    // "ANULEZ." cancels the 09:00 trip; the same message again changes and sends nothing.
    sms_from(&app, "SM-anulez", phone, "ANULEZ.").await;
    sms_from(&app, "SM-anulez", phone, "ANULEZ.").await;
    let all = fake.wait_for(5).await;
    let answer = all.iter().find(|m| m.key == "sms-reply:SM-anulez").unwrap();
    assert!(answer.body.contains("anulata"), "{}", answer.body);
    assert_eq!(trip_status(&app, &ids[0]).await, "cancelled");
    assert_eq!(trip_status(&app, &ids[1]).await, "booked");
    let plan: Value = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/plans/{}", tomorrow()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !plan["routes"].to_string().contains(&ids[0]),
        "still planned"
    );

    // "nu" now cancels the next one (14:00).
    sms_from(&app, "SM-nu", phone, "nu").await;
    fake.wait_for(6).await;
    assert_eq!(trip_status(&app, &ids[1]).await, "cancelled");
    let h = history(&app, "R-1").await;
    let replies = h["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "sms_reply")
        .count();
    assert_eq!(replies, 4);
    assert_eq!(fake.duplicates(), 0);
    let answers = fake
        .messages()
        .iter()
        .filter(|m| m.key.starts_with("sms-reply:"))
        .count();
    assert_eq!(answers, 4);
}

#[tokio::test]
async fn an_unknown_reply_is_a_note_for_dispatch_and_a_safe_contact_number_is_never_answered() {
    // Arrange
    let (app, fake, ids) = replies_app().await;
    let phone = "+40700001001";

    // Act: a text that is no command.
    sms_from(&app, "SM-text", phone, "Vă rog sunați-mă, nu pot veni la 9").await;
    sms_from(&app, "SM-text", phone, "Vă rog sunați-mă, nu pot veni la 9").await;

    // Assert: one SMS card naming the rider and the trip; nothing sent back; the trip stands.
    let cards: Vec<Value> = queue_items(&app)
        .await
        .into_iter()
        .filter(|i| i["details"]["channel"] == "sms")
        .collect();
    assert_eq!(cards.len(), 1, "{cards:?}");
    let notes = cards[0]["details"]["notes"].as_str().unwrap();
    assert!(notes.contains("R-1") && notes.contains(&ids[0]), "{notes}");
    assert!(notes.contains("nu pot veni"), "{notes}");
    assert_eq!(trip_status(&app, &ids[0]).await, "booked");

    // A safe-contact number: "ANULEZ" is only carded; no cancellation, no answer.
    let r = app
        .post_as(
            Role::Dispatcher,
            "/api/v1/calls",
            &json!({"caller_number": "+40722000999", "category": "domestic_violence", "immediate_danger": false}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let call = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.act(&call, "acknowledge", json!({})).await.status(), 200);
    let r = app
        .act(&call, "safe-contact", json!({"phones": [phone]}))
        .await;
    assert_eq!(r.status(), 200);
    sms_from(&app, "SM-safe", phone, "ANULEZ").await;
    assert_eq!(trip_status(&app, &ids[0]).await, "booked");
    let rows = app.state.transport.sms.outbox().recent(100).await.unwrap();
    assert!(
        rows.iter().all(|r| !r.key.starts_with("sms-reply:")),
        "{rows:?}"
    );
    let h = history(&app, "R-1").await;
    assert!(h["events"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["key"] != "sms:SM-safe"));
    assert_eq!(fake.messages().len(), 2);
}

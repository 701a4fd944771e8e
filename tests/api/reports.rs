//! The activity report (`GET /api/v1/reports/activity`) and the retention purge
//! (`dispecer::cli::retention::purge_at`, `GET /api/v1/retention/purge-log`), issue 17 point 6.

use chrono::{DateTime, Datelike, Duration, Utc};
use dispecer::access::Role;
use dispecer::domain::ItemId;
use dispecer::events::Event;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_sharing, spawn_with, test_config, TestApp};

/// The current month of Timișoara time, and the one before, as `YYYY-MM`.
fn months() -> (String, String) {
    let local = Utc::now().with_timezone(&chrono_tz::Europe::Bucharest);
    let this = format!("{:04}-{:02}", local.year(), local.month());
    let first = local.date_naive().with_day(1).unwrap();
    let prev = first - chrono::Days::new(1);
    (this, format!("{:04}-{:02}", prev.year(), prev.month()))
}

async fn call(app: &TestApp, category: &str, number: &str) -> String {
    let r = app
        .post_as(
            Role::Telephony,
            "/api/v1/calls",
            &json!({ "caller_number": number, "category": category, "immediate_danger": false, "notes": "nota REP-SECRET" }),
        )
        .await;
    assert_eq!(r.status(), 201, "create a call");
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn close(app: &TestApp, id: &str, outcome: &str) {
    assert_eq!(app.act(id, "acknowledge", json!({})).await.status(), 200);
    let r = app.act(id, "close", json!({ "outcome": outcome })).await;
    assert_eq!(r.status(), 200, "close {id}");
}

async fn report(app: &TestApp, role: Role, query: &str) -> reqwest::Response {
    app.get_as(role, &format!("/api/v1/reports/activity?{query}"))
        .await
}

fn count(rows: &Value, key: &str, sub: Option<&str>) -> u64 {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key && sub.is_none_or(|s| r["sub"] == s))
        .map(|r| r["count"].as_u64().unwrap())
        .unwrap_or(0)
}

#[tokio::test]
async fn the_activity_report_counts_the_months_calls_alarms_and_referrals() {
    // Arrange: three calls (one closed), two alarms, two referrals (one acknowledged).
    let app = spawn_app().await;
    let c1 = call(&app, "neglect", "+40711000101").await;
    let _c2 = call(&app, "neglect", "+40711000102").await;
    let _c3 = call(&app, "information", "+40711000103").await;
    app.new_alert("DEV-REP-1", "fall").await;
    app.new_alert("DEV-REP-2", "smoke").await;
    let mut referrals = Vec::new();
    for service in ["crisis-support-centre", "crisis-support-centre"] {
        let r = app
            .act(&c1, "referrals", json!({ "service": service, "note": "" }))
            .await;
        assert_eq!(r.status(), 201, "refer");
        referrals.push(
            r.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let ack = app
        .post_as(
            Role::Dispatcher,
            &format!("/api/v1/referrals/{}/acknowledge", referrals[0]),
            &json!({}),
        )
        .await;
    assert_eq!(ack.status(), 200, "acknowledge the referral");
    close(&app, &c1, "advice_given").await;
    let (this_month, last_month) = months();

    // Act
    let r = report(&app, Role::Supervisor, &format!("month={this_month}")).await;
    let before = report(&app, Role::Admin, &format!("month={last_month}")).await;

    // Assert
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["period"], this_month);
    assert_eq!(body["zone"], "Europe/Bucharest");
    assert_eq!(body["calls"]["total"], 3);
    assert_eq!(
        count(&body["calls"]["rows"], "neglect", Some("advice_given")),
        1
    );
    assert_eq!(count(&body["calls"]["rows"], "neglect", Some("open")), 1);
    assert_eq!(
        count(&body["calls"]["rows"], "information", Some("open")),
        1
    );
    assert_eq!(body["alarms"]["total"], 2);
    assert_eq!(count(&body["alarms"]["rows"], "fall", None), 1);
    assert_eq!(count(&body["alarms"]["rows"], "smoke", None), 1);
    let lines = body["referrals"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["service"], "crisis-support-centre");
    assert_eq!(
        (
            lines[0]["referred"].as_u64(),
            lines[0]["acknowledged"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert!(lines[0]["ack_p50_s"].as_f64().unwrap() >= 0.0);
    assert!(!body.to_string().contains("REP-SECRET"), "no personal data");
    assert!(
        !body.to_string().contains("+40711000101"),
        "no personal data"
    );
    let before: Value = before.json().await.unwrap();
    assert_eq!(
        before["calls"]["total"], 0,
        "nothing of this month in the one before"
    );
    assert_eq!(before["alarms"]["total"], 0);
    // The quarter holds the month.
    let month: u32 = this_month[5..].parse().unwrap();
    let q = format!("quarter={}-Q{}", &this_month[..4], (month - 1) / 3 + 1);
    let quarter: Value = report(&app, Role::Admin, &q).await.json().await.unwrap();
    assert_eq!(quarter["calls"]["total"], 3);
}

#[tokio::test]
async fn the_activity_report_comes_as_csv_for_romanian_excel() {
    let app = spawn_app().await;
    let c = call(&app, "neglect", "+40711000201").await;
    close(&app, &c, "referred").await;
    let (this_month, _) = months();

    let by_param = report(
        &app,
        Role::Supervisor,
        &format!("month={this_month}&format=csv"),
    )
    .await;
    let by_accept = app
        .client
        .get(format!(
            "{}/api/v1/reports/activity?month={this_month}",
            app.address
        ))
        .bearer_auth(app.token(Role::Admin))
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();

    for r in [by_param, by_accept] {
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("raport-activitate-{this_month}.csv")));
        let text = r.text().await.unwrap();
        assert!(text.starts_with('\u{feff}'), "a byte-order mark for Excel");
        assert!(
            text.contains(
                "\r\nApeluri\r\nCategorie;Rezultat;Număr\r\nneglect;referred;1\r\ntotal;;1\r\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("Alarme\r\nTip alarmă;Număr\r\ntotal;0\r\n"),
            "{text}"
        );
        for title in [
            "Referiri",
            "Intervenții EMIU",
            "Transport adaptat",
            "Paturi ocupate",
        ] {
            assert!(
                text.contains(&format!("\r\n{title}\r\n")),
                "{title}: {text}"
            );
        }
    }
}

#[tokio::test]
async fn a_bad_period_is_a_422_naming_the_field() {
    let app = spawn_app().await;
    for (query, field) in [
        ("month=2026-13", "month"),
        ("month=november", "month"),
        ("quarter=2026-Q5", "quarter"),
        ("month=2026-11&quarter=2026-Q4", "quarter"),
        ("", "month"),
        ("month=2026-11&format=xlsx", "format"),
    ] {
        let r = report(&app, Role::Admin, query).await;
        assert_eq!(r.status(), 422, "{query}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
    }
    let r = app
        .get_as(Role::Admin, "/api/v1/retention/purge-log?limit=0")
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "limit");
}

#[tokio::test]
async fn the_role_matrix_holds_for_every_report_and_retention_route() {
    let app = spawn_app().await;
    let (this_month, _) = months();
    let routes = [
        format!("/api/v1/reports/activity?month={this_month}"),
        format!("/api/v1/reports/activity?month={this_month}&format=csv"),
        "/api/v1/retention/purge-log".to_owned(),
    ];
    for path in &routes {
        for role in Role::ALL {
            let r = app.get_as(role, path).await;
            let expected = if matches!(role, Role::Supervisor | Role::Admin) {
                200
            } else {
                403
            };
            assert_eq!(r.status(), expected, "{} {path}", role.as_str());
        }
        let anonymous = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401, "anonymous {path}");
    }
}

async fn closed_at(app: &TestApp, id: &str) -> DateTime<Utc> {
    let item: Value = app
        .get_as(Role::Admin, &format!("/api/v1/items/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let item = if item["item"].is_object() {
        &item["item"]
    } else {
        &item
    };
    item["times"]["closed"]
        .as_str()
        .unwrap_or_else(|| panic!("closed time of {item}"))
        .parse()
        .unwrap()
}

async fn caller_number_in_log(app: &TestApp, id: &str) -> String {
    let events = app
        .state
        .store
        .item_events(ItemId(uuid::Uuid::parse_str(id).unwrap()))
        .await
        .unwrap();
    match &events[0].event {
        Event::ItemCreated { item } => match &item.details {
            dispecer::domain::Details::Call { caller_number, .. } => caller_number.clone(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

/// The item as `role` reads it over HTTP.
async fn item_as(app: &TestApp, role: Role, id: &str) -> Value {
    let v: Value = app
        .get_as(role, &format!("/api/v1/items/{id}"))
        .await
        .json()
        .await
        .unwrap();
    if v["item"].is_object() {
        v["item"].clone()
    } else {
        v
    }
}

#[tokio::test]
async fn the_purge_takes_only_what_is_past_its_schedule_and_logs_it() {
    // Arrange: closed items wait 1 day, domestic-violence cases 3. A second instance shares the
    // database, and a dispatcher's console is open from the start.
    let (mut config, dir) = test_config().await;
    config.retention.closed_items_days = 1;
    config.retention.dv_case_days = 3;
    config.retention.audit_log_days = 3;
    config.retention.enabled = false;
    let second_config = config.clone();
    let app = spawn_with(config, dir).await;
    let other = spawn_sharing(second_config, None, Some(&app.tokens)).await;
    let mut ws = app.ws_connect(None).await;
    assert_eq!(ws.next_json().await["type"], "snapshot");
    let open_old = call(&app, "neglect", "+40711000301").await;
    let old = call(&app, "neglect", "+40711000302").await;
    let dv = call(&app, "domestic_violence", "+40711000303").await;
    close(&app, &old, "advice_given").await;
    close(&app, &dv, "emiu_sent").await;
    let recent = call(&app, "neglect", "+40711000304").await;
    close(&app, &recent, "advice_given").await;
    let (t_old, t_dv, t_recent) = (
        closed_at(&app, &old).await,
        closed_at(&app, &dv).await,
        closed_at(&app, &recent).await,
    );
    // Closed in this order (the log's order): `recent` after `old` and the DV call.
    assert!(t_old.max(t_dv) < t_recent, "{t_old} {t_dv} {t_recent}");
    // Exactly a day after `recent` closed: everything closed before it is past its day, and
    // `recent` itself is on the edge, not past it (the time is driven, no waiting).
    let now = t_recent + Duration::days(1);
    // The second instance holds the old item in full before the purge (it has read the log
    // with its own first write).
    call(&other, "information", "+40711000306").await;
    let before = item_as(&other, Role::Admin, &old).await;
    assert_eq!(
        before["details"]["caller_number"], "+40711000302",
        "{before}"
    );

    // Act: a dry run first, then the run.
    let dry = dispecer::cli::retention::purge_at(&app.state, now, "test", true)
        .await
        .unwrap();
    let after_dry: Value = app
        .get_as(Role::Admin, "/api/v1/retention/purge-log")
        .await
        .json()
        .await
        .unwrap();
    let rows = dispecer::cli::retention::purge_at(&app.state, now, "test", false)
        .await
        .unwrap();
    let again = dispecer::cli::retention::purge_at(&app.state, now, "test", false)
        .await
        .unwrap();

    // Assert: only the old closed item goes; the open, the recent and the younger DV file stay.
    let of = |rows: &[dispecer::store::PurgeLogRow], kind: &str| {
        rows.iter().find(|r| r.kind == kind).unwrap().removed
    };
    assert_eq!(of(&dry, "closed_items"), 1);
    assert_eq!(
        after_dry["rows"].as_array().unwrap().len(),
        0,
        "a dry run logs nothing"
    );
    assert_eq!(of(&rows, "closed_items"), 1);
    assert_eq!(of(&rows, "dv_case_files"), 0);
    assert_eq!(of(&again, "closed_items"), 0, "an item is purged once");
    assert_eq!(caller_number_in_log(&app, &old).await, "***");
    assert_eq!(caller_number_in_log(&app, &recent).await, "+40711000304");
    assert_eq!(caller_number_in_log(&app, &open_old).await, "+40711000301");
    assert_eq!(caller_number_in_log(&app, &dv).await, "+40711000303");
    let log: Value = app
        .get_as(Role::Supervisor, "/api/v1/retention/purge-log")
        .await
        .json()
        .await
        .unwrap();
    let first_run: Vec<&Value> = log["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["run_id"] == rows[0].run_id.as_str())
        .collect();
    assert_eq!(first_run.len(), 7, "one row per kind: {log}");
    let items_row = first_run
        .iter()
        .find(|r| r["kind"] == "closed_items")
        .unwrap();
    assert_eq!(items_row["removed"], 1);
    assert_eq!(items_row["actor"], "test");
    let oldest: DateTime<Utc> = items_row["oldest"].as_str().unwrap().parse().unwrap();
    assert_eq!(oldest, t_old);

    // The live state drops the personal data at once: the same instance's API...
    let purged = item_as(&app, Role::Admin, &old).await;
    assert_eq!(purged["details"]["caller_number"], "***", "{purged}");
    assert_eq!(purged["status"], "closed");
    assert_eq!(purged["outcome"], "advice_given");
    assert!(!purged.to_string().contains("+40711000302"), "{purged}");
    assert!(!purged.to_string().contains("REP-SECRET"), "{purged}");
    let kept = item_as(&app, Role::Admin, &recent).await;
    assert_eq!(kept["details"]["caller_number"], "+40711000304");
    // ...the console that held the item gets the purged copy, then the event...
    let copy = loop {
        let m = ws.next_json().await;
        if m["type"] == "item" && m["item"]["id"] == old.as_str() {
            break m;
        }
    };
    assert!(!copy.to_string().contains("+40711000302"), "{copy}");
    let ev = ws.wait_for("item_purged").await;
    assert_eq!(ev["event"]["item_id"], old.as_str());
    // ...and the other instance once it has read the log (its next write, or the bus).
    call(&other, "information", "+40711000305").await;
    let there = item_as(&other, Role::Admin, &old).await;
    assert_eq!(there["details"]["caller_number"], "***", "{there}");
    assert!(!there.to_string().contains("REP-SECRET"), "{there}");

    // The DV file goes only after its own, longer period.
    let later = t_dv + Duration::days(3) + Duration::seconds(1);
    let rows = dispecer::cli::retention::purge_at(&app.state, later, "test", false)
        .await
        .unwrap();
    assert_eq!(of(&rows, "dv_case_files"), 1);
    assert_eq!(of(&rows, "closed_items"), 1, "the recent one, by then old");
    assert_eq!(caller_number_in_log(&app, &dv).await, "***");
    let case = item_as(&app, Role::Supervisor, &dv).await;
    assert_eq!(case["details"]["caller_number"], "***", "{case}");
    assert_eq!(
        caller_number_in_log(&app, &open_old).await,
        "+40711000301",
        "never an open item"
    );

    // The counts of the report are unchanged by the purge (the item's existence stays).
    let (this_month, _) = months();
    let r: Value = report(&app, Role::Admin, &format!("month={this_month}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["calls"]["total"], 6);
}

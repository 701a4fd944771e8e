//! Rider messages through the outbox and the fake Twilio API: the expected messages, retries
//! with backoff, nothing lost or sent twice across a restart, and the crash window detected by
//! the idempotency key.

use std::sync::atomic::Ordering;

use dispecer::access::Role;
use dispecer::sms::OutgoingSms;
use serde_json::{json, Value};

use crate::fake_twilio::FakeTwilio;
use crate::helpers::{spawn_with, test_config};
use crate::transport::{book_and_plan, driver_post, driver_token, post, tomorrow};

#[tokio::test]
async fn planning_confirms_every_trip_and_a_no_show_sends_one_notice() {
    // Arrange
    let fake = FakeTwilio::start().await;
    let (mut config, dir) = test_config().await;
    fake.configure(&mut config);
    let app = spawn_with(config, dir).await;
    // Act: 3 riders, 6 trips, planned.
    let out = book_and_plan(&app, 3).await;
    let confirmations = fake.wait_for(6).await;
    // Assert: one confirmation per trip, to the rider's number, with the promised time.
    assert_eq!(confirmations.len(), 6);
    let routes = out["plan"]["routes"].as_array().unwrap();
    for m in &confirmations {
        let trip = m.key.split(':').nth(1).unwrap();
        let stop = routes
            .iter()
            .flat_map(|r| r["stops"].as_array().unwrap())
            .find(|s| s["trip_id"] == trip && s["pickup"] == true)
            .unwrap();
        assert!(
            m.body.contains(stop["time"].as_str().unwrap()),
            "{}",
            m.body
        );
        assert!(m.to.starts_with("+40700001"));
        assert_eq!(m.from, "DAS-TM");
    }
    // The evening-before reminders, queued twice, are sent once each.
    for _ in 0..2 {
        let r = post(
            &app,
            "/api/v1/transport/reminders",
            json!({"date": tomorrow()}),
        )
        .await;
        assert_eq!(r.status(), 200);
    }
    let all = fake.wait_for(12).await;
    assert_eq!(
        all.iter().filter(|m| m.key.starts_with("remind:")).count(),
        6
    );
    // A no-show on VAN-01 notifies the rider once, even when the tablet replays the action.
    let list: Value = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/transport/bookings?date={}", tomorrow()),
        )
        .await
        .json()
        .await
        .unwrap();
    let trip = list["trips"][0]["id"].as_str().unwrap().to_owned();
    let r = post(
        &app,
        &format!("/api/v1/transport/plans/{}/move", tomorrow()),
        json!({"trip_id": trip, "vehicle_id": "VAN-01"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let token = driver_token(&app, "sofer1", "SOFER-01").await;
    for _ in 0..2 {
        let r = driver_post(
            &app,
            &token,
            "/api/v1/transport/actions",
            json!({"action_id": "ns-1", "kind": "no_show", "trip_id": trip}),
        )
        .await;
        assert!(r.status().is_success());
    }
    let all = fake.wait_for(13).await;
    let no_shows: Vec<_> = all
        .iter()
        .filter(|m| m.key.starts_with("noshow:"))
        .collect();
    assert_eq!(no_shows.len(), 1);
    assert_eq!(no_shows[0].key, format!("noshow:{trip}"));
    // The move changed (or kept) the promised time: at most one new confirmation for that trip.
    let extra = all
        .iter()
        .filter(|m| m.key.starts_with(&format!("confirm:{trip}:")))
        .count();
    assert!((1..=2).contains(&extra));
    assert_eq!(fake.duplicates(), 0);
}

async fn outbox_row(app: &crate::helpers::TestApp, key: &str) -> dispecer::sms::OutboxRow {
    app.state
        .transport
        .sms
        .outbox()
        .recent(100)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.key == key)
        .unwrap()
}

fn sms(key: &str) -> OutgoingSms {
    OutgoingSms {
        key: key.into(),
        to: "+40700009999".into(),
        body: "test".into(),
    }
}

#[tokio::test]
async fn a_failing_provider_is_retried_with_backoff_until_the_message_is_sent_once() {
    let fake = FakeTwilio::start().await;
    fake.inner.fail_next.store(3, Ordering::SeqCst);
    let (mut config, dir) = test_config().await;
    fake.configure(&mut config);
    let app = spawn_with(config, dir).await;
    app.state
        .transport
        .sms
        .enqueue(&[sms("t:retry")])
        .await
        .unwrap();
    let got = fake.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(fake.inner.requests.load(Ordering::SeqCst), 4);
    // The row is marked sent with the provider's SID (polling until the worker recorded it).
    let mut row = outbox_row(&app, "t:retry").await;
    for _ in 0..250 {
        if row.status == "sent" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        row = outbox_row(&app, "t:retry").await;
    }
    assert_eq!(row.status, "sent");
    assert_eq!(row.attempts, 4);
    assert!(row.provider_sid.unwrap().starts_with("SM"));
}

#[tokio::test]
async fn a_message_queued_before_a_restart_is_sent_once_after_it() {
    // Arrange: the provider is down while the first instance runs.
    let fake = FakeTwilio::start().await;
    fake.inner.fail_next.store(usize::MAX, Ordering::SeqCst);
    let (mut config, dir) = test_config().await;
    fake.configure(&mut config);
    config.sms.backoff_initial_ms = 50;
    let first = spawn_with(config.clone(), None).await;
    first
        .state
        .transport
        .sms
        .enqueue(&[sms("t:restart"), sms("t:restart")])
        .await
        .unwrap();
    for _ in 0..250 {
        if fake.inner.requests.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    drop(first);
    // Act: the provider recovers; a new instance starts on the same database.
    fake.inner.fail_next.store(0, Ordering::SeqCst);
    let second = spawn_with(config.clone(), None).await;
    let got = fake.wait_for(1).await;
    assert_eq!(got.len(), 1);
    // A third start finds it sent and sends nothing.
    drop(second);
    let third = spawn_with(config, dir).await;
    let mut row = outbox_row(&third, "t:restart").await;
    for _ in 0..250 {
        if row.status == "sent" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        row = outbox_row(&third, "t:restart").await;
    }
    assert_eq!(row.status, "sent");
    third
        .state
        .transport
        .sms
        .enqueue(&[sms("t:restart")])
        .await
        .unwrap();
    let got = fake.wait_for(2).await;
    assert_eq!(got.len(), 1);
    assert_eq!(fake.duplicates(), 0);
}

#[tokio::test]
async fn an_attempt_whose_answer_was_lost_is_found_at_the_provider_and_not_sent_again() {
    // Arrange: the provider accepts the first message but its answer never arrives (a timeout).
    let fake = FakeTwilio::start().await;
    fake.inner.lose_answer_next.store(1, Ordering::SeqCst);
    let (mut config, dir) = test_config().await;
    fake.configure(&mut config);
    let app = spawn_with(config, dir).await;

    // Act
    app.state
        .transport
        .sms
        .enqueue(&[sms("t:lost-answer")])
        .await
        .unwrap();

    // Assert: the retry asked the provider, found the message and marked the row with its SID.
    let row = wait_until_sent(&app, "t:lost-answer").await;
    let got = fake.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(fake.duplicates(), 0);
    assert_eq!(row.provider_sid.as_deref(), Some(got[0].sid.as_str()));
    assert_eq!(fake.inner.requests.load(Ordering::SeqCst), 1);
    assert!(fake.inner.lookups.load(Ordering::SeqCst) >= 1);
}

#[tokio::test]
async fn a_message_the_provider_took_just_before_a_crash_is_not_sent_again_after_restart() {
    // Arrange: an instance claimed the row and the provider accepted the message, then the
    // instance died before marking it (its lease has run out).
    let fake = FakeTwilio::start().await;
    let (mut config, dir) = test_config().await;
    fake.configure(&mut config);
    let mut quiet = config.clone();
    quiet.sms.account_sid = String::new(); // this instance's sender does not run
    let first = spawn_with(quiet, None).await;
    let outbox = first.state.transport.sms.outbox().clone();
    first
        .state
        .transport
        .sms
        .enqueue(&[sms("t:crash")])
        .await
        .unwrap();
    let row = outbox_row(&first, "t:crash").await;
    // Claimed for a minute, no other sender can take it; a minute later (the clock passed in)
    // the lease has run out and it can be taken again, as after a crash.
    let now = chrono::Utc::now().timestamp_millis();
    assert!(outbox.claim(&row.id, now, now + 60_000).await.unwrap());
    assert!(!outbox
        .claim(&row.id, now + 1_000, now + 61_000)
        .await
        .unwrap());
    assert!(outbox.claim(&row.id, now + 60_000, now).await.unwrap());
    let r = reqwest::Client::new()
        .post(format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            fake.base_url,
            crate::fake_twilio::SID
        ))
        .basic_auth(crate::fake_twilio::SID, Some(crate::fake_twilio::TOKEN))
        .form(&[
            ("To", "+40700009999"),
            ("From", config.sms.from.as_str()),
            ("Body", "test"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    drop(first);

    // Act: a new instance with a working sender on the same database.
    let second = spawn_with(config, dir).await;

    // Assert: it found the message at the provider; the rider got it once.
    let row = wait_until_sent(&second, "t:crash").await;
    assert_eq!(fake.messages().len(), 1);
    assert_eq!(fake.duplicates(), 0);
    assert_eq!(
        row.provider_sid.as_deref(),
        Some(fake.messages()[0].sid.as_str())
    );
    assert_eq!(fake.inner.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn two_instances_sending_from_one_outbox_send_each_message_once() {
    // Arrange: two instances on one database, both with a running sender; a slow provider, so
    // both senders are busy with the same rows at the same time.
    let fake = FakeTwilio::start().await;
    fake.inner.post_delay_ms.store(5, Ordering::SeqCst);
    let (mut config, dir) = test_config().await;
    fake.configure(&mut config);
    config.sms.poll_ms = 10;
    let first = spawn_with(config.clone(), None).await;
    let _second = spawn_with(config, dir).await; // its sender competes for the rows

    // Act: 40 messages land in the outbox at once; both senders find them on their next poll.
    let batch: Vec<OutgoingSms> = (0..40)
        .map(|i| OutgoingSms {
            key: format!("t:two:{i}"),
            to: "+40700009999".into(),
            body: format!("mesaj {i}"),
        })
        .collect();
    first
        .state
        .transport
        .sms
        .outbox()
        .insert_messages(&batch, chrono::Utc::now())
        .await
        .unwrap();

    // Assert: each sent once, whichever sender took it.
    let got = fake.wait_for(40).await;
    // Once every row is marked sent, no sender has anything left to (re)send.
    for i in 0..40 {
        wait_until_sent(&first, &format!("t:two:{i}")).await;
    }
    assert_eq!(got.len(), 40);
    assert_eq!(fake.messages().len(), 40);
    assert_eq!(fake.duplicates(), 0);
}

/// The row of `key` once the sender has marked it sent (polling, up to 10 s).
async fn wait_until_sent(app: &crate::helpers::TestApp, key: &str) -> dispecer::sms::OutboxRow {
    let mut row = outbox_row(app, key).await;
    for _ in 0..500 {
        if row.status == "sent" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        row = outbox_row(app, key).await;
    }
    assert_eq!(row.status, "sent", "{row:?}");
    row
}

#[tokio::test]
async fn a_tablet_position_near_the_next_pick_up_sends_one_arriving_notice() {
    use chrono::{Duration, Utc};
    // Arrange: shifts around the clock, so a trip an hour from now is plannable at any hour.
    let zone: chrono_tz::Tz = "Europe/Bucharest".parse().unwrap();
    let soon = Utc::now().with_timezone(&zone) + Duration::minutes(60);
    // The trip (pick-up, ride, drop-off) must end within today's shift, which ends at 23:59:
    // from about 22:30 on it cannot, and the hand-made move below is refused.
    let trip_done = soon + Duration::minutes(90);
    if trip_done.date_naive() != Utc::now().with_timezone(&zone).date_naive() {
        eprintln!(
            "skipped: the trip would end after midnight, and the notice is for today's trips"
        );
        return;
    }
    let fake = FakeTwilio::start().await;
    let (mut config, dir) = test_config().await;
    fake.configure(&mut config);
    config.transport.default_shift_start = "00:00:00".parse().unwrap();
    config.transport.default_shift_end = "23:59:00".parse().unwrap();
    // From Arad the vehicle is late for the pick-up; this test is about the notice, so the
    // delay handling (which would move the trip to another vehicle) stays out of the way.
    config.transport.delay_threshold_minutes = 120;
    let app = spawn_with(config, dir).await;
    crate::transport::seed_fleet(&app).await;
    post(
        &app,
        "/api/v1/transport/riders",
        crate::transport::rider("R-A", "seated", 4.0),
    )
    .await;
    let today = soon.date_naive();
    let r = post(&app, "/api/v1/transport/bookings", json!({
        "rider": "R-A", "date": today, "pickup": {"place": "home"}, "dropoff": {"place": "dialysis"},
        "timing": "pickup_at", "time": soon.time().format("%H:%M:00").to_string()
    })).await;
    assert_eq!(r.status(), 201);
    let trip = r.json::<Value>().await.unwrap()["trips"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        post(
            &app,
            &format!("/api/v1/transport/plans/{today}"),
            json!({"seconds": 0.5})
        )
        .await
        .status(),
        200
    );
    let r = post(
        &app,
        &format!("/api/v1/transport/plans/{today}/move"),
        json!({"trip_id": trip, "vehicle_id": "VAN-01"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let token = driver_token(&app, "sofer1", "SOFER-01").await;
    // Act: far away first (Arad, 50 km), then next to the rider's home, twice.
    let far = driver_post(
        &app,
        &token,
        "/api/v1/transport/position",
        json!({"lon": 21.31, "lat": 46.18}),
    )
    .await;
    assert_eq!(
        far.json::<Value>().await.unwrap()["arriving_notice"],
        Value::Null
    );
    for _ in 0..2 {
        let near = driver_post(
            &app,
            &token,
            "/api/v1/transport/position",
            json!({"lon": 21.19 + 4.0 * 0.002, "lat": 45.745 + 4.0 * 0.0007 + 0.003}),
        )
        .await;
        assert_eq!(
            near.json::<Value>().await.unwrap()["arriving_notice"],
            trip.as_str()
        );
    }
    // Assert: one notice (besides the confirmation), naming the vehicle.
    let mut got = fake.messages();
    for _ in 0..500 {
        if got.iter().any(|m| m.key.starts_with("arriving:")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        got = fake.messages();
    }
    let notices: Vec<_> = got
        .iter()
        .filter(|m| m.key.starts_with("arriving:"))
        .collect();
    assert_eq!(notices.len(), 1);
    assert!(notices[0].body.contains("VAN-01"));
    assert_eq!(fake.duplicates(), 0);
}

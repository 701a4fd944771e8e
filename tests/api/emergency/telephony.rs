//! Telephony webhooks: signed and badly signed requests, TwiML answers, a missed call becoming a
//! callback item, inbound SMS.

use dispecer::access::Role;
use serde_json::{json, Value};

use super::{
    app_with, queue_items, register_device, twilio_signature, webhook, webhook_signed, AUTH_TOKEN,
};

fn voice_params<'a>(sid: &'a str, from: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("CallSid", sid),
        ("From", from),
        ("To", "+40256000112"),
        ("CallStatus", "ringing"),
        ("Direction", "inbound"),
    ]
}

#[tokio::test]
async fn a_signed_incoming_call_is_carded_at_once_and_the_caller_is_held_with_a_romanian_message() {
    // Arrange: the caller is a known beneficiary.
    let app = app_with(|_| {}).await;
    register_device(&app, "TA-T1", "+40799000001", 86_400).await;

    // Act
    let r = webhook(
        &app,
        "/telephony/voice",
        &voice_params("CA0001", "+40799000001"),
    )
    .await;

    // Assert: TwiML that greets in Romanian and holds the caller in the queue.
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/xml"));
    let twiml = r.text().await.unwrap();
    assert!(twiml.contains(r#"<Say language="ro-RO">"#), "{twiml}");
    assert!(
        twiml.contains("<Enqueue") && twiml.contains("dispecerat-das"),
        "{twiml}"
    );
    // The call card is in the queue, matched to the beneficiary, first (P1, 15 s clock).
    let items = queue_items(&app).await;
    assert_eq!(items.len(), 1);
    let card = &items[0];
    assert_eq!(card["kind"], "call");
    assert_eq!(card["category"], "unclassified");
    assert_eq!(card["priority"]["level"], "P1");
    assert_eq!(card["priority"]["respond_within_s"], 15);
    assert_eq!(card["details"]["caller_number"], "+40799000001");
    assert!(card["details"]["notes"].as_str().unwrap().contains("TA-T1"));
    assert_eq!(
        card["details"]["location"]["address"],
        "Strada Lazăr 24, Timișoara"
    );
    // A retransmission of the same call makes no second card.
    let again = webhook(
        &app,
        "/telephony/voice",
        &voice_params("CA0001", "+40799000001"),
    )
    .await;
    assert_eq!(again.status(), 200);
    assert_eq!(queue_items(&app).await.len(), 1);
}

#[tokio::test]
async fn with_a_dispatcher_on_duty_the_call_is_dialled_to_their_phone() {
    let app = app_with(|c| c.telephony.dispatcher_phone = "+40256000555".into()).await;
    let r = webhook(
        &app,
        "/telephony/voice",
        &voice_params("CA0002", "+40722000002"),
    )
    .await;
    assert_eq!(r.status(), 200);
    let twiml = r.text().await.unwrap();
    assert!(
        twiml.contains("<Dial") && twiml.contains("<Number>+40256000555</Number>"),
        "{twiml}"
    );
    assert!(
        twiml.contains(r#"action="/telephony/voice/status""#),
        "{twiml}"
    );
}

#[tokio::test]
async fn a_badly_signed_or_unsigned_webhook_gets_403_and_creates_nothing() {
    let app = app_with(|_| {}).await;
    let params = voice_params("CA0003", "+40722000003");
    let url = format!("{}/telephony/voice", app.address);
    let cases: Vec<(&str, Option<String>)> = vec![
        ("no signature", None),
        (
            "another account's token",
            Some(twilio_signature("wrong-token", &url, &params)),
        ),
        (
            "signed for another URL",
            Some(twilio_signature(
                AUTH_TOKEN,
                &format!("{}/telephony/sms", app.address),
                &params,
            )),
        ),
        (
            "parameters changed after signing",
            Some(twilio_signature(
                AUTH_TOKEN,
                &url,
                &voice_params("CA0003", "+40722999999"),
            )),
        ),
        ("garbage", Some("bm90IGEgc2lnbmF0dXJl".into())),
    ];
    for (why, sig) in cases {
        let r = webhook_signed(&app, "/telephony/voice", &params, sig.as_deref()).await;
        assert_eq!(r.status(), 403, "{why}");
        let status = webhook_signed(
            &app,
            "/telephony/voice/status",
            &[("CallSid", "CA0003"), ("DialCallStatus", "no-answer")],
            sig.as_deref(),
        )
        .await;
        assert_eq!(status.status(), 403, "{why}");
        let sms = webhook_signed(
            &app,
            "/telephony/sms",
            &[
                ("MessageSid", "SM1"),
                ("From", "+40722000003"),
                ("Body", "ajutor"),
            ],
            sig.as_deref(),
        )
        .await;
        assert_eq!(sms.status(), 403, "{why}");
    }
    // Nothing was created: no item, not a single event in the log.
    assert!(queue_items(&app).await.is_empty());
    let events = app
        .state
        .store
        .events_after(dispecer::domain::Seq(0), 100)
        .await
        .unwrap();
    assert!(events.is_empty(), "{events:?}");
}

#[tokio::test]
async fn a_webhook_is_refused_while_no_auth_token_is_configured() {
    let app = app_with(|c| c.telephony.auth_token = String::new().into()).await;
    let params = voice_params("CA0004", "+40722000004");
    let sig = twilio_signature("", &format!("{}/telephony/voice", app.address), &params);
    let r = webhook_signed(&app, "/telephony/voice", &params, Some(&sig)).await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_call_that_nobody_answers_becomes_a_p2_callback_item() {
    // Arrange
    let app = app_with(|c| c.telephony.dispatcher_phone = "+40256000555".into()).await;
    webhook(
        &app,
        "/telephony/voice",
        &voice_params("CA0005", "+40722000005"),
    )
    .await;
    let card = queue_items(&app).await[0].clone();

    // Act: the dispatcher's phone rang out.
    let status = [
        ("CallSid", "CA0005"),
        ("DialCallStatus", "no-answer"),
        ("CallStatus", "in-progress"),
    ];
    let r = webhook(&app, "/telephony/voice/status", &status).await;

    // Assert
    assert_eq!(r.status(), 200);
    let twiml = r.text().await.unwrap();
    assert!(
        twiml.contains("<Hangup/>") && twiml.contains("Vă vom suna înapoi"),
        "{twiml}"
    );
    let items = queue_items(&app).await;
    let callbacks: Vec<&Value> = items.iter().filter(|i| i["kind"] == "callback").collect();
    assert_eq!(callbacks.len(), 1, "{items:?}");
    let cb = callbacks[0];
    assert_eq!(cb["priority"]["level"], "P2");
    assert_eq!(cb["priority"]["rule"], "callback-missed-call");
    assert_eq!(cb["details"]["phone"], "+40722000005");
    assert_eq!(cb["details"]["reason"], "missed_call");
    assert_eq!(cb["details"]["related"], card["id"]);
    // The card's history says the call was missed.
    let history: Value = app
        .get_as(
            Role::Dispatcher,
            &format!("/api/v1/items/{}/events", card["id"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(history["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["event"]["record"]["status"] == "missed"));
    // The provider retries a callback: still one callback item.
    webhook(&app, "/telephony/voice/status", &status).await;
    let again = queue_items(&app).await;
    assert_eq!(again.iter().filter(|i| i["kind"] == "callback").count(), 1);
}

#[tokio::test]
async fn an_answered_call_is_recorded_on_its_card_and_raises_no_callback() {
    let app = app_with(|_| {}).await;
    webhook(
        &app,
        "/telephony/voice",
        &voice_params("CA0006", "+40722000006"),
    )
    .await;
    let r = webhook(
        &app,
        "/telephony/voice/status",
        &[("CallSid", "CA0006"), ("QueueResult", "bridged")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let items = queue_items(&app).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "call");
}

#[tokio::test]
async fn a_missed_call_from_a_safe_contact_number_gets_no_callback() {
    // Arrange: a first call, marked 'do not call back / no SMS'.
    let app = app_with(|_| {}).await;
    webhook(
        &app,
        "/telephony/voice",
        &voice_params("CA0007", "+40722000007"),
    )
    .await;
    let card = queue_items(&app).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .post_as(
            Role::Dispatcher,
            &format!("/api/v1/items/{card}/safe-contact"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        dispecer::referrals::is_contact_blocked(app.state.emergency.as_ref(), "+40722000007")
            .await
            .unwrap()
    );
    assert!(
        !dispecer::referrals::is_contact_blocked(app.state.emergency.as_ref(), "+40722000008")
            .await
            .unwrap()
    );

    // Act: the same number calls again and nobody answers.
    webhook(
        &app,
        "/telephony/voice",
        &voice_params("CA0008", "+40722000007"),
    )
    .await;
    let r = webhook(
        &app,
        "/telephony/voice/status",
        &[("CallSid", "CA0008"), ("QueueResult", "hangup")],
    )
    .await;

    // Assert: no callback, none promised to the caller; the card says why.
    assert_eq!(r.status(), 200);
    assert!(!r.text().await.unwrap().contains("Vă vom suna înapoi"));
    let items = queue_items(&app).await;
    assert_eq!(
        items.iter().filter(|i| i["kind"] == "callback").count(),
        0,
        "{items:?}"
    );
    // The second card was still ringing: it is settled as a missed call, with the note.
    assert!(items
        .iter()
        .all(|i| i["kind"] != "call" || i["id"] == card.as_str()));
    let log = app
        .state
        .store
        .events_after(dispecer::domain::Seq(0), 1000)
        .await
        .unwrap();
    let second_id = log
        .iter()
        .find_map(|e| match &e.event {
            dispecer::events::Event::ItemCreated { item } if item.id.to_string() != card => {
                Some(item.id.to_string())
            }
            _ => None,
        })
        .expect("the second card");
    let second: Value = app
        .get_as(Role::Supervisor, &format!("/api/v1/items/{second_id}"))
        .await
        .json::<Value>()
        .await
        .unwrap()["item"]
        .clone();
    assert_eq!(second["outcome"], "missed_call");
    assert!(second["notes"][0]["text"]
        .as_str()
        .unwrap()
        .contains("nu sunați înapoi"));
}

#[tokio::test]
async fn an_inbound_sms_becomes_a_card_or_a_note_on_the_open_item_of_that_number() {
    let app = app_with(|_| {}).await;
    let r = webhook(
        &app,
        "/telephony/sms",
        &[
            ("MessageSid", "SM0001"),
            ("From", "+40722000009"),
            ("Body", "Vă rog sunați-mă"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.text().await.unwrap().matches("<Message").count(),
        0,
        "never an automatic reply"
    );
    let items = queue_items(&app).await;
    assert_eq!(items.len(), 1);
    assert!(items[0]["details"]["notes"]
        .as_str()
        .unwrap()
        .contains("Vă rog sunați-mă"));
    webhook(
        &app,
        "/telephony/sms",
        &[
            ("MessageSid", "SM0002"),
            ("From", "+40722000009"),
            ("Body", "a doua oară"),
        ],
    )
    .await;
    let items = queue_items(&app).await;
    assert_eq!(items.len(), 1);
    assert!(items[0]["notes"][0]["text"]
        .as_str()
        .unwrap()
        .contains("a doua oară"));
}

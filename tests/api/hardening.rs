//! The service against a hostile client: the provider's retried SMS recorded once.

use serde_json::json;

#[tokio::test]
async fn a_retried_inbound_sms_is_recorded_once() {
    use crate::emergency::{app_with, queue_items, webhook};
    let app = app_with(|_| {}).await;
    let first = [
        ("MessageSid", "SM00000000000000000000000000000001"),
        ("From", "+40722000077"),
        ("Body", "prima"),
    ];
    let second = [
        ("MessageSid", "SM00000000000000000000000000000002"),
        ("From", "+40722000077"),
        ("Body", "a doua"),
    ];

    // A new card, then the provider posts the same message again (our answer was lost).
    for _ in 0..2 {
        assert_eq!(webhook(&app, "/telephony/sms", &first).await.status(), 200);
    }
    let items = queue_items(&app).await;
    assert_eq!(items.len(), 1, "a second card");
    assert_eq!(items[0]["notes"], json!([]), "the retry became a note");
    let card = items[0]["id"].as_str().unwrap().to_owned();

    // A second message notes the open card, once, however often it is posted.
    for _ in 0..2 {
        assert_eq!(webhook(&app, "/telephony/sms", &second).await.status(), 200);
    }
    let items = queue_items(&app).await;
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0]["notes"].as_array().unwrap().len(),
        1,
        "{}",
        items[0]
    );

    // Once the card is closed, a late retry of either message cards nothing new.
    assert_eq!(app.act(&card, "acknowledge", json!({})).await.status(), 200);
    let closed = app
        .act(&card, "close", json!({ "outcome": "advice_given" }))
        .await;
    assert_eq!(closed.status(), 200);
    for params in [&first, &second] {
        assert_eq!(webhook(&app, "/telephony/sms", params).await.status(), 200);
    }
    assert!(queue_items(&app).await.is_empty(), "a retry carded again");
}

//! The emergency workflows: telephony webhooks, TeleAsistență devices and check-ins, referrals
//! and safe contact, the EMIU team's cases, storm mode and the answer-time report.

mod answer_times;
mod emiu;
mod referrals;
mod storm;
mod teleasistenta;
mod telephony;

use base64::Engine;
use dispecer::access::Role;
use dispecer::config::Config;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};

use crate::helpers::{spawn_with, test_config, TestApp};

/// The auth token the test server verifies webhook signatures with.
pub const AUTH_TOKEN: &str = "test-account-auth-token-0123456789";

/// A server whose telephony webhooks verify signatures with [`AUTH_TOKEN`]; `adjust` may change
/// the configuration further.
pub async fn app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let (mut config, dir) = test_config().await;
    config.telephony.auth_token = AUTH_TOKEN.to_owned().into();
    adjust(&mut config);
    spawn_with(config, dir).await
}

/// `X-Twilio-Signature` computed here as the provider documents it: the full URL, then each
/// POST parameter sorted by name as name + value, HMAC-SHA1 keyed with the auth token, base64.
pub fn twilio_signature(token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut data = url.to_owned();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Posts a webhook form signed with `token` over the URL it is sent to.
pub async fn webhook(app: &TestApp, path: &str, params: &[(&str, &str)]) -> reqwest::Response {
    let sig = twilio_signature(AUTH_TOKEN, &format!("{}{}", app.address, path), params);
    webhook_signed(app, path, params, Some(&sig)).await
}

pub async fn webhook_signed(
    app: &TestApp,
    path: &str,
    params: &[(&str, &str)],
    signature: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .client
        .post(format!("{}{}", app.address, path))
        .form(params);
    if let Some(s) = signature {
        req = req.header("x-twilio-signature", s);
    }
    req.send().await.expect("request")
}

/// The open items of the queue, as the supervisor sees them.
pub async fn queue_items(app: &TestApp) -> Vec<Value> {
    let q: Value = app
        .get_as(Role::Supervisor, "/api/v1/queue")
        .await
        .json()
        .await
        .unwrap();
    q["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["item"].clone())
        .collect()
}

/// Registers a synthetic device.
pub async fn register_device(app: &TestApp, id: &str, phone: &str, period_s: i64) -> Value {
    let r = app
        .post_as(
            Role::Supervisor,
            "/api/v1/teleasistenta/devices",
            &json!({
                "device_id": id,
                "beneficiary": "Maria Test (fictiv)",
                "address": "Strada Lazăr 24, Timișoara",
                "lon": 21.2215, "lat": 45.7592,
                "phone": phone,
                "carers": [
                    {"name": "Ana Fiica (fictiv)", "phone": "+40799100001", "relation": "fiică"},
                    {"name": "Vecin Ion (fictiv)", "phone": "+40799200001", "relation": "vecin"}
                ],
                "medical_notes": "diabet (fictiv)",
                "access_notes": "interfon 12",
                "key_safe": "cutie la ușă, cod 1234",
                "checkin_period_s": period_s,
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

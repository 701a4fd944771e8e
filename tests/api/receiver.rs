//! The SIA DC-09 receiver over its real TCP and UDP listeners: answers to faulty frames, an
//! alarm stored before its ACK, retransmissions, restores, check-ins, unknown accounts.
//! The frames are built here from the standard (independent implementations are exercised by
//! scripts/dc09-interop).

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use dispecer::access::Role;
use dispecer::config::ReceiverAccountConfig;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use crate::emergency::register_device;
use crate::helpers::{spawn_with, test_config, TestApp};

const KEY: &str = "000102030405060708090A0B0C0D0E0F";

fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

fn wrap(content: &str) -> Vec<u8> {
    format!(
        "\n{:04X}{:04X}{content}\r",
        crc16(content.as_bytes()),
        content.len()
    )
    .into_bytes()
}

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("_%H:%M:%S,%m-%d-%Y").to_string()
}

fn encrypt(key_hex: &str, text: &str) -> String {
    let key = hex::decode(key_hex).unwrap();
    let need = 16 - (text.len() + 1) % 16;
    let mut plain = vec![b'Q'; need];
    plain.push(b'|');
    plain.extend_from_slice(text.as_bytes());
    let len = plain.len();
    cbc::Encryptor::<aes::Aes128>::new_from_slices(&key, &[0; 16])
        .unwrap()
        .encrypt_padded_mut::<NoPadding>(&mut plain, len)
        .unwrap();
    hex::encode_upper(plain)
}

fn decrypt(key_hex: &str, hex_body: &str) -> String {
    let key = hex::decode(key_hex).unwrap();
    let mut bytes = hex::decode(hex_body).unwrap();
    cbc::Decryptor::<aes::Aes128>::new_from_slices(&key, &[0; 16])
        .unwrap()
        .decrypt_padded_mut::<NoPadding>(&mut bytes)
        .unwrap();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn plain_cid(account: &str, seq: u32, event: &str) -> Vec<u8> {
    wrap(&format!(
        "\"ADM-CID\"{seq:04}R1L1#{account}[#{account}|{event}]"
    ))
}

fn encrypted(
    account: &str,
    seq: u32,
    id: &str,
    data: &str,
    key: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Vec<u8> {
    let body = encrypt(key, &format!("{data}]{}", stamp(at)));
    wrap(&format!("\"*{id}\"{seq:04}R1L1#{account}[{body}"))
}

async fn start() -> TestApp {
    let (mut config, dir) = test_config().await;
    config.receiver.enabled = true;
    config.receiver.bind = "127.0.0.1:0".into();
    config.receiver.accounts = vec![
        ReceiverAccountConfig {
            account: "1001".into(),
            key: None,
            device_id: Some("TA-DC1".into()),
            supervision_s: None,
        },
        ReceiverAccountConfig {
            account: "1002".into(),
            key: Some(KEY.to_owned().into()),
            device_id: Some("TA-DC2".into()),
            supervision_s: None,
        },
    ];
    let app = spawn_with(config, dir).await;
    register_device(&app, "TA-DC1", "+40799000901", 3600).await;
    register_device(&app, "TA-DC2", "+40799000902", 3600).await;
    app
}

struct Device(TcpStream);

impl Device {
    async fn connect(app: &TestApp) -> Self {
        let addr = app.state.receiver_addr.expect("the receiver listens");
        Device(TcpStream::connect(addr).await.unwrap())
    }

    /// Sends a frame and reads the answer up to its CR.
    async fn send(&mut self, frame: &[u8]) -> String {
        self.0.write_all(frame).await.unwrap();
        let mut out = Vec::new();
        let mut b = [0u8; 1];
        while out.last() != Some(&b'\r') {
            let n = self.0.read(&mut b).await.unwrap();
            assert!(n > 0, "the receiver closed the connection");
            out.push(b[0]);
        }
        String::from_utf8(out).unwrap()
    }
}

/// The answer's ID token (`ACK`, `*ACK`, `NAK`, `DUH`), after checking its CRC and length.
fn token(answer: &str) -> &str {
    let content = &answer[9..answer.len() - 1];
    assert_eq!(
        &answer[1..5],
        format!("{:04X}", crc16(content.as_bytes())),
        "CRC of {answer:?}"
    );
    assert_eq!(
        usize::from_str_radix(&answer[5..9], 16).unwrap(),
        content.len()
    );
    content[1..].split('"').next().unwrap()
}

async fn dc09_items(app: &TestApp) -> Vec<Value> {
    app.queue().await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.get("item").cloned().unwrap_or_else(|| e.clone()))
        .filter(|i| i["details"]["receiver"] == "dc09")
        .collect()
}

#[tokio::test]
async fn faulty_frames_are_answered_as_the_standard_says_and_the_connection_lives_on() {
    let app = start().await;
    let mut d = Device::connect(&app).await;
    let now = chrono::Utc::now();

    // A bad CRC.
    let mut bad = plain_cid("1001", 1, "1101 01 001");
    bad[1] = if bad[1] == b'0' { b'1' } else { b'0' };
    let a = d.send(&bad).await;
    assert_eq!(token(&a), "NAK");
    assert!(
        a.contains("\"NAK\"0000R0L0A0[]_"),
        "a NAK carries the receiver's time: {a}"
    );
    // A wrong length.
    let mut long = plain_cid("1001", 1, "1101 01 001");
    long.insert(12, b'7');
    assert_eq!(token(&d.send(&long).await), "NAK");
    // Garbage between LF and CR (noise before the LF is skipped).
    assert_eq!(
        token(&d.send(b"noise\n\x00\xff garbage \x01\r").await),
        "NAK"
    );
    // A timestamp ten minutes off: NAK with the receiver's time.
    let stale = encrypted(
        "1002",
        2,
        "ADM-CID",
        "#1002|1101 01 001",
        KEY,
        now - chrono::Duration::minutes(10),
    );
    let a = d.send(&stale).await;
    assert_eq!(token(&a), "NAK");
    let t =
        chrono::NaiveDateTime::parse_from_str(&a[a.len() - 20..a.len() - 1], "%H:%M:%S,%m-%d-%Y")
            .unwrap()
            .and_utc();
    assert!((t - chrono::Utc::now()).num_seconds().abs() < 5);
    // A wrong key.
    let wrong = encrypted(
        "1002",
        3,
        "ADM-CID",
        "#1002|1101 01 001",
        "FF0102030405060708090A0B0C0D0EFF",
        now,
    );
    assert_eq!(token(&d.send(&wrong).await), "NAK");
    // Plain text from an account configured for encryption: DUH.
    assert_eq!(
        token(&d.send(&plain_cid("1002", 4, "1101 01 001")).await),
        "DUH"
    );
    // An ID token the receiver does not handle: DUH.
    assert_eq!(
        token(&d.send(&wrap("\"XYZ-ABC\"0005L1#1001[]")).await),
        "DUH"
    );
    // Nothing of the above made an item.
    assert!(dc09_items(&app).await.is_empty());

    // An unknown account: ACK, and an item for the supervisor.
    let a = d.send(&plain_cid("ABC123", 7, "1100 01 002")).await;
    assert_eq!(token(&a), "ACK");
    let items = dc09_items(&app).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["details"]["device_id"], "dc09-ABC123");
    // An unknown code from a known account: an item too, as a personal emergency.
    assert_eq!(
        token(&d.send(&plain_cid("1001", 8, "1999 01 002")).await),
        "ACK"
    );
    let items = dc09_items(&app).await;
    let unknown = items
        .iter()
        .find(|i| i["details"]["device_id"] == "TA-DC1")
        .unwrap();
    assert_eq!(unknown["details"]["alarm_type"], "button");

    // And the connection still carries a valid message.
    let ok = encrypted(
        "1002",
        9,
        "ADM-CID",
        "#1002|1151 01 003",
        KEY,
        chrono::Utc::now(),
    );
    let a = d.send(&ok).await;
    assert_eq!(token(&a), "*ACK");
    let body = &a[a.find('[').unwrap() + 1..a.len() - 1];
    assert!(
        decrypt(KEY, body).contains("]_"),
        "an encrypted ACK carries the time inside"
    );

    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for reason in ["crc", "length", "garbage", "timestamp", "decrypt"] {
        assert!(
            metrics.contains(&format!(
                "dispecer_receiver_naks_total{{reason=\"{reason}\"}}"
            )),
            "NAKs by reason {reason} in /metrics"
        );
    }
    assert!(metrics.contains("dispecer_receiver_connections"));
    assert!(metrics.contains("dispecer_receiver_answer_seconds"));
}

#[tokio::test]
async fn an_alarm_is_stored_before_its_ack_a_retransmission_is_one_item_and_a_restore_is_a_note() {
    let app = start().await;
    let mut d = Device::connect(&app).await;
    let alarm = plain_cid("1001", 21, "1101 01 004");
    assert_eq!(token(&d.send(&alarm).await), "ACK");
    // Stored before the ACK: in the queue at once, with the beneficiary as subject.
    let items = dc09_items(&app).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["details"]["alarm_type"], "button");
    assert_eq!(items[0]["details"]["device_id"], "TA-DC1");
    // The same message again (its ACK was lost): ACK, still one item.
    assert_eq!(token(&d.send(&alarm).await), "ACK");
    assert_eq!(dc09_items(&app).await.len(), 1);
    // Over UDP too.
    let addr = app.state.receiver_addr.unwrap();
    let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    udp.send_to(&alarm, addr).await.unwrap();
    let mut buf = [0u8; 512];
    let (n, _) = udp.recv_from(&mut buf).await.unwrap();
    assert_eq!(token(std::str::from_utf8(&buf[..n]).unwrap()), "ACK");
    assert_eq!(dc09_items(&app).await.len(), 1);

    // The restore (qualifier 3): a note on the open alarm, no new item.
    assert_eq!(
        token(&d.send(&plain_cid("1001", 22, "3101 01 004")).await),
        "ACK"
    );
    let items = dc09_items(&app).await;
    assert_eq!(items.len(), 1);
    let id = items[0]["id"].as_str().unwrap();
    let item: Value = app
        .get_as(Role::Dispatcher, &format!("/api/v1/items/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let notes = item["item"]["notes"]
        .as_array()
        .or(item["notes"].as_array())
        .cloned()
        .unwrap_or_default();
    assert!(
        notes
            .iter()
            .any(|n| n["text"].as_str().unwrap_or("").contains("Revenire")),
        "the restore is noted: {item}"
    );

    // A NULL (link supervision) and a periodic test: check-ins, no item.
    let null = encrypted("1002", 23, "NULL", "", KEY, chrono::Utc::now());
    assert_eq!(token(&d.send(&null).await), "*ACK");
    assert_eq!(
        token(&d.send(&plain_cid("1001", 24, "1602 00 000")).await),
        "ACK"
    );
    assert_eq!(dc09_items(&app).await.len(), 1);
    let accounts: Value = app
        .get_as(Role::Supervisor, "/api/v1/receiver/accounts")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(accounts["listening"], true);
    let list = accounts["accounts"].as_array().unwrap();
    let a2 = list.iter().find(|a| a["account"] == "1002").unwrap();
    assert_eq!(a2["encrypted"], true);
    assert_eq!(a2["state"], "ok");
    assert!(a2["last_checkin"].is_string());
    assert!(a2.get("key_hex").is_none() && !accounts.to_string().contains(KEY));
    let device: Value = app
        .get_as(Role::Dispatcher, "/api/v1/teleasistenta/devices/TA-DC2")
        .await
        .json()
        .await
        .unwrap();
    let last = device["device"]["last_checkin_at"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        chrono::DateTime::parse_from_rfc3339(&last)
            .is_ok_and(|t| (chrono::Utc::now() - t.to_utc()).num_seconds() < 10),
        "the NULL message is the device's check-in: {device}"
    );
}

async fn accounts_of(app: &TestApp) -> Vec<Value> {
    let v: Value = app
        .get_as(Role::Supervisor, "/api/v1/receiver/accounts")
        .await
        .json()
        .await
        .unwrap();
    v["accounts"].as_array().unwrap().clone()
}

async fn missed_for(app: &TestApp, device: &str) -> usize {
    app.queue().await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.get("item").cloned().unwrap_or_else(|| e.clone()))
        .filter(|i| {
            i["details"]["alarm_type"] == "missed_checkin" && i["details"]["device_id"] == device
        })
        .count()
}

/// Polls `what` until it holds (at most 20 s), never a fixed sleep before looking.
async fn until<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !f().await {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_account_silent_past_its_own_interval_raises_one_missed_checkin() {
    // Arrange: an unlinked account and one linked to a device, each supervised every 2 s,
    // with 1 s of grace; the device's own registry period is an hour.
    let (mut config, dir) = test_config().await;
    config.receiver.enabled = true;
    config.receiver.bind = "127.0.0.1:0".into();
    config.teleasistenta.checkin_grace_s = 1;
    config.teleasistenta.monitor_interval_ms = 200;
    config.receiver.accounts = vec![
        ReceiverAccountConfig {
            account: "2001".into(),
            key: None,
            device_id: None,
            supervision_s: Some(2),
        },
        ReceiverAccountConfig {
            account: "2002".into(),
            key: None,
            device_id: Some("TA-SV1".into()),
            supervision_s: Some(2),
        },
        ReceiverAccountConfig {
            account: "2003".into(),
            key: None,
            device_id: None,
            supervision_s: None,
        },
    ];
    let app = spawn_with(config, dir).await;
    register_device(&app, "TA-SV1", "+40799000931", 3600).await;
    let list = accounts_of(&app).await;
    let a1 = list.iter().find(|a| a["account"] == "2001").unwrap();
    assert_eq!(a1["supervision_s"], 2);
    assert_eq!(a1["supervision_from"], "account");
    assert_eq!(a1["state"], "never");
    let a3 = list.iter().find(|a| a["account"] == "2003").unwrap();
    assert!(a3["supervision_s"].is_null() && a3["supervision_from"].is_null());

    // Act: a NULL from each; then silence.
    let mut d = Device::connect(&app).await;
    let now = stamp(chrono::Utc::now());
    let null = |account: &str| wrap(&format!("\"NULL\"0001R1L1#{account}[]{now}"));
    assert_eq!(token(&d.send(&null("2001")).await), "ACK");
    assert_eq!(token(&d.send(&null("2002")).await), "ACK");
    assert_eq!(token(&d.send(&null("2003")).await), "ACK");
    let list = accounts_of(&app).await;
    let a1 = list.iter().find(|a| a["account"] == "2001").unwrap();
    assert!(
        ["ok", "silent"].contains(&a1["state"].as_str().unwrap()) && a1["last_seen"].is_string(),
        "{a1}"
    );

    // Assert: the unlinked account's silence is one item for its pseudo-device, and it shows
    // as silent; the linked device takes the account's interval and its monitor raises it.
    until("the unlinked account's missed check-in", || async {
        missed_for(&app, "dc09-2001").await == 1
    })
    .await;
    until("the account shows as silent", || async {
        accounts_of(&app)
            .await
            .iter()
            .any(|a| a["account"] == "2001" && a["state"] == "silent")
    })
    .await;
    until(
        "the linked device's period is the account's interval",
        || async {
            let v: Value = app
                .get_as(Role::Dispatcher, "/api/v1/teleasistenta/devices/TA-SV1")
                .await
                .json()
                .await
                .unwrap();
            v["device"]["checkin_period_s"] == 2
        },
    )
    .await;
    until("the linked device's missed check-in", || async {
        missed_for(&app, "TA-SV1").await == 1
    })
    .await;
    // Once per silence: by now the receiver's monitor has looked many times (every 200 ms).
    assert_eq!(missed_for(&app, "dc09-2001").await, 1);
    assert_eq!(
        missed_for(&app, "dc09-2003").await,
        0,
        "no interval, no item"
    );
    let a2 = accounts_of(&app).await;
    let a2 = a2.iter().find(|a| a["account"] == "2002").unwrap();
    assert_eq!(a2["supervision_from"], "account");
    assert_eq!(a2["state"], "silent");
}

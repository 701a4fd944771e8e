//! The SIA DC-09 receiver: valid frames (plain Contact ID, encrypted Contact ID, NULL) mutated
//! byte by byte, with the CRC and length recomputed or not (so edits reach the fields behind
//! them), sent as datagrams to the real UDP listener. Every datagram gets one answer, a frame
//! with a right CRC and length whose ID token is `ACK`, `*ACK`, `NAK` or `DUH`; the receiver
//! keeps answering.

use aes::cipher::{block_padding::NoPadding, BlockEncryptMut, KeyIvInit};
use dispecer::config::ReceiverAccountConfig;
use proptest::prelude::*;
use std::time::Duration;

use crate::app::App;
use crate::gen::{apply_bytes, byte_edit, ByteEdit};
use crate::runner::fuzz;

const KEY: &str = "00112233445566778899AABBCCDDEEFF";

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

fn wrap(content: &[u8]) -> Vec<u8> {
    let mut out = format!("\n{:04X}{:04X}", crc16(content), content.len()).into_bytes();
    out.extend_from_slice(content);
    out.push(b'\r');
    out
}

fn encrypted_body(text: &str) -> String {
    let key = hex::decode(KEY).unwrap();
    let need = 16 - (text.len() + 1) % 16;
    let mut plain = vec![b'x'; need];
    plain.push(b'|');
    plain.extend_from_slice(text.as_bytes());
    let len = plain.len();
    cbc::Encryptor::<aes::Aes128>::new_from_slices(&key, &[0; 16])
        .unwrap()
        .encrypt_padded_mut::<NoPadding>(&mut plain, len)
        .unwrap();
    hex::encode_upper(plain)
}

fn template(kind: u8, seq: u32) -> String {
    let stamp = chrono::Utc::now().format("_%H:%M:%S,%m-%d-%Y");
    match kind % 3 {
        0 => format!("\"ADM-CID\"{seq:04}R1L1#1001[#1001|1101 01 003]{stamp}"),
        1 => format!(
            "\"*ADM-CID\"{seq:04}R1L1#1002[{}",
            encrypted_body(&format!("#1002|1154 01 002]{stamp}"))
        ),
        _ => format!("\"NULL\"{seq:04}L0#1001[]{stamp}"),
    }
}

#[derive(Debug, Clone)]
struct Input {
    kind: u8,
    edits: Vec<ByteEdit>,
    /// Recompute the CRC and length after the edits of the content.
    reframe: bool,
}

fn input() -> impl Strategy<Value = Input> {
    (
        any::<u8>(),
        prop::collection::vec(byte_edit(), 0..6),
        any::<bool>(),
    )
        .prop_map(|(kind, edits, reframe)| Input {
            kind,
            edits,
            reframe,
        })
}

#[test]
fn dc09_frames() {
    let app = App::start_with(|c| {
        c.receiver.enabled = true;
        c.receiver.bind = "127.0.0.1:0".into();
        c.receiver.tcp = false;
        c.receiver.accounts = vec![
            ReceiverAccountConfig {
                account: "1001".into(),
                key: None,
                device_id: None,
                supervision_s: None,
            },
            ReceiverAccountConfig {
                account: "1002".into(),
                key: Some(KEY.to_owned().into()),
                device_id: None,
                supervision_s: None,
            },
        ];
    });
    let addr = app.state.receiver_addr.expect("the receiver listens");
    let socket = app.rt.block_on(async {
        let s = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        s.connect(addr).await.unwrap();
        s
    });
    let counter = std::sync::atomic::AtomicU32::new(0);
    fuzz("dc09_frames", input(), |input| {
        let seq = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 9999 + 1;
        let content = template(input.kind, seq).into_bytes();
        let frame = if input.reframe {
            wrap(&apply_bytes(content, &input.edits))
        } else {
            apply_bytes(wrap(&content), &input.edits)
        };
        let answer = app.rt.block_on(async {
            socket.send(&frame).await.unwrap();
            let mut buf = vec![0u8; 8192];
            match tokio::time::timeout(Duration::from_secs(10), socket.recv(&mut buf)).await {
                Ok(Ok(n)) => Some(buf[..n].to_vec()),
                _ => None,
            }
        });
        let Some(answer) = answer else {
            return Err(TestCaseError::fail("no answer within 10 s"));
        };
        prop_assert!(answer.len() > 10 && answer[0] == b'\n' && answer[answer.len() - 1] == b'\r');
        let content = &answer[9..answer.len() - 1];
        let text = std::str::from_utf8(&answer).unwrap();
        prop_assert_eq!(&text[1..5], format!("{:04X}", crc16(content)));
        prop_assert_eq!(
            usize::from_str_radix(&text[5..9], 16).unwrap(),
            content.len()
        );
        let token = text[10..].split('"').next().unwrap();
        prop_assert!(
            ["ACK", "*ACK", "NAK", "DUH"].contains(&token),
            "answer {text:?}"
        );
        if input.edits.is_empty() {
            prop_assert!(
                token.ends_with("ACK"),
                "an unedited frame is acknowledged: {text:?}"
            );
        }
        Ok(())
    });
}

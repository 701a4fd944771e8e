//! A TeleAsistență device keeps sending DC-09 alarms over TCP while the service is SIGKILLed
//! and restarted (PostgreSQL). The device retransmits a message (same sequence number) until it
//! gets its `ACK`, reconnecting as needed. Afterwards every message was acknowledged, and each
//! is stored exactly once: those acknowledged before the kill, and those whose answer the kill
//! swallowed (stored or not) once retransmitted.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::client::stored_alarms;
use crate::services::{free_port, Instance, PrivatePostgres};

const ACCOUNTS: usize = 30;
/// Contact ID codes of the default table, each another alarm type (so each is its own item).
const CODES: [&str; 8] = ["101", "105", "111", "151", "154", "102", "301", "302"];

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

fn frame(account: &str, seq: usize, code: &str) -> Vec<u8> {
    let c = format!("\"ADM-CID\"{seq:04}R1L1#{account}[#{account}|1{code} 01 001]");
    format!("\n{:04X}{:04X}{c}\r", crc16(c.as_bytes()), c.len()).into_bytes()
}

/// One exchange; `None` when the connection failed or no answer came.
async fn exchange(conn: &mut Option<TcpStream>, addr: &str, bytes: &[u8]) -> Option<String> {
    if conn.is_none() {
        *conn = TcpStream::connect(addr).await.ok();
    }
    let s = conn.as_mut()?;
    let result = tokio::time::timeout(Duration::from_secs(5), async {
        s.write_all(bytes).await.ok()?;
        let mut out = Vec::new();
        let mut buf = [0u8; 256];
        while !out.ends_with(b"\r") {
            let n = s.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            out.extend_from_slice(&buf[..n]);
        }
        String::from_utf8(out).ok()
    })
    .await
    .ok()
    .flatten();
    if result.is_none() {
        *conn = None;
    }
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_sending_through_a_sigkill_has_every_message_stored_once() {
    // Arrange
    let Some(pg) = PrivatePostgres::start() else {
        return;
    };
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut a = Instance::new(&pg.url(), None, "dc09");
    a.env("DISPECER_RECEIVER__ENABLED", "true");
    a.env("DISPECER_RECEIVER__UDP", "false");
    a.env("DISPECER_RECEIVER__BIND", &addr);
    let accounts: Vec<String> = (0..ACCOUNTS).map(|i| format!("C{i:04}")).collect();
    for acct in &accounts {
        a.cli(&["receiver", "account", "add", acct, "--plain"]);
    }
    a.start();
    let messages: Vec<(String, usize, &str)> = accounts
        .iter()
        .flat_map(|acct| CODES.iter().map(move |c| (acct.clone(), *c)))
        .enumerate()
        .map(|(i, (acct, code))| (acct, i + 1, code))
        .collect();

    // Act: send in order, each until acknowledged; SIGKILL and restart after a third.
    let mut conn = None;
    let mut acked_before_kill = 0;
    let mut retransmissions = 0;
    let mut killed = false;
    for (n, (acct, seq, code)) in messages.iter().enumerate() {
        let bytes = frame(acct, *seq, code);
        let started = Instant::now();
        loop {
            assert!(
                started.elapsed() < Duration::from_secs(90),
                "message {seq} never acknowledged"
            );
            if !killed && n == messages.len() / 3 {
                // The kill lands while this message is in flight.
                let write = async {
                    if let Some(s) = conn.as_mut() {
                        let _: Result<(), _> = AsyncWriteExt::write_all(s, &bytes).await;
                    }
                };
                write.await;
                a.kill();
                killed = true;
                conn = None;
                a.start();
                retransmissions += 1;
                continue;
            }
            match exchange(&mut conn, &addr, &bytes).await {
                Some(answer) if answer.contains("\"ACK\"") => break,
                _ => {
                    retransmissions += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        if !killed {
            acked_before_kill += 1;
        }
    }

    // Assert: every message stored exactly once.
    let stored = stored_alarms(&pg.url()).await;
    let mut missing = 0;
    let mut doubled = 0;
    for (_, seq, code) in &messages {
        let id = format!("{seq:04}-cid:1{code}-g01-z001");
        match stored.get(&id).copied().unwrap_or(0) {
            0 => missing += 1,
            1 => {}
            _ => doubled += 1,
        }
    }
    println!(
        "fault dc09_sigkill: messages={} acked_before_kill={acked_before_kill} \
         retransmissions={retransmissions} missing={missing} doubled={doubled}",
        messages.len()
    );
    assert_eq!((missing, doubled), (0, 0));
}

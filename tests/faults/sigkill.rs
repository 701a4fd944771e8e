//! An instance is killed with SIGKILL during a burst on PostgreSQL while a second instance keeps
//! taking alarms: every 2xx from either is stored exactly once, the survivor never fails, its
//! console sees every sequence number once, and the killed instance restarts into the same state.
//! (The single-instance SIGKILL test on SQLite and PostgreSQL is `tests/api/crash.rs`.)

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::client::{
    eventually, http, last_seq, post_alert, queue_len, stored_alarms, Answer, Follower,
};
use crate::services::{Instance, PrivatePostgres, PrivateRedis};

const ALARMS: usize = 2000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkilled_instance_loses_no_acknowledged_alarm_and_its_peer_keeps_serving() {
    // Arrange
    let Some(pg) = PrivatePostgres::start() else {
        return;
    };
    let Some(redis) = PrivateRedis::start() else {
        return;
    };
    let mut a = Instance::new(&pg.url(), Some(&redis.url()), "a");
    let mut b = Instance::new(&pg.url(), Some(&redis.url()), "b");
    let receiver = a.token("fault-receiver", "receiver");
    let dispatcher = a.token("fault-dispatcher", "dispatcher");
    a.start();
    b.start();
    let client = http();
    let console = Follower::connect(&b.ws_url(&dispatcher)).await;
    let answers: Arc<Mutex<Vec<(String, char, Answer)>>> = Default::default();

    // Act: 16 senders, alternately to a and b; SIGKILL a once 600 alarms are acknowledged.
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let (client, token, answers) = (client.clone(), receiver.clone(), answers.clone());
        let (name, base) = if worker % 2 == 0 {
            ('a', a.base.clone())
        } else {
            ('b', b.base.clone())
        };
        tasks.push(tokio::spawn(async move {
            for n in (worker..ALARMS).step_by(16) {
                let id = format!("kill-{n}");
                let answer = post_alert(&client, &base, &token, &id).await;
                answers.lock().expect("lock").push((id, name, answer));
            }
        }));
    }
    let acked = |answers: &Mutex<Vec<(String, char, Answer)>>| {
        answers
            .lock()
            .expect("lock")
            .iter()
            .filter(|(_, _, a)| matches!(a, Ok(200 | 201)))
            .count()
    };
    assert!(
        eventually(Duration::from_secs(120), || acked(&answers) >= 600).await,
        "600 alarms acknowledged before the kill"
    );
    a.kill();
    for t in tasks {
        t.await.expect("sender");
    }

    // Assert: every 2xx stored once; b never failed.
    let answers = std::mem::take(&mut *answers.lock().expect("lock"));
    let stored = stored_alarms(&pg.url()).await;
    let ok: HashSet<&str> = answers
        .iter()
        .filter(|(_, _, a)| matches!(a, Ok(200 | 201)))
        .map(|(id, _, _)| id.as_str())
        .collect();
    assert!(ok.len() < ALARMS, "the kill came during the burst");
    let lost: Vec<_> = ok.iter().filter(|id| !stored.contains_key(**id)).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    assert!(
        stored.values().all(|n| *n == 1),
        "an alarm was stored twice"
    );
    let b_failed: Vec<_> = answers
        .iter()
        .filter(|(_, name, a)| *name == 'b' && !matches!(a, Ok(201)))
        .collect();
    assert!(
        b_failed.is_empty(),
        "the surviving instance failed: {b_failed:?}"
    );
    let seq = last_seq(&pg.url()).await;
    assert!(
        console.wait_for_seq(seq, Duration::from_secs(60)).await,
        "b's console reaches {seq}"
    );
    console.seen(|s| {
        assert!(
            s.errors.is_empty(),
            "gap or repeat on b's console: {:?}",
            s.errors
        );
        assert_eq!(s.events as i64, s.last - s.start, "each event exactly once");
    });
    let stored_at_kill = stored.len();

    // The killed instance restarts into the stored state; the refused alarms are retransmitted.
    a.start();
    let failed: Vec<&String> = answers
        .iter()
        .filter(|(_, _, a)| !matches!(a, Ok(200 | 201)))
        .map(|(id, _, _)| id)
        .collect();
    for id in &failed {
        let again = post_alert(&client, &a.base, &receiver, id).await;
        let expected = if stored.contains_key(*id) { 200 } else { 201 };
        assert_eq!(again, Ok(expected), "retransmitting {id}");
    }
    let stored = stored_alarms(&pg.url()).await;
    assert_eq!(stored.len(), ALARMS);
    assert!(
        stored.values().all(|n| *n == 1),
        "an alarm was stored twice"
    );
    assert_eq!(queue_len(&client, &a.base, &dispatcher).await, ALARMS);
    assert!(
        eventually(Duration::from_secs(60), || console
            .seen(|s| s.created.len())
            == ALARMS)
        .await,
        "b's console shows every alarm"
    );
    let (events, errors) = console.seen(|s| (s.events, s.errors.len()));
    assert_eq!(errors, 0);
    println!(
        "fault sigkill: sent={} 2xx={} (b answered {}, every one 201) refused-or-unanswered-on-a={} \
         stored={stored_at_kill} lost=0 duplicated=0; after a's restart and retransmission \
         stored={ALARMS}; b's console received {events} events without gap or repeat",
        answers.len(),
        ok.len(),
        answers.iter().filter(|(_, n, _)| *n == 'b').count(),
        failed.len(),
    );
}

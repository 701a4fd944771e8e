//! PostgreSQL restarts while alarms stream in: while it is down intake answers 503 (never a
//! 2xx it cannot keep), it recovers by itself, and every alarm that got a 2xx is stored exactly
//! once; the live queue agrees with storage afterwards.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::client::{eventually, http, post_alert, queue_len, stored_alarms, Answer};
use crate::services::{Instance, PrivatePostgres};

/// One request: its alarm id, when it was sent and answered, and the answer.
struct Sent {
    id: String,
    started: Instant,
    ended: Instant,
    answer: Answer,
}

fn count(log: &Mutex<Vec<Sent>>, f: impl Fn(&Sent) -> bool) -> usize {
    log.lock().expect("lock").iter().filter(|s| f(s)).count()
}

fn is_2xx(a: &Answer) -> bool {
    matches!(a, Ok(s) if (200..300).contains(s))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_during_a_postgres_restart_get_503_and_every_2xx_is_stored_once() {
    // Arrange: a private PostgreSQL, one instance, four receivers posting without pause.
    let Some(pg) = PrivatePostgres::start() else {
        return;
    };
    let mut app = Instance::new(&pg.url(), None, "pg-restart");
    let receiver = app.token("fault-receiver", "receiver");
    let dispatcher = app.token("fault-dispatcher", "dispatcher");
    app.start();
    let client = http();
    let log: Arc<Mutex<Vec<Sent>>> = Default::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..4 {
        let (client, base, token, log, stop) = (
            client.clone(),
            app.base.clone(),
            receiver.clone(),
            log.clone(),
            stop.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let id = format!("pg-{w}-{n}");
                n += 1;
                let started = Instant::now();
                let answer = post_alert(&client, &base, &token, &id).await;
                let refused = !is_2xx(&answer);
                log.lock().expect("lock").push(Sent {
                    id,
                    started,
                    ended: Instant::now(),
                    answer,
                });
                if refused {
                    // As a receiver honouring Retry-After would, but quicker.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }));
    }

    // Act: stop PostgreSQL once 200 alarms are in, start it again after 20 refusals.
    assert!(
        eventually(Duration::from_secs(120), || count(&log, |s| is_2xx(
            &s.answer
        )) >= 200)
        .await,
        "200 alarms accepted before the restart"
    );
    let pg = tokio::task::spawn_blocking(move || {
        pg.stop_server("fast");
        pg
    })
    .await
    .expect("stop PostgreSQL");
    let down = Instant::now();
    assert!(
        eventually(Duration::from_secs(180), || {
            count(&log, |s| s.started > down && s.answer.is_ok()) >= 20
        })
        .await,
        "20 answers while PostgreSQL was down"
    );
    let up = Instant::now();
    let pg = tokio::task::spawn_blocking(move || {
        pg.start_server();
        pg
    })
    .await
    .expect("start PostgreSQL");
    let recovered = eventually(Duration::from_secs(120), || {
        count(&log, |s| s.started > up && is_2xx(&s.answer)) >= 200
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.expect("worker");
    }
    assert!(
        recovered,
        "intake did not recover by itself after PostgreSQL came back"
    );

    // Assert: while down, only 503s; afterwards every 2xx is stored exactly once.
    let log = std::mem::take(&mut *log.lock().expect("lock"));
    let while_down: Vec<&Sent> = log
        .iter()
        .filter(|s| s.started > down && s.ended < up)
        .collect();
    let bad: Vec<String> = while_down
        .iter()
        .filter(|s| s.answer != Ok(503))
        .map(|s| format!("{}: {:?}", s.id, s.answer))
        .collect();
    assert!(bad.is_empty(), "answers other than 503 while down: {bad:?}");
    let others: Vec<String> = log
        .iter()
        .filter(|s| !is_2xx(&s.answer) && s.answer != Ok(503))
        .map(|s| format!("{}: {:?}", s.id, s.answer))
        .collect();
    assert!(others.is_empty(), "answers neither 2xx nor 503: {others:?}");
    let stored = stored_alarms(&pg.url()).await;
    let acked: HashSet<&str> = log
        .iter()
        .filter(|s| is_2xx(&s.answer))
        .map(|s| s.id.as_str())
        .collect();
    let lost: Vec<&&str> = acked
        .iter()
        .filter(|id| !stored.contains_key(**id))
        .collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
    let twice: Vec<_> = stored.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "stored more than once: {twice:?}");
    let refused = log.iter().filter(|s| s.answer == Ok(503)).count();
    let stored_before_retransmission = stored.len();
    let refused_but_stored = log
        .iter()
        .filter(|s| s.answer == Ok(503) && stored.contains_key(&s.id))
        .count();

    // The receivers retransmit what was refused: 200 where it was stored after all, else 201.
    for s in log.iter().filter(|s| !is_2xx(&s.answer)) {
        let again = post_alert(&client, &app.base, &receiver, &s.id).await;
        let expected = if stored.contains_key(&s.id) { 200 } else { 201 };
        assert_eq!(again, Ok(expected), "retransmitting {}", s.id);
    }
    let stored = stored_alarms(&pg.url()).await;
    assert_eq!(
        stored.len(),
        log.len(),
        "every alarm stored after retransmission"
    );
    assert!(
        stored.values().all(|n| *n == 1),
        "an alarm was stored twice"
    );
    assert_eq!(
        queue_len(&client, &app.base, &dispatcher).await,
        stored.len(),
        "the live queue agrees with storage"
    );
    let mut waits: Vec<f64> = while_down
        .iter()
        .map(|s| (s.ended - s.started).as_secs_f64())
        .collect();
    waits.sort_by(f64::total_cmp);
    println!(
        "fault postgres-restart: sent={} 2xx={} 503={} (while down: {}, answered in {:.1}-{:.1} s; \
         refused but stored: {}) stored={} lost=0 duplicated=0; after retransmitting the \
         refused: stored={}",
        log.len(),
        acked.len(),
        refused,
        while_down.len(),
        waits.first().copied().unwrap_or(0.0),
        waits.last().copied().unwrap_or(0.0),
        refused_but_stored,
        stored_before_retransmission,
        stored.len()
    );
}

//! The sender: takes due outbox rows, sends them, records the outcome; retries with exponential
//! backoff. One task per instance, started by `startup`; it never runs on a request path.

use chrono::Utc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::twilio::{SendError, TwilioClient};
use super::{Outbox, Sms};
use crate::config::SmsConfig;

/// Delay before attempt `attempts + 1`: initial × 2^(attempts-1), capped.
pub fn backoff_ms(config: &SmsConfig, attempts: i32) -> u64 {
    let shift = (attempts.max(1) - 1).min(30) as u32;
    config
        .backoff_initial_ms
        .saturating_mul(1u64 << shift)
        .min(config.backoff_max_ms)
}

/// How long a claimed row stays not due: longer than an attempt can take (a lookup and a send,
/// each bounded by `sms.timeout_s`), so only a crashed attempt's row comes due again.
fn lease_ms(config: &SmsConfig) -> i64 {
    (config.timeout_s.saturating_mul(2).saturating_add(5) * 1000).min(i64::MAX as u64) as i64
}

/// Starts the sender; it stops when `shutdown` is cancelled. Without an account SID nothing is
/// sent (messages wait in the outbox).
pub fn start(sms: &Sms, config: SmsConfig, shutdown: CancellationToken) -> anyhow::Result<()> {
    if config.account_sid.is_empty() {
        info!("sms.account_sid is empty: rider messages stay in the outbox");
        return Ok(());
    }
    let client = TwilioClient::new(&config)?;
    let outbox = sms.outbox().clone();
    let wake = sms.wake();
    tokio::spawn(async move {
        loop {
            if let Err(e) = send_due(outbox.as_ref(), &client, &config).await {
                warn!(error = %e, "sms outbox unavailable");
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(config.poll_ms)) => {}
            }
        }
    });
    Ok(())
}

/// Sends every due row once; returns how many were sent.
pub async fn send_due(
    outbox: &dyn Outbox,
    client: &TwilioClient,
    config: &SmsConfig,
) -> Result<usize, crate::store::StoreError> {
    let mut sent = 0;
    loop {
        let rows = outbox.due(Utc::now().timestamp_millis(), 50).await?;
        if rows.is_empty() {
            return Ok(sent);
        }
        for row in rows {
            let now_ms = Utc::now().timestamp_millis();
            if !outbox
                .claim(&row.id, now_ms, now_ms + lease_ms(config))
                .await?
            {
                continue; // another instance's sender has it
            }
            let attempts = row.attempts + 1;
            // An earlier attempt may have reached the provider without its answer reaching us
            // (a timeout, or a crash before the row was marked): ask before sending again.
            if row.attempts > 0 {
                let since = row.created_at - chrono::Duration::minutes(5);
                match client.find_sent(&row.to, &row.body, since).await {
                    Ok(Some(sid)) => {
                        outbox.mark_sent(&row.id, &sid, Utc::now()).await?;
                        metrics::counter!("sms_recovered_total").increment(1);
                        info!(sms.id = %row.id, "sms found sent by an earlier attempt");
                        continue;
                    }
                    Ok(None) => {}
                    Err(SendError::Transient(e) | SendError::Permanent(e)) => {
                        // Not knowing is no reason to send twice: try again later, within
                        // the same attempt budget as sending.
                        let next = (attempts < config.max_attempts).then(|| {
                            Utc::now().timestamp_millis() + backoff_ms(config, attempts) as i64
                        });
                        warn!(sms.id = %row.id, attempts, error = %e, "sms lookup failed");
                        outbox.mark_attempt(&row.id, attempts, next, &e).await?;
                        continue;
                    }
                }
            }
            match client.send(&row.key, &row.to, &row.body).await {
                Ok(sid) => {
                    outbox.mark_sent(&row.id, &sid, Utc::now()).await?;
                    metrics::counter!("sms_sent_total").increment(1);
                    debug!(sms.id = %row.id, "sms sent");
                    sent += 1;
                }
                Err(SendError::Permanent(e)) => {
                    warn!(sms.id = %row.id, error = %e, "sms refused by the provider");
                    outbox.mark_attempt(&row.id, attempts, None, &e).await?;
                }
                Err(SendError::Transient(e)) => {
                    let next = (attempts < config.max_attempts).then(|| {
                        Utc::now().timestamp_millis() + backoff_ms(config, attempts) as i64
                    });
                    warn!(sms.id = %row.id, attempts, error = %e, "sms attempt failed");
                    outbox.mark_attempt(&row.id, attempts, next, &e).await?;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_initial_delay_up_to_the_cap() {
        let mut c = crate::config::Config::default_for_tests().sms;
        c.backoff_initial_ms = 1000;
        c.backoff_max_ms = 5000;
        let delays: Vec<u64> = (1..=5).map(|a| backoff_ms(&c, a)).collect();
        assert_eq!(delays, vec![1000, 2000, 4000, 5000, 5000]);
    }
}

//! Starting the receiver from `[receiver]`: the code table checked, the configured accounts
//! added to the store (the store wins: keys changed with the CLI are kept), the listeners bound.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use secrecy::ExposeSecret;
use tokio::net::{TcpListener, UdpSocket};
use tokio_util::sync::CancellationToken;

use super::rules::events::CodeTable;
use super::rules::frame::Key;
use super::service::Receiver;
use crate::config::{ReceiverConfig, TeleasistentaConfig};
use crate::core::CoreHandle;
use crate::store::{EmergencyStore, ReceiverAccount, ReceiverStore};

/// Starts the listeners when enabled; the address they are bound to (one port for both).
pub(crate) async fn start(
    config: &ReceiverConfig,
    teleasistenta: &TeleasistentaConfig,
    accounts: Arc<dyn ReceiverStore>,
    emergency: Arc<dyn EmergencyStore>,
    core: CoreHandle,
    shutdown: CancellationToken,
) -> anyhow::Result<Option<SocketAddr>> {
    let codes = CodeTable::from_config(&config.codes).map_err(anyhow::Error::msg)?;
    if !config.enabled {
        return Ok(None);
    }
    let now_ms = chrono::Utc::now().timestamp_millis();
    for a in &config.accounts {
        let key_hex = a.key.as_ref().map(|k| k.expose_secret().to_owned());
        if let Some(k) = &key_hex {
            Key::from_hex(k)
                .map_err(|e| anyhow::anyhow!("receiver.accounts {}: key: {e}", a.account))?;
        }
        accounts
            .add_receiver_account_if_missing(&ReceiverAccount {
                account: a.account.to_ascii_uppercase(),
                key_hex,
                device_id: a.device_id.clone(),
                created_ms: now_ms,
                last_seen_ms: None,
                last_checkin_ms: None,
                messages: 0,
                supervision_s: a.supervision_s,
                missed_raised_for_ms: None,
            })
            .await?;
    }
    super::monitor::spawn(
        accounts.clone(),
        emergency.clone(),
        core.clone(),
        teleasistenta.checkin_grace_s,
        Duration::from_millis(teleasistenta.monitor_interval_ms),
        shutdown.child_token(),
    );
    let receiver = Receiver {
        accounts,
        emergency,
        core,
        codes: Arc::new(codes),
        window_s: config.timestamp_window_s,
    };
    let mut addr: SocketAddr = config
        .bind
        .parse()
        .with_context(|| format!("receiver.bind: {:?} is not an address", config.bind))?;
    if config.tcp {
        let tcp = TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding the DC-09 receiver (TCP) to {addr}"))?;
        addr = tcp.local_addr()?;
        super::listener::spawn_tcp(
            receiver.clone(),
            tcp,
            Duration::from_secs(config.idle_timeout_s.max(1)),
            shutdown.child_token(),
        );
    }
    if config.udp {
        let udp = UdpSocket::bind(addr)
            .await
            .with_context(|| format!("binding the DC-09 receiver (UDP) to {addr}"))?;
        addr = udp.local_addr()?;
        super::listener::spawn_udp(receiver, udp, shutdown.child_token());
    }
    Ok(Some(addr))
}

//! The DC-09 listeners: TCP (a device holds its connection and sends frame after frame, each
//! answered before the next is read) and UDP (one frame per datagram, answered to its sender).
//!
//! A TCP stream is cut into frames at `CR`; bytes before a frame's `LF` are skipped. A frame
//! longer than [`MAX_FRAME`] without its `CR` is answered `NAK` and dropped. A connection
//! silent for `idle_timeout_s` is closed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::rules::frame::{self, MAX_FRAME};
use super::service::Receiver;

/// Serves TCP on `listener` until `shutdown`.
pub(crate) fn spawn_tcp(
    receiver: Receiver,
    listener: TcpListener,
    idle: Duration,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        if let Ok(addr) = listener.local_addr() {
            info!(%addr, "DC-09 receiver listening (TCP)");
        }
        loop {
            let (stream, _) = tokio::select! {
                _ = shutdown.cancelled() => break,
                r = listener.accept() => match r {
                    Ok(s) => s,
                    Err(e) => {
                        warn!(error = %e, "DC-09 accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let _ = stream.set_nodelay(true);
            let receiver = receiver.clone();
            let shutdown = shutdown.clone();
            tokio::spawn(async move {
                metrics::gauge!("dispecer_receiver_connections").increment(1.0);
                metrics::counter!("dispecer_receiver_connections_total").increment(1);
                tokio::select! {
                    _ = shutdown.cancelled() => {}
                    _ = connection(&receiver, stream, idle) => {}
                }
                metrics::gauge!("dispecer_receiver_connections").decrement(1.0);
            });
        }
    });
}

/// The next whole frame in `buf` (removed from it), skipping bytes before its `LF`.
pub(crate) fn next_frame(buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    let start = buf.iter().position(|&b| b == b'\n');
    let Some(start) = start else {
        buf.clear();
        return None;
    };
    let end = buf[start..].iter().position(|&b| b == b'\r')? + start;
    let frame = buf[start..=end].to_vec();
    buf.drain(..=end);
    Some(frame)
}

async fn connection(receiver: &Receiver, mut stream: TcpStream, idle: Duration) {
    let mut buf = Vec::with_capacity(256);
    let mut chunk = [0u8; 1024];
    loop {
        while let Some(f) = next_frame(&mut buf) {
            if let Some(answer) = receiver.handle(&f, "tcp").await {
                if stream.write_all(&answer).await.is_err() {
                    return;
                }
            }
        }
        if buf.len() > MAX_FRAME {
            buf.clear();
            metrics::counter!("dispecer_receiver_naks_total", "reason" => "too_long").increment(1);
            if stream
                .write_all(&frame::nak(chrono::Utc::now()))
                .await
                .is_err()
            {
                return;
            }
        }
        let n = match tokio::time::timeout(idle, stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
            Ok(Ok(n)) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Serves UDP on `socket` until `shutdown`: each datagram is one frame.
pub(crate) fn spawn_udp(receiver: Receiver, socket: UdpSocket, shutdown: CancellationToken) {
    let socket = Arc::new(socket);
    tokio::spawn(async move {
        if let Ok(addr) = socket.local_addr() {
            info!(%addr, "DC-09 receiver listening (UDP)");
        }
        let mut datagram = vec![0u8; MAX_FRAME + 16];
        loop {
            let (n, from): (usize, SocketAddr) = tokio::select! {
                _ = shutdown.cancelled() => break,
                r = socket.recv_from(&mut datagram) => match r {
                    Ok(x) => x,
                    Err(e) => {
                        warn!(error = %e, "DC-09 UDP receive failed");
                        continue;
                    }
                },
            };
            let mut buf = datagram[..n].to_vec();
            let receiver = receiver.clone();
            let socket = socket.clone();
            tokio::spawn(async move {
                let frame = next_frame(&mut buf).unwrap_or_default();
                let answer = if frame.is_empty() {
                    metrics::counter!("dispecer_receiver_naks_total", "reason" => "garbage")
                        .increment(1);
                    Some(frame::nak(chrono::Utc::now()))
                } else {
                    receiver.handle(&frame, "udp").await
                };
                if let Some(a) = answer {
                    let _ = socket.send_to(&a, from).await;
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::next_frame;

    #[test]
    fn a_stream_is_cut_at_cr_and_noise_before_lf_is_skipped() {
        let mut buf = b"xx\nAB\r\nCD".to_vec();
        assert_eq!(next_frame(&mut buf).unwrap(), b"\nAB\r");
        assert_eq!(next_frame(&mut buf), None);
        assert_eq!(buf, b"\nCD");
        buf.extend_from_slice(b"\r");
        assert_eq!(next_frame(&mut buf).unwrap(), b"\nCD\r");
        let mut junk = b"junk".to_vec();
        assert_eq!(next_frame(&mut junk), None);
        assert!(junk.is_empty());
    }
}

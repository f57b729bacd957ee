//! Reuse of SMTP connections between deliveries to the same host, as
//! Postfix's connection cache (scache) does: after a delivery the session
//! is back in its initial state, so the next message to the same host and
//! address starts with MAIL FROM instead of a new TCP connection, greeting,
//! EHLO and STARTTLS.
//!
//! Only connections of ordinary deliveries are kept (plain, or with
//! opportunistic STARTTLS; the TLS settings are the same for every such
//! delivery). Deliveries that require verified TLS (the `tls` action)
//! always make a connection of their own. A kept connection is used for at
//! most [`REUSE_LIMIT`] messages and closed with QUIT after [`IDLE_LIMIT`]
//! without use. A connection the peer closed meanwhile is found out at
//! MAIL FROM; the delivery then goes over a new connection (see `send.rs`).

use mail_send::SmtpClient;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// Idle time after which a kept connection is closed.
pub(crate) const IDLE_LIMIT: Duration = Duration::from_secs(5);
/// Messages sent over one connection before it is closed.
pub(crate) const REUSE_LIMIT: u32 = 100;
/// Idle connections kept per host and address.
const MAX_IDLE_PER_PEER: usize = 16;

/// An open SMTP session, in its initial state (after EHLO, or after a
/// completed transaction).
pub(crate) enum Connection {
    /// Without TLS (the peer offered no STARTTLS).
    Plain(SmtpClient<TcpStream>),
    /// After STARTTLS.
    Tls(Box<SmtpClient<TlsStream<TcpStream>>>),
}

impl Connection {
    /// Sends QUIT and closes, ignoring the answer.
    pub(crate) async fn quit(self) {
        let _ = match self {
            Connection::Plain(c) => c.quit().await,
            Connection::Tls(c) => c.quit().await,
        };
    }
}

/// A kept connection.
struct Idle {
    connection: Connection,
    since: Instant,
    used: u32,
}

/// Idle connections by (host name, address).
#[derive(Default)]
pub(crate) struct ConnectionCache {
    idle: Mutex<HashMap<(String, SocketAddr), Vec<Idle>>>,
}

impl ConnectionCache {
    /// A kept connection to `host` at `addr`, with how many messages it has
    /// carried; the ones idle too long are closed on the way.
    pub(crate) fn take(&self, host: &str, addr: SocketAddr) -> Option<(Connection, u32)> {
        let mut stale = Vec::new();
        let found = {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            let list = idle.get_mut(&(host.to_string(), addr))?;
            let now = Instant::now();
            let mut found = None;
            while let Some(entry) = list.pop() {
                if now.duration_since(entry.since) < IDLE_LIMIT {
                    found = Some((entry.connection, entry.used));
                    break;
                }
                stale.push(entry.connection);
            }
            found
        };
        close_all(stale);
        found
    }

    /// Keeps `connection` (which has carried `used` messages) for the next
    /// delivery to `host` at `addr`, or closes it when it has done enough
    /// or enough are kept.
    pub(crate) fn put(&self, host: &str, addr: SocketAddr, connection: Connection, used: u32) {
        if used >= REUSE_LIMIT {
            close_all(vec![connection]);
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let list = idle.entry((host.to_string(), addr)).or_default();
        if list.len() >= MAX_IDLE_PER_PEER {
            drop(idle);
            close_all(vec![connection]);
            return;
        }
        list.push(Idle {
            connection,
            since: Instant::now(),
            used,
        });
    }

    /// Closes the connections idle for [`IDLE_LIMIT`] or longer; returns
    /// whether any are still kept.
    pub(crate) fn sweep(&self) -> bool {
        let mut stale = Vec::new();
        let any_left = {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            for list in idle.values_mut() {
                let (old, fresh): (Vec<Idle>, Vec<Idle>) = std::mem::take(list)
                    .into_iter()
                    .partition(|e| now.duration_since(e.since) >= IDLE_LIMIT);
                *list = fresh;
                stale.extend(old.into_iter().map(|e| e.connection));
            }
            idle.retain(|_, list| !list.is_empty());
            !idle.is_empty()
        };
        close_all(stale);
        any_left
    }
}

/// QUIT for each, in the background (a peer that no longer answers must
/// not hold up a delivery).
fn close_all(connections: Vec<Connection>) {
    if connections.is_empty() {
        return;
    }
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            for c in connections {
                let _ = tokio::time::timeout(Duration::from_secs(5), c.quit()).await;
            }
        });
    }
}

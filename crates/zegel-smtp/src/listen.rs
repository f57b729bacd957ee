//! The accept loop both front doors share: take connections until shutdown,
//! survive accept errors (e.g. too many open files) with a short pause;
//! and the count of connections per client address both doors cap.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// Accepts connections on `listener` and hands each to `on_connection`
/// until `shutdown` resolves. `what` names the server in logs.
pub async fn accept_until(
    listener: TcpListener,
    what: &'static str,
    shutdown: impl Future<Output = ()> + Send,
    mut on_connection: impl FnMut(TcpStream, SocketAddr),
) -> std::io::Result<()> {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => on_connection(stream, peer),
                Err(e) => {
                    tracing::warn!(server = what, error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
}

/// Open connections per client address, capped: one client cannot take
/// every slot of a server.
#[derive(Debug, Clone)]
pub struct PerAddress {
    max: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One connection's place in a [`PerAddress`] count, given back on drop.
#[derive(Debug)]
pub struct AddressSlot {
    ip: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl PerAddress {
    /// At most `max` connections per address at once.
    pub fn new(max: usize) -> PerAddress {
        PerAddress {
            max: max.max(1),
            open: Arc::default(),
        }
    }

    /// A place for one more connection from `ip`; `None` when it has
    /// `max` open already.
    pub fn enter(&self, ip: IpAddr) -> Option<AddressSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(ip).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            ip,
            open: self.open.clone(),
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_gets_its_own_share() {
        let caps = PerAddress::new(2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = caps.enter(a).unwrap();
        let _second = caps.enter(a).unwrap();
        assert!(caps.enter(a).is_none(), "the third from one address waits");
        assert!(caps.enter(b).is_some(), "another address is let in");
        drop(first);
        assert!(
            caps.enter(a).is_some(),
            "a closed connection frees its place"
        );
        assert_eq!(
            caps.open.lock().unwrap().len(),
            1,
            "addresses with none open are forgotten"
        );
    }
}

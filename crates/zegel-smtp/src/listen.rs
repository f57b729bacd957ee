//! The accept loop both front doors share: take connections until shutdown,
//! survive accept errors (e.g. too many open files) with a short pause.

use std::future::Future;
use std::net::SocketAddr;
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

//! The portal's HTTP connections: our own accept loop over hyper instead
//! of `axum::serve`, for what that one does not do — a cap on the
//! connections of one client address, a deadline for a request's headers
//! (a client that trickles one header line every few seconds is cut off),
//! and the client's real address behind the organisation's reverse proxy
//! (`X-Forwarded-For`, believed from configured proxies only).

use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use ipnet::IpNet;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use zegel_smtp::listen::PerAddress;

/// How the portal treats its connections (`[http]`).
#[derive(Debug, Clone)]
pub struct Connections {
    /// Most connections from one client address at once (trusted proxies
    /// excepted); more are closed at once.
    pub max_per_address: usize,
    /// How long a client may take to send a request's headers, and to
    /// start the next request on a kept-alive connection.
    pub header_timeout: Duration,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for Connections {
    /// 64 per address, 10 seconds for headers, no proxies.
    fn default() -> Self {
        Connections {
            max_per_address: 64,
            header_timeout: Duration::from_secs(10),
            trusted_proxies: Vec::new(),
        }
    }
}

impl Connections {
    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.trusted_proxies.iter().any(|n| n.contains(&ip))
    }

    /// The client a request comes from: the peer, or, when the peer is a
    /// trusted proxy, the last address in `X-Forwarded-For` that is not
    /// one of the trusted proxies (addresses further left were written by
    /// the client and prove nothing).
    pub fn client_of<B>(&self, peer: SocketAddr, request: &Request<B>) -> SocketAddr {
        if !self.trusts(peer.ip()) {
            return peer;
        }
        let forwarded = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in forwarded.iter().rev() {
            let Ok(ip) = hop.parse::<IpAddr>() else {
                // Garbage from a proxy we trust: do not guess further left.
                return peer;
            };
            if !self.trusts(ip) {
                return SocketAddr::new(canonical(ip), 0);
            }
        }
        peer
    }
}

/// IPv4-mapped IPv6 addresses count as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// Serves `router` on `listener` until `stop` resolves, then lets the
/// requests in flight finish (at most 30 seconds).
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    connections: Connections,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let per_address = PerAddress::new(connections.max_per_address);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let connections = std::sync::Arc::new(connections);
    zegel_smtp::listen::accept_until(listener, "http", stop, |stream, peer| {
        let slot = if connections.trusts(peer.ip()) {
            None
        } else {
            match per_address.enter(canonical(peer.ip())) {
                Some(slot) => Some(slot),
                None => {
                    tracing::info!(peer = %peer.ip(), "http: too many connections from one address; closed");
                    return;
                }
            }
        };
        let router = router.clone();
        let seen_as = connections.clone();
        let service = hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
            let client = seen_as.client_of(peer, &request);
            request.extensions_mut().insert(ConnectInfo(client));
            tower::ServiceExt::oneshot(router.clone(), request)
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(connections.header_timeout);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _slot = slot;
            if let Err(e) = connection.await {
                tracing::debug!(peer = %peer, error = %e, "http connection ended with an error");
            }
        });
    })
    .await?;
    if tokio::time::timeout(Duration::from_secs(30), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::info!("http: requests still in flight after 30 s at shutdown");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(xff: &[&str]) -> Request<()> {
        let mut r = Request::builder();
        for v in xff {
            r = r.header("x-forwarded-for", *v);
        }
        r.body(()).unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_from_trusted_proxies_only() {
        let c = Connections {
            trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
            ..Connections::default()
        };
        let proxy: SocketAddr = "10.1.2.3:5555".parse().unwrap();
        let stranger: SocketAddr = "198.51.100.7:5555".parse().unwrap();
        // From a stranger the header is ignored.
        assert_eq!(c.client_of(stranger, &request(&["192.0.2.1"])), stranger);
        // From the proxy: the last hop it saw.
        assert_eq!(
            c.client_of(proxy, &request(&["192.0.2.1"])).ip(),
            "192.0.2.1".parse::<IpAddr>().unwrap()
        );
        // A client that writes its own header cannot choose its address:
        // the proxy appends the real one, and that one counts.
        assert_eq!(
            c.client_of(proxy, &request(&["1.1.1.1, 192.0.2.9"])).ip(),
            "192.0.2.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            c.client_of(proxy, &request(&["1.1.1.1", "192.0.2.9, 10.9.9.9"]))
                .ip(),
            "192.0.2.9".parse::<IpAddr>().unwrap(),
            "chained trusted proxies are skipped"
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(c.client_of(proxy, &request(&[])), proxy);
        assert_eq!(c.client_of(proxy, &request(&["unknown"])), proxy);
    }
}

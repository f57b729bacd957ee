//! DNS servers for tests: hickory-server on one UDP+TCP port of 127.0.0.1,
//! serving a zone file's text ([`ZoneDns`]) or any request handler
//! ([`serve_dns`], for zones built by hand, like the conformance suites').

use hickory_server::proto::rr::{LowerName, Name};
use hickory_server::proto::serialize::txt::Parser;
use hickory_server::server::RequestHandler;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, UdpSocket};

/// Serves `handler` on UDP and TCP of one port on 127.0.0.1; keep the
/// returned server alive as long as it should answer.
pub async fn serve_dns<H: RequestHandler>(handler: H) -> (hickory_server::Server<H>, SocketAddr) {
    // The port the system gives for UDP may be taken for TCP by another
    // test; then try another.
    let mut tries = 0;
    let (udp, addr, tcp) = loop {
        let udp = UdpSocket::bind("127.0.0.1:0").await.expect("bind UDP");
        let addr = udp.local_addr().expect("UDP address");
        match TcpListener::bind(addr).await {
            Ok(tcp) => break (udp, addr, tcp),
            Err(_) if tries < 50 => tries += 1,
            Err(e) => panic!("no free UDP+TCP port: {e}"),
        }
    };
    let mut server = hickory_server::Server::new(handler);
    server.register_socket(udp);
    server.register_listener(tcp, Duration::from_secs(5), 4096);
    (server, addr)
}

/// An authoritative server for one zone given as zone-file text.
pub struct ZoneDns {
    /// Where it answers (UDP and TCP).
    pub addr: SocketAddr,
    /// The zone, to change records while it runs.
    pub zone: Arc<InMemoryZoneHandler>,
    _server: hickory_server::Server<Catalog>,
}

impl ZoneDns {
    /// Serves `zone_text` (zone file syntax) with origin `origin` (e.g.
    /// `test.`).
    pub async fn start(origin: &str, zone_text: &str) -> ZoneDns {
        let origin = Name::from_ascii(origin).expect("origin name");
        let (origin, records) = Parser::new(zone_text, None, Some(origin))
            .parse()
            .expect("zone text");
        let zone = Arc::new(
            InMemoryZoneHandler::new(origin.clone(), records, ZoneType::Primary, AxfrPolicy::Deny)
                .expect("zone"),
        );
        let mut catalog = Catalog::new();
        catalog.upsert(LowerName::new(&origin), vec![zone.clone()]);
        let (server, addr) = serve_dns(catalog).await;
        ZoneDns {
            addr,
            zone,
            _server: server,
        }
    }
}

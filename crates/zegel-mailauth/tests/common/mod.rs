//! What the conformance tests share: where the suites are, a DNS server on
//! 127.0.0.1 answering from a suite's zone data (hickory-server with our
//! own request handler, so a name can also time out), and YAML helpers.

#![allow(dead_code)]

use hickory_server::net::runtime::Time;
use hickory_server::proto::op::{Edns, Header, HeaderCounts, Metadata, ResponseCode};
use hickory_server::proto::rr::rdata::{A, AAAA, CNAME, MX, NULL, PTR, TXT};
use hickory_server::proto::rr::{Name, RData, Record, RecordType};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;
use saphyr::{LoadableYamlNode, ScalarOwned, YamlOwned};
use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use zegel_mailauth::{DnsConfig, DnsResolver};

/// `../shared/conformance/` beside the repository. Missing is a failure,
/// never a silent pass.
pub fn conformance_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    assert!(
        dir.join("README.md").is_file(),
        "the conformance suites are missing: expected them in {} (the repository's \
         sibling `shared/conformance/`; CI clones the repository beside a `shared` symlink)",
        dir.display()
    );
    dir
}

/// The YAML documents of a suite file (`---` separated).
pub fn load_yaml(relative: &str) -> Vec<YamlOwned> {
    let path = conformance_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    YamlOwned::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()))
}

/// A scalar as text (YAML 1.2 core schema turns `12345` into a number).
pub fn text(node: &YamlOwned) -> Option<String> {
    match node {
        YamlOwned::Value(ScalarOwned::String(s)) => Some(s.clone()),
        YamlOwned::Value(ScalarOwned::Integer(i)) => Some(i.to_string()),
        YamlOwned::Value(ScalarOwned::FloatingPoint(f)) => Some(f.to_string()),
        YamlOwned::Value(ScalarOwned::Boolean(b)) => Some(b.to_string()),
        YamlOwned::Value(ScalarOwned::Null) => Some(String::new()),
        _ => None,
    }
}

/// `map[key]` as text, or empty.
pub fn field(map: &YamlOwned, key: &str) -> String {
    map.as_mapping_get(key).and_then(text).unwrap_or_default()
}

/// The entries of a mapping, keys as text, in document order.
pub fn entries(map: &YamlOwned) -> Vec<(String, &YamlOwned)> {
    map.as_mapping()
        .map(|m| m.iter().filter_map(|(k, v)| Some((text(k)?, v))).collect())
        .unwrap_or_default()
}

/// Text as the bytes a test suite means: characters up to U+00FF are
/// single bytes (the suites write raw bytes as `\xNN`), others UTF-8.
pub fn bytes_of(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if (c as u32) < 0x100 {
            out.push(c as u32 as u8);
        } else {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    out
}

/// LF line ends as CRLF (the suites write messages with LF; SMTP carries
/// CRLF).
pub fn crlf(message: &str) -> String {
    message.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// One resource record of a test zone.
#[derive(Debug, Clone)]
pub enum Rr {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Mx(u16, String),
    Ptr(String),
    Cname(String),
    /// TXT: its character-strings.
    Txt(Vec<Vec<u8>>),
    /// The obsolete SPF type (99): its character-strings.
    Spf(Vec<Vec<u8>>),
}

impl Rr {
    fn record_type(&self) -> RecordType {
        match self {
            Rr::A(_) => RecordType::A,
            Rr::Aaaa(_) => RecordType::AAAA,
            Rr::Mx(..) => RecordType::MX,
            Rr::Ptr(_) => RecordType::PTR,
            Rr::Cname(_) => RecordType::CNAME,
            Rr::Txt(_) => RecordType::TXT,
            Rr::Spf(_) => RecordType::from(99),
        }
    }

    fn rdata(&self) -> RData {
        match self {
            Rr::A(ip) => RData::A(A(*ip)),
            Rr::Aaaa(ip) => RData::AAAA(AAAA(*ip)),
            Rr::Mx(preference, host) => RData::MX(MX::new(*preference, name(host))),
            Rr::Ptr(host) => RData::PTR(PTR(name(host))),
            Rr::Cname(host) => RData::CNAME(CNAME(name(host))),
            Rr::Txt(strings) => RData::TXT(TXT::from_bytes(
                strings.iter().map(|s| s.as_slice()).collect(),
            )),
            Rr::Spf(strings) => {
                let mut wire = Vec::new();
                for s in strings {
                    wire.push(s.len().min(255) as u8);
                    wire.extend_from_slice(&s[..s.len().min(255)]);
                }
                RData::Unknown {
                    code: RecordType::from(99),
                    rdata: NULL::with(wire),
                }
            }
        }
    }
}

/// A host name as a DNS name; the empty name is the root.
fn name(host: &str) -> Name {
    if host.is_empty() || host == "." {
        return Name::root();
    }
    // Names with odd characters (`foo:bar/baz.example.com`) as raw labels.
    let mut n = Name::from_str_relaxed(host)
        .or_else(|_| {
            Name::from_labels(
                host.trim_end_matches('.')
                    .split('.')
                    .map(|label| label.as_bytes()),
            )
        })
        .unwrap_or_else(|e| panic!("test zone: '{host}' is no DNS name: {e}"));
    n.set_fqdn(true);
    n
}

/// A long text split into character-strings of at most 255 bytes.
pub fn txt_strings(value: &[u8]) -> Vec<Vec<u8>> {
    if value.is_empty() {
        return vec![Vec::new()];
    }
    value.chunks(255).map(|c| c.to_vec()).collect()
}

/// The zone a test serves: records per name, and names whose queries time
/// out (no answer at all).
#[derive(Debug, Clone, Default)]
pub struct Zone {
    names: HashMap<String, Vec<Rr>>,
    timeouts: HashSet<String>,
}

/// What the server does with one question.
enum Answer {
    /// Send nothing: the client times out.
    Silence,
    NxDomain,
    Records(Vec<Record>),
}

impl Zone {
    fn key(name: &str) -> String {
        name.trim_end_matches('.').to_ascii_lowercase()
    }

    /// Adds a record for `name`.
    pub fn add(&mut self, name: &str, rr: Rr) {
        self.names.entry(Zone::key(name)).or_default().push(rr);
    }

    /// Queries for `name` get no answer.
    pub fn timeout(&mut self, name: &str) {
        self.timeouts.insert(Zone::key(name));
    }

    /// Whether `name` has records of `record_type`.
    pub fn has(&self, name: &str, record_type: RecordType) -> bool {
        self.names
            .get(&Zone::key(name))
            .is_some_and(|rrs| rrs.iter().any(|r| r.record_type() == record_type))
    }

    /// A name exists when it has records, times out, or has names below it
    /// (an empty non-terminal answers NOERROR, RFC 8020).
    fn exists(&self, key: &str) -> bool {
        self.names.contains_key(key)
            || self.timeouts.contains(key)
            || self
                .names
                .keys()
                .any(|n| n.len() > key.len() && n.ends_with(key) && n.ends_with(&format!(".{key}")))
    }

    fn answer(&self, qname: &Name, qtype: RecordType) -> Answer {
        let mut owner = qname.clone();
        let mut key = Zone::key(&qname.to_ascii());
        let mut records = Vec::new();
        // Follow CNAMEs (at most 8, so a loop ends) as an authoritative
        // server for every name would.
        for _ in 0..8 {
            if self.timeouts.contains(&key) {
                return Answer::Silence;
            }
            let rrs = self.names.get(&key).map(Vec::as_slice).unwrap_or_default();
            let cname = rrs.iter().find_map(|r| match r {
                Rr::Cname(target) if qtype != RecordType::CNAME => Some(target.clone()),
                _ => None,
            });
            if let Some(target) = cname {
                records.push(Record::from_rdata(
                    owner.clone(),
                    300,
                    Rr::Cname(target.clone()).rdata(),
                ));
                owner = name(&target);
                key = Zone::key(&target);
                continue;
            }
            if records.is_empty() && !self.exists(&key) {
                return Answer::NxDomain;
            }
            records.extend(
                rrs.iter()
                    .filter(|r| r.record_type() == qtype)
                    .map(|r| Record::from_rdata(owner.clone(), 300, r.rdata())),
            );
            break;
        }
        Answer::Records(records)
    }
}

/// Answers every question from the zone.
struct Handler {
    zone: Arc<RwLock<Zone>>,
}

#[async_trait::async_trait]
impl RequestHandler for Handler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.authoritative = true;
        let failed = |mut metadata: Metadata| {
            metadata.response_code = ResponseCode::ServFail;
            ResponseInfo::from(Header {
                metadata,
                counts: HeaderCounts::default(),
            })
        };
        let Ok(info) = request.request_info() else {
            return failed(metadata);
        };
        let qname = info.query.original().name().clone();
        let answer = self
            .zone
            .read()
            .unwrap()
            .answer(&qname, info.query.query_type());
        let records = match answer {
            Answer::Silence => {
                return ResponseInfo::from(Header {
                    metadata,
                    counts: HeaderCounts::default(),
                })
            }
            Answer::NxDomain => {
                metadata.response_code = ResponseCode::NXDomain;
                Vec::new()
            }
            Answer::Records(records) => records,
        };
        let edns = request.edns.as_ref().map(|asked| {
            let mut edns = Edns::new();
            edns.set_max_payload(asked.max_payload().max(512));
            edns.set_version(0);
            edns
        });
        let response = MessageResponseBuilder::new(&request.queries, edns.as_ref()).build(
            metadata,
            records.iter(),
            std::iter::empty(),
            std::iter::empty(),
            std::iter::empty(),
        );
        match response_handle.send_response(response).await {
            Ok(info) => info,
            Err(_) => failed(metadata),
        }
    }
}

/// A DNS server on 127.0.0.1 (UDP and TCP, one port) serving a [`Zone`].
pub struct TestDns {
    /// Its address.
    pub addr: SocketAddr,
    zone: Arc<RwLock<Zone>>,
    _server: hickory_server::Server<Handler>,
}

impl TestDns {
    /// Starts a server for `zone`.
    pub async fn start(zone: Zone) -> TestDns {
        let zone = Arc::new(RwLock::new(zone));
        let (server, addr) = zegel_testkit::dns::serve_dns(Handler { zone: zone.clone() }).await;
        TestDns {
            addr,
            zone,
            _server: server,
        }
    }

    /// Serves `zone` from now on.
    pub fn set_zone(&self, zone: Zone) {
        *self.zone.write().unwrap() = zone;
    }

    /// A fresh resolver (empty cache) asking only this server, patient
    /// enough for a loaded machine; a `TIMEOUT` name costs two seconds.
    pub fn resolver(&self) -> DnsResolver {
        DnsResolver::new(&DnsConfig {
            servers: vec![self.addr],
            timeout: Duration::from_secs(1),
            attempts: 1,
        })
        .unwrap()
    }
}

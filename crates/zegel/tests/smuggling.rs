//! SMTP smuggling against `zegel serve`, end to end: a raw TCP stream
//! (Python's socket and ssl, so the bytes are exactly ours) carries a
//! message whose body holds a fake end marker (`\n.\n`, `\r\n.\n`,
//! `\n.\r\n`, `\r.\r`, `\r\n.\r`, ...) followed by a second message written
//! as commands: "the CEO" asking finance to pay. In relay, submission and
//! inbound mode:
//!
//! - the client gets one refusal (554) for the whole, and the session
//!   goes on at the real `<CR><LF>.<CR><LF>`: a clean message after it on
//!   the same connection is taken (250) and arrives;
//! - neither the carrier message nor the smuggled one is queued (no
//!   delivery row for their recipients) or delivered (not at the sink).

mod common;
#[path = "../../zegel-domaincheck/tests/world/mod.rs"]
mod world;

use common::*;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;
use zegel_testkit::Sink;

/// The fake end markers of the published variants (SEC Consult, 2023).
const FAKE_ENDS: [&str; 8] = [
    "\n.\n",
    "\r\n.\n",
    "\n.\r\n",
    "\r.\r",
    "\r\n.\r",
    "\r.\r\n",
    "\n.\r",
    "\r\n.\r\r\n",
];

/// Sends a raw SMTP stream: greeting, EHLO, for `tls` STARTTLS, EHLO and
/// AUTH PLAIN, then the file's bytes at once (pipelined); prints the code
/// of every reply to those bytes, space-separated, until the server closes.
const CLIENT: &str = r#"
import base64, socket, ssl, sys
port, tls, user, password, path = int(sys.argv[1]), sys.argv[2] == "tls", sys.argv[3], sys.argv[4], sys.argv[5]
s = socket.create_connection(("127.0.0.1", port), timeout=60)
f = s.makefile("rb")
def reply():
    while True:
        line = f.readline()
        if not line:
            return None
        if len(line) < 4 or line[3:4] != b"-":
            return line[:3].decode()
def command(line, want):
    s.sendall(line)
    got = reply()
    if got != want:
        sys.exit("%r: %s, not %s" % (line, got, want))
assert reply() == "220"
command(b"EHLO client.test\r\n", "250")
if tls:
    command(b"STARTTLS\r\n", "220")
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(s, server_hostname="zegel.test")
    f = s.makefile("rb")
    command(b"EHLO client.test\r\n", "250")
    plain = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode())
    command(b"AUTH PLAIN " + plain + b"\r\n", "235")
s.sendall(open(path, "rb").read())
codes = []
while True:
    code = reply()
    if code is None:
        break
    codes.append(code)
print(" ".join(codes))
"#;

/// How the client comes in.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// From a relay network, no AUTH.
    Relay,
    /// STARTTLS and AUTH as jan@zorg.nl, from outside the relay networks.
    Submission,
    /// From outside, for the internal domain, no AUTH.
    Inbound,
}

/// The addresses one mode uses: envelope sender, carrier recipient,
/// smuggled envelope sender, clean recipient.
struct Addresses {
    from: &'static str,
    carrier_to: &'static str,
    smuggled_from: &'static str,
    clean_to: &'static str,
}

fn addresses(mode: Mode) -> Addresses {
    match mode {
        Mode::Relay => Addresses {
            from: "jan@zorg.nl",
            carrier_to: "anna@example.com",
            smuggled_from: "ceo@zorg.nl",
            clean_to: "piet@example.com",
        },
        // Only the account's own envelope sender is taken after AUTH; the
        // header From is the CEO's.
        Mode::Submission => Addresses {
            from: "jan@zorg.nl",
            carrier_to: "anna@example.com",
            smuggled_from: "jan@zorg.nl",
            clean_to: "piet@example.com",
        },
        // pass.test's SPF allows 127.0.0.1: without the fix the smuggled
        // message passes the inbound checks and is delivered.
        Mode::Inbound => Addresses {
            from: "jan@pass.test",
            carrier_to: "anna@zorg.nl",
            smuggled_from: "ceo@pass.test",
            clean_to: "p.bakker@zorg.nl",
        },
    }
}

/// The bytes after AUTH (or EHLO): the carrier message with `fake_end` and
/// the smuggled message in its body, its real end, a clean message with
/// `clean_subject`, QUIT.
fn stream(mode: Mode, fake_end: &str, clean_subject: &str) -> Vec<u8> {
    let a = addresses(mode);
    let ceo = a.smuggled_from.replace("jan@", "ceo@");
    format!(
        "MAIL FROM:<{from}>\r\nRCPT TO:<{carrier_to}>\r\nDATA\r\n\
         From: Jan <{from}>\r\nTo: {carrier_to}\r\nSubject: carrier\r\n\
         Message-ID: <carrier@zegel.test>\r\n\r\nHallo{fake_end}\
         MAIL FROM:<{smuggled_from}>\r\nRCPT TO:<finance@zorg.nl>\r\nDATA\r\n\
         From: CEO <{ceo}>\r\nTo: finance@zorg.nl\r\nSubject: Urgent payment\r\n\
         Message-ID: <smuggled@zegel.test>\r\n\r\nPay invoice 42 today.\r\n.\r\n\
         MAIL FROM:<{from}>\r\nRCPT TO:<{clean_to}>\r\nDATA\r\n\
         From: Jan <{from}>\r\nTo: {clean_to}\r\nSubject: {clean_subject}\r\n\
         Message-ID: <{clean_subject}@zegel.test>\r\n\r\nTot donderdag.\r\n.\r\n\
         QUIT\r\n",
        from = a.from,
        carrier_to = a.carrier_to,
        smuggled_from = a.smuggled_from,
        clean_to = a.clean_to,
    )
    .into_bytes()
}

/// Sends `bytes` as [`CLIENT`] does; the reply codes.
fn send_raw(port: u16, mode: Mode, bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stream");
    std::fs::write(&path, bytes).unwrap();
    let tls = if let Mode::Submission = mode {
        "tls"
    } else {
        "plain"
    };
    let out = Command::new("python3")
        .args(["-c", CLIENT, &port.to_string(), tls])
        .args(["jan@zorg.nl", "een-lang-wachtwoord"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{mode:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Sends every variant in `mode` to `z`, one connection each, and checks
/// replies, queue and sink.
fn smuggling_is_refused(z: &Zegel, sink: &Sink, mode: Mode) {
    let a = addresses(mode);
    for (i, fake_end) in FAKE_ENDS.iter().enumerate() {
        let codes = send_raw(z.port, mode, &stream(mode, fake_end, &format!("clean-{i}")));
        assert_eq!(
            codes,
            "250 250 354 554 250 250 354 250 221",
            "{mode:?} {}: one refusal for carrier and smuggled message, then the clean one",
            fake_end.escape_debug()
        );
    }
    let got = sink.wait_for(FAKE_ENDS.len(), WAIT);
    std::thread::sleep(Duration::from_secs(2));
    let got_now = sink.messages();
    assert_eq!(
        got_now.len(),
        FAKE_ENDS.len(),
        "{mode:?}: only the clean messages arrive: {got:?}"
    );
    for m in &got_now {
        let text = m.text();
        assert!(m.is_for(a.clean_to), "{mode:?}: {text}");
        assert!(
            !text.contains("Urgent payment") && !text.contains("Subject: carrier"),
            "{mode:?}: {text}"
        );
    }
    let queued = sql_at(
        &z.dir,
        &format!(
            "SELECT COUNT(*) FROM deliveries WHERE rcpt IN ('finance@zorg.nl', '{}')",
            a.carrier_to
        ),
    );
    assert_eq!(queued, "0", "{mode:?}: carrier or smuggled message queued");
    // The query sees what this mode queues: the clean messages are there.
    let clean = sql_at(
        &z.dir,
        &format!(
            "SELECT COUNT(*) FROM deliveries WHERE rcpt = '{}'",
            a.clean_to
        ),
    );
    assert_eq!(clean, FAKE_ENDS.len().to_string(), "{mode:?}");
}

#[test]
fn smuggling_in_relay_mode_is_refused_and_nothing_queued() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    smuggling_is_refused(&z, &sink, Mode::Relay);
}

#[test]
fn smuggling_in_submission_mode_is_refused_and_nothing_queued() {
    let sink = Sink::start();
    let z = Zegel::start(
        &sink,
        &[(
            "relay_networks = [\"127.0.0.0/8\", \"::1/128\"]",
            "relay_networks = [\"10.0.0.0/8\"]",
        )],
    );
    let mut add = zegel()
        .args(["user", "--config"])
        .arg(z.dir.join("zegel.toml"))
        .args(["add", "jan@zorg.nl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"een-lang-wachtwoord\n")
        .unwrap();
    assert!(add.wait().unwrap().success());
    smuggling_is_refused(&z, &sink, Mode::Submission);
}

#[test]
fn smuggling_in_inbound_mode_is_refused_and_nothing_queued() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dns = runtime.block_on(world::Dns::start(AUTH_ZONE));
    let sink = Sink::start();
    let servers = format!("dns_servers = [\"{}\"]", dns.relay);
    let deliver_to = format!("deliver_to = \"127.0.0.1:{}\"", sink.port());
    let z = Zegel::start(
        &sink,
        &[
            (
                "relay_networks = [\"127.0.0.0/8\", \"::1/128\"]",
                "relay_networks = [\"192.0.2.0/24\"]",
            ),
            ("# dns_servers = [\"127.0.0.1:53\"]", servers.as_str()),
            ("# deliver_to = \"mail.zorg.nl:25\"", deliver_to.as_str()),
        ],
    );
    smuggling_is_refused(&z, &sink, Mode::Inbound);
}

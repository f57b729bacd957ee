//! End-to-end tests of `zegel serve`'s mail side with real peers: swaks and
//! Python's smtplib as clients, an aiosmtpd sink as the next hop.

mod common;

use common::*;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;
use zegel_testkit::{free_port, repo_root, Received, Sink};

const BSN_MAIL: &str = "From: Jan Jansen <jan@zorg.nl>\r\nTo: Dr. P. Bakker <p.bakker@example.com>\r\nCc: collega@zorg.nl\r\nSubject: Client overdracht\r\nMessage-ID: <bsn-1@zorg.nl>\r\n\r\nBeste collega,\r\n\r\nHierbij de gegevens van mevrouw Fatima el Amrani, BSN 111222333, geboren 12-03-1958.\r\nZij heeft diabetes type 2 en gebruikt insuline.\r\n\r\nMet vriendelijke groet,\r\nJan\r\n";

#[test]
fn normal_mail_arrives_unchanged_but_signed() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    let body = "Hoi Piet,\r\n\r\nZullen we donderdag om tien uur afspreken?\r\n\r\nGroet, Jan";
    let (ok, out) = swaks(&[
        "--server",
        &format!("127.0.0.1:{}", z.port),
        "--from",
        "jan@zorg.nl",
        "--to",
        "piet@example.com",
        "--header",
        "Subject: Afspraak",
        "--body",
        body,
    ]);
    assert!(ok, "{out}");
    let got = sink.wait_for(1, WAIT);
    assert_eq!(got.len(), 1, "one message at the sink");
    let m = &got[0];
    assert_eq!(m.mail_from, "jan@zorg.nl");
    assert_eq!(m.rcpt_tos, ["piet@example.com"]);
    let text = m.text();
    assert!(text.starts_with("DKIM-Signature: "), "{text}");
    assert!(
        text.contains("d=zorg.nl") && text.contains("s=zegel"),
        "{text}"
    );
    assert!(text.contains("Received: from "), "{text}");
    assert!(text.contains("Subject: Afspraak"));
    assert!(text.contains(body), "body unchanged: {text}");
}

#[test]
fn deliveries_to_one_host_share_connections_and_survive_a_closed_one() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    let send = |n: usize| {
        let body = format!("Hoi Piet,\r\n\r\nAgenda punt {n} voor donderdag.\r\n\r\nGroet, Jan");
        let (ok, out) = swaks(&[
            "--server",
            &format!("127.0.0.1:{}", z.port),
            "--from",
            "jan@zorg.nl",
            "--to",
            "piet@example.com",
            "--header",
            &format!("Subject: Agenda {n}"),
            "--body",
            &body,
        ]);
        assert!(ok, "{out}");
    };
    // One at a time, each delivered before the next is sent (messages
    // queued together go out side by side, over connections of their own).
    for n in 0..6 {
        send(n);
        assert_eq!(
            sink.wait_for(n + 1, WAIT).len(),
            n + 1,
            "message {n} arrives"
        );
    }
    let got = sink.messages();
    assert_eq!(got.len(), 6, "every message arrives once");
    let peers: std::collections::HashSet<&str> = got.iter().map(|m| m.peer.as_str()).collect();
    assert!(
        peers.len() < got.len(),
        "one kept connection carries several messages: {peers:?}"
    );
    // The sink goes away, closing the kept connection, and a new one
    // listens on the same port: the next delivery finds its connection
    // gone at MAIL FROM and makes a new one.
    let port = sink.port();
    drop(sink);
    let sink2 = Sink::start_with(zegel_testkit::SinkOptions {
        port: Some(port),
        ..Default::default()
    });
    send(6);
    let got = sink2.wait_for(1, WAIT);
    assert_eq!(got.len(), 1, "delivered over a new connection");
    assert!(got[0].text().contains("Agenda 6"));
}

#[test]
fn bsn_to_external_goes_to_the_portal_and_internal_cc_gets_the_original() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    let (status, reply) = smtplib(
        z.port,
        "jan@zorg.nl",
        &["p.bakker@example.com", "collega@zorg.nl"],
        BSN_MAIL,
    );
    assert_eq!(status, "ok", "{reply}");
    let got = sink.wait_for(3, WAIT);
    // The internal colleague gets the original.
    let original = find(&got, "collega@zorg.nl", "111222333").expect("original to the internal Cc");
    assert!(original.text().contains("DKIM-Signature"));
    // The external recipient gets only a notification with a link.
    let external: Vec<&Received> = got
        .iter()
        .filter(|m| m.is_for("p.bakker@example.com"))
        .collect();
    assert_eq!(
        external.len(),
        1,
        "exactly one mail to the external recipient"
    );
    let note = external[0].text();
    for secret in [
        "111222333",
        "Fatima",
        "Amrani",
        "diabetes",
        "insuline",
        "12-03-1958",
        "overdracht",
    ] {
        assert!(
            !note.contains(secret),
            "notification leaks {secret}: {note}"
        );
    }
    assert!(
        note.contains("/m/"),
        "notification has a portal link: {note}"
    );
    assert!(note.contains("Beveiligd bericht"));
    // The sender gets a notice with the reasons and a status link.
    let notice = find(&got, "jan@zorg.nl", "/status/").expect("sender notice");
    let text = notice.text();
    assert!(
        text.contains("BSN") || text.contains("burgerservicenummer"),
        "{text}"
    );
    // Nothing readable at rest.
    let db = common::database_bytes(&z.dir);
    for needle in [b"111222333".to_vec(), common::hex_of(b"111222333")] {
        assert!(!db.windows(needle.len()).any(|w| w == needle));
    }
}

#[test]
fn subject_tag_forces_secure() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[]);
    let (ok, out) = swaks(&[
        "--server",
        &format!("127.0.0.1:{}", z.port),
        "--from",
        "jan@zorg.nl",
        "--to",
        "piet@example.com",
        "--header",
        "Subject: [veilig] Notulen",
        "--body",
        "Zie de notulen van gisteren.",
    ]);
    assert!(ok, "{out}");
    let got = sink.wait_for(2, WAIT);
    let to_piet: Vec<&Received> = got
        .iter()
        .filter(|m| m.is_for("piet@example.com"))
        .collect();
    assert_eq!(to_piet.len(), 1);
    assert!(!to_piet[0].text().contains("notulen van gisteren"));
    assert!(to_piet[0].text().contains("/m/"));
}

#[test]
fn reject_mode_answers_5xx_with_reasons_in_dutch_and_english() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[("action = \"portal\"", "action = \"reject\"")]);
    let (status, reply) = smtplib(z.port, "jan@zorg.nl", &["p.bakker@example.com"], BSN_MAIL);
    assert_eq!(status, "refused", "{reply}");
    assert!(reply.starts_with("550"), "{reply}");
    assert!(
        reply.contains("Geweigerd") && reply.contains("Refused"),
        "{reply}"
    );
    assert!(reply.contains("BSN"), "{reply}");
    std::thread::sleep(Duration::from_secs(2));
    assert!(sink.messages().is_empty(), "nothing delivered");
}

#[test]
fn no_relay_without_auth_from_outside_networks() {
    let sink = Sink::start();
    let z = Zegel::start(
        &sink,
        &[(
            "relay_networks = [\"127.0.0.0/8\", \"::1/128\"]",
            "relay_networks = [\"10.0.0.0/8\"]",
        )],
    );
    let server = format!("127.0.0.1:{}", z.port);
    let (ok, out) = swaks(&[
        "--server",
        &server,
        "--from",
        "jan@zorg.nl",
        "--to",
        "piet@example.com",
    ]);
    assert!(!ok, "relayed without AUTH: {out}");
    assert!(out.contains("530"), "{out}");
    // AUTH is refused without TLS ...
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
    let (ok, out) = swaks(&[
        "--server",
        &server,
        "--from",
        "jan@zorg.nl",
        "--to",
        "piet@example.com",
        "--auth",
        "PLAIN",
        "--auth-user",
        "jan@zorg.nl",
        "--auth-password",
        "een-lang-wachtwoord",
    ]);
    assert!(!ok, "AUTH without TLS: {out}");
    // ... a wrong password fails ...
    let (ok, out) = swaks(&[
        "--server",
        &server,
        "--tls",
        "--from",
        "jan@zorg.nl",
        "--to",
        "piet@example.com",
        "--auth",
        "LOGIN",
        "--auth-user",
        "jan@zorg.nl",
        "--auth-password",
        "fout-wachtwoord-123",
    ]);
    assert!(!ok && out.contains("535"), "{out}");
    // ... and with STARTTLS and the right password it is relayed.
    let (ok, out) = swaks(&[
        "--server",
        &server,
        "--tls",
        "--from",
        "jan@zorg.nl",
        "--to",
        "piet@example.com",
        "--auth",
        "PLAIN",
        "--auth-user",
        "jan@zorg.nl",
        "--auth-password",
        "een-lang-wachtwoord",
        "--header",
        "Subject: Na inloggen",
        "--body",
        "Gewoon bericht.",
    ]);
    assert!(ok, "{out}");
    let got = sink.wait_for(1, WAIT);
    assert_eq!(got.len(), 1);
    assert!(got[0].text().contains("with ESMTPSA"), "{}", got[0].text());
}

#[test]
fn bad_input_gets_replies_and_nothing_is_half_stored() {
    let sink = Sink::start();
    let z = Zegel::start(&sink, &[("max_message_mb = 50", "max_message_mb = 1")]);
    let script = r#"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        line = f.readline().decode()
        lines.append(line.strip())
        if len(line) < 4 or line[3] != "-":
            return lines
def send(b):
    s.sendall(b)
    return reply()[-1][:3]
out = [reply()[-1][:3]]
out.append(send(b"EHLO test\r\n"))
out.append(send(b"BOGUS\r\n"))
out.append(send(b"MAIL FROM:<jan@zorg.nl> SIZE=999999999\r\n"))
out.append(send(b"MAIL FROM:<jan@zorg.nl>\r\n"))
out.append(send(b"RCPT TO:<no-domain>\r\n"))
out.append(send(b"RCPT TO:<piet@example.com>\r\n"))
out.append(send(b"DATA\r\n"))
s.sendall(b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * 1200)
out.append(send(b".\r\n"))
out.append(send(b"MAIL FROM:<jan@zorg.nl>\r\n"))
out.append(send(b"RCPT TO:<piet@example.com>\r\n"))
out.append(send(b"DATA\r\n"))
# A dot after a bare LF is no end: the message goes on to the real one.
out.append(send(b"Subject: smuggle\r\n\r\nline\n.\r\nstill the message\r\n.\r\n"))
out.append(send(b"MAIL FROM:<jan@zorg.nl>\r\n"))
out.append(send(b"RCPT TO:<piet@example.com>\r\n"))
out.append(send(b"DATA\r\n"))
out.append(send(b"\xff\xfe not mime at all\r\n.\r\n"))
out.append(send(b"EHLO " + b"a" * 5000 + b"\r\n"))
out.append(send(b"QUIT\r\n"))
print(" ".join(out))
"#;
    let out = Command::new("python3")
        .args(["-c", script, &z.port.to_string()])
        .output()
        .unwrap();
    let codes = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(
        codes,
        "220 250 500 552 250 501 250 354 552 250 250 354 554 250 250 354 250 500 221",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Only the one readable message (the last, odd but parseable) arrives.
    let got = sink.wait_for(1, WAIT);
    std::thread::sleep(Duration::from_secs(1));
    let got_now = sink.messages();
    assert!(got_now.len() <= 1, "{got:?}");
    assert!(got_now
        .iter()
        .all(|m| !m.text().contains("smuggle") && !m.text().contains("Subject: big")));
}

#[test]
fn sigkill_under_load_loses_nothing() {
    let sink = Sink::start();
    // A restarted zegel frees the killed run's leases at once: on SQLite
    // all of them, on PostgreSQL its own (data_dir/node-id). The leases
    // keep their default of 600 s, far beyond the wait below, so a run
    // that waited for them to run out would fail here.
    let (temp, port) = init(&sink, &[]);
    let dir = temp.path().to_path_buf();
    let accepted = dir.join("accepted.txt");
    let mut z = Zegel::run(&dir, port);
    let load = Command::new("python3")
        .arg(repo_root().join("tests/support/smtp_load.py"))
        .args(["127.0.0.1", &port.to_string(), "400"])
        .arg(&accepted)
        .arg("4")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill zegel while the load runs, twice, restarting it each time.
    for _ in 0..2 {
        wait_until(|| count_lines(&accepted) >= 60, WAIT);
        let _ = z.child.kill(); // SIGKILL
        let _ = z.child.wait();
        std::thread::sleep(Duration::from_millis(300));
        z = Zegel::run(&dir, port);
    }
    let load_out = load.wait_with_output().unwrap();
    let tokens = accepted_tokens(&accepted);
    assert!(
        tokens.len() >= 120,
        "load ran: {}",
        String::from_utf8_lossy(&load_out.stdout)
    );
    let (lost, _) = await_arrivals(&sink, &tokens, Duration::from_secs(120), "sigkill test");
    assert!(lost.is_empty(), "lost after SIGKILL: {lost:?}");
    drop(z);
}

/// zegel as Postfix's milter: Postfix asks zegel about every message.
fn postfix_with_zegel_milter(
    action: &str,
) -> Option<(Sink, Zegel, zegel_testkit::postfix::Postfix)> {
    if !zegel_testkit::postfix::available() {
        eprintln!("SKIPPED: /usr/sbin/postfix is not installed (scripts/test installs it)");
        return None;
    }
    let sink = Sink::start();
    let milter_port = free_port();
    let listen = format!("listen = \"127.0.0.1:{milter_port}\"");
    let act = format!("action = \"{action}\"");
    let z = Zegel::start(
        &sink,
        &[
            ("# listen = \"127.0.0.1:8891\"", listen.as_str()),
            ("action = \"portal\"", act.as_str()),
        ],
    );
    let postfix = zegel_testkit::postfix::Postfix::start(zegel_testkit::postfix::PostfixOptions {
        milter_port: Some(milter_port),
        relay_port: sink.port(),
    })
    .unwrap_or_else(|e| panic!("postfix did not start: {e}"));
    Some((sink, z, postfix))
}

#[test]
fn postfix_milter_rejects_secure_mail_with_reasons() {
    let Some((sink, _z, postfix)) = postfix_with_zegel_milter("reject") else {
        return;
    };
    let (status, reply) = smtplib(
        postfix.port(),
        "jan@zorg.nl",
        &["p.bakker@example.com"],
        BSN_MAIL,
    );
    assert_eq!(status, "refused", "{reply}\n{}", postfix.log());
    assert!(reply.starts_with("550"), "{reply}");
    assert!(
        reply.contains("Geweigerd") && reply.contains("Refused") && reply.contains("BSN"),
        "{reply}"
    );
    let (ok, out) = swaks(&[
        "--server",
        &format!("127.0.0.1:{}", postfix.port()),
        "--from",
        "jan@zorg.nl",
        "--to",
        "piet@example.com",
        "--header",
        "Subject: Afspraak",
        "--body",
        "Tot donderdag.",
    ]);
    assert!(ok, "{out}");
    let got = sink.wait_for(1, WAIT);
    assert_eq!(got.len(), 1, "{}", postfix.log());
    assert!(
        got[0].text().contains("X-Zegel-Verdict: normal"),
        "{}",
        got[0].text()
    );
    assert!(!got.iter().any(|m| m.text().contains("111222333")));
}

#[test]
fn postfix_milter_labels_secure_mail_for_routing() {
    let Some((sink, _z, postfix)) = postfix_with_zegel_milter("portal") else {
        return;
    };
    let (status, reply) = smtplib(
        postfix.port(),
        "jan@zorg.nl",
        &["p.bakker@example.com"],
        BSN_MAIL,
    );
    assert_eq!(status, "ok", "{reply}");
    let got = sink.wait_for(1, WAIT);
    assert_eq!(got.len(), 1, "{}", postfix.log());
    let text = got[0].text();
    assert!(text.contains("X-Zegel-Verdict: secure"), "{text}");
    assert!(text.contains("X-Zegel-Reasons: "), "{text}");
}

/// A harmless mail to a look-alike of the own domain through Postfix: the
/// milter cannot hold it for the sender to confirm, so it labels it for
/// the route to zegel's relay (which does), never as normal mail.
#[test]
fn postfix_milter_labels_mail_to_a_look_alike_for_the_relay_that_holds_it() {
    let Some((sink, _z, postfix)) = postfix_with_zegel_milter("portal") else {
        return;
    };
    let mail = "From: Jan Jansen <jan@zorg.nl>\r\nTo: piet@zorg-nl.com\r\n\
                Subject: Agenda\r\n\r\nDonderdag om tien uur.\r\n";
    let (status, reply) = smtplib(postfix.port(), "jan@zorg.nl", &["piet@zorg-nl.com"], mail);
    assert_eq!(status, "ok", "{reply}");
    let got = sink.wait_for(1, WAIT);
    assert_eq!(got.len(), 1, "{}", postfix.log());
    let text = got[0].text();
    assert!(text.contains("X-Zegel-Verdict: secure"), "{text}");
    assert!(text.contains("X-Zegel-Hold: lookalike_domain"), "{text}");
    assert!(text.contains("zorg-nl.com"), "{text}");
}

#[test]
fn refused_recipient_gets_the_sender_a_failure_notice() {
    let sink = Sink::start_with(zegel_testkit::SinkOptions {
        reject: vec!["nobody@example.com".into()],
        ..Default::default()
    });
    let z = Zegel::start(&sink, &[]);
    let (ok, out) = swaks(&[
        "--server",
        &format!("127.0.0.1:{}", z.port),
        "--from",
        "jan@zorg.nl",
        "--to",
        "nobody@example.com,piet@example.com",
        "--header",
        "Subject: Uitnodiging",
        "--body",
        "Komen jullie ook?",
    ]);
    assert!(ok, "{out}");
    let got = sink.wait_for(2, WAIT);
    assert!(
        find(&got, "piet@example.com", "Uitnodiging").is_some(),
        "{got:?}"
    );
    let dsn = got
        .iter()
        .find(|m| m.is_for("jan@zorg.nl"))
        .expect("a failure notice to the sender");
    assert!(
        dsn.mail_from.is_empty() || dsn.mail_from == "<>",
        "failure notices use the null sender: {}",
        dsn.mail_from
    );
    let text = dsn.text();
    assert!(
        text.contains("multipart/report") && text.contains("Action: failed"),
        "{text}"
    );
    assert!(
        text.contains("Final-Recipient: rfc822; nobody@example.com"),
        "{text}"
    );
    assert!(text.contains("550"), "{text}");
}

/// A message the assessment cannot read at all (MIME that made the parser
/// give up) is refused through the milter, as zegel's own SMTP server
/// refuses it; before, it got `X-Zegel-Verdict: unknown` and Postfix, whose
/// rule routes only `secure` mail to zegel, sent it out as normal mail.
#[test]
fn postfix_milter_refuses_a_message_it_cannot_read() {
    let Some((sink, _z, postfix)) = postfix_with_zegel_milter("portal") else {
        return;
    };
    let broken = std::fs::read_to_string(
        repo_root().join("crates/zegel-assess/tests/fixtures/fuzz/mail-parser-invalid-part-id.eml"),
    )
    .unwrap()
    .replace("\r\n", "\n")
    .replace('\n', "\r\n");
    let (status, reply) = smtplib(
        postfix.port(),
        "jan@zorg.nl",
        &["p.bakker@example.com"],
        &broken,
    );
    assert_eq!(status, "refused", "{reply}\n{}", postfix.log());
    assert!(
        reply.starts_with("554") && reply.contains("unreadable"),
        "{reply}"
    );
    std::thread::sleep(Duration::from_secs(1));
    assert!(sink.messages().is_empty(), "nothing left as normal mail");
}

//! The DKIM examples of RFC 6376 (appendix A.2, key of appendix C) and RFC
//! 8463 (appendix A: an Ed25519 and an RSA signature on one message) as test
//! vectors: each verifies as `pass` with mail-auth through zegel's resolver
//! and `verify_message`, the keys served by a DNS server on 127.0.0.1; a
//! copy with the body or a signed header changed does not pass.
//!
//! The texts below are copied from the RFCs (line breaks as printed; the
//! messages travel with CRLF line ends).

mod common;

use common::{crlf, txt_strings, Rr, TestDns, Zone};
use std::net::{IpAddr, Ipv4Addr};
use zegel_mailauth::{verify_message, Outcome};

/// RFC 6376, appendix A.2 ("The Signed Message"): signed by example.com,
/// selector brisbane, rsa-sha256, simple/simple.
const RFC6376_A2: &str = "\
DKIM-Signature: v=1; a=rsa-sha256; s=brisbane; d=example.com;
      c=simple/simple; q=dns/txt; i=joe@football.example.com;
      h=Received : From : To : Subject : Date : Message-ID;
      bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
      b=AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB
        4nujc7YopdG5dWLSdNg6xNAZpOPr+kHxt1IrE+NahM6L/LbvaHut
        KVdkLLkpVaVVQPzeRDI009SO2Il5Lu7rDNH6mZckBdrIx0orEtZV
        4bmp/YzhwvcubU4=;
Received: from client1.football.example.com  [192.0.2.1]
      by submitserver.example.com with SUBMISSION;
      Fri, 11 Jul 2003 21:01:54 -0700 (PDT)
From: Joe SixPack <joe@football.example.com>
To: Suzie Q <suzie@shopping.example.net>
Subject: Is dinner ready?
Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)
Message-ID: <20030712040037.46341.5F8J@football.example.com>

Hi.

We lost the game. Are you hungry yet?

Joe.
";

/// RFC 6376, appendix C.2 ("The Public Key"): the record of
/// brisbane._domainkey.example.com (its quoted strings joined).
const RFC6376_C2_RECORD: &str = "v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQ\
KBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYt\
IxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v\
/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhi\
tdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB";

/// RFC 8463, appendix A.3 ("Signed Message"): an ed25519-sha256 signature
/// (selector brisbane) and an rsa-sha256 one (selector test), both by
/// football.example.com, relaxed/relaxed.
const RFC8463_A3: &str = "\
DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;
 d=football.example.com; i=@football.example.com;
 q=dns/txt; s=brisbane; t=1528637909; h=from : to :
 subject : date : message-id : from : subject : date;
 bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
 b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus
 Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
 d=football.example.com; i=@football.example.com;
 q=dns/txt; s=test; t=1528637909; h=from : to : subject :
 date : message-id : from : subject : date;
 bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
 b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3
 DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz
 dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=
From: Joe SixPack <joe@football.example.com>
To: Suzie Q <suzie@shopping.example.net>
Subject: Is dinner ready?
Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)
Message-ID: <20030712040037.46341.5F8J@football.example.com>

Hi.

We lost the game.  Are you hungry yet?

Joe.
";

/// RFC 8463, appendix A.2 ("Public Key DNS Records").
const RFC8463_A2_ED25519: &str =
    "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
const RFC8463_A2_RSA: &str = "v=DKIM1; k=rsa; \
p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16\
JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3\
Ip3G+2kryOTIKT+l/K4w3QIDAQAB";

async fn dns() -> TestDns {
    let mut zone = Zone::default();
    for (name, record) in [
        ("brisbane._domainkey.example.com", RFC6376_C2_RECORD),
        (
            "brisbane._domainkey.football.example.com",
            RFC8463_A2_ED25519,
        ),
        ("test._domainkey.football.example.com", RFC8463_A2_RSA),
    ] {
        zone.add(name, Rr::Txt(txt_strings(record.as_bytes())));
    }
    TestDns::start(zone).await
}

/// (outcome, algorithm, domain, selector) of each DKIM signature.
async fn dkim(dns: &TestDns, message: &str) -> Vec<(Outcome, String, String, String)> {
    let report = verify_message(
        crlf(message).as_bytes(),
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
        "client1.football.example.com",
        "joe@football.example.com",
        &dns.resolver(),
    )
    .await
    .expect("a message");
    report
        .dkim
        .into_iter()
        .map(|c| (c.outcome, c.algorithm, c.domain, c.selector))
        .collect()
}

#[tokio::test]
async fn rfc6376_a2_rsa_example_verifies() {
    let dns = dns().await;
    assert_eq!(
        dkim(&dns, RFC6376_A2).await,
        vec![(
            Outcome::Pass,
            "rsa-sha256".into(),
            "example.com".into(),
            "brisbane".into()
        )]
    );
}

#[tokio::test]
async fn rfc8463_ed25519_and_rsa_example_verifies() {
    let dns = dns().await;
    assert_eq!(
        dkim(&dns, RFC8463_A3).await,
        vec![
            (
                Outcome::Pass,
                "ed25519-sha256".into(),
                "football.example.com".into(),
                "brisbane".into()
            ),
            (
                Outcome::Pass,
                "rsa-sha256".into(),
                "football.example.com".into(),
                "test".into()
            ),
        ]
    );
}

#[tokio::test]
async fn tampered_copies_do_not_verify() {
    let dns = dns().await;
    for (what, original) in [("RFC 6376 A.2", RFC6376_A2), ("RFC 8463 A.3", RFC8463_A3)] {
        for (change, tampered) in [
            ("body", original.replace("hungry", "thirsty")),
            (
                "subject",
                original.replace("Is dinner ready?", "Is lunch ready?"),
            ),
            (
                "from",
                original.replace("Joe SixPack <joe@", "Joe SixPack <jack@"),
            ),
        ] {
            assert_ne!(tampered, original);
            let checks = dkim(&dns, &tampered).await;
            assert!(!checks.is_empty(), "{what}, {change}: no signature read");
            for check in checks {
                assert_ne!(
                    check.0,
                    Outcome::Pass,
                    "{what} with the {change} changed still verifies: {check:?}"
                );
            }
        }
    }
}

//! check-domain against a well and a badly configured test domain (see
//! `world/mod.rs`): every check's status, and the score.

mod world;

use std::time::Duration;
use world::World;
use zegel_domaincheck::{check_domain, CheckId, Lang, Probe, Report, Status, Trust};

fn probe(world: &World) -> Probe {
    Probe {
        dns_servers: vec![world.dns],
        smtp_port: world.smtp_port,
        https_port: world.https_port,
        timeout: Duration::from_secs(5),
        trust: Trust::Roots(vec![world.ca.clone()]),
        dkim_selectors: vec!["zegel".into()],
        ..Probe::default()
    }
}

fn status(report: &Report, id: CheckId, subject: &str) -> Status {
    report
        .check(id, subject)
        .unwrap_or_else(|| {
            panic!(
                "no {id:?} for {subject}:\n{}",
                zegel_domaincheck::render(report, Lang::En)
            )
        })
        .status
}

fn fact<'a>(report: &'a Report, id: CheckId, subject: &str, key: &str) -> Vec<&'a str> {
    report
        .check(id, subject)
        .map(|c| {
            c.facts
                .iter()
                .filter(|f| f.key == key)
                .map(|f| f.value.as_str())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_well_configured_domain_scores_full_marks() {
    let world = World::start().await;
    let report = check_domain("good.test", &probe(&world)).await.unwrap();
    let text = zegel_domaincheck::render(&report, Lang::En);
    let d = "good.test";
    let mx = "mx.good.test";
    for (id, subject, want) in [
        (CheckId::Spf, d, Status::Good),
        (CheckId::SpfPolicy, d, Status::Good),
        (CheckId::Dmarc, d, Status::Good),
        (CheckId::DmarcPolicy, d, Status::Good),
        (CheckId::DmarcReporting, d, Status::Good),
        (CheckId::Dkim, d, Status::Good),
        (CheckId::Mx, d, Status::Good),
        (CheckId::Starttls, mx, Status::Good),
        (CheckId::TlsVersions, mx, Status::Good),
        (CheckId::TlsCiphers, mx, Status::Good),
        (CheckId::TlsKeyExchange, mx, Status::Good),
        (CheckId::Certificate, mx, Status::Good),
        (CheckId::Dane, mx, Status::Good),
        (CheckId::MtaSts, d, Status::Good),
        (CheckId::TlsRpt, d, Status::Good),
    ] {
        assert_eq!(
            status(&report, id, subject),
            want,
            "{id:?} {subject}\n{text}"
        );
    }
    assert_eq!(report.score, 100, "{text}");
    assert_eq!(report.passed, report.required);
    assert_eq!(fact(&report, CheckId::Spf, d, "lookups"), ["2/10"]);
    assert_eq!(
        fact(&report, CheckId::TlsVersions, mx, "accepted"),
        ["TLSv1.3, TLSv1.2"]
    );
    assert_eq!(
        fact(&report, CheckId::TlsVersions, mx, "refused"),
        ["TLSv1.1, TLSv1.0"]
    );
    for key in [
        "suites_sufficient",
        "suites_phase_out",
        "suites_insufficient",
    ] {
        assert_eq!(
            fact(&report, CheckId::TlsCiphers, mx, key),
            ["refused"],
            "{key}"
        );
    }
    assert_eq!(fact(&report, CheckId::Dane, mx, "dnssec_ad"), ["yes"]);
    assert_eq!(fact(&report, CheckId::Dane, mx, "tlsa").len(), 2);
    let keys = fact(&report, CheckId::Dkim, d, "keys");
    assert!(
        keys[0].contains("zegel (ed25519)") && keys[0].contains("selector1 (rsa 2048)"),
        "{keys:?}"
    );
    assert_eq!(fact(&report, CheckId::MtaSts, d, "mode"), ["enforce"]);
    // No advice where nothing needs to change.
    for check in &report.checks {
        assert!(check.advice.is_none(), "{:?}: {:?}", check.id, check.advice);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_badly_configured_domain_gets_each_fault_named() {
    let world = World::start().await;
    let report = check_domain("bad.test", &probe(&world)).await.unwrap();
    let text = zegel_domaincheck::render(&report, Lang::En);
    let d = "bad.test";
    let (mx1, mx2) = ("mx1.bad.test", "mx2.bad.test");
    for (id, subject, want) in [
        (CheckId::Spf, d, Status::Bad),
        (CheckId::SpfPolicy, d, Status::Bad),
        (CheckId::Dmarc, d, Status::Bad),
        (CheckId::DmarcPolicy, d, Status::Bad),
        (CheckId::Dkim, d, Status::Bad),
        (CheckId::Mx, d, Status::Good),
        // mx1: no STARTTLS; nothing else can be tested.
        (CheckId::Starttls, mx1, Status::Bad),
        (CheckId::TlsVersions, mx1, Status::Bad),
        (CheckId::Certificate, mx1, Status::Bad),
        (CheckId::Dane, mx1, Status::Bad),
        // mx2: STARTTLS, but TLS 1.0/1.1, anonymous suites, wrong name.
        (CheckId::Starttls, mx2, Status::Good),
        (CheckId::TlsVersions, mx2, Status::Warning),
        (CheckId::TlsCiphers, mx2, Status::Bad),
        (CheckId::Certificate, mx2, Status::Bad),
        (CheckId::Dane, mx2, Status::Bad),
        (CheckId::MtaSts, d, Status::Bad),
        (CheckId::TlsRpt, d, Status::Bad),
    ] {
        assert_eq!(
            status(&report, id, subject),
            want,
            "{id:?} {subject}\n{text}"
        );
    }
    assert!(report.score < 30, "score {}\n{text}", report.score);
    // The SPF walk counted every lookup: 4 + 4 + 3 + 4 (spf1 twice).
    assert_eq!(fact(&report, CheckId::Spf, d, "lookups"), ["15/10"]);
    assert_eq!(fact(&report, CheckId::SpfPolicy, d, "all"), ["+all"]);
    let accepted = fact(&report, CheckId::TlsVersions, mx2, "accepted");
    assert!(
        accepted[0].contains("TLSv1.0") && accepted[0].contains("TLSv1.1"),
        "{accepted:?}"
    );
    assert!(
        fact(&report, CheckId::TlsCiphers, mx2, "suites_insufficient")[0].starts_with("accepted"),
        "{text}"
    );
    let cert = report.check(CheckId::Certificate, mx2).unwrap();
    assert!(
        cert.summary.en.contains("not valid for mx2.bad.test"),
        "{}",
        cert.summary.en
    );
    assert_eq!(
        fact(&report, CheckId::Certificate, mx2, "names"),
        ["mail.elsewhere.test"]
    );
    let sts = report.check(CheckId::MtaSts, d).unwrap();
    assert!(sts.summary.en.contains("404"), "{}", sts.summary.en);
    // Every failing check says what to do.
    for check in report
        .checks
        .iter()
        .filter(|c| c.status == Status::Bad && c.id != CheckId::TlsVersions)
    {
        if check.summary.en.starts_with("Not tested") {
            continue;
        }
        assert!(
            check.advice.is_some(),
            "{:?} {} has no advice",
            check.id,
            check.subject
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_spf_include_loop_is_found() {
    let world = World::start().await;
    let report = check_domain("loop.test", &probe(&world)).await.unwrap();
    let spf = report.check(CheckId::Spf, "loop.test").unwrap();
    assert_eq!(spf.status, Status::Bad);
    assert!(
        spf.summary
            .en
            .contains("loop: loop.test -> loop2.test -> loop.test"),
        "{}",
        spf.summary.en
    );
    // No MX, no address: nothing to probe, and the TLS checks do not count.
    assert_eq!(
        report.check(CheckId::Mx, "loop.test").unwrap().status,
        Status::Bad
    );
    assert!(report.checks_of(CheckId::Starttls).next().is_none());
}

#[tokio::test]
async fn bad_input_is_refused_before_any_lookup() {
    let err = check_domain("not a domain", &Probe::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a domain name"), "{err}");
}

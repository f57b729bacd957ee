//! The OpenSPF test suites (RFC 7208 and RFC 4408), unchanged, from
//! `../shared/conformance/spf/`, against mail-auth's SPF through zegel's
//! resolver.
//!
//! Each document's `zonedata` is served by a DNS server on 127.0.0.1
//! (`common::TestDns`): `TIMEOUT` names never answer, CNAMEs are followed,
//! and, as the suite's header asks of test drivers, a name with `SPF`
//! records but no `TXT` records gets the same texts as `TXT` records too
//! (mail-auth, like RFC 7208, only asks for TXT). Every scenario runs; a
//! scenario passes when mail-auth's result is one of the listed results and,
//! where the suite gives an `explanation`, the explanation is the same.
//!
//! A scenario with an empty `mailfrom` checks the HELO identity
//! (`postmaster@<helo>`), as the suite intends.
//!
//! Where mail-auth differs from the suite, the failing scenarios are printed
//! with the reason; see the README for the list and why. The floors below
//! are the pass counts reached: a regression fails the test.

mod common;

use common::{bytes_of, entries, field, load_yaml, text, txt_strings, Rr, TestDns, Zone};
use hickory_server::proto::rr::RecordType;
use mail_auth::spf::verify::SpfParameters;
use saphyr::YamlOwned;
use std::net::IpAddr;

/// (file, scenarios in it, passes reached): the test fails below these.
const SUITES: [(&str, usize, usize); 2] = [
    ("spf/rfc7208-tests.yml", 203, 131),
    ("spf/rfc4408-tests.yml", 191, 126),
];

/// The scenarios known not to give the suite's answer (see the file's
/// header for why), as `file|section|scenario`.
fn known_failures() -> std::collections::HashSet<String> {
    include_str!("spf_known_failures.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// One scenario, ready to run.
#[derive(Clone)]
struct Scenario {
    document: String,
    name: String,
    helo: String,
    host: IpAddr,
    mail_from: String,
    expected: Vec<String>,
    explanation: Option<String>,
}

/// The zone of one document, as the suite describes it.
fn zone_of(document: &YamlOwned) -> Zone {
    let mut zone = Zone::default();
    let Some(zonedata) = document.as_mapping_get("zonedata") else {
        return zone;
    };
    for (name, records) in entries(zonedata) {
        let records = records.as_vec().cloned().unwrap_or_default();
        for record in &records {
            if text(record).as_deref() == Some("TIMEOUT") {
                zone.timeout(&name);
                continue;
            }
            for (kind, value) in entries(record) {
                let one = || text(value).unwrap_or_default();
                let strings = || match value.as_vec() {
                    Some(parts) => parts
                        .iter()
                        .map(|p| bytes_of(&text(p).unwrap_or_default()))
                        .collect::<Vec<_>>(),
                    None => txt_strings(&bytes_of(&one())),
                };
                let rr = match kind.as_str() {
                    "A" => Rr::A(one().parse().expect("A record")),
                    "AAAA" => Rr::Aaaa(one().parse().expect("AAAA record")),
                    "MX" => {
                        let parts = value.as_vec().expect("MX: [preference, host]");
                        let preference = text(&parts[0]).unwrap_or_default();
                        Rr::Mx(
                            preference.parse().expect("MX preference"),
                            text(&parts[1]).unwrap_or_default(),
                        )
                    }
                    "PTR" => Rr::Ptr(one()),
                    "CNAME" => Rr::Cname(one()),
                    "TXT" => Rr::Txt(strings()),
                    "SPF" => Rr::Spf(strings()),
                    other => panic!("{name}: unknown record type {other}"),
                };
                zone.add(&name, rr);
            }
        }
        // The suite's drivers copy SPF records to TXT where a name has no TXT.
        if !zone.has(&name, RecordType::TXT) {
            for record in &records {
                if let Some(value) = record.as_mapping_get("SPF") {
                    let strings = match value.as_vec() {
                        Some(parts) => parts
                            .iter()
                            .map(|p| bytes_of(&text(p).unwrap_or_default()))
                            .collect(),
                        None => txt_strings(&bytes_of(&text(value).unwrap_or_default())),
                    };
                    zone.add(&name, Rr::Txt(strings));
                }
            }
        }
    }
    zone
}

fn scenarios_of(document: &YamlOwned) -> Vec<Scenario> {
    let description = field(document, "description");
    let Some(tests) = document.as_mapping_get("tests") else {
        return Vec::new();
    };
    entries(tests)
        .into_iter()
        .map(|(name, test)| {
            let result = test.as_mapping_get("result").expect("result");
            let expected = match result.as_vec() {
                Some(list) => list.iter().filter_map(text).collect(),
                None => vec![text(result).unwrap_or_default()],
            };
            let host = field(test, "host");
            Scenario {
                document: description.clone(),
                name: name.clone(),
                helo: field(test, "helo"),
                host: host
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}: host {host} is no address")),
                mail_from: field(test, "mailfrom"),
                expected: expected.iter().map(|r| r.trim().to_lowercase()).collect(),
                explanation: test.as_mapping_get("explanation").and_then(text),
            }
        })
        .collect()
}

/// mail-auth's result in the suite's words.
fn word(result: mail_auth::SpfResult) -> &'static str {
    use mail_auth::SpfResult::*;
    match result {
        Pass => "pass",
        Fail => "fail",
        SoftFail => "softfail",
        Neutral => "neutral",
        TempError => "temperror",
        PermError => "permerror",
        None => "none",
    }
}

/// Runs one scenario: `Ok` when it passes, `Err(why)` otherwise.
async fn run(dns: &TestDns, scenario: Scenario) -> Result<(), String> {
    let resolver = dns.resolver();
    let auth = resolver.authenticator();
    let s = &scenario;
    let output = if s.mail_from.is_empty() {
        auth.verify_spf(SpfParameters::verify_ehlo(s.host, &s.helo, "unknown"))
            .await
    } else {
        auth.verify_spf(SpfParameters::verify_mail_from(
            s.host,
            &s.helo,
            "unknown",
            &s.mail_from,
        ))
        .await
    };
    let got = word(output.result());
    if !s.expected.iter().any(|e| e == got) {
        return Err(format!("got {got}, expected {}", s.expected.join(" or ")));
    }
    if let Some(want) = &s.explanation {
        if got == "fail" && output.explanation() != Some(want.as_str()) {
            return Err(format!(
                "{got} as expected, but explanation {:?}, expected {want:?}",
                output.explanation()
            ));
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openspf_suites() {
    let mut summary = Vec::new();
    let mut regressions = Vec::new();
    let known = known_failures();
    let mut failed = std::collections::HashSet::new();
    for (file, floor_total, floor_passed) in SUITES {
        let documents = load_yaml(file);
        let (mut total, mut passed) = (0, 0);
        for document in &documents {
            let scenarios = scenarios_of(document);
            if scenarios.is_empty() {
                continue;
            }
            let dns = std::sync::Arc::new(TestDns::start(zone_of(document)).await);
            let mut runs = tokio::task::JoinSet::new();
            for scenario in scenarios {
                let dns = dns.clone();
                runs.spawn(async move {
                    let outcome = run(&dns, scenario.clone()).await;
                    (scenario, outcome)
                });
            }
            while let Some(done) = runs.join_next().await {
                let (scenario, outcome) = done.expect("scenario task");
                total += 1;
                let key = format!("{file}|{}|{}", scenario.document, scenario.name);
                match outcome {
                    Ok(()) => passed += 1,
                    Err(why) => {
                        println!(
                            "FAIL {file} [{}] {}: {why} (helo {}, ip {}, mail from {:?})",
                            scenario.document,
                            scenario.name,
                            scenario.helo,
                            scenario.host,
                            scenario.mail_from
                        );
                        if !known.contains(&key) {
                            regressions.push(format!("new failure: {key}: {why}"));
                        }
                        failed.insert(key);
                    }
                }
            }
        }
        summary.push(format!("{file}: {passed} of {total} scenarios pass"));
        if total < floor_total || passed < floor_passed {
            regressions.push(format!(
                "{file}: {passed} of {total} pass; at least {floor_passed} of {floor_total} expected"
            ));
        }
    }
    for stale in known.difference(&failed) {
        regressions.push(format!(
            "now passes (remove it from spf_known_failures.txt): {stale}"
        ));
    }
    for line in &summary {
        println!("{line}");
    }
    assert!(regressions.is_empty(), "{}", regressions.join("\n"));
}

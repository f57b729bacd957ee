//! The ValiMail ARC suites (`arc-draft-validation-tests.yml`,
//! `arc-draft-sign-tests.yml`), unchanged, from `../shared/conformance/arc/`,
//! against mail-auth's ARC verification and sealing through zegel's
//! resolver. A missing suite folder fails the test.
//!
//! Each document's `txt-records` are served by a DNS server on 127.0.0.1
//! (`common::TestDns`); line breaks inside a record value (YAML literal
//! blocks) are dropped, as a TXT record has none.
//!
//! The validation file repeats four scenario names within one document
//! (`as_fields_b_head_case` and others: YAML forbids duplicate keys); each
//! repeat is read under its name with `#2` appended, so every one of the
//! 175 scenarios runs.
//!
//! Validation: every scenario's message goes through `verify_arc`; its
//! result in the suite's words (`pass`, `none`, anything else `fail`) must be
//! the scenario's `cv`. Three scenarios (`cv_fail_i1_as_cv_fail`,
//! `cv_fail_i2_as2_fail`, `cv_fail_i2_as1_fail`) leave `cv` empty; by their
//! names and descriptions (an ARC-Seal carrying `cv=fail`) they expect a
//! failed chain, and are run that way.
//!
//! Signing: sealing output cannot be compared byte for byte (the suite's
//! `t=` is fixed, mail-auth stamps the current time and writes its own
//! ARC-Authentication-Results). The suite's key is 1024-bit RSA, which ring
//! (mail-auth's crypto backend here) refuses for signing; so each message is
//! sealed with a 2048-bit RSA test key (below, made for this test only) under
//! the suite's domain and another selector, and a scenario passes when
//! - sealing is refused exactly where the suite expects no new set (empty
//!   `AS`: the chain already failed),
//! - the new set's `i=` and `cv=` are the suite's, and its body hash `bh=`
//!   is the suite's (canonicalization is deterministic),
//! - the sealed message validates as the suite's seal says: a chain that
//!   passes when the new `cv` is `none` or `pass`, one that fails for
//!   `cv=fail`.
//!
//! Scenarios where mail-auth differs from the suite are listed in `KNOWN`
//! with the reason; the test fails on any other failure, and on a listed
//! scenario that passes (the list must stay true).

mod common;

use common::{conformance_dir, crlf, entries, field, txt_strings, Rr, TestDns, Zone};
use mail_auth::arc::ArcSealer;
use mail_auth::common::crypto::{RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::Canonicalization;
use mail_auth::{AuthenticatedMessage, AuthenticationResults, DkimResult};
use saphyr::{LoadableYamlNode, YamlOwned};
use std::net::{IpAddr, Ipv4Addr};
use zegel_mailauth::DkimKey;

/// Scenarios that fail because of a known mail-auth (0.13) behaviour, with
/// the reason.
const KNOWN: &[(&str, &str)] = &[
    (
        "cv_fail_i1_ams_na",
        "mail-auth counts ARC sets by their ARC-Message-Signature: ARC-Seal and \
         ARC-Authentication-Results without any AMS give arc=none, not fail",
    ),
    (
        "ams_struct_missing",
        "as cv_fail_i1_ams_na: no AMS at all, so mail-auth reports arc=none, not fail",
    ),
    (
        "ams_fields_a_sha1",
        "mail-auth accepts rsa-sha1 in an AMS; RFC 8617 allows rsa-sha256 only",
    ),
    (
        "ams_fields_a_na",
        "mail-auth's tag parser defaults a missing a= in an AMS to rsa-sha256 \
         instead of rejecting the signature",
    ),
    (
        "ams_fields_c_na",
        "without c= mail-auth applies DKIM's default simple/simple (RFC 6376 3.5, \
         which RFC 8617 4.1.2 refers to); the suite's signer used relaxed",
    ),
    (
        "ams_fields_h_empty",
        "mail-auth refuses an AMS with an empty h= (no signed header); the suite \
         accepts it",
    ),
    (
        "ams_fields_h_includes_as",
        "mail-auth does not reject an AMS whose h= names ARC-Seal (RFC 8617 4.1.2 \
         forbids it)",
    ),
    (
        "as_format_inv_tag_key",
        "mail-auth's tag parser skips a malformed tag (`_=`) instead of failing",
    ),
    (
        "as_format_tags_dup",
        "mail-auth's tag parser takes a repeated tag instead of failing (RFC 6376 \
         3.2: a duplicate tag makes the list invalid)",
    ),
    (
        "as_format_tags_key_case",
        "mail-auth reads tag names case-insensitively; the suite wants an \
         upper-case tag name to fail (RFC 6376 3.2: tag names are case-sensitive)",
    ),
    (
        "as_format_tags_sc",
        "mail-auth's tag parser accepts an empty tag (`;;`); the suite wants it to fail",
    ),
    (
        "as_fields_a_sha1",
        "mail-auth accepts rsa-sha1 in an ARC-Seal; RFC 8617 allows rsa-sha256 only",
    ),
    (
        "as_fields_a_na",
        "mail-auth defaults a missing a= in an ARC-Seal to rsa-sha256 instead of \
         rejecting the seal",
    ),
];

/// A 2048-bit RSA key made for this test only (`openssl genrsa
/// -traditional 2048`): ring signs with RSA keys of 2048 bits or more.
const SEAL_KEY: &str = "-----BEGIN RSA PRIVATE KEY-----\n\
MIIEpAIBAAKCAQEA2fSeri0Jng7uJBPoQ7seRTqtkD+b+c8Gz/URm8rTxUzwjdcs\n\
4yuVGYDMWH7aLzk1kIdDd+hcwnBqW8fbqp3r6uma27mASNBu2X3MarfHBPZMuzov\n\
RcWFK/7IL41Y3QvjyxU9BHt5EkY4OG2rhfBNH2ThMiRlysTv5TXHgPqJpEGOKp5Y\n\
GI3OzL4FoNE8zXMchvgSICnfXGhfhBXmKeSZ1xVBNNBh7j3ZDFBVofiwkL3A4mXl\n\
mCEv25e3DUne/hSWQCOY0wqssuFTMGEBHlLwxG/DQRlL7PQqhoQg1qIUNxTIBRwi\n\
PWBvZ2ppmrnx+lPFRUty4m5DZSEOP9UO8bTCawIDAQABAoIBAAqITq6+EGvp7soh\n\
iCTVwwW3azHAUSpGPd8IybwMliU/rZQ9JLcpoP/lgHp6TtLfYd5FGxaNTQY8Znde\n\
9heNoBvvBAPAOBnMsL6j3J//l4d+24BktGobvG6+1i+uFfBApdZnhVZVHSmr6QWZ\n\
DyPe0+tDdbp1ldGxqKIb8jMiaEpepcDebfcde+PSsMvX583ZaIbeTbPacUTV5Z4o\n\
dGuitvT6hAwa5PNix/73hnhIVmp9yqx8KwKqK9yxeIQd+vXCPxjDCsKzJoZdt3MO\n\
/UHhUaNgDe/cbAipvmpQdcinrTjS/vD+/sSwYBNL3d8GazQoGhbEYKqIX/uOoQ/R\n\
t2wNOnkCgYEA+k01987GQke4PwheuM8CAh0IQKcIUtNWsmOO/UHuum2oG0SZhzeY\n\
8BQjJ/DcLSrkopTp5AFGG/lHWZA0UQTACvQ7d4Z/EMA5o8mRAa/qbQ8nsf6EM980\n\
iEo03XqzebCnqrrmRuvckGVEyWA0UACLYeCZvgmrdBrxvN9jyW9QaZcCgYEA3urk\n\
Y2WMyE/JgTJ1naNTPsQ923veH7X/xoEeBZg/YiUAv42Fa4trfMDszLUByB7HUlZO\n\
3GtaRGUoF9fmqjS568+ngHYFKixZxsfbsW/6dUN+Hq9vrS9P/wchlY69OWdJpbzW\n\
aUmpo7P8Tm8KV84G7wDoZVBPf9X6PbKrDExDAE0CgYEAyS2z2dh9a5p/kVIl5/6i\n\
S5aQIn7eZsvsm/b/X7lVqswmWLxbdd4O87ALzbd/EGKwX6i3EQahFizW1zrbgd8C\n\
iAtjnJ8ilBEcgvOotCVzk3Kh4iOCmLqnW3/hW76acI23RbdxDMHYhsqObhkAEulN\n\
Hj9K8v6MqwZZFAitCKOKi0MCgYBcbf0BEcxMCnk87tVB5cTQk8IqTbQOZgKGJmdy\n\
Xmx5n2ouAto9e3O4KK6HOs5gUhLHmy3by0+EaIU1TbpA/NfSZSnI5CbEE9utxpTb\n\
f9jT4oZa5tdhceqzjhtozeS79o3dAO3OflKupCSLyRL60VyioTe7Oo+cK/c0ue6e\n\
jMiDSQKBgQCJUzp1ThLoBa9E4oQaZT5fjuxbKv1FApxUKlSIhH4O3IQLIgYLvNwS\n\
irBis/AXoUB/6zpTbtNkO39Kpyz1WHnLYRPaqVQ8pnW830O93LGHdc0symlqpKGc\n\
qPHcbsa2eso3u0++hahMbO+JJrNfyiOyYGhv65dZUzf3UTbJfSVntg==\n\
-----END RSA PRIVATE KEY-----";

/// The selector the test key is published under.
const SEAL_SELECTOR: &str = "zegel-arc-test";

/// A suite file's YAML documents; a scenario name repeated within a
/// document gets `#2`, `#3`, … appended.
fn load_suite(relative: &str) -> Vec<YamlOwned> {
    let path = conformance_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut seen = std::collections::HashMap::<String, usize>::new();
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        if line.starts_with("---") {
            seen.clear();
        }
        let is_scenario = line.starts_with("  ")
            && !line.starts_with("   ")
            && line.trim_end().ends_with(':')
            && !line.trim().contains(' ');
        if is_scenario {
            let name = line.trim().trim_end_matches(':').to_string();
            let count = seen.entry(name.clone()).or_insert(0);
            *count += 1;
            if *count > 1 {
                out.push_str(&format!("  {name}#{count}:\n"));
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    YamlOwned::load_from_str(&out)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()))
}

/// The test key as mail-auth's RSA key.
fn seal_key() -> RsaKey<Sha256> {
    match DkimKey::from_pem(SEAL_KEY) {
        Some(DkimKey::Rsa(key)) => key,
        _ => panic!("the ARC test key is no RSA key"),
    }
}

fn zone_of(document: &YamlOwned) -> Zone {
    let mut zone = Zone::default();
    if let Some(records) = document.as_mapping_get("txt-records") {
        for (name, value) in entries(records) {
            let value = common::text(value).unwrap_or_default();
            let value: String = value.lines().map(str::trim_end).collect();
            zone.add(&name, Rr::Txt(txt_strings(value.as_bytes())));
        }
    }
    zone
}

/// `cv` in the suite's words.
fn word(result: &DkimResult) -> &'static str {
    match result {
        DkimResult::Pass => "pass",
        DkimResult::None => "none",
        _ => "fail",
    }
}

/// A tag's value in a header's tag list (`cv=none; d=...`).
fn tag(header: &str, name: &str) -> Option<String> {
    let unfolded: String = header.split_whitespace().collect();
    unfolded.split(';').find_map(|t| {
        let (k, v) = t.split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

async fn validate(dns: &TestDns, test: &YamlOwned) -> Result<(), String> {
    let raw = crlf(&field(test, "message"));
    let expected = match field(test, "cv").trim().to_ascii_lowercase() {
        empty if empty.is_empty() => "fail".to_string(),
        cv => cv,
    };
    let got = match AuthenticatedMessage::parse(raw.as_bytes()) {
        None => "none",
        Some(message) => {
            let resolver = dns.resolver();
            word(resolver.authenticator().verify_arc(&message).await.result())
        }
    };
    if got == expected {
        Ok(())
    } else {
        Err(format!("got cv={got}, expected cv={expected}"))
    }
}

async fn sign(dns: &TestDns, domain: &str, test: &YamlOwned) -> Result<(), String> {
    let raw = crlf(&field(test, "message"));
    let expected_as = field(test, "AS");
    let expected_ams = field(test, "AMS");
    let message = AuthenticatedMessage::parse(raw.as_bytes()).ok_or("message unparseable")?;
    let resolver = dns.resolver();
    let auth = resolver.authenticator();
    let arc = auth.verify_arc(&message).await;
    let srv_id = field(test, "srv-id");
    let results =
        AuthenticationResults::new(&srv_id).with_arc_result(&arc, IpAddr::V4(Ipv4Addr::LOCALHOST));
    let sealer = ArcSealer::from_key(seal_key())
        .domain(domain)
        .selector(SEAL_SELECTOR)
        .headers(field(test, "sig-headers").split(':').map(str::to_string))
        .header_canonicalization(Canonicalization::Relaxed)
        .body_canonicalization(Canonicalization::Relaxed);
    let sealed = sealer.seal(&message, &results, &arc);
    let set = match (sealed, expected_as.trim().is_empty()) {
        (Err(_), true) => return Ok(()),
        (Ok(_), true) => return Err("sealed, but the suite expects no new ARC set".into()),
        (Err(e), false) => return Err(format!("sealing refused: {e}")),
        (Ok(set), false) => set,
    };
    let headers = set.to_header();
    let new_seal = headers
        .split("ARC-")
        .find_map(|h| h.strip_prefix("Seal:"))
        .unwrap_or_default()
        .to_string();
    let new_ams = headers
        .split("ARC-")
        .find_map(|h| h.strip_prefix("Message-Signature:"))
        .unwrap_or_default()
        .to_string();
    for (what, got, want) in [
        ("AS i", tag(&new_seal, "i"), tag(&expected_as, "i")),
        ("AS cv", tag(&new_seal, "cv"), tag(&expected_as, "cv")),
        ("AMS bh", tag(&new_ams, "bh"), tag(&expected_ams, "bh")),
    ] {
        if got != want {
            return Err(format!("{what}: got {got:?}, expected {want:?}"));
        }
    }
    let sealed = format!("{headers}{raw}");
    let sealed = AuthenticatedMessage::parse(sealed.as_bytes()).ok_or("sealed unparseable")?;
    let resolver = dns.resolver();
    let got = word(resolver.authenticator().verify_arc(&sealed).await.result());
    let want = match tag(&expected_as, "cv").as_deref() {
        Some("fail") => "fail",
        _ => "pass",
    };
    if got != want {
        return Err(format!(
            "the sealed message validates as {got}, expected {want}"
        ));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valimail_arc_suites() {
    assert!(
        conformance_dir()
            .join("arc/arc-draft-validation-tests.yml")
            .is_file()
            && conformance_dir()
                .join("arc/arc-draft-sign-tests.yml")
                .is_file(),
        "the ARC suites are missing from {}",
        conformance_dir().join("arc").display()
    );
    let seal_record = DkimKey::from_pem(SEAL_KEY).expect("test key").dns_record();
    let dns = TestDns::start(Zone::default()).await;
    let mut summary = Vec::new();
    let mut unexpected = Vec::new();
    let mut known_seen = Vec::new();
    for file in [
        "arc/arc-draft-validation-tests.yml",
        "arc/arc-draft-sign-tests.yml",
    ] {
        let signing = file.contains("sign");
        let (mut total, mut passed) = (0, 0);
        for document in load_suite(file) {
            let domain = field(&document, "domain");
            let mut zone = zone_of(&document);
            if signing {
                zone.add(
                    &format!("{SEAL_SELECTOR}._domainkey.{domain}"),
                    Rr::Txt(txt_strings(seal_record.as_bytes())),
                );
            }
            dns.set_zone(zone);
            let Some(tests) = document.as_mapping_get("tests") else {
                continue;
            };
            for (name, test) in entries(tests) {
                total += 1;
                let outcome = if signing {
                    sign(&dns, &domain, test).await
                } else {
                    validate(&dns, test).await
                };
                let known = KNOWN.iter().find(|(n, _)| *n == name);
                match (outcome, known) {
                    (Ok(()), None) => passed += 1,
                    (Ok(()), Some(_)) => {
                        passed += 1;
                        unexpected.push(format!("{file} {name}: passes, but is listed in KNOWN"));
                    }
                    (Err(why), Some((_, reason))) => {
                        known_seen.push(name.clone());
                        println!("KNOWN {file} {name}: {why} ({reason})");
                    }
                    (Err(why), None) => {
                        println!("FAIL {file} {name}: {why}");
                        unexpected.push(format!("{file} {name}: {why}"));
                    }
                }
            }
        }
        summary.push(format!("{file}: {passed} of {total} scenarios pass"));
    }
    for line in &summary {
        println!("{line}");
    }
    for (name, _) in KNOWN {
        if !known_seen.iter().any(|n| n == name) && !unexpected.iter().any(|u| u.contains(name)) {
            unexpected.push(format!("KNOWN lists {name}, which no suite has"));
        }
    }
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
}

//! `zegel check-domain`, the real binary, against the two test domains of
//! zegel-domaincheck's tests (`world/mod.rs`, included by path): good.test
//! (everything right) and bad.test (everything wrong), DNS from a
//! hickory-server zone on 127.0.0.1 through `[dns] servers`, MX hosts and
//! the MTA-STS policy host on 127.0.0.21-24, trust from `--ca-file`.

#[path = "../../zegel-domaincheck/tests/world/mod.rs"]
mod world;

use std::process::{Command, Output};
use world::World;

struct Run {
    _dir: tempfile::TempDir,
    args: Vec<String>,
}

fn setup(world: &World) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("zegel.toml");
    std::fs::write(&config, format!("[dns]\nservers = [\"{}\"]\n", world.dns)).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &world.ca_pem).unwrap();
    let args = [
        "--config",
        config.to_str().unwrap(),
        "--smtp-port",
        &world.smtp_port.to_string(),
        "--https-port",
        &world.https_port.to_string(),
        "--ca-file",
        ca.to_str().unwrap(),
        "--dkim-selector",
        "zegel",
        "--timeout",
        "5",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    Run { _dir: dir, args }
}

/// `zegel check-domain DOMAIN <setup> EXTRA…`, on a blocking thread (the
/// test world runs on the test's runtime).
async fn check(run: &Run, domain: &str, extra: &[&str]) -> Output {
    let mut args = vec!["check-domain".to_string(), domain.to_string()];
    args.extend(run.args.iter().cloned());
    args.extend(extra.iter().map(|s| s.to_string()));
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_zegel"))
            .args(&args)
            .output()
            .expect("run zegel")
    })
    .await
    .unwrap()
}

async fn json(run: &Run, domain: &str) -> serde_json::Value {
    let out = check(run, domain, &["--json"]).await;
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The status of check `id` for `subject`.
fn status<'a>(report: &'a serde_json::Value, id: &str, subject: &str) -> &'a str {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id && c["subject"] == subject)
        .unwrap_or_else(|| panic!("no {id} for {subject}: {report}"))["status"]
        .as_str()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_test_scores_full_marks() {
    let world = World::start().await;
    let run = setup(&world);
    let text = check(&run, "good.test", &["--lang", "en"]).await;
    assert!(text.status.success(), "{text:?}");
    let text = String::from_utf8(text.stdout).unwrap();
    println!("{text}");
    let report = json(&run, "good.test").await;
    assert_eq!(report["score"], 100, "{text}");
    for id in [
        "spf",
        "spf_policy",
        "dmarc",
        "dmarc_policy",
        "dmarc_reporting",
        "dkim",
        "mx",
        "mta_sts",
        "tls_rpt",
    ] {
        assert_eq!(status(&report, id, "good.test"), "good", "{id}\n{text}");
    }
    for id in [
        "starttls",
        "tls_versions",
        "tls_ciphers",
        "certificate",
        "dane",
    ] {
        assert_eq!(status(&report, id, "mx.good.test"), "good", "{id}\n{text}");
    }
    // Dutch by default.
    let nl = check(&run, "good.test", &[]).await;
    let nl = String::from_utf8(nl.stdout).unwrap();
    assert!(nl.contains("SPF-record"), "{nl}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_test_gets_each_fault_named() {
    let world = World::start().await;
    let run = setup(&world);
    let text = check(&run, "bad.test", &["--lang", "en"]).await;
    assert!(text.status.success(), "{text:?}");
    let text = String::from_utf8(text.stdout).unwrap();
    println!("{text}");
    let report = json(&run, "bad.test").await;
    assert!(report["score"].as_u64().unwrap() < 30, "{text}");
    for id in [
        "spf",
        "spf_policy",
        "dmarc",
        "dmarc_policy",
        "dkim",
        "mta_sts",
        "tls_rpt",
    ] {
        assert_eq!(status(&report, id, "bad.test"), "bad", "{id}\n{text}");
    }
    assert_eq!(status(&report, "starttls", "mx1.bad.test"), "bad", "{text}");
    assert_eq!(
        status(&report, "certificate", "mx2.bad.test"),
        "bad",
        "{text}"
    );
    assert_eq!(
        status(&report, "tls_ciphers", "mx2.bad.test"),
        "bad",
        "{text}"
    );
    assert!(text.contains("+all"), "{text}");
    assert!(text.contains("15/10"), "{text}");
}

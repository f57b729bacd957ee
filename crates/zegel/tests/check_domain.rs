//! `zegel check-domain`, the real binary, against the two test domains of
//! zegel-domaincheck's tests (`world/mod.rs`, included by path): good.test
//! (everything right) and bad.test (everything wrong), DNS from a
//! hickory-server zone on 127.0.0.1 through `[dns] servers`, MX hosts and
//! the MTA-STS policy host on 127.0.0.21-24, trust from `--ca-file`. And
//! the same check as the staff web's domain page (`[domain_check]`).

#[path = "../../zegel-domaincheck/tests/world/mod.rs"]
mod world;

mod common;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_web_shows_the_organisations_domain_check() {
    use common::staff_web::{add, admin, enroll};
    use common::visitor::Visitor;
    let world = World::start().await;
    let sink = zegel_testkit::Sink::start();
    let (temp, port) = common::init(&sink, &[]);
    let ca = temp.path().join("ca.pem");
    std::fs::write(&ca, &world.ca_pem).unwrap();
    let config = temp.path().join("zegel.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    // The template's [domain_check] holds only comments: fill it in.
    text = text.replacen(
        "[domain_check]",
        &format!(
            "[domain_check]\ndomain = \"bad.test\"\nsmtp_port = {}\nhttps_port = {}\nca_file = \"{}\"\ntimeout_secs = 5\n",
            world.smtp_port,
            world.https_port,
            ca.display()
        ),
        1,
    );
    text.push_str(&format!("\n[dns]\nservers = [\"{}\"]\n", world.dns));
    std::fs::write(&config, text).unwrap();
    let dir = temp.path().to_path_buf();
    let z = tokio::task::spawn_blocking(move || common::Zegel::run(&dir, port))
        .await
        .unwrap();
    add(&z, "fg@zorg.nl", "admin");
    add(&z, "jan@zorg.nl", "sender");
    let secret = enroll(&z, "fg@zorg.nl");

    let mut jan = Visitor::new(z.http_port);
    common::staff_web::password(&mut jan, "jan@zorg.nl", common::staff_web::PASSWORD).await;
    assert_eq!(
        jan.get("/app/admin/domain").await.status,
        reqwest::StatusCode::FORBIDDEN
    );

    let mut fg = Visitor::new(z.http_port);
    admin(&mut fg, "fg@zorg.nl", &secret).await;
    let page = fg.get("/app/admin/domain?lang=en").await;
    assert_eq!(page.status, reqwest::StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Domain check: bad.test"),
        "{}",
        page.body
    );
    let at = page.body.find("id=\"score\">").unwrap() + 11;
    let score: u32 = page.body[at..].split('<').next().unwrap().parse().unwrap();
    assert!(score < 30, "bad.test scores low: {score}");
    // Each fault named, with advice, as the command gives it.
    assert!(page.body.contains("+all"), "{}", page.body);
    assert!(page.body.contains("class=\"status bad\""));
    assert!(page.body.contains("SPF record") && page.body.contains("mx1.bad.test"));
    drop(z);
    drop(temp);
}

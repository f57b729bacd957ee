//! `zegel dkim keygen` and `zegel verify`, the real binary, against a
//! hickory-server zone on 127.0.0.1 (zegel-domaincheck's test DNS): a key
//! made by keygen, its printed record published, a message signed with it
//! (zegel_mailauth::DkimSigner) verifies as dkim=pass; a tampered copy does
//! not; SPF passes or fails by --client-ip; the DMARC policy (reject)
//! follows.

#[path = "../../zegel-domaincheck/tests/world/mod.rs"]
mod world;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use zegel_mailauth::{DkimKey, DkimSigner};

fn zegel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zegel"))
        .args(args)
        .output()
        .expect("run zegel")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The value after `key:` on the line that starts with it.
fn line_value(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .unwrap_or_else(|| panic!("no '{key}' line in:\n{text}"))
        .trim()
        .to_string()
}

/// A TXT value in zone file syntax: strings of at most 255 bytes.
fn quoted(value: &str) -> String {
    value
        .as_bytes()
        .chunks(255)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect::<Vec<_>>()
        .join(" ")
}

const MESSAGE: &str = "From: Jan de Vries <jan@zorg.test>\r\n\
To: Piet <piet@example.net>\r\n\
Subject: Overleg dinsdag\r\n\
Date: Mon, 23 Nov 2026 10:00:00 +0100\r\n\
Message-ID: <overleg-1@zorg.test>\r\n\
\r\n\
Beste Piet,\r\n\
\r\n\
Zullen we dinsdag om tien uur overleggen?\r\n\
\r\n\
Jan\r\n";

struct Setup {
    _dir: tempfile::TempDir,
    config: PathBuf,
    signed: PathBuf,
    tampered: PathBuf,
    _dns: world::Dns,
}

/// Keys made by `zegel dkim keygen` (Ed25519 under s1, RSA under r1), their
/// printed records in the zone with SPF and DMARC for zorg.test, a config
/// pointing [dns] servers at it, and the message signed with both keys.
async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let mut records = Vec::new();
    let mut signers = Vec::new();
    for (selector, algorithm) in [("s1", "ed25519"), ("r1", "rsa")] {
        let key = dir.path().join(format!("{selector}.pem"));
        let out = zegel(&[
            "dkim",
            "keygen",
            "--domain",
            "zorg.test",
            "--selector",
            selector,
            "--algorithm",
            algorithm,
            "-o",
            key.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{out:?}");
        let text = stdout(&out);
        let name = line_value(&text, "name:");
        assert_eq!(name, format!("{selector}._domainkey.zorg.test"));
        let value = line_value(&text, "value:");
        assert!(
            value.starts_with(&format!("v=DKIM1; k={algorithm}; p=")),
            "{value}"
        );
        records.push(format!("{name}. IN TXT {}", quoted(&value)));
        signers.push(DkimSigner::new(
            "zorg.test",
            selector,
            DkimKey::load(&key).unwrap(),
        ));
    }
    let zone = format!(
        "$ORIGIN test.\n$TTL 0\n\
         @ IN SOA ns.test. admin.test. 1 3600 600 86400 0\n\
         @ IN NS ns.test.\n\
         ns IN A 127.0.0.1\n\
         zorg IN TXT \"v=spf1 ip4:192.0.2.10 -all\"\n\
         _dmarc.zorg IN TXT \"v=DMARC1; p=reject\"\n\
         {}\n",
        records.join("\n")
    );
    let dns = world::Dns::start(&zone).await;
    let config = dir.path().join("zegel.toml");
    std::fs::write(
        &config,
        format!(
            "[dns]\nservers = [\"{}\"]\n\n[smtp]\nhostname = \"mx.ontvanger.test\"\n",
            dns.relay
        ),
    )
    .unwrap();
    let mut signed = MESSAGE.as_bytes().to_vec();
    for signer in &signers {
        signed = signer.sign(&signed).unwrap();
    }
    let tampered = String::from_utf8(signed.clone())
        .unwrap()
        .replace("tien uur", "elf uur");
    let (signed_path, tampered_path) = (
        dir.path().join("signed.eml"),
        dir.path().join("tampered.eml"),
    );
    std::fs::write(&signed_path, &signed).unwrap();
    std::fs::write(&tampered_path, tampered).unwrap();
    Setup {
        _dir: dir,
        config,
        signed: signed_path,
        tampered: tampered_path,
        _dns: dns,
    }
}

/// `zegel verify FILE --config … ARGS…` on a blocking thread (the DNS
/// server runs on the test's runtime).
async fn verify(setup: &Setup, file: &Path, args: &[&str]) -> Output {
    let mut all = vec![
        "verify".to_string(),
        file.display().to_string(),
        "--config".to_string(),
        setup.config.display().to_string(),
    ];
    all.extend(args.iter().map(|s| s.to_string()));
    tokio::task::spawn_blocking(move || {
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        zegel(&all)
    })
    .await
    .unwrap()
}

async fn verify_json(setup: &Setup, file: &Path, args: &[&str]) -> serde_json::Value {
    let mut args = args.to_vec();
    args.push("--json");
    let out = verify(setup, file, &args).await;
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

const ALLOWED: [&str; 6] = [
    "--client-ip",
    "192.0.2.10",
    "--mail-from",
    "jan@zorg.test",
    "--helo",
    "mail.zorg.test",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_signed_with_a_keygen_key_verifies() {
    let setup = setup().await;
    let out = verify(
        &setup,
        &setup.signed,
        &[&ALLOWED[..], &["--lang", "en"]].concat(),
    )
    .await;
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    println!("{text}");
    assert!(text.contains("SPF:   pass"), "{text}");
    assert!(
        text.contains("DKIM:  pass (d=zorg.test s=s1 a=ed25519-sha256)"),
        "{text}"
    );
    assert!(
        text.contains("DKIM:  pass (d=zorg.test s=r1 a=rsa-sha256)"),
        "{text}"
    );
    assert!(text.contains("DMARC: pass"), "{text}");
    assert!(
        text.contains("Authentication-Results: mx.ontvanger.test;"),
        "{text}"
    );
    assert!(text.contains("dkim=pass"), "{text}");
    assert!(text.contains("spf=pass"), "{text}");
    assert!(text.contains("dmarc=pass"), "{text}");

    let json = verify_json(&setup, &setup.signed, &ALLOWED).await;
    assert_eq!(json["spf"]["result"], "pass", "{json}");
    assert_eq!(json["dkim"][0]["result"], "pass", "{json}");
    assert_eq!(json["dkim"][1]["result"], "pass", "{json}");
    assert_eq!(json["dmarc"]["result"], "pass", "{json}");
    assert_eq!(json["dmarc"]["policy"], "reject", "{json}");
    // Dutch by default.
    let reason = json["dkim"][0]["reason"].as_str().unwrap();
    assert!(!reason.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_message_fails_dkim() {
    let setup = setup().await;
    // SPF still passes (the client is allowed), so DMARC passes on SPF.
    let json = verify_json(&setup, &setup.tampered, &ALLOWED).await;
    for signature in json["dkim"].as_array().unwrap() {
        assert_ne!(signature["result"], "pass", "{json}");
    }
    assert_eq!(json["dkim"].as_array().unwrap().len(), 2, "{json}");
    assert!(
        json["authentication_results"]
            .as_str()
            .unwrap()
            .contains("dkim=neutral")
            || json["authentication_results"]
                .as_str()
                .unwrap()
                .contains("dkim=fail"),
        "{json}"
    );
    // From a client SPF does not allow, nothing authenticates: DMARC fails
    // and the domain's policy is reject.
    let json = verify_json(
        &setup,
        &setup.tampered,
        &[
            "--client-ip",
            "203.0.113.5",
            "--mail-from",
            "jan@zorg.test",
            "--lang",
            "en",
        ],
    )
    .await;
    assert_eq!(json["spf"]["result"], "fail", "{json}");
    assert_eq!(json["dmarc"]["result"], "fail", "{json}");
    assert_eq!(json["dmarc"]["policy"], "reject", "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spf_passes_or_fails_by_client_ip() {
    let setup = setup().await;
    let pass = verify_json(&setup, &setup.signed, &ALLOWED).await;
    assert_eq!(pass["spf"]["result"], "pass", "{pass}");
    let fail = verify_json(
        &setup,
        &setup.signed,
        &[
            "--client-ip",
            "198.51.100.7",
            "--mail-from",
            "jan@zorg.test",
        ],
    )
    .await;
    assert_eq!(fail["spf"]["result"], "fail", "{fail}");
    // DKIM is aligned, so DMARC still passes.
    assert_eq!(fail["dmarc"]["result"], "pass", "{fail}");
    // Without --client-ip SPF is not checked, and says so.
    let none = verify(&setup, &setup.signed, &["--lang", "en"]).await;
    let text = stdout(&none);
    assert!(text.contains("SPF:   none — not checked"), "{text}");
    assert!(!text.contains("spf="), "{text}");
}

#[test]
fn keygen_writes_an_owner_only_key_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pem");
    let args = [
        "dkim",
        "keygen",
        "--domain",
        "zorg.test",
        "--selector",
        "s2",
        "-o",
        key.to_str().unwrap(),
    ];
    let first = zegel(&args);
    assert!(first.status.success(), "{first:?}");
    let pem = std::fs::read_to_string(&key).unwrap();
    assert!(DkimKey::from_pem(&pem).is_some());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let second = zegel(&args);
    assert_eq!(second.status.code(), Some(2), "{second:?}");
    assert!(String::from_utf8_lossy(&second.stderr).contains("not overwritten"));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), pem);
    // RSA below 2048 bits is refused.
    let small = zegel(&[
        "dkim",
        "keygen",
        "--domain",
        "zorg.test",
        "--selector",
        "s3",
        "--algorithm",
        "rsa",
        "--bits",
        "1024",
        "-o",
        dir.path().join("small.pem").to_str().unwrap(),
    ]);
    assert_eq!(small.status.code(), Some(2), "{small:?}");
    assert!(!dir.path().join("small.pem").exists());
}

//! `zegel serve` with `[storage] blobs = "s3://…"` against a real
//! S3-compatible server on 127.0.0.1 (moto's, zegel_testkit::s3): a large
//! mail is accepted, stored sealed in the bucket (nothing in a local blob
//! folder) and delivered intact.

mod common;

use common::*;
use zegel_testkit::s3::Moto;
use zegel_testkit::Sink;

const MARKER: &str = "Afspraak donderdag tien uur, kamer 3.14";

#[test]
fn a_large_mail_goes_through_the_bucket_sealed() {
    let moto = Moto::start();
    moto.create_bucket("zegel-e2e");
    let sink = Sink::start();
    let storage = format!(
        "blobs = \"s3://zegel-e2e/gw\"\n\
         s3_endpoint = \"{}\"\n\
         s3_region = \"eu-west-1\"\n\
         s3_access_key_id = \"zegel-test\"\n\
         s3_secret_access_key = \"zegel-test-secret\"",
        moto.endpoint()
    );
    let z = Zegel::start(
        &sink,
        &[("# blobs = \"s3://zegel-blobs/node-1\"", &storage)],
    );

    let mut message = String::from(
        "From: Jan <jan@zorg.nl>\r\nTo: Piet <piet@example.com>\r\n\
         Subject: Planning\r\nMessage-ID: <s3-1@zorg.nl>\r\n\r\n",
    );
    let mut n = 0;
    while message.len() < 400 * 1024 {
        message.push_str(&format!("{n:05} {MARKER}\r\n"));
        n += 1;
    }
    let (status, reply) = smtplib(z.port, "jan@zorg.nl", &["piet@example.com"], &message);
    assert_eq!(status, "ok", "{reply}");

    let got = sink.wait_for(1, WAIT);
    assert_eq!(got.len(), 1, "delivered");
    let text = got[0].text();
    assert!(
        text.contains(&format!("{:05} {MARKER}", n - 1)),
        "whole body arrived"
    );

    let keys = moto.keys("zegel-e2e");
    assert!(!keys.is_empty(), "the sealed message is in the bucket");
    for key in &keys {
        assert!(key.starts_with("gw/"), "{key} under the prefix");
        let object = moto.object("zegel-e2e", key).unwrap();
        let object = String::from_utf8_lossy(&object);
        assert!(!object.contains(MARKER), "{key} holds plaintext");
        assert!(
            !object.contains("Subject: Planning"),
            "{key} holds plaintext"
        );
    }
    let local = z.dir.join("zegel-data/blobs");
    let local_files = std::fs::read_dir(&local).map(|d| d.count()).unwrap_or(0);
    assert_eq!(local_files, 0, "nothing in {}", local.display());
}

#[test]
fn a_wrong_bucket_stops_zegel_serve_with_a_readable_error() {
    let moto = Moto::start();
    let sink = Sink::start();
    let storage = format!(
        "blobs = \"s3://no-such-bucket\"\n\
         s3_endpoint = \"{}\"\n\
         s3_access_key_id = \"zegel-test\"\n\
         s3_secret_access_key = \"zegel-test-secret\"",
        moto.endpoint()
    );
    let (temp, _port) = init(
        &sink,
        &[("# blobs = \"s3://zegel-blobs/node-1\"", &storage)],
    );
    let out = zegel()
        .args(["serve", "--config"])
        .arg(temp.path().join("zegel.toml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot open the store") && err.contains("S3 bucket"),
        "{err}"
    );
}

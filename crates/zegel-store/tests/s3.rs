//! Blobs in an S3-compatible bucket, against a real S3 server on 127.0.0.1
//! (moto's, see zegel_testkit::s3): large sealed blobs land in the bucket
//! under the prefix as ciphertext, read back through the normal paths, and
//! go when their package is withdrawn; small ones stay database rows.

use zegel_store::{
    token_hash, BlobLocation, Content, DeliveryKind, Kek, NewDelivery, NewMessage,
    NewSecureMessage, S3Location, SecondFactor, Store, StoreError, INLINE_LIMIT,
};
use zegel_testkit::s3::Moto;

const SECRET: &[u8] = b"BSN 111222333 diagnose: zeer geheim";

fn location(moto: &Moto, url: &str) -> BlobLocation {
    let mut s3 = S3Location::parse(url).unwrap();
    s3.endpoint = Some(moto.endpoint());
    s3.region = Some("eu-west-1".into());
    s3.access_key_id = Some("zegel-test".into());
    s3.secret_access_key = Some("zegel-test-secret".into());
    BlobLocation::S3(s3)
}

/// A message of about `size` bytes whose every line says [`SECRET`].
fn raw(size: usize) -> Vec<u8> {
    let mut raw = b"From: a@zorg.example\r\nSubject: uitslag\r\n\r\n".to_vec();
    let mut n = 0;
    while raw.len() < size {
        raw.extend_from_slice(format!("{n:06} ").as_bytes());
        raw.extend_from_slice(SECRET);
        raw.extend_from_slice(b"\r\n");
        n += 1;
    }
    raw
}

fn message(raw: Vec<u8>, token: &str) -> NewMessage {
    NewMessage {
        mail_from: "a@zorg.example".into(),
        raw,
        verdict: zegel_store::MessageVerdict::Secure,
        summary: b"{}".to_vec(),
        deliveries: vec![NewDelivery {
            kind: DeliveryKind::Original,
            mail_from: "a@zorg.example".into(),
            rcpt: "b@zorg.example".into(),
            content: Content::Original,
            dkim: false,
            require_tls: false,
            notify_never: false,
            headers_only: false,
            held: false,
        }],
        secure: vec![NewSecureMessage {
            recipient: "c@example.com".into(),
            token_hash: token_hash(token),
            status_token_hash: token_hash(&format!("status-{token}")),
            expires_at: zegel_store::now() + 3600,
            sender: "a@zorg.example".into(),
            second_factor: SecondFactor::None,
            phone: None,
            access_code: None,
            read_receipt: false,
        }],
        audit: vec![],
        lifetime_secs: 3600,
        confirm: None,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn large_blobs_live_in_the_bucket_sealed_and_go_when_withdrawn() {
    let moto = Moto::start();
    moto.create_bucket("zegel-blobs");
    let dir = tempfile::tempdir().unwrap();
    let blobs = location(&moto, "s3://zegel-blobs/node-1/blobs");
    let store = Store::open_with_blobs(
        dir.path(),
        zegel_store::test_database_url(dir.path())
            .await
            .unwrap()
            .as_deref(),
        &blobs,
        Kek::generate(),
    )
    .await
    .unwrap();
    assert!(
        moto.keys("zegel-blobs").is_empty(),
        "the start-up probe is deleted"
    );

    // Large: the message and the portal package's copy go to the bucket.
    let large = raw(INLINE_LIMIT + 64 * 1024);
    store.accept(message(large.clone(), "large")).await.unwrap();
    let keys = moto.keys("zegel-blobs");
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        !std::fs::read_dir(dir.path()).unwrap().any(|e| {
            let e = e.unwrap();
            e.file_name() == "blobs"
        }),
        "no local blob folder"
    );
    for key in &keys {
        let rest = key
            .strip_prefix("node-1/blobs/")
            .unwrap_or_else(|| panic!("{key} is under the prefix"));
        let (shard, id) = rest.split_once('/').unwrap();
        assert!(id.starts_with(shard), "{key}: sharded by id");
        let object = moto.object("zegel-blobs", key).unwrap();
        assert!(object.len() > INLINE_LIMIT, "{key}: {} bytes", object.len());
        assert!(!contains(&object, SECRET), "{key} holds plaintext");
        assert!(
            !contains(&object, b"Subject: uitslag"),
            "{key} holds plaintext"
        );
    }

    // Read back through the queue and the portal.
    let jobs = store.claim(10, 60).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(store.content(&jobs[0]).await.unwrap(), large);
    let package = store
        .package_by_token(&token_hash("large"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.package_content(&package).await.unwrap(), large);

    // Withdrawn: the package's object is gone; the message's stays.
    store.revoke_package(&package, "test").await.unwrap();
    let left = moto.keys("zegel-blobs");
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(keys.contains(&left[0]));
    let package_key = keys.iter().find(|k| **k != left[0]).unwrap();
    assert_eq!(moto.object("zegel-blobs", package_key), None);
    // Read with the key it had before: the object is not there.
    assert!(matches!(
        store.package_content(&package).await,
        Err(StoreError::Blob { .. })
    ));
    let package = store.package(&package.id).await.unwrap().unwrap();
    assert!(matches!(
        store.package_content(&package).await,
        Err(StoreError::Destroyed)
    ));
    assert_eq!(store.content(&jobs[0]).await.unwrap(), large);

    // Small: database rows, nothing new in the bucket.
    store
        .accept(message(raw(10 * 1024), "small"))
        .await
        .unwrap();
    assert_eq!(moto.keys("zegel-blobs"), left);
}

#[tokio::test]
async fn a_missing_bucket_fails_at_open_with_a_readable_error() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let blobs = location(&moto, "s3://no-such-bucket");
    let err = match Store::open_with_blobs(
        dir.path(),
        zegel_store::test_database_url(dir.path())
            .await
            .unwrap()
            .as_deref(),
        &blobs,
        Kek::generate(),
    )
    .await
    {
        Ok(_) => panic!("opened a store on a bucket that does not exist"),
        Err(e) => e,
    };
    assert!(matches!(err, StoreError::Blob { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("write to the S3 bucket"), "{text}");
    assert!(
        text.contains("no-such-bucket") || text.contains("NoSuchBucket"),
        "{text}"
    );
}

#[tokio::test]
async fn plain_http_only_for_an_http_endpoint() {
    // An https:// endpoint on a plain-HTTP server: TLS fails, it never
    // falls back to http.
    let moto = Moto::start();
    moto.create_bucket("zegel-blobs");
    let dir = tempfile::tempdir().unwrap();
    let BlobLocation::S3(mut s3) = location(&moto, "s3://zegel-blobs") else {
        unreachable!()
    };
    s3.endpoint = Some(moto.endpoint().replace("http://", "https://"));
    let blobs = BlobLocation::S3(s3);
    let opened = Store::open_with_blobs(
        dir.path(),
        zegel_store::test_database_url(dir.path())
            .await
            .unwrap()
            .as_deref(),
        &blobs,
        Kek::generate(),
    )
    .await;
    assert!(opened.is_err(), "spoke plain http to an https:// endpoint");
    assert!(moto.keys("zegel-blobs").is_empty());
}

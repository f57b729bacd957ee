use super::*;
use crate::{
    Content, DeliveryKind, JobOutcome, NewCode, NewDelivery, NewMessage, NewSecureMessage,
    SecondFactor, INLINE_LIMIT,
};

/// Keep nothing after the last delivery; the audit for six years.
const AT_ONCE: PurgePolicy = PurgePolicy {
    keep_after_final_secs: 0,
    audit_retention_secs: 6 * 31_557_600,
};

fn delivery(rcpt: &str, content: Content) -> NewDelivery {
    NewDelivery {
        kind: DeliveryKind::Original,
        mail_from: "jan@zorg.nl".into(),
        rcpt: rcpt.into(),
        content,
        dkim: false,
        require_tls: false,
        notify_never: false,
        headers_only: false,
        held: false,
    }
}

/// A message of `size` bytes to an outside recipient, with a generated
/// notice beside it; `secure`: a portal copy for a second recipient.
fn message(size: usize, secure: bool) -> NewMessage {
    let mut raw = b"Subject: dossier\r\n\r\nBSN 111222333\r\n".to_vec();
    raw.resize(size.max(raw.len()), b'x');
    let mut deliveries = vec![
        delivery("p@example.com", Content::Original),
        delivery("jan@zorg.nl", Content::Generated(vec![b'n'; size])),
    ];
    deliveries[1].kind = DeliveryKind::Notification;
    NewMessage {
        mail_from: "jan@zorg.nl".into(),
        raw,
        verdict: if secure {
            crate::MessageVerdict::Secure
        } else {
            crate::MessageVerdict::Normal
        },
        summary: b"{}".to_vec(),
        deliveries,
        secure: if secure {
            vec![NewSecureMessage {
                recipient: "q@example.org".into(),
                token_hash: crate::random_id(),
                status_token_hash: crate::random_id(),
                expires_at: crate::now() + 86_400,
                sender: "jan@zorg.nl".into(),
                second_factor: SecondFactor::None,
                phone: None,
                access_code: None,
                read_receipt: true,
            }]
        } else {
            Vec::new()
        },
        audit: Vec::new(),
        lifetime_secs: 3600,
        confirm: None,
    }
}

async fn deliver_all(store: &Store) {
    for job in store.claim(100, 60).await.unwrap() {
        store.finish(&job, &JobOutcome::Sent).await.unwrap();
    }
}

/// Wrapped data keys that still open, per table (the KEK's own view).
async fn readable_keys(store: &Store, table: &str) -> u64 {
    let counts = store.scan_wrapped_keys(false).await.unwrap();
    let c = counts.iter().find(|c| c.table == table).unwrap();
    c.current + c.other
}

fn files_under(root: &std::path::Path) -> usize {
    let mut n = 0;
    for entry in walkdir(root) {
        if entry.is_file() {
            n += 1;
        }
    }
    n
}

fn walkdir(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(root) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The portal copy of `message_id`.
async fn package_of(store: &Store, message_id: &str) -> crate::SecurePackage {
    let id: crate::PackageId =
        sqlx::query_scalar("SELECT id FROM secure_messages WHERE message_id = $1")
            .bind(message_id)
            .fetch_one(&store.pool)
            .await
            .unwrap();
    store.package(&id).await.unwrap().unwrap()
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_delivered_message_is_destroyed_after_the_grace_and_nothing_decrypts() {
    let (dir, store) = crate::test_store().await;
    let blobs = dir.path().join("blobs");
    // One large (files) and one small (rows) message.
    let large = store
        .accept(message(INLINE_LIMIT + 10, false))
        .await
        .unwrap();
    let small = store.accept(message(100, false)).await.unwrap();
    assert!(files_under(&blobs) >= 2);
    assert_eq!(readable_keys(&store, "messages").await, 2);

    // Queued: nothing goes.
    let report = store.purge(&AT_ONCE).await.unwrap();
    assert_eq!(report.messages, 0);
    assert_eq!(readable_keys(&store, "deliveries").await, 4);

    deliver_all(&store).await;
    // Within the grace: kept for a resend.
    let week = PurgePolicy::default();
    assert_eq!(store.purge(&week).await.unwrap().messages, 0);
    assert_eq!(readable_keys(&store, "messages").await, 2);

    let report = store.purge(&AT_ONCE).await.unwrap();
    assert_eq!(report.messages, 2);
    assert_eq!(report.blobs, 4, "two originals and two notices");
    assert_eq!(readable_keys(&store, "messages").await, 0);
    assert_eq!(readable_keys(&store, "deliveries").await, 0);
    assert_eq!(files_under(&blobs), 0, "no sealed file is left");
    assert_eq!(count(&store, "SELECT COUNT(*) FROM inline_blobs").await, 0);
    for id in [&large, &small] {
        let job_like = sqlx::query_scalar::<_, Option<Vec<u8>>>(
            "SELECT wrapped_key FROM messages WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert!(job_like.is_none(), "the message's key is gone");
    }
    let destroyed = store
        .audit_entries(0)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event == crate::Event::Destroyed)
        .count();
    assert_eq!(destroyed, 2);
    // Once is enough: a second pass finds nothing.
    assert_eq!(store.purge(&AT_ONCE).await.unwrap(), PurgeReport::default());
    assert!(store.verify_audit().await.unwrap().is_empty());
}

#[tokio::test]
async fn held_and_queued_deliveries_keep_the_original() {
    let (_dir, store) = crate::test_store().await;
    let mut held = message(100, false);
    held.deliveries[0].held = true;
    let id = store.accept(held).await.unwrap();
    deliver_all(&store).await; // the notice; the held one stays
    assert_eq!(store.purge(&AT_ONCE).await.unwrap().messages, 0);
    store.release_held(&id, "privacy@zorg.nl").await.unwrap();
    assert_eq!(store.purge(&AT_ONCE).await.unwrap().messages, 0);
    deliver_all(&store).await;
    assert_eq!(store.purge(&AT_ONCE).await.unwrap().messages, 1);
    assert_eq!(readable_keys(&store, "messages").await, 0);
}

#[tokio::test]
async fn withdrawal_and_expiry_destroy_the_original_at_once() {
    let (dir, store) = crate::test_store().await;
    let week = PurgePolicy::default();
    let withdrawn = store
        .accept(message(INLINE_LIMIT + 10, true))
        .await
        .unwrap();
    let expiring = store.accept(message(100, true)).await.unwrap();
    deliver_all(&store).await;
    assert_eq!(store.purge(&week).await.unwrap().messages, 0);
    assert_eq!(readable_keys(&store, "secure_messages").await, 2);

    // Withdrawn: the portal copy, then (a week's grace or not) the original.
    let p = package_of(&store, &withdrawn).await;
    store.revoke_package(&p, "jan@zorg.nl").await.unwrap();
    assert_eq!(store.purge(&week).await.unwrap().messages, 1);

    // Expired: the same.
    sqlx::query("UPDATE secure_messages SET expires_at = 1 WHERE message_id = $1")
        .bind(&expiring)
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(store.expire_packages().await.unwrap(), 1);
    assert_eq!(store.purge(&week).await.unwrap().messages, 1);

    for table in ["messages", "deliveries", "secure_messages"] {
        assert_eq!(readable_keys(&store, table).await, 0, "{table}");
    }
    assert_eq!(files_under(&dir.path().join("blobs")), 0);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM inline_blobs").await, 0);
}

#[tokio::test]
async fn a_notice_added_later_is_destroyed_in_its_turn() {
    let (_dir, store) = crate::test_store().await;
    let id = store.accept(message(100, false)).await.unwrap();
    deliver_all(&store).await;
    assert_eq!(store.purge(&AT_ONCE).await.unwrap().messages, 1);
    store
        .add_delivery(
            &id,
            delivery(
                "jan@zorg.nl",
                Content::Generated(b"failure notice".to_vec()),
            ),
            3600,
        )
        .await
        .unwrap();
    assert_eq!(readable_keys(&store, "deliveries").await, 1);
    assert_eq!(store.purge(&AT_ONCE).await.unwrap().messages, 0, "queued");
    deliver_all(&store).await;
    assert_eq!(store.purge(&AT_ONCE).await.unwrap().messages, 1);
    assert_eq!(readable_keys(&store, "deliveries").await, 0);
}

#[tokio::test]
async fn used_codes_go_a_day_after_they_expire() {
    let (_dir, store) = crate::test_store().await;
    for target in ["old", "new"] {
        store
            .issue_code(NewCode {
                purpose: crate::CodePurpose::Email,
                target,
                address: "q@example.org",
                code: "123456",
                valid_secs: 600,
                message_id: None,
                audit_subject: "q@example.org",
            })
            .await
            .unwrap();
    }
    sqlx::query("UPDATE portal_codes SET expires_at = $1 WHERE target = 'old'")
        .bind(crate::now() - 2 * 86_400)
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(store.purge(&AT_ONCE).await.unwrap().codes, 1);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM portal_codes").await, 1);
}

/// Appends `n` events dated `at`.
async fn events_at(store: &Store, at: i64, n: usize) {
    let events: Vec<crate::audit::NewEvent> = (0..n)
        .map(|i| {
            crate::audit::NewEvent::new(at, Event::Accepted, None, "jan@zorg.nl", &i.to_string())
        })
        .collect();
    let mut tx = store.pool.begin().await.unwrap();
    crate::audit::append_all(&mut tx, &events).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn old_audit_rows_go_behind_a_signed_checkpoint_and_the_chain_verifies() {
    let (dir, store) = crate::test_store().await;
    let seven_years_ago = crate::now() - years(7);
    events_at(&store, seven_years_ago, 5).await;
    events_at(&store, crate::now(), 3).await;
    let report = store.purge(&PurgePolicy::default()).await.unwrap();
    assert_eq!(report.audit_rows, 5);
    assert!(store.verify_audit().await.unwrap().is_empty());
    let checkpoint = store.audit_checkpoint().await.unwrap().unwrap();
    assert_eq!((checkpoint.seq, checkpoint.removed), (5, 5));
    let head = store.audit_head().await.unwrap().unwrap();
    assert_eq!(head.rows, 4, "three kept and the trim itself");
    // The chain goes on after it.
    store
        .audit(Event::Opened, None, "q@example.org", "x")
        .await
        .unwrap();
    assert!(store.verify_audit().await.unwrap().is_empty());
    // Nothing more to remove: no second checkpoint.
    assert_eq!(
        store
            .purge(&PurgePolicy::default())
            .await
            .unwrap()
            .audit_rows,
        0
    );

    // Whoever removes rows and writes a checkpoint without the KEK is
    // found out; removing rows without one shows them missing.
    let forged = store
        .audit_entries(0)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.seq == 7)
        .unwrap();
    let hash: String = sqlx::query_scalar("SELECT hash FROM audit WHERE seq = 7")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit WHERE seq <= 7")
        .execute(&store.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO audit_checkpoints (seq, at, hash, removed, made_at, mac)
         VALUES (7, $1, $2, 7, $1, 'k1:forged')",
    )
    .bind(forged.at)
    .bind(&hash)
    .execute(&store.pool)
    .await
    .unwrap();
    let problems = store.verify_audit().await.unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].kind, crate::AuditBreak::Unsigned);
    drop(dir);
}

#[tokio::test]
async fn rows_of_messages_destroyed_past_the_retention_are_removed() {
    let (_dir, store) = crate::test_store().await;
    let old = store.accept(message(100, true)).await.unwrap();
    let recent = store.accept(message(100, false)).await.unwrap();
    deliver_all(&store).await;
    let p = package_of(&store, &old).await;
    store.revoke_package(&p, "jan@zorg.nl").await.unwrap();
    assert_eq!(store.purge(&AT_ONCE).await.unwrap().messages, 2);
    sqlx::query("UPDATE messages SET purged_at = $1 WHERE id = $2")
        .bind(crate::now() - years(7))
        .bind(&old)
        .execute(&store.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE secure_messages SET expires_at = $1 WHERE message_id = $2")
        .bind(crate::now() - years(7))
        .bind(&old)
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(store.purge(&AT_ONCE).await.unwrap().old_messages, 1);
    let ids: Vec<crate::MessageId> = sqlx::query_scalar("SELECT id FROM messages")
        .fetch_all(&store.pool)
        .await
        .unwrap();
    assert_eq!(ids, std::slice::from_ref(&recent));
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM secure_messages").await,
        0
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM deliveries").await, 2);
}

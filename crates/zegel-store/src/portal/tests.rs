use crate::{
    token_hash, CodeCheck, Factor, Kek, NewCode, NewMessage, NewSecureMessage, PackageState,
    SecondFactor, Store, MAX_TRIES,
};

use crate::test_store as store;

fn package(recipient: &str, token: &str, factor: SecondFactor) -> NewSecureMessage {
    NewSecureMessage {
        recipient: recipient.into(),
        token_hash: token_hash(token),
        status_token_hash: token_hash("status-1"),
        expires_at: crate::now() + 3600,
        sender: "zorg@zorg.example".into(),
        second_factor: factor,
        phone: Some("+31612345678".into()),
        access_code: Some("K7Q-22".into()),
        read_receipt: true,
    }
}

async fn accept(s: &Store, secure: Vec<NewSecureMessage>) -> crate::MessageId {
    s.accept(NewMessage {
        mail_from: "zorg@zorg.example".into(),
        raw: b"Subject: x\r\n\r\nBSN 111222333\r\n".to_vec(),
        verdict: crate::MessageVerdict::Secure,
        summary: b"{}".to_vec(),
        deliveries: vec![],
        secure,
        audit: vec![],
        lifetime_secs: 3600,
        confirm: None,
    })
    .await
    .unwrap()
}

/// Sealed blobs stored: files under blobs/ and rows of inline_blobs.
async fn stored_blobs(dir: &std::path::Path, s: &Store) -> usize {
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inline_blobs")
        .fetch_one(&s.pool)
        .await
        .unwrap();
    walkdir(dir.join("blobs")) + rows as usize
}

fn walkdir(p: std::path::PathBuf) -> usize {
    std::fs::read_dir(p)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walkdir(e.path())
            } else {
                1
            }
        })
        .sum()
}

#[tokio::test]
async fn each_recipient_gets_an_own_sealed_copy() {
    let (dir, s) = store().await;
    let id = accept(
        &s,
        vec![
            package("a@ext.example", "tok-a", SecondFactor::Sms),
            package("b@ext.example", "tok-b", SecondFactor::AccessCode),
        ],
    )
    .await;
    // The original and two copies.
    assert_eq!(stored_blobs(dir.path(), &s).await, 3);
    let a = s
        .package_by_token(&token_hash("tok-a"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.message_id, id);
    assert_eq!(a.recipient, "a@ext.example");
    assert_eq!(a.state(crate::now()), PackageState::Open);
    assert_eq!(
        s.package_content(&a).await.unwrap(),
        b"Subject: x\r\n\r\nBSN 111222333\r\n"
    );
    assert_eq!(
        s.package_phone(&a).unwrap().as_deref(),
        Some("+31612345678")
    );
    let b = s
        .package_by_token(&token_hash("tok-b"))
        .await
        .unwrap()
        .unwrap();
    assert!(s.access_code_matches(&b, "K7Q-22"));
    assert!(s.access_code_matches(&b, " k7q 22 "));
    assert!(!s.access_code_matches(&b, "K7Q-23"));
    assert!(!s.access_code_matches(&a, "K7Q-23"));
    assert!(s
        .package_by_token(&token_hash("tok-c"))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        s.packages_by_status_token(&token_hash("status-1"))
            .await
            .unwrap()
            .len(),
        2
    );
    // Nothing of the content or the phone number is in the database file
    // (SQLite's; the sealing does not depend on the engine).
    if s.engine() == crate::Engine::Sqlite {
        let db = std::fs::read(dir.path().join("zegel.db")).unwrap();
        let wal = std::fs::read(dir.path().join("zegel.db-wal")).unwrap_or_default();
        for needle in [&b"111222333"[..], b"+31612345678", b"K7Q-22"] {
            assert!(!db.windows(needle.len()).any(|w| w == needle));
            assert!(!wal.windows(needle.len()).any(|w| w == needle));
        }
    }
}

#[tokio::test]
async fn wrong_codes_lock_the_package_and_are_audited() {
    let (_dir, s) = store().await;
    let id = accept(
        &s,
        vec![package("a@ext.example", "tok-a", SecondFactor::None)],
    )
    .await;
    let p = s
        .package_by_token(&token_hash("tok-a"))
        .await
        .unwrap()
        .unwrap();
    for i in 1..MAX_TRIES {
        assert_eq!(
            s.package_wrong_code(&p, "mail code").await.unwrap(),
            CodeCheck::Wrong {
                left: MAX_TRIES - i
            }
        );
    }
    assert_eq!(
        s.package_wrong_code(&p, "mail code").await.unwrap(),
        CodeCheck::Locked
    );
    let p = s.package(&p.id).await.unwrap().unwrap();
    assert_eq!(p.state(crate::now()), PackageState::Locked);
    let events: Vec<String> = s
        .message_events(&id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.to_string())
        .collect();
    assert_eq!(events.iter().filter(|e| *e == "code_wrong").count(), 5);
    assert!(events.contains(&"locked".to_string()));
    s.unlock_package(&p, "zorg@zorg.example").await.unwrap();
    let p = s.package(&p.id).await.unwrap().unwrap();
    assert_eq!(p.state(crate::now()), PackageState::Open);
    assert_eq!(p.wrong_tries, 0);
    assert!(s.verify_audit().await.unwrap().is_empty());
}

#[tokio::test]
async fn codes_are_single_use_bounded_and_replaced() {
    let (_dir, s) = store().await;
    let issue = |code: &'static str| NewCode {
        purpose: crate::CodePurpose::Email,
        target: "pkg1",
        address: "a@ext.example",
        code,
        valid_secs: 600,
        message_id: None,
        audit_subject: "a@ext.example",
    };
    assert_eq!(
        s.check_code(crate::CodePurpose::Email, "pkg1", "123456")
            .await
            .unwrap(),
        CodeCheck::NoCode
    );
    s.issue_code(issue("123456")).await.unwrap();
    assert_eq!(
        s.check_code(crate::CodePurpose::Email, "pkg1", "654321")
            .await
            .unwrap(),
        CodeCheck::Wrong { left: 4 }
    );
    // Another purpose or target does not take it.
    assert_eq!(
        s.check_code(crate::CodePurpose::Sms, "pkg1", "123456")
            .await
            .unwrap(),
        CodeCheck::NoCode
    );
    assert_eq!(
        s.check_code(crate::CodePurpose::Email, "pkg2", "123456")
            .await
            .unwrap(),
        CodeCheck::NoCode
    );
    assert_eq!(
        s.check_code(crate::CodePurpose::Email, "pkg1", "123 456")
            .await
            .unwrap(),
        CodeCheck::Right
    );
    assert_eq!(
        s.check_code(crate::CodePurpose::Email, "pkg1", "123456")
            .await
            .unwrap(),
        CodeCheck::NoCode
    );
    // A new code replaces the old one.
    s.issue_code(issue("111111")).await.unwrap();
    s.issue_code(issue("222222")).await.unwrap();
    assert_eq!(
        s.check_code(crate::CodePurpose::Email, "pkg1", "111111")
            .await
            .unwrap(),
        CodeCheck::Wrong { left: 4 }
    );
    for _ in 0..3 {
        s.check_code(crate::CodePurpose::Email, "pkg1", "000000")
            .await
            .unwrap();
    }
    // The fifth wrong try burns the code: even the right one fails now.
    assert_eq!(
        s.check_code(crate::CodePurpose::Email, "pkg1", "000000")
            .await
            .unwrap(),
        CodeCheck::Locked
    );
    assert_eq!(
        s.check_code(crate::CodePurpose::Email, "pkg1", "222222")
            .await
            .unwrap(),
        CodeCheck::NoCode
    );
    assert_eq!(s.codes_sent_since("a@ext.example", 0).await.unwrap(), 3);
    assert_eq!(s.codes_sent_since("pkg1", 0).await.unwrap(), 3);
    assert_eq!(s.codes_sent_since("b@ext.example", 0).await.unwrap(), 0);
    // An expired code counts as none.
    s.issue_code(NewCode {
        valid_secs: -1,
        ..issue("333333")
    })
    .await
    .unwrap();
    assert_eq!(
        s.check_code(crate::CodePurpose::Email, "pkg1", "333333")
            .await
            .unwrap(),
        CodeCheck::NoCode
    );
}

#[tokio::test]
async fn revoke_and_expiry_destroy_the_copy_but_keep_the_audit() {
    let (dir, s) = store().await;
    let id = accept(
        &s,
        vec![
            package("a@ext.example", "tok-a", SecondFactor::None),
            package("b@ext.example", "tok-b", SecondFactor::None),
        ],
    )
    .await;
    let a = s
        .package_by_token(&token_hash("tok-a"))
        .await
        .unwrap()
        .unwrap();
    let b = s
        .package_by_token(&token_hash("tok-b"))
        .await
        .unwrap()
        .unwrap();
    let session = s
        .create_session("sess-a", crate::SessionKind::Recipient, &a.id, 900)
        .await
        .unwrap();
    s.session_passed(&session.id_hash, Factor::Email, None)
        .await
        .unwrap();
    assert!(s.session("sess-a").await.unwrap().unwrap().email_ok);

    s.revoke_package(&a, "zorg@zorg.example").await.unwrap();
    let a = s.package(&a.id).await.unwrap().unwrap();
    assert_eq!(a.state(crate::now()), PackageState::Revoked);
    assert!(matches!(
        s.package_content(&a).await,
        Err(crate::StoreError::Destroyed)
    ));
    // Its sessions end with it.
    assert!(s.session("sess-a").await.unwrap().is_none());
    assert_eq!(stored_blobs(dir.path(), &s).await, 2);

    // b expires: set its expiry into the past and sweep.
    s.set_package_expiry(&b, crate::now() - 1, "zorg@zorg.example")
        .await
        .unwrap();
    assert_eq!(s.expire_packages().await.unwrap(), 1);
    assert_eq!(s.expire_packages().await.unwrap(), 0);
    let b = s.package(&b.id).await.unwrap().unwrap();
    assert_eq!(b.state(crate::now()), PackageState::Expired);
    assert!(s.package_content(&b).await.is_err());
    assert_eq!(stored_blobs(dir.path(), &s).await, 1);
    let events: Vec<String> = s
        .message_events(&id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.to_string())
        .collect();
    assert!(events.contains(&"revoked".to_string()));
    assert!(events.contains(&"expired".to_string()));
    assert!(events.contains(&"expiry_changed".to_string()));
    assert!(s.verify_audit().await.unwrap().is_empty());
}

#[tokio::test]
async fn sessions_expire_and_first_open_is_recorded_once() {
    let (_dir, s) = store().await;
    accept(
        &s,
        vec![package("a@ext.example", "tok-a", SecondFactor::None)],
    )
    .await;
    let a = s
        .package_by_token(&token_hash("tok-a"))
        .await
        .unwrap()
        .unwrap();
    s.create_session("old", crate::SessionKind::Recipient, &a.id, -1)
        .await
        .unwrap();
    assert!(s.session("old").await.unwrap().is_none());
    let live = s
        .create_session("live", crate::SessionKind::Recipient, &a.id, 900)
        .await
        .unwrap();
    assert_eq!(live.csrf.len(), 32);
    assert!(s.package_opened(&a, "live").await.unwrap());
    assert!(!s.package_opened(&a, "live").await.unwrap());
    assert!(s.session("live").await.unwrap().unwrap().opened);
    s.end_session("live").await.unwrap();
    assert!(s.session("live").await.unwrap().is_none());
    // A kind zegel never writes (a row changed by hand) is refused, not
    // taken for any session.
    let sender = s
        .create_session("changed", crate::SessionKind::Sender, &a.id, 900)
        .await
        .unwrap();
    assert_eq!(sender.kind, crate::SessionKind::Sender);
    sqlx::query("UPDATE portal_sessions SET kind = 'admin' WHERE id_hash = 'changed'")
        .execute(&s.pool)
        .await
        .unwrap();
    assert!(matches!(
        s.session("changed").await,
        Err(crate::StoreError::Unreadable { value, .. }) if value == "admin"
    ));
}

#[tokio::test]
async fn package_with_session_finds_only_the_live_session_of_that_package() {
    let (_dir, s) = store().await;
    accept(
        &s,
        vec![
            package("a@ext.example", "tok-a", SecondFactor::None),
            package("b@ext.example", "tok-b", SecondFactor::Sms),
        ],
    )
    .await;
    let with = |token: &'static str, session: Option<&'static str>| {
        let s = s.clone();
        async move {
            s.package_with_session(&token_hash(token), session)
                .await
                .unwrap()
        }
    };
    assert!(with("tok-x", None).await.is_none(), "unknown link");
    assert!(with("tok-x", Some("live-a")).await.is_none());
    let (a, none) = with("tok-a", None).await.unwrap();
    assert!(none.is_none());
    let by_token = s
        .package_by_token(&token_hash("tok-a"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        format!("{a:?}"),
        format!("{by_token:?}"),
        "the same package as package_by_token"
    );
    let b = s
        .package_by_token(&token_hash("tok-b"))
        .await
        .unwrap()
        .unwrap();

    s.create_session("live-a", crate::SessionKind::Recipient, &a.id, 900)
        .await
        .unwrap();
    s.session_passed("live-a", Factor::Email, None)
        .await
        .unwrap();
    s.create_session("old-a", crate::SessionKind::Recipient, &a.id, -1)
        .await
        .unwrap();
    s.create_session("sender-a", crate::SessionKind::Sender, &a.id, 900)
        .await
        .unwrap();

    let (p, session) = with("tok-a", Some("live-a")).await.unwrap();
    assert_eq!(p.id, a.id);
    let session = session.expect("the live session");
    let direct = s.session("live-a").await.unwrap().unwrap();
    assert_eq!(format!("{session:?}"), format!("{direct:?}"));
    assert!(session.email_ok && !session.second_ok && !session.opened);
    // Another package's link, an expired session, another kind, no such
    // session: the package without a session.
    let (p, none) = with("tok-b", Some("live-a")).await.unwrap();
    assert_eq!(p.id, b.id);
    assert_eq!(p.second_factor, SecondFactor::Sms);
    assert!(none.is_none(), "a session opens only its own package");
    for other in ["old-a", "sender-a", "nothing"] {
        let (_, none) = with("tok-a", Some(other)).await.unwrap();
        assert!(none.is_none(), "{other}");
    }
    // Revoked: the package shows it, its sessions are gone.
    s.revoke_package(&a, "zorg@zorg.example").await.unwrap();
    let (p, none) = with("tok-a", Some("live-a")).await.unwrap();
    assert_eq!(p.state(crate::now()), PackageState::Revoked);
    assert!(none.is_none());
}

#[tokio::test]
async fn readers_see_every_commit_at_once_and_an_in_memory_database_works() {
    // The lookups go to the read-only connections, the changes to the
    // writer: each lookup sees what was committed before it.
    let (_dir, s) = store().await;
    accept(
        &s,
        vec![package("a@ext.example", "tok-a", SecondFactor::None)],
    )
    .await;
    let (a, _) = s
        .package_with_session(&token_hash("tok-a"), None)
        .await
        .unwrap()
        .unwrap();
    for i in 0..20 {
        let id = format!("sess-{i}");
        s.create_session(&id, crate::SessionKind::Recipient, &a.id, 900)
            .await
            .unwrap();
        let (_, session) = s
            .package_with_session(&token_hash("tok-a"), Some(&id))
            .await
            .unwrap()
            .unwrap();
        assert!(!session.unwrap().email_ok);
        s.session_passed(&id, Factor::Email, None).await.unwrap();
        let (_, session) = s
            .package_with_session(&token_hash("tok-a"), Some(&id))
            .await
            .unwrap()
            .unwrap();
        assert!(session.unwrap().email_ok, "round {i}");
    }
    // The readers cannot write.
    assert!(sqlx::query("DELETE FROM portal_sessions")
        .execute(&s.reader)
        .await
        .is_err());

    let dir = tempfile::tempdir().unwrap();
    let m = Store::open(dir.path(), Some("sqlite::memory:"), Kek::generate())
        .await
        .unwrap();
    accept(
        &m,
        vec![package("a@ext.example", "tok-a", SecondFactor::None)],
    )
    .await;
    assert!(m
        .package_with_session(&token_hash("tok-a"), None)
        .await
        .unwrap()
        .is_some());
}

//! Password checks under load and under attack, for SMTP AUTH and the
//! staff web alike.
//!
//! - **Bounded hashing.** argon2id takes a core and 19 MiB per check; an
//!   unbounded pool of checks grows the process by gigabytes under an AUTH
//!   flood and starves real work. At most one check per core runs at once;
//!   a few more wait; beyond that a check answers [`StoreError::Busy`] at
//!   once (SMTP says 454, the web 503).
//! - **Failures counted in the database**, per account and per client
//!   address, in windows of [`LoginLimits::window_secs`]: every node and
//!   both doors (SMTP and the staff web) see the same counts, so a
//!   guesser gains nothing by reconnecting, switching node or door. Past
//!   the limit the account (or the address) is refused for the rest of the
//!   window, with the right password too.

use crate::Event;
use crate::{Store, StoreError};
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// How many failed sign-ins are allowed before a door closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failures for one account within a window; then it is refused.
    pub per_account: u32,
    /// Failures from one client address within a window; then it is refused.
    pub per_address: u32,
    /// The window, in seconds.
    pub window_secs: i64,
}

impl Default for LoginLimits {
    /// 10 failures per account and 30 per address in 15 minutes.
    fn default() -> Self {
        LoginLimits {
            per_account: 10,
            per_address: 30,
            window_secs: 15 * 60,
        }
    }
}

/// Why a sign-in is refused before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefusal {
    /// The account had too many failures in this window.
    Account,
    /// The client address had too many failures in this window.
    Address,
}

impl Store {
    /// Whether a sign-in for `account` from `ip` is refused now, before
    /// any password is checked.
    pub async fn login_refused(
        &self,
        limits: &LoginLimits,
        account: &str,
        ip: IpAddr,
    ) -> Result<Option<LoginRefusal>, StoreError> {
        let window = limits.window_secs;
        if self.hits_now(&account_key(account), window).await? >= i64::from(limits.per_account) {
            return Ok(Some(LoginRefusal::Account));
        }
        if self.hits_now(&address_key(ip), window).await? >= i64::from(limits.per_address) {
            return Ok(Some(LoginRefusal::Address));
        }
        Ok(None)
    }

    /// Counts a failed sign-in for `account` from `ip` (`door`: `smtp`,
    /// `web`). The failure that closes the account's door is audited.
    /// Returns the account's failures in this window, this one included.
    pub async fn login_failed(
        &self,
        limits: &LoginLimits,
        account: &str,
        ip: IpAddr,
        door: &str,
    ) -> Result<i64, StoreError> {
        let window = limits.window_secs;
        let failures = self.count_hit(&account_key(account), window).await?;
        let from_address = self.count_hit(&address_key(ip), window).await?;
        if failures == i64::from(limits.per_account) {
            self.audit(
                Event::LoginLocked,
                None,
                &account.to_lowercase(),
                &format!("{failures} failed sign-ins ({door}, last from {ip}); refused for the rest of {} minutes", window / 60),
            )
            .await?;
        }
        if from_address == i64::from(limits.per_address) {
            self.audit(
                Event::LoginLocked,
                None,
                &ip.to_string(),
                &format!("{from_address} failed sign-ins from this address ({door}); refused for the rest of {} minutes", window / 60),
            )
            .await?;
        }
        Ok(failures)
    }
}

/// How long to wait before answering the `failures`-th failure of an
/// account: nothing for the first two (a typo), then doubling from half a
/// second to at most eight.
pub fn failure_delay(failures: i64) -> Duration {
    match failures {
        ..=2 => Duration::ZERO,
        n => Duration::from_millis(500u64 << (n - 3).min(4) as u32),
    }
}

fn account_key(account: &str) -> String {
    format!("loginfail:account:{}", account.trim().to_lowercase())
}

fn address_key(ip: IpAddr) -> String {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    format!("loginfail:address:{ip}")
}

/// The process's password-hashing slots: one per core, and a queue.
struct HashSlots {
    running: Semaphore,
    waiting: AtomicUsize,
    queue: usize,
}

fn slots() -> &'static HashSlots {
    static SLOTS: OnceLock<HashSlots> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        HashSlots {
            running: Semaphore::new(cores),
            waiting: AtomicUsize::new(0),
            queue: 4 * cores,
        }
    })
}

/// A slot to run one password hash in; [`StoreError::Busy`] at once when
/// the queue for slots is full.
pub(crate) async fn hash_slot() -> Result<SemaphorePermit<'static>, StoreError> {
    let slots = slots();
    if slots.waiting.fetch_add(1, Ordering::AcqRel) >= slots.queue {
        slots.waiting.fetch_sub(1, Ordering::AcqRel);
        return Err(StoreError::Busy);
    }
    let permit = slots.running.acquire().await;
    slots.waiting.fetch_sub(1, Ordering::AcqRel);
    permit.map_err(|_| StoreError::Busy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

    #[tokio::test]
    async fn failures_close_the_account_for_the_window_on_every_node() {
        let (dir, store) = crate::test_store().await;
        let url = crate::test_database_url(dir.path()).await.unwrap();
        let other = crate::Store::open(dir.path(), url.as_deref(), crate::Kek::generate())
            .await
            .unwrap();
        let limits = LoginLimits {
            per_account: 3,
            per_address: 5,
            window_secs: 3600,
        };
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let account = format!("jan-{}@org.nl", rand::random::<u32>());
        for _ in 0..2 {
            assert_eq!(
                store.login_refused(&limits, &account, ip).await.unwrap(),
                None
            );
            store
                .login_failed(&limits, &account, ip, "smtp")
                .await
                .unwrap();
        }
        // The third failure comes in through the other node (or door).
        other
            .login_failed(&limits, &account.to_uppercase(), ip, "web")
            .await
            .unwrap();
        assert_eq!(
            store.login_refused(&limits, &account, ip).await.unwrap(),
            Some(LoginRefusal::Account)
        );
        // Another account from the same address is still let in, until
        // the address's own limit.
        let other_account = format!("piet-{}@org.nl", rand::random::<u32>());
        assert_eq!(
            store
                .login_refused(&limits, &other_account, ip)
                .await
                .unwrap(),
            None
        );
        store
            .login_failed(&limits, &other_account, ip, "smtp")
            .await
            .unwrap();
        store
            .login_failed(&limits, &other_account, ip, "smtp")
            .await
            .unwrap();
        assert_eq!(
            store
                .login_refused(&limits, &format!("x{other_account}"), ip)
                .await
                .unwrap(),
            Some(LoginRefusal::Address)
        );
        let audited = store.audit_entries(0).await.unwrap();
        assert_eq!(
            audited
                .iter()
                .filter(|e| e.event == crate::Event::LoginLocked)
                .count(),
            2,
            "the account's and the address's lock are audited once each"
        );
    }

    #[test]
    fn delays_grow_and_stop_growing() {
        assert_eq!(failure_delay(1), Duration::ZERO);
        assert_eq!(failure_delay(3), Duration::from_millis(500));
        assert_eq!(failure_delay(4), Duration::from_secs(1));
        assert_eq!(failure_delay(7), Duration::from_secs(8));
        assert_eq!(failure_delay(70), Duration::from_secs(8));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_flood_of_checks_is_queued_then_refused_not_run_at_once() {
        let (_dir, store) = crate::test_store().await;
        store
            .set_user("flood@org.nl", "geheim-wachtwoord", Role::Sender)
            .await
            .unwrap();
        let checks: Vec<_> = (0..200)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.check_password("flood@org.nl", "fout").await })
            })
            .collect();
        let mut busy = 0;
        let mut answered = 0;
        for c in checks {
            match c.await.unwrap() {
                Err(StoreError::Busy) => busy += 1,
                Ok(false) => answered += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(busy > 0, "200 checks at once must not all queue");
        assert!(answered >= slots().queue, "the queue's worth is answered");
        // Afterwards the slots are free again.
        assert!(matches!(
            store
                .check_password("flood@org.nl", "geheim-wachtwoord")
                .await,
            Ok(true)
        ));
    }
}

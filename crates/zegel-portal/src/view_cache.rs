//! The read page's rendered message, kept in memory for a short time so
//! that a reader who reloads, switches language or comes back from a
//! download does not make the portal read, decrypt, parse and sanitise the
//! same copy again (that was most of the page's cost under load; see
//! docs/performance.md).
//!
//! What it keeps is the sanitised view (what the page shows anyway), only
//! in this process's memory, never on disk; at most [`MAX_BYTES`] in all
//! and [`MAX_ENTRY`] per message, each for the configured time. It is
//! consulted only after the access checks: the package is looked up, and
//! its state (withdrawn, expired, locked) and the session checked, in the
//! database on every request, so a withdrawal or expiry takes effect at
//! once whatever is kept here. A withdrawal and a logout also drop the
//! package's entries at once, and every entry goes at its time.

use crate::view::MessageView;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most memory all kept views may take.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// A larger view is not kept.
pub const MAX_ENTRY: usize = 1024 * 1024;

/// Rendered views by package id and whether remote images are shown.
pub struct ViewCache {
    ttl: Duration,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<(String, bool), Entry>,
    bytes: usize,
}

struct Entry {
    at: Instant,
    size: usize,
    view: Arc<MessageView>,
}

impl ViewCache {
    /// A cache whose entries live `ttl` (zero: nothing is kept).
    pub fn new(ttl: Duration) -> ViewCache {
        ViewCache {
            ttl,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves only a map behind; keep going.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The kept view of `package`, if it is younger than the time to live.
    pub fn get(&self, package: &str, images: bool) -> Option<Arc<MessageView>> {
        if self.ttl.is_zero() {
            return None;
        }
        let inner = self.lock();
        let entry = inner.entries.get(&(package.to_string(), images))?;
        (entry.at.elapsed() < self.ttl).then(|| entry.view.clone())
    }

    /// Keeps `view` of `package` (unless it or the total is too large).
    pub fn put(&self, package: &str, images: bool, view: Arc<MessageView>) {
        if self.ttl.is_zero() {
            return;
        }
        let size = size_of(&view);
        if size > MAX_ENTRY {
            return;
        }
        let mut inner = self.lock();
        sweep(&mut inner, self.ttl);
        if let Some(old) = inner.entries.remove(&(package.to_string(), images)) {
            inner.bytes -= old.size;
        }
        if inner.bytes + size > MAX_BYTES {
            return;
        }
        inner.bytes += size;
        inner.entries.insert(
            (package.to_string(), images),
            Entry {
                at: Instant::now(),
                size,
                view,
            },
        );
    }

    /// Drops every view of `package` (withdrawn, logged out).
    pub fn forget(&self, package: &str) {
        let mut inner = self.lock();
        for images in [false, true] {
            if let Some(old) = inner.entries.remove(&(package.to_string(), images)) {
                inner.bytes -= old.size;
            }
        }
    }

    /// Drops the views that have lived their time.
    pub fn sweep(&self) {
        let mut inner = self.lock();
        sweep(&mut inner, self.ttl);
    }

    /// How many views are kept (tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().entries.len()
    }
}

fn sweep(inner: &mut Inner, ttl: Duration) {
    let mut freed = 0;
    inner.entries.retain(|_, e| {
        let keep = e.at.elapsed() < ttl;
        if !keep {
            freed += e.size;
        }
        keep
    });
    inner.bytes -= freed;
}

/// About how much memory a view takes.
fn size_of(v: &MessageView) -> usize {
    v.subject.len()
        + v.from.len()
        + v.to.len()
        + v.cc.len()
        + v.date.len()
        + v.body_html.as_ref().map_or(0, String::len)
        + v.body_text.len()
        + v.message_id.as_ref().map_or(0, String::len)
        + v.attachments
            .iter()
            .map(|a| a.name.len() + std::mem::size_of_val(a))
            .sum::<usize>()
        + std::mem::size_of::<MessageView>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(body: &str) -> Arc<MessageView> {
        let raw = format!(
            "From: a@zorg.example\r\nSubject: s\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/html\r\n\r\n<p>{body}</p>\r\n"
        );
        Arc::new(crate::view::render(raw.as_bytes(), false, "/m/t/inline/").unwrap())
    }

    #[test]
    fn keeps_for_its_time_and_forgets_on_request() {
        let c = ViewCache::new(Duration::from_secs(60));
        assert!(c.get("p1", false).is_none());
        c.put("p1", false, view("een"));
        c.put("p2", false, view("twee"));
        let got = c.get("p1", false).unwrap();
        assert!(got.body_html.as_deref().unwrap().contains("een"));
        assert!(c.get("p1", true).is_none(), "images shown is another view");
        c.forget("p1");
        assert!(c.get("p1", false).is_none());
        assert!(c.get("p2", false).is_some());
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn expired_views_are_neither_served_nor_kept() {
        let c = ViewCache::new(Duration::from_millis(30));
        c.put("p1", false, view("een"));
        assert!(c.get("p1", false).is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert!(c.get("p1", false).is_none());
        c.sweep();
        assert_eq!(c.len(), 0);
        assert_eq!(c.lock().bytes, 0);
    }

    #[test]
    fn zero_time_keeps_nothing_and_size_is_bounded() {
        let off = ViewCache::new(Duration::ZERO);
        off.put("p1", false, view("een"));
        assert!(off.get("p1", false).is_none());
        assert_eq!(off.len(), 0);

        let c = ViewCache::new(Duration::from_secs(60));
        c.put("big", false, view(&"x".repeat(MAX_ENTRY + 1)));
        assert_eq!(c.len(), 0, "too large for one entry");
        let half = view(&"y".repeat(MAX_ENTRY - 1024));
        let n = MAX_BYTES / size_of(&half);
        for i in 0..n + 5 {
            c.put(&format!("p{i}"), false, half.clone());
        }
        assert_eq!(c.len(), n, "no more than the budget");
        assert!(c.lock().bytes <= MAX_BYTES);
    }
}

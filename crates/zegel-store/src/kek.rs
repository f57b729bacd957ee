//! The key-encryption key (KEK) ring and its key file.
//!
//! The ring holds one *current* key, which wraps every new data key and
//! keys every new code hash, and the keys that only open what they made:
//! a *next* key staged ahead of a rotation (so every node can read what a
//! node on the rotated file writes) and *previous* keys kept after one
//! (until nothing stored needs them). Rotation is `zegel key`'s job; this
//! module only reads, writes and uses the ring.
//!
//! The key file, one key per line (64 hex digits), `#` starts a comment:
//!
//! ```text
//! current 3f2a…
//! next ab12…
//! previous 99ee…
//! ```
//!
//! A file of one bare key (what zegel wrote before rotation existed) reads
//! as that key being current.

use crate::seal::{decrypt, encrypt, DataKey};
use crate::StoreError;
use std::path::Path;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// One 256-bit key of the ring. Never logged (no `Debug` of its bytes).
struct Key(Zeroizing<[u8; 32]>);

impl Key {
    fn random() -> Key {
        Key(Zeroizing::new(rand::random()))
    }

    fn parse(text: &str) -> Option<Key> {
        let mut bytes = [0u8; 32];
        let ok = hex::decode_to_slice(text, &mut bytes).is_ok();
        let key = Key(Zeroizing::new(bytes));
        bytes.zeroize();
        ok.then_some(key)
    }

    /// A short public name for the key (the first 8 hex digits of a hash
    /// of it): tagged onto code hashes, so that it is known which key made
    /// them, and shown by `zegel key status`.
    fn id(&self) -> String {
        use sha2::Digest;
        let mut hash = sha2::Sha256::new();
        hash.update(b"zegel key id v1: ");
        hash.update(&self.0[..]);
        hex::encode(&hash.finalize()[..4])
    }

    fn clone_key(&self) -> Key {
        Key(Zeroizing::new(*self.0))
    }

    /// HMAC-SHA256 of `data` under a subkey of this key for `purpose`.
    fn mac(&self, purpose: &str, data: &[u8]) -> String {
        use hmac::{Hmac, Mac};
        type HmacSha256 = Hmac<sha2::Sha256>;
        let mut derive = <HmacSha256 as Mac>::new_from_slice(&self.0[..])
            .expect("HMAC takes keys of any length");
        derive.update(b"zegel mac key v1: ");
        derive.update(purpose.as_bytes());
        let subkey: Zeroizing<[u8; 32]> = Zeroizing::new(derive.finalize().into_bytes().into());
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&subkey[..])
            .expect("HMAC takes keys of any length");
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The key-encryption key ring: the current key wraps, every key unwraps.
pub struct Kek {
    current: Key,
    next: Option<Key>,
    previous: Vec<Key>,
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Kek(current {}", self.current.id())?;
        if let Some(next) = &self.next {
            write!(f, ", next {}", next.id())?;
        }
        for key in &self.previous {
            write!(f, ", previous {}", key.id())?;
        }
        f.write_str(")")
    }
}

/// What a key file's ring looks like, by key id (never the keys).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRingInfo {
    /// The id of the key that wraps.
    pub current: String,
    /// The id of the staged key, if one is.
    pub next: Option<String>,
    /// The ids of the previous keys, newest first.
    pub previous: Vec<String>,
}

impl Kek {
    /// A ring of one key from 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Kek {
        Kek::of(Key(Zeroizing::new(bytes)))
    }

    /// A ring of one fresh random key.
    pub fn generate() -> Kek {
        Kek::of(Key::random())
    }

    fn of(current: Key) -> Kek {
        Kek {
            current,
            next: None,
            previous: Vec::new(),
        }
    }

    /// The ring's key ids.
    pub fn info(&self) -> KeyRingInfo {
        KeyRingInfo {
            current: self.current.id(),
            next: self.next.as_ref().map(Key::id),
            previous: self.previous.iter().map(Key::id).collect(),
        }
    }

    /// Whether the ring holds previous keys (to retire).
    pub fn has_previous(&self) -> bool {
        !self.previous.is_empty()
    }

    /// Adds a fresh random key as the next one; refuses when one is staged.
    pub fn stage_next(&mut self) -> Result<(), StoreError> {
        if self.next.is_some() {
            return Err(StoreError::KeyRing("a next key is staged already"));
        }
        self.next = Some(Key::random());
        Ok(())
    }

    /// Makes the staged next key (or, with none staged, a fresh one) the
    /// current key; the current key becomes the newest previous one.
    pub fn rotate(&mut self) {
        let new = self.next.take().unwrap_or_else(Key::random);
        let old = std::mem::replace(&mut self.current, new);
        self.previous.insert(0, old);
    }

    /// Forgets the previous keys.
    pub fn retire_previous(&mut self) {
        self.previous.clear();
    }

    /// Whether `wrapped` opens with the current key (so re-wrapping it is
    /// not needed).
    pub fn is_current(&self, wrapped: &[u8], aad: &[u8]) -> bool {
        decrypt(&self.current.0, wrapped, aad).is_ok()
    }

    /// Reads a key file.
    pub fn load(path: &Path) -> Result<Kek, StoreError> {
        let text =
            Zeroizing::new(
                std::fs::read_to_string(path).map_err(|source| StoreError::Io {
                    what: "read the key file",
                    source,
                })?,
            );
        Kek::parse(&text).ok_or_else(|| StoreError::BadKey(path.display().to_string()))
    }

    /// The ring written in a key file's text, or `None` when the text is
    /// not one (no current key, two current or next keys, a bad key, an
    /// unknown word, a key twice).
    fn parse(text: &str) -> Option<Kek> {
        let mut current = None;
        let mut next = None;
        let mut previous = Vec::new();
        let lines: Vec<&str> = text
            .lines()
            .map(|line| line.split('#').next().unwrap_or("").trim())
            .filter(|line| !line.is_empty())
            .collect();
        if let [bare] = lines.as_slice() {
            if !bare.contains(char::is_whitespace) {
                return Key::parse(bare).map(Kek::of);
            }
        }
        for line in lines {
            let (role, key) = line.split_once(char::is_whitespace)?;
            let key = Key::parse(key.trim())?;
            match role {
                "current" if current.is_none() => current = Some(key),
                "next" if next.is_none() => next = Some(key),
                "previous" => previous.push(key),
                _ => return None,
            }
        }
        let kek = Kek {
            current: current?,
            next,
            previous,
        };
        let mut ids = vec![kek.current.id()];
        ids.extend(kek.next.iter().map(Key::id));
        ids.extend(kek.previous.iter().map(Key::id));
        let all = ids.len();
        ids.sort();
        ids.dedup();
        (ids.len() == all).then_some(kek)
    }

    fn render(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::from(
            "# zegel's key-encryption keys: secret, backed up, the same on every node.\n\
             # \"current\" wraps new data keys; \"next\" and \"previous\" only open what\n\
             # they wrapped. Change it with `zegel key` (see docs/deployment.md).\n",
        ));
        let mut line = |role: &str, key: &Key| {
            text.push_str(role);
            text.push(' ');
            text.push_str(&hex::encode(*key.0));
            text.push('\n');
        };
        line("current", &self.current);
        if let Some(next) = &self.next {
            line("next", next);
        }
        for key in &self.previous {
            line("previous", key);
        }
        text
    }

    /// Writes this ring as a new file readable only by its owner; refuses
    /// to overwrite.
    pub fn save_new(&self, path: &Path) -> Result<(), StoreError> {
        write_private(path, self.render().as_bytes())
    }

    /// Replaces the key file with this ring, atomically: a new file beside
    /// it (owner-only), synced, renamed over it, the folder synced. The old
    /// file is kept as `<name>.old` until the next replacement, so a node
    /// that was not restarted yet and an operator's mistake can be undone.
    pub fn save_replacing(&self, path: &Path) -> Result<(), StoreError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "kek.key".into());
        let temp = path.with_file_name(format!("{name}.new"));
        let old = path.with_file_name(format!("{name}.old"));
        let _ = std::fs::remove_file(&temp);
        write_private(&temp, self.render().as_bytes())?;
        let io = |what| move |source| StoreError::Io { what, source };
        let _ = std::fs::remove_file(&old);
        std::fs::hard_link(path, &old).map_err(io("keep the old key file"))?;
        std::fs::rename(&temp, path).map_err(io("replace the key file"))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(io("sync the key file's folder"))?;
        }
        Ok(())
    }

    /// Wraps a data key with the current key.
    pub fn wrap(&self, key: &DataKey, aad: &[u8]) -> Vec<u8> {
        encrypt(&self.current.0, key.bytes(), aad)
    }

    /// Unwraps a data key with whichever key of the ring wrapped it.
    pub fn unwrap(&self, wrapped: &[u8], aad: &[u8]) -> Result<DataKey, StoreError> {
        let bytes = self
            .keys()
            .find_map(|key| decrypt(&key.0, wrapped, aad).ok())
            .ok_or(StoreError::Unseal)?;
        let bytes = Zeroizing::new(bytes);
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Unseal)?;
        Ok(DataKey::from_bytes(key))
    }

    /// A keyed hash (HMAC-SHA256) of `data` under a key derived from the
    /// current key for `purpose`, tagged with that key's id: how codes are
    /// stored, so that reading the database alone does not let anyone try
    /// all six-digit codes offline. Check one with [`Kek::mac_matches`].
    pub fn mac(&self, purpose: &str, data: &[u8]) -> String {
        format!("{}:{}", self.current.id(), self.current.mac(purpose, data))
    }

    /// Whether `stored` (made by [`Kek::mac`], by any key of the ring, or
    /// untagged as zegel wrote them before rotation existed) is the keyed
    /// hash of `data`. Compared in constant time.
    pub fn mac_matches(&self, purpose: &str, data: &[u8], stored: &str) -> bool {
        let (id, hash) = match stored.split_once(':') {
            Some((id, hash)) => (Some(id), hash),
            None => (None, stored),
        };
        let mut found = false;
        for key in self.keys() {
            if id.is_some_and(|id| id != key.id()) {
                continue;
            }
            let mine = key.mac(purpose, data);
            found |= bool::from(mine.as_bytes().ct_eq(hash.as_bytes()));
        }
        found
    }

    /// Whether a stored code hash was made by the current key (so it keeps
    /// working once the previous keys are retired).
    pub fn mac_is_current(&self, stored: &str) -> bool {
        stored
            .split_once(':')
            .is_some_and(|(id, _)| id == self.current.id())
    }

    fn keys(&self) -> impl Iterator<Item = &Key> {
        std::iter::once(&self.current)
            .chain(self.next.iter())
            .chain(self.previous.iter())
    }

    /// A copy of the ring (for a command that changes the file and then
    /// works with the store).
    pub fn duplicate(&self) -> Kek {
        Kek {
            current: self.current.clone_key(),
            next: self.next.as_ref().map(Key::clone_key),
            previous: self.previous.iter().map(Key::clone_key).collect(),
        }
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let io = |source| StoreError::Io {
        what: "write the key file",
        source,
    };
    let mut file = options.open(path).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_wraps_with_the_current_key_and_opens_with_any() {
        let mut kek = Kek::generate();
        let dk = DataKey::generate();
        let old = kek.wrap(&dk, b"id1");
        kek.stage_next().unwrap();
        assert!(kek.stage_next().is_err(), "one next key at a time");
        assert!(
            kek.is_current(&old, b"id1"),
            "staging changes nothing wrapped"
        );
        kek.rotate();
        assert!(!kek.is_current(&old, b"id1"));
        let opened = kek.unwrap(&old, b"id1").expect("a previous key opens");
        let new = kek.wrap(&opened, b"id1");
        assert!(kek.is_current(&new, b"id1"));
        assert!(kek.unwrap(&new, b"id2").is_err(), "bound to its id");
        kek.retire_previous();
        assert!(
            kek.unwrap(&old, b"id1").is_err(),
            "retired keys open nothing"
        );
        assert!(kek.unwrap(&new, b"id1").is_ok());
        assert!(Kek::generate().unwrap(&new, b"id1").is_err());
    }

    #[test]
    fn code_hashes_name_their_key_and_match_across_a_rotation() {
        let mut kek = Kek::generate();
        let made = kek.mac("access code", b"m1/123456");
        assert!(kek.mac_is_current(&made));
        assert!(kek.mac_matches("access code", b"m1/123456", &made));
        assert!(!kek.mac_matches("access code", b"m1/123457", &made));
        assert!(!kek.mac_matches("one-time code", b"m1/123456", &made));
        // As zegel stored them before rotation: untagged.
        let legacy = made.split_once(':').unwrap().1.to_string();
        assert!(kek.mac_matches("access code", b"m1/123456", &legacy));
        assert!(
            !kek.mac_is_current(&legacy),
            "untagged: not known to be current"
        );
        kek.rotate();
        assert!(!kek.mac_is_current(&made));
        assert!(kek.mac_matches("access code", b"m1/123456", &made));
        assert!(kek.mac_matches("access code", b"m1/123456", &legacy));
        let renamed = format!("00000000:{}", made.split_once(':').unwrap().1);
        assert!(!kek.mac_matches("access code", b"m1/123456", &renamed));
        kek.retire_previous();
        assert!(!kek.mac_matches("access code", b"m1/123456", &made));
    }

    #[test]
    fn key_files_round_trip_and_bad_ones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kek.key");
        let mut kek = Kek::generate();
        kek.save_new(&path).unwrap();
        assert!(kek.save_new(&path).is_err(), "never overwrites");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let dk = DataKey::generate();
        let wrapped = kek.wrap(&dk, b"x");
        kek.stage_next().unwrap();
        kek.rotate();
        kek.stage_next().unwrap();
        kek.save_replacing(&path).unwrap();
        let again = Kek::load(&path).unwrap();
        assert_eq!(again.info(), kek.info());
        assert_eq!(again.info().previous.len(), 1);
        assert!(again.unwrap(&wrapped, b"x").is_ok());
        let old = Kek::load(&path.with_file_name("kek.key.old")).unwrap();
        assert_eq!(old.info().previous.len(), 0, "the file before is kept");

        let bare = hex::encode([5u8; 32]);
        let one = Kek::parse(&format!("{bare}\n")).expect("a bare key is current");
        assert_eq!(one.info().current, Kek::from_bytes([5; 32]).info().current);
        for bad in [
            "nonsense".to_string(),
            String::new(),
            format!("next {bare}"),
            format!("current {bare}\ncurrent {}", hex::encode([6u8; 32])),
            format!("current {bare}\nprevious {bare}"),
            format!("current {bare}\nspare {}", hex::encode([6u8; 32])),
            format!("current {}", &bare[..60]),
        ] {
            assert!(Kek::parse(&bad).is_none(), "{bad:?}");
        }
        let commented = format!("# keys\ncurrent {bare} # since today\n\n");
        assert!(Kek::parse(&commented).is_some());
        std::fs::write(&path, "nonsense").unwrap();
        assert!(matches!(Kek::load(&path), Err(StoreError::BadKey(_))));
    }
}

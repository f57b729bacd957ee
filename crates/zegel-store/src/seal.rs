//! Envelope encryption: every blob gets its own random data key; the data
//! key is stored only wrapped by the key-encryption key (KEK). Both layers
//! use XChaCha20-Poly1305 (RustCrypto `chacha20poly1305`, audited) with
//! random 192-bit nonces; the blob id is bound in as associated data so a
//! blob cannot be swapped for another.

use crate::StoreError;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::path::Path;
use zeroize::{Zeroize, Zeroizing};

const NONCE: usize = 24;

/// The key-encryption key. Never logged (no `Debug` of its bytes).
pub struct Kek(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(..)")
    }
}

impl Kek {
    /// A key from 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Kek {
        Kek(Zeroizing::new(bytes))
    }

    /// A fresh random key.
    pub fn generate() -> Kek {
        Kek::from_bytes(rand::random())
    }

    /// Reads a key file (64 hex digits).
    pub fn load(path: &Path) -> Result<Kek, StoreError> {
        let text =
            Zeroizing::new(
                std::fs::read_to_string(path).map_err(|source| StoreError::Io {
                    what: "read the key file",
                    source,
                })?,
            );
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes)
            .map_err(|_| StoreError::BadKey(path.display().to_string()))?;
        let kek = Kek::from_bytes(bytes);
        bytes.zeroize();
        Ok(kek)
    }

    /// Writes this key as a new file readable only by its owner; refuses to
    /// overwrite.
    pub fn save_new(&self, path: &Path) -> Result<(), StoreError> {
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
        let text = Zeroizing::new(hex::encode(*self.0));
        file.write_all(text.as_bytes()).map_err(io)?;
        file.write_all(b"\n").map_err(io)?;
        file.sync_all().map_err(io)
    }

    /// Wraps a data key.
    pub fn wrap(&self, key: &DataKey, aad: &[u8]) -> Vec<u8> {
        encrypt(&self.0, &key.0[..], aad)
    }

    /// A keyed hash (HMAC-SHA256) of `data` under a key derived from the
    /// KEK for `purpose`: how codes are stored, so that reading the database
    /// alone does not let anyone try all six-digit codes offline.
    pub fn mac(&self, purpose: &str, data: &[u8]) -> String {
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

    /// Unwraps a data key.
    pub fn unwrap(&self, wrapped: &[u8], aad: &[u8]) -> Result<DataKey, StoreError> {
        let bytes = Zeroizing::new(decrypt(&self.0, wrapped, aad)?);
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Unseal)?;
        Ok(DataKey(Zeroizing::new(key)))
    }
}

/// A data key for one blob.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    /// A fresh random data key.
    pub fn generate() -> DataKey {
        DataKey(Zeroizing::new(rand::random()))
    }

    /// Encrypts `plaintext`; `aad` binds it to its id.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        encrypt(&self.0, plaintext, aad)
    }

    /// Decrypts what [`DataKey::seal`] made.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, StoreError> {
        decrypt(&self.0, sealed, aad)
    }
}

fn encrypt(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let nonce_bytes: [u8; NONCE] = rand::random();
    let nonce = XNonce::from(nonce_bytes);
    let mut out = nonce_bytes.to_vec();
    // Encryption with a valid key and nonce cannot fail for in-memory data
    // below the AEAD's 256 GiB limit, which our size limits keep far below.
    let ct = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .unwrap_or_default();
    out.extend_from_slice(&ct);
    out
}

fn decrypt(key: &[u8; 32], sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, StoreError> {
    if sealed.len() < NONCE {
        return Err(StoreError::Unseal);
    }
    let (nonce, ct) = sealed.split_at(NONCE);
    let cipher = XChaCha20Poly1305::new(key.into());
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
        .map_err(|_| StoreError::Unseal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let kek = Kek::generate();
        let dk = DataKey::generate();
        let wrapped = kek.wrap(&dk, b"id1");
        let sealed = dk.seal(b"BSN 111222333", b"id1");
        assert!(!sealed.windows(9).any(|w| w == b"111222333"));
        let dk2 = kek.unwrap(&wrapped, b"id1").unwrap();
        assert_eq!(dk2.open(&sealed, b"id1").unwrap(), b"BSN 111222333");
        assert!(dk2.open(&sealed, b"id2").is_err(), "bound to its id");
        let mut bad = sealed.clone();
        bad[30] ^= 1;
        assert!(dk2.open(&bad, b"id1").is_err());
        assert!(Kek::generate().unwrap(&wrapped, b"id1").is_err());
        assert!(dk2.open(b"short", b"id1").is_err());
    }

    #[test]
    fn key_file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kek");
        let kek = Kek::generate();
        kek.save_new(&path).unwrap();
        assert!(kek.save_new(&path).is_err(), "never overwrites");
        let again = Kek::load(&path).unwrap();
        let dk = DataKey::generate();
        assert!(again.unwrap(&kek.wrap(&dk, b"x"), b"x").is_ok());
        std::fs::write(&path, "nonsense").unwrap();
        assert!(matches!(Kek::load(&path), Err(StoreError::BadKey(_))));
    }
}

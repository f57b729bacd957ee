//! Envelope encryption: every blob gets its own random data key; the data
//! key is stored only wrapped by the key-encryption key (KEK, kek.rs). Both layers
//! use XChaCha20-Poly1305 (RustCrypto `chacha20poly1305`, audited) with
//! random 192-bit nonces; the blob id is bound in as associated data so a
//! blob cannot be swapped for another.

use crate::StoreError;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

const NONCE: usize = 24;

/// A data key for one blob.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    /// A fresh random data key.
    pub fn generate() -> DataKey {
        DataKey(Zeroizing::new(rand::random()))
    }

    /// A data key from its bytes (unwrapped by the KEK).
    pub(crate) fn from_bytes(bytes: [u8; 32]) -> DataKey {
        DataKey(Zeroizing::new(bytes))
    }

    /// The key's bytes (to wrap it).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0[..]
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

pub(crate) fn encrypt(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
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

pub(crate) fn decrypt(key: &[u8; 32], sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, StoreError> {
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
    use crate::Kek;

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
}

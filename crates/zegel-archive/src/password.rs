//! The archive's password: long, random, and easy to type from a phone.
//!
//! Six groups of four characters, joined by hyphens
//! (`k7fm-2hqx-9tbe-wn4c-rj8p-a3zd`). Each character is drawn uniformly from
//! 31 symbols: the lowercase letters and digits without the ones people
//! confuse (`0`/`o`, `1`/`l`/`i`). Lowercase only, so nobody has to guess
//! about capitals, and the groups keep the reader's place.
//!
//! Entropy: 24 characters × log2(31) ≈ 24 × 4.954 = **118.9 bits**
//! ([`Password::ENTROPY_BITS`]); the hyphens are fixed and add nothing.
//! That is beyond brute force even against 7z's and ZIP's key derivations
//! at full speed, so their work factors are not what protects the archive.
//!
//! The randomness comes straight from the operating system ([`OsRng`]),
//! one byte per try, with bytes at or above 248 (8 × 31) thrown away so
//! every symbol is equally likely (no modulo bias).

use crate::ArchiveError;
use rand::rngs::OsRng;
use rand::TryRngCore;
use std::fmt;
use zeroize::Zeroizing;

/// The symbols a password is made of: `2`–`9` and `a`–`z` without `i`, `l`
/// and `o` (31 in all).
pub const ALPHABET: &[u8; 31] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// A password for one archive. Its memory is wiped when dropped; `Debug`
/// never shows it, and there is deliberately no `Display`: whoever shows or
/// sends it calls [`Password::as_str`] on purpose.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Groups in a generated password.
    pub const GROUPS: usize = 6;
    /// Characters per group.
    pub const GROUP_LEN: usize = 4;
    /// The entropy of a generated password in bits, rounded down to a
    /// tenth: 24 × log2(31).
    pub const ENTROPY_BITS: f64 = 118.9;

    /// A new random password from the operating system's generator.
    pub fn generate() -> Result<Password, ArchiveError> {
        let wanted = Self::GROUPS * Self::GROUP_LEN;
        let mut symbols = Zeroizing::new(Vec::with_capacity(wanted));
        let mut buf = Zeroizing::new([0u8; 64]);
        while symbols.len() < wanted {
            OsRng
                .try_fill_bytes(&mut buf[..])
                .map_err(|e| ArchiveError::Random(e.to_string()))?;
            let missing = wanted - symbols.len();
            symbols.extend(
                buf.iter()
                    .filter(|&&b| usize::from(b) < ALPHABET.len() * 8)
                    .map(|&b| ALPHABET[usize::from(b) % ALPHABET.len()])
                    .take(missing),
            );
        }
        Ok(Password::from_symbols(&symbols))
    }

    /// Six groups of four from `symbols` (24 of [`ALPHABET`]).
    fn from_symbols(symbols: &[u8]) -> Password {
        let mut text = Zeroizing::new(String::with_capacity(Self::GROUPS * (Self::GROUP_LEN + 1)));
        for (i, group) in symbols.chunks(Self::GROUP_LEN).enumerate() {
            if i > 0 {
                text.push('-');
            }
            text.extend(group.iter().map(|&b| char::from(b)));
        }
        Password(text)
    }

    /// A password the caller chose (tests, or one typed by a person). It
    /// must not be empty: an archive without a password is not encrypted.
    pub fn from_text(text: &str) -> Result<Password, ArchiveError> {
        if text.is_empty() {
            return Err(ArchiveError::EmptyPassword);
        }
        Ok(Password(Zeroizing::new(text.to_string())))
    }

    /// The password as text, to show or send to the recipient.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn generated_passwords_have_the_documented_shape() {
        for _ in 0..200 {
            let p = Password::generate().unwrap();
            let groups: Vec<&str> = p.as_str().split('-').collect();
            assert_eq!(groups.len(), Password::GROUPS, "{}", p.as_str());
            for g in groups {
                assert_eq!(g.len(), Password::GROUP_LEN);
                assert!(g.bytes().all(|b| ALPHABET.contains(&b)), "{g}");
            }
        }
    }

    #[test]
    fn the_alphabet_has_no_look_alikes_and_31_distinct_symbols() {
        let set: HashSet<u8> = ALPHABET.iter().copied().collect();
        assert_eq!(set.len(), 31);
        for confusable in b"01ilo" {
            assert!(!set.contains(confusable), "{}", *confusable as char);
        }
        assert!(ALPHABET
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    }

    #[test]
    fn the_documented_entropy_matches_the_alphabet() {
        let bits = (Password::GROUPS * Password::GROUP_LEN) as f64 * (ALPHABET.len() as f64).log2();
        assert!(bits >= 100.0);
        assert!((bits - Password::ENTROPY_BITS).abs() < 0.1, "{bits}");
    }

    #[test]
    fn passwords_do_not_repeat_and_every_symbol_appears() {
        let mut seen = HashSet::new();
        let mut counts = [0u32; 31];
        for _ in 0..2000 {
            let p = Password::generate().unwrap();
            for b in p.as_str().bytes().filter(|&b| b != b'-') {
                counts[ALPHABET.iter().position(|&a| a == b).unwrap()] += 1;
            }
            assert!(seen.insert(p.as_str().to_string()));
        }
        // 48000 draws, 1548 expected per symbol: a bias (e.g. modulo over
        // 256) would push the first symbols far above the rest.
        let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        assert!(*min > 1300 && *max < 1800, "{counts:?}");
    }

    #[test]
    fn debug_never_shows_the_password() {
        let p = Password::from_text("geheim-wachtwoord").unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
        assert!(matches!(
            Password::from_text(""),
            Err(ArchiveError::EmptyPassword)
        ));
    }
}

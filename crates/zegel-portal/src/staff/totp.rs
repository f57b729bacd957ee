//! TOTP (RFC 6238) for the staff sign-in through totp-rs: six digits,
//! 30-second steps, HMAC-SHA-1 (what authenticator apps expect), and one
//! step of clock difference either way.

use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

/// Seconds per time step.
pub const STEP: u64 = 30;

fn totp(secret: &[u8], account: &str, issuer: &str) -> Option<TOTP> {
    // otpauth labels use ':' between issuer and account.
    let clean = |s: &str| s.replace(':', " ");
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP,
        secret.to_vec(),
        Some(clean(issuer)),
        clean(account),
    )
    .ok()
}

/// The time step a code belongs to when it is right at `now` (Unix
/// seconds) give or take one step; spaces in the code are ignored.
pub fn matching_step(secret: &[u8], code: &str, now: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let t = totp(secret, "zegel", "zegel")?;
    let current = now / STEP;
    let mut found = None;
    // Every candidate is compared, in constant time, whatever matched.
    for step in current.saturating_sub(1)..=current + 1 {
        if bool::from(t.generate(step * STEP).as_bytes().ct_eq(code.as_bytes())) {
            found = Some(step);
        }
    }
    found
}

/// The code for `now` (what an authenticator app shows).
pub fn code_at(secret: &[u8], now: u64) -> Option<String> {
    Some(totp(secret, "zegel", "zegel")?.generate(now))
}

/// The `otpauth://` address an authenticator app reads (as a QR code or
/// pasted), and the secret in base32 for typing in.
pub fn enrollment(secret: &[u8], account: &str, issuer: &str) -> Option<(String, String)> {
    let t = totp(secret, account, issuer)?;
    Some((t.get_url(), t.get_secret_base32()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_vectors_and_skew() {
        // RFC 6238 appendix B, SHA-1, last six digits.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59).unwrap(), "287082");
        assert_eq!(code_at(secret, 1_111_111_109).unwrap(), "081804");
        assert_eq!(code_at(secret, 2_000_000_000).unwrap(), "279037");
        let now = 1_111_111_109;
        let step = now / STEP;
        assert_eq!(matching_step(secret, "081804", now), Some(step));
        assert_eq!(matching_step(secret, "081 804", now + STEP), Some(step));
        assert_eq!(matching_step(secret, "081804", now - STEP), Some(step));
        assert_eq!(matching_step(secret, "081804", now + 2 * STEP), None);
        assert_eq!(matching_step(secret, "000000", now), None);
        assert_eq!(matching_step(secret, "", now), None);
    }

    #[test]
    fn enrollment_url_names_issuer_and_account() {
        let (url, base32) =
            enrollment(b"12345678901234567890", "fg@zorg.nl", "Zorg: Noord").unwrap();
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(
            url.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{url}"
        );
        assert!(
            url.contains("fg%40zorg.nl") || url.contains("fg@zorg.nl"),
            "{url}"
        );
        assert_eq!(base32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }
}

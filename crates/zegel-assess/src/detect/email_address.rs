//! E-mail addresses: a local part, `@`, and a domain with at least one dot
//! and an alphabetic top-level domain. Reasonable, not RFC-perfect: quoted
//! local parts and internationalised domains are not found. The excerpt
//! keeps the domain and masks the local part (`j.j*****@example.nl`).

use super::mask::mask_keep;
use super::{Detector, Text};
use crate::finding::{FindingKind, Match};

/// Confidence for a well-formed address.
const CONFIDENCE: f32 = 0.9;

/// Finds e-mail addresses.
#[derive(Debug, Default)]
pub struct EmailAddressDetector;

impl EmailAddressDetector {
    /// An e-mail address detector.
    pub fn new() -> EmailAddressDetector {
        EmailAddressDetector
    }
}

/// Bytes allowed in the local part.
fn local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-' | b'\'')
}

/// Bytes allowed in the domain.
fn domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

/// The address around the `@` at `at`, as a byte range, if well formed.
fn address_at(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut start = at;
    while start > 0 && at - start < 64 && local_byte(bytes[start - 1]) {
        start -= 1;
    }
    // Trailing punctuation before the local part is not part of it.
    while start < at && matches!(bytes[start], b'.' | b'\'' | b'-' | b'+') {
        start += 1;
    }
    if start == at || (start > 0 && local_byte(bytes[start - 1])) {
        return None;
    }
    let local = &bytes[start..at];
    if local.ends_with(b".") || local.windows(2).any(|w| w == b"..") {
        return None;
    }
    let mut end = at + 1;
    while end < bytes.len() && end - at < 255 && domain_byte(bytes[end]) {
        end += 1;
    }
    while end > at + 1 && matches!(bytes[end - 1], b'.' | b'-') {
        end -= 1;
    }
    let domain = &bytes[at + 1..end];
    let mut labels = domain.split(|&b| b == b'.');
    let tld = domain.rsplit(|&b| b == b'.').next()?;
    let labels_ok = labels.all(|l| !l.is_empty() && l[0] != b'-' && l[l.len() - 1] != b'-');
    if !labels_ok
        || !domain.contains(&b'.')
        || !(2..=24).contains(&tld.len())
        || !tld.iter().all(u8::is_ascii_alphabetic)
    {
        return None;
    }
    Some((start, end))
}

impl Detector for EmailAddressDetector {
    fn kind(&self) -> FindingKind {
        FindingKind::EmailAddress
    }

    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        let s = text.original;
        let bytes = s.as_bytes();
        let mut pos = 0;
        while let Some(p) = s[pos..].find('@') {
            let at = pos + p;
            pos = at + 1;
            let Some((start, end)) = address_at(bytes, at) else {
                continue;
            };
            let local = &s[start..at];
            let alnum = local.chars().filter(char::is_ascii_alphanumeric).count();
            let excerpt = format!(
                "{}{}",
                mask_keep(local, 2.min(alnum.saturating_sub(1))),
                &s[at..end]
            );
            out.push(Match {
                kind: FindingKind::EmailAddress,
                span: start..end,
                excerpt,
                confidence: CONFIDENCE,
            });
            pos = end.max(pos);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str) -> Vec<Match> {
        let mut out = Vec::new();
        EmailAddressDetector::new().detect(&Text::new(s), &mut out);
        out
    }

    #[test]
    fn finds_addresses() {
        for (s, value) in [
            (
                "Mail naar j.jansen@example.nl graag.",
                "j.jansen@example.nl",
            ),
            (
                "<piet.de-vries+zorg@gemeente.amsterdam.nl>",
                "piet.de-vries+zorg@gemeente.amsterdam.nl",
            ),
            (
                "mailto:info@zorg-instelling.com.",
                "info@zorg-instelling.com",
            ),
            (
                "Contact: A_B@Sub.Example.Org, thanks",
                "A_B@Sub.Example.Org",
            ),
        ] {
            let m = find(s);
            assert_eq!(m.len(), 1, "{s}: {m:?}");
            assert_eq!(&s[m[0].span.clone()], value);
        }
        assert_eq!(
            find("j.jansen@example.nl")[0].excerpt,
            "j.j*****@example.nl"
        );
        assert_eq!(find("ab@example.nl")[0].excerpt, "a*@example.nl");
    }

    #[test]
    fn finds_several() {
        assert_eq!(find("a.b@x.nl; c@y.com").len(), 2);
    }

    #[test]
    fn refuses_near_misses() {
        for s in [
            "werk @home vandaag",
            "user@localhost",
            "a@b.c",
            "cid:image001.png@01D8A1B2.C3D4E5F0",
            "npm install left-pad@1.3.0",
            "jan@-example.nl",
            "@@",
            "jan..jansen@example.nl",
            "tweet @zegel.",
        ] {
            let m = find(s);
            assert!(m.is_empty(), "{s}: {m:?}");
        }
    }
}

//! The one rule for line endings in message data, shared by the DATA
//! reader and the milter: a line ends in CR LF, and a CR or LF on its own
//! is refused, never taken as a line end (SMTP smuggling, RFC 5321 2.3.8).

/// Whether `bytes` hold a CR that is not followed by LF, or an LF that
/// does not follow a CR.
pub fn has_bare_cr_or_lf(bytes: &[u8]) -> bool {
    let mut previous = 0u8;
    for (i, &b) in bytes.iter().enumerate() {
        let bare = match b {
            b'\r' => bytes.get(i + 1) != Some(&b'\n'),
            b'\n' => previous != b'\r',
            _ => false,
        };
        if bare {
            return true;
        }
        previous = b;
    }
    false
}

/// The refusal for a message with a bare CR or LF (`554 5.6.0`), the same
/// words from the SMTP server and the milter.
pub const BARE_LINE_ENDING_REFUSAL: &str =
    "Message refused: it has a bare CR or LF (lines must end with CRLF; SMTP smuggling is refused)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_bare_cr_and_lf() {
        for clean in [&b""[..], b"a", b"a\r\n", b"\r\n\r\n.\r\n", b"a\r\nb\r\n"] {
            assert!(!has_bare_cr_or_lf(clean), "{clean:?}");
        }
        for bare in [
            &b"\n"[..],
            b"\r",
            b"a\nb",
            b"a\rb\r\n",
            b"a\r\n.\n",
            b"a\n.\r\n",
            b"a\r.\r",
            b"\r\r\n",
            b"a\r\n\n",
        ] {
            assert!(has_bare_cr_or_lf(bare), "{bare:?}");
        }
    }

    proptest::proptest! {
        /// The same answer as the definition over pairs of bytes.
        #[test]
        fn agrees_with_the_definition(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'.', b'\r', b'\n']),
                0..40,
            )
        ) {
            let by_definition = bytes.iter().enumerate().any(|(i, &b)| {
                (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
                    || (b == b'\n' && (i == 0 || bytes[i - 1] != b'\r'))
            });
            proptest::prop_assert_eq!(has_bare_cr_or_lf(&bytes), by_definition);
        }
    }
}

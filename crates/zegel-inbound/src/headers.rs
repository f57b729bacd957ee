//! The header changes a checked inbound message gets before it is passed
//! on: new fields on top (RFC 8601 §5: Authentication-Results is added at
//! the top), every `Authentication-Results` that claims to be ours removed
//! (a sender could forge "our" verdict; RFC 8601 §5 asks us to remove
//! them), and a tag before the subject.
//!
//! Written by hand over the raw bytes: mail-parser reads headers but does
//! not write a message back, and re-serialising would change what DKIM
//! signed. Only whole header fields are dropped or prefixed; the body and
//! every other field keep their exact bytes.

use memchr::memchr;

/// `raw` with `add` on top, our own forged results removed and, with
/// `subject_tag`, the tag before the subject (unless it starts with it).
/// `authserv_id` is our name in Authentication-Results.
pub fn rewrite_headers(
    raw: &[u8],
    authserv_id: &str,
    add: &[(String, String)],
    subject_tag: Option<&str>,
) -> Vec<u8> {
    let header_end = header_end(raw);
    let mut out = Vec::with_capacity(raw.len() + 512);
    // Names are ours; values carry parts of the message (addresses,
    // domains), so they go through zegel-header first: one line, then
    // folded by us.
    for (name, value) in add {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(fold(&zegel_header::clean_value(value)).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let subject_tag = subject_tag.map(zegel_header::clean_text);
    let subject_tag = subject_tag.as_deref();
    let mut tagged = false;
    for field in fields(&raw[..header_end]) {
        let Some((name, value)) = split_field(field) else {
            out.extend_from_slice(field);
            continue;
        };
        if name.eq_ignore_ascii_case(b"Authentication-Results") && claims(value, authserv_id) {
            continue;
        }
        if let (Some(tag), false) = (subject_tag, tagged) {
            if name.eq_ignore_ascii_case(b"Subject") {
                tagged = true;
                let text = String::from_utf8_lossy(value);
                if !text.trim_start().starts_with(tag) {
                    out.extend_from_slice(&field[..name.len() + 1]);
                    out.extend_from_slice(b" ");
                    out.extend_from_slice(tag.as_bytes());
                    if !value.starts_with(b" ") && !value.starts_with(b"\t") {
                        out.extend_from_slice(b" ");
                    }
                    out.extend_from_slice(value);
                    continue;
                }
            }
        }
        out.extend_from_slice(field);
    }
    if let (Some(tag), false) = (subject_tag, tagged) {
        out.extend_from_slice(format!("Subject: {tag}\r\n").as_bytes());
    }
    out.extend_from_slice(&raw[header_end..]);
    out
}

/// Where the header ends: the offset of the empty line (or the end).
fn header_end(raw: &[u8]) -> usize {
    let mut at = 0;
    while at < raw.len() {
        let line_end = memchr(b'\n', &raw[at..]).map_or(raw.len(), |i| at + i + 1);
        let line = &raw[at..line_end];
        if line == b"\r\n" || line == b"\n" {
            return at;
        }
        at = line_end;
    }
    raw.len()
}

/// The header's fields, each with its continuation lines and line end.
fn fields(header: &[u8]) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < header.len() {
        let line_end = memchr(b'\n', &header[at..]).map_or(header.len(), |i| at + i + 1);
        let continuation = matches!(header[at], b' ' | b'\t');
        if !continuation && at > start {
            out.push(&header[start..at]);
            start = at;
        }
        at = line_end;
    }
    if start < header.len() {
        out.push(&header[start..]);
    }
    out
}

/// A field's name and its value (after the colon, with its line end);
/// `None` for a line without a colon (kept as it is).
fn split_field(field: &[u8]) -> Option<(&[u8], &[u8])> {
    memchr(b':', field).map(|i| (&field[..i], &field[i + 1..]))
}

/// Whether an Authentication-Results value names `authserv_id` as its
/// author (the first token, before any `;`, version or comment).
fn claims(value: &[u8], authserv_id: &str) -> bool {
    let text = String::from_utf8_lossy(value);
    let first = text.split(';').next().unwrap_or_default();
    first
        .split(|c: char| c.is_whitespace() || c == '(')
        .find(|w| !w.is_empty())
        .is_some_and(|id| id.eq_ignore_ascii_case(authserv_id))
}

/// Folds a long structured value after its `;` separators.
fn fold(value: &str) -> String {
    if value.len() <= 76 {
        return value.to_string();
    }
    value.replace("; ", ";\r\n\t")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &[u8] = b"Received: from a\r\n\tby b\r\nAuthentication-Results: zegel.zorg.nl; dkim=pass\r\n\
Authentication-Results: mx.other.example;\r\n spf=fail\r\nSubject: =?utf-8?q?Vraag_=C3=A9?=\r\nFrom: x@example.com\r\n\r\n\
Subject: not a header\r\nAuthentication-Results: zegel.zorg.nl; body line\r\n";

    #[test]
    fn adds_on_top_removes_forged_results_and_tags_the_subject() {
        let add = vec![(
            "Authentication-Results".to_string(),
            "zegel.zorg.nl; spf=pass smtp.mailfrom=x@example.com".to_string(),
        )];
        let out = rewrite_headers(MESSAGE, "ZEGEL.zorg.nl", &add, Some("[EXTERN]"));
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(
            "Authentication-Results: zegel.zorg.nl; spf=pass smtp.mailfrom=x@example.com\r\nReceived: from a\r\n\tby b\r\n"
        ), "{text}");
        assert!(!text.contains("dkim=pass"), "forged result kept: {text}");
        assert!(
            text.contains("Authentication-Results: mx.other.example;\r\n spf=fail\r\n"),
            "{text}"
        );
        assert!(
            text.contains("Subject: [EXTERN] =?utf-8?q?Vraag_=C3=A9?=\r\n"),
            "{text}"
        );
        // The body is untouched, header-like lines included.
        assert!(text.ends_with(
            "\r\n\r\nSubject: not a header\r\nAuthentication-Results: zegel.zorg.nl; body line\r\n"
        ), "{text}");
    }

    #[test]
    fn an_added_value_with_cr_lf_adds_no_header() {
        // What goes into our headers comes from the message (addresses,
        // domains); a CR LF in it must not start a header of its own.
        let add = vec![(
            "X-Zegel-Impersonation".to_string(),
            "From a@b.example\r\nBcc: evil@example.com\nX-Zegel-Verdict: normal".to_string(),
        )];
        let out = rewrite_headers(
            b"From: a@b.example\r\n\r\nx",
            "z",
            &add,
            Some("[EXTERN]\r\nCc: c@d.example"),
        );
        let text = String::from_utf8(out).unwrap();
        let head = text.split("\r\n\r\n").next().unwrap();
        for line in head.split("\r\n") {
            assert!(!line.contains(['\r', '\n']), "bare CR or LF: {text:?}");
            let name = line.split(':').next().unwrap().to_ascii_lowercase();
            assert!(
                line.starts_with([' ', '\t'])
                    || ["x-zegel-impersonation", "from", "subject"].contains(&name.as_str()),
                "injected {name}: {text:?}"
            );
        }
    }

    #[test]
    fn tags_once_and_adds_a_missing_subject() {
        let once = rewrite_headers(
            b"Subject: [EXTERN] Hoi\r\n\r\nx",
            "z",
            &[],
            Some("[EXTERN]"),
        );
        assert_eq!(once, b"Subject: [EXTERN] Hoi\r\n\r\nx");
        let none = rewrite_headers(b"From: a@b.example\r\n\r\nx", "z", &[], Some("[EXTERN]"));
        assert_eq!(none, b"From: a@b.example\r\nSubject: [EXTERN]\r\n\r\nx");
        let tight = rewrite_headers(b"Subject:Hoi\r\n\r\nx", "z", &[], Some("[EXTERN]"));
        assert_eq!(tight, b"Subject: [EXTERN] Hoi\r\n\r\nx");
        let untagged = rewrite_headers(b"Subject: Hoi\r\n\r\nx", "z", &[], None);
        assert_eq!(untagged, b"Subject: Hoi\r\n\r\nx");
    }

    #[test]
    fn long_values_are_folded_and_odd_input_survives() {
        let long = "zegel.zorg.nl; spf=pass smtp.mailfrom=someone@example.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com";
        let out = rewrite_headers(
            b"",
            "zegel.zorg.nl",
            &[("Authentication-Results".into(), long.into())],
            None,
        );
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().all(|l| l.len() <= 78), "{text}");
        assert!(text.contains(";\r\n\tdkim=pass"), "{text}");
        for raw in [
            &b"no colon line\r\n\r\n"[..],
            b" leading continuation\r\n",
            b"\n",
            b"Subject",
        ] {
            let out = rewrite_headers(raw, "z", &[], Some("[X]"));
            assert!(out.len() >= raw.len());
        }
    }

    proptest::proptest! {
        /// Any bytes: no panic, the body (from the empty line on) kept
        /// exactly, the added field first.
        #[test]
        fn any_input_keeps_its_body(raw in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let add = [("Authentication-Results".to_string(), "z; none".to_string())];
            let out = rewrite_headers(&raw, "z", &add, Some("[EXTERN]"));
            let body = &raw[header_end(&raw)..];
            proptest::prop_assert!(out.ends_with(body));
            proptest::prop_assert!(out.starts_with(b"Authentication-Results: z; none\r\n"));
        }
    }
}

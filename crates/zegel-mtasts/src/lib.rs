//! MTA-STS (RFC 8461) without I/O: a policy file parsed into a
//! [`StsPolicy`], the `_mta-sts` TXT record's id ([`parse_sts_record`]),
//! MX host names matched against a policy's patterns ([`mx_matches`]), and
//! the host-name check both users share ([`is_domain`]).
//! Fetching (DNS, HTTPS) and caching belong to the users: the outbound
//! `tls` action (zegel-outbound's tls_policy.rs) and the domain check
//! (zegel-domaincheck's mta_sts.rs). Written by hand: mail-auth parses the
//! TXT record and TLS-RPT but has no policy-file parser, and no maintained
//! crate offers one.

/// Largest `max_age` RFC 8461 allows (one year); larger values are capped.
pub const MAX_AGE_LIMIT: u64 = 31_557_600;

/// Why a policy file or an `_mta-sts` record is malformed (no policy).
/// Quoted values are clipped to 60 characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StsError {
    /// A policy line that is not `key: value`.
    #[error("line without 'key: value': {0:?}")]
    NotKeyValue(String),
    /// A field name with characters RFC 8461 does not allow.
    #[error("bad field name {0:?}")]
    BadFieldName(String),
    /// An `mx` value that is neither a host name nor `*.` and one.
    #[error("bad mx pattern {0:?}")]
    BadMx(String),
    /// A `version` other than `STSv1`.
    #[error("unknown version {0:?}")]
    UnknownVersion(String),
    /// A required field is absent (`version`, `mode`, `max_age`, `mx`,
    /// or the record's `id`).
    #[error("no {0}")]
    Missing(&'static str),
    /// A `mode` other than `enforce`, `testing` or `none`.
    #[error("unknown mode {0:?}")]
    UnknownMode(String),
    /// A `max_age` that is not 1 to 10 digits.
    #[error("bad max_age {0:?}")]
    BadMaxAge(String),
    /// A TXT record that does not start with `v=STSv1`.
    #[error("does not start with v=STSv1")]
    NotStsV1,
    /// A record field that is not `key=value` of allowed characters.
    #[error("bad field {0:?}")]
    BadField(String),
    /// A record `id` longer than 32 or not only letters and digits.
    #[error("bad id {0:?}")]
    BadId(String),
}

/// A policy's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StsMode {
    /// Deliver only to matching MX hosts over verified TLS.
    Enforce,
    /// Report failures but deliver anyway: not enough for `tls`.
    Testing,
    /// The domain switched MTA-STS off.
    None,
}

/// An MTA-STS policy (RFC 8461 section 3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsPolicy {
    /// The `id` of the TXT record it was fetched for (empty when parsed
    /// on its own).
    pub id: String,
    /// `mode`.
    pub mode: StsMode,
    /// `mx` patterns, lower case: `mail.example.com` or `*.example.net`.
    pub mx: Vec<String>,
    /// `max_age` in seconds (capped at [`MAX_AGE_LIMIT`]).
    pub max_age: u64,
}

impl StsPolicy {
    /// Parses a policy file. Lines end in LF or CRLF; `key: value`; unknown
    /// keys are ignored; of a repeated key only the first counts, except
    /// `mx`. `version` (`STSv1`), `mode` and `max_age` are required, and
    /// at least one `mx` unless the mode is `none`. Anything malformed is an
    /// error: no policy.
    pub fn parse(text: &str) -> Result<StsPolicy, StsError> {
        let mut version = None;
        let mut mode = None;
        let mut max_age = None;
        let mut mx = Vec::new();
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim_matches([' ', '\t']).is_empty() {
                continue;
            }
            let (key, value) = line
                .split_once(':')
                .ok_or_else(|| StsError::NotKeyValue(clip(line)))?;
            if !is_field_name(key) {
                return Err(StsError::BadFieldName(clip(key)));
            }
            let value = value.trim_matches([' ', '\t']);
            match key {
                "version" if version.is_none() => version = Some(value),
                "mode" if mode.is_none() => mode = Some(value),
                "max_age" if max_age.is_none() => max_age = Some(value),
                "mx" => {
                    if !is_mx_pattern(value) {
                        return Err(StsError::BadMx(clip(value)));
                    }
                    mx.push(value.to_ascii_lowercase());
                }
                _ => {}
            }
        }
        match version {
            Some("STSv1") => {}
            Some(v) => return Err(StsError::UnknownVersion(clip(v))),
            None => return Err(StsError::Missing("version")),
        }
        let mode = match mode {
            Some("enforce") => StsMode::Enforce,
            Some("testing") => StsMode::Testing,
            Some("none") => StsMode::None,
            Some(m) => return Err(StsError::UnknownMode(clip(m))),
            None => return Err(StsError::Missing("mode")),
        };
        let max_age = match max_age {
            Some(a) if (1..=10).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_digit()) => a
                .parse::<u64>()
                .map_err(|_| StsError::BadMaxAge(clip(a)))?
                .min(MAX_AGE_LIMIT),
            Some(a) => return Err(StsError::BadMaxAge(clip(a))),
            None => return Err(StsError::Missing("max_age")),
        };
        if mx.is_empty() && mode != StsMode::None {
            return Err(StsError::Missing("mx"));
        }
        Ok(StsPolicy {
            id: String::new(),
            mode,
            mx,
            max_age,
        })
    }

    /// Whether the MX host `host` matches one of the policy's patterns
    /// (RFC 8461 section 4.1: a wildcard stands for exactly one leftmost
    /// label; case and a trailing dot do not matter).
    pub fn matches_mx(&self, host: &str) -> bool {
        self.mx.iter().any(|p| mx_matches(p, host))
    }
}

/// Whether `host` matches the MX pattern `pattern`.
pub fn mx_matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() || host.parse::<std::net::IpAddr>().is_ok() {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(parent) => host
            .split_once('.')
            .is_some_and(|(first, rest)| !first.is_empty() && rest == parent),
        None => host == pattern,
    }
}

/// The `id` of an MTA-STS TXT record (RFC 8461 section 3.1), or why it is
/// not one: `v=STSv1` first, then `;`-separated fields with an `id` of 1 to
/// 32 letters and digits.
pub fn parse_sts_record(record: &str) -> Result<String, StsError> {
    let mut fields = record.split(';').map(|f| f.trim_matches([' ', '\t']));
    if fields.next() != Some("v=STSv1") {
        return Err(StsError::NotStsV1);
    }
    let mut id = None;
    let mut fields = fields.peekable();
    while let Some(field) = fields.next() {
        if field.is_empty() && fields.peek().is_none() {
            break; // a trailing ';'
        }
        let (key, value) = field
            .split_once('=')
            .ok_or_else(|| StsError::BadField(clip(field)))?;
        if !is_field_name(key)
            || value.is_empty()
            || !value
                .bytes()
                .all(|b| (0x21..=0x7e).contains(&b) && b != b'=' && b != b';')
        {
            return Err(StsError::BadField(clip(field)));
        }
        if key == "id" && id.is_none() {
            if value.len() > 32 || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(StsError::BadId(clip(value)));
            }
            id = Some(value.to_string());
        }
    }
    id.ok_or(StsError::Missing("id"))
}

fn is_field_name(key: &str) -> bool {
    let b = key.as_bytes();
    (1..=32).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
}

/// A host name: LDH labels of 1 to 63 characters, at least two labels, not
/// ending in an all-digit label (that would be an address).
pub fn is_domain(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        })
        && !labels
            .last()
            .is_some_and(|l| l.bytes().all(|c| c.is_ascii_digit()))
}

fn is_mx_pattern(value: &str) -> bool {
    let name = value.strip_prefix("*.").unwrap_or(value);
    is_domain(&name.trim_end_matches('.').to_ascii_lowercase())
}

/// At most 60 characters of untrusted text, for messages.
pub fn clip(text: &str) -> String {
    text.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_EXAMPLE: &str = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n\
                               mx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n";

    #[test]
    fn the_rfc_example_parses() {
        let p = StsPolicy::parse(RFC_EXAMPLE).unwrap();
        assert_eq!(p.mode, StsMode::Enforce);
        assert_eq!(
            p.mx,
            ["mail.example.com", "*.example.net", "backupmx.example.com"]
        );
        assert_eq!(p.max_age, 604_800);
    }

    #[test]
    fn lf_endings_extra_fields_and_spacing_are_accepted() {
        let p = StsPolicy::parse(
            "version: STSv1\nmode:testing\nmx:\tMX1.Example.COM \nfuture_field: x\nmax_age: 86400",
        )
        .unwrap();
        assert_eq!(p.mode, StsMode::Testing);
        assert_eq!(p.mx, ["mx1.example.com"]);
        assert_eq!(p.max_age, 86_400);
    }

    #[test]
    fn mode_none_needs_no_mx_and_the_first_field_wins() {
        let p =
            StsPolicy::parse("version: STSv1\nmode: none\nmode: enforce\nmax_age: 0\n").unwrap();
        assert_eq!(p.mode, StsMode::None);
        assert!(p.mx.is_empty());
        assert_eq!(p.max_age, 0);
    }

    #[test]
    fn max_age_is_capped_at_a_year() {
        let p = StsPolicy::parse("version: STSv1\nmode: enforce\nmx: a.b.c\nmax_age: 9999999999\n")
            .unwrap();
        assert_eq!(p.max_age, MAX_AGE_LIMIT);
    }

    #[test]
    fn malformed_policies_are_refused() {
        let base = |replace: &str, with: &str| RFC_EXAMPLE.replace(replace, with);
        let cases = [
            ("empty", String::new()),
            ("html", "<html><body>Not found</body></html>".to_string()),
            ("no version", base("version: STSv1\r\n", "")),
            ("version 2", base("STSv1", "STSv2")),
            ("no mode", base("mode: enforce\r\n", "")),
            ("odd mode", base("enforce", "Enforce")),
            ("no max_age", base("max_age: 604800\r\n", "")),
            ("negative max_age", base("604800", "-1")),
            ("max_age too long", base("604800", "12345678901")),
            ("max_age with unit", base("604800", "1d")),
            (
                "enforce without mx",
                "version: STSv1\nmode: enforce\nmax_age: 1\n".to_string(),
            ),
            ("bad mx", base("mail.example.com", "mail example.com")),
            ("mx wildcard inside", base("mail.example.com", "mail.*.com")),
            ("mx address", base("mail.example.com", "192.0.2.1")),
            ("line without colon", base("mode: enforce", "mode enforce")),
            ("bad key", base("mode: enforce", " mode: enforce")),
        ];
        for (what, text) in cases {
            assert!(StsPolicy::parse(&text).is_err(), "{what}: {text:?}");
        }
    }

    #[test]
    fn mx_patterns_match_as_the_rfc_says() {
        assert!(mx_matches("mail.example.com", "mail.example.com"));
        assert!(mx_matches("mail.example.com", "MAIL.Example.com."));
        assert!(mx_matches("*.example.net", "mx1.example.net"));
        assert!(!mx_matches("*.example.net", "example.net"));
        assert!(!mx_matches("*.example.net", "a.mx1.example.net"));
        assert!(!mx_matches("*.example.net", ".example.net"));
        assert!(!mx_matches("mail.example.com", "mail.example.com.evil.org"));
        assert!(!mx_matches("mail.example.com", "other.example.com"));
        assert!(!mx_matches("mail.example.com", "192.0.2.1"));
    }

    #[test]
    fn sts_records() {
        assert_eq!(
            parse_sts_record("v=STSv1; id=20160831085700Z;").unwrap(),
            "20160831085700Z"
        );
        assert_eq!(parse_sts_record("v=STSv1;id=abc").unwrap(), "abc");
        assert_eq!(parse_sts_record("v=STSv1; ext-1=x; id=A1 ;").unwrap(), "A1");
        for bad in [
            "",
            "v=STSv1",
            "v=STSv1;",
            "id=1; v=STSv1",
            "v=STSv2; id=1",
            "v=spf1 -all",
            "v=STSv1; id=",
            "v=STSv1; id=has-dash",
            "v=STSv1; id=123456789012345678901234567890123",
            "v=STSv1; id=1;; x=2",
            "v=STSv1; noequals",
        ] {
            assert!(parse_sts_record(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn domain_names() {
        assert!(is_domain("example.com"));
        assert!(is_domain("xn--bcher-kva.example"));
        assert!(!is_domain("localhost"));
        assert!(!is_domain("127.0.0.1"));
        assert!(!is_domain("a..b"));
        assert!(!is_domain("-a.b"));
        assert!(!is_domain("a_b.c"));
    }
}

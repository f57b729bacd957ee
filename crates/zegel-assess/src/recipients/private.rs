//! Addresses of private persons: mail providers people use for themselves,
//! as opposed to an organisation's own domain.

/// Mail providers for private persons: an address there is someone's own,
/// not an organisation's.
pub const PRIVATE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.nl",
    "outlook.com",
    "outlook.nl",
    "live.com",
    "live.nl",
    "msn.com",
    "yahoo.com",
    "yahoo.nl",
    "icloud.com",
    "me.com",
    "ziggo.nl",
    "kpnmail.nl",
    "kpnplanet.nl",
    "planet.nl",
    "home.nl",
    "xs4all.nl",
    "hetnet.nl",
    "casema.nl",
    "upcmail.nl",
    "chello.nl",
    "telfort.nl",
    "tele2.nl",
    "online.nl",
    "zeelandnet.nl",
    "solcon.nl",
    "proton.me",
    "protonmail.com",
    "gmx.net",
    "gmx.com",
    "web.de",
    "aol.com",
    "skynet.be",
    "telenet.be",
];

/// Whether a quoted header line (lowercase) gives the author of the quoted
/// mail at a private mail provider (`van: ... <x@gmail.com>`).
pub fn private_author(lower: &str) -> bool {
    (lower.starts_with("van:") || lower.starts_with("from:"))
        && lower
            .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | ',' | ';'))
            .any(|w| {
                w.rsplit_once('@').is_some_and(|(_, d)| {
                    PRIVATE_MAIL_DOMAINS.contains(&d.trim_end_matches(['.', ')', ']']))
                })
            })
}

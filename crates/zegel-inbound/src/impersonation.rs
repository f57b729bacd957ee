//! Why the From of a received message may pretend to be someone it is not:
//! the organisation itself (an internal domain that fails DMARC), a domain
//! that looks like an internal or partner domain (the assessment core's
//! look-alike logic), a display name holding an internal address, or an
//! outside sender using a colleague's name.

use crate::Colleagues;
use zegel_assess::recipients::domain::DomainClass;
use zegel_assess::Domains;

/// Why the From of `raw` may impersonate the organisation, a partner or a
/// colleague (`None`: no reason to think so), and the decoded subject.
/// `dmarc_pass`: the From domain passed DMARC.
pub fn impersonation(
    raw: &[u8],
    domains: &Domains,
    colleagues: &Colleagues,
    dmarc_pass: bool,
) -> (Option<String>, String) {
    let Some(headers) = mail_parser::MessageParser::default().parse_headers(raw) else {
        return (None, String::new());
    };
    let subject = headers.subject().unwrap_or_default().to_string();
    let Some(from) = headers.from().and_then(|a| a.first()) else {
        return (None, subject);
    };
    let address = from.address().unwrap_or_default().to_lowercase();
    let domain = address.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    let name = from.name().unwrap_or_default();
    if domain.is_empty() {
        return (None, subject);
    }
    if domains.classify(domain) == DomainClass::Internal {
        let why = (!dmarc_pass).then(|| {
            format!("From {address} uses an internal domain but is not authenticated (DMARC)")
        });
        return (why, subject);
    }
    if let Some(like) = zegel_assess::recipients::lookalike::lookalike_of(domain, domains.trusted())
    {
        return (
            Some(format!(
                "From domain {domain} looks like {}",
                like.resembles
            )),
            subject,
        );
    }
    let lower = name.to_lowercase();
    if let Some(d) = domains
        .internal()
        .iter()
        .find(|d| lower.contains(&format!("@{d}")))
    {
        return (
            Some(format!(
                "the display name of external {address} holds an address at internal {d}"
            )),
            subject,
        );
    }
    let why = colleagues.matching(name).map(|colleague| {
        format!("the display name of external {address} is the name of colleague {colleague}")
    });
    (why, subject)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domains() -> Domains {
        Domains::new(&["zorg.nl".to_string()], &["gemeente.nl".to_string()])
    }

    fn from(from: &str) -> Vec<u8> {
        format!("From: {from}\r\nSubject: Vraag\r\n\r\nHoi\r\n").into_bytes()
    }

    fn why(from_header: &str, dmarc_pass: bool) -> Option<String> {
        let colleagues = Colleagues::parse("Anna de Vries,a.devries@zorg.nl\n").unwrap();
        impersonation(&from(from_header), &domains(), &colleagues, dmarc_pass).0
    }

    #[test]
    fn each_kind_of_impersonation_is_named() {
        let w = why("Anna de Vries <anna.devries@gmail.test>", true).unwrap();
        assert!(w.contains("name of colleague a.devries@zorg.nl"), "{w}");
        let w = why("\"de Vries, Anna\" <x@example.com>", true).unwrap();
        assert!(w.contains("colleague"), "{w}");
        let w = why("Directie <directie@zorg.nl>", false).unwrap();
        assert!(w.contains("internal domain"), "{w}");
        let w = why("Info <info@z0rg.nl>", true).unwrap();
        assert!(w.contains("looks like zorg.nl"), "{w}");
        let w = why("\"directie@zorg.nl\" <x@example.com>", true).unwrap();
        assert!(w.contains("holds an address at internal zorg.nl"), "{w}");
    }

    #[test]
    fn ordinary_and_authenticated_senders_are_not_flagged() {
        assert_eq!(why("Jan Jansen <jan@example.com>", false), None);
        assert_eq!(why("Anna de Vries <a.devries@zorg.nl>", true), None);
        assert_eq!(why("Anna <anna@example.com>", true), None);
        assert_eq!(why("info@gemeente.nl", true), None);
    }
}

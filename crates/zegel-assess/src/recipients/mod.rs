//! The recipient list: who is internal, who is external, and what looks
//! wrong about it (look-alike domains, many visible external addresses).

pub mod domain;
pub mod lookalike;
pub mod private;

pub use domain::{DomainClass, Domains};
pub use lookalike::{lookalike_of, Lookalike};

/// Which header (or the envelope) a recipient came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `To:` header: visible to everyone.
    To,
    /// `Cc:` header: visible to everyone.
    Cc,
    /// `Bcc:` header or envelope-only: hidden from the others.
    Bcc,
}

/// One recipient address with its display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The address, lowercased.
    pub address: String,
    /// The display name, if any.
    pub name: Option<String>,
    /// Where it stood.
    pub field: Field,
}

impl Recipient {
    /// A recipient; the address is lowercased and trimmed.
    pub fn new(address: &str, name: Option<&str>, field: Field) -> Recipient {
        Recipient {
            address: address.trim().to_lowercase(),
            name: name.map(str::to_string).filter(|n| !n.trim().is_empty()),
            field,
        }
    }

    /// The domain part of the address (after the last `@`), or "".
    pub fn domain(&self) -> &str {
        self.address.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

/// The recipients sorted by class, with what is wrong about them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecipientReport {
    /// Addresses outside the organisation (partner domains included).
    pub external: Vec<String>,
    /// External addresses visible to everyone (To and Cc).
    pub visible_external: Vec<String>,
    /// Recipient domains that look like an internal or partner domain.
    pub lookalikes: Vec<Lookalike>,
}

/// Classifies every recipient and finds look-alike domains.
pub fn review(recipients: &[Recipient], domains: &Domains) -> RecipientReport {
    let mut report = RecipientReport::default();
    for r in recipients {
        let domain = r.domain();
        if domains.classify(domain) == DomainClass::Internal {
            continue;
        }
        if !report.external.contains(&r.address) {
            report.external.push(r.address.clone());
            if matches!(r.field, Field::To | Field::Cc) {
                report.visible_external.push(r.address.clone());
            }
        }
        if domains.classify(domain) == DomainClass::External {
            if let Some(l) = lookalike_of(domain, domains.trusted()) {
                if !report.lookalikes.iter().any(|x| x.domain == l.domain) {
                    report.lookalikes.push(l);
                }
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domains() -> Domains {
        Domains::new(
            &["zorggroephorizon.nl".into()],
            &["gemeente-rivierstad.nl".into()],
        )
    }

    #[test]
    fn sorts_internal_external_and_visible() {
        let rs = vec![
            Recipient::new("a@zorggroephorizon.nl", None, Field::To),
            Recipient::new("b@wijkteam.zorggroephorizon.nl", None, Field::Cc),
            Recipient::new("c@gemeente-rivierstad.nl", None, Field::To),
            Recipient::new("d@example.com", None, Field::Bcc),
        ];
        let r = review(&rs, &domains());
        assert_eq!(
            r.external,
            vec!["c@gemeente-rivierstad.nl", "d@example.com"]
        );
        assert_eq!(r.visible_external, vec!["c@gemeente-rivierstad.nl"]);
        assert!(r.lookalikes.is_empty());
    }

    #[test]
    fn flags_lookalike_recipient_domain() {
        let rs = vec![Recipient::new("x@zorggroep-horizon.nl", None, Field::To)];
        let r = review(&rs, &domains());
        assert_eq!(r.lookalikes.len(), 1);
        assert_eq!(r.lookalikes[0].resembles, "zorggroephorizon.nl");
    }
}

//! Internal, partner and external domains. Subdomains of an internal domain
//! are internal; partner domains are trusted for look-alike checks but are
//! still external recipients.

use super::lookalike::Trusted;

/// How a recipient domain relates to the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainClass {
    /// The organisation's own domain or a subdomain of it.
    Internal,
    /// A configured partner domain (or subdomain): external, but known.
    Partner,
    /// Anything else.
    External,
}

/// The organisation's internal and partner domains, lowercased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Domains {
    internal: Vec<String>,
    partner: Vec<String>,
    trusted: Vec<Trusted>,
}

impl Domains {
    /// Builds the domain lists; entries are trimmed, lowercased, and a leading `@` or `.` dropped.
    pub fn new(internal: &[String], partner: &[String]) -> Domains {
        let clean = |v: &[String]| -> Vec<String> {
            v.iter()
                .map(|d| {
                    d.trim()
                        .trim_start_matches(['@', '.'])
                        .trim_end_matches('.')
                        .to_lowercase()
                })
                .filter(|d| !d.is_empty())
                .collect()
        };
        let internal = clean(internal);
        let partner = clean(partner);
        let trusted = internal
            .iter()
            .chain(partner.iter())
            .map(|d| Trusted::new(d))
            .collect();
        Domains {
            internal,
            partner,
            trusted,
        }
    }

    /// The internal domains.
    pub fn internal(&self) -> &[String] {
        &self.internal
    }

    /// The partner domains.
    pub fn partner(&self) -> &[String] {
        &self.partner
    }

    /// Internal and partner domains together, prepared for look-alike checks.
    pub fn trusted(&self) -> &[Trusted] {
        &self.trusted
    }

    /// Classifies a domain (case-insensitive; subdomains follow their parent).
    pub fn classify(&self, domain: &str) -> DomainClass {
        let domain = domain.trim_end_matches('.').to_lowercase();
        if self
            .internal
            .iter()
            .any(|d| is_same_or_subdomain(&domain, d))
        {
            DomainClass::Internal
        } else if self
            .partner
            .iter()
            .any(|d| is_same_or_subdomain(&domain, d))
        {
            DomainClass::Partner
        } else {
            DomainClass::External
        }
    }
}

/// `a.b.example.nl` is a subdomain of `example.nl`; `badexample.nl` is not.
pub fn is_same_or_subdomain(domain: &str, parent: &str) -> bool {
    domain == parent
        || (domain.len() > parent.len()
            && domain.ends_with(parent)
            && domain.as_bytes()[domain.len() - parent.len() - 1] == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_are_internal_but_lookalike_suffixes_are_not() {
        let d = Domains::new(&["Zorggroephorizon.nl".into()], &[]);
        assert_eq!(d.classify("zorggroephorizon.nl"), DomainClass::Internal);
        assert_eq!(
            d.classify("wijkteam.ZORGGROEPHORIZON.nl"),
            DomainClass::Internal
        );
        assert_eq!(d.classify("nepzorggroephorizon.nl"), DomainClass::External);
        assert_eq!(
            d.classify("zorggroephorizon.nl.example.com"),
            DomainClass::External
        );
    }

    #[test]
    fn partner_is_its_own_class() {
        let d = Domains::new(&[], &["@gemeente.nl".into()]);
        assert_eq!(d.classify("post.gemeente.nl"), DomainClass::Partner);
    }
}

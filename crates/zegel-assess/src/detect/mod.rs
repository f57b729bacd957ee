//! Detectors: one module per finding kind, each implementing [`Detector`].
//!
//! A detector looks at one [`Text`] and pushes [`Match`]es. It never sees the
//! message or the policy, so it stays simple to test: what it must find and
//! what it must not, in the module's own tests.

pub mod bsn;
pub mod confidential;
pub mod context;
pub mod credential;
pub mod date_of_birth;
pub mod email_address;
pub mod health;
pub mod iban;
pub mod id_document;
pub mod mask;
mod measurement;
mod name_structure;
pub mod names;
pub mod patient_dossier;
pub mod payment_card;
pub mod person_name;
pub mod phone_number;
pub mod postal_address;
pub(crate) mod role;
pub mod scan;
pub mod special_category;
pub mod table;
pub mod windowed;

use crate::finding::{FindingKind, Match};

/// The text a detector searches, with an ASCII-lowercased copy of the same
/// length (byte offsets are equal in both), computed once for all detectors.
#[derive(Debug)]
pub struct Text<'a> {
    /// The original text.
    pub original: &'a str,
    /// `original` with ASCII letters lowercased; same byte offsets.
    pub lower: String,
    /// Scans computed on first use and shared by the detectors.
    pub(crate) scans: scan::Scans,
    /// Quoted or forwarded history: someone else's mail, whose "ik" and
    /// "my" are a person other than the writer.
    pub quoted: bool,
}

impl<'a> Text<'a> {
    /// Wraps a text and computes its lowercase copy.
    pub fn new(original: &'a str) -> Text<'a> {
        Text {
            original,
            lower: original.to_ascii_lowercase(),
            scans: scan::Scans::default(),
            quoted: false,
        }
    }

    /// Like [`Text::new`], for quoted or forwarded history.
    pub fn quoted(original: &'a str) -> Text<'a> {
        Text {
            quoted: true,
            ..Text::new(original)
        }
    }
}

/// Defines `best(s)` (the highest confidence the detector gives `s`),
/// `must_find(s)` and `must_not(s)` (whether that reaches the policy
/// threshold of 0.5) in a detector's test module.
#[cfg(test)]
macro_rules! threshold_checks {
    ($detector:expr) => {
        fn best(s: &str) -> f32 {
            let mut out = Vec::new();
            $crate::detect::Detector::detect(&$detector, &$crate::detect::Text::new(s), &mut out);
            out.iter().map(|m| m.confidence).fold(0.0, f32::max)
        }

        fn must_find(s: &str) {
            let c = best(s);
            assert!(c >= 0.5, "must find ({c}): {s}");
        }

        fn must_not(s: &str) {
            let c = best(s);
            assert!(c < 0.5, "must not find ({c}): {s}");
        }
    };
}
#[cfg(test)]
pub(crate) use threshold_checks;

/// One kind of sensitive data, found in text.
pub trait Detector: Send + Sync {
    /// The kind this detector reports.
    fn kind(&self) -> FindingKind;
    /// Pushes every match in `text` onto `out`.
    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>);
}

/// Every detector, built once (patterns compiled, dictionaries loaded).
pub fn all_detectors() -> Vec<Box<dyn Detector>> {
    let detectors: Vec<Box<dyn Detector>> = vec![
        Box::new(health::HealthDetector::new()),
        Box::new(confidential::ConfidentialDetector::new()),
        Box::new(patient_dossier::PatientDossierDetector::new()),
        Box::new(special_category::SpecialCategoryDetector::new()),
        Box::new(person_name::PersonNameDetector::new()),
        // LANGUAGE-DETECTORS
        Box::new(bsn::BsnDetector::new()),
        Box::new(iban::IbanDetector::new()),
        Box::new(payment_card::PaymentCardDetector::new()),
        Box::new(id_document::IdDocumentDetector::new()),
        Box::new(credential::CredentialDetector::new()),
        Box::new(date_of_birth::DateOfBirthDetector::new()),
        Box::new(email_address::EmailAddressDetector::new()),
        Box::new(phone_number::PhoneNumberDetector::new()),
        Box::new(postal_address::PostalAddressDetector::new()),
    ];
    scan::prepare();
    detectors
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    fn run_all(s: &str) -> Vec<Match> {
        let text = Text::new(s);
        let mut out = Vec::new();
        for d in all_detectors() {
            let before = out.len();
            d.detect(&text, &mut out);
            assert!(out[before..].iter().all(|m| m.kind == d.kind()));
        }
        out
    }

    #[test]
    fn the_seed_example_is_found() {
        let s = "Beste collega, hierbij de gegevens van mw. J. Jansen, geboren 12-03-1980, \
                 BSN 1234.56.782, e-mail j.jansen@example.nl, tel. 06-12345678, \
                 Dorpsstraat 12a, 1234 AB Ede. IBAN NL91 ABNA 0417 1643 00. \
                 Het wachtwoord is Zomer2024! en haar paspoort XN01234A5.";
        let mut kinds: Vec<_> = run_all(s).into_iter().map(|m| m.kind).collect();
        kinds.sort();
        kinds.dedup();
        assert_eq!(
            kinds,
            [
                FindingKind::Bsn,
                FindingKind::Iban,
                FindingKind::IdDocument,
                FindingKind::Credential,
                FindingKind::DateOfBirth,
                FindingKind::PersonName,
                FindingKind::EmailAddress,
                FindingKind::PhoneNumber,
                FindingKind::PostalAddress,
            ]
        );
    }

    #[test]
    fn ordinary_prose_has_no_findings() {
        let s = "Beste allemaal, op vrijdag 14 juni gaan we met het hele team uit eten. \
                 We verzamelen om 17:30 bij de ingang. Zie hoofdstuk 3 van het draaiboek, \
                 versie 2. Dear all, the outing is on Friday; 25 people signed up so far.";
        assert_eq!(run_all(s), []);
    }

    proptest! {
        #[test]
        fn spans_are_char_boundaries_and_excerpts_masked(s in "[0-9a-zA-Z .:@/+\\-=;éß€\n]{0,120}") {
            for m in run_all(&s) {
                prop_assert!(s.is_char_boundary(m.span.start) && s.is_char_boundary(m.span.end));
                prop_assert!(m.span.start < m.span.end);
                prop_assert!((0.0..=1.0).contains(&m.confidence));
                let value = &s[m.span.clone()];
                // Keyword kinds show the term itself (a diagnosis word is not an identifier).
                let term_kind = matches!(
                    m.kind,
                    FindingKind::Health | FindingKind::PatientDossier | FindingKind::Confidential | FindingKind::SpecialCategory
                );
                prop_assert!(term_kind || m.excerpt != value || value.starts_with("-----BEGIN"), "{:?}", m);
            }
        }
    }
}

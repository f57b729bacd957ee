//! The words people read: finding kinds, reasons and warnings in Dutch
//! (default) and English.

use crate::finding::{FindingKind, Location};
use std::fmt;
use std::str::FromStr;

/// The language of user-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Dutch, the default.
    #[default]
    Nl,
    /// English.
    En,
}

/// A language name other than `nl` or `en`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language '{0}' (use nl or en)")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Lang, UnknownLang> {
        match s.to_ascii_lowercase().as_str() {
            "nl" => Ok(Lang::Nl),
            "en" => Ok(Lang::En),
            other => Err(UnknownLang(other.to_string())),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        })
    }
}

/// A short label of a finding kind, for people ("BSN", "gezondheidsgegevens").
pub fn kind_label(kind: FindingKind, lang: Lang) -> &'static str {
    use FindingKind::*;
    match (kind, lang) {
        (Bsn, _) => "BSN",
        (Iban, _) => "IBAN",
        (PaymentCard, Lang::Nl) => "betaalkaartnummer",
        (PaymentCard, Lang::En) => "payment card number",
        (IdDocument, Lang::Nl) => "nummer van een identiteitsbewijs",
        (IdDocument, Lang::En) => "identity document number",
        (Health, Lang::Nl) => "gezondheidsgegevens",
        (Health, Lang::En) => "health data",
        (PatientDossier, Lang::Nl) => "cliënt- of patiëntdossier",
        (PatientDossier, Lang::En) => "client or patient file",
        (Credential, Lang::Nl) => "wachtwoord of toegangssleutel",
        (Credential, Lang::En) => "password or access key",
        (Confidential, Lang::Nl) => "als vertrouwelijk gemarkeerde inhoud",
        (Confidential, Lang::En) => "content marked confidential",
        (SpecialCategory, Lang::Nl) => "bijzondere persoonsgegevens",
        (SpecialCategory, Lang::En) => "special category personal data",
        (DateOfBirth, Lang::Nl) => "geboortedatum",
        (DateOfBirth, Lang::En) => "date of birth",
        (PersonName, Lang::Nl) => "naam van een persoon",
        (PersonName, Lang::En) => "name of a person",
        (EmailAddress, Lang::Nl) => "e-mailadres",
        (EmailAddress, Lang::En) => "e-mail address",
        (PhoneNumber, Lang::Nl) => "telefoonnummer",
        (PhoneNumber, Lang::En) => "phone number",
        (PostalAddress, Lang::Nl) => "adres",
        (PostalAddress, Lang::En) => "postal address",
    }
}

/// Where something stood, for people: "onderwerp", "bericht", "bijlage a.zip/b.docx".
pub fn location_label(location: &Location, lang: Lang) -> String {
    match (location, lang) {
        (Location::Subject, Lang::Nl) => "het onderwerp".to_string(),
        (Location::Subject, Lang::En) => "the subject".to_string(),
        (Location::Body, Lang::Nl) => "de tekst van het bericht".to_string(),
        (Location::Body, Lang::En) => "the message text".to_string(),
        (Location::Attachment(p), Lang::Nl) => format!("bijlage {}", p.join("/")),
        (Location::Attachment(p), Lang::En) => format!("attachment {}", p.join("/")),
    }
}

/// Joins up to `max` items and says how many more there are.
pub fn list(items: &[String], max: usize, lang: Lang) -> String {
    let shown = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    match items.len().saturating_sub(max) {
        0 => shown,
        n => match lang {
            Lang::Nl => format!("{shown} en {n} meer"),
            Lang::En => format!("{shown} and {n} more"),
        },
    }
}

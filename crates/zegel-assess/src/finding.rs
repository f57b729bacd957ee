//! What the detectors report: the kind of sensitive data, where it stood, and
//! a masked excerpt that never holds the full value.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;

/// The kinds of sensitive data zegel recognises. The snake_case names are
/// stable: the JSON output and the policy file use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Dutch citizen service number (burgerservicenummer), 11-proef valid.
    Bsn,
    /// International bank account number, mod-97 valid.
    Iban,
    /// Payment card number, Luhn valid and in a known issuer range.
    PaymentCard,
    /// Passport, identity card or driving-licence number.
    IdDocument,
    /// Health data about a person (diagnoses, medication, treatment, care).
    Health,
    /// Client or patient files, care plans, medical reports, indications.
    PatientDossier,
    /// Passwords, PINs, API keys, tokens, private keys, connection strings.
    Credential,
    /// Content explicitly marked confidential (not a footer disclaimer).
    Confidential,
    /// GDPR art. 9 and 10 data about a person (religion, ethnicity, criminal record, ...).
    SpecialCategory,
    /// A date of birth.
    DateOfBirth,
    /// The name of a person.
    PersonName,
    /// An e-mail address.
    EmailAddress,
    /// A telephone number.
    PhoneNumber,
    /// A postal address (street and number, or postcode and place).
    PostalAddress,
}

impl FindingKind {
    /// Every kind, in a fixed order.
    pub const ALL: [FindingKind; 14] = [
        FindingKind::Bsn,
        FindingKind::Iban,
        FindingKind::PaymentCard,
        FindingKind::IdDocument,
        FindingKind::Health,
        FindingKind::PatientDossier,
        FindingKind::Credential,
        FindingKind::Confidential,
        FindingKind::SpecialCategory,
        FindingKind::DateOfBirth,
        FindingKind::PersonName,
        FindingKind::EmailAddress,
        FindingKind::PhoneNumber,
        FindingKind::PostalAddress,
    ];

    /// The stable snake_case name (as in JSON and the policy file).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Bsn => "bsn",
            FindingKind::Iban => "iban",
            FindingKind::PaymentCard => "payment_card",
            FindingKind::IdDocument => "id_document",
            FindingKind::Health => "health",
            FindingKind::PatientDossier => "patient_dossier",
            FindingKind::Credential => "credential",
            FindingKind::Confidential => "confidential",
            FindingKind::SpecialCategory => "special_category",
            FindingKind::DateOfBirth => "date_of_birth",
            FindingKind::PersonName => "person_name",
            FindingKind::EmailAddress => "email_address",
            FindingKind::PhoneNumber => "phone_number",
            FindingKind::PostalAddress => "postal_address",
        }
    }

    /// Parses the stable snake_case name.
    pub fn from_name(name: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in the message a piece of text stood.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    /// The Subject header.
    Subject,
    /// The message body (plain or HTML converted to text, quoted history included).
    Body,
    /// An attachment; nested attachments give the path from outside in,
    /// e.g. `["a.zip", "b.docx"]`.
    Attachment(Vec<String>),
}

impl Location {
    /// The location of `name` nested inside this one.
    pub fn child(&self, name: &str) -> Location {
        match self {
            Location::Attachment(path) => {
                let mut path = path.clone();
                path.push(name.to_string());
                Location::Attachment(path)
            }
            _ => Location::Attachment(vec![name.to_string()]),
        }
    }

    /// The attachment path joined with `/`, or `None` for subject and body.
    pub fn attachment_path(&self) -> Option<String> {
        match self {
            Location::Attachment(path) => Some(path.join("/")),
            _ => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Subject => f.write_str("subject"),
            Location::Body => f.write_str("body"),
            Location::Attachment(path) => write!(f, "attachment:{}", path.join("/")),
        }
    }
}

impl Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A match of one detector in one text, before the assessment places it.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// What was found.
    pub kind: FindingKind,
    /// Byte range of the matched value in the text that was searched.
    pub span: Range<usize>,
    /// The value, masked so that it cannot be recovered (`1234.56.***`).
    pub excerpt: String,
    /// How sure the detector is, from 0.0 to 1.0.
    pub confidence: f32,
}

/// A placed finding: a detector match with the location it stood in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// What was found.
    pub kind: FindingKind,
    /// Where: `subject`, `body` or `attachment:NAME`.
    pub location: Location,
    /// The masked value.
    pub excerpt: String,
    /// How sure the detector is, from 0.0 to 1.0.
    pub confidence: f32,
    /// Index of the text segment it was found in (for linking findings about one person).
    #[serde(skip)]
    pub segment: usize,
    /// Byte range within that segment.
    #[serde(skip)]
    pub span: Range<usize>,
}

//! The result of assessing one message: the verdict, what was found, what
//! looks wrong, and the reasons a person reads.

use crate::finding::{Finding, FindingKind, Location};
use crate::i18n::{kind_label, list, location_label, Lang};
use crate::recipients::lookalike::LookalikeKind;
use serde::Serialize;

/// Must the message go securely?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Ordinary delivery is fine.
    Normal,
    /// The message must be sent securely.
    Secure,
}

/// The stable names of warnings (JSON output and policy use them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// At least one recipient is outside the organisation.
    ExternalRecipients,
    /// A recipient domain resembles an internal or partner domain.
    LookalikeDomain,
    /// Many external addresses are visible in To/Cc (should have been Bcc).
    VisibleExternalRecipients,
    /// An attachment is password-protected (already protected).
    EncryptedAttachment,
    /// An attachment could not be read.
    UnreadableAttachment,
    /// An archive expands far beyond its size: not read further.
    ZipBomb,
    /// A size, depth or count limit stopped reading.
    LimitExceeded,
}

impl WarningKind {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::ExternalRecipients => "external_recipients",
            WarningKind::LookalikeDomain => "lookalike_domain",
            WarningKind::VisibleExternalRecipients => "visible_external_recipients",
            WarningKind::EncryptedAttachment => "encrypted_attachment",
            WarningKind::UnreadableAttachment => "unreadable_attachment",
            WarningKind::ZipBomb => "zip_bomb",
            WarningKind::LimitExceeded => "limit_exceeded",
        }
    }
}

/// Something about the message a person should look at, whatever the verdict.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// Recipients outside the organisation.
    ExternalRecipients { addresses: Vec<String> },
    /// A recipient domain that imitates a trusted one.
    LookalikeDomain {
        domain: String,
        resembles: String,
        how: LookalikeKind,
    },
    /// Too many external addresses visible to everyone.
    VisibleExternalRecipients { count: usize },
    /// A password-protected attachment.
    EncryptedAttachment { location: Location },
    /// An attachment that could not be read.
    UnreadableAttachment { location: Location, reason: String },
    /// An archive that expands too far.
    ZipBomb { location: Location },
    /// A limit stopped reading.
    LimitExceeded {
        location: Location,
        limit: &'static str,
    },
}

impl Warning {
    /// Its stable kind.
    pub fn kind(&self) -> WarningKind {
        match self {
            Warning::ExternalRecipients { .. } => WarningKind::ExternalRecipients,
            Warning::LookalikeDomain { .. } => WarningKind::LookalikeDomain,
            Warning::VisibleExternalRecipients { .. } => WarningKind::VisibleExternalRecipients,
            Warning::EncryptedAttachment { .. } => WarningKind::EncryptedAttachment,
            Warning::UnreadableAttachment { .. } => WarningKind::UnreadableAttachment,
            Warning::ZipBomb { .. } => WarningKind::ZipBomb,
            Warning::LimitExceeded { .. } => WarningKind::LimitExceeded,
        }
    }

    /// The warning in words.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Warning::ExternalRecipients { addresses }, Lang::Nl) => {
                format!("externe ontvanger(s): {}", list(addresses, 5, lang))
            }
            (Warning::ExternalRecipients { addresses }, Lang::En) => {
                format!("external recipient(s): {}", list(addresses, 5, lang))
            }
            (
                Warning::LookalikeDomain {
                    domain,
                    resembles,
                    how,
                },
                Lang::Nl,
            ) => {
                format!(
                    "het domein {domain} lijkt op {resembles} ({}): klopt de ontvanger?",
                    how_nl(*how)
                )
            }
            (
                Warning::LookalikeDomain {
                    domain,
                    resembles,
                    how,
                },
                Lang::En,
            ) => {
                format!(
                    "the domain {domain} looks like {resembles} ({}): is this the right recipient?",
                    how_en(*how)
                )
            }
            (Warning::VisibleExternalRecipients { count }, Lang::Nl) => {
                format!("{count} externe adressen staan zichtbaar in Aan/Cc; gebruik Bcc")
            }
            (Warning::VisibleExternalRecipients { count }, Lang::En) => {
                format!("{count} external addresses are visible in To/Cc; use Bcc")
            }
            (Warning::EncryptedAttachment { location }, Lang::Nl) => {
                format!(
                    "{} is met een wachtwoord beveiligd en kon niet worden gelezen",
                    location_label(location, lang)
                )
            }
            (Warning::EncryptedAttachment { location }, Lang::En) => {
                format!(
                    "{} is password-protected and could not be read",
                    location_label(location, lang)
                )
            }
            (Warning::UnreadableAttachment { location, reason }, Lang::Nl) => {
                format!(
                    "{} kon niet worden gelezen ({reason})",
                    location_label(location, lang)
                )
            }
            (Warning::UnreadableAttachment { location, reason }, Lang::En) => {
                format!(
                    "{} could not be read ({reason})",
                    location_label(location, lang)
                )
            }
            (Warning::ZipBomb { location }, Lang::Nl) => {
                format!(
                    "{} pakt uit tot een onredelijke grootte (zip-bom) en is niet verder gelezen",
                    location_label(location, lang)
                )
            }
            (Warning::ZipBomb { location }, Lang::En) => {
                format!(
                    "{} expands to an unreasonable size (zip bomb) and was not read further",
                    location_label(location, lang)
                )
            }
            (Warning::LimitExceeded { location, limit }, Lang::Nl) => {
                format!(
                    "{}: limiet bereikt ({limit}), niet alles is gelezen",
                    location_label(location, lang)
                )
            }
            (Warning::LimitExceeded { location, limit }, Lang::En) => {
                format!(
                    "{}: limit reached ({limit}), not everything was read",
                    location_label(location, lang)
                )
            }
        }
    }
}

fn how_nl(how: LookalikeKind) -> &'static str {
    match how {
        LookalikeKind::Homoglyph => "tekens die op elkaar lijken",
        LookalikeKind::Hyphen => "streepje toegevoegd of weggelaten",
        LookalikeKind::ExtraLabels => "extra domeindelen",
        LookalikeKind::OtherTld => "andere extensie",
        LookalikeKind::Typo => "een of twee letters anders",
    }
}

fn how_en(how: LookalikeKind) -> &'static str {
    match how {
        LookalikeKind::Homoglyph => "characters that look alike",
        LookalikeKind::Hyphen => "a hyphen added or removed",
        LookalikeKind::ExtraLabels => "extra domain labels",
        LookalikeKind::OtherTld => "another top-level domain",
        LookalikeKind::Typo => "a letter or two different",
    }
}

/// Why the verdict is what it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The subject carries a tag that forces secure.
    ForcedByTag { tag: String },
    /// The sender sent it as a secure message (the staff web's compose
    /// page), whatever its content.
    SentSecure,
    /// A sensitive kind was found and goes to external recipients.
    Sensitive {
        kind: FindingKind,
        locations: Vec<Location>,
        external: Vec<String>,
    },
    /// A third person's name stands next to another identifier of them.
    NameWithIdentifier {
        identifier: FindingKind,
        location: Location,
        external: Vec<String>,
    },
    /// No detector named anything, but the learned second opinion found
    /// the texts much like the mail that had to go securely in zegel's
    /// labelled sets, to external recipients.
    Resembles {
        /// The second opinion's probability, in percent.
        percent: u8,
        /// The text that weighed most.
        location: Location,
        external: Vec<String>,
    },
    /// The contextual detectors flagged the mail (health words, a dossier,
    /// a name with contact details), but the learned second opinion reads
    /// it as general text, not about one person: it goes as normal mail
    /// (`[policy] general_text`).
    ReadsAsGeneral {
        /// What the detectors had flagged.
        kinds: Vec<FindingKind>,
        /// The second opinion's probability of sensitive mail, in percent.
        percent: u8,
    },
    /// Content that could not be read goes to external recipients
    /// (`[policy] unreadable` is `secure` or `hold`): what zegel cannot
    /// read, it does not pass as normal mail.
    Unreadable {
        /// Where, and why it could not be read.
        places: Vec<(Location, String)>,
        external: Vec<String>,
    },
    /// The gateway holds the mail for some recipients because of a warning
    /// (`[policy] lookalike` or `visible_external` set to `hold`).
    Held { warning: Warning },
    /// All recipients are internal: the mail stays inside the organisation.
    InternalOnly { sensitive: bool },
    /// External recipients, but nothing that must be protected.
    NothingSensitive,
}

impl Reason {
    /// Whether this reason makes the mail secure.
    pub fn makes_secure(&self) -> bool {
        matches!(
            self,
            Reason::ForcedByTag { .. }
                | Reason::SentSecure
                | Reason::Sensitive { .. }
                | Reason::NameWithIdentifier { .. }
                | Reason::Resembles { .. }
                | Reason::Unreadable { .. }
        )
    }

    /// The reason in words.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Reason::SentSecure => match lang {
                Lang::Nl => "de afzender verstuurde het als beveiligd bericht".to_string(),
                Lang::En => "the sender sent it as a secure message".to_string(),
            },
            Reason::ForcedByTag { tag } => match lang {
                Lang::Nl => {
                    format!("de afzender vraagt om beveiligd verzenden met {tag} in het onderwerp")
                }
                Lang::En => {
                    format!("the sender asks for secure delivery with {tag} in the subject")
                }
            },
            Reason::Sensitive {
                kind,
                locations,
                external,
            } => {
                let places: Vec<String> =
                    locations.iter().map(|l| location_label(l, lang)).collect();
                match lang {
                    Lang::Nl => format!(
                        "{} in {}; {}",
                        capitalise(kind_label(*kind, lang)),
                        list(&places, 3, lang),
                        external_nl(external)
                    ),
                    Lang::En => format!(
                        "{} in {}; {}",
                        capitalise(kind_label(*kind, lang)),
                        list(&places, 3, lang),
                        external_en(external)
                    ),
                }
            }
            Reason::NameWithIdentifier {
                identifier,
                location,
                external,
            } => match lang {
                Lang::Nl => format!(
                    "naam van een derde met {} in {}; {}",
                    kind_label(*identifier, lang),
                    location_label(location, lang),
                    external_nl(external)
                ),
                Lang::En => format!(
                    "a third person's name with {} in {}; {}",
                    kind_label(*identifier, lang),
                    location_label(location, lang),
                    external_en(external)
                ),
            },
            Reason::Resembles {
                percent,
                location,
                external,
            } => match lang {
                Lang::Nl => format!(
                    "{} lijkt sterk op mail met gevoelige gegevens die beveiligd \
                     verzonden moet worden (tweede oordeel: {percent} %); {}",
                    capitalise(&location_label(location, lang)),
                    external_nl(external)
                ),
                Lang::En => format!(
                    "{} closely resembles mail with sensitive data that must be \
                     sent securely (second opinion: {percent} %); {}",
                    capitalise(&location_label(location, lang)),
                    external_en(external)
                ),
            },
            Reason::ReadsAsGeneral { kinds, percent } => {
                let what: Vec<String> = kinds
                    .iter()
                    .map(|k| kind_label(*k, lang).to_string())
                    .collect();
                match lang {
                    Lang::Nl => format!(
                        "{} gevonden, maar de tekst leest als algemene informatie, niet als \
                         gegevens over één persoon (tweede oordeel: {percent} % kans op gevoelige \
                         mail); verzonden als gewone mail",
                        capitalise(&list(&what, 3, lang))
                    ),
                    Lang::En => format!(
                        "{} found, but the text reads as general information, not as data about \
                         one person (second opinion: {percent} % likely sensitive); sent as \
                         normal mail",
                        capitalise(&list(&what, 3, lang))
                    ),
                }
            }
            Reason::Unreadable { places, external } => {
                let what: Vec<String> = places
                    .iter()
                    .map(|(l, why)| format!("{} ({why})", location_label(l, lang)))
                    .collect();
                match lang {
                    Lang::Nl => format!(
                        "niet te lezen, dus niet als gewone mail: {}; {}",
                        list(&what, 3, lang),
                        external_nl(external)
                    ),
                    Lang::En => format!(
                        "could not be read, so not sent as normal mail: {}; {}",
                        list(&what, 3, lang),
                        external_en(external)
                    ),
                }
            }
            Reason::Held { warning } => match lang {
                Lang::Nl => format!(
                    "tegengehouden tot u het bevestigt: {}",
                    warning.message(lang)
                ),
                Lang::En => format!("held until you confirm it: {}", warning.message(lang)),
            },
            Reason::InternalOnly { sensitive } => match (lang, sensitive) {
                (Lang::Nl, true) => {
                    "alle ontvangers zijn intern: gevoelige gegevens blijven binnen de organisatie"
                        .to_string()
                }
                (Lang::Nl, false) => "alle ontvangers zijn intern".to_string(),
                (Lang::En, true) => {
                    "all recipients are internal: sensitive data stays inside the organisation"
                        .to_string()
                }
                (Lang::En, false) => "all recipients are internal".to_string(),
            },
            Reason::NothingSensitive => match lang {
                Lang::Nl => {
                    "geen gegevens gevonden die beveiligd verzonden moeten worden".to_string()
                }
                Lang::En => "nothing found that must be sent securely".to_string(),
            },
        }
    }
}

fn external_nl(external: &[String]) -> String {
    match external.len() {
        1 => format!("ontvanger {} is extern", external[0]),
        _ => format!("ontvangers {} zijn extern", list(external, 3, Lang::Nl)),
    }
}

fn external_en(external: &[String]) -> String {
    match external.len() {
        1 => format!("recipient {} is external", external[0]),
        _ => format!("recipients {} are external", list(external, 3, Lang::En)),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The complete assessment of one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Normal or secure.
    pub verdict: Verdict,
    /// Everything the detectors found (also what did not decide).
    pub findings: Vec<Finding>,
    /// What a person should look at.
    pub warnings: Vec<Warning>,
    /// Why the verdict is what it is, most important first.
    pub reasons: Vec<Reason>,
}

//! What the inbound checks found: one result per check (SPF, each DKIM
//! signature, DMARC, ARC) with the reason in words people read (Dutch or
//! English), and the `Authentication-Results` header (RFC 8601).

use std::fmt;
use std::net::IpAddr;

/// The language of the reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Dutch, the default.
    #[default]
    Nl,
    /// English.
    En,
}

/// A check's result, named as in RFC 8601 (`Authentication-Results`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Authenticated.
    Pass,
    /// Checked, and not authenticated.
    Fail,
    /// SPF: probably not authorised.
    SoftFail,
    /// SPF: the domain says nothing either way.
    Neutral,
    /// Nothing to check (no record, no signature, no chain).
    None,
    /// A passing problem (DNS); the same check may succeed later.
    TempError,
    /// A lasting problem (a broken record or signature).
    PermError,
}

impl Outcome {
    /// The RFC 8601 word: `pass`, `fail`, `softfail`, `neutral`, `none`,
    /// `temperror`, `permerror`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::SoftFail => "softfail",
            Outcome::Neutral => "neutral",
            Outcome::None => "none",
            Outcome::TempError => "temperror",
            Outcome::PermError => "permerror",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which identity SPF checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpfIdentity {
    /// The envelope sender's domain (`MAIL FROM`).
    MailFrom,
    /// The client's `HELO`/`EHLO` name (for the null sender `<>`).
    Helo,
}

impl SpfIdentity {
    /// The RFC 8601 property: `smtp.mailfrom` or `smtp.helo`.
    pub fn as_str(self) -> &'static str {
        match self {
            SpfIdentity::MailFrom => "smtp.mailfrom",
            SpfIdentity::Helo => "smtp.helo",
        }
    }
}

/// SPF (RFC 7208): may the client send mail for the sender's domain?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfCheck {
    /// The result.
    pub outcome: Outcome,
    /// The identity checked.
    pub identity: SpfIdentity,
    /// The domain whose record was asked (empty when there was none).
    pub domain: String,
    /// The client's address.
    pub client_ip: IpAddr,
    /// The domain's own explanation of a `fail` (its `exp=`), if any.
    pub explanation: Option<String>,
}

impl SpfCheck {
    /// Why, in words.
    pub fn reason(&self, lang: Lang) -> String {
        let (ip, d) = (self.client_ip, self.domain.as_str());
        match (self.outcome, lang) {
            (_, Lang::Nl) if d.is_empty() => {
                "geen afzenderdomein om te controleren (geen MAIL FROM of HELO)".into()
            }
            (_, Lang::En) if d.is_empty() => {
                "no sender domain to check (no MAIL FROM or HELO)".into()
            }
            (Outcome::Pass, Lang::Nl) => {
                format!("{ip} mag mail versturen voor {d} (het SPF-record staat het toe)")
            }
            (Outcome::Pass, Lang::En) => {
                format!("{ip} may send mail for {d} (its SPF record allows it)")
            }
            (Outcome::Fail, Lang::Nl) => {
                format!("{ip} mag geen mail versturen voor {d}: het SPF-record verbiedt het")
            }
            (Outcome::Fail, Lang::En) => {
                format!("{ip} may not send mail for {d}: its SPF record forbids it")
            }
            (Outcome::SoftFail, Lang::Nl) => format!(
                "volgens het SPF-record van {d} mag {ip} waarschijnlijk geen mail versturen (softfail)"
            ),
            (Outcome::SoftFail, Lang::En) => format!(
                "the SPF record of {d} says {ip} is probably not allowed to send its mail (softfail)"
            ),
            (Outcome::Neutral, Lang::Nl) => {
                format!("het SPF-record van {d} zegt niets over {ip} (neutral)")
            }
            (Outcome::Neutral, Lang::En) => {
                format!("the SPF record of {d} says nothing about {ip} (neutral)")
            }
            (Outcome::None, Lang::Nl) => format!("{d} publiceert geen SPF-record"),
            (Outcome::None, Lang::En) => format!("{d} publishes no SPF record"),
            (Outcome::TempError, Lang::Nl) => format!(
                "het SPF-record van {d} kon niet worden opgevraagd (DNS-fout); later opnieuw proberen"
            ),
            (Outcome::TempError, Lang::En) => format!(
                "the SPF record of {d} could not be looked up (DNS error); try again later"
            ),
            (Outcome::PermError, Lang::Nl) => format!(
                "het SPF-record van {d} is ongeldig (een fout erin, of te veel DNS-opvragingen)"
            ),
            (Outcome::PermError, Lang::En) => format!(
                "the SPF record of {d} is broken (an error in it, or too many DNS lookups)"
            ),
        }
    }
}

/// What went wrong with a DKIM signature or an ARC set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The body hash does not match: the body changed after signing.
    BodyChanged,
    /// The signature does not match the signed headers (changed, or
    /// signed with another key).
    SignatureMismatch,
    /// No key record at the selector.
    KeyMissing,
    /// The key record is revoked (empty `p=`).
    KeyRevoked,
    /// The key does not fit the signature's algorithm.
    KeyMismatch,
    /// The signature has expired (`x=`).
    Expired,
    /// The signature covers only part of the body (`l=`).
    PartialBody,
    /// The signer's identity (`i=`) is not within its domain (`d=`).
    IdentityMismatch,
    /// An unsupported version, algorithm or canonicalization.
    Unsupported(String),
    /// The header or the key record cannot be parsed.
    Malformed,
    /// DNS did not answer (a passing problem).
    Dns(String),
    /// ARC sets missing, out of order, or too many.
    ChainBroken,
    /// Anything else, in mail-auth's words.
    Other(String),
}

impl Problem {
    /// From mail-auth's error.
    pub(crate) fn from_error(error: &mail_auth::Error) -> Problem {
        use mail_auth::arc::ArcError;
        use mail_auth::common::crypto::CryptoError;
        use mail_auth::dkim::DkimError;
        use mail_auth::{DnsError, Error};
        match error {
            Error::Dkim(DkimError::FailedBodyHashMatch)
            | Error::Arc(ArcError::FailedBodyHashMatch) => Problem::BodyChanged,
            Error::Crypto(CryptoError::FailedVerification) => Problem::SignatureMismatch,
            Error::Crypto(CryptoError::IncompatibleAlgorithms)
            | Error::Dkim(DkimError::UnsupportedKeyType) => Problem::KeyMismatch,
            Error::Dkim(DkimError::RevokedPublicKey) => Problem::KeyRevoked,
            Error::Dkim(DkimError::SignatureExpired) | Error::Arc(ArcError::SignatureExpired) => {
                Problem::Expired
            }
            Error::Dkim(DkimError::SignatureLength) | Error::Arc(ArcError::SignatureLength) => {
                Problem::PartialBody
            }
            Error::Dkim(DkimError::FailedAuidMatch) => Problem::IdentityMismatch,
            Error::Dkim(e @ DkimError::UnsupportedVersion)
            | Error::Dkim(e @ DkimError::UnsupportedAlgorithm)
            | Error::Dkim(e @ DkimError::UnsupportedCanonicalization) => {
                Problem::Unsupported(e.to_string())
            }
            Error::Dns(DnsError::RecordNotFound(_)) | Error::Dns(DnsError::InvalidRecordType) => {
                Problem::KeyMissing
            }
            Error::Dns(DnsError::Resolver(e)) => Problem::Dns(e.clone()),
            Error::ParseError
            | Error::MissingParameters
            | Error::NoHeadersFound
            | Error::Base64 => Problem::Malformed,
            Error::Arc(
                ArcError::BrokenChain
                | ArcError::ChainTooLong
                | ArcError::InvalidInstance(_)
                | ArcError::InvalidCV
                | ArcError::HasHeaderTag,
            ) => Problem::ChainBroken,
            other => Problem::Other(other.to_string()),
        }
    }

    /// In words.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (Problem::BodyChanged, Lang::Nl) => "de inhoud is gewijzigd na ondertekening".into(),
            (Problem::BodyChanged, Lang::En) => "the body was changed after signing".into(),
            (Problem::SignatureMismatch, Lang::Nl) => {
                "de handtekening klopt niet met de ondertekende kopregels (gewijzigd na ondertekening, of een andere sleutel)".into()
            }
            (Problem::SignatureMismatch, Lang::En) => {
                "the signature does not match the signed headers (changed after signing, or another key)".into()
            }
            (Problem::KeyMissing, Lang::Nl) => "geen sleutel gepubliceerd in DNS".into(),
            (Problem::KeyMissing, Lang::En) => "no key published in DNS".into(),
            (Problem::KeyRevoked, Lang::Nl) => "de sleutel is ingetrokken (lege p=)".into(),
            (Problem::KeyRevoked, Lang::En) => "the key is revoked (empty p=)".into(),
            (Problem::KeyMismatch, Lang::Nl) => {
                "de sleutel past niet bij het algoritme van de handtekening".into()
            }
            (Problem::KeyMismatch, Lang::En) => {
                "the key does not fit the signature's algorithm".into()
            }
            (Problem::Expired, Lang::Nl) => "de handtekening is verlopen (x=)".into(),
            (Problem::Expired, Lang::En) => "the signature has expired (x=)".into(),
            (Problem::PartialBody, Lang::Nl) => {
                "de handtekening dekt maar een deel van de inhoud (l=): er kan tekst zijn toegevoegd".into()
            }
            (Problem::PartialBody, Lang::En) => {
                "the signature covers only part of the body (l=): text may have been added".into()
            }
            (Problem::IdentityMismatch, Lang::Nl) => {
                "de identiteit van de ondertekenaar (i=) hoort niet bij het domein (d=)".into()
            }
            (Problem::IdentityMismatch, Lang::En) => {
                "the signer's identity (i=) is not within its domain (d=)".into()
            }
            (Problem::Unsupported(what), Lang::Nl) => format!("niet ondersteund: {what}"),
            (Problem::Unsupported(what), Lang::En) => format!("not supported: {what}"),
            (Problem::Malformed, Lang::Nl) => {
                "de handtekening of het sleutelrecord is onjuist opgebouwd".into()
            }
            (Problem::Malformed, Lang::En) => "the signature or the key record is malformed".into(),
            (Problem::Dns(e), Lang::Nl) => {
                format!("DNS gaf geen antwoord ({e}); later opnieuw proberen")
            }
            (Problem::Dns(e), Lang::En) => format!("DNS did not answer ({e}); try again later"),
            (Problem::ChainBroken, Lang::Nl) => {
                "ARC-sets ontbreken, staan in de verkeerde volgorde of zijn te talrijk".into()
            }
            (Problem::ChainBroken, Lang::En) => {
                "ARC sets are missing, out of order, or too many".into()
            }
            (Problem::Other(e), _) => e.clone(),
        }
    }
}

/// One DKIM signature (RFC 6376, Ed25519 per RFC 8463).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimCheck {
    /// The result.
    pub outcome: Outcome,
    /// The signing domain (`d=`); empty when the header could not be read.
    pub domain: String,
    /// The selector (`s=`).
    pub selector: String,
    /// The algorithm (`rsa-sha256`, `ed25519-sha256`, ...).
    pub algorithm: String,
    /// The first bytes of the signature, base64 (`header.b`, RFC 6008).
    pub signature_prefix: String,
    /// What went wrong, when it did not pass.
    pub problem: Option<Problem>,
}

impl DkimCheck {
    /// Why, in words.
    pub fn reason(&self, lang: Lang) -> String {
        let d = if self.domain.is_empty() {
            "?"
        } else {
            self.domain.as_str()
        };
        let key = format!("{}._domainkey.{}", self.selector, self.domain);
        match (&self.problem, lang) {
            (None, Lang::Nl) => format!("geldige handtekening van {d} (sleutel {key})"),
            (None, Lang::En) => format!("valid signature of {d} (key {key})"),
            (Some(p @ (Problem::KeyMissing | Problem::KeyRevoked)), Lang::Nl) => {
                format!("handtekening van {d}: {} ({key})", p.text(lang))
            }
            (Some(p @ (Problem::KeyMissing | Problem::KeyRevoked)), Lang::En) => {
                format!("signature of {d}: {} ({key})", p.text(lang))
            }
            (Some(p), Lang::Nl) => format!("handtekening van {d}: {}", p.text(lang)),
            (Some(p), Lang::En) => format!("signature of {d}: {}", p.text(lang)),
        }
    }
}

/// A DMARC policy (RFC 7489, DMARCbis): what the domain asks receivers to
/// do with mail that fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmarcPolicy {
    /// Only report (`p=none`).
    None,
    /// Treat as suspicious (`p=quarantine`).
    Quarantine,
    /// Refuse (`p=reject`).
    Reject,
}

impl DmarcPolicy {
    /// `none`, `quarantine` or `reject`.
    pub fn as_str(self) -> &'static str {
        match self {
            DmarcPolicy::None => "none",
            DmarcPolicy::Quarantine => "quarantine",
            DmarcPolicy::Reject => "reject",
        }
    }
}

/// Whether one mechanism (SPF or DKIM) authenticated the From domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alignment {
    /// It passed for a domain aligned with the From domain.
    Aligned,
    /// It passed, but for a domain not aligned with the From domain.
    NotAligned,
    /// It did not pass at all.
    NotPassed,
    /// DNS failed while checking alignment.
    TempError,
}

impl Alignment {
    /// `aligned`, `not_aligned`, `not_passed`, `temperror`.
    pub fn as_str(self) -> &'static str {
        match self {
            Alignment::Aligned => "aligned",
            Alignment::NotAligned => "not_aligned",
            Alignment::NotPassed => "not_passed",
            Alignment::TempError => "temperror",
        }
    }
}

/// DMARC: is the domain in `From:` (what people see) authenticated by an
/// aligned SPF or DKIM pass, and what does its policy ask otherwise?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmarcCheck {
    /// The result.
    pub outcome: Outcome,
    /// The `From:` domain; empty when there is none or several.
    pub from_domain: String,
    /// The policy that applies to this domain (after `sp=`, `np=` and test
    /// mode); `None` without a record.
    pub policy: Option<DmarcPolicy>,
    /// SPF's alignment.
    pub spf: Alignment,
    /// DKIM's alignment (the best of the signatures).
    pub dkim: Alignment,
}

impl DmarcCheck {
    /// Why, in words.
    pub fn reason(&self, lang: Lang) -> String {
        let from = self.from_domain.as_str();
        let via = match (self.spf, self.dkim) {
            (Alignment::Aligned, Alignment::Aligned) => "SPF + DKIM",
            (Alignment::Aligned, _) => "SPF",
            _ => "DKIM",
        };
        let policy = |lang| match (self.policy, lang) {
            (Some(DmarcPolicy::Reject), Lang::Nl) => "weigeren (p=reject)",
            (Some(DmarcPolicy::Reject), Lang::En) => "reject (p=reject)",
            (Some(DmarcPolicy::Quarantine), Lang::Nl) => "als verdacht behandelen (p=quarantine)",
            (Some(DmarcPolicy::Quarantine), Lang::En) => "treat as suspicious (p=quarantine)",
            (_, Lang::Nl) => "alleen rapporteren (p=none)",
            (_, Lang::En) => "only report (p=none)",
        };
        match (self.outcome, lang) {
            (_, Lang::Nl) if from.is_empty() => {
                "geen enkel From-domein om te controleren (ontbreekt, of meerdere domeinen)".into()
            }
            (_, Lang::En) if from.is_empty() => {
                "no single From domain to check (missing, or several domains)".into()
            }
            (Outcome::Pass, Lang::Nl) => {
                format!("het From-domein {from} is bevestigd: {via} komt overeen met {from}")
            }
            (Outcome::Pass, Lang::En) => {
                format!("the From domain {from} is authenticated: {via} aligned with {from}")
            }
            (Outcome::Fail, Lang::Nl) => format!(
                "SPF noch DKIM bevestigt het From-domein {from} ({}); het beleid van {from}: {}",
                self.why_not(lang),
                policy(lang)
            ),
            (Outcome::Fail, Lang::En) => format!(
                "neither SPF nor DKIM authenticates the From domain {from} ({}); its policy: {}",
                self.why_not(lang),
                policy(lang)
            ),
            (Outcome::TempError, Lang::Nl) => format!(
                "het DMARC-beleid van {from} kon niet worden vastgesteld (DNS-fout); later opnieuw proberen"
            ),
            (Outcome::TempError, Lang::En) => format!(
                "the DMARC policy of {from} could not be determined (DNS error); try again later"
            ),
            (Outcome::PermError, Lang::Nl) => format!("het DMARC-record van {from} is ongeldig"),
            (Outcome::PermError, Lang::En) => format!("the DMARC record of {from} is broken"),
            (_, Lang::Nl) => format!("{from} publiceert geen DMARC-beleid"),
            (_, Lang::En) => format!("{from} publishes no DMARC policy"),
        }
    }

    fn why_not(&self, lang: Lang) -> String {
        let one = |name: &str, a: Alignment| match (a, lang) {
            (Alignment::NotAligned, Lang::Nl) => format!("{name} geslaagd voor een ander domein"),
            (Alignment::NotAligned, Lang::En) => format!("{name} passed for another domain"),
            (Alignment::TempError, Lang::Nl) => format!("{name}: DNS-fout"),
            (Alignment::TempError, Lang::En) => format!("{name}: DNS error"),
            (_, Lang::Nl) => format!("{name} niet geslaagd"),
            (_, Lang::En) => format!("{name} did not pass"),
        };
        format!("{}, {}", one("SPF", self.spf), one("DKIM", self.dkim))
    }
}

/// ARC (RFC 8617): the chain of seals forwarders (mailing lists) added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArcCheck {
    /// `pass`, `fail` or `none` (mail-auth's `neutral`, for ARC headers it
    /// cannot read, is reported as `fail`: RFC 8617 section 5.2 knows only
    /// these three).
    pub outcome: Outcome,
    /// How many ARC sets the message carries.
    pub sets: usize,
    /// The domain of the newest seal.
    pub last_sealer: Option<String>,
    /// What went wrong, when it failed.
    pub problem: Option<Problem>,
}

impl ArcCheck {
    /// Why, in words.
    pub fn reason(&self, lang: Lang) -> String {
        let sealer = self.last_sealer.as_deref().unwrap_or("?");
        match (self.outcome, &self.problem, lang) {
            (Outcome::None, _, Lang::Nl) => "geen ARC-keten".into(),
            (Outcome::None, _, Lang::En) => "no ARC chain".into(),
            (Outcome::Pass, _, Lang::Nl) => format!(
                "geldige ARC-keten van {} set(s), laatst verzegeld door {sealer}",
                self.sets
            ),
            (Outcome::Pass, _, Lang::En) => format!(
                "valid ARC chain of {} set(s), last sealed by {sealer}",
                self.sets
            ),
            (_, Some(p), Lang::Nl) => format!("de ARC-keten is ongeldig: {}", p.text(lang)),
            (_, Some(p), Lang::En) => format!("the ARC chain is not valid: {}", p.text(lang)),
            (_, None, Lang::Nl) => "de ARC-keten is ongeldig".into(),
            (_, None, Lang::En) => "the ARC chain is not valid".into(),
        }
    }
}

/// Everything the inbound checks found for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// SPF.
    pub spf: SpfCheck,
    /// One per DKIM-Signature header, in message order; empty when unsigned.
    pub dkim: Vec<DkimCheck>,
    /// DMARC.
    pub dmarc: DmarcCheck,
    /// ARC.
    pub arc: ArcCheck,
    /// mail-auth's `Authentication-Results` results, after the authserv-id.
    pub(crate) results: String,
}

impl Report {
    /// DKIM as one outcome: `pass` when any signature passes, `none` when
    /// unsigned, otherwise the first signature's outcome.
    pub fn dkim_outcome(&self) -> Outcome {
        if self.dkim.iter().any(|d| d.outcome == Outcome::Pass) {
            Outcome::Pass
        } else {
            self.dkim.first().map_or(Outcome::None, |d| d.outcome)
        }
    }

    /// The value of an `Authentication-Results:` header (RFC 8601) for
    /// `authserv_id` (our host name), folded with CRLF TAB between results;
    /// `<authserv_id>; none` when there was nothing to check.
    pub fn authentication_results(&self, authserv_id: &str) -> String {
        if self.results.is_empty() {
            format!("{authserv_id}; none")
        } else {
            format!("{authserv_id}{}", self.results)
        }
    }
}

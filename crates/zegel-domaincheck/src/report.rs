//! The report: one [`Check`] per thing checked (per MX host for the
//! transport checks), each with a [`Status`], the facts it saw, a summary and
//! advice in Dutch and English, and the [`Report::score`].
//!
//! # The score
//!
//! Like internet.nl's mail test, only *required* checks count, and a check
//! earns points by its status: good and sufficient all of its weight,
//! warning half, bad and error nothing. A check that runs once per MX host
//! counts as the mean over the hosts, so a domain with three MX hosts
//! weighs as much as one with one. The score is the points earned as a
//! percentage of the points possible, rounded down. *Recommended* checks
//! (weight 0: DMARC reports, MTA-STS, TLS-RPT, the MX list) never change
//! the score; their advice still shows.
//!
//! internet.nl averages its categories (IPv6, DNSSEC, authenticity marks,
//! STARTTLS and DANE) and has no half points for warnings; it also checks
//! IPv6, DNSSEC of the domain and RPKI, which this check does not. The two
//! scores are alike, not equal.

use serde::Serialize;
use std::collections::BTreeMap;

/// The weight of a required check.
pub const REQUIRED: u32 = 10;

/// Output language of the text form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Dutch (the default).
    Nl,
    /// English.
    En,
}

/// A text in Dutch and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text {
    /// Dutch.
    pub nl: String,
    /// English.
    pub en: String,
}

impl Text {
    /// A text from its two languages.
    pub fn new(nl: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            nl: nl.into(),
            en: en.into(),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nl => &self.nl,
            Lang::En => &self.en,
        }
    }
}

/// How a check came out, best first. The names follow the NCSC-NL TLS
/// guidelines' classes where they apply (good, sufficient; phase-out
/// becomes a warning, insufficient becomes bad).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// As it should be.
    Good,
    /// Acceptable, with room for better.
    Sufficient,
    /// Works, but should change (phase-out, a policy that only watches).
    Warning,
    /// Missing or insecure.
    Bad,
    /// Could not be checked (DNS failure, no connection).
    Error,
}

impl Status {
    /// The fraction of a check's weight this status earns.
    pub fn credit(self) -> f64 {
        match self {
            Status::Good | Status::Sufficient => 1.0,
            Status::Warning => 0.5,
            Status::Bad | Status::Error => 0.0,
        }
    }

    /// The status's name in `lang`, as the text form shows it.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Status::Good, Lang::Nl) => "goed",
            (Status::Good, Lang::En) => "good",
            (Status::Sufficient, Lang::Nl) => "voldoende",
            (Status::Sufficient, Lang::En) => "sufficient",
            (Status::Warning, Lang::Nl) => "waarschuwing",
            (Status::Warning, Lang::En) => "warning",
            (Status::Bad, Lang::Nl) => "slecht",
            (Status::Bad, Lang::En) => "bad",
            (Status::Error, Lang::Nl) => "fout",
            (Status::Error, Lang::En) => "error",
        }
    }
}

/// One thing seen: a record, a count, a negotiated version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// Stable key (JSON), e.g. `record`, `lookups`, `tls_versions`.
    pub key: &'static str,
    /// What was seen, language-neutral (records, names, numbers).
    pub value: String,
}

/// The stable identifiers of the checks (the JSON's `id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// An SPF record: present, one, valid, at most 10 DNS lookups.
    Spf,
    /// The SPF record's `all`: strict enough?
    SpfPolicy,
    /// A DMARC record: present, one, valid.
    Dmarc,
    /// The DMARC policy: `reject` or `quarantine`, for all mail.
    DmarcPolicy,
    /// DMARC aggregate reports: asked for, destinations authorised.
    DmarcReporting,
    /// DKIM keys in DNS under the configured and common selectors.
    Dkim,
    /// The MX records.
    Mx,
    /// STARTTLS offered by one MX host.
    Starttls,
    /// The TLS versions one MX host accepts.
    TlsVersions,
    /// The cipher suites one MX host accepts.
    TlsCiphers,
    /// The key exchange one MX host uses.
    TlsKeyExchange,
    /// The certificate one MX host presents.
    Certificate,
    /// DANE TLSA records for one MX host, and whether they match.
    Dane,
    /// MTA-STS: the TXT record, the policy over HTTPS, its mode.
    MtaSts,
    /// TLS-RPT: where TLS failure reports go.
    TlsRpt,
}

impl CheckId {
    /// The check's name in `lang`.
    pub fn title(self, lang: Lang) -> &'static str {
        let (nl, en) = match self {
            CheckId::Spf => ("SPF-record", "SPF record"),
            CheckId::SpfPolicy => ("SPF-beleid", "SPF policy"),
            CheckId::Dmarc => ("DMARC-record", "DMARC record"),
            CheckId::DmarcPolicy => ("DMARC-beleid", "DMARC policy"),
            CheckId::DmarcReporting => ("DMARC-rapporten", "DMARC reports"),
            CheckId::Dkim => ("DKIM", "DKIM"),
            CheckId::Mx => ("Mailservers (MX)", "Mail servers (MX)"),
            CheckId::Starttls => ("STARTTLS", "STARTTLS"),
            CheckId::TlsVersions => ("TLS-versies", "TLS versions"),
            CheckId::TlsCiphers => ("Ciphersuites", "Cipher suites"),
            CheckId::TlsKeyExchange => ("Sleuteluitwisseling", "Key exchange"),
            CheckId::Certificate => ("Certificaat", "Certificate"),
            CheckId::Dane => ("DANE", "DANE"),
            CheckId::MtaSts => ("MTA-STS", "MTA-STS"),
            CheckId::TlsRpt => ("TLS-RPT", "TLS-RPT"),
        };
        match lang {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }
}

/// One check's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Which check.
    pub id: CheckId,
    /// What was checked: the domain, or the MX host for transport checks.
    pub subject: String,
    /// The outcome.
    pub status: Status,
    /// Weight in the score: [`REQUIRED`] for required checks, 0 for
    /// recommended ones.
    pub weight: u32,
    /// One line: what was found.
    pub summary: Text,
    /// What was seen, in order.
    pub facts: Vec<Fact>,
    /// What to do, when something should change.
    pub advice: Option<Text>,
}

impl Check {
    /// A required check on `subject`.
    pub fn required(id: CheckId, subject: &str, status: Status, summary: Text) -> Check {
        Check {
            id,
            subject: subject.to_string(),
            status,
            weight: REQUIRED,
            summary,
            facts: Vec::new(),
            advice: None,
        }
    }

    /// A recommended check on `subject` (weight 0: never in the score).
    pub fn recommended(id: CheckId, subject: &str, status: Status, summary: Text) -> Check {
        Check {
            weight: 0,
            ..Check::required(id, subject, status, summary)
        }
    }

    /// Adds a fact.
    pub fn fact(mut self, key: &'static str, value: impl Into<String>) -> Check {
        self.facts.push(Fact {
            key,
            value: value.into(),
        });
        self
    }

    /// Sets the advice.
    pub fn advise(mut self, advice: Text) -> Check {
        self.advice = Some(advice);
        self
    }

    /// Whether the check counts in the score.
    pub fn is_required(&self) -> bool {
        self.weight > 0
    }
}

/// The whole report for one domain.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The domain checked (lower case, no trailing dot).
    pub domain: String,
    /// The score, 0 to 100 (see the module documentation).
    pub score: u32,
    /// Required checks that came out good or sufficient.
    pub passed: usize,
    /// Required checks in all.
    pub required: usize,
    /// The resolvers asked.
    pub resolvers: Vec<String>,
    /// Every check, in the order of the text form.
    pub checks: Vec<Check>,
    /// What this check does not look at, or could not probe here.
    pub not_checked: Vec<Text>,
}

impl Report {
    /// Builds the report and computes its score.
    pub fn new(
        domain: &str,
        resolvers: Vec<String>,
        checks: Vec<Check>,
        not_checked: Vec<Text>,
    ) -> Report {
        let (score, passed, required) = score(&checks);
        Report {
            domain: domain.to_string(),
            score,
            passed,
            required,
            resolvers,
            checks,
            not_checked,
        }
    }

    /// The checks with `id`, in order.
    pub fn checks_of(&self, id: CheckId) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(move |c| c.id == id)
    }

    /// The check with `id` on `subject`.
    pub fn check(&self, id: CheckId, subject: &str) -> Option<&Check> {
        self.checks
            .iter()
            .find(|c| c.id == id && c.subject == subject)
    }
}

/// (score, passed, required) over the required checks; see the module
/// documentation.
fn score(checks: &[Check]) -> (u32, usize, usize) {
    let mut kinds: BTreeMap<CheckId, (u32, f64, usize)> = BTreeMap::new();
    let mut passed = 0;
    let mut required = 0;
    for check in checks.iter().filter(|c| c.is_required()) {
        required += 1;
        if check.status.credit() >= 1.0 {
            passed += 1;
        }
        let entry = kinds.entry(check.id).or_insert((check.weight, 0.0, 0));
        entry.1 += check.status.credit();
        entry.2 += 1;
    }
    let possible: f64 = kinds.values().map(|(w, _, _)| f64::from(*w)).sum();
    if possible == 0.0 {
        return (0, passed, required);
    }
    let earned: f64 = kinds
        .values()
        .map(|(w, credit, n)| f64::from(*w) * credit / *n as f64)
        .sum();
    // A hair of tolerance so that 100 % is never 99 by rounding.
    let percent = (earned / possible * 100.0 + 1e-9).floor();
    (percent.clamp(0.0, 100.0) as u32, passed, required)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: CheckId, subject: &str, status: Status) -> Check {
        Check::required(id, subject, status, Text::new("", ""))
    }

    #[test]
    fn the_score_counts_required_checks_and_averages_per_mx_checks() {
        let checks = vec![
            check(CheckId::Spf, "d", Status::Good),
            check(CheckId::Dmarc, "d", Status::Bad),
            check(CheckId::Starttls, "mx1", Status::Good),
            check(CheckId::Starttls, "mx2", Status::Bad),
            check(CheckId::TlsVersions, "mx1", Status::Warning),
            Check::recommended(CheckId::MtaSts, "d", Status::Bad, Text::new("", "")),
        ];
        let (score, passed, required) = score(&checks);
        // Spf 10 + Dmarc 0 + Starttls 10 * 1/2 + TlsVersions 10 * 1/2 = 20 of 40.
        assert_eq!(score, 50);
        assert_eq!((passed, required), (2, 5));
    }

    #[test]
    fn all_good_is_exactly_one_hundred() {
        let checks: Vec<Check> = [CheckId::Spf, CheckId::Dmarc, CheckId::Dkim]
            .into_iter()
            .map(|id| check(id, "d", Status::Sufficient))
            .collect();
        assert_eq!(score(&checks).0, 100);
        assert_eq!(score(&[]).0, 0);
    }
}

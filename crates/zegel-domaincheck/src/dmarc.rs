//! DMARC (RFC 7489): one valid record at `_dmarc.<domain>`, a policy that
//! acts (`p=reject` or `p=quarantine`, for subdomains too, for all mail),
//! aggregate reports asked for at addresses that accepted them, and the
//! alignment modes.
//!
//! The record is parsed by mail-auth. Without a record at the domain
//! itself, a receiver uses the organisational domain's; we take that to be
//! the last two labels (a public-suffix list would do better for names like
//! `gemeente.example.co.uk`) and say so.

use crate::dns::Dns;
use crate::report::{Check, CheckId, Status, Text};
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::dmarc::{Alignment, Dmarc, Policy};

fn is_dmarc(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("v=DMARC1") && t[8..].trim_start().chars().next().is_none_or(|c| c == ';')
}

/// The organisational domain as we approximate it: the last two labels.
fn organisational(domain: &str) -> Option<String> {
    let labels: Vec<&str> = domain.split('.').collect();
    (labels.len() > 2).then(|| labels[labels.len() - 2..].join("."))
}

fn policy_name(p: Policy) -> &'static str {
    match p {
        Policy::Reject => "reject",
        Policy::Quarantine => "quarantine",
        Policy::None => "none",
        Policy::Unspecified => "(none given)",
    }
}

fn strength(p: Policy) -> u8 {
    match p {
        Policy::Reject => 2,
        Policy::Quarantine => 1,
        Policy::None | Policy::Unspecified => 0,
    }
}

fn alignment(a: Alignment) -> &'static str {
    match a {
        Alignment::Relaxed => "relaxed (r)",
        Alignment::Strict => "strict (s)",
    }
}

/// The `pct` tag (mail-auth drops it; RFC 7489 section 6.3), default 100.
fn pct(record: &str) -> Option<u8> {
    record.split(';').find_map(|tag| {
        let (k, v) = tag.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("pct"))
            .then(|| v.trim().parse::<u8>().ok())
            .flatten()
    })
}

/// The domain of a `mailto:` report address.
fn mailto_domain(uri: &str) -> Option<String> {
    let address = uri.strip_prefix("mailto:").unwrap_or(uri);
    let address = address.split('!').next()?;
    Some(
        address
            .rsplit_once('@')?
            .1
            .trim_end_matches('.')
            .to_ascii_lowercase(),
    )
}

/// Whether `rua_domain` lies within `org` (the same organisation).
fn within(rua_domain: &str, org: &str) -> bool {
    rua_domain == org || rua_domain.ends_with(&format!(".{org}"))
}

/// The checks `dmarc`, `dmarc_policy` and `dmarc_reporting` for `domain`.
pub async fn check(dns: &Dns, domain: &str) -> Vec<Check> {
    let error = |e: String| {
        let summary = Text::new(
            format!("DMARC kon niet worden opgevraagd: {e}"),
            format!("DMARC could not be looked up: {e}"),
        );
        vec![
            Check::required(CheckId::Dmarc, domain, Status::Error, summary.clone()),
            Check::required(CheckId::DmarcPolicy, domain, Status::Error, summary.clone()),
            Check::recommended(CheckId::DmarcReporting, domain, Status::Error, summary),
        ]
    };
    let mut at = format!("_dmarc.{domain}");
    let mut found: Vec<String> = match dns.txt(&at).await {
        Ok((texts, _)) => texts.into_iter().filter(|t| is_dmarc(t)).collect(),
        Err(e) => return error(e.to_string()),
    };
    let mut inherited = false;
    if found.is_empty() {
        if let Some(org) = organisational(domain) {
            let org_at = format!("_dmarc.{org}");
            if let Ok((texts, _)) = dns.txt(&org_at).await {
                let org_found: Vec<String> = texts.into_iter().filter(|t| is_dmarc(t)).collect();
                if !org_found.is_empty() {
                    found = org_found;
                    at = org_at;
                    inherited = true;
                }
            }
        }
    }
    let org = organisational(domain).unwrap_or_else(|| domain.to_string());

    let missing = |summary: Text, advice: Text| {
        vec![
            Check::required(CheckId::Dmarc, domain, Status::Bad, summary.clone()).advise(advice),
            Check::required(
                CheckId::DmarcPolicy,
                domain,
                Status::Bad,
                Text::new("Geen geldig DMARC-beleid.", "No valid DMARC policy."),
            )
            .advise(Text::new(
                "Publiceer eerst een geldig DMARC-record (zie hierboven) en werk toe naar p=reject.",
                "First publish a valid DMARC record (see above) and work towards p=reject.",
            )),
            Check::recommended(
                CheckId::DmarcReporting,
                domain,
                Status::Bad,
                Text::new(
                    "Zonder DMARC-record komen er geen rapporten.",
                    "Without a DMARC record no reports come in.",
                ),
            )
            .advise(Text::new(
                "Vraag in het DMARC-record aggregaatrapporten met rua=mailto:...",
                "Ask for aggregate reports in the DMARC record with rua=mailto:...",
            )),
        ]
    };
    let record = match found.as_slice() {
        [] => {
            return missing(
                Text::new(
                    format!("Geen DMARC-record op _dmarc.{domain}."),
                    format!("No DMARC record at _dmarc.{domain}."),
                ),
                Text::new(
                    format!("Publiceer een TXT-record op _dmarc.{domain}, om te beginnen \"v=DMARC1; p=none; rua=mailto:dmarc@{domain}\", en ga na het lezen van de rapporten naar p=quarantine en p=reject."),
                    format!("Publish a TXT record at _dmarc.{domain}, to begin with \"v=DMARC1; p=none; rua=mailto:dmarc@{domain}\", and move to p=quarantine and p=reject once the reports are read."),
                ),
            )
        }
        [one] => one.clone(),
        many => {
            let mut checks = missing(
                Text::new(
                    format!("{} DMARC-records op {at}: ontvangers negeren ze dan allemaal.", many.len()),
                    format!("{} DMARC records at {at}: receivers then ignore them all.", many.len()),
                ),
                Text::new("Houd één DMARC-record over.", "Keep one DMARC record."),
            );
            for r in many {
                checks[0] = checks[0].clone().fact("record", r.clone());
            }
            return checks;
        }
    };
    let parsed = match Dmarc::parse(record.as_bytes()) {
        Ok(d) if d.p != Policy::Unspecified => d,
        Ok(_) | Err(_) => {
            let mut checks = missing(
                Text::new(
                    "Het DMARC-record is ongeldig (geen of een onbekende p=).",
                    "The DMARC record is not valid (no or an unknown p=).",
                ),
                Text::new(
                    "Herstel het record: v=DMARC1 eerst, dan p=none|quarantine|reject (RFC 7489).",
                    "Fix the record: v=DMARC1 first, then p=none|quarantine|reject (RFC 7489).",
                ),
            );
            checks[0] = checks[0].clone().fact("record", record.clone());
            return checks;
        }
    };

    let mut dmarc = Check::required(
        CheckId::Dmarc,
        domain,
        Status::Good,
        if inherited {
            Text::new(
                format!("Geen eigen record; het record van het organisatiedomein ({at}) geldt."),
                format!("No record of its own; the organisational domain's record ({at}) applies."),
            )
        } else {
            Text::new("Eén geldig DMARC-record.", "One valid DMARC record.")
        },
    )
    .fact("record", record.clone())
    .fact("location", at.clone());
    if inherited {
        dmarc = dmarc.fact(
            "note",
            "organisational domain approximated as the last two labels",
        );
    }

    // The policy that applies to this domain: sp when inherited.
    let applied = if inherited { parsed.sp } else { parsed.p };
    let percent = pct(&record).unwrap_or(100);
    let (mut status, summary) = match applied {
        Policy::Reject => (
            Status::Good,
            Text::new(
                "p=reject: ontvangers weigeren mail die DMARC niet doorstaat.",
                "p=reject: receivers refuse mail that fails DMARC.",
            ),
        ),
        Policy::Quarantine => (
            Status::Sufficient,
            Text::new(
                "p=quarantine: ontvangers zetten mail die DMARC niet doorstaat apart (spam).",
                "p=quarantine: receivers set mail that fails DMARC aside (spam).",
            ),
        ),
        _ => (
            Status::Bad,
            Text::new(
                "p=none: ontvangers doen niets met mail die DMARC niet doorstaat; het domein is niet beschermd tegen vervalsing.",
                "p=none: receivers do nothing with mail that fails DMARC; the domain is not protected against spoofing.",
            ),
        ),
    };
    let mut policy = Check::required(CheckId::DmarcPolicy, domain, status, summary)
        .fact("p", policy_name(parsed.p))
        .fact("sp", policy_name(parsed.sp))
        .fact("pct", percent.to_string())
        .fact("adkim", alignment(parsed.adkim))
        .fact("aspf", alignment(parsed.aspf));
    if status == Status::Bad {
        policy = policy.advise(Text::new(
            "Lees de aggregaatrapporten tot alle eigen mail DMARC doorstaat, en zet dan p=quarantine en daarna p=reject.",
            "Read the aggregate reports until all of your own mail passes DMARC, then set p=quarantine and after that p=reject.",
        ));
    } else if !inherited && strength(parsed.sp) < strength(parsed.p) {
        status = Status::Warning;
        policy.status = status;
        policy = policy.advise(Text::new(
            format!("Subdomeinen hebben een zwakker beleid (sp={}): vervalsers kunnen uitwijken naar verzonnen subdomeinen. Laat sp weg of maak het gelijk aan p.", policy_name(parsed.sp)),
            format!("Subdomains have a weaker policy (sp={}): spoofers can move to made-up subdomains. Drop sp or make it equal to p.", policy_name(parsed.sp)),
        ));
    } else if percent < 100 {
        policy.status = Status::Warning;
        policy = policy.advise(Text::new(
            format!("pct={percent}: het beleid geldt maar voor een deel van de mail. Zet pct=100 (of laat het weg)."),
            format!("pct={percent}: the policy covers only part of the mail. Set pct=100 (or drop it)."),
        ));
    }

    // Reports.
    let mut reporting_facts = Vec::new();
    let mut unauthorised = Vec::new();
    for uri in &parsed.rua {
        reporting_facts.push(uri.uri().to_string());
        let Some(rua_domain) = mailto_domain(uri.uri()) else {
            continue;
        };
        if within(&rua_domain, &org) {
            continue;
        }
        // RFC 7489 section 7.1: the other domain must say it takes them.
        let name = format!("{domain}._report._dmarc.{rua_domain}");
        let ok = match dns.txt(&name).await {
            Ok((texts, _)) => texts.iter().any(|t| is_dmarc(t)),
            Err(_) => false,
        };
        if !ok {
            unauthorised.push(rua_domain);
        }
    }
    let mut reporting = if parsed.rua.is_empty() {
        Check::recommended(
            CheckId::DmarcReporting,
            domain,
            Status::Warning,
            Text::new(
                "Geen rua=: er komen geen aggregaatrapporten, dus u ziet niet wie namens het domein mailt.",
                "No rua=: no aggregate reports come in, so you do not see who sends mail for the domain.",
            ),
        )
        .advise(Text::new(
            format!("Voeg rua=mailto:dmarc@{domain} (of de dienst die uw rapporten leest) toe."),
            format!("Add rua=mailto:dmarc@{domain} (or the service that reads your reports)."),
        ))
    } else if !unauthorised.is_empty() {
        Check::recommended(
            CheckId::DmarcReporting,
            domain,
            Status::Warning,
            Text::new(
                format!("Rapporten gaan naar {} zonder dat die domeinen dat toestaan: ontvangers sturen ze niet.", unauthorised.join(", ")),
                format!("Reports go to {} without those domains allowing it: receivers do not send them.", unauthorised.join(", ")),
            ),
        )
        .advise(Text::new(
            format!("Laat elk van die domeinen een TXT-record \"v=DMARC1\" op {domain}._report._dmarc.<domein> publiceren (RFC 7489 7.1)."),
            format!("Have each of those domains publish a TXT record \"v=DMARC1\" at {domain}._report._dmarc.<domain> (RFC 7489 7.1)."),
        ))
    } else {
        Check::recommended(
            CheckId::DmarcReporting,
            domain,
            Status::Good,
            Text::new(
                "Aggregaatrapporten worden gevraagd.",
                "Aggregate reports are asked for.",
            ),
        )
    };
    for r in reporting_facts {
        reporting = reporting.fact("rua", r);
    }
    for r in &parsed.ruf {
        reporting = reporting.fact("ruf", r.uri().to_string());
    }
    vec![dmarc, policy, reporting]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert!(is_dmarc("v=DMARC1; p=none"));
        assert!(is_dmarc("v=DMARC1;p=reject"));
        assert!(!is_dmarc("v=DMARC10; p=none"));
        assert!(!is_dmarc("v=spf1 -all"));
        assert_eq!(organisational("mail.zorg.nl").as_deref(), Some("zorg.nl"));
        assert_eq!(organisational("zorg.nl"), None);
        assert_eq!(pct("v=DMARC1; p=reject; pct=50"), Some(50));
        assert_eq!(pct("v=DMARC1; p=reject"), None);
        assert_eq!(
            mailto_domain("mailto:dmarc@Reports.Example.net!10m").as_deref(),
            Some("reports.example.net")
        );
        assert!(within("zorg.nl", "zorg.nl"));
        assert!(within("rapporten.zorg.nl", "zorg.nl"));
        assert!(!within("evilzorg.nl", "zorg.nl"));
    }
}

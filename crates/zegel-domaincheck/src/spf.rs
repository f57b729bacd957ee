//! SPF (RFC 7208): is there exactly one valid record, does evaluating it
//! stay within the 10 DNS lookups a receiver allows, and does it end in a
//! strict `all`?
//!
//! The records are parsed by mail-auth. The lookup count walks the record
//! the way a receiver would: `include`, `a`, `mx`, `ptr`, `exists` and
//! `redirect` each cost one lookup (section 4.6.4), included and redirected
//! records are fetched and walked in turn, a name that comes back to one on
//! its own path is a loop, and more than two lookups that find nothing
//! ("void lookups") are an error too. Names built from macros that depend
//! on the sender (`%{i}`, `%{s}`, ...) are counted but not followed.

use crate::dns::{Dns, DnsError};
use crate::report::{Check, CheckId, Status, Text};
use hickory_resolver::proto::rr::{RData, RecordType};
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::spf::{Macro, Mechanism, Qualifier, Spf};
use std::future::Future;
use std::pin::Pin;

/// Most DNS-querying terms a receiver evaluates (RFC 7208 section 4.6.4).
pub const LOOKUP_LIMIT: u32 = 10;
/// Most lookups that may find nothing.
pub const VOID_LIMIT: u32 = 2;
/// Most MX names one `mx` mechanism may have.
const MX_NAMES_LIMIT: usize = 10;
/// We stop walking after this many queries, whatever the record says.
const QUERY_BUDGET: u32 = 60;

/// What walking a record found.
#[derive(Debug, Default)]
struct Walk {
    lookups: u32,
    void_lookups: u32,
    queries: u32,
    /// Names visited, in order (for the facts).
    visited: Vec<String>,
    /// Loops, as "a -> b -> a".
    loops: Vec<String>,
    /// Why a receiver would give a permanent error.
    errors: Vec<String>,
    /// Things to know that are not errors.
    notes: Vec<String>,
}

/// The SPF record(s) at `name`: the TXT strings that start with `v=spf1`.
async fn records(dns: &Dns, name: &str) -> Result<(Vec<String>, bool), DnsError> {
    let (texts, answer) = dns.txt(name).await?;
    let spf = texts.into_iter().filter(|t| is_spf(t)).collect::<Vec<_>>();
    let void = !answer.exists || spf.is_empty();
    Ok((spf, void))
}

fn is_spf(text: &str) -> bool {
    let t = text.trim_start();
    t.len() >= 6
        && t[..6].eq_ignore_ascii_case("v=spf1")
        && t[6..].chars().next().is_none_or(|c| c == ' ')
}

/// The name a macro-string names, when it names one without the sender.
fn literal(m: &Macro, current: &str) -> Option<String> {
    match m {
        Macro::None => Some(current.to_string()),
        Macro::Literal(bytes) => Some(
            String::from_utf8_lossy(bytes)
                .trim_end_matches('.')
                .to_ascii_lowercase(),
        ),
        _ => None,
    }
}

type WalkFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Walks `spf`, found at `current`; `path` holds the names that led here.
fn walk<'a>(
    dns: &'a Dns,
    spf: Spf,
    current: String,
    path: Vec<String>,
    out: &'a mut Walk,
) -> WalkFuture<'a> {
    Box::pin(async move {
        let mut path = path;
        path.push(current.clone());
        out.visited.push(current.clone());
        let has_all = spf.directives.iter().any(|d| d.mechanism == Mechanism::All);
        for directive in spf.directives.iter() {
            match &directive.mechanism {
                Mechanism::Include { macro_string } => {
                    out.lookups += 1;
                    follow(dns, macro_string, &current, &path, "include", out).await;
                }
                Mechanism::A { macro_string, .. } => {
                    out.lookups += 1;
                    if let Some(name) = literal(macro_string, &current) {
                        count_void(dns, &name, RecordType::A, out).await;
                    }
                }
                Mechanism::Mx { macro_string, .. } => {
                    out.lookups += 1;
                    if let Some(name) = literal(macro_string, &current) {
                        if let Some(n) = count_void(dns, &name, RecordType::MX, out).await {
                            if n > MX_NAMES_LIMIT {
                                out.errors.push(format!(
                                    "mx:{name} has {n} MX names (at most {MX_NAMES_LIMIT})"
                                ));
                            }
                        }
                    }
                }
                Mechanism::Ptr { .. } => {
                    out.lookups += 1;
                    out.notes.push(format!(
                        "{current}: ptr (RFC 7208: do not use; slow and unreliable)"
                    ));
                }
                Mechanism::Exists { .. } => out.lookups += 1,
                Mechanism::All | Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. } => {}
            }
        }
        // redirect= counts only where no `all` ends the record.
        if let (Some(redirect), false) = (&spf.redirect, has_all) {
            out.lookups += 1;
            follow(dns, redirect, &current, &path, "redirect", out).await;
        }
    })
}

/// Fetches and walks the record an `include` or `redirect` names.
async fn follow(
    dns: &Dns,
    target: &Macro,
    current: &str,
    path: &[String],
    term: &str,
    out: &mut Walk,
) {
    let Some(name) = literal(target, current) else {
        out.notes
            .push(format!("{current}: {term} with a macro, not followed"));
        return;
    };
    if path.contains(&name) {
        out.loops.push(format!("{} -> {name}", path.join(" -> ")));
        return;
    }
    if out.queries >= QUERY_BUDGET {
        out.notes
            .push(format!("stopped after {QUERY_BUDGET} queries"));
        return;
    }
    out.queries += 1;
    match records(dns, &name).await {
        Err(e) => out.errors.push(format!("{term}:{name}: {e}")),
        Ok((found, void)) => {
            if void {
                out.void_lookups += 1;
            }
            match found.as_slice() {
                [] => out.errors.push(format!("{term}:{name} has no SPF record")),
                [one] => match Spf::parse(one.as_bytes()) {
                    Ok(spf) => walk(dns, spf, name, path.to_vec(), out).await,
                    Err(_) => out
                        .errors
                        .push(format!("{term}:{name}: the record is not valid SPF")),
                },
                _ => out
                    .errors
                    .push(format!("{term}:{name} has {} SPF records", found.len())),
            }
        }
    }
}

/// Looks `name` up for an `a` or `mx` term; a void answer counts. Returns
/// the number of records found.
async fn count_void(dns: &Dns, name: &str, rtype: RecordType, out: &mut Walk) -> Option<usize> {
    if out.queries >= QUERY_BUDGET {
        return None;
    }
    out.queries += 1;
    match dns.query(name, rtype).await {
        Ok(answer) => {
            let n = answer
                .records
                .iter()
                .filter(|r| matches!(r, RData::A(_) | RData::AAAA(_) | RData::MX(_)))
                .count();
            if n == 0 {
                out.void_lookups += 1;
            }
            Some(n)
        }
        Err(e) => {
            out.errors.push(e.to_string());
            None
        }
    }
}

/// The qualifier of the record's `all`, following `redirect` where the
/// record has none.
async fn effective_all(dns: &Dns, spf: &Spf, domain: &str) -> (Option<Qualifier>, Option<String>) {
    let mut spf = spf.clone();
    let mut current = domain.to_string();
    let mut via = None;
    for _ in 0..10 {
        if let Some(d) = spf
            .directives
            .iter()
            .find(|d| d.mechanism == Mechanism::All)
        {
            return (Some(d.qualifier.clone()), via);
        }
        let Some(target) = spf.redirect.as_ref().and_then(|r| literal(r, &current)) else {
            return (None, via);
        };
        let Ok((found, _)) = records(dns, &target).await else {
            return (None, via);
        };
        let Some(next) = found.first().and_then(|r| Spf::parse(r.as_bytes()).ok()) else {
            return (None, via);
        };
        via = Some(target.clone());
        spf = next;
        current = target;
    }
    (None, via)
}

fn qualifier(q: &Option<Qualifier>) -> &'static str {
    match q {
        Some(Qualifier::Fail) => "-all",
        Some(Qualifier::SoftFail) => "~all",
        Some(Qualifier::Neutral) => "?all",
        Some(Qualifier::Pass) => "+all",
        None => "(geen all / no all)",
    }
}

/// The checks `spf` and `spf_policy` for `domain`.
pub async fn check(dns: &Dns, domain: &str) -> Vec<Check> {
    let found = match records(dns, domain).await {
        Err(e) => {
            let summary = Text::new(
                format!("SPF kon niet worden opgevraagd: {e}"),
                format!("SPF could not be looked up: {e}"),
            );
            return vec![
                Check::required(CheckId::Spf, domain, Status::Error, summary.clone()),
                Check::required(CheckId::SpfPolicy, domain, Status::Error, summary),
            ];
        }
        Ok((found, _)) => found,
    };
    let no_policy = |why: Text| {
        Check::required(CheckId::SpfPolicy, domain, Status::Bad, why).advise(Text::new(
            "Publiceer één SPF-record dat eindigt op -all (of ~all met DMARC p=reject).",
            "Publish one SPF record ending in -all (or ~all with DMARC p=reject).",
        ))
    };
    let record = match found.as_slice() {
        [] => {
            let spf = Check::required(
                CheckId::Spf,
                domain,
                Status::Bad,
                Text::new("Geen SPF-record gevonden.", "No SPF record found."),
            )
            .advise(Text::new(
                format!(
                    "Publiceer een TXT-record op {domain} dat de servers noemt die namens het domein mailen, bijvoorbeeld \"v=spf1 mx -all\"; een domein dat niet mailt: \"v=spf1 -all\"."
                ),
                format!(
                    "Publish a TXT record at {domain} naming the servers that send mail for the domain, e.g. \"v=spf1 mx -all\"; a domain that sends no mail: \"v=spf1 -all\"."
                ),
            ));
            return vec![
                spf,
                no_policy(Text::new("Geen SPF-record.", "No SPF record.")),
            ];
        }
        [one] => one.clone(),
        many => {
            let mut spf = Check::required(
                CheckId::Spf,
                domain,
                Status::Bad,
                Text::new(
                    format!(
                        "{} SPF-records: ontvangers geven dan een permanente fout (permerror).",
                        many.len()
                    ),
                    format!(
                        "{} SPF records: receivers then give a permanent error (permerror).",
                        many.len()
                    ),
                ),
            )
            .advise(Text::new(
                "Voeg de records samen tot één record.",
                "Merge the records into one.",
            ));
            for r in many {
                spf = spf.fact("record", r.clone());
            }
            return vec![
                spf,
                no_policy(Text::new("Geen geldig SPF-record.", "No valid SPF record.")),
            ];
        }
    };
    let parsed = match Spf::parse(record.as_bytes()) {
        Ok(p) => p,
        Err(e) => {
            let spf = Check::required(
                CheckId::Spf,
                domain,
                Status::Bad,
                Text::new(
                    format!("Het SPF-record is ongeldig ({e})."),
                    format!("The SPF record is not valid ({e})."),
                ),
            )
            .fact("record", record.clone())
            .advise(Text::new(
                "Herstel de syntaxis van het record (RFC 7208).",
                "Fix the record's syntax (RFC 7208).",
            ));
            return vec![
                spf,
                no_policy(Text::new("Geen geldig SPF-record.", "No valid SPF record.")),
            ];
        }
    };

    let mut walked = Walk::default();
    walk(
        dns,
        parsed.clone(),
        domain.to_string(),
        Vec::new(),
        &mut walked,
    )
    .await;
    let mut errors = walked.errors.clone();
    if walked.lookups > LOOKUP_LIMIT {
        errors.push(format!(
            "{} DNS lookups (at most {LOOKUP_LIMIT})",
            walked.lookups
        ));
    }
    if walked.void_lookups > VOID_LIMIT {
        errors.push(format!(
            "{} void lookups (at most {VOID_LIMIT})",
            walked.void_lookups
        ));
    }
    for l in &walked.loops {
        errors.push(format!("loop: {l}"));
    }

    let mut spf = if errors.is_empty() {
        let status = if walked.notes.iter().any(|n| n.contains("ptr")) {
            Status::Warning
        } else {
            Status::Good
        };
        Check::required(
            CheckId::Spf,
            domain,
            status,
            Text::new(
                format!(
                    "Eén geldig SPF-record; {} van de maximaal {LOOKUP_LIMIT} DNS-lookups.",
                    walked.lookups
                ),
                format!(
                    "One valid SPF record; {} of at most {LOOKUP_LIMIT} DNS lookups.",
                    walked.lookups
                ),
            ),
        )
    } else {
        let too_many = walked.lookups > LOOKUP_LIMIT;
        Check::required(
            CheckId::Spf,
            domain,
            Status::Bad,
            Text::new(
                format!(
                    "Ontvangers kunnen het SPF-record niet evalueren (permerror): {}.",
                    errors.join("; ")
                ),
                format!(
                    "Receivers cannot evaluate the SPF record (permerror): {}.",
                    errors.join("; ")
                ),
            ),
        )
        .advise(if too_many {
            Text::new(
                "Breng het aantal DNS-lookups terug tot 10 of minder: vervang include/a/mx door ip4:/ip6:-reeksen of verwijder includes van diensten die u niet meer gebruikt.",
                "Bring the DNS lookups down to 10 or fewer: replace include/a/mx with ip4:/ip6: ranges or drop includes of services no longer in use.",
            )
        } else {
            Text::new(
                "Herstel de genoemde fouten: elk include moet naar een bestaand, geldig SPF-record wijzen, zonder lussen.",
                "Fix the errors listed: every include must name an existing, valid SPF record, without loops.",
            )
        })
    };
    spf = spf
        .fact("record", record.clone())
        .fact("lookups", format!("{}/{LOOKUP_LIMIT}", walked.lookups))
        .fact(
            "void_lookups",
            format!("{}/{VOID_LIMIT}", walked.void_lookups),
        );
    if walked.visited.len() > 1 {
        spf = spf.fact("records_walked", walked.visited[1..].join(", "));
    }
    for note in &walked.notes {
        spf = spf.fact("note", note.clone());
    }
    if walked.notes.iter().any(|n| n.contains("ptr")) && errors.is_empty() {
        spf = spf.advise(Text::new(
            "Vervang het ptr-mechanisme door ip4:/ip6:-reeksen (RFC 7208 raadt ptr af).",
            "Replace the ptr mechanism with ip4:/ip6: ranges (RFC 7208 advises against ptr).",
        ));
    }

    let (all, via) = effective_all(dns, &parsed, domain).await;
    let shown = qualifier(&all);
    let (status, summary) = match all {
        Some(Qualifier::Fail) => (
            Status::Good,
            Text::new(
                "Het record eindigt op -all: mail van andere servers faalt.",
                "The record ends in -all: mail from other servers fails.",
            ),
        ),
        Some(Qualifier::SoftFail) => (
            Status::Sufficient,
            Text::new(
                "Het record eindigt op ~all (softfail): voldoende samen met DMARC p=quarantine of p=reject.",
                "The record ends in ~all (softfail): sufficient together with DMARC p=quarantine or p=reject.",
            ),
        ),
        Some(Qualifier::Pass) => (
            Status::Bad,
            Text::new(
                "Het record eindigt op +all: iedere server op internet mag namens het domein mailen.",
                "The record ends in +all: every server on the internet may send mail for the domain.",
            ),
        ),
        Some(Qualifier::Neutral) => (
            Status::Bad,
            Text::new(
                "Het record eindigt op ?all (neutral): het zegt niets over andere servers.",
                "The record ends in ?all (neutral): it says nothing about other servers.",
            ),
        ),
        None => (
            Status::Bad,
            Text::new(
                "Het record heeft geen all: andere servers krijgen 'neutral'.",
                "The record has no all: other servers get 'neutral'.",
            ),
        ),
    };
    let mut policy =
        Check::required(CheckId::SpfPolicy, domain, status, summary).fact("all", shown);
    if let Some(via) = via {
        policy = policy.fact("via_redirect", via);
    }
    if status == Status::Bad {
        policy = policy.advise(Text::new(
            format!("Vervang {shown} door -all (of ~all met DMARC p=reject), nadat alle servers die namens het domein mailen in het record staan."),
            format!("Replace {shown} with -all (or ~all with DMARC p=reject), once every server that sends for the domain is in the record."),
        ));
    }
    vec![spf, policy]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spf_records_are_recognised_by_their_version() {
        assert!(is_spf("v=spf1 -all"));
        assert!(is_spf("V=SPF1 mx -all"));
        assert!(is_spf("v=spf1"));
        assert!(!is_spf("v=spf10 -all"));
        assert!(!is_spf("v=DMARC1; p=none"));
        assert!(!is_spf("google-site-verification=abc"));
    }
}

//! The report as text, in Dutch or English: the score, then the checks
//! by theme (authenticity, mail servers per host, policies for senders),
//! each with its status, summary, facts and advice, and what was not
//! checked.

use crate::report::{Check, CheckId, Lang, Report};
use std::fmt::Write;

fn label(key: &str, lang: Lang) -> &str {
    let (nl, en) = match key {
        "record" => ("record", "record"),
        "lookups" => ("DNS-lookups", "DNS lookups"),
        "void_lookups" => ("lege lookups", "void lookups"),
        "records_walked" => ("gevolgde records", "records followed"),
        "note" => ("let op", "note"),
        "all" => ("all", "all"),
        "via_redirect" => ("via redirect", "via redirect"),
        "location" => ("plaats", "location"),
        "p" => ("p", "p"),
        "sp" => ("sp", "sp"),
        "pct" => ("pct", "pct"),
        "adkim" => ("adkim (DKIM-uitlijning)", "adkim (DKIM alignment)"),
        "aspf" => ("aspf (SPF-uitlijning)", "aspf (SPF alignment)"),
        "rua" => ("rua", "rua"),
        "ruf" => ("ruf", "ruf"),
        "keys" => ("sleutels", "keys"),
        "selectors_tried" => ("geprobeerde selectors", "selectors tried"),
        "problem" => ("probleem", "problem"),
        "mx" => ("mx", "mx"),
        "addresses" => ("adressen", "addresses"),
        "address" => ("getest adres", "address tested"),
        "accepted" => ("geaccepteerd", "accepted"),
        "refused" => ("geweigerd", "refused"),
        "not_probed" => ("niet getest", "not probed"),
        "rustls" => ("rustls", "rustls"),
        "openssl" => ("OpenSSL", "OpenSSL"),
        "negotiated" => ("onderhandeld", "negotiated"),
        "suites_sufficient" => ("suites 'voldoende'", "'sufficient' suites"),
        "suites_phase_out" => ("suites 'uit te faseren'", "'phase out' suites"),
        "suites_insufficient" => ("suites 'onvoldoende'", "'insufficient' suites"),
        "groups" => ("groepen", "groups"),
        "dhe" => ("DHE", "DHE"),
        "secp224r1" => ("secp224r1", "secp224r1"),
        "names" => ("namen", "names"),
        "key" => ("sleutel", "key"),
        "signature" => ("handtekening", "signature"),
        "not_after" => ("geldig tot", "valid until"),
        "trust" => ("vertrouwen", "trust"),
        "tlsa" => ("TLSA", "TLSA"),
        "dnssec_ad" => ("DNSSEC (AD-bit)", "DNSSEC (AD bit)"),
        "matched" => ("past", "matches"),
        "id" => ("id", "id"),
        "mode" => ("mode", "mode"),
        "max_age" => ("max_age", "max_age"),
        _ => (key, key),
    };
    match lang {
        Lang::Nl => nl,
        Lang::En => en,
    }
}

fn write_check(out: &mut String, check: &Check, lang: Lang) {
    let status = format!("[{}]", check.status.label(lang));
    let recommended = if check.is_required() {
        ""
    } else {
        match lang {
            Lang::Nl => " (aanbevolen)",
            Lang::En => " (recommended)",
        }
    };
    let _ = writeln!(out, "  {status:<15}{}{recommended}", check.id.title(lang));
    let _ = writeln!(out, "  {:15}{}", "", check.summary.get(lang));
    for fact in &check.facts {
        let _ = writeln!(
            out,
            "  {:15}  {}: {}",
            "",
            label(fact.key, lang),
            fact.value
        );
    }
    if let Some(advice) = &check.advice {
        let word = match lang {
            Lang::Nl => "Advies",
            Lang::En => "Advice",
        };
        let _ = writeln!(out, "  {:15}{word}: {}", "", advice.get(lang));
    }
}

/// The report as text in `lang`.
pub fn render(report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    let (title, score, of, passed, resolvers) = match lang {
        Lang::Nl => (
            "Domeincontrole",
            "Score",
            "van de",
            "verplichte controles in orde",
            "Resolvers",
        ),
        Lang::En => (
            "Domain check",
            "Score",
            "of",
            "required checks passed",
            "Resolvers",
        ),
    };
    let _ = writeln!(out, "{title}: {}", report.domain);
    let _ = writeln!(
        out,
        "{score}: {}% ({} {of} {} {passed})",
        report.score, report.passed, report.required
    );
    let _ = writeln!(out, "{resolvers}: {}", report.resolvers.join(", "));

    let section = |out: &mut String, nl: &str, en: &str| {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            match lang {
                Lang::Nl => nl,
                Lang::En => en,
            }
        );
    };

    section(
        &mut out,
        "Echtheid van afzenders (SPF, DKIM, DMARC)",
        "Sender authenticity (SPF, DKIM, DMARC)",
    );
    for id in [
        CheckId::Spf,
        CheckId::SpfPolicy,
        CheckId::Dkim,
        CheckId::Dmarc,
        CheckId::DmarcPolicy,
        CheckId::DmarcReporting,
    ] {
        for check in report.checks_of(id) {
            write_check(&mut out, check, lang);
        }
    }

    section(
        &mut out,
        "Mailservers (STARTTLS, TLS volgens het NCSC, certificaat, DANE)",
        "Mail servers (STARTTLS, TLS per the NCSC, certificate, DANE)",
    );
    for check in report.checks_of(CheckId::Mx) {
        write_check(&mut out, check, lang);
    }
    let mut hosts: Vec<&str> = Vec::new();
    for check in report.checks_of(CheckId::Starttls) {
        if !hosts.contains(&check.subject.as_str()) {
            hosts.push(&check.subject);
        }
    }
    for host in hosts {
        let _ = writeln!(out, "  {host}");
        for id in [
            CheckId::Starttls,
            CheckId::TlsVersions,
            CheckId::TlsCiphers,
            CheckId::TlsKeyExchange,
            CheckId::Certificate,
            CheckId::Dane,
        ] {
            if let Some(check) = report.check(id, host) {
                write_check(&mut out, check, lang);
            }
        }
    }

    section(
        &mut out,
        "Beleid voor verzenders (MTA-STS, TLS-RPT)",
        "Policy for senders (MTA-STS, TLS-RPT)",
    );
    for id in [CheckId::MtaSts, CheckId::TlsRpt] {
        for check in report.checks_of(id) {
            write_check(&mut out, check, lang);
        }
    }

    if !report.not_checked.is_empty() {
        section(&mut out, "Niet getest", "Not checked");
        for item in &report.not_checked {
            let _ = writeln!(out, "  - {}", item.get(lang));
        }
    }
    out
}

//! TLS-RPT (RFC 8460): where senders report failed TLS connections to the
//! domain's mail servers: one TXT record `v=TLSRPTv1; rua=...` at
//! `_smtp._tls.<domain>`, parsed by mail-auth.

use crate::dns::Dns;
use crate::report::{Check, CheckId, Status, Text};
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::mta_sts::{ReportUri, TlsRpt};

/// The check `tls_rpt` for `domain`.
pub async fn check(dns: &Dns, domain: &str) -> Check {
    let name = format!("_smtp._tls.{domain}");
    let texts = match dns.txt(&name).await {
        Ok((texts, _)) => texts,
        Err(e) => {
            return Check::recommended(
                CheckId::TlsRpt,
                domain,
                Status::Error,
                Text::new(
                    format!("Het TLS-RPT-record kon niet worden opgevraagd: {e}"),
                    format!("The TLS-RPT record could not be looked up: {e}"),
                ),
            )
        }
    };
    let records: Vec<&String> = texts
        .iter()
        .filter(|t| t.starts_with("v=TLSRPTv1"))
        .collect();
    let advice = Text::new(
        format!("Publiceer een TXT-record \"v=TLSRPTv1; rua=mailto:tls-rapporten@{domain}\" op {name}, zodat u hoort wanneer verzenders geen veilige verbinding krijgen."),
        format!("Publish a TXT record \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\" at {name}, so you hear when senders cannot get a secure connection."),
    );
    let record = match records.as_slice() {
        [] => return Check::recommended(
            CheckId::TlsRpt,
            domain,
            Status::Bad,
            Text::new(
                "Geen TLS-RPT: mislukte TLS-verbindingen naar uw mailservers blijven onopgemerkt.",
                "No TLS-RPT: failed TLS connections to your mail servers go unnoticed.",
            ),
        )
        .advise(advice),
        [one] => one.to_string(),
        many => {
            return Check::recommended(
                CheckId::TlsRpt,
                domain,
                Status::Bad,
                Text::new(
                    format!("{} TLS-RPT-records: verzenders negeren ze dan.", many.len()),
                    format!("{} TLS-RPT records: senders then ignore them.", many.len()),
                ),
            )
            .advise(advice)
        }
    };
    match TlsRpt::parse(record.as_bytes()) {
        Ok(rpt) if !rpt.rua.is_empty() => {
            let mut check = Check::recommended(
                CheckId::TlsRpt,
                domain,
                Status::Good,
                Text::new(
                    "TLS-rapporten worden gevraagd.",
                    "TLS reports are asked for.",
                ),
            )
            .fact("record", record.clone());
            for uri in rpt.rua {
                check = check.fact(
                    "rua",
                    match uri {
                        ReportUri::Mail(m) => format!("mailto:{m}"),
                        ReportUri::Http(h) => h,
                    },
                );
            }
            check
        }
        _ => Check::recommended(
            CheckId::TlsRpt,
            domain,
            Status::Bad,
            Text::new(
                "Het TLS-RPT-record is ongeldig (geen bruikbare rua=).",
                "The TLS-RPT record is not valid (no usable rua=).",
            ),
        )
        .fact("record", record)
        .advise(advice),
    }
}

//! The audit trail written out for people and tools: CSV (a header row,
//! RFC 4180 quoting) or JSON lines; times in RFC 3339 UTC. Used by
//! `zegel audit export` and the staff web's export.

use crate::AuditEntry;
use chrono::{DateTime, SecondsFormat, Utc};
use std::io::Write;

/// The export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated, a header row, RFC 4180 quoting.
    Csv,
    /// JSON lines: one object per event, per line.
    Json,
}

/// A time as RFC 3339 UTC (`2026-11-22T10:00:00Z`).
pub fn rfc3339(at: i64) -> String {
    DateTime::<Utc>::from_timestamp(at, 0)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|| at.to_string())
}

/// Writes `entries` in `format`.
pub fn write_export(
    entries: &[AuditEntry],
    format: ExportFormat,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        ExportFormat::Csv => {
            writeln!(w, "seq,at,event,message_id,subject,detail")?;
            for e in entries {
                let fields = [
                    e.seq.to_string(),
                    rfc3339(e.at),
                    csv_field(e.event.as_str()),
                    csv_field(e.message_id.as_deref().unwrap_or("")),
                    csv_field(&e.subject),
                    csv_field(&e.detail),
                ];
                // RFC 4180: CRLF ends a record.
                write!(w, "{}\r\n", fields.join(","))?;
            }
        }
        ExportFormat::Json => {
            for e in entries {
                let line = serde_json::json!({
                    "seq": e.seq,
                    "at": rfc3339(e.at),
                    "event": e.event.as_str(),
                    "message_id": e.message_id,
                    "subject": e.subject,
                    "detail": e.detail,
                });
                writeln!(w, "{line}")?;
            }
        }
    }
    Ok(())
}

/// One CSV field, quoted when it must be (RFC 4180). A field a
/// spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`,
/// a tab or a CR: CSV injection, OWASP) gets a leading `'` so it shows as
/// the text it is; the audit trail holds addresses and subjects written by
/// outsiders.
fn csv_field(value: &str) -> String {
    let neutralised;
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        neutralised = format!("'{value}");
        neutralised.as_str()
    } else {
        value
    };
    let needs_quotes =
        value.contains([',', '"', '\r', '\n']) || value.starts_with(' ') || value.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field(""), "");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("zei \"ja\""), "\"zei \"\"ja\"\"\"");
        assert_eq!(csv_field("twee\nregels"), "\"twee\nregels\"");
        assert_eq!(csv_field(" rand"), "\" rand\"");
    }

    #[test]
    fn csv_cells_cannot_become_formulas() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_field("+31612345678"), "'+31612345678");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\tcmd"), "'\tcmd");
        assert_eq!(csv_field("a=b"), "a=b", "only a leading sign is a formula");
    }

    #[test]
    fn csv_quotes_what_it_must_and_json_is_one_line_each() {
        let entries = vec![AuditEntry {
            seq: 1,
            at: 0,
            event: crate::Event::Opened.into(),
            message_id: None,
            subject: "a@b.nl".into(),
            detail: "said \"hi\", twice\nthen".into(),
        }];
        let mut csv = Vec::new();
        write_export(&entries, ExportFormat::Csv, &mut csv).unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "seq,at,event,message_id,subject,detail\n1,1970-01-01T00:00:00Z,opened,,a@b.nl,\"said \"\"hi\"\", twice\nthen\"\r\n"
        );
        let mut json = Vec::new();
        write_export(&entries, ExportFormat::Json, &mut json).unwrap();
        assert_eq!(String::from_utf8(json).unwrap().lines().count(), 1);
    }
}

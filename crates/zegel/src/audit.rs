//! `zegel audit verify|export`: check the hash-chained audit log, and write
//! it out (CSV or JSON lines) for an auditor.
//!
//! The report of `verify` follows `classify`: Dutch by default, English
//! with `--lang en`; errors are English like every other CLI error. Exit
//! status: 0 intact (or exported), 1 the chain is broken, 2 the log could
//! not be read.

use crate::settings::ServeSettings;
use chrono::{DateTime, NaiveDate};
use std::io::Write;
use std::path::{Path, PathBuf};
use zegel_assess::Lang;
use zegel_store::audit_export::{rfc3339, write_export, ExportFormat};
use zegel_store::{AuditBreak, AuditEntry, AuditProblem, Store};

/// What to do with the audit log.
#[derive(clap::Subcommand)]
pub enum AuditAction {
    /// Walk the whole chain. Exit status 0 when intact (one summary line),
    /// 1 when a row was changed, deleted or moved (each problem with its
    /// seq), 2 when the log could not be read.
    Verify {
        /// Language of the report: nl (default) or en.
        #[arg(long, default_value = "nl", value_name = "nl|en")]
        lang: Lang,
    },
    /// Write the events out, oldest first: CSV (a header row, RFC 4180
    /// quoting) or JSON lines (one object per line). Columns: seq, at (RFC
    /// 3339, UTC), event, message_id, subject, detail.
    Export {
        /// Only events at or after this moment: YYYY-MM-DD (00:00 UTC) or
        /// an RFC 3339 time (2026-11-01T00:00:00+01:00).
        #[arg(long, value_name = "DATE", value_parser = parse_since)]
        since: Option<i64>,
        /// csv or json (JSON lines).
        #[arg(long, default_value = "csv", value_name = "csv|json")]
        format: Format,
        /// Write to this file (owner-only) instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// The export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated, a header row, RFC 4180 quoting.
    Csv,
    /// JSON lines: one object per event, per line.
    Json,
}

impl From<Format> for ExportFormat {
    fn from(f: Format) -> ExportFormat {
        match f {
            Format::Csv => ExportFormat::Csv,
            Format::Json => ExportFormat::Json,
        }
    }
}

/// `--since`: a date (00:00 UTC) or an RFC 3339 time, as Unix seconds.
fn parse_since(text: &str) -> Result<i64, String> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        if let Some(midnight) = date.and_hms_opt(0, 0, 0) {
            return Ok(midnight.and_utc().timestamp());
        }
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp())
        .map_err(|_| {
            format!(
                "'{text}' is not a date (2026-11-01) or an RFC 3339 time (2026-11-01T09:00:00+01:00)"
            )
        })
}

/// An audit command's outcome, as an exit status.
pub enum Outcome {
    /// 0.
    Ok,
    /// 1: the chain is broken.
    Broken,
}

/// Runs an audit command against the configured store.
pub fn run(config: Option<&Path>, action: AuditAction) -> Result<Outcome, String> {
    let settings = ServeSettings::load(config).map_err(|e| e.to_string())?;
    let runtime = crate::cli_runtime()?;
    runtime.block_on(async {
        let store = open(&settings).await?;
        match action {
            AuditAction::Verify { lang } => verify(&store, lang).await,
            AuditAction::Export { since, format, out } => {
                let entries = store
                    .audit_entries(since.unwrap_or(i64::MIN))
                    .await
                    .map_err(|e| format!("cannot read the audit log: {e}"))?;
                match out {
                    Some(path) => write_file(&path, |w| write_export(&entries, format.into(), w))?,
                    None => {
                        let stdout = std::io::stdout();
                        let mut w = std::io::BufWriter::new(stdout.lock());
                        write_export(&entries, format.into(), &mut w)
                            .and_then(|()| w.flush())
                            .map_err(|e| format!("cannot write the export: {e}"))?;
                    }
                }
                Ok(Outcome::Ok)
            }
        }
    })
}

/// Opens the existing store (for the audit log, held messages); never
/// makes a new one, and needs no key file (neither reads sealed content).
pub(crate) async fn open(s: &ServeSettings) -> Result<Store, String> {
    let file = match &s.database_url {
        None => Some(s.data_dir.join("zegel.db")),
        Some(url) => sqlite_file(url),
    };
    if let Some(file) = file {
        if !file.is_file() {
            return Err(format!(
                "no database at {} (is --config the one zegel serve uses?)",
                file.display()
            ));
        }
    }
    // The audit log is not sealed: the key-encryption key is not needed to
    // read it, so a missing key file is no reason to refuse.
    let kek = if s.key_file.exists() {
        zegel_store::Kek::load(&s.key_file).map_err(|e| e.to_string())?
    } else {
        zegel_store::Kek::generate()
    };
    s.open_store(kek)
        .await
        .map_err(|e| format!("cannot open the store: {e}"))
}

/// The file of a `sqlite:` database URL (without its `?options`).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

async fn verify(store: &Store, lang: Lang) -> Result<Outcome, String> {
    let failed = |e: zegel_store::StoreError| format!("cannot read the audit log: {e}");
    let head = store.audit_head().await.map_err(failed)?;
    let problems = store.verify_audit().await.map_err(failed)?;
    let entries = store.audit_entries(i64::MIN).await.map_err(failed)?;
    let rows = entries.len();
    let mut out = std::io::stdout().lock();
    let mut say = |line: String| {
        let _ = writeln!(out, "{line}");
    };
    if problems.is_empty() {
        // Rows past the retention were removed behind a signed checkpoint.
        let checkpoint = store.audit_checkpoint().await.map_err(failed)?;
        let first = checkpoint.as_ref().map_or(1, |c| c.seq + 1);
        let removed = checkpoint.as_ref().map_or(0, |c| c.removed);
        say(match (head, lang) {
            (None, Lang::Nl) => "auditlog intact: leeg".to_string(),
            (None, Lang::En) => "audit log intact: empty".to_string(),
            (Some(h), Lang::Nl) => format!(
                "auditlog intact: {} rijen (seq {first}–{}), laatste hash {}",
                h.rows, h.seq, h.hash
            ),
            (Some(h), Lang::En) => format!(
                "audit log intact: {} rows (seq {first}–{}), last hash {}",
                h.rows, h.seq, h.hash
            ),
        });
        if removed > 0 {
            say(match lang {
                Lang::Nl => format!(
                    "{removed} oudere rijen verwijderd na de bewaartermijn (ondertekend controlepunt)"
                ),
                Lang::En => format!(
                    "{removed} older rows removed after the retention period (signed checkpoint)"
                ),
            });
        }
        return Ok(Outcome::Ok);
    }
    for p in &problems {
        let entry = entries.iter().find(|e| e.seq == p.seq);
        say(problem_line(p, entry, lang));
    }
    say(match lang {
        Lang::Nl => format!(
            "auditlog GESCHONDEN: {} {} in {rows} rijen",
            problems.len(),
            if problems.len() == 1 {
                "probleem"
            } else {
                "problemen"
            }
        ),
        Lang::En => format!(
            "audit log BROKEN: {} {} in {rows} rows",
            problems.len(),
            if problems.len() == 1 {
                "problem"
            } else {
                "problems"
            }
        ),
    });
    Ok(Outcome::Broken)
}

/// One problem, for people: `seq 3 (opened, 2026-11-22T10:00:00Z): …`.
fn problem_line(p: &AuditProblem, entry: Option<&AuditEntry>, lang: Lang) -> String {
    let what = match (p.kind, lang) {
        (AuditBreak::Missing { expected }, Lang::Nl) if expected + 1 == p.seq => {
            format!("rij {expected} ontbreekt (verwijderd)")
        }
        (AuditBreak::Missing { expected }, Lang::Nl) => {
            format!("rijen {expected} t/m {} ontbreken (verwijderd)", p.seq - 1)
        }
        (AuditBreak::Missing { expected }, Lang::En) if expected + 1 == p.seq => {
            format!("row {expected} is missing (deleted)")
        }
        (AuditBreak::Missing { expected }, Lang::En) => {
            format!("rows {expected} to {} are missing (deleted)", p.seq - 1)
        }
        (AuditBreak::Misnumbered { expected }, Lang::Nl) => {
            format!("verkeerd nummer, verwacht seq {expected} (hernummerd)")
        }
        (AuditBreak::Misnumbered { expected }, Lang::En) => {
            format!("wrong number, expected seq {expected} (renumbered)")
        }
        (AuditBreak::Unlinked, Lang::Nl) => {
            "sluit niet aan op de rij ervoor (een eerdere rij is verwijderd, verplaatst of herschreven)".into()
        }
        (AuditBreak::Unlinked, Lang::En) => {
            "does not link to the row before it (an earlier row was deleted, moved or rewritten)".into()
        }
        (AuditBreak::Changed, Lang::Nl) => {
            "inhoud gewijzigd of rij verplaatst (de hash klopt niet)".into()
        }
        (AuditBreak::Changed, Lang::En) => {
            "content changed or row moved (its hash does not match)".into()
        }
        (AuditBreak::Unsigned, Lang::Nl) => {
            "het controlepunt van de bewaartermijn is niet met de sleutel van deze installatie ondertekend (rijen verwijderd en verborgen)".into()
        }
        (AuditBreak::Unsigned, Lang::En) => {
            "the retention checkpoint is not signed with this installation's key (rows removed and hidden)".into()
        }
        (AuditBreak::UnknownEvent, Lang::Nl) => {
            "noemt een gebeurtenis die zegel niet schrijft (door iemand anders geschreven)".into()
        }
        (AuditBreak::UnknownEvent, Lang::En) => {
            "names an event zegel does not write (written by someone else)".into()
        }
    };
    match entry {
        Some(e) => format!("seq {} ({}, {}): {what}", p.seq, e.event, rfc3339(e.at)),
        None => format!("seq {}: {what}", p.seq),
    }
}

/// Writes a file whole or not at all: a temporary file beside it (owner
/// only: the log names people), synced, then renamed.
fn write_file(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| format!("--out {}: not a file name", path.display()))?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&temp)?;
        let mut w = std::io::BufWriter::new(file);
        fill(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(format!("cannot write {}: {e}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_dates_and_times() {
        assert_eq!(parse_since("1970-01-02"), Ok(86_400));
        assert_eq!(parse_since("2026-11-22"), Ok(1_795_305_600));
        assert_eq!(parse_since("2026-11-22T01:00:00+01:00"), Ok(1_795_305_600));
        assert_eq!(parse_since("2026-11-22T00:00:00Z"), Ok(1_795_305_600));
        for bad in [
            "",
            "gisteren",
            "2026-13-01",
            "2026-02-30",
            "22-11-2026",
            "2026-11-22 10:00",
        ] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sqlite_urls() {
        assert_eq!(
            sqlite_file("sqlite:///var/lib/zegel/z.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/zegel/z.db"))
        );
        assert_eq!(sqlite_file("sqlite:z.db"), Some(PathBuf::from("z.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x"), None);
    }
}

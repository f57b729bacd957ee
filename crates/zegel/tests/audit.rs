//! `zegel audit verify|export`, the real binary: events recorded through the
//! store, the database tampered with by the sqlite3 CLI (a detail changed,
//! a row deleted, two rows swapped, a row rewritten with a fresh hash), and
//! exports parsed back (CSV by Python's csv module, JSON lines by serde).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;
use zegel_store::Event;

fn zegel() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zegel"))
}

/// A zegel.toml with its data folder, and a store to record events in.
struct Log {
    _temp: tempfile::TempDir,
    config: PathBuf,
    db: PathBuf,
}

/// The events of the tests: awkward text on purpose (commas, quotes, a
/// line break, non-ASCII, a leading `=`).
fn events() -> Vec<(
    zegel_store::Event,
    Option<&'static str>,
    &'static str,
    &'static str,
)> {
    vec![
        (
            Event::Accepted,
            Some("m1"),
            "jan@zorg.nl",
            "secure: bsn,health",
        ),
        (
            Event::Notified,
            Some("m1"),
            "p.bakker@example.com",
            "notification \"portal\" queued",
        ),
        (
            Event::CodeSent,
            Some("m1"),
            "p.bakker@example.com",
            "sms to +31*******78",
        ),
        (
            Event::Opened,
            Some("m1"),
            "p.bakker@example.com",
            "twee\nregels",
        ),
        (
            Event::Downloaded,
            Some("m1"),
            "p.bakker@example.com",
            "brief, één.pdf",
        ),
        (Event::UserSet, None, "=cmd|' /C calc'!A0@x.nl", " spaties "),
    ]
}

impl Log {
    fn new() -> Log {
        let temp = tempfile::tempdir().unwrap();
        let config = temp.path().join("zegel.toml");
        std::fs::write(&config, "[storage]\ndata_dir = \"data\"\n").unwrap();
        let db = temp.path().join("data/zegel.db");
        Log {
            _temp: temp,
            config,
            db,
        }
    }

    /// Records `events` through the store's own API.
    fn record(&self, events: &[(zegel_store::Event, Option<&str>, &str, &str)]) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let store = zegel_store::Store::open(
                self.db.parent().unwrap(),
                None,
                zegel_store::Kek::generate(),
            )
            .await
            .unwrap();
            for (event, message, subject, detail) in events {
                store
                    .audit(*event, *message, subject, detail)
                    .await
                    .unwrap();
            }
        });
    }

    fn run(&self, args: &[&str]) -> Output {
        zegel()
            .args(args)
            .arg("--config")
            .arg(&self.config)
            .output()
            .unwrap()
    }

    fn verify(&self, lang: &str) -> (i32, String) {
        let out = self.run(&["audit", "verify", "--lang", lang]);
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
        )
    }

    /// Runs SQL on the database with the sqlite3 CLI.
    fn sql(&self, sql: &str) -> String {
        // Wait for locks: the store's connection may still be closing.
        let out = Command::new("sqlite3")
            .args(["-cmd", ".timeout 10000"])
            .arg(&self.db)
            .arg(sql)
            .output()
            .expect("the sqlite3 CLI (scripts/test installs it)");
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

fn log_with_events() -> Log {
    let log = Log::new();
    log.record(&events());
    log
}

#[test]
fn an_intact_log_verifies_with_one_summary_line() {
    let log = log_with_events();
    let (code, out) = log.verify("en");
    assert_eq!(code, 0, "{out}");
    let head = log.sql("SELECT hash FROM audit WHERE seq = 6");
    assert_eq!(
        out,
        format!(
            "audit log intact: 6 rows (seq 1–6), last hash {}\n",
            head.trim()
        )
    );
    let (code, out) = log.verify("nl");
    assert_eq!(code, 0);
    assert!(
        out.starts_with("auditlog intact: 6 rijen (seq 1–6)"),
        "{out}"
    );

    // An empty log is intact too.
    let empty = Log::new();
    empty.record(&[]);
    assert_eq!(empty.verify("en"), (0, "audit log intact: empty\n".into()));
}

#[test]
fn a_changed_detail_is_named_by_its_seq() {
    let log = log_with_events();
    log.sql("UPDATE audit SET detail = 'nothing to see' WHERE seq = 3");
    let (code, out) = log.verify("en");
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("seq 3 (code_sent, 20"), "{out}");
    assert!(
        lines[0].ends_with("Z): content changed or row moved (its hash does not match)"),
        "{out}"
    );
    assert_eq!(lines[1], "audit log BROKEN: 1 problem in 6 rows");
    let (code, out) = log.verify("nl");
    assert_eq!(code, 1);
    assert!(out.contains("seq 3 (code_sent, "), "{out}");
    assert!(out.contains("inhoud gewijzigd"), "{out}");
    assert!(
        out.ends_with("auditlog GESCHONDEN: 1 probleem in 6 rijen\n"),
        "{out}"
    );
}

#[test]
fn a_deleted_row_is_found_at_the_next() {
    let log = log_with_events();
    log.sql("DELETE FROM audit WHERE seq = 2");
    let (code, out) = log.verify("en");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("seq 3 (code_sent, ") && out.contains("row 2 is missing (deleted)"),
        "{out}"
    );
    assert!(out.contains("does not link to the row before it"), "{out}");
    assert!(
        out.ends_with("audit log BROKEN: 2 problems in 5 rows\n"),
        "{out}"
    );
    assert!(!out.contains("seq 4"), "rows after it still link: {out}");

    let log = log_with_events();
    log.sql("DELETE FROM audit WHERE seq IN (2, 3, 4)");
    let (code, out) = log.verify("nl");
    assert_eq!(code, 1);
    assert!(
        out.contains("seq 5 (downloaded, ") && out.contains("rijen 2 t/m 4 ontbreken"),
        "{out}"
    );
}

#[test]
fn swapped_rows_are_both_named() {
    let log = log_with_events();
    log.sql(
        "UPDATE audit SET seq = -4 WHERE seq = 4;
         UPDATE audit SET seq = 4 WHERE seq = 5;
         UPDATE audit SET seq = 5 WHERE seq = -4;",
    );
    let (code, out) = log.verify("en");
    assert_eq!(code, 1, "{out}");
    for seq in [4, 5] {
        let named: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with(&format!("seq {seq} (")))
            .collect();
        assert!(
            named
                .iter()
                .any(|l| l.contains("content changed or row moved")),
            "{out}"
        );
        assert!(named.iter().any(|l| l.contains("does not link")), "{out}");
    }
    assert!(out.contains("seq 4 (downloaded, "), "{out}");
    assert!(out.contains("seq 5 (opened, "), "{out}");
    // The row after them links to the old row 5, now at 4.
    assert!(
        out.contains("seq 6 (user_set, ") && !out.contains("seq 3"),
        "{out}"
    );
    assert!(
        out.ends_with("audit log BROKEN: 5 problems in 6 rows\n"),
        "{out}"
    );
}

/// The chain's hash of one row (as zegel-store computes it), by Python.
fn rehash(db: &Path, seq: i64) {
    let script = r#"
import hashlib, sqlite3, sys
db, seq = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
row = c.execute("SELECT prev_hash, seq, at, event, message_id, subject, detail FROM audit WHERE seq = ?", (seq,)).fetchone()
h = hashlib.sha256()
for field in [row[0], str(row[1]), str(row[2]), row[3], row[4] or "", row[5], row[6]]:
    data = field.encode("utf-8")
    h.update(len(data).to_bytes(8, "big"))
    h.update(data)
c.execute("UPDATE audit SET hash = ? WHERE seq = ?", (h.hexdigest(), seq))
c.commit()
"#;
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(db)
        .arg(seq.to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_row_rewritten_with_a_fresh_hash_breaks_the_link_after_it() {
    let log = log_with_events();
    // The recomputation is right: untouched, the row still verifies.
    rehash(&log.db, 2);
    assert_eq!(log.verify("en").0, 0);
    log.sql("UPDATE audit SET subject = 'iemand.anders@example.com' WHERE seq = 2");
    rehash(&log.db, 2);
    let (code, out) = log.verify("en");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("seq 3 (code_sent, ") && out.contains("does not link"),
        "{out}"
    );
    assert!(!out.contains("seq 2"), "{out}");
}

#[test]
fn verify_refuses_a_missing_database_and_bad_config() {
    let log = Log::new();
    let out = log.run(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no database at"), "{err}");
    assert!(!log.db.exists(), "verify makes no database");

    std::fs::write(&log.config, "[storage]\ndata_dir = 5\n").unwrap();
    let out = log.run(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("zegel:"));
}

/// The export as Python's csv module reads it: a list of rows.
fn parse_csv(text: &[u8]) -> Vec<Vec<String>> {
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import csv, json, sys, io\n\
             print(json.dumps(list(csv.reader(io.TextIOWrapper(sys.stdin.buffer, encoding='utf-8', newline='')))))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), text).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn export(log: &Log, args: &[&str]) -> Vec<u8> {
    let mut all = vec!["audit", "export"];
    all.extend_from_slice(args);
    let out = log.run(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn export_in_both_formats_with_since() {
    let log = Log::new();
    let all = events();
    let (early, late) = all.split_at(3);
    log.record(early);
    // The later events fall in a later second than every earlier one.
    let first_at: i64 = log.sql("SELECT MAX(at) FROM audit").trim().parse().unwrap();
    while zegel_store::now() <= first_at {
        std::thread::sleep(Duration::from_millis(50));
    }
    let since = zegel_store::now();
    log.record(late);
    let since_text = chrono::DateTime::from_timestamp(since, 0)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap())
        .to_rfc3339();
    assert!(since_text.ends_with("+01:00"), "{since_text}");
    let day = chrono::DateTime::from_timestamp(first_at, 0)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string();

    let expected = |from: usize| -> Vec<Vec<String>> {
        all[from..]
            .iter()
            .enumerate()
            .map(|(i, (event, message, subject, detail))| {
                vec![
                    (from + i + 1).to_string(),
                    event.to_string(),
                    message.unwrap_or("").to_string(),
                    subject.to_string(),
                    detail.to_string(),
                ]
            })
            .collect()
    };
    let without_at = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| {
                let mut r = r.clone();
                let at = r.remove(1);
                assert!(
                    chrono::DateTime::parse_from_rfc3339(&at).is_ok() && at.ends_with('Z'),
                    "{at}"
                );
                r
            })
            .collect()
    };

    // In CSV a cell a spreadsheet would run as a formula (`=`, `+`, `-`,
    // `@` first) starts with `'`: shown as the text it is (CSV injection).
    let in_csv = |rows: Vec<Vec<String>>| -> Vec<Vec<String>> {
        rows.into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|cell| {
                        if cell.starts_with(['=', '+', '-', '@']) {
                            format!("'{cell}")
                        } else {
                            cell
                        }
                    })
                    .collect()
            })
            .collect()
    };
    // CSV, everything (no --since, and a --since date of the first day).
    for args in [&["--format", "csv"][..], &["--since", day.as_str()][..]] {
        let rows = parse_csv(&export(&log, args));
        assert_eq!(
            rows[0],
            ["seq", "at", "event", "message_id", "subject", "detail"]
        );
        assert_eq!(without_at(&rows[1..]), in_csv(expected(0)), "{args:?}");
    }
    assert!(
        String::from_utf8_lossy(&export(&log, &["--format", "csv"])).contains("'=cmd"),
        "the formula is neutralised"
    );
    // CSV since the later second (an RFC 3339 time with an offset).
    let rows = parse_csv(&export(&log, &["--since", since_text.as_str()]));
    assert_eq!(without_at(&rows[1..]), in_csv(expected(3)));
    // Nothing after the future: the header alone.
    let rows = parse_csv(&export(&log, &["--since", "2999-01-01"]));
    assert_eq!(rows.len(), 1);

    // JSON lines, to a file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audit.jsonl");
    let out = export(
        &log,
        &[
            "--format",
            "json",
            "--since",
            since_text.as_str(),
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.is_empty(), "nothing on stdout with --out");
    let text = std::fs::read_to_string(&file).unwrap();
    let objects: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objects.len(), 3, "{text}");
    for (object, want) in objects.iter().zip(expected(3)) {
        assert_eq!(object["seq"].as_i64().unwrap().to_string(), want[0]);
        assert_eq!(object["event"], want[1].as_str());
        assert_eq!(object["subject"], want[3].as_str());
        assert_eq!(object["detail"], want[4].as_str());
        let at = chrono::DateTime::parse_from_rfc3339(object["at"].as_str().unwrap()).unwrap();
        assert!(at.timestamp() >= since);
    }
    assert_eq!(objects[2]["message_id"], serde_json::Value::Null);
    assert_eq!(objects[0]["message_id"], "m1");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the export names people: owner only");
    }
    // JSON lines to stdout: every event.
    let stdout = export(&log, &["--format", "json"]);
    assert_eq!(String::from_utf8(stdout).unwrap().lines().count(), 6);

    // A bad --since is refused, with what to write instead.
    let out = log.run(&["audit", "export", "--since", "22-11-2026"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 3339"));
}

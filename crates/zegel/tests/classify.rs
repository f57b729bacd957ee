//! End-to-end tests of `zegel classify`: the real binary, real files, stdin,
//! exit codes and output formats.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BSN_MAIL: &str = "From: Piet de Vries <p.devries@zorggroephorizon.nl>\r\n\
To: Jan Jansen <j.jansen@example.nl>, collega@zorggroephorizon.nl\r\n\
Subject: =?utf-8?q?Overdracht_cli=C3=ABnt?=\r\n\
\r\n\
Beste Jan,\r\n\
\r\n\
Zoals besproken: het BSN van de client is 1234.56.782, geboren op 12-03-1956.\r\n\
\r\n\
Met vriendelijke groet,\r\n\
Piet\r\n";

const PLAIN_MAIL: &str = "From: Piet de Vries <p.devries@zorggroephorizon.nl>\r\n\
To: team@zorggroephorizon.nl\r\n\
Subject: Teamuitje\r\n\
\r\n\
Hallo allemaal,\r\n\
\r\n\
Vrijdag gaan we bowlen, om 16:00 bij de ingang.\r\n";

fn zegel(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zegel"));
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start zegel");
    if let Some(input) = stdin {
        // zegel may exit before reading its input (a broken config is
        // refused first); the pipe is then closed, which is no failure.
        let written = child.stdin.take().unwrap().write_all(input.as_bytes());
        if let Err(e) = written {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("run zegel")
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, content).unwrap();
    p.display().to_string()
}

#[test]
fn json_has_the_documented_shape_and_masks_values() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bsn.eml", BSN_MAIL);
    let out = zegel(
        &[
            "classify",
            "--json",
            "--internal-domain",
            "zorggroephorizon.nl",
            &file,
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    let v = &lines[0];
    assert_eq!(v["file"], file.as_str());
    assert_eq!(v["verdict"], "secure");
    let findings = v["findings"].as_array().unwrap();
    let bsn = findings
        .iter()
        .find(|f| f["kind"] == "bsn")
        .expect("a bsn finding");
    assert_eq!(bsn["location"], "body");
    assert!(bsn["confidence"].as_f64().unwrap() > 0.5);
    assert!(v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["kind"] == "external_recipients"));
    let reasons = v["reasons"].as_array().unwrap();
    assert!(
        reasons.iter().any(|r| r
            .as_str()
            .unwrap()
            .contains("j.jansen@example.nl is extern")),
        "{reasons:?}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("123456782") && !stdout.contains("1234.56.782"),
        "unmasked BSN in {stdout}"
    );
    assert!(
        !stdout.contains("12-03-1956"),
        "unmasked date of birth in {stdout}"
    );
}

#[test]
fn english_and_dutch_reasons() {
    let nl = zegel(
        &["classify", "--internal-domain", "zorggroephorizon.nl", "-"],
        Some(BSN_MAIL),
    );
    let en = zegel(
        &[
            "classify",
            "--lang",
            "en",
            "--internal-domain",
            "zorggroephorizon.nl",
            "-",
        ],
        Some(BSN_MAIL),
    );
    let nl = String::from_utf8_lossy(&nl.stdout);
    let en = String::from_utf8_lossy(&en.stdout);
    assert!(nl.contains("BEVEILIGD") && nl.contains("is extern"), "{nl}");
    assert!(
        en.contains("SECURELY") && en.contains("is external"),
        "{en}"
    );
}

#[test]
fn internal_only_mail_is_normal_even_when_sensitive() {
    let internal = BSN_MAIL.replace(
        "Jan Jansen <j.jansen@example.nl>",
        "jan@wijkteam.zorggroephorizon.nl",
    );
    let out = zegel(
        &[
            "classify",
            "--json",
            "--internal-domain",
            "zorggroephorizon.nl",
            "-",
        ],
        Some(&internal),
    );
    let v = &json_lines(&out)[0];
    assert_eq!(v["file"], "-");
    assert_eq!(v["verdict"], "normal");
    assert!(!v["findings"].as_array().unwrap().is_empty());
}

#[test]
fn forced_tag_makes_internal_mail_secure() {
    let tagged = PLAIN_MAIL.replace("Subject: Teamuitje", "Subject: [veilig] Teamuitje");
    let out = zegel(
        &[
            "classify",
            "--json",
            "--internal-domain",
            "zorggroephorizon.nl",
            "-",
        ],
        Some(&tagged),
    );
    assert_eq!(json_lines(&out)[0]["verdict"], "secure");
}

#[test]
fn directories_are_walked_for_eml_files_in_order() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "b/two.eml", PLAIN_MAIL);
    write(dir.path(), "a/one.EML", PLAIN_MAIL);
    write(dir.path(), "a/notes.txt", "not a mail");
    let out = zegel(
        &["classify", "--json", &dir.path().display().to_string()],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let files: Vec<String> = json_lines(&out)
        .iter()
        .map(|v| v["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(files.len(), 2);
    assert!(
        files[0].ends_with("a/one.EML") && files[1].ends_with("b/two.eml"),
        "{files:?}"
    );
}

#[test]
fn bad_inputs_are_named_and_the_rest_goes_on_with_exit_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.eml", PLAIN_MAIL);
    let empty = write(dir.path(), "empty.eml", "");
    let missing = dir.path().join("missing.eml").display().to_string();
    let out = zegel(&["classify", "--json", &empty, &missing, &good], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("empty.eml") && stderr.contains("missing.eml"),
        "{stderr}"
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["file"], good.as_str());
}

#[test]
fn a_broken_config_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(
        dir.path(),
        "zegel.toml",
        "[policy]\nsecure_kinds = [\"bsm\"]\n",
    );
    let out = zegel(&["classify", "--config", &cfg, "-"], Some(PLAIN_MAIL));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown finding kind 'bsm'"), "{stderr}");
}

#[test]
fn lookalike_and_visible_recipient_warnings() {
    let mut to = Vec::new();
    for i in 0..10 {
        to.push(format!("ouder{i}@example.com"));
    }
    let mail = PLAIN_MAIL.replace(
        "To: team@zorggroephorizon.nl",
        &format!("To: {}\r\nCc: p@zorggroep-horizon.nl", to.join(", ")),
    );
    let out = zegel(
        &[
            "classify",
            "--json",
            "--internal-domain",
            "zorggroephorizon.nl",
            "-",
        ],
        Some(&mail),
    );
    let kinds: Vec<String> = json_lines(&out)[0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap().to_string())
        .collect();
    assert!(kinds.contains(&"lookalike_domain".to_string()), "{kinds:?}");
    assert!(
        kinds.contains(&"visible_external_recipients".to_string()),
        "{kinds:?}"
    );
}

#[test]
fn the_shipped_examples_get_their_verdicts() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let cfg = dir.join("zegel.toml").display().to_string();
    let out = zegel(
        &[
            "classify",
            "--json",
            "--config",
            &cfg,
            &dir.display().to_string(),
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<(String, String)> = json_lines(&out)
        .iter()
        .map(|v| {
            let file = v["file"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string();
            (file, v["verdict"].as_str().unwrap().to_string())
        })
        .collect();
    let expected = [
        ("01-bsn-naar-extern.eml", "secure"),
        ("02-teamuitje-intern.eml", "normal"),
        ("03-wachtwoord-leverancier.eml", "secure"),
        ("04-wachtwoord-gewijzigd.eml", "normal"),
        ("05-doorgestuurd-gezondheid.eml", "secure"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(f, v)| (f.to_string(), v.to_string()))
        .collect();
    assert_eq!(got, expected);
}

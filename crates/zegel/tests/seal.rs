//! `zegel seal`, the real binary: the archive it writes opened with the
//! real 7-Zip (`7zz` or `7z`; the test fails when it is missing) using the
//! printed password, or the password from the SMS outbox; and its errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn zegel() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zegel"))
}

fn seven_zip() -> &'static str {
    for candidate in ["7zz", "7z"] {
        if Command::new(candidate).arg("i").output().is_ok() {
            return candidate;
        }
    }
    panic!("7-Zip is missing: install Debian's package 7zip (scripts/test does)");
}

/// `7z x -p<pw> -o<out> <archive>`.
fn extract(archive: &Path, password: &str, out: &Path) -> Output {
    Command::new(seven_zip())
        .args([
            "x".to_string(),
            "-y".to_string(),
            format!("-p{password}"),
            format!("-o{}", out.display()),
            archive.display().to_string(),
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Three input files in a fresh folder: text, empty, binary with a
/// non-ASCII name.
fn inputs(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let files = vec![
        (
            dir.join("dossier.txt"),
            b"BSN 123456782 mevrouw Jansen\n".to_vec(),
        ),
        (dir.join("leeg.txt"), Vec::new()),
        (
            dir.join("uitslag-é.bin"),
            (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect(),
        ),
    ];
    for (path, data) in &files {
        std::fs::write(path, data).unwrap();
    }
    files
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_extracts(archive: &Path, password: &str, files: &[(PathBuf, Vec<u8>)]) {
    let out = archive.with_extension("uit");
    let result = extract(archive, password, &out);
    assert!(result.status.success(), "{}", text(&result.stdout));
    for (path, data) in files {
        let got = std::fs::read(out.join(path.file_name().unwrap())).unwrap();
        assert!(&got == data, "{} byte for byte", path.display());
    }
    let wrong = archive.with_extension("fout");
    assert!(!extract(archive, "verkeerd-wachtwoord", &wrong)
        .status
        .success());
}

#[test]
fn seal_prints_the_password_and_7zip_opens_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    for format in ["7z", "zip"] {
        let archive = dir.path().join(format!("pakket.{format}"));
        let mut cmd = zegel();
        cmd.args(["seal", "--format", format, "-o"]).arg(&archive);
        for (path, _) in &files {
            cmd.arg(path);
        }
        let result = cmd.output().unwrap();
        assert!(result.status.success(), "{}", text(&result.stderr));
        let password = text(&result.stdout).trim().to_string();
        assert_eq!(password.len(), 29, "six groups of four: {password}");
        assert!(!text(&result.stderr).contains(&password));
        assert_extracts(&archive, &password, &files);
    }
}

#[test]
fn seal_with_sms_puts_the_password_in_the_outbox_only() {
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let config = dir.path().join("zegel.toml");
    std::fs::write(&config, "[storage]\ndata_dir = \"data\"\n").unwrap();
    let archive = dir.path().join("pakket.7z");
    let mut cmd = zegel();
    cmd.args(["seal", "--sms", "06-12345678", "--config"])
        .arg(&config)
        .arg("-o")
        .arg(&archive);
    for (path, _) in &files {
        cmd.arg(path);
    }
    let result = cmd.output().unwrap();
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(
        result.stdout.is_empty(),
        "nothing printed: {}",
        text(&result.stdout)
    );
    let outbox = dir.path().join("data/sms-outbox");
    let sms: Vec<_> = std::fs::read_dir(&outbox).unwrap().collect();
    assert_eq!(sms.len(), 1);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sms[0].as_ref().unwrap().path()).unwrap()).unwrap();
    assert_eq!(json["to"], "+31612345678");
    let sms_text = json["text"].as_str().unwrap();
    let password = sms_text
        .split_whitespace()
        .find(|w| w.len() == 29 && w.matches('-').count() == 5)
        .expect("the password in the SMS");
    assert!(!text(&result.stderr).contains(password));
    assert_extracts(&archive, password, &files);
}

#[test]
fn seal_refuses_bad_input_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let existing = dir.path().join("bestaat.7z");
    std::fs::write(&existing, b"oud").unwrap();
    let run = |args: &[&str]| {
        let result = zegel()
            .current_dir(dir.path())
            .args(["seal"])
            .args(args)
            .output()
            .unwrap();
        (result.status.code(), text(&result.stderr), result.stdout)
    };
    let first = files[0].0.to_str().unwrap();

    let (code, err, out) = run(&["-o", "x.7z", "ontbreekt.pdf"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("ontbreekt.pdf") && err.contains("not a file"),
        "{err}"
    );
    assert!(out.is_empty() && !dir.path().join("x.7z").exists());

    let (code, err, _) = run(&["-o", "bestaat.7z", first]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(&existing).unwrap(), b"oud");

    let (code, err, _) = run(&["--sms", "12ab", "-o", "y.7z", first]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not a phone number"), "{err}");
    assert!(!dir.path().join("y.7z").exists());

    let (code, _, _) = run(&["--format", "rar", "-o", "z.7z", first]);
    assert_eq!(code, Some(2));

    let (code, err, out) = run(&["--force", "-o", "bestaat.7z", first]);
    assert_eq!(code, Some(0), "{err}");
    let password = text(&out).trim().to_string();
    assert_extracts(&existing, &password, &files[..1]);
}

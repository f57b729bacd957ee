//! Every kind of archive zegel-archive makes, opened with the real 7-Zip
//! (Debian's `7zip`: `7zz`, or `7z`), as a recipient would. These tests
//! fail, never skip, when 7-Zip is missing: `scripts/test` installs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use zegel_archive::{pack, Entry, Format, PackOptions, Password};

/// The 7-Zip program on this machine: `7zz` or `7z`.
fn seven_zip() -> &'static str {
    for candidate in ["7zz", "7z"] {
        if Command::new(candidate).arg("i").output().is_ok() {
            return candidate;
        }
    }
    panic!("7-Zip is missing: install Debian's package 7zip (scripts/test does)");
}

/// Runs 7-Zip with `args`; stdin closed so a missing password never waits.
fn run_7z(args: &[&str]) -> Output {
    Command::new(seven_zip())
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("7-Zip runs")
}

/// The files every test packs: several, one empty, a non-ASCII name and a
/// larger binary file (1.5 MiB of pseudo-random bytes, so LZMA2 cannot
/// shrink it and more than one block of data goes through AES).
fn files() -> Vec<(String, Vec<u8>)> {
    let mut binary = Vec::with_capacity(1536 * 1024);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while binary.len() < 1536 * 1024 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        binary.extend_from_slice(&x.to_le_bytes());
    }
    vec![
        (
            "dossier-jansen.txt".to_string(),
            b"BSN 123456782, mevrouw Jansen, diagnose: vertrouwelijk\n".to_vec(),
        ),
        ("leeg.txt".to_string(), Vec::new()),
        (
            "Verslag – Ëlla Çağ.txt".to_string(),
            "Geachte mevrouw Çağ, uw uitslag: ‘goed’.\n"
                .as_bytes()
                .to_vec(),
        ),
        ("scan-röntgenfoto.bin".to_string(), binary),
    ]
}

fn packed(format: Format, password: &Password) -> zegel_archive::Packed {
    let files = files();
    let entries: Vec<Entry<'_>> = files
        .iter()
        .map(|(name, data)| Entry::new(name, data))
        .collect();
    let options = PackOptions {
        format,
        ..PackOptions::default()
    };
    pack(&entries, password, &options).expect("packs")
}

/// Writes the archive into a fresh folder and returns the folder and path.
fn write_archive(bytes: &[u8], format: Format) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("bijlagen.{}", format.extension()));
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// `7z x -p<pw> -o<out>`; the output folder and 7-Zip's answer.
fn extract(archive: &Path, password: &str, out: &Path) -> Output {
    run_7z(&[
        "x",
        "-y",
        &format!("-p{password}"),
        &format!("-o{}", out.display()),
        &archive.display().to_string(),
    ])
}

fn opens_with_7zip(format: Format) {
    let password = Password::generate().unwrap();
    let archive = packed(format, &password);
    let (dir, path) = write_archive(&archive.bytes, format);
    let out = dir.path().join("uit");
    let result = extract(&path, password.as_str(), &out);
    assert!(
        result.status.success(),
        "7-Zip opens the {format} archive: {}",
        String::from_utf8_lossy(&result.stdout)
    );
    let mut found: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    found.sort();
    let mut expected: Vec<String> = files().into_iter().map(|(n, _)| n).collect();
    expected.sort();
    assert_eq!(found, expected, "exactly the packed files, names intact");
    for (name, data) in files() {
        let got = std::fs::read(out.join(&name)).unwrap();
        assert!(got == data, "{name}: same bytes after 7-Zip extracts it");
    }
}

fn wrong_password_fails(format: Format) {
    let password = Password::generate().unwrap();
    let archive = packed(format, &password);
    let (dir, path) = write_archive(&archive.bytes, format);
    let wrong = Password::generate().unwrap();
    let out = dir.path().join("uit");
    let result = extract(&path, wrong.as_str(), &out);
    assert!(
        !result.status.success(),
        "7-Zip must refuse the {format} archive with a wrong password"
    );
    // Nothing readable came out: no file holds the original contents.
    for (name, data) in files().into_iter().filter(|(_, d)| !d.is_empty()) {
        if let Ok(got) = std::fs::read(out.join(&name)) {
            assert!(
                got != data,
                "{name} must not come out with a wrong password"
            );
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// `needle` as UTF-8 and as UTF-16LE (how 7z stores names).
fn variants(needle: &str) -> [Vec<u8>; 2] {
    [
        needle.as_bytes().to_vec(),
        needle
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect(),
    ]
}

#[test]
fn seven_z_opens_with_7zip_byte_for_byte() {
    opens_with_7zip(Format::SevenZ);
}

#[test]
fn zip_opens_with_7zip_byte_for_byte() {
    opens_with_7zip(Format::Zip);
}

#[test]
fn seven_z_wrong_password_fails_in_7zip() {
    wrong_password_fails(Format::SevenZ);
}

#[test]
fn zip_wrong_password_fails_in_7zip() {
    wrong_password_fails(Format::Zip);
}

#[test]
fn seven_z_listing_without_password_reveals_no_names() {
    let password = Password::generate().unwrap();
    let archive = packed(Format::SevenZ, &password);
    let (_dir, path) = write_archive(&archive.bytes, Format::SevenZ);
    // An empty -p so 7-Zip does not ask; the header is encrypted, so the
    // listing fails and shows no entry.
    let result = run_7z(&["l", "-p", &path.display().to_string()]);
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(
        !result.status.success(),
        "listing without the password must fail: {shown}"
    );
    for (name, _) in files() {
        let stem = name.split('.').next().unwrap();
        assert!(!shown.contains(stem), "7z l shows {name}: {shown}");
    }
    // With the password 7-Zip lists every name.
    let listed = run_7z(&[
        "l",
        &format!("-p{}", password.as_str()),
        &path.display().to_string(),
    ]);
    assert!(listed.status.success());
    let listing = String::from_utf8_lossy(&listed.stdout);
    for (name, _) in files() {
        assert!(listing.contains(&name), "{name} listed with the password");
    }
}

#[test]
fn seven_z_bytes_hold_neither_names_nor_contents() {
    let password = Password::generate().unwrap();
    let archive = packed(Format::SevenZ, &password);
    for (name, data) in files() {
        let stem = name.rsplit_once('.').unwrap().0;
        for needle in variants(stem) {
            assert!(!contains(&archive.bytes, &needle), "name {name} readable");
        }
        let probe = &data[..data.len().min(32)];
        assert!(
            !contains(&archive.bytes, probe),
            "contents of {name} readable"
        );
    }
    for needle in ["123456782", "Jansen", "vertrouwelijk"] {
        for v in variants(needle) {
            assert!(!contains(&archive.bytes, &v), "{needle} readable");
        }
    }
    assert!(!contains(&archive.bytes, password.as_str().as_bytes()));
}

#[test]
fn zip_bytes_hold_no_contents_names_are_documented_visible() {
    let password = Password::generate().unwrap();
    let archive = packed(Format::Zip, &password);
    for (name, data) in files() {
        let probe = &data[..data.len().min(32)];
        assert!(
            !contains(&archive.bytes, probe),
            "contents of {name} readable"
        );
    }
    for needle in ["123456782", "Jansen", "vertrouwelijk", "uitslag"] {
        assert!(
            !contains(&archive.bytes, needle.as_bytes()),
            "{needle} readable"
        );
    }
    assert!(!contains(&archive.bytes, password.as_str().as_bytes()));
    // ZIP cannot encrypt its directory (see the crate docs): the names show.
    assert!(!Format::Zip.hides_names());
    assert!(contains(&archive.bytes, b"dossier-jansen.txt"));
}

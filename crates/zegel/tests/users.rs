//! `zegel user add|disable|list` with roles, the real binary: an admin and
//! a sender added, an unknown role refused, the list shows role and state.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn zegel() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zegel"))
}

/// Runs `zegel user --config CONFIG ARGS`, with the password on stdin.
fn user(config: &Path, args: &[&str], password: &str) -> Output {
    let mut child = zegel()
        .args(["user", "--config"])
        .arg(config)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn roles_are_added_and_listed() {
    let temp = tempfile::tempdir().unwrap();
    let out = zegel()
        .args(["init", "--domain", "zorg.nl", "--dir"])
        .arg(temp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = temp.path().join("zegel.toml");

    let out = user(
        &config,
        &["add", "fg@zorg.nl", "--role", "admin"],
        "een-lang-wachtwoord",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("role admin"));
    let out = user(&config, &["add", "Jan@zorg.nl"], "een-lang-wachtwoord");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("role sender"));
    // A role that does not exist is refused before anything is stored.
    let out = user(
        &config,
        &["add", "root@zorg.nl", "--role", "root"],
        "een-lang-wachtwoord",
    );
    assert!(!out.status.success());
    let out = user(&config, &["disable", "jan@zorg.nl"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = user(&config, &["list"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "fg@zorg.nl admin\njan@zorg.nl sender (disabled)\n"
    );
}

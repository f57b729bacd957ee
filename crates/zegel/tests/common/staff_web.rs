//! The staff web in end-to-end tests (staff.rs, browser.rs,
//! check_domain.rs): accounts through the real `zegel user`, TOTP codes as
//! an authenticator app makes them, and signing in.

use super::visitor::{Page, Visitor};
use super::{zegel, Zegel};
use reqwest::StatusCode;
use std::io::Write;
use std::process::{Output, Stdio};

pub const PASSWORD: &str = "een-lang-wachtwoord";

/// Runs `zegel user --config … ARGS` with `stdin` as input.
pub fn user(z: &Zegel, args: &[&str], stdin: &str) -> Output {
    let mut child = zegel()
        .args(["user", "--config"])
        .arg(z.dir.join("zegel.toml"))
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
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "zegel user {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn add(z: &Zegel, email: &str, role: &str) {
    user(z, &["add", email, "--role", role], &format!("{PASSWORD}\n"));
}

/// Enrols TOTP through the CLI; the secret's bytes, read from its output.
pub fn enroll(z: &Zegel, email: &str) -> Vec<u8> {
    let out = String::from_utf8(user(z, &["totp", email], "").stdout).unwrap();
    assert!(out.contains("otpauth://totp/"), "{out}");
    let base32 = out
        .lines()
        .find_map(|l| l.strip_prefix("secret: "))
        .expect("the secret is printed");
    totp_rs::Secret::Encoded(base32.to_string())
        .to_bytes()
        .unwrap()
}

pub fn code(secret: &[u8], offset_steps: i64) -> String {
    let now = zegel_store::now() + offset_steps * 30;
    zegel_portal::staff::totp::code_at(secret, now as u64).unwrap()
}

/// Signs in with a password; the answer to the password form.
pub async fn password(v: &mut Visitor, email: &str, password: &str) -> Page {
    let form = v.get("/app/login").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = form.csrf();
    v.post(
        "/app/login",
        &[("csrf", &csrf), ("email", email), ("password", password)],
    )
    .await
}

/// Signs the administrator in with password and TOTP.
pub async fn admin(v: &mut Visitor, email: &str, secret: &[u8]) {
    let r = password(v, email, PASSWORD).await;
    assert_eq!(r.location, "/app/login/code", "{}", r.body);
    let csrf = v.get("/app/login/code").await.csrf();
    let r = v
        .post(
            "/app/login/code",
            &[("csrf", &csrf), ("code", &code(secret, 0))],
        )
        .await;
    assert_eq!(r.location, "/app", "{}", r.body);
}

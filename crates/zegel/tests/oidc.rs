//! End-to-end tests of the staff web's OpenID Connect sign-in: a real
//! provider (panva's oidc-provider, run by `tests/browser/oidc_provider.mjs`
//! on 127.0.0.2), a real `zegel serve` configured for it, and a plain HTTP
//! client that goes through the provider's own login form, keeping the
//! cookies of both by hand.
//!
//! Before the provider runs, its button leads to a page that says it cannot
//! be reached. Then: a sender signs in (the address from the ID token) and
//! reaches sent items with a new session id; another sender's address comes
//! only from the userinfo answer; an address without an account, a disabled
//! account and an address the provider calls unverified are refused with
//! the page that says why; a changed state, an answer used twice, an answer
//! without the flow cookie and a sign-in cancelled at the provider are
//! refused; the administrator lands on zegel's TOTP step, not signed in,
//! and reaches administration after the right code. The audit trail holds
//! each success and failure. With `refuse_unknown = false`, an unknown
//! address of an internal domain gets a sender account at its first
//! sign-in, an outside address does not, and a disabled account stays
//! disabled.

mod common;

use common::oidc_provider::{staff_oidc_section, OidcProvider};
use common::staff_web::*;
use common::visitor::{client, Page, Visitor};
use common::*;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, StatusCode};
use zegel_testkit::{free_port, Sink};

const HOST: &str = "127.0.0.2";

/// The provider side of a browser: its own cookies, redirects by hand.
struct AtProvider {
    http: Client,
    cookies: Vec<(String, String)>,
}

impl AtProvider {
    fn new() -> AtProvider {
        AtProvider {
            http: client(),
            cookies: Vec::new(),
        }
    }

    fn keep(&mut self, r: &reqwest::Response) {
        for c in r.headers().get_all(SET_COOKIE) {
            let c = c.to_str().unwrap();
            let (k, v) = c.split(';').next().unwrap().split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// GETs `url`, following the provider's redirects; the answer that is
    /// not a redirect within the provider, or the first URL outside it.
    async fn follow(&mut self, issuer: &str, mut url: String) -> Result<String, String> {
        for _ in 0..10 {
            if !url.starts_with(issuer) {
                return Ok(url);
            }
            let r = self
                .http
                .get(&url)
                .header(COOKIE, self.cookie_header())
                .send()
                .await
                .unwrap();
            self.keep(&r);
            if r.status().is_redirection() {
                let to = r.headers()[LOCATION].to_str().unwrap().to_string();
                url = if to.starts_with('/') {
                    format!("{issuer}{to}")
                } else {
                    to
                };
            } else {
                let status = r.status();
                let body = r.text().await.unwrap();
                assert_eq!(status, StatusCode::OK, "{body}");
                return Err(body);
            }
        }
        panic!("too many redirects at the provider");
    }

    /// Signs in as `login` on the provider's form (or cancels there when
    /// `login` is None); the URL it sends the browser back to.
    async fn sign_in(&mut self, issuer: &str, auth_url: &str, login: Option<&str>) -> String {
        let form = self
            .follow(issuer, auth_url.to_string())
            .await
            .expect_err("the provider's login form");
        let action = form
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a form on the provider's page")
            .replace("&#x2F;", "/")
            .replace("&amp;", "&");
        let action = if action.starts_with('/') {
            format!("{issuer}{action}")
        } else {
            action
        };
        let Some(login) = login else {
            // oidc-provider's development pages: abort beside submit.
            let abort = action.trim_end_matches("/login").to_string() + "/abort";
            return self.follow(issuer, abort).await.unwrap();
        };
        let r = self
            .http
            .post(&action)
            .header(COOKIE, self.cookie_header())
            .form(&[
                ("prompt", "login"),
                ("login", login),
                ("password", "wat-dan-ook"),
            ])
            .send()
            .await
            .unwrap();
        self.keep(&r);
        assert!(r.status().is_redirection(), "{}", r.status());
        let to = r.headers()[LOCATION].to_str().unwrap().to_string();
        let to = if to.starts_with('/') {
            format!("{issuer}{to}")
        } else {
            to
        };
        self.follow(issuer, to).await.unwrap()
    }
}

fn cookie_value(v: &Visitor, name: &str) -> String {
    v.cookies
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// From the sign-in page to the provider: the authorization URL, after
/// checking the button and the flow cookie.
async fn start(v: &mut Visitor) -> String {
    let page = v.get("/app/login").await;
    assert!(
        page.body.contains("href=\"/app/login/oidc\"") && page.body.contains("Zorg-ID"),
        "{}",
        page.body
    );
    let r = v.get("/app/login/oidc").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let flow = r
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .find(|c| c.starts_with("zegel_oidc="))
        .expect("the flow cookie");
    for part in [
        "Path=/app/login/oidc",
        "HttpOnly",
        "SameSite=Lax",
        "Secure",
        "Max-Age=600",
    ] {
        assert!(flow.contains(part), "{flow}");
    }
    for part in [
        "response_type=code",
        "client_id=zegel",
        "code_challenge_method=S256",
        "code_challenge=",
        "state=",
        "nonce=",
        "scope=openid+email",
    ] {
        assert!(r.location.contains(part), "{part}: {}", r.location);
    }
    r.location
}

/// The whole way for `login`: zegel's answer to the provider's redirect.
async fn sign_in(v: &mut Visitor, issuer: &str, login: Option<&str>) -> Page {
    let auth = start(v).await;
    let back = AtProvider::new().sign_in(issuer, &auth, login).await;
    assert!(back.starts_with(&v.base), "{back}");
    v.get(&back).await
}

/// The next step the page after the provider leads to, by itself and by
/// its link.
fn next_step(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let refresh = page
        .body
        .split("http-equiv=\"refresh\" content=\"0; url=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a meta refresh")
        .to_string();
    assert!(
        page.body
            .contains(&format!("id=\"continue\" href=\"{refresh}\"")),
        "{}",
        page.body
    );
    refresh
}

fn audit_trail(z: &Zegel) -> Vec<serde_json::Value> {
    let out = zegel()
        .args(["audit", "export", "--format", "json", "--config"])
        .arg(z.dir.join("zegel.toml"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn has_event(trail: &[serde_json::Value], event: &str, subject: &str, detail: &str) -> bool {
    trail.iter().any(|e| {
        e["event"] == event
            && e["subject"] == subject
            && e["detail"].as_str().is_some_and(|d| d.contains(detail))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_sign_in_through_a_real_openid_connect_provider() {
    common::oidc_provider::prerequisites();
    let sink = Sink::start();
    let provider_port = free_port();
    let issuer = format!("http://{HOST}:{provider_port}");
    let section = staff_oidc_section(&issuer, "Zorg-ID");
    let z = Zegel::start(&sink, &[("[staff_oidc]", &section)]);
    add(&z, "jan@zorg.nl", "sender");
    add(&z, "piet@zorg.nl", "sender");
    add(&z, "oud@zorg.nl", "sender");
    user(&z, &["disable", "oud@zorg.nl"], "");
    add(&z, "fg@zorg.nl", "admin");
    let secret = enroll(&z, "fg@zorg.nl");

    // The provider does not run yet: its button says so, readably.
    let mut early = Visitor::new(z.http_port);
    early.get("/app/login").await;
    let r = early.get("/app/login/oidc").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert!(r.body.contains("niet bereikbaar"), "{}", r.body);
    assert!(r.body.contains("href=\"/app/login\""), "{}", r.body);

    let callback = format!("http://127.0.0.1:{}/app/login/oidc/callback", z.http_port);
    let provider = OidcProvider::start(HOST, provider_port, &callback);
    assert_eq!(provider.issuer, issuer);

    // A sender: signed in, a new session id, sent items.
    let mut jan = Visitor::new(z.http_port);
    jan.get("/app/login").await;
    let anonymous = cookie_value(&jan, "zegel_staff");
    let done = sign_in(&mut jan, &issuer, Some("jan")).await;
    assert_eq!(next_step(&done), "/app");
    assert!(
        done.body.contains("Aangemeld bij uw organisatie"),
        "{}",
        done.body
    );
    let session = cookie_value(&jan, "zegel_staff");
    assert!(
        !session.is_empty() && session != anonymous,
        "a new session id"
    );
    assert!(
        cookie_value(&jan, "zegel_oidc").is_empty(),
        "the flow cookie is removed"
    );
    let sent = jan.get("/app").await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("jan@zorg.nl"), "{}", sent.body);
    // The session of the sign-in page is over: with its cookie the page
    // starts a new one.
    let mut old = Visitor::new(z.http_port);
    old.cookies.push(("zegel_staff".into(), anonymous.clone()));
    let r = old.get("/app/login").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_ne!(cookie_value(&old, "zegel_staff"), anonymous);
    // A sender is still refused administration.
    let r = jan.get("/app/admin/users").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // An address only in the userinfo answer.
    let mut piet = Visitor::new(z.http_port);
    let done = sign_in(&mut piet, &issuer, Some("piet")).await;
    assert_eq!(next_step(&done), "/app");
    let sent = piet.get("/app").await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("piet@zorg.nl"), "{}", sent.body);

    // Refused with the page that says why, and not signed in.
    for (login, status, says) in [
        ("onbekend", StatusCode::FORBIDDEN, "geen actief account"),
        ("oud", StatusCode::FORBIDDEN, "geen actief account"),
        ("ongeverifieerd", StatusCode::FORBIDDEN, "niet bevestigd"),
    ] {
        let mut v = Visitor::new(z.http_port);
        let r = sign_in(&mut v, &issuer, Some(login)).await;
        assert_eq!(r.status, status, "{login}: {}", r.body);
        assert!(r.body.contains(says), "{login}: {}", r.body);
        assert!(r.body.contains("Inloggen niet gelukt"), "{}", r.body);
        let r = v.get("/app").await;
        assert_eq!(r.location, "/app/login", "{login} is not signed in");
    }

    // A changed state is refused, and the answer is then used up.
    let mut v = Visitor::new(z.http_port);
    let auth = start(&mut v).await;
    let back = AtProvider::new().sign_in(&issuer, &auth, Some("jan")).await;
    let state = back
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let tampered = back.replace(&format!("state={state}"), "state=aangepast");
    let r = v.get(&tampered).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("kon niet worden afgerond"), "{}", r.body);
    let r = v.get(&back).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "used once: {}", r.body);
    assert_eq!(v.get("/app").await.location, "/app/login");

    // The right answer in a browser without the flow cookie (another
    // browser, or a link someone was sent).
    let mut v = Visitor::new(z.http_port);
    let auth = start(&mut v).await;
    let back = AtProvider::new().sign_in(&issuer, &auth, Some("jan")).await;
    let mut other = Visitor::new(z.http_port);
    let r = other.get(&back).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

    // Cancelled at the provider.
    let mut v = Visitor::new(z.http_port);
    let r = sign_in(&mut v, &issuer, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("afgebroken of geweigerd"), "{}", r.body);

    // The administrator: zegel's own TOTP step before anything.
    let mut fg = Visitor::new(z.http_port);
    let done = sign_in(&mut fg, &issuer, Some("fg")).await;
    assert_eq!(next_step(&done), "/app/login/code");
    assert!(done.body.contains("authenticator-app"), "{}", done.body);
    let r = fg.get("/app/admin/users").await;
    assert_eq!(r.location, "/app/login", "not signed in before the code");
    let r = fg.get("/app").await;
    assert_eq!(r.location, "/app/login");
    let form = fg.get("/app/login/code").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let r = fg
        .post(
            "/app/login/code",
            &[("csrf", &form.csrf()), ("code", "000000")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "a wrong code");
    let r = fg
        .post(
            "/app/login/code",
            &[("csrf", &form.csrf()), ("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(r.location, "/app", "{}", r.body);
    let users = fg.get("/app/admin/users").await;
    assert_eq!(users.status, StatusCode::OK, "{}", users.body);
    assert!(users.body.contains("oud@zorg.nl"), "{}", users.body);

    // The audit trail.
    let trail = audit_trail(&z);
    for (event, subject, detail) in [
        ("staff_signed_in", "jan@zorg.nl", "OpenID Connect"),
        ("staff_signed_in", "piet@zorg.nl", "OpenID Connect"),
        ("staff_signed_in", "fg@zorg.nl", "OpenID Connect and TOTP"),
        (
            "staff_sign_in_failed",
            "onbekend@zorg.nl",
            "no active account",
        ),
        ("staff_sign_in_failed", "oud@zorg.nl", "no active account"),
        ("staff_sign_in_failed", "jan@zorg.nl", "not verified"),
        ("staff_sign_in_failed", "", "state does not match"),
        ("staff_sign_in_failed", "", "no sign-in under way"),
        ("staff_sign_in_failed", "", "answered access_denied"),
        (
            "staff_sign_in_failed",
            "fg@zorg.nl",
            "wrong or reused TOTP code",
        ),
    ] {
        assert!(
            has_event(&trail, event, subject, detail),
            "{event} {subject} {detail}: {trail:#?}"
        );
    }
    assert!(
        !has_event(&trail, "staff_signed_in", "onbekend@zorg.nl", ""),
        "{trail:#?}"
    );
    drop(provider);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_refuse_unknown_off_internal_addresses_get_a_sender_account() {
    common::oidc_provider::prerequisites();
    let sink = Sink::start();
    let provider_port = free_port();
    let issuer = format!("http://{HOST}:{provider_port}");
    let section = staff_oidc_section(&issuer, "Zorg-ID") + "refuse_unknown = false\n";
    let z = Zegel::start(&sink, &[("[staff_oidc]", &section)]);
    add(&z, "oud@zorg.nl", "sender");
    user(&z, &["disable", "oud@zorg.nl"], "");
    let _provider = OidcProvider::start(
        HOST,
        provider_port,
        &format!("http://127.0.0.1:{}/app/login/oidc/callback", z.http_port),
    );

    let mut v = Visitor::new(z.http_port);
    let done = sign_in(&mut v, &issuer, Some("onbekend")).await;
    assert_eq!(next_step(&done), "/app");
    let sent = v.get("/app").await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("onbekend@zorg.nl"), "{}", sent.body);
    assert_eq!(
        v.get("/app/admin/users").await.status,
        StatusCode::FORBIDDEN
    );

    for login in ["gast", "oud"] {
        let mut v = Visitor::new(z.http_port);
        let r = sign_in(&mut v, &issuer, Some(login)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{login}: {}", r.body);
        assert!(r.body.contains("geen actief account"), "{}", r.body);
    }
    let list = String::from_utf8(user(&z, &["list"], "").stdout).unwrap();
    assert!(list.contains("onbekend@zorg.nl"), "{list}");
    assert!(!list.contains("gast@partner.example"), "{list}");
    assert!(
        list.contains("oud@zorg.nl") && list.contains("(disabled)"),
        "{list}"
    );
    // The account has no password: the password form refuses it (SMTP
    // AUTH checks the same hash).
    let r = password(&mut Visitor::new(z.http_port), "onbekend@zorg.nl", "").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let trail = audit_trail(&z);
    assert!(
        has_event(
            &trail,
            "user_set",
            "onbekend@zorg.nl",
            "first OpenID Connect sign-in"
        ),
        "{trail:#?}"
    );
}

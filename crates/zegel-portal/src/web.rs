//! The HTTP plumbing every page shares: cookies, the page language, the
//! security headers, the form token check, and the answers for the cases
//! that end a request early.

use crate::pages::{Frame, Notice};
use crate::texts::{Lang, Texts};
use crate::Portal;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use subtle::ConstantTimeEq;
use zegel_store::PortalSession;

/// The cookie of a recipient's session.
pub const RECIPIENT_COOKIE: &str = "zegel_r";
/// The cookie of a sender's status-page session.
pub const SENDER_COOKIE: &str = "zegel_s";
/// The cookie of a contact-page session.
pub const CONTACT_COOKIE: &str = "zegel_c";
const LANG_COOKIE: &str = "zegel_lang";

/// The client's address (loopback when the server was not started with
/// connection info, as in unit tests).
pub fn client_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// The `{token}` of the route ("" when there is none: never a package).
pub async fn path_token(parts: &mut Parts, portal: &Portal) -> String {
    axum::extract::Path::<HashMap<String, String>>::from_request_parts(parts, portal)
        .await
        .ok()
        .and_then(|p| p.0.get("token").cloned())
        .unwrap_or_default()
}

/// One value from the query string (`?lang=en`), undecoded: only for
/// plain values such as a language code.
pub fn query_value(uri: &axum::http::Uri, name: &str) -> Option<String> {
    uri.query()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// One cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value for a session cookie: HttpOnly, SameSite=Strict,
/// Secure unless turned off for plain-HTTP development.
pub fn session_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Gives the session `id_hash` a new id once a factor has passed, and
/// returns the `Set-Cookie` of the new id for cookie `name`.
pub async fn rotate_session(
    portal: &Portal,
    id_hash: &str,
    name: &str,
) -> Result<HeaderValue, zegel_store::StoreError> {
    let (id, hash) = new_session_id();
    portal.store().rotate_session(id_hash, &hash).await?;
    Ok(session_cookie(
        name,
        &id,
        portal.config.session_lifetime.as_secs() as i64,
        portal.config.secure_cookies,
    ))
}

/// A new portal session of `kind` for `target` (a package id, a status
/// or confirmation token's hash, "" for contact), with the `Set-Cookie`
/// of its id for cookie `name`.
pub async fn start_session(
    portal: &Portal,
    name: &str,
    kind: zegel_store::SessionKind,
    target: &str,
) -> Result<(PortalSession, HeaderValue), zegel_store::StoreError> {
    let (id, hash) = new_session_id();
    let lifetime = portal.config.session_lifetime.as_secs() as i64;
    let session = portal
        .store()
        .create_session(&hash, kind, target, lifetime)
        .await?;
    let cookie = session_cookie(name, &id, lifetime, portal.config.secure_cookies);
    Ok((session, cookie))
}

/// `existing`, or else a new session as [`start_session`] makes it, with
/// the `Set-Cookie` to send (only for a new one).
pub async fn session_or_start(
    portal: &Portal,
    existing: Option<PortalSession>,
    name: &str,
    kind: zegel_store::SessionKind,
    target: &str,
) -> Result<(PortalSession, Option<HeaderValue>), zegel_store::StoreError> {
    match existing {
        Some(session) => Ok((session, None)),
        None => {
            let (session, cookie) = start_session(portal, name, kind, target).await?;
            Ok((session, Some(cookie)))
        }
    }
}

/// The live session behind cookie `name`, if it is of `kind` and made for
/// `target` (a session only ever opens what it was made for).
pub async fn session_for(
    portal: &Portal,
    headers: &HeaderMap,
    name: &str,
    kind: zegel_store::SessionKind,
    target: &str,
) -> Option<PortalSession> {
    let id = cookie(headers, name)?;
    portal
        .store()
        .session(&zegel_store::token_hash(id))
        .await
        .ok()
        .flatten()
        .filter(|s| s.kind == kind && s.target == target)
}

/// A random session id (256 bits, hex) and its hash for the database.
pub fn new_session_id() -> (String, String) {
    let id = hex::encode(rand::random::<[u8; 32]>());
    let hash = zegel_store::token_hash(&id);
    (id, hash)
}

/// The page language: `?lang=` first, then the cookie, then Dutch.
pub fn lang(headers: &HeaderMap, query: Option<&str>) -> Lang {
    query
        .and_then(Lang::parse)
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(Lang::parse))
        .unwrap_or(Lang::Nl)
}

/// Whether a submitted form token is the session's (constant time).
pub fn csrf_ok(expected: &str, given: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// A page's frame for `lang` at `path` (the switch link keeps the path).
pub fn frame(portal: &Portal, lang: Lang, title: &str, path: &str) -> Frame {
    Frame {
        lang: lang.code(),
        other_lang: lang.other().code(),
        t: lang.texts(),
        title: title.to_string(),
        org: portal.config.organization.clone(),
        switch_href: format!("{path}?lang={}", lang.other().code()),
    }
}

/// A page that only says something, with a status code.
pub fn notice(
    portal: &Portal,
    lang: Lang,
    status: StatusCode,
    pick: impl Fn(&'static Texts) -> (&'static str, &'static str),
) -> Response {
    let (title, text) = pick(lang.texts());
    let page = Notice {
        f: frame(portal, lang, title, ""),
        text: text.to_string(),
        link: None,
    };
    (status, crate::pages::html(&page)).into_response()
}

/// The page for "something failed on our side, try again" (503).
pub fn unavailable(portal: &Portal, lang: Lang) -> Response {
    notice(portal, lang, StatusCode::SERVICE_UNAVAILABLE, |t| {
        (t.error_title, t.error)
    })
}

/// A 303 to another page (after a form).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// The security headers on every answer: a Content-Security-Policy without
/// any script, no framing, no sniffing, no referrer, no caching; HSTS when
/// the portal is reached over HTTPS. A handler that set its own policy (a
/// download, a page with images shown) keeps it.
pub async fn security_headers(
    axum::extract::State(hsts): axum::extract::State<bool>,
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
        ));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// Middleware: sets the language cookie on the answer to any request with
/// `?lang=`.
pub async fn remember_query_lang(request: Request<axum::body::Body>, next: Next) -> Response {
    let lang = query_value(request.uri(), "lang");
    let mut response = next.run(request).await;
    remember_lang(&mut response, lang.as_deref());
    response
}

/// Sets the language cookie when the page was asked for with `?lang=`.
pub fn remember_lang(response: &mut Response, query_lang: Option<&str>) {
    if let Some(lang) = query_lang.and_then(Lang::parse) {
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Strict",
            lang.code()
        )) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
}

/// `a***@example.org`: enough to recognise an address, not to harvest it.
pub fn mask_address(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// A size for people: "12 KB".
pub fn human_size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", b.div_ceil(1024)),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// A Unix time as shown: `2026-11-23 14:05 UTC`.
pub fn show_time(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    let secs = unix.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        (secs % 3600) / 60
    )
}

/// A Unix time as a date: `2026-11-23`.
pub fn show_date(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD` to the Unix time of the end of that day (23:59:59 UTC).
pub fn parse_date_end(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1970..=9999).contains(&y) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // Reject dates like 2026-02-31 that do not round-trip.
    (civil_from_days(days) == (y, m, d)).then_some(days * 86_400 + 86_399)
}

// Gregorian calendar conversions (Howard Hinnant's public-domain
// algorithms): the portal needs only dates in UTC, which is not worth a
// date-time dependency.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(show_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(show_date(1_795_305_600), "2026-11-22");
        assert_eq!(parse_date_end("2026-11-22"), Some(1_795_305_600 + 86_399));
        assert_eq!(
            parse_date_end("2024-02-29").map(show_date).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(parse_date_end("2026-02-29"), None);
        assert_eq!(parse_date_end("2026-13-01"), None);
        assert_eq!(parse_date_end("tomorrow"), None);
        assert_eq!(parse_date_end(""), None);
    }

    #[test]
    fn cookies_and_masks() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; zegel_r=abc; zegel_lang=en"),
        );
        assert_eq!(cookie(&h, "zegel_r"), Some("abc"));
        assert_eq!(cookie(&h, "zegel_s"), None);
        assert_eq!(lang(&h, None), Lang::En);
        assert_eq!(lang(&h, Some("nl")), Lang::Nl);
        assert_eq!(lang(&HeaderMap::new(), Some("fr")), Lang::Nl);
        assert_eq!(mask_address("piet@example.org"), "p***@example.org");
        assert_eq!(human_size(2048), "2 KB");
        assert!(csrf_ok("abc", "abc"));
        assert!(!csrf_ok("abc", "abd"));
        assert!(!csrf_ok("", ""));
    }
}

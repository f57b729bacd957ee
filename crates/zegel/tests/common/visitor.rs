//! A browser-like HTTP visitor for the web tests (portal.rs, staff.rs):
//! one cookie jar kept by hand (so the tests see the cookie attributes),
//! redirects not followed, every answer checked for its CSP.

use reqwest::header::{CONTENT_SECURITY_POLICY, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, StatusCode};
use std::time::Duration;

/// An HTTP client that does not follow redirects.
pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A browser-like visitor: one cookie jar (by hand, so the test sees the
/// cookie attributes), one client.
pub struct Visitor {
    pub http: Client,
    pub base: String,
    pub cookies: Vec<(String, String)>,
}

/// One answer, read.
pub struct Page {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Page {
    /// The first form token on the page.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a form token")
            + 19;
        self.body[at..at + 32].to_string()
    }
}

impl Visitor {
    pub fn new(port: u16) -> Visitor {
        Visitor {
            http: client(),
            base: format!("http://127.0.0.1:{port}"),
            cookies: Vec::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn take(&mut self, r: reqwest::Response) -> Page {
        for c in r.headers().get_all(SET_COOKIE) {
            let c = c.to_str().unwrap();
            if c.starts_with("zegel_r=")
                || c.starts_with("zegel_s=")
                || c.starts_with("zegel_c=")
                || c.starts_with("zegel_staff=")
            {
                for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
                    assert!(c.contains(flag), "session cookie without {flag}: {c}");
                }
            }
            let (k, v) = c.split(';').next().unwrap().split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
        let csp = r
            .headers()
            .get(CONTENT_SECURITY_POLICY)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        assert!(!csp.is_empty(), "every answer has a CSP");
        assert!(!csp.contains("unsafe-"), "{csp}");
        // Only the compose page runs a script, and only zegel's own.
        let html = r
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .is_some_and(|t| t.to_str().unwrap_or("").starts_with("text/html"));
        if r.url().path() == "/app/compose" && html {
            assert!(csp.contains("script-src 'self';"), "{csp}");
        } else if !r.url().path().starts_with("/app/compose") {
            assert!(!csp.contains("script-src"), "{csp}");
        }
        Page {
            status: r.status(),
            location: r
                .headers()
                .get(LOCATION)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default(),
            headers: r.headers().clone(),
            body: r.text().await.unwrap_or_default(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let r = self
            .http
            .get(self.url(path))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.take(r).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let r = self
            .http
            .post(self.url(path))
            .header(COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.take(r).await
    }

    /// A multipart POST of exactly `total` bytes (fields, then one file
    /// filling the rest), over a plain socket; returns the raw answer.
    pub async fn raw_multipart(&self, path: &str, fields: &[(&str, &str)], total: usize) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut head = String::new();
        for (k, v) in fields {
            head.push_str(&format!(
                "--zzb\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            ));
        }
        head.push_str("--zzb\r\nContent-Disposition: form-data; name=\"files\"; filename=\"groot.pdf\"\r\nContent-Type: application/pdf\r\n\r\n");
        let tail = "\r\n--zzb--\r\n";
        let mut body = head.into_bytes();
        body.resize(total - tail.len(), b'x');
        body.extend_from_slice(tail.as_bytes());
        let addr = self.base.trim_start_matches("http://").to_string();
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {}\r\nContent-Type: multipart/form-data; boundary=zzb\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.cookie_header(),
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let _ = stream.write_all(&body).await;
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    }

    pub async fn post_files(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
    ) -> Page {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        let part = reqwest::multipart::Part::bytes(file.1.to_vec())
            .file_name(file.0.to_string())
            .mime_str("application/pdf")
            .unwrap();
        form = form.part("files", part);
        let r = self
            .http
            .post(self.url(path))
            .header(COOKIE, self.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.take(r).await
    }
}

//! A real OpenID Connect provider for the tests (oidc.rs, browser.rs):
//! panva's oidc-provider run by `tests/browser/oidc_provider.mjs` with
//! Node, on a loopback address. Needs `node` and `npm ci` in
//! `tests/browser` (scripts/test does both); without them the test fails
//! and says so, as the browser tests do.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use zegel_testkit::repo_root;

/// The client zegel is at the provider.
pub const CLIENT_ID: &str = "zegel";
pub const CLIENT_SECRET: &str = "oidc-test-geheim";

/// A running provider; killed when dropped.
pub struct OidcProvider {
    child: Child,
    /// `http://HOST:PORT`, as its discovery document names itself.
    pub issuer: String,
}

/// Fails the test, naming what to install, unless Node and the provider's
/// npm package are there.
pub fn prerequisites() {
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "node is missing: scripts/test installs Debian's nodejs and npm"
    );
    let module = repo_root().join("tests/browser/node_modules/oidc-provider");
    assert!(
        module.is_dir(),
        "{} is missing: run `npm ci` in tests/browser (scripts/test does)",
        module.display()
    );
}

impl OidcProvider {
    /// Starts the provider on `host:port` for a client that comes back to
    /// `redirect_uri`; waits until it listens.
    pub fn start(host: &str, port: u16, redirect_uri: &str) -> OidcProvider {
        prerequisites();
        let mut child = Command::new("node")
            .arg(repo_root().join("tests/browser/oidc_provider.mjs"))
            .args(["--host", host, "--port", &port.to_string()])
            .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
            .args(["--redirect-uri", redirect_uri])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs tests/browser/oidc_provider.mjs");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let issuer = loop {
            let line = lines
                .next()
                .expect("oidc_provider.mjs exited before listening")
                .unwrap();
            if let Some(issuer) = line.strip_prefix("OIDC PROVIDER READY ") {
                break issuer.trim().to_string();
            }
        };
        // Its request log, with the test's output.
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                println!("oidc-provider: {line}");
            }
        });
        OidcProvider { child, issuer }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `[staff_oidc]` section for a provider at `issuer`.
pub fn staff_oidc_section(issuer: &str, label: &str) -> String {
    format!(
        "[staff_oidc]\nissuer = \"{issuer}\"\nclient_id = \"{CLIENT_ID}\"\n\
         client_secret = \"{CLIENT_SECRET}\"\nlabel = \"{label}\"\n"
    )
}

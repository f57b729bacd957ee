//! The organisation's OpenID Connect provider: its settings, discovery
//! (cached for an hour, fetched again when an ID token names a key the
//! cached set lacks), the authorization request (code flow with PKCE,
//! state and nonce) and the checks of its answer (the code exchanged, the
//! ID token's signature, issuer, audience, nonce and expiry verified by the
//! openidconnect crate).

use super::claims::{self, Claims};
use super::http::{error_chain, OidcHttp};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJwsSigningAlgorithm,
    CoreProviderMetadata,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError, TokenResponse,
    UserInfoClaims,
};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long discovery (endpoints and signing keys) is used before it is
/// fetched again.
const DISCOVERY_MAX_AGE: Duration = Duration::from_secs(3600);
/// Time allowed per request to the provider.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Where the provider sends the browser back, under `[http] public_url`.
pub const CALLBACK_PATH: &str = "/app/login/oidc/callback";

/// `[staff_oidc]`: signing in to the staff web through the organisation's
/// OpenID Connect provider.
#[derive(Clone, PartialEq, Eq)]
pub struct OidcConfig {
    /// The issuer (`https://login.example.nl/realms/zorg`): discovery is
    /// `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    /// zegel's client id at the provider.
    pub client_id: String,
    /// zegel's client secret at the provider.
    pub client_secret: String,
    /// Scopes asked besides `openid`.
    pub scopes: Vec<String>,
    /// The claim that holds the person's e-mail address.
    pub email_claim: String,
    /// The provider's name on the button ("Inloggen met …").
    pub label: String,
    /// Only addresses with an enabled account may sign in (the default);
    /// false: an address of an internal domain without an account gets a
    /// sender account at its first sign-in (the internal domains in force
    /// then, as the staff web may change them).
    pub refuse_unknown: bool,
}

impl fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"…")
            .field("scopes", &self.scopes)
            .field("email_claim", &self.email_claim)
            .field("label", &self.label)
            .field("refuse_unknown", &self.refuse_unknown)
            .finish()
    }
}

impl OidcConfig {
    /// The defaults for a provider: scope `email`, claim `email`, label
    /// "OpenID Connect", unknown addresses refused.
    pub fn new(issuer: &str, client_id: &str, client_secret: &str) -> OidcConfig {
        OidcConfig {
            issuer: issuer.to_string(),
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            scopes: vec!["email".into()],
            email_claim: "email".into(),
            label: "OpenID Connect".into(),
            refuse_unknown: true,
        }
    }

    /// Whether the issuer is plain http to this machine (a test or a lab):
    /// the only case in which requests go without TLS.
    pub fn issuer_is_local_http(&self) -> bool {
        use openidconnect::url::{Host, Url};
        let Ok(url) = Url::parse(&self.issuer) else {
            return false;
        };
        url.scheme() == "http"
            && match url.host() {
                Some(Host::Domain(name)) => name == "localhost",
                Some(Host::Ipv4(ip)) => ip.is_loopback(),
                Some(Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            }
    }
}

/// Why the provider could not be used or its answer not accepted.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// A setting cannot be used.
    #[error("{0}")]
    Config(String),
    /// Discovery failed: unreachable, or an unusable document.
    #[error("the provider cannot be reached or its discovery document is not usable: {0}")]
    Discovery(String),
    /// The code was not exchanged for tokens.
    #[error("the provider gave no tokens for the code: {0}")]
    Exchange(String),
    /// The token answer has no ID token.
    #[error("the provider's answer has no ID token")]
    NoIdToken,
    /// The ID token was refused (signature, issuer, audience, nonce,
    /// expiry).
    #[error("the ID token was refused: {0}")]
    IdToken(String),
    /// The userinfo request failed.
    #[error("the userinfo request failed: {0}")]
    UserInfo(String),
}

/// The client type discovery gives: authorization endpoint set, token and
/// userinfo endpoints as the document says.
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Every claim of a userinfo answer (the standard ones are read through
/// the crate's own fields).
#[derive(Debug, serde::Deserialize, serde::Serialize)]
struct AllClaims(HashMap<String, serde_json::Value>);
impl AdditionalClaims for AllClaims {}

/// The signing algorithms accepted for ID tokens: the asymmetric ones (not
/// HMAC with the client secret, never `none`).
const ALGORITHMS: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// The start of a sign-in: where to send the browser, and what the answer
/// is checked against.
pub struct Begun {
    /// The provider's authorization URL with every parameter.
    pub url: String,
    /// The state (must come back unchanged).
    pub state: String,
    /// The nonce (must be in the ID token).
    pub nonce: String,
    /// The PKCE verifier (sent with the code).
    pub verifier: String,
}

/// What the provider vouched for after every check.
pub struct Verified {
    /// The ID token's claims.
    pub id_token: Claims,
    /// The userinfo answer, asked only when the ID token lacks the claim
    /// that holds the address.
    pub userinfo: Option<Claims>,
}

impl Verified {
    /// The address to sign in with (claims.rs).
    pub fn address(&self, claim: &str) -> Result<String, claims::Refusal> {
        claims::address(&self.id_token, self.userinfo.as_ref(), claim)
    }
}

struct Discovered {
    client: Arc<Client>,
    at: Instant,
}

/// The provider, as zegel uses it.
pub struct Provider {
    config: OidcConfig,
    issuer: IssuerUrl,
    redirect: RedirectUrl,
    http: OidcHttp,
    discovered: std::sync::Mutex<Option<Discovered>>,
}

impl Provider {
    /// The provider of `config`; the browser comes back to
    /// `public_url` + [`CALLBACK_PATH`]. Nothing is fetched yet.
    pub fn new(config: OidcConfig, public_url: &str) -> Result<Provider, OidcError> {
        let issuer = IssuerUrl::new(config.issuer.clone())
            .map_err(|e| OidcError::Config(format!("issuer '{}': {e}", config.issuer)))?;
        let callback = format!("{}{CALLBACK_PATH}", public_url.trim_end_matches('/'));
        let redirect = RedirectUrl::new(callback.clone())
            .map_err(|e| OidcError::Config(format!("callback URL '{callback}': {e}")))?;
        let http = OidcHttp::new(config.issuer_is_local_http(), REQUEST_TIMEOUT)
            .map_err(|e| OidcError::Config(e.to_string()))?;
        Ok(Provider {
            config,
            issuer,
            redirect,
            http,
            discovered: std::sync::Mutex::new(None),
        })
    }

    /// The settings.
    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// The URL the provider must send the browser back to (registered
    /// there as the redirect URI).
    pub fn callback_url(&self) -> &str {
        self.redirect.as_str()
    }

    /// The provider's client from discovery: the cached one unless it is
    /// older than an hour or `again` asks for a fresh one. The lock is not
    /// held while fetching: with a provider that does not answer, each
    /// sign-in waits for its own time limit, not for the ones before it.
    pub async fn discover(&self, again: bool) -> Result<Arc<Client>, OidcError> {
        if let Some((client, at)) = self.cached().filter(|_| !again) {
            if at.elapsed() < DISCOVERY_MAX_AGE {
                return Ok(client);
            }
        }
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| OidcError::Discovery(error_chain(&e)))?;
        let client = Arc::new(
            CoreClient::from_provider_metadata(
                metadata,
                ClientId::new(self.config.client_id.clone()),
                Some(ClientSecret::new(self.config.client_secret.clone())),
            )
            .set_redirect_uri(self.redirect.clone()),
        );
        if let Ok(mut cached) = self.discovered.lock() {
            *cached = Some(Discovered {
                client: client.clone(),
                at: Instant::now(),
            });
        }
        Ok(client)
    }

    /// The cached client and when it was fetched.
    fn cached(&self) -> Option<(Arc<Client>, Instant)> {
        let cached = self.discovered.lock().ok()?;
        cached.as_ref().map(|d| (d.client.clone(), d.at))
    }

    /// Starts a sign-in: the authorization URL (code flow, PKCE with
    /// SHA-256, a new state and nonce) and what to keep for the answer.
    pub async fn begin(&self) -> Result<Begun, OidcError> {
        let client = self.discover(false).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scopes(self.config.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Begun {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
        })
    }

    /// Finishes a sign-in: exchanges `code` (with the PKCE verifier),
    /// verifies the ID token (signature with the provider's keys, issuer,
    /// audience, nonce, expiry) and, when the ID token lacks the claim
    /// that holds the address, asks the userinfo endpoint (whose subject
    /// must be the ID token's).
    pub async fn finish(
        &self,
        code: &str,
        verifier: &str,
        nonce: &str,
    ) -> Result<Verified, OidcError> {
        let mut client = self.discover(false).await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Exchange(error_chain(&e)))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Exchange(error_chain(&e)))?;
        let id_token = tokens.id_token().ok_or(OidcError::NoIdToken)?;
        let nonce = Nonce::new(nonce.to_string());
        let verify = |client: &Client| {
            let verifier = client.id_token_verifier().set_allowed_algs(ALGORITHMS);
            id_token
                .claims(&verifier, &nonce)
                .map(|c| c.subject().clone())
        };
        let subject = match verify(&client) {
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                // The provider may have rolled its keys over: fetch them
                // again, once.
                client = self.discover(true).await?;
                verify(&client)
            }
            other => other,
        }
        .map_err(|e| OidcError::IdToken(error_chain(&e)))?;
        // Verified above: the payload is what was signed.
        let claims = claims::payload(&id_token.to_string())
            .ok_or_else(|| OidcError::IdToken("the payload is not a JSON object".into()))?;
        let userinfo = if claims.contains_key(&self.config.email_claim) {
            None
        } else {
            match client.user_info(tokens.access_token().clone(), Some(subject)) {
                Ok(request) => {
                    let info: UserInfoClaims<AllClaims, CoreGenderClaim> = request
                        .request_async(&self.http)
                        .await
                        .map_err(|e| OidcError::UserInfo(error_chain(&e)))?;
                    match serde_json::to_value(&info) {
                        Ok(serde_json::Value::Object(map)) => Some(map),
                        _ => None,
                    }
                }
                // No userinfo endpoint: the ID token is all there is.
                Err(_) => None,
            }
        };
        Ok(Verified {
            id_token: claims,
            userinfo,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_this_machine() {
        let local = |issuer: &str| OidcConfig::new(issuer, "zegel", "s").issuer_is_local_http();
        assert!(local("http://127.0.0.1:8090"));
        assert!(local("http://127.0.0.2:8090/oidc"));
        assert!(local("http://[::1]:8090"));
        assert!(local("http://localhost:8090"));
        assert!(local("http://localhost/"));
        assert!(!local("https://127.0.0.1"));
        assert!(!local("http://127.evil.example"));
        assert!(!local("http://localhost.evil.example"));
        assert!(!local("http://localhost@evil.example"));
        assert!(!local("http://127.0.0.1.evil.example"));
        assert!(!local("http://id.zorg.nl"));
    }

    #[test]
    fn the_secret_is_not_in_debug_output() {
        let c = OidcConfig::new("https://id.zorg.nl", "zegel", "hunter2-secret");
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn the_callback_is_under_the_public_url() {
        let p = Provider::new(
            OidcConfig::new("https://id.zorg.nl", "zegel", "s"),
            "https://veilig.zorg.nl/",
        )
        .unwrap();
        assert_eq!(
            p.callback_url(),
            "https://veilig.zorg.nl/app/login/oidc/callback"
        );
        let e = Provider::new(OidcConfig::new("not a url", "zegel", "s"), "https://x.nl")
            .err()
            .unwrap();
        assert!(e.to_string().contains("issuer"), "{e}");
    }
}

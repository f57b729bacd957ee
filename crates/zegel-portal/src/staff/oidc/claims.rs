//! Which address the provider vouched for: the configured claim (`email`
//! unless set otherwise) from the verified ID token, else from the
//! userinfo answer, and refused when the provider says the address is not
//! verified. Pure: the signature, issuer, audience, nonce and expiry were
//! checked before (provider.rs, by the openidconnect crate).

use base64::Engine;
use serde_json::{Map, Value};

/// The claims of one source (the ID token or the userinfo answer).
pub type Claims = Map<String, Value>;

/// Why the claims give no address to sign in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The claim is not there (or not a text).
    NoClaim {
        /// The claim looked for.
        claim: String,
    },
    /// The claim's value is not an e-mail address.
    NotAnAddress {
        /// The value, cut short.
        value: String,
    },
    /// The provider says the address is not verified (`email_verified`
    /// false).
    Unverified {
        /// The address.
        address: String,
    },
}

impl Refusal {
    /// What the audit trail says.
    pub fn audit_detail(&self) -> String {
        match self {
            Refusal::NoClaim { claim } => {
                format!("OpenID Connect: the provider gave no claim '{claim}'")
            }
            Refusal::NotAnAddress { value } => {
                format!("OpenID Connect: '{value}' is not an e-mail address")
            }
            Refusal::Unverified { .. } => {
                "OpenID Connect: the provider says the e-mail address is not verified".into()
            }
        }
    }
}

/// The address to sign in with, lower case: `claim` from the ID token's
/// claims, or when the ID token does not have it, from `userinfo`.
/// `email_verified` of the same source must not be false when the claim is
/// `email` (a provider that does not send it is trusted to hand out only
/// addresses it vouches for; for another claim, `email_verified` speaks
/// about a different value and is not read).
pub fn address(
    id_token: &Claims,
    userinfo: Option<&Claims>,
    claim: &str,
) -> Result<String, Refusal> {
    let source = if id_token.contains_key(claim) {
        id_token
    } else {
        match userinfo {
            Some(u) if u.contains_key(claim) => u,
            _ => {
                return Err(Refusal::NoClaim {
                    claim: claim.to_string(),
                })
            }
        }
    };
    let Some(value) = source.get(claim).and_then(Value::as_str) else {
        return Err(Refusal::NoClaim {
            claim: claim.to_string(),
        });
    };
    let address = value.trim().to_lowercase();
    if !looks_like_address(&address) {
        return Err(Refusal::NotAnAddress {
            value: value.chars().take(80).collect(),
        });
    }
    if claim == "email" && verified(source.get("email_verified")) == Some(false) {
        return Err(Refusal::Unverified { address });
    }
    Ok(address)
}

/// `email_verified` as a boolean; some providers send "true"/"false" as
/// text. `None` when absent or unreadable.
fn verified(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// One `@` between a local part and a domain with a dot, no spaces or
/// control characters, at most 254 characters.
fn looks_like_address(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    address.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !address.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The claims of a compact JWT's payload (the middle part). Only for an ID
/// token whose signature was verified: nothing is checked here.
pub fn payload(jwt: &str) -> Option<Claims> {
    let middle = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(middle.trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Claims {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_email_claim_from_the_id_token() {
        let id = claims(json!({"sub": "1", "email": " Jan@Zorg.NL ", "email_verified": true}));
        assert_eq!(address(&id, None, "email").unwrap(), "jan@zorg.nl");
        // Not sent at all: trusted.
        let id = claims(json!({"sub": "1", "email": "jan@zorg.nl"}));
        assert_eq!(address(&id, None, "email").unwrap(), "jan@zorg.nl");
        // Sent as text, as some providers do.
        let id = claims(json!({"email": "jan@zorg.nl", "email_verified": "true"}));
        assert_eq!(address(&id, None, "email").unwrap(), "jan@zorg.nl");
    }

    #[test]
    fn an_unverified_address_is_refused() {
        for verified in [json!(false), json!("false"), json!("FALSE")] {
            let id = claims(json!({"email": "jan@zorg.nl", "email_verified": verified}));
            assert_eq!(
                address(&id, None, "email"),
                Err(Refusal::Unverified {
                    address: "jan@zorg.nl".into()
                })
            );
        }
        // The verdict of the source the address came from counts.
        let id = claims(json!({"sub": "1", "email_verified": true}));
        let info = claims(json!({"email": "jan@zorg.nl", "email_verified": false}));
        assert!(matches!(
            address(&id, Some(&info), "email"),
            Err(Refusal::Unverified { .. })
        ));
    }

    #[test]
    fn the_userinfo_answer_when_the_id_token_lacks_the_claim() {
        let id = claims(json!({"sub": "1"}));
        let info = claims(json!({"sub": "1", "email": "piet@zorg.nl", "email_verified": true}));
        assert_eq!(address(&id, Some(&info), "email").unwrap(), "piet@zorg.nl");
        assert_eq!(
            address(&id, None, "email"),
            Err(Refusal::NoClaim {
                claim: "email".into()
            })
        );
        // The ID token wins when both have it.
        let id = claims(json!({"email": "jan@zorg.nl"}));
        assert_eq!(address(&id, Some(&info), "email").unwrap(), "jan@zorg.nl");
    }

    #[test]
    fn another_claim_is_read_and_email_verified_does_not_apply() {
        let id = claims(json!({
            "upn": "F.de.Groot@Zorg.nl", "email": "prive@example.com", "email_verified": false
        }));
        assert_eq!(address(&id, None, "upn").unwrap(), "f.de.groot@zorg.nl");
        assert_eq!(
            address(&id, None, "preferred_username"),
            Err(Refusal::NoClaim {
                claim: "preferred_username".into()
            })
        );
    }

    #[test]
    fn values_that_are_no_address_are_refused() {
        for value in [
            json!("jan"),
            json!("jan@"),
            json!("@zorg.nl"),
            json!("jan@zorg"),
            json!("jan@@zorg.nl"),
            json!("jan de groot@zorg.nl"),
            json!("jan@zorg.nl."),
            json!("jan\n@zorg.nl"),
            json!(format!("{}@zorg.nl", "a".repeat(250))),
        ] {
            let id = claims(json!({ "email": value }));
            assert!(
                matches!(
                    address(&id, None, "email"),
                    Err(Refusal::NotAnAddress { .. })
                ),
                "{value}"
            );
        }
        for value in [json!(42), json!(null), json!(["jan@zorg.nl"])] {
            let id = claims(json!({ "email": value }));
            assert!(
                matches!(address(&id, None, "email"), Err(Refusal::NoClaim { .. })),
                "{value}"
            );
        }
    }

    #[test]
    fn jwt_payloads_are_read() {
        let b64 = |v: &Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
        };
        let jwt = format!(
            "{}.{}.sig",
            b64(&json!({"alg": "RS256"})),
            b64(&json!({"sub": "1", "email": "jan@zorg.nl"}))
        );
        let p = payload(&jwt).unwrap();
        assert_eq!(p["email"], "jan@zorg.nl");
        assert!(payload("not-a-jwt").is_none());
        assert!(payload("a.!!!.c").is_none());
        assert!(payload(&format!("a.{}.c", b64(&json!([1, 2])))).is_none());
    }
}

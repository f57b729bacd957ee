//! The NCSC-NL "ICT-beveiligingsrichtlijnen voor Transport Layer Security
//! (TLS)", version 2.1 (2021), as tables: each TLS version, cipher suite,
//! key-exchange group and certificate key is good, sufficient, to be
//! phased out, or insufficient.
//!
//! - Versions: TLS 1.3 good, TLS 1.2 sufficient, TLS 1.1 and 1.0 phase
//!   out, SSL 3.0 and 2.0 insufficient.
//! - Cipher suites (TLS 1.2 and older): good is ECDHE with ECDSA or RSA and
//!   AES-GCM or ChaCha20-Poly1305; sufficient adds ECDHE with AES-CBC and
//!   DHE with AES (GCM, CBC) or ChaCha20; phase out: 3DES and static RSA
//!   key exchange; everything else is insufficient (NULL, anonymous, RC4,
//!   DES, export). The three TLS 1.3 suites rustls speaks are good.
//! - Key exchange: the curves secp256r1, secp384r1, secp521r1, X25519 and
//!   X448 are good, secp224r1 phase out; finite-field Diffie-Hellman of at
//!   least 3072 bits is sufficient, 2048 bits phase out, less insufficient
//!   (we judge DH by its size, not by whether the prime is one of RFC
//!   7919's named groups, as the guidelines do).
//! - Certificates: RSA of at least 3072 bits, ECDSA on P-256/P-384/P-521
//!   and Ed25519/Ed448 good; RSA 2048 sufficient; shorter RSA
//!   insufficient; signatures with SHA-2 good, SHA-1 and MD5 insufficient.

use crate::report::{Lang, Status};

/// A guideline class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// "Goed".
    Good,
    /// "Voldoende".
    Sufficient,
    /// "Uit te faseren".
    PhaseOut,
    /// "Onvoldoende".
    Insufficient,
}

impl Class {
    /// The report status for this class.
    pub fn status(self) -> Status {
        match self {
            Class::Good => Status::Good,
            Class::Sufficient => Status::Sufficient,
            Class::PhaseOut => Status::Warning,
            Class::Insufficient => Status::Bad,
        }
    }

    /// The guidelines' word for the class.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Class::Good, Lang::Nl) => "goed",
            (Class::Good, Lang::En) => "good",
            (Class::Sufficient, Lang::Nl) => "voldoende",
            (Class::Sufficient, Lang::En) => "sufficient",
            (Class::PhaseOut, Lang::Nl) => "uit te faseren",
            (Class::PhaseOut, Lang::En) => "phase out",
            (Class::Insufficient, Lang::Nl) => "onvoldoende",
            (Class::Insufficient, Lang::En) => "insufficient",
        }
    }
}

/// A TLS version's class, by its OpenSSL/rustls name (`TLSv1.2`).
pub fn version(name: &str) -> Class {
    match name {
        "TLSv1.3" => Class::Good,
        "TLSv1.2" => Class::Sufficient,
        "TLSv1.1" | "TLSv1" | "TLSv1.0" => Class::PhaseOut,
        _ => Class::Insufficient,
    }
}

/// A cipher suite we may offer with OpenSSL: its OpenSSL name and class.
#[derive(Debug, Clone, Copy)]
pub struct Suite {
    /// OpenSSL's name (`ECDHE-RSA-AES128-SHA`).
    pub openssl: &'static str,
    /// Its class.
    pub class: Class,
}

const fn s(openssl: &'static str, class: Class) -> Suite {
    Suite { openssl, class }
}

/// Suites for TLS 1.2 and older that rustls does not speak, offered with
/// OpenSSL to see whether a server still accepts them.
pub const LEGACY_SUITES: &[Suite] = &[
    // Sufficient.
    s("ECDHE-ECDSA-AES256-SHA384", Class::Sufficient),
    s("ECDHE-ECDSA-AES128-SHA256", Class::Sufficient),
    s("ECDHE-ECDSA-AES256-SHA", Class::Sufficient),
    s("ECDHE-ECDSA-AES128-SHA", Class::Sufficient),
    s("ECDHE-RSA-AES256-SHA384", Class::Sufficient),
    s("ECDHE-RSA-AES128-SHA256", Class::Sufficient),
    s("ECDHE-RSA-AES256-SHA", Class::Sufficient),
    s("ECDHE-RSA-AES128-SHA", Class::Sufficient),
    s("DHE-RSA-AES256-GCM-SHA384", Class::Sufficient),
    s("DHE-RSA-CHACHA20-POLY1305", Class::Sufficient),
    s("DHE-RSA-AES128-GCM-SHA256", Class::Sufficient),
    s("DHE-RSA-AES256-SHA256", Class::Sufficient),
    s("DHE-RSA-AES128-SHA256", Class::Sufficient),
    s("DHE-RSA-AES256-SHA", Class::Sufficient),
    s("DHE-RSA-AES128-SHA", Class::Sufficient),
    // Phase out: 3DES, and static RSA key exchange (no forward secrecy).
    s("ECDHE-ECDSA-DES-CBC3-SHA", Class::PhaseOut),
    s("ECDHE-RSA-DES-CBC3-SHA", Class::PhaseOut),
    s("EDH-RSA-DES-CBC3-SHA", Class::PhaseOut),
    s("AES256-GCM-SHA384", Class::PhaseOut),
    s("AES128-GCM-SHA256", Class::PhaseOut),
    s("AES256-SHA256", Class::PhaseOut),
    s("AES128-SHA256", Class::PhaseOut),
    s("AES256-SHA", Class::PhaseOut),
    s("AES128-SHA", Class::PhaseOut),
    s("DES-CBC3-SHA", Class::PhaseOut),
    // Insufficient: no encryption, no authentication, broken ciphers.
    s("NULL-SHA256", Class::Insufficient),
    s("NULL-SHA", Class::Insufficient),
    s("NULL-MD5", Class::Insufficient),
    s("ECDHE-ECDSA-NULL-SHA", Class::Insufficient),
    s("ECDHE-RSA-NULL-SHA", Class::Insufficient),
    s("AECDH-AES256-SHA", Class::Insufficient),
    s("AECDH-AES128-SHA", Class::Insufficient),
    s("AECDH-NULL-SHA", Class::Insufficient),
    s("ADH-AES256-GCM-SHA384", Class::Insufficient),
    s("ADH-AES128-GCM-SHA256", Class::Insufficient),
    s("ADH-AES256-SHA256", Class::Insufficient),
    s("ADH-AES128-SHA", Class::Insufficient),
    s("ADH-DES-CBC3-SHA", Class::Insufficient),
    s("RC4-SHA", Class::Insufficient),
    s("RC4-MD5", Class::Insufficient),
    s("ECDHE-RSA-RC4-SHA", Class::Insufficient),
    s("DES-CBC-SHA", Class::Insufficient),
    s("EXP-RC4-MD5", Class::Insufficient),
    s("EXP-DES-CBC-SHA", Class::Insufficient),
];

/// The class of a suite by its OpenSSL name or its IANA/rustls name.
pub fn suite(name: &str) -> Class {
    if let Some(s) = LEGACY_SUITES.iter().find(|s| s.openssl == name) {
        return s.class;
    }
    let iana = name.trim_start_matches("TLS13_").trim_start_matches("TLS_");
    let aead = iana.contains("GCM") || iana.contains("CHACHA20_POLY1305");
    match () {
        // TLS 1.3 (rustls calls them TLS13_...).
        _ if name.starts_with("TLS13_")
            || iana.starts_with("AES_")
            || iana.starts_with("CHACHA20") =>
        {
            if aead {
                Class::Good
            } else {
                Class::Sufficient
            }
        }
        _ if iana.starts_with("ECDHE_") && aead => Class::Good,
        // OpenSSL names of the good TLS 1.2 suites.
        _ if (name.starts_with("ECDHE-ECDSA-") || name.starts_with("ECDHE-RSA-"))
            && (name.contains("GCM") || name.contains("CHACHA20")) =>
        {
            Class::Good
        }
        _ => Class::Insufficient,
    }
}

/// A key-exchange group's class, by rustls's or OpenSSL's name.
pub fn group(name: &str) -> Class {
    match name.to_ascii_lowercase().as_str() {
        "x25519" | "x448" | "secp256r1" | "secp384r1" | "secp521r1" | "prime256v1" | "p-256"
        | "p-384" | "p-521" => Class::Good,
        "secp224r1" | "p-224" => Class::PhaseOut,
        "ffdhe8192" | "ffdhe6144" | "ffdhe4096" | "ffdhe3072" => Class::Sufficient,
        "ffdhe2048" => Class::PhaseOut,
        _ => Class::Insufficient,
    }
}

/// Finite-field Diffie-Hellman by its size in bits.
pub fn dh(bits: u32) -> Class {
    match bits {
        3072.. => Class::Sufficient,
        2048..=3071 => Class::PhaseOut,
        _ => Class::Insufficient,
    }
}

/// A certificate's public key: `rsa` with its bits, an EC curve OID, or
/// `ed25519`/`ed448`.
pub fn certificate_key(kind: &str, bits: usize) -> Class {
    match kind {
        "rsa" if bits >= 3072 => Class::Good,
        "rsa" if bits >= 2048 => Class::Sufficient,
        "rsa" => Class::Insufficient,
        "P-256" | "P-384" | "P-521" | "ed25519" | "ed448" => Class::Good,
        "P-224" => Class::PhaseOut,
        _ => Class::Insufficient,
    }
}

/// A certificate signature algorithm by OID, with a readable name.
pub fn signature(oid: &str) -> (&'static str, Class) {
    match oid {
        "1.2.840.113549.1.1.11" => ("sha256WithRSAEncryption", Class::Good),
        "1.2.840.113549.1.1.12" => ("sha384WithRSAEncryption", Class::Good),
        "1.2.840.113549.1.1.13" => ("sha512WithRSAEncryption", Class::Good),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", Class::Good),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", Class::Good),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", Class::Good),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", Class::Good),
        "1.3.101.112" => ("Ed25519", Class::Good),
        "1.3.101.113" => ("Ed448", Class::Good),
        "1.2.840.113549.1.1.5" => ("sha1WithRSAEncryption", Class::Insufficient),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", Class::Insufficient),
        "1.2.840.113549.1.1.4" => ("md5WithRSAEncryption", Class::Insufficient),
        _ => ("unknown", Class::Sufficient),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(version("TLSv1.3"), Class::Good);
        assert_eq!(version("TLSv1.2"), Class::Sufficient);
        assert_eq!(version("TLSv1.1"), Class::PhaseOut);
        assert_eq!(version("TLSv1"), Class::PhaseOut);
        assert_eq!(version("SSLv3"), Class::Insufficient);
    }

    #[test]
    fn suites_by_either_name() {
        assert_eq!(suite("TLS13_AES_256_GCM_SHA384"), Class::Good);
        assert_eq!(suite("TLS13_CHACHA20_POLY1305_SHA256"), Class::Good);
        assert_eq!(suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), Class::Good);
        assert_eq!(suite("ECDHE-ECDSA-AES256-GCM-SHA384"), Class::Good);
        assert_eq!(suite("ECDHE-RSA-AES128-SHA"), Class::Sufficient);
        assert_eq!(suite("DHE-RSA-AES256-GCM-SHA384"), Class::Sufficient);
        assert_eq!(suite("AES128-GCM-SHA256"), Class::PhaseOut);
        assert_eq!(suite("ECDHE-RSA-DES-CBC3-SHA"), Class::PhaseOut);
        assert_eq!(suite("RC4-SHA"), Class::Insufficient);
        assert_eq!(suite("ADH-AES128-SHA"), Class::Insufficient);
        assert_eq!(suite("something-new"), Class::Insufficient);
    }

    #[test]
    fn groups_keys_and_signatures() {
        assert_eq!(group("X25519"), Class::Good);
        assert_eq!(group("secp384r1"), Class::Good);
        assert_eq!(group("secp224r1"), Class::PhaseOut);
        assert_eq!(dh(4096), Class::Sufficient);
        assert_eq!(dh(2048), Class::PhaseOut);
        assert_eq!(dh(1024), Class::Insufficient);
        assert_eq!(certificate_key("rsa", 4096), Class::Good);
        assert_eq!(certificate_key("rsa", 2048), Class::Sufficient);
        assert_eq!(certificate_key("rsa", 1024), Class::Insufficient);
        assert_eq!(certificate_key("P-256", 256), Class::Good);
        assert_eq!(signature("1.2.840.113549.1.1.5").1, Class::Insufficient);
        assert_eq!(signature("1.2.840.10045.4.3.2").1, Class::Good);
    }
}

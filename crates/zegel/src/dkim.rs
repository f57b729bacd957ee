//! `zegel dkim keygen`: a new DKIM key (Ed25519, or RSA of at least 2048
//! bits) written owner-only to a file that must not exist yet, and the DNS
//! TXT record to publish.

use std::io::Write;
use std::path::PathBuf;
use zegel_mailauth::DkimKey;

/// Which kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Algorithm {
    /// Ed25519 (RFC 8463): short keys and records.
    Ed25519,
    /// RSA (rsa-sha256), what every verifier knows.
    Rsa,
}

/// The options of `zegel dkim keygen`.
#[derive(Debug, Clone, clap::Args)]
pub struct KeygenOptions {
    /// The signing domain (d=).
    #[arg(long, value_name = "D")]
    pub domain: String,
    /// The selector (s=): the record goes at S._domainkey.D.
    #[arg(long, value_name = "S")]
    pub selector: String,
    /// ed25519 (default) or rsa.
    #[arg(long, value_enum, default_value = "ed25519")]
    pub algorithm: Algorithm,
    /// RSA key size (at least 2048).
    #[arg(long, default_value_t = 2048)]
    pub bits: usize,
    /// Where to write the key; default S.D.pem.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

fn label_ok(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Writes the key and prints the record's name and value.
pub fn keygen(options: KeygenOptions) -> Result<(), String> {
    let domain = options
        .domain
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let selector = options.selector.trim().to_ascii_lowercase();
    if !label_ok(&domain) {
        return Err(format!("--domain '{}' is no domain name", options.domain));
    }
    if !label_ok(&selector) {
        return Err(format!("--selector '{}' is no DNS label", options.selector));
    }
    let pem = match options.algorithm {
        Algorithm::Ed25519 => DkimKey::generate_ed25519_pem(),
        Algorithm::Rsa => DkimKey::generate_rsa_pem(options.bits),
    }
    .map_err(|e| e.to_string())?;
    let key = DkimKey::from_pem(&pem).ok_or("the generated key cannot be read back")?;
    let out = options
        .out
        .unwrap_or_else(|| PathBuf::from(format!("{selector}.{domain}.pem")));
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    file.open(&out)
        .and_then(|mut f| f.write_all(pem.as_bytes()).and_then(|()| f.sync_all()))
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                format!("{} exists; not overwritten", out.display())
            }
            _ => format!("cannot write {}: {e}", out.display()),
        })?;
    let name = format!("{selector}._domainkey.{domain}");
    let value = key.dns_record();
    // A zone file splits a TXT value into strings of at most 255 bytes.
    let strings: Vec<String> = value
        .as_bytes()
        .chunks(255)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect();
    println!("key:   {}", out.display());
    println!("name:  {name}");
    println!("type:  TXT");
    println!("value: {value}");
    println!();
    println!("{name}. IN TXT ( {} )", strings.join(" "));
    Ok(())
}

//! The SMTP server's TLS: the configured certificate, or a development
//! certificate (self-signed, made with rcgen) kept in the data folder.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A rustls server configuration from `files`, or a development certificate.
pub fn server_config(
    files: Option<&(PathBuf, PathBuf)>,
    data_dir: &Path,
    hostname: &str,
) -> Result<Arc<rustls::ServerConfig>, String> {
    let (cert, key) = match files {
        Some((c, k)) => (c.clone(), k.clone()),
        None => development_certificate(data_dir, hostname)?,
    };
    let certs = CertificateDer::pem_file_iter(&cert)
        .and_then(|i| i.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cannot read TLS certificate {}: {e}", cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(&key)
        .map_err(|e| format!("cannot read TLS key {}: {e}", key.display()))?;
    let config = rustls::ServerConfig::builder_with_provider(zegel_net::tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("TLS certificate and key do not fit: {e}"))?;
    Ok(Arc::new(config))
}

fn development_certificate(data_dir: &Path, hostname: &str) -> Result<(PathBuf, PathBuf), String> {
    let dir = data_dir.join("tls");
    let cert = dir.join("dev-cert.pem");
    let key = dir.join("dev-key.pem");
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let made = rcgen::generate_simple_self_signed(vec![hostname.to_string(), "localhost".into()])
        .map_err(|e| format!("cannot make a development certificate: {e}"))?;
    std::fs::write(&cert, made.cert.pem()).map_err(|e| e.to_string())?;
    write_private(&key, made.signing_key.serialize_pem().as_bytes())?;
    println!("zegel: made a development TLS certificate {} (configure [smtp] tls_cert/tls_key for production)", cert.display());
    Ok((cert, key))
}

/// Writes a file readable only by its owner.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

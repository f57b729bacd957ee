//! `zegel init`: a commented `zegel.toml`, the key-encryption key, a DKIM
//! key, and the data folder, ready for `zegel serve --config`.

use std::path::Path;

/// The commented configuration written by `zegel init`.
const TEMPLATE: &str = include_str!("../zegel.example.toml");

/// Writes the files into `dir`; refuses to overwrite an existing config.
pub fn run(dir: &Path, domain: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let config = dir.join("zegel.toml");
    if config.exists() {
        return Err(format!(
            "{} exists already; not overwriting it",
            config.display()
        ));
    }
    let data = dir.join("zegel-data");
    std::fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    crate::serve::load_or_create_kek(&data.join("kek.key"))?;
    let dkim_file = data.join("dkim-ed25519.pem");
    let pem = zegel_mailauth::DkimKey::generate_ed25519_pem().map_err(|e| e.to_string())?;
    crate::tls::write_private(&dkim_file, pem.as_bytes())?;
    let key = zegel_mailauth::DkimKey::from_pem(&pem).ok_or("generated DKIM key unreadable")?;
    let text = TEMPLATE.replace("example.nl", domain);
    std::fs::write(&config, text).map_err(|e| format!("cannot write {}: {e}", config.display()))?;
    println!("zegel: wrote {}", config.display());
    println!("zegel: data folder {}", data.display());
    println!(
        "zegel: publish this DKIM record:\n  zegel._domainkey.{domain}. IN TXT \"{}\"",
        key.dns_record()
    );
    println!("Start with: zegel serve --config {}", config.display());
    Ok(())
}

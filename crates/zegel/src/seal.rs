//! `zegel seal`: files packed into one AES-256 encrypted archive (7z with
//! the names hidden, or ZIP with AES), with a new random password that is
//! either printed (no phone number given) or sent by SMS through the
//! configured provider (`[sms]`, the outbox by default) and then not shown.
//!
//! The password is never written anywhere else and never logged. An SMS
//! that cannot be sent removes the archive again: nobody could open it.

use std::io::Write;
use std::path::{Path, PathBuf};
use zegel_archive::{Entry, Format, PackOptions, Password};
use zegel_outbound::PhoneNumber;

/// What `zegel seal` was asked to do.
#[derive(clap::Args)]
pub struct Options {
    /// The archive format: 7z (names encrypted) or zip.
    #[arg(long, default_value = "7z", value_name = "7z|zip")]
    pub format: Format,
    /// Send the password to this phone number instead of printing it.
    #[arg(long, value_name = "+316…")]
    pub sms: Option<String>,
    /// The configuration file (zegel.toml): [sms], [storage] data_dir.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The archive to write.
    #[arg(short = 'o', long = "out", value_name = "OUT")]
    pub out: PathBuf,
    /// Overwrite OUT when it exists.
    #[arg(long)]
    pub force: bool,
    /// The files to pack.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Packs the files; `Err` holds a message for the user (exit status 2).
pub fn run(options: Options) -> Result<(), String> {
    // Everything that can be wrong is checked before anything is written.
    let phone = options
        .sms
        .as_deref()
        .map(|n| {
            PhoneNumber::parse(n).map_err(|_| {
                format!("--sms '{n}' is geen telefoonnummer / is not a phone number (e.g. +31612345678)")
            })
        })
        .transpose()?;
    let sender = match &phone {
        Some(_) => {
            let settings = crate::settings::ServeSettings::load(options.config.as_deref())
                .map_err(|e| e.to_string())?;
            Some(zegel_outbound::sms::sms_sender(&settings.sms).map_err(|e| e.to_string())?)
        }
        None => None,
    };
    if options.out.exists() && !options.force {
        return Err(format!(
            "{} bestaat al / already exists (use --force to overwrite)",
            options.out.display()
        ));
    }
    let mut contents = Vec::with_capacity(options.files.len());
    for file in &options.files {
        if !file.is_file() {
            return Err(format!("{}: geen bestand / not a file", file.display()));
        }
        if same_file(file, &options.out) {
            return Err(format!(
                "{}: the archive cannot be one of its own inputs",
                file.display()
            ));
        }
        let data = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        contents.push((name, data));
    }
    let entries: Vec<Entry<'_>> = contents
        .iter()
        .map(|(name, data)| Entry::new(name, data))
        .collect();

    let password = Password::generate().map_err(|e| e.to_string())?;
    let pack_options = PackOptions {
        format: options.format,
        modified: Some(std::time::SystemTime::now()),
        ..PackOptions::default()
    };
    let packed =
        zegel_archive::pack(&entries, &password, &pack_options).map_err(|e| e.to_string())?;
    write_whole(&options.out, &packed.bytes)
        .map_err(|e| format!("{}: {e}", options.out.display()))?;
    let summary = format!(
        "{}: {} ({} {}, AES-256{})",
        options.out.display(),
        options.format,
        packed.names.len(),
        if packed.names.len() == 1 {
            "file"
        } else {
            "files"
        },
        if options.format.hides_names() {
            ", names encrypted"
        } else {
            "; ZIP cannot hide the file names"
        }
    );

    match (phone, sender) {
        (Some(phone), Some(sender)) => {
            let text = sms_text(password.as_str());
            let runtime = crate::cli_runtime()?;
            if let Err(e) = runtime.block_on(sender.send(&phone, &text)) {
                let _ = std::fs::remove_file(&options.out);
                return Err(format!(
                    "SMS niet verstuurd / not sent ({e}); {} removed",
                    options.out.display()
                ));
            }
            eprintln!("zegel: {summary}");
            eprintln!(
                "zegel: wachtwoord per SMS naar / password sent by SMS to {}",
                phone.masked()
            );
        }
        _ => {
            eprintln!("zegel: {summary}");
            eprintln!("zegel: wachtwoord / password (send it another way than the archive):");
            println!("{}", password.as_str());
        }
    }
    Ok(())
}

/// The SMS with the password, Dutch and English, short enough for one or
/// two messages.
pub fn sms_text(password: &str) -> String {
    format!(
        "Wachtwoord voor het versleutelde bestand dat u per e-mail krijgt: {password}\n\
         Password for the encrypted file you receive by e-mail."
    )
}

/// Whether `a` and `b` name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes `bytes` to a temporary file next to `path`, syncs it and renames
/// it into place: a crash leaves no half archive under the name.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temp = dir.join(format!(
        ".{}.zegel-seal.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sms_holds_the_password_in_both_languages() {
        let text = super::sms_text("abcd-efgh");
        assert!(text.contains("abcd-efgh"));
        assert!(text.contains("Wachtwoord") && text.contains("Password"));
    }
}

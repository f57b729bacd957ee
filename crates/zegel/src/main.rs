//! The zegel binary: the command line over the assessment core (and, as the
//! product grows, the servers).
//!
//! # Layout
//! - `main.rs`: the commands and their options (clap).
//! - `config.rs`: `zegel.toml`, read raw, validated, handed out per part.
//! - `classify.rs`: `zegel classify`.
//! - `settings.rs`: `zegel serve`'s settings with their defaults.
//! - `serve.rs`: `zegel serve`: wiring and graceful shutdown.
//! - `milter.rs`: the milter's answers from the assessment.
//! - `tls.rs`: server certificates (configured or development).
//! - `init.rs`: `zegel init`.
//! - `user.rs`: `zegel user`.
//! - `audit.rs`: `zegel audit verify|export`.
//! - `check_domain.rs`: `zegel check-domain`.
//! - `seal.rs`: `zegel seal` (files into an encrypted archive).
//! - `verify.rs`: `zegel verify` (SPF, DKIM, DMARC, ARC of one message).
//! - `dkim.rs`: `zegel dkim keygen`.

mod audit;
mod check_domain;
mod classify;
mod config;
mod dkim;
mod init;
mod milter;
mod seal;
mod serve;
mod settings;
mod tls;
mod user;
mod verify;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use zegel_assess::Lang;

/// zegel: secure e-mail that knows when it must be secure.
#[derive(Parser)]
#[command(name = "zegel", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Assess e-mail messages: must each go securely, and why?
    ///
    /// Reads .eml files, every .eml below a directory, or standard input
    /// (`-`). Prints per message the verdict and the reasons; with --json one
    /// JSON object per line. Exit status 2 when any input could not be read
    /// or parsed, 0 otherwise.
    Classify {
        /// The configuration file (zegel.toml): organisation, policy, limits.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// A domain of the organisation (subdomains included); repeatable, adds to the config.
        #[arg(long = "internal-domain", value_name = "DOMAIN")]
        internal_domains: Vec<String>,
        /// One JSON object per message, per line.
        #[arg(long)]
        json: bool,
        /// Language of reasons and warnings: nl (default) or en.
        #[arg(long, default_value = "nl", value_name = "nl|en")]
        lang: Lang,
        /// .eml files, directories, or - for standard input.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Run zegel: the SMTP relay and submission server, the milter and the
    /// delivery queue. Without --config it runs on embedded defaults
    /// (SQLite and ./zegel-data).
    Serve {
        /// The configuration file (zegel.toml).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Write a commented zegel.toml, a key-encryption key, a DKIM key and
    /// the data folder.
    Init {
        /// Where to write them.
        #[arg(long, default_value = ".", value_name = "DIR")]
        dir: PathBuf,
        /// The organisation's mail domain.
        #[arg(long, default_value = "example.nl", value_name = "DOMAIN")]
        domain: String,
    },
    /// Accounts that may submit mail (SMTP AUTH).
    User {
        /// The configuration file (zegel.toml), for the data folder.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(subcommand)]
        action: user::UserAction,
    },
    /// The audit log: verify its hash chain, or export it (CSV, JSON lines).
    Audit {
        /// The configuration file (zegel.toml), for the data folder.
        #[arg(long, value_name = "FILE", global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        action: audit::AuditAction,
    },
    /// Check how well a mail domain is set up, like internet.nl's mail test.
    ///
    /// SPF, DMARC, DKIM; per MX host STARTTLS, TLS versions, cipher suites
    /// and key exchange (NCSC-NL TLS guidelines), certificate and DANE;
    /// MTA-STS and TLS-RPT. Prints a score and per check the status and
    /// advice; with --json one JSON object. Uses the resolvers of [dns]
    /// servers (else the system's). Exit status 0 when a report was made
    /// (whatever the score), 2 on bad input or configuration.
    CheckDomain {
        /// The mail domain (the part after @).
        #[arg(value_name = "DOMAIN")]
        domain: String,
        /// The configuration file (zegel.toml): [dns] servers, [dkim] selector.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// The report as one JSON object.
        #[arg(long)]
        json: bool,
        /// Language of the text: nl (default) or en.
        #[arg(long, default_value = "nl", value_name = "nl|en")]
        lang: Lang,
        /// A DKIM selector in use (the s= of your signatures); repeatable.
        #[arg(long = "dkim-selector", value_name = "SELECTOR")]
        dkim_selectors: Vec<String>,
        /// SMTP port of the MX hosts (a lab or a test).
        #[arg(long, default_value_t = 25, value_name = "PORT")]
        smtp_port: u16,
        /// HTTPS port of the MTA-STS policy host (a lab or a test).
        #[arg(long, default_value_t = 443, value_name = "PORT")]
        https_port: u16,
        /// Trust only the CA certificates in this PEM file, not the system's.
        #[arg(long, value_name = "FILE")]
        ca_file: Option<PathBuf>,
        /// Seconds allowed per step (DNS query, connection, handshake, fetch).
        #[arg(long = "timeout", default_value_t = 10, value_name = "SECS")]
        timeout_secs: u64,
    },
    /// Check a received message: SPF, each DKIM signature, DMARC and ARC,
    /// each with its result and why, and the Authentication-Results header.
    ///
    /// Exit status 0 whatever the results; 2 when the message or the
    /// configuration cannot be read.
    Verify {
        /// The message (.eml), or - for standard input.
        #[arg(value_name = "FILE.eml")]
        file: PathBuf,
        /// The address of the SMTP client that sent it (SPF needs it).
        #[arg(long = "client-ip", value_name = "IP")]
        client_ip: Option<std::net::IpAddr>,
        /// The name the client gave in HELO/EHLO.
        #[arg(long, value_name = "NAME")]
        helo: Option<String>,
        /// The envelope sender (MAIL FROM).
        #[arg(long = "mail-from", value_name = "ADDR")]
        mail_from: Option<String>,
        /// The configuration file (zegel.toml): [dns] servers, [smtp] hostname.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Language of the reasons: nl (default) or en.
        #[arg(long, default_value = "nl", value_name = "nl|en")]
        lang: Lang,
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
    /// DKIM keys for signing outgoing mail.
    Dkim {
        #[command(subcommand)]
        action: DkimAction,
    },
    /// Pack files into one AES-256 encrypted archive with a new random
    /// password.
    ///
    /// 7z (the default) hides the file names too; ZIP (AES) shows them.
    /// Without --sms the password is printed on standard output (the rest
    /// on stderr); with --sms it goes by SMS through [sms] of the
    /// configuration (the outbox by default) and is not shown. Exit status
    /// 0 when the archive is written (and the SMS sent), 2 otherwise.
    Seal {
        /// The archive format: 7z (names encrypted) or zip.
        #[arg(long, default_value = "7z", value_name = "7z|zip")]
        format: zegel_archive::Format,
        /// Send the password to this phone number instead of printing it.
        #[arg(long, value_name = "+316…")]
        sms: Option<String>,
        /// The configuration file (zegel.toml): [sms], [storage] data_dir.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// The archive to write.
        #[arg(short = 'o', long = "out", value_name = "OUT")]
        out: PathBuf,
        /// Overwrite OUT when it exists.
        #[arg(long)]
        force: bool,
        /// The files to pack.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum DkimAction {
    /// Make a key, write it (owner-only; an existing file is never
    /// overwritten) and print the DNS TXT record to publish.
    Keygen {
        /// The signing domain (d=).
        #[arg(long, value_name = "D")]
        domain: String,
        /// The selector (s=): the record goes at S._domainkey.D.
        #[arg(long, value_name = "S")]
        selector: String,
        /// ed25519 (default) or rsa.
        #[arg(long, value_enum, default_value = "ed25519")]
        algorithm: dkim::Algorithm,
        /// RSA key size (at least 2048).
        #[arg(long, default_value_t = 2048)]
        bits: usize,
        /// Where to write the key; default S.D.pem.
        #[arg(short = 'o', long = "out", value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ZEGEL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Serve { config } => settings::ServeSettings::load(config.as_deref())
            .map_err(|e| e.to_string())
            .and_then(serve::run),
        Command::Init { dir, domain } => init::run(&dir, &domain),
        Command::User { config, action } => user::run(config.as_deref(), action),
        Command::Seal {
            format,
            sms,
            config,
            out,
            force,
            files,
        } => seal::run(seal::Options {
            format,
            sms,
            config,
            out,
            force,
            files,
        }),
        Command::Verify {
            file,
            client_ip,
            helo,
            mail_from,
            config,
            lang,
            json,
        } => verify::run(verify::Options {
            file,
            client_ip,
            helo,
            mail_from,
            config,
            lang,
            json,
        }),
        Command::Dkim {
            action:
                DkimAction::Keygen {
                    domain,
                    selector,
                    algorithm,
                    bits,
                    out,
                },
        } => dkim::keygen(dkim::KeygenOptions {
            domain,
            selector,
            algorithm,
            bits,
            out,
        }),
        Command::CheckDomain {
            domain,
            config,
            json,
            lang,
            dkim_selectors,
            smtp_port,
            https_port,
            ca_file,
            timeout_secs,
        } => check_domain::run(check_domain::Options {
            domain,
            config,
            json,
            lang,
            dkim_selectors,
            smtp_port,
            https_port,
            ca_file,
            timeout_secs,
        }),
        Command::Audit { config, action } => {
            return match audit::run(config.as_deref(), action) {
                Ok(audit::Outcome::Ok) => ExitCode::SUCCESS,
                Ok(audit::Outcome::Broken) => ExitCode::from(1),
                Err(e) => {
                    eprintln!("zegel: {e}");
                    ExitCode::from(2)
                }
            };
        }
        Command::Classify {
            config,
            internal_domains,
            json,
            lang,
            paths,
        } => {
            let config = match config::AssessConfig::load(config.as_deref(), &internal_domains) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("zegel: {e}");
                    return ExitCode::from(2);
                }
            };
            return if classify::run(config, &paths, classify::OutputOptions { json, lang }) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zegel: {e}");
            ExitCode::from(2)
        }
    }
}

//! The zegel binary: the command line over the assessment core (and, as the
//! product grows, the servers).
//!
//! # Layout
//! - `main.rs`: the commands (clap); the options of check-domain, verify,
//!   seal and dkim keygen are clap `Args` structs in their own modules.
//! - `config.rs`: `zegel.toml`, read raw, validated, handed out per part.
//! - `classify.rs`: `zegel classify`.
//! - `settings.rs`: `zegel serve`'s settings with their defaults.
//! - `serve.rs`: `zegel serve`: wiring and graceful shutdown.
//! - `smtp_backend.rs`: the SMTP server's messages handed on: outgoing to
//!   the outbound pipeline, inbound (`[inbound]`) through zegel-inbound.
//! - `milter.rs`: the milter's answers from the assessment (and, with
//!   `[milter] authenticate`, zegel-inbound's checks).
//! - `tls.rs`: server certificates (configured or development).
//! - `init.rs`: `zegel init`.
//! - `user.rs`: `zegel user`.
//! - `held.rs`: `zegel held list|release|delete`.
//! - `audit.rs`: `zegel audit verify|export`.
//! - `key.rs`: `zegel key status|stage|rotate|retire` (the KEK ring).
//! - `check_domain.rs`: `zegel check-domain`.
//! - `seal.rs`: `zegel seal` (files into an encrypted archive).
//! - `verify.rs`: `zegel verify` (SPF, DKIM, DMARC, ARC of one message).
//! - `dkim.rs`: `zegel dkim keygen`.

mod audit;
mod check_domain;
mod classify;
mod config;
mod dkim;
mod held;
mod init;
mod key;
mod milter;
mod seal;
mod serve;
mod settings;
mod smtp_backend;
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
        /// Print the texts zegel reads from each message (one JSON object
        /// per message: where each text stood and the text) instead of the
        /// assessment; for checking extraction. The output holds the content.
        #[arg(long)]
        texts: bool,
        /// The detectors alone: switch the learned second opinion off
        /// (as `[policy] second_opinion = false`), to see what they decide.
        #[arg(long)]
        no_second_opinion: bool,
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
    /// Held messages (policy `hold`, inbound DMARC quarantine): list,
    /// release or delete them.
    Held {
        /// The configuration file (zegel.toml), for the data folder.
        #[arg(long, value_name = "FILE", global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        action: held::HeldAction,
    },
    /// The audit log: verify its hash chain, or export it (CSV, JSON lines).
    Audit {
        /// The configuration file (zegel.toml), for the data folder.
        #[arg(long, value_name = "FILE", global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        action: audit::AuditAction,
    },
    /// The key-encryption key: show, stage, rotate and retire keys, and
    /// re-wrap the stored data keys (docs/deployment.md, "Key rotation").
    Key {
        /// The configuration file (zegel.toml), for the key file and the
        /// store.
        #[arg(long, value_name = "FILE", global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        action: key::KeyAction,
    },
    /// Check how well a mail domain is set up, like internet.nl's mail test.
    ///
    /// SPF, DMARC, DKIM; per MX host STARTTLS, TLS versions, cipher suites
    /// and key exchange (NCSC-NL TLS guidelines), certificate and DANE;
    /// MTA-STS and TLS-RPT. Prints a score and per check the status and
    /// advice; with --json one JSON object. Uses the resolvers of [dns]
    /// servers (else the system's). Exit status 0 when a report was made
    /// (whatever the score), 2 on bad input or configuration.
    CheckDomain(check_domain::Options),
    /// Check a received message: SPF, each DKIM signature, DMARC and ARC,
    /// each with its result and why, and the Authentication-Results header.
    ///
    /// Exit status 0 whatever the results; 2 when the message or the
    /// configuration cannot be read.
    Verify(verify::Options),
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
    Seal(seal::Options),
}

#[derive(Subcommand)]
enum DkimAction {
    /// Make a key, write it (owner-only; an existing file is never
    /// overwritten) and print the DNS TXT record to publish.
    Keygen(dkim::KeygenOptions),
}

/// The runtime of a one-shot command (user, held, audit, verify, seal):
/// one thread, timers and I/O on.
pub(crate) fn cli_runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

/// Logs a panic by its place in the code only: the default hook prints the
/// panic's message, and a slicing bug's message quotes the text it sliced
/// (message content in the logs). The parts that parse and check content
/// catch panics and fail closed; this keeps what they caught out of the log.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(
            place,
            "internal error (panic); its message is not logged, it may hold content"
        );
    }));
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
    quiet_panics();
    let result = match cli.command {
        Command::Serve { config } => settings::ServeSettings::load(config.as_deref())
            .map_err(|e| e.to_string())
            .and_then(serve::run),
        Command::Init { dir, domain } => init::run(&dir, &domain),
        Command::User { config, action } => user::run(config.as_deref(), action),
        Command::Held { config, action } => held::run(config.as_deref(), action),
        Command::Key { config, action } => key::run(config.as_deref(), action),
        Command::Seal(options) => seal::run(options),
        Command::Verify(options) => verify::run(options),
        Command::Dkim {
            action: DkimAction::Keygen(options),
        } => dkim::keygen(options),
        Command::CheckDomain(options) => check_domain::run(options),
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
            texts,
            no_second_opinion,
            paths,
        } => {
            let config = match config::AssessConfig::load(config.as_deref(), &internal_domains) {
                Ok(mut c) => {
                    if no_second_opinion {
                        c.policy.second_opinion = None;
                    }
                    c
                }
                Err(e) => {
                    eprintln!("zegel: {e}");
                    return ExitCode::from(2);
                }
            };
            return if classify::run(
                config,
                &paths,
                classify::OutputOptions { json, lang, texts },
            ) {
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

//! The zegel binary: the command line over the assessment core (and, as the
//! product grows, the servers).
//!
//! # Layout
//! - `main.rs`: the commands and their options (clap).
//! - `config.rs`: `zegel.toml`, read raw, validated, handed out per part.
//! - `classify.rs`: `zegel classify`.

mod classify;
mod config;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
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
            if classify::run(config, &paths, classify::OutputOptions { json, lang }) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
    }
}

//! `zegel user add|totp|disable|list`: the accounts that may submit mail
//! and sign in to the staff web, with their role (sender or admin), their
//! TOTP second factor, and offboarding.

use crate::settings::ServeSettings;
use std::io::BufRead;
use std::path::Path;

/// What to do with accounts.
#[derive(clap::Subcommand)]
pub enum UserAction {
    /// Add an account or set its password; the password is read from
    /// standard input (one line).
    Add {
        /// The account's e-mail address.
        email: String,
        /// The account's role: `sender` (the default) or `admin`.
        #[arg(long, default_value = "sender", value_parser = ["sender", "admin"])]
        role: String,
    },
    /// Set up (or replace) an account's TOTP second factor: prints the
    /// otpauth:// address and the secret for the authenticator app, once.
    /// Administrators cannot sign in to the web without one.
    Totp {
        /// The account's e-mail address.
        email: String,
    },
    /// Disable an account and end its web sessions; optionally withdraw its
    /// open secure messages or hand them to a colleague.
    Disable {
        /// The account's e-mail address.
        email: String,
        /// Withdraw the account's open secure messages.
        #[arg(long, conflicts_with = "hand_over_to")]
        revoke_messages: bool,
        /// Hand the account's open secure messages to this colleague.
        #[arg(long, value_name = "EMAIL")]
        hand_over_to: Option<String>,
    },
    /// List the accounts.
    List,
}

/// Runs a user command against the configured store.
pub fn run(config: Option<&Path>, action: UserAction) -> Result<(), String> {
    let settings = ServeSettings::load(config).map_err(|e| e.to_string())?;
    let runtime = crate::cli_runtime()?;
    runtime.block_on(async {
        let kek = crate::serve::load_or_create_kek(&settings.key_file)?;
        let store = settings
            .open_store(kek)
            .await
            .map_err(|e| format!("cannot open the store: {e}"))?;
        match action {
            UserAction::Add { email, role } => {
                let role = zegel_store::Role::parse(&role)
                    .ok_or_else(|| format!("unknown role '{role}'"))?;
                if !email.contains('@') {
                    return Err(format!("'{email}' is not an e-mail address"));
                }
                let mut password = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut password)
                    .map_err(|e| e.to_string())?;
                let password = password.trim_end_matches(['\r', '\n']);
                if password.chars().count() < 12 {
                    return Err("the password must be at least 12 characters".into());
                }
                store
                    .set_user(&email, password, role)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("account {email} set, role {}", role.as_str());
                if role == zegel_store::Role::Admin {
                    println!("administrators sign in to the web with a second factor: zegel user totp {email}");
                }
            }
            UserAction::Totp { email } => {
                let secret = store
                    .enroll_totp(&email)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("no account {email}"))?;
                let (url, base32) =
                    zegel_portal::staff::totp::enrollment(&secret, &email, &settings.portal.organization)
                        .ok_or("could not make the TOTP address")?;
                println!("TOTP set for {email}; scan or paste this into the authenticator app:");
                println!("{url}");
                println!("secret: {base32}");
            }
            UserAction::Disable {
                email,
                revoke_messages,
                hand_over_to,
            } => {
                let handover = match (revoke_messages, hand_over_to) {
                    (true, _) => Some(zegel_store::Handover::Revoke),
                    (false, Some(c)) => {
                        let active = store
                            .staff_account(&c)
                            .await
                            .map_err(|e| e.to_string())?
                            .is_some_and(|a| !a.disabled);
                        if !active || c.eq_ignore_ascii_case(&email) {
                            return Err(format!("{c} is not another active account"));
                        }
                        Some(zegel_store::Handover::To(c))
                    }
                    (false, None) => None,
                };
                match handover {
                    None => {
                        if !store
                            .disable_user(&email)
                            .await
                            .map_err(|e| e.to_string())?
                        {
                            return Err(format!("no account {email}"));
                        }
                        println!("account {email} disabled");
                    }
                    Some(h) => {
                        let done = store
                            .offboard(&email, &h, "zegel user disable")
                            .await
                            .map_err(|e| e.to_string())?
                            .ok_or_else(|| format!("no account {email}"))?;
                        let what = match &h {
                            zegel_store::Handover::Revoke => "withdrawn".to_string(),
                            zegel_store::Handover::To(c) => format!("handed over to {c}"),
                        };
                        println!(
                            "account {email} disabled; {} open secure messages {what}",
                            done.packages
                        );
                        // The colleague gets the new status links by mail
                        // (zegel serve delivers it).
                        if let (zegel_store::Handover::To(c), false) =
                            (&h, done.new_status_links.is_empty())
                        {
                            let c = c.to_lowercase();
                            let mail = zegel_outbound::handover_notice(
                                &settings.outbound,
                                &c,
                                &email,
                                &done.new_status_links,
                            );
                            store
                                .accept(zegel_outbound::own_mail(
                                    &settings.outbound,
                                    settings.dkim.is_some(),
                                    &c,
                                    mail,
                                ))
                                .await
                                .map_err(|e| format!("the notice to {c}: {e}"))?;
                            println!(
                                "{c} gets a notice with the new status links of {} message(s)",
                                done.new_status_links.len()
                            );
                        }
                    }
                }
            }
            UserAction::List => {
                for u in store.users().await.map_err(|e| e.to_string())? {
                    println!(
                        "{} {}{}{}",
                        u.email,
                        u.role.as_str(),
                        if u.totp { " totp" } else { "" },
                        if u.disabled { " (disabled)" } else { "" }
                    );
                }
            }
        }
        Ok(())
    })
}

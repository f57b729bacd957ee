//! `zegel user add|disable|list`: the accounts that may submit mail, with
//! their role on the staff web (sender or admin).

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
    /// Disable an account.
    Disable {
        /// The account's e-mail address.
        email: String,
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
        let store =
            zegel_store::Store::open(&settings.data_dir, settings.database_url.as_deref(), kek)
                .await
                .map_err(|e| e.to_string())?;
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
            }
            UserAction::Disable { email } => {
                if !store
                    .disable_user(&email)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    return Err(format!("no account {email}"));
                }
                println!("account {email} disabled");
            }
            UserAction::List => {
                for u in store.users().await.map_err(|e| e.to_string())? {
                    println!(
                        "{} {}{}",
                        u.email,
                        u.role.as_str(),
                        if u.disabled { " (disabled)" } else { "" }
                    );
                }
            }
        }
        Ok(())
    })
}

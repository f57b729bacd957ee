//! `zegel held list|release|delete`: messages kept back — by the policy
//! action `hold`, or as inbound mail whose sender's domain asks for
//! quarantine (DMARC `p=quarantine`) — until a person decides. Releasing
//! sends the held deliveries now; deleting means they are never sent. Both
//! are recorded in the audit trail with who did it.

use crate::settings::ServeSettings;
use std::path::Path;

/// What to do with held messages.
#[derive(clap::Subcommand)]
pub enum HeldAction {
    /// List held messages: id, when, sender, why it came in, recipients.
    List,
    /// Send a held message now.
    Release {
        /// The message id (from `zegel held list`).
        id: zegel_store::MessageId,
        /// Who decides (recorded in the audit trail).
        #[arg(long, default_value = "cli", value_name = "NAME")]
        by: String,
    },
    /// Never send a held message.
    Delete {
        /// The message id (from `zegel held list`).
        id: zegel_store::MessageId,
        /// Who decides (recorded in the audit trail).
        #[arg(long, default_value = "cli", value_name = "NAME")]
        by: String,
    },
}

/// Runs a held-messages command against the configured store.
pub fn run(config: Option<&Path>, action: HeldAction) -> Result<(), String> {
    let settings = ServeSettings::load(config).map_err(|e| e.to_string())?;
    let runtime = crate::cli_runtime()?;
    runtime.block_on(async {
        let store = crate::audit::open(&settings).await?;
        match action {
            HeldAction::List => {
                for m in store.held_messages().await.map_err(|e| e.to_string())? {
                    let at = chrono::DateTime::from_timestamp(m.received_at, 0)
                        .map(|t| t.format("%Y-%m-%d %H:%M:%SZ").to_string())
                        .unwrap_or_default();
                    println!(
                        "{}  {at}  {}  {}  -> {}",
                        m.message_id,
                        m.verdict,
                        if m.mail_from.is_empty() {
                            "<>"
                        } else {
                            &m.mail_from
                        },
                        m.recipients.join(", ")
                    );
                }
            }
            HeldAction::Release { id, by } => {
                let n = store
                    .release_held(&id, &by)
                    .await
                    .map_err(|e| format!("{id}: {e}"))?;
                println!("released {id}: {n} delivery(ies) queued");
            }
            HeldAction::Delete { id, by } => {
                let n = store
                    .delete_held(&id, &by)
                    .await
                    .map_err(|e| format!("{id}: {e}"))?;
                println!("deleted {id}: {n} delivery(ies) will not be sent");
            }
        }
        Ok(())
    })
}

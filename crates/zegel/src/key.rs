//! `zegel key status|stage|rotate|retire`: rotating the key-encryption key
//! (KEK) without taking zegel down, also across several nodes.
//!
//! The procedure (docs/deployment.md): `stage` adds a next key, which every
//! node must know (copy the file, restart) before any node wraps with it;
//! `rotate` makes it the current key (copy, restart); `retire` re-wraps
//! every stored data key under the current key and then drops the previous
//! keys, once no code hash still in use needs them. Each step is audited.
//! Every running node reports its key ids to the database (node_keys.rs
//! in zegel-store): `rotate` refuses while a running node lacks the key
//! that becomes current, `retire` while one still wraps with another.

use crate::settings::ServeSettings;
use std::path::Path;
use zegel_store::audit_export::rfc3339;
use zegel_store::Event;
use zegel_store::{Kek, Store};

/// What to do with the key-encryption key.
#[derive(clap::Subcommand)]
pub enum KeyAction {
    /// Show the key file's keys (by id, never the keys) and which of them
    /// the stored data needs.
    Status,
    /// Add a new key as the next one: every node must run with the changed
    /// file before `zegel key rotate`.
    Stage,
    /// Make the next key the current key (or, with none staged and no
    /// node running, a new one); the current key becomes a previous one.
    /// Restart every node with the changed file afterwards.
    Rotate,
    /// Re-wrap every stored data key under the current key, then remove
    /// the previous keys from the file. Refused while a running node wraps
    /// with another key, and while codes still in use were made with a
    /// previous key (unless --force).
    Retire {
        /// Retire even though access codes and one-time codes made with a
        /// previous key are still in use: they stop matching.
        #[arg(long)]
        force: bool,
    },
}

/// Runs a key command against the configured key file and store.
pub fn run(config: Option<&Path>, action: KeyAction) -> Result<(), String> {
    let settings = ServeSettings::load(config).map_err(|e| e.to_string())?;
    let path = settings.key_file.clone();
    if !path.exists() {
        return Err(format!(
            "no key file at {} (zegel serve or zegel init makes one)",
            path.display()
        ));
    }
    let mut ring = Kek::load(&path).map_err(|e| e.to_string())?;
    let runtime = crate::cli_runtime()?;
    runtime.block_on(async {
        // Opened with the ring as it was before this command changes it.
        let store = settings
            .open_store(ring.duplicate())
            .await
            .map_err(|e| format!("cannot open the store: {e}"))?;
        match action {
            KeyAction::Status => {
                print_ring(&ring);
                print_scan(&store, false).await?;
                print_codes(&store).await?;
                for node in live_nodes(&store).await? {
                    println!(
                        "node {} (seen {} s ago): current {}, holds {}",
                        node.node,
                        zegel_store::now() - node.seen_at,
                        node.current,
                        node.keys.join(", ")
                    );
                }
            }
            KeyAction::Stage => {
                ring.stage_next().map_err(|e| e.to_string())?;
                save(&ring, &path)?;
                let next = ring.info().next.unwrap_or_default();
                audit(&store, Event::KeyStaged, &format!("next key {next} staged")).await?;
                println!("staged next key {next} in {}", path.display());
                println!("next: copy this file to every node and restart each; then run `zegel key rotate`");
            }
            KeyAction::Rotate => {
                let staged = ring.info().next;
                // A running node must hold the key that becomes current, or
                // it could not open what nodes restarted on the new file wrap.
                for node in live_nodes(&store).await? {
                    match &staged {
                        Some(next) if !node.keys.contains(next) => return Err(format!(
                            "node {} runs without the staged key {next}: copy the key file to it and restart it first (or stop it)",
                            node.node
                        )),
                        None => return Err(format!(
                            "node {} is running and no key is staged: run `zegel key stage` and restart every node first, or stop them all",
                            node.node
                        )),
                        _ => {}
                    }
                }
                let old = ring.info().current;
                ring.rotate();
                save(&ring, &path)?;
                let new = ring.info().current;
                audit(
                    &store,
                    Event::KeyRotated,
                    &format!("current key {new}, previous {old}"),
                )
                .await?;
                println!("current key is now {new}; {old} is kept as a previous key");
                if staged.is_none() {
                    println!("no key was staged: a new key was made (no node was running)");
                }
                println!("next: copy this file to every node and restart each; then run `zegel key retire`");
            }
            KeyAction::Retire { force } => {
                if !ring.has_previous() {
                    println!("no previous keys to retire");
                    return Ok(());
                }
                let current = ring.info().current;
                // A running node still wrapping with an older key would
                // write what nothing can open once that key is gone.
                for node in live_nodes(&store).await? {
                    if node.current != current {
                        return Err(format!(
                            "node {} still wraps with key {} (not the current {current}): copy the key file to it and restart it first",
                            node.node, node.current
                        ));
                    }
                }
                println!("re-wrapping stored data keys under the current key {current}");
                let unreadable = print_scan(&store, true).await?;
                let left: u64 = store
                    .scan_wrapped_keys(false)
                    .await
                    .map_err(|e| e.to_string())?
                    .iter()
                    .map(|c| c.other)
                    .sum();
                if left > 0 {
                    return Err(format!("{left} data keys were wrapped with a previous key while this ran: is a node running with the file from before `zegel key rotate` (one that does not report its keys)? Restart it, then retire again"));
                }
                let codes = store.codes_on_other_keys().await.map_err(|e| e.to_string())?;
                if codes.access_codes + codes.one_time_codes > 0 {
                    let until = codes.last_expiry.map(rfc3339).unwrap_or_default();
                    let what = format!(
                        "{} access codes and {} one-time codes still in use were made with a previous key (the last runs out at {until})",
                        codes.access_codes, codes.one_time_codes
                    );
                    if !force {
                        return Err(format!("{what}; retire after that, or now with --force (they stop matching)"));
                    }
                    println!("{what}: they stop matching (--force)");
                }
                let retired = ring.info().previous.join(", ");
                ring.retire_previous();
                save(&ring, &path)?;
                audit(&store, Event::KeyRetired, &format!("previous keys {retired} removed")).await?;
                println!("retired {retired}; the key file holds only the current key {}", ring.info().current);
                if unreadable > 0 {
                    println!("warning: {unreadable} stored data keys open with none of the keys (see above); they were left as they are");
                }
                println!("next: copy this file to every node (a restart is not needed)");
            }
        }
        Ok(())
    })
}

async fn live_nodes(store: &Store) -> Result<Vec<zegel_store::NodeKeys>, String> {
    store
        .live_node_keys()
        .await
        .map_err(|e| format!("cannot read which keys the running nodes hold: {e}"))
}

fn save(ring: &Kek, path: &Path) -> Result<(), String> {
    ring.save_replacing(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

async fn audit(store: &Store, event: zegel_store::Event, detail: &str) -> Result<(), String> {
    store
        .audit(event, None, "key-encryption key", detail)
        .await
        .map_err(|e| {
            format!("the key file is changed, but the audit trail could not record it: {e}")
        })
}

fn print_ring(ring: &Kek) {
    let info = ring.info();
    println!("current   {}", info.current);
    if let Some(next) = &info.next {
        println!("next      {next}");
    }
    for id in &info.previous {
        println!("previous  {id}");
    }
}

/// Prints the wrapped data keys per table (re-wrapping them with
/// `rewrap`); returns how many open with no key of the ring.
async fn print_scan(store: &Store, rewrap: bool) -> Result<u64, String> {
    let counts = store
        .scan_wrapped_keys(rewrap)
        .await
        .map_err(|e| format!("cannot read the stored keys: {e}"))?;
    let other = if rewrap {
        "re-wrapped"
    } else {
        "on other keys"
    };
    println!(
        "{:<20} {:>10} {:>14} {:>10}",
        "stored data keys", "current", other, "unreadable"
    );
    for c in &counts {
        println!(
            "{:<20} {:>10} {:>14} {:>10}",
            c.table, c.current, c.other, c.unreadable
        );
    }
    Ok(counts.iter().map(|c| c.unreadable).sum())
}

async fn print_codes(store: &Store) -> Result<(), String> {
    let codes = store
        .codes_on_other_keys()
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "codes in use made with another key: {} access codes, {} one-time codes{}",
        codes.access_codes,
        codes.one_time_codes,
        codes
            .last_expiry
            .map(|at| format!(" (the last runs out at {})", rfc3339(at)))
            .unwrap_or_default()
    );
    Ok(())
}

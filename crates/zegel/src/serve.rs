//! `zegel serve`: wires the store, the assessment, the outbound pipeline and
//! the front doors (SMTP, milter) together, and shuts them down gracefully
//! on Ctrl-C or SIGTERM.

use crate::settings::{MilterMode, ServeSettings};
use std::path::Path;
use std::sync::Arc;
use zegel_outbound::{Outbound, Relay, SecureAction};
use zegel_smtp::{ServerConfig, SessionConfig};
use zegel_store::Kek;

/// Runs the server until a signal; returns a message for the user on failure.
pub fn run(settings: ServeSettings) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(serve(settings))
}

async fn serve(s: ServeSettings) -> Result<(), String> {
    std::fs::create_dir_all(&s.data_dir)
        .map_err(|e| format!("cannot create data folder {}: {e}", s.data_dir.display()))?;
    let kek = load_or_create_kek(&s.key_file)?;
    // The key ids (never the keys), so an operator can see that every node
    // runs the same key file (docs/deployment.md, "Key rotation").
    let ring = kek.info();
    let lease_owner = lease_owner(&s.data_dir)?;
    let store = s
        .open_store(kek)
        .await
        .map_err(|e| format!("cannot open the store: {e}"))?
        .with_lease_owner(&lease_owner);
    // One process per SQLite database: leases left by a killed run are
    // free. On PostgreSQL other nodes may hold leases: this node's own
    // (from its previous run) are free at once, a dead node's are taken
    // over when they run out (`[delivery] lease_secs`).
    let released = match store.engine() {
        zegel_store::Engine::Sqlite => store.release_leases().await,
        zegel_store::Engine::Postgres => store.release_own_leases().await,
    }
    .map_err(|e| format!("cannot open the queue: {e}"))?;
    if released > 0 {
        println!("zegel: {released} delivery(ies) interrupted by the last stop are due again");
    }
    let dkim = match &s.dkim {
        Some((domain, selector, key)) => {
            let key = zegel_mailauth::DkimKey::load(key).map_err(|e| e.to_string())?;
            Some(Arc::new(zegel_mailauth::DkimSigner::new(
                domain, selector, key,
            )))
        }
        None => None,
    };
    let assessor = Arc::new(s.assess.assessor());
    let sms = zegel_outbound::sms_sender(&s.sms).map_err(|e| format!("SMS provider: {e}"))?;
    let outbound =
        Outbound::new(s.outbound.clone(), store.clone(), assessor, dkim).with_sms(sms.clone());
    // The policy as last set on the staff web, over the config file's.
    match outbound.refresh_policy().await {
        Ok(true) => println!("zegel: policy as changed on the staff web is in force"),
        Ok(false) => {}
        Err(e) => eprintln!("zegel: the policy set on the staff web cannot be used ({e}); the config file's is in force"),
    }
    outbound
        .refresh_contacts()
        .await
        .map_err(|e| format!("cannot read the contact list: {e}"))?;

    let tls = crate::tls::server_config(s.tls.as_ref(), &s.data_dir, &s.outbound.hostname)?;
    let smtp_config = Arc::new(ServerConfig {
        session: SessionConfig {
            hostname: s.outbound.hostname.clone(),
            max_message_bytes: s.max_message_bytes,
            max_recipients: s.max_recipients,
            max_commands: 1000,
            max_errors: 20,
            tls_available: true,
            unusual_addresses: s.unusual_addresses,
            // The internal domains in force, asked at each RCPT.
            inbound: s.relay_inbound.as_ref().map(|_| {
                Arc::new(crate::smtp_backend::InternalDomains(outbound.clone()))
                    as Arc<dyn zegel_smtp::InboundDomains>
            }),
        },
        relay_networks: s.relay_networks.clone(),
        tls: Some(tls),
        command_timeout: s.command_timeout,
        data_timeout: s.command_timeout * 2,
        max_command_line: 4096,
        max_data_line: 64 * 1024,
        max_connections: s.max_connections,
        max_connections_per_address: s.max_connections_per_address,
    });
    let listener = tokio::net::TcpListener::bind(s.smtp_listen)
        .await
        .map_err(|e| format!("cannot listen for SMTP on {}: {e}", s.smtp_listen))?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|v| *v).await;
    };

    println!("zegel: data in {}", s.data_dir.display());
    println!(
        "zegel: key-encryption key {}{}{}",
        ring.current,
        ring.next
            .map(|id| format!(", next {id}"))
            .unwrap_or_default(),
        ring.previous
            .iter()
            .map(|id| format!(", previous {id}"))
            .collect::<String>()
    );
    println!(
        "zegel: SMTP listening on {}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let mut tasks = tokio::task::JoinSet::new();
    let resolver = || {
        zegel_mailauth::DnsResolver::new(&zegel_mailauth::DnsConfig::servers(
            s.outbound.dns_servers.clone(),
        ))
    };
    let relay_inbound = match &s.relay_inbound {
        Some(policy) => {
            let resolver = resolver().map_err(|e| format!("inbound: {e}"))?;
            println!(
                "zegel: SMTP takes mail for the internal domains (now {}) from anyone: checks SPF, DKIM, DMARC and ARC{}, then delivers to {}",
                outbound.domains().internal().join(", "),
                dmarc_actions(policy),
                match &s.outbound.inbound_relay {
                    Some(relay) => relay.to_string(),
                    None => "nowhere yet ([inbound] deliver_to)".to_string(),
                }
            );
            Some(crate::smtp_backend::Inbound {
                resolver,
                policy: policy.clone(),
            })
        }
        None => None,
    };
    let backend = Arc::new(
        crate::smtp_backend::SmtpBackend::new(outbound.clone(), relay_inbound)
            .with_send_as(s.send_as.clone())
            .with_login_limits(s.login),
    );
    tasks.spawn(zegel_smtp::serve(
        listener,
        smtp_config,
        backend,
        stopped(stop_rx.clone()),
    ));
    if let Some(addr) = s.milter_listen {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen for the milter on {addr}: {e}"))?;
        println!("zegel: milter listening on {addr}");
        let inbound = match &s.milter_inbound {
            Some(policy) => {
                let resolver = resolver().map_err(|e| format!("milter: {e}"))?;
                println!(
                    "zegel: milter checks SPF, DKIM, DMARC and ARC of mail from clients that did not log in{}",
                    dmarc_actions(policy)
                );
                Some(crate::milter::Inbound {
                    resolver,
                    policy: policy.clone(),
                })
            }
            None => None,
        };
        let handler = Arc::new(crate::milter::Handler::new(
            outbound.clone(),
            s.milter_mode == MilterMode::Headers,
            inbound,
        ));
        // Postfix keeps a milter connection open, silent, while its SMTP
        // client is idle: stay above its smtpd_timeout (300 s by default).
        let config = zegel_smtp::milter::MilterConfig {
            max_message_bytes: s.max_message_bytes,
            read_timeout: s.command_timeout.max(std::time::Duration::from_secs(600)),
        };
        tasks.spawn(zegel_smtp::milter::serve(
            listener,
            config,
            handler,
            stopped(stop_rx.clone()),
        ));
    }
    println!("zegel: delivering to {}", s.outbound.relay);
    if s.outbound.secure_action == SecureAction::Tls {
        match s.outbound.relay {
            Relay::Mx { .. } => println!(
                "zegel: action tls: domains with an MTA-STS policy in mode enforce get secure mail over verified TLS, the others the portal (DANE is not checked)"
            ),
            Relay::Host { .. } => println!(
                "zegel: action tls with relay_host: zegel does not make the last hop, so external recipients of secure mail get the portal"
            ),
        }
    }
    let http = tokio::net::TcpListener::bind(s.http_listen)
        .await
        .map_err(|e| format!("cannot listen for HTTP on {}: {e}", s.http_listen))?;
    println!(
        "zegel: portal listening on {} (links point at {})",
        http.local_addr().map_err(|e| e.to_string())?,
        s.outbound.public_url
    );
    let mut portal = zegel_portal::Portal::new(s.portal.clone(), outbound.clone(), sms);
    if let Some(config) = &s.staff_oidc {
        let provider = zegel_portal::OidcProvider::new(config.clone(), &s.outbound.public_url)
            .map(Arc::new)
            .map_err(|e| format!("[staff_oidc]: {e}"))?;
        println!(
            "zegel: staff sign-in through OpenID Connect at {} (redirect URI {})",
            config.issuer,
            provider.callback_url()
        );
        // Discovery now, but without waiting for it: the gateway and the
        // password sign-in do not depend on the provider. Until it answers,
        // its button leads to a page that says it cannot be reached, and
        // each sign-in tries again.
        let first = provider.clone();
        tokio::spawn(async move {
            match first.discover(false).await {
                Ok(_) => println!(
                    "zegel: OpenID Connect provider {} reached",
                    first.config().issuer
                ),
                Err(e) => eprintln!(
                    "zegel: OpenID Connect: {e}; sign-in through it is tried again at each attempt"
                ),
            }
        });
        portal = portal.with_oidc(provider);
    }
    tasks.spawn(zegel_portal::serve(
        http,
        portal.clone(),
        stopped(stop_rx.clone()),
    ));
    let expiry_stop = stopped(stop_rx.clone());
    tasks.spawn(async move {
        portal.run_expiry(expiry_stop).await;
        Ok(())
    });
    let follower = outbound.clone();
    let follow_stop = stopped(stop_rx.clone());
    tasks.spawn(async move {
        follower.follow_policy(follow_stop).await;
        Ok(())
    });
    let worker = outbound.clone();
    let worker_stop = stopped(stop_rx.clone());
    tasks.spawn(async move {
        worker
            .run_deliveries(worker_stop)
            .await
            .map_err(std::io::Error::other)
    });

    // Housekeeping: originals, copies and codes no longer needed are
    // destroyed, and the audit log kept to its retention (purge.rs).
    let purger = store.clone();
    let holds = outbound.clone();
    let (policy, every) = (s.purge, s.purge_every);
    let mut purge_stop = stop_rx.clone();
    tasks.spawn(async move {
        loop {
            // Held mail its sender did not confirm in time is dropped, and
            // the sender told (issue 19 item 5).
            if let Err(e) = holds.expire_holds().await {
                tracing::warn!(error = %e, "dropping unconfirmed held messages failed");
            }
            // Portal copies past their expiry first (the portal does this
            // every minute too), so their originals go in the same round.
            if let Err(e) = purger.expire_packages().await {
                tracing::warn!(error = %e, "expiring secure messages failed");
            }
            match purger.purge(&policy).await {
                Ok(r) if r == zegel_store::PurgeReport::default() => {}
                Ok(r) => tracing::info!(
                    messages = r.messages,
                    blobs = r.blobs,
                    codes = r.codes,
                    audit_rows = r.audit_rows,
                    old_messages = r.old_messages,
                    "destroyed what is no longer kept"
                ),
                Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = purge_stop.changed() => break,
            }
        }
        Ok(())
    });

    // This node's key ids, for `zegel key rotate` and `retire`.
    let node = node_name(&lease_owner);
    store
        .report_node_keys(&node)
        .await
        .map_err(|e| format!("cannot record this node's keys: {e}"))?;
    let reporter = store.clone();
    let reporter_node = node.clone();
    let mut report_stop = stop_rx.clone();
    tasks.spawn(async move {
        let every = std::time::Duration::from_secs(zegel_store::NODE_KEYS_EVERY_SECS);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = report_stop.changed() => break,
            }
            if let Err(e) = reporter.report_node_keys(&reporter_node).await {
                tracing::warn!(error = %e, "cannot record this node's keys");
            }
        }
        Ok(())
    });

    shutdown_signal().await;
    println!("zegel: stopping");
    let _ = stop_tx.send(true);
    while let Some(done) = tasks.join_next().await {
        if let Ok(Err(e)) = done {
            tracing::warn!(error = %e, "a task ended with an error");
        }
    }
    if let Err(e) = store.forget_node_keys(&node).await {
        tracing::warn!(error = %e, "cannot remove this node's keys");
    }
    Ok(())
}

/// This node's name as the holder of delivery leases: a random id kept in
/// `data_dir/node-id`, made at the first start, so the node is the same
/// one after a restart (each node has a data folder of its own).
fn lease_owner(data_dir: &Path) -> Result<String, String> {
    let path = data_dir.join("node-id");
    if let Ok(id) = std::fs::read_to_string(&path) {
        if !id.trim().is_empty() {
            return Ok(id.trim().to_string());
        }
    }
    let id = zegel_store::random_id();
    std::fs::write(&path, format!("{id}\n"))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(id)
}

/// This node's name in the key report: the host name and the start of
/// its lease-owner id, so a node restarted after a crash replaces its own
/// report instead of leaving a stale one beside it.
fn node_name(lease_owner: &str) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "node".into());
    let id: String = lease_owner.chars().take(8).collect();
    format!("{}/{id}", host.trim())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// Reads the key-encryption key, creating it (mode 0600) on first start.
pub fn load_or_create_kek(path: &Path) -> Result<Kek, String> {
    if !path.exists() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        Kek::generate()
            .save_new(path)
            .map_err(|e| format!("cannot create key file {}: {e}", path.display()))?;
        println!("zegel: created key-encryption key {} (back it up: without it the stored mail cannot be read)", path.display());
    }
    Kek::load(path).map_err(|e| e.to_string())
}

/// What the inbound checks do with DMARC failures, for the start-up lines.
fn dmarc_actions(policy: &zegel_inbound::InboundPolicy) -> &'static str {
    match (policy.dmarc_reject, policy.dmarc_quarantine) {
        (true, true) => {
            "; refuses DMARC failures of p=reject domains and holds those of p=quarantine domains"
        }
        (true, false) => "; refuses DMARC failures of p=reject domains",
        (false, true) => "; holds DMARC failures of p=quarantine domains",
        (false, false) => "",
    }
}

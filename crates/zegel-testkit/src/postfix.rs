//! A private Postfix instance on 127.0.0.1 for tests: its own config,
//! queue and data folders in a temporary directory, a milter, and a relay
//! host (the test's sink). Needs root (Postfix drops to its own user) and
//! Debian's postfix package (installed unconfigured by scripts/test).

use std::path::{Path, PathBuf};
use std::process::Command;

/// What the instance connects to.
#[derive(Debug, Clone)]
pub struct PostfixOptions {
    /// The milter's port on 127.0.0.1, if any.
    pub milter_port: Option<u16>,
    /// Where Postfix relays everything: a port on 127.0.0.1.
    pub relay_port: u16,
}

/// A running private Postfix; stopped when dropped.
pub struct Postfix {
    dir: tempfile::TempDir,
    port: u16,
}

/// Whether Postfix is installed here.
pub fn available() -> bool {
    Path::new("/usr/sbin/postfix").exists()
}

impl Postfix {
    /// Writes the configuration and starts Postfix.
    pub fn start(options: PostfixOptions) -> Result<Postfix, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let port = crate::free_port();
        let root = dir.path();
        let conf = root.join("conf");
        std::fs::create_dir_all(&conf).map_err(|e| e.to_string())?;
        let milters = options
            .milter_port
            .map(|p| format!("inet:127.0.0.1:{p}"))
            .unwrap_or_default();
        let main_cf = format!(
            "compatibility_level = 3.6\n\
             queue_directory = {root}/queue\n\
             data_directory = {root}/data\n\
             meta_directory = /etc/postfix\n\
             mail_owner = postfix\n\
             setgid_group = postdrop\n\
             myhostname = postfix.test\n\
             mydomain = postfix.test\n\
             inet_interfaces = 127.0.0.1\n\
             inet_protocols = ipv4\n\
             mydestination =\n\
             local_recipient_maps =\n\
             alias_maps =\n\
             alias_database =\n\
             relayhost = [127.0.0.1]:{relay}\n\
             mynetworks = 127.0.0.0/8\n\
             smtpd_relay_restrictions = permit_mynetworks, reject\n\
             smtpd_milters = {milters}\n\
             non_smtpd_milters =\n\
             milter_default_action = tempfail\n\
             milter_protocol = 6\n\
             smtp_tls_security_level = none\n\
             smtpd_tls_security_level = none\n\
             maillog_file = {root}/postfix.log\n\
             maillog_file_prefixes = {root}\n\
             queue_run_delay = 10s\n\
             minimal_backoff_time = 10s\n\
             maximal_backoff_time = 20s\n\
             smtp_dns_support_level = disabled\n\
             disable_dns_lookups = yes\n",
            root = root.display(),
            relay = options.relay_port,
        );
        let master_cf = format!(
            "127.0.0.1:{port} inet n - n - - smtpd\n\
             pickup unix n - n 60 1 pickup\n\
             cleanup unix n - n - 0 cleanup\n\
             qmgr unix n - n 300 1 qmgr\n\
             rewrite unix - - n - - trivial-rewrite\n\
             bounce unix - - n - 0 bounce\n\
             defer unix - - n - 0 bounce\n\
             trace unix - - n - 0 bounce\n\
             verify unix - - n - 1 verify\n\
             flush unix n - n 1000? 0 flush\n\
             proxymap unix - - n - - proxymap\n\
             smtp unix - - n - - smtp\n\
             relay unix - - n - - smtp\n\
             showq unix n - n - - showq\n\
             error unix - - n - - error\n\
             retry unix - - n - - error\n\
             discard unix - - n - - discard\n\
             local unix - n n - - local\n\
             anvil unix - - n - 1 anvil\n\
             scache unix - - n - 1 scache\n\
             postlog unix-dgram n - n - 1 postlogd\n"
        );
        std::fs::write(conf.join("main.cf"), main_cf).map_err(|e| e.to_string())?;
        std::fs::write(conf.join("master.cf"), master_cf).map_err(|e| e.to_string())?;
        // Postfix refuses to run from a folder its user cannot traverse;
        // its data folder belongs to its own user.
        run(Command::new("chmod").args(["755"]).arg(root))?;
        std::fs::create_dir_all(root.join("queue")).map_err(|e| e.to_string())?;
        std::fs::create_dir_all(root.join("data")).map_err(|e| e.to_string())?;
        run(Command::new("chown").arg("postfix").arg(root.join("data")))?;
        let instance = Postfix { dir, port };
        run(Command::new("/usr/sbin/postfix")
            .arg("-c")
            .arg(&conf)
            .arg("start"))
        .map_err(|e| format!("{e}\n{}", instance.log()))?;
        // Wait until smtpd answers.
        let start = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed().as_secs() > 30 {
                return Err(format!(
                    "postfix did not listen on {port}\n{}",
                    instance.log()
                ));
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Ok(instance)
    }

    /// The smtpd port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Postfix's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("postfix.log")).unwrap_or_default()
    }

    fn conf(&self) -> PathBuf {
        self.dir.path().join("conf")
    }
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{:?} failed: {}{}",
            cmd,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new("/usr/sbin/postfix")
            .arg("-c")
            .arg(self.conf())
            .arg("stop")
            .output();
    }
}

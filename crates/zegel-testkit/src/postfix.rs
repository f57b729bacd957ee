//! A private Postfix instance on 127.0.0.1 for tests: its own config,
//! queue and data folders in a temporary directory, an smtpd on a free
//! port, an optional milter, and a relay host (the test's sink) for
//! everything it accepts. Stopped (and waited for) when dropped, also when
//! the test fails.
//!
//! Needs: Debian's `postfix` package (installed with "No configuration";
//! the system instance is never started) and root, since Postfix's master
//! runs its daemons as the `postfix` user and the `postdrop` group, which
//! the package creates. Nothing else is configured system-wide: `-c DIR`
//! points every command at the private config, and root may use any.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Where the Postfix binary is.
const POSTFIX: &str = "/usr/sbin/postfix";
/// Longest wait for Postfix to listen, or to stop.
const WAIT: Duration = Duration::from_secs(30);

/// What the instance connects to.
#[derive(Debug, Clone, Default)]
pub struct PostfixOptions {
    /// The milter's port on 127.0.0.1 (`smtpd_milters`), if any.
    pub milter_port: Option<u16>,
    /// Where Postfix relays everything: a port on 127.0.0.1.
    pub relay_port: u16,
}

/// A running private Postfix; stopped when dropped.
pub struct Postfix {
    dir: tempfile::TempDir,
    port: u16,
}

/// Whether Postfix is installed here (tests skip without it).
pub fn available() -> bool {
    Path::new(POSTFIX).exists()
}

impl Postfix {
    /// Writes the configuration and starts Postfix; waits until its smtpd
    /// listens.
    pub fn start(options: PostfixOptions) -> Result<Postfix, String> {
        Postfix::start_with(options, &[])
    }

    /// As [`Postfix::start`], with extra `main.cf` settings that override
    /// the defaults here (e.g. `("milter_default_action", "accept")`).
    pub fn start_with(
        options: PostfixOptions,
        main_cf: &[(&str, &str)],
    ) -> Result<Postfix, String> {
        // The port was free a moment ago; another test may take it first,
        // so try a few.
        let mut last = String::new();
        for _ in 0..3 {
            match Postfix::try_start(&options, main_cf) {
                Ok(p) => return Ok(p),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn try_start(options: &PostfixOptions, extra: &[(&str, &str)]) -> Result<Postfix, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let port = crate::free_port();
        let root = dir.path();
        // Postfix's daemons (user postfix) must reach the queue below.
        chmod(root, 0o755)?;
        for sub in ["conf", "queue", "data"] {
            std::fs::create_dir_all(root.join(sub)).map_err(|e| e.to_string())?;
        }
        let conf = root.join("conf");
        std::fs::write(conf.join("main.cf"), main_cf(root, options, extra))
            .map_err(|e| e.to_string())?;
        std::fs::write(conf.join("master.cf"), master_cf(port)).map_err(|e| e.to_string())?;
        // The data folder (locks, caches) belongs to Postfix's user.
        run(Command::new("chown").arg("postfix").arg(root.join("data")))?;
        let instance = Postfix { dir, port };
        // Creates the queue's subfolders with the right owners and modes
        // (`start` checks again; this fails early with a clear message).
        // Not `set-permissions`: that also resets system files.
        instance
            .postfix(&["check"])
            .map_err(|e| format!("{e}\n{}", instance.log()))?;
        instance
            .postfix(&["start"])
            .map_err(|e| format!("{e}\n{}", instance.log()))?;
        let start = Instant::now();
        while !listening(port) {
            if start.elapsed() > WAIT || (start.elapsed().as_secs() > 2 && !instance.running()) {
                return Err(format!(
                    "postfix did not listen on 127.0.0.1:{port}\n{}",
                    instance.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(instance)
    }

    /// The smtpd port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The configuration folder (for `postfix -c`, `postconf -c`, ...).
    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("conf")
    }

    /// Postfix's log so far (its `maillog_file`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("postfix.log")).unwrap_or_default()
    }

    /// The queue listing (`postqueue -p`); "Mail queue is empty" when so.
    pub fn queue(&self) -> String {
        Command::new("/usr/sbin/postqueue")
            .arg("-c")
            .arg(self.config_dir())
            .arg("-p")
            .output()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout).into_owned()
                    + &String::from_utf8_lossy(&o.stderr)
            })
            .unwrap_or_else(|e| e.to_string())
    }

    /// Runs `postfix -c CONF <args>`.
    fn postfix(&self, args: &[&str]) -> Result<(), String> {
        let out = Command::new(POSTFIX)
            .arg("-c")
            .arg(self.config_dir())
            .args(args)
            .output()
            .map_err(|e| format!("{POSTFIX}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "postfix {}: {}{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// The master's process id, from its pid file.
    fn master_pid(&self) -> Option<u32> {
        std::fs::read_to_string(self.dir.path().join("queue/pid/master.pid"))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// Whether this instance's master process runs.
    fn running(&self) -> bool {
        self.master_pid()
            .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists())
    }

    /// Waits until the master is gone; false if it is still there.
    fn wait_stopped(&self, timeout: Duration) -> bool {
        let start = Instant::now();
        while self.running() {
            if start.elapsed() > timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        true
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        // A graceful stop; if the master lingers, Postfix's own abort.
        let _ = self.postfix(&["stop"]);
        if !self.wait_stopped(WAIT) {
            let _ = self.postfix(&["abort"]);
            self.wait_stopped(Duration::from_secs(5));
        }
    }
}

/// Whether something listens on 127.0.0.1:`port`. Read from the kernel's
/// table rather than by connecting: a test connection would make smtpd
/// open a milter connection of its own.
fn listening(port: u16) -> bool {
    match std::fs::read_to_string("/proc/net/tcp") {
        // local_address "0100007F:PORT", state 0A (LISTEN).
        Ok(table) => table.lines().skip(1).any(|line| {
            let mut fields = line.split_whitespace().skip(1);
            let local = fields.next().unwrap_or("");
            let state = fields.nth(1).unwrap_or("");
            local.eq_ignore_ascii_case(&format!("0100007F:{port:04X}")) && state == "0A"
        }),
        Err(_) => std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(),
    }
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn chmod(path: &Path, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("chmod {}: {e}", path.display()))
}

/// main.cf: everything private to `root`, listening and relaying on
/// 127.0.0.1 only, local delivery off, the milter on, logging to a file.
fn main_cf(root: &Path, options: &PostfixOptions, extra: &[(&str, &str)]) -> String {
    let root = root.display();
    let milters = options
        .milter_port
        .map(|p| format!("inet:127.0.0.1:{p}"))
        .unwrap_or_default();
    let mut cf = format!(
        "compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.test
mydomain = postfix.test
myorigin = postfix.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relayhost = [127.0.0.1]:{relay}
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_milters = {milters}
non_smtpd_milters =
milter_default_action = tempfail
milter_protocol = 6
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtp_dns_support_level = disabled
maillog_file = {root}/postfix.log
maillog_file_prefixes = {root}
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
biff = no
",
        relay = options.relay_port,
    );
    for (name, value) in extra {
        cf.push_str(&format!("{name} = {value}\n"));
    }
    cf
}

/// master.cf: smtpd on 127.0.0.1:`port`, the daemons relaying needs, the
/// log daemon; nothing chrooted.
fn master_cf(port: u16) -> String {
    format!(
        "127.0.0.1:{port} inet n - n - - smtpd
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
"
    )
}

//! An SMTP client driven one command at a time, for tests that need to act
//! between commands (disable an account mid-session, count replies under
//! a flood): Python's socket and ssl, so the bytes are exactly the test's.
//! Each line written is one step; each step prints its reply code and
//! text on one line.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

const CLIENT: &str = r#"
import base64, json, socket, ssl, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=120)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        line = f.readline()
        if not line:
            return "000 closed"
        lines.append(line[4:].decode("utf-8", "replace").strip())
        if len(line) < 4 or line[3:4] != b"-":
            return line[:3].decode() + " " + " | ".join(lines)
def out(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
out(reply())
for step in sys.stdin:
    step = step.rstrip("\n")
    try:
        if step == "starttls":
            s.sendall(b"STARTTLS\r\n")
            got = reply()
            if got.startswith("220"):
                ctx = ssl.create_default_context()
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                s = ctx.wrap_socket(s, server_hostname="zegel.test")
                f = s.makefile("rb")
            out(got)
        elif step.startswith("auth "):
            _, user, password = step.split(" ", 2)
            plain = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode())
            s.sendall(b"AUTH PLAIN " + plain + b"\r\n")
            out(reply())
        elif step.startswith("data "):
            message = json.loads(step[5:]).replace("\n", "\r\n")
            s.sendall(message.encode() + b"\r\n.\r\n")
            out(reply())
        else:
            s.sendall(step.encode() + b"\r\n")
            out(reply())
    except (OSError, ssl.SSLError) as e:
        out("000 " + str(e))
"#;

/// One SMTP connection, one step at a time.
pub struct SmtpClient {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// The greeting's reply.
    pub greeting: String,
}

impl SmtpClient {
    /// Connects to zegel's SMTP port.
    pub fn connect(port: u16) -> SmtpClient {
        let mut child = Command::new("python3")
            .args(["-c", CLIENT, &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut greeting = String::new();
        stdout.read_line(&mut greeting).unwrap();
        SmtpClient {
            child,
            stdin,
            stdout,
            greeting,
        }
    }

    /// Connects, says EHLO, starts TLS and says EHLO again.
    pub fn tls(port: u16) -> SmtpClient {
        let mut c = SmtpClient::connect(port);
        assert_eq!(c.code("EHLO client.test"), 250);
        assert_eq!(c.code("starttls"), 220);
        assert_eq!(c.code("EHLO client.test"), 250);
        c
    }

    /// One step (`starttls`, `auth USER PASSWORD`, `data MESSAGE-AS-JSON`,
    /// or a command); its reply as "CODE text" ("000 …" when the server
    /// closed the connection).
    pub fn step(&mut self, step: &str) -> String {
        writeln!(self.stdin, "{step}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        assert!(!line.is_empty(), "the client ended at {step:?}");
        line.trim_end().to_string()
    }

    /// One step's reply code.
    pub fn code(&mut self, step: &str) -> u16 {
        self.step(step)[..3].parse().unwrap()
    }

    /// Sends `message` (LF line ends; CRLF on the wire) after DATA; the
    /// final reply.
    pub fn data(&mut self, message: &str) -> String {
        assert_eq!(self.code("DATA"), 354);
        self.step(&format!("data {}", serde_json::to_string(message).unwrap()))
    }
}

impl Drop for SmtpClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

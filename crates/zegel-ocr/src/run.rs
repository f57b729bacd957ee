//! Running a program with input on a pipe, a time limit and bounded
//! output; a private folder for rendered pages.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Most output read from one program.
const MAX_OUTPUT: usize = 16 * 1024 * 1024;

/// Runs `command` with `input` on its standard input and returns its
/// standard output; killed after `timeout`. `Err` is a reason for people.
pub(crate) fn with_input(
    command: &mut Command,
    input: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{program} does not run: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let input = input.to_vec();
    // Writing and reading on their own threads: a full pipe must not
    // block the wait below.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = (&mut stdout).take(MAX_OUTPUT as u64).read_to_end(&mut out);
        out
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = writer.join();
                let _ = reader.join();
                return Err(format!(
                    "{program} took longer than {} s",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("{program}: {e}")),
        }
    };
    let _ = writer.join();
    let out = reader
        .join()
        .map_err(|_| format!("{program}: reading its output failed"))?;
    if !status.success() {
        return Err(format!("{program} failed ({status})"));
    }
    Ok(out)
}

/// A new folder only this user can enter, in memory when the host has
/// `/dev/shm`; removed when dropped.
pub(crate) fn private_dir() -> Result<tempfile::TempDir, String> {
    let shm = std::path::Path::new("/dev/shm");
    let builder = {
        let mut b = tempfile::Builder::new();
        b.prefix("zegel-ocr-");
        b
    };
    let dir = if shm.is_dir() {
        builder.tempdir_in(shm)
    } else {
        builder.tempdir()
    }
    .map_err(|e| format!("no folder for rendered pages: {e}"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("rendered pages folder: {e}"))?;
    }
    Ok(dir)
}

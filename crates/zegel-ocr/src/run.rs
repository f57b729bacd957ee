//! Running a program with input on a pipe, a time limit and bounded
//! output; a private folder for rendered pages.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use zegel_assess::OcrError;

/// Most output read from one program.
const MAX_OUTPUT: usize = 16 * 1024 * 1024;

/// Runs `command` with `input` on its standard input and returns its
/// standard output; killed after `timeout`.
pub(crate) fn with_input(
    command: &mut Command,
    input: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, OcrError> {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|source| OcrError::NotRunning {
            program: program.clone(),
            source,
        })?;
    // Both are piped above, so both are there.
    let (Some(mut stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(OcrError::Failed {
            program,
            status: "no pipes".into(),
        });
    };
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
                return Err(OcrError::TimedOut {
                    program,
                    seconds: timeout.as_secs(),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(source) => {
                return Err(OcrError::Files {
                    what: "waiting for the program",
                    source,
                })
            }
        }
    };
    let _ = writer.join();
    let out = reader.join().map_err(|_| OcrError::Failed {
        program: program.clone(),
        status: "reading its output failed".into(),
    })?;
    if !status.success() {
        return Err(OcrError::Failed {
            program,
            status: status.to_string(),
        });
    }
    Ok(out)
}

/// A new folder only this user can enter, in memory when the host has
/// `/dev/shm`; removed when dropped.
pub(crate) fn private_dir() -> Result<tempfile::TempDir, OcrError> {
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
    .map_err(|source| OcrError::Files {
        what: "no folder for rendered pages",
        source,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).map_err(
            |source| OcrError::Files {
                what: "rendered pages folder",
                source,
            },
        )?;
    }
    Ok(dir)
}

//! OCR for the assessment: scans, photos of forms and PDF pages without a
//! text layer, read by Tesseract (Debian's `tesseract-ocr` with the Dutch
//! and English data) through its command line, PDF pages rendered by
//! poppler's `pdftoppm`. The command line rather than a binding: the
//! Rust bindings to libtesseract need its C++ headers and a matching
//! version at build time, and a separate process can be killed when it
//! runs past its time and cannot take zegel down with it.
//!
//! Every call is bounded: pictures over `max_pixels` are refused, at most
//! `max_pages` PDF pages are rendered, every program is killed after
//! `timeout_secs`, and at most `max_concurrent` run at once (further calls
//! wait their turn). Pictures go to Tesseract through a pipe; rendered PDF
//! pages are written to a private folder (mode 0700, in `/dev/shm` when
//! the host has it, so in memory) that is removed at once.
//!
//! # Layout
//! - `lib.rs`: [`OcrSettings`] and the [`Ocr`] implementation (limits,
//!   concurrency).
//! - `run.rs`: running a program with a pipe in, a deadline and a kill.

mod run;

use serde::Deserialize;
use std::path::PathBuf;
use std::sync::{Condvar, Mutex};
use std::time::Duration;
use zegel_assess::{Ocr, OcrError};

/// The `[ocr]` section of zegel.toml.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OcrSettings {
    /// Whether to read pictures at all; without OCR, pictures that may hold
    /// text are unreadable (and fail closed).
    pub enabled: bool,
    /// The Tesseract program.
    pub tesseract: PathBuf,
    /// poppler's pdftoppm.
    pub pdftoppm: PathBuf,
    /// Tesseract's languages (`nld+eng`).
    pub languages: String,
    /// Most PDF pages read per document.
    pub max_pages: u32,
    /// Largest picture (width × height) read.
    pub max_pixels: u64,
    /// Resolution PDF pages are rendered at.
    pub dpi: u32,
    /// Seconds one program may run.
    pub timeout_secs: u64,
    /// Programs running at once.
    pub max_concurrent: usize,
}

impl Default for OcrSettings {
    fn default() -> OcrSettings {
        OcrSettings {
            enabled: true,
            tesseract: "tesseract".into(),
            pdftoppm: "pdftoppm".into(),
            languages: "nld+eng".into(),
            max_pages: 20,
            max_pixels: 50_000_000,
            dpi: 200,
            timeout_secs: 60,
            max_concurrent: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// Tesseract behind the [`Ocr`] seam.
pub struct Tesseract {
    settings: OcrSettings,
    running: Mutex<usize>,
    turn: Condvar,
}

impl Tesseract {
    /// Tesseract with `settings`, or `None` when OCR is disabled or the
    /// program does not run (then pictures are unreadable: fail closed).
    pub fn detect(settings: &OcrSettings) -> Option<Tesseract> {
        if !settings.enabled {
            return None;
        }
        let works = std::process::Command::new(&settings.tesseract)
            .arg("--version")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        works.then(|| Tesseract {
            settings: settings.clone(),
            running: Mutex::new(0),
            turn: Condvar::new(),
        })
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(self.settings.timeout_secs.max(1))
    }

    /// Runs `f` when fewer than `max_concurrent` calls are running.
    fn in_turn<T>(&self, f: impl FnOnce() -> T) -> T {
        let max = self.settings.max_concurrent.max(1);
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        while *running >= max {
            running = self.turn.wait(running).unwrap_or_else(|e| e.into_inner());
        }
        *running += 1;
        drop(running);
        let out = f();
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        *running -= 1;
        self.turn.notify_one();
        out
    }

    /// Tesseract over one picture given as bytes.
    fn recognise(&self, image: &[u8]) -> Result<String, OcrError> {
        let out = run::with_input(
            std::process::Command::new(&self.settings.tesseract).args([
                "stdin",
                "stdout",
                "-l",
                &self.settings.languages,
            ]),
            image,
            self.timeout(),
        )?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

impl Ocr for Tesseract {
    fn image_text(&self, image: &[u8]) -> Result<String, OcrError> {
        let size =
            imagesize::blob_size(image).map_err(|e| OcrError::DamagedPicture(e.to_string()))?;
        let pixels = (size.width as u64).saturating_mul(size.height as u64);
        if pixels > self.settings.max_pixels {
            return Err(OcrError::TooManyPixels {
                width: size.width,
                height: size.height,
            });
        }
        self.in_turn(|| self.recognise(image))
    }

    fn pdf_text(&self, pdf: &[u8]) -> Result<String, OcrError> {
        self.in_turn(|| {
            let dir = run::private_dir()?;
            let prefix = dir.path().join("page");
            run::with_input(
                std::process::Command::new(&self.settings.pdftoppm)
                    .args(["-png", "-r", &self.settings.dpi.to_string()])
                    .args(["-l", &self.settings.max_pages.to_string()])
                    .arg("-")
                    .arg(&prefix),
                pdf,
                self.timeout(),
            )?;
            let mut pages: Vec<PathBuf> = std::fs::read_dir(dir.path())
                .map_err(|source| OcrError::Files {
                    what: "rendered pages",
                    source,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            pages.sort();
            let mut text = String::new();
            for page in pages {
                let image = std::fs::read(&page).map_err(|source| OcrError::Files {
                    what: "rendered page",
                    source,
                })?;
                // The page is in memory: remove its file at once.
                let _ = std::fs::remove_file(&page);
                text.push_str(&self.recognise(&image)?);
                text.push('\n');
            }
            Ok(text)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_means_no_ocr() {
        let settings = OcrSettings {
            tesseract: "/nonexistent/tesseract".into(),
            ..OcrSettings::default()
        };
        assert!(Tesseract::detect(&settings).is_none());
        let off = OcrSettings {
            enabled: false,
            ..OcrSettings::default()
        };
        assert!(Tesseract::detect(&off).is_none());
    }
}

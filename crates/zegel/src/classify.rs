//! `zegel classify`: assess .eml files, directories of them, or standard
//! input, and print the verdict and the reasons (for people, or as JSON lines).

use crate::config::AssessConfig;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use zegel_assess::{Assessment, Lang, Verdict};

/// Where a message comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input (`-`).
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::File(p) => p.display().to_string(),
        }
    }

    fn read(&self) -> std::io::Result<Vec<u8>> {
        match self {
            Input::Stdin => {
                let mut buf = Vec::new();
                std::io::stdin().lock().read_to_end(&mut buf)?;
                Ok(buf)
            }
            Input::File(p) => std::fs::read(p),
        }
    }
}

/// How to print.
#[derive(Debug, Clone, Copy)]
pub struct OutputOptions {
    /// One JSON object per line instead of text for people.
    pub json: bool,
    /// Language of reasons and warnings.
    pub lang: Lang,
    /// Print the texts read from each message instead of the assessment.
    pub texts: bool,
}

/// Expands the command-line paths: `-`, files, and every `.eml` below a directory
/// (sorted, so output order is stable). Paths that do not exist are returned
/// as errors to report, not dropped.
pub fn expand_paths(paths: &[PathBuf]) -> Vec<Result<Input, (String, String)>> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Ok(Input::Stdin));
        } else if p.is_dir() {
            let mut files: Vec<PathBuf> = walkdir::WalkDir::new(p)
                .follow_links(true)
                .into_iter()
                .filter_map(|e| match e {
                    Ok(e) => Some(e),
                    Err(err) => {
                        out.push(Err((p.display().to_string(), err.to_string())));
                        None
                    }
                })
                .filter(|e| e.file_type().is_file() && has_eml_extension(e.path()))
                .map(|e| e.into_path())
                .collect();
            files.sort();
            out.extend(files.into_iter().map(|f| Ok(Input::File(f))));
        } else {
            out.push(Ok(Input::File(p.clone())));
        }
    }
    out
}

fn has_eml_extension(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("eml"))
}

/// What became of one input: the lines to print, or why it failed.
enum Outcome {
    /// The output for this input, rendered.
    Printed(Vec<u8>),
    /// It could not be read or assessed; the message for standard error.
    Failed(String),
}

/// Runs the command; returns whether every input could be assessed. Many
/// files are assessed on every core at once; the output keeps the order of
/// the inputs.
pub fn run(config: AssessConfig, paths: &[PathBuf], options: OutputOptions) -> bool {
    let assessor = config.assessor();
    let inputs = expand_paths(paths);
    let progress = progress_bar(inputs.len());
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(inputs.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let (sender, results) = mpsc::channel::<(usize, Outcome)>();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut all_ok = true;
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let (assessor, inputs, next) = (&assessor, &inputs, &next);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = inputs.get(i) else {
                    break;
                };
                // The printer went away (a closed pipe): stop.
                if sender
                    .send((i, assess_one(assessor, input, options)))
                    .is_err()
                {
                    break;
                }
            });
        }
        drop(sender);
        // Print in input order: results that come early wait here.
        let mut waiting = BTreeMap::new();
        let mut due = 0;
        for (i, outcome) in results {
            waiting.insert(i, outcome);
            while let Some(outcome) = waiting.remove(&due) {
                due += 1;
                progress.inc(1);
                match outcome {
                    Outcome::Failed(message) => {
                        progress.suspend(|| eprintln!("zegel: {message}"));
                        all_ok = false;
                    }
                    Outcome::Printed(bytes) => {
                        if let Err(e) = progress.suspend(|| out.write_all(&bytes)) {
                            if e.kind() != std::io::ErrorKind::BrokenPipe {
                                eprintln!("zegel: cannot write output: {e}");
                                all_ok = false;
                            }
                            return;
                        }
                    }
                }
            }
        }
    });
    progress.finish_and_clear();
    all_ok
}

/// Reads and assesses one input (or reads its texts, with `--texts`).
fn assess_one(
    assessor: &zegel_assess::Assessor,
    input: &Result<Input, (String, String)>,
    options: OutputOptions,
) -> Outcome {
    let input = match input {
        Ok(i) => i,
        Err((name, message)) => return Outcome::Failed(format!("{name}: {message}")),
    };
    let name = input.name();
    let raw = match input.read() {
        Ok(raw) => raw,
        Err(e) => return Outcome::Failed(format!("cannot read {name}: {e}")),
    };
    let mut printed = Vec::new();
    let written = if options.texts {
        match assessor.read_texts(&raw) {
            Ok(extracted) => write_texts(&mut printed, &name, &extracted),
            Err(e) => return Outcome::Failed(format!("cannot read {name}: {e}")),
        }
    } else {
        match assessor.assess_bytes(&raw, None) {
            Ok(assessment) if options.json => {
                write_json(&mut printed, &name, &assessment, options.lang)
            }
            Ok(assessment) => write_text(&mut printed, &name, &assessment, options.lang),
            Err(e) => return Outcome::Failed(format!("cannot assess {name}: {e}")),
        }
    };
    match written {
        Ok(()) => Outcome::Printed(printed),
        Err(e) => Outcome::Failed(format!("cannot render {name}: {e}")),
    }
}

/// One JSON line with the texts read from a message (where each stood,
/// its role and the text) and where something could not be read.
fn write_texts(
    out: &mut impl Write,
    name: &str,
    extracted: &zegel_assess::extract::Extracted,
) -> std::io::Result<()> {
    let unreadable: Vec<String> = extracted
        .issues
        .iter()
        .filter_map(|i| match i {
            zegel_assess::extract::ExtractIssue::Encrypted { .. } => None,
            other => Some(format!("{other:?}")),
        })
        .collect();
    let texts: Vec<serde_json::Value> = extracted
        .segments
        .iter()
        .map(|s| {
            serde_json::json!({
                "location": zegel_assess::i18n::location_label(&s.location, Lang::En),
                "role": format!("{:?}", s.role),
                "text": s.text,
            })
        })
        .collect();
    let line = serde_json::json!({ "file": name, "texts": texts, "unreadable": unreadable });
    writeln!(out, "{line}")
}

fn progress_bar(count: usize) -> ProgressBar {
    if count < 20 || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(count as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta}") {
        bar.set_style(style);
    }
    bar
}

/// One finding as printed in JSON.
#[derive(Serialize)]
struct JsonFinding<'a> {
    kind: &'a str,
    location: String,
    excerpt: &'a str,
    confidence: f64,
}

/// One warning as printed in JSON.
#[derive(Serialize)]
struct JsonWarning {
    kind: &'static str,
    message: String,
}

/// One message as printed in JSON.
#[derive(Serialize)]
struct JsonAssessment<'a> {
    file: &'a str,
    verdict: Verdict,
    findings: Vec<JsonFinding<'a>>,
    warnings: Vec<JsonWarning>,
    reasons: Vec<String>,
}

/// The JSON object for one assessment (also used by tests).
pub fn to_json(name: &str, a: &Assessment, lang: Lang) -> serde_json::Value {
    let value = JsonAssessment {
        file: name,
        verdict: a.verdict,
        findings: a
            .findings
            .iter()
            .map(|f| JsonFinding {
                kind: f.kind.as_str(),
                location: f.location.to_string(),
                excerpt: &f.excerpt,
                confidence: (f64::from(f.confidence) * 100.0).round() / 100.0,
            })
            .collect(),
        warnings: a
            .warnings
            .iter()
            .map(|w| JsonWarning {
                kind: w.kind().as_str(),
                message: w.message(lang),
            })
            .collect(),
        reasons: a.reasons.iter().map(|r| r.message(lang)).collect(),
    };
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn write_json(out: &mut impl Write, name: &str, a: &Assessment, lang: Lang) -> std::io::Result<()> {
    writeln!(out, "{}", to_json(name, a, lang))
}

fn write_text(out: &mut impl Write, name: &str, a: &Assessment, lang: Lang) -> std::io::Result<()> {
    let verdict = match (a.verdict, lang) {
        (Verdict::Secure, Lang::Nl) => "BEVEILIGD verzenden",
        (Verdict::Secure, Lang::En) => "send SECURELY",
        (Verdict::Normal, Lang::Nl) => "normaal verzenden",
        (Verdict::Normal, Lang::En) => "send normally",
    };
    writeln!(out, "{name}: {verdict}")?;
    for r in &a.reasons {
        writeln!(out, "  - {}", r.message(lang))?;
    }
    let label = match lang {
        Lang::Nl => "let op",
        Lang::En => "note",
    };
    for w in &a.warnings {
        writeln!(out, "  ! {label}: {}", w.message(lang))?;
    }
    Ok(())
}

//! Loops the inputs of the `assess` benchmark a fixed number of times, for
//! instruction counts under `valgrind --tool=callgrind` (wall-clock figures on
//! a shared machine are noisy).
//!
//! Run: `cargo build --release -p zegel-assess --example profile`, then
//! `valgrind --tool=callgrind target/release/examples/profile detect 3` or
//! `... profile mail 200` or `... profile opinion 3`.

use std::hint::black_box;
use zegel_assess::detect::{all_detectors, Text};
use zegel_assess::opinion::judge;
use zegel_assess::{Assessor, Location, Segment, SegmentRole};

#[path = "../benches/inputs/mod.rs"]
mod inputs;

use inputs::{dense_pii_texts, plain_mail, plain_text, policy};

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "mail".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    match mode.as_str() {
        // `profile dense 3 target/dense.jsonl`: time per detector over the
        // PII-dense corpus (JSON lines with a "text" field).
        "dense" => {
            let texts = dense_pii_texts(args.next().map(Into::into)).expect("dense corpus");
            let bytes: usize = texts.iter().map(String::len).sum();
            let detectors = all_detectors();
            let mut spent = vec![std::time::Duration::ZERO; detectors.len()];
            for _ in 0..n {
                for text in &texts {
                    let t = Text::new(black_box(text));
                    for (i, d) in detectors.iter().enumerate() {
                        let mut out = Vec::new();
                        let at = std::time::Instant::now();
                        d.detect(&t, &mut out);
                        spent[i] += at.elapsed();
                    }
                }
            }
            let total: f64 = spent.iter().map(|d| d.as_secs_f64()).sum();
            for (d, s) in detectors.iter().zip(&spent) {
                println!("{:?}\t{:.1} ms", d.kind(), s.as_secs_f64() * 1e3 / n as f64);
            }
            println!(
                "{} texts, {} bytes: {:.1} MB/s",
                texts.len(),
                bytes,
                (bytes * n) as f64 / total / 1e6
            );
        }
        // `profile opinion 3`: the learned second opinion over the 1 MiB
        // plain text and, with a path, the dense corpus as one message.
        "opinion" => {
            let mut texts = vec![plain_text(1 << 20)];
            if let Some(path) = args.next() {
                texts.extend(dense_pii_texts(Some(path.into())).expect("dense corpus"));
            }
            let bytes: usize = texts.iter().map(String::len).sum();
            let segments: Vec<Segment> = texts
                .into_iter()
                .map(|t| Segment::new(Location::Body, SegmentRole::Body, t))
                .collect();
            let started = std::time::Instant::now();
            let mut sum = 0.0;
            for _ in 0..n {
                sum += judge(black_box(&segments)).map_or(0.0, |o| o.probability);
            }
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{} bytes x {n}: {:.1} MB/s (probability {:.3})",
                bytes,
                (bytes * n) as f64 / secs / 1e6,
                sum / n as f32
            );
        }
        "detect" => {
            let detectors = all_detectors();
            let text = plain_text(1 << 20);
            let mut total = 0;
            for _ in 0..n {
                let t = Text::new(black_box(&text));
                for d in &detectors {
                    let mut out = Vec::new();
                    d.detect(&t, &mut out);
                    total += out.len();
                }
            }
            println!("{total} matches");
        }
        _ => {
            let assessor = Assessor::new(policy());
            let mail = plain_mail(4000);
            let mut ok = 0;
            for _ in 0..n {
                ok += usize::from(assessor.assess_bytes(black_box(&mail), None).is_ok());
            }
            println!("{ok} assessed");
        }
    }
}

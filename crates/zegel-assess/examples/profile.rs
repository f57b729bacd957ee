//! Loops the inputs of the `assess` benchmark a fixed number of times, for
//! instruction counts under `valgrind --tool=callgrind` (wall-clock figures on
//! a shared machine are noisy).
//!
//! Run: `cargo build --release -p zegel-assess --example profile`, then
//! `valgrind --tool=callgrind target/release/examples/profile detect 3` or
//! `... profile mail 200`.

use std::hint::black_box;
use zegel_assess::detect::{all_detectors, Text};
use zegel_assess::Assessor;

#[path = "../benches/inputs/mod.rs"]
mod inputs;

use inputs::{plain_mail, plain_text, policy};

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "mail".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    match mode.as_str() {
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

//! The whole path from bytes to assessment: parse, extract (every format),
//! detect, review recipients, decide. Any panic or hang is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use zegel_assess::extract::Limits;
use zegel_assess::{Assessor, Domains, Policy};

fn assessor() -> &'static Assessor {
    static ASSESSOR: OnceLock<Assessor> = OnceLock::new();
    ASSESSOR.get_or_init(|| {
        // libfuzzer-sys aborts on every panic, even one the code under test
        // catches on purpose (the parser guards in zegel-assess). Restore the
        // default hook: a panic that escapes still aborts in libfuzzer-sys's
        // own catch_unwind around this target.
        drop(std::panic::take_hook());
        let policy = Policy {
            domains: Domains::new(&["zorggroephorizon.nl".into()], &["gemeente-rivierstad.nl".into()]),
            ..Policy::default()
        };
        // Smaller limits than production so each input stays fast.
        let limits = Limits {
            max_attachment_bytes: 4 << 20,
            max_expanded_bytes: 16 << 20,
            max_text_bytes: 1 << 20,
            ..Limits::default()
        };
        Assessor::with_limits(policy, limits)
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = assessor().assess_bytes(data, None);
});

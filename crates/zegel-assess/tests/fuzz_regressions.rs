//! Inputs the fuzzer found that once crashed or hung the assessment; each
//! must now give a result or a clear error.

use std::path::PathBuf;
use zegel_assess::{AssessError, Assessor, Policy};

fn fixtures() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn every_fuzz_finding_is_assessed_or_refused_cleanly() {
    let assessor = Assessor::new(Policy::default());
    let files = fixtures();
    assert!(!files.is_empty());
    for f in files {
        let raw = std::fs::read(&f).unwrap();
        match assessor.assess_bytes(&raw, None) {
            Ok(_)
            | Err(AssessError::Malformed)
            | Err(AssessError::NotAMessage)
            | Err(AssessError::Empty) => {}
        }
    }
}

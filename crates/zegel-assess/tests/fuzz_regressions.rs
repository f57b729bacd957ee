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

/// A legacy XLS whose FAT chain loops made calamine grow a buffer without
/// end (2 GiB in one allocation under the fuzzer); it is now refused before
/// calamine opens it, as an unreadable attachment.
#[test]
fn an_xls_with_a_looping_sector_chain_is_unreadable() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let raw = std::fs::read(dir.join("calamine-cfb-chain-loop-oom.eml")).unwrap();
    let assessment = Assessor::new(Policy::default())
        .assess_bytes(&raw, None)
        .expect("the message itself parses");
    let kinds: Vec<String> = assessment
        .warnings
        .iter()
        .map(|w| format!("{:?}", w.kind()))
        .collect();
    assert!(
        kinds.iter().any(|k| k == "UnreadableAttachment"),
        "{kinds:?}"
    );
}

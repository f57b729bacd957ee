//! Differential test of extraction against an independent MIME parser
//! (issue 19): Python's `email` package, a real peer on this machine,
//! walks every message of the public MIME corpus (`../shared/conformance/
//! mime-corpus`), the fail-open probes, the labelled corpus and the blind
//! development set; every text part it finds must have been read by zegel
//! (`zegel classify --texts`), or zegel must have failed closed on the
//! message. `tests/support/mime_diff.py` prints and fails on any that was not.

mod common;

use common::*;
use zegel_testkit::repo_root;

#[test]
fn every_text_part_python_finds_is_read_by_zegel() {
    let root = repo_root();
    let shared = std::env::var_os("ZEGEL_MIME_CORPUS").map_or_else(
        || root.join("../shared/conformance/mime-corpus"),
        std::path::PathBuf::from,
    );
    let mut targets = vec![
        root.join("tests/failopen"),
        root.join("tests/corpus"),
        root.join("tests/blind/care/dev"),
        root.join("tests/blind/gemeente/dev"),
        root.join("tests/blind/bedrijf/dev"),
    ];
    if shared.is_dir() {
        targets.push(shared);
    } else {
        eprintln!(
            "MIME corpus not found at {}: checked the others",
            shared.display()
        );
    }
    let out = std::process::Command::new("python3")
        .arg(root.join("tests/support/mime_diff.py"))
        .arg(zegel().get_program())
        .args(&targets)
        .output()
        .expect("python3");
    let report = String::from_utf8_lossy(&out.stdout);
    eprintln!("{report}");
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains(" 0 missed"), "{report}");
}

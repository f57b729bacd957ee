//! Scores `zegel classify` on the development halves of the blind sets
//! (`tests/blind/*/dev`, `tests/blind/fresh*/*/dev`, written by ten
//! writers who never saw zegel: docs/quality.md) with
//! `scripts/quality/score.py`, and fails below the floors set here.
//! A regression floor, not a quality estimate: the
//! development halves have been read while improving the method. The
//! sealed halves are not scored here: each is scored once, by hand.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

const MIN_ACCURACY: f64 = 0.95;
const MIN_SECURE_RECALL: f64 = 0.95;
const MIN_SECURE_PRECISION: f64 = 0.95;

#[test]
fn the_blind_development_half_scores_above_the_floor() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let report = tempfile::NamedTempFile::new().unwrap();
    let dirs: Vec<PathBuf> = [
        "bedrijf",
        "care",
        "gemeente",
        "fresh/school",
        "fresh/praktijk",
        "fresh2/ggz",
        "fresh2/thuiszorg",
        "fresh3/zkh",
        "fresh3/ghz",
        "fresh3/kantoor",
        "fresh4/jb",
        "fresh4/woon",
        "fresh4/apo",
        "fresh4/advo",
    ]
    .iter()
    .map(|f| root.join("tests/blind").join(f).join("dev"))
    .collect();
    let out = Command::new("python3")
        .arg(root.join("scripts/quality/score.py"))
        .args(["--zegel", env!("CARGO_BIN_EXE_zegel"), "--json"])
        .arg(report.path())
        .args(&dirs)
        .output()
        .expect("python3 runs scripts/quality/score.py");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "score.py failed: {printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&std::fs::read(report.path()).unwrap()).unwrap();
    let total = &json["total"];
    let n = total["n"].as_u64().unwrap();
    assert!(
        n == 539,
        "the development halves hold {n} messages, expected 539"
    );
    let get = |k: &str| total[k].as_f64().unwrap_or(0.0);
    println!("{printed}");
    assert!(
        get("accuracy") >= MIN_ACCURACY
            && get("secure_recall") >= MIN_SECURE_RECALL
            && get("secure_precision") >= MIN_SECURE_PRECISION,
        "below the floor (accuracy {MIN_ACCURACY}, recall {MIN_SECURE_RECALL}, precision {MIN_SECURE_PRECISION}):\n{printed}"
    );
}

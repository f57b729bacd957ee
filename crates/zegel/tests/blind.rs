//! Scores `zegel classify` on the development halves of the blind sets
//! (`tests/blind/*/dev`, `tests/blind/fresh*/*/dev`, written by
//! fifty-five writers who never saw zegel: docs/quality.md) with
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
    // The detectors alone: the second opinion was trained on these halves,
    // so with it the floor would say little about the detectors.
    let printed = score_above_the_floor(&["--no-second-opinion"]);
    println!("detectors alone:\n{printed}");
    let printed = score_above_the_floor(&[]);
    println!("with the second opinion:\n{printed}");
}

/// Scores the development halves with `score.py` (and these arguments),
/// checks the count and the floors, and returns what it printed.
fn score_above_the_floor(args: &[&str]) -> String {
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
        "fresh5/arbo",
        "fresh5/bewind",
        "fresh5/recl",
        "fresh5/uitz",
        "fresh6/ggd",
        "fresh6/kraam",
        "fresh6/vlucht",
        "fresh6/verz",
        "fresh7/tand",
        "fresh7/kdv",
        "fresh7/mbo",
        "fresh7/notaris",
        "fresh8/fysio",
        "fresh8/hbo",
        "fresh8/salaris",
        "fresh8/hap",
        "fresh9/reint",
        "fresh9/hypo",
        "fresh9/dier",
        "fresh9/msp",
        "fresh11/reis",
        "fresh11/uitv",
        "fresh11/logo",
        "fresh11/verh",
        "fresh11/vakb",
        "fresh12/ambu",
        "fresh12/lab",
        "fresh12/sport",
        "fresh12/voedsel",
        "fresh13/kerk",
        "fresh13/rijs",
        "fresh13/acct",
        "fresh13/veil",
        "fresh14/audi",
        "fresh14/onde",
        "fresh14/inbu",
        "fresh14/poli",
        "fresh15/bank",
        "fresh15/burg",
        "fresh15/vers",
        "fresh15/makl",
    ]
    .iter()
    .map(|f| root.join("tests/blind").join(f).join("dev"))
    .collect();
    let out = Command::new("python3")
        .arg(root.join("scripts/quality/score.py"))
        .args(["--zegel", env!("CARGO_BIN_EXE_zegel"), "--json"])
        .arg(report.path())
        .args(args)
        .args(&dirs)
        .output()
        .expect("python3 runs scripts/quality/score.py");
    let printed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "score.py failed: {printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&std::fs::read(report.path()).unwrap()).unwrap();
    let total = &json["total"];
    let n = total["n"].as_u64().unwrap();
    assert!(
        n == 1804,
        "the development halves hold {n} messages, expected 1804"
    );
    let get = |k: &str| total[k].as_f64().unwrap_or(0.0);
    assert!(
        get("accuracy") >= MIN_ACCURACY
            && get("secure_recall") >= MIN_SECURE_RECALL
            && get("secure_precision") >= MIN_SECURE_PRECISION,
        "below the floor {args:?} (accuracy {MIN_ACCURACY}, recall {MIN_SECURE_RECALL}, precision {MIN_SECURE_PRECISION}):\n{printed}"
    );
    printed
}

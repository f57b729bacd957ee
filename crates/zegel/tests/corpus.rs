//! Scores `zegel classify` against the labelled corpus in `tests/corpus/`:
//! accuracy, recall and precision of the verdict `secure`, and how often the
//! expected finding kinds were found. Fails below the floors set here, so a
//! change that makes zegel worse at its main job cannot land unnoticed.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

const MIN_ACCURACY: f64 = 0.95;
const MIN_SECURE_RECALL: f64 = 0.97;
const MIN_SECURE_PRECISION: f64 = 0.95;

struct Label {
    verdict: String,
    kinds: Vec<String>,
    category: String,
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus")
}

fn labels() -> BTreeMap<String, Label> {
    let text =
        std::fs::read_to_string(corpus_dir().join("labels.tsv")).expect("tests/corpus/labels.tsv");
    let mut out = BTreeMap::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() >= 5, "bad label line: {line}");
        let kinds = cols[2]
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect();
        out.insert(
            cols[0].to_string(),
            Label {
                verdict: cols[1].to_string(),
                kinds,
                category: cols[4].to_string(),
            },
        );
    }
    out
}

#[test]
fn corpus_scores_above_the_floor() {
    let labels = labels();
    assert!(
        labels.len() >= 150,
        "the corpus must hold at least 150 labelled messages, has {}",
        labels.len()
    );
    let dir = corpus_dir();
    let out = Command::new(env!("CARGO_BIN_EXE_zegel"))
        .args(["classify", "--json", "--config"])
        .arg(dir.join("zegel.toml"))
        .arg(&dir)
        .output()
        .expect("run zegel");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (mut tp, mut fp, mut tn, mut fn_) = (0usize, 0usize, 0usize, 0usize);
    let (mut kinds_expected, mut kinds_found) = (0usize, 0usize);
    let mut wrong = Vec::new();
    let mut seen = 0;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let file = PathBuf::from(v["file"].as_str().unwrap());
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let Some(label) = labels.get(&name) else {
            panic!("{name} has no label")
        };
        seen += 1;
        let got = v["verdict"].as_str().unwrap();
        let found: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["kind"].as_str())
            .collect();
        for k in &label.kinds {
            kinds_expected += 1;
            if found.contains(&k.as_str()) {
                kinds_found += 1;
            }
        }
        match (label.verdict.as_str(), got) {
            ("secure", "secure") => tp += 1,
            ("normal", "normal") => tn += 1,
            ("normal", "secure") => {
                fp += 1;
                wrong.push(format!(
                    "FALSE ALARM {name} [{}]: {}",
                    label.category, v["reasons"]
                ));
            }
            ("secure", "normal") => {
                fn_ += 1;
                wrong.push(format!(
                    "MISSED {name} [{}] expected {:?}, found {found:?}",
                    label.category, label.kinds
                ));
            }
            (l, g) => panic!("{name}: unexpected labels {l}/{g}"),
        }
    }
    assert_eq!(
        seen,
        labels.len(),
        "every labelled message must be assessed"
    );
    let total = (tp + fp + tn + fn_) as f64;
    let accuracy = (tp + tn) as f64 / total;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let kind_recall = kinds_found as f64 / kinds_expected.max(1) as f64;
    for w in &wrong {
        println!("{w}");
    }
    println!(
        "corpus: {} messages, accuracy {:.3}, secure recall {:.3}, secure precision {:.3} (tp {tp}, fp {fp}, tn {tn}, fn {fn_}); expected kinds found {:.3} ({kinds_found}/{kinds_expected})",
        total as usize, accuracy, recall, precision, kind_recall
    );
    assert!(
        accuracy >= MIN_ACCURACY,
        "accuracy {accuracy:.3} below {MIN_ACCURACY}"
    );
    assert!(
        recall >= MIN_SECURE_RECALL,
        "secure recall {recall:.3} below {MIN_SECURE_RECALL}"
    );
    assert!(
        precision >= MIN_SECURE_PRECISION,
        "secure precision {precision:.3} below {MIN_SECURE_PRECISION}"
    );
}

//! The README's "Try it on this machine in five minutes" walk, run as a
//! newcomer would type it: every `zegel` line of its shell block, with
//! the release binary replaced by this build's and `/tmp/` by a folder
//! of the test's own. `zegel serve` is the one line not run here
//! (it runs until stopped, on fixed ports); the end-to-end tests run it.
//! The test fails when the README names a command or an option zegel
//! does not have, or when a step fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The shell block of the walk's section.
fn walk_block(readme: &str) -> String {
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Try it on this machine"))
        .expect("the README has a five-minute walk");
    let start = section.find("```sh\n").expect("the walk has a shell block") + 6;
    let end = start + section[start..].find("```").expect("the block ends");
    section[start..end].to_string()
}

/// The walk's commands: lines that start with `zegel` or pipe into it,
/// comments and the build line left out.
fn commands(block: &str) -> Vec<String> {
    block
        .lines()
        .map(|l| l.split(" # ").next().unwrap_or("").trim().to_string())
        .filter(|l| l.starts_with("zegel ") || l.contains("| zegel "))
        .collect()
}

#[test]
fn the_readme_walk_runs_as_written() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let block = walk_block(&readme);
    assert!(
        block.contains("alias zegel=target/release/zegel"),
        "the walk says which binary `zegel` is:\n{block}"
    );
    let steps = commands(&block);
    assert!(steps.len() >= 5, "the walk has its steps: {steps:?}");
    assert!(steps.iter().any(|s| s.starts_with("zegel serve ")));
    let demo = tempfile::tempdir().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_zegel"));
    for step in &steps {
        if step.starts_with("zegel serve ") {
            continue;
        }
        let line = step.replace("/tmp/", &format!("{}/", demo.path().display()));
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("zegel() {{ \"$ZEGEL_BIN\" \"$@\"; }}\n{line}"))
            .env("ZEGEL_BIN", bin)
            .env("TMPDIR", demo.path())
            .current_dir(&root)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{step}\n{printed}");
        if step.starts_with("zegel classify ") {
            // Step 1 shows both verdicts with their reasons.
            assert!(printed.contains("BEVEILIGD verzenden"), "{printed}");
            assert!(printed.contains("normaal verzenden"), "{printed}");
            assert!(
                printed.contains("BSN in de tekst van het bericht"),
                "{printed}"
            );
        }
        if step.starts_with("zegel seal ") {
            assert!(printed.contains("AES-256"), "{printed}");
        }
    }
    assert!(demo.path().join("zdemo/zegel.toml").is_file());
}

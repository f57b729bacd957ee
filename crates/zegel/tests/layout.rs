//! The house's map stays true: every crate's `# Layout` doc names each of
//! its modules, and ARCHITECTURE.md names every crate and lists exactly
//! the dependencies between zegel's crates that the Cargo.toml files
//! declare.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The crate folders under `crates/`.
fn crates() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    dirs.sort();
    dirs
}

/// The modules a crate root declares (`mod x;`, `pub mod x;`,
/// `pub(crate) mod x;`).
fn declared_modules(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|line| {
            let rest = line
                .strip_prefix("pub(crate) ")
                .or_else(|| line.strip_prefix("pub "))
                .unwrap_or(line);
            let name = rest.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(name.trim().to_string())
        })
        .collect()
}

/// The `# Layout` section of a crate root's inner doc comment.
fn layout_section(source: &str) -> Option<String> {
    let doc: Vec<&str> = source
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| l.trim_start_matches("//!"))
        .collect();
    let start = doc.iter().position(|l| l.trim() == "# Layout")?;
    let section: Vec<&str> = doc[start + 1..]
        .iter()
        .take_while(|l| !l.trim_start().starts_with('#'))
        .copied()
        .collect();
    Some(section.join("\n"))
}

#[test]
fn every_crate_layout_names_all_its_modules() {
    let mut missing = Vec::new();
    for dir in crates() {
        let root_file = ["src/lib.rs", "src/main.rs"]
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.exists())
            .unwrap();
        let source = std::fs::read_to_string(&root_file).unwrap();
        let modules = declared_modules(&source);
        if modules.is_empty() {
            continue;
        }
        let Some(layout) = layout_section(&source) else {
            missing.push(format!("{}: no `# Layout` section", root_file.display()));
            continue;
        };
        for m in modules {
            let named = [
                format!("`{m}`"),
                format!("[`{m}`]"),
                format!("`{m}.rs`"),
                format!("`{m}/`"),
            ]
            .iter()
            .any(|form| layout.contains(form.as_str()));
            if !named {
                missing.push(format!("{}: module `{m}`", root_file.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not in the crate's `# Layout`:\n{}",
        missing.join("\n")
    );
}

/// The zegel crates a Cargo.toml lists under `[dependencies]`.
fn zegel_dependencies(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let value: toml::Value = toml::from_str(&text).unwrap();
    value
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|t| {
            t.keys()
                .filter(|k| k.starts_with("zegel"))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn architecture_names_every_crate_and_its_real_dependencies() {
    let architecture = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    // "- `zegel-outbound` -> `zegel-archive`, `zegel-assess`" or "-> none".
    let mut listed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in architecture.lines() {
        let Some(rest) = line.strip_prefix("- `") else {
            continue;
        };
        let Some((name, deps)) = rest.split_once("` -> ") else {
            continue;
        };
        let deps: BTreeSet<String> = if deps.trim() == "none" {
            BTreeSet::new()
        } else {
            deps.split(',')
                .map(|d| d.trim().trim_matches('`').to_string())
                .collect()
        };
        listed.insert(name.to_string(), deps);
    }
    let mut wrong = Vec::new();
    for dir in crates() {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        if !architecture.contains(&format!("{name}/")) {
            wrong.push(format!("{name}: not in the crate map"));
        }
        let real = zegel_dependencies(&dir.join("Cargo.toml"));
        match listed.get(&name) {
            None => wrong.push(format!("{name}: no dependency line")),
            Some(deps) if *deps != real => {
                wrong.push(format!("{name}: listed {deps:?}, Cargo.toml {real:?}"))
            }
            Some(_) => {}
        }
    }
    assert!(
        wrong.is_empty(),
        "ARCHITECTURE.md is out of date:\n{}",
        wrong.join("\n")
    );
}

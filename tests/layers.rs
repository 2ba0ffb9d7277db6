//! The house: every module of `src/` imports only from its own layer or the
//! layers below it, in the order the README's architecture section gives.
//! Tests inside a module count too; doc comments do not.

use std::fs;
use std::path::Path;

/// The layers, bottom first. A module may use those of its own row and the rows above it here.
const LAYERS: &[&[&str]] = &[
    &["check", "rng", "stats", "table"],
    &["model"],
    &["engine"],
    &["resources"],
    &["scenario"],
    &["output"],
    &["experiment"],
    &["report"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|row| row.contains(&module))
}

/// The top-level modules named after `crate::` on a line of code.
fn imported(line: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in line.match_indices("crate::") {
        let rest = &line[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or("");
            for item in group.split(',') {
                let first = item.trim().split("::").next().unwrap_or("");
                names.push(first.trim().to_string());
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.push(name);
        }
    }
    names
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_imports_only_downwards() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut upward = Vec::new();
    let mut unplaced = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative.iter().next().unwrap().to_string_lossy();
        let top = top.trim_end_matches(".rs");
        if top == "lib" || top == "main" {
            continue;
        }
        let Some(own) = layer_of(top) else {
            unplaced.push(top.to_string());
            continue;
        };
        let text = fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for name in imported(line) {
                if layer_of(&name).is_some_and(|layer| layer > own) {
                    upward.push(format!(
                        "src/{}:{}: `{top}` uses `{name}`, a layer above it",
                        relative.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(
        unplaced.is_empty(),
        "modules in no layer (add them to LAYERS and to the README's architecture section): {unplaced:?}"
    );
    assert!(
        upward.is_empty(),
        "imports that point up:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_checker_sees_plain_and_grouped_imports() {
    assert_eq!(imported("use crate::engine::rng::Purpose;"), ["engine"]);
    assert_eq!(
        imported("use crate::{model::Model, stats};"),
        ["model", "stats"]
    );
    assert_eq!(imported("let x = 1;"), Vec::<String>::new());
}

#[test]
fn the_readme_lists_the_layers_in_this_order() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("## ARCHITECTURE")
        .nth(1)
        .expect("README has an ARCHITECTURE section");
    let mut last = 0;
    for row in LAYERS {
        for module in *row {
            let needle = format!("`{module}`");
            let at = section
                .find(&needle)
                .unwrap_or_else(|| panic!("the architecture section does not name {needle}"));
            assert!(
                at >= last,
                "{needle} is listed out of layer order in the README"
            );
            last = at;
        }
    }
}

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
    &["serve"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|row| row.contains(&module))
}

/// The top-level modules named after `crate::` in code (comments removed),
/// with the line of each: plain paths, and groups `crate::{a::X, b::{Y, Z}}`
/// over several lines, split at their top-level commas.
fn imported(code: &str) -> Vec<(usize, String)> {
    let mut names = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let line = code[..at].matches('\n').count() + 1;
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            names.extend(group_heads(group).into_iter().map(|name| (line, name)));
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.push((line, name));
        }
    }
    names
}

/// The first path segment of each top-level item of a group, from the text
/// after its opening brace.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut head = String::new();
    let mut taking = true;
    for c in group.chars() {
        match c {
            '{' => {
                depth += 1;
                taking = false;
                continue;
            }
            '}' if depth == 0 => break,
            '}' => {
                depth -= 1;
                continue;
            }
            ',' if depth == 0 => {
                heads.extend((!head.is_empty()).then(|| std::mem::take(&mut head)));
                taking = true;
                continue;
            }
            _ => {}
        }
        if depth == 0 && taking {
            if c.is_alphanumeric() || c == '_' {
                head.push(c);
            } else if !c.is_whitespace() || !head.is_empty() {
                taking = false;
            }
        }
    }
    heads.extend((!head.is_empty()).then_some(head));
    heads
}

/// The code of a file without comments (lines kept, so line numbers hold).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
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
        let mut code = without_comments(&fs::read_to_string(file).unwrap());
        if relative.components().count() == 1 {
            // In a top-level file, `super::` is the crate root.
            code = code.replace("super::", "crate::");
        }
        for (line, name) in imported(&code) {
            if layer_of(&name).is_some_and(|layer| layer > own) {
                upward.push(format!(
                    "src/{}:{line}: `{top}` uses `{name}`, a layer above it",
                    relative.display()
                ));
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
fn the_checker_sees_plain_grouped_nested_and_multi_line_imports() {
    let names =
        |code: &str| -> Vec<String> { imported(code).into_iter().map(|(_, n)| n).collect() };
    assert_eq!(names("use crate::engine::record::DayRecord;"), ["engine"]);
    assert_eq!(
        names("use crate::{model::Model, stats};"),
        ["model", "stats"]
    );
    assert_eq!(
        names("use crate::{model::{config::Model, world}, engine::step};"),
        ["model", "engine"]
    );
    assert_eq!(
        imported("use crate::{\n    report::Plot,\n    cli,\n};"),
        [(1, "report".to_string()), (1, "cli".to_string())]
    );
    assert_eq!(
        names(&without_comments("let x = 1; // crate::cli")),
        Vec::<String>::new()
    );
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

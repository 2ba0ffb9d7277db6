//! The documents are held to the code: every source path they cite exists,
//! every `Type::member` or `module::item` the model document cites is
//! defined where it says, the bytes per attacker it states are the struct's,
//! and its day's phases are in the order `engine::step` runs them.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    fs::read_to_string(root().join(relative)).unwrap()
}

/// Every text between backticks.
fn quoted(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source of each module and type of `src/`, by name: a module's files
/// (`x.rs`, or `x/` with everything under it) and the file that defines a type.
fn owners() -> BTreeMap<String, String> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        let relative = file.strip_prefix(root().join("src")).unwrap();
        for part in relative.iter() {
            let name = part.to_string_lossy().trim_end_matches(".rs").to_string();
            if name != "mod" {
                owners.entry(name).or_default().push_str(&text);
            }
        }
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            for pair in words.windows(2) {
                if matches!(pair[0], "struct" | "enum" | "trait") {
                    let name: String = pair[1]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    owners.entry(name).or_default().push_str(&text);
                }
            }
        }
    }
    owners
}

/// Whether `source` defines `name` (a function, type, constant, module, field or variant).
fn defines(source: &str, name: &str) -> bool {
    source.lines().any(|line| {
        let line = line
            .trim_start()
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub ");
        [
            "fn ", "struct ", "enum ", "const ", "static ", "mod ", "type ", "trait ",
        ]
        .iter()
        .any(|kw| {
            line.strip_prefix(kw).is_some_and(|rest| {
                rest.strip_prefix(name)
                    .is_some_and(|r| !r.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
            })
        }) || line.strip_prefix(name).is_some_and(|r| {
            r.starts_with(':') && !r.starts_with("::")
                || r.starts_with(" {")
                || r.starts_with('(')
                || r.starts_with(',')
        })
    })
}

#[test]
fn source_paths_cited_in_the_documents_exist() {
    let mut missing = Vec::new();
    for doc in ["docs/MODEL.md", "docs/RESULTS.md", "README.md"] {
        for text in quoted(&read(doc)) {
            let path = text.split_whitespace().next().unwrap_or("");
            if path.contains('*') || path.contains('<') {
                continue;
            }
            if (path.starts_with("src/")
                || path.starts_with("tests/")
                || path.starts_with("benches/"))
                && !root().join(path.trim_end_matches(',')).exists()
            {
                missing.push(format!("{doc}: `{text}`"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "paths that do not exist:\n{}",
        missing.join("\n")
    );
}

#[test]
fn code_names_cited_in_the_model_document_are_defined_where_it_says() {
    let owners = owners();
    let mut missing = Vec::new();
    let mut checked = 0;
    for text in quoted(&read("docs/MODEL.md")) {
        let segments: Vec<&str> = text.split("::").collect();
        let is_path = segments.len() >= 2
            && segments
                .iter()
                .all(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_'));
        if !is_path {
            continue;
        }
        if [
            "u8", "u16", "u32", "u64", "usize", "f32", "f64", "i64", "std",
        ]
        .contains(&segments[0])
        {
            continue;
        }
        checked += 1;
        let (owner, member) = (segments[segments.len() - 2], segments[segments.len() - 1]);
        match owners.get(owner) {
            Some(source) if defines(source, member) => {}
            Some(_) => missing.push(format!("`{text}`: `{owner}` defines no `{member}`")),
            None => missing.push(format!("`{text}`: no module or type `{owner}` in src/")),
        }
    }
    assert!(
        checked >= 10,
        "only {checked} code names found: is the parser broken?"
    );
    assert!(
        missing.is_empty(),
        "docs/MODEL.md cites names the code does not have:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_bytes_per_attacker_the_documents_state_are_the_struct_s() {
    let bytes = std::mem::size_of::<caasim::model::attacker::Attacker>();
    let model = read("docs/MODEL.md");
    assert!(
        model.contains(&format!("`src/model/attacker.rs`, {bytes} bytes each")),
        "docs/MODEL.md §2 must give {bytes} bytes per attacker"
    );
    let readme = read("README.md");
    assert!(
        readme.contains(&format!("An attacker's state is {bytes} bytes")),
        "the README's Performance section must give {bytes} bytes per attacker"
    );
}

#[test]
fn the_phases_of_a_day_are_in_the_order_the_engine_runs_them() {
    let model = read("docs/MODEL.md");
    let section = model
        .split("## 3. Process overview and scheduling")
        .nth(1)
        .and_then(|s| s.split("\n---").next())
        .expect("docs/MODEL.md has section 3");
    let documented: Vec<&str> = quoted(section)
        .into_iter()
        .filter(|q| {
            q.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == ':')
        })
        .filter(|q| !q.contains("::"))
        .filter(|q| {
            q.chars().any(|c| c.is_lowercase()) && q.contains('_')
                || *q == "view"
                || *q == "record"
                || *q == "DayEvents"
        })
        .collect();
    assert!(
        documented.len() >= 12,
        "phases found in section 3: {documented:?}"
    );
    let engine = read("src/engine/mod.rs");
    let body = engine
        .split("pub fn step(")
        .nth(1)
        .and_then(|s| s.split("\n}\n").next())
        .expect("src/engine/mod.rs defines step");
    let mut at = 0;
    for phase in &documented {
        let found = body[at..]
            .find(&format!("{phase}("))
            .or_else(|| body[at..].find(&format!("{phase}::")))
            .unwrap_or_else(|| panic!("`{phase}` is not called in engine::step after the phases before it (section 3 order: {documented:?})"));
        at += found;
    }
}

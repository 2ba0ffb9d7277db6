//! The documents are held to the code: every file path they cite exists,
//! every `module::item` or `Type::member` the model document cites is defined
//! in that module or type, the bytes per attacker they state are the
//! struct's, the day's phases of the model document are exactly the calls of
//! `engine::step` in order, every column of `timeseries.csv` is described
//! in docs/RESULTS.md, and no document points to a file outside the
//! repository.

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

/// Every `.rs` file under `src/`, with its module path (`src/model/world.rs`
/// is `["model", "world"]`, `src/model/interventions/mod.rs` is
/// `["model", "interventions"]`).
fn modules() -> Vec<(Vec<String>, PathBuf)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = root().join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files
        .into_iter()
        .map(|file| {
            let mut path: Vec<String> = file
                .strip_prefix(&src)
                .unwrap()
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            if path.last().is_some_and(|p| p == "mod") {
                path.pop();
            }
            (path, file)
        })
        .collect()
}

/// Whether `source` defines `name`: a function, type, constant, module or
/// trait of that name, a field `name:`, or (for a capitalised name) a variant.
fn defines(source: &str, name: &str) -> bool {
    let ends = |rest: &str| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_');
    source.lines().any(|line| {
        let line = line
            .trim_start()
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("pub ");
        let keyword = [
            "fn ", "struct ", "enum ", "const ", "static ", "mod ", "type ", "trait ",
        ]
        .iter()
        .any(|kw| {
            line.strip_prefix(kw)
                .and_then(|rest| rest.strip_prefix(name))
                .is_some_and(ends)
        });
        let field = line
            .strip_prefix(name)
            .is_some_and(|r| r.starts_with(": ") || r.starts_with(':') && !r.starts_with("::"));
        let variant = name.starts_with(char::is_uppercase)
            && line
                .strip_prefix(name)
                .is_some_and(|r| r.starts_with('(') || r.starts_with(" {") || r.starts_with(','));
        keyword || field || variant
    })
}

/// Where `path` (`a::b::item`, `Type::member`, `module::Type::member`) is
/// defined, or why not.
fn resolve(modules: &[(Vec<String>, PathBuf)], path: &[&str]) -> Result<(), String> {
    let (member, owners) = path.split_last().unwrap();
    let (types, module_path): (Vec<&str>, Vec<&str>) = owners
        .iter()
        .partition(|s| s.starts_with(char::is_uppercase));
    // Files of modules whose path ends with the module segments (a folder
    // module includes every file under it).
    let in_module = |m: &Vec<String>| {
        (0..=m.len()).any(|start| {
            let tail = &m[start..];
            tail.len() >= module_path.len()
                && tail[..module_path.len()]
                    .iter()
                    .zip(&module_path)
                    .all(|(a, b)| a == b)
                && !module_path.is_empty()
        }) || module_path.is_empty()
    };
    let sources: Vec<String> = modules
        .iter()
        .filter(|(m, _)| in_module(m))
        .map(|(_, f)| fs::read_to_string(f).unwrap())
        .collect();
    if sources.is_empty() {
        return Err(format!("no module `{}` in src/", module_path.join("::")));
    }
    let owner_sources: Vec<&String> = match types.last() {
        Some(ty) => sources.iter().filter(|s| defines(s, ty)).collect(),
        None => sources.iter().collect(),
    };
    if owner_sources.is_empty() {
        return Err(format!("no type `{}` there", types.join("::")));
    }
    if owner_sources.iter().any(|s| defines(s, member)) {
        Ok(())
    } else {
        Err(format!("`{member}` is not defined there"))
    }
}

#[test]
fn file_paths_cited_in_the_documents_exist() {
    let modules = modules();
    let mut missing = Vec::new();
    let mut checked = 0;
    for doc in ["docs/MODEL.md", "docs/RESULTS.md", "README.md"] {
        for text in quoted(&read(doc)) {
            let path = text
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_end_matches(',');
            if path.contains('*') || path.contains('<') || path.contains("://") {
                continue;
            }
            let rooted = [
                "src/",
                "tests/",
                "benches/",
                "scenarios/",
                "scripts/",
                "docs/",
                "results/",
            ]
            .iter()
            .any(|p| path.starts_with(p));
            let exists = if rooted {
                root().join(path).exists()
            } else if path.ends_with(".rs") && !path.contains(' ') {
                // A file named by its tail, e.g. `experiment/metrics.rs`.
                modules.iter().any(|(_, f)| f.ends_with(path))
            } else {
                continue;
            };
            checked += 1;
            if !exists {
                missing.push(format!("{doc}: `{text}`"));
            }
        }
    }
    assert!(
        checked >= 40,
        "only {checked} paths found: is the parser broken?"
    );
    assert!(
        missing.is_empty(),
        "paths that do not exist:\n{}",
        missing.join("\n")
    );
}

#[test]
fn code_names_cited_in_the_model_document_are_defined_where_it_says() {
    let modules = modules();
    let mut missing = Vec::new();
    let mut checked = 0;
    for text in quoted(&read("docs/MODEL.md")) {
        let segments: Vec<&str> = text.split("::").collect();
        let is_path = segments.len() >= 2
            && segments
                .iter()
                .all(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_'));
        if !is_path || ["u32", "u64", "f64", "usize", "std"].contains(&segments[0]) {
            continue;
        }
        checked += 1;
        if let Err(why) = resolve(&modules, &segments) {
            missing.push(format!("`{text}`: {why}"));
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
fn the_resolver_refuses_stale_paths() {
    let modules = modules();
    assert!(resolve(&modules, &["engine", "run_replication"]).is_ok());
    assert!(resolve(&modules, &["Provider", "plan_capacity"]).is_ok());
    assert!(resolve(&modules, &["World", "population"]).is_ok());
    assert!(resolve(&modules, &["World", "attackers"]).is_err());
    assert!(resolve(&modules, &["engine", "rng", "Purpose"]).is_err());
    assert!(resolve(&modules, &["output", "stats", "estimate"]).is_err());
    assert!(resolve(&modules, &["intervention", "strike_provider"]).is_err());
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

/// The functions `step` calls at its top level, in order (`name(` after
/// `= `, `;` or a new line, or a method `.name(`).
fn calls_in_step() -> Vec<String> {
    let engine = read("src/engine/mod.rs");
    let body = engine
        .split("pub fn step(")
        .nth(1)
        .and_then(|s| s.split_once('{'))
        .and_then(|(_, s)| s.split("\n}\n").next())
        .expect("src/engine/mod.rs defines step");
    let mut calls = Vec::new();
    for (at, _) in body.match_indices('(') {
        let before = &body[..at];
        let name: String = before
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect::<String>()
            .chars()
            .rev()
            .collect();
        let name = name
            .rsplit("::")
            .nth(1)
            .map_or(name.as_str(), |owner| owner)
            .to_string();
        // Functions (lower case); a type's `default()` stands for the type.
        let is_call = !name.is_empty()
            && (name.starts_with(char::is_lowercase)
                || body[at..].starts_with("()") && name == "DayEvents")
            && !["Some", "if", "match"].contains(&name.as_str())
            && !calls.contains(&name);
        if is_call {
            calls.push(name);
        }
    }
    calls
}

#[test]
fn the_phases_of_a_day_are_the_calls_of_engine_step_in_order() {
    let model = read("docs/MODEL.md");
    let section = model
        .split("## 3. Process overview and scheduling")
        .nth(1)
        .and_then(|s| s.split("\n---").next())
        .expect("docs/MODEL.md has section 3");
    // "N. **Phase** (`name`, `name`): ...": the names in the parentheses
    // right after each phase's title.
    let documented: Vec<String> = section
        .split("**")
        .skip(2)
        .step_by(2)
        .filter_map(|after_title| {
            let rest = after_title.trim_start().strip_prefix('(')?;
            let inside = rest.split(')').next()?;
            Some(
                quoted(inside)
                    .into_iter()
                    .map(str::to_string)
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
        .collect();
    assert!(
        documented.len() >= 12,
        "phases found in section 3: {documented:?}"
    );
    let called = calls_in_step();
    let called_documented: Vec<&String> = called
        .iter()
        .filter(|c| documented.iter().any(|d| d == *c))
        .collect();
    assert_eq!(
        called_documented
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>(),
        documented.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "docs/MODEL.md section 3 names the phases in another order than engine::step calls them"
    );
    let undocumented: Vec<&String> = called
        .iter()
        .filter(|c| !documented.contains(c))
        .filter(|c| !["is_some_and", "then", "default"].contains(&c.as_str()))
        .collect();
    assert!(
        undocumented.is_empty(),
        "engine::step calls phases docs/MODEL.md section 3 does not name: {undocumented:?} (documented: {documented:?})"
    );
}

#[test]
fn every_column_of_the_time_series_is_described() {
    let results = read("docs/RESULTS.md");
    // Only the section of `timeseries.csv`: another table naming a column
    // (the metrics) does not describe it.
    let section = results
        .split("## `timeseries.csv`")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("docs/RESULTS.md has a section on timeseries.csv");
    // The names in the first cell of each table row ("| a, b | unit | meaning |").
    let described: Vec<String> = section
        .lines()
        .filter_map(|line| line.strip_prefix("| "))
        .filter_map(|row| row.split(" |").next())
        .flat_map(|cell| {
            cell.split(',')
                .map(|n| n.trim().trim_matches('`').to_string())
        })
        .collect();
    let missing: Vec<&str> = caasim::engine::record::timeseries_header()
        .into_iter()
        .filter(|c| !described.iter().any(|d| d == c))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/RESULTS.md does not describe {missing:?}"
    );
}

/// Paths outside the repository that its files must not point to: a reader
/// has the repository and nothing else.
const OUTSIDE: [&str; 5] = [
    "/work/",
    "../shared/",
    "shared/MODEL.md",
    "shared/DESIGN.md",
    "shared/SOURCES.md",
];

/// The lines (from 1) of `text` that point outside the repository, with
/// the path they name.
fn outside_references(text: &str) -> Vec<(usize, &'static str)> {
    text.lines()
        .enumerate()
        .flat_map(|(n, line)| {
            OUTSIDE
                .iter()
                .filter(move |path| line.contains(**path))
                .map(move |path| (n + 1, *path))
        })
        .collect()
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn no_document_points_outside_the_repository() {
    assert_eq!(
        outside_references("the spec\n(see /work/shared/MODEL.md)\n"),
        [(2, "/work/"), (2, "shared/MODEL.md")],
        "the scan finds a path outside"
    );
    let mut files = vec![root().join("README.md")];
    for dir in ["docs", "scenarios", "src"] {
        files_under(&root().join(dir), &mut files);
    }
    let mut found = Vec::new();
    let mut text_files = 0;
    for file in &files {
        // Binary files (none today) name no path a reader would follow.
        let Ok(text) = fs::read_to_string(file) else {
            continue;
        };
        text_files += 1;
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        for (line, path) in outside_references(&text) {
            found.push(format!("{name}:{line}: `{path}`"));
        }
    }
    assert!(
        text_files > 100,
        "only {text_files} files read: is the walk broken?"
    );
    assert!(
        found.is_empty(),
        "files that point outside the repository:\n{}",
        found.join("\n")
    );
}

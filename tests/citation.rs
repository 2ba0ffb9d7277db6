//! How to cite caasim: `CITATION.cff` is a Citation File Format 1.2.0 file
//! with the fields a citation needs, its versions are `Cargo.toml`'s, its
//! licences are the crate's, and both licence files are there.

mod common;

use common::repo_path;

/// The file's lines without comments and blank lines.
fn cff_lines() -> Vec<String> {
    let text = std::fs::read_to_string(repo_path("CITATION.cff")).expect("CITATION.cff");
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// The keys at the top level (no indentation).
fn top_keys(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('-'))
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.to_string()))
        .collect()
}

/// The list items under each `license:` key.
fn licence_lists(lines: &[String]) -> Vec<Vec<String>> {
    let mut lists = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start() == "license:" {
            let indent = line.len() - line.trim_start().len();
            let items = lines[i + 1..]
                .iter()
                .take_while(|l| l.len() - l.trim_start().len() > indent)
                .filter_map(|l| l.trim_start().strip_prefix("- ").map(str::to_string))
                .collect();
            lists.push(items);
        }
    }
    lists
}

#[test]
fn citation_file_names_what_a_citation_needs() {
    let lines = cff_lines();
    assert_eq!(lines[0], "cff-version: 1.2.0", "CFF 1.2.0 first");
    let keys = top_keys(&lines);
    for key in [
        "message",
        "type",
        "title",
        "version",
        "abstract",
        "authors",
        "license",
        "preferred-citation",
    ] {
        assert!(keys.iter().any(|k| k == key), "CITATION.cff has no `{key}`");
    }
}

#[test]
fn citation_versions_and_licences_are_the_crates() {
    let lines = cff_lines();
    let versions: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.trim_start().strip_prefix("version: "))
        .collect();
    assert_eq!(
        versions.len(),
        2,
        "the software's and the preferred citation's"
    );
    for version in versions {
        assert_eq!(
            version,
            env!("CARGO_PKG_VERSION"),
            "CITATION.cff's version is not Cargo.toml's: update it with the crate's"
        );
    }
    let crate_licences: Vec<String> = env!("CARGO_PKG_LICENSE")
        .split(" OR ")
        .map(str::to_string)
        .collect();
    let lists = licence_lists(&lines);
    assert_eq!(lists.len(), 2);
    for list in lists {
        assert_eq!(
            list, crate_licences,
            "CITATION.cff's licences are not the crate's"
        );
    }
}

#[test]
fn both_licence_files_are_there() {
    let mit = std::fs::read_to_string(repo_path("LICENSE-MIT")).expect("LICENSE-MIT");
    assert!(mit.contains("Permission is hereby granted, free of charge"));
    let apache = std::fs::read_to_string(repo_path("LICENSE-APACHE")).expect("LICENSE-APACHE");
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
}

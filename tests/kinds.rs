//! Every intervention kind is known everywhere a reader or a test looks for
//! it: the list of kinds in the code matches the scenario format, and each
//! kind appears in the model document, the README, a shipped scenario and the
//! extreme-parameter tests.

use std::fs;
use std::path::Path;

use caasim::model::interventions::KINDS;

fn read(relative: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)).unwrap()
}

/// The `kind` tags the JSON Schema of the scenario format allows.
fn kinds_in_schema() -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(&caasim::scenario::json_schema()).unwrap();
    let variants = schema["$defs"]["Intervention"]["oneOf"]
        .as_array()
        .expect("the schema lists the interventions' variants");
    let mut kinds: Vec<String> = variants
        .iter()
        .map(|v| {
            let kind = &v["properties"]["kind"];
            kind["const"]
                .as_str()
                .or_else(|| kind["enum"][0].as_str())
                .expect("each variant has a kind tag")
                .to_string()
        })
        .collect();
    kinds.sort();
    kinds
}

#[test]
fn the_list_of_kinds_is_the_format_s() {
    let mut listed: Vec<String> = KINDS.iter().map(|(name, _)| name.to_string()).collect();
    listed.sort();
    assert_eq!(listed, kinds_in_schema());
}

#[test]
fn every_kind_is_documented_shipped_and_tested_at_extremes() {
    let model = read("docs/MODEL.md");
    let readme = read("README.md");
    let extreme = read("tests/extreme.rs");
    let scenarios: Vec<String> =
        fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
            .unwrap()
            .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
    let mut missing = Vec::new();
    for (kind, _) in KINDS {
        let quoted = format!("\"{kind}\"");
        let written = format!("`{kind}`");
        if !model.contains(&written) {
            missing.push(format!("{kind}: `{kind}` is not in docs/MODEL.md"));
        }
        // The list of kinds in the README's "Scenario files" section.
        let kinds_line = readme
            .lines()
            .find(|l| l.contains("kind = \"takedown\" |"))
            .unwrap_or("");
        if !kinds_line.contains(&quoted) {
            missing.push(format!("{kind}: not in the README's list of kinds"));
        }
        if !scenarios
            .iter()
            .any(|s| s.contains(&format!("kind = {quoted}")))
        {
            missing.push(format!("{kind}: in no scenario of scenarios/"));
        }
        // Both in the fixed extreme arms and in the random scenarios' generator.
        if !extreme.contains(&format!("kind = {quoted}")) {
            missing.push(format!(
                "{kind}: not among the extreme arms of tests/extreme.rs"
            ));
        }
        if !extreme.contains(&format!("kind = \\\"{kind}\\\"")) {
            missing.push(format!(
                "{kind}: not drawn by the random scenarios of tests/extreme.rs"
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

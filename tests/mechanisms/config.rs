//! The resolved model: choosing arms.

use caasim::scenario::load_text;

#[test]
fn keep_arms_keeps_the_baseline_and_the_named_arms_in_order() {
    let text = include_str!("../../scenarios/generic-market.toml");
    let mut model = load_text(text, "generic-market.toml", &[]).unwrap();
    let all: Vec<String> = model.arms.iter().map(|a| a.name.clone()).collect();
    let wanted = [all[3].clone(), all[1].clone()];
    model.keep_arms(&wanted).unwrap();
    let kept: Vec<&str> = model.arms.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(kept, [&all[0], &all[1], &all[3]]);
    let recorded: Vec<&str> = model
        .scenario
        .arms
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(recorded, kept, "the recorded scenario matches");
    let error = model.keep_arms(&["no-such-arm".into()]).unwrap_err();
    assert!(
        error.contains("no-such-arm") && error.contains(&all[0]),
        "{error}"
    );
}

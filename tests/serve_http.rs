//! The workshop room over HTTP (`caasim serve`), without a browser: a
//! changed what-if runs and streams its results; the exported scenario
//! reproduces the page's effects byte for byte through `caasim run`; the
//! locked baseline, the time budget and the prediction round behave; and
//! hostile requests (oversized bodies, path traversal, NaN and huge
//! values, a flood) are refused with a clear answer while the room goes on.

mod common;

use common::room::{Room, final_results};
use serde_json::{Value, json};

const SCENARIO: &str = "scenarios/generic-market.toml";

fn room() -> Room {
    Room::start(&[SCENARIO, "--scenarios", "scenarios"])
}

fn current(room: &Room) -> Value {
    let (status, state) = room.get_json("/api/state");
    assert_eq!(status, 200);
    state
}

/// Add `copies` copies of the state's first arm (named `b`, `c`, ...,
/// in the next colours).
fn add_copies(state: &mut Value, copies: usize) {
    let arm = state["arms"][0].clone();
    for i in 0..copies {
        let mut copy = arm.clone();
        copy["name"] = json!(char::from(b'b' + i as u8).to_string());
        copy["colour"] = json!(i + 2);
        state["arms"].as_array_mut().unwrap().push(copy);
    }
}

/// The first problem's `where` and message of a refusal.
fn first_problem(answer: &Value) -> (Value, String) {
    let problem = &answer["problems"][0];
    (
        problem["where"].clone(),
        problem["message"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn a_changed_what_if_streams_results_and_exports_a_scenario_that_reproduces_them() {
    let room = room();
    let events = room.events();
    let mut state = current(&room);
    state["arms"][0]["interventions"][0]["capacity_seized"] = json!(0.5);
    state["arms"][0]["note"] = json!("half the servers");
    let (status, answer) = room.post_state(&state);
    assert_eq!(status, 200, "{answer}");
    let revision = answer["revision"].as_u64().unwrap();
    let results = final_results(&events, revision);
    assert_eq!(results["done"], results["total"]);
    let effect = results["effects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["metric"] == "campaigns_change_pct")
        .expect("the campaigns effect");
    assert!(effect["estimate"].as_f64().unwrap() < 0.0, "{effect}");
    assert_eq!(results["charts"].as_array().unwrap().len(), 4);

    let dir = tempfile::tempdir().unwrap();
    let export = room.run_export(dir.path());
    assert!(
        export.scenario.contains("capacity_seized = 0.5"),
        "{}",
        export.scenario
    );
    assert!(
        export.scenario.contains("Note: half the servers."),
        "the note is recorded"
    );
    assert!(
        export.summary == export.effects,
        "caasim run of the exported scenario gives other effects than the room"
    );
}

#[test]
fn every_browser_sees_the_same_state_and_results() {
    let room = room();
    let (one, two) = (room.events(), room.events());
    let mut state = current(&room);
    state["arms"][0]["interventions"][0]["downtime_days"] = json!(45);
    let (status, answer) = room.post_state(&state);
    assert_eq!(status, 200, "{answer}");
    let revision = answer["revision"].as_u64().unwrap();
    let seen: Vec<(Value, Value)> = [one, two]
        .iter()
        .map(|events| {
            let state = loop {
                let (name, data) = events
                    .recv_timeout(std::time::Duration::from_secs(60))
                    .expect("the state event");
                if name == "state" && data["revision"] == revision {
                    break data["state"].clone();
                }
            };
            (state, final_results(events, revision)["effects"].clone())
        })
        .collect();
    assert_eq!(seen[0].0, state, "the room's state is the one posted");
    assert_eq!(
        seen[0], seen[1],
        "two browsers see one state and one set of results"
    );
}

#[test]
fn the_locked_baseline_the_budget_and_the_prediction_round() {
    let room = room();
    let mut state = current(&room);
    state["market"]["market.search_days"] = json!(35);
    let (status, answer) = room.post_state(&state);
    assert_eq!(status, 422, "{answer}");
    let (place, message) = first_problem(&answer);
    assert_eq!(place, json!({"market": "market.search_days"}));
    assert!(message.contains("locked"), "{message}");

    state["unlocked"] = json!(true);
    let (status, answer) = room.post_state(&state);
    assert_eq!(status, 200, "unlocked, the baseline may change: {answer}");

    let mut big = current(&room);
    add_copies(&mut big, 3);
    big["reps"] = json!(200);
    let events = room.events();
    let (status, answer) = room.post_state(&big);
    // generic-market is small: 200 replications of five arms fit the budget.
    assert_eq!(status, 200, "{answer}");
    final_results(&events, answer["revision"].as_u64().unwrap());

    let mut guess = current(&room);
    let name = guess["arms"][0]["name"].as_str().unwrap().to_string();
    guess["predict"] = json!({"on": true, "metric": "campaigns_change_pct", "guesses": {name.clone(): -40.0}, "revealed": false});
    let (status, answer) = room.post_state(&guess);
    assert_eq!(status, 200, "{answer}");
    let revision = answer["revision"].as_u64().unwrap();
    // The run did not change: its final results come again under the new
    // revision, with no progress of a new run before them.
    let first = loop {
        let (name, data) = events
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("results of the new revision");
        if data["revision"] == revision && ["results", "progress"].contains(&name.as_str()) {
            break (name, data);
        }
    };
    assert_eq!(first.0, "results", "a guess alone ran the model again");
    assert_eq!(first.1["final"], true, "a guess alone ran the model again");
    let (_, toml) = room.request("GET", "/api/export/scenario.toml", b"");
    let toml = String::from_utf8(toml).unwrap();
    assert!(
        !toml.contains("The room guessed"),
        "a guess is exported only once revealed"
    );

    guess["predict"]["revealed"] = json!(true);
    let (_, answer) = room.post_state(&guess);
    let revealed = answer["revision"].as_u64().unwrap();
    final_results(&events, revealed);
    let (_, toml) = room.request("GET", "/api/export/scenario.toml", b"");
    let toml = String::from_utf8(toml).unwrap();
    assert!(
        toml.contains("The room guessed -40 for campaigns_change_pct."),
        "{toml}"
    );
    // Editing an arm after the reveal runs again but plays no new round.
    guess["arms"][0]["interventions"][0]["capacity_seized"] = json!(0.6);
    let (_, answer) = room.post_state(&guess);
    final_results(&events, answer["revision"].as_u64().unwrap());
    let (status, csv) = room.request("GET", "/api/export/predictions.csv", b"");
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv.lines().count(), 2, "one round of one guess: {csv}");
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.starts_with(&format!(
            "1,generic-market,campaigns_change_pct,{name},-40,"
        )),
        "{csv}"
    );
}

#[test]
fn market_assumptions_stay_in_their_range_and_changes_come_from_the_room() {
    let room = room();
    let mut state = current(&room);
    state["unlocked"] = json!(true);
    state["market"]["market.switching_cost_usd"] = json!(1e300);
    let (status, answer) = room.post_state(&state);
    assert_eq!(status, 422, "{answer}");
    let place = first_problem(&answer).0;
    assert_eq!(place, json!({"market": "market.switching_cost_usd"}));

    // Switching scenario keeps the lock: the new one starts from its own
    // assumptions (generic-market's switching cost is 20, redvds-2026's 30).
    let mut switched = current(&room);
    switched["scenario"] = json!("redvds-2026");
    let (status, answer) = room.post_state(&switched);
    assert_eq!(status, 422, "{answer}");
    let place = first_problem(&answer).0;
    assert_eq!(place, json!({"market": "market.switching_cost_usd"}));

    // A cross-site form (not JSON) and another site's page are refused.
    let body = current(&room).to_string();
    let plain = room.request_with("POST", "/api/state", "text/plain", None, body.as_bytes());
    assert_eq!(plain.0, 415);
    let evil = Some("http://evil.example");
    let other = room.request_with(
        "POST",
        "/api/state",
        "application/json",
        evil,
        body.as_bytes(),
    );
    assert_eq!(other.0, 403);
}

#[test]
fn ctrl_c_stops_the_room_with_a_browser_connected() {
    let mut room = room();
    let events = room.events();
    events
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the greeting");
    assert!(
        room.interrupt(std::time::Duration::from_secs(10)),
        "the room did not stop within 10 s of Ctrl-C"
    );
}

#[test]
fn a_run_over_the_time_budget_is_refused_with_the_reason() {
    // One thread: 200 replications of five arms take about a minute here.
    let room = Room::start_with(
        &["scenarios/redvds-2026.toml", "--scenarios", "scenarios"],
        &[("RAYON_NUM_THREADS", "1")],
    );
    let mut state = current(&room);
    add_copies(&mut state, 3);
    state["reps"] = json!(200);
    let (status, answer) = room.post_state(&state);
    assert_eq!(status, 422, "{answer}");
    let (place, message) = first_problem(&answer);
    assert_eq!(place, json!({"setting": "reps"}));
    assert!(message.contains("budget"), "{message}");
}

#[test]
fn hostile_requests_are_refused_and_the_room_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let presets = dir.path().join("presets.json");
    let room = Room::start(&[
        SCENARIO,
        "--scenarios",
        "scenarios",
        "--presets",
        presets.to_str().unwrap(),
    ]);
    let state = current(&room);

    // An oversized body.
    let huge = vec![b' '; 200 * 1024];
    assert_eq!(room.request("POST", "/api/state", &huge).0, 413);

    // Not a state; NaN is not JSON; an unknown key.
    for body in [
        "not json".to_string(),
        state.to_string().replace("\"reps\":10", "\"reps\":NaN"),
        state
            .to_string()
            .replace("\"reps\":10", "\"reps\":10,\"path\":\"/etc\""),
        state.to_string().replace("\"reps\":10", "\"reps\":1e12"),
    ] {
        let (status, answer) = room.request("POST", "/api/state", body.as_bytes());
        assert_eq!(status, 400, "{body}");
        assert!(String::from_utf8_lossy(&answer).contains("not a room state"));
    }

    // Path traversal: a scenario is an id, a preset a key, an asset a name.
    let mut traversal = state.clone();
    traversal["scenario"] = json!("../../etc/passwd");
    let (status, answer) = room.post_state(&traversal);
    assert_eq!(status, 422);
    assert_eq!(first_problem(&answer).0, json!({"setting": "scenario"}));
    for path in [
        "/api/scenario/..%2F..%2Fetc%2Fpasswd",
        "/assets/..%2F..%2FCargo.toml",
        "/assets/../../Cargo.toml",
        "/../../etc/passwd",
    ] {
        let (status, body) = room.request("GET", path, b"");
        assert_eq!(status, 404, "{path}");
        assert!(!String::from_utf8_lossy(&body).contains("[package]"));
    }
    let (status, _) = room.request(
        "PUT",
        "/api/presets/..%2Fescape",
        state.to_string().as_bytes(),
    );
    assert_eq!(status, 422);
    assert!(!dir.path().join("escape").exists() && !presets.exists());
    let (status, _) = room.request("PUT", "/api/presets/opening", state.to_string().as_bytes());
    assert_eq!(status, 200);
    assert!(presets.is_file());

    // Huge and out-of-range values come back next to their control.
    for (field, value) in [
        ("capacity_seized", json!(1e308)),
        ("downtime_days", json!(1e12)),
        ("capacity_seized", json!(-0.5)),
        ("downtime_days", json!("soon")),
    ] {
        let mut bad = state.clone();
        bad["arms"][0]["interventions"][0][field] = value.clone();
        let (status, answer) = room.post_state(&bad);
        assert_eq!(status, 422, "{field}={value}: {answer}");
        let (place, _) = first_problem(&answer);
        assert_eq!(
            place,
            json!({"arm": 0, "intervention": 0, "field": field}),
            "{field}={value}: {answer}"
        );
    }
    let mut bad = state.clone();
    bad["reps"] = json!(100000);
    assert_eq!(
        first_problem(&room.post_state(&bad).1).0,
        json!({"setting": "reps"})
    );

    // A flood, from several connections at once and faster than any room
    // validates: requests beyond the burst are turned away, cheaply.
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let senders: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    (0..40)
                        .map(|_| room.request("POST", "/api/state", b"{}").0)
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        senders
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        statuses.contains(&429),
        "a flood is rate-limited: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [400, 429].contains(s)),
        "{statuses:?}"
    );
    // The bucket refills (60 requests at 20 a second) and the room goes on.
    std::thread::sleep(std::time::Duration::from_secs(4));
    let events = room.events();
    let mut last = current(&room);
    last["arms"][0]["interventions"][0]["capacity_seized"] = json!(0.77);
    let (status, answer) = room.post_state(&last);
    assert_eq!(status, 200, "{answer}");
    final_results(&events, answer["revision"].as_u64().unwrap());
}

//! The room's HTTP surface: the page and its assets, the scenario
//! catalogue and controls, the state (`POST /api/state`), the event stream
//! (`GET /api/events`, server-sent events), the exports and the presets.
//! Every request body is size-limited and parsed strictly; every answer to
//! bad input is a JSON `{"problems": [...]}` with a 4xx status.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, StreamExt};
use serde_json::{Value, json};
use tokio_stream::wrappers::BroadcastStream;

use super::assets;
use super::catalog::Entry;
use super::controls::{kinds_json, market_json};
use super::defaults::interventions_json;
use super::limits::{MAX_BODY, RateLimit, Streams};
use super::presets::{self, Presets};
use super::problem::{PageProblem, Where};
use super::room::Room;
use super::snapshot::{shown, unit_text};
use super::state::{REPS_RANGE, RoomState};
use crate::experiment::metrics::METRICS;

/// What every handler shares.
pub struct App {
    /// The room.
    pub room: Arc<Room>,
    /// The presets file, when the facilitator chose one.
    pub presets: Option<Presets>,
    /// How participants reach the room, when it listens beyond this machine.
    pub host_note: Option<String>,
    /// Default replications of a new state.
    pub reps: u32,
    /// The request rate limit.
    pub limit: RateLimit,
    /// The open event streams.
    pub streams: Arc<Streams>,
    /// Set when the room stops: the event streams end, so that the server
    /// can shut down with browsers connected.
    pub stop: Option<&'static AtomicBool>,
}

/// The router of the room.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/assets/{name}", get(asset))
        .route("/api/scenarios", get(scenarios))
        .route("/api/scenario/{id}", get(scenario))
        .route("/api/state", get(state).post(submit))
        .route("/api/events", get(events))
        .route("/api/export/{file}", get(export))
        .route("/api/presets", get(preset_names))
        .route("/api/presets/{name}", get(preset).put(save_preset))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(app)
}

async fn index() -> Html<&'static str> {
    Html(assets::INDEX)
}

async fn asset(Path(name): Path<String>) -> Response {
    match assets::asset(&name) {
        Some((bytes, kind)) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
        None => not_found().await,
    }
}

async fn not_found() -> Response {
    refuse(
        StatusCode::NOT_FOUND,
        Where::default(),
        "no such page or file in this room".into(),
    )
}

/// A refusal with one problem.
fn refuse(status: StatusCode, place: Where, message: String) -> Response {
    problems(status, vec![PageProblem::new(place, message)])
}

fn problems(status: StatusCode, problems: Vec<PageProblem>) -> Response {
    (status, axum::Json(json!({ "problems": problems }))).into_response()
}

/// The refusal of a change that another site's page may have sent: the
/// body must be declared JSON (which a cross-site form cannot do without
/// the browser asking first), and a browser's `Origin` must be this room.
fn foreign(headers: &HeaderMap) -> Option<Response> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if !text(header::CONTENT_TYPE).is_some_and(|t| t.starts_with("application/json")) {
        return Some(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Where::default(),
            "a change must be sent as `Content-Type: application/json`".into(),
        ));
    }
    let origin = text(header::ORIGIN).map(|o| o.trim_start_matches("http://"));
    match (origin, text(header::HOST)) {
        (Some(origin), Some(host)) if origin != host => Some(refuse(
            StatusCode::FORBIDDEN,
            Where::default(),
            format!("a change from the page of `{origin}` is not this room's"),
        )),
        _ => None,
    }
}

fn too_many() -> Response {
    refuse(
        StatusCode::TOO_MANY_REQUESTS,
        Where::default(),
        "too many requests; wait a moment and try again".into(),
    )
}

async fn scenarios(State(app): State<Arc<App>>) -> Response {
    let list: Vec<Value> = app
        .room
        .catalog
        .entries
        .iter()
        .map(|e| json!({"id": e.id, "description": e.model.scenario.scenario.description}))
        .collect();
    axum::Json(json!({
        "scenarios": list,
        "host_note": app.host_note,
        "presets_file": app.presets.as_ref().map(|p| p.path.display().to_string()),
        "initial": app.room.state().scenario,
    }))
    .into_response()
}

async fn scenario(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match app.room.catalog.get(&id) {
        Some(entry) => axum::Json(controls(entry, app.reps)).into_response(),
        None => refuse(
            StatusCode::NOT_FOUND,
            Where::setting("scenario"),
            format!("`{id}` is not a scenario of this room"),
        ),
    }
}

/// The controls of one scenario, as the page reads them.
fn controls(entry: &Entry, reps: u32) -> Value {
    let model = &entry.model;
    let s = &model.scenario;
    let arms: Vec<Value> = s
        .arms
        .iter()
        .filter(|a| !a.interventions.is_empty())
        .map(|a| json!({"name": a.name, "description": a.description, "interventions": interventions_json(&a.interventions)}))
        .collect();
    let metrics: Vec<Value> = METRICS
        .iter()
        .map(|m| json!({"name": m.name, "label": m.label, "unit": unit_text(m.unit), "headline": shown(m.name)}))
        .collect();
    let charts: Vec<Value> = super::series::CHARTS
        .iter()
        .map(|c| json!({"name": c.name, "label": c.label, "unit": c.unit}))
        .collect();
    json!({
        "id": entry.id,
        "description": s.scenario.description,
        "sources": entry.header(),
        "start_date": model.start_date.map(|d| d.to_string()),
        "days": model.days,
        "reps": {"default": reps, "min": REPS_RANGE.0, "max": REPS_RANGE.1},
        "seed": model.seed,
        "baseline": {"name": model.arms[0].name, "description": model.arms[0].description},
        "arms": arms,
        "kinds": kinds_json(model),
        "market": market_json(model),
        "metrics": metrics,
        "charts": charts,
    })
}

async fn state(State(app): State<Arc<App>>) -> Response {
    axum::Json(app.room.state()).into_response()
}

/// A state from a request body, or the answer that refuses it (boxed:
/// an answer is large).
fn parse_state(body: &[u8]) -> Result<RoomState, Box<Response>> {
    serde_json::from_slice(body).map_err(|e| {
        Box::new(refuse(
            StatusCode::BAD_REQUEST,
            Where::default(),
            format!("the request is not a room state: {e}"),
        ))
    })
}

async fn submit(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    if !app.limit.allow() {
        return too_many();
    }
    if let Some(refusal) = foreign(&headers) {
        return refusal;
    }
    let state = match parse_state(&body) {
        Ok(state) => state,
        Err(response) => return *response,
    };
    let room = app.room.clone();
    match tokio::task::spawn_blocking(move || room.submit(state)).await {
        Ok(Ok(revision)) => axum::Json(json!({ "revision": revision })).into_response(),
        Ok(Err(found)) => problems(StatusCode::UNPROCESSABLE_ENTITY, found),
        Err(_) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            Where::default(),
            "the room could not take the state".into(),
        ),
    }
}

async fn events(State(app): State<Arc<App>>) -> Response {
    let Some(guard) = app.streams.open() else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            Where::default(),
            "too many browsers are connected to this room".into(),
        );
    };
    let live = BroadcastStream::new(app.room.subscribe());
    let greeting = app.room.greeting();
    let room = app.room.clone();
    let live = live.flat_map(move |item| {
        // A browser that fell behind gets the current state and results again.
        stream::iter(item.map_or_else(|_| room.greeting(), |event| vec![event]))
    });
    let stop = app.stop;
    let stopped = async move {
        while !stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let all = stream::iter(greeting)
        .chain(live)
        .take_until(stopped)
        .map(move |event| {
            let _open = &guard;
            Ok::<_, Infallible>(
                SseEvent::default()
                    .event(event.name)
                    .data(event.data.as_str()),
            )
        });
    Sse::new(all)
        .keep_alive(KeepAlive::default())
        .into_response()
}

async fn export(State(app): State<Arc<App>>, Path(file): Path<String>) -> Response {
    if !app.limit.allow() {
        return too_many();
    }
    match file.as_str() {
        "scenario.toml" => {
            let (name, text) = app.room.scenario_file();
            download("application/toml; charset=utf-8", &name, text.into_bytes())
        }
        "effects.csv" => match app.room.summary_csv() {
            Some(csv) => download("text/csv; charset=utf-8", "summary.csv", csv),
            None => refuse(StatusCode::CONFLICT, Where::default(), "the run of the current what-if has not finished; export again when the page says it is done".into()),
        },
        "predictions.csv" => match app.room.predictions_csv() {
            Ok(csv) => download("text/csv; charset=utf-8", "predictions.csv", csv),
            Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, Where::default(), format!("{e:#}")),
        },
        _ => not_found().await,
    }
}

fn download(kind: &'static str, name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// The presets file, or the answer that says there is none (boxed: an
/// answer is large).
fn presets_of(app: &App) -> Result<&Presets, Box<Response>> {
    app.presets.as_ref().ok_or_else(|| {
        Box::new(refuse(
            StatusCode::NOT_FOUND,
            Where::default(),
            "no presets file: start the room with `--presets FILE` to save presets".into(),
        ))
    })
}

async fn preset_names(State(app): State<Arc<App>>) -> Response {
    let presets = match presets_of(&app) {
        Ok(p) => p,
        Err(response) => return *response,
    };
    match presets.read() {
        Ok(all) => axum::Json(json!({"file": presets.path.display().to_string(), "names": all.keys().collect::<Vec<_>>()})).into_response(),
        Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, Where::default(), format!("{e:#}")),
    }
}

async fn preset(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    let presets = match presets_of(&app) {
        Ok(p) => p,
        Err(response) => return *response,
    };
    match presets.read().map(|mut all| all.remove(&name)) {
        Ok(Some(state)) => axum::Json(state).into_response(),
        Ok(None) => refuse(
            StatusCode::NOT_FOUND,
            Where::default(),
            format!("no preset `{name}`"),
        ),
        Err(e) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            Where::default(),
            format!("{e:#}"),
        ),
    }
}

async fn save_preset(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !app.limit.allow() {
        return too_many();
    }
    if let Some(refusal) = foreign(&headers) {
        return refusal;
    }
    let presets = match presets_of(&app) {
        Ok(p) => p.clone(),
        Err(response) => return *response,
    };
    if let Some(message) = presets::name_problem(&name) {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, Where::default(), message);
    }
    let state = match parse_state(&body) {
        Ok(state) => state,
        Err(response) => return *response,
    };
    let room = app.room.clone();
    let saved = tokio::task::spawn_blocking(move || match room.check(&state, None) {
        Ok(_) => Ok(presets.save(&name, state)),
        Err(found) => Err(found),
    });
    match saved.await {
        Ok(Err(found)) => problems(StatusCode::UNPROCESSABLE_ENTITY, found),
        Ok(Ok(Ok(()))) => axum::Json(json!({"saved": true})).into_response(),
        Ok(Ok(Err(e))) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            Where::default(),
            format!("{e:#}"),
        ),
        Err(_) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            Where::default(),
            "the preset could not be saved".into(),
        ),
    }
}

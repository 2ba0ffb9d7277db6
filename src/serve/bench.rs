//! The latency of the room's request path, measured end to end over HTTP:
//! a client posts a changed state and waits on the event stream for the
//! final results of its revision. `caasim bench --serve` prints the
//! percentiles.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::state::RoomState;

/// Longest wait for one answer before the benchmark gives up.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Seconds from each post to its final results, in the order posted.
pub fn latencies(address: SocketAddr, first: &RoomState, requests: usize) -> Result<Vec<f64>> {
    let events = events(address)?;
    let mut state = first.clone();
    let mut seconds = Vec::with_capacity(requests);
    for i in 0..requests {
        vary(&mut state, i)?;
        let posted = Instant::now();
        let revision = post(address, &state)?;
        loop {
            let (name, data) = events
                .recv_timeout(TIMEOUT)
                .context("no final results within two minutes")?;
            let last = data["final"] == Value::Bool(true) && data["revision"] == revision;
            if name == "results" && last {
                seconds.push(posted.elapsed().as_secs_f64());
                break;
            }
        }
    }
    Ok(seconds)
}

/// A new what-if for request `i`: the first intervention's seized share (or
/// the replications' seed) changes, so each request runs anew.
fn vary(state: &mut RoomState, i: usize) -> Result<()> {
    let Some(arm) = state.arms.first_mut() else {
        bail!("the state has no what-if arm")
    };
    match arm
        .interventions
        .first_mut()
        .and_then(|f| f.get_mut("capacity_seized"))
    {
        Some(share) => *share = Value::from(0.5 + 0.4 * ((i % 2) as f64) + 0.001 * i as f64),
        None => state.seed = state.seed.wrapping_add(1),
    }
    Ok(())
}

/// POST `state`; its revision.
fn post(address: SocketAddr, state: &RoomState) -> Result<u64> {
    let body = serde_json::to_vec(state)?;
    let mut stream = TcpStream::connect(address)?;
    let head = format!(
        "POST /api/state HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let json = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let value: Value = serde_json::from_str(json)
        .with_context(|| format!("the room refused the state: {answer}"))?;
    value["revision"]
        .as_u64()
        .with_context(|| format!("the room refused the state: {json}"))
}

/// Follow the room's event stream at `address` on a thread: each event's
/// name and JSON data, as they come (`Null` for data that is not JSON).
pub fn events(address: SocketAddr) -> Result<mpsc::Receiver<(String, Value)>> {
    let mut stream = TcpStream::connect(address)?;
    write!(
        stream,
        "GET /api/events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
    )?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut pending, mut name) = (String::new(), String::new());
        while let Some(chunk) = read_chunk(&mut reader) {
            pending.push_str(&chunk);
            while let Some(end) = pending.find('\n') {
                let line: String = pending.drain(..=end).collect();
                if let Some(event) = line.strip_prefix("event:") {
                    name = event.trim().to_string();
                } else if let Some(data) = line.strip_prefix("data:") {
                    let value = serde_json::from_str(data.trim()).unwrap_or(Value::Null);
                    if send.send((name.clone(), value)).is_err() {
                        return;
                    }
                }
            }
        }
    });
    Ok(receive)
}

/// One chunk of a chunked HTTP body (`None` at its end or on an error).
fn read_chunk(reader: &mut BufReader<TcpStream>) -> Option<String> {
    let mut size = String::new();
    reader.read_line(&mut size).ok()?;
    let size = usize::from_str_radix(size.trim(), 16)
        .ok()
        .filter(|&n| n > 0)?;
    let mut bytes = vec![0; size + 2];
    reader.read_exact(&mut bytes).ok()?;
    bytes.truncate(size);
    String::from_utf8(bytes).ok()
}

/// The `q` quantile (0-1) of `values` (the nearest rank).
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied().unwrap_or(f64::NAN)
}

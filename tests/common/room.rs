//! A workshop room (`caasim serve`) started for a test on a free port, and
//! a small HTTP client for it (plain requests and the event stream).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// A running room; killed when dropped.
pub struct Room {
    /// Its address.
    pub address: SocketAddr,
    child: Child,
}

impl Drop for Room {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Room {
    /// Send Ctrl-C (SIGINT) and wait up to `limit` for the room to exit;
    /// whether it did.
    pub fn interrupt(&mut self, limit: Duration) -> bool {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -INT {pid}");
        let started = std::time::Instant::now();
        while started.elapsed() < limit {
            if self.child.try_wait().ok().flatten().is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// `caasim serve ARGS --port 0`, once it listens.
    pub fn start(args: &[&str]) -> Room {
        Room::start_with(args, &[])
    }

    /// [`Room::start`] with environment variables `vars`.
    pub fn start_with(args: &[&str], vars: &[(&str, &str)]) -> Room {
        let mut child = super::bin()
            .envs(vars.iter().copied())
            .arg("serve")
            .args(args)
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("caasim serve starts");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let address = loop {
            let line = lines
                .next()
                .expect("caasim serve printed its address")
                .unwrap();
            if let Some(rest) = line.split("http://").nth(1) {
                let host_port = rest.split('/').next().unwrap();
                break host_port.parse().expect("an address");
            }
        };
        // Keep reading stderr so that the room never blocks on it.
        std::thread::spawn(move || lines.for_each(drop));
        Room { address, child }
    }

    /// The page's base URL.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// `METHOD path` with a JSON `body`: the status and the body of the answer.
    pub fn request(&self, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
        self.request_with(method, path, "application/json", None, body)
    }

    /// `METHOD path` with `body` of type `kind`, from the page of `origin`
    /// when given: the status and the body of the answer.
    pub fn request_with(
        &self,
        method: &str,
        path: &str,
        kind: &str,
        origin: Option<&str>,
        body: &[u8],
    ) -> (u16, Vec<u8>) {
        let mut stream = TcpStream::connect(self.address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let origin = origin.map_or_else(String::new, |o| format!("Origin: {o}\r\n"));
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: {kind}\r\n{origin}Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.address,
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        // A server may answer (413) before it reads a large body.
        let _ = stream.write_all(body);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer);
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no HTTP answer to {method} {path}: {text}"));
        let at = answer
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(answer.len(), |i| i + 4);
        (status, answer[at..].to_vec())
    }

    /// GET `path` as JSON.
    pub fn get_json(&self, path: &str) -> (u16, Value) {
        let (status, body) = self.request("GET", path, b"");
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// POST a state; the status and the JSON answer.
    pub fn post_state(&self, state: &Value) -> (u16, Value) {
        let (status, body) = self.request("POST", "/api/state", state.to_string().as_bytes());
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// The room's event stream: each event's name and data, as they come.
    pub fn events(&self) -> mpsc::Receiver<(String, Value)> {
        caasim::serve::bench::events(self.address).expect("the event stream")
    }

    /// The exported scenario and effects, and `summary.csv` of `caasim run`
    /// on that scenario (in a folder kept in `dir`).
    pub fn run_export(&self, dir: &Path) -> Export {
        let (_, scenario) = self.request("GET", "/api/export/scenario.toml", b"");
        let (status, effects) = self.request("GET", "/api/export/effects.csv", b"");
        assert_eq!(status, 200, "the effects of a finished run export");
        let file = dir.join("whatif.toml");
        std::fs::write(&file, &scenario).unwrap();
        let out = dir.join("run");
        let run = super::bin()
            .arg("run")
            .arg(&file)
            .args(["--quiet", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        Export {
            scenario: String::from_utf8(scenario).unwrap(),
            effects,
            summary: std::fs::read(out.join("summary.csv")).unwrap(),
        }
    }
}

/// What the room exported, and what `caasim run` made of it.
pub struct Export {
    /// The exported scenario file.
    pub scenario: String,
    /// The exported effects (`summary.csv` of the room's run).
    pub effects: Vec<u8>,
    /// `summary.csv` of `caasim run` on the exported scenario.
    pub summary: Vec<u8>,
}

/// Wait on `events` for the final results of `revision` (panics after two
/// minutes).
pub fn final_results(events: &mpsc::Receiver<(String, Value)>, revision: u64) -> Value {
    loop {
        let (name, data) = events
            .recv_timeout(Duration::from_secs(120))
            .expect("final results within two minutes");
        if name == "failed" && data["revision"] == revision {
            panic!("the run failed: {data}");
        }
        if name == "results" && data["final"] == true && data["revision"] == revision {
            return data;
        }
    }
}

//! A `hatchery serve` process for tests that drive the real binary over
//! HTTP, and the calls they make to it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command as Process, Stdio};
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use super::Workspace;

pub const PASSWORD: &str = "correct horse battery staple";
/// The password an operator gives `hatchery admin create-user`: its owner
/// changes it to [`PASSWORD`] at first sign-in ([`first_sign_in`]).
pub const INITIAL_PASSWORD: &str = "chosen by the operator";

/// A `hatchery serve` process, killed when dropped.
pub struct Server {
    child: Child,
    base: String,
}

impl Server {
    pub fn start(ws: &Workspace) -> Self {
        let config = ws.path("server.toml");
        // Look for imports made elsewhere every second, not every ten.
        std::fs::write(&config, "[ledger]\nrefresh_seconds = 1\n").unwrap();
        let mut child = Process::cargo_bin("hatchery")
            .unwrap()
            .env_remove("HATCHERY_DB")
            .env("HATCHERY_COOKIE_SECURE", "false")
            .args(["--db", &ws.db(), "serve", "--listen", "127.0.0.1:0"])
            .arg("--config")
            .arg(&config)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("hatchery serve starts");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("the server says where it listens")
                .unwrap();
            if let Some(address) = line.strip_prefix("hatchery serving on ") {
                break address.trim().to_owned();
            }
        };
        // Keep draining stderr so that the server never blocks on it.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Signs in on `server`: a browser holding the session, and its CSRF token.
pub fn sign_in(server: &Server, username: &Value, password: &str) -> (Client, String) {
    let browser = client();
    let session: Value = browser
        .post(server.url("/api/session"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .unwrap();
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    (browser, csrf)
}

/// The first sign-in of an account made by `hatchery admin create-user`
/// with [`INITIAL_PASSWORD`]: the server says the password must change, and
/// refuses anything else (an API token) until it has; the owner changes it
/// to [`PASSWORD`], and the next sign-in is an ordinary one.
pub fn first_sign_in(server: &Server, username: &str) {
    let browser = client();
    let session: Value = browser
        .post(server.url("/api/session"))
        .json(&json!({ "username": username, "password": INITIAL_PASSWORD }))
        .send()
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(session["account"]["must_change_password"], true);
    let csrf = session["csrf_token"].as_str().unwrap();
    let refused = browser
        .post(server.url("/api/tokens"))
        .header("x-csrf-token", csrf)
        .json(&json!({ "name": "before the change" }))
        .send()
        .unwrap();
    assert_eq!(refused.status(), 403, "a token before the password changed");
    browser
        .post(server.url("/api/session/password"))
        .header("x-csrf-token", csrf)
        .json(&json!({ "current_password": INITIAL_PASSWORD, "new_password": PASSWORD }))
        .send()
        .unwrap()
        .error_for_status()
        .unwrap();
    let again: Value = client()
        .post(server.url("/api/session"))
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(again["account"]["must_change_password"], false);
}

/// Signs in on `server` and makes an API token there.
pub fn token(server: &Server, username: &str) -> String {
    let (browser, csrf) = sign_in(server, &json!(username), PASSWORD);
    let made: Value = browser
        .post(server.url("/api/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "name": "test" }))
        .send()
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .unwrap();
    made["token"].as_str().unwrap().to_owned()
}

/// Sends a request with a bearer token; the status and the JSON body.
pub fn call(
    server: &Server,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let request = client()
        .request(method.parse().unwrap(), server.url(path))
        .bearer_auth(token);
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

#[track_caller]
pub fn ok(reply: (u16, Value), expected: u16) -> Value {
    assert_eq!(reply.0, expected, "{}", reply.1);
    reply.1
}

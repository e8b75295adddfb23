//! `taxsdk sandbox irp`: the process prints its address, where the public
//! key is and the test credentials; serves the key; answers a login made
//! with `gst_irp::session` and an encrypted call over loopback; logs each
//! request to stderr without passwords, tokens or keys; stops when killed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use gst_irp::session::{self, Credentials};
use gst_irp::{AppKey, ExposeSecret, IrpPublicKey, SecretString};

/// The sandbox process; killed on drop, so that a failing test leaves none.
struct Sandbox {
    child: Child,
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

impl Sandbox {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_taxsdk"))
            .args(["sandbox", "irp"])
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = lines(child.stdout.take().unwrap());
        let stderr = lines(child.stderr.take().unwrap());
        Self {
            child,
            stdout,
            stderr,
        }
    }

    /// The next stdout line (at most 30 s away).
    fn line(&self) -> String {
        self.stdout
            .recv_timeout(Duration::from_secs(30))
            .expect("a line on stdout in time")
    }

    /// Stop the process; what it wrote to stderr.
    fn stop(mut self) -> String {
        self.child.kill().ok();
        self.child.wait().ok();
        let mut log = String::new();
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_secs(5)) {
            log.push_str(&line);
            log.push('\n');
        }
        log
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// The lines of `stream`, read on a thread of their own.
fn lines(stream: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// One HTTP/1.1 exchange with `Connection: close`: (status, body).
fn exchange(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    let split = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&reply[..split]).to_string();
    assert!(!head.contains("chunked"), "{head}");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, reply[split + 4..].to_vec())
}

#[test]
fn serves_the_key_and_a_login_on_loopback() {
    let sandbox = Sandbox::start(&["--port", "0"]);
    let first = sandbox.line();
    let base = first
        .strip_prefix("IRP sandbox on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("not the address line: `{first}`"))
        .to_owned();
    let addr = base
        .strip_prefix("http://127.0.0.1:")
        .filter(|port| port.parse::<u16>().is_ok_and(|p| p != 0))
        .map(|port| format!("127.0.0.1:{port}"))
        .unwrap_or_else(|| panic!("not a loopback URL: `{first}`"));
    let key_line = sandbox.line();
    assert!(
        key_line.starts_with(&format!("public key: {base}/irp-public-key.pem")),
        "{key_line}"
    );
    let user_line = sandbox.line();
    for part in [
        "client-id TAXSDKSANDBOX01",
        "client-secret sandbox-client-secret-1",
        "gstin 29AAACP7879D1Z0",
        "user sandbox_ka",
        "password Sandbox@123",
    ] {
        assert!(user_line.contains(part), "{user_line}");
    }

    // The key, then a login with it and an encrypted call.
    let (status, pem) = exchange(&addr, "GET", "/irp-public-key.pem", &[], "");
    assert_eq!(status, 200);
    let key = IrpPublicKey::from_pem(&String::from_utf8(pem).unwrap()).expect("a PEM key");
    let creds = Credentials::new(
        "29AAACP7879D1Z0",
        "TAXSDKSANDBOX01",
        SecretString::from("sandbox-client-secret-1"),
        "sandbox_ka",
        SecretString::from("Sandbox@123"),
    );
    let app_key = AppKey::generate();
    let body = session::auth_request_body(&creds, &app_key, false, &key).unwrap();
    let login_headers = creds.login_headers();
    let refs: Vec<(&str, &str)> = login_headers.iter().collect();
    let (status, reply) = exchange(&addr, "POST", "/eivital/v1.04/auth", &refs, &body);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
    let s = session::read_auth_response(&reply, &app_key, &creds).expect("logged in");
    let token = s.auth_token().expose_secret().to_string();

    let call_headers = s.request_headers(&creds);
    let refs: Vec<(&str, &str)> = call_headers.iter().collect();
    let (status, reply) = exchange(
        &addr,
        "GET",
        "/eivital/v1.04/Master/gstin/27AABCS1429B1ZU",
        &refs,
        "",
    );
    assert_eq!(status, 200);
    let details: gst_irp::models::GstinDetails = s
        .decrypt_response(&reply)
        .expect("GSTIN details")
        .data()
        .unwrap();
    assert_eq!(details.state_code, 27);

    let log = sandbox.stop();
    assert!(log.contains("IRP request"), "{log}");
    assert!(log.contains("endpoint=Login"), "{log}");
    assert!(log.contains("endpoint=GetGstinDetails"), "{log}");
    assert!(log.contains("status=200"), "{log}");
    assert!(!log.contains('\u{1b}'), "{log}");
    for secret in ["Sandbox@123", "sandbox-client-secret-1", token.as_str()] {
        assert!(!log.contains(secret), "the log holds `{secret}`: {log}");
    }
}

#[test]
fn bad_options_are_usage_errors() {
    for args in [
        &["--port", "not-a-port"][..],
        &["--host", "localhost:80"][..],
        &["--faults", "lots"][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_taxsdk"))
            .args(["sandbox", "irp"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(args[1]), "{args:?}: {stderr}");
    }
}

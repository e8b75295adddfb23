//! The `taxsdk` binary end to end: the demo, the sandbox command over
//! loopback, and usage errors.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn taxsdk() -> Command {
    Command::new(env!("CARGO_BIN_EXE_taxsdk"))
}

#[test]
fn demo_runs_the_whole_flow() {
    let out = taxsdk().arg("demo").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "logged in with two factors",
        "saved invoice",
        "activated: number",
        "confirmed it: buyer status Confirmed",
        "დადასტურებული",
        "Done.",
    ] {
        assert!(
            stdout.contains(expected),
            "missing `{expected}` in:\n{stdout}"
        );
    }
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let out = taxsdk().arg("no-such-command").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-command"));
    let out = taxsdk()
        .args(["sandbox", "eapi", "--port", "not-a-port"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not-a-port"));
}

#[test]
fn help_shows_examples() {
    let out = taxsdk().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("taxsdk demo") && text.contains("taxsdk sandbox eapi --port 8080"),
        "{text}"
    );
}

#[test]
fn sandbox_command_serves_the_envelope_on_loopback() {
    let mut child = taxsdk()
        .args(["sandbox", "eapi", "--port", "0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let result = (|| {
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .ok_or_else(|| format!("no URL in `{line}`"))?;
        let addr = url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| e.to_string())?;
        write!(
            stream,
            "POST /Common/GetUnits HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
        )
        .map_err(|e| e.to_string())?;
        let mut reply = String::new();
        stream
            .read_to_string(&mut reply)
            .map_err(|e| e.to_string())?;
        Ok::<String, String>(reply)
    })();
    child.kill().ok();
    child.wait().ok();
    let reply = result.unwrap();
    assert!(reply.starts_with("HTTP/1.1 401"), "{reply}");
    assert!(reply.contains(r#""ID":-104"#), "{reply}");
}

/// A file under the temp directory, unique to this process and call; it and
/// SQLite's companion files are removed on drop.
struct TempData(std::path::PathBuf);

impl TempData {
    fn new(tag: &str) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let name = format!(
            "taxsdk-cli-{tag}-{}-{}-{nanos}.sqlite",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let data = Self(std::env::temp_dir().join(name));
        data.remove();
        data
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Drop for TempData {
    fn drop(&mut self) {
        self.remove();
    }
}

/// A `taxsdk sandbox eapi --port 0 --data PATH` process; killed on drop.
struct SandboxProcess {
    child: std::process::Child,
    addr: std::net::SocketAddr,
}

impl SandboxProcess {
    fn start(data: &std::path::Path) -> Self {
        let mut child = taxsdk()
            .args(["sandbox", "eapi", "--port", "0", "--data"])
            .arg(data)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let addr = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .and_then(|a| a.parse().ok());
        let Some(addr) = addr else {
            child.kill().ok();
            child.wait().ok();
            panic!("the sandbox did not print its URL: `{line}`");
        };
        Self { child, addr }
    }

    /// POST `body` to `path`; the whole HTTP reply.
    fn post(&self, path: &str, token: Option<&str>, body: &str) -> String {
        let mut stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
            .set_write_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {}\r\n{auth}Content-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        reply
    }

    fn login(&self) -> String {
        let reply = self.post(
            "/Users/Authenticate",
            None,
            r#"{"USERNAME":"tbilisi","PASSWORD":"123456"}"#,
        );
        json_string(&reply, "ACCESS_TOKEN").unwrap_or_else(|| panic!("no token: {reply}"))
    }

    /// SIGKILL (on Unix): no chance to close the data file.
    fn crash(mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// The text value of `"KEY":"..."` in a reply.
fn json_string(reply: &str, key: &str) -> Option<String> {
    let start = reply.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let len = reply[start..].find('"')?;
    Some(reply[start..start + len].to_string())
}

/// The number of `"KEY":123` in a reply.
fn json_number(reply: &str, key: &str) -> Option<i64> {
    let start = reply.find(&format!("\"{key}\":"))? + key.len() + 3;
    let digits: String = reply[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits.parse().ok()
}

fn save_invoice_body(transaction_id: &str) -> String {
    format!(
        r#"{{"INVOICE":{{"ID":0,"INV_CATEGORY":1,"INV_TYPE":2,"OPERATION_DATE":"10-04-2019 10:00:00","TIN_SELLER":"206322102","TIN_BUYER":"12345678910","INV_COMMENT":"{transaction_id}","INVOICE_GOODS":[{{"ID":0,"INVOICE_ID":0,"GOODS_NAME":"მაცივარი","UNIT_ID":1,"QUANTITY":2.00,"UNIT_PRICE":900.00,"VAT_TYPE":0}}]}},"TransactionId":"{transaction_id}"}}"#
    )
}

#[test]
fn sandbox_with_data_keeps_acknowledged_saves_across_a_kill() {
    let data = TempData::new("crash");
    let first = SandboxProcess::start(&data.0);
    let token = first.login();
    let mut ids = Vec::new();
    for n in 1..=3 {
        let reply = first.post(
            "/Invoice/SaveInvoice",
            Some(&token),
            &save_invoice_body(&format!("cli-{n}")),
        );
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        ids.push(json_number(&reply, "INVOICE_ID").unwrap_or_else(|| panic!("{reply}")));
    }
    first.crash();

    let second = SandboxProcess::start(&data.0);
    // Sessions are not kept: the old token is unknown.
    let stale = second.post("/Invoice/ListInvoices", Some(&token), "{}");
    assert!(stale.contains(r#""ID":-104"#), "{stale}");
    let token = second.login();
    let list = second.post(
        "/Invoice/ListInvoices",
        Some(&token),
        r#"{"MAXIMUM_ROWS":0}"#,
    );
    assert!(list.starts_with("HTTP/1.1 200"), "{list}");
    assert_eq!(json_number(&list, "_Count"), Some(3), "{list}");
    // A retried TransactionId answers the document saved before the kill.
    let replay = second.post(
        "/Invoice/SaveInvoice",
        Some(&token),
        &save_invoice_body("cli-2"),
    );
    assert_eq!(json_number(&replay, "INVOICE_ID"), Some(ids[1]), "{replay}");
    let list = second.post("/Invoice/ListInvoices", Some(&token), "{}");
    assert_eq!(json_number(&list, "_Count"), Some(3), "{list}");
    // A new document gets a new id.
    let reply = second.post(
        "/Invoice/SaveInvoice",
        Some(&token),
        &save_invoice_body("cli-4"),
    );
    let new_id = json_number(&reply, "INVOICE_ID").unwrap_or_else(|| panic!("{reply}"));
    assert!(!ids.contains(&new_id), "{new_id} reused: {ids:?}");
    second.crash();
}

#[test]
fn sandbox_refuses_a_data_file_that_is_not_its_own() {
    let data = TempData::new("foreign");
    std::fs::write(&data.0, "not a database\n".repeat(100)).unwrap();
    let mut child = taxsdk()
        .args(["sandbox", "eapi", "--port", "0", "--data"])
        .arg(&data.0)
        .env("RUST_LOG", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("the sandbox did not stop on a foreign data file");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&data.0.display().to_string())
            && stderr.contains("not a sandbox data file"),
        "{stderr}"
    );
}

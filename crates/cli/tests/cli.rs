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

//! `taxsdk sandbox eapi --faults`: the flag is parsed (bad values named,
//! exit 2), announced on stdout after the address line, and applied.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn taxsdk() -> Command {
    Command::new(env!("CARGO_BIN_EXE_taxsdk"))
}

#[test]
fn bad_fault_options_are_usage_errors_that_name_the_value() {
    for (flag, named) in [
        ("lots", "`lots`"),
        ("1.5", "1.5"),
        ("0.2,seed=x", "seed `x`"),
        ("0.2,kinds=fire", "`fire`"),
    ] {
        let out = taxsdk()
            .args(["sandbox", "eapi", "--port", "0", "--faults", flag])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {stderr}");
        assert!(stderr.contains(named), "{flag}: {stderr}");
    }
}

#[test]
fn faults_are_announced_and_applied() {
    let mut child = taxsdk()
        .args([
            "sandbox",
            "eapi",
            "--port",
            "0",
            "--faults",
            "100%,seed=3,kinds=http503-retry-after,retry-after=7",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        for _ in 0..2 {
            let _ = tx.send(lines.next().and_then(Result::ok).unwrap_or_default());
        }
        for _ in lines {}
    });
    let first = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
    let second = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
    let result = (|| {
        let addr = first
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .ok_or_else(|| format!("no address in `{first}`"))?;
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
    assert!(
        second.starts_with("faults: 100% of requests (seed 3): http503-retry-after"),
        "{second}"
    );
    let reply = result.unwrap();
    assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
    assert!(
        reply.to_ascii_lowercase().contains("retry-after: 7"),
        "{reply}"
    );
}

//! `taxsdk sandbox ntos`: the process prints its address first, answers
//! SOAP calls of the NtosService client and `?WSDL` over loopback, logs each
//! request to stderr without the password, and stops when killed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rsge_ntos::SecretString;
use rsge_ntos::client::Client;

/// The sandbox process; killed on drop, so that a failing test leaves none.
struct Sandbox {
    child: Child,
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

impl Sandbox {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_taxsdk"))
            .args(["sandbox", "ntos"])
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

/// `GET path` with `Connection: close`: the whole reply.
fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply
}

#[test]
fn serves_soap_calls_and_the_wsdl_on_loopback() {
    let sandbox = Sandbox::start(&["--port", "0"]);
    let first = sandbox.line();
    let base = first
        .strip_prefix("NtosService sandbox on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("not the address line: `{first}`"))
        .to_owned();
    let addr = base.strip_prefix("http://127.0.0.1:").map(|port| {
        assert!(port.parse::<u16>().is_ok_and(|p| p != 0), "{first}");
        format!("127.0.0.1:{port}")
    });
    let addr = addr.unwrap_or_else(|| panic!("not a loopback URL: `{first}`"));
    let second = sandbox.line();
    assert!(
        second.starts_with(&format!("service: {base}/ntosservice/ntosservice.asmx")),
        "{second}"
    );

    // SOAP calls of the generated client: chek, and a lookup.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::connect(&base, "tbilisi:206322102", SecretString::from("123456")).unwrap();
    let (ids, buyer) = runtime.block_on(async {
        let ids = client.check_service_user().await.unwrap();
        let buyer = client
            .un_id_from_tin(ids.user_id, "12345678910")
            .await
            .unwrap();
        (ids, buyer)
    });
    assert_eq!((ids.user_id, ids.service_user_id), (783, 1001));
    assert_eq!(buyer.un_id, 1_149_251);

    // The WSDL, pointed at this sandbox.
    let wsdl = get(&addr, "/ntosservice/ntosservice.asmx?WSDL");
    assert!(wsdl.starts_with("HTTP/1.1 200"), "{wsdl:.300}");
    assert!(wsdl.contains("<wsdl:definitions"), "{wsdl:.300}");
    assert!(wsdl.contains("name=\"chek\""), "no chek operation");
    assert!(
        wsdl.contains(&format!(
            "location=\"http://{addr}/ntosservice/ntosservice.asmx\""
        )),
        "the WSDL's address is not the sandbox's"
    );
    assert!(!wsdl.contains("revenue.mof.ge"));

    let log = sandbox.stop();
    // Each request logged (no colours off a terminal): the operation and
    // its status; never the password.
    assert!(log.contains("NtosService request"), "{log}");
    assert!(log.contains("operation=chek"), "{log}");
    assert!(log.contains("operation=get_un_id_from_tin"), "{log}");
    assert!(log.contains("status=200"), "{log}");
    assert!(!log.contains('\u{1b}'), "{log}");
    assert!(!log.contains("123456"), "{log}");
}

#[test]
fn bad_options_are_usage_errors() {
    for args in [
        &["--port", "not-a-port"][..],
        &["--host", "localhost:80"][..],
        &["--faults", "lots"][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_taxsdk"))
            .args(["sandbox", "ntos"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(args[1]), "{args:?}: {stderr}");
    }
}

#[test]
fn faults_are_announced_and_applied() {
    let sandbox = Sandbox::start(&["--port", "0", "--faults", "100%,seed=1,kinds=http503"]);
    let first = sandbox.line();
    let addr = first
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .unwrap_or_else(|| panic!("no address in `{first}`"))
        .to_owned();
    let _service = sandbox.line();
    let faults = sandbox.line();
    assert_eq!(faults, "faults: 100% of requests (seed 1): http503");
    let reply = get(&addr, "/ntosservice/ntosservice.asmx?WSDL");
    assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
    sandbox.stop();
}

//! `taxsdk eapi ...` end to end: the binary against an eAPI sandbox running
//! in the test process (loopback), with the token cache in a temp directory.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use taxsdk_sandbox::eapi::RunningSandbox;

const TIMEOUT: Duration = Duration::from_secs(60);

/// A sandbox on its own runtime plus a private cache directory.
struct Env {
    sandbox: RunningSandbox,
    cache: PathBuf,
    _runtime: tokio::runtime::Runtime,
}

impl Env {
    fn new(tag: &str) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sandbox = runtime
            .block_on(taxsdk_sandbox::eapi::spawn())
            .expect("sandbox");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let cache = std::env::temp_dir().join(format!(
            "taxsdk-cli-eapi-{tag}-{}-{nanos}",
            std::process::id()
        ));
        Env {
            sandbox,
            cache,
            _runtime: runtime,
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_taxsdk"));
        command
            .env("TAXSDK_CACHE_DIR", &self.cache)
            .env("TAXSDK_EAPI_URL", self.sandbox.base_url())
            .env_remove("TAXSDK_EAPI_PASSWORD")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Run `taxsdk ARGS` (with extra env) to completion, bounded.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = self.command();
        command.args(args);
        for (k, v) in env {
            command.env(k, v);
        }
        wait_bounded(command.spawn().unwrap())
    }

    fn login_tbilisi(&self) {
        let out = self.run(
            &["eapi", "login", "--username", "tbilisi"],
            &[("TAXSDK_EAPI_PASSWORD", "123456")],
        );
        assert_ok(&out);
    }

    fn cache_file(&self) -> PathBuf {
        self.cache.join("eapi-token.json")
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.cache);
    }
}

/// Wait for `child` with a deadline, reading the pipes still attached on
/// threads.
fn wait_bounded(mut child: Child) -> Output {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out_thread = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err_thread = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("taxsdk did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_thread.join().unwrap(),
        stderr: err_thread.join().unwrap(),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn one_factor_login_then_org_info_as_json() {
    let env = Env::new("org");
    env.login_tbilisi();
    let out = env.run(
        &["eapi", "org", "info", "206322102", "--output", "json"],
        &[],
    );
    assert_ok(&out);
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["Tin"], "206322102", "{info}");
    assert_eq!(info["IsVatPayer"], true, "{info}");
    assert!(
        info["Name"].as_str().is_some_and(|n| !n.is_empty()),
        "{info}"
    );

    let out = env.run(&["eapi", "whoami", "--output", "json"], &[]);
    assert_ok(&out);
    let who: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(who["username"], "tbilisi");
    assert_eq!(who["session_valid"], true);

    // Logout signs out and deletes the cache; later calls are exit 3.
    let out = env.run(&["eapi", "logout"], &[]);
    assert_ok(&out);
    assert!(!env.cache_file().exists());
    let out = env.run(&["eapi", "units"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).starts_with("error: not logged in"));
}

#[test]
fn wrong_password_is_exit_3_and_unknown_tin_exit_4() {
    let env = Env::new("auth");
    let out = env.run(
        &["eapi", "login", "--username", "tbilisi"],
        &[("TAXSDK_EAPI_PASSWORD", "wrong")],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: -100: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!env.cache_file().exists());

    env.login_tbilisi();
    // Well-formed but not in the registry: a service error.
    let out = env.run(&["eapi", "org", "info", "206000999"], &[]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).starts_with("error: -2: "));
}

#[test]
fn two_factor_login_reads_the_pin_from_stdin() {
    let env = Env::new("pin");
    let mut command = env.command();
    command
        .args([
            "eapi",
            "login",
            "--username",
            "satesto2",
            "--password-stdin",
        ])
        .stdin(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"123456\n").unwrap();
    stdin.flush().unwrap();
    // Wait (bounded) for the prompt on stderr, then answer with the PIN.
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        let mut sent = false;
        while let Ok(1) = stderr.read(&mut byte) {
            seen.push(byte[0]);
            if !sent && String::from_utf8_lossy(&seen).ends_with(": ") {
                let _ = tx.send(String::from_utf8_lossy(&seen).into_owned());
                sent = true;
            }
        }
        String::from_utf8_lossy(&seen).into_owned()
    });
    let prompt = match rx.recv_timeout(TIMEOUT) {
        Ok(prompt) => prompt,
        Err(_) => {
            child.kill().ok();
            child.wait().ok();
            panic!("no PIN prompt: {}", reader.join().unwrap());
        }
    };
    assert_eq!(prompt, "PIN sent to *** *** *28: ");
    let pin = env.sandbox.last_pin("satesto2").expect("a PIN was issued");
    writeln!(stdin, "{pin}").unwrap();
    drop(stdin);
    let out = wait_bounded(child);
    let rest = reader.join().unwrap();
    assert!(out.status.success(), "{rest}\n{}", text(&out.stdout));

    // The cache: mode 0600, the token, never the password.
    let cache = std::fs::read_to_string(env.cache_file()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.cache_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let json: serde_json::Value = serde_json::from_str(&cache).unwrap();
    assert_eq!(json["username"], "satesto2");
    assert_eq!(json["base_url"], env.sandbox.base_url());
    assert!(
        json["token"].as_str().is_some_and(|t| t.len() > 10),
        "{json}"
    );
    assert!(json["saved_at"].is_string());
    assert!(!cache.contains("123456"), "{cache}");
    assert!(!cache.to_lowercase().contains("password"), "{cache}");

    let out = env.run(&["eapi", "units", "--output", "json"], &[]);
    assert_ok(&out);
}

const INVOICE: &str = r#"{"ID":0,"INV_CATEGORY":1,"INV_TYPE":2,"OPERATION_DATE":"10-04-2019 10:00:00",
  "TIN_SELLER":"206322102","TIN_BUYER":"12345678910",
  "INVOICE_GOODS":[{"ID":0,"INVOICE_ID":0,"GOODS_NAME":"chair","UNIT_ID":1,"QUANTITY":2,"UNIT_PRICE":450,"VAT_TYPE":0}]}"#;

#[test]
fn save_activate_and_list_as_csv() {
    let env = Env::new("list");
    env.login_tbilisi();
    std::fs::create_dir_all(&env.cache).unwrap();
    let file = env.cache.join("invoice.json");
    std::fs::write(&file, INVOICE).unwrap();
    let out = env.run(
        &[
            "eapi",
            "invoices",
            "save",
            file.to_str().unwrap(),
            "-o",
            "json",
        ],
        &[],
    );
    assert_ok(&out);
    let saved: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = saved["INVOICE_ID"].as_i64().expect("an id").to_string();

    // One good id and one unknown: a per-document summary, exit 4.
    let out = env.run(
        &["eapi", "invoices", "activate", &id, "999999", "-o", "json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["ok"], true, "{rows}");
    assert_eq!(rows[1]["ok"], false, "{rows}");
    assert!(rows[1]["result"].as_str().unwrap().starts_with("-2:"));

    let out = env.run(
        &[
            "eapi", "invoices", "list", "--seller", "--limit", "0", "--output", "csv",
        ],
        &[],
    );
    assert_ok(&out);
    let mut reader = csv::Reader::from_reader(&out.stdout[..]);
    let headers = reader.headers().unwrap().clone();
    let id_col = headers.iter().position(|h| h == "ID").unwrap();
    let amount_col = headers.iter().position(|h| h == "AMOUNT_FULL").unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1, "{}", text(&out.stdout));
    assert_eq!(&records[0][id_col], id);
    assert_eq!(&records[0][amount_col], "900");

    let out = env.run(&["eapi", "invoices", "get", &id, "-o", "json"], &[]);
    assert_ok(&out);
    let invoice: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(invoice["ID"].to_string(), id);
}

#[test]
fn save_rejects_a_malformed_file_naming_the_field() {
    let env = Env::new("bad");
    env.login_tbilisi();
    std::fs::create_dir_all(&env.cache).unwrap();
    let file = env.cache.join("bad.json");
    std::fs::write(
        &file,
        INVOICE.replace(r#""QUANTITY":2"#, r#""QUANTITY":"two""#),
    )
    .unwrap();
    let out = env.run(&["eapi", "invoices", "save", file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("INVOICE_GOODS[0].QUANTITY"), "{stderr}");
    // Nothing was sent.
    let out = env.run(&["eapi", "invoices", "list", "-o", "json"], &[]);
    assert_ok(&out);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(0), "{rows}");
}

#[test]
fn a_malformed_tin_is_a_usage_error() {
    let env = Env::new("tin");
    let out = env.run(&["eapi", "org", "info", "12ab"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("TIN `12ab` must be 9 or 11 digits"),
        "{stderr}"
    );
}

#[test]
fn completions_bash_produces_a_script() {
    let out = wait_bounded(
        Command::new(env!("CARGO_BIN_EXE_taxsdk"))
            .args(["completions", "bash"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    assert_ok(&out);
    let script = text(&out.stdout);
    assert!(script.contains("complete -F"), "{script}");
    assert!(script.contains("taxsdk") && script.contains("invoices"));
}

#[test]
fn an_expired_session_is_exit_3_and_no_service_is_exit_5() {
    let env = Env::new("expiry");
    env.login_tbilisi();
    env.sandbox
        .sandbox()
        .advance_clock(Duration::from_secs(24 * 3600));
    let out = env.run(&["eapi", "whoami", "-o", "json"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let who: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(who["session_valid"], false);
    let out = env.run(&["eapi", "units"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("log in again"));

    // A port nobody listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let out = env.run(
        &["eapi", "login", "--username", "tbilisi", "--base-url", &url],
        &[("TAXSDK_EAPI_PASSWORD", "123456")],
    );
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: ") && stderr.lines().count() == 1,
        "{stderr}"
    );
}

#[test]
fn declarations_and_catalogues() {
    let env = Env::new("decl");
    env.login_tbilisi();
    std::fs::create_dir_all(&env.cache).unwrap();
    let file = env.cache.join("invoice.json");
    std::fs::write(&file, INVOICE).unwrap();
    let out = env.run(
        &[
            "eapi",
            "invoices",
            "save",
            file.to_str().unwrap(),
            "-o",
            "json",
        ],
        &[],
    );
    assert_ok(&out);
    let saved: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = saved["INVOICE_ID"].as_i64().expect("an id").to_string();
    assert_ok(&env.run(&["eapi", "invoices", "activate", &id, "-o", "json"], &[]));

    let out = env.run(&["eapi", "decl", "seq", "201901", "-o", "json"], &[]);
    assert_ok(&out);
    let seq: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let number = seq["seq_num"].as_i64().expect("a declaration number");

    let out = env.run(
        &["eapi", "decl", "create", "201901", &id, "-o", "json"],
        &[],
    );
    assert_ok(&out);
    let out = env.run(&["eapi", "invoices", "get", &id, "-o", "json"], &[]);
    assert_ok(&out);
    let invoice: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(invoice["SEQNUM_SELLER"].as_i64(), Some(number), "{invoice}");

    // A malformed month is a usage error naming it.
    let out = env.run(&["eapi", "decl", "seq", "2019-01"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("2019-01"),
        "{}",
        text(&out.stderr)
    );

    // The catalogues answer (empty in the sandbox) in every format.
    let out = env.run(&["eapi", "barcodes", "-o", "json"], &[]);
    assert_ok(&out);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rows.as_array().is_some(), "{rows}");
    assert_ok(&env.run(&["eapi", "excise", "--name", "x", "-o", "csv"], &[]));
}

#[test]
fn org_vat_units_and_delete() {
    let env = Env::new("misc");
    env.login_tbilisi();
    let out = env.run(
        &[
            "eapi",
            "org",
            "vat",
            "12345678910",
            "--date",
            "2024-01-01",
            "-o",
            "json",
        ],
        &[],
    );
    assert_ok(&out);
    let vat: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(vat["tin"], "12345678910", "{vat}");
    assert!(vat["is_vat_payer"].is_boolean(), "{vat}");

    let out = env.run(&["eapi", "units", "-o", "json"], &[]);
    assert_ok(&out);
    let units: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!units.as_array().expect("a list").is_empty(), "{units}");

    std::fs::create_dir_all(&env.cache).unwrap();
    let file = env.cache.join("invoice.json");
    std::fs::write(&file, INVOICE).unwrap();
    let out = env.run(
        &[
            "eapi",
            "invoices",
            "save",
            file.to_str().unwrap(),
            "-o",
            "json",
        ],
        &[],
    );
    assert_ok(&out);
    let saved: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = saved["INVOICE_ID"].as_i64().expect("an id").to_string();
    assert_ok(&env.run(&["eapi", "invoices", "activate", &id, "-o", "json"], &[]));
    let out = env.run(&["eapi", "invoices", "delete", &id, "-o", "json"], &[]);
    assert_ok(&out);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["ok"], true, "{rows}");
    // Deleting twice is an illegal transition: service error, exit 4.
    let out = env.run(&["eapi", "invoices", "delete", &id, "-o", "json"], &[]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stdout));
}

/// Give `dir` a token cache for the two-step buyer `satesto2`, logged in
/// through the library (the CLI's own PIN flow has its own test above).
fn buyer_cache(env: &Env, dir: &std::path::Path) {
    let base_url = env.sandbox.base_url().to_string();
    let token = env._runtime.block_on(async {
        let client = rsge_eapi::client::Client::builder()
            .base_url(&base_url)
            .build()
            .unwrap();
        let password = rsge_eapi::SecretString::from("123456");
        let outcome = client.login("satesto2", &password, None).await.unwrap();
        let rsge_eapi::LoginOutcome::PinRequired { pin_token, .. } = outcome else {
            panic!("satesto2 logs in with two steps");
        };
        let pin = env.sandbox.last_pin("satesto2").unwrap();
        client
            .complete_login(
                &pin_token,
                &rsge_eapi::SecretString::from(pin),
                Default::default(),
            )
            .await
            .unwrap();
        use rsge_eapi::ExposeSecret;
        client
            .transport()
            .token()
            .unwrap()
            .expose_secret()
            .to_string()
    });
    std::fs::create_dir_all(dir).unwrap();
    let session = serde_json::json!({
        "base_url": base_url, "username": "satesto2", "token": token,
        "saved_at": "2026-01-01T00:00:00Z"
    });
    std::fs::write(dir.join("eapi-token.json"), session.to_string()).unwrap();
}

#[test]
fn buyer_confirms_and_refuses_and_seller_cancels() {
    let env = Env::new("buyer");
    env.login_tbilisi();
    std::fs::create_dir_all(&env.cache).unwrap();
    let file = env.cache.join("invoice.json");
    std::fs::write(&file, INVOICE).unwrap();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let out = env.run(
            &[
                "eapi",
                "invoices",
                "save",
                file.to_str().unwrap(),
                "-o",
                "json",
            ],
            &[],
        );
        assert_ok(&out);
        let saved: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        ids.push(saved["INVOICE_ID"].as_i64().expect("an id").to_string());
    }
    assert_ok(&env.run(
        &[
            "eapi", "invoices", "activate", &ids[0], &ids[1], "-o", "json",
        ],
        &[],
    ));

    let buyer_dir = env.cache.join("buyer");
    buyer_cache(&env, &buyer_dir);
    let as_buyer = [("TAXSDK_CACHE_DIR", buyer_dir.to_str().unwrap())];
    let out = env.run(
        &["eapi", "invoices", "confirm", &ids[0], "-o", "json"],
        &as_buyer,
    );
    assert_ok(&out);
    let out = env.run(
        &["eapi", "invoices", "refuse", &ids[1], "-o", "json"],
        &as_buyer,
    );
    assert_ok(&out);
    // Confirming a refused document is an illegal transition: exit 4.
    let out = env.run(
        &["eapi", "invoices", "confirm", &ids[1], "-o", "json"],
        &as_buyer,
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stdout));

    // The seller asks to cancel the confirmed one.
    let out = env.run(&["eapi", "invoices", "cancel", &ids[0], "-o", "json"], &[]);
    assert_ok(&out);
    let out = env.run(&["eapi", "invoices", "get", &ids[0], "-o", "json"], &[]);
    assert_ok(&out);
    let invoice: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        invoice["BUYER_ACTION"], 1,
        "confirmed by the buyer: {invoice}"
    );
}

#[test]
fn a_remembered_device_code_skips_the_pin() {
    let env = Env::new("device");
    // Remember the device at a PIN step (through the library).
    env._runtime.block_on(async {
        let client = rsge_eapi::client::Client::builder()
            .base_url(env.sandbox.base_url())
            .build()
            .unwrap();
        let password = rsge_eapi::SecretString::from("123456");
        let outcome = client
            .login("satesto2", &password, Some("device-7"))
            .await
            .unwrap();
        let rsge_eapi::LoginOutcome::PinRequired { pin_token, .. } = outcome else {
            panic!("the first login with a new device needs the PIN");
        };
        let pin = env.sandbox.last_pin("satesto2").unwrap();
        client
            .complete_login(
                &pin_token,
                &rsge_eapi::SecretString::from(pin),
                rsge_eapi::DeviceInfo::remember("device-7"),
            )
            .await
            .unwrap();
    });
    let password = [("TAXSDK_EAPI_PASSWORD", "123456")];
    // With the code: logged in, no PIN asked (stdin is closed).
    let out = env.run(
        &[
            "eapi",
            "login",
            "--username",
            "satesto2",
            "--device-code",
            "device-7",
        ],
        &password,
    );
    assert_ok(&out);
    // Without it the PIN is needed, and there is nobody to type it.
    let out = env.run(&["eapi", "login", "--username", "satesto2"], &password);
    assert!(!out.status.success(), "{}", text(&out.stderr));
}

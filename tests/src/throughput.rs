//! SaveInvoice + GetTransactionResult pairs against the local eAPI sandbox,
//! through three clients: the generated `rsge_eapi::client::Client`, raw
//! `reqwest` with hand-built JSON, and the Python package `rsge-python`
//! (from a virtualenv under `target/`).
//!
//! Shared by the benchmark `benches/eapi_throughput.rs` (timed, Markdown
//! table) and the test `tests/eapi_throughput_smoke.rs` (a few pairs, no
//! timing asserted), and by the interop test `tests/interop_rsge_python.rs`
//! (the virtualenv, [`rsge_venv`]).
//!
//! The sandbox runs on its own multi-thread runtime ([`SandboxHost`]), as a
//! separate server process would; the Rust clients run one request at a time
//! on a current-thread runtime of the calling thread, like the Python client.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rsge_eapi::client::Client;
use rsge_eapi::models::{GetTransactionResultRequest, Invoice, SaveInvoiceRequest};
use secrecy::SecretString;
use serde_json::{Value, json};
use taxsdk_sandbox::eapi::RunningSandbox;

use crate::venv::{Setup, Venv, run_script};

/// The document's one-step test account (TIN 206322102).
pub const USERNAME: &str = "tbilisi";
/// Its password.
pub const PASSWORD: &str = "123456";
/// The seller of every benchmark document (the account's own TIN).
pub const SELLER_TIN: &str = "206322102";
/// The buyer: the other test TIN (a test account may invoice only these two).
pub const BUYER_TIN: &str = "12345678910";
/// The version of `rsge-python` the interop test and the benchmark use; the
/// interop test asserts this version's known failures.
pub const RSGE_PYTHON_REQUIREMENT: &str = "rsge-python==1.1.0";

/// The `INVOICE` object every pair saves, built by hand: one goods line
/// (2 x 900 with VAT 18% included), no transport. The generated client sends
/// exactly this object (decoded once into [`Invoice`]; checked by the smoke
/// test), raw reqwest sends it as is.
pub fn invoice_json() -> Value {
    json!({
        "ID": 0,
        "INV_CATEGORY": 1,
        "INV_TYPE": 3,
        "OPERATION_DATE": "10-04-2019 10:00:00",
        "TIN_SELLER": SELLER_TIN,
        "TIN_BUYER": BUYER_TIN,
        "INVOICE_GOODS": [{
            "ID": 0,
            "INVOICE_ID": 0,
            "GOODS_NAME": "მაცივარი",
            "UNIT_ID": 1,
            "UNIT_TXT": "ცალი",
            "QUANTITY": 2,
            "UNIT_PRICE": 900,
            "AMOUNT": 1800,
            "VAT_AMOUNT": 274.58,
            "VAT_TYPE": 0
        }]
    })
}

/// The hand-built SaveInvoice body.
pub fn save_invoice_body(invoice: &Value, transaction_id: &str) -> Value {
    json!({ "INVOICE": invoice, "TransactionId": transaction_id })
}

/// [`invoice_json`] as the generated model.
pub fn typed_invoice() -> Result<Invoice, String> {
    serde_json::from_value(invoice_json()).map_err(|e| format!("invoice_json as Invoice: {e}"))
}

/// A GUID-shaped `TransactionId`, unique per `prefix` (client and round) and
/// `index`: the sandbox replays the stored reply for a repeated id, so ids
/// must never repeat within one sandbox.
pub fn transaction_id(prefix: u32, index: usize) -> String {
    format!("{prefix:08x}-0000-4000-8000-{index:012x}")
}

/// The clients compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// `rsge_eapi::client::Client` with typed requests and replies.
    Generated,
    /// `reqwest` with hand-built JSON bodies, replies read as `serde_json::Value`.
    RawReqwest,
    /// `rsge-python`'s `InvoiceClient` in a separate Python process.
    Python,
}

impl Variant {
    /// Every variant, in table order.
    pub const ALL: [Variant; 3] = [Variant::Generated, Variant::RawReqwest, Variant::Python];

    /// The row label.
    pub fn label(self) -> &'static str {
        match self {
            Variant::Generated => "generated client (rsge_eapi::client::Client)",
            Variant::RawReqwest => "raw reqwest + hand-built JSON (baseline)",
            Variant::Python => "rsge-python 1.1.0 InvoiceClient",
        }
    }

    /// The high hex digits of this variant's transaction ids.
    fn tag(self) -> u32 {
        match self {
            Variant::Generated => 0xa,
            Variant::RawReqwest => 0xb,
            Variant::Python => 0xc,
        }
    }

    /// The transaction-id prefix of `round` (round `u16::MAX` is the warm-up).
    pub fn prefix(self, round: u16) -> u32 {
        (self.tag() << 16) | u32::from(round)
    }
}

/// A sandbox served by its own runtime (two worker threads), so that the
/// calling thread can block on a client or a child process meanwhile.
pub struct SandboxHost {
    sandbox: Option<RunningSandbox>,
    runtime: tokio::runtime::Runtime,
}

impl SandboxHost {
    /// Spawn `taxsdk_sandbox::eapi::spawn()` on 127.0.0.1 on a new runtime.
    pub fn start() -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("sandbox")
            .enable_all()
            .build()?;
        let sandbox = runtime.block_on(taxsdk_sandbox::eapi::spawn())?;
        Ok(SandboxHost {
            sandbox: Some(sandbox),
            runtime,
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        self.running().base_url()
    }

    /// The running sandbox (state, PINs, document count).
    pub fn running(&self) -> &RunningSandbox {
        self.sandbox.as_ref().expect("present until drop")
    }

    /// The sandbox's runtime, to serve more things next to it.
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }
}

impl Drop for SandboxHost {
    fn drop(&mut self) {
        // Stop the server inside its runtime, then the runtime itself.
        let _guard = self.runtime.enter();
        self.sandbox.take();
    }
}

/// A current-thread runtime for the Rust clients (one request in flight).
pub fn client_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// The generated client, logged in.
pub struct GeneratedSession {
    client: Client,
    invoice: Invoice,
}

impl GeneratedSession {
    /// Build the client for `base_url` and log in as [`USERNAME`].
    pub async fn login(base_url: &str) -> Result<Self, String> {
        let client = Client::builder()
            .base_url(base_url)
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string())?;
        let outcome = client
            .login(USERNAME, &SecretString::from(PASSWORD), None)
            .await
            .map_err(|e| format!("login: {e}"))?;
        if !outcome.is_logged_in() {
            return Err(format!("{USERNAME} should log in in one step"));
        }
        Ok(GeneratedSession {
            client,
            invoice: typed_invoice()?,
        })
    }

    /// `pairs` sequential SaveInvoice + GetTransactionResult pairs; the
    /// invoice ids, in order.
    pub async fn run(&self, pairs: usize, prefix: u32) -> Result<Vec<i64>, String> {
        let mut ids = Vec::with_capacity(pairs);
        for index in 0..pairs {
            let tx = transaction_id(prefix, index);
            let request = SaveInvoiceRequest::new(self.invoice.clone()).with_transaction_id(&tx);
            let saved = self
                .client
                .save_invoice(&request)
                .await
                .map_err(|e| format!("SaveInvoice {tx}: {e}"))?;
            let result = self
                .client
                .get_transaction_result(&GetTransactionResultRequest::new(&tx))
                .await
                .map_err(|e| format!("GetTransactionResult {tx}: {e}"))?;
            match (saved.invoice_id, result.invoice_id) {
                (Some(a), Some(b)) if a == b && a > 0 => ids.push(a),
                other => return Err(format!("{tx}: invoice ids (save, result) = {other:?}")),
            }
        }
        Ok(ids)
    }
}

/// Raw reqwest with a bearer token.
pub struct RawSession {
    http: reqwest::Client,
    base_url: String,
    authorization: String,
    invoice: Value,
}

impl RawSession {
    /// Log in as [`USERNAME`] with a hand-built Authenticate body.
    pub async fn login(base_url: &str) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string())?;
        let mut session = RawSession {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            authorization: String::new(),
            invoice: invoice_json(),
        };
        let body = json!({ "USERNAME": USERNAME, "PASSWORD": PASSWORD });
        let data = session.post("/Users/Authenticate", &body).await?;
        let token = data
            .get("ACCESS_TOKEN")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("Authenticate: no ACCESS_TOKEN in {data}"))?;
        session.authorization = format!("Bearer {token}");
        Ok(session)
    }

    /// POST `body` to `path`; the envelope's `DATA` when `STATUS.ID` is 0.
    async fn post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let bytes = serde_json::to_vec(body).map_err(|e| e.to_string())?;
        let mut request = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header("content-type", "application/json; charset=utf-8")
            .body(bytes);
        if !self.authorization.is_empty() {
            request = request.header("authorization", &self.authorization);
        }
        let response = request.send().await.map_err(|e| format!("{path}: {e}"))?;
        let http_status = response.status().as_u16();
        let reply = response.bytes().await.map_err(|e| format!("{path}: {e}"))?;
        let mut reply: Value = serde_json::from_slice(&reply)
            .map_err(|e| format!("{path}: HTTP {http_status}, not JSON: {e}"))?;
        let code = reply.pointer("/STATUS/ID").and_then(Value::as_i64);
        if code != Some(0) {
            return Err(format!(
                "{path}: HTTP {http_status}, STATUS {}",
                reply["STATUS"]
            ));
        }
        Ok(reply
            .get_mut("DATA")
            .map(Value::take)
            .unwrap_or(Value::Null))
    }

    /// As [`GeneratedSession::run`].
    pub async fn run(&self, pairs: usize, prefix: u32) -> Result<Vec<i64>, String> {
        let mut ids = Vec::with_capacity(pairs);
        for index in 0..pairs {
            let tx = transaction_id(prefix, index);
            let saved = self
                .post(
                    "/Invoice/SaveInvoice",
                    &save_invoice_body(&self.invoice, &tx),
                )
                .await?;
            let result = self
                .post(
                    "/Common/GetTransactionResult",
                    &json!({ "TransactionId": tx }),
                )
                .await?;
            // The service sends INVOICE_ID as a number from SaveInvoice and as
            // a string from GetTransactionResult (the document's example).
            let saved_id = id_of(&saved);
            match (saved_id, id_of(&result)) {
                (Some(a), Some(b)) if a == b && a > 0 => ids.push(a),
                _ => return Err(format!("{tx}: invoice ids differ: {saved} / {result}")),
            }
        }
        Ok(ids)
    }
}

fn id_of(data: &Value) -> Option<i64> {
    match data.get("INVOICE_ID")? {
        Value::String(text) => text.parse().ok(),
        number => number.as_i64(),
    }
}

/// The virtualenv `rsge-python` is installed in: `target/interop-venv`.
pub fn rsge_venv() -> Venv {
    Venv::new("interop-venv")
}

/// What the venv must import.
const RSGE_IMPORTS: &str = "rsge";

/// Why [`python_with_rsge`] found nothing, for the report.
pub fn python_missing_note() -> String {
    format!(
        "no {} with {RSGE_PYTHON_REQUIREMENT} (the interop test \
         `cargo test -p taxsdk-tests --test interop_rsge_python -- --ignored` creates it)",
        rsge_venv().dir().display()
    )
}

/// The venv's Python if it can import `rsge` in version
/// [`RSGE_PYTHON_REQUIREMENT`]; does not install anything.
pub fn python_with_rsge() -> Option<PathBuf> {
    rsge_venv().installed(&[RSGE_PYTHON_REQUIREMENT], RSGE_IMPORTS)
}

/// [`python_with_rsge`], creating the venv and installing
/// [`RSGE_PYTHON_REQUIREMENT`] if needed (PyPI).
pub fn ensure_rsge_venv() -> Result<PathBuf, Setup> {
    rsge_venv().ensure(&[RSGE_PYTHON_REQUIREMENT], RSGE_IMPORTS)
}

/// Run `tests/interop/rsge_python_throughput.py`: log in, warm up, then time
/// `pairs` pairs inside Python (interpreter start and login excluded).
pub fn run_python(
    python: &Path,
    base_url: &str,
    pairs: usize,
    prefix: u32,
    warmup: usize,
) -> Result<Duration, String> {
    let args = [
        base_url.to_string(),
        pairs.to_string(),
        format!("{prefix:08x}"),
        warmup.to_string(),
    ];
    let report = run_script(python, "rsge_python_throughput.py", args)?;
    let seconds = report
        .get("seconds")
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("no seconds in {report}"))?;
    let done = report.get("pairs").and_then(Value::as_u64);
    if done != Some(pairs as u64) {
        return Err(format!(
            "rsge-python did {done:?} pairs of {pairs}: {report}"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Pairs per round and client (the same N for every client).
    pub pairs: usize,
    /// Rounds; the clients take turns within each round.
    pub rounds: u16,
    /// Untimed pairs per client before the first round.
    pub warmup: usize,
    /// The Python to run rsge-python with, or why rsge-python is skipped.
    pub python: Result<PathBuf, String>,
}

/// One client's timings.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// Which client.
    pub variant: Variant,
    /// Pairs per round.
    pub pairs: usize,
    /// Time of each round.
    pub rounds: Vec<Duration>,
}

impl Measurement {
    /// The median round time.
    pub fn median(&self) -> Duration {
        let mut sorted = self.rounds.clone();
        sorted.sort();
        sorted.get(sorted.len() / 2).copied().unwrap_or_default()
    }

    /// Pairs per second at the median round.
    pub fn pairs_per_second(&self) -> f64 {
        let seconds = self.median().as_secs_f64();
        if seconds > 0.0 {
            self.pairs as f64 / seconds
        } else {
            f64::INFINITY
        }
    }
}

/// The outcome of [`run`].
#[derive(Debug, Clone)]
pub struct Report {
    /// One entry per client that ran.
    pub measurements: Vec<Measurement>,
    /// Clients skipped, with the reason.
    pub skipped: Vec<(Variant, String)>,
    /// Documents in the sandbox at the end (all saves really happened).
    pub documents: usize,
}

impl Report {
    /// The median over rounds of `variant`'s throughput relative to raw
    /// reqwest in the same round. Both ran back to back, so a slow spell of
    /// the shared machine hits both; this is steadier than a ratio of
    /// medians.
    pub fn paired_ratio(&self, variant: Variant) -> Option<f64> {
        let rounds = |v: Variant| {
            self.measurements
                .iter()
                .find(|m| m.variant == v)
                .map(|m| &m.rounds)
        };
        let (ours, raw) = (rounds(variant)?, rounds(Variant::RawReqwest)?);
        let mut ratios: Vec<f64> = ours
            .iter()
            .zip(raw)
            .filter(|(o, _)| !o.is_zero())
            .map(|(o, r)| r.as_secs_f64() / o.as_secs_f64())
            .collect();
        ratios.sort_by(f64::total_cmp);
        ratios.get(ratios.len() / 2).copied()
    }
}

/// Spawn one sandbox and run `config` against it; every pair is checked
/// (same invoice id from SaveInvoice and GetTransactionResult).
pub fn run(config: &Config) -> Result<Report, String> {
    let host = SandboxHost::start().map_err(|e| format!("sandbox: {e}"))?;
    let base_url = host.base_url().to_string();
    let clients = client_runtime().map_err(|e| e.to_string())?;
    let generated = clients.block_on(GeneratedSession::login(&base_url))?;
    let raw = clients.block_on(RawSession::login(&base_url))?;

    let mut variants = vec![Variant::Generated, Variant::RawReqwest];
    let mut skipped = Vec::new();
    match &config.python {
        Ok(_) => variants.push(Variant::Python),
        Err(why) => skipped.push((Variant::Python, format!("not run: {why}"))),
    }

    const WARMUP_ROUND: u16 = u16::MAX;
    if config.warmup > 0 {
        clients.block_on(generated.run(config.warmup, Variant::Generated.prefix(WARMUP_ROUND)))?;
        clients.block_on(raw.run(config.warmup, Variant::RawReqwest.prefix(WARMUP_ROUND)))?;
    }

    let mut measurements: Vec<Measurement> = variants
        .iter()
        .map(|&variant| Measurement {
            variant,
            pairs: config.pairs,
            rounds: Vec::new(),
        })
        .collect();
    for round in 0..config.rounds {
        // Rotate the order so that no client always meets the fullest store.
        let offset = usize::from(round) % variants.len();
        for k in 0..variants.len() {
            let slot = (k + offset) % variants.len();
            let variant = variants[slot];
            let prefix = variant.prefix(round);
            let elapsed = match variant {
                Variant::Generated => {
                    let start = Instant::now();
                    let ids = clients.block_on(generated.run(config.pairs, prefix))?;
                    let elapsed = start.elapsed();
                    check_count(variant, &ids, config.pairs)?;
                    elapsed
                }
                Variant::RawReqwest => {
                    let start = Instant::now();
                    let ids = clients.block_on(raw.run(config.pairs, prefix))?;
                    let elapsed = start.elapsed();
                    check_count(variant, &ids, config.pairs)?;
                    elapsed
                }
                Variant::Python => {
                    let python = config.python.as_deref().map_err(Clone::clone)?;
                    // Warm up only in the first round (a new process each round).
                    let warmup = if round == 0 { config.warmup } else { 1 };
                    run_python(python, &base_url, config.pairs, prefix, warmup)?
                }
            };
            measurements[slot].rounds.push(elapsed);
        }
    }
    Ok(Report {
        measurements,
        skipped,
        documents: host.running().invoice_count(),
    })
}

fn check_count(variant: Variant, ids: &[i64], pairs: usize) -> Result<(), String> {
    if ids.len() == pairs {
        Ok(())
    } else {
        Err(format!("{variant:?}: {} pairs of {pairs}", ids.len()))
    }
}

/// The report as a Markdown table; ratios are throughput relative to raw
/// reqwest (below 1.00x = slower).
pub fn markdown(report: &Report) -> String {
    let baseline = report
        .measurements
        .iter()
        .find(|m| m.variant == Variant::RawReqwest)
        .map(Measurement::pairs_per_second);
    let mut out = String::new();
    out.push_str(
        "| client | pairs/round | rounds | median round (ms) | min-max (ms) | pairs/s | µs/pair | ratio to raw reqwest |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for m in &report.measurements {
        let rate = m.pairs_per_second();
        let ratio = baseline
            .filter(|b| *b > 0.0)
            .map_or_else(|| "-".to_string(), |b| format!("{:.2}x", rate / b));
        let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1e3);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.1} | {:.1}-{:.1} | {:.0} | {:.0} | {} |",
            m.variant.label(),
            m.pairs,
            m.rounds.len(),
            m.median().as_secs_f64() * 1e3,
            ms(m.rounds.iter().min()),
            ms(m.rounds.iter().max()),
            rate,
            1e6 / rate,
            ratio
        );
    }
    for (variant, why) in &report.skipped {
        let _ = writeln!(
            out,
            "| {} | - | - | - | - | - | - | {why} |",
            variant.label()
        );
    }
    out
}

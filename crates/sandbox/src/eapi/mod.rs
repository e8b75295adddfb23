//! Emulator of the RS.ge eAPI "Tax document" service.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = taxsdk_sandbox::eapi::spawn().await?;
//! println!("eAPI sandbox on {}", sandbox.base_url());
//! # Ok(()) }
//! ```
//!
//! With [`Config::data`] the documents survive a restart (or a crash):
//!
//! ```no_run
//! # fn demo() -> Result<(), taxsdk_sandbox::eapi::Error> {
//! use taxsdk_sandbox::eapi::{Config, Sandbox};
//! let sandbox = Sandbox::open(Config {
//!     data: Some("eapi-sandbox.sqlite".into()),
//!     ..Config::default()
//! })?;
//! # let _ = sandbox; Ok(()) }
//! ```

mod catalogues;
mod declarations;
mod invoices;
mod links;
mod list;
mod quirks;
pub mod seed;
mod service;
mod state;
mod status;
mod store;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rsge_eapi::models::Invoice;
use taxsdk_runtime::server::axum;

use crate::faults::{FaultConfig, FaultStats, Faults};

pub use seed::{BarCodeSeed, ExciseSeed, OrgSeed, Permission, SubUser, UserSeed};
pub use status::BAD_CREDENTIALS;
pub use store::Error;

use state::State;

/// Settings of an eAPI sandbox.
#[derive(Debug, Clone)]
pub struct Config {
    /// Lifetime of an access token; every authenticated call restarts it
    /// (sliding expiry). Default 2400 s, as in the document.
    pub token_ttl: Duration,
    /// Lifetime of a PIN_TOKEN (and its PIN). Default 300 s.
    pub pin_ttl: Duration,
    /// User accounts. Default: [`seed::default_users`].
    pub users: Vec<UserSeed>,
    /// Organisation registry. Default: [`seed::default_orgs`].
    pub orgs: Vec<OrgSeed>,
    /// Data file (SQLite, created if absent) that keeps documents,
    /// TransactionId replies, counters, remembered device codes and the
    /// barcode catalogues across restarts; every answered state change is
    /// committed to it first.
    /// `None` (default): state in memory only. Used by [`Sandbox::open`].
    pub data: Option<PathBuf>,
    /// How long SaveInvoice and ActivateInvoice (with ID 0) take after
    /// registering their TransactionId, without holding the state: while
    /// they run, the same TransactionId (and GetTransactionResult) answers
    /// -7. Default zero. See also [`Sandbox::pause_processing`].
    pub processing_delay: Duration,
    /// The excise catalogue (ListExcise, EXCISE_ID of goods lines).
    /// Default: [`seed::default_excise`].
    pub excise: Vec<ExciseSeed>,
    /// The barcode catalogues at the first start (with a data file: only
    /// when the file is new; afterwards the file's catalogues count).
    /// Default: [`seed::default_barcodes`].
    pub barcodes: Vec<BarCodeSeed>,
    /// Write ListInvoices tables the way the real service does: the
    /// document's column lists, ids and codes as floats (`28361.0`),
    /// INV_NUMBER as a string, TRANS_COST_PAYER as its Georgian label, `()`
    /// for an empty party, `_Count` as a float when filtered. Default off:
    /// canonical rows with every column (see the crate's NOTES).
    pub list_quirks: bool,
    /// Fail a seeded share of requests the way networks and servers do
    /// (resets, HTTP 5xx, slow or cut replies), to test client retries:
    /// see [`crate::faults`]. Applies to [`serve`] / [`spawn_with`].
    /// Default `None`: no faults.
    pub faults: Option<FaultConfig>,
    /// The largest request body accepted; a larger one is refused with
    /// HTTP 413 and the envelope (the code of a request the service cannot
    /// read), before it is read whole. Default [`DEFAULT_MAX_REQUEST_BYTES`].
    pub max_request_bytes: usize,
}

/// The default of [`Config::max_request_bytes`]: 16 MiB.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

impl Default for Config {
    fn default() -> Self {
        Self {
            token_ttl: Duration::from_secs(2400),
            pin_ttl: Duration::from_secs(300),
            users: seed::default_users(),
            orgs: seed::default_orgs(),
            data: None,
            processing_delay: Duration::ZERO,
            excise: seed::default_excise(),
            barcodes: seed::default_barcodes(),
            list_quirks: false,
            faults: None,
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
        }
    }
}

/// The emulator: implements [`rsge_eapi::server::Service`]. Cheap to clone;
/// clones share the state.
#[derive(Clone)]
pub struct Sandbox {
    state: Arc<Mutex<State>>,
    /// Work of TransactionId calls waits for a read lock; a
    /// [`ProcessingPause`] holds the write lock.
    gate: Arc<tokio::sync::RwLock<()>>,
    /// The fault layer's state, with `Config::faults`.
    faults: Option<Arc<Faults>>,
}

/// While this lives, SaveInvoice and ActivateInvoice (ID 0) calls that have
/// registered their TransactionId wait before doing their work, so that a
/// test can observe -7 without depending on timing. From
/// [`Sandbox::pause_processing`]; dropping it lets them finish.
pub struct ProcessingPause {
    _guard: tokio::sync::OwnedRwLockWriteGuard<()>,
}

impl std::fmt::Debug for ProcessingPause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProcessingPause")
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").finish_non_exhaustive()
    }
}

impl Sandbox {
    /// A sandbox with `config` and no documents, in memory only:
    /// `config.data` is not used (see [`Sandbox::open`]).
    pub fn new(config: Config) -> Self {
        if let Some(path) = &config.data {
            tracing::warn!(
                path = %path.display(),
                "Sandbox::new keeps state in memory; use Sandbox::open for a data file"
            );
        }
        Self::from_state(State::new(config))
    }

    /// A sandbox with `config`: in memory without `config.data`, otherwise
    /// backed by that file with everything it already holds. Fails, naming
    /// the file, when it is not a sandbox data file (another kind of file,
    /// another application's database, corrupt), is in use by another
    /// sandbox, or cannot be created.
    pub fn open(config: Config) -> Result<Self, Error> {
        match config.data.clone() {
            None => Ok(Self::new(config)),
            Some(path) => Ok(Self::from_state(State::open(config, &path)?)),
        }
    }

    fn from_state(state: State) -> Self {
        let faults = state
            .config
            .faults
            .clone()
            .map(|c| Arc::new(Faults::new(c)));
        Self {
            state: Arc::new(Mutex::new(state)),
            gate: Arc::new(tokio::sync::RwLock::new(())),
            faults,
        }
    }

    /// What the fault layer saw and did (requests by path, faults by
    /// kind), with `Config::faults`.
    pub fn fault_stats(&self) -> Option<FaultStats> {
        self.faults.as_ref().map(|f| f.stats())
    }

    /// Every stored document (deleted ones included) as stored, in id
    /// order: a read-only look at the sandbox's own store, e.g. to check
    /// that what a client reported saved exists exactly once.
    pub fn invoices(&self) -> Vec<Invoice> {
        self.lock()
            .invoices
            .values()
            .map(|s| s.inv.clone())
            .collect()
    }

    /// The stored document `id`, if any (see [`Sandbox::invoices`]).
    pub fn invoice(&self, id: i64) -> Option<Invoice> {
        self.lock().invoices.get(&id).map(|s| s.inv.clone())
    }

    /// The stored reply of organisation `tin`'s call with
    /// `transaction_id`, as (invoice id, invoice number), if it finished.
    pub fn transaction_result(&self, tin: &str, transaction_id: &str) -> Option<(i64, i64)> {
        self.lock()
            .transactions
            .get(&(tin.to_string(), transaction_id.to_string()))
            .map(|r| (r.invoice_id, r.invoice_number))
    }

    /// The axum router serving the eAPI paths (with `Config::list_quirks`,
    /// ListInvoices replies are rewritten the way the real service writes them).
    /// Bodies over `Config::max_request_bytes` and requests axum itself
    /// rejects are answered with the envelope.
    pub fn router(&self) -> axum::Router {
        let (list_quirks, limit) = {
            let state = self.lock();
            (state.config.list_quirks, state.config.max_request_bytes)
        };
        let router = rsge_eapi::server::router(Arc::new(self.clone()));
        let router = if list_quirks {
            router.layer(axum::middleware::from_fn(quirks::list_invoices))
        } else {
            router
        };
        router
            .layer(axum::middleware::from_fn_with_state(limit, limit_request))
            .layer(axum::extract::DefaultBodyLimit::max(limit))
    }

    /// Hold back the work of TransactionId calls (SaveInvoice, ActivateInvoice
    /// with ID 0) until the returned guard is dropped: they register their
    /// TransactionId (so that a repeat and GetTransactionResult answer -7)
    /// and then wait. Waits for calls already past that point to finish.
    pub async fn pause_processing(&self) -> ProcessingPause {
        ProcessingPause {
            _guard: self.gate.clone().write_owned().await,
        }
    }

    /// Wait `Config::processing_delay`, then until processing is not
    /// paused; the guard keeps a pause from starting until the work is done.
    async fn processing_turn(&self, delay: Duration) -> tokio::sync::RwLockReadGuard<'_, ()> {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        self.gate.read().await
    }

    /// Number of TransactionIds whose first call is still running.
    pub fn transactions_in_flight(&self) -> usize {
        self.lock().in_flight.len()
    }

    /// Number of barcodes in the catalogue of organisation `tin`.
    pub fn barcode_count(&self, tin: &str) -> usize {
        self.lock()
            .barcodes
            .keys()
            .filter(|(t, _)| t == tin)
            .count()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-written
        // in a way worse than refusing all further calls would be.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The PIN last "sent by SMS" to `username` (also logged at INFO).
    pub fn last_pin(&self, username: &str) -> Option<String> {
        self.lock().last_pin(username)
    }

    /// Number of stored documents (deleted ones included).
    pub fn invoice_count(&self) -> usize {
        self.lock().invoices.len()
    }

    /// Number of live (not signed out, not yet purged) sessions.
    pub fn session_count(&self) -> usize {
        self.lock().session_count()
    }

    /// Move the sandbox's clock forward (token and PIN expiry, dates).
    pub fn advance_clock(&self, by: Duration) {
        self.lock().advance_clock(by);
    }

    /// The data file, if the sandbox has one.
    pub fn data_path(&self) -> Option<PathBuf> {
        self.lock().data_path().map(Path::to_path_buf)
    }
}

/// Refuses a body declared larger than `limit` before reading it, and
/// answers axum's own rejections (plain text or empty: a body that grew past
/// the limit, an unreadable body, a wrong method) with the envelope instead:
/// code -1 (a request the service cannot read), their HTTP status.
async fn limit_request(
    axum::extract::State(limit): axum::extract::State<usize>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use taxsdk_runtime::ServiceStatus;
    use taxsdk_runtime::server::reply_status;

    let service = rsge_eapi::SERVICE;
    let code = service.envelope.map_or(-1, |e| e.malformed_request);
    let too_large = || {
        let text = format!("the request body is larger than the limit of {limit} bytes");
        reply_status(&service, &ServiceStatus::new(code, text, 413))
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large();
    }
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || !status.is_client_error() {
        return response;
    }
    let text = match status {
        StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
        StatusCode::METHOD_NOT_ALLOWED => format!("method {method} is not allowed: use POST"),
        _ => {
            let body = axum::body::to_bytes(response.into_body(), 4096)
                .await
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&body).trim().to_string();
            if text.is_empty() {
                format!("the request cannot be read (HTTP {status})")
            } else {
                text
            }
        }
    };
    reply_status(&service, &ServiceStatus::new(code, text, status.as_u16()))
}

/// A sandbox serving HTTP on loopback; dropping it stops the server.
#[derive(Debug)]
pub struct RunningSandbox {
    sandbox: Sandbox,
    server: crate::server::Server,
}

impl RunningSandbox {
    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        self.server.base_url()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The state handle.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// See [`Sandbox::last_pin`].
    pub fn last_pin(&self, username: &str) -> Option<String> {
        self.sandbox.last_pin(username)
    }

    /// See [`Sandbox::invoice_count`].
    pub fn invoice_count(&self) -> usize {
        self.sandbox.invoice_count()
    }

    /// See [`Sandbox::fault_stats`].
    pub fn fault_stats(&self) -> Option<FaultStats> {
        self.sandbox.fault_stats()
    }

    /// Stop the server and wait (at most 5 s, then it is aborted) until it
    /// has finished, so that its hold on the state (and the data file) is
    /// released once the caller's own [`Sandbox`] handles are dropped.
    /// Dropping a `RunningSandbox` also stops the server, without waiting.
    pub async fn shutdown(self) {
        let Self { sandbox, server } = self;
        drop(sandbox);
        server.stop().await;
    }
}

/// Start a sandbox with the default [`Config`] on `127.0.0.1:0`.
pub async fn spawn() -> std::io::Result<RunningSandbox> {
    spawn_with(Config::default()).await
}

/// Start a sandbox with `config` on `127.0.0.1:0` (needs a tokio runtime);
/// with `config.data`, see [`Sandbox::open`] (its error becomes an
/// `io::Error` of kind `Other`).
pub async fn spawn_with(config: Config) -> std::io::Result<RunningSandbox> {
    let sandbox = Sandbox::open(config).map_err(std::io::Error::other)?;
    serve(sandbox, SocketAddr::from(([127, 0, 0, 1], 0))).await
}

/// Serve `sandbox` on `addr` in a background task (with the fault layer
/// when its config has `faults`).
pub async fn serve(sandbox: Sandbox, addr: SocketAddr) -> std::io::Result<RunningSandbox> {
    let server =
        crate::server::Server::start(addr, sandbox.router(), sandbox.faults.clone(), "eAPI")
            .await?;
    Ok(RunningSandbox { sandbox, server })
}

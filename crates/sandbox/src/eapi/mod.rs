//! Emulator of the RS.ge eAPI "Tax document" service.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = taxsdk_sandbox::eapi::spawn().await?;
//! println!("eAPI sandbox on {}", sandbox.base_url());
//! # Ok(()) }
//! ```

mod invoices;
mod list;
pub mod seed;
mod service;
mod state;
mod status;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use taxsdk_runtime::server::axum;

pub use seed::{OrgSeed, UserSeed};
pub use status::BAD_CREDENTIALS;

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
}

impl Default for Config {
    fn default() -> Self {
        Self {
            token_ttl: Duration::from_secs(2400),
            pin_ttl: Duration::from_secs(300),
            users: seed::default_users(),
            orgs: seed::default_orgs(),
        }
    }
}

/// The emulator: implements [`rsge_eapi::server::Service`]. Cheap to clone;
/// clones share the state.
#[derive(Clone)]
pub struct Sandbox {
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").finish_non_exhaustive()
    }
}

impl Sandbox {
    /// A sandbox with `config` and no documents.
    pub fn new(config: Config) -> Self {
        Self {
            state: Arc::new(Mutex::new(State::new(config))),
        }
    }

    /// The axum router serving the eAPI paths.
    pub fn router(&self) -> axum::Router {
        rsge_eapi::server::router(Arc::new(self.clone()))
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
}

/// A sandbox serving HTTP on loopback; dropping it stops the server.
#[derive(Debug)]
pub struct RunningSandbox {
    sandbox: Sandbox,
    addr: SocketAddr,
    base_url: String,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl RunningSandbox {
    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
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
}

/// Start a sandbox with the default [`Config`] on `127.0.0.1:0`.
pub async fn spawn() -> std::io::Result<RunningSandbox> {
    spawn_with(Config::default()).await
}

/// Start a sandbox with `config` on `127.0.0.1:0` (needs a tokio runtime).
pub async fn spawn_with(config: Config) -> std::io::Result<RunningSandbox> {
    serve(Sandbox::new(config), SocketAddr::from(([127, 0, 0, 1], 0))).await
}

/// Serve `sandbox` on `addr` in a background task.
pub async fn serve(sandbox: Sandbox, addr: SocketAddr) -> std::io::Result<RunningSandbox> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let router = sandbox.router();
    tokio::spawn(async move {
        let server = axum::serve(listener, router).with_graceful_shutdown(async move {
            // Resolves on send or when the handle is dropped.
            let _ = rx.await;
        });
        if let Err(e) = server.await {
            tracing::error!(error = %e, "eAPI sandbox server stopped");
        }
    });
    tracing::info!(%addr, "eAPI sandbox listening");
    Ok(RunningSandbox {
        sandbox,
        addr,
        base_url: format!("http://{addr}"),
        _shutdown: tx,
    })
}

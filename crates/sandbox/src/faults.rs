//! Fault injection: a seeded share of the requests a sandbox serves fails
//! the way networks, proxies and servers fail, so that client retries and
//! idempotency can be tested against it.
//!
//! With `eapi::Config::faults` or `ntos::Config::faults` set (CLI:
//! `taxsdk sandbox eapi --faults 0.2,seed=7`, likewise `sandbox ntos`), each
//! request the server accepts is numbered in arrival order and request `n`
//! is faulted when `hash(seed, n)` falls under `rate`; its [`FaultKind`] is
//! another draw from the same hash. The same seed and the same order of
//! requests give the same faults. Faults apply to the server started by
//! `serve` / `spawn_with` of either sandbox (the connection resets need its
//! listener), not to its `Sandbox::router`.
//!
//! In fault mode every handler runs to its end even when its client goes
//! away (a timeout, a reset), as on the real service: a client that timed
//! out leaves its call running, so its repeat meets -7. (Without faults,
//! the HTTP server drops a handler whose client disconnected.)
//!
//! ```
//! use taxsdk_sandbox::faults::{FaultConfig, FaultKind};
//! let faults: FaultConfig = "20%,seed=7,kinds=reset-after-commit+slow".parse().unwrap();
//! assert_eq!(faults.rate, 0.2);
//! assert_eq!(faults.seed, 7);
//! assert_eq!(faults.kinds, [FaultKind::ResetAfterCommit, FaultKind::Slow]);
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use taxsdk_runtime::server::axum;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use axum::body::Body;
use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::serve::IncomingStream;

/// How a faulted request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// The connection is reset before the handler runs: nothing happened.
    ResetBeforeHandler,
    /// The handler runs (a write is committed), then the connection is
    /// reset instead of the reply: the client cannot know what happened.
    ResetAfterCommit,
    /// HTTP 500 with an HTML page, before the handler runs.
    Http500,
    /// HTTP 502 with a gateway's HTML page, after the handler ran (the
    /// gateway lost the reply).
    Http502,
    /// HTTP 503 without `Retry-After`, before the handler runs.
    Http503,
    /// HTTP 503 with `Retry-After` ([`FaultConfig::retry_after`]), before
    /// the handler runs.
    Http503RetryAfter,
    /// The handler runs, then the reply waits [`FaultConfig::slow`]
    /// (longer than a client's timeout).
    Slow,
    /// The handler runs, then only the first half of its reply body is
    /// sent (a reply cut short: not valid JSON).
    Malformed,
    /// HTTP 200 with an HTML page (a captive proxy), before the handler runs.
    Html,
}

impl FaultKind {
    /// Every kind, in a fixed order.
    pub const ALL: [FaultKind; 9] = [
        FaultKind::ResetBeforeHandler,
        FaultKind::ResetAfterCommit,
        FaultKind::Http500,
        FaultKind::Http502,
        FaultKind::Http503,
        FaultKind::Http503RetryAfter,
        FaultKind::Slow,
        FaultKind::Malformed,
        FaultKind::Html,
    ];

    /// Its name on the command line (`reset-before`, `http503-retry-after`...).
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::ResetBeforeHandler => "reset-before",
            FaultKind::ResetAfterCommit => "reset-after-commit",
            FaultKind::Http500 => "http500",
            FaultKind::Http502 => "http502",
            FaultKind::Http503 => "http503",
            FaultKind::Http503RetryAfter => "http503-retry-after",
            FaultKind::Slow => "slow",
            FaultKind::Malformed => "malformed",
            FaultKind::Html => "html",
        }
    }

    /// Whether the handler runs (so a write may have been committed).
    pub fn runs_handler(self) -> bool {
        matches!(
            self,
            FaultKind::ResetAfterCommit
                | FaultKind::Http502
                | FaultKind::Slow
                | FaultKind::Malformed
        )
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        FaultKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown fault kind `{s}` (known: {})", names.join(", "))
            })
    }
}

/// Which requests fail and how; see the [module](self) docs.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultConfig {
    /// Share of requests faulted, 0.0 to 1.0.
    pub rate: f64,
    /// Seed of the draws.
    pub seed: u64,
    /// Kinds to draw from (evenly); empty: all of [`FaultKind::ALL`].
    pub kinds: Vec<FaultKind>,
    /// How long a [`FaultKind::Slow`] reply waits. Default 3 s.
    pub slow: Duration,
    /// The `Retry-After` of [`FaultKind::Http503RetryAfter`], written in
    /// whole seconds. Default 1 s.
    pub retry_after: Duration,
}

impl FaultConfig {
    /// `rate` of the requests faulted with every kind, seed 0.
    pub fn new(rate: f64) -> Self {
        Self {
            rate,
            seed: 0,
            kinds: Vec::new(),
            slow: Duration::from_secs(3),
            retry_after: Duration::from_secs(1),
        }
    }

    /// The same with `seed`.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Check the values: a clear message naming the wrong one.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.rate) {
            return Err(format!(
                "fault rate {} is not between 0 and 1 (or 0% and 100%)",
                self.rate
            ));
        }
        Ok(())
    }

    fn kinds(&self) -> &[FaultKind] {
        if self.kinds.is_empty() {
            &FaultKind::ALL
        } else {
            &self.kinds
        }
    }

    /// The fault of request number `n` (from 0), if any.
    pub fn decide(&self, n: u64) -> Option<FaultKind> {
        let h = splitmix64(self.seed ^ splitmix64(n));
        let unit = (h >> 11) as f64 / (1u64 << 53) as f64;
        if unit >= self.rate {
            return None;
        }
        let kinds = self.kinds();
        let pick = splitmix64(h) % kinds.len() as u64;
        kinds.get(pick as usize).copied()
    }
}

impl FromStr for FaultConfig {
    type Err = String;

    /// `RATE[,seed=N][,kinds=K+K...][,slow=MS][,retry-after=S]`; RATE as
    /// `0.2` or `20%`.
    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.split(',');
        let rate_text = parts.next().unwrap_or("").trim();
        let rate = match rate_text.strip_suffix('%') {
            Some(percent) => percent.trim().parse::<f64>().map(|p| p / 100.0),
            None => rate_text.parse::<f64>(),
        }
        .map_err(|_| format!("fault rate `{rate_text}` is not a number (write 0.2 or 20%)"))?;
        let mut config = FaultConfig::new(rate);
        for part in parts {
            let (key, value) = part.split_once('=').ok_or_else(|| {
                format!("`{part}` is not KEY=VALUE (seed, kinds, slow, retry-after)")
            })?;
            let (key, value) = (key.trim(), value.trim());
            let number = |what: &str| {
                value
                    .parse::<u64>()
                    .map_err(|_| format!("{what} `{value}` is not a whole number"))
            };
            match key {
                "seed" => config.seed = number("seed")?,
                "slow" => config.slow = Duration::from_millis(number("slow (milliseconds)")?),
                "retry-after" => {
                    config.retry_after = Duration::from_secs(number("retry-after (seconds)")?);
                }
                "kinds" => {
                    config.kinds = value.split('+').map(str::parse).collect::<Result<_, _>>()?;
                }
                other => {
                    return Err(format!(
                        "unknown fault option `{other}` (seed, kinds, slow, retry-after)"
                    ));
                }
            }
        }
        config.validate()?;
        Ok(config)
    }
}

/// SplitMix64: a small, good mixing function; enough for fault draws.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What the fault layer saw and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultStats {
    /// Requests served (faulted or not).
    pub requests: u64,
    /// Faulted requests by kind.
    pub faults: BTreeMap<FaultKind, u64>,
    /// Requests by path.
    pub paths: BTreeMap<String, u64>,
}

impl FaultStats {
    /// Faulted requests, all kinds.
    pub fn faulted(&self) -> u64 {
        self.faults.values().sum()
    }

    /// Requests to `path`.
    pub fn requests_to(&self, path: &str) -> u64 {
        self.paths.get(path).copied().unwrap_or(0)
    }
}

/// The live fault state of a server.
#[derive(Debug)]
pub(crate) struct Faults {
    config: FaultConfig,
    next: AtomicU64,
    stats: Mutex<FaultStats>,
}

impl Faults {
    pub(crate) fn new(config: FaultConfig) -> Self {
        Self {
            config,
            next: AtomicU64::new(0),
            stats: Mutex::new(FaultStats::default()),
        }
    }

    pub(crate) fn stats(&self) -> FaultStats {
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Number the request and draw its fault.
    fn admit(&self, path: &str) -> Option<FaultKind> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let kind = self.config.decide(n);
        let mut stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        stats.requests += 1;
        *stats.paths.entry(path.to_string()).or_default() += 1;
        if let Some(kind) = kind {
            *stats.faults.entry(kind).or_default() += 1;
        }
        kind
    }
}

/// The axum middleware that applies the faults.
pub(crate) async fn inject(
    State(faults): State<Arc<Faults>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let Some(kind) = faults.admit(&path) else {
        return detached(next, req).await;
    };
    tracing::debug!(fault = %kind, %path, "injecting a fault");
    let conn = req
        .extensions()
        .get::<ConnectInfo<Conn>>()
        .map(|c| c.0.clone());
    match kind {
        FaultKind::ResetBeforeHandler => reset(conn),
        FaultKind::ResetAfterCommit => {
            drop(detached(next, req).await);
            reset(conn)
        }
        FaultKind::Http500 => html(
            StatusCode::INTERNAL_SERVER_ERROR,
            "<html><head><title>500 - Internal server error.</title></head>\
             <body><h1>500 - Internal server error.</h1></body></html>",
        ),
        FaultKind::Http502 => {
            drop(detached(next, req).await);
            bad_gateway()
        }
        FaultKind::Http503 => html(
            StatusCode::SERVICE_UNAVAILABLE,
            "<html><body><h1>503 Service Unavailable</h1></body></html>",
        ),
        FaultKind::Http503RetryAfter => {
            let mut response = html(
                StatusCode::SERVICE_UNAVAILABLE,
                "<html><body><h1>503 Service Unavailable</h1></body></html>",
            );
            let seconds = faults.config.retry_after.as_secs().to_string();
            if let Ok(value) = HeaderValue::from_str(&seconds) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        FaultKind::Slow => {
            let response = detached(next, req).await;
            tokio::time::sleep(faults.config.slow).await;
            response
        }
        FaultKind::Malformed => {
            let (mut parts, body) = detached(next, req).await.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)))
        }
        FaultKind::Html => html(
            StatusCode::OK,
            "<html><head><title>Maintenance</title></head><body>Back soon.</body></html>",
        ),
    }
}

/// Run the handler in a task of its own, so that it finishes when the
/// client goes away (as the real service does) rather than being dropped
/// with the connection: a client that timed out leaves its call running.
async fn detached(next: Next, req: Request) -> Response {
    match tokio::spawn(next.run(req)).await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(error = %e, "a sandbox handler failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn html(status: StatusCode, page: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html")], page).into_response()
}

fn bad_gateway() -> Response {
    html(
        StatusCode::BAD_GATEWAY,
        "<html><head><title>502 Bad Gateway</title></head>\
         <body><center><h1>502 Bad Gateway</h1></center></body></html>",
    )
}

/// Reset the request's connection: the reply is never written. Without
/// the fault listener (no connection handle) a 502 stands in.
fn reset(conn: Option<Conn>) -> Response {
    match conn {
        Some(conn) => {
            conn.kill();
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        None => bad_gateway(),
    }
}

/// A connection's kill switch, handed to the middleware as connect info.
#[derive(Debug, Clone, Default)]
pub(crate) struct Conn(Arc<AtomicBool>);

impl Conn {
    fn kill(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn killed(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Connected<IncomingStream<'_, FaultListener>> for Conn {
    fn connect_info(stream: IncomingStream<'_, FaultListener>) -> Self {
        stream.io().conn.clone()
    }
}

/// A TCP listener whose connections can be reset from the middleware.
pub(crate) struct FaultListener {
    pub(crate) inner: TcpListener,
}

impl axum::serve::Listener for FaultListener {
    type Io = FaultStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (FaultStream, SocketAddr) {
        let (stream, addr) = axum::serve::Listener::accept(&mut self.inner).await;
        (
            FaultStream {
                stream,
                conn: Conn::default(),
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// A TCP stream that fails every operation once killed and then closes
/// with a reset (`SO_LINGER` 0) rather than a graceful FIN.
pub(crate) struct FaultStream {
    stream: TcpStream,
    conn: Conn,
}

impl FaultStream {
    fn check(&self) -> io::Result<()> {
        if self.conn.killed() {
            let _ = self.stream.set_zero_linger();
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset by fault injection",
            ));
        }
        Ok(())
    }
}

impl Drop for FaultStream {
    fn drop(&mut self) {
        if self.conn.killed() {
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for FaultStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for FaultStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rates_seeds_and_kinds() {
        let c: FaultConfig = "0.2".parse().unwrap();
        assert_eq!((c.rate, c.seed, c.kinds.len()), (0.2, 0, 0));
        let c: FaultConfig = "25%,seed=9,slow=1500,retry-after=2,kinds=http500+html"
            .parse()
            .unwrap();
        assert_eq!(c.rate, 0.25);
        assert_eq!(c.seed, 9);
        assert_eq!(c.slow, Duration::from_millis(1500));
        assert_eq!(c.retry_after, Duration::from_secs(2));
        assert_eq!(c.kinds, [FaultKind::Http500, FaultKind::Html]);
    }

    #[test]
    fn bad_options_are_named() {
        let err = |s: &str| s.parse::<FaultConfig>().unwrap_err();
        assert!(err("lots").contains("`lots`"), "{}", err("lots"));
        assert!(err("1.5").contains("1.5"), "{}", err("1.5"));
        assert!(
            err("0.1,seed=x").contains("seed `x`"),
            "{}",
            err("0.1,seed=x")
        );
        assert!(
            err("0.1,color=red").contains("`color`"),
            "{}",
            err("0.1,color=red")
        );
        assert!(
            err("0.1,kinds=fire").contains("`fire`"),
            "{}",
            err("0.1,kinds=fire")
        );
        assert!(err("0.1,seed").contains("KEY=VALUE"), "{}", err("0.1,seed"));
    }

    #[test]
    fn draws_are_deterministic_and_near_the_rate() {
        let config = FaultConfig::new(0.2).seed(42);
        let draws: Vec<Option<FaultKind>> = (0..10_000).map(|n| config.decide(n)).collect();
        let again: Vec<Option<FaultKind>> = (0..10_000).map(|n| config.decide(n)).collect();
        assert_eq!(draws, again);
        let faulted = draws.iter().filter(|d| d.is_some()).count();
        assert!((1_800..2_200).contains(&faulted), "{faulted}");
        for kind in FaultKind::ALL {
            assert!(draws.contains(&Some(kind)), "{kind} never drawn");
        }
        let other: Vec<Option<FaultKind>> = (0..10_000)
            .map(|n| FaultConfig::new(0.2).seed(43).decide(n))
            .collect();
        assert_ne!(draws, other);
        assert!((0..1000).all(|n| FaultConfig::new(0.0).decide(n).is_none()));
        assert!((0..1000).all(|n| FaultConfig::new(1.0).decide(n).is_some()));
    }
}

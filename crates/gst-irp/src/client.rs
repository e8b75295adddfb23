//! The IRP over HTTP: login (v1.04) with token reuse and renewal, encrypted
//! calls, one typed method per endpoint of spec/gst-irp, and passthrough
//! `get`/`post` for anything else.
//!
//! ```no_run
//! use gst_irp::client::Client;
//! use gst_irp::crypto::IrpPublicKey;
//! use gst_irp::session::Credentials;
//! use gst_irp::SecretString;
//!
//! # async fn demo(invoice: gst_irp::models::Invoice) -> Result<(), Box<dyn std::error::Error>> {
//! let credentials = Credentials::new(
//!     "29AAACP7879D1Z0", "client-id", SecretString::from("client-secret"),
//!     "api-user", SecretString::from("api-password"),
//! );
//! let key = IrpPublicKey::from_file("irp-sandbox-public-key.pem")?;
//! let client = Client::builder(credentials, key)
//!     .base_url("https://einv-apisandbox.nic.in")
//!     .build()?;
//! let registered = client.generate_irn(&invoice).await?;
//! println!("IRN {}", registered.data.irn);
//! # Ok(()) }
//! ```
//!
//! # Sessions
//!
//! The first call logs in; the session is kept in the client and in its
//! [`TokenStore`] (by default in memory only; [`FileTokenStore`](crate::FileTokenStore) keeps it
//! between runs, never with the password). A session with less than ten
//! minutes left is renewed with `ForceRefreshAccessToken` before the call;
//! a call the IRP refuses with 1005 (token expired or revoked) logs in again
//! and is sent once more: a refused call did nothing.
//!
//! # Retries and duplicates
//!
//! Reads (`GET`) are repeated after a connection failure, a timeout or an
//! HTTP 5xx, as [`ClientBuilder::retry_policy`] allows (attempts and
//! backoff of [`RetryPolicy`]; 4 attempts by default). Writes have no
//! idempotency key, so they are not repeated blindly:
//!
//! - [`Client::generate_irn`] is repeated once when its first attempt's
//!   outcome is unknown (sent, no answer). The IRP keeps one IRN per
//!   document, so the repeat either registers it or answers 2150 with the
//!   existing IRN (`DUPIRN`): the client then fetches that IRN and returns it
//!   as the result, with the `DUPIRN` entry in [`Reply::info`]. A 2150 on a
//!   first attempt is the caller's duplicate and is returned as an error
//!   ([`ServiceError::duplicate_irn`] has the existing IRN).
//! - Every other write ends with [`Error::OutcomeUnknown`] when the outcome
//!   is unknown; look the document up before sending it again.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use secrecy::ExposeSecret as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use taxsdk_runtime::client::{DEFAULT_MAX_RESPONSE_BYTES, error_chain, read_body, snippet};
use taxsdk_runtime::{Endpoint, Method, ParamLocation, RetryPolicy};

use crate::crypto::{AppKey, IrpPublicKey};
use crate::endpoints;
use crate::envelope::{Info, ServiceError};
use crate::models::*;
use crate::session::{
    self, AUTH_PATH, Credentials, RequestHeaders, Session, SessionError, auth_request_body,
    read_auth_response,
};
use crate::token_store::{
    CachedSession, MemoryTokenStore, TokenKey, TokenStore, TokenStoreError, lookup,
};

/// Everything a call can fail with. Messages never carry a password,
/// secret, token or key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The IRP refused the request (`Status` 0): every `ErrorDetails` and
    /// `InfoDtls` entry.
    #[error(transparent)]
    Service(ServiceError),
    /// Encrypting, decrypting or reading a reply failed.
    #[error(transparent)]
    Session(SessionError),
    /// The token store failed.
    #[error(transparent)]
    TokenStore(#[from] TokenStoreError),
    /// The request never reached the IRP (connection refused, DNS, TLS).
    #[error("{endpoint}: the request was not sent: {message}")]
    Unsent {
        /// The endpoint, e.g. `GenerateIrn`.
        endpoint: &'static str,
        /// What failed.
        message: String,
    },
    /// A write was sent but no answer came (timeout, reset): it may or may
    /// not have taken effect. Look the document up before sending it again.
    #[error(
        "{endpoint}: no answer ({message}); the request may have taken effect: look it up before sending it again"
    )]
    OutcomeUnknown {
        /// The endpoint.
        endpoint: &'static str,
        /// What failed.
        message: String,
    },
    /// A read got no usable answer after every attempt.
    #[error("{endpoint}: no answer after {attempts} attempt(s): {message}")]
    Unavailable {
        /// The endpoint.
        endpoint: &'static str,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        message: String,
    },
    /// An HTTP status without the IRP's envelope (a proxy's page, a 404).
    #[error("{endpoint}: HTTP {status} without the IRP's reply envelope: {body}")]
    Http {
        /// The endpoint.
        endpoint: &'static str,
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// A request cannot be built from the given values.
    #[error("{endpoint}: {message}")]
    Request {
        /// The endpoint.
        endpoint: &'static str,
        /// What is wrong, naming the member.
        message: String,
    },
    /// The client cannot be built (bad base URL, HTTP client failure).
    #[error("cannot build the IRP client: {0}")]
    Build(String),
}

impl Error {
    /// The IRP's refusal, when it refused.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }
}

impl From<SessionError> for Error {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::Service(e) => Error::Service(e),
            other => Error::Session(other),
        }
    }
}

/// A successful call: the decoded `Data` and the `InfoDtls` entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    /// The decrypted `Data`.
    pub data: T,
    /// `InfoDtls`: e.g. `EWBERR` when an IRN was generated but its e-way
    /// bill was not, or `DUPIRN` when [`Client::generate_irn`] found its own
    /// earlier attempt.
    pub info: Vec<Info>,
}

/// Builds a [`Client`]; see [`Client::builder`].
pub struct ClientBuilder {
    credentials: Credentials,
    irp_key: IrpPublicKey,
    base_url: String,
    store: Option<Arc<dyn TokenStore>>,
    gsp_headers: RequestHeaders,
    http: Option<reqwest::Client>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: usize,
    user_agent: String,
}

impl ClientBuilder {
    /// The IRP's base URL (default: NIC's sandbox). A GSP's URL with a
    /// path prefix works; a trailing `/` (or the `//` some GSPs document)
    /// is ignored.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Where sessions are kept between calls and runs (default: in memory).
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Headers a GSP passthrough needs on every call (e.g. `aspid`,
    /// `password`); they are merged last and override the IRP's own.
    /// `Debug` hides the values of secret-looking names.
    pub fn gsp_header(mut self, name: &str, value: &str) -> Self {
        self.gsp_headers.set(name, value);
        self
    }

    /// A reqwest client of your own (proxies, certificates); the timeouts
    /// below then apply per request only.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Time allowed for one whole request (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How reads are repeated: its attempts and backoff (default
    /// [`RetryPolicy::default`]; [`RetryPolicy::none`]: one attempt).
    /// Writes are never repeated blindly (see the module docs).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest reply body read (default 64 MiB); a larger reply ends
    /// the call without being read further.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client, Error> {
        let base = reqwest::Url::parse(self.base_url.trim())
            .map_err(|e| Error::Build(format!("base URL `{}`: {e}", self.base_url)))?;
        if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
            return Err(Error::Build(format!(
                "base URL `{}` is not an http(s) URL",
                self.base_url
            )));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .build()
                .map_err(|e| Error::Build(e.to_string()))?,
        };
        let key = TokenKey::new(
            base.as_str(),
            &self.credentials.client_id,
            &self.credentials.gstin,
            &self.credentials.user_name,
        );
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                credentials: self.credentials,
                irp_key: self.irp_key,
                store: self
                    .store
                    .unwrap_or_else(|| Arc::new(MemoryTokenStore::new())),
                key,
                gsp_headers: self.gsp_headers,
                timeout: self.timeout,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
                session: tokio::sync::Mutex::new(None),
            }),
        })
    }
}

/// An IRP client; cheap to clone (clones share the session).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: reqwest::Url,
    credentials: Credentials,
    irp_key: IrpPublicKey,
    store: Arc<dyn TokenStore>,
    key: TokenKey,
    gsp_headers: RequestHeaders,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: usize,
    /// Held across a login so that concurrent calls log in once.
    session: tokio::sync::Mutex<Option<Session>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .field("credentials", &self.inner.credentials)
            .field("gsp_headers", &self.inner.gsp_headers)
            .finish_non_exhaustive()
    }
}

/// How a failed exchange counts.
enum Failure {
    /// Not sent: safe to repeat.
    Unsent(String),
    /// Sent, no answer: repeat only a read.
    Lost(String),
    /// An HTTP status without the envelope.
    Http(u16, String),
    /// A reply larger than the client reads: final for a read, of unknown
    /// outcome for a write.
    TooLarge(String),
}

impl Failure {
    /// The error a call ends with after this failure of its last attempt
    /// (`attempts` made), for a read or a write.
    fn into_error(self, endpoint: &'static str, read: bool, attempts: u32) -> Error {
        match self {
            Failure::Unsent(message) => Error::Unsent { endpoint, message },
            Failure::Lost(message) | Failure::TooLarge(message) if !read => {
                Error::OutcomeUnknown { endpoint, message }
            }
            Failure::Lost(message) | Failure::TooLarge(message) => Error::Unavailable {
                endpoint,
                attempts,
                message,
            },
            Failure::Http(status, body) => Error::Http {
                endpoint,
                status,
                body,
            },
        }
    }
}

impl Client {
    /// A builder for the API user `credentials`, encrypting the login under
    /// the IRP's public key `irp_key` (NIC's sandbox and production keys
    /// differ; the taxsdk sandbox serves its own).
    pub fn builder(credentials: Credentials, irp_key: IrpPublicKey) -> ClientBuilder {
        ClientBuilder {
            credentials,
            irp_key,
            base_url: crate::SERVICE.default_base_url.to_string(),
            store: None,
            gsp_headers: RequestHeaders::new(),
            http: None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            user_agent: concat!("taxsdk-gst-irp/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }

    /// Log in now unless a session with more than ten minutes left is held
    /// or stored; with `force_regenerate`, drop it and get a new token.
    /// Calls log in by themselves; this is for checking credentials early.
    pub async fn login(&self, force_regenerate: bool) -> Result<(), Error> {
        let mut held = self.inner.session.lock().await;
        if force_regenerate {
            *held = None;
        }
        self.session_in(&mut held, force_regenerate).await.map(drop)
    }

    /// Whether a session is held that does not need renewal yet.
    pub async fn is_logged_in(&self) -> bool {
        let held = self.inner.session.lock().await;
        held.as_ref().is_some_and(|s| !s.needs_renewal())
    }

    /// The held session, renewed or created as needed.
    async fn session(&self) -> Result<Session, Error> {
        let mut held = self.inner.session.lock().await;
        self.session_in(&mut held, false).await
    }

    async fn session_in(
        &self,
        held: &mut Option<Session>,
        force_regenerate: bool,
    ) -> Result<Session, Error> {
        if let Some(session) = held.as_ref()
            && !force_regenerate
            && !session.needs_renewal()
        {
            return Ok(session.clone());
        }
        let inner = &self.inner;
        let force_refresh = match lookup(
            inner.store.as_ref(),
            &inner.key,
            force_regenerate,
            Utc::now(),
        )? {
            CachedSession::Reuse(session) => {
                *held = Some(session.clone());
                return Ok(session);
            }
            CachedSession::Login { force_refresh } => force_refresh || held.as_ref().is_some(),
        };
        let session = self.log_in(force_refresh).await?;
        inner.store.save(&inner.key, &session)?;
        *held = Some(session.clone());
        Ok(session)
    }

    /// One login call. Not repeated on a lost answer: the IRP returns the
    /// same token to a second login, so the caller's next call just logs in
    /// again.
    async fn log_in(&self, force_refresh: bool) -> Result<Session, Error> {
        const WHAT: &str = "Login";
        let inner = &self.inner;
        let app_key = AppKey::generate();
        let body = auth_request_body(&inner.credentials, &app_key, force_refresh, &inner.irp_key)?;
        let mut headers = inner.credentials.login_headers();
        headers.merge(inner.gsp_headers.iter());
        let url = self.url(AUTH_PATH, WHAT)?;
        let request = inner
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body);
        // A login changes nothing worth protecting: like a read.
        let (status, reply) = self
            .exchange(WHAT, request, &headers)
            .await
            .map_err(|f| f.into_error(WHAT, true, 1))?;
        read_auth_response(&reply, &app_key, &inner.credentials)
            .map_err(|e| enveloped_or_http(e, WHAT, status, &reply))
    }

    /// The URL of `path` below the base URL; `{Name}` placeholders must
    /// have been substituted.
    fn url(&self, path: &str, endpoint: &'static str) -> Result<reqwest::Url, Error> {
        let mut url = self.inner.base.clone();
        // A GSP prefix stays; empty segments (`//`, a trailing `/`) go.
        let prefix: Vec<String> = self
            .inner
            .base
            .path_segments()
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        url.path_segments_mut()
            .map_err(|()| Error::Request {
                endpoint,
                message: "the base URL cannot take a path".into(),
            })?
            .clear()
            .extend(&prefix)
            .extend(path.split('/').filter(|s| !s.is_empty()));
        Ok(url)
    }

    /// Send one request with `headers`; the body of any answer that has
    /// one, or how it failed.
    async fn exchange(
        &self,
        endpoint: &'static str,
        request: reqwest::RequestBuilder,
        headers: &RequestHeaders,
    ) -> Result<(u16, bytes::Bytes), Failure> {
        let mut request = request.timeout(self.inner.timeout);
        for (name, value) in headers.iter() {
            request = request.header(name, value);
        }
        let response = request.send().await.map_err(|e| {
            if e.is_connect() || e.is_builder() {
                Failure::Unsent(error_chain(&e))
            } else {
                Failure::Lost(error_chain(&e))
            }
        })?;
        let status = response.status().as_u16();
        let url = response.url().to_string();
        let body = read_body(response, endpoint, &url, self.inner.max_response_bytes)
            .await
            .map_err(|e| match e {
                taxsdk_runtime::Error::ResponseTooLarge { .. } => Failure::TooLarge(e.to_string()),
                other => Failure::Lost(other.to_string()),
            })?;
        // The IRP answers its envelope with 200, errors included; a gateway
        // may put it in a 4xx too. Anything else is not the IRP's answer:
        // a 200 that is not the envelope (a reply cut short, a proxy's
        // page) or a 5xx page may hide a committed write, so it counts as
        // no answer; another status is final.
        if !looks_like_envelope(&body) {
            let text = snippet(&body);
            if status == 200 || status >= 500 {
                return Err(Failure::Lost(format!(
                    "HTTP {status}, not the IRP's envelope: {text}"
                )));
            }
            return Err(Failure::Http(status, text));
        }
        Ok((status, body))
    }

    /// Call endpoint `E` with `request`: path, query and header members
    /// out of the model, the rest encrypted as the body of a POST.
    pub async fn call<E: Endpoint>(&self, request: &E::Request) -> Result<Reply<E::Response>, Error>
    where
        E::Request: Serialize,
        E::Response: DeserializeOwned,
    {
        let meta = E::META;
        let parts = Parts::of(meta.name, meta.path, meta.params, request)?;
        let reply = self.send(meta.name, meta.method, &parts).await?;
        Ok(Reply {
            data: reply.data()?,
            info: reply.info().to_vec(),
        })
    }

    /// A `GET` of any IRP path (relative to the base URL, query included)
    /// with `extra` headers (e.g. `sup_gstin`), for endpoints this crate
    /// does not describe; the reply's decrypted `Data` as JSON.
    pub async fn get(&self, path: &str, extra: &RequestHeaders) -> Result<Reply<Value>, Error> {
        let parts = Parts::raw(path, None, extra);
        let reply = self.send("get", Method::Get, &parts).await?;
        Ok(Reply {
            data: reply.data()?,
            info: reply.info().to_vec(),
        })
    }

    /// A `POST` of `payload` (encrypted) to any IRP path, with `extra`
    /// headers; the reply's decrypted `Data` as JSON. Not repeated when
    /// its outcome is unknown.
    pub async fn post(
        &self,
        path: &str,
        payload: &Value,
        extra: &RequestHeaders,
    ) -> Result<Reply<Value>, Error> {
        let body = serde_json::to_vec(payload).map_err(|e| Error::Request {
            endpoint: "post",
            message: format!("the payload cannot be encoded: {e}"),
        })?;
        let parts = Parts::raw(path, Some(body), extra);
        let reply = self.send("post", Method::Post, &parts).await?;
        Ok(Reply {
            data: reply.data()?,
            info: reply.info().to_vec(),
        })
    }

    /// Send `parts` in the session: a read as often as the retry policy
    /// allows, a write once; a 1005 answer logs in again and sends once
    /// more.
    async fn send(
        &self,
        endpoint: &'static str,
        method: Method,
        parts: &Parts,
    ) -> Result<session::Reply, Error> {
        let read = method == Method::Get;
        let attempts = if read { self.inner.retry.attempts() } else { 1 };
        let mut relogged = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let session = self.session().await?;
            let outcome = self.send_once(endpoint, method, parts, &session).await;
            match outcome {
                Ok(Ok(reply)) => return Ok(reply),
                Ok(Err(Error::Service(e))) if e.is_invalid_token() && !relogged => {
                    // The token was refused, so the call did nothing.
                    relogged = true;
                    attempt -= 1;
                    self.drop_session(&session).await?;
                }
                Ok(Err(e)) => return Err(e),
                Err(failure @ (Failure::Unsent(_) | Failure::Lost(_))) if attempt < attempts => {
                    drop(failure);
                    tokio::time::sleep(self.inner.retry.backoff_for(attempt)).await;
                }
                Err(failure) => return Err(failure.into_error(endpoint, read, attempt)),
            }
        }
    }

    /// Forget `session` (held and stored) if it is still the current one.
    async fn drop_session(&self, session: &Session) -> Result<(), Error> {
        let mut held = self.inner.session.lock().await;
        if held
            .as_ref()
            .is_some_and(|s| s.auth_token().expose_secret() == session.auth_token().expose_secret())
        {
            *held = None;
            self.inner.store.remove(&self.inner.key)?;
        }
        Ok(())
    }

    /// One exchange: `Err` for a transport failure, `Ok(Err)` for an
    /// answer that is an error.
    async fn send_once(
        &self,
        endpoint: &'static str,
        method: Method,
        parts: &Parts,
        session: &Session,
    ) -> Result<Result<session::Reply, Error>, Failure> {
        let url = match self.url(&parts.path, endpoint) {
            Ok(mut url) => {
                if !parts.query.is_empty() {
                    url.query_pairs_mut()
                        .extend_pairs(parts.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                }
                url
            }
            Err(e) => return Ok(Err(e)),
        };
        let mut headers = session.request_headers(&self.inner.credentials);
        headers.merge(parts.headers.iter());
        headers.merge(self.inner.gsp_headers.iter());
        let request = match method {
            Method::Get => self.inner.http.get(url),
            Method::Post | Method::Put | Method::Delete => {
                let body = session.encrypt_request_json(parts.body.as_deref().unwrap_or(b"{}"));
                let builder = match method {
                    Method::Put => self.inner.http.put(url),
                    Method::Delete => self.inner.http.delete(url),
                    _ => self.inner.http.post(url),
                };
                builder
                    .header("content-type", "application/json")
                    .body(body)
            }
        };
        let (status, body) = self.exchange(endpoint, request, &headers).await?;
        Ok(session
            .decrypt_response(&body)
            .map_err(|e| enveloped_or_http(e, endpoint, status, &body)))
    }

    /// The registration details of `gstin` from the IRP's GST master.
    pub async fn get_gstin_details(&self, gstin: &str) -> Result<Reply<GstinDetails>, Error> {
        self.call::<endpoints::GetGstinDetails>(&GstinRequest {
            gstin: gstin.to_string(),
        })
        .await
    }

    /// Refresh the IRP's copy of `gstin` from the GST portal and return it.
    pub async fn sync_gstin(&self, gstin: &str) -> Result<Reply<GstinDetails>, Error> {
        self.call::<endpoints::SyncGstin>(&GstinRequest {
            gstin: gstin.to_string(),
        })
        .await
    }

    /// Register `invoice` and get its IRN, signed invoice and QR code.
    ///
    /// The invoice is checked with [`crate::validate::Validate`] first and
    /// not sent when it breaks a rule: the error then lists every
    /// violation with the code the IRP would answer. When the first
    /// attempt's outcome is unknown, the call is sent once more and a 2150
    /// `DUPIRN` answer means the first attempt registered it (see the
    /// module docs).
    pub async fn generate_irn(&self, invoice: &Invoice) -> Result<Reply<IrnDetails>, Error> {
        use crate::validate::Validate as _;
        const WHAT: &str = endpoints::GenerateIrn::META.name;
        if let Err(violations) = invoice.validate() {
            return Err(Error::Service(ServiceError {
                errors: violations
                    .list()
                    .iter()
                    .map(|v| crate::envelope::ErrorDetail::new(v.code.to_string(), v.to_string()))
                    .collect(),
                info: Vec::new(),
            }));
        }
        match self.call::<endpoints::GenerateIrn>(invoice).await {
            Err(Error::OutcomeUnknown { .. }) => {}
            other => return other,
        }
        match self.call::<endpoints::GenerateIrn>(invoice).await {
            Err(Error::Service(e)) if e.has_code("2150") => {
                let Some(existing) = e.duplicate_irn().cloned() else {
                    return Err(Error::Service(e));
                };
                let mut found = self
                    .get_irn_details(&IrnRequest {
                        irn: existing.irn.clone(),
                        sup_gstin: None,
                        irp: None,
                    })
                    .await?;
                found.info.extend(e.info);
                Ok(found)
            }
            Err(Error::OutcomeUnknown { message, .. }) => Err(Error::OutcomeUnknown {
                endpoint: WHAT,
                message: format!("twice: {message}"),
            }),
            other => other,
        }
    }

    /// The e-invoice registered under an IRN (generated in the last 2 days).
    pub async fn get_irn_details(&self, request: &IrnRequest) -> Result<Reply<IrnDetails>, Error> {
        self.call::<endpoints::GetIrnDetails>(request).await
    }

    /// The e-invoice registered for a document type, number and date.
    pub async fn get_irn_by_doc_details(
        &self,
        request: &IrnByDocDetailsRequest,
    ) -> Result<Reply<IrnDetails>, Error> {
        self.call::<endpoints::GetIrnByDocDetails>(request).await
    }

    /// Cancel an IRN (within 24 hours of its generation).
    pub async fn cancel_irn(
        &self,
        request: &CancelIrnRequest,
    ) -> Result<Reply<CancelIrnResponse>, Error> {
        self.call::<endpoints::CancelIrn>(request).await
    }

    /// Generate an e-way bill for an active IRN of a goods invoice.
    pub async fn generate_ewb_by_irn(
        &self,
        request: &EwbByIrnRequest,
    ) -> Result<Reply<EwbByIrnResponse>, Error> {
        self.call::<endpoints::GenerateEwbByIrn>(request).await
    }

    /// The e-way bill generated for an IRN.
    pub async fn get_ewb_by_irn(
        &self,
        request: &EwbByIrnLookup,
    ) -> Result<Reply<EwbDetails>, Error> {
        self.call::<endpoints::GetEwbByIrn>(request).await
    }

    /// The IRNs rejected by buyers on a day.
    pub async fn get_rejected_irns(
        &self,
        request: &RejectedIrnsRequest,
    ) -> Result<Reply<Vec<String>>, Error> {
        self.call::<endpoints::GetRejectedIrns>(request).await
    }

    /// Cancel an e-way bill (the e-way bill system's envelope; the IRP
    /// offers it in its sandbox only).
    pub async fn cancel_ewb(
        &self,
        request: &CancelEwbRequest,
    ) -> Result<Reply<CancelEwbResponse>, Error> {
        const WHAT: &str = endpoints::CancelEwb::META.name;
        let session = self.session().await?;
        let body = session.encrypt_ewb_request("CANEWB", request)?;
        let mut headers = session.request_headers(&self.inner.credentials);
        // The e-way bill system names these differently.
        headers.set("Gstin", session.gstin());
        headers.set("authtoken", session.auth_token().expose_secret());
        headers.merge(self.inner.gsp_headers.iter());
        let url = self.url(endpoints::CancelEwb::META.path, WHAT)?;
        let request = self
            .inner
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body);
        let (status, reply) = self
            .exchange(WHAT, request, &headers)
            .await
            .map_err(|f| f.into_error(WHAT, false, 1))?;
        let reply = session
            .decrypt_ewb_response(&reply)
            .map_err(|e| enveloped_or_http(e, WHAT, status, &reply))?;
        Ok(Reply {
            data: reply.data()?,
            info: reply.info().to_vec(),
        })
    }
}

/// A request taken apart: the path with its placeholders filled, query
/// pairs, extra headers and the JSON body.
struct Parts {
    path: String,
    query: Vec<(String, String)>,
    headers: RequestHeaders,
    body: Option<Vec<u8>>,
}

impl Parts {
    /// Passthrough: the path as given, `body` as is.
    fn raw(path: &str, body: Option<Vec<u8>>, extra: &RequestHeaders) -> Parts {
        let (path, query) = match path.split_once('?') {
            Some((path, query)) => (
                path,
                reqwest::Url::parse(&format!("http://x/?{query}"))
                    .map(|u| u.query_pairs().into_owned().collect())
                    .unwrap_or_default(),
            ),
            None => (path, Vec::new()),
        };
        Parts {
            path: path.to_string(),
            query,
            headers: extra.clone(),
            body,
        }
    }

    /// Take `request` apart by the endpoint's `params`.
    fn of<T: Serialize>(
        endpoint: &'static str,
        template: &str,
        params: &[taxsdk_runtime::Param],
        request: &T,
    ) -> Result<Parts, Error> {
        let request_error = |message: String| Error::Request { endpoint, message };
        let value = serde_json::to_value(request)
            .map_err(|e| request_error(format!("the request cannot be encoded: {e}")))?;
        let mut members = match value {
            Value::Object(members) => members,
            Value::Null => serde_json::Map::new(),
            other => {
                // A list or scalar body (none in spec/gst-irp today).
                return Ok(Parts {
                    path: template.to_string(),
                    query: Vec::new(),
                    headers: RequestHeaders::new(),
                    body: Some(other.to_string().into_bytes()),
                });
            }
        };
        let mut path = template.to_string();
        let mut query = Vec::new();
        let mut headers = RequestHeaders::new();
        for param in params {
            let text = match members.remove(param.wire) {
                None | Some(Value::Null) => {
                    if param.location == ParamLocation::Path {
                        return Err(request_error(format!(
                            "`{}` is needed in the path",
                            param.wire
                        )));
                    }
                    continue;
                }
                Some(Value::String(text)) => text,
                Some(other @ (Value::Number(_) | Value::Bool(_))) => other.to_string(),
                Some(other) => {
                    return Err(request_error(format!(
                        "`{}` must be a single value, not {other}",
                        param.wire
                    )));
                }
            };
            match param.location {
                ParamLocation::Path => {
                    if text.is_empty() {
                        return Err(request_error(format!("`{}` is empty", param.wire)));
                    }
                    // One path segment: a `/` inside it is encoded.
                    let segment = text.replace('%', "%25").replace('/', "%2F");
                    path = path.replace(&format!("{{{}}}", param.wire), &segment);
                }
                ParamLocation::Query => query.push((param.wire.to_string(), text)),
                ParamLocation::Header => headers.set(param.wire, &text),
            }
        }
        let body = (!members.is_empty()).then(|| Value::Object(members).to_string().into_bytes());
        Ok(Parts {
            path,
            query,
            headers,
            body,
        })
    }
}

/// A refusal in the envelope stays what it is; an unreadable answer that
/// came with an error status is reported as that status.
fn enveloped_or_http(e: SessionError, endpoint: &'static str, status: u16, body: &[u8]) -> Error {
    match e {
        SessionError::Reply { .. } if status != 200 => Error::Http {
            endpoint,
            status,
            body: snippet(body),
        },
        other => other.into(),
    }
}

/// Whether `body` is a JSON object with a `Status` member (any case).
fn looks_like_envelope(body: &[u8]) -> bool {
    // Members are skipped, not built: only the keys are kept.
    serde_json::from_slice::<std::collections::HashMap<String, serde::de::IgnoredAny>>(body)
        .is_ok_and(|map| map.keys().any(|k| k.eq_ignore_ascii_case("status")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::DocumentType;

    fn client(base: &str) -> Client {
        let key =
            crate::crypto::IrpPrivateKey::from_pem(include_str!("../tests/data/irp_test_key.pem"))
                .unwrap();
        let credentials = Credentials::new(
            "29AAACP7879D1Z0",
            "id",
            "secret".to_string().into(),
            "user",
            "password".to_string().into(),
        );
        Client::builder(credentials, key.public_key().clone())
            .base_url(base)
            .build()
            .unwrap()
    }

    #[test]
    fn path_query_and_header_members_leave_the_body() {
        let meta = endpoints::GetIrnDetails::META;
        let request = IrnRequest {
            irn: "ab/c%".into(),
            sup_gstin: Some("29AAACP7879D1Z0".into()),
            irp: None,
        };
        let parts = Parts::of(meta.name, meta.path, meta.params, &request).unwrap();
        assert_eq!(parts.path, "/eicore/v1.03/Invoice/irn/ab%2Fc%25");
        assert_eq!(parts.headers.get("sup_gstin"), Some("29AAACP7879D1Z0"));
        assert_eq!(parts.headers.get("irp"), None);
        assert!(parts.body.is_none());

        let meta = endpoints::GetIrnByDocDetails::META;
        let request = IrnByDocDetailsRequest {
            doctype: DocumentType::Invoice,
            docnum: "DOC/001".into(),
            docdate: chrono::NaiveDate::from_ymd_opt(2022, 9, 16).unwrap(),
        };
        let parts = Parts::of(meta.name, meta.path, meta.params, &request).unwrap();
        assert_eq!(
            parts.query,
            [
                ("doctype".to_string(), "INV".to_string()),
                ("docnum".to_string(), "DOC/001".to_string()),
                ("docdate".to_string(), "16/09/2022".to_string()),
            ]
        );
        let url = client("http://127.0.0.1:9/")
            .url(&parts.path, meta.name)
            .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/eicore/v1.03/Invoice/irnbydocdetails"
        );
    }

    #[test]
    fn an_empty_path_member_is_refused_by_name() {
        let meta = endpoints::GetGstinDetails::META;
        let e = Parts::of(
            meta.name,
            meta.path,
            meta.params,
            &GstinRequest {
                gstin: String::new(),
            },
        )
        .err()
        .unwrap();
        assert_eq!(e.to_string(), "GetGstinDetails: `Gstin` is empty");
    }

    #[test]
    fn gsp_prefixes_and_double_slashes_are_kept_apart() {
        for base in [
            "https://gsp.example/einvoice",
            "https://gsp.example/einvoice/",
            "https://gsp.example/einvoice//",
        ] {
            let url = client(base).url("/eivital/v1.04/auth", "Login").unwrap();
            assert_eq!(
                url.as_str(),
                "https://gsp.example/einvoice/eivital/v1.04/auth",
                "{base}"
            );
        }
        let url = client("https://einv-apisandbox.nic.in")
            .url(AUTH_PATH, "Login")
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://einv-apisandbox.nic.in/eivital/v1.04/auth"
        );
    }

    #[test]
    fn bad_base_urls_are_refused() {
        let key =
            crate::crypto::IrpPrivateKey::from_pem(include_str!("../tests/data/irp_test_key.pem"))
                .unwrap();
        let credentials =
            Credentials::new("g", "i", String::new().into(), "u", String::new().into());
        for base in ["not a url", "ftp://x.example", "mailto:a@b"] {
            let e = Client::builder(credentials.clone(), key.public_key().clone())
                .base_url(base)
                .build()
                .err()
                .unwrap();
            assert!(e.to_string().contains(base), "{e}");
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let text = format!("{:?}", client("http://127.0.0.1:9"));
        assert!(
            !text.contains("secret\"") && !text.contains("password\""),
            "{text}"
        );
        assert!(text.contains("<redacted>"), "{text}");
    }
}

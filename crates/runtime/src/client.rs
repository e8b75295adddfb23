//! The HTTP client transport shared by every generated client: base URL,
//! timeouts, the session token or the service user's credentials, the
//! envelope, and typed errors. JSON endpoints post their request model as
//! JSON; SOAP endpoints (feature `soap`, [`crate::EndpointMeta::soap`]) post
//! a SOAP envelope through [`crate::soap`] and read the reply with it.

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::envelope;
use crate::error::decode_json;
use crate::retry::{Counters, Reauthenticate, RetryPolicy, RetryStats, parse_retry_after};
use crate::{Endpoint, EndpointMeta, Error, ErrorKind, ServiceMeta, ServiceStatus};

/// A reply as it came: HTTP status, `Retry-After`, body.
pub(crate) struct Exchange {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: bytes::Bytes,
}

/// How sending a request failed.
pub(crate) enum SendError {
    /// No connection was established: nothing reached the service.
    Unsent(Error),
    /// The request may have reached the service; no (whole) reply came.
    Lost(Error),
    /// Nothing was sent and sending again cannot help (no token).
    Fatal(Error),
}

/// How much of an unexpected body an error message quotes.
const BODY_SNIPPET: usize = 200;

/// The default of [`ClientBuilder::max_response_bytes`]: 64 MiB, about
/// 85,000 eAPI ListInvoices rows.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Builds a generated client (`C`) with base URL, timeouts, user agent, or
/// an injected `reqwest::Client`.
#[must_use]
pub struct ClientBuilder<C> {
    service: &'static ServiceMeta,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    http: Option<reqwest::Client>,
    service_user: Option<ServiceUser>,
    soap12: Option<bool>,
    retry: RetryPolicy,
    max_response_bytes: usize,
    client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("service", &self.service.name)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("custom_http_client", &self.http.is_some())
            .field("service_user", &self.service_user)
            .field("soap12", &self.soap12)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl<C: From<Transport>> ClientBuilder<C> {
    /// A builder with the service's default base URL, a 30 s request timeout
    /// and a 10 s connect timeout.
    pub fn new(service: &'static ServiceMeta) -> Self {
        Self {
            service,
            base_url: service.default_base_url.to_string(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            user_agent: format!("taxsdk/{} ({})", env!("CARGO_PKG_VERSION"), service.name),
            http: None,
            service_user: None,
            soap12: None,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            client: PhantomData,
        }
    }

    /// Call another host, e.g. a local sandbox: `http://127.0.0.1:8080`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Limit on a whole request, from connecting to the last byte of the reply.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Limit on establishing the connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Use this `reqwest::Client` (its own timeouts and user agent apply; the
    /// builder's are ignored).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The service user's name and password (RS.ge NtosService `su`/`sp`),
    /// for services whose auth is [`AuthScheme::ServiceUser`](crate::AuthScheme::ServiceUser):
    /// the client adds them to every operation that takes them. The password
    /// stays out of `Debug` and error messages.
    pub fn service_user(mut self, user: impl Into<String>, password: SecretString) -> Self {
        self.service_user = Some(ServiceUser {
            user: user.into(),
            password,
        });
        self
    }

    /// Speak SOAP 1.2 (`true`) or SOAP 1.1 (`false`) to a SOAP service
    /// instead of the version its spec names as the default.
    pub fn soap12(mut self, soap12: bool) -> Self {
        self.soap12 = Some(soap12);
        self
    }

    /// When and how calls are repeated (default [`RetryPolicy::default`];
    /// [`RetryPolicy::none`]: one attempt). See [`crate::retry`] for which
    /// calls are repeated at all. `timeout` limits each attempt, the
    /// policy's `total_timeout` the whole call.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest reply body the client reads (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`]); a larger reply ends the attempt with
    /// [`Error::ResponseTooLarge`] without reading the rest, so that a broken
    /// or hostile server cannot make the client allocate without bound.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Build the client. Fails on a base URL that is not absolute http(s).
    pub fn build(self) -> Result<C, Error> {
        let base = self.base_url.trim_end_matches('/').to_string();
        let url = reqwest::Url::parse(&base)
            .map_err(|e| Error::Config(format!("base URL `{base}` is invalid: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(Error::Config(format!(
                "base URL `{base}` must be an absolute http:// or https:// URL"
            )));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        Ok(C::from(Transport {
            inner: Arc::new(Inner {
                service: self.service,
                base_url: base,
                http,
                token: RwLock::new(None),
                service_user: RwLock::new(self.service_user),
                soap12: self
                    .soap12
                    .unwrap_or_else(|| self.service.soap.is_some_and(|s| s.soap12)),
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
                renewer: RwLock::new(None),
                renewing: tokio::sync::Mutex::new(()),
                counters: Counters::default(),
            }),
        }))
    }
}

/// A service user's credentials; the password is redacted in `Debug`.
#[derive(Clone)]
struct ServiceUser {
    user: String,
    // Only SOAP operations send it.
    #[cfg_attr(not(feature = "soap"), allow(dead_code))]
    password: SecretString,
}

impl fmt::Debug for ServiceUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceUser")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The shared state behind a generated client: cheap to clone.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

struct Inner {
    service: &'static ServiceMeta,
    base_url: String,
    http: reqwest::Client,
    token: RwLock<Option<SecretString>>,
    service_user: RwLock<Option<ServiceUser>>,
    /// SOAP 1.2 rather than 1.1, for SOAP services.
    soap12: bool,
    retry: RetryPolicy,
    /// The largest reply body read.
    max_response_bytes: usize,
    /// Logs in again when the session expired, if set up.
    renewer: RwLock<Option<Arc<dyn Reauthenticate>>>,
    /// One task at a time renews an expired session.
    renewing: tokio::sync::Mutex<()>,
    counters: Counters,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("service", &self.inner.service.name)
            .field("base_url", &self.inner.base_url)
            .field("authenticated", &self.is_authenticated())
            .field("service_user", &self.service_user_name())
            .field("renews_sessions", &self.renews_sessions())
            .finish()
    }
}

impl Transport {
    /// The base URL calls go to (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The service this transport talks to.
    pub fn service(&self) -> &'static ServiceMeta {
        self.inner.service
    }

    /// Use `token` for calls that need a session.
    pub fn set_token(&self, token: SecretString) {
        *self.inner.token.write().unwrap_or_else(|e| e.into_inner()) = Some(token);
    }

    /// Forget the session token.
    pub fn clear_token(&self) {
        *self.inner.token.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The session token, e.g. to keep it in a token cache.
    pub fn token(&self) -> Option<SecretString> {
        self.inner
            .token
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether a session token is set.
    pub fn is_authenticated(&self) -> bool {
        self.inner
            .token
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// Use `user` and `password` as the service user's credentials (see
    /// [`ClientBuilder::service_user`]), replacing any set before.
    pub fn set_service_user(&self, user: impl Into<String>, password: SecretString) {
        *self
            .inner
            .service_user
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(ServiceUser {
            user: user.into(),
            password,
        });
    }

    /// Forget the service user's credentials.
    pub fn clear_service_user(&self) {
        *self
            .inner
            .service_user
            .write()
            .unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The service user's name, when credentials are set.
    pub fn service_user_name(&self) -> Option<String> {
        self.inner
            .service_user
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|u| u.user.clone())
    }

    /// Whether SOAP calls speak SOAP 1.2 (else 1.1).
    pub fn is_soap12(&self) -> bool {
        self.inner.soap12
    }

    /// Call endpoint `E` with `request` and decode its reply: a JSON call,
    /// or a SOAP call when `E` is a SOAP operation.
    ///
    /// JSON calls are repeated where safe under the client's
    /// [`RetryPolicy`] (see [`crate::retry`]): reads and keyed writes after
    /// passing failures, a keyed write with one key for all its attempts
    /// (added when the request has none), any call once after its expired
    /// session was renewed. A write whose outcome cannot be known ends in
    /// [`Error::OutcomeUnknown`]. Dropping the future is safe (no state is
    /// left behind); a write dropped after its request left may still
    /// happen. SOAP calls follow the same rules, without keys: reads are
    /// repeated, writes only when nothing can have reached the service.
    pub async fn call<E: Endpoint>(&self, request: &E::Request) -> Result<E::Response, Error> {
        if E::META.soap.is_some() {
            #[cfg(feature = "soap")]
            return self.call_soap::<E>(request).await;
            #[cfg(not(feature = "soap"))]
            return Err(Error::Config(format!(
                "`{}` is a SOAP operation: enable the `soap` feature of taxsdk-runtime",
                E::META.name
            )));
        }
        self.call_with_retries::<E>(request).await
    }

    /// When and how calls are repeated.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// What this client's calls took so far: attempts, polls, renewals.
    pub fn retry_stats(&self) -> RetryStats {
        self.inner.counters.snapshot()
    }

    /// Log in again with `renewer` when the service says the session
    /// expired (then repeat the refused call, once per call); `None`
    /// stops it. Service crates set it up for logins that need no user,
    /// never for a second factor.
    pub fn set_reauthenticator(&self, renewer: Option<Arc<dyn Reauthenticate>>) {
        *self
            .inner
            .renewer
            .write()
            .unwrap_or_else(|e| e.into_inner()) = renewer;
    }

    /// Whether an expired session is renewed automatically.
    pub fn renews_sessions(&self) -> bool {
        self.inner
            .renewer
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    pub(crate) fn reauthenticator(&self) -> Option<Arc<dyn Reauthenticate>> {
        self.inner
            .renewer
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) async fn reauth_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.inner.renewing.lock().await
    }

    pub(crate) fn counters(&self) -> &Counters {
        &self.inner.counters
    }

    /// One HTTP exchange of a JSON endpoint with an encoded `body`: the
    /// reply's status, `Retry-After` and body, or how sending failed.
    pub(crate) async fn send_once(
        &self,
        meta: &EndpointMeta,
        body: Option<bytes::Bytes>,
    ) -> Result<Exchange, SendError> {
        let url = format!("{}{}", self.inner.base_url, meta.path);
        let mut builder = self.inner.http.request(meta.method.to_http(), &url);
        if meta.auth {
            let token = self
                .token()
                .ok_or(SendError::Fatal(Error::NotAuthenticated {
                    endpoint: meta.name,
                }))?;
            let mut value =
                http::HeaderValue::from_str(&format!("Bearer {}", token.expose_secret())).map_err(
                    |_| {
                        SendError::Fatal(Error::Config(
                            "the session token holds characters a header cannot carry".into(),
                        ))
                    },
                )?;
            value.set_sensitive(true);
            builder = builder.header(http::header::AUTHORIZATION, value);
        }
        if let Some(body) = body {
            builder = builder
                .header(
                    http::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(body);
        }
        let transport_error = |e: reqwest::Error| Error::Transport {
            endpoint: meta.name,
            url: url.clone(),
            message: error_chain(&e),
            timeout: e.is_timeout(),
        };
        let response = builder.send().await.map_err(|e| {
            // No connection, so nothing was sent.
            if e.is_connect() {
                SendError::Unsent(transport_error(e))
            } else {
                SendError::Lost(transport_error(e))
            }
        })?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()));
        // A reply too large to read leaves a write's outcome unknown, as a cut one does.
        let body = read_body(response, meta.name, &url, self.inner.max_response_bytes)
            .await
            .map_err(SendError::Lost)?;
        Ok(Exchange {
            status,
            retry_after,
            body,
        })
    }

    /// A SOAP call: the envelope of `request` (with the service user's
    /// credentials added where the operation takes them) posted to the
    /// service's URL, and the reply read into the response model.
    #[cfg(feature = "soap")]
    async fn call_soap<E: Endpoint>(&self, request: &E::Request) -> Result<E::Response, Error> {
        use crate::soap::{EnvelopeWriter, SoapVersion};

        let meta = E::META;
        let (Some(op), Some(binding)) = (meta.soap, self.inner.service.soap) else {
            return Err(Error::Config(format!(
                "`{}` is not an operation of a SOAP service",
                meta.name
            )));
        };
        let version = if self.inner.soap12 {
            SoapVersion::Soap12
        } else {
            SoapVersion::Soap11
        };
        let user = if op.needs_credentials() {
            let user = self
                .inner
                .service_user
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            Some(user.ok_or_else(|| {
                Error::Config(format!(
                    "`{}` needs the service user's credentials: set them with `ClientBuilder::service_user` or `Transport::set_service_user`",
                    meta.name
                ))
            })?)
        } else {
            None
        };
        let encode = |e: crate::soap::SoapError| e.into_error(meta.name, 0);
        let mut writer =
            EnvelopeWriter::request(version, binding.namespace, op.operation).map_err(encode)?;
        writer
            .fields(&WithCredentials {
                value: request,
                op,
                user: user.as_ref().map(|u| u.user.as_str()),
                password: user.as_ref().map(|u| u.password.expose_secret()),
            })
            .map_err(encode)?;
        let body = writer.finish().map_err(encode)?;
        drop(user);

        let soap = SoapRequest {
            url: format!("{}{}", self.inner.base_url, meta.path),
            content_type: version.content_type(op.action),
            action: version.soap_action_header(op.action),
            body: body.into(),
        };
        // Repeated where safe, as JSON calls are (see `crate::retry`).
        self.call_soap_with_retries::<E>(&soap).await
    }

    /// One HTTP exchange of a SOAP call: the reply's status, `Retry-After`
    /// and body, or how sending failed.
    #[cfg(feature = "soap")]
    pub(crate) async fn send_soap_once(
        &self,
        endpoint: &'static str,
        soap: &SoapRequest,
    ) -> Result<Exchange, SendError> {
        let mut builder = self
            .inner
            .http
            .post(&soap.url)
            .header(http::header::CONTENT_TYPE, &soap.content_type);
        if let Some(action) = &soap.action {
            builder = builder.header("SOAPAction", action);
        }
        let transport_error = |e: reqwest::Error| Error::Transport {
            endpoint,
            url: soap.url.clone(),
            message: error_chain(&e),
            timeout: e.is_timeout(),
        };
        let response = builder.body(soap.body.clone()).send().await.map_err(|e| {
            // No connection, so nothing was sent.
            if e.is_connect() {
                SendError::Unsent(transport_error(e))
            } else {
                SendError::Lost(transport_error(e))
            }
        })?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()));
        let body = read_body(response, endpoint, &soap.url, self.inner.max_response_bytes)
            .await
            .map_err(SendError::Lost)?;
        Ok(Exchange {
            status,
            retry_after,
            body,
        })
    }
}

/// A SOAP request ready to send, as often as needed: every attempt sends
/// the same bytes. The envelope holds the service user's password: it is
/// never logged or quoted in errors.
#[cfg(feature = "soap")]
pub(crate) struct SoapRequest {
    pub(crate) url: String,
    pub(crate) content_type: String,
    /// The `SOAPAction` header (SOAP 1.1).
    pub(crate) action: Option<String>,
    pub(crate) body: bytes::Bytes,
}

/// Decode a SOAP reply of endpoint `E` (HTTP status and body) the way the
/// client does: a fault becomes [`Error::Fault`], a body that is not SOAP
/// [`Error::Http`] (error status) or [`Error::Decode`], and a reply is read
/// into the response model, errors naming the element (and, in a
/// `DataTable`, the row and column) and the value.
#[cfg(feature = "soap")]
pub fn decode_soap_reply<E: Endpoint>(status: u16, body: &[u8]) -> Result<E::Response, Error> {
    let meta = E::META;
    let operation = meta.soap.map_or(meta.name, |op| op.operation);
    let reader = crate::soap::BodyReader::reply(body, operation)
        .map_err(|e| e.into_error(meta.name, status))?;
    if !(200..300).contains(&status) {
        // A reply, but with an error status: not what .asmx services do.
        return Err(Error::Http {
            endpoint: meta.name,
            status,
            body: snippet(body),
        });
    }
    E::read_soap_reply(reader).map_err(|e| e.into_error(meta.name, status))
}

/// A request model with the service user's credentials added as the
/// parameters the operation names, at their place in the parameter order.
#[cfg(feature = "soap")]
struct WithCredentials<'a, T: ?Sized> {
    value: &'a T,
    op: crate::meta::SoapOperation,
    user: Option<&'a str>,
    password: Option<&'a str>,
}

#[cfg(feature = "soap")]
impl<T: serde::Serialize + ?Sized> serde::Serialize for WithCredentials<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut pending = Vec::with_capacity(2);
        for (param, value) in [
            (self.op.user_param, self.user),
            (self.op.password_param, self.password),
        ] {
            if let (Some(param), Some(value)) = (param, value) {
                let at = self.op.params.iter().position(|p| *p == param);
                pending.push((at.unwrap_or(usize::MAX), param, value));
            }
        }
        pending.sort_by_key(|(at, ..)| *at);
        self.value.serialize(inject::Injecting {
            inner: serializer,
            params: self.op.params,
            pending,
        })
    }
}

/// A serializer that forwards everything to the inner one and, in the
/// top-level struct (or map), writes pending `(position, name, value)`
/// parameters before the first field that comes after them in `params`
/// (and the rest at the end).
#[cfg(feature = "soap")]
mod inject {
    use serde::Serialize;
    use serde::ser::{SerializeMap, SerializeStruct, Serializer};

    pub(super) type Pending<'a> = Vec<(usize, &'static str, &'a str)>;

    pub(super) struct Injecting<'a, S> {
        pub(super) inner: S,
        pub(super) params: &'static [&'static str],
        pub(super) pending: Pending<'a>,
    }

    /// Writes the pending parameters placed before `key` (all with `None`).
    fn flush<E>(
        pending: &mut Pending<'_>,
        params: &[&str],
        key: Option<&str>,
        mut write: impl FnMut(&'static str, &str) -> Result<(), E>,
    ) -> Result<(), E> {
        let limit = match key {
            Some(key) => params.iter().position(|p| *p == key).unwrap_or(usize::MAX),
            None => usize::MAX,
        };
        while let Some(&(at, name, value)) = pending.first() {
            if key.is_some() && at >= limit {
                break;
            }
            write(name, value)?;
            pending.remove(0);
        }
        Ok(())
    }

    pub(super) struct Struct<'a, S> {
        inner: S,
        params: &'static [&'static str],
        pending: Pending<'a>,
    }

    impl<S: SerializeStruct> SerializeStruct for Struct<'_, S> {
        type Ok = S::Ok;
        type Error = S::Error;

        fn serialize_field<T: Serialize + ?Sized>(
            &mut self,
            key: &'static str,
            value: &T,
        ) -> Result<(), S::Error> {
            let inner = &mut self.inner;
            flush(&mut self.pending, self.params, Some(key), |n, v| {
                inner.serialize_field(n, v)
            })?;
            self.inner.serialize_field(key, value)
        }

        fn skip_field(&mut self, key: &'static str) -> Result<(), S::Error> {
            let inner = &mut self.inner;
            flush(&mut self.pending, self.params, Some(key), |n, v| {
                inner.serialize_field(n, v)
            })?;
            self.inner.skip_field(key)
        }

        fn end(mut self) -> Result<S::Ok, S::Error> {
            let inner = &mut self.inner;
            flush(&mut self.pending, self.params, None, |n, v| {
                inner.serialize_field(n, v)
            })?;
            self.inner.end()
        }
    }

    pub(super) struct Map<'a, S> {
        inner: S,
        params: &'static [&'static str],
        pending: Pending<'a>,
    }

    impl<S: SerializeMap> SerializeMap for Map<'_, S> {
        type Ok = S::Ok;
        type Error = S::Error;

        fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), S::Error> {
            self.inner.serialize_key(key)
        }

        fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), S::Error> {
            self.inner.serialize_value(value)
        }

        fn end(mut self) -> Result<S::Ok, S::Error> {
            let inner = &mut self.inner;
            flush(&mut self.pending, self.params, None, |n, v| {
                inner.serialize_entry(n, v)
            })?;
            self.inner.end()
        }
    }

    macro_rules! forward {
        ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
            fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
                self.inner.$method($($arg),*)
            }
        )*};
    }

    impl<'a, S: Serializer> Serializer for Injecting<'a, S> {
        type Ok = S::Ok;
        type Error = S::Error;
        type SerializeSeq = S::SerializeSeq;
        type SerializeTuple = S::SerializeTuple;
        type SerializeTupleStruct = S::SerializeTupleStruct;
        type SerializeTupleVariant = S::SerializeTupleVariant;
        type SerializeMap = Map<'a, S::SerializeMap>;
        type SerializeStruct = Struct<'a, S::SerializeStruct>;
        type SerializeStructVariant = S::SerializeStructVariant;

        forward! {
            serialize_bool(v: bool);
            serialize_i8(v: i8);
            serialize_i16(v: i16);
            serialize_i32(v: i32);
            serialize_i64(v: i64);
            serialize_i128(v: i128);
            serialize_u8(v: u8);
            serialize_u16(v: u16);
            serialize_u32(v: u32);
            serialize_u64(v: u64);
            serialize_u128(v: u128);
            serialize_f32(v: f32);
            serialize_f64(v: f64);
            serialize_char(v: char);
            serialize_str(v: &str);
            serialize_bytes(v: &[u8]);
            serialize_none();
            serialize_unit();
            serialize_unit_struct(name: &'static str);
            serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
        }

        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
            value.serialize(self)
        }

        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _name: &'static str,
            value: &T,
        ) -> Result<S::Ok, S::Error> {
            value.serialize(self)
        }

        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            name: &'static str,
            index: u32,
            variant: &'static str,
            value: &T,
        ) -> Result<S::Ok, S::Error> {
            self.inner
                .serialize_newtype_variant(name, index, variant, value)
        }

        fn serialize_seq(self, len: Option<usize>) -> Result<S::SerializeSeq, S::Error> {
            self.inner.serialize_seq(len)
        }

        fn serialize_tuple(self, len: usize) -> Result<S::SerializeTuple, S::Error> {
            self.inner.serialize_tuple(len)
        }

        fn serialize_tuple_struct(
            self,
            name: &'static str,
            len: usize,
        ) -> Result<S::SerializeTupleStruct, S::Error> {
            self.inner.serialize_tuple_struct(name, len)
        }

        fn serialize_tuple_variant(
            self,
            name: &'static str,
            index: u32,
            variant: &'static str,
            len: usize,
        ) -> Result<S::SerializeTupleVariant, S::Error> {
            self.inner
                .serialize_tuple_variant(name, index, variant, len)
        }

        fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
            let extra = self.pending.len();
            Ok(Map {
                inner: self.inner.serialize_map(len.map(|n| n + extra))?,
                params: self.params,
                pending: self.pending,
            })
        }

        fn serialize_struct(
            self,
            name: &'static str,
            len: usize,
        ) -> Result<Self::SerializeStruct, S::Error> {
            let extra = self.pending.len();
            Ok(Struct {
                inner: self.inner.serialize_struct(name, len + extra)?,
                params: self.params,
                pending: self.pending,
            })
        }

        fn serialize_struct_variant(
            self,
            name: &'static str,
            index: u32,
            variant: &'static str,
            len: usize,
        ) -> Result<S::SerializeStructVariant, S::Error> {
            self.inner
                .serialize_struct_variant(name, index, variant, len)
        }

        fn is_human_readable(&self) -> bool {
            self.inner.is_human_readable()
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn flush_keeps_parameter_order() {
            let params = ["user_id", "id", "su", "sp", "invois_id"];
            let mut pending: Pending<'_> = vec![(2, "su", "u"), (3, "sp", "p")];
            let mut out = Vec::new();
            flush::<()>(&mut pending, &params, Some("id"), |n, _| {
                out.push(n);
                Ok(())
            })
            .unwrap();
            assert!(out.is_empty());
            flush::<()>(&mut pending, &params, Some("invois_id"), |n, _| {
                out.push(n);
                Ok(())
            })
            .unwrap();
            assert_eq!(out, ["su", "sp"]);
            assert!(pending.is_empty());
        }
    }
}

/// Decode a reply of endpoint `E` (HTTP status and body) the way the client
/// does: the envelope's status first, then the payload into the typed model.
pub fn decode_reply<E: Endpoint>(
    service: &ServiceMeta,
    status: u16,
    body: &[u8],
) -> Result<E::Response, Error> {
    let meta = E::META;
    let ok = (200..300).contains(&status);
    let http_error = || Error::Http {
        endpoint: meta.name,
        status,
        body: snippet(body),
    };
    let Ok(text) = simdutf8::basic::from_utf8(body) else {
        return Err(if ok {
            Error::Decode {
                endpoint: meta.name,
                path: ".".into(),
                message: "the reply is not UTF-8 text".into(),
            }
        } else {
            http_error()
        });
    };
    let Some(shape) = &service.envelope else {
        if !ok {
            return Err(http_error());
        }
        return decode_json(meta.name, text);
    };
    if ok && meta.has_response {
        // Fast path for the common case; anything unusual is explained below.
        if let Some(data) = envelope::decode_success::<E::Response>(shape, text) {
            return Ok(data);
        }
    }
    let reply = match envelope::split(shape, text) {
        Ok(reply) => reply,
        Err(e) if ok => {
            return Err(Error::Decode {
                endpoint: meta.name,
                path: ".".into(),
                message: e.to_string(),
            });
        }
        Err(_) => return Err(http_error()),
    };
    let Some(code) = reply.code else {
        if ok {
            return Err(Error::Decode {
                endpoint: meta.name,
                path: shape.status.into(),
                message: format!("the reply has no `{}` status object", shape.status),
            });
        }
        return Err(http_error());
    };
    if code != shape.success {
        let documented = service.error(code);
        let meaning = documented.map(|e| e.meaning);
        let status_value = ServiceStatus::new(code, reply.text, status);
        return Err(match documented.map(|e| e.kind) {
            Some(ErrorKind::Session) => Error::SessionExpired {
                endpoint: meta.name,
                status: status_value,
            },
            Some(ErrorKind::Authentication) => Error::Authentication {
                endpoint: meta.name,
                status: status_value,
                meaning,
            },
            None if status == 401 => Error::Authentication {
                endpoint: meta.name,
                status: status_value,
                meaning,
            },
            _ => Error::Service {
                endpoint: meta.name,
                status: status_value,
                meaning,
            },
        });
    }
    if !ok {
        return Err(http_error());
    }
    if !meta.has_response {
        return decode_json(meta.name, "{}");
    }
    let Some(data) = reply.data else {
        return Err(Error::Decode {
            endpoint: meta.name,
            path: shape.data.into(),
            message: format!("the reply has no `{}`", shape.data),
        });
    };
    decode_json(meta.name, data.get()).map_err(|e| match e {
        Error::Decode {
            endpoint,
            path,
            message,
        } => Error::Decode {
            endpoint,
            path: if path == "." {
                shape.data.to_string()
            } else {
                format!("{}.{path}", shape.data)
            },
            message,
        },
        other => other,
    })
}

/// Read a reply's body, at most `limit` bytes: a larger one (by its
/// `Content-Length` or as it arrives) is [`Error::ResponseTooLarge`] and
/// is not read further. Public for clients with their own envelope (the
/// IRP's) that send through reqwest themselves.
pub async fn read_body(
    mut response: reqwest::Response,
    endpoint: &'static str,
    url: &str,
    limit: usize,
) -> Result<bytes::Bytes, Error> {
    let too_large = || Error::ResponseTooLarge {
        endpoint,
        url: url.to_owned(),
        limit,
    };
    let declared = response.content_length();
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let transport_error = |e: reqwest::Error| Error::Transport {
        endpoint,
        url: url.to_owned(),
        message: error_chain(&e),
        timeout: e.is_timeout(),
    };
    // A reply usually comes in one chunk: keep it without copying.
    let mut body = bytes::Bytes::new();
    let mut joined: Option<bytes::BytesMut> = None;
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        let read = joined.as_ref().map_or(body.len(), |b| b.len());
        if chunk.len() > limit - read {
            return Err(too_large());
        }
        match &mut joined {
            Some(joined) => joined.extend_from_slice(&chunk),
            None if body.is_empty() => body = chunk,
            None => {
                let expected = declared.map_or(0, |n| n as usize);
                let mut buffer = bytes::BytesMut::with_capacity(expected.max(read + chunk.len()));
                buffer.extend_from_slice(&body);
                buffer.extend_from_slice(&chunk);
                joined = Some(buffer);
            }
        }
    }
    Ok(joined.map_or(body, bytes::BytesMut::freeze))
}

/// The error and its sources in one line (reqwest hides the useful part in
/// the source chain).
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The start of a body as one line of text, for error messages.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(BODY_SNIPPET)
        .collect();
    let text = text.trim();
    if text.is_empty() {
        "(empty body)".into()
    } else {
        text.to_string()
    }
}

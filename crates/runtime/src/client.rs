//! The HTTP client transport shared by every generated JSON client: base
//! URL, timeouts, the session token, the envelope, and typed errors.

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::envelope;
use crate::error::decode_json;
use crate::{Endpoint, Error, ErrorKind, ServiceMeta, ServiceStatus};

/// How much of an unexpected body an error message quotes.
const BODY_SNIPPET: usize = 200;

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
            }),
        }))
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
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("service", &self.inner.service.name)
            .field("base_url", &self.inner.base_url)
            .field("authenticated", &self.is_authenticated())
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

    /// Call endpoint `E` with `request` and decode its reply.
    pub async fn call<E: Endpoint>(&self, request: &E::Request) -> Result<E::Response, Error> {
        let meta = E::META;
        let url = format!("{}{}", self.inner.base_url, meta.path);
        let mut builder = self.inner.http.request(meta.method.to_http(), &url);
        if meta.auth {
            let token = self.token().ok_or(Error::NotAuthenticated {
                endpoint: meta.name,
            })?;
            let mut value = http::HeaderValue::from_str(&format!(
                "Bearer {}",
                token.expose_secret()
            ))
            .map_err(|_| {
                Error::Config("the session token holds characters a header cannot carry".into())
            })?;
            value.set_sensitive(true);
            builder = builder.header(http::header::AUTHORIZATION, value);
        }
        if meta.has_request {
            let body = serde_json::to_vec(request).map_err(|e| Error::Encode {
                endpoint: meta.name,
                message: e.to_string(),
            })?;
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
        let response = builder.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(transport_error)?;
        decode_reply::<E>(self.inner.service, status, &body)
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

/// The error and its sources in one line (reqwest hides the useful part in
/// the source chain).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn snippet(body: &[u8]) -> String {
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

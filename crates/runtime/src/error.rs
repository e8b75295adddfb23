//! The error model shared by every generated client.

use std::fmt;

/// A status the service answered (or a server implementation answers):
/// its code, its text and the HTTP status it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceStatus {
    /// The service's status code (e.g. eAPI `STATUS.ID`).
    pub code: i64,
    /// The service's own text for it.
    pub text: String,
    /// The HTTP status of the reply.
    pub http_status: u16,
}

impl ServiceStatus {
    /// A status with its HTTP status.
    pub fn new(code: i64, text: impl Into<String>, http_status: u16) -> Self {
        Self {
            code,
            text: text.into(),
            http_status,
        }
    }
}

impl fmt::Display for ServiceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "status {}: {}", self.code, self.text)
    }
}

/// Everything a call can fail with.
///
/// Display shows what failed and why in one line, with the service's own
/// code and text for service errors. Secrets never appear in it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request did not get an HTTP reply: connection refused or reset,
    /// DNS, TLS, or the timeout.
    #[error("{endpoint}: no reply from {url}: {message}")]
    Transport {
        /// Spec name of the endpoint.
        endpoint: &'static str,
        /// The URL called.
        url: String,
        /// What went wrong.
        message: String,
        /// Whether it was the client's timeout.
        timeout: bool,
    },
    /// An HTTP error status without a service envelope in the body (e.g. a
    /// gateway's HTML page).
    #[error("{endpoint}: HTTP {status} without a service reply: {body}")]
    Http {
        /// Spec name of the endpoint.
        endpoint: &'static str,
        /// HTTP status.
        status: u16,
        /// The start of the body, for diagnosis.
        body: String,
    },
    /// The service answered with a non-success status code.
    #[error("{endpoint}: service error {}: {}{}", status.code, status.text, meaning.map(|m| format!(" ({m})")).unwrap_or_default())]
    Service {
        /// Spec name of the endpoint.
        endpoint: &'static str,
        /// Code, text and HTTP status.
        status: ServiceStatus,
        /// What the spec says the code means, when it lists it.
        meaning: Option<&'static str>,
    },
    /// The service refused the credentials, the PIN or the caller's rights
    /// (a code the spec marks `authentication`, or any status with HTTP 401
    /// that the spec does not list).
    #[error("{endpoint}: authentication failed {}: {}{}", status.code, status.text, meaning.map(|m| format!(" ({m})")).unwrap_or_default())]
    Authentication {
        /// Spec name of the endpoint.
        endpoint: &'static str,
        /// Code, text and HTTP status.
        status: ServiceStatus,
        /// What the spec says the code means, when it lists it.
        meaning: Option<&'static str>,
    },
    /// The session token is missing, unknown or expired (a code the spec
    /// marks `session`): log in again.
    #[error("{endpoint}: the session is not valid (expired or signed out) {}: {}", status.code, status.text)]
    SessionExpired {
        /// Spec name of the endpoint.
        endpoint: &'static str,
        /// Code, text and HTTP status.
        status: ServiceStatus,
    },
    /// A SOAP service answered a fault: an exception on the server (SOAP
    /// services report business failures as results, not as faults).
    #[error("{endpoint}: SOAP fault {code}: {message}")]
    Fault {
        /// Spec name of the endpoint.
        endpoint: &'static str,
        /// `faultcode` (SOAP 1.1) or `Code/Value` (SOAP 1.2), e.g. `soap:Server`.
        code: String,
        /// `faultstring` (SOAP 1.1) or the first `Reason/Text` (SOAP 1.2).
        message: String,
        /// HTTP status of the reply (500 from .asmx services).
        http_status: u16,
    },
    /// The reply could not be read into the typed model.
    #[error("{endpoint}: cannot decode the reply at `{path}`: {message}")]
    Decode {
        /// Spec name of the endpoint.
        endpoint: &'static str,
        /// JSON path of the offending value (`.` for the whole body).
        path: String,
        /// What was wrong, with the offending value.
        message: String,
    },
    /// The reply's body was larger than the client's limit
    /// (`ClientBuilder::max_response_bytes`) and was not read further. For a
    /// write, the retry layer reports it as [`Error::OutcomeUnknown`]: the
    /// service answered, but its answer was not read.
    #[error(
        "{endpoint}: the reply from {url} is larger than the client's limit of {limit} bytes (raise it with `ClientBuilder::max_response_bytes`)"
    )]
    ResponseTooLarge {
        /// Spec name of the endpoint.
        endpoint: &'static str,
        /// The URL called.
        url: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// The request could not be encoded.
    #[error("{endpoint}: cannot encode the request: {message}")]
    Encode {
        /// Spec name of the endpoint.
        endpoint: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The endpoint needs a session token and the client has none.
    #[error("{endpoint} needs a session: log in first")]
    NotAuthenticated {
        /// Spec name of the endpoint.
        endpoint: &'static str,
    },
    /// The client was configured wrongly (e.g. an invalid base URL).
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// A write that may or may not have taken effect: an attempt's request
    /// left and no answer says what became of it (the connection broke,
    /// a timeout, an HTTP 5xx without the service's own answer, an
    /// unreadable reply, a call still running when the client stopped
    /// waiting). Ask the service before doing it
    /// again, by `idempotency_key` where there is one (eAPI:
    /// GetTransactionResult with the TransactionId), or repeat it with the
    /// same key, which cannot do it twice.
    #[error("{endpoint}: outcome unknown after {attempts} attempt(s), it may have taken effect{}: {source}", idempotency_key.as_ref().map(|k| format!(" (idempotency key `{k}`)")).unwrap_or_default())]
    OutcomeUnknown {
        /// Spec name of the endpoint.
        endpoint: &'static str,
        /// The key the attempts carried, when the write had one.
        idempotency_key: Option<String>,
        /// Attempts made.
        attempts: u32,
        /// The last attempt's error.
        source: Box<Error>,
    },
}

impl Error {
    /// The service status, for [`Error::Service`], [`Error::Authentication`]
    /// and [`Error::SessionExpired`].
    pub fn service_status(&self) -> Option<&ServiceStatus> {
        match self {
            Error::Service { status, .. }
            | Error::Authentication { status, .. }
            | Error::SessionExpired { status, .. } => Some(status),
            _ => None,
        }
    }

    /// The service's status code, when the service answered one.
    pub fn service_code(&self) -> Option<i64> {
        self.service_status().map(|s| s.code)
    }

    /// Whether the failed call may still have taken effect
    /// ([`Error::OutcomeUnknown`]). Every other error of a write means it
    /// did not; reads have no effect either way.
    pub fn may_have_taken_effect(&self) -> bool {
        matches!(self, Error::OutcomeUnknown { .. })
    }

    /// The idempotency key of a write whose outcome is unknown, to ask
    /// the service about it later.
    pub fn idempotency_key(&self) -> Option<&str> {
        match self {
            Error::OutcomeUnknown {
                idempotency_key, ..
            } => idempotency_key.as_deref(),
            _ => None,
        }
    }
}

/// Decode JSON into `T`; on failure, the JSON path of the offending value
/// (`.` for the whole text) and what was wrong with it.
///
/// Path tracking costs time on every value, so the first attempt runs
/// without it; only a failing input is decoded again to find the path.
/// Shared by the client (replies) and the server (requests).
#[cfg(any(feature = "client", feature = "server"))]
pub(crate) fn decode_json_at<'a, T: serde::Deserialize<'a>>(
    text: &'a str,
) -> Result<T, (String, String)> {
    if let Ok(value) = serde_json::from_str(text) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    match result {
        Err(err) => {
            let path = err.path().to_string();
            Err((path, err.into_inner().to_string()))
        }
        Ok(_) => match deserializer.end() {
            Err(e) => Err((".".into(), e.to_string())),
            Ok(()) => Err((
                ".".into(),
                "the text decodes only on a second attempt".into(),
            )),
        },
    }
}

/// [`decode_json_at`] for a reply of `endpoint`, as an [`Error::Decode`].
#[cfg(feature = "client")]
pub(crate) fn decode_json<'a, T: serde::Deserialize<'a>>(
    endpoint: &'static str,
    text: &'a str,
) -> Result<T, Error> {
    decode_json_at(text).map_err(|(path, message)| Error::Decode {
        endpoint,
        path,
        message,
    })
}

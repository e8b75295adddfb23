//! Retries that never duplicate a write (feature `client`): which calls may
//! be repeated, how long to wait between attempts, idempotency keys, "still
//! processing" answers, and session renewal.
//!
//! Every call of a generated client runs through this module: one logical
//! call (`client.save_invoice(..)`) may take several HTTP attempts, under a
//! [`RetryPolicy`] set with `ClientBuilder::retry_policy` (default
//! [`RetryPolicy::default`]; [`RetryPolicy::none`] makes one attempt).
//!
//! # Which calls are repeated
//!
//! [`RetryPolicy::safety`] sorts every endpoint from its generated
//! description ([`EndpointMeta`]), first match wins:
//!
//! 1. names given to [`RetryPolicy::treat_as_write`] are [`Safety::Write`],
//!    names given to [`RetryPolicy::treat_as_read`] are [`Safety::Read`]
//!    (spec names, or for SOAP also operation names such as `chek`);
//! 2. an endpoint with an idempotency key (`idempotency_key` in the spec,
//!    e.g. the eAPI's `TransactionId`) is [`Safety::Keyed`];
//! 3. a `GET`, or an endpoint whose spec name starts with `Get` or `List`
//!    followed by a capital (`get_` / `list_` in snake case), is
//!    [`Safety::Read`]: the specs of this workspace name their reads that way
//!    and nothing else that way (the metadata has no read-only flag yet);
//!    so is a SOAP operation whose first word is a read verb (`get`,
//!    `list`, `chek`, `check`, `find`, `search`, `print`, `what`:
//!    `get_invoice`, `chek`, `print_invoices`, `what_is_my_ip`);
//! 4. everything else is [`Safety::Write`].
//!
//! A keyed request that carries no key gets a fresh random one (a UUID)
//! once per logical call, and every attempt sends the same bytes: the
//! service answers a repeat with the first call's reply instead of doing
//! the work again. A service may honour the key only for some requests
//! ([`KeyProtocol::applies`]; the eAPI ignores it when ActivateInvoice names
//! a saved document): such a call is a [`Safety::Write`].
//!
//! | what went wrong | read | keyed | write |
//! |---|---|---|---|
//! | connection not established (nothing was sent) | retry | retry | retry |
//! | HTTP 429 (refused before any work) | retry | retry | retry |
//! | reset or timeout after sending, HTTP 5xx, a reply that is not JSON or cut short | retry | retry | never |
//! | the service's own error status with HTTP 5xx (eAPI -1: failed, try later) | retry | retry | final |
//! | the key's first call still runs (e.g. eAPI -7) | - | poll its result | - |
//! | session expired (a code the spec marks `session`) | renew once, retry | renew once, retry | renew once, retry |
//! | any other answer of the service | final | final | final |
//!
//! # SOAP operations
//!
//! SOAP calls (feature `soap`, e.g. RS.ge NtosService) follow the same
//! rules. They have no idempotency keys, "still processing" answers or
//! sessions (the service user's credentials travel with every call), so a
//! SOAP write is a [`Safety::Write`]: repeated only when nothing was sent
//! or on HTTP 429, and after an attempt of unknown outcome it ends in
//! [`Error::OutcomeUnknown`]; finding out is the caller's (or the service
//! crate's) business. A `soap:Server` fault (SOAP 1.2 `Receiver`), a
//! server exception, counts as an HTTP 5xx: a read is repeated, a write's
//! outcome is unknown. A `soap:Client` (`Sender`) fault says the request
//! was wrong and is final. A reply that is not a whole SOAP envelope (an
//! HTML page, a body cut short) counts as a lost reply; a whole envelope
//! whose values cannot be read, or a reply larger than the client reads
//! (`Error::ResponseTooLarge`), is final for a read and of unknown outcome
//! for a write.
//!
//! # What an error says about a write
//!
//! When a call that is not a read ends in an error after an attempt whose
//! outcome the client cannot know (the connection broke after the request
//! left, a timeout, an HTTP 5xx without the service's own answer, an
//! unreadable reply, a call still running), the error is
//! [`Error::OutcomeUnknown`]: the write may or may
//! not have happened, and its idempotency key (if any) is the handle to
//! find out later (the eAPI's GetTransactionResult). Any other error of a
//! write means that it did not take effect. Errors of reads are returned
//! as they are (the last attempt's).
//!
//! # Waiting
//!
//! Attempt `n` (from 1) waits `initial_backoff x 2^(n-1)`, at most
//! `max_backoff`, with "equal jitter" (a random point in the upper half),
//! or longer if the reply's `Retry-After` (seconds or an HTTP date) says
//! so; a `Retry-After` beyond `max_retry_after` ends the call instead of
//! retrying early. No attempt starts and no wait begins that would end
//! past `total_timeout`, which also bounds the attempt in progress.
//!
//! # Cancellation
//!
//! The futures hold no lock across an await (except the short one that
//! lets one task renew an expired session for all) and leave the client
//! as it was when dropped. Dropping a write after its request left leaves
//! its outcome unknown, as with any network failure: give it your own
//! idempotency key to be able to ask.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::client::{SendError, Transport, decode_reply};
#[cfg(feature = "soap")]
use crate::client::{SoapRequest, decode_soap_reply};
use crate::{Endpoint, EndpointMeta, Error, Method};

/// How an endpoint may be repeated; see the [module](self) docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Safety {
    /// Repeating it changes nothing: retried after any passing failure.
    Read,
    /// A write with an idempotency key the service honours: retried with
    /// the same key.
    Keyed,
    /// A write without a (honoured) key: repeated only when the request
    /// cannot have reached the service.
    Write,
}

/// What a service does with idempotency keys beyond "the same key gets
/// the same reply": how it says that the key's first call is still
/// running, and where to ask for that call's result.
///
/// Generic clients do not know it (the spec does not describe it yet); a
/// service crate provides it, e.g. `rsge_eapi::retry_policy()`. Without
/// it, a keyed call that meets an error after an attempt of unknown
/// outcome ends in [`Error::OutcomeUnknown`] rather than guessing what the
/// error means.
#[derive(Debug, Clone, Copy)]
pub struct KeyProtocol {
    /// The status code meaning "a call with this key is still running"
    /// (eAPI: -7).
    pub in_progress_code: i64,
    /// The status code of the result endpoint meaning "no call with this
    /// key is known" (eAPI: -6): the first call failed (and was
    /// forgotten) or never arrived, so the request is sent again.
    pub unknown_code: Option<i64>,
    /// The endpoint that answers the stored reply of a key (eAPI:
    /// GetTransactionResult); its reply's payload must decode as the
    /// original endpoint's reply.
    pub result: EndpointMeta,
    /// The field of the result endpoint's request that carries the key.
    pub result_key_field: &'static str,
    /// Whether the service honours the key for this request (given the
    /// request as encoded JSON); when not, the call is a [`Safety::Write`].
    pub applies: fn(&EndpointMeta, &[u8]) -> bool,
}

/// When and how often a call is repeated; see the [module](self) docs.
///
/// ```
/// use std::time::Duration;
/// use taxsdk_runtime::retry::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .max_attempts(6)
///     .backoff(Duration::from_millis(100), Duration::from_secs(2))
///     .total_timeout(Some(Duration::from_secs(30)));
/// assert_eq!(patient.attempts(), 6);
/// assert_eq!(RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    total_timeout: Option<Duration>,
    max_retry_after: Duration,
    jitter: bool,
    poll_interval: Duration,
    in_progress_timeout: Duration,
    key_protocol: Option<KeyProtocol>,
    reads: Vec<&'static str>,
    writes: Vec<&'static str>,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff from 200 ms to 5 s with jitter, 60 s for the
    /// whole call, `Retry-After` up to 30 s, polls every 500 ms (growing to
    /// 5 s) for up to 30 s.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            total_timeout: Some(Duration::from_secs(60)),
            max_retry_after: Duration::from_secs(30),
            jitter: true,
            poll_interval: Duration::from_millis(500),
            in_progress_timeout: Duration::from_secs(30),
            key_protocol: None,
            reads: Vec::new(),
            writes: Vec::new(),
        }
    }
}

impl RetryPolicy {
    /// One attempt per call, no polling. Keys are still added to keyed
    /// requests (so that an [`Error::OutcomeUnknown`] names one to ask
    /// about) and an expired session is still renewed where set up.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            in_progress_timeout: Duration::ZERO,
            ..Self::default()
        }
    }

    /// Attempts per call, the first included (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry and the most any wait grows to.
    #[must_use]
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Limit on a whole call, its retries, waits and polls included
    /// (`None`: only the attempt count limits it).
    #[must_use]
    pub fn total_timeout(mut self, limit: Option<Duration>) -> Self {
        self.total_timeout = limit;
        self
    }

    /// The longest `Retry-After` the client waits for; a longer one ends
    /// the call with the error.
    #[must_use]
    pub fn max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// Randomise waits (on by default) so that many clients do not retry
    /// in step.
    #[must_use]
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// How often and how long to ask for the result of a call that is
    /// still running ([`KeyProtocol`]); the interval grows by half each
    /// time up to the maximum backoff.
    #[must_use]
    pub fn polling(mut self, interval: Duration, limit: Duration) -> Self {
        self.poll_interval = interval.max(Duration::from_millis(1));
        self.in_progress_timeout = limit;
        self
    }

    /// The service's idempotency protocol.
    #[must_use]
    pub fn key_protocol(mut self, protocol: KeyProtocol) -> Self {
        self.key_protocol = Some(protocol);
        self
    }

    /// Treat these endpoints (spec names) as reads: repeating them is
    /// harmless (e.g. a login, which only opens another session).
    #[must_use]
    pub fn treat_as_read(mut self, names: impl IntoIterator<Item = &'static str>) -> Self {
        self.reads.extend(names);
        self
    }

    /// Treat these endpoints (spec names) as writes without a key: never
    /// repeated once their request may have reached the service.
    #[must_use]
    pub fn treat_as_write(mut self, names: impl IntoIterator<Item = &'static str>) -> Self {
        self.writes.extend(names);
        self
    }

    /// Attempts per call.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The limit on a whole call.
    pub fn call_timeout(&self) -> Option<Duration> {
        self.total_timeout
    }

    /// The service's idempotency protocol, if set.
    pub fn protocol(&self) -> Option<&KeyProtocol> {
        self.key_protocol.as_ref()
    }

    /// How `endpoint` may be repeated (before looking at a request: a key
    /// the service does not honour for a given request makes that call a
    /// write).
    pub fn safety(&self, endpoint: &EndpointMeta) -> Safety {
        let operation = endpoint.soap.map(|op| op.operation);
        // A spec name or, for SOAP, the operation's name (`chek`).
        let listed = |names: &[&'static str]| {
            names.contains(&endpoint.name) || operation.is_some_and(|op| names.contains(&op))
        };
        if listed(&self.writes) {
            Safety::Write
        } else if listed(&self.reads) {
            Safety::Read
        } else if endpoint.idempotency_key.is_some() {
            Safety::Keyed
        } else if endpoint.method == Method::Get
            || named_as_read(endpoint.name)
            || operation.is_some_and(operation_named_as_read)
        {
            Safety::Read
        } else {
            Safety::Write
        }
    }

    /// The wait before retry `retry` (1 for the first retry), without
    /// jitter and `Retry-After`.
    pub fn backoff_for(&self, retry: u32) -> Duration {
        let factor = 1u32 << retry.saturating_sub(1).min(20);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// `GetX`, `ListX`, `get_x`, `list_x`.
fn named_as_read(name: &str) -> bool {
    ["Get", "List"].iter().any(|prefix| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
    }) || ["get_", "list_"].iter().any(|p| name.starts_with(p))
}

/// Verbs that start the name of a read-only SOAP operation (its first
/// snake_case or CamelCase word): `get_invoice`, `chek` (RS.ge's spelling
/// of check), `print_invoices` (print data), `what_is_my_ip`.
const SOAP_READ_VERBS: [&str; 8] = [
    "get", "list", "chek", "check", "find", "search", "print", "what",
];

/// A SOAP operation named as a read: its first word (`get_invoice`,
/// `GetInvoice`) is a [`SOAP_READ_VERBS`] one.
fn operation_named_as_read(operation: &str) -> bool {
    let first = operation.split('_').next().unwrap_or(operation);
    // CamelCase: the word ends before the next capital.
    let end = first
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_ascii_uppercase())
        .map_or(first.len(), |(at, _)| at);
    let verb = &first[..end];
    SOAP_READ_VERBS
        .iter()
        .any(|read| verb.eq_ignore_ascii_case(read))
}

/// A boxed future, as [`Reauthenticate`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Logs in again when the service says the session expired. A service
/// crate implements it for credentials that need no user (e.g. the eAPI's
/// one-step login) and installs it with `Transport::set_reauthenticator`;
/// never for a login that needs a second factor.
pub trait Reauthenticate: Send + Sync {
    /// Get a new session token into `transport` (`Transport::set_token`).
    fn reauthenticate<'a>(&'a self, transport: &'a Transport) -> BoxFuture<'a, Result<(), Error>>;
}

/// Counters of a client's retry machinery, for monitoring and tests.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    calls: AtomicU64,
    attempts: AtomicU64,
    polls: AtomicU64,
    renewals: AtomicU64,
    outcome_unknown: AtomicU64,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> RetryStats {
        RetryStats {
            calls: self.calls.load(Ordering::Relaxed),
            attempts: self.attempts.load(Ordering::Relaxed),
            polls: self.polls.load(Ordering::Relaxed),
            renewals: self.renewals.load(Ordering::Relaxed),
            outcome_unknown: self.outcome_unknown.load(Ordering::Relaxed),
        }
    }
}

/// What a client's calls took so far (`Transport::retry_stats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetryStats {
    /// Logical calls.
    pub calls: u64,
    /// HTTP attempts of those calls (`attempts - calls` are retries).
    pub attempts: u64,
    /// Requests asking for the result of a call still running.
    pub polls: u64,
    /// Sessions renewed after they expired.
    pub renewals: u64,
    /// Calls that ended in [`Error::OutcomeUnknown`].
    pub outcome_unknown: u64,
}

/// Why an attempt failed, as far as repeating it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// The connection was not established: nothing was sent.
    Unsent,
    /// Refused before any work (HTTP 429).
    Throttled,
    /// The request may or may not have been acted upon.
    Ambiguous,
    /// The service answered, in its own envelope, that it failed (HTTP
    /// 5xx): nothing happened, and a repeat may succeed.
    Transient,
    /// The session token was refused.
    Session,
    /// The key's first call is still running.
    InProgress,
    /// The service answered but the reply cannot be read into the model.
    Unreadable,
    /// The service's answer.
    Refused,
    /// Failed before sending (no token, encoding): not repeated.
    Fatal,
}

/// Sort a failed reply (decoded into `error`) whose body was `body`.
fn classify(error: &Error, body: &[u8], in_progress: Option<i64>) -> Failure {
    match error {
        Error::Http { status: 429, .. } => Failure::Throttled,
        Error::Http { status, .. } if *status >= 500 || *status == 408 => Failure::Ambiguous,
        // The service's reply cut short: what it said is unknown.
        Error::Http { .. } if cut_json(body) => Failure::Ambiguous,
        Error::SessionExpired { .. } => Failure::Session,
        Error::Service { status, .. } | Error::Authentication { status, .. } => {
            if Some(status.code) == in_progress {
                Failure::InProgress
            } else if status.http_status == 429 {
                Failure::Throttled
            } else if status.http_status >= 500 {
                Failure::Transient
            } else {
                Failure::Refused
            }
        }
        // A server exception: the work may have been half done.
        Error::Fault { .. } => Failure::Ambiguous,
        Error::Decode { .. } => {
            // Not JSON at all: a proxy's page or a reply cut short.
            if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
                Failure::Unreadable
            } else {
                Failure::Ambiguous
            }
        }
        _ => Failure::Refused,
    }
}

/// Whether `body` starts as JSON but does not parse: a reply cut short
/// (rather than a proxy's page).
fn cut_json(body: &[u8]) -> bool {
    body.trim_ascii_start().starts_with(b"{")
        && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_err()
}

/// Sort a failed SOAP reply (decoded into `error`) whose body was `body`.
#[cfg(feature = "soap")]
fn classify_soap(error: &Error, body: &[u8]) -> Failure {
    match error {
        Error::Http { status: 429, .. } => Failure::Throttled,
        Error::Http { status, .. } if *status >= 500 || *status == 408 => Failure::Ambiguous,
        Error::Fault { code, .. } if fault_blames_client(code) => Failure::Refused,
        // A server exception: the work may have been half done.
        Error::Fault { .. } => Failure::Ambiguous,
        // The service's whole answer, which the model cannot read.
        Error::Decode { .. } if crate::soap::is_whole_envelope(body) => Failure::Unreadable,
        // A proxy's page or a reply cut short.
        Error::Decode { .. } => Failure::Ambiguous,
        _ => Failure::Refused,
    }
}

/// A fault code saying the request was wrong: `soap:Client` or
/// `soap:Client.Something` (SOAP 1.1), `soap:Sender` (SOAP 1.2).
#[cfg(feature = "soap")]
fn fault_blames_client(code: &str) -> bool {
    let local = code.rsplit(':').next().unwrap_or(code).trim();
    let class = local.split('.').next().unwrap_or(local);
    class == "Client" || class == "Sender"
}

/// A request ready to send, as often as needed.
struct Prepared {
    /// Cheap to clone: the same bytes go out on every attempt.
    body: Option<bytes::Bytes>,
    key: Option<String>,
    safety: Safety,
}

fn encode_error(endpoint: &'static str, e: serde_json::Error) -> Error {
    Error::Encode {
        endpoint,
        message: e.to_string(),
    }
}

/// Encode the request once; a keyed one gets its key here.
fn prepare<E: Endpoint>(policy: &RetryPolicy, request: &E::Request) -> Result<Prepared, Error> {
    let meta = E::META;
    let safety = policy.safety(&meta);
    if !meta.has_request {
        return Ok(Prepared {
            body: None,
            key: None,
            safety,
        });
    }
    let (Safety::Keyed, Some(field)) = (safety, meta.idempotency_key) else {
        let body = serde_json::to_vec(request).map_err(|e| encode_error(meta.name, e))?;
        return Ok(Prepared {
            body: Some(body.into()),
            key: None,
            safety,
        });
    };
    let body = serde_json::to_vec(request).map_err(|e| encode_error(meta.name, e))?;
    let honoured = policy
        .key_protocol
        .as_ref()
        .is_none_or(|p| (p.applies)(&meta, &body));
    // A request that is not a JSON object cannot carry a key.
    let slot = match honoured {
        true => find_key(&body, field).ok(),
        false => None,
    };
    let (body, key) = match slot {
        Some(slot) => {
            let (body, key) = ensure_key(body, field, slot);
            (body, Some(key))
        }
        None => (body, None),
    };
    Ok(Prepared {
        body: Some(body.into()),
        safety: if key.is_some() {
            Safety::Keyed
        } else {
            Safety::Write
        },
        key,
    })
}

/// Where an encoded request object stands on its key field.
#[derive(Debug, PartialEq)]
enum KeySlot {
    /// The caller gave a key: this one (trimmed; non-strings as JSON text).
    Given(String),
    /// The object has no such field.
    Absent,
    /// The field is null or blank: its value's bytes, to be replaced.
    Blank(std::ops::Range<usize>),
}

/// Find `field` among the top-level members of the JSON object `body`
/// without building a tree of it (an invoice can be large).
fn find_key(body: &[u8], field: &str) -> Result<KeySlot, serde_json::Error> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
    use serde_json::value::RawValue;

    struct Seek<'f>(&'f str);
    struct IsField<'f>(&'f str);
    impl<'de> DeserializeSeed<'de> for IsField<'_> {
        type Value = bool;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_str(self)
        }
    }
    impl Visitor<'_> for IsField<'_> {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a member name")
        }
        fn visit_str<E>(self, name: &str) -> Result<bool, E> {
            Ok(name == self.0)
        }
    }
    impl<'de> Visitor<'de> for Seek<'_> {
        type Value = Option<&'de RawValue>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(is_field) = map.next_key_seed(IsField(self.0))? {
                if is_field {
                    found = Some(map.next_value::<&'de RawValue>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }

    let mut de = serde_json::Deserializer::from_slice(body);
    let found = de.deserialize_map(Seek(field))?;
    de.end()?;
    let Some(raw) = found else {
        return Ok(KeySlot::Absent);
    };
    let text = raw.get();
    let start = text.as_ptr() as usize - body.as_ptr() as usize;
    let blank = KeySlot::Blank(start..start + text.len());
    Ok(match serde_json::from_str::<Value>(text)? {
        Value::Null => blank,
        Value::String(key) if key.trim().is_empty() => blank,
        Value::String(key) => KeySlot::Given(key.trim().to_string()),
        other => KeySlot::Given(other.to_string()),
    })
}

/// The request with its key in place (a new random UUID where the caller
/// gave none, null or a blank one), and the key.
fn ensure_key(mut body: Vec<u8>, field: &str, slot: KeySlot) -> (Vec<u8>, String) {
    let fresh = || uuid::Uuid::new_v4().to_string();
    match slot {
        KeySlot::Given(key) => (body, key),
        KeySlot::Blank(range) => {
            let key = fresh();
            body.splice(range, format!("\"{key}\"").into_bytes());
            (body, key)
        }
        KeySlot::Absent => {
            let key = fresh();
            // `find_key` saw an object, so the first non-blank byte is `{`.
            let open = body.iter().position(|b| *b == b'{').unwrap_or(0);
            let empty = body[open + 1..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'}');
            let mut member = serde_json::to_vec(field).unwrap_or_default();
            member.push(b':');
            member.extend_from_slice(format!("\"{key}\"").as_bytes());
            if !empty {
                member.push(b',');
            }
            body.splice(open + 1..open + 1, member);
            (body, key)
        }
    }
}

/// Read a `Retry-After` header: delta seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when: SystemTime = chrono::DateTime::parse_from_rfc2822(value).ok()?.into();
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A random number in [0, 1), from the 53 low bits of a v4 UUID (all
/// random), so that jitter needs no RNG dependency of its own.
fn random_unit() -> f64 {
    let bits = uuid::Uuid::new_v4().as_u128() & ((1u128 << 53) - 1);
    bits as f64 / (1u64 << 53) as f64
}

/// The state of one logical call.
struct Run<'p> {
    policy: &'p RetryPolicy,
    endpoint: &'static str,
    safety: Safety,
    key: Option<String>,
    deadline: Option<Instant>,
    attempts: u32,
    maybe_applied: bool,
    renewed: bool,
}

impl Run<'_> {
    /// Time left of the call's budget, if it has one.
    fn left(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    fn out_of_time(&self) -> bool {
        self.left().is_some_and(|left| left.is_zero())
    }

    fn may_retry(&self, failure: Failure) -> bool {
        match failure {
            Failure::Unsent | Failure::Throttled => true,
            Failure::Ambiguous | Failure::Transient => {
                matches!(self.safety, Safety::Read | Safety::Keyed)
            }
            _ => false,
        }
    }

    /// The wait before the next attempt, or `None` when the call should
    /// end instead.
    fn delay(&self, retry_after: Option<Duration>) -> Option<Duration> {
        let base = self.policy.backoff_for(self.attempts);
        let mut wait = if self.policy.jitter {
            base / 2 + (base / 2).mul_f64(random_unit())
        } else {
            base
        };
        if let Some(asked) = retry_after {
            if asked > self.policy.max_retry_after {
                return None;
            }
            wait = wait.max(asked);
        }
        match self.left() {
            Some(left) if wait >= left => None,
            _ => Some(wait),
        }
    }

    /// The error the call ends with, after its last attempt failed with
    /// `failure`.
    fn finish(&self, error: Error, failure: Failure) -> Error {
        if self.safety == Safety::Read {
            return error;
        }
        let unknown = match failure {
            Failure::Ambiguous | Failure::Unreadable | Failure::InProgress => true,
            // A keyed repeat that ran afresh and failed: the service
            // forgets a failed call's key, so the answer is the real one.
            Failure::Refused
                if self.safety == Safety::Keyed
                    && self.policy.key_protocol.is_some()
                    && matches!(error, Error::Service { .. }) =>
            {
                false
            }
            _ => self.maybe_applied,
        };
        if !unknown {
            return error;
        }
        Error::OutcomeUnknown {
            endpoint: self.endpoint,
            idempotency_key: self.key.clone(),
            attempts: self.attempts,
            source: Box::new(error),
        }
    }
}

/// What polling for a key's result came to.
enum Polled<T> {
    /// The first call's reply.
    Done(T),
    /// The service does not know the key: send the request again.
    Unknown(Error),
    /// Still running at the deadline, or an error that ends the call.
    GaveUp(Error),
}

impl Transport {
    /// One logical call of `E`: attempts, waits, polls and renewals as the
    /// client's [`RetryPolicy`] says.
    pub(crate) async fn call_with_retries<E: Endpoint>(
        &self,
        request: &E::Request,
    ) -> Result<E::Response, Error> {
        let meta = E::META;
        let policy = self.retry_policy();
        let counters = self.counters();
        counters.calls.fetch_add(1, Ordering::Relaxed);
        let prepared = prepare::<E>(policy, request)?;
        let mut run = Run {
            policy,
            endpoint: meta.name,
            safety: prepared.safety,
            key: prepared.key.clone(),
            deadline: policy.total_timeout.map(|t| Instant::now() + t),
            attempts: 0,
            maybe_applied: false,
            renewed: false,
        };
        let in_progress = match (run.safety, &policy.key_protocol) {
            (Safety::Keyed, Some(p)) => Some(p.in_progress_code),
            _ => None,
        };
        loop {
            run.attempts += 1;
            counters.attempts.fetch_add(1, Ordering::Relaxed);
            let token_used = if meta.auth { self.token() } else { None };
            let sent = self
                .send_within(&meta, prepared.body.clone(), run.left())
                .await;
            let (error, mut failure, retry_after) = match sent {
                Ok(exchange) => {
                    match decode_reply::<E>(self.service(), exchange.status, &exchange.body) {
                        Ok(value) => return Ok(value),
                        Err(e) => {
                            let failure = classify(&e, &exchange.body, in_progress);
                            (e, failure, exchange.retry_after)
                        }
                    }
                }
                Err(SendError::Unsent(e)) => (e, Failure::Unsent, None),
                Err(SendError::Lost(e)) => (e, Failure::Ambiguous, None),
                Err(SendError::Fatal(e)) => (e, Failure::Fatal, None),
            };
            let mut error = error;
            if failure == Failure::Session && meta.auth && !run.renewed {
                run.renewed = true;
                if self.renew_session(token_used).await {
                    // The refused attempt did nothing; it does not count.
                    run.attempts -= 1;
                    continue;
                }
            }
            if failure == Failure::InProgress {
                run.maybe_applied = true;
                match self.await_result::<E>(&run, error).await {
                    Polled::Done(value) => return Ok(value),
                    Polled::Unknown(e) if run.attempts < policy.max_attempts => {
                        tracing::debug!(
                            endpoint = meta.name,
                            "the service forgot the key's first call: sending it again"
                        );
                        error = e;
                        failure = Failure::Ambiguous;
                    }
                    Polled::Unknown(e) | Polled::GaveUp(e) => {
                        return Err(self.fail(&run, e, Failure::InProgress));
                    }
                }
            }
            if matches!(failure, Failure::Ambiguous | Failure::Unreadable) {
                run.maybe_applied = true;
            }
            if !run.may_retry(failure) || run.attempts >= policy.max_attempts || run.out_of_time() {
                return Err(self.fail(&run, error, failure));
            }
            let Some(wait) = run.delay(retry_after) else {
                return Err(self.fail(&run, error, failure));
            };
            tracing::debug!(
                endpoint = meta.name,
                attempt = run.attempts,
                wait_ms = wait.as_millis() as u64,
                error = %error,
                "retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }

    fn fail(&self, run: &Run<'_>, error: Error, failure: Failure) -> Error {
        let error = run.finish(error, failure);
        if matches!(error, Error::OutcomeUnknown { .. }) {
            self.counters()
                .outcome_unknown
                .fetch_add(1, Ordering::Relaxed);
            tracing::warn!(error = %error, "a write ended with its outcome unknown");
        }
        error
    }

    /// Send once, within `left` of the call's budget.
    async fn send_within(
        &self,
        meta: &EndpointMeta,
        body: Option<bytes::Bytes>,
        left: Option<Duration>,
    ) -> Result<crate::client::Exchange, SendError> {
        let Some(left) = left else {
            return self.send_once(meta, body).await;
        };
        match tokio::time::timeout(left, self.send_once(meta, body)).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Lost(Error::Transport {
                endpoint: meta.name,
                url: format!("{}{}", self.base_url(), meta.path),
                message: "the call's total time limit ran out".into(),
                timeout: true,
            })),
        }
    }

    /// After an expired session: renew it unless another task already did
    /// (the token differs from `used`). Whether the call may go again.
    async fn renew_session(&self, used: Option<SecretString>) -> bool {
        let Some(renewer) = self.reauthenticator() else {
            return false;
        };
        let _turn = self.reauth_turn().await;
        match (self.token(), used) {
            (None, _) => return false,
            (Some(current), Some(used)) if current.expose_secret() != used.expose_secret() => {
                return true;
            }
            (Some(_), None) => return true,
            _ => {}
        }
        match renewer.reauthenticate(self).await {
            Ok(()) => {
                self.counters().renewals.fetch_add(1, Ordering::Relaxed);
                tracing::debug!("session renewed");
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not renew the expired session");
                false
            }
        }
    }

    /// Ask for the result of the key's first call until it is final, the
    /// service forgot it, or time runs out.
    async fn await_result<E: Endpoint>(
        &self,
        run: &Run<'_>,
        mut last: Error,
    ) -> Polled<E::Response> {
        let policy = run.policy;
        let (Some(protocol), Some(key)) = (&policy.key_protocol, &run.key) else {
            return Polled::GaveUp(last);
        };
        let mut request = serde_json::Map::new();
        request.insert(
            protocol.result_key_field.to_string(),
            Value::String(key.clone()),
        );
        let body = match serde_json::to_vec(&Value::Object(request)) {
            Ok(body) => bytes::Bytes::from(body),
            Err(e) => return Polled::GaveUp(encode_error(protocol.result.name, e)),
        };
        let started = Instant::now();
        let mut interval = policy.poll_interval;
        loop {
            let stop = started + policy.in_progress_timeout;
            let stop = run.deadline.map_or(stop, |d| d.min(stop));
            if Instant::now() + interval >= stop {
                return Polled::GaveUp(last);
            }
            tokio::time::sleep(interval).await;
            interval = (interval + interval / 2).min(policy.max_backoff.max(policy.poll_interval));
            self.counters().polls.fetch_add(1, Ordering::Relaxed);
            match self
                .send_within(&protocol.result, Some(body.clone()), run.left())
                .await
            {
                Ok(exchange) => {
                    match decode_reply::<E>(self.service(), exchange.status, &exchange.body) {
                        Ok(value) => return Polled::Done(value),
                        Err(e) => {
                            let code = e.service_code();
                            if code == Some(protocol.in_progress_code) {
                                last = e;
                            } else if code.is_some() && code == protocol.unknown_code {
                                return Polled::Unknown(e);
                            } else if matches!(
                                classify(&e, &exchange.body, None),
                                Failure::Ambiguous | Failure::Transient | Failure::Throttled
                            ) {
                                last = e;
                            } else {
                                return Polled::GaveUp(e);
                            }
                        }
                    }
                }
                Err(SendError::Unsent(e) | SendError::Lost(e)) => last = e,
                Err(SendError::Fatal(e)) => return Polled::GaveUp(e),
            }
        }
    }
}

#[cfg(feature = "soap")]
impl Transport {
    /// One logical SOAP call of `E`: attempts and waits as the client's
    /// [`RetryPolicy`] says; see [SOAP operations](self#soap-operations).
    pub(crate) async fn call_soap_with_retries<E: Endpoint>(
        &self,
        soap: &SoapRequest,
    ) -> Result<E::Response, Error> {
        let meta = E::META;
        let policy = self.retry_policy();
        let counters = self.counters();
        counters.calls.fetch_add(1, Ordering::Relaxed);
        let mut run = Run {
            policy,
            endpoint: meta.name,
            // SOAP requests carry no key the client could reuse.
            safety: match policy.safety(&meta) {
                Safety::Keyed => Safety::Write,
                safety => safety,
            },
            key: None,
            deadline: policy.total_timeout.map(|t| Instant::now() + t),
            attempts: 0,
            maybe_applied: false,
            renewed: false,
        };
        loop {
            run.attempts += 1;
            counters.attempts.fetch_add(1, Ordering::Relaxed);
            let sent = self.send_soap_within(meta.name, soap, run.left()).await;
            let (error, failure, retry_after) = match sent {
                Ok(exchange) => match decode_soap_reply::<E>(exchange.status, &exchange.body) {
                    Ok(value) => return Ok(value),
                    Err(e) => {
                        let failure = classify_soap(&e, &exchange.body);
                        (e, failure, exchange.retry_after)
                    }
                },
                Err(SendError::Unsent(e)) => (e, Failure::Unsent, None),
                // The service answered, more than the client reads: the
                // same again on a repeat.
                Err(SendError::Lost(e @ Error::ResponseTooLarge { .. })) => {
                    (e, Failure::Unreadable, None)
                }
                Err(SendError::Lost(e)) => (e, Failure::Ambiguous, None),
                Err(SendError::Fatal(e)) => (e, Failure::Fatal, None),
            };
            if matches!(failure, Failure::Ambiguous | Failure::Unreadable) {
                run.maybe_applied = true;
            }
            if !run.may_retry(failure) || run.attempts >= policy.max_attempts || run.out_of_time() {
                return Err(self.fail(&run, error, failure));
            }
            let Some(wait) = run.delay(retry_after) else {
                return Err(self.fail(&run, error, failure));
            };
            tracing::debug!(
                endpoint = meta.name,
                attempt = run.attempts,
                wait_ms = wait.as_millis() as u64,
                error = %error,
                "retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Send a SOAP request once, within `left` of the call's budget.
    async fn send_soap_within(
        &self,
        endpoint: &'static str,
        soap: &SoapRequest,
        left: Option<Duration>,
    ) -> Result<crate::client::Exchange, SendError> {
        let Some(left) = left else {
            return self.send_soap_once(endpoint, soap).await;
        };
        match tokio::time::timeout(left, self.send_soap_once(endpoint, soap)).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Lost(Error::Transport {
                endpoint,
                url: soap.url.clone(),
                message: "the call's total time limit ran out".into(),
                timeout: true,
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServiceStatus;

    fn meta(name: &'static str, method: Method, key: Option<&'static str>) -> EndpointMeta {
        EndpointMeta {
            name,
            method,
            path: "/x",
            auth: true,
            idempotency_key: key,
            errors: &[],
            has_request: true,
            has_response: true,
            soap: None,
            params: &[],
        }
    }

    #[test]
    fn the_safety_rule() {
        let policy = RetryPolicy::default();
        let safety = |name, method, key| policy.safety(&meta(name, method, key));
        assert_eq!(
            safety("SaveInvoice", Method::Post, Some("TransactionId")),
            Safety::Keyed
        );
        assert_eq!(safety("GetInvoice", Method::Post, None), Safety::Read);
        assert_eq!(safety("ListInvoices", Method::Post, None), Safety::Read);
        assert_eq!(safety("get_invoices", Method::Post, None), Safety::Read);
        assert_eq!(safety("Anything", Method::Get, None), Safety::Read);
        // Not a read: "Get" must start a word.
        assert_eq!(safety("Getaway", Method::Post, None), Safety::Write);
        assert_eq!(safety("DeleteInvoice", Method::Post, None), Safety::Write);
        assert_eq!(safety("Authenticate", Method::Post, None), Safety::Write);
        let policy = RetryPolicy::default()
            .treat_as_read(["Authenticate"])
            .treat_as_write(["GetSeqNum"]);
        assert_eq!(
            policy.safety(&meta("Authenticate", Method::Post, None)),
            Safety::Read
        );
        assert_eq!(
            policy.safety(&meta("GetSeqNum", Method::Post, None)),
            Safety::Write
        );
    }

    fn soap_meta(name: &'static str, operation: &'static str) -> EndpointMeta {
        EndpointMeta {
            soap: EndpointMeta::soap_operation(operation, "urn:x", &[], Some("su"), Some("sp")),
            params: &[],
            ..meta(name, Method::Post, None)
        }
    }

    #[test]
    fn the_safety_rule_for_soap_operations() {
        let policy = RetryPolicy::default();
        let safety = |name, operation| policy.safety(&soap_meta(name, operation));
        for (name, operation) in [
            ("Chek", "chek"),
            ("GetInvoice", "get_invoice"),
            ("GetMakoreqtirebeli", "get_makoreqtirebeli"),
            ("PrintInvoices", "print_invoices"),
            ("WhatIsMyIp", "what_is_my_ip"),
            ("CheckStatus", "CheckStatus"),
        ] {
            assert_eq!(safety(name, operation), Safety::Read, "{operation}");
        }
        for (name, operation) in [
            ("SaveInvoice", "save_invoice"),
            ("ChangeInvoiceStatus", "change_invoice_status"),
            ("AcseptInvoiceStatus", "acsept_invoice_status"),
            ("KInvoice", "k_invoice"),
            ("GInvoice", "g_invoice"),
            ("DelInvoiceRequest", "del_invoice_request"),
            // The verb is a whole word.
            ("Chekout", "chekout_all"),
        ] {
            assert_eq!(safety(name, operation), Safety::Write, "{operation}");
        }
        // Lists name operations too.
        let policy = RetryPolicy::default()
            .treat_as_write(["chek"])
            .treat_as_read(["g_invoice"]);
        assert_eq!(policy.safety(&soap_meta("Chek", "chek")), Safety::Write);
        assert_eq!(
            policy.safety(&soap_meta("GInvoice", "g_invoice")),
            Safety::Read
        );
    }

    #[cfg(feature = "soap")]
    #[test]
    fn soap_failures_are_sorted() {
        let fault = |code: &str| Error::Fault {
            endpoint: "X",
            code: code.into(),
            message: "m".into(),
            http_status: 500,
        };
        let http = |status| Error::Http {
            endpoint: "X",
            status,
            body: String::new(),
        };
        let decode = Error::Decode {
            endpoint: "X",
            path: ".".into(),
            message: "x".into(),
        };
        for code in ["soap:Server", "soap12:Receiver", "Server"] {
            assert_eq!(
                classify_soap(&fault(code), b""),
                Failure::Ambiguous,
                "{code}"
            );
        }
        for code in ["soap:Client", "soap:Client.Authentication", "env:Sender"] {
            assert_eq!(classify_soap(&fault(code), b""), Failure::Refused, "{code}");
        }
        assert_eq!(classify_soap(&http(503), b"<html>"), Failure::Ambiguous);
        assert_eq!(classify_soap(&http(429), b""), Failure::Throttled);
        assert_eq!(classify_soap(&http(404), b"<html>"), Failure::Refused);
        let whole = br#"<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><xResponse><xResult>ten</xResult></xResponse></soap:Body></soap:Envelope>"#;
        assert_eq!(classify_soap(&decode, whole), Failure::Unreadable);
        let cut = &whole[..whole.len() / 2];
        assert_eq!(classify_soap(&decode, cut), Failure::Ambiguous);
        assert_eq!(
            classify_soap(&decode, b"<html><body>Back soon.</body></html>"),
            Failure::Ambiguous
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let policy = RetryPolicy::default()
            .backoff(Duration::from_millis(100), Duration::from_millis(700))
            .jitter(false);
        let waits: Vec<u128> = (1..=5).map(|n| policy.backoff_for(n).as_millis()).collect();
        assert_eq!(waits, vec![100, 200, 400, 700, 700]);
        assert_eq!(policy.backoff_for(u32::MAX), Duration::from_millis(700));
    }

    fn run(policy: &RetryPolicy, safety: Safety) -> Run<'_> {
        Run {
            policy,
            endpoint: "SaveInvoice",
            safety,
            key: Some("k-1".into()),
            deadline: None,
            attempts: 1,
            maybe_applied: false,
            renewed: false,
        }
    }

    #[test]
    fn jitter_stays_in_the_upper_half_and_retry_after_is_honoured() {
        let policy =
            RetryPolicy::default().backoff(Duration::from_millis(400), Duration::from_secs(1));
        let r = run(&policy, Safety::Read);
        for _ in 0..100 {
            let wait = r.delay(None).unwrap();
            assert!(
                wait >= Duration::from_millis(200) && wait <= Duration::from_millis(400),
                "{wait:?}"
            );
        }
        assert_eq!(
            r.delay(Some(Duration::from_secs(3))),
            Some(Duration::from_secs(3))
        );
        // Longer than the policy accepts: end the call rather than retry early.
        assert_eq!(r.delay(Some(Duration::from_secs(31))), None);
        // Longer than the call's budget: end it.
        let mut short = run(&policy, Safety::Read);
        short.deadline = Some(Instant::now() + Duration::from_millis(50));
        assert_eq!(short.delay(Some(Duration::from_secs(1))), None);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        // 2015-10-21 07:28:00 GMT is 1445412480.
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    fn service(code: i64, http: u16) -> Error {
        Error::Service {
            endpoint: "SaveInvoice",
            status: ServiceStatus::new(code, "x", http),
            meaning: None,
        }
    }

    #[test]
    fn failures_are_sorted() {
        let http = |status| Error::Http {
            endpoint: "X",
            status,
            body: String::new(),
        };
        let decode = Error::Decode {
            endpoint: "X",
            path: ".".into(),
            message: "x".into(),
        };
        assert_eq!(classify(&http(502), b"<html>", None), Failure::Ambiguous);
        assert_eq!(classify(&http(429), b"", None), Failure::Throttled);
        assert_eq!(
            classify(&http(404), b"<html>Not Found</html>", None),
            Failure::Refused
        );
        assert_eq!(
            classify(&http(400), br#"{"DATA":{},"STATUS":{"ID":-7,"TE"#, None),
            Failure::Ambiguous
        );
        assert_eq!(classify(&service(-1, 500), b"{}", None), Failure::Transient);
        assert_eq!(classify(&service(-2, 400), b"{}", None), Failure::Refused);
        assert_eq!(
            classify(&service(-7, 400), b"{}", Some(-7)),
            Failure::InProgress
        );
        assert_eq!(classify(&service(-7, 400), b"{}", None), Failure::Refused);
        assert_eq!(
            classify(&decode, br#"{"DATA": {"A": "#, None),
            Failure::Ambiguous
        );
        assert_eq!(
            classify(&decode, br#"{"DATA": {"A": 1}}"#, None),
            Failure::Unreadable
        );
    }

    #[test]
    fn what_a_failed_write_says() {
        let policy = RetryPolicy::default();
        // A write whose request was lost on the way back: unknown, with its key.
        let r = run(&policy, Safety::Write);
        let lost = Error::Transport {
            endpoint: "SaveInvoice",
            url: "http://127.0.0.1:1/x".into(),
            message: "connection reset".into(),
            timeout: false,
        };
        match r.finish(lost, Failure::Ambiguous) {
            Error::OutcomeUnknown {
                idempotency_key,
                attempts,
                ..
            } => assert_eq!((idempotency_key.as_deref(), attempts), (Some("k-1"), 1)),
            other => panic!("{other:?}"),
        }
        // The service refused it, or said it failed: nothing happened.
        assert!(matches!(
            r.finish(service(-2, 400), Failure::Refused),
            Error::Service { .. }
        ));
        assert!(matches!(
            r.finish(service(-1, 500), Failure::Transient),
            Error::Service { .. }
        ));
        // A read's error is what it is.
        let r = run(&policy, Safety::Read);
        assert!(matches!(
            r.finish(service(-1, 500), Failure::Ambiguous),
            Error::Service { .. }
        ));
        // After an attempt of unknown outcome, a keyed repeat's refusal is
        // final only when the service's key protocol is known.
        let mut r = run(&policy, Safety::Keyed);
        r.maybe_applied = true;
        let err = r.finish(service(-2, 400), Failure::Refused);
        assert!(err.may_have_taken_effect(), "{err}");
        assert!(err.to_string().contains("k-1"), "{err}");
        let known = RetryPolicy::default().key_protocol(KeyProtocol {
            in_progress_code: -7,
            unknown_code: Some(-6),
            result: meta("GetTransactionResult", Method::Post, None),
            result_key_field: "TransactionId",
            applies: |_, _| true,
        });
        let mut r = run(&known, Safety::Keyed);
        r.maybe_applied = true;
        assert!(
            !r.finish(service(-2, 400), Failure::Refused)
                .may_have_taken_effect()
        );
    }

    /// The body after `ensure_key`, parsed, and the key.
    fn keyed(body: &str) -> (Value, String) {
        let slot = find_key(body.as_bytes(), "TransactionId").unwrap();
        let (body, key) = ensure_key(body.as_bytes().to_vec(), "TransactionId", slot);
        (serde_json::from_slice(&body).unwrap(), key)
    }

    #[test]
    fn keys_are_added_once_and_kept_when_given() {
        let (value, key) = keyed("{}");
        assert!(uuid::Uuid::parse_str(&key).is_ok());
        assert_eq!(value, serde_json::json!({ "TransactionId": key }));
        let (value, key) =
            keyed(r#"{"INVOICE":{"ID":0,"TransactionId":"inner"},"B":[1,{"C":null}]}"#);
        assert!(uuid::Uuid::parse_str(&key).is_ok());
        assert_eq!(value["TransactionId"], Value::String(key));
        assert_eq!(value["INVOICE"]["TransactionId"], "inner");
        assert_eq!(value["B"], serde_json::json!([1, { "C": null }]));
        let (value, key) = keyed(r#"{"TransactionId":" mine ","A":1}"#);
        assert_eq!(key, "mine");
        assert_eq!(value["TransactionId"], " mine ");
        for blank in [
            r#"{"A":1,"TransactionId":"  "}"#,
            r#"{"TransactionId":null,"A":1}"#,
        ] {
            let (value, key) = keyed(blank);
            assert!(uuid::Uuid::parse_str(&key).is_ok(), "{blank}");
            assert_eq!(value, serde_json::json!({ "A": 1, "TransactionId": key }));
        }
        assert_eq!(keyed(r#"{"TransactionId":42}"#).1, "42");
        assert_eq!(keyed(r#"{"Transaction\u0049d":"esc"}"#).1, "esc");
        assert!(find_key(b"[1]", "TransactionId").is_err());
        assert!(find_key(b"{\"a\":1} x", "TransactionId").is_err());
    }

    #[test]
    fn random_units_are_in_range() {
        for _ in 0..1000 {
            let x = random_unit();
            assert!((0.0..1.0).contains(&x));
        }
    }
}

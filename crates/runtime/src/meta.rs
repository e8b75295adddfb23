//! Static descriptions of services and endpoints, emitted by the generator
//! as constants and read by the client transport and the server router.

use serde::de::{Deserialize, Deserializer, IgnoredAny};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// How a service authenticates calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthScheme {
    /// No authentication.
    None,
    /// `Authorization: Bearer <token>` from a login endpoint.
    Bearer,
}

/// HTTP method of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method as `http` knows it.
    pub fn to_http(self) -> http::Method {
        match self {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Put => http::Method::PUT,
            Method::Delete => http::Method::DELETE,
        }
    }
}

/// Wire names of a `{DATA, STATUS: {ID, TEXT}}`-style reply envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvelopeShape {
    /// Key of the payload.
    pub data: &'static str,
    /// Key of the status object.
    pub status: &'static str,
    /// Key of the numeric code inside the status object.
    pub code: &'static str,
    /// Key of the text inside the status object.
    pub text: &'static str,
    /// The code that means success.
    pub success: i64,
    /// The code a server answers for a request it cannot decode.
    pub malformed_request: i64,
}

/// A status or error code the service documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    /// The code.
    pub code: i64,
    /// The service's own text, when known.
    pub text: Option<&'static str>,
    /// What it means, in English.
    pub meaning: &'static str,
    /// The HTTP status the service answers it with, when known.
    pub http_status: Option<u16>,
    /// How a client treats it.
    pub kind: ErrorKind,
}

/// How a client treats a documented error code; decides the [`crate::Error`]
/// variant it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// An ordinary service error: [`crate::Error::Service`].
    Service,
    /// Credentials, PIN or rights refused: [`crate::Error::Authentication`].
    Authentication,
    /// Session token missing, unknown or expired: [`crate::Error::SessionExpired`].
    Session,
}

/// Static description of a service.
#[derive(Debug, Clone, Copy)]
pub struct ServiceMeta {
    /// Crate name, e.g. `rsge-eapi`.
    pub name: &'static str,
    /// Human title.
    pub title: &'static str,
    /// Version of the source document the spec follows.
    pub document_version: Option<&'static str>,
    /// The client's default base URL.
    pub default_base_url: &'static str,
    /// How calls authenticate.
    pub auth: AuthScheme,
    /// The reply envelope, if the service wraps replies.
    pub envelope: Option<EnvelopeShape>,
    /// Documented status and error codes.
    pub errors: &'static [ErrorCode],
}

impl ServiceMeta {
    /// The documented entry for `code`, if any.
    pub fn error(&self, code: i64) -> Option<&'static ErrorCode> {
        self.errors.iter().find(|e| e.code == code)
    }
}

/// Static description of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointMeta {
    /// Spec name, e.g. `SaveInvoice`.
    pub name: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path below the base URL, e.g. `/Invoice/SaveInvoice`.
    pub path: &'static str,
    /// Whether the call needs the session token.
    pub auth: bool,
    /// Wire name of the request field holding the idempotency key, if any.
    pub idempotency_key: Option<&'static str>,
    /// Codes the endpoint is documented to answer.
    pub errors: &'static [i64],
    /// Whether the request has a body model (else the body is empty).
    pub has_request: bool,
    /// Whether the reply carries a payload model.
    pub has_response: bool,
}

/// An endpoint's types and description; the generator emits one marker type
/// per endpoint implementing this.
pub trait Endpoint {
    /// The request body ([`Empty`] when there is none).
    type Request: Serialize + for<'de> Deserialize<'de> + Send + Sync + 'static;
    /// The reply payload ([`Empty`] when there is none).
    type Response: Serialize + for<'de> Deserialize<'de> + Send + Sync + 'static;
    /// The static description.
    const META: EndpointMeta;
}

/// Visits every endpoint of a service with its types (see the generated
/// `endpoints::visit`), for code that must handle each endpoint generically.
pub trait EndpointVisitor {
    /// Called once per endpoint.
    fn visit<E: Endpoint>(&mut self);
}

/// The body of an endpoint without a request or reply model: reads anything,
/// writes `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Empty;

impl Serialize for Empty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_map(Some(0))?.end()
    }
}

impl<'de> Deserialize<'de> for Empty {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer).map(|_| Empty)
    }
}

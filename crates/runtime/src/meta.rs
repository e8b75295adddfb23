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
    /// Service-user credentials (RS.ge NtosService `su`/`sp`) sent as
    /// request parameters of every operation that takes them: the client
    /// holds them and fills in the parameters that [`EndpointMeta::soap`]
    /// names.
    ServiceUser,
    /// A session of the service crate logs in and encrypts or signs every
    /// call itself (India's IRP); the generic transport does not call it.
    Session,
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
    /// The SOAP binding, for services whose endpoints are SOAP operations
    /// (built with [`ServiceMeta::soap11`] or [`ServiceMeta::soap12`]);
    /// `None` for JSON services.
    pub soap: Option<SoapBinding>,
}

impl ServiceMeta {
    /// The documented entry for `code`, if any.
    pub fn error(&self, code: i64) -> Option<&'static ErrorCode> {
        self.errors.iter().find(|e| e.code == code)
    }

    /// The binding of a SOAP service whose body elements are in
    /// `namespace` and whose clients speak SOAP 1.1 by default.
    pub const fn soap11(namespace: &'static str) -> Option<SoapBinding> {
        Some(SoapBinding {
            namespace,
            soap12: false,
        })
    }

    /// As [`ServiceMeta::soap11`], with SOAP 1.2 as the clients' default.
    pub const fn soap12(namespace: &'static str) -> Option<SoapBinding> {
        Some(SoapBinding {
            namespace,
            soap12: true,
        })
    }
}

/// The SOAP binding of a service (document/literal, one URL: the base URL
/// plus [`EndpointMeta::path`]); see [`ServiceMeta::soap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SoapBinding {
    /// Target namespace of the body elements (`http://tempuri.org/`).
    pub namespace: &'static str,
    /// Whether clients speak SOAP 1.2 by default (else SOAP 1.1).
    pub soap12: bool,
}

/// Where a request member travels when it is not a member of the JSON body;
/// see [`EndpointMeta::params`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// Substituted for `{wire}` in the path (percent-encoded).
    Path,
    /// A query parameter.
    Query,
    /// A request header named by the wire name.
    Header,
}

/// A request member sent outside the body; see [`EndpointMeta::params`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// Its wire name: the path placeholder, query key or header name.
    pub wire: &'static str,
    /// Where it goes.
    pub location: ParamLocation,
}

/// An endpoint's SOAP operation; see [`EndpointMeta::soap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SoapOperation {
    /// Body element of the request (`chek`); the reply's is
    /// `{operation}Response`, its result `{operation}Result`.
    pub operation: &'static str,
    /// The SOAPAction (`http://tempuri.org/chek`).
    pub action: &'static str,
    /// Every parameter's element name, in WSDL order, credentials included.
    pub params: &'static [&'static str],
    /// The parameter carrying the service user's name, which the client
    /// fills in (it is not a field of the request model).
    pub user_param: Option<&'static str>,
    /// The parameter carrying the service user's password, likewise.
    pub password_param: Option<&'static str>,
}

impl SoapOperation {
    /// Whether the operation takes the service user's credentials.
    pub const fn needs_credentials(&self) -> bool {
        self.user_param.is_some() || self.password_param.is_some()
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
    /// The SOAP operation, for endpoints of a SOAP service (built with
    /// [`EndpointMeta::soap_operation`]); `None` for JSON endpoints.
    pub soap: Option<SoapOperation>,
    /// Request members that travel in the path, query or headers instead
    /// of the body (spec `in:`; only session services have them).
    pub params: &'static [Param],
}

impl EndpointMeta {
    /// The SOAP operation `operation` with SOAPAction `action`, its
    /// parameters in WSDL order and the ones carrying the service user's
    /// credentials, for [`EndpointMeta::soap`].
    pub const fn soap_operation(
        operation: &'static str,
        action: &'static str,
        params: &'static [&'static str],
        user_param: Option<&'static str>,
        password_param: Option<&'static str>,
    ) -> Option<SoapOperation> {
        Some(SoapOperation {
            operation,
            action,
            params,
            user_param,
            password_param,
        })
    }
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

    /// SOAP: reads the reply (opened at `<{operation}Response>`) into the
    /// response model: by default every child element (the result, then the
    /// out parameters) by name. Generated code overrides it for replies
    /// whose result is a `DataTable`.
    #[cfg(feature = "soap")]
    fn read_soap_reply(
        reader: crate::soap::BodyReader<'_>,
    ) -> Result<Self::Response, crate::soap::SoapError> {
        reader.decode()
    }

    /// SOAP: writes the response model into the reply envelope: by default
    /// every field as a child element, in field order. Generated code
    /// overrides it for replies whose result is a `DataTable`.
    #[cfg(feature = "soap")]
    fn write_soap_reply(
        response: &Self::Response,
        writer: &mut crate::soap::EnvelopeWriter,
    ) -> Result<(), crate::soap::SoapError> {
        writer.fields(response).map(drop)
    }
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

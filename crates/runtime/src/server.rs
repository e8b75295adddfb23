//! Server-side helpers used by every generated router: request decoding with
//! errors naming the field, the bearer token, and envelope encoding; for SOAP
//! services (feature `soap`) the operation dispatch, the service user's
//! credentials, reply envelopes and faults.

use std::fmt;
use std::future::Future;

pub use axum;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::envelope::Wrapped;
use crate::{Empty, Endpoint, ServiceMeta, ServiceStatus};

/// What a handler knows about the request besides its body.
#[derive(Clone)]
pub struct RequestContext {
    /// The token of an `Authorization: Bearer` header (scheme case-insensitive).
    pub bearer_token: Option<String>,
    /// `true` when an `Authorization` header was present but not a bearer one.
    pub other_authorization: bool,
    /// All request headers.
    pub headers: HeaderMap,
    /// The service user's credentials a SOAP request carried in the
    /// parameters its operation names (see `SoapOperation::user_param`).
    pub service_user: Option<ServiceUser>,
}

/// A service user's name and password as a SOAP request sent them (either
/// may be empty); the password is redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceUser {
    /// The user parameter (`su`); `""` when absent.
    pub user: String,
    /// The password parameter (`sp`); `""` when absent.
    pub password: String,
}

impl fmt::Debug for ServiceUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceUser")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestContext")
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "<redacted>"),
            )
            .field("other_authorization", &self.other_authorization)
            .field("service_user", &self.service_user)
            .finish_non_exhaustive()
    }
}

impl RequestContext {
    /// Read the context from request headers.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        let bearer_token = authorization.and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            let token = token.trim();
            (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
        });
        Self {
            other_authorization: authorization.is_some() && bearer_token.is_none(),
            bearer_token,
            headers: headers.clone(),
            service_user: None,
        }
    }
}

/// A request body that did not decode into the endpoint's request type.
///
/// Its [`Display`](fmt::Display) is the text the generic reply carries
/// (`request field `INVOICE.TIN_SELLER` is invalid: ...`).
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    /// The endpoint's spec name, e.g. `SaveInvoice`.
    pub endpoint: &'static str,
    /// The JSON path of the member that failed (`INVOICE.TIN_SELLER`,
    /// `INVOICE.INVOICE_GOODS[0].QUANTITY`); `None` when the body as a
    /// whole is wrong (not UTF-8, not JSON, a missing member, trailing text).
    pub path: Option<String>,
    /// Why, as the decoder said it.
    pub message: String,
    /// The JSON value found at `path`, when there is one: e.g. the string a
    /// checked type refused, to tell it from a value of the wrong JSON type.
    pub value: Option<serde_json::Value>,
}

impl DecodeError {
    /// The name of the member that failed: the last step of `path`
    /// without an index (`TIN_SELLER` for `INVOICE.TIN_SELLER`,
    /// `QUANTITY` for `INVOICE_GOODS[0].QUANTITY`).
    pub fn field(&self) -> Option<&str> {
        let path = self.path.as_deref()?;
        let last = path.rsplit('.').next().unwrap_or(path);
        let name = last.split('[').next().unwrap_or(last);
        (!name.is_empty()).then_some(name)
    }

    /// The generic answer: the service's malformed-request code (`-1` when
    /// the spec names none), HTTP 400, and this error as the text.
    pub fn status(&self, service: &ServiceMeta) -> ServiceStatus {
        let code = service.envelope.map(|e| e.malformed_request).unwrap_or(-1);
        ServiceStatus::new(code, self.to_string(), 400)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            None => write!(f, "the request body is not valid: {}", self.message),
            Some(path) => write!(f, "request field `{path}` is invalid: {}", self.message),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decode the request of endpoint `E`, run `handler`, and encode its reply
/// (or its status) the way the service does. A body that does not decode
/// is answered with the status `malformed` gives for it (generated routers
/// pass the server trait's `malformed_request`, by default
/// [`DecodeError::status`]).
pub async fn handle<E, M, F, Fut>(
    service: &'static ServiceMeta,
    headers: &HeaderMap,
    body: &[u8],
    malformed: M,
    handler: F,
) -> Response
where
    E: Endpoint,
    M: FnOnce(RequestContext, &DecodeError) -> ServiceStatus,
    F: FnOnce(RequestContext, E::Request) -> Fut,
    Fut: Future<Output = Result<E::Response, ServiceStatus>>,
{
    let context = RequestContext::from_headers(headers);
    let request = match decode_request::<E>(body) {
        Ok(request) => request,
        Err(error) => return reply_status(service, &malformed(context, &error)),
    };
    match handler(context, request).await {
        Ok(response) => reply_ok(service, &response),
        Err(status) => reply_status(service, &status),
    }
}

/// Decode the request body of endpoint `E` (an absent body is fine for an
/// endpoint without a request model).
pub fn decode_request<E: Endpoint>(body: &[u8]) -> Result<E::Request, DecodeError> {
    let body = if !E::META.has_request && body.iter().all(u8::is_ascii_whitespace) {
        // The request type is `Empty`, which reads any body.
        b"{}".as_slice()
    } else {
        body
    };
    let error = |path: Option<String>, message: String, value| DecodeError {
        endpoint: E::META.name,
        path,
        message,
        value,
    };
    let text = std::str::from_utf8(body)
        .map_err(|e| error(None, format!("it is not UTF-8 text: {e}"), None))?;
    crate::error::decode_json_at(text).map_err(|(path, message)| {
        if path == "." {
            error(None, message, None)
        } else {
            let value = value_at(text, &path);
            error(Some(path), message, value)
        }
    })
}

/// The value at `path` (`A.B[2].C`, as `serde_path_to_error` writes it) in
/// the JSON `text`, if the text is JSON and the path leads somewhere. Only
/// run for a body that failed to decode.
fn value_at(text: &str, path: &str) -> Option<serde_json::Value> {
    let mut value: serde_json::Value = serde_json::from_str(text).ok()?;
    for step in path.split('.') {
        let mut parts = step.split('[');
        let key = parts.next()?;
        if !key.is_empty() {
            value = value.get_mut(key)?.take();
        }
        for index in parts {
            let index: usize = index.strip_suffix(']')?.parse().ok()?;
            value = value.get_mut(index)?.take();
        }
    }
    Some(value)
}

/// A success reply with `data`.
pub fn reply_ok<T: serde::Serialize>(service: &ServiceMeta, data: &T) -> Response {
    match service.envelope {
        Some(shape) => {
            let text = service
                .error(shape.success)
                .and_then(|e| e.text)
                .unwrap_or("OK");
            json_response(
                StatusCode::OK,
                &Wrapped {
                    shape: &shape,
                    data,
                    code: shape.success,
                    text,
                },
            )
        }
        None => json_response(StatusCode::OK, data),
    }
}

/// A status reply: the envelope with an empty payload and the status's HTTP code.
pub fn reply_status(service: &ServiceMeta, status: &ServiceStatus) -> Response {
    let http =
        StatusCode::from_u16(status.http_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match service.envelope {
        Some(shape) => json_response(
            http,
            &Wrapped {
                shape: &shape,
                data: &Empty,
                code: status.code,
                text: &status.text,
            },
        ),
        None => json_response(
            http,
            &serde_json::json!({ "code": status.code, "text": status.text }),
        ),
    }
}

/// The reply to a path the spec does not define.
pub fn not_found(service: &ServiceMeta) -> Response {
    if service.soap.is_some() {
        // .asmx services answer an unknown path with a plain 404 page.
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "The resource cannot be found.",
        )
            .into_response();
    }
    let code = service.envelope.map(|e| e.malformed_request).unwrap_or(-1);
    reply_status(service, &ServiceStatus::new(code, "unknown endpoint", 404))
}

fn json_response<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            bytes,
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot encode the reply: {e}"),
        )
            .into_response(),
    }
}

#[cfg(feature = "soap")]
pub use soap_server::{handle_soap, soap_fault, soap_operation};

/// The SOAP side of the generated routers.
#[cfg(feature = "soap")]
mod soap_server {
    use std::collections::BTreeMap;
    use std::fmt;
    use std::future::Future;

    use axum::http::{HeaderMap, StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

    use super::{RequestContext, ServiceUser};
    use crate::soap::{self, BodyReader, EnvelopeWriter, SoapFault, SoapVersion};
    use crate::{Endpoint, EndpointMeta, ServiceMeta, ServiceStatus};

    /// The version a request speaks: its envelope's, else its content type's,
    /// else SOAP 1.1.
    fn version_of(headers: &HeaderMap, body: &[u8]) -> SoapVersion {
        if let Ok(reader) = BodyReader::request(body) {
            return reader.version();
        }
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(SoapVersion::from_content_type)
            .unwrap_or_default()
    }

    /// A fault reply as .asmx services send it: HTTP 500 (whatever the
    /// status says, unless it is a 4xx/5xx of its own), `soap:Client` for a
    /// request the server cannot take, `soap:Server` for a failure of the
    /// server.
    pub fn soap_fault(version: SoapVersion, client: bool, message: &str, http: u16) -> Response {
        let fault = SoapFault {
            version,
            code: match (version, client) {
                (SoapVersion::Soap11, true) => "soap:Client".into(),
                (SoapVersion::Soap11, false) => "soap:Server".into(),
                (SoapVersion::Soap12, true) => "soap:Sender".into(),
                (SoapVersion::Soap12, false) => "soap:Receiver".into(),
            },
            message: message.to_owned(),
            ..SoapFault::default()
        };
        let status = StatusCode::from_u16(http)
            .ok()
            .filter(|s| s.is_client_error() || s.is_server_error())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            [(header::CONTENT_TYPE, content_type(version))],
            soap::write_fault(&fault),
        )
            .into_response()
    }

    fn content_type(version: SoapVersion) -> &'static str {
        match version {
            SoapVersion::Soap11 => "text/xml; charset=utf-8",
            SoapVersion::Soap12 => "application/soap+xml; charset=utf-8",
        }
    }

    /// Finds the operation a request calls among `endpoints`: by its action
    /// (the `SOAPAction` header, quoted or not, or the `action` of a SOAP 1.2
    /// content type) and else by its body element. A request that names no
    /// known operation, or whose body element is another operation than its
    /// action, gets the `soap:Client` fault .asmx services answer (boxed:
    /// it is the rare path).
    pub fn soap_operation(
        endpoints: &[&'static EndpointMeta],
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<&'static EndpointMeta, Box<Response>> {
        let version = version_of(headers, body);
        let header_text =
            |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
        let action = soap::request_action(
            headers.get("SOAPAction").and_then(|v| v.to_str().ok()),
            header_text(header::CONTENT_TYPE),
        );
        let element = BodyReader::request(body)
            .map(|r| r.element().to_owned())
            .map_err(|e| {
                Box::new(soap_fault(
                    version,
                    true,
                    &format!("Server was unable to read request. ---> {e}"),
                    500,
                ))
            })?;
        let by_action = action.map(|action| {
            endpoints
                .iter()
                .copied()
                .find(|e| e.soap.is_some_and(|op| op.action == action))
        });
        let meta = match by_action {
            Some(Some(meta)) => meta,
            Some(None) => {
                return Err(Box::new(soap_fault(
                    version,
                    true,
                    &format!(
                        "Server did not recognize the value of HTTP Header SOAPAction: {}.",
                        action.unwrap_or_default()
                    ),
                    500,
                )));
            }
            None => endpoints
                .iter()
                .copied()
                .find(|e| e.soap.is_some_and(|op| op.operation == element))
                .ok_or_else(|| {
                    Box::new(soap_fault(
                        version,
                        true,
                        &format!(
                            "Server did not recognize the value of HTTP Header SOAPAction: . (body element `{element}`)"
                        ),
                        500,
                    ))
                })?,
        };
        let operation = meta.soap.map_or("", |op| op.operation);
        if element != operation {
            return Err(Box::new(soap_fault(
                version,
                true,
                &format!(
                    "Server was unable to read request. ---> the body element `{element}` is not `{operation}`, the operation of the SOAPAction"
                ),
                500,
            )));
        }
        Ok(meta)
    }

    /// Decode the request of SOAP operation `E` (parameters in any order),
    /// run `handler` with the service user's credentials in the context, and
    /// write its reply envelope, or the fault of its status.
    pub async fn handle_soap<E, F, Fut>(
        service: &'static ServiceMeta,
        headers: &HeaderMap,
        body: &[u8],
        handler: F,
    ) -> Response
    where
        E: Endpoint,
        F: FnOnce(RequestContext, E::Request) -> Fut,
        Fut: Future<Output = Result<E::Response, ServiceStatus>>,
    {
        let version = version_of(headers, body);
        let (Some(op), Some(binding)) = (E::META.soap, service.soap) else {
            return soap_fault(
                version,
                false,
                &format!("`{}` is not a SOAP operation", E::META.name),
                500,
            );
        };
        let unreadable = |e: soap::SoapError| {
            soap_fault(
                version,
                true,
                &format!("Server was unable to read request. ---> {e}"),
                500,
            )
        };
        let request = match BodyReader::request(body).and_then(|r| r.decode::<E::Request>()) {
            Ok(request) => request,
            Err(e) => return unreadable(e),
        };
        let mut context = RequestContext::from_headers(headers);
        if op.needs_credentials() {
            let params = match BodyReader::request(body).and_then(|r| r.decode::<Params>()) {
                Ok(params) => params,
                Err(e) => return unreadable(e),
            };
            let text = |name: Option<&str>| {
                name.and_then(|n| params.0.get(n))
                    .and_then(|v| v.clone())
                    .unwrap_or_default()
            };
            context.service_user = Some(ServiceUser {
                user: text(op.user_param),
                password: text(op.password_param),
            });
        }
        let response = match handler(context, request).await {
            Ok(response) => response,
            Err(status) => {
                return soap_fault(
                    version,
                    status.http_status < 500,
                    &status.text,
                    status.http_status,
                );
            }
        };
        let written = EnvelopeWriter::response(version, binding.namespace, op.operation).and_then(
            |mut writer| {
                E::write_soap_reply(&response, &mut writer)?;
                writer.finish()
            },
        );
        match written {
            Ok(bytes) => (
                StatusCode::OK,
                [(header::CONTENT_TYPE, content_type(version))],
                bytes,
            )
                .into_response(),
            Err(e) => soap_fault(
                version,
                false,
                &format!("Server was unable to write the reply. ---> {e}"),
                500,
            ),
        }
    }

    /// The text parameters of a request by element name (`None` for
    /// parameters with children or `xsi:nil`), for the credentials.
    struct Params(BTreeMap<String, Option<String>>);

    impl<'de> Deserialize<'de> for Params {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct ParamsVisitor;
            impl<'de> Visitor<'de> for ParamsVisitor {
                type Value = Params;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("the parameters of a SOAP request")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
                    let mut out = BTreeMap::new();
                    while let Some(key) = map.next_key::<String>()? {
                        let value = map.next_value::<Text>()?;
                        // The first of repeated elements counts.
                        out.entry(key).or_insert(value.0);
                    }
                    Ok(Params(out))
                }
                fn visit_str<E: de::Error>(self, _: &str) -> Result<Params, E> {
                    Ok(Params(BTreeMap::new()))
                }
                fn visit_unit<E: de::Error>(self) -> Result<Params, E> {
                    Ok(Params(BTreeMap::new()))
                }
            }
            deserializer.deserialize_map(ParamsVisitor)
        }
    }

    /// A parameter's text, or `None` when it holds elements or is nil.
    struct Text(Option<String>);

    impl<'de> Deserialize<'de> for Text {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct TextVisitor;
            impl<'de> Visitor<'de> for TextVisitor {
                type Value = Text;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a parameter")
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                    Ok(Text(Some(v.to_owned())))
                }
                fn visit_none<E: de::Error>(self) -> Result<Text, E> {
                    Ok(Text(None))
                }
                fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                    Ok(Text(None))
                }
                fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Text, D::Error> {
                    d.deserialize_any(TextVisitor)
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                    Ok(Text(None))
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
                    while seq.next_element::<IgnoredAny>()?.is_some() {}
                    Ok(Text(None))
                }
            }
            deserializer.deserialize_any(TextVisitor)
        }
    }
}

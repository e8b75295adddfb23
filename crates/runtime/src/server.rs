//! Server-side helpers used by every generated router: request decoding with
//! errors naming the field, the bearer token, and envelope encoding.

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
}

impl fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestContext")
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "<redacted>"),
            )
            .field("other_authorization", &self.other_authorization)
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
        }
    }
}

/// Decode the request of endpoint `E`, run `handler`, and encode its reply
/// (or its status) the way the service does.
pub async fn handle<E, F, Fut>(
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
    let request = match decode_request::<E>(body) {
        Ok(request) => request,
        Err(message) => {
            let code = service.envelope.map(|e| e.malformed_request).unwrap_or(-1);
            return reply_status(service, &ServiceStatus::new(code, message, 400));
        }
    };
    let context = RequestContext::from_headers(headers);
    match handler(context, request).await {
        Ok(response) => reply_ok(service, &response),
        Err(status) => reply_status(service, &status),
    }
}

fn decode_request<E: Endpoint>(body: &[u8]) -> Result<E::Request, String> {
    if !E::META.has_request {
        // The request type is `Empty`, which reads any body; an absent body is fine.
        let body = if body.iter().all(u8::is_ascii_whitespace) {
            b"{}".as_slice()
        } else {
            body
        };
        return decode_json::<E::Request>(body);
    }
    decode_json::<E::Request>(body)
}

fn decode_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let text = std::str::from_utf8(body)
        .map_err(|e| format!("the request body is not UTF-8 text: {e}"))?;
    crate::error::decode_json_at(text).map_err(|(path, message)| {
        if path == "." {
            format!("the request body is not valid: {message}")
        } else {
            format!("request field `{path}` is invalid: {message}")
        }
    })
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

//! Routing, the envelope, login and the authentication of later calls,
//! and the GSTIN endpoints.

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::TimeDelta;
use gst_irp::session::{RENEWAL_MARGIN, server};
use gst_irp::{ErrorDetail, ExposeSecret, Gstin, Info, SecretString, Sek};
use serde_json::Value;
use taxsdk_runtime::server::axum;

use super::Sandbox;
use super::state::{Session, State};

/// What a request is answered with.
pub(crate) struct Answer {
    pub http: StatusCode,
    pub content_type: &'static str,
    pub body: String,
    pub endpoint: &'static str,
    /// The first error code, for the request log.
    pub code: Option<String>,
}

const JSON: &str = "application/json; charset=utf-8";

impl Answer {
    /// A successful reply body (already the envelope).
    pub fn ok(endpoint: &'static str, body: String) -> Self {
        Self {
            http: StatusCode::OK,
            content_type: JSON,
            body,
            endpoint,
            code: None,
        }
    }

    /// `Status` 0 with HTTP 200, as the IRP refuses a request it could read.
    pub fn refused(endpoint: &'static str, errors: Vec<ErrorDetail>, info: &[Info]) -> Self {
        Self {
            http: StatusCode::OK,
            content_type: JSON,
            body: server::error_body(&errors, info),
            endpoint,
            code: errors.first().map(|e| e.code.clone()),
        }
    }

    /// One refusal with HTTP 200.
    pub fn refuse(endpoint: &'static str, code: &str, message: impl Into<String>) -> Self {
        Self::refused(endpoint, vec![ErrorDetail::new(code, message)], &[])
    }

    /// A request the sandbox could not read: the envelope with `http`.
    pub fn unreadable(
        endpoint: &'static str,
        http: StatusCode,
        code: &str,
        message: impl Into<String>,
    ) -> Self {
        let mut answer = Self::refuse(endpoint, code, message);
        answer.http = http;
        answer
    }

    fn rejection(endpoint: &'static str, rejection: &server::Rejection) -> Self {
        Self::unreadable(
            endpoint,
            StatusCode::BAD_REQUEST,
            rejection.code,
            rejection.message.clone(),
        )
    }

    /// A reply of the e-way bill system's envelope (CancelEwb).
    pub fn ewb(endpoint: &'static str, http: StatusCode, body: String, code: Option<&str>) -> Self {
        Self {
            http,
            content_type: JSON,
            body,
            endpoint,
            code: code.map(str::to_string),
        }
    }
}

/// What the request log reports of a reply (never its body).
#[derive(Clone)]
struct LogInfo {
    endpoint: &'static str,
    code: Option<String>,
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut response = (
            self.http,
            [(header::CONTENT_TYPE, self.content_type)],
            self.body,
        )
            .into_response();
        response.extensions_mut().insert(LogInfo {
            endpoint: self.endpoint,
            code: self.code,
        });
        response
    }
}

/// The one handler: every path goes through [`Sandbox::dispatch`].
pub(crate) async fn handle(
    axum::extract::State(sandbox): axum::extract::State<Sandbox>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sandbox
        .dispatch(&method, &uri, &headers, &body)
        .into_response()
}

/// Refuses a body declared larger than `limit` before reading it, and
/// answers axum's own plain-text rejections (a body that grew past the
/// limit, an unreadable body) with the envelope and their HTTP status.
pub(crate) async fn limit_request(
    axum::extract::State(limit): axum::extract::State<usize>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let too_large = || {
        Answer::unreadable(
            "-",
            StatusCode::PAYLOAD_TOO_LARGE,
            "413",
            format!("the request body is larger than the limit of {limit} bytes"),
        )
        .into_response()
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large();
    }
    let response = next.run(request).await;
    if response.extensions().get::<LogInfo>().is_some() {
        return response;
    }
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        status if status.is_client_error() => Answer::unreadable(
            "-",
            status,
            "5003",
            format!("the request body cannot be read (HTTP {status})"),
        )
        .into_response(),
        _ => response,
    }
}

/// Logs each request at INFO: method, path, endpoint, HTTP status, the
/// first error code and the time taken; never a body or a header value
/// (passwords, tokens and keys travel in them).
pub(crate) async fn log_request(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    let info = response.extensions().get::<LogInfo>().cloned();
    tracing::info!(
        %method,
        %path,
        endpoint = %info.as_ref().map_or("-", |i| i.endpoint),
        status = response.status().as_u16(),
        code = %info.as_ref().and_then(|i| i.code.as_deref()).unwrap_or("-"),
        ms = started.elapsed().as_millis() as u64,
        "IRP request"
    );
    response
}

/// The path's segments: empty ones (from `//` or a trailing `/`) dropped,
/// percent-decoded.
fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect()
}

/// `%XX` decoded (invalid escapes kept as written); `+` kept, as in paths.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query's parameters, names lower-cased; `+` is a space.
pub(crate) fn query_params(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                percent_decode(&name.replace('+', " ")).to_ascii_lowercase(),
                percent_decode(&value.replace('+', " ")),
            )
        })
        .collect()
}

/// A header's value, trimmed; `None` when absent or empty.
pub(crate) fn header_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The caller of an authenticated call.
pub(crate) struct Caller {
    pub gstin: String,
    pub sek: Sek,
}

/// Which endpoint a path and method name.
enum Route {
    /// No session yet.
    Login,
    /// The sandbox's public key: no session.
    PublicKey,
    /// The e-way bill system's envelope, with its own authentication.
    CancelEwb,
    /// Every other endpoint: the IRP's session headers.
    Call(Call),
}

/// The endpoints called within a session.
enum Call {
    GstinDetails(String),
    SyncGstin(String),
    GenerateIrn,
    IrnDetails(String),
    IrnByDocDetails,
    CancelIrn,
    RejectedIrns,
    GenerateEwb,
    EwbByIrn(String),
}

impl Route {
    fn find(segments: &[String]) -> Option<(Route, Method)> {
        use Method as M;
        let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
        let parts: Vec<&str> = lower.iter().map(String::as_str).collect();
        let arg = || segments.last().cloned().unwrap_or_default();
        let call = |call: Call, method: Method| (Route::Call(call), method);
        let route = match parts.as_slice() {
            ["eivital", "v1.04", "auth"] => (Route::Login, M::POST),
            ["irp-public-key.pem"] => (Route::PublicKey, M::GET),
            ["ewaybillapi", "v1.03", "ewayapi"] => (Route::CancelEwb, M::POST),
            ["eivital", "v1.04", "master", "gstin", _] => call(Call::GstinDetails(arg()), M::GET),
            ["eivital", "v1.04", "master", "syncgstin", _] => call(Call::SyncGstin(arg()), M::GET),
            ["eicore", "v1.03", "invoice"] => call(Call::GenerateIrn, M::POST),
            ["eicore", "v1.03", "invoice", "irn", _] => call(Call::IrnDetails(arg()), M::GET),
            ["eicore", "v1.03", "invoice", "irnbydocdetails"] => {
                call(Call::IrnByDocDetails, M::GET)
            }
            ["eicore", "v1.03", "invoice", "cancel"] => call(Call::CancelIrn, M::POST),
            ["eicore", "v1.03", "invoice", "rejectedirns"] => call(Call::RejectedIrns, M::GET),
            ["eiewb", "v1.03", "ewaybill"] => call(Call::GenerateEwb, M::POST),
            ["eiewb", "v1.03", "ewaybill", "irn", _] => call(Call::EwbByIrn(arg()), M::GET),
            _ => return None,
        };
        Some(route)
    }

    fn name(&self) -> &'static str {
        match self {
            Route::Login => "Login",
            Route::PublicKey => "PublicKey",
            Route::CancelEwb => "CancelEwb",
            Route::Call(call) => match call {
                Call::GstinDetails(_) => "GetGstinDetails",
                Call::SyncGstin(_) => "SyncGstin",
                Call::GenerateIrn => "GenerateIrn",
                Call::IrnDetails(_) => "GetIrnDetails",
                Call::IrnByDocDetails => "GetIrnByDocDetails",
                Call::CancelIrn => "CancelIrn",
                Call::RejectedIrns => "GetRejectedIrns",
                Call::GenerateEwb => "GenerateEwbByIrn",
                Call::EwbByIrn(_) => "GetEwbByIrn",
            },
        }
    }
}

impl Sandbox {
    /// Answer one request. Runs under the state lock (RSA work included:
    /// fine for an emulator).
    pub(crate) fn dispatch(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Answer {
        let Some((route, expected)) = Route::find(&segments(uri.path())) else {
            return Answer::unreadable(
                "-",
                StatusCode::NOT_FOUND,
                "404",
                format!("no IRP endpoint at {}", uri.path()),
            );
        };
        let name = route.name();
        // HEAD is answered as GET by axum's conventions; allow it.
        if method != expected && !(expected == Method::GET && method == Method::HEAD) {
            return Answer::unreadable(
                name,
                StatusCode::METHOD_NOT_ALLOWED,
                "405",
                format!("method {method} is not allowed here: use {expected}"),
            );
        }
        let mut state = self.lock();
        let state = &mut *state;
        let call = match route {
            Route::PublicKey => {
                let mut answer = Answer::ok(name, self_public_pem(state));
                answer.content_type = "application/x-pem-file";
                return answer;
            }
            Route::Login => return login(state, headers, body),
            Route::CancelEwb => return super::ewb::cancel_ewb(state, headers, body),
            Route::Call(call) => call,
        };
        let caller = match authenticate(state, headers) {
            Ok(caller) => caller,
            Err(answer) => {
                return Answer {
                    endpoint: name,
                    ..answer
                };
            }
        };
        let query = query_params(uri.query());
        match call {
            Call::GstinDetails(gstin) => gstin_details(state, &caller, &gstin, false),
            Call::SyncGstin(gstin) => gstin_details(state, &caller, &gstin, true),
            Call::GenerateIrn => super::invoice::generate(state, &caller, body),
            Call::IrnDetails(irn) => super::invoice::by_irn(state, &caller, &irn),
            Call::IrnByDocDetails => super::invoice::by_doc_details(state, &caller, &query),
            Call::CancelIrn => super::invoice::cancel(state, &caller, body),
            Call::RejectedIrns => super::invoice::rejected(state, &caller, &query),
            Call::GenerateEwb => super::ewb::generate_by_irn(state, &caller, body),
            Call::EwbByIrn(irn) => super::ewb::by_irn(state, &caller, &irn),
        }
    }
}

fn self_public_pem(state: &State) -> String {
    state
        .config
        .key
        .public_key()
        .to_pem()
        .unwrap_or_else(|_| super::SANDBOX_PUBLIC_KEY_PEM.to_string())
}

/// The headers every call (login included) needs: client-id,
/// client-secret, gstin; 1011 / 1012 / 1004 when missing.
fn client_headers(headers: &HeaderMap) -> Result<(&str, &str, &str), ErrorDetail> {
    let client_id = header_value(headers, "client-id")
        .or_else(|| header_value(headers, "client_id"))
        .ok_or_else(|| ErrorDetail::new("1011", "Client Id is required"))?;
    let secret = header_value(headers, "client-secret")
        .or_else(|| header_value(headers, "client_secret"))
        .ok_or_else(|| ErrorDetail::new("1012", "Client Secret is required"))?;
    let gstin = header_value(headers, "gstin")
        .ok_or_else(|| ErrorDetail::new("1004", "Header GSTIN is required"))?;
    Ok((client_id, secret, gstin))
}

/// Whether the client id and secret are a registered pair.
fn client_known(state: &State, client_id: &str, secret: &str) -> bool {
    state
        .config
        .users
        .iter()
        .any(|u| u.client_id == client_id && u.client_secret == secret)
}

/// `POST /eivital/v1.04/auth`.
fn login(state: &mut State, headers: &HeaderMap, body: &[u8]) -> Answer {
    const NAME: &str = "Login";
    let (client_id, secret, gstin) = match client_headers(headers) {
        Ok(h) => h,
        Err(e) => return Answer::refused(NAME, vec![e], &[]),
    };
    let payload = match server::decrypt_auth_request(body, &state.config.key) {
        Ok(p) => p,
        Err(rejection) => {
            // Missing or undecryptable data cannot be read; 1006 and 1016
            // are refusals of a readable request.
            return if matches!(rejection.code, "5003" | "1020") {
                Answer::rejection(NAME, &rejection)
            } else {
                Answer::refuse(NAME, rejection.code, rejection.message)
            };
        }
    };
    if !client_known(state, client_id, secret) {
        return Answer::refuse(NAME, "1010", "Invalid Client-ID/Client-Secret");
    }
    let user_name = payload.user_name.trim();
    let users = &state.config.users;
    if !users.iter().any(|u| u.user_name == user_name) {
        return Answer::refuse(NAME, "1017", "Incorrect user id");
    }
    let Some(user) = users
        .iter()
        .find(|u| u.user_name == user_name && u.client_id == client_id)
        .cloned()
    else {
        return Answer::refuse(NAME, "1018", "Client Id is not mapped to this user");
    };
    if payload.password.expose_secret() != user.password {
        return Answer::refuse(NAME, "1019", "Incorrect Password");
    }
    if !user.gstin.eq_ignore_ascii_case(gstin) {
        return Answer::refuse(NAME, "1015", "Invalid GSTIN for this user");
    }
    if !user.active {
        return Answer::refuse(NAME, "1014", "Inactive User");
    }

    let now = state.now();
    state.purge_sessions(now);
    let key = (user.client_id.clone(), user.user_name.clone());
    // Within the validity the same token (and session key) comes back;
    // ForceRefreshAccessToken renews only in the last minutes.
    let reuse = state
        .current_token
        .get(&key)
        .and_then(|token| state.sessions.get(token).map(|s| (token, s)))
        .filter(|(_, s)| !(payload.force_refresh && s.expires - now <= RENEWAL_MARGIN))
        .map(|(token, s)| (token.clone(), s.sek.clone(), s.expires));
    let (token, sek, expires) = match reuse {
        Some(found) => found,
        None => {
            let token = new_token();
            let sek = Sek::generate();
            let ttl = TimeDelta::from_std(state.config.token_ttl).unwrap_or(TimeDelta::hours(6));
            let expires = now + ttl;
            state.sessions.insert(
                token.clone(),
                Session {
                    client_id: user.client_id.clone(),
                    user_name: user.user_name.clone(),
                    gstin: user.gstin.to_ascii_uppercase(),
                    sek: sek.clone(),
                    expires,
                },
            );
            state.current_token.insert(key, token.clone());
            tracing::info!(user = %user.user_name, gstin = %user.gstin, "issued a new IRP token");
            (token, sek, expires)
        }
    };
    let body = server::auth_reply_body(
        &user.client_id,
        &user.user_name,
        &SecretString::from(token),
        &sek,
        &payload.app_key,
        expires,
    );
    Answer::ok(NAME, body)
}

/// 25 letters and digits, like the IRP's tokens (from 244 random bits).
fn new_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(25);
    // 62^13 < 2^122: each v4 UUID's random bits give 12 or 13 digits.
    for count in [12, 13] {
        let mut bits = uuid::Uuid::new_v4().as_u128();
        for _ in 0..count {
            out.push(char::from(ALPHABET[(bits % 62) as usize]));
            bits /= 62;
        }
    }
    out
}

/// Check the headers of an authenticated call: 1011, 1012, 1004, 1006,
/// 1010 and 1005 (missing, unknown, expired token, or one issued to
/// another client, user or GSTIN).
fn authenticate(state: &State, headers: &HeaderMap) -> Result<Caller, Answer> {
    let refuse = |code: &str, text: &str| Answer::refuse("-", code, text);
    let (client_id, secret, gstin) =
        client_headers(headers).map_err(|e| Answer::refused("-", vec![e], &[]))?;
    let user_name = header_value(headers, "user_name")
        .or_else(|| header_value(headers, "user-name"))
        .or_else(|| header_value(headers, "username"))
        .ok_or_else(|| refuse("1006", "User Name is required"))?;
    if !client_known(state, client_id, secret) {
        return Err(refuse("1010", "Invalid Client-ID/Client-Secret"));
    }
    let invalid = || refuse("1005", "Invalid Token");
    let token = header_value(headers, "authtoken").ok_or_else(invalid)?;
    let session = state.sessions.get(token).ok_or_else(invalid)?;
    let fits = session.expires > state.now()
        && session.client_id == client_id
        && session.user_name == user_name
        && session.gstin.eq_ignore_ascii_case(gstin);
    if !fits {
        return Err(invalid());
    }
    Ok(Caller {
        gstin: session.gstin.clone(),
        sek: session.sek.clone(),
    })
}

/// Authenticate a call of the e-way bill system's envelope: headers
/// client-id, client-secret, gstin and authtoken (no user name).
pub(crate) fn authenticate_ewb(state: &State, headers: &HeaderMap) -> Result<Caller, &'static str> {
    let (client_id, secret, gstin) = client_headers(headers).map_err(|_| "237")?;
    if !client_known(state, client_id, secret) {
        return Err("237");
    }
    let token = header_value(headers, "authtoken").ok_or("238")?;
    let session = state.sessions.get(token).ok_or("238")?;
    let fits = session.expires > state.now()
        && session.client_id == client_id
        && session.gstin.eq_ignore_ascii_case(gstin);
    if !fits {
        return Err("238");
    }
    Ok(Caller {
        gstin: session.gstin.clone(),
        sek: session.sek.clone(),
    })
}

/// Encrypt `data` with the caller's key into a success reply.
pub(crate) fn success<T: serde::Serialize>(
    endpoint: &'static str,
    caller: &Caller,
    data: &T,
    info: &[Info],
) -> Answer {
    match serde_json::to_vec(data) {
        Ok(json) => Answer::ok(endpoint, server::success_body(&caller.sek, &json, info)),
        Err(e) => Answer::unreadable(
            endpoint,
            StatusCode::INTERNAL_SERVER_ERROR,
            "SYS_5001",
            format!("cannot encode the reply: {e}"),
        ),
    }
}

/// Decrypt a request's `Data` and decode it into `T`, keys matched
/// without regard to case: 5003 / 1020 / 2140 (not JSON) with HTTP 400,
/// 2140 naming the field (HTTP 200) when it is JSON of another shape.
pub(crate) fn decode_payload<T: serde::de::DeserializeOwned>(
    endpoint: &'static str,
    caller: &Caller,
    body: &[u8],
) -> Result<T, Answer> {
    let plain = server::decrypt_request(body, &caller.sek)
        .map_err(|rejection| Answer::rejection(endpoint, &rejection))?;
    decode_json(endpoint, &plain)
}

/// Decode decrypted JSON into `T` (see [`decode_payload`]).
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    endpoint: &'static str,
    json: &[u8],
) -> Result<T, Answer> {
    let mut value: Value = serde_json::from_slice(json).map_err(|e| {
        Answer::unreadable(
            endpoint,
            StatusCode::BAD_REQUEST,
            "2140",
            format!("the decrypted payload is not JSON: {e}"),
        )
    })?;
    canonical_keys(&mut value);
    let text = value.to_string();
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        Answer::refuse(
            endpoint,
            "2140",
            format!("Payload does not match schema: at `{path}`: {}", e.inner()),
        )
    })
}

fn canonical_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut inner) in entries {
                canonical_keys(&mut inner);
                let name = if gst_irp::WIRE_NAMES.contains(&key.as_str()) {
                    key
                } else {
                    gst_irp::WIRE_NAMES
                        .iter()
                        .find(|n| n.eq_ignore_ascii_case(&key))
                        .map_or(key, |n| (*n).to_string())
                };
                map.insert(name, inner);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(canonical_keys),
        _ => {}
    }
}

/// GetGstinDetails (`sync` false) and SyncGstin (`sync` true).
fn gstin_details(state: &mut State, caller: &Caller, gstin: &str, sync: bool) -> Answer {
    let name = if sync { "SyncGstin" } else { "GetGstinDetails" };
    let Ok(gstin) = Gstin::new(gstin) else {
        return Answer::refuse(name, "3028", "GSTIN is invalid");
    };
    let Some(seed) = state.registry.get_mut(gstin.as_str()) else {
        return Answer::refuse(name, "3001", "Requested data is not available");
    };
    if sync {
        seed.in_irp_master = true;
    } else if !seed.in_irp_master {
        return Answer::refuse(name, "3001", "Requested data is not available");
    }
    let details = gst_irp::models::GstinDetails {
        gstin: seed.gstin.clone(),
        trade_name: seed.trade_name.clone(),
        legal_name: seed.legal_name.clone(),
        addr_bnm: seed.addr_bnm.clone(),
        addr_bno: seed.addr_bno.clone(),
        addr_flno: None,
        addr_st: seed.addr_st.clone(),
        addr_loc: seed.addr_loc.clone(),
        state_code: i32::from(gstin.state_code()),
        addr_pncd: seed.pin,
        txp_type: seed.txp_type.clone(),
        status: seed.status.clone(),
        blk_status: seed.blk_status.clone(),
        dt_reg: seed.dt_reg,
        dt_d_reg: seed.dt_d_reg,
    };
    success(name, caller, &details, &[])
}

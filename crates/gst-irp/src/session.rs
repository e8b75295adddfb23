//! The IRP session (login v1.04) as pure functions over bytes and JSON;
//! the HTTP client carries them.
//!
//! 1. [`auth_request_body`]: a fresh [`AppKey`] and the credentials, as
//!    `{"Data": base64(RSA-PKCS#1-v1.5(base64(json)))}` under the IRP's
//!    public key, sent with [`Credentials::login_headers`] to
//!    `POST /eivital/v1.04/auth`.
//! 2. [`read_auth_response`]: the reply's token, its expiry and the SEK
//!    (decrypted with the AppKey) become a [`Session`]; `Status` 0 becomes
//!    [`SessionError::Service`] with every `ErrorDetails` and `InfoDtls`
//!    entry.
//! 3. Every later call: [`Session::request_headers`],
//!    [`Session::encrypt_request`] for the body and
//!    [`Session::decrypt_response`] for the reply's `Data`.
//! 4. Renew with a new login when [`Session::needs_renewal`] (under ten
//!    minutes left), with `ForceRefreshAccessToken` set, because the IRP
//!    returns the same token to a plain re-login within its validity.
//!
//! The server side of the same steps (for the sandbox) is in [`server`].

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeDelta, Utc};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::Value;

use crate::crypto::{AppKey, CryptoError, IrpPublicKey, Sek, decode_base64, encode_base64};
use crate::envelope::{Envelope, ErrorDetail, Info, ServiceError, get_ci};

/// The login path (v1.04), relative to the base URL.
pub const AUTH_PATH: &str = "/eivital/v1.04/auth";

/// A session is renewed when less than this is left before its expiry
/// (what gst_irn and NIC's best practices use, and the window in which
/// `ForceRefreshAccessToken` yields a new token).
pub const RENEWAL_MARGIN: TimeDelta = TimeDelta::minutes(10);

/// Layout of `TokenExpiry` and the other IRP timestamps.
const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// India Standard Time (UTC+05:30), the zone of the IRP's timestamps
/// (inferred: the IRP writes local times without a zone).
pub const IST: FixedOffset = match FixedOffset::east_opt(5 * 3600 + 30 * 60) {
    Some(offset) => offset,
    None => panic!("UTC+05:30 is a valid offset"),
};

/// Everything a session can fail with. Messages name the field and the
/// problem and never carry a password, token or key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The IRP refused the request (`Status` 0).
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// Encryption or decryption failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The reply is not the IRP's envelope or lacks a documented field.
    #[error("{what}: unexpected reply: {message}")]
    Reply {
        /// The reply, e.g. `auth reply`.
        what: &'static str,
        /// What is missing or wrong.
        message: String,
    },
    /// A field has a value outside its rule.
    #[error("{field} `{value}` {rule}")]
    Field {
        /// The field, e.g. `TokenExpiry`.
        field: &'static str,
        /// The offending value.
        value: String,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// The decrypted `Data` does not decode into the requested type.
    #[error("cannot decode the decrypted Data at `{path}`: {message}")]
    Decode {
        /// JSON path of the offending value (`.` for the whole text).
        path: String,
        /// What was wrong.
        message: String,
    },
    /// A request payload could not be encoded as JSON.
    #[error("cannot encode the request payload: {0}")]
    Encode(String),
}

impl SessionError {
    /// The service error, when the IRP refused the request.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            SessionError::Service(e) => Some(e),
            _ => None,
        }
    }
}

/// What a login needs: the API user's GSTIN, the client id and secret the
/// IRP (or GSP) issued, and the API user's name and password.
///
/// `Debug` redacts the client secret and the password.
#[derive(Clone)]
pub struct Credentials {
    /// GSTIN of the API user (header `gstin`).
    pub gstin: String,
    /// `client-id` header (may be empty behind a GSP passthrough).
    pub client_id: String,
    /// `client-secret` header (may be empty behind a GSP passthrough).
    pub client_secret: SecretString,
    /// API user name.
    pub user_name: String,
    /// API password; only ever sent RSA-encrypted.
    pub password: SecretString,
}

impl Credentials {
    /// Credentials from their parts.
    pub fn new(
        gstin: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: SecretString,
        user_name: impl Into<String>,
        password: SecretString,
    ) -> Self {
        Credentials {
            gstin: gstin.into(),
            client_id: client_id.into(),
            client_secret,
            user_name: user_name.into(),
            password,
        }
    }

    /// Headers of the login call: `client-id`, `client-secret`, `gstin`.
    /// Merge GSP headers last with [`RequestHeaders::merge`].
    pub fn login_headers(&self) -> RequestHeaders {
        let mut headers = RequestHeaders::new();
        headers.set("client-id", &self.client_id);
        headers.set("client-secret", self.client_secret.expose_secret());
        headers.set("gstin", &self.gstin);
        headers
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("gstin", &self.gstin)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("user_name", &self.user_name)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Header names whose values `Debug` of [`RequestHeaders`] hides.
const SECRET_HEADERS: &[&str] = &["client-secret", "authtoken", "password", "authorization"];

/// An ordered list of request headers with case-insensitive names (the
/// IRP's are), where setting a name again replaces its value.
///
/// `Debug` hides the values of `client-secret`, `AuthToken`, `password`
/// (GSP) and `Authorization`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RequestHeaders(Vec<(String, String)>);

impl RequestHeaders {
    /// No headers.
    pub fn new() -> Self {
        RequestHeaders(Vec::new())
    }

    /// Set `name` to `value`, replacing a header of the same name in any
    /// case (keeping its position).
    pub fn set(&mut self, name: &str, value: &str) {
        match self
            .0
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(entry) => *entry = (name.to_string(), value.to_string()),
            None => self.0.push((name.to_string(), value.to_string())),
        }
    }

    /// Set every header of `extra`, in order (GSP passthrough headers such
    /// as `aspid` and `password`, which override ours).
    pub fn merge<K: AsRef<str>, V: AsRef<str>>(&mut self, extra: impl IntoIterator<Item = (K, V)>) {
        for (name, value) in extra {
            self.set(name.as_ref(), value.as_ref());
        }
    }

    /// The value of `name` (any case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The headers in order, as (name, value).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Number of headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for RequestHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in &self.0 {
            if SECRET_HEADERS.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                map.entry(name, &"<redacted>");
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

/// The decrypted login payload, in the documented key order.
#[derive(Serialize)]
struct LoginPayload<'a> {
    #[serde(rename = "UserName")]
    user_name: &'a str,
    #[serde(rename = "Password")]
    password: &'a str,
    #[serde(rename = "AppKey")]
    app_key: &'a str,
    #[serde(rename = "ForceRefreshAccessToken")]
    force_refresh: bool,
}

/// The body of the login call (`{"Data": "..."}`): the JSON
/// `{UserName, Password, AppKey, ForceRefreshAccessToken}`, base64-encoded,
/// then RSA-PKCS#1-v1.5-encrypted under `irp_key` and base64-encoded.
///
/// Make `app_key` with [`AppKey::generate`] and keep it to read the reply.
/// Set `force_refresh` when renewing a token that is about to expire: the
/// IRP otherwise returns the same token again. The base64 text must fit
/// one RSA block (245 bytes for the IRP's 2048-bit key), which bounds the
/// user name and password to about 65 bytes of JSON together; longer ones
/// fail here with [`CryptoError::PlaintextTooLong`].
pub fn auth_request_body(
    credentials: &Credentials,
    app_key: &AppKey,
    force_refresh: bool,
    irp_key: &IrpPublicKey,
) -> Result<String, SessionError> {
    if credentials.user_name.trim().is_empty() {
        return Err(SessionError::Field {
            field: "UserName",
            value: String::new(),
            rule: "must not be empty",
        });
    }
    let app_key_b64 = app_key.to_base64();
    let payload = LoginPayload {
        user_name: &credentials.user_name,
        password: credentials.password.expose_secret(),
        app_key: app_key_b64.expose_secret(),
        force_refresh,
    };
    let json = Zeroizing::new(
        serde_json::to_vec(&payload).map_err(|e| SessionError::Encode(e.to_string()))?,
    );
    let plaintext = Zeroizing::new(encode_base64(&json));
    let ciphertext = irp_key.encrypt("login payload (base64)", plaintext.as_bytes())?;
    Ok(data_body(&encode_base64(&ciphertext)))
}

/// `{"Data": "<text>"}`.
fn data_body(data: &str) -> String {
    serde_json::json!({ "Data": data }).to_string()
}

/// Read the login reply: on `Status` 1 its `Data` (a plain JSON object,
/// not encrypted) gives the token, its expiry and the SEK, decrypted with
/// the login's `app_key`; on `Status` 0, [`SessionError::Service`].
pub fn read_auth_response(
    body: &[u8],
    app_key: &AppKey,
    credentials: &Credentials,
) -> Result<Session, SessionError> {
    const WHAT: &str = "auth reply";
    let reply_error = |message: String| SessionError::Reply {
        what: WHAT,
        message,
    };
    let envelope = Envelope::parse(body).map_err(reply_error)?;
    let (data, _info) = envelope.into_result()?;
    let data = match data {
        // Some gateways send the object as a JSON string.
        Value::String(text) => serde_json::from_str(&text)
            .map_err(|_| reply_error("`Data` is a string but not a JSON object".into()))?,
        other => other,
    };
    let Value::Object(map) = data else {
        return Err(reply_error("`Data` is not a JSON object".into()));
    };
    let text = |key: &str| -> Option<String> {
        match get_ci(&map, key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    };
    let missing = |key: &str| reply_error(format!("`Data.{key}` is missing or empty"));
    let auth_token = text("AuthToken").ok_or_else(|| missing("AuthToken"))?;
    let sek = app_key.decrypt_sek(&text("Sek").ok_or_else(|| missing("Sek"))?)?;
    let expiry_text = text("TokenExpiry").ok_or_else(|| missing("TokenExpiry"))?;
    let token_expiry = parse_timestamp("TokenExpiry", &expiry_text)?;
    Ok(Session {
        client_id: text("ClientId").unwrap_or_else(|| credentials.client_id.clone()),
        user_name: text("UserName").unwrap_or_else(|| credentials.user_name.clone()),
        gstin: credentials.gstin.clone(),
        auth_token: SecretString::from(auth_token),
        sek,
        token_expiry,
    })
}

/// Parse an IRP timestamp (`yyyy-MM-dd HH:mm:ss`, India time; fractional
/// seconds and an ISO `T` are tolerated).
pub fn parse_timestamp(
    field: &'static str,
    value: &str,
) -> Result<DateTime<FixedOffset>, SessionError> {
    let text = value.trim();
    let naive = NaiveDateTime::parse_from_str(text, TIMESTAMP_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"))
        .map_err(|_| SessionError::Field {
            field,
            value: text.to_string(),
            rule: "must be a timestamp as yyyy-MM-dd HH:mm:ss",
        })?;
    naive
        .and_local_timezone(IST)
        .single()
        .ok_or(SessionError::Field {
            field,
            value: text.to_string(),
            rule: "is not a valid India Standard Time",
        })
}

/// Format a timestamp as the IRP writes it: `yyyy-MM-dd HH:mm:ss` in India
/// time.
pub fn format_timestamp(at: DateTime<impl chrono::TimeZone>) -> String {
    at.with_timezone(&IST).format(TIMESTAMP_FORMAT).to_string()
}

/// A logged-in IRP session: the token, the session key (SEK), the token's
/// expiry, and who it belongs to.
///
/// `Debug` redacts the token and the SEK. Keep it across calls and
/// processes (see [`crate::token_store`]) until [`Session::needs_renewal`].
#[derive(Clone)]
pub struct Session {
    client_id: String,
    user_name: String,
    gstin: String,
    auth_token: SecretString,
    sek: Sek,
    token_expiry: DateTime<FixedOffset>,
}

impl Session {
    /// A session from its parts (e.g. restored from a store).
    pub fn new(
        client_id: impl Into<String>,
        user_name: impl Into<String>,
        gstin: impl Into<String>,
        auth_token: SecretString,
        sek: Sek,
        token_expiry: DateTime<FixedOffset>,
    ) -> Self {
        Session {
            client_id: client_id.into(),
            user_name: user_name.into(),
            gstin: gstin.into(),
            auth_token,
            sek,
            token_expiry,
        }
    }

    /// The client id the IRP answered (`ClientId`).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The API user (`UserName`, header `user_name`).
    pub fn user_name(&self) -> &str {
        &self.user_name
    }

    /// The GSTIN the session was opened for (header `gstin`).
    pub fn gstin(&self) -> &str {
        &self.gstin
    }

    /// The token (header `AuthToken`).
    pub fn auth_token(&self) -> &SecretString {
        &self.auth_token
    }

    /// The session key.
    pub fn sek(&self) -> &Sek {
        &self.sek
    }

    /// When the token expires (India time).
    pub fn token_expiry(&self) -> DateTime<FixedOffset> {
        self.token_expiry
    }

    /// Time left at `now` (negative once expired).
    pub fn remaining_at(&self, now: DateTime<Utc>) -> TimeDelta {
        self.token_expiry.with_timezone(&Utc) - now
    }

    /// Whether the session should be renewed at `now`: less than
    /// [`RENEWAL_MARGIN`] (ten minutes) left, or expired.
    pub fn needs_renewal_at(&self, now: DateTime<Utc>) -> bool {
        self.remaining_at(now) < RENEWAL_MARGIN
    }

    /// [`Session::needs_renewal_at`] the current time.
    pub fn needs_renewal(&self) -> bool {
        self.needs_renewal_at(Utc::now())
    }

    /// Headers of every call after login: `client-id`, `client-secret`,
    /// `gstin`, `user_name`, `AuthToken`. Add `sup_gstin`/`irp` where an
    /// endpoint takes them, and merge GSP headers last.
    pub fn request_headers(&self, credentials: &Credentials) -> RequestHeaders {
        let mut headers = credentials.login_headers();
        headers.set("user_name", &self.user_name);
        headers.set("AuthToken", self.auth_token.expose_secret());
        headers
    }

    /// The body of a POST: `{"Data": base64(AES-256-ECB(json, SEK))}`.
    pub fn encrypt_request<T: Serialize + ?Sized>(
        &self,
        payload: &T,
    ) -> Result<String, SessionError> {
        let json = serde_json::to_vec(payload).map_err(|e| SessionError::Encode(e.to_string()))?;
        Ok(self.encrypt_request_json(&json))
    }

    /// [`Session::encrypt_request`] for a payload already encoded as JSON.
    pub fn encrypt_request_json(&self, json: &[u8]) -> String {
        data_body(&self.sek.encrypt(json))
    }

    /// Read a reply: on `Status` 1 decrypt its `Data` with the SEK; on
    /// `Status` 0, [`SessionError::Service`] with every entry.
    pub fn decrypt_response(&self, body: &[u8]) -> Result<Reply, SessionError> {
        const WHAT: &str = "reply";
        let envelope = Envelope::parse(body).map_err(|message| SessionError::Reply {
            what: WHAT,
            message,
        })?;
        let (data, info) = envelope.into_result()?;
        let data = match data {
            Value::String(text) if text.trim().is_empty() => "null".to_string(),
            Value::String(text) => {
                let plain = self.sek.decrypt("Data", &text)?;
                String::from_utf8(plain).map_err(|_| SessionError::Reply {
                    what: WHAT,
                    message: "the decrypted `Data` is not UTF-8 text".into(),
                })?
            }
            Value::Null => "null".to_string(),
            // Not encrypted (some endpoints of some gateways): pass it on.
            other => other.to_string(),
        };
        Ok(Reply { data, info })
    }

    /// The body of a call to the e-way bill API behind the IRP (cancel
    /// e-way bill): `{"action": action, "data": AES(base64(json), SEK)}`.
    /// Unlike the IRP's own calls, the JSON is base64-encoded before
    /// encryption.
    pub fn encrypt_ewb_request<T: Serialize + ?Sized>(
        &self,
        action: &str,
        payload: &T,
    ) -> Result<String, SessionError> {
        let json = serde_json::to_vec(payload).map_err(|e| SessionError::Encode(e.to_string()))?;
        let data = self.sek.encrypt(encode_base64(&json).as_bytes());
        Ok(serde_json::json!({ "action": action, "data": data }).to_string())
    }

    /// Read an e-way bill API reply: `{"status":"1","data":"<enc>"}` or
    /// `{"status":"0","error":"<base64 of {\"errorCodes\":\"240,..\"}>"}`;
    /// the error codes become [`ErrorDetail`]s without text.
    ///
    /// The decrypted `data` is taken as JSON, or as base64 of JSON (the
    /// request's encoding; which one NIC uses is not documented).
    pub fn decrypt_ewb_response(&self, body: &[u8]) -> Result<Reply, SessionError> {
        const WHAT: &str = "e-way bill API reply";
        let reply_error = |message: String| SessionError::Reply {
            what: WHAT,
            message,
        };
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| reply_error(format!("the body is not JSON ({e})")))?;
        let Value::Object(map) = value else {
            return Err(reply_error("the body is not a JSON object".into()));
        };
        let status = match get_ci(&map, "status") {
            Some(Value::String(s)) => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(reply_error("no `status` field".into())),
        };
        match status.as_str() {
            "1" => {
                let Some(Value::String(data)) = get_ci(&map, "data") else {
                    return Err(reply_error("`data` is missing".into()));
                };
                let plain = self.sek.decrypt("data", data)?;
                let json = if serde_json::from_slice::<Value>(&plain).is_ok() {
                    plain
                } else {
                    let text = String::from_utf8_lossy(&plain);
                    decode_base64("decrypted data", &text)?
                };
                let data = String::from_utf8(json)
                    .map_err(|_| reply_error("the decrypted `data` is not UTF-8 text".into()))?;
                Ok(Reply {
                    data,
                    info: Vec::new(),
                })
            }
            "0" => Err(SessionError::Service(ewb_error(get_ci(&map, "error")))),
            other => Err(reply_error(format!(
                "`status` is `{other}`, expected 1 or 0"
            ))),
        }
    }
}

/// The error codes of an e-way bill API refusal.
fn ewb_error(error: Option<&Value>) -> ServiceError {
    let mut errors = Vec::new();
    if let Some(Value::String(text)) = error {
        let decoded = decode_base64("error", text)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
        match decoded {
            Some(Value::Object(map)) => {
                let codes = match get_ci(&map, "errorCodes") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => String::new(),
                };
                errors.extend(
                    codes
                        .split(',')
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(|c| ErrorDetail::new(c, "")),
                );
            }
            _ => errors.push(ErrorDetail::new("", text.clone())),
        }
    }
    ServiceError {
        errors,
        info: Vec::new(),
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("client_id", &self.client_id)
            .field("user_name", &self.user_name)
            .field("gstin", &self.gstin)
            .field("auth_token", &"<redacted>")
            .field("sek", &self.sek)
            .field("token_expiry", &self.token_expiry)
            .finish()
    }
}

/// A successful reply: the decrypted `Data` (JSON text; `null` when there
/// was none) and the `InfoDtls` entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    data: String,
    info: Vec<Info>,
}

impl Reply {
    /// The decrypted `Data` as JSON text.
    pub fn data_json(&self) -> &str {
        &self.data
    }

    /// The decrypted `Data` decoded into `T`; an error names the JSON path
    /// of the offending value.
    pub fn data<T: serde::de::DeserializeOwned>(&self) -> Result<T, SessionError> {
        // Path tracking costs time on every value: only a failing text is
        // decoded a second time to find the path.
        if let Ok(value) = serde_json::from_str(&self.data) {
            return Ok(value);
        }
        let mut deserializer = serde_json::Deserializer::from_str(&self.data);
        let result: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
        match result {
            Err(e) => Err(SessionError::Decode {
                path: e.path().to_string(),
                message: e.into_inner().to_string(),
            }),
            Ok(value) => deserializer
                .end()
                .map(|()| value)
                .map_err(|e| SessionError::Decode {
                    path: ".".into(),
                    message: e.to_string(),
                }),
        }
    }

    /// The `InfoDtls` entries (e.g. `EWBPPD`, `EWBERR`).
    pub fn info(&self) -> &[Info] {
        &self.info
    }
}

pub mod server {
    //! The server side of the session, for an emulator of the IRP (the
    //! sandbox): read the login payload with the private key, answer with
    //! the SEK under the AppKey, read and write encrypted payloads.
    //!
    //! Failures are [`Rejection`]s carrying the error code and text the IRP
    //! answers in the same case.

    use chrono::{DateTime, TimeZone};
    use secrecy::zeroize::Zeroizing;
    use secrecy::{ExposeSecret, SecretString};
    use serde::Deserialize;
    use serde_json::Value;

    use super::{data_body, format_timestamp};
    use crate::crypto::{AppKey, IrpPrivateKey, Sek, decode_base64, encode_base64};
    use crate::envelope::{ErrorDetail, Info, get_ci};

    /// A request the server refuses, with the IRP's code and text for it.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    #[error("{code}: {message}")]
    pub struct Rejection {
        /// The IRP error code, e.g. `5003`.
        pub code: &'static str,
        /// The text to answer.
        pub message: String,
    }

    impl Rejection {
        fn new(code: &'static str, message: impl Into<String>) -> Self {
            Rejection {
                code,
                message: message.into(),
            }
        }

        /// The reply body for this rejection (`Status` 0).
        pub fn to_body(&self) -> String {
            error_body(&[ErrorDetail::new(self.code, self.message.clone())], &[])
        }
    }

    /// The decrypted login payload. `Debug` redacts the password and the
    /// AppKey.
    pub struct AuthPayload {
        /// `UserName`.
        pub user_name: String,
        /// `Password`.
        pub password: SecretString,
        /// `AppKey`.
        pub app_key: AppKey,
        /// `ForceRefreshAccessToken`.
        pub force_refresh: bool,
    }

    impl std::fmt::Debug for AuthPayload {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("AuthPayload")
                .field("user_name", &self.user_name)
                .field("password", &"<redacted>")
                .field("app_key", &self.app_key)
                .field("force_refresh", &self.force_refresh)
                .finish()
        }
    }

    /// The login JSON as clients send it; keys are matched regardless of
    /// case, as the IRP does.
    #[derive(Deserialize)]
    struct LoginJson {
        #[serde(
            rename = "UserName",
            alias = "username",
            alias = "userName",
            alias = "USERNAME"
        )]
        user_name: Option<String>,
        #[serde(rename = "Password", alias = "password", alias = "PASSWORD")]
        password: Option<String>,
        #[serde(
            rename = "AppKey",
            alias = "appkey",
            alias = "appKey",
            alias = "APPKEY"
        )]
        app_key: Option<String>,
        #[serde(
            rename = "ForceRefreshAccessToken",
            alias = "forceRefreshAccessToken",
            alias = "forcerefreshaccesstoken",
            default
        )]
        force_refresh: Option<Value>,
    }

    /// The `Data` text of a request body, or 5003 when there is none.
    fn request_data(body: &[u8]) -> Result<String, Rejection> {
        let empty = || Rejection::new("5003", "Data cannot be null or empty");
        let value: Value = serde_json::from_slice(body).map_err(|_| empty())?;
        match &value {
            Value::Object(map) => match get_ci(map, "Data") {
                Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
                _ => Err(empty()),
            },
            _ => Err(empty()),
        }
    }

    /// Read a login body with the server's private key.
    ///
    /// 5003 without `Data`; 1020 when it does not decrypt (wrong public
    /// key) or does not hold the login JSON; 1006 without a user name;
    /// 1016 when the AppKey is not 32 bytes of base64.
    pub fn decrypt_auth_request(
        body: &[u8],
        key: &IrpPrivateKey,
    ) -> Result<AuthPayload, Rejection> {
        let failed = || Rejection::new("1020", "Decryption failed");
        let data = request_data(body)?;
        let ciphertext = decode_base64("Data", &data).map_err(|_| failed())?;
        let plaintext = key.decrypt(&ciphertext).map_err(|_| failed())?;
        let text = std::str::from_utf8(&plaintext).map_err(|_| failed())?;
        let json = Zeroizing::new(decode_base64("login payload", text).map_err(|_| failed())?);
        let login: LoginJson = serde_json::from_slice(&json).map_err(|_| failed())?;
        let password = SecretString::from(login.password.unwrap_or_default());
        let user_name = login.user_name.unwrap_or_default();
        if user_name.trim().is_empty() {
            return Err(Rejection::new("1006", "User Name is required"));
        }
        let app_key = login
            .app_key
            .as_deref()
            .and_then(|k| AppKey::from_base64(k).ok())
            .ok_or_else(|| Rejection::new("1016", "Decryption of App Key failed"))?;
        let force_refresh = match login.force_refresh {
            Some(Value::Bool(b)) => b,
            Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
            _ => false,
        };
        Ok(AuthPayload {
            user_name,
            password,
            app_key,
            force_refresh,
        })
    }

    /// The successful login reply: `Data` holds the token, the SEK
    /// encrypted under the client's AppKey and the expiry, in the clear.
    pub fn auth_reply_body<Tz: TimeZone>(
        client_id: &str,
        user_name: &str,
        auth_token: &SecretString,
        sek: &Sek,
        app_key: &AppKey,
        token_expiry: DateTime<Tz>,
    ) -> String {
        serde_json::json!({
            "Status": 1,
            "Data": {
                "ClientId": client_id,
                "UserName": user_name,
                "AuthToken": auth_token.expose_secret(),
                "Sek": app_key.encrypt_sek(sek),
                "TokenExpiry": format_timestamp(token_expiry),
            },
            "ErrorDetails": null,
            "InfoDtls": null,
        })
        .to_string()
    }

    /// Decrypt a request body's `Data` with the session's SEK: 5003 without
    /// `Data`, 1020 when it does not decrypt.
    pub fn decrypt_request(body: &[u8], sek: &Sek) -> Result<Vec<u8>, Rejection> {
        let data = request_data(body)?;
        sek.decrypt("Data", &data)
            .map_err(|_| Rejection::new("1020", "Decryption failed"))
    }

    /// A successful reply: `Data` encrypted with the SEK, `InfoDtls` when
    /// there are entries.
    pub fn success_body(sek: &Sek, data_json: &[u8], info: &[Info]) -> String {
        serde_json::json!({
            "Status": 1,
            "Data": sek.encrypt(data_json),
            "ErrorDetails": null,
            "InfoDtls": info_value(info),
        })
        .to_string()
    }

    /// A refusal: `Status` 0 with every error and info entry.
    pub fn error_body(errors: &[ErrorDetail], info: &[Info]) -> String {
        serde_json::json!({
            "Status": 0,
            "Data": null,
            "ErrorDetails": errors,
            "InfoDtls": info_value(info),
        })
        .to_string()
    }

    fn info_value(info: &[Info]) -> Value {
        if info.is_empty() {
            Value::Null
        } else {
            serde_json::to_value(info).unwrap_or(Value::Null)
        }
    }

    /// Read an e-way bill API body `{"action", "data"}`: the action and the
    /// JSON (the data is AES(base64(json)) under the SEK).
    pub fn decrypt_ewb_request(body: &[u8], sek: &Sek) -> Result<(String, Vec<u8>), Rejection> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|_| Rejection::new("5003", "Data cannot be null or empty"))?;
        let Value::Object(map) = value else {
            return Err(Rejection::new("5003", "Data cannot be null or empty"));
        };
        let action = match get_ci(&map, "action") {
            Some(Value::String(a)) => a.clone(),
            _ => String::new(),
        };
        let Some(Value::String(data)) = get_ci(&map, "data") else {
            return Err(Rejection::new("5003", "Data cannot be null or empty"));
        };
        let failed = || Rejection::new("1020", "Decryption failed");
        let plain = sek.decrypt("data", data).map_err(|_| failed())?;
        let text = std::str::from_utf8(&plain).map_err(|_| failed())?;
        let json = decode_base64("data", text).map_err(|_| failed())?;
        Ok((action, json))
    }

    /// A successful e-way bill API reply (`data` as AES(base64(json))).
    pub fn ewb_success_body(sek: &Sek, data_json: &[u8]) -> String {
        let data = sek.encrypt(encode_base64(data_json).as_bytes());
        serde_json::json!({ "status": "1", "data": data }).to_string()
    }

    /// An e-way bill API refusal with these error codes.
    pub fn ewb_error_body(codes: &[&str]) -> String {
        let error = serde_json::json!({ "errorCodes": codes.join(",") }).to_string();
        serde_json::json!({ "status": "0", "error": encode_base64(error.as_bytes()), "info": null })
            .to_string()
    }

    /// The body of a request as a client sends it, for tests of a server:
    /// `{"Data": AES(json, SEK)}`.
    pub fn encrypt_request(sek: &Sek, json: &[u8]) -> String {
        data_body(&sek.encrypt(json))
    }
}

#[cfg(test)]
mod tests {
    use super::server::*;
    use super::*;
    use crate::crypto::IrpPrivateKey;

    fn key() -> IrpPrivateKey {
        IrpPrivateKey::from_file(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/irp_test_key.pem"
        ))
        .unwrap()
    }

    fn credentials() -> Credentials {
        Credentials::new(
            "29AAACP7879D1Z0",
            "AAACP29TXPLBMRR",
            SecretString::from("client-secret-value"),
            "TallyUser",
            SecretString::from("Pa$$w0rd-secret"),
        )
    }

    fn at(text: &str) -> DateTime<Utc> {
        parse_timestamp("test", text).unwrap().with_timezone(&Utc)
    }

    fn session_from_login() -> (Session, Sek) {
        let key = key();
        let creds = credentials();
        let app_key = AppKey::generate();
        let body = auth_request_body(&creds, &app_key, false, key.public_key()).unwrap();
        let payload = decrypt_auth_request(body.as_bytes(), &key).unwrap();
        let sek = Sek::generate();
        let expiry = parse_timestamp("TokenExpiry", "2030-01-01 12:00:00").unwrap();
        let reply = auth_reply_body(
            "AAACP29TXPLBMRR",
            &payload.user_name,
            &SecretString::from("tok-123"),
            &sek,
            &payload.app_key,
            expiry,
        );
        (
            read_auth_response(reply.as_bytes(), &app_key, &creds).unwrap(),
            sek,
        )
    }

    #[test]
    fn auth_body_carries_the_documented_payload() {
        let key = key();
        let creds = credentials();
        let app_key = AppKey::from_bytes([1; 32]);
        let body = auth_request_body(&creds, &app_key, true, key.public_key()).unwrap();
        let value: Value = serde_json::from_str(&body).unwrap();
        let data = value["Data"].as_str().unwrap();
        // One 2048-bit RSA block: 256 bytes, 344 base64 characters.
        assert_eq!(data.len(), 344);
        assert_eq!(value.as_object().unwrap().len(), 1);
        // Decrypt by hand: RSA -> base64 text -> JSON, keys in order.
        let plain = key.decrypt(&decode_base64("t", data).unwrap()).unwrap();
        let json = decode_base64("t", std::str::from_utf8(&plain).unwrap()).unwrap();
        let expected = format!(
            r#"{{"UserName":"TallyUser","Password":"Pa$$w0rd-secret","AppKey":"{}","ForceRefreshAccessToken":true}}"#,
            app_key.to_base64().expose_secret()
        );
        assert_eq!(String::from_utf8(json).unwrap(), expected);
        // The server-side reader agrees.
        let payload = decrypt_auth_request(body.as_bytes(), &key).unwrap();
        assert_eq!(payload.user_name, "TallyUser");
        assert_eq!(payload.password.expose_secret(), "Pa$$w0rd-secret");
        assert_eq!(payload.app_key.expose_bytes(), &[1; 32]);
        assert!(payload.force_refresh);
        assert!(!format!("{payload:?}").contains("Pa$$"));
    }

    #[test]
    fn auth_body_too_long_credentials_are_refused_by_size() {
        let mut creds = credentials();
        creds.password = SecretString::from("p".repeat(200));
        let e =
            auth_request_body(&creds, &AppKey::generate(), false, key().public_key()).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("login payload (base64) is "), "{text}");
        assert!(text.contains("at most 245 bytes"), "{text}");
        assert!(!text.contains("ppp"));
        creds.user_name = " ".into();
        let e =
            auth_request_body(&creds, &AppKey::generate(), false, key().public_key()).unwrap_err();
        assert_eq!(e.to_string(), "UserName `` must not be empty");
    }

    #[test]
    fn login_round_trip_gives_a_session() {
        let (session, sek) = session_from_login();
        assert_eq!(session.auth_token().expose_secret(), "tok-123");
        assert_eq!(session.sek().expose_bytes(), sek.expose_bytes());
        assert_eq!(session.user_name(), "TallyUser");
        assert_eq!(session.client_id(), "AAACP29TXPLBMRR");
        assert_eq!(session.gstin(), "29AAACP7879D1Z0");
        assert_eq!(
            format_timestamp(session.token_expiry()),
            "2030-01-01 12:00:00"
        );
        let shown = format!("{session:?}");
        assert!(
            shown.contains("<redacted>") && !shown.contains("tok-123"),
            "{shown}"
        );
    }

    #[test]
    fn reads_a_captured_style_auth_reply() {
        // Shape of the IRP's reply, SEK made with `openssl enc -aes-256-ecb`.
        let app_key = AppKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap();
        let body = br#"{"Status":1,"Data":{"ClientId":"AAACP29TXPLBMRR","UserName":"TallyUser","AuthToken":"1cTt7Xo6NUbpdMS1lLO0vrvAx","Sek":"Z4qguXm837ddpz+w27BmJGS6JdCtd+6Ez1P2ZGhZBEqfO3UEkm+L024xGOkDpM1K","TokenExpiry":"2020-04-03 17:42:00"},"ErrorDetails":null,"InfoDtls":null}"#;
        let session = read_auth_response(body, &app_key, &credentials()).unwrap();
        assert_eq!(
            session.sek().to_base64().expose_secret(),
            "YD3rEBXKcb4rc67whX13gR81LAc7YQjXLZgQowkU3/Q="
        );
        // 17:42 IST is 12:12 UTC.
        assert_eq!(
            session.token_expiry().with_timezone(&Utc).to_rfc3339(),
            "2020-04-03T12:12:00+00:00"
        );
    }

    #[test]
    fn auth_refusal_carries_every_entry() {
        let body = br#"{"Status":0,"Data":null,"ErrorDetails":[{"ErrorCode":"1008","ErrorMessage":"Invalid login credentials"},{"ErrorCode":"1015","ErrorMessage":"Invalid GSTIN for this user"}],"InfoDtls":null}"#;
        let e = read_auth_response(body, &AppKey::generate(), &credentials()).unwrap_err();
        let service = e.service_error().unwrap();
        assert_eq!(service.codes().collect::<Vec<_>>(), ["1008", "1015"]);
        assert_eq!(
            e.to_string(),
            "the IRP refused the request: 1008 Invalid login credentials; 1015 Invalid GSTIN for this user"
        );
    }

    #[test]
    fn bad_auth_replies_name_the_problem_without_the_token() {
        let app_key = AppKey::generate();
        let cases: [(&[u8], &str); 4] = [
            (
                b"<html>",
                "auth reply: unexpected reply: the body is not JSON",
            ),
            (
                br#"{"Status":1,"Data":{"AuthToken":"secret-token"}}"#,
                "auth reply: unexpected reply: `Data.Sek` is missing or empty",
            ),
            (
                br#"{"Status":1,"Data":[]}"#,
                "auth reply: unexpected reply: `Data` is not a JSON object",
            ),
            (
                br#"{"Status":1,"Data":{"AuthToken":"secret-token","Sek":"AAAA"}}"#,
                "cannot decrypt Sek",
            ),
        ];
        for (body, expected) in cases {
            let e = read_auth_response(body, &app_key, &credentials()).unwrap_err();
            let text = e.to_string();
            assert!(text.contains(expected), "{text}");
            assert!(!text.contains("secret-token"), "{text}");
        }
        let sek = app_key.encrypt_sek(&Sek::generate());
        let body = format!(
            r#"{{"Status":1,"Data":{{"AuthToken":"t","Sek":"{sek}","TokenExpiry":"03/04/2020"}}}}"#
        );
        let e = read_auth_response(body.as_bytes(), &app_key, &credentials()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "TokenExpiry `03/04/2020` must be a timestamp as yyyy-MM-dd HH:mm:ss"
        );
    }

    #[test]
    fn renewal_when_under_ten_minutes_remain() {
        let (session, _) = session_from_login();
        assert!(!session.needs_renewal_at(at("2030-01-01 11:49:59")));
        assert!(!session.needs_renewal_at(at("2030-01-01 11:50:00")));
        assert!(session.needs_renewal_at(at("2030-01-01 11:50:01")));
        assert!(session.needs_renewal_at(at("2030-01-01 13:00:00")));
        assert_eq!(
            session.remaining_at(at("2030-01-01 11:00:00")),
            TimeDelta::hours(1)
        );
        assert!(!session.needs_renewal(), "expires in 2030");
    }

    #[test]
    fn request_and_reply_round_trip() {
        let (session, sek) = session_from_login();
        let invoice = serde_json::json!({"Version": "1.1", "DocDtls": {"Typ": "INV", "No": "A/1"}});
        let body = session.encrypt_request(&invoice).unwrap();
        let got = decrypt_request(body.as_bytes(), &sek).unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&got).unwrap(), invoice);

        let info = [Info::EwbDistance("Pin-Pin calc distance: 2467KM".into())];
        let reply_body = success_body(&sek, br#"{"AckNo":232210036743849,"Irn":"706d"}"#, &info);
        let reply = session.decrypt_response(reply_body.as_bytes()).unwrap();
        #[derive(serde::Deserialize, Debug)]
        struct Ack {
            #[serde(rename = "AckNo")]
            ack_no: i64,
        }
        assert_eq!(reply.data::<Ack>().unwrap().ack_no, 232210036743849);
        assert_eq!(reply.info(), info);
        let e = reply.data::<Vec<i64>>().unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot decode the decrypted Data at `.`"),
            "{e}"
        );
    }

    #[test]
    fn service_errors_and_bad_replies() {
        let (session, _) = session_from_login();
        let body = error_body(&[ErrorDetail::new("1005", "Invalid Token")], &[]);
        let e = session.decrypt_response(body.as_bytes()).unwrap_err();
        assert!(e.service_error().unwrap().is_invalid_token());
        // Encrypted with another key: a named decryption error.
        let other = success_body(&Sek::generate(), b"{\"a\":1}", &[]);
        match session.decrypt_response(other.as_bytes()) {
            Err(e) => assert!(e.to_string().contains("Data"), "{e}"),
            Ok(reply) => assert_ne!(reply.data_json(), "{\"a\":1}"),
        }
        let reply = session
            .decrypt_response(br#"{"Status":"1","Data":null}"#)
            .unwrap();
        assert_eq!(reply.data_json(), "null");
    }

    #[test]
    fn headers_and_their_debug() {
        let (session, _) = session_from_login();
        let mut headers = session.request_headers(&credentials());
        headers.merge([
            ("aspid", "1234"),
            ("password", "gsp-pass"),
            ("CLIENT-ID", ""),
        ]);
        let names: Vec<_> = headers.iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "CLIENT-ID",
                "client-secret",
                "gstin",
                "user_name",
                "AuthToken",
                "aspid",
                "password"
            ]
        );
        assert_eq!(headers.get("authtoken"), Some("tok-123"));
        assert_eq!(headers.get("client-id"), Some(""));
        let shown = format!("{headers:?}");
        for secret in ["tok-123", "gsp-pass", "client-secret-value"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("1234"));
        let creds = format!("{:?}", credentials());
        assert!(
            !creds.contains("Pa$$") && !creds.contains("client-secret-value"),
            "{creds}"
        );
    }

    #[test]
    fn server_rejections_use_the_irp_codes() {
        let key = key();
        let e = decrypt_auth_request(b"", &key).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            ("5003", "Data cannot be null or empty")
        );
        assert_eq!(
            decrypt_auth_request(br#"{"Data":""}"#, &key)
                .unwrap_err()
                .code,
            "5003"
        );
        // Encrypted under another key: the padding check fails (or yields
        // noise that is not the login JSON).
        let junk = encode_base64(&[7u8; 256]);
        let body = format!(r#"{{"Data":"{junk}"}}"#);
        assert_eq!(
            decrypt_auth_request(body.as_bytes(), &key)
                .unwrap_err()
                .code,
            "1020"
        );
        let e = decrypt_request(br#"{"Data":"AAAA"}"#, &Sek::generate()).unwrap_err();
        let body: Value = serde_json::from_str(&e.to_body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"Status": 0, "Data": null, "InfoDtls": null,
                "ErrorDetails": [{"ErrorCode": "1020", "ErrorMessage": "Decryption failed"}]})
        );
    }

    #[test]
    fn ewb_api_envelope_round_trip() {
        let (session, sek) = session_from_login();
        let body = session
            .encrypt_ewb_request("CANEWB", &serde_json::json!({"ewbNo": 391009149369u64, "cancelRsnCode": 2, "cancelRmrk": "x"}))
            .unwrap();
        let (action, json) = decrypt_ewb_request(body.as_bytes(), &sek).unwrap();
        assert_eq!(action, "CANEWB");
        assert_eq!(
            serde_json::from_slice::<Value>(&json).unwrap()["ewbNo"],
            391009149369u64
        );
        let reply = ewb_success_body(
            &sek,
            br#"{"ewayBillNo":391009149369,"cancelDate":"15/12/2017 11:35:00 AM"}"#,
        );
        let reply = session.decrypt_ewb_response(reply.as_bytes()).unwrap();
        assert!(reply.data_json().contains("cancelDate"));
        // A reply whose data is plain JSON under AES is read too.
        let plain =
            serde_json::json!({"status": "1", "data": sek.encrypt(b"{\"a\":1}")}).to_string();
        assert_eq!(
            session
                .decrypt_ewb_response(plain.as_bytes())
                .unwrap()
                .data_json(),
            "{\"a\":1}"
        );
        let e = session
            .decrypt_ewb_response(ewb_error_body(&["240", "312"]).as_bytes())
            .unwrap_err();
        assert_eq!(
            e.service_error().unwrap().codes().collect::<Vec<_>>(),
            ["240", "312"]
        );
    }
}

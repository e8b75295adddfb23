//! Login flows against a tiny local stand-in for eapi.rs.ge that answers the
//! document's envelopes (and the real service's HTTP 401 for -1xx codes).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rsge_eapi::client::Client;
use rsge_eapi::{DeviceInfo, ExposeSecret, LoginOutcome, SecretString};
use serde_json::{Value, json};
use taxsdk_runtime::Error;
use taxsdk_runtime::server::axum::{
    self, Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};

const ONE_STEP_TOKEN: &str = "190cf874-cb7c-437f-82c4-1a7725d40f4f-10042019032106";
const TWO_STEP_TOKEN: &str = "ff68b0d6-7733-413f-a9d3-f2b3bed05d59-10042019052459";
const PIN_TOKEN: &str = "roTFAvUvlyLFHDqYOKAp-10042019171434";
const PIN: &str = "7542";
const PASSWORD: &str = "123456";
const WRONG_PASSWORD: &str = "hunter2-wrong";
const WRONG_PIN: &str = "0000";

/// One request as the stand-in saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    authorization: Option<String>,
    body: Value,
}

#[derive(Default)]
struct Service {
    seen: Mutex<Vec<Seen>>,
    tokens: Mutex<HashSet<String>>,
    devices: Mutex<HashSet<String>>,
    fail_sign_out: AtomicBool,
}

impl Service {
    fn seen(&self, path: &str) -> Vec<Seen> {
        let seen = self.seen.lock().unwrap();
        seen.iter().filter(|s| s.path == path).cloned().collect()
    }
}

fn reply(http: StatusCode, code: i64, text: &str, data: Value) -> Response {
    let body = json!({ "DATA": data, "STATUS": { "ID": code, "TEXT": text } });
    (
        http,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

fn ok(data: Value) -> Response {
    reply(StatusCode::OK, 0, "ოპერაცია წარმატებით დასრულდა", data)
}

fn issue(service: &Service, token: &str) -> String {
    service.tokens.lock().unwrap().insert(token.to_string());
    token.to_string()
}

async fn handle(
    State(service): State<Arc<Service>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap().to_string());
    let body: Value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body).unwrap()
    };
    service.seen.lock().unwrap().push(Seen {
        path: uri.path().to_string(),
        authorization: authorization.clone(),
        body: body.clone(),
    });
    let bearer = authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .filter(|t| service.tokens.lock().unwrap().contains(*t))
        .map(str::to_string);
    let bad_token = || {
        reply(
            StatusCode::UNAUTHORIZED,
            -104,
            "Token არ არის სწორი!",
            json!({}),
        )
    };
    match uri.path() {
        "/Users/Authenticate" => {
            let user = body["USERNAME"].as_str().unwrap_or_default();
            let password = body["PASSWORD"].as_str().unwrap_or_default();
            let device = body["DEVICE_CODE"].as_str().unwrap_or_default();
            match (user, password) {
                // The real service sends "" for MASKED_MOBILE here.
                ("tbilisi", PASSWORD) => ok(json!({
                    "ACCESS_TOKEN": issue(&service, ONE_STEP_TOKEN),
                    "EXPIRES_IN": 2400,
                    "MASKED_MOBILE": "",
                })),
                ("satesto2", PASSWORD) if service.devices.lock().unwrap().contains(device) => {
                    ok(json!({
                        "ACCESS_TOKEN": issue(&service, TWO_STEP_TOKEN),
                        "EXPIRES_IN": 2400,
                        "MASKED_MOBILE": "*** *** *28",
                    }))
                }
                ("satesto2", PASSWORD) => ok(json!({
                    "PIN_TOKEN": PIN_TOKEN,
                    "MASKED_MOBILE": "*** *** *28",
                })),
                _ => reply(
                    StatusCode::UNAUTHORIZED,
                    -101,
                    "მომხმარებელი ან პაროლი არასწორია",
                    json!({}),
                ),
            }
        }
        "/Users/AuthenticatePin" => {
            if body["PIN_TOKEN"] != PIN_TOKEN || body["PIN"] != PIN {
                return reply(StatusCode::UNAUTHORIZED, -102, "კოდი არასწორია", json!({}));
            }
            if let Some(device) = body["DEVICE_CODE"].as_str() {
                service.devices.lock().unwrap().insert(device.to_string());
            }
            ok(json!({
                "ACCESS_TOKEN": issue(&service, TWO_STEP_TOKEN),
                "EXPIRES_IN": 2400,
            }))
        }
        "/Users/SignOut" => {
            let Some(token) = bearer else {
                return bad_token();
            };
            if service.fail_sign_out.load(Ordering::SeqCst) {
                return reply(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    -1,
                    "სისტემური შეცდომა. გთხოვთ სცადოთ მოგვიანებით.",
                    json!({}),
                );
            }
            service.tokens.lock().unwrap().remove(&token);
            ok(json!({}))
        }
        "/Common/GetUnits" => match bearer {
            Some(_) => ok(json!([{ "value": "1", "label": "ცალი" }])),
            None => bad_token(),
        },
        _ => reply(StatusCode::NOT_FOUND, -1, "unknown endpoint", json!({})),
    }
}

/// Start the stand-in on a free port; returns a client for it and its state.
async fn start() -> (Client, Arc<Service>) {
    let service = Arc::new(Service::default());
    let app = Router::new().fallback(handle).with_state(service.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = Client::builder()
        .base_url(format!("http://{address}"))
        .build()
        .unwrap();
    (client, service)
}

/// One-step login of the document's test account.
async fn login_tbilisi(client: &Client) {
    let outcome = client.login("tbilisi", &secret(PASSWORD), None).await;
    assert!(outcome.unwrap().is_logged_in());
}

fn secret(text: &str) -> SecretString {
    SecretString::from(text)
}

/// Debug and Display text that must never carry a secret.
fn assert_no_secrets(text: &str) {
    for secret in [
        ONE_STEP_TOKEN,
        TWO_STEP_TOKEN,
        PIN_TOKEN,
        PIN,
        PASSWORD,
        WRONG_PASSWORD,
        WRONG_PIN,
    ] {
        assert!(!text.contains(secret), "`{secret}` leaked into: {text}");
    }
}

#[tokio::test]
async fn one_step_login_stores_the_token_and_sends_it_as_bearer() {
    let (client, service) = start().await;
    assert!(!client.is_authenticated());

    let outcome = client
        .login(" tbilisi ", &secret(PASSWORD), None)
        .await
        .unwrap();
    let LoginOutcome::LoggedIn {
        expires_in,
        masked_mobile,
    } = &outcome
    else {
        panic!("expected LoggedIn, got {outcome:?}");
    };
    assert_eq!(*expires_in, Some(2400));
    assert_eq!(*masked_mobile, None, "the service's \"\" means no mask");
    assert!(client.is_authenticated());
    assert_eq!(
        client.transport().token().unwrap().expose_secret(),
        ONE_STEP_TOKEN
    );

    // The login itself goes without a token, trimmed, password as a string.
    let login = &service.seen("/Users/Authenticate")[0];
    assert_eq!(login.authorization, None);
    assert_eq!(
        login.body,
        json!({ "USERNAME": "tbilisi", "PASSWORD": "123456" })
    );

    let units = client.get_units().await.unwrap();
    assert_eq!(units[0].value, Some(1));
    let call = &service.seen("/Common/GetUnits")[0];
    assert_eq!(
        call.authorization.as_deref(),
        Some(format!("Bearer {ONE_STEP_TOKEN}").as_str())
    );

    assert_no_secrets(&format!("{outcome:?}"));
    assert_no_secrets(&format!("{client:?}"));
}

#[tokio::test]
async fn two_step_login_needs_the_pin_then_stores_the_token() {
    let (client, service) = start().await;

    let outcome = client
        .login("satesto2", &secret(PASSWORD), None)
        .await
        .unwrap();
    assert_no_secrets(&format!("{outcome:?}"));
    let LoginOutcome::PinRequired {
        pin_token,
        masked_mobile,
    } = outcome
    else {
        panic!("expected PinRequired");
    };
    assert_eq!(masked_mobile.as_deref(), Some("*** *** *28"));
    assert!(!client.is_authenticated());
    assert_no_secrets(&format!("{pin_token:?}"));
    let err = client.get_units().await.unwrap_err();
    assert!(matches!(err, Error::NotAuthenticated { .. }), "{err}");

    let device = DeviceInfo {
        device_code: Some("df63cf1b-7417-49c1-87fb-e82037364746".into()),
        address: Some("Tbilisi, Georgia".into()),
        browser: Some("Chrome 73".into()),
        oper_system: Some("Windows 10".into()),
    };
    let expires_in = client
        .complete_login(&pin_token, &secret(PIN), device)
        .await
        .unwrap();
    assert_eq!(expires_in, Some(2400));
    assert!(client.is_authenticated());
    let pin_call = &service.seen("/Users/AuthenticatePin")[0];
    assert_eq!(
        pin_call.body,
        json!({
            "PIN_TOKEN": PIN_TOKEN,
            "PIN": "7542",
            "DEVICE_CODE": "df63cf1b-7417-49c1-87fb-e82037364746",
            "ADDRESS": "Tbilisi, Georgia",
            "BROWSER": "Chrome 73",
            "OPER_SYSTEM": "Windows 10",
        })
    );
    assert_eq!(pin_call.authorization, None);

    client.get_units().await.unwrap();
    assert_eq!(
        service.seen("/Common/GetUnits")[0].authorization.as_deref(),
        Some(format!("Bearer {TWO_STEP_TOKEN}").as_str())
    );
    assert_no_secrets(&format!("{client:?}"));

    // The remembered device skips the PIN next time.
    let again = client
        .login(
            "satesto2",
            &secret(PASSWORD),
            Some("df63cf1b-7417-49c1-87fb-e82037364746"),
        )
        .await
        .unwrap();
    assert!(again.is_logged_in(), "{again:?}");
}

#[tokio::test]
async fn logout_signs_out_and_clears_the_token() {
    let (client, service) = start().await;
    login_tbilisi(&client).await;

    client.logout().await.unwrap();
    assert!(!client.is_authenticated());
    let sign_out = service.seen("/Users/SignOut");
    assert_eq!(sign_out.len(), 1);
    assert_eq!(
        sign_out[0].authorization.as_deref(),
        Some(format!("Bearer {ONE_STEP_TOKEN}").as_str())
    );
    assert!(service.tokens.lock().unwrap().is_empty());

    // Without a session there is nothing to sign out.
    client.logout().await.unwrap();
    assert_eq!(service.seen("/Users/SignOut").len(), 1);
}

#[tokio::test]
async fn logout_clears_the_token_even_when_the_call_fails() {
    let (client, service) = start().await;
    login_tbilisi(&client).await;
    service.fail_sign_out.store(true, Ordering::SeqCst);

    let err = client.logout().await.unwrap_err();
    assert_eq!(err.service_code(), Some(-1), "{err}");
    assert_eq!(err.service_status().unwrap().http_status, 500);
    assert!(!client.is_authenticated());
    assert_no_secrets(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn wrong_credentials_surface_the_service_code() {
    let (client, _service) = start().await;

    let err = client
        .login("tbilisi", &secret(WRONG_PASSWORD), None)
        .await
        .unwrap_err();
    // The variant (Service, or Authentication for a 401) is the runtime's
    // call; what matters here is that the service's own status reaches us.
    let status = err
        .service_status()
        .unwrap_or_else(|| panic!("expected a service status, got {err:?}"));
    assert!(err.to_string().starts_with("Authenticate: "), "{err}");
    assert_eq!(status.code, -101);
    assert_eq!(status.http_status, 401);
    assert_eq!(status.text, "მომხმარებელი ან პაროლი არასწორია");
    assert!(!client.is_authenticated());
    assert_no_secrets(&format!("{err} {err:?} {client:?}"));
}

#[tokio::test]
async fn a_wrong_pin_surfaces_the_code_and_leaves_no_session() {
    let (client, _service) = start().await;
    let LoginOutcome::PinRequired { pin_token, .. } = client
        .login("satesto2", &secret(PASSWORD), None)
        .await
        .unwrap()
    else {
        panic!("expected PinRequired");
    };

    let err = client
        .complete_login(&pin_token, &secret(WRONG_PIN), DeviceInfo::default())
        .await
        .unwrap_err();
    assert_eq!(err.service_code(), Some(-102), "{err}");
    assert!(!client.is_authenticated());
    assert_no_secrets(&format!("{err} {err:?} {pin_token:?} {client:?}"));
}

#[tokio::test]
async fn a_failed_login_keeps_the_current_session() {
    let (client, _service) = start().await;
    login_tbilisi(&client).await;
    client
        .login("tbilisi", &secret(WRONG_PASSWORD), None)
        .await
        .unwrap_err();
    assert_eq!(
        client.transport().token().unwrap().expose_secret(),
        ONE_STEP_TOKEN
    );
}

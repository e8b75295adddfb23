//! The fixture spec's generated crate end to end: examples round-trip, the
//! generated client talks to the generated router over loopback, and every
//! client error path is typed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use secrecy::SecretString;
use taxsdk_fixture::client::Client;
use taxsdk_fixture::enums::{ItemKind, Payer, UnitCode};
use taxsdk_fixture::models::*;
use taxsdk_runtime::server::RequestContext;
use taxsdk_runtime::{Empty, Error, ServiceStatus};

#[test]
fn every_example_round_trips() {
    let spec = taxsdk_tests::load("tests/fixtures/full");
    let mut checker = taxsdk_tests::ExampleChecker::new(&spec, &taxsdk_fixture::SERVICE);
    taxsdk_fixture::endpoints::visit(&mut checker);
    assert!(
        checker.failures.is_empty(),
        "{}",
        checker.failures.join("\n")
    );
    assert_eq!(checker.checked.len(), spec.examples.len());
}

#[test]
fn lenient_forms_decode_into_typed_values() {
    let text = r#"{"ID": 28361.0, "NAME": "Tea", "NOTE": "", "PRICE": "572.03", "PAYER": "მყიდველი", "KIND": "2", "Unit": "LB", "ACTIVE": "true"}"#;
    let item: Item = serde_json::from_str(text).unwrap();
    assert_eq!(item.id, 28361);
    assert_eq!(item.note, None);
    assert_eq!(item.price.to_string(), "572.03");
    assert_eq!(item.payer, Some(Payer::Buyer));
    assert_eq!(item.kind, ItemKind::Service);
    assert_eq!(item.unit, Some(UnitCode::Unknown("LB".into())));
    assert_eq!(item.active, Some(true));
    assert_eq!(item.discount.to_string(), "0.50", "spec default");
}

#[test]
fn absent_and_null_both_mean_the_spec_default() {
    for text in [r#"{}"#, r#"{"MAXIMUM_ROWS": null}"#] {
        let request: ListItemsRequest = serde_json::from_str(text).unwrap();
        assert_eq!(request.maximum_rows, 10, "{text}");
    }
    let item: Item =
        serde_json::from_str(r#"{"ID": null, "NAME": "x", "PRICE": 1, "KIND": null}"#).unwrap();
    assert_eq!((item.id, item.kind), (0, ItemKind::Goods));
    // Written in the field's encoding: ID is a lenient number, written as a number.
    let item: Item = serde_json::from_str(r#"{"ID": "7", "NAME": "x", "PRICE": 1}"#).unwrap();
    assert_eq!(serde_json::to_value(&item).unwrap()["ID"], 7);
}

#[test]
fn decode_errors_name_the_value() {
    let err = serde_json::from_str::<Item>(r#"{"NAME": "x", "PRICE": "12a"}"#).unwrap_err();
    assert!(err.to_string().contains("12a"), "{err}");
    let err = serde_json::from_str::<Item>(r#"{"NAME": "x", "PRICE": 1, "PAYER": "nobody"}"#)
        .unwrap_err();
    assert!(err.to_string().contains("nobody"), "{err}");
}

#[test]
fn secrets_are_redacted_in_debug() {
    let request = LoginRequest {
        username: "user".into(),
        password: "hunter2-secret".into(),
    };
    let debug = format!("{request:?}");
    assert!(
        debug.contains("user") && !debug.contains("hunter2-secret"),
        "{debug}"
    );
    let response = LoginResponse {
        access_token: Some("tok-123-secret".into()),
        expires_in: Some(2400),
    };
    assert!(!format!("{response:?}").contains("tok-123-secret"));
}

/// A fixture service: one user, one token, items numbered from 1.
struct Fixture {
    next_id: AtomicU64,
}

const TOKEN: &str = "token-of-the-fixture";

fn check_token(context: &RequestContext) -> Result<(), ServiceStatus> {
    match context.bearer_token.as_deref() {
        Some(TOKEN) => Ok(()),
        _ => Err(ServiceStatus::new(-104, "Token არ არის სწორი!", 401)),
    }
}

impl taxsdk_fixture::server::Service for Fixture {
    async fn login(
        &self,
        _context: RequestContext,
        request: LoginRequest,
    ) -> Result<LoginResponse, ServiceStatus> {
        if request.username == "user" && request.password == "pass" {
            Ok(LoginResponse {
                access_token: Some(TOKEN.into()),
                expires_in: Some(2400),
            })
        } else {
            Err(ServiceStatus::new(-1, "bad credentials", 400))
        }
    }

    async fn sign_out(
        &self,
        context: RequestContext,
        _request: Empty,
    ) -> Result<Empty, ServiceStatus> {
        check_token(&context).map(|()| Empty)
    }

    async fn save_item(
        &self,
        context: RequestContext,
        request: SaveItemRequest,
    ) -> Result<SaveItemResponse, ServiceStatus> {
        check_token(&context)?;
        assert!(request.transaction_id.is_some());
        Ok(SaveItemResponse {
            id: self.next_id.fetch_add(1, Ordering::SeqCst) as i64,
        })
    }

    async fn list_all_items(
        &self,
        context: RequestContext,
        request: ListItemsRequest,
    ) -> Result<ListItemsResponse, ServiceStatus> {
        check_token(&context)?;
        let rows = (0..request.maximum_rows)
            .map(|i| Item {
                id: i64::from(i),
                name: format!("item {i}"),
                ..Item::default_with(ItemKind::Goods)
            })
            .collect();
        Ok(ListItemsResponse {
            rows,
            totals: None,
            grid: None,
        })
    }
}

/// `Item` has a required enum field, so no `Default`; tests build it here.
trait ItemExt {
    fn default_with(kind: ItemKind) -> Item;
}

impl ItemExt for Item {
    fn default_with(kind: ItemKind) -> Item {
        serde_json::from_value(serde_json::json!({"NAME": "", "PRICE": 0, "KIND": kind.code()}))
            .expect("minimal item decodes")
    }
}

async fn fixture_client() -> Client {
    let router = taxsdk_fixture::server::router(Arc::new(Fixture {
        next_id: AtomicU64::new(1),
    }));
    Client::builder()
        .base_url(taxsdk_tests::serve(router).await)
        .build()
        .unwrap()
}

#[tokio::test]
async fn client_and_router_talk_over_loopback() {
    let client = fixture_client().await;
    let save = SaveItemRequest {
        transaction_id: Some("t-1".into()),
        item: Item::default_with(ItemKind::Service),
    };
    match client.save_item(&save).await {
        Err(Error::NotAuthenticated {
            endpoint: "SaveItem",
        }) => {}
        other => panic!("expected NotAuthenticated, got {other:?}"),
    }

    let login = client
        .login(&LoginRequest {
            username: "user".into(),
            password: "pass".into(),
        })
        .await
        .unwrap();
    assert_eq!(login.expires_in, Some(2400));
    client
        .transport()
        .set_token(SecretString::from(login.access_token.unwrap()));
    assert!(client.transport().is_authenticated());

    assert_eq!(client.save_item(&save).await.unwrap().id, 1);
    assert_eq!(client.save_item(&save).await.unwrap().id, 2);
    let list = client
        .list_all_items(&ListItemsRequest {
            maximum_rows: 3,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(list.rows.len(), 3);
    assert_eq!(list.rows[2].name, "item 2");

    client.sign_out().await.unwrap();
    client.transport().set_token(SecretString::from("stale"));
    let err = client.save_item(&save).await.unwrap_err();
    assert_eq!(err.service_code(), Some(-104));
    let status = err.service_status().unwrap();
    assert_eq!(status.http_status, 401);
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "SaveItem: the session is not valid (expired or signed out) -104: Token არ არის სწორი!"
    );
    assert!(!format!("{client:?}").contains("stale"));
}

#[tokio::test]
async fn service_errors_keep_code_and_text() {
    let client = fixture_client().await;
    let err = client
        .login(&LoginRequest {
            username: "user".into(),
            password: "wrong".into(),
        })
        .await
        .unwrap_err();
    match err {
        Error::Service {
            status, meaning, ..
        } => {
            assert_eq!((status.code, status.http_status), (-1, 400));
            assert_eq!(status.text, "bad credentials");
            assert_eq!(meaning, Some("System error."));
        }
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[tokio::test]
async fn router_answers_bad_requests_with_the_envelope() {
    let client = fixture_client().await;
    let base = client.transport().base_url().to_string();
    let http = reqwest::Client::new();

    let reply = http
        .post(format!("{base}/Users/Login"))
        .body(r#"{"USERNAME": "user", "PASSWORD": 5"#)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 400);
    let body: serde_json::Value = reply.json().await.unwrap();
    assert_eq!(body["STATUS"]["ID"], -1);

    let reply = http
        .post(format!("{base}/Users/Login"))
        .body(r#"{"USERNAME": "user"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 400);
    let body: serde_json::Value = reply.json().await.unwrap();
    let text = body["STATUS"]["TEXT"].as_str().unwrap();
    assert!(text.contains("PASSWORD"), "{text}");

    let reply = http
        .post(format!("{base}/Items/Save"))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .body(r#"{"ITEM": {"NAME": "x", "PRICE": "abc"}}"#)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = reply.json().await.unwrap();
    let text = body["STATUS"]["TEXT"].as_str().unwrap();
    assert!(
        text.contains("ITEM.PRICE") && text.contains("abc"),
        "{text}"
    );

    let reply = http.post(format!("{base}/No/Such")).send().await.unwrap();
    assert_eq!(reply.status(), 404);
    let body: serde_json::Value = reply.json().await.unwrap();
    assert_eq!(body["STATUS"]["ID"], -1);
}

/// A server that answers every call with a fixed status and body.
async fn canned(status: u16, body: &'static str) -> Client {
    let client = Client::builder()
        .base_url(taxsdk_tests::canned_server(status, body).await)
        .build()
        .unwrap();
    client.transport().set_token(SecretString::from("t"));
    client
}

fn login() -> LoginRequest {
    LoginRequest {
        username: "u".into(),
        password: "p".into(),
    }
}

#[tokio::test]
async fn negative_status_in_a_200_reply_is_a_service_error() {
    let client = canned(
        200,
        r#"{"DATA": {}, "STATUS": {"ID": -3, "TEXT": "test TIN only"}}"#,
    )
    .await;
    let err = client.login(&login()).await.unwrap_err();
    assert_eq!(err.service_code(), Some(-3));
    assert_eq!(err.service_status().unwrap().text, "test TIN only");
}

#[tokio::test]
async fn envelope_in_a_401_reply_keeps_code_and_text() {
    let client = canned(
        401,
        r#"{"DATA": {}, "STATUS": {"ID": -104, "TEXT": "Token არ არის სწორი!"}}"#,
    )
    .await;
    let err = client.sign_out().await.unwrap_err();
    let status = err.service_status().expect("service error");
    assert_eq!((status.code, status.http_status), (-104, 401));
}

#[tokio::test]
async fn authentication_codes_and_unlisted_401s_are_authentication_errors() {
    let client = canned(
        401,
        r#"{"DATA": {}, "STATUS": {"ID": -102, "TEXT": "PIN"}}"#,
    )
    .await;
    match client.login(&login()).await.unwrap_err() {
        Error::Authentication {
            status, meaning, ..
        } => {
            assert_eq!((status.code, meaning), (-102, Some("Wrong PIN.")));
        }
        other => panic!("expected Authentication, got {other:?}"),
    }
    let client = canned(401, r#"{"DATA": {}, "STATUS": {"ID": -150, "TEXT": "?"}}"#).await;
    assert!(matches!(
        client.login(&login()).await.unwrap_err(),
        Error::Authentication { meaning: None, .. }
    ));
}

#[tokio::test]
async fn html_500_is_an_http_error_quoting_the_body() {
    let client = canned(500, "<html><body>Bad Gateway</body></html>").await;
    // A write that got no readable answer may have taken effect.
    let err = client.login(&login()).await.unwrap_err();
    assert!(err.may_have_taken_effect(), "{err:?}");
    match last_attempt(err) {
        Error::Http {
            status: 500, body, ..
        } => assert!(body.contains("Bad Gateway")),
        other => panic!("expected Http, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_json_is_a_decode_error() {
    let client = canned(200, r#"{"DATA": {"ACCESS_TOKEN": "x""#).await;
    assert!(matches!(
        last_attempt(client.login(&login()).await.unwrap_err()),
        Error::Decode { .. }
    ));
}

/// The error of the last attempt, also when the client reports a write's
/// outcome as unknown around it.
fn last_attempt(err: Error) -> Error {
    match err {
        Error::OutcomeUnknown { source, .. } => *source,
        other => other,
    }
}

#[tokio::test]
async fn missing_required_field_names_its_path() {
    let client = canned(
        200,
        r#"{"DATA": {"ID": "abc"}, "STATUS": {"ID": 0, "TEXT": ""}}"#,
    )
    .await;
    let save = SaveItemRequest {
        transaction_id: None,
        item: Item::default_with(ItemKind::Goods),
    };
    match last_attempt(client.save_item(&save).await.unwrap_err()) {
        Error::Decode { path, message, .. } => {
            assert_eq!(path, "DATA.ID");
            assert!(message.contains("abc"), "{message}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    let client = canned(
        200,
        r#"{"DATA": {"Rows": [{"NAME": "x"}]}, "STATUS": {"ID": 0, "TEXT": ""}}"#,
    )
    .await;
    match client
        .list_all_items(&ListItemsRequest::default())
        .await
        .unwrap_err()
    {
        Error::Decode { path, message, .. } => {
            assert_eq!(path, "DATA.Rows[0]");
            assert!(message.contains("PRICE"), "{message}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn unreachable_host_is_a_transport_error() {
    // Bind then drop a listener: nothing listens on that port any more.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client = Client::builder()
        .base_url(format!("http://{address}"))
        .build()
        .unwrap();
    assert!(matches!(
        client.login(&login()).await.unwrap_err(),
        Error::Transport { timeout: false, .. }
    ));
}

#[test]
fn bad_base_urls_are_configuration_errors() {
    for url in ["not a url", "ftp://example.test", "/relative"] {
        match Client::builder().base_url(url).build() {
            Err(Error::Config(message)) => assert!(message.contains(url), "{message}"),
            other => panic!("{url}: expected Config error, got {other:?}"),
        }
    }
}

#[test]
fn example_checker_flags_table_columns_the_spec_lacks() {
    let spec = taxsdk_tests::load("tests/fixtures/full");
    let mut bad = spec.clone();
    // Drop NOTE from the row model: the Grid example's Fields name it.
    if let Some(item) = bad.models.iter_mut().find(|m| m.name == "Item") {
        item.fields.retain(|f| f.wire != "NOTE");
    }
    let mut checker = taxsdk_tests::ExampleChecker::new(&bad, &taxsdk_fixture::SERVICE);
    taxsdk_fixture::endpoints::visit(&mut checker);
    let report = checker.failures.join("\n");
    assert!(
        report.contains(r#"table columns unknown to the spec: .Grid.Fields["NOTE"]"#),
        "{report}"
    );
}

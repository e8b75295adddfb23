//! The eAPI client's error paths against canned replies on loopback: every
//! way the real service (or what stands in front of it) answers badly
//! becomes a typed error with the service's own code and text.

use rsge_eapi::client::Client;
use rsge_eapi::models::{GetInvoiceRequest, GetOrgInfoByTinRequest};
use secrecy::SecretString;
use taxsdk_runtime::Error;

/// A server answering every call with `status` and `body`; returns a client
/// that already holds a token.
async fn canned(status: u16, body: &'static str) -> Client {
    let client = Client::builder()
        .base_url(taxsdk_tests::canned_server(status, body).await)
        .build()
        .unwrap();
    client.transport().set_token(SecretString::from("token"));
    client
}

fn org(tin: &str) -> GetOrgInfoByTinRequest {
    GetOrgInfoByTinRequest { tin: tin.into() }
}

/// Asserts `error` is a decode error at `path` whose message holds `text`.
fn assert_decode_error(error: Error, path: &str, text: &str) {
    match error {
        Error::Decode {
            path: at, message, ..
        } => {
            assert_eq!(at, path);
            assert!(message.contains(text), "{message}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[test]
fn default_base_url_is_the_real_service() {
    let client = Client::builder().build().unwrap();
    assert_eq!(client.transport().base_url(), "https://eapi.rs.ge");
    assert_eq!(rsge_eapi::SPEC_VERSION, "1.0.8");
}

#[tokio::test]
async fn documented_success_decodes() {
    let client = canned(
        200,
        r#"{"DATA": {"Tin": "206322102", "Name": "სატესტო", "IsVatPayer": true, "UnID": 731937},
            "STATUS": {"ID": 0, "TEXT": "ოპერაცია წარმატებით დასრულდა"}}"#,
    )
    .await;
    let info = client.get_org_info_by_tin(&org("206322102")).await.unwrap();
    assert_eq!(info.un_id, Some(731937));
}

#[tokio::test]
async fn negative_status_is_a_service_error_with_code_text_and_meaning() {
    let client = canned(
        400,
        r#"{"DATA": {}, "STATUS": {"ID": -3, "TEXT": "გთხოვთ გამოიყენოთ სატესტო კოდი : 206322102 ან 12345678910"}}"#,
    )
    .await;
    let err = client
        .get_org_info_by_tin(&org("123456789"))
        .await
        .unwrap_err();
    match &err {
        Error::Service {
            status, meaning, ..
        } => {
            assert_eq!((status.code, status.http_status), (-3, 400));
            assert!(status.text.contains("206322102"));
            assert!(meaning.is_some());
        }
        other => panic!("expected Service, got {other:?}"),
    }
    assert!(err.to_string().contains("-3"), "{err}");
}

#[tokio::test]
async fn expired_token_401_is_session_expired() {
    let client = canned(
        401,
        r#"{"DATA": {}, "STATUS": {"ID": -104, "TEXT": "Token არ არის სწორი!"}}"#,
    )
    .await;
    let err = client
        .get_org_info_by_tin(&org("206322102"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
    assert_eq!(err.service_code(), Some(-104));
}

#[tokio::test]
async fn html_500_is_an_http_error() {
    let client = canned(
        500,
        "<html><head><title>500 Internal Server Error</title></head></html>",
    )
    .await;
    let err = client
        .get_org_info_by_tin(&org("206322102"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Http { status: 500, .. }), "{err:?}");
}

#[tokio::test]
async fn system_error_500_with_envelope_is_a_service_error() {
    let client = canned(500, r#"{"DATA": {}, "STATUS": {"ID": -1, "TEXT": "სისტემური შეცდომა. გთხოვთ სცადოთ მოგვიანებით."}}"#).await;
    let err = client
        .get_org_info_by_tin(&org("206322102"))
        .await
        .unwrap_err();
    assert_eq!(
        err.service_status().map(|s| (s.code, s.http_status)),
        Some((-1, 500))
    );
}

#[tokio::test]
async fn invalid_json_is_a_decode_error() {
    let client = canned(200, r#"{"DATA": {"Tin": "2063"#).await;
    let err = client
        .get_org_info_by_tin(&org("206322102"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn wrong_value_names_its_path_and_value() {
    let client = canned(
        200,
        r#"{"DATA": {"INVOICE": {"ID": "not-a-number"}}, "STATUS": {"ID": 0, "TEXT": ""}}"#,
    )
    .await;
    let request = GetInvoiceRequest {
        invoice_id: 7624,
        ..Default::default()
    };
    assert_decode_error(
        client.get_invoice(&request).await.unwrap_err(),
        "DATA.INVOICE.ID",
        "not-a-number",
    );
}

#[tokio::test]
async fn calls_needing_a_session_fail_before_sending_without_one() {
    let client = canned(200, "{}").await;
    client.transport().clear_token();
    let err = client
        .get_org_info_by_tin(&org("206322102"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotAuthenticated {
                endpoint: "GetOrgInfoByTin"
            }
        ),
        "{err:?}"
    );
}

/// A reply whose TIN (a `Tin` in the models) is not 9 or 11 digits fails
/// decoding with the member's path and the value.
#[tokio::test]
async fn a_malformed_tin_in_a_reply_names_its_path_and_value() {
    let client = canned(
        200,
        r#"{"DATA": {"Tin": "20632", "Name": "სატესტო"}, "STATUS": {"ID": 0, "TEXT": ""}}"#,
    )
    .await;
    assert_decode_error(
        client
            .get_org_info_by_tin(&org("206322102"))
            .await
            .unwrap_err(),
        "DATA.Tin",
        "TIN `20632` must be 9 or 11 digits",
    );

    let client = canned(
        200,
        r#"{"DATA": {"INVOICE": {"ID": 7624, "TIN_SELLER": "206322102", "TRANS_COMPANY_TIN": "12ab"}}, "STATUS": {"ID": 0, "TEXT": ""}}"#,
    )
    .await;
    let request = GetInvoiceRequest {
        invoice_id: 7624,
        ..Default::default()
    };
    assert_decode_error(
        client.get_invoice(&request).await.unwrap_err(),
        "DATA.INVOICE.TRANS_COMPANY_TIN",
        "TIN `12ab` must be 9 or 11 digits",
    );
}

/// Well-formed TINs decode into `Tin`; "" in TRANS_COMPANY_TIN is absent.
#[tokio::test]
async fn tins_decode_into_the_newtype() {
    let client = canned(
        200,
        r#"{"DATA": {"INVOICE": {"ID": 7624, "TIN_SELLER": " 206322102 ", "TIN_BUYER": "foreign-77", "TRANS_COMPANY_TIN": ""}}, "STATUS": {"ID": 0, "TEXT": ""}}"#,
    )
    .await;
    let request = GetInvoiceRequest {
        invoice_id: 7624,
        ..Default::default()
    };
    let invoice = client.get_invoice(&request).await.unwrap().invoice.unwrap();
    let seller: Option<&rsge_eapi::Tin> = invoice.tin_seller.as_ref();
    assert_eq!(seller.map(|t| t.as_str()), Some("206322102"));
    assert!(seller.is_some_and(rsge_eapi::Tin::is_organisation));
    // TIN_BUYER stays text: a foreign buyer's id is no Georgian TIN.
    assert_eq!(invoice.tin_buyer.as_deref(), Some("foreign-77"));
    assert_eq!(invoice.trans_company_tin, None);
}

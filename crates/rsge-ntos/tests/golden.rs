//! Golden XML: the request envelopes the client writes, byte-compared with
//! `spec/rsge-ntos/examples/*.request.xml`, and the fact sheet's replies
//! (a diffgram DataTable, a bool with out values) decoded.
//!
//! `TAXSDK_BLESS=1 cargo test -p rsge-ntos --test golden` rewrites the
//! request files from the client's output (review the diff).

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;
use rsge_ntos::client::Client;
use rsge_ntos::endpoints;
use rsge_ntos::enums::{CorrectionType, InvoiceStatus, VatType};
use rsge_ntos::models::*;
use rsge_ntos::{SecretString, unset_date};
use taxsdk_runtime::client::decode_soap_reply;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/rsge-ntos/examples")
}

/// What the canned server saw: the request's headers and body.
struct Captured {
    head: String,
    body: String,
}

/// Runs `call` against a loopback server that records the one request and
/// answers `reply`.
async fn capture<F, Fut>(reply: &'static str, call: F) -> Captured
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut raw = Vec::new();
        let mut buf = [0_u8; 8192];
        loop {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "the client closed early");
            raw.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&raw).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                if body.len() >= length {
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                        reply.len()
                    );
                    stream.write_all(answer.as_bytes()).await.unwrap();
                    return Captured {
                        head: head.to_owned(),
                        body: body.to_owned(),
                    };
                }
            }
        }
    });
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .service_user("tbilisi:206322102", SecretString::from("123456"))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), call(client))
        .await
        .expect("the call ends in time");
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server ends in time")
        .unwrap()
}

fn check_golden(name: &str, actual: &str) {
    let path = examples().join(name);
    if std::env::var_os("TAXSDK_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with TAXSDK_BLESS=1 to create it)",
            path.display()
        )
    });
    assert_eq!(actual, expected, "{name} differs from the client's request");
}

fn envelope(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>{body}</soap:Body></soap:Envelope>"#
    )
}

#[tokio::test]
async fn chek_request_is_golden() {
    const REPLY: &str = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><chekResponse xmlns="http://tempuri.org/"><chekResult>true</chekResult><user_id>783</user_id><sua>1001</sua></chekResponse></soap:Body></soap:Envelope>"#;
    let seen = capture(REPLY, |client| async move {
        let ids = client.check_service_user().await.unwrap();
        assert_eq!((ids.user_id, ids.service_user_id), (783, 1001));
    })
    .await;
    assert!(
        seen.head
            .starts_with("POST /ntosservice/ntosservice.asmx HTTP/1.1"),
        "{}",
        seen.head
    );
    let head = seen.head.to_ascii_lowercase();
    assert!(
        head.contains("content-type: text/xml; charset=utf-8"),
        "{head}"
    );
    assert!(
        head.contains("soapaction: \"http://tempuri.org/chek\""),
        "{head}"
    );
    check_golden("chek.request.xml", &seen.body);
}

#[tokio::test]
async fn save_invoice_desc_request_puts_the_credentials_in_the_middle() {
    let reply: &'static str = Box::leak(
        envelope(r#"<save_invoice_descResponse xmlns="http://tempuri.org/"><save_invoice_descResult>true</save_invoice_descResult><id>226635210</id></save_invoice_descResponse>"#)
            .into_boxed_str(),
    );
    let seen = capture(reply, |client| async move {
        let reply = client
            .save_invoice_desc(&SaveInvoiceDescParams {
                user_id: 783,
                id: 0,
                invoice_id: 33_483_243,
                goods: Some("IT კონსულტაცია & co".into()),
                g_unit: Some("საათი".into()),
                g_number: "40".parse().unwrap(),
                full_amount: "4000".parse().unwrap(),
                drg_amount: "610.17".parse().unwrap(),
                aqcizi_amount: "0".parse().unwrap(),
                akciz_id: 0,
            })
            .await
            .unwrap();
        assert_eq!(reply.id, 226_635_210);
    })
    .await;
    check_golden("save_invoice_desc.request.xml", &seen.body);
}

#[tokio::test]
async fn save_invoice_and_detach_requests_are_golden() {
    let reply: &'static str = Box::leak(
        envelope(r#"<save_invoiceResponse xmlns="http://tempuri.org/"><save_invoiceResult>true</save_invoiceResult><invois_id>33483243</invois_id></save_invoiceResponse>"#)
            .into_boxed_str(),
    );
    let seen = capture(reply, |client| async move {
        client
            .save_invoice(&SaveInvoiceParams {
                user_id: 783,
                invoice_id: 0,
                operation_date: NaiveDate::from_ymd_opt(2026, 1, 15)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap(),
                seller_un_id: 731_937,
                buyer_un_id: 1_149_251,
                overhead_no: Some(String::new()),
                overhead_dt: unset_date(),
                b_s_user_id: 0,
            })
            .await
            .unwrap();
    })
    .await;
    check_golden("save_invoice.request.xml", &seen.body);

    let reply: &'static str = Box::leak(
        envelope(r#"<detach_advance_invoicesResponse xmlns="http://tempuri.org/"><detach_advance_invoicesResult><Status>200</Status><Message>OK</Message></detach_advance_invoicesResult></detach_advance_invoicesResponse>"#)
            .into_boxed_str(),
    );
    let seen = capture(reply, |client| async move {
        let reply = client
            .detach_advance_invoices(&DetachAdvanceInvoicesParams {
                user_id: 783,
                invoice_id: 33_483_243,
                advance_invoices: Some(AdvanceInvoiceIds {
                    ids: Some(vec![1, 2]),
                }),
            })
            .await
            .unwrap();
        assert!(reply.result.unwrap().succeeded());
    })
    .await;
    check_golden("detach_advance_invoices.request.xml", &seen.body);
}

#[test]
fn the_fact_sheets_replies_decode() {
    let text = std::fs::read(examples().join("get_invoice_desc.response.xml")).unwrap();
    let reply = decode_soap_reply::<endpoints::GetInvoiceDesc>(200, &text).unwrap();
    let table = reply.result;
    assert_eq!(table.schema.name.as_deref(), Some("invoices_descs"));
    assert_eq!(table.len(), 1);
    let row = &table.rows[0];
    assert_eq!(row.id, Some(226_635_210));
    assert_eq!(row.inv_id, Some(33_483_243));
    assert_eq!(row.goods.as_deref(), Some("potato"));
    assert_eq!(row.drg_amount, Some("15.25".parse().unwrap()));
    assert_eq!(row.vat_type, Some(VatType::Standard));
    assert!(table.unknown_columns().is_empty());

    let text = std::fs::read(examples().join("get_invoice.response.xml")).unwrap();
    let reply = decode_soap_reply::<endpoints::GetInvoice>(200, &text).unwrap();
    assert!(reply.result);
    assert_eq!(reply.f_series.as_deref(), Some("AA"));
    assert_eq!(reply.f_number.as_deref(), Some("12345"));
    assert_eq!(reply.status, InvoiceStatus::Confirmed);
    assert_eq!(reply.k_type, CorrectionType::NoCorrection);
    assert_eq!(reply.overhead_dt, unset_date());
    assert_eq!(reply.overhead_no.as_deref(), Some(""));
    assert_eq!(reply.seller_un_id, 731_937);
}

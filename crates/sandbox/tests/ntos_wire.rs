//! NtosService on the wire: the sandbox's exact reply forms, its faults for
//! requests it cannot take, `?WSDL`, SOAP 1.1 and 1.2 dispatch, parameters in
//! any order; and the client's typed errors for faults, gateway pages and
//! unreadable DataTable values, its retries (reads repeated, writes not)
//! and DataTable dates with zone offsets (from canned servers on loopback).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rsge_ntos::client::Client;
use rsge_ntos::models::*;
use rsge_ntos::{NtosError, SecretString};
use taxsdk_runtime::{Error, RetryPolicy};
use taxsdk_sandbox::ntos::{self, PATH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A bounded wait, so that a broken server fails the test instead of hanging.
const LIMIT: Duration = Duration::from_secs(10);

/// One HTTP/1.1 exchange with `Connection: close`: status, headers, body.
async fn http(addr: std::net::SocketAddr, request: String) -> (u16, String, String) {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        raw
    };
    let raw = tokio::time::timeout(LIMIT, exchange)
        .await
        .expect("reply in time");
    let text = String::from_utf8(raw).expect("UTF-8 reply");
    let (head, body) = text.split_once("\r\n\r\n").expect("headers");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_owned(), body.to_owned())
}

fn post(addr: std::net::SocketAddr, headers: &[(&str, &str)], body: &str) -> String {
    let mut request = format!(
        "POST {PATH} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    request
}

fn envelope11(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>{body}</soap:Body></soap:Envelope>"#
    )
}

const XML11: (&str, &str) = ("Content-Type", "text/xml; charset=utf-8");

#[tokio::test]
async fn chek_reply_has_the_exact_asmx_form_and_reads_parameters_in_any_order() {
    let sandbox = ntos::spawn().await.unwrap();
    // su/sp after user_id, action unquoted: both as real clients send them.
    let body = envelope11(
        r#"<chek xmlns="http://tempuri.org/"><user_id>0</user_id><sp>123456</sp><su>tbilisi:206322102</su></chek>"#,
    );
    let (status, head, reply) = http(
        sandbox.addr(),
        post(
            sandbox.addr(),
            &[XML11, ("SOAPAction", "http://tempuri.org/chek")],
            &body,
        ),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/xml; charset=utf-8"),
        "{head}"
    );
    assert!(
        reply.starts_with(r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>"#),
        "{reply}"
    );
    assert!(
        reply.contains(r#"<chekResponse xmlns="http://tempuri.org/"><chekResult>true</chekResult><user_id>783</user_id><sua>1001</sua></chekResponse>"#),
        "{reply}"
    );

    // Missing value types default to 0 (user_id here); a missing su is a
    // wrong service user, not a fault.
    let body = envelope11(
        r#"<get_un_id_from_tin xmlns="http://tempuri.org/"><tin>12345678910</tin><su>tbilisi:206322102</su><sp>123456</sp></get_un_id_from_tin>"#,
    );
    let (status, _, reply) = http(
        sandbox.addr(),
        post(
            sandbox.addr(),
            &[
                XML11,
                ("SOAPAction", "\"http://tempuri.org/get_un_id_from_tin\""),
            ],
            &body,
        ),
    )
    .await;
    assert_eq!(status, 200);
    // user_id 0 is not the service user's main user: the service's -1.
    assert!(
        reply.contains("<get_un_id_from_tinResult>-1</get_un_id_from_tinResult>"),
        "{reply}"
    );
    assert!(
        !reply.contains("<name>"),
        "a null string is omitted: {reply}"
    );
}

#[tokio::test]
async fn soap12_is_dispatched_by_the_body_element() {
    let sandbox = ntos::spawn().await.unwrap();
    let body = r#"<?xml version="1.0" encoding="utf-8"?><soap12:Envelope xmlns:soap12="http://www.w3.org/2003/05/soap-envelope"><soap12:Body><what_is_my_ip xmlns="http://tempuri.org/" /></soap12:Body></soap12:Envelope>"#;
    let (status, head, reply) = http(
        sandbox.addr(),
        post(
            sandbox.addr(),
            &[
                ("Content-Type", "application/soap+xml; charset=utf-8"),
                ("X-Forwarded-For", "203.0.113.9, 10.0.0.1"),
            ],
            body,
        ),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    assert!(
        head.to_ascii_lowercase().contains("application/soap+xml"),
        "{head}"
    );
    assert!(
        reply.contains(r#"xmlns:soap="http://www.w3.org/2003/05/soap-envelope""#),
        "{reply}"
    );
    assert!(
        reply.contains("<what_is_my_ipResult>203.0.113.9</what_is_my_ipResult>"),
        "{reply}"
    );
}

#[tokio::test]
async fn requests_the_service_cannot_take_get_client_faults() {
    let sandbox = ntos::spawn().await.unwrap();
    let addr = sandbox.addr();
    let fault = |reply: &str, text: &str| {
        assert!(
            reply.contains("<faultcode>soap:Client</faultcode>"),
            "{reply}"
        );
        assert!(reply.contains(text), "no `{text}` in {reply}");
    };
    // An unknown SOAPAction.
    let body = envelope11(r#"<nope xmlns="http://tempuri.org/"/>"#);
    let (status, _, reply) = http(
        addr,
        post(
            addr,
            &[XML11, ("SOAPAction", "http://tempuri.org/nope")],
            &body,
        ),
    )
    .await;
    assert_eq!(status, 500);
    fault(
        &reply,
        "Server did not recognize the value of HTTP Header SOAPAction: http://tempuri.org/nope.",
    );
    // No action and an unknown body element.
    let (status, _, reply) = http(addr, post(addr, &[XML11], &body)).await;
    assert_eq!(status, 500);
    fault(&reply, "body element `nope`");
    // The action names another operation than the body.
    let body = envelope11(r#"<chek xmlns="http://tempuri.org/"/>"#);
    let (status, _, reply) = http(
        addr,
        post(
            addr,
            &[XML11, ("SOAPAction", "http://tempuri.org/get_invoice")],
            &body,
        ),
    )
    .await;
    assert_eq!(status, 500);
    fault(&reply, "the body element `chek` is not `get_invoice`");
    // Not XML at all.
    let (status, _, reply) = http(
        addr,
        post(
            addr,
            &[XML11, ("SOAPAction", "http://tempuri.org/chek")],
            "hello",
        ),
    )
    .await;
    assert_eq!(status, 500);
    fault(&reply, "Server was unable to read request.");
    // A value that cannot be read names the element and the value.
    let body = envelope11(
        r#"<get_invoice xmlns="http://tempuri.org/"><user_id>abc</user_id><invois_id>1</invois_id></get_invoice>"#,
    );
    let (status, _, reply) = http(
        addr,
        post(
            addr,
            &[XML11, ("SOAPAction", "http://tempuri.org/get_invoice")],
            &body,
        ),
    )
    .await;
    assert_eq!(status, 500);
    fault(&reply, "user_id");
    fault(&reply, "abc");
    // A missing dateTime (no default).
    let body = envelope11(
        r#"<save_invoice xmlns="http://tempuri.org/"><su>tbilisi:206322102</su><sp>123456</sp></save_invoice>"#,
    );
    let (status, _, reply) = http(
        addr,
        post(
            addr,
            &[XML11, ("SOAPAction", "http://tempuri.org/save_invoice")],
            &body,
        ),
    )
    .await;
    assert_eq!(status, 500);
    fault(&reply, "operation_date");
    // Another path: 404.
    let (status, _, _) = http(
        addr,
        format!("POST /other.asmx HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn wsdl_is_served_with_the_sandbox_address() {
    let sandbox = ntos::spawn().await.unwrap();
    let addr = sandbox.addr();
    let get = |query: &str| {
        format!("GET {PATH}{query} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
    };
    let (status, head, wsdl) = http(addr, get("?WSDL")).await;
    assert_eq!(status, 200);
    assert!(head.to_ascii_lowercase().contains("text/xml"), "{head}");
    assert!(wsdl.contains("<wsdl:definitions"));
    assert_eq!(
        wsdl.matches("<wsdl:operation name=").count(),
        55 * 3,
        "portType + two bindings"
    );
    assert!(wsdl.contains(&format!(
        r#"<soap:address location="{}" />"#,
        sandbox.service_url()
    )));
    assert!(!wsdl.contains("revenue.mof.ge"));
    let (status, _, page) = http(addr, get("?wsdl")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<wsdl:definitions"));
    let (status, _, page) = http(addr, get("")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<li>chek</li>") && page.contains("<li>change_barter_status</li>"));
}

#[tokio::test]
async fn datatable_replies_have_the_diffgram_form() {
    let sandbox = ntos::spawn().await.unwrap();
    let client = Client::connect(
        sandbox.base_url(),
        "tbilisi:206322102",
        SecretString::from("123456"),
    )
    .unwrap();
    let user_id = client.check_service_user().await.unwrap().user_id;
    let saved = client
        .save_invoice(&SaveInvoiceParams {
            user_id,
            invoice_id: 0,
            operation_date: rsge_ntos::unset_date() + chrono::Duration::days(739_000),
            seller_un_id: 731_937,
            buyer_un_id: 1_149_251,
            overhead_no: None,
            overhead_dt: rsge_ntos::unset_date(),
            b_s_user_id: 0,
        })
        .await
        .unwrap();
    let id = saved.invoice_id;
    let desc = |id: i64| {
        envelope11(&format!(
            r#"<get_invoice_desc xmlns="http://tempuri.org/"><user_id>783</user_id><invois_id>{id}</invois_id><su>tbilisi:206322102</su><sp>123456</sp></get_invoice_desc>"#
        ))
    };
    let action = ("SOAPAction", "http://tempuri.org/get_invoice_desc");
    let addr = sandbox.addr();
    // No rows: the empty diffgram, after the inline schema.
    let (_, _, reply) = http(addr, post(addr, &[XML11, action], &desc(id))).await;
    assert!(reply.contains(r#"<xs:schema id="NewDataSet" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:msprop="urn:schemas-microsoft-com:xml-msprop">"#), "{reply}");
    assert!(
        reply.contains(r#"msdata:MainDataTable="invoices_descs""#),
        "{reply}"
    );
    assert!(
        reply.contains(r#"<xs:element name="DRG_AMOUNT" type="xs:decimal" minOccurs="0"/>"#),
        "{reply}"
    );
    assert!(reply.contains(r#"<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1"/>"#), "{reply}");
    client
        .save_invoice_desc(&SaveInvoiceDescParams {
            user_id,
            id: 0,
            invoice_id: id,
            goods: Some("potato".into()),
            g_unit: Some("kg".into()),
            g_number: "10".parse().unwrap(),
            full_amount: "100".parse().unwrap(),
            drg_amount: "15.25".parse().unwrap(),
            aqcizi_amount: "0".parse().unwrap(),
            akciz_id: 0,
        })
        .await
        .unwrap();
    let (_, _, reply) = http(addr, post(addr, &[XML11, action], &desc(id))).await;
    assert!(reply.contains(r#"<DocumentElement xmlns=""><invoices_descs diffgr:id="invoices_descs1" msdata:rowOrder="0"><ID>"#), "{reply}");
    assert!(reply.contains("<GOODS>potato</GOODS><G_UNIT>kg</G_UNIT><G_NUMBER>10</G_NUMBER><FULL_AMOUNT>100</FULL_AMOUNT><DRG_AMOUNT>15.25</DRG_AMOUNT>"), "{reply}");
    // A wrong service user: an empty table, not a fault.
    let wrong = desc(id).replace("<sp>123456</sp>", "<sp>x</sp>");
    let (status, _, reply) = http(addr, post(addr, &[XML11, action], &wrong)).await;
    assert_eq!(status, 200);
    assert!(
        reply.contains("<diffgr:diffgram") && !reply.contains("<DocumentElement"),
        "{reply}"
    );
}

/// A server on loopback that answers every request with `status` and `body`
/// (at most `count` requests).
async fn canned(
    status: &'static str,
    content_type: &'static str,
    body: String,
    count: usize,
) -> String {
    let reply = Reply {
        status,
        content_type,
        headers: "",
        body,
    };
    scripted(vec![reply; count]).await.0
}

/// A canned reply.
#[derive(Clone)]
struct Reply {
    status: &'static str,
    content_type: &'static str,
    /// Extra header lines, each ending in CRLF.
    headers: &'static str,
    body: String,
}

fn reply(status: &'static str, content_type: &'static str, body: impl Into<String>) -> Reply {
    Reply {
        status,
        content_type,
        headers: "",
        body: body.into(),
    }
}

/// A server on loopback that answers the requests with `replies` in turn
/// (then stops listening), and the number of requests it got.
async fn scripted(replies: Vec<Reply>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = Arc::new(AtomicUsize::new(0));
    let counter = served.clone();
    tokio::spawn(async move {
        for Reply {
            status,
            content_type,
            headers,
            body,
        } in replies
        {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buf = vec![0_u8; 64 * 1024];
                let mut read = Vec::new();
                // Read the headers and the announced body, then answer.
                loop {
                    let Ok(n) = stream.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    read.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&read);
                    if let Some((head, rest)) = text.split_once("\r\n\r\n") {
                        let length = head
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if rest.len() >= length {
                            break;
                        }
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let reply = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    (format!("http://{addr}"), served)
}

/// A client making one attempt per call, so that each canned reply is the
/// call's answer.
fn client_of(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .service_user("tbilisi:206322102", SecretString::from("123456"))
        .timeout(LIMIT)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A client repeating calls as the default policy does, with short waits.
fn retrying_client_of(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .service_user("tbilisi:206322102", SecretString::from("123456"))
        .timeout(LIMIT)
        .retry_policy(
            RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn faults_gateway_pages_and_bad_values_become_typed_errors() {
    // A server exception: HTTP 500 with a fault.
    let fault = envelope11(
        "<soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request. ---&gt; ORA-01013</faultstring><detail /></soap:Fault>",
    );
    let base = canned(
        "500 Internal Server Error",
        "text/xml; charset=utf-8",
        fault,
        1,
    )
    .await;
    let err = client_of(&base).check_service_user().await.unwrap_err();
    match &err {
        NtosError::Call(Error::Fault {
            endpoint,
            code,
            message,
            http_status,
        }) => {
            assert_eq!(
                (*endpoint, code.as_str(), *http_status),
                ("Chek", "soap:Server", 500)
            );
            assert!(message.contains("ORA-01013"), "{message}");
        }
        other => panic!("expected a fault, got {other:?}"),
    }
    assert!(!err.to_string().contains("123456"));

    // A gateway's HTML page.
    let base = canned(
        "502 Bad Gateway",
        "text/html",
        "<html><body>Bad Gateway</body></html>".into(),
        1,
    )
    .await;
    let err = client_of(&base).check_service_user().await.unwrap_err();
    assert!(
        matches!(err, NtosError::Call(Error::Http { status: 502, .. })),
        "{err:?}"
    );

    // A DataTable value that cannot be read names the row, column and value.
    let rows = envelope11(concat!(
        r#"<get_invoice_descResponse xmlns="http://tempuri.org/"><get_invoice_descResult>"#,
        r#"<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1"><DocumentElement xmlns="">"#,
        r#"<invoices_descs diffgr:id="invoices_descs1" msdata:rowOrder="0"><ID>1</ID><G_NUMBER>10</G_NUMBER></invoices_descs>"#,
        r#"<invoices_descs diffgr:id="invoices_descs2" msdata:rowOrder="1"><ID>2</ID><G_NUMBER>ten</G_NUMBER></invoices_descs>"#,
        r#"</DocumentElement></diffgr:diffgram></get_invoice_descResult></get_invoice_descResponse>"#
    ));
    let base = canned("200 OK", "text/xml; charset=utf-8", rows, 1).await;
    let err = client_of(&base)
        .get_invoice_desc(&GetInvoiceDescParams {
            user_id: 783,
            invoice_id: 1,
        })
        .await
        .unwrap_err();
    match &err {
        Error::Decode { path, message, .. } => {
            assert_eq!(path, "get_invoice_descResult.invoices_descs[1].G_NUMBER");
            assert!(message.contains("ten"), "{message}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }

    // Lenient where the service is inconsistent: ids as 28361.0, amounts as text.
    let rows = envelope11(concat!(
        r#"<get_invoice_descResponse xmlns="http://tempuri.org/"><get_invoice_descResult>"#,
        r#"<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1"><NewDataSet>"#,
        r#"<Table><ID>28361.0</ID><VAT_TYPE>1</VAT_TYPE><EXTRA>kept aside</EXTRA><DRG_AMOUNT> 572.03 </DRG_AMOUNT></Table>"#,
        r#"</NewDataSet></diffgr:diffgram></get_invoice_descResult></get_invoice_descResponse>"#
    ));
    let base = canned("200 OK", "text/xml; charset=utf-8", rows, 1).await;
    let table = client_of(&base)
        .get_invoice_desc(&GetInvoiceDescParams {
            user_id: 783,
            invoice_id: 1,
        })
        .await
        .unwrap()
        .result;
    let row = &table.rows[0];
    assert_eq!(row.id, Some(28_361));
    assert_eq!(row.vat_type, Some(rsge_ntos::enums::VatType::ZeroRated));
    assert_eq!(row.drg_amount, Some("572.03".parse().unwrap()));
}

const XML: &str = "text/xml; charset=utf-8";
const HTML: &str = "text/html";

fn chek_ok() -> String {
    envelope11(
        r#"<chekResponse xmlns="http://tempuri.org/"><chekResult>true</chekResult><user_id>783</user_id><sua>1001</sua></chekResponse>"#,
    )
}

fn fault(code: &str) -> String {
    envelope11(&format!(
        "<soap:Fault><faultcode>{code}</faultcode><faultstring>Server was unable to process request. ---&gt; boom</faultstring><detail /></soap:Fault>"
    ))
}

fn new_invoice() -> SaveInvoiceParams {
    SaveInvoiceParams {
        user_id: 783,
        invoice_id: 0,
        operation_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 15)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap(),
        seller_un_id: 731_937,
        buyer_un_id: 1_149_251,
        overhead_no: Some(String::new()),
        overhead_dt: rsge_ntos::unset_date(),
        b_s_user_id: 0,
    }
}

#[tokio::test]
async fn reads_are_repeated_after_passing_failures() {
    // A gateway page, a server exception, a proxy's page with HTTP 200, a
    // reply cut short, HTTP 429 with Retry-After, then the answer.
    let cut = chek_ok()[..80].to_owned();
    let (base, served) = scripted(vec![
        reply(
            "502 Bad Gateway",
            HTML,
            "<html><body>Bad Gateway</body></html>",
        ),
        reply("500 Internal Server Error", XML, fault("soap:Server")),
        reply("200 OK", HTML, "<html><body>Back soon.</body></html>"),
        reply("200 OK", XML, cut),
        Reply {
            headers: "Retry-After: 0\r\n",
            ..reply("429 Too Many Requests", HTML, "<html>slow down</html>")
        },
        reply("200 OK", XML, chek_ok()),
    ])
    .await;
    let client = Client::builder()
        .base_url(&base)
        .service_user("tbilisi:206322102", SecretString::from("123456"))
        .timeout(LIMIT)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(6)
                .backoff(Duration::from_millis(1), Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    let ids = client.check_service_user().await.unwrap();
    assert_eq!(ids.user_id, 783);
    assert_eq!(served.load(Ordering::SeqCst), 6);
    let stats = client.transport().retry_stats();
    assert_eq!((stats.calls, stats.attempts), (1, 6));

    // The request was wrong (soap:Client): final at once.
    let (base, served) = scripted(vec![
        reply("500 Internal Server Error", XML, fault("soap:Client")),
        reply("200 OK", XML, chek_ok()),
    ])
    .await;
    let err = retrying_client_of(&base)
        .check_service_user()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, NtosError::Call(Error::Fault { code, .. }) if code == "soap:Client"),
        "{err:?}"
    );
    assert_eq!(served.load(Ordering::SeqCst), 1);

    // A whole reply whose values cannot be read: final for a read.
    let (base, served) = scripted(vec![reply(
        "200 OK",
        XML,
        envelope11(
            r#"<chekResponse xmlns="http://tempuri.org/"><chekResult>maybe</chekResult></chekResponse>"#,
        ),
    )])
    .await;
    let err = retrying_client_of(&base)
        .check_service_user()
        .await
        .unwrap_err();
    assert!(
        matches!(err, NtosError::Call(Error::Decode { .. })),
        "{err:?}"
    );
    assert_eq!(served.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn writes_are_not_repeated_once_they_may_have_reached_the_service() {
    let saved = envelope11(
        r#"<save_invoiceResponse xmlns="http://tempuri.org/"><save_invoiceResult>true</save_invoiceResult><invois_id>5</invois_id></save_invoiceResponse>"#,
    );
    for (what, first) in [
        (
            "a gateway page",
            reply("502 Bad Gateway", HTML, "<html>Bad Gateway</html>"),
        ),
        (
            "a server exception",
            reply("500 Internal Server Error", XML, fault("soap:Server")),
        ),
        ("a reply cut short", reply("200 OK", XML, &saved[..90])),
        (
            "an unreadable reply",
            reply(
                "200 OK",
                XML,
                envelope11(
                    r#"<save_invoiceResponse xmlns="http://tempuri.org/"><save_invoiceResult>true</save_invoiceResult><invois_id>five</invois_id></save_invoiceResponse>"#,
                ),
            ),
        ),
    ] {
        let (base, served) = scripted(vec![first, reply("200 OK", XML, saved.clone())]).await;
        let client = retrying_client_of(&base);
        let err = client.save_invoice(&new_invoice()).await.unwrap_err();
        assert!(err.may_have_taken_effect(), "{what}: {err:?}");
        assert!(
            matches!(
                &err,
                Error::OutcomeUnknown {
                    attempts: 1,
                    idempotency_key: None,
                    ..
                }
            ),
            "{what}: {err:?}"
        );
        assert_eq!(served.load(Ordering::SeqCst), 1, "{what}");
        assert_eq!(client.transport().retry_stats().outcome_unknown, 1);
        assert!(!err.to_string().contains("123456"), "{err}");
    }

    // Refused before any work (HTTP 429): repeated.
    let (base, served) = scripted(vec![
        reply("429 Too Many Requests", HTML, "<html>slow down</html>"),
        reply("200 OK", XML, saved.clone()),
    ])
    .await;
    let answer = retrying_client_of(&base)
        .save_invoice(&new_invoice())
        .await
        .unwrap();
    assert_eq!(answer.invoice_id, 5);
    assert_eq!(served.load(Ordering::SeqCst), 2);

    // The request was wrong: it did not take effect.
    let (base, _) = scripted(vec![reply(
        "500 Internal Server Error",
        XML,
        fault("soap:Client"),
    )])
    .await;
    let err = retrying_client_of(&base)
        .save_invoice(&new_invoice())
        .await
        .unwrap_err();
    assert!(
        !err.may_have_taken_effect() && matches!(err, Error::Fault { .. }),
        "{err:?}"
    );

    // No connection at all: nothing was sent, so it is repeated, and the
    // error says the write did not happen.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let client = retrying_client_of(&base);
    let err = client.save_invoice(&new_invoice()).await.unwrap_err();
    assert!(
        !err.may_have_taken_effect() && matches!(err, Error::Transport { .. }),
        "{err:?}"
    );
    assert_eq!(client.transport().retry_stats().attempts, 4);
}

#[tokio::test]
async fn datatable_dates_with_zone_offsets_keep_their_local_time() {
    let rows = |reg_dt: &str| {
        envelope11(&format!(
            concat!(
                r#"<get_seller_invoicesResponse xmlns="http://tempuri.org/"><get_seller_invoicesResult>"#,
                r#"<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1"><DocumentElement xmlns="">"#,
                r#"<invoices diffgr:id="invoices1" msdata:rowOrder="0"><ID>1</ID><OPERATION_DT>2019-01-15T00:00:00+04:00</OPERATION_DT><REG_DT>2019-01-15T10:30:05.1234567+04:00</REG_DT><AGREE_DATE>2019-01-16T09:00:00Z</AGREE_DATE><LAST_UPDATE_DATE>2019-01-16T09:00:00</LAST_UPDATE_DATE></invoices>"#,
                r#"<invoices diffgr:id="invoices2" msdata:rowOrder="1"><ID>2</ID><REG_DT>{}</REG_DT></invoices>"#,
                r#"</DocumentElement></diffgr:diffgram></get_seller_invoicesResult></get_seller_invoicesResponse>"#
            ),
            reg_dt
        ))
    };
    let params = GetSellerInvoicesParams {
        user_id: 783,
        un_id: 731_937,
        s_dt: rsge_ntos::unset_date(),
        e_dt: rsge_ntos::unset_date(),
        op_s_dt: rsge_ntos::unset_date(),
        op_e_dt: rsge_ntos::unset_date(),
        invoice_no: None,
        sa_ident_no: None,
        desc: None,
        doc_mos_nom: None,
    };
    let at = |d: u32, h: u32, m: u32, s: u32, nano: u32| {
        chrono::NaiveDate::from_ymd_opt(2019, 1, d)
            .and_then(|day| day.and_hms_nano_opt(h, m, s, nano))
            .unwrap()
    };

    let base = canned("200 OK", XML, rows("2019-01-17T08:00:00-03:30"), 1).await;
    let table = client_of(&base)
        .get_seller_invoices(&params)
        .await
        .unwrap()
        .result;
    let first = &table.rows[0];
    // The wall-clock time as written; the offset is dropped.
    assert_eq!(first.operation_dt, Some(at(15, 0, 0, 0, 0)));
    assert_eq!(first.reg_dt, Some(at(15, 10, 30, 5, 123_456_700)));
    assert_eq!(first.agree_date, Some(at(16, 9, 0, 0, 0)));
    assert_eq!(first.last_update_date, Some(at(16, 9, 0, 0, 0)));
    assert_eq!(table.rows[1].reg_dt, Some(at(17, 8, 0, 0, 0)));

    // A garbage offset names the row, the column and the value.
    let base = canned("200 OK", XML, rows("2019-01-17T08:00:00+25:00"), 1).await;
    let err = client_of(&base)
        .get_seller_invoices(&params)
        .await
        .unwrap_err();
    match &err {
        Error::Decode { path, message, .. } => {
            assert_eq!(path, "get_seller_invoicesResult.invoices[1].REG_DT");
            assert!(
                message.contains("2019-01-17T08:00:00+25:00") && message.contains("`+25:00`"),
                "{message}"
            );
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

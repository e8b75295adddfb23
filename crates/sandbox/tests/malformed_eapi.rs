//! A corpus of broken requests thrown at the eAPI sandbox over raw TCP:
//! wrong JSON types for every field of SaveInvoice and the other request
//! shapes, truncated JSON, invalid UTF-8, deep nesting, huge bodies, unknown
//! fields, wrong content types and methods, unknown paths, broken HTTP
//! bodies. Each gets the `{DATA, STATUS: {ID, TEXT}}` envelope with a
//! negative code and a 4xx status (never a panic, a hang or a dropped
//! connection), and the sandbox still answers a good request afterwards.

mod common;

use std::net::SocketAddr;

use secrecy::ExposeSecret;
use serde_json::{Value, json};
use taxsdk_sandbox::eapi::{self, Config, DEFAULT_MAX_REQUEST_BYTES, RunningSandbox};

use common::raw_http::{Reply, exchange};

/// The head of a request with a `Content-Length` body.
fn head(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    length: usize,
) -> String {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {length}\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head
}

const JSON: (&str, &str) = ("Content-Type", "application/json; charset=utf-8");

async fn post(
    addr: SocketAddr,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: impl Into<Vec<u8>>,
) -> Reply {
    let body = body.into();
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = Vec::new();
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    if let Some(content_type) = content_type {
        headers.push(("Content-Type", content_type));
    }
    exchange(addr, head(addr, "POST", path, &headers, body.len()), body).await
}

/// Asserts the eAPI's error envelope: a 4xx status, JSON with `DATA` and a
/// `STATUS` whose `ID` is negative and whose `TEXT` says something.
/// Returns (HTTP status, ID, TEXT).
fn assert_error_envelope(case: &str, reply: &Reply) -> (u16, i64, String) {
    assert!(
        (400..500).contains(&reply.status),
        "{case}: HTTP {} {}",
        reply.status,
        reply.text()
    );
    assert!(
        reply
            .head
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{case}: {}",
        reply.head
    );
    let value: Value = serde_json::from_slice(&reply.body)
        .unwrap_or_else(|e| panic!("{case}: not JSON ({e}): {}", reply.text()));
    assert!(value.get("DATA").is_some(), "{case}: no DATA: {value}");
    let id = value["STATUS"]["ID"]
        .as_i64()
        .unwrap_or_else(|| panic!("{case}: no STATUS.ID: {value}"));
    let text = value["STATUS"]["TEXT"]
        .as_str()
        .unwrap_or_else(|| panic!("{case}: no STATUS.TEXT: {value}"))
        .to_owned();
    assert!(id < 0, "{case}: STATUS.ID {id}: {value}");
    assert!(!text.trim().is_empty(), "{case}: empty TEXT");
    (reply.status, id, text)
}

/// A request the service cannot read: HTTP 400, code -1, and a text that
/// names `what` (a field, or the problem).
fn assert_unreadable(case: &str, reply: &Reply, what: &str) {
    let (status, id, text) = assert_error_envelope(case, reply);
    assert_eq!((status, id), (400, -1), "{case}: {text}");
    assert!(
        text.contains(what),
        "{case}: `{text}` does not name `{what}`"
    );
}

/// A good request still gets its answer: one-step login.
async fn assert_still_serving(sb: &RunningSandbox) {
    let reply = post(
        sb.addr(),
        "/Users/Authenticate",
        None,
        Some(JSON.1),
        r#"{"USERNAME":"tbilisi","PASSWORD":"123456"}"#,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let value: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(value["STATUS"]["ID"], 0, "{value}");
    assert!(value["DATA"]["ACCESS_TOKEN"].is_string(), "{value}");
}

fn example(name: &str) -> Value {
    let path = format!(
        "{}/../../spec/rsge-eapi/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// Every leaf and container of `value` with its path in the sandbox's
/// error texts (`INVOICE.INVOICE_GOODS[0].QUANTITY`).
fn nodes(value: &Value, path: String, out: &mut Vec<(String, Value)>) {
    if !path.is_empty() {
        out.push((path.clone(), value.clone()));
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                nodes(child, child_path, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                nodes(child, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// `value` with the node at `path` replaced by `new`.
fn replaced(value: &Value, path: &str, new: Value) -> Value {
    let mut value = value.clone();
    let mut node = &mut value;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((key, rest)) => (key, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        node = &mut node[key];
        if let Some(i) = index {
            node = &mut node[i];
        }
    }
    *node = new;
    value
}

/// Values of another JSON type than `value`'s that no lenient codec reads as
/// it: containers for scalars (the lenient codecs read numbers as text and
/// text as numbers, so those are checked per field below), scalars for
/// containers.
fn wrong_types(value: &Value) -> Vec<Value> {
    match value {
        Value::Object(_) => vec![json!([]), json!("x"), json!(1), json!(true)],
        Value::Array(_) => vec![json!({}), json!("x"), json!(1), json!({"0": {}})],
        Value::Number(_) | Value::String(_) | Value::Bool(_) | Value::Null => {
            vec![json!({}), json!([]), json!({"nested": ["x"]}), json!([[1]])]
        }
    }
}

/// Every node of `request` replaced by every wrong type: each is refused as
/// unreadable, naming the node's path.
async fn sweep_wrong_types(sb: &RunningSandbox, path: &str, token: &str, request: &Value) -> usize {
    let mut all = Vec::new();
    nodes(request, String::new(), &mut all);
    let mut count = 0;
    for (node, value) in &all {
        for wrong in wrong_types(value) {
            let body = serde_json::to_vec(&replaced(request, node, wrong.clone())).unwrap();
            let reply = post(sb.addr(), path, Some(token), Some(JSON.1), body).await;
            assert_unreadable(&format!("{path}: {node} = {wrong}"), &reply, node);
            count += 1;
        }
    }
    count
}

async fn token(sb: &RunningSandbox) -> String {
    let client = common::login(sb, "tbilisi").await;
    client
        .transport()
        .token()
        .expect("token")
        .expose_secret()
        .to_owned()
}

#[tokio::test]
async fn wrong_json_types_in_every_field_are_refused_naming_the_field() {
    let sb = eapi::spawn().await.unwrap();
    let token = token(&sb).await;
    let mut total = 0;
    for (path, file) in [
        ("/Invoice/SaveInvoice", "save-invoice.request.json"),
        (
            "/Invoice/SaveInvoice",
            "save-invoice.attach-advance.request.json",
        ),
        (
            "/Invoice/ListInvoices",
            "list-invoices.filtered.request.json",
        ),
        ("/Invoice/GetInvoice", "get-invoice.request.json"),
        ("/Invoice/ActivateInvoice", "activate-invoice.request.json"),
        ("/Invoice/RefuseInvoice", "refuse-invoice.request.json"),
        ("/Invoice/GetBarCode", "get-bar-code.request.json"),
        ("/Org/GetOrgInfoByTin", "get-org-info-by-tin.request.json"),
        ("/Users/AuthenticatePin", "authenticate-pin.request.json"),
    ] {
        total += sweep_wrong_types(&sb, path, &token, &example(file)).await;
    }
    assert!(total > 300, "{total} cases");
    // Nothing was stored by any of them.
    assert_eq!(sb.invoice_count(), 0);
    assert_still_serving(&sb).await;
}

/// Values of the right JSON type that no field of that kind may hold: text
/// that is no number, no date, no boolean; numbers out of range or not whole.
#[tokio::test]
async fn values_no_codec_of_the_field_kind_reads_are_refused_naming_the_field() {
    let sb = eapi::spawn().await.unwrap();
    let token = token(&sb).await;
    let save = example("save-invoice.request.json");
    let list = example("list-invoices.filtered.request.json");
    let cases: Vec<(&str, &Value, &str, Vec<Value>)> = vec![
        // integer
        (
            "/Invoice/SaveInvoice",
            &save,
            "INVOICE.PREV_CORRECTION_ID",
            vec![
                json!("abc"),
                json!(1.5),
                json!(1e300),
                json!(99999999999999999999999u128),
                json!(true),
            ],
        ),
        // code list (enum)
        (
            "/Invoice/SaveInvoice",
            &save,
            "INVOICE.INV_CATEGORY",
            vec![json!("abc"), json!(1.5), json!(true)],
        ),
        // date and time
        (
            "/Invoice/SaveInvoice",
            &save,
            "INVOICE.OPERATION_DATE",
            vec![
                json!("not a date"),
                json!("31-02-2019 10:00:00"),
                json!("99-99-9999 99:99:99"),
                json!("10-04-2019 25:00:00"),
                json!(20190410),
                json!(true),
            ],
        ),
        // boolean as text
        (
            "/Invoice/SaveInvoice",
            &save,
            "INVOICE.FOREIGN_BUYER",
            vec![json!("maybe"), json!("2"), json!(2)],
        ),
        // money
        (
            "/Invoice/SaveInvoice",
            &save,
            "INVOICE.AMOUNT_VAT",
            vec![
                json!("abc"),
                json!("1,2,3"),
                json!("NaN"),
                json!("1e99999"),
                json!(1e300),
                json!(true),
            ],
        ),
        (
            "/Invoice/SaveInvoice",
            &save,
            "INVOICE.INVOICE_GOODS[0].QUANTITY",
            vec![json!("x"), json!("1..2"), json!("--1")],
        ),
        // date range
        (
            "/Invoice/ListInvoices",
            &list,
            "CREATE_DATE",
            vec![
                json!("01-04-2019"),
                json!("a:b"),
                json!("01-04-2019:xx"),
                json!("32-01-2019:01-02-2019"),
                json!(5),
            ],
        ),
        (
            "/Invoice/ListInvoices",
            &list,
            "MAXIMUM_ROWS",
            vec![json!("abc"), json!(1.5), json!(1e300)],
        ),
    ];
    let mut accepted = Vec::new();
    for (path, request, field, values) in cases {
        for value in values {
            let body = serde_json::to_vec(&replaced(request, field, value.clone())).unwrap();
            let reply = post(sb.addr(), path, Some(&token), Some(JSON.1), body).await;
            let case = format!("{path}: {field} = {value}");
            let (status, id, text) = assert_error_envelope(&case, &reply);
            if (status, id) != (400, -1) || !text.contains(field) {
                accepted.push(format!("{case}: HTTP {status} {id} {text}"));
            }
        }
    }
    assert!(
        accepted.is_empty(),
        "read as valid:\n{}",
        accepted.join("\n")
    );
    assert_eq!(sb.invoice_count(), 0);
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn wrong_top_level_shapes_truncated_json_and_invalid_utf8_are_refused() {
    let sb = eapi::spawn().await.unwrap();
    let addr = sb.addr();
    let token = token(&sb).await;
    let save = serde_json::to_vec(&example("save-invoice.request.json")).unwrap();

    for body in ["[]", "\"x\"", "1", "null", "true", "[{}]"] {
        let reply = post(
            addr,
            "/Invoice/SaveInvoice",
            Some(&token),
            Some(JSON.1),
            body,
        )
        .await;
        assert_unreadable(&format!("top level {body}"), &reply, "valid");
    }
    for body in ["", " ", "{", "{\"INVOICE\":", "{\"INVOICE\":{\"ID\":0,"] {
        let reply = post(
            addr,
            "/Invoice/SaveInvoice",
            Some(&token),
            Some(JSON.1),
            body,
        )
        .await;
        assert_unreadable(&format!("truncated {body:?}"), &reply, "valid");
    }
    // Cut at every 97th byte of a real request.
    for cut in (1..save.len()).step_by(97) {
        let reply = post(
            addr,
            "/Invoice/SaveInvoice",
            Some(&token),
            Some(JSON.1),
            &save[..cut],
        )
        .await;
        assert_error_envelope(&format!("cut at {cut}"), &reply);
    }
    // Trailing garbage, comments, NaN, duplicate keys with a wrong type.
    for body in [
        r#"{"ID": 1} x"#,
        r#"{"ID": 1}{"ID": 2}"#,
        r#"{"ID": /* c */ 1}"#,
        r#"{"ID": NaN}"#,
        r#"{"ID": 1, "ID": "x"}"#,
        r#"{'ID': 1}"#,
        "{\"ID\": 1\u{0}}",
    ] {
        let reply = post(
            addr,
            "/Invoice/GetInvoice",
            Some(&token),
            Some(JSON.1),
            body,
        )
        .await;
        assert_error_envelope(&format!("garbage {body:?}"), &reply);
    }

    // Invalid UTF-8: in a string, as a key, and a lone byte; overlong and
    // surrogate encodings.
    for body in [
        b"{\"USERNAME\":\"\xff\xfe\",\"PASSWORD\":\"x\"}".to_vec(),
        b"{\"\xc3\x28\":1}".to_vec(),
        vec![0x80],
        b"{\"USERNAME\":\"\xc0\xaf\"}".to_vec(),
        b"{\"USERNAME\":\"\xed\xa0\x80\"}".to_vec(),
        b"\xef\xbb\xbf{\"USERNAME\":\"tbilisi\"}".to_vec(),
    ] {
        let reply = post(
            addr,
            "/Users/Authenticate",
            None,
            Some(JSON.1),
            body.clone(),
        )
        .await;
        assert_error_envelope(&format!("bytes {body:?}"), &reply);
    }
    let reply = post(
        addr,
        "/Users/Authenticate",
        None,
        Some(JSON.1),
        b"{\"USERNAME\":\"\xff\"}".to_vec(),
    )
    .await;
    assert_unreadable("invalid UTF-8", &reply, "UTF-8");
    // An escaped lone surrogate is valid JSON text but no string.
    let reply = post(
        addr,
        "/Users/Authenticate",
        None,
        Some(JSON.1),
        r#"{"USERNAME":"\ud800","PASSWORD":"1"}"#,
    )
    .await;
    assert_error_envelope("lone surrogate escape", &reply);

    // Numbers out of range.
    for body in [
        r#"{"InvoiceID": 99999999999999999999999999}"#,
        r#"{"InvoiceID": 1e400}"#,
        r#"{"InvoiceID": -1e400}"#,
        r#"{"InvoiceID": 1.5}"#,
    ] {
        let reply = post(
            addr,
            "/Invoice/GetInvoice",
            Some(&token),
            Some(JSON.1),
            body,
        )
        .await;
        assert_error_envelope(&format!("number {body}"), &reply);
    }
    assert_eq!(sb.invoice_count(), 0);
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let sb = eapi::spawn().await.unwrap();
    let addr = sb.addr();
    let token = token(&sb).await;
    let deep_array = "[".repeat(100_000);
    let deep_object = "{\"a\":".repeat(100_000);
    let deep_closed = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_in_field = format!(
        "{{\"INVOICE\":{{\"INVOICE_GOODS\":{}{}}}}}",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    for (case, path, body, names) in [
        ("100k [", "/Invoice/SaveInvoice", &deep_array, "valid"),
        ("100k {", "/Invoice/SaveInvoice", &deep_object, "valid"),
        (
            "100k [] closed",
            "/Invoice/ListInvoices",
            &deep_closed,
            "valid",
        ),
        (
            "nested in a field",
            "/Invoice/SaveInvoice",
            &deep_in_field,
            "INVOICE",
        ),
        (
            "100k [ to GetUnits",
            "/Common/GetUnits",
            &deep_array,
            "valid",
        ),
    ] {
        let reply = post(addr, path, Some(&token), Some(JSON.1), body.as_str()).await;
        assert_unreadable(case, &reply, names);
    }
    // An endpoint without a request model skips any JSON body, also a
    // deeply nested one (without recursing).
    let reply = post(
        addr,
        "/Users/SignOut",
        Some(&token),
        Some(JSON.1),
        deep_closed,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn bodies_over_the_limit_get_the_envelope_with_413() {
    let sb = eapi::spawn().await.unwrap();
    let addr = sb.addr();
    let token = token(&sb).await;

    // 64 MiB, declared: refused before it is read.
    let huge = vec![b' '; 64 * 1024 * 1024];
    let reply = post(
        addr,
        "/Invoice/SaveInvoice",
        Some(&token),
        Some(JSON.1),
        huge,
    )
    .await;
    let (status, id, text) = assert_error_envelope("64 MiB", &reply);
    assert_eq!((status, id), (413, -1));
    assert!(
        text.contains(&format!("limit of {DEFAULT_MAX_REQUEST_BYTES} bytes")),
        "{text}"
    );

    // Just under the limit: read, and refused for what it says.
    let mut big = br#"{"USERNAME":""#.to_vec();
    big.extend(std::iter::repeat_n(b'a', DEFAULT_MAX_REQUEST_BYTES - 100));
    big.extend_from_slice(br#"","PASSWORD":"123456"}"#);
    let reply = post(addr, "/Users/Authenticate", None, Some(JSON.1), big).await;
    let (status, id, _) = assert_error_envelope("16 MiB - 79", &reply);
    assert_eq!((status, id), (401, eapi::BAD_CREDENTIALS));
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn the_request_limit_is_configurable_and_holds_for_chunked_bodies() {
    let sb = eapi::spawn_with(Config {
        max_request_bytes: 1024,
        ..Config::default()
    })
    .await
    .unwrap();
    let addr = sb.addr();
    let body = format!(r#"{{"USERNAME":"{}","PASSWORD":"x"}}"#, "u".repeat(2000));

    let reply = post(
        addr,
        "/Users/Authenticate",
        None,
        Some(JSON.1),
        body.clone(),
    )
    .await;
    let (status, _, text) = assert_error_envelope("declared 2 KB", &reply);
    assert_eq!(status, 413);
    assert!(text.contains("limit of 1024 bytes"), "{text}");

    // No Content-Length: the limit counts the bytes as they arrive.
    let mut chunked = String::new();
    for part in body.as_bytes().chunks(100) {
        chunked.push_str(&format!("{:x}\r\n", part.len()));
        chunked.push_str(std::str::from_utf8(part).unwrap());
        chunked.push_str("\r\n");
    }
    chunked.push_str("0\r\n\r\n");
    let head = format!(
        "POST /Users/Authenticate HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let reply = exchange(addr, head, chunked.into_bytes()).await;
    let (status, _, text) = assert_error_envelope("chunked 2 KB", &reply);
    assert_eq!(status, 413);
    assert!(text.contains("limit of 1024 bytes"), "{text}");

    // A broken chunked body is unreadable, in the envelope.
    let head = format!(
        "POST /Users/Authenticate HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let reply = exchange(addr, head, b"zz\r\n{}\r\n0\r\n\r\n".to_vec()).await;
    let (status, id, _) = assert_error_envelope("broken chunks", &reply);
    assert_eq!((status, id), (400, -1));

    // Under the limit, as before.
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn unknown_fields_are_ignored_and_wrong_content_types_are_read_as_json() {
    let sb = eapi::spawn().await.unwrap();
    let addr = sb.addr();

    // The service ignores fields it does not know (its .NET binder does);
    // the rest of the request counts.
    let reply = post(
        addr,
        "/Users/Authenticate",
        None,
        Some(JSON.1),
        r#"{"USERNAME":"tbilisi","PASSWORD":"wrong","EXTRA":{"deep":[1,{"x":null}]},"":1}"#,
    )
    .await;
    let (status, id, _) = assert_error_envelope("unknown fields, wrong password", &reply);
    assert_eq!((status, id), (401, eapi::BAD_CREDENTIALS));
    let reply = post(
        addr,
        "/Users/Authenticate",
        None,
        Some(JSON.1),
        r#"{"UNKNOWN":[[[]]],"USERNAME":"tbilisi","PASSWORD":"123456","username":"other"}"#,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    // The body is read as JSON whatever its content type says, so a body
    // in another format is unreadable, in the envelope.
    for content_type in [
        Some("text/plain"),
        Some("application/xml"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/json; charset=iso-8859-1"),
        None,
    ] {
        for body in [
            "<USERNAME>tbilisi</USERNAME>",
            "USERNAME=tbilisi&PASSWORD=123456",
            "--x\r\nContent-Disposition: form-data; name=\"USERNAME\"\r\n\r\ntbilisi\r\n--x--",
        ] {
            let reply = post(addr, "/Users/Authenticate", None, content_type, body).await;
            assert_unreadable(&format!("{content_type:?}: {body}"), &reply, "valid");
        }
    }
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_get_the_envelope() {
    let sb = eapi::spawn().await.unwrap();
    let addr = sb.addr();
    for path in [
        "/Invoice/NoSuchMethod",
        "/",
        "/Invoice",
        "/invoice/saveinvoice",
        "/Invoice/SaveInvoice/extra",
        "/Invoice/%FF%FE",
        "/../../etc/passwd",
    ] {
        let reply = post(addr, path, None, Some(JSON.1), "{}").await;
        let (status, id, text) = assert_error_envelope(path, &reply);
        assert_eq!((status, id), (404, -1), "{path}: {text}");
    }
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        let reply = exchange(
            addr,
            head(addr, method, "/Users/Authenticate", &[JSON], 2),
            b"{}".to_vec(),
        )
        .await;
        let (status, id, text) = assert_error_envelope(method, &reply);
        assert_eq!((status, id), (405, -1), "{method}: {text}");
        assert!(text.contains("POST"), "{text}");
    }
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn many_broken_requests_at_once_leave_the_sandbox_serving() {
    let sb = eapi::spawn().await.unwrap();
    let addr = sb.addr();
    let bodies: Vec<Vec<u8>> = vec![
        b"{".to_vec(),
        b"\xff\xff".to_vec(),
        "[".repeat(10_000).into_bytes(),
        br#"{"USERNAME":{}}"#.to_vec(),
        br#"{"USERNAME":"tbilisi","PASSWORD":"nope"}"#.to_vec(),
    ];
    let mut tasks = Vec::new();
    for i in 0..50 {
        let body = bodies[i % bodies.len()].clone();
        tasks.push(tokio::spawn(async move {
            post(addr, "/Users/Authenticate", None, Some(JSON.1), body).await
        }));
    }
    for (i, task) in tasks.into_iter().enumerate() {
        let reply = task.await.expect("no panic in the test client");
        assert_error_envelope(&format!("concurrent {i}"), &reply);
    }
    assert_still_serving(&sb).await;
}

/// A TIN that is not 9 or 11 digits gets the answer it got before TINs were
/// a checked type in the models: -2 with HTTP 400 (after the token check),
/// whether the member is a `Tin` (refused while decoding) or still text
/// (TIN_BUYER, checked by the sandbox). A TIN of the wrong JSON type stays
/// unreadable (-1).
#[tokio::test]
async fn malformed_tins_get_minus_2_with_400_over_raw_http() {
    let sb = eapi::spawn().await.unwrap();
    let addr = sb.addr();
    let token = token(&sb).await;
    let save = example("save-invoice.request.json");
    for member in [
        "INVOICE.TIN_BUYER",
        "INVOICE.TIN_SELLER",
        "INVOICE.TRANS_COMPANY_TIN",
    ] {
        for bad in ["12", "20632210x", "2063221020"] {
            let body = serde_json::to_vec(&replaced(&save, member, json!(bad))).unwrap();
            let reply = post(
                addr,
                "/Invoice/SaveInvoice",
                Some(&token),
                Some(JSON.1),
                body,
            )
            .await;
            let (status, id, _) = assert_error_envelope(&format!("{member} = {bad:?}"), &reply);
            assert_eq!(
                (id, status),
                (-2, 400),
                "{member} = {bad:?}: {}",
                reply.text()
            );
        }
    }
    let body = r#"{"Tin": "12", "VatDate": "15-01-2024 10:00:00"}"#;
    let reply = post(
        addr,
        "/Org/GetVatPayerStatus",
        Some(&token),
        Some(JSON.1),
        body,
    )
    .await;
    let (status, id, _) = assert_error_envelope("GetVatPayerStatus Tin 12", &reply);
    assert_eq!((id, status), (-2, 400), "{}", reply.text());

    // Without a session the token check still comes first.
    let body = serde_json::to_vec(&replaced(&save, "INVOICE.TIN_SELLER", json!("12"))).unwrap();
    let reply = post(addr, "/Invoice/SaveInvoice", None, Some(JSON.1), body).await;
    let (status, id, _) = assert_error_envelope("TIN_SELLER 12 without a token", &reply);
    assert_eq!(status, 401, "{}", reply.text());
    assert!((-199..=-100).contains(&id), "{}", reply.text());

    // A number where a TIN goes is not a TIN string: unreadable, as before.
    let body =
        serde_json::to_vec(&replaced(&save, "INVOICE.TIN_SELLER", json!(206322102))).unwrap();
    let reply = post(
        addr,
        "/Invoice/SaveInvoice",
        Some(&token),
        Some(JSON.1),
        body,
    )
    .await;
    assert_unreadable("TIN_SELLER as a number", &reply, "INVOICE.TIN_SELLER");

    assert_eq!(sb.invoice_count(), 0);
    assert_still_serving(&sb).await;
}

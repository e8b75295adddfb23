//! A corpus of broken requests thrown at the NtosService sandbox over raw
//! TCP: broken and truncated XML, invalid UTF-8, entity bombs and DOCTYPEs,
//! deep nesting, huge bodies, wrong namespaces, duplicate elements, wrong
//! value types, unknown SOAP actions and body elements, wrong content types
//! and paths. Each gets what .asmx answers: a SOAP fault (`soap:Client`,
//! HTTP 500, or 413 / 400 for bodies over the limit or unreadable), the
//! operation's own refusal, or the plain 404 page for an unknown path; never
//! a panic, a hang or a dropped connection. The sandbox still answers a good
//! request afterwards.
//!
//! The reader's leniencies are pinned too: it finds elements by their local
//! names, reads an envelope without a namespace as SOAP 1.1, reads bodies
//! as UTF-8 whatever the XML declaration says, never reads a DTD (its
//! entities are unknown), and stops after the operation's element.

mod common;

use std::net::SocketAddr;

use rsge_ntos::endpoints::Chek;
use taxsdk_runtime::Error;
use taxsdk_runtime::client::decode_soap_reply;
use taxsdk_sandbox::eapi::DEFAULT_MAX_REQUEST_BYTES;
use taxsdk_sandbox::ntos::{self, Config, PATH, RunningSandbox};

use common::raw_http::{Reply, exchange};

const XML11: &str = "text/xml; charset=utf-8";
const CHEK: &str = "http://tempuri.org/chek";

/// POST `body` to `path` with a content type and SOAPAction, if given.
async fn post_to(
    addr: SocketAddr,
    path: &str,
    content_type: Option<&str>,
    action: Option<&str>,
    body: impl Into<Vec<u8>>,
) -> Reply {
    let body = body.into();
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(content_type) = content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    if let Some(action) = action {
        head.push_str(&format!("SOAPAction: \"{action}\"\r\n"));
    }
    head.push_str("\r\n");
    exchange(addr, head, body).await
}

/// A SOAP 1.1 request to the service's path.
async fn post(addr: SocketAddr, action: Option<&str>, body: impl Into<Vec<u8>>) -> Reply {
    post_to(addr, PATH, Some(XML11), action, body).await
}

/// A SOAP 1.1 envelope around `inner`.
fn envelope(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>{inner}</soap:Body></soap:Envelope>"#
    )
}

/// chek with the test account's service user and these parameters after su/sp.
fn chek(params: &str) -> String {
    envelope(&format!(
        r#"<chek xmlns="http://tempuri.org/"><su>tbilisi:206322102</su><sp>123456</sp>{params}</chek>"#
    ))
}

/// Asserts a `soap:Client` fault with HTTP `status`, read by the client's
/// own reader; returns its message.
fn assert_fault(case: &str, reply: &Reply, status: u16) -> String {
    assert_eq!(reply.status, status, "{case}: {}", reply.text());
    let head = reply.head.to_ascii_lowercase();
    assert!(
        head.contains("content-type: text/xml")
            || head.contains("content-type: application/soap+xml"),
        "{case}: {}",
        reply.head
    );
    match decode_soap_reply::<Chek>(reply.status, &reply.body) {
        Err(Error::Fault {
            code,
            message,
            http_status,
            ..
        }) => {
            assert!(
                code == "soap:Client" || code == "soap:Sender",
                "{case}: fault code {code}: {message}"
            );
            assert_eq!(http_status, status, "{case}");
            assert!(!message.trim().is_empty(), "{case}: empty message");
            message
        }
        other => panic!("{case}: not a fault: {other:?}: {}", reply.text()),
    }
}

/// A fault for a request the server cannot read, naming `what`.
fn assert_unreadable(case: &str, reply: &Reply, what: &str) {
    let message = assert_fault(case, reply, 500);
    assert!(
        message.contains("Server was unable to read request") && message.contains(what),
        "{case}: `{message}` does not name `{what}`"
    );
}

/// chek's reply: (result, user_id).
fn chek_reply(case: &str, reply: &Reply) -> (bool, i64) {
    assert_eq!(reply.status, 200, "{case}: {}", reply.text());
    let value = decode_soap_reply::<Chek>(reply.status, &reply.body)
        .unwrap_or_else(|e| panic!("{case}: {e}: {}", reply.text()));
    (value.result, value.user_id.into())
}

/// A good request still gets its answer.
async fn assert_still_serving(sb: &RunningSandbox) {
    let reply = post(sb.addr(), Some(CHEK), chek("<user_id>0</user_id>")).await;
    assert_eq!(chek_reply("good chek", &reply), (true, 783));
}

#[tokio::test]
async fn broken_and_truncated_xml_gets_client_faults() {
    let sb = ntos::spawn().await.unwrap();
    let addr = sb.addr();
    let good = chek("<user_id>0</user_id>");
    for body in [
        "",
        " ",
        "not xml",
        "<",
        "<soap:Envelope",
        "<?xml version=\"1.0\"?>",
        "<a></b>",
        "<a/><b/>",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><chek xmlns=\"http://tempuri.org/\"><su>x</su></soap:Body></soap:Envelope>",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><chek a=\"1></chek></soap:Body></soap:Envelope>",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><![CDATA[</soap:Body></soap:Envelope>",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><!-- </soap:Body></soap:Envelope>",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"></soap:Envelope>",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body></soap:Body></soap:Envelope>",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>text only</soap:Body></soap:Envelope>",
        "{\"su\":\"tbilisi:206322102\"}",
    ] {
        let reply = post(addr, Some(CHEK), body).await;
        assert_fault(&format!("{body:?}"), &reply, 500);
    }
    // Cut at every 23rd byte of a good request. The reader stops after the
    // operation's element: a request cut after it is whole.
    let whole = good.find("</chek>").unwrap() + "</chek>".len();
    for cut in (0..good.len()).step_by(23) {
        let reply = post(addr, Some(CHEK), &good.as_bytes()[..cut]).await;
        if cut >= whole {
            assert_eq!(chek_reply(&format!("cut at {cut}"), &reply), (true, 783));
        } else {
            assert_fault(&format!("cut at {cut}"), &reply, 500);
        }
    }
    // Nor is anything after the envelope read.
    let reply = post(addr, Some(CHEK), format!("{good}<extra/>")).await;
    assert_eq!(chek_reply("a second root", &reply), (true, 783));
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn invalid_utf8_and_control_characters_get_client_faults() {
    let sb = ntos::spawn().await.unwrap();
    let addr = sb.addr();
    let in_value = chek("<user_id>0</user_id>").replace("tbilisi", "tbil\u{FFFD}isi");
    for (case, body) in [
        (
            "invalid byte in a value",
            in_value
                .replace('\u{FFFD}', "\u{1}")
                .into_bytes()
                .into_iter()
                .map(|b| if b == 1 { 0xff } else { b })
                .collect::<Vec<u8>>(),
        ),
        ("lone byte", vec![0x80]),
        (
            "invalid byte in a name",
            chek("<user\u{1}id>0</user\u{1}id>")
                .into_bytes()
                .into_iter()
                .map(|b| if b == 1 { 0xfe } else { b })
                .collect(),
        ),
        (
            "overlong encoding",
            chek("<user_id>0</user_id>")
                .replace("tbilisi", "tb\u{1}")
                .into_bytes()
                .into_iter()
                .flat_map(|b| if b == 1 { vec![0xc0, 0xaf] } else { vec![b] })
                .collect(),
        ),
    ] {
        let reply = post(addr, Some(CHEK), body).await;
        assert_fault(case, &reply, 500);
    }
    // The declaration's encoding is not read: bodies are UTF-8.
    let reply = post(
        addr,
        Some(CHEK),
        chek("<user_id>0</user_id>").replace("encoding=\"utf-8\"", "encoding=\"utf-16\""),
    )
    .await;
    assert_eq!(
        chek_reply("UTF-16 declared, UTF-8 sent", &reply),
        (true, 783)
    );
    // Characters XML 1.0 does not allow, raw or as references, make the
    // request unreadable (a value holding one could not be written back),
    // and so does a reference to no character.
    for (su, what) in [
        ("tb\u{1}", "character U+0001"),
        ("tb&#1;", "stands for U+0001"),
        ("tb&#xFFFE;", "stands for U+FFFE"),
    ] {
        let body = chek("<user_id>0</user_id>").replace("tbilisi:206322102", su);
        let reply = post(addr, Some(CHEK), body).await;
        assert_unreadable(&format!("su {su:?}"), &reply, what);
    }
    let body = chek("<user_id>0</user_id>").replace("tbilisi:206322102", "tb&#99999999;");
    let reply = post(addr, Some(CHEK), body).await;
    assert_unreadable("reference to no character", &reply, "character reference");
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn doctypes_and_entity_bombs_are_refused_without_expanding() {
    let sb = ntos::spawn().await.unwrap();
    let addr = sb.addr();
    let mut lol = String::from("<!ENTITY lol0 \"lol\">");
    for i in 1..10 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        lol.push_str(&format!("<!ENTITY lol{i} \"{refs}\">"));
    }
    let bomb_dtd = format!("<!DOCTYPE soap:Envelope [{lol}]>");
    let body = chek("<user_id>0</user_id>");
    let with_dtd = |dtd: &str, su: &str| {
        body.replacen("?>", &format!("?>{dtd}"), 1)
            .replace("tbilisi:206322102", su)
    };
    // The DTD is not read: entities it declares are unknown, nothing is
    // fetched or expanded.
    for (case, request) in [
        ("billion laughs", with_dtd(&bomb_dtd, "&lol9;")),
        (
            "external entity",
            with_dtd(
                "<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
                "&xxe;",
            ),
        ),
        ("undeclared entity", with_dtd("", "&nope;")),
        (
            "quadratic blowup",
            with_dtd(
                &format!(
                    "<!DOCTYPE soap:Envelope [<!ENTITY a \"{}\">]>",
                    "x".repeat(50_000)
                ),
                &"&a;".repeat(50_000),
            ),
        ),
    ] {
        let reply = post(addr, Some(CHEK), request).await;
        let text = reply.text();
        assert!(!text.contains("root:"), "{case}: {text}");
        assert!(
            text.len() < 10_000,
            "{case}: a reply of {} bytes",
            text.len()
        );
        assert_unreadable(case, &reply, "unknown entity");
    }
    // A DOCTYPE the request does not use changes nothing, nor does an
    // external DTD or parameter entity (never fetched).
    for dtd in [
        bomb_dtd.as_str(),
        "<!DOCTYPE soap:Envelope [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/x.dtd\"> %p;]>",
        "<!DOCTYPE soap:Envelope SYSTEM \"file:///etc/passwd\">",
    ] {
        let reply = post(addr, Some(CHEK), with_dtd(dtd, "tbilisi:206322102")).await;
        assert_eq!(chek_reply(dtd, &reply), (true, 783));
    }
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn deep_nesting_is_refused_or_skipped_without_overflowing_the_stack() {
    let sb = ntos::spawn().await.unwrap();
    let addr = sb.addr();
    let deep = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
    for (case, body, names) in [
        (
            "in a parameter",
            chek(&format!("<user_id>{}</user_id>", deep(100_000))),
            "user_id",
        ),
        (
            "in the body",
            envelope(&format!(
                "{}<chek xmlns=\"http://tempuri.org/\"/>",
                deep(100_000)
            )),
            "body element `a`",
        ),
        (
            "unclosed",
            envelope(&"<a>".repeat(100_000)),
            "body element `a`",
        ),
    ] {
        let reply = post(addr, Some(CHEK), body).await;
        assert_unreadable(&format!("100k nested elements {case}"), &reply, names);
    }
    // An unknown parameter is skipped, however deep.
    let body = chek(&format!("<x>{}</x><user_id>0</user_id>", deep(100_000)));
    let reply = post(addr, Some(CHEK), body).await;
    assert_eq!(chek_reply("deep unknown parameter", &reply), (true, 783));
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn bodies_over_the_limit_get_a_fault_with_413() {
    let sb = ntos::spawn().await.unwrap();
    let addr = sb.addr();
    // 64 MiB, declared: refused before it is read.
    let huge = vec![b' '; 64 * 1024 * 1024];
    let reply = post(addr, Some(CHEK), huge).await;
    let message = assert_fault("64 MiB", &reply, 413);
    assert!(
        message.contains(&format!("limit of {DEFAULT_MAX_REQUEST_BYTES} bytes")),
        "{message}"
    );
    // SOAP 1.2 gets a SOAP 1.2 fault.
    let reply = post_to(
        addr,
        PATH,
        Some("application/soap+xml; charset=utf-8; action=\"http://tempuri.org/chek\""),
        None,
        vec![b' '; DEFAULT_MAX_REQUEST_BYTES + 1],
    )
    .await;
    assert!(
        reply
            .head
            .to_ascii_lowercase()
            .contains("application/soap+xml"),
        "{}",
        reply.head
    );
    assert_fault("16 MiB + 1, SOAP 1.2", &reply, 413);

    // A long parameter under the limit is read.
    let body = chek(&format!(
        "<user_id>0</user_id><x>{}</x>",
        "y".repeat(8 * 1024 * 1024)
    ));
    let reply = post(addr, Some(CHEK), body).await;
    assert_eq!(chek_reply("8 MiB unknown parameter", &reply), (true, 783));
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn the_request_limit_is_configurable_and_holds_for_chunked_bodies() {
    let sb = ntos::spawn_with(Config {
        max_request_bytes: 1024,
        ..Config::default()
    })
    .await
    .unwrap();
    let addr = sb.addr();
    let body = chek(&format!("<user_id>0</user_id><x>{}</x>", "y".repeat(2000)));
    let reply = post(addr, Some(CHEK), body.clone()).await;
    let message = assert_fault("declared 2 KB", &reply, 413);
    assert!(message.contains("limit of 1024 bytes"), "{message}");

    let mut chunked = Vec::new();
    for part in body.as_bytes().chunks(100) {
        chunked.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        chunked.extend_from_slice(part);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let head = format!(
        "POST {PATH} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: {XML11}\r\nSOAPAction: \"{CHEK}\"\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let reply = exchange(addr, head.clone(), chunked).await;
    let message = assert_fault("chunked 2 KB", &reply, 413);
    assert!(message.contains("limit of 1024 bytes"), "{message}");

    // A broken chunked body: unreadable.
    let reply = exchange(addr, head, b"zz\r\n<a/>\r\n0\r\n\r\n".to_vec()).await;
    assert_fault("broken chunks", &reply, 400);
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn unknown_actions_elements_namespaces_and_paths() {
    let sb = ntos::spawn().await.unwrap();
    let addr = sb.addr();
    let good = chek("<user_id>0</user_id>");

    let reply = post(
        addr,
        Some("http://tempuri.org/no_such_operation"),
        good.clone(),
    )
    .await;
    assert_unreadable_action(&reply, "no_such_operation");
    // An empty SOAPAction names no operation: the body element does.
    let reply = post(addr, Some(""), good.clone()).await;
    assert_eq!(chek_reply("empty SOAPAction", &reply), (true, 783));
    let reply = post(
        addr,
        None,
        envelope("<no_such_operation xmlns=\"http://tempuri.org/\"/>"),
    )
    .await;
    let message = assert_fault("unknown body element", &reply, 500);
    assert!(message.contains("no_such_operation"), "{message}");
    let reply = post(addr, Some("http://tempuri.org/get_invoice"), good.clone()).await;
    assert_unreadable("action of another operation", &reply, "not `get_invoice`");

    // An envelope without a namespace is read as SOAP 1.1.
    let plain = good
        .replace(
            " xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"",
            "",
        )
        .replace("soap:", "");
    let reply = post(addr, Some(CHEK), plain).await;
    assert_eq!(
        chek_reply("envelope without a namespace", &reply),
        (true, 783)
    );
    // Elements are found by their local names: a `Body` outside the
    // envelope's namespace is the Body.
    let reply = post(
        addr,
        Some(CHEK),
        good.replace("<soap:Body>", "<Body>")
            .replace("</soap:Body>", "</Body>"),
    )
    .await;
    assert_eq!(chek_reply("Body without its prefix", &reply), (true, 783));
    // Not a SOAP envelope: another envelope namespace.
    let reply = post(
        addr,
        Some(CHEK),
        good.replace(
            "http://schemas.xmlsoap.org/soap/envelope/",
            "http://example.com/envelope",
        ),
    )
    .await;
    let message = assert_fault("envelope in another namespace", &reply, 500);
    assert!(message.contains("envelope namespace"), "{message}");
    // The operation element in another namespace: also found by its local
    // name (the SOAPAction names it too).
    let reply = post(
        addr,
        Some(CHEK),
        good.replace("http://tempuri.org/", "http://example.com/other"),
    )
    .await;
    assert_eq!(
        chek_reply("operation in another namespace", &reply),
        (true, 783)
    );

    // Unknown paths: the plain page .asmx services answer.
    for path in [
        "/ntosservice/other.asmx",
        "/",
        "/NTOSSERVICE/NTOSSERVICE.ASMX/x",
    ] {
        let reply = post_to(addr, path, Some(XML11), Some(CHEK), good.clone()).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.text(), "The resource cannot be found.", "{path}");
    }
    assert_still_serving(&sb).await;
}

fn assert_unreadable_action(reply: &Reply, action: &str) {
    let message = assert_fault("unknown SOAPAction", reply, 500);
    assert!(
        message.contains("did not recognize the value of HTTP Header SOAPAction")
            && message.contains(action),
        "{message}"
    );
}

#[tokio::test]
async fn wrong_content_types_are_read_by_the_envelope() {
    let sb = ntos::spawn().await.unwrap();
    let addr = sb.addr();
    let good = chek("<user_id>0</user_id>");
    // JSON, forms and text are no SOAP envelope.
    for (content_type, body) in [
        (
            "application/json",
            r#"{"su":"tbilisi:206322102","sp":"123456","user_id":0}"#,
        ),
        (
            "application/x-www-form-urlencoded",
            "su=tbilisi%3A206322102&sp=123456&user_id=0",
        ),
        ("text/plain", "chek tbilisi:206322102 123456"),
    ] {
        let reply = post_to(addr, PATH, Some(content_type), Some(CHEK), body).await;
        assert_fault(content_type, &reply, 500);
    }
    // An envelope is read as the envelope it is, whatever the header says.
    for content_type in [None, Some("application/json"), Some("application/soap+xml")] {
        let reply = post_to(addr, PATH, content_type, Some(CHEK), good.clone()).await;
        assert_eq!(
            chek_reply(&format!("{content_type:?}"), &reply),
            (true, 783)
        );
    }
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn wrong_value_types_and_duplicates() {
    let sb = ntos::spawn().await.unwrap();
    let addr = sb.addr();
    // Values no codec of the parameter's type reads.
    for (param, value) in [
        ("user_id", "abc"),
        ("user_id", "1.5"),
        ("user_id", "99999999999999999999999"),
        ("user_id", "<x>1</x>"),
    ] {
        let body = chek(&format!("<{param}>{value}</{param}>"));
        let reply = post(addr, Some(CHEK), body).await;
        assert_unreadable(&format!("{param} = {value}"), &reply, param);
    }
    let save = |params: &str| {
        envelope(&format!(
            r#"<save_invoice xmlns="http://tempuri.org/"><user_id>783</user_id><invois_id>0</invois_id>{params}<seller_un_id>731937</seller_un_id><buyer_un_id>1149251</buyer_un_id><overhead_no/><overhead_dt>0001-01-01T00:00:00</overhead_dt><b_s_user_id>0</b_s_user_id><su>tbilisi:206322102</su><sp>123456</sp></save_invoice>"#
        ))
    };
    for date in [
        "not a date",
        "2026-02-30T00:00:00",
        "2026-01-15T25:00:00",
        "15-01-2026",
        "",
    ] {
        let body = save(&format!("<operation_date>{date}</operation_date>"));
        let reply = post(addr, Some("http://tempuri.org/save_invoice"), body).await;
        assert_unreadable(
            &format!("operation_date = {date:?}"),
            &reply,
            "operation_date",
        );
    }
    assert_eq!(sb.sandbox().invoice_count(), 0);

    // A parameter of the request model twice is unreadable; for the
    // credentials (read apart from the model) the first counts.
    let reply = post(
        addr,
        Some(CHEK),
        chek("<user_id>0</user_id><user_id>5</user_id>"),
    )
    .await;
    assert_unreadable("user_id twice", &reply, "duplicate field `user_id`");
    let reply = post(addr, Some(CHEK), chek("<user_id>0</user_id><su>other</su>")).await;
    assert_eq!(chek_reply("su twice", &reply), (true, 783));
    // The reader stops after the operation's element and skips a Header:
    // a second operation, a second Body, a Header with junk change nothing.
    let two_ops = envelope(
        "<chek xmlns=\"http://tempuri.org/\"><su>tbilisi:206322102</su><sp>123456</sp><user_id>0</user_id></chek><get_invoice xmlns=\"http://tempuri.org/\"/>",
    );
    let two_bodies = chek("<user_id>0</user_id>").replace(
        "</soap:Body>",
        "</soap:Body><soap:Body><get_invoice xmlns=\"http://tempuri.org/\"/></soap:Body>",
    );
    let junk_header = chek("<user_id>0</user_id>").replace(
        "<soap:Body>",
        "<soap:Header><x soap:mustUnderstand=\"1\"><y/></x></soap:Header><soap:Body>",
    );
    for (case, body) in [
        ("two operations", two_ops),
        ("two Bodies", two_bodies),
        ("a Header", junk_header),
    ] {
        let reply = post(addr, Some(CHEK), body).await;
        assert_eq!(chek_reply(case, &reply), (true, 783));
    }

    // Wrong credentials: the operation's refusal, not a fault.
    let body = chek("<user_id>0</user_id>").replace("<sp>123456</sp>", "<sp>wrong</sp>");
    let reply = post(addr, Some(CHEK), body).await;
    assert_eq!(chek_reply("wrong password", &reply), (false, 0));
    // Unknown parameters are skipped.
    let reply = post(
        addr,
        Some(CHEK),
        chek("<user_id>0</user_id><unknown a=\"1\"><b/></unknown>"),
    )
    .await;
    assert_eq!(chek_reply("unknown parameter", &reply), (true, 783));
    assert_still_serving(&sb).await;
}

#[tokio::test]
async fn many_broken_requests_at_once_leave_the_sandbox_serving() {
    let sb = ntos::spawn().await.unwrap();
    let addr = sb.addr();
    let bodies: Vec<Vec<u8>> = vec![
        b"<".to_vec(),
        b"\xff\xff".to_vec(),
        "<a>".repeat(10_000).into_bytes(),
        chek("<user_id>abc</user_id>").into_bytes(),
        chek("<user_id>0</user_id>")
            .replace("123456", "nope")
            .into_bytes(),
    ];
    let mut tasks = Vec::new();
    for i in 0..50 {
        let body = bodies[i % bodies.len()].clone();
        tasks.push(tokio::spawn(
            async move { post(addr, Some(CHEK), body).await },
        ));
    }
    for (i, task) in tasks.into_iter().enumerate() {
        let reply = task.await.expect("no panic in the test client");
        if i % bodies.len() == 4 {
            assert_eq!(chek_reply("wrong password", &reply), (false, 0));
        } else {
            assert_fault(&format!("concurrent {i}"), &reply, 500);
        }
    }
    assert_still_serving(&sb).await;
}

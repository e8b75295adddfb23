//! The client's response size limit (`ClientBuilder::max_response_bytes`):
//! replies larger than the limit, by `Content-Length` or as they stream in
//! (also an endless one), end in `Error::ResponseTooLarge` naming the
//! endpoint and the limit; replies up to the limit are read whole, however
//! they are chunked. Against a canned HTTP/1.1 server on 127.0.0.1.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use taxsdk_runtime::client::{ClientBuilder, DEFAULT_MAX_RESPONSE_BYTES, Transport};
use taxsdk_runtime::{
    AuthScheme, Empty, Endpoint, EndpointMeta, Error, Method, RetryPolicy, ServiceMeta,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Every call in this file must end well within this.
const BOUND: Duration = Duration::from_secs(20);
/// The client's limit in most tests.
const LIMIT: usize = 1024;

static SERVICE: ServiceMeta = ServiceMeta {
    name: "limit-test",
    title: "Response limit test service",
    document_version: None,
    default_base_url: "http://127.0.0.1:9",
    auth: AuthScheme::None,
    envelope: None,
    errors: &[],
    soap: None,
};

/// The canned reply body: `{"pad":"xxx..."}`.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Pad {
    pad: String,
}

/// A body of exactly `len` bytes (at least 10).
fn pad_json(len: usize) -> Vec<u8> {
    serde_json::to_vec(&Pad {
        pad: "x".repeat(len - 10),
    })
    .unwrap()
}

/// An endpoint at `$path`; names starting with `Get` are reads.
macro_rules! endpoint {
    ($name:ident, $path:literal) => {
        struct $name;
        impl Endpoint for $name {
            type Request = Empty;
            type Response = Pad;
            const META: EndpointMeta = EndpointMeta {
                name: stringify!($name),
                method: Method::Post,
                path: $path,
                auth: false,
                idempotency_key: None,
                errors: &[],
                has_request: false,
                has_response: true,
                soap: None,
                params: &[],
            };
        }
    };
}

endpoint!(GetDeclared, "/declared");
endpoint!(GetChunked, "/chunked");
endpoint!(GetEndless, "/endless");
endpoint!(GetFits, "/fits");
endpoint!(GetFitsDeclared, "/fits-declared");
endpoint!(SaveDeclared, "/declared");

struct TestClient(Transport);

impl From<Transport> for TestClient {
    fn from(transport: Transport) -> Self {
        Self(transport)
    }
}

fn client(addr: SocketAddr, limit: usize, policy: RetryPolicy) -> Transport {
    ClientBuilder::<TestClient>::new(&SERVICE)
        .base_url(format!("http://{addr}"))
        .timeout(Duration::from_secs(10))
        .max_response_bytes(limit)
        .retry_policy(policy)
        .build()
        .expect("client")
        .0
}

/// Reads one request (headers and a `Content-Length` body); its path.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while raw.len() < head_end + length {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    head.split(' ').nth(1).map(str::to_owned)
}

fn head(content_type: &str, length: Option<usize>) -> String {
    let length = match length {
        Some(n) => format!("Content-Length: {n}\r\n"),
        None => "Transfer-Encoding: chunked\r\n".into(),
    };
    format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{length}Connection: close\r\n\r\n")
}

/// Writes `body` as HTTP chunks of `size` bytes, each written on its own.
async fn write_chunked(stream: &mut TcpStream, body: &[u8], size: usize) -> std::io::Result<()> {
    for chunk in body.chunks(size) {
        stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await?;
        stream.write_all(chunk).await?;
        stream.write_all(b"\r\n").await?;
        stream.flush().await?;
    }
    stream.write_all(b"0\r\n\r\n").await
}

/// Serves the canned replies by path; counts the bytes `/endless` wrote.
async fn server() -> (SocketAddr, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let endless_bytes = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = endless_bytes.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let Some(path) = read_request(&mut stream).await else {
                    return;
                };
                let json = "application/json; charset=utf-8";
                let xml = "text/xml; charset=utf-8";
                let _ = match path.as_str() {
                    "/declared" => {
                        let body = pad_json(4 * LIMIT);
                        stream
                            .write_all(head(json, Some(body.len())).as_bytes())
                            .await
                            .ok();
                        stream.write_all(&body).await
                    }
                    "/chunked" => {
                        stream.write_all(head(json, None).as_bytes()).await.ok();
                        write_chunked(&mut stream, &pad_json(4 * LIMIT), 256).await
                    }
                    "/fits" => {
                        stream.write_all(head(json, None).as_bytes()).await.ok();
                        write_chunked(&mut stream, &pad_json(LIMIT), 100).await
                    }
                    "/fits-declared" => {
                        let body = pad_json(LIMIT);
                        stream
                            .write_all(head(json, Some(body.len())).as_bytes())
                            .await
                            .ok();
                        stream.write_all(&body).await
                    }
                    "/endless" => {
                        // Chunks of a JSON string that never ends, until
                        // the client hangs up.
                        stream.write_all(head(json, None).as_bytes()).await.ok();
                        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
                        let mut result = stream.write_all(b"8\r\n{\"pad\":\"\r\n").await;
                        while result.is_ok() {
                            result = stream.write_all(chunk.as_bytes()).await;
                            counter.fetch_add(64 * 1024, Ordering::Relaxed);
                        }
                        result
                    }
                    "/soap-large" => {
                        let body = soap_reply(&"x".repeat(4 * LIMIT));
                        stream
                            .write_all(head(xml, Some(body.len())).as_bytes())
                            .await
                            .ok();
                        stream.write_all(body.as_bytes()).await
                    }
                    "/soap-large-chunked" => {
                        let body = soap_reply(&"x".repeat(4 * LIMIT));
                        stream.write_all(head(xml, None).as_bytes()).await.ok();
                        write_chunked(&mut stream, body.as_bytes(), 300).await
                    }
                    "/soap-small" => {
                        let body = soap_reply("short");
                        stream.write_all(head(xml, None).as_bytes()).await.ok();
                        write_chunked(&mut stream, body.as_bytes(), 50).await
                    }
                    _ => {
                        stream
                            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .await
                    }
                };
                let _ = stream.shutdown().await;
            });
        }
    });
    (addr, endless_bytes)
}

/// A SOAP 1.1 reply of operation `get_echo` whose result is `text`. A read,
/// so a reply too large is a final error, not one of unknown outcome.
fn soap_reply(text: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><get_echoResponse xmlns="http://tempuri.org/"><get_echoResult>{text}</get_echoResult></get_echoResponse></soap:Body></soap:Envelope>"#
    )
}

async fn call<E: Endpoint<Request = Empty>>(transport: &Transport) -> Result<E::Response, Error> {
    tokio::time::timeout(BOUND, transport.call::<E>(&Empty))
        .await
        .expect("the call ends in time")
}

/// Asserts `error` is `ResponseTooLarge` of `endpoint` with `limit`, and
/// that its text says so.
fn assert_too_large(error: &Error, endpoint: &str, limit: usize) {
    match error {
        Error::ResponseTooLarge {
            endpoint: e,
            limit: l,
            url,
        } => {
            assert_eq!(*e, endpoint);
            assert_eq!(*l, limit);
            assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    let text = error.to_string();
    assert!(text.starts_with(endpoint), "{text}");
    assert!(text.contains(&format!("limit of {limit} bytes")), "{text}");
    assert!(text.contains("larger than"), "{text}");
    assert!(text.contains("max_response_bytes"), "{text}");
}

#[tokio::test]
async fn a_reply_declared_larger_than_the_limit_is_refused() {
    let (addr, _) = server().await;
    let transport = client(addr, LIMIT, RetryPolicy::none());
    let error = call::<GetDeclared>(&transport).await.unwrap_err();
    assert_too_large(&error, "GetDeclared", LIMIT);
    assert!(!error.may_have_taken_effect(), "a read");
}

#[tokio::test]
async fn a_chunked_reply_growing_past_the_limit_is_refused() {
    let (addr, _) = server().await;
    let transport = client(addr, LIMIT, RetryPolicy::none());
    let error = call::<GetChunked>(&transport).await.unwrap_err();
    assert_too_large(&error, "GetChunked", LIMIT);
}

#[tokio::test]
async fn an_endless_reply_is_cut_at_the_limit() {
    let (addr, written) = server().await;
    let limit = 1024 * 1024;
    let transport = client(addr, limit, RetryPolicy::none());
    let started = Instant::now();
    let error = call::<GetEndless>(&transport).await.unwrap_err();
    assert_too_large(&error, "GetEndless", limit);
    assert!(started.elapsed() < Duration::from_secs(10));
    // The client stopped reading: the server could only fill the limit
    // plus the socket buffers before its writes failed.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let written = written.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        written < 64 * limit,
        "the server wrote {written} bytes: the client kept reading"
    );
}

#[tokio::test]
async fn replies_up_to_the_limit_are_read_whole() {
    let (addr, _) = server().await;
    let transport = client(addr, LIMIT, RetryPolicy::none());
    let expected: Pad = serde_json::from_slice(&pad_json(LIMIT)).unwrap();
    // Eleven chunks, joined.
    assert_eq!(call::<GetFits>(&transport).await.unwrap(), expected);
    assert_eq!(call::<GetFitsDeclared>(&transport).await.unwrap(), expected);
    // One byte less refuses both.
    let tight = client(addr, LIMIT - 1, RetryPolicy::none());
    assert_too_large(
        &call::<GetFits>(&tight).await.unwrap_err(),
        "GetFits",
        LIMIT - 1,
    );
    assert_too_large(
        &call::<GetFitsDeclared>(&tight).await.unwrap_err(),
        "GetFitsDeclared",
        LIMIT - 1,
    );
}

#[tokio::test]
async fn the_default_limit_reads_ordinary_replies_and_retried_reads_stay_too_large() {
    let (addr, _) = server().await;
    let transport = ClientBuilder::<TestClient>::new(&SERVICE)
        .base_url(format!("http://{addr}"))
        .build()
        .unwrap()
        .0;
    assert_eq!(
        call::<GetDeclared>(&transport).await.unwrap().pad.len(),
        4 * LIMIT - 10
    );
    assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 64 * 1024 * 1024);
    // A read is retried under the policy, and ends with the last attempt's error.
    let policy = RetryPolicy::default()
        .max_attempts(3)
        .backoff(Duration::from_millis(1), Duration::from_millis(5));
    let transport = client(addr, LIMIT, policy);
    let error = call::<GetDeclared>(&transport).await.unwrap_err();
    assert_too_large(&error, "GetDeclared", LIMIT);
    assert_eq!(transport.retry_stats().attempts, 3);
}

#[tokio::test]
async fn a_write_whose_reply_is_too_large_has_an_unknown_outcome() {
    let (addr, _) = server().await;
    let transport = client(addr, LIMIT, RetryPolicy::default());
    let error = call::<SaveDeclared>(&transport).await.unwrap_err();
    // The service answered, but the answer was not read.
    assert!(error.may_have_taken_effect(), "{error}");
    let Error::OutcomeUnknown {
        source, attempts, ..
    } = &error
    else {
        panic!("expected OutcomeUnknown, got {error:?}");
    };
    assert_eq!(*attempts, 1, "a keyless write is not repeated");
    assert_too_large(source, "SaveDeclared", LIMIT);
}

#[cfg(feature = "soap")]
mod soap {
    use super::*;

    static SOAP_SERVICE: ServiceMeta = ServiceMeta {
        name: "limit-test-soap",
        title: "Response limit test SOAP service",
        document_version: None,
        default_base_url: "http://127.0.0.1:9",
        auth: AuthScheme::None,
        envelope: None,
        errors: &[],
        soap: ServiceMeta::soap11("http://tempuri.org/"),
    };

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Echo {
        #[serde(rename = "get_echoResult")]
        result: String,
    }

    macro_rules! operation {
        ($name:ident, $path:literal) => {
            struct $name;
            impl Endpoint for $name {
                type Request = Empty;
                type Response = Echo;
                const META: EndpointMeta = EndpointMeta {
                    name: stringify!($name),
                    method: Method::Post,
                    path: $path,
                    auth: false,
                    idempotency_key: None,
                    errors: &[],
                    has_request: false,
                    has_response: true,
                    soap: EndpointMeta::soap_operation(
                        "get_echo",
                        "http://tempuri.org/get_echo",
                        &[],
                        None,
                        None,
                    ),
                    params: &[],
                };
            }
        };
    }

    operation!(EchoLarge, "/soap-large");
    operation!(EchoLargeChunked, "/soap-large-chunked");
    operation!(EchoSmall, "/soap-small");

    fn soap_client(addr: SocketAddr) -> Transport {
        ClientBuilder::<TestClient>::new(&SOAP_SERVICE)
            .base_url(format!("http://{addr}"))
            .timeout(Duration::from_secs(10))
            .max_response_bytes(LIMIT)
            .build()
            .expect("client")
            .0
    }

    #[tokio::test]
    async fn soap_replies_larger_than_the_limit_are_refused() {
        let (addr, _) = server().await;
        let transport = soap_client(addr);
        assert_too_large(
            &call::<EchoLarge>(&transport).await.unwrap_err(),
            "EchoLarge",
            LIMIT,
        );
        assert_too_large(
            &call::<EchoLargeChunked>(&transport).await.unwrap_err(),
            "EchoLargeChunked",
            LIMIT,
        );
        let small = call::<EchoSmall>(&transport).await.unwrap();
        assert_eq!(small.result, "short");
    }
}

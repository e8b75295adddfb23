//! One raw HTTP/1.1 exchange over TCP, for the tests that send what no
//! HTTP client would (broken bodies, wrong framing, huge payloads) and read
//! the reply byte for byte.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Every exchange must end within this.
pub const BOUND: Duration = Duration::from_secs(20);

/// A reply as it came off the wire.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 exchange: writes `head` and then `body` (from a separate
/// task, so that a server answering before it read the body is seen), and
/// reads the reply until the server closes the connection.
pub async fn exchange(addr: SocketAddr, head: String, body: Vec<u8>) -> Reply {
    let run = async move {
        let stream = TcpStream::connect(addr).await.expect("connect");
        let (mut reader, mut writer) = stream.into_split();
        let write = tokio::spawn(async move {
            writer.write_all(head.as_bytes()).await?;
            for chunk in body.chunks(256 * 1024) {
                writer.write_all(chunk).await?;
            }
            writer.flush().await?;
            // Keep the write half open: closing it early is a different request.
            Ok::<_, std::io::Error>(writer)
        });
        let mut raw = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => raw.extend_from_slice(&buf[..n]),
                // A reset after the reply (the server did not read the
                // whole body) still leaves the reply.
                Err(e) if !raw.is_empty() => {
                    let _ = e;
                    break;
                }
                Err(e) => panic!("no reply: {e}"),
            }
        }
        write.abort();
        raw
    };
    let raw = tokio::time::timeout(BOUND, run)
        .await
        .expect("a reply in time");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP reply: {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status: {head}"));
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Reply { status, head, body }
}

/// The payload of a chunked body.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&raw[..end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .expect("chunk size");
        if size == 0 {
            break;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[end + 2 + size + 2..];
    }
    out
}

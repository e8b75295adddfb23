//! Helpers shared by the newer end-to-end test files (each file is its own
//! test crate and uses a subset).
#![allow(dead_code)]

pub mod raw_http;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use rsge_eapi::client::Client;
use rsge_eapi::enums::*;
use rsge_eapi::models::*;
use rust_decimal::Decimal;
use secrecy::SecretString;
use taxsdk_runtime::chrono::{NaiveDate, NaiveDateTime};
use taxsdk_sandbox::eapi::RunningSandbox;

pub const SELLER_TIN: &str = "206322102";
pub const BUYER_TIN: &str = "12345678910";

pub fn client(sb: &RunningSandbox) -> Client {
    Client::builder()
        .base_url(sb.base_url())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// The service status of a failed call: (code, HTTP status).
pub fn status_of<T: std::fmt::Debug>(result: Result<T, taxsdk_runtime::Error>) -> (i64, u16) {
    let err = result.expect_err("the call should fail");
    let status = err
        .service_status()
        .unwrap_or_else(|| panic!("not a service error: {err}"));
    (status.code, status.http_status)
}

/// Log in (one- or two-step, PIN from the sandbox) and return a client with the token.
pub async fn login(sb: &RunningSandbox, username: &str) -> Client {
    let c = client(sb);
    let reply = c
        .authenticate(&AuthenticateRequest {
            username: username.into(),
            password: "123456".into(),
            device_code: None,
        })
        .await
        .unwrap_or_else(|e| panic!("authenticate {username}: {e}"));
    let token = match reply.access_token {
        Some(token) => token,
        None => c
            .authenticate_pin(&AuthenticatePinRequest {
                pin_token: reply.pin_token.expect("pin token"),
                pin: sb.last_pin(username).expect("a PIN was sent"),
                ..Default::default()
            })
            .await
            .expect("authenticate pin")
            .access_token
            .expect("access token"),
    };
    c.transport().set_token(SecretString::from(token));
    c
}

pub fn dt(y: i32, m: u32, d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .expect("date")
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// A goods line: `quantity` x `price` (in tetri) of `name`, unit 1 (piece).
pub fn line(name: &str, quantity: i64, price_tetri: i64) -> InvoiceGoods {
    InvoiceGoods {
        goods_name: Some(name.into()),
        unit_id: Some(1),
        quantity: Some(Decimal::new(quantity, 0)),
        unit_price: Some(Decimal::new(price_tetri, 2)),
        vat_type: Some(VatType::Standard),
        ..Default::default()
    }
}

/// A well-formed TIN (the typed models hold only those).
pub fn tin(text: &str) -> rsge_eapi::Tin {
    rsge_eapi::Tin::new(text).expect("a well-formed TIN")
}

/// A goods/services document without transport, one line of 2 x 900.00.
pub fn invoice(seller: &str, buyer: &str) -> Invoice {
    Invoice {
        id: 0,
        inv_category: Some(InvoiceCategory::GoodsServices),
        inv_type: Some(InvoiceType::WithoutTransport),
        operation_date: Some(dt(2024, 4, 10)),
        tin_seller: Some(tin(seller)),
        tin_buyer: Some(buyer.into()),
        invoice_goods: Some(vec![line("მაცივარი", 2, 90000)]),
        ..Default::default()
    }
}

pub fn save(inv: Invoice, transaction_id: Option<&str>) -> SaveInvoiceRequest {
    SaveInvoiceRequest {
        invoice: inv,
        transaction_id: transaction_id.map(Into::into),
    }
}

pub fn by_id(id: i64) -> Option<InvoiceRef> {
    Some(InvoiceRef { id })
}

pub fn get(id: i64) -> GetInvoiceRequest {
    GetInvoiceRequest {
        invoice_id: id,
        ..Default::default()
    }
}

/// Save `inv`; its id.
pub async fn save_doc(c: &Client, inv: Invoice) -> i64 {
    c.save_invoice(&save(inv, None))
        .await
        .expect("save")
        .invoice_id
        .expect("id")
}

/// Activate saved document `id`; its number.
pub async fn activate(c: &Client, id: i64) -> i64 {
    c.activate_invoice(&ActivateInvoiceRequest {
        invoice: Some(Invoice {
            id,
            ..Default::default()
        }),
        transaction_id: None,
    })
    .await
    .expect("activate")
    .invoice_number
    .expect("number")
}

/// Save and activate `inv`; (id, number).
pub async fn issue(c: &Client, inv: Invoice) -> (i64, i64) {
    let id = save_doc(c, inv).await;
    (id, activate(c, id).await)
}

/// GetInvoice of `id`.
pub async fn fetch(c: &Client, id: i64) -> Invoice {
    c.get_invoice(&get(id))
        .await
        .expect("get invoice")
        .invoice
        .expect("INVOICE")
}

/// POST `body` to `path` over a raw HTTP/1.1 connection: (status line, body).
pub async fn raw_post(
    sb: &RunningSandbox,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (String, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(sb.addr())
        .await
        .expect("connect");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\n{auth}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        sb.addr(),
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await.expect("read");
    let reply = String::from_utf8(reply).expect("UTF-8 reply");
    let (head, body) = reply.split_once("\r\n\r\n").expect("HTTP reply");
    let status = head.lines().next().unwrap_or_default().to_string();
    (status, body.to_string())
}

/// The access token a client holds.
pub fn token_of(c: &Client) -> String {
    use secrecy::ExposeSecret as _;
    c.transport()
        .token()
        .map(|t| t.expose_secret().to_string())
        .expect("a token")
}

/// A data file path unique to this process and call; removed (with its WAL
/// and shared-memory companions) on drop.
pub struct TempFile(PathBuf);

impl TempFile {
    pub fn new(tag: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let name = format!(
            "taxsdk-sandbox-{tag}-{}-{n}-{nanos}.sqlite",
            std::process::id()
        );
        let file = Self(std::env::temp_dir().join(name));
        file.remove();
        file
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        self.remove();
    }
}

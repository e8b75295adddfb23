//! `taxsdk sandbox eapi --data` killed (SIGKILL) in the middle of a load
//! of saves and restarted on the same file: every save it acknowledged is
//! there with its TransactionId reply, and none of the calls cut short by
//! the kill left a document twice.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rsge_eapi::SecretString;
use rsge_eapi::client::Client;
use rsge_eapi::enums::{InvoiceCategory, InvoiceType, VatType};
use rsge_eapi::models::{
    GetInvoiceRequest, GetTransactionResultRequest, Invoice, InvoiceGoods, ListInvoicesRequest,
    SaveInvoiceRequest,
};
use rust_decimal::Decimal;
use taxsdk_runtime::RetryPolicy;

/// Loaders saving at the same time.
const LOADERS: usize = 4;
/// Acknowledged saves to wait for before the kill.
const ACKED_BEFORE_KILL: usize = 40;

/// A data file under the temp directory, removed (with SQLite's companion
/// files) on drop.
struct TempData(PathBuf);

impl TempData {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let data = Self(std::env::temp_dir().join(format!(
            "taxsdk-cli-kill-{}-{nanos}.sqlite",
            std::process::id()
        )));
        data.remove();
        data
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Drop for TempData {
    fn drop(&mut self) {
        self.remove();
    }
}

/// `taxsdk sandbox eapi --port 0 --data PATH`; the bound address is read
/// from the first line of its stdout. Killed on drop.
struct SandboxProcess {
    child: Child,
    url: String,
}

impl SandboxProcess {
    fn start(data: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_taxsdk"))
            .args(["sandbox", "eapi", "--port", "0", "--data"])
            .arg(data)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start taxsdk");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next().and_then(Result::ok).unwrap_or_default();
            let _ = tx.send(first);
            // Keep reading, so that the sandbox never blocks on a full pipe.
            for _ in lines {}
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .map(str::to_string);
        let Some(url) = url else {
            child.kill().ok();
            child.wait().ok();
            panic!("the sandbox did not print its address: `{line}`");
        };
        Self { child, url }
    }

    /// SIGKILL: no chance to close the data file.
    fn kill(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn login(url: &str) -> Client {
    // One attempt per call: the kill must show as failed calls, not waits.
    let client = Client::builder()
        .base_url(url)
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let outcome = client
        .login("tbilisi", &SecretString::from("123456"), None)
        .await
        .expect("login");
    assert!(outcome.is_logged_in());
    client
}

fn invoice(marker: &str) -> Invoice {
    Invoice {
        inv_category: Some(InvoiceCategory::GoodsServices),
        inv_type: Some(InvoiceType::WithoutTransport),
        operation_date: chrono::NaiveDate::from_ymd_opt(2024, 4, 10)
            .and_then(|d| d.and_hms_opt(10, 0, 0)),
        tin_seller: Some(rsge_eapi::Tin::new("206322102").expect("a TIN")),
        tin_buyer: Some("12345678910".into()),
        inv_comment: Some(marker.into()),
        invoice_goods: Some(vec![InvoiceGoods {
            goods_name: Some("მაცივარი".into()),
            unit_id: Some(1),
            quantity: Some(Decimal::from(2)),
            unit_price: Some(Decimal::from(900)),
            vat_type: Some(VatType::Standard),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

#[derive(Default)]
struct Load {
    /// (TransactionId, acknowledged invoice id).
    acked: Vec<(String, i64)>,
    /// TransactionIds whose call failed (cut by the kill).
    unacked: Vec<String>,
}

#[test]
fn acknowledged_saves_survive_a_kill_in_the_middle_of_a_load() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let data = TempData::new();
    let mut first = SandboxProcess::start(&data.0);
    let load = Arc::new(Mutex::new(Load::default()));

    runtime.block_on(async {
        let client = login(&first.url).await;
        let mut loaders = Vec::new();
        for loader in 0..LOADERS {
            let client = client.clone();
            let load = load.clone();
            loaders.push(tokio::spawn(async move {
                for n in 0..2_000 {
                    let tx = format!("kill-{loader}-{n}");
                    let request = SaveInvoiceRequest::new(invoice(&tx)).with_transaction_id(&tx);
                    let reply = client.save_invoice(&request).await;
                    let mut load = load.lock().unwrap();
                    match reply {
                        Ok(reply) => load.acked.push((tx, reply.invoice_id.expect("id"))),
                        Err(_) => {
                            load.unacked.push(tx);
                            return;
                        }
                    }
                }
            }));
        }
        // Bounded wait until enough saves were acknowledged, then kill
        // while the loaders are still sending.
        for _ in 0..6_000 {
            if load.lock().unwrap().acked.len() >= ACKED_BEFORE_KILL {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        first.kill();
        for loader in loaders {
            loader.await.expect("loader");
        }
    });
    let load = std::mem::take(&mut *load.lock().unwrap());
    assert!(
        load.acked.len() >= ACKED_BEFORE_KILL,
        "only {} saves before the kill",
        load.acked.len()
    );
    assert_eq!(
        load.unacked.len(),
        LOADERS,
        "every loader was cut by the kill"
    );

    let second = SandboxProcess::start(&data.0);
    runtime.block_on(async {
        let client = login(&second.url).await;
        let listed = client
            .list_invoices(&ListInvoicesRequest {
                maximum_rows: 0,
                ..Default::default()
            })
            .await
            .expect("list")
            .into_rows();
        let mut by_marker: HashMap<String, Vec<i64>> = HashMap::new();
        for row in &listed {
            if let (Some(marker), Some(id)) = (row.inv_comment.clone(), row.id) {
                by_marker.entry(marker).or_default().push(id);
            }
        }
        assert!(
            by_marker.values().all(|ids| ids.len() == 1),
            "a save stored twice: {by_marker:?}"
        );
        for (tx, id) in &load.acked {
            assert_eq!(
                by_marker.get(tx),
                Some(&vec![*id]),
                "acknowledged {tx} lost"
            );
            let stored = client
                .get_invoice(&GetInvoiceRequest::by_id(*id))
                .await
                .expect("get")
                .invoice
                .expect("INVOICE");
            assert_eq!(stored.inv_comment.as_deref(), Some(tx.as_str()));
            let replay = client
                .get_transaction_result(&GetTransactionResultRequest::new(tx.clone()))
                .await
                .expect("the TransactionId reply is durable");
            assert_eq!(replay.invoice_id, Some(*id));
        }
        // A call cut by the kill was either committed (once, with its
        // reply) or not at all.
        for tx in &load.unacked {
            match client
                .get_transaction_result(&GetTransactionResultRequest::new(tx.clone()))
                .await
            {
                Ok(reply) => assert_eq!(
                    by_marker.get(tx).map(Vec::as_slice),
                    reply.invoice_id.as_ref().map(std::slice::from_ref)
                ),
                Err(e) => {
                    assert_eq!(e.service_code(), Some(-6), "{tx}: {e}");
                    assert!(!by_marker.contains_key(tx), "{tx} stored without its reply");
                }
            }
        }
        assert_eq!(listed.len(), by_marker.len());
    });
}

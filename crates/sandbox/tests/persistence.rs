//! The eAPI sandbox with a data file (`Config::data`): documents, replies of
//! TransactionIds, counters and device codes survive a restart; files that
//! are not sandbox data files are refused with an error naming them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use rsge_eapi::client::Client;
use rsge_eapi::enums::*;
use rsge_eapi::models::*;
use rust_decimal::Decimal;
use secrecy::SecretString;
use taxsdk_runtime::chrono::NaiveDate;
use taxsdk_sandbox::eapi::{self, Config, RunningSandbox, Sandbox};

const SELLER_TIN: &str = "206322102";
const BUYER_TIN: &str = "12345678910";
const DEVICE: &str = "5e0b7a52-5f0c-4a8e-9f39-1f2d3c4b5a69";

/// A data file path unique to this process and call; removed (with its WAL
/// and shared-memory companions) on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(tag: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let name = format!(
            "taxsdk-sandbox-{tag}-{}-{n}-{}.sqlite",
            std::process::id(),
            uuid_suffix()
        );
        let file = Self(std::env::temp_dir().join(name));
        file.remove();
        file
    }

    fn path(&self) -> &Path {
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

fn uuid_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn config(path: &Path) -> Config {
    Config {
        data: Some(path.to_path_buf()),
        ..Config::default()
    }
}

async fn start(path: &Path) -> RunningSandbox {
    let sandbox = Sandbox::open(config(path)).expect("open the data file");
    eapi::serve(sandbox, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("serve")
}

fn client(sb: &RunningSandbox) -> Client {
    Client::builder()
        .base_url(sb.base_url())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

fn auth(username: &str, device: Option<&str>) -> AuthenticateRequest {
    AuthenticateRequest {
        username: username.into(),
        password: "123456".into(),
        device_code: device.map(Into::into),
    }
}

/// Log in; a two-step user answers the PIN and registers [`DEVICE`].
async fn login(sb: &RunningSandbox, username: &str) -> Client {
    let c = client(sb);
    let reply = c.authenticate(&auth(username, None)).await.unwrap();
    let token = match reply.access_token {
        Some(token) => token,
        None => c
            .authenticate_pin(&AuthenticatePinRequest {
                pin_token: reply.pin_token.expect("pin token"),
                pin: sb.last_pin(username).expect("a PIN was sent"),
                device_code: Some(DEVICE.into()),
                ..Default::default()
            })
            .await
            .unwrap()
            .access_token
            .expect("access token"),
    };
    c.transport().set_token(SecretString::from(token));
    c
}

fn invoice(comment: &str) -> Invoice {
    Invoice {
        id: 0,
        inv_category: Some(InvoiceCategory::GoodsServices),
        inv_type: Some(InvoiceType::WithoutTransport),
        operation_date: NaiveDate::from_ymd_opt(2024, 4, 10).and_then(|d| d.and_hms_opt(10, 0, 0)),
        tin_seller: Some(rsge_eapi::Tin::new(SELLER_TIN).expect("a well-formed TIN")),
        tin_buyer: Some(BUYER_TIN.into()),
        inv_comment: Some(comment.into()),
        invoice_goods: Some(vec![
            InvoiceGoods {
                goods_name: Some("მაცივარი".into()),
                unit_id: Some(1),
                quantity: Some(Decimal::new(2, 0)),
                unit_price: Some(Decimal::new(90000, 2)),
                vat_type: Some(VatType::Standard),
                ..Default::default()
            },
            InvoiceGoods {
                goods_name: Some("მომსახურება".into()),
                unit_id: Some(99),
                unit_txt: Some("საათი".into()),
                quantity: Some(Decimal::new(15, 1)),
                unit_price: Some(Decimal::new(3333, 2)),
                vat_type: Some(VatType::Exempt),
                ..Default::default()
            },
        ]),
        ..Default::default()
    }
}

fn save(inv: Invoice, transaction_id: Option<&str>) -> SaveInvoiceRequest {
    SaveInvoiceRequest {
        invoice: inv,
        transaction_id: transaction_id.map(Into::into),
    }
}

fn get(id: i64) -> GetInvoiceRequest {
    GetInvoiceRequest {
        invoice_id: id,
        ..Default::default()
    }
}

fn by_id(id: i64) -> Option<InvoiceRef> {
    Some(InvoiceRef { id })
}

fn all_rows(type_: InvoiceListType) -> ListInvoicesRequest {
    ListInvoicesRequest {
        type_,
        maximum_rows: 0,
        ..Default::default()
    }
}

/// Everything a seller and a buyer can read about `ids`.
async fn snapshot(
    seller: &Client,
    buyer: &Client,
    ids: &[i64],
) -> (
    Vec<Invoice>,
    ListInvoicesResponse,
    ListInvoicesResponse,
    ListInvoicesResponse,
) {
    let mut docs = Vec::new();
    for &id in ids {
        docs.push(seller.get_invoice(&get(id)).await.unwrap().invoice.unwrap());
    }
    let issued = seller
        .list_invoices(&all_rows(InvoiceListType::Issued))
        .await
        .unwrap();
    let deleted = seller
        .list_invoices(&ListInvoicesRequest {
            seller_action_txt: Some("წაშლილი".into()),
            ..all_rows(InvoiceListType::Issued)
        })
        .await
        .unwrap();
    let received = buyer
        .list_invoices(&all_rows(InvoiceListType::Received))
        .await
        .unwrap();
    (docs, issued, deleted, received)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_transactions_and_devices_survive_a_restart() {
    let file = TempFile::new("restart");

    // First life: every kind of state-changing call.
    let sb = start(file.path()).await;
    assert_eq!(sb.sandbox().data_path().as_deref(), Some(file.path()));
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await; // registers DEVICE

    let saved = seller
        .save_invoice(&save(invoice("saved"), Some("tx-saved")))
        .await
        .unwrap();
    let saved_id = saved.invoice_id.unwrap();
    // An edit of a saved document.
    seller
        .save_invoice(&save(
            Invoice {
                id: saved_id,
                inv_comment: Some("saved, then edited".into()),
                ..Default::default()
            },
            None,
        ))
        .await
        .unwrap();

    let confirmed_id = seller
        .save_invoice(&save(invoice("confirmed"), None))
        .await
        .unwrap()
        .invoice_id
        .unwrap();
    let refused_id = seller
        .save_invoice(&save(invoice("refused"), None))
        .await
        .unwrap()
        .invoice_id
        .unwrap();
    seller
        .activate_invoices(&ActivateInvoicesRequest {
            invoices: Some(vec![
                InvoiceIdItem { id: confirmed_id },
                InvoiceIdItem { id: refused_id },
            ]),
        })
        .await
        .unwrap();
    buyer
        .confirm_invoice(&ConfirmInvoiceRequest {
            invoice: by_id(confirmed_id),
        })
        .await
        .unwrap();
    buyer
        .refuse_invoice(&RefuseInvoiceRequest {
            invoice: by_id(refused_id),
        })
        .await
        .unwrap();

    let activated = seller
        .activate_invoice(&ActivateInvoiceRequest {
            invoice: Some(invoice("saved and activated")),
            transaction_id: Some("tx-activated".into()),
        })
        .await
        .unwrap();
    let activated_id = activated.invoice_id.unwrap();

    let cancelled_id = seller
        .activate_invoice(&ActivateInvoiceRequest {
            invoice: Some(invoice("cancelled")),
            transaction_id: None,
        })
        .await
        .unwrap()
        .invoice_id
        .unwrap();
    buyer
        .confirm_invoice(&ConfirmInvoiceRequest {
            invoice: by_id(cancelled_id),
        })
        .await
        .unwrap();
    seller
        .cancel_invoice(&CancelInvoiceRequest {
            invoice: by_id(cancelled_id),
        })
        .await
        .unwrap();

    let deleted_id = seller
        .save_invoice(&save(invoice("deleted"), None))
        .await
        .unwrap()
        .invoice_id
        .unwrap();
    seller
        .delete_invoice(&DeleteInvoiceRequest {
            invoice: by_id(deleted_id),
        })
        .await
        .unwrap();

    let ids = [
        saved_id,
        confirmed_id,
        refused_id,
        activated_id,
        cancelled_id,
        deleted_id,
    ];
    let before = snapshot(&seller, &buyer, &ids).await;
    assert_eq!(
        before.0[0].inv_comment.as_deref(),
        Some("saved, then edited")
    );
    assert_eq!(before.1.summary.as_ref().unwrap().count, Some(5));
    assert_eq!(before.2.summary.as_ref().unwrap().count, Some(1));
    assert_eq!(before.3.summary.as_ref().unwrap().count, Some(4));
    let max_goods = before
        .0
        .iter()
        .flat_map(|d| d.invoice_goods.iter().flatten())
        .map(|g| g.id)
        .max()
        .unwrap();
    let max_number = before.0.iter().filter_map(|d| d.inv_number).max().unwrap();

    drop((seller, buyer));
    sb.shutdown().await;

    // Second life on the same file.
    let sb = start(file.path()).await;
    assert_eq!(sb.invoice_count(), ids.len());
    let seller = login(&sb, "tbilisi").await;
    // The remembered device skips the PIN.
    let c = client(&sb);
    let remembered = c
        .authenticate(&auth("satesto2", Some(DEVICE)))
        .await
        .unwrap();
    let token = remembered
        .access_token
        .expect("the device code was remembered across the restart");
    c.transport().set_token(SecretString::from(token));
    let buyer = c;

    let after = snapshot(&seller, &buyer, &ids).await;
    assert_eq!(after.0, before.0, "GetInvoice differs after the restart");
    assert_eq!(after.1, before.1, "issued list differs after the restart");
    assert_eq!(after.2, before.2, "deleted list differs after the restart");
    assert_eq!(after.3, before.3, "received list differs after the restart");

    // TransactionId: a replay answers the first reply, creates nothing.
    let replay = seller
        .save_invoice(&save(invoice("a retry with other data"), Some("tx-saved")))
        .await
        .unwrap();
    assert_eq!(replay, saved);
    let replay = seller
        .activate_invoice(&ActivateInvoiceRequest {
            invoice: Some(invoice("a retry")),
            transaction_id: Some("tx-activated".into()),
        })
        .await
        .unwrap();
    assert_eq!(replay, activated);
    let result = seller
        .get_transaction_result(&GetTransactionResultRequest {
            transaction_id: "tx-activated".into(),
        })
        .await
        .unwrap();
    assert_eq!(result.invoice_id, Some(activated_id));
    assert_eq!(sb.invoice_count(), ids.len());

    // New ids, goods ids and numbers do not collide with stored ones.
    let new = seller
        .activate_invoice(&ActivateInvoiceRequest {
            invoice: Some(invoice("after the restart")),
            transaction_id: None,
        })
        .await
        .unwrap();
    let new_id = new.invoice_id.unwrap();
    assert!(new_id > *ids.iter().max().unwrap(), "{new_id} reused");
    assert!(new.invoice_number.unwrap() > max_number);
    let doc = seller
        .get_invoice(&get(new_id))
        .await
        .unwrap()
        .invoice
        .unwrap();
    assert!(
        doc.invoice_goods
            .iter()
            .flatten()
            .all(|g| g.id > max_goods && g.invoice_id == new_id)
    );

    // The buyer can still act on a document of the first life.
    let other = seller
        .activate_invoice(&ActivateInvoiceRequest {
            invoice: Some(Invoice {
                id: saved_id,
                ..Default::default()
            }),
            transaction_id: None,
        })
        .await
        .unwrap();
    assert_eq!(other.seller_action, Some(SellerAction::Sent));
    drop((seller, buyer));
    sb.shutdown().await;

    // Third life: what the second one did is there too.
    let sandbox = Sandbox::open(config(file.path())).unwrap();
    assert_eq!(sandbox.invoice_count(), ids.len() + 1);
}

#[tokio::test]
async fn without_a_data_file_nothing_is_written() {
    let file = TempFile::new("memory");
    let sandbox = Sandbox::new(Config::default());
    assert_eq!(sandbox.data_path(), None);
    let sb = eapi::serve(sandbox, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let seller = login(&sb, "tbilisi").await;
    seller
        .save_invoice(&save(invoice("memory"), None))
        .await
        .unwrap();
    assert_eq!(sb.invoice_count(), 1);
    assert!(!file.path().exists());
}

fn open_error(path: &Path) -> String {
    let err = Sandbox::open(config(path)).expect_err("the file should be refused");
    assert_eq!(err.path(), path);
    let text = err.to_string();
    assert!(
        text.contains(&path.display().to_string()),
        "the error does not name the file: {text}"
    );
    text
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let file = TempFile::new("text");
    let content = "INVOICE,AMOUNT\n1,100\n".repeat(200);
    std::fs::write(file.path(), &content).unwrap();
    let text = open_error(file.path());
    assert!(text.contains("not an SQLite database"), "{text}");
    assert_eq!(std::fs::read_to_string(file.path()).unwrap(), content);
}

#[test]
fn another_applications_database_is_refused_untouched() {
    let file = TempFile::new("foreign");
    {
        let conn = rusqlite::Connection::open(file.path()).unwrap();
        conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
            .unwrap();
    }
    let before = std::fs::read(file.path()).unwrap();
    let text = open_error(file.path());
    assert!(text.contains("another application"), "{text}");
    assert_eq!(std::fs::read(file.path()).unwrap(), before);
}

#[test]
fn a_corrupt_document_is_reported_with_the_file_and_invoice() {
    let file = TempFile::new("corrupt");
    // A sandbox file with one document, written through the real path.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let id = rt.block_on(async {
        let sb = start(file.path()).await;
        let seller = login(&sb, "tbilisi").await;
        let id = seller
            .save_invoice(&save(invoice("to be damaged"), None))
            .await
            .unwrap()
            .invoice_id
            .unwrap();
        drop(seller);
        sb.shutdown().await;
        id
    });
    drop(rt);
    {
        let conn = rusqlite::Connection::open(file.path()).unwrap();
        conn.execute(
            "UPDATE invoices SET invoice = '{\"ID\": ' WHERE id = ?1",
            [id],
        )
        .unwrap();
    }
    let text = open_error(file.path());
    assert!(
        text.contains("corrupt") && text.contains(&format!("invoice {id}")),
        "{text}"
    );

    // Damaged pages, not just a bad value.
    let mut bytes = std::fs::read(file.path()).unwrap();
    assert!(bytes.len() >= 4096, "{} bytes", bytes.len());
    for b in &mut bytes[100..4096] {
        *b = 0xA5;
    }
    std::fs::write(file.path(), &bytes).unwrap();
    open_error(file.path());
}

#[test]
fn a_missing_directory_is_reported_with_the_path() {
    let dir = TempFile::new("no-such-dir");
    let path = dir.path().join("data.sqlite");
    let text = open_error(&path);
    assert!(text.contains("cannot be used"), "{text}");
}

#[test]
fn a_second_sandbox_cannot_open_a_file_in_use() {
    let file = TempFile::new("locked");
    let first = Sandbox::open(config(file.path())).unwrap();
    let text = open_error(file.path());
    assert!(text.contains("in use"), "{text}");
    drop(first);
    // Released with the last handle.
    let again = Sandbox::open(config(file.path())).unwrap();
    assert_eq!(again.invoice_count(), 0);
}

//! End-to-end tests of the eAPI sandbox over real loopback HTTP, with the
//! generated client.

use std::io::{Read, Write};
use std::time::Duration;

use rsge_eapi::client::Client;
use rsge_eapi::enums::*;
use rsge_eapi::models::*;
use rust_decimal::Decimal;
use secrecy::SecretString;
use taxsdk_runtime::chrono::NaiveDate;
use taxsdk_sandbox::eapi::{self, Config, RunningSandbox};

const SELLER_TIN: &str = "206322102";
const BUYER_TIN: &str = "12345678910";

fn client(sb: &RunningSandbox) -> Client {
    Client::builder()
        .base_url(sb.base_url())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// The service status of a failed call: (code, HTTP status).
fn status_of<T: std::fmt::Debug>(result: Result<T, taxsdk_runtime::Error>) -> (i64, u16) {
    let err = result.expect_err("the call should fail");
    let status = err
        .service_status()
        .unwrap_or_else(|| panic!("not a service error: {err}"));
    (status.code, status.http_status)
}

fn auth(username: &str, device: Option<&str>) -> AuthenticateRequest {
    AuthenticateRequest {
        username: username.into(),
        password: "123456".into(),
        device_code: device.map(Into::into),
    }
}

/// Log in (one- or two-step, PIN from the sandbox) and return a client with the token.
async fn login(sb: &RunningSandbox, username: &str) -> Client {
    let c = client(sb);
    let reply = c
        .authenticate(&auth(username, None))
        .await
        .expect("authenticate");
    let token = match reply.access_token {
        Some(token) => token,
        None => {
            let pin = sb.last_pin(username).expect("a PIN was sent");
            c.authenticate_pin(&AuthenticatePinRequest {
                pin_token: reply.pin_token.expect("pin token"),
                pin,
                ..Default::default()
            })
            .await
            .expect("authenticate pin")
            .access_token
            .expect("access token")
        }
    };
    c.transport().set_token(SecretString::from(token));
    c
}

fn dt(y: i32, m: u32, d: u32) -> taxsdk_runtime::chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .expect("date")
}

fn invoice(seller: &str, buyer: &str) -> Invoice {
    Invoice {
        id: 0,
        inv_category: Some(InvoiceCategory::GoodsServices),
        inv_type: Some(InvoiceType::WithoutTransport),
        operation_date: Some(dt(2024, 4, 10)),
        tin_seller: Some(tin(seller)),
        tin_buyer: Some(buyer.into()),
        invoice_goods: Some(vec![InvoiceGoods {
            goods_name: Some("მაცივარი".into()),
            unit_id: Some(1),
            quantity: Some(Decimal::new(2, 0)),
            unit_price: Some(Decimal::new(90000, 2)),
            vat_amount: Some(Decimal::new(27458, 2)),
            vat_type: Some(VatType::Standard),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

fn tin(text: &str) -> rsge_eapi::Tin {
    rsge_eapi::Tin::new(text).expect("a well-formed TIN")
}

/// POST `body` to `path` with `client`'s token over a raw HTTP/1.1
/// connection, for requests the typed models cannot hold (a malformed
/// TIN): the reply's (STATUS.ID, HTTP status).
async fn raw_status(sb: &RunningSandbox, client: &Client, path: &str, body: &str) -> (i64, u16) {
    use secrecy::ExposeSecret as _;
    let token = client
        .transport()
        .token()
        .map(|t| t.expose_secret().to_string())
        .expect("a token");
    let addr = sb.addr();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let reply = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        text
    })
    .await
    .unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").expect("an HTTP reply");
    let http = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let value: serde_json::Value = serde_json::from_str(body).expect("a JSON body");
    (value["STATUS"]["ID"].as_i64().expect("STATUS.ID"), http)
}

fn save(inv: Invoice, transaction_id: Option<&str>) -> SaveInvoiceRequest {
    SaveInvoiceRequest {
        invoice: inv,
        transaction_id: transaction_id.map(Into::into),
    }
}

fn by_id(id: i64) -> Option<InvoiceRef> {
    Some(InvoiceRef { id })
}

fn get(id: i64) -> GetInvoiceRequest {
    GetInvoiceRequest {
        invoice_id: id,
        ..Default::default()
    }
}

async fn save_new(c: &Client) -> i64 {
    c.save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), None))
        .await
        .expect("save")
        .invoice_id
        .expect("id")
}

#[tokio::test]
async fn one_factor_login() {
    let sb = eapi::spawn().await.unwrap();
    let c = client(&sb);
    let reply = c.authenticate(&auth(" tbilisi ", None)).await.unwrap();
    let token = reply.access_token.expect("one-step login gives a token");
    // <GUID>-<ddMMyyyyhhmmss>
    let (guid, stamp) = token.rsplit_once('-').unwrap();
    assert!(uuid_like(guid), "{token}");
    assert_eq!(stamp.len(), 14);
    assert!(stamp.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(reply.expires_in, Some(2400));
    assert_eq!(reply.masked_mobile.as_deref(), Some("*** *** *16"));
    assert_eq!(reply.pin_token, None);

    c.transport().set_token(SecretString::from(token));
    let units = c.get_units().await.unwrap();
    assert!(units.iter().any(|u| u.value == Some(1)));
    let me = c
        .get_org_info_by_tin(&GetOrgInfoByTinRequest { tin: String::new() })
        .await
        .unwrap();
    assert_eq!(me.tin.as_deref(), Some(SELLER_TIN));
    assert_eq!(me.un_id, Some(731_937));
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.split('-').map(str::len).eq([8, 4, 4, 4, 12])
}

#[tokio::test]
async fn bad_credentials_are_an_authentication_error() {
    let sb = eapi::spawn().await.unwrap();
    let c = client(&sb);
    let mut req = auth("tbilisi", None);
    req.password = "wrong".into();
    assert_eq!(
        status_of(c.authenticate(&req).await),
        (eapi::BAD_CREDENTIALS, 401)
    );
    assert_eq!(
        status_of(c.authenticate(&auth("nobody", None)).await),
        (eapi::BAD_CREDENTIALS, 401)
    );
}

#[tokio::test]
async fn two_factor_login_with_pin_and_device_code() {
    let sb = eapi::spawn().await.unwrap();
    let c = client(&sb);
    let first = c.authenticate(&auth("satesto2", None)).await.unwrap();
    assert_eq!(first.access_token, None);
    assert_eq!(first.masked_mobile.as_deref(), Some("*** *** *28"));
    let pin_token = first.pin_token.expect("two-step login gives a PIN token");
    let pin = sb.last_pin("satesto2").expect("PIN sent");
    assert_eq!(pin.len(), 4);

    let wrong = if pin == "0000" { "1111" } else { "0000" };
    let bad = c
        .authenticate_pin(&AuthenticatePinRequest {
            pin_token: pin_token.clone(),
            pin: wrong.into(),
            ..Default::default()
        })
        .await;
    assert_eq!(status_of(bad), (-102, 401));

    let device = "df63cf1b-7417-49c1-87fb-e82037364746";
    let ok = c
        .authenticate_pin(&AuthenticatePinRequest {
            pin_token: pin_token.clone(),
            pin,
            device_code: Some(device.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ok.expires_in, Some(2400));
    let token = ok.access_token.expect("token");
    c.transport().set_token(SecretString::from(token));
    let me = c
        .get_org_info_by_tin(&GetOrgInfoByTinRequest { tin: String::new() })
        .await
        .unwrap();
    assert_eq!(me.tin.as_deref(), Some(BUYER_TIN));

    // The PIN token is used up.
    let again = c
        .authenticate_pin(&AuthenticatePinRequest {
            pin_token,
            pin: "7542".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(status_of(again).0, -108);

    // The remembered device skips the PIN; another device does not.
    let remembered = c
        .authenticate(&auth("satesto2", Some(device)))
        .await
        .unwrap();
    assert!(remembered.access_token.is_some());
    let other = c
        .authenticate(&auth(
            "satesto2",
            Some("00000000-0000-0000-0000-000000000000"),
        ))
        .await
        .unwrap();
    assert!(other.access_token.is_none() && other.pin_token.is_some());
}

#[tokio::test]
async fn sign_out_invalidates_the_token() {
    let sb = eapi::spawn().await.unwrap();
    let c = login(&sb, "tbilisi").await;
    c.get_actions().await.unwrap();
    c.sign_out().await.unwrap();
    assert_eq!(status_of(c.get_actions().await), (-104, 401));
    assert_eq!(status_of(c.sign_out().await), (-104, 401));

    c.transport().set_token(SecretString::from(
        "190cf874-cb7c-437f-82c4-1a7725d40f4f-10042019032106",
    ));
    let err = c.get_units().await.unwrap_err();
    let status = err.service_status().unwrap();
    assert_eq!((status.code, status.http_status), (-104, 401));
    assert_eq!(status.text, "Token არ არის სწორი!");
}

#[tokio::test]
async fn missing_authorization_header_gets_the_envelope_with_401() {
    let sb = eapi::spawn().await.unwrap();
    let addr = sb.addr();
    let reply = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
            .write_all(
                b"POST /Common/GetUnits HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )
            .unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        text
    })
    .await
    .unwrap();
    assert!(reply.starts_with("HTTP/1.1 401"), "{reply}");
    assert!(reply.contains(r#""ID":-104"#), "{reply}");
    assert!(reply.contains(r#""DATA":{}"#), "{reply}");
}

#[tokio::test]
async fn token_expiry_slides_with_each_call() {
    let sb = eapi::spawn_with(Config {
        token_ttl: Duration::from_secs(60),
        ..Config::default()
    })
    .await
    .unwrap();
    let c = login(&sb, "tbilisi").await;
    for _ in 0..3 {
        sb.sandbox().advance_clock(Duration::from_secs(45));
        c.get_units().await.expect("each call extends the token");
    }
    sb.sandbox().advance_clock(Duration::from_secs(61));
    assert_eq!(status_of(c.get_units().await), (-104, 401));
}

#[tokio::test]
async fn save_activate_confirm_by_the_buyer() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await;

    let saved = seller
        .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), None))
        .await
        .unwrap();
    let id = saved.invoice_id.unwrap();
    assert_eq!(saved.invoice_number, Some(0));
    assert_eq!(saved.seller_action, Some(SellerAction::Saved));
    assert_eq!(saved.buyer_action, Some(BuyerAction::Pending));

    // The amounts are the sandbox's: 2 x 900.00, VAT 18/118.
    let doc = seller.get_invoice(&get(id)).await.unwrap().invoice.unwrap();
    assert_eq!(doc.amount_full, Some(Decimal::new(180000, 2)));
    assert_eq!(doc.amount_vat, Some(Decimal::new(27458, 2)));
    assert_eq!(doc.user_role, Some(UserRole::Seller));
    assert_eq!(doc.name_buyer.as_deref(), Some("სატესტოk სატესტოk"));

    // A saved draft is not visible to the buyer yet.
    assert_eq!(status_of(buyer.get_invoice(&get(id)).await), (-2, 400));

    let activated = seller
        .activate_invoice(&ActivateInvoiceRequest {
            invoice: Some(Invoice {
                id,
                ..Default::default()
            }),
            transaction_id: None,
        })
        .await
        .unwrap();
    assert_eq!(activated.seller_action, Some(SellerAction::Sent));
    let number = activated.invoice_number.unwrap();
    assert!(number > 0);

    let seen = buyer
        .get_invoice(&GetInvoiceRequest {
            invoice_id: 0,
            invoice_number: Some(number),
            parent_invoice_id: 0,
        })
        .await
        .unwrap()
        .invoice
        .unwrap();
    assert_eq!(seen.id, id);
    assert_eq!(seen.user_role, Some(UserRole::Buyer));

    let confirmed = buyer
        .confirm_invoice(&ConfirmInvoiceRequest { invoice: by_id(id) })
        .await
        .unwrap();
    assert_eq!(confirmed.buyer_action, Some(BuyerAction::Confirmed));
    let doc = seller.get_invoice(&get(id)).await.unwrap().invoice.unwrap();
    assert_eq!(doc.buyer_action, Some(BuyerAction::Confirmed));
    assert!(doc.confirm_date.is_some());
    assert_eq!(doc.status_txt_geo.as_deref(), Some("დადასტურებული"));

    // Now the seller may request cancellation, and nothing else.
    assert_eq!(
        status_of(
            seller
                .delete_invoice(&DeleteInvoiceRequest { invoice: by_id(id) })
                .await
        ),
        (-2, 400)
    );
    let cancelled = seller
        .cancel_invoice(&CancelInvoiceRequest { invoice: by_id(id) })
        .await
        .unwrap();
    assert_eq!(cancelled.seller_action, Some(SellerAction::Cancelled));
}

#[tokio::test]
async fn illegal_transitions_are_minus_2() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await;
    let id = save_new(&seller).await;

    // The seller cannot confirm; a saved document cannot be cancelled.
    assert_eq!(
        status_of(
            seller
                .confirm_invoice(&ConfirmInvoiceRequest { invoice: by_id(id) })
                .await
        ),
        (-2, 400)
    );
    assert_eq!(
        status_of(
            seller
                .cancel_invoice(&CancelInvoiceRequest { invoice: by_id(id) })
                .await
        ),
        (-2, 400)
    );
    let activate = ActivateInvoiceRequest {
        invoice: Some(Invoice {
            id,
            ..Default::default()
        }),
        transaction_id: None,
    };
    seller.activate_invoice(&activate).await.unwrap();
    assert_eq!(
        status_of(seller.activate_invoice(&activate).await),
        (-2, 400)
    );
    // The buyer cannot delete; refused documents cannot be confirmed.
    assert_eq!(
        status_of(
            buyer
                .delete_invoice(&DeleteInvoiceRequest { invoice: by_id(id) })
                .await
        ),
        (-2, 400)
    );
    buyer
        .refuse_invoice(&RefuseInvoiceRequest { invoice: by_id(id) })
        .await
        .unwrap();
    assert_eq!(
        status_of(
            buyer
                .confirm_invoice(&ConfirmInvoiceRequest { invoice: by_id(id) })
                .await
        ),
        (-2, 400)
    );
    // A refused document can be deleted by the seller, and then it is gone from lists.
    let deleted = seller
        .delete_invoice(&DeleteInvoiceRequest { invoice: by_id(id) })
        .await
        .unwrap();
    assert_eq!(deleted.seller_action, Some(SellerAction::Deleted));
    let list = seller
        .list_invoices(&ListInvoicesRequest::default())
        .await
        .unwrap();
    assert_eq!(list.data.unwrap().len(), 0);
    let with_deleted = seller
        .list_invoices(&ListInvoicesRequest {
            seller_action_txt: Some("წაშლილი".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(with_deleted.data.unwrap().rows[0].id, Some(id));
}

#[tokio::test]
async fn another_organisation_cannot_read_or_change() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let outsider = login(&sb, "sandbox1").await;
    let id = save_new(&seller).await;
    seller
        .activate_invoice(&ActivateInvoiceRequest {
            invoice: Some(Invoice {
                id,
                ..Default::default()
            }),
            transaction_id: None,
        })
        .await
        .unwrap();
    assert_eq!(status_of(outsider.get_invoice(&get(id)).await), (-2, 400));
    assert_eq!(
        status_of(
            outsider
                .confirm_invoice(&ConfirmInvoiceRequest { invoice: by_id(id) })
                .await
        ),
        (-2, 400)
    );
    assert_eq!(
        status_of(
            outsider
                .delete_invoice(&DeleteInvoiceRequest { invoice: by_id(id) })
                .await
        ),
        (-2, 400)
    );
    for type_ in [InvoiceListType::Issued, InvoiceListType::Received] {
        let list = outsider
            .list_invoices(&ListInvoicesRequest {
                type_,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(list.data.unwrap().is_empty());
    }
}

#[tokio::test]
async fn transaction_id_replays_the_first_reply() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let tx = "159c81db-8764-4aca-a068-90785e03acda";
    let first = seller
        .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), Some(tx)))
        .await
        .unwrap();
    let mut changed = invoice(SELLER_TIN, BUYER_TIN);
    changed.inv_comment = Some("a retry with other data".into());
    let second = seller.save_invoice(&save(changed, Some(tx))).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(sb.invoice_count(), 1);

    let result = seller
        .get_transaction_result(&GetTransactionResultRequest {
            transaction_id: tx.into(),
        })
        .await
        .unwrap();
    assert_eq!(result.invoice_id, first.invoice_id);

    let unknown = seller
        .get_transaction_result(&GetTransactionResultRequest {
            transaction_id: "unknown".into(),
        })
        .await;
    assert_eq!(status_of(unknown).0, -6);

    // A failed first call is forgotten: the retry runs again.
    let tx2 = "a1b2";
    let bad = seller
        .save_invoice(&save(invoice(SELLER_TIN, SELLER_TIN), Some(tx2)))
        .await;
    assert_eq!(status_of(bad), (-200, 400));
    let retried = seller
        .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), Some(tx2)))
        .await
        .unwrap();
    assert_ne!(retried.invoice_id, first.invoice_id);
    assert_eq!(sb.invoice_count(), 2);

    // Save-and-activate with ActivateInvoice is idempotent too.
    let tx3 = "c3d4";
    let activate = ActivateInvoiceRequest {
        invoice: Some(invoice(SELLER_TIN, BUYER_TIN)),
        transaction_id: Some(tx3.into()),
    };
    let a = seller.activate_invoice(&activate).await.unwrap();
    let b = seller.activate_invoice(&activate).await.unwrap();
    assert_eq!(a, b);
    assert_eq!(a.seller_action, Some(SellerAction::Sent));
    assert_eq!(sb.invoice_count(), 3);
}

#[tokio::test]
async fn list_invoices_returns_typed_rows_newest_first() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await;
    let mut ids = Vec::new();
    for _ in 0..12 {
        ids.push(save_new(&seller).await);
    }
    let default = seller
        .list_invoices(&ListInvoicesRequest::default())
        .await
        .unwrap();
    let table = default.data.unwrap();
    assert!(table.unknown_columns().is_empty());
    assert_eq!(table.len(), 10);
    assert_eq!(default.summary.unwrap().count, Some(12));
    assert_eq!(table.rows[0].id, ids.last().copied());
    let row = &table.rows[0];
    assert_eq!(row.tin_buyer.as_deref(), Some(BUYER_TIN));
    assert_eq!(row.seller_action, Some(SellerAction::Saved));
    assert_eq!(row.action, Some(2));
    assert_eq!(row.amount_full, Some(Decimal::new(180000, 2)));
    assert_eq!(row.buyer.as_deref(), Some("სატესტოk სატესტოk(12345678910)"));

    let all = seller
        .list_invoices(&ListInvoicesRequest {
            maximum_rows: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.data.unwrap().len(), 12);

    let one = seller
        .list_invoices(&ListInvoicesRequest {
            id: Some(ids[3]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(one.data.unwrap().rows[0].id, Some(ids[3]));

    // Received: only activated documents.
    seller
        .activate_invoices(&ActivateInvoicesRequest {
            invoices: Some(vec![
                InvoiceIdItem { id: ids[0] },
                InvoiceIdItem { id: ids[1] },
            ]),
        })
        .await
        .unwrap();
    let received = buyer
        .list_invoices(&ListInvoicesRequest {
            type_: InvoiceListType::Received,
            maximum_rows: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    let rows = received.data.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows.rows[0].id, Some(ids[1]));
    assert!(rows.iter().all(|r| r.inv_number.is_some_and(|n| n > 0)));

    let advances = seller
        .list_invoices(&ListInvoicesRequest {
            type_: InvoiceListType::AdvancesWithBalance,
            ..Default::default()
        })
        .await;
    assert_eq!(status_of(advances), (-2, 400));
}

#[tokio::test]
async fn save_invoice_validates_the_document() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let code = |r: Result<SaveInvoiceResponse, taxsdk_runtime::Error>| status_of(r);

    // Seller equals buyer.
    assert_eq!(
        code(
            seller
                .save_invoice(&save(invoice(SELLER_TIN, SELLER_TIN), None))
                .await
        ),
        (-200, 400)
    );
    // A test account with a non-test counterparty.
    assert_eq!(
        code(
            seller
                .save_invoice(&save(invoice(SELLER_TIN, "204000002"), None))
                .await
        ),
        (-3, 400)
    );
    // Seller is not the caller's organisation.
    assert_eq!(
        code(
            seller
                .save_invoice(&save(invoice(BUYER_TIN, SELLER_TIN), None))
                .await
        ),
        (-2, 400)
    );
    // Buyer equals the transport company.
    let mut carrier = invoice(SELLER_TIN, BUYER_TIN);
    carrier.trans_company_tin = Some(tin(BUYER_TIN));
    assert_eq!(
        code(seller.save_invoice(&save(carrier, None)).await),
        (-202, 400)
    );
    // VAT_AMOUNT is an OUT parameter: a wrong value sent is replaced by the
    // computed one (18/118 of 1800.00), not refused.
    let mut vat = invoice(SELLER_TIN, BUYER_TIN);
    vat.invoice_goods.as_mut().unwrap()[0].vat_amount = Some(Decimal::new(100, 0));
    let id = seller
        .save_invoice(&save(vat, None))
        .await
        .unwrap()
        .invoice_id
        .unwrap();
    let stored = seller.get_invoice(&get(id)).await.unwrap().invoice.unwrap();
    let line = &stored.invoice_goods.unwrap()[0];
    assert_eq!(line.vat_amount, Some(Decimal::new(27458, 2)));
    // No goods; missing category; malformed buyer TIN.
    let mut empty = invoice(SELLER_TIN, BUYER_TIN);
    empty.invoice_goods = Some(Vec::new());
    assert_eq!(
        code(seller.save_invoice(&save(empty, None)).await),
        (-2, 400)
    );
    let mut no_category = invoice(SELLER_TIN, BUYER_TIN);
    no_category.inv_category = None;
    assert_eq!(
        code(seller.save_invoice(&save(no_category, None)).await),
        (-2, 400)
    );
    // A non-existing ID is not a new document.
    let mut unknown = invoice(SELLER_TIN, BUYER_TIN);
    unknown.id = 99_999;
    assert_eq!(
        code(seller.save_invoice(&save(unknown, None)).await),
        (-2, 400)
    );
    // Only the document with the replaced VAT was saved.
    assert_eq!(sb.invoice_count(), 1);

    // A non-test account may invoice registry TINs; malformed TINs are refused.
    let outsider = login(&sb, "sandbox1").await;
    outsider
        .save_invoice(&save(invoice("204000001", "01008000003"), None))
        .await
        .unwrap();
    assert_eq!(
        code(
            outsider
                .save_invoice(&save(invoice("204000001", "12AB"), None))
                .await
        ),
        (-2, 400)
    );
}

#[tokio::test]
async fn org_registry_answers_vat_status_and_info() {
    let sb = eapi::spawn().await.unwrap();
    let c = login(&sb, "tbilisi").await;
    let vat = |number: &str, y: i32| GetVatPayerStatusRequest {
        tin: tin(number),
        vat_date: dt(y, 1, 15),
    };
    let payer = c
        .get_vat_payer_status(&vat(SELLER_TIN, 2019))
        .await
        .unwrap();
    assert_eq!(payer.is_vat_payer, Some(true));
    let not_yet = c
        .get_vat_payer_status(&vat("204000001", 2017))
        .await
        .unwrap();
    assert_eq!(not_yet.is_vat_payer, Some(false));
    let never = c
        .get_vat_payer_status(&vat("204000002", 2024))
        .await
        .unwrap();
    assert_eq!(never.is_vat_payer, Some(false));
    // A malformed TIN no longer fits the typed request: sent raw.
    assert_eq!(
        raw_status(
            &sb,
            &c,
            "/Org/GetVatPayerStatus",
            r#"{"Tin": "12", "VatDate": "15-01-2024 10:00:00"}"#
        )
        .await
        .0,
        -2
    );

    let diplomat = c
        .get_org_info_by_tin(&GetOrgInfoByTinRequest {
            tin: "01008000003".into(),
        })
        .await
        .unwrap();
    assert_eq!(diplomat.is_diplomat, Some(true));
    assert_eq!(diplomat.is_vat_payer, Some(false));

    let actions = c.get_actions().await.unwrap();
    assert_eq!(actions[0].name.as_deref(), Some("წაშლილი"));
}

#[tokio::test]
async fn the_documents_save_invoice_example_is_accepted() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../spec/rsge-eapi/examples/save-invoice.request.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let example: SaveInvoiceRequest = taxsdk_runtime::serde_json::from_str(&text).unwrap();
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let saved = seller.save_invoice(&example).await.unwrap();
    let doc = seller
        .get_invoice(&get(saved.invoice_id.unwrap()))
        .await
        .unwrap()
        .invoice
        .unwrap();
    // The example's AMOUNT_FULL (3750) disagrees with its only line (2 x 900):
    // totals are OUT parameters, recomputed by the sandbox.
    assert_eq!(doc.amount_full, Some(Decimal::new(180000, 2)));
    assert_eq!(doc.amount_vat, Some(Decimal::new(27458, 2)));
}

#[tokio::test]
async fn declarations_number_by_month_and_attach_active_documents() {
    use taxsdk_runtime::wire::YearMonth;
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await;
    let period = YearMonth::new(2019, 1).unwrap();

    let seq = |c: Client, p: Option<YearMonth>| async move {
        c.get_seq_num(&GetSeqNumRequest {
            operation_period: p,
        })
        .await
    };
    let number = seq(buyer.clone(), Some(period))
        .await
        .unwrap()
        .seq_num
        .unwrap();
    assert_eq!(
        seq(buyer.clone(), Some(period)).await.unwrap().seq_num,
        Some(number)
    );
    let other_month = YearMonth::new(2019, 2).unwrap();
    assert_ne!(
        seq(buyer.clone(), Some(other_month)).await.unwrap().seq_num,
        Some(number)
    );
    assert_eq!(status_of(seq(buyer.clone(), None).await), (-2, 400));

    let active = save_new(&seller).await;
    seller
        .activate_invoice(&ActivateInvoiceRequest {
            invoice: Some(Invoice {
                id: active,
                ..Default::default()
            }),
            transaction_id: None,
        })
        .await
        .unwrap();
    let draft = save_new(&seller).await;
    let decl = |ids: Vec<i64>| CreateDeclRequest {
        invoices: Some(ids.into_iter().map(|id| InvoiceIdItem { id }).collect()),
        operation_period: Some(period),
    };

    // A draft is not visible to the buyer: the whole call is refused.
    assert_eq!(
        status_of(buyer.create_decl(&decl(vec![active, draft])).await),
        (-2, 400)
    );
    let doc = buyer
        .get_invoice(&get(active))
        .await
        .unwrap()
        .invoice
        .unwrap();
    assert_eq!(doc.seqnum_buyer, None, "nothing attached by a refused call");

    buyer.create_decl(&decl(vec![active])).await.unwrap();
    let doc = buyer
        .get_invoice(&get(active))
        .await
        .unwrap()
        .invoice
        .unwrap();
    assert_eq!(doc.seqnum_buyer, Some(number));
    assert_eq!(doc.seqnum_seller, None);
    // The seller cannot declare its draft either.
    assert_eq!(
        status_of(seller.create_decl(&decl(vec![draft])).await),
        (-2, 400)
    );
}

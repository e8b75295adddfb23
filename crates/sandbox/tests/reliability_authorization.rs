//! Authorization (extends `eapi_e2e::another_organisation_cannot_read_or_change`
//! and the token tests there): another organisation's user can neither
//! read, list, change nor confirm a document through any method, nor see
//! or replay its TransactionIds; the buyer sees nothing before
//! activation; a signed-out or expired token is refused by reads and
//! writes alike, and nothing changes.

mod common;

use std::time::Duration;

use common::*;
use rsge_eapi::client::Client;
use rsge_eapi::enums::{BuyerAction, InvoiceListType, SellerAction};
use rsge_eapi::models::*;
use taxsdk_runtime::Error;
use taxsdk_runtime::wire::YearMonth;
use taxsdk_sandbox::eapi::{self, Config, RunningSandbox};

const OUTSIDER_TIN: &str = "204000001";

/// (code, HTTP status) of a refusal.
fn refused<T: std::fmt::Debug>(what: &str, result: Result<T, Error>) -> (i64, u16) {
    let err = result.expect_err(what);
    assert!(!err.may_have_taken_effect(), "{what}: {err}");
    let status = err
        .service_status()
        .unwrap_or_else(|| panic!("{what}: not a service answer: {err}"));
    (status.code, status.http_status)
}

fn state(sb: &RunningSandbox, id: i64) -> (Option<SellerAction>, Option<BuyerAction>) {
    let inv = sb.sandbox().invoice(id).expect("stored");
    (inv.seller_action, inv.buyer_action)
}

async fn rows(c: &Client, request: ListInvoicesRequest) -> Vec<ListInvoicesRow> {
    c.list_invoices(&request).await.expect("list").into_rows()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outsider_can_neither_read_list_change_nor_confirm() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let outsider = login(&sb, "sandbox1").await;
    let tx = "seller-order-1";
    let saved = seller
        .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), Some(tx)))
        .await
        .unwrap()
        .invoice_id
        .unwrap();
    let (active, number) = issue(&seller, invoice(SELLER_TIN, BUYER_TIN)).await;
    let before = [state(&sb, saved), state(&sb, active)];
    let minus_2 = (-2, 400);

    // Read.
    assert_eq!(
        refused(
            "get saved",
            outsider.get_invoice(&GetInvoiceRequest::by_id(saved)).await
        ),
        minus_2
    );
    assert_eq!(
        refused(
            "get active",
            outsider
                .get_invoice(&GetInvoiceRequest::by_id(active))
                .await
        ),
        minus_2
    );
    assert_eq!(
        refused(
            "get by number",
            outsider
                .get_invoice(&GetInvoiceRequest::by_number(number))
                .await
        ),
        minus_2
    );
    assert_eq!(
        refused(
            "list goods",
            outsider.list_goods(&ListGoodsRequest::new([active])).await
        ),
        minus_2
    );
    // List: nothing, whatever the type and filters.
    for type_ in [
        InvoiceListType::Issued,
        InvoiceListType::Received,
        InvoiceListType::AsCarrier,
    ] {
        let found = rows(
            &outsider,
            ListInvoicesRequest {
                type_,
                id: Some(active),
                ..Default::default()
            },
        )
        .await;
        assert!(found.is_empty(), "{type_:?}: {found:?}");
    }
    // Change.
    let mut edit = invoice(OUTSIDER_TIN, BUYER_TIN);
    edit.id = saved;
    assert_eq!(
        refused("edit", outsider.save_invoice(&save(edit, None)).await),
        minus_2
    );
    assert_eq!(
        refused(
            "activate",
            outsider
                .activate_invoice(&ActivateInvoiceRequest::saved(saved))
                .await
        ),
        minus_2
    );
    assert_eq!(
        refused(
            "activate many",
            outsider
                .activate_invoices(&ActivateInvoicesRequest::new([saved]))
                .await
        ),
        minus_2
    );
    assert_eq!(
        refused(
            "delete",
            outsider
                .delete_invoice(&DeleteInvoiceRequest::new(saved))
                .await
        ),
        minus_2
    );
    assert_eq!(
        refused(
            "cancel",
            outsider
                .cancel_invoice(&CancelInvoiceRequest::new(active))
                .await
        ),
        minus_2
    );
    assert_eq!(
        refused(
            "declare",
            outsider
                .create_decl(&CreateDeclRequest::new(
                    [active],
                    YearMonth::new(2024, 4).unwrap()
                ))
                .await
        ),
        minus_2
    );
    // Confirm or refuse as if the buyer.
    assert_eq!(
        refused(
            "confirm",
            outsider
                .confirm_invoice(&ConfirmInvoiceRequest::new(active))
                .await
        ),
        minus_2
    );
    assert_eq!(
        refused(
            "confirm many",
            outsider
                .confirm_invoices(&ConfirmInvoicesRequest::new([active]))
                .await
        ),
        minus_2
    );
    assert_eq!(
        refused(
            "refuse",
            outsider
                .refuse_invoice(&RefuseInvoiceRequest::new(active))
                .await
        ),
        minus_2
    );
    assert_eq!(
        refused(
            "refuse many",
            outsider
                .refuse_invoices(&RefuseInvoicesRequest::new([active]))
                .await
        ),
        minus_2
    );
    // TransactionIds are the organisation's own: unknown to the outsider,
    // and reusing one saves the outsider's document, not a replay.
    assert_eq!(
        refused(
            "transaction result",
            outsider
                .get_transaction_result(&GetTransactionResultRequest::new(tx))
                .await
        ),
        (-6, 400)
    );
    let own = outsider
        .save_invoice(&save(invoice(OUTSIDER_TIN, BUYER_TIN), Some(tx)))
        .await
        .unwrap()
        .invoice_id
        .unwrap();
    assert!(own != saved && own != active);
    assert_eq!(
        sb.sandbox()
            .invoice(own)
            .and_then(|i| i.tin_seller)
            .map(String::from),
        Some(OUTSIDER_TIN.to_string())
    );

    assert_eq!([state(&sb, saved), state(&sb, active)], before);
    assert_eq!(sb.invoice_count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_buyer_sees_a_document_only_once_it_is_activated() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await;
    let id = save_doc(&seller, invoice(SELLER_TIN, BUYER_TIN)).await;
    let minus_2 = (-2, 400);
    assert_eq!(
        refused(
            "get",
            buyer.get_invoice(&GetInvoiceRequest::by_id(id)).await
        ),
        minus_2
    );
    assert_eq!(
        refused(
            "confirm",
            buyer.confirm_invoice(&ConfirmInvoiceRequest::new(id)).await
        ),
        minus_2
    );
    assert_eq!(
        refused(
            "refuse",
            buyer.refuse_invoice(&RefuseInvoiceRequest::new(id)).await
        ),
        minus_2
    );
    let received = ListInvoicesRequest {
        type_: InvoiceListType::Received,
        ..Default::default()
    };
    assert!(rows(&buyer, received.clone()).await.is_empty());
    // The buyer cannot activate or delete the seller's document either.
    assert_eq!(
        refused(
            "activate",
            buyer
                .activate_invoice(&ActivateInvoiceRequest::saved(id))
                .await
        ),
        minus_2
    );
    assert_eq!(
        refused(
            "delete",
            buyer.delete_invoice(&DeleteInvoiceRequest::new(id)).await
        ),
        minus_2
    );
    assert_eq!(
        state(&sb, id),
        (Some(SellerAction::Saved), Some(BuyerAction::Pending))
    );

    activate(&seller, id).await;
    assert_eq!(fetch(&buyer, id).await.id, id);
    assert_eq!(rows(&buyer, received).await.len(), 1);
    // Activated, the buyer still cannot act as the seller.
    assert_eq!(
        refused(
            "cancel",
            buyer.cancel_invoice(&CancelInvoiceRequest::new(id)).await
        ),
        minus_2
    );
    buyer
        .confirm_invoice(&ConfirmInvoiceRequest::new(id))
        .await
        .unwrap();
    assert_eq!(
        state(&sb, id),
        (Some(SellerAction::Sent), Some(BuyerAction::Confirmed))
    );
}

/// Every kind of call, with a token that no longer counts: refused with
/// -104 (HTTP 401) as `SessionExpired`, and nothing changes.
async fn all_refused(sb: &RunningSandbox, c: &Client, id: i64) {
    let before = (sb.invoice_count(), state(sb, id));
    let session = |what: &str, result: Result<(), Error>| {
        let err = result.expect_err(what);
        assert!(
            matches!(err, Error::SessionExpired { .. }),
            "{what}: {err:?}"
        );
        assert_eq!(
            err.service_status().map(|s| (s.code, s.http_status)),
            Some((-104, 401))
        );
    };
    session(
        "get",
        c.get_invoice(&GetInvoiceRequest::by_id(id)).await.map(drop),
    );
    session(
        "list",
        c.list_invoices(&ListInvoicesRequest::default())
            .await
            .map(drop),
    );
    session(
        "save",
        c.save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), None))
            .await
            .map(drop),
    );
    session("activate", c.activate_saved(id).await.map(drop));
    session(
        "delete",
        c.delete_invoice(&DeleteInvoiceRequest::new(id))
            .await
            .map(drop),
    );
    session(
        "transaction result",
        c.get_transaction_result(&GetTransactionResultRequest::new("x"))
            .await
            .map(drop),
    );
    assert_eq!((sb.invoice_count(), state(sb, id)), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_out_and_expired_tokens_are_refused_by_every_call() {
    let sb = eapi::spawn_with(Config {
        token_ttl: Duration::from_secs(60),
        ..Config::default()
    })
    .await
    .unwrap();
    let seller = login(&sb, "tbilisi").await;
    let id = save_doc(&seller, invoice(SELLER_TIN, BUYER_TIN)).await;

    // Signed out (the client keeps the old token on purpose).
    let token = seller.transport().token().unwrap();
    seller.sign_out().await.unwrap();
    seller.transport().set_token(token);
    all_refused(&sb, &seller, id).await;

    // Expired.
    let seller = login(&sb, "tbilisi").await;
    sb.sandbox().advance_clock(Duration::from_secs(61));
    all_refused(&sb, &seller, id).await;

    // A token of one sandbox is nothing to another.
    let other = eapi::spawn().await.unwrap();
    let stranger = client(&other);
    stranger
        .transport()
        .set_token(login(&sb, "tbilisi").await.transport().token().unwrap());
    let err = stranger.get_units().await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
}

//! Sub-users and -105: a sub-user calls the /Invoice methods its rights
//! allow and gets -105 (HTTP 401) for the others; one without the
//! tax-document module gets -105 for every /Invoice method.

mod common;

use common::*;
use rsge_eapi::enums::*;
use rsge_eapi::models::*;
use taxsdk_runtime::wire::YearMonth;
use taxsdk_sandbox::eapi;

const NO_RIGHTS: (i64, u16) = (-105, 401);

#[tokio::test]
async fn a_sub_user_may_read_and_save_but_not_activate_delete_or_confirm() {
    let sb = eapi::spawn().await.unwrap();
    let operator = login(&sb, "tbilisi.operator").await;
    let owner = login(&sb, "tbilisi").await;

    // Not /Invoice methods: no module right needed.
    operator.get_units().await.unwrap();
    let me = operator
        .get_org_info_by_tin(&GetOrgInfoByTinRequest { tin: String::new() })
        .await
        .unwrap();
    assert_eq!(
        me.tin.as_deref(),
        Some(SELLER_TIN),
        "the organisation's sub-user"
    );

    // Read and create/edit rights.
    operator.get_actions().await.unwrap();
    let saved = operator
        .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), Some("op-1")))
        .await
        .unwrap();
    let id = saved.invoice_id.unwrap();
    operator
        .get_transaction_result(&GetTransactionResultRequest {
            transaction_id: "op-1".into(),
        })
        .await
        .unwrap();
    assert_eq!(fetch(&operator, id).await.id, id);
    operator
        .get_seq_num(&GetSeqNumRequest {
            operation_period: YearMonth::new(2024, 4),
        })
        .await
        .unwrap();
    let listed = operator
        .list_invoices(&ListInvoicesRequest::default())
        .await
        .unwrap();
    let row = &listed.data.unwrap().rows[0];
    assert_eq!(row.id, Some(id));
    assert_eq!(row.subuser_id_seller, Some(101), "who created it");
    operator
        .list_excise(&ListExciseRequest::default())
        .await
        .unwrap();
    operator
        .list_bar_codes(&ListBarCodesRequest::default())
        .await
        .unwrap();

    // No activate right: neither by id, nor save-and-activate, nor in a batch.
    let err = operator
        .activate_invoice(&ActivateInvoiceRequest {
            invoice: Some(Invoice {
                id,
                ..Default::default()
            }),
            transaction_id: None,
        })
        .await
        .expect_err("-105");
    let status = err.service_status().unwrap();
    assert_eq!((status.code, status.http_status), NO_RIGHTS);
    assert!(!status.text.is_empty());
    assert_eq!(
        status_of(
            operator
                .activate_invoice(&ActivateInvoiceRequest {
                    invoice: Some(invoice(SELLER_TIN, BUYER_TIN)),
                    transaction_id: Some("op-2".into()),
                })
                .await
        ),
        NO_RIGHTS
    );
    assert_eq!(sb.invoice_count(), 1, "save-and-activate saved nothing");
    assert_eq!(
        status_of(
            operator
                .get_transaction_result(&GetTransactionResultRequest {
                    transaction_id: "op-2".into(),
                })
                .await
        )
        .0,
        -6,
        "a refused call leaves no TransactionId behind"
    );
    assert_eq!(
        status_of(
            operator
                .activate_invoices(&ActivateInvoicesRequest {
                    invoices: Some(vec![InvoiceIdItem { id }]),
                })
                .await
        ),
        NO_RIGHTS
    );
    assert_eq!(
        status_of(
            operator
                .delete_invoice(&DeleteInvoiceRequest { invoice: by_id(id) })
                .await
        ),
        NO_RIGHTS
    );
    assert_eq!(
        status_of(
            operator
                .cancel_invoice(&CancelInvoiceRequest { invoice: by_id(id) })
                .await
        ),
        NO_RIGHTS
    );
    assert_eq!(
        status_of(
            operator
                .confirm_invoice(&ConfirmInvoiceRequest { invoice: by_id(id) })
                .await
        ),
        NO_RIGHTS
    );
    assert_eq!(
        status_of(
            operator
                .refuse_invoices(&RefuseInvoicesRequest {
                    invoices: Some(vec![InvoiceIdItem { id }]),
                })
                .await
        ),
        NO_RIGHTS
    );
    // The document is untouched; the main user activates it.
    assert_eq!(
        fetch(&owner, id).await.seller_action,
        Some(SellerAction::Saved)
    );
    activate(&owner, id).await;

    // ClearBarCodes needs only the read right (as documented).
    operator.clear_bar_codes().await.unwrap();
    assert_eq!(sb.sandbox().barcode_count(SELLER_TIN), 0);
}

#[tokio::test]
async fn a_sub_user_without_the_module_gets_minus_105_on_every_invoice_method() {
    let sb = eapi::spawn().await.unwrap();
    let guest = login(&sb, "sandbox1.guest").await;

    // /Org and /Common answer.
    guest.get_units().await.unwrap();
    guest
        .get_org_info_by_tin(&GetOrgInfoByTinRequest {
            tin: "204000002".into(),
        })
        .await
        .unwrap();

    assert_eq!(status_of(guest.get_actions().await), NO_RIGHTS);
    assert_eq!(
        status_of(guest.list_invoices(&ListInvoicesRequest::default()).await),
        NO_RIGHTS
    );
    assert_eq!(status_of(guest.get_invoice(&get(1001)).await), NO_RIGHTS);
    assert_eq!(
        status_of(
            guest
                .save_invoice(&save(invoice("204000001", "204000002"), None))
                .await
        ),
        NO_RIGHTS
    );
    assert_eq!(
        status_of(guest.list_excise(&ListExciseRequest::default()).await),
        NO_RIGHTS
    );
    assert_eq!(
        status_of(
            guest
                .get_bar_code(&GetBarCodeRequest {
                    bar_code: Some("4860019001001".into()),
                })
                .await
        ),
        NO_RIGHTS
    );
    assert_eq!(status_of(guest.clear_bar_codes().await), NO_RIGHTS);
    assert_eq!(
        status_of(
            guest
                .create_decl(&CreateDeclRequest {
                    invoices: Some(vec![InvoiceIdItem { id: 1001 }]),
                    operation_period: YearMonth::new(2024, 4),
                })
                .await
        ),
        NO_RIGHTS
    );
    assert_eq!(sb.invoice_count(), 0);
    assert_eq!(sb.sandbox().barcode_count("204000001"), 1);
}

#[tokio::test]
async fn the_token_is_checked_before_the_rights() {
    let sb = eapi::spawn().await.unwrap();
    let guest = login(&sb, "sandbox1.guest").await;
    guest.sign_out().await.unwrap();
    assert_eq!(status_of(guest.get_actions().await), (-104, 401));
}

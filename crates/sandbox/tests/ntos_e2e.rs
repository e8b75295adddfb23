//! The generated NtosService client against the NtosService sandbox over
//! loopback: the service user, lookups, the invoice lifecycle with its
//! illegal transitions, lines, lists, declarations, requests, advances and
//! service users.

use chrono::NaiveDate;
use rsge_ntos::client::Client;
use rsge_ntos::enums::{CorrectionType, InvoiceStatus, VatType};
use rsge_ntos::models::*;
use rsge_ntos::{NtosError, Outcome, SecretString, unset_date};
use rust_decimal::Decimal;
use taxsdk_sandbox::ntos::{self, RunningSandbox};

const SELLER: (&str, i32) = ("tbilisi:206322102", 731_937);
const BUYER: (&str, i32) = ("satesto2:12345678910", 1_149_251);

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
}

/// A client of `sandbox` as service user `su` (password 123456) and its user_id.
async fn login(sandbox: &RunningSandbox, su: &str) -> (Client, i32) {
    let client = Client::connect(sandbox.base_url(), su, SecretString::from("123456")).unwrap();
    let ids = client.check_service_user().await.unwrap();
    (client, ids.user_id)
}

struct Parties {
    sandbox: RunningSandbox,
    seller: Client,
    seller_id: i32,
    buyer: Client,
    buyer_id: i32,
}

async fn parties() -> Parties {
    let sandbox = ntos::spawn().await.unwrap();
    let (seller, seller_id) = login(&sandbox, SELLER.0).await;
    let (buyer, buyer_id) = login(&sandbox, BUYER.0).await;
    Parties {
        sandbox,
        seller,
        seller_id,
        buyer,
        buyer_id,
    }
}

fn header(user_id: i32, id: i64) -> SaveInvoiceParams {
    SaveInvoiceParams {
        user_id,
        invoice_id: id,
        operation_date: day(2026, 1, 15),
        seller_un_id: SELLER.1,
        buyer_un_id: BUYER.1,
        overhead_no: Some(String::new()),
        overhead_dt: unset_date(),
        b_s_user_id: 0,
    }
}

fn line(
    user_id: i32,
    invoice_id: i64,
    goods: &str,
    amount: &str,
    vat: &str,
) -> SaveInvoiceDescParams {
    SaveInvoiceDescParams {
        user_id,
        id: 0,
        invoice_id,
        goods: Some(goods.into()),
        g_unit: Some("კგ".into()),
        g_number: dec("10"),
        full_amount: dec(amount),
        drg_amount: dec(vat),
        aqcizi_amount: Decimal::ZERO,
        akciz_id: 0,
    }
}

/// A saved invoice with one line (100, VAT 15.25).
async fn draft(p: &Parties) -> i64 {
    let saved = p
        .seller
        .save_invoice(&header(p.seller_id, 0))
        .await
        .unwrap()
        .ok()
        .unwrap();
    assert!(saved.invoice_id > 0);
    p.seller
        .save_invoice_desc(&line(
            p.seller_id,
            saved.invoice_id,
            "კარტოფილი",
            "100",
            "15.25",
        ))
        .await
        .unwrap()
        .ok()
        .unwrap();
    saved.invoice_id
}

async fn seller_status(p: &Parties, id: i64, to: InvoiceStatus) -> bool {
    p.seller
        .change_invoice_status(&ChangeInvoiceStatusParams {
            user_id: p.seller_id,
            invoice_id: id,
            status: to,
        })
        .await
        .unwrap()
        .result
}

async fn buyer_confirms(p: &Parties, id: i64, to: InvoiceStatus) -> bool {
    p.buyer
        .acsept_invoice_status(&AcseptInvoiceStatusParams {
            user_id: p.buyer_id,
            invoice_id: id,
            status: to,
        })
        .await
        .unwrap()
        .result
}

async fn get(client: &Client, user_id: i32, id: i64) -> GetInvoiceResponse {
    client
        .get_invoice(&GetInvoiceParams {
            user_id,
            invoice_id: id,
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn chek_gives_the_test_accounts_ids_and_refuses_wrong_credentials() {
    let sandbox = ntos::spawn().await.unwrap();
    let client =
        Client::connect(sandbox.base_url(), SELLER.0, SecretString::from("123456")).unwrap();
    let ids = client.check_service_user().await.unwrap();
    assert_eq!((ids.user_id, ids.service_user_id), (783, 1001));
    assert_eq!(client.own_un_id(ids.user_id).await.unwrap(), 731_937);

    let wrong = Client::connect(
        sandbox.base_url(),
        SELLER.0,
        SecretString::from("nope-secret"),
    )
    .unwrap();
    let err = wrong.check_service_user().await.unwrap_err();
    assert!(matches!(err, NtosError::BadCredentials { .. }), "{err:?}");
    let text = format!("{err} {err:?} {wrong:?}");
    assert!(
        text.contains(SELLER.0) && !text.contains("nope-secret"),
        "{text}"
    );
    // The raw reply: false, ids 0.
    let raw = wrong.chek(&ChekParams { user_id: 783 }).await.unwrap();
    assert_eq!((raw.result, raw.user_id, raw.sua), (false, 0, 0));

    // Wrong credentials elsewhere: the service's false / sentinel / empty table.
    let saved = wrong.save_invoice(&header(783, 0)).await.unwrap();
    assert!(!saved.result);
    assert!(matches!(
        saved.ok(),
        Err(NtosError::Refused {
            operation: "save_invoice"
        })
    ));
    assert!(
        wrong
            .un_id_from_tin(783, "206322102")
            .await
            .unwrap_err()
            .is_not_found()
    );

    // A client without credentials refuses before calling.
    let anonymous = Client::builder()
        .base_url(sandbox.base_url())
        .build()
        .unwrap();
    let err = anonymous.check_service_user().await.unwrap_err();
    assert!(
        err.to_string()
            .contains("needs the service user's credentials"),
        "{err}"
    );
    // Operations without su/sp work without them.
    let ip = anonymous.what_is_my_ip().await.unwrap();
    assert_eq!(ip.result.as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn un_id_tin_and_name_lookups() {
    let sandbox = ntos::spawn().await.unwrap();
    let (client, user_id) = login(&sandbox, SELLER.0).await;
    let buyer = client
        .un_id_from_tin(user_id, " 12345678910 ")
        .await
        .unwrap();
    assert_eq!(buyer.un_id, 1_149_251);
    assert_eq!(buyer.name.as_deref(), Some("სატესტოk სატესტოk"));
    let back = client.tin_from_un_id(user_id, 731_937).await.unwrap();
    assert_eq!(back.tin.as_deref(), Some("206322102"));
    assert_eq!(
        client.org_name_from_un_id(user_id, 731_937).await.unwrap(),
        "სატესტო კოდი1"
    );
    let unknown = client
        .un_id_from_tin(user_id, "999999999")
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Some(-1));
    assert!(
        unknown.to_string().contains("TIN 999999999 not found"),
        "{unknown}"
    );
    assert!(
        client
            .tin_from_un_id(user_id, 5)
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert!(
        client
            .org_name_from_un_id(user_id, 5)
            .await
            .unwrap_err()
            .is_not_found()
    );
    let bad = client.un_id_from_tin(user_id, "12ab").await.unwrap_err();
    assert!(
        matches!(bad, NtosError::InvalidInput { field: "tin", .. }),
        "{bad:?}"
    );
    // Another main user's user_id with this service user: refused.
    let other = client
        .get_un_id_from_tin(&GetUnIdFromTinParams {
            user_id: 784,
            tin: Some("206322102".into()),
        })
        .await
        .unwrap();
    assert_eq!(other.result, -1);
}

#[tokio::test]
async fn invoice_lifecycle_with_lines_send_confirm_and_lists() {
    let p = parties().await;
    let id = draft(&p).await;
    // A second line, then an edit of the first, then a delete of the second.
    let second = p
        .seller
        .save_invoice_desc(&line(p.seller_id, id, "ხახვი", "50", "-1"))
        .await
        .unwrap()
        .ok()
        .unwrap()
        .id;
    let rows = p
        .seller
        .get_invoice_desc(&GetInvoiceDescParams {
            user_id: p.seller_id,
            invoice_id: id,
        })
        .await
        .unwrap()
        .result;
    assert_eq!(rows.schema.name.as_deref(), Some("invoices_descs"));
    assert_eq!(rows.len(), 2);
    assert!(rows.unknown_columns().is_empty());
    let first = &rows.rows[0];
    assert_eq!(first.goods.as_deref(), Some("კარტოფილი"));
    assert_eq!(first.drg_amount, Some(dec("15.25")));
    assert_eq!(first.full_amount, Some(dec("100")));
    assert_eq!(first.vat_type, Some(VatType::Standard));
    assert_eq!(rows.rows[1].vat_type, Some(VatType::Exempt));
    let mut edit = line(p.seller_id, id, "კარტოფილი", "110", "16.78");
    edit.id = first.id.unwrap();
    assert!(p.seller.save_invoice_desc(&edit).await.unwrap().result);
    assert!(
        p.seller
            .delete_invoice_desc(&DeleteInvoiceDescParams {
                user_id: p.seller_id,
                id: second,
                invoice_id: id,
            })
            .await
            .unwrap()
            .result
    );

    // The buyer does not see the draft.
    assert!(!get(&p.buyer, p.buyer_id, id).await.result);
    let draft_view = get(&p.seller, p.seller_id, id).await;
    assert!(draft_view.result);
    assert_eq!(draft_view.status, InvoiceStatus::Saved);
    assert_eq!(draft_view.f_number.as_deref(), Some("-1"));
    assert_eq!(draft_view.k_id, -1);
    assert_eq!(draft_view.k_type, CorrectionType::NoCorrection);

    // Send: series and number assigned.
    assert!(seller_status(&p, id, InvoiceStatus::Sent).await);
    let sent = get(&p.buyer, p.buyer_id, id).await;
    assert_eq!(sent.status, InvoiceStatus::Sent);
    assert_eq!(sent.seller_un_id, SELLER.1);
    assert_eq!(sent.operation_dt, day(2026, 1, 15));
    let number = sent.f_number.clone().unwrap();
    assert_ne!(number, "-1");
    let found = p
        .buyer
        .get_invoice_id(&GetInvoiceIdParams {
            f_series: sent.f_series.clone(),
            f_number: Some(number.clone()),
        })
        .await
        .unwrap();
    assert_eq!(found.result, id);

    // Lines of a sent invoice are frozen.
    assert!(
        !p.seller
            .save_invoice_desc(&line(p.seller_id, id, "x", "1", "0"))
            .await
            .unwrap()
            .result
    );

    // Lists, both sides, with filters.
    let list = |seller: bool, tin: Option<&str>| {
        let (client, user_id, un_id) = if seller {
            (&p.seller, p.seller_id, SELLER.1)
        } else {
            (&p.buyer, p.buyer_id, BUYER.1)
        };
        let params = GetSellerInvoicesParams {
            user_id,
            un_id,
            s_dt: unset_date(),
            e_dt: unset_date(),
            op_s_dt: day(2026, 1, 1),
            op_e_dt: day(2026, 1, 31),
            invoice_no: None,
            sa_ident_no: tin.map(str::to_owned),
            desc: None,
            doc_mos_nom: None,
        };
        async move {
            if seller {
                client.get_seller_invoices(&params).await.unwrap().result
            } else {
                let GetSellerInvoicesParams {
                    user_id,
                    un_id,
                    s_dt,
                    e_dt,
                    op_s_dt,
                    op_e_dt,
                    invoice_no,
                    sa_ident_no,
                    desc,
                    doc_mos_nom,
                } = params;
                client
                    .get_buyer_invoices(&GetBuyerInvoicesParams {
                        user_id,
                        un_id,
                        s_dt,
                        e_dt,
                        op_s_dt,
                        op_e_dt,
                        invoice_no,
                        sa_ident_no,
                        desc,
                        doc_mos_nom,
                    })
                    .await
                    .unwrap()
                    .result
            }
        }
    };
    let seller_rows = list(true, Some("12345678910")).await;
    assert_eq!(seller_rows.len(), 1);
    let row = &seller_rows.rows[0];
    assert_eq!(row.id, Some(id));
    assert_eq!(row.status, Some(InvoiceStatus::Sent));
    assert_eq!(row.tanxa, Some(dec("110")));
    assert_eq!(row.vat, Some(dec("16.78")));
    assert_eq!(row.f_number.as_deref(), Some(number.as_str()));
    assert_eq!(seller_rows.schema.name.as_deref(), Some("invoices"));
    assert!(list(true, Some("206322102")).await.is_empty());
    let buyer_rows = list(false, None).await;
    assert_eq!(buyer_rows.rows[0].sa_ident_no.as_deref(), Some("206322102"));

    // Confirm; the counts follow.
    assert!(buyer_confirms(&p, id, InvoiceStatus::Confirmed).await);
    let counts = p
        .seller
        .get_seller_filter_count(&GetSellerFilterCountParams {
            un_id: SELLER.1,
            user_id: p.seller_id,
        })
        .await
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!((counts.st_0, counts.st_1, counts.st_2), (0, 0, 1));
    let buyer_counts = p
        .buyer
        .get_buyer_filter_count(&GetBuyerFilterCountParams {
            un_id: BUYER.1,
            user_id: p.buyer_id,
        })
        .await
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(buyer_counts.st_2, 1);
    let confirmed = p
        .seller
        .get_seller_invoices_r(&GetSellerInvoicesRParams {
            user_id: p.seller_id,
            un_id: SELLER.1,
            status: InvoiceStatus::Confirmed,
        })
        .await
        .unwrap()
        .result;
    assert_eq!(confirmed.rows[0].id, Some(id));
    assert_eq!(confirmed.schema.name.as_deref(), Some("invoice_descs"));
    let pending = p
        .buyer
        .get_buyer_invoices_r(&GetBuyerInvoicesRParams {
            user_id: p.buyer_id,
            un_id: BUYER.1,
            status: InvoiceStatus::Sent,
        })
        .await
        .unwrap()
        .result;
    assert!(pending.is_empty());
    p.sandbox.shutdown().await;
}

#[tokio::test]
async fn illegal_transitions_answer_false() {
    let p = parties().await;
    let id = draft(&p).await;
    // The buyer cannot confirm (or even see) a draft; the seller cannot
    // confirm its own invoice or jump to 2.
    assert!(!buyer_confirms(&p, id, InvoiceStatus::Confirmed).await);
    assert!(!seller_status(&p, id, InvoiceStatus::Confirmed).await);
    let refused = p
        .seller
        .acsept_invoice_status(&AcseptInvoiceStatusParams {
            user_id: p.seller_id,
            invoice_id: id,
            status: InvoiceStatus::Confirmed,
        })
        .await
        .unwrap()
        .ok()
        .unwrap_err();
    assert_eq!(
        refused.to_string().split(':').next(),
        Some("acsept_invoice_status answered false")
    );
    // An invoice without lines cannot be sent.
    let empty = p
        .seller
        .save_invoice(&header(p.seller_id, 0))
        .await
        .unwrap()
        .invoice_id;
    assert!(!seller_status(&p, empty, InvoiceStatus::Sent).await);
    // Unknown ids, a second send, a correction of a draft.
    assert!(!seller_status(&p, 1, InvoiceStatus::Sent).await);
    assert!(seller_status(&p, id, InvoiceStatus::Sent).await);
    assert!(!seller_status(&p, id, InvoiceStatus::Sent).await);
    assert!(!seller_status(&p, id, InvoiceStatus::Deleted).await);
    let k = p
        .seller
        .k_invoice(&KInvoiceParams {
            user_id: p.seller_id,
            invoice_id: empty,
            k_type: CorrectionType::GoodsReturned,
        })
        .await
        .unwrap();
    assert_eq!((k.result, k.k_id), (false, -1));
    // The buyer cannot act for the seller.
    assert!(
        !p.buyer
            .change_invoice_status(&ChangeInvoiceStatusParams {
                user_id: p.buyer_id,
                invoice_id: id,
                status: InvoiceStatus::Deleted,
            })
            .await
            .unwrap()
            .result
    );
    // A user_id that is not the service user's main user.
    assert!(
        !p.seller
            .change_invoice_status(&ChangeInvoiceStatusParams {
                user_id: p.buyer_id,
                invoice_id: empty,
                status: InvoiceStatus::Deleted,
            })
            .await
            .unwrap()
            .result
    );
    // Delete a draft; it is gone.
    assert!(seller_status(&p, empty, InvoiceStatus::Deleted).await);
    assert!(!get(&p.seller, p.seller_id, empty).await.result);
    assert_eq!(p.sandbox.sandbox().invoice_status(empty), Some(-1));
    // Unknown id on get_invoice: false.
    assert!(!get(&p.seller, p.seller_id, 42).await.result);
    // The seller cannot invoice itself or an unknown taxpayer.
    let mut own = header(p.seller_id, 0);
    own.buyer_un_id = SELLER.1;
    assert!(!p.seller.save_invoice(&own).await.unwrap().result);
    own.buyer_un_id = 5;
    assert!(!p.seller.save_invoice(&own).await.unwrap().result);
    // g_invoice is not emulated: the service's refusal.
    let g = p
        .seller
        .g_invoice(&GInvoiceParams {
            user_id: p.seller_id,
            invoice_id: id,
        })
        .await
        .unwrap();
    assert_eq!((g.result, g.k_id), (false, -1));
}

#[tokio::test]
async fn rejection_correction_and_cancellation() {
    let p = parties().await;
    let id = draft(&p).await;
    assert!(seller_status(&p, id, InvoiceStatus::Sent).await);
    // The buyer rejects: back to 0 with WAS_REF.
    assert!(
        p.buyer
            .ref_invoice_status(&RefInvoiceStatusParams {
                user_id: p.buyer_id,
                invoice_id: id,
                ref_text: Some("თანხა არასწორია".into()),
            })
            .await
            .unwrap()
            .result
    );
    assert_eq!(
        get(&p.seller, p.seller_id, id).await.status,
        InvoiceStatus::Saved
    );
    let rows = p
        .seller
        .get_user_invoices(&GetUserInvoicesParams {
            last_update_date_s: chrono::Local::now().naive_local() - chrono::Duration::days(2),
            last_update_date_e: chrono::Local::now().naive_local() + chrono::Duration::hours(20),
            user_id: p.seller_id,
            un_id: SELLER.1,
        })
        .await
        .unwrap()
        .result;
    assert_eq!(rows.rows[0].was_ref, Some(true));
    assert_eq!(rows.rows[0].saident_no_b.as_deref(), Some("12345678910"));
    // Edit the header of the rejected draft (save_invoice_n adds a note), send, confirm.
    let edited = p
        .seller
        .save_invoice_n(&SaveInvoiceNParams {
            user_id: p.seller_id,
            invoice_id: id,
            operation_date: day(2026, 1, 16),
            seller_un_id: SELLER.1,
            buyer_un_id: BUYER.1,
            overhead_no: None,
            overhead_dt: unset_date(),
            b_s_user_id: 0,
            note: Some("შესწორებული".into()),
        })
        .await
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(edited.invoice_id, id);
    assert!(seller_status(&p, id, InvoiceStatus::Sent).await);
    assert!(buyer_confirms(&p, id, InvoiceStatus::Confirmed).await);

    // A correction: 4, the original 3; send 5; the buyer confirms 8.
    let k = p
        .seller
        .k_invoice(&KInvoiceParams {
            user_id: p.seller_id,
            invoice_id: id,
            k_type: CorrectionType::CompensationChanged,
        })
        .await
        .unwrap()
        .ok()
        .unwrap();
    let correction = k.k_id;
    let original = get(&p.seller, p.seller_id, id).await;
    assert_eq!(original.status, InvoiceStatus::Corrected);
    assert_eq!(
        (original.k_id, original.k_type),
        (correction, CorrectionType::CompensationChanged)
    );
    let active = p
        .seller
        .get_makoreqtirebeli(&GetMakoreqtirebeliParams {
            user_id: p.seller_id,
            invoice_id: id,
        })
        .await
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(active.k_id, correction);
    let c = get(&p.seller, p.seller_id, correction).await;
    assert_eq!((c.status, c.k_id), (InvoiceStatus::CorrectionDraft, id));
    let lines = p
        .seller
        .get_invoice_desc(&GetInvoiceDescParams {
            user_id: p.seller_id,
            invoice_id: correction,
        })
        .await
        .unwrap()
        .result;
    assert_eq!(
        lines.len(),
        1,
        "the correction starts with the original's lines"
    );
    // No second correction of a corrected original.
    let again = p
        .seller
        .k_invoice(&KInvoiceParams {
            user_id: p.seller_id,
            invoice_id: id,
            k_type: CorrectionType::GoodsReturned,
        })
        .await
        .unwrap();
    assert!(!again.result);
    assert!(seller_status(&p, correction, InvoiceStatus::CorrectionSent).await);
    // The buyer rejects the correction (back to 4), the seller resends, the buyer confirms.
    assert!(
        p.buyer
            .ref_invoice_status(&RefInvoiceStatusParams {
                user_id: p.buyer_id,
                invoice_id: correction,
                ref_text: None,
            })
            .await
            .unwrap()
            .result
    );
    assert_eq!(
        get(&p.seller, p.seller_id, correction).await.status,
        InvoiceStatus::CorrectionDraft
    );
    assert!(seller_status(&p, correction, InvoiceStatus::CorrectionSent).await);
    assert!(!buyer_confirms(&p, correction, InvoiceStatus::Confirmed).await);
    assert!(buyer_confirms(&p, correction, InvoiceStatus::CorrectionConfirmed).await);

    // A second invoice: confirmed, then cancellation 2 -> 6 -> 7.
    let other = draft(&p).await;
    assert!(seller_status(&p, other, InvoiceStatus::Sent).await);
    assert!(!seller_status(&p, other, InvoiceStatus::CancellationSent).await);
    assert!(buyer_confirms(&p, other, InvoiceStatus::Confirmed).await);
    assert!(seller_status(&p, other, InvoiceStatus::CancellationSent).await);
    assert!(buyer_confirms(&p, other, InvoiceStatus::Cancelled).await);
    assert_eq!(
        get(&p.buyer, p.buyer_id, other).await.status,
        InvoiceStatus::Cancelled
    );

    // A correction draft deleted: the original is confirmed again.
    let third = draft(&p).await;
    assert!(seller_status(&p, third, InvoiceStatus::Sent).await);
    assert!(buyer_confirms(&p, third, InvoiceStatus::Confirmed).await);
    let k = p
        .seller
        .k_invoice(&KInvoiceParams {
            user_id: p.seller_id,
            invoice_id: third,
            k_type: CorrectionType::OperationCancelled,
        })
        .await
        .unwrap()
        .k_id;
    assert!(seller_status(&p, k, InvoiceStatus::Deleted).await);
    let back = get(&p.seller, p.seller_id, third).await;
    assert_eq!((back.status, back.k_id), (InvoiceStatus::Confirmed, -1));

    let changes = p
        .seller
        .get_invoice_changes(&GetInvoiceChangesParams {
            user_id: p.seller_id,
            st_date: unset_date(),
            end_date: unset_date(),
        })
        .await
        .unwrap()
        .result;
    assert!(changes.len() >= 4);
    assert!(
        changes
            .rows
            .iter()
            .any(|r| r.get("ID") == Some(&id.to_string()))
    );
}

#[tokio::test]
async fn waybills_declarations_autocomplete_print_and_excise() {
    let p = parties().await;
    let id = draft(&p).await;
    assert!(
        p.seller
            .save_ntos_invoices_inv_nos(&SaveNtosInvoicesInvNosParams {
                invoice_id: id,
                user_id: p.seller_id,
                overhead_no: Some("0123456789".into()),
                overhead_dt: day(2026, 1, 14),
            })
            .await
            .unwrap()
            .result
    );
    let links = p
        .seller
        .get_ntos_invoices_inv_nos(&GetNtosInvoicesInvNosParams {
            user_id: p.seller_id,
            invoice_id: id,
        })
        .await
        .unwrap()
        .result;
    let link = &links.rows[0];
    assert_eq!(link.overhead_no.as_deref(), Some("0123456789"));
    assert_eq!(link.overhead_dt_str, NaiveDate::from_ymd_opt(2026, 1, 14));
    assert!(
        p.seller
            .delete_ntos_invoices_inv_nos(&DeleteNtosInvoicesInvNosParams {
                user_id: p.seller_id,
                id: link.id.unwrap(),
                invoice_id: id,
            })
            .await
            .unwrap()
            .result
    );

    assert!(seller_status(&p, id, InvoiceStatus::Sent).await);
    // Declarations.
    let seq = p
        .seller
        .get_seq_nums(&GetSeqNumsParams {
            sag_periodi: Some("202601".into()),
            user_id: p.seller_id,
        })
        .await
        .unwrap()
        .result;
    let seq_num = seq.rows[0].seq_num.unwrap();
    let same = p
        .seller
        .get_seq_nums(&GetSeqNumsParams {
            sag_periodi: Some("2026-01".into()),
            user_id: p.seller_id,
        })
        .await
        .unwrap()
        .result;
    assert_eq!(same.rows[0].seq_num, Some(seq_num));
    assert!(
        p.seller
            .add_inv_to_decl(&AddInvToDeclParams {
                user_id: p.seller_id,
                seq_num,
                invoice_id: id,
            })
            .await
            .unwrap()
            .result
    );
    // Another taxpayer's number is refused.
    assert!(
        !p.buyer
            .add_inv_to_decl(&AddInvToDeclParams {
                user_id: p.buyer_id,
                seq_num,
                invoice_id: id,
            })
            .await
            .unwrap()
            .result
    );
    let inv = get(&p.seller, p.seller_id, id).await;
    assert_eq!(inv.seq_num_s, Some(seq_num.to_string()));
    assert_eq!(inv.dec_status, 0);
    let date = p
        .seller
        .get_decl_date(&GetDeclDateParams {
            decl_num: Some(seq_num.to_string()),
            un_id: Some(SELLER.1.to_string()),
        })
        .await
        .unwrap();
    assert_eq!(date.result, Some(serde_json::json!("2026-01-01T00:00:00")));

    // Autocompletes: untyped rows.
    let number = inv.f_number.unwrap();
    let numbers = p
        .seller
        .get_invoice_numbers(&GetInvoiceNumbersParams {
            user_id: p.seller_id,
            un_id: SELLER.1,
            v_invoice_n: Some(number[..1].to_owned()),
            v_count: 10,
        })
        .await
        .unwrap()
        .result;
    assert_eq!(numbers.rows[0].get("F_NUMBER"), Some(&number));
    let tins = p
        .seller
        .get_invoice_tins(&GetInvoiceTinsParams {
            user_id: p.seller_id,
            un_id: SELLER.1,
            v_invoice_t: Some("123".into()),
            v_count: 5,
        })
        .await
        .unwrap()
        .result;
    assert_eq!(
        tins.rows[0].get("SA_IDENT_NO").map(String::as_str),
        Some("12345678910")
    );
    let decls = p
        .seller
        .get_invoice_d(&GetInvoiceDParams {
            user_id: p.seller_id,
            un_id: SELLER.1,
            v_invoice_d: None,
            v_count: 0,
        })
        .await
        .unwrap()
        .result;
    assert_eq!(decls.rows[0].get("DOC_MOS_NOM"), Some(&seq_num.to_string()));

    let print = p
        .buyer
        .print_invoices(&PrintInvoicesParams {
            user_id: p.buyer_id,
            invoice_id: i32::try_from(id).unwrap(),
        })
        .await
        .unwrap()
        .result;
    assert_eq!(
        print.rows[0].get("GOODS").map(String::as_str),
        Some("კარტოფილი")
    );
    assert_eq!(
        print.rows[0].get("DRG_AMOUNT").map(String::as_str),
        Some("15.25")
    );

    let excise = p
        .seller
        .get_akciz(&GetAkcizParams {
            s_text: Some("სპირტი".into()),
            user_id: p.seller_id,
        })
        .await
        .unwrap()
        .result;
    assert!(!excise.is_empty());
    assert!(
        excise
            .rows
            .iter()
            .all(|r| r.title.as_deref().unwrap_or("").contains("სპირტი"))
    );
    let akciz_id = excise.rows[0].id.unwrap();
    // A line with that excise code is accepted; an unknown code is not.
    let other = draft(&p).await;
    let mut l = line(p.seller_id, other, "სპირტი", "10", "1.53");
    l.akciz_id = akciz_id;
    l.aqcizi_amount = dec("3");
    assert!(p.seller.save_invoice_desc(&l).await.unwrap().result);
    l.akciz_id = 1;
    assert!(!p.seller.save_invoice_desc(&l).await.unwrap().result);
    // An empty unit is refused.
    let mut no_unit = line(p.seller_id, other, "x", "1", "0");
    no_unit.g_unit = Some(String::new());
    assert!(!p.seller.save_invoice_desc(&no_unit).await.unwrap().result);
}

#[tokio::test]
async fn invoice_requests_between_buyer_and_seller() {
    let p = parties().await;
    let request = |id: i64, notes: &str| SaveInvoiceRequestParams {
        invoice_id: id,
        user_id: p.buyer_id,
        buyer_un_id: BUYER.1,
        seller_un_id: SELLER.1,
        overhead_no: Some("PO-001".into()),
        dt: day(2026, 2, 1),
        notes: Some(notes.into()),
    };
    assert!(
        p.buyer
            .save_invoice_request(&request(0, "გთხოვთ"))
            .await
            .unwrap()
            .result
    );
    let sent = p
        .buyer
        .get_invoice_requests(&GetInvoiceRequestsParams {
            buyer_un_id: BUYER.1,
            user_id: p.buyer_id,
        })
        .await
        .unwrap()
        .result;
    let id: i64 = sent.rows[0]["ID"].parse().unwrap();
    assert!(
        p.buyer
            .save_invoice_request(&request(id, "შეცვლილი"))
            .await
            .unwrap()
            .result
    );
    let read = p
        .seller
        .get_invoice_request(&GetInvoiceRequestParams {
            invoice_id: id,
            user_id: p.seller_id,
        })
        .await
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(read.notes.as_deref(), Some("შეცვლილი"));
    assert_eq!((read.buyer_un_id, read.dt), (BUYER.1, day(2026, 2, 1)));
    let received = p
        .seller
        .get_requested_invoices(&GetRequestedInvoicesParams {
            user_id: p.seller_id,
            seller_un_id: SELLER.1,
        })
        .await
        .unwrap()
        .result;
    assert_eq!(received.len(), 1);
    // The seller cannot delete it; the buyer cannot accept it.
    assert!(
        !p.seller
            .del_invoice_request(&DelInvoiceRequestParams {
                invoice_id: id,
                user_id: p.seller_id,
                buyer_un_id: BUYER.1,
            })
            .await
            .unwrap()
            .result
    );
    assert!(
        !p.buyer
            .acsept_invoice_request_status(&AcseptInvoiceRequestStatusParams {
                id,
                user_id: p.buyer_id,
                seller_un_id: SELLER.1,
            })
            .await
            .unwrap()
            .result
    );
    assert!(
        p.seller
            .acsept_invoice_request_status(&AcseptInvoiceRequestStatusParams {
                id,
                user_id: p.seller_id,
                seller_un_id: SELLER.1,
            })
            .await
            .unwrap()
            .result
    );
    // Accepted requests cannot be deleted any more; a new one can.
    let del = |id| DelInvoiceRequestParams {
        invoice_id: id,
        user_id: p.buyer_id,
        buyer_un_id: BUYER.1,
    };
    assert!(!p.buyer.del_invoice_request(&del(id)).await.unwrap().result);
    assert!(
        p.buyer
            .save_invoice_request(&request(0, "მეორე"))
            .await
            .unwrap()
            .result
    );
    assert!(
        p.buyer
            .del_invoice_request(&del(id + 1))
            .await
            .unwrap()
            .result
    );
    assert!(
        !p.buyer
            .get_invoice_request(&GetInvoiceRequestParams {
                invoice_id: id + 1,
                user_id: p.buyer_id,
            })
            .await
            .unwrap()
            .result
    );
}

#[tokio::test]
async fn advance_invoices_attach_update_detach() {
    let p = parties().await;
    // A confirmed advance invoice with VAT 15.25.
    let advance = p
        .seller
        .save_invoice_a(&SaveInvoiceAParams {
            user_id: p.seller_id,
            invoice_id: 0,
            operation_date: day(2026, 1, 10),
            seller_un_id: SELLER.1,
            buyer_un_id: BUYER.1,
            overhead_no: None,
            overhead_dt: unset_date(),
            b_s_user_id: 0,
        })
        .await
        .unwrap()
        .ok()
        .unwrap()
        .invoice_id;
    assert!(
        p.seller
            .save_invoice_desc(&line(p.seller_id, advance, "ავანსი", "100", "15.25"))
            .await
            .unwrap()
            .result
    );
    assert!(seller_status(&p, advance, InvoiceStatus::Sent).await);
    assert!(buyer_confirms(&p, advance, InvoiceStatus::Confirmed).await);

    let invoice = draft(&p).await;
    let attachable = p
        .seller
        .get_attachable_advance_invoices(&GetAttachableAdvanceInvoicesParams {
            user_id: p.seller_id,
            seller_un_id: SELLER.1,
            buyer_tin: Some("12345678910".into()),
            operation_date: day(2026, 1, 15),
        })
        .await
        .unwrap()
        .result;
    assert_eq!(attachable.rows[0]["ID"], advance.to_string());
    assert_eq!(attachable.rows[0]["DRG_AMOUNT"], "15.25");
    let attach = |amount: &str| AttachAdvanceInvoiceParams {
        user_id: p.seller_id,
        invoice_id: i32::try_from(invoice).unwrap(),
        advance_invoice_id: i32::try_from(advance).unwrap(),
        advance_invoice_drg_amount: dec(amount),
        seller_un_id: SELLER.1,
        buyer_tin: Some("12345678910".into()),
    };
    let too_much = p
        .seller
        .attach_advance_invoice(&attach("20"))
        .await
        .unwrap()
        .result
        .unwrap();
    let err = too_much.ok("attach_advance_invoice").unwrap_err();
    assert!(
        matches!(err, NtosError::AdvanceStatus { ref status, .. } if status == "400"),
        "{err}"
    );
    let ok = p
        .seller
        .attach_advance_invoice(&attach("10"))
        .await
        .unwrap()
        .result
        .unwrap();
    assert!(ok.succeeded());
    let attached = p
        .seller
        .get_attached_advance_invoices(&GetAttachedAdvanceInvoicesParams {
            user_id: p.seller_id,
            invoice_id: i32::try_from(invoice).unwrap(),
        })
        .await
        .unwrap()
        .result;
    assert_eq!(attached.rows[0]["DRG_AMOUNT"], "10");
    let update = |amount: &str| UpdateAdvanceInvoiceParams {
        user_id: p.seller_id,
        invoice_id: i32::try_from(invoice).unwrap(),
        advance_invoice_id: i32::try_from(advance).unwrap(),
        advance_invoice_drg_amount: dec(amount),
    };
    assert!(
        p.seller
            .update_advance_invoice(&update("15.25"))
            .await
            .unwrap()
            .result
            .unwrap()
            .succeeded()
    );
    assert!(
        !p.seller
            .update_advance_invoice(&update("15.26"))
            .await
            .unwrap()
            .result
            .unwrap()
            .succeeded()
    );
    let detach = DetachAdvanceInvoicesParams {
        user_id: p.seller_id,
        invoice_id: i32::try_from(invoice).unwrap(),
        advance_invoices: Some(AdvanceInvoiceIds {
            ids: Some(vec![i32::try_from(advance).unwrap()]),
        }),
    };
    assert!(
        p.seller
            .detach_advance_invoices(&detach)
            .await
            .unwrap()
            .result
            .unwrap()
            .succeeded()
    );
    assert!(
        !p.seller
            .detach_advance_invoices(&detach)
            .await
            .unwrap()
            .result
            .unwrap()
            .succeeded()
    );
    // Wrong credentials: status 401, never a fault.
    let wrong = Client::connect(p.sandbox.base_url(), SELLER.0, SecretString::from("x")).unwrap();
    let refused = wrong
        .attach_advance_invoice(&attach("1"))
        .await
        .unwrap()
        .result
        .unwrap();
    assert_eq!(refused.status.as_deref(), Some("401"));
    // change_barter_status is not emulated: false.
    let barter = p
        .seller
        .change_barter_status(&ChangeBarterStatusParams {
            invoice_id: invoice,
            status: InvoiceStatus::Sent,
            user_id: p.seller_id,
        })
        .await
        .unwrap();
    assert_eq!(barter.result, Some(serde_json::json!("false")));
}

#[tokio::test]
async fn service_users_are_created_listed_and_used() {
    let sandbox = ntos::spawn().await.unwrap();
    let anonymous = Client::builder()
        .base_url(sandbox.base_url())
        .build()
        .unwrap();
    let create = CreateSerUserParams {
        user_name: Some("tbilisi".into()),
        user_password: Some("123456".into()),
        ip: Some("10.0.0.7".into()),
        notes: Some("ბუღალტერია".into()),
        su: Some("books:206322102".into()),
        sp: Some("s3cret".into()),
    };
    assert!(
        anonymous
            .create_ser_user(&create)
            .await
            .unwrap()
            .ok()
            .is_ok()
    );
    // The name is taken now; a wrong main password is refused.
    assert!(!anonymous.create_ser_user(&create).await.unwrap().result);
    let mut wrong = create.clone();
    wrong.user_password = Some("x".into());
    wrong.su = Some("other:206322102".into());
    assert!(!anonymous.create_ser_user(&wrong).await.unwrap().result);

    let users = anonymous
        .get_ser_users(&GetSerUsersParams {
            user_name: Some("tbilisi".into()),
            user_password: Some("123456".into()),
        })
        .await
        .unwrap();
    assert_eq!(users.user_id, 783);
    assert_eq!(users.result.len(), 2);
    assert!(
        users
            .result
            .rows
            .iter()
            .any(|u| u.user_name.as_deref() == Some("books:206322102")
                && u.ip.as_deref() == Some("10.0.0.7"))
    );
    let notes = anonymous
        .get_ser_users_notes(&GetSerUsersNotesParams {
            tin: Some("206322102".into()),
        })
        .await
        .unwrap()
        .result;
    assert!(
        notes
            .rows
            .iter()
            .any(|n| n.notes.as_deref() == Some("ბუღალტერია"))
    );

    let books = Client::connect(
        sandbox.base_url(),
        "books:206322102",
        SecretString::from("s3cret"),
    )
    .unwrap();
    assert_eq!(books.check_service_user().await.unwrap().user_id, 783);
    let mut update = UpdateSerUserParams {
        user_name: Some("tbilisi".into()),
        user_password: Some("123456".into()),
        ip: Some("10.0.0.8".into()),
        notes: None,
        su: Some("books:206322102".into()),
        sp: Some("n3w".into()),
    };
    assert!(anonymous.update_ser_user(&update).await.unwrap().result);
    assert!(books.check_service_user().await.is_err());
    books.set_service_user("books:206322102", SecretString::from("n3w"));
    assert!(books.check_service_user().await.is_ok());
    update.su = Some("nobody:206322102".into());
    assert!(!anonymous.update_ser_user(&update).await.unwrap().result);
    let nobody = anonymous
        .get_ser_users(&GetSerUsersParams {
            user_name: Some("tbilisi".into()),
            user_password: Some("wrong".into()),
        })
        .await
        .unwrap();
    assert!(nobody.result.is_empty());
    assert_eq!(nobody.user_id, -1);
}

#[tokio::test]
async fn soap12_works_too() {
    let sandbox = ntos::spawn().await.unwrap();
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .service_user(SELLER.0, SecretString::from("123456"))
        .soap12(true)
        .build()
        .unwrap();
    assert!(client.transport().is_soap12());
    let ids = client.check_service_user().await.unwrap();
    assert_eq!(ids.user_id, 783);
    let rows = client
        .get_akciz(&GetAkcizParams {
            s_text: None,
            user_id: ids.user_id,
        })
        .await
        .unwrap()
        .result;
    assert!(!rows.is_empty());
}

#[tokio::test]
async fn sums_that_do_not_fit_a_decimal_do_not_panic() {
    let p = parties().await;
    let id = draft(&p).await;
    let huge = Decimal::MAX.to_string();
    for _ in 0..2 {
        assert!(
            p.seller
                .save_invoice_desc(&line(p.seller_id, id, "ოქრო", &huge, &huge))
                .await
                .unwrap()
                .result
        );
    }
    let rows = p
        .seller
        .get_seller_invoices(&GetSellerInvoicesParams {
            user_id: p.seller_id,
            un_id: SELLER.1,
            s_dt: unset_date(),
            e_dt: unset_date(),
            op_s_dt: unset_date(),
            op_e_dt: unset_date(),
            invoice_no: None,
            sa_ident_no: None,
            desc: None,
            doc_mos_nom: None,
        })
        .await
        .unwrap()
        .result;
    assert_eq!(rows.rows[0].tanxa, Some(Decimal::MAX));
    assert_eq!(rows.rows[0].vat, Some(Decimal::MAX));
}

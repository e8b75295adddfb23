//! Documents that refer to other documents: corrections (with returns),
//! distribution sub-documents, advances with their balances, and the
//! ListInvoices filters that find them (PARENT_INV_NUMBER, TRANS_*,
//! DECL_OPERATION_PERIOD, the remaining date ranges).

mod common;

use common::*;
use rsge_eapi::client::Client;
use rsge_eapi::enums::*;
use rsge_eapi::models::*;
use rust_decimal::Decimal;
use taxsdk_runtime::wire::DateRange;
use taxsdk_sandbox::eapi;

/// A correction of `prev` for `reason`: category, type and buyer inherited.
fn correction(prev: i64, reason: CorrectReason, goods: Vec<InvoiceGoods>) -> Invoice {
    Invoice {
        tin_seller: Some(common::tin(SELLER_TIN)),
        prev_correction_id: Some(prev),
        correct_reason_id: Some(reason),
        invoice_goods: Some(goods),
        ..Default::default()
    }
}

async fn list(c: &Client, req: ListInvoicesRequest) -> Vec<ListInvoicesRow> {
    c.list_invoices(&req)
        .await
        .expect("list invoices")
        .data
        .expect("Data")
        .rows
}

fn ids(rows: &[ListInvoicesRow]) -> Vec<i64> {
    rows.iter().filter_map(|r| r.id).collect()
}

fn all(type_: InvoiceListType) -> ListInvoicesRequest {
    ListInvoicesRequest {
        type_,
        maximum_rows: 0,
        ..Default::default()
    }
}

#[tokio::test]
async fn a_correction_replaces_an_active_document_once_activated() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await;
    let (original, _) = issue(&seller, invoice(SELLER_TIN, BUYER_TIN)).await;
    buyer
        .confirm_invoice(&ConfirmInvoiceRequest {
            invoice: by_id(original),
        })
        .await
        .unwrap();

    // Price reduced: a new document with PREV_CORRECTION_ID and a reason;
    // INV_CATEGORY, INV_TYPE, OPERATION_DATE and the buyer are inherited.
    let fixed = correction(
        original,
        CorrectReason::CompensationChanged,
        vec![line("მაცივარი", 2, 85000)],
    );
    let c1 = save_doc(&seller, fixed.clone()).await;
    let doc = fetch(&seller, c1).await;
    assert_eq!(doc.prev_correction_id, Some(original));
    assert_eq!(
        doc.correct_reason_id,
        Some(CorrectReason::CompensationChanged)
    );
    assert_eq!(doc.inv_type, Some(InvoiceType::WithoutTransport));
    assert_eq!(doc.tin_buyer.as_deref(), Some(BUYER_TIN));
    assert_eq!(doc.amount_full, Some(Decimal::new(170000, 2)));
    // Saved only: the original is unchanged, and one open correction is enough.
    let orig = fetch(&seller, original).await;
    assert_eq!(orig.seller_action, Some(SellerAction::Sent));
    assert_eq!(orig.next_correction_id, None);
    assert_eq!(
        status_of(seller.save_invoice(&save(fixed.clone(), None)).await),
        (-2, 400)
    );

    activate(&seller, c1).await;
    let orig = fetch(&seller, original).await;
    assert_eq!(orig.seller_action, Some(SellerAction::Corrected));
    assert_eq!(orig.buyer_action, Some(BuyerAction::Confirmed));
    assert_eq!(orig.next_correction_id, Some(c1));
    assert!(orig.correct_date.is_some());
    assert_eq!(orig.status_txt_geo.as_deref(), Some("კორექტირებული"));
    // The buyer sees both; the correction waits for its confirmation.
    let received = list(&buyer, all(InvoiceListType::Received)).await;
    let row = received.iter().find(|r| r.id == Some(original)).unwrap();
    assert_eq!(row.action, Some(7));
    assert_eq!(row.seller_action, Some(SellerAction::Corrected));
    assert_eq!(row.next_correction_id, Some(c1));
    let row = received.iter().find(|r| r.id == Some(c1)).unwrap();
    assert_eq!(row.prev_correction_id, Some(original));
    assert_eq!(row.action, Some(3));
    let actions = seller.get_actions().await.unwrap();
    assert!(
        actions
            .iter()
            .any(|a| a.id == Some(7) && a.seller_action == Some(SellerAction::Corrected))
    );
    // The corrected document is final; the chain continues from the correction.
    assert_eq!(
        status_of(seller.save_invoice(&save(fixed, None)).await),
        (-2, 400)
    );
    assert_eq!(
        status_of(
            buyer
                .refuse_invoice(&RefuseInvoiceRequest {
                    invoice: by_id(original),
                })
                .await
        ),
        (-2, 400)
    );
    let c2 = save_doc(
        &seller,
        correction(c1, CorrectReason::Editing, vec![line("მაცივარი", 1, 85000)]),
    )
    .await;
    activate(&seller, c2).await;
    assert_eq!(fetch(&seller, c1).await.next_correction_id, Some(c2));
    // CORRECT_DATE filter: the two corrected documents.
    let today = sb_today();
    let corrected = list(
        &seller,
        ListInvoicesRequest {
            correct_date: Some(DateRange::new(today.0, today.1)),
            ..all(InvoiceListType::Issued)
        },
    )
    .await;
    let mut found = ids(&corrected);
    found.sort_unstable();
    assert_eq!(found, [original, c1]);
}

/// A date range around the sandbox's "today" (Tbilisi time, any machine zone).
fn sb_today() -> (
    taxsdk_runtime::chrono::NaiveDate,
    taxsdk_runtime::chrono::NaiveDate,
) {
    let today = taxsdk_runtime::chrono::Utc::now().date_naive();
    (
        today - taxsdk_runtime::chrono::Days::new(1),
        today + taxsdk_runtime::chrono::Days::new(1),
    )
}

#[tokio::test]
async fn what_may_be_corrected_and_how() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await;
    let goods = || vec![line("მაცივარი", 1, 90000)];

    // A saved document is edited, not corrected.
    let draft = save_doc(&seller, invoice(SELLER_TIN, BUYER_TIN)).await;
    let bad = |inv: Invoice| {
        let seller = seller.clone();
        async move { status_of(seller.save_invoice(&save(inv, None)).await) }
    };
    assert_eq!(
        bad(correction(
            draft,
            CorrectReason::CompensationChanged,
            goods()
        ))
        .await,
        (-2, 400)
    );
    let (active, _) = issue(&seller, invoice(SELLER_TIN, BUYER_TIN)).await;
    // No reason; an unknown reason; a reason without a corrected document.
    let mut no_reason = correction(active, CorrectReason::Editing, goods());
    no_reason.correct_reason_id = None;
    assert_eq!(bad(no_reason).await, (-2, 400));
    assert_eq!(
        bad(correction(active, CorrectReason::Unknown(9), goods())).await,
        (-2, 400)
    );
    let mut reason_only = invoice(SELLER_TIN, BUYER_TIN);
    reason_only.correct_reason_id = Some(CorrectReason::CompensationChanged);
    assert_eq!(bad(reason_only).await, (-2, 400));
    // A reason 0 and a PREV_CORRECTION_ID 0, as the examples send for "none", are no correction.
    let mut zeros = invoice(SELLER_TIN, BUYER_TIN);
    zeros.correct_reason_id = Some(CorrectReason::Unknown(0));
    zeros.prev_correction_id = Some(0);
    save_doc(&seller, zeros).await;
    // INV_TYPE cannot change; nor can the buyer except when editing (5);
    // nor OPERATION_DATE when editing.
    let mut other_type = correction(active, CorrectReason::CompensationChanged, goods());
    other_type.inv_type = Some(InvoiceType::WithTransport);
    assert_eq!(bad(other_type).await, (-2, 400));
    let mut same_type = correction(active, CorrectReason::CompensationChanged, goods());
    same_type.inv_type = Some(InvoiceType::WithoutTransport);
    same_type.inv_category = Some(InvoiceCategory::GoodsServices);
    let open = save_doc(&seller, same_type).await;
    seller
        .delete_invoice(&DeleteInvoiceRequest {
            invoice: by_id(open),
        })
        .await
        .unwrap();
    let mut other_buyer = correction(active, CorrectReason::CompensationChanged, goods());
    other_buyer.tin_buyer = Some(SELLER_TIN.into());
    assert_eq!(bad(other_buyer).await, (-2, 400));
    let mut other_date = correction(active, CorrectReason::Editing, goods());
    other_date.operation_date = Some(dt(2024, 5, 1));
    assert_eq!(bad(other_date).await, (-2, 400));
    // Only the seller corrects: the buyer's own correction names its
    // organisation as seller and is refused.
    let mut by_buyer = correction(active, CorrectReason::CompensationChanged, goods());
    by_buyer.tin_seller = Some(common::tin(BUYER_TIN));
    assert_eq!(
        status_of(buyer.save_invoice(&save(by_buyer, None)).await),
        (-2, 400)
    );
    // A refused document is deleted, not corrected.
    let (to_refuse, _) = issue(&seller, invoice(SELLER_TIN, BUYER_TIN)).await;
    buyer
        .refuse_invoice(&RefuseInvoiceRequest {
            invoice: by_id(to_refuse),
        })
        .await
        .unwrap();
    assert_eq!(
        bad(correction(
            to_refuse,
            CorrectReason::OperationCancelled,
            goods()
        ))
        .await,
        (-2, 400)
    );
    // The corrected document must still be active when the correction is
    // activated: a deleted one is not.
    let (gone, _) = issue(&seller, invoice(SELLER_TIN, BUYER_TIN)).await;
    let late = save_doc(
        &seller,
        correction(gone, CorrectReason::CompensationChanged, goods()),
    )
    .await;
    seller
        .delete_invoice(&DeleteInvoiceRequest {
            invoice: by_id(gone),
        })
        .await
        .unwrap();
    assert_eq!(
        status_of(
            seller
                .activate_invoice(&ActivateInvoiceRequest {
                    invoice: Some(Invoice {
                        id: late,
                        ..Default::default()
                    }),
                    transaction_id: None,
                })
                .await
        ),
        (-2, 400)
    );
}

#[tokio::test]
async fn returns_attach_only_to_a_correction_for_returned_goods() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await;
    let (sold, _) = issue(&seller, invoice(SELLER_TIN, BUYER_TIN)).await;
    // The buyer sends one fridge back with a return document (INV_TYPE 5).
    let mut back = invoice(BUYER_TIN, SELLER_TIN);
    back.inv_type = Some(InvoiceType::Return);
    back.invoice_goods = Some(vec![line("მაცივარი", 1, 90000)]);
    let (ret, ret_number) = issue(&buyer, back).await;

    let returned = |reason: CorrectReason| {
        let mut c = correction(sold, reason, vec![line("მაცივარი", 1, 90000)]);
        c.invoice_return = Some(vec![InvoiceReturn {
            return_invoice_id: ret,
            ..Default::default()
        }]);
        c
    };
    // Not a correction; a correction for another reason; not a return document.
    let mut plain = invoice(SELLER_TIN, BUYER_TIN);
    plain.invoice_return = returned(CorrectReason::GoodsReturned).invoice_return;
    assert_eq!(
        status_of(seller.save_invoice(&save(plain, None)).await),
        (-2, 400)
    );
    assert_eq!(
        status_of(
            seller
                .save_invoice(&save(returned(CorrectReason::CompensationChanged), None))
                .await
        ),
        (-2, 400)
    );
    let mut wrong = returned(CorrectReason::GoodsReturned);
    wrong.invoice_return.as_mut().unwrap()[0].return_invoice_id = sold;
    assert_eq!(
        status_of(seller.save_invoice(&save(wrong, None)).await),
        (-2, 400)
    );

    let fixed = save_doc(&seller, returned(CorrectReason::GoodsReturned)).await;
    let doc = fetch(&seller, fixed).await;
    let r = &doc.invoice_return.unwrap()[0];
    assert_eq!(r.return_invoice_id, ret);
    assert_eq!(r.corrected_invoice_id, Some(sold));
    assert_eq!(r.inv_number, Some(ret_number.to_string()));
    assert_eq!(r.buyer.as_deref(), Some("სატესტო კოდი1(206322102)"));
    assert_eq!(r.operation_date, Some(dt(2024, 4, 10)));
}

/// A distribution document of the seller, without buyer: 10 water, 5 juice.
fn distribution() -> Invoice {
    Invoice {
        inv_type: Some(InvoiceType::Distribution),
        tin_buyer: None,
        invoice_goods: Some(vec![line("წყალი", 10, 150), line("წვენი", 5, 300)]),
        ..invoice(SELLER_TIN, BUYER_TIN)
    }
}

fn sub_document(parent: i64, goods: Vec<InvoiceGoods>) -> Invoice {
    Invoice {
        parent_id: Some(parent),
        invoice_goods: Some(goods),
        ..invoice(SELLER_TIN, BUYER_TIN)
    }
}

#[tokio::test]
async fn distribution_sub_documents_take_from_the_parents_stock() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await;

    // A saved distribution document gives no sub-documents yet.
    let parent = save_doc(&seller, distribution()).await;
    let bad = |inv: Invoice| {
        let seller = seller.clone();
        async move { status_of(seller.save_invoice(&save(inv, None)).await) }
    };
    assert_eq!(
        bad(sub_document(parent, vec![line("წყალი", 1, 150)])).await,
        (-2, 400)
    );
    let number = activate(&seller, parent).await;

    // The skeleton of a new sub-document carries the parent's goods and stock.
    let skeleton = seller
        .get_invoice(&GetInvoiceRequest {
            invoice_id: 0,
            invoice_number: None,
            parent_invoice_id: parent,
        })
        .await
        .unwrap()
        .invoice
        .unwrap();
    assert_eq!(skeleton.parent_id, Some(parent));
    let stock: Vec<_> = skeleton
        .invoice_parent_goods
        .unwrap()
        .iter()
        .map(|g| g.quantity_stock)
        .collect();
    assert_eq!(stock, [Some(Decimal::new(10, 0)), Some(Decimal::new(5, 0))]);

    let s1 = save_doc(&seller, sub_document(parent, vec![line("წყალი", 4, 150)])).await;
    let doc = fetch(&seller, parent).await;
    assert_eq!(doc.tin_buyer, None);
    let goods = doc.invoice_goods.unwrap();
    assert_eq!(goods[0].quantity_stock, Some(Decimal::new(6, 0)));
    assert_eq!(goods[1].quantity_stock, Some(Decimal::new(5, 0)));
    let subs = doc.sub_invoices_distribution.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].sub_invoice_id, Some(s1));
    assert_eq!(subs[0].parent_invoice_id, Some(parent));
    assert_eq!(subs[0].goods_sum, Some(Decimal::new(4, 0)));
    assert_eq!(subs[0].goods_amount_sum, Some(Decimal::new(600, 2)));
    assert_eq!(
        subs[0].buyer.as_deref(),
        Some("სატესტოk სატესტოk(12345678910)")
    );
    let sub = fetch(&seller, s1).await;
    assert_eq!(sub.invoice_parent_goods.as_ref().map(Vec::len), Some(2));
    assert_eq!(
        sub.invoice_goods.unwrap()[0].quantity_stock,
        Some(Decimal::new(6, 0))
    );

    // More than is left; goods the parent does not have; the wrong type;
    // a parent that is not a distribution document.
    assert_eq!(
        bad(sub_document(parent, vec![line("წყალი", 7, 150)])).await,
        (-2, 400)
    );
    assert_eq!(
        bad(sub_document(
            parent,
            vec![line("წყალი", 3, 150), line("წყალი", 4, 150)]
        ))
        .await,
        (-2, 400)
    );
    assert_eq!(
        bad(sub_document(parent, vec![line("ლუდი", 1, 300)])).await,
        (-2, 400)
    );
    let mut transported = sub_document(parent, vec![line("წყალი", 1, 150)]);
    transported.inv_type = Some(InvoiceType::WithTransport);
    assert_eq!(bad(transported).await, (-2, 400));
    let (plain, _) = issue(&seller, invoice(SELLER_TIN, BUYER_TIN)).await;
    assert_eq!(
        bad(sub_document(plain, vec![line("მაცივარი", 1, 90000)])).await,
        (-2, 400)
    );
    assert_eq!(
        status_of(
            seller
                .get_invoice(&GetInvoiceRequest {
                    invoice_id: 0,
                    invoice_number: None,
                    parent_invoice_id: plain,
                })
                .await
        ),
        (-2, 400)
    );

    // Activated, the buyer sees the sub-document; PARENT_INV_NUMBER finds it.
    let s2 = save_doc(&seller, sub_document(parent, vec![line("წვენი", 5, 300)])).await;
    activate(&seller, s2).await;
    let received = list(&buyer, all(InvoiceListType::Received)).await;
    let row = received.iter().find(|r| r.id == Some(s2)).unwrap();
    assert_eq!(row.parent_inv_number, Some(number));
    let children = list(
        &seller,
        ListInvoicesRequest {
            parent_inv_number: Some(number),
            ..all(InvoiceListType::Issued)
        },
    )
    .await;
    let mut found = ids(&children);
    found.sort_unstable();
    assert_eq!(found, [s1, s2]);

    // A parent with sub-documents stays; deleting one gives its stock back.
    assert_eq!(
        status_of(
            seller
                .delete_invoice(&DeleteInvoiceRequest {
                    invoice: by_id(parent),
                })
                .await
        ),
        (-2, 400)
    );
    seller
        .delete_invoice(&DeleteInvoiceRequest { invoice: by_id(s1) })
        .await
        .unwrap();
    let goods = fetch(&seller, parent).await.invoice_goods.unwrap();
    assert_eq!(goods[0].quantity_stock, Some(Decimal::new(10, 0)));
    assert_eq!(goods[1].quantity_stock, Some(Decimal::ZERO));
}

/// An advance document of 100.00 to the buyer.
fn advance(seller: &str, buyer: &str) -> Invoice {
    Invoice {
        inv_category: Some(InvoiceCategory::Advance),
        inv_type: Some(InvoiceType::Advance),
        invoice_goods: Some(vec![line("ავანსი", 1, 10000)]),
        ..invoice(seller, buyer)
    }
}

fn taking(seller: &str, buyer: &str, advance: i64, tetri: i64) -> Invoice {
    Invoice {
        invoice_advance: Some(vec![InvoiceAdvance {
            id: advance,
            operation_date: dt(2024, 4, 10),
            amount: Decimal::new(tetri, 2),
            ..Default::default()
        }]),
        ..invoice(seller, buyer)
    }
}

fn advances_of(buyer: &str) -> ListInvoicesRequest {
    ListInvoicesRequest {
        tin_buyer: Some(buyer.into()),
        operation_date: Some(DateRange::new(date(2024, 4, 1), date(2024, 4, 30))),
        ..all(InvoiceListType::AdvancesWithBalance)
    }
}

#[tokio::test]
async fn advances_are_taken_up_to_their_balance() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let bad = |inv: Invoice| {
        let seller = seller.clone();
        async move { status_of(seller.save_invoice(&save(inv, None)).await) }
    };
    // Category and type are advance together.
    let mut half = advance(SELLER_TIN, BUYER_TIN);
    half.inv_type = Some(InvoiceType::WithoutTransport);
    assert_eq!(bad(half).await, (-2, 400));

    let (adv, adv_number) = issue(&seller, advance(SELLER_TIN, BUYER_TIN)).await;
    let rows = list(&seller, advances_of(BUYER_TIN)).await;
    assert_eq!(ids(&rows), [adv]);
    assert_eq!(rows[0].amount_max, Some(Decimal::new(10000, 2)));
    // TYPE 5/50 needs TIN_BUYER and OPERATION_DATE.
    let mut no_date = advances_of(BUYER_TIN);
    no_date.operation_date = None;
    assert_eq!(status_of(seller.list_invoices(&no_date).await), (-2, 400));
    // Another month has none.
    let mut may = advances_of(BUYER_TIN);
    may.operation_date = Some(DateRange::new(date(2024, 5, 1), date(2024, 5, 31)));
    assert!(list(&seller, may).await.is_empty());

    let x = save_doc(&seller, taking(SELLER_TIN, BUYER_TIN, adv, 4000)).await;
    let doc = fetch(&seller, x).await;
    let taken = &doc.invoice_advance.unwrap()[0];
    assert_eq!(taken.parent_invoice_id, Some(x));
    assert_eq!(taken.amount, Decimal::new(4000, 2));
    assert_eq!(taken.amount_full, Some(Decimal::new(10000, 2)));
    assert_eq!(taken.amount_max, Some(Decimal::new(6000, 2)));
    assert_eq!(taken.inv_number, Some(adv_number.to_string()));
    assert_eq!(taken.inv_category, Some(InvoiceCategory::Advance));
    assert_eq!(taken.seller.as_deref(), Some("სატესტო კოდი1(206322102)"));
    assert!(taken.activate_date.is_some());
    assert_eq!(doc.amount_max, doc.amount_full);
    assert_eq!(
        fetch(&seller, adv).await.amount_max,
        Some(Decimal::new(6000, 2))
    );

    // More than is left; twice in one document; not an advance; an advance
    // taking from an advance.
    assert_eq!(
        bad(taking(SELLER_TIN, BUYER_TIN, adv, 7000)).await,
        (-2, 400)
    );
    let mut twice = taking(SELLER_TIN, BUYER_TIN, adv, 1000);
    let entry = twice.invoice_advance.as_ref().unwrap()[0].clone();
    twice.invoice_advance.as_mut().unwrap().push(entry);
    assert_eq!(bad(twice).await, (-2, 400));
    assert_eq!(bad(taking(SELLER_TIN, BUYER_TIN, x, 1000)).await, (-2, 400));
    let mut nested = advance(SELLER_TIN, BUYER_TIN);
    nested.invoice_advance = taking(SELLER_TIN, BUYER_TIN, adv, 1000).invoice_advance;
    assert_eq!(bad(nested).await, (-2, 400));

    // The rest; then the balance is 0 and TYPE 50 no longer lists it.
    save_doc(&seller, taking(SELLER_TIN, BUYER_TIN, adv, 6000)).await;
    assert!(list(&seller, advances_of(BUYER_TIN)).await.is_empty());
    // A taken advance cannot be deleted; deleting what took it frees it.
    assert_eq!(
        status_of(
            seller
                .delete_invoice(&DeleteInvoiceRequest {
                    invoice: by_id(adv)
                })
                .await
        ),
        (-2, 400)
    );
    seller
        .delete_invoice(&DeleteInvoiceRequest { invoice: by_id(x) })
        .await
        .unwrap();
    let rows = list(&seller, advances_of(BUYER_TIN)).await;
    assert_eq!(rows[0].amount_max, Some(Decimal::new(4000, 2)));

    // An advance issued to someone else cannot be taken for this buyer.
    let other = login(&sb, "sandbox1").await;
    let (theirs, _) = issue(&other, advance("204000001", "204000002")).await;
    assert_eq!(
        status_of(
            other
                .save_invoice(&save(
                    taking("204000001", "01008000001", theirs, 1000),
                    None
                ))
                .await
        ),
        (-2, 400)
    );
}

#[tokio::test]
async fn list_invoices_filters_transport_and_the_remaining_dates() {
    let sb = eapi::spawn().await.unwrap();
    // A non-test account, so that any registry TIN may be the carrier.
    let seller = login(&sb, "sandbox1").await;
    let mut moved = Invoice {
        inv_type: Some(InvoiceType::WithTransport),
        trans_type: Some(TransportType::Road),
        trans_company_tin: Some(common::tin("01008000001")),
        trans_driver_tin: Some("01008000002".into()),
        trans_car_model: Some("IVECO ML 75 E 15P".into()),
        trans_car_no: Some("BB854FF".into()),
        trans_trailer_no: Some("TR-17".into()),
        trans_cost: Some(Decimal::new(2550, 2)),
        trans_cost_payer: Some(TransCostPayer::Buyer),
        trans_start_date: Some(dt(2024, 4, 11)),
        trans_start_address: Some("თბილისი".into()),
        trans_end_address: Some("რუსთავი".into()),
        ..invoice("204000001", "204000002")
    };
    moved.operation_date = Some(dt(2024, 4, 10));
    let (moved, _) = issue(&seller, moved).await;
    let (still, _) = issue(&seller, invoice("204000001", "204000002")).await;

    let find = |req: ListInvoicesRequest| {
        let seller = seller.clone();
        async move {
            ids(&list(
                &seller,
                ListInvoicesRequest {
                    maximum_rows: 0,
                    ..req
                },
            )
            .await)
        }
    };
    let only_moved = vec![moved];
    for req in [
        ListInvoicesRequest {
            trans_name: Some("საავტომობილო".into()),
            ..Default::default()
        },
        ListInvoicesRequest {
            trans_company: Some("01008000001".into()),
            ..Default::default()
        },
        ListInvoicesRequest {
            trans_company: Some("ბერიძე".into()),
            ..Default::default()
        },
        ListInvoicesRequest {
            trans_driver: Some("ნაცვლიშვილი".into()),
            ..Default::default()
        },
        ListInvoicesRequest {
            trans_driver: Some("01008000002".into()),
            ..Default::default()
        },
        ListInvoicesRequest {
            trans_car_model: Some("iveco".into()),
            ..Default::default()
        },
        ListInvoicesRequest {
            trans_car_no: Some("BB854".into()),
            ..Default::default()
        },
        ListInvoicesRequest {
            trans_trailer_no: Some("TR-17".into()),
            ..Default::default()
        },
        ListInvoicesRequest {
            trans_cost: Some(Decimal::new(2550, 2)),
            ..Default::default()
        },
        ListInvoicesRequest {
            trans_cost_payer: Some("1".into()),
            ..Default::default()
        },
        ListInvoicesRequest {
            trans_cost_payer: Some("მყიდველი".into()),
            ..Default::default()
        },
        ListInvoicesRequest {
            trans_start_date: Some(DateRange::new(date(2024, 4, 11), date(2024, 4, 11))),
            ..Default::default()
        },
    ] {
        assert_eq!(find(req.clone()).await, only_moved, "{req:?}");
    }
    for req in [
        ListInvoicesRequest {
            trans_cost_payer: Some("2".into()),
            ..Default::default()
        },
        ListInvoicesRequest {
            trans_company: Some("204000002".into()),
            ..Default::default()
        },
        ListInvoicesRequest {
            trans_start_date: Some(DateRange::new(date(2024, 4, 12), date(2024, 4, 30))),
            ..Default::default()
        },
        ListInvoicesRequest {
            request_cancel_date: Some(DateRange::new(date(2000, 1, 1), date(2099, 1, 1))),
            ..Default::default()
        },
        ListInvoicesRequest {
            agree_cancel_date: Some(DateRange::new(date(2000, 1, 1), date(2099, 1, 1))),
            ..Default::default()
        },
        ListInvoicesRequest {
            correct_date: Some(DateRange::new(date(2000, 1, 1), date(2099, 1, 1))),
            ..Default::default()
        },
    ] {
        assert!(find(req.clone()).await.is_empty(), "{req:?}");
    }
    assert_eq!(
        status_of(
            seller
                .list_invoices(&ListInvoicesRequest {
                    trans_cost_payer: Some("someone".into()),
                    ..Default::default()
                })
                .await
        ),
        (-2, 400)
    );

    // DECL_OPERATION_PERIOD: the documents of the declaration's month, only
    // with TYPE 11 / 21.
    let mut april = find(ListInvoicesRequest {
        type_: InvoiceListType::IssuedForDeclaration,
        decl_operation_period: Some(date(2024, 4, 1)),
        ..Default::default()
    })
    .await;
    april.sort_unstable();
    assert_eq!(april, [moved, still]);
    assert!(
        find(ListInvoicesRequest {
            type_: InvoiceListType::IssuedForDeclaration,
            decl_operation_period: Some(date(2024, 5, 1)),
            ..Default::default()
        })
        .await
        .is_empty()
    );
    assert_eq!(
        status_of(
            seller
                .list_invoices(&ListInvoicesRequest {
                    decl_operation_period: Some(date(2024, 4, 1)),
                    ..Default::default()
                })
                .await
        ),
        (-2, 400)
    );
}

#[tokio::test]
async fn sums_that_do_not_fit_are_refused_not_panicked() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let huge: Decimal = "50000000000000000000000000000".parse().unwrap();
    let big_line = |vat: VatType, price: Decimal, excise: Option<i64>| InvoiceGoods {
        quantity: Some(huge),
        unit_price: Some(price),
        vat_type: Some(vat),
        excise_id: excise,
        ..line("x", 1, 100)
    };
    let bad = |goods: Vec<InvoiceGoods>| {
        let seller = seller.clone();
        async move {
            let inv = Invoice {
                invoice_goods: Some(goods),
                ..invoice(SELLER_TIN, BUYER_TIN)
            };
            status_of(seller.save_invoice(&save(inv, None)).await)
        }
    };
    // The VAT of one line, the total of two, an excise amount.
    assert_eq!(
        bad(vec![big_line(VatType::Standard, Decimal::ONE, None)]).await,
        (-2, 400)
    );
    let exempt = big_line(VatType::Exempt, Decimal::ONE, None);
    assert_eq!(bad(vec![exempt.clone(), exempt]).await, (-2, 400));
    assert_eq!(
        bad(vec![big_line(VatType::Exempt, Decimal::ZERO, Some(310))]).await,
        (-2, 400)
    );
    // A sent AMOUNT far from the computed one.
    let mut negative = line("x", 1, 100);
    negative.amount = Some(-huge);
    assert_eq!(bad(vec![negative]).await, (-2, 400));
    // Two huge lines of a distribution sub-document.
    let (parent, _) = issue(&seller, distribution()).await;
    let mut water = line("წყალი", 1, 150);
    water.quantity = Some(huge);
    water.vat_type = Some(VatType::Exempt);
    water.unit_price = Some(Decimal::ZERO);
    assert_eq!(
        status_of(
            seller
                .save_invoice(&save(
                    sub_document(parent, vec![water.clone(), water]),
                    None
                ))
                .await
        ),
        (-2, 400)
    );
    // Still serving.
    seller.get_units().await.unwrap();
}

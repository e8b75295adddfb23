//! TransactionId calls in flight: -7 for a repeat and for
//! GetTransactionResult until the first call finishes, then its reply; a
//! failed call forgets the id; the work runs without holding the state.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use rsge_eapi::enums::*;
use rsge_eapi::models::*;
use taxsdk_sandbox::eapi::{self, Config, RunningSandbox, Sandbox};

/// The spec's text of -7.
const IN_PROGRESS_TEXT: &str = "ასეთი ტრანზაქცია არსებობს. სტატუსი: მიმდინარე";

/// Wait (bounded) until `n` TransactionIds are in flight.
async fn until_in_flight(sb: &RunningSandbox, n: usize) {
    for _ in 0..1000 {
        if sb.sandbox().transactions_in_flight() == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!(
        "expected {n} transactions in flight, have {}",
        sb.sandbox().transactions_in_flight()
    );
}

fn result_of(tx: &str) -> GetTransactionResultRequest {
    GetTransactionResultRequest {
        transaction_id: tx.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_in_flight_answers_minus_7_until_it_finishes() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let tx = "159c81db-8764-4aca-a068-90785e03acda";

    let pause = sb.sandbox().pause_processing().await;
    let first = tokio::spawn({
        let seller = seller.clone();
        async move {
            seller
                .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), Some(tx)))
                .await
        }
    });
    until_in_flight(&sb, 1).await;

    // The documented reply to a repeat while the first call runs.
    let err = seller
        .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), Some(tx)))
        .await
        .expect_err("-7 while in flight");
    let status = err.service_status().expect("a service status");
    assert_eq!(
        (status.code, status.http_status, status.text.as_str()),
        (-7, 400, IN_PROGRESS_TEXT)
    );
    assert_eq!(
        status_of(seller.get_transaction_result(&result_of(tx)).await),
        (-7, 400)
    );
    // ActivateInvoice with ID 0 shares the organisation's TransactionIds.
    assert_eq!(
        status_of(
            seller
                .activate_invoice(&ActivateInvoiceRequest {
                    invoice: Some(invoice(SELLER_TIN, BUYER_TIN)),
                    transaction_id: Some(tx.into()),
                })
                .await
        ),
        (-7, 400)
    );
    // The id is the organisation's: the buyer's organisation does not know it.
    let buyer = login(&sb, "satesto2").await;
    assert_eq!(
        status_of(buyer.get_transaction_result(&result_of(tx)).await),
        (-6, 400)
    );
    // The work does not hold the state: other calls are answered meanwhile,
    // and the document does not exist yet.
    let listed = seller
        .list_invoices(&ListInvoicesRequest::default())
        .await
        .unwrap();
    assert_eq!(listed.summary.unwrap().count, Some(0));
    assert_eq!(sb.invoice_count(), 0);

    drop(pause);
    let reply = first.await.unwrap().expect("the first call succeeds");
    let id = reply.invoice_id.unwrap();
    assert_eq!(sb.sandbox().transactions_in_flight(), 0);

    let result = seller.get_transaction_result(&result_of(tx)).await.unwrap();
    assert_eq!(result.invoice_id, Some(id));
    assert_eq!(result.seller_action, Some(SellerAction::Saved));
    let replay = seller
        .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), Some(tx)))
        .await
        .unwrap();
    assert_eq!(replay, reply);
    assert_eq!(sb.invoice_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn save_and_activate_in_flight_then_its_reply() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let tx = "activate-1";
    let activate = ActivateInvoiceRequest {
        invoice: Some(invoice(SELLER_TIN, BUYER_TIN)),
        transaction_id: Some(tx.into()),
    };
    let pause = sb.sandbox().pause_processing().await;
    let first = tokio::spawn({
        let (seller, activate) = (seller.clone(), activate.clone());
        async move { seller.activate_invoice(&activate).await }
    });
    until_in_flight(&sb, 1).await;
    assert_eq!(
        status_of(seller.activate_invoice(&activate).await),
        (-7, 400)
    );
    drop(pause);
    let reply = first.await.unwrap().unwrap();
    assert_eq!(reply.seller_action, Some(SellerAction::Sent));
    let result = seller.get_transaction_result(&result_of(tx)).await.unwrap();
    assert_eq!(result.invoice_number, reply.invoice_number);
    assert_eq!(seller.activate_invoice(&activate).await.unwrap(), reply);
    assert_eq!(sb.invoice_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_call_in_flight_forgets_its_transaction_id() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let tx = "retry-me";

    let pause = sb.sandbox().pause_processing().await;
    let first = tokio::spawn({
        let seller = seller.clone();
        async move {
            // Seller equals buyer: -200 once the work runs.
            seller
                .save_invoice(&save(invoice(SELLER_TIN, SELLER_TIN), Some(tx)))
                .await
        }
    });
    until_in_flight(&sb, 1).await;
    assert_eq!(
        status_of(seller.get_transaction_result(&result_of(tx)).await),
        (-7, 400)
    );
    drop(pause);
    assert_eq!(status_of(first.await.unwrap()), (-200, 400));

    // Forgotten: unknown to GetTransactionResult, and a retry runs again.
    assert_eq!(
        status_of(seller.get_transaction_result(&result_of(tx)).await),
        (-6, 400)
    );
    let retried = seller
        .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), Some(tx)))
        .await
        .unwrap();
    assert!(retried.invoice_id.is_some());
    assert_eq!(sb.invoice_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn different_transaction_ids_do_not_wait_for_each_other_in_the_state() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let pause = sb.sandbox().pause_processing().await;
    let calls: Vec<_> = ["a", "b", "c"]
        .into_iter()
        .map(|tx| {
            let seller = seller.clone();
            tokio::spawn(async move {
                seller
                    .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), Some(tx)))
                    .await
            })
        })
        .collect();
    until_in_flight(&sb, 3).await;
    for tx in ["a", "b", "c"] {
        assert_eq!(
            status_of(seller.get_transaction_result(&result_of(tx)).await),
            (-7, 400)
        );
    }
    drop(pause);
    let mut ids = Vec::new();
    for call in calls {
        ids.push(call.await.unwrap().unwrap().invoice_id.unwrap());
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    assert_eq!(sb.invoice_count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_processing_delay_completes_without_blocking_other_calls() {
    let sb = eapi::spawn_with(Config {
        processing_delay: Duration::from_millis(200),
        ..Config::default()
    })
    .await
    .unwrap();
    let seller = login(&sb, "tbilisi").await;
    let tx = "slow";
    let first = tokio::spawn({
        let seller = seller.clone();
        async move {
            seller
                .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), Some(tx)))
                .await
        }
    });
    until_in_flight(&sb, 1).await;
    // Answered while the save is in flight (the delay holds no lock).
    seller.get_units().await.unwrap();
    // In flight (-7) or, on a slow machine, already done: never -6.
    match seller.get_transaction_result(&result_of(tx)).await {
        Ok(result) => assert!(result.invoice_id.is_some()),
        Err(e) => assert_eq!(e.service_code(), Some(-7), "{e}"),
    }
    let reply = first.await.unwrap().unwrap();
    let result = seller.get_transaction_result(&result_of(tx)).await.unwrap();
    assert_eq!(result.invoice_id, reply.invoice_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reply_of_a_paused_call_is_durable_its_flight_is_not() {
    let file = TempFile::new("in-flight");
    let config = || Config {
        data: Some(file.path().to_path_buf()),
        ..Config::default()
    };
    let start = |config: Config| async move {
        let sandbox = Sandbox::open(config).expect("open the data file");
        eapi::serve(sandbox, SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("serve")
    };
    let sb = start(config()).await;
    let seller = login(&sb, "tbilisi").await;
    let pause = sb.sandbox().pause_processing().await;
    let first = tokio::spawn({
        let seller = seller.clone();
        async move {
            seller
                .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), Some("durable")))
                .await
        }
    });
    until_in_flight(&sb, 1).await;
    drop(pause);
    let reply = first.await.unwrap().unwrap();
    sb.shutdown().await;

    let sb = start(config()).await;
    assert_eq!(sb.sandbox().transactions_in_flight(), 0);
    let seller = login(&sb, "tbilisi").await;
    let result = seller
        .get_transaction_result(&result_of("durable"))
        .await
        .unwrap();
    assert_eq!(result.invoice_id, reply.invoice_id);
    let replay = seller
        .save_invoice(&save(invoice(SELLER_TIN, BUYER_TIN), Some("durable")))
        .await
        .unwrap();
    assert_eq!(replay, reply);
    assert_eq!(sb.invoice_count(), 1);
    sb.shutdown().await;
}

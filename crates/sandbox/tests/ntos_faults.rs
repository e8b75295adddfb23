//! NtosService over a network that fails: the sandbox's fault layer
//! (`ntos::Config::faults`) against the client's retries. Reads get their
//! answer through resets, 5xx pages, slow and cut replies; a write is never
//! repeated blindly, and `save_new_invoice` creates each invoice exactly
//! once.

use std::time::Duration;

use chrono::NaiveDate;
use rsge_ntos::client::Client;
use rsge_ntos::models::*;
use rsge_ntos::{NtosError, SecretString, unset_date};
use taxsdk_runtime::RetryPolicy;
use taxsdk_sandbox::faults::{FaultConfig, FaultKind};
use taxsdk_sandbox::ntos::{self, RunningSandbox};

const BUYER_UN_ID: i32 = 1_149_251;

/// A sandbox failing `rate` of its requests (seeded), slow replies taking
/// longer than the client waits.
async fn sandbox(rate: f64, seed: u64, kinds: Vec<FaultKind>) -> RunningSandbox {
    let faults = FaultConfig {
        kinds,
        slow: Duration::from_millis(600),
        retry_after: Duration::ZERO,
        ..FaultConfig::new(rate).seed(seed)
    };
    ntos::spawn_with(ntos::Config {
        faults: Some(faults),
        ..ntos::Config::default()
    })
    .await
    .unwrap()
}

/// A patient client: 8 attempts per read, short waits, 300 ms per attempt.
fn client(sandbox: &RunningSandbox) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .service_user("tbilisi:206322102", SecretString::from("123456"))
        .timeout(Duration::from_millis(300))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(8)
                .backoff(Duration::from_millis(2), Duration::from_millis(20))
                .total_timeout(Some(Duration::from_secs(20))),
        )
        .build()
        .unwrap()
}

fn new_invoice(user_id: i32, seller_un_id: i32, day: u32) -> SaveInvoiceParams {
    SaveInvoiceParams {
        user_id,
        invoice_id: 0,
        operation_date: NaiveDate::from_ymd_opt(2026, 1, day)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap(),
        seller_un_id,
        buyer_un_id: BUYER_UN_ID,
        overhead_no: Some(String::new()),
        overhead_dt: unset_date(),
        b_s_user_id: 0,
    }
}

/// `save_new_invoice`, called again while it fails without having
/// created the invoice (as its documentation allows).
async fn save(client: &Client, params: &SaveInvoiceParams) -> Result<i64, String> {
    let mut errors = Vec::new();
    for _ in 0..3 {
        match client.save_new_invoice(params).await {
            Ok(id) => return Ok(id),
            Err(e) => {
                let unknown = matches!(&e, NtosError::Call(e) if e.may_have_taken_effect());
                errors.push(e.to_string());
                if unknown {
                    break;
                }
            }
        }
    }
    Err(errors.join("; "))
}

/// Add one line to draft `id`, as a careful caller does: a write whose
/// outcome is unknown is looked up (a read) before it is sent again.
async fn add_line(client: &Client, user_id: i32, id: i64, n: usize) -> Result<(), String> {
    let line = SaveInvoiceDescParams {
        user_id,
        id: 0,
        invoice_id: id,
        goods: Some(format!("goods {n}")),
        g_unit: Some("pc".into()),
        g_number: 1.into(),
        full_amount: 118.into(),
        drg_amount: 18.into(),
        aqcizi_amount: 0.into(),
        akciz_id: 0,
    };
    let mut last = String::new();
    for _ in 0..6 {
        match client.save_invoice_desc(&line).await {
            Ok(reply) if reply.result => return Ok(()),
            Ok(_) => return Err("save_invoice_desc answered false".into()),
            Err(e) if e.may_have_taken_effect() => last = e.to_string(),
            Err(e) => return Err(e.to_string()),
        }
        let lines = client
            .get_invoice_desc(&GetInvoiceDescParams {
                user_id,
                invoice_id: id,
            })
            .await
            .map_err(|e| e.to_string())?;
        if !lines.result.rows.is_empty() {
            return Ok(());
        }
    }
    Err(last)
}

#[tokio::test]
async fn n_saves_make_exactly_n_invoices_through_faults() {
    const N: usize = 24;
    let sandbox = sandbox(0.3, 11, Vec::new()).await;
    let client = client(&sandbox);
    // Reads: answered through the faults.
    let ids = client.check_service_user().await.unwrap();
    let seller = client.own_un_id(ids.user_id).await.unwrap();

    let mut saved = Vec::new();
    let mut failed = Vec::new();
    for n in 0..N {
        // A few invoices share a day (and header): the lookup must not
        // take one for another.
        let params = new_invoice(ids.user_id, seller, 1 + (n % 4) as u32);
        match save(&client, &params).await {
            Ok(id) => {
                saved.push(id);
                // A line, so that this draft is no longer "empty" and a
                // later save with the same header cannot be taken for it.
                if let Err(e) = add_line(&client, ids.user_id, id, n).await {
                    failed.push(format!("line of {id}: {e}"));
                }
            }
            Err(e) => failed.push(format!("save {n}: {e}")),
        }
    }
    let stats = sandbox.sandbox().fault_stats().unwrap();
    println!("{stats:?}");
    let mut unique = saved.clone();
    unique.sort_unstable();
    unique.dedup();
    // Never a duplicate, whatever the faults: every invoice in the store
    // is one a save reported.
    assert_eq!(unique.len(), saved.len(), "an id reported twice: {saved:?}");
    assert_eq!(sandbox.sandbox().invoice_count(), saved.len());
    // With this seed every save and line gets through.
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(saved.len(), N);
    // The faults did happen, including ones after the work was done.
    assert!(stats.faulted() >= 10, "{stats:?}");
    let after_work: u64 = FaultKind::ALL
        .iter()
        .filter(|k| k.runs_handler())
        .map(|k| stats.faults.get(k).copied().unwrap_or(0))
        .sum();
    assert!(after_work >= 5, "{stats:?}");
    assert!(client.transport().retry_stats().outcome_unknown >= 3);
}

#[tokio::test]
async fn a_write_is_not_repeated_after_a_reset() {
    // Half the requests (by the seed's draw) are reset after their work.
    let sandbox = sandbox(0.5, 3, vec![FaultKind::ResetAfterCommit]).await;
    let client = client(&sandbox);
    // Reads get through (repeated).
    let ids = client.check_service_user().await.unwrap();
    let seller = client.own_un_id(ids.user_id).await.unwrap();
    let mut unknown = 0;
    for day in 1..=10 {
        match client
            .save_invoice(&new_invoice(ids.user_id, seller, day))
            .await
        {
            Ok(reply) => assert!(reply.result),
            Err(e) => {
                assert!(e.may_have_taken_effect(), "{e}");
                unknown += 1;
            }
        }
    }
    // Each save made one attempt and did its work once.
    assert!(unknown > 0, "the seed gave no reset to a save");
    assert_eq!(sandbox.sandbox().invoice_count(), 10);
    assert!(sandbox.sandbox().fault_stats().unwrap().faulted() > 0);
}

//! `gst_irp::client::Client` against the IRP sandbox over loopback: login,
//! every typed endpoint, validation before sending, renewal after an
//! expired token, and registrations that survive lost replies without a
//! second IRN.

use std::time::Duration;

use chrono::NaiveDate;
use gst_irp::client::{Client, Error};
use gst_irp::enums::{CancelReason, DocumentType};
use gst_irp::models::*;
use gst_irp::session::Credentials;
use gst_irp::{Info, SecretString, compute_irn};
use serde_json::{Value, json};
use taxsdk_sandbox::faults::{FaultConfig, FaultKind};
use taxsdk_sandbox::irp::{self, RunningSandbox, seed};

const SAMPLE: &str = include_str!("../../../spec/gst-irp/examples/generate-irn.request.json");
const BUYER: &str = "27AABCS1429B1ZU";

fn credentials() -> Credentials {
    Credentials::new(
        seed::GSTIN,
        seed::CLIENT_ID,
        SecretString::from(seed::CLIENT_SECRET),
        seed::USER_NAME,
        SecretString::from(seed::PASSWORD),
    )
}

fn client(sandbox: &RunningSandbox) -> Client {
    Client::builder(credentials(), sandbox.sandbox().public_key())
        .base_url(sandbox.base_url())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// The fact sheet's sample as an inter-state sale (IGST) from the seeded
/// Karnataka user to the seeded Maharashtra taxpayer, numbered `number`.
fn invoice(number: &str) -> Invoice {
    let mut value: Value = serde_json::from_str(SAMPLE).unwrap();
    value["DocDtls"]["No"] = json!(number);
    let seller = &mut value["SellerDtls"];
    seller["Gstin"] = json!(seed::GSTIN);
    seller["Stcd"] = json!("29");
    seller["Pin"] = json!(560001);
    let buyer = &mut value["BuyerDtls"];
    buyer["Gstin"] = json!(BUYER);
    buyer["Stcd"] = json!("27");
    buyer["Pos"] = json!("27");
    buyer["Pin"] = json!(400001);
    let item = &mut value["ItemList"][0];
    item["IgstAmt"] = json!(18000.0);
    item["CgstAmt"] = json!(0);
    item["SgstAmt"] = json!(0);
    let totals = &mut value["ValDtls"];
    totals["IgstVal"] = json!(18000.0);
    totals["CgstVal"] = json!(0);
    totals["SgstVal"] = json!(0);
    value.as_object_mut().unwrap().remove("EwbDtls");
    serde_json::from_value(value).unwrap()
}

#[tokio::test]
async fn registers_reads_and_cancels_an_invoice() {
    let sandbox = irp::spawn().await.unwrap();
    let client = client(&sandbox);

    let buyer = client.get_gstin_details(BUYER).await.unwrap();
    assert_eq!(buyer.data.gstin, BUYER);

    let number = "TAX/2022/0001";
    let registered = client.generate_irn(&invoice(number)).await.unwrap();
    let expected = compute_irn(seed::GSTIN, "INV", number, "16/09/2022").unwrap();
    assert_eq!(registered.data.irn, expected.as_str());
    assert_eq!(sandbox.sandbox().irn_count(), 1);

    let again = client
        .get_irn_details(&IrnRequest {
            irn: registered.data.irn.clone(),
            sup_gstin: None,
            irp: None,
        })
        .await
        .unwrap();
    assert_eq!(again.data.ack_no, registered.data.ack_no);

    // A `/` in the document number travels percent-encoded in the query.
    let by_doc = client
        .get_irn_by_doc_details(&IrnByDocDetailsRequest {
            doctype: DocumentType::Invoice,
            docnum: number.into(),
            docdate: NaiveDate::from_ymd_opt(2022, 9, 16).unwrap(),
        })
        .await
        .unwrap();
    assert_eq!(by_doc.data.irn, registered.data.irn);

    // The signed invoice verifies with the sandbox's key.
    let signed = gst_irp::decode_signed_invoice(
        &registered.data.signed_invoice,
        Some(&sandbox.sandbox().public_key()),
    )
    .unwrap();
    assert_eq!(signed.irn, registered.data.irn);

    // The same document again is the caller's duplicate: 2150 with DUPIRN.
    let duplicate = client.generate_irn(&invoice(number)).await.unwrap_err();
    let refusal = duplicate.service_error().expect("a refusal");
    assert!(refusal.has_code("2150"), "{duplicate}");
    assert_eq!(refusal.duplicate_irn().unwrap().irn, registered.data.irn);

    let cancelled = client
        .cancel_irn(&CancelIrnRequest {
            irn: registered.data.irn.clone(),
            cnl_rsn: CancelReason::DataEntryMistake,
            cnl_rem: "Wrong entry".into(),
        })
        .await
        .unwrap();
    assert_eq!(cancelled.data.irn, registered.data.irn);
    // One login served every call.
    assert_eq!(sandbox.sandbox().session_count(), 1);
}

#[tokio::test]
async fn an_invoice_that_breaks_a_rule_is_not_sent() {
    let sandbox = irp::spawn().await.unwrap();
    let client = client(&sandbox);
    let mut bad = invoice("TAX/2022/0002");
    bad.val_dtls.ass_val = rust_decimal::Decimal::ONE;
    let e = client.generate_irn(&bad).await.unwrap_err();
    let refusal = e.service_error().expect("the validation report");
    assert!(refusal.has_code("2182"), "{e}");
    assert_eq!(sandbox.sandbox().irn_count(), 0);
    assert_eq!(sandbox.sandbox().session_count(), 0, "nothing was sent");
}

#[tokio::test]
async fn a_token_the_irp_no_longer_accepts_is_renewed_once() {
    let sandbox = irp::spawn().await.unwrap();
    let client = client(&sandbox);
    client.get_gstin_details(BUYER).await.unwrap();
    // The IRP's clock passes the token's expiry; the client's has not.
    sandbox
        .sandbox()
        .advance_clock(Duration::from_secs(7 * 3600));
    assert_eq!(sandbox.sandbox().session_count(), 0, "the token expired");
    let details = client.get_gstin_details(seed::GSTIN).await.unwrap();
    assert_eq!(details.data.gstin, seed::GSTIN);
    assert_eq!(sandbox.sandbox().session_count(), 1, "logged in again");
    assert!(client.is_logged_in().await);
}

#[tokio::test]
async fn bad_credentials_are_a_service_error() {
    let sandbox = irp::spawn().await.unwrap();
    let mut wrong = credentials();
    wrong.password = SecretString::from("not-the-password");
    let client = Client::builder(wrong, sandbox.sandbox().public_key())
        .base_url(sandbox.base_url())
        .build()
        .unwrap();
    let e = client.login(false).await.unwrap_err();
    assert!(e.service_error().is_some(), "{e}");
    assert!(!e.to_string().contains("not-the-password"), "{e}");
    assert!(!client.is_logged_in().await);
}

/// 40 registrations through a sandbox that resets a third of the
/// connections after committing: every invoice the client reports
/// registered exists once, none twice, and every other call says that its
/// outcome is unknown (or that it was not sent).
#[tokio::test]
async fn lost_replies_never_register_an_invoice_twice() {
    let faults = FaultConfig {
        kinds: vec![FaultKind::ResetAfterCommit, FaultKind::Malformed],
        ..FaultConfig::new(0.33).seed(11)
    };
    let sandbox = irp::spawn_with(irp::Config {
        faults: Some(faults),
        ..irp::Config::default()
    })
    .await
    .unwrap();
    let client = client(&sandbox);
    let (mut registered, mut unknown, mut found_by_dupirn) = (Vec::new(), 0, 0);
    for n in 0..40 {
        let number = format!("LOSS/{n}");
        match client.generate_irn(&invoice(&number)).await {
            Ok(reply) => {
                if reply
                    .info
                    .iter()
                    .any(|i| matches!(i, Info::DuplicateIrn(_)))
                {
                    found_by_dupirn += 1;
                }
                registered.push(reply.data.irn);
            }
            Err(
                Error::OutcomeUnknown { .. } | Error::Unsent { .. } | Error::Unavailable { .. },
            ) => unknown += 1,
            Err(other) => panic!("{number}: {other}"),
        }
    }
    let stats = sandbox.sandbox().fault_stats().unwrap();
    println!(
        "registered {}, of which found by DUPIRN {found_by_dupirn}; outcome unknown {unknown}; IRNs stored {}; {stats:?}",
        registered.len(),
        sandbox.sandbox().irn_count()
    );
    let mut distinct = registered.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        registered.len(),
        "an IRN was returned twice"
    );
    for irn in &registered {
        assert!(
            sandbox.sandbox().irn_status(irn).is_some(),
            "{irn} is not registered"
        );
    }
    // The sandbox holds at most one IRN per document (its own invariant),
    // and no more than were reported plus the unknown outcomes.
    assert!(sandbox.sandbox().irn_count() <= registered.len() + unknown);
    assert!(
        registered.len() >= 20,
        "only {} of 40 registered",
        registered.len()
    );
    assert!(
        found_by_dupirn > 0,
        "no lost reply was recovered through DUPIRN"
    );
}

/// The e-way bill endpoints (one of them on the e-way bill system's own
/// envelope), SyncGstin and GetRejectedIrns through the typed client.
#[tokio::test]
async fn e_way_bills_sync_and_rejected_irns() {
    use gst_irp::enums::{EwbCancelReason, IrnStatus, TransportMode, VehicleType};

    let sandbox = irp::spawn().await.unwrap();
    let client = client(&sandbox);
    let synced = client.sync_gstin(BUYER).await.unwrap();
    assert_eq!(synced.data.gstin, BUYER);

    let irn = client
        .generate_irn(&invoice("EWB/2022/0001"))
        .await
        .unwrap()
        .data
        .irn;
    let ewb = client
        .generate_ewb_by_irn(&EwbByIrnRequest {
            irn: irn.clone(),
            distance: 0,
            trans_mode: Some(TransportMode::Road),
            trans_id: None,
            trans_name: None,
            trans_doc_no: None,
            trans_doc_dt: None,
            veh_no: Some("KA01AB1234".into()),
            veh_type: Some(VehicleType::Regular),
            exp_ship_dtls: None,
            disp_dtls: None,
        })
        .await
        .unwrap();
    // Distance 0: the IRP computes it and says so in InfoDtls.
    assert!(
        ewb.info.iter().any(|i| matches!(i, Info::EwbDistance(_))),
        "{:?}",
        ewb.info
    );
    let found = client
        .get_ewb_by_irn(&EwbByIrnLookup { irn: irn.clone() })
        .await
        .unwrap();
    assert_eq!(found.data.ewb_no, ewb.data.ewb_no);
    assert_eq!(found.data.status, IrnStatus::Active);

    // An IRN with an active e-way bill cannot be cancelled (2230) ...
    let cancel = CancelIrnRequest {
        irn: irn.clone(),
        cnl_rsn: CancelReason::OrderCancelled,
        cnl_rem: "Order cancelled".into(),
    };
    let refused = client.cancel_irn(&cancel).await.unwrap_err();
    assert!(
        refused.service_error().unwrap().has_code("2230"),
        "{refused}"
    );
    // ... until the e-way bill is cancelled on its own envelope.
    let cancelled = client
        .cancel_ewb(&CancelEwbRequest {
            ewb_no: ewb.data.ewb_no,
            cancel_rsn_code: EwbCancelReason::OrderCancelled,
            cancel_rmrk: "Order cancelled".into(),
        })
        .await
        .unwrap();
    assert_eq!(cancelled.data.eway_bill_no, ewb.data.ewb_no);
    client.cancel_irn(&cancel).await.unwrap();

    let day = NaiveDate::from_ymd_opt(2022, 9, 16).unwrap();
    let none = client
        .get_rejected_irns(&RejectedIrnsRequest {
            date: day,
            sup_gstin: None,
        })
        .await
        .unwrap();
    assert!(none.data.is_empty());
    sandbox.sandbox().add_rejected_irn(seed::GSTIN, day, &irn);
    let rejected = client
        .get_rejected_irns(&RejectedIrnsRequest {
            date: day,
            sup_gstin: None,
        })
        .await
        .unwrap();
    assert_eq!(rejected.data, [irn]);
}

//! Keeps the `eapi_throughput` benchmark from rotting: its logic, with a few
//! pairs, for the generated client and raw reqwest (rsge-python is left to
//! the ignored interop test and the benchmark). No timing is asserted.

use taxsdk_tests::throughput::{self, Config, Variant};

#[test]
fn generated_and_raw_clients_send_the_same_invoice() {
    let typed = throughput::typed_invoice().unwrap();
    let request = rsge_eapi::models::SaveInvoiceRequest::new(typed).with_transaction_id("tx");
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        throughput::save_invoice_body(&throughput::invoice_json(), "tx"),
        "the generated client must send the raw baseline's body"
    );
}

#[test]
fn transaction_ids_are_unique_per_client_and_round() {
    let a = throughput::transaction_id(Variant::Generated.prefix(0), 7);
    let b = throughput::transaction_id(Variant::RawReqwest.prefix(0), 7);
    let c = throughput::transaction_id(Variant::Generated.prefix(1), 7);
    assert_eq!(a.len(), 36, "GUID-shaped: {a}");
    assert!(a != b && a != c && b != c);
}

#[test]
fn smoke_run_of_the_benchmark() {
    let config = Config {
        pairs: 3,
        rounds: 2,
        warmup: 1,
        python: Err("left to the benchmark".into()),
    };
    let report = throughput::run(&config).unwrap();
    let ran: Vec<Variant> = report.measurements.iter().map(|m| m.variant).collect();
    assert_eq!(ran, [Variant::Generated, Variant::RawReqwest]);
    for m in &report.measurements {
        assert_eq!(m.rounds.len(), 2);
        assert_eq!(m.pairs, 3);
    }
    // 2 clients x (1 warm-up + 2 rounds x 3) documents, all really saved.
    assert_eq!(report.documents, 2 * (1 + 2 * 3));
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].1, "not run: left to the benchmark");
    let table = throughput::markdown(&report);
    assert!(
        table.contains("| raw reqwest + hand-built JSON (baseline) | 3 | 2 |"),
        "{table}"
    );
    assert!(table.contains("1.00x"), "{table}");
}

//! Smoke test of the decode benchmark's input: the generated ListInvoices
//! reply (documented row shape and quirks) decodes into typed rows through
//! the client's decode path, with the quirks read correctly.

use rsge_eapi::endpoints::ListInvoices;
use rsge_eapi::enums::TransCostPayer;

#[test]
fn generated_rows_decode_through_the_client_path() {
    let body = taxsdk_tests::list_invoices::reply(200);
    let reply =
        taxsdk_runtime::client::decode_reply::<ListInvoices>(&rsge_eapi::SERVICE, 200, &body)
            .expect("decodes");
    let table = reply.data.expect("Data present");
    assert_eq!(table.len(), 200);
    let first = &table.rows[0];
    assert_eq!(first.id, Some(28_000));
    assert_eq!(first.inv_number, Some(74_000));
    assert_eq!(first.trans_cost_payer, Some(TransCostPayer::from_code(1)));
    assert_eq!(table.rows[2].trans_cost_payer, None);
    assert_eq!(
        first.amount_full.map(|d| d.to_string()).as_deref(),
        Some("100.00")
    );
    assert!(first.create_date.is_some());
    assert_eq!(reply.summary.and_then(|s| s.count), Some(200));
}

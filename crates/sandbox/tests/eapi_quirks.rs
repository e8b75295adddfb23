//! `Config::list_quirks`: ListInvoices written as the real service writes it
//! (the document's column lists, `28361.0`, `"74032"`, `"მყიდველი"`, `()`,
//! `_Count` as a float when filtered), and our client still reads it.

mod common;

use common::*;
use rsge_eapi::enums::*;
use rsge_eapi::models::*;
use rust_decimal::Decimal;
use serde_json::Value;
use taxsdk_runtime::serde_json;
use taxsdk_runtime::wire::DateRange;
use taxsdk_sandbox::eapi::{self, Config, RunningSandbox};

fn example_fields(name: &str) -> Vec<String> {
    let path = format!(
        "{}/../../spec/rsge-eapi/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let example: Value = serde_json::from_str(&text).unwrap();
    example["DATA"]["Data"]["Fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

async fn quirky() -> RunningSandbox {
    eapi::spawn_with(Config {
        list_quirks: true,
        ..Config::default()
    })
    .await
    .unwrap()
}

/// The raw reply of ListInvoices with `body`: (Fields, first row, _Count text).
async fn raw_list(
    sb: &RunningSandbox,
    token: &str,
    body: &str,
) -> (Vec<String>, Vec<Value>, String) {
    let (status, reply) = raw_post(sb, "/Invoice/ListInvoices", Some(token), body).await;
    assert!(status.contains("200"), "{status}: {reply}");
    let reply: Value = serde_json::from_str(&reply).unwrap();
    let table = &reply["DATA"]["Data"];
    let fields = table["Fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    let row = table["Rows"][0].as_array().cloned().unwrap_or_default();
    (fields, row, reply["DATA"]["Summary"]["_Count"].to_string())
}

fn cell<'a>(fields: &[String], row: &'a [Value], name: &str) -> &'a Value {
    let i = fields
        .iter()
        .position(|f| f == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    &row[i]
}

#[tokio::test]
async fn rows_have_the_documents_columns_and_value_shapes() {
    let sb = quirky().await;
    let seller = login(&sb, "tbilisi").await;
    let mut inv = invoice(SELLER_TIN, BUYER_TIN);
    inv.trans_cost_payer = Some(TransCostPayer::Buyer);
    inv.trans_driver_tin = Some(BUYER_TIN.into());
    let (id, number) = issue(&seller, inv).await;
    let token = token_of(&seller);

    let (fields, row, count) = raw_list(&sb, &token, r#"{"TYPE": 10}"#).await;
    assert_eq!(fields, example_fields("list-invoices.response.json"));
    assert_eq!(cell(&fields, &row, "ID").to_string(), format!("{id}.0"));
    assert_eq!(
        cell(&fields, &row, "INV_NUMBER"),
        &Value::String(number.to_string())
    );
    assert_eq!(cell(&fields, &row, "UNID_SELLER").to_string(), "731937.0");
    assert_eq!(cell(&fields, &row, "SUBUSER_ID_SELLER").to_string(), "0.0");
    assert_eq!(cell(&fields, &row, "SEQNUM_SELLER").to_string(), "0.0");
    assert_eq!(cell(&fields, &row, "ACTION").to_string(), "3.0");
    assert_eq!(cell(&fields, &row, "SELLER_ACTION").to_string(), "1.0");
    assert_eq!(cell(&fields, &row, "AMOUNT_FULL").to_string(), "1800.0");
    assert_eq!(cell(&fields, &row, "AMOUNT_VAT").to_string(), "274.58");
    assert_eq!(cell(&fields, &row, "CORRECT_REASON_ID").to_string(), "0.0");
    assert_eq!(cell(&fields, &row, "NEXT_CORRECTION_ID").to_string(), "0.0");
    assert_eq!(
        cell(&fields, &row, "TRANS_COST_PAYER"),
        &Value::String("მყიდველი".into())
    );
    assert_eq!(
        cell(&fields, &row, "TRANS_COMPANY"),
        &Value::String("()".into())
    );
    assert_eq!(
        cell(&fields, &row, "TRANS_DRIVER"),
        &Value::String("სატესტოk სატესტოk(12345678910)".into())
    );
    assert_eq!(cell(&fields, &row, "INV_COMMENT"), &Value::Null);
    assert_eq!(cell(&fields, &row, "PARENT_INV_NUMBER"), &Value::Null);
    assert_eq!(
        cell(&fields, &row, "BUYER"),
        &Value::String("სატესტოk სატესტოk(12345678910)".into())
    );
    assert_eq!(count, "1", "unfiltered: an integer");

    let (_, _, count) = raw_list(&sb, &token, r#"{"TYPE": 10, "INV_TYPE": "2,3"}"#).await;
    assert_eq!(count, "1.0", "filtered: a float");
}

#[tokio::test]
async fn advance_rows_have_the_documents_type_5_columns() {
    let sb = quirky().await;
    let seller = login(&sb, "tbilisi").await;
    let advance = Invoice {
        inv_category: Some(InvoiceCategory::Advance),
        inv_type: Some(InvoiceType::Advance),
        invoice_goods: Some(vec![line("ავანსი", 1, 200500)]),
        ..invoice(SELLER_TIN, BUYER_TIN)
    };
    let (id, _) = issue(&seller, advance).await;
    let body = r#"{"TIN_BUYER": "12345678910", "OPERATION_DATE": "01-04-2024:30-04-2024", "MAXIMUM_ROWS": 1, "TYPE": 5}"#;
    let (fields, row, count) = raw_list(&sb, &token_of(&seller), body).await;
    assert_eq!(fields, example_fields("list-invoices.type5.response.json"));
    assert_eq!(cell(&fields, &row, "ID").to_string(), format!("{id}.0"));
    assert_eq!(cell(&fields, &row, "AMOUNT_MAX").to_string(), "2005.0");
    assert_eq!(cell(&fields, &row, "INV_CATEGORY").to_string(), "4.0");
    assert_eq!(cell(&fields, &row, "UNID_BUYER").to_string(), "1149251.0");
    assert_eq!(
        cell(&fields, &row, "TIN_BUYER"),
        &Value::String(BUYER_TIN.into())
    );
    assert_eq!(count, "1.0");

    // Our client reads the quirky table.
    let typed = seller
        .list_invoices(&ListInvoicesRequest {
            type_: InvoiceListType::AdvancesWithBalance,
            tin_buyer: Some(BUYER_TIN.into()),
            operation_date: Some(DateRange::new(date(2024, 4, 1), date(2024, 4, 30))),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(typed.summary.unwrap().count, Some(1));
    let row = &typed.data.unwrap().rows[0];
    assert_eq!(row.id, Some(id));
    assert_eq!(row.amount_max, Some(Decimal::new(2005, 0)));
    assert_eq!(row.inv_category, Some(InvoiceCategory::Advance));
}

#[tokio::test]
async fn our_client_reads_quirky_rows() {
    let sb = quirky().await;
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await;
    let mut inv = invoice(SELLER_TIN, BUYER_TIN);
    inv.trans_cost_payer = Some(TransCostPayer::Seller);
    inv.trans_cost = Some(Decimal::new(1250, 2));
    let (id, number) = issue(&seller, inv).await;
    let draft = save_doc(&seller, invoice(SELLER_TIN, BUYER_TIN)).await;

    let list = seller
        .list_invoices(&ListInvoicesRequest {
            maximum_rows: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    let table = list.data.unwrap();
    assert!(table.unknown_columns().is_empty());
    assert_eq!(list.summary.unwrap().count, Some(2));
    let row = table.iter().find(|r| r.id == Some(id)).unwrap();
    assert_eq!(row.inv_number, Some(number));
    assert_eq!(row.trans_cost_payer, Some(TransCostPayer::Seller));
    assert_eq!(row.trans_cost, Some(Decimal::new(1250, 2)));
    assert_eq!(row.action, Some(3));
    assert_eq!(row.seller_action, Some(SellerAction::Sent));
    assert_eq!(row.amount_full, Some(Decimal::new(180000, 2)));
    assert_eq!(row.prev_correction_id, Some(0));
    assert_eq!(row.unid_seller, Some(731_937));
    // The document's columns do not include TIN_BUYER: it is not there.
    assert_eq!(row.tin_buyer, None);
    let saved = table.iter().find(|r| r.id == Some(draft)).unwrap();
    assert_eq!(saved.inv_number, None);
    assert_eq!(saved.seller_action, Some(SellerAction::Saved));

    // Filters still work, and the buyer's list reads the same way.
    let received = buyer
        .list_invoices(&ListInvoicesRequest {
            type_: InvoiceListType::Received,
            inv_type: Some("3".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(received.summary.unwrap().count, Some(1));
    assert_eq!(received.data.unwrap().rows[0].id, Some(id));

    // Error replies are not rewritten.
    let advances = seller
        .list_invoices(&ListInvoicesRequest {
            type_: InvoiceListType::AdvancesWithBalance,
            ..Default::default()
        })
        .await;
    assert_eq!(status_of(advances), (-2, 400));
    let (status, body) = raw_post(&sb, "/Invoice/ListInvoices", None, "{}").await;
    assert!(status.contains("401"), "{status}");
    assert!(body.contains(r#""ID":-104"#), "{body}");
}

#[tokio::test]
async fn without_quirks_rows_are_canonical() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let mut inv = invoice(SELLER_TIN, BUYER_TIN);
    inv.trans_cost_payer = Some(TransCostPayer::Buyer);
    let (id, number) = issue(&seller, inv).await;
    let (fields, row, count) =
        raw_list(&sb, &token_of(&seller), r#"{"TYPE": 10, "INV_TYPE": "3"}"#).await;
    assert!(fields.contains(&"TIN_BUYER".to_string()));
    assert_eq!(cell(&fields, &row, "ID").to_string(), id.to_string());
    // INV_NUMBER is a string in every list row (the spec's encoding too).
    assert_eq!(
        cell(&fields, &row, "INV_NUMBER"),
        &Value::String(number.to_string())
    );
    assert_eq!(cell(&fields, &row, "TRANS_COST_PAYER").to_string(), "1");
    assert_eq!(count, "1");
}

#[test]
fn probe() {
    let v = serde_json::json!({"INVOICE": {
        "ID": 0, "INV_CATEGORY": 1, "INV_TYPE": 3, "OPERATION_DATE": "10-04-2019 10:00:00",
        "TIN_SELLER": "206322102", "TIN_BUYER": "12345678910",
        "INVOICE_GOODS": [{"GOODS_NAME": "მაცივარი", "UNIT_ID": 1, "UNIT_TXT": "ცალი", "QUANTITY": 2, "UNIT_PRICE": 900, "AMOUNT": 1800, "VAT_AMOUNT": 274.58, "VAT_TYPE": 0}]
    }, "TransactionId": "x"});
    let r: rsge_eapi::models::SaveInvoiceRequest = serde_json::from_value(v.clone()).unwrap();
    let back = serde_json::to_value(&r).unwrap();
    println!("{}", serde_json::to_string_pretty(&back).unwrap());
    assert_eq!(back, v);
}

//! The invoice builder: exact amounts, the wire shape of the result, and
//! errors that name the field.

use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use rsge_eapi::enums::{
    CorrectReason, InvoiceCategory, InvoiceType, SellerAction, TransCostPayer, TransportType,
    VatType,
};
use rsge_eapi::models::{ActivateInvoiceRequest, Invoice, SaveInvoiceRequest};
use rsge_eapi::{GoodsLine, GoodsUnit, InvoiceBuildError, InvoiceBuilder, Tin};
use rust_decimal::Decimal;
use serde_json::json;

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn tin(text: &str) -> Tin {
    Tin::new(text).unwrap()
}

fn at(day: u32, hour: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2019, 4, day)
        .unwrap()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
}

/// The document's SaveInvoice example, rebuilt.
fn example() -> InvoiceBuilder {
    Invoice::builder()
        .category(InvoiceCategory::GoodsServices)
        .invoice_type(InvoiceType::WithTransport)
        .operation_date(at(10, 10))
        .seller(tin("206322102"))
        .buyer(tin("12345678910"))
        .transport_type(TransportType::Road)
        .transport_start_date(at(11, 13))
        .start_address("თბილისი")
        .end_address("რუსთავი")
        .driver(tin("12345678910"))
        .car_model("bmw")
        .car_number("ggg555")
        .transport_cost_payer(TransCostPayer::Seller)
        .comment("11")
        .add_line(
            GoodsLine::new(
                "მაცივარი",
                GoodsUnit::piece(),
                d("2.00"),
                d("900.00"),
                VatType::Standard,
            )
            .with_barcode("0001"),
        )
}

#[test]
fn builds_the_documents_example_with_exact_amounts() {
    let invoice = example()
        .add_goods(
            "მიკროტალღური",
            GoodsUnit::piece(),
            d("1"),
            d("450.00"),
            VatType::Standard,
        )
        .add_goods(
            "export service",
            GoodsUnit::other("საათი"),
            d("1.5"),
            d("33.333"),
            VatType::ZeroRated,
        )
        .add_goods(
            "medicine",
            GoodsUnit::new(2, "კგ"),
            d("3"),
            d("0.335"),
            VatType::Exempt,
        )
        .build()
        .unwrap();

    let goods = invoice.goods();
    assert_eq!(goods.len(), 4);
    let amounts: Vec<_> = goods
        .iter()
        .map(|g| (g.amount.unwrap(), g.vat_amount.unwrap()))
        .collect();
    assert_eq!(
        amounts,
        vec![
            (d("1800.00"), d("274.58")), // the document's figures
            (d("450.00"), d("68.64")),   // the document's figures
            (d("50.00"), d("0")),        // 1.5 × 33.333 = 49.9995
            (d("1.01"), d("0")),         // 1.005 rounds half-up
        ]
    );
    // Exact decimals: the scale is two places, not a float's approximation.
    assert_eq!(goods[0].vat_amount.unwrap().to_string(), "274.58");
    assert_eq!(goods[2].amount.unwrap().to_string(), "50.00");

    assert_eq!(invoice.id, 0);
    assert_eq!(invoice.seller_action, Some(SellerAction::Saved));
    assert_eq!(invoice.foreign_buyer, Some(false));

    let wire = serde_json::to_value(&invoice).unwrap();
    assert_eq!(wire["TIN_SELLER"], "206322102");
    assert_eq!(wire["TIN_BUYER"], "12345678910");
    assert_eq!(wire["OPERATION_DATE"], "10-04-2019 10:00:00");
    assert_eq!(wire["TRANS_START_DATE"], "11-04-2019 13:00:00");
    assert_eq!(wire["FOREIGN_BUYER"], "false");
    assert_eq!(wire["TRANS_DRIVER_FOREIGN"], "false");
    assert_eq!(wire["SELLER_ACTION"], 0);
    assert_eq!(wire["INVOICE_RETURN"], json!([]));
    assert_eq!(
        wire["INVOICE_GOODS"][0],
        json!({
            "ID": 0,
            "INVOICE_ID": 0,
            "GOODS_NAME": "მაცივარი",
            "BARCODE": "0001",
            "UNIT_ID": 1,
            "UNIT_TXT": "ცალი",
            "QUANTITY": d("2.00"),
            "UNIT_PRICE": d("900.00"),
            "AMOUNT": d("1800.00"),
            "VAT_AMOUNT": d("274.58"),
            "VAT_TYPE": 0,
        })
    );
    assert_eq!(wire["INVOICE_GOODS"][2]["UNIT_ID"], 99);
    assert_eq!(wire["INVOICE_GOODS"][2]["UNIT_TXT"], "საათი");
    // Output-only fields stay unset.
    assert!(wire.get("AMOUNT_FULL").is_none() && wire.get("BUYER_ACTION").is_none());

    // And it reads back to the same value.
    let back: Invoice = serde_json::from_value(wire).unwrap();
    assert_eq!(back, invoice);

    let save = SaveInvoiceRequest::new(invoice.clone());
    assert!(save.transaction_id.is_some());
    let activate = ActivateInvoiceRequest::save_and_activate(invoice);
    assert_eq!(
        activate.invoice.unwrap().seller_action,
        Some(SellerAction::Sent)
    );
}

fn error(builder: InvoiceBuilder) -> InvoiceBuildError {
    builder.build().unwrap_err()
}

#[test]
fn missing_fields_are_named() {
    let err = error(Invoice::builder());
    assert_eq!(err.field(), "INV_CATEGORY");
    assert_eq!(
        err.to_string(),
        "invoice field `INV_CATEGORY` is required: set it with `.category(..)`"
    );

    let err = error(Invoice::builder().category(InvoiceCategory::GoodsServices));
    assert_eq!(err.field(), "INV_TYPE");

    let err = error(
        Invoice::builder()
            .category(InvoiceCategory::GoodsServices)
            .invoice_type(InvoiceType::WithoutTransport),
    );
    assert_eq!(err.field(), "OPERATION_DATE");

    let err = error(
        Invoice::builder()
            .category(InvoiceCategory::GoodsServices)
            .invoice_type(InvoiceType::WithoutTransport)
            .operation_date(at(10, 10)),
    );
    assert_eq!(
        err,
        InvoiceBuildError::Missing {
            field: "TIN_SELLER".into(),
            setter: "seller",
        }
    );

    let err = error(
        Invoice::builder()
            .category(InvoiceCategory::GoodsServices)
            .invoice_type(InvoiceType::WithoutTransport)
            .operation_date(at(10, 10))
            .seller(tin("206322102")),
    );
    assert_eq!(err.field(), "INVOICE_GOODS");

    let err = error(example().transport_type(TransportType::Other));
    assert_eq!(err.field(), "TRANS_TYPE_TXT");
    example()
        .transport_type(TransportType::Other)
        .transport_type_text("donkey")
        .build()
        .unwrap();
}

#[test]
fn invalid_goods_lines_are_named_with_their_index() {
    let line = |quantity: &str, price: &str| {
        example().add_goods(
            "x",
            GoodsUnit::piece(),
            d(quantity),
            d(price),
            VatType::Standard,
        )
    };
    let err = error(line("0", "1"));
    assert_eq!(err.field(), "INVOICE_GOODS[1].QUANTITY");
    assert_eq!(
        err.to_string(),
        "invoice field `INVOICE_GOODS[1].QUANTITY` is invalid: must be greater than 0, got 0"
    );
    assert_eq!(error(line("-2", "1")).field(), "INVOICE_GOODS[1].QUANTITY");
    let err = error(line("1", "-0.01"));
    assert_eq!(err.field(), "INVOICE_GOODS[1].UNIT_PRICE");
    assert!(err.to_string().contains("-0.01"), "{err}");
    line("1", "0").build().unwrap();

    let err = error(example().add_goods(" ", GoodsUnit::piece(), d("1"), d("1"), VatType::Exempt));
    assert_eq!(err.field(), "INVOICE_GOODS[1].GOODS_NAME");

    let err =
        error(example().add_goods("x", GoodsUnit::other(""), d("1"), d("1"), VatType::Exempt));
    assert_eq!(err.field(), "INVOICE_GOODS[1].UNIT_TXT");

    let err =
        error(example().add_goods("x", GoodsUnit::piece(), d("1"), d("1"), VatType::Unknown(7)));
    assert_eq!(err.field(), "INVOICE_GOODS[1].VAT_TYPE");
    assert!(err.to_string().contains("code 7"), "{err}");

    let err = error(example().add_goods(
        "x",
        GoodsUnit::piece(),
        Decimal::MAX,
        d("10"),
        VatType::Standard,
    ));
    assert_eq!(err.field(), "INVOICE_GOODS[1].AMOUNT");
}

#[test]
fn the_documents_rules_are_checked() {
    let err = error(example().buyer(tin("206322102")));
    assert_eq!(err.field(), "TIN_BUYER");
    assert!(err.to_string().contains("-200"), "{err}");

    let err = error(example().carrier(tin("12345678910")));
    assert_eq!(err.field(), "TRANS_COMPANY_TIN");
    assert!(err.to_string().contains("-202"), "{err}");

    let err = error(example().category(InvoiceCategory::Advance));
    assert_eq!(err.field(), "INV_TYPE");

    let err = error(example().distribution_parent(7000));
    assert_eq!(err.field(), "INV_TYPE");
    example()
        .invoice_type(InvoiceType::WithoutTransport)
        .distribution_parent(7000)
        .build()
        .unwrap();

    let err = error(example().foreign_driver("  "));
    assert_eq!(err.field(), "TRANS_DRIVER_TIN");

    let err = error(example().transport_cost(d("-1")));
    assert_eq!(err.field(), "TRANS_COST");

    let err = error(example().foreign_buyer(""));
    assert_eq!(err.field(), "TIN_BUYER");
    let foreign = example().foreign_buyer("AB1234567").build().unwrap();
    assert_eq!(foreign.tin_buyer.as_deref(), Some("AB1234567"));
    assert_eq!(foreign.foreign_buyer, Some(true));
}

#[test]
fn advances_and_corrections_relax_what_is_required() {
    // An advance document: category and type both Advance, no goods needed.
    let advance = Invoice::builder()
        .category(InvoiceCategory::Advance)
        .invoice_type(InvoiceType::Advance)
        .operation_date(at(10, 10))
        .seller(tin("206322102"))
        .buyer(tin("12345678910"))
        .build()
        .unwrap();
    assert_eq!(advance.goods().len(), 0);

    // A correction: category, type and operation date come from the corrected document.
    let correction = Invoice::builder()
        .correction_of(7558, CorrectReason::CompensationChanged)
        .seller(tin("206322102"))
        .buyer(tin("12345678910"))
        .add_goods(
            "მაცივარი",
            GoodsUnit::piece(),
            d("2"),
            d("850"),
            VatType::Standard,
        )
        .build()
        .unwrap();
    assert_eq!(correction.prev_correction_id, Some(7558));
    let wire = serde_json::to_value(&correction).unwrap();
    assert_eq!(wire["CORRECT_REASON_ID"], 3);
    assert!(wire.get("INV_CATEGORY").is_none() && wire.get("OPERATION_DATE").is_none());
    assert_eq!(correction.goods()[0].vat_amount, Some(d("259.32")));
}

/// The builder takes checked `Tin`s: a bad number fails where it is parsed,
/// naming the value and the rule, before any document exists; the built
/// document carries the `Tin`s and writes them as plain strings.
#[test]
fn parties_are_checked_tins() {
    for bad in ["12", "20632210x", "", "2063221020"] {
        let err = bad.parse::<Tin>().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("TIN `{bad}` must be 9 or 11 digits")
        );
        assert_eq!(err.value(), bad);
    }
    let invoice = example().carrier(tin("204000001")).build().unwrap();
    assert_eq!(invoice.tin_seller, Some(tin("206322102")));
    assert_eq!(invoice.trans_company_tin, Some(tin("204000001")));
    // TIN_BUYER stays text (a foreign buyer's id is no Georgian TIN).
    assert_eq!(invoice.tin_buyer.as_deref(), Some("12345678910"));
    let wire = serde_json::to_value(&invoice).unwrap();
    assert_eq!(wire["TIN_SELLER"], "206322102");
    assert_eq!(wire["TRANS_COMPANY_TIN"], "204000001");

    // A document read back with a malformed TIN does not decode: the error
    // names the value.
    let mut text = wire.clone();
    text["TIN_SELLER"] = json!("20632");
    let err = serde_json::from_value::<Invoice>(text).unwrap_err();
    assert!(
        err.to_string()
            .contains("TIN `20632` must be 9 or 11 digits"),
        "{err}"
    );
}

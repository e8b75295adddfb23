//! The excise catalogue and the organisations' barcode catalogues:
//! ListExcise, ListBarCodes, GetBarCode, ClearBarCodes, barcodes learned
//! from goods lines, excise goods lines, and durability with a data file.

mod common;

use std::net::SocketAddr;

use common::*;
use rsge_eapi::enums::*;
use rsge_eapi::models::*;
use rust_decimal::Decimal;
use taxsdk_runtime::wire::DateRange;
use taxsdk_sandbox::eapi::{self, Config, Sandbox};

fn all_excise() -> ListExciseRequest {
    ListExciseRequest {
        maximum_rows: 0,
        ..Default::default()
    }
}

fn all_barcodes() -> ListBarCodesRequest {
    ListBarCodesRequest {
        maximum_rows: 0,
        ..Default::default()
    }
}

fn codes(reply: &ListBarCodesResponse) -> Vec<String> {
    reply
        .data
        .as_ref()
        .unwrap()
        .iter()
        .map(|r| r.barcode.clone().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn list_excise_answers_the_catalogue_with_its_filters() {
    let sb = eapi::spawn().await.unwrap();
    let c = login(&sb, "tbilisi").await;

    let all = c.list_excise(&all_excise()).await.unwrap();
    let table = all.data.unwrap();
    // The document's column list, "EXCISE_CODE " with its trailing space.
    assert_eq!(
        table.fields,
        [
            "ID",
            "PRODUCT_NAME",
            "UNIT_ID",
            "UNIT_TEXT",
            "EXCISE_CODE ",
            "EXCISE_RATE",
            "END_DATE",
            "EFFECT_DATE",
            "EFFECT_DATE_MONTH",
            "END_DATE_NVL"
        ]
    );
    assert_eq!(all.summary.unwrap().count, Some(8));
    assert_eq!(table.len(), 8);
    // The document's first row, as printed.
    let first = &table.rows[0];
    assert_eq!(first.id, Some(224));
    assert_eq!(
        first.product_name.as_deref(),
        Some("ეთილის სპირტი (2207) _ ლიტრი _ (2.6)")
    );
    assert_eq!(
        (first.unit_id, first.unit_text.as_deref()),
        (Some(99), Some("ლიტრი"))
    );
    assert_eq!(first.excise_code, Some(2207));
    assert_eq!(first.excise_rate, Some(Decimal::new(26, 1)));
    assert_eq!(first.end_date, Some(date(2015, 2, 28)));
    assert_eq!(first.effect_date, Some(date(2010, 8, 1)));
    assert_eq!(first.effect_date_month, Some(date(2010, 8, 1)));
    assert_eq!(first.end_date_nvl, Some(date(2015, 2, 28)));
    // A rate in force has no END_DATE.
    let beer = table.iter().find(|r| r.excise_code == Some(2203)).unwrap();
    assert_eq!(beer.end_date, None);
    assert!(beer.end_date_nvl.is_some());

    // MAXIMUM_ROWS: absent = 10 (the model's default), 1 = one row.
    let default = c.list_excise(&ListExciseRequest::default()).await.unwrap();
    assert_eq!(default.data.unwrap().len(), 8);
    let one = c
        .list_excise(&ListExciseRequest {
            maximum_rows: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(one.data.unwrap().len(), 1);
    assert_eq!(one.summary.unwrap().count, Some(8));

    let whisky = c
        .list_excise(&ListExciseRequest {
            product_name: Some("ვისკი".into()),
            ..all_excise()
        })
        .await
        .unwrap();
    assert_eq!(whisky.data.unwrap().len(), 2);
    let old = c
        .list_excise(&ListExciseRequest {
            effect_date: Some(DateRange::new(date(2010, 1, 1), date(2014, 12, 31))),
            ..all_excise()
        })
        .await
        .unwrap();
    assert_eq!(
        old.data
            .unwrap()
            .iter()
            .map(|r| r.id.unwrap())
            .collect::<Vec<_>>(),
        [224, 226]
    );
    let ended = c
        .list_excise(&ListExciseRequest {
            end_date: Some(DateRange::new(date(2015, 1, 1), date(2015, 12, 31))),
            ..all_excise()
        })
        .await
        .unwrap();
    assert_eq!(ended.data.unwrap().len(), 2);
    assert_eq!(
        status_of(
            c.list_excise(&ListExciseRequest {
                maximum_rows: -1,
                ..Default::default()
            })
            .await
        ),
        (-2, 400)
    );
}

#[tokio::test]
async fn barcodes_are_per_organisation_with_filters() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await;

    let mine = seller.list_bar_codes(&all_barcodes()).await.unwrap();
    // The document's rows in its order, then its GetBarCode example.
    assert_eq!(codes(&mine), ["0001", "0003", "0002", "55"]);
    let table = mine.data.as_ref().unwrap();
    assert_eq!(
        table.fields,
        [
            "BARCODE",
            "GOODS_NAME",
            "UN_ID",
            "UNIT_ID",
            "UNIT_TXT",
            "VAT_TYPE",
            "VAT_TYPE_TXT",
            "UNIT_PRICE"
        ]
    );
    let fridge = &table.rows[0];
    assert_eq!(fridge.goods_name.as_deref(), Some("მაცივარი"));
    assert_eq!(fridge.un_id, Some(731_937));
    assert_eq!(fridge.vat_type, Some(VatType::Standard));
    assert_eq!(fridge.vat_type_txt.as_deref(), Some("ჩვეულებრივი"));
    assert_eq!(fridge.unit_price, Some(Decimal::new(900, 0)));
    assert_eq!(
        table.rows[1].goods_name.as_deref(),
        Some("მიკროტალღური "),
        "the document's trailing space"
    );
    assert_eq!(mine.summary.unwrap().count, Some(4));

    let theirs = buyer.list_bar_codes(&all_barcodes()).await.unwrap();
    assert_eq!(theirs.data.unwrap().len(), 2);

    let filter = |req: ListBarCodesRequest| {
        let seller = seller.clone();
        async move { codes(&seller.list_bar_codes(&req).await.unwrap()) }
    };
    assert_eq!(
        filter(ListBarCodesRequest {
            goods_name: Some("მიკრო".into()),
            ..all_barcodes()
        })
        .await,
        ["0003"]
    );
    assert_eq!(
        filter(ListBarCodesRequest {
            barcode: Some("000".into()),
            ..all_barcodes()
        })
        .await,
        ["0001", "0003", "0002"]
    );
    assert_eq!(
        filter(ListBarCodesRequest {
            unit_price: Some(Decimal::new(500, 0)),
            ..all_barcodes()
        })
        .await,
        ["0002"]
    );
    assert_eq!(
        filter(ListBarCodesRequest {
            unit_txt: Some("კგ".into()),
            ..all_barcodes()
        })
        .await,
        ["55"]
    );
    assert_eq!(
        filter(ListBarCodesRequest {
            vat_type_txt: Some("ნულოვანი".into()),
            ..all_barcodes()
        })
        .await,
        Vec::<String>::new()
    );
    let two = seller
        .list_bar_codes(&ListBarCodesRequest {
            maximum_rows: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(codes(&two), ["0001", "0003"]);
    assert_eq!(two.summary.unwrap().count, Some(4));

    // GetBarCode: the document's example; unknown gives an empty object.
    let known = seller
        .get_bar_code(&GetBarCodeRequest {
            bar_code: Some(" 55 ".into()),
        })
        .await
        .unwrap()
        .result
        .expect("a RESULT");
    assert_eq!(known.goods_name.as_deref(), Some("xaxvi"));
    assert_eq!(known.unit_id, Some(2));
    assert_eq!(known.unit_price, Some(Decimal::ONE));
    let unknown = seller
        .get_bar_code(&GetBarCodeRequest {
            bar_code: Some("4860001000017".into()),
        })
        .await
        .unwrap();
    assert_eq!(unknown.result, None, "another organisation's barcode");
    let (status, body) = raw_post(
        &sb,
        "/Invoice/GetBarCode",
        Some(&token_of(&seller)),
        r#"{"barCode": "nope"}"#,
    )
    .await;
    assert!(status.contains("200"), "{status}");
    assert!(body.contains(r#""DATA":{}"#), "{body}");
    assert_eq!(
        status_of(
            seller
                .get_bar_code(&GetBarCodeRequest { bar_code: None })
                .await
        ),
        (-2, 400)
    );
}

#[tokio::test]
async fn goods_lines_teach_barcodes_and_clear_bar_codes_clears_the_callers() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await;

    let mut inv = invoice(SELLER_TIN, BUYER_TIN);
    let mut chair = line("სკამი", 3, 4500);
    chair.barcode = Some("7777".into());
    let mut fridge = line("მაცივარი", 1, 95000);
    fridge.barcode = Some("0001".into());
    let plain = line("მომსახურება", 1, 1000);
    inv.invoice_goods = Some(vec![chair, fridge, plain]);
    save_doc(&seller, inv).await;

    let mine = seller.list_bar_codes(&all_barcodes()).await.unwrap();
    // New barcodes come last; a known one keeps its place, takes the new price.
    assert_eq!(codes(&mine), ["0001", "0003", "0002", "55", "7777"]);
    let rows = mine.data.unwrap();
    assert_eq!(rows.rows[0].unit_price, Some(Decimal::new(95000, 2)));
    assert_eq!(rows.rows[4].goods_name.as_deref(), Some("სკამი"));
    assert_eq!(rows.rows[4].unit_txt.as_deref(), Some("ცალი"));
    let learned = seller
        .get_bar_code(&GetBarCodeRequest {
            bar_code: Some("7777".into()),
        })
        .await
        .unwrap()
        .result
        .unwrap();
    assert_eq!(learned.unit_price, Some(Decimal::new(4500, 2)));
    // The buyer's catalogue learns nothing from documents it receives.
    assert_eq!(sb.sandbox().barcode_count(BUYER_TIN), 2);

    seller.clear_bar_codes().await.unwrap();
    assert!(
        seller
            .list_bar_codes(&all_barcodes())
            .await
            .unwrap()
            .data
            .unwrap()
            .is_empty()
    );
    assert_eq!(sb.sandbox().barcode_count(SELLER_TIN), 0);
    assert_eq!(sb.sandbox().barcode_count(BUYER_TIN), 2);
    // Clearing an empty catalogue is fine too.
    seller.clear_bar_codes().await.unwrap();
    assert_eq!(
        buyer
            .list_bar_codes(&all_barcodes())
            .await
            .unwrap()
            .data
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn excise_goods_lines_take_the_catalogue_rate() {
    let sb = eapi::spawn().await.unwrap();
    let seller = login(&sb, "tbilisi").await;

    let mut inv = invoice(SELLER_TIN, BUYER_TIN);
    let mut beer = line("ლუდი", 10, 300);
    beer.excise_id = Some(303); // 0.6 GEL per litre since 2017
    inv.invoice_goods = Some(vec![beer]);
    let id = save_doc(&seller, inv.clone()).await;
    let doc = fetch(&seller, id).await;
    let goods = doc.invoice_goods.unwrap();
    assert_eq!(goods[0].excise_unit_price, Some(Decimal::new(6, 1)));
    assert_eq!(goods[0].excise_amount, Some(Decimal::new(600, 2)));
    assert_eq!(doc.amount_excise, Some(Decimal::new(600, 2)));

    // An expired rate (the document's 224 ended in 2015) and an unknown id.
    for excise_id in [224, 999] {
        let mut bad = inv.clone();
        bad.invoice_goods.as_mut().unwrap()[0].excise_id = Some(excise_id);
        assert_eq!(
            status_of(seller.save_invoice(&save(bad, None)).await),
            (-2, 400),
            "EXCISE_ID {excise_id}"
        );
    }
    // Before it ended, 224 applies.
    let mut old = inv.clone();
    old.operation_date = Some(dt(2014, 6, 1));
    old.invoice_goods.as_mut().unwrap()[0].excise_id = Some(224);
    let id = save_doc(&seller, old).await;
    let doc = fetch(&seller, id).await;
    assert_eq!(doc.amount_excise, Some(Decimal::new(2600, 2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn barcode_catalogues_survive_a_restart_and_seeds_come_once() {
    let file = TempFile::new("barcodes");
    let start = || async {
        let sandbox = Sandbox::open(Config {
            data: Some(file.path().to_path_buf()),
            ..Config::default()
        })
        .expect("open the data file");
        eapi::serve(sandbox, SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("serve")
    };
    let sb = start().await;
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await;
    let mut inv = invoice(SELLER_TIN, BUYER_TIN);
    let mut chair = line("სკამი", 3, 4500);
    chair.barcode = Some("7777".into());
    inv.invoice_goods = Some(vec![chair]);
    save_doc(&seller, inv).await;
    buyer.clear_bar_codes().await.unwrap();
    sb.shutdown().await;

    let sb = start().await;
    let seller = login(&sb, "tbilisi").await;
    let buyer = login(&sb, "satesto2").await;
    assert_eq!(
        codes(&seller.list_bar_codes(&all_barcodes()).await.unwrap()),
        ["0001", "0003", "0002", "55", "7777"]
    );
    // Cleared stays cleared: the seeds are not applied again.
    assert!(
        buyer
            .list_bar_codes(&all_barcodes())
            .await
            .unwrap()
            .data
            .unwrap()
            .is_empty()
    );
    sb.shutdown().await;
}

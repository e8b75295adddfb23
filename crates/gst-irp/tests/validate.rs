//! `Invoice::validate()`, generated from the constraints and rules of
//! spec/gst-irp: the fact sheet's sample passes; each broken constraint is
//! reported at its JSON path with the code the portal answers.

use gst_irp::models::Invoice;
use gst_irp::validate::{Rule, Validate, Violation};
use serde_json::{Value, json};

const SAMPLE: &str = include_str!("../../../spec/gst-irp/examples/generate-irn.request.json");

fn sample() -> Value {
    serde_json::from_str(SAMPLE).expect("the sample is JSON")
}

/// The violations of the sample after `change`.
fn violations_after(change: impl FnOnce(&mut Value)) -> Vec<Violation> {
    let mut value = sample();
    change(&mut value);
    let invoice: Invoice = serde_json::from_value(value).expect("still decodes");
    invoice
        .validate()
        .map(|()| Vec::new())
        .unwrap_or_else(|v| v.list().to_vec())
}

/// Asserts that one of `found` is at `path` with `code`.
fn has(found: &[Violation], path: &str, code: i64) {
    assert!(
        found.iter().any(|v| v.path == path && v.code == code),
        "expected {code} at {path}: {found:#?}"
    );
}

/// Asserts exactly one violation, at `path` with `code`; returns it.
fn only(found: Vec<Violation>, path: &str, code: i64) -> Violation {
    assert_eq!(
        found.len(),
        1,
        "expected one violation at {path}: {found:#?}"
    );
    let v = found.into_iter().next().unwrap_or_else(|| unreachable!());
    assert_eq!((v.path.as_str(), v.code), (path, code), "{v}");
    v
}

#[test]
fn the_fact_sheets_sample_is_valid() {
    assert_eq!(violations_after(|_| {}), vec![]);
}

#[test]
fn field_constraints_answer_2140_at_their_path() {
    type Change = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(&str, Change)> = vec![
        (
            "SellerDtls.LglNm",
            Box::new(|v| v["SellerDtls"]["LglNm"] = json!("AB")),
        ),
        (
            "SellerDtls.LglNm",
            Box::new(|v| v["SellerDtls"]["LglNm"] = json!("A \"quoted\" name")),
        ),
        (
            "SellerDtls.Gstin",
            Box::new(|v| v["SellerDtls"]["Gstin"] = json!("02ambpg7773m002")),
        ),
        (
            "SellerDtls.Pin",
            Box::new(|v| v["SellerDtls"]["Pin"] = json!(99999)),
        ),
        (
            "SellerDtls.Stcd",
            Box::new(|v| v["SellerDtls"]["Stcd"] = json!("00")),
        ),
        (
            "DocDtls.No",
            Box::new(|v| v["DocDtls"]["No"] = json!("0INV-1")),
        ),
        (
            "DocDtls.No",
            Box::new(|v| v["DocDtls"]["No"] = json!("SINV-CFY-000678912")),
        ),
        (
            "BuyerDtls.Gstin",
            Box::new(|v| v["BuyerDtls"]["Gstin"] = json!("URX")),
        ),
        (
            "ItemList[0].SlNo",
            Box::new(|v| v["ItemList"][0]["SlNo"] = json!("1234567")),
        ),
        (
            "ItemList[0].PrdDesc",
            Box::new(|v| v["ItemList"][0]["PrdDesc"] = json!("ab")),
        ),
        (
            "ItemList[0].Qty",
            Box::new(|v| v["ItemList"][0]["Qty"] = json!(-1)),
        ),
        (
            "ItemList[0].GstRt",
            Box::new(|v| v["ItemList"][0]["GstRt"] = json!(1000)),
        ),
        (
            "ValDtls.RndOffAmt",
            Box::new(|v| v["ValDtls"]["RndOffAmt"] = json!(100)),
        ),
        (
            "EwbDtls.VehNo",
            Box::new(|v| v["EwbDtls"]["VehNo"] = json!("GJ 07")),
        ),
        (
            "EwbDtls.Distance",
            Box::new(|v| v["EwbDtls"]["Distance"] = json!(4001)),
        ),
        ("Version", Box::new(|v| v["Version"] = json!("1.1.1.1.1"))),
    ];
    for (path, change) in cases {
        has(&violations_after(change), path, 2140);
    }
}

#[test]
fn an_hsn_code_of_zeros_is_2176() {
    for bad in ["0000", "00000000", "12345"] {
        let found = violations_after(|v| v["ItemList"][0]["HsnCd"] = json!(bad));
        only(found, "ItemList[0].HsnCd", 2176);
    }
}

#[test]
fn items_are_one_to_a_thousand_with_unique_serial_numbers() {
    // (The totals no longer add up either: 2182, 2189.)
    has(
        &violations_after(|v| v["ItemList"] = json!([])),
        "ItemList",
        2140,
    );
    let found = violations_after(|v| {
        let item = v["ItemList"][0].clone();
        v["ItemList"]
            .as_array_mut()
            .unwrap_or_else(|| unreachable!())
            .push(item);
    });
    // The copy repeats SlNo 1 and doubles the totals (2182, 2189).
    assert!(
        found
            .iter()
            .any(|x| x.path == "ItemList[1].SlNo" && x.rule == Rule::Unique("SlNo"))
    );
}

#[test]
fn goods_need_quantity_and_unit() {
    let found = violations_after(|v| {
        let item = v["ItemList"][0]
            .as_object_mut()
            .unwrap_or_else(|| unreachable!());
        item.remove("Qty");
        item.remove("Unit");
    });
    let paths: Vec<&str> = found.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["ItemList[0].Qty", "ItemList[0].Unit"], "{found:#?}");
    // A service needs neither.
    let found = violations_after(|v| {
        v["ItemList"][0]["IsServc"] = json!("Y");
        v["ItemList"][0]["HsnCd"] = json!("998313");
        v.as_object_mut()
            .unwrap_or_else(|| unreachable!())
            .remove("EwbDtls");
        let item = v["ItemList"][0]
            .as_object_mut()
            .unwrap_or_else(|| unreachable!());
        item.remove("Qty");
        item.remove("Unit");
    });
    assert_eq!(found, vec![]);
}

#[test]
fn assessable_amount_is_total_less_discount_2193() {
    let v = only(
        violations_after(|v| v["ItemList"][0]["Discount"] = json!(100)),
        "ItemList[0].AssAmt",
        2193,
    );
    assert!(v.to_string().contains("AssAmt = TotAmt - Discount"), "{v}");
}

#[test]
fn invoice_totals_2182_and_2189() {
    let found = violations_after(|v| v["ValDtls"]["AssVal"] = json!(99999));
    only(found, "ValDtls.AssVal", 2182);
    // TotInvVal may be off by up to 1.
    assert_eq!(
        violations_after(|v| v["ValDtls"]["TotInvVal"] = json!(118000.99)),
        vec![]
    );
    only(
        violations_after(|v| v["ValDtls"]["TotInvVal"] = json!(118001.5)),
        "ValDtls.TotInvVal",
        2189,
    );
}

#[test]
fn igst_on_an_intra_state_supply_is_2172_unless_igst_on_intra() {
    let with_igst = |v: &mut Value| {
        let item = &mut v["ItemList"][0];
        item["IgstAmt"] = json!(18000.0);
        item["CgstAmt"] = json!(0);
        item["SgstAmt"] = json!(0);
        v["ValDtls"]["IgstVal"] = json!(18000.0);
        v["ValDtls"]["CgstVal"] = json!(0);
        v["ValDtls"]["SgstVal"] = json!(0);
    };
    let v = only(violations_after(with_igst), "ItemList[0].IgstAmt", 2172);
    assert!(v.to_string().contains("intra-state"), "{v}");
    let found = violations_after(|v| {
        with_igst(v);
        v["TranDtls"]["IgstOnIntra"] = json!("Y");
    });
    assert_eq!(found, vec![]);
}

#[test]
fn e_way_bills_only_for_goods_invoices_4010() {
    let found = violations_after(|v| v["DocDtls"]["Typ"] = json!("CRN"));
    only(found, "EwbDtls", 4010);
}

#[test]
fn codes_are_read_in_any_case_and_unknown_ones_refused() {
    assert_eq!(
        violations_after(|v| v["TranDtls"]["SupTyp"] = json!("b2b")),
        vec![]
    );
    let v = only(
        violations_after(|v| v["TranDtls"]["SupTyp"] = json!("B2X")),
        "TranDtls.SupTyp",
        2140,
    );
    assert_eq!(v.rule, Rule::UnknownCode);
}

#[test]
fn state_codes_follow_the_gstin_and_exports_go_abroad() {
    // (State 3 is not the place of supply 02 any more, so CGST/SGST are
    // refused as well.)
    has(
        &violations_after(|v| v["SellerDtls"]["Stcd"] = json!("3")),
        "SellerDtls.Stcd",
        2140,
    );
    let found = violations_after(|v| v["TranDtls"]["SupTyp"] = json!("EXPWP"));
    let paths: Vec<&str> = found.iter().map(|v| v.path.as_str()).collect();
    for expected in [
        "BuyerDtls.Gstin",
        "BuyerDtls.Pos",
        "BuyerDtls.Stcd",
        "BuyerDtls.Pin",
    ] {
        assert!(paths.contains(&expected), "{expected}: {found:#?}");
    }
    has(
        &violations_after(|v| {
            v["TranDtls"]["SupTyp"] = json!("DEXP");
            v["TranDtls"]["RegRev"] = json!("Y");
        }),
        "TranDtls.RegRev",
        2140,
    );
    assert_eq!(
        violations_after(|v| v["TranDtls"]["RegRev"] = json!("Y")),
        vec![]
    );
}

#[test]
fn every_violation_is_reported_at_once() {
    let found = violations_after(|v| {
        v["SellerDtls"]["LglNm"] = json!("AB");
        v["ItemList"][0]["Discount"] = json!(1);
        v["ItemList"][0]["HsnCd"] = json!("0000");
    });
    let codes: Vec<i64> = found.iter().map(|v| v.code).collect();
    assert!(
        codes.contains(&2140) && codes.contains(&2193) && codes.contains(&2176),
        "{found:#?}"
    );
}

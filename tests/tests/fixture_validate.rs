//! The generated `validate()` of the fixture spec (tests/fixtures/full):
//! every kind of constraint and rule the format has, each shown failing with
//! its path, rule and code, and a clean document passing.

use taxsdk_fixture::enums::{ItemKind, UnitCode};
use taxsdk_fixture::models::{Item, ListItemsResponse};
use taxsdk_runtime::rust_decimal::Decimal;
use taxsdk_runtime::validate::{Rule, Validate, Violation};

fn item(id: i64) -> Item {
    let mut item: Item = serde_json::from_value(serde_json::json!({
        "ID": id, "NAME": "Apples", "PRICE": 3, "QUANTITY": "4", "DISCOUNT": 0, "COUNT32": 1
    }))
    .expect("a valid item");
    item.kind = ItemKind::Goods;
    item
}

fn response(rows: Vec<Item>) -> ListItemsResponse {
    serde_json::from_value(serde_json::json!({ "Rows": rows })).expect("a valid response")
}

fn violations(value: &impl Validate) -> Vec<Violation> {
    value
        .validate()
        .map(|()| Vec::new())
        .unwrap_or_else(|v| v.list().to_vec())
}

/// The single violation at `path`.
fn at<'a>(found: &'a [Violation], path: &str) -> &'a Violation {
    let matching: Vec<&Violation> = found.iter().filter(|v| v.path == path).collect();
    assert_eq!(matching.len(), 1, "one violation at {path}: {found:#?}");
    matching[0]
}

#[test]
fn a_clean_document_passes() {
    let doc = response(vec![item(1), item(2)]);
    assert_eq!(violations(&doc), vec![], "{:?}", doc.validate());
}

#[test]
fn field_constraints_report_path_rule_value_and_code() {
    let mut bad = item(1);
    bad.name = "A \"quoted\" name that is far too long for forty chars".into();
    bad.quantity = Some(Decimal::new(10000006, 1));
    bad.count32 = Some(0);
    bad.tags = Some(vec!["a".into(); 4]);
    bad.type_ = Some("XX".into());
    bad.unit = Some(UnitCode::Piece);
    // Keep rule 904 (DISCOUNT = PRICE - QUANTITY + COUNT32) true.
    bad.discount = Decimal::new(3, 0) - Decimal::new(10000006, 1);
    let found = violations(&bad);

    let name: Vec<&Violation> = found.iter().filter(|v| v.path == "NAME").collect();
    assert_eq!(name.len(), 2, "{found:#?}");
    assert!(matches!(
        name[0].rule,
        Rule::Length {
            min: Some(1),
            max: Some(40),
            found: 52
        }
    ));
    assert_eq!(name[1].rule, Rule::Pattern("^[^\"]*$"));
    assert_eq!(name[1].code, 900);

    let quantity = at(&found, "QUANTITY");
    assert_eq!(quantity.value.as_deref(), Some("1000000.6"));
    assert_eq!(
        quantity.to_string(),
        "QUANTITY = \"1000000.6\" must be 0 to 1000000.5 (code 900)"
    );
    assert_eq!(
        at(&found, "COUNT32").rule,
        Rule::Range {
            min: Some("1"),
            max: None
        }
    );
    assert!(matches!(
        at(&found, "TAGS").rule,
        Rule::Items { found: 4, .. }
    ));
    assert_eq!(at(&found, "type").rule, Rule::NotPattern("^X+$"));
    // Conditional presence has its own code (error_code: 901).
    let note = at(&found, "NOTE");
    assert_eq!(
        note.rule,
        Rule::RequiredWhen {
            field: "Unit",
            equals: "PC"
        }
    );
    assert_eq!(note.code, 901);
    assert!(found.iter().all(|v| v.path != "DISCOUNT"), "{found:#?}");
    assert_eq!(found.len(), 7, "{found:#?}");
}

#[test]
fn unknown_codes_and_case_insensitive_enums() {
    let mut bad = item(1);
    bad.kind = ItemKind::Unknown(7);
    bad.unit = Some(UnitCode::from_code("pc"));
    bad.note = Some("given".into());
    assert_eq!(bad.unit, Some(UnitCode::Piece), "read in any case");
    let found = violations(&bad);
    let kind = at(&found, "KIND");
    assert_eq!(
        (kind.rule.clone(), kind.value.as_deref()),
        (Rule::UnknownCode, Some("7"))
    );
    assert_eq!(
        UnitCode::from_code("zz"),
        UnitCode::Unknown("zz".into()),
        "unknown codes keep their spelling"
    );
}

#[test]
fn arithmetic_rules_sum_lists_and_treat_absent_numbers_as_zero() {
    let mut off = item(1);
    off.discount = Decimal::new(5, 0); // 3 - 4 + 1 = 0
    let found = violations(&off);
    let rule = at(&found, "DISCOUNT");
    assert_eq!(rule.code, 904);
    assert_eq!(
        rule.to_string(),
        "DISCOUNT breaks DISCOUNT = PRICE - QUANTITY + COUNT32: 5 against 0 (code 904)"
    );
    let mut absent = item(1);
    absent.quantity = None;
    absent.count32 = None;
    absent.discount = Decimal::new(3, 0);
    assert_eq!(violations(&absent), vec![]);

    // 902 on the response: sum(PRICE) = sum(QUANTITY) - sum(COUNT32), within 0.01.
    let mut rows = vec![item(1), item(2)];
    rows[1].price = Decimal::new(301, 2); // 6.01 against 6: within the tolerance
    rows[1].discount = Decimal::new(1, 2);
    assert_eq!(violations(&response(rows.clone())), vec![]);
    rows[1].price = Decimal::new(302, 2); // 6.02 against 6: outside it
    rows[1].discount = Decimal::new(2, 2);
    let found = violations(&response(rows));
    let rule = at(&found, "");
    assert_eq!(rule.code, 902);
    assert!(
        rule.to_string()
            .starts_with("(document) breaks sum(Rows.PRICE)"),
        "{rule}"
    );
}

#[test]
fn list_rules_and_hand_written_checks_point_at_the_element() {
    let mut rows = vec![item(3), item(3), item(2)];
    for r in &mut rows {
        r.price = Decimal::ZERO;
        r.discount = Decimal::ZERO;
        r.quantity = Some(Decimal::ONE);
        r.count32 = Some(1);
    }
    let found = violations(&response(rows));
    let repeat = found
        .iter()
        .find(|v| v.rule == Rule::Unique("ID"))
        .expect("the repeated ID");
    assert_eq!((repeat.path.as_str(), repeat.code), ("Rows[1].ID", 900));
    let order = at(&found, "Rows[2].ID");
    assert_eq!((order.code, order.value.as_deref()), (903, Some("2")));
    // Nested items are checked at their index.
    let mut rows = vec![item(1), item(2)];
    rows[1].name = String::new();
    let found = violations(&response(rows));
    assert!(matches!(
        at(&found, "Rows[1].NAME").rule,
        Rule::Length { found: 0, .. }
    ));
}

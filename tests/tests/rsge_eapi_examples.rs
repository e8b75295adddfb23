//! Every documented eAPI example decodes into its typed model without fields
//! unknown to the spec, and encodes back to the documented JSON (or its
//! recorded `reencoded` form).

#[test]
fn every_example_round_trips() {
    let spec = taxsdk_tests::load("spec/rsge-eapi");
    let mut checker = taxsdk_tests::ExampleChecker::new(&spec, &rsge_eapi::SERVICE);
    rsge_eapi::endpoints::visit(&mut checker);
    assert!(
        checker.failures.is_empty(),
        "{} of {} examples fail:\n{}",
        checker.failures.len(),
        spec.examples.len(),
        checker.failures.join("\n")
    );
    assert_eq!(checker.checked.len(), spec.examples.len());
}

#[test]
fn spec_covers_all_26_endpoints() {
    let spec = taxsdk_tests::load("spec/rsge-eapi");
    let paths: Vec<&str> = spec.endpoints.iter().map(|e| e.path.as_str()).collect();
    for path in [
        "/Users/Authenticate",
        "/Users/AuthenticatePin",
        "/Users/SignOut",
        "/Org/GetVatPayerStatus",
        "/Org/GetOrgInfoByTin",
        "/Common/GetUnits",
        "/Common/GetTransactionResult",
        "/Invoice/GetActions",
        "/Invoice/GetInvoice",
        "/Invoice/SaveInvoice",
        "/Invoice/ActivateInvoice",
        "/Invoice/ActivateInvoices",
        "/Invoice/DeleteInvoice",
        "/Invoice/CancelInvoice",
        "/Invoice/RefuseInvoice",
        "/Invoice/RefuseInvoices",
        "/Invoice/ConfirmInvoice",
        "/Invoice/ConfirmInvoices",
        "/Invoice/ListInvoices",
        "/Invoice/ListGoods",
        "/Invoice/ListExcise",
        "/Invoice/ListBarCodes",
        "/Invoice/GetBarCode",
        "/Invoice/ClearBarCodes",
        "/Invoice/GetSeqNum",
        "/Invoice/CreateDecl",
    ] {
        assert!(
            paths.iter().any(|p| p.eq_ignore_ascii_case(path)),
            "{path} missing"
        );
    }
    assert_eq!(spec.endpoints.len(), 26);
}

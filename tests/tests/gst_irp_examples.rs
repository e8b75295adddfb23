//! Every documented IRP example (decrypted payloads; replies in their
//! `{Status, Data, ErrorDetails, InfoDtls}` envelope) decodes into its typed
//! model without fields unknown to the spec and encodes back to the
//! documented JSON (or its recorded `reencoded` form).

#[test]
fn every_example_round_trips() {
    let spec = taxsdk_tests::load("spec/gst-irp");
    let mut checker = taxsdk_tests::ExampleChecker::new(&spec, &gst_irp::SERVICE);
    gst_irp::endpoints::visit(&mut checker);
    assert!(
        checker.failures.is_empty(),
        "{} of {} examples fail:\n{}",
        checker.failures.len(),
        spec.examples.len(),
        checker.failures.join("\n")
    );
    assert_eq!(checker.checked.len(), spec.examples.len());
}

//! Interop: the Python library gst_irn (PyPI `gst-e-invoicing`, pinned to
//! 0.9.0) against the IRP sandbox. Ignored by default: it needs `python3`
//! and PyPI.
//!
//! `cargo test -p taxsdk-tests --test interop_gst_irn -- --ignored --nocapture`
//!
//! Creates (or reuses) the virtualenv `target/interop-gst-irn-venv`,
//! installs gst-e-invoicing into it, spawns a sandbox on 127.0.0.1, writes
//! its public key to a PEM file (gst_irn's `Session` takes the PEM text;
//! the script reads the file) and runs `tests/interop/gst_irn_scenario.py`,
//! which drives the sandbox through gst_irn's `Session` and prints what each
//! call gave. Skips (passes, saying why) when `python3` is missing or pip
//! cannot reach PyPI.

use gst_irp::compute_irn;
use serde_json::{Value, json};
use taxsdk_sandbox::irp::{self, seed};
use taxsdk_tests::venv::{Setup, Venv, run_script};

/// The gst_irn the scenario is written against.
const GST_IRN_REQUIREMENT: &str = "gst-e-invoicing==0.9.0";
/// The buyer of the invoice: Maharashtra, in the seeded registry.
const BUYER: &str = "27AABCS1429B1ZU";
/// The invoice's number; the `/` travels percent-encoded in GetIrnByDocDetails.
const DOC_NO: &str = "PY/IRN/0001";
/// The date of the spec's example, which the scenario keeps.
const DOC_DATE: &str = "16/09/2022";

fn step<'a>(report: &'a Value, name: &str) -> &'a Value {
    let step = &report["steps"][name];
    assert!(step.is_object(), "no step {name} in {report:#}");
    step
}

fn success<'a>(report: &'a Value, name: &str) -> &'a Value {
    let step = step(report, name);
    assert_eq!(step["ok"], true, "{name} should succeed: {step:#}");
    &step["value"]
}

/// gst_irn's `RequestError("action failed", body)`: an IRP reply with
/// Status 0; returns the body's InfoDtls.
fn request_error<'a>(report: &'a Value, name: &str, code: &str) -> &'a Value {
    let step = step(report, name);
    assert_eq!(step["ok"], false, "{name} is expected to fail: {step:#}");
    let error = &step["error"];
    assert_eq!(error["type"], "RequestError", "{name}: {error:#}");
    assert_eq!(error["message"], "action failed", "{name}: {error:#}");
    assert_eq!(error["codes"], json!([code]), "{name}: {error:#}");
    &error["info"]
}

/// A registration as the IRP answers it: 15-digit AckNo, `yyyy-MM-dd
/// HH:mm:00` AckDt, both JWTs, no e-way bill.
fn assert_registration(value: &Value, irn: &str, status: &str) {
    assert_eq!(value["Irn"], irn, "{value:#}");
    assert_eq!(value["Status"], status, "{value:#}");
    let ack_no = value["AckNo"].as_i64().unwrap_or_default();
    assert_eq!(ack_no.to_string().len(), 15, "{value:#}");
    let ack_dt = value["AckDt"].as_str().unwrap_or_default();
    assert!(is_date_time(ack_dt) && ack_dt.ends_with(":00"), "{value:#}");
    assert_eq!(value["has_signed_invoice"], true, "{value:#}");
    assert_eq!(value["has_signed_qr_code"], true, "{value:#}");
    assert_eq!(value["EwbNo"], Value::Null, "{value:#}");
    // Every documented member is there, null ones included (the model
    // writes nulls: spec `nulls: write`).
    assert_eq!(value["absent"], json!([]), "{value:#}");
}

/// `yyyy-MM-dd HH:mm:ss`.
fn is_date_time(text: &str) -> bool {
    let shape = text
        .bytes()
        .map(|b| if b.is_ascii_digit() { b'9' } else { b });
    shape.eq("9999-99-99 99:99:99".bytes())
}

#[test]
#[ignore = "needs python3 and PyPI (pip install gst-e-invoicing into target/interop-gst-irn-venv)"]
fn gst_irn_against_the_irp_sandbox() {
    let venv = Venv::new("interop-gst-irn-venv");
    let python = match venv.ensure(&[GST_IRN_REQUIREMENT], "gst_irn, jwt") {
        Ok(python) => python,
        Err(Setup::Skip(why)) => {
            println!("SKIPPED: gst_irn interop not run: {why}");
            return;
        }
        Err(Setup::Fail(why)) => panic!("{why}"),
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime.block_on(irp::spawn()).unwrap();
    let key_dir = std::env::temp_dir().join(format!("interop-gst-irn-{}", std::process::id()));
    std::fs::create_dir_all(&key_dir).unwrap();
    let key_file = key_dir.join("irp-public-key.pem");
    std::fs::write(&key_file, sandbox.sandbox().public_key_pem()).unwrap();

    let args: [(&str, &str); 9] = [
        ("--base-url", sandbox.base_url()),
        ("--public-key", key_file.to_str().unwrap()),
        ("--gstin", seed::GSTIN),
        ("--client-id", seed::CLIENT_ID),
        ("--client-secret", seed::CLIENT_SECRET),
        ("--username", seed::USER_NAME),
        ("--password", seed::PASSWORD),
        ("--buyer", BUYER),
        ("--doc-no", DOC_NO),
    ];
    let report = run_script(
        &python,
        "gst_irn_scenario.py",
        args.iter().flat_map(|(k, v)| [k, v]),
    );
    let _ = std::fs::remove_dir_all(&key_dir);
    let report = report.unwrap_or_else(|e| panic!("{e}"));
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
    assert_eq!(report["gst_irn"], "0.9.0");

    // Login: the token is cached, and gst_irn would re-use it (its
    // TokenExpiry parses as `%Y-%m-%d %H:%M:%S` and lies ahead).
    let login = success(&report, "generate_token");
    assert_eq!(login["has_token"], true, "{login:#}");
    assert!(is_date_time(
        login["token_expiry"].as_str().unwrap_or_default()
    ));
    assert_eq!(login["cache_valid"], true, "{login:#}");
    assert_eq!(
        request_error(&report, "generate_token_wrong_password", "1019"),
        &Value::Null
    );

    // GetGstinDetails: the seeded taxpayer, and gst_irn's to_buyer on it.
    let seeded = seed::default_gstins()
        .into_iter()
        .find(|g| g.gstin == BUYER)
        .unwrap();
    let info = success(&report, "get_gst_info");
    assert_eq!(info["Gstin"], BUYER);
    assert_eq!(info["TradeName"].as_str(), seeded.trade_name.as_deref());
    assert_eq!(info["LegalName"], seeded.legal_name.as_str());
    assert_eq!(info["AddrSt"].as_str(), seeded.addr_st.as_deref());
    assert_eq!(info["AddrLoc"].as_str(), seeded.addr_loc.as_deref());
    assert_eq!(info["AddrPncd"], seeded.pin);
    assert_eq!(info["StateCode"], 27);
    assert_eq!(info["TxpType"], seeded.txp_type.as_str());
    assert_eq!(info["Status"], seeded.status.code());
    assert_eq!(info["DtReg"], "2017-07-01");
    assert_eq!(info["AddrFlno"], Value::Null);
    assert_eq!(info["DtDReg"], Value::Null);
    // gst_irn's to_buyer indexes info["AddrFlno"], which the IRP sends as
    // null (spec/gst-irp/examples/get-gstin-details.response.json).
    let to_buyer = success(&report, "to_buyer");
    let expected = json!({
        "Gstin": BUYER,
        "LglNm": seeded.legal_name,
        "Pos": "27",
        "Addr1": "SANDBOX HOUSE, 1, TEST STREET",
        "Loc": "MUMBAI",
        "Pin": 400001,
        "Stcd": "27",
    });
    assert_eq!(*to_buyer, expected);
    // Ours (gst_irp::build::to_buyer) gives the same members, plus TrdNm.
    let details: gst_irp::models::GstinDetails = serde_json::from_value(info.clone()).unwrap();
    let mut ours = serde_json::to_value(gst_irp::build::to_buyer(&details, "27")).unwrap();
    let ours = ours.as_object_mut().unwrap();
    assert_eq!(ours.remove("TrdNm"), Some(json!(seeded.trade_name)));
    ours.retain(|_, v| !v.is_null());
    assert_eq!(Value::Object(ours.clone()), expected);

    // GenerateIrn: the IRN is SHA-256 of seller + FY + type + number.
    let irn = compute_irn(seed::GSTIN, "INV", DOC_NO, DOC_DATE).unwrap();
    let irn = irn.as_str();
    let generated = success(&report, "generate_e_invoice");
    assert_registration(generated, irn, "ACT");

    // The JWTs verify with PyJWT against the sandbox's key; the QR code renders.
    let signed = success(&report, "signed_invoice");
    assert_eq!(signed["iss"], "NIC");
    assert_eq!(signed["header"]["alg"], "RS256");
    assert_eq!(signed["data"]["Irn"], irn);
    assert_eq!(signed["data"]["AckNo"], generated["AckNo"]);
    assert_eq!(signed["data"]["DocDtls"]["No"], DOC_NO);
    assert_eq!(signed["data"]["BuyerDtls"]["Gstin"], BUYER);
    let qr = success(&report, "signed_qr_code");
    assert_eq!(qr["data"]["Irn"], irn);
    assert_eq!(qr["data"]["SellerGstin"], seed::GSTIN);
    assert_eq!(qr["data"]["BuyerGstin"], BUYER);
    assert_eq!(qr["data"]["MainHsnCode"], "61149090");
    assert_eq!(success(&report, "qr_code_image"), "data:image/png;base64,");

    // Read back by IRN and by document (same registration).
    for name in ["get_e_invoice_by_irn", "get_irn_by_doc_details"] {
        let again = success(&report, name);
        assert_registration(again, irn, "ACT");
        assert_eq!(again["AckNo"], generated["AckNo"], "{name}");
    }

    // The same document again: 2150 with the existing registration.
    let duplicate = json!([{
        "InfCd": "DUPIRN",
        "Desc": {"AckNo": generated["AckNo"], "AckDt": generated["AckDt"], "Irn": irn},
    }]);
    let info = request_error(&report, "generate_e_invoice_again", "2150");
    assert_eq!(info, &duplicate);

    // Cancel: the IRN and a `yyyy-MM-dd HH:mm:ss` date; then it reads CNL
    // and its number stays taken.
    let cancelled = success(&report, "cancel");
    assert_eq!(cancelled["Irn"], irn, "{cancelled:#}");
    assert!(is_date_time(
        cancelled["CancelDate"].as_str().unwrap_or_default()
    ));
    assert_registration(success(&report, "get_e_invoice_after_cancel"), irn, "CNL");
    let info = request_error(&report, "generate_e_invoice_after_cancel", "2150");
    assert_eq!(info, &duplicate);

    // The sandbox's own state agrees.
    assert_eq!(sandbox.sandbox().irn_count(), 1);
    assert_eq!(
        sandbox
            .sandbox()
            .irn_status(irn)
            .map(|s| s.code().to_string()),
        Some("CNL".to_string())
    );
    runtime.block_on(sandbox.shutdown());
}

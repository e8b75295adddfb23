//! Interop: the Python package `rsge-python` (PyPI, pinned to 1.1.0) against
//! the local eAPI sandbox. Ignored by default: it needs `python3` and PyPI.
//!
//! `cargo test -p taxsdk-tests --test interop_rsge_python -- --ignored --nocapture`
//!
//! Creates (or reuses) the virtualenv `target/interop-venv`, installs
//! rsge-python into it, spawns a sandbox and runs
//! `tests/interop/rsge_python_scenario.py`, which prints what each call gave.
//! What rsge-python 1.1.0 gets right is asserted as success; what it cannot
//! do is asserted as the exact failure it shows today, so that this test
//! documents reality (and fails when either side changes):
//!
//! - every non-2xx reply (the eAPI's business errors are HTTP 400, login
//!   errors HTTP 401) becomes `RSGeAPIError("HTTP error: 0", code=0)`: the
//!   service's STATUS is thrown away, and a wrong password is not the
//!   documented `RSGeAuthenticationError` (requests' `Response` is falsy
//!   for 4xx, so `exc.response.status_code` is never read);
//! - `get_invoice_status` calls `/Invoice/GetInvoiceStatus`, which the eAPI
//!   does not have;
//! - `list_invoices` crashes (`ValueError`) on the document's own
//!   ListInvoices row, whose TRANS_COST_PAYER holds the display text
//!   `"მყიდველი"`; the sandbox's rows carry numbers there, so that reply is
//!   served from the document's example by a canned loopback server;
//! - `save_invoice` sends VAT_AMOUNT 0 unless the caller fills it in (the
//!   document marks it OUT); the sandbox currently rejects that with -2, which
//!   the test accepts either way and prints.

use rsge_eapi::client::Client;
use rsge_eapi::models::{GetInvoiceRequest, GetOrgInfoByTinRequest};
use secrecy::SecretString;
use serde_json::Value;
use taxsdk_runtime::server::axum;
use taxsdk_tests::throughput::{self, SandboxHost};
use taxsdk_tests::venv::{self, Setup};
use taxsdk_tests::workspace_root;

/// Serve the document's example replies of Authenticate and ListInvoices on
/// the host's runtime; returns the base URL.
fn serve_document_examples(host: &SandboxHost) -> String {
    let examples = workspace_root().join("spec/rsge-eapi/examples");
    let read = |name: &str| {
        std::fs::read_to_string(examples.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let authenticate = read("authenticate.response.json");
    let list = read("list-invoices.response.json");
    let json = |body: String| {
        move || async move { ([("content-type", "application/json; charset=utf-8")], body) }
    };
    let router = axum::Router::new()
        .route(
            "/Users/Authenticate",
            axum::routing::post(json(authenticate)),
        )
        .route("/Invoice/ListInvoices", axum::routing::post(json(list)));
    let listener = host
        .runtime()
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    host.runtime()
        .spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

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

/// rsge-python's answer to every non-2xx reply: the HTTP status and the
/// service's STATUS are lost.
fn assert_http_error_zero(report: &Value, name: &str) {
    let step = step(report, name);
    assert_eq!(step["ok"], false, "{name} is expected to fail: {step:#}");
    let error = &step["error"];
    assert_eq!(error["type"], "RSGeAPIError", "{name}: {error}");
    assert_eq!(error["message"], "HTTP error: 0", "{name}: {error}");
    assert_eq!(error["code"], 0, "{name}: {error}");
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

#[test]
#[ignore = "needs python3 and PyPI (pip install rsge-python into target/interop-venv)"]
fn rsge_python_against_the_sandbox() {
    // As before, no PyPI fails this test (.ci/run runs it only when PyPI answers).
    let python = throughput::ensure_rsge_venv().unwrap_or_else(|e| match e {
        Setup::Skip(why) | Setup::Fail(why) => panic!("{why}"),
    });
    let host = SandboxHost::start().unwrap();
    let document_url = serve_document_examples(&host);
    let report = venv::run_script(
        &python,
        "rsge_python_scenario.py",
        [host.base_url(), document_url.as_str()],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
    assert_eq!(report["rsge_python"], "1.1.0");

    // The generated client, for cross-checks against the same sandbox.
    let rt = throughput::client_runtime().unwrap();
    let rust = Client::builder().base_url(host.base_url()).build().unwrap();
    let outcome = rt
        .block_on(rust.login("tbilisi", &SecretString::from("123456"), None))
        .unwrap();
    assert!(outcome.is_logged_in());

    // Wrong password: HTTP 401 with -100; rsge-python says "HTTP error: 0"
    // (an RSGeAPIError, not the documented RSGeAuthenticationError).
    assert_http_error_zero(&report, "authenticate_wrong_password");
    let raw = &step(&report, "authenticate_wrong_password")["raw"];
    assert_eq!(
        (raw["http_status"].as_i64(), raw["status_id"].as_i64()),
        (Some(401), Some(-100))
    );

    // Works: one-step login.
    let auth = success(&report, "authenticate");
    assert_eq!(auth["has_access_token"], true);
    assert_eq!(auth["needs_pin"], false);
    assert_eq!(auth["expires_in"], 2400);
    assert_eq!(auth["masked_mobile"], "*** *** *16");

    // Works: GetOrgInfoByTin, same answer as the generated client's.
    let org = success(&report, "get_org_info");
    let expected = rt
        .block_on(rust.get_org_info_by_tin(&GetOrgInfoByTinRequest {
            tin: throughput::SELLER_TIN.into(),
        }))
        .unwrap();
    assert_eq!(org["tin"], throughput::SELLER_TIN);
    assert_eq!(org["name"].as_str(), expected.name.as_deref());
    assert_eq!(org["is_vat_payer"], true);

    // Unknown TIN: HTTP 400 with -2; rsge-python loses both.
    assert_http_error_zero(&report, "get_org_info_unknown_tin");
    let raw = &step(&report, "get_org_info_unknown_tin")["raw"];
    assert_eq!(
        (raw["http_status"].as_i64(), raw["status_id"].as_i64()),
        (Some(400), Some(-2))
    );

    // rsge-python's invoice as built sends VAT_AMOUNT 0 (OUT in the document).
    let as_built = step(&report, "save_invoice_as_built");
    assert_eq!(as_built["sent_vat_amount"], 0);
    if as_built["ok"] == true {
        println!("NOTE: the sandbox accepts VAT_AMOUNT 0 now (treats it as OUT, as the document)");
    } else {
        assert_http_error_zero(&report, "save_invoice_as_built");
        let raw = &as_built["raw"];
        assert_eq!(
            (raw["http_status"].as_i64(), raw["status_id"].as_i64()),
            (Some(400), Some(-2))
        );
        println!(
            "NOTE: the sandbox rejects VAT_AMOUNT 0 with -2 (HTTP 400) although the document \
             marks VAT_AMOUNT as OUT; rsge-python reports it as \"HTTP error: 0\""
        );
    }

    // Works (with the line's VAT amount filled in): SaveInvoice under a
    // TransactionId, then GetTransactionResult.
    let txn = success(&report, "save_invoice")
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(txn.len(), 36, "a UUID: {txn}");
    let result = success(&report, "get_transaction_result");
    assert_eq!(result["transaction_id"], txn.as_str());
    let invoice_id = result["invoice_id"].as_i64().unwrap();
    assert!(invoice_id > 0);
    // The document's quirk, reproduced by the sandbox: INVOICE_ID as a string.
    assert_eq!(result["raw"]["INVOICE_ID"], invoice_id.to_string());

    // Works against the sandbox's rows: ListInvoices TYPE 10 shows it.
    let rows = success(&report, "list_invoices").as_array().unwrap();
    let row = rows
        .iter()
        .find(|r| r["id"] == invoice_id)
        .unwrap_or_else(|| panic!("invoice {invoice_id} not listed: {rows:#?}"));
    assert_eq!(row["tin_seller"], throughput::SELLER_TIN);
    assert_eq!(row["tin_buyer"], throughput::BUYER_TIN);
    assert_eq!(
        (row["inv_category"].as_i64(), row["inv_type"].as_i64()),
        (Some(1), Some(3))
    );
    assert_eq!(
        (row["seller_action"].as_i64(), row["buyer_action"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(number(&row["amount_full"]), 1800.0);
    assert_eq!(number(&row["amount_vat"]), 274.58);

    // Works: GetInvoice, same goods as the generated client reads.
    let invoice = success(&report, "get_invoice");
    assert_eq!(invoice["id"], invoice_id);
    assert_eq!(invoice["operation_date"], "10-04-2019 10:00:00");
    let goods = invoice["goods"].as_array().unwrap();
    assert_eq!(goods.len(), 1, "{invoice:#}");
    assert_eq!(goods[0]["goods_name"], "მაცივარი");
    assert_eq!(
        [
            &goods[0]["quantity"],
            &goods[0]["unit_price"],
            &goods[0]["amount"],
            &goods[0]["vat_amount"]
        ]
        .map(number),
        [2.0, 900.0, 1800.0, 274.58]
    );
    let typed = rt
        .block_on(rust.get_invoice(&GetInvoiceRequest::by_id(invoice_id)))
        .unwrap();
    let typed_goods = typed
        .invoice
        .and_then(|i| i.invoice_goods)
        .unwrap_or_default();
    assert_eq!(typed_goods.len(), 1);
    assert_eq!(typed_goods[0].goods_name.as_deref(), Some("მაცივარი"));

    // Cannot: GetInvoiceStatus is not an eAPI endpoint.
    assert_http_error_zero(&report, "get_invoice_status");
    let raw = &step(&report, "get_invoice_status")["raw"];
    assert_eq!(raw["http_status"], 404, "{raw}");

    // Cannot: decode the document's own ListInvoices row.
    assert_eq!(success(&report, "document_authenticate"), true);
    let crash = step(&report, "document_list_invoices");
    assert_eq!(crash["ok"], false, "{crash:#}");
    assert_eq!(crash["error"]["type"], "ValueError", "{crash:#}");
    assert_eq!(
        crash["error"]["message"],
        "invalid literal for int() with base 10: 'მყიდველი'"
    );

    assert_eq!(success(&report, "sign_out"), true);
    assert!(host.running().invoice_count() >= 1);
}

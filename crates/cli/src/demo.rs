//! `taxsdk demo`: one invoice through its whole life, against the embedded
//! eAPI sandbox, with the typed client. Prints each step.

use std::fmt::Display;

use rsge_eapi::client::Client;
use rsge_eapi::enums::{InvoiceCategory, InvoiceType, VatType};
use rsge_eapi::models::{
    ActivateInvoiceRequest, ConfirmInvoiceRequest, GetInvoiceRequest, GetOrgInfoByTinRequest,
    Invoice, ListInvoicesRequest, SaveInvoiceRequest,
};
use rsge_eapi::{DeviceInfo, GoodsUnit, LoginOutcome, SecretString, Tin};
use rust_decimal::Decimal;

/// The document's test accounts: the seller logs in with two factors.
const SELLER_USER: &str = "satesto2";
const SELLER_TIN: &str = "12345678910";
const BUYER_USER: &str = "tbilisi";
const BUYER_TIN: &str = "206322102";
const PASSWORD: &str = "123456";

/// Turn any error into the one-line message the CLI prints.
fn step<T, E: Display>(what: &str, result: Result<T, E>) -> Result<T, String> {
    result.map_err(|e| format!("{what}: {e}"))
}

pub async fn run() -> Result<(), String> {
    let sandbox = step("starting the sandbox", taxsdk_sandbox::eapi::spawn().await)?;
    println!("1. eAPI sandbox running at {}", sandbox.base_url());

    let connect = || {
        Client::builder()
            .base_url(sandbox.base_url())
            .build()
            .map_err(|e| format!("building the client: {e}"))
    };
    let seller = connect()?;
    let password = SecretString::from(PASSWORD);

    // Two-factor login: the sandbox "sends" the PIN to its log and lets us read it.
    let outcome = step(
        "seller login",
        seller.login(SELLER_USER, &password, None).await,
    )?;
    let LoginOutcome::PinRequired {
        pin_token,
        masked_mobile,
    } = outcome
    else {
        return Err(format!(
            "{SELLER_USER} should need a PIN, but logged in directly"
        ));
    };
    let pin = sandbox
        .last_pin(SELLER_USER)
        .ok_or("the sandbox did not issue a PIN")?;
    step(
        "seller PIN",
        seller
            .complete_login(&pin_token, &SecretString::from(pin), DeviceInfo::default())
            .await,
    )?;
    println!(
        "2. {SELLER_USER} logged in with two factors (PIN sent to {})",
        masked_mobile.as_deref().unwrap_or("the registered phone")
    );

    let buyer_tin = step("buyer TIN", Tin::new(BUYER_TIN))?;
    let org = step(
        "buyer lookup",
        seller
            .get_org_info_by_tin(&GetOrgInfoByTinRequest::new(&buyer_tin))
            .await,
    )?;
    println!(
        "3. buyer {buyer_tin}: {} (VAT payer: {})",
        org.name.as_deref().unwrap_or("?"),
        yes_no(org.is_vat_payer)
    );

    let today = chrono::Local::now().naive_local();
    let invoice = step(
        "building the invoice",
        Invoice::builder()
            .category(InvoiceCategory::GoodsServices)
            .invoice_type(InvoiceType::WithoutTransport)
            .operation_date(today)
            .seller(step("seller TIN", Tin::new(SELLER_TIN))?)
            .buyer(buyer_tin.clone())
            .add_goods(
                "საოფისე სკამი (office chair)",
                GoodsUnit::piece(),
                Decimal::from(2),
                Decimal::new(45000, 2),
                VatType::Standard,
            )
            .build(),
    )?;
    let saved = step(
        "saving",
        seller.save_invoice(&SaveInvoiceRequest::new(invoice)).await,
    )?;
    let id = saved.invoice_id.ok_or("SaveInvoice returned no id")?;
    println!("4. saved invoice {id} (2 x 450.00 GEL, VAT included)");

    let activated = step(
        "activating",
        seller
            .activate_invoice(&ActivateInvoiceRequest::saved(id))
            .await,
    )?;
    println!(
        "5. activated: number {}, seller status {}",
        show(activated.invoice_number),
        activated
            .seller_action
            .as_ref()
            .and_then(|a| a.label_en())
            .unwrap_or("?")
    );

    let list = step(
        "listing",
        seller.list_invoices(&ListInvoicesRequest::default()).await,
    )?;
    let total = list.summary.as_ref().and_then(|s| s.count);
    println!("6. the seller's list holds {} document(s):", show(total));
    for row in list.data.iter().flat_map(|t| t.iter()) {
        println!(
            "   id {:>6}  number {:>8}  {:>10} GEL  {}",
            show(row.id),
            show(row.inv_number),
            show(row.amount_full),
            row.seller_action_txt.as_deref().unwrap_or("")
        );
    }

    let buyer = connect()?;
    let outcome = step(
        "buyer login",
        buyer.login(BUYER_USER, &password, None).await,
    )?;
    if !outcome.is_logged_in() {
        return Err(format!("{BUYER_USER} should log in with one factor"));
    }
    let confirmed = step(
        "confirming",
        buyer.confirm_invoice(&ConfirmInvoiceRequest::new(id)).await,
    )?;
    println!(
        "7. {BUYER_USER} (the buyer) confirmed it: buyer status {}",
        confirmed
            .buyer_action
            .as_ref()
            .and_then(|a| a.label_en())
            .unwrap_or("?")
    );

    let document = step(
        "reading back",
        seller.get_invoice(&GetInvoiceRequest::by_id(id)).await,
    )?;
    let document = document.invoice.ok_or("GetInvoice returned no document")?;
    println!(
        "8. as the seller sees it now: {} | amount {} GEL, VAT {} GEL",
        document.status_txt_geo.as_deref().unwrap_or("?"),
        show(document.amount_full),
        show(document.amount_vat)
    );

    step("seller logout", seller.logout().await)?;
    step("buyer logout", buyer.logout().await)?;
    println!("9. both signed out; the sandbox stops with the demo. Done.");
    Ok(())
}

fn show<T: Display>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_string(), |v| v.to_string())
}

fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

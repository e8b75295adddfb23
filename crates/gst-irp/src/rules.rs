//! The INV-01 business rules that do not fit the spec's `equal`/`to` form,
//! by the names the spec's `check:` entries give (spec/gst-irp/
//! models-invoice.yaml says what each one checks, its code and its source).
//! The generated `validate()` calls them; each reports at the member whose
//! value breaks the rule.

use rust_decimal::Decimal;
use taxsdk_runtime::validate::{Path, Report, Rule};

use crate::enums::{DocumentType, SupplyType, YesNo};
use crate::gstin::State;
use crate::models::{Invoice, TranDtls};

/// A listed state's number ("9" and "09" are the same state).
fn state(code: &str) -> Option<u8> {
    State::from_code_str(code).map(|s| s.code)
}

fn is_export(supply: &SupplyType) -> bool {
    matches!(
        supply,
        SupplyType::ExportWithPayment | SupplyType::ExportWithoutPayment
    )
}

fn is_sez(supply: &SupplyType) -> bool {
    matches!(
        supply,
        SupplyType::SezWithPayment | SupplyType::SezWithoutPayment
    )
}

/// Intra-state: the place of supply is the seller's state.
fn intra_state(invoice: &Invoice) -> bool {
    let seller = state(&invoice.seller_dtls.stcd);
    seller.is_some() && seller == state(&invoice.buyer_dtls.pos)
}

fn non_zero(amount: Option<Decimal>) -> bool {
    amount.is_some_and(|a| !a.is_zero())
}

/// 2172: no IGST on an intra-state supply unless `IgstOnIntra` is Y.
pub(crate) fn igst_on_intra_state(invoice: &Invoice, path: &Path, report: &mut Report, code: i64) {
    let igst_allowed = invoice.tran_dtls.igst_on_intra == Some(YesNo::Yes)
        || is_export(&invoice.tran_dtls.sup_typ)
        || is_sez(&invoice.tran_dtls.sup_typ);
    if !intra_state(invoice) || igst_allowed {
        return;
    }
    for (index, item) in invoice.item_list.iter().enumerate() {
        if non_zero(item.igst_amt) {
            report.push(
                &path.field("ItemList").index(index).field("IgstAmt"),
                Rule::Check(format!(
                    "IGST is not applicable to an intra-state supply (item Sl. No {}; Pos {} is the seller's state)",
                    item.sl_no, invoice.buyer_dtls.pos
                )),
                item.igst_amt.map(|a| a.to_string()),
                code,
            );
        }
    }
}

/// Inter-state supplies, exports and SEZ supplies carry IGST, not CGST/SGST.
pub(crate) fn no_cgst_sgst_inter_state(
    invoice: &Invoice,
    path: &Path,
    report: &mut Report,
    code: i64,
) {
    let supply = &invoice.tran_dtls.sup_typ;
    if intra_state(invoice) && !is_export(supply) && !is_sez(supply) {
        return;
    }
    for (index, item) in invoice.item_list.iter().enumerate() {
        for (member, amount) in [("CgstAmt", item.cgst_amt), ("SgstAmt", item.sgst_amt)] {
            if non_zero(amount) {
                report.push(
                    &path.field("ItemList").index(index).field(member),
                    Rule::Check(format!(
                        "an inter-state, export or SEZ supply is taxed with IGST, not {member} (item Sl. No {})",
                        item.sl_no
                    )),
                    amount.map(|a| a.to_string()),
                    code,
                );
            }
        }
    }
}

/// A GSTIN's first two digits are its holder's state code.
pub(crate) fn gstin_state_matches(invoice: &Invoice, path: &Path, report: &mut Report, code: i64) {
    let mut check = |section: &str, gstin: &str, stcd: &str| {
        let prefix = gstin.get(..2).and_then(state);
        if prefix.is_some() && prefix != state(stcd) {
            report.push(
                &path.field(section).field("Stcd"),
                Rule::Check(format!(
                    "the state code must be the GSTIN's first two digits ({gstin})"
                )),
                Some(stcd.to_string()),
                code,
            );
        }
    };
    let seller = &invoice.seller_dtls;
    check("SellerDtls", &seller.gstin, &seller.stcd);
    let buyer = &invoice.buyer_dtls;
    if !is_export(&invoice.tran_dtls.sup_typ) && !buyer.gstin.eq_ignore_ascii_case("URP") {
        check("BuyerDtls", &buyer.gstin, &buyer.stcd);
    }
}

/// An export's buyer is unregistered and abroad: Gstin URP, Pos 96,
/// Stcd 96, Pin 999999.
pub(crate) fn export_buyer(invoice: &Invoice, path: &Path, report: &mut Report, code: i64) {
    if !is_export(&invoice.tran_dtls.sup_typ) {
        return;
    }
    let buyer = &invoice.buyer_dtls;
    let at = path.field("BuyerDtls");
    let mut expect = |member: &str, found: String, ok: bool, wanted: &str| {
        if !ok {
            report.push(
                &at.field(member),
                Rule::Check(format!("an export's buyer has {member} {wanted}")),
                Some(found),
                code,
            );
        }
    };
    expect(
        "Gstin",
        buyer.gstin.clone(),
        buyer.gstin.eq_ignore_ascii_case("URP"),
        "URP",
    );
    expect(
        "Pos",
        buyer.pos.clone(),
        state(&buyer.pos) == Some(96),
        "96",
    );
    expect(
        "Stcd",
        buyer.stcd.clone(),
        state(&buyer.stcd) == Some(96),
        "96",
    );
    let pin = buyer
        .pin
        .map_or_else(|| "(absent)".to_string(), |p| p.to_string());
    expect("Pin", pin, buyer.pin == Some(999_999), "999999");
}

/// 4010: e-way bill details only on an invoice with a goods item.
pub(crate) fn ewb_goods_invoice(invoice: &Invoice, path: &Path, report: &mut Report, code: i64) {
    if invoice.ewb_dtls.is_none() {
        return;
    }
    let why = if invoice.doc_dtls.typ != DocumentType::Invoice {
        Some(format!(
            "no e-way bill for a {} document",
            invoice.doc_dtls.typ.code()
        ))
    } else if !invoice.item_list.iter().any(|i| i.is_servc == YesNo::No) {
        Some("no e-way bill for a document with services only".to_string())
    } else {
        None
    };
    if let Some(why) = why {
        report.push(&path.field("EwbDtls"), Rule::Check(why), None, code);
    }
}

/// Reverse charge (RegRev Y) only for B2B and SEZ supplies.
pub(crate) fn reverse_charge_supply_type(
    tran: &TranDtls,
    path: &Path,
    report: &mut Report,
    code: i64,
) {
    let allowed = tran.sup_typ == SupplyType::B2b || is_sez(&tran.sup_typ);
    if tran.reg_rev == Some(YesNo::Yes) && !allowed {
        report.push(
            &path.field("RegRev"),
            Rule::Check(format!(
                "reverse charge applies only to B2B and SEZ supplies, not {}",
                tran.sup_typ.code()
            )),
            Some("Y".to_string()),
            code,
        );
    }
}

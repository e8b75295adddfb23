//! GenerateIrn, GetIrnDetails, GetIrnByDocDetails, CancelIrn and
//! GetRejectedIrns.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Timelike, Utc};
use gst_irp::enums::{DocumentType, GstinStatus, IrnStatus};
use gst_irp::models::{CancelIrnRequest, CancelIrnResponse, Invoice, IrnDetails};
use gst_irp::session::IST;
use gst_irp::validate::Validate;
use gst_irp::{DuplicateIrn, ErrorDetail, Gstin, Info, jwt};

use super::ewb;
use super::service::{Answer, Caller, decode_payload, success};
use super::state::{Registered, State};

/// Cancellation window of an IRN.
const CANCEL_WINDOW: TimeDelta = TimeDelta::hours(24);
/// GetIrnDetails answers for IRNs younger than this (2283 after).
const LOOKUP_WINDOW: TimeDelta = TimeDelta::days(2);

/// India time of `at`, to the second.
pub(crate) fn ist(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&IST).naive_local()
}

/// India time of `at` with the seconds zeroed (AckDt, EwbDt).
pub(crate) fn ist_minute(at: DateTime<Utc>) -> NaiveDateTime {
    let t = ist(at);
    t.with_second(0).unwrap_or(t)
}

/// The IRP's `yyyy-MM-dd HH:mm:ss`.
pub(crate) fn timestamp(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The message of a violation: where, what was found, what is wrong.
pub(crate) fn violation_message(v: &gst_irp::validate::Violation) -> String {
    let text = v.to_string();
    let suffix = format!(" (code {})", v.code);
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

/// `POST /eicore/v1.03/Invoice`.
pub(crate) fn generate(state: &mut State, caller: &Caller, body: &[u8]) -> Answer {
    const NAME: &str = "GenerateIrn";
    let mut invoice: Invoice = match decode_payload(NAME, caller, body) {
        Ok(invoice) => invoice,
        Err(answer) => return answer,
    };
    // Set by the IRP, never taken from the request.
    invoice.irn = None;
    if let Err(violations) = invoice.validate() {
        let errors = violations
            .list()
            .iter()
            .map(|v| ErrorDetail::new(v.code.to_string(), violation_message(v)))
            .collect();
        return Answer::refused(NAME, errors, &[]);
    }
    if let Err(errors) = check_parties(state, caller, &invoice) {
        return Answer::refused(NAME, errors, &[]);
    }
    let doc = &invoice.doc_dtls;
    let irn = match gst_irp::irn::compute_irn_for_date(
        &invoice.seller_dtls.gstin,
        doc.typ.code(),
        &doc.no,
        doc.dt,
    ) {
        Ok(irn) => irn.into_string(),
        Err(e) => return Answer::refuse(NAME, "2146", format!("Unable to create IRN: {e}")),
    };
    if let Some(existing) = state.irns.get(&irn) {
        let info = Info::DuplicateIrn(DuplicateIrn {
            ack_no: existing.ack_no,
            ack_dt: timestamp(existing.ack_dt),
            irn: existing.irn.clone(),
        });
        return Answer::refused(
            NAME,
            vec![ErrorDetail::new("2150", "Duplicate IRN")],
            &[info],
        );
    }

    let now = state.now();
    let ack_no = state.next_ack_no();
    let ack_dt = ist_minute(now);
    let (signed_invoice, signed_qr_code) = match sign(state, &invoice, &irn, ack_no, ack_dt) {
        Ok(signed) => signed,
        Err(message) => return Answer::refuse(NAME, "2147", message),
    };
    let mut registered = Registered {
        irn: irn.clone(),
        ack_no,
        ack_dt,
        generated: now,
        seller: invoice.seller_dtls.gstin.to_ascii_uppercase(),
        invoice,
        signed_invoice,
        signed_qr_code,
        cancelled: None,
        ewbs: Vec::new(),
    };
    // With EwbDtls the e-way bill comes too; its failure does not stop the
    // IRN (the errors go to InfoDtls EWBERR).
    let mut info = Vec::new();
    if let Some(details) = registered.invoice.ewb_dtls.clone() {
        let request = ewb::Transport::from_invoice(&details);
        match ewb::make(state, &registered, &request, now) {
            Ok((bill, distance)) => {
                if let Some(km) = distance {
                    info.push(Info::EwbDistance(format!("Pin-Pin calc distance: {km}KM")));
                }
                state.ewb_index.insert(bill.number, irn.clone());
                registered.ewbs.push(bill);
            }
            Err(errors) => info.push(Info::EwbErrors(errors)),
        }
    }
    let details = details_of(&registered);
    state.irns.insert(irn, registered);
    success(NAME, caller, &details, &info)
}

/// The seller is the caller, registered and active; a buyer GSTIN has a
/// valid check character and, when registered, is active.
fn check_parties(
    state: &State,
    caller: &Caller,
    invoice: &Invoice,
) -> Result<(), Vec<ErrorDetail>> {
    let seller = invoice.seller_dtls.gstin.trim().to_ascii_uppercase();
    if seller != caller.gstin {
        return Err(vec![ErrorDetail::new(
            "2143",
            format!(
                "Invoice does not belong to user GSTIN: SellerDtls.Gstin {seller} is not the GSTIN logged in ({})",
                caller.gstin
            ),
        )]);
    }
    let mut errors = Vec::new();
    let inactive = |status: &GstinStatus| *status != GstinStatus::Active;
    match state.registry.get(&seller) {
        None => errors.push(ErrorDetail::new(
            "3028",
            format!("GSTIN is invalid: seller {seller} is not registered"),
        )),
        Some(seed) if inactive(&seed.status) => errors.push(ErrorDetail::new(
            "3029",
            format!("GSTIN is inactive or cancelled: seller {seller}"),
        )),
        Some(_) => {}
    }
    let buyer = invoice.buyer_dtls.gstin.trim().to_ascii_uppercase();
    if buyer != "URP" {
        match (Gstin::new(&buyer), state.registry.get(&buyer)) {
            (Err(e), _) => errors.push(ErrorDetail::new(
                "3028",
                format!("GSTIN is invalid: buyer {e}"),
            )),
            (Ok(_), Some(seed)) if inactive(&seed.status) => errors.push(ErrorDetail::new(
                "3029",
                format!("GSTIN is inactive or cancelled: buyer {buyer}"),
            )),
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// SignedInvoice and SignedQRCode, as the IRP writes them.
fn sign(
    state: &State,
    invoice: &Invoice,
    irn: &str,
    ack_no: i64,
    ack_dt: NaiveDateTime,
) -> Result<(String, String), String> {
    let invoice_json =
        serde_json::to_string(invoice).map_err(|e| format!("Unable to sign: {e}"))?;
    // Struct order is kept by serializing the model itself; `{"SlNo":` can
    // only be an item's start (quotes inside strings are escaped).
    let body = invoice_json
        .strip_prefix('{')
        .unwrap_or(&invoice_json)
        .replace("{\"SlNo\":", "{\"ItemNo\":0,\"SlNo\":");
    let head = serde_json::json!({"AckNo": ack_no}).to_string();
    let data = format!(
        "{},\"AckDt\":\"{}\",\"Irn\":\"{irn}\",{body}",
        head.trim_end_matches('}'),
        timestamp(ack_dt)
    );
    let main_hsn = invoice
        .item_list
        .iter()
        .max_by_key(|item| item.ass_amt)
        .map(|item| item.hsn_cd.clone())
        .unwrap_or_default();
    let qr = jwt::SignedQrCode {
        seller_gstin: invoice.seller_dtls.gstin.clone(),
        buyer_gstin: invoice.buyer_dtls.gstin.clone(),
        doc_no: invoice.doc_dtls.no.clone(),
        doc_typ: invoice.doc_dtls.typ.code().to_string(),
        doc_dt: invoice.doc_dtls.dt,
        tot_inv_val: invoice.val_dtls.tot_inv_val,
        item_cnt: u32::try_from(invoice.item_list.len()).unwrap_or(u32::MAX),
        main_hsn_code: main_hsn,
        irn: irn.to_string(),
        irn_dt: ack_dt,
    };
    let qr_json = serde_json::to_string(&qr).map_err(|e| format!("Unable to sign: {e}"))?;
    let key = &state.config.key;
    let signed_invoice = jwt::sign(&data, key).map_err(|e| format!("Unable to sign: {e}"))?;
    let signed_qr = jwt::sign(&qr_json, key).map_err(|e| format!("Unable to sign: {e}"))?;
    Ok((signed_invoice, signed_qr))
}

/// The reply of GenerateIrn / GetIrnDetails for a registered IRN.
fn details_of(registered: &Registered) -> IrnDetails {
    let bill = registered.ewbs.last();
    IrnDetails {
        ack_no: registered.ack_no,
        ack_dt: registered.ack_dt,
        irn: registered.irn.clone(),
        signed_invoice: registered.signed_invoice.clone(),
        signed_qr_code: registered.signed_qr_code.clone(),
        status: if registered.cancelled.is_some() {
            IrnStatus::Cancelled
        } else {
            IrnStatus::Active
        },
        ewb_no: bill.map(|b| b.number),
        ewb_dt: bill.map(|b| b.date),
        ewb_valid_till: bill.and_then(|b| b.valid_till),
        remarks: None,
    }
}

/// An IRN of the caller's GSTIN, looked up as written (any case).
pub(crate) fn own<'a>(state: &'a State, caller: &Caller, irn: &str) -> Option<&'a Registered> {
    state
        .irns
        .get(&irn.trim().to_ascii_lowercase())
        .filter(|r| r.seller == caller.gstin)
}

fn answer_details(
    state: &State,
    caller: &Caller,
    name: &'static str,
    found: &Registered,
) -> Answer {
    if state.now() - found.generated > LOOKUP_WINDOW {
        return Answer::refuse(
            name,
            "2283",
            "IRN details cannot be provided as it is generated more than 2 days prior",
        );
    }
    success(name, caller, &details_of(found), &[])
}

/// `GET /eicore/v1.03/Invoice/irn/{irn}`.
pub(crate) fn by_irn(state: &State, caller: &Caller, irn: &str) -> Answer {
    const NAME: &str = "GetIrnDetails";
    match own(state, caller, irn) {
        Some(found) => answer_details(state, caller, NAME, found),
        None => Answer::refuse(NAME, "2148", "Requested IRN data is not available"),
    }
}

/// `GET /eicore/v1.03/Invoice/irnbydocdetails?doctype=&docnum=&docdate=`.
pub(crate) fn by_doc_details(state: &State, caller: &Caller, query: &[(String, String)]) -> Answer {
    const NAME: &str = "GetIrnByDocDetails";
    let param = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let (Some(doctype), Some(docnum), Some(docdate)) =
        (param("doctype"), param("docnum"), param("docdate"))
    else {
        return Answer::refuse(
            NAME,
            "2142",
            "Incomplete parameters: doctype, docnum and docdate are required",
        );
    };
    let typ = DocumentType::from_code(doctype);
    let Ok(date) = gst_irp::irn::parse_doc_date(docdate) else {
        return Answer::refuse(
            NAME,
            "2142",
            "Incomplete parameters: docdate must be dd/mm/yyyy",
        );
    };
    if let DocumentType::Unknown(_) = typ {
        return Answer::refuse(
            NAME,
            "2142",
            "Incomplete parameters: doctype must be INV, CRN or DBN",
        );
    }
    let found = gst_irp::irn::compute_irn_for_date(&caller.gstin, typ.code(), docnum, date)
        .ok()
        .and_then(|irn| own(state, caller, irn.as_str()))
        .filter(|r| r.invoice.doc_dtls.dt == date);
    match found {
        Some(found) => answer_details(state, caller, NAME, found),
        None => Answer::refuse(NAME, "2154", "IRN details are not found"),
    }
}

/// `POST /eicore/v1.03/Invoice/Cancel`.
pub(crate) fn cancel(state: &mut State, caller: &Caller, body: &[u8]) -> Answer {
    const NAME: &str = "CancelIrn";
    let request: CancelIrnRequest = match decode_payload(NAME, caller, body) {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    if let Err(violations) = request.validate() {
        let errors = violations
            .list()
            .iter()
            .map(|v| ErrorDetail::new(v.code.to_string(), violation_message(v)))
            .collect();
        return Answer::refused(NAME, errors, &[]);
    }
    let now = state.now();
    let irn = request.irn.trim().to_ascii_lowercase();
    let Some(found) = own(state, caller, &irn) else {
        return Answer::refuse(NAME, "2148", "Requested IRN data is not available");
    };
    if found.cancelled.is_some() {
        return Answer::refuse(NAME, "9999", "Invoice is not active");
    }
    if now - found.generated > CANCEL_WINDOW {
        return Answer::refuse(
            NAME,
            "2270",
            "The allowed cancellation time limit is crossed, you cannot cancel the IRN",
        );
    }
    if let Some(bill) = found.active_ewb() {
        return Answer::refuse(
            NAME,
            "2230",
            format!(
                "This IRN cannot be cancelled because e-way bill {} is active for it",
                bill.number
            ),
        );
    }
    let cancel_date = ist(now);
    if let Some(found) = state.irns.get_mut(&irn) {
        found.cancelled = Some(cancel_date);
    }
    let reply = CancelIrnResponse { irn, cancel_date };
    success(NAME, caller, &reply, &[])
}

/// `GET /eicore/v1.03/Invoice/rejectedirns?date=dd/mm/yyyy`.
pub(crate) fn rejected(state: &State, caller: &Caller, query: &[(String, String)]) -> Answer {
    const NAME: &str = "GetRejectedIrns";
    let date = query
        .iter()
        .find(|(n, _)| n == "date")
        .and_then(|(_, v)| NaiveDate::parse_from_str(v.trim(), "%d/%m/%Y").ok());
    let Some(date) = date else {
        return Answer::refuse(
            NAME,
            "2142",
            "Incomplete parameters: date must be dd/mm/yyyy",
        );
    };
    let irns = state
        .rejected
        .get(&(caller.gstin.clone(), date))
        .cloned()
        .unwrap_or_default();
    success(NAME, caller, &irns, &[])
}

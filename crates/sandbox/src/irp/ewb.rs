//! E-way bills: generated with an IRN or for one (GenerateEwbByIrn),
//! looked up (GetEwbByIrn) and cancelled through the e-way bill system's
//! envelope (CancelEwb).

use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use gst_irp::enums::{DocumentType, IrnStatus, TransportMode, VehicleType, YesNo};
use gst_irp::models::{
    CancelEwbRequest, CancelEwbResponse, EwbByIrnRequest, EwbByIrnResponse, EwbDetails, EwbDtls,
};
use gst_irp::session::server;
use gst_irp::validate::Validate;
use gst_irp::{ErrorDetail, Gstin, Info};
use taxsdk_runtime::server::axum;

use super::invoice::{ist, ist_minute, own, violation_message};
use super::service::{Answer, Caller, authenticate_ewb, decode_json, decode_payload, success};
use super::state::{EwayBill, Registered, State};

/// The e-way bill system cancels within this window.
const CANCEL_WINDOW: TimeDelta = TimeDelta::hours(24);

/// The transport part of an e-way bill request (EwbDtls of an invoice or
/// a GenerateEwbByIrn request).
pub(crate) struct Transport {
    trans_id: Option<String>,
    trans_mode: Option<TransportMode>,
    distance: i32,
    trans_doc_no: Option<String>,
    trans_doc_dt: Option<NaiveDate>,
    veh_no: Option<String>,
    veh_type: Option<VehicleType>,
    from_pin: Option<i32>,
    to_pin: Option<i32>,
}

impl Transport {
    pub fn from_invoice(d: &EwbDtls) -> Self {
        Self {
            trans_id: d.trans_id.clone(),
            trans_mode: d.trans_mode.clone(),
            distance: d.distance,
            trans_doc_no: d.trans_doc_no.clone(),
            trans_doc_dt: d.trans_doc_dt,
            veh_no: d.veh_no.clone(),
            veh_type: d.veh_type.clone(),
            from_pin: None,
            to_pin: None,
        }
    }

    fn from_request(r: &EwbByIrnRequest) -> Self {
        Self {
            trans_id: r.trans_id.clone(),
            trans_mode: r.trans_mode.clone(),
            distance: r.distance,
            trans_doc_no: r.trans_doc_no.clone(),
            trans_doc_dt: r.trans_doc_dt,
            veh_no: r.veh_no.clone(),
            veh_type: r.veh_type.clone(),
            from_pin: r.disp_dtls.as_ref().map(|d| d.pin),
            to_pin: r.exp_ship_dtls.as_ref().map(|d| d.pin),
        }
    }
}

fn present(text: &Option<String>) -> bool {
    text.as_deref().is_some_and(|t| !t.trim().is_empty())
}

/// Check the rules and make the e-way bill of `registered` (not stored):
/// the bill and the distance the sandbox computed (for Distance 0), or
/// every broken rule.
pub(crate) fn make(
    state: &mut State,
    registered: &Registered,
    t: &Transport,
    now: DateTime<Utc>,
) -> Result<(EwayBill, Option<i32>), Vec<ErrorDetail>> {
    let invoice = &registered.invoice;
    let mut errors = Vec::new();
    let mut fail = |code: &str, text: &str| errors.push(ErrorDetail::new(code, text));
    let goods: Vec<_> = invoice
        .item_list
        .iter()
        .filter(|i| i.is_servc == YesNo::No)
        .collect();
    if invoice.doc_dtls.typ != DocumentType::Invoice || goods.is_empty() {
        fail(
            "4010",
            "E-way bill cannot be generated for credit/debit notes or services-only documents",
        );
    } else if goods.iter().all(|i| i.hsn_cd.starts_with("99")) {
        fail(
            "4009",
            "E-way bill needs at least one goods HSN (not a 99 SAC code)",
        );
    }
    match &t.trans_mode {
        None if present(&t.veh_no) => fail("4028", "Transport mode is required"),
        None if !present(&t.trans_id) => fail(
            "4019",
            "Transporter id is required to generate Part A of the e-way bill",
        ),
        Some(TransportMode::Road) => {
            if !present(&t.veh_no) {
                fail("4011", "Vehicle number is required for road transport");
            }
            if t.veh_type.is_none() {
                fail("4022", "Vehicle type is required for road transport");
            }
        }
        Some(mode @ (TransportMode::Rail | TransportMode::Air | TransportMode::Ship)) => {
            if !present(&t.trans_doc_no) || t.trans_doc_dt.is_none() {
                if *mode == TransportMode::Air {
                    fail(
                        "4023",
                        "Transport document number and date are required for air",
                    );
                } else {
                    fail(
                        "4012",
                        "Transport document number and date are required for rail or ship",
                    );
                }
            }
            if matches!(mode, TransportMode::Rail | TransportMode::Air)
                && t.veh_type == Some(VehicleType::OverDimensionalCargo)
            {
                fail(
                    "4024",
                    "Over-dimensional cargo is allowed only by road or ship",
                );
            }
        }
        _ => {}
    }
    if let Some(id) = t.trans_id.as_deref().filter(|i| !i.trim().is_empty())
        && Gstin::new(id).is_err()
    {
        fail("4018", "Invalid transporter id");
    }
    let today = ist(now).date();
    if let Some(date) = t.trans_doc_dt {
        if date < invoice.doc_dtls.dt {
            fail(
                "4021",
                "Transport document date cannot be earlier than the invoice date",
            );
        }
        if date > today {
            fail("4016", "Transport document date cannot be a future date");
        }
    }
    if !(0..=4000).contains(&t.distance) {
        fail("4013", "The distance must be between 0 and 4000 km");
    }
    let from = t
        .from_pin
        .or(invoice.disp_dtls.as_ref().map(|d| d.pin))
        .unwrap_or(invoice.seller_dtls.pin);
    let to = t
        .to_pin
        .or(invoice.ship_dtls.as_ref().map(|d| d.pin))
        .or(invoice.buyer_dtls.pin);
    let mut computed = None;
    if t.distance == 0 {
        match to {
            Some(to) if to == from => fail(
                "4029",
                "Distance 0 (computed) is not allowed when the PIN codes are the same",
            ),
            Some(to) => computed = Some(pin_distance(from, to)),
            None => fail("4030", "Pin-to-pin distance is not available"),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let distance = computed.unwrap_or(t.distance);
    let date = ist_minute(now);
    // Part A only (no transport mode): no validity until Part B is added.
    let valid_till = t.trans_mode.as_ref().map(|_| {
        let per_day = if t.veh_type == Some(VehicleType::OverDimensionalCargo) {
            20
        } else {
            200
        };
        let days = i64::from(((distance + per_day - 1) / per_day).max(1));
        (date.date() + TimeDelta::days(days))
            .and_time(NaiveTime::from_hms_opt(23, 59, 0).unwrap_or_default())
    });
    let bill = EwayBill {
        number: state.next_ewb_no(),
        date,
        generated: now,
        valid_till,
        gen_gstin: registered.seller.clone(),
        cancelled: None,
    };
    Ok((bill, computed))
}

/// The sandbox's stand-in for the pin-to-pin distance (not geography).
fn pin_distance(from: i32, to: i32) -> i32 {
    ((from - to).abs() / 100).clamp(1, 4000)
}

/// `POST /eiewb/v1.03/ewaybill`.
pub(crate) fn generate_by_irn(state: &mut State, caller: &Caller, body: &[u8]) -> Answer {
    const NAME: &str = "GenerateEwbByIrn";
    let request: EwbByIrnRequest = match decode_payload(NAME, caller, body) {
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
    let Some(registered) = own(state, caller, &irn) else {
        return Answer::refuse(NAME, "4003", "Requested IRN data is not available");
    };
    if registered.cancelled.is_some() {
        return Answer::refuse(
            NAME,
            "4000",
            "E-way bill cannot be generated for a cancelled IRN",
        );
    }
    if let Some(bill) = registered.active_ewb() {
        return Answer::refuse(
            NAME,
            "4002",
            format!(
                "E-way bill {} is already generated for this IRN",
                bill.number
            ),
        );
    }
    let transport = Transport::from_request(&request);
    // `make` needs the state mutably (numbering) and the IRN: take it out.
    let Some(mut registered) = state.irns.remove(&irn) else {
        return Answer::refuse(NAME, "4003", "Requested IRN data is not available");
    };
    let made = make(state, &registered, &transport, now);
    let answer = match made {
        Ok((bill, computed)) => {
            let reply = EwbByIrnResponse {
                ewb_no: bill.number,
                ewb_dt: bill.date,
                ewb_valid_till: bill.valid_till,
                remarks: None,
            };
            let info: Vec<Info> = computed
                .map(|km| Info::EwbDistance(format!("Pin-Pin calc distance: {km}KM")))
                .into_iter()
                .collect();
            state.ewb_index.insert(bill.number, irn.clone());
            registered.ewbs.push(bill);
            success(NAME, caller, &reply, &info)
        }
        Err(errors) => Answer::refused(NAME, errors, &[]),
    };
    state.irns.insert(irn, registered);
    answer
}

/// `GET /eiewb/v1.03/ewaybill/irn/{irn}`.
pub(crate) fn by_irn(state: &State, caller: &Caller, irn: &str) -> Answer {
    const NAME: &str = "GetEwbByIrn";
    let Some(bill) = own(state, caller, irn).and_then(|r| r.ewbs.last()) else {
        return Answer::refuse(
            NAME,
            "4005",
            "E-way bill details are not found for this IRN",
        );
    };
    let details = EwbDetails {
        ewb_no: bill.number,
        status: if bill.active() {
            IrnStatus::Active
        } else {
            IrnStatus::Cancelled
        },
        gen_gstin: bill.gen_gstin.clone(),
        ewb_dt: bill.date,
        ewb_valid_till: bill.valid_till,
    };
    success(NAME, caller, &details, &[])
}

/// `POST /ewaybillapi/v1.03/ewayapi` with `action` CANEWB, in the e-way
/// bill system's envelope and with its error codes.
pub(crate) fn cancel_ewb(state: &mut State, headers: &HeaderMap, body: &[u8]) -> Answer {
    const NAME: &str = "CancelEwb";
    let refuse = |http: StatusCode, code: &str| {
        Answer::ewb(NAME, http, server::ewb_error_body(&[code]), Some(code))
    };
    let caller = match authenticate_ewb(state, headers) {
        Ok(caller) => caller,
        Err(code) => return refuse(StatusCode::OK, code),
    };
    let (action, json) = match server::decrypt_ewb_request(body, &caller.sek) {
        Ok(read) => read,
        // 115: no data; 109: it does not decrypt.
        Err(r) if r.code == "5003" => return refuse(StatusCode::BAD_REQUEST, "115"),
        Err(_) => return refuse(StatusCode::BAD_REQUEST, "109"),
    };
    if !action.trim().eq_ignore_ascii_case("CANEWB") {
        return refuse(StatusCode::OK, "239");
    }
    let request: CancelEwbRequest = match decode_json(NAME, &json) {
        Ok(request) => request,
        Err(answer) => {
            let http = if answer.http == StatusCode::OK {
                StatusCode::OK
            } else {
                StatusCode::BAD_REQUEST
            };
            return refuse(http, "100");
        }
    };
    if !(1..=4).contains(&request.cancel_rsn_code.code()) {
        return refuse(StatusCode::OK, "307");
    }
    if request.cancel_rmrk.chars().count() > 50 {
        return refuse(StatusCode::OK, "308");
    }
    let now = state.now();
    let found = state
        .ewb_index
        .get(&request.ewb_no)
        .cloned()
        .and_then(|irn| state.irns.get_mut(&irn))
        .filter(|r| r.seller == caller.gstin)
        .and_then(|r| r.ewbs.iter_mut().find(|b| b.number == request.ewb_no))
        .filter(|b| b.active());
    let Some(bill) = found else {
        return refuse(StatusCode::OK, "312");
    };
    if now - bill.generated > CANCEL_WINDOW {
        return refuse(StatusCode::OK, "315");
    }
    let cancelled = ist(now);
    bill.cancelled = Some(cancelled);
    let reply = CancelEwbResponse {
        eway_bill_no: bill.number,
        cancel_date: cancelled.format("%d/%m/%Y %I:%M:%S %p").to_string(),
    };
    match serde_json::to_vec(&reply) {
        Ok(json) => Answer::ewb(
            NAME,
            StatusCode::OK,
            server::ewb_success_body(&caller.sek, &json),
            None,
        ),
        Err(_) => refuse(StatusCode::INTERNAL_SERVER_ERROR, "240"),
    }
}

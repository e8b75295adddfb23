//! NtosService SOAP envelopes: replies as the client reads them
//! (`decode_soap_reply`: faults, gateway pages, results and out
//! parameters) and requests as the sandbox reads them (`BodyReader::request`
//! into the operation's parameters), plus the raw readers on any element.
//!
//! Input: byte 0 picks the operation, request or reply, the HTTP status and
//! the SOAP version written back; the rest is the body. Properties: no
//! panic; whatever reads is written back and reads back to the same bytes.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use rsge_ntos::endpoints::*;
use taxsdk_fuzz::{soap_reply, soap_request};
use taxsdk_runtime::soap::{BodyReader, SoapVersion};

fuzz_target!(|data: &[u8]| {
    let [which, body @ ..] = data else {
        return;
    };
    let status = if which & 0x80 == 0 { 200 } else { 500 };
    let version = if which & 0x40 == 0 {
        SoapVersion::Soap11
    } else {
        SoapVersion::Soap12
    };
    match which % 16 {
        0 => soap_reply::<Chek>(status, version, body),
        1 => soap_reply::<GetInvoice>(status, version, body),
        2 => soap_reply::<GetUnIdFromTin>(status, version, body),
        3 => soap_reply::<SaveInvoice>(status, version, body),
        4 => soap_reply::<GetOrgNameFromUnId>(status, version, body),
        5 => soap_reply::<KInvoice>(status, version, body),
        6 => soap_reply::<WhatIsMyIp>(status, version, body),
        7 => soap_reply::<UpdateAdvanceInvoice>(status, version, body),
        8 => soap_request::<Chek>(body),
        9 => soap_request::<SaveInvoice>(body),
        10 => soap_request::<SaveInvoiceDesc>(body),
        11 => soap_request::<GetSellerInvoices>(body),
        12 => soap_request::<AttachAdvanceInvoice>(body),
        13 => soap_request::<GetInvoiceId>(body),
        _ => {
            // The raw readers, as the server's dispatch uses them.
            if let Ok(reader) = BodyReader::request(body) {
                let _ = reader.element().len();
                let _ = reader.decode::<BTreeMap<String, serde_json::Value>>();
            }
            if let Ok(reader) = BodyReader::reply(body, "op") {
                let _ = reader.decode::<serde_json::Value>();
            }
        }
    }
});

//! NtosService replies holding a .NET DataTable (inline `xs:schema` and
//! `diffgr:diffgram`), as the client reads them, and the raw table readers.
//!
//! Input: byte 0 picks the operation, the HTTP status and the SOAP version
//! written back; the rest is the body. Properties: no panic; a table that
//! reads is written back (schema and rows) and reads back to the same bytes.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use rsge_ntos::endpoints::*;
use taxsdk_fuzz::soap_reply;
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
    match which % 12 {
        0 => soap_reply::<GetSellerInvoices>(status, version, body),
        1 => soap_reply::<GetBuyerInvoices>(status, version, body),
        2 => soap_reply::<GetInvoiceDesc>(status, version, body),
        3 => soap_reply::<GetAkciz>(status, version, body),
        4 => soap_reply::<GetSerUsers>(status, version, body),
        5 => soap_reply::<GetUserInvoices>(status, version, body),
        6 => soap_reply::<GetSeqNums>(status, version, body),
        7 => soap_reply::<GetInvoiceRequests>(status, version, body),
        8 => soap_reply::<GetAttachableAdvanceInvoices>(status, version, body),
        9 => soap_reply::<PrintInvoices>(status, version, body),
        _ => {
            for op in ["get_seller_invoices", "get_invoice_desc", "op"] {
                if let Ok(mut reader) = BodyReader::reply(body, op) {
                    let _ = reader.table::<BTreeMap<String, String>>();
                }
                if let Ok(mut reader) = BodyReader::reply(body, op)
                    && let Ok(rows) = reader.rows::<BTreeMap<String, serde_json::Value>>()
                {
                    for row in rows.take(64) {
                        let _ = row;
                    }
                }
            }
        }
    }
});

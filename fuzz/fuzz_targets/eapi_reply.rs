//! eAPI replies and requests: the `{DATA, STATUS}` envelope and the typed
//! models, read the way the client (`decode_reply`) and the sandbox
//! (`serde_json` into the request model) read them.
//!
//! Input: byte 0 picks the endpoint and request/reply, byte 1 the HTTP
//! status, the rest is the body. Properties: no panic; a reply or request
//! that decodes is written back (the sandbox's envelope, or the client's
//! JSON) and that text decodes again and writes back to the same bytes.
#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use rsge_eapi::endpoints::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use taxsdk_runtime::Endpoint;
use taxsdk_runtime::client::decode_reply;
use taxsdk_runtime::envelope::Wrapped;

const STATUSES: [u16; 8] = [200, 200, 200, 201, 400, 401, 404, 500];

/// The reply written the way the sandbox writes a success.
fn envelope<T: Serialize>(data: &T) -> Vec<u8> {
    let shape = rsge_eapi::SERVICE.envelope.expect("the eAPI has an envelope");
    serde_json::to_vec(&Wrapped {
        shape: &shape,
        data,
        code: shape.success,
        text: "OK",
    })
    .expect("a decoded reply encodes")
}

fn reply<E: Endpoint>(status: u16, body: &[u8])
where
    E::Response: Debug,
{
    let Ok(value) = decode_reply::<E>(&rsge_eapi::SERVICE, status, body) else {
        return;
    };
    let written = envelope(&value);
    let again = decode_reply::<E>(&rsge_eapi::SERVICE, 200, &written).unwrap_or_else(|e| {
        panic!(
            "{}: the written reply does not decode: {e}\n{}",
            E::META.name,
            String::from_utf8_lossy(&written)
        )
    });
    let rewritten = envelope(&again);
    assert_eq!(
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&rewritten),
        "{}: the written reply changes when read and written again ({again:?})",
        E::META.name
    );
}

fn request<T: Serialize + DeserializeOwned + Debug>(body: &[u8]) {
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let Ok(value) = serde_json::from_str::<T>(text) else {
        return;
    };
    let written = serde_json::to_string(&value).expect("a decoded request encodes");
    let again: T = serde_json::from_str(&written)
        .unwrap_or_else(|e| panic!("the written request does not decode: {e}\n{written}"));
    let rewritten = serde_json::to_string(&again).expect("encodes");
    assert_eq!(
        written, rewritten,
        "the written request changes when read and written again ({again:?})"
    );
}

fuzz_target!(|data: &[u8]| {
    let [which, status, body @ ..] = data else {
        return;
    };
    let status = STATUSES[usize::from(*status) % STATUSES.len()];
    match which % 16 {
        0 => reply::<GetInvoice>(status, body),
        1 => reply::<ListInvoices>(status, body),
        2 => reply::<SaveInvoice>(status, body),
        3 => reply::<GetTransactionResult>(status, body),
        4 => reply::<Authenticate>(status, body),
        5 => reply::<GetUnits>(status, body),
        6 => reply::<ListGoods>(status, body),
        7 => reply::<GetOrgInfoByTin>(status, body),
        8 => reply::<SignOut>(status, body),
        9 => reply::<GetSeqNum>(status, body),
        10 => request::<<SaveInvoice as Endpoint>::Request>(body),
        11 => request::<<ListInvoices as Endpoint>::Request>(body),
        12 => request::<<Authenticate as Endpoint>::Request>(body),
        13 => request::<<ActivateInvoice as Endpoint>::Request>(body),
        14 => reply::<ListBarCodes>(status, body),
        _ => reply::<ActivateInvoice>(status, body),
    }
});

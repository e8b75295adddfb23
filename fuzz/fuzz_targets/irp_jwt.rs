//! GST IRP signed JWTs: SignedInvoice and SignedQRCode as the client
//! decodes them (split, base64url, header and payload JSON, the signed
//! `data`), with and without checking the RS256 signature.
//!
//! Input: byte 0 picks the reader, the rest is the token text (or, for the
//! round trip, the `data` JSON). Properties: no panic; a token signed the
//! way the sandbox signs decodes to the same `data` and verifies.
#![no_main]

use std::sync::OnceLock;

use gst_irp::crypto::IrpPrivateKey;
use gst_irp::jwt::{self, Jwt};
use gst_irp::{decode_signed_invoice, decode_signed_qr_code};
use libfuzzer_sys::fuzz_target;

fn key() -> &'static IrpPrivateKey {
    static KEY: OnceLock<IrpPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        IrpPrivateKey::from_pem(include_str!(
            "../../crates/gst-irp/tests/data/irp_test_key.pem"
        ))
        .expect("the test key")
    })
}

fuzz_target!(|data: &[u8]| {
    let [which, body @ ..] = data else {
        return;
    };
    let Ok(token) = std::str::from_utf8(body) else {
        return;
    };
    let public = key().public_key();
    match which % 4 {
        0 => {
            let _ = decode_signed_invoice(token, None);
            let _ = decode_signed_qr_code(token, None);
        }
        1 => {
            let _ = decode_signed_invoice(token, Some(public));
            let _ = decode_signed_qr_code(token, Some(public));
        }
        2 => {
            if let Ok(jwt) = Jwt::decode("SignedInvoice", token) {
                let _ = (jwt.header(), jwt.payload(), jwt.as_str().len());
                let _ = jwt.data::<serde_json::Value>();
                let _ = jwt.verify(public);
            }
        }
        _ => {
            // Round trip (RSA signing is slow: short inputs only).
            if token.len() > 2048 {
                return;
            }
            let signed = jwt::sign(token, key()).expect("any text signs");
            let decoded = Jwt::decode("SignedInvoice", &signed).expect("a signed token decodes");
            assert_eq!(decoded.data_json(), token);
            decoded.verify(public).expect("a signed token verifies");
        }
    }
});

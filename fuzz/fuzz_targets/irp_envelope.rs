//! GST IRP envelopes and encrypted payloads, on both sides: replies as the
//! client reads them (`Session::decrypt_response`, the e-way bill reply,
//! the login reply with its AppKey-encrypted SEK) and request bodies as the
//! sandbox reads them (`server::decrypt_request`, the e-way bill request,
//! the RSA-encrypted login), plus base64 + AES-256-ECB on its own.
//!
//! Input: byte 0 picks the reader, the rest is the body. Properties: no
//! panic; a payload encrypted with the SEK and wrapped the way the sandbox
//! answers decrypts to exactly that payload (when it is UTF-8 text).
#![no_main]

use std::sync::OnceLock;

use gst_irp::crypto::{AppKey, IrpPrivateKey, Sek};
use gst_irp::session::{self, Credentials, Session, server};
use gst_irp::SecretString;
use libfuzzer_sys::fuzz_target;

struct Keys {
    sek: Sek,
    app_key: AppKey,
    session: Session,
    credentials: Credentials,
    irp_key: IrpPrivateKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let sek = Sek::from_bytes([7; 32]);
        let expiry = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00+05:30")
            .expect("a date");
        Keys {
            session: Session::new(
                "client",
                "user",
                "29AAACP7879D1Z0",
                SecretString::from("token"),
                sek.clone(),
                expiry,
            ),
            sek,
            app_key: AppKey::from_bytes([9; 32]),
            credentials: Credentials::new(
                "29AAACP7879D1Z0",
                "client",
                SecretString::from("secret"),
                "user",
                SecretString::from("password"),
            ),
            irp_key: IrpPrivateKey::from_pem(include_str!(
                "../../crates/gst-irp/tests/data/irp_test_key.pem"
            ))
            .expect("the test key"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let [which, body @ ..] = data else {
        return;
    };
    let k = keys();
    match which % 9 {
        0 => {
            if let Ok(reply) = k.session.decrypt_response(body) {
                let _ = reply.data::<serde_json::Value>();
                let _ = reply.info().len();
            }
        }
        1 => {
            // Round trip: the sandbox's reply around `body` decrypts to it.
            let wrapped = server::success_body(&k.sek, body, &[]);
            let reply = k.session.decrypt_response(wrapped.as_bytes());
            match std::str::from_utf8(body) {
                Ok(text) => {
                    let reply = reply.expect("the sandbox's reply decrypts");
                    assert_eq!(reply.data_json(), text);
                }
                Err(_) => assert!(reply.is_err(), "non-UTF-8 Data read as text"),
            }
        }
        2 => {
            if let Ok(reply) = k.session.decrypt_ewb_response(body) {
                let _ = reply.data::<serde_json::Value>();
            }
            // Round trip of the e-way bill encoding (base64 inside AES).
            let wrapped = server::ewb_success_body(&k.sek, body);
            if serde_json::from_slice::<serde_json::Value>(body).is_ok() {
                let reply = k
                    .session
                    .decrypt_ewb_response(wrapped.as_bytes())
                    .expect("the sandbox's e-way bill reply decrypts");
                assert_eq!(reply.data_json().as_bytes(), body);
            }
        }
        3 => {
            let _ = session::read_auth_response(body, &k.app_key, &k.credentials);
        }
        4 => {
            if let Ok(plain) = server::decrypt_request(body, &k.sek) {
                let _ = serde_json::from_slice::<serde_json::Value>(&plain);
            }
            // Round trip: a client's request body decrypts to its payload.
            let request = server::encrypt_request(&k.sek, body);
            assert_eq!(
                server::decrypt_request(request.as_bytes(), &k.sek).expect("decrypts"),
                body
            );
        }
        5 => {
            if let Ok((action, json)) = server::decrypt_ewb_request(body, &k.sek) {
                let _ = (action.len(), json.len());
            }
        }
        6 => {
            let _ = server::decrypt_auth_request(body, &k.irp_key);
        }
        7 => {
            // Base64 + AES on their own, and the AppKey-encrypted SEK.
            let text = String::from_utf8_lossy(body);
            let _ = k.sek.decrypt("Data", &text);
            let _ = k.app_key.decrypt_sek(&text);
            let _ = Sek::from_base64(&text);
            let _ = AppKey::from_base64(&text);
            let sealed = k.sek.encrypt(body);
            assert_eq!(k.sek.decrypt("Data", &sealed).expect("decrypts"), body);
        }
        _ => {
            let text = String::from_utf8_lossy(body);
            let _ = session::parse_timestamp("TokenExpiry", &text);
        }
    }
});

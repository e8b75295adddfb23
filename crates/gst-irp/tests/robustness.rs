//! The IRP decoders never panic, whatever the input: encrypted envelopes on
//! both sides (client replies, server requests, login), signed JWTs, GSTINs
//! and the IRN. What one side encrypts the other decrypts to the same
//! bytes, and a mutated signed token never verifies.
//!
//! RSA is slow in a debug build: the properties that run it keep few cases.

use std::sync::OnceLock;

use gst_irp::crypto::{AppKey, IrpPrivateKey, IrpPublicKey, Sek};
use gst_irp::jwt::{self, Jwt};
use gst_irp::session::{self, Credentials, Session, server};
use gst_irp::{Gstin, SecretString, compute_irn, decode_signed_invoice, decode_signed_qr_code};
use proptest::prelude::*;
use serde_json::Value;

struct Keys {
    sek: Sek,
    app_key: AppKey,
    session: Session,
    credentials: Credentials,
    irp_key: IrpPrivateKey,
    public: IrpPublicKey,
}

/// Built once: parsing the RSA key dominates a debug run otherwise.
fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let sek = Sek::from_bytes([7; 32]);
        let expiry =
            chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00+05:30").expect("a date");
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
            irp_key: IrpPrivateKey::from_pem(include_str!("data/irp_test_key.pem"))
                .expect("the test key"),
            public: IrpPublicKey::from_pem(include_str!("data/irp_test_pub.pem"))
                .expect("the test public key"),
        }
    })
}

/// The real tokens of tests/data, signed with the test key.
const TOKENS: [(&str, &str); 2] = [
    ("SignedInvoice", include_str!("data/signed_invoice.jwt")),
    ("SignedQRCode", include_str!("data/signed_qr_code.jwt")),
];

/// Every client- and server-side reader of an IRP body; only panics matter.
fn drive_body(body: &[u8]) {
    let k = keys();
    if let Ok(reply) = k.session.decrypt_response(body) {
        let _ = reply.data::<Value>();
        let _ = reply.info().len();
    }
    if let Ok(reply) = k.session.decrypt_ewb_response(body) {
        let _ = reply.data::<Value>();
    }
    let _ = session::read_auth_response(body, &k.app_key, &k.credentials);
    if let Ok(plain) = server::decrypt_request(body, &k.sek) {
        let _ = serde_json::from_slice::<Value>(&plain);
    }
    let _ = server::decrypt_ewb_request(body, &k.sek);
}

/// Every JWT reader, with and without the signature check.
fn drive_token(token: &str) {
    let public = &keys().public;
    let _ = decode_signed_invoice(token, None);
    let _ = decode_signed_qr_code(token, None);
    let _ = decode_signed_invoice(token, Some(public));
    let _ = decode_signed_qr_code(token, Some(public));
    if let Ok(jwt) = Jwt::decode("SignedInvoice", token) {
        let _ = (jwt.header(), jwt.payload(), jwt.as_str().len());
        let _ = jwt.data::<Value>();
        let _ = jwt.verify(public);
    }
}

/// Bodies shaped like IRP envelopes, with field values that are often
/// base64 or JSON, so the readers get past their first check.
fn envelope_like() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("Status"),
        Just("status"),
        Just("Data"),
        Just("data"),
        Just("ErrorDetails"),
        Just("InfoDtls"),
        Just("error"),
        Just("action"),
        Just("AuthToken"),
        Just("Sek"),
        Just("TokenExpiry"),
    ];
    let value = prop_oneof![
        Just("1".to_string()),
        Just("0".to_string()),
        Just("\"1\"".to_string()),
        Just("null".to_string()),
        Just("[]".to_string()),
        Just("[{\"ErrorCode\":\"2150\",\"ErrorMessage\":\"x\"}]".to_string()),
        Just("\"2030-01-01 10:00:00\"".to_string()),
        "\"[A-Za-z0-9+/=]{0,48}\"".prop_map(|s| s),
        "\"[ -~]{0,12}\"".prop_map(|s| s.replace('\\', "")),
        "\\{(\"[A-Za-z]{1,6}\":[0-9]{1,3},?){0,3}\\}".prop_map(|s| s),
    ];
    proptest::collection::vec((key, value), 0..6).prop_map(|fields| {
        let inner: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", inner.join(","))
    })
}

/// Small arbitrary JSON documents (the payloads the IRP carries).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[^\u{0}]{0,16}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[A-Za-z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Text like a JWT: three dot-separated segments of base64url characters,
/// sometimes a few stray characters.
fn token_like() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_\\-]{0,40}(\\.[A-Za-z0-9_\\-]{0,40}){0,3}[=. ]{0,2}"
}

/// `token` with the character at `at` (within a base64url segment, not its
/// last character) replaced by another base64url character: the decoded
/// bytes change, so the signature can no longer match. The last character
/// of a segment is left alone, as it may carry unused bits only.
fn mutate_signed(token: &str, pick: usize, step: u8) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = token.as_bytes();
    let inner: Vec<usize> = (0..bytes.len().saturating_sub(1))
        .filter(|&i| ALPHABET.contains(&bytes[i]) && ALPHABET.contains(&bytes[i + 1]))
        .collect();
    let at = inner[pick % inner.len()];
    let old = ALPHABET
        .iter()
        .position(|&c| c == bytes[at])
        .expect("in the alphabet");
    // 1..=63 steps away: always another character.
    let new = ALPHABET[(old + 1 + usize::from(step) % 63) % 64];
    let mut out = bytes.to_vec();
    out[at] = new;
    String::from_utf8(out).expect("ASCII")
}

#[test]
fn real_tokens_decode_and_verify() {
    // The seeds of the mutation properties must verify, or "a mutated token
    // never verifies" would hold for nothing.
    let public = &keys().public;
    for (what, token) in TOKENS {
        let jwt = Jwt::decode(what, token).unwrap_or_else(|e| panic!("{what}: {e}"));
        jwt.verify(public).unwrap_or_else(|e| panic!("{what}: {e}"));
    }
    decode_signed_invoice(TOKENS[0].1, Some(public)).expect("the SignedInvoice");
    decode_signed_qr_code(TOKENS[1].1, Some(public)).expect("the SignedQRCode");
}

/// Every truncation of the real tokens and of the sandbox's bodies: a
/// bounded, deterministic loop.
#[test]
fn truncations_never_panic() {
    let k = keys();
    for (_, token) in TOKENS {
        for cut in (0..=token.len()).filter(|&c| token.is_char_boundary(c)) {
            let _ = decode_signed_invoice(&token[..cut], None);
            let _ = decode_signed_qr_code(&token[..cut], None);
        }
    }
    let expiry = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00+05:30").unwrap();
    let bodies = [
        server::success_body(&k.sek, br#"{"Irn":"abc","AckNo":1}"#, &[]),
        server::ewb_success_body(&k.sek, br#"{"ewbNo":1}"#),
        server::ewb_error_body(&["240", "312"]),
        server::auth_reply_body(
            "client",
            "user",
            &SecretString::from("token"),
            &k.sek,
            &k.app_key,
            expiry,
        ),
    ];
    for body in &bodies {
        for cut in 0..=body.len() {
            drive_body(&body.as_bytes()[..cut]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        drive_body(&body);
    }

    #[test]
    fn envelope_like_bodies_never_panic(body in envelope_like()) {
        drive_body(body.as_bytes());
    }

    /// The client's request body decrypts on the server to the payload's JSON.
    #[test]
    fn request_round_trip(payload in json_value()) {
        let k = keys();
        let body = k.session.encrypt_request(&payload).expect("JSON encodes");
        let plain = server::decrypt_request(body.as_bytes(), &k.sek).expect("decrypts");
        prop_assert_eq!(&plain, &serde_json::to_vec(&payload).unwrap());
        prop_assert_eq!(&serde_json::from_slice::<Value>(&plain).unwrap(), &payload);
        // The e-way bill request: base64 inside AES, with its action.
        let body = k.session.encrypt_ewb_request("CANEWB", &payload).expect("JSON encodes");
        let (action, json) = server::decrypt_ewb_request(body.as_bytes(), &k.sek).expect("decrypts");
        prop_assert_eq!(action, "CANEWB");
        prop_assert_eq!(serde_json::from_slice::<Value>(&json).unwrap(), payload);
    }

    /// The server's reply decrypts on the client to the payload.
    #[test]
    fn reply_round_trip(payload in json_value()) {
        let k = keys();
        let json = serde_json::to_string(&payload).unwrap();
        let body = server::success_body(&k.sek, json.as_bytes(), &[]);
        let reply = k.session.decrypt_response(body.as_bytes()).expect("decrypts");
        prop_assert_eq!(reply.data_json(), json.as_str());
        prop_assert_eq!(reply.data::<Value>().expect("JSON"), payload);
    }

    /// The e-way bill reply (base64 inside AES) decrypts to the payload.
    #[test]
    fn ewb_reply_round_trip(payload in json_value()) {
        let k = keys();
        let json = serde_json::to_string(&payload).unwrap();
        let body = server::ewb_success_body(&k.sek, json.as_bytes());
        let reply = k.session.decrypt_ewb_response(body.as_bytes()).expect("decrypts");
        prop_assert_eq!(reply.data::<Value>().expect("JSON"), payload);
    }

    /// AES on its own, on arbitrary bytes, and its reader on arbitrary text.
    #[test]
    fn sek_round_trip(plain in proptest::collection::vec(any::<u8>(), 0..128), text in "[ -~]{0,64}") {
        let k = keys();
        prop_assert_eq!(k.sek.decrypt("Data", &k.sek.encrypt(&plain)).expect("decrypts"), plain);
        let _ = k.sek.decrypt("Data", &text);
        let _ = k.app_key.decrypt_sek(&text);
        let _ = Sek::from_base64(&text);
        let _ = AppKey::from_base64(&text);
        let _ = session::parse_timestamp("TokenExpiry", &text);
    }

    #[test]
    fn random_tokens_never_panic(token in token_like(), text in "\\PC{0,64}") {
        drive_token(&token);
        drive_token(&text);
    }

    /// Any change to a real token: a panic-free reader.
    #[test]
    fn mutated_tokens_never_panic(
        which in 0..2usize,
        edits in proptest::collection::vec((any::<usize>(), any::<char>(), 0..3u8), 1..4),
    ) {
        let mut token: Vec<char> = TOKENS[which].1.chars().collect();
        for (at, c, how) in edits {
            let at = at % (token.len() + 1);
            match how {
                0 => token.insert(at, c),
                1 if at < token.len() => { token.remove(at); }
                _ if at < token.len() => token[at] = c,
                _ => token.push(c),
            }
        }
        let token: String = token.into_iter().collect();
        let _ = decode_signed_invoice(&token, None);
        let _ = decode_signed_qr_code(&token, None);
    }

    /// GSTINs and the IRN: arbitrary text is an error, never a panic.
    #[test]
    fn gstin_and_irn_never_panic(
        gstin in "[0-9A-Za-z ]{0,17}|\\PC{0,17}",
        doc_type in "\\PC{0,5}",
        doc_no in "\\PC{0,18}",
        date in "[0-9]{1,2}/[0-9]{1,2}/[0-9]{1,5}|\\PC{0,12}",
    ) {
        if let Ok(g) = Gstin::new(&gstin) {
            let _ = (g.state_code(), g.state(), g.pan(), g.has_valid_check_character());
        }
        if let Ok(g) = Gstin::new_lenient(&gstin) {
            let _ = (g.state_code(), g.state(), g.pan(), g.has_valid_check_character());
        }
        let _ = gst_irp::gstin::check_character(&gstin);
        if let Ok(irn) = compute_irn(&gstin, &doc_type, &doc_no, &date) {
            // An IRN is a SHA-256 in hex.
            prop_assert_eq!(irn.as_str().len(), 64);
        }
    }
}

proptest! {
    // RSA in a debug build: a few cases only.
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// A real token with one base64url character changed never verifies.
    #[test]
    fn mutated_signed_tokens_never_verify(which in 0..2usize, pick in any::<usize>(), step in any::<u8>()) {
        let (what, token) = TOKENS[which];
        let public = &keys().public;
        let mutated = mutate_signed(token.trim(), pick, step);
        prop_assert_ne!(&mutated, token.trim());
        let verified = Jwt::decode(what, &mutated).and_then(|jwt| jwt.verify(public));
        prop_assert!(verified.is_err(), "a mutated token verified: {}", mutated);
        prop_assert!(decode_signed_invoice(&mutated, Some(public)).is_err());
        prop_assert!(decode_signed_qr_code(&mutated, Some(public)).is_err());
    }

    /// What the server signs decodes to the same `data` and verifies.
    #[test]
    fn signed_tokens_round_trip(payload in json_value()) {
        let k = keys();
        let data = serde_json::to_string(&payload).unwrap();
        let token = jwt::sign(&data, &k.irp_key).expect("signs");
        let decoded = Jwt::decode("SignedInvoice", &token).expect("decodes");
        prop_assert_eq!(decoded.data_json(), data.as_str());
        decoded.verify(&k.public).expect("verifies");
    }

    /// The RSA-encrypted login body: arbitrary `Data` is refused, never a panic.
    #[test]
    fn auth_requests_never_panic(data in "[A-Za-z0-9+/=]{0,400}", raw in proptest::collection::vec(any::<u8>(), 0..64)) {
        let key = &keys().irp_key;
        let body = serde_json::json!({ "Data": data }).to_string();
        let _ = server::decrypt_auth_request(body.as_bytes(), key);
        let _ = server::decrypt_auth_request(&raw, key);
    }
}

/// The login body the client writes decrypts on the server.
#[test]
fn auth_request_round_trip() {
    let k = keys();
    let body =
        session::auth_request_body(&k.credentials, &k.app_key, true, &k.public).expect("encrypts");
    let payload = server::decrypt_auth_request(body.as_bytes(), &k.irp_key).expect("decrypts");
    assert_eq!(payload.user_name, "user");
    assert!(payload.force_refresh);
}

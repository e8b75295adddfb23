//! The public API end to end without HTTP: a login answered by the
//! server-side helpers, the session kept in a file store and reused, a
//! call with a duplicate-IRN refusal, and the IRN and QR helpers on the
//! result.

use chrono::{TimeDelta, Utc};
use gst_irp::crypto::{AppKey, IrpPrivateKey, Sek};
use gst_irp::session::{self, server};
use gst_irp::token_store::{CachedSession, lookup};
use gst_irp::{
    Credentials, DuplicateIrn, ErrorDetail, ExposeSecret, FileTokenStore, Info, QrImage,
    SecretString, TokenKey, TokenStore, compute_irn, decode_signed_qr_code, jwt,
};

const BASE_URL: &str = "https://einv-apisandbox.nic.in/";

fn irp_key() -> IrpPrivateKey {
    IrpPrivateKey::from_pem(include_str!("data/irp_test_key.pem")).unwrap()
}

fn credentials() -> Credentials {
    Credentials::new(
        "01AMBPG7773M002",
        "client",
        SecretString::from("secret"),
        "user",
        SecretString::from("password"),
    )
}

#[test]
fn login_store_reuse_and_call() {
    let irp = irp_key();
    let creds = credentials();
    let dir = tempfile::tempdir().unwrap();
    let store = FileTokenStore::new(dir.path().join("tokens_cache"));
    let key = TokenKey::new(BASE_URL, &creds.client_id, &creds.gstin, &creds.user_name);
    let now = Utc::now();

    // Nothing stored: log in.
    let CachedSession::Login { force_refresh } = lookup(&store, &key, false, now).unwrap() else {
        panic!("nothing is stored yet");
    };
    assert!(!force_refresh);
    let app_key = AppKey::generate();
    let body =
        session::auth_request_body(&creds, &app_key, force_refresh, irp.public_key()).unwrap();
    let login = server::decrypt_auth_request(body.as_bytes(), &irp).unwrap();
    assert_eq!(login.password.expose_secret(), "password");
    let sek = Sek::generate();
    let reply = server::auth_reply_body(
        "client",
        &login.user_name,
        &SecretString::from("token-1"),
        &sek,
        &login.app_key,
        now + TimeDelta::minutes(60),
    );
    let session = session::read_auth_response(reply.as_bytes(), &app_key, &creds).unwrap();
    store.save(&key, &session).unwrap();
    let file = std::fs::read_to_string(store.path_of(&key)).unwrap();
    assert!(
        !file.contains("password") && !file.contains("secret\""),
        "{file}"
    );

    // Stored and fresh: reused, same token and SEK.
    let CachedSession::Reuse(session) = lookup(&store, &key, false, now).unwrap() else {
        panic!("the stored session is fresh");
    };
    assert_eq!(session.auth_token().expose_secret(), "token-1");
    assert_eq!(session.sek().expose_bytes(), sek.expose_bytes());
    // Five minutes before expiry: renew with ForceRefreshAccessToken.
    let late = now + TimeDelta::minutes(55);
    assert!(matches!(
        lookup(&store, &key, false, late).unwrap(),
        CachedSession::Login {
            force_refresh: true
        }
    ));

    // A generate-IRN call refused as a duplicate.
    let invoice =
        serde_json::json!({"DocDtls": {"Typ": "INV", "No": "SINV-CFY-00067", "Dt": "16/09/2022"}});
    let request = session.encrypt_request(&invoice).unwrap();
    let received: serde_json::Value =
        serde_json::from_slice(&server::decrypt_request(request.as_bytes(), &sek).unwrap())
            .unwrap();
    let doc = &received["DocDtls"];
    let irn = compute_irn(
        "01AMBPG7773M002",
        doc["Typ"].as_str().unwrap(),
        doc["No"].as_str().unwrap(),
        doc["Dt"].as_str().unwrap(),
    )
    .unwrap();
    let refusal = server::error_body(
        &[ErrorDetail::new("2150", "Duplicate IRN")],
        &[Info::DuplicateIrn(DuplicateIrn {
            ack_no: 232210036743849,
            ack_dt: "2022-09-16 19:29:00".into(),
            irn: irn.to_string(),
        })],
    );
    let error = session.decrypt_response(refusal.as_bytes()).unwrap_err();
    let service = error.service_error().unwrap();
    assert!(service.has_code("2150"));
    assert_eq!(service.duplicate_irn().unwrap().irn, irn.as_str());

    // The signed QR code of that IRN, verified and rendered.
    let qr = decode_signed_qr_code(include_str!("data/signed_qr_code.jwt"), None).unwrap();
    assert_eq!(qr.irn, irn.as_str());
    let token = jwt::sign(&serde_json::to_string(&qr).unwrap(), &irp).unwrap();
    let verified = decode_signed_qr_code(&token, Some(irp.public_key())).unwrap();
    let png = QrImage::new(&token).unwrap().to_png(2).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    assert_eq!(verified, qr);

    // force_regenerate drops the stored session.
    assert!(matches!(
        lookup(&store, &key, true, now).unwrap(),
        CachedSession::Login {
            force_refresh: true
        }
    ));
    assert!(store.load(&key).unwrap().is_none());
}

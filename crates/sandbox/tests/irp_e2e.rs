//! The IRP sandbox over HTTP on loopback, driven with reqwest and the
//! client side of `gst_irp::session`: login, every endpoint's success path
//! and the documented refusals.

use std::time::Duration;

use gst_irp::session::{self, Credentials, Reply, Session, SessionError};
use gst_irp::{AppKey, ExposeSecret, Info, IrpPublicKey, SecretString, Sek};
use serde_json::{Value, json};
use taxsdk_sandbox::irp::{self, Config, RunningSandbox, seed};

struct Irp {
    sb: RunningSandbox,
    http: reqwest::Client,
}

fn credentials(user: &str, gstin: &str) -> Credentials {
    Credentials::new(
        gstin,
        seed::CLIENT_ID,
        SecretString::from(seed::CLIENT_SECRET),
        user,
        SecretString::from(seed::PASSWORD),
    )
}

fn main_user() -> Credentials {
    credentials(seed::USER_NAME, seed::GSTIN)
}

/// (HTTP status, body).
type Raw = (u16, Vec<u8>);

impl Irp {
    async fn start() -> Self {
        Self::with(Config::default()).await
    }

    async fn with(config: Config) -> Self {
        let sb = irp::spawn_with(config).await.expect("sandbox");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("http client");
        Self { sb, http }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sb.base_url())
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        headers: &session::RequestHeaders,
    ) -> Raw {
        let mut request = request;
        for (name, value) in headers.iter() {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("HTTP exchange");
        let status = response.status().as_u16();
        (status, response.bytes().await.expect("body").to_vec())
    }

    async fn login_raw(&self, creds: &Credentials, app_key: &AppKey, force: bool) -> Raw {
        let body =
            session::auth_request_body(creds, app_key, force, &self.sb.sandbox().public_key())
                .expect("auth body");
        let request = self
            .http
            .post(self.url("/eivital/v1.04/auth"))
            .header("content-type", "application/json")
            .body(body);
        self.send(request, &creds.login_headers()).await
    }

    async fn try_login(&self, creds: &Credentials, force: bool) -> Result<Session, SessionError> {
        let app_key = AppKey::generate();
        let (status, body) = self.login_raw(creds, &app_key, force).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        session::read_auth_response(&body, &app_key, creds)
    }

    async fn login(&self, creds: &Credentials) -> Session {
        self.try_login(creds, false).await.expect("login")
    }

    async fn post_raw(&self, s: &Session, creds: &Credentials, path: &str, payload: &Value) -> Raw {
        let body = s.encrypt_request(payload).expect("encrypt");
        let request = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body);
        self.send(request, &s.request_headers(creds)).await
    }

    async fn post(
        &self,
        s: &Session,
        creds: &Credentials,
        path: &str,
        payload: &Value,
    ) -> Result<Reply, SessionError> {
        let (status, body) = self.post_raw(s, creds, path, payload).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        s.decrypt_response(&body)
    }

    async fn get_raw(&self, s: &Session, creds: &Credentials, path: &str) -> Raw {
        self.send(self.http.get(self.url(path)), &s.request_headers(creds))
            .await
    }

    async fn get(
        &self,
        s: &Session,
        creds: &Credentials,
        path: &str,
    ) -> Result<Reply, SessionError> {
        let (status, body) = self.get_raw(s, creds, path).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        s.decrypt_response(&body)
    }
}

/// The IRP's codes of a refusal.
fn codes<T: std::fmt::Debug>(result: Result<T, SessionError>) -> Vec<String> {
    let e = result.expect_err("the IRP should refuse");
    e.service_error()
        .unwrap_or_else(|| panic!("not a service error: {e}"))
        .codes()
        .map(str::to_string)
        .collect()
}

/// The envelope of a raw reply.
fn envelope(raw: &Raw) -> Value {
    serde_json::from_slice(&raw.1).unwrap_or_else(|_| panic!("not JSON: {:?}", raw))
}

fn first_code(raw: &Raw) -> String {
    let v = envelope(raw);
    assert_eq!(v["Status"], 0, "{v}");
    assert!(v["Data"].is_null(), "{v}");
    v["ErrorDetails"][0]["ErrorCode"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// An inter-state B2B invoice of the main user (Karnataka) to Maharashtra.
fn invoice(no: &str) -> Value {
    json!({
        "Version": "1.1",
        "TranDtls": {"TaxSch": "GST", "SupTyp": "B2B", "RegRev": "N"},
        "DocDtls": {"Typ": "INV", "No": no, "Dt": "16/09/2025"},
        "SellerDtls": {"Gstin": seed::GSTIN, "LglNm": "Tally Solutions", "Addr1": "Test Address 1",
            "Loc": "Bengaluru", "Pin": 560001, "Stcd": "29"},
        "BuyerDtls": {"Gstin": "27AABCS1429B1ZU", "LglNm": "Sandbox Traders", "Pos": "27",
            "Addr1": "Test Address 3", "Loc": "Mumbai", "Pin": 400001, "Stcd": "27"},
        "ItemList": [
            {"SlNo": "1", "PrdDesc": "Test goods", "IsServc": "N", "HsnCd": "61149090",
             "Qty": 10, "Unit": "NOS", "UnitPrice": 100.0, "TotAmt": 1000.0, "Discount": 0,
             "AssAmt": 1000.0, "GstRt": 18, "IgstAmt": 180.0, "CgstAmt": 0, "SgstAmt": 0,
             "TotItemVal": 1180.0},
            {"SlNo": "2", "PrdDesc": "Test goods, smaller", "IsServc": "N", "HsnCd": "6109",
             "Qty": 1, "Unit": "PCS", "UnitPrice": 50.0, "TotAmt": 50.0,
             "AssAmt": 50.0, "GstRt": 18, "IgstAmt": 9.0, "TotItemVal": 59.0}
        ],
        "ValDtls": {"AssVal": 1050.0, "IgstVal": 189.0, "CgstVal": 0, "SgstVal": 0,
            "TotInvVal": 1239.0}
    })
}

async fn generate(irp: &Irp, s: &Session, creds: &Credentials, inv: &Value) -> Value {
    let reply = irp
        .post(s, creds, "/eicore/v1.03/Invoice", inv)
        .await
        .expect("GenerateIrn");
    serde_json::from_str(reply.data_json()).expect("IrnDetails JSON")
}

#[tokio::test]
async fn login_and_every_endpoint() {
    let irp = Irp::start().await;
    let creds = main_user();
    let s = irp.login(&creds).await;
    assert_eq!(s.user_name(), seed::USER_NAME);
    assert_eq!(s.client_id(), seed::CLIENT_ID);
    assert!(!s.needs_renewal());

    // The public key as served equals the sandbox's.
    let pem = irp
        .http
        .get(irp.url(irp::PUBLIC_KEY_PATH))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let public = IrpPublicKey::from_pem(&pem).expect("served PEM");
    assert_eq!(public, irp.sb.sandbox().public_key());

    // GSTIN details.
    let reply = irp
        .get(&s, &creds, "/eivital/v1.04/Master/gstin/27AABCS1429B1ZU")
        .await
        .unwrap();
    let details: gst_irp::models::GstinDetails = reply.data().unwrap();
    assert_eq!(details.gstin, "27AABCS1429B1ZU");
    assert_eq!(details.state_code, 27);
    assert_eq!(details.status, gst_irp::enums::GstinStatus::Active);
    let cancelled: gst_irp::models::GstinDetails = irp
        .get(&s, &creds, "/eivital/v1.04/Master/gstin/33AADCT5546M1Z1")
        .await
        .unwrap()
        .data()
        .unwrap();
    assert_eq!(cancelled.status, gst_irp::enums::GstinStatus::Cancelled);
    // Only on the common portal until synced.
    let portal = "/eivital/v1.04/Master/gstin/09AAHCU8765P1Z6";
    assert_eq!(codes(irp.get(&s, &creds, portal).await), ["3001"]);
    let synced: gst_irp::models::GstinDetails = irp
        .get(
            &s,
            &creds,
            "/eivital/v1.04/Master/syncgstin/09AAHCU8765P1Z6",
        )
        .await
        .unwrap()
        .data()
        .unwrap();
    assert_eq!(synced.state_code, 9);
    assert!(irp.get(&s, &creds, portal).await.is_ok());

    // GenerateIrn: the IRN of the formula, signed with the sandbox's key.
    let doc_no = "SB/2025-26/001";
    let data = generate(&irp, &s, &creds, &invoice(doc_no)).await;
    let irn = data["Irn"].as_str().unwrap().to_string();
    let expected = gst_irp::compute_irn(seed::GSTIN, "INV", doc_no, "16/09/2025").unwrap();
    assert_eq!(irn, expected.as_str());
    assert_eq!(data["Status"], "ACT");
    assert_eq!(data["AckNo"].to_string().len(), 15, "{data}");
    assert!(data["AckDt"].as_str().unwrap().ends_with(":00"), "{data}");
    assert!(data.get("EwbNo").is_none_or(Value::is_null));
    let signed =
        gst_irp::decode_signed_invoice(data["SignedInvoice"].as_str().unwrap(), Some(&public))
            .expect("SignedInvoice verifies");
    assert_eq!(signed.irn, irn);
    assert_eq!(signed.invoice["ItemList"][0]["ItemNo"], 0);
    assert_eq!(signed.invoice["DocDtls"]["Typ"], "INV");
    let qr = gst_irp::decode_signed_qr_code(data["SignedQRCode"].as_str().unwrap(), Some(&public))
        .expect("SignedQRCode verifies");
    assert_eq!(qr.item_cnt, 2);
    assert_eq!(qr.main_hsn_code, "61149090");
    assert_eq!(qr.buyer_gstin, "27AABCS1429B1ZU");
    assert_eq!(qr.tot_inv_val.to_string(), "1239.0");

    // By IRN, by document (the `/` of the number percent-encoded).
    let by_irn = irp
        .get(&s, &creds, &format!("/eicore/v1.03/Invoice/irn/{irn}"))
        .await
        .unwrap();
    let by_irn: Value = serde_json::from_str(by_irn.data_json()).unwrap();
    assert_eq!(by_irn["AckNo"], data["AckNo"]);
    assert_eq!(by_irn["SignedInvoice"], data["SignedInvoice"]);
    let path = "/eicore/v1.03/Invoice/irnbydocdetails?doctype=inv&docnum=SB%2F2025-26%2F001&docdate=16/09/2025";
    let by_doc: Value =
        serde_json::from_str(irp.get(&s, &creds, path).await.unwrap().data_json()).unwrap();
    assert_eq!(by_doc["Irn"], irn.as_str());

    // E-way bill for the IRN, distance computed by the sandbox.
    let ewb = irp
        .post(&s, &creds, "/eiewb/v1.03/ewaybill",
            &json!({"Irn": irn, "Distance": 0, "TransMode": "1", "VehNo": "KA01AB1234", "VehType": "R"}))
        .await
        .expect("GenerateEwbByIrn");
    let ewb_data: gst_irp::models::EwbByIrnResponse = ewb.data().unwrap();
    assert_eq!(ewb_data.ewb_no.to_string().len(), 12);
    assert!(ewb_data.ewb_valid_till.is_some());
    assert!(
        matches!(&ewb.info()[0], Info::EwbDistance(text) if text.starts_with("Pin-Pin calc distance: ")),
        "{:?}",
        ewb.info()
    );
    let details: gst_irp::models::EwbDetails = irp
        .get(&s, &creds, &format!("/eiewb/v1.03/ewaybill/irn/{irn}"))
        .await
        .unwrap()
        .data()
        .unwrap();
    assert_eq!(details.ewb_no, ewb_data.ewb_no);
    assert_eq!(details.gen_gstin, seed::GSTIN);
    assert_eq!(details.status, gst_irp::enums::IrnStatus::Active);

    // While the e-way bill is active the IRN cannot be cancelled.
    let cancel = json!({"Irn": irn, "CnlRsn": "1", "CnlRem": "Wrong entry"});
    assert_eq!(
        codes(
            irp.post(&s, &creds, "/eicore/v1.03/Invoice/Cancel", &cancel)
                .await
        ),
        ["2230"]
    );

    // Cancel the e-way bill through the e-way bill system's envelope.
    let body = s
        .encrypt_ewb_request("CANEWB", &json!({"ewbNo": ewb_data.ewb_no, "cancelRsnCode": 2, "cancelRmrk": "Cancelled the order"}))
        .unwrap();
    let mut request = irp
        .http
        .post(irp.url("/ewaybillapi/v1.03/ewayapi"))
        .body(body);
    for (name, value) in [
        ("client-id", seed::CLIENT_ID),
        ("client-secret", seed::CLIENT_SECRET),
        ("Gstin", seed::GSTIN),
        ("authtoken", s.auth_token().expose_secret()),
    ] {
        request = request.header(name, value);
    }
    let raw = request.send().await.unwrap().bytes().await.unwrap();
    let cancelled_ewb: gst_irp::models::CancelEwbResponse = s
        .decrypt_ewb_response(&raw)
        .expect("CancelEwb")
        .data()
        .unwrap();
    assert_eq!(cancelled_ewb.eway_bill_no, ewb_data.ewb_no);
    assert!(cancelled_ewb.cancel_date.ends_with("AM") || cancelled_ewb.cancel_date.ends_with("PM"));

    // Now the IRN cancels; its details say CNL.
    let reply = irp
        .post(
            &s,
            &creds,
            "/eicore/v1.03/Invoice/Cancel",
            &json!({"irn": irn, "cnlrsn": "2", "cnlrem": "Data entry mistake"}),
        )
        .await
        .expect("CancelIrn (keys in any case)");
    let cancelled: gst_irp::models::CancelIrnResponse = reply.data().unwrap();
    assert_eq!(cancelled.irn, irn);
    assert_eq!(
        irp.sb.sandbox().irn_status(&irn),
        Some(gst_irp::enums::IrnStatus::Cancelled)
    );
    let after: Value = serde_json::from_str(
        irp.get(&s, &creds, &format!("/eicore/v1.03/Invoice/irn/{irn}"))
            .await
            .unwrap()
            .data_json(),
    )
    .unwrap();
    assert_eq!(after["Status"], "CNL");

    // Rejected IRNs: none, until a test says so.
    let rejected = "/eicore/v1.03/Invoice/rejectedirns?date=16/09/2025";
    let none: Vec<String> = irp.get(&s, &creds, rejected).await.unwrap().data().unwrap();
    assert!(none.is_empty());
    let date = chrono::NaiveDate::from_ymd_opt(2025, 9, 16).unwrap();
    irp.sb.sandbox().add_rejected_irn(seed::GSTIN, date, &irn);
    let listed: Vec<String> = irp.get(&s, &creds, rejected).await.unwrap().data().unwrap();
    assert_eq!(listed, vec![irn]);
}

#[tokio::test]
async fn invoice_with_ewb_details_and_gsp_style_double_slash() {
    let irp = Irp::start().await;
    let creds = main_user();
    let s = irp.login(&creds).await;
    let mut inv = invoice("SB-EWB-1");
    inv["EwbDtls"] =
        json!({"TransMode": "1", "Distance": 250, "VehNo": "KA01AB1234", "VehType": "R"});
    let body = s.encrypt_request(&inv).unwrap();
    // A GSP base URL ending in `/` gives `//eicore/...`.
    let request = irp
        .http
        .post(format!("{}//eicore/v1.03/Invoice", irp.sb.base_url()))
        .body(body);
    let (status, raw) = irp.send(request, &s.request_headers(&creds)).await;
    assert_eq!(status, 200);
    let data: Value = serde_json::from_str(s.decrypt_response(&raw).unwrap().data_json()).unwrap();
    assert_eq!(data["EwbNo"].to_string().len(), 12, "{data}");
    // 250 km: two days of validity, to 23:59 of the second day.
    let ack_day = &data["AckDt"].as_str().unwrap()[..10];
    let till = data["EwbValidTill"].as_str().unwrap();
    assert!(till.ends_with(" 23:59:00"), "{till}");
    let day = |t: &str| chrono::NaiveDate::parse_from_str(&t[..10], "%Y-%m-%d").unwrap();
    assert_eq!((day(till) - day(ack_day)).num_days(), 2);

    // A failing e-way bill does not stop the IRN: EWBERR in InfoDtls.
    let mut inv = invoice("SB-EWB-2");
    inv["EwbDtls"] = json!({"TransMode": "1", "Distance": 100});
    let reply = irp
        .post(&s, &creds, "/eicore/v1.03/Invoice", &inv)
        .await
        .expect("IRN generated anyway");
    let errors = reply
        .info()
        .iter()
        .find_map(|i| match i {
            Info::EwbErrors(errors) => {
                Some(errors.iter().map(|e| e.code.clone()).collect::<Vec<_>>())
            }
            _ => None,
        })
        .expect("EWBERR");
    assert_eq!(errors, ["4011", "4022"]);
    let data: Value = serde_json::from_str(reply.data_json()).unwrap();
    assert!(data.get("EwbNo").is_none_or(Value::is_null));
}

#[tokio::test]
async fn login_refusals() {
    let irp = Irp::start().await;
    let key = AppKey::generate();
    let refused = |raw: &Raw| {
        assert_eq!(raw.0, 200, "{}", String::from_utf8_lossy(&raw.1));
        first_code(raw)
    };
    // Headers.
    for (drop, code) in [
        ("client-id", "1011"),
        ("client-secret", "1012"),
        ("gstin", "1004"),
    ] {
        let creds = main_user();
        let body = session::auth_request_body(&creds, &key, false, &irp.sb.sandbox().public_key())
            .unwrap();
        let mut request = irp.http.post(irp.url("/eivital/v1.04/auth")).body(body);
        for (name, value) in creds.login_headers().iter() {
            if name != drop {
                request = request.header(name, value);
            }
        }
        let response = request.send().await.unwrap();
        let raw = (
            response.status().as_u16(),
            response.bytes().await.unwrap().to_vec(),
        );
        assert_eq!(refused(&raw), code, "without {drop}");
    }
    // Credentials.
    let mut wrong_secret = main_user();
    wrong_secret.client_secret = SecretString::from("nope");
    let mut other_client = credentials("sandbox_dl", "07AAACD3312K1ZZ");
    other_client.client_id = seed::CLIENT_ID.into();
    let mut wrong_password = main_user();
    wrong_password.password = SecretString::from("wrong");
    let cases = [
        (wrong_secret, "1010"),
        (credentials("nobody", seed::GSTIN), "1017"),
        (other_client, "1018"),
        (wrong_password, "1019"),
        (credentials(seed::USER_NAME, "27AABCS1429B1ZU"), "1015"),
        (credentials("sandbox_inactive", "07AAACD3312K1ZZ"), "1014"),
    ];
    for (creds, code) in cases {
        let raw = irp.login_raw(&creds, &key, false).await;
        assert_eq!(refused(&raw), code, "{creds:?}");
        assert_eq!(
            codes(session::read_auth_response(&raw.1, &key, &creds)),
            [code]
        );
    }
    // Unreadable bodies: HTTP 400 with the envelope.
    let creds = main_user();
    let post = |body: String| {
        let mut request = irp.http.post(irp.url("/eivital/v1.04/auth")).body(body);
        for (name, value) in creds.login_headers().iter() {
            request = request.header(name, value);
        }
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.bytes().await.unwrap().to_vec(),
            )
        }
    };
    let raw = post(String::new()).await;
    assert_eq!((raw.0, first_code(&raw)), (400, "5003".to_string()));
    let raw = post(r#"{"Data": ""}"#.into()).await;
    assert_eq!((raw.0, first_code(&raw)), (400, "5003".to_string()));
    // Not under the sandbox's key.
    let junk = json!({"Data": base64_of(&[7u8; 256])}).to_string();
    let raw = post(junk).await;
    assert_eq!((raw.0, first_code(&raw)), (400, "1020".to_string()));
    let raw = post(r#"{"Data": "not base64 at all!"}"#.into()).await;
    assert_eq!((raw.0, first_code(&raw)), (400, "1020".to_string()));
}

/// Standard base64 (for hand-made bodies).
fn base64_of(bytes: &[u8]) -> String {
    // The AES ciphertext helper is base64 of what it encrypts; a key made
    // from bytes gives a plain encoder without another dependency.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[tokio::test]
async fn tokens_repeat_renew_and_expire() {
    let irp = Irp::with(Config {
        token_ttl: Duration::from_secs(3600),
        ..Config::default()
    })
    .await;
    let creds = main_user();
    let first = irp.login(&creds).await;
    // Within the validity: the same token and key, also when forcing early.
    let again = irp.login(&creds).await;
    assert_eq!(
        again.auth_token().expose_secret(),
        first.auth_token().expose_secret()
    );
    assert_eq!(again.sek().expose_bytes(), first.sek().expose_bytes());
    assert_eq!(again.token_expiry(), first.token_expiry());
    let forced = irp.try_login(&creds, true).await.unwrap();
    assert_eq!(
        forced.auth_token().expose_secret(),
        first.auth_token().expose_secret()
    );

    // In the last 10 minutes, ForceRefreshAccessToken gives a new one.
    irp.sb.sandbox().advance_clock(Duration::from_secs(51 * 60));
    let same = irp.login(&creds).await;
    assert_eq!(
        same.auth_token().expose_secret(),
        first.auth_token().expose_secret()
    );
    let renewed = irp.try_login(&creds, true).await.unwrap();
    assert_ne!(
        renewed.auth_token().expose_secret(),
        first.auth_token().expose_secret()
    );
    assert_ne!(renewed.sek().expose_bytes(), first.sek().expose_bytes());
    assert!(renewed.token_expiry() > first.token_expiry());
    let path = "/eivital/v1.04/Master/gstin/29AAACP7879D1Z0";
    // The old token still works until it expires; then 1005.
    assert!(irp.get(&first, &creds, path).await.is_ok());
    irp.sb.sandbox().advance_clock(Duration::from_secs(10 * 60));
    assert_eq!(codes(irp.get(&first, &creds, path).await), ["1005"]);
    assert!(irp.get(&renewed, &creds, path).await.is_ok());

    // A token for another user or GSTIN, or an unknown one: 1005.
    let other = credentials("sandbox_mh", "27AABCS1429B1ZU");
    assert_eq!(codes(irp.get(&renewed, &other, path).await), ["1005"]);
    let forged = Session::new(
        seed::CLIENT_ID,
        seed::USER_NAME,
        seed::GSTIN,
        SecretString::from("not-a-token"),
        Sek::generate(),
        renewed.token_expiry(),
    );
    assert_eq!(codes(irp.get(&forged, &creds, path).await), ["1005"]);
    // A missing user_name header: 1006.
    let mut request = irp.http.get(irp.url(path));
    for (name, value) in renewed.request_headers(&creds).iter() {
        if name != "user_name" {
            request = request.header(name, value);
        }
    }
    let response = request.send().await.unwrap();
    let raw = (
        response.status().as_u16(),
        response.bytes().await.unwrap().to_vec(),
    );
    assert_eq!(first_code(&raw), "1006");
}

#[tokio::test]
async fn generate_irn_refusals() {
    let irp = Irp::start().await;
    let creds = main_user();
    let s = irp.login(&creds).await;
    let path = "/eicore/v1.03/Invoice";

    // Every violation, each with its code.
    let mut bad = invoice("SB-BAD-1");
    bad["SellerDtls"]["LglNm"] = json!("AB");
    bad["ItemList"][0]["AssAmt"] = json!(900.0);
    bad["ItemList"][1]["HsnCd"] = json!("12");
    let e = irp.post(&s, &creds, path, &bad).await.unwrap_err();
    let service = e.service_error().expect("service error");
    let found: Vec<&str> = service.codes().collect();
    for code in ["2140", "2193", "2176"] {
        assert!(found.contains(&code), "{code} missing from {found:?}");
    }
    assert!(
        service
            .errors
            .iter()
            .any(|d| d.message.contains("SellerDtls.LglNm")),
        "{:?}",
        service.errors
    );

    // A missing section: 2140 naming it.
    let mut missing = invoice("SB-BAD-2");
    missing.as_object_mut().unwrap().remove("ValDtls");
    let e = irp.post(&s, &creds, path, &missing).await.unwrap_err();
    let detail = &e.service_error().unwrap().errors[0];
    assert_eq!(detail.code, "2140");
    assert!(detail.message.contains("ValDtls"), "{detail:?}");

    // Another seller: 2143. A cancelled buyer: 3029. A bad check character: 3028.
    let mut other = invoice("SB-BAD-3");
    other["SellerDtls"]["Gstin"] = json!("29AABCS1429B1ZU");
    assert_eq!(codes(irp.post(&s, &creds, path, &other).await), ["2143"]);
    let mut cancelled_buyer = invoice("SB-BAD-4");
    cancelled_buyer["BuyerDtls"]["Gstin"] = json!("33AADCT5546M1Z1");
    cancelled_buyer["BuyerDtls"]["Pos"] = json!("33");
    cancelled_buyer["BuyerDtls"]["Stcd"] = json!("33");
    assert_eq!(
        codes(irp.post(&s, &creds, path, &cancelled_buyer).await),
        ["3029"]
    );
    let mut bad_check = invoice("SB-BAD-5");
    bad_check["BuyerDtls"]["Gstin"] = json!("27AABCS1429B1ZA");
    assert_eq!(
        codes(irp.post(&s, &creds, path, &bad_check).await),
        ["3028"]
    );
    assert_eq!(irp.sb.sandbox().irn_count(), 0);

    // Keys in any case are accepted; the same document again is 2150 with DUPIRN.
    let lower = json!({"version": "1.1"});
    let mut first = invoice("SB-DUP-1");
    first["version"] = lower["version"].clone();
    first.as_object_mut().unwrap().remove("Version");
    let data = generate(&irp, &s, &creds, &first).await;
    let e = irp
        .post(&s, &creds, path, &invoice("SB-DUP-1"))
        .await
        .unwrap_err();
    let service = e.service_error().unwrap();
    assert_eq!(service.codes().collect::<Vec<_>>(), ["2150"]);
    let dup = service.duplicate_irn().expect("DUPIRN");
    assert_eq!(dup.irn, data["Irn"].as_str().unwrap());
    assert_eq!(dup.ack_no, data["AckNo"].as_i64().unwrap());
    assert_eq!(dup.ack_dt, data["AckDt"].as_str().unwrap());
    // The exact InfoDtls shape.
    let (_, raw) = irp.post_raw(&s, &creds, path, &invoice("SB-DUP-1")).await;
    let v: Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(v["InfoDtls"][0]["InfCd"], "DUPIRN");
    assert_eq!(v["InfoDtls"][0]["Desc"]["Irn"], data["Irn"]);
    assert_eq!(v["InfoDtls"][0]["Desc"]["AckNo"], data["AckNo"]);
    assert_eq!(v["InfoDtls"][0]["Desc"]["AckDt"], data["AckDt"]);
    assert_eq!(v["ErrorDetails"][0]["ErrorCode"], "2150");
}

#[tokio::test]
async fn cancel_and_lookup_windows() {
    let irp = Irp::start().await;
    let creds = main_user();
    let s = irp.login(&creds).await;
    let cancel_path = "/eicore/v1.03/Invoice/Cancel";
    let one = generate(&irp, &s, &creds, &invoice("SB-CNL-1")).await;
    let two = generate(&irp, &s, &creds, &invoice("SB-CNL-2")).await;
    let cancel = |irn: &Value| json!({"Irn": irn, "CnlRsn": "3", "CnlRem": "Order cancelled"});

    // Unknown IRN: 2148 (cancel and lookup); unknown document: 2154.
    let unknown = "0".repeat(64);
    assert_eq!(
        codes(
            irp.post(&s, &creds, cancel_path, &cancel(&json!(unknown)))
                .await
        ),
        ["2148"]
    );
    assert_eq!(
        codes(
            irp.get(&s, &creds, &format!("/eicore/v1.03/Invoice/irn/{unknown}"))
                .await
        ),
        ["2148"]
    );
    let by_doc = "/eicore/v1.03/Invoice/irnbydocdetails?doctype=INV&docnum=NOPE&docdate=16/09/2025";
    assert_eq!(codes(irp.get(&s, &creds, by_doc).await), ["2154"]);
    let incomplete = "/eicore/v1.03/Invoice/irnbydocdetails?doctype=INV";
    assert_eq!(codes(irp.get(&s, &creds, incomplete).await), ["2142"]);

    // Cancel once; twice is 9999; the number stays taken (2150).
    irp.post(&s, &creds, cancel_path, &cancel(&one["Irn"]))
        .await
        .expect("cancel");
    assert_eq!(
        codes(
            irp.post(&s, &creds, cancel_path, &cancel(&one["Irn"]))
                .await
        ),
        ["9999"]
    );
    assert_eq!(
        codes(
            irp.post(&s, &creds, "/eicore/v1.03/Invoice", &invoice("SB-CNL-1"))
                .await
        ),
        ["2150"]
    );

    // Another user's IRN is unknown to this one.
    let mh = credentials("sandbox_mh", "27AABCS1429B1ZU");
    let s_mh = irp.login(&mh).await;
    assert_eq!(
        codes(
            irp.get(
                &s_mh,
                &mh,
                &format!("/eicore/v1.03/Invoice/irn/{}", two["Irn"].as_str().unwrap())
            )
            .await
        ),
        ["2148"]
    );

    // After 24 hours: 2270. After 2 days the lookups answer 2283.
    irp.sb
        .sandbox()
        .advance_clock(Duration::from_secs(25 * 3600));
    let s = irp.login(&creds).await;
    assert_eq!(
        codes(
            irp.post(&s, &creds, cancel_path, &cancel(&two["Irn"]))
                .await
        ),
        ["2270"]
    );
    let irn_path = format!("/eicore/v1.03/Invoice/irn/{}", two["Irn"].as_str().unwrap());
    assert!(irp.get(&s, &creds, &irn_path).await.is_ok());
    irp.sb
        .sandbox()
        .advance_clock(Duration::from_secs(24 * 3600));
    // (The token of 360 minutes has expired meanwhile.)
    assert_eq!(codes(irp.get(&s, &creds, &irn_path).await), ["1005"]);
    let s = irp.login(&creds).await;
    assert_eq!(codes(irp.get(&s, &creds, &irn_path).await), ["2283"]);
}

#[tokio::test]
async fn eway_bill_refusals() {
    let irp = Irp::start().await;
    let creds = main_user();
    let s = irp.login(&creds).await;
    let path = "/eiewb/v1.03/ewaybill";
    let inv = generate(&irp, &s, &creds, &invoice("SB-EWB-R1")).await;
    let irn = inv["Irn"].as_str().unwrap().to_string();
    let road = json!({"Irn": irn, "Distance": 120, "TransMode": "1", "VehNo": "KA01AB1234", "VehType": "R"});

    // No e-way bill yet: 4005. Unknown IRN: 4003.
    let lookup = format!("/eiewb/v1.03/ewaybill/irn/{irn}");
    assert_eq!(codes(irp.get(&s, &creds, &lookup).await), ["4005"]);
    let mut unknown = road.clone();
    unknown["Irn"] = json!("f".repeat(64));
    assert_eq!(codes(irp.post(&s, &creds, path, &unknown).await), ["4003"]);
    // Rail without a transport document: 4012; neither mode nor transporter: 4019.
    let rail = json!({"Irn": irn, "Distance": 120, "TransMode": "2"});
    assert_eq!(codes(irp.post(&s, &creds, path, &rail).await), ["4012"]);
    let part_a = json!({"Irn": irn, "Distance": 120});
    assert_eq!(codes(irp.post(&s, &creds, path, &part_a).await), ["4019"]);

    // Generated; a second one while it is active: 4002.
    let reply = irp.post(&s, &creds, path, &road).await.expect("e-way bill");
    let ewb: gst_irp::models::EwbByIrnResponse = reply.data().unwrap();
    assert!(reply.info().is_empty(), "distance given: no EWBPPD");
    assert_eq!(codes(irp.post(&s, &creds, path, &road).await), ["4002"]);

    // The e-way bill system's envelope: a bad reason, an unknown number,
    // a bad token; after 24 hours, 315.
    let cancel = |s: &Session, ewb_no: i64, reason: i64| {
        s.encrypt_ewb_request(
            "CANEWB",
            &json!({"ewbNo": ewb_no, "cancelRsnCode": reason, "cancelRmrk": "x"}),
        )
        .unwrap()
    };
    let send = |body: String, token: String| {
        let request = irp
            .http
            .post(irp.url("/ewaybillapi/v1.03/ewayapi"))
            .header("client-id", seed::CLIENT_ID)
            .header("client-secret", seed::CLIENT_SECRET)
            .header("gstin", seed::GSTIN)
            .header("authtoken", token)
            .body(body);
        async move { request.send().await.unwrap().bytes().await.unwrap() }
    };
    let token = |s: &Session| s.auth_token().expose_secret().to_string();
    let ewb_codes = |s: &Session, raw: &[u8]| codes(s.decrypt_ewb_response(raw));
    let raw = send(cancel(&s, ewb.ewb_no, 9), token(&s)).await;
    assert_eq!(ewb_codes(&s, &raw), ["307"]);
    let raw = send(cancel(&s, 123, 1), token(&s)).await;
    assert_eq!(ewb_codes(&s, &raw), ["312"]);
    let raw = send(cancel(&s, ewb.ewb_no, 1), "bad".into()).await;
    assert_eq!(ewb_codes(&s, &raw), ["238"]);
    irp.sb
        .sandbox()
        .advance_clock(Duration::from_secs(25 * 3600));
    let s = irp.login(&creds).await;
    let raw = send(cancel(&s, ewb.ewb_no, 1), token(&s)).await;
    assert_eq!(ewb_codes(&s, &raw), ["315"]);

    // A credit note cannot have one: 4010.
    let mut note = invoice("SB-CRN-1");
    note["DocDtls"]["Typ"] = json!("CRN");
    let crn = generate(&irp, &s, &creds, &note).await;
    let for_note = json!({"Irn": crn["Irn"], "Distance": 120, "TransMode": "1", "VehNo": "KA01AB1234", "VehType": "R"});
    assert_eq!(codes(irp.post(&s, &creds, path, &for_note).await), ["4010"]);
}

#[tokio::test]
async fn malformed_requests_get_the_envelope() {
    let irp = Irp::with(Config {
        max_request_bytes: 64 * 1024,
        ..Config::default()
    })
    .await;
    let creds = main_user();
    let s = irp.login(&creds).await;
    let headers = s.request_headers(&creds);
    let post = |path: &str, body: Vec<u8>| {
        let request = irp.http.post(irp.url(path)).body(body);
        irp.send(request, &headers)
    };
    let generate = "/eicore/v1.03/Invoice";

    for (body, http, code) in [
        (b"not json".to_vec(), 400, "5003"),
        (b"{}".to_vec(), 400, "5003"),
        (br#"{"Data": 17}"#.to_vec(), 400, "5003"),
        (br#"{"Data": "%%% not base64"}"#.to_vec(), 400, "1020"),
        // Encrypted under another key.
        (
            gst_irp::session::server::encrypt_request(&Sek::generate(), b"{}").into_bytes(),
            400,
            "1020",
        ),
        // The right key, but not JSON inside.
        (
            s.encrypt_request_json(b"\xff\xfe not json").into_bytes(),
            400,
            "2140",
        ),
        // JSON of another shape.
        (
            s.encrypt_request_json(b"[1, 2, 3]").into_bytes(),
            200,
            "2140",
        ),
        (
            s.encrypt_request_json(br#"{"Version": 1.1, "ItemList": "x"}"#)
                .into_bytes(),
            200,
            "2140",
        ),
    ] {
        let raw = post(generate, body.clone()).await;
        assert_eq!(raw.0, http, "{}", String::from_utf8_lossy(&body));
        assert_eq!(
            first_code(&raw),
            code,
            "{}",
            String::from_utf8_lossy(&raw.1)
        );
    }
    // Unknown path, wrong method, oversize body, malformed GSTIN.
    let raw = post("/eicore/v1.03/Nowhere", b"{}".to_vec()).await;
    assert_eq!((raw.0, first_code(&raw)), (404, "404".to_string()));
    let raw = irp.get_raw(&s, &creds, generate).await;
    assert_eq!((raw.0, first_code(&raw)), (405, "405".to_string()));
    let raw = post(generate, vec![b' '; 100 * 1024]).await;
    assert_eq!((raw.0, first_code(&raw)), (413, "413".to_string()));
    assert_eq!(
        codes(
            irp.get(&s, &creds, "/eivital/v1.04/Master/gstin/NOT-A-GSTIN")
                .await
        ),
        ["3028"]
    );
    assert_eq!(
        codes(
            irp.get(&s, &creds, "/eivital/v1.04/Master/gstin/27AABCS1429B1ZA")
                .await
        ),
        ["3028"]
    );
    // The sandbox still answers.
    assert!(
        irp.get(&s, &creds, "/eivital/v1.04/Master/gstin/27AABCS1429B1ZU")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn unknown_gstins_and_the_fault_layer() {
    let irp = Irp::start().await;
    let creds = main_user();
    let s = irp.login(&creds).await;
    // Well-formed with a valid check character, but not registered: 3001.
    let unknown = "/eivital/v1.04/Master/gstin/19AAJCW2468N1ZH";
    assert!(irp.get(&s, &creds, unknown).await.is_ok());
    for path in [
        "/eivital/v1.04/Master/gstin/32AAKCK1357E1ZT",
        "/eivital/v1.04/Master/syncgstin/32AAKCK1357E1ZT",
    ] {
        assert_eq!(codes(irp.get(&s, &creds, path).await), ["3001"], "{path}");
    }

    // Every request faulted with HTTP 503: what the fault layer counts.
    let faulty = Irp::with(Config {
        faults: Some("100%,seed=3,kinds=http503".parse().unwrap()),
        ..Config::default()
    })
    .await;
    let app_key = AppKey::generate();
    let (status, _) = faulty.login_raw(&creds, &app_key, false).await;
    assert_eq!(status, 503);
    let stats = faulty.sb.sandbox().fault_stats().expect("fault stats");
    assert_eq!(stats.requests_to("/eivital/v1.04/auth"), 1);
    assert_eq!(stats.faulted(), 1);
}

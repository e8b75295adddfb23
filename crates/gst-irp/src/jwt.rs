//! The signed invoice and signed QR code the IRP returns with an IRN:
//! JWTs (RS256) whose payload is `{"data": "<JSON as a string>", "iss":
//! "NIC"}`.
//!
//! [`decode_signed_qr_code`] and [`decode_signed_invoice`] read them into
//! [`SignedQrCode`] and [`SignedInvoice`]; given the IRP's public key or
//! certificate ([`IrpPublicKey`]) they also check the signature, which no
//! other client does. [`sign`] is the IRP's side, for the sandbox.

use std::fmt;

use crate::crypto::{decode_base64url, encode_base64url};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use serde_with::serde_as;
use taxsdk_runtime::wire::{DateAs, DateFormat, DateTimeAs, LenientNumber, LenientString};

use crate::crypto::{CryptoError, IrpPrivateKey, IrpPublicKey, hex_upper};

/// Why a signed JWT could not be read or verified; names the part and the
/// problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// Not three dot-separated parts.
    #[error("{what}: a JWT has three parts separated by `.`, found {found}")]
    Shape {
        /// `SignedInvoice`, `SignedQRCode` or `JWT`.
        what: &'static str,
        /// The number of parts found.
        found: usize,
    },
    /// A part is not base64url.
    #[error("{what}: the {part} is not base64url: {message}")]
    Base64 {
        /// `SignedInvoice`, `SignedQRCode` or `JWT`.
        what: &'static str,
        /// `header`, `payload` or `signature`.
        part: &'static str,
        /// The decoder's message.
        message: String,
    },
    /// A part does not hold the expected JSON.
    #[error("{what}: the {part} is not the expected JSON: {message}")]
    Json {
        /// `SignedInvoice`, `SignedQRCode` or `JWT`.
        what: &'static str,
        /// `header`, `payload` or `data`.
        part: &'static str,
        /// What is wrong, with the JSON path where known.
        message: String,
    },
    /// The header names an algorithm other than RS256, so the signature
    /// cannot be checked with an RSA key.
    #[error("{what}: the header's alg is `{alg}`, only RS256 is verified")]
    Algorithm {
        /// `SignedInvoice`, `SignedQRCode` or `JWT`.
        what: &'static str,
        /// The `alg` found.
        alg: String,
    },
    /// The signature does not match the content and key.
    #[error("{what}: the RS256 signature does not verify with the IRP key {key_thumbprint}")]
    Signature {
        /// `SignedInvoice`, `SignedQRCode` or `JWT`.
        what: &'static str,
        /// SHA-1 thumbprint of the key used (upper hex).
        key_thumbprint: String,
    },
    /// Signing failed (server side).
    #[error("cannot sign the JWT: {0}")]
    Sign(CryptoError),
}

/// The JOSE header of an IRP JWT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtHeader {
    /// `RS256`.
    pub alg: String,
    /// Upper-case hex SHA-1 thumbprint of the IRP's signing certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// `JWT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// Base64url of the same thumbprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5t: Option<String>,
}

/// The payload of an IRP JWT: the signed document as JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtPayload {
    /// The document, as a JSON string.
    pub data: String,
    /// Issuer: `NIC`.
    #[serde(default)]
    pub iss: Option<String>,
}

/// A JWT split and decoded, before its `data` is read.
#[derive(Clone, PartialEq, Eq)]
pub struct Jwt {
    what: &'static str,
    header: JwtHeader,
    payload: JwtPayload,
    signing_input_len: usize,
    token: String,
    signature: Vec<u8>,
}

impl Jwt {
    /// Split and decode `token`; `what` names it in errors
    /// (`SignedInvoice`, `SignedQRCode`).
    pub fn decode(what: &'static str, token: &str) -> Result<Jwt, JwtError> {
        let token = token.trim();
        let parts: Vec<&str> = token.split('.').collect();
        let [header, payload, signature] = parts[..] else {
            return Err(JwtError::Shape {
                what,
                found: parts.len(),
            });
        };
        let header_bytes = base64url(what, "header", header)?;
        let payload_bytes = base64url(what, "payload", payload)?;
        let signature = base64url(what, "signature", signature)?;
        let header: JwtHeader = json_at(what, "header", &header_bytes)?;
        let payload: JwtPayload = json_at(what, "payload", &payload_bytes)?;
        Ok(Jwt {
            what,
            header,
            payload,
            signing_input_len: token.rfind('.').unwrap_or(0),
            token: token.to_string(),
            signature,
        })
    }

    /// The header.
    pub fn header(&self) -> &JwtHeader {
        &self.header
    }

    /// The payload.
    pub fn payload(&self) -> &JwtPayload {
        &self.payload
    }

    /// The signed document as JSON text (`payload.data`).
    pub fn data_json(&self) -> &str {
        &self.payload.data
    }

    /// The token as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.token
    }

    /// Check the RS256 signature with the IRP's key (from its certificate
    /// or public key file).
    pub fn verify(&self, key: &IrpPublicKey) -> Result<(), JwtError> {
        if self.header.alg != "RS256" {
            return Err(JwtError::Algorithm {
                what: self.what,
                alg: self.header.alg.clone(),
            });
        }
        let signing_input = &self.token.as_bytes()[..self.signing_input_len];
        key.verify_rs256(signing_input, &self.signature)
            .map_err(|_| JwtError::Signature {
                what: self.what,
                key_thumbprint: hex_upper(&key.thumbprint_sha1()),
            })
    }

    /// Decode the `data` into `T`; errors name the JSON path.
    pub fn data<T: serde::de::DeserializeOwned>(&self) -> Result<T, JwtError> {
        json_at(self.what, "data", self.payload.data.as_bytes())
    }
}

impl fmt::Debug for Jwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwt")
            .field("what", &self.what)
            .field("header", &self.header)
            .field("payload", &self.payload)
            .finish_non_exhaustive()
    }
}

/// Base64url without padding, tolerating padding.
fn base64url(what: &'static str, part: &'static str, text: &str) -> Result<Vec<u8>, JwtError> {
    decode_base64url(text).map_err(|message| JwtError::Base64 {
        what,
        part,
        message,
    })
}

fn json_at<T: serde::de::DeserializeOwned>(
    what: &'static str,
    part: &'static str,
    bytes: &[u8],
) -> Result<T, JwtError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = result.map_err(|e| {
        let path = e.path().to_string();
        JwtError::Json {
            what,
            part,
            message: format!("at `{path}`: {}", e.into_inner()),
        }
    })?;
    deserializer.end().map_err(|e| JwtError::Json {
        what,
        part,
        message: e.to_string(),
    })?;
    Ok(value)
}

/// `dd/mm/yyyy`, the IRP's date layout.
pub struct IrpDate;

impl DateFormat for IrpDate {
    const FORMAT: &'static str = "%d/%m/%Y";
}

/// `yyyy-MM-dd HH:mm:ss`, the IRP's timestamp layout (India time).
pub struct IrpTimestamp;

impl DateFormat for IrpTimestamp {
    const FORMAT: &'static str = "%Y-%m-%d %H:%M:%S";
}

/// The data of a SignedQRCode: what a QR code on the printed invoice
/// proves.
#[serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedQrCode {
    /// `SellerGstin`.
    #[serde(rename = "SellerGstin")]
    pub seller_gstin: String,
    /// `BuyerGstin` (`URP` for unregistered buyers).
    #[serde(rename = "BuyerGstin")]
    pub buyer_gstin: String,
    /// `DocNo`.
    #[serde(rename = "DocNo")]
    #[serde_as(as = "LenientString")]
    pub doc_no: String,
    /// `DocTyp`: `INV`, `CRN` or `DBN`.
    #[serde(rename = "DocTyp")]
    pub doc_typ: String,
    /// `DocDt` (`dd/mm/yyyy`).
    #[serde(rename = "DocDt")]
    #[serde_as(as = "DateAs<IrpDate>")]
    pub doc_dt: NaiveDate,
    /// `TotInvVal`.
    #[serde(rename = "TotInvVal")]
    #[serde_as(as = "LenientNumber")]
    pub tot_inv_val: Decimal,
    /// `ItemCnt`: number of lines.
    #[serde(rename = "ItemCnt")]
    #[serde_as(as = "LenientNumber")]
    pub item_cnt: u32,
    /// `MainHsnCode`: HSN of the line with the highest taxable value.
    #[serde(rename = "MainHsnCode")]
    #[serde_as(as = "LenientString")]
    pub main_hsn_code: String,
    /// `Irn`.
    #[serde(rename = "Irn")]
    pub irn: String,
    /// `IrnDt` (`yyyy-MM-dd HH:mm:ss`, India time).
    #[serde(rename = "IrnDt")]
    #[serde_as(as = "DateTimeAs<IrpTimestamp>")]
    pub irn_dt: NaiveDateTime,
}

/// The data of a SignedInvoice: the acknowledgement and the invoice as
/// the IRP stored it (nulls omitted, `Typ` upper-cased, `"ItemNo": 0` in
/// each item).
#[derive(Debug, Clone, PartialEq)]
pub struct SignedInvoice {
    /// `AckNo`.
    pub ack_no: i64,
    /// `AckDt` (India time).
    pub ack_dt: NaiveDateTime,
    /// `Irn`.
    pub irn: String,
    /// Every other field: the invoice (`Version`, `TranDtls`, ...).
    pub invoice: Map<String, Value>,
}

impl SignedInvoice {
    /// The invoice decoded into a model (e.g. the generated `Invoice`).
    pub fn invoice_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, JwtError> {
        let json = Value::Object(self.invoice.clone()).to_string();
        json_at("SignedInvoice", "data", json.as_bytes())
    }
}

impl<'de> Deserialize<'de> for SignedInvoice {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;

        #[serde_as]
        #[derive(Deserialize)]
        struct Ack {
            #[serde(rename = "AckNo")]
            #[serde_as(as = "LenientNumber")]
            ack_no: i64,
            #[serde(rename = "AckDt")]
            #[serde_as(as = "DateTimeAs<IrpTimestamp>")]
            ack_dt: NaiveDateTime,
            #[serde(rename = "Irn")]
            irn: String,
        }

        let mut invoice = Map::deserialize(deserializer)?;
        let mut head = Map::new();
        for key in ["AckNo", "AckDt", "Irn"] {
            match invoice.remove(key) {
                Some(value) => head.insert(key.to_string(), value),
                None => return Err(D::Error::missing_field(key)),
            };
        }
        let ack: Ack = serde_json::from_value(Value::Object(head)).map_err(D::Error::custom)?;
        Ok(SignedInvoice {
            ack_no: ack.ack_no,
            ack_dt: ack.ack_dt,
            irn: ack.irn,
            invoice,
        })
    }
}

/// Decode a SignedQRCode; with `key`, check its signature first.
pub fn decode_signed_qr_code(
    token: &str,
    key: Option<&IrpPublicKey>,
) -> Result<SignedQrCode, JwtError> {
    let jwt = Jwt::decode("SignedQRCode", token)?;
    if let Some(key) = key {
        jwt.verify(key)?;
    }
    jwt.data()
}

/// Decode a SignedInvoice; with `key`, check its signature first.
pub fn decode_signed_invoice(
    token: &str,
    key: Option<&IrpPublicKey>,
) -> Result<SignedInvoice, JwtError> {
    let jwt = Jwt::decode("SignedInvoice", token)?;
    if let Some(key) = key {
        jwt.verify(key)?;
    }
    jwt.data()
}

/// Server side: sign `data_json` as the IRP does: header `{alg: RS256,
/// kid, typ: JWT, x5t}` with the key's SHA-1 thumbprint, payload
/// `{"data": data_json, "iss": "NIC"}`.
pub fn sign(data_json: &str, key: &IrpPrivateKey) -> Result<String, JwtError> {
    let thumbprint = key.public_key().thumbprint_sha1();
    let header = serde_json::json!({
        "alg": "RS256",
        "kid": hex_upper(&thumbprint),
        "typ": "JWT",
        "x5t": encode_base64url(thumbprint),
    });
    let payload = serde_json::json!({ "data": data_json, "iss": "NIC" });
    let signing_input = format!(
        "{}.{}",
        encode_base64url(header.to_string()),
        encode_base64url(payload.to_string())
    );
    let signature = key
        .sign_rs256(signing_input.as_bytes())
        .map_err(JwtError::Sign)?;
    Ok(format!("{signing_input}.{}", encode_base64url(signature)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str) -> String {
        let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap()
    }

    fn cert_key() -> IrpPublicKey {
        IrpPublicKey::from_pem(&data("irp_test_cert.pem")).unwrap()
    }

    #[test]
    fn decodes_and_verifies_the_signed_qr_code() {
        let token = data("signed_qr_code.jwt");
        let jwt = Jwt::decode("SignedQRCode", &token).unwrap();
        assert_eq!(jwt.header().alg, "RS256");
        assert_eq!(
            jwt.header().kid.as_deref(),
            Some("322198D1330556E025FADE16CF865D5A5377C4A8")
        );
        assert_eq!(jwt.payload().iss.as_deref(), Some("NIC"));
        let qr = decode_signed_qr_code(&token, Some(&cert_key())).unwrap();
        assert_eq!(qr.seller_gstin, "01AMBPG7773M002");
        assert_eq!(qr.doc_typ, "INV");
        assert_eq!(qr.doc_dt, NaiveDate::from_ymd_opt(2022, 9, 16).unwrap());
        assert_eq!(qr.tot_inv_val.to_string(), "118000.5");
        assert_eq!(qr.item_cnt, 1);
        assert_eq!(qr.main_hsn_code, "61149090");
        assert_eq!(qr.irn_dt.to_string(), "2022-09-16 19:29:00");
        // The certificate's thumbprint is the header's kid.
        assert_eq!(
            jwt.header().kid.as_deref().unwrap(),
            hex_upper(&cert_key().thumbprint_sha1())
        );
    }

    #[test]
    fn decodes_and_verifies_the_signed_invoice() {
        let token = data("signed_invoice.jwt");
        let public = IrpPublicKey::from_pem(&data("irp_test_pub.pem")).unwrap();
        let invoice = decode_signed_invoice(&token, Some(&public)).unwrap();
        assert_eq!(invoice.ack_no, 232210036743849);
        assert_eq!(invoice.irn.len(), 64);
        assert_eq!(invoice.invoice["Version"], "1.1");
        assert_eq!(invoice.invoice["ItemList"][0]["ItemNo"], 0);
        assert!(!invoice.invoice.contains_key("AckNo"));
        #[derive(Deserialize)]
        struct Doc {
            #[serde(rename = "DocDtls")]
            doc: Value,
        }
        let doc: Doc = invoice.invoice_as().unwrap();
        assert_eq!(doc.doc["No"], "SINV-CFY-00067");
    }

    #[test]
    fn tampering_and_wrong_keys_fail_verification() {
        let token = data("signed_qr_code.jwt");
        let other = IrpPrivateKey::generate(1024).unwrap();
        let e = decode_signed_qr_code(&token, Some(other.public_key())).unwrap_err();
        assert!(
            matches!(
                e,
                JwtError::Signature {
                    what: "SignedQRCode",
                    ..
                }
            ),
            "{e}"
        );
        assert!(
            e.to_string()
                .starts_with("SignedQRCode: the RS256 signature does not verify")
        );
        // Swap the payload for another one, keep the signature.
        let parts: Vec<&str> = token.split('.').collect();
        let forged_payload = encode_base64url(r#"{"data":"{}","iss":"NIC"}"#);
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert!(matches!(
            Jwt::decode("SignedQRCode", &forged)
                .unwrap()
                .verify(&cert_key()),
            Err(JwtError::Signature { .. })
        ));
        // Without a key, decoding alone still works.
        assert!(decode_signed_qr_code(&token, None).is_ok());
    }

    #[test]
    fn malformed_tokens_name_the_part() {
        let e = Jwt::decode("SignedQRCode", "abc.def").unwrap_err();
        assert_eq!(
            e.to_string(),
            "SignedQRCode: a JWT has three parts separated by `.`, found 2"
        );
        let e = Jwt::decode("SignedQRCode", "a*b.c.d").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("SignedQRCode: the header is not base64url"),
            "{e}"
        );
        let header = encode_base64url(r#"{"alg":"none"}"#);
        let payload = encode_base64url(r#"{"iss":"NIC"}"#);
        let e = Jwt::decode("JWT", &format!("{header}.{payload}.")).unwrap_err();
        assert!(
            e.to_string()
                .contains("the payload is not the expected JSON"),
            "{e}"
        );
        let payload = encode_base64url(r#"{"data":"{\"SellerGstin\":1}","iss":"NIC"}"#);
        let token = format!("{header}.{payload}.");
        let jwt = Jwt::decode("JWT", &token).unwrap();
        let e = jwt.verify(&cert_key()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "JWT: the header's alg is `none`, only RS256 is verified"
        );
        let e = decode_signed_qr_code(&token, None).unwrap_err();
        assert!(e.to_string().contains("at `SellerGstin`"), "{e}");
    }

    #[test]
    fn sign_produces_what_decode_reads() {
        let key = IrpPrivateKey::from_pem(&data("irp_test_key.pem")).unwrap();
        let qr = decode_signed_qr_code(&data("signed_qr_code.jwt"), None).unwrap();
        let json = serde_json::to_string(&qr).unwrap();
        assert!(json.contains(r#""DocDt":"16/09/2022""#), "{json}");
        assert!(json.contains(r#""IrnDt":"2022-09-16 19:29:00""#), "{json}");
        let token = sign(&json, &key).unwrap();
        let again = decode_signed_qr_code(&token, Some(key.public_key())).unwrap();
        assert_eq!(again, qr);
        let jwt = Jwt::decode("SignedQRCode", &token).unwrap();
        let kid = jwt.header().kid.clone().unwrap();
        let x5t = decode_base64url(&jwt.header().x5t.clone().unwrap()).unwrap();
        assert_eq!(kid, hex_upper(&x5t));
        assert_eq!(jwt.header().typ.as_deref(), Some("JWT"));
    }
}

#![deny(missing_docs)]
//! India GST e-invoice IRP (Invoice Registration Portal). The models,
//! endpoint descriptions (paths, path/query/header members, documented
//! errors) and `validate()` are generated from `spec/gst-irp/`; the
//! session, crypto and HTTP client that carry them are written by hand,
//! because the IRP's encrypted envelope is unlike any other service's.
//!
//! - `client` (feature `client`, on by default): the HTTP client, with one
//!   typed method per endpoint of the spec, sessions kept and renewed, reads
//!   repeated and GenerateIrn settled through `DUPIRN` after a lost reply.
//! - [`build`]: invoices from lines (amounts, taxes and totals worked out
//!   so that the portal's checks hold) and `to_buyer` from a GSTIN lookup.
//! - [`crypto`]: the AppKey, the session key (SEK), AES-256-ECB payloads,
//!   the IRP's RSA public key (PEM, DER, certificate) and the server-side
//!   private key, on RustCrypto crates.
//! - [`session`]: login v1.04 (request body, reply into a [`Session`]),
//!   headers, encrypted requests and replies, renewal; `session::server`
//!   for the sandbox.
//! - [`envelope`]: the reply envelope's [`ServiceError`] (every
//!   `ErrorDetails` entry) and [`Info`] (`InfoDtls`: DUPIRN, EWBERR, ...).
//! - [`token_store`]: reusing sessions between runs safely
//!   ([`TokenStore`], [`FileTokenStore`]).
//! - [`gstin`]: [`Gstin`] with the check character, and the state codes.
//! - [`irn`]: the IRN of a document ([`compute_irn`]).
//! - [`jwt`]: the SignedInvoice and SignedQRCode, decoded and verified.
//! - [`qr`]: the SignedQRCode as an SVG or PNG QR code.
//!
//! A login and a call, as the sandbox and a client see them (pure
//! functions; the HTTP client carries the bodies):
//!
//! ```
//! use gst_irp::crypto::{AppKey, IrpPrivateKey, Sek};
//! use gst_irp::session::{self, Credentials, server};
//! use gst_irp::SecretString;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let irp_key = IrpPrivateKey::from_pem(include_str!("../tests/data/irp_test_key.pem"))?;
//! let credentials = Credentials::new(
//!     "29AAACP7879D1Z0", "client-id", SecretString::from("client-secret"),
//!     "api-user", SecretString::from("api-password"),
//! );
//! // Client: a fresh AppKey per login, the body under the IRP's public key.
//! let app_key = AppKey::generate();
//! let body = session::auth_request_body(&credentials, &app_key, false, irp_key.public_key())?;
//!
//! // IRP (here the sandbox helpers): read it, answer with a SEK.
//! let login = server::decrypt_auth_request(body.as_bytes(), &irp_key)?;
//! let sek = Sek::generate();
//! let expiry = chrono::Utc::now() + chrono::TimeDelta::hours(1);
//! let reply = server::auth_reply_body("client-id", &login.user_name,
//!     &SecretString::from("token"), &sek, &login.app_key, expiry);
//!
//! // Client: the session, then an encrypted call.
//! let session = session::read_auth_response(reply.as_bytes(), &app_key, &credentials)?;
//! assert!(!session.needs_renewal());
//! let request = session.encrypt_request(&serde_json::json!({"Irn": "..."}))?;
//! let answer = server::success_body(&sek, &server::decrypt_request(request.as_bytes(), &sek)?, &[]);
//! let reply = session.decrypt_response(answer.as_bytes())?;
//! assert_eq!(reply.data_json(), r#"{"Irn":"..."}"#);
//! # Ok(())
//! # }
//! ```

pub mod build;
#[cfg(feature = "client")]
pub mod client;
pub mod crypto;
pub mod envelope;
// Generated from spec/gst-irp by `cargo xtask codegen`; formatted by the
// generator, not rustfmt.
#[rustfmt::skip]
mod generated;
mod rules;
pub use generated::{
    ERRORS, SERVICE, SPEC_VERSION, WIRE_NAMES, endpoints, enums, models, validate,
};
pub mod gstin;
pub mod irn;
pub mod jwt;
pub mod qr;
pub mod session;
pub mod token_store;

pub use crypto::{AppKey, CryptoError, IrpPrivateKey, IrpPublicKey, Sek};
pub use envelope::{DuplicateIrn, ErrorDetail, Info, ServiceError};
pub use gstin::{Gstin, GstinError, STATES, State};
pub use irn::{Irn, IrnError, compute_irn, financial_year};
pub use jwt::{
    JwtError, SignedInvoice, SignedQrCode, decode_signed_invoice, decode_signed_qr_code,
};
pub use qr::{QrError, QrImage};
/// Re-exported so callers name the same secret type as the session.
pub use secrecy::{ExposeSecret, SecretString};
pub use session::{Credentials, Reply, RequestHeaders, Session, SessionError};
pub use token_store::{FileTokenStore, MemoryTokenStore, TokenKey, TokenStore, TokenStoreError};

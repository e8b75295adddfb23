#![deny(missing_docs)]
//! Typed async client (and, with feature `server`, the server trait) of the
//! RS.ge eAPI "Tax document" service, generated from `spec/rsge-eapi/`.
//!
//! The modules below come from `src/generated/` (never edited by hand):
//! [`models`], [`enums`], [`endpoints`], [`client`] (feature `client`) and
//! `server` (feature `server`). [`SERVICE`] and [`ERRORS`] describe the
//! service and its documented status codes.
//!
//! Hand-written on top of them:
//!
//! - [`Tin`]: a checked Georgian taxpayer id (9 or 11 digits).
//! - Login flows on [`client::Client`] (feature `client`):
//!   [`login`](client::Client::login),
//!   [`complete_login`](client::Client::complete_login) for the PIN step,
//!   [`logout`](client::Client::logout) and
//!   [`is_authenticated`](client::Client::is_authenticated); they keep the
//!   token in the client and secrets out of `Debug`.
//! - Retries that never save a document twice (feature `client`): every
//!   method retries where it is safe (see `taxsdk_runtime::retry`), with
//!   one TransactionId per SaveInvoice / ActivateInvoice call, generated
//!   when the request has none; [`retry_policy`] adds the eAPI's -7 / -6
//!   protocol (polled through GetTransactionResult), and
//!   [`activate_saved`](client::Client::activate_saved) checks an
//!   activation whose outcome is unknown. A failed write says whether it
//!   may have happened (`Error::may_have_taken_effect`, with its
//!   TransactionId). [`login_with_renewal`](client::Client::login_with_renewal)
//!   logs a one-step account in again when its session expires.
//! - [`models::Invoice::builder`]: a new document with goods-line amounts
//!   and VAT computed and the document's rules checked ([`InvoiceBuilder`]).
//! - Constructors such as [`models::SaveInvoiceRequest::new`] (with an
//!   idempotency `TransactionId`) and list accessors such as
//!   [`models::ListInvoicesResponse::rows`].
//!
//! A complete flow against the local sandbox (`taxsdk-sandbox`; point
//! `base_url` at nothing, and the default is the real `https://eapi.rs.ge`):
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use rsge_eapi::client::Client;
//! use rsge_eapi::enums::{InvoiceCategory, InvoiceType, VatType};
//! use rsge_eapi::models::{Invoice, SaveInvoiceRequest};
//! use rsge_eapi::{GoodsUnit, LoginOutcome, SecretString, Tin};
//! use rust_decimal::Decimal;
//!
//! let sandbox = taxsdk_sandbox::eapi::spawn().await?;
//! let client = Client::builder()
//!     .base_url(sandbox.base_url())
//!     .retry_policy(rsge_eapi::retry_policy())
//!     .build()?;
//! let password = SecretString::from("123456");
//! match client.login("satesto2", &password, None).await? {
//!     LoginOutcome::LoggedIn { .. } => {}
//!     LoginOutcome::PinRequired { pin_token, .. } => {
//!         // In real life the user types the PIN from the SMS.
//!         let pin = SecretString::from(sandbox.last_pin("satesto2").unwrap_or_default());
//!         client.complete_login(&pin_token, &pin, Default::default()).await?;
//!     }
//! }
//! let invoice = Invoice::builder()
//!     .category(InvoiceCategory::GoodsServices)
//!     .invoice_type(InvoiceType::WithoutTransport)
//!     .operation_date(chrono::Local::now().naive_local())
//!     .seller(Tin::new("12345678910")?)
//!     .buyer(Tin::new("206322102")?)
//!     .add_goods("მაცივარი", GoodsUnit::piece(), Decimal::from(2), Decimal::from(900), VatType::Standard)
//!     .build()?;
//! let saved = client.save_invoice(&SaveInvoiceRequest::new(invoice)).await?;
//! assert!(saved.invoice_id.is_some());
//! client.logout().await?;
//! # Ok(())
//! # }
//! ```

// Generated code is formatted by the generator (prettyplease), not rustfmt.
#[rustfmt::skip]
mod generated;
pub use generated::*;

mod builder;
#[cfg(feature = "client")]
mod reliability;
mod requests;
#[cfg(feature = "client")]
mod session;
mod tin;

pub use builder::{
    GoodsLine, GoodsUnit, InvoiceBuildError, InvoiceBuilder, STANDARD_VAT_RATE, round_money,
    vat_included,
};
#[cfg(feature = "client")]
pub use reliability::{key_protocol, retry_policy};
#[cfg(feature = "client")]
pub use session::{DeviceInfo, LoginOutcome, PinToken};
pub use tin::{Tin, TinError};

/// Re-exported so that passwords and PINs are wrapped with the same
/// `secrecy` version the client expects.
#[cfg(feature = "client")]
pub use secrecy::{ExposeSecret, SecretString};

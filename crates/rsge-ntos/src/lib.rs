#![deny(missing_docs)]
//! Typed async client (and, with feature `server`, the server trait) of
//! RS.ge NtosService, the SOAP tax-invoice service, generated from
//! `spec/rsge-ntos/` (which follows the service's WSDL, [`WSDL`]).
//!
//! The modules below come from `src/generated/` (never edited by hand):
//! [`models`], [`enums`], [`endpoints`], [`client`] (feature `client`) and
//! `server` (feature `server`): one method per operation, named as the
//! operation (`chek`, `save_invoice`, `get_invoice_desc`...), taking the
//! operation's parameters as a `...Params` model and answering its reply as a
//! `...Response` model (the `result`, then the out parameters). DataTable
//! results are [`DataTable`](taxsdk_runtime::soap::DataTable)s of typed rows
//! (or of column-name-to-text maps where nobody documented the columns).
//!
//! The service user's credentials (`su`/`sp`) are not parameters: the client
//! holds them ([`Client::connect`](client::Client::connect), or the builder's
//! `service_user`) and adds them to every operation that takes them; the
//! password never shows in `Debug` or errors. `user_id`, which most
//! operations take, comes from `chek`
//! ([`check_service_user`](client::Client::check_service_user)).
//!
//! Hand-written on top of the generated code:
//!
//! - [`NtosError`]: the service's `false` results, `<= 0` lookups, refused
//!   service users and advance-invoice statuses as typed errors with their
//!   documented meaning; [`Outcome::ok`] on every reply with a `bool` result.
//! - Lookups un_id <-> TIN <-> name (feature `client`):
//!   [`un_id_from_tin`](client::Client::un_id_from_tin),
//!   [`tin_from_un_id`](client::Client::tin_from_un_id),
//!   [`org_name_from_un_id`](client::Client::org_name_from_un_id),
//!   [`own_un_id`](client::Client::own_un_id).
//! - [`unset_date`]: the service's "no date" (`0001-01-01T00:00:00`).
//! - [`save_new_invoice`](client::Client::save_new_invoice) (feature
//!   `client`): a new invoice saved exactly once even when the network
//!   fails half-way (the service has no idempotency key: on an unknown
//!   outcome it looks the invoice up, and saves again only when it is not
//!   there).
//!
//! Retries: reads (`get_*`, `chek`, `print_invoices`, `what_is_my_ip`) are
//! repeated after passing failures under the client's `RetryPolicy`
//! (`Client::builder().retry_policy(..)`); writes only when the request
//! cannot have reached the service, else they end in
//! `taxsdk_runtime::Error::OutcomeUnknown` (see `taxsdk_runtime::retry`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), rsge_ntos::NtosError> {
//! use rsge_ntos::client::Client;
//! use rsge_ntos::{Outcome, SecretString};
//!
//! let client = Client::connect(
//!     "https://www.revenue.mof.ge",
//!     "tbilisi:206322102",
//!     SecretString::from("123456"),
//! )?;
//! let ids = client.check_service_user().await?;
//! let buyer = client.un_id_from_tin(ids.user_id, "12345678910").await?;
//! let saved = client
//!     .save_invoice(&rsge_ntos::models::SaveInvoiceParams {
//!         user_id: ids.user_id,
//!         invoice_id: 0,
//!         operation_date: chrono::Local::now().naive_local(),
//!         seller_un_id: client.own_un_id(ids.user_id).await?,
//!         buyer_un_id: buyer.un_id,
//!         overhead_no: Some(String::new()),
//!         overhead_dt: rsge_ntos::unset_date(),
//!         b_s_user_id: 0,
//!     })
//!     .await?
//!     .ok()?;
//! println!("invoice {}", saved.invoice_id);
//! # Ok(()) }
//! ```

// Generated code is formatted by the generator (prettyplease), not rustfmt.
#[rustfmt::skip]
mod generated;
pub use generated::*;

mod errors;
#[cfg(feature = "client")]
mod invoices;
#[cfg(feature = "client")]
mod session;

pub use errors::{ADVANCE_SUCCESS, NtosError, Outcome};
#[cfg(feature = "client")]
pub use session::{ServiceUserIds, Taxpayer, check_tin};

/// Re-exported so that passwords are wrapped with the same `secrecy`
/// version the client expects.
#[cfg(feature = "client")]
pub use secrecy::{ExposeSecret, SecretString};

/// The service's "no date": `0001-01-01T00:00:00` (.NET's
/// `DateTime.MinValue`), which it answers for unset dates and reads as "no
/// bound" in list filters.
pub fn unset_date() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(1, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

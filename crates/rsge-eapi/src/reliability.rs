//! What the eAPI adds to the runtime's retries ([`taxsdk_runtime::retry`]):
//! its TransactionId protocol, session renewal for one-step accounts, and
//! an activation that checks what happened instead of guessing.
//!
//! Every generated method already retries where it is safe: reads
//! (`Get*`, `List*`) after passing failures, and SaveInvoice /
//! ActivateInvoice (save and activate, ID 0) with one TransactionId for
//! all attempts, generated when the request has none. [`retry_policy`]
//! adds what the metadata cannot say yet: -7 ("still running") is polled
//! through GetTransactionResult until final, -6 there means the first call
//! failed and is sent again, ActivateInvoice by ID ignores its
//! TransactionId (so it is never repeated blindly; see
//! [`Client::activate_saved`]), and a repeated Authenticate only opens
//! another session.
//!
//! ```no_run
//! # async fn demo() -> Result<(), taxsdk_runtime::Error> {
//! use rsge_eapi::client::Client;
//! let client = Client::builder()
//!     .retry_policy(rsge_eapi::retry_policy())
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use taxsdk_runtime::client::Transport;
use taxsdk_runtime::retry::{BoxFuture, KeyProtocol, Reauthenticate, RetryPolicy};
use taxsdk_runtime::serde_json::Value;
use taxsdk_runtime::{Endpoint, EndpointMeta, Error};

use crate::client::Client;
use crate::endpoints;
use crate::enums::SellerAction;
use crate::models::{ActivateInvoiceRequest, ActivateInvoiceResponse, GetInvoiceRequest};
use crate::session::LoginOutcome;

/// -7: a call with this TransactionId is still running.
const IN_PROGRESS: i64 = -7;
/// -6 (GetTransactionResult): no call with this TransactionId is known.
const UNKNOWN_TRANSACTION: i64 = -6;

/// The eAPI's TransactionId protocol, for [`RetryPolicy::key_protocol`].
pub fn key_protocol() -> KeyProtocol {
    KeyProtocol {
        in_progress_code: IN_PROGRESS,
        unknown_code: Some(UNKNOWN_TRANSACTION),
        result: endpoints::GetTransactionResult::META,
        result_key_field: "TransactionId",
        applies: transaction_id_applies,
    }
}

/// The runtime's default policy with the eAPI's TransactionId protocol, and
/// Authenticate treated as safe to repeat. Use it with
/// `Client::builder().retry_policy(..)`; adjust attempts and times with
/// the [`RetryPolicy`] methods.
pub fn retry_policy() -> RetryPolicy {
    RetryPolicy::default()
        .key_protocol(key_protocol())
        .treat_as_read([endpoints::Authenticate::META.name])
}

/// Whether the service honours the TransactionId of this request: always
/// for SaveInvoice; for ActivateInvoice only when it saves a new document
/// (INVOICE.ID 0), as the document says.
fn transaction_id_applies(endpoint: &EndpointMeta, request: &[u8]) -> bool {
    /// Just `INVOICE.ID` of the encoded request; everything else is skipped.
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "INVOICE")]
        invoice: Option<InvoiceId>,
    }
    #[derive(serde::Deserialize)]
    struct InvoiceId {
        #[serde(rename = "ID")]
        id: Option<Value>,
    }
    if endpoint.name != endpoints::ActivateInvoice::META.name {
        return true;
    }
    serde_json::from_slice::<Probe>(request)
        .ok()
        .and_then(|probe| probe.invoice?.id)
        .and_then(|id| id.as_i64())
        == Some(0)
}

/// Logs in again with a one-step account's credentials.
struct Relogin {
    username: String,
    password: SecretString,
}

impl fmt::Debug for Relogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Relogin")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Reauthenticate for Relogin {
    fn reauthenticate<'a>(&'a self, transport: &'a Transport) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let client = Client::from(transport.clone());
            match client.sign_in(&self.username, &self.password, None).await? {
                LoginOutcome::LoggedIn { .. } => Ok(()),
                // Never prompt behind the caller's back: the session stays
                // expired and the call fails with SessionExpired.
                LoginOutcome::PinRequired { .. } => Err(Error::Config(format!(
                    "user `{}` now needs a PIN to log in: the session cannot be renewed without the user",
                    self.username
                ))),
            }
        })
    }
}

impl Client {
    /// Log in like [`Client::login`] without a device code and, when the
    /// account logs in in one step, keep the user name and password (in
    /// memory, as secrets) to log in again by itself when the service says
    /// the session expired (-104): the refused call is then repeated once.
    ///
    /// A two-step account answers [`LoginOutcome::PinRequired`] and nothing
    /// is kept: a session that needed a PIN is never renewed behind the
    /// user's back; when it expires, calls fail with
    /// [`Error::SessionExpired`]. [`Client::login`],
    /// [`Client::complete_login`] and [`Client::logout`] forget the kept
    /// credentials.
    pub async fn login_with_renewal(
        &self,
        username: &str,
        password: &SecretString,
    ) -> Result<LoginOutcome, Error> {
        let outcome = self.sign_in(username, password, None).await?;
        if outcome.is_logged_in() {
            let renewer = Relogin {
                username: username.trim().to_string(),
                password: SecretString::from(password.expose_secret().to_string()),
            };
            self.transport()
                .set_reauthenticator(Some(Arc::new(renewer)));
        }
        Ok(outcome)
    }

    /// Activate the saved document `id` (ActivateInvoice with its ID) and
    /// make sure of the outcome. The service ignores a TransactionId here,
    /// so the call is not repeated blindly: when its outcome is unknown,
    /// GetInvoice tells whether the document is active (then this returns
    /// its state as the reply) or still saved (then it is activated again,
    /// up to the retry policy's attempts). Activating twice cannot create
    /// anything: at worst the second answer is -2.
    ///
    /// Errors: the service's refusal as it came; [`Error::OutcomeUnknown`]
    /// when even GetInvoice could not tell.
    pub async fn activate_saved(&self, id: i64) -> Result<ActivateInvoiceResponse, Error> {
        let request = ActivateInvoiceRequest::saved(id);
        let attempts = self.transport().retry_policy().attempts();
        let mut tries = 0;
        loop {
            tries += 1;
            let error = match self.activate_invoice(&request).await {
                Ok(reply) => return Ok(reply),
                Err(e) if e.may_have_taken_effect() => e,
                Err(e) => return Err(e),
            };
            let Ok(found) = self.get_invoice(&GetInvoiceRequest::by_id(id)).await else {
                return Err(error);
            };
            let Some(invoice) = found.invoice else {
                return Err(error);
            };
            match invoice.seller_action {
                Some(SellerAction::Sent | SellerAction::Cancelled | SellerAction::Corrected) => {
                    return Ok(ActivateInvoiceResponse {
                        invoice_id: Some(invoice.id),
                        invoice_number: invoice.inv_number,
                        seller_action: invoice.seller_action,
                        buyer_action: invoice.buyer_action,
                    });
                }
                // Still saved: the activation did not happen, so doing it
                // again is safe.
                Some(SellerAction::Saved) | None if tries < attempts => {}
                _ => return Err(error),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use taxsdk_runtime::retry::Safety;
    use taxsdk_runtime::{Endpoint, EndpointVisitor};

    /// Every endpoint's class under the eAPI policy: the runtime's naming
    /// rule must match what each method does.
    #[test]
    fn every_endpoint_is_classified() {
        struct Collect(Vec<(&'static str, Safety)>);
        impl EndpointVisitor for Collect {
            fn visit<E: Endpoint>(&mut self) {
                self.0.push((E::META.name, retry_policy().safety(&E::META)));
            }
        }
        let mut seen = Collect(Vec::new());
        endpoints::visit(&mut seen);
        let of = |class: Safety| {
            seen.0
                .iter()
                .filter(|(_, s)| *s == class)
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            of(Safety::Read),
            [
                "Authenticate",
                "GetVatPayerStatus",
                "GetOrgInfoByTin",
                "GetUnits",
                "GetTransactionResult",
                "GetActions",
                "GetInvoice",
                "ListInvoices",
                "ListGoods",
                "ListExcise",
                "ListBarCodes",
                "GetBarCode",
                "GetSeqNum",
            ]
        );
        assert_eq!(of(Safety::Keyed), ["SaveInvoice", "ActivateInvoice"]);
        assert_eq!(
            of(Safety::Write),
            [
                "AuthenticatePin",
                "SignOut",
                "ActivateInvoices",
                "DeleteInvoice",
                "CancelInvoice",
                "RefuseInvoice",
                "RefuseInvoices",
                "ConfirmInvoice",
                "ConfirmInvoices",
                "ClearBarCodes",
                "CreateDecl",
            ]
        );
    }

    #[test]
    fn activate_by_id_ignores_the_transaction_id() {
        let meta = endpoints::ActivateInvoice::META;
        let by_id = br#"{"INVOICE":{"ID":918,"GOODS":[{"ID":0}]}}"#;
        let new = br#"{"INVOICE":{"ID":0},"TransactionId":"t"}"#;
        assert!(!transaction_id_applies(&meta, by_id));
        assert!(transaction_id_applies(&meta, new));
        assert!(!transaction_id_applies(&meta, b"{}"));
        assert!(!transaction_id_applies(&meta, br#"{"INVOICE":{"ID":"0"}}"#));
        assert!(transaction_id_applies(&endpoints::SaveInvoice::META, by_id));
    }

    #[test]
    fn relogin_debug_hides_the_password() {
        let relogin = Relogin {
            username: "tbilisi".into(),
            password: SecretString::from("s3cret-pass"),
        };
        let text = format!("{relogin:?}");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("tbilisi"), "{text}");
    }
}

//! [`NtosError`]: what NtosService reports without error codes (a `false`
//! result, a result <= 0, a rejected service user, an advance operation's
//! non-200 status) as typed errors, next to the runtime's transport, fault
//! and decoding errors.

use std::fmt;

use taxsdk_runtime::Error;

use crate::models::*;

/// Everything a call of NtosService through this crate's helpers can fail
/// with. Secrets never appear in it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NtosError {
    /// The call itself failed: no reply, an HTTP error, a SOAP fault (a
    /// server exception), or a reply that cannot be read.
    #[error(transparent)]
    Call(#[from] Error),
    /// `chek` answered false: the service user's name or password is wrong,
    /// or the call comes from an IP the service user is not bound to.
    #[error(
        "{operation}: the service refused the service user `{user}` (chekResult false): wrong su/sp, or a call from an IP the service user is not bound to"
    )]
    BadCredentials {
        /// The operation (`chek`).
        operation: &'static str,
        /// The service user's name (never the password).
        user: String,
    },
    /// A write operation answered `false`. The service never says why: wrong
    /// su/sp or user_id, no rights on the invoice, an unknown id, or a rule
    /// of the operation (e.g. a status change the invoice's status does not
    /// allow).
    #[error(
        "{operation} answered false: the service refused it without a reason (wrong su/sp or user_id, no rights, an unknown id, or a transition the invoice's status does not allow)"
    )]
    Refused {
        /// The operation, e.g. `change_invoice_status`.
        operation: &'static str,
    },
    /// A lookup answered a value <= 0 (or nothing): the documented "not
    /// found" sentinels.
    #[error("{operation}: {what} not found (result {code}: {meaning})")]
    NotFound {
        /// The operation, e.g. `get_un_id_from_tin`.
        operation: &'static str,
        /// What was looked up, e.g. `TIN 206322102`.
        what: String,
        /// The sentinel the service answered (0 or -1; -1 also for an
        /// empty answer).
        code: i64,
        /// What the spec says the sentinel means.
        meaning: &'static str,
    },
    /// An advance-invoice operation answered a `Status` other than "200".
    #[error("{operation}: status {status}: {message}")]
    AdvanceStatus {
        /// The operation, e.g. `attach_advance_invoice`.
        operation: &'static str,
        /// The `Status` the service answered (`""` when absent).
        status: String,
        /// Its `Message` (`""` when absent).
        message: String,
    },
    /// An argument was refused before calling the service.
    #[error("invalid {field} `{value}`: {rule}")]
    InvalidInput {
        /// The parameter.
        field: &'static str,
        /// The value given (never a secret).
        value: String,
        /// What it must be.
        rule: &'static str,
    },
}

impl NtosError {
    /// The "not found" error of `operation` for sentinel `code`, with the
    /// spec's meaning of the code.
    pub fn not_found(operation: &'static str, what: impl Into<String>, code: i64) -> Self {
        let meaning = crate::SERVICE
            .error(code)
            .or_else(|| crate::SERVICE.error(-1))
            .map_or("not found", |e| e.meaning);
        NtosError::NotFound {
            operation,
            what: what.into(),
            code,
            meaning,
        }
    }

    /// The sentinel code of a [`NtosError::NotFound`].
    pub fn code(&self) -> Option<i64> {
        match self {
            NtosError::NotFound { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether this is [`NtosError::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, NtosError::NotFound { .. })
    }
}

/// Replies whose result is a `bool`: `false` means the service refused.
pub trait Outcome: Sized {
    /// The operation, e.g. `save_invoice`.
    const OPERATION: &'static str;

    /// The `{operation}Result` flag.
    fn succeeded(&self) -> bool;

    /// The reply, or [`NtosError::Refused`] when its result is `false`.
    fn ok(self) -> Result<Self, NtosError> {
        if self.succeeded() {
            Ok(self)
        } else {
            Err(NtosError::Refused {
                operation: Self::OPERATION,
            })
        }
    }
}

macro_rules! outcomes {
    ($($reply:ident => $operation:literal,)*) => {$(
        impl Outcome for $reply {
            const OPERATION: &'static str = $operation;
            fn succeeded(&self) -> bool {
                self.result
            }
        }
    )*};
}

outcomes! {
    CreateSerUserResponse => "create_ser_user",
    UpdateSerUserResponse => "update_ser_user",
    ChekResponse => "chek",
    SaveInvoiceResponse => "save_invoice",
    SaveInvoiceNResponse => "save_invoice_n",
    SaveInvoiceAResponse => "save_invoice_a",
    GetInvoiceResponse => "get_invoice",
    SaveInvoiceDescResponse => "save_invoice_desc",
    DeleteInvoiceDescResponse => "delete_invoice_desc",
    SaveNtosInvoicesInvNosResponse => "save_ntos_invoices_inv_nos",
    DeleteNtosInvoicesInvNosResponse => "delete_ntos_invoices_inv_nos",
    ChangeInvoiceStatusResponse => "change_invoice_status",
    AcseptInvoiceStatusResponse => "acsept_invoice_status",
    RefInvoiceStatusResponse => "ref_invoice_status",
    KInvoiceResponse => "k_invoice",
    GInvoiceResponse => "g_invoice",
    GetMakoreqtirebeliResponse => "get_makoreqtirebeli",
    AddInvToDeclResponse => "add_inv_to_decl",
    SaveInvoiceRequestResponse => "save_invoice_request",
    DelInvoiceRequestResponse => "del_invoice_request",
    GetInvoiceRequestResponse => "get_invoice_request",
    AcseptInvoiceRequestStatusResponse => "acsept_invoice_request_status",
    GetSellerFilterCountResponse => "get_seller_filter_count",
    GetBuyerFilterCountResponse => "get_buyer_filter_count",
}

/// The `Status` of an advance-invoice reply that means success.
pub const ADVANCE_SUCCESS: &str = "200";

impl Response {
    /// Whether `Status` is "200".
    pub fn succeeded(&self) -> bool {
        self.status.as_deref().map(str::trim) == Some(ADVANCE_SUCCESS)
    }

    /// The reply, or [`NtosError::AdvanceStatus`] with its status and
    /// message when `Status` is not "200".
    pub fn ok(self, operation: &'static str) -> Result<Self, NtosError> {
        if self.succeeded() {
            return Ok(self);
        }
        Err(NtosError::AdvanceStatus {
            operation,
            status: self.status.unwrap_or_default(),
            message: self.message.unwrap_or_default(),
        })
    }
}

impl fmt::Display for crate::enums::InvoiceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.label_en() {
            Some(label) => write!(f, "{} ({label})", self.code()),
            None => write!(f, "{}", self.code()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_and_not_found_say_what_and_why() {
        let reply = ChangeInvoiceStatusResponse { result: false };
        let err = reply.ok().unwrap_err();
        assert!(
            err.to_string()
                .starts_with("change_invoice_status answered false"),
            "{err}"
        );
        let err = NtosError::not_found("get_un_id_from_tin", "TIN 000000000", -1);
        assert_eq!(err.code(), Some(-1));
        assert!(err.is_not_found());
        assert!(
            err.to_string()
                .contains("TIN 000000000 not found (result -1: Not found or not assigned"),
            "{err}"
        );
        let zero = NtosError::not_found("get_invoice_id", "AA 1", 0);
        assert!(zero.to_string().contains("result 0: Not found"), "{zero}");
    }

    #[test]
    fn advance_status() {
        let ok = Response {
            status: Some("200".into()),
            message: None,
        };
        assert!(ok.ok("attach_advance_invoice").is_ok());
        let err = Response {
            status: Some("400".into()),
            message: Some("no such advance".into()),
        }
        .ok("attach_advance_invoice")
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "attach_advance_invoice: status 400: no such advance"
        );
    }

    #[test]
    fn status_display() {
        use crate::enums::InvoiceStatus;
        assert_eq!(InvoiceStatus::Sent.to_string(), "1 (Sent to the buyer)");
        assert_eq!(InvoiceStatus::Unknown(42).to_string(), "42");
    }
}

//! Short constructors for the generated requests and accessors for the list
//! replies, so that common calls read as one line and the service's
//! conventions (transaction ids, `{"ID": n}` wrappers, optional tables) are
//! applied in one place.

use chrono::NaiveDateTime;
use taxsdk_runtime::wire::YearMonth;

use crate::enums::SellerAction;
use crate::models::{
    ActivateInvoiceRequest, ActivateInvoicesRequest, CancelInvoiceRequest, ConfirmInvoiceRequest,
    ConfirmInvoicesRequest, CreateDeclRequest, DeleteInvoiceRequest, GetInvoiceRequest,
    GetOrgInfoByTinRequest, GetTransactionResultRequest, GetVatPayerStatusRequest, Invoice,
    InvoiceGoods, InvoiceIdItem, InvoiceRef, ListBarCodesResponse, ListBarCodesRow,
    ListExciseResponse, ListExciseRow, ListGoodsRequest, ListGoodsResponse, ListInvoicesResponse,
    ListInvoicesRow, RefuseInvoiceRequest, RefuseInvoicesRequest, SaveInvoiceRequest,
};
use crate::tin::Tin;

/// A fresh `TransactionId`: a random GUID, as in the document's example.
fn new_transaction_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn id_items(ids: impl IntoIterator<Item = i64>) -> Option<Vec<InvoiceIdItem>> {
    Some(ids.into_iter().map(|id| InvoiceIdItem { id }).collect())
}

impl SaveInvoiceRequest {
    /// Save `invoice` under a fresh random `TransactionId`: sending this same
    /// request again (e.g. after a timeout) cannot save the document twice;
    /// the service answers with the first call's reply instead. (The client
    /// also adds one to a request without, for its own retries; creating it
    /// here lets you keep it.)
    pub fn new(invoice: Invoice) -> Self {
        SaveInvoiceRequest {
            invoice,
            transaction_id: Some(new_transaction_id()),
        }
    }

    /// Use your own `TransactionId` (e.g. one stored with your order), so that
    /// a retry after a restart is recognised too.
    #[must_use]
    pub fn with_transaction_id(mut self, transaction_id: impl Into<String>) -> Self {
        self.transaction_id = Some(transaction_id.into());
        self
    }
}

impl ActivateInvoiceRequest {
    /// Activate the saved document `id` (only the ID is sent; changes to
    /// other fields would be ignored by the service anyway).
    pub fn saved(id: i64) -> Self {
        ActivateInvoiceRequest {
            invoice: Some(Invoice {
                id,
                ..Invoice::default()
            }),
            transaction_id: None,
        }
    }

    /// Save and activate a new document in one call (ID 0, `SELLER_ACTION`
    /// 1), under a fresh random `TransactionId` as in
    /// [`SaveInvoiceRequest::new`].
    pub fn save_and_activate(mut invoice: Invoice) -> Self {
        invoice.id = 0;
        invoice.seller_action = Some(SellerAction::Sent);
        ActivateInvoiceRequest {
            invoice: Some(invoice),
            transaction_id: Some(new_transaction_id()),
        }
    }

    /// Use your own `TransactionId` instead of the generated one.
    #[must_use]
    pub fn with_transaction_id(mut self, transaction_id: impl Into<String>) -> Self {
        self.transaction_id = Some(transaction_id.into());
        self
    }
}

impl GetTransactionResultRequest {
    /// Ask for the stored reply of the call made with `transaction_id`.
    pub fn new(transaction_id: impl Into<String>) -> Self {
        GetTransactionResultRequest {
            transaction_id: transaction_id.into(),
        }
    }
}

impl GetInvoiceRequest {
    /// The document with this id.
    pub fn by_id(invoice_id: i64) -> Self {
        GetInvoiceRequest {
            invoice_id,
            ..GetInvoiceRequest::default()
        }
    }

    /// The document with this number (`InvoiceID` 0).
    pub fn by_number(invoice_number: i64) -> Self {
        GetInvoiceRequest {
            invoice_number: Some(invoice_number),
            ..GetInvoiceRequest::default()
        }
    }
}

macro_rules! by_id_requests {
    ($($request:ident: $what:literal;)*) => {$(
        impl $request {
            #[doc = concat!("The document `id` to ", $what, " (only its ID is sent).")]
            pub fn new(id: i64) -> Self {
                $request {
                    invoice: Some(InvoiceRef { id }),
                }
            }
        }
    )*};
}

by_id_requests! {
    DeleteInvoiceRequest: "delete";
    CancelInvoiceRequest: "request the cancellation of";
    RefuseInvoiceRequest: "refuse";
    ConfirmInvoiceRequest: "confirm";
}

macro_rules! batch_requests {
    ($($request:ident: $what:literal;)*) => {$(
        impl $request {
            #[doc = concat!("The documents to ", $what, ", by ID.")]
            pub fn new(ids: impl IntoIterator<Item = i64>) -> Self {
                $request {
                    invoices: id_items(ids),
                }
            }
        }
    )*};
}

batch_requests! {
    ActivateInvoicesRequest: "activate";
    RefuseInvoicesRequest: "refuse";
    ConfirmInvoicesRequest: "confirm";
    ListGoodsRequest: "return with their goods";
}

impl CreateDeclRequest {
    /// Attach the documents `ids` to the declaration of `period`.
    pub fn new(ids: impl IntoIterator<Item = i64>, period: YearMonth) -> Self {
        CreateDeclRequest {
            invoices: id_items(ids),
            operation_period: Some(period),
        }
    }
}

impl GetOrgInfoByTinRequest {
    /// Look up `tin` (a checked [`Tin`], so a typo fails before the call).
    pub fn new(tin: &Tin) -> Self {
        GetOrgInfoByTinRequest {
            tin: tin.as_str().to_string(),
        }
    }
}

impl GetVatPayerStatusRequest {
    /// Whether `tin` was a VAT payer at `date` (the service needs the date).
    pub fn new(tin: &Tin, date: NaiveDateTime) -> Self {
        GetVatPayerStatusRequest {
            tin: tin.clone(),
            vat_date: date,
        }
    }
}

macro_rules! table_replies {
    ($($response:ident => $row:ident;)*) => {$(
        impl $response {
            /// The rows; none when the reply has no table.
            pub fn rows(&self) -> std::slice::Iter<'_, $row> {
                self.data.as_ref().map_or(&[][..], |t| &t.rows[..]).iter()
            }

            /// The rows, owned; empty when the reply has no table.
            pub fn into_rows(self) -> Vec<$row> {
                self.data.map(|t| t.rows).unwrap_or_default()
            }

            /// How many records match the filter (`Summary._Count`), which
            /// can exceed the rows returned when `MAXIMUM_ROWS` cut them.
            pub fn total_count(&self) -> Option<i64> {
                self.summary.as_ref().and_then(|s| s.count)
            }
        }
    )*};
}

table_replies! {
    ListInvoicesResponse => ListInvoicesRow;
    ListExciseResponse => ListExciseRow;
    ListBarCodesResponse => ListBarCodesRow;
}

impl ListGoodsResponse {
    /// The documents, without their `{"INVOICE": ...}` wrappers.
    pub fn invoices(&self) -> impl Iterator<Item = &Invoice> {
        self.invoices
            .iter()
            .flatten()
            .filter_map(|item| item.invoice.as_ref())
    }

    /// The documents, owned, without their wrappers.
    pub fn into_invoices(self) -> Vec<Invoice> {
        self.invoices
            .into_iter()
            .flatten()
            .filter_map(|item| item.invoice)
            .collect()
    }
}

impl Invoice {
    /// The goods lines (`INVOICE_GOODS`); empty when absent.
    pub fn goods(&self) -> &[InvoiceGoods] {
        self.invoice_goods.as_deref().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_request_carries_a_fresh_transaction_id() {
        let a = SaveInvoiceRequest::new(Invoice::default());
        let b = SaveInvoiceRequest::new(Invoice::default());
        let id = a.transaction_id.clone().unwrap();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        assert_ne!(a.transaction_id, b.transaction_id);
        let own = a.with_transaction_id("order-17");
        assert_eq!(own.transaction_id.as_deref(), Some("order-17"));
    }

    #[test]
    fn id_wrappers_match_the_wire() {
        let json = serde_json::to_string(&ActivateInvoicesRequest::new([7624, 7625])).unwrap();
        assert_eq!(json, r#"{"Invoices":[{"ID":7624},{"ID":7625}]}"#);
        let json = serde_json::to_string(&DeleteInvoiceRequest::new(918)).unwrap();
        assert_eq!(json, r#"{"INVOICE":{"ID":918}}"#);
        let json = serde_json::to_string(&GetInvoiceRequest::by_id(7624)).unwrap();
        assert_eq!(json, r#"{"InvoiceID":7624,"parentInvoiceID":0}"#);
        let json = serde_json::to_string(&ActivateInvoiceRequest::saved(918)).unwrap();
        assert_eq!(json, r#"{"INVOICE":{"ID":918}}"#);
        let period = YearMonth::new(2019, 1).unwrap();
        let json = serde_json::to_string(&CreateDeclRequest::new([1], period)).unwrap();
        assert_eq!(
            json,
            r#"{"Invoices":[{"ID":1}],"OperationPeriod":"201901"}"#
        );
    }

    #[test]
    fn table_accessors_tolerate_absent_tables() {
        let empty = ListInvoicesResponse::default();
        assert_eq!(empty.rows().count(), 0);
        assert_eq!(empty.total_count(), None);
        let reply: ListInvoicesResponse = serde_json::from_str(
            r#"{"Data": {"Fields": ["ID", "INV_NUMBER"], "Rows": [[28361.0, "74032"], [28359.0, null]]},
                "Summary": {"_Count": 32.0}}"#,
        )
        .unwrap();
        assert_eq!(reply.rows().count(), 2);
        assert_eq!(reply.total_count(), Some(32));
        assert_eq!(reply.into_rows().len(), 2);
    }

    #[test]
    fn list_goods_unwraps_invoices() {
        let reply: ListGoodsResponse = serde_json::from_str(
            r#"{"INVOICES": [{"INVOICE": {"ID": 7624, "INVOICE_GOODS": [{"ID": 1, "INVOICE_ID": 7624}]}}, {}]}"#,
        )
        .unwrap();
        let ids: Vec<i64> = reply.invoices().map(|i| i.id).collect();
        assert_eq!(ids, vec![7624]);
        assert_eq!(reply.invoices().next().unwrap().goods().len(), 1);
        assert_eq!(reply.into_invoices().len(), 1);
        assert!(Invoice::default().goods().is_empty());
    }
}

//! Saving a new invoice over an unreliable network without ever creating it
//! twice: [`Client::save_new_invoice`].

use chrono::{NaiveDateTime, NaiveTime};
use taxsdk_runtime::Error;

use crate::client::Client;
use crate::enums::InvoiceStatus;
use crate::models::*;
use crate::{NtosError, Outcome, unset_date};

/// How many of the newest matching drafts are checked for lines.
const CANDIDATES: usize = 3;

impl Client {
    /// `save_invoice` of a new invoice (`invoice_id` 0): the id of the one
    /// invoice it created, also when the network fails half-way.
    ///
    /// NtosService has no idempotency key, so the client never repeats a
    /// write whose request may have reached the service: such a call ends
    /// in [`Error::OutcomeUnknown`] (see `taxsdk_runtime::retry`). For this
    /// one write the service lets us find out, and this method does:
    ///
    /// 1. It lists the seller's invoices of the operation date
    ///    (`get_seller_invoices` with `op_s_dt`/`op_e_dt` on that day; a
    ///    read, repeated after passing failures) and looks, newest first,
    ///    for what this save creates: a draft (status 0, never rejected) of
    ///    the same seller and buyer, operation day, `overhead_no` and
    ///    `b_s_user_id`, without lines (`get_invoice_desc`; the three
    ///    newest such drafts are checked). Found: its id is the answer.
    /// 2. Not found: the save did not take effect, and it is sent once
    ///    more. If that one's outcome is unknown too, the lookup runs again;
    ///    still nothing: the error behind it (e.g. the HTTP 500 page) is
    ///    returned, whose `may_have_taken_effect()` is false: the invoice
    ///    does not exist, and calling this method again is safe.
    ///
    /// If a lookup fails (the network is down), the
    /// [`Error::OutcomeUnknown`] is returned as it is: the invoice may
    /// exist, so look for it (or call this method again, which does)
    /// before saving it another way.
    ///
    /// Limits: an empty draft with the same header is taken for this
    /// save's own. It is one, unless the same seller saves identical empty
    /// drafts at the same time elsewhere (then two callers may get the same
    /// draft), or left one behind earlier (then that one is reused instead
    /// of a new one being made: no duplicate either way). Note
    /// (`save_invoice_n`) and advance (`save_invoice_a`) invoices are not
    /// covered.
    ///
    /// Errors: `invoice_id` other than 0 is [`NtosError::InvalidInput`]
    /// (edit a draft with `save_invoice`, which is safe to repeat by hand);
    /// a `false` result is [`NtosError::Refused`].
    pub async fn save_new_invoice(&self, params: &SaveInvoiceParams) -> Result<i64, NtosError> {
        if params.invoice_id != 0 {
            return Err(NtosError::InvalidInput {
                field: "invois_id",
                value: params.invoice_id.to_string(),
                rule: "save_new_invoice creates an invoice: invois_id must be 0 (edit a draft with save_invoice)",
            });
        }
        let mut retried = false;
        loop {
            let unknown = match self.save_invoice(params).await {
                Ok(reply) => return Ok(reply.ok()?.invoice_id),
                Err(e) if e.may_have_taken_effect() => e,
                Err(e) => return Err(e.into()),
            };
            match self.find_new_draft(params).await {
                Ok(Some(id)) => return Ok(id),
                // Not created: send it (once more).
                Ok(None) if !retried => retried = true,
                // Not created, twice: the error is what it was.
                Ok(None) => {
                    return Err(match unknown {
                        Error::OutcomeUnknown { source, .. } => (*source).into(),
                        other => other.into(),
                    });
                }
                Err(_) => return Err(unknown.into()),
            }
        }
    }

    /// The newest draft without lines that `params` (a new invoice) would
    /// have created, if any; see [`Client::save_new_invoice`].
    async fn find_new_draft(&self, params: &SaveInvoiceParams) -> Result<Option<i64>, Error> {
        let day = params.operation_date.date();
        let (first, last) = (
            day.and_time(NaiveTime::MIN),
            day.and_hms_opt(23, 59, 59)
                .unwrap_or_else(|| day.and_time(NaiveTime::MIN)),
        );
        let listed = self
            .get_seller_invoices(&GetSellerInvoicesParams {
                user_id: params.user_id,
                un_id: params.seller_un_id,
                s_dt: unset_date(),
                e_dt: unset_date(),
                op_s_dt: first,
                op_e_dt: last,
                invoice_no: None,
                sa_ident_no: None,
                desc: None,
                doc_mos_nom: None,
            })
            .await?;
        let mut candidates: Vec<i64> = listed
            .result
            .rows
            .iter()
            .filter(|row| is_new_draft_of(row, params))
            .filter_map(|row| row.id)
            .collect();
        candidates.sort_unstable_by(|a, b| b.cmp(a));
        for id in candidates.into_iter().take(CANDIDATES) {
            let lines = self
                .get_invoice_desc(&GetInvoiceDescParams {
                    user_id: params.user_id,
                    invoice_id: id,
                })
                .await?;
            if lines.result.rows.is_empty() {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }
}

/// Whether `row` is a draft with the header `params` saves: status 0, not
/// rejected, same seller (when listed) and buyer, operation day, waybill
/// number and `b_s_user_id`.
fn is_new_draft_of(row: &InvoiceRow, params: &SaveInvoiceParams) -> bool {
    let text = |value: Option<&str>| value.map(str::trim).unwrap_or("").to_owned();
    let same_day = |listed: Option<NaiveDateTime>| {
        listed.is_none_or(|d| d.date() == params.operation_date.date())
    };
    row.status == Some(InvoiceStatus::Saved)
        && row.was_ref != Some(true)
        && row.seller_un_id.is_none_or(|s| s == params.seller_un_id)
        && row.buyer_un_id == Some(params.buyer_un_id)
        && same_day(row.operation_dt)
        && text(row.overhead_no.as_deref()) == text(params.overhead_no.as_deref())
        && row.b_s_user_id.unwrap_or(0) == params.b_s_user_id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> SaveInvoiceParams {
        SaveInvoiceParams {
            user_id: 783,
            invoice_id: 0,
            operation_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 15)
                .and_then(|d| d.and_hms_opt(10, 30, 0))
                .unwrap(),
            seller_un_id: 731_937,
            buyer_un_id: 1_149_251,
            overhead_no: Some(String::new()),
            overhead_dt: unset_date(),
            b_s_user_id: 0,
        }
    }

    fn draft() -> InvoiceRow {
        InvoiceRow {
            id: Some(7),
            status: Some(InvoiceStatus::Saved),
            seller_un_id: Some(731_937),
            buyer_un_id: Some(1_149_251),
            // Only the day counts: the service may keep the time or not.
            operation_dt: chrono::NaiveDate::from_ymd_opt(2026, 1, 15)
                .and_then(|d| d.and_hms_opt(0, 0, 0)),
            b_s_user_id: Some(0),
            ..InvoiceRow::default()
        }
    }

    #[test]
    fn a_draft_matches_only_the_header_it_was_saved_with() {
        let p = params();
        assert!(is_new_draft_of(&draft(), &p));
        let differs: [fn(&mut InvoiceRow); 7] = [
            |r| r.status = Some(InvoiceStatus::Sent),
            |r| r.was_ref = Some(true),
            |r| r.seller_un_id = Some(1),
            |r| r.buyer_un_id = Some(1),
            |r| r.operation_dt = r.operation_dt.map(|d| d + chrono::Days::new(1)),
            |r| r.overhead_no = Some("A-1".into()),
            |r| r.b_s_user_id = Some(5),
        ];
        for (n, change) in differs.iter().enumerate() {
            let mut row = draft();
            change(&mut row);
            assert!(!is_new_draft_of(&row, &p), "change {n}");
        }
    }

    #[tokio::test]
    async fn only_new_invoices() {
        let client = Client::connect(
            "http://127.0.0.1:9",
            "tbilisi:206322102",
            crate::SecretString::from("123456"),
        )
        .unwrap();
        let mut edit = params();
        edit.invoice_id = 42;
        let err = client.save_new_invoice(&edit).await.unwrap_err();
        assert!(
            err.to_string().starts_with("invalid invois_id `42`"),
            "{err}"
        );
    }
}

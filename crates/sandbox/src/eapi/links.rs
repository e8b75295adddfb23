//! Documents that refer to other documents: corrections (PREV_CORRECTION_ID
//! with CORRECT_REASON_ID, and INVOICE_RETURN on them), distribution
//! sub-documents (PARENT_ID) and advances taken (INVOICE_ADVANCE).
//!
//! What the references imply is computed when a document is read, never
//! stored: the stock left of a distribution document (QUANTITY_STOCK,
//! INVOICE_PARENT_GOODS, SUB_INVOICES_DISTRIBUTION), the balance left of an
//! advance (AMOUNT_MAX) and the out fields of INVOICE_ADVANCE /
//! INVOICE_RETURN. So nothing is stale after another document changes, and
//! the data file needs nothing beyond the documents themselves.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use rsge_eapi::enums::{BuyerAction, CorrectReason, InvoiceCategory, InvoiceType, SellerAction};
use rsge_eapi::models::{
    Invoice, InvoiceAdvance, InvoiceGoods, InvoiceReturn, SubInvoiceDistribution,
};
use rust_decimal::Decimal;
use taxsdk_runtime::ServiceStatus;

use super::invoices::{add, money, non_empty};
use super::list::party;
use super::seed::UserSeed;
use super::state::{Role, State, Stored};
use super::status::invalid;

type R<T> = Result<T, ServiceStatus>;

/// Whether a distribution sub-document's goods line takes from `parent`:
/// same name (trimmed) and unit, and the same barcode when both have one.
fn same_goods(parent: &InvoiceGoods, line: &InvoiceGoods) -> bool {
    fn name(g: &InvoiceGoods) -> &str {
        g.goods_name.as_deref().map(str::trim).unwrap_or("")
    }
    name(parent) == name(line)
        && parent.unit_id == line.unit_id
        && match (non_empty(&parent.barcode), non_empty(&line.barcode)) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
}

/// An active document that has not been corrected yet and that the buyer
/// did not refuse: what a correction may replace.
fn correctable(s: &Stored) -> bool {
    s.seller_action() == SellerAction::Sent
        && s.buyer_action() != BuyerAction::Refused
        && s.inv.next_correction_id.is_none()
}

fn state_name(s: &Stored) -> String {
    format!("{:?}/{:?}", s.seller_action(), s.buyer_action())
}

impl State {
    /// A correction (PREV_CORRECTION_ID) replaces an active document of the
    /// caller. It needs a CORRECT_REASON_ID; INV_CATEGORY and INV_TYPE are
    /// the corrected document's (the document: "not sent when correcting"),
    /// so are OPERATION_DATE when editing (reason 5) and the buyer
    /// otherwise; absent ones are copied, different ones refused. One open
    /// (saved) correction per document. A reason without a corrected
    /// document is refused.
    pub(super) fn prepare_correction(
        &self,
        user: &UserSeed,
        out: &mut Invoice,
        self_id: i64,
    ) -> R<()> {
        let Some(prev) = out.prev_correction_id else {
            if let Some(reason) = out.correct_reason_id {
                return Err(invalid(format!(
                    "CORRECT_REASON_ID {} needs PREV_CORRECTION_ID",
                    reason.code()
                )));
            }
            return Ok(());
        };
        if prev == self_id {
            return Err(invalid(format!("document {prev} cannot correct itself")));
        }
        let (orig, role) = self.visible(prev, &user.tin)?;
        if role != Role::Seller {
            return Err(invalid(format!(
                "only the seller of document {prev} can correct it"
            )));
        }
        if !correctable(orig) {
            return Err(invalid(format!(
                "document {prev} is {}: only an active, not refused, not yet corrected \
                 document can be corrected",
                state_name(orig)
            )));
        }
        let reason = match out.correct_reason_id {
            None => {
                return Err(invalid("a correction needs CORRECT_REASON_ID (1 to 5)"));
            }
            Some(CorrectReason::Unknown(c)) => {
                return Err(invalid(format!("CORRECT_REASON_ID {c} is unknown")));
            }
            Some(reason) => reason,
        };
        if let Some(open) = self.invoices.values().find(|s| {
            s.inv.id != self_id
                && s.inv.prev_correction_id == Some(prev)
                && s.seller_action() == SellerAction::Saved
        }) {
            return Err(invalid(format!(
                "document {prev} already has an open correction {}: activate or delete it first",
                open.inv.id
            )));
        }
        let o = &orig.inv;
        macro_rules! inherit {
            ($field:ident, $name:literal) => {
                match &out.$field {
                    None => out.$field = o.$field.clone(),
                    Some(v) if Some(v) != o.$field.as_ref() => {
                        return Err(invalid(concat!(
                            $name,
                            " of a correction must be the corrected document's"
                        )));
                    }
                    Some(_) => {}
                }
            };
        }
        inherit!(inv_category, "INV_CATEGORY");
        inherit!(inv_type, "INV_TYPE");
        inherit!(parent_id, "PARENT_ID");
        if reason == CorrectReason::Editing {
            inherit!(operation_date, "OPERATION_DATE (reason 5, editing)");
        } else {
            if out.operation_date.is_none() {
                out.operation_date = o.operation_date;
            }
            inherit!(tin_buyer, "TIN_BUYER (reasons 1 to 4)");
        }
        if out.tin_buyer.is_none() {
            out.tin_buyer = o.tin_buyer.clone();
            out.foreign_buyer = out.foreign_buyer.or(o.foreign_buyer);
        }
        Ok(())
    }

    /// A distribution sub-document (PARENT_ID) is of INV_TYPE 3 or 1, its
    /// parent an active distribution document (INV_TYPE 4) of the caller,
    /// and each goods line takes from one of the parent's lines no more
    /// than is left of it (saved sub-documents count; the document being
    /// corrected does not).
    pub(super) fn check_distribution(&self, user: &UserSeed, out: &Invoice, self_id: i64) -> R<()> {
        let Some(parent_id) = out.parent_id else {
            return Ok(());
        };
        if !matches!(
            out.inv_type,
            Some(InvoiceType::WithoutTransport | InvoiceType::InternalShipment)
        ) {
            return Err(invalid(
                "a distribution sub-document (PARENT_ID) needs INV_TYPE 3 or 1",
            ));
        }
        let (parent, role) = self.visible(parent_id, &user.tin)?;
        if role != Role::Seller || parent.inv.inv_type != Some(InvoiceType::Distribution) {
            return Err(invalid(format!(
                "PARENT_ID {parent_id} is not a distribution document (INV_TYPE 4) of the seller"
            )));
        }
        if parent.seller_action() != SellerAction::Sent {
            return Err(invalid(format!(
                "distribution document {parent_id} is {}, not active",
                state_name(parent)
            )));
        }
        let stock = parent.inv.invoice_goods.as_deref().unwrap_or_default();
        let mut wanted = vec![Decimal::ZERO; stock.len()];
        for (n, line) in out.invoice_goods.iter().flatten().enumerate() {
            let i = stock
                .iter()
                .position(|p| same_goods(p, line))
                .ok_or_else(|| {
                    invalid(format!(
                        "goods line {}: `{}` is not among the goods of distribution document \
                         {parent_id}",
                        n + 1,
                        line.goods_name.as_deref().unwrap_or("")
                    ))
                })?;
            wanted[i] = add(wanted[i], line.quantity.unwrap_or_default(), "QUANTITY")?;
        }
        let except = [self_id, out.prev_correction_id.unwrap_or(0)];
        for (line, wanted) in stock.iter().zip(wanted) {
            let left = line.quantity.unwrap_or_default() - self.taken(parent_id, line, &except);
            if wanted > left {
                return Err(invalid(format!(
                    "`{}`: {wanted} wanted, {left} left of distribution document {parent_id}",
                    line.goods_name.as_deref().unwrap_or("")
                )));
            }
        }
        Ok(())
    }

    /// How much of `line` of distribution document `parent_id` its live
    /// sub-documents (other than `except`) take.
    fn taken(&self, parent_id: i64, line: &InvoiceGoods, except: &[i64]) -> Decimal {
        self.invoices
            .values()
            .filter(|s| {
                s.inv.parent_id == Some(parent_id) && s.is_live() && !except.contains(&s.inv.id)
            })
            .flat_map(|s| s.inv.invoice_goods.iter().flatten())
            .filter(|g| same_goods(line, g))
            .map(|g| g.quantity.unwrap_or_default())
            .sum()
    }

    /// The goods of a distribution document with QUANTITY_STOCK = what is left.
    fn parent_goods(&self, parent: &Stored) -> Vec<InvoiceGoods> {
        let mut goods = parent.inv.invoice_goods.clone().unwrap_or_default();
        for line in &mut goods {
            let left = line.quantity.unwrap_or_default() - self.taken(parent.inv.id, line, &[]);
            line.quantity_stock = Some(left);
        }
        goods
    }

    /// INVOICE_ADVANCE: each entry takes AMOUNT from an active advance
    /// document (INV_CATEGORY 4) that the caller issued to this document's
    /// buyer, at most what is left of it; together at most AMOUNT_FULL. An
    /// advance document takes from none. Only ID, OPERATION_DATE and AMOUNT
    /// are kept; the out fields are filled when the document is read.
    pub(super) fn check_advances(&self, user: &UserSeed, out: &mut Invoice, self_id: i64) -> R<()> {
        let entries = out.invoice_advance.take().unwrap_or_default();
        if entries.is_empty() {
            return Ok(());
        }
        if out.inv_category == Some(InvoiceCategory::Advance) {
            return Err(invalid(
                "an advance document cannot take from other advances",
            ));
        }
        let except = [self_id, out.prev_correction_id.unwrap_or(0)];
        let buyer = out.tin_buyer.as_deref().unwrap_or("");
        let mut seen = BTreeSet::new();
        let mut total = Decimal::ZERO;
        let mut kept = Vec::with_capacity(entries.len());
        for entry in entries {
            let id = entry.id;
            if !seen.insert(id) {
                return Err(invalid(format!("INVOICE_ADVANCE names advance {id} twice")));
            }
            let (advance, role) = self.visible(id, &user.tin)?;
            if role != Role::Seller || advance.inv.inv_category != Some(InvoiceCategory::Advance) {
                return Err(invalid(format!(
                    "INVOICE_ADVANCE {id} is not an advance document of the seller"
                )));
            }
            if advance.seller_action() != SellerAction::Sent
                || advance.buyer_action() == BuyerAction::Refused
            {
                return Err(invalid(format!(
                    "advance document {id} is {}, not active",
                    state_name(advance)
                )));
            }
            if advance.buyer() != buyer {
                return Err(invalid(format!(
                    "advance document {id} was issued to {}, not to this document's buyer",
                    advance.buyer()
                )));
            }
            if entry.amount <= Decimal::ZERO {
                return Err(invalid(format!(
                    "INVOICE_ADVANCE {id}: AMOUNT must be positive"
                )));
            }
            let left = self.advance_balance(id, &except);
            if entry.amount > left {
                return Err(invalid(format!(
                    "INVOICE_ADVANCE {id}: AMOUNT {} is more than the {left} left",
                    entry.amount
                )));
            }
            total = add(total, entry.amount, "INVOICE_ADVANCE AMOUNT")?;
            kept.push(InvoiceAdvance {
                id,
                operation_date: entry.operation_date,
                amount: money(entry.amount),
                ..InvoiceAdvance::default()
            });
        }
        let full = out.amount_full.unwrap_or_default();
        if total > full {
            return Err(invalid(format!(
                "the advances taken ({total}) exceed AMOUNT_FULL ({full})"
            )));
        }
        out.invoice_advance = Some(kept);
        Ok(())
    }

    /// What is left of advance document `id`: its AMOUNT_FULL minus what
    /// live documents (other than `except`) take from it.
    pub fn advance_balance(&self, id: i64, except: &[i64]) -> Decimal {
        let Some(advance) = self.invoices.get(&id) else {
            return Decimal::ZERO;
        };
        let used: Decimal = self
            .invoices
            .values()
            .filter(|s| s.is_live() && !except.contains(&s.inv.id))
            .flat_map(|s| s.inv.invoice_advance.iter().flatten())
            .filter(|a| a.id == id)
            .map(|a| a.amount)
            .sum();
        advance.inv.amount_full.unwrap_or_default() - used
    }

    /// INVOICE_RETURN goes only on a correction for returned goods (reason
    /// 4, document); each RETURN_INVOICE_ID is an active return document
    /// (INV_TYPE 5) the caller can see. Only the id is kept.
    pub(super) fn check_returns(&self, user: &UserSeed, out: &mut Invoice) -> R<()> {
        let entries = out.invoice_return.take().unwrap_or_default();
        if entries.is_empty() {
            return Ok(());
        }
        if out.prev_correction_id.is_none()
            || out.correct_reason_id != Some(CorrectReason::GoodsReturned)
        {
            return Err(invalid(
                "INVOICE_RETURN goes only on a correction with CORRECT_REASON_ID 4",
            ));
        }
        let mut seen = BTreeSet::new();
        let mut kept = Vec::with_capacity(entries.len());
        for entry in entries {
            let id = entry.return_invoice_id;
            if !seen.insert(id) {
                return Err(invalid(format!("INVOICE_RETURN names document {id} twice")));
            }
            let (ret, _) = self.visible(id, &user.tin)?;
            if ret.inv.inv_type != Some(InvoiceType::Return)
                || !ret.was_activated()
                || !ret.is_live()
            {
                return Err(invalid(format!(
                    "RETURN_INVOICE_ID {id} is not an active return document (INV_TYPE 5)"
                )));
            }
            kept.push(InvoiceReturn {
                return_invoice_id: id,
                ..InvoiceReturn::default()
            });
        }
        out.invoice_return = Some(kept);
        Ok(())
    }

    /// Before activation: the document a correction replaces must still be
    /// correctable, a sub-document's parent still active.
    pub(super) fn check_activation(&self, stored: &Stored) -> R<()> {
        if let Some(prev) = stored.inv.prev_correction_id {
            match self.invoices.get(&prev) {
                Some(orig) if correctable(orig) => {}
                Some(orig) => {
                    return Err(invalid(format!(
                        "document {prev} is {} and can no longer be corrected",
                        state_name(orig)
                    )));
                }
                None => return Err(invalid(format!("document {prev} does not exist"))),
            }
        }
        if let Some(parent) = stored.inv.parent_id
            && self
                .invoices
                .get(&parent)
                .is_none_or(|p| p.seller_action() != SellerAction::Sent)
        {
            return Err(invalid(format!(
                "distribution document {parent} is no longer active"
            )));
        }
        Ok(())
    }

    /// A distribution document with live sub-documents, or an advance that
    /// live documents take from, cannot be deleted.
    pub(super) fn check_deletion(&self, stored: &Stored) -> R<()> {
        let id = stored.inv.id;
        let live = || {
            self.invoices
                .values()
                .filter(|s| s.is_live() && s.inv.id != id)
        };
        if let Some(sub) = live().find(|s| s.inv.parent_id == Some(id)) {
            return Err(invalid(format!(
                "distribution document {id} has sub-document {}",
                sub.inv.id
            )));
        }
        if let Some(user) =
            live().find(|s| s.inv.invoice_advance.iter().flatten().any(|a| a.id == id))
        {
            return Err(invalid(format!(
                "advance document {id} is taken by document {}",
                user.inv.id
            )));
        }
        Ok(())
    }

    /// The correction `by` was activated: `original` becomes corrected
    /// (SELLER_ACTION 3) and points to it.
    pub(super) fn mark_corrected(&mut self, original: i64, by: i64, now: NaiveDateTime) {
        self.mark_invoice(original);
        if let Some(s) = self.invoices.get_mut(&original) {
            s.inv.seller_action = Some(SellerAction::Corrected);
            s.inv.correct_date = Some(now);
            s.inv.next_correction_id = Some(by);
            s.change_date = now;
        }
    }

    /// Fill what a document's references imply, for GetInvoice / ListGoods.
    pub(super) fn complete_links(&self, stored: &Stored, role: Role, inv: &mut Invoice) {
        let id = stored.inv.id;
        let distribution = inv.inv_type == Some(InvoiceType::Distribution);
        let parent = inv.parent_id.and_then(|p| self.invoices.get(&p));
        let parent_goods = parent.map(|p| self.parent_goods(p));
        // QUANTITY_STOCK: a distribution document's stock left; for a
        // sub-document, the stock left of the parent's line; else QUANTITY.
        for line in inv.invoice_goods.iter_mut().flatten() {
            let quantity = line.quantity.unwrap_or_default();
            line.quantity_stock = if distribution {
                Some(quantity - self.taken(id, line, &[]))
            } else if let Some(goods) = &parent_goods {
                goods
                    .iter()
                    .find(|p| same_goods(p, line))
                    .and_then(|p| p.quantity_stock)
            } else {
                line.quantity
            };
        }
        if parent_goods.is_some() {
            inv.invoice_parent_goods = parent_goods;
        }
        if distribution && role == Role::Seller {
            inv.sub_invoices_distribution = Some(self.sub_documents(id));
        }
        for advance in inv.invoice_advance.iter_mut().flatten() {
            advance.parent_invoice_id = Some(id);
            if let Some(a) = self.invoices.get(&advance.id) {
                advance.inv_number = a.inv.inv_number.map(|n| n.to_string());
                advance.inv_serie = a.inv.inv_serie.clone();
                advance.buyer = Some(party(a.inv.name_buyer.as_deref(), a.buyer()));
                advance.seller = Some(party(a.inv.name_seller.as_deref(), a.seller()));
                advance.inv_category = a.inv.inv_category;
                advance.inv_type = a.inv.inv_type;
                advance.amount_full = a.inv.amount_full;
                advance.amount_max = Some(self.advance_balance(advance.id, &[]));
                advance.activate_date = a.inv.activate_date;
            }
        }
        for ret in inv.invoice_return.iter_mut().flatten() {
            ret.corrected_invoice_id = stored.inv.prev_correction_id;
            if let Some(r) = self.invoices.get(&ret.return_invoice_id) {
                ret.inv_number = r.inv.inv_number.map(|n| n.to_string());
                ret.inv_serie = r.inv.inv_serie.clone();
                ret.buyer = Some(party(r.inv.name_buyer.as_deref(), r.buyer()));
                ret.operation_date = r.inv.operation_date;
            }
        }
        // AMOUNT_MAX: what is left of an advance; AMOUNT_FULL otherwise (as
        // in the document's GetInvoice example).
        inv.amount_max = if inv.inv_category == Some(InvoiceCategory::Advance) {
            Some(self.advance_balance(id, &[]))
        } else {
            inv.amount_full
        };
    }

    /// SUB_INVOICES_DISTRIBUTION of distribution document `parent_id`: its
    /// sub-documents that are not deleted.
    fn sub_documents(&self, parent_id: i64) -> Vec<SubInvoiceDistribution> {
        self.invoices
            .values()
            .filter(|s| {
                s.inv.parent_id == Some(parent_id) && s.seller_action() != SellerAction::Deleted
            })
            .map(|s| {
                let goods = s.inv.invoice_goods.as_deref().unwrap_or_default();
                SubInvoiceDistribution {
                    parent_invoice_id: Some(parent_id),
                    sub_invoice_id: Some(s.inv.id),
                    inv_number: s.inv.inv_number.map(|n| n.to_string()),
                    inv_serie: s.inv.inv_serie.clone(),
                    buyer: Some(party(s.inv.name_buyer.as_deref(), s.buyer())),
                    seller: Some(party(s.inv.name_seller.as_deref(), s.seller())),
                    inv_category: s.inv.inv_category,
                    inv_type: s.inv.inv_type,
                    amount_full: s.inv.amount_full,
                    goods_amount_sum: Some(goods.iter().filter_map(|g| g.amount).sum()),
                    goods_sum: Some(goods.iter().filter_map(|g| g.quantity).sum()),
                    operation_date: s.inv.operation_date,
                }
            })
            .collect()
    }

    /// GetInvoice with InvoiceID 0: the empty skeleton, or for a
    /// distribution document of the caller (parentInvoiceID) the skeleton
    /// of a new sub-document with the parent's goods and stock left.
    pub fn skeleton(&self, tin: &str, parent_id: i64) -> R<Invoice> {
        let mut skeleton = Invoice::default();
        if parent_id != 0 {
            let (parent, role) = self.visible(parent_id, tin)?;
            if role != Role::Seller || parent.inv.inv_type != Some(InvoiceType::Distribution) {
                return Err(invalid(format!(
                    "parentInvoiceID {parent_id} is not a distribution document of the caller"
                )));
            }
            skeleton.invoice_parent_goods = Some(self.parent_goods(parent));
            skeleton.parent_id = Some(parent_id);
        }
        Ok(skeleton)
    }

    /// PARENT_INV_NUMBER of a list row: the number of a sub-document's parent.
    pub fn parent_number(&self, stored: &Stored) -> Option<i64> {
        stored
            .inv
            .parent_id
            .and_then(|p| self.invoices.get(&p))
            .and_then(|p| p.inv.inv_number)
    }
}

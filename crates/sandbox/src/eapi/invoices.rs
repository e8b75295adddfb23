//! Invoice validation and lifecycle.

use rsge_eapi::enums::{
    BuyerAction, CorrectReason, InvoiceCategory, InvoiceType, PartyStatus, SellerAction, UserRole,
    VatType,
};
use rsge_eapi::models::{Invoice, InvoiceGoods};
use rust_decimal::{Decimal, RoundingStrategy};
use taxsdk_runtime::ServiceStatus;

use super::seed::{self, Permission, UserSeed};
use super::state::{BarCodeEntry, Role, State, Stored, TxReply};
use super::status::{self, invalid, status};

/// Georgian VAT rate, 18 %; prices include VAT (VAT = amount * 18 / 118).
const VAT_PERCENT: i64 = 18;

/// Allowed difference between a sent amount and the sandbox's computation.
fn tolerance() -> Decimal {
    Decimal::new(1, 2)
}

/// `a + b`, or -2 naming `what` when the sum does not fit (Decimal's `+`
/// would panic).
pub fn add(a: Decimal, b: Decimal, what: &str) -> Result<Decimal, ServiceStatus> {
    a.checked_add(b)
        .ok_or_else(|| invalid(format!("{what} overflows")))
}

pub fn money(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The VAT included in `amount`; `None` if it does not fit a Decimal.
fn vat_of(amount: Decimal) -> Option<Decimal> {
    let vat = amount
        .checked_mul(Decimal::from(VAT_PERCENT))?
        .checked_div(Decimal::from(100 + VAT_PERCENT))?;
    Some(money(vat))
}

/// A 9-digit identification number or an 11-digit personal number.
pub fn is_tin(tin: &str) -> bool {
    (tin.len() == 9 || tin.len() == 11) && tin.bytes().all(|b| b.is_ascii_digit())
}

pub fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// What a successful lifecycle call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Activate,
    Confirm,
    Refuse,
    Cancel,
    Delete,
}

impl Transition {
    /// The right a sub-user needs for this step.
    pub fn permission(self) -> Permission {
        match self {
            Transition::Activate => Permission::Activate,
            Transition::Confirm | Transition::Refuse => Permission::Confirm,
            Transition::Cancel => Permission::Cancel,
            Transition::Delete => Permission::Delete,
        }
    }
}

impl State {
    /// Check a counterparty TIN for a test account (-3).
    fn check_test_tin(&self, user: &UserSeed, tin: &str) -> Result<(), ServiceStatus> {
        if user.test_account && !seed::TEST_TINS.contains(&tin) {
            tracing::info!(tin, "test account used a non-test TIN");
            return Err(status(status::TEST_TIN));
        }
        Ok(())
    }

    /// Validate `inv` (merged over `base` when editing document `self_id`;
    /// 0 for a new one) and return the document as it will be stored
    /// (amounts computed, names filled, links to other documents checked).
    fn prepare(
        &mut self,
        user: &UserSeed,
        inv: Invoice,
        base: Option<&Invoice>,
        self_id: i64,
    ) -> Result<Invoice, ServiceStatus> {
        let mut out = match base {
            Some(b) => b.clone(),
            None => Invoice::default(),
        };
        // Fields the caller may set; absent ones keep the stored value on edit.
        macro_rules! take {
            ($($f:ident),*) => {$( if inv.$f.is_some() { out.$f = inv.$f.clone(); } )*};
        }
        take!(
            inv_serie,
            inv_category,
            inv_type,
            operation_date,
            trans_start_date,
            correct_reason_id,
            tin_seller,
            tin_buyer,
            foreign_buyer,
            trans_start_address,
            trans_end_address,
            trans_start_address_no,
            trans_end_address_no,
            trans_type,
            trans_type_txt,
            trans_company_tin,
            trans_driver_tin,
            trans_driver_foreign,
            trans_driver_country,
            trans_car_model,
            trans_car_no,
            trans_trailer_no,
            trans_cost,
            trans_cost_payer,
            inv_comment,
            parent_id,
            prev_correction_id,
            template_name,
            invoice_goods,
            invoice_return,
            invoice_advance,
            invoice_oil_docs,
            wood_documents
        );
        // "None" as the examples send it: 0 ids, reason 0, empty lists.
        out.prev_correction_id = out.prev_correction_id.filter(|p| *p != 0);
        out.parent_id = out.parent_id.filter(|p| *p != 0);
        if out.correct_reason_id == Some(CorrectReason::Unknown(0)) {
            out.correct_reason_id = None;
        }
        if non_empty(&out.tin_buyer).is_none() {
            out.tin_buyer = None;
        }
        // A correction inherits what it may not change from the corrected
        // document (so it runs before the checks below).
        self.prepare_correction(user, &mut out, self_id)?;

        match out.inv_category {
            None => return Err(invalid("INV_CATEGORY is required")),
            Some(InvoiceCategory::Unknown(c)) => {
                return Err(invalid(format!("INV_CATEGORY {c} is unknown")));
            }
            Some(_) => {}
        }
        match out.inv_type {
            None => return Err(invalid("INV_TYPE is required")),
            Some(InvoiceType::Unknown(t)) => {
                return Err(invalid(format!("INV_TYPE {t} is unknown")));
            }
            Some(_) => {}
        }
        // An advance document is advance in both (document).
        if (out.inv_category == Some(InvoiceCategory::Advance))
            != (out.inv_type == Some(InvoiceType::Advance))
        {
            return Err(invalid(
                "an advance document needs INV_CATEGORY 4 and INV_TYPE 6 together",
            ));
        }
        if out.operation_date.is_none() {
            return Err(invalid("OPERATION_DATE is required"));
        }

        // Seller: the caller's organisation. A `Tin`: a TIN_SELLER that is
        // not 9 or 11 digits never decodes (see `malformed_request`).
        let seller = out
            .tin_seller
            .as_ref()
            .ok_or_else(|| invalid("TIN_SELLER is required"))?
            .to_string();
        self.check_test_tin(user, &seller)?;
        if seller != user.tin {
            return Err(invalid(format!(
                "TIN_SELLER {seller} is not the caller's organisation {}",
                user.tin
            )));
        }

        // Buyer; a distribution document may go out without one (the
        // buyers get its sub-documents).
        let foreign = out.foreign_buyer.unwrap_or(false);
        let buyer = match non_empty(&out.tin_buyer) {
            Some(buyer) => buyer.to_string(),
            None if out.inv_type == Some(InvoiceType::Distribution) => String::new(),
            None => return Err(invalid("TIN_BUYER is required")),
        };
        if !buyer.is_empty() {
            if !foreign && !is_tin(&buyer) {
                return Err(invalid(format!(
                    "TIN_BUYER `{buyer}` is not 9 or 11 digits"
                )));
            }
            self.check_test_tin(user, &buyer)?;
            if buyer == seller {
                return Err(status(status::SELLER_IS_BUYER));
            }
        }

        // Transport company (a `Tin`, like TIN_SELLER).
        if let Some(carrier) = out.trans_company_tin.as_ref().map(ToString::to_string) {
            self.check_test_tin(user, &carrier)?;
            if carrier == buyer {
                return Err(status(status::BUYER_IS_CARRIER));
            }
        }
        if let Some(driver) = non_empty(&out.trans_driver_tin)
            && !out.trans_driver_foreign.unwrap_or(false)
            && !is_tin(driver)
        {
            return Err(invalid(format!(
                "TRANS_DRIVER_TIN `{driver}` is not 9 or 11 digits"
            )));
        }

        // Goods lines.
        let goods = out.invoice_goods.take().unwrap_or_default();
        if goods.is_empty() {
            return Err(invalid("INVOICE_GOODS is empty"));
        }
        let mut lines = Vec::with_capacity(goods.len());
        let (mut total, mut total_vat, mut total_excise) =
            (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        for (n, line) in goods.into_iter().enumerate() {
            let line = self.prepare_line(n + 1, line, &out)?;
            total = add(total, line.amount.unwrap_or_default(), "AMOUNT_FULL")?;
            total_vat = add(total_vat, line.vat_amount.unwrap_or_default(), "AMOUNT_VAT")?;
            total_excise = add(
                total_excise,
                line.excise_amount.unwrap_or_default(),
                "AMOUNT_EXCISE",
            )?;
            lines.push(line);
        }
        out.invoice_goods = Some(lines);
        self.check_distribution(user, &out, self_id)?;
        // AMOUNT_FULL / AMOUNT_VAT / AMOUNT_EXCISE are OUT parameters: the
        // sandbox computes them and ignores what the request carries.
        out.amount_full = Some(money(total));
        out.amount_vat = Some(money(total_vat));
        out.amount_excise = Some(money(total_excise));
        // AMOUNT_MAX is computed when the document is read.
        out.amount_max = None;
        self.check_advances(user, &mut out, self_id)?;
        self.check_returns(user, &mut out)?;

        // Output fields the service fills.
        out.name_seller = self.orgs.get(&seller).map(|o| o.name.clone());
        out.name_buyer = self.orgs.get(&buyer).map(|o| o.name.clone());
        let date = out.operation_date.map(|d| d.date());
        let vat_status = |tin: &str| {
            let is_payer = self.orgs.get(tin).is_some_and(|o| {
                o.vat_payer_since
                    .is_some_and(|since| date.is_none_or(|d| since <= d))
            });
            if is_payer {
                Some(PartyStatus::VatPayer)
            } else {
                Some(PartyStatus::Unknown(0))
            }
        };
        out.seller_status = vat_status(&seller);
        out.buyer_status = if buyer.is_empty() {
            None
        } else {
            vat_status(&buyer)
        };
        out.trans_company_name = out
            .trans_company_tin
            .as_deref()
            .and_then(|t| self.orgs.get(t))
            .map(|o| o.name.clone());
        out.trans_driver_name = non_empty(&out.trans_driver_tin)
            .and_then(|t| self.orgs.get(t))
            .map(|o| o.name.clone());
        Ok(out)
    }

    fn prepare_line(
        &mut self,
        n: usize,
        mut line: InvoiceGoods,
        inv: &Invoice,
    ) -> Result<InvoiceGoods, ServiceStatus> {
        if non_empty(&line.goods_name).is_none() {
            return Err(invalid(format!("goods line {n}: GOODS_NAME is required")));
        }
        let unit = line
            .unit_id
            .ok_or_else(|| invalid(format!("goods line {n}: UNIT_ID is required")))?;
        let Some((_, unit_label)) = seed::UNITS.iter().find(|(id, _)| *id == unit) else {
            return Err(invalid(format!(
                "goods line {n}: UNIT_ID {unit} is unknown"
            )));
        };
        if unit == seed::UNIT_OTHER && non_empty(&line.unit_txt).is_none() {
            return Err(invalid(format!(
                "goods line {n}: UNIT_TXT is required with UNIT_ID 99"
            )));
        }
        if non_empty(&line.unit_txt).is_none() {
            line.unit_txt = Some((*unit_label).to_string());
        }
        let quantity = line
            .quantity
            .ok_or_else(|| invalid(format!("goods line {n}: QUANTITY is required")))?;
        if quantity <= Decimal::ZERO {
            return Err(invalid(format!(
                "goods line {n}: QUANTITY must be positive"
            )));
        }
        let price = line
            .unit_price
            .ok_or_else(|| invalid(format!("goods line {n}: UNIT_PRICE is required")))?;
        if price < Decimal::ZERO {
            return Err(invalid(format!("goods line {n}: UNIT_PRICE is negative")));
        }
        let amount = money(
            quantity
                .checked_mul(price)
                .ok_or_else(|| invalid(format!("goods line {n}: amount overflows")))?,
        );
        if let Some(sent) = line.amount.filter(|sent| {
            sent.checked_sub(amount)
                .is_none_or(|d| d.abs() > tolerance())
        }) {
            return Err(invalid(format!(
                "goods line {n}: AMOUNT {sent} is not QUANTITY x UNIT_PRICE = {amount}"
            )));
        }
        line.amount = Some(amount);
        let vat_type = line.vat_type.unwrap_or(VatType::Standard);
        let vat = match vat_type {
            VatType::Standard => vat_of(amount)
                .ok_or_else(|| invalid(format!("goods line {n}: VAT_AMOUNT overflows")))?,
            VatType::ZeroRated | VatType::Exempt => Decimal::ZERO,
            other => {
                return Err(invalid(format!(
                    "goods line {n}: VAT_TYPE {} is unknown",
                    other.code()
                )));
            }
        };
        // VAT_AMOUNT is an OUT parameter: the service computes it, so what a
        // client sends (rsge-python always sends 0) is replaced, not judged.
        line.vat_amount = Some(vat);
        line.vat_type = Some(vat_type);
        line.vat_type_txt = vat_type.label_ka().map(str::to_string);
        match line.excise_id.filter(|e| *e != 0) {
            // An excise good: rate and amount come from the catalogue, as
            // of the operation date.
            Some(excise_id) => {
                let item = self
                    .config
                    .excise
                    .iter()
                    .find(|e| e.id == excise_id)
                    .ok_or_else(|| {
                        invalid(format!(
                            "goods line {n}: EXCISE_ID {excise_id} is not in the excise catalogue"
                        ))
                    })?;
                let date = inv.operation_date.map(|d| d.date()).unwrap_or_default();
                if date < item.effect_date || item.end_date.is_some_and(|end| date > end) {
                    return Err(invalid(format!(
                        "goods line {n}: excise {excise_id} is not in force on {date}"
                    )));
                }
                line.excise_unit_price = Some(item.rate);
                let excise = quantity
                    .checked_mul(item.rate)
                    .ok_or_else(|| invalid(format!("goods line {n}: EXCISE_AMOUNT overflows")))?;
                line.excise_amount = Some(money(excise));
            }
            None => {
                if line.excise_amount.is_some_and(|e| e < Decimal::ZERO) {
                    return Err(invalid(format!(
                        "goods line {n}: EXCISE_AMOUNT is negative"
                    )));
                }
                line.excise_id = Some(0);
                line.excise_amount = Some(line.excise_amount.unwrap_or_default());
                line.excise_unit_price = Some(Decimal::ZERO);
            }
        }
        // QUANTITY_STOCK is computed when the document is read.
        line.quantity_stock = None;
        line.inv_type = inv.inv_type;
        line.inv_category = inv.inv_category;
        Ok(line)
    }

    /// SaveInvoice (and the save part of ActivateInvoice with ID 0).
    pub fn save(
        &mut self,
        user: &UserSeed,
        inv: Invoice,
        activate: bool,
    ) -> Result<TxReply, ServiceStatus> {
        let now = self.local_now();
        let id = inv.id;
        let (mut prepared, subuser_id) = if id == 0 {
            let mut p = self.prepare(user, inv, None, 0)?;
            p.create_date = Some(now);
            p.seller_action = Some(SellerAction::Saved);
            p.buyer_action = Some(BuyerAction::Pending);
            (p, user.sub_user_id())
        } else {
            let (stored, role) = self.visible(id, &user.tin)?;
            if role != Role::Seller {
                return Err(invalid(format!("only the seller can edit invoice {id}")));
            }
            if stored.seller_action() != SellerAction::Saved {
                return Err(invalid(format!("invoice {id} is not in the saved state")));
            }
            let (base, subuser_id) = (stored.inv.clone(), stored.subuser_id);
            (self.prepare(user, inv, Some(&base), id)?, subuser_id)
        };
        let id = if id == 0 {
            let id = self.next_invoice_id;
            self.next_invoice_id += 1;
            id
        } else {
            id
        };
        prepared.id = id;
        for line in prepared.invoice_goods.iter_mut().flatten() {
            if line.id == 0 {
                line.id = self.next_goods_id;
                self.next_goods_id += 1;
            }
            line.invoice_id = id;
        }
        self.learn_barcodes(
            &user.tin,
            prepared.invoice_goods.as_deref().unwrap_or_default(),
        );
        self.mark_invoice(id);
        self.invoices.insert(
            id,
            Stored {
                inv: prepared,
                change_date: now,
                delete_date: None,
                subuser_id,
            },
        );
        if activate {
            self.transition(user, id, Transition::Activate)
        } else {
            Ok(self.invoices[&id].reply())
        }
    }

    /// A lifecycle step on invoice `id` by `user`; -2 when the caller's role
    /// or the document's state does not allow it.
    pub fn transition(
        &mut self,
        user: &UserSeed,
        id: i64,
        step: Transition,
    ) -> Result<TxReply, ServiceStatus> {
        let (stored, role) = self.visible(id, &user.tin)?;
        let state = (stored.seller_action(), stored.buyer_action());
        let needed = match step {
            Transition::Activate | Transition::Cancel | Transition::Delete => Role::Seller,
            Transition::Confirm | Transition::Refuse => Role::Buyer,
        };
        if role != needed {
            return Err(invalid(format!(
                "{step:?} of invoice {id} needs the {needed:?}"
            )));
        }
        use BuyerAction as B;
        use SellerAction as S;
        let allowed = match step {
            Transition::Activate => state == (S::Saved, B::Pending),
            Transition::Confirm | Transition::Refuse => state == (S::Sent, B::Pending),
            Transition::Cancel => state == (S::Sent, B::Confirmed),
            Transition::Delete => matches!(
                state,
                (S::Saved, _) | (S::Sent, B::Pending) | (S::Sent, B::Refused)
            ),
        };
        if !allowed {
            return Err(invalid(format!(
                "{step:?} is not allowed for invoice {id} in state {:?}/{:?}",
                state.0, state.1
            )));
        }
        match step {
            Transition::Activate => self.check_activation(stored)?,
            Transition::Delete => self.check_deletion(stored)?,
            _ => {}
        }
        let corrects = stored.inv.prev_correction_id;
        let now = self.local_now();
        let number = if step == Transition::Activate {
            let n = self.next_inv_number;
            self.next_inv_number += 1;
            Some(n)
        } else {
            None
        };
        self.mark_invoice(id);
        let stored = self
            .invoices
            .get_mut(&id)
            .ok_or_else(|| status(status::SYSTEM))?;
        let inv = &mut stored.inv;
        match step {
            Transition::Activate => {
                inv.seller_action = Some(S::Sent);
                inv.activate_date = Some(now);
                inv.inv_number = number;
                if inv.inv_serie.as_deref().is_none_or(str::is_empty) {
                    inv.inv_serie = Some("ეა".into());
                }
            }
            Transition::Confirm => {
                inv.buyer_action = Some(B::Confirmed);
                inv.confirm_date = Some(now);
            }
            Transition::Refuse => {
                inv.buyer_action = Some(B::Refused);
                inv.refuse_date = Some(now);
            }
            Transition::Cancel => {
                inv.seller_action = Some(S::Cancelled);
                inv.request_cancel_date = Some(now);
            }
            Transition::Delete => {
                inv.seller_action = Some(S::Deleted);
                stored.delete_date = Some(now);
            }
        }
        stored.change_date = now;
        let reply = stored.reply();
        if step == Transition::Activate
            && let Some(original) = corrects
        {
            self.mark_corrected(original, id, now);
        }
        Ok(reply)
    }

    /// Goods lines with a barcode add it to (or update it in) the seller's
    /// catalogue: the document's ListBarCodes rows are its example
    /// documents' goods lines, trailing space included.
    fn learn_barcodes(&mut self, tin: &str, lines: &[InvoiceGoods]) {
        for line in lines {
            let Some(code) = non_empty(&line.barcode) else {
                continue;
            };
            let entry = BarCodeEntry {
                seq: 0,
                goods_name: line.goods_name.clone().unwrap_or_default(),
                unit_id: line.unit_id.unwrap_or_default(),
                unit_txt: line.unit_txt.clone().unwrap_or_default(),
                vat_type: line.vat_type.unwrap_or(VatType::Standard),
                unit_price: line.unit_price.unwrap_or_default(),
            };
            self.put_barcode(tin, code, entry);
        }
    }

    /// The same step on several invoices: all or nothing.
    pub fn transition_all(
        &mut self,
        user: &UserSeed,
        ids: &[i64],
        step: Transition,
    ) -> Result<(), ServiceStatus> {
        if ids.is_empty() {
            return Err(invalid("Invoices is empty"));
        }
        let snapshot = (self.invoices.clone(), self.next_inv_number);
        for &id in ids {
            if let Err(e) = self.transition(user, id, step) {
                (self.invoices, self.next_inv_number) = snapshot;
                return Err(e);
            }
        }
        Ok(())
    }

    /// The document as GetInvoice returns it to `tin`.
    pub fn view(&self, stored: &Stored, role: Role) -> Invoice {
        let mut inv = stored.inv.clone();
        self.complete_links(stored, role, &mut inv);
        inv.user_role = Some(match role {
            Role::Seller => UserRole::Seller,
            Role::Buyer => UserRole::Buyer,
            Role::Carrier => UserRole::Carrier,
        });
        let (_, name) = seed::action_of(stored.seller_action(), stored.buyer_action());
        inv.status_txt_geo = Some(name.to_string());
        inv.status_txt_eng = Some(String::new());
        if inv.inv_number.is_none() {
            inv.inv_number = Some(0);
        }
        inv.invoice_parent_goods.get_or_insert_with(Vec::new);
        inv.invoice_return.get_or_insert_with(Vec::new);
        inv.sub_invoices_distribution.get_or_insert_with(Vec::new);
        inv.invoice_advance.get_or_insert_with(Vec::new);
        inv.invoice_oil_docs.get_or_insert_with(Vec::new);
        inv
    }
}

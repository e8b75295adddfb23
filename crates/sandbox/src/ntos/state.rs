//! The NtosService emulator's state: accounts, the organisation registry,
//! invoices with their lines, waybill links, declarations, invoice requests
//! and advance attachments, and the rules that change them.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_decimal::Decimal;

use rsge_ntos::enums::{CorrectionType, InvoiceStatus};

use super::Config;
use super::seed::{MainUserSeed, ServiceUserSeed};

/// The service's "no date".
pub(crate) fn unset() -> NaiveDateTime {
    rsge_ntos::unset_date()
}

/// Whether `date` is the service's "no date" (no filter bound).
pub(crate) fn is_unset(date: NaiveDateTime) -> bool {
    date.year() <= 1
}

/// A registry entry.
#[derive(Debug, Clone)]
pub(crate) struct Org {
    pub(crate) un_id: i32,
    pub(crate) tin: String,
    pub(crate) name: String,
}

/// Who is calling: a service user checked against su/sp, its main user and
/// the main user's taxpayer.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) user_id: i32,
    pub(crate) sua: i32,
    pub(crate) un_id: i32,
}

/// An invoice (or a corrective invoice).
#[derive(Debug, Clone)]
pub(crate) struct Invoice {
    pub(crate) id: i64,
    pub(crate) seller_un_id: i32,
    pub(crate) buyer_un_id: i32,
    pub(crate) operation_dt: NaiveDateTime,
    pub(crate) reg_dt: NaiveDateTime,
    pub(crate) overhead_no: String,
    pub(crate) overhead_dt: NaiveDateTime,
    pub(crate) b_s_user_id: i32,
    pub(crate) s_user_id: i32,
    pub(crate) user_id: i32,
    pub(crate) status: InvoiceStatus,
    pub(crate) f_series: Option<String>,
    pub(crate) f_number: Option<i64>,
    pub(crate) seq_num_s: Option<i32>,
    pub(crate) seq_num_b: Option<i32>,
    /// For an original: its (latest) correction; for a correction: the
    /// invoice it corrects. -1: none.
    pub(crate) k_id: i64,
    pub(crate) k_type: CorrectionType,
    /// Whether this invoice is a correction (of `k_id`).
    pub(crate) is_correction: bool,
    /// The status an original had before its correction was made.
    pub(crate) before_correction: Option<InvoiceStatus>,
    pub(crate) was_ref: bool,
    pub(crate) ref_text: Option<String>,
    pub(crate) ref_date: Option<NaiveDateTime>,
    pub(crate) ref_s_user_id: Option<i32>,
    pub(crate) agree_date: Option<NaiveDateTime>,
    pub(crate) agree_s_user_id: Option<i32>,
    pub(crate) note: Option<String>,
    /// Made with save_invoice_a: an advance (compensation) invoice.
    pub(crate) advance: bool,
    pub(crate) last_update: NaiveDateTime,
}

impl Invoice {
    /// A draft the seller may still edit.
    pub(crate) fn is_draft(&self) -> bool {
        matches!(
            self.status,
            InvoiceStatus::Saved | InvoiceStatus::CorrectionDraft
        )
    }
}

/// A goods line.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub(crate) id: i64,
    pub(crate) inv_id: i64,
    pub(crate) goods: String,
    pub(crate) g_unit: String,
    pub(crate) g_number: Decimal,
    pub(crate) full_amount: Decimal,
    pub(crate) drg_amount: Decimal,
    pub(crate) aqcizi_amount: Decimal,
    pub(crate) akciz_id: i32,
}

/// A waybill linked to an invoice.
#[derive(Debug, Clone)]
pub(crate) struct WaybillLink {
    pub(crate) id: i64,
    pub(crate) inv_id: i64,
    pub(crate) overhead_no: String,
    pub(crate) overhead_dt: NaiveDateTime,
}

/// A buyer's request that a seller issue an invoice.
#[derive(Debug, Clone)]
pub(crate) struct InvoiceRequest {
    pub(crate) id: i64,
    pub(crate) buyer_un_id: i32,
    pub(crate) seller_un_id: i32,
    pub(crate) overhead_no: String,
    pub(crate) dt: NaiveDateTime,
    pub(crate) notes: String,
    pub(crate) accepted: bool,
}

/// An advance invoice attached to an invoice, with the VAT it carries.
#[derive(Debug, Clone)]
pub(crate) struct AdvanceLink {
    pub(crate) invoice_id: i64,
    pub(crate) advance_id: i64,
    pub(crate) amount: Decimal,
}

/// Everything the emulator knows.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) main_users: Vec<MainUserSeed>,
    pub(crate) service_users: Vec<ServiceUserSeed>,
    pub(crate) orgs: Vec<Org>,
    pub(crate) invoices: BTreeMap<i64, Invoice>,
    pub(crate) lines: BTreeMap<i64, Line>,
    pub(crate) links: BTreeMap<i64, WaybillLink>,
    pub(crate) requests: BTreeMap<i64, InvoiceRequest>,
    pub(crate) advances: Vec<AdvanceLink>,
    next_invoice: i64,
    next_line: i64,
    next_link: i64,
    next_request: i64,
    next_number: i64,
    next_sua: i32,
}

/// Invoice ids start here (the fact sheet's example ids are of this size).
const FIRST_INVOICE_ID: i64 = 33_483_243;
/// Line ids start here.
const FIRST_LINE_ID: i64 = 226_635_210;
/// The series the sandbox gives sent invoices.
pub(crate) const SERIES: &str = "ეა";

impl State {
    pub(crate) fn new(config: Config) -> Self {
        let orgs = config
            .orgs
            .iter()
            .filter_map(|o| {
                Some(Org {
                    un_id: i32::try_from(o.un_id).ok()?,
                    tin: o.tin.clone(),
                    name: o.name.clone(),
                })
            })
            .collect();
        let next_sua = config
            .service_users
            .iter()
            .map(|u| u.id)
            .max()
            .unwrap_or(1000)
            + 1;
        Self {
            main_users: config.main_users.clone(),
            service_users: config.service_users.clone(),
            orgs,
            invoices: BTreeMap::new(),
            lines: BTreeMap::new(),
            links: BTreeMap::new(),
            requests: BTreeMap::new(),
            advances: Vec::new(),
            next_invoice: FIRST_INVOICE_ID,
            next_line: FIRST_LINE_ID,
            next_link: 1,
            next_request: 1,
            next_number: 1,
            next_sua,
            config,
        }
    }

    /// Georgian local time (UTC+4, no DST), to the second.
    pub(crate) fn now(&self) -> NaiveDateTime {
        let now = chrono::Utc::now().naive_utc() + chrono::Duration::hours(4);
        now.with_nanosecond(0).unwrap_or(now)
    }

    // ----- accounts and registry -------------------------------------

    /// The caller behind `su`/`sp`; with `user_id`, it must be the service
    /// user's main user.
    pub(crate) fn caller(&self, su: &str, sp: &str, user_id: Option<i32>) -> Option<Caller> {
        let service_user = self
            .service_users
            .iter()
            .find(|u| u.name == su.trim() && u.password == sp)?;
        if user_id.is_some_and(|id| id != service_user.user_id) {
            return None;
        }
        let main = self
            .main_users
            .iter()
            .find(|m| m.user_id == service_user.user_id)?;
        Some(Caller {
            user_id: main.user_id,
            sua: service_user.id,
            un_id: self.org_by_tin(&main.tin)?.un_id,
        })
    }

    /// The main user with this name and password.
    pub(crate) fn main_user(&self, name: &str, password: &str) -> Option<&MainUserSeed> {
        self.main_users
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(name.trim()) && m.password == password)
    }

    pub(crate) fn org_by_tin(&self, tin: &str) -> Option<&Org> {
        self.orgs.iter().find(|o| o.tin == tin.trim())
    }

    pub(crate) fn org(&self, un_id: i32) -> Option<&Org> {
        self.orgs.iter().find(|o| o.un_id == un_id)
    }

    /// Create (`false` if the name is taken) a service user of `main`.
    pub(crate) fn create_service_user(
        &mut self,
        main: i32,
        name: &str,
        password: &str,
        ip: &str,
        notes: &str,
    ) -> bool {
        let name = name.trim();
        if name.is_empty()
            || password.is_empty()
            || self.service_users.iter().any(|u| u.name == name)
        {
            return false;
        }
        let id = self.next_sua;
        self.next_sua += 1;
        self.service_users.push(ServiceUserSeed {
            id,
            name: name.to_owned(),
            password: password.to_owned(),
            user_id: main,
            ip: ip.trim().to_owned(),
            notes: notes.to_owned(),
        });
        true
    }

    /// Change a service user of `main` (`false` if it has none of that name).
    pub(crate) fn update_service_user(
        &mut self,
        main: i32,
        name: &str,
        password: &str,
        ip: &str,
        notes: &str,
    ) -> bool {
        let Some(user) = self
            .service_users
            .iter_mut()
            .find(|u| u.user_id == main && u.name == name.trim())
        else {
            return false;
        };
        if !password.is_empty() {
            password.clone_into(&mut user.password);
        }
        ip.trim().clone_into(&mut user.ip);
        notes.clone_into(&mut user.notes);
        true
    }

    // ----- invoices -----------------------------------------------------

    /// An invoice the caller may read: as its seller, or as its buyer once
    /// it has been sent (buyers see no drafts). Deleted ones are gone.
    pub(crate) fn visible(&self, caller: &Caller, id: i64) -> Option<&Invoice> {
        let inv = self.invoices.get(&id)?;
        if inv.status == InvoiceStatus::Deleted {
            return None;
        }
        let seller = inv.seller_un_id == caller.un_id;
        let buyer = inv.buyer_un_id == caller.un_id && !inv.is_draft();
        (seller || buyer).then_some(inv)
    }

    /// An invoice of the caller as its seller (not deleted).
    pub(crate) fn own_mut(&mut self, caller: &Caller, id: i64) -> Option<&mut Invoice> {
        self.invoices
            .get_mut(&id)
            .filter(|i| i.seller_un_id == caller.un_id && i.status != InvoiceStatus::Deleted)
    }

    /// An invoice sent to the caller (not a draft, not deleted).
    pub(crate) fn received_mut(&mut self, caller: &Caller, id: i64) -> Option<&mut Invoice> {
        self.invoices.get_mut(&id).filter(|i| {
            i.buyer_un_id == caller.un_id && !i.is_draft() && i.status != InvoiceStatus::Deleted
        })
    }

    /// save_invoice(_n/_a): create (`id` 0) or edit a draft header. The
    /// seller is the caller; the buyer must be in the registry and another
    /// taxpayer. Returns the invoice's id.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn save_invoice(
        &mut self,
        caller: &Caller,
        id: i64,
        operation_dt: NaiveDateTime,
        seller_un_id: i32,
        buyer_un_id: i32,
        overhead_no: Option<String>,
        overhead_dt: NaiveDateTime,
        b_s_user_id: i32,
        note: Option<String>,
        advance: bool,
    ) -> Option<i64> {
        if seller_un_id != caller.un_id
            || buyer_un_id == seller_un_id
            || self.org(buyer_un_id).is_none()
            || is_unset(operation_dt)
        {
            return None;
        }
        let now = self.now();
        if id != 0 {
            let inv = self.own_mut(caller, id).filter(|i| i.is_draft())?;
            inv.operation_dt = operation_dt;
            inv.buyer_un_id = buyer_un_id;
            inv.overhead_no = overhead_no.unwrap_or_default();
            inv.overhead_dt = overhead_dt;
            inv.b_s_user_id = b_s_user_id;
            if note.is_some() {
                inv.note = note;
            }
            inv.last_update = now;
            return Some(id);
        }
        let id = self.next_invoice;
        self.next_invoice += 1;
        self.invoices.insert(
            id,
            Invoice {
                id,
                seller_un_id,
                buyer_un_id,
                operation_dt,
                reg_dt: now,
                overhead_no: overhead_no.unwrap_or_default(),
                overhead_dt,
                b_s_user_id,
                s_user_id: caller.sua,
                user_id: caller.user_id,
                status: InvoiceStatus::Saved,
                f_series: None,
                f_number: None,
                seq_num_s: None,
                seq_num_b: None,
                k_id: -1,
                k_type: CorrectionType::NoCorrection,
                is_correction: false,
                before_correction: None,
                was_ref: false,
                ref_text: None,
                ref_date: None,
                ref_s_user_id: None,
                agree_date: None,
                agree_s_user_id: None,
                note,
                advance,
                last_update: now,
            },
        );
        Some(id)
    }

    /// The lines of an invoice, in id order.
    pub(crate) fn lines_of(&self, inv_id: i64) -> impl Iterator<Item = &Line> {
        self.lines.values().filter(move |l| l.inv_id == inv_id)
    }

    /// save_invoice_desc: insert (`line.id` 0) or update a line of the
    /// caller's draft. Returns the line's id.
    pub(crate) fn save_line(&mut self, caller: &Caller, mut line: Line) -> Option<i64> {
        let unit_ok = !line.g_unit.trim().is_empty();
        let amounts_ok = line.g_number > Decimal::ZERO
            && line.full_amount >= Decimal::ZERO
            && line.aqcizi_amount >= Decimal::ZERO
            // drg_amount: the VAT, 0 zero-rated, -1 exempt.
            && (line.drg_amount >= Decimal::ZERO || line.drg_amount == Decimal::NEGATIVE_ONE);
        let excise_ok = line.akciz_id == 0
            || self
                .config
                .excise
                .iter()
                .any(|e| e.id == i64::from(line.akciz_id));
        if !unit_ok || !amounts_ok || !excise_ok || line.goods.trim().is_empty() {
            return None;
        }
        let now = self.now();
        let inv = self.own_mut(caller, line.inv_id).filter(|i| i.is_draft())?;
        inv.last_update = now;
        if line.id == 0 {
            line.id = self.next_line;
            self.next_line += 1;
        } else if self
            .lines
            .get(&line.id)
            .is_none_or(|l| l.inv_id != line.inv_id)
        {
            return None;
        }
        let id = line.id;
        self.lines.insert(id, line);
        Some(id)
    }

    /// delete_invoice_desc: a line of the caller's draft.
    pub(crate) fn delete_line(&mut self, caller: &Caller, id: i64, inv_id: i64) -> bool {
        let now = self.now();
        let Some(inv) = self.own_mut(caller, inv_id).filter(|i| i.is_draft()) else {
            return false;
        };
        inv.last_update = now;
        match self.lines.get(&id) {
            Some(l) if l.inv_id == inv_id => {
                self.lines.remove(&id);
                true
            }
            _ => false,
        }
    }

    /// change_invoice_status (seller): send, send a correction, delete a
    /// draft, or ask to cancel a confirmed invoice.
    pub(crate) fn seller_status(
        &mut self,
        caller: &Caller,
        id: i64,
        target: &InvoiceStatus,
    ) -> bool {
        use InvoiceStatus as S;
        let has_lines = self.lines_of(id).next().is_some();
        let now = self.now();
        let number = self.next_number;
        let Some(inv) = self.own_mut(caller, id) else {
            return false;
        };
        let (from, to) = (inv.status, *target);
        let allowed = matches!(
            (&from, &to),
            (S::Saved, S::Sent)
                | (S::CorrectionDraft, S::CorrectionSent)
                | (S::Saved, S::Deleted)
                | (S::CorrectionDraft, S::Deleted)
                | (S::Confirmed, S::CancellationSent)
        );
        // An invoice is sent with at least one line.
        if !allowed || (matches!(to, S::Sent | S::CorrectionSent) && !has_lines) {
            return false;
        }
        inv.status = to;
        inv.last_update = now;
        let numbered = matches!(to, S::Sent | S::CorrectionSent) && inv.f_number.is_none();
        if numbered {
            inv.f_series = Some(SERIES.to_owned());
            inv.f_number = Some(number);
        }
        let deleted_correction = (to == S::Deleted && inv.is_correction).then_some(inv.k_id);
        if numbered {
            self.next_number += 1;
        }
        if let Some(original) = deleted_correction
            && let Some(orig) = self.invoices.get_mut(&original)
            && orig.k_id == id
        {
            // Deleting a correction's draft gives the original back its
            // status and clears its link.
            orig.status = orig.before_correction.take().unwrap_or(S::Confirmed);
            orig.k_id = -1;
            orig.k_type = CorrectionType::NoCorrection;
            orig.last_update = now;
        }
        true
    }

    /// acsept_invoice_status (buyer): confirm an invoice, a correction or a
    /// cancellation.
    pub(crate) fn buyer_confirm(
        &mut self,
        caller: &Caller,
        id: i64,
        target: &InvoiceStatus,
    ) -> bool {
        use InvoiceStatus as S;
        let now = self.now();
        let Some(inv) = self.received_mut(caller, id) else {
            return false;
        };
        let allowed = matches!(
            (&inv.status, target),
            (S::Sent, S::Confirmed)
                | (S::CorrectionSent, S::CorrectionConfirmed)
                | (S::CancellationSent, S::Cancelled)
        );
        if !allowed {
            return false;
        }
        inv.status = *target;
        inv.agree_date = Some(now);
        inv.agree_s_user_id = Some(caller.sua);
        inv.last_update = now;
        true
    }

    /// ref_invoice_status (buyer): reject a sent invoice (back to 0) or a
    /// sent correction (back to 4), with WAS_REF.
    pub(crate) fn buyer_reject(
        &mut self,
        caller: &Caller,
        id: i64,
        reason: Option<String>,
    ) -> bool {
        use InvoiceStatus as S;
        let now = self.now();
        let Some(inv) = self.received_mut(caller, id) else {
            return false;
        };
        inv.status = match inv.status {
            S::Sent => S::Saved,
            S::CorrectionSent => S::CorrectionDraft,
            _ => return false,
        };
        inv.was_ref = true;
        inv.ref_text = reason;
        inv.ref_date = Some(now);
        inv.ref_s_user_id = Some(caller.sua);
        inv.last_update = now;
        true
    }

    /// k_invoice (seller): a corrective invoice of a confirmed invoice (or
    /// of the last confirmed correction), with a copy of its lines. The
    /// original becomes 3 (corrected). Returns the correction's id.
    pub(crate) fn correct(
        &mut self,
        caller: &Caller,
        id: i64,
        k_type: &CorrectionType,
    ) -> Option<i64> {
        use InvoiceStatus as S;
        if !matches!(
            k_type,
            CorrectionType::OperationCancelled
                | CorrectionType::OperationTypeChanged
                | CorrectionType::CompensationChanged
                | CorrectionType::GoodsReturned
        ) {
            return None;
        }
        let now = self.now();
        let original = self
            .own_mut(caller, id)
            .filter(|i| matches!(i.status, S::Confirmed | S::CorrectionConfirmed))?
            .clone();
        let new_id = self.next_invoice;
        self.next_invoice += 1;
        let mut correction = original.clone();
        correction.id = new_id;
        correction.status = S::CorrectionDraft;
        correction.reg_dt = now;
        correction.f_series = None;
        correction.f_number = None;
        correction.seq_num_s = None;
        correction.seq_num_b = None;
        correction.k_id = id;
        correction.k_type = *k_type;
        correction.is_correction = true;
        correction.before_correction = None;
        correction.was_ref = false;
        correction.ref_text = None;
        correction.ref_date = None;
        correction.ref_s_user_id = None;
        correction.agree_date = None;
        correction.agree_s_user_id = None;
        correction.s_user_id = caller.sua;
        correction.last_update = now;
        self.invoices.insert(new_id, correction);
        let copies: Vec<Line> = self.lines_of(id).cloned().collect();
        for mut line in copies {
            line.id = self.next_line;
            self.next_line += 1;
            line.inv_id = new_id;
            self.lines.insert(line.id, line);
        }
        if let Some(orig) = self.invoices.get_mut(&id) {
            orig.before_correction = Some(orig.status);
            orig.status = S::Corrected;
            orig.k_id = new_id;
            orig.k_type = *k_type;
            orig.last_update = now;
        }
        Some(new_id)
    }

    /// Invoices the caller sees in a list as seller (`seller`) or buyer.
    pub(crate) fn listed(&self, caller: &Caller, seller: bool) -> impl Iterator<Item = &Invoice> {
        let un_id = caller.un_id;
        self.invoices.values().filter(move |i| {
            i.status != InvoiceStatus::Deleted
                && if seller {
                    i.seller_un_id == un_id
                } else {
                    i.buyer_un_id == un_id && !i.is_draft()
                }
        })
    }

    /// The amount (VAT included) and VAT of an invoice's lines; sums beyond
    /// what a decimal holds stop at its maximum (lines come from the wire).
    pub(crate) fn totals(&self, inv_id: i64) -> (Decimal, Decimal) {
        let add = |a: Decimal, b: Decimal| a.checked_add(b).unwrap_or(Decimal::MAX);
        self.lines_of(inv_id)
            .fold((Decimal::ZERO, Decimal::ZERO), |(a, v), l| {
                (
                    add(a, l.full_amount),
                    add(v, l.drg_amount.max(Decimal::ZERO)),
                )
            })
    }

    // ----- waybills -------------------------------------------------------

    pub(crate) fn link_waybill(
        &mut self,
        caller: &Caller,
        inv_id: i64,
        overhead_no: &str,
        overhead_dt: NaiveDateTime,
    ) -> bool {
        if overhead_no.trim().is_empty() || self.own_mut(caller, inv_id).is_none() {
            return false;
        }
        let id = self.next_link;
        self.next_link += 1;
        self.links.insert(
            id,
            WaybillLink {
                id,
                inv_id,
                overhead_no: overhead_no.trim().to_owned(),
                overhead_dt,
            },
        );
        true
    }

    pub(crate) fn unlink_waybill(&mut self, caller: &Caller, id: i64, inv_id: i64) -> bool {
        if self.own_mut(caller, inv_id).is_none()
            || self.links.get(&id).is_none_or(|l| l.inv_id != inv_id)
        {
            return false;
        }
        self.links.remove(&id).is_some()
    }

    // ----- declarations ---------------------------------------------------

    /// The declaration number of taxpayer `un_id` for the month of `period`:
    /// derived from both, so it is stable and needs no storage (the
    /// sandbox's choice; the real numbers are the declarations').
    pub(crate) fn seq_num(un_id: i32, year: i32, month: u32) -> i32 {
        let month_index = (year.clamp(2000, 2099) - 2000) * 12 + i32::try_from(month).unwrap_or(1);
        (un_id.rem_euclid(100_000)) * 1000 + month_index.rem_euclid(1000)
    }

    /// The month a declaration number of `un_id` stands for.
    pub(crate) fn seq_num_month(un_id: i32, seq_num: i32) -> Option<NaiveDate> {
        if seq_num / 1000 != un_id.rem_euclid(100_000) {
            return None;
        }
        let index = seq_num % 1000;
        let (year, month) = (2000 + (index - 1) / 12, (index - 1) % 12 + 1);
        NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, 1)
    }

    /// add_inv_to_decl: attach an invoice the caller sees (sent or later)
    /// to one of the caller's declaration numbers, on the caller's side.
    pub(crate) fn attach_to_declaration(
        &mut self,
        caller: &Caller,
        seq_num: i32,
        inv_id: i64,
    ) -> bool {
        if Self::seq_num_month(caller.un_id, seq_num).is_none() {
            return false;
        }
        let now = self.now();
        let Some(inv) = self.invoices.get_mut(&inv_id) else {
            return false;
        };
        let sent = !inv.is_draft() && inv.status != InvoiceStatus::Deleted;
        if !sent {
            return false;
        }
        if inv.seller_un_id == caller.un_id {
            inv.seq_num_s = Some(seq_num);
        } else if inv.buyer_un_id == caller.un_id {
            inv.seq_num_b = Some(seq_num);
        } else {
            return false;
        }
        inv.last_update = now;
        true
    }

    // ----- invoice requests -------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn save_request(
        &mut self,
        caller: &Caller,
        id: i64,
        buyer_un_id: i32,
        seller_un_id: i32,
        overhead_no: String,
        dt: NaiveDateTime,
        notes: String,
    ) -> bool {
        if buyer_un_id != caller.un_id
            || seller_un_id == buyer_un_id
            || self.org(seller_un_id).is_none()
        {
            return false;
        }
        if id != 0 {
            let Some(r) = self
                .requests
                .get_mut(&id)
                .filter(|r| r.buyer_un_id == caller.un_id && !r.accepted)
            else {
                return false;
            };
            r.seller_un_id = seller_un_id;
            r.overhead_no = overhead_no;
            r.dt = dt;
            r.notes = notes;
            return true;
        }
        let id = self.next_request;
        self.next_request += 1;
        self.requests.insert(
            id,
            InvoiceRequest {
                id,
                buyer_un_id,
                seller_un_id,
                overhead_no,
                dt,
                notes,
                accepted: false,
            },
        );
        true
    }

    pub(crate) fn delete_request(&mut self, caller: &Caller, id: i64, buyer_un_id: i32) -> bool {
        let ok = buyer_un_id == caller.un_id
            && self
                .requests
                .get(&id)
                .is_some_and(|r| r.buyer_un_id == caller.un_id && !r.accepted);
        ok && self.requests.remove(&id).is_some()
    }

    pub(crate) fn accept_request(&mut self, caller: &Caller, id: i64, seller_un_id: i32) -> bool {
        if seller_un_id != caller.un_id {
            return false;
        }
        match self.requests.get_mut(&id) {
            Some(r) if r.seller_un_id == caller.un_id && !r.accepted => {
                r.accepted = true;
                true
            }
            _ => false,
        }
    }

    // ----- advances -----------------------------------------------------------

    /// Confirmed advance invoices of `seller` to `buyer`, with the VAT not yet
    /// attached elsewhere.
    pub(crate) fn attachable_advances(&self, seller: i32, buyer: i32) -> Vec<(&Invoice, Decimal)> {
        self.invoices
            .values()
            .filter(|i| {
                i.advance
                    && i.seller_un_id == seller
                    && i.buyer_un_id == buyer
                    && i.status == InvoiceStatus::Confirmed
            })
            .map(|i| (i, self.advance_left(i.id)))
            .filter(|(_, left)| *left > Decimal::ZERO)
            .collect()
    }

    /// The VAT of advance invoice `id` not attached yet.
    pub(crate) fn advance_left(&self, id: i64) -> Decimal {
        let (_, vat) = self.totals(id);
        let used = self
            .advances
            .iter()
            .filter(|a| a.advance_id == id)
            .fold(Decimal::ZERO, |sum, a| {
                sum.checked_add(a.amount).unwrap_or(Decimal::MAX)
            });
        vat.checked_sub(used).unwrap_or(Decimal::ZERO)
    }
}

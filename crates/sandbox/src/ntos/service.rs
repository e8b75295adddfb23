//! `rsge_ntos::server::Service` for [`Sandbox`]: every operation of the
//! WSDL, answering as the real service does (a `false` result or a sentinel
//! for business and authentication failures, never a fault).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde_json::Value;

use rsge_ntos::enums::{CorrectionType, InvoiceStatus, VatType};
use rsge_ntos::models::*;
use rsge_ntos::server::Service;
use taxsdk_runtime::ServiceStatus;
use taxsdk_runtime::server::RequestContext;
use taxsdk_runtime::soap::{Column, DataTable, TableSchema};

use super::Sandbox;
use super::state::{AdvanceLink, Caller, Invoice, InvoiceRequest, Line, State, is_unset, unset};

type R<T> = Result<T, ServiceStatus>;
type Untyped = DataTable<BTreeMap<String, String>>;

/// The su/sp the request carried (`""` when absent).
fn credentials(ctx: &RequestContext) -> (&str, &str) {
    ctx.service_user
        .as_ref()
        .map_or(("", ""), |u| (u.user.as_str(), u.password.as_str()))
}

fn table<T>(rows: Vec<T>) -> DataTable<T> {
    DataTable {
        schema: TableSchema::default(),
        rows,
    }
}

/// Rows of a table whose row element and columns nobody documented: the
/// sandbox's names, in `columns` order.
fn untyped(name: &str, columns: &[&str], rows: Vec<Vec<Option<String>>>) -> Untyped {
    DataTable {
        schema: TableSchema {
            name: Some(name.to_owned()),
            columns: columns
                .iter()
                .map(|c| Column {
                    name: (*c).to_owned(),
                    xsd_type: None,
                })
                .collect(),
        },
        rows: rows
            .into_iter()
            .map(|row| {
                columns
                    .iter()
                    .zip(row)
                    .filter_map(|(c, v)| Some(((*c).to_owned(), v?)))
                    .collect()
            })
            .collect(),
    }
}

fn date_text(date: NaiveDateTime) -> String {
    date.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// An optional request string, absent as empty.
fn text(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

/// The id of the main user a request names by user name and password.
fn main_user_id(st: &State, name: &Option<String>, password: &Option<String>) -> Option<i32> {
    st.main_user(text(name), text(password)).map(|m| m.user_id)
}

fn non_empty(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// `value` within `[from, to]` (days, bounds inclusive); an unset bound
/// does not limit.
fn in_range(value: NaiveDateTime, from: NaiveDateTime, to: NaiveDateTime) -> bool {
    (is_unset(from) || value.date() >= from.date()) && (is_unset(to) || value.date() <= to.date())
}

fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

fn advance_reply(status: &str, message: &str) -> Option<Response> {
    Some(Response {
        status: Some(status.to_owned()),
        message: Some(message.to_owned()),
    })
}

/// The reply of an advance operation whose caller is not authorised (the
/// sandbox's wording; the service's statuses other than 200 are not
/// documented).
fn advance_refused() -> Option<Response> {
    advance_reply("401", "su/sp or user_id is wrong")
}

impl Sandbox {
    /// Runs `f` for the caller behind the request's su/sp (and `user_id`),
    /// or answers `refused` when they are wrong.
    fn act<T>(
        &self,
        ctx: &RequestContext,
        user_id: Option<i32>,
        refused: T,
        f: impl FnOnce(&mut State, &Caller) -> T,
    ) -> T {
        let (su, sp) = credentials(ctx);
        let mut st = self.lock();
        match st.caller(su, sp, user_id) {
            Some(caller) => f(&mut st, &caller),
            None => {
                tracing::info!(su, "NtosService sandbox: wrong su/sp or user_id");
                refused
            }
        }
    }
}

/// The counterparty of `inv` seen from taxpayer `un_id`.
fn counterparty(st: &State, inv: &Invoice, un_id: i32) -> (Option<String>, Option<String>) {
    let other = if inv.seller_un_id == un_id {
        inv.buyer_un_id
    } else {
        inv.seller_un_id
    };
    st.org(other).map_or((None, None), |o| {
        (Some(o.tin.clone()), Some(o.name.clone()))
    })
}

fn dec_status(inv: &Invoice, un_id: i32) -> i32 {
    let seq = if inv.seller_un_id == un_id {
        inv.seq_num_s
    } else {
        inv.seq_num_b
    };
    // 0: attached but not declared (the sandbox declares nothing).
    if seq.is_some() { 0 } else { -1 }
}

fn invoice_row(st: &State, inv: &Invoice, un_id: i32) -> InvoiceRow {
    let (tin, name) = counterparty(st, inv, un_id);
    let (amount, vat) = st.totals(inv.id);
    InvoiceRow {
        id: Some(inv.id),
        f_series: inv.f_series.clone(),
        f_number: Some(inv.f_number.unwrap_or(-1).to_string()),
        operation_dt: Some(inv.operation_dt),
        reg_dt: Some(inv.reg_dt),
        seller_un_id: Some(inv.seller_un_id),
        buyer_un_id: Some(inv.buyer_un_id),
        status: Some(inv.status),
        seq_num_s: inv.seq_num_s.map(|s| s.to_string()),
        seq_num_b: inv.seq_num_b.map(|s| s.to_string()),
        s_user_id: Some(inv.s_user_id),
        b_s_user_id: Some(inv.b_s_user_id),
        k_id: Some(inv.k_id),
        k_type: Some(inv.k_type),
        r_un_id: Some(0),
        was_ref: Some(inv.was_ref),
        sa_ident_no: tin,
        org_name: name,
        tanxa: Some(amount),
        vat: Some(vat),
        notes: inv.note.clone(),
        agree_date: inv.agree_date,
        agree_s_user_id: inv.agree_s_user_id,
        dec_status: Some(dec_status(inv, un_id)),
        user_id: Some(inv.user_id),
        invoice_id: Some(inv.id),
        doc_mos_nom_s: inv.seq_num_s.map(|s| s.to_string()),
        doc_mos_nom_b: inv.seq_num_b.map(|s| s.to_string()),
        ref_date: inv.ref_date,
        ref_s_user_id: inv.ref_s_user_id,
        overhead_no: Some(inv.overhead_no.clone()).filter(|o| !o.is_empty()),
        overhead_dt: Some(inv.overhead_dt).filter(|d| !is_unset(*d)),
        last_update_date: Some(inv.last_update),
        no_status: None,
        no_text: None,
    }
}

fn number_text(inv: &Invoice) -> String {
    inv.f_number.unwrap_or(-1).to_string()
}

/// get_seller_invoices / get_buyer_invoices.
#[allow(clippy::too_many_arguments)]
fn list_invoices(
    st: &State,
    caller: &Caller,
    seller: bool,
    un_id: i32,
    reg: (NaiveDateTime, NaiveDateTime),
    op: (NaiveDateTime, NaiveDateTime),
    invoice_no: Option<&str>,
    tin: Option<&str>,
    name: Option<&str>,
    decl: Option<&str>,
) -> DataTable<InvoiceRow> {
    if un_id != caller.un_id {
        return table(Vec::new());
    }
    let rows = st
        .listed(caller, seller)
        .filter(|i| in_range(i.reg_dt, reg.0, reg.1) && in_range(i.operation_dt, op.0, op.1))
        .filter(|i| {
            invoice_no.is_none_or(|n| {
                let series_number =
                    format!("{}{}", i.f_series.as_deref().unwrap_or(""), number_text(i));
                i.f_number.is_some() && (contains(&series_number, n) || number_text(i) == n)
            })
        })
        .map(|i| invoice_row(st, i, un_id))
        .filter(|r| tin.is_none_or(|t| r.sa_ident_no.as_deref().is_some_and(|x| x.contains(t))))
        .filter(|r| name.is_none_or(|n| r.org_name.as_deref().is_some_and(|x| contains(x, n))))
        .filter(|r| {
            decl.is_none_or(|d| {
                let own = if seller { &r.seq_num_s } else { &r.seq_num_b };
                own.as_deref() == Some(d)
            })
        })
        .collect();
    table(rows)
}

fn action_rows(
    st: &State,
    caller: &Caller,
    seller: bool,
    un_id: i32,
    status: &InvoiceStatus,
) -> DataTable<ActionInvoiceRow> {
    if un_id != caller.un_id {
        return table(Vec::new());
    }
    let rows = st
        .listed(caller, seller)
        .filter(|i| &i.status == status)
        .map(|i| {
            let (tin, name) = counterparty(st, i, un_id);
            ActionInvoiceRow {
                id: Some(i.id),
                f_series: i.f_series.clone(),
                f_number: Some(number_text(i)),
                status: Some(i.status),
                reg_dt: Some(i.reg_dt),
                operation_dt: Some(i.operation_dt),
                sa_ident_no: tin,
                org_name: name,
            }
        })
        .collect();
    table(rows)
}

/// Statuses counted by the filter counts, in the reply's order.
fn count(st: &State, caller: &Caller, seller: bool, status: i64) -> i32 {
    let n = st
        .listed(caller, seller)
        .filter(|i| i.status.code() == status)
        .count();
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Distinct values of `key` over the caller's invoices (as seller and as
/// buyer) that start with `prefix`, at most `limit` (<= 0: all).
fn autocomplete(
    st: &State,
    caller: &Caller,
    prefix: Option<&str>,
    limit: i32,
    key: impl Fn(&Invoice) -> Option<Vec<Option<String>>>,
) -> Vec<Vec<Option<String>>> {
    let mut seen = Vec::<Vec<Option<String>>>::new();
    let invoices = st.listed(caller, true).chain(st.listed(caller, false));
    for inv in invoices {
        let Some(row) = key(inv) else { continue };
        let first = row.first().cloned().flatten().unwrap_or_default();
        if prefix.is_some_and(|p| !first.starts_with(p)) || seen.contains(&row) {
            continue;
        }
        seen.push(row);
        if limit > 0 && seen.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
            break;
        }
    }
    seen
}

/// `YYYYMM` or `YYYY-MM` (or `YYYY.MM`, `MM.YYYY`).
fn parse_period(text: &str) -> Option<(i32, u32)> {
    let t = text.trim();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 6 {
        return None;
    }
    let (year, month) = if t.find(|c: char| !c.is_ascii_digit()) == Some(2) {
        (&digits[2..], &digits[..2])
    } else {
        (&digits[..4], &digits[4..])
    };
    let (year, month): (i32, u32) = (year.parse().ok()?, month.parse().ok()?);
    (1..=12).contains(&month).then_some((year, month))
}

/// The sandbox's columns of invoice-request rows (undocumented).
const REQUEST_COLUMNS: &[&str] = &[
    "ID",
    "BAYER_UN_ID",
    "SELLER_UN_ID",
    "OVERHEAD_NO",
    "DT",
    "NOTES",
    "STATUS",
];

/// The requests in which the caller (`caller`, a un_id) is the party that
/// `party` picks, when the call asks for the caller's own (`asked`); asking
/// for another party's requests gives an empty table, as the service does.
fn own_request_rows(
    st: &State,
    asked: i32,
    caller: i32,
    party: fn(&InvoiceRequest) -> i32,
) -> Untyped {
    if asked != caller {
        return request_rows(st, std::iter::empty());
    }
    let ids: Vec<i64> = st
        .requests
        .values()
        .filter(|r| party(r) == caller)
        .map(|r| r.id)
        .collect();
    request_rows(st, ids.into_iter())
}

fn request_rows(st: &State, requests: impl Iterator<Item = i64>) -> Untyped {
    let rows = requests
        .filter_map(|id| st.requests.get(&id))
        .map(|r| {
            vec![
                Some(r.id.to_string()),
                Some(r.buyer_un_id.to_string()),
                Some(r.seller_un_id.to_string()),
                Some(r.overhead_no.clone()),
                Some(date_text(r.dt)),
                Some(r.notes.clone()),
                Some(if r.accepted { "1" } else { "0" }.to_owned()),
            ]
        })
        .collect();
    untyped("invoice_requests", REQUEST_COLUMNS, rows)
}

impl Service for Sandbox {
    async fn what_is_my_ip(
        &self,
        ctx: RequestContext,
        _req: taxsdk_runtime::Empty,
    ) -> R<WhatIsMyIpResponse> {
        // The handler sees headers, not the socket: a proxy's
        // X-Forwarded-For, else loopback (the sandbox listens there).
        let ip = ctx
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .unwrap_or("127.0.0.1");
        Ok(WhatIsMyIpResponse {
            result: Some(ip.to_owned()),
        })
    }

    async fn create_ser_user(
        &self,
        _ctx: RequestContext,
        req: CreateSerUserParams,
    ) -> R<CreateSerUserResponse> {
        let mut st = self.lock();
        let main = main_user_id(&st, &req.user_name, &req.user_password);
        let result = main.is_some_and(|main| {
            st.create_service_user(
                main,
                text(&req.su),
                text(&req.sp),
                text(&req.ip),
                text(&req.notes),
            )
        });
        Ok(CreateSerUserResponse { result })
    }

    async fn update_ser_user(
        &self,
        _ctx: RequestContext,
        req: UpdateSerUserParams,
    ) -> R<UpdateSerUserResponse> {
        let mut st = self.lock();
        let main = main_user_id(&st, &req.user_name, &req.user_password);
        let result = main.is_some_and(|main| {
            st.update_service_user(
                main,
                text(&req.su),
                text(&req.sp),
                text(&req.ip),
                text(&req.notes),
            )
        });
        Ok(UpdateSerUserResponse { result })
    }

    async fn get_ser_users(
        &self,
        _ctx: RequestContext,
        req: GetSerUsersParams,
    ) -> R<GetSerUsersResponse> {
        let st = self.lock();
        let Some(main) = main_user_id(&st, &req.user_name, &req.user_password) else {
            return Ok(GetSerUsersResponse {
                result: table(Vec::new()),
                user_id: -1,
            });
        };
        let rows = st
            .service_users
            .iter()
            .filter(|u| u.user_id == main)
            .map(|u| SerUserRow {
                id: Some(u.id),
                user_name: Some(u.name.clone()),
                user_id: Some(u.user_id),
                ip: Some(u.ip.clone()),
                notes: Some(u.notes.clone()),
            })
            .collect();
        Ok(GetSerUsersResponse {
            result: table(rows),
            user_id: main,
        })
    }

    async fn get_ser_users_notes(
        &self,
        _ctx: RequestContext,
        req: GetSerUsersNotesParams,
    ) -> R<GetSerUsersNotesResponse> {
        let st = self.lock();
        let tin = req.tin.as_deref().unwrap_or("").trim().to_owned();
        let mains: Vec<i32> = st
            .main_users
            .iter()
            .filter(|m| m.tin == tin)
            .map(|m| m.user_id)
            .collect();
        let rows = st
            .service_users
            .iter()
            .filter(|u| mains.contains(&u.user_id))
            .map(|u| SerUserNoteRow {
                id: Some(u.id),
                notes: Some(u.notes.clone()),
            })
            .collect();
        Ok(GetSerUsersNotesResponse {
            result: table(rows),
        })
    }

    async fn chek(&self, ctx: RequestContext, _req: ChekParams) -> R<ChekResponse> {
        // The input user_id is ignored: chek is how a client learns it.
        Ok(self.act(
            &ctx,
            None,
            ChekResponse {
                result: false,
                user_id: 0,
                sua: 0,
            },
            |_, c| ChekResponse {
                result: true,
                user_id: c.user_id,
                sua: c.sua,
            },
        ))
    }

    async fn save_invoice(
        &self,
        ctx: RequestContext,
        req: SaveInvoiceParams,
    ) -> R<SaveInvoiceResponse> {
        let id = self.act(&ctx, Some(req.user_id), None, |st, c| {
            st.save_invoice(
                c,
                req.invoice_id,
                req.operation_date,
                req.seller_un_id,
                req.buyer_un_id,
                req.overhead_no,
                req.overhead_dt,
                req.b_s_user_id,
                None,
                false,
            )
        });
        Ok(SaveInvoiceResponse {
            result: id.is_some(),
            invoice_id: id.unwrap_or(req.invoice_id),
        })
    }

    async fn save_invoice_n(
        &self,
        ctx: RequestContext,
        req: SaveInvoiceNParams,
    ) -> R<SaveInvoiceNResponse> {
        let id = self.act(&ctx, Some(req.user_id), None, |st, c| {
            st.save_invoice(
                c,
                req.invoice_id,
                req.operation_date,
                req.seller_un_id,
                req.buyer_un_id,
                req.overhead_no,
                req.overhead_dt,
                req.b_s_user_id,
                Some(req.note.unwrap_or_default()),
                false,
            )
        });
        Ok(SaveInvoiceNResponse {
            result: id.is_some(),
            invoice_id: id.unwrap_or(req.invoice_id),
        })
    }

    async fn save_invoice_a(
        &self,
        ctx: RequestContext,
        req: SaveInvoiceAParams,
    ) -> R<SaveInvoiceAResponse> {
        let id = self.act(&ctx, Some(req.user_id), None, |st, c| {
            st.save_invoice(
                c,
                req.invoice_id,
                req.operation_date,
                req.seller_un_id,
                req.buyer_un_id,
                req.overhead_no,
                req.overhead_dt,
                req.b_s_user_id,
                None,
                true,
            )
        });
        Ok(SaveInvoiceAResponse {
            result: id.is_some(),
            invoice_id: id.unwrap_or(req.invoice_id),
        })
    }

    async fn get_invoice(
        &self,
        ctx: RequestContext,
        req: GetInvoiceParams,
    ) -> R<GetInvoiceResponse> {
        let not_found = GetInvoiceResponse {
            result: false,
            f_series: None,
            f_number: None,
            operation_dt: unset(),
            reg_dt: unset(),
            seller_un_id: 0,
            buyer_un_id: 0,
            overhead_no: None,
            overhead_dt: unset(),
            status: InvoiceStatus::Saved,
            seq_num_s: None,
            seq_num_b: None,
            k_id: -1,
            r_un_id: 0,
            k_type: CorrectionType::NoCorrection,
            b_s_user_id: 0,
            dec_status: 0,
        };
        Ok(
            self.act(&ctx, Some(req.user_id), not_found.clone(), |st, c| {
                let Some(inv) = st.visible(c, req.invoice_id) else {
                    return not_found;
                };
                GetInvoiceResponse {
                    result: true,
                    f_series: Some(inv.f_series.clone().unwrap_or_default()),
                    f_number: Some(number_text(inv)),
                    operation_dt: inv.operation_dt,
                    reg_dt: inv.reg_dt,
                    seller_un_id: inv.seller_un_id,
                    buyer_un_id: inv.buyer_un_id,
                    overhead_no: Some(inv.overhead_no.clone()),
                    overhead_dt: inv.overhead_dt,
                    status: inv.status,
                    seq_num_s: Some(inv.seq_num_s.map(|s| s.to_string()).unwrap_or_default()),
                    seq_num_b: Some(inv.seq_num_b.map(|s| s.to_string()).unwrap_or_default()),
                    k_id: inv.k_id,
                    r_un_id: 0,
                    k_type: inv.k_type,
                    b_s_user_id: inv.b_s_user_id,
                    dec_status: dec_status(inv, c.un_id).max(0),
                }
            }),
        )
    }

    async fn get_invoice_desc(
        &self,
        ctx: RequestContext,
        req: GetInvoiceDescParams,
    ) -> R<GetInvoiceDescResponse> {
        let rows = self.act(&ctx, Some(req.user_id), Vec::new(), |st, c| {
            if st.visible(c, req.invoice_id).is_none() {
                return Vec::new();
            }
            st.lines_of(req.invoice_id)
                .map(|l| InvoiceDescRow {
                    id: Some(l.id),
                    inv_id: Some(l.inv_id),
                    goods: Some(l.goods.clone()),
                    g_unit: Some(l.g_unit.clone()),
                    g_number: Some(l.g_number),
                    full_amount: Some(l.full_amount),
                    drg_amount: Some(l.drg_amount),
                    aqcizi_amount: Some(l.aqcizi_amount),
                    akcis_id: Some(l.akciz_id),
                    vat_type: Some(if l.drg_amount == Decimal::NEGATIVE_ONE {
                        VatType::Exempt
                    } else if l.drg_amount.is_zero() {
                        VatType::ZeroRated
                    } else {
                        VatType::Standard
                    }),
                    sdrg_amount: Some(l.drg_amount.max(Decimal::ZERO)),
                })
                .collect()
        });
        Ok(GetInvoiceDescResponse {
            result: table(rows),
        })
    }

    async fn save_invoice_desc(
        &self,
        ctx: RequestContext,
        req: SaveInvoiceDescParams,
    ) -> R<SaveInvoiceDescResponse> {
        let id = self.act(&ctx, Some(req.user_id), None, |st, c| {
            st.save_line(
                c,
                Line {
                    id: req.id,
                    inv_id: req.invoice_id,
                    goods: req.goods.unwrap_or_default().trim().to_owned(),
                    g_unit: req.g_unit.unwrap_or_default().trim().to_owned(),
                    g_number: req.g_number,
                    full_amount: req.full_amount,
                    drg_amount: req.drg_amount,
                    aqcizi_amount: req.aqcizi_amount,
                    akciz_id: req.akciz_id,
                },
            )
        });
        Ok(SaveInvoiceDescResponse {
            result: id.is_some(),
            id: id.unwrap_or(req.id),
        })
    }

    async fn delete_invoice_desc(
        &self,
        ctx: RequestContext,
        req: DeleteInvoiceDescParams,
    ) -> R<DeleteInvoiceDescResponse> {
        let result = self.act(&ctx, Some(req.user_id), false, |st, c| {
            st.delete_line(c, req.id, req.invoice_id)
        });
        Ok(DeleteInvoiceDescResponse { result })
    }

    async fn get_ntos_invoices_inv_nos(
        &self,
        ctx: RequestContext,
        req: GetNtosInvoicesInvNosParams,
    ) -> R<GetNtosInvoicesInvNosResponse> {
        let rows = self.act(&ctx, Some(req.user_id), Vec::new(), |st, c| {
            if st.visible(c, req.invoice_id).is_none() {
                return Vec::new();
            }
            st.links
                .values()
                .filter(|l| l.inv_id == req.invoice_id)
                .map(|l| WaybillLinkRow {
                    id: Some(l.id),
                    inv_id: Some(l.inv_id),
                    overhead_no: Some(l.overhead_no.clone()),
                    overhead_dt: Some(l.overhead_dt),
                    overhead_dt_str: Some(l.overhead_dt.date()),
                })
                .collect()
        });
        Ok(GetNtosInvoicesInvNosResponse {
            result: table(rows),
        })
    }

    async fn save_ntos_invoices_inv_nos(
        &self,
        ctx: RequestContext,
        req: SaveNtosInvoicesInvNosParams,
    ) -> R<SaveNtosInvoicesInvNosResponse> {
        let result = self.act(&ctx, Some(req.user_id), false, |st, c| {
            st.link_waybill(
                c,
                req.invoice_id,
                req.overhead_no.as_deref().unwrap_or(""),
                req.overhead_dt,
            )
        });
        Ok(SaveNtosInvoicesInvNosResponse { result })
    }

    async fn delete_ntos_invoices_inv_nos(
        &self,
        ctx: RequestContext,
        req: DeleteNtosInvoicesInvNosParams,
    ) -> R<DeleteNtosInvoicesInvNosResponse> {
        let result = self.act(&ctx, Some(req.user_id), false, |st, c| {
            st.unlink_waybill(c, req.id, req.invoice_id)
        });
        Ok(DeleteNtosInvoicesInvNosResponse { result })
    }

    async fn get_un_id_from_tin(
        &self,
        ctx: RequestContext,
        req: GetUnIdFromTinParams,
    ) -> R<GetUnIdFromTinResponse> {
        let not_found = GetUnIdFromTinResponse {
            result: -1,
            name: None,
        };
        Ok(
            self.act(&ctx, Some(req.user_id), not_found.clone(), |st, _| match st
                .org_by_tin(req.tin.as_deref().unwrap_or(""))
            {
                Some(o) => GetUnIdFromTinResponse {
                    result: o.un_id,
                    name: Some(o.name.clone()),
                },
                None => not_found,
            }),
        )
    }

    async fn get_tin_from_un_id(
        &self,
        ctx: RequestContext,
        req: GetTinFromUnIdParams,
    ) -> R<GetTinFromUnIdResponse> {
        let none = GetTinFromUnIdResponse {
            result: None,
            name: None,
        };
        Ok(self.act(&ctx, Some(req.user_id), none.clone(), |st, _| {
            match st.org(req.un_id) {
                Some(o) => GetTinFromUnIdResponse {
                    result: Some(o.tin.clone()),
                    name: Some(o.name.clone()),
                },
                None => none,
            }
        }))
    }

    async fn get_org_name_from_un_id(
        &self,
        ctx: RequestContext,
        req: GetOrgNameFromUnIdParams,
    ) -> R<GetOrgNameFromUnIdResponse> {
        let result = self.act(&ctx, Some(req.user_id), None, |st, _| {
            st.org(req.un_id).map(|o| o.name.clone())
        });
        Ok(GetOrgNameFromUnIdResponse { result })
    }

    async fn get_un_id_from_user_id(
        &self,
        ctx: RequestContext,
        req: GetUnIdFromUserIdParams,
    ) -> R<GetUnIdFromUserIdResponse> {
        let result = self.act(&ctx, Some(req.user_id), -1, |_, c| c.un_id);
        Ok(GetUnIdFromUserIdResponse { result })
    }

    async fn change_invoice_status(
        &self,
        ctx: RequestContext,
        req: ChangeInvoiceStatusParams,
    ) -> R<ChangeInvoiceStatusResponse> {
        let result = self.act(&ctx, Some(req.user_id), false, |st, c| {
            st.seller_status(c, req.invoice_id, &req.status)
        });
        Ok(ChangeInvoiceStatusResponse { result })
    }

    async fn acsept_invoice_status(
        &self,
        ctx: RequestContext,
        req: AcseptInvoiceStatusParams,
    ) -> R<AcseptInvoiceStatusResponse> {
        let result = self.act(&ctx, Some(req.user_id), false, |st, c| {
            st.buyer_confirm(c, req.invoice_id, &req.status)
        });
        Ok(AcseptInvoiceStatusResponse { result })
    }

    async fn ref_invoice_status(
        &self,
        ctx: RequestContext,
        req: RefInvoiceStatusParams,
    ) -> R<RefInvoiceStatusResponse> {
        let result = self.act(&ctx, Some(req.user_id), false, |st, c| {
            st.buyer_reject(c, req.invoice_id, req.ref_text.clone())
        });
        Ok(RefInvoiceStatusResponse { result })
    }

    async fn k_invoice(&self, ctx: RequestContext, req: KInvoiceParams) -> R<KInvoiceResponse> {
        let id = self.act(&ctx, Some(req.user_id), None, |st, c| {
            st.correct(c, req.invoice_id, &req.k_type)
        });
        Ok(KInvoiceResponse {
            result: id.is_some(),
            k_id: id.unwrap_or(-1),
        })
    }

    async fn g_invoice(&self, _ctx: RequestContext, _req: GInvoiceParams) -> R<GInvoiceResponse> {
        // Not emulated (its meaning is unverified): the service's refusal.
        Ok(GInvoiceResponse {
            result: false,
            k_id: -1,
        })
    }

    async fn get_makoreqtirebeli(
        &self,
        ctx: RequestContext,
        req: GetMakoreqtirebeliParams,
    ) -> R<GetMakoreqtirebeliResponse> {
        let k_id = self.act(&ctx, Some(req.user_id), None, |st, c| {
            let inv = st.visible(c, req.invoice_id)?;
            (!inv.is_correction && inv.k_id > 0).then_some(inv.k_id)
        });
        Ok(GetMakoreqtirebeliResponse {
            result: k_id.is_some(),
            k_id: k_id.unwrap_or(-1),
        })
    }

    async fn get_seller_invoices(
        &self,
        ctx: RequestContext,
        req: GetSellerInvoicesParams,
    ) -> R<GetSellerInvoicesResponse> {
        let result = self.act(&ctx, Some(req.user_id), table(Vec::new()), |st, c| {
            list_invoices(
                st,
                c,
                true,
                req.un_id,
                (req.s_dt, req.e_dt),
                (req.op_s_dt, req.op_e_dt),
                non_empty(req.invoice_no.as_deref()),
                non_empty(req.sa_ident_no.as_deref()),
                non_empty(req.desc.as_deref()),
                non_empty(req.doc_mos_nom.as_deref()),
            )
        });
        Ok(GetSellerInvoicesResponse { result })
    }

    async fn get_buyer_invoices(
        &self,
        ctx: RequestContext,
        req: GetBuyerInvoicesParams,
    ) -> R<GetBuyerInvoicesResponse> {
        let result = self.act(&ctx, Some(req.user_id), table(Vec::new()), |st, c| {
            list_invoices(
                st,
                c,
                false,
                req.un_id,
                (req.s_dt, req.e_dt),
                (req.op_s_dt, req.op_e_dt),
                non_empty(req.invoice_no.as_deref()),
                non_empty(req.sa_ident_no.as_deref()),
                non_empty(req.desc.as_deref()),
                non_empty(req.doc_mos_nom.as_deref()),
            )
        });
        Ok(GetBuyerInvoicesResponse { result })
    }

    async fn get_user_invoices(
        &self,
        ctx: RequestContext,
        req: GetUserInvoicesParams,
    ) -> R<GetUserInvoicesResponse> {
        let rows = self.act(&ctx, Some(req.user_id), Vec::new(), |st, c| {
            let (from, to) = (req.last_update_date_s, req.last_update_date_e);
            // The window is at most 3 days.
            if req.un_id != c.un_id || to < from || to - from > chrono::Duration::days(3) {
                return Vec::new();
            }
            st.listed(c, true)
                .chain(st.listed(c, false))
                .filter(|i| i.last_update >= from && i.last_update <= to)
                .map(|i| {
                    let seller = st.org(i.seller_un_id);
                    let buyer = st.org(i.buyer_un_id);
                    UserInvoiceRow {
                        id: Some(i.id),
                        seller_un_id: Some(i.seller_un_id),
                        buyer_un_id: Some(i.buyer_un_id),
                        status: Some(i.status),
                        was_ref: Some(i.was_ref),
                        ref_s_user_id: i.ref_s_user_id,
                        ref_date: i.ref_date,
                        f_series: i.f_series.clone(),
                        f_number: Some(number_text(i)),
                        reg_dt: Some(i.reg_dt),
                        operation_dt: Some(i.operation_dt),
                        s_user_id: Some(i.s_user_id),
                        saident_no_s: seller.map(|o| o.tin.clone()),
                        org_name_s: seller.map(|o| o.name.clone()),
                        saident_no_b: buyer.map(|o| o.tin.clone()),
                        org_name_b: buyer.map(|o| o.name.clone()),
                        tanxa: Some(st.totals(i.id).0),
                        k_id: Some(i.k_id),
                        agree_date: i.agree_date,
                        agree_s_user_id: i.agree_s_user_id,
                        notes: i.note.clone(),
                        last_update_date: Some(i.last_update),
                    }
                })
                .collect()
        });
        Ok(GetUserInvoicesResponse {
            result: table(rows),
        })
    }

    async fn get_invoice_numbers(
        &self,
        ctx: RequestContext,
        req: GetInvoiceNumbersParams,
    ) -> R<GetInvoiceNumbersResponse> {
        let rows = self.act(&ctx, Some(req.user_id), Vec::new(), |st, c| {
            if req.un_id != c.un_id {
                return Vec::new();
            }
            autocomplete(
                st,
                c,
                non_empty(req.v_invoice_n.as_deref()),
                req.v_count,
                |i| {
                    let number = i.f_number?;
                    Some(vec![Some(number.to_string()), i.f_series.clone()])
                },
            )
        });
        Ok(GetInvoiceNumbersResponse {
            result: untyped("invoice_numbers", &["F_NUMBER", "F_SERIES"], rows),
        })
    }

    async fn get_invoice_tins(
        &self,
        ctx: RequestContext,
        req: GetInvoiceTinsParams,
    ) -> R<GetInvoiceTinsResponse> {
        let rows = self.act(&ctx, Some(req.user_id), Vec::new(), |st, c| {
            if req.un_id != c.un_id {
                return Vec::new();
            }
            autocomplete(
                st,
                c,
                non_empty(req.v_invoice_t.as_deref()),
                req.v_count,
                |i| {
                    let (tin, name) = counterparty(st, i, c.un_id);
                    Some(vec![tin, name])
                },
            )
        });
        Ok(GetInvoiceTinsResponse {
            result: untyped("invoice_tins", &["SA_IDENT_NO", "ORG_NAME"], rows),
        })
    }

    async fn get_invoice_d(
        &self,
        ctx: RequestContext,
        req: GetInvoiceDParams,
    ) -> R<GetInvoiceDResponse> {
        let rows = self.act(&ctx, Some(req.user_id), Vec::new(), |st, c| {
            if req.un_id != c.un_id {
                return Vec::new();
            }
            autocomplete(
                st,
                c,
                non_empty(req.v_invoice_d.as_deref()),
                req.v_count,
                |i| {
                    let own = if i.seller_un_id == c.un_id {
                        i.seq_num_s
                    } else {
                        i.seq_num_b
                    };
                    Some(vec![Some(own?.to_string())])
                },
            )
        });
        Ok(GetInvoiceDResponse {
            result: untyped("invoice_d", &["DOC_MOS_NOM"], rows),
        })
    }

    async fn get_seller_invoices_r(
        &self,
        ctx: RequestContext,
        req: GetSellerInvoicesRParams,
    ) -> R<GetSellerInvoicesRResponse> {
        let result = self.act(&ctx, Some(req.user_id), table(Vec::new()), |st, c| {
            action_rows(st, c, true, req.un_id, &req.status)
        });
        Ok(GetSellerInvoicesRResponse { result })
    }

    async fn get_buyer_invoices_r(
        &self,
        ctx: RequestContext,
        req: GetBuyerInvoicesRParams,
    ) -> R<GetBuyerInvoicesRResponse> {
        let result = self.act(&ctx, Some(req.user_id), table(Vec::new()), |st, c| {
            action_rows(st, c, false, req.un_id, &req.status)
        });
        Ok(GetBuyerInvoicesRResponse { result })
    }

    async fn print_invoices(
        &self,
        ctx: RequestContext,
        req: PrintInvoicesParams,
    ) -> R<PrintInvoicesResponse> {
        let rows = self.act(&ctx, Some(req.user_id), Vec::new(), |st, c| {
            let Some(inv) = st.visible(c, i64::from(req.invoice_id)) else {
                return Vec::new();
            };
            let seller = st.org(inv.seller_un_id);
            let buyer = st.org(inv.buyer_un_id);
            st.lines_of(inv.id)
                .map(|l| {
                    vec![
                        Some(inv.id.to_string()),
                        inv.f_series.clone(),
                        Some(number_text(inv)),
                        Some(date_text(inv.operation_dt)),
                        seller.map(|o| o.tin.clone()),
                        seller.map(|o| o.name.clone()),
                        buyer.map(|o| o.tin.clone()),
                        buyer.map(|o| o.name.clone()),
                        Some(l.goods.clone()),
                        Some(l.g_unit.clone()),
                        Some(l.g_number.to_string()),
                        Some(l.full_amount.to_string()),
                        Some(l.drg_amount.to_string()),
                    ]
                })
                .collect()
        });
        Ok(PrintInvoicesResponse {
            result: untyped(
                "print_invoices",
                &[
                    "ID",
                    "F_SERIES",
                    "F_NUMBER",
                    "OPERATION_DT",
                    "SELLER_TIN",
                    "SELLER_NAME",
                    "BUYER_TIN",
                    "BUYER_NAME",
                    "GOODS",
                    "G_UNIT",
                    "G_NUMBER",
                    "FULL_AMOUNT",
                    "DRG_AMOUNT",
                ],
                rows,
            ),
        })
    }

    async fn get_akciz(&self, ctx: RequestContext, req: GetAkcizParams) -> R<GetAkcizResponse> {
        let rows = self.act(&ctx, Some(req.user_id), Vec::new(), |st, _| {
            let text = non_empty(req.s_text.as_deref());
            st.config
                .excise
                .iter()
                .filter(|e| e.end_date.is_none())
                .filter(|e| text.is_none_or(|t| contains(&e.product_name, t)))
                .map(|e| ExciseRow {
                    id: i32::try_from(e.id).ok(),
                    title: Some(e.product_name.clone()),
                    measurement: Some(e.unit_text.clone()),
                    sakon_kodi: Some(e.excise_code.to_string()),
                    akcis_ganakv: Some(e.rate),
                })
                .collect()
        });
        Ok(GetAkcizResponse {
            result: table(rows),
        })
    }

    async fn get_seq_nums(
        &self,
        ctx: RequestContext,
        req: GetSeqNumsParams,
    ) -> R<GetSeqNumsResponse> {
        let rows = self.act(
            &ctx,
            Some(req.user_id),
            Vec::new(),
            |_, c| match parse_period(req.sag_periodi.as_deref().unwrap_or("")) {
                Some((year, month)) => vec![SeqNumRow {
                    seq_num: Some(State::seq_num(c.un_id, year, month)),
                }],
                None => Vec::new(),
            },
        );
        Ok(GetSeqNumsResponse {
            result: table(rows),
        })
    }

    async fn add_inv_to_decl(
        &self,
        ctx: RequestContext,
        req: AddInvToDeclParams,
    ) -> R<AddInvToDeclResponse> {
        let result = self.act(&ctx, Some(req.user_id), false, |st, c| {
            st.attach_to_declaration(c, req.seq_num, req.invoice_id)
        });
        Ok(AddInvToDeclResponse { result })
    }

    async fn save_invoice_request(
        &self,
        ctx: RequestContext,
        req: SaveInvoiceRequestParams,
    ) -> R<SaveInvoiceRequestResponse> {
        let result = self.act(&ctx, Some(req.user_id), false, |st, c| {
            st.save_request(
                c,
                req.invoice_id,
                req.buyer_un_id,
                req.seller_un_id,
                req.overhead_no.clone().unwrap_or_default(),
                req.dt,
                req.notes.clone().unwrap_or_default(),
            )
        });
        Ok(SaveInvoiceRequestResponse { result })
    }

    async fn del_invoice_request(
        &self,
        ctx: RequestContext,
        req: DelInvoiceRequestParams,
    ) -> R<DelInvoiceRequestResponse> {
        let result = self.act(&ctx, Some(req.user_id), false, |st, c| {
            st.delete_request(c, req.invoice_id, req.buyer_un_id)
        });
        Ok(DelInvoiceRequestResponse { result })
    }

    async fn get_invoice_request(
        &self,
        ctx: RequestContext,
        req: GetInvoiceRequestParams,
    ) -> R<GetInvoiceRequestResponse> {
        let none = GetInvoiceRequestResponse {
            result: false,
            buyer_un_id: 0,
            seller_un_id: 0,
            overhead_no: None,
            dt: unset(),
            notes: None,
        };
        Ok(self.act(&ctx, Some(req.user_id), none.clone(), |st, c| {
            match st
                .requests
                .get(&req.invoice_id)
                .filter(|r| r.buyer_un_id == c.un_id || r.seller_un_id == c.un_id)
            {
                Some(r) => GetInvoiceRequestResponse {
                    result: true,
                    buyer_un_id: r.buyer_un_id,
                    seller_un_id: r.seller_un_id,
                    overhead_no: Some(r.overhead_no.clone()),
                    dt: r.dt,
                    notes: Some(r.notes.clone()),
                },
                None => none,
            }
        }))
    }

    async fn acsept_invoice_request_status(
        &self,
        ctx: RequestContext,
        req: AcseptInvoiceRequestStatusParams,
    ) -> R<AcseptInvoiceRequestStatusResponse> {
        let result = self.act(&ctx, Some(req.user_id), false, |st, c| {
            st.accept_request(c, req.id, req.seller_un_id)
        });
        Ok(AcseptInvoiceRequestStatusResponse { result })
    }

    async fn get_requested_invoices(
        &self,
        ctx: RequestContext,
        req: GetRequestedInvoicesParams,
    ) -> R<GetRequestedInvoicesResponse> {
        let result = self.act(
            &ctx,
            Some(req.user_id),
            untyped("invoice_requests", REQUEST_COLUMNS, Vec::new()),
            |st, c| own_request_rows(st, req.seller_un_id, c.un_id, |r| r.seller_un_id),
        );
        Ok(GetRequestedInvoicesResponse { result })
    }

    async fn get_invoice_requests(
        &self,
        ctx: RequestContext,
        req: GetInvoiceRequestsParams,
    ) -> R<GetInvoiceRequestsResponse> {
        let result = self.act(
            &ctx,
            Some(req.user_id),
            untyped("invoice_requests", REQUEST_COLUMNS, Vec::new()),
            |st, c| own_request_rows(st, req.buyer_un_id, c.un_id, |r| r.buyer_un_id),
        );
        Ok(GetInvoiceRequestsResponse { result })
    }

    async fn get_seller_filter_count(
        &self,
        ctx: RequestContext,
        req: GetSellerFilterCountParams,
    ) -> R<GetSellerFilterCountResponse> {
        Ok(self.act(
            &ctx,
            Some(req.user_id),
            GetSellerFilterCountResponse::default(),
            |st, c| {
                if req.un_id != c.un_id {
                    return GetSellerFilterCountResponse::default();
                }
                let n = |s| count(st, c, true, s);
                GetSellerFilterCountResponse {
                    result: true,
                    st_0: n(0),
                    st_1: n(1),
                    st_4: n(4),
                    st_5: n(5),
                    st_6: n(6),
                    st_2: n(2),
                    st_3: n(3),
                    st_7: n(7),
                    st_8: n(8),
                }
            },
        ))
    }

    async fn get_buyer_filter_count(
        &self,
        ctx: RequestContext,
        req: GetBuyerFilterCountParams,
    ) -> R<GetBuyerFilterCountResponse> {
        Ok(self.act(
            &ctx,
            Some(req.user_id),
            GetBuyerFilterCountResponse::default(),
            |st, c| {
                if req.un_id != c.un_id {
                    return GetBuyerFilterCountResponse::default();
                }
                let n = |s| count(st, c, false, s);
                GetBuyerFilterCountResponse {
                    result: true,
                    st_1: n(1),
                    st_5: n(5),
                    st_6: n(6),
                    st_2: n(2),
                    st_3: n(3),
                    st_7: n(7),
                    st_8: n(8),
                }
            },
        ))
    }

    async fn get_invoice_changes(
        &self,
        ctx: RequestContext,
        req: GetInvoiceChangesParams,
    ) -> R<GetInvoiceChangesResponse> {
        let rows = self.act(&ctx, Some(req.user_id), Vec::new(), |st, c| {
            st.listed(c, true)
                .chain(st.listed(c, false))
                .filter(|i| {
                    (is_unset(req.st_date) || i.last_update >= req.st_date)
                        && (is_unset(req.end_date) || i.last_update <= req.end_date)
                })
                .map(|i| {
                    vec![
                        Some(i.id.to_string()),
                        Some(i.status.code().to_string()),
                        i.f_series.clone(),
                        Some(number_text(i)),
                        Some(date_text(i.last_update)),
                    ]
                })
                .collect()
        });
        Ok(GetInvoiceChangesResponse {
            result: untyped(
                "invoice_changes",
                &["ID", "STATUS", "F_SERIES", "F_NUMBER", "LAST_UPDATE_DATE"],
                rows,
            ),
        })
    }

    async fn get_invoice_id(
        &self,
        ctx: RequestContext,
        req: GetInvoiceIdParams,
    ) -> R<GetInvoiceIdResponse> {
        let series = req.f_series.as_deref().unwrap_or("").trim().to_owned();
        let number = req.f_number.as_deref().unwrap_or("").trim().to_owned();
        let result = self.act(&ctx, None, -1, |st, c| {
            st.listed(c, true)
                .chain(st.listed(c, false))
                .find(|i| {
                    i.f_series.as_deref() == Some(series.as_str())
                        && i.f_number.is_some_and(|n| n.to_string() == number)
                })
                .map_or(-1, |i| i.id)
        });
        Ok(GetInvoiceIdResponse { result })
    }

    async fn get_decl_date(
        &self,
        ctx: RequestContext,
        req: GetDeclDateParams,
    ) -> R<GetDeclDateResponse> {
        let result = self.act(&ctx, None, None, |_, c| {
            let un_id: i32 = req.un_id.as_deref()?.trim().parse().ok()?;
            let seq: i32 = req.decl_num.as_deref()?.trim().parse().ok()?;
            if un_id != c.un_id {
                return None;
            }
            let month = State::seq_num_month(un_id, seq)?;
            let date = month.and_hms_opt(0, 0, 0)?;
            Some(Value::String(date_text(date)))
        });
        Ok(GetDeclDateResponse { result })
    }

    async fn get_attachable_advance_invoices(
        &self,
        ctx: RequestContext,
        req: GetAttachableAdvanceInvoicesParams,
    ) -> R<GetAttachableAdvanceInvoicesResponse> {
        let rows = self.act(&ctx, Some(req.user_id), Vec::new(), |st, c| {
            let Some(buyer) = st
                .org_by_tin(req.buyer_tin.as_deref().unwrap_or(""))
                .map(|o| o.un_id)
            else {
                return Vec::new();
            };
            if req.seller_un_id != c.un_id {
                return Vec::new();
            }
            st.attachable_advances(c.un_id, buyer)
                .into_iter()
                .filter(|(i, _)| {
                    is_unset(req.operation_date) || i.operation_dt <= req.operation_date
                })
                .map(|(i, left)| {
                    vec![
                        Some(i.id.to_string()),
                        i.f_series.clone(),
                        Some(number_text(i)),
                        Some(date_text(i.operation_dt)),
                        Some(left.to_string()),
                    ]
                })
                .collect()
        });
        Ok(GetAttachableAdvanceInvoicesResponse {
            result: untyped(
                "advance_invoices",
                &["ID", "F_SERIES", "F_NUMBER", "OPERATION_DT", "DRG_AMOUNT"],
                rows,
            ),
        })
    }

    async fn get_attached_advance_invoices(
        &self,
        ctx: RequestContext,
        req: GetAttachedAdvanceInvoicesParams,
    ) -> R<GetAttachedAdvanceInvoicesResponse> {
        let rows = self.act(&ctx, Some(req.user_id), Vec::new(), |st, c| {
            let id = i64::from(req.invoice_id);
            if st.visible(c, id).is_none() {
                return Vec::new();
            }
            st.advances
                .iter()
                .filter(|a| a.invoice_id == id)
                .map(|a| {
                    let adv = st.invoices.get(&a.advance_id);
                    vec![
                        Some(a.advance_id.to_string()),
                        adv.and_then(|i| i.f_series.clone()),
                        adv.map(number_text),
                        Some(a.amount.to_string()),
                    ]
                })
                .collect()
        });
        Ok(GetAttachedAdvanceInvoicesResponse {
            result: untyped(
                "attached_advance_invoices",
                &["ID", "F_SERIES", "F_NUMBER", "DRG_AMOUNT"],
                rows,
            ),
        })
    }

    async fn attach_advance_invoice(
        &self,
        ctx: RequestContext,
        req: AttachAdvanceInvoiceParams,
    ) -> R<AttachAdvanceInvoiceResponse> {
        let result = self.act(&ctx, Some(req.user_id), advance_refused(), |st, c| {
            let (id, adv) = (i64::from(req.invoice_id), i64::from(req.advance_invoice_id));
            let Some(inv) = st
                .own_mut(c, id)
                .filter(|i| i.is_draft())
                .map(|i| i.buyer_un_id)
            else {
                return advance_reply("400", "the invoice is not a draft of the seller");
            };
            let buyer = st
                .org_by_tin(req.buyer_tin.as_deref().unwrap_or(""))
                .map(|o| o.un_id);
            if req.seller_un_id != c.un_id || buyer != Some(inv) {
                return advance_reply(
                    "400",
                    "seller_un_id or buyer_tin does not match the invoice",
                );
            }
            let amount = req.advance_invoice_drg_amount;
            let attachable = st
                .attachable_advances(c.un_id, inv)
                .iter()
                .any(|(i, left)| i.id == adv && amount > Decimal::ZERO && amount <= *left);
            if !attachable
                || st
                    .advances
                    .iter()
                    .any(|a| a.invoice_id == id && a.advance_id == adv)
            {
                return advance_reply(
                    "400",
                    "the advance invoice cannot be attached with this amount",
                );
            }
            st.advances.push(AdvanceLink {
                invoice_id: id,
                advance_id: adv,
                amount,
            });
            advance_reply("200", "OK")
        });
        Ok(AttachAdvanceInvoiceResponse { result })
    }

    async fn detach_advance_invoices(
        &self,
        ctx: RequestContext,
        req: DetachAdvanceInvoicesParams,
    ) -> R<DetachAdvanceInvoicesResponse> {
        let result = self.act(&ctx, Some(req.user_id), advance_refused(), |st, c| {
            let id = i64::from(req.invoice_id);
            if st.own_mut(c, id).filter(|i| i.is_draft()).is_none() {
                return advance_reply("400", "the invoice is not a draft of the seller");
            }
            let ids: Vec<i64> = req
                .advance_invoices
                .and_then(|a| a.ids)
                .unwrap_or_default()
                .into_iter()
                .map(i64::from)
                .collect();
            let before = st.advances.len();
            st.advances
                .retain(|a| !(a.invoice_id == id && ids.contains(&a.advance_id)));
            if st.advances.len() + ids.len() != before {
                return advance_reply("400", "some advance invoices are not attached");
            }
            advance_reply("200", "OK")
        });
        Ok(DetachAdvanceInvoicesResponse { result })
    }

    async fn update_advance_invoice(
        &self,
        ctx: RequestContext,
        req: UpdateAdvanceInvoiceParams,
    ) -> R<UpdateAdvanceInvoiceResponse> {
        let result = self.act(&ctx, Some(req.user_id), advance_refused(), |st, c| {
            let (id, adv) = (i64::from(req.invoice_id), i64::from(req.advance_invoice_id));
            if st.own_mut(c, id).filter(|i| i.is_draft()).is_none() {
                return advance_reply("400", "the invoice is not a draft of the seller");
            }
            let amount = req.advance_invoice_drg_amount;
            let Some(current) = st
                .advances
                .iter()
                .find(|a| a.invoice_id == id && a.advance_id == adv)
                .map(|a| a.amount)
            else {
                return advance_reply("400", "the advance invoice is not attached");
            };
            let limit = st
                .advance_left(adv)
                .checked_add(current)
                .unwrap_or(Decimal::MAX);
            if amount <= Decimal::ZERO || amount > limit {
                return advance_reply("400", "the amount exceeds the advance invoice's VAT");
            }
            if let Some(a) = st
                .advances
                .iter_mut()
                .find(|a| a.invoice_id == id && a.advance_id == adv)
            {
                a.amount = amount;
            }
            advance_reply("200", "OK")
        });
        Ok(UpdateAdvanceInvoiceResponse { result })
    }

    async fn change_barter_status(
        &self,
        _ctx: RequestContext,
        _req: ChangeBarterStatusParams,
    ) -> R<ChangeBarterStatusResponse> {
        // Not emulated (barter is undocumented): the service's refusal.
        Ok(ChangeBarterStatusResponse {
            result: Some(Value::Bool(false)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn periods() {
        assert_eq!(parse_period("202404"), Some((2024, 4)));
        assert_eq!(parse_period("2024-04"), Some((2024, 4)));
        assert_eq!(parse_period("04.2024"), Some((2024, 4)));
        assert_eq!(parse_period("202413"), None);
        assert_eq!(parse_period("x"), None);
    }

    #[test]
    fn declaration_numbers_name_their_month() {
        let seq = State::seq_num(731_937, 2024, 4);
        let month = State::seq_num_month(731_937, seq).unwrap();
        assert_eq!((month.year(), month.month()), (2024, 4));
        assert!(State::seq_num_month(1_149_251, seq).is_none());
    }
}

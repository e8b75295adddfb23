//! `rsge_eapi::server::Service` for [`Sandbox`].

use rsge_eapi::models::*;
use rsge_eapi::server::Service;
use taxsdk_runtime::server::RequestContext;
use taxsdk_runtime::{Empty, ServiceStatus, Table};

use super::Sandbox;
use super::declarations;
use super::invoices::{Transition, is_tin};
use super::seed::{self, UserSeed};
use super::state::{Login, State, TxReply};
use super::status::{self, invalid, status};

type R<T> = Result<T, ServiceStatus>;

/// The caller's account, after checking and extending its token.
fn caller(st: &mut State, ctx: &RequestContext) -> R<UserSeed> {
    let session = st.touch(ctx.bearer_token.as_deref())?;
    Ok(st.user(session.user).clone())
}

fn ids(list: Option<Vec<InvoiceIdItem>>) -> Vec<i64> {
    list.unwrap_or_default().into_iter().map(|i| i.id).collect()
}

fn save_reply(r: TxReply) -> SaveInvoiceResponse {
    SaveInvoiceResponse {
        invoice_id: Some(r.invoice_id),
        invoice_number: Some(r.invoice_number),
        seller_action: Some(r.seller_action),
        buyer_action: Some(r.buyer_action),
    }
}

macro_rules! lifecycle_reply {
    ($ty:ident, $r:expr) => {{
        let r: TxReply = $r;
        $ty {
            invoice_id: Some(r.invoice_id),
            invoice_number: Some(r.invoice_number),
            seller_action: Some(r.seller_action),
            buyer_action: Some(r.buyer_action),
        }
    }};
}

/// Run `f` once per (organisation, TransactionId): a repeated id returns the
/// stored reply; a failed call is not stored, so a retry runs again.
fn idempotent(
    st: &mut State,
    tin: &str,
    transaction_id: Option<&str>,
    f: impl FnOnce(&mut State) -> R<TxReply>,
) -> R<TxReply> {
    let key = transaction_id
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| (tin.to_string(), t.to_string()));
    if let Some(reply) = key.as_ref().and_then(|k| st.transactions.get(k)) {
        tracing::info!(transaction_id = %key.as_ref().map(|k| k.1.as_str()).unwrap_or(""), "replaying stored reply");
        return Ok(*reply);
    }
    let reply = f(st)?;
    if let Some(key) = key {
        st.record_transaction(key, reply);
    }
    Ok(reply)
}

impl Sandbox {
    /// Run a state-changing call under the lock and, with a data file,
    /// commit what it changed before the reply is sent (also when it failed
    /// half-way, so memory and file never differ).
    fn write<T>(&self, f: impl FnOnce(&mut State) -> R<T>) -> R<T> {
        let mut st = self.lock();
        let result = f(&mut st);
        st.persist()?;
        result
    }

    fn lifecycle(&self, ctx: &RequestContext, id: Option<i64>, step: Transition) -> R<TxReply> {
        self.write(|st| {
            let user = caller(st, ctx)?;
            let id = id.ok_or_else(|| invalid("INVOICE.ID is required"))?;
            st.transition(&user, id, step)
        })
    }

    fn batch(&self, ctx: &RequestContext, ids: Vec<i64>, step: Transition) -> R<Empty> {
        self.write(|st| {
            let user = caller(st, ctx)?;
            st.transition_all(&user, &ids, step)?;
            Ok(Empty)
        })
    }
}

impl Service for Sandbox {
    async fn authenticate(
        &self,
        _ctx: RequestContext,
        req: AuthenticateRequest,
    ) -> R<AuthenticateResponse> {
        let mut st = self.lock();
        let ttl = st.ttl_seconds();
        match st.authenticate(&req.username, &req.password, req.device_code.as_deref())? {
            Login::Token { token, masked } => Ok(AuthenticateResponse {
                access_token: Some(token),
                expires_in: Some(ttl),
                masked_mobile: Some(masked),
                pin_token: None,
            }),
            Login::Pin { pin_token, masked } => Ok(AuthenticateResponse {
                access_token: None,
                expires_in: None,
                masked_mobile: Some(masked),
                pin_token: Some(pin_token),
            }),
        }
    }

    async fn authenticate_pin(
        &self,
        _ctx: RequestContext,
        req: AuthenticatePinRequest,
    ) -> R<AuthenticatePinResponse> {
        self.write(|st| {
            let token =
                st.authenticate_pin(&req.pin_token, &req.pin, req.device_code.as_deref())?;
            Ok(AuthenticatePinResponse {
                access_token: Some(token),
                expires_in: Some(st.ttl_seconds()),
            })
        })
    }

    async fn sign_out(&self, ctx: RequestContext, _req: Empty) -> R<Empty> {
        let mut st = self.lock();
        caller(&mut st, &ctx)?;
        if let Some(token) = ctx.bearer_token.as_deref() {
            st.sign_out(token);
        }
        Ok(Empty)
    }

    async fn get_vat_payer_status(
        &self,
        ctx: RequestContext,
        req: GetVatPayerStatusRequest,
    ) -> R<GetVatPayerStatusResponse> {
        let mut st = self.lock();
        caller(&mut st, &ctx)?;
        let tin = req.tin.trim();
        if !is_tin(tin) {
            return Err(invalid(format!("Tin `{tin}` is not 9 or 11 digits")));
        }
        let date = req.vat_date.date();
        let is_payer = st
            .orgs
            .get(tin)
            .and_then(|o| o.vat_payer_since)
            .is_some_and(|since| since <= date);
        Ok(GetVatPayerStatusResponse {
            is_vat_payer: Some(is_payer),
        })
    }

    async fn get_org_info_by_tin(
        &self,
        ctx: RequestContext,
        req: GetOrgInfoByTinRequest,
    ) -> R<GetOrgInfoByTinResponse> {
        let mut st = self.lock();
        let user = caller(&mut st, &ctx)?;
        let tin = match req.tin.trim() {
            "" => user.tin.as_str(),
            tin => tin,
        };
        let org = st
            .orgs
            .get(tin)
            .ok_or_else(|| invalid(format!("Tin `{tin}` is not in the sandbox registry")))?;
        let today = st.local_now().date();
        Ok(GetOrgInfoByTinResponse {
            tin: Some(org.tin.clone()),
            address: Some(org.address.clone()),
            is_vat_payer: Some(org.vat_payer_since.is_some_and(|s| s <= today)),
            is_diplomat: Some(org.diplomat),
            name: Some(org.name.clone()),
            un_id: Some(org.un_id),
        })
    }

    async fn get_units(&self, ctx: RequestContext, _req: Empty) -> R<Vec<Unit>> {
        let mut st = self.lock();
        caller(&mut st, &ctx)?;
        Ok(seed::UNITS
            .iter()
            .map(|(value, label)| Unit {
                value: Some(*value),
                label: Some((*label).to_string()),
            })
            .collect())
    }

    async fn get_transaction_result(
        &self,
        ctx: RequestContext,
        req: GetTransactionResultRequest,
    ) -> R<GetTransactionResultResponse> {
        let mut st = self.lock();
        let user = caller(&mut st, &ctx)?;
        let key = (user.tin.clone(), req.transaction_id.trim().to_string());
        let r = st
            .transactions
            .get(&key)
            .ok_or_else(|| status(status::UNKNOWN_TRANSACTION))?;
        Ok(GetTransactionResultResponse {
            invoice_id: Some(r.invoice_id),
            invoice_number: Some(r.invoice_number),
            seller_action: Some(r.seller_action),
            buyer_action: Some(r.buyer_action),
        })
    }

    async fn get_actions(&self, ctx: RequestContext, _req: Empty) -> R<Vec<InvoiceAction>> {
        let mut st = self.lock();
        caller(&mut st, &ctx)?;
        Ok(seed::ACTIONS
            .iter()
            .map(|(id, name, s, b)| InvoiceAction {
                id: Some(*id),
                name: Some((*name).to_string()),
                seller_action: Some(*s),
                buyer_action: Some(*b),
            })
            .collect())
    }

    async fn get_invoice(
        &self,
        ctx: RequestContext,
        req: GetInvoiceRequest,
    ) -> R<GetInvoiceResponse> {
        let mut st = self.lock();
        let user = caller(&mut st, &ctx)?;
        let by_number = req.invoice_number.filter(|n| *n != 0);
        let id = if req.invoice_id != 0 {
            Some(req.invoice_id)
        } else if let Some(number) = by_number {
            let found = st
                .invoices
                .values()
                .find(|s| s.inv.inv_number == Some(number) && st.role(s, &user.tin).is_some())
                .map(|s| s.inv.id);
            Some(found.ok_or_else(|| invalid(format!("no visible invoice with number {number}")))?)
        } else {
            None
        };
        let invoice = match id {
            Some(id) => {
                let (stored, role) = st.visible(id, &user.tin)?;
                st.view(stored, role)
            }
            None => {
                // The document: InvoiceID and parentInvoiceID both 0 give an
                // empty INVOICE skeleton; a parent id gives its goods.
                let mut skeleton = Invoice::default();
                if req.parent_invoice_id != 0 {
                    let (parent, _) = st.visible(req.parent_invoice_id, &user.tin)?;
                    skeleton.invoice_parent_goods = parent.inv.invoice_goods.clone();
                    skeleton.parent_id = Some(req.parent_invoice_id);
                }
                skeleton
            }
        };
        Ok(GetInvoiceResponse {
            invoice: Some(invoice),
        })
    }

    async fn save_invoice(
        &self,
        ctx: RequestContext,
        req: SaveInvoiceRequest,
    ) -> R<SaveInvoiceResponse> {
        self.write(|st| {
            let user = caller(st, &ctx)?;
            let inv = req.invoice;
            if let Some(action) = inv.seller_action
                && action.code() != 0
            {
                return Err(invalid(
                    "SaveInvoice takes SELLER_ACTION 0 (use ActivateInvoice)",
                ));
            }
            let r = idempotent(st, &user.tin, req.transaction_id.as_deref(), |st| {
                st.save(&user, inv, false)
            })?;
            Ok(save_reply(r))
        })
    }

    async fn activate_invoice(
        &self,
        ctx: RequestContext,
        req: ActivateInvoiceRequest,
    ) -> R<ActivateInvoiceResponse> {
        self.write(|st| {
            let user = caller(st, &ctx)?;
            let inv = req.invoice.ok_or_else(|| invalid("INVOICE is required"))?;
            let r = if inv.id == 0 {
                // Save and activate in one call; TransactionId applies.
                idempotent(st, &user.tin, req.transaction_id.as_deref(), |st| {
                    st.save(&user, inv, true)
                })?
            } else {
                // Only the ID counts; TransactionId has no effect (document).
                st.transition(&user, inv.id, Transition::Activate)?
            };
            Ok(lifecycle_reply!(ActivateInvoiceResponse, r))
        })
    }

    async fn activate_invoices(
        &self,
        ctx: RequestContext,
        req: ActivateInvoicesRequest,
    ) -> R<Empty> {
        self.batch(&ctx, ids(req.invoices), Transition::Activate)
    }

    async fn delete_invoice(
        &self,
        ctx: RequestContext,
        req: DeleteInvoiceRequest,
    ) -> R<DeleteInvoiceResponse> {
        let r = self.lifecycle(&ctx, req.invoice.map(|i| i.id), Transition::Delete)?;
        Ok(lifecycle_reply!(DeleteInvoiceResponse, r))
    }

    async fn cancel_invoice(
        &self,
        ctx: RequestContext,
        req: CancelInvoiceRequest,
    ) -> R<CancelInvoiceResponse> {
        let r = self.lifecycle(&ctx, req.invoice.map(|i| i.id), Transition::Cancel)?;
        Ok(lifecycle_reply!(CancelInvoiceResponse, r))
    }

    async fn refuse_invoice(
        &self,
        ctx: RequestContext,
        req: RefuseInvoiceRequest,
    ) -> R<RefuseInvoiceResponse> {
        let r = self.lifecycle(&ctx, req.invoice.map(|i| i.id), Transition::Refuse)?;
        Ok(lifecycle_reply!(RefuseInvoiceResponse, r))
    }

    async fn refuse_invoices(&self, ctx: RequestContext, req: RefuseInvoicesRequest) -> R<Empty> {
        self.batch(&ctx, ids(req.invoices), Transition::Refuse)
    }

    async fn confirm_invoice(
        &self,
        ctx: RequestContext,
        req: ConfirmInvoiceRequest,
    ) -> R<ConfirmInvoiceResponse> {
        let r = self.lifecycle(&ctx, req.invoice.map(|i| i.id), Transition::Confirm)?;
        Ok(lifecycle_reply!(ConfirmInvoiceResponse, r))
    }

    async fn confirm_invoices(&self, ctx: RequestContext, req: ConfirmInvoicesRequest) -> R<Empty> {
        self.batch(&ctx, ids(req.invoices), Transition::Confirm)
    }

    async fn list_invoices(
        &self,
        ctx: RequestContext,
        req: ListInvoicesRequest,
    ) -> R<ListInvoicesResponse> {
        let mut st = self.lock();
        let user = caller(&mut st, &ctx)?;
        st.list_invoices(&user.tin, &req)
    }

    async fn list_goods(&self, ctx: RequestContext, req: ListGoodsRequest) -> R<ListGoodsResponse> {
        let mut st = self.lock();
        let user = caller(&mut st, &ctx)?;
        let mut out = Vec::new();
        for id in ids(req.invoices) {
            let (stored, role) = st.visible(id, &user.tin)?;
            out.push(ListGoodsItem {
                invoice: Some(st.view(stored, role)),
            });
        }
        Ok(ListGoodsResponse {
            invoices: Some(out),
        })
    }

    async fn list_excise(
        &self,
        ctx: RequestContext,
        _req: ListExciseRequest,
    ) -> R<ListExciseResponse> {
        let mut st = self.lock();
        caller(&mut st, &ctx)?;
        Ok(ListExciseResponse {
            data: Some(Table::from_rows(Vec::new())),
            summary: Some(TableSummary { count: Some(0) }),
        })
    }

    async fn list_bar_codes(
        &self,
        ctx: RequestContext,
        _req: ListBarCodesRequest,
    ) -> R<ListBarCodesResponse> {
        let mut st = self.lock();
        caller(&mut st, &ctx)?;
        Ok(ListBarCodesResponse {
            data: Some(Table::from_rows(Vec::new())),
            summary: Some(TableSummary { count: Some(0) }),
        })
    }

    async fn get_bar_code(
        &self,
        ctx: RequestContext,
        _req: GetBarCodeRequest,
    ) -> R<GetBarCodeResponse> {
        let mut st = self.lock();
        caller(&mut st, &ctx)?;
        Ok(GetBarCodeResponse { result: None })
    }

    async fn clear_bar_codes(&self, ctx: RequestContext, _req: Empty) -> R<Empty> {
        let mut st = self.lock();
        caller(&mut st, &ctx)?;
        Ok(Empty)
    }

    async fn get_seq_num(
        &self,
        ctx: RequestContext,
        req: GetSeqNumRequest,
    ) -> R<GetSeqNumResponse> {
        let mut st = self.lock();
        let user = caller(&mut st, &ctx)?;
        let period = req
            .operation_period
            .ok_or_else(|| invalid("OperationPeriod (YYYYMM) is required"))?;
        Ok(GetSeqNumResponse {
            seq_num: Some(declarations::seq_num(&user.tin, period)),
        })
    }

    async fn create_decl(&self, ctx: RequestContext, req: CreateDeclRequest) -> R<Empty> {
        self.write(|st| {
            let user = caller(st, &ctx)?;
            let period = req
                .operation_period
                .ok_or_else(|| invalid("OperationPeriod (YYYYMM) is required"))?;
            st.create_declaration(&user.tin, &ids(req.invoices), period)?;
            Ok(Empty)
        })
    }
}

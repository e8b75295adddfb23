//! `rsge_eapi::server::Service` for [`Sandbox`].

use rsge_eapi::models::*;
use rsge_eapi::server::Service;
use taxsdk_runtime::server::RequestContext;
use taxsdk_runtime::{Empty, ServiceStatus};

use super::Sandbox;
use super::declarations;
use super::invoices::Transition;
use super::seed::{self, Permission, UserSeed};
use super::state::{Login, State, TxReply};
use super::status::{self, invalid, status};

type R<T> = Result<T, ServiceStatus>;

/// The caller's account, after checking and extending its token.
fn caller(st: &mut State, ctx: &RequestContext) -> R<UserSeed> {
    let session = st.touch(ctx.bearer_token.as_deref())?;
    Ok(st.user(session.user).clone())
}

/// The caller of an /Invoice method that needs the rights `needs`: a
/// sub-user without the tax-document module or one of them gets -105 (after
/// the token check, which comes first).
fn invoice_caller(st: &mut State, ctx: &RequestContext, needs: &[Permission]) -> R<UserSeed> {
    let user = caller(st, ctx)?;
    if let Some(missing) = needs.iter().find(|p| !user.may(**p)) {
        tracing::info!(user = %user.username, right = ?missing, "sub-user lacks a right: answering -105");
        return Err(status(status::NO_RIGHTS));
    }
    Ok(user)
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

/// A TransactionId registered as in flight; if the call ends before its
/// work (the client went away during the processing delay), dropping this
/// forgets the id again, like a failed call.
struct InFlight<'a> {
    sandbox: &'a Sandbox,
    key: Option<(String, String)>,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.sandbox.lock().in_flight.remove(&key);
        }
    }
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

    /// SaveInvoice and ActivateInvoice with ID 0, in two steps. First, under
    /// the lock: token, rights, `check`, then the TransactionId (scoped per
    /// organisation): a stored reply is replayed, an id still in flight
    /// answers -7, a new one is registered as in flight. Then, without the
    /// lock, `Config::processing_delay` and any [`Sandbox::pause_processing`].
    /// Then, under the lock again, `work`; its reply is stored for the id
    /// (a failure forgets the id, so a retry runs again) and committed.
    async fn transaction(
        &self,
        ctx: &RequestContext,
        needs: &[Permission],
        transaction_id: Option<&str>,
        check: impl FnOnce() -> R<()>,
        work: impl FnOnce(&mut State, &UserSeed) -> R<TxReply>,
    ) -> R<TxReply> {
        let (user, key, delay) = {
            let mut st = self.lock();
            let user = invoice_caller(&mut st, ctx, needs)?;
            check()?;
            let key = transaction_id
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| (user.tin.clone(), t.to_string()));
            if let Some(key) = &key {
                if let Some(reply) = st.transactions.get(key) {
                    tracing::info!(transaction_id = %key.1, "replaying stored reply");
                    return Ok(*reply);
                }
                if !st.in_flight.insert(key.clone()) {
                    tracing::info!(transaction_id = %key.1, "transaction still in flight: -7");
                    return Err(status(status::IN_PROGRESS));
                }
            }
            (user, key, st.config.processing_delay)
        };
        let mut flight = InFlight { sandbox: self, key };
        let _turn = self.processing_turn(delay).await;
        let mut st = self.lock();
        let result = work(&mut st, &user);
        if let Some(key) = flight.key.take() {
            st.in_flight.remove(&key);
            if let Ok(reply) = &result {
                st.record_transaction(key, *reply);
            }
        }
        st.persist()?;
        result
    }

    fn lifecycle(&self, ctx: &RequestContext, id: Option<i64>, step: Transition) -> R<TxReply> {
        self.write(|st| {
            let user = invoice_caller(st, ctx, &[step.permission()])?;
            let id = id.ok_or_else(|| invalid("INVOICE.ID is required"))?;
            st.transition(&user, id, step)
        })
    }

    fn batch(&self, ctx: &RequestContext, ids: Vec<i64>, step: Transition) -> R<Empty> {
        self.write(|st| {
            let user = invoice_caller(st, ctx, &[step.permission()])?;
            st.transition_all(&user, &ids, step)?;
            Ok(Empty)
        })
    }

    /// A read-only /Invoice call: token, the read right, then `f`.
    fn read<T>(&self, ctx: &RequestContext, f: impl FnOnce(&State, &UserSeed) -> R<T>) -> R<T> {
        let mut st = self.lock();
        let user = invoice_caller(&mut st, ctx, &[Permission::Read])?;
        f(&st, &user)
    }
}

/// Request members the models type as [`rsge_eapi::Tin`] (INVOICE
/// TIN_SELLER and TRANS_COMPANY_TIN, GetVatPayerStatus Tin). The service
/// reads any string there and answers -2 for one that is not 9 or 11 digits;
/// now that the decoder refuses such a string, [`Service::malformed_request`]
/// gives that answer for it.
const TIN_MEMBERS: &[&str] = &["TIN_SELLER", "TRANS_COMPANY_TIN", "Tin"];

impl Service for Sandbox {
    /// A string that is no TIN in a member typed `Tin` gets what the
    /// service answers for it: the token and rights checks first (-1xx,
    /// HTTP 401; -105), then -2 with HTTP 400. Anything else that does not decode (a number where
    /// a TIN goes, broken JSON, ...) stays -1 with HTTP 400.
    fn malformed_request(
        &self,
        ctx: RequestContext,
        error: &taxsdk_runtime::server::DecodeError,
    ) -> ServiceStatus {
        if let (Some(member), Some(serde_json::Value::String(value))) =
            (error.field(), &error.value)
            && TIN_MEMBERS.contains(&member)
        {
            let mut st = self.lock();
            // The checks the handler would have made before the TIN's.
            let checked = match error.endpoint {
                "SaveInvoice" => invoice_caller(&mut st, &ctx, &[Permission::CreateEdit]),
                "ActivateInvoice" => invoice_caller(
                    &mut st,
                    &ctx,
                    &[Permission::CreateEdit, Permission::Activate],
                ),
                _ => caller(&mut st, &ctx),
            };
            if let Err(status) = checked {
                return status;
            }
            let path = error.path.as_deref().unwrap_or(member);
            return invalid(format!("{path} `{}` is not 9 or 11 digits", value.trim()));
        }
        error.status(&rsge_eapi::SERVICE)
    }

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
        // A `Tin`: one that is not 9 or 11 digits never decodes (see
        // `malformed_request`).
        let tin = req.tin.as_str();
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
            // The registry holds well-formed TINs only.
            tin: rsge_eapi::Tin::new(&org.tin).ok(),
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
        let Some(r) = st.transactions.get(&key) else {
            return Err(status(if st.in_flight.contains(&key) {
                status::IN_PROGRESS
            } else {
                status::UNKNOWN_TRANSACTION
            }));
        };
        Ok(GetTransactionResultResponse {
            invoice_id: Some(r.invoice_id),
            invoice_number: Some(r.invoice_number),
            seller_action: Some(r.seller_action),
            buyer_action: Some(r.buyer_action),
        })
    }

    async fn get_actions(&self, ctx: RequestContext, _req: Empty) -> R<Vec<InvoiceAction>> {
        self.read(&ctx, |_, _| {
            Ok(seed::ACTIONS
                .iter()
                .map(|(id, name, s, b)| InvoiceAction {
                    id: Some(*id),
                    name: Some((*name).to_string()),
                    seller_action: Some(*s),
                    buyer_action: Some(*b),
                })
                .collect())
        })
    }

    async fn get_invoice(
        &self,
        ctx: RequestContext,
        req: GetInvoiceRequest,
    ) -> R<GetInvoiceResponse> {
        self.read(&ctx, |st, user| {
            let by_number = req.invoice_number.filter(|n| *n != 0);
            let id = if req.invoice_id != 0 {
                Some(req.invoice_id)
            } else if let Some(number) = by_number {
                let found = st
                    .invoices
                    .values()
                    .find(|s| s.inv.inv_number == Some(number) && st.role(s, &user.tin).is_some())
                    .map(|s| s.inv.id);
                Some(
                    found.ok_or_else(|| {
                        invalid(format!("no visible invoice with number {number}"))
                    })?,
                )
            } else {
                None
            };
            let invoice = match id {
                Some(id) => {
                    let (stored, role) = st.visible(id, &user.tin)?;
                    st.view(stored, role)
                }
                // The document: InvoiceID and parentInvoiceID both 0 give an
                // empty INVOICE skeleton; a distribution parent's id gives
                // its goods with the stock left, for a new sub-document.
                None => st.skeleton(&user.tin, req.parent_invoice_id)?,
            };
            Ok(GetInvoiceResponse {
                invoice: Some(invoice),
            })
        })
    }

    async fn save_invoice(
        &self,
        ctx: RequestContext,
        req: SaveInvoiceRequest,
    ) -> R<SaveInvoiceResponse> {
        let SaveInvoiceRequest {
            invoice: inv,
            transaction_id,
        } = req;
        let selling = inv.seller_action;
        let r = self
            .transaction(
                &ctx,
                &[Permission::CreateEdit],
                transaction_id.as_deref(),
                || match selling {
                    Some(action) if action.code() != 0 => Err(invalid(
                        "SaveInvoice takes SELLER_ACTION 0 (use ActivateInvoice)",
                    )),
                    _ => Ok(()),
                },
                |st, user| st.save(user, inv, false),
            )
            .await?;
        Ok(save_reply(r))
    }

    async fn activate_invoice(
        &self,
        ctx: RequestContext,
        req: ActivateInvoiceRequest,
    ) -> R<ActivateInvoiceResponse> {
        let ActivateInvoiceRequest {
            invoice,
            transaction_id,
        } = req;
        let r = match invoice {
            // Save and activate in one call; TransactionId applies.
            Some(inv) if inv.id == 0 => {
                self.transaction(
                    &ctx,
                    &[Permission::CreateEdit, Permission::Activate],
                    transaction_id.as_deref(),
                    || Ok(()),
                    |st, user| st.save(user, inv, true),
                )
                .await?
            }
            // Only the ID counts; TransactionId has no effect (document).
            Some(inv) => self.lifecycle(&ctx, Some(inv.id), Transition::Activate)?,
            None => {
                let mut st = self.lock();
                invoice_caller(&mut st, &ctx, &[Permission::Activate])?;
                return Err(invalid("INVOICE is required"));
            }
        };
        Ok(lifecycle_reply!(ActivateInvoiceResponse, r))
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
        self.read(&ctx, |st, user| st.list_invoices(&user.tin, &req))
    }

    async fn list_goods(&self, ctx: RequestContext, req: ListGoodsRequest) -> R<ListGoodsResponse> {
        self.read(&ctx, |st, user| {
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
        })
    }

    async fn list_excise(
        &self,
        ctx: RequestContext,
        req: ListExciseRequest,
    ) -> R<ListExciseResponse> {
        self.read(&ctx, |st, _| st.list_excise(&req))
    }

    async fn list_bar_codes(
        &self,
        ctx: RequestContext,
        req: ListBarCodesRequest,
    ) -> R<ListBarCodesResponse> {
        self.read(&ctx, |st, user| st.list_barcodes(&user.tin, &req))
    }

    async fn get_bar_code(
        &self,
        ctx: RequestContext,
        req: GetBarCodeRequest,
    ) -> R<GetBarCodeResponse> {
        self.read(&ctx, |st, user| {
            st.get_barcode(&user.tin, req.bar_code.as_deref().unwrap_or(""))
        })
    }

    async fn clear_bar_codes(&self, ctx: RequestContext, _req: Empty) -> R<Empty> {
        let result = self.write(|st| {
            // The document asks only the read right for this method.
            let user = invoice_caller(st, &ctx, &[Permission::Read])?;
            let n = st.clear_barcodes(&user.tin);
            tracing::info!(tin = %user.tin, barcodes = n, "cleared the barcode catalogue");
            Ok(Empty)
        });
        // A failed commit of the clearing is the documented -5 (the call
        // was undone, the barcodes are still there).
        result.map_err(|e| match e.code {
            status::SYSTEM => {
                tracing::error!(text = %e.text, "ClearBarCodes could not be committed: -5");
                status(status::CLEAR_FAILED)
            }
            _ => e,
        })
    }

    async fn get_seq_num(
        &self,
        ctx: RequestContext,
        req: GetSeqNumRequest,
    ) -> R<GetSeqNumResponse> {
        let mut st = self.lock();
        let user = invoice_caller(&mut st, &ctx, &[Permission::CreateEdit])?;
        let period = req
            .operation_period
            .ok_or_else(|| invalid("OperationPeriod (YYYYMM) is required"))?;
        Ok(GetSeqNumResponse {
            seq_num: Some(declarations::seq_num(&user.tin, period)),
        })
    }

    async fn create_decl(&self, ctx: RequestContext, req: CreateDeclRequest) -> R<Empty> {
        self.write(|st| {
            let user = invoice_caller(st, &ctx, &[Permission::CreateEdit])?;
            let period = req
                .operation_period
                .ok_or_else(|| invalid("OperationPeriod (YYYYMM) is required"))?;
            st.create_declaration(&user.tin, &ids(req.invoices), period)?;
            Ok(Empty)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eapi::Config;
    use taxsdk_runtime::server::axum::http::{HeaderMap, HeaderValue, header};

    fn context(sandbox: &Sandbox, username: &str) -> RequestContext {
        let token = match sandbox.lock().authenticate(username, "123456", None) {
            Ok(Login::Token { token, .. }) => token,
            _ => panic!("{username} logs in with one step"),
        };
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
        headers.insert(header::AUTHORIZATION, value);
        RequestContext::from_headers(&headers)
    }

    fn temp_path(tag: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!(
            "taxsdk-sandbox-unit-{tag}-{}-{}.sqlite",
            std::process::id(),
            uuid::Uuid::new_v4()
        ))
    }

    fn remove(path: &std::path::Path) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.to_path_buf().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }

    /// A commit of ClearBarCodes that fails is the documented -5, and the
    /// catalogue is still there (the call was undone).
    #[tokio::test]
    async fn a_failed_clear_is_minus_5_and_keeps_the_barcodes() {
        let path = temp_path("clear");
        let sandbox = Sandbox::open(Config {
            data: Some(path.clone()),
            ..Config::default()
        })
        .unwrap();
        let ctx = context(&sandbox, "tbilisi");
        let before = sandbox.barcode_count("206322102");
        assert!(before > 0);
        sandbox
            .lock()
            .store_connection()
            .unwrap()
            .execute_batch(
                "CREATE TEMP TRIGGER fail BEFORE DELETE ON main.barcodes \
                 BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END;",
            )
            .unwrap();
        let err = sandbox.clear_bar_codes(ctx, Empty).await.unwrap_err();
        assert_eq!((err.code, err.http_status), (status::CLEAR_FAILED, 400));
        assert_eq!(sandbox.barcode_count("206322102"), before);
        drop(sandbox);
        remove(&path);
    }

    /// A TransactionId call dropped while it waits (the client went away)
    /// forgets its id, like a failed call.
    #[tokio::test]
    async fn a_dropped_call_forgets_its_transaction_id() {
        let sandbox = Sandbox::new(Config::default());
        let ctx = context(&sandbox, "tbilisi");
        let pause = sandbox.pause_processing().await;
        let request = SaveInvoiceRequest {
            invoice: Invoice::default(),
            transaction_id: Some("gone".into()),
        };
        let mut call = Box::pin(sandbox.save_invoice(ctx, request));
        // Paused, so it cannot finish: the timeout only lets it run until it waits.
        let waited = tokio::time::timeout(std::time::Duration::from_millis(20), &mut call).await;
        assert!(waited.is_err());
        assert_eq!(sandbox.transactions_in_flight(), 1);
        drop(call);
        assert_eq!(sandbox.transactions_in_flight(), 0);
        drop(pause);
    }
}

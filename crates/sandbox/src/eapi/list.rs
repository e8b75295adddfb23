//! /Invoice/ListInvoices.

use rsge_eapi::enums::{InvoiceCategory, InvoiceListType, SellerAction, TransCostPayer};
use rsge_eapi::models::{ListInvoicesRequest, ListInvoicesResponse, ListInvoicesRow, TableSummary};
use taxsdk_runtime::wire::DateRange;
use taxsdk_runtime::{ServiceStatus, Table};

use chrono::Datelike as _;

use super::seed;
use super::state::{State, Stored};
use super::status::invalid;

/// Text of the deleted status, which SELLER_ACTION_TXT must name for deleted
/// documents to be listed.
const DELETED: &str = "წაშლილი";

fn codes(list: &Option<String>) -> Result<Option<Vec<i64>>, ServiceStatus> {
    let Some(text) = list.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    text.split(',')
        .map(|c| {
            c.trim()
                .parse::<i64>()
                .map_err(|_| invalid(format!("`{c}` is not a code")))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn texts(list: &Option<String>) -> Option<Vec<String>> {
    let text = list.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
    Some(text.split(',').map(|t| t.trim().to_string()).collect())
}

fn in_range(range: &Option<DateRange>, value: Option<chrono::NaiveDateTime>) -> bool {
    match range {
        None => true,
        Some(r) => value.is_some_and(|v| r.start <= v.date() && v.date() <= r.end),
    }
}

/// "name(tin)", the way list rows and sub-objects name a party; `()` for none.
pub fn party(name: Option<&str>, tin: &str) -> String {
    format!("{}({tin})", name.unwrap_or(""))
}

/// A text filter: absent or empty matches everything.
pub fn text_filter(filter: &Option<String>) -> Option<String> {
    filter
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_lowercase)
}

/// Substring match, ignoring case (the service's filters behave like SQL
/// LIKE '%text%'; the sandbox's reading).
pub fn contains(value: Option<&str>, needle: &str) -> bool {
    value.is_some_and(|v| v.to_lowercase().contains(needle))
}

impl State {
    pub fn list_invoices(
        &self,
        tin: &str,
        req: &ListInvoicesRequest,
    ) -> Result<ListInvoicesResponse, ServiceStatus> {
        use InvoiceListType as T;
        let categories = codes(&req.inv_category)?;
        let types = codes(&req.inv_type)?;
        let actions = codes(&req.action)?;
        let seller_txt = texts(&req.seller_action_txt);
        let buyer_txt = texts(&req.buyer_action_txt);
        let show_deleted = seller_txt
            .as_ref()
            .is_some_and(|t| t.iter().any(|t| t == DELETED));
        let advances = matches!(
            req.type_,
            T::AdvancesWithBalance | T::AdvancesWithBalanceLegacy
        );
        if advances && req.tin_buyer.as_deref().is_none_or(|t| t.trim().is_empty()) {
            return Err(invalid("TYPE 5/50 needs TIN_BUYER"));
        }
        if advances && req.operation_date.is_none() {
            return Err(invalid("TYPE 5/50 needs OPERATION_DATE"));
        }
        let for_declaration = matches!(
            req.type_,
            T::IssuedForDeclaration | T::ReceivedForDeclaration
        );
        if req.decl_operation_period.is_some() && !for_declaration {
            return Err(invalid(
                "DECL_OPERATION_PERIOD goes only with TYPE 11 or 21",
            ));
        }
        let cost_payer = match text_filter(&req.trans_cost_payer) {
            None => None,
            Some(text) => Some(
                text.parse::<i64>()
                    .ok()
                    .map(TransCostPayer::from_code)
                    .or_else(|| TransCostPayer::from_label(&text))
                    .filter(|p| !matches!(p, TransCostPayer::Unknown(_)))
                    .ok_or_else(|| {
                        invalid(format!(
                            "TRANS_COST_PAYER `{text}` is neither 1/2 nor მყიდველი/გამყიდველი"
                        ))
                    })?,
            ),
        };
        let trans_name = text_filter(&req.trans_name);
        let trans_company = text_filter(&req.trans_company);
        let trans_driver = text_filter(&req.trans_driver);
        let car_model = text_filter(&req.trans_car_model);
        let car_no = text_filter(&req.trans_car_no);
        let trailer_no = text_filter(&req.trans_trailer_no);
        if req.maximum_rows < 0 {
            return Err(invalid("MAXIMUM_ROWS is negative"));
        }
        let scope = |s: &Stored| -> bool {
            let activated = s.was_activated();
            match req.type_ {
                T::Issued | T::IssuedLegacy => s.seller() == tin,
                T::IssuedForDeclaration => {
                    s.seller() == tin && activated && s.inv.seqnum_seller.is_none()
                }
                T::Received | T::ReceivedLegacy => s.buyer() == tin && activated,
                T::ReceivedForDeclaration => {
                    s.buyer() == tin && activated && s.inv.seqnum_buyer.is_none()
                }
                T::AsCarrier | T::AsCarrierLegacy => {
                    s.inv.trans_company_tin.as_deref() == Some(tin) && activated
                }
                T::AdvancesWithBalance | T::AdvancesWithBalanceLegacy => {
                    s.seller() == tin
                        && s.seller_action() == SellerAction::Sent
                        && s.inv.inv_category == Some(InvoiceCategory::Advance)
                        && Some(s.buyer()) == req.tin_buyer.as_deref().map(str::trim)
                        && self.advance_balance(s.inv.id, &[]) > rust_decimal::Decimal::ZERO
                }
                // Templates are not emulated; unknown types list nothing.
                _ => false,
            }
        };
        let mut matching: Vec<&Stored> = self
            .invoices
            .values()
            .filter(|s| scope(s))
            .filter(|s| show_deleted || s.seller_action() != SellerAction::Deleted)
            .filter(|s| req.id.is_none_or(|id| id == s.inv.id))
            .filter(|s| req.inv_number.is_none_or(|n| Some(n) == s.inv.inv_number))
            .filter(|s| {
                categories
                    .as_ref()
                    .is_none_or(|c| s.inv.inv_category.is_some_and(|x| c.contains(&x.code())))
            })
            .filter(|s| {
                types
                    .as_ref()
                    .is_none_or(|c| s.inv.inv_type.is_some_and(|x| c.contains(&x.code())))
            })
            .filter(|s| {
                let (id, name) = seed::action_of(s.seller_action(), s.buyer_action());
                actions.as_ref().is_none_or(|a| a.contains(&i64::from(id)))
                    && seller_txt
                        .as_ref()
                        .is_none_or(|t| t.iter().any(|t| t == name))
                    && buyer_txt
                        .as_ref()
                        .is_none_or(|t| t.iter().any(|t| t == name))
            })
            .filter(|s| in_range(&req.create_date, s.inv.create_date))
            .filter(|s| in_range(&req.change_date, Some(s.change_date)))
            .filter(|s| in_range(&req.operation_date, s.inv.operation_date))
            .filter(|s| in_range(&req.activate_date, s.inv.activate_date))
            .filter(|s| in_range(&req.confirm_date, s.inv.confirm_date))
            .filter(|s| in_range(&req.refuse_date, s.inv.refuse_date))
            .filter(|s| in_range(&req.request_cancel_date, s.inv.request_cancel_date))
            .filter(|s| in_range(&req.agree_cancel_date, s.inv.agree_cancel_date))
            .filter(|s| in_range(&req.correct_date, s.inv.correct_date))
            .filter(|s| in_range(&req.trans_start_date, s.inv.trans_start_date))
            .filter(|s| {
                req.parent_inv_number
                    .is_none_or(|n| self.parent_number(s) == Some(n))
            })
            .filter(|s| {
                // Documents of the declaration's month.
                req.decl_operation_period.is_none_or(|day| {
                    s.inv
                        .operation_date
                        .is_some_and(|op| (op.year(), op.month()) == (day.year(), day.month()))
                })
            })
            .filter(|s| {
                let inv = &s.inv;
                let party_matches = |q: &str, tin: Option<&str>, name: Option<&str>| {
                    tin.is_some_and(|t| t == q) || contains(name, q)
                };
                trans_name.as_deref().is_none_or(|q| {
                    contains(inv.trans_type.and_then(|t| t.label_ka()), q)
                        || contains(inv.trans_type_txt.as_deref(), q)
                }) && trans_company.as_deref().is_none_or(|q| {
                    party_matches(
                        q,
                        inv.trans_company_tin.as_deref(),
                        inv.trans_company_name.as_deref(),
                    )
                }) && trans_driver.as_deref().is_none_or(|q| {
                    party_matches(
                        q,
                        inv.trans_driver_tin.as_deref(),
                        inv.trans_driver_name.as_deref(),
                    )
                }) && car_model
                    .as_deref()
                    .is_none_or(|q| contains(inv.trans_car_model.as_deref(), q))
                    && car_no
                        .as_deref()
                        .is_none_or(|q| contains(inv.trans_car_no.as_deref(), q))
                    && trailer_no
                        .as_deref()
                        .is_none_or(|q| contains(inv.trans_trailer_no.as_deref(), q))
                    && req.trans_cost.is_none_or(|c| inv.trans_cost == Some(c))
                    && cost_payer.is_none_or(|p| inv.trans_cost_payer == Some(p))
            })
            .filter(|s| {
                let who = |q: &Option<String>, name: &Option<String>, tin: &str| {
                    q.as_deref()
                        .map(str::trim)
                        .filter(|q| !q.is_empty())
                        .is_none_or(|q| tin == q || name.as_deref().is_some_and(|n| n.contains(q)))
                };
                who(&req.buyer, &s.inv.name_buyer, s.buyer())
                    && who(&req.seller, &s.inv.name_seller, s.seller())
                    && (advances || who(&req.tin_buyer, &None, s.buyer()))
            })
            .collect();
        // Newest first.
        matching.sort_by_key(|s| std::cmp::Reverse((s.inv.create_date, s.inv.id)));
        let count = matching.len();
        let limit = match req.maximum_rows {
            0 => usize::MAX,
            n => usize::try_from(n).unwrap_or(usize::MAX),
        };
        let rows = matching
            .into_iter()
            .take(limit)
            .map(|s| self.row(s))
            .collect();
        Ok(ListInvoicesResponse {
            data: Some(Table::from_rows(rows)),
            summary: Some(TableSummary {
                count: Some(i64::try_from(count).unwrap_or(i64::MAX)),
            }),
        })
    }

    fn row(&self, s: &Stored) -> ListInvoicesRow {
        let inv = &s.inv;
        let (action, action_name) = seed::action_of(s.seller_action(), s.buyer_action());
        let un_id = |tin: &str| self.orgs.get(tin).map(|o| o.un_id);
        ListInvoicesRow {
            subuser_id_seller: Some(s.subuser_id),
            unid_seller: un_id(s.seller()),
            unid_buyer: un_id(s.buyer()),
            id: Some(inv.id),
            inv_serie: inv.inv_serie.clone(),
            inv_number: inv.inv_number,
            seqnum_seller: Some(inv.seqnum_seller.unwrap_or(0)),
            seqnum_buyer: Some(inv.seqnum_buyer.unwrap_or(0)),
            inv_category: inv.inv_category,
            inv_type: inv.inv_type,
            inv_category_name: inv.inv_category.and_then(|c| c.label_ka()).map(Into::into),
            inv_type_name: inv.inv_type.and_then(|t| t.label_ka()).map(Into::into),
            amount_full: inv.amount_full,
            amount_excise: inv.amount_excise,
            amount_vat: inv.amount_vat,
            tin_seller: inv.tin_seller.clone(),
            tin_buyer: inv.tin_buyer.clone(),
            trans_start_address: inv.trans_start_address.clone(),
            trans_end_address: inv.trans_end_address.clone(),
            trans_start_address_no: inv.trans_start_address_no.clone(),
            trans_end_address_no: inv.trans_end_address_no.clone(),
            trans_name: inv.trans_type.and_then(|t| t.label_ka()).map(Into::into),
            trans_company: Some(party(
                inv.trans_company_name.as_deref(),
                inv.trans_company_tin.as_deref().unwrap_or(""),
            )),
            trans_driver: inv
                .trans_driver_tin
                .as_deref()
                .map(|t| party(inv.trans_driver_name.as_deref(), t)),
            trans_car_model: inv.trans_car_model.clone(),
            trans_car_no: inv.trans_car_no.clone(),
            trans_trailer_no: inv.trans_trailer_no.clone(),
            trans_cost: inv.trans_cost,
            trans_cost_payer: inv.trans_cost_payer,
            inv_comment: inv.inv_comment.clone(),
            delete_date: s.delete_date,
            create_date: inv.create_date,
            operation_date: inv.operation_date,
            activate_date: inv.activate_date,
            trans_start_date: inv.trans_start_date,
            confirm_date: inv.confirm_date,
            refuse_date: inv.refuse_date,
            delivery_date: inv.delivery_date,
            request_cancel_date: inv.request_cancel_date,
            agree_cancel_date: inv.agree_cancel_date,
            correct_date: inv.correct_date,
            change_date: Some(s.change_date),
            action: Some(action),
            seller_action: Some(s.seller_action()),
            buyer_action: Some(s.buyer_action()),
            seller_action_txt: Some(action_name.to_string()),
            buyer_action_txt: s.buyer_action().label_ka().map(Into::into),
            seller: Some(party(inv.name_seller.as_deref(), s.seller())),
            buyer: Some(party(inv.name_buyer.as_deref(), s.buyer())),
            parent_inv_number: self.parent_number(s),
            amount_max: (inv.inv_category == Some(InvoiceCategory::Advance))
                .then(|| self.advance_balance(inv.id, &[])),
            correct_reason_id: inv.correct_reason_id,
            template_name: inv.template_name.clone(),
            prev_correction_id: Some(inv.prev_correction_id.unwrap_or(0)),
            next_correction_id: Some(inv.next_correction_id.unwrap_or(0)),
            ..ListInvoicesRow::default()
        }
    }
}

//! The catalogues: excise goods (ListExcise, shared by everyone, from
//! `Config::excise`) and each organisation's barcodes (ListBarCodes,
//! GetBarCode; state, see `State::put_barcode`).

use chrono::{Datelike as _, NaiveDate};
use rsge_eapi::models::{
    BarCode, GetBarCodeResponse, ListBarCodesRequest, ListBarCodesResponse, ListBarCodesRow,
    ListExciseRequest, ListExciseResponse, ListExciseRow, TableSummary,
};
use taxsdk_runtime::wire::DateRange;
use taxsdk_runtime::{ServiceStatus, Table};

use super::list::{contains, text_filter};
use super::state::State;
use super::status::invalid;

type R<T> = Result<T, ServiceStatus>;

/// END_DATE_NVL of a rate still in force: the sandbox's stand-in for "no
/// end" (the service's substitute value is not documented).
fn open_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// MAXIMUM_ROWS: 0 = all (absent = 10 is the model's default).
fn row_limit(maximum_rows: i32) -> R<usize> {
    match maximum_rows {
        0 => Ok(usize::MAX),
        n if n < 0 => Err(invalid(format!("MAXIMUM_ROWS {n} is negative"))),
        n => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
    }
}

fn within(range: &Option<DateRange>, day: Option<NaiveDate>) -> bool {
    match range {
        None => true,
        Some(r) => day.is_some_and(|d| r.start <= d && d <= r.end),
    }
}

fn summary(count: usize) -> Option<TableSummary> {
    Some(TableSummary {
        count: Some(i64::try_from(count).unwrap_or(i64::MAX)),
    })
}

impl State {
    /// ListExciseRow rows ordered by ID; PRODUCT_NAME matches a part of the
    /// name (any case), EFFECT_DATE / END_DATE are ranges (a rate still in
    /// force has no END_DATE and never matches an END_DATE range).
    pub fn list_excise(&self, req: &ListExciseRequest) -> R<ListExciseResponse> {
        let limit = row_limit(req.maximum_rows)?;
        let name = text_filter(&req.product_name);
        let mut matching: Vec<_> = self
            .config
            .excise
            .iter()
            .filter(|e| {
                name.as_deref()
                    .is_none_or(|n| contains(Some(&e.product_name), n))
            })
            .filter(|e| within(&req.effect_date, Some(e.effect_date)))
            .filter(|e| within(&req.end_date, e.end_date))
            .collect();
        matching.sort_by_key(|e| e.id);
        let count = matching.len();
        let rows = matching
            .into_iter()
            .take(limit)
            .map(|e| ListExciseRow {
                id: Some(e.id),
                product_name: Some(e.product_name.clone()),
                unit_id: Some(e.unit_id),
                unit_text: Some(e.unit_text.clone()),
                excise_code: Some(e.excise_code),
                excise_rate: Some(e.rate),
                end_date: e.end_date,
                effect_date: Some(e.effect_date),
                effect_date_month: e.effect_date.with_day(1),
                end_date_nvl: Some(e.end_date.unwrap_or_else(open_end)),
            })
            .collect();
        Ok(ListExciseResponse {
            data: Some(Table::from_rows(rows)),
            summary: summary(count),
        })
    }

    /// The barcodes of organisation `tin`, in the order they were first
    /// seen; BARCODE, GOODS_NAME, UNIT_TXT and VAT_TYPE_TXT match a part of
    /// the value (any case), UNIT_PRICE the exact price.
    pub fn list_barcodes(&self, tin: &str, req: &ListBarCodesRequest) -> R<ListBarCodesResponse> {
        let limit = row_limit(req.maximum_rows)?;
        let (code, name, unit, vat) = (
            text_filter(&req.barcode),
            text_filter(&req.goods_name),
            text_filter(&req.unit_txt),
            text_filter(&req.vat_type_txt),
        );
        let matches = |filter: &Option<String>, value: Option<&str>| {
            filter.as_deref().is_none_or(|f| contains(value, f))
        };
        let mut matching: Vec<_> = self
            .barcodes
            .iter()
            .filter(|((owner, _), _)| owner == tin)
            .filter(|((_, barcode), e)| {
                matches(&code, Some(barcode))
                    && matches(&name, Some(&e.goods_name))
                    && matches(&unit, Some(&e.unit_txt))
                    && matches(&vat, e.vat_type.label_ka())
                    && req.unit_price.is_none_or(|p| p == e.unit_price)
            })
            .collect();
        matching.sort_by_key(|(_, e)| e.seq);
        let count = matching.len();
        let un_id = self.orgs.get(tin).map(|o| o.un_id);
        let rows = matching
            .into_iter()
            .take(limit)
            .map(|((_, barcode), e)| ListBarCodesRow {
                barcode: Some(barcode.clone()),
                goods_name: Some(e.goods_name.clone()),
                un_id,
                unit_id: Some(e.unit_id),
                unit_txt: Some(e.unit_txt.clone()),
                vat_type: Some(e.vat_type),
                vat_type_txt: e.vat_type.label_ka().map(str::to_string),
                unit_price: Some(e.unit_price),
            })
            .collect();
        Ok(ListBarCodesResponse {
            data: Some(Table::from_rows(rows)),
            summary: summary(count),
        })
    }

    /// One barcode of organisation `tin` (exact, trimmed); an unknown one
    /// gives the documented empty object, a missing one -2.
    pub fn get_barcode(&self, tin: &str, code: &str) -> R<GetBarCodeResponse> {
        let code = code.trim();
        if code.is_empty() {
            return Err(invalid("barCode is required"));
        }
        let result = self
            .barcodes
            .get(&(tin.to_string(), code.to_string()))
            .map(|e| BarCode {
                barcode: Some(code.to_string()),
                goods_name: Some(e.goods_name.clone()),
                unit_id: Some(e.unit_id),
                unit_txt: Some(e.unit_txt.clone()),
                vat_type: Some(e.vat_type),
                unit_price: Some(e.unit_price),
            });
        Ok(GetBarCodeResponse { result })
    }
}

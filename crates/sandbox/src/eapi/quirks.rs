//! `Config::list_quirks`: ListInvoices tables written the way the real
//! service writes them (the document's examples and the fact sheet), so
//! that third-party clients can be tested against the real shapes.
//!
//! The typed reply cannot carry these shapes (an id is an `i64`, never
//! `28361.0`), so a middleware rewrites the encoded reply: it takes the
//! canonical table the handler wrote (every column, canonical values) and
//! lays it out again with the document's column list, each value in the
//! column's quirky form:
//!
//! - ids, codes, counters and amounts as JSON floats: `28361.0`, `0.0`,
//!   `5.0`, `122.25`; "none" as `0.0` where the document shows it
//!   (SEQNUM_*, CORRECT_REASON_ID, PREV/NEXT_CORRECTION_ID);
//! - INV_NUMBER as a string (`"74032"`);
//! - TRANS_COST_PAYER as its Georgian label (`"მყიდველი"`);
//! - an empty party (TRANS_COMPANY, TRANS_DRIVER) as `"()"`, empty texts
//!   as `null`;
//! - `Summary._Count` as a float (`32.0`) when the request filtered, an
//!   integer (`2`) otherwise, as in the document's three examples;
//! - TYPE 5/50 with the document's 19 columns, every other TYPE with the
//!   50 columns of its unfiltered example.

use rsge_eapi::enums::TransCostPayer;
use serde_json::Value;
use taxsdk_runtime::ServiceStatus;
use taxsdk_runtime::server::axum::{
    self,
    body::Body,
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::Response,
};

const PATH: &str = "/Invoice/ListInvoices";
/// Requests are small filter objects; this only bounds memory.
const REQUEST_LIMIT: usize = 16 << 20;

/// How a column's canonical value is written.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// As it is (dates, BUYER_VIEW_DATE).
    Same,
    /// A number as a float; null stays null.
    Float,
    /// A number as a float; null becomes `0.0`.
    FloatOrZero,
    /// Text; empty becomes null.
    Text,
    /// A number as a string (INV_NUMBER).
    NumberText,
    /// "name(tin)"; none becomes `()`.
    Party,
    /// TRANS_COST_PAYER: the code's Georgian label.
    CostPayer,
}

use Kind::*;

/// The columns of the document's unfiltered ListInvoices example, in order.
const COLUMNS: &[(&str, Kind)] = &[
    ("SUBUSER_ID_SELLER", Float),
    ("UNID_SELLER", Float),
    ("SELLER_ACTION_TXT", Text),
    ("BUYER", Text),
    ("BUYER_VIEW_DATE", Same),
    ("ID", Float),
    ("INV_SERIE", Text),
    ("INV_NUMBER", NumberText),
    ("SEQNUM_SELLER", FloatOrZero),
    ("SEQNUM_BUYER", FloatOrZero),
    ("INV_CATEGORY_NAME", Text),
    ("INV_TYPE_NAME", Text),
    ("AMOUNT_FULL", Float),
    ("AMOUNT_EXCISE", Float),
    ("AMOUNT_VAT", Float),
    ("DOCMOSNOM_SELLER", Text),
    ("DOCMOSNOM_BUYER", Text),
    ("TRANS_START_ADDRESS", Text),
    ("TRANS_END_ADDRESS", Text),
    ("TRANS_START_ADDRESS_NO", Text),
    ("TRANS_END_ADDRESS_NO", Text),
    ("TRANS_NAME", Text),
    ("TRANS_COMPANY", Party),
    ("TRANS_DRIVER", Party),
    ("TRANS_CAR_MODEL", Text),
    ("TRANS_CAR_NO", Text),
    ("TRANS_TRAILER_NO", Text),
    ("TRANS_COST", Float),
    ("TRANS_COST_PAYER", CostPayer),
    ("INV_COMMENT", Text),
    ("DELETE_DATE", Same),
    ("CREATE_DATE", Same),
    ("OPERATION_DATE", Same),
    ("ACTIVATE_DATE", Same),
    ("TRANS_START_DATE", Same),
    ("CONFIRM_DATE", Same),
    ("REFUSE_DATE", Same),
    ("DELIVERY_DATE", Same),
    ("REQUEST_CANCEL_DATE", Same),
    ("AGREE_CANCEL_DATE", Same),
    ("CORRECT_DATE", Same),
    ("CHANGE_DATE", Same),
    ("ACTION", Float),
    ("SELLER_ACTION", Float),
    ("BUYER_ACTION", Float),
    ("PARENT_INV_NUMBER", Float),
    ("CORRECT_REASON_ID", FloatOrZero),
    ("TEMPLATE_NAME", Text),
    ("PREV_CORRECTION_ID", FloatOrZero),
    ("NEXT_CORRECTION_ID", FloatOrZero),
];

/// The columns of the document's TYPE 5 example, in order.
const ADVANCE_COLUMNS: &[(&str, Kind)] = &[
    ("ID", Float),
    ("INV_SERIE", Text),
    ("INV_NUMBER", NumberText),
    ("AMOUNT_MAX", Float),
    ("SEQNUM_SELLER", FloatOrZero),
    ("SEQNUM_BUYER", FloatOrZero),
    ("INV_CATEGORY", Float),
    ("INV_TYPE", Float),
    ("AMOUNT_FULL", Float),
    ("AMOUNT_VAT", Float),
    ("CREATE_DATE", Same),
    ("OPERATION_DATE", Same),
    ("ACTIVATE_DATE", Same),
    ("UNID_SELLER", Float),
    ("UNID_BUYER", Float),
    ("TIN_SELLER", Text),
    ("TIN_BUYER", Text),
    ("SELLER_ACTION", Float),
    ("BUYER_ACTION", Float),
];

/// The number as the service's doubles are written: `28361` -> `28361.0`,
/// `1800.00` -> `1800.0`, `274.58` stays.
fn float(n: &serde_json::Number) -> Value {
    n.as_f64()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| Value::Number(n.clone()), Value::Number)
}

impl Kind {
    fn apply(self, value: Value) -> Value {
        match (self, value) {
            (Float | FloatOrZero, Value::Number(n)) => float(&n),
            (FloatOrZero, Value::Null) => float(&serde_json::Number::from(0)),
            (Text, Value::String(s)) if s.is_empty() => Value::Null,
            (NumberText, Value::Number(n)) => Value::String(n.to_string()),
            (Party, Value::Null) => Value::String("()".into()),
            (CostPayer, Value::Number(n)) => n
                .as_i64()
                .map(TransCostPayer::from_code)
                .and_then(|p| p.label_ka())
                .map_or(Value::Number(n), |label| Value::String(label.into())),
            (_, value) => value,
        }
    }
}

/// What the request says about the reply's shape.
#[derive(Debug, Default, Clone, Copy)]
struct Shape {
    /// TYPE 5 or 50.
    advances: bool,
    /// Any filter besides TYPE and MAXIMUM_ROWS.
    filtered: bool,
}

impl Shape {
    fn of(body: &[u8]) -> Self {
        let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(body) else {
            return Self::default();
        };
        let type_ = request.get("TYPE").and_then(|t| match t {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        });
        let filtered = request.iter().any(|(key, value)| {
            key != "TYPE"
                && key != "MAXIMUM_ROWS"
                && !matches!(value, Value::Null)
                && value.as_str().is_none_or(|s| !s.trim().is_empty())
        });
        Self {
            advances: matches!(type_, Some(t) if t == 5.0 || t == 50.0),
            filtered,
        }
    }
}

/// The reply `body` rewritten with `shape`; `None` if it is not a table reply.
fn rewrite(body: &[u8], shape: Shape) -> Option<Vec<u8>> {
    let mut reply: Value = serde_json::from_slice(body).ok()?;
    let data = reply.get_mut("DATA")?;
    let table = data.get_mut("Data")?;
    let fields: Vec<String> = table
        .get("Fields")?
        .as_array()?
        .iter()
        .map(|f| f.as_str().unwrap_or_default().to_string())
        .collect();
    let columns = if shape.advances {
        ADVANCE_COLUMNS
    } else {
        COLUMNS
    };
    let rows: Vec<Value> = table
        .get("Rows")?
        .as_array()?
        .iter()
        .map(|row| {
            let cells = row.as_array().map(Vec::as_slice).unwrap_or_default();
            Value::Array(
                columns
                    .iter()
                    .map(|(name, kind)| {
                        let value = fields
                            .iter()
                            .position(|f| f == name)
                            .and_then(|i| cells.get(i))
                            .cloned()
                            .unwrap_or(Value::Null);
                        kind.apply(value)
                    })
                    .collect(),
            )
        })
        .collect();
    table["Fields"] = Value::Array(
        columns
            .iter()
            .map(|(name, _)| Value::String((*name).into()))
            .collect(),
    );
    table["Rows"] = Value::Array(rows);
    if shape.filtered
        && let Some(Value::Number(count)) =
            data.get_mut("Summary").and_then(|s| s.get_mut("_Count"))
    {
        let as_float = float(count);
        if let Value::Number(n) = as_float {
            *count = n;
        }
    }
    serde_json::to_vec(&reply).ok()
}

/// The middleware (only ListInvoices replies that succeeded are touched).
pub async fn list_invoices(request: Request, next: Next) -> Response {
    if request.uri().path() != PATH {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, REQUEST_LIMIT).await {
        Ok(bytes) => bytes,
        Err(e) => {
            let code = rsge_eapi::SERVICE
                .envelope
                .map(|e| e.malformed_request)
                .unwrap_or(-1);
            return taxsdk_runtime::server::reply_status(
                &rsge_eapi::SERVICE,
                &ServiceStatus::new(code, format!("the request body cannot be read: {e}"), 400),
            );
        }
    };
    let shape = Shape::of(&bytes);
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return taxsdk_runtime::server::reply_status(
            &rsge_eapi::SERVICE,
            &ServiceStatus::new(-1, "sandbox: cannot reread the ListInvoices reply", 500),
        );
    };
    match rewrite(&bytes, shape) {
        Some(rewritten) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(rewritten))
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_the_services_doubles() {
        let n = |t: &str| serde_json::from_str::<serde_json::Number>(t).unwrap();
        assert_eq!(float(&n("28361")).to_string(), "28361.0");
        assert_eq!(float(&n("122.25")).to_string(), "122.25");
        assert_eq!(float(&n("1800.00")).to_string(), "1800.0");
        assert_eq!(float(&n("0")).to_string(), "0.0");
    }

    #[test]
    fn a_canonical_row_takes_the_documents_shape() {
        let canonical = serde_json::json!({
            "DATA": {
                "Data": {
                    "Fields": ["ID", "INV_NUMBER", "TRANS_COST_PAYER", "TRANS_DRIVER",
                               "INV_SERIE", "CORRECT_REASON_ID", "AMOUNT_FULL"],
                    "Rows": [[28361, 74032, 1, null, "", null, 5]]
                },
                "Summary": {"_Count": 32}
            },
            "STATUS": {"ID": 0, "TEXT": "ok"}
        });
        let body = serde_json::to_vec(&canonical).unwrap();
        let shape = Shape::of(br#"{"TYPE": 10, "INV_TYPE": "2,3"}"#);
        let out: Value = serde_json::from_slice(&rewrite(&body, shape).unwrap()).unwrap();
        let table = &out["DATA"]["Data"];
        assert_eq!(table["Fields"].as_array().unwrap().len(), COLUMNS.len());
        let at = |name: &str| {
            let i = COLUMNS.iter().position(|(n, _)| *n == name).unwrap();
            table["Rows"][0][i].clone()
        };
        assert_eq!(at("ID").to_string(), "28361.0");
        assert_eq!(at("INV_NUMBER"), Value::String("74032".into()));
        assert_eq!(at("TRANS_COST_PAYER"), Value::String("მყიდველი".into()));
        assert_eq!(at("TRANS_DRIVER"), Value::String("()".into()));
        assert_eq!(at("INV_SERIE"), Value::Null);
        assert_eq!(at("CORRECT_REASON_ID").to_string(), "0.0");
        assert_eq!(at("AMOUNT_FULL").to_string(), "5.0");
        assert_eq!(at("SUBUSER_ID_SELLER"), Value::Null);
        assert_eq!(out["DATA"]["Summary"]["_Count"].to_string(), "32.0");

        let unfiltered = Shape::of(br#"{"TYPE": 10, "MAXIMUM_ROWS": 0, "SELLER": ""}"#);
        let out: Value = serde_json::from_slice(&rewrite(&body, unfiltered).unwrap()).unwrap();
        assert_eq!(out["DATA"]["Summary"]["_Count"].to_string(), "32");
        let advances = Shape::of(br#"{"TYPE": "5"}"#);
        let out: Value = serde_json::from_slice(&rewrite(&body, advances).unwrap()).unwrap();
        assert_eq!(
            out["DATA"]["Data"]["Fields"].as_array().unwrap().len(),
            ADVANCE_COLUMNS.len()
        );
    }
}

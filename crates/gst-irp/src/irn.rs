//! The Invoice Reference Number: [`Irn`] and its computation
//! ([`compute_irn`]).
//!
//! The IRP derives the IRN from the document alone:
//! `lowercase hex SHA-256(UTF-8(SellerGstin + FY + DocTyp + DocNo))`, no
//! separators, with FY the Indian financial year (`YYYY-YY`, starting on 1
//! April) of the document date, DocTyp upper-case and DocNo as submitted.
//! Computing it locally lets a client find an invoice it may already have
//! registered (the IRP answers a second registration with 2150) and lets the
//! sandbox issue the same IRNs as the IRP.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::crypto::{hex_lower, sha256};

/// An IRN: 64 lower-case hexadecimal characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Irn(String);

impl Irn {
    /// Length of every IRN.
    pub const LEN: usize = 64;

    /// Check `value` (trimmed; upper-case hex is accepted and lower-cased,
    /// as the IRP writes it) and wrap it.
    pub fn new(value: &str) -> Result<Irn, IrnError> {
        let text = value.trim();
        if text.len() != Self::LEN || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(IrnError::Irn {
                value: text.to_string(),
            });
        }
        Ok(Irn(text.to_ascii_lowercase()))
    }

    /// The hex text, as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The owned text.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Irn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Irn {
    type Err = IrnError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Irn::new(s)
    }
}

impl AsRef<str> for Irn {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<&str> for Irn {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl serde::Serialize for Irn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Irn {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Irn::new(&text).map_err(serde::de::Error::custom)
    }
}

/// Why an IRN could not be read or computed; names the field, the value
/// and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IrnError {
    /// Not 64 hexadecimal characters.
    #[error("IRN `{value}` must be 64 hexadecimal characters")]
    Irn {
        /// The rejected value.
        value: String,
    },
    /// The document date is not a `dd/mm/yyyy` date.
    #[error("DocDtls.Dt `{value}` must be a date as dd/mm/yyyy")]
    DocDate {
        /// The rejected value.
        value: String,
    },
    /// An input of the formula is empty.
    #[error("{field} must not be empty")]
    Empty {
        /// `SellerDtls.Gstin`, `DocDtls.Typ` or `DocDtls.No`.
        field: &'static str,
    },
}

/// Parse a document date (`DocDtls.Dt`) in the IRP's `dd/mm/yyyy` layout.
pub fn parse_doc_date(value: &str) -> Result<NaiveDate, IrnError> {
    let text = value.trim();
    // The IRP's pattern is strict two-digit day and month; chrono alone
    // would also take `1/9/2022`.
    let shape_ok = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            2 | 5 => b == b'/',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(IrnError::DocDate {
            value: text.to_string(),
        });
    }
    NaiveDate::parse_from_str(text, "%d/%m/%Y").map_err(|_| IrnError::DocDate {
        value: text.to_string(),
    })
}

/// The Indian financial year of `date` as `YYYY-YY` (`2022-23` for any day
/// from 1 April 2022 to 31 March 2023).
pub fn financial_year(date: NaiveDate) -> String {
    let start = if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    };
    format!("{start:04}-{:02}", (start + 1).rem_euclid(100))
}

/// The IRN of a document: `seller_gstin` (`SellerDtls.Gstin`), `doc_type`
/// (`DocDtls.Typ`, upper-cased here as the IRP does), `doc_no`
/// (`DocDtls.No`, as submitted) and `doc_date` (`DocDtls.Dt`, `dd/mm/yyyy`).
pub fn compute_irn(
    seller_gstin: &str,
    doc_type: &str,
    doc_no: &str,
    doc_date: &str,
) -> Result<Irn, IrnError> {
    let date = parse_doc_date(doc_date)?;
    compute_irn_for_date(seller_gstin, doc_type, doc_no, date)
}

/// [`compute_irn`] with the document date already parsed.
pub fn compute_irn_for_date(
    seller_gstin: &str,
    doc_type: &str,
    doc_no: &str,
    doc_date: NaiveDate,
) -> Result<Irn, IrnError> {
    let seller_gstin = seller_gstin.trim();
    let doc_type = doc_type.trim();
    for (field, value) in [
        ("SellerDtls.Gstin", seller_gstin),
        ("DocDtls.Typ", doc_type),
        ("DocDtls.No", doc_no),
    ] {
        if value.is_empty() {
            return Err(IrnError::Empty { field });
        }
    }
    let input = format!(
        "{}{}{}{}",
        seller_gstin.to_ascii_uppercase(),
        financial_year(doc_date),
        doc_type.to_ascii_uppercase(),
        doc_no
    );
    Ok(Irn(hex_lower(&sha256(input.as_bytes()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE_IRN: &str = "706daeccda0ef6f818da78f3a2a05a1288731057373002289b46c3229289a2e7";

    #[test]
    fn fact_sheet_example() {
        // `01AMBPG7773M0022022-23INVSINV-CFY-00067` -> the fact sheet's IRN.
        assert_eq!(
            hex_lower(&sha256(b"01AMBPG7773M0022022-23INVSINV-CFY-00067")),
            EXAMPLE_IRN
        );
        let irn = compute_irn("01AMBPG7773M002", "INV", "SINV-CFY-00067", "16/09/2022").unwrap();
        assert_eq!(irn, EXAMPLE_IRN);
        // Lower-case type is upper-cased, as the IRP stores it.
        let irn = compute_irn("01AMBPG7773M002", "inv", "SINV-CFY-00067", "16/09/2022").unwrap();
        assert_eq!(irn.as_str(), EXAMPLE_IRN);
    }

    #[test]
    fn financial_year_starts_in_april() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(financial_year(d(2022, 4, 1)), "2022-23");
        assert_eq!(financial_year(d(2023, 3, 31)), "2022-23");
        assert_eq!(financial_year(d(2023, 1, 15)), "2022-23");
        assert_eq!(financial_year(d(2099, 12, 1)), "2099-00");
        // Same number in another year gives another IRN.
        let a = compute_irn("01AMBPG7773M002", "INV", "1", "31/03/2023").unwrap();
        let b = compute_irn("01AMBPG7773M002", "INV", "1", "01/04/2023").unwrap();
        let c = compute_irn("01AMBPG7773M002", "INV", "1", "01/04/2022").unwrap();
        assert_ne!(a, b);
        assert_eq!(a, c);
    }

    #[test]
    fn bad_inputs_are_named() {
        let e = compute_irn("01AMBPG7773M002", "INV", "1", "2022-09-16").unwrap_err();
        assert_eq!(
            e.to_string(),
            "DocDtls.Dt `2022-09-16` must be a date as dd/mm/yyyy"
        );
        let e = compute_irn("01AMBPG7773M002", "INV", "1", "1/9/2022").unwrap_err();
        assert!(matches!(e, IrnError::DocDate { .. }));
        let e = compute_irn("01AMBPG7773M002", "INV", "1", "31/02/2022").unwrap_err();
        assert!(matches!(e, IrnError::DocDate { .. }));
        let e = compute_irn("01AMBPG7773M002", "INV", "", "16/09/2022").unwrap_err();
        assert_eq!(e.to_string(), "DocDtls.No must not be empty");
        let e = compute_irn(" ", "INV", "1", "16/09/2022").unwrap_err();
        assert_eq!(e.to_string(), "SellerDtls.Gstin must not be empty");
    }

    #[test]
    fn irn_newtype_checks_shape() {
        let irn = Irn::new(&EXAMPLE_IRN.to_uppercase()).unwrap();
        assert_eq!(irn.as_str(), EXAMPLE_IRN);
        let e = Irn::new("bc368ad9").unwrap_err();
        assert_eq!(
            e.to_string(),
            "IRN `bc368ad9` must be 64 hexadecimal characters"
        );
        let json = format!("\"{EXAMPLE_IRN}\"");
        let irn: Irn = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&irn).unwrap(), json);
    }
}

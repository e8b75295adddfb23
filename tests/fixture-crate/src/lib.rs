//! The generated code of the fixture spec `tests/fixtures/full`, compiled so
//! that every construct the generator emits is proven to build without
//! warnings. Checked for drift like every service crate.

#![deny(warnings, missing_docs)]

// Generated code is formatted by the generator (prettyplease), not rustfmt.
#[rustfmt::skip]
mod generated;
pub use generated::*;

/// The fixture spec's newtype `Sku` (`newtypes:`): three capitals, a dash
/// and four digits, checked when decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sku(String);

impl Sku {
    /// Check `value` and wrap it.
    pub fn new(value: &str) -> Result<Sku, String> {
        let b = value.as_bytes();
        let ok = b.len() == 8
            && b[..3].iter().all(u8::is_ascii_uppercase)
            && b[3] == b'-'
            && b[4..].iter().all(u8::is_ascii_digit);
        if ok {
            Ok(Sku(value.to_string()))
        } else {
            Err(format!("SKU `{value}` is not AAA-0000"))
        }
    }

    /// The code as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for Sku {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Sku {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Sku::new(&text).map_err(serde::de::Error::custom)
    }
}

/// Hand-written checks the fixture spec's rules name (`check:`).
mod rules {
    use taxsdk_runtime::validate::{Path, Report, Rule};

    use crate::models::ListItemsResponse;

    /// Rows must come in ascending ID order.
    pub(crate) fn rows_are_ordered(
        response: &ListItemsResponse,
        path: &Path,
        report: &mut Report,
        code: i64,
    ) {
        for (index, pair) in response.rows.windows(2).enumerate() {
            if pair[1].id < pair[0].id {
                report.push(
                    &path.field("Rows").index(index + 1).field("ID"),
                    Rule::Check("IDs must ascend".into()),
                    Some(pair[1].id.to_string()),
                    code,
                );
            }
        }
    }
}

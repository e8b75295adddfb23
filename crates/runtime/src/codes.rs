//! Reading the wire code of an open int enum.

use std::fmt;

use serde::de::value::{MapAccessDeserializer, StrDeserializer};
use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, Visitor};
use serde_with::DeserializeAs;

use crate::wire::LenientNumber;

/// An int enum's code as found on the wire: a number (also `1.0` or `"1"`)
/// or, failing that, text (which the generated enum may match to a label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumCode {
    /// A numeric code.
    Int(i64),
    /// Text that is not a number.
    Text(String),
}

impl<'de> Deserialize<'de> for EnumCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CodeVisitor)
    }
}

/// Numbers go through [`LenientNumber`] (one implementation of the number
/// rules); strings that do not read as a number are kept as text.
struct CodeVisitor;

fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    <LenientNumber as DeserializeAs<'de, i64>>::deserialize_as(d)
}

impl<'de> Visitor<'de> for CodeVisitor {
    type Value = EnumCode;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer code or its label")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<EnumCode, E> {
        Ok(EnumCode::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<EnumCode, E> {
        lenient(v.into_deserializer()).map(EnumCode::Int)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<EnumCode, E> {
        lenient(v.into_deserializer()).map(EnumCode::Int)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<EnumCode, E> {
        // Labels are common in list rows: skip building (and dropping) a
        // number error for text that cannot be a number.
        let numeric = v
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.'));
        if !numeric {
            return Ok(EnumCode::Text(v.to_string()));
        }
        match lenient(StrDeserializer::<E>::new(v)) {
            Ok(code) => Ok(EnumCode::Int(code)),
            Err(_) => Ok(EnumCode::Text(v.to_string())),
        }
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<EnumCode, A::Error> {
        // serde_json's arbitrary-precision numbers arrive as a one-entry map.
        lenient(MapAccessDeserializer::new(map)).map(EnumCode::Int)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_in_every_wire_form() {
        for text in ["2", "2.0", "\"2\"", "\" 2 \""] {
            let code: EnumCode = serde_json::from_str(text).unwrap();
            assert_eq!(code, EnumCode::Int(2), "{text}");
        }
    }

    #[test]
    fn keeps_text_that_is_not_a_number() {
        let code: EnumCode = serde_json::from_str("\"მყიდველი\"").unwrap();
        assert_eq!(code, EnumCode::Text("მყიდველი".into()));
    }

    #[test]
    fn rejects_fractions() {
        assert!(serde_json::from_str::<EnumCode>("2.5").is_err());
    }
}

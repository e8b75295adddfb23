//! Fast decoding of one table cell.
//!
//! A table row holds dozens of scalars, and `serde_json` (with the
//! `arbitrary_precision` feature this workspace needs for money) hands every
//! non-integer number to `deserialize_any` visitors as a freshly allocated
//! `String`. Large list replies are almost all such cells, so the table
//! decoder instead asks `serde_json` for each cell's raw JSON text (borrowed
//! from the input, no allocation) and decodes that text here. The visitor
//! sees exactly what `serde_json` would show it: the same `visit_*` calls,
//! numbers as integers or as the arbitrary-precision number map, strings
//! borrowed when they have no escapes.
//!
//! When the deserializer below is not `serde_json` reading borrowed text
//! (another format, a `serde_json::Value`, a reader), the cell is decoded
//! the ordinary way.

use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};

/// Newtype name under which `serde_json` (feature `raw_value`) hands out a
/// value's raw text.
const RAW_TOKEN: &str = "$serde_json::private::RawValue";
/// Map key under which `serde_json` (feature `arbitrary_precision`) hands a
/// number's text to `deserialize_any` visitors.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A seed that can also read its value from the value's raw JSON text,
/// borrowed from the input.
pub(crate) trait ReadRawText<'de>: DeserializeSeed<'de> {
    fn read_raw_text<E: de::Error>(self, raw: &'de str) -> Result<Self::Value, E>;
}

/// Reads one value with `seed`: from its raw text when the deserializer can
/// lend it (`serde_json` reading borrowed text), the ordinary way otherwise.
pub(crate) fn read_raw<'de, D, S>(deserializer: D, seed: S) -> Result<S::Value, D::Error>
where
    D: Deserializer<'de>,
    S: ReadRawText<'de>,
{
    deserializer.deserialize_newtype_struct(RAW_TOKEN, RawVisitor(seed))
}

/// Decodes one cell with `seed`, through its raw text when the deserializer
/// can lend it.
pub(crate) struct CellSeed<S>(pub(crate) S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for CellSeed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        read_raw(deserializer, Cell(self.0))
    }
}

/// A cell seed as [`ReadRawText`]: the text goes through [`RawCell`].
struct Cell<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Cell<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(deserializer)
    }
}

impl<'de, S: DeserializeSeed<'de>> ReadRawText<'de> for Cell<S> {
    fn read_raw_text<E: de::Error>(self, raw: &'de str) -> Result<S::Value, E> {
        self.0.deserialize(RawCell::<E>::new(raw))
    }
}

struct RawVisitor<S>(S);

impl<'de, S: ReadRawText<'de>> Visitor<'de> for RawVisitor<S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table value")
    }

    /// Not `serde_json`: the deserializer itself is the value.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(d)
    }

    /// `serde_json`'s raw value: one entry, the raw text under `RAW_TOKEN`.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<S::Value, A::Error> {
        match map.next_key::<RawKey>()? {
            Some(RawKey) => map.next_value_seed(RawText(self.0)),
            None => Err(de::Error::invalid_length(0, &"the raw text of a value")),
        }
    }
}

/// The key of `serde_json`'s raw-value map (any other key is an error).
struct RawKey;

impl<'de> de::Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = RawKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("serde_json's raw value key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawKey, E> {
                if v == RAW_TOKEN {
                    Ok(RawKey)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// Reads the raw text and decodes the cell from it.
struct RawText<S>(S);

impl<'de, S: ReadRawText<'de>> DeserializeSeed<'de> for RawText<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, S: ReadRawText<'de>> Visitor<'de> for RawText<S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the raw JSON text of a value")
    }

    fn visit_borrowed_str<E: de::Error>(self, raw: &'de str) -> Result<S::Value, E> {
        self.0.read_raw_text(raw)
    }

    /// Text that does not live as long as the input (a reader, a `Value`):
    /// decoded through a `serde_json::Value`, as `serde_json` would.
    fn visit_str<E: de::Error>(self, raw: &str) -> Result<S::Value, E> {
        let value: serde_json::Value = serde_json::from_str(raw).map_err(E::custom)?;
        self.0.deserialize(value).map_err(E::custom)
    }
}

/// A deserializer over the raw JSON text of one value, borrowed from the
/// input. Scalars are decoded here; objects and arrays are handed to
/// `serde_json`.
pub(crate) struct RawCell<'de, E> {
    raw: &'de str,
    /// Whether a string cell holds escapes, when the caller already knows.
    escaped: Option<bool>,
    error: std::marker::PhantomData<E>,
}

impl<'de, E: de::Error> RawCell<'de, E> {
    pub(crate) fn new(raw: &'de str) -> Self {
        Self {
            raw: raw.trim_ascii(),
            escaped: None,
            error: std::marker::PhantomData,
        }
    }

    /// A value split out of a row by [`crate::row_text::RowText`], which
    /// already knows where it ends and whether it holds escapes.
    pub(crate) fn from_row(value: crate::row_text::RawValueText<'de>) -> Self {
        Self {
            raw: value.text,
            escaped: Some(value.escaped),
            error: std::marker::PhantomData,
        }
    }

    /// The string's content if the cell is a string without escapes.
    fn plain_string(&self) -> Option<&'de str> {
        let inner = self.raw.strip_prefix('"')?.strip_suffix('"')?;
        let escaped = self.escaped.unwrap_or_else(|| inner.contains('\\'));
        (!escaped).then_some(inner)
    }

    /// Anything that is not a scalar this module reads itself.
    fn by_serde_json<V: Visitor<'de>>(
        self,
        f: impl FnOnce(
            &mut serde_json::Deserializer<serde_json::de::StrRead<'de>>,
            V,
        ) -> Result<V::Value, serde_json::Error>,
        visitor: V,
    ) -> Result<V::Value, E> {
        let mut d = serde_json::Deserializer::from_str(self.raw);
        f(&mut d, visitor).map_err(E::custom)
    }
}

/// Which integer, if any, a number's text is; `None` for fractions,
/// exponents and integers beyond 64 bits (as `serde_json` decides).
enum Int {
    Unsigned(u64),
    Signed(i64),
}

fn integer(text: &str) -> Option<Int> {
    if text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return None;
    }
    if text.starts_with('-') {
        text.parse().ok().map(Int::Signed)
    } else {
        text.parse().ok().map(Int::Unsigned)
    }
}

impl<'de, E: de::Error> Deserializer<'de> for RawCell<'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.raw.as_bytes().first() {
            Some(b'"') => match self.plain_string() {
                Some(text) => visitor.visit_borrowed_str(text),
                None => {
                    let text: String = serde_json::from_str(self.raw).map_err(E::custom)?;
                    visitor.visit_string(text)
                }
            },
            Some(b'n') if self.raw == "null" => visitor.visit_unit(),
            Some(b't') if self.raw == "true" => visitor.visit_bool(true),
            Some(b'f') if self.raw == "false" => visitor.visit_bool(false),
            Some(b'-' | b'0'..=b'9') => match integer(self.raw) {
                Some(Int::Unsigned(v)) => visitor.visit_u64(v),
                Some(Int::Signed(v)) => visitor.visit_i64(v),
                None => visitor.visit_map(NumberText(Some(self.raw), std::marker::PhantomData)),
            },
            _ => self.by_serde_json(|d, v| d.deserialize_any(v), visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        if self.raw == "null" {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.raw.as_bytes().first() {
            Some(b'-' | b'0'..=b'9') => match self.raw.parse() {
                Ok(v) => visitor.visit_f64(v),
                Err(_) => self.deserialize_any(visitor),
            },
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        if name == RAW_TOKEN {
            // A `RawValue` inside a cell: hand over the text itself.
            return self.by_serde_json(|d, v| d.deserialize_newtype_struct(name, v), visitor);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.plain_string() {
            Some(text) => visitor.visit_enum(BorrowedStrDeserializer::new(text)),
            None => self.by_serde_json(|d, v| d.deserialize_enum(name, variants, v), visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// `serde_json`'s arbitrary-precision form of a number: a one-entry map
/// from `NUMBER_TOKEN` to the number's text.
struct NumberText<'de, E>(Option<&'de str>, std::marker::PhantomData<E>);

impl<'de, E: de::Error> MapAccess<'de> for NumberText<'de, E> {
    type Error = E;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, E> {
        if self.0.is_none() {
            return Ok(None);
        }
        seed.deserialize(BorrowedStrDeserializer::new(NUMBER_TOKEN))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, E> {
        match self.0.take() {
            Some(text) => seed.deserialize(text.into_deserializer()),
            None => Err(de::Error::custom("number text read twice")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use serde::Deserialize;

    type Error = serde_json::Error;

    fn cell<'de, T: Deserialize<'de>>(raw: &'de str) -> Result<T, Error> {
        T::deserialize(RawCell::<Error>::new(raw))
    }

    /// Whatever the cell decoder makes of a value, `serde_json` makes too.
    fn same_as_serde_json<T>(raw: &str)
    where
        T: for<'a> Deserialize<'a> + PartialEq + fmt::Debug,
    {
        let ours = cell::<T>(raw).map_err(|e| e.to_string());
        let theirs = serde_json::from_str::<T>(raw).map_err(|e| e.to_string());
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{raw}"),
            (Err(_), Err(_)) => {}
            _ => panic!("{raw}: ours {ours:?}, serde_json {theirs:?}"),
        }
    }

    #[test]
    fn agrees_with_serde_json() {
        let raws = [
            "0",
            "-1",
            "28361.0",
            "1e3",
            "18446744073709551615",
            "-9223372036854775808",
            "123456789012345678901234567890",
            "\"74032\"",
            "\"\"",
            "\"a\\\"b\\u10D0\"",
            "\"ქართული\"",
            "null",
            "true",
            "false",
            "[1,2]",
            "{\"a\":1}",
            " 7 ",
        ];
        for raw in raws {
            same_as_serde_json::<serde_json::Value>(raw);
            same_as_serde_json::<Option<i64>>(raw);
            same_as_serde_json::<Option<u64>>(raw);
            same_as_serde_json::<Option<f64>>(raw);
            same_as_serde_json::<Option<String>>(raw);
            same_as_serde_json::<Option<bool>>(raw);
            same_as_serde_json::<Option<Vec<i64>>>(raw);
            same_as_serde_json::<Option<Decimal>>(raw);
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let text: &str = cell("\"თბილისი\"").unwrap();
        assert_eq!(text, "თბილისი");
        assert!(
            cell::<&str>("\"a\\nb\"").is_err(),
            "escapes cannot be borrowed"
        );
    }

    #[test]
    fn money_keeps_its_digits() {
        let v: Decimal = cell("572.03").unwrap();
        assert_eq!(v.to_string(), "572.03");
    }
}

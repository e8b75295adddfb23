//! Quick reading of table cells in the shape a column nearly always has.
//!
//! Decoding a large list reply is mostly decoding cells: a 100,000-row
//! ListInvoices reply has almost six million. The general path splits each
//! value out of its row and hands it through serde's visitors, which is
//! right for every shape a lenient column accepts but costs more than the
//! value itself. For the common adapters, [`QuickCell`] reads the value
//! straight from the row's text instead, in the usual shape only (`null`, a
//! plain number, a string without escapes), and gives up on anything else.
//! The table decoder then takes the general path for that one value, which
//! also reports errors, so a quick reader never decides what is an error.
//!
//! Every quick reader gives exactly the value the general path gives for
//! the same text (tested against it in `tests/quick_cell.rs`).

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use super::{
    DateAs, DateFormat, DateTimeAs, EmptyAsNone, LenientNumber, StringNumber, is_blank, parse_date,
    parse_int_text, parse_plain_int, read_date_time, trim,
};

/// An adapter that can read a value of `T` straight from the raw JSON text
/// of a table row.
pub trait QuickCell<T> {
    /// Reads the value at the start of `text`, which is the rest of a row's
    /// raw text already checked as JSON (the value and everything after
    /// it). Returns the value and the length of its text, or `None` when
    /// the value is not in the usual shape and the general path must read
    /// it (never because the text is broken: that too is left to it).
    fn quick(text: &str) -> Option<(T, usize)>;
}

/// An enum whose wire form is an integer code, for [`QuickCell`]; the
/// generator implements it for every integer-coded enum.
pub trait IntCodeEnum: Sized {
    /// The value for a code (codes the spec does not list included).
    fn from_code(code: i64) -> Self;
    /// The value a label sent instead of a code stands for; `None` when the
    /// label is unknown or the enum does not take labels on the wire.
    fn from_wire_label(label: &str) -> Option<Self>;
}

/// `null` at the start of `text`.
#[inline]
fn null(text: &str) -> Option<usize> {
    text.starts_with("null").then_some(4)
}

/// The content of the string at the start of `text` when it holds no
/// escapes, and the string's length with its quotes.
#[inline]
fn plain_string(text: &str) -> Option<(&str, usize)> {
    let rest = text.strip_prefix('"')?;
    let end = memchr::memchr2(b'"', b'\\', rest.as_bytes())?;
    if rest.as_bytes()[end] != b'"' {
        return None;
    }
    Some((&rest[..end], end + 2))
}

/// The JSON number at the start of `text` (the text has been checked, so
/// the number's characters are exactly its token).
#[inline]
fn number(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    if !matches!(bytes.first(), Some(b'-' | b'0'..=b'9')) {
        return None;
    }
    let end = bytes
        .iter()
        .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
        .unwrap_or(bytes.len());
    Some(&text[..end])
}

/// `null` as `None`, a string without escapes as its content (blank as
/// `None`), given to `read`; `None` for anything else.
#[inline]
fn empty_or_string<T>(
    text: &str,
    read: impl FnOnce(&str) -> Option<T>,
) -> Option<(Option<T>, usize)> {
    if let Some(len) = null(text) {
        return Some((None, len));
    }
    let (content, len) = plain_string(text)?;
    if is_blank(content) {
        return Some((None, len));
    }
    Some((Some(read(content)?), len))
}

impl QuickCell<Option<String>> for EmptyAsNone {
    #[inline]
    fn quick(text: &str) -> Option<(Option<String>, usize)> {
        empty_or_string(text, |content| Some(content.to_owned()))
    }
}

macro_rules! quick_ints {
    ($($t:ty),*) => {$(
        impl QuickCell<Option<$t>> for EmptyAsNone<LenientNumber> {
            #[inline]
            fn quick(text: &str) -> Option<(Option<$t>, usize)> {
                if let Some(len) = null(text) {
                    return Some((None, len));
                }
                let token = number(text)?;
                let value = <$t>::try_from(parse_plain_int(token.as_bytes())?).ok()?;
                Some((Some(value), token.len()))
            }
        }

        impl QuickCell<Option<$t>> for EmptyAsNone<StringNumber> {
            #[inline]
            fn quick(text: &str) -> Option<(Option<$t>, usize)> {
                empty_or_string(text, |content| {
                    <$t>::try_from(parse_int_text(trim(content)).ok()?).ok()
                })
            }
        }
    )*};
}

quick_ints!(i32, i64, u32, u64);

impl QuickCell<Option<Decimal>> for EmptyAsNone<LenientNumber> {
    #[inline]
    fn quick(text: &str) -> Option<(Option<Decimal>, usize)> {
        if let Some(len) = null(text) {
            return Some((None, len));
        }
        let token = number(text)?;
        let bytes = token.as_bytes();
        if bytes.iter().any(|b| matches!(b, b'e' | b'E')) {
            return None;
        }
        let value = if bytes.contains(&b'.') {
            // Read from the text, as the general path does, so the scale
            // (`0.0`, `572.30`) is kept.
            token.parse().ok()?
        } else {
            // A JSON integer: the general path reads it as a 64-bit integer.
            Decimal::from(i64::try_from(parse_plain_int(bytes)?).ok()?)
        };
        Some((Some(value), token.len()))
    }
}

impl<T: IntCodeEnum> QuickCell<Option<T>> for EmptyAsNone {
    #[inline]
    fn quick(text: &str) -> Option<(Option<T>, usize)> {
        if let Some(token) = number(text) {
            let code = i64::try_from(parse_plain_int(token.as_bytes())?).ok()?;
            return Some((Some(T::from_code(code)), token.len()));
        }
        empty_or_string(text, |content| {
            // Text that looks like a number is a code in a string: the
            // general path reads it.
            let numeric = content
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.'));
            if numeric {
                return None;
            }
            T::from_wire_label(content)
        })
    }
}

impl<F: DateFormat> QuickCell<Option<NaiveDateTime>> for EmptyAsNone<DateTimeAs<F>> {
    #[inline]
    fn quick(text: &str) -> Option<(Option<NaiveDateTime>, usize)> {
        empty_or_string(text, |content| {
            read_date_time(trim(content), F::FORMAT).ok()
        })
    }
}

impl<F: DateFormat> QuickCell<Option<NaiveDate>> for EmptyAsNone<DateAs<F>> {
    #[inline]
    fn quick(text: &str) -> Option<(Option<NaiveDate>, usize)> {
        empty_or_string(text, |content| parse_date(trim(content), F::FORMAT))
    }
}

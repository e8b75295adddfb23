//! Wire codecs: `serde_with` adapters for the loosely typed values tax
//! services put on the wire.
//!
//! The services are not consistent about representation: the same field may
//! arrive as `74032`, `"74032"` or `74032.0`, booleans as `true`, `"True"` or
//! `1`, dates in a service-specific `strftime` layout, and "no value" as
//! `null` or `""`. Generated code names one of these adapters in a
//! `#[serde_as(as = "...")]` attribute instead of hand-writing serde impls,
//! so every crate decodes these quirks the same way.
//!
//! Readers are lenient and writers are canonical: each adapter accepts every
//! spelling listed on it and always writes one form. Decoding sits on the hot
//! path of large list responses, so the readers work on borrowed text, parse
//! integers directly and never route money through `f64`. List tables
//! also read the usual shapes of their cells through [`QuickCell`], which
//! reads exactly what the adapter's serde path reads and leaves every other
//! shape (and every error) to it.

use core::fmt::{self, Write as _};
use core::marker::PhantomData;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use serde::de::value::{
    BoolDeserializer, BorrowedBytesDeserializer, BorrowedStrDeserializer, BytesDeserializer,
    CharDeserializer, EnumAccessDeserializer, F64Deserializer, I64Deserializer, I128Deserializer,
    MapAccessDeserializer, SeqAccessDeserializer, StrDeserializer, StringDeserializer,
    U64Deserializer, U128Deserializer,
};
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Unexpected, Visitor,
};
use serde::ser::{self, Serializer};
use serde_with::ser::SerializeAsWrap;
use serde_with::{DeserializeAs, Same, SerializeAs};

mod quick;
pub use quick::{IntCodeEnum, QuickCell};

/// Map key under which `serde_json` (feature `arbitrary_precision`) hands a
/// number's original text to `deserialize_any` visitors.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

/// Number read leniently, written as a JSON number.
///
/// Works for `i32`, `i64`, `u32`, `u64` and [`Decimal`]. Reads JSON numbers,
/// integral floats such as `28361.0` (for integer targets) and numeric
/// strings such as `"74032"`, `" 12 "` or `"572.03"`. Decimals are read from
/// the number's text, so `572.03` stays exactly `572.03`. Values that do not
/// fit the target type, non-integral values for integer targets and the
/// empty string are errors (wrap in [`EmptyAsNone`] when `""` means absent).
///
/// A [`Decimal`] with a fractional part is written through `serde_json`'s
/// arbitrary-precision number, which `serde_json` serializers render as a
/// bare JSON number; other serializers see a one-field struct.
pub struct LenientNumber;

/// Number read like [`LenientNumber`] but written as a JSON string
/// (`"74032"`, `"572.03"`), for services that quote their numbers.
pub struct StringNumber;

/// Where a piece of number text came from, so errors can name it properly.
#[derive(Clone, Copy)]
enum Origin {
    /// A JSON string.
    Str,
    /// The text of a JSON number (`serde_json` arbitrary precision).
    Number,
}

/// Builds an "invalid value" error naming `text` as a string or a number.
fn invalid_text<E: de::Error>(origin: Origin, text: &str, exp: &dyn de::Expected) -> E {
    match origin {
        Origin::Str => E::invalid_value(Unexpected::Str(text), exp),
        Origin::Number => {
            let what = format!("number `{text}`");
            E::invalid_value(Unexpected::Other(&what), exp)
        }
    }
}

/// Builds an "invalid value" error for a 128-bit integer, which
/// [`Unexpected`] has no variant for.
fn invalid_wide<E: de::Error>(v: impl fmt::Display, exp: &dyn de::Expected) -> E {
    let what = format!("integer `{v}`");
    E::invalid_value(Unexpected::Other(&what), exp)
}

/// A visitor that can also decode the text of a number or string.
trait FromText<'de>: Visitor<'de> {
    /// Decodes `text` (untrimmed) that came from `origin`.
    fn parse_text<E: de::Error>(self, text: &str, origin: Origin) -> Result<Self::Value, E>;
}

/// Handles `visit_map` for visitors of numbers: `serde_json` with
/// `arbitrary_precision` presents every non-`i64`/`u64` number as a one-entry
/// map keyed by [`NUMBER_TOKEN`]; any other map is a type error.
fn visit_number_map<'de, V, A>(visitor: V, mut map: A) -> Result<V::Value, A::Error>
where
    V: FromText<'de>,
    A: MapAccess<'de>,
{
    match map.next_key_seed(TokenKey)? {
        Some(true) => map.next_value_seed(NumberText(visitor)),
        _ => Err(de::Error::invalid_type(Unexpected::Map, &visitor)),
    }
}

/// Seed reading a map key and telling whether it is [`NUMBER_TOKEN`].
struct TokenKey;

impl<'de> DeserializeSeed<'de> for TokenKey {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for TokenKey {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == NUMBER_TOKEN)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
}

/// Seed reading the text of an arbitrary-precision number into `V`.
struct NumberText<V>(V);

impl<'de, V: FromText<'de>> DeserializeSeed<'de> for NumberText<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, V: FromText<'de>> Visitor<'de> for NumberText<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.0.parse_text(v, Origin::Number)
    }
}

/// Why a piece of text is not an integer.
#[derive(Debug, PartialEq, Eq)]
enum IntTextError {
    /// Not a number at all.
    Invalid,
    /// A number with a non-zero fractional part.
    Fraction,
    /// An integer too large for 128 bits.
    Range,
}

/// Parses a decimal number (`-12`, `+12`, `28361.0`, `1e3`, `2.50E+1`) that
/// must be integral, exactly and without allocating. Leading/trailing
/// whitespace is not accepted here; callers trim.
fn parse_int_text(text: &str) -> Result<i128, IntTextError> {
    match parse_plain_int(text.as_bytes()) {
        Some(value) => Ok(value),
        None => parse_int_general(text),
    }
}

/// [`parse_int_text`] for every shape, with 128-bit arithmetic.
fn parse_int_general(text: &str) -> Result<i128, IntTextError> {
    let b = text.as_bytes();
    let digits_from = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let (negative, int_start) = match b.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let int_end = digits_from(int_start);
    let (frac_start, frac_end) = if b.get(int_end) == Some(&b'.') {
        (int_end + 1, digits_from(int_end + 1))
    } else {
        (int_end, int_end)
    };
    if int_end == int_start && frac_end == frac_start {
        return Err(IntTextError::Invalid);
    }
    let mut i = frac_end;
    let mut exp: i64 = 0;
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let exp_negative = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let exp_start = i;
        while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
            // Saturate: anything this large is out of range or zero anyway.
            exp = (exp * 10 + i64::from(d - b'0')).min(1_000_000);
            i += 1;
        }
        if i == exp_start {
            return Err(IntTextError::Invalid);
        }
        if exp_negative {
            exp = -exp;
        }
    }
    if i != b.len() {
        return Err(IntTextError::Invalid);
    }
    // value = (integer digits ++ fraction digits) * 10^shift
    let frac_len = (frac_end - frac_start) as i64;
    let total = (int_end - int_start) as i64 + frac_len;
    let shift = exp - frac_len;
    // When shift < 0, only the first `keep` digits are integral; the rest
    // must be zeros.
    let keep = total + shift;
    let mut magnitude: u128 = 0;
    let digits = b[int_start..int_end].iter().chain(&b[frac_start..frac_end]);
    for (idx, &d) in digits.enumerate() {
        let d = u128::from(d - b'0');
        if (idx as i64) < keep {
            magnitude = magnitude
                .checked_mul(10)
                .and_then(|m| m.checked_add(d))
                .ok_or(IntTextError::Range)?;
        } else if d != 0 {
            return Err(IntTextError::Fraction);
        }
    }
    if magnitude != 0 {
        for _ in 0..shift.max(0) {
            magnitude = magnitude.checked_mul(10).ok_or(IntTextError::Range)?;
        }
    }
    let value = i128::try_from(magnitude).map_err(|_| IntTextError::Range)?;
    Ok(if negative { -value } else { value })
}

/// The common shapes `123`, `-123` and `28361.0` (up to 18 digits, a
/// fraction of zeros only), read with plain 64-bit arithmetic; `None` for
/// anything else, which the general parser then handles.
fn parse_plain_int(b: &[u8]) -> Option<i128> {
    let (negative, rest) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let int_len = rest.iter().take_while(|d| d.is_ascii_digit()).count();
    if int_len == 0 || int_len > 18 {
        return None;
    }
    let (digits, tail) = rest.split_at(int_len);
    match tail.split_first() {
        None => {}
        Some((b'.', zeros)) if !zeros.is_empty() && zeros.iter().all(|&z| z == b'0') => {}
        _ => return None,
    }
    let magnitude = digits
        .iter()
        .fold(0u64, |m, &d| m * 10 + u64::from(d - b'0'));
    let value = i128::from(magnitude);
    Some(if negative { -value } else { value })
}

/// `str::trim` with a fast exit for text that starts and ends with a
/// visible ASCII character (nearly every value on the hot decode path).
#[inline]
fn trim(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if is_visible_ascii(*first) && is_visible_ascii(*last) => text,
        _ => text.trim(),
    }
}

#[inline]
fn is_visible_ascii(b: u8) -> bool {
    b.is_ascii_graphic()
}

/// Parses decimal text (`572.03`, `-1`, `1e3`, `2.5E-2`) exactly. Only
/// digits, signs, `.` and exponents are accepted (no `_` separators).
fn parse_decimal_text(text: &str) -> Option<Decimal> {
    let mut scientific = false;
    for b in text.bytes() {
        match b {
            b'0'..=b'9' | b'+' | b'-' | b'.' => {}
            b'e' | b'E' => scientific = true,
            _ => return None,
        }
    }
    if text.is_empty() {
        None
    } else if scientific {
        Decimal::from_scientific(text).ok()
    } else {
        text.parse().ok()
    }
}

/// Integer types the number adapters support.
trait Int: TryFrom<i128> + Copy + fmt::Display {
    /// Type name for range errors.
    const NAME: &'static str;
}

/// "Expected" text for values outside an integer type's range.
struct InRange(&'static str);

impl de::Expected for InRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an integer in the range of {}", self.0)
    }
}

/// Lenient visitor for integer type `T`.
struct IntVisitor<T>(PhantomData<T>);

impl<T: Int> IntVisitor<T> {
    /// Converts an in-128-bit value, reporting `unexpected` when it does not fit.
    fn fit<E: de::Error>(v: i128, unexpected: impl FnOnce(&InRange) -> E) -> Result<T, E> {
        T::try_from(v).map_err(|_| unexpected(&InRange(T::NAME)))
    }
}

impl<'de, T: Int> Visitor<'de> for IntVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "an integer (a JSON number, an integral float such as 28361.0, or a numeric string)",
        )
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        Self::fit(v.into(), |e| E::invalid_value(Unexpected::Signed(v), e))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        Self::fit(v.into(), |e| E::invalid_value(Unexpected::Unsigned(v), e))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<T, E> {
        Self::fit(v, |e| invalid_wide(v, e))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<T, E> {
        let wide = i128::try_from(v).map_err(|_| invalid_wide(v, &InRange(T::NAME)))?;
        Self::fit(wide, |e| invalid_wide(v, e))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        if v.is_finite() && v.fract() == 0.0 {
            // `as` saturates; a saturated value is out of range for every `T`.
            Self::fit(v as i128, |e| E::invalid_value(Unexpected::Float(v), e))
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        self.parse_text(v, Origin::Str)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        visit_number_map(self, map)
    }
}

impl<T: Int> FromText<'_> for IntVisitor<T> {
    fn parse_text<E: de::Error>(self, text: &str, origin: Origin) -> Result<T, E> {
        match parse_int_text(trim(text)) {
            Ok(v) => Self::fit(v, |e| invalid_text(origin, text, e)),
            Err(IntTextError::Range) => Err(invalid_text(origin, text, &InRange(T::NAME))),
            Err(IntTextError::Invalid | IntTextError::Fraction) => {
                Err(invalid_text(origin, text, &self))
            }
        }
    }
}

/// Lenient visitor for [`Decimal`].
struct DecimalVisitor;

impl DecimalVisitor {
    /// Converts a float through its shortest round-trip text (`572.03`),
    /// which is the value the float was written as.
    fn parse_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        let mut buf = TextBuf::new();
        let parsed = if v.is_finite() && write!(buf, "{v}").is_ok() {
            parse_decimal_text(buf.as_str())
        } else {
            None
        };
        parsed.ok_or_else(|| E::invalid_value(Unexpected::Float(v), &self))
    }
}

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a decimal number (a JSON number or a numeric string) within the range of Decimal",
        )
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Decimal, E> {
        Decimal::try_from_i128_with_scale(v, 0).map_err(|_| invalid_wide(v, &self))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Decimal, E> {
        i128::try_from(v)
            .ok()
            .and_then(|v| Decimal::try_from_i128_with_scale(v, 0).ok())
            .ok_or_else(|| invalid_wide(v, &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        self.parse_f64(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        self.parse_text(v, Origin::Str)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Decimal, A::Error> {
        visit_number_map(self, map)
    }
}

impl FromText<'_> for DecimalVisitor {
    fn parse_text<E: de::Error>(self, text: &str, origin: Origin) -> Result<Decimal, E> {
        parse_decimal_text(trim(text)).ok_or_else(|| invalid_text(origin, text, &self))
    }
}

macro_rules! int_adapters {
    ($($t:ty => $ser:ident),* $(,)?) => {$(
        impl Int for $t {
            const NAME: &'static str = stringify!($t);
        }

        impl SerializeAs<$t> for LenientNumber {
            fn serialize_as<S: Serializer>(source: &$t, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.$ser(*source)
            }
        }

        impl<'de> DeserializeAs<'de, $t> for LenientNumber {
            fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<$t, D::Error> {
                deserializer.deserialize_any(IntVisitor::<$t>(PhantomData))
            }
        }

        impl SerializeAs<$t> for StringNumber {
            fn serialize_as<S: Serializer>(source: &$t, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(text(format_args!("{source}")).as_str())
            }
        }

        impl<'de> DeserializeAs<'de, $t> for StringNumber {
            fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<$t, D::Error> {
                deserializer.deserialize_any(IntVisitor::<$t>(PhantomData))
            }
        }
    )*};
}

int_adapters!(i32 => serialize_i32, i64 => serialize_i64, u32 => serialize_u32, u64 => serialize_u64);

impl SerializeAs<Decimal> for LenientNumber {
    fn serialize_as<S: Serializer>(source: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        // Whole numbers need no arbitrary precision and this path works with
        // every serializer; everything else keeps its exact digits.
        let whole = (source.scale() == 0).then(|| i64::try_from(*source).ok());
        if let Some(Some(v)) = whole {
            return serializer.serialize_i64(v);
        }
        rust_decimal::serde::arbitrary_precision::serialize(source, serializer)
    }
}

impl<'de> DeserializeAs<'de, Decimal> for LenientNumber {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }
}

impl SerializeAs<Decimal> for StringNumber {
    fn serialize_as<S: Serializer>(source: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(text(format_args!("{source}")).as_str())
    }
}

impl<'de> DeserializeAs<'de, Decimal> for StringNumber {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }
}

// ---------------------------------------------------------------------------
// Booleans
// ---------------------------------------------------------------------------

/// `bool` written as the string `"true"`/`"false"`.
///
/// Reads JSON booleans, the strings `"true"`/`"false"` (any ASCII case,
/// surrounding whitespace ignored), the numbers `0`/`1` and the strings
/// `"0"`/`"1"`.
pub struct BoolString;

/// `bool` written as the number `0`/`1`; reads the same spellings as
/// [`BoolString`].
pub struct BoolInt;

/// Lenient `bool` visitor shared by [`BoolString`] and [`BoolInt`].
struct BoolVisitor;

impl BoolVisitor {
    /// Maps an integer to a bool; only 0 and 1 are booleans.
    fn from_int(v: i128) -> Option<bool> {
        match v {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a boolean (true/false, 0/1, or one of the strings \"true\", \"false\", \"0\", \"1\")",
        )
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        Self::from_int(v.into()).ok_or_else(|| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        Self::from_int(v.into()).ok_or_else(|| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        if v == 0.0 {
            Ok(false)
        } else if v == 1.0 {
            Ok(true)
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        self.parse_text(v, Origin::Str)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        visit_number_map(self, map)
    }
}

impl FromText<'_> for BoolVisitor {
    fn parse_text<E: de::Error>(self, text: &str, origin: Origin) -> Result<bool, E> {
        let t = trim(text);
        let parsed = if t.eq_ignore_ascii_case("true") {
            Some(true)
        } else if t.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            parse_int_text(t).ok().and_then(Self::from_int)
        };
        parsed.ok_or_else(|| invalid_text(origin, text, &self))
    }
}

impl SerializeAs<bool> for BoolString {
    fn serialize_as<S: Serializer>(source: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(if *source { "true" } else { "false" })
    }
}

impl<'de> DeserializeAs<'de, bool> for BoolString {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(BoolVisitor)
    }
}

impl SerializeAs<bool> for BoolInt {
    fn serialize_as<S: Serializer>(source: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(u8::from(*source))
    }
}

impl<'de> DeserializeAs<'de, bool> for BoolInt {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(BoolVisitor)
    }
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/// A service's date layout, implemented by a marker type the generator emits
/// per distinct format and passed to [`DateAs`], [`DateTimeAs`] and
/// [`DateRangeAs`].
pub trait DateFormat {
    /// chrono `strftime` format string, e.g. `"%d-%m-%Y"`.
    const FORMAT: &'static str;
    /// Text between the two dates of a [`DateRange`].
    const RANGE_SEPARATOR: &'static str = ":";
}

/// [`NaiveDate`] in the layout `F::FORMAT`.
///
/// Time fields in the layout are written as midnight and ignored on read.
///
/// Also reads, as a fallback, a date in that layout followed by a time of
/// day (`"24-05-2019 00:00:00"`, the time is dropped) and ISO 8601
/// `YYYY-MM-DD` (optionally with a time). Surrounding whitespace is ignored.
pub struct DateAs<F>(PhantomData<F>);

/// [`NaiveDateTime`] in the layout `F::FORMAT`.
///
/// Also reads, as a fallback, ISO 8601 `YYYY-MM-DDTHH:MM:SS` with optional
/// fractional seconds (a space instead of `T` is accepted too). Surrounding
/// whitespace is ignored.
///
/// A zone designator after the time, as XML Schema `dateTime` and .NET
/// DataTables write it (`2019-01-15T00:00:00+04:00`, `...Z`,
/// `...00.1234567+04:00`; also `+0400`), is read and dropped: the value is
/// the local wall-clock time as written, not converted to another zone
/// (`2019-01-15T00:00:00+04:00` reads as 2019-01-15 00:00:00). Services
/// that mix both forms (RS.ge NtosService: Georgian local time, UTC+4,
/// with or without the offset) so read the same time either way. An offset
/// that is not `Z` or `±hh:mm` / `±hhmm` within ±14:00 is an error naming
/// it. Writing never adds an offset.
pub struct DateTimeAs<F>(PhantomData<F>);

/// An inclusive range of dates, as services send reporting periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateRange {
    /// First day of the range.
    pub start: NaiveDate,
    /// Last day of the range; never before `start` when decoded.
    pub end: NaiveDate,
}

impl DateRange {
    /// Builds a range as given (no ordering check; decoding does check).
    #[must_use]
    pub const fn new(start: NaiveDate, end: NaiveDate) -> Self {
        Self { start, end }
    }
}

/// [`DateRange`] written as `start` + `F::RANGE_SEPARATOR` + `end`, both
/// dates in the layout `F::FORMAT` (e.g. `"01-01-2019:31-12-2019"`).
///
/// Reading accepts each half as [`DateAs`] does and rejects ranges whose end
/// is before their start. The separator may also occur inside the date
/// layout; the split that makes both halves valid dates wins.
pub struct DateRangeAs<F>(PhantomData<F>);

/// Is `rest` (what follows a parsed date) a time of day?
fn is_time_suffix(rest: &str) -> bool {
    let Some(time) = rest.strip_prefix(['T', 't', ' ']) else {
        return false;
    };
    let time = time.trim_start();
    NaiveTime::parse_from_str(time, "%H:%M:%S%.f").is_ok()
        || NaiveTime::parse_from_str(time, "%H:%M").is_ok()
}

/// Date and time fields read by [`parse_fixed`].
#[derive(Default)]
struct Fields {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    hour: u32,
    minute: u32,
    second: u32,
}

/// Fast path for the layouts services use: only `%Y %m %d %H %M %S` and
/// literal characters, digits read in place. chrono re-parses the format
/// string on every call, which dominates decoding large lists; anything this
/// does not understand returns `None` and goes to chrono.
#[inline]
fn parse_fixed(text: &str, format: &str) -> Option<Fields> {
    let text = text.as_bytes();
    let format = format.as_bytes();
    let mut fields = Fields::default();
    let (mut t, mut f) = (0, 0);
    while f < format.len() {
        if format[f] == b'%' {
            let spec = *format.get(f + 1)?;
            let width = if spec == b'Y' { 4 } else { 2 };
            let digits = text.get(t..t + width)?;
            let mut value: u32 = 0;
            for &d in digits {
                if !d.is_ascii_digit() {
                    return None;
                }
                value = value * 10 + u32::from(d - b'0');
            }
            match spec {
                b'Y' => fields.year = Some(i32::try_from(value).ok()?),
                b'm' => fields.month = Some(value),
                b'd' => fields.day = Some(value),
                b'H' => fields.hour = value,
                b'M' => fields.minute = value,
                b'S' => fields.second = value,
                _ => return None,
            }
            t += width;
            f += 2;
        } else {
            if text.get(t) != Some(&format[f]) {
                return None;
            }
            t += 1;
            f += 1;
        }
    }
    (t == text.len()).then_some(fields)
}

fn fixed_date(fields: &Fields) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(fields.year?, fields.month?, fields.day?)
}

/// Parses a trimmed date leniently; see [`DateAs`].
fn parse_date(text: &str, format: &str) -> Option<NaiveDate> {
    if let Some(date) = parse_fixed(text, format).as_ref().and_then(fixed_date) {
        return Some(date);
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, format) {
        return Some(date);
    }
    [format, "%Y-%m-%d"].into_iter().find_map(|fmt| {
        match NaiveDate::parse_and_remainder(text, fmt) {
            Ok((date, "")) => Some(date),
            Ok((date, rest)) if is_time_suffix(rest) => Some(date),
            _ => None,
        }
    })
}

/// The fast path of [`parse_date_time`]: `format` read in place.
#[inline]
fn fixed_date_time(text: &str, format: &str) -> Option<NaiveDateTime> {
    let fields = parse_fixed(text, format)?;
    let time = NaiveTime::from_hms_opt(fields.hour, fields.minute, fields.second)?;
    Some(fixed_date(&fields)?.and_time(time))
}

/// Parses a trimmed date-time without a zone leniently; see [`DateTimeAs`].
fn parse_date_time(text: &str, format: &str) -> Option<NaiveDateTime> {
    if let Some(value) = fixed_date_time(text, format) {
        return Some(value);
    }
    NaiveDateTime::parse_from_str(text, format)
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
        .ok()
}

/// Why a date-time text was rejected.
#[derive(Debug, PartialEq)]
enum DateTimeError<'a> {
    /// Not a date-time in the layout (nor ISO 8601).
    Invalid,
    /// A date-time followed by this zone offset, which is not one.
    Zone(&'a str),
}

/// Parses a trimmed date-time leniently, reading and dropping a zone
/// designator after it; see [`DateTimeAs`].
#[inline]
fn read_date_time<'a>(text: &'a str, format: &str) -> Result<NaiveDateTime, DateTimeError<'a>> {
    // Offset-less values (nearly all) take the fast path first.
    if let Some(value) = fixed_date_time(text, format) {
        return Ok(value);
    }
    if let Some((local, zone)) = split_zone(text)
        && let Some(value) = parse_date_time(local, format)
    {
        return match zone_is_valid(zone) {
            true => Ok(value),
            false => Err(DateTimeError::Zone(zone)),
        };
    }
    parse_date_time(text, format).ok_or(DateTimeError::Invalid)
}

/// `text` split before what may be a zone designator: a final `Z`, or the
/// last `+`/`-` when a time of day (a `:`) comes before it, so that the
/// dashes of a date are not taken for one.
fn split_zone(text: &str) -> Option<(&str, &str)> {
    if let Some(local) = text.strip_suffix('Z') {
        return Some((local, "Z"));
    }
    let at = text.rfind(['+', '-'])?;
    let (local, zone) = text.split_at(at);
    local.contains(':').then_some((local, zone))
}

/// `Z`, or `±hh:mm` / `±hhmm` with hours up to 14, minutes up to 59 and
/// at most ±14:00 in all (the XML Schema range).
fn zone_is_valid(zone: &str) -> bool {
    if zone == "Z" {
        return true;
    }
    let digits = match zone.as_bytes() {
        [b'+' | b'-', h1, h2, b':', m1, m2] | [b'+' | b'-', h1, h2, m1, m2] => [*h1, *h2, *m1, *m2],
        _ => return false,
    };
    if !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let [h1, h2, m1, m2] = digits.map(|d| u32::from(d - b'0'));
    let (hours, minutes) = (h1 * 10 + h2, m1 * 10 + m2);
    minutes <= 59 && hours * 60 + minutes <= 14 * 60
}

/// Why a range text was rejected.
enum RangeError {
    /// No split gives two valid dates.
    Invalid,
    /// Valid dates, but the end is before the start.
    Reversed,
}

/// Parses a date range; see [`DateRangeAs`].
fn parse_date_range(text: &str, format: &str, separator: &str) -> Result<DateRange, RangeError> {
    let text = text.trim();
    for (at, _) in text.match_indices(separator) {
        let (start, end) = (&text[..at], &text[at + separator.len()..]);
        let dates = parse_date(start.trim(), format)
            .and_then(|start| Some((start, parse_date(end.trim(), format)?)));
        if let Some((start, end)) = dates {
            return if end < start {
                Err(RangeError::Reversed)
            } else {
                Ok(DateRange { start, end })
            };
        }
    }
    Err(RangeError::Invalid)
}

/// Visitor for [`DateAs`].
struct DateVisitor<F>(PhantomData<F>);

impl<F: DateFormat> Visitor<'_> for DateVisitor<F> {
    type Value = NaiveDate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a date formatted as {:?} (or ISO 8601 YYYY-MM-DD)",
            F::FORMAT
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<NaiveDate, E> {
        parse_date(trim(v), F::FORMAT).ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
    }
}

/// Visitor for [`DateTimeAs`].
struct DateTimeVisitor<F>(PhantomData<F>);

impl<F: DateFormat> Visitor<'_> for DateTimeVisitor<F> {
    type Value = NaiveDateTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a date-time formatted as {:?} (or ISO 8601 YYYY-MM-DDTHH:MM:SS)",
            F::FORMAT
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<NaiveDateTime, E> {
        read_date_time(trim(v), F::FORMAT).map_err(|e| match e {
            DateTimeError::Invalid => E::invalid_value(Unexpected::Str(v), &self),
            DateTimeError::Zone(zone) => {
                let expected = format!(
                    "a date-time whose zone offset is Z or ±hh:mm up to ±14:00 (`{zone}` is not one)"
                );
                E::invalid_value(Unexpected::Str(v), &expected.as_str())
            }
        })
    }
}

/// Visitor for [`DateRangeAs`].
struct DateRangeVisitor<F>(PhantomData<F>);

impl<F: DateFormat> Visitor<'_> for DateRangeVisitor<F> {
    type Value = DateRange;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a date range formatted as \"{}{}{}\"",
            F::FORMAT.escape_debug(),
            F::RANGE_SEPARATOR.escape_debug(),
            F::FORMAT.escape_debug()
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<DateRange, E> {
        parse_date_range(v, F::FORMAT, F::RANGE_SEPARATOR).map_err(|e| match e {
            RangeError::Invalid => E::invalid_value(Unexpected::Str(v), &self),
            RangeError::Reversed => E::invalid_value(
                Unexpected::Str(v),
                &"a date range whose end is not before its start",
            ),
        })
    }
}

/// Writes formatted date text as a string; an invalid format string is a
/// serialization error rather than a panic.
fn serialize_date<S: Serializer, F: DateFormat>(
    serializer: S,
    date: fmt::Arguments<'_>,
) -> Result<S::Ok, S::Error> {
    let mut buf = TextBuf::new();
    if buf.write_fmt(date).is_err() {
        return Err(ser::Error::custom(format_args!(
            "cannot format a date with the format string {:?}",
            F::FORMAT
        )));
    }
    serializer.serialize_str(buf.as_str())
}

/// A date as midnight, so layouts with time fields (`%H:%M`) can format it.
fn midnight(date: NaiveDate) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN)
}

impl<F: DateFormat> SerializeAs<NaiveDate> for DateAs<F> {
    fn serialize_as<S: Serializer>(source: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        let text = format_args!("{}", midnight(*source).format(F::FORMAT));
        serialize_date::<S, F>(serializer, text)
    }
}

impl<'de, F: DateFormat> DeserializeAs<'de, NaiveDate> for DateAs<F> {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        deserializer.deserialize_str(DateVisitor::<F>(PhantomData))
    }
}

impl<F: DateFormat> SerializeAs<NaiveDateTime> for DateTimeAs<F> {
    fn serialize_as<S: Serializer>(
        source: &NaiveDateTime,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serialize_date::<S, F>(serializer, format_args!("{}", source.format(F::FORMAT)))
    }
}

impl<'de, F: DateFormat> DeserializeAs<'de, NaiveDateTime> for DateTimeAs<F> {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDateTime, D::Error> {
        deserializer.deserialize_str(DateTimeVisitor::<F>(PhantomData))
    }
}

impl<F: DateFormat> SerializeAs<DateRange> for DateRangeAs<F> {
    fn serialize_as<S: Serializer>(source: &DateRange, serializer: S) -> Result<S::Ok, S::Error> {
        let text = format_args!(
            "{}{}{}",
            midnight(source.start).format(F::FORMAT),
            F::RANGE_SEPARATOR,
            midnight(source.end).format(F::FORMAT)
        );
        serialize_date::<S, F>(serializer, text)
    }
}

impl<'de, F: DateFormat> DeserializeAs<'de, DateRange> for DateRangeAs<F> {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<DateRange, D::Error> {
        deserializer.deserialize_str(DateRangeVisitor::<F>(PhantomData))
    }
}

// ---------------------------------------------------------------------------
// Emptiness
// ---------------------------------------------------------------------------

/// `Option<U>` where `null`, a missing field (with `#[serde(default)]`), `""`
/// and whitespace-only strings all mean `None`; anything else is decoded by
/// the inner adapter `T` (default: `U`'s own serde impl).
///
/// Services often send `""` for "no value" even in number and date fields,
/// which the inner adapters rightly reject. `None` is written as `null`
/// (pair with `skip_serializing_if = "Option::is_none"` to omit it).
pub struct EmptyAsNone<T = Same>(PhantomData<T>);

/// Visitor for [`EmptyAsNone`]: maps empty values to `None` and re-feeds
/// everything else to `T`.
struct EmptyVisitor<T, U>(PhantomData<T>, PhantomData<U>);

/// Is this string "no value"?
fn is_blank(v: &str) -> bool {
    // Stops at the first visible character, where trimming would first
    // scan from both ends.
    v.chars().all(char::is_whitespace)
}

impl<'de, T, U> Visitor<'de> for EmptyVisitor<T, U>
where
    T: DeserializeAs<'de, U>,
{
    type Value = Option<U>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value, null, or an empty string")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<U>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<U>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<U>, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Option<U>, D::Error> {
        T::deserialize_as(deserializer).map(Some)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<U>, E> {
        if is_blank(v) {
            return Ok(None);
        }
        T::deserialize_as(StrDeserializer::<E>::new(v)).map(Some)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Option<U>, E> {
        if is_blank(v) {
            return Ok(None);
        }
        T::deserialize_as(BorrowedStrDeserializer::<E>::new(v)).map(Some)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Option<U>, E> {
        if is_blank(&v) {
            return Ok(None);
        }
        T::deserialize_as(StringDeserializer::<E>::new(v)).map(Some)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<U>, E> {
        T::deserialize_as(BoolDeserializer::<E>::new(v)).map(Some)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<U>, E> {
        T::deserialize_as(I64Deserializer::<E>::new(v)).map(Some)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<U>, E> {
        T::deserialize_as(U64Deserializer::<E>::new(v)).map(Some)
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Option<U>, E> {
        T::deserialize_as(I128Deserializer::<E>::new(v)).map(Some)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Option<U>, E> {
        T::deserialize_as(U128Deserializer::<E>::new(v)).map(Some)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<U>, E> {
        T::deserialize_as(F64Deserializer::<E>::new(v)).map(Some)
    }

    fn visit_char<E: de::Error>(self, v: char) -> Result<Option<U>, E> {
        T::deserialize_as(CharDeserializer::<E>::new(v)).map(Some)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Option<U>, E> {
        T::deserialize_as(BytesDeserializer::<E>::new(v)).map(Some)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Option<U>, E> {
        T::deserialize_as(BorrowedBytesDeserializer::<E>::new(v)).map(Some)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<U>, A::Error> {
        T::deserialize_as(MapAccessDeserializer::new(map)).map(Some)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<U>, A::Error> {
        T::deserialize_as(SeqAccessDeserializer::new(seq)).map(Some)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Option<U>, A::Error> {
        T::deserialize_as(EnumAccessDeserializer::new(data)).map(Some)
    }
}

impl<'de, T, U> DeserializeAs<'de, Option<U>> for EmptyAsNone<T>
where
    T: DeserializeAs<'de, U>,
{
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<Option<U>, D::Error> {
        deserializer.deserialize_option(EmptyVisitor::<T, U>(PhantomData, PhantomData))
    }
}

impl<T, U> SerializeAs<Option<U>> for EmptyAsNone<T>
where
    T: SerializeAs<U>,
{
    fn serialize_as<S: Serializer>(source: &Option<U>, serializer: S) -> Result<S::Ok, S::Error> {
        match source {
            None => serializer.serialize_none(),
            Some(value) => serializer.serialize_some(&SerializeAsWrap::<U, T>::new(value)),
        }
    }
}

// ---------------------------------------------------------------------------
// Text that may arrive as a number
// ---------------------------------------------------------------------------

/// `String` read from a JSON string or a JSON number (kept as the number's
/// exact text, e.g. a password or PIN that a client sent as `123456`),
/// written as a JSON string.
pub struct LenientString;

/// Visitor for [`LenientString`].
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<String, A::Error> {
        visit_number_map(self, map)
    }
}

impl FromText<'_> for TextVisitor {
    fn parse_text<E: de::Error>(self, text: &str, _origin: Origin) -> Result<String, E> {
        Ok(text.to_owned())
    }
}

impl SerializeAs<String> for LenientString {
    fn serialize_as<S: Serializer>(source: &String, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(source)
    }
}

impl<'de> DeserializeAs<'de, String> for LenientString {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

// ---------------------------------------------------------------------------
// Year and month
// ---------------------------------------------------------------------------

/// A calendar month of a year, e.g. a declaration's operation period
/// (`"201901"` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// The month `month` (1 to 12) of `year`; `None` when out of range.
    #[must_use]
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=12).contains(&month) && (1..=9999).contains(&year)).then_some(Self { year, month })
    }

    /// The year.
    #[must_use]
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    #[must_use]
    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day of the month.
    #[must_use]
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// [`YearMonth`] in the layout `F::FORMAT` (year and month tokens only, e.g.
/// `"%Y%m"`). Reads strings and integers (`201901`), writes a string.
pub struct YearMonthAs<F>(PhantomData<F>);

fn parse_year_month(text: &str, format: &str) -> Option<YearMonth> {
    let mut parsed = chrono::format::Parsed::new();
    chrono::format::parse(
        &mut parsed,
        text.trim(),
        chrono::format::StrftimeItems::new(format),
    )
    .ok()?;
    YearMonth::new(parsed.year()?, parsed.month()?)
}

/// Visitor for [`YearMonthAs`].
struct YearMonthVisitor<F>(PhantomData<F>);

impl<'de, F: DateFormat> Visitor<'de> for YearMonthVisitor<F> {
    type Value = YearMonth;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a year and month formatted as {:?}", F::FORMAT)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<YearMonth, E> {
        parse_year_month(v, F::FORMAT).ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<YearMonth, E> {
        parse_year_month(&v.to_string(), F::FORMAT)
            .ok_or_else(|| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<YearMonth, E> {
        parse_year_month(&v.to_string(), F::FORMAT)
            .ok_or_else(|| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<YearMonth, A::Error> {
        visit_number_map(self, map)
    }
}

impl<F: DateFormat> FromText<'_> for YearMonthVisitor<F> {
    fn parse_text<E: de::Error>(self, text: &str, origin: Origin) -> Result<YearMonth, E> {
        parse_year_month(text, F::FORMAT).ok_or_else(|| invalid_text(origin, text, &self))
    }
}

impl<F: DateFormat> SerializeAs<YearMonth> for YearMonthAs<F> {
    fn serialize_as<S: Serializer>(source: &YearMonth, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = String::new();
        write!(text, "{}", source.first_day().format(F::FORMAT)).map_err(|_| {
            ser::Error::custom(format!("invalid year-month format {:?}", F::FORMAT))
        })?;
        serializer.serialize_str(&text)
    }
}

impl<'de, F: DateFormat> DeserializeAs<'de, YearMonth> for YearMonthAs<F> {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<YearMonth, D::Error> {
        deserializer.deserialize_any(YearMonthVisitor::<F>(PhantomData))
    }
}

// ---------------------------------------------------------------------------
// Formatting without allocation
// ---------------------------------------------------------------------------

/// Text buffer that formats on the stack and spills to the heap only for
/// unusually long output.
struct TextBuf {
    /// Bytes used in `stack`.
    len: usize,
    /// Inline storage; always valid UTF-8 up to `len`.
    stack: [u8; 64],
    /// Overflow storage, once the output outgrew `stack`.
    heap: Option<String>,
}

impl TextBuf {
    /// An empty buffer.
    fn new() -> Self {
        Self {
            len: 0,
            stack: [0; 64],
            heap: None,
        }
    }

    /// The text written so far.
    fn as_str(&self) -> &str {
        match &self.heap {
            Some(heap) => heap,
            // Only whole `&str`s are ever copied in, so this cannot fail.
            None => core::str::from_utf8(&self.stack[..self.len]).unwrap_or_default(),
        }
    }
}

impl fmt::Write for TextBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if let Some(heap) = &mut self.heap {
            heap.push_str(s);
        } else if let Some(dest) = self.stack.get_mut(self.len..self.len + s.len()) {
            dest.copy_from_slice(s.as_bytes());
            self.len += s.len();
        } else {
            let mut heap = String::with_capacity(2 * (self.len + s.len()));
            heap.push_str(self.as_str());
            heap.push_str(s);
            self.heap = Some(heap);
        }
        Ok(())
    }
}

/// Formats infallible `Display` output (numbers) without a heap allocation
/// for short text.
fn text(args: fmt::Arguments<'_>) -> TextBuf {
    let mut buf = TextBuf::new();
    // Writing into `TextBuf` never fails and number `Display` impls do not
    // either; on the impossible error the text is merely truncated.
    let _ = buf.write_fmt(args);
    buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::str::FromStr;
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    struct Fmt0;
    impl DateFormat for Fmt0 {
        const FORMAT: &'static str = "%d-%m-%Y %H:%M:%S";
    }

    struct DayFmt;
    impl DateFormat for DayFmt {
        const FORMAT: &'static str = "%d-%m-%Y";
    }

    /// A date-time layout containing the range separator.
    struct ColonFmt;
    impl DateFormat for ColonFmt {
        const FORMAT: &'static str = "%Y-%m-%d %H:%M";
    }

    struct SlashRange;
    impl DateFormat for SlashRange {
        const FORMAT: &'static str = "%d.%m.%Y";
        const RANGE_SEPARATOR: &'static str = " / ";
    }

    struct BadFmt;
    impl DateFormat for BadFmt {
        const FORMAT: &'static str = "%Q";
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct I32 {
        #[serde_as(as = "LenientNumber")]
        a: i32,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct I64 {
        #[serde_as(as = "LenientNumber")]
        a: i64,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct U32 {
        #[serde_as(as = "LenientNumber")]
        a: u32,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct U64 {
        #[serde_as(as = "LenientNumber")]
        a: u64,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Dec {
        #[serde_as(as = "LenientNumber")]
        a: Decimal,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct StrI64 {
        #[serde_as(as = "StringNumber")]
        a: i64,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct StrDec {
        #[serde_as(as = "StringNumber")]
        a: Decimal,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct BStr {
        #[serde_as(as = "BoolString")]
        a: bool,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct BInt {
        #[serde_as(as = "BoolInt")]
        a: bool,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Day {
        #[serde_as(as = "DateAs<DayFmt>")]
        a: NaiveDate,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Stamp {
        #[serde_as(as = "DateTimeAs<Fmt0>")]
        a: NaiveDateTime,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Period {
        #[serde_as(as = "DateRangeAs<DayFmt>")]
        a: DateRange,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct ColonPeriod {
        #[serde_as(as = "DateRangeAs<ColonFmt>")]
        a: DateRange,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct SlashPeriod {
        #[serde_as(as = "DateRangeAs<SlashRange>")]
        a: DateRange,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Bad {
        #[serde_as(as = "DateAs<BadFmt>")]
        a: NaiveDate,
    }

    /// The example from the generator's documentation.
    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct X {
        #[serde_as(as = "LenientNumber")]
        id: i64,
        #[serde_as(as = "Option<LenientNumber>")]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<Decimal>,
        #[serde_as(as = "EmptyAsNone<DateTimeAs<Fmt0>>")]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        d: Option<NaiveDateTime>,
        #[serde_as(as = "EmptyAsNone")]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        s: Option<String>,
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Empties {
        #[serde_as(as = "EmptyAsNone<LenientNumber>")]
        #[serde(default)]
        n: Option<i64>,
        #[serde_as(as = "EmptyAsNone<LenientNumber>")]
        #[serde(default)]
        m: Option<Decimal>,
        #[serde_as(as = "EmptyAsNone<BoolInt>")]
        #[serde(default)]
        b: Option<bool>,
        #[serde_as(as = "EmptyAsNone<DateRangeAs<DayFmt>>")]
        #[serde(default)]
        r: Option<DateRange>,
        #[serde_as(as = "EmptyAsNone")]
        #[serde(default)]
        v: Option<Vec<u8>>,
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn err<T: for<'de> Deserialize<'de> + fmt::Debug>(input: &str) -> String {
        serde_json::from_str::<T>(input).unwrap_err().to_string()
    }

    #[test]
    fn int_reads_numbers_floats_and_strings() {
        for (input, want) in [
            (r#"{"a":74032}"#, 74032),
            (r#"{"a":-5}"#, -5),
            (r#"{"a":28361.0}"#, 28361),
            (r#"{"a":-0.0}"#, 0),
            (r#"{"a":1e3}"#, 1000),
            (r#"{"a":2.50E+1}"#, 25),
            (r#"{"a":"74032"}"#, 74032),
            (r#"{"a":" 12 "}"#, 12),
            (r#"{"a":"28361.0"}"#, 28361),
            (r#"{"a":"-7"}"#, -7),
            (r#"{"a":"+7"}"#, 7),
            (r#"{"a":"1200e-2"}"#, 12),
            (r#"{"a":"0e999999999999"}"#, 0),
        ] {
            assert_eq!(
                serde_json::from_str::<I64>(input).unwrap(),
                I64 { a: want },
                "{input}"
            );
        }
        assert_eq!(
            serde_json::from_str::<I32>(r#"{"a":"2147483647"}"#)
                .unwrap()
                .a,
            i32::MAX
        );
        assert_eq!(
            serde_json::from_str::<I32>(r#"{"a":-2147483648}"#)
                .unwrap()
                .a,
            i32::MIN
        );
        assert_eq!(
            serde_json::from_str::<U32>(r#"{"a":"4294967295"}"#)
                .unwrap()
                .a,
            u32::MAX
        );
        assert_eq!(
            serde_json::from_str::<U64>(r#"{"a":18446744073709551615}"#)
                .unwrap()
                .a,
            u64::MAX
        );
        assert_eq!(
            serde_json::from_str::<U64>(r#"{"a":"1.8446744073709551615e19"}"#)
                .unwrap()
                .a,
            u64::MAX
        );
        assert_eq!(
            serde_json::from_str::<I64>(r#"{"a":9223372036854775807.0}"#)
                .unwrap()
                .a,
            i64::MAX
        );
    }

    #[test]
    fn int_reads_from_other_deserializers() {
        // serde_json::Value hands out u64/i64/f64 through visit_*.
        let v = json!({"a": 28361.0});
        assert_eq!(serde_json::from_value::<I64>(v).unwrap().a, 28361);
        let v = json!({"a": "42"});
        assert_eq!(serde_json::from_value::<U32>(v).unwrap().a, 42);
        let v = json!({"a": -3});
        assert_eq!(serde_json::from_value::<I32>(v).unwrap().a, -3);
        let d = F64Deserializer::<de::value::Error>::new(7.0);
        assert_eq!(
            <LenientNumber as DeserializeAs<i32>>::deserialize_as(d).unwrap(),
            7
        );
        let d = I128Deserializer::<de::value::Error>::new(1 << 40);
        assert_eq!(
            <LenientNumber as DeserializeAs<i64>>::deserialize_as(d).unwrap(),
            1 << 40
        );
        let d = U128Deserializer::<de::value::Error>::new(u128::MAX);
        let e = <LenientNumber as DeserializeAs<u64>>::deserialize_as(d).unwrap_err();
        assert!(e.to_string().contains(&u128::MAX.to_string()), "{e}");
    }

    #[test]
    fn int_errors_name_the_value() {
        assert_eq!(
            err::<I64>(r#"{"a":"12a"}"#),
            "invalid value: string \"12a\", expected an integer (a JSON number, an integral \
             float such as 28361.0, or a numeric string) at line 1 column 10"
        );
        let e = err::<I64>(r#"{"a":1.5}"#);
        assert!(
            e.starts_with("invalid value: number `1.5`, expected an integer"),
            "{e}"
        );
        let e = err::<I64>(r#"{"a":"1.5"}"#);
        assert!(
            e.starts_with("invalid value: string \"1.5\", expected an integer"),
            "{e}"
        );
        let e = serde_json::from_value::<I64>(json!({"a": 1.5}))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid value: floating point `1.5`, expected an integer"),
            "{e}"
        );
        let e = err::<I32>(r#"{"a":3000000000}"#);
        assert!(
            e.starts_with(
                "invalid value: integer `3000000000`, expected an integer in the range of i32"
            ),
            "{e}"
        );
        let e = err::<I32>(r#"{"a":"3000000000"}"#);
        assert!(
            e.contains("string \"3000000000\", expected an integer in the range of i32"),
            "{e}"
        );
        let e = err::<U32>(r#"{"a":-1}"#);
        assert!(
            e.contains("integer `-1`, expected an integer in the range of u32"),
            "{e}"
        );
        let e = err::<U64>(r#"{"a":18446744073709551616}"#);
        assert!(
            e.contains("number `18446744073709551616`, expected an integer in the range of u64"),
            "{e}"
        );
        let e = err::<I64>(r#"{"a":"1e40"}"#);
        assert!(
            e.contains("string \"1e40\", expected an integer in the range of i64"),
            "{e}"
        );
        let e = err::<I64>(r#"{"a":""}"#);
        assert!(
            e.starts_with("invalid value: string \"\", expected an integer"),
            "{e}"
        );
        let e = err::<I64>(r#"{"a":true}"#);
        assert!(
            e.starts_with("invalid type: boolean `true`, expected an integer"),
            "{e}"
        );
        let e = err::<I64>(r#"{"a":null}"#);
        assert!(
            e.starts_with("invalid type: null, expected an integer"),
            "{e}"
        );
        let e = err::<I64>(r#"{"a":{"b":1}}"#);
        assert!(
            e.starts_with("invalid type: map, expected an integer"),
            "{e}"
        );
        for bad in [
            "1_000", "1e", "e5", ".", "-", "+-1", "1.2.3", "1e+", "0x10", "١٢",
        ] {
            let input = format!(r#"{{"a":"{bad}"}}"#);
            let e = err::<I64>(&input);
            assert!(e.contains(&format!("string \"{bad}\"")), "{bad}: {e}");
        }
    }

    #[test]
    fn int_text_parser() {
        assert_eq!(parse_int_text("0"), Ok(0));
        assert_eq!(parse_int_text("-0"), Ok(0));
        assert_eq!(parse_int_text("007"), Ok(7));
        assert_eq!(parse_int_text("1."), Ok(1));
        assert_eq!(parse_int_text("0.000"), Ok(0));
        assert_eq!(parse_int_text("12.30e1"), Ok(123));
        assert_eq!(parse_int_text("12.34e1"), Err(IntTextError::Fraction));
        assert_eq!(parse_int_text("0.5"), Err(IntTextError::Fraction));
        assert_eq!(parse_int_text("5e-1"), Err(IntTextError::Fraction));
        assert_eq!(parse_int_text("50e-1"), Ok(5));
        assert_eq!(parse_int_text("1e38"), Ok(10_i128.pow(38)));
        assert_eq!(parse_int_text("1e39"), Err(IntTextError::Range));
        assert_eq!(
            parse_int_text("1e99999999999999999999"),
            Err(IntTextError::Range)
        );
        assert_eq!(
            parse_int_text("1e-99999999999999999999"),
            Err(IntTextError::Fraction)
        );
        assert_eq!(parse_int_text(&"9".repeat(60)), Err(IntTextError::Range));
        assert_eq!(parse_int_text(" 1"), Err(IntTextError::Invalid));
        assert_eq!(parse_int_text(""), Err(IntTextError::Invalid));
    }

    #[test]
    fn plain_int_fast_path_agrees_with_the_general_parser() {
        let texts = [
            "0",
            "-0",
            "7",
            "007",
            "28361.0",
            "28361.00",
            "-5.0",
            "1.",
            "1.5",
            "1.0e2",
            "-",
            "",
            ".0",
            "1..0",
            "1.0-",
            "+1",
            "999999999999999999",
            "9999999999999999999",
            "-999999999999999999.000",
        ];
        for text in texts {
            if let Some(fast) = parse_plain_int(text.as_bytes()) {
                assert_eq!(Ok(fast), parse_int_general(text), "{text}");
            }
        }
        assert_eq!(parse_plain_int(b"28361.0"), Some(28361));
        assert_eq!(parse_plain_int(b"1.5"), None);
        assert_eq!(parse_plain_int(b"9999999999999999999"), None);
    }

    #[test]
    fn fast_trim_is_trim() {
        for text in [
            "", " ", "a", " a", "a ", "\u{a0}a", "a\u{a0}", "ა", " ა ", "\t1\n", "x y",
        ] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn int_writes() {
        assert_eq!(
            serde_json::to_string(&I32 { a: -12 }).unwrap(),
            r#"{"a":-12}"#
        );
        assert_eq!(
            serde_json::to_string(&U64 { a: u64::MAX }).unwrap(),
            r#"{"a":18446744073709551615}"#
        );
        assert_eq!(
            serde_json::to_string(&StrI64 { a: 74032 }).unwrap(),
            r#"{"a":"74032"}"#
        );
        assert_eq!(
            serde_json::to_string(&StrI64 { a: i64::MIN }).unwrap(),
            r#"{"a":"-9223372036854775808"}"#
        );
        assert_eq!(
            serde_json::from_str::<StrI64>(r#"{"a":"74032"}"#)
                .unwrap()
                .a,
            74032
        );
        assert_eq!(
            serde_json::from_str::<StrI64>(r#"{"a":74032.0}"#)
                .unwrap()
                .a,
            74032
        );
    }

    #[test]
    fn decimal_reads_exactly() {
        for (input, want) in [
            (r#"{"a":572.03}"#, "572.03"),
            (r#"{"a":"572.03"}"#, "572.03"),
            (r#"{"a":" 572.03 "}"#, "572.03"),
            (r#"{"a":0.30000000000000004}"#, "0.30000000000000004"),
            (r#"{"a":"0.30000000000000004"}"#, "0.30000000000000004"),
            (r#"{"a":0.1}"#, "0.1"),
            (r#"{"a":1e3}"#, "1000"),
            (r#"{"a":"1e3"}"#, "1000"),
            (r#"{"a":2.5E-2}"#, "0.025"),
            (r#"{"a":-12}"#, "-12"),
            (r#"{"a":18446744073709551615}"#, "18446744073709551615"),
            (
                r#"{"a":79228162514264337593543950335}"#,
                "79228162514264337593543950335",
            ),
            (r#"{"a":"1.10"}"#, "1.10"),
            (r#"{"a":123456789012345678.12}"#, "123456789012345678.12"),
        ] {
            let got = serde_json::from_str::<Dec>(input).unwrap().a;
            assert_eq!(got, dec(want), "{input}");
            assert_eq!(got.to_string(), want, "{input}");
        }
        // serde_json::Value and f64-based deserializers go through the
        // shortest round-trip text of the float.
        assert_eq!(
            serde_json::from_value::<Dec>(json!({"a": 572.03}))
                .unwrap()
                .a
                .to_string(),
            "572.03"
        );
        let d = F64Deserializer::<de::value::Error>::new(0.1 + 0.2);
        let got = <LenientNumber as DeserializeAs<Decimal>>::deserialize_as(d).unwrap();
        assert_eq!(got.to_string(), "0.30000000000000004");
        let d = F64Deserializer::<de::value::Error>::new(5.06e-6);
        let got = <LenientNumber as DeserializeAs<Decimal>>::deserialize_as(d).unwrap();
        assert_eq!(got.to_string(), "0.00000506");
        let d = I128Deserializer::<de::value::Error>::new(-(1 << 90));
        let got = <LenientNumber as DeserializeAs<Decimal>>::deserialize_as(d).unwrap();
        assert_eq!(got, Decimal::from_i128_with_scale(-(1 << 90), 0));
    }

    #[test]
    fn decimal_errors_name_the_value() {
        let e = err::<Dec>(r#"{"a":"12,5"}"#);
        assert!(
            e.starts_with("invalid value: string \"12,5\", expected a decimal number"),
            "{e}"
        );
        let e = err::<Dec>(r#"{"a":"1_000"}"#);
        assert!(e.contains("string \"1_000\""), "{e}");
        let e = err::<Dec>(r#"{"a":""}"#);
        assert!(e.contains("string \"\", expected a decimal number"), "{e}");
        let e = err::<Dec>(r#"{"a":1e40}"#);
        // serde_json hands over the number text normalised (`1e+40`).
        assert!(e.starts_with("invalid value: number `1e"), "{e}");
        assert!(e.contains("40`, expected a decimal number"), "{e}");
        let e = err::<Dec>(r#"{"a":79228162514264337593543950336}"#);
        assert!(e.contains("79228162514264337593543950336"), "{e}");
        let e = err::<Dec>(r#"{"a":[1]}"#);
        assert!(
            e.starts_with("invalid type: sequence, expected a decimal number"),
            "{e}"
        );
        let d = F64Deserializer::<de::value::Error>::new(f64::NAN);
        assert!(<LenientNumber as DeserializeAs<Decimal>>::deserialize_as(d).is_err());
        let d = F64Deserializer::<de::value::Error>::new(1e300);
        let e = <LenientNumber as DeserializeAs<Decimal>>::deserialize_as(d).unwrap_err();
        assert!(
            e.to_string().starts_with("invalid value: floating point"),
            "{e}"
        );
    }

    #[test]
    fn decimal_writes() {
        let s = |v: &str| serde_json::to_string(&Dec { a: dec(v) }).unwrap();
        assert_eq!(s("572.03"), r#"{"a":572.03}"#);
        assert_eq!(s("0.30000000000000004"), r#"{"a":0.30000000000000004}"#);
        assert_eq!(s("1.10"), r#"{"a":1.10}"#);
        assert_eq!(s("-12"), r#"{"a":-12}"#);
        assert_eq!(
            s("79228162514264337593543950335"),
            r#"{"a":79228162514264337593543950335}"#
        );
        assert_eq!(
            serde_json::to_value(Dec { a: dec("572.03") })
                .unwrap()
                .to_string(),
            r#"{"a":572.03}"#
        );
        let sd = |v: &str| serde_json::to_string(&StrDec { a: dec(v) }).unwrap();
        assert_eq!(sd("572.03"), r#"{"a":"572.03"}"#);
        assert_eq!(sd("-0.5"), r#"{"a":"-0.5"}"#);
        assert_eq!(
            serde_json::from_str::<StrDec>(r#"{"a":572.03}"#).unwrap().a,
            dec("572.03")
        );
        // Round trip keeps every digit.
        let v = Dec {
            a: dec("123456789012345678.123456789"),
        };
        let back: Dec = serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
        assert_eq!(back.a.to_string(), "123456789012345678.123456789");
    }

    #[test]
    fn bools_read_leniently() {
        for (input, want) in [
            ("true", true),
            ("false", false),
            ("1", true),
            ("0", false),
            ("1.0", true),
            (r#""true""#, true),
            (r#""FALSE""#, false),
            (r#"" True ""#, true),
            (r#""1""#, true),
            (r#""0""#, false),
            (r#"" 0 ""#, false),
        ] {
            let doc = format!(r#"{{"a":{input}}}"#);
            assert_eq!(
                serde_json::from_str::<BStr>(&doc).unwrap().a,
                want,
                "{input}"
            );
            assert_eq!(
                serde_json::from_str::<BInt>(&doc).unwrap().a,
                want,
                "{input}"
            );
        }
        assert!(serde_json::from_value::<BInt>(json!({"a": 1.0})).unwrap().a);
        for (input, shown) in [
            ("2", "integer `2`"),
            ("-1", "integer `-1`"),
            (r#""yes""#, "string \"yes\""),
            (r#""""#, "string \"\""),
            ("0.5", "number `0.5`"),
            ("null", "null"),
        ] {
            let doc = format!(r#"{{"a":{input}}}"#);
            let e = err::<BStr>(&doc);
            assert!(
                e.contains(shown) && e.contains("expected a boolean"),
                "{input}: {e}"
            );
        }
    }

    #[test]
    fn bools_write() {
        assert_eq!(
            serde_json::to_string(&BStr { a: true }).unwrap(),
            r#"{"a":"true"}"#
        );
        assert_eq!(
            serde_json::to_string(&BStr { a: false }).unwrap(),
            r#"{"a":"false"}"#
        );
        assert_eq!(
            serde_json::to_string(&BInt { a: true }).unwrap(),
            r#"{"a":1}"#
        );
        assert_eq!(
            serde_json::to_string(&BInt { a: false }).unwrap(),
            r#"{"a":0}"#
        );
    }

    #[test]
    fn dates() {
        let want = date(2019, 5, 24);
        for input in [
            "24-05-2019",
            " 24-05-2019 ",
            "24-05-2019 00:00:00",
            "24-05-2019 13:45",
            "2019-05-24",
            "2019-05-24T10:00:00",
        ] {
            let doc = format!(r#"{{"a":"{input}"}}"#);
            assert_eq!(
                serde_json::from_str::<Day>(&doc).unwrap().a,
                want,
                "{input}"
            );
        }
        assert_eq!(
            serde_json::to_string(&Day { a: want }).unwrap(),
            r#"{"a":"24-05-2019"}"#
        );
        let e = err::<Day>(r#"{"a":"32-05-2019"}"#);
        assert!(
            e.starts_with(
                "invalid value: string \"32-05-2019\", expected a date formatted as \"%d-%m-%Y\""
            ),
            "{e}"
        );
        let e = err::<Day>(r#"{"a":"24-05-2019 garbage"}"#);
        assert!(e.contains("string \"24-05-2019 garbage\""), "{e}");
        let e = err::<Day>(r#"{"a":20190524}"#);
        assert!(
            e.starts_with("invalid type: integer `20190524`, expected a date"),
            "{e}"
        );
    }

    #[test]
    fn date_times() {
        let want = date(2019, 5, 24).and_hms_opt(13, 45, 7).unwrap();
        for input in [
            "24-05-2019 13:45:07",
            " 24-05-2019 13:45:07 ",
            "2019-05-24T13:45:07",
            "2019-05-24 13:45:07",
        ] {
            let doc = format!(r#"{{"a":"{input}"}}"#);
            assert_eq!(
                serde_json::from_str::<Stamp>(&doc).unwrap().a,
                want,
                "{input}"
            );
        }
        let frac: Stamp = serde_json::from_str(r#"{"a":"2019-05-24T13:45:07.250"}"#).unwrap();
        assert_eq!(
            frac.a,
            date(2019, 5, 24).and_hms_milli_opt(13, 45, 7, 250).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&Stamp { a: want }).unwrap(),
            r#"{"a":"24-05-2019 13:45:07"}"#
        );
        let e = err::<Stamp>(r#"{"a":"24-05-2019"}"#);
        assert!(
            e.starts_with(
                "invalid value: string \"24-05-2019\", expected a date-time formatted as \
                 \"%d-%m-%Y %H:%M:%S\""
            ),
            "{e}"
        );
    }

    /// The layout of NtosService's dates (`YYYY-MM-DDTHH:MM:SS`).
    struct IsoFmt;
    impl DateFormat for IsoFmt {
        const FORMAT: &'static str = "%Y-%m-%dT%H:%M:%S";
    }

    #[serde_with::serde_as]
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct IsoStamp {
        #[serde_as(as = "DateTimeAs<IsoFmt>")]
        a: NaiveDateTime,
    }

    #[test]
    fn date_times_with_zone_offsets_keep_the_local_time() {
        let midnight = date(2019, 1, 15).and_hms_opt(0, 0, 0).unwrap();
        let read = |text: &str| {
            serde_json::from_str::<IsoStamp>(&format!(r#"{{"a":"{text}"}}"#))
                .map(|s| s.a)
                .map_err(|e| e.to_string())
        };
        for text in [
            "2019-01-15T00:00:00+04:00",
            "2019-01-15T00:00:00-03:30",
            "2019-01-15T00:00:00Z",
            "2019-01-15T00:00:00+0400",
            "2019-01-15T00:00:00+14:00",
            "2019-01-15T00:00:00-00:00",
            " 2019-01-15T00:00:00+04:00 ",
            "2019-01-15 00:00:00+04:00",
        ] {
            // The wall-clock time as written; the offset is dropped.
            assert_eq!(read(text), Ok(midnight), "{text}");
        }
        let frac = date(2019, 1, 15)
            .and_hms_nano_opt(13, 5, 9, 123_456_700)
            .unwrap();
        assert_eq!(read("2019-01-15T13:05:09.1234567+04:00"), Ok(frac));
        assert_eq!(read("2019-01-15T13:05:09.1234567Z"), Ok(frac));
        // Other layouts take a zone too.
        let stamp: Stamp = serde_json::from_str(r#"{"a":"24-05-2019 13:45:07+04:00"}"#).unwrap();
        assert_eq!(stamp.a, date(2019, 5, 24).and_hms_opt(13, 45, 7).unwrap());
        // Written without one.
        assert_eq!(
            serde_json::to_string(&IsoStamp { a: midnight }).unwrap(),
            r#"{"a":"2019-01-15T00:00:00"}"#
        );
    }

    #[test]
    fn garbage_zone_offsets_are_named() {
        for (text, zone) in [
            ("2019-01-15T00:00:00+25:00", "+25:00"),
            ("2019-01-15T00:00:00+14:30", "+14:30"),
            ("2019-01-15T00:00:00+04:60", "+04:60"),
            ("2019-01-15T00:00:00+04:0x", "+04:0x"),
            ("2019-01-15T00:00:00+4:00", "+4:00"),
            ("2019-01-15T00:00:00+04", "+04"),
            ("2019-01-15T00:00:00-", "-"),
            ("2019-01-15T00:00:00+04:00:00", "+04:00:00"),
        ] {
            let e = err::<IsoStamp>(&format!(r#"{{"a":"{text}"}}"#));
            assert!(
                e.starts_with(&format!("invalid value: string \"{text}\"")),
                "{text}: {e}"
            );
            assert!(
                e.contains(&format!(
                    "zone offset is Z or ±hh:mm up to ±14:00 (`{zone}` is not one)"
                )),
                "{text}: {e}"
            );
        }
        // Not a date-time at all: the ordinary message.
        for text in [
            "2019-01-15+04:00",
            "2019-13-15T00:00:00+04:00",
            "Z",
            "+04:00",
            "2019-01-15T00:00:00ZZ",
        ] {
            let e = err::<IsoStamp>(&format!(r#"{{"a":"{text}"}}"#));
            assert!(
                e.contains("expected a date-time formatted as \"%Y-%m-%dT%H:%M:%S\""),
                "{text}: {e}"
            );
        }
    }

    #[test]
    fn zone_designators() {
        assert_eq!(
            split_zone("2019-01-15T00:00:00+04:00"),
            Some(("2019-01-15T00:00:00", "+04:00"))
        );
        assert_eq!(
            split_zone("2019-01-15T00:00:00Z"),
            Some(("2019-01-15T00:00:00", "Z"))
        );
        // The dashes of a date before any time are not a zone.
        assert_eq!(split_zone("24-05-2019"), None);
        assert_eq!(split_zone("2019-01-15T00:00:00"), None);
        assert_eq!(
            read_date_time("2019-01-15T00:00:00+99:00", "%Y-%m-%dT%H:%M:%S"),
            Err(DateTimeError::Zone("+99:00"))
        );
        assert!(zone_is_valid("-14:00") && !zone_is_valid("-14:01"));
    }

    #[test]
    fn invalid_date_format_is_an_error_not_a_panic() {
        let e = serde_json::to_string(&Bad {
            a: date(2019, 1, 1),
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("\"%Q\""), "{e}");
    }

    #[test]
    fn date_ranges() {
        let year = DateRange::new(date(2019, 1, 1), date(2019, 12, 31));
        let p: Period = serde_json::from_str(r#"{"a":"01-01-2019:31-12-2019"}"#).unwrap();
        assert_eq!(p.a, year);
        let text = serde_json::to_string(&p).unwrap();
        assert_eq!(text, r#"{"a":"01-01-2019:31-12-2019"}"#);
        assert_eq!(serde_json::from_str::<Period>(&text).unwrap(), p);
        let one_day: Period = serde_json::from_str(r#"{"a":" 05-05-2019 : 05-05-2019 "}"#).unwrap();
        assert_eq!(
            one_day.a,
            DateRange::new(date(2019, 5, 5), date(2019, 5, 5))
        );

        let e = err::<Period>(r#"{"a":"31-12-2019:01-01-2019"}"#);
        assert!(
            e.starts_with(
                "invalid value: string \"31-12-2019:01-01-2019\", expected a date range whose \
                 end is not before its start"
            ),
            "{e}"
        );
        let e = err::<Period>(r#"{"a":"01-01-2019"}"#);
        assert!(
            e.starts_with(
                "invalid value: string \"01-01-2019\", expected a date range formatted as \
                 \"%d-%m-%Y:%d-%m-%Y\""
            ),
            "{e}"
        );

        // The separator also occurs inside the layout.
        let c: ColonPeriod =
            serde_json::from_str(r#"{"a":"2019-01-01 08:30:2019-01-02 17:00"}"#).unwrap();
        assert_eq!(c.a, DateRange::new(date(2019, 1, 1), date(2019, 1, 2)));
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"a":"2019-01-01 00:00:2019-01-02 00:00"}"#
        );

        let s: SlashPeriod = serde_json::from_str(r#"{"a":"01.01.2019 / 31.12.2019"}"#).unwrap();
        assert_eq!(s.a, year);
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"a":"01.01.2019 / 31.12.2019"}"#
        );
    }

    #[test]
    fn generator_example_round_trips() {
        let x: X = serde_json::from_str(
            r#"{"id":"74032","amount":572.03,"d":"24-05-2019 13:45:07","s":"hello"}"#,
        )
        .unwrap();
        let want = X {
            id: 74032,
            amount: Some(dec("572.03")),
            d: Some(date(2019, 5, 24).and_hms_opt(13, 45, 7).unwrap()),
            s: Some("hello".to_owned()),
        };
        assert_eq!(x, want);
        assert_eq!(
            serde_json::to_string(&x).unwrap(),
            r#"{"id":74032,"amount":572.03,"d":"24-05-2019 13:45:07","s":"hello"}"#
        );

        let empty: X = serde_json::from_str(r#"{"id":1,"amount":null,"d":"","s":"  "}"#).unwrap();
        assert_eq!(
            empty,
            X {
                id: 1,
                amount: None,
                d: None,
                s: None
            }
        );
        assert_eq!(serde_json::to_string(&empty).unwrap(), r#"{"id":1}"#);
        let missing: X = serde_json::from_str(r#"{"id":1}"#).unwrap();
        assert_eq!(missing, empty);
        let null: X = serde_json::from_str(r#"{"id":1,"d":null,"s":null}"#).unwrap();
        assert_eq!(null, empty);
        // Non-blank strings are kept verbatim, escapes included.
        let kept: X = serde_json::from_str(r#"{"id":1,"s":" a\"b "}"#).unwrap();
        assert_eq!(kept.s.as_deref(), Some(" a\"b "));
    }

    #[test]
    fn empty_as_none_delegates() {
        let e: Empties = serde_json::from_str(
            r#"{"n":"42","m":0.30000000000000004,"b":"1","r":"01-01-2019:31-12-2019","v":[1,2]}"#,
        )
        .unwrap();
        assert_eq!(e.n, Some(42));
        assert_eq!(
            e.m.map(|m| m.to_string()).as_deref(),
            Some("0.30000000000000004")
        );
        assert_eq!(e.b, Some(true));
        assert_eq!(
            e.r,
            Some(DateRange::new(date(2019, 1, 1), date(2019, 12, 31)))
        );
        assert_eq!(e.v, Some(vec![1, 2]));
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"n":42,"m":0.30000000000000004,"b":1,"r":"01-01-2019:31-12-2019","v":[1,2]}"#
        );

        let n: Empties =
            serde_json::from_str(r#"{"n":28361.0,"m":"572.03","b":true,"r":" "}"#).unwrap();
        assert_eq!(
            (n.n, n.m, n.b, n.r, n.v),
            (Some(28361), Some(dec("572.03")), Some(true), None, None)
        );

        let none: Empties =
            serde_json::from_str(r#"{"n":"","m":"","b":"","r":null,"v":null}"#).unwrap();
        assert_eq!(
            (none.n, none.m, none.b, none.r, &none.v),
            (None, None, None, None, &None)
        );
        assert_eq!(
            serde_json::to_string(&none).unwrap(),
            r#"{"n":null,"m":null,"b":null,"r":null,"v":null}"#
        );

        // serde_json::Value takes the owned/visit_* paths.
        let v: Empties =
            serde_json::from_value(json!({"n": 7, "m": 1.5, "b": 0, "r": ""})).unwrap();
        assert_eq!(
            (v.n, v.m, v.b, v.r),
            (Some(7), Some(dec("1.5")), Some(false), None)
        );

        let e = err::<Empties>(r#"{"n":"12a"}"#);
        assert!(
            e.starts_with("invalid value: string \"12a\", expected an integer"),
            "{e}"
        );
        let e = err::<Empties>(r#"{"n":1.5}"#);
        assert!(
            e.starts_with("invalid value: number `1.5`, expected an integer"),
            "{e}"
        );
        let e = err::<Empties>(r#"{"r":"31-12-2019:01-01-2019"}"#);
        assert!(e.contains("end is not before its start"), "{e}");
    }

    #[test]
    fn text_buf_spills_to_heap() {
        let long = "x".repeat(100);
        let buf = text(format_args!("{long}-{}", 7));
        assert_eq!(buf.as_str(), format!("{long}-7"));
        let short = text(format_args!("{}", -12_i64));
        assert_eq!(short.as_str(), "-12");
    }

    #[test]
    fn fixed_layouts_parse_like_chrono() {
        for (text, format) in [
            ("24-05-2019 13:10:38", "%d-%m-%Y %H:%M:%S"),
            ("2019-05-24T13:10:38", "%Y-%m-%dT%H:%M:%S"),
            ("31-12-1999 23:59:59", "%d-%m-%Y %H:%M:%S"),
        ] {
            assert_eq!(
                parse_date_time(text, format),
                NaiveDateTime::parse_from_str(text, format).ok(),
                "{text}"
            );
        }
        assert_eq!(
            parse_date("29-02-2020", "%d-%m-%Y"),
            NaiveDate::from_ymd_opt(2020, 2, 29)
        );
        // Invalid calendar dates and stray text are rejected on both paths.
        assert_eq!(parse_date("30-02-2019", "%d-%m-%Y"), None);
        assert_eq!(
            parse_date_time("24-05-2019 25:10:38", "%d-%m-%Y %H:%M:%S"),
            None
        );
        assert_eq!(
            parse_date_time("24-05-2019 13:10:38x", "%d-%m-%Y %H:%M:%S"),
            None
        );
    }

    #[test]
    fn lenient_string_keeps_number_text() {
        #[serde_with::serde_as]
        #[derive(serde::Deserialize, serde::Serialize)]
        struct P {
            #[serde_as(as = "LenientString")]
            p: String,
        }
        for (input, text) in [
            (r#"{"p":123456}"#, "123456"),
            (r#"{"p":"0042"}"#, "0042"),
            (r#"{"p":1.50}"#, "1.50"),
        ] {
            let p: P = serde_json::from_str(input).unwrap();
            assert_eq!(p.p, text);
        }
        let p: P = serde_json::from_str(r#"{"p":7542}"#).unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"p":"7542"}"#);
        assert!(serde_json::from_str::<P>(r#"{"p":true}"#).is_err());
    }

    #[test]
    fn year_month_reads_strings_and_integers() {
        struct Ym;
        impl DateFormat for Ym {
            const FORMAT: &'static str = "%Y%m";
        }
        #[serde_with::serde_as]
        #[derive(Debug, serde::Deserialize, serde::Serialize)]
        struct P {
            #[serde_as(as = "YearMonthAs<Ym>")]
            p: YearMonth,
        }
        for input in [r#"{"p":"201901"}"#, r#"{"p":201901}"#] {
            let p: P = serde_json::from_str(input).unwrap();
            assert_eq!(p.p, YearMonth::new(2019, 1).unwrap());
            assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"p":"201901"}"#);
        }
        let err = serde_json::from_str::<P>(r#"{"p":"201913"}"#).unwrap_err();
        assert!(err.to_string().contains("201913"), "{err}");
        assert_eq!(YearMonth::new(2019, 0), None);
        assert_eq!(YearMonth::new(2019, 1).unwrap().to_string(), "2019-01");
    }
}

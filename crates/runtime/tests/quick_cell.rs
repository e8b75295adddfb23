//! The quick cell readers (`taxsdk_runtime::wire::QuickCell`) against the
//! adapters' general path: whenever a quick reader takes a value, it gives
//! exactly what the adapter's `Deserialize` gives for the same text (scale
//! of decimals included) and the value's exact length; for the usual shapes
//! it does take the value (otherwise it would be silently useless).

use std::fmt::Debug;

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_with::DeserializeAs;
use serde_with::de::DeserializeAsWrap;
use taxsdk_runtime::wire::{
    DateAs, DateFormat, DateTimeAs, EmptyAsNone, IntCodeEnum, LenientNumber, QuickCell,
    StringNumber,
};

struct DateTimeDmy;
impl DateFormat for DateTimeDmy {
    const FORMAT: &'static str = "%d-%m-%Y %H:%M:%S";
}
struct Dmy;
impl DateFormat for Dmy {
    const FORMAT: &'static str = "%d-%m-%Y";
}

/// An integer-coded enum that takes labels, read like the generated ones.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Payer {
    Buyer,
    Seller,
    Unknown(i64),
}

impl IntCodeEnum for Payer {
    fn from_code(code: i64) -> Self {
        match code {
            1 => Self::Buyer,
            2 => Self::Seller,
            other => Self::Unknown(other),
        }
    }

    fn from_wire_label(label: &str) -> Option<Self> {
        match label.trim() {
            "მყიდველი" | "Buyer" => Some(Self::Buyer),
            "გამყიდველი" | "Seller" => Some(Self::Seller),
            _ => None,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Payer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match taxsdk_runtime::EnumCode::deserialize(d)? {
            taxsdk_runtime::EnumCode::Int(code) => Ok(Self::from_code(code)),
            taxsdk_runtime::EnumCode::Text(text) => Self::from_wire_label(&text)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown payer {text:?}"))),
        }
    }
}

/// What the quick reader `A` makes of `value` when it stands in a row
/// before `,0]`, checked against the general path; whether it took it.
fn agrees<A, T>(value: &str) -> bool
where
    A: QuickCell<T> + for<'de> DeserializeAs<'de, T>,
    T: Debug,
{
    let row_rest = format!("{value},0]");
    let Some((quick, len)) = A::quick(&row_rest) else {
        return false;
    };
    assert_eq!(len, value.len(), "length of {value:?}");
    let general = serde_json::from_str::<DeserializeAsWrap<T, A>>(value)
        .map(DeserializeAsWrap::into_inner)
        .unwrap_or_else(|e| panic!("quick took {value:?} as {quick:?}, the general path: {e}"));
    // Debug shows a decimal's scale, which `==` ignores.
    assert_eq!(format!("{quick:?}"), format!("{general:?}"), "{value:?}");
    true
}

/// Every reader on one value.
fn all_agree(value: &str) {
    agrees::<EmptyAsNone, Option<String>>(value);
    agrees::<EmptyAsNone<LenientNumber>, Option<i64>>(value);
    agrees::<EmptyAsNone<LenientNumber>, Option<i32>>(value);
    agrees::<EmptyAsNone<LenientNumber>, Option<u32>>(value);
    agrees::<EmptyAsNone<LenientNumber>, Option<u64>>(value);
    agrees::<EmptyAsNone<LenientNumber>, Option<Decimal>>(value);
    agrees::<EmptyAsNone<StringNumber>, Option<i64>>(value);
    agrees::<EmptyAsNone<StringNumber>, Option<i32>>(value);
    agrees::<EmptyAsNone<DateTimeAs<DateTimeDmy>>, Option<NaiveDateTime>>(value);
    agrees::<EmptyAsNone<DateAs<Dmy>>, Option<NaiveDate>>(value);
    agrees::<EmptyAsNone, Option<Payer>>(value);
}

const SAMPLES: &[&str] = &[
    "null",
    "0",
    "-0",
    "0.0",
    "-0.0",
    "28361.0",
    "28361.5",
    "731937",
    "-42",
    "1e3",
    "2.5E-2",
    "100.37",
    "572.30",
    "4294967296",
    "2147483648",
    "-2147483649",
    "999999999999999999",
    "9999999999999999999",
    "18446744073709551616",
    "123456789012345678901234567890",
    "0.1234567890123456789012345678901",
    "\"\"",
    "\"   \"",
    "\"\u{a0}\"",
    "\"74032\"",
    "\" 74032 \"",
    "\"74032.0\"",
    "\"7e2\"",
    "\"-1\"",
    "\"abc\"",
    "\"()\"",
    "\"a\\\"b\"",
    "\"\\u10D0\"",
    "\"მყიდველი\"",
    "\" გამყიდველი \"",
    "\"Buyer\"",
    "\"ქართული ტექსტი\"",
    "\"13-01-2019 13:40:07\"",
    "\"31-02-2019 13:40:07\"",
    "\"13-01-2019\"",
    "\" 13-01-2019 \"",
    "\"2019-01-13T13:40:07\"",
    "\"2019-01-13T13:40:07+04:00\"",
    "\"13-01-2019 13:40:07Z\"",
    "\"13-01-2019 25:40:07\"",
    "true",
    "false",
    "[1,2]",
    "{\"a\":1}",
];

#[test]
fn quick_readers_agree_with_the_general_path() {
    for value in SAMPLES {
        all_agree(value);
    }
}

#[test]
fn usual_shapes_are_taken_quickly() {
    let taken = [
        agrees::<EmptyAsNone, Option<String>>("null"),
        agrees::<EmptyAsNone, Option<String>>("\"ქართული\""),
        agrees::<EmptyAsNone, Option<String>>("\"\""),
        agrees::<EmptyAsNone<LenientNumber>, Option<i64>>("28361.0"),
        agrees::<EmptyAsNone<LenientNumber>, Option<i64>>("-7"),
        agrees::<EmptyAsNone<LenientNumber>, Option<Decimal>>("100.37"),
        agrees::<EmptyAsNone<LenientNumber>, Option<Decimal>>("0"),
        agrees::<EmptyAsNone<StringNumber>, Option<i64>>("\"74032\""),
        agrees::<EmptyAsNone<DateTimeAs<DateTimeDmy>>, Option<NaiveDateTime>>(
            "\"13-01-2019 13:40:07\"",
        ),
        agrees::<EmptyAsNone<DateAs<Dmy>>, Option<NaiveDate>>("\"13-01-2019\""),
        agrees::<EmptyAsNone, Option<Payer>>("1.0"),
        agrees::<EmptyAsNone, Option<Payer>>("\"მყიდველი\""),
        agrees::<EmptyAsNone, Option<Payer>>("null"),
    ];
    assert!(taken.iter().all(|&t| t), "{taken:?}");
}

#[test]
fn unusual_shapes_are_left_to_the_general_path() {
    // Escapes, exponents, fractions for integers, numbers in strings for
    // enums and anything the general path rejects.
    assert!(!agrees::<EmptyAsNone, Option<String>>("\"a\\nb\""));
    assert!(!agrees::<EmptyAsNone<LenientNumber>, Option<i64>>("1e3"));
    assert!(!agrees::<EmptyAsNone<LenientNumber>, Option<i64>>("1.5"));
    assert!(!agrees::<EmptyAsNone<LenientNumber>, Option<i32>>(
        "2147483648"
    ));
    assert!(!agrees::<EmptyAsNone<LenientNumber>, Option<Decimal>>(
        "1e3"
    ));
    assert!(!agrees::<EmptyAsNone, Option<Payer>>("\"1\""));
    assert!(!agrees::<EmptyAsNone, Option<Payer>>("\"nobody\""));
    assert!(!agrees::<
        EmptyAsNone<DateTimeAs<DateTimeDmy>>,
        Option<NaiveDateTime>,
    >("\"soon\""));
    assert!(!agrees::<EmptyAsNone, Option<String>>("12"));
}

/// JSON text of a value in the shapes list cells take.
fn cell_text() -> impl Strategy<Value = String> {
    let digits = "-?(0|[1-9][0-9]{0,20})";
    prop_oneof![
        Just("null".to_string()),
        digits.prop_map(|d| d.to_string()),
        (digits, "[0-9]{1,30}").prop_map(|(i, f)| format!("{i}.{f}")),
        (digits, "[0-9]{0,3}", "[eE][+-]?[0-9]{1,3}").prop_map(|(i, f, e)| if f.is_empty() {
            format!("{i}{e}")
        } else {
            format!("{i}.{f}{e}")
        }),
        "[ 0-9.eE+-]{0,12}".prop_map(|t| format!("\"{t}\"")),
        "[0-3][0-9]-[01][0-9]-[12][0-9]{3}( [0-2][0-9]:[0-5][0-9]:[0-6][0-9])?"
            .prop_map(|t| format!("\"{t}\"")),
        any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
        prop::sample::select(vec![
            "\"მყიდველი\"",
            "\"გამყიდველი\"",
            "\" Buyer \"",
            "true"
        ])
        .prop_map(str::to_string),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn quick_readers_agree_on_arbitrary_cells(value in cell_text()) {
        all_agree(&value);
    }
}

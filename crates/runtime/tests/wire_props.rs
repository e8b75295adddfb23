//! The lenient wire codecs (`taxsdk_runtime::wire`) and table rows, on
//! arbitrary input and on generated values: no input panics, every value
//! written reads back as itself, and whatever reads is written in a form
//! that reads back and writes the same text again (as the `wire_codecs`
//! fuzz target checks).

use std::fmt::Debug;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_with::{DeserializeAs, serde_as};
use taxsdk_runtime::wire::{
    BoolInt, BoolString, DateAs, DateFormat, DateRange, DateRangeAs, DateTimeAs, EmptyAsNone,
    LenientNumber, LenientString, StringNumber, YearMonth, YearMonthAs,
};
use taxsdk_runtime::{Table, TableRow};

/// The eAPI's layouts.
struct DateTimeDmy;
impl DateFormat for DateTimeDmy {
    const FORMAT: &'static str = "%d-%m-%Y %H:%M:%S";
}
struct Dmy;
impl DateFormat for Dmy {
    const FORMAT: &'static str = "%d-%m-%Y";
}
struct Ym;
impl DateFormat for Ym {
    const FORMAT: &'static str = "%Y%m";
}
/// An ISO layout with another range separator.
struct Iso;
impl DateFormat for Iso {
    const FORMAT: &'static str = "%Y-%m-%dT%H:%M:%S";
    const RANGE_SEPARATOR: &'static str = " - ";
}

/// One codec alone: `$name` holds a `$ty` read and written with `$as`.
macro_rules! single {
    ($name:ident, $ty:ty, $as:tt) => {
        #[serde_as]
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct $name(#[serde_as(as = $as)] $ty);
    };
}

single!(I32, i32, "LenientNumber");
single!(I64, i64, "LenientNumber");
single!(U32, u32, "LenientNumber");
single!(U64, u64, "LenientNumber");
single!(Dec, Decimal, "LenientNumber");
single!(QuotedI64, i64, "StringNumber");
single!(QuotedU64, u64, "StringNumber");
single!(QuotedDec, Decimal, "StringNumber");
single!(BoolS, bool, "BoolString");
single!(BoolI, bool, "BoolInt");
single!(Date, NaiveDate, "DateAs<Dmy>");
single!(IsoDate, NaiveDate, "DateAs<Iso>");
single!(DateTime, NaiveDateTime, "DateTimeAs<DateTimeDmy>");
single!(IsoDateTime, NaiveDateTime, "DateTimeAs<Iso>");
single!(Range, DateRange, "DateRangeAs<Dmy>");
single!(IsoRange, DateRange, "DateRangeAs<Iso>");
single!(Month, YearMonth, "YearMonthAs<Ym>");
single!(EmptyDec, Option<Decimal>, "EmptyAsNone<LenientNumber>");
single!(EmptyDate, Option<NaiveDate>, "EmptyAsNone<DateAs<Dmy>>");
single!(EmptyText, Option<String>, "EmptyAsNone");
single!(Text, String, "LenientString");

/// A row of every codec, read cell by cell as generated rows are.
#[serde_as]
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct Row {
    #[serde_as(as = "Option<LenientNumber>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    #[serde_as(as = "Option<LenientNumber>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<Decimal>,
    #[serde_as(as = "Option<BoolString>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    flag: Option<bool>,
    #[serde_as(as = "Option<DateTimeAs<DateTimeDmy>>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<NaiveDateTime>,
    #[serde_as(as = "Option<DateRangeAs<Dmy>>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    period: Option<DateRange>,
    #[serde_as(as = "EmptyAsNone<LenientNumber>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    maybe: Option<Decimal>,
    #[serde_as(as = "Option<LenientString>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

impl TableRow for Row {
    const COLUMNS: &'static [&'static str] =
        &["id", "amount", "flag", "at", "period", "maybe", "text"];

    fn empty_row() -> Option<Self> {
        Some(Self::default())
    }

    fn decode_column<'de, D: Deserializer<'de>>(
        &mut self,
        column: usize,
        value: D,
    ) -> Result<(), D::Error> {
        match column {
            0 => self.id = <Option<LenientNumber>>::deserialize_as(value)?,
            1 => self.amount = <Option<LenientNumber>>::deserialize_as(value)?,
            2 => self.flag = <Option<BoolString>>::deserialize_as(value)?,
            3 => self.at = <Option<DateTimeAs<DateTimeDmy>>>::deserialize_as(value)?,
            4 => self.period = <Option<DateRangeAs<Dmy>>>::deserialize_as(value)?,
            5 => self.maybe = <EmptyAsNone<LenientNumber>>::deserialize_as(value)?,
            6 => self.text = <Option<LenientString>>::deserialize_as(value)?,
            _ => {
                serde::de::IgnoredAny::deserialize(value)?;
            }
        }
        Ok(())
    }
}

/// Reads `text` as `T`; if it reads, the written form reads back and
/// writes the same text again.
fn fixpoint<T: Serialize + DeserializeOwned + Debug>(text: &str) -> Result<(), TestCaseError> {
    let Ok(value) = serde_json::from_str::<T>(text) else {
        return Ok(());
    };
    let written = serde_json::to_string(&value)
        .map_err(|e| TestCaseError::fail(format!("{value:?} from {text:?} does not write: {e}")))?;
    let again: T = serde_json::from_str(&written).map_err(|e| {
        TestCaseError::fail(format!(
            "{written} (from {value:?}, read from {text:?}) does not read back: {e}"
        ))
    })?;
    let rewritten = serde_json::to_string(&again).expect("writes");
    prop_assert_eq!(written, rewritten, "read from {:?}", text);
    Ok(())
}

/// Every codec on `text`.
fn fixpoint_all(text: &str) -> Result<(), TestCaseError> {
    fixpoint::<I32>(text)?;
    fixpoint::<I64>(text)?;
    fixpoint::<U32>(text)?;
    fixpoint::<U64>(text)?;
    fixpoint::<Dec>(text)?;
    fixpoint::<QuotedI64>(text)?;
    fixpoint::<QuotedU64>(text)?;
    fixpoint::<QuotedDec>(text)?;
    fixpoint::<BoolS>(text)?;
    fixpoint::<BoolI>(text)?;
    fixpoint::<Date>(text)?;
    fixpoint::<IsoDate>(text)?;
    fixpoint::<DateTime>(text)?;
    fixpoint::<IsoDateTime>(text)?;
    fixpoint::<Range>(text)?;
    fixpoint::<IsoRange>(text)?;
    fixpoint::<Month>(text)?;
    fixpoint::<EmptyDec>(text)?;
    fixpoint::<EmptyDate>(text)?;
    fixpoint::<EmptyText>(text)?;
    fixpoint::<Text>(text)?;
    fixpoint::<Row>(text)?;
    // Tables write rows by field name and read them back by position.
    if let Ok(table) = serde_json::from_str::<Table<Row>>(text) {
        let _ = table.unknown_columns();
        let written = serde_json::to_string(&table).expect("a table writes");
        let again: Table<Row> = serde_json::from_str(&written).map_err(|e| {
            TestCaseError::fail(format!(
                "{written} (read from {text:?}) does not read back: {e}"
            ))
        })?;
        prop_assert_eq!(again.rows.len(), table.rows.len());
        prop_assert_eq!(written, serde_json::to_string(&again).expect("writes"));
    }
    Ok(())
}

/// Writes `value` and reads it back.
fn write_read<T: Serialize + DeserializeOwned + PartialEq + Debug>(
    value: T,
) -> Result<(), TestCaseError> {
    let written = serde_json::to_string(&value).expect("writes");
    let read: T = serde_json::from_str(&written)
        .map_err(|e| TestCaseError::fail(format!("{written} ({value:?}) does not read: {e}")))?;
    prop_assert_eq!(read, value, "written as {}", written);
    Ok(())
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (1..=9999i32, 1..=12u32, 1..=31u32).prop_map(|(y, m, d)| {
        // Clamp the day to the month's length.
        (0..4)
            .find_map(|back| NaiveDate::from_ymd_opt(y, m, d - back))
            .expect("a day 28 or less exists")
    })
}

fn date_time() -> impl Strategy<Value = NaiveDateTime> {
    (date(), 0..24u32, 0..60u32, 0..60u32)
        .prop_map(|(d, h, m, s)| d.and_time(NaiveTime::from_hms_opt(h, m, s).expect("a time")))
}

fn date_range() -> impl Strategy<Value = DateRange> {
    (date(), date()).prop_map(|(a, b)| DateRange::new(a.min(b), a.max(b)))
}

/// Any decimal `rust_decimal` holds (96-bit mantissa, scale 0 to 28).
fn decimal() -> impl Strategy<Value = Decimal> {
    (any::<[u32; 3]>(), any::<bool>(), 0..=28u32).prop_map(|([lo, mid, hi], negative, scale)| {
        Decimal::from_parts(lo, mid, hi, negative, scale)
    })
}

/// Text around the codecs' spellings: digits, signs, dots, exponents,
/// dashes, colons, spaces and a few letters.
fn codec_like_text() -> impl Strategy<Value = String> {
    "[0-9 +\\-.:eETZtrufalsTRUE]{0,24}"
}

/// JSON documents built from values near the codecs' spellings.
fn json_like() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        codec_like_text().prop_map(|s| serde_json::to_string(&s).unwrap()),
        "-?[0-9]{1,30}(\\.[0-9]{0,30})?([eE][+\\-]?[0-9]{1,4})?",
        Just("null".to_string()),
        Just("true".to_string()),
        Just("\"\"".to_string()),
        Just("\"01-02-2019:31-12-2019\"".to_string()),
        Just("\"24-05-2019 13:45:00\"".to_string()),
        Just("\"2019-05-24T13:45:00+04:00\"".to_string()),
        Just("\"201901\"".to_string()),
    ];
    leaf.prop_recursive(2, 16, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6)
                .prop_map(|v| format!("[{}]", v.join(","))),
            proptest::collection::vec(
                (
                    prop_oneof![
                        Just("id"),
                        Just("amount"),
                        Just("flag"),
                        Just("at"),
                        Just("period"),
                        Just("maybe"),
                        Just("text"),
                        Just("Fields"),
                        Just("Rows"),
                        Just("$serde_json::private::Number"),
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|fields| {
                let inner: Vec<String> =
                    fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", inner.join(","))
            }),
        ]
    })
}

/// `s` as a JSON string.
fn quoted(s: String) -> String {
    serde_json::to_string(&s).expect("a string encodes")
}

/// A cell of `column`: mostly a spelling its codec reads, sometimes not.
fn cell(column: &str) -> BoxedStrategy<String> {
    let valid = match column {
        "id" => prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            any::<i32>().prop_map(|n| format!("\"{n}\"")),
            any::<i32>().prop_map(|n| format!("{n}.0")),
        ]
        .boxed(),
        "amount" | "maybe" => prop_oneof![
            "-?[0-9]{1,12}(\\.[0-9]{1,6})?",
            "\" ?-?[0-9]{1,12}(\\.[0-9]{1,6})? ?\"",
            Just("\"\"".to_string()),
        ]
        .boxed(),
        "flag" => proptest::sample::select(vec!["true", "false", "\"True\"", "1", "0", "\"0\""])
            .prop_map(str::to_string)
            .boxed(),
        "at" => prop_oneof![
            date_time().prop_map(|d| quoted(d.format("%d-%m-%Y %H:%M:%S").to_string())),
            date_time().prop_map(|d| quoted(d.format("%Y-%m-%dT%H:%M:%S+04:00").to_string())),
        ]
        .boxed(),
        "period" => date_range()
            .prop_map(|r| {
                quoted(format!(
                    "{}:{}",
                    r.start.format("%d-%m-%Y"),
                    r.end.format("%d-%m-%Y")
                ))
            })
            .boxed(),
        "text" => prop_oneof![
            "\\PC{0,8}".prop_map(quoted),
            any::<i64>().prop_map(|n| n.to_string()),
        ]
        .boxed(),
        // A column the row does not know: any value.
        _ => codec_like_text().prop_map(quoted).boxed(),
    };
    prop_oneof![
        12 => valid,
        1 => Just("null".to_string()),
        1 => codec_like_text().prop_map(quoted),
    ]
    .boxed()
}

/// A `{Fields, Rows}` table: some of the row's columns and an unknown one,
/// in any order, and rows of cells in that order.
fn table_like() -> impl Strategy<Value = String> {
    let mut columns = Row::COLUMNS.to_vec();
    columns.push("EXTRA");
    proptest::sample::subsequence(columns, 0..=Row::COLUMNS.len() + 1)
        .prop_shuffle()
        .prop_flat_map(|fields| {
            let row: Vec<_> = fields.iter().map(|f| cell(f)).collect();
            (Just(fields), proptest::collection::vec(row, 0..4))
        })
        .prop_map(|(fields, rows)| {
            let rows: Vec<String> = rows.iter().map(|r| format!("[{}]", r.join(","))).collect();
            format!(
                "{{\"Fields\":{},\"Rows\":[{}]}}",
                serde_json::to_string(&fields).unwrap(),
                rows.join(",")
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary text, as JSON and as a JSON string: never a panic, and the
    /// fixpoint holds for whatever reads.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,40}") {
        fixpoint_all(&text)?;
        fixpoint_all(&serde_json::to_string(&text).unwrap())?;
    }

    #[test]
    fn codec_like_text_reaches_a_fixpoint(text in codec_like_text()) {
        fixpoint_all(&serde_json::to_string(&text).unwrap())?;
        fixpoint_all(&text)?;
    }

    #[test]
    fn json_documents_reach_a_fixpoint(text in json_like()) {
        fixpoint_all(&text)?;
    }

    #[test]
    fn tables_reach_a_fixpoint(text in table_like()) {
        fixpoint_all(&text)?;
    }

    #[test]
    fn integers_round_trip(a in any::<i32>(), b in any::<i64>(), c in any::<u32>(), d in any::<u64>()) {
        write_read(I32(a))?;
        write_read(I64(b))?;
        write_read(U32(c))?;
        write_read(U64(d))?;
        write_read(QuotedI64(b))?;
        write_read(QuotedU64(d))?;
        // The lenient spellings read as the same value.
        for text in [format!("\"{b}\""), format!("\" {b} \""), format!("{b}.0"), format!("\"{b}.00\"")] {
            let read: I64 = serde_json::from_str(&text)
                .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            prop_assert_eq!(read.0, b, "read from {}", text);
        }
    }

    #[test]
    fn decimals_round_trip(value in decimal()) {
        // Same value and same scale: `572.030` stays `572.030`.
        for written in [
            serde_json::to_string(&Dec(value)).unwrap(),
            serde_json::to_string(&QuotedDec(value)).unwrap(),
            serde_json::to_string(&EmptyDec(Some(value))).unwrap(),
        ] {
            let read: Dec = serde_json::from_str(&written)
                .map_err(|e| TestCaseError::fail(format!("{written}: {e}")))?;
            prop_assert_eq!(read.0, value, "written as {}", written);
            prop_assert_eq!(read.0.scale(), value.scale(), "written as {}", written);
        }
    }

    #[test]
    fn booleans_round_trip(value in any::<bool>()) {
        write_read(BoolS(value))?;
        write_read(BoolI(value))?;
    }

    #[test]
    fn dates_round_trip(d in date(), at in date_time(), range in date_range(), y in 1..=9999i32, m in 1..=12u32) {
        write_read(Date(d))?;
        write_read(IsoDate(d))?;
        write_read(EmptyDate(Some(d)))?;
        write_read(DateTime(at))?;
        write_read(IsoDateTime(at))?;
        write_read(Range(range))?;
        write_read(IsoRange(range))?;
        write_read(Month(YearMonth::new(y, m).expect("in range")))?;
    }

    #[test]
    fn optional_and_text_round_trip(text in "\\PC{0,24}", n in decimal()) {
        write_read(Text(text.clone()))?;
        // Blank text means "absent": it reads back as `None`.
        let expected = if text.trim().is_empty() { None } else { Some(text.clone()) };
        let read: EmptyText = serde_json::from_str(&serde_json::to_string(&EmptyText(Some(text))).unwrap()).unwrap();
        prop_assert_eq!(read.0, expected);
        write_read(EmptyText(None))?;
        write_read(EmptyDec(None))?;
        write_read(EmptyDec(Some(n)))?;
    }

    /// A table of generated rows, written and read back, gives the rows.
    #[test]
    fn table_rows_round_trip(
        rows in proptest::collection::vec(
            (any::<Option<i64>>(), proptest::option::of(decimal()), any::<Option<bool>>(),
             proptest::option::of(date_time()), proptest::option::of(date_range()),
             proptest::option::of("[a-z ]{0,8}")),
            0..4,
        )
    ) {
        let rows: Vec<Row> = rows
            .into_iter()
            .map(|(id, amount, flag, at, period, text)| Row { id, amount, flag, at, period, maybe: amount, text })
            .collect();
        let written = serde_json::to_string(&Table::from_rows(rows.clone())).unwrap();
        let read: Table<Row> = serde_json::from_str(&written)
            .map_err(|e| TestCaseError::fail(format!("{written}: {e}")))?;
        prop_assert_eq!(read.rows, rows, "written as {}", written);
    }
}

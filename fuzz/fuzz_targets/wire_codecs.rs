//! The lenient wire codecs (`taxsdk_runtime::wire`: numbers, booleans,
//! dates, date ranges, year-months, empty-as-none, lenient strings) and the
//! table cell decoder (`Table<T>` rows, which read each cell from its raw
//! JSON text).
//!
//! Input: JSON text. It is read as each codec alone, as an object holding
//! every codec, and as a `{Fields, Rows}` table of such rows. Properties:
//! no panic; whatever reads is written back, and the written text reads
//! back and writes the same text again; a table reads the same with and
//! without the quick cell readers (`wire::QuickCell`).
#![no_main]

use std::fmt::Debug;

use chrono::{NaiveDate, NaiveDateTime};
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_with::{DeserializeAs, serde_as};
use taxsdk_runtime::wire::{
    BoolInt, BoolString, DateAs, DateFormat, DateRange, DateRangeAs, DateTimeAs, EmptyAsNone,
    LenientNumber, LenientString, QuickCell, StringNumber, YearMonth, YearMonthAs,
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

/// One value of every codec; every field optional.
#[serde_as]
#[derive(Debug, Default, Serialize, Deserialize)]
struct Doc {
    #[serde_as(as = "Option<LenientNumber>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    i32: Option<i32>,
    #[serde_as(as = "Option<LenientNumber>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    i64: Option<i64>,
    #[serde_as(as = "Option<LenientNumber>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    u32: Option<u32>,
    #[serde_as(as = "Option<LenientNumber>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    u64: Option<u64>,
    #[serde_as(as = "Option<LenientNumber>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decimal: Option<Decimal>,
    #[serde_as(as = "Option<StringNumber>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quoted_i64: Option<i64>,
    #[serde_as(as = "Option<StringNumber>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quoted_decimal: Option<Decimal>,
    #[serde_as(as = "Option<BoolString>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bool_string: Option<bool>,
    #[serde_as(as = "Option<BoolInt>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bool_int: Option<bool>,
    #[serde_as(as = "Option<DateAs<Dmy>>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date: Option<NaiveDate>,
    #[serde_as(as = "Option<DateTimeAs<DateTimeDmy>>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date_time: Option<NaiveDateTime>,
    #[serde_as(as = "Option<DateTimeAs<Iso>>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iso_date_time: Option<NaiveDateTime>,
    #[serde_as(as = "Option<DateRangeAs<Dmy>>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    range: Option<DateRange>,
    #[serde_as(as = "Option<DateRangeAs<Iso>>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iso_range: Option<DateRange>,
    #[serde_as(as = "Option<YearMonthAs<Ym>>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    year_month: Option<YearMonth>,
    #[serde_as(as = "EmptyAsNone<LenientNumber>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    empty_number: Option<Decimal>,
    #[serde_as(as = "EmptyAsNone<DateTimeAs<DateTimeDmy>>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    empty_date_time: Option<NaiveDateTime>,
    #[serde_as(as = "EmptyAsNone")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    empty_string: Option<String>,
    #[serde_as(as = "Option<LenientString>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lenient_string: Option<String>,
    #[serde_as(as = "EmptyAsNone<LenientNumber>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    empty_i64: Option<i64>,
    #[serde_as(as = "EmptyAsNone<StringNumber>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    empty_quoted_i64: Option<i64>,
    #[serde_as(as = "EmptyAsNone<DateAs<Dmy>>")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    empty_date: Option<NaiveDate>,
}

impl TableRow for Doc {
    const COLUMNS: &'static [&'static str] = &[
        "i64",
        "decimal",
        "quoted_i64",
        "bool_string",
        "bool_int",
        "date",
        "date_time",
        "range",
        "year_month",
        "empty_number",
        "empty_date_time",
        "empty_string",
        "lenient_string",
        "empty_i64",
        "empty_quoted_i64",
        "empty_date",
    ];

    fn empty_row() -> Option<Self> {
        Some(Self::default())
    }

    // As generated rows do: each cell straight into its field.
    fn decode_column<'de, D: Deserializer<'de>>(
        &mut self,
        column: usize,
        value: D,
    ) -> Result<(), D::Error> {
        match column {
            0 => self.i64 = <Option<LenientNumber>>::deserialize_as(value)?,
            1 => self.decimal = <Option<LenientNumber>>::deserialize_as(value)?,
            2 => self.quoted_i64 = <Option<StringNumber>>::deserialize_as(value)?,
            3 => self.bool_string = <Option<BoolString>>::deserialize_as(value)?,
            4 => self.bool_int = <Option<BoolInt>>::deserialize_as(value)?,
            5 => self.date = <Option<DateAs<Dmy>>>::deserialize_as(value)?,
            6 => self.date_time = <Option<DateTimeAs<DateTimeDmy>>>::deserialize_as(value)?,
            7 => self.range = <Option<DateRangeAs<Dmy>>>::deserialize_as(value)?,
            8 => self.year_month = <Option<YearMonthAs<Ym>>>::deserialize_as(value)?,
            9 => self.empty_number = <EmptyAsNone<LenientNumber>>::deserialize_as(value)?,
            10 => {
                self.empty_date_time =
                    <EmptyAsNone<DateTimeAs<DateTimeDmy>>>::deserialize_as(value)?
            }
            11 => self.empty_string = <EmptyAsNone>::deserialize_as(value)?,
            12 => self.lenient_string = <Option<LenientString>>::deserialize_as(value)?,
            13 => self.empty_i64 = <EmptyAsNone<LenientNumber>>::deserialize_as(value)?,
            14 => self.empty_quoted_i64 = <EmptyAsNone<StringNumber>>::deserialize_as(value)?,
            15 => self.empty_date = <EmptyAsNone<DateAs<Dmy>>>::deserialize_as(value)?,
            _ => {
                serde::de::IgnoredAny::deserialize(value)?;
            }
        }
        Ok(())
    }

    // As generated rows do: the columns whose adapter has a quick reader.
    fn decode_quick(&mut self, column: usize, text: &str) -> Option<usize> {
        fn set<T>(field: &mut T, read: Option<(T, usize)>) -> Option<usize> {
            let (value, len) = read?;
            *field = value;
            Some(len)
        }
        match column {
            9 => set(&mut self.empty_number, EmptyAsNone::<LenientNumber>::quick(text)),
            10 => set(
                &mut self.empty_date_time,
                EmptyAsNone::<DateTimeAs<DateTimeDmy>>::quick(text),
            ),
            11 => set(&mut self.empty_string, EmptyAsNone::quick(text)),
            13 => set(&mut self.empty_i64, EmptyAsNone::<LenientNumber>::quick(text)),
            14 => set(&mut self.empty_quoted_i64, EmptyAsNone::<StringNumber>::quick(text)),
            15 => set(&mut self.empty_date, EmptyAsNone::<DateAs<Dmy>>::quick(text)),
            _ => None,
        }
    }
}

/// [`Doc`] read cell by cell through the general path only.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
struct GeneralOnly(Doc);

impl TableRow for GeneralOnly {
    const COLUMNS: &'static [&'static str] = Doc::COLUMNS;

    fn empty_row() -> Option<Self> {
        Some(Self::default())
    }

    fn decode_column<'de, D: Deserializer<'de>>(
        &mut self,
        column: usize,
        value: D,
    ) -> Result<(), D::Error> {
        self.0.decode_column(column, value)
    }
}

/// One codec alone: `$name` holds a `$ty` read and written with `$as`.
macro_rules! single {
    ($name:ident, $ty:ty, $as:tt) => {
        #[serde_as]
        #[derive(Debug, Serialize, Deserialize)]
        struct $name(#[serde_as(as = $as)] $ty);
    };
}

single!(I32, i32, "LenientNumber");
single!(I64, i64, "LenientNumber");
single!(U64, u64, "LenientNumber");
single!(Dec, Decimal, "LenientNumber");
single!(QuotedI64, i64, "StringNumber");
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

/// Reads `text` as `T`; if it reads, the written form reads back and
/// writes the same text again.
fn round_trip<T: Serialize + DeserializeOwned + Debug>(text: &str) {
    let Ok(value) = serde_json::from_str::<T>(text) else {
        return;
    };
    let written = serde_json::to_string(&value)
        .unwrap_or_else(|e| panic!("{value:?} read from {text:?} cannot be written: {e}"));
    let again: T = serde_json::from_str(&written).unwrap_or_else(|e| {
        panic!("{written} (written from {value:?}, read from {text:?}) does not read back: {e}")
    });
    let rewritten = serde_json::to_string(&again).expect("writes");
    assert_eq!(
        written, rewritten,
        "read from {text:?}: written form changes when read and written again"
    );
}

/// A table written back: the same fields, each row in that order; read
/// the same way with and without the quick cell readers.
fn round_trip_table(text: &str) {
    let quick = serde_json::from_str::<Table<Doc>>(text);
    let general = serde_json::from_str::<Table<GeneralOnly>>(text);
    match (&quick, &general) {
        (Ok(quick), Ok(general)) => assert_eq!(
            serde_json::to_string(quick).expect("a table writes"),
            serde_json::to_string(general).expect("a table writes"),
            "{text:?}: the quick readers and the general path disagree"
        ),
        (Err(quick), Err(general)) => assert_eq!(
            quick.to_string(),
            general.to_string(),
            "{text:?}: different errors"
        ),
        _ => panic!("{text:?}: quick readers {quick:?}, general path {general:?}"),
    }
    let Ok(table) = quick else {
        return;
    };
    let _ = table.unknown_columns();
    // Rows are written by field name; unknown columns come back null.
    let written = serde_json::to_string(&table).expect("a table writes");
    let again: Table<Doc> = serde_json::from_str(&written)
        .unwrap_or_else(|e| panic!("{written} (read from {text:?}) does not read back: {e}"));
    assert_eq!(again.rows.len(), table.rows.len());
    assert_eq!(
        written,
        serde_json::to_string(&again).expect("writes"),
        "read from {text:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    round_trip::<I32>(text);
    round_trip::<I64>(text);
    round_trip::<U64>(text);
    round_trip::<Dec>(text);
    round_trip::<QuotedI64>(text);
    round_trip::<QuotedDec>(text);
    round_trip::<BoolS>(text);
    round_trip::<BoolI>(text);
    round_trip::<Date>(text);
    round_trip::<IsoDate>(text);
    round_trip::<DateTime>(text);
    round_trip::<IsoDateTime>(text);
    round_trip::<Range>(text);
    round_trip::<IsoRange>(text);
    round_trip::<Month>(text);
    round_trip::<EmptyDec>(text);
    round_trip::<EmptyDate>(text);
    round_trip::<EmptyText>(text);
    round_trip::<Text>(text);
    round_trip::<Doc>(text);
    round_trip_table(text);
});

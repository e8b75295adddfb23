//! Decoding a 10,000-row `DataTable` reply (the invoice rows of
//! `get_seller_invoices`) into typed rows, against the floor: a bare
//! quick-xml event scan of the same bytes. The bar is 3x the scan.
//!
//! `cargo bench -p taxsdk-runtime --features soap --bench datatable_decode`
//! runs both under criterion, then times them again back to back and prints
//! the ratio.
//!
//! `-- --json [--rows N] [--runs N] [--write-body FILE] [--body FILE]` skips
//! criterion and prints one machine-readable line `taxsdk-bench {...}` of the
//! back-to-back timings (read by `cargo xtask bench`); `--write-body` also
//! writes the reply (the input of the zeep figure, so both sides parse the
//! same bytes) and `--body` decodes a file instead (the variant zeep accepts).
//! `--smoke` is `--json` with 100 rows and one run.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use criterion::{Criterion, Throughput};
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use rust_decimal::Decimal;
use serde::Deserialize;
use taxsdk_runtime::soap::{BodyReader, Column, EnvelopeWriter, SoapVersion, TableSchema};
use taxsdk_runtime::wire::{BoolInt, DateFormat, DateTimeAs, EmptyAsNone, LenientNumber};

/// Rows of the reply criterion measures.
const ROWS: usize = 10_000;

struct Iso;
impl DateFormat for Iso {
    const FORMAT: &'static str = "%Y-%m-%dT%H:%M:%S";
}

/// The invoice row, typed as a generated row struct would be.
#[serde_with::serde_as]
#[derive(Deserialize)]
#[allow(dead_code)]
struct InvoiceRow {
    #[serde_as(as = "LenientNumber")]
    #[serde(rename = "ID")]
    id: i64,
    #[serde_as(as = "EmptyAsNone")]
    #[serde(rename = "F_SERIES", default)]
    f_series: Option<String>,
    #[serde_as(as = "EmptyAsNone<LenientNumber>")]
    #[serde(rename = "F_NUMBER", default)]
    f_number: Option<i64>,
    #[serde_as(as = "EmptyAsNone<DateTimeAs<Iso>>")]
    #[serde(rename = "OPERATION_DT", default)]
    operation_dt: Option<NaiveDateTime>,
    #[serde_as(as = "EmptyAsNone<DateTimeAs<Iso>>")]
    #[serde(rename = "REG_DT", default)]
    reg_dt: Option<NaiveDateTime>,
    #[serde_as(as = "LenientNumber")]
    #[serde(rename = "SELLER_UN_ID")]
    seller_un_id: i64,
    #[serde_as(as = "LenientNumber")]
    #[serde(rename = "BUYER_UN_ID")]
    buyer_un_id: i64,
    #[serde_as(as = "LenientNumber")]
    #[serde(rename = "STATUS")]
    status: i32,
    #[serde_as(as = "EmptyAsNone")]
    #[serde(rename = "SEQ_NUM_S", default)]
    seq_num_s: Option<String>,
    #[serde_as(as = "EmptyAsNone")]
    #[serde(rename = "SEQ_NUM_B", default)]
    seq_num_b: Option<String>,
    #[serde_as(as = "EmptyAsNone<LenientNumber>")]
    #[serde(rename = "S_USER_ID", default)]
    s_user_id: Option<i64>,
    #[serde_as(as = "EmptyAsNone<LenientNumber>")]
    #[serde(rename = "B_S_USER_ID", default)]
    b_s_user_id: Option<i64>,
    #[serde_as(as = "EmptyAsNone<LenientNumber>")]
    #[serde(rename = "K_ID", default)]
    k_id: Option<i64>,
    #[serde_as(as = "EmptyAsNone<LenientNumber>")]
    #[serde(rename = "K_TYPE", default)]
    k_type: Option<i32>,
    #[serde_as(as = "EmptyAsNone<LenientNumber>")]
    #[serde(rename = "R_UN_ID", default)]
    r_un_id: Option<i64>,
    #[serde_as(as = "EmptyAsNone<BoolInt>")]
    #[serde(rename = "WAS_REF", default)]
    was_ref: Option<bool>,
    #[serde_as(as = "EmptyAsNone")]
    #[serde(rename = "SA_IDENT_NO", default)]
    sa_ident_no: Option<String>,
    #[serde_as(as = "EmptyAsNone")]
    #[serde(rename = "ORG_NAME", default)]
    org_name: Option<String>,
    #[serde_as(as = "EmptyAsNone<LenientNumber>")]
    #[serde(rename = "TANXA", default)]
    tanxa: Option<Decimal>,
    #[serde_as(as = "EmptyAsNone<LenientNumber>")]
    #[serde(rename = "VAT", default)]
    vat: Option<Decimal>,
    #[serde_as(as = "EmptyAsNone")]
    #[serde(rename = "NOTES", default)]
    notes: Option<String>,
    #[serde_as(as = "EmptyAsNone<DateTimeAs<Iso>>")]
    #[serde(rename = "AGREE_DATE", default)]
    agree_date: Option<NaiveDateTime>,
    #[serde_as(as = "EmptyAsNone<LenientNumber>")]
    #[serde(rename = "AGREE_S_USER_ID", default)]
    agree_s_user_id: Option<i64>,
    #[serde_as(as = "EmptyAsNone<LenientNumber>")]
    #[serde(rename = "DEC_STATUS", default)]
    dec_status: Option<i32>,
}

/// Columns of the `invoices` rows and their schema types.
const COLUMNS: &[(&str, &str)] = &[
    ("ID", "xs:decimal"),
    ("F_SERIES", "xs:string"),
    ("F_NUMBER", "xs:decimal"),
    ("OPERATION_DT", "xs:dateTime"),
    ("REG_DT", "xs:dateTime"),
    ("SELLER_UN_ID", "xs:decimal"),
    ("BUYER_UN_ID", "xs:decimal"),
    ("STATUS", "xs:decimal"),
    ("SEQ_NUM_S", "xs:string"),
    ("SEQ_NUM_B", "xs:string"),
    ("S_USER_ID", "xs:decimal"),
    ("B_S_USER_ID", "xs:decimal"),
    ("K_ID", "xs:decimal"),
    ("K_TYPE", "xs:decimal"),
    ("R_UN_ID", "xs:decimal"),
    ("WAS_REF", "xs:decimal"),
    ("SA_IDENT_NO", "xs:string"),
    ("ORG_NAME", "xs:string"),
    ("TANXA", "xs:decimal"),
    ("VAT", "xs:decimal"),
    ("NOTES", "xs:string"),
    ("AGREE_DATE", "xs:dateTime"),
    ("AGREE_S_USER_ID", "xs:decimal"),
    ("DEC_STATUS", "xs:decimal"),
];

const ORGS: &[&str] = &[
    "შპს თბილისის ვაჭრობა",
    "სს საქართველოს ბანკი",
    "ი/მ გიორგი ბერიძე",
    "LLC Caucasus Trade & Co",
    "შპს \"ალფა\"",
];

/// The reply of `rows` rows, written with the runtime's own table writer;
/// values come from a fixed linear congruential sequence, so every run
/// decodes the same bytes.
fn reply(rows: usize) -> Vec<u8> {
    let schema = TableSchema {
        name: Some("invoices".into()),
        columns: COLUMNS
            .iter()
            .map(|(name, ty)| Column {
                name: (*name).into(),
                xsd_type: Some((*ty).into()),
            })
            .collect(),
    };
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let mut writer = EnvelopeWriter::response(
        SoapVersion::Soap11,
        "http://tempuri.org/",
        "get_seller_invoices",
    )
    .expect("valid names");
    let mut table = writer
        .data_table("get_seller_invoicesResult", &schema)
        .expect("valid schema");
    for i in 0..rows {
        let r = next();
        let status = (r % 9) as i64 - 1;
        let sent = status >= 1;
        let day = 1 + r % 28;
        let month = 1 + (r / 28) % 12;
        let amount = format!("{}.{:02}", r % 100_000, r % 100);
        let vat = format!("{}.{:02}", (r % 100_000) * 18 / 118, (r / 7) % 100);
        let values: Vec<(&str, Option<String>)> = vec![
            ("ID", Some((226_635_210 + i).to_string())),
            ("F_SERIES", sent.then(|| "ეა".to_owned())),
            (
                "F_NUMBER",
                Some(if sent {
                    (r % 9_999_999).to_string()
                } else {
                    "-1".into()
                }),
            ),
            (
                "OPERATION_DT",
                Some(format!("2026-{month:02}-{day:02}T00:00:00")),
            ),
            (
                "REG_DT",
                Some(format!(
                    "2026-{month:02}-{day:02}T{:02}:{:02}:{:02}",
                    r % 24,
                    r % 60,
                    (r / 60) % 60
                )),
            ),
            ("SELLER_UN_ID", Some("731937".into())),
            ("BUYER_UN_ID", Some((1_000_000 + r % 500_000).to_string())),
            ("STATUS", Some(status.to_string())),
            (
                "SEQ_NUM_S",
                Some(if r % 3 == 0 {
                    String::new()
                } else {
                    format!("{}", 9_000_000 + r % 100_000)
                }),
            ),
            ("SEQ_NUM_B", Some(String::new())),
            ("S_USER_ID", Some("783".into())),
            ("B_S_USER_ID", Some("0".into())),
            ("K_ID", Some("-1".into())),
            ("K_TYPE", Some("-1".into())),
            ("R_UN_ID", Some("0".into())),
            ("WAS_REF", Some((r % 2).to_string())),
            (
                "SA_IDENT_NO",
                Some(format!("{:09}", 200_000_000 + r % 99_999_999)),
            ),
            (
                "ORG_NAME",
                Some(ORGS[(r % ORGS.len() as u64) as usize].to_owned()),
            ),
            ("TANXA", Some(amount)),
            ("VAT", Some(vat)),
            (
                "NOTES",
                (r % 4 == 0).then(|| "მიწოდება & მომსახურება".to_owned()),
            ),
            (
                "AGREE_DATE",
                (status == 2).then(|| format!("2026-{month:02}-{day:02}T12:00:00")),
            ),
            ("AGREE_S_USER_ID", (status == 2).then(|| "912".to_owned())),
            ("DEC_STATUS", Some((r % 3).to_string())),
        ];
        table
            .row(values.iter().map(|(name, value)| (*name, value.as_deref())))
            .expect("valid row");
    }
    table.finish().expect("in memory");
    writer.finish().expect("in memory")
}

/// The floor: every quick-xml event of the body, nothing decoded.
fn scan(body: &[u8]) -> usize {
    let mut reader = Reader::from_reader(body);
    let mut events = 0_usize;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return events,
            Ok(event) => {
                black_box(&event);
                events += 1;
            }
            Err(e) => panic!("the benchmark body is malformed: {e}"),
        }
    }
}

/// The decoder: every row into an [`InvoiceRow`].
fn decode(body: &[u8]) -> usize {
    let mut reader = BodyReader::reply(body, "get_seller_invoices").expect("a reply");
    let table = reader.table::<InvoiceRow>().expect("rows decode");
    black_box(&table);
    table.len()
}

/// [`decode`] for input from outside: an error instead of a panic.
fn try_decode(body: &[u8]) -> Result<usize, String> {
    let mut reader = BodyReader::reply(body, "get_seller_invoices").map_err(|e| e.to_string())?;
    let table = reader.table::<InvoiceRow>().map_err(|e| e.to_string())?;
    Ok(table.len())
}

/// The decoder in its streaming form: rows handed over one at a time.
fn stream(body: &[u8]) -> usize {
    let mut reader = BodyReader::reply(body, "get_seller_invoices").expect("a reply");
    let mut rows = 0_usize;
    reader
        .for_each_row(|row: InvoiceRow| {
            black_box(&row);
            rows += 1;
        })
        .expect("rows decode");
    rows
}

fn benches(c: &mut Criterion, body: &[u8]) {
    let mut group = c.benchmark_group("datatable_10k_rows");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.sample_size(20);
    group.bench_function("bare_quick_xml_scan", |b| b.iter(|| scan(black_box(body))));
    group.bench_function("typed_rows", |b| b.iter(|| decode(black_box(body))));
    group.bench_function("typed_rows_streamed", |b| {
        b.iter(|| stream(black_box(body)))
    });
    group.finish();
}

/// Median, fastest and slowest of `runs` timings of `f`, in milliseconds.
fn timings(runs: usize, body: &[u8], f: fn(&[u8]) -> usize) -> [f64; 3] {
    let mut times: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            black_box(f(black_box(body)));
            start.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    [
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
    ]
}

/// `--json` / `--smoke`: back-to-back timings as one `taxsdk-bench` line.
fn json_mode(args: &[String]) -> Result<(), String> {
    let smoke = args.iter().any(|a| a == "--smoke");
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    let number = |flag: &str, default: usize| -> Result<usize, String> {
        value_of(flag).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| format!("{flag} needs a positive number, got `{v}`"))
        })
    };
    let runs = number("--runs", if smoke { 1 } else { 15 })?.max(1);
    let (body, rows) = match value_of("--body").map(PathBuf::from) {
        Some(path) => {
            let body =
                std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let rows = try_decode(&body).map_err(|e| format!("{}: {e}", path.display()))?;
            (body, rows)
        }
        None => {
            let rows = number("--rows", if smoke { 100 } else { ROWS })?;
            (reply(rows), rows)
        }
    };
    if let Some(path) = value_of("--write-body").map(PathBuf::from) {
        std::fs::write(&path, &body)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    for (name, f) in [("decode", decode as fn(&[u8]) -> usize), ("stream", stream)] {
        let got = f(&body);
        if got != rows {
            return Err(format!("{name}: {got} of {rows} rows decoded"));
        }
    }
    let measurement = |id: &str, label: &str, f: fn(&[u8]) -> usize| {
        let [median, min, max] = timings(runs, &body, f);
        serde_json::json!({
            "id": id, "label": label, "median_ms": median, "min_ms": min, "max_ms": max,
        })
    };
    let line = serde_json::json!({
        "bench": "datatable_decode",
        "rows": rows,
        "input_bytes": body.len(),
        "runs": runs,
        "measurements": [
            measurement("scan", "bare quick-xml event scan (floor)", scan),
            measurement("typed", "typed rows (BodyReader::table)", decode),
            measurement("streamed", "typed rows, streamed (BodyReader::for_each_row)", stream),
        ],
    });
    println!("taxsdk-bench {line}");
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--json" || a == "--smoke") {
        if let Err(e) = json_mode(&args) {
            eprintln!("datatable_decode: {e}");
            std::process::exit(1);
        }
        return;
    }
    let body = reply(ROWS);
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion, &body);
    criterion.final_summary();

    // The ratio from back-to-back timings in this run (best of 15).
    let scan_time = timings(15, &body, scan)[1];
    let decode_time = timings(15, &body, decode)[1];
    let stream_time = timings(15, &body, stream)[1];
    let ratio = |t: f64| t / scan_time;
    println!(
        "datatable_decode: {} rows, {} bytes: bare scan {:.2} ms, typed rows {:.2} ms ({:.2}x), streamed {:.2} ms ({:.2}x); bar 3x",
        ROWS,
        body.len(),
        scan_time,
        decode_time,
        ratio(decode_time),
        stream_time,
        ratio(stream_time),
    );
}

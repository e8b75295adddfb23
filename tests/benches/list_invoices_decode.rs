//! Decoding a 100,000-row ListInvoices reply into typed rows, against the
//! floor of `serde_json::from_slice::<IgnoredAny>` and against a
//! `serde_json::Value` tree, on the same bytes, in the same run.
//!
//! `cargo bench -p taxsdk-tests --bench list_invoices_decode [-- ROWS] [--smoke] [--json]
//! [--write-body FILE] [--body FILE] [--typed-only]`
//!
//! - `--smoke`: 1,000 rows (unless ROWS is given), one run, as the test suite does;
//! - `--json`: print one machine-readable line `taxsdk-bench {...}` (read by
//!   `cargo xtask bench`) instead of the Markdown table;
//! - `--write-body FILE`: also write the reply to FILE (the input of the
//!   rsge-python figure, so both sides decode the same bytes);
//! - `--body FILE`: decode FILE instead of a generated reply;
//! - `--typed-only`: only the typed decode, for profilers.
//!
//! Rows follow the document's row shape with its quirks: ids and amounts as
//! floats (`28361.0`), INV_NUMBER as a string, Georgian display text in the
//! numeric TRANS_COST_PAYER column, the `"()"` placeholder, nulls and
//! `DD-MM-YYYY HH:MM:SS` dates. Peak memory is measured with a counting
//! allocator.
//!
//! The test `bench_smoke` compiles this file as a module and calls
//! [`measure`] with tiny sizes, so the benchmark cannot rot.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use rsge_eapi::endpoints::ListInvoices;
use serde::de::IgnoredAny;
use serde_json::json;

/// Counts live and peak heap bytes while [`COUNTING`] is on; otherwise
/// forwards straight to the system allocator, so that the timed runs do not
/// pay for the bookkeeping (two atomic read-modify-writes per allocation,
/// which the allocating typed decode would pay and the floor would not).
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !COUNTING.load(Ordering::Relaxed) {
            // SAFETY: forwarded unchanged to the system allocator.
            return unsafe { System.alloc(layout) };
        }
        let size = layout.size() as isize;
        let now = CURRENT.fetch_add(size, Ordering::Relaxed) + size;
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !COUNTING.load(Ordering::Relaxed) {
            // SAFETY: forwarded unchanged to the system allocator.
            return unsafe { System.dealloc(ptr, layout) };
        }
        // A block from before the window may be freed inside it: CURRENT is
        // signed and only read as a difference within one window.
        CURRENT.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: `ptr` came from the system allocator with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !COUNTING.load(Ordering::Relaxed) {
            // SAFETY: forwarded unchanged to the system allocator.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        let grown = new_size as isize - layout.size() as isize;
        let now = CURRENT.fetch_add(grown, Ordering::Relaxed) + grown;
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Median, fastest and slowest of several runs.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// The median run.
    pub median: Duration,
    /// The fastest run.
    pub min: Duration,
    /// The slowest run.
    pub max: Duration,
}

impl Timing {
    fn json(&self, id: &str, label: &str) -> serde_json::Value {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        json!({
            "id": id,
            "label": label,
            "median_ms": ms(self.median),
            "min_ms": ms(self.min),
            "max_ms": ms(self.max),
        })
    }
}

/// Time `runs` calls of `f`; what `f` returns is dropped after the clock
/// stops (freeing the result is not part of decoding it).
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Timing {
    let mut times: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            let out = std::hint::black_box(f());
            let elapsed = start.elapsed();
            drop(out);
            elapsed
        })
        .collect();
    times.sort();
    Timing {
        median: times[times.len() / 2],
        min: times[0],
        max: times[times.len() - 1],
    }
}

type Rows = taxsdk_runtime::Table<rsge_eapi::models::ListInvoicesRow>;

fn typed(body: &[u8]) -> Result<Option<Rows>, String> {
    taxsdk_runtime::client::decode_reply::<ListInvoices>(&rsge_eapi::SERVICE, 200, body)
        .map(|reply| reply.data)
        .map_err(|e| format!("the typed decode failed: {e}"))
}

/// What to measure.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Rows of the generated reply (ignored with `body`).
    pub rows: usize,
    /// Timed runs of each decode.
    pub runs: usize,
    /// Decode this file instead of a generated reply.
    pub body: Option<PathBuf>,
    /// Also write the decoded reply here.
    pub write_body: Option<PathBuf>,
}

/// The figure: three decodes of the same bytes and the typed decode's peak memory.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Rows decoded.
    pub rows: usize,
    /// Size of the reply in bytes.
    pub input_bytes: usize,
    /// Timed runs of each decode.
    pub runs: usize,
    /// `serde_json::from_slice::<IgnoredAny>` (the floor).
    pub floor: Timing,
    /// `serde_json::from_slice::<Value>`.
    pub value: Timing,
    /// The client's typed path (envelope + `Table<ListInvoicesRow>`).
    pub typed: Timing,
    /// Peak heap bytes of one typed decode.
    pub peak_bytes: usize,
}

impl Outcome {
    /// The machine-readable line `cargo xtask bench` reads.
    pub fn json_line(&self) -> String {
        let value = json!({
            "bench": "list_invoices_decode",
            "rows": self.rows,
            "input_bytes": self.input_bytes,
            "runs": self.runs,
            "peak_bytes": self.peak_bytes,
            "measurements": [
                self.floor.json("ignored_any", "serde_json IgnoredAny (floor)"),
                self.value.json("value", "serde_json::Value"),
                self.typed.json("typed", "typed rows (client path: envelope + Table<ListInvoicesRow>)"),
            ],
        });
        format!("taxsdk-bench {value}")
    }

    /// A Markdown table for a person.
    pub fn markdown(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let floor = ms(self.floor.median);
        let mut out = format!(
            "ListInvoices reply: {} rows, {:.1} MiB; median of {} runs\n",
            self.rows,
            self.input_bytes as f64 / (1024.0 * 1024.0),
            self.runs
        );
        out.push_str("| decode | time (ms) | ratio to IgnoredAny |\n|---|---:|---:|\n");
        for (label, t) in [
            ("serde_json IgnoredAny (floor)", self.floor),
            ("serde_json::Value", self.value),
            (
                "typed rows (client path: envelope + Table<ListInvoicesRow>)",
                self.typed,
            ),
        ] {
            out.push_str(&format!(
                "| {label} | {:.1} | {:.2}x |\n",
                ms(t.median),
                ms(t.median) / floor
            ));
        }
        out.push_str(&format!(
            "peak memory of the typed decode: {:.1} MiB = {:.2}x the input size\n",
            self.peak_bytes as f64 / (1024.0 * 1024.0),
            self.peak_bytes as f64 / self.input_bytes as f64
        ));
        out
    }
}

/// Read or generate the reply.
fn body_of(options: &Options) -> Result<Vec<u8>, String> {
    let body = match &options.body {
        Some(path) => {
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
        }
        None => taxsdk_tests::list_invoices::reply(options.rows),
    };
    if let Some(path) = &options.write_body {
        std::fs::write(path, &body).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(body)
}

/// Run the three decodes and the memory measurement.
pub fn measure(options: &Options) -> Result<Outcome, String> {
    let body = body_of(options)?;
    let rows = typed(&body)?.map_or(0, |t| t.len());
    if options.body.is_none() && rows != options.rows {
        return Err(format!("{rows} of {} rows decoded", options.rows));
    }
    let runs = options.runs.max(1);
    let floor = time(runs, || {
        serde_json::from_slice::<IgnoredAny>(&body).map_err(|e| e.to_string())
    });
    let value = time(runs, || {
        serde_json::from_slice::<serde_json::Value>(&body).map_err(|e| e.to_string())
    });
    let typed_time = time(runs, || typed(&body));

    // Peak bytes above what was live before the decode (other threads of a
    // test binary may add to it; the benchmark runs alone).
    COUNTING.store(true, Ordering::SeqCst);
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let decoded = typed(&body);
    let peak_bytes = usize::try_from(PEAK.load(Ordering::Relaxed) - before).unwrap_or(0);
    drop(decoded);
    COUNTING.store(false, Ordering::SeqCst);

    Ok(Outcome {
        rows,
        input_bytes: body.len(),
        runs,
        floor,
        value,
        typed: typed_time,
        peak_bytes,
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let smoke = args.iter().any(|a| a == "--smoke");
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from)
    };
    let options = Options {
        rows: args
            .iter()
            .find_map(|a| a.parse().ok())
            .unwrap_or(if smoke { 1_000 } else { 100_000 }),
        runs: if smoke { 1 } else { 9 },
        body: value_of("--body"),
        write_body: value_of("--write-body"),
    };
    if args.iter().any(|a| a == "--typed-only") {
        // For profilers: only the typed decode.
        let body = body_of(&options).unwrap_or_else(|e| fail(&e));
        for _ in 0..options.runs {
            std::hint::black_box(typed(&body).unwrap_or_else(|e| fail(&e)));
        }
        return;
    }
    let outcome = measure(&options).unwrap_or_else(|e| fail(&e));
    if args.iter().any(|a| a == "--json") {
        println!("{}", outcome.json_line());
    } else {
        print!("{}", outcome.markdown());
    }
}

fn fail(message: &str) -> ! {
    eprintln!("list_invoices_decode: {message}");
    std::process::exit(1)
}

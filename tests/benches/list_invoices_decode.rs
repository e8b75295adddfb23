//! Decoding a 100,000-row ListInvoices reply into typed rows, against the
//! floor of `serde_json::from_slice::<IgnoredAny>` and against a
//! `serde_json::Value` tree, on the same bytes, in the same run.
//!
//! `cargo bench -p taxsdk-tests --bench list_invoices_decode [-- ROWS]`
//! (`-- 1000 --smoke` runs one tiny round, as the test suite does).
//!
//! Rows follow the document's row shape with its quirks: ids and amounts as
//! floats (`28361.0`), INV_NUMBER as a string, Georgian display text in the
//! numeric TRANS_COST_PAYER column, the `"()"` placeholder, nulls and
//! `DD-MM-YYYY HH:MM:SS` dates. Peak memory is measured with a counting
//! allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rsge_eapi::endpoints::ListInvoices;
use serde::de::IgnoredAny;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                + (new_size - layout.size());
            PEAK.fetch_max(now, Ordering::Relaxed);
        } else {
            CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Median time of `runs` calls of `f`; what `f` returns is dropped after
/// the clock stops (freeing the result is not part of decoding it).
fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let out = std::hint::black_box(f());
            let elapsed = start.elapsed();
            drop(out);
            elapsed
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn typed(body: &[u8]) -> Option<taxsdk_runtime::Table<rsge_eapi::models::ListInvoicesRow>> {
    taxsdk_runtime::client::decode_reply::<ListInvoices>(&rsge_eapi::SERVICE, 200, body)
        .expect("the generated reply decodes")
        .data
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let smoke = args.iter().any(|a| a == "--smoke");
    let rows: usize = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(if smoke { 1_000 } else { 100_000 });
    let runs = if smoke { 1 } else { 9 };
    let body = taxsdk_tests::list_invoices::reply(rows);
    assert_eq!(
        typed(&body).map_or(0, |t| t.len()),
        rows,
        "every row decodes"
    );
    if args.iter().any(|a| a == "--typed-only") {
        // For profilers: only the typed decode.
        for _ in 0..runs {
            std::hint::black_box(typed(&body));
        }
        return;
    }

    let floor = median(runs, || {
        serde_json::from_slice::<IgnoredAny>(&body).expect("valid JSON")
    });
    let value = median(runs, || {
        serde_json::from_slice::<serde_json::Value>(&body).expect("valid JSON")
    });
    let typed_time = median(runs, || typed(&body));

    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let decoded =
        taxsdk_runtime::client::decode_reply::<ListInvoices>(&rsge_eapi::SERVICE, 200, &body);
    let peak = PEAK.load(Ordering::Relaxed) - before;
    drop(decoded);

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "ListInvoices reply: {rows} rows, {:.1} MiB; median of {runs} runs",
        body.len() as f64 / (1024.0 * 1024.0)
    );
    println!("| decode | time (ms) | ratio to IgnoredAny |");
    println!("|---|---:|---:|");
    println!(
        "| serde_json IgnoredAny (floor) | {:.1} | 1.00x |",
        ms(floor)
    );
    println!(
        "| serde_json::Value | {:.1} | {:.2}x |",
        ms(value),
        ms(value) / ms(floor)
    );
    println!(
        "| typed rows (client path: envelope + Table<ListInvoicesRow>) | {:.1} | {:.2}x |",
        ms(typed_time),
        ms(typed_time) / ms(floor)
    );
    println!(
        "peak memory of the typed decode: {:.1} MiB = {:.2}x the input size",
        peak as f64 / (1024.0 * 1024.0),
        peak as f64 / body.len() as f64
    );
}

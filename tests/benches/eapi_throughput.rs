//! SaveInvoice + GetTransactionResult pairs per second against one local
//! eAPI sandbox on loopback, sequential (one request in flight), through
//! (a) the generated client, (b) raw reqwest with hand-built JSON (the
//! baseline) and (c) rsge-python from `target/interop-venv` when present.
//!
//! `cargo bench -p taxsdk-tests --bench eapi_throughput [-- --pairs N --rounds R --no-python
//! --python PATH --json]` (`-- --smoke` runs a few pairs once; the test
//! `eapi_throughput_smoke` runs the same logic for (a) and (b)).
//!
//! Prints a Markdown table: the median round per client, pairs/s and the
//! throughput ratio to raw reqwest; with `--json`, one machine-readable line
//! `taxsdk-bench {...}` for `cargo xtask bench` instead. `--python PATH` runs
//! rsge-python with that interpreter (the harness's virtualenv) instead of
//! `target/interop-venv`. The clients take turns within each round so that
//! none always meets the fullest document store.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use taxsdk_tests::throughput::{self, Config, Report, Variant};

fn main() {
    let mut config = Config {
        pairs: 500,
        rounds: 15,
        warmup: 50,
        python: Err("disabled with --no-python".into()),
    };
    let mut use_python = true;
    let mut python: Option<PathBuf> = None;
    let mut as_json = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--smoke" => {
                config.pairs = 5;
                config.rounds = 1;
                config.warmup = 1;
            }
            "--pairs" => config.pairs = number(args.next(), "--pairs"),
            "--rounds" => config.rounds = number(args.next(), "--rounds"),
            "--no-python" => use_python = false,
            "--python" => {
                python =
                    Some(args.next().map(PathBuf::from).unwrap_or_else(|| {
                        fail("--python needs the path of a Python interpreter")
                    }));
            }
            "--json" => as_json = true,
            // `cargo bench` passes `--bench`; ignore it and filters.
            _ => {}
        }
    }
    config.pairs = config.pairs.clamp(1, 1_000_000);
    config.rounds = config.rounds.clamp(1, 100);
    if use_python {
        config.python = match python {
            Some(path) => Ok(path),
            None => throughput::python_with_rsge().ok_or_else(throughput::python_missing_note),
        };
    }

    let report = throughput::run(&config).unwrap_or_else(|e| fail(&format!("failed: {e}")));
    if as_json {
        println!("{}", json_line(&config, &report));
        return;
    }
    println!(
        "SaveInvoice + GetTransactionResult pairs, sequential, loopback sandbox; \
         {} pairs x {} rounds per client, {} warm-up; {} cores; {} documents saved.\n",
        config.pairs,
        config.rounds,
        config.warmup,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        report.documents
    );
    print!("{}", throughput::markdown(&report));
    if let Some(ratio) = report.paired_ratio(Variant::Generated) {
        println!("\nGenerated client vs raw reqwest, median of the per-round ratios: {ratio:.2}x");
    }
}

/// The machine-readable line `cargo xtask bench` reads (also called by the
/// test `bench_smoke`, which compiles this file as a module).
pub fn json_line(config: &Config, report: &Report) -> String {
    let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1e3);
    let measurements: Vec<serde_json::Value> = report
        .measurements
        .iter()
        .map(|m| {
            json!({
                "id": variant_id(m.variant),
                "label": m.variant.label(),
                "pairs": m.pairs,
                "rounds": m.rounds.len(),
                "median_ms": m.median().as_secs_f64() * 1e3,
                "min_ms": ms(m.rounds.iter().min()),
                "max_ms": ms(m.rounds.iter().max()),
                "pairs_per_second": m.pairs_per_second(),
                "paired_ratio": report.paired_ratio(m.variant),
            })
        })
        .collect();
    let skipped: Vec<serde_json::Value> = report
        .skipped
        .iter()
        .map(|(variant, why)| {
            json!({ "id": variant_id(*variant), "label": variant.label(), "why": why })
        })
        .collect();
    let value = json!({
        "bench": "eapi_throughput",
        "pairs": config.pairs,
        "rounds": config.rounds,
        "warmup": config.warmup,
        "documents": report.documents,
        "measurements": measurements,
        "skipped": skipped,
    });
    format!("taxsdk-bench {value}")
}

fn variant_id(variant: Variant) -> &'static str {
    match variant {
        Variant::Generated => "generated",
        Variant::RawReqwest => "raw_reqwest",
        Variant::Python => "python",
    }
}

fn number<T: std::str::FromStr>(value: Option<String>, flag: &str) -> T {
    value
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| fail(&format!("{flag} needs a number")))
}

fn fail(message: &str) -> ! {
    eprintln!("eapi_throughput: {message}");
    std::process::exit(1)
}

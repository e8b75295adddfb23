//! SaveInvoice + GetTransactionResult pairs per second against one local
//! eAPI sandbox on loopback, sequential (one request in flight), through
//! (a) the generated client, (b) raw reqwest with hand-built JSON (the
//! baseline) and (c) rsge-python from `target/interop-venv` when present.
//!
//! `cargo bench -p taxsdk-tests --bench eapi_throughput [-- --pairs N --rounds R --no-python]`
//! (`-- --smoke` runs a few pairs once; the test `eapi_throughput_smoke`
//! runs the same logic for (a) and (b)).
//!
//! Prints a Markdown table: the median round per client, pairs/s and the
//! throughput ratio to raw reqwest. The clients take turns within each round
//! so that none always meets the fullest document store.

use taxsdk_tests::throughput::{self, Config};

fn main() {
    let mut config = Config {
        pairs: 2000,
        rounds: 5,
        warmup: 50,
        python: Err("disabled with --no-python".into()),
    };
    let mut use_python = true;
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
            // `cargo bench` passes `--bench`; ignore it and filters.
            _ => {}
        }
    }
    config.pairs = config.pairs.clamp(1, 1_000_000);
    config.rounds = config.rounds.clamp(1, 100);
    if use_python {
        config.python = throughput::python_with_rsge().ok_or_else(throughput::python_missing_note);
    }

    let report = match throughput::run(&config) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("eapi_throughput failed: {e}");
            std::process::exit(1);
        }
    };
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
}

fn number<T: std::str::FromStr>(value: Option<String>, flag: &str) -> T {
    value
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{flag} needs a number"))
}

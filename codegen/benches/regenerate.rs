//! Regeneration speed: `cargo bench -p taxsdk-codegen --bench regenerate`.
//!
//! Measures, in one run, the median of several repetitions of
//! - the baseline: reading every spec file and parsing it as YAML;
//! - loading: parsing plus validation into the IR;
//! - full regeneration: loading, generating tokens and pretty-printing every file,
//!   without writing (as `cargo xtask codegen --check` does).
//!
//! Prints a Markdown table for BENCHMARKS.md.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use taxsdk_codegen::{TARGETS, generate, load_service};

const RUNS: usize = 15;

fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn parse_yaml_only(root: &Path) -> usize {
    let mut bytes = 0;
    for target in TARGETS {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join(target.spec))
            .expect("spec folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("spec file");
            bytes += text.len();
            let parsed: Option<taxsdk_codegen::spec::SpecFile> =
                serde_saphyr::from_str(&text).expect("valid YAML");
            std::hint::black_box(parsed);
        }
    }
    bytes
}

fn main() {
    let root = root();
    let bytes = parse_yaml_only(&root);
    let baseline = median(|| {
        parse_yaml_only(&root);
    });
    let load = median(|| {
        for target in TARGETS {
            std::hint::black_box(load_service(&root.join(target.spec)).expect("valid spec"));
        }
    });
    let mut generated_bytes = 0;
    let full = median(|| {
        generated_bytes = 0;
        for target in TARGETS {
            let service = load_service(&root.join(target.spec)).expect("valid spec");
            let files = generate(&service, target.spec).expect("generates");
            generated_bytes += files.iter().map(|f| f.contents.len()).sum::<usize>();
        }
    });
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "specs: {} ({} KiB of YAML) -> {} KiB of Rust; median of {RUNS} runs",
        TARGETS.len(),
        bytes / 1024,
        generated_bytes / 1024
    );
    println!("| step | time (ms) | ratio to YAML parse |");
    println!("|---|---:|---:|");
    for (name, d) in [
        ("read + parse YAML (baseline)", baseline),
        ("load + validate into IR", load),
        ("full regeneration (load, generate, format)", full),
    ] {
        println!("| {name} | {:.1} | {:.2}x |", ms(d), ms(d) / ms(baseline));
    }
}

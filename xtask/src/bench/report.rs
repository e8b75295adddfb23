//! The pure half of `cargo xtask bench`: reading the benchmarks' result
//! lines, turning them into one Markdown section per figure with its bar
//! and verdict, and splicing those sections into BENCHMARKS.md between
//! comment markers, leaving the hand-written prose around them alone.
//!
//! Only `std` and `serde_json`: the test `tests/tests/bench_smoke.rs`
//! compiles this file too (`#[path]`), so the smoke path exercises the same
//! code as the real run.

use std::fmt::Write as _;

use serde_json::Value;

/// Prefix of the one machine-readable line every benchmark prints.
pub const LINE_PREFIX: &str = "taxsdk-bench ";

/// The figures, in document order: `(id, title)`. The id names the
/// `--only` argument and the markers `<!-- bench:ID:begin -->`.
pub const FIGURES: &[(&str, &str)] = &[
    ("decode", "1. Decode: a 100,000-row ListInvoices reply"),
    ("decode-python", "2. Decode: ours vs rsge-python"),
    (
        "e2e",
        "3. End to end: SaveInvoice + GetTransactionResult pairs",
    ),
    ("codegen", "4. Code generation and build time"),
    ("soap", "5. SOAP: a 10,000-row DataTable reply"),
    ("irp", "6. IRP payload crypto"),
];

/// Whether a bar is met.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Met.
    Met,
    /// Missed.
    Missed,
    /// Not measured in this run, and why.
    NotMeasured(String),
}

/// One target of the issue and how this run did against it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The target, e.g. `typed decode <= 3x the IgnoredAny floor`.
    pub target: String,
    /// What this run measured, e.g. `11.71x`.
    pub measured: String,
    /// Met or not.
    pub verdict: Verdict,
}

impl Bar {
    fn at_most(target: &str, ratio: f64, limit: f64) -> Bar {
        Bar {
            target: target.into(),
            measured: format!("{ratio:.2}x"),
            verdict: if ratio <= limit {
                Verdict::Met
            } else {
                Verdict::Missed
            },
        }
    }

    fn at_least(target: &str, ratio: f64, limit: f64) -> Bar {
        Bar {
            target: target.into(),
            measured: format!("{ratio:.2}x"),
            verdict: if ratio >= limit {
                Verdict::Met
            } else {
                Verdict::Missed
            },
        }
    }

    fn not_measured(target: &str, why: &str) -> Bar {
        Bar {
            target: target.into(),
            measured: "-".into(),
            verdict: Verdict::NotMeasured(why.into()),
        }
    }

    fn verdict_text(&self) -> String {
        match &self.verdict {
            Verdict::Met => "met".into(),
            Verdict::Missed => "**missed**".into(),
            Verdict::NotMeasured(why) => format!("not measured: {}", one_line(why)),
        }
    }
}

/// One figure's section: Markdown (tables and notes) and its bars.
#[derive(Debug, Clone)]
pub struct Figure {
    /// One of [`FIGURES`]' ids.
    pub id: &'static str,
    /// The section's Markdown, without the bars.
    pub body: String,
    /// The issue's targets for this figure.
    pub bars: Vec<Bar>,
}

impl Figure {
    /// The figure's title from [`FIGURES`].
    pub fn title(&self) -> &'static str {
        title_of(self.id)
    }

    /// The text between the figure's markers.
    pub fn render(&self) -> String {
        let mut out = self.body.trim_end().to_string();
        out.push_str("\n\n");
        for bar in &self.bars {
            let _ = writeln!(
                out,
                "- Bar: {}. This run: {}, {}.",
                bar.target,
                bar.measured,
                bar.verdict_text()
            );
        }
        out
    }
}

/// `text` fit for one Markdown table cell: its first non-empty line, pipes
/// escaped.
pub fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .trim_end_matches(':')
        .replace('|', "\\|")
}

/// The title of figure `id` (the id itself when unknown).
pub fn title_of(id: &str) -> &'static str {
    FIGURES
        .iter()
        .find(|(i, _)| *i == id)
        .map_or("unknown figure", |(_, t)| t)
}

/// What every section's first line says: when, how, in which mode.
#[derive(Debug, Clone)]
pub struct Context {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    /// The command that ran, e.g. `cargo xtask bench`.
    pub command: String,
    /// Smoke mode: tiny sizes, one round; figures are not meaningful.
    pub smoke: bool,
}

impl Context {
    fn stamp(&self) -> String {
        format!(
            "Measured {} with `{}`{}.",
            self.date,
            self.command,
            if self.smoke {
                " (smoke mode: tiny sizes, one round; the numbers mean nothing)"
            } else {
                ""
            }
        )
    }
}

// ----- reading result lines -------------------------------------------------

/// The result line of benchmark `bench` in `stdout`, parsed.
pub fn parse_line(stdout: &str, bench: &str) -> Result<Value, String> {
    let mut found = None;
    for line in stdout.lines() {
        let Some(json) = line.trim().strip_prefix(LINE_PREFIX) else {
            continue;
        };
        let value: Value = serde_json::from_str(json)
            .map_err(|e| format!("{bench}: bad result line ({e}): {json}"))?;
        if value.get("bench").and_then(Value::as_str) == Some(bench) {
            found = Some(value);
        }
    }
    found.ok_or_else(|| {
        format!(
            "{bench} printed no `{}{{\"bench\":\"{bench}\",...}}` line; its output was:\n{}",
            LINE_PREFIX.trim_end(),
            tail(stdout, 20)
        )
    })
}

/// Of several runs of the decode benchmark (one per process), the line of
/// the run whose typed-to-floor ratio is the median, with every run's ratio
/// added as `process_ratios` (in run order).
pub fn median_process(lines: Vec<Value>) -> Result<Value, String> {
    let ratios = lines
        .iter()
        .map(|line| {
            let floor = number(measurement(line, "ignored_any")?, "median_ms")?;
            let typed = number(measurement(line, "typed")?, "median_ms")?;
            Ok(typed / floor)
        })
        .collect::<Result<Vec<f64>, String>>()?;
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| ratios[a].total_cmp(&ratios[b]));
    let Some(&median) = order.get(order.len() / 2) else {
        return Err("the decode benchmark ran in no process".into());
    };
    let mut line = lines.into_iter().nth(median).unwrap_or_default();
    match line.as_object_mut() {
        Some(object) => {
            object.insert("process_ratios".into(), ratios.into());
            Ok(line)
        }
        None => Err(format!("the decode result line is not an object: {line}")),
    }
}

/// The last `lines` lines of `text`.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn field<'a>(value: &'a Value, key: &str) -> Result<&'a Value, String> {
    value
        .get(key)
        .ok_or_else(|| format!("result line without `{key}`: {value}"))
}

fn number(value: &Value, key: &str) -> Result<f64, String> {
    field(value, key)?
        .as_f64()
        .ok_or_else(|| format!("`{key}` is not a number in {value}"))
}

fn text<'a>(value: &'a Value, key: &str) -> Result<&'a str, String> {
    field(value, key)?
        .as_str()
        .ok_or_else(|| format!("`{key}` is not a string in {value}"))
}

/// The entry of `measurements` whose `id` is `id`.
fn measurement<'a>(value: &'a Value, id: &str) -> Result<&'a Value, String> {
    field(value, "measurements")?
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|m| m.get("id").and_then(Value::as_str) == Some(id))
        })
        .ok_or_else(|| format!("no measurement `{id}` in {value}"))
}

/// `median`, `min`, `max` of a measurement in `unit` (`ms` or `us`).
fn spread(m: &Value, unit: &str) -> Result<[f64; 3], String> {
    Ok([
        number(m, &format!("median_{unit}"))?,
        number(m, &format!("min_{unit}"))?,
        number(m, &format!("max_{unit}"))?,
    ])
}

fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn versions(value: &Value) -> String {
    value
        .get("versions")
        .and_then(Value::as_object)
        .map(|v| {
            v.iter()
                .map(|(k, v)| format!("{k} {}", v.as_str().unwrap_or("?")))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// A figure that could not be measured at all.
pub fn failed_figure(id: &'static str, context: &Context, why: &str) -> Figure {
    Figure {
        id,
        body: format!("{}\n\nNot measured: {}", context.stamp(), one_line(why)),
        bars: bars_of(id)
            .iter()
            .map(|target| Bar::not_measured(target, why))
            .collect(),
    }
}

/// The targets of figure `id`, as the issue states them.
pub fn bars_of(id: &str) -> &'static [&'static str] {
    match id {
        "decode" => &[DECODE_BAR],
        "decode-python" => &[DECODE_PYTHON_BAR],
        "e2e" => &[E2E_RAW_BAR, E2E_PYTHON_BAR],
        "codegen" => &[CODEGEN_BAR],
        "soap" => &[SOAP_SCAN_BAR, SOAP_ZEEP_BAR],
        "irp" => &[IRP_BAR],
        _ => &[],
    }
}

const DECODE_BAR: &str = "typed decode at most 3x the IgnoredAny floor";
const DECODE_PYTHON_BAR: &str = "ours at least 30x faster than rsge-python";
const E2E_RAW_BAR: &str = "our client at least 0.9x raw reqwest's pairs/s";
const E2E_PYTHON_BAR: &str = "our client at least 5x rsge-python's pairs/s";
const CODEGEN_BAR: &str = "full regeneration of every spec under 1 s";
const SOAP_SCAN_BAR: &str = "typed DataTable decode at most 3x the bare quick-xml scan";
const SOAP_ZEEP_BAR: &str = "typed DataTable decode at least 20x faster than zeep";
const IRP_BAR: &str = "encrypt + decrypt at least 10x faster than gst_irn";

// ----- the figures ----------------------------------------------------------

/// Figure 1 from `list_invoices_decode --json`.
pub fn decode_figure(line: &Value, context: &Context) -> Result<Figure, String> {
    let rows = number(line, "rows")?;
    let input = number(line, "input_bytes")?;
    let runs = number(line, "runs")?;
    let floor = spread(measurement(line, "ignored_any")?, "ms")?;
    let mut body = format!(
        "{}\n\nInput: {} rows, {} ({} bytes), the documented 50-column row shape with its \
         quirks (floats for ids, INV_NUMBER as a string, Georgian display text in \
         TRANS_COST_PAYER, `\"()\"`, nulls, `DD-MM-YYYY HH:MM:SS` dates), generated by \
         `taxsdk_tests::list_invoices`. Release build, median of {runs} runs. The typed \
         figure is the client's own path (`taxsdk_runtime::client::decode_reply`: envelope \
         status first, then `Table<ListInvoicesRow>`).\n\n",
        context.stamp(),
        thousands(rows as u64),
        mib(input),
        thousands(input as u64),
    );
    body.push_str("| decode | median (ms) | min-max (ms) | ratio to IgnoredAny |\n");
    body.push_str("|---|---:|---:|---:|\n");
    for id in ["ignored_any", "value", "typed"] {
        let m = measurement(line, id)?;
        let [median, min, max] = spread(m, "ms")?;
        let _ = writeln!(
            body,
            "| {} | {median:.1} | {min:.1}-{max:.1} | {:.2}x |",
            text(m, "label")?,
            median / floor[0]
        );
    }
    let peak = number(line, "peak_bytes")?;
    let _ = writeln!(
        body,
        "\nPeak heap of one typed decode: {} = {:.2}x the input size (the rows own their strings).",
        mib(peak),
        peak / input
    );
    let ratios: Vec<f64> = line
        .get("process_ratios")
        .and_then(Value::as_array)
        .map(|all| all.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    if ratios.len() > 1 {
        let listed: Vec<String> = ratios.iter().map(|r| format!("{r:.2}x")).collect();
        let _ = writeln!(
            body,
            "\nRun in {} processes, since the floor moves between processes (not within \
             one) and the typed decode does not move with it. Typed-to-floor ratio of each \
             process, in run order: {}. The table is the process with the median ratio.",
            ratios.len(),
            listed.join(", ")
        );
    }
    let typed = spread(measurement(line, "typed")?, "ms")?;
    Ok(Figure {
        id: "decode",
        body,
        bars: vec![Bar::at_most(DECODE_BAR, typed[0] / floor[0], 3.0)],
    })
}

/// Figure 2 from rsge_list_invoices.py's line and our typed decode of the
/// bytes it measured (`list_invoices_decode --json --body FILE`).
pub fn decode_python_figure(
    ours: &Value,
    python: &Value,
    context: &Context,
) -> Result<Figure, String> {
    let measured = field(python, "measured")?;
    let which = text(measured, "body")?;
    let documented = field(python, "documented")?;
    let mut body = format!("{}\n\n", context.stamp());
    let _ = write!(
        body,
        "rsge-python ({}) through its own `InvoiceClient.list_invoices()` with only the \
         network taken out (`tests/bench-python/rsge_list_invoices.py`: the session's POST \
         returns a `requests.Response` holding the bytes; the call then does \
         `Response.json()`, the STATUS check and `Invoice.from_dict` per row), against our \
         typed decode (`decode_reply`, as in figure 1) of the same bytes. ",
        versions(python)
    );
    if documented.get("ok").and_then(Value::as_bool) == Some(true) {
        body.push_str("rsge-python decodes the documented row.\n\n");
    } else {
        let error = documented
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("?");
        let subs: Vec<String> = field(python, "substitutions")?
            .as_array()
            .map(|all| {
                all.iter()
                    .map(|s| {
                        format!(
                            "`{}` -> `{}` ({} cells)",
                            s.get("from").and_then(Value::as_str).unwrap_or("?"),
                            s.get("to").and_then(Value::as_str).unwrap_or("?"),
                            s.get("count").and_then(Value::as_u64).unwrap_or(0)
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let _ = write!(
            body,
            "**rsge-python cannot decode the documented row**: `{error}`. Both sides were \
             therefore measured on the closest reply it accepts: the figure-1 bytes with \
             TRANS_COST_PAYER's display texts replaced by codes ({}), nothing else changed.\n\n",
            subs.join(", ")
        );
    }
    let ours_m = measurement(ours, "typed")?;
    let [ours_median, ours_min, ours_max] = spread(ours_m, "ms")?;
    let py = [
        number(measured, "median_ms")?,
        number(measured, "min_ms")?,
        number(measured, "max_ms")?,
    ];
    body.push_str(
        "| decoder | reply | rows | runs | median (ms) | min-max (ms) | time ratio to ours |\n",
    );
    body.push_str("|---|---|---:|---:|---:|---:|---:|\n");
    let _ = writeln!(
        body,
        "| ours: typed rows (baseline) | {which} | {} | {} | {ours_median:.1} | {ours_min:.1}-{ours_max:.1} | 1.00x |",
        thousands(number(ours, "rows")? as u64),
        number(ours, "runs")?,
    );
    let _ = writeln!(
        body,
        "| rsge-python `list_invoices` | {which} | {} | {} | {:.1} | {:.1}-{:.1} | {:.2}x |",
        thousands(number(measured, "rows")? as u64),
        number(measured, "runs")?,
        py[0],
        py[1],
        py[2],
        py[0] / ours_median
    );
    Ok(Figure {
        id: "decode-python",
        body,
        bars: vec![Bar::at_least(DECODE_PYTHON_BAR, py[0] / ours_median, 30.0)],
    })
}

/// Figure 3 from `eapi_throughput --json`; `python_note` replaces the
/// bench's own reason when rsge-python was not run.
pub fn e2e_figure(
    line: &Value,
    python_note: Option<&str>,
    context: &Context,
) -> Result<Figure, String> {
    let rate =
        |id: &str| -> Result<f64, String> { number(measurement(line, id)?, "pairs_per_second") };
    let raw = rate("raw_reqwest")?;
    let ours = rate("generated")?;
    // The bar uses the median of per-round ratios (both clients ran back to
    // back in each round) when the benchmark reports it: steadier on a
    // shared machine than the ratio of the two medians.
    let paired = measurement(line, "generated")?
        .get("paired_ratio")
        .and_then(Value::as_f64);
    let mut body = format!(
        "{}\n\nOne sandbox on loopback, sequential (one call in flight), {} pairs x {} rounds \
         per client after {} warm-up pairs, clients taking turns each round; release build. \
         rsge-python runs in its own process (`tests/interop/rsge_python_throughput.py`), \
         timed inside Python. The bar against raw reqwest uses the median of the per-round \
         ratios (both clients ran back to back in every round).\n\n",
        context.stamp(),
        number(line, "pairs")?,
        number(line, "rounds")?,
        number(line, "warmup")?,
    );
    body.push_str("| client | median round (ms) | min-max (ms) | pairs/s | µs/pair | throughput vs raw reqwest |\n");
    body.push_str("|---|---:|---:|---:|---:|---:|\n");
    for m in field(line, "measurements")?
        .as_array()
        .into_iter()
        .flatten()
    {
        let [median, min, max] = spread(m, "ms")?;
        let pps = number(m, "pairs_per_second")?;
        let _ = writeln!(
            body,
            "| {} | {median:.1} | {min:.1}-{max:.1} | {pps:.0} | {:.0} | {:.2}x |",
            text(m, "label")?,
            1e6 / pps,
            pps / raw
        );
    }
    let mut python_bar = None;
    for s in field(line, "skipped")?.as_array().into_iter().flatten() {
        let why = python_note
            .map(str::to_string)
            .unwrap_or_else(|| text(s, "why").unwrap_or("?").to_string());
        let _ = writeln!(
            body,
            "| {} | - | - | - | - | {} |",
            text(s, "label")?,
            one_line(&why)
        );
        if text(s, "id")? == "python" {
            python_bar = Some(Bar::not_measured(E2E_PYTHON_BAR, &why));
        }
    }
    let python_bar = match python_bar {
        Some(bar) => bar,
        None => Bar::at_least(E2E_PYTHON_BAR, ours / rate("python")?, 5.0),
    };
    let vs_raw = paired.unwrap_or(ours / raw);
    if let Some(paired) = paired {
        let _ = writeln!(
            body,
            "\nGenerated client vs raw reqwest, median of the per-round ratios: {paired:.2}x \
             (ratio of the medians: {:.2}x).",
            ours / raw
        );
    }
    Ok(Figure {
        id: "e2e",
        body,
        bars: vec![Bar::at_least(E2E_RAW_BAR, vs_raw, 0.9), python_bar],
    })
}

/// One row of the `regenerate` benchmark's table.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The step.
    pub name: String,
    /// Its median time.
    pub ms: f64,
    /// Ratio to the YAML-parse baseline, as printed.
    pub ratio: String,
}

/// The `regenerate` benchmark's output (a Markdown table of `| step | ms |
/// ratio |` rows after a `specs: ...` line): the rows and that line.
pub fn parse_regenerate(stdout: &str) -> Result<(String, Vec<Step>), String> {
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("specs:"))
        .unwrap_or("")
        .to_string();
    let mut steps = Vec::new();
    for line in stdout.lines() {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if cells.len() != 3 {
            continue;
        }
        if let Ok(ms) = cells[1].parse::<f64>() {
            steps.push(Step {
                name: cells[0].to_string(),
                ms,
                ratio: cells[2].to_string(),
            });
        }
    }
    if steps
        .iter()
        .any(|s| s.name.starts_with("full regeneration"))
    {
        Ok((summary, steps))
    } else {
        Err(format!(
            "the regenerate benchmark printed no `full regeneration` row:\n{}",
            tail(stdout, 20)
        ))
    }
}

/// One `cargo build` of a generated crate from clean.
#[derive(Debug, Clone, PartialEq)]
pub struct Build {
    /// The package.
    pub package: String,
    /// `debug` or `release`.
    pub profile: String,
    /// Features as passed, e.g. `default (client)`.
    pub features: String,
    /// Wall time of the clean build, seconds.
    pub clean_seconds: f64,
    /// Crates compiled by it.
    pub units: usize,
    /// Wall time of rebuilding only the package itself, seconds.
    pub own_seconds: f64,
}

/// Packages in a crate's dependency graph for one feature set.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    /// The package.
    pub package: String,
    /// Features, e.g. `default (client)`.
    pub features: String,
    /// Distinct packages in `cargo tree -e normal`, the crate included.
    pub packages: usize,
}

/// Figure 4 from the regenerate benchmark and the clean builds.
pub fn codegen_figure(
    regenerate: Result<(String, Vec<Step>), String>,
    builds: Result<Vec<Build>, String>,
    graphs: &[Graph],
    build_dir: &str,
    context: &Context,
) -> Figure {
    let mut body = format!("{}\n\n", context.stamp());
    let bar = match &regenerate {
        Ok((summary, steps)) => {
            let _ = writeln!(
                body,
                "Regeneration (`cargo bench -p taxsdk-codegen --bench regenerate`, release, \
                 every spec and test fixture, nothing written): {summary}\n"
            );
            body.push_str("| step | median (ms) | ratio to YAML parse |\n|---|---:|---:|\n");
            for s in steps {
                let _ = writeln!(body, "| {} | {:.1} | {} |", s.name, s.ms, s.ratio);
            }
            let full = steps
                .iter()
                .find(|s| s.name.starts_with("full regeneration"))
                .map_or(f64::NAN, |s| s.ms);
            Bar {
                target: CODEGEN_BAR.into(),
                measured: format!("{full:.0} ms"),
                verdict: if full < 1000.0 {
                    Verdict::Met
                } else {
                    Verdict::Missed
                },
            }
        }
        Err(why) => {
            let _ = writeln!(body, "Regeneration: not measured: {}", one_line(why));
            Bar::not_measured(CODEGEN_BAR, why)
        }
    };
    body.push('\n');
    match &builds {
        Ok(builds) if !builds.is_empty() => {
            let _ = writeln!(
                body,
                "`cargo build` of each generated crate from clean (own target directory \
                 `{build_dir}`, emptied before each build; `--locked`). \"The crate itself\" \
                 rebuilds only the crate on top of its built dependencies. Record only: the \
                 goal is that a user's build of one service crate stays small.\n"
            );
            body.push_str("| crate | features | profile | clean build (s) | crates compiled | the crate itself (s) | its share |\n");
            body.push_str("|---|---|---|---:|---:|---:|---:|\n");
            for b in builds {
                let _ = writeln!(
                    body,
                    "| `{}` | {} | {} | {:.1} | {} | {:.1} | {:.0}% |",
                    b.package,
                    b.features,
                    b.profile,
                    b.clean_seconds,
                    b.units,
                    b.own_seconds,
                    100.0 * b.own_seconds / b.clean_seconds
                );
            }
        }
        Ok(_) => body.push_str("Build times: no generated crate under `crates/`.\n"),
        Err(why) => {
            let _ = writeln!(body, "Build times: not measured: {}", one_line(why));
        }
    }
    if !graphs.is_empty() {
        body.push_str(
            "\nDependency graph per feature set (`cargo tree -e normal`, distinct packages, \
             the crate included): the default feature set is the client only; the server \
             trait and router (`server`: axum, tokio) and the sandbox stay out of a user's \
             build.\n\n| crate | features | packages |\n|---|---|---:|\n",
        );
        for g in graphs {
            let _ = writeln!(
                body,
                "| `{}` | {} | {} |",
                g.package, g.features, g.packages
            );
        }
    }
    Figure {
        id: "codegen",
        body,
        bars: vec![bar],
    }
}

/// Figure 5 from `datatable_decode --json` on the documented reply, the same
/// on the reply zeep accepts when that differs (`ours_closest`), and
/// zeep_datatable.py's line (or why it did not run).
pub fn soap_figure(
    line: &Value,
    ours_closest: Option<&Value>,
    zeep: Result<&Value, &str>,
    context: &Context,
) -> Result<Figure, String> {
    let scan = spread(measurement(line, "scan")?, "ms")?;
    let typed = spread(measurement(line, "typed")?, "ms")?;
    let mut body = format!(
        "{}\n\nInput: a SOAP 1.1 `get_seller_invoices` reply holding a .NET DataTable \
         (inline `xs:schema` + `diffgr:diffgram`) of {} rows x 24 columns, {} (Georgian \
         text, decimals, dates, empty cells), written by the runtime's own table writer \
         (`crates/runtime/benches/datatable_decode.rs`). Release build, median of {} runs.\n\n",
        context.stamp(),
        thousands(number(line, "rows")? as u64),
        mib(number(line, "input_bytes")?),
        number(line, "runs")?,
    );
    body.push_str("| decoder | reply | median (ms) | min-max (ms) | ratio to the bare scan |\n");
    body.push_str("|---|---|---:|---:|---:|\n");
    for id in ["scan", "typed", "streamed"] {
        let m = measurement(line, id)?;
        let [median, min, max] = spread(m, "ms")?;
        let _ = writeln!(
            body,
            "| {} | documented | {median:.1} | {min:.1}-{max:.1} | {:.2}x |",
            text(m, "label")?,
            median / scan[0]
        );
    }
    let zeep_bar = match zeep {
        Ok(zeep) => {
            let zm = measurement(zeep, "zeep")?;
            let which = text(zm, "body")?;
            // Our typed decode of the bytes zeep was timed on.
            let ours = match (which, ours_closest) {
                ("documented", _) => typed[0],
                (_, Some(closest)) => {
                    let m = measurement(closest, "typed")?;
                    let [median, min, max] = spread(m, "ms")?;
                    let _ = writeln!(
                        body,
                        "| {} | {which} | {median:.1} | {min:.1}-{max:.1} | {:.2}x |",
                        text(m, "label")?,
                        median / scan[0]
                    );
                    median
                }
                (_, None) => return Err("zeep ran on another reply but ours did not".into()),
            };
            for id in ["zeep", "lxml"] {
                let m = measurement(zeep, id)?;
                let [median, min, max] = spread(m, "ms")?;
                let _ = writeln!(
                    body,
                    "| {} | {} | {median:.1} | {min:.1}-{max:.1} | {:.2}x |",
                    text(m, "label")?,
                    text(m, "body")?,
                    median / scan[0]
                );
            }
            let _ = write!(
                body,
                "\nPython side ({}; `tests/bench-python/zeep_datatable.py`, same bytes, median \
                 of {} runs): **zeep** is its own reply processing for the operation from the \
                 service's WSDL (`Soap11Binding.process_reply`: lxml parses the envelope, zeep \
                 compiles the inline schema and turns every row into an object whose cells are \
                 typed by it). **lxml** is what a zeep user does with the raw body instead: \
                 parse with lxml, read column names and `xs:` types from the inline schema and \
                 make one dict per row, every cell converted by its type (`Decimal`, `int`, \
                 `datetime.fromisoformat`; absent or empty as `None`).",
                versions(zeep),
                number(zeep, "runs")?,
            );
            let documented = field(zeep, "documented")?;
            if documented.get("ok").and_then(Value::as_bool) != Some(true) {
                let _ = write!(
                    body,
                    " **zeep cannot process the reply as .NET writes it**: `{}` (the diffgram \
                     holds a DataTable's `DocumentElement`, the inline schema declares only \
                     `NewDataSet`). zeep and our decoder were therefore also timed on the \
                     closest reply zeep accepts, the same bytes with the `DocumentElement` \
                     tags renamed `NewDataSet` (a DataSet's form), rows marked `closest`.",
                    documented
                        .get("error")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                );
            }
            body.push('\n');
            let lxml = number(measurement(zeep, "lxml")?, "median_ms")?;
            let _ = writeln!(
                body,
                "\nOurs vs zeep on the same bytes: {:.1}x faster; vs the lxml walk: {:.1}x faster.",
                number(zm, "median_ms")? / ours,
                lxml / typed[0]
            );
            Bar::at_least(SOAP_ZEEP_BAR, number(zm, "median_ms")? / ours, 20.0)
        }
        Err(why) => {
            let _ = writeln!(
                body,
                "| zeep | - | - | - | not measured: {} |",
                one_line(why)
            );
            Bar::not_measured(SOAP_ZEEP_BAR, why)
        }
    };
    Ok(Figure {
        id: "soap",
        body,
        bars: vec![
            Bar::at_most(SOAP_SCAN_BAR, typed[0] / scan[0], 3.0),
            zeep_bar,
        ],
    })
}

/// Figure 6 from gst-irp's `crypto --json` and gst_irn_crypto.py's line
/// (or why it did not run).
pub fn irp_figure(
    line: &Value,
    python: Result<&Value, &str>,
    context: &Context,
) -> Result<Figure, String> {
    let floor = spread(measurement(line, "aes_floor")?, "us")?;
    let ours = spread(measurement(line, "ours")?, "us")?;
    let mut body = format!(
        "{}\n\nPayload: a {}-line INV-01 e-invoice, {} bytes of JSON, under a fixed session \
         key (`crates/gst-irp/benches/crypto.rs`). One round trip = encrypt (AES-256-ECB/PKCS#7 \
         + base64: a request's `Data`) and decrypt (base64 + AES + UTF-8: a reply's `Data`). \
         Median of {} runs of {} round trips, release build.\n\n",
        context.stamp(),
        number(line, "lines")?,
        thousands(number(line, "payload_bytes")? as u64),
        number(line, "runs")?,
        number(line, "iterations")?,
    );
    body.push_str("| round trip | median (µs) | min-max (µs) | ratio to bare AES |\n");
    body.push_str("|---|---:|---:|---:|\n");
    for id in ["aes_floor", "ours"] {
        let m = measurement(line, id)?;
        let [median, min, max] = spread(m, "us")?;
        let _ = writeln!(
            body,
            "| {} | {median:.1} | {min:.1}-{max:.1} | {:.2}x |",
            text(m, "label")?,
            median / floor[0]
        );
    }
    let bar = match python {
        Ok(py) => {
            let m = measurement(py, "gst_irn")?;
            let [median, min, max] = spread(m, "us")?;
            let _ = writeln!(
                body,
                "| {} ({}) | {median:.1} | {min:.1}-{max:.1} | {:.2}x |",
                text(m, "label")?,
                versions(py),
                median / floor[0]
            );
            body.push_str(
                "\nThe gst_irn row (`tests/bench-python/gst_irn_crypto.py`) times the same \
                 payload and key through `gst_irn.crypto.encrypt_with_aes` and \
                 `decrypt_with_aes`, the functions `gst_irn.Session.post` calls on every \
                 request and reply (AES from the `cryptography` package, i.e. OpenSSL); its \
                 ciphertext was checked to be byte for byte ours.\n",
            );
            Bar::at_least(IRP_BAR, median / ours[0], 10.0)
        }
        Err(why) => {
            let _ = writeln!(
                body,
                "| gst_irn | - | - | not measured: {} |",
                one_line(why)
            );
            Bar::not_measured(IRP_BAR, why)
        }
    };
    Ok(Figure {
        id: "irp",
        body,
        bars: vec![bar],
    })
}

// ----- the document ---------------------------------------------------------

fn begin_marker(id: &str) -> String {
    format!("<!-- bench:{id}:begin -->")
}

fn end_marker(id: &str) -> String {
    format!("<!-- bench:{id}:end -->")
}

/// The text between the markers of region `id`, if both are there.
pub fn region<'a>(document: &'a str, id: &str) -> Option<&'a str> {
    let begin = begin_marker(id);
    let start = document.find(&begin)? + begin.len();
    let end = document[start..].find(&end_marker(id))? + start;
    Some(&document[start..end])
}

/// Replace the text between the markers of region `id` with `content`; when
/// the markers are missing, append a section titled `title` holding them.
pub fn replace_region(document: &str, id: &str, title: &str, content: &str) -> String {
    let begin = begin_marker(id);
    let end = end_marker(id);
    let inner = format!("\n{}\n", content.trim_matches('\n'));
    if let Some(b) = document.find(&begin) {
        let start = b + begin.len();
        if let Some(e) = document[start..].find(&end) {
            return format!("{}{inner}{}", &document[..start], &document[start + e..]);
        }
    }
    let mut out = document.trim_end().to_string();
    let _ = write!(out, "\n\n## {title}\n\n{begin}{inner}{end}\n");
    out
}

/// The summary table: one row per bar of every figure, keeping the rows of
/// figures not run this time from `previous` (the old region's text).
pub fn summary(previous: Option<&str>, figures: &[Figure]) -> String {
    let ran: Vec<&str> = figures.iter().map(|f| f.title()).collect();
    let mut rows: Vec<(usize, String)> = Vec::new();
    for line in previous.unwrap_or("").lines() {
        let Some(rest) = line.strip_prefix("| ") else {
            continue;
        };
        let first = rest.split(" |").next().unwrap_or("");
        if let Some(order) = FIGURES.iter().position(|(_, t)| *t == first)
            && !ran.contains(&first)
        {
            rows.push((order, line.to_string()));
        }
    }
    for f in figures {
        let order = FIGURES.iter().position(|(id, _)| *id == f.id).unwrap_or(0);
        for bar in &f.bars {
            rows.push((
                order,
                format!(
                    "| {} | {} | {} | {} |",
                    f.title(),
                    bar.target,
                    bar.measured,
                    bar.verdict_text()
                ),
            ));
        }
    }
    rows.sort_by_key(|(order, _)| *order);
    let mut out = String::from("| figure | bar | this run | verdict |\n|---|---|---:|---|\n");
    for (_, row) in rows {
        out.push_str(&row);
        out.push('\n');
    }
    out
}

/// BENCHMARKS.md with the machine header, the summary and each figure's
/// region rewritten; everything outside the markers is kept.
pub fn update_document(document: &str, machine: &str, figures: &[Figure]) -> String {
    let mut out = replace_region(document, "machine", "Machine", machine);
    let table = summary(region(&out, "summary"), figures);
    out = replace_region(&out, "summary", "Summary", &table);
    for f in figures {
        out = replace_region(&out, f.id, f.title(), &f.render());
    }
    out
}

/// `YYYY-MM-DD` of a Unix time (UTC), by the civil-from-days algorithm.
pub fn civil_date(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Context {
        Context {
            date: "2026-11-23".into(),
            command: "cargo xtask bench".into(),
            smoke: false,
        }
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(951_782_400), "2000-02-29");
        assert_eq!(civil_date(1_795_392_000), "2026-11-23");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(75_709_163), "75,709,163");
    }

    #[test]
    fn result_lines_are_found_among_other_output() {
        let out =
            "noise\ntaxsdk-bench {\"bench\":\"other\"}\ntaxsdk-bench {\"bench\":\"x\",\"n\":1}\n";
        assert_eq!(parse_line(out, "x").unwrap()["n"], 1);
        let missing = parse_line("nothing here", "x").unwrap_err();
        assert!(missing.contains("printed no"), "{missing}");
        assert!(parse_line("taxsdk-bench {oops", "x").is_err());
    }

    #[test]
    fn regenerate_table_is_read() {
        let out = "specs: 2 (181 KiB of YAML) -> 364 KiB of Rust; median of 15 runs\n\
                   | step | time (ms) | ratio to YAML parse |\n|---|---:|---:|\n\
                   | read + parse YAML (baseline) | 15.3 | 1.00x |\n\
                   | load + validate into IR | 10.5 | 0.68x |\n\
                   | full regeneration (load, generate, format) | 53.6 | 3.50x |\n";
        let (summary, steps) = parse_regenerate(out).unwrap();
        assert!(summary.starts_with("specs: 2"));
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[2].ms, 53.6);
        let figure = codegen_figure(
            Ok((summary, steps)),
            Ok(vec![Build {
                package: "rsge-eapi".into(),
                profile: "debug".into(),
                features: "default (client)".into(),
                clean_seconds: 60.0,
                units: 150,
                own_seconds: 6.0,
            }]),
            &[],
            "target/bench-build",
            &context(),
        );
        assert_eq!(figure.bars[0].verdict, Verdict::Met);
        assert!(
            figure
                .body
                .contains("| `rsge-eapi` | default (client) | debug | 60.0 | 150 | 6.0 | 10% |")
        );
        assert!(parse_regenerate("| a | b |").is_err());
    }

    #[test]
    fn reasons_fit_one_table_cell() {
        assert_eq!(
            one_line("\n  `cargo x` failed: last output:\nmore"),
            "`cargo x` failed: last output"
        );
        assert_eq!(one_line("a | b"), "a \\| b");
        let f = failed_figure("irp", &context(), "first\nsecond");
        assert!(!summary(None, &[f]).contains("second"));
    }

    #[test]
    fn the_decode_figure_is_the_median_process() {
        let line = |floor: f64, typed: f64| {
            serde_json::json!({
                "bench": "list_invoices_decode",
                "rows": 10,
                "input_bytes": 1000,
                "runs": 9,
                "peak_bytes": 2000,
                "measurements": [
                    {"id": "ignored_any", "label": "floor", "median_ms": floor, "min_ms": floor, "max_ms": floor},
                    {"id": "value", "label": "value", "median_ms": 1.0, "min_ms": 1.0, "max_ms": 1.0},
                    {"id": "typed", "label": "typed", "median_ms": typed, "min_ms": typed, "max_ms": typed},
                ],
            })
        };
        let chosen =
            median_process(vec![line(10.0, 50.0), line(20.0, 50.0), line(10.0, 45.0)]).unwrap();
        assert_eq!(chosen["measurements"][0]["median_ms"], 10.0);
        assert_eq!(chosen["measurements"][2]["median_ms"], 45.0);
        let figure = decode_figure(&chosen, &context()).unwrap();
        assert!(
            figure.body.contains("in run order: 5.00x, 2.50x, 4.50x"),
            "{}",
            figure.body
        );
        assert_eq!(figure.bars[0].verdict, Verdict::Missed);
        assert!(median_process(Vec::new()).is_err());
    }

    #[test]
    fn bars_compare_in_the_right_direction() {
        assert_eq!(Bar::at_most("t", 2.9, 3.0).verdict, Verdict::Met);
        assert_eq!(Bar::at_most("t", 3.1, 3.0).verdict, Verdict::Missed);
        assert_eq!(Bar::at_least("t", 31.0, 30.0).verdict, Verdict::Met);
        assert_eq!(Bar::at_least("t", 0.5, 0.9).verdict, Verdict::Missed);
    }

    #[test]
    fn soap_and_irp_figures_render_with_and_without_python() {
        let soap: Value = serde_json::from_str(
            r#"{"bench":"datatable_decode","rows":10000,"input_bytes":9000000,"runs":15,
            "measurements":[
             {"id":"scan","label":"scan","median_ms":10.0,"min_ms":9.0,"max_ms":11.0},
             {"id":"typed","label":"typed","median_ms":25.0,"min_ms":24.0,"max_ms":26.0},
             {"id":"streamed","label":"streamed","median_ms":24.0,"min_ms":23.0,"max_ms":25.0}]}"#,
        )
        .unwrap();
        let zeep: Value = serde_json::from_str(
            r#"{"bench":"zeep_datatable","versions":{"zeep":"4.3.3"},"runs":5,
            "documented":{"ok":false,"error":"LookupError: x"},
            "measurements":[
             {"id":"zeep","body":"closest","label":"zeep","median_ms":600.0,"min_ms":590.0,"max_ms":610.0},
             {"id":"lxml","body":"documented","label":"lxml","median_ms":300.0,"min_ms":290.0,"max_ms":310.0}]}"#,
        )
        .unwrap();
        let f = soap_figure(&soap, Some(&soap), Ok(&zeep), &context()).unwrap();
        assert_eq!(f.bars[0].verdict, Verdict::Met);
        assert_eq!(f.bars[0].measured, "2.50x");
        assert_eq!(f.bars[1].verdict, Verdict::Met);
        assert_eq!(f.bars[1].measured, "24.00x");
        assert!(f.body.contains("cannot process the reply"), "{}", f.body);
        assert!(soap_figure(&soap, None, Ok(&zeep), &context()).is_err());
        let f = soap_figure(&soap, None, Err("PyPI unreachable"), &context()).unwrap();
        assert_eq!(
            f.bars[1].verdict,
            Verdict::NotMeasured("PyPI unreachable".into())
        );
        assert!(f.render().contains("not measured: PyPI unreachable"));

        let irp: Value = serde_json::from_str(
            r#"{"bench":"irp_crypto","lines":100,"payload_bytes":40000,"iterations":10,"runs":1,
            "measurements":[
             {"id":"aes_floor","label":"floor","median_us":20.0,"min_us":20.0,"max_us":20.0},
             {"id":"ours","label":"ours","median_us":40.0,"min_us":40.0,"max_us":40.0}]}"#,
        )
        .unwrap();
        let py: Value = serde_json::from_str(
            r#"{"bench":"gst_irn_crypto","measurements":[
             {"id":"gst_irn","label":"gst_irn","median_us":120.0,"min_us":110.0,"max_us":130.0}]}"#,
        )
        .unwrap();
        let f = irp_figure(&irp, Ok(&py), &context()).unwrap();
        assert_eq!(f.bars[0].measured, "3.00x");
        assert_eq!(f.bars[0].verdict, Verdict::Missed);
        assert!(f.render().contains("**missed**"));
    }

    #[test]
    fn regions_are_replaced_and_prose_is_kept() {
        let doc = "# B\n\nintro\n\n<!-- bench:decode:begin -->\nold table\n<!-- bench:decode:end -->\n\n### Profile\n\nprose\n";
        let out = replace_region(doc, "decode", "1. Decode", "new table");
        assert_eq!(
            out,
            "# B\n\nintro\n\n<!-- bench:decode:begin -->\nnew table\n<!-- bench:decode:end -->\n\n### Profile\n\nprose\n"
        );
        assert_eq!(region(&out, "decode"), Some("\nnew table\n"));
        let appended = replace_region(doc, "irp", "6. IRP", "x");
        assert!(appended.starts_with(doc.trim_end()));
        assert!(
            appended
                .ends_with("## 6. IRP\n\n<!-- bench:irp:begin -->\nx\n<!-- bench:irp:end -->\n")
        );
    }

    #[test]
    fn summary_keeps_rows_of_figures_not_run() {
        let old = summary(
            None,
            &[
                failed_figure("decode", &context(), "a"),
                failed_figure("irp", &context(), "b"),
            ],
        );
        let fresh = failed_figure("irp", &context(), "c");
        let new = summary(Some(&old), &[fresh]);
        assert!(new.contains("not measured: a"), "{new}");
        assert!(new.contains("not measured: c"), "{new}");
        assert!(!new.contains("not measured: b"), "{new}");
        let decode = new.find("1. Decode").unwrap();
        let irp = new.find("6. IRP").unwrap();
        assert!(decode < irp, "figures stay in order: {new}");
    }
}

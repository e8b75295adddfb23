//! Keeps `cargo xtask bench` from rotting: its smoke path in process, with
//! tiny sizes and one round; no timing is asserted.
//!
//! The harness's pure half (`xtask/src/bench/report.rs`: result lines,
//! figures, bars, BENCHMARKS.md regions) and the benchmarks this crate owns
//! (`benches/list_invoices_decode.rs`, `benches/eapi_throughput.rs`) are
//! compiled here as modules, so the same code runs as in `cargo xtask
//! bench`. The Python peers (`tests/bench-python/`) run on tiny inputs when
//! the harness's virtualenv `target/bench-venv` exists with its packages,
//! and are skipped otherwise (a test never installs anything). The SOAP and
//! IRP benchmarks live in crates this one does not depend on; their result
//! lines are read from canned examples here and from `cargo xtask bench
//! --smoke` there.

#[allow(dead_code)]
#[path = "../../xtask/src/bench/report.rs"]
mod report;

#[allow(dead_code)]
#[path = "../benches/list_invoices_decode.rs"]
mod list_invoices_decode;

#[allow(dead_code)]
#[path = "../benches/eapi_throughput.rs"]
mod eapi_throughput;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use taxsdk_runtime::soap::{BodyReader, Column, EnvelopeWriter, SoapVersion, TableSchema};
use taxsdk_tests::throughput::{self, Config, Variant};

/// The workspace root, from this test's own manifest directory.
fn workspace_root() -> PathBuf {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR"));
    tests.parent().unwrap_or(tests).to_path_buf()
}

fn context() -> report::Context {
    report::Context {
        date: "2026-01-01".into(),
        command: "cargo test --test bench_smoke".into(),
        smoke: true,
    }
}

/// A scratch folder of this test binary, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("taxsdk-bench-smoke-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// The harness's Python when `target/bench-venv` has the peers installed.
fn bench_python() -> Option<PathBuf> {
    let python = workspace_root().join("target/bench-venv/bin/python");
    let probe = Command::new(&python)
        .args(["-c", "import rsge, gst_irn, zeep"])
        .output();
    let ok = probe.as_ref().is_ok_and(|o| o.status.success());
    if !ok {
        let why = match &probe {
            Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
            Err(e) => e.to_string(),
        };
        eprintln!(
            "bench_smoke: no target/bench-venv with the Python peers (`cargo xtask bench` \
             creates it); their part is skipped ({}: {})",
            python.display(),
            why.lines().last().unwrap_or("")
        );
    }
    ok.then_some(python)
}

/// Run a script of `tests/bench-python` and read its result line.
fn run_script(python: &Path, script: &str, args: &[&str], bench: &str) -> Value {
    let path = workspace_root().join("tests/bench-python").join(script);
    let output = Command::new(python)
        .arg(&path)
        .args(args)
        // No __pycache__ in the source tree.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{script} failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    report::parse_line(&stdout, bench).unwrap()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

#[test]
fn decode_figures_from_the_benchmark_itself() {
    let dir = scratch("decode");
    let body = dir.join("list-invoices.json");
    let outcome = list_invoices_decode::measure(&list_invoices_decode::Options {
        rows: 120,
        runs: 1,
        body: None,
        write_body: Some(body.clone()),
    })
    .unwrap();
    assert_eq!(outcome.rows, 120);
    assert!(outcome.markdown().contains("| serde_json::Value |"));
    let line = report::parse_line(&outcome.json_line(), "list_invoices_decode").unwrap();
    let figure = report::decode_figure(&line, &context()).unwrap();
    let text = figure.render();
    assert!(text.contains("| typed rows (client path"), "{text}");
    assert!(text.contains("Input: 120 rows"), "{text}");
    assert!(text.contains("smoke mode"), "{text}");
    assert_eq!(figure.bars.len(), 1);
    assert!(!matches!(
        figure.bars[0].verdict,
        report::Verdict::NotMeasured(_)
    ));

    // Figure 2: rsge-python on the same bytes (or the closest it accepts).
    if let Some(python) = bench_python() {
        let closest = dir.join("closest.json");
        let py = run_script(
            &python,
            "rsge_list_invoices.py",
            &[
                path_str(&body),
                "--runs",
                "1",
                "--closest-out",
                path_str(&closest),
            ],
            "rsge_list_invoices",
        );
        assert_eq!(py["measured"]["rows"], 120, "{py}");
        let ours = if py["measured"]["body"] == "closest" {
            // Our decoder must accept the variant rsge-python was timed on.
            let outcome = list_invoices_decode::measure(&list_invoices_decode::Options {
                rows: 0,
                runs: 1,
                body: Some(closest),
                write_body: None,
            })
            .unwrap();
            assert_eq!(outcome.rows, 120);
            report::parse_line(&outcome.json_line(), "list_invoices_decode").unwrap()
        } else {
            line
        };
        let figure = report::decode_python_figure(&ours, &py, &context()).unwrap();
        assert!(
            figure.render().contains("| rsge-python `list_invoices` |"),
            "{}",
            figure.render()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn end_to_end_figure_from_the_benchmark_itself() {
    let python = bench_python();
    let config = Config {
        pairs: 2,
        rounds: 1,
        warmup: 1,
        python: python.clone().ok_or_else(|| "no venv".to_string()),
    };
    let run = throughput::run(&config).unwrap();
    let line = report::parse_line(
        &eapi_throughput::json_line(&config, &run),
        "eapi_throughput",
    )
    .unwrap();
    let note = python.is_none().then_some("no venv in this smoke run");
    let figure = report::e2e_figure(&line, note, &context()).unwrap();
    let text = figure.render();
    assert!(
        text.contains(Variant::RawReqwest.label()) && text.contains("| 1.00x |"),
        "{text}"
    );
    assert_eq!(figure.bars.len(), 2);
    assert_eq!(
        figure.bars[1].verdict == report::Verdict::NotMeasured("no venv in this smoke run".into()),
        python.is_none(),
        "{text}"
    );
}

/// Canned lines of the SOAP and IRP benchmarks, in the shape they print.
const DATATABLE_LINE: &str = r#"taxsdk-bench {"bench":"datatable_decode","input_bytes":6651263,"rows":10000,"runs":1,"measurements":[{"id":"scan","label":"bare quick-xml event scan (floor)","median_ms":23.8,"min_ms":22.7,"max_ms":36.9},{"id":"typed","label":"typed rows (BodyReader::table)","median_ms":63.2,"min_ms":47.9,"max_ms":101.0},{"id":"streamed","label":"typed rows, streamed (BodyReader::for_each_row)","median_ms":53.9,"min_ms":44.2,"max_ms":101.3}]}"#;
const CRYPTO_LINE: &str = r#"taxsdk-bench {"bench":"irp_crypto","iterations":3,"lines":100,"payload_bytes":38888,"runs":1,"measurements":[{"id":"aes_floor","label":"bare AES-256-ECB encrypt + decrypt (floor)","median_us":15.4,"min_us":14.4,"max_us":33.8},{"id":"ours","label":"gst-irp Sek::encrypt + Sek::decrypt (base64, UTF-8 check)","median_us":69.6,"min_us":62.7,"max_us":98.3}]}"#;

/// A three-row `get_seller_invoices` DataTable reply, as .NET writes it.
fn tiny_datatable() -> Vec<u8> {
    let schema = TableSchema {
        name: Some("invoices".into()),
        columns: [
            ("ID", "xs:decimal"),
            ("ORG_NAME", "xs:string"),
            ("REG_DT", "xs:dateTime"),
        ]
        .iter()
        .map(|(name, ty)| Column {
            name: (*name).into(),
            xsd_type: Some((*ty).into()),
        })
        .collect(),
    };
    let mut writer = EnvelopeWriter::response(
        SoapVersion::Soap11,
        "http://tempuri.org/",
        "get_seller_invoices",
    )
    .unwrap();
    let mut table = writer
        .data_table("get_seller_invoicesResult", &schema)
        .unwrap();
    for (id, org, date) in [
        ("1", Some("შპს ალფა"), Some("2026-01-02T10:00:00")),
        ("2", None, Some("2026-01-03T11:30:00")),
        ("3", Some("LLC Trade & Co"), None),
    ] {
        table
            .row([("ID", Some(id)), ("ORG_NAME", org), ("REG_DT", date)])
            .unwrap();
    }
    table.finish().unwrap();
    writer.finish().unwrap()
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct TinyRow {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "ORG_NAME", default)]
    org_name: Option<String>,
}

#[test]
fn soap_and_irp_figures_with_the_python_peers_when_present() {
    let soap = report::parse_line(DATATABLE_LINE, "datatable_decode").unwrap();
    let crypto = report::parse_line(CRYPTO_LINE, "irp_crypto").unwrap();
    let Some(python) = bench_python() else {
        let f = report::soap_figure(&soap, None, Err("no venv"), &context()).unwrap();
        assert_eq!(f.bars.len(), 2);
        let f = report::irp_figure(&crypto, Err("no venv"), &context()).unwrap();
        assert!(f.render().contains("not measured: no venv"));
        return;
    };
    let dir = scratch("soap-irp");

    let body = dir.join("datatable.xml");
    std::fs::write(&body, tiny_datatable()).unwrap();
    let closest = dir.join("closest.xml");
    let zeep = run_script(
        &python,
        "zeep_datatable.py",
        &[
            path_str(&body),
            "--runs",
            "1",
            "--closest-out",
            path_str(&closest),
        ],
        "zeep_datatable",
    );
    assert_eq!(zeep["rows"], 3, "{zeep}");
    let ours_closest = if zeep["documented"]["ok"] == true {
        None
    } else {
        // Our decoder must read the variant zeep was timed on.
        let bytes = std::fs::read(&closest).unwrap();
        let mut reader = BodyReader::reply(&bytes, "get_seller_invoices").unwrap();
        let rows = reader.table::<TinyRow>().unwrap();
        assert_eq!(rows.len(), 3);
        Some(soap.clone())
    };
    let f = report::soap_figure(&soap, ours_closest.as_ref(), Ok(&zeep), &context()).unwrap();
    assert!(f.render().contains("zeep Soap11Binding.process_reply"));

    let payload = dir.join("payload.json");
    let invoice = serde_json::json!({
        "Version": "1.1",
        "ItemList": [{"SlNo": "1", "PrdDesc": "ऊनी कपड़ा", "TotItemVal": 118.0}],
    });
    let file = serde_json::json!({
        // 32 bytes 0..=31.
        "sek": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        "plaintext": invoice.to_string(),
        "ciphertext": null,
    });
    std::fs::write(&payload, file.to_string()).unwrap();
    let py = run_script(
        &python,
        "gst_irn_crypto.py",
        &[path_str(&payload), "--iterations", "3", "--runs", "1"],
        "gst_irn_crypto",
    );
    assert_eq!(py["payload_bytes"], invoice.to_string().len());
    let f = report::irp_figure(&crypto, Ok(&py), &context()).unwrap();
    assert!(f.render().contains("gst_irn crypto.encrypt_with_aes"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn benchmarks_md_keeps_its_prose_when_regenerated() {
    let original = std::fs::read_to_string(workspace_root().join("BENCHMARKS.md")).unwrap();
    let figures: Vec<report::Figure> = report::FIGURES
        .iter()
        .map(|(id, _)| report::failed_figure(id, &context(), "smoke"))
        .collect();
    let once = report::update_document(&original, "Machine: smoke", &figures);
    let twice = report::update_document(&once, "Machine: smoke", &figures);
    assert_eq!(once, twice, "regenerating is idempotent");
    // Every line outside the markers survives.
    let outside = |doc: &str| -> Vec<String> {
        let mut inside = false;
        let mut lines = Vec::new();
        for line in doc.lines() {
            if line.starts_with("<!-- bench:") && line.ends_with(":begin -->") {
                inside = true;
            } else if line.starts_with("<!-- bench:") && line.ends_with(":end -->") {
                inside = false;
            } else if !inside {
                lines.push(line.to_string());
            }
        }
        lines
    };
    assert_eq!(outside(&original), outside(&once));
    for (id, title) in report::FIGURES {
        assert!(
            report::region(&once, id).is_some_and(|r| r.contains("Not measured: smoke")),
            "{id}"
        );
        assert!(
            once.contains(&format!("| {title} |")),
            "summary row of {id}"
        );
    }
}

//! IRP payload crypto: encrypt and decrypt a 100-line e-invoice (INV-01
//! JSON) with the session key, as every generate-IRN call does, against the
//! floor of bare AES-256-ECB on the same bytes (no base64, no UTF-8 check).
//! The Python peer, gst_irn's `crypto.encrypt_with_aes` /
//! `decrypt_with_aes`, runs on the same payload and key from
//! `tests/bench-python/gst_irn_crypto.py` (`cargo xtask bench` runs both).
//!
//! `cargo bench -p gst-irp --bench crypto [-- --json] [--smoke] [--lines N]
//! [--iterations N] [--runs N] [--write-payload FILE]`
//!
//! - one run is `iterations` round trips (encrypt, then decrypt the result);
//!   the figure is the median run divided by `iterations`;
//! - `--json`: one machine-readable line `taxsdk-bench {...}` instead of a table;
//! - `--write-payload FILE`: also write `{"sek", "plaintext", "ciphertext"}`
//!   (base64 key, the invoice JSON, our base64 ciphertext) for the Python
//!   side, which checks that its ciphertext is the same (ECB is deterministic);
//! - `--smoke`: 10 iterations, one run.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use gst_irp::crypto::{KEY_LEN, Sek, aes256_ecb_decrypt, aes256_ecb_encrypt};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

/// A fixed session key: every run encrypts the same bytes the same way.
fn sek_bytes() -> [u8; KEY_LEN] {
    std::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11))
}

/// A deterministic INV-01 e-invoice of `lines` items (intra-state, CGST+SGST).
fn invoice(lines: usize) -> Value {
    let mut items = Vec::with_capacity(lines);
    let (mut ass_val, mut tax_val) = (0_u64, 0_u64);
    for n in 1..=lines {
        let qty = 1 + n % 17;
        let unit_price = 100 + (n * 37) % 900;
        let total = qty * unit_price;
        let half_tax = total * 9 / 100;
        ass_val += total as u64;
        tax_val += 2 * half_tax as u64;
        let hsn = ["61149090", "52081190", "84713010", "3004"][n % 4];
        let unit = ["NOS", "BOX", "PCS"][n % 3];
        items.push(json!({
            "SlNo": n.to_string(),
            "PrdDesc": format!("Test Trading Goods {n} (cotton knit, {} pcs/box)", 6 + n % 6),
            "IsServc": "N",
            "HsnCd": hsn,
            "Barcde": format!("890{:010}", n * 7919),
            "Qty": qty,
            "Unit": unit,
            "UnitPrice": unit_price,
            "TotAmt": total,
            "Discount": 0,
            "AssAmt": total,
            "GstRt": 18,
            "IgstAmt": 0,
            "CgstAmt": half_tax,
            "SgstAmt": half_tax,
            "CesRt": 0,
            "CesAmt": 0,
            "CesNonAdvlAmt": 0,
            "StateCesRt": 0,
            "StateCesAmt": 0,
            "StateCesNonAdvlAmt": 0,
            "OthChrg": 0,
            "TotItemVal": total + 2 * half_tax,
        }));
    }
    json!({
        "Version": "1.1",
        "TranDtls": { "TaxSch": "GST", "SupTyp": "B2B", "RegRev": "N", "IgstOnIntra": "N" },
        "DocDtls": { "Typ": "INV", "No": "SINV-CFY-00067", "Dt": "16/09/2022" },
        "SellerDtls": {
            "Gstin": "01AMBPG7773M002", "LglNm": "Test Indian Registered Company",
            "Addr1": "Test Address - 1", "Loc": "Test City", "Pin": 193502, "Stcd": "01",
        },
        "BuyerDtls": {
            "Gstin": "01AMBPG7773M003", "LglNm": "Test Registered Customer", "Pos": "01",
            "Addr1": "Test Address - 3", "Loc": "Test City", "Pin": 193502, "Stcd": "01",
        },
        "ItemList": items,
        "ValDtls": {
            "AssVal": ass_val, "CgstVal": tax_val / 2, "SgstVal": tax_val / 2, "IgstVal": 0,
            "CesVal": 0, "StCesVal": 0, "Discount": 0, "OthChrg": 0, "RndOffAmt": 0,
            "TotInvVal": ass_val + tax_val,
        },
    })
}

/// Our path: `Sek::encrypt` (AES + base64, the request's `Data`), then
/// `Sek::decrypt` and the UTF-8 check a reply's `Data` gets.
fn round_trip(sek: &Sek, plaintext: &[u8]) -> usize {
    let data = sek.encrypt(plaintext);
    let plain = sek
        .decrypt("Data", &data)
        .expect("our own ciphertext decrypts");
    String::from_utf8(plain).expect("UTF-8 JSON").len()
}

/// The floor: AES-256-ECB/PKCS#7 both ways on raw bytes.
fn bare_aes(key: &[u8; KEY_LEN], plaintext: &[u8]) -> usize {
    let cipher = aes256_ecb_encrypt(key, plaintext);
    aes256_ecb_decrypt("Data", key, &cipher)
        .expect("our own ciphertext decrypts")
        .len()
}

/// Median, fastest and slowest run of `runs` runs of `iterations` calls, in
/// microseconds per call.
fn timings(runs: usize, iterations: usize, mut f: impl FnMut() -> usize) -> [f64; 3] {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iterations {
                black_box(f());
            }
            start.elapsed()
        })
        .collect();
    times.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6 / iterations as f64;
    [
        us(times[times.len() / 2]),
        us(times[0]),
        us(times[times.len() - 1]),
    ]
}

struct Options {
    lines: usize,
    iterations: usize,
    runs: usize,
    json: bool,
    write_payload: Option<PathBuf>,
}

fn options() -> Result<Options, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let smoke = args.iter().any(|a| a == "--smoke");
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    let number = |flag: &str, default: usize| -> Result<usize, String> {
        value_of(flag).map_or(Ok(default), |v| match v.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{flag} needs a positive number, got `{v}`")),
        })
    };
    Ok(Options {
        lines: number("--lines", 100)?,
        iterations: number("--iterations", if smoke { 10 } else { 2_000 })?,
        runs: number("--runs", if smoke { 1 } else { 9 })?,
        json: smoke || args.iter().any(|a| a == "--json"),
        write_payload: value_of("--write-payload").map(PathBuf::from),
    })
}

fn run() -> Result<(), String> {
    let options = options()?;
    let key = sek_bytes();
    let sek = Sek::from_bytes(key);
    let plaintext = serde_json::to_string(&invoice(options.lines)).map_err(|e| e.to_string())?;
    let bytes = plaintext.as_bytes();
    if let Some(path) = &options.write_payload {
        let payload = json!({
            "sek": sek.to_base64().expose_secret(),
            "plaintext": plaintext,
            "ciphertext": sek.encrypt(bytes),
        });
        std::fs::write(path, payload.to_string())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if round_trip(&sek, bytes) != bytes.len() || bare_aes(&key, bytes) != bytes.len() {
        return Err("a round trip did not give the payload back".into());
    }
    let floor = timings(options.runs, options.iterations, || bare_aes(&key, bytes));
    let ours = timings(options.runs, options.iterations, || round_trip(&sek, bytes));
    if options.json {
        let measurement = |id: &str, label: &str, [median, min, max]: [f64; 3]| json!({ "id": id, "label": label, "median_us": median, "min_us": min, "max_us": max });
        let line = json!({
            "bench": "irp_crypto",
            "lines": options.lines,
            "payload_bytes": bytes.len(),
            "iterations": options.iterations,
            "runs": options.runs,
            "measurements": [
                measurement("aes_floor", "bare AES-256-ECB encrypt + decrypt (floor)", floor),
                measurement("ours", "gst-irp Sek::encrypt + Sek::decrypt (base64, UTF-8 check)", ours),
            ],
        });
        println!("taxsdk-bench {line}");
    } else {
        println!(
            "{}-line invoice, {} bytes of JSON; median of {} runs of {} round trips",
            options.lines,
            bytes.len(),
            options.runs,
            options.iterations
        );
        println!("| round trip | µs | ratio to bare AES |\n|---|---:|---:|");
        println!("| bare AES-256-ECB (floor) | {:.1} | 1.00x |", floor[0]);
        println!(
            "| gst-irp Sek::encrypt + Sek::decrypt | {:.1} | {:.2}x |",
            ours[0],
            ours[0] / floor[0]
        );
    }
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("crypto bench: {e}");
        std::process::exit(1);
    }
}

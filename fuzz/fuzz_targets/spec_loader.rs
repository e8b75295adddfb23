//! The spec loader (`taxsdk_codegen::load_service`): YAML parsing, unknown
//! keys, and every validation, on arbitrary bytes; a spec that loads is
//! also generated into Rust (and OpenAPI), which must not panic either.
//!
//! Input: the text of `service.yaml`, optionally followed by a line
//! `#---8<---` and the text of a second file, `api.yaml`. The loader reads
//! a folder, so each input is written to a scratch folder first (with an
//! `examples/` folder holding one valid and one invalid JSON file).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const SPLIT: &[u8] = b"\n#---8<---\n";

/// The scratch folder, one per process.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("taxsdk-fuzz-spec-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("examples")).expect("scratch folder");
        std::fs::write(dir.join("examples/ok.json"), br#"{"a": [1, 2.5, "x"]}"#).expect("write");
        std::fs::write(dir.join("examples/bad.json"), b"{not json").expect("write");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = dir();
    let (service, api) = match data.windows(SPLIT.len()).position(|w| w == SPLIT) {
        Some(at) => (&data[..at], Some(&data[at + SPLIT.len()..])),
        None => (data, None),
    };
    std::fs::write(dir.join("service.yaml"), service).expect("write service.yaml");
    match api {
        Some(api) => std::fs::write(dir.join("api.yaml"), api).expect("write api.yaml"),
        None => {
            let _ = std::fs::remove_file(dir.join("api.yaml"));
        }
    }
    match taxsdk_codegen::load_service(dir) {
        Ok(service) => {
            let _ = taxsdk_codegen::generate(&service, "spec/fuzz");
            let _ = taxsdk_codegen::openapi::render(&service);
        }
        Err(diagnostics) => {
            // Every diagnostic names a file and a place.
            for d in &diagnostics.0 {
                assert!(d.line >= 1 && d.column >= 1, "{d}");
                assert!(!d.message.is_empty(), "{d}");
            }
        }
    }
});

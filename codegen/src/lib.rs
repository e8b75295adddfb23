//! taxsdk-codegen: load and validate a service spec (`spec/<service>/`), then
//! generate its models, client and server trait as Rust source.
//!
//! ```text
//! spec/*.yaml --load--> IR --gen--> tokens --prettyplease--> crates/<service>/src/generated/
//! ```
//!
//! [`sync`] writes the generated files or, in check mode, reports every stale
//! file with a unified diff; `cargo xtask codegen [--check]` and the drift
//! test both call it.

pub mod cli;
mod constraints;
pub mod diff;
pub mod generate;
pub mod ir;
pub mod load;
mod names;
pub mod openapi;
mod output;
pub mod spec;

pub use cli::sync_dir;
pub use diff::{Impact, Report, diff};
pub use generate::{GeneratedFile, generate};
pub use load::{Diagnostic, Diagnostics, load_service};
pub use output::{Mode, Stale, sync, sync_one};

/// One spec folder and the folder its generated code lives in, both
/// relative to the workspace root.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub spec: &'static str,
    pub out: &'static str,
}

/// Every spec of this workspace and where its code goes.
pub const TARGETS: &[Target] = &[
    Target {
        spec: "spec/rsge-eapi",
        out: "crates/rsge-eapi/src/generated",
    },
    Target {
        spec: "spec/rsge-ntos",
        out: "crates/rsge-ntos/src/generated",
    },
    Target {
        spec: "spec/gst-irp",
        out: "crates/gst-irp/src/generated",
    },
    Target {
        spec: "tests/fixtures/full",
        out: "tests/fixture-crate/src/generated",
    },
];

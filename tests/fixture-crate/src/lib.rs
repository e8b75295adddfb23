//! The generated code of the fixture spec `tests/fixtures/full`, compiled so
//! that every construct the generator emits is proven to build without
//! warnings. Checked for drift like every service crate.

#![deny(warnings, missing_docs)]

// Generated code is formatted by the generator (prettyplease), not rustfmt.
#[rustfmt::skip]
mod generated;
pub use generated::*;

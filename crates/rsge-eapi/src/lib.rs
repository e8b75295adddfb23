//! Typed async client (and, with feature `server`, the server trait) of the
//! RS.ge eAPI "Tax document" service, generated from `spec/rsge-eapi/`.
//!
//! The modules below come from `src/generated/` (never edited by hand):
//! [`models`], [`enums`], [`endpoints`], [`client`] (feature `client`) and
//! [`server`] (feature `server`). [`SERVICE`] and [`ERRORS`] describe the
//! service and its documented status codes.

// Generated code is formatted by the generator (prettyplease), not rustfmt.
#[rustfmt::skip]
mod generated;
pub use generated::*;

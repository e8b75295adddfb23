//! Shared runtime of the taxsdk generated clients and servers.
//!
//! Everything more than one generated crate needs lives here exactly once:
//! the wire codecs ([`wire`]), the static descriptions of services and
//! endpoints ([`ServiceMeta`], [`EndpointMeta`], [`Endpoint`]), the status
//! envelope ([`envelope`]), the error model ([`Error`]), the HTTP client
//! transport ([`client`], feature `client`) with its retries ([`retry`])
//! and the server helpers ([`server`], feature `server`).

mod cell;
#[cfg(feature = "client")]
pub mod client;
mod codes;
pub mod envelope;
mod error;
mod meta;
#[cfg(feature = "client")]
pub mod retry;
mod row_text;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "soap")]
pub mod soap;
mod table;
#[cfg(feature = "validate")]
pub mod validate;
pub mod wire;

pub use codes::EnumCode;
pub use error::{Error, ServiceStatus};
pub use meta::{
    AuthScheme, Empty, Endpoint, EndpointMeta, EndpointVisitor, EnvelopeShape, ErrorCode,
    ErrorKind, Method, Param, ParamLocation, ServiceMeta, SoapBinding, SoapOperation,
};
#[cfg(feature = "client")]
pub use retry::RetryPolicy;
pub use table::{Table, TableRow};

/// Re-exported so generated crates and users name the same versions.
pub use {chrono, rust_decimal, serde_json, uuid};

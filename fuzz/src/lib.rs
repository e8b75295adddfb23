//! Helpers shared by the fuzz targets in `fuzz_targets/`.

use std::fmt::Debug;

use taxsdk_runtime::Endpoint;
use taxsdk_runtime::client::decode_soap_reply;
use taxsdk_runtime::soap::{BodyReader, EnvelopeWriter, SoapVersion};

/// The NtosService body namespace.
pub const NS: &str = "http://tempuri.org/";

/// The reply of `E` written as the sandbox writes it.
pub fn write_reply<E: Endpoint>(version: SoapVersion, value: &E::Response) -> Vec<u8> {
    let op = E::META.soap.expect("a SOAP operation");
    let mut writer = EnvelopeWriter::response(version, NS, op.operation).expect("valid names");
    E::write_soap_reply(value, &mut writer)
        .unwrap_or_else(|e| panic!("{}: a decoded reply cannot be written: {e}", E::META.name));
    writer.finish().expect("writes to memory")
}

/// Reads `body` as a reply of `E` the way the client does; a reply that
/// reads is written back, and what is written reads back and writes the
/// same bytes again.
pub fn soap_reply<E: Endpoint>(status: u16, version: SoapVersion, body: &[u8])
where
    E::Response: Debug,
{
    let Ok(value) = decode_soap_reply::<E>(status, body) else {
        return;
    };
    let written = write_reply::<E>(version, &value);
    let again = decode_soap_reply::<E>(200, &written).unwrap_or_else(|e| {
        panic!(
            "{}: the written reply does not read: {e}\n{}",
            E::META.name,
            String::from_utf8_lossy(&written)
        )
    });
    let rewritten = write_reply::<E>(version, &again);
    assert_eq!(
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&rewritten),
        "{}: the written reply changes when read and written again ({again:?})",
        E::META.name
    );
}

/// Reads `body` as a request of `E` the way the sandbox does; a request
/// that reads is written back (as the client writes it) and reads back to
/// the same bytes.
pub fn soap_request<E: Endpoint>(body: &[u8])
where
    E::Request: Debug,
{
    let Ok(reader) = BodyReader::request(body) else {
        return;
    };
    let version = reader.version();
    let Ok(value) = reader.decode::<E::Request>() else {
        return;
    };
    let write = |value: &E::Request| {
        let op = E::META.soap.expect("a SOAP operation");
        let mut writer = EnvelopeWriter::request(version, NS, op.operation).expect("valid names");
        writer
            .fields(value)
            .unwrap_or_else(|e| panic!("{}: a decoded request cannot be written: {e}", E::META.name));
        writer.finish().expect("writes to memory")
    };
    let written = write(&value);
    let again = BodyReader::request(&written)
        .and_then(|r| r.decode::<E::Request>())
        .unwrap_or_else(|e| {
            panic!(
                "{}: the written request does not read: {e}\n{}",
                E::META.name,
                String::from_utf8_lossy(&written)
            )
        });
    assert_eq!(
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&write(&again)),
        "{}: the written request changes when read and written again ({again:?})",
        E::META.name
    );
}

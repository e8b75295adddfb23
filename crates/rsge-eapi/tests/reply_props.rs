//! eAPI replies as the client reads them (`client::decode_reply`): the
//! `{DATA, STATUS}` envelope and the typed models, on arbitrary bytes and on
//! mutated documented examples (`spec/rsge-eapi/examples`). No input panics;
//! every failure is a typed reply error; a non-2xx status never reads as a
//! success; whatever reads is written back (as the sandbox writes it) and
//! reads back to the same text.

use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use taxsdk_runtime::client::decode_reply;
use taxsdk_runtime::envelope::Wrapped;
use taxsdk_runtime::{Endpoint, EndpointVisitor, EnvelopeShape, Error, Table};

use rsge_eapi::{SERVICE, endpoints, models};

/// The eAPI's `{DATA, STATUS: {ID, TEXT}}` envelope, as the spec gives it.
const SHAPE: EnvelopeShape = match SERVICE.envelope {
    Some(shape) => shape,
    None => panic!("the eAPI has an envelope"),
};

const STATUSES: [u16; 8] = [200, 200, 200, 201, 400, 401, 404, 500];

type Example = (String, String, Vec<u8>);

/// The documented replies: (endpoint name in kebab case, file name, bytes).
fn examples() -> &'static [Example] {
    static EXAMPLES: OnceLock<Vec<Example>> = OnceLock::new();
    EXAMPLES.get_or_init(|| read_examples(".response"))
}

/// The documented requests, likewise.
fn request_examples() -> &'static [Example] {
    static EXAMPLES: OnceLock<Vec<Example>> = OnceLock::new();
    EXAMPLES.get_or_init(|| read_examples(".request"))
}

/// The examples whose file name contains `kind`.
fn read_examples(kind: &str) -> Vec<Example> {
    {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/rsge-eapi/examples");
        let mut out: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .filter_map(|path| {
                let file = path.file_name()?.to_str()?.to_string();
                if !file.contains(kind) {
                    return None;
                }
                let endpoint = file.split('.').next()?.to_string();
                let bytes = std::fs::read(&path).expect("an example");
                Some((endpoint, file, bytes))
            })
            .collect();
        out.sort();
        assert!(
            out.len() > 10,
            "too few {kind} examples in {}",
            dir.display()
        );
        out
    }
}

/// `GetOrgInfoByTin` -> `get-org-info-by-tin`, the examples' spelling.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The reply written the way the sandbox writes a success.
fn envelope<T: serde::Serialize>(data: &T) -> String {
    serde_json::to_string(&Wrapped {
        shape: &SHAPE,
        data,
        code: SHAPE.success,
        text: "OK",
    })
    .expect("a decoded reply encodes")
}

/// Reads `body` as a reply of `E`; see the module's properties. `Ok` with
/// the error the reply was refused with, if any.
fn check<E: Endpoint>(status: u16, body: &[u8]) -> Result<Option<Error>, String> {
    let name = E::META.name;
    match decode_reply::<E>(&SERVICE, status, body) {
        Ok(value) => {
            if !(200..300).contains(&status) {
                return Err(format!("{name}: HTTP {status} read as a success"));
            }
            let written = envelope(&value);
            let again = decode_reply::<E>(&SERVICE, 200, written.as_bytes())
                .map_err(|e| format!("{name}: the written reply does not read: {e}\n{written}"))?;
            let rewritten = envelope(&again);
            if written != rewritten {
                return Err(format!(
                    "{name}: the written reply changes when read and written again:\n{written}\n{rewritten}"
                ));
            }
            Ok(None)
        }
        Err(
            e @ (Error::Http { .. }
            | Error::Service { .. }
            | Error::Authentication { .. }
            | Error::SessionExpired { .. }
            | Error::Decode { .. }),
        ) => Ok(Some(e)),
        Err(other) => Err(format!("{name}: not a reply error: {other:?}")),
    }
}

/// Runs [`check`] for the endpoint named `name` (kebab case), or for every
/// endpoint when `name` is `None`.
struct Drive<'a> {
    name: Option<&'a str>,
    status: u16,
    body: &'a [u8],
    /// Endpoints run.
    ran: usize,
    /// Replies read as a success.
    read: usize,
    /// Replies refused as undecodable (not a service status).
    undecodable: Vec<String>,
    /// The first broken property.
    failure: Option<String>,
}

impl EndpointVisitor for Drive<'_> {
    fn visit<E: Endpoint>(&mut self) {
        if self.name.is_some_and(|n| n != kebab(E::META.name)) || self.failure.is_some() {
            return;
        }
        self.ran += 1;
        match check::<E>(self.status, self.body) {
            Ok(None) => self.read += 1,
            Ok(Some(e @ (Error::Decode { .. } | Error::Http { .. }))) => {
                self.undecodable.push(e.to_string())
            }
            Ok(Some(_)) => {}
            Err(e) => self.failure = Some(e),
        }
    }
}

fn drive<'a>(
    name: Option<&'a str>,
    status: u16,
    body: &'a [u8],
) -> Result<Drive<'a>, TestCaseError> {
    let mut d = Drive {
        name,
        status,
        body,
        ran: 0,
        read: 0,
        undecodable: Vec::new(),
        failure: None,
    };
    endpoints::visit(&mut d);
    if let Some(failure) = d.failure.take() {
        return Err(TestCaseError::fail(failure));
    }
    Ok(d)
}

/// Reads `body` as the request of the endpoint named `name` the way the
/// sandbox does (`serde_json` into the request model); a request that
/// reads is written back and reads back to the same text.
struct RequestDrive<'a> {
    name: &'a str,
    body: &'a [u8],
    ran: usize,
    read: usize,
    failure: Option<String>,
}

impl EndpointVisitor for RequestDrive<'_> {
    fn visit<E: Endpoint>(&mut self) {
        if self.name != kebab(E::META.name) {
            return;
        }
        self.ran += 1;
        let Ok(value) = serde_json::from_slice::<E::Request>(self.body) else {
            return;
        };
        self.read += 1;
        let written = serde_json::to_string(&value).expect("a decoded request encodes");
        let rewritten = serde_json::from_str::<E::Request>(&written)
            .map(|again| serde_json::to_string(&again).expect("encodes"));
        match rewritten {
            Ok(rewritten) if rewritten == written => {}
            Ok(rewritten) => {
                self.failure = Some(format!(
                    "{}: the written request changes when read and written again:\n{written}\n{rewritten}",
                    E::META.name
                ))
            }
            Err(e) => {
                self.failure = Some(format!(
                    "{}: the written request does not read: {e}\n{written}",
                    E::META.name
                ))
            }
        }
    }
}

fn drive_request<'a>(name: &'a str, body: &'a [u8]) -> Result<RequestDrive<'a>, TestCaseError> {
    let mut d = RequestDrive {
        name,
        body,
        ran: 0,
        read: 0,
        failure: None,
    };
    endpoints::visit(&mut d);
    match d.failure.take() {
        Some(failure) => Err(TestCaseError::fail(failure)),
        None => Ok(d),
    }
}

/// The list replies' tables on their own, with the fixpoint.
fn tables(body: &[u8]) -> Result<(), TestCaseError> {
    fn one<T>(data: &str) -> Result<(), TestCaseError>
    where
        T: taxsdk_runtime::TableRow + serde::Serialize + serde::de::DeserializeOwned,
    {
        let Ok(table) = serde_json::from_str::<Table<T>>(data) else {
            return Ok(());
        };
        let written = serde_json::to_string(&table).expect("a table writes");
        let again: Table<T> = serde_json::from_str(&written)
            .map_err(|e| TestCaseError::fail(format!("{written} does not read back: {e}")))?;
        prop_assert_eq!(again.rows.len(), table.rows.len());
        prop_assert_eq!(&written, &serde_json::to_string(&again).expect("writes"));
        Ok(())
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return Ok(());
    };
    // The table is the envelope's DATA, or the whole text.
    let data = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("DATA").map(ToString::to_string))
        .unwrap_or_else(|| text.to_string());
    one::<models::ListInvoicesRow>(&data)?;
    one::<models::ListExciseRow>(&data)?;
    one::<models::ListBarCodesRow>(&data)?;
    Ok(())
}

/// Every documented reply reads for its endpoint as a success or a
/// documented service error, never as a decoding failure: the seeds of the
/// mutation properties are valid, and the models match the examples.
#[test]
fn documented_replies_decode() {
    let mut read = 0;
    for (endpoint, file, bytes) in examples() {
        let name = (endpoint != "envelope").then_some(endpoint.as_str());
        let d = drive(name, 200, bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(d.ran > 0, "{file}: no endpoint `{endpoint}`");
        assert_eq!(d.undecodable, Vec::<String>::new(), "{file}");
        read += d.read;
    }
    assert!(
        read > 20,
        "only {read} documented replies read as successes"
    );
}

/// Every documented request reads into its endpoint's request model.
#[test]
fn documented_requests_decode() {
    for (endpoint, file, bytes) in request_examples() {
        let d = drive_request(endpoint, bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!((d.ran, d.read), (1, 1), "{file}: not read by `{endpoint}`");
    }
}

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    // Bytes that change JSON's structure or its numbers, dates and strings.
    let byte = prop_oneof![
        3 => proptest::sample::select(b"{}[]\",:-.0159 eE+\\n/\xff".to_vec()),
        1 => any::<u8>(),
    ];
    let chunk = prop_oneof![
        Just(b"null".to_vec()),
        Just(b"\"\"".to_vec()),
        Just(b"{}".to_vec()),
        Just(b"[]".to_vec()),
        Just(b"1e400".to_vec()),
        Just(b"-0.0".to_vec()),
        Just(b"99999999999999999999999999999".to_vec()),
        Just(b"\"31-02-2019 25:61:61\"".to_vec()),
        Just("\"ა\"".as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        4 => (any::<usize>(), byte).prop_map(|(at, b)| Edit::Replace(at, b)),
        2 => (any::<usize>(), chunk).prop_map(|(at, c)| Edit::Insert(at, c)),
        2 => (any::<usize>(), 1..16usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        1 => any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(mut body: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = body.len();
        match e {
            Edit::Replace(at, b) if len > 0 => body[at % len] = *b,
            Edit::Insert(at, chunk) => {
                let at = at % (len + 1);
                body.splice(at..at, chunk.iter().copied());
            }
            Edit::Delete(at, n) if len > 0 => {
                let at = at % len;
                body.drain(at..(at + n).min(len));
            }
            Edit::Truncate(at) => body.truncate(at % (len + 1)),
            _ => {}
        }
    }
    body
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every endpoint on random bytes.
    #[test]
    fn random_bytes_never_panic(
        status in proptest::sample::select(STATUSES.to_vec()),
        body in proptest::collection::vec(any::<u8>(), 0..128),
    ) {
        drive(None, status, &body)?;
        tables(&body)?;
    }

    /// Envelopes around random DATA and STATUS values, for every endpoint.
    #[test]
    fn random_envelopes_never_panic(
        status in proptest::sample::select(STATUSES.to_vec()),
        data in prop_oneof![
            Just("null".to_string()), Just("{}".to_string()), Just("[]".to_string()),
            Just("\"\"".to_string()), "-?[0-9]{1,25}(\\.[0-9]{1,5})?",
            "\\{(\"[A-Z_]{1,12}\":(-?[0-9]{1,4}|\"[0-9\\- :]{0,19}\"|null|\\[\\]),?){0,4}\\}",
        ],
        code in prop_oneof![Just("0".to_string()), Just("-104".to_string()), Just("-102".to_string()), "-?[0-9]{1,20}", Just("\"0\"".to_string()), Just("null".to_string())],
        text in prop_oneof![Just("\"OK\"".to_string()), Just("null".to_string()), Just("5".to_string())],
    ) {
        let body = format!(r#"{{"DATA":{data},"STATUS":{{"ID":{code},"TEXT":{text}}}}}"#);
        drive(None, status, body.as_bytes())?;
    }

    /// The documented replies, mutated, for their own endpoint.
    #[test]
    fn mutated_examples_never_panic(
        which in any::<prop::sample::Index>(),
        status in proptest::sample::select(STATUSES.to_vec()),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let (endpoint, _, bytes) = which.get(examples());
        let body = apply(bytes.clone(), &edits);
        let name = (endpoint != "envelope").then_some(endpoint.as_str());
        let d = drive(name, status, &body)?;
        prop_assert!(d.ran > 0);
        tables(&body)?;
    }

    /// The documented requests, mutated, as the sandbox reads them.
    #[test]
    fn mutated_requests_never_panic(
        which in any::<prop::sample::Index>(),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let (endpoint, _, bytes) = which.get(request_examples());
        let body = apply(bytes.clone(), &edits);
        prop_assert_eq!(drive_request(endpoint, &body)?.ran, 1);
    }
}

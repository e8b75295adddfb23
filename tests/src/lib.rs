//! Shared helpers of the workspace-level tests.

pub mod list_invoices;
pub mod throughput;
pub mod venv;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use taxsdk_codegen::ir;
use taxsdk_runtime::{Endpoint, EndpointVisitor, ServiceMeta, envelope};

/// The workspace root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// Load a spec of this workspace, panicking with every diagnostic if invalid.
pub fn load(spec: &str) -> ir::Service {
    taxsdk_codegen::load_service(&workspace_root().join(spec))
        .unwrap_or_else(|d| panic!("spec {spec} is invalid:\n{d}"))
}

/// Round-trips every example of a spec through the typed models of its
/// generated crate: decode (reporting fields the spec does not know), encode,
/// compare with the file (or its `reencoded` twin).
pub struct ExampleChecker<'a> {
    pub spec: &'a ir::Service,
    pub service: &'static ServiceMeta,
    pub checked: Vec<String>,
    pub failures: Vec<String>,
}

impl<'a> ExampleChecker<'a> {
    pub fn new(spec: &'a ir::Service, service: &'static ServiceMeta) -> Self {
        Self {
            spec,
            service,
            checked: Vec::new(),
            failures: Vec::new(),
        }
    }

    fn read(&self, file: &str) -> String {
        let path = self.spec.dir.join(file);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn check<E: Endpoint>(&mut self, example: &ir::Example) -> Result<(), String> {
        let text = self.read(&example.file);
        let expected: Value = match &example.reencoded {
            Some(file) => serde_json::from_str(&self.read(file)).map_err(|e| e.to_string())?,
            None => serde_json::from_str(&text).map_err(|e| e.to_string())?,
        };
        let actual = match example.kind {
            ir::ExampleKind::Request => roundtrip::<E::Request>(&text, "")?,
            ir::ExampleKind::Response => self.roundtrip_reply::<E>(&text)?,
        };
        self.check_table_columns(example, &text)?;
        if actual != expected && std::env::var_os("TAXSDK_WRITE_REENCODED").is_some() {
            // Maintainer aid, like INSTA_UPDATE: rewrite a declared `reencoded`
            // file from the current output; review the diff before committing.
            if let Some(file) = &example.reencoded {
                let text = serde_json::to_string_pretty(&actual).map_err(|e| e.to_string())?;
                let path = self.spec.dir.join(file);
                std::fs::write(&path, text + "\n").map_err(|e| e.to_string())?;
                return Ok(());
            }
        }
        if actual != expected {
            return Err(format!(
                "re-encoding differs from the {}:\n  expected: {}\n  actual:   {}",
                if example.reencoded.is_some() {
                    "reencoded file"
                } else {
                    "file"
                },
                expected,
                actual
            ));
        }
        Ok(())
    }

    /// Table columns are matched by name at run time, out of serde_ignored's
    /// sight: check them against the row models here.
    fn check_table_columns(&self, example: &ir::Example, text: &str) -> Result<(), String> {
        let endpoint = self
            .spec
            .endpoints
            .iter()
            .find(|e| e.name == example.endpoint)
            .ok_or("unknown endpoint")?;
        let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let (ty, value) = match example.kind {
            ir::ExampleKind::Request => (endpoint.request.as_ref(), &value),
            ir::ExampleKind::Response => {
                let data = self.service.envelope.map_or("", |e| e.data);
                (
                    endpoint.response.as_ref(),
                    value.get(data).unwrap_or(&Value::Null),
                )
            }
        };
        let mut unknown = Vec::new();
        if let Some(ty) = ty {
            unknown_columns(self.spec, ty, value, "", &mut unknown);
        }
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "table columns unknown to the spec: {}",
                unknown.join(", ")
            ))
        }
    }

    fn roundtrip_reply<E: Endpoint>(&self, text: &str) -> Result<Value, String> {
        if let Some(shape) = &self.spec.encrypted_envelope {
            return roundtrip_encrypted_reply::<E>(shape, text);
        }
        let shape = self
            .service
            .envelope
            .ok_or("service without envelope: response examples need one")?;
        let reply = envelope::split(&shape, text).map_err(|e| format!("envelope: {e}"))?;
        let code = reply.code.ok_or("no status in the envelope")?;
        let data = if code == shape.success && E::META.has_response {
            let raw = reply.data.ok_or("success reply without payload")?;
            roundtrip::<E::Response>(raw.get(), shape.data)?
        } else {
            // Error replies carry an empty payload: keep it as written.
            match reply.data {
                Some(raw) => serde_json::from_str(raw.get()).map_err(|e| e.to_string())?,
                None => Value::Null,
            }
        };
        serde_json::to_value(envelope::Wrapped {
            shape: &shape,
            data: &data,
            code,
            text: &reply.text,
        })
        .map_err(|e| e.to_string())
    }
}

/// A reply of an encrypted service (the IRP), `Data` shown decrypted: on
/// success `Data` round-trips through the response model; a refusal's
/// `ErrorDetails`/`InfoDtls` are kept as written (the session reads them).
fn roundtrip_encrypted_reply<E: Endpoint>(
    shape: &ir::EncryptedEnvelope,
    text: &str,
) -> Result<Value, String> {
    let mut reply: serde_json::Map<String, Value> =
        serde_json::from_str(text).map_err(|e| format!("envelope: {e}"))?;
    let status = match reply.get(&shape.status) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| format!("no numeric `{}` in the envelope", shape.status))?;
    if status == shape.success && E::META.has_response {
        let data = reply
            .get(&shape.data)
            .ok_or_else(|| format!("success reply without `{}`", shape.data))?
            .to_string();
        let data = roundtrip::<E::Response>(&data, &shape.data)?;
        reply.insert(shape.data.clone(), data);
    }
    Ok(Value::Object(reply))
}

/// Decode `text` as `T`, failing on fields `T` does not know, and encode it back.
pub fn roundtrip<T: for<'de> Deserialize<'de> + Serialize>(
    text: &str,
    prefix: &str,
) -> Result<Value, String> {
    let mut unknown = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value: T = serde_ignored::deserialize(&mut deserializer, |path| {
        unknown.push(format!("{prefix}.{path}"));
    })
    .map_err(|e| format!("decode: {e}"))?;
    if !unknown.is_empty() {
        return Err(format!(
            "fields unknown to the spec: {}",
            unknown.join(", ")
        ));
    }
    serde_json::to_value(&value).map_err(|e| format!("encode: {e}"))
}

impl EndpointVisitor for ExampleChecker<'_> {
    fn visit<E: Endpoint>(&mut self) {
        let examples: Vec<ir::Example> = self
            .spec
            .examples
            .iter()
            .filter(|x| x.endpoint == E::META.name)
            .cloned()
            .collect();
        for example in examples {
            match self.check::<E>(&example) {
                Ok(()) => self.checked.push(example.file.clone()),
                Err(e) => self.failures.push(format!("{}: {e}", example.file)),
            }
        }
    }
}

/// Collect `path.Fields[name]` for table columns the row model lacks.
fn unknown_columns(
    spec: &ir::Service,
    ty: &ir::Type,
    value: &Value,
    path: &str,
    out: &mut Vec<String>,
) {
    match (ty, value) {
        (ir::Type::Model(name), Value::Object(object)) => {
            let Some(model) = spec.model(name) else {
                return;
            };
            for field in &model.fields {
                if let Some(v) = object.get(&field.wire) {
                    unknown_columns(spec, &field.ty, v, &format!("{path}.{}", field.wire), out);
                }
            }
        }
        (ir::Type::List(inner), Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                unknown_columns(spec, inner, v, &format!("{path}[{i}]"), out);
            }
        }
        (ir::Type::Map(inner), Value::Object(object)) => {
            for (k, v) in object {
                unknown_columns(spec, inner, v, &format!("{path}.{k}"), out);
            }
        }
        (ir::Type::Table(row), Value::Object(object)) => {
            let Some(model) = spec.model(row) else { return };
            let fields = object.get("Fields").and_then(Value::as_array);
            for name in fields.into_iter().flatten().filter_map(Value::as_str) {
                if !model.fields.iter().any(|f| f.wire == name) {
                    out.push(format!("{path}.Fields[{name:?}]"));
                }
            }
        }
        _ => {}
    }
}

/// Serve `router` on a free loopback port; returns its base URL.
pub async fn serve(router: taxsdk_runtime::server::axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let address = listener.local_addr().expect("bound address");
    tokio::spawn(async move { taxsdk_runtime::server::axum::serve(listener, router).await });
    format!("http://{address}")
}

/// A loopback server answering every request with `status` and the JSON
/// `body`, for client error-path tests; returns its base URL.
pub async fn canned_server(status: u16, body: &'static str) -> String {
    use taxsdk_runtime::server::axum;
    let status = axum::http::StatusCode::from_u16(status).expect("a valid HTTP status");
    let router = axum::Router::new().fallback(move || async move {
        (
            status,
            [("content-type", "application/json; charset=utf-8")],
            body,
        )
    });
    serve(router).await
}

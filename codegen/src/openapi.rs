//! OpenAPI 3.1 export of a JSON service, generated from the IR.
//!
//! The document describes the wire as the generated crate sees it: every
//! endpoint under `paths` (its request body and reply, wrapped in the
//! service's envelope when it has one), every model and enum under
//! `components/schemas`, the bearer scheme, and docs in English with the
//! original text after it. Lenient encodings show every JSON type the decoder
//! accepts (e.g. `type: [number, string]` for a `lenient_number` decimal);
//! `x-taxsdk-encoding` names the encoding, whose first form is the one written.
//! Enums are open (unknown codes decode into `Unknown`), so their codes are
//! listed in the description, `examples` and `x-enum-varnames` rather than as a
//! closing `enum`.
//!
//! Keys are sorted at every level, so the output is byte-for-byte stable.

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::ir::{
    Auth, Code, DefaultValue, Doc, Encoding, Endpoint, Enum, EnumRepr, ErrorKind, Field, Model,
    NewtypeWire, Presence, Service, Type,
};
use crate::{Mode, Stale, Target, load_service};

/// File name of the export inside a spec folder.
pub const FILE_NAME: &str = "openapi.json";

const STATUS_SCHEMA: &str = "taxsdk.Status";
const ERROR_REPLY_SCHEMA: &str = "taxsdk.ErrorReply";
const BEARER: &str = "bearer";

/// The OpenAPI 3.1 document of a service.
pub fn document(service: &Service) -> Value {
    let mut doc = Map::new();
    doc.insert("openapi".into(), json!("3.1.0"));
    let mut info = Map::new();
    info.insert("title".into(), json!(service.title));
    info.insert(
        "version".into(),
        json!(service.document_version.as_deref().unwrap_or("unversioned")),
    );
    if let Some(d) = description(&service.doc) {
        info.insert("description".into(), json!(d));
    }
    if let Some(date) = &service.document_date {
        info.insert("x-document-date".into(), json!(date));
    }
    info.insert("x-taxsdk-crate".into(), json!(service.name));
    doc.insert("info".into(), Value::Object(info));
    doc.insert(
        "servers".into(),
        Value::Array(
            service
                .base_urls
                .iter()
                .map(|b| json!({ "url": b.url, "description": b.name }))
                .collect(),
        ),
    );

    let mut paths = Map::new();
    for endpoint in &service.endpoints {
        let item = paths
            .entry(endpoint.path.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(
                endpoint.method.as_str().to_ascii_lowercase(),
                operation(service, endpoint),
            );
        }
    }
    doc.insert("paths".into(), Value::Object(paths));

    let mut schemas = Map::new();
    for model in &service.models {
        schemas.insert(model.name.clone(), model_schema(service, model));
    }
    for e in &service.enums {
        schemas.insert(e.name.clone(), enum_schema(e));
    }
    if let Some(env) = &service.envelope {
        schemas.insert(
            STATUS_SCHEMA.into(),
            json!({
                "type": "object",
                "description": format!(
                    "Status of every reply: `{}` {} means success; see x-taxsdk-error-codes for the others.",
                    env.code, env.success
                ),
                "properties": {
                    env.code.clone(): { "type": "integer", "format": "int64" },
                    env.text.clone(): { "type": ["string", "null"] },
                },
                "required": [env.code],
            }),
        );
        schemas.insert(
            ERROR_REPLY_SCHEMA.into(),
            json!({
                "type": "object",
                "description": "A reply whose status is not success; its payload is usually null.",
                "properties": {
                    env.data.clone(): {},
                    env.status.clone(): { "$ref": schema_ref(STATUS_SCHEMA) },
                },
                "required": [env.status],
            }),
        );
    }
    let mut components = Map::new();
    components.insert("schemas".into(), Value::Object(schemas));
    if service.auth == Auth::Bearer {
        components.insert(
            "securitySchemes".into(),
            json!({ BEARER: { "type": "http", "scheme": "bearer", "description": "Header `Authorization: bearer {ACCESS_TOKEN}`." } }),
        );
        doc.insert("security".into(), json!([{ BEARER: [] }]));
    }
    doc.insert("components".into(), Value::Object(components));
    doc.insert(
        "x-taxsdk-error-codes".into(),
        Value::Array(
            service
                .errors
                .iter()
                .map(|e| {
                    let mut m = Map::new();
                    m.insert("code".into(), json!(e.code));
                    m.insert("meaning".into(), json!(e.meaning));
                    m.insert("kind".into(), json!(kind_text(e.kind)));
                    if let Some(text) = &e.text {
                        m.insert("text".into(), json!(text));
                    }
                    if let Some(status) = e.http_status {
                        m.insert("http_status".into(), json!(status));
                    }
                    Value::Object(m)
                })
                .collect(),
        ),
    );
    sorted(Value::Object(doc))
}

/// The document as checked-in text: pretty JSON with a final newline.
pub fn render(service: &Service) -> Result<String, String> {
    let text = serde_json::to_string_pretty(&document(service)).map_err(|e| {
        format!(
            "cannot serialize the OpenAPI document of {}: {e}",
            service.name
        )
    })?;
    Ok(text + "\n")
}

/// Write (or, in [`Mode::Check`], compare) `spec/<service>/openapi.json` of
/// every target whose spec lives under `spec/` (test fixtures have none).
/// Stale files come back with a unified diff, like [`crate::sync`].
pub fn sync(root: &Path, targets: &[Target], mode: Mode) -> Result<Vec<Stale>, String> {
    let mut stale = Vec::new();
    let mut errors = Vec::new();
    for target in targets.iter().filter(|t| t.spec.starts_with("spec/")) {
        let label = format!("{}/{FILE_NAME}", target.spec);
        match sync_file(
            &root.join(target.spec),
            &root.join(&label),
            &label,
            target.spec,
            mode,
        ) {
            Ok(s) => stale.extend(s),
            Err(e) => errors.push(e.replace(&format!("{}/", root.display()), "")),
        }
    }
    if errors.is_empty() {
        Ok(stale)
    } else {
        Err(errors.join("\n"))
    }
}

/// Write or check the OpenAPI export of the spec in `spec` at `out`;
/// `out_label` and `spec_label` are how the report names them. Returns the
/// file when it was stale.
pub fn sync_file(
    spec: &Path,
    out: &Path,
    out_label: &str,
    spec_label: &str,
    mode: Mode,
) -> Result<Option<Stale>, String> {
    let service = load_service(spec).map_err(|d| d.to_string())?;
    if service.soap.is_some() || service.encrypted_envelope.is_some() {
        // A SOAP service is described by its WSDL; an encrypted envelope
        // (IRP: every body is AES under a session key) has no OpenAPI form.
        return Ok(None);
    }
    let fresh = render(&service)?;
    let current = match std::fs::read_to_string(out) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", out.display())),
    };
    if current == fresh {
        return Ok(None);
    }
    if mode == Mode::Write {
        std::fs::write(out, &fresh).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    }
    Ok(Some(Stale {
        path: out_label.into(),
        spec: spec_label.to_string(),
        diff: crate::output::unified_diff(&current, &fresh, FILE_NAME),
    }))
}

/// Rebuild every object with its keys in sorted order, whatever map type
/// serde_json was built with.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

fn schema_ref(name: &str) -> String {
    format!("#/components/schemas/{name}")
}

/// English text, then the original after a blank line.
fn description(doc: &Doc) -> Option<String> {
    match (&doc.en, &doc.original) {
        (Some(en), Some(original)) => Some(format!("{en}\n\nOriginal: {original}")),
        (Some(en), None) => Some(en.clone()),
        (None, Some(original)) => Some(format!("Original: {original}")),
        (None, None) => None,
    }
}

fn kind_text(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Service => "service",
        ErrorKind::Authentication => "authentication",
        ErrorKind::Session => "session",
    }
}

fn operation(service: &Service, e: &Endpoint) -> Value {
    let mut op = Map::new();
    op.insert("operationId".into(), json!(e.name));
    op.insert("x-rust-method".into(), json!(e.rust_name));
    if let Some(d) = description(&e.doc) {
        op.insert("description".into(), json!(d));
    }
    // `/Invoice/SaveInvoice` is tagged `Invoice`.
    let path = e.path.trim_start_matches('/');
    if let Some((tag, _)) = path.split_once('/')
        && !tag.is_empty()
    {
        op.insert("tags".into(), json!([tag]));
    }
    if let Some(request) = &e.request {
        op.insert(
            "requestBody".into(),
            json!({
                "required": true,
                "content": { "application/json": { "schema": type_schema(service, request, Encoding::Native) } },
            }),
        );
    }
    if let Some(key) = &e.idempotency_key {
        op.insert("x-idempotency-key".into(), json!(key));
    }
    let mut responses = Map::new();
    let payload = e
        .response
        .as_ref()
        .map(|t| type_schema(service, t, Encoding::Native));
    let ok = match (&service.envelope, payload) {
        (Some(env), payload) => {
            let mut properties = Map::new();
            properties.insert(env.data.clone(), payload.unwrap_or_else(|| json!({})));
            properties.insert(
                env.status.clone(),
                json!({ "$ref": schema_ref(STATUS_SCHEMA) }),
            );
            json!({
                "description": format!("Success: `{}.{}` is {}.", env.status, env.code, env.success),
                "content": { "application/json": { "schema": {
                    "type": "object",
                    "properties": properties,
                    "required": [env.status],
                } } },
            })
        }
        (None, Some(payload)) => json!({
            "description": "Success.",
            "content": { "application/json": { "schema": payload } },
        }),
        (None, None) => json!({ "description": "Success (no payload)." }),
    };
    responses.insert("200".into(), ok);
    // Documented error codes, grouped by the HTTP status they come with.
    let mut by_status: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for code in &e.errors {
        let error = service.errors.iter().find(|x| x.code == *code);
        let status = error
            .and_then(|x| x.http_status)
            .map_or_else(|| "default".to_string(), |s| s.to_string());
        if status == "200" {
            continue;
        }
        let meaning = error.map_or("undocumented", |x| x.meaning.as_str());
        by_status
            .entry(status)
            .or_default()
            .push(format!("- `{code}`: {meaning}"));
    }
    for (status, lines) in by_status {
        let mut reply = Map::new();
        reply.insert(
            "description".into(),
            json!(format!("Error codes:\n{}", lines.join("\n"))),
        );
        if service.envelope.is_some() {
            reply.insert(
                "content".into(),
                json!({ "application/json": { "schema": { "$ref": schema_ref(ERROR_REPLY_SCHEMA) } } }),
            );
        }
        responses.insert(status, Value::Object(reply));
    }
    op.insert("responses".into(), Value::Object(responses));
    if service.auth == Auth::Bearer && !e.auth {
        op.insert("security".into(), json!([]));
    }
    Value::Object(op)
}

fn model_schema(service: &Service, model: &Model) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in &model.fields {
        properties.insert(field.wire.clone(), field_schema(service, field));
        if field.presence == Presence::Required {
            required.push(json!(field.wire));
        }
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    if let Some(d) = description(&model.doc) {
        schema.insert("description".into(), json!(d));
    }
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema.insert(
        "x-field-order".into(),
        Value::Array(model.fields.iter().map(|f| json!(f.wire)).collect()),
    );
    Value::Object(schema)
}

fn field_schema(service: &Service, field: &Field) -> Value {
    let mut schema = type_schema(service, &field.ty, field.encoding);
    if field.empty_as_absent {
        schema = json!({ "anyOf": [schema, { "const": "" }, { "type": "null" }] });
    }
    let Value::Object(mut map) = schema else {
        return schema;
    };
    let mut text = description(&field.doc);
    if let Type::Newtype { .. } = field.ty.scalar()
        && let Some(Value::String(type_text)) = map.get("description")
    {
        // Keep what the type says (its rule) after what the field says.
        text = Some(text.map_or(type_text.clone(), |t| format!("{t}\n\n{type_text}")));
    }
    if field.empty_as_absent {
        let note = "An empty string or null means absent.";
        text = Some(text.map_or(note.to_string(), |t| format!("{t}\n\n{note}")));
    }
    if let Some(t) = text {
        map.insert("description".into(), json!(t));
    }
    if field.presence == Presence::Output {
        map.insert("readOnly".into(), json!(true));
    }
    if field.sensitive {
        map.insert("x-sensitive".into(), json!(true));
    }
    map.insert("x-rust-field".into(), json!(field.rust));
    if let Some(default) = &field.default {
        map.insert(
            "default".into(),
            default_value(service, default, field.encoding),
        );
    }
    Value::Object(map)
}

/// A default in the form the encoder writes it.
fn default_value(service: &Service, default: &DefaultValue, encoding: Encoding) -> Value {
    match default {
        DefaultValue::Bool(b) => match encoding {
            Encoding::BoolString => json!(b.to_string()),
            Encoding::BoolInt => json!(u8::from(*b)),
            _ => json!(b),
        },
        DefaultValue::Int(i) if encoding == Encoding::StringNumber => json!(i.to_string()),
        DefaultValue::Int(i) => json!(i),
        DefaultValue::Decimal(text) if encoding == Encoding::StringNumber => json!(text),
        // Parsed as a JSON number, its exact text kept (arbitrary_precision).
        DefaultValue::Decimal(text) => serde_json::from_str::<serde_json::Number>(text)
            .map_or_else(|_| json!(text), Value::Number),
        DefaultValue::Str(s) => json!(s),
        DefaultValue::EnumVariant(e, v) => service
            .enumeration(e)
            .and_then(|e| e.values.iter().find(|x| x.name == *v))
            .map_or_else(|| json!(v), |x| code_value(&x.code)),
    }
}

fn code_value(code: &Code) -> Value {
    match code {
        Code::Int(i) => json!(i),
        Code::Str(s) => json!(s),
    }
}

/// A regular expression for a date format in the spec's notation.
fn date_pattern(format: &str) -> String {
    let mut out = String::new();
    let mut rest = format;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("YYYY") {
            out.push_str("[0-9]{4}");
            rest = r;
        } else if let Some(r) = ["MM", "DD", "HH", "SS"]
            .iter()
            .find_map(|t| rest.strip_prefix(t))
        {
            out.push_str("[0-9]{2}");
            rest = r;
        } else {
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                if c.is_ascii_alphanumeric() || c == ' ' || c == '-' || c == ':' || c == '/' {
                    out.push(c);
                } else {
                    out.push('\\');
                    out.push(c);
                }
            }
            rest = chars.as_str();
        }
    }
    out
}

fn type_schema(service: &Service, ty: &Type, encoding: Encoding) -> Value {
    let format = |i: &usize| service.date_formats.get(*i);
    let integer = |fmt: &str| match encoding {
        Encoding::LenientNumber => json!({ "type": ["integer", "string"], "format": fmt,
            "x-taxsdk-encoding": "lenient_number",
            "description": "Written as a JSON number; integral floats and numeric strings are read too." }),
        Encoding::StringNumber => json!({ "type": ["string", "integer"], "format": fmt,
            "x-taxsdk-encoding": "string_number",
            "description": "Written as a numeric string; numbers are read too." }),
        _ => json!({ "type": "integer", "format": fmt }),
    };
    match ty {
        Type::String => match encoding {
            Encoding::LenientString => json!({ "type": ["string", "number"],
                "x-taxsdk-encoding": "lenient_string",
                "description": "Written as a string; a number is read as its exact text." }),
            _ => json!({ "type": "string" }),
        },
        Type::Bool => match encoding {
            Encoding::BoolString | Encoding::BoolInt => {
                let canonical = if encoding == Encoding::BoolString {
                    json!(["true", "false"])
                } else {
                    json!([1, 0])
                };
                json!({
                    "enum": [true, false, "true", "false", 1, 0, "1", "0"],
                    "x-taxsdk-encoding": encoding.spec_name(),
                    "x-taxsdk-written-as": canonical,
                })
            }
            _ => json!({ "type": "boolean" }),
        },
        Type::I32 => integer("int32"),
        Type::I64 => integer("int64"),
        Type::Decimal => match encoding {
            Encoding::LenientNumber | Encoding::StringNumber => json!({
                "type": ["number", "string"],
                "format": "decimal",
                "x-taxsdk-encoding": encoding.spec_name(),
                "description": if encoding == Encoding::LenientNumber {
                    "Exact decimal, written as a JSON number; numeric strings are read too."
                } else {
                    "Exact decimal, written as a numeric string; numbers are read too."
                },
            }),
            _ => json!({ "type": "number", "format": "decimal" }),
        },
        Type::Date(i) | Type::DateTime(i) => match format(i) {
            Some(f) => json!({ "type": "string", "pattern": format!("^{}$", date_pattern(&f.spec)),
                "x-taxsdk-date-format": f.spec }),
            None => json!({ "type": "string" }),
        },
        Type::DateRange(i) => match format(i) {
            Some(f) => {
                let date = date_pattern(&f.spec);
                let sep = date_pattern(&f.range_separator);
                json!({ "type": "string", "pattern": format!("^{date}{sep}{date}$"),
                    "x-taxsdk-date-format": f.spec,
                    "description": format!("Two dates in {} joined by {:?}.", f.spec, f.range_separator) })
            }
            None => json!({ "type": "string" }),
        },
        Type::YearMonth(i) => match format(i) {
            Some(f) => json!({ "type": ["string", "integer"],
                "pattern": format!("^{}$", date_pattern(&f.spec)),
                "x-taxsdk-date-format": f.spec,
                "description": format!("A month of a year in {}; integers are read too.", f.spec) }),
            None => json!({ "type": ["string", "integer"] }),
        },
        Type::Uuid => json!({ "type": "string", "format": "uuid" }),
        Type::Json => json!({}),
        Type::List(inner) => {
            json!({ "type": "array", "items": type_schema(service, inner, encoding) })
        }
        Type::Map(inner) => json!({ "type": "object",
            "additionalProperties": type_schema(service, inner, encoding) }),
        Type::Table(model) => json!({
            "type": "object",
            "description": format!("A table: `Fields` names the columns, each row of `Rows` is one {model} in that order."),
            "properties": {
                "Fields": { "type": "array", "items": { "type": "string" } },
                "Rows": { "type": "array", "items": { "type": "array" } },
            },
            "required": ["Fields", "Rows"],
            "x-taxsdk-row": { "$ref": schema_ref(model) },
        }),
        // Only SOAP services have DataTables, and they get no OpenAPI export.
        Type::DataTable(model) => json!({ "x-taxsdk-datatable": model.as_deref().map(schema_ref) }),
        Type::Model(name) | Type::Enum(name) => json!({ "$ref": schema_ref(name) }),
        Type::Newtype { name, .. } => {
            let mut map = Map::new();
            let newtype = service.newtype(name);
            match newtype.map(|n| n.wire) {
                Some(NewtypeWire::String) | None => {
                    map.insert("type".into(), json!("string"));
                }
            }
            if let Some(pattern) = newtype.and_then(|n| n.pattern.as_ref()) {
                map.insert("pattern".into(), json!(pattern));
            }
            if let Some(text) = newtype.and_then(|n| description(&n.doc)) {
                map.insert("description".into(), json!(text));
            }
            map.insert("x-taxsdk-newtype".into(), json!(name));
            Value::Object(map)
        }
    }
}

fn enum_schema(e: &Enum) -> Value {
    let ty = match e.repr {
        EnumRepr::Int => json!(["integer", "string"]),
        EnumRepr::String => json!("string"),
    };
    let mut lines = Vec::new();
    if let Some(d) = description(&e.doc) {
        lines.push(d);
        lines.push(String::new());
    }
    lines.push("Codes (open: other codes may appear and decode as `Unknown`):".to_string());
    for v in &e.values {
        let code = match &v.code {
            Code::Int(i) => i.to_string(),
            Code::Str(s) => format!("{s:?}"),
        };
        let labels: Vec<&str> = [&v.en, &v.ka]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if labels.is_empty() {
            lines.push(format!("- `{code}`: {}", v.name));
        } else {
            lines.push(format!("- `{code}`: {} ({})", v.name, labels.join(" / ")));
        }
    }
    if e.repr == EnumRepr::Int {
        lines.push(String::new());
        lines.push(if e.accept_labels {
            "Numeric strings and label texts are read too.".to_string()
        } else {
            "Numeric strings are read too.".to_string()
        });
    }
    json!({
        "type": ty,
        "description": lines.join("\n"),
        "examples": e.values.iter().map(|v| code_value(&v.code)).collect::<Vec<_>>(),
        "x-enum-varnames": e.values.iter().map(|v| v.name.clone()).collect::<Vec<_>>(),
        "x-enum-descriptions": e.values.iter().map(|v| v.en.clone().or_else(|| v.ka.clone()).unwrap_or_default()).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_patterns() {
        assert_eq!(
            date_pattern("DD-MM-YYYY HH:MM:SS"),
            "[0-9]{2}-[0-9]{2}-[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}"
        );
        assert_eq!(date_pattern("YYYY.MM"), "[0-9]{4}\\.[0-9]{2}");
        assert_eq!(date_pattern("YYYY-MM-DDTHH:MM:SS").matches('T').count(), 1);
    }
}

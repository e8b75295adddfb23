//! Loader: reads a spec folder, parses every YAML file (unknown keys are
//! errors), and validates the whole into the IR. Every mistake found is
//! reported, each with file, line and column, rather than stopping at the first.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_saphyr::{Location, Spanned};

use crate::constraints;
use crate::ir::{self, Code, DateFormat, DefaultValue, Doc, Encoding, Presence, Type};
use crate::names;
use crate::spec::*;

/// One mistake in a spec, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// All mistakes found in a spec, in file and line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Load and validate the spec in `dir`.
pub fn load_service(dir: &Path) -> Result<ir::Service, Diagnostics> {
    let mut loader = Loader {
        dir: dir.to_path_buf(),
        diagnostics: Vec::new(),
    };
    let files = loader.read_files();
    let service = loader.validate(files);
    let mut diagnostics = loader.diagnostics;
    if diagnostics.is_empty()
        && let Some(service) = service
    {
        return Ok(service);
    }
    diagnostics.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    diagnostics.dedup();
    Err(Diagnostics(diagnostics))
}

/// A parsed file and the path it came from.
struct Parsed {
    path: PathBuf,
    spec: SpecFile,
}

struct Loader {
    dir: PathBuf,
    diagnostics: Vec<Diagnostic>,
}

/// Where a value is: its file and position.
#[derive(Clone, Copy)]
struct At<'a> {
    file: &'a Path,
    line: u64,
    column: u64,
}

fn at<'a, T>(file: &'a Path, spanned: &Spanned<T>) -> At<'a> {
    at_location(file, spanned.referenced)
}

fn at_location(file: &Path, location: Location) -> At<'_> {
    At {
        file,
        line: location.line().max(1),
        column: location.column().max(1),
    }
}

/// What a spec type name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TypeKind {
    Model,
    Enum,
    Newtype,
}

impl TypeKind {
    fn as_str(self) -> &'static str {
        match self {
            TypeKind::Model => "model",
            TypeKind::Enum => "enum",
            TypeKind::Newtype => "newtype",
        }
    }
}

const BUILTIN_TYPES: &str = "string, bool, i32, i64, decimal, date, date_time, date_range, year_month, uuid, json, list<T>, map<T>, table<Model>, datatable<Model>";

impl Loader {
    fn error(&mut self, at: At<'_>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            file: at.file.to_path_buf(),
            line: at.line,
            column: at.column,
            message: message.into(),
        });
    }

    fn error_in_file(&mut self, file: &Path, message: impl Into<String>) {
        self.error(
            At {
                file,
                line: 1,
                column: 1,
            },
            message,
        );
    }

    fn read_files(&mut self) -> Vec<Parsed> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) => {
                let dir = self.dir.clone();
                self.error_in_file(&dir, format!("cannot read the spec folder: {err}"));
                return Vec::new();
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .is_some_and(|ext| ext == "yaml" || ext == "yml")
            })
            .collect();
        paths.sort();
        if !paths
            .iter()
            .any(|p| p.file_name().is_some_and(|n| n == "service.yaml"))
        {
            let path = self.dir.join("service.yaml");
            self.error_in_file(
                &path,
                "missing service.yaml: every spec folder needs one with the `service:` block",
            );
        }
        let mut parsed = Vec::new();
        for path in paths {
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(err) => {
                    self.error_in_file(&path, format!("cannot read the file: {err}"));
                    continue;
                }
            };
            match serde_saphyr::from_str::<Option<SpecFile>>(&text) {
                Ok(spec) => parsed.push(Parsed {
                    path,
                    spec: spec.unwrap_or_default(),
                }),
                Err(err) => {
                    let (line, column) = err
                        .location()
                        .map(|l| (l.line().max(1), l.column().max(1)))
                        .unwrap_or((1, 1));
                    let message = yaml_message(&err);
                    self.diagnostics.push(Diagnostic {
                        file: path,
                        line,
                        column,
                        message,
                    });
                }
            }
        }
        parsed
    }

    fn validate(&mut self, files: Vec<Parsed>) -> Option<ir::Service> {
        let mut service = None;
        for file in &files {
            if let Some(raw) = &file.spec.service {
                let is_service_file = file.path.file_name().is_some_and(|n| n == "service.yaml");
                if !is_service_file {
                    self.error(
                        at(&file.path, raw),
                        "the `service:` block belongs in service.yaml",
                    );
                } else {
                    service = Some((file.path.as_path(), raw));
                }
            }
        }
        let Some((service_file, raw_service)) = service else {
            if let Some(file) = files
                .iter()
                .find(|f| f.path.file_name().is_some_and(|n| n == "service.yaml"))
            {
                let path = file.path.clone();
                self.error_in_file(&path, "service.yaml has no `service:` block");
            }
            return None;
        };

        // Names of everything that can be a type, to resolve references.
        let mut type_names: BTreeMap<String, (TypeKind, PathBuf, u64, u64)> = BTreeMap::new();
        for file in &files {
            for m in &file.spec.models {
                self.declare_type(&mut type_names, &file.path, &m.value.name, TypeKind::Model);
            }
            for e in &file.spec.enums {
                self.declare_type(&mut type_names, &file.path, &e.value.name, TypeKind::Enum);
            }
            for n in &file.spec.newtypes {
                self.declare_type(
                    &mut type_names,
                    &file.path,
                    &n.value.name,
                    TypeKind::Newtype,
                );
            }
        }
        let newtypes = self.validate_newtypes(&files);

        let service_auth = match raw_service.value.auth.value.as_str() {
            "none" => ir::Auth::None,
            "bearer" => ir::Auth::Bearer,
            "service_user" => ir::Auth::ServiceUser,
            "session" => ir::Auth::Session,
            other => {
                self.error(
                    at(service_file, &raw_service.value.auth),
                    format!(
                        "unknown auth scheme `{other}`: expected `none`, `bearer`, `service_user` or `session`"
                    ),
                );
                ir::Auth::None
            }
        };
        let soap = self.validate_soap_service(service_file, raw_service, service_auth);
        let encrypted_envelope =
            self.validate_encrypted_envelope(service_file, raw_service, service_auth);

        let mut date_formats = Vec::new();
        let mut enums = Vec::new();
        let mut models = Vec::new();
        let mut errors = Vec::new();
        for file in &files {
            for e in &file.spec.enums {
                if let Some(e) = self.validate_enum(&file.path, e) {
                    enums.push(e);
                }
            }
        }
        let enum_index: BTreeMap<String, ir::Enum> =
            enums.iter().map(|e| (e.name.clone(), e.clone())).collect();
        for file in &files {
            for m in &file.spec.models {
                let model = self.validate_model(
                    &file.path,
                    m,
                    &type_names,
                    &enum_index,
                    &mut date_formats,
                    service_auth,
                );
                models.push(model);
            }
            for e in &file.spec.errors {
                errors.push((file.path.clone(), e));
            }
        }

        self.check_constraints(&files, &mut models);
        for field in models.iter_mut().flat_map(|m| m.fields.iter_mut()) {
            resolve_newtype(&mut field.ty, &newtypes);
        }

        let mut error_codes = Vec::new();
        let mut seen_codes = BTreeSet::new();
        for (path, e) in &errors {
            if !seen_codes.insert(e.value.code.value) {
                self.error(
                    at(path, &e.value.code),
                    format!("duplicate error code {}", e.value.code.value),
                );
                continue;
            }
            let kind = match e.value.kind.as_ref() {
                None => ir::ErrorKind::Service,
                Some(k) => match k.value.as_str() {
                    "service" => ir::ErrorKind::Service,
                    "authentication" => ir::ErrorKind::Authentication,
                    "session" => ir::ErrorKind::Session,
                    other => {
                        self.error(
                            at(path, k),
                            format!(
                                "error code {}: unknown kind `{other}`: expected service, authentication or session",
                                e.value.code.value
                            ),
                        );
                        ir::ErrorKind::Service
                    }
                },
            };
            let mut meaning = e.value.meaning.clone();
            if let Some(source) = &e.value.source
                && let Some(note) = self.source_doc(path, source, Doc::default()).en
            {
                meaning = format!("{meaning} ({note})");
            }
            error_codes.push(ir::ErrorCode {
                code: e.value.code.value,
                text: e.value.text.clone(),
                meaning,
                http_status: e.value.http_status,
                kind,
            });
        }

        let mut endpoints = Vec::new();
        let mut endpoint_names = BTreeMap::new();
        let mut method_names = BTreeMap::new();
        let mut routes = BTreeMap::new();
        for file in &files {
            for e in &file.spec.endpoints {
                if let Some(endpoint) = self.validate_endpoint(
                    &file.path,
                    e,
                    service_auth,
                    soap.as_ref(),
                    &models,
                    &type_names,
                    &seen_codes,
                    &mut endpoint_names,
                    &mut method_names,
                    &mut routes,
                ) {
                    endpoints.push(endpoint);
                }
            }
        }

        self.check_soap_models(&files, &models);

        let mut examples = Vec::new();
        let mut example_files = BTreeSet::new();
        for file in &files {
            for x in &file.spec.examples {
                if let Some(example) = self.validate_example(&file.path, x, &endpoints) {
                    if !example_files.insert(example.file.clone()) {
                        self.error(
                            at(&file.path, &x.value.file),
                            format!("example file `{}` is declared twice", x.value.file.value),
                        );
                        continue;
                    }
                    examples.push(example);
                }
            }
        }
        for endpoint in &mut endpoints {
            endpoint.examples = examples
                .iter()
                .filter(|x| x.endpoint == endpoint.name)
                .map(|x| x.file.clone())
                .collect();
        }

        let raw = &raw_service.value;
        let folder = self
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if raw.name.value != folder {
            self.error(
                at(service_file, &raw.name),
                format!(
                    "service name `{}` differs from its folder name `{folder}`",
                    raw.name.value
                ),
            );
        }
        if raw.base_urls.is_empty() {
            self.error(
                at(service_file, raw_service),
                "`base_urls` is empty: the client needs a default",
            );
        }
        for url in &raw.base_urls {
            if !(url.url.value.starts_with("https://") || url.url.value.starts_with("http://")) {
                self.error(
                    at(service_file, &url.url),
                    format!(
                        "base URL `{}` must start with https:// or http://",
                        url.url.value
                    ),
                );
            }
        }
        if let Some(date) = raw.document.as_ref().and_then(|d| d.date.as_ref())
            && !is_iso_date(&date.value)
        {
            self.error(
                at(service_file, date),
                format!("document date `{}` is not a YYYY-MM-DD date", date.value),
            );
        }

        Some(ir::Service {
            name: raw.name.value.clone(),
            title: raw.title.clone(),
            doc: doc(&raw.doc),
            document_version: raw.document.as_ref().map(|d| d.version.clone()),
            document_date: raw
                .document
                .as_ref()
                .and_then(|d| d.date.as_ref().map(|d| d.value.clone())),
            base_urls: raw
                .base_urls
                .iter()
                .map(|b| {
                    if let Some(source) = &b.source {
                        self.source_doc(service_file, source, Doc::default());
                    }
                    ir::BaseUrl {
                        name: b.name.clone(),
                        url: b.url.value.trim_end_matches('/').to_string(),
                    }
                })
                .collect(),
            auth: service_auth,
            soap,
            encrypted_envelope,
            schema_error: raw.schema_error.as_ref().map(|c| c.value),
            envelope: raw.envelope.as_ref().map(|e| ir::Envelope {
                data: e.data.clone(),
                status: e.status.clone(),
                code: e.code.clone(),
                text: e.text.clone(),
                success: e.success,
                malformed_request: e.malformed_request,
            }),
            endpoints,
            models,
            enums,
            newtypes,
            errors: error_codes,
            examples,
            dir: self.dir.clone(),
            date_formats,
        })
    }

    /// The service's `soap:` block, checked against `auth` and `envelope`.
    fn validate_soap_service(
        &mut self,
        file: &Path,
        raw: &Spanned<RawService>,
        auth: ir::Auth,
    ) -> Option<ir::SoapService> {
        let service = &raw.value;
        let Some(soap) = &service.soap else {
            if auth == ir::Auth::ServiceUser {
                self.error(
                    at(file, &service.auth),
                    "auth `service_user` needs a `soap:` binding: the credentials travel as SOAP parameters",
                );
            }
            return None;
        };
        let here = at(file, soap);
        let soap = &soap.value;
        if service.envelope.is_some() {
            self.error(
                here,
                "a SOAP service has no JSON `envelope`: its replies are SOAP envelopes",
            );
        }
        if auth == ir::Auth::Bearer {
            self.error(
                at(file, &service.auth),
                "auth `bearer` is not available for a SOAP service: use `none` or `service_user`",
            );
        }
        let version = match soap.version.value.as_str() {
            "1.1" => ir::SoapVersion::Soap11,
            "1.2" => ir::SoapVersion::Soap12,
            other => {
                self.error(
                    at(file, &soap.version),
                    format!("unknown SOAP version `{other}`: expected \"1.1\" or \"1.2\""),
                );
                ir::SoapVersion::Soap11
            }
        };
        let namespace = soap.namespace.value.trim();
        if namespace.is_empty() || namespace.contains(char::is_whitespace) {
            self.error(
                at(file, &soap.namespace),
                format!(
                    "SOAP namespace `{}` must be a non-empty URI without spaces",
                    soap.namespace.value
                ),
            );
        }
        let path = &soap.path;
        if !path.value.starts_with('/') || path.value.contains(char::is_whitespace) {
            self.error(
                at(file, path),
                format!(
                    "SOAP path `{}` must start with `/` and hold no spaces",
                    path.value
                ),
            );
        }
        let wsdl = soap
            .wsdl
            .as_ref()
            .and_then(|name| self.read_wsdl(file, name, namespace));
        Some(ir::SoapService {
            version,
            namespace: namespace.to_string(),
            path: path.value.clone(),
            wsdl,
        })
    }

    /// The WSDL file that `soap.wsdl` names: a plain file name beside
    /// `file` (service.yaml), readable as UTF-8, whose `targetNamespace` is
    /// the binding's namespace.
    fn read_wsdl(
        &mut self,
        file: &Path,
        name: &Spanned<String>,
        namespace: &str,
    ) -> Option<ir::Wsdl> {
        let here = at(file, name);
        let plain = Path::new(&name.value)
            .file_name()
            .is_some_and(|n| n == name.value.as_str());
        if !plain || !name.value.ends_with(".wsdl") || name.value.starts_with('.') {
            self.error(
                here,
                format!(
                    "soap.wsdl `{}` must be the name of a `.wsdl` file beside service.yaml (no folders)",
                    name.value
                ),
            );
            return None;
        }
        let path = file.parent().unwrap_or(Path::new(".")).join(&name.value);
        let text = match std::fs::read(&path).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                self.error(
                    here,
                    format!("soap.wsdl `{}` is not UTF-8 text", name.value),
                );
                return None;
            }
            Err(e) => {
                self.error(here, format!("cannot read soap.wsdl `{}`: {e}", name.value));
                return None;
            }
        };
        let target = text
            .split_once("targetNamespace=\"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(ns, _)| ns);
        if target != Some(namespace) {
            self.error(
                here,
                format!(
                    "soap.wsdl `{}` has targetNamespace {}, but soap.namespace is `{namespace}`",
                    name.value,
                    target.map_or("(none)".to_string(), |t| format!("`{t}`")),
                ),
            );
            return None;
        }
        Some(ir::Wsdl {
            file: name.value.clone(),
            text,
        })
    }

    /// The `encrypted_envelope:` block: only with `auth: session`, and no
    /// other binding beside it.
    fn validate_encrypted_envelope(
        &mut self,
        file: &Path,
        raw: &Spanned<RawService>,
        auth: ir::Auth,
    ) -> Option<ir::EncryptedEnvelope> {
        let service = &raw.value;
        let Some(envelope) = &service.encrypted_envelope else {
            if auth == ir::Auth::Session {
                self.error(
                    at(file, &service.auth),
                    "auth `session` needs an `encrypted_envelope:` block: how payloads travel",
                );
            }
            return None;
        };
        if auth != ir::Auth::Session {
            self.error(
                at(file, envelope),
                "`encrypted_envelope` needs `auth: session`: a session holds the key",
            );
        }
        if service.envelope.is_some() || service.soap.is_some() {
            self.error(
                at(file, envelope),
                "`encrypted_envelope` replaces `envelope` and `soap`: keep only one binding",
            );
        }
        let e = &envelope.value;
        Some(ir::EncryptedEnvelope {
            status: e.status.clone(),
            data: e.data.clone(),
            errors: e.errors.clone(),
            info: e.info.clone(),
            success: e.success,
        })
    }

    /// Every `{name}` of an HTTP path is a request field `in: path`, and
    /// every such field appears in the path.
    fn check_path_parameters(
        &mut self,
        file: &Path,
        e: &RawEndpoint,
        path: &str,
        request: Option<&ir::Model>,
    ) -> bool {
        let mut ok = true;
        let mut placeholders = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                self.error(
                    at(file, &e.name),
                    format!(
                        "endpoint `{}`: path `{path}` has an unclosed `{{`",
                        e.name.value
                    ),
                );
                return false;
            };
            placeholders.push(&rest[open + 1..open + close]);
            rest = &rest[open + close + 1..];
        }
        let in_path: Vec<&ir::Field> = request
            .map(|m| {
                m.fields
                    .iter()
                    .filter(|f| f.location == ir::Location::Path)
                    .collect()
            })
            .unwrap_or_default();
        for name in &placeholders {
            if !in_path.iter().any(|f| f.wire == *name) {
                ok = false;
                self.error(
                    at(file, &e.name),
                    format!(
                        "endpoint `{}`: path parameter `{{{name}}}` is not a request field with `in: path`",
                        e.name.value
                    ),
                );
            }
        }
        for f in in_path {
            if !placeholders.contains(&f.wire.as_str()) {
                ok = false;
                self.error(
                    at(file, &e.name),
                    format!(
                        "endpoint `{}`: request field `{}` is `in: path` but the path `{path}` has no `{{{}}}`",
                        e.name.value, f.wire, f.wire
                    ),
                );
            }
        }
        ok
    }

    /// `doc` with the `source:` note; an unknown tag is an error.
    fn source_doc(&mut self, file: &Path, source: &Spanned<String>, doc: Doc) -> Doc {
        match constraints::with_source(doc.clone(), &source.value) {
            Ok(doc) => doc,
            Err(message) => {
                self.error(at(file, source), message);
                doc
            }
        }
    }

    /// A field's own constraints, checked against its type. Checks that need
    /// other fields or models are in [`Self::check_constraints`].
    fn field_constraints(&mut self, file: &Path, f: &RawField, ty: &Type) -> ir::Constraints {
        let wire = &f.wire.value;
        let mut c = ir::Constraints::default();
        let is_string = *ty == Type::String;
        let is_number = matches!(ty, Type::Decimal | Type::I32 | Type::I64);
        let is_list = matches!(ty, Type::List(_));
        let wrong_type = |this: &mut Self, key: &str, at_: At<'_>, wants: &str| {
            this.error(
                at_,
                format!(
                    "field `{wire}`: `{key}` applies to {wants}, not `{}`",
                    f.ty.value
                ),
            );
        };
        if let Some(raw) = &f.length {
            if !is_string {
                wrong_type(self, "length", at(file, raw), "strings");
            }
            match constraints::count_bounds(&raw.value) {
                Ok(b) => c.length = Some(b),
                Err(e) => self.error(at(file, raw), format!("field `{wire}`: length {e}")),
            }
        }
        for (key, raw, slot) in [
            ("pattern", &f.pattern, &mut c.pattern),
            ("not_pattern", &f.not_pattern, &mut c.not_pattern),
        ] {
            let Some(raw) = raw else { continue };
            if !is_string {
                wrong_type(self, key, at(file, raw), "strings");
            }
            match constraints::check_pattern(&raw.value) {
                Ok(()) => *slot = Some(raw.value.clone()),
                Err(e) => self.error(at(file, raw), format!("field `{wire}`: {e}")),
            }
        }
        if let Some(raw) = &f.range {
            if !is_number {
                wrong_type(self, "range", at(file, raw), "numbers (decimal, i32, i64)");
            }
            match constraints::number_bounds(&raw.value) {
                Ok(b) => c.range = Some(b),
                Err(e) => self.error(at(file, raw), format!("field `{wire}`: range {e}")),
            }
        }
        if let Some(raw) = &f.items {
            if !is_list {
                wrong_type(self, "items", at(file, raw), "lists");
            }
            match constraints::count_bounds(&raw.value) {
                Ok(b) => c.items = Some(b),
                Err(e) => self.error(at(file, raw), format!("field `{wire}`: items {e}")),
            }
        }
        if let Some(raw) = &f.unique {
            if !matches!(ty, Type::List(inner) if matches!(inner.as_ref(), Type::Model(_))) {
                wrong_type(self, "unique", at(file, raw), "lists of models");
            }
            c.unique = Some(raw.value.clone());
        }
        if let Some(raw) = &f.required_when {
            let equals = match &raw.value.equals.value {
                RawScalar::Str(s) => s.clone(),
                RawScalar::Int(i) => i.to_string(),
                other => {
                    self.error(
                        at(file, &raw.value.equals),
                        format!(
                            "field `{wire}`: required_when compares with a code, not {}",
                            scalar_text(other)
                        ),
                    );
                    String::new()
                }
            };
            c.required_when = Some((raw.value.field.value.clone(), equals));
        }
        c.error_code = f.error_code.as_ref().map(|e| e.value);
        c
    }

    /// What constraints need beyond their own field: `required_when`
    /// siblings, `unique` members, and the models' `rules`.
    fn check_constraints(&mut self, files: &[Parsed], models: &mut [ir::Model]) {
        let snapshot: Vec<ir::Model> = models.to_vec();
        let raw_models = files.iter().flat_map(|file| {
            file.spec
                .models
                .iter()
                .map(move |m| (file.path.as_path(), m))
        });
        for ((file, raw), model) in raw_models.zip(models.iter_mut()) {
            for raw_field in &raw.value.fields {
                let f = &raw_field.value;
                let Some(field) = model.fields.iter().find(|x| x.wire == f.wire.value) else {
                    continue;
                };
                if let Some(when) = &f.required_when {
                    let sibling = model
                        .fields
                        .iter()
                        .find(|x| x.wire == when.value.field.value);
                    match sibling.map(|s| &s.ty) {
                        None => self.error(
                            at(file, &when.value.field),
                            format!(
                                "field `{}`: required_when names `{}`, which model `{}` does not have",
                                f.wire.value, when.value.field.value, model.name
                            ),
                        ),
                        Some(Type::String) => {}
                        Some(Type::Enum(e))
                            if snapshot_enum_is_string(files, e) => {}
                        Some(other) => self.error(
                            at(file, &when.value.field),
                            format!(
                                "field `{}`: required_when compares `{}`, which is {}, not a string or string enum",
                                f.wire.value,
                                when.value.field.value,
                                type_text(other)
                            ),
                        ),
                    }
                    if !constraints::can_be_absent(field) {
                        self.error(
                            at(file, when),
                            format!(
                                "field `{}`: required_when needs a field that may be absent (optional, no default)",
                                f.wire.value
                            ),
                        );
                    }
                }
                if let (Some(unique), Type::List(inner)) = (&f.unique, &field.ty)
                    && let Type::Model(element) = inner.as_ref()
                {
                    let element = snapshot.iter().find(|m| &m.name == element);
                    let member =
                        element.and_then(|m| m.fields.iter().find(|x| x.wire == unique.value));
                    match member.map(|m| &m.ty) {
                        Some(Type::String | Type::I32 | Type::I64) => {}
                        Some(other) => self.error(
                            at(file, unique),
                            format!(
                                "field `{}`: unique member `{}` is {}; expected a string or integer",
                                f.wire.value,
                                unique.value,
                                type_text(other)
                            ),
                        ),
                        None => self.error(
                            at(file, unique),
                            format!(
                                "field `{}`: unique names `{}`, which its elements do not have",
                                f.wire.value, unique.value
                            ),
                        ),
                    }
                }
            }
            let mut rules = Vec::new();
            let mut checks = BTreeSet::new();
            for rule in &raw.value.rules {
                let r = &rule.value;
                let mut rule_doc = doc(&r.doc);
                if let Some(source) = &r.source {
                    rule_doc = self.source_doc(file, source, rule_doc);
                }
                let kind = match (&r.equal, &r.to, &r.check) {
                    (Some(left), Some(right), None) => {
                        let tolerance = match &r.tolerance {
                            None => "0".to_string(),
                            Some(t) => match &t.value {
                                RawScalar::Str(s) if is_decimal_text(s) && !s.starts_with('-') => {
                                    s.clone()
                                }
                                RawScalar::Int(i) if *i >= 0 => i.to_string(),
                                other => {
                                    self.error(
                                        at(file, t),
                                        format!(
                                            "rule {}: tolerance {} is not a non-negative decimal",
                                            r.code.value,
                                            scalar_text(other)
                                        ),
                                    );
                                    "0".to_string()
                                }
                            },
                        };
                        let sides = (
                            constraints::parse_terms(&left.value, model, &snapshot),
                            constraints::parse_terms(&right.value, model, &snapshot),
                        );
                        match sides {
                            (Ok(left_terms), Ok(right_terms)) => ir::RuleKind::Equal {
                                text: format!("{} = {}", left.value.trim(), right.value.trim()),
                                left: left_terms,
                                right: right_terms,
                                tolerance,
                            },
                            (Err(e), _) => {
                                self.error(at(file, left), format!("rule {}: {e}", r.code.value));
                                continue;
                            }
                            (_, Err(e)) => {
                                self.error(at(file, right), format!("rule {}: {e}", r.code.value));
                                continue;
                            }
                        }
                    }
                    (None, None, Some(check)) => {
                        if !names::is_snake(&check.value) {
                            self.error(
                                at(file, check),
                                format!(
                                    "rule {}: check `{}` must be a snake_case function name",
                                    r.code.value, check.value
                                ),
                            );
                            continue;
                        }
                        if !checks.insert(check.value.clone()) {
                            self.error(
                                at(file, check),
                                format!(
                                    "model `{}`: check `{}` is listed twice",
                                    model.name, check.value
                                ),
                            );
                        }
                        ir::RuleKind::Check(check.value.clone())
                    }
                    _ => {
                        self.error(
                            at(file, rule),
                            format!(
                                "rule {}: give either `equal` and `to`, or `check`",
                                r.code.value
                            ),
                        );
                        continue;
                    }
                };
                rules.push(ir::Rule {
                    code: r.code.value,
                    doc: rule_doc,
                    kind,
                });
            }
            model.rules = rules;
        }
    }

    /// The `newtypes:` declarations: a Rust path, a supported wire form,
    /// and a pattern that compiles.
    fn validate_newtypes(&mut self, files: &[Parsed]) -> Vec<ir::Newtype> {
        let mut out = Vec::new();
        for file in files {
            for raw in &file.spec.newtypes {
                let n = &raw.value;
                let name = &n.name.value;
                let mut ok = true;
                if let Err(why) = check_rust_path(&n.rust.value) {
                    self.error(
                        at(&file.path, &n.rust),
                        format!(
                            "newtype `{name}`: `rust: {}` is not a usable type path ({why}); write e.g. `crate::{name}`",
                            n.rust.value
                        ),
                    );
                    ok = false;
                }
                let wire = match n.wire.value.as_str() {
                    "string" => ir::NewtypeWire::String,
                    other => {
                        self.error(
                            at(&file.path, &n.wire),
                            format!(
                                "newtype `{name}`: unsupported `wire: {other}`: only `string` is supported"
                            ),
                        );
                        ok = false;
                        ir::NewtypeWire::String
                    }
                };
                let pattern = match &n.pattern {
                    None => None,
                    Some(p) => match constraints::check_pattern(&p.value) {
                        Ok(()) => Some(p.value.clone()),
                        Err(e) => {
                            self.error(at(&file.path, p), format!("newtype `{name}`: {e}"));
                            ok = false;
                            None
                        }
                    },
                };
                if ok {
                    out.push(ir::Newtype {
                        name: name.clone(),
                        rust: n.rust.value.trim().to_string(),
                        wire,
                        pattern,
                        doc: doc(&n.doc),
                    });
                }
            }
        }
        out
    }

    fn declare_type(
        &mut self,
        names: &mut BTreeMap<String, (TypeKind, PathBuf, u64, u64)>,
        file: &Path,
        name: &Spanned<String>,
        kind: TypeKind,
    ) {
        let here = at(file, name);
        if !names::is_pascal(&name.value) {
            self.error(
                here,
                format!("type name `{}` is not PascalCase", name.value),
            );
        }
        if BUILTIN_TYPES
            .split(", ")
            .any(|b| b.trim_end_matches("<T>") == name.value)
        {
            self.error(
                here,
                format!("type name `{}` shadows a built-in type", name.value),
            );
        }
        if let Some((first_kind, f, l, c)) = names.get(&name.value) {
            let first = format!("{}:{l}:{c}", f.display());
            let message = if kind == TypeKind::Newtype || *first_kind == TypeKind::Newtype {
                format!(
                    "{} `{}` has the name of the {} defined at {first}: type names must be unique",
                    kind.as_str(),
                    name.value,
                    first_kind.as_str()
                )
            } else {
                format!("type `{}` is defined twice (first at {first})", name.value)
            };
            self.error(here, message);
            return;
        }
        names.insert(
            name.value.clone(),
            (kind, file.to_path_buf(), here.line, here.column),
        );
    }

    fn validate_enum(&mut self, file: &Path, raw: &Spanned<RawEnum>) -> Option<ir::Enum> {
        let e = &raw.value;
        let repr = match e.repr.value.as_str() {
            "int" => ir::EnumRepr::Int,
            "string" => ir::EnumRepr::String,
            other => {
                self.error(
                    at(file, &e.repr),
                    format!(
                        "enum `{}`: unknown repr `{other}`: expected `int` or `string`",
                        e.name.value
                    ),
                );
                return None;
            }
        };
        if e.values.is_empty() {
            self.error(
                at(file, raw),
                format!("enum `{}` has no values", e.name.value),
            );
        }
        let mut codes: BTreeMap<String, String> = BTreeMap::new();
        let mut variant_names: BTreeMap<String, String> = BTreeMap::new();
        let mut labels: BTreeMap<String, String> = BTreeMap::new();
        let mut values = Vec::new();
        for v in &e.values {
            let v = &v.value;
            let code = match (repr, &v.code.value) {
                (ir::EnumRepr::Int, RawScalar::Int(i)) => Code::Int(*i),
                (ir::EnumRepr::String, RawScalar::Str(s)) => Code::Str(s.clone()),
                (ir::EnumRepr::String, RawScalar::Int(i)) => Code::Str(i.to_string()),
                (_, other) => {
                    self.error(
                        at(file, &v.code),
                        format!(
                            "enum `{}`: code {} does not fit repr `{}`",
                            e.name.value,
                            scalar_text(other),
                            e.repr.value
                        ),
                    );
                    continue;
                }
            };
            let code_text = match &code {
                Code::Int(i) => i.to_string(),
                Code::Str(s) => format!("{s:?}"),
            };
            if let Some(other) = codes.insert(code_text.clone(), v.name.value.clone()) {
                self.error(
                    at(file, &v.code),
                    format!(
                        "enum `{}`: variant collision: code {code_text} is used by `{other}` and `{}`",
                        e.name.value, v.name.value
                    ),
                );
            }
            if !names::is_pascal(&v.name.value) {
                self.error(
                    at(file, &v.name),
                    format!(
                        "enum `{}`: variant name `{}` is not PascalCase",
                        e.name.value, v.name.value
                    ),
                );
            } else if v.name.value == "Unknown" {
                self.error(
                    at(file, &v.name),
                    format!(
                        "enum `{}`: `Unknown` is reserved for codes the spec does not list",
                        e.name.value
                    ),
                );
            } else if let Some(other) =
                variant_names.insert(v.name.value.clone(), code_text.clone())
            {
                self.error(
                    at(file, &v.name),
                    format!(
                        "enum `{}`: variant collision: name `{}` is used by codes {other} and {code_text}",
                        e.name.value, v.name.value
                    ),
                );
            }
            for label in [&v.ka, &v.en].into_iter().flatten() {
                if let Some(other) = labels.insert(label.clone(), code_text.clone())
                    && other != code_text
                {
                    self.error(
                            at(file, &v.name),
                            format!(
                                "enum `{}`: variant collision: label {label:?} is used by codes {other} and {code_text}",
                                e.name.value
                            ),
                        );
                }
            }
            let source = v
                .source
                .as_ref()
                .and_then(|s| self.source_doc(file, s, Doc::default()).en);
            values.push(ir::EnumValue {
                code,
                name: v.name.value.clone(),
                ka: v.ka.clone(),
                en: v.en.clone(),
                source,
            });
        }
        let case_insensitive = e.case_insensitive.as_ref().is_some_and(|c| c.value);
        if let Some(c) = &e.case_insensitive
            && c.value
            && repr != ir::EnumRepr::String
        {
            self.error(
                at(file, c),
                format!(
                    "enum `{}`: `case_insensitive` needs repr `string`",
                    e.name.value
                ),
            );
        }
        Some(ir::Enum {
            name: e.name.value.clone(),
            repr,
            accept_labels: e.accept_labels,
            case_insensitive,
            doc: doc(&e.doc),
            values,
        })
    }

    fn validate_model(
        &mut self,
        file: &Path,
        raw: &Spanned<RawModel>,
        type_names: &BTreeMap<String, (TypeKind, PathBuf, u64, u64)>,
        enums: &BTreeMap<String, ir::Enum>,
        date_formats: &mut Vec<DateFormat>,
        service_auth: ir::Auth,
    ) -> ir::Model {
        let m = &raw.value;
        let mut credentials: BTreeMap<&str, &str> = BTreeMap::new();
        let mut wire_names: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        let mut rust_names: BTreeMap<String, String> = BTreeMap::new();
        let mut fields = Vec::new();
        for f in &m.fields {
            let here = at(file, f);
            let f = &f.value;
            let wire = &f.wire.value;
            if let Some((l, c)) = wire_names.get(wire.as_str()) {
                self.error(
                    at(file, &f.wire),
                    format!(
                        "model `{}`: duplicate wire name `{wire}` (first at line {l}, column {c})",
                        m.name.value
                    ),
                );
                continue;
            }
            let wire_at = at(file, &f.wire);
            wire_names.insert(wire, (wire_at.line, wire_at.column));

            let rust = match &f.rust {
                Some(r) => {
                    if !names::is_snake(&r.value) {
                        self.error(
                            at(file, r),
                            format!(
                                "model `{}`: Rust name `{}` is not snake_case",
                                m.name.value, r.value
                            ),
                        );
                    }
                    names::escape_keyword(r.value.clone())
                }
                None => match names::snake(wire) {
                    Some(name) => name,
                    None => {
                        self.error(
                            wire_at,
                            format!(
                                "model `{}`: wire name `{wire}` gives no usable Rust name; add `rust:`",
                                m.name.value
                            ),
                        );
                        continue;
                    }
                },
            };
            if let Some(other) = rust_names.insert(rust.clone(), wire.clone()) {
                self.error(
                    wire_at,
                    format!(
                        "model `{}`: duplicate Rust name `{rust}` after case conversion (wire names `{other}` and `{wire}`); give one a `rust:` override",
                        m.name.value
                    ),
                );
            }

            let Some(ty) = self.parse_type(file, &f.ty, type_names, f, date_formats) else {
                continue;
            };
            let encoding = self.parse_encoding(file, f, &ty, &m.name.value);
            let presence = match &f.presence {
                None => Presence::Optional,
                Some(p) => match p.value.as_str() {
                    "optional" => Presence::Optional,
                    "required" => Presence::Required,
                    "output" => Presence::Output,
                    other => {
                        self.error(
                            at(file, p),
                            format!(
                                "field `{wire}`: unknown presence `{other}`: expected required, optional or output"
                            ),
                        );
                        Presence::Optional
                    }
                },
            };
            let default = f
                .default
                .as_ref()
                .and_then(|d| self.parse_default(file, d, &ty, enums, wire));
            let empty_as_absent = f.empty_as_absent.as_ref().is_some_and(|e| e.value);
            if let Some(e) = &f.empty_as_absent
                && e.value
                && (presence == Presence::Required || default.is_some())
            {
                self.error(
                        at(file, e),
                        format!(
                            "field `{wire}`: empty_as_absent needs an optional or output field without a default"
                        ),
                    );
            }
            if default.is_some() && presence == Presence::Required {
                self.error(
                    here,
                    format!("field `{wire}`: a required field cannot have a default"),
                );
            }
            let credential = f.credential.as_ref().and_then(|c| {
                let which = match c.value.as_str() {
                    "user" => ir::Credential::User,
                    "password" => ir::Credential::Password,
                    other => {
                        self.error(
                            at(file, c),
                            format!(
                                "field `{wire}`: unknown credential `{other}`: expected user or password"
                            ),
                        );
                        return None;
                    }
                };
                if service_auth != ir::Auth::ServiceUser {
                    self.error(
                        at(file, c),
                        format!(
                            "field `{wire}`: `credential` needs the service's auth to be `service_user`"
                        ),
                    );
                }
                if ty != Type::String {
                    self.error(
                        at(file, c),
                        format!("field `{wire}`: a credential must be a string, not `{}`", f.ty.value),
                    );
                }
                if presence == Presence::Output {
                    self.error(
                        at(file, c),
                        format!("field `{wire}`: a credential is a request parameter, not an output"),
                    );
                }
                if let Some(first) = credentials.insert(c.value.as_str(), wire.as_str()) {
                    self.error(
                        at(file, c),
                        format!(
                            "model `{}`: credential `{}` is carried by both `{first}` and `{wire}`",
                            m.name.value, c.value
                        ),
                    );
                }
                Some(which)
            });
            let table = match (&f.table, &ty) {
                (None, _) => None,
                (Some(t), Type::DataTable(_)) => {
                    if !is_xml_name(&t.value) {
                        self.error(
                            at(file, t),
                            format!(
                                "field `{wire}`: table name `{}` is not an XML name",
                                t.value
                            ),
                        );
                    }
                    Some(t.value.clone())
                }
                (Some(t), _) => {
                    self.error(
                        at(file, t),
                        format!(
                            "field `{wire}`: `table` applies only to datatable<Row>, not `{}`",
                            f.ty.value
                        ),
                    );
                    None
                }
            };
            let location = match f.location.as_ref().map(|l| l.value.as_str()) {
                None | Some("body") => ir::Location::Body,
                Some("path") => ir::Location::Path,
                Some("query") => ir::Location::Query,
                Some("header") => ir::Location::Header,
                Some(other) => {
                    self.error(
                        f.location.as_ref().map_or(here, |l| at(file, l)),
                        format!(
                            "field `{wire}`: unknown `in: {other}`: expected body, path, query or header"
                        ),
                    );
                    ir::Location::Body
                }
            };
            if location != ir::Location::Body && service_auth != ir::Auth::Session {
                self.error(
                    f.location.as_ref().map_or(here, |l| at(file, l)),
                    format!(
                        "field `{wire}`: `in: path/query/header` needs `auth: session` (the generic transports send every field in the body)"
                    ),
                );
            }
            let constraints = self.field_constraints(file, f, &ty);
            let mut field_doc = doc(&f.doc);
            if let Some(source) = &f.source {
                field_doc = self.source_doc(file, source, field_doc);
            }
            fields.push(ir::Field {
                wire: wire.clone(),
                rust,
                ty,
                encoding,
                presence,
                default,
                empty_as_absent,
                sensitive: f.sensitive,
                credential,
                table,
                location,
                constraints,
                doc: field_doc,
            });
        }
        let write_nulls = match m.nulls.as_ref().map(|n| n.value.as_str()) {
            None | Some("omit") => false,
            Some("write") => true,
            Some(other) => {
                let nulls = m.nulls.as_ref().map(|n| at(file, n));
                self.error(
                    nulls.unwrap_or_else(|| at(file, raw)),
                    format!("unknown `nulls: {other}`: expected `omit` or `write`"),
                );
                false
            }
        };
        ir::Model {
            name: m.name.value.clone(),
            doc: doc(&m.doc),
            fields,
            // Resolved in `check_constraints`, once every model is known.
            rules: Vec::new(),
            write_nulls,
        }
    }

    fn parse_type(
        &mut self,
        file: &Path,
        ty: &Spanned<String>,
        type_names: &BTreeMap<String, (TypeKind, PathBuf, u64, u64)>,
        field: &RawField,
        date_formats: &mut Vec<DateFormat>,
    ) -> Option<Type> {
        let here = at(file, ty);
        let parsed = parse_type_expr(ty.value.trim(), type_names);
        let ty_value = match parsed {
            Ok(t) => t,
            Err(message) => {
                self.error(here, message);
                return None;
            }
        };
        let scalar = ty_value.scalar().clone();
        let is_date = matches!(
            scalar,
            Type::Date(_) | Type::DateTime(_) | Type::DateRange(_) | Type::YearMonth(_)
        );
        if let Some(format) = &field.format
            && !is_date
        {
            self.error(
                    at(file, format),
                    format!(
                        "field `{}`: `format` applies only to date, date_time, date_range and year_month, not `{}`",
                        field.wire.value, ty.value
                    ),
                );
        }
        if let Some(sep) = &field.separator
            && !matches!(scalar, Type::DateRange(_))
        {
            self.error(
                at(file, sep),
                format!(
                    "field `{}`: `separator` applies only to date_range",
                    field.wire.value
                ),
            );
        }
        if !is_date {
            return Some(ty_value);
        }
        let (default_format, kind) = match scalar {
            Type::DateTime(_) => ("YYYY-MM-DDTHH:MM:SS", FormatKind::DateTime),
            Type::YearMonth(_) => ("YYYYMM", FormatKind::YearMonth),
            _ => ("YYYY-MM-DD", FormatKind::Date),
        };
        let spec_format = field
            .format
            .as_ref()
            .map(|f| f.value.clone())
            .unwrap_or_else(|| default_format.to_string());
        let chrono = match translate_date_format(&spec_format, kind) {
            Ok(c) => c,
            Err(message) => {
                let where_ = field.format.as_ref().map(|f| at(file, f)).unwrap_or(here);
                self.error(
                    where_,
                    format!(
                        "field `{}`: invalid date format `{spec_format}`: {message}",
                        field.wire.value
                    ),
                );
                return None;
            }
        };
        let range_separator = field
            .separator
            .as_ref()
            .map(|s| s.value.clone())
            .unwrap_or_else(|| ":".to_string());
        if range_separator.is_empty()
            && let Some(sep) = &field.separator
        {
            self.error(at(file, sep), "the date range separator cannot be empty");
        }
        let format = DateFormat {
            spec: spec_format,
            chrono,
            range_separator,
        };
        let index = match date_formats.iter().position(|f| *f == format) {
            Some(i) => i,
            None => {
                date_formats.push(format);
                date_formats.len() - 1
            }
        };
        Some(replace_date_index(ty_value, index))
    }

    fn parse_encoding(&mut self, file: &Path, f: &RawField, ty: &Type, model: &str) -> Encoding {
        let Some(enc) = &f.encoding else {
            return Encoding::Native;
        };
        let scalar = ty.scalar();
        let numeric = matches!(scalar, Type::I32 | Type::I64 | Type::Decimal);
        let (encoding, fits) = match enc.value.as_str() {
            "lenient_number" => (Encoding::LenientNumber, numeric),
            "string_number" => (Encoding::StringNumber, numeric),
            "bool_string" => (Encoding::BoolString, *scalar == Type::Bool),
            "bool_int" => (Encoding::BoolInt, *scalar == Type::Bool),
            "lenient_string" => (Encoding::LenientString, *scalar == Type::String),
            other => {
                self.error(
                    at(file, enc),
                    format!(
                        "model `{model}`, field `{}`: unknown encoding `{other}`: expected lenient_number, string_number, bool_string, bool_int or lenient_string",
                        f.wire.value
                    ),
                );
                return Encoding::Native;
            }
        };
        if !fits {
            let allowed = match encoding {
                Encoding::BoolString | Encoding::BoolInt => "bool",
                Encoding::LenientString => "string",
                _ => "i32, i64 or decimal",
            };
            self.error(
                at(file, enc),
                format!(
                    "model `{model}`, field `{}`: encoding `{}` is invalid for type `{}` (it applies to {allowed})",
                    f.wire.value, enc.value, f.ty.value
                ),
            );
            return Encoding::Native;
        }
        encoding
    }

    fn parse_default(
        &mut self,
        file: &Path,
        d: &Spanned<RawScalar>,
        ty: &Type,
        enums: &BTreeMap<String, ir::Enum>,
        wire: &str,
    ) -> Option<DefaultValue> {
        let value = match (ty, &d.value) {
            (Type::Bool, RawScalar::Bool(b)) => Some(DefaultValue::Bool(*b)),
            (Type::I32, RawScalar::Int(i)) if i32::try_from(*i).is_ok() => {
                Some(DefaultValue::Int(*i))
            }
            (Type::I64, RawScalar::Int(i)) => Some(DefaultValue::Int(*i)),
            (Type::Decimal, RawScalar::Int(i)) => Some(DefaultValue::Decimal(i.to_string())),
            (Type::Decimal, RawScalar::Str(s)) if is_decimal_text(s) => {
                Some(DefaultValue::Decimal(s.clone()))
            }
            (Type::String, RawScalar::Str(s)) => Some(DefaultValue::Str(s.clone())),
            (Type::Enum(name), code) => enums.get(name).and_then(|e| {
                e.values
                    .iter()
                    .find(|v| match (&v.code, code) {
                        (Code::Int(a), RawScalar::Int(b)) => a == b,
                        (Code::Str(a), RawScalar::Str(b)) => a == b,
                        _ => false,
                    })
                    .map(|v| DefaultValue::EnumVariant(name.clone(), v.name.clone()))
            }),
            _ => None,
        };
        if value.is_none() {
            let ty_text = type_text(ty);
            self.error(
                at(file, d),
                format!(
                    "field `{wire}`: default {} is not a valid `{ty_text}` value",
                    scalar_text(&d.value)
                ),
            );
        }
        value
    }

    #[allow(clippy::too_many_arguments)]
    fn validate_endpoint(
        &mut self,
        file: &Path,
        raw: &Spanned<RawEndpoint>,
        service_auth: ir::Auth,
        soap: Option<&ir::SoapService>,
        models: &[ir::Model],
        type_names: &BTreeMap<String, (TypeKind, PathBuf, u64, u64)>,
        error_codes: &BTreeSet<i64>,
        endpoint_names: &mut BTreeMap<String, ()>,
        method_names: &mut BTreeMap<String, String>,
        routes: &mut BTreeMap<(String, String), String>,
    ) -> Option<ir::Endpoint> {
        let e = &raw.value;
        let name = &e.name.value;
        let mut ok = true;
        if !names::is_pascal(name) {
            self.error(
                at(file, &e.name),
                format!("endpoint name `{name}` is not PascalCase"),
            );
            ok = false;
        }
        if type_names.contains_key(name) {
            self.error(
                at(file, &e.name),
                format!(
                    "endpoint `{name}` has the name of a model or enum: the endpoint's marker type would hide it; rename one"
                ),
            );
            ok = false;
        }
        if endpoint_names.insert(name.clone(), ()).is_some() {
            self.error(
                at(file, &e.name),
                format!("endpoint `{name}` is defined twice"),
            );
            ok = false;
        }
        let rust_name = match &e.rust {
            Some(r) if names::is_snake(&r.value) => r.value.clone(),
            Some(r) => {
                self.error(
                    at(file, r),
                    format!(
                        "endpoint `{name}`: Rust name `{}` is not snake_case",
                        r.value
                    ),
                );
                return None;
            }
            None => names::snake(name).unwrap_or_default(),
        };
        if let Some(other) = method_names.insert(rust_name.clone(), name.clone()) {
            self.error(
                at(file, &e.name),
                format!(
                    "endpoint `{name}`: duplicate Rust name `{rust_name}` after case conversion (also endpoint `{other}`)"
                ),
            );
            ok = false;
        }
        let (method, path, soap_op) = match (&e.http, &e.soap, soap) {
            (Some(http), None, None) => {
                let http = &http.value;
                let method = match http.method.value.to_ascii_uppercase().as_str() {
                    "GET" => ir::Method::Get,
                    "POST" => ir::Method::Post,
                    "PUT" => ir::Method::Put,
                    "DELETE" => ir::Method::Delete,
                    other => {
                        self.error(
                            at(file, &http.method),
                            format!("endpoint `{name}`: unknown HTTP method `{other}`: expected GET, POST, PUT or DELETE"),
                        );
                        ir::Method::Post
                    }
                };
                let path = &http.path;
                if !path.value.starts_with('/') || path.value.contains(char::is_whitespace) {
                    self.error(
                        at(file, path),
                        format!(
                            "endpoint `{name}`: path `{}` must start with `/` and hold no spaces",
                            path.value
                        ),
                    );
                    ok = false;
                }
                if let Some(other) = routes.insert(
                    (method.as_str().to_string(), path.value.to_ascii_lowercase()),
                    name.clone(),
                ) {
                    self.error(
                        at(file, path),
                        format!(
                            "endpoint `{name}`: {} {} is already the route of endpoint `{other}`",
                            method.as_str(),
                            path.value
                        ),
                    );
                    ok = false;
                }
                (method, path.value.clone(), None)
            }
            (None, Some(op), Some(service_soap)) => {
                let op = &op.value;
                if !is_xml_name(&op.operation.value) {
                    self.error(
                        at(file, &op.operation),
                        format!(
                            "endpoint `{name}`: SOAP operation `{}` is not an XML element name",
                            op.operation.value
                        ),
                    );
                    ok = false;
                }
                let action = op.action.value.trim();
                if action.is_empty() || action.contains(char::is_whitespace) {
                    self.error(
                        at(file, &op.action),
                        format!(
                            "endpoint `{name}`: SOAP action `{}` must be a non-empty URI without spaces",
                            op.action.value
                        ),
                    );
                    ok = false;
                }
                for (key, value, what) in [
                    ("SOAP operation", &op.operation, "operation"),
                    ("SOAP action", &op.action, "action"),
                ] {
                    if let Some(other) =
                        routes.insert((key.to_string(), value.value.clone()), name.clone())
                    {
                        self.error(
                            at(file, value),
                            format!(
                                "endpoint `{name}`: SOAP {what} `{}` is already the {what} of endpoint `{other}`",
                                value.value
                            ),
                        );
                        ok = false;
                    }
                }
                (
                    ir::Method::Post,
                    service_soap.path.clone(),
                    Some(ir::SoapOperation {
                        operation: op.operation.value.clone(),
                        action: action.to_string(),
                    }),
                )
            }
            (None, Some(op), None) => {
                self.error(
                    at(file, op),
                    format!(
                        "endpoint `{name}` has a `soap:` operation but the service has no `soap:` binding"
                    ),
                );
                return None;
            }
            (Some(http), None, Some(_)) => {
                self.error(
                    at(file, http),
                    format!(
                        "endpoint `{name}`: a SOAP service's endpoints are operations: use `soap: {{ operation, action }}` instead of `http`"
                    ),
                );
                return None;
            }
            (Some(http), Some(_), _) => {
                self.error(
                    at(file, http),
                    format!("endpoint `{name}` has both `http` and `soap`: choose one"),
                );
                return None;
            }
            (None, None, _) => {
                let what = if soap.is_some() {
                    "`soap: { operation, action }`"
                } else {
                    "`http: { method, path }`"
                };
                self.error(at(file, &e.name), format!("endpoint `{name}` needs {what}"));
                return None;
            }
        };
        let resolve = |this: &mut Self, model: &Option<Spanned<String>>, role: &str| {
            let m = model.as_ref()?;
            match parse_type_expr(m.value.trim(), type_names) {
                Ok(ty) if body_type_ok(&ty) => Some(ty),
                Ok(_) => {
                    this.error(
                        at(file, m),
                        format!(
                            "endpoint `{name}`: {role} type `{}` must be a model, or a list or map of models, enums, strings or numbers",
                            m.value
                        ),
                    );
                    None
                }
                Err(_) => {
                    this.error(
                        at(file, m),
                        format!(
                            "endpoint `{name}`: {role} model `{}` is referenced but not defined",
                            m.value
                        ),
                    );
                    None
                }
            }
        };
        let request = resolve(self, &e.request, "request");
        let response = resolve(self, &e.response, "response");
        if let Some(op) = &soap_op {
            ok &= self.check_soap_endpoint(file, e, op, &request, &response, models);
        }
        let model_of = |ty: &Option<Type>| match ty {
            Some(Type::Model(m)) => models.iter().find(|x| &x.name == m),
            _ => None,
        };
        let auth = match (service_auth, e.auth) {
            (ir::Auth::None, Some(true)) => {
                self.error(
                    at(file, &e.name),
                    format!("endpoint `{name}` needs auth but the service's auth scheme is `none`"),
                );
                false
            }
            (ir::Auth::None, _) => false,
            (ir::Auth::Bearer, explicit) => explicit.unwrap_or(true),
            (ir::Auth::ServiceUser, Some(_)) => {
                self.error(
                    at(file, &e.name),
                    format!(
                        "endpoint `{name}`: with auth `service_user`, whether an endpoint needs the credentials follows from its request's `credential:` fields; remove `auth`"
                    ),
                );
                false
            }
            (ir::Auth::ServiceUser, None) => {
                model_of(&request).is_some_and(|m| m.fields.iter().any(|f| f.credential.is_some()))
            }
            (ir::Auth::Session, explicit) => explicit.unwrap_or(true),
        };
        ok &= self.check_path_parameters(file, e, &path, model_of(&request));
        let idempotency_key = match &e.idempotency_key {
            None => None,
            Some(key) => {
                let field = match &request {
                    Some(Type::Model(r)) => models.iter().find(|m| &m.name == r),
                    _ => None,
                }
                .and_then(|m| m.fields.iter().find(|f| f.wire == key.value));
                match field {
                    Some(f) if matches!(f.ty, Type::String | Type::Uuid) => Some(key.value.clone()),
                    Some(f) => {
                        self.error(
                            at(file, key),
                            format!(
                                "endpoint `{name}`: idempotency key `{}` must be a string or uuid field, not `{}`",
                                key.value,
                                type_text(&f.ty)
                            ),
                        );
                        None
                    }
                    None => {
                        self.error(
                            at(file, key),
                            format!(
                                "endpoint `{name}`: idempotency key `{}` is not a field of its request model",
                                key.value
                            ),
                        );
                        None
                    }
                }
            }
        };
        for code in &e.errors {
            if !error_codes.contains(&code.value) {
                self.error(
                    at(file, code),
                    format!(
                        "endpoint `{name}`: error code {} is not in the spec's `errors`",
                        code.value
                    ),
                );
            }
        }
        if !ok {
            return None;
        }
        let endpoint_doc = match &e.source {
            Some(source) => self.source_doc(file, source, doc(&e.doc)),
            None => doc(&e.doc),
        };
        Some(ir::Endpoint {
            name: name.clone(),
            rust_name,
            method,
            path,
            soap: soap_op,
            request,
            response,
            auth,
            idempotency_key,
            errors: e.errors.iter().map(|c| c.value).collect(),
            doc: endpoint_doc,
            examples: Vec::new(),
        })
    }

    /// Shapes a SOAP operation needs: the request is a model of parameters
    /// (scalars, enums, repeated scalars or nested models); the reply is a
    /// model whose result element `{operation}Result` comes first, followed
    /// by the out parameters. Returns whether all is well.
    fn check_soap_endpoint(
        &mut self,
        file: &Path,
        e: &RawEndpoint,
        op: &ir::SoapOperation,
        request: &Option<Type>,
        response: &Option<Type>,
        models: &[ir::Model],
    ) -> bool {
        let name = &e.name.value;
        let mut ok = true;
        if let (Some(ty), Some(raw)) = (request, &e.request) {
            match ty {
                Type::Model(m) => {
                    if let Some(model) = models.iter().find(|x| &x.name == m) {
                        for f in &model.fields {
                            if !soap_param_ok(&f.ty) {
                                self.error(
                                    at(file, raw),
                                    format!(
                                        "endpoint `{name}`: parameter `{}` of `{m}` has type `{}`; SOAP parameters are scalars, enums, list<scalar> or models",
                                        f.wire,
                                        type_text(&f.ty)
                                    ),
                                );
                                ok = false;
                            }
                        }
                    }
                }
                _ => {
                    self.error(
                        at(file, raw),
                        format!(
                            "endpoint `{name}`: a SOAP request is a model of the operation's parameters, not `{}`",
                            raw.value
                        ),
                    );
                    ok = false;
                }
            }
        }
        let result = op.result_element();
        match (response, &e.response) {
            (_, None) => {
                self.error(
                    at(file, &e.name),
                    format!(
                        "endpoint `{name}`: a SOAP operation needs `response`: the model of `<{}Response>` (result, then out parameters)",
                        op.operation
                    ),
                );
                ok = false;
            }
            (Some(Type::Model(m)), Some(raw)) => {
                if let Some(model) = models.iter().find(|x| &x.name == m) {
                    for (i, f) in model.fields.iter().enumerate() {
                        let is_result = f.wire == result;
                        if is_result && i != 0 {
                            self.error(
                                at(file, raw),
                                format!(
                                    "endpoint `{name}`: the result element `{result}` must be the first field of `{m}`, before the out parameters"
                                ),
                            );
                            ok = false;
                        }
                        if matches!(f.ty, Type::DataTable(_)) && !is_result {
                            self.error(
                                at(file, raw),
                                format!(
                                    "endpoint `{name}`: field `{}` of `{m}` is a datatable; only the result element `{result}` can be",
                                    f.wire
                                ),
                            );
                            ok = false;
                        }
                    }
                }
            }
            (Some(_), Some(raw)) => {
                self.error(
                    at(file, raw),
                    format!(
                        "endpoint `{name}`: a SOAP response is the model of `<{}Response>` (result, then out parameters), not `{}`",
                        op.operation, raw.value
                    ),
                );
                ok = false;
            }
            (None, Some(_)) => {}
        }
        ok
    }

    /// Credentials only in SOAP request models; datatables only as the result
    /// of SOAP replies, with rows of scalar columns.
    fn check_soap_models(&mut self, files: &[Parsed], models: &[ir::Model]) {
        // From the declarations, so that an endpoint with other mistakes
        // does not make its models look misplaced too.
        let soap_endpoints = || {
            files
                .iter()
                .flat_map(|f| &f.spec.endpoints)
                .filter(|e| e.value.soap.is_some())
        };
        let model_name =
            |ty: &Option<Spanned<String>>| ty.as_ref().map(|t| t.value.trim().to_string());
        let soap_requests: BTreeSet<String> = soap_endpoints()
            .filter_map(|e| model_name(&e.value.request))
            .collect();
        let soap_replies: BTreeSet<String> = soap_endpoints()
            .filter_map(|e| model_name(&e.value.response))
            .collect();
        let rows: BTreeSet<&str> = models
            .iter()
            .flat_map(|m| &m.fields)
            .filter_map(|f| match &f.ty {
                Type::DataTable(row) => row.as_deref(),
                _ => None,
            })
            .collect();
        for file in files {
            for raw in &file.spec.models {
                let name = raw.value.name.value.as_str();
                let Some(model) = models.iter().find(|m| m.name == name) else {
                    continue;
                };
                for (field, raw_field) in model.fields.iter().zip(&raw.value.fields) {
                    if let Some(c) = &raw_field.value.credential
                        && !soap_requests.contains(name)
                    {
                        self.error(
                            at(&file.path, c),
                            format!(
                                "field `{}`: `credential` applies only to the request model of a SOAP endpoint, and `{name}` is none",
                                field.wire
                            ),
                        );
                    }
                    if matches!(field.ty.scalar(), Type::DataTable(_))
                        && (!soap_replies.contains(name) || field.ty.scalar() != &field.ty)
                    {
                        self.error(
                            at(&file.path, &raw_field.value.ty),
                            format!(
                                "field `{}`: a datatable is only the result of a SOAP operation's response model",
                                field.wire
                            ),
                        );
                    }
                    if rows.contains(name) && !row_column_ok(&field.ty) {
                        self.error(
                            at(&file.path, &raw_field.value.ty),
                            format!(
                                "model `{name}` is a DataTable row: column `{}` must be a scalar or an enum, not `{}`",
                                field.wire,
                                type_text(&field.ty)
                            ),
                        );
                    }
                }
            }
        }
    }

    fn validate_example(
        &mut self,
        file: &Path,
        raw: &Spanned<RawExample>,
        endpoints: &[ir::Endpoint],
    ) -> Option<ir::Example> {
        let x = &raw.value;
        let endpoint = endpoints.iter().find(|e| e.name == x.endpoint.value);
        if endpoint.is_none() {
            self.error(
                at(file, &x.endpoint),
                format!(
                    "example `{}` names endpoint `{}`, which the spec does not define",
                    x.file.value, x.endpoint.value
                ),
            );
        }
        let kind = match x.kind.value.as_str() {
            "request" => ir::ExampleKind::Request,
            "response" => ir::ExampleKind::Response,
            other => {
                self.error(
                    at(file, &x.kind),
                    format!(
                        "example `{}`: unknown kind `{other}`: expected request or response",
                        x.file.value
                    ),
                );
                return None;
            }
        };
        if let Some(endpoint) = endpoint
            && kind == ir::ExampleKind::Request
            && endpoint.request.is_none()
        {
            self.error(
                at(file, &x.kind),
                format!(
                    "example `{}` is a request of `{}`, which has no request model",
                    x.file.value, endpoint.name
                ),
            );
        }
        let relative = format!("examples/{}", x.file.value);
        self.check_json_file(file, &x.file, &relative);
        let reencoded = x.reencoded.as_ref().map(|r| {
            let relative = format!("examples/{}", r.value);
            self.check_json_file(file, r, &relative);
            relative
        });
        endpoint?;
        Some(ir::Example {
            file: relative,
            endpoint: x.endpoint.value.clone(),
            kind,
            doc: doc(&x.doc),
            repairs: x.repairs.clone(),
            reencoded,
            normalizations: x.normalizations.clone(),
        })
    }

    fn check_json_file(&mut self, file: &Path, name: &Spanned<String>, relative: &str) {
        if name.value.contains("..") || name.value.starts_with('/') {
            self.error(
                at(file, name),
                format!(
                    "example file `{}` must be a plain name inside examples/",
                    name.value
                ),
            );
            return;
        }
        let path = self.dir.join(relative);
        match std::fs::read(&path) {
            Err(err) => self.error(
                at(file, name),
                format!("example file `{relative}` cannot be read: {err}"),
            ),
            Ok(bytes) => {
                if let Err(err) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                    self.error(
                        at(file, name),
                        format!("example file `{relative}` is not valid JSON: {err}"),
                    );
                }
            }
        }
    }
}

/// The message of a YAML error, without the source snippet the crate adds.
/// Whether the enum `name` of the spec has string codes.
fn snapshot_enum_is_string(files: &[Parsed], name: &str) -> bool {
    files
        .iter()
        .flat_map(|f| &f.spec.enums)
        .any(|e| e.value.name.value == name && e.value.repr.value == "string")
}

fn yaml_message(err: &serde_saphyr::Error) -> String {
    let text = err.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    // The crate appends " at line L, column C"; we print the position ourselves.
    let first = match first.rfind(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    let first = first.trim_start_matches("error: ");
    // ...or prefixes "line L column C: ".
    match first
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((position, message)) if position.contains(" column ") => message.to_string(),
        _ => first.to_string(),
    }
}

fn doc(raw: &Option<RawDoc>) -> Doc {
    match raw {
        None => Doc::default(),
        Some(RawDoc::Plain(en)) => Doc {
            original: None,
            en: Some(en.trim().to_string()),
        },
        Some(RawDoc::Bilingual(b)) => Doc {
            original: b.ka.as_ref().map(|s| s.trim().to_string()),
            en: b.en.as_ref().map(|s| s.trim().to_string()),
        },
    }
}

fn scalar_text(s: &RawScalar) -> String {
    match s {
        RawScalar::Bool(b) => b.to_string(),
        RawScalar::Int(i) => i.to_string(),
        RawScalar::Float(f) => f.to_string(),
        RawScalar::Str(s) => format!("{s:?}"),
    }
}

/// Whether `name` is an XML element name without a prefix (ASCII letters,
/// digits, `_`, `-`, `.`; not starting with a digit, `-` or `.`).
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn is_decimal_text(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let mut parts = s.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.bytes().all(|c| c.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()))
}

/// Parse `list<T>`, `map<T>`, built-ins and spec type names.
fn parse_type_expr(
    text: &str,
    type_names: &BTreeMap<String, (TypeKind, PathBuf, u64, u64)>,
) -> Result<Type, String> {
    for (prefix, wrap) in [
        ("list<", Type::List as fn(Box<Type>) -> Type),
        ("map<", Type::Map as fn(Box<Type>) -> Type),
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            let inner = rest
                .strip_suffix('>')
                .ok_or_else(|| format!("type `{text}` is missing its closing `>`"))?;
            return Ok(wrap(Box::new(parse_type_expr(inner.trim(), type_names)?)));
        }
    }
    if let Some(rest) = text.strip_prefix("datatable<") {
        let inner = rest
            .strip_suffix('>')
            .ok_or_else(|| format!("type `{text}` is missing its closing `>`"))?
            .trim();
        if inner == "map<string>" {
            return Ok(Type::DataTable(None));
        }
        return match type_names.get(inner) {
            Some((TypeKind::Model, ..)) => Ok(Type::DataTable(Some(inner.to_string()))),
            Some((kind, ..)) => Err(format!(
                "`{text}`: DataTable rows must be a model (or `map<string>`), `{inner}` is {} {}",
                if *kind == TypeKind::Enum { "an" } else { "a" },
                kind.as_str()
            )),
            None => Err(format!("`{text}`: unknown row model `{inner}`")),
        };
    }
    if let Some(rest) = text.strip_prefix("table<") {
        let inner = rest
            .strip_suffix('>')
            .ok_or_else(|| format!("type `{text}` is missing its closing `>`"))?
            .trim();
        return match type_names.get(inner) {
            Some((TypeKind::Model, ..)) => Ok(Type::Table(inner.to_string())),
            Some((kind, ..)) => Err(format!(
                "`{text}`: table rows must be a model, `{inner}` is {} {}",
                if *kind == TypeKind::Enum { "an" } else { "a" },
                kind.as_str()
            )),
            None => Err(format!("`{text}`: unknown row model `{inner}`")),
        };
    }
    Ok(match text {
        "string" => Type::String,
        "bool" => Type::Bool,
        "i32" => Type::I32,
        "i64" => Type::I64,
        "decimal" => Type::Decimal,
        "date" => Type::Date(0),
        "date_time" => Type::DateTime(0),
        "date_range" => Type::DateRange(0),
        "year_month" => Type::YearMonth(0),
        "uuid" => Type::Uuid,
        "json" => Type::Json,
        name => match type_names.get(name) {
            Some((TypeKind::Enum, ..)) => Type::Enum(name.to_string()),
            Some((TypeKind::Model, ..)) => Type::Model(name.to_string()),
            // The Rust path is filled in once the declarations are checked.
            Some((TypeKind::Newtype, ..)) => Type::Newtype {
                name: name.to_string(),
                rust: String::new(),
            },
            None => {
                return Err(format!(
                    "unknown type `{name}`: not a built-in type ({BUILTIN_TYPES}) nor a model, enum or newtype of this spec"
                ));
            }
        },
    })
}

/// Whether `text` is a plain path to a type (`crate::Tin`,
/// `taxsdk_runtime::Money`): identifiers joined by `::`, no generics, and a
/// last segment that names a type. Says why not.
fn check_rust_path(text: &str) -> Result<(), String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("it is empty".into());
    }
    let path: syn::Path = syn::parse_str(text)
        .map_err(|_| "not a Rust path of identifiers joined by `::`".to_string())?;
    if path
        .segments
        .iter()
        .any(|s| !matches!(s.arguments, syn::PathArguments::None))
    {
        return Err("generic arguments are not supported".into());
    }
    let last = path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    if !last.starts_with(|c: char| c.is_ascii_uppercase()) {
        return Err(format!(
            "its last segment `{last}` is not a type name (they start with an upper-case letter)"
        ));
    }
    Ok(())
}

/// Request and reply bodies carry no per-field encoding, so they are limited
/// to types whose plain serde form is right.
fn body_type_ok(ty: &Type) -> bool {
    match ty {
        Type::Model(_) | Type::Table(_) => true,
        Type::List(inner) | Type::Map(inner) => matches!(
            inner.scalar(),
            Type::Model(_) | Type::Enum(_) | Type::String | Type::I32 | Type::I64 | Type::Json
        ),
        _ => false,
    }
}

/// Types a SOAP request parameter can have.
fn soap_param_ok(ty: &Type) -> bool {
    match ty {
        Type::List(inner) => row_column_ok(inner),
        Type::Map(_) | Type::Table(_) | Type::DataTable(_) => false,
        _ => true,
    }
}

/// Types a DataTable column can have: one value per cell.
fn row_column_ok(ty: &Type) -> bool {
    !matches!(
        ty,
        Type::List(_)
            | Type::Map(_)
            | Type::Table(_)
            | Type::DataTable(_)
            | Type::Model(_)
            | Type::Json
    )
}

/// Fill in the Rust path of the newtype `ty` names (inside lists and maps
/// too); a newtype whose declaration had errors stays unresolved, already
/// reported.
fn resolve_newtype(ty: &mut Type, newtypes: &[ir::Newtype]) {
    match ty {
        Type::List(inner) | Type::Map(inner) => resolve_newtype(inner, newtypes),
        Type::Newtype { name, rust } => {
            if let Some(n) = newtypes.iter().find(|n| n.name == *name) {
                rust.clone_from(&n.rust);
            }
        }
        _ => {}
    }
}

fn replace_date_index(ty: Type, index: usize) -> Type {
    match ty {
        Type::Date(_) => Type::Date(index),
        Type::DateTime(_) => Type::DateTime(index),
        Type::DateRange(_) => Type::DateRange(index),
        Type::YearMonth(_) => Type::YearMonth(index),
        Type::List(inner) => Type::List(Box::new(replace_date_index(*inner, index))),
        Type::Map(inner) => Type::Map(Box::new(replace_date_index(*inner, index))),
        other => other,
    }
}

/// Spec notation of a type, for messages.
pub fn type_text(ty: &Type) -> String {
    match ty {
        Type::String => "string".into(),
        Type::Bool => "bool".into(),
        Type::I32 => "i32".into(),
        Type::I64 => "i64".into(),
        Type::Decimal => "decimal".into(),
        Type::Date(_) => "date".into(),
        Type::DateTime(_) => "date_time".into(),
        Type::DateRange(_) => "date_range".into(),
        Type::YearMonth(_) => "year_month".into(),
        Type::Uuid => "uuid".into(),
        Type::Json => "json".into(),
        Type::List(inner) => format!("list<{}>", type_text(inner)),
        Type::Map(inner) => format!("map<{}>", type_text(inner)),
        Type::Table(name) => format!("table<{name}>"),
        Type::DataTable(name) => format!("datatable<{}>", name.as_deref().unwrap_or("map<string>")),
        Type::Model(name) | Type::Enum(name) | Type::Newtype { name, .. } => name.clone(),
    }
}

/// What a date format is for: which tokens it must and may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatKind {
    Date,
    DateTime,
    YearMonth,
}

/// Translate `DD-MM-YYYY HH:MM:SS` notation into a chrono format string.
/// `MM` after `HH` means minutes. Time tokens need a date_time type.
pub fn translate_date_format(spec: &str, kind: FormatKind) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = spec;
    let mut seen_hour = false;
    let mut seen = BTreeSet::new();
    while !rest.is_empty() {
        let (token, chrono) = if rest.starts_with("YYYY") {
            ("YYYY", "%Y")
        } else if rest.starts_with("MM") {
            if seen_hour {
                ("MM", "%M")
            } else {
                ("MM", "%m")
            }
        } else if rest.starts_with("DD") {
            ("DD", "%d")
        } else if rest.starts_with("HH") {
            seen_hour = true;
            ("HH", "%H")
        } else if rest.starts_with("SS") {
            ("SS", "%S")
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            if matches!(c, '-' | ':' | '/' | '.' | 'T' | ' ') {
                out.push(c);
                rest = &rest[c.len_utf8()..];
                continue;
            }
            return Err(format!(
                "unexpected `{c}`: use the tokens YYYY MM DD HH MM SS and the separators - : / . T and space"
            ));
        };
        if !seen.insert(chrono) {
            return Err(format!("token `{token}` appears twice"));
        }
        out.push_str(chrono);
        rest = &rest[token.len()..];
    }
    if !seen.contains("%Y") || !seen.contains("%m") {
        return Err("a date format needs at least YYYY and MM".into());
    }
    let has_time = seen.contains("%H");
    match kind {
        FormatKind::YearMonth if seen.len() != 2 => {
            return Err("a year_month format holds only YYYY and MM".into());
        }
        FormatKind::Date if !seen.contains("%d") => {
            return Err("a date format needs DD (use year_month for YYYYMM)".into());
        }
        FormatKind::Date if has_time => return Err("time tokens need type date_time".into()),
        FormatKind::DateTime if !(has_time && seen.contains("%M") && seen.contains("%d")) => {
            return Err("a date_time format needs DD, HH and MM (minutes)".into());
        }
        _ => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_date_formats() {
        assert_eq!(
            translate_date_format("DD-MM-YYYY HH:MM:SS", FormatKind::DateTime).as_deref(),
            Ok("%d-%m-%Y %H:%M:%S")
        );
        assert_eq!(
            translate_date_format("YYYYMM", FormatKind::YearMonth).as_deref(),
            Ok("%Y%m")
        );
        assert!(translate_date_format("YYYYMM", FormatKind::Date).is_err());
        assert!(translate_date_format("DD-MM-YYYY", FormatKind::YearMonth).is_err());
        assert!(translate_date_format("DD-MM-YYYY HH:MM", FormatKind::Date).is_err());
        assert!(translate_date_format("DD.MM.YY", FormatKind::Date).is_err());
        assert!(translate_date_format("DD-MM-YYYY", FormatKind::DateTime).is_err());
    }

    #[test]
    fn parses_decimal_defaults() {
        assert!(is_decimal_text("572.03"));
        assert!(is_decimal_text("-1"));
        assert!(!is_decimal_text("1."));
        assert!(!is_decimal_text("1e3"));
    }
}

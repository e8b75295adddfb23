//! Compare two versions of a spec and classify every change by what it does
//! to the generated Rust crate and to the wire.
//!
//! ```text
//! old spec --load--> IR ┐
//!                       ├--diff--> Report: one line per change + semver verdict
//! new spec --load--> IR ┘
//! ```
//!
//! The rule behind the classes:
//!
//! - [`Impact::Breaking`]: code written against the old crate may stop
//!   compiling (a removed endpoint, model, field or enum value, a renamed Rust
//!   name, a changed type, a field that becomes required or stops being
//!   `Option`), or a message the old crate exchanged correctly is now encoded,
//!   decoded or routed differently (path, method, wire name, encoding,
//!   default, auth, envelope, default base URL, an error's kind or HTTP status).
//! - [`Impact::Additive`]: new API that leaves old code and old messages
//!   working: a new endpoint, model or enum, a new optional field (models are
//!   built with `..Default::default()`), a new enum value (every enum is
//!   `#[non_exhaustive]` and open: unknown codes decode into `Unknown`), a new
//!   error code, more lenient decoding.
//! - [`Impact::Cosmetic`]: only documentation and texts change: docs, titles,
//!   labels (unless the enum decodes labels), error texts and meanings, the
//!   source document's version and date.
//!
//! The semver verdict for the service crate ([`Report::bump`]): from 1.0 on,
//! breaking means a major bump, additive a minor one and cosmetic a patch;
//! before 1.0 (`0.y.z`) everything shifts one place right (breaking: minor,
//! additive and cosmetic: patch), as cargo treats `0.y` as the compatibility
//! range; for `0.0.z` every change is a patch bump (each `0.0.z` is its own
//! range). No change needs no release.
//!
//! Examples (`examples:`) are test data and are not compared.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::ir::{
    Auth, Code, DefaultValue, Doc, Endpoint, Enum, EnumRepr, ErrorCode, ErrorKind, Field, Method,
    Model, Presence, Service, Type,
};

/// How a change affects the generated crate's users. Ordered from the most to
/// the least severe, so sorting puts breaking changes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Impact {
    /// Old code may not compile, or old messages change on the wire.
    Breaking,
    /// New API; old code and old messages keep working.
    Additive,
    /// Documentation and texts only.
    Cosmetic,
}

impl Impact {
    /// Lowercase name as printed in a report.
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Breaking => "breaking",
            Impact::Additive => "additive",
            Impact::Cosmetic => "cosmetic",
        }
    }
}

impl fmt::Display for Impact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The part of a spec a change is in, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// The `service:` block.
    Service,
    /// An endpoint, by its spec name.
    Endpoint,
    /// A model or one of its fields.
    Model,
    /// An enum or one of its values.
    Enum,
    /// A service error code.
    Error,
}

impl Section {
    /// Lowercase name as printed in a report.
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Service => "service",
            Section::Endpoint => "endpoint",
            Section::Model => "model",
            Section::Enum => "enum",
            Section::Error => "error",
        }
    }
}

/// One difference between the two specs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Change {
    pub impact: Impact,
    pub section: Section,
    /// What changed, e.g. `Item.PRICE` or `SaveItem`; empty for the service itself.
    pub subject: String,
    /// The change in words, e.g. `type decimal -> i64`.
    pub detail: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.subject.is_empty() {
            write!(
                f,
                "{:<9} {}: {}",
                self.impact,
                self.section.as_str(),
                self.detail
            )
        } else {
            write!(
                f,
                "{:<9} {} {}: {}",
                self.impact,
                self.section.as_str(),
                self.subject,
                self.detail
            )
        }
    }
}

/// A semver bump of the service crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing changed: no release needed.
    None,
    Patch,
    Minor,
    Major,
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        })
    }
}

/// Every difference between two versions of one service, sorted: breaking
/// first, then additive, then cosmetic; within a class by section, subject
/// and detail. `Display` prints one change per line and the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Service (crate) name of the old spec.
    pub old_name: String,
    /// Service (crate) name of the new spec.
    pub new_name: String,
    /// Source document version of the old spec.
    pub old_version: Option<String>,
    /// Source document version of the new spec.
    pub new_version: Option<String>,
    pub changes: Vec<Change>,
}

impl Report {
    /// The most severe class of change, `None` when the specs are equivalent.
    pub fn impact(&self) -> Option<Impact> {
        self.changes.iter().map(|c| c.impact).min()
    }

    /// Number of changes of one class.
    pub fn count(&self, impact: Impact) -> usize {
        self.changes.iter().filter(|c| c.impact == impact).count()
    }

    /// The semver bump the service crate needs, given its current version
    /// (`MAJOR.MINOR.PATCH`, pre-release and build metadata ignored).
    pub fn bump(&self, current: &str) -> Result<Bump, String> {
        let (major, minor, _) = parse_version(current)?;
        Ok(bump_for(self.impact(), major, minor))
    }

    /// The version the service crate should get next: `current` itself when
    /// nothing changed.
    pub fn next_version(&self, current: &str) -> Result<String, String> {
        let (major, minor, patch) = parse_version(current)?;
        Ok(match bump_for(self.impact(), major, minor) {
            Bump::None => format!("{major}.{minor}.{patch}"),
            Bump::Patch => format!("{major}.{minor}.{}", patch + 1),
            Bump::Minor => format!("{major}.{}.0", minor + 1),
            Bump::Major => format!("{}.0.0", major + 1),
        })
    }
}

fn bump_for(impact: Option<Impact>, major: u64, minor: u64) -> Bump {
    match (impact, major, minor) {
        (None, _, _) => Bump::None,
        (Some(_), 0, 0) => Bump::Patch,
        (Some(Impact::Breaking), 0, _) => Bump::Minor,
        (Some(_), 0, _) => Bump::Patch,
        (Some(Impact::Breaking), _, _) => Bump::Major,
        (Some(Impact::Additive), _, _) => Bump::Minor,
        (Some(Impact::Cosmetic), _, _) => Bump::Patch,
    }
}

fn parse_version(text: &str) -> Result<(u64, u64, u64), String> {
    let core = text.trim().split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    let numbers: Option<Vec<u64>> = parts.iter().map(|p| p.parse().ok()).collect();
    match numbers.as_deref() {
        Some([major, minor, patch]) => Ok((*major, *minor, *patch)),
        _ => Err(format!(
            "`{text}` is not a semver version (expected MAJOR.MINOR.PATCH, e.g. 0.1.0)"
        )),
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.old_name == self.new_name {
            self.old_name.clone()
        } else {
            format!("{} -> {}", self.old_name, self.new_name)
        };
        let version = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
        writeln!(
            f,
            "spec diff of {name} (document {} -> {})",
            version(&self.old_version),
            version(&self.new_version)
        )?;
        for change in &self.changes {
            writeln!(f, "{change}")?;
        }
        let Some(impact) = self.impact() else {
            return writeln!(f, "no changes: no release needed");
        };
        writeln!(
            f,
            "{} breaking, {} additive, {} cosmetic",
            self.count(Impact::Breaking),
            self.count(Impact::Additive),
            self.count(Impact::Cosmetic)
        )?;
        let rule = match impact {
            Impact::Breaking => "bump minor while 0.y.z, major from 1.0.0",
            Impact::Additive => "bump patch while 0.y.z, minor from 1.0.0",
            Impact::Cosmetic => "bump patch",
        };
        writeln!(f, "verdict: {impact} ({rule})")
    }
}

/// Compare two loaded specs. The result does not depend on the order of
/// items in the specs, only on their content.
pub fn diff(old: &Service, new: &Service) -> Report {
    let mut d = Differ {
        old,
        new,
        changes: Vec::new(),
    };
    d.service();
    d.endpoints();
    d.models();
    d.enums();
    d.errors();
    let mut changes = d.changes;
    changes.sort();
    changes.dedup();
    Report {
        old_name: old.name.clone(),
        new_name: new.name.clone(),
        old_version: old.document_version.clone(),
        new_version: new.document_version.clone(),
        changes,
    }
}

struct Differ<'a> {
    old: &'a Service,
    new: &'a Service,
    changes: Vec<Change>,
}

/// Quote an optional text for a report line.
fn opt(value: &Option<String>) -> String {
    match value {
        Some(v) => format!("{v:?}"),
        None => "none".to_string(),
    }
}

fn by_key<'a, T, K: Ord>(items: &'a [T], key: impl Fn(&'a T) -> K) -> BTreeMap<K, &'a T> {
    let mut map = BTreeMap::new();
    for item in items {
        map.entry(key(item)).or_insert(item);
    }
    map
}

impl Differ<'_> {
    fn push(
        &mut self,
        impact: Impact,
        section: Section,
        subject: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.changes.push(Change {
            impact,
            section,
            subject: subject.into(),
            detail: detail.into(),
        });
    }

    fn doc(&mut self, section: Section, subject: &str, what: &str, old: &Doc, new: &Doc) {
        if old.en != new.en {
            self.push(
                Impact::Cosmetic,
                section,
                subject,
                format!("{what} (English) changed"),
            );
        }
        if old.original != new.original {
            self.push(
                Impact::Cosmetic,
                section,
                subject,
                format!("{what} (original) changed"),
            );
        }
    }

    fn service(&mut self) {
        let (old, new) = (self.old, self.new);
        let s = Section::Service;
        if old.name != new.name {
            self.push(
                Impact::Breaking,
                s,
                "",
                format!("crate name {} -> {}", old.name, new.name),
            );
        }
        if old.title != new.title {
            self.push(
                Impact::Cosmetic,
                s,
                "",
                format!("title {:?} -> {:?}", old.title, new.title),
            );
        }
        self.doc(s, "", "doc", &old.doc, &new.doc);
        if old.document_version != new.document_version {
            self.push(
                Impact::Cosmetic,
                s,
                "",
                format!(
                    "document version {} -> {}",
                    opt(&old.document_version),
                    opt(&new.document_version)
                ),
            );
        }
        if old.document_date != new.document_date {
            self.push(
                Impact::Cosmetic,
                s,
                "",
                format!(
                    "document date {} -> {}",
                    opt(&old.document_date),
                    opt(&new.document_date)
                ),
            );
        }
        let default_url = |svc: &Service| svc.base_urls.first().map(|b| b.url.clone());
        if default_url(old) != default_url(new) {
            self.push(
                Impact::Breaking,
                s,
                "",
                format!(
                    "default base URL {} -> {} (the client talks to another server by default)",
                    opt(&default_url(old)),
                    opt(&default_url(new))
                ),
            );
        }
        let old_urls = by_key(&old.base_urls, |b| b.name.clone());
        let new_urls = by_key(&new.base_urls, |b| b.name.clone());
        let default_name = |svc: &Service| svc.base_urls.first().map(|b| b.name.clone());
        for (name, o) in &old_urls {
            match new_urls.get(name) {
                None => self.push(
                    Impact::Cosmetic,
                    s,
                    "",
                    format!("base URL {name} ({}) removed", o.url),
                ),
                // A changed default is reported above.
                Some(n)
                    if n.url != o.url
                        && !(default_name(old).as_ref() == Some(name)
                            && default_name(new).as_ref() == Some(name)) =>
                {
                    self.push(
                        Impact::Cosmetic,
                        s,
                        "",
                        format!("base URL {name} {} -> {}", o.url, n.url),
                    )
                }
                Some(_) => {}
            }
        }
        for (name, n) in &new_urls {
            if !old_urls.contains_key(name) {
                self.push(
                    Impact::Cosmetic,
                    s,
                    "",
                    format!("base URL {name} ({}) added", n.url),
                );
            }
        }
        if old.auth != new.auth {
            let text = |a: Auth| match a {
                Auth::None => "none",
                Auth::Bearer => "bearer",
                Auth::ServiceUser => "service_user",
                Auth::Session => "session",
            };
            self.push(
                Impact::Breaking,
                s,
                "",
                format!("auth {} -> {}", text(old.auth), text(new.auth)),
            );
        }
        let envelope = |svc: &Service| {
            svc.envelope.as_ref().map(|e| {
                format!(
                    "{{data: {}, status: {}, code: {}, text: {}, success: {}, malformed_request: {}}}",
                    e.data, e.status, e.code, e.text, e.success, e.malformed_request
                )
            })
        };
        if envelope(old) != envelope(new) {
            self.push(
                Impact::Breaking,
                s,
                "",
                format!(
                    "envelope {} -> {}",
                    envelope(old).unwrap_or_else(|| "none".into()),
                    envelope(new).unwrap_or_else(|| "none".into())
                ),
            );
        }
        let soap = |svc: &Service| {
            svc.soap.as_ref().map_or_else(
                || "none".to_string(),
                |b| {
                    format!(
                        "{{version: {}, namespace: {}, path: {}}}",
                        b.version.as_str(),
                        b.namespace,
                        b.path
                    )
                },
            )
        };
        if old.soap != new.soap {
            // The default version is the client's choice; the rest is the wire.
            let only_version = matches!((&old.soap, &new.soap), (Some(a), Some(b))
                if a.namespace == b.namespace && a.path == b.path);
            self.push(
                if only_version {
                    Impact::Cosmetic
                } else {
                    Impact::Breaking
                },
                s,
                "",
                format!("SOAP binding {} -> {}", soap(old), soap(new)),
            );
        }
    }

    fn endpoints(&mut self) {
        let old = by_key(&self.old.endpoints, |e| e.name.as_str());
        let new = by_key(&self.new.endpoints, |e| e.name.as_str());
        for (name, o) in &old {
            match new.get(name) {
                None => self.push(
                    Impact::Breaking,
                    Section::Endpoint,
                    *name,
                    format!(
                        "removed (method {}, {} {})",
                        o.rust_name,
                        o.method.as_str(),
                        o.path
                    ),
                ),
                Some(n) => self.endpoint(name, o, n),
            }
        }
        for (name, n) in &new {
            if !old.contains_key(name) {
                self.push(
                    Impact::Additive,
                    Section::Endpoint,
                    *name,
                    format!(
                        "added (method {}, {} {})",
                        n.rust_name,
                        n.method.as_str(),
                        n.path
                    ),
                );
            }
        }
    }

    fn endpoint(&mut self, name: &str, o: &Endpoint, n: &Endpoint) {
        let s = Section::Endpoint;
        if o.rust_name != n.rust_name {
            self.push(
                Impact::Breaking,
                s,
                name,
                format!("Rust method {} -> {}", o.rust_name, n.rust_name),
            );
        }
        if o.method != n.method || o.path != n.path {
            let m = |m: Method| m.as_str();
            self.push(
                Impact::Breaking,
                s,
                name,
                format!(
                    "HTTP {} {} -> {} {}",
                    m(o.method),
                    o.path,
                    m(n.method),
                    n.path
                ),
            );
        }
        if o.soap != n.soap {
            let op = |e: &Endpoint| {
                e.soap.as_ref().map_or_else(
                    || "none".to_string(),
                    |op| format!("{} ({})", op.operation, op.action),
                )
            };
            self.push(
                Impact::Breaking,
                s,
                name,
                format!("SOAP operation {} -> {}", op(o), op(n)),
            );
        }
        let payload = |svc: &Service, ty: &Option<Type>| match ty {
            Some(ty) => type_text(svc, ty),
            None => "none".to_string(),
        };
        for (what, ot, nt) in [
            ("request", &o.request, &n.request),
            ("response", &o.response, &n.response),
        ] {
            let (ot, nt) = (payload(self.old, ot), payload(self.new, nt));
            if ot != nt {
                self.push(Impact::Breaking, s, name, format!("{what} {ot} -> {nt}"));
            }
        }
        match (o.auth, n.auth) {
            (false, true) => self.push(Impact::Breaking, s, name, "now needs the bearer token"),
            (true, false) => self.push(
                Impact::Additive,
                s,
                name,
                "no longer needs the bearer token",
            ),
            _ => {}
        }
        if o.idempotency_key != n.idempotency_key {
            let impact = if o.idempotency_key.is_none() {
                Impact::Additive
            } else {
                Impact::Breaking
            };
            self.push(
                impact,
                s,
                name,
                format!(
                    "idempotency key {} -> {}",
                    opt(&o.idempotency_key),
                    opt(&n.idempotency_key)
                ),
            );
        }
        let (oe, ne): (BTreeSet<i64>, BTreeSet<i64>) = (
            o.errors.iter().copied().collect(),
            n.errors.iter().copied().collect(),
        );
        for code in ne.difference(&oe) {
            self.push(
                Impact::Additive,
                s,
                name,
                format!("documents error code {code}"),
            );
        }
        for code in oe.difference(&ne) {
            self.push(
                Impact::Cosmetic,
                s,
                name,
                format!("no longer documents error code {code}"),
            );
        }
        self.doc(s, name, "doc", &o.doc, &n.doc);
    }

    fn models(&mut self) {
        let old = by_key(&self.old.models, |m| m.name.as_str());
        let new = by_key(&self.new.models, |m| m.name.as_str());
        for (name, o) in &old {
            match new.get(name) {
                None => self.push(Impact::Breaking, Section::Model, *name, "removed"),
                Some(n) => self.model(name, o, n),
            }
        }
        for (name, n) in &new {
            if !old.contains_key(name) {
                self.push(
                    Impact::Additive,
                    Section::Model,
                    *name,
                    format!("added ({} field(s))", n.fields.len()),
                );
            }
        }
    }

    fn model(&mut self, name: &str, o: &Model, n: &Model) {
        let s = Section::Model;
        self.doc(s, name, "doc", &o.doc, &n.doc);
        let old = by_key(&o.fields, |f| f.wire.as_str());
        let new = by_key(&n.fields, |f| f.wire.as_str());
        let removed: Vec<&Field> = old
            .iter()
            .filter(|(w, _)| !new.contains_key(*w))
            .map(|(_, f)| *f)
            .collect();
        let added: Vec<&Field> = new
            .iter()
            .filter(|(w, _)| !old.contains_key(*w))
            .map(|(_, f)| *f)
            .collect();
        // A removed and an added field with the same Rust name: a wire rename.
        let mut renamed_to: BTreeMap<&str, &Field> = BTreeMap::new();
        for r in &removed {
            if let Some(a) = added.iter().find(|a| a.rust == r.rust) {
                renamed_to.insert(r.wire.as_str(), a);
            }
        }
        for r in &removed {
            let subject = format!("{name}.{}", r.wire);
            match renamed_to.get(r.wire.as_str()) {
                Some(a) => {
                    self.push(
                        Impact::Breaking,
                        s,
                        subject.clone(),
                        format!(
                            "wire name {:?} -> {:?} (Rust field {})",
                            r.wire, a.wire, r.rust
                        ),
                    );
                    self.field(name, &subject, r, a);
                }
                None => self.push(
                    Impact::Breaking,
                    s,
                    subject,
                    format!("field removed (Rust field {})", r.rust),
                ),
            }
        }
        for a in &added {
            if renamed_to.values().any(|f| f.wire == a.wire) {
                continue;
            }
            let subject = format!("{name}.{}", a.wire);
            let ty = type_text(self.new, &a.ty);
            if a.is_option() || a.default.is_some() {
                self.push(
                    Impact::Additive,
                    s,
                    subject,
                    format!(
                        "field added ({}; Rust field {}: {ty})",
                        presence_text(a),
                        a.rust
                    ),
                );
            } else {
                self.push(
                    Impact::Breaking,
                    s,
                    subject,
                    format!("field added (required; Rust field {}: {ty})", a.rust),
                );
            }
        }
        for (wire, of) in &old {
            if let Some(nf) = new.get(wire) {
                let subject = format!("{name}.{wire}");
                self.field(name, &subject, of, nf);
            }
        }
        let order = |m: &Model| -> Vec<String> {
            m.fields
                .iter()
                .filter(|f| old.contains_key(f.wire.as_str()) && new.contains_key(f.wire.as_str()))
                .map(|f| f.wire.clone())
                .collect()
        };
        if order(o) != order(n) {
            self.push(
                Impact::Cosmetic,
                s,
                name,
                "fields reordered (struct field and encoding order)",
            );
        }
    }

    fn field(&mut self, _model: &str, subject: &str, o: &Field, n: &Field) {
        let s = Section::Model;
        if o.rust != n.rust {
            self.push(
                Impact::Breaking,
                s,
                subject,
                format!("Rust field {} -> {}", o.rust, n.rust),
            );
        }
        let (ot, nt) = (type_text(self.old, &o.ty), type_text(self.new, &n.ty));
        if ot != nt {
            self.push(Impact::Breaking, s, subject, format!("type {ot} -> {nt}"));
        }
        if o.encoding != n.encoding {
            self.push(
                Impact::Breaking,
                s,
                subject,
                format!(
                    "encoding {} -> {} (the wire form changes)",
                    o.encoding.spec_name(),
                    n.encoding.spec_name()
                ),
            );
        }
        if o.presence != n.presence || o.default != n.default {
            let (op, np) = (presence_text(o), presence_text(n));
            let impact = if o.is_option() != n.is_option() || o.default != n.default {
                Impact::Breaking
            } else if o.presence == Presence::Output && n.presence == Presence::Optional {
                Impact::Additive
            } else {
                Impact::Cosmetic
            };
            let why = match (o.is_option(), n.is_option()) {
                (true, false) => " (Option<T> -> T)",
                (false, true) => " (T -> Option<T>)",
                _ => "",
            };
            self.push(impact, s, subject, format!("presence {op} -> {np}{why}"));
        }
        match (o.empty_as_absent, n.empty_as_absent) {
            (false, true) => self.push(
                Impact::Additive,
                s,
                subject,
                "empty_as_absent false -> true (\"\" now decodes as None)",
            ),
            (true, false) => self.push(
                Impact::Breaking,
                s,
                subject,
                "empty_as_absent true -> false (\"\" no longer decodes as None)",
            ),
            _ => {}
        }
        if o.sensitive != n.sensitive {
            self.push(
                Impact::Cosmetic,
                s,
                subject,
                format!(
                    "sensitive {} -> {} (Debug output only)",
                    o.sensitive, n.sensitive
                ),
            );
        }
        if o.credential != n.credential {
            self.push(
                Impact::Breaking,
                s,
                subject,
                format!(
                    "credential {:?} -> {:?} (the client fills credentials in; other fields are the caller's)",
                    o.credential, n.credential
                ),
            );
        }
        if o.table != n.table {
            self.push(
                Impact::Cosmetic,
                s,
                subject,
                format!(
                    "DataTable name {} -> {} (rows are read whatever their element name)",
                    o.table.as_deref().unwrap_or("unknown"),
                    n.table.as_deref().unwrap_or("unknown")
                ),
            );
        }
        self.doc(s, subject, "doc", &o.doc, &n.doc);
    }

    fn enums(&mut self) {
        let old = by_key(&self.old.enums, |e| e.name.as_str());
        let new = by_key(&self.new.enums, |e| e.name.as_str());
        for (name, o) in &old {
            match new.get(name) {
                None => self.push(Impact::Breaking, Section::Enum, *name, "removed"),
                Some(n) => self.enumeration(name, o, n),
            }
        }
        for (name, n) in &new {
            if !old.contains_key(name) {
                self.push(
                    Impact::Additive,
                    Section::Enum,
                    *name,
                    format!("added ({} value(s))", n.values.len()),
                );
            }
        }
    }

    fn enumeration(&mut self, name: &str, o: &Enum, n: &Enum) {
        let s = Section::Enum;
        let repr = |r: EnumRepr| match r {
            EnumRepr::Int => "int",
            EnumRepr::String => "string",
        };
        if o.repr != n.repr {
            self.push(
                Impact::Breaking,
                s,
                name,
                format!("repr {} -> {}", repr(o.repr), repr(n.repr)),
            );
        }
        match (o.accept_labels, n.accept_labels) {
            (false, true) => self.push(
                Impact::Additive,
                s,
                name,
                "accept_labels false -> true (labels now decode)",
            ),
            (true, false) => self.push(
                Impact::Breaking,
                s,
                name,
                "accept_labels true -> false (labels no longer decode)",
            ),
            _ => {}
        }
        self.doc(s, name, "doc", &o.doc, &n.doc);
        let old = by_key(&o.values, |v| code_text(&v.code));
        let new = by_key(&n.values, |v| code_text(&v.code));
        for (code, ov) in &old {
            let subject = format!("{name}.{}", ov.name);
            let Some(nv) = new.get(code) else {
                self.push(
                    Impact::Breaking,
                    s,
                    subject.clone(),
                    format!("value {code} removed (variant {})", ov.name),
                );
                continue;
            };
            if ov.name != nv.name {
                self.push(
                    Impact::Breaking,
                    s,
                    subject.clone(),
                    format!("variant of code {code} renamed {} -> {}", ov.name, nv.name),
                );
            }
            // Labels are decoded when the (old) enum accepts them.
            let label_impact = if o.accept_labels && n.accept_labels {
                Impact::Breaking
            } else {
                Impact::Cosmetic
            };
            if ov.ka != nv.ka {
                self.push(
                    label_impact,
                    s,
                    subject.clone(),
                    format!("label (ka) {} -> {}", opt(&ov.ka), opt(&nv.ka)),
                );
            }
            if ov.en != nv.en {
                self.push(
                    label_impact,
                    s,
                    subject,
                    format!("label (en) {} -> {}", opt(&ov.en), opt(&nv.en)),
                );
            }
        }
        for (code, nv) in &new {
            if !old.contains_key(code) {
                self.push(
                    Impact::Additive,
                    s,
                    format!("{name}.{}", nv.name),
                    format!("value {code} added"),
                );
            }
        }
    }

    fn errors(&mut self) {
        let old = by_key(&self.old.errors, |e| e.code);
        let new = by_key(&self.new.errors, |e| e.code);
        let s = Section::Error;
        for (code, o) in &old {
            let subject = code.to_string();
            let Some(n) = new.get(code) else {
                // The client then treats the code as undocumented: an ordinary
                // service error (or an authentication one with HTTP 401).
                let impact = if o.kind == ErrorKind::Service {
                    Impact::Cosmetic
                } else {
                    Impact::Breaking
                };
                self.push(
                    impact,
                    s,
                    subject,
                    format!("removed (kind {})", kind_text(o.kind)),
                );
                continue;
            };
            self.error(&subject, o, n);
        }
        for (code, n) in &new {
            if !old.contains_key(code) {
                self.push(
                    Impact::Additive,
                    s,
                    code.to_string(),
                    format!("added (kind {}: {})", kind_text(n.kind), n.meaning),
                );
            }
        }
    }

    fn error(&mut self, subject: &str, o: &ErrorCode, n: &ErrorCode) {
        let s = Section::Error;
        if o.kind != n.kind {
            self.push(
                Impact::Breaking,
                s,
                subject,
                format!(
                    "kind {} -> {} (the client error variant changes)",
                    kind_text(o.kind),
                    kind_text(n.kind)
                ),
            );
        }
        if o.http_status != n.http_status {
            let status = |h: Option<u16>| h.map_or("none".to_string(), |h| h.to_string());
            self.push(
                Impact::Breaking,
                s,
                subject,
                format!(
                    "HTTP status {} -> {}",
                    status(o.http_status),
                    status(n.http_status)
                ),
            );
        }
        if o.text != n.text {
            self.push(
                Impact::Cosmetic,
                s,
                subject,
                format!("text {} -> {}", opt(&o.text), opt(&n.text)),
            );
        }
        if o.meaning != n.meaning {
            self.push(
                Impact::Cosmetic,
                s,
                subject,
                format!("meaning {:?} -> {:?}", o.meaning, n.meaning),
            );
        }
    }
}

fn kind_text(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Service => "service",
        ErrorKind::Authentication => "authentication",
        ErrorKind::Session => "session",
    }
}

fn code_text(code: &Code) -> String {
    match code {
        Code::Int(i) => i.to_string(),
        Code::Str(s) => format!("{s:?}"),
    }
}

fn presence_text(f: &Field) -> String {
    let presence = match f.presence {
        Presence::Required => "required",
        Presence::Optional => "optional",
        Presence::Output => "output",
    };
    match &f.default {
        Some(d) => format!("{presence} with default {}", default_text(d)),
        None => presence.to_string(),
    }
}

fn default_text(d: &DefaultValue) -> String {
    match d {
        DefaultValue::Bool(b) => b.to_string(),
        DefaultValue::Int(i) => i.to_string(),
        DefaultValue::Decimal(t) => t.clone(),
        DefaultValue::Str(s) => format!("{s:?}"),
        DefaultValue::EnumVariant(e, v) => format!("{e}::{v}"),
    }
}

/// A type as the spec writes it, with date formats resolved (the IR keeps
/// them as indexes into a per-service table, which differ between specs).
pub fn type_text(service: &Service, ty: &Type) -> String {
    let format = |i: &usize| {
        service
            .date_formats
            .get(*i)
            .map_or_else(|| format!("#{i}"), |f| f.spec.clone())
    };
    match ty {
        Type::String => "string".into(),
        Type::Bool => "bool".into(),
        Type::I32 => "i32".into(),
        Type::I64 => "i64".into(),
        Type::Decimal => "decimal".into(),
        Type::Date(i) => format!("date({})", format(i)),
        Type::DateTime(i) => format!("date_time({})", format(i)),
        Type::DateRange(i) => {
            let sep = service
                .date_formats
                .get(*i)
                .map_or(":", |f| f.range_separator.as_str());
            format!("date_range({}, separator {sep:?})", format(i))
        }
        Type::YearMonth(i) => format!("year_month({})", format(i)),
        Type::Uuid => "uuid".into(),
        Type::Json => "json".into(),
        Type::List(inner) => format!("list<{}>", type_text(service, inner)),
        Type::Map(inner) => format!("map<{}>", type_text(service, inner)),
        Type::Table(m) => format!("table<{m}>"),
        Type::DataTable(m) => format!("datatable<{}>", m.as_deref().unwrap_or("map<string>")),
        Type::Model(m) | Type::Enum(m) => m.clone(),
        // The declaration travels with the name, so that changing what a
        // newtype is shows on every field of it.
        Type::Newtype { name, rust } => {
            let wire = service.newtype(name).map_or("?", |n| n.wire.spec_name());
            format!("{name}({rust}, wire {wire})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(impact: Option<Impact>) -> Report {
        Report {
            old_name: "s".into(),
            new_name: "s".into(),
            old_version: None,
            new_version: None,
            changes: impact
                .into_iter()
                .map(|impact| Change {
                    impact,
                    section: Section::Model,
                    subject: "M".into(),
                    detail: "x".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn semver_rule() {
        let cases = [
            (None, "0.1.3", "0.1.3"),
            (Some(Impact::Breaking), "0.1.3", "0.2.0"),
            (Some(Impact::Additive), "0.1.3", "0.1.4"),
            (Some(Impact::Cosmetic), "0.1.3", "0.1.4"),
            (Some(Impact::Breaking), "0.0.3", "0.0.4"),
            (Some(Impact::Breaking), "1.2.3", "2.0.0"),
            (Some(Impact::Additive), "1.2.3", "1.3.0"),
            (Some(Impact::Cosmetic), "1.2.3-rc.1", "1.2.4"),
        ];
        for (impact, current, next) in cases {
            assert_eq!(
                report(impact).next_version(current).as_deref(),
                Ok(next),
                "{impact:?} {current}"
            );
        }
        assert!(report(None).bump("1.x").is_err());
    }
}

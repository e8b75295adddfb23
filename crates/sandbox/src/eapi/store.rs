//! Durable state of the eAPI sandbox (`Config::data`): one SQLite file.
//!
//! The in-memory [`State`](super::state::State) stays the working state;
//! this module only writes what changed (in one SQLite transaction, WAL,
//! `synchronous=FULL`) before a reply is sent, and reads everything back when
//! a sandbox opens the file. Invoices are stored as the serde_json text of the
//! generated `Invoice` model plus the bookkeeping it has no field for.
//!
//! The connection runs in `locking_mode=EXCLUSIVE`: while a sandbox has the
//! file open, another sandbox (process or not) cannot open it, so two
//! emulators never overwrite each other's documents.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDateTime;
use rsge_eapi::enums::{BuyerAction, SellerAction, VatType};
use rsge_eapi::models::Invoice;
use rusqlite::{Connection, ErrorCode, TransactionBehavior, params};

use super::state::{BarCodeEntry, BarCodeKey, Stored, TxReply};

/// `PRAGMA application_id` of a sandbox data file: "TXS1".
const APPLICATION_ID: i32 = 0x5458_5331;
/// `PRAGMA user_version`: the layout below (version 1 plus [`TO_V2`]).
const SCHEMA_VERSION: i32 = 2;
/// How long opening waits for a sandbox that is just closing the file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);
/// Text format of the date columns (the model's own format).
const DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f";

/// Layout version 1 (the first sandbox with a data file).
const SCHEMA_V1: &str = "
CREATE TABLE invoices (
    id          INTEGER PRIMARY KEY,
    invoice     TEXT NOT NULL,   -- serde_json of rsge_eapi::models::Invoice
    change_date TEXT NOT NULL,
    delete_date TEXT
) STRICT;
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
CREATE TABLE transactions (
    tin            TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    invoice_id     INTEGER NOT NULL,
    invoice_number INTEGER NOT NULL,
    seller_action  INTEGER NOT NULL,
    buyer_action   INTEGER NOT NULL,
    PRIMARY KEY (tin, transaction_id)
) STRICT;
CREATE TABLE devices (
    username    TEXT NOT NULL,
    device_code TEXT NOT NULL,
    PRIMARY KEY (username, device_code)
) STRICT;
";

/// Version 1 -> 2: the sub-user who created a document (SUBUSER_ID_SELLER)
/// and the organisations' barcode catalogues. Run on new files too, so a
/// new file and a migrated one have the same layout.
const TO_V2: &str = "
ALTER TABLE invoices ADD COLUMN subuser_id INTEGER NOT NULL DEFAULT 0;
CREATE TABLE barcodes (
    tin        TEXT NOT NULL,
    barcode    TEXT NOT NULL,
    seq        INTEGER NOT NULL,   -- listing order (order of learning)
    goods_name TEXT NOT NULL,
    unit_id    INTEGER NOT NULL,
    unit_txt   TEXT NOT NULL,
    vat_type   INTEGER NOT NULL,
    unit_price TEXT NOT NULL,      -- Decimal as text
    PRIMARY KEY (tin, barcode)
) STRICT;
";

/// A sandbox's data file cannot be opened: not an SQLite database, corrupt,
/// written by another application or a newer sandbox, in use by another
/// sandbox, or not readable. The message names the file.
#[derive(Debug)]
pub struct Error {
    path: PathBuf,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    fn new(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            message: message.into(),
            source: None,
        }
    }

    fn sqlite(path: &Path, what: &str, e: rusqlite::Error) -> Self {
        let message = match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => {
                "is not a sandbox data file (not an SQLite database, or corrupt)".to_string()
            }
            Some(ErrorCode::DatabaseCorrupt) => format!("is corrupt ({what}: {e})"),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                "is in use by another sandbox (in this or another process)".to_string()
            }
            _ => format!("cannot be used: {what}: {e}"),
        };
        Self {
            path: path.to_path_buf(),
            message,
            source: Some(Box::new(e)),
        }
    }

    /// The data file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A first write (the seeded catalogues) failed.
    pub(super) fn write(path: &Path, why: impl fmt::Display) -> Self {
        Self::new(path, format!("cannot be written: {why}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sandbox data file {}: {}",
            self.path.display(),
            self.message
        )
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The sequence counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    pub next_invoice_id: i64,
    pub next_goods_id: i64,
    pub next_inv_number: i64,
    /// 1 once `Config::barcodes` was copied into the file (so that a
    /// cleared catalogue stays cleared after a restart).
    pub barcodes_seeded: i64,
}

/// Everything a data file holds.
#[derive(Debug, Default)]
pub struct Loaded {
    pub invoices: BTreeMap<i64, Stored>,
    /// Counters as stored (absent in a new file).
    pub counters: Vec<(String, i64)>,
    pub transactions: Vec<((String, String), TxReply)>,
    /// (user name, device code).
    pub devices: Vec<(String, String)>,
    pub barcodes: Vec<(BarCodeKey, BarCodeEntry)>,
}

/// What one state-changing call changed.
pub struct Changes<'a> {
    pub invoices: Vec<&'a Stored>,
    pub transactions: Vec<(&'a (String, String), &'a TxReply)>,
    pub devices: Vec<(&'a str, &'a str)>,
    /// Barcodes written (`Some`) or deleted (`None`).
    pub barcodes: Vec<(&'a BarCodeKey, Option<&'a BarCodeEntry>)>,
    pub counters: Counters,
}

/// An open data file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The counters last committed.
    pub saved: Option<Counters>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn date_text(d: NaiveDateTime) -> String {
    d.format(DATE_FORMAT).to_string()
}

impl Store {
    /// Open (or create) the data file at `path` and read everything in it.
    pub fn open(path: &Path) -> Result<(Self, Loaded), Error> {
        let sql = |what: &'static str| move |e: rusqlite::Error| Error::sqlite(path, what, e);
        let mut conn = Connection::open(path).map_err(sql("open"))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(sql("busy_timeout"))?;
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(sql("locking_mode"))?;

        // Look before writing anything: a foreign file stays untouched.
        let application_id: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(sql("read the header"))?;
        let user_version: i32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql("read the header"))?;
        let objects: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(sql("read the schema"))?;
        let fresh = application_id == 0 && user_version == 0 && objects == 0;
        if !fresh && application_id != APPLICATION_ID {
            return Err(Error::new(
                path,
                format!(
                    "is an SQLite database of another application (application_id {application_id:#x}, \
                     {objects} schema objects); the sandbox will not touch it"
                ),
            ));
        }
        if !fresh && !(1..=SCHEMA_VERSION).contains(&user_version) {
            return Err(Error::new(
                path,
                format!(
                    "has layout version {user_version}; this sandbox reads versions 1 to {SCHEMA_VERSION}"
                ),
            ));
        }

        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(sql("journal_mode"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::new(
                path,
                format!("cannot use write-ahead logging (journal_mode {mode})"),
            ));
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sql("synchronous"))?;

        // A write transaction even when there is nothing to create: in
        // exclusive locking mode it takes the lock that keeps other
        // sandboxes out for as long as this connection lives.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Exclusive)
            .map_err(sql("lock"))?;
        if fresh {
            tx.execute_batch(SCHEMA_V1)
                .map_err(sql("create the tables"))?;
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(sql("write the header"))?;
        }
        if fresh || user_version < 2 {
            tx.execute_batch(TO_V2)
                .map_err(sql("upgrade the layout to version 2"))?;
        }
        if fresh || user_version < SCHEMA_VERSION {
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(sql("write the header"))?;
        }
        tx.commit().map_err(sql("commit"))?;
        if !fresh && user_version < SCHEMA_VERSION {
            tracing::info!(
                path = %path.display(),
                from = user_version,
                to = SCHEMA_VERSION,
                "upgraded the sandbox data file's layout"
            );
        }

        let check: String = conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(sql("quick_check"))?;
        if check != "ok" {
            return Err(Error::new(path, format!("is corrupt: {check}")));
        }

        let store = Self {
            conn,
            path: path.to_path_buf(),
            saved: None,
        };
        let loaded = store.load()?;
        if fresh {
            tracing::info!(path = %path.display(), "created sandbox data file");
        } else {
            tracing::info!(
                path = %path.display(),
                invoices = loaded.invoices.len(),
                transactions = loaded.transactions.len(),
                "loaded sandbox data file"
            );
        }
        Ok((store, loaded))
    }

    /// The data file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for tests that damage the file.
    #[cfg(test)]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Read everything committed.
    pub fn load(&self) -> Result<Loaded, Error> {
        let path = self.path.as_path();
        let sql = |what: &'static str| move |e: rusqlite::Error| Error::sqlite(path, what, e);
        let mut out = Loaded::default();

        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, invoice, change_date, delete_date, subuser_id FROM invoices ORDER BY id",
            )
            .map_err(sql("read invoices"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(sql("read invoices"))?;
        for row in rows {
            let (id, json, change, delete, subuser_id) = row.map_err(sql("read invoices"))?;
            let bad = |what: String| Error::new(path, format!("is corrupt: invoice {id}: {what}"));
            let inv: Invoice = serde_json::from_str(&json).map_err(|e| bad(e.to_string()))?;
            if inv.id != id {
                return Err(bad(format!("the document says ID {}", inv.id)));
            }
            let parse = |text: &str| {
                NaiveDateTime::parse_from_str(text, DATE_FORMAT)
                    .map_err(|e| bad(format!("date `{text}`: {e}")))
            };
            let stored = Stored {
                inv,
                change_date: parse(&change)?,
                delete_date: delete.as_deref().map(parse).transpose()?,
                subuser_id,
            };
            out.invoices.insert(id, stored);
        }
        drop(stmt);

        let mut stmt = self
            .conn
            .prepare("SELECT name, value FROM counters")
            .map_err(sql("read counters"))?;
        out.counters = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sql("read counters"))?
            .collect::<Result<_, _>>()
            .map_err(sql("read counters"))?;
        drop(stmt);

        let mut stmt = self
            .conn
            .prepare(
                "SELECT tin, transaction_id, invoice_id, invoice_number, seller_action, \
                 buyer_action FROM transactions",
            )
            .map_err(sql("read transactions"))?;
        out.transactions = stmt
            .query_map([], |r| {
                Ok((
                    (r.get(0)?, r.get(1)?),
                    TxReply {
                        invoice_id: r.get(2)?,
                        invoice_number: r.get(3)?,
                        seller_action: SellerAction::from_code(r.get(4)?),
                        buyer_action: BuyerAction::from_code(r.get(5)?),
                    },
                ))
            })
            .map_err(sql("read transactions"))?
            .collect::<Result<_, _>>()
            .map_err(sql("read transactions"))?;
        drop(stmt);

        let mut stmt = self
            .conn
            .prepare("SELECT username, device_code FROM devices")
            .map_err(sql("read devices"))?;
        out.devices = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sql("read devices"))?
            .collect::<Result<_, _>>()
            .map_err(sql("read devices"))?;
        drop(stmt);

        let mut stmt = self
            .conn
            .prepare(
                "SELECT tin, barcode, seq, goods_name, unit_id, unit_txt, vat_type, unit_price \
                 FROM barcodes",
            )
            .map_err(sql("read barcodes"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i32>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, String>(7)?,
                ))
            })
            .map_err(sql("read barcodes"))?;
        for row in rows {
            let (key, seq, goods_name, unit_id, unit_txt, vat_type, price) =
                row.map_err(sql("read barcodes"))?;
            let unit_price = price.parse().map_err(|e| {
                Error::new(
                    path,
                    format!(
                        "is corrupt: barcode {} of {}: price `{price}`: {e}",
                        key.1, key.0
                    ),
                )
            })?;
            out.barcodes.push((
                key,
                BarCodeEntry {
                    seq,
                    goods_name,
                    unit_id,
                    unit_txt,
                    vat_type: VatType::from_code(vat_type),
                    unit_price,
                },
            ));
        }
        Ok(out)
    }

    /// Write `changes` in one transaction and commit it durably.
    pub fn write(&mut self, changes: &Changes<'_>) -> Result<(), BoxError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut put = tx.prepare_cached(
                "INSERT INTO invoices (id, invoice, change_date, delete_date, subuser_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (id) DO UPDATE SET invoice = excluded.invoice, \
                 change_date = excluded.change_date, delete_date = excluded.delete_date, \
                 subuser_id = excluded.subuser_id",
            )?;
            for stored in &changes.invoices {
                let json = serde_json::to_string(&stored.inv)?;
                put.execute(params![
                    stored.inv.id,
                    json,
                    date_text(stored.change_date),
                    stored.delete_date.map(date_text),
                    stored.subuser_id,
                ])?;
            }
            let mut put = tx.prepare_cached(
                "INSERT OR REPLACE INTO transactions (tin, transaction_id, invoice_id, \
                 invoice_number, seller_action, buyer_action) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for ((tin, id), r) in &changes.transactions {
                put.execute(params![
                    tin,
                    id,
                    r.invoice_id,
                    r.invoice_number,
                    r.seller_action.code(),
                    r.buyer_action.code(),
                ])?;
            }
            let mut put = tx.prepare_cached(
                "INSERT OR IGNORE INTO devices (username, device_code) VALUES (?1, ?2)",
            )?;
            for (user, code) in &changes.devices {
                put.execute(params![user, code])?;
            }
            let mut put = tx.prepare_cached(
                "INSERT OR REPLACE INTO barcodes (tin, barcode, seq, goods_name, unit_id, \
                 unit_txt, vat_type, unit_price) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut delete =
                tx.prepare_cached("DELETE FROM barcodes WHERE tin = ?1 AND barcode = ?2")?;
            for ((tin, code), entry) in &changes.barcodes {
                match entry {
                    Some(e) => put.execute(params![
                        tin,
                        code,
                        e.seq,
                        e.goods_name,
                        e.unit_id,
                        e.unit_txt,
                        e.vat_type.code(),
                        e.unit_price.to_string(),
                    ])?,
                    None => delete.execute(params![tin, code])?,
                };
            }
            if self.saved != Some(changes.counters) {
                let mut put = tx.prepare_cached(
                    "INSERT INTO counters (name, value) VALUES (?1, ?2) \
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )?;
                let c = changes.counters;
                for (name, value) in [
                    ("next_invoice_id", c.next_invoice_id),
                    ("next_goods_id", c.next_goods_id),
                    ("next_inv_number", c.next_inv_number),
                    ("barcodes_seeded", c.barcodes_seeded),
                ] {
                    put.execute(params![name, value])?;
                }
            }
        }
        tx.commit()?;
        self.saved = Some(changes.counters);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of layout version 1 (before sub-users and barcodes) opens,
    /// keeps its documents and is upgraded in place.
    #[test]
    fn a_version_1_file_is_upgraded() {
        let path = std::env::temp_dir().join(format!(
            "taxsdk-sandbox-unit-v1-{}-{}.sqlite",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        let result = std::panic::catch_unwind(|| {
            {
                let conn = Connection::open(&path).unwrap();
                conn.execute_batch(SCHEMA_V1).unwrap();
                conn.pragma_update(None, "application_id", APPLICATION_ID)
                    .unwrap();
                conn.pragma_update(None, "user_version", 1).unwrap();
                let inv = Invoice {
                    id: 1001,
                    ..Invoice::default()
                };
                conn.execute(
                    "INSERT INTO invoices (id, invoice, change_date) VALUES (?1, ?2, ?3)",
                    params![
                        1001,
                        serde_json::to_string(&inv).unwrap(),
                        "2024-04-10T10:00:00"
                    ],
                )
                .unwrap();
            }
            let (store, loaded) = Store::open(&path).unwrap();
            assert_eq!(loaded.invoices[&1001].subuser_id, 0);
            assert!(loaded.barcodes.is_empty());
            let version: i32 = store
                .conn
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .unwrap();
            assert_eq!(version, SCHEMA_VERSION);
            drop(store);
            // The sandbox seeds the catalogues of an upgraded file once.
            let state =
                super::super::state::State::open(super::super::Config::default(), &path).unwrap();
            assert!(!state.barcodes.is_empty());
            assert_eq!(state.invoices.len(), 1);
        });
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
        if let Err(panic) = result {
            std::panic::resume_unwind(panic);
        }
    }
}

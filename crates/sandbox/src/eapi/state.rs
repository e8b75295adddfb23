//! In-memory state of the eAPI sandbox: sessions, PIN challenges, invoices,
//! transactions, barcode catalogues. Everything here is synchronous and runs
//! under one mutex.
//!
//! With a data file (`Config::data`) the state also records what each call
//! changed (`Dirty`) and [`State::persist`] commits it to the
//! [`Store`] before the reply leaves.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, Utc};
use rsge_eapi::enums::{BuyerAction, SellerAction, VatType};
use rsge_eapi::models::Invoice;
use rust_decimal::Decimal;
use taxsdk_runtime::ServiceStatus;
use uuid::Uuid;

use super::Config;
use super::seed::{OrgSeed, UserSeed};
use super::status::{self, status};
use super::store::{self, Changes, Counters, Loaded, Store};

/// Tbilisi time is UTC+4 all year.
const TBILISI_OFFSET: chrono::TimeDelta = chrono::TimeDelta::hours(4);

/// A logged-in session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Index into `State::users`.
    pub user: usize,
    pub expires_at: Instant,
}

#[derive(Debug, Clone)]
struct PinChallenge {
    user: usize,
    pin: String,
    expires_at: Instant,
}

/// The outcome of Authenticate.
pub enum Login {
    Token { token: String, masked: String },
    Pin { pin_token: String, masked: String },
}

/// The reply of SaveInvoice / ActivateInvoice, kept for TransactionId replays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxReply {
    pub invoice_id: i64,
    pub invoice_number: i64,
    pub seller_action: SellerAction,
    pub buyer_action: BuyerAction,
}

/// A stored document: the INVOICE as the service would return it, plus
/// bookkeeping the INVOICE object has no field for.
#[derive(Debug, Clone)]
pub struct Stored {
    pub inv: Invoice,
    pub change_date: NaiveDateTime,
    pub delete_date: Option<NaiveDateTime>,
    /// The sub-user who created it (SUBUSER_ID_SELLER); 0: the main user.
    pub subuser_id: i64,
}

/// (organisation TIN, barcode).
pub type BarCodeKey = (String, String);

/// A barcode of an organisation's catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct BarCodeEntry {
    /// Listing order: the order in which the barcodes were first seen.
    pub seq: i64,
    pub goods_name: String,
    pub unit_id: i32,
    pub unit_txt: String,
    pub vat_type: VatType,
    pub unit_price: Decimal,
}

impl Stored {
    pub fn seller(&self) -> &str {
        self.inv.tin_seller.as_deref().unwrap_or("")
    }
    pub fn buyer(&self) -> &str {
        self.inv.tin_buyer.as_deref().unwrap_or("")
    }
    pub fn seller_action(&self) -> SellerAction {
        self.inv.seller_action.unwrap_or(SellerAction::Saved)
    }
    pub fn buyer_action(&self) -> BuyerAction {
        self.inv.buyer_action.unwrap_or(BuyerAction::Pending)
    }
    /// The buyer (and carrier) see a document only once it was activated.
    pub fn was_activated(&self) -> bool {
        self.inv.activate_date.is_some()
    }
    /// Not deleted, cancelled or replaced by a correction: what it says
    /// still counts (advance balances, distribution stock).
    pub fn is_live(&self) -> bool {
        !matches!(
            self.seller_action(),
            SellerAction::Deleted | SellerAction::Cancelled | SellerAction::Corrected
        )
    }
    pub fn reply(&self) -> TxReply {
        TxReply {
            invoice_id: self.inv.id,
            invoice_number: self.inv.inv_number.unwrap_or(0),
            seller_action: self.seller_action(),
            buyer_action: self.buyer_action(),
        }
    }
}

/// How the caller relates to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Seller,
    Buyer,
    Carrier,
}

pub struct State {
    pub config: Config,
    pub orgs: BTreeMap<String, OrgSeed>,
    sessions: HashMap<String, Session>,
    pins: HashMap<String, PinChallenge>,
    devices: HashMap<usize, HashSet<String>>,
    last_pins: HashMap<String, String>,
    pub invoices: BTreeMap<i64, Stored>,
    pub next_invoice_id: i64,
    pub next_goods_id: i64,
    pub next_inv_number: i64,
    /// (organisation TIN, TransactionId) -> stored reply.
    pub transactions: HashMap<(String, String), TxReply>,
    /// TransactionIds whose first call is still running (-7); never durable.
    pub in_flight: HashSet<(String, String)>,
    /// The organisations' barcode catalogues.
    pub barcodes: BTreeMap<BarCodeKey, BarCodeEntry>,
    /// Whether `Config::barcodes` was applied (once per data file).
    barcodes_seeded: bool,
    skew: Duration,
    /// The data file, if any.
    store: Option<Store>,
    /// What changed since the last [`State::persist`].
    dirty: Dirty,
}

/// Changes not yet written to the data file.
#[derive(Debug, Default)]
struct Dirty {
    invoices: BTreeSet<i64>,
    transactions: Vec<(String, String)>,
    /// (index into `State::users`, device code).
    devices: Vec<(usize, String)>,
    /// Barcodes written or deleted.
    barcodes: BTreeSet<BarCodeKey>,
}

impl Dirty {
    fn is_empty(&self) -> bool {
        self.invoices.is_empty()
            && self.transactions.is_empty()
            && self.devices.is_empty()
            && self.barcodes.is_empty()
    }
}

const NEXT_INVOICE_ID: i64 = 1001;
const NEXT_GOODS_ID: i64 = 1;
const NEXT_INV_NUMBER: i64 = 1_000_001;

impl State {
    pub fn new(config: Config) -> Self {
        let orgs = config
            .orgs
            .iter()
            .map(|o| (o.tin.clone(), o.clone()))
            .collect();
        let mut state = Self {
            config,
            orgs,
            sessions: HashMap::new(),
            pins: HashMap::new(),
            devices: HashMap::new(),
            last_pins: HashMap::new(),
            invoices: BTreeMap::new(),
            next_invoice_id: NEXT_INVOICE_ID,
            next_goods_id: NEXT_GOODS_ID,
            next_inv_number: NEXT_INV_NUMBER,
            transactions: HashMap::new(),
            in_flight: HashSet::new(),
            barcodes: BTreeMap::new(),
            barcodes_seeded: false,
            skew: Duration::ZERO,
            store: None,
            dirty: Dirty::default(),
        };
        state.seed_barcodes();
        state
    }

    /// A state backed by the data file `path`, with everything it holds.
    /// A file that never had the seeded barcodes gets them now (written
    /// before the sandbox answers anything).
    pub fn open(config: Config, path: &std::path::Path) -> Result<Self, store::Error> {
        let (store, loaded) = Store::open(path)?;
        let mut state = Self::new(config);
        state.apply(loaded);
        state.store = Some(store);
        if !state.barcodes_seeded {
            state.seed_barcodes();
            if let Err(e) = state.persist() {
                return Err(store::Error::write(path, e.text));
            }
        }
        Ok(state)
    }

    /// Copy `Config::barcodes` into the catalogues (first start only).
    fn seed_barcodes(&mut self) {
        let seeds = self.config.barcodes.clone();
        for seed in seeds {
            self.put_barcode(
                &seed.tin,
                &seed.barcode,
                BarCodeEntry {
                    seq: 0,
                    goods_name: seed.goods_name,
                    unit_id: seed.unit_id,
                    unit_txt: seed.unit_txt,
                    vat_type: seed.vat_type,
                    unit_price: seed.unit_price,
                },
            );
        }
        self.barcodes_seeded = true;
    }

    /// Add or replace a barcode of `tin`; a known barcode keeps its place
    /// in the listing order.
    pub fn put_barcode(&mut self, tin: &str, barcode: &str, mut entry: BarCodeEntry) {
        let key = (tin.to_string(), barcode.to_string());
        entry.seq = match self.barcodes.get(&key) {
            Some(old) => old.seq,
            None => self.barcodes.values().map(|e| e.seq).max().unwrap_or(0) + 1,
        };
        if self.barcodes.get(&key) == Some(&entry) {
            return;
        }
        if self.store.is_some() {
            self.dirty.barcodes.insert(key.clone());
        }
        self.barcodes.insert(key, entry);
    }

    /// Remove every barcode of `tin`; how many there were.
    pub fn clear_barcodes(&mut self, tin: &str) -> usize {
        let keys: Vec<BarCodeKey> = self
            .barcodes
            .keys()
            .filter(|(t, _)| t == tin)
            .cloned()
            .collect();
        for key in &keys {
            self.barcodes.remove(key);
            if self.store.is_some() {
                self.dirty.barcodes.insert(key.clone());
            }
        }
        keys.len()
    }

    /// Replace the durable part of the state (invoices, counters,
    /// transactions, device codes) with `loaded`.
    fn apply(&mut self, loaded: Loaded) {
        let counter = |name: &str| {
            loaded
                .counters
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| *v)
        };
        // The stored counters, but never below what the documents use: new
        // ids and numbers cannot collide with stored ones.
        let max_id = loaded.invoices.keys().next_back().copied().unwrap_or(0);
        let max_goods = loaded
            .invoices
            .values()
            .flat_map(|s| s.inv.invoice_goods.iter().flatten())
            .map(|g| g.id)
            .max()
            .unwrap_or(0);
        let max_number = loaded
            .invoices
            .values()
            .filter_map(|s| s.inv.inv_number)
            .max()
            .unwrap_or(0);
        let next = |name: &str, default: i64, used: i64| {
            counter(name)
                .unwrap_or(default)
                .max(default)
                .max(used.saturating_add(1))
        };
        self.next_invoice_id = next("next_invoice_id", NEXT_INVOICE_ID, max_id);
        self.next_goods_id = next("next_goods_id", NEXT_GOODS_ID, max_goods);
        self.next_inv_number = next("next_inv_number", NEXT_INV_NUMBER, max_number);
        self.barcodes_seeded = counter("barcodes_seeded").is_some_and(|v| v != 0);
        self.invoices = loaded.invoices;
        self.transactions = loaded.transactions.into_iter().collect();
        self.barcodes = loaded.barcodes.into_iter().collect();
        self.devices.clear();
        for (username, code) in loaded.devices {
            // Devices of users the config no longer has stay in the file.
            if let Some(user) = self
                .config
                .users
                .iter()
                .position(|u| u.username == username)
            {
                self.devices.entry(user).or_default().insert(code);
            }
        }
        self.dirty = Dirty::default();
    }

    pub fn data_path(&self) -> Option<&std::path::Path> {
        self.store.as_ref().map(Store::path)
    }

    /// The data file's connection, for tests that make writes fail.
    #[cfg(test)]
    pub fn store_connection(&self) -> Option<&rusqlite::Connection> {
        self.store.as_ref().map(Store::connection)
    }

    fn counters(&self) -> Counters {
        Counters {
            next_invoice_id: self.next_invoice_id,
            next_goods_id: self.next_goods_id,
            next_inv_number: self.next_inv_number,
            barcodes_seeded: i64::from(self.barcodes_seeded),
        }
    }

    /// Invoice `id` was inserted or changed.
    pub fn mark_invoice(&mut self, id: i64) {
        if self.store.is_some() {
            self.dirty.invoices.insert(id);
        }
    }

    /// Store the reply of a TransactionId.
    pub fn record_transaction(&mut self, key: (String, String), reply: TxReply) {
        if self.store.is_some() {
            self.dirty.transactions.push(key.clone());
        }
        self.transactions.insert(key, reply);
    }

    /// Commit what changed since the last call to the data file (a no-op
    /// without one). Called before every reply of a state-changing method,
    /// so an answered call is on disk. When the write fails, the durable
    /// part of the state is read back from the file (the call is undone)
    /// and the caller gets -1 with HTTP 500.
    pub fn persist(&mut self) -> Result<(), ServiceStatus> {
        let counters = self.counters();
        let Some(store) = self.store.as_mut() else {
            return Ok(());
        };
        if self.dirty.is_empty() && store.saved == Some(counters) {
            return Ok(());
        }
        let changes = Changes {
            invoices: self
                .dirty
                .invoices
                .iter()
                .filter_map(|id| self.invoices.get(id))
                .collect(),
            transactions: self
                .dirty
                .transactions
                .iter()
                .filter_map(|key| self.transactions.get_key_value(key))
                .collect(),
            devices: self
                .dirty
                .devices
                .iter()
                .map(|(user, code)| (self.config.users[*user].username.as_str(), code.as_str()))
                .collect(),
            barcodes: self
                .dirty
                .barcodes
                .iter()
                .map(|key| (key, self.barcodes.get(key)))
                .collect(),
            counters,
        };
        let Err(e) = store.write(&changes) else {
            self.dirty = Dirty::default();
            return Ok(());
        };
        let path = store.path().display().to_string();
        tracing::error!(path, error = %e, "cannot write the sandbox data file; undoing the call");
        match store.load() {
            Ok(loaded) => self.apply(loaded),
            // Keep the changes marked: the next successful write includes
            // them, so nothing answered later depends on unwritten state.
            Err(e) => tracing::error!(path, error = %e, "cannot read the sandbox data file back"),
        }
        Err(ServiceStatus::new(
            status::SYSTEM,
            format!("sandbox: cannot write the data file {path}: {e}"),
            500,
        ))
    }

    // ---- clock -----------------------------------------------------------

    pub fn instant(&self) -> Instant {
        Instant::now() + self.skew
    }

    /// Local (Tbilisi) wall-clock time, whole seconds.
    pub fn local_now(&self) -> NaiveDateTime {
        let now = Utc::now().naive_utc() + TBILISI_OFFSET;
        let now = now
            .checked_add_signed(chrono::TimeDelta::from_std(self.skew).unwrap_or_default())
            .unwrap_or(now);
        now.with_nanosecond(0).unwrap_or(now)
    }

    pub fn advance_clock(&mut self, by: Duration) {
        self.skew += by;
    }

    // ---- users and sessions ---------------------------------------------

    pub fn user(&self, index: usize) -> &UserSeed {
        &self.config.users[index]
    }

    fn find_user(&self, username: &str) -> Option<usize> {
        let name = username.trim();
        self.config
            .users
            .iter()
            .position(|u| u.username.eq_ignore_ascii_case(name) || u.tin == name)
    }

    pub fn last_pin(&self, username: &str) -> Option<String> {
        let user = self.find_user(username)?;
        self.last_pins
            .get(&self.config.users[user].username)
            .cloned()
    }

    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    fn new_access_token(&mut self, user: usize) -> String {
        // <GUID>-<ddMMyyyyhhmmss>: the document's tokens use a 12-hour clock
        // (".NET hh"); PIN tokens below use 24 hours, as in the document.
        let token = format!(
            "{}-{}",
            Uuid::new_v4(),
            self.local_now().format("%d%m%Y%I%M%S")
        );
        let expires_at = self.instant() + self.config.token_ttl;
        self.sessions
            .insert(token.clone(), Session { user, expires_at });
        token
    }

    pub fn ttl_seconds(&self) -> i32 {
        i32::try_from(self.config.token_ttl.as_secs()).unwrap_or(i32::MAX)
    }

    /// Authenticate: an access token, or a PIN challenge for a two-step
    /// user without a remembered device.
    pub fn authenticate(
        &mut self,
        username: &str,
        password: &str,
        device_code: Option<&str>,
    ) -> Result<Login, ServiceStatus> {
        let Some(user) = self.find_user(username) else {
            tracing::info!(username, "unknown user");
            return Err(status(status::BAD_CREDENTIALS));
        };
        if self.config.users[user].password != password.trim() {
            tracing::info!(username, "wrong password");
            return Err(status(status::BAD_CREDENTIALS));
        }
        let masked = self.config.users[user].masked_mobile.clone();
        let remembered = device_code
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .is_some_and(|d| self.devices.get(&user).is_some_and(|set| set.contains(d)));
        if !self.config.users[user].two_step || remembered {
            return Ok(Login::Token {
                token: self.new_access_token(user),
                masked,
            });
        }
        let random = Uuid::new_v4().as_u128();
        let pin = format!("{:04}", random % 10_000);
        let letters: String = Uuid::new_v4()
            .as_bytes()
            .iter()
            .chain(Uuid::new_v4().as_bytes().iter())
            .take(20)
            .map(|b| {
                let i = b % 52;
                char::from(if i < 26 { b'A' + i } else { b'a' + (i - 26) })
            })
            .collect();
        let pin_token = format!("{letters}-{}", self.local_now().format("%d%m%Y%H%M%S"));
        let name = self.config.users[user].username.clone();
        tracing::info!(username = %name, %pin, "sandbox SMS: PIN for two-step login");
        self.last_pins.insert(name, pin.clone());
        let expires_at = self.instant() + self.config.pin_ttl;
        self.pins.insert(
            pin_token.clone(),
            PinChallenge {
                user,
                pin,
                expires_at,
            },
        );
        Ok(Login::Pin { pin_token, masked })
    }

    pub fn authenticate_pin(
        &mut self,
        pin_token: &str,
        pin: &str,
        device_code: Option<&str>,
    ) -> Result<String, ServiceStatus> {
        let now = self.instant();
        let Some(challenge) = self.pins.get(pin_token.trim()).cloned() else {
            return Err(status(status::PIN_EXPIRED));
        };
        if challenge.expires_at <= now {
            self.pins.remove(pin_token.trim());
            return Err(status(status::PIN_EXPIRED));
        }
        if challenge.pin != pin.trim() {
            return Err(status(status::BAD_PIN));
        }
        self.pins.remove(pin_token.trim());
        if let Some(device) = device_code.map(str::trim).filter(|d| !d.is_empty()) {
            let new = self
                .devices
                .entry(challenge.user)
                .or_default()
                .insert(device.to_string());
            if new && self.store.is_some() {
                self.dirty
                    .devices
                    .push((challenge.user, device.to_string()));
            }
        }
        Ok(self.new_access_token(challenge.user))
    }

    /// The session of `token`, its expiry pushed forward (sliding expiry).
    pub fn touch(&mut self, token: Option<&str>) -> Result<Session, ServiceStatus> {
        let Some(token) = token else {
            return Err(status(status::BAD_TOKEN));
        };
        let now = self.instant();
        let ttl = self.config.token_ttl;
        match self.sessions.get_mut(token) {
            Some(session) if session.expires_at > now => {
                session.expires_at = now + ttl;
                Ok(session.clone())
            }
            Some(_) => {
                self.sessions.remove(token);
                Err(status(status::BAD_TOKEN))
            }
            None => Err(status(status::BAD_TOKEN)),
        }
    }

    pub fn sign_out(&mut self, token: &str) {
        self.sessions.remove(token);
    }

    // ---- invoices ----------------------------------------------------------

    /// How `tin` relates to invoice `id`, if it may see it at all.
    pub fn role(&self, stored: &Stored, tin: &str) -> Option<Role> {
        if stored.seller() == tin {
            Some(Role::Seller)
        } else if stored.buyer() == tin && stored.was_activated() {
            Some(Role::Buyer)
        } else if stored.inv.trans_company_tin.as_deref() == Some(tin) && stored.was_activated() {
            Some(Role::Carrier)
        } else {
            None
        }
    }

    /// The invoice `id` if `tin` may see it; otherwise -2, the same answer as
    /// for an unknown id (so that existence does not leak).
    pub fn visible(&self, id: i64, tin: &str) -> Result<(&Stored, Role), ServiceStatus> {
        self.invoices
            .get(&id)
            .and_then(|s| self.role(s, tin).map(|r| (s, r)))
            .ok_or_else(|| status::invalid(format!("invoice {id} unknown or not visible to {tin}")))
    }
}

use chrono::Timelike as _;

#[cfg(test)]
mod tests {
    use super::*;
    use rsge_eapi::enums::{InvoiceCategory, InvoiceType};
    use rsge_eapi::models::InvoiceGoods;
    use rust_decimal::Decimal;

    fn invoice() -> Invoice {
        Invoice {
            inv_category: Some(InvoiceCategory::GoodsServices),
            inv_type: Some(InvoiceType::WithoutTransport),
            operation_date: chrono::NaiveDate::from_ymd_opt(2024, 4, 10)
                .and_then(|d| d.and_hms_opt(10, 0, 0)),
            tin_seller: Some(rsge_eapi::Tin::new("206322102").expect("a TIN")),
            tin_buyer: Some("12345678910".into()),
            invoice_goods: Some(vec![InvoiceGoods {
                goods_name: Some("x".into()),
                unit_id: Some(1),
                quantity: Some(Decimal::ONE),
                unit_price: Some(Decimal::TEN),
                ..Default::default()
            }]),
            ..Default::default()
        }
    }

    /// A write that fails is answered with -1 / HTTP 500 and undone in
    /// memory; the file keeps what was acknowledged before.
    #[test]
    fn a_failed_write_is_undone() {
        let path = std::env::temp_dir().join(format!(
            "taxsdk-sandbox-unit-{}-{}.sqlite",
            std::process::id(),
            Uuid::new_v4()
        ));
        let result = std::panic::catch_unwind(|| {
            let mut st = State::open(Config::default(), &path).unwrap();
            let user = st.user(0).clone();
            let first = st.save(&user, invoice(), false).unwrap();
            st.persist().unwrap();

            let store = st.store.as_ref().unwrap();
            store
                .connection()
                .execute_batch(
                    "CREATE TEMP TRIGGER fail BEFORE INSERT ON main.invoices \
                     BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END;",
                )
                .unwrap();
            let key = ("206322102".to_string(), "tx".to_string());
            let second = st.save(&user, invoice(), false).unwrap();
            st.record_transaction(key.clone(), second);
            let err = st.persist().unwrap_err();
            assert_eq!((err.code, err.http_status), (status::SYSTEM, 500));
            assert!(err.text.contains("disk full (test)"), "{}", err.text);
            assert_eq!(
                st.invoices.keys().copied().collect::<Vec<_>>(),
                [first.invoice_id]
            );
            assert!(!st.transactions.contains_key(&key));
            assert_eq!(st.next_invoice_id, first.invoice_id + 1);

            st.store
                .as_ref()
                .unwrap()
                .connection()
                .execute_batch("DROP TRIGGER temp.fail;")
                .unwrap();
            let third = st.save(&user, invoice(), false).unwrap();
            st.persist().unwrap();
            assert_eq!(third.invoice_id, second.invoice_id);
            drop(st);
            let st = State::open(Config::default(), &path).unwrap();
            assert_eq!(st.invoices.len(), 2);
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

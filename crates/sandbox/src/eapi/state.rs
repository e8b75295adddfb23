//! In-memory state of the eAPI sandbox: sessions, PIN challenges, invoices,
//! transactions. Everything here is synchronous and runs under one mutex.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, Utc};
use rsge_eapi::enums::{BuyerAction, SellerAction};
use rsge_eapi::models::Invoice;
use taxsdk_runtime::ServiceStatus;
use uuid::Uuid;

use super::Config;
use super::seed::{OrgSeed, UserSeed};
use super::status::{self, status};

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
    skew: Duration,
}

impl State {
    pub fn new(config: Config) -> Self {
        let orgs = config
            .orgs
            .iter()
            .map(|o| (o.tin.clone(), o.clone()))
            .collect();
        Self {
            config,
            orgs,
            sessions: HashMap::new(),
            pins: HashMap::new(),
            devices: HashMap::new(),
            last_pins: HashMap::new(),
            invoices: BTreeMap::new(),
            next_invoice_id: 1001,
            next_goods_id: 1,
            next_inv_number: 1_000_001,
            transactions: HashMap::new(),
            skew: Duration::ZERO,
        }
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
            self.devices
                .entry(challenge.user)
                .or_default()
                .insert(device.to_string());
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

//! The IRP sandbox's state: sessions, registered IRNs and e-way bills, the
//! GSTIN registry and the clock.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use gst_irp::Sek;
use gst_irp::models::Invoice;

use super::Config;
use super::seed::GstinSeed;

/// A logged-in session. The token is the key of `State::sessions`.
pub(crate) struct Session {
    pub client_id: String,
    pub user_name: String,
    pub gstin: String,
    pub sek: Sek,
    pub expires: DateTime<Utc>,
}

/// An e-way bill generated for an IRN.
#[derive(Clone)]
pub(crate) struct EwayBill {
    pub number: i64,
    /// Generated at (India time, seconds zeroed as the IRP writes them).
    pub date: NaiveDateTime,
    pub generated: DateTime<Utc>,
    pub valid_till: Option<NaiveDateTime>,
    pub gen_gstin: String,
    pub cancelled: Option<NaiveDateTime>,
}

impl EwayBill {
    pub fn active(&self) -> bool {
        self.cancelled.is_none()
    }
}

/// A registered e-invoice.
pub(crate) struct Registered {
    pub irn: String,
    pub ack_no: i64,
    /// India time, seconds zeroed.
    pub ack_dt: NaiveDateTime,
    /// The instant of registration (for the 24-hour and 2-day windows).
    pub generated: DateTime<Utc>,
    pub seller: String,
    pub invoice: Invoice,
    pub signed_invoice: String,
    pub signed_qr_code: String,
    pub cancelled: Option<NaiveDateTime>,
    /// E-way bills in order of generation; the last one is the current one.
    pub ewbs: Vec<EwayBill>,
}

impl Registered {
    pub fn active_ewb(&self) -> Option<&EwayBill> {
        self.ewbs.iter().rev().find(|e| e.active())
    }
}

pub(crate) struct State {
    pub config: Config,
    /// How far the sandbox's clock is ahead of the system clock.
    skew: TimeDelta,
    /// By token.
    pub sessions: HashMap<String, Session>,
    /// The current token of each (client id, user name).
    pub current_token: HashMap<(String, String), String>,
    /// By IRN.
    pub irns: BTreeMap<String, Registered>,
    /// E-way bill number -> IRN.
    pub ewb_index: HashMap<i64, String>,
    /// The registry by GSTIN (mutable: SyncGstin copies portal-only
    /// entries into the IRP's master).
    pub registry: BTreeMap<String, GstinSeed>,
    /// Rejected IRNs by (GSTIN, day).
    pub rejected: BTreeMap<(String, NaiveDate), Vec<String>>,
    next_ack: i64,
    next_ewb: i64,
}

/// First acknowledgement number (15 digits; the sandbox's numbering).
const FIRST_ACK_NO: i64 = 112_010_000_000_001;
/// First e-way bill number (12 digits; the sandbox's numbering).
const FIRST_EWB_NO: i64 = 391_000_000_001;

impl State {
    pub fn new(config: Config) -> Self {
        let registry = config
            .gstins
            .iter()
            .map(|g| (g.gstin.to_ascii_uppercase(), g.clone()))
            .collect();
        Self {
            config,
            skew: TimeDelta::zero(),
            sessions: HashMap::new(),
            current_token: HashMap::new(),
            irns: BTreeMap::new(),
            ewb_index: HashMap::new(),
            registry,
            rejected: BTreeMap::new(),
            next_ack: FIRST_ACK_NO,
            next_ewb: FIRST_EWB_NO,
        }
    }

    /// The sandbox's clock, to whole seconds (the IRP's timestamps have no
    /// fractions, and a token's expiry must read back as it was written).
    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now() + self.skew;
        now - TimeDelta::nanoseconds(i64::from(now.timestamp_subsec_nanos()))
    }

    pub fn advance_clock(&mut self, by: TimeDelta) {
        self.skew += by;
    }

    pub fn next_ack_no(&mut self) -> i64 {
        let n = self.next_ack;
        self.next_ack += 1;
        n
    }

    pub fn next_ewb_no(&mut self) -> i64 {
        let n = self.next_ewb;
        self.next_ewb += 1;
        n
    }

    /// Forget sessions that have expired (bounded memory for long runs).
    pub fn purge_sessions(&mut self, now: DateTime<Utc>) {
        self.sessions.retain(|_, s| s.expires > now);
        let sessions = &self.sessions;
        self.current_token.retain(|_, t| sessions.contains_key(t));
    }
}

//! The IRP sandbox's seeded API users and GSTIN registry. Names and
//! addresses are fictional (the first GSTIN and its trade name are the fact
//! sheet's example); every GSTIN has a valid check character.

use chrono::NaiveDate;
use gst_irp::enums::{BlockStatus, GstinStatus};

/// Client id of the main test user ([`default_users`]).
pub const CLIENT_ID: &str = "TAXSDKSANDBOX01";
/// Client secret of [`CLIENT_ID`]. A test credential, not a secret.
pub const CLIENT_SECRET: &str = "sandbox-client-secret-1";
/// User name of the main test user.
pub const USER_NAME: &str = "sandbox_ka";
/// Password of every seeded user. A test credential, not a secret.
pub const PASSWORD: &str = "Sandbox@123";
/// GSTIN of the main test user (Karnataka).
pub const GSTIN: &str = "29AAACP7879D1Z0";

/// An API user of the IRP: the client id and secret its ERP (or GSP) was
/// issued, its user name and password, and the GSTIN it acts for.
///
/// `Debug` hides the secret and the password.
#[derive(Clone)]
pub struct ApiUserSeed {
    /// `client-id` header.
    pub client_id: String,
    /// `client-secret` header.
    pub client_secret: String,
    /// `UserName` of the login.
    pub user_name: String,
    /// `Password` of the login.
    pub password: String,
    /// The `gstin` header this user logs in with.
    pub gstin: String,
    /// An inactive user's login answers 1014.
    pub active: bool,
}

impl std::fmt::Debug for ApiUserSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiUserSeed")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("user_name", &self.user_name)
            .field("password", &"<redacted>")
            .field("gstin", &self.gstin)
            .field("active", &self.active)
            .finish()
    }
}

impl ApiUserSeed {
    fn new(client: (&str, &str), user_name: &str, gstin: &str, active: bool) -> Self {
        Self {
            client_id: client.0.into(),
            client_secret: client.1.into(),
            user_name: user_name.into(),
            password: PASSWORD.into(),
            gstin: gstin.into(),
            active,
        }
    }
}

/// The seeded API users, all with password [`PASSWORD`]:
///
/// | client id | user | GSTIN | |
/// |---|---|---|---|
/// | `TAXSDKSANDBOX01` | `sandbox_ka` | 29AAACP7879D1Z0 (Karnataka) | active |
/// | `TAXSDKSANDBOX01` | `sandbox_mh` | 27AABCS1429B1ZU (Maharashtra) | active |
/// | `TAXSDKSANDBOX01` | `sandbox_inactive` | 07AAACD3312K1ZZ (Delhi) | inactive (1014) |
/// | `TAXSDKSANDBOX02` | `sandbox_dl` | 07AAACD3312K1ZZ (Delhi) | active |
///
/// Client secrets: `sandbox-client-secret-1` and `sandbox-client-secret-2`.
pub fn default_users() -> Vec<ApiUserSeed> {
    let first = (CLIENT_ID, CLIENT_SECRET);
    let second = ("TAXSDKSANDBOX02", "sandbox-client-secret-2");
    vec![
        ApiUserSeed::new(first, USER_NAME, GSTIN, true),
        ApiUserSeed::new(first, "sandbox_mh", "27AABCS1429B1ZU", true),
        ApiUserSeed::new(first, "sandbox_inactive", "07AAACD3312K1ZZ", false),
        ApiUserSeed::new(second, "sandbox_dl", "07AAACD3312K1ZZ", true),
    ]
}

/// A taxpayer of the GST registry, as GetGstinDetails answers it.
#[derive(Debug, Clone)]
pub struct GstinSeed {
    /// The GSTIN.
    pub gstin: String,
    /// Trade name.
    pub trade_name: Option<String>,
    /// Legal name.
    pub legal_name: String,
    /// Building name.
    pub addr_bnm: Option<String>,
    /// Building number.
    pub addr_bno: Option<String>,
    /// Street.
    pub addr_st: Option<String>,
    /// Locality.
    pub addr_loc: Option<String>,
    /// PIN code.
    pub pin: i32,
    /// Taxpayer type (`REG`, `COM`, ...).
    pub txp_type: String,
    /// Registration status.
    pub status: GstinStatus,
    /// E-invoicing blocked (`B`) or not (`U`).
    pub blk_status: Option<BlockStatus>,
    /// Date of registration.
    pub dt_reg: Option<NaiveDate>,
    /// Date of de-registration.
    pub dt_d_reg: Option<NaiveDate>,
    /// Whether the IRP's own copy of the master has it. `false`: only the
    /// GST common portal has it, so GetGstinDetails answers 3001 until a
    /// SyncGstin copies it over.
    pub in_irp_master: bool,
}

struct Entry<'a> {
    gstin: &'a str,
    trade: &'a str,
    legal: &'a str,
    street: &'a str,
    locality: &'a str,
    pin: i32,
    status: GstinStatus,
    deregistered: Option<(i32, u32, u32)>,
    in_irp_master: bool,
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The seeded registry: active taxpayers in Karnataka (the fact sheet's
/// `29AAACP7879D1Z0`), Maharashtra, Delhi and West Bengal, a cancelled one
/// (Tamil Nadu, `33AADCT5546M1Z1`), an inactive one (Telangana,
/// `36AAFCR7789Q1Z6`) and one only on the common portal (Uttar Pradesh,
/// `09AAHCU8765P1Z6`: 3001 until SyncGstin).
pub fn default_gstins() -> Vec<GstinSeed> {
    use GstinStatus::{Active, Cancelled, Inactive};
    let entries = [
        Entry {
            gstin: "29AAACP7879D1Z0",
            trade: "TALLY SOLUTIONS PVT LTD",
            legal: "TALLY SOLUTIONS PRIVATE LIMITED",
            street: "SANDBOX MAIN ROAD",
            locality: "BENGALURU",
            pin: 560_001,
            status: Active,
            deregistered: None,
            in_irp_master: true,
        },
        Entry {
            gstin: "27AABCS1429B1ZU",
            trade: "SANDBOX TRADERS",
            legal: "SANDBOX TRADERS MAHARASHTRA PRIVATE LIMITED",
            street: "TEST STREET",
            locality: "MUMBAI",
            pin: 400_001,
            status: Active,
            deregistered: None,
            in_irp_master: true,
        },
        Entry {
            gstin: "07AAACD3312K1ZZ",
            trade: "DELHI SANDBOX SUPPLIES",
            legal: "DELHI SANDBOX SUPPLIES LLP",
            street: "EXAMPLE MARG",
            locality: "NEW DELHI",
            pin: 110_001,
            status: Active,
            deregistered: None,
            in_irp_master: true,
        },
        Entry {
            gstin: "19AAJCW2468N1ZH",
            trade: "KOLKATA SANDBOX JUTE",
            legal: "KOLKATA SANDBOX JUTE MILLS LIMITED",
            street: "DUMMY LANE",
            locality: "KOLKATA",
            pin: 700_001,
            status: Active,
            deregistered: None,
            in_irp_master: true,
        },
        Entry {
            gstin: "33AADCT5546M1Z1",
            trade: "CHENNAI TEST TEXTILES",
            legal: "CHENNAI TEST TEXTILES PRIVATE LIMITED",
            street: "SAMPLE SALAI",
            locality: "CHENNAI",
            pin: 600_001,
            status: Cancelled,
            deregistered: Some((2023, 3, 31)),
            in_irp_master: true,
        },
        Entry {
            gstin: "36AAFCR7789Q1Z6",
            trade: "HYDERABAD IDLE TRADERS",
            legal: "HYDERABAD IDLE TRADERS PRIVATE LIMITED",
            street: "PLACEHOLDER ROAD",
            locality: "HYDERABAD",
            pin: 500_001,
            status: Inactive,
            deregistered: None,
            in_irp_master: true,
        },
        Entry {
            gstin: "09AAHCU8765P1Z6",
            trade: "LUCKNOW PORTAL ENTERPRISES",
            legal: "LUCKNOW PORTAL ENTERPRISES PRIVATE LIMITED",
            street: "FICTION ROAD",
            locality: "LUCKNOW",
            pin: 226_001,
            status: Active,
            deregistered: None,
            in_irp_master: false,
        },
    ];
    entries
        .into_iter()
        .map(|e| GstinSeed {
            gstin: e.gstin.into(),
            trade_name: Some(e.trade.into()),
            legal_name: e.legal.into(),
            addr_bnm: Some("SANDBOX HOUSE".into()),
            addr_bno: Some("1".into()),
            addr_st: Some(e.street.into()),
            addr_loc: Some(e.locality.into()),
            pin: e.pin,
            txp_type: "REG".into(),
            status: e.status,
            blk_status: Some(BlockStatus::from_code("U")),
            dt_reg: date(2017, 7, 1),
            dt_d_reg: e.deregistered.and_then(|(y, m, d)| date(y, m, d)),
            in_irp_master: e.in_irp_master,
        })
        .collect()
}

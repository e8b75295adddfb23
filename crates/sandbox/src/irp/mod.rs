//! Emulator of the India GST e-invoice IRP (Invoice Registration Portal).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use gst_irp::{AppKey, Credentials, SecretString, session};
//! use taxsdk_sandbox::irp::{self, seed};
//!
//! let sandbox = irp::spawn().await?; // 127.0.0.1:<free port>
//! let credentials = Credentials::new(
//!     seed::GSTIN, seed::CLIENT_ID, SecretString::from(seed::CLIENT_SECRET),
//!     seed::USER_NAME, SecretString::from(seed::PASSWORD),
//! );
//! let app_key = AppKey::generate();
//! let body = session::auth_request_body(
//!     &credentials, &app_key, false, &sandbox.sandbox().public_key(),
//! )?;
//! // POST `body` to {base_url}/eivital/v1.04/auth with
//! // `credentials.login_headers()`, then `session::read_auth_response`.
//! # let _ = body; Ok(()) }
//! ```
//!
//! # NOTES
//!
//! State lives in memory behind one mutex (nothing is persisted). Every
//! reply is the IRP's envelope `{Status, Data, ErrorDetails, InfoDtls}`;
//! handlers never panic on input.
//!
//! ## Emulated
//!
//! - **Transport**: the paths of `spec/gst-irp/endpoints.yaml`, matched
//!   without regard to case, with repeated slashes collapsed (GSP-style base
//!   URLs ending in `/` give `//eicore/...`) and a trailing slash ignored.
//!   Header names are case-insensitive (HTTP). JSON keys of requests are
//!   matched case-insensitively, as the IRP does (`cnlrsn`, `vehno`).
//! - **Key**: a fixed RSA-2048 key pair checked in beside this module
//!   (`sandbox_key.pem`, a **sandbox-only** key: its private half is
//!   public). [`Sandbox::public_key`] / [`Sandbox::public_key_pem`] give the
//!   public half, and the router serves it at `GET /irp-public-key.pem`
//!   ([`PUBLIC_KEY_PATH`]). `Config::key` takes another key.
//! - **Login** `POST /eivital/v1.04/auth` (v1.04: RSA PKCS#1 v1.5 of the
//!   base64 of the login JSON; the reply's `Sek` is the session key under
//!   the AppKey, AES-256-ECB). Seeded users: [`seed::default_users`]
//!   (`sandbox_ka` / `Sandbox@123`, client `TAXSDKSANDBOX01` /
//!   `sandbox-client-secret-1`, GSTIN 29AAACP7879D1Z0, and others). Codes,
//!   in the order checked: 1011 / 1012 / 1004 missing client-id /
//!   client-secret / gstin header; 5003 no `Data`; 1020 `Data` that does
//!   not decrypt to the login JSON (wrong key, bad base64); 1006 no user
//!   name; 1016 an AppKey that is not 32 bytes of base64; 1010 unknown
//!   client-id/secret pair; 1017 unknown user; 1018 user of another client
//!   id; 1019 wrong password; 1015 gstin header not the user's; 1014
//!   inactive user.
//! - **Tokens**: valid `Config::token_ttl` (default 360 minutes, as in
//!   production; the NIC sandbox uses 60). A login within the validity
//!   answers the same token, the same session key (under the new AppKey)
//!   and the same expiry; with `ForceRefreshAccessToken` a new token and
//!   key are issued only in the last 10 minutes (the old ones stay valid
//!   until they expire). Every later call needs client-id, client-secret,
//!   gstin, user_name and AuthToken (1011, 1012, 1004, 1006 when missing,
//!   1010 for an unknown client pair); a missing, unknown or expired token,
//!   or one issued to another client, user or GSTIN answers 1005.
//!   [`Sandbox::advance_clock`] moves the clock for tests.
//! - **GSTIN registry** ([`seed::default_gstins`]): GetGstinDetails and
//!   SyncGstin answer 3028 for a malformed GSTIN or a wrong check
//!   character, 3001 for one the registry does not have; cancelled and
//!   inactive taxpayers are answered with their `Status` (CNL, INA).
//!   `09AAHCU8765P1Z6` is only on the "common portal": GetGstinDetails
//!   answers 3001 until a SyncGstin copies it into the IRP's master.
//! - **GenerateIrn** `POST /eicore/v1.03/Invoice`: the decrypted payload
//!   decodes into `gst_irp::models::Invoice` (2140 naming the field when
//!   not), then `Invoice::validate()` (the spec's constraints and business
//!   rules: every violation is one `ErrorDetails` entry with its code:
//!   2140, 2172, 2176, 2182, 2189, 2193, 4010...); then the seller must be
//!   the logged-in GSTIN (2143), registered (3028) and active (3029); a
//!   buyer GSTIN with a wrong check character is 3028, a registered
//!   cancelled or inactive buyer 3029 (unregistered well-formed buyers are
//!   accepted). The IRN is `gst_irp::compute_irn`'s; a second registration
//!   of the same seller, financial year, type and number (also after
//!   cancellation) answers 2150 with InfoDtls `DUPIRN` `{AckNo, AckDt,
//!   Irn}`. AckNo: 15 digits counting from 112010000000001; AckDt: India
//!   time with seconds `00`. SignedInvoice and SignedQRCode are JWTs signed
//!   with the sandbox key (`gst_irp::jwt::sign`; data as the fact sheet
//!   says: AckNo, AckDt, Irn and the invoice as decoded with nulls
//!   omitted, `Typ` upper-case, `"ItemNo":0` before each `SlNo`; the QR
//!   data's MainHsnCode is the HSN of the line with the highest AssAmt).
//! - **E-way bills** (with `EwbDtls`, or `POST /eiewb/v1.03/ewaybill` for
//!   an IRN): number of 12 digits from 391000000001; EwbDt = the time of
//!   generation; EwbValidTill = 23:59:00 of the day that is one day per
//!   200 km (20 km for over-dimensional cargo) after it, as in the fact
//!   sheet's sample. Distance 0: the sandbox's own "pin-to-pin" distance
//!   (`|pin from - pin to| / 100`, 1 to 4000 km; not geography), reported
//!   in InfoDtls `EWBPPD`; the same PIN on both ends answers 4029. Rules:
//!   4010 (credit/debit note, services only), 4009 (every goods HSN starts
//!   with 99), 4028 (vehicle without mode), 4019 (neither mode nor
//!   transporter id), 4011 / 4022 (road without vehicle number / type),
//!   4012 / 4023 (rail or ship / air without transport document), 4024
//!   (over-dimensional cargo by rail or air), 4018 (transporter id with a
//!   wrong check character), 4021 / 4016 (transport document dated before
//!   the invoice / in the future), 4013 (distance over 4000). With
//!   GenerateIrn the IRN is generated anyway and the errors come in
//!   InfoDtls `EWBERR`. GenerateEwbByIrn: 4003 unknown IRN, 4000 cancelled
//!   IRN, 4002 an active e-way bill exists. GetEwbByIrn: 4005 without one.
//! - **GetIrnDetails** / **GetIrnByDocDetails** (`doctype`, `docnum`
//!   percent-decoded, `docdate` dd/mm/yyyy; 2142 when one is missing or
//!   malformed): the IRN of the logged-in GSTIN as GenerateIrn answered it,
//!   with its current Status and e-way bill; 2148 (by IRN) / 2154 (by
//!   document) when unknown or another seller's; 2283 once it is more than
//!   2 days old.
//! - **CancelIrn**: 2148 unknown, 9999 already cancelled, 2270 more than 24
//!   hours after AckDt, 2230 while an e-way bill is active; the document
//!   number stays taken (2150).
//! - **CancelEwb** `POST /ewaybillapi/v1.03/ewayapi` (the e-way bill
//!   system's envelope: headers client-id, client-secret, gstin,
//!   authtoken; `{"action":"CANEWB","data":AES(base64(json))}`; replies
//!   `{"status":"1","data":...}` or `{"status":"0","error":base64({"errorCodes":..})}`)
//!   with the e-way bill system's codes (third-party lists): 238 invalid
//!   token, 237 client pair, 115 no data, 109 decryption, 100 JSON, 239
//!   action, 307 reason, 308 remark, 312 not the caller's or cancelled, 315
//!   more than 24 hours old. cancelDate is `dd/MM/yyyy hh:mm:ss AM`.
//! - **GetRejectedIrns** `?date=dd/mm/yyyy` (2142 without a valid date):
//!   there is only one IRP here, so nothing is ever rejected unless a test
//!   says so with [`Sandbox::add_rejected_irn`].
//! - **Unreadable requests** get the envelope with a 4xx status (the real
//!   IRP answers HTTP 200 for most refusals; so does the sandbox for every
//!   request it could read): 400 with 5003 (no body / no `Data`), 1020
//!   (`Data` does not decrypt) or 2140 (decrypted text is not JSON); 404 /
//!   405 / 413 with the sandbox's own codes `404`, `405`, `413` (unknown
//!   path, wrong method, body over `Config::max_request_bytes`).
//! - **Faults** (`Config::faults`): the fault layer of [`crate::faults`].
//! - **Request log**: every request at INFO: method, path, endpoint, HTTP
//!   status, the first error code, milliseconds; never a body or a header
//!   value (they hold passwords, tokens and keys).
//!
//! ## Not emulated
//!
//! - `sup_gstin` (e-commerce operators acting for a supplier) and the `irp`
//!   header are ignored; GSP passthrough headers too.
//! - Date rules of the document against the registration (3074-3079), a
//!   document date in the future, blocked GSTINs (BlkStatus is data only),
//!   export rules of e-way bills (4031-4036, 4039, 4040), distance limits
//!   against the computed distance (4038), SYS_5001.
//! - The v1.03 login (separately encrypted password and AppKey).

mod ewb;
mod invoice;
pub mod seed;
mod service;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use gst_irp::enums::IrnStatus;
use gst_irp::{IrpPrivateKey, IrpPublicKey};
use taxsdk_runtime::server::axum;

use crate::faults::{FaultConfig, FaultStats, Faults};
use seed::{ApiUserSeed, GstinSeed};
use state::State;

/// Where the router serves the sandbox's public key (PEM).
pub const PUBLIC_KEY_PATH: &str = "/irp-public-key.pem";

/// The login path.
pub const AUTH_PATH: &str = "/eivital/v1.04/auth";

/// The sandbox's public key (SPKI PEM), the half of the sandbox-only key
/// pair that clients encrypt logins with and verify signatures against.
pub const SANDBOX_PUBLIC_KEY_PEM: &str = include_str!("sandbox_public_key.pem");

/// SANDBOX-ONLY private key, checked in (see `README.md` beside it): it
/// lets the sandbox start without generating RSA keys.
const SANDBOX_PRIVATE_KEY_PEM: &str = include_str!("sandbox_key.pem");

static SANDBOX_KEY: LazyLock<IrpPrivateKey> = LazyLock::new(|| {
    // A checked-in constant; the unit test below proves that it parses.
    IrpPrivateKey::from_pem(SANDBOX_PRIVATE_KEY_PEM).expect("the sandbox key is a valid PEM")
});

/// The sandbox's fixed key pair (sandbox-only; its private half is public).
pub fn sandbox_key() -> IrpPrivateKey {
    SANDBOX_KEY.clone()
}

/// Settings of an IRP sandbox.
#[derive(Debug, Clone)]
pub struct Config {
    /// Lifetime of a token. Default 360 minutes (production; the NIC
    /// sandbox uses 60).
    pub token_ttl: Duration,
    /// API users. Default: [`seed::default_users`].
    pub users: Vec<ApiUserSeed>,
    /// GSTIN registry. Default: [`seed::default_gstins`].
    pub gstins: Vec<GstinSeed>,
    /// The IRP's key pair: decrypts logins, signs invoices and QR codes.
    /// Default: [`sandbox_key`].
    pub key: IrpPrivateKey,
    /// The largest request body accepted; a larger one gets the envelope
    /// with HTTP 413, before it is read whole. Default
    /// [`crate::eapi::DEFAULT_MAX_REQUEST_BYTES`] (16 MiB).
    pub max_request_bytes: usize,
    /// Fail a seeded share of requests the way networks and servers do:
    /// see [`crate::faults`]. Applies to [`serve`] / [`spawn_with`].
    /// Default `None`: no faults.
    pub faults: Option<FaultConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            token_ttl: Duration::from_secs(360 * 60),
            users: seed::default_users(),
            gstins: seed::default_gstins(),
            key: sandbox_key(),
            max_request_bytes: crate::eapi::DEFAULT_MAX_REQUEST_BYTES,
            faults: None,
        }
    }
}

/// The emulator. Cheap to clone; clones share the state.
#[derive(Clone)]
pub struct Sandbox {
    state: Arc<Mutex<State>>,
    /// The fault layer's state, with `Config::faults`.
    faults: Option<Arc<Faults>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").finish_non_exhaustive()
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new(Config::default())
    }
}

impl Sandbox {
    /// A sandbox with `config` and nothing registered.
    pub fn new(config: Config) -> Self {
        let faults = config.faults.clone().map(|c| Arc::new(Faults::new(c)));
        Self {
            state: Arc::new(Mutex::new(State::new(config))),
            faults,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-written
        // in a way worse than refusing all further calls would be.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The axum router: every IRP path (see the module's NOTES) and `GET`
    /// [`PUBLIC_KEY_PATH`], each request logged at INFO without bodies or
    /// header values; bodies over `Config::max_request_bytes` get the
    /// envelope with HTTP 413. Without the fault layer, which only
    /// [`serve`] adds.
    pub fn router(&self) -> axum::Router {
        let limit = self.lock().config.max_request_bytes;
        axum::Router::new()
            .fallback(service::handle)
            .with_state(self.clone())
            .layer(axum::middleware::from_fn_with_state(
                limit,
                service::limit_request,
            ))
            .layer(axum::extract::DefaultBodyLimit::max(limit))
            // Outermost: logs what the client got.
            .layer(axum::middleware::from_fn(service::log_request))
    }

    /// The public half of the sandbox's key: what clients encrypt the
    /// login with and verify SignedInvoice / SignedQRCode against.
    pub fn public_key(&self) -> IrpPublicKey {
        self.lock().config.key.public_key().clone()
    }

    /// [`Sandbox::public_key`] as PEM (SPKI `PUBLIC KEY`), as served at
    /// [`PUBLIC_KEY_PATH`].
    pub fn public_key_pem(&self) -> String {
        let key = self.public_key();
        key.to_pem()
            .unwrap_or_else(|_| SANDBOX_PUBLIC_KEY_PEM.to_string())
    }

    /// The sandbox's clock (the system clock plus what
    /// [`Sandbox::advance_clock`] added).
    pub fn now(&self) -> DateTime<Utc> {
        self.lock().now()
    }

    /// Move the sandbox's clock forward: token expiry, the 24-hour and
    /// 2-day windows, dates of replies.
    pub fn advance_clock(&self, by: Duration) {
        let by = chrono::TimeDelta::from_std(by).unwrap_or(chrono::TimeDelta::MAX);
        self.lock().advance_clock(by);
    }

    /// Number of registered IRNs (cancelled ones included).
    pub fn irn_count(&self) -> usize {
        self.lock().irns.len()
    }

    /// The status of a registered IRN.
    pub fn irn_status(&self, irn: &str) -> Option<IrnStatus> {
        self.lock().irns.get(&irn.to_ascii_lowercase()).map(|r| {
            if r.cancelled.is_some() {
                IrnStatus::Cancelled
            } else {
                IrnStatus::Active
            }
        })
    }

    /// Number of live (unexpired) sessions.
    pub fn session_count(&self) -> usize {
        let state = self.lock();
        let now = state.now();
        state.sessions.values().filter(|s| s.expires > now).count()
    }

    /// Record `irn` as rejected for `gstin` on `date`, as if another IRP
    /// had registered the same document first: GetRejectedIrns lists it.
    pub fn add_rejected_irn(&self, gstin: &str, date: NaiveDate, irn: &str) {
        self.lock()
            .rejected
            .entry((gstin.trim().to_ascii_uppercase(), date))
            .or_default()
            .push(irn.trim().to_ascii_lowercase());
    }

    /// What the fault layer saw and did, with `Config::faults`.
    pub fn fault_stats(&self) -> Option<FaultStats> {
        self.faults.as_ref().map(|f| f.stats())
    }
}

/// A sandbox serving HTTP on loopback; dropping it stops the server.
#[derive(Debug)]
pub struct RunningSandbox {
    sandbox: Sandbox,
    server: crate::server::Server,
}

impl RunningSandbox {
    /// `http://127.0.0.1:<port>`: the client's base URL.
    pub fn base_url(&self) -> &str {
        self.server.base_url()
    }

    /// Where the public key is served: base URL + [`PUBLIC_KEY_PATH`].
    pub fn public_key_url(&self) -> String {
        format!("{}{PUBLIC_KEY_PATH}", self.base_url())
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The state handle.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Stop the server and wait (at most 5 s, then it is aborted).
    pub async fn shutdown(self) {
        self.server.stop().await;
    }
}

/// Start a sandbox with the default [`Config`] on `127.0.0.1:0`.
pub async fn spawn() -> std::io::Result<RunningSandbox> {
    spawn_with(Config::default()).await
}

/// Start a sandbox with `config` on `127.0.0.1:0` (needs a tokio runtime).
pub async fn spawn_with(config: Config) -> std::io::Result<RunningSandbox> {
    serve(Sandbox::new(config), SocketAddr::from(([127, 0, 0, 1], 0))).await
}

/// Serve `sandbox` on `addr` in a background task (with the fault layer
/// when its config has `faults`).
pub async fn serve(sandbox: Sandbox, addr: SocketAddr) -> std::io::Result<RunningSandbox> {
    let server =
        crate::server::Server::start(addr, sandbox.router(), sandbox.faults.clone(), "IRP").await?;
    Ok(RunningSandbox { sandbox, server })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_key_pair_matches() {
        let key = IrpPrivateKey::from_pem(SANDBOX_PRIVATE_KEY_PEM).unwrap();
        assert_eq!(key.public_key().bits(), 2048);
        let public = IrpPublicKey::from_pem(SANDBOX_PUBLIC_KEY_PEM).unwrap();
        assert_eq!(&public, key.public_key());
        assert_eq!(
            IrpPublicKey::from_pem(&Sandbox::default().public_key_pem()).unwrap(),
            public
        );
    }

    #[test]
    fn seeded_gstins_have_valid_check_characters() {
        for seed in seed::default_gstins() {
            assert!(gst_irp::Gstin::new(&seed.gstin).is_ok(), "{}", seed.gstin);
        }
        for user in seed::default_users() {
            assert!(gst_irp::Gstin::new(&user.gstin).is_ok(), "{}", user.gstin);
        }
    }
}

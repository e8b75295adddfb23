//! Emulator of RS.ge NtosService, the SOAP tax-invoice service.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = taxsdk_sandbox::ntos::spawn().await?; // 127.0.0.1:<free port>
//! let client = rsge_ntos::client::Client::connect(
//!     sandbox.base_url(),
//!     "tbilisi:206322102",
//!     rsge_ntos::SecretString::from("123456"),
//! )?;
//! let ids = client.check_service_user().await?;
//! assert_eq!(ids.user_id, 783);
//! # Ok(()) }
//! ```
//!
//! # NOTES
//!
//! State lives in memory behind one mutex (nothing is persisted). Every
//! operation of the WSDL (55) is served at `POST
//! /ntosservice/ntosservice.asmx`, SOAP 1.1 or 1.2, dispatched by
//! SOAPAction (quoted or not) or, without one, by the body element;
//! parameters are read in any order and missing value types default to 0
//! (a missing dateTime is a `soap:Client` fault). `GET
//! /ntosservice/ntosservice.asmx?WSDL` answers the real WSDL with its
//! `soap:address` pointed at the sandbox. Handlers never panic on input.
//!
//! ## Emulated
//!
//! - **Accounts** (`ntos::seed`): main users `tbilisi`/`123456` (TIN
//!   206322102, un_id 731937, user_id 783: the fact sheet's test account),
//!   `satesto2`/`123456` (TIN 12345678910, un_id 1149251; user_id 784 is the
//!   sandbox's) and `sandbox1`/`123456` (fictional TIN 204000001). Their
//!   service users are `tbilisi:206322102`, `satesto2:12345678910` and
//!   `sandbox1:204000001`, password `123456`, sua 1001-1003 (the names follow
//!   the real convention; the passwords are the sandbox's). create_ser_user /
//!   update_ser_user / get_ser_users log in with the main user; the IP is
//!   recorded, not enforced. get_ser_users_notes needs no login.
//! - **Authorization**: every operation with su/sp checks them, and the
//!   user_id parameter must be the service user's main user. Wrong ones get
//!   the service's refusal, never a fault: chek `false` (user_id 0, sua 0),
//!   write operations `false`, lookups -1 / nothing, lists an empty table,
//!   advance operations `Status` 401 (the sandbox's code).
//! - **Registry**: shared with the eAPI sandbox (`eapi::seed::default_orgs`:
//!   the two test TINs and five fictional taxpayers, with their un_ids).
//!   get_un_id_from_tin answers -1 for an unknown TIN.
//! - **Invoices** (seller = the caller): save_invoice / _n (with a note) /
//!   _a (an advance invoice) create (id 0) or edit a draft (0 or 4); the
//!   buyer must be another registry taxpayer, the operation date set.
//!   Lines (save_invoice_desc / delete_invoice_desc) only on drafts; g_unit
//!   and goods must not be empty, g_number > 0, drg_amount >= 0 or -1
//!   (exempt), akciz_id 0 or a known excise id. Waybill links on the
//!   seller's invoices. Buyers see an invoice once it is sent.
//! - **Status transitions** (fact sheet §3; anything else answers false):
//!   change_invoice_status (seller) 0->1 and 4->5 (needs a line; assigns
//!   series `ეა` and the next number), 0->-1 and 4->-1 (deleting a
//!   correction's draft gives the original back its status), 2->6;
//!   acsept_invoice_status (buyer) 1->2, 5->8, 6->7; ref_invoice_status
//!   (buyer) 1->0 and 5->4 with WAS_REF and the reason. k_invoice (seller)
//!   on a confirmed invoice (2) or a confirmed correction (8): a new
//!   correction (4) with a copy of the lines, k_id = the original; the
//!   original becomes 3 with k_id = the correction; a second correction is
//!   made on the last confirmed one. get_makoreqtirebeli answers an
//!   original's correction.
//! - **Lists**: get_seller/buyer_invoices (registration and operation date
//!   bounds, 0001-01-01 = none; invoice_no, counterparty TIN and name parts,
//!   declaration number), get_user_invoices (changes in a window of at most
//!   3 days), get_seller/buyer_invoices_r (by status), filter counts,
//!   get_invoice_changes, autocompletes, print data, get_invoice_id by
//!   series and number. Dates in rows are written without a zone offset.
//! - **Declarations**: get_seq_nums answers one number per taxpayer and
//!   month (`YYYYMM` or `YYYY-MM`; derived from both, the sandbox's
//!   numbering); add_inv_to_decl sets the caller's side (seq_num_s or
//!   seq_num_b; dec_status 0); get_decl_date answers the month's first day.
//! - **Invoice requests**: the buyer saves/deletes, the seller accepts;
//!   both read them and list them.
//! - **Excise codes**: get_akciz searches the eAPI sandbox's catalogue
//!   (rates in force).
//! - **Advance invoices**: confirmed save_invoice_a invoices of the seller
//!   to the buyer with VAT left are attachable to the seller's drafts;
//!   attach / detach / update answer `Status` 200 or 400 with a message of
//!   the sandbox's own.
//! - **Faults** (`Config::faults`; `taxsdk sandbox ntos --faults 0.2,seed=7`):
//!   the fault layer of [`crate::faults`], as for the eAPI sandbox: a seeded
//!   share of requests gets a connection reset before or after the work,
//!   an HTTP 500/502/503 HTML page (503 also with `Retry-After`), a slow or
//!   cut reply, or an HTML page with HTTP 200. `Sandbox::fault_stats` says
//!   what happened.
//! - **Request log**: every request at INFO (`tracing`): method, path,
//!   operation, HTTP status, milliseconds; never the body (it holds `sp`).
//!
//! ## Not emulated
//!
//! - `g_invoice` (meaning unverified) always answers the service's refusal:
//!   `false` with k_id -1.
//! - `change_barter_status` (barter is undocumented) always answers `false`.
//! - Row element names and columns nobody documented (autocompletes,
//!   print_invoices, invoice requests, invoice changes, advance lists) are
//!   the sandbox's choice, listed in `service.rs`.
//! - IP binding of service users, declaration states beyond "attached",
//!   dates with zone offsets in DataTables, case-insensitive paths, and HTTP
//!   500 faults other than the `soap:Client` ones for unreadable requests
//!   (and the injected ones of `Config::faults`).

pub mod seed;
mod service;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use taxsdk_runtime::server::axum;

use crate::eapi::{ExciseSeed, OrgSeed};
use crate::faults::{FaultConfig, FaultStats, Faults};
use seed::{MainUserSeed, ServiceUserSeed};
use state::State;

/// The path the service is served at.
pub const PATH: &str = "/ntosservice/ntosservice.asmx";

/// Settings of an NtosService sandbox.
#[derive(Debug, Clone)]
pub struct Config {
    /// Main users. Default: [`seed::default_main_users`].
    pub main_users: Vec<MainUserSeed>,
    /// Service users. Default: [`seed::default_service_users`].
    pub service_users: Vec<ServiceUserSeed>,
    /// Organisation registry, shared with the eAPI sandbox. Default:
    /// [`crate::eapi::seed::default_orgs`].
    pub orgs: Vec<OrgSeed>,
    /// Excise catalogue (get_akciz, akciz_id of lines). Default:
    /// [`crate::eapi::seed::default_excise`].
    pub excise: Vec<ExciseSeed>,
    /// The largest request body accepted; a larger one gets a `soap:Client`
    /// fault with HTTP 413, before it is read whole. Default
    /// [`crate::eapi::DEFAULT_MAX_REQUEST_BYTES`] (16 MiB).
    pub max_request_bytes: usize,
    /// Fail a seeded share of requests the way networks and servers do
    /// (resets, HTTP 5xx, slow or cut replies, HTML pages), to test client
    /// retries: see [`crate::faults`]. Applies to [`serve`] /
    /// [`spawn_with`]. Default `None`: no faults.
    pub faults: Option<FaultConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            main_users: seed::default_main_users(),
            service_users: seed::default_service_users(),
            orgs: crate::eapi::seed::default_orgs(),
            excise: crate::eapi::seed::default_excise(),
            max_request_bytes: crate::eapi::DEFAULT_MAX_REQUEST_BYTES,
            faults: None,
        }
    }
}

/// The emulator: implements [`rsge_ntos::server::Service`]. Cheap to clone;
/// clones share the state.
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
    /// A sandbox with `config` and no invoices.
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

    /// The axum router: the operations at [`PATH`] and `GET PATH?WSDL`,
    /// each request logged at INFO (operation, HTTP status, time; never
    /// the body, which holds the service user's password); bodies over
    /// `Config::max_request_bytes` get a fault. Without the fault layer,
    /// which only [`serve`] adds.
    pub fn router(&self) -> axum::Router {
        let limit = self.lock().config.max_request_bytes;
        let wsdl = axum::Router::new().route(PATH, axum::routing::get(describe));
        rsge_ntos::server::router(Arc::new(self.clone()))
            .merge(wsdl)
            .layer(axum::middleware::from_fn_with_state(limit, limit_request))
            .layer(axum::extract::DefaultBodyLimit::max(limit))
            // Outermost: logs what the client got (see `log_request`).
            .layer(axum::middleware::from_fn(log_request))
    }

    /// What the fault layer saw and did (requests by path, faults by
    /// kind), with `Config::faults`.
    pub fn fault_stats(&self) -> Option<FaultStats> {
        self.faults.as_ref().map(|f| f.stats())
    }

    /// Number of invoices (deleted ones included).
    pub fn invoice_count(&self) -> usize {
        self.lock().invoices.len()
    }

    /// The status code of invoice `id`, if it exists.
    pub fn invoice_status(&self, id: i64) -> Option<i64> {
        self.lock().invoices.get(&id).map(|i| i.status.code())
    }
}

/// Refuses a body declared larger than `limit` before reading it, and turns
/// axum's plain-text rejections of a body (larger than the limit as it
/// arrived, or unreadable) into the `soap:Client` fault of an unreadable
/// request, with their HTTP status.
async fn limit_request(
    axum::extract::State(limit): axum::extract::State<usize>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use taxsdk_runtime::soap::SoapVersion;

    let (version, declared) = {
        let header_text = |name| request.headers().get(name)?.to_str().ok();
        let version = header_text(header::CONTENT_TYPE)
            .and_then(SoapVersion::from_content_type)
            .unwrap_or_default();
        let declared =
            header_text(header::CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
        (version, declared)
    };
    let fault = |status: StatusCode, reason: &str| {
        taxsdk_runtime::server::soap_fault(
            version,
            true,
            &format!("Server was unable to read request. ---> {reason}"),
            status.as_u16(),
        )
    };
    let too_large = format!("the request body is larger than the limit of {limit} bytes");
    if declared.is_some_and(|n| n > limit as u64) {
        return fault(StatusCode::PAYLOAD_TOO_LARGE, &too_large);
    }
    let response = next.run(request).await;
    let plain_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => fault(StatusCode::PAYLOAD_TOO_LARGE, &too_large),
        StatusCode::BAD_REQUEST if plain_text => {
            let body = axum::body::to_bytes(response.into_body(), 4096)
                .await
                .unwrap_or_default();
            fault(
                StatusCode::BAD_REQUEST,
                String::from_utf8_lossy(&body).trim(),
            )
        }
        _ => response,
    }
}

/// Logs each request at INFO: method, path, the SOAP operation (from the
/// `SOAPAction` header or a SOAP 1.2 content type), the reply's status and
/// how long it took; never the body, which holds the service user's
/// password.
async fn log_request(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    // In a block: a borrow of the request (not `Sync`) must not live
    // across the await.
    let operation = {
        let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
        taxsdk_runtime::soap::request_action(header("soapaction"), header("content-type"))
            .map(|action| action.rsplit('/').next().unwrap_or(action).to_owned())
    };
    let response = next.run(req).await;
    tracing::info!(
        %method,
        %path,
        operation = %operation.as_deref().unwrap_or("-"),
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "NtosService request"
    );
    response
}

/// `GET PATH?WSDL`: the WSDL with its addresses pointed at this host;
/// without `?WSDL`, a short page naming the operations, as .asmx services do.
async fn describe(
    headers: axum::http::HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;

    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    if query.is_some_and(|q| q.eq_ignore_ascii_case("wsdl")) {
        let body = rsge_ntos::WSDL.replace(
            "https://www.revenue.mof.ge/ntosservice/ntosservice.asmx",
            &format!("http://{host}{PATH}"),
        );
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            body,
        )
            .into_response();
    }
    let operations: String = rsge_ntos::endpoints::ALL
        .iter()
        .filter_map(|e| e.soap.map(|op| format!("<li>{}</li>", op.operation)))
        .collect();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!(
            "<html><body><h1>NtosService (taxsdk sandbox)</h1><p><a href=\"{PATH}?WSDL\">Service description</a></p><ul>{operations}</ul></body></html>"
        ),
    )
        .into_response()
}

/// A sandbox serving HTTP on loopback; dropping it stops the server.
#[derive(Debug)]
pub struct RunningSandbox {
    sandbox: Sandbox,
    server: crate::server::Server,
}

impl RunningSandbox {
    /// `http://127.0.0.1:<port>`: the client's base URL (the service is at
    /// [`PATH`] below it).
    pub fn base_url(&self) -> &str {
        self.server.base_url()
    }

    /// The service's URL: base URL + [`PATH`].
    pub fn service_url(&self) -> String {
        format!("{}{PATH}", self.base_url())
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
    let server = crate::server::Server::start(
        addr,
        sandbox.router(),
        sandbox.faults.clone(),
        "NtosService",
    )
    .await?;
    Ok(RunningSandbox { sandbox, server })
}

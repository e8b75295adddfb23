//! taxsdk-sandbox: local emulators of the tax services, implementing the
//! generated server traits, for tests and CI without credentials or network.
//!
//! Today only the RS.ge eAPI "Tax document" emulator exists: [`eapi`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = taxsdk_sandbox::eapi::spawn().await?;    // 127.0.0.1:<free port>
//! let client = rsge_eapi::client::Client::builder()
//!     .base_url(sandbox.base_url())
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```
//!
//! # NOTES
//!
//! State lives in memory behind one mutex; by default nothing is persisted.
//! With a data file (`Config::data`, `Sandbox::open`, `taxsdk sandbox eapi
//! --data PATH`) it is also kept durably; see **Persistence** below. Every
//! handler answers `Result<_, ServiceStatus>` and never panics on input.
//! Statuses use the spec's code, text and HTTP status (`errors.yaml`); codes
//! without a known text get a Georgian text of the sandbox's own.
//!
//! ## Emulated
//!
//! - **Users** (`eapi::seed::default_users`): `tbilisi`/`123456` (TIN
//!   206322102, one-step, `*** *** *16`), `satesto2`/`123456` (TIN
//!   12345678910, two-step, `*** *** *28`), and the non-test `sandbox1`/`123456`
//!   (fictional TIN 204000001, one-step). The user name is trimmed and
//!   matched case-insensitively (the document prints "Tbilisi"); the TIN is
//!   accepted as user name too.
//! - **Login**: one-step gives `ACCESS_TOKEN` `<GUID>-<ddMMyyyyhhmmss>`
//!   (12-hour clock, as the document's tokens), `EXPIRES_IN` and
//!   `MASKED_MOBILE` (the document's mask; the real service sends `""`).
//!   Two-step gives `PIN_TOKEN` (20 letters + `-ddMMyyyyHHmmss`) and the mask;
//!   the 4-digit PIN is random per login, logged at INFO and readable with
//!   `Sandbox::last_pin`. A `DEVICE_CODE` sent with the PIN is remembered for
//!   that user and lets the next Authenticate with it skip the PIN.
//! - **Errors of login**: wrong user/password -100 (HTTP 401; the code is the
//!   sandbox's choice, the document says only "-1xx"); wrong PIN -102;
//!   unknown or expired PIN_TOKEN -108 (PIN lifetime `Config::pin_ttl`, 300 s).
//! - **Tokens**: missing, non-bearer, unknown, expired or signed-out token:
//!   -104 `Token არ არის სწორი!` with HTTP 401. Expiry slides: every
//!   authenticated call restarts `Config::token_ttl` (default 2400 s).
//!   `Sandbox::advance_clock` moves the sandbox's clock for tests.
//! - **Org/Common**: a registry of seven TINs (`eapi::seed::default_orgs`):
//!   the two test TINs and fictional 9- and 11-digit ones, VAT payers (with a
//!   VAT start date, so `VatDate` matters) and not, and a diplomat.
//!   GetOrgInfoByTin with an empty Tin answers the caller's own organisation;
//!   an unknown TIN gives -2. GetVatPayerStatus answers false for unknown
//!   well-formed TINs and -2 for malformed ones. GetUnits (the document's
//!   three units plus the sandbox's), GetActions (the document's three
//!   statuses plus 4 confirmed, 5 refused, 6 cancelled).
//! - **The -3 rule** is kept simple: for the test accounts, an invoice's
//!   TIN_SELLER, TIN_BUYER and TRANS_COMPANY_TIN must be one of 206322102 /
//!   12345678910, else -3. The /Org methods answer for every registry TIN.
//!   The non-test account `sandbox1` may invoice any TIN (registry or not).
//! - **SaveInvoice** validates: ID 0 (new) or the ID of an own saved document
//!   (edit; absent fields keep their stored value); INV_CATEGORY, INV_TYPE
//!   known codes; OPERATION_DATE; TIN_SELLER 9/11 digits and equal to the
//!   caller's TIN; TIN_BUYER 9/11 digits (any text with FOREIGN_BUYER);
//!   seller == buyer -200; buyer == TRANS_COMPANY_TIN -202; a non-empty
//!   INVOICE_GOODS whose lines have GOODS_NAME, a known UNIT_ID (UNIT_TXT
//!   with 99), QUANTITY > 0, UNIT_PRICE >= 0, AMOUNT (if sent) = QUANTITY x
//!   UNIT_PRICE (±0.01). The line VAT_AMOUNT (AMOUNT x 18/118 for VAT_TYPE
//!   0, 0 for 1 and 2) and AMOUNT_FULL / AMOUNT_VAT / AMOUNT_EXCISE are OUT
//!   parameters: computed by the sandbox, what the request sends is
//!   ignored. SELLER_ACTION, if sent, must be 0. Other content errors are -2
//!   (the spec's text; the reason is logged at INFO).
//! - **Lifecycle** (state = SELLER_ACTION/BUYER_ACTION): save -> 0/0;
//!   activate (seller, from 0/0) -> 1/0 with INV_NUMBER and series "ეა";
//!   confirm / refuse (buyer, from 1/0) -> 1/1 / 1/2; cancel (seller, from
//!   1/1) -> 2/1; delete (seller, from 0/*, 1/0, 1/2) -> -1. Anything else is
//!   -2 with HTTP 400. ActivateInvoice takes an ID or a full document with ID
//!   0 (save and activate). The batch methods are all-or-nothing.
//! - **Authorization**: a caller sees and changes only documents where its
//!   organisation is the seller, or the buyer / transport company once the
//!   document was activated. Others get -2, the same as an unknown id.
//! - **GetInvoice** by InvoiceID or InvoiceNumber; both 0 give an empty
//!   INVOICE skeleton (document), with parentInvoiceID the parent's goods.
//! - **ListInvoices**: TYPE 10/1 issued, 20/2 received, 11/21 not yet on a
//!   declaration, 30/3 as carrier, 50/5 own advances to TIN_BUYER (-2 without
//!   it); filters ID, INV_NUMBER, INV_CATEGORY, INV_TYPE, ACTION,
//!   SELLER_ACTION_TXT / BUYER_ACTION_TXT (status names), SELLER, BUYER,
//!   TIN_BUYER and the date ranges CREATE/CHANGE/OPERATION/ACTIVATE/CONFIRM/
//!   REFUSE_DATE; deleted documents only when SELLER_ACTION_TXT names
//!   "წაშლილი"; newest first; MAXIMUM_ROWS 0 = all, absent = 10;
//!   `Summary._Count` counts all matches.
//! - **TransactionId** (SaveInvoice, ActivateInvoice with ID 0), scoped per
//!   organisation: a repeated id never creates a second document and replays
//!   the stored reply; a failed call is not stored. GetTransactionResult
//!   answers the stored reply, -6 for an unknown id.
//! - ListGoods (full documents by id), ClearBarCodes (no-op).
//! - **Persistence** (`eapi::store`), only with a data file: one SQLite file
//!   (bundled SQLite, WAL, `synchronous=FULL`, `locking_mode=EXCLUSIVE`).
//!   The in-memory state stays the working state; every state-changing call
//!   (AuthenticatePin with a new DEVICE_CODE, SaveInvoice, the Activate /
//!   Confirm / Refuse / Cancel / Delete methods and their batch forms)
//!   commits what it changed in one transaction before its reply is sent,
//!   also when it fails half-way (save-and-activate), so memory and file do
//!   not differ. Durable: documents (the serde_json of the generated
//!   `Invoice`, plus change and delete dates), TransactionId replies, the
//!   counters of invoice ids, goods-line ids and invoice numbers (on load
//!   never below what the stored documents use), device codes (by user
//!   name). An acknowledged write survives a kill or a crash; an unanswered
//!   one may or may not. If the commit fails, the call answers -1 with HTTP
//!   500 and the durable state is read back from the file (the call is
//!   undone). The file is created if absent; another kind of file, another
//!   application's SQLite database (`application_id`), a newer layout
//!   (`user_version`), a corrupt file or document, or a file another sandbox
//!   holds open gives `eapi::Error` naming the path, and a foreign file is
//!   not written to. Writes run under the state mutex, on the async worker
//!   (an fsync per call; fine for a test emulator, not a load test).
//! - **Not durable**, even with a data file: sessions and access tokens,
//!   PIN challenges and the last PINs (log in again after a restart), the
//!   clock skew of `Sandbox::advance_clock`, and the configuration (users,
//!   organisations, TTLs) which comes from `Config` on every start.
//!
//! - **Declarations**: GetSeqNum answers a declaration number per
//!   organisation and month, derived from both (stable across restarts,
//!   nothing stored); CreateDecl sets SEQNUM_SELLER or SEQNUM_BUYER (by the
//!   caller's role) of active documents the caller sees, all or nothing (-2).
//!
//! ## Not emulated yet
//!
//! - -7 "transaction in progress": every call runs to completion under the
//!   lock, so it never happens (no fault injection yet).
//! - -105 rights of sub-users; corrections (PREV_CORRECTION_ID, CORRECT_*),
//!   distribution sub-documents, advances' balances, returns, templates
//!   (TYPE 40 lists nothing), excise and barcode catalogues (empty tables;
//!   GetBarCode answers no result), the buyer agreeing to a cancellation,
//!   DELIVERY_DATE, BUYER_VIEW_DATE.
//! - List rows are written canonically (integer ids, TRANS_COST_PAYER as its
//!   code), not with the document's quirks (`28361.0`, Georgian display text);
//!   test a client's leniency on the spec's examples instead.
//! - Filters TRANS_*, PARENT_INV_NUMBER, DECL_OPERATION_PERIOD and the other
//!   date ranges of ListInvoices are accepted and ignored.
//! - GetInvoice cannot tell an absent `parentInvoiceID` from 0 (the
//!   generated request model defaults it), so the service's -1 for a missing
//!   key is not reproduced.
//! - Rate limits, HTML gateway errors, HTTP 500s (other than a failed write
//!   of the data file).

pub mod eapi;

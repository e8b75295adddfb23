//! taxsdk-sandbox: local emulators of the tax services, implementing the
//! generated server traits, for tests and CI without credentials or network.
//!
//! Three emulators exist: the RS.ge eAPI "Tax document" JSON service
//! ([`eapi`]) and the RS.ge NtosService SOAP service ([`ntos`]), sharing one
//! organisation registry, and the India GST e-invoice IRP ([`irp`]: login
//! with real RSA and AES, IRNs, signed invoices and QR codes, e-way bills;
//! its NOTES are in the module). All three use the fault layer of
//! [`faults`].
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
//!   accepted as user name too (it names the organisation's main user).
//! - **Sub-users and -105** (`UserSeed::sub_user`; the document only says
//!   that a sub-user needs the module's rights in "user management" and
//!   names each /Invoice method's permission): `tbilisi.operator`/`123456`
//!   (sub-user 101 of 206322102: read and create/edit) and
//!   `sandbox1.guest`/`123456` (sub-user 201 of 204000001, tax-document
//!   module off). After the token check, an /Invoice method whose right
//!   (`eapi::Permission`: read, create/edit, activate, delete, cancel,
//!   confirm, as listed under each method; ActivateInvoice with ID 0 needs
//!   create/edit and activate; ClearBarCodes read, as documented) the
//!   sub-user lacks answers -105 with HTTP 401 (the sandbox's text; the
//!   spec has none) and changes nothing. /Org, /Common (GetUnits,
//!   GetTransactionResult) and /Users need no right. Documents record who
//!   created them: SUBUSER_ID_SELLER (0 for a main user).
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
//!   statuses plus 4 confirmed, 5 refused, 6 cancelled, 7 corrected; any
//!   corrected document is 7 whatever the buyer did, as any deleted one is 1).
//! - **The -3 rule** is kept simple: for the test accounts, an invoice's
//!   TIN_SELLER, TIN_BUYER and TRANS_COMPANY_TIN must be one of 206322102 /
//!   12345678910, else -3. The /Org methods answer for every registry TIN.
//!   The non-test account `sandbox1` may invoice any TIN (registry or not).
//! - **SaveInvoice** validates: ID 0 (new) or the ID of an own saved document
//!   (edit; absent fields keep their stored value); INV_CATEGORY, INV_TYPE
//!   known codes; OPERATION_DATE; TIN_SELLER 9/11 digits and equal to the
//!   caller's TIN (TIN_SELLER, TRANS_COMPANY_TIN and GetVatPayerStatus `Tin`
//!   are `Tin` in the models: a string that is no TIN fails decoding, and
//!   the sandbox's `malformed_request` answers it -2 with HTTP 400 after the
//!   token and rights checks, as before); TIN_BUYER 9/11 digits (any text
//!   with FOREIGN_BUYER);
//!   seller == buyer -200; buyer == TRANS_COMPANY_TIN -202; a non-empty
//!   INVOICE_GOODS whose lines have GOODS_NAME, a known UNIT_ID (UNIT_TXT
//!   with 99), QUANTITY > 0, UNIT_PRICE >= 0, AMOUNT (if sent) = QUANTITY x
//!   UNIT_PRICE (±0.01). The line VAT_AMOUNT (AMOUNT x 18/118 for VAT_TYPE
//!   0, 0 for 1 and 2) and AMOUNT_FULL / AMOUNT_VAT / AMOUNT_EXCISE are OUT
//!   parameters: computed by the sandbox, what the request sends is
//!   ignored. A line with a non-zero EXCISE_ID takes the excise catalogue's
//!   rate in force on OPERATION_DATE: EXCISE_UNIT_PRICE = rate, EXCISE_AMOUNT
//!   = QUANTITY x rate (unknown id or rate not in force: -2); without one,
//!   EXCISE_AMOUNT is kept as sent (not negative). INV_CATEGORY 4 (advance)
//!   goes with INV_TYPE 6 and only with it. TIN_BUYER may be absent only on
//!   a distribution document (INV_TYPE 4). SELLER_ACTION, if sent, must be
//!   0. Other content errors are -2 (the spec's text; the reason is logged
//!   at INFO). A goods line with a BARCODE adds it to (or updates it in)
//!   the seller's barcode catalogue (see **Catalogues**).
//! - **Lifecycle** (state = SELLER_ACTION/BUYER_ACTION): save -> 0/0;
//!   activate (seller, from 0/0) -> 1/0 with INV_NUMBER and series "ეა";
//!   confirm / refuse (buyer, from 1/0) -> 1/1 / 1/2; cancel (seller, from
//!   1/1) -> 2/1; delete (seller, from 0/*, 1/0, 1/2) -> -1; a correction's
//!   activation turns the corrected document into 3/* (below). Anything
//!   else is -2 with HTTP 400. ActivateInvoice takes an ID or a full
//!   document with ID 0 (save and activate). The batch methods are
//!   all-or-nothing.
//! - **Corrections** (PREV_CORRECTION_ID + CORRECT_REASON_ID 1-5, a new
//!   document with ID 0): only the seller corrects, only a document that is
//!   active (1/0 or 1/1; not saved, refused, deleted, cancelled or already
//!   corrected: correct the latest of a chain), one open (saved)
//!   correction at a time. INV_CATEGORY, INV_TYPE and PARENT_ID are the
//!   corrected document's (document: not sent when correcting): absent
//!   ones are copied, different ones are -2; so is OPERATION_DATE for
//!   reason 5 (editing), and TIN_BUYER for reasons 1-4 (absent ones are
//!   copied for every reason). A reason without PREV_CORRECTION_ID is -2;
//!   reason 0 / id 0 mean none. Saving changes nothing else; activating
//!   the correction (the corrected document must still be correctable)
//!   turns the corrected document into SELLER_ACTION 3 "კორექტირებული"
//!   with CORRECT_DATE and NEXT_CORRECTION_ID; its BUYER_ACTION stays, and
//!   nothing else may happen to it. INVOICE_RETURN is accepted only on a
//!   correction with reason 4 (document); each RETURN_INVOICE_ID must be an
//!   active return document (INV_TYPE 5) the caller sees; the out fields
//!   (CORRECTED_INVOICE_ID = the corrected document, INV_NUMBER, INV_SERIE,
//!   BUYER, OPERATION_DATE of the return) are filled when read.
//! - **Distribution**: a sub-document has PARENT_ID of an active
//!   distribution document (INV_TYPE 4) of the caller and INV_TYPE 3 or 1
//!   (document). Each goods line must match a parent line (same trimmed
//!   GOODS_NAME and UNIT_ID, same BARCODE when both have one) and take no
//!   more than is left of it; saved and active sub-documents count,
//!   deleted / cancelled / corrected ones do not. When read: the parent's
//!   lines carry QUANTITY_STOCK = what is left, and the seller sees
//!   SUB_INVOICES_DISTRIBUTION (not deleted sub-documents, GOODS_SUM =
//!   their quantities, GOODS_AMOUNT_SUM = their amounts); a sub-document
//!   carries INVOICE_PARENT_GOODS and, per line, the parent's stock left;
//!   other documents QUANTITY_STOCK = QUANTITY. GetInvoice with InvoiceID
//!   0 and parentInvoiceID gives the skeleton with the parent's goods and
//!   stock (-2 unless it is the caller's distribution document). A parent
//!   with live sub-documents cannot be deleted; a sub-document's
//!   activation needs its parent still active.
//! - **Advances**: an advance document (4/6) has a balance: AMOUNT_FULL
//!   minus the AMOUNTs live documents take from it in INVOICE_ADVANCE.
//!   Each entry must name an active advance document the caller issued to
//!   the same buyer, once, with 0 < AMOUNT <= its balance (a correction
//!   may retake what the document it corrects took); together at most
//!   AMOUNT_FULL; an advance document takes from none. Only ID,
//!   OPERATION_DATE and AMOUNT are kept; when read, the entries carry the
//!   advance's PARENT_INVOICE_ID (this document), INV_NUMBER, SERIE,
//!   SELLER, BUYER, category, type, AMOUNT_FULL, AMOUNT_MAX (balance) and
//!   ACTIVATE_DATE. INVOICE.AMOUNT_MAX is the balance of an advance
//!   document, AMOUNT_FULL of any other (as in the document's example). A
//!   taken advance cannot be deleted.
//! - **Authorization**: a caller sees and changes only documents where its
//!   organisation is the seller, or the buyer / transport company once the
//!   document was activated. Others get -2, the same as an unknown id.
//! - **GetInvoice** by InvoiceID or InvoiceNumber; both 0 give an empty
//!   INVOICE skeleton (document), with parentInvoiceID that of a new
//!   distribution sub-document (see **Distribution**). The document comes
//!   completed with what its references imply (QUANTITY_STOCK,
//!   INVOICE_PARENT_GOODS, SUB_INVOICES_DISTRIBUTION, AMOUNT_MAX, the out
//!   fields of INVOICE_ADVANCE and INVOICE_RETURN), computed when read.
//! - **ListInvoices**: TYPE 10/1 issued, 20/2 received, 11/21 not yet on a
//!   declaration, 30/3 as carrier, 50/5 the caller's active advance
//!   documents to TIN_BUYER with a balance left (-2 without TIN_BUYER or
//!   OPERATION_DATE, which the document makes mandatory; AMOUNT_MAX = the
//!   balance); filters ID, INV_NUMBER, PARENT_INV_NUMBER (the parent's
//!   number of distribution sub-documents; the PARENT_INV_NUMBER column
//!   carries it), INV_CATEGORY, INV_TYPE, ACTION, SELLER_ACTION_TXT /
//!   BUYER_ACTION_TXT (status names), SELLER, BUYER, TIN_BUYER, every date
//!   range (CREATE, CHANGE, OPERATION, ACTIVATE, CONFIRM, REFUSE,
//!   REQUEST_CANCEL, AGREE_CANCEL, CORRECT, TRANS_START), TRANS_NAME (a part
//!   of the transport type's name or TRANS_TYPE_TXT), TRANS_COMPANY /
//!   TRANS_DRIVER (the TIN, or a part of the name), TRANS_CAR_MODEL /
//!   TRANS_CAR_NO / TRANS_TRAILER_NO (a part), TRANS_COST (equal),
//!   TRANS_COST_PAYER (the code 1/2 or the label მყიდველი/გამყიდველი, else
//!   -2), DECL_OPERATION_PERIOD (documents whose OPERATION_DATE is in that
//!   date's month; -2 unless TYPE is 11 or 21). Text parts ignore case (the
//!   sandbox's reading of the service's LIKE-style filters). Deleted
//!   documents only when SELLER_ACTION_TXT names "წაშლილი"; newest first;
//!   MAXIMUM_ROWS 0 = all, absent = 10; `Summary._Count` counts all matches.
//! - **List row shapes**: canonical by default (every column of
//!   `ListInvoicesRow`, integer ids, INV_NUMBER as a string,
//!   TRANS_COST_PAYER as its code). With `Config::list_quirks` a middleware
//!   rewrites successful ListInvoices replies into the real service's
//!   shape: the document's column lists (its 50 columns, or its 19 for TYPE
//!   5/50; so TIN_BUYER etc. are absent from ordinary rows, as on the real
//!   service), ids / codes / amounts as floats (`28361.0`, `1800.0`,
//!   `274.58`), "none" as `0.0` where the document shows it (SEQNUM_*,
//!   CORRECT_REASON_ID, PREV/NEXT_CORRECTION_ID), TRANS_COST_PAYER as
//!   `"მყიდველი"` / `"გამყიდველი"`, an empty TRANS_COMPANY / TRANS_DRIVER as
//!   `"()"`, empty texts as null, `_Count` as a float (`32.0`) when the
//!   request has any filter besides TYPE and MAXIMUM_ROWS (as in the
//!   document's three examples). Off by default because the existing tests
//!   read TIN_BUYER from ordinary rows (our client reads the quirky shape:
//!   `tests/eapi_quirks.rs`).
//! - **TransactionId** (SaveInvoice, ActivateInvoice with ID 0), scoped per
//!   organisation: a repeated id never creates a second document and replays
//!   the stored reply. These calls run in two steps: under the state lock
//!   they check token and rights, answer a stored reply, answer -7
//!   (`ასეთი ტრანზაქცია არსებობს. სტატუსი: მიმდინარე`, HTTP 400) for an id
//!   still in flight, or register the id as in flight; then, without the
//!   lock, they wait `Config::processing_delay` (default zero) and while a
//!   `Sandbox::pause_processing` guard lives (for deterministic tests);
//!   then, under the lock, they do the work, store the reply (a failure
//!   forgets the id, so a retry runs again; so does a call dropped while
//!   it waits) and commit. Meanwhile every other call is answered.
//!   GetTransactionResult answers the stored reply, -7 while in flight,
//!   -6 for an unknown id. `Sandbox::transactions_in_flight` counts them.
//! - ListGoods (full documents by id, completed as GetInvoice completes them).
//! - **Catalogues**: ListExcise answers `Config::excise` (default
//!   `eapi::seed::default_excise`: the document's two expired rows 224 and
//!   226 as printed, plus six rates in force of the sandbox's own), columns
//!   as the document's example (`"EXCISE_CODE "` with its trailing space,
//!   EFFECT_DATE_MONTH = the effect date's first day, END_DATE_NVL =
//!   END_DATE or 31-12-9999, the sandbox's stand-in), ordered by ID;
//!   filters PRODUCT_NAME (a part, any case), EFFECT_DATE and END_DATE
//!   ranges (a rate in force has no END_DATE and matches no END_DATE
//!   range), MAXIMUM_ROWS (0 all, absent 10, negative -2). Barcodes are
//!   per organisation (UN_ID = its un_id), in the order first seen, seeded
//!   from `Config::barcodes` (default `eapi::seed::default_barcodes`:
//!   206322102 has the document's rows 0001, 0003, 0002 and its GetBarCode
//!   example 55) and learned from the goods lines of SaveInvoice (the
//!   seller's catalogue; an existing barcode takes the new name, unit, VAT
//!   type and price and keeps its place; inferred from the document's
//!   examples, whose catalogue is their goods lines). ListBarCodes filters
//!   BARCODE, GOODS_NAME, UNIT_TXT, VAT_TYPE_TXT (a part, any case),
//!   UNIT_PRICE (equal), MAXIMUM_ROWS. GetBarCode finds the caller's barcode
//!   (trimmed, exact); unknown gives the documented empty object, absent or
//!   empty -2. ClearBarCodes deletes the caller's organisation's barcodes
//!   (others keep theirs); a failed commit of it is -5.
//! - **Persistence** (`eapi::store`), only with a data file: one SQLite file
//!   (bundled SQLite, WAL, `synchronous=FULL`, `locking_mode=EXCLUSIVE`).
//!   The in-memory state stays the working state; every state-changing call
//!   (AuthenticatePin with a new DEVICE_CODE, SaveInvoice, the Activate /
//!   Confirm / Refuse / Cancel / Delete methods and their batch forms)
//!   commits what it changed in one transaction before its reply is sent,
//!   also when it fails half-way (save-and-activate), so memory and file do
//!   not differ. Durable: documents (the serde_json of the generated
//!   `Invoice`, plus change and delete dates and SUBUSER_ID_SELLER),
//!   TransactionId replies (the final ones; the in-flight set is not
//!   durable), the counters of invoice ids, goods-line ids and invoice
//!   numbers (on load never below what the stored documents use), device
//!   codes (by user name), the barcode catalogues (seeded into a file once,
//!   when it is new or upgraded, so a cleared catalogue stays cleared; also
//!   ClearBarCodes commits). Layout version 2; a version 1 file is upgraded
//!   in place on open. An acknowledged write survives a kill or a crash; an unanswered
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
//!   clock skew of `Sandbox::advance_clock`, TransactionIds in flight, and
//!   the configuration (users, organisations, TTLs, the excise catalogue,
//!   processing delay, row quirks) which comes from `Config` on every start.
//!
//! - **Declarations**: GetSeqNum answers a declaration number per
//!   organisation and month, derived from both (stable across restarts,
//!   nothing stored); CreateDecl sets SEQNUM_SELLER or SEQNUM_BUYER (by the
//!   caller's role) of active documents the caller sees, all or nothing (-2).
//!
//! ## Not emulated yet
//!
//! - Templates (SELLER_ACTION -2, TEMPLATE_NAME; TYPE 40 lists nothing),
//!   the buyer agreeing to a cancellation (AGREE_CANCEL_DATE is never set,
//!   so that filter matches nothing; CancelInvoice goes straight to 2/1),
//!   DELIVERY_DATE, BUYER_VIEW_DATE, oil and wood documents (kept as sent),
//!   the real service's -2xx codes for the rules above (the sandbox answers
//!   -2: the spec does not say which -2xx means what).
//! - Sub-user log-in names and ids are the sandbox's invention (the
//!   document shows none); the -105 text is the sandbox's.
//! - Declarations do not check DECL_OPERATION_PERIOD against CreateDecl's
//!   period; quirky rows are only ListInvoices' (ListExcise and
//!   ListBarCodes are written as the document's examples already are:
//!   integers, `"EXCISE_CODE "`, UN_ID).
//! - GetInvoice cannot tell an absent `parentInvoiceID` from 0 (the
//!   generated request model defaults it), so the service's -1 for a missing
//!   key is not reproduced.
//! - Rate limits, HTML gateway errors, HTTP 500s (other than a failed write
//!   of the data file).

#![deny(missing_docs)]

pub mod eapi;
pub mod faults;
pub mod irp;
pub mod ntos;
mod server;

//! `taxsdk eapi ...`: the RS.ge eAPI from the command line, with the typed
//! client, a token cache and table / JSON / CSV output.

mod cache;
pub mod output;

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use rsge_eapi::client::Client;
use rsge_eapi::enums::InvoiceListType;
use rsge_eapi::models::{
    CancelInvoiceRequest, ConfirmInvoiceRequest, CreateDeclRequest, DeleteInvoiceRequest,
    GetInvoiceRequest, GetOrgInfoByTinRequest, GetSeqNumRequest, GetVatPayerStatusRequest, Invoice,
    ListBarCodesRequest, ListExciseRequest, ListInvoicesRequest, RefuseInvoiceRequest,
    SaveInvoiceRequest,
};
use rsge_eapi::{DeviceInfo, ExposeSecret, LoginOutcome, SecretString, Tin};
use serde::Serialize;
use taxsdk_runtime::Error;
use taxsdk_runtime::wire::{DateRange, YearMonth};

use output::{Format, print_record, print_rows};

/// The real service.
pub const DEFAULT_BASE_URL: &str = "https://eapi.rs.ge";
const PASSWORD_ENV: &str = "TAXSDK_EAPI_PASSWORD";

/// A failure of a command, with its exit code.
#[derive(Debug)]
pub enum CliError {
    /// A call failed; the code depends on the kind.
    Api(Error),
    /// No usable session (exit 3).
    Auth(String),
    /// Bad input found after parsing (exit 2).
    Usage(String),
    /// Anything else (exit 1).
    Other(String),
}

impl CliError {
    /// 0 ok, 1 other, 2 usage, 3 authentication, 4 service, 5 network
    /// (also a write whose outcome is unknown).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Api(e) => match e {
                Error::Authentication { .. }
                | Error::SessionExpired { .. }
                | Error::NotAuthenticated { .. } => 3,
                Error::Service { .. } => 4,
                Error::Transport { .. } | Error::Http { .. } | Error::OutcomeUnknown { .. } => 5,
                _ => 1,
            },
            CliError::Auth(_) => 3,
            CliError::Usage(_) => 2,
            CliError::Other(_) => 1,
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Api(e) => match e.service_status() {
                Some(status) => write!(f, "{}: {}", status.code, status.text.trim())?,
                None => write!(f, "{e}")?,
            },
            CliError::Auth(m) | CliError::Usage(m) | CliError::Other(m) => f.write_str(m)?,
        }
        if matches!(
            self,
            CliError::Api(Error::SessionExpired { .. } | Error::NotAuthenticated { .. })
        ) {
            f.write_str(" (log in again: taxsdk eapi login --username USER)")?;
        }
        Ok(())
    }
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Api(e)
    }
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    taxsdk eapi login --username tbilisi\n  \
    taxsdk eapi org info 206322102\n  \
    taxsdk eapi invoices list --buyer --from 2024-01-01 --to 2024-01-31 --output csv\n  \
    taxsdk eapi invoices activate 918 919\n  \
    taxsdk eapi decl create 201901 918 919\n  \
    taxsdk eapi login --username satesto2 --device-code 6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b\n  \
    taxsdk --base-url http://127.0.0.1:8080 eapi units   # against `taxsdk sandbox eapi`")]
pub struct EapiArgs {
    #[command(subcommand)]
    command: EapiCommand,
}

/// Options shared by every `eapi` command.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Base URL of the eAPI [default: `https://eapi.rs.ge`, or the logged-in one]
    #[arg(long, global = true, env = "TAXSDK_EAPI_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// Output format [default: table on a terminal, json otherwise]
    #[arg(long, short = 'o', global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<Format>,
}

#[derive(Debug, Subcommand)]
enum EapiCommand {
    /// Log in and keep the session token in the cache (never the password).
    #[command(
        after_help = "The password is read without echo from the terminal, from \
        TAXSDK_EAPI_PASSWORD, or from the first line of stdin with --password-stdin.\n\
        With two-step login the PIN sent by SMS is read from stdin."
    )]
    Login {
        /// User name (or TIN).
        #[arg(long, short = 'u')]
        username: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
        /// A device code (GUID) to remember at the PIN step; later logins
        /// with the same code skip the PIN.
        #[arg(long, env = "TAXSDK_EAPI_DEVICE_CODE")]
        device_code: Option<String>,
    },
    /// Sign out and delete the cached token.
    Logout,
    /// Who is logged in, where, and whether the session still works.
    Whoami,
    /// Organisations by taxpayer id.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Units of measurement.
    Units,
    /// Tax invoices.
    #[command(subcommand)]
    Invoices(InvoiceCommand),
    /// The barcode catalogue of your goods.
    Barcodes {
        /// Only this barcode.
        #[arg(long)]
        barcode: Option<String>,
        /// Only goods whose name holds this text.
        #[arg(long)]
        name: Option<String>,
        /// At most this many rows (0: all).
        #[arg(long, default_value_t = 100)]
        limit: i32,
    },
    /// The excise goods catalogue.
    Excise {
        /// Only products whose name holds this text.
        #[arg(long)]
        name: Option<String>,
        /// At most this many rows (0: all).
        #[arg(long, default_value_t = 100)]
        limit: i32,
    },
    /// VAT declarations: their numbers, and attaching documents to them.
    #[command(subcommand)]
    Decl(DeclCommand),
}

#[derive(Debug, Subcommand)]
enum DeclCommand {
    /// The declaration number of a month.
    Seq {
        /// The month, YYYYMM (e.g. 201901).
        #[arg(value_parser = parse_period)]
        period: YearMonth,
    },
    /// Attach documents to the declaration of a month.
    Create {
        /// The month, YYYYMM (e.g. 201901).
        #[arg(value_parser = parse_period)]
        period: YearMonth,
        /// Document ids.
        #[arg(required = true)]
        ids: Vec<i64>,
    },
}

#[derive(Debug, Subcommand)]
enum OrgCommand {
    /// Name, address, VAT and diplomat status of a TIN.
    Info {
        /// 9-digit organisation code or 11-digit personal number.
        #[arg(value_parser = parse_tin)]
        tin: Tin,
    },
    /// Whether a TIN is (was) a VAT payer.
    Vat {
        /// 9-digit organisation code or 11-digit personal number.
        #[arg(value_parser = parse_tin)]
        tin: Tin,
        /// The day to ask about (YYYY-MM-DD) [default: today].
        #[arg(long, value_parser = parse_date)]
        date: Option<NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
enum InvoiceCommand {
    /// List documents issued (default) or received.
    List(ListArgs),
    /// One document with its goods.
    Get {
        /// Document id.
        id: i64,
    },
    /// Save a new document (or edit a saved one) from a JSON file ("-": stdin).
    #[command(
        after_help = "The file holds one INVOICE object as on the wire, e.g.\n  \
        {\"ID\":0,\"INV_CATEGORY\":1,\"INV_TYPE\":2,\"OPERATION_DATE\":\"10-04-2019 10:00:00\",\n   \
        \"TIN_SELLER\":\"206322102\",\"TIN_BUYER\":\"12345678910\",\n   \
        \"INVOICE_GOODS\":[{\"ID\":0,\"INVOICE_ID\":0,\"GOODS_NAME\":\"chair\",\"UNIT_ID\":1,\"QUANTITY\":2,\"UNIT_PRICE\":450,\"VAT_TYPE\":0}]}\n\
        It is checked before anything is sent; errors name the field."
    )]
    Save {
        /// JSON file with the INVOICE object, or "-" for stdin.
        file: PathBuf,
    },
    /// Activate (send to the buyer) saved documents.
    Activate(IdsArgs),
    /// Confirm received documents (as the buyer).
    Confirm(IdsArgs),
    /// Refuse received documents (as the buyer).
    Refuse(IdsArgs),
    /// Request the cancellation of confirmed documents.
    Cancel(IdsArgs),
    /// Delete documents.
    Delete(IdsArgs),
}

#[derive(Debug, Args)]
struct IdsArgs {
    /// Document ids.
    #[arg(required = true, value_name = "ID")]
    ids: Vec<i64>,
}

#[derive(Debug, Args)]
struct ListArgs {
    /// Documents you issued (the default).
    #[arg(long, conflicts_with = "buyer")]
    seller: bool,
    /// Documents issued to you.
    #[arg(long)]
    buyer: bool,
    /// Final-status ids (see GetActions), comma-separated, e.g. 1 or 1,4.
    #[arg(long, value_name = "CODE", value_parser = parse_codes)]
    status: Option<String>,
    /// First operation date (YYYY-MM-DD).
    #[arg(long, requires = "to", value_parser = parse_date, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// Last operation date (YYYY-MM-DD).
    #[arg(long, requires = "from", value_parser = parse_date, value_name = "DATE")]
    to: Option<NaiveDate>,
    /// The other party's TIN (the buyer of issued, the seller of received documents).
    #[arg(long, value_parser = parse_tin)]
    tin: Option<Tin>,
    /// At most this many rows (0: all) [service default: 10].
    #[arg(long, value_name = "N")]
    limit: Option<i32>,
}

fn parse_tin(value: &str) -> Result<Tin, String> {
    Tin::new(value).map_err(|e| e.to_string())
}

fn parse_period(value: &str) -> Result<YearMonth, String> {
    let text = value.trim();
    let parsed = (text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| Some((text[..4].parse().ok()?, text[4..].parse().ok()?)))
        .flatten()
        .and_then(|(year, month)| YearMonth::new(year, month));
    parsed.ok_or_else(|| format!("`{value}` is not a YYYYMM month (e.g. 201901)"))
}

fn parse_date(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|e| format!("`{value}` is not a YYYY-MM-DD date ({e})"))
}

fn parse_codes(value: &str) -> Result<String, String> {
    let codes: Vec<&str> = value.split(',').map(str::trim).collect();
    if codes
        .iter()
        .all(|c| !c.is_empty() && c.trim_start_matches('-').parse::<u32>().is_ok())
    {
        Ok(codes.join(","))
    } else {
        Err(format!(
            "`{value}` is not a comma-separated list of status ids"
        ))
    }
}

/// Run one `eapi` command.
pub async fn run(global: Global, args: EapiArgs) -> Result<(), CliError> {
    let format = Format::resolve(global.output);
    match args.command {
        EapiCommand::Login {
            username,
            password_stdin,
            device_code,
        } => {
            login(
                &global,
                format,
                &username,
                password_stdin,
                device_code.as_deref(),
            )
            .await
        }
        EapiCommand::Logout => logout(&global).await,
        EapiCommand::Whoami => whoami(&global, format).await,
        EapiCommand::Org(OrgCommand::Info { tin }) => {
            let client = session_client(&global)?;
            let info = client
                .get_org_info_by_tin(&GetOrgInfoByTinRequest::new(&tin))
                .await?;
            print_record(format, &info)
        }
        EapiCommand::Org(OrgCommand::Vat { tin, date }) => {
            let client = session_client(&global)?;
            let date = date.unwrap_or_else(|| chrono::Local::now().date_naive());
            let reply = client
                .get_vat_payer_status(&GetVatPayerStatusRequest::new(
                    &tin,
                    date.and_time(chrono::NaiveTime::MIN),
                ))
                .await?;
            #[derive(Serialize)]
            struct VatRow {
                tin: String,
                date: NaiveDate,
                is_vat_payer: Option<bool>,
            }
            print_record(
                format,
                &VatRow {
                    tin: tin.into_string(),
                    date,
                    is_vat_payer: reply.is_vat_payer,
                },
            )
        }
        EapiCommand::Units => {
            let client = session_client(&global)?;
            let units = client.get_units().await?;
            print_rows(format, &units, &[])
        }
        EapiCommand::Invoices(command) => invoices(&global, format, command).await,
        EapiCommand::Barcodes {
            barcode,
            name,
            limit,
        } => {
            let client = session_client(&global)?;
            let reply = client
                .list_bar_codes(&ListBarCodesRequest {
                    barcode,
                    goods_name: name,
                    maximum_rows: limit,
                    ..Default::default()
                })
                .await?;
            print_rows(format, &reply.into_rows(), &[])
        }
        EapiCommand::Excise { name, limit } => {
            let client = session_client(&global)?;
            let reply = client
                .list_excise(&ListExciseRequest {
                    product_name: name,
                    maximum_rows: limit,
                    ..Default::default()
                })
                .await?;
            print_rows(format, &reply.into_rows(), &[])
        }
        EapiCommand::Decl(DeclCommand::Seq { period }) => {
            let client = session_client(&global)?;
            let reply = client
                .get_seq_num(&GetSeqNumRequest {
                    operation_period: Some(period),
                })
                .await?;
            #[derive(Serialize)]
            struct SeqRow {
                period: String,
                seq_num: Option<i64>,
            }
            print_record(
                format,
                &SeqRow {
                    period: period.to_string(),
                    seq_num: reply.seq_num,
                },
            )
        }
        EapiCommand::Decl(DeclCommand::Create { period, ids }) => {
            let client = session_client(&global)?;
            client
                .create_decl(&CreateDeclRequest::new(ids.iter().copied(), period))
                .await?;
            #[derive(Serialize)]
            struct DeclRow {
                period: String,
                attached: usize,
            }
            print_record(
                format,
                &DeclRow {
                    period: period.to_string(),
                    attached: ids.len(),
                },
            )
        }
    }
}

fn build_client(base_url: &str) -> Result<Client, CliError> {
    Ok(Client::builder()
        .base_url(base_url)
        .timeout(Duration::from_secs(60))
        .retry_policy(rsge_eapi::retry_policy())
        .build()?)
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// A client carrying the cached token, for the explicit base URL (flag or
/// env) or else the one logged in to.
fn session_client(global: &Global) -> Result<Client, CliError> {
    let not_logged_in = |url: &str| {
        CliError::Auth(format!(
            "not logged in to {url}: run `taxsdk eapi login --username USER`"
        ))
    };
    let Some(session) = cache::load()? else {
        return Err(not_logged_in(
            global.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
        ));
    };
    if let Some(url) = &global.base_url
        && !same_url(url, &session.base_url)
    {
        return Err(not_logged_in(url));
    }
    let client = build_client(&session.base_url)?;
    client
        .transport()
        .set_token(SecretString::from(session.token));
    Ok(client)
}

fn read_stdin_line(what: &str) -> Result<String, CliError> {
    let mut line = String::new();
    let n = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Other(format!("cannot read the {what} from stdin: {e}")))?;
    let value = line.trim_end_matches(['\r', '\n']).to_string();
    if n == 0 || value.is_empty() {
        return Err(CliError::Usage(format!("no {what} on stdin")));
    }
    Ok(value)
}

fn read_password(password_stdin: bool) -> Result<SecretString, CliError> {
    if password_stdin {
        return read_stdin_line("password").map(SecretString::from);
    }
    if let Ok(password) = std::env::var(PASSWORD_ENV)
        && !password.is_empty()
    {
        return Ok(SecretString::from(password));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "no terminal to ask for the password: use --password-stdin or {PASSWORD_ENV}"
        )));
    }
    rpassword::prompt_password("Password: ")
        .map(SecretString::from)
        .map_err(|e| CliError::Other(format!("cannot read the password: {e}")))
}

async fn login(
    global: &Global,
    format: Format,
    username: &str,
    password_stdin: bool,
    device_code: Option<&str>,
) -> Result<(), CliError> {
    let base_url = global.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
    let password = read_password(password_stdin)?;
    let client = build_client(base_url)?;
    match client.login(username, &password, device_code).await? {
        LoginOutcome::LoggedIn { .. } => {}
        LoginOutcome::PinRequired {
            pin_token,
            masked_mobile,
        } => {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(
                stderr,
                "PIN sent to {}: ",
                masked_mobile.as_deref().unwrap_or("your registered phone")
            );
            let _ = stderr.flush();
            drop(stderr);
            let pin = read_stdin_line("PIN")?;
            client
                .complete_login(
                    &pin_token,
                    &SecretString::from(pin),
                    device_code.map(DeviceInfo::remember).unwrap_or_default(),
                )
                .await?;
        }
    }
    let token = client.transport().token().ok_or_else(|| {
        CliError::Other("the login succeeded but the client holds no token".into())
    })?;
    let session = cache::Session {
        base_url: base_url.to_string(),
        username: username.trim().to_string(),
        token: token.expose_secret().to_string(),
        saved_at: chrono::Local::now().to_rfc3339(),
    };
    let path = cache::save(&session)?;
    if format == Format::Table {
        eprintln!(
            "Logged in to {base_url} as {} (session kept in {})",
            session.username,
            path.display()
        );
        Ok(())
    } else {
        #[derive(Serialize)]
        struct LoginRow<'a> {
            base_url: &'a str,
            username: &'a str,
            cache: String,
        }
        print_record(
            format,
            &LoginRow {
                base_url,
                username: &session.username,
                cache: path.display().to_string(),
            },
        )
    }
}

async fn logout(global: &Global) -> Result<(), CliError> {
    let client = match session_client(global) {
        Ok(client) => client,
        Err(CliError::Auth(_)) => {
            eprintln!("Not logged in.");
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let result = client.logout().await;
    cache::delete()?;
    match result {
        // The service already forgot the session: the goal is reached.
        Ok(()) | Err(Error::SessionExpired { .. }) => {
            eprintln!("Logged out.");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

async fn whoami(global: &Global, format: Format) -> Result<(), CliError> {
    let client = session_client(global)?;
    let session = cache::load()?.ok_or_else(|| CliError::Auth("not logged in".into()))?;
    let valid = match client.get_units().await {
        Ok(_) => true,
        Err(Error::SessionExpired { .. } | Error::Authentication { .. }) => false,
        Err(e) => return Err(e.into()),
    };
    #[derive(Serialize)]
    struct Whoami {
        username: String,
        base_url: String,
        saved_at: String,
        session_valid: bool,
    }
    print_record(
        format,
        &Whoami {
            username: session.username,
            base_url: session.base_url,
            saved_at: session.saved_at,
            session_valid: valid,
        },
    )?;
    if valid {
        Ok(())
    } else {
        Err(CliError::Auth(
            "the cached session is no longer valid: log in again".into(),
        ))
    }
}

const LIST_COLUMNS: &[&str] = &[
    "ID",
    "INV_SERIE",
    "INV_NUMBER",
    "OPERATION_DATE",
    "SELLER",
    "BUYER",
    "AMOUNT_FULL",
    "AMOUNT_VAT",
    "SELLER_ACTION_TXT",
    "BUYER_ACTION_TXT",
];

async fn invoices(
    global: &Global,
    format: Format,
    command: InvoiceCommand,
) -> Result<(), CliError> {
    match command {
        InvoiceCommand::List(args) => {
            let request = list_request(args);
            let client = session_client(global)?;
            let reply = client.list_invoices(&request).await?;
            let total = reply.total_count();
            let rows = reply.into_rows();
            print_rows(format, &rows, LIST_COLUMNS)?;
            if format == Format::Table
                && let Some(total) = total
                && total > rows.len() as i64
            {
                eprintln!("{} of {total} shown (use --limit 0 for all)", rows.len());
            }
            Ok(())
        }
        InvoiceCommand::Get { id } => {
            let client = session_client(global)?;
            let reply = client.get_invoice(&GetInvoiceRequest::by_id(id)).await?;
            let invoice = reply.invoice.ok_or_else(|| {
                CliError::Other(format!("document {id}: no INVOICE in the reply"))
            })?;
            print_record(format, &invoice)
        }
        InvoiceCommand::Save { file } => {
            let invoice = read_invoice(&file)?;
            let client = session_client(global)?;
            let reply = client
                .save_invoice(&SaveInvoiceRequest::new(invoice))
                .await?;
            print_record(format, &reply)
        }
        InvoiceCommand::Activate(ids) => batch(global, format, Action::Activate, ids.ids).await,
        InvoiceCommand::Confirm(ids) => batch(global, format, Action::Confirm, ids.ids).await,
        InvoiceCommand::Refuse(ids) => batch(global, format, Action::Refuse, ids.ids).await,
        InvoiceCommand::Cancel(ids) => batch(global, format, Action::Cancel, ids.ids).await,
        InvoiceCommand::Delete(ids) => batch(global, format, Action::Delete, ids.ids).await,
    }
}

fn list_request(args: ListArgs) -> ListInvoicesRequest {
    let mut request = ListInvoicesRequest {
        type_: if args.buyer {
            InvoiceListType::Received
        } else {
            InvoiceListType::Issued
        },
        action: args.status,
        ..ListInvoicesRequest::default()
    };
    if let (Some(from), Some(to)) = (args.from, args.to) {
        request.operation_date = Some(DateRange::new(from, to));
    }
    if let Some(tin) = args.tin {
        if args.buyer {
            request.seller = Some(tin.into_string());
        } else {
            request.tin_buyer = Some(tin.into_string());
        }
    }
    if let Some(limit) = args.limit {
        request.maximum_rows = limit;
    }
    request
}

/// Read and check a document before anything is sent; a decode error names
/// the JSON path of the offending field. Unknown fields are warned about.
fn read_invoice(file: &std::path::Path) -> Result<Invoice, CliError> {
    let (name, text) = if file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::Other(format!("cannot read stdin: {e}")))?;
        ("<stdin>".to_string(), text)
    } else {
        let text = std::fs::read_to_string(file)
            .map_err(|e| CliError::Other(format!("cannot read {}: {e}", file.display())))?;
        (file.display().to_string(), text)
    };
    let mut ignored = Vec::new();
    let mut on_ignored = |path: serde_ignored::Path<'_>| ignored.push(path.to_string());
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    let result: Result<Invoice, _> = serde_path_to_error::deserialize(
        serde_ignored::Deserializer::new(&mut deserializer, &mut on_ignored),
    );
    let invoice = result.map_err(|e| {
        let path = e.path().to_string();
        CliError::Other(format!(
            "{name}: invalid invoice at `{path}`: {}",
            e.into_inner()
        ))
    })?;
    deserializer
        .end()
        .map_err(|e| CliError::Other(format!("{name}: {e}")))?;
    for path in ignored {
        eprintln!("warning: {name}: unknown field `{path}` ignored");
    }
    Ok(invoice)
}

#[derive(Debug, Clone, Copy)]
enum Action {
    Activate,
    Confirm,
    Refuse,
    Cancel,
    Delete,
}

impl Action {
    fn verb(self) -> &'static str {
        match self {
            Action::Activate => "activated",
            Action::Confirm => "confirmed",
            Action::Refuse => "refused",
            Action::Cancel => "cancellation requested",
            Action::Delete => "deleted",
        }
    }
}

/// The outcome of one document of a batch.
#[derive(Debug, Serialize)]
struct ActionRow {
    id: i64,
    ok: bool,
    result: String,
    invoice_number: Option<i64>,
    seller_status: Option<String>,
    buyer_status: Option<String>,
}

async fn batch(
    global: &Global,
    format: Format,
    action: Action,
    ids: Vec<i64>,
) -> Result<(), CliError> {
    let client = session_client(global)?;
    let progress = if ids.len() > 1 && std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(ids.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut rows = Vec::with_capacity(ids.len());
    let mut first_error: Option<CliError> = None;
    for id in ids {
        progress.set_message(format!("document {id}"));
        let reply = match action {
            Action::Activate => client
                .activate_saved(id)
                .await
                .map(|r| (r.invoice_number, r.seller_action, r.buyer_action)),
            Action::Confirm => client
                .confirm_invoice(&ConfirmInvoiceRequest::new(id))
                .await
                .map(|r| (r.invoice_number, r.seller_action, r.buyer_action)),
            Action::Refuse => client
                .refuse_invoice(&RefuseInvoiceRequest::new(id))
                .await
                .map(|r| (r.invoice_number, r.seller_action, r.buyer_action)),
            Action::Cancel => client
                .cancel_invoice(&CancelInvoiceRequest::new(id))
                .await
                .map(|r| (r.invoice_number, r.seller_action, r.buyer_action)),
            Action::Delete => client
                .delete_invoice(&DeleteInvoiceRequest::new(id))
                .await
                .map(|r| (r.invoice_number, r.seller_action, r.buyer_action)),
        };
        let row = match reply {
            Ok((number, seller, buyer)) => ActionRow {
                id,
                ok: true,
                result: action.verb().to_string(),
                invoice_number: number,
                seller_status: seller.and_then(|a| a.label_en()).map(str::to_string),
                buyer_status: buyer.and_then(|a| a.label_en()).map(str::to_string),
            },
            Err(e) => {
                let e = CliError::Api(e);
                let row = ActionRow {
                    id,
                    ok: false,
                    result: e.to_string(),
                    invoice_number: None,
                    seller_status: None,
                    buyer_status: None,
                };
                // A dead session fails every other document the same way.
                let stop = e.exit_code() == 3;
                first_error.get_or_insert(e);
                rows.push(row);
                progress.inc(1);
                if stop {
                    break;
                }
                continue;
            }
        };
        rows.push(row);
        progress.inc(1);
    }
    progress.finish_and_clear();
    print_rows(
        format,
        &rows,
        &[
            "id",
            "ok",
            "result",
            "invoice_number",
            "seller_status",
            "buyer_status",
        ],
    )?;
    let failed = rows.iter().filter(|r| !r.ok).count();
    match first_error {
        None => Ok(()),
        Some(e) => {
            eprintln!("{failed} of {} document(s) failed", rows.len());
            Err(e)
        }
    }
}

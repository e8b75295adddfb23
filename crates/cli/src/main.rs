//! `taxsdk`: the command-line tool of taxsdk.
//!
//! `taxsdk demo` (a complete invoice flow against the embedded eAPI
//! sandbox), `taxsdk sandbox eapi`, `taxsdk sandbox ntos` and `taxsdk
//! sandbox irp` (the RS.ge eAPI and NtosService and the India GST IRP
//! emulators on a port for your own tests),
//! `taxsdk eapi ...` (the RS.ge eAPI: login with a token cache,
//! lookups, invoices; table / JSON / CSV output) and `taxsdk completions`.
//!
//! Exit codes: 0 ok, 1 other failure, 2 usage, 3 authentication, 4 service
//! error, 5 network.

mod demo;
mod eapi;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use taxsdk_sandbox::faults::{FaultConfig, FaultKind};

/// Exit code for a failure of the demo or the sandbox.
const EXIT_FAILURE: u8 = 1;

#[derive(Debug, Parser)]
#[command(
    name = "taxsdk",
    version,
    about = "Typed clients and local sandboxes of tax e-invoicing services",
    after_help = "Examples:\n  taxsdk demo\n  taxsdk sandbox eapi --port 8080\n  \
        taxsdk sandbox ntos --port 8081\n  \
        taxsdk sandbox irp --port 8082\n  \
        taxsdk eapi login --username tbilisi\n  taxsdk eapi invoices list --output csv\n\n\
        Exit codes: 0 ok, 1 other failure, 2 usage, 3 authentication, 4 service error, 5 network"
)]
struct Cli {
    #[command(flatten)]
    global: eapi::Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run an invoice through its whole life against the embedded eAPI
    /// sandbox: two-factor login, buyer lookup, save, activate, list, confirm.
    /// No network, no credentials.
    Demo,
    /// Serve a service emulator until Ctrl-C.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// The RS.ge eAPI: log in, look up taxpayers, list and manage invoices.
    Eapi(eapi::EapiArgs),
    /// Print a shell completion script to stdout.
    #[command(
        after_help = "Example:\n  taxsdk completions bash > ~/.local/share/bash-completion/completions/taxsdk"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
enum SandboxCommand {
    /// The RS.ge eAPI emulator (test accounts tbilisi/123456 and satesto2/123456;
    /// PINs are printed to the log).
    #[command(after_help = "Example:\n  taxsdk sandbox eapi --port 8080\n  \
        then point a client at http://127.0.0.1:8080\n  \
        taxsdk sandbox eapi --data eapi.sqlite   # documents survive a restart\n  \
        taxsdk sandbox eapi --port 0 --faults 0.2,seed=7   # 20% of requests fail\n\n\
        The first line on stdout is `eAPI sandbox on http://HOST:PORT ...` (the\n\
        bound port, also with --port 0); the log, PINs included, goes to stderr.")]
    Eapi {
        /// Port to listen on (0: any free port).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
        host: IpAddr,
        /// Keep documents, TransactionId replies and remembered device codes
        /// in this SQLite file (created if absent), so that a restarted
        /// sandbox still has them. Default: in memory only.
        #[arg(long, value_name = "PATH")]
        data: Option<PathBuf>,
        /// Fail this share of requests the way networks and servers do
        /// (connection resets before or after the work, HTTP 500/502/503
        /// with and without Retry-After, replies slower than a client's
        /// timeout, cut or HTML bodies), drawn from a seeded sequence:
        /// `RATE[,seed=N][,kinds=K+K][,slow=MS][,retry-after=S]`, RATE as 0.2
        /// or 20%; kinds: reset-before, reset-after-commit, http500,
        /// http502, http503, http503-retry-after, slow, malformed, html.
        #[arg(long, value_name = "RATE[,seed=N]", value_parser = parse_faults)]
        faults: Option<FaultConfig>,
    },
    /// The RS.ge NtosService (SOAP) emulator: all 55 operations, SOAP 1.1
    /// and 1.2, the WSDL (service users tbilisi:206322102/123456 and
    /// satesto2:12345678910/123456).
    #[command(after_help = "Example:\n  taxsdk sandbox ntos --port 8081\n  \
        then point a client at http://127.0.0.1:8081 (the service is at\n  \
        /ntosservice/ntosservice.asmx, its WSDL at /ntosservice/ntosservice.asmx?WSDL)\n  \
        taxsdk sandbox ntos --port 0 --faults 0.2,seed=7   # 20% of requests fail\n\n\
        The first line on stdout is `NtosService sandbox on http://HOST:PORT ...`\n\
        (the bound port, also with --port 0); the request log goes to stderr\n\
        (RUST_LOG=warn silences it).")]
    Ntos {
        /// Port to listen on (0: any free port).
        #[arg(long, default_value_t = 8081)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
        host: IpAddr,
        /// Fail this share of requests the way networks and servers do, as
        /// `taxsdk sandbox eapi --faults` does:
        /// `RATE[,seed=N][,kinds=K+K][,slow=MS][,retry-after=S]`.
        #[arg(long, value_name = "RATE[,seed=N]", value_parser = parse_faults)]
        faults: Option<FaultConfig>,
    },
    /// The India GST e-invoice IRP emulator: login with RSA and AES (the
    /// sandbox's own key pair), IRNs, signed invoices and QR codes, e-way
    /// bills (test user sandbox_ka / Sandbox@123, client TAXSDKSANDBOX01,
    /// GSTIN 29AAACP7879D1Z0).
    #[command(after_help = "Example:\n  taxsdk sandbox irp --port 8082\n  \
        then point a client at http://127.0.0.1:8082 and encrypt the login\n  \
        with the key at http://127.0.0.1:8082/irp-public-key.pem\n  \
        taxsdk sandbox irp --port 0 --faults 0.2,seed=7   # 20% of requests fail\n\n\
        The first line on stdout is `IRP sandbox on http://HOST:PORT ...` (the\n\
        bound port, also with --port 0), then the public key's URL and the test\n\
        credentials; the request log goes to stderr (RUST_LOG=warn silences it).")]
    Irp {
        /// Port to listen on (0: any free port).
        #[arg(long, default_value_t = 8082)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
        host: IpAddr,
        /// Fail this share of requests the way networks and servers do, as
        /// `taxsdk sandbox eapi --faults` does:
        /// `RATE[,seed=N][,kinds=K+K][,slow=MS][,retry-after=S]`.
        #[arg(long, value_name = "RATE[,seed=N]", value_parser = parse_faults)]
        faults: Option<FaultConfig>,
    },
}

fn parse_faults(text: &str) -> Result<FaultConfig, String> {
    text.parse()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Demo => demo::run().await,
            Command::Sandbox(SandboxCommand::Eapi {
                port,
                host,
                data,
                faults,
            }) => serve_eapi(SocketAddr::new(host, port), data, faults).await,
            Command::Sandbox(SandboxCommand::Ntos { port, host, faults }) => {
                serve_ntos(SocketAddr::new(host, port), faults).await
            }
            Command::Sandbox(SandboxCommand::Irp { port, host, faults }) => {
                serve_irp(SocketAddr::new(host, port), faults).await
            }
            Command::Eapi(args) => {
                return eapi::run(cli.global, args).await;
            }
            Command::Completions { shell } => {
                clap_complete::generate(
                    shell,
                    &mut Cli::command(),
                    "taxsdk",
                    &mut std::io::stdout(),
                );
                Ok(())
            }
        }
        .map_err(eapi::CliError::Other)
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

async fn serve_eapi(
    addr: SocketAddr,
    data: Option<PathBuf>,
    faults: Option<FaultConfig>,
) -> Result<(), String> {
    // The log goes to stderr, so that stdout starts with the address line.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = taxsdk_sandbox::eapi::Config {
        data,
        faults: faults.clone(),
        ..Default::default()
    };
    let sandbox = taxsdk_sandbox::eapi::Sandbox::open(config).map_err(|e| e.to_string())?;
    let running = taxsdk_sandbox::eapi::serve(sandbox, addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!("eAPI sandbox on {} (Ctrl-C stops it)", running.base_url());
    if let Some(faults) = &faults {
        let kinds: Vec<&str> = if faults.kinds.is_empty() {
            FaultKind::ALL.iter().map(|k| k.name()).collect()
        } else {
            faults.kinds.iter().map(|k| k.name()).collect()
        };
        println!(
            "faults: {}% of requests (seed {}): {}",
            faults.rate * 100.0,
            faults.seed,
            kinds.join(", ")
        );
    }
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    println!("stopped");
    Ok(())
}

async fn serve_ntos(addr: SocketAddr, faults: Option<FaultConfig>) -> Result<(), String> {
    use std::io::IsTerminal;

    // The request log goes to stderr, so that stdout starts with the address
    // line; colours only on a terminal.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = taxsdk_sandbox::ntos::Config {
        faults: faults.clone(),
        ..Default::default()
    };
    let sandbox = taxsdk_sandbox::ntos::Sandbox::new(config);
    let running = taxsdk_sandbox::ntos::serve(sandbox, addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!(
        "NtosService sandbox on {} (Ctrl-C stops it)",
        running.base_url()
    );
    println!(
        "service: {url} (WSDL: {url}?WSDL); service users tbilisi:206322102 and \
         satesto2:12345678910, password 123456",
        url = running.service_url()
    );
    if let Some(faults) = &faults {
        let kinds: Vec<&str> = if faults.kinds.is_empty() {
            FaultKind::ALL.iter().map(|k| k.name()).collect()
        } else {
            faults.kinds.iter().map(|k| k.name()).collect()
        };
        println!(
            "faults: {}% of requests (seed {}): {}",
            faults.rate * 100.0,
            faults.seed,
            kinds.join(", ")
        );
    }
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    running.shutdown().await;
    println!("stopped");
    Ok(())
}

async fn serve_irp(addr: SocketAddr, faults: Option<FaultConfig>) -> Result<(), String> {
    use std::io::IsTerminal;
    use taxsdk_sandbox::irp::{self, seed};

    // The request log goes to stderr, so that stdout starts with the address
    // line; colours only on a terminal.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = irp::Config {
        faults: faults.clone(),
        ..Default::default()
    };
    let running = irp::serve(irp::Sandbox::new(config), addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!("IRP sandbox on {} (Ctrl-C stops it)", running.base_url());
    println!(
        "public key: {} (sandbox-only RSA-2048 key; encrypt the login with it)",
        running.public_key_url()
    );
    // Test credentials of the sandbox, not secrets.
    println!(
        "test user: client-id {} client-secret {} gstin {} user {} password {}",
        seed::CLIENT_ID,
        seed::CLIENT_SECRET,
        seed::GSTIN,
        seed::USER_NAME,
        seed::PASSWORD
    );
    if let Some(faults) = &faults {
        let kinds: Vec<&str> = if faults.kinds.is_empty() {
            FaultKind::ALL.iter().map(|k| k.name()).collect()
        } else {
            faults.kinds.iter().map(|k| k.name()).collect()
        };
        println!(
            "faults: {}% of requests (seed {}): {}",
            faults.rate * 100.0,
            faults.seed,
            kinds.join(", ")
        );
    }
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    running.shutdown().await;
    println!("stopped");
    Ok(())
}

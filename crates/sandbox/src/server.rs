//! Serving a sandbox's router in a background task: what every sandbox's
//! `serve` shares (the fault layer when configured, graceful stop).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use taxsdk_runtime::server::axum;

use crate::faults::{FaultListener, Faults};

/// A router being served; see [`Server::start`].
#[derive(Debug)]
pub(crate) struct Server {
    addr: SocketAddr,
    base_url: String,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Bind `addr` and serve `router` until [`Server::stop`] (or until the
    /// `Server` is dropped). With `faults`, the fault layer wraps the
    /// router; its connection resets need the listener's streams, handed to
    /// it as connect info. `name` names the service in the log.
    pub(crate) async fn start(
        addr: SocketAddr,
        router: axum::Router,
        faults: Option<Arc<Faults>>,
        name: &'static str,
    ) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (shutdown, rx) = tokio::sync::oneshot::channel::<()>();
        // Resolves on send or when the sender is dropped.
        let stop = async move {
            let _ = rx.await;
        };
        let task = match faults {
            None => tokio::spawn(async move {
                let server = axum::serve(listener, router).with_graceful_shutdown(stop);
                if let Err(e) = server.await {
                    tracing::error!(error = %e, "{name} sandbox server stopped");
                }
            }),
            Some(faults) => {
                let router = router.layer(axum::middleware::from_fn_with_state(
                    faults,
                    crate::faults::inject,
                ));
                let app = router.into_make_service_with_connect_info::<crate::faults::Conn>();
                tokio::spawn(async move {
                    let server = axum::serve(FaultListener { inner: listener }, app)
                        .with_graceful_shutdown(stop);
                    if let Err(e) = server.await {
                        tracing::error!(error = %e, "{name} sandbox server stopped");
                    }
                })
            }
        };
        tracing::info!(%addr, "{name} sandbox listening");
        Ok(Server {
            addr,
            base_url: format!("http://{addr}"),
            shutdown,
            task,
        })
    }

    /// The bound address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`.
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Stop serving and wait until the task has ended (at most 5 s, then it
    /// is aborted), so that it no longer holds the sandbox's state.
    pub(crate) async fn stop(self) {
        let Server {
            shutdown, mut task, ..
        } = self;
        let _ = shutdown.send(());
        if tokio::time::timeout(Duration::from_secs(5), &mut task)
            .await
            .is_err()
        {
            task.abort();
            let _ = task.await;
        }
    }
}

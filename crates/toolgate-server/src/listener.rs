//! Serving a router on a TCP listener: slow-client timeouts, the client's address for the
//! handlers, and a shutdown that drains.
//!
//! [`HttpServer`] accepts HTTP/1.1 and HTTP/2 (cleartext) connections. It gives up on a
//! client that takes longer than the header read timeout to send a request's headers (on a
//! kept-alive connection too: an idle connection is closed after as long), and answers
//! `408 Request Timeout` to one whose request body is not complete within the body read
//! timeout. Every request carries the peer address as
//! [`ConnectInfo<SocketAddr>`](axum::extract::ConnectInfo).
//!
//! When `shutdown` completes the server drains: it stops accepting, ends the SSE streams
//! opened with `GET` (they carry no answer anyone waits for; clients reconnect elsewhere),
//! lets requests in flight finish — a tool call's SSE answer included — and closes each
//! connection as it falls idle. Whatever is still open after the drain timeout is cut.
//!
//! ```no_run
//! use std::time::Duration;
//! use toolgate_server::HttpServer;
//!
//! # async fn run(router: axum::Router) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
//! HttpServer::new()
//!     .with_drain_timeout(Duration::from_secs(10))
//!     .serve(listener, router, async {
//!         let _ = tokio::signal::ctrl_c().await;
//!     })
//!     .await
//! # }
//! ```

use std::{
    convert::Infallible,
    future::Future,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::{Router, body::Body, extract::ConnectInfo};
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::conn::auto,
};
use tokio::{net::TcpListener, sync::watch, time::Sleep};
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};
use tower::ServiceExt as _;

/// How long a client may take to send a request's headers (default).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a client may take to send a request's body, from its headers on (default).
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a shutdown waits for requests in flight (default).
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves an axum [`Router`] on a listener with slow-client timeouts and a draining
/// shutdown.
#[derive(Clone, Copy, Debug)]
#[must_use]
pub struct HttpServer {
    header_read_timeout: Option<Duration>,
    body_read_timeout: Option<Duration>,
    drain_timeout: Duration,
}

impl Default for HttpServer {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpServer {
    /// The defaults: 30 s for headers, 60 s for a body, 30 s to drain.
    pub fn new() -> Self {
        Self {
            header_read_timeout: Some(DEFAULT_HEADER_READ_TIMEOUT),
            body_read_timeout: Some(DEFAULT_BODY_READ_TIMEOUT),
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
        }
    }

    /// How long a client may take to send a request's headers, and how long a kept-alive
    /// connection may sit idle (HTTP/1.1); `None`: no limit.
    pub fn with_header_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// How long a client may take to send a request's body, counted from its headers;
    /// later it gets `408 Request Timeout` and the connection is closed. `None`: no limit.
    pub fn with_body_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// How long a shutdown waits for requests in flight before it closes their connections.
    pub fn with_drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// Serves `router` on `listener` until `shutdown` completes, then drains.
    ///
    /// Every accepted connection gets `TCP_NODELAY`: MCP answers are small, often streamed
    /// frames, and with Nagle's algorithm against the client's delayed acknowledgements each
    /// would wait about 40 ms.
    ///
    /// # Errors
    /// None so far: a failed `accept` is logged and retried.
    pub async fn serve(
        self,
        listener: TcpListener,
        router: Router,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let drain = CancellationToken::new();
        let cut = CancellationToken::new();
        // Every connection task holds a receiver; `closed()` resolves when none is left.
        let (open_tx, open_rx) = watch::channel(());
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        accept_failed(&error).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "cannot set TCP_NODELAY");
            }
            let connection = Connection {
                server: self,
                router: router.clone(),
                peer,
                drain: drain.clone(),
                cut: cut.clone(),
                open: open_rx.clone(),
            };
            tokio::spawn(connection.run(stream));
        }
        drop(listener);
        drop(open_rx);
        drain.cancel();
        let open = open_tx.receiver_count();
        if open > 0 {
            tracing::info!(
                connections = open,
                timeout_ms = u64::try_from(self.drain_timeout.as_millis()).unwrap_or(u64::MAX),
                "draining"
            );
        }
        if tokio::time::timeout(self.drain_timeout, open_tx.closed())
            .await
            .is_err()
        {
            tracing::warn!(
                connections = open_tx.receiver_count(),
                "drain timeout: closing the connections still busy"
            );
            cut.cancel();
            open_tx.closed().await;
        }
        Ok(())
    }
}

/// Serves `router` on `listener` until `shutdown` completes, with [`HttpServer`]'s defaults.
///
/// # Errors
/// As [`HttpServer::serve`].
pub async fn serve_http(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    HttpServer::new().serve(listener, router, shutdown).await
}

/// `accept` failed: out of file descriptors or a connection reset before it was accepted.
/// The first passes with time, the second at once.
async fn accept_failed(error: &std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed; retrying in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// One accepted connection.
struct Connection {
    server: HttpServer,
    router: Router,
    peer: SocketAddr,
    drain: CancellationToken,
    cut: CancellationToken,
    open: watch::Receiver<()>,
}

impl Connection {
    async fn run(self, stream: tokio::net::TcpStream) {
        let Self {
            server,
            router,
            peer,
            drain,
            cut,
            open,
        } = self;
        let requests = Requests {
            router,
            peer,
            body_read_timeout: server.body_read_timeout,
            drain: drain.clone(),
        };
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let requests = requests.clone();
            async move { Ok::<_, Infallible>(requests.handle(request).await) }
        });
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(server.header_read_timeout);
        builder.http2().timer(TokioTimer::new());
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
        let mut connection = std::pin::pin!(connection);
        let mut draining = std::pin::pin!(drain.cancelled());
        let mut cut = std::pin::pin!(cut.cancelled());
        let mut graceful = false;
        loop {
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::trace!(%peer, %error, "connection ended with an error");
                    }
                    break;
                }
                () = &mut draining, if !graceful => {
                    connection.as_mut().graceful_shutdown();
                    graceful = true;
                }
                () = &mut cut => break,
            }
        }
        drop(open);
    }
}

/// What every request of a connection shares.
#[derive(Clone)]
struct Requests {
    router: Router,
    peer: SocketAddr,
    body_read_timeout: Option<Duration>,
    drain: CancellationToken,
}

impl Requests {
    async fn handle(self, request: Request<Incoming>) -> Response<Body> {
        let (mut parts, body) = request.into_parts();
        parts.extensions.insert(ConnectInfo(self.peer));
        let streams_back = parts.method == Method::GET;
        let timed_out = Arc::new(AtomicBool::new(false));
        let body = match self.body_read_timeout {
            Some(timeout) if !body.is_end_stream() => Body::new(DeadlineBody {
                inner: body,
                deadline: Box::pin(tokio::time::sleep(timeout)),
                timed_out: Arc::clone(&timed_out),
            }),
            _ => Body::new(body),
        };
        let response = match self.router.oneshot(Request::from_parts(parts, body)).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        if timed_out.load(Ordering::Relaxed) {
            tracing::info!(peer = %self.peer, "request body not received in time: 408");
            return request_timeout();
        }
        if streams_back && is_event_stream(&response) {
            let drained = self.drain.clone().cancelled_owned();
            return response.map(|body| {
                Body::new(UntilDrained {
                    inner: body,
                    drained: Box::pin(drained),
                })
            });
        }
        response
    }
}

fn is_event_stream(response: &Response<Body>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

fn request_timeout() -> Response<Body> {
    let mut response = Response::new(Body::from(
        "Request Timeout: the request body was not received in time",
    ));
    *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The request body did not arrive within the body read timeout.
#[derive(Debug, thiserror::Error)]
#[error("the request body was not received within the body read timeout")]
pub(crate) struct BodyTimeout;

/// A request body that fails once its deadline passes.
struct DeadlineBody {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
    timed_out: Arc<AtomicBool>,
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            this.timed_out.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(Box::new(BodyTimeout))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A response body that ends (between frames) when the server starts draining.
struct UntilDrained {
    inner: Body,
    drained: Pin<Box<WaitForCancellationFutureOwned>>,
}

impl HttpBody for UntilDrained {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if this.drained.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Pin::new(&mut this.inner).poll_frame(cx)
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

#[cfg(test)]
mod tests;

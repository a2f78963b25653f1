//! The sessions of an endpoint: rmcp's `LocalSessionManager`, plus
//!
//! - a [`ResponseStream`] in every request's extensions, so a tool can close its SSE stream
//!   mid-call (SEP-1699) through `CallContext::close_response_stream`;
//! - idle expiry: a session with no request in flight, no open stream (a `GET` stream
//!   counts as open) and no request for [`SessionLimits::idle_timeout`] is closed, and its
//!   client gets 404 and starts a new one, as the protocol says;
//! - a cap, [`SessionLimits::max_sessions`]: at the cap, a new `initialize` is answered
//!   `503 Service Unavailable` with `Retry-After` (when the next idle session will expire).
//!   Sessions that exist are never closed to make room: that would let anyone who can open
//!   sessions end everybody else's.

use std::{
    collections::HashMap,
    sync::{
        Arc, PoisonError, RwLock, Weak,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use futures::{Stream, future::BoxFuture};
use http::{HeaderValue, Method, StatusCode, header};
use rmcp::{
    model::{ClientJsonRpcMessage, GetExtensions, ServerJsonRpcMessage},
    transport::streamable_http_server::session::{
        EventStore, RestoreOutcome, ServerSseMessage, SessionId, SessionManager,
        local::{LocalSessionHandle, LocalSessionManager, LocalSessionManagerError},
    },
};
use toolgate_tools::ResponseStream;

use crate::peek;

/// The default of [`SessionLimits::idle_timeout`]: five minutes.
pub const DEFAULT_SESSIONS_IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// The default of [`SessionLimits::max_sessions`].
pub const DEFAULT_MAX_SESSIONS: usize = 10_000;

/// How many sessions an endpoint keeps, and for how long an idle one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct SessionLimits {
    idle_timeout: Duration,
    max_sessions: usize,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            idle_timeout: DEFAULT_SESSIONS_IDLE_TIMEOUT,
            max_sessions: DEFAULT_MAX_SESSIONS,
        }
    }
}

impl SessionLimits {
    /// The defaults: five minutes, 10,000 sessions.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long a session may sit idle (no request in flight, no open stream, no request)
    /// before it is closed.
    pub fn with_idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// How many sessions may exist at once; at least one.
    pub fn with_max_sessions(mut self, max: usize) -> Self {
        self.max_sessions = max.max(1);
        self
    }

    /// The idle timeout.
    #[must_use]
    pub fn idle_timeout(&self) -> Duration {
        self.idle_timeout
    }

    /// The cap.
    #[must_use]
    pub fn max_sessions(&self) -> usize {
        self.max_sessions
    }
}

/// The sessions of one endpoint, kept across rebuilds of its router: an endpoint rebuilt
/// with the same store (a configuration reload) keeps serving the sessions opened before.
#[derive(Clone, Debug)]
pub struct SessionStore(pub(crate) Arc<StreamAwareSessions>);

impl Default for SessionStore {
    fn default() -> Self {
        Self::new(SessionLimits::default())
    }
}

impl SessionStore {
    /// An empty store with these limits.
    pub fn new(limits: SessionLimits) -> Self {
        let mut inner = LocalSessionManager::default();
        // Idle sessions are closed here, where a session with a call in flight or a `GET`
        // stream open is known not to be idle; rmcp's own timer counts neither.
        inner.session_config.keep_alive = None;
        Self(Arc::new_cyclic(|me| StreamAwareSessions {
            inner,
            activity: RwLock::new(HashMap::new()),
            idle_timeout_ms: AtomicU64::new(millis(limits.idle_timeout)),
            max_sessions: AtomicUsize::new(limits.max_sessions),
            epoch: Instant::now(),
            me: me.clone(),
            sweeping: AtomicBool::new(false),
            sessionless: AtomicUsize::new(0),
        }))
    }

    /// Applies new limits (a reload); sessions beyond a lowered cap stay until they end.
    pub fn set_limits(&self, limits: SessionLimits) {
        self.0
            .idle_timeout_ms
            .store(millis(limits.idle_timeout), Ordering::Relaxed);
        self.0
            .max_sessions
            .store(limits.max_sessions, Ordering::Relaxed);
    }

    /// The limits in force.
    pub fn limits(&self) -> SessionLimits {
        SessionLimits {
            idle_timeout: Duration::from_millis(self.0.idle_timeout_ms.load(Ordering::Relaxed)),
            max_sessions: self.0.max_sessions.load(Ordering::Relaxed),
        }
    }

    /// How many sessions exist.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.read().len()
    }

    /// Whether there is none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Closes every session (at shutdown, once the connections are drained).
    pub async fn close_all(&self) {
        let ids: Vec<SessionId> = self.0.read().keys().cloned().collect();
        for id in ids {
            let _ = self.0.close_session(&id).await;
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// What is known of one session's use.
#[derive(Debug)]
struct Activity {
    /// The last request or stream end, in milliseconds since the store's epoch.
    last: AtomicU64,
    /// Streams open: requests in flight (their SSE answers) and `GET` streams.
    open: AtomicUsize,
}

/// `LocalSessionManager` with [`ResponseStream`]s, idle expiry and a cap.
#[derive(Debug)]
pub(crate) struct StreamAwareSessions {
    inner: LocalSessionManager,
    activity: RwLock<HashMap<SessionId, Arc<Activity>>>,
    idle_timeout_ms: AtomicU64,
    max_sessions: AtomicUsize,
    epoch: Instant,
    me: Weak<StreamAwareSessions>,
    sweeping: AtomicBool,
    /// POSTs without a session id being served now: each may be an `initialize` creating a
    /// session, so they count against the cap until answered.
    sessionless: AtomicUsize,
}

/// Counts one POST without a session id in [`StreamAwareSessions::sessionless`] until
/// dropped (answered, or abandoned by the client).
struct Sessionless<'a> {
    store: &'a StreamAwareSessions,
    /// Such POSTs in flight, this one included, when it arrived.
    in_flight: usize,
}

impl Drop for Sessionless<'_> {
    fn drop(&mut self) {
        self.store.sessionless.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Holds a stream open in its session's [`Activity`] until dropped.
#[derive(Debug)]
struct OpenStream {
    activity: Arc<Activity>,
    epoch: Instant,
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.activity
            .last
            .store(elapsed_ms(self.epoch), Ordering::Relaxed);
        self.activity.open.fetch_sub(1, Ordering::Relaxed);
    }
}

fn elapsed_ms(epoch: Instant) -> u64 {
    millis(epoch.elapsed())
}

/// One POST's SSE stream within a session.
#[derive(Debug)]
struct PostStream {
    session: LocalSessionHandle,
    http_request_id: u64,
}

impl ResponseStream for PostStream {
    fn close(&self, retry: Option<Duration>) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            self.session
                .close_sse_stream(self.http_request_id, retry)
                .await
                .map_err(|error| error.to_string())
        })
    }
}

impl StreamAwareSessions {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<SessionId, Arc<Activity>>> {
        self.activity.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<SessionId, Arc<Activity>>> {
        self.activity
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    async fn handle(&self, id: &SessionId) -> Result<LocalSessionHandle, LocalSessionManagerError> {
        self.inner
            .sessions
            .read()
            .await
            .get(id)
            .cloned()
            .ok_or_else(|| LocalSessionManagerError::SessionNotFound(id.clone()))
    }

    /// Notes a request in session `id`.
    fn touch(&self, id: &SessionId) {
        if let Some(activity) = self.read().get(id) {
            activity
                .last
                .store(elapsed_ms(self.epoch), Ordering::Relaxed);
        }
    }

    /// Notes a stream opening in session `id`; it counts until the guard drops.
    fn open(&self, id: &SessionId) -> Option<OpenStream> {
        let activity = Arc::clone(self.read().get(id)?);
        activity.open.fetch_add(1, Ordering::Relaxed);
        activity
            .last
            .store(elapsed_ms(self.epoch), Ordering::Relaxed);
        Some(OpenStream {
            activity,
            epoch: self.epoch,
        })
    }

    fn idle_timeout_ms(&self) -> u64 {
        self.idle_timeout_ms.load(Ordering::Relaxed)
    }

    /// Counts a POST without a session id until the guard drops.
    fn sessionless_request(&self) -> Sessionless<'_> {
        let in_flight = self.sessionless.fetch_add(1, Ordering::AcqRel) + 1;
        Sessionless {
            store: self,
            in_flight,
        }
    }

    /// Whether the sessions open plus `in_flight` possible new ones stay within the cap.
    fn room_for(&self, in_flight: usize) -> bool {
        self.read().len().saturating_add(in_flight) <= self.max_sessions.load(Ordering::Relaxed)
    }

    /// When a session is likely to be free: the soonest an idle one expires, else one idle
    /// timeout from now.
    pub(crate) fn retry_after(&self) -> Duration {
        let now = elapsed_ms(self.epoch);
        let idle = self.idle_timeout_ms();
        let soonest = self
            .read()
            .values()
            .filter(|a| a.open.load(Ordering::Relaxed) == 0)
            .map(|a| {
                a.last
                    .load(Ordering::Relaxed)
                    .saturating_add(idle)
                    .saturating_sub(now)
            })
            .min()
            .unwrap_or(idle);
        Duration::from_millis(soonest)
    }

    /// Starts the sweeper the first time a session is created (there is a runtime then).
    fn start_sweeping(&self) {
        if self.sweeping.swap(true, Ordering::AcqRel) {
            return;
        }
        let me = self.me.clone();
        tokio::spawn(async move {
            loop {
                let interval = match me.upgrade() {
                    Some(store) => sweep_interval(store.idle_timeout_ms()),
                    None => return,
                };
                tokio::time::sleep(interval).await;
                let Some(store) = me.upgrade() else {
                    return;
                };
                store.sweep().await;
            }
        });
    }

    /// Closes every session idle for longer than the timeout.
    async fn sweep(&self) {
        let now = elapsed_ms(self.epoch);
        let idle = self.idle_timeout_ms();
        let expired = |activity: &Activity| {
            activity.open.load(Ordering::Relaxed) == 0
                && now.saturating_sub(activity.last.load(Ordering::Relaxed)) >= idle
        };
        let candidates: Vec<SessionId> = self
            .read()
            .iter()
            .filter(|(_, a)| expired(a))
            .map(|(id, _)| id.clone())
            .collect();
        if candidates.is_empty() {
            return;
        }
        // Checked again under the write lock: a request may have come in meanwhile.
        let closing: Vec<SessionId> = {
            let mut activity = self.write();
            candidates
                .into_iter()
                .filter(|id| {
                    let still = activity.get(id).is_some_and(|a| expired(a));
                    if still {
                        activity.remove(id);
                    }
                    still
                })
                .collect()
        };
        tracing::debug!(sessions = closing.len(), "closing idle sessions");
        for id in closing {
            if let Err(error) = self.inner.close_session(&id).await {
                tracing::debug!(session = %id, %error, "closing an idle session");
            }
        }
    }
}

/// A quarter of the idle timeout, between 50 ms and 30 s.
fn sweep_interval(idle_timeout_ms: u64) -> Duration {
    Duration::from_millis((idle_timeout_ms / 4).clamp(50, 30_000))
}

impl SessionManager for StreamAwareSessions {
    type Error = LocalSessionManagerError;
    type Transport = <LocalSessionManager as SessionManager>::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        let (id, transport) = self.inner.create_session().await?;
        self.write().insert(
            id.clone(),
            Arc::new(Activity {
                last: AtomicU64::new(elapsed_ms(self.epoch)),
                open: AtomicUsize::new(0),
            }),
        );
        self.start_sweeping();
        Ok((id, transport))
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        self.touch(id);
        self.inner.initialize_session(id, message).await
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        self.touch(id);
        self.inner.has_session(id).await
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        self.write().remove(id);
        self.inner.close_session(id).await
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        mut message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let session = self.handle(id).await?;
        let open = self.open(id);
        let receiver = session.establish_request_wise_channel().await?;
        if let (ClientJsonRpcMessage::Request(request), Some(http_request_id)) =
            (&mut message, receiver.http_request_id)
        {
            let stream: Arc<dyn ResponseStream> = Arc::new(PostStream {
                session: session.clone(),
                http_request_id,
            });
            request.request.extensions_mut().insert(stream);
        }
        session
            .push_message(message, receiver.http_request_id)
            .await?;
        let mut inner = receiver.inner;
        Ok(futures::stream::poll_fn(move |cx| {
            let _open = &open;
            inner.poll_recv(cx)
        }))
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        self.touch(id);
        self.inner.accept_message(id, message).await
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let stream = self.inner.create_standalone_stream(id).await?;
        Ok(held_open(stream, self.open(id)))
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let stream = self.inner.resume(id, last_event_id).await?;
        Ok(held_open(stream, self.open(id)))
    }

    async fn restore_session(
        &self,
        id: SessionId,
    ) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        let outcome = self.inner.restore_session(id.clone()).await?;
        if matches!(outcome, RestoreOutcome::Restored(_)) {
            self.write().insert(
                id,
                Arc::new(Activity {
                    last: AtomicU64::new(elapsed_ms(self.epoch)),
                    open: AtomicUsize::new(0),
                }),
            );
            self.start_sweeping();
        }
        Ok(outcome)
    }

    fn event_store(&self) -> Option<Arc<dyn EventStore>> {
        self.inner.event_store()
    }
}

/// `stream`, counted open in its session while it lives.
fn held_open<S>(
    stream: S,
    open: Option<OpenStream>,
) -> impl Stream<Item = ServerSseMessage> + Send + Sync + 'static
where
    S: Stream<Item = ServerSseMessage> + Send + Sync + 'static,
{
    let mut stream = Box::pin(stream);
    futures::stream::poll_fn(move |cx| {
        let _open = &open;
        stream.as_mut().poll_next(cx)
    })
}

/// The session cap at the door: a new `initialize` (a POST without `Mcp-Session-Id`) that
/// could take the store over its cap is answered 503 with `Retry-After`, before a session is
/// created. Requests of existing sessions, and stateless requests, pass.
///
/// Every POST without a session id counts as a possible new session while it is served, so
/// simultaneous `initialize`s cannot overshoot the cap. The body is read only near the cap
/// (when the open sessions plus such POSTs in flight would exceed it); there an
/// `initialize` is refused even if some of the others in flight are not `initialize`s.
pub(crate) async fn admit(
    State((store, max_body)): State<(SessionStore, usize)>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST || request.headers().contains_key("mcp-session-id") {
        return next.run(request).await;
    }
    let sessionless = store.0.sessionless_request();
    if store.0.room_for(sessionless.in_flight) {
        return next.run(request).await;
    }
    let (request, body) = match peek::buffer(request, max_body).await {
        Ok(buffered) => buffered,
        Err(response) => return response,
    };
    let peeked = peek::peek(&body);
    let Some(initialize) = peeked
        .iter()
        .find(|m| m.method.as_deref() == Some("initialize"))
    else {
        return next.run(request).await;
    };
    drop(sessionless);
    let retry = store.0.retry_after().as_secs().max(1);
    tracing::warn!(
        sessions = store.len(),
        retry_after = retry,
        "session cap reached: initialize refused with 503"
    );
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "application/json")],
        peek::error_body(
            &initialize.id,
            -32000,
            &format!("Too many sessions on this endpoint; retry in {retry} s"),
        ),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry));
    response
}

#[cfg(test)]
mod tests;

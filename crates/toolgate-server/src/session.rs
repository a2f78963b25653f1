//! A `LocalSessionManager` that tells each request which SSE stream it answers on, so a tool
//! can close that stream mid-call (SEP-1699) through `CallContext::close_response_stream`.

use std::{sync::Arc, time::Duration};

use futures::{Stream, future::BoxFuture};
use rmcp::{
    model::{ClientJsonRpcMessage, GetExtensions, ServerJsonRpcMessage},
    transport::streamable_http_server::session::{
        EventStore, RestoreOutcome, ServerSseMessage, SessionId, SessionManager,
        local::{LocalSessionHandle, LocalSessionManager, LocalSessionManagerError},
    },
};
use toolgate_tools::ResponseStream;

/// `LocalSessionManager`, plus a [`ResponseStream`] in every request's extensions.
#[derive(Debug, Default)]
pub(crate) struct StreamAwareSessions {
    inner: LocalSessionManager,
}

/// The sessions of one endpoint, kept across rebuilds of its router: an endpoint rebuilt
/// with the same store (a configuration reload) keeps serving the sessions opened before.
#[derive(Clone, Debug, Default)]
pub struct SessionStore(pub(crate) Arc<StreamAwareSessions>);

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
    async fn handle(&self, id: &SessionId) -> Result<LocalSessionHandle, LocalSessionManagerError> {
        self.inner
            .sessions
            .read()
            .await
            .get(id)
            .cloned()
            .ok_or_else(|| LocalSessionManagerError::SessionNotFound(id.clone()))
    }
}

impl SessionManager for StreamAwareSessions {
    type Error = LocalSessionManagerError;
    type Transport = <LocalSessionManager as SessionManager>::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        self.inner.create_session().await
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        self.inner.initialize_session(id, message).await
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        self.inner.has_session(id).await
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        self.inner.close_session(id).await
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        mut message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let session = self.handle(id).await?;
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
        Ok(futures::stream::poll_fn(move |cx| inner.poll_recv(cx)))
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        self.inner.accept_message(id, message).await
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.inner.create_standalone_stream(id).await
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.inner.resume(id, last_event_id).await
    }

    async fn restore_session(
        &self,
        id: SessionId,
    ) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        self.inner.restore_session(id).await
    }

    fn event_store(&self) -> Option<Arc<dyn EventStore>> {
        self.inner.event_store()
    }
}

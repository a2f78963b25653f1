//! A cap on the calls a toolset runs at once: one semaphore per upstream.
//!
//! A call over the cap waits for a slot, in arrival order, at most the limit's `wait` (the
//! toolset's call timeout); when none frees in time the caller gets a tool result with
//! `isError: true` saying the upstream is busy — the model sees it and may try again, as
//! with any upstream failure — and the upstream never sees the call.
//!
//! ```
//! use std::time::Duration;
//! use toolgate_tools::{ConcurrencyLimit, ToolSet};
//!
//! let limit = ConcurrencyLimit::new("weatherapi", 8, Duration::from_secs(10));
//! let toolset = ToolSet::new("weatherapi").with_concurrency_limit(&limit);
//! # let _ = toolset;
//! ```

use std::{fmt, sync::Arc, time::Duration};

use rmcp::model::{CallToolResult, ContentBlock};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{CallContext, JsonObject, Tool, ToolDescriptor, ToolFuture, ToolSet};

/// At most `max` calls at once across every tool it is applied to.
#[derive(Clone)]
pub struct ConcurrencyLimit {
    name: Arc<str>,
    max: usize,
    wait: Duration,
    slots: Arc<Semaphore>,
}

impl fmt::Debug for ConcurrencyLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrencyLimit")
            .field("name", &self.name)
            .field("max", &self.max)
            .field("wait", &self.wait)
            .field("free", &self.slots.available_permits())
            .finish()
    }
}

impl ConcurrencyLimit {
    /// `max` slots (at least one) for the upstream `name` (in the busy message); a call
    /// waits at most `wait` for one.
    #[must_use]
    pub fn new(name: impl Into<String>, max: usize, wait: Duration) -> Self {
        let max = max.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            name: Arc::from(name.into()),
            max,
            wait,
            slots: Arc::new(Semaphore::new(max)),
        }
    }

    /// The same slots, with another wait (an endpoint with its own call timeout).
    #[must_use]
    pub fn with_wait(&self, wait: Duration) -> Self {
        Self {
            wait,
            ..self.clone()
        }
    }

    /// The cap.
    #[must_use]
    pub fn max(&self) -> usize {
        self.max
    }

    /// The longest a caller waits for a slot.
    #[must_use]
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// Slots free now.
    #[must_use]
    pub fn available(&self) -> usize {
        self.slots.available_permits()
    }

    /// `calls` slots (at least one, at most the cap), held until the permit is dropped;
    /// `None` when they did not free within the wait.
    pub async fn acquire(&self, calls: usize) -> Option<OwnedSemaphorePermit> {
        let wanted = u32::try_from(calls.clamp(1, self.max)).unwrap_or(u32::MAX);
        tokio::time::timeout(
            self.wait,
            Arc::clone(&self.slots).acquire_many_owned(wanted),
        )
        .await
        .ok()?
        .ok()
    }

    fn busy(&self) -> CallToolResult {
        CallToolResult::error(vec![ContentBlock::text(format!(
            "The upstream `{}` is busy: {} calls are running and none finished within {} ms. Try again later.",
            self.name,
            self.max,
            self.wait.as_millis()
        ))])
    }
}

/// A tool whose calls take a slot of a [`ConcurrencyLimit`].
struct Limited {
    inner: Arc<dyn Tool>,
    limit: ConcurrencyLimit,
}

impl Tool for Limited {
    fn descriptor(&self) -> &ToolDescriptor {
        self.inner.descriptor()
    }

    fn call(&self, arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        Box::pin(async move {
            let Some(_slot) = self.limit.acquire(1).await else {
                tracing::warn!(
                    upstream = %self.limit.name,
                    tool.name = %self.inner.descriptor().name,
                    max = self.limit.max,
                    "concurrency cap: no slot within the call timeout"
                );
                return Ok(self.limit.busy());
            };
            self.inner.call(arguments, context).await
        })
    }
}

impl ToolSet {
    /// Every tool of the set takes a slot of `limit` for the length of its call.
    #[must_use]
    pub fn with_concurrency_limit(self, limit: &ConcurrencyLimit) -> Self {
        let tools: Vec<Arc<dyn Tool>> = self
            .tools()
            .iter()
            .map(|tool| {
                Arc::new(Limited {
                    inner: Arc::clone(tool),
                    limit: limit.clone(),
                }) as Arc<dyn Tool>
            })
            .collect();
        self.replace_tools(tools)
    }
}

#[cfg(test)]
mod tests;

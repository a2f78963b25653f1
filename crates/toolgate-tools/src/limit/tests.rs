use std::{sync::Arc, time::Duration};

use serde_json::json;
use tokio::sync::Semaphore;

use crate::{
    CallContext, ConcurrencyLimit, FnTool, Principal, ToolDescriptor, ToolSet, schema_object,
    text_result,
};

/// A toolset of one tool, `hold`, whose calls wait until `release` has a permit for them.
fn held_toolset(release: &Arc<Semaphore>) -> ToolSet {
    let release = Arc::clone(release);
    let tool = FnTool::new(
        ToolDescriptor::new("hold", "Waits.", schema_object(json!({"type": "object"}))),
        move |_args, _ctx| {
            let release = Arc::clone(&release);
            async move {
                let permit = release.acquire().await.expect("open");
                permit.forget();
                Ok(text_result("done"))
            }
        },
    );
    ToolSet::new("upstream").with_tool(Arc::new(tool))
}

fn call(toolset: &ToolSet) -> impl std::future::Future<Output = bool> + Send + 'static {
    let tool = Arc::clone(&toolset.tools()[0]);
    async move {
        let result = tool
            .call(
                serde_json::Map::new(),
                CallContext::detached(Principal::anonymous()),
            )
            .await
            .expect("a tool result");
        result.is_error != Some(true)
    }
}

#[tokio::test]
async fn calls_over_the_cap_wait_then_get_a_busy_result() {
    let release = Arc::new(Semaphore::new(0));
    let limit = ConcurrencyLimit::new("upstream", 1, Duration::from_millis(100));
    let toolset = held_toolset(&release).with_concurrency_limit(&limit);
    let first = tokio::spawn(call(&toolset));
    while limit.available() > 0 {
        tokio::task::yield_now().await;
    }
    let second = call(&toolset).await;
    assert!(!second, "the second call gets a busy result");
    release.add_permits(1);
    assert!(first.await.expect("joined"), "the first call completes");
    assert_eq!(limit.available(), 1);
}

#[tokio::test]
async fn a_waiting_call_runs_when_a_slot_frees_in_time() {
    let release = Arc::new(Semaphore::new(0));
    let limit = ConcurrencyLimit::new("upstream", 1, Duration::from_secs(30));
    let toolset = held_toolset(&release).with_concurrency_limit(&limit);
    let first = tokio::spawn(call(&toolset));
    while limit.available() > 0 {
        tokio::task::yield_now().await;
    }
    let second = tokio::spawn(call(&toolset));
    release.add_permits(2);
    assert!(first.await.expect("joined"));
    assert!(second.await.expect("joined"));
}

#[tokio::test]
async fn every_copy_with_another_wait_shares_the_slots() {
    let limit = ConcurrencyLimit::new("upstream", 2, Duration::from_secs(1));
    let other = limit.with_wait(Duration::from_secs(5));
    let release = Arc::new(Semaphore::new(0));
    let a = held_toolset(&release).with_concurrency_limit(&limit);
    let b = held_toolset(&release).with_concurrency_limit(&other);
    let first = tokio::spawn(call(&a));
    let second = tokio::spawn(call(&b));
    while limit.available() > 0 {
        tokio::task::yield_now().await;
    }
    assert_eq!(other.available(), 0);
    release.add_permits(2);
    assert!(first.await.expect("joined") && second.await.expect("joined"));
}

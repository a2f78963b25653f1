use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicUsize, Ordering},
};

use axum::body::Body;
use http::{Request, StatusCode};
use tower::ServiceExt as _;

use super::*;

async fn get_text(router: &Router, path: &str) -> (StatusCode, String) {
    let response = router
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).expect("request"))
        .await
        .expect("answer");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn metrics_and_healthz_answer_ok() {
    let metrics = Metrics::new();
    metrics.auth_failure("weather", "expired");
    let router = AdminEndpoint::new(metrics).into_router();
    let (status, text) = get_text(&router, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains("toolgate_auth_failures_total{endpoint=\"weather\",reason=\"expired\"} 1")
    );
    assert_eq!(get_text(&router, "/healthz").await.0, StatusCode::OK);
    assert_eq!(get_text(&router, "/readyz").await.0, StatusCode::OK);
}

#[tokio::test]
async fn readyz_names_what_is_not_ready_fails() {
    let down = Arc::new(AtomicBool::new(true));
    let flag = Arc::clone(&down);
    let check: ReadinessCheck = Arc::new(move || {
        let down = flag.load(Ordering::Relaxed);
        Box::pin(async move {
            if down {
                vec![NotReady::new("auth:okta", "metadata: HTTP 503")]
            } else {
                Vec::new()
            }
        })
    });
    let router = AdminEndpoint::new(Metrics::new())
        .with_readiness(check)
        .with_readiness_cache(Duration::ZERO)
        .into_router();
    let (status, body) = get_text(&router, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(body["status"], "unready");
    assert_eq!(body["not_ready"][0]["component"], "auth:okta");
    down.store(false, Ordering::Relaxed);
    assert_eq!(get_text(&router, "/readyz").await.0, StatusCode::OK);
}

/// Probes within the cache window, and probes arriving while a check runs, share one check;
/// a probe after the window checks again.
#[tokio::test]
async fn readyz_shares_one_check_among_close_probes_ok() {
    let checks = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&checks);
    let check: ReadinessCheck = Arc::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        Box::pin(async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Vec::new()
        })
    });
    let router = AdminEndpoint::new(Metrics::new())
        .with_readiness(check)
        .with_readiness_cache(Duration::from_millis(300))
        .into_router();
    let probes = (0..8).map(|_| get_text(&router, "/readyz"));
    for (status, _) in futures::future::join_all(probes).await {
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(get_text(&router, "/readyz").await.0, StatusCode::OK);
    assert_eq!(
        checks.load(Ordering::SeqCst),
        1,
        "eight concurrent probes and one more"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(get_text(&router, "/readyz").await.0, StatusCode::OK);
    assert_eq!(checks.load(Ordering::SeqCst), 2, "a probe after the window");
}

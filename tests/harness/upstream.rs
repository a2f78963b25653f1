//! A WeatherAPI-shaped upstream on a loopback port that records every request it receives.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use axum::{
    Router,
    extract::Request,
    http::{HeaderMap, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use url::Url;

/// One request as the upstream saw it.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub(crate) method: Method,
    /// The path exactly as sent, percent-encoding kept.
    pub(crate) path: String,
    /// The query string exactly as sent.
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
}

impl Received {
    /// The decoded query pairs, in order.
    pub(crate) fn query_pairs(&self) -> Vec<(String, String)> {
        let query = self.query.clone().unwrap_or_default();
        url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

#[derive(Clone, Copy)]
enum Behaviour {
    /// Answers like WeatherAPI (the bundled sample upstream).
    Weather,
    /// Answers every request with this status and JSON body.
    Fixed(StatusCode, &'static str),
    /// Accepts the request and never answers.
    Hang,
}

/// The upstream. Stops when dropped.
pub(crate) struct RestUpstream {
    url: Url,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RestUpstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RestUpstream {
    /// Answers with WeatherAPI-shaped sample data.
    pub(crate) async fn start() -> Self {
        Self::spawn(Behaviour::Weather).await
    }

    /// Answers every request with `status` and a WeatherAPI-style error body.
    pub(crate) async fn failing(status: StatusCode) -> Self {
        Self::spawn(Behaviour::Fixed(
            status,
            r#"{"error":{"code":9999,"message":"upstream exploded"}}"#,
        ))
        .await
    }

    /// Answers every request with 200 and `body` (JSON).
    pub(crate) async fn answering(body: &'static str) -> Self {
        Self::spawn(Behaviour::Fixed(StatusCode::OK, body)).await
    }

    /// Never answers.
    pub(crate) async fn hanging() -> Self {
        Self::spawn(Behaviour::Hang).await
    }

    async fn spawn(behaviour: Behaviour) -> Self {
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let log = Arc::clone(&received);
        let app = match behaviour {
            Behaviour::Weather => Router::new().nest("/v1", toolgate_weather::demo::router()),
            Behaviour::Fixed(status, body) => Router::new().fallback(move || async move {
                (status, [("content-type", "application/json")], body).into_response()
            }),
            Behaviour::Hang => Router::new().fallback(|| async {
                // Bounded: longer than any test timeout, shorter than forever.
                tokio::time::sleep(Duration::from_secs(120)).await;
                StatusCode::OK.into_response()
            }),
        }
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            let log = Arc::clone(&log);
            async move {
                log.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(Received {
                        method: request.method().clone(),
                        path: request.uri().path().to_owned(),
                        query: request.uri().query().map(str::to_owned),
                        headers: request.headers().clone(),
                    });
                let response: Response = next.run(request).await;
                response
            }
        }));
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind a loopback port");
        let address = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("upstream serves");
        });
        Self {
            url: Url::parse(&format!("http://{address}/v1")).expect("url"),
            received,
            task,
        }
    }

    /// The base URL tools should call (`http://127.0.0.1:PORT/v1`, like WeatherAPI's);
    /// paths are recorded in full (`/v1/current.json`).
    pub(crate) fn url(&self) -> Url {
        self.url.clone()
    }

    /// Every request received so far.
    pub(crate) fn received(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

use std::{net::SocketAddr, time::Duration};

use axum::{
    Router,
    extract::ConnectInfo,
    response::sse::{Event, Sse},
    routing::{get, post},
};
use futures::stream;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::oneshot,
    task::JoinHandle,
};

use super::HttpServer;

/// Serves `router` on a loopback port; the shutdown starts when the sender is used or
/// dropped.
async fn start(
    server: HttpServer,
    router: Router,
) -> (
    SocketAddr,
    oneshot::Sender<()>,
    JoinHandle<std::io::Result<()>>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve(listener, router, async {
        let _ = stopped.await;
    }));
    (address, stop, task)
}

/// Everything the server sends until it closes the connection.
async fn read_all(stream: &mut TcpStream) -> String {
    let mut buffer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut buffer)).await;
    String::from_utf8_lossy(&buffer).into_owned()
}

#[tokio::test]
async fn a_body_that_stalls_gets_408_and_a_closed_connection() {
    let router = Router::new().route("/", post(|body: String| async move { body }));
    let server = HttpServer::new().with_body_read_timeout(Some(Duration::from_millis(200)));
    let (address, _stop, _task) = start(server, router).await;
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream
        .write_all(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n0123456789")
        .await
        .expect("write");
    let answer = read_all(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn headers_that_stall_close_the_connection() {
    let router = Router::new().route("/", get(|| async { "ok" }));
    let server = HttpServer::new().with_header_read_timeout(Some(Duration::from_millis(200)));
    let (address, _stop, _task) = start(server, router).await;
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream
        .write_all(b"GET / HTTP/1.1\r\nhost: x\r\n")
        .await
        .expect("write");
    let started = tokio::time::Instant::now();
    let answer = read_all(&mut stream).await;
    assert!(!answer.contains("200 OK"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn handlers_see_the_client_address() {
    let router = Router::new().route(
        "/",
        get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
    );
    let (address, _stop, _task) = start(HttpServer::new(), router).await;
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream
        .write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .expect("write");
    let answer = read_all(&mut stream).await;
    assert!(answer.ends_with("127.0.0.1"), "{answer}");
}

#[tokio::test]
async fn a_request_in_flight_at_shutdown_completes_and_new_connections_are_refused() {
    let (started_tx, started_rx) = oneshot::channel::<()>();
    let started_tx = std::sync::Arc::new(std::sync::Mutex::new(Some(started_tx)));
    let (finish_tx, finish_rx) = oneshot::channel::<()>();
    let finish_rx = std::sync::Arc::new(std::sync::Mutex::new(Some(finish_rx)));
    let router = Router::new().route(
        "/slow",
        post(move || {
            let started = started_tx.lock().expect("lock").take();
            let finish = finish_rx.lock().expect("lock").take();
            async move {
                if let Some(started) = started {
                    let _ = started.send(());
                }
                if let Some(finish) = finish {
                    let _ = finish.await;
                }
                "finished"
            }
        }),
    );
    let (address, stop, task) = start(HttpServer::new(), router).await;
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream
        .write_all(b"POST /slow HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n")
        .await
        .expect("write");
    started_rx.await.expect("the handler runs");
    stop.send(()).expect("server running");
    // The listener closes while the call is still running.
    let mut refused = false;
    for _ in 0..100 {
        if TcpStream::connect(address).await.is_err() {
            refused = true;
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused, "the listener still accepts while draining");
    assert!(!task.is_finished());
    finish_tx.send(()).expect("handler waiting");
    let answer = read_all(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("finished"), "{answer}");
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the server stops once drained")
        .expect("joined")
        .expect("served");
}

#[tokio::test]
async fn get_event_streams_end_when_draining_starts() {
    let router = Router::new().route(
        "/events",
        get(|| async {
            Sse::new(stream::pending::<Result<Event, std::convert::Infallible>>()).keep_alive(
                axum::response::sse::KeepAlive::new().interval(Duration::from_millis(50)),
            )
        }),
    );
    let server = HttpServer::new().with_drain_timeout(Duration::from_secs(60));
    let (address, stop, task) = start(server, router).await;
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream
        .write_all(b"GET /events HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .expect("write");
    let mut first = [0_u8; 12];
    stream.read_exact(&mut first).await.expect("status line");
    assert_eq!(&first, b"HTTP/1.1 200");
    stop.send(()).expect("server running");
    let rest = read_all(&mut stream).await;
    assert!(
        rest.ends_with("0\r\n\r\n"),
        "the stream ends properly: {rest}"
    );
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the server does not wait for the drain timeout")
        .expect("joined")
        .expect("served");
}

#[tokio::test]
async fn what_is_still_busy_after_the_drain_timeout_is_cut() {
    let router = Router::new().route("/never", get(std::future::pending::<&'static str>));
    let server = HttpServer::new().with_drain_timeout(Duration::from_millis(200));
    let (address, stop, task) = start(server, router).await;
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream
        .write_all(b"GET /never HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .expect("write");
    // The request is in the handler once the server has read it; give it that moment.
    tokio::time::sleep(Duration::from_millis(50)).await;
    stop.send(()).expect("server running");
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the drain timeout bounds the shutdown")
        .expect("joined")
        .expect("served");
    assert_eq!(read_all(&mut stream).await, "");
}

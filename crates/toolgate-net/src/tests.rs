use super::*;

fn ip(text: &str) -> IpAddr {
    text.parse().expect("an IP address")
}

#[test]
fn non_public_addresses_fail() {
    for (address, kind) in [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("0.0.0.0", "unspecified (this-network)"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("224.0.0.1", "multicast"),
        ("255.255.255.255", "reserved or broadcast"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fd00::1", "unique local (private)"),
        ("fe80::1", "link-local"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:10.0.0.1", "private"),
        ("::127.0.0.1", "loopback"),
        ("64:ff9b::192.168.0.1", "private"),
    ] {
        assert_eq!(classify(ip(address)), Some(kind), "{address}");
    }
}

#[test]
fn public_addresses_ok() {
    for address in [
        "93.184.215.14",
        "172.32.0.1",
        "172.15.255.255",
        "100.128.0.1",
        "1.1.1.1",
        "2606:4700::1111",
        "::ffff:93.184.215.14",
        "64:ff9b::8.8.8.8",
    ] {
        assert!(is_public(ip(address)), "{address}");
    }
}

#[test]
fn literal_hosts_in_every_spelling_fail() {
    for url in [
        "http://127.0.0.1:8080/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::ffff:169.254.169.254]/latest",
        "http://0/",
    ] {
        let url: Url = url.parse().expect("a URL");
        assert!(
            matches!(check_url(&url), Err(NetworkError::PrivateAddress { .. })),
            "{url}"
        );
    }
}

#[test]
fn names_pass_the_literal_check_ok() {
    let url: Url = "http://localhost:1/".parse().expect("a URL");
    assert!(check_url(&url).is_ok());
}

#[tokio::test]
async fn localhost_resolves_to_loopback_fails() {
    let url: Url = "http://localhost:1/".parse().expect("a URL");
    let error = check_url_resolved(&url).await.expect_err("refused");
    assert!(
        matches!(
            &error,
            NetworkError::PrivateAddress {
                kind: "loopback",
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("deny_private_networks"));
}

#[tokio::test]
async fn guarded_client_refuses_a_loopback_name_unguarded_connects_ok() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut buffer = [0_u8; 1024];
            let _ = stream.read(&mut buffer).await;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                .await;
        }
    });
    let _ = rustls::crypto::ring::default_provider().install_default();
    let url = format!("http://localhost:{port}/");
    let plain = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let answer = plain.get(&url).send().await.expect("connects");
    assert_eq!(answer.status(), 200);
    let guarded = guard(reqwest::Client::builder()).build().expect("client");
    let error = guarded.get(&url).send().await.expect_err("refused");
    assert!(error.is_connect(), "{error:?}");
}

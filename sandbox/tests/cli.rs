//! The `amazon-sandbox` binary: prints where to reach it and serves what its flags say.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_prints_credentials_and_serves() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_amazon-sandbox"))
            .args([
                "--port",
                "0",
                "--orders",
                "25",
                "--seed",
                "5",
                "--manual-clock",
                "--sellers",
                "2",
            ])
            .args(["--faults", "getOrder:500=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("binary starts"),
    );
    let out = child.0.stdout.take().expect("stdout");
    let mut lines = BufReader::new(out).lines();
    let mut fields = std::collections::HashMap::new();
    for line in lines.by_ref() {
        let line = line.expect("line");
        let mut parts = line.split_whitespace();
        if let (Some(k), Some(v)) = (parts.next(), parts.last()) {
            fields.insert(k.to_owned(), v.to_owned());
        }
        if line.trim_start().starts_with("orders ") {
            break;
        }
    }
    let base = fields.get("SP-API").expect("base URL printed").clone();
    let lwa = fields.get("LWA").expect("LWA URL printed").clone();
    assert!(base.starts_with("http://127.0.0.1:"));
    assert_eq!(lwa, format!("{base}/auth/o2/token"));
    assert_eq!(
        fields.get("selling_partner_id").map(String::as_str),
        Some("A3SANDBOXSELLER")
    );
    assert!(
        fields.contains_key("seller"),
        "the second seller is printed"
    );

    let http = reqwest::Client::builder()
        .user_agent("amazon-sandbox-tests/0.1 (Language=Rust)")
        .build()
        .unwrap();
    let token: serde_json::Value = http
        .post(&lwa)
        .form(&[
            ("grant_type", fields["refresh_token"].as_str()),
            ("refresh_token", fields["refresh_token"].as_str()),
            ("client_id", fields["client_id"].as_str()),
            ("client_secret", fields["client_secret"].as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // grant_type was wrong on purpose above: LWA answers with its error shape.
    assert_eq!(token["error"], "unsupported_grant_type");
    let token: serde_json::Value = http
        .post(&lwa)
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", fields["refresh_token"].as_str()),
            ("client_id", fields["client_id"].as_str()),
            ("client_secret", fields["client_secret"].as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t = token["access_token"].as_str().unwrap();
    let orders: serde_json::Value = http
        .get(format!("{base}/_sandbox/orders"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(orders["orders"].as_array().unwrap().len(), 25);
    let clock: serde_json::Value = http
        .get(format!("{base}/_sandbox/clock"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clock["mode"], "manual");
    let id = orders["orders"][0]["orderId"].as_str().unwrap();
    let r = http
        .get(format!("{base}/orders/v0/orders/{id}"))
        .header("x-amz-access-token", t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 500, "--faults applied");
}

#[test]
fn bad_fault_spec_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_amazon-sandbox"))
        .args(["--port", "0", "--faults", "bogus=0.1"])
        .output()
        .expect("binary runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown fault kind"));
}

//! `amzsync verify` when Amazon issues a token but denies the call (HTTP 403): the case of
//! a refresh token from another region or an app without the needed role. The sandbox
//! has no roles, so a mock server plays Amazon here.

use assert_cmd::Command;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_denied_names_region_and_roles() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/o2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "Atza|mock", "token_type": "bearer", "expires_in": 3600
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/sellers/v1/marketplaceParticipations"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-amzn-RequestId", "req-403")
                .set_body_json(serde_json::json!({"errors": [{
                    "code": "Unauthorized",
                    "message": "Access to requested resource is denied.",
                    "details": ""
                }]})),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("amzsync.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[[accounts]]
name = "eu-main"
region = "eu"
marketplaces = ["UK"]
endpoint = "{uri}"
lwa_endpoint = "{uri}/auth/o2/token"
credentials = {{ client_id_env = "M_ID", client_secret_env = "M_SECRET", refresh_token_env = "M_TOKEN" }}
"#,
            uri = server.uri()
        ),
    )
    .unwrap();
    let mut c = Command::cargo_bin("amzsync").unwrap();
    c.args(["verify", "--config"])
        .arg(&config)
        .env("M_ID", "amzn1.application-oa2-client.mock")
        .env("M_SECRET", "s")
        .env("M_TOKEN", "Atzr|t")
        .env_remove("RUST_LOG");
    let out = tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(
        s.contains("eu-main (eu-main): FAILED: access denied (HTTP 403)"),
        "{s}"
    );
    assert!(s.contains("another region than `eu`"), "{s}");
    assert!(s.contains("lacks a role"), "{s}");
}

//! `amzsync onboard`: the website authorisation flow for one account.

use std::io::Write;
use std::path::Path;

use spapi_client::AppCredentials;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::cli::{EXIT_CONFIG, EXIT_FAILED, EXIT_OK, OnboardArgs};
use crate::config::{Needs, process_env};

/// Extracts `(code, state)` from a redirect URL, a query string or a bare code.
pub fn parse_redirect(input: &str) -> (Option<String>, Option<String>) {
    let input = input.trim();
    let query = if let Some((_, q)) = input.split_once('?') {
        q
    } else if input.contains("spapi_oauth_code=") {
        input
    } else {
        return ((!input.is_empty()).then(|| input.to_owned()), None);
    };
    let query = query.split('#').next().unwrap_or(query);
    let mut code = None;
    let mut state = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "spapi_oauth_code" => code = Some(v.into_owned()),
            "state" => state = Some(v.into_owned()),
            _ => {}
        }
    }
    (code, state)
}

/// The `selling_partner_id` of a redirect URL or query string: the seller who authorised.
pub fn redirect_seller(input: &str) -> Option<String> {
    let query = input
        .trim()
        .split_once('?')
        .map_or(input.trim(), |(_, q)| q);
    let query = query.split('#').next().unwrap_or(query);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "selling_partner_id")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric()))
}

async fn receive_on_loopback(
    port: u16,
    expected_state: &str,
) -> Result<(String, Option<String>), String> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    eprintln!("waiting for the redirect on http://127.0.0.1:{port}/ ...");
    loop {
        let (mut sock, _) = listener.accept().await.map_err(|e| e.to_string())?;
        // Read until the request line is complete (it may come in several pieces).
        let mut buf = Vec::with_capacity(1024);
        let mut chunk = [0u8; 1024];
        // A connection that sends nothing must not hold up the next one.
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        while !buf.windows(2).any(|w| w == b"\r\n") && buf.len() < 8192 {
            match tokio::time::timeout_at(deadline, sock.read(&mut chunk)).await {
                Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                _ => break,
            }
        }
        let head = String::from_utf8_lossy(&buf).into_owned();
        let target = head
            .lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("/")
            .to_owned();
        let (code, state) = parse_redirect(&target);
        let (status, body, result) = match (code, state) {
            (Some(code), Some(state)) if state == expected_state => (
                "200 OK",
                "amzsync received the authorization; you can close this page.",
                Some(Ok((code, redirect_seller(&target)))),
            ),
            (Some(_), _) => (
                "400 Bad Request",
                "state mismatch: this redirect was not started by this amzsync run.",
                Some(Err(
                    "the redirect's state does not match (possible CSRF); start again".to_owned(),
                )),
            ),
            _ => ("404 Not Found", "waiting for spapi_oauth_code", None),
        };
        let resp = format!(
            "HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = sock.write_all(resp.as_bytes()).await;
        if let Some(r) = result {
            return r;
        }
    }
}

/// Writes (or merges) `refresh_token` into the secrets file, readable by the owner only.
pub fn store_refresh_token(path: &Path, token: &str) -> Result<(), String> {
    let mut table: toml::Table = match std::fs::read_to_string(path) {
        Ok(t) => t
            .parse()
            .map_err(|_| format!("{} is not valid TOML; not touched", path.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => toml::Table::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    table.insert(
        "refresh_token".into(),
        toml::Value::String(token.to_owned()),
    );
    let text = toml::to_string(&table).map_err(|e| e.to_string())?;
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(&tmp)
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot replace {}: {e}", path.display()))
}

/// `amzsync onboard`.
pub async fn run(args: OnboardArgs) -> u8 {
    // Only the chosen account's app credentials matter here.
    let config = match super::load_for(&args.config, Needs::AppCredentials, Some(&args.account)) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some((index, account)) = config
        .accounts
        .iter()
        .enumerate()
        .find(|(_, a)| a.name == args.account)
    else {
        if let Err(p) = config.account(&args.account) {
            eprintln!("amzsync onboard: {p}");
        }
        return EXIT_CONFIG;
    };
    let secrets_file = account.credentials.secrets_file.clone();
    if secrets_file.is_none() && !args.print_token {
        eprintln!(
            "amzsync onboard: accounts[{index}].credentials has no secrets_file to store the refresh token in; add one (e.g. secrets_file = \"secrets/{}.toml\"), or pass --print-token and put the token in {} yourself",
            account.name,
            account
                .credentials
                .refresh_token_env
                .as_deref()
                .unwrap_or("your secret store")
        );
        return EXIT_CONFIG;
    }
    let Some(app_id) = account.application_id.clone() else {
        eprintln!(
            "amzsync onboard: accounts[{index}].application_id: missing; hint: copy your app's id (amzn1.sp.solution...) from Developer Central"
        );
        return EXIT_CONFIG;
    };
    let creds = match account.resolve_credentials(index, Needs::AppCredentials, &process_env) {
        Ok(c) => c,
        Err(p) => {
            for p in p {
                eprintln!("amzsync onboard: {p}");
            }
            return EXIT_CONFIG;
        }
    };
    let state = format!("amzsync-{:016x}", rand::random::<u64>());
    let seller_central = match account.seller_central() {
        Ok(u) => u,
        Err(e) => {
            eprintln!("amzsync onboard: accounts[{index}].seller_central_url: {e}");
            return EXIT_CONFIG;
        }
    };
    let url = spapi_client::lwa::authorization_url(&seller_central, &app_id, &state, args.beta);
    let (code, seller) = match (&args.code, args.listen) {
        (Some(code), _) => (code.clone(), None),
        (None, Some(port)) => {
            println!("Open this page as the seller, sign in and confirm:\n\n  {url}\n");
            match receive_on_loopback(port, &state).await {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("amzsync onboard: {e}");
                    return EXIT_FAILED;
                }
            }
        }
        (None, None) => {
            println!("Open this page as the seller, sign in and confirm:\n\n  {url}\n");
            println!("Then paste the address Amazon redirected to (or just its spapi_oauth_code):");
            let mut line = String::new();
            if std::io::stdin().read_line(&mut line).is_err() {
                eprintln!("amzsync onboard: no input");
                return EXIT_FAILED;
            }
            match parse_redirect(&line) {
                (Some(code), Some(s)) if s != state => {
                    let _ = code;
                    eprintln!(
                        "amzsync onboard: the pasted redirect's state does not match this run; start again"
                    );
                    return EXIT_FAILED;
                }
                (Some(code), _) => (code, redirect_seller(&line)),
                (None, _) => {
                    eprintln!("amzsync onboard: no spapi_oauth_code found in the input");
                    return EXIT_FAILED;
                }
            }
        }
    };
    let app = AppCredentials {
        client_id: creds.client_id.clone(),
        client_secret: creds.client_secret.clone(),
    };
    let tokens = match spapi_client::lwa::exchange_authorization_code(
        &app,
        code.trim(),
        args.redirect_uri.as_deref(),
        account.lwa_endpoint.as_ref(),
    )
    .await
    {
        Ok(t) => t,
        Err(e) => {
            eprintln!("amzsync onboard: the code exchange failed: {e}");
            return EXIT_FAILED;
        }
    };
    let Some(refresh) = tokens.refresh_token.as_ref() else {
        eprintln!("amzsync onboard: Login with Amazon returned no refresh token");
        return EXIT_FAILED;
    };
    let refresh = secrecy::ExposeSecret::expose_secret(refresh).to_owned();
    if let Some(path) = &secrets_file {
        if let Err(e) = store_refresh_token(path, &refresh) {
            eprintln!("amzsync onboard: {e}");
            return EXIT_FAILED;
        }
        println!(
            "refresh token for {} stored in {}",
            account.name,
            path.display()
        );
    }
    if args.print_token {
        println!("{refresh}");
    }
    match (&seller, &account.seller_id) {
        (Some(s), Some(configured)) if s == configured => {
            println!("seller {s} authorised (accounts[{index}].seller_id matches)");
        }
        (Some(s), Some(configured)) => {
            eprintln!(
                "amzsync onboard: warning: seller {s} authorised, but accounts[{index}].seller_id is {configured:?}: the refresh token belongs to {s}; fix seller_id (or authorise as {configured}) before the next run"
            );
        }
        (Some(s), None) => {
            println!(
                "seller {s} authorised; add seller_id = \"{s}\" to accounts[{index}] ({}) in {}: with it, a new refresh token for this seller keeps its data",
                account.name,
                args.config.display()
            );
        }
        (None, _) => {}
    }
    println!("next: amzsync verify --config {}", args.config.display());
    EXIT_OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_and_codes_parse() {
        assert_eq!(
            parse_redirect(
                "https://example.com/cb?state=s1&spapi_oauth_code=ANabc&selling_partner_id=A1"
            ),
            (Some("ANabc".into()), Some("s1".into()))
        );
        assert_eq!(
            parse_redirect("/?spapi_oauth_code=X&state=Y"),
            (Some("X".into()), Some("Y".into()))
        );
        assert_eq!(parse_redirect("  ANcode \n"), (Some("ANcode".into()), None));
        assert_eq!(parse_redirect(""), (None, None));
    }

    #[test]
    fn the_redirect_names_the_seller() {
        assert_eq!(
            redirect_seller(
                "https://example.com/cb?state=s1&spapi_oauth_code=ANabc&selling_partner_id=A1SELLER"
            )
            .as_deref(),
            Some("A1SELLER")
        );
        assert_eq!(
            redirect_seller("/?selling_partner_id=A2X&spapi_oauth_code=X").as_deref(),
            Some("A2X")
        );
        assert_eq!(redirect_seller("ANcode"), None);
        assert_eq!(redirect_seller("/?selling_partner_id=<script>"), None);
    }

    #[test]
    fn refresh_token_is_merged_into_the_secrets_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.toml");
        std::fs::write(&p, "client_secret = \"sec\"\n").unwrap();
        store_refresh_token(&p, "Atzr|new").unwrap();
        let t: toml::Table = std::fs::read_to_string(&p).unwrap().parse().unwrap();
        assert_eq!(t["client_secret"].as_str(), Some("sec"));
        assert_eq!(t["refresh_token"].as_str(), Some("Atzr|new"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
}

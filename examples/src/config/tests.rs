use super::*;

fn env_with(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

fn problems_of(text: &str) -> Vec<ConfigProblem> {
    match Config::from_toml_str(text, Path::new("/cfg")) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().to_vec(),
    }
}

fn paths(text: &str) -> Vec<String> {
    problems_of(text).into_iter().map(|p| p.key_path).collect()
}

const GOOD: &str = r#"
[[accounts]]
name = "us"
region = "na"
marketplaces = ["US", "A2EUQ1WTGCTBG2"]
credentials = { client_id_env = "CID", client_secret_env = "CSECRET", refresh_token_env = "RTOKEN" }
"#;

#[test]
fn template_parses_and_resolves_with_its_env_vars() {
    let config = Config::from_toml_str(TEMPLATE, Path::new("/cfg")).unwrap();
    assert_eq!(config.accounts.len(), 1);
    assert_eq!(config.accounts[0].name, "us-main");
    assert_eq!(config.mapping.order_number_prefix, "AMZ-");
    let env = env_with(&[
        ("AMZSYNC_US_CLIENT_ID", "id"),
        ("AMZSYNC_US_CLIENT_SECRET", "s"),
        ("AMZSYNC_US_REFRESH_TOKEN", "t"),
    ]);
    let creds = config.accounts[0]
        .resolve_credentials(0, Needs::SellerCredentials, &env)
        .unwrap();
    assert_eq!(creds.client_id, "id");
    assert!(!format!("{creds:?}").contains("\"s\""));
}

#[test]
fn good_config_has_defaults() {
    let c = Config::from_toml_str(GOOD, Path::new("/cfg")).unwrap();
    assert_eq!(c.store.path, Path::new("/cfg/amzsync.db"));
    let a = &c.accounts[0];
    assert_eq!(a.region, Region::Na);
    assert_eq!(
        a.marketplaces.iter().map(|m| m.code).collect::<Vec<_>>(),
        ["US", "CA"]
    );
    assert_eq!(a.api, ApiFlavour::V2026);
    assert_eq!(a.jobs, JobIntervals::default());
    assert!(c.notifications.log);
}

#[test]
fn every_problem_is_reported_at_once_with_paths() {
    let text = r#"
stroe = { path = "x.db" }
[[accounts]]
name = "eu"
region = "eu"
marketplaces = ["UK", "US", "Germny"]
api = "v1"
credentials = { client_id_env = "CID", client_secret_env = "CSECRET", refresh_token_env = "RTOKEN" }
[accounts.jobs]
import_orders = "fast"
[jobs]
reconcile = 5
[mapping.order_status.merchant]
Unshiped = "New"
"#;
    let p = paths(text);
    for want in [
        "stroe",
        "accounts[0].marketplaces[1]",
        "accounts[0].marketplaces[2]",
        "accounts[0].api",
        "accounts[0].jobs.import_orders",
        "jobs.reconcile",
        "mapping.order_status.merchant.Unshiped",
    ] {
        assert!(p.contains(&want.to_owned()), "missing {want} in {p:?}");
    }
    let all = problems_of(text);
    let us = all
        .iter()
        .find(|p| p.key_path == "accounts[0].marketplaces[1]")
        .unwrap();
    assert!(us.message.contains("not in this account's region"), "{us}");
    let stroe = all.iter().find(|p| p.key_path == "stroe").unwrap();
    assert_eq!(stroe.hint.as_deref(), Some("did you mean \"store\"?"));
    let de = all
        .iter()
        .find(|p| p.key_path == "accounts[0].marketplaces[2]")
        .unwrap();
    assert!(
        de.to_string().contains("did you mean \"DE\" (Germany)?"),
        "{de}"
    );
}

#[test]
fn secrets_in_the_file_are_refused_without_echo() {
    let text = r#"
[[accounts]]
name = "us"
region = "na"
marketplaces = ["US"]
credentials = { client_id = "amzn1.x", client_secret = "hunter2-secret", refresh_token = "Atzr|zzz", client_secret_env = "S", refresh_token_env = "T", api_tokn = "Atzr|yyy" }
"#;
    let err = Config::from_toml_str(text, Path::new(".")).unwrap_err();
    let s = err.to_string();
    assert!(s.contains("accounts[0].credentials.client_secret"), "{s}");
    assert!(s.contains("accounts[0].credentials.refresh_token"), "{s}");
    assert!(s.contains("accounts[0].credentials.api_tokn"), "{s}");
    assert!(!s.contains("hunter2") && !s.contains("Atzr"), "{s}");
}

#[test]
fn missing_env_vars_are_named() {
    let c = Config::from_toml_str(GOOD, Path::new("/cfg")).unwrap();
    let env = env_with(&[("CID", "x")]);
    let p = c.accounts[0]
        .resolve_credentials(0, Needs::SellerCredentials, &env)
        .unwrap_err();
    let text: Vec<String> = p.iter().map(ToString::to_string).collect();
    assert_eq!(p.len(), 2, "{text:?}");
    assert!(
        text[0].starts_with(
            "accounts[0].credentials.client_secret_env: environment variable CSECRET is not set"
        ),
        "{text:?}"
    );
    assert!(text[1].contains("RTOKEN"), "{text:?}");
    // Onboarding needs no refresh token.
    let env = env_with(&[("CID", "x"), ("CSECRET", "y")]);
    assert!(
        c.accounts[0]
            .resolve_credentials(0, Needs::AppCredentials, &env)
            .is_ok()
    );
}

#[test]
fn secrets_file_supplies_what_env_does_not() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        "client_id = \"cid\"\nclient_secret = \"sec\"\n",
    )
    .unwrap();
    let text = r#"
[[accounts]]
name = "us"
region = "na"
marketplaces = ["US"]
credentials = { secrets_file = "s.toml" }
"#;
    let c = Config::from_toml_str(text, dir.path()).unwrap();
    let none = |_: &str| None;
    let p = c.accounts[0]
        .resolve_credentials(0, Needs::SellerCredentials, &none)
        .unwrap_err();
    assert_eq!(p.len(), 1);
    assert!(
        p[0].to_string().contains("amzsync onboard --account us"),
        "{}",
        p[0]
    );
    let ok = c.accounts[0]
        .resolve_credentials(0, Needs::AppCredentials, &none)
        .unwrap();
    assert_eq!(ok.client_id, "cid");
}

#[test]
fn durations_and_dates() {
    assert_eq!(parse_duration("90s"), Some(StdDuration::from_secs(90)));
    assert_eq!(parse_duration("1h30m"), Some(StdDuration::from_secs(5400)));
    assert_eq!(parse_duration("2d"), Some(StdDuration::from_secs(172_800)));
    assert_eq!(parse_duration("5"), None);
    assert_eq!(parse_duration("m"), None);
    assert_eq!(parse_duration("1w"), None);
    assert_eq!(
        parse_date_or_datetime("2026-11-01"),
        Some(time::macros::datetime!(2026-11-01 0:00 UTC))
    );
    assert_eq!(
        parse_date_or_datetime("2026-11-01T02:00:00+02:00"),
        Some(time::macros::datetime!(2026-11-01 0:00 UTC))
    );
    let text = format!(
        "{GOOD}\n[sync]\nimport_from = 2026-10-01\noverlap = \"15m\"\nfba = true\n[jobs]\nreconcile = false\n"
    );
    let c = Config::from_toml_str(&text, Path::new(".")).unwrap();
    assert_eq!(
        c.sync.import_from,
        Some(time::macros::datetime!(2026-10-01 0:00 UTC))
    );
    assert_eq!(c.sync.overlap, time::Duration::minutes(15));
    assert!(c.sync.fba);
    assert_eq!(
        c.accounts[0].jobs.reconcile, None,
        "accounts inherit [jobs]"
    );
}

#[test]
fn notifications_are_checked() {
    let text = format!(
        "{GOOD}\n[notifications.email]\nsmtp_host = \"127.0.0.1\"\nsecurity = \"nope\"\nfrom = \"not an address\"\nto = []\n[notifications.webhook]\nurl = \"http://example.com/hook\"\nwhen = \"allways\"\n"
    );
    let p = problems_of(&text);
    let s: Vec<String> = p.iter().map(ToString::to_string).collect();
    for want in [
        "notifications.email.security",
        "notifications.email.from",
        "notifications.email.to",
        "notifications.webhook.url",
        "notifications.webhook.when",
    ] {
        assert!(
            s.iter().any(|x| x.starts_with(want)),
            "missing {want}: {s:?}"
        );
    }
    assert!(
        s.iter().any(|x| x.contains("did you mean \"always\"?")),
        "{s:?}"
    );
}

#[test]
fn syntax_errors_have_a_line() {
    let p = problems_of("[store\npath = 1");
    assert_eq!(p.len(), 1);
    assert!(p[0].message.contains("line 1"), "{}", p[0]);
}

#[test]
fn duplicate_and_bad_names() {
    let text = format!(
        "{GOOD}{}",
        GOOD.replace("[\"US\", \"A2EUQ1WTGCTBG2\"]", "[\"MX\"]")
    );
    let p = paths(&text);
    assert_eq!(p, ["accounts[1].name"]);
    let p = paths(&GOOD.replace("\"us\"", "\"my shop\""));
    assert_eq!(p, ["accounts[0].name"]);
}

#[test]
fn smtp_credentials_are_checked_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        format!("{GOOD}\n[notifications.email]\nsmtp_host = \"127.0.0.1\"\nfrom = \"a@example.com\"\nto = [\"b@example.com\"]\nusername_env = \"SMTP_U\"\npassword_env = \"SMTP_P\"\n"),
    )
    .unwrap();
    let env = env_with(&[
        ("CID", "x"),
        ("CSECRET", "y"),
        ("RTOKEN", "z"),
        ("SMTP_U", "u"),
    ]);
    let err = Config::load(&path, Needs::SellerCredentials, &env).unwrap_err();
    assert_eq!(err.len(), 1, "{err}");
    assert!(
        err.to_string()
            .contains("notifications.email.password_env: environment variable SMTP_P is not set"),
        "{err}"
    );
    // Commands that need no credentials (status) do not ask for them.
    assert!(Config::load(&path, Needs::Nothing, &env).is_ok());
}

const REFERENCE: &str = include_str!("../../../docs/configuration.md");

#[test]
fn the_reference_example_validates() {
    let start = REFERENCE.rfind("```toml").expect("an example") + "```toml".len();
    let end = start + REFERENCE[start..].find("```").expect("end of the example");
    let example = &REFERENCE[start..end];
    let config = Config::from_toml_str(example, Path::new("/etc/amzsync")).unwrap();
    assert_eq!(config.accounts.len(), 2);
    assert_eq!(config.accounts[1].api, ApiFlavour::V0);
    assert_eq!(
        config.accounts[1].jobs.reconcile,
        Some(StdDuration::from_secs(12 * 3600))
    );
    assert_eq!(
        config.accounts[1].jobs.import_orders,
        Some(StdDuration::from_secs(120))
    );
    assert!(config.notifications.webhook.is_some() && config.notifications.email.is_some());
}

#[test]
fn the_reference_documents_every_key() {
    let groups: [&[&str]; 4] = [TOP_KEYS, ACCOUNT_KEYS, CREDENTIAL_KEYS, SYNC_KEYS];
    for key in groups.into_iter().flatten().chain(JOB_NAMES.iter()) {
        let documented = REFERENCE.contains(&format!("| `{key}` |"))
            || REFERENCE.contains(&format!("## `[{key}]`"))
            || REFERENCE.contains(&format!("## `[[{key}]]`"));
        assert!(
            documented,
            "docs/configuration.md does not document `{key}`"
        );
    }
}

#[test]
fn load_for_one_account_checks_only_its_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    let other = GOOD
        .replace("\"us\"", "\"mx\"")
        .replace("[\"US\", \"A2EUQ1WTGCTBG2\"]", "[\"MX\"]")
        .replace("\"CID\"", "\"MX_ID\"")
        .replace("\"CSECRET\"", "\"MX_SECRET\"")
        .replace("\"RTOKEN\"", "\"MX_TOKEN\"");
    std::fs::write(&path, format!("{GOOD}{other}")).unwrap();
    let env = env_with(&[("CID", "x"), ("CSECRET", "y"), ("RTOKEN", "z")]);
    let all = Config::load(&path, Needs::SellerCredentials, &env).unwrap_err();
    assert_eq!(all.len(), 3, "{all}");
    assert!(
        all.problems()
            .iter()
            .all(|p| p.key_path.starts_with("accounts[1]")),
        "{all}"
    );
    assert!(Config::load_for(&path, Needs::SellerCredentials, Some("us"), &env).is_ok());
}

#[test]
fn seller_ids_are_checked_and_duplicates_name_both_entries() {
    let one = GOOD.replace(
        "region = \"na\"",
        "region = \"na\"\nseller_id = \"A1SELLER\"",
    );
    let c = Config::from_toml_str(&one, Path::new("/cfg")).unwrap();
    assert_eq!(c.accounts[0].seller_id.as_deref(), Some("A1SELLER"));
    let id = c.accounts[0].identity(None);
    assert_eq!(id.new_key().unwrap().as_str(), "na:A1SELLER");
    assert_eq!(id.label, "us");

    let bad = GOOD.replace(
        "region = \"na\"",
        "region = \"na\"\nseller_id = \"A1 SELLER!\"",
    );
    assert_eq!(paths(&bad), ["accounts[0].seller_id"]);

    let second = one.replace("name = \"us\"", "name = \"us2\"");
    let problems = problems_of(&format!("{one}\n{second}"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].key_path, "accounts[1].seller_id");
    assert!(
        problems[0].to_string().contains("accounts[0].seller_id"),
        "{}",
        problems[0]
    );
    // The same seller id in another region is another seller account.
    let eu = second
        .replace("region = \"na\"", "region = \"eu\"")
        .replace("[\"US\", \"A2EUQ1WTGCTBG2\"]", "[\"UK\"]");
    assert!(problems_of(&format!("{one}\n{eu}")).is_empty());
}

#[test]
fn one_refresh_token_in_two_entries_is_refused_without_showing_it() {
    let second = GOOD
        .replace("name = \"us\"", "name = \"us2\"")
        .replace("RTOKEN", "RTOKEN2");
    let c = Config::from_toml_str(&format!("{GOOD}\n{second}"), Path::new("/cfg")).unwrap();
    let same = env_with(&[("RTOKEN", "Atzr|same"), ("RTOKEN2", " Atzr|same ")]);
    let problems = duplicate_tokens(&c.accounts, &same);
    assert_eq!(problems.len(), 1);
    let shown = problems[0].to_string();
    assert_eq!(problems[0].key_path, "accounts[1].credentials");
    assert!(shown.contains("accounts[0].credentials"), "{shown}");
    assert!(!shown.contains("Atzr"), "{shown}");
    let different = env_with(&[("RTOKEN", "Atzr|a"), ("RTOKEN2", "Atzr|b")]);
    assert!(duplicate_tokens(&c.accounts, &different).is_empty());
    let missing = env_with(&[("RTOKEN", "Atzr|a")]);
    assert!(duplicate_tokens(&c.accounts, &missing).is_empty());
}

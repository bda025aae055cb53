//! The conformance checks for [`AccountDirectory`] adapters.
//!
//! Each check takes the directory and the [`SyncState`] of the same storage (the legacy
//! migration looks for data the state holds under a label), both fresh or at least never
//! used with the `conformance-acct-*` labels and `ACONF*` seller ids the checks use, so
//! one instance can run all of them in sequence ([`run_all`]).

use futures::future::join_all;
use time::macros::datetime;

use crate::accounts::{AccountDirectory, AccountIdentity, KnownAccount, TokenFingerprint};
use crate::error::StateError;
use crate::ids::AccountId;
use crate::report::RunReport;
use crate::state::{JobKind, SyncState};

fn token(name: &str) -> TokenFingerprint {
    TokenFingerprint::of_refresh_token(&format!("Atzr|conformance-{name}"))
}

async fn known(dir: &dyn AccountDirectory, key: &AccountId) -> Option<KnownAccount> {
    dir.list()
        .await
        .expect("list")
        .into_iter()
        .find(|a| &a.key == key)
}

/// A new account is keyed `{region}:{selling partner id}`, or `{region}:tok-{prefix}`
/// while only its token is known; `list` shows key, label, region and seller id, ordered
/// by key.
pub async fn new_accounts_get_seller_keys(dir: &dyn AccountDirectory) {
    let by_seller = AccountIdentity::new("NA", "conformance-acct-new1")
        .selling_partner_id("ACONFNEW1")
        .token_fingerprint(token("new1"));
    let key = dir.resolve(&by_seller).await.expect("resolve");
    assert_eq!(key.as_str(), "na:ACONFNEW1");
    let by_token =
        AccountIdentity::new("eu", "conformance-acct-new2").token_fingerprint(token("new2"));
    let tkey = dir.resolve(&by_token).await.expect("resolve");
    assert_eq!(
        tkey.as_str(),
        format!("eu:tok-{}", token("new2").prefix(12))
    );
    let a = known(dir, &key).await.expect("listed");
    assert_eq!(a.label, "conformance-acct-new1");
    assert_eq!(a.region, "na");
    assert_eq!(a.selling_partner_id.as_deref(), Some("ACONFNEW1"));
    assert_eq!(a.token_fingerprint, Some(token("new1")));
    let b = known(dir, &tkey).await.expect("listed");
    assert_eq!(b.selling_partner_id, None);
    let all = dir.list().await.expect("list");
    assert!(
        all.windows(2).all(|w| w[0].key < w[1].key),
        "list is ordered by key"
    );
}

/// Resolving again with another label (a renamed config entry) returns the same key and
/// stores the new label; no second account appears.
pub async fn renaming_keeps_the_key(dir: &dyn AccountDirectory) {
    let before = dir.list().await.expect("list").len();
    let first = AccountIdentity::new("na", "conformance-acct-old-name")
        .selling_partner_id("ACONFRENAME")
        .token_fingerprint(token("rename"));
    let key = dir.resolve(&first).await.expect("resolve");
    let renamed = AccountIdentity::new("na", "conformance-acct-new-name")
        .selling_partner_id("ACONFRENAME")
        .token_fingerprint(token("rename"));
    assert_eq!(dir.resolve(&renamed).await.expect("resolve"), key);
    // The token alone (seller id left out of the config) finds it too.
    let token_only =
        AccountIdentity::new("na", "conformance-acct-third").token_fingerprint(token("rename"));
    assert_eq!(dir.resolve(&token_only).await.expect("resolve"), key);
    assert_eq!(dir.list().await.expect("list").len(), before + 1);
    let a = known(dir, &key).await.expect("listed");
    assert_eq!(a.label, "conformance-acct-third");
    assert_eq!(a.selling_partner_id.as_deref(), Some("ACONFRENAME"));
}

/// An account first known by its token alone learns its selling partner id once, on the
/// same key; a new token for that seller is then found by the seller id.
pub async fn seller_id_is_learned_once(dir: &dyn AccountDirectory) {
    let token_only =
        AccountIdentity::new("fe", "conformance-acct-learn").token_fingerprint(token("learn"));
    let key = dir.resolve(&token_only).await.expect("resolve");
    assert!(key.as_str().starts_with("fe:tok-"), "{key}");
    let learned = token_only.clone().selling_partner_id("ACONFLEARN");
    assert_eq!(dir.resolve(&learned).await.expect("resolve"), key);
    assert_eq!(
        known(dir, &key)
            .await
            .expect("listed")
            .selling_partner_id
            .as_deref(),
        Some("ACONFLEARN")
    );
    let rotated = AccountIdentity::new("fe", "conformance-acct-learn")
        .selling_partner_id("ACONFLEARN")
        .token_fingerprint(token("learn-rotated"));
    assert_eq!(dir.resolve(&rotated).await.expect("resolve"), key);
    let a = known(dir, &key).await.expect("listed");
    assert_eq!(a.token_fingerprint, Some(token("learn-rotated")));
}

/// Data the state holds under a label from before the directory existed is adopted: the
/// label becomes the key (nothing is rewritten), and stays the key after a rename. A label
/// without data, or whose data another account already adopted, gets a new key.
pub async fn legacy_data_is_adopted(dir: &dyn AccountDirectory, state: &dyn SyncState) {
    let label = "conformance-acct-legacy";
    let legacy = AccountId::new(label);
    let mut report = RunReport::start(
        legacy.clone(),
        JobKind::ImportOrders,
        datetime!(2026-05-01 10:00 UTC),
    );
    report.finished_at = datetime!(2026-05-01 10:01 UTC);
    state.record_run(&report).await.expect("record run");

    let old = AccountIdentity::new("na", label).token_fingerprint(token("legacy"));
    assert_eq!(dir.resolve(&old).await.expect("resolve"), legacy);
    let renamed = AccountIdentity::new("na", "conformance-acct-legacy-renamed")
        .selling_partner_id("ACONFLEGACY")
        .token_fingerprint(token("legacy"));
    assert_eq!(dir.resolve(&renamed).await.expect("resolve"), legacy);
    assert_eq!(
        state
            .recent_runs(&legacy, None, 10)
            .await
            .expect("runs")
            .len(),
        1,
        "the adopted data is still under its key"
    );
    // Another seller now using the old label does not get that data.
    let other = AccountIdentity::new("na", label)
        .selling_partner_id("ACONFLEGACY2")
        .token_fingerprint(token("legacy2"));
    let other_key = dir.resolve(&other).await.expect("resolve");
    assert_eq!(other_key.as_str(), "na:ACONFLEGACY2");
    // A label without any data is not adopted.
    let fresh = AccountIdentity::new("na", "conformance-acct-fresh")
        .selling_partner_id("ACONFFRESH")
        .token_fingerprint(token("fresh"));
    assert_eq!(
        dir.resolve(&fresh).await.expect("resolve").as_str(),
        "na:ACONFFRESH"
    );
}

/// A credential known to belong to one seller, presented with another seller id, is
/// refused with [`StateError::Identity`], and nothing is stored; an identity that names
/// no seller at all is refused the same way.
pub async fn contradictions_are_refused(dir: &dyn AccountDirectory) {
    let right = AccountIdentity::new("na", "conformance-acct-conflict")
        .selling_partner_id("ACONFRIGHT")
        .token_fingerprint(token("conflict"));
    dir.resolve(&right).await.expect("resolve");
    let before = dir.list().await.expect("list");
    let wrong = AccountIdentity::new("na", "conformance-acct-conflict-2")
        .selling_partner_id("ACONFWRONG")
        .token_fingerprint(token("conflict"));
    let err = dir.resolve(&wrong).await.expect_err("contradiction");
    assert!(matches!(err, StateError::Identity(_)), "{err}");
    let nobody = AccountIdentity::new("na", "conformance-acct-nobody");
    let err = dir.resolve(&nobody).await.expect_err("no seller");
    assert!(matches!(err, StateError::Identity(_)), "{err}");
    assert_eq!(
        dir.list().await.expect("list"),
        before,
        "a refused identity stores nothing"
    );
}

/// Many concurrent first resolutions of one seller agree on one key and one account.
pub async fn concurrent_resolutions_agree(dir: &dyn AccountDirectory) {
    let ids: Vec<AccountIdentity> = (0..8)
        .map(|i| {
            let id = AccountIdentity::new("na", format!("conformance-acct-race-{i}"))
                .token_fingerprint(token("race"));
            if i % 2 == 0 {
                id.selling_partner_id("ACONFRACE")
            } else {
                id
            }
        })
        .collect();
    let keys = join_all(ids.iter().map(|id| dir.resolve(id))).await;
    let keys: Vec<AccountId> = keys.into_iter().map(|k| k.expect("resolve")).collect();
    assert!(
        keys.windows(2).all(|w| w[0] == w[1]),
        "one seller, one key: {keys:?}"
    );
    let holders = dir
        .list()
        .await
        .expect("list")
        .into_iter()
        .filter(|a| {
            a.token_fingerprint == Some(token("race"))
                || a.selling_partner_id.as_deref() == Some("ACONFRACE")
        })
        .count();
    assert_eq!(holders, 1);
}

/// Every check, in sequence, on one directory and its state.
pub async fn run_all(dir: &dyn AccountDirectory, state: &dyn SyncState) {
    new_accounts_get_seller_keys(dir).await;
    renaming_keeps_the_key(dir).await;
    seller_id_is_learned_once(dir).await;
    legacy_data_is_adopted(dir, state).await;
    contradictions_are_refused(dir).await;
    concurrent_resolutions_agree(dir).await;
}

//! The account directory conformance checks against the memory and SQLite adapters, and
//! the migration of a SQLite file written before the directory existed.

use std::sync::Arc;

use order_sync_core::accounts::{AccountDirectory, AccountIdentity, TokenFingerprint};
use order_sync_core::conformance_accounts;
use order_sync_core::fixtures::{host_order, sample_order};
use order_sync_core::host::OrderStore;
use order_sync_core::ids::AccountId;
use order_sync_core::state::{Cursor, CursorAdvance, ImportCommit, JobKind, SyncState};
use store_adapters::memory::MemoryState;
use store_adapters::memory_accounts::MemoryAccounts;
use store_adapters::sqlite::SqliteStore;
use time::macros::datetime;

#[tokio::test]
async fn memory_directory_conforms() {
    let state = Arc::new(MemoryState::new());
    let dir = MemoryAccounts::new(state.clone());
    conformance_accounts::run_all(&dir, state.as_ref()).await;
}

#[tokio::test]
async fn sqlite_directory_conforms() {
    let db = SqliteStore::open_in_memory().await.unwrap();
    conformance_accounts::run_all(&db, &db).await;
}

#[tokio::test]
async fn sqlite_file_directory_conforms_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let db = SqliteStore::open(&path).await.unwrap();
    conformance_accounts::run_all(&db, &db).await;
    let before = db.list().await.unwrap();
    db.close().await;
    let db = SqliteStore::open(&path).await.unwrap();
    assert_eq!(db.list().await.unwrap(), before);
    db.close().await;
}

/// A file written the old way (everything keyed by the configured name) keeps working:
/// the name is adopted as the key, then renaming the account keeps all its data.
#[tokio::test]
async fn a_file_keyed_by_label_is_adopted_and_survives_a_rename() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let label = AccountId::new("us-main");
    let t0 = datetime!(2026-06-01 12:00 UTC);
    {
        let db = SqliteStore::open(&path).await.unwrap();
        let order = host_order(&label, sample_order("111-0000001-0000001", t0));
        db.upsert_order(&order).await.unwrap();
        let commit = ImportCommit {
            cursor: Some((
                JobKind::ImportOrders,
                CursorAdvance {
                    expected: None,
                    new: Cursor {
                        position: t0,
                        updated_at: t0,
                    },
                },
            )),
            ..ImportCommit::default()
        };
        db.commit_import(&label, &commit).await.unwrap();
        db.close().await;
    }
    let db = SqliteStore::open(&path).await.unwrap();
    let token = TokenFingerprint::of_refresh_token("Atzr|old-file");
    let first = AccountIdentity::new("na", "us-main").token_fingerprint(token.clone());
    assert_eq!(db.resolve(&first).await.unwrap(), label);
    let renamed = AccountIdentity::new("na", "shop-us")
        .selling_partner_id("A1OLDFILE")
        .token_fingerprint(token);
    let key = db.resolve(&renamed).await.unwrap();
    assert_eq!(key, label, "renaming keeps the adopted key");
    assert_eq!(db.count_orders(&key).await.unwrap(), 1);
    let cursor: Option<Cursor> = db.cursor(&key, JobKind::ImportOrders).await.unwrap();
    assert_eq!(cursor.map(|c| c.position), Some(t0));
    let listed = db.list().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].label, "shop-us");
    assert_eq!(listed[0].selling_partner_id.as_deref(), Some("A1OLDFILE"));
    db.close().await;
}

/// Two stores (two processes' pools) on one file resolving one new seller at once agree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_pools_on_one_file_agree_on_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.db");
    let a = SqliteStore::open(&path).await.unwrap();
    let b = SqliteStore::open(&path).await.unwrap();
    let fp = TokenFingerprint::of_refresh_token("Atzr|race");
    let ia = AccountIdentity::new("eu", "one").token_fingerprint(fp.clone());
    let ib = AccountIdentity::new("eu", "two")
        .token_fingerprint(fp)
        .selling_partner_id("A2RACE");
    let (ka, kb) = tokio::join!(a.resolve(&ia), b.resolve(&ib));
    assert_eq!(ka.unwrap(), kb.unwrap());
    assert_eq!(a.list().await.unwrap().len(), 1);
    a.close().await;
    b.close().await;
}

//! Several sellers authorising one application: separate tokens, orders and buckets.

mod common;

use common::{Env, answer, manual};
use serde_json::Value;

#[tokio::test]
async fn each_seller_has_its_own_world_and_buckets() {
    let env = Env::new(manual(41, 30).sellers(3)).await;
    let all = env.sb.all_credentials();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0], env.sb.credentials());
    assert!(all.iter().all(|c| c.client_id == all[0].client_id));
    assert_ne!(all[1].refresh_token, all[2].refresh_token);
    assert_ne!(all[1].selling_partner_id, all[0].selling_partner_id);

    let token_of = |i: usize| {
        let c = all[i].clone();
        let rq = env.http.post(env.sb.lwa_url()).form(&[
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", c.refresh_token),
            ("client_id", c.client_id),
            ("client_secret", c.client_secret),
        ]);
        async move {
            answer(rq.send().await.unwrap()).await.json()["access_token"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let t1 = token_of(1).await;
    let s0 = env.sb.orders();
    let s1 = env.sb.seller(&all[1].selling_partner_id).unwrap().orders();
    assert_eq!((s0.len(), s1.len()), (30, 30));
    assert_ne!(s0[0].order_id, s1[0].order_id, "different worlds");
    // Seller 1's token sees seller 1's orders only.
    assert_eq!(
        env.get_with(&format!("/orders/v0/orders/{}", s1[0].order_id), Some(&t1))
            .await
            .status,
        200
    );
    assert_eq!(
        env.get_with(&format!("/orders/v0/orders/{}", s0[0].order_id), Some(&t1))
            .await
            .status,
        404
    );

    // Buckets are per seller: seller 0 exhausts getOrders, seller 1 is unaffected.
    let q = "/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&CreatedAfter=2026-05-01T00:00:00Z";
    for _ in 0..20 {
        assert_eq!(env.get(q).await.status, 200);
    }
    assert_eq!(env.get(q).await.status, 429);
    assert_eq!(env.get_with(q, Some(&t1)).await.status, 200);

    // The control API addresses a seller with ?sellerId=.
    let url = env.url(&format!(
        "/_sandbox/orders?sellerId={}",
        all[2].selling_partner_id
    ));
    let v: Value = env
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["orders"].as_array().unwrap().len(), 30);
    let created: Value = env
        .http
        .post(&url)
        .json(&serde_json::json!({"count": 2}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created["orderIds"].as_array().unwrap().len(), 2);
    assert_eq!(
        env.sb
            .seller(&all[2].selling_partner_id)
            .unwrap()
            .orders()
            .len(),
        32
    );
    assert_eq!(env.sb.orders().len(), 30);
    let unknown = env
        .http
        .get(env.url("/_sandbox/orders?sellerId=NOPE"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
}

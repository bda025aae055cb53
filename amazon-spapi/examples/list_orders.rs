//! Lists recent orders through both Orders APIs and checks the credentials first.
//!
//! Point it at Amazon or at a local emulator with environment variables:
//!
//! ```text
//! SPAPI_ENDPOINT=http://127.0.0.1:8088 LWA_ENDPOINT=http://127.0.0.1:8088/auth/o2/token \
//! LWA_CLIENT_ID=... LWA_CLIENT_SECRET=... LWA_REFRESH_TOKEN=... MARKETPLACE_ID=ATVPDKIKX0DER \
//! cargo run -p spapi-client --example list_orders
//! ```
//!
//! Without `SPAPI_ENDPOINT` it calls the NA production endpoint. It prints counts and ids
//! only, never buyer data.

use futures::TryStreamExt;
use secrecy::SecretString;
use spapi_client::orders_v0::{DateParam, GetOrder, GetOrdersRequest};
use spapi_client::orders_v2026::{IncludedData, SearchOrdersRequest};
use spapi_client::tokens::DataElement;
use spapi_client::{Client, LwaCredentials, Region};
use std::time::Duration;

fn env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| format!("set {name}").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = Client::builder()
        .credentials(LwaCredentials {
            client_id: env("LWA_CLIENT_ID")?,
            client_secret: SecretString::from(env("LWA_CLIENT_SECRET")?),
            refresh_token: SecretString::from(env("LWA_REFRESH_TOKEN")?),
        })
        .region(Region::Na)
        .user_agent_app("list-orders-example", "1.0");
    if let Ok(endpoint) = std::env::var("SPAPI_ENDPOINT") {
        builder = builder.endpoint(endpoint);
    }
    if let Ok(lwa) = std::env::var("LWA_ENDPOINT") {
        builder = builder.lwa_endpoint(lwa);
    }
    let client = builder.build()?;
    let marketplace = std::env::var("MARKETPLACE_ID").unwrap_or_else(|_| "ATVPDKIKX0DER".into());

    let participations = client.sellers().get_marketplace_participations().await?;
    println!("credentials ok: {} marketplaces", participations.len());

    let since = client.now() - time::Duration::days(7);
    let v2026 = SearchOrdersRequest::new([marketplace.clone()])
        .last_updated_after(since)
        .included_data(vec![
            IncludedData::Recipient,
            IncludedData::Proceeds,
            IncludedData::Fulfillment,
        ]);
    let orders: Vec<_> = client
        .orders_v2026()
        .search_orders_stream(v2026)
        .try_collect()
        .await?;
    println!(
        "searchOrders: {} orders updated in the last 7 days",
        orders.len()
    );

    let v0 = GetOrdersRequest::new([marketplace]).last_updated_after(DateParam::At(since));
    let mut pages = std::pin::pin!(client.orders_v0().get_orders_pages(v0));
    let mut count = 0;
    let mut first = None;
    while let Some(page) = pages.try_next().await? {
        count += page.orders.len();
        if first.is_none() {
            first = page.orders.first().map(|o| o.amazon_order_id.clone());
        }
        println!(
            "getOrders page: {} orders (watermark {:?})",
            page.orders.len(),
            page.last_updated_before
        );
        if client.wait_time("getOrders") > Duration::from_secs(5) {
            println!(
                "next getOrders page would wait {:?}; stopping here",
                client.wait_time("getOrders")
            );
            break;
        }
    }
    println!("getOrders: {count} orders");

    if let Some(id) = first {
        let order = client
            .orders_v0()
            .get_order(GetOrder::new(id.clone()).data_elements(vec![DataElement::ShippingAddress]))
            .await?;
        let country = order
            .shipping_address
            .as_ref()
            .and_then(|a| a.country_code.clone());
        let items = client.orders_v0().get_order_items(id.clone()).await?;
        let v2026 = client
            .orders_v2026()
            .get_order(id.clone(), vec![IncludedData::Recipient])
            .await?;
        println!(
            "order {id}: status {:?}, ships to {country:?}, {} v0 items, {} v2026 items",
            order.order_status,
            items.order_items.len(),
            v2026.order_items.len()
        );
    }
    Ok(())
}

//! Notifications API v1: destinations (SQS, EventBridge), subscriptions
//! (`ORDER_CHANGE`, `FEED_PROCESSING_FINISHED`, `REPORT_PROCESSING_FINISHED`, ...), and the
//! typed notifications that arrive on the queue ([`Notification::from_json`]).
//!
//! **Which token.** Destinations, `getSubscriptionById` and `deleteSubscriptionById` are
//! *grantless*: call them on a client built with
//! [`ClientBuilder::grantless`](crate::ClientBuilder::grantless) and
//! [`GrantlessScope::Notifications`](crate::GrantlessScope::Notifications).
//! `createSubscription` and `getSubscription` need the seller's token: call them on the
//! seller's client. All operations: 1 request/s, burst 5.
//!
//! **Delivery** is at least once: deduplicate on
//! [`NotificationMetadata::notification_id`], and treat `ORDER_CHANGE` as a trigger to
//! fetch the order (it carries no prices and no address).

use crate::client::Client;
use crate::error::{Error, Result};
use crate::operation::{
    Method, Operation, OperationInfo, RequestContext, RequestParts, decode_json, encode_component,
};
use crate::orders_v0::decode_envelope;
use crate::serde_util::open_enum;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_with::{DefaultOnNull, serde_as};
use std::marker::PhantomData;
use time::OffsetDateTime;

macro_rules! ops {
    ($($(#[$m:meta])* $c:ident = $name:literal;)+) => {
        $( $(#[$m])* pub const $c: OperationInfo = OperationInfo::new($name, 1.0, 5, true); )+
        /// Every Notifications operation.
        pub const OPERATIONS: &[&OperationInfo] = &[$(&$c),+];
    };
}

ops! {
    /// `getSubscription` (seller token).
    GET_SUBSCRIPTION = "getSubscription";
    /// `createSubscription` (seller token; a repeat answers 409 Conflict).
    CREATE_SUBSCRIPTION = "createSubscription";
    /// `getSubscriptionById` (grantless).
    GET_SUBSCRIPTION_BY_ID = "getSubscriptionById";
    /// `deleteSubscriptionById` (grantless).
    DELETE_SUBSCRIPTION_BY_ID = "deleteSubscriptionById";
    /// `getDestinations` (grantless).
    GET_DESTINATIONS = "getDestinations";
    /// `createDestination` (grantless; a repeat answers 409 Conflict).
    CREATE_DESTINATION = "createDestination";
    /// `getDestination` (grantless).
    GET_DESTINATION = "getDestination";
    /// `deleteDestination` (grantless).
    DELETE_DESTINATION = "deleteDestination";
}

const BASE: &str = "/notifications/v1";

open_enum! {
    /// A notification type.
    pub enum NotificationType {
        /// An order changed (status, buyer-requested change, delivery tip).
        OrderChange => "ORDER_CHANGE",
        /// A feed finished.
        FeedProcessingFinished => "FEED_PROCESSING_FINISHED",
        /// A report finished.
        ReportProcessingFinished => "REPORT_PROCESSING_FINISHED",
        /// A listing's status changed.
        ListingsItemStatusChange => "LISTINGS_ITEM_STATUS_CHANGE",
        /// A listing's issues changed.
        ListingsItemIssuesChange => "LISTINGS_ITEM_ISSUES_CHANGE",
    }
}

impl NotificationType {
    /// The payload version to subscribe with (`1.0` for `ORDER_CHANGE`, `2020-09-04` for
    /// the feed and report notifications, `2023-12-13` for listings issues).
    pub fn payload_version(&self) -> &'static str {
        match self {
            NotificationType::OrderChange => "1.0",
            NotificationType::ListingsItemIssuesChange => "2023-12-13",
            _ => "2020-09-04",
        }
    }
}

/// Where notifications go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DestinationResource {
    /// An SQS queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqs: Option<SqsResource>,
    /// An EventBridge partner event source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bridge: Option<EventBridgeResource>,
}

/// An SQS queue (Amazon's principal must be allowed to send to it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SqsResource {
    /// The queue's ARN.
    pub arn: String,
}

/// An EventBridge destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EventBridgeResource {
    /// The AWS region.
    pub region: String,
    /// The AWS account id.
    pub account_id: String,
    /// The event source name (in answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Destination {
    /// Its id (name it in `createSubscription`).
    pub destination_id: String,
    /// Its name.
    pub name: String,
    /// Where it delivers.
    pub resource: DestinationResource,
}

/// `processingDirective` of a subscription (an event filter for `ORDER_CHANGE`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProcessingDirective {
    /// `eventFilter` (e.g. `{"eventFilterType":"ORDER_CHANGE","orderChangeTypes":[...]}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_filter: Option<serde_json::Value>,
    /// `filterExpression` (excludes `eventFilter`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_expression: Option<String>,
}

impl ProcessingDirective {
    /// Only these `ORDER_CHANGE` types (`OrderStatusChange`, `BuyerRequestedChange`,
    /// `DeliveryTipChange`), optionally only in these marketplaces.
    pub fn order_change_types(types: &[OrderChangeType], marketplace_ids: &[&str]) -> Self {
        let mut f = serde_json::json!({
            "eventFilterType": "ORDER_CHANGE",
            "orderChangeTypes": types.iter().map(OrderChangeType::as_str).collect::<Vec<_>>(),
        });
        if !marketplace_ids.is_empty() {
            f["marketplaceIds"] = serde_json::json!(marketplace_ids);
        }
        ProcessingDirective {
            event_filter: Some(f),
            filter_expression: None,
        }
    }
}

/// A subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Subscription {
    /// Its id.
    pub subscription_id: String,
    /// The payload version.
    pub payload_version: String,
    /// The destination.
    pub destination_id: String,
    /// Filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_directive: Option<ProcessingDirective>,
}

/// A notifications operation: a request and the `{payload}` it answers.
struct Call<T> {
    info: &'static OperationInfo,
    parts: RequestParts,
    out: PhantomData<fn() -> T>,
}

impl<T> Call<T> {
    fn new(info: &'static OperationInfo, method: Method, path: String) -> Self {
        let mut parts = RequestParts::get(path);
        parts.method = method;
        Call {
            info,
            parts,
            out: PhantomData,
        }
    }
}

impl<T: DeserializeOwned> Operation for Call<T> {
    type Output = T;

    fn info(&self) -> &'static OperationInfo {
        self.info
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        Ok(self.parts.clone())
    }

    fn decode(&self, status: u16, body: &[u8]) -> Result<T> {
        decode_envelope(self.info.name, status, body)
    }
}

/// A delete: it answers `{}` (or nothing) on success.
struct Delete {
    info: &'static OperationInfo,
    path: String,
}

impl Operation for Delete {
    type Output = ();

    fn info(&self) -> &'static OperationInfo {
        self.info
    }

    fn to_request(&self, _ctx: &RequestContext) -> Result<RequestParts> {
        let mut parts = RequestParts::get(self.path.clone());
        parts.method = Method::Delete;
        Ok(parts)
    }

    fn decode(&self, _status: u16, _body: &[u8]) -> Result<()> {
        Ok(())
    }
}

fn segment(what: &str, v: &str) -> Result<String> {
    if v.trim().is_empty() {
        return Err(Error::InvalidRequest(format!("{what} is empty")));
    }
    Ok(encode_component(v))
}

fn json_body<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| Error::InvalidRequest(e.to_string()))
}

/// The Notifications API, from [`Client::notifications`].
#[derive(Clone, Debug)]
pub struct NotificationsApi {
    pub(crate) client: Client,
}

impl NotificationsApi {
    async fn run<T: DeserializeOwned>(&self, call: Call<T>) -> Result<T> {
        self.client.execute(&call).await
    }

    /// `createDestination` for an SQS queue (grantless client).
    ///
    /// ```no_run
    /// # async fn doc(app_client: spapi_client::Client, seller_client: spapi_client::Client) -> spapi_client::Result<()> {
    /// use spapi_client::notifications::{NotificationType, OrderChangeType, ProcessingDirective};
    /// let destination = app_client
    ///     .notifications()
    ///     .create_sqs_destination("orders", "arn:aws:sqs:us-east-1:123456789012:sp-api")
    ///     .await?;
    /// seller_client
    ///     .notifications()
    ///     .create_subscription(
    ///         NotificationType::OrderChange,
    ///         &destination.destination_id,
    ///         Some(ProcessingDirective::order_change_types(&[OrderChangeType::OrderStatusChange], &[])),
    ///     )
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_sqs_destination(&self, name: &str, arn: &str) -> Result<Destination> {
        if name.trim().is_empty() || arn.trim().is_empty() {
            return Err(Error::InvalidRequest(
                "createDestination: name and arn are required".into(),
            ));
        }
        let mut call = Call::new(
            &CREATE_DESTINATION,
            Method::Post,
            format!("{BASE}/destinations"),
        );
        call.parts.body = Some(serde_json::json!({
            "name": name,
            "resourceSpecification": {"sqs": {"arn": arn}},
        }));
        self.run(call).await
    }

    /// `getDestinations` (grantless client).
    pub async fn get_destinations(&self) -> Result<Vec<Destination>> {
        self.run(Call::new(
            &GET_DESTINATIONS,
            Method::Get,
            format!("{BASE}/destinations"),
        ))
        .await
    }

    /// `getDestination` (grantless client).
    pub async fn get_destination(&self, destination_id: &str) -> Result<Destination> {
        let path = format!(
            "{BASE}/destinations/{}",
            segment("destinationId", destination_id)?
        );
        self.run(Call::new(&GET_DESTINATION, Method::Get, path))
            .await
    }

    /// `deleteDestination` (grantless client).
    pub async fn delete_destination(&self, destination_id: &str) -> Result<()> {
        let path = format!(
            "{BASE}/destinations/{}",
            segment("destinationId", destination_id)?
        );
        self.client
            .execute(&Delete {
                info: &DELETE_DESTINATION,
                path,
            })
            .await
    }

    /// `createSubscription` with the type's payload version (seller's client).
    pub async fn create_subscription(
        &self,
        notification_type: NotificationType,
        destination_id: &str,
        processing_directive: Option<ProcessingDirective>,
    ) -> Result<Subscription> {
        let path = format!(
            "{BASE}/subscriptions/{}",
            segment("notificationType", notification_type.as_str())?
        );
        let mut body = serde_json::json!({
            "payloadVersion": notification_type.payload_version(),
            "destinationId": segment("destinationId", destination_id).map(|_| destination_id)?,
        });
        if let Some(d) = processing_directive {
            body["processingDirective"] = json_body(&d)?;
        }
        let mut call = Call::new(&CREATE_SUBSCRIPTION, Method::Post, path);
        call.parts.body = Some(body);
        self.run(call).await
    }

    /// `getSubscription` (seller's client).
    pub async fn get_subscription(
        &self,
        notification_type: NotificationType,
    ) -> Result<Subscription> {
        let path = format!(
            "{BASE}/subscriptions/{}",
            segment("notificationType", notification_type.as_str())?
        );
        self.run(Call::new(&GET_SUBSCRIPTION, Method::Get, path))
            .await
    }

    /// `getSubscriptionById` (grantless client).
    pub async fn get_subscription_by_id(
        &self,
        notification_type: NotificationType,
        subscription_id: &str,
    ) -> Result<Subscription> {
        let path = format!(
            "{BASE}/subscriptions/{}/{}",
            segment("notificationType", notification_type.as_str())?,
            segment("subscriptionId", subscription_id)?
        );
        self.run(Call::new(&GET_SUBSCRIPTION_BY_ID, Method::Get, path))
            .await
    }

    /// `deleteSubscriptionById` (grantless client).
    pub async fn delete_subscription_by_id(
        &self,
        notification_type: NotificationType,
        subscription_id: &str,
    ) -> Result<()> {
        let path = format!(
            "{BASE}/subscriptions/{}/{}",
            segment("notificationType", notification_type.as_str())?,
            segment("subscriptionId", subscription_id)?
        );
        self.client
            .execute(&Delete {
                info: &DELETE_SUBSCRIPTION_BY_ID,
                path,
            })
            .await
    }
}

// ---------------------------------------------------------------------------------------
// Notifications as they arrive

open_enum! {
    /// `OrderChangeType` of an `ORDER_CHANGE`.
    pub enum OrderChangeType {
        /// The order status changed.
        OrderStatusChange => "OrderStatusChange",
        /// The buyer asked for a change (e.g. a cancellation).
        BuyerRequestedChange => "BuyerRequestedChange",
        /// A delivery tip changed.
        DeliveryTipChange => "DeliveryTipChange",
    }
}

open_enum! {
    /// `processingStatus` of a finished feed or report.
    pub enum FinishedStatus {
        /// Cancelled.
        Cancelled => "CANCELLED",
        /// Done.
        Done => "DONE",
        /// Fatal.
        Fatal => "FATAL",
    }
}

/// Who and what a notification is (`NotificationMetadata`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NotificationMetadata {
    /// The application it was sent to.
    #[serde(alias = "ApplicationId", rename = "applicationId")]
    pub application_id: String,
    /// The subscription.
    #[serde(alias = "SubscriptionId", rename = "subscriptionId")]
    pub subscription_id: String,
    /// When Amazon published it.
    #[serde(
        alias = "PublishTime",
        rename = "publishTime",
        with = "crate::serde_util::timestamp"
    )]
    pub publish_time: OffsetDateTime,
    /// Unique per notification: deduplicate on it (delivery is at least once).
    #[serde(alias = "NotificationId", rename = "notificationId")]
    pub notification_id: String,
}

/// A notification: its envelope and its typed payload.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Notification {
    /// `NotificationVersion`.
    pub notification_version: String,
    /// `PayloadVersion`.
    pub payload_version: String,
    /// When the event happened.
    pub event_time: OffsetDateTime,
    /// Metadata (the id to deduplicate on).
    pub metadata: NotificationMetadata,
    /// The payload.
    pub payload: NotificationPayload,
}

/// The payload of a notification, by type.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum NotificationPayload {
    /// `ORDER_CHANGE`.
    OrderChange(OrderChange),
    /// `FEED_PROCESSING_FINISHED`.
    FeedProcessingFinished(FeedProcessingFinished),
    /// `REPORT_PROCESSING_FINISHED`.
    ReportProcessingFinished(ReportProcessingFinished),
    /// Another type, kept as JSON.
    Other {
        /// The type.
        notification_type: String,
        /// The `payload` object.
        payload: serde_json::Value,
    },
}

/// `ORDER_CHANGE` payload: a trigger to fetch the order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct OrderChange {
    /// `OrderLevel` or `OrderItemLevel`.
    pub notification_level: String,
    /// The seller.
    pub seller_id: String,
    /// The order.
    pub amazon_order_id: String,
    /// What changed.
    pub order_change_type: OrderChangeType,
    /// Why.
    #[serde(default)]
    pub order_change_trigger: Option<OrderChangeTrigger>,
    /// The order's state after the change.
    #[serde(default)]
    pub summary: Option<OrderChangeSummary>,
}

/// `OrderChangeTrigger`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct OrderChangeTrigger {
    /// When (may be null).
    #[serde(default, with = "crate::serde_util::timestamp_opt_strict")]
    pub time_of_order_change: Option<OffsetDateTime>,
    /// E.g. `Buyer Requested Cancel`, `Order Status Change`.
    pub change_reason: String,
}

/// `Summary` of an `ORDER_CHANGE` (no prices, no address).
#[serde_as]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct OrderChangeSummary {
    /// Marketplace.
    pub marketplace_id: String,
    /// Order status (an Orders v0 status).
    pub order_status: crate::orders_v0::OrderStatus,
    /// `AFN` or `MFN`.
    pub fulfillment_type: String,
    /// Purchase date.
    #[serde(default, with = "crate::serde_util::timestamp_opt_strict")]
    pub purchase_date: Option<OffsetDateTime>,
    /// Order items as JSON.
    #[serde(default)]
    #[serde_as(as = "DefaultOnNull")]
    pub order_items: Vec<serde_json::Value>,
}

/// `FEED_PROCESSING_FINISHED` payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FeedProcessingFinished {
    /// The seller.
    #[serde(default)]
    pub seller_id: Option<String>,
    /// The merchant account.
    pub account_id: String,
    /// The feed.
    pub feed_id: String,
    /// Its type.
    pub feed_type: String,
    /// How it ended.
    pub processing_status: FinishedStatus,
    /// The processing report document.
    #[serde(default)]
    pub result_feed_document_id: Option<String>,
}

/// `REPORT_PROCESSING_FINISHED` payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReportProcessingFinished {
    /// The seller.
    #[serde(default)]
    pub seller_id: Option<String>,
    /// The merchant account.
    pub account_id: String,
    /// The report.
    pub report_id: String,
    /// Its type.
    pub report_type: String,
    /// How it ended.
    pub processing_status: FinishedStatus,
    /// The report document.
    #[serde(default)]
    pub report_document_id: Option<String>,
}

/// The envelope in either spelling (`ORDER_CHANGE` is PascalCase, the feed and report
/// notifications camelCase).
#[derive(Deserialize)]
struct RawEnvelope {
    #[serde(alias = "NotificationVersion", rename = "notificationVersion")]
    notification_version: String,
    #[serde(alias = "NotificationType", rename = "notificationType")]
    notification_type: String,
    #[serde(alias = "PayloadVersion", rename = "payloadVersion")]
    payload_version: String,
    #[serde(
        alias = "EventTime",
        rename = "eventTime",
        with = "crate::serde_util::timestamp"
    )]
    event_time: OffsetDateTime,
    #[serde(alias = "Payload", rename = "payload")]
    payload: serde_json::Value,
    #[serde(alias = "NotificationMetadata", rename = "notificationMetadata")]
    metadata: NotificationMetadata,
}

#[derive(Deserialize)]
struct OrderChangePayload {
    #[serde(rename = "OrderChangeNotification")]
    inner: OrderChange,
}

#[derive(Deserialize)]
struct FeedPayload {
    #[serde(rename = "feedProcessingFinishedNotification")]
    inner: FeedProcessingFinished,
}

#[derive(Deserialize)]
struct ReportPayload {
    #[serde(rename = "reportProcessingFinishedNotification")]
    inner: ReportProcessingFinished,
}

impl Notification {
    /// Decodes a notification (the body of an SQS message). Errors name the JSON path.
    pub fn from_json(body: &[u8]) -> Result<Self> {
        const OP: &str = "notification";
        let raw: RawEnvelope = decode_json(OP, body)?;
        let payload_bytes = raw.payload.to_string();
        let nested = |e: Error| match e {
            Error::Decode {
                operation,
                path,
                request_id,
                source,
            } => Error::Decode {
                operation,
                path: format!("payload.{path}"),
                request_id,
                source,
            },
            other => other,
        };
        let payload = match raw.notification_type.as_str() {
            "ORDER_CHANGE" => NotificationPayload::OrderChange(
                decode_json::<OrderChangePayload>(OP, payload_bytes.as_bytes())
                    .map_err(nested)?
                    .inner,
            ),
            "FEED_PROCESSING_FINISHED" => NotificationPayload::FeedProcessingFinished(
                decode_json::<FeedPayload>(OP, payload_bytes.as_bytes())
                    .map_err(nested)?
                    .inner,
            ),
            "REPORT_PROCESSING_FINISHED" => NotificationPayload::ReportProcessingFinished(
                decode_json::<ReportPayload>(OP, payload_bytes.as_bytes())
                    .map_err(nested)?
                    .inner,
            ),
            other => NotificationPayload::Other {
                notification_type: other.to_owned(),
                payload: raw.payload,
            },
        };
        Ok(Notification {
            notification_version: raw.notification_version,
            payload_version: raw.payload_version,
            event_time: raw.event_time,
            metadata: raw.metadata,
            payload,
        })
    }

    /// The notification's type.
    pub fn notification_type(&self) -> NotificationType {
        match &self.payload {
            NotificationPayload::OrderChange(_) => NotificationType::OrderChange,
            NotificationPayload::FeedProcessingFinished(_) => {
                NotificationType::FeedProcessingFinished
            }
            NotificationPayload::ReportProcessingFinished(_) => {
                NotificationType::ReportProcessingFinished
            }
            NotificationPayload::Other {
                notification_type, ..
            } => notification_type
                .parse()
                .unwrap_or(NotificationType::Unknown(notification_type.clone())),
        }
    }
}

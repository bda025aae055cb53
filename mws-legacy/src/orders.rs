//! Orders 2013-09-01 operations: typed requests with MWS's parameter rules.

use time::OffsetDateTime;

use crate::common::Pii;
use crate::error::{Error, Result};
use crate::operation::{Operation, RawResponse, Section};
pub use crate::orders_model::*;
use crate::sign::format_timestamp;

fn push_list<T: AsRef<str>>(params: &mut Vec<(String, String)>, prefix: &str, items: &[T]) {
    for (i, item) in items.iter().enumerate() {
        params.push((format!("{prefix}.{}", i + 1), item.as_ref().to_owned()));
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidRequest(msg.into())
}

/// `ListOrders`: orders created or updated in a time window.
///
/// Exactly one of `CreatedAfter` / `LastUpdatedAfter` is required (use the constructor
/// that names it) and at least one marketplace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOrders {
    created_after: Option<OffsetDateTime>,
    created_before: Option<OffsetDateTime>,
    last_updated_after: Option<OffsetDateTime>,
    last_updated_before: Option<OffsetDateTime>,
    marketplace_ids: Vec<String>,
    order_statuses: Vec<OrderStatus>,
    fulfillment_channels: Vec<FulfillmentChannel>,
    payment_methods: Vec<PaymentMethod>,
    buyer_email: Option<Pii<String>>,
    seller_order_id: Option<String>,
    max_results_per_page: Option<u32>,
    easy_ship_shipment_statuses: Vec<EasyShipShipmentStatus>,
    tfm_shipment_statuses: Vec<String>,
}

impl ListOrders {
    fn empty() -> Self {
        Self {
            created_after: None,
            created_before: None,
            last_updated_after: None,
            last_updated_before: None,
            marketplace_ids: Vec::new(),
            order_statuses: Vec::new(),
            fulfillment_channels: Vec::new(),
            payment_methods: Vec::new(),
            buyer_email: None,
            seller_order_id: None,
            max_results_per_page: None,
            easy_ship_shipment_statuses: Vec::new(),
            tfm_shipment_statuses: Vec::new(),
        }
    }

    /// Orders created at or after `after`.
    pub fn created_after(after: OffsetDateTime) -> Self {
        Self {
            created_after: Some(after),
            ..Self::empty()
        }
    }

    /// Orders last updated at or after `after`.
    pub fn last_updated_after(after: OffsetDateTime) -> Self {
        Self {
            last_updated_after: Some(after),
            ..Self::empty()
        }
    }

    /// Upper bound on the creation date (only with [`ListOrders::created_after`]).
    pub fn created_before(mut self, before: OffsetDateTime) -> Self {
        self.created_before = Some(before);
        self
    }

    /// Upper bound on the update date (only with [`ListOrders::last_updated_after`]).
    pub fn last_updated_before(mut self, before: OffsetDateTime) -> Self {
        self.last_updated_before = Some(before);
        self
    }

    /// Adds a marketplace (`MarketplaceId.Id.n`, 1 to 50).
    pub fn marketplace_id(mut self, id: impl Into<String>) -> Self {
        self.marketplace_ids.push(id.into());
        self
    }

    /// Adds an order status filter (`OrderStatus.Status.n`).
    pub fn order_status(mut self, status: OrderStatus) -> Self {
        self.order_statuses.push(status);
        self
    }

    /// Adds a fulfilment channel filter (`FulfillmentChannel.Channel.n`).
    pub fn fulfillment_channel(mut self, channel: FulfillmentChannel) -> Self {
        self.fulfillment_channels.push(channel);
        self
    }

    /// Adds a payment method filter (`PaymentMethod.Method.n`).
    pub fn payment_method(mut self, method: PaymentMethod) -> Self {
        self.payment_methods.push(method);
        self
    }

    /// Filters by buyer e-mail (excludes status, channel, payment and update filters).
    pub fn buyer_email(mut self, email: impl Into<String>) -> Self {
        self.buyer_email = Some(Pii::new(email.into()));
        self
    }

    /// Filters by the seller's order id (same exclusions as the buyer e-mail).
    pub fn seller_order_id(mut self, id: impl Into<String>) -> Self {
        self.seller_order_id = Some(id.into());
        self
    }

    /// Page size, 1 to 100 (Amazon's default is 100).
    pub fn max_results_per_page(mut self, n: u32) -> Self {
        self.max_results_per_page = Some(n);
        self
    }

    /// Adds an Easy Ship status filter (India, `EasyShipShipmentStatus.Status.n`).
    pub fn easy_ship_shipment_status(mut self, status: EasyShipShipmentStatus) -> Self {
        self.easy_ship_shipment_statuses.push(status);
        self
    }

    /// Adds a TFM shipment status filter (China, `TFMShipmentStatus.Status.n`).
    pub fn tfm_shipment_status(mut self, status: impl Into<String>) -> Self {
        self.tfm_shipment_statuses.push(status.into());
        self
    }

    /// Checks the rules MWS enforces, before anything is sent.
    pub fn validate(&self) -> Result<()> {
        match (self.created_after, self.last_updated_after) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "CreatedAfter and LastUpdatedAfter are mutually exclusive",
                ));
            }
            (None, None) => {
                return Err(invalid(
                    "one of CreatedAfter or LastUpdatedAfter is required",
                ));
            }
            _ => {}
        }
        if self.created_before.is_some() && self.created_after.is_none() {
            return Err(invalid("CreatedBefore needs CreatedAfter"));
        }
        if self.last_updated_before.is_some() && self.last_updated_after.is_none() {
            return Err(invalid("LastUpdatedBefore needs LastUpdatedAfter"));
        }
        if let (Some(a), Some(b)) = (self.created_after, self.created_before) {
            if b <= a {
                return Err(invalid("CreatedBefore must be later than CreatedAfter"));
            }
        }
        if let (Some(a), Some(b)) = (self.last_updated_after, self.last_updated_before) {
            if b <= a {
                return Err(invalid(
                    "LastUpdatedBefore must be later than LastUpdatedAfter",
                ));
            }
        }
        if self.marketplace_ids.is_empty() || self.marketplace_ids.len() > 50 {
            return Err(invalid(format!(
                "MarketplaceId needs 1 to 50 values, got {}",
                self.marketplace_ids.len()
            )));
        }
        let by_buyer_or_seller_id = self.buyer_email.is_some() || self.seller_order_id.is_some();
        if self.buyer_email.is_some() && self.seller_order_id.is_some() {
            return Err(invalid(
                "BuyerEmail and SellerOrderId are mutually exclusive",
            ));
        }
        if by_buyer_or_seller_id
            && (!self.order_statuses.is_empty()
                || !self.fulfillment_channels.is_empty()
                || !self.payment_methods.is_empty()
                || self.last_updated_after.is_some())
        {
            return Err(invalid(
                "BuyerEmail/SellerOrderId cannot be combined with OrderStatus, FulfillmentChannel, PaymentMethod or LastUpdatedAfter/Before",
            ));
        }
        let has = |s: &OrderStatus| self.order_statuses.contains(s);
        if has(&OrderStatus::Unshipped) != has(&OrderStatus::PartiallyShipped) {
            return Err(invalid(
                "OrderStatus Unshipped and PartiallyShipped must be requested together",
            ));
        }
        if let Some(n) = self.max_results_per_page {
            if !(1..=100).contains(&n) {
                return Err(invalid(format!(
                    "MaxResultsPerPage must be 1 to 100, got {n}"
                )));
            }
        }
        Ok(())
    }
}

impl Operation for ListOrders {
    type Output = OrdersPage;

    fn action(&self) -> &'static str {
        "ListOrders"
    }

    fn section(&self) -> Section {
        Section::ORDERS
    }

    fn params(&self) -> Result<Vec<(String, String)>> {
        self.validate()?;
        let mut p = Vec::new();
        let mut date = |name: &str, t: Option<OffsetDateTime>| {
            if let Some(t) = t {
                p.push((name.to_owned(), format_timestamp(t)));
            }
        };
        date("CreatedAfter", self.created_after);
        date("CreatedBefore", self.created_before);
        date("LastUpdatedAfter", self.last_updated_after);
        date("LastUpdatedBefore", self.last_updated_before);
        push_list(&mut p, "MarketplaceId.Id", &self.marketplace_ids);
        let statuses: Vec<&str> = self.order_statuses.iter().map(|s| s.as_str()).collect();
        push_list(&mut p, "OrderStatus.Status", &statuses);
        let channels: Vec<&str> = self
            .fulfillment_channels
            .iter()
            .map(|s| s.as_str())
            .collect();
        push_list(&mut p, "FulfillmentChannel.Channel", &channels);
        let methods: Vec<&str> = self.payment_methods.iter().map(|s| s.as_str()).collect();
        push_list(&mut p, "PaymentMethod.Method", &methods);
        if let Some(e) = &self.buyer_email {
            p.push(("BuyerEmail".into(), e.expose().clone()));
        }
        if let Some(s) = &self.seller_order_id {
            p.push(("SellerOrderId".into(), s.clone()));
        }
        if let Some(n) = self.max_results_per_page {
            p.push(("MaxResultsPerPage".into(), n.to_string()));
        }
        let easy: Vec<&str> = self
            .easy_ship_shipment_statuses
            .iter()
            .map(|s| s.as_str())
            .collect();
        push_list(&mut p, "EasyShipShipmentStatus.Status", &easy);
        push_list(
            &mut p,
            "TFMShipmentStatus.Status",
            &self.tfm_shipment_statuses,
        );
        Ok(p)
    }

    fn parse(&self, response: RawResponse) -> Result<OrdersPage> {
        Ok(OrdersPage::from_xml(&response.text())?)
    }
}

fn require_token(token: &NextToken) -> Result<Vec<(String, String)>> {
    if token.0.is_empty() {
        return Err(invalid("NextToken must not be empty"));
    }
    Ok(vec![("NextToken".into(), token.0.clone())])
}

/// `ListOrdersByNextToken`: the next page of a `ListOrders`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOrdersByNextToken(pub NextToken);

impl Operation for ListOrdersByNextToken {
    type Output = OrdersPage;

    fn action(&self) -> &'static str {
        "ListOrdersByNextToken"
    }

    fn section(&self) -> Section {
        Section::ORDERS
    }

    fn params(&self) -> Result<Vec<(String, String)>> {
        require_token(&self.0)
    }

    fn parse(&self, response: RawResponse) -> Result<OrdersPage> {
        Ok(OrdersPage::from_xml(&response.text())?)
    }
}

/// `GetOrder`: up to 50 orders by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetOrder {
    ids: Vec<AmazonOrderId>,
}

impl GetOrder {
    /// Orders by id (1 to 50).
    pub fn new<I, S>(ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<AmazonOrderId>,
    {
        Self {
            ids: ids.into_iter().map(Into::into).collect(),
        }
    }
}

impl Operation for GetOrder {
    type Output = GetOrderResponse;

    fn action(&self) -> &'static str {
        "GetOrder"
    }

    fn section(&self) -> Section {
        Section::ORDERS
    }

    fn params(&self) -> Result<Vec<(String, String)>> {
        if self.ids.is_empty() || self.ids.len() > 50 {
            return Err(invalid(format!(
                "GetOrder takes 1 to 50 AmazonOrderId values, got {}",
                self.ids.len()
            )));
        }
        let mut p = Vec::new();
        let ids: Vec<&str> = self.ids.iter().map(|i| i.as_str()).collect();
        push_list(&mut p, "AmazonOrderId.Id", &ids);
        Ok(p)
    }

    fn parse(&self, response: RawResponse) -> Result<GetOrderResponse> {
        Ok(GetOrderResponse::from_xml(&response.text())?)
    }
}

/// `ListOrderItems`: the items of one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOrderItems(pub AmazonOrderId);

impl ListOrderItems {
    /// Items of `order`.
    pub fn new(order: impl Into<AmazonOrderId>) -> Self {
        Self(order.into())
    }
}

impl Operation for ListOrderItems {
    type Output = OrderItemsPage;

    fn action(&self) -> &'static str {
        "ListOrderItems"
    }

    fn section(&self) -> Section {
        Section::ORDERS
    }

    fn params(&self) -> Result<Vec<(String, String)>> {
        if self.0.as_str().is_empty() {
            return Err(invalid("AmazonOrderId must not be empty"));
        }
        Ok(vec![("AmazonOrderId".into(), self.0.as_str().to_owned())])
    }

    fn parse(&self, response: RawResponse) -> Result<OrderItemsPage> {
        Ok(OrderItemsPage::from_xml(&response.text())?)
    }
}

/// `ListOrderItemsByNextToken`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOrderItemsByNextToken(pub NextToken);

impl Operation for ListOrderItemsByNextToken {
    type Output = OrderItemsPage;

    fn action(&self) -> &'static str {
        "ListOrderItemsByNextToken"
    }

    fn section(&self) -> Section {
        Section::ORDERS
    }

    fn params(&self) -> Result<Vec<(String, String)>> {
        require_token(&self.0)
    }

    fn parse(&self, response: RawResponse) -> Result<OrderItemsPage> {
        Ok(OrderItemsPage::from_xml(&response.text())?)
    }
}

/// `GetServiceStatus` of a section (Orders by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetServiceStatus(pub Section);

impl Default for GetServiceStatus {
    fn default() -> Self {
        Self(Section::ORDERS)
    }
}

impl Operation for GetServiceStatus {
    type Output = ServiceStatus;

    fn action(&self) -> &'static str {
        "GetServiceStatus"
    }

    fn section(&self) -> Section {
        self.0
    }

    fn params(&self) -> Result<Vec<(String, String)>> {
        Ok(Vec::new())
    }

    fn parse(&self, response: RawResponse) -> Result<ServiceStatus> {
        Ok(ServiceStatus::from_xml(&response.text())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn names(p: &[(String, String)]) -> Vec<&str> {
        p.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn list_orders_params() {
        let req = ListOrders::created_after(datetime!(2020-01-01 00:00 UTC))
            .created_before(datetime!(2020-01-02 01:00 +01:00))
            .marketplace_id("ATVPDKIKX0DER")
            .marketplace_id("A2EUQ1WTGCTBG2")
            .order_status(OrderStatus::Unshipped)
            .order_status(OrderStatus::PartiallyShipped)
            .fulfillment_channel(FulfillmentChannel::Mfn)
            .payment_method(PaymentMethod::Cod)
            .max_results_per_page(50);
        let p = req.params().unwrap();
        assert_eq!(
            names(&p),
            [
                "CreatedAfter",
                "CreatedBefore",
                "MarketplaceId.Id.1",
                "MarketplaceId.Id.2",
                "OrderStatus.Status.1",
                "OrderStatus.Status.2",
                "FulfillmentChannel.Channel.1",
                "PaymentMethod.Method.1",
                "MaxResultsPerPage"
            ]
        );
        assert_eq!(p[1].1, "2020-01-02T00:00:00.000Z");
        assert_eq!(p[6].1, "MFN");
    }

    #[test]
    fn list_orders_rules() {
        let t = datetime!(2020-01-01 00:00 UTC);
        let base = || ListOrders::created_after(t).marketplace_id("ATVPDKIKX0DER");
        assert!(base().validate().is_ok());
        assert!(
            ListOrders::created_after(t).validate().is_err(),
            "marketplace required"
        );
        assert!(
            base()
                .order_status(OrderStatus::Unshipped)
                .validate()
                .is_err()
        );
        assert!(
            base()
                .buyer_email("a@b")
                .order_status(OrderStatus::Shipped)
                .validate()
                .is_err()
        );
        assert!(
            base()
                .buyer_email("a@b")
                .seller_order_id("x")
                .validate()
                .is_err()
        );
        assert!(base().max_results_per_page(0).validate().is_err());
        assert!(base().max_results_per_page(101).validate().is_err());
        assert!(base().created_before(t).validate().is_err());
        assert!(base().last_updated_before(t).validate().is_err());
        assert!(
            ListOrders::last_updated_after(t)
                .marketplace_id("X")
                .seller_order_id("1")
                .validate()
                .is_err()
        );
        let mut many = base();
        for i in 0..50 {
            many = many.marketplace_id(format!("M{i}"));
        }
        assert!(many.validate().is_err(), "51 marketplaces");
    }

    #[test]
    fn get_order_limits() {
        assert!(GetOrder::new(Vec::<String>::new()).params().is_err());
        let ids: Vec<String> = (0..51).map(|i| format!("{i}")).collect();
        assert!(GetOrder::new(ids).params().is_err());
        let p = GetOrder::new(["111-1111111-1111111", "222-2222222-2222222"])
            .params()
            .unwrap();
        assert_eq!(names(&p), ["AmazonOrderId.Id.1", "AmazonOrderId.Id.2"]);
        assert!(
            ListOrdersByNextToken(NextToken(String::new()))
                .params()
                .is_err()
        );
    }
}

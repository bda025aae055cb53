//! Exact money: a [`Decimal`] amount with its ISO 4217 currency.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An amount of money in one currency. Never a float.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The exact amount.
    pub amount: Decimal,
    /// The ISO 4217 currency code (`USD`, `EUR`, ...).
    pub currency: String,
}

/// Two amounts in different currencies were combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot combine {left} with {right}")]
pub struct CurrencyMismatch {
    /// The currency of the left operand.
    pub left: String,
    /// The currency of the right operand.
    pub right: String,
}

impl Money {
    /// An amount in `currency`.
    pub fn new(amount: Decimal, currency: impl Into<String>) -> Self {
        Self {
            amount,
            currency: currency.into(),
        }
    }

    /// Zero in `currency`.
    pub fn zero(currency: impl Into<String>) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    /// The sum of two amounts of the same currency.
    pub fn checked_add(&self, other: &Money) -> Result<Money, CurrencyMismatch> {
        if self.currency != other.currency {
            return Err(CurrencyMismatch {
                left: self.currency.clone(),
                right: other.currency.clone(),
            });
        }
        Ok(Money::new(
            self.amount + other.amount,
            self.currency.clone(),
        ))
    }

    /// The same amount without its sign (Amazon reports discounts either way).
    pub fn abs(self) -> Money {
        Money::new(self.amount.abs(), self.currency)
    }

    /// This amount times a quantity.
    pub fn times(&self, quantity: u32) -> Money {
        Money::new(self.amount * Decimal::from(quantity), self.currency.clone())
    }

    /// Sums amounts; `None` for an empty iterator.
    pub fn sum<'a>(
        items: impl IntoIterator<Item = &'a Money>,
    ) -> Result<Option<Money>, CurrencyMismatch> {
        let mut total: Option<Money> = None;
        for m in items {
            total = Some(match total {
                None => m.clone(),
                Some(t) => t.checked_add(m)?,
            });
        }
        Ok(total)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn usd(s: &str) -> Money {
        Money::new(Decimal::from_str(s).unwrap(), "USD")
    }

    #[test]
    fn sums_exactly() {
        let total = Money::sum([&usd("0.10"), &usd("0.20")]).unwrap().unwrap();
        assert_eq!(total, usd("0.30"));
        assert_eq!(usd("19.99").times(3), usd("59.97"));
    }

    #[test]
    fn refuses_mixed_currencies() {
        let eur = Money::new(Decimal::ONE, "EUR");
        assert!(usd("1").checked_add(&eur).is_err());
        assert_eq!(Money::sum(std::iter::empty()).unwrap(), None);
    }
}

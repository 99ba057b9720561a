//! Typed ids: an account's id is not a user's or an order's. Each is an
//! `i64` underneath, serialised as the bare number (serde-transparent),
//! parsed from a path segment (axum's `Path`), bound as a query parameter by
//! the store (`From<AccountId> for Arg`), shown as the number.

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> $name {
                $name(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl From<$name> for crate::Value {
            fn from(id: $name) -> crate::Value {
                crate::Value::Int(id.0)
            }
        }
    )*};
}

ids! {
    /// An account 客户.
    AccountId;
    /// A contact person 联系人 (at one or more accounts).
    ContactId;
    /// A contract 合同.
    ContractId;
    /// An order 订单.
    OrderId;
    /// A monthly statement 对账单.
    StatementId;
    /// A daily work log 业务工作日志.
    WorklogId;
    /// A user 用户 (a rep, a manager, finance, service, an auditor, an admin).
    UserId;
    /// A sales team 销售团队.
    TeamId;
    /// A working-day record: an interaction, visit, complaint, note, survey … (one kind each).
    ActivityId;
    /// A ledger entry 往来账 (an opening balance, an order's charge, a collection, an adjustment, a reversal).
    EntryId;
    /// A product 产品 in the catalogue.
    ProductId;
    /// A competitor 竞争对手.
    CompetitorId;
    /// A market activity 市场活动 (an exhibition, a seminar, a promotion).
    EventId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_numbers_on_the_wire_and_in_text() {
        let id = AccountId(42);
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(serde_json::from_str::<AccountId>("42").unwrap(), id);
        assert_eq!("42".parse::<AccountId>().unwrap(), id);
        assert_eq!(id.to_string(), "42");
        assert!("4x".parse::<AccountId>().is_err());
    }
}

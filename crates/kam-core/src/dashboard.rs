//! Dashboards per role: which boards exist and who may open which. Every
//! figure on a board is read within the viewer's own scope (the store's
//! reads), so a board only decides what is shown, never what is visible.

use serde::Serialize;

use crate::{Actor, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Board {
    /// A sales rep: my targets and attainment, my forecast, my churn risks, my receivables.
    Rep,
    /// A manager: the team's attainment and forecast per rep, churn risks, overdue receivables.
    Manager,
    /// Finance: receivables and aging, collections by month.
    Finance,
}

impl Board {
    pub const ALL: [Board; 3] = [Board::Rep, Board::Manager, Board::Finance];

    pub fn as_str(self) -> &'static str {
        match self {
            Board::Rep => "rep",
            Board::Manager => "manager",
            Board::Finance => "finance",
        }
    }

    pub fn parse(s: &str) -> Option<Board> {
        Board::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// The board a role opens first.
    pub fn of(role: Role) -> Option<Board> {
        match role {
            Role::Sales => Some(Board::Rep),
            Role::Manager | Role::Admin => Some(Board::Manager),
            Role::Finance | Role::Auditor => Some(Board::Finance),
            Role::Service => None,
        }
    }

    /// Who may open a board: every board is money (targets, orders,
    /// receivables), so roles that see no money open none; a rep opens the
    /// rep's board, a manager and the admin every board, finance and
    /// auditors the finance board.
    pub fn may_open(self, actor: &Actor) -> bool {
        if !crate::ledger::can_see_money(actor) {
            return false;
        }
        match actor.role {
            Role::Admin | Role::Manager => true,
            Role::Sales => self == Board::Rep,
            Role::Finance | Role::Auditor => self == Board::Finance,
            Role::Service => false,
        }
    }
}

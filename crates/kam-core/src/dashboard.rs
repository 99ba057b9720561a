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
    /// Finance: receivables and aging, collections by month, statements by status, credit holds.
    Finance,
    /// Service: complaints by status and against their deadlines, satisfaction and NPS by month.
    Service,
}

impl Board {
    pub const ALL: [Board; 4] = [Board::Rep, Board::Manager, Board::Finance, Board::Service];

    pub fn as_str(self) -> &'static str {
        match self {
            Board::Rep => "rep",
            Board::Manager => "manager",
            Board::Finance => "finance",
            Board::Service => "service",
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
            Role::Service => Some(Board::Service),
        }
    }

    /// Who may open a board. The rep's, the manager's and finance's boards
    /// are money (targets, orders, receivables), so roles that see no money
    /// open none of them: a rep opens the rep's board, finance the finance
    /// board, auditors both finance's and service's, a manager and the admin
    /// every board. The service board holds no money (complaints and
    /// surveys): service staff, managers, the admin and auditors open it.
    pub fn may_open(self, actor: &Actor) -> bool {
        if self == Board::Service {
            return matches!(actor.role, Role::Service | Role::Manager | Role::Admin | Role::Auditor);
        }
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

    /// The board `actor` opens first, if any they may open.
    pub fn first_for(actor: &Actor) -> Option<Board> {
        Board::of(actor.role).filter(|b| b.may_open(actor))
    }
}

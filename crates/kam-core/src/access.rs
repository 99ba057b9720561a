//! Who may see and do what. Plain functions over the acting user and the
//! facts about a record; the store turns `Scope` into SQL so lists, counts and
//! search never show what the policy hides.

use crate::TeamId;
use crate::UserId;
use crate::fields::Access;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    Sales,
    Finance,
    Service,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 6] = [Role::Admin, Role::Manager, Role::Sales, Role::Finance, Role::Service, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Sales => "sales",
            Role::Finance => "finance",
            Role::Service => "service",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The user on whose behalf something is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
    pub team_id: Option<TeamId>,
}

/// Which accounts a user may read, as the store applies it in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every account.
    All,
    /// Accounts owned by members of the team, shared with the user, or in the pool.
    Team { team_id: TeamId, user_id: UserId },
    /// Accounts the user owns, that are shared with them, or in the pool.
    Own { user_id: UserId },
}

/// What the policy needs to know about one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountFacts {
    pub owner_id: Option<UserId>,
    /// The owner's team.
    pub owner_team_id: Option<TeamId>,
    /// Shared with the acting user.
    pub shared_with_actor: bool,
}

impl Actor {
    /// The read scope for accounts (and everything hanging off them).
    pub fn scope(&self) -> Scope {
        match self.role {
            Role::Admin | Role::Finance | Role::Auditor | Role::Service => Scope::All,
            Role::Manager => match self.team_id {
                Some(team_id) => Scope::Team { team_id, user_id: self.user_id },
                None => Scope::Own { user_id: self.user_id },
            },
            Role::Sales => Scope::Own { user_id: self.user_id },
        }
    }

    /// The same rule as the SQL of `scope()`, for one account.
    pub fn can_read_account(&self, a: &AccountFacts) -> bool {
        match self.scope() {
            Scope::All => true,
            Scope::Team { team_id, user_id } => {
                a.owner_id.is_none()
                    || a.owner_id == Some(user_id)
                    || a.owner_team_id == Some(team_id)
                    || a.shared_with_actor
            }
            Scope::Own { user_id } => a.owner_id.is_none() || a.owner_id == Some(user_id) || a.shared_with_actor,
        }
    }

    /// Editing the profile card (general fields, contacts, competition, business).
    pub fn can_edit_account(&self, a: &AccountFacts) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => self.can_read_account(a) && (a.owner_id.is_none() || self.manages(a)),
            Role::Sales => a.owner_id == Some(self.user_id),
            // Finance edits only the finance fields, see `can_write_field`.
            Role::Finance => true,
            Role::Service | Role::Auditor => false,
        }
    }

    fn manages(&self, a: &AccountFacts) -> bool {
        a.owner_id == Some(self.user_id) || (self.team_id.is_some() && a.owner_team_id == self.team_id)
    }

    pub fn can_create_account(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Manager | Role::Sales)
    }

    pub fn can_delete_account(&self, a: &AccountFacts) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => a.owner_id.is_none() || self.manages(a),
            _ => false,
        }
    }

    /// Whether this role may write a field of the given access class at all.
    pub fn can_write_field(&self, access: Access) -> bool {
        match access {
            Access::Finance => matches!(self.role, Role::Admin | Role::Finance),
            Access::General => matches!(self.role, Role::Admin | Role::Manager | Role::Sales),
            Access::Personal => matches!(self.role, Role::Admin | Role::Manager | Role::Sales),
        }
    }

    /// Contacts' personal fields: the owner of one of the contact's accounts,
    /// managers (within their scope) and admin.
    pub fn can_see_personal(&self, owner_of_any_account: bool) -> bool {
        crate::visibility::Viewer::new(self, owner_of_any_account).sees(crate::visibility::Class::Personal)
    }

    /// Who may be named owner of an account by this actor.
    pub fn can_assign_owner(&self, new_owner_id: UserId, new_owner_team: Option<TeamId>, new_owner_role: Role) -> bool {
        if !matches!(new_owner_role, Role::Sales | Role::Manager) {
            return false;
        }
        match self.role {
            Role::Admin => true,
            Role::Manager => new_owner_id == self.user_id || (self.team_id.is_some() && new_owner_team == self.team_id),
            Role::Sales => new_owner_id == self.user_id,
            _ => false,
        }
    }

    /// Claiming from and releasing to the public pool.
    pub fn can_claim(&self) -> bool {
        matches!(self.role, Role::Sales | Role::Manager)
    }

    pub fn can_release(&self, a: &AccountFacts) -> bool {
        match self.role {
            Role::Admin => a.owner_id.is_some(),
            Role::Manager => a.owner_id.is_some() && self.manages(a),
            Role::Sales => a.owner_id == Some(self.user_id),
            _ => false,
        }
    }

    /// Handing all accounts of one rep to another.
    pub fn can_handover(&self, from_team: Option<TeamId>, to_team: Option<TeamId>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => self.team_id.is_some() && from_team == self.team_id && to_team == self.team_id,
            _ => false,
        }
    }

    /// Recording activities (contact records, service records) on an account:
    /// whoever may edit its card, and service staff on any account they see.
    pub fn can_record_activity(&self, a: &AccountFacts) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager | Role::Sales => self.can_edit_account(a),
            Role::Service => self.can_read_account(a),
            Role::Finance | Role::Auditor => false,
        }
    }

    /// Shared competitor records.
    pub fn can_edit_competitors(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Manager | Role::Sales)
    }

    pub fn can_read_audit(&self) -> bool {
        true
    }

    pub fn can_manage_users(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn read_only(&self) -> bool {
        self.role == Role::Auditor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, id: i64, team: Option<i64>) -> Actor {
        Actor { user_id: UserId(id), role, team_id: team.map(TeamId) }
    }
    fn acc(owner: Option<i64>, team: Option<i64>) -> AccountFacts {
        AccountFacts { owner_id: owner.map(UserId), owner_team_id: team.map(TeamId), shared_with_actor: false }
    }

    #[test]
    fn sales_read_own_shared_and_pool_only() {
        let rep = actor(Role::Sales, 1, Some(10));
        assert!(rep.can_read_account(&acc(Some(1), Some(10))));
        assert!(!rep.can_read_account(&acc(Some(2), Some(10))), "a colleague's account");
        assert!(!rep.can_read_account(&acc(Some(3), Some(20))), "another team's account");
        assert!(rep.can_read_account(&acc(None, None)), "the pool");
        let shared = AccountFacts { shared_with_actor: true, ..acc(Some(3), Some(20)) };
        assert!(rep.can_read_account(&shared));
        assert!(!rep.can_edit_account(&shared), "shared is read-only");
    }

    #[test]
    fn managers_read_and_edit_their_team() {
        let m = actor(Role::Manager, 5, Some(10));
        assert!(m.can_read_account(&acc(Some(2), Some(10))));
        assert!(m.can_edit_account(&acc(Some(2), Some(10))));
        assert!(!m.can_read_account(&acc(Some(3), Some(20))));
        assert!(!m.can_edit_account(&acc(Some(3), Some(20))));
        assert!(m.can_handover(Some(TeamId(10)), Some(TeamId(10))));
        assert!(!m.can_handover(Some(TeamId(20)), Some(TeamId(10))));
    }

    #[test]
    fn finance_auditor_service_admin_read_all() {
        for r in [Role::Admin, Role::Finance, Role::Auditor, Role::Service] {
            assert_eq!(actor(r, 9, None).scope(), Scope::All);
        }
        let aud = actor(Role::Auditor, 9, None);
        assert!(!aud.can_edit_account(&acc(Some(1), Some(10))));
        assert!(!aud.can_create_account());
        assert!(!actor(Role::Service, 9, None).can_edit_account(&acc(Some(1), None)));
    }

    #[test]
    fn field_level_write_rules() {
        let fin = actor(Role::Finance, 9, None);
        let rep = actor(Role::Sales, 1, Some(10));
        assert!(fin.can_write_field(Access::Finance));
        assert!(!fin.can_write_field(Access::General));
        assert!(!rep.can_write_field(Access::Finance));
        assert!(rep.can_write_field(Access::General));
        assert!(actor(Role::Admin, 1, None).can_write_field(Access::Finance));
    }

    #[test]
    fn personal_fields_only_for_owner_managers_admin() {
        assert!(actor(Role::Sales, 1, None).can_see_personal(true));
        assert!(!actor(Role::Sales, 1, None).can_see_personal(false));
        assert!(actor(Role::Manager, 1, None).can_see_personal(false));
        assert!(!actor(Role::Finance, 1, None).can_see_personal(true));
        assert!(!actor(Role::Auditor, 1, None).can_see_personal(true));
    }

    #[test]
    fn activity_recording() {
        let mine = acc(Some(1), Some(10));
        let colleague = acc(Some(2), Some(10));
        assert!(actor(Role::Sales, 1, Some(10)).can_record_activity(&mine));
        assert!(!actor(Role::Sales, 1, Some(10)).can_record_activity(&colleague));
        assert!(actor(Role::Manager, 5, Some(10)).can_record_activity(&colleague));
        assert!(actor(Role::Service, 9, None).can_record_activity(&colleague));
        assert!(!actor(Role::Finance, 9, None).can_record_activity(&mine));
        assert!(!actor(Role::Auditor, 9, None).can_record_activity(&mine));
    }

    #[test]
    fn owner_assignment() {
        let rep = actor(Role::Sales, 1, Some(10));
        assert!(rep.can_assign_owner(UserId(1), Some(TeamId(10)), Role::Sales));
        assert!(!rep.can_assign_owner(UserId(2), Some(TeamId(10)), Role::Sales));
        let m = actor(Role::Manager, 5, Some(10));
        assert!(m.can_assign_owner(UserId(2), Some(TeamId(10)), Role::Sales));
        assert!(!m.can_assign_owner(UserId(3), Some(TeamId(20)), Role::Sales));
        assert!(!m.can_assign_owner(UserId(7), Some(TeamId(10)), Role::Finance));
    }

    #[test]
    fn pool_claim_and_release() {
        let rep = actor(Role::Sales, 1, Some(10));
        assert!(rep.can_claim());
        assert!(rep.can_release(&acc(Some(1), Some(10))));
        assert!(!rep.can_release(&acc(Some(2), Some(10))));
        assert!(!actor(Role::Finance, 2, None).can_claim());
    }
}

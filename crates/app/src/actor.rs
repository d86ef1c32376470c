//! Who is asking, and what their roles let them do. Every use case asks
//! the actor before it acts; this is the one place those answers live.

use timecredits_ledger::{ActorId, ProgrammeId};

use crate::{MemberId, OrganisationId, Role, RoleGrant, Scope, UserId};

#[derive(Clone, Debug)]
pub struct Actor {
    pub user: UserId,
    pub member: Option<MemberId>,
    pub grants: Vec<RoleGrant>,
    /// True when `user` is a staff member acting as `member`, at the
    /// member's request (made by [`App::act_for`](crate::App::act_for)). Such
    /// an actor holds no staff grants, and what it does is logged as proxy.
    pub proxy: bool,
}

impl Actor {
    pub fn ledger_id(&self) -> ActorId {
        ActorId(self.user.0)
    }

    fn has(&self, role: Role, scope: Scope) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && g.scope == scope)
    }

    pub fn is_administrator(&self) -> bool {
        self.has(Role::Administrator, Scope::Platform)
    }

    pub fn manages(&self, programme: ProgrammeId) -> bool {
        self.has(Role::ProgrammeManager, Scope::Programme(programme))
    }

    pub fn coordinates(&self, organisation: OrganisationId) -> bool {
        self.has(Role::Coordinator, Scope::Organisation(organisation))
    }

    pub fn serves_desk(&self, organisation: OrganisationId) -> bool {
        self.has(Role::SpendStaff, Scope::Organisation(organisation))
    }

    pub fn evaluates(&self, programme: ProgrammeId) -> bool {
        self.has(Role::Evaluator, Scope::Programme(programme))
    }

    pub fn is_member(&self, member: MemberId) -> bool {
        self.member == Some(member)
    }

    /// Whether this is the member acting for themself (not staff, and not
    /// staff acting for them).
    pub fn is_member_in_person(&self, member: MemberId) -> bool {
        self.is_member(member) && !self.proxy
    }

    /// The programmes this person manages.
    pub fn managed_programmes(&self) -> impl Iterator<Item = ProgrammeId> + '_ {
        self.grants.iter().filter_map(|g| match (g.role, g.scope) {
            (Role::ProgrammeManager, Scope::Programme(p)) => Some(p),
            _ => None,
        })
    }
}

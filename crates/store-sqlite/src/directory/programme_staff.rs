//! Storage of programme roles (managers, evaluators) given and taken
//! away by administrators, and their append-only log.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use timecredits_app::directory::{ProgrammeStaffChange, StaffMember};
use timecredits_app::{Role, RoleGrant, Scope, StoreError, StoreResult, UserId};
use timecredits_ledger::ProgrammeId;

use super::{collect, corrupt, staff_member};
use crate::codec::{blob, get, micros, time, uuid};
use crate::internal;

/// Logs a programme role given or taken away; the grant must be
/// programme-scoped.
pub(super) fn log(
    c: &Connection,
    grant: &RoleGrant,
    change: &str,
    by: UserId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let Scope::Programme(programme) = grant.scope else {
        return Err(StoreError::Internal(
            "a programme role needs a programme scope".into(),
        ));
    };
    c.execute(
        "INSERT INTO programme_staff_changes (programme_id, user_id, role, change, changed_by, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![blob(programme.0), blob(grant.user.0), grant.role.as_str(), change, blob(by.0), micros(at)],
    )
    .map_err(internal)?;
    Ok(())
}

/// The programme's managers and evaluators (not its members).
pub(super) fn staff(c: &Connection, programme: ProgrammeId) -> StoreResult<Vec<StaffMember>> {
    collect(
        c,
        "SELECT u.id, u.display_name, u.email, g.role FROM role_grants g JOIN users u ON u.id = g.user_id
         WHERE g.scope_kind = 'programme' AND g.scope_id = ?1 AND g.role IN ('programme_manager', 'evaluator') ORDER BY u.display_name, u.id, g.role",
        [blob(programme.0)],
        staff_member,
    )
}

/// The programme's log, oldest first.
pub(super) fn changes(
    c: &Connection,
    programme: ProgrammeId,
) -> StoreResult<Vec<ProgrammeStaffChange>> {
    collect(
        c,
        "SELECT programme_id, user_id, role, change, changed_by, changed_at FROM programme_staff_changes
         WHERE programme_id = ?1 ORDER BY changed_at, rowid",
        [blob(programme.0)],
        |row| {
            let role: String = get(row, "role")?;
            let change: String = get(row, "change")?;
            Ok(ProgrammeStaffChange {
                programme: ProgrammeId(uuid(row, "programme_id")?),
                user: UserId(uuid(row, "user_id")?),
                role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
                added: match change.as_str() {
                    "added" => true,
                    "removed" => false,
                    _ => return Err(corrupt("staff change", &change)),
                },
                changed_by: UserId(uuid(row, "changed_by")?),
                changed_at: time(get(row, "changed_at")?)?,
            })
        },
    )
}

//! Storage of programme roles (managers, evaluators) given and taken
//! away by administrators, and their append-only log.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use sqlx::postgres::PgConnection;
use timecredits_app::directory::{ProgrammeStaffChange, StaffMember};
use timecredits_app::{Role, RoleGrant, Scope, StoreError, StoreResult, UserId};
use timecredits_ledger::ProgrammeId;

use super::{corrupt, get, staff_member};
use crate::error::db_err;

/// Logs a programme role given or taken away; the grant must be
/// programme-scoped.
pub(super) async fn log(
    c: &mut PgConnection,
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
    sqlx::query(
        "INSERT INTO programme_staff_changes (programme_id, user_id, role, change, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(programme.0)
    .bind(grant.user.0)
    .bind(grant.role.as_str())
    .bind(change)
    .bind(by.0)
    .bind(at)
    .execute(&mut *c)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// The programme's managers and evaluators (not its members).
pub(super) async fn staff(pool: &PgPool, programme: ProgrammeId) -> StoreResult<Vec<StaffMember>> {
    sqlx::query(
        "SELECT u.id, u.display_name, u.email, g.role FROM role_grants g JOIN users u ON u.id = g.user_id
         WHERE g.scope_kind = 'programme' AND g.scope_id = $1 AND g.role IN ('programme_manager', 'evaluator') ORDER BY u.display_name, u.id, g.role",
    )
    .bind(programme.0)
    .fetch_all(pool)
    .await
    .map_err(db_err)?
    .iter()
    .map(staff_member)
    .collect()
}

/// The programme's log, oldest first.
pub(super) async fn changes(
    pool: &PgPool,
    programme: ProgrammeId,
) -> StoreResult<Vec<ProgrammeStaffChange>> {
    sqlx::query(
        "SELECT programme_id, user_id, role, change, changed_by, changed_at FROM programme_staff_changes
         WHERE programme_id = $1 ORDER BY changed_at, ctid",
    )
    .bind(programme.0)
    .fetch_all(pool)
    .await
    .map_err(db_err)?
    .iter()
    .map(|row| {
        let role: String = get(row, "role")?;
        let change: String = get(row, "change")?;
        Ok(ProgrammeStaffChange {
            programme: ProgrammeId(get(row, "programme_id")?),
            user: UserId(get(row, "user_id")?),
            role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
            added: match change.as_str() {
                "added" => true,
                "removed" => false,
                _ => return Err(corrupt("staff change", &change)),
            },
            changed_by: UserId(get(row, "changed_by")?),
            changed_at: get(row, "changed_at")?,
        })
    })
    .collect()
}

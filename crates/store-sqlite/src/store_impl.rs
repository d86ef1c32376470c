//! `Store` for SQLite: writes go through the writer thread, reads through
//! the reader pool.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, ErrorCode, Row, params};
use timecredits_app::{
    ApiTokenRecord, CoreStore, Member, MemberId, MemberNumber, Organisation, OrganisationId,
    PostError, Programme, Role, RoleGrant, Scope, SessionRecord, StoreError, StoreResult,
    TokenHolder, User, UserId,
};
use timecredits_ledger::{
    Account, AccountId, AccountState, AccountStatus, Plan, PostingRequest, ProgrammeId, Transfer,
    TransferId, VerifyReport,
};
use uuid::Uuid;

use crate::codec::{blob, floor_minutes, get, micros, opt_uuid, time, uuid};
use crate::{SqliteStore, internal, ledger};

fn insert_accounts(conn: &Connection, accounts: &[Account]) -> StoreResult<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO accounts (id, programme_id, kind, owner_id, status, floor_minutes, exchange_overdraft_minutes, balance_minutes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(internal)?;
    for a in accounts {
        let floor = floor_minutes(a);
        stmt.execute(params![
            blob(a.id.0),
            blob(a.programme.0),
            a.kind.as_str(),
            a.owner.map(blob),
            a.status.as_str(),
            floor,
            a.exchange_overdraft_minutes,
            floor.map(|_| 0i64),
        ])
        .map_err(internal)?;
    }
    Ok(())
}

/// Maps a uniqueness violation to `Duplicate(what)`.
fn unique(what: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| match e.sqlite_error_code() {
        Some(ErrorCode::ConstraintViolation) if e.to_string().contains("UNIQUE") => {
            StoreError::Duplicate(what)
        }
        _ => internal(e),
    }
}

fn programme(row: &Row) -> StoreResult<Programme> {
    Ok(Programme {
        id: ProgrammeId(uuid(row, "id")?),
        name: get(row, "name")?,
        locality: get(row, "locality")?,
        time_zone: get(row, "time_zone")?,
        language: get(row, "language")?,
        issuance_account: AccountId(uuid(row, "issuance_account")?),
        retired_account: AccountId(uuid(row, "retired_account")?),
        expired_account: AccountId(uuid(row, "expired_account")?),
        community_pot_account: AccountId(uuid(row, "community_pot_account")?),
        exchange_overdraft_minutes: get(row, "exchange_overdraft_minutes")?,
        created_at: time(get(row, "created_at")?)?,
    })
}

fn organisation(row: &Row) -> StoreResult<Organisation> {
    Ok(Organisation {
        id: OrganisationId(uuid(row, "id")?),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        name: get(row, "name")?,
        account: AccountId(uuid(row, "account_id")?),
        pot_account: AccountId(uuid(row, "pot_account_id")?),
        created_at: time(get(row, "created_at")?)?,
    })
}

pub(crate) fn member(row: &Row) -> StoreResult<Member> {
    let number: u32 = get(row, "member_number")?;
    Ok(Member {
        id: MemberId(uuid(row, "id")?),
        programme: ProgrammeId(uuid(row, "programme_id")?),
        number: MemberNumber::from_base(number / 10)
            .filter(|n| n.value() == number)
            .ok_or_else(|| {
                StoreError::Corrupt(format!("member number {number} fails its check digit"))
            })?,
        display_name: get(row, "display_name")?,
        account: AccountId(uuid(row, "account_id")?),
        user: opt_uuid(row, "user_id")?.map(UserId),
        created_at: time(get(row, "created_at")?)?,
    })
}

fn user(row: &Row) -> StoreResult<User> {
    Ok(User {
        id: UserId(uuid(row, "id")?),
        email: get(row, "email")?,
        display_name: get(row, "display_name")?,
        password_hash: get(row, "password_hash")?,
        pin_hash: get(row, "pin_hash")?,
        member: opt_uuid(row, "member_id")?.map(MemberId),
        created_at: time(get(row, "created_at")?)?,
    })
}

fn scope_parts(scope: Scope) -> (&'static str, Uuid) {
    match scope {
        Scope::Platform => ("platform", Uuid::nil()),
        Scope::Programme(p) => ("programme", p.0),
        Scope::Organisation(o) => ("organisation", o.0),
    }
}

fn grant(row: &Row) -> StoreResult<RoleGrant> {
    let role: String = get(row, "role")?;
    let kind: String = get(row, "scope_kind")?;
    let id = uuid(row, "scope_id")?;
    grant_of(UserId(uuid(row, "user_id")?), role, &kind, id)
}

fn grant_of(user: UserId, role: String, kind: &str, id: Uuid) -> StoreResult<RoleGrant> {
    let scope = match kind {
        "platform" => Scope::Platform,
        "programme" => Scope::Programme(ProgrammeId(id)),
        "organisation" => Scope::Organisation(OrganisationId(id)),
        other => return Err(StoreError::Corrupt(format!("unknown scope {other:?}"))),
    };
    Ok(RoleGrant {
        user,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown role {role:?}")))?,
        scope,
    })
}

/// A token, its user's member and grants in one statement (so one
/// snapshot): a row per grant, or one row with NULL grant columns. Columns
/// are read by position; this runs on every API request.
const TOKEN_HOLDER_SELECT: &str = "SELECT t.token_hash, t.user_id, t.label, t.created_at, t.expires_at, u.member_id, g.role, g.scope_kind, g.scope_id
     FROM api_tokens t
     JOIN users u ON u.id = t.user_id
     LEFT JOIN role_grants g ON g.user_id = t.user_id
     WHERE t.token_hash = ?1
     ORDER BY g.role, g.scope_kind, g.scope_id";

fn opt_id_at(row: &Row, i: usize) -> StoreResult<Option<Uuid>> {
    let value = row.get_ref(i).map_err(internal)?;
    if value == rusqlite::types::ValueRef::Null {
        return Ok(None);
    }
    let bytes = value
        .as_blob()
        .map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))?;
    Uuid::from_slice(bytes)
        .map(Some)
        .map_err(|_| StoreError::Corrupt(format!("column {i} holds no UUID")))
}

fn id_at(row: &Row, i: usize) -> StoreResult<Uuid> {
    opt_id_at(row, i)?.ok_or_else(|| StoreError::Corrupt(format!("column {i} holds no UUID")))
}

fn token_holder(conn: &Connection, token_hash: &str) -> StoreResult<Option<TokenHolder>> {
    let mut stmt = conn.prepare_cached(TOKEN_HOLDER_SELECT).map_err(internal)?;
    let mut rows = stmt.query([token_hash]).map_err(internal)?;
    let mut holder: Option<TokenHolder> = None;
    while let Some(row) = rows.next().map_err(internal)? {
        let holder = match &mut holder {
            Some(h) => h,
            None => {
                let user = UserId(id_at(row, 1)?);

                holder.insert(TokenHolder {
                    token: ApiTokenRecord {
                        token_hash: row.get(0).map_err(internal)?,
                        user,
                        label: row.get(2).map_err(internal)?,
                        created_at: time(row.get(3).map_err(internal)?)?,
                        expires_at: time(row.get(4).map_err(internal)?)?,
                    },
                    member: opt_id_at(row, 5)?.map(MemberId),
                    grants: Vec::new(),
                })
            }
        };
        let role: Option<String> = row.get(6).map_err(internal)?;
        if let Some(role) = role {
            let kind: String = row.get(7).map_err(internal)?;
            let grant = grant_of(holder.token.user, role, &kind, id_at(row, 8)?)?;
            holder.grants.push(grant);
        }
    }
    Ok(holder)
}

/// Runs a one-parameter query and maps every row.
fn query_all<T>(
    conn: &Connection,
    sql: &str,
    param: impl rusqlite::ToSql,
    map: impl Fn(&Row) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql).map_err(internal)?;
    let mut rows = stmt.query([param]).map_err(internal)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(internal)? {
        out.push(map(row)?);
    }
    Ok(out)
}

fn query_one<T>(
    conn: &Connection,
    sql: &str,
    param: impl rusqlite::ToSql,
    map: impl Fn(&Row) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    Ok(query_all(conn, sql, param, map)?.into_iter().next())
}

#[async_trait]
impl CoreStore for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        self.read(|c| {
            c.query_row("SELECT count(*) FROM programmes", [], |_| Ok(()))
                .map_err(internal)
        })
        .await
    }

    async fn create_programme(&self, p: &Programme, accounts: &[Account]) -> StoreResult<()> {
        let (p, accounts) = (p.clone(), accounts.to_vec());
        self.write(move |c| {
            c.execute(
                "INSERT INTO programmes (id, name, locality, time_zone, language, issuance_account, retired_account, expired_account, community_pot_account, exchange_overdraft_minutes, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![blob(p.id.0), p.name, p.locality, p.time_zone, p.language, blob(p.issuance_account.0), blob(p.retired_account.0), blob(p.expired_account.0), blob(p.community_pot_account.0), p.exchange_overdraft_minutes, micros(p.created_at)],
            )
            .map_err(unique("programme"))?;
            insert_accounts(c, &accounts)
        })
        .await
    }

    async fn programmes(&self) -> StoreResult<Vec<Programme>> {
        self.read(|c| {
            ledger::collect(
                c,
                "SELECT * FROM programmes ORDER BY created_at, name",
                programme,
            )
        })
        .await
    }

    async fn programme(&self, id: ProgrammeId) -> StoreResult<Option<Programme>> {
        self.read_point(move |c| {
            query_one(
                c,
                "SELECT * FROM programmes WHERE id = ?1",
                blob(id.0),
                programme,
            )
        })
        .await
    }

    async fn create_organisation(&self, o: &Organisation, accounts: &[Account]) -> StoreResult<()> {
        let (o, accounts) = (o.clone(), accounts.to_vec());
        self.write(move |c| {
            insert_accounts(c, &accounts)?;
            c.execute(
                "INSERT INTO organisations (id, programme_id, name, account_id, pot_account_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![blob(o.id.0), blob(o.programme.0), o.name, blob(o.account.0), blob(o.pot_account.0), micros(o.created_at)],
            )
            .map_err(unique("organisation"))?;
            Ok(())
        })
        .await
    }

    async fn organisations(&self, p: ProgrammeId) -> StoreResult<Vec<Organisation>> {
        self.read(move |c| {
            query_all(
                c,
                "SELECT * FROM organisations WHERE programme_id = ?1 ORDER BY name",
                blob(p.0),
                organisation,
            )
        })
        .await
    }

    async fn organisation(&self, id: OrganisationId) -> StoreResult<Option<Organisation>> {
        self.read_point(move |c| {
            query_one(
                c,
                "SELECT * FROM organisations WHERE id = ?1",
                blob(id.0),
                organisation,
            )
        })
        .await
    }

    async fn create_member(&self, m: &Member, account: &Account) -> StoreResult<()> {
        let (m, account) = (m.clone(), account.clone());
        self.write(move |c| {
            insert_accounts(c, std::slice::from_ref(&account))?;
            c.execute(
                "INSERT INTO members (id, programme_id, member_number, display_name, account_id, user_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![blob(m.id.0), blob(m.programme.0), m.number.value(), m.display_name, blob(m.account.0), m.user.map(|u| blob(u.0)), micros(m.created_at)],
            )
            .map_err(unique("member number"))?;
            Ok(())
        })
        .await
    }

    async fn members(&self, p: ProgrammeId) -> StoreResult<Vec<Member>> {
        self.read(move |c| query_all(c, "SELECT * FROM members WHERE programme_id = ?1 ORDER BY display_name, member_number", blob(p.0), member)).await
    }

    async fn member(&self, id: MemberId) -> StoreResult<Option<Member>> {
        self.read_point(move |c| {
            query_one(c, "SELECT * FROM members WHERE id = ?1", blob(id.0), member)
        })
        .await
    }

    async fn member_by_number(&self, number: MemberNumber) -> StoreResult<Option<Member>> {
        self.read_point(move |c| {
            query_one(
                c,
                "SELECT * FROM members WHERE member_number = ?1",
                number.value(),
                member,
            )
        })
        .await
    }

    async fn link_member_user(&self, m: MemberId, u: UserId) -> StoreResult<()> {
        self.write(move |c| {
            c.execute(
                "UPDATE members SET user_id = ?2 WHERE id = ?1",
                params![blob(m.0), blob(u.0)],
            )
            .map_err(internal)?;
            c.execute(
                "UPDATE users SET member_id = ?1 WHERE id = ?2",
                params![blob(m.0), blob(u.0)],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn account(&self, id: AccountId) -> StoreResult<Option<AccountState>> {
        self.read(move |c| ledger::account_with_balance(c, id))
            .await
    }

    async fn set_account_status(&self, id: AccountId, status: AccountStatus) -> StoreResult<()> {
        self.write(move |c| {
            c.execute(
                "UPDATE accounts SET status = ?2 WHERE id = ?1",
                params![blob(id.0), status.as_str()],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn set_exchange_overdraft(&self, id: AccountId, minutes: i64) -> StoreResult<()> {
        self.write(move |c| {
            c.execute(
                "UPDATE accounts SET exchange_overdraft_minutes = MAX(?2, COALESCE(floor_minutes - balance_minutes, 0)) WHERE id = ?1",
                params![blob(id.0), minutes],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn post(
        &self,
        requests: Vec<PostingRequest>,
        at: DateTime<Utc>,
    ) -> Result<Plan, PostError> {
        self.write(move |c| ledger::post(c, &requests, at)).await
    }

    async fn transfer(&self, id: TransferId) -> StoreResult<Option<Transfer>> {
        self.read(move |c| ledger::transfer_by_id(c, id)).await
    }

    async fn balance_as_of(&self, account: AccountId, as_of: DateTime<Utc>) -> StoreResult<i64> {
        self.read(move |c| {
            ledger::summed_balance(c, account, Some(micros(as_of).saturating_add(1)))
        })
        .await
    }

    async fn account_transfers(
        &self,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: u32,
    ) -> StoreResult<(i64, Vec<Transfer>)> {
        self.read(move |c| ledger::account_transfers(c, account, from, to, limit))
            .await
    }

    async fn programme_transfers(
        &self,
        programme: ProgrammeId,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Transfer>> {
        self.read(move |c| ledger::programme_transfers(c, programme, to))
            .await
    }

    async fn circulation_groups(
        &self,
        programme: ProgrammeId,
        accounts: timecredits_ledger::circulation::ProgrammeAccounts,
        from: Option<DateTime<Utc>>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<timecredits_ledger::circulation::Group>> {
        self.read(move |c| ledger::circulation_groups(c, programme, accounts, from, to))
            .await
    }

    async fn verify(&self) -> StoreResult<VerifyReport> {
        self.read(ledger::verify).await
    }

    async fn transfer_count(&self) -> StoreResult<u64> {
        self.read(|c| {
            c.query_row("SELECT count(*) FROM transfers", [], |r| r.get(0))
                .map_err(internal)
        })
        .await
    }

    async fn create_user(&self, u: &User) -> StoreResult<()> {
        let u = u.clone();
        self.write(move |c| {
            c.execute(
                "INSERT INTO users (id, email, display_name, password_hash, pin_hash, member_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![blob(u.id.0), u.email, u.display_name, u.password_hash, u.pin_hash, u.member.map(|m| blob(m.0)), micros(u.created_at)],
            )
            .map_err(unique("email"))?;
            Ok(())
        })
        .await
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.read_point(move |c| {
            query_one(c, "SELECT * FROM users WHERE id = ?1", blob(id.0), user)
        })
        .await
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let email = email.to_owned();
        self.read(move |c| query_one(c, "SELECT * FROM users WHERE email = ?1", email, user))
            .await
    }

    async fn set_user_secrets(
        &self,
        id: UserId,
        password_hash: Option<&str>,
        pin_hash: Option<&str>,
    ) -> StoreResult<()> {
        let (pw, pin) = (
            password_hash.map(str::to_owned),
            pin_hash.map(str::to_owned),
        );
        self.write(move |c| {
            c.execute(
                "UPDATE users SET password_hash = COALESCE(?2, password_hash), pin_hash = COALESCE(?3, pin_hash) WHERE id = ?1",
                params![blob(id.0), pw, pin],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn grant_role(&self, g: &RoleGrant) -> StoreResult<()> {
        let g = *g;
        self.write(move |c| {
            let (kind, id) = scope_parts(g.scope);
            c.execute(
                "INSERT OR IGNORE INTO role_grants (user_id, role, scope_kind, scope_id) VALUES (?1, ?2, ?3, ?4)",
                params![blob(g.user.0), g.role.as_str(), kind, blob(id)],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn roles(&self, u: UserId) -> StoreResult<Vec<RoleGrant>> {
        self.read_point(move |c| {
            query_all(
                c,
                "SELECT * FROM role_grants WHERE user_id = ?1 ORDER BY role, scope_kind, scope_id",
                blob(u.0),
                grant,
            )
        })
        .await
    }

    async fn create_session(&self, s: &SessionRecord) -> StoreResult<()> {
        let s = s.clone();
        self.write(move |c| {
            c.execute(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![s.id_hash, blob(s.user.0), s.csrf_token, micros(s.created_at), micros(s.expires_at)],
            )
            .map_err(unique("session"))?;
            Ok(())
        })
        .await
    }

    async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let id_hash = id_hash.to_owned();
        self.read_point(move |c| {
            query_one(
                c,
                "SELECT * FROM sessions WHERE id_hash = ?1",
                id_hash,
                |r| {
                    Ok(SessionRecord {
                        id_hash: get(r, "id_hash")?,
                        user: UserId(uuid(r, "user_id")?),
                        csrf_token: get(r, "csrf_token")?,
                        created_at: time(get(r, "created_at")?)?,
                        expires_at: time(get(r, "expires_at")?)?,
                    })
                },
            )
        })
        .await
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        let id_hash = id_hash.to_owned();
        self.write(move |c| {
            c.execute("DELETE FROM sessions WHERE id_hash = ?1", [id_hash])
                .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn create_api_token(&self, t: &ApiTokenRecord) -> StoreResult<()> {
        let t = t.clone();
        self.write(move |c| {
            c.execute(
                "INSERT INTO api_tokens (token_hash, user_id, label, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![t.token_hash, blob(t.user.0), t.label, micros(t.created_at), micros(t.expires_at)],
            )
            .map_err(unique("token"))?;
            Ok(())
        })
        .await
    }

    async fn api_token_holder(&self, token_hash: &str) -> StoreResult<Option<TokenHolder>> {
        let token_hash = token_hash.to_owned();
        self.read_point(move |c| token_holder(c, &token_hash)).await
    }
}

//! A programme with one organisation and some members, written straight
//! through the `Store` (no actor, no use case): for workloads, load
//! drivers and storage tests, which exercise the ledger rather than setup.

use chrono::{DateTime, Utc};
use timecredits_ledger::{
    AccountId, ActorId, Cause, CauseKind, Minutes, Movement, Outcome, PostingRequest, ProgrammeId,
    TransferId, TransferKind,
};
use uuid::Uuid;

use crate::{
    App, AppError, Member, MemberId, MemberNumber, NewProgramme, Organisation, OrganisationId,
    Programme, Store, StoreError, StoreResult,
};

pub struct ProgrammeFixture {
    pub programme: Programme,
    pub organisation: Organisation,
    pub members: Vec<Member>,
}

/// Opens a programme named `name` with one organisation and `members`
/// members. Every id comes from `next_id`, so a seeded caller gets the same
/// records every time. Member numbers start at `first_number` (a six-digit
/// base) and skip any already taken.
pub async fn open_programme(
    store: &dyn Store,
    next_id: &mut dyn FnMut() -> Uuid,
    name: &str,
    members: usize,
    exchange_overdraft_minutes: i64,
    first_number: u32,
    at: DateTime<Utc>,
) -> StoreResult<ProgrammeFixture> {
    let details = NewProgramme {
        name: name.to_owned(),
        locality: "Testshire".into(),
        time_zone: "Europe/London".into(),
        language: "en".into(),
        exchange_overdraft_minutes,
    };
    let account_ids = [(); 4].map(|_| AccountId(next_id()));
    let (programme, accounts) = Programme::open(ProgrammeId(next_id()), &details, account_ids, at);
    store.create_programme(&programme, &accounts).await?;
    let (organisation, accounts) = Organisation::open(
        OrganisationId(next_id()),
        programme.id,
        format!("{name} Hall"),
        [AccountId(next_id()), AccountId(next_id())],
        at,
    );
    store.create_organisation(&organisation, &accounts).await?;
    let mut list = Vec::with_capacity(members);
    let mut base = first_number;
    for i in 0..members {
        let (id, account_id) = (MemberId(next_id()), AccountId(next_id()));
        loop {
            let number = MemberNumber::from_base(base).ok_or_else(|| {
                StoreError::Internal(format!("member number base {base} is out of range"))
            })?;
            base = if base >= 999_999 { 100_000 } else { base + 1 };
            let (member, account) = Member::open(
                id,
                &programme,
                number,
                format!("Member {i}"),
                account_id,
                at,
            );
            match store.create_member(&member, &account).await {
                Ok(()) => {
                    list.push(member);
                    break;
                }
                Err(StoreError::Duplicate(_)) => continue,
                Err(e) => return Err(e),
            }
        }
    }
    Ok(ProgrammeFixture {
        programme,
        organisation,
        members: list,
    })
}

/// Opening credits for a test or workload member, posted straight to the
/// ledger as an issuance with no contribution behind it.
///
/// Not a use case: the product issues credits only by confirming
/// contributions (register, claim, direct record or import), so that every
/// credit has a record of the time given. Set-up code that needs a member to
/// hold credits before the behaviour under test calls this instead.
pub async fn seed_credits(app: &App, member: MemberId, minutes: i64) -> Result<Outcome, AppError> {
    let member = app
        .store()
        .member(member)
        .await?
        .ok_or(AppError::NotFound("member"))?;
    let programme = app
        .store()
        .programme(member.programme)
        .await?
        .ok_or(AppError::NotFound("programme"))?;
    let mut plan = app
        .store()
        .post(
            vec![PostingRequest {
                id: TransferId(Uuid::now_v7()),
                movement: Movement::Move {
                    kind: TransferKind::Issue,
                    debit: programme.issuance_account,
                    credit: member.account,
                    amount: Minutes::for_transfer(minutes)?,
                },
                // Nobody did this: set-up credits name no person.
                actor: ActorId(Uuid::nil()),
                reason: "set-up credits".into(),
                cause: Some(Cause {
                    kind: CauseKind::Note,
                    id: member.id.0,
                }),
            }],
            app.now(),
        )
        .await?;
    Ok(plan.outcomes.remove(0))
}

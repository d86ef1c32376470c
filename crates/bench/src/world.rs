//! A programme set up through the public API alone, as an administrator and
//! then its manager would: programme, manager, one partner that earns and
//! spends, its coordinator and desk staff, an activity, an offer and members.

use chrono::{Duration, NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::api::{Api, field};
use crate::server::{ADMIN_EMAIL, ADMIN_PASSWORD};

pub const MANAGER_EMAIL: &str = "manager@bench.example";
pub const COORDINATOR_EMAIL: &str = "coordinator@bench.example";
pub const DESK_EMAIL: &str = "desk@bench.example";
pub const STAFF_PASSWORD: &str = "a long bench staff password";
pub const MEMBER_PIN: &str = "2468";

#[derive(Clone, Debug)]
pub struct Member {
    pub id: String,
    pub number: String,
}

#[derive(Clone, Debug)]
pub struct World {
    pub programme: String,
    pub organisation: String,
    pub organisation_name: String,
    pub activity: String,
    pub activity_title: String,
    pub offer: String,
    pub manager_token: String,
    pub coordinator_token: String,
    pub desk_token: String,
    pub members: Vec<Member>,
}

/// Sets up a world with `members` members; the first `with_pin` of them get
/// a PIN so they can sign in to the pages.
pub async fn set_up(api: &Api, members: usize, with_pin: usize) -> Result<World, String> {
    let admin = api.token(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let programme = api
        .post(
            "/programmes",
            &admin,
            None,
            &json!({"name": "Bench Time Credits", "locality": "Benchton",
                    "time_zone": "Europe/London", "language": "en"}),
        )
        .await?
        .expect(&[201], "create programme")?;
    let programme_id = field(&programme, "id")?;
    api.post(
        &format!("/programmes/{programme_id}/staff"),
        &admin,
        None,
        &json!({"email": MANAGER_EMAIL, "display_name": "Bench Manager",
                "password": STAFF_PASSWORD, "role": "programme_manager"}),
    )
    .await?
    .expect(&[201, 200], "add manager")?;
    let manager_token = api.token(MANAGER_EMAIL, STAFF_PASSWORD).await?;
    let organisation_name = "Benchton Lunch Club".to_owned();
    let organisation = api
        .post(
            &format!("/programmes/{programme_id}/organisations"),
            &manager_token,
            None,
            &json!({"name": organisation_name, "kind": "community_group", "roles": "both"}),
        )
        .await?
        .expect(&[201], "create organisation")?;
    let organisation_id = field(&organisation, "id")?;
    for (email, name, role) in [
        (COORDINATOR_EMAIL, "Casey Coordinator", "coordinator"),
        (DESK_EMAIL, "Dana Desk", "spend_staff"),
    ] {
        api.post(
            &format!("/organisations/{organisation_id}/staff"),
            &manager_token,
            None,
            &json!({"email": email, "display_name": name, "password": STAFF_PASSWORD, "role": role}),
        )
        .await?
        .expect(&[201, 200], "add staff")?;
    }
    let coordinator_token = api.token(COORDINATOR_EMAIL, STAFF_PASSWORD).await?;
    let desk_token = api.token(DESK_EMAIL, STAFF_PASSWORD).await?;
    let activity_title = "Lunch club kitchen".to_owned();
    let activity = api
        .post(
            "/activities",
            &coordinator_token,
            None,
            &json!({"organisation": organisation_id, "title": activity_title,
                    "level": "group", "mode": "co_delivery", "usual_duration_minutes": 60}),
        )
        .await?
        .expect(&[201], "create activity")?;
    let offer = api
        .post(
            "/offers",
            &desk_token,
            None,
            &json!({"organisation": organisation_id, "title": "One swim",
                    "price_minutes": 60, "audience": "adult",
                    "valid_from": (Utc::now().date_naive() - Duration::days(1)).to_string()}),
        )
        .await?
        .expect(&[201], "create offer")?;
    let members = register_members(api, &manager_token, &programme_id, members, with_pin).await?;
    Ok(World {
        programme: programme_id,
        organisation: organisation_id,
        organisation_name,
        activity: field(&activity, "id")?,
        activity_title,
        offer: field(&offer, "id")?,
        manager_token,
        coordinator_token,
        desk_token,
        members,
    })
}

/// Registers members on their behalf, eight requests at a time.
async fn register_members(
    api: &Api,
    token: &str,
    programme: &str,
    count: usize,
    with_pin: usize,
) -> Result<Vec<Member>, String> {
    let mut members = Vec::with_capacity(count);
    let indices: Vec<usize> = (0..count).collect();
    for chunk in indices.chunks(8) {
        let mut tasks = Vec::new();
        for &i in chunk {
            let (api, token, programme) = (api.clone(), token.to_owned(), programme.to_owned());
            let pin = (i < with_pin).then_some(MEMBER_PIN);
            tasks.push(tokio::spawn(async move {
                let body = json!({"display_name": format!("Member {i}"), "pin": pin});
                let r = api
                    .post(
                        &format!("/programmes/{programme}/members"),
                        &token,
                        None,
                        &body,
                    )
                    .await?
                    .expect(&[201], "register member")?;
                Ok::<_, String>(Member {
                    id: field(&r, "member_id")?,
                    number: field(&r, "member_number")?,
                })
            }));
        }
        for t in tasks {
            members.push(t.await.map_err(|e| e.to_string())??);
        }
    }
    Ok(members)
}

/// A past date `days_ago` days before today (UTC); today in Europe/London
/// is never earlier than yesterday in UTC, so these are never "future".
pub fn past_date(days_ago: i64) -> NaiveDate {
    Utc::now().date_naive() - Duration::days(days_ago.max(1))
}

/// A direct record of `minutes` for `member` on a past day.
pub fn contribution_body(world: &World, member: &str, days_ago: i64, minutes: i64) -> String {
    json!({"member": member, "activity": world.activity,
           "date": past_date(days_ago).to_string(), "minutes": minutes})
    .to_string()
}

pub fn new_key() -> Uuid {
    Uuid::now_v7()
}

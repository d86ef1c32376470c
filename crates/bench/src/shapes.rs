//! Checks that the generated rows of scenario (d) have the shape of the
//! rows the app itself wrote for the two template members (through the
//! API): for each kind of record, a signature of what must hold (constant
//! columns, columns that must equal others, references that must resolve)
//! is computed for every row, and the generated rows may show no signature
//! that the app's rows do not. A missing row shows as the signature
//! "missing".

use std::collections::BTreeSet;
use std::path::Path;

use rusqlite::{Connection, OpenFlags, params};
use uuid::Uuid;

use crate::generate::derived_transfer_id;

/// (what, SQL giving one signature per record). `?1`/`?2` are the template
/// members, `?3` is 1 for every record and 0 for the templates' only, `?4`
/// the programme.
const CHECKS: &[(&str, &str)] = &[
    (
        "member accounts",
        "SELECT ifnull(a.kind || '|' || a.status || '|' || quote(a.floor_minutes) || '|' || a.exchange_overdraft_minutes
                || '|' || typeof(a.balance_minutes) || '|' || (a.owner_id = m.id) || (a.programme_id = m.programme_id), 'missing')
         FROM members m LEFT JOIN accounts a ON a.id = m.account_id
         WHERE m.programme_id = ?4 AND (?3 OR m.id IN (?1, ?2))",
    ),
    (
        "members",
        "SELECT quote(m.user_id) || '|' || typeof(m.created_at) || '|' || (m.display_name LIKE 'Member %')
                || '|' || (m.member_number BETWEEN 1000000 AND 9999999)
         FROM members m WHERE m.programme_id = ?4 AND (?3 OR m.id IN (?1, ?2))",
    ),
    (
        "registrations",
        "SELECT ifnull(r.channel || '|' || quote(r.organisation_id) || '|' || quote(r.registered_by) || '|'
                || (r.registered_at = m.created_at) || '|' || r.status || '|' || quote(r.decided_by)
                || quote(r.decided_at) || quote(r.decline_reason) || '|' || (r.programme_id = m.programme_id), 'missing')
         FROM members m LEFT JOIN member_registrations r ON r.member_id = m.id
         WHERE m.programme_id = ?4 AND (?3 OR m.id IN (?1, ?2))",
    ),
    (
        "member profiles",
        "SELECT ifnull(p.language || '|' || p.skills || '|' || p.skills_text || '|' || p.interests || '|'
                || p.interests_text || '|' || quote(p.email) || quote(p.phone) || '|' || quote(p.updated_by)
                || '|' || (p.updated_at = m.created_at), 'missing')
         FROM members m LEFT JOIN member_profiles p ON p.member_id = m.id
         WHERE m.programme_id = ?4 AND (?3 OR m.id IN (?1, ?2))",
    ),
    (
        "contributions and their issue postings",
        "SELECT ifnull(c.origin || '|' || quote(c.session_id) || quote(c.claim_id) || quote(c.corrects) || '|' || c.note
                || '|' || (c.transfer_id = c.id) || (c.idempotency_key = c.id) || '|' || quote(c.recorded_by)
                || '|' || (c.organisation_id = a.organisation_id) || (c.programme_id = m.programme_id)
                || '|' || (c.minutes % 15 = 0) || (date(c.contribution_date) = c.contribution_date)
                || '|' || t.kind || '|' || (t.reason = 'Time given: ' || a.title || ' on ' || c.contribution_date)
                || '|' || t.cause_kind || (t.cause_id = c.id) || (t.at = c.recorded_at) || (t.actor_id = c.recorded_by)
                || (t.amount_minutes = c.minutes) || (t.debit_account = g.issuance_account)
                || (t.credit_account = m.account_id) || '|' || quote(t.reverses), 'missing')
         FROM contributions c JOIN members m ON m.id = c.member_id JOIN activities a ON a.id = c.activity_id
         JOIN programmes g ON g.id = c.programme_id LEFT JOIN transfers t ON t.id = c.transfer_id
         WHERE m.programme_id = ?4 AND (?3 OR m.id IN (?1, ?2))",
    ),
    (
        "redemptions and their redeem and retire postings",
        "SELECT ifnull((r.organisation_id = o.organisation_id) || (r.price_minutes = o.price_minutes)
                || (r.programme_id = m.programme_id) || '|' || quote(r.redeemed_by)
                || '|' || t.kind || '|' || (t.debit_account = m.account_id) || (t.credit_account = g.account_id)
                || (t.amount_minutes = r.price_minutes) || (t.at >= r.redeemed_at) || (t.actor_id = r.redeemed_by)
                || (t.reason = o.title || ' at ' || g.name) || '|' || t.cause_kind || (t.cause_id = r.id)
                || quote(t.reverses)
                || '|' || x.kind || '|' || (x.debit_account = g.account_id) || (x.credit_account = p.retired_account)
                || (x.amount_minutes = r.price_minutes) || (x.at = t.at) || (x.actor_id = t.actor_id)
                || (x.reason = 'Retired on receipt: ' || o.title) || '|' || x.cause_kind || (x.cause_id = r.id)
                || quote(x.reverses), 'missing')
         FROM redemptions r JOIN members m ON m.id = r.member_id JOIN offers o ON o.id = r.offer_id
         JOIN organisations g ON g.id = r.organisation_id JOIN programmes p ON p.id = r.programme_id
         LEFT JOIN transfers t ON t.id = r.id LEFT JOIN transfers x ON x.id = r.retire_transfer_id
         WHERE m.programme_id = ?4 AND (?3 OR m.id IN (?1, ?2))",
    ),
    (
        "consent records",
        "SELECT c.decision || '|' || c.wording_version || '|' || quote(c.recorded_by) || '|' || c.by_proxy
                || '|' || (c.programme_id = m.programme_id) || (c.at >= m.created_at)
         FROM evaluation_consents c JOIN members m ON m.id = c.member_id
         WHERE m.programme_id = ?4 AND (?3 OR m.id IN (?1, ?2))",
    ),
    (
        "evaluation profiles",
        "SELECT (p.programme_id = m.programme_id) || '|' || quote(p.updated_by) || '|' || typeof(p.year_of_birth)
                || '|' || (p.postcode IS NULL OR p.postcode = 'prefer_not_to_say'
                           OR p.postcode IN (SELECT postcode FROM postcode_areas))
                || '|' || (p.updated_at >= m.created_at)
                || '|' || EXISTS (SELECT 1 FROM evaluation_consents c WHERE c.member_id = m.id
                                  AND c.decision = 'given' AND c.at <= p.updated_at)
         FROM evaluation_profiles p JOIN members m ON m.id = p.member_id
         WHERE m.programme_id = ?4 AND (?3 OR m.id IN (?1, ?2))",
    ),
    (
        "survey responses",
        "SELECT r.instrument || '|' || r.instrument_version || '|' || quote(r.metric_hundredths) || '|' || r.complete
                || '|' || quote(r.entered_by) || '|' || r.by_proxy || '|' || (r.programme_id = m.programme_id)
                || '|' || (r.wave_months IN (0, 6, 12))
                || '|' || (r.raw_score IS (CASE WHEN r.instrument = 'ucla3'
                              THEN (SELECT sum(a.score) FROM survey_answers a WHERE a.response_id = r.id) END))
                || '|' || (SELECT count(*) FROM survey_answers a WHERE a.response_id = r.id)
                || '|' || EXISTS (SELECT 1 FROM evaluation_consents c WHERE c.member_id = m.id
                                  AND c.decision = 'given' AND c.at <= r.completed_at)
         FROM survey_responses r JOIN members m ON m.id = r.member_id
         WHERE m.programme_id = ?4 AND (?3 OR m.id IN (?1, ?2))",
    ),
    (
        "survey answers",
        "SELECT r.instrument || '|' || a.position || '|' || a.item || '|' || typeof(a.score) || '|' || quote(a.text_value)
                || '|' || (a.score BETWEEN CASE r.instrument WHEN 'ons4' THEN 0 ELSE 1 END
                                      AND CASE r.instrument WHEN 'ucla3' THEN 3 WHEN 'ons4' THEN 10 ELSE 5 END)
         FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id JOIN members m ON m.id = r.member_id
         WHERE m.programme_id = ?4 AND (?3 OR m.id IN (?1, ?2))",
    ),
    (
        "proxy actions",
        "SELECT quote(x.actor_user) || '|' || x.action
         FROM proxy_actions x JOIN members m ON m.id = x.member_id
         WHERE m.programme_id = ?4 AND (?3 OR m.id IN (?1, ?2))",
    ),
];

fn signatures(
    c: &Connection,
    sql: &str,
    templates: [Uuid; 2],
    all: bool,
    programme: Uuid,
) -> Result<BTreeSet<String>, String> {
    let mut stmt = c.prepare(sql).map_err(|e| format!("{e}: {sql}"))?;
    let mut rows = stmt
        .query(params![
            templates[0].as_bytes(),
            templates[1].as_bytes(),
            all,
            programme.as_bytes()
        ])
        .map_err(|e| e.to_string())?;
    let mut out = BTreeSet::new();
    while let Some(row) = rows.next().map_err(|e| e.to_string())? {
        let sig: Option<String> = row.get(0).map_err(|e| e.to_string())?;
        out.insert(sig.unwrap_or_else(|| "incomplete (a NULL where a value belongs)".into()));
    }
    Ok(out)
}

/// Runs every check; Ok(number of checks) or the first difference.
pub fn check(path: &Path, programme: Uuid, templates: [Uuid; 2]) -> Result<usize, String> {
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| e.to_string())?;
    for (what, sql) in CHECKS {
        let apps = signatures(&c, sql, templates, false, programme)?;
        if apps.is_empty() {
            return Err(format!("{what}: the template members have none"));
        }
        let every = signatures(&c, sql, templates, true, programme)?;
        let foreign: Vec<&String> = every.difference(&apps).collect();
        if !foreign.is_empty() {
            return Err(format!(
                "{what}: generated rows of a shape the app did not write: {foreign:?}; the app's: {apps:?}"
            ));
        }
    }
    // No posting without its record: every transfer is a contribution's
    // issue or a redemption's redeem or retire.
    let (transfers, accounted): (i64, i64) = c
        .query_row(
            "SELECT (SELECT count(*) FROM transfers),
                    (SELECT count(*) FROM contributions) + 2 * (SELECT count(*) FROM redemptions)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| e.to_string())?;
    if transfers != accounted {
        return Err(format!(
            "{transfers} postings, but contributions and redemptions account for {accounted}"
        ));
    }
    // The retire posting's id is derived from the redemption's as the app
    // derives it.
    let (id, retire): (Vec<u8>, Vec<u8>) = c
        .query_row(
            "SELECT id, retire_transfer_id FROM redemptions WHERE member_id = ?1",
            [templates[0].as_bytes()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| format!("the template member's redemption: {e}"))?;
    let id = Uuid::from_slice(&id).map_err(|e| e.to_string())?;
    if derived_transfer_id(id, "redemption-retire")
        .as_bytes()
        .as_slice()
        != retire.as_slice()
    {
        return Err("the generator derives retire posting ids differently from the app".into());
    }
    Ok(CHECKS.len() + 2)
}

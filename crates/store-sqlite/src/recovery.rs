//! `RecoveryStore` for SqliteStore: one-time reset codes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use timecredits_app::recovery::{RecoveryStore, ResetCodeId, ResetCodeRecord};
use timecredits_app::{StoreResult, UserId};

use crate::codec::{blob, get, micros, time, uuid};
use crate::{SqliteStore, internal};

fn reset_code(row: &Row) -> StoreResult<ResetCodeRecord> {
    let failed: i64 = get(row, "failed_attempts")?;
    Ok(ResetCodeRecord {
        id: ResetCodeId(uuid(row, "id")?),
        user: UserId(uuid(row, "user_id")?),
        code_hash: get(row, "code_hash")?,
        issued_by: UserId(uuid(row, "issued_by")?),
        created_at: time(get(row, "created_at")?)?,
        expires_at: time(get(row, "expires_at")?)?,
        failed_attempts: u32::try_from(failed).unwrap_or(u32::MAX),
    })
}

#[async_trait]
impl RecoveryStore for SqliteStore {
    async fn create_reset_code(&self, code: &ResetCodeRecord) -> StoreResult<()> {
        let code = code.clone();
        self.write(move |c| {
            c.execute(
                "UPDATE reset_codes SET ended_at = ?2, ended_how = 'superseded' WHERE user_id = ?1 AND ended_at IS NULL",
                params![blob(code.user.0), micros(code.created_at)],
            )
            .map_err(internal)?;
            c.execute(
                "INSERT INTO reset_codes (id, user_id, code_hash, issued_by, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    blob(code.id.0),
                    blob(code.user.0),
                    code.code_hash,
                    blob(code.issued_by.0),
                    micros(code.created_at),
                    micros(code.expires_at)
                ],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn live_reset_code(
        &self,
        user: UserId,
        now: DateTime<Utc>,
        max_failed_attempts: u32,
    ) -> StoreResult<Option<ResetCodeRecord>> {
        self.read(move |c| {
            let mut statement = c
                .prepare_cached(
                    "SELECT * FROM reset_codes WHERE user_id = ?1 AND ended_at IS NULL AND expires_at > ?2 AND failed_attempts < ?3 ORDER BY created_at DESC LIMIT 1",
                )
                .map_err(internal)?;
            let found = statement
                .query_row(
                    params![blob(user.0), micros(now), i64::from(max_failed_attempts)],
                    |row| Ok(reset_code(row)),
                )
                .optional()
                .map_err(internal)?;
            found.transpose()
        })
        .await
    }

    async fn count_failed_reset_attempt(&self, code: ResetCodeId) -> StoreResult<()> {
        self.write(move |c| {
            c.execute(
                "UPDATE reset_codes SET failed_attempts = failed_attempts + 1 WHERE id = ?1",
                [blob(code.0)],
            )
            .map_err(internal)?;
            Ok(())
        })
        .await
    }

    async fn finish_reset(
        &self,
        code: ResetCodeId,
        user: UserId,
        now: DateTime<Utc>,
        password_hash: Option<&str>,
        pin_hash: Option<&str>,
    ) -> StoreResult<bool> {
        let (password, pin) = (
            password_hash.map(str::to_owned),
            pin_hash.map(str::to_owned),
        );
        self.write(move |c| {
            let ended = c
                .execute(
                    "UPDATE reset_codes SET ended_at = ?3, ended_how = 'used' WHERE id = ?1 AND user_id = ?2 AND ended_at IS NULL",
                    params![blob(code.0), blob(user.0), micros(now)],
                )
                .map_err(internal)?;
            if ended != 1 {
                return Ok(false);
            }
            c.execute(
                "UPDATE users SET password_hash = COALESCE(?2, password_hash), pin_hash = COALESCE(?3, pin_hash) WHERE id = ?1",
                params![blob(user.0), password, pin],
            )
            .map_err(internal)?;
            c.execute("DELETE FROM sessions WHERE user_id = ?1", [blob(user.0)])
                .map_err(internal)?;
            c.execute("DELETE FROM api_tokens WHERE user_id = ?1", [blob(user.0)])
                .map_err(internal)?;
            Ok(true)
        })
        .await
    }
}

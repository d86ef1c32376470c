//! `RecoveryStore` for PgStore: one-time reset codes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use timecredits_app::recovery::{RecoveryStore, ResetCodeId, ResetCodeRecord};
use timecredits_app::{StoreResult, UserId};

use crate::PgStore;
use crate::error::db_err;
use crate::rows::get;

fn reset_code(row: &PgRow) -> StoreResult<ResetCodeRecord> {
    let failed: i32 = get(row, "failed_attempts")?;
    Ok(ResetCodeRecord {
        id: ResetCodeId(get(row, "id")?),
        user: UserId(get(row, "user_id")?),
        code_hash: get(row, "code_hash")?,
        issued_by: UserId(get(row, "issued_by")?),
        created_at: get(row, "created_at")?,
        expires_at: get(row, "expires_at")?,
        failed_attempts: u32::try_from(failed).unwrap_or(u32::MAX),
    })
}

#[async_trait]
impl RecoveryStore for PgStore {
    async fn create_reset_code(&self, code: &ResetCodeRecord) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        sqlx::query(
            "UPDATE reset_codes SET ended_at = $2, ended_how = 'superseded' WHERE user_id = $1 AND ended_at IS NULL",
        )
        .bind(code.user.0)
        .bind(code.created_at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO reset_codes (id, user_id, code_hash, issued_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(code.id.0)
        .bind(code.user.0)
        .bind(&code.code_hash)
        .bind(code.issued_by.0)
        .bind(code.created_at)
        .bind(code.expires_at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn live_reset_code(
        &self,
        user: UserId,
        now: DateTime<Utc>,
        max_failed_attempts: u32,
    ) -> StoreResult<Option<ResetCodeRecord>> {
        sqlx::query(
            "SELECT * FROM reset_codes WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 AND failed_attempts < $3 ORDER BY created_at DESC LIMIT 1",
        )
        .bind(user.0)
        .bind(now)
        .bind(i64::from(max_failed_attempts))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(reset_code)
        .transpose()
    }

    async fn count_failed_reset_attempt(&self, code: ResetCodeId) -> StoreResult<()> {
        sqlx::query("UPDATE reset_codes SET failed_attempts = failed_attempts + 1 WHERE id = $1")
            .bind(code.0)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn finish_reset(
        &self,
        code: ResetCodeId,
        user: UserId,
        now: DateTime<Utc>,
        password_hash: Option<&str>,
        pin_hash: Option<&str>,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        // The row update takes the code's lock: of two requests racing with
        // the same code, the second finds it ended and changes nothing.
        let ended = sqlx::query(
            "UPDATE reset_codes SET ended_at = $3, ended_how = 'used' WHERE id = $1 AND user_id = $2 AND ended_at IS NULL",
        )
        .bind(code.0)
        .bind(user.0)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?
        .rows_affected();
        if ended != 1 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE users SET password_hash = COALESCE($2, password_hash), pin_hash = COALESCE($3, pin_hash) WHERE id = $1",
        )
        .bind(user.0)
        .bind(password_hash)
        .bind(pin_hash)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        for statement in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM api_tokens WHERE user_id = $1",
        ] {
            sqlx::query(statement)
                .bind(user.0)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(true)
    }
}

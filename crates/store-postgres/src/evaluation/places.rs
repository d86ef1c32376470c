//! Postcode lookups and the Indices of Deprivation: each load replaces the
//! previous one of its data set in one transaction, inserting rows a chunk
//! at a time with `UNNEST`, so other connections see the old data or the
//! new, and a failed load leaves the old.

use std::collections::HashMap;

use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Postgres, Row};
use timecredits_app::evaluation::eval::imd::{
    Boundary, Decile, DomainDeciles, Edition, ImdRow, LsoaAssignment, LsoaCode, PostcodeArea,
};
use timecredits_app::evaluation::eval::postcode::Postcode;
use timecredits_app::evaluation::{DataLoad, LoadError, Rows, boundary_code, edition_code};
use timecredits_app::{StoreError, StoreResult, UserId};

use crate::PgStore;
use crate::error::db_err;

/// Rows per INSERT: large enough to be quick, small enough to hold.
const CHUNK: usize = 5_000;

fn corrupt(what: &str, raw: &str) -> StoreError {
    StoreError::Corrupt(format!("bad {what} {raw:?}"))
}

fn col<'r, T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>>(
    row: &'r PgRow,
    name: &str,
) -> StoreResult<T> {
    row.try_get(name).map_err(db_err)
}

async fn record_load(c: &mut PgConnection, load: &DataLoad, rows: u64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO place_data_loads (dataset, source, rows, loaded_at, loaded_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (dataset) DO UPDATE SET source = EXCLUDED.source, rows = EXCLUDED.rows,
             loaded_at = EXCLUDED.loaded_at, loaded_by = EXCLUDED.loaded_by",
    )
    .bind(&load.dataset)
    .bind(&load.source)
    .bind(i64::try_from(rows).unwrap_or(i64::MAX))
    .bind(load.loaded_at)
    .bind(load.loaded_by.0)
    .execute(&mut *c)
    .await
    .map_err(db_err)?;
    Ok(())
}

#[derive(Default)]
struct PostcodeChunk {
    postcodes: Vec<String>,
    areas: Vec<&'static str>,
    codes: Vec<Option<String>>,
    terminated: Vec<bool>,
    /// Where each postcode is in this chunk: a repeat replaces the earlier
    /// line, as it does on SQLite (one statement may not touch a row twice).
    index: HashMap<String, usize>,
}

impl PostcodeChunk {
    fn push(&mut self, row: PostcodeArea) {
        let (area, code) = match row.lsoa {
            LsoaAssignment::England(l) => ("england", Some(l.as_str().to_owned())),
            LsoaAssignment::OutsideEngland(other) => ("outside_england", Some(other)),
            LsoaAssignment::Unassigned => ("unassigned", None),
        };
        let postcode = row.postcode.to_string();
        if let Some(&i) = self.index.get(&postcode) {
            self.areas[i] = area;
            self.codes[i] = code;
            self.terminated[i] = row.terminated;
            return;
        }
        self.index.insert(postcode.clone(), self.postcodes.len());
        self.postcodes.push(postcode);
        self.areas.push(area);
        self.codes.push(code);
        self.terminated.push(row.terminated);
    }

    async fn write(&mut self, c: &mut PgConnection, boundary: &str) -> StoreResult<()> {
        if self.postcodes.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO postcode_areas (boundary, postcode, area, area_code, terminated)
             SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[], $5::boolean[])
             ON CONFLICT (boundary, postcode) DO UPDATE SET area = EXCLUDED.area,
                 area_code = EXCLUDED.area_code, terminated = EXCLUDED.terminated",
        )
        .bind(boundary)
        .bind(&self.postcodes)
        .bind(&self.areas)
        .bind(&self.codes)
        .bind(&self.terminated)
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
        *self = Self::default();
        Ok(())
    }
}

pub(super) async fn replace_postcodes(
    store: &PgStore,
    load: &DataLoad,
    boundary: Boundary,
    rows: Rows<PostcodeArea>,
) -> Result<u64, LoadError> {
    let code = boundary_code(boundary);
    let mut tx = store.pool.begin().await.map_err(db_err)?;
    sqlx::query("DELETE FROM postcode_areas WHERE boundary = $1")
        .bind(code)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    let mut chunk = PostcodeChunk::default();
    let mut written = 0u64;
    for row in rows {
        chunk.push(row?);
        written += 1;
        if chunk.postcodes.len() >= CHUNK {
            chunk.write(&mut tx, code).await?;
        }
    }
    chunk.write(&mut tx, code).await?;
    record_load(&mut tx, load, written).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(written)
}

#[derive(Default)]
struct ImdChunk {
    lsoas: Vec<String>,
    authorities: Vec<Option<String>>,
    ranks: Vec<i32>,
    deciles: Vec<i16>,
    /// Income, employment, education, health, crime, barriers, living environment.
    domains: [Vec<Option<i16>>; 7],
}

impl ImdChunk {
    fn push(&mut self, row: ImdRow) {
        self.lsoas.push(row.lsoa.as_str().to_owned());
        self.authorities.push(row.local_authority);
        self.ranks.push(i32::try_from(row.rank).unwrap_or(i32::MAX));
        self.deciles.push(i16::from(row.decile.get()));
        let d = row.domains.map(|d| {
            [
                d.income,
                d.employment,
                d.education,
                d.health,
                d.crime,
                d.barriers,
                d.living_environment,
            ]
        });
        for (i, list) in self.domains.iter_mut().enumerate() {
            list.push(d.map(|d| i16::from(d[i].get())));
        }
    }

    async fn write(&mut self, c: &mut PgConnection, edition: &str) -> StoreResult<()> {
        if self.lsoas.is_empty() {
            return Ok(());
        }
        let [inc, emp, edu, hea, cri, bar, env] = &self.domains;
        sqlx::query(
            "INSERT INTO imd_areas (edition, lsoa, local_authority, imd_rank, imd_decile, income_decile, employment_decile,
                 education_decile, health_decile, crime_decile, barriers_decile, living_environment_decile)
             SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::integer[], $5::smallint[], $6::smallint[],
                 $7::smallint[], $8::smallint[], $9::smallint[], $10::smallint[], $11::smallint[], $12::smallint[])",
        )
        .bind(edition)
        .bind(&self.lsoas)
        .bind(&self.authorities)
        .bind(&self.ranks)
        .bind(&self.deciles)
        .bind(inc)
        .bind(emp)
        .bind(edu)
        .bind(hea)
        .bind(cri)
        .bind(bar)
        .bind(env)
        .execute(&mut *c)
        .await
        .map_err(db_err)?;
        *self = Self::default();
        Ok(())
    }
}

pub(super) async fn replace_imd(
    store: &PgStore,
    load: &DataLoad,
    edition: Edition,
    rows: Rows<ImdRow>,
) -> Result<u64, LoadError> {
    let code = edition_code(edition);
    let mut tx = store.pool.begin().await.map_err(db_err)?;
    sqlx::query("DELETE FROM imd_areas WHERE edition = $1")
        .bind(code)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    let mut chunk = ImdChunk::default();
    let mut written = 0u64;
    for row in rows {
        chunk.push(row?);
        written += 1;
        if chunk.lsoas.len() >= CHUNK {
            chunk.write(&mut tx, code).await?;
        }
    }
    chunk.write(&mut tx, code).await?;
    record_load(&mut tx, load, written).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(written)
}

pub(super) async fn postcode_area(
    store: &PgStore,
    boundary: Boundary,
    postcode: &str,
) -> StoreResult<Option<PostcodeArea>> {
    let row = sqlx::query(
        "SELECT area, area_code, terminated FROM postcode_areas WHERE boundary = $1 AND postcode = $2",
    )
    .bind(boundary_code(boundary))
    .bind(postcode)
    .fetch_optional(&store.pool)
    .await
    .map_err(db_err)?;
    let Some(row) = row else { return Ok(None) };
    let area: String = col(&row, "area")?;
    let code: Option<String> = col(&row, "area_code")?;
    let lsoa = match (area.as_str(), code) {
        ("england", Some(code)) => {
            LsoaAssignment::England(LsoaCode::parse(&code).ok_or_else(|| corrupt("LSOA", &code))?)
        }
        ("outside_england", Some(code)) => LsoaAssignment::OutsideEngland(code),
        ("unassigned", None) => LsoaAssignment::Unassigned,
        (other, _) => return Err(corrupt("postcode area", other)),
    };
    Ok(Some(PostcodeArea {
        postcode: Postcode::parse(postcode).map_err(|_| corrupt("postcode", postcode))?,
        lsoa,
        terminated: col(&row, "terminated")?,
    }))
}

fn decile(row: &PgRow, name: &str) -> StoreResult<Decile> {
    let value: i16 = col(row, name)?;
    u8::try_from(value)
        .ok()
        .and_then(Decile::new)
        .ok_or_else(|| corrupt("decile", &value.to_string()))
}

pub(super) async fn imd_area(
    store: &PgStore,
    edition: Edition,
    lsoa: &str,
) -> StoreResult<Option<ImdRow>> {
    let row = sqlx::query("SELECT * FROM imd_areas WHERE edition = $1 AND lsoa = $2")
        .bind(edition_code(edition))
        .bind(lsoa)
        .fetch_optional(&store.pool)
        .await
        .map_err(db_err)?;
    let Some(row) = row else { return Ok(None) };
    let code: String = col(&row, "lsoa")?;
    let rank: i32 = col(&row, "imd_rank")?;
    let domains = if col::<Option<i16>>(&row, "income_decile")?.is_some() {
        Some(DomainDeciles {
            income: decile(&row, "income_decile")?,
            employment: decile(&row, "employment_decile")?,
            education: decile(&row, "education_decile")?,
            health: decile(&row, "health_decile")?,
            crime: decile(&row, "crime_decile")?,
            barriers: decile(&row, "barriers_decile")?,
            living_environment: decile(&row, "living_environment_decile")?,
        })
    } else {
        None
    };
    Ok(Some(ImdRow {
        lsoa: LsoaCode::parse(&code).ok_or_else(|| corrupt("LSOA", &code))?,
        local_authority: col(&row, "local_authority")?,
        rank: u32::try_from(rank).map_err(|_| corrupt("rank", &rank.to_string()))?,
        decile: decile(&row, "imd_decile")?,
        domains,
    }))
}

pub(super) async fn data_loads(store: &PgStore) -> StoreResult<Vec<DataLoad>> {
    let rows = sqlx::query(
        "SELECT dataset, source, rows, loaded_at, loaded_by FROM place_data_loads ORDER BY dataset",
    )
    .fetch_all(&store.pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok(DataLoad {
                dataset: col(row, "dataset")?,
                source: col(row, "source")?,
                rows: u64::try_from(col::<i64>(row, "rows")?).unwrap_or(0),
                loaded_at: col(row, "loaded_at")?,
                loaded_by: UserId(col(row, "loaded_by")?),
            })
        })
        .collect()
}

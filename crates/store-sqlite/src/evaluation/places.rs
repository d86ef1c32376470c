//! Postcode lookups and the Indices of Deprivation: each load replaces the
//! previous one of its data set inside one writer job, so readers see the
//! old data or the new, never a mix, and a failed load leaves the old.

use rusqlite::{Connection, OptionalExtension, Row, params};
use timecredits_app::evaluation::eval::imd::{
    Boundary, Decile, DomainDeciles, Edition, ImdRow, LsoaAssignment, LsoaCode, PostcodeArea,
};
use timecredits_app::evaluation::eval::postcode::Postcode;
use timecredits_app::evaluation::{DataLoad, LoadError, Rows, boundary_code, edition_code};
use timecredits_app::{StoreError, StoreResult, UserId};

use crate::codec::{blob, get, micros, time, uuid};
use crate::internal;

fn corrupt(what: &str, raw: &str) -> StoreError {
    StoreError::Corrupt(format!("bad {what} {raw:?}"))
}

pub(super) fn record_load(c: &Connection, load: &DataLoad, rows: u64) -> StoreResult<()> {
    c.execute(
        "INSERT INTO place_data_loads (dataset, source, rows, loaded_at, loaded_by) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (dataset) DO UPDATE SET source = excluded.source, rows = excluded.rows,
             loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by",
        params![load.dataset, load.source, rows as i64, micros(load.loaded_at), blob(load.loaded_by.0)],
    )
    .map_err(internal)?;
    Ok(())
}

pub(super) fn replace_postcodes(
    c: &Connection,
    load: &DataLoad,
    boundary: Boundary,
    rows: Rows<PostcodeArea>,
) -> Result<u64, LoadError> {
    let code = boundary_code(boundary);
    c.execute("DELETE FROM postcode_areas WHERE boundary = ?1", [code])
        .map_err(internal)?;
    let mut insert = c
        .prepare_cached(
            // A directory lists a postcode once; should one repeat, the
            // last line stands, as it would for a reader of the file.
            "INSERT OR REPLACE INTO postcode_areas (boundary, postcode, area, area_code, terminated) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(internal)?;
    let mut written = 0u64;
    for row in rows {
        let row = row?;
        let (area, area_code) = match &row.lsoa {
            LsoaAssignment::England(l) => ("england", Some(l.as_str())),
            LsoaAssignment::OutsideEngland(other) => ("outside_england", Some(other.as_str())),
            LsoaAssignment::Unassigned => ("unassigned", None),
        };
        insert
            .execute(params![
                code,
                row.postcode.to_string(),
                area,
                area_code,
                row.terminated
            ])
            .map_err(internal)?;
        written += 1;
    }
    record_load(c, load, written)?;
    Ok(written)
}

pub(super) fn replace_imd(
    c: &Connection,
    load: &DataLoad,
    edition: Edition,
    rows: Rows<ImdRow>,
) -> Result<u64, LoadError> {
    let code = edition_code(edition);
    c.execute("DELETE FROM imd_areas WHERE edition = ?1", [code])
        .map_err(internal)?;
    let mut insert = c
        .prepare_cached(
            "INSERT INTO imd_areas (edition, lsoa, local_authority, imd_rank, imd_decile, income_decile, employment_decile,
                 education_decile, health_decile, crime_decile, barriers_decile, living_environment_decile)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .map_err(internal)?;
    let mut written = 0u64;
    for row in rows {
        let row = row?;
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
            .map(|x| x.get())
        });
        let at = |i: usize| d.map(|d| d[i]);
        insert
            .execute(params![
                code,
                row.lsoa.as_str(),
                row.local_authority,
                row.rank,
                row.decile.get(),
                at(0),
                at(1),
                at(2),
                at(3),
                at(4),
                at(5),
                at(6),
            ])
            .map_err(internal)?;
        written += 1;
    }
    record_load(c, load, written)?;
    Ok(written)
}

pub(super) fn postcode_area(
    c: &Connection,
    boundary: Boundary,
    postcode: &str,
) -> StoreResult<Option<PostcodeArea>> {
    let row = c
        .query_row(
            "SELECT area, area_code, terminated FROM postcode_areas WHERE boundary = ?1 AND postcode = ?2",
            params![boundary_code(boundary), postcode],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            },
        )
        .optional()
        .map_err(internal)?;
    let Some((area, code, terminated)) = row else {
        return Ok(None);
    };
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
        terminated,
    }))
}

fn decile(row: &Row, col: &str) -> StoreResult<Decile> {
    let value: u8 = get(row, col)?;
    Decile::new(value).ok_or_else(|| corrupt("decile", &value.to_string()))
}

fn domains(row: &Row) -> StoreResult<Option<DomainDeciles>> {
    if get::<Option<u8>>(row, "income_decile")?.is_none() {
        return Ok(None);
    }
    Ok(Some(DomainDeciles {
        income: decile(row, "income_decile")?,
        employment: decile(row, "employment_decile")?,
        education: decile(row, "education_decile")?,
        health: decile(row, "health_decile")?,
        crime: decile(row, "crime_decile")?,
        barriers: decile(row, "barriers_decile")?,
        living_environment: decile(row, "living_environment_decile")?,
    }))
}

pub(super) fn imd_area(
    c: &Connection,
    edition: Edition,
    lsoa: &str,
) -> StoreResult<Option<ImdRow>> {
    let mut stmt = c
        .prepare_cached("SELECT * FROM imd_areas WHERE edition = ?1 AND lsoa = ?2")
        .map_err(internal)?;
    let mut rows = stmt
        .query(params![edition_code(edition), lsoa])
        .map_err(internal)?;
    let Some(row) = rows.next().map_err(internal)? else {
        return Ok(None);
    };
    let code: String = get(row, "lsoa")?;
    Ok(Some(ImdRow {
        lsoa: LsoaCode::parse(&code).ok_or_else(|| corrupt("LSOA", &code))?,
        local_authority: get(row, "local_authority")?,
        rank: get(row, "imd_rank")?,
        decile: decile(row, "imd_decile")?,
        domains: domains(row)?,
    }))
}

pub(super) fn data_loads(c: &Connection) -> StoreResult<Vec<DataLoad>> {
    let mut stmt = c
        .prepare_cached("SELECT dataset, source, rows, loaded_at, loaded_by FROM place_data_loads ORDER BY dataset")
        .map_err(internal)?;
    let mut rows = stmt.query([]).map_err(internal)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(internal)? {
        out.push(DataLoad {
            dataset: get(row, "dataset")?,
            source: get(row, "source")?,
            rows: get::<i64>(row, "rows")? as u64,
            loaded_at: time(get(row, "loaded_at")?)?,
            loaded_by: UserId(uuid(row, "loaded_by")?),
        });
    }
    Ok(out)
}

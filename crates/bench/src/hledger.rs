//! hledger-web (Debian's package) as a peer ledger server: the same
//! issuance transfers, each one `PUT /add` of one JSON transaction.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use tokio::process::{Child, Command};

use crate::load::{Gen, Req};
use crate::naive::mix;
use crate::server::free_addr;

pub struct Hledger {
    child: Child,
    pub base: String,
    pub version: String,
}

impl Hledger {
    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// Whether `hledger-web` can be run here.
pub fn available() -> bool {
    std::process::Command::new("hledger-web")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts hledger-web on a fresh journal in `dir`.
pub async fn start(dir: &Path) -> Result<Hledger, String> {
    let version = std::process::Command::new("hledger-web")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .map_err(|e| format!("hledger-web is not installed: {e}"))?;
    let journal = dir.join("bench.journal");
    std::fs::write(
        &journal,
        "2026-01-01 opening\n    members:m0    60m\n    programme:issuance\n",
    )
    .map_err(|e| e.to_string())?;
    let addr = free_addr()?;
    let log = std::fs::File::create(dir.join("hledger-web.log")).map_err(|e| e.to_string())?;
    let child = Command::new("hledger-web")
        .arg("--serve-api")
        .arg("-f")
        .arg(&journal)
        .arg("--host")
        .arg(addr.ip().to_string())
        .arg("--port")
        .arg(addr.port().to_string())
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start hledger-web: {e}"))?;
    let h = Hledger {
        child,
        base: format!("http://{addr}"),
        version,
    };
    let client = reqwest::Client::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(r) = client.get(format!("{}/version", h.base)).send().await
            && r.status().is_success()
        {
            return Ok(h);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("hledger-web did not start in 30 s".into())
}

fn posting(account: &str, minutes: i64) -> String {
    format!(
        r#"{{"paccount":"{account}","pamount":[{{"acommodity":"m","aprice":null,"aquantity":{{"decimalMantissa":{minutes},"decimalPlaces":0,"floatingPoint":{minutes}}},"astyle":{{"ascommodityside":"R","ascommodityspaced":false,"asdecimalpoint":null,"asdigitgroups":null,"asprecision":0}}}}],"pbalanceassertion":null,"pcomment":"","pdate":null,"pdate2":null,"poriginal":null,"pstatus":"Unmarked","ptags":[],"ptransaction_":"0","ptype":"RegularPosting"}}"#
    )
}

/// One issuance from the programme to a member, as hledger's JSON.
fn transaction(member: u64, minutes: i64) -> String {
    format!(
        r#"{{"tcode":"","tcomment":"","tdate":"2026-01-02","tdate2":null,"tdescription":"issue","tindex":0,"tpostings":[{},{}],"tprecedingcomment":"","tsourcepos":[{{"sourceColumn":1,"sourceLine":1,"sourceName":""}},{{"sourceColumn":1,"sourceLine":1,"sourceName":""}}],"tstatus":"Unmarked","ttags":[]}}"#,
        posting(&format!("members:m{member}"), minutes),
        posting("programme:issuance", -minutes)
    )
}

/// The same workload as ours: issuance from the programme to a member.
pub fn issuance(base: &str, members: u64) -> Gen {
    let url = format!("{base}/add");
    Arc::new(move |n| {
        let amount = 15 * (1 + (mix(n ^ 0x5555) % 8) as i64);
        Req {
            method: Method::PUT,
            body: Some(transaction(mix(n) % members, amount)),
            ..Req::get(url.clone())
        }
    })
}

/// How many transactions the journal holds now (through its own API).
pub async fn count(base: &str) -> Result<usize, String> {
    let v: serde_json::Value = reqwest::get(format!("{base}/transactions"))
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    Ok(v.as_array().map_or(0, Vec::len))
}

//! What the timebank use cases need from storage. Each backend implements
//! this trait in its own `timebank` module.

use async_trait::async_trait;

#[async_trait]
pub trait TimebankStore: Send + Sync {}

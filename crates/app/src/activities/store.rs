//! What the activities use cases need from storage. Each backend implements
//! this trait in its own `activities` module.

use async_trait::async_trait;

#[async_trait]
pub trait ActivityStore: Send + Sync {}

//! What the spending use cases need from storage. Each backend implements
//! this trait in its own `spending` module.

use async_trait::async_trait;

#[async_trait]
pub trait SpendingStore: Send + Sync {}

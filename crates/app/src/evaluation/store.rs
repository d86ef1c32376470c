//! What the evaluation area needs from storage.

use async_trait::async_trait;

#[async_trait]
pub trait EvaluationStore: Send + Sync {}

//! Terraform plans and state in JSON: recognised by content (`parse`), read into resources
//! with Terraform's own resolved values, and joined onto the configuration they belong to
//! (`resolve::merge`).

pub mod parse;
pub mod resolve;

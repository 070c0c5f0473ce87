pub mod discover;
pub mod parse;
pub mod value;
pub mod catalog;
pub mod resolve;

pub mod discover;
pub mod parse;
pub mod value;

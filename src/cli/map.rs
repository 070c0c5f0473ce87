//! `residency map`: the data map (every copy of mailbox data) without policies, as text,
//! JSON or a diagram.

use super::input::{self, InputArgs};
use super::output::{check_outputs, write_output};
use super::{ExitStatus, UsageError};
use crate::report;
use clap::ValueEnum;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// text, json, or a diagram: mermaid (renders in GitHub/GitLab Markdown) or dot (Graphviz).
    #[arg(long, value_enum, default_value_t = MapFormat::Text)]
    pub format: MapFormat,
    /// Write the map to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
pub enum MapFormat {
    Text,
    Json,
    Mermaid,
    Dot,
}

pub fn run(args: Args) -> Result<ExitStatus, UsageError> {
    check_outputs(args.output.as_ref())?;
    let opts = input::options(args.input)?.0;
    let progress = super::progress_line::ProgressLine::start(false);
    let mapped = crate::map(&opts);
    drop(progress);
    let mapped = mapped?;
    if mapped.files == 0 {
        input::note_nothing_read(&opts.paths);
    }
    let (datasets, errors) = (&mapped.map.datasets, &mapped.errors);
    let text = match args.format {
        MapFormat::Text => report::listing::map_text(
            datasets,
            errors,
            super::output::text_width(args.output.as_ref()),
        ),
        // Diagrams carry the disclaimer as a comment, which renderers do not draw.
        MapFormat::Mermaid => format!(
            "%% {}\n{}",
            report::DISCLAIMER,
            report::graph::mermaid(datasets)
        ),
        MapFormat::Dot => format!(
            "// {}\n{}",
            report::DISCLAIMER,
            report::graph::dot(datasets)
        ),
        MapFormat::Json => report::listing::map_json(datasets, errors),
    };
    write_output(&text, args.output.as_ref())?;
    Ok(if mapped.errors.is_empty() {
        ExitStatus::Clean
    } else {
        ExitStatus::InputErrors
    })
}

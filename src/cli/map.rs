//! `residency map`: the data map (every copy of mailbox data) without policies, as text,
//! JSON or a diagram.

use super::input::{self, InputArgs};
use super::output::{check_outputs, write_output_with};
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
    let width = super::output::text_width(args.output.as_ref());
    // Written to the destination as they are produced: the listings grow with the map.
    write_output_with(args.output.as_ref(), &mut |out| match args.format {
        MapFormat::Text => report::stream(out, |text| {
            report::listing::write_map_text(datasets, errors, width, text)
        }),
        MapFormat::Json => report::listing::write_map_json(datasets, errors, out),
        // Diagrams carry the disclaimer as a comment, which renderers do not draw.
        MapFormat::Mermaid => write!(
            out,
            "%% {}\n{}",
            report::DISCLAIMER,
            report::graph::mermaid(datasets)
        ),
        MapFormat::Dot => write!(
            out,
            "// {}\n{}",
            report::DISCLAIMER,
            report::graph::dot(datasets)
        ),
    })?;
    Ok(if mapped.errors.is_empty() {
        ExitStatus::Clean
    } else {
        ExitStatus::InputErrors
    })
}

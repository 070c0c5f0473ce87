//! `residency policies`: the built-in policies with their dates, citations and rules.

use super::output::write_output;
use super::ExitStatus;
use crate::policy;
use clap::ValueEnum;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

pub fn run(args: Args) -> Result<ExitStatus, String> {
    let mut infos = Vec::new();
    for (id, _) in policy::BUILT_IN {
        let p = policy::load(id)?;
        infos.push((p.info, p.rules));
    }
    let text = match args.format {
        ListFormat::Json => {
            let value: Vec<_> = infos
                    .iter()
                    .map(|(info, rules)| {
                        serde_json::json!({
                            "policy": info,
                            "rules": rules.iter().map(|r| serde_json::json!({
                                "id": r.id, "title": r.title, "severity": r.severity, "verdict": r.verdict,
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
        ListFormat::Text => {
            let mut out = String::new();
            for (info, rules) in &infos {
                let default = if info.id == policy::DEFAULT_POLICY {
                    " (default)"
                } else {
                    ""
                };
                out.push_str(&format!("{}{default}\n  {}\n", info.id, info.title));
                out.push_str(&format!("  applies from {}", info.applies_from));
                if let Some(until) = &info.superseded_on {
                    out.push_str(&format!(
                        "; superseded on {until} by {}",
                        info.superseded_by.as_deref().unwrap_or("later law")
                    ));
                }
                out.push('\n');
                for c in &info.citations {
                    out.push_str(&format!("  · {c}\n"));
                }
                for r in rules {
                    out.push_str(&format!(
                        "  {:<7} {:<6} {:<14} {}\n",
                        r.id,
                        r.severity.as_str(),
                        r.verdict,
                        r.title
                    ));
                }
                out.push('\n');
            }
            out
        }
    };
    write_output(&text, None)?;
    Ok(ExitStatus::Clean)
}
